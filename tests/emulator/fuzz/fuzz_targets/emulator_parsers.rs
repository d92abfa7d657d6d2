#![no_main]
//! The emulator's parsers of untrusted text one by one (first byte picks the parser).
libfuzzer_sys::fuzz_target!(|data: &[u8]| kontext_management_emulator::fuzzing::parsers(data));
