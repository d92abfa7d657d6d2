#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kontext_management::fuzzing::decode_response(data));
