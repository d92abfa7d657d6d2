#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (value, ms) = text.split_once('\n').unwrap_or((&text, ""));
    kontext_management::fuzzing::retry_after(value, ms);
});
