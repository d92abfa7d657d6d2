//! A single-threaded executor for hosts with an event loop of their own (see `hosted.rs`).
//!
//! It lives on the loop's thread and only runs when told to: when a call starts, and when the
//! loop reports that something a task waits for happened. Wakers may be called from any thread.
//! A wake from another thread, or from the loop's thread outside a run, calls the host's `nudge`
//! (which makes the loop call [`Executor::run`] soon: a libuv async handle, an eventfd the loop
//! watches). A wake during a run costs nothing: the run picks the task up before it returns.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Wake, Waker};

/// A task of an [`Executor`]; valid until the task ends or is cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskId {
    slot: usize,
    generation: u64,
}

type Task = Pin<Box<dyn Future<Output = ()>>>;

struct Slot {
    task: Option<Task>,
    generation: u64,
    waker: Waker,
}

struct Shared {
    woken: Mutex<Vec<usize>>,
    /// The thread running the executor right now (see `this_thread`), 0 when none is.
    running_on: AtomicU64,
    nudge: Box<dyn Fn() + Send + Sync>,
}

impl Shared {
    fn wake(&self, slot: usize) {
        self.woken.lock().unwrap_or_else(PoisonError::into_inner).push(slot);
        if self.running_on.load(Ordering::Acquire) != this_thread() {
            (self.nudge)();
        }
    }
}

struct SlotWaker {
    slot: usize,
    shared: Arc<Shared>,
}

impl Wake for SlotWaker {
    fn wake(self: Arc<Self>) {
        self.shared.wake(self.slot);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.shared.wake(self.slot);
    }
}

/// A non-zero number for the current thread, cheaper to read than `thread::current().id()`.
fn this_thread() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static ID: Cell<u64> = const { Cell::new(0) };
    }
    ID.with(|id| {
        if id.get() == 0 {
            id.set(NEXT.fetch_add(1, Ordering::Relaxed));
        }
        id.get()
    })
}

/// Runs tasks on the thread that calls [`Executor::run`]; not `Send`.
pub struct Executor {
    shared: Arc<Shared>,
    slots: RefCell<Vec<Slot>>,
    free: RefCell<Vec<usize>>,
}

impl Executor {
    /// `nudge` must make the loop call [`Executor::run`] soon; it may be called from any thread.
    pub fn new(nudge: impl Fn() + Send + Sync + 'static) -> Self {
        let shared =
            Arc::new(Shared { woken: Mutex::new(Vec::new()), running_on: AtomicU64::new(0), nudge: Box::new(nudge) });
        Self { shared, slots: RefCell::new(Vec::new()), free: RefCell::new(Vec::new()) }
    }

    /// Adds a task; it is first polled by the next [`Executor::run`] (or the one going on).
    pub fn spawn(&self, task: impl Future<Output = ()> + 'static) -> TaskId {
        let task: Task = Box::pin(task);
        let mut slots = self.slots.borrow_mut();
        let slot = match self.free.borrow_mut().pop() {
            Some(slot) => {
                slots[slot].task = Some(task);
                slot
            }
            None => {
                let waker = Waker::from(Arc::new(SlotWaker { slot: slots.len(), shared: self.shared.clone() }));
                slots.push(Slot { task: Some(task), generation: 0, waker });
                slots.len() - 1
            }
        };
        let generation = slots[slot].generation;
        drop(slots);
        self.shared.woken.lock().unwrap_or_else(PoisonError::into_inner).push(slot);
        TaskId { slot, generation }
    }

    /// Drops a task that has not ended (its requests and sockets with it).
    pub fn cancel(&self, id: TaskId) {
        let task = {
            let mut slots = self.slots.borrow_mut();
            match slots.get_mut(id.slot) {
                Some(slot) if slot.generation == id.generation && slot.task.is_some() => {
                    slot.generation += 1;
                    self.free.borrow_mut().push(id.slot);
                    slot.task.take()
                }
                _ => None,
            }
        };
        // Dropped outside the borrow: a task's destructor may spawn or cancel.
        drop(task);
    }

    /// Polls every woken task until none is left. A run already going on (this is re-entered
    /// from a task) picks up whatever is woken meanwhile.
    pub fn run(&self) {
        self.run_after(|| {});
    }

    /// Calls `wake` (which wakes tasks: those waiting for the sockets the loop reported ready),
    /// then runs every woken task. Wakes made by `wake` need no nudge: this run polls them.
    pub fn run_after(&self, wake: impl FnOnce()) {
        let me = this_thread();
        if self.shared.running_on.compare_exchange(0, me, Ordering::AcqRel, Ordering::Acquire).is_err() {
            // Re-entered from a task: the run going on picks the woken tasks up.
            wake();
            return;
        }
        wake();
        loop {
            let woken = std::mem::take(&mut *self.shared.woken.lock().unwrap_or_else(PoisonError::into_inner));
            if woken.is_empty() {
                break;
            }
            for slot in woken {
                self.poll(slot);
            }
        }
        self.shared.running_on.store(0, Ordering::Release);
        // A wake that raced with the end of the run must not wait for an unrelated event.
        if !self.shared.woken.lock().unwrap_or_else(PoisonError::into_inner).is_empty() {
            (self.shared.nudge)();
        }
    }

    fn poll(&self, slot: usize) {
        let (mut task, waker, generation) = {
            let mut slots = self.slots.borrow_mut();
            let Some(entry) = slots.get_mut(slot) else { return };
            let Some(task) = entry.task.take() else { return };
            (task, entry.waker.clone(), entry.generation)
        };
        // Out of its slot while polled: it may spawn, cancel, or wake itself.
        let done = task.as_mut().poll(&mut Context::from_waker(&waker)).is_ready();
        let mut slots = self.slots.borrow_mut();
        let entry = &mut slots[slot];
        if entry.generation != generation {
            return; // cancelled while it ran: already freed
        }
        if done {
            entry.generation += 1;
            self.free.borrow_mut().push(slot);
            drop(slots);
            drop(task);
        } else {
            entry.task = Some(task);
        }
    }

    /// Drops every task (the host is going away).
    pub fn clear(&self) {
        let slots = std::mem::take(&mut *self.slots.borrow_mut());
        self.free.borrow_mut().clear();
        drop(slots);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::task::Poll;

    use super::*;

    #[test]
    fn tasks_run_when_woken_and_wakes_from_other_threads_nudge_the_loop() {
        let nudges = Arc::new(AtomicUsize::new(0));
        let counter = nudges.clone();
        let executor = Executor::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        // A flag set by another thread, and the waker of the task waiting for it.
        let signal: Arc<Mutex<(bool, Option<Waker>)>> = Arc::default();
        let done = Arc::new(AtomicUsize::new(0));
        let (waiting, seen) = (signal.clone(), done.clone());
        executor.spawn(async move {
            std::future::poll_fn(|cx| {
                let mut state = waiting.lock().unwrap();
                if state.0 {
                    return Poll::Ready(());
                }
                state.1 = Some(cx.waker().clone());
                Poll::Pending
            })
            .await;
            seen.fetch_add(1, Ordering::SeqCst);
        });
        executor.run();
        assert_eq!(done.load(Ordering::SeqCst), 0, "waiting for the other thread");
        assert_eq!(nudges.load(Ordering::SeqCst), 0, "a spawn followed by a run needs no nudge");
        std::thread::spawn(move || {
            let waker = {
                let mut state = signal.lock().unwrap();
                state.0 = true;
                state.1.take()
            };
            waker.unwrap().wake();
        })
        .join()
        .unwrap();
        assert_eq!(nudges.load(Ordering::SeqCst), 1, "a wake from another thread nudges the loop");
        executor.run();
        assert_eq!(done.load(Ordering::SeqCst), 1);

        // A wake made by the loop's own event dispatch, right before its run, needs no nudge.
        let ready: Arc<Mutex<Option<Waker>>> = Arc::default();
        let (slot, polls) = (ready.clone(), Arc::new(AtomicUsize::new(0)));
        let counted = polls.clone();
        executor.spawn(async move {
            std::future::poll_fn(|cx| {
                *slot.lock().unwrap() = Some(cx.waker().clone());
                if counted.fetch_add(1, Ordering::SeqCst) == 0 { Poll::Pending } else { Poll::Ready(()) }
            })
            .await;
        });
        executor.run();
        executor.run_after(|| ready.lock().unwrap().take().unwrap().wake());
        assert_eq!(polls.load(Ordering::SeqCst), 2, "woken and polled in the same run");
        assert_eq!(nudges.load(Ordering::SeqCst), 1, "no nudge for it");
    }

    #[test]
    fn a_cancelled_task_is_dropped_and_its_id_goes_stale() {
        let executor = Executor::new(|| {});
        let dropped = Arc::new(AtomicUsize::new(0));
        struct Guard(Arc<AtomicUsize>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let guard = Guard(dropped.clone());
        let id = executor.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        executor.run();
        executor.cancel(id);
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
        let ran = Arc::new(AtomicUsize::new(0));
        let flag = ran.clone();
        let reused = executor.spawn(async move {
            flag.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(reused.slot, id.slot, "the slot is reused");
        executor.cancel(id); // stale: must not touch the new task
        executor.run();
        assert_eq!(ran.load(Ordering::SeqCst), 1);
    }
}
