#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let [a, b, rest @ ..] = data {
        kontext_management::fuzzing::error_body(u16::from_le_bytes([*a, *b]), rest);
    }
});
