#![no_main]
//! A short sequence of HTTP requests through the emulator's router, in-process, against a fresh
//! in-memory organization (format: `kontext_management_emulator::fuzzing`).

use std::sync::OnceLock;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().expect("runtime")
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    runtime().block_on(kontext_management_emulator::fuzzing::requests(data));
});
