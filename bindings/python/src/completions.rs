//! How async calls come back to asyncio: one [`Port`] per event loop.
//!
//! uniffi's own async support polls a Rust future from Python: a poll, a callback from the
//! waking thread (which takes the GIL) into `call_soon_threadsafe`, a second poll, a `complete`
//! and a `free`, each a ctypes call — about 120 µs per call on a small machine, more than the
//! request. Here a call is one FFI call that spawns the request on the shared runtime
//! ([`crate::runtime`]) and returns at once; its outcome goes into the port's queue, and the
//! first outcome to arrive in an empty queue writes one byte to a socket the event loop watches
//! (`loop.add_reader`). The loop then takes every queued outcome in one call (`Port::drain`) and
//! resolves the futures. No Python code ever runs on a runtime thread, and under load one wake-up
//! serves many calls.
//!
//! Cancelling (a cancelled asyncio task) aborts the request's task; an outcome that arrives for a
//! call Python already gave up on is ignored there.

use std::collections::HashMap;
use std::future::Future;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::FutureExt;
use tokio::task::AbortHandle;

use crate::error::KontextFfiError;
use crate::runtime::{panic_message, runtime};

/// The outcomes of async calls made for one event loop.
pub(crate) struct Port {
    queue: Mutex<Vec<Outcome>>,
    /// Requests in flight, so that a cancelled call can abort its task.
    running: Mutex<HashMap<u64, AbortHandle>>,
    wake_tx: UnixStream,
    /// The end the event loop watches.
    wake_rx: UnixStream,
}

struct Outcome {
    token: u64,
    ok: bool,
    text: String,
}

impl Port {
    pub(crate) fn new() -> std::io::Result<Self> {
        let (wake_rx, wake_tx) = UnixStream::pair()?;
        wake_rx.set_nonblocking(true)?;
        wake_tx.set_nonblocking(true)?;
        Ok(Self { queue: Mutex::new(Vec::new()), running: Mutex::new(HashMap::new()), wake_tx, wake_rx })
    }

    /// The file descriptor that becomes readable when outcomes are waiting.
    pub(crate) fn fileno(&self) -> i32 {
        self.wake_rx.as_raw_fd()
    }

    /// Every outcome that arrived since the last drain, as one byte string: a header line of
    /// `token:status:length` entries separated by `,` (status `0` = the result's JSON text, `1` =
    /// the error details' JSON; lengths in bytes), then the texts back to back. Empty when none
    /// arrived.
    pub(crate) fn drain(&self) -> Vec<u8> {
        let mut scratch = [0u8; 64];
        while matches!((&self.wake_rx).read(&mut scratch), Ok(n) if n > 0) {}
        let outcomes = std::mem::take(&mut *self.queue());
        if outcomes.is_empty() {
            return Vec::new();
        }
        let size: usize = outcomes.iter().map(|o| o.text.len() + 24).sum();
        let mut out = Vec::with_capacity(size);
        for (i, outcome) in outcomes.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let _ = write!(out, "{}:{}:{}", outcome.token, u8::from(!outcome.ok), outcome.text.len());
        }
        out.push(b'\n');
        for outcome in &outcomes {
            out.extend_from_slice(outcome.text.as_bytes());
        }
        out
    }

    /// Aborts the request of the call under `token`, if it is still running.
    pub(crate) fn cancel(&self, token: u64) {
        if let Some(task) = self.running().remove(&token) {
            task.abort();
        }
    }

    /// Spawns `future` on the shared runtime; its outcome is queued under `token`. A panic inside
    /// it becomes an `internal` error.
    pub(crate) fn spawn(
        self: &Arc<Self>,
        token: u64,
        future: impl Future<Output = kontext::Result<String>> + Send + 'static,
    ) {
        let port = self.clone();
        // Held until the task is registered, so it cannot finish (and unregister) first.
        let mut running = self.running();
        let task = runtime().spawn(async move {
            let outcome = match AssertUnwindSafe(future).catch_unwind().await {
                Ok(Ok(text)) => Ok(text),
                Ok(Err(error)) => Err(KontextFfiError::from(error)),
                Err(panic) => Err(KontextFfiError::internal(&panic_message(&*panic))),
            };
            port.running().remove(&token);
            port.push(token, outcome);
        });
        running.insert(token, task.abort_handle());
    }

    /// Queues an outcome that needs no task (e.g. invalid arguments).
    pub(crate) fn complete(&self, token: u64, outcome: Result<String, KontextFfiError>) {
        self.push(token, outcome);
    }
    fn push(&self, token: u64, outcome: Result<String, KontextFfiError>) {
        let (ok, text) = match outcome {
            Ok(text) => (true, text),
            Err(KontextFfiError::Error { details_json }) => (false, details_json),
        };
        let was_empty = {
            let mut queue = self.queue();
            let was_empty = queue.is_empty();
            queue.push(Outcome { token, ok, text });
            was_empty
        };
        if was_empty {
            // Fails only when the socket is full, and then it already holds a wake-up.
            let _ = (&self.wake_tx).write(&[1]);
        }
    }

    fn queue(&self) -> MutexGuard<'_, Vec<Outcome>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn running(&self) -> MutexGuard<'_, HashMap<u64, AbortHandle>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
