//! `cargo +nightly fuzz run encode_x64`: Arbitrary x86-64 instructions through the encoding checks (emit, decode
//! with iced-x86, compare with what the instruction means).
//! The logic lives in `parity::fuzz::encode_x64`, which `cargo test -p parity` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(finding) = parity::fuzz::encode_x64(data) {
        panic!("{finding}");
    }
});
