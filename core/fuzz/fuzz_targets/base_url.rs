#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some((flag, rest)) = data.split_first() {
        kontext_management::fuzzing::base_url(&String::from_utf8_lossy(rest), flag & 1 == 1);
    }
});
