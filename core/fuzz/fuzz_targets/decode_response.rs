#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kontext::fuzzing::decode_response(data));
