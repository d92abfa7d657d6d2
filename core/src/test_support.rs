//! Helpers shared by the unit tests.

/// `count` deterministic strings of up to 39 characters drawn from `alphabet` (a 64-bit LCG), for
/// tests that feed every arrangement of awkward characters (quotes, escapes, multi-byte) to a
/// parser or a redactor.
pub(crate) fn odd_strings(alphabet: &str, count: usize) -> impl Iterator<Item = String> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..count).map(move |_| {
        let len = (state % 40) as usize;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                alphabet[(state >> 33) as usize % alphabet.len()]
            })
            .collect()
    })
}
