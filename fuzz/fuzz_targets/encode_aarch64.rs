//! `cargo +nightly fuzz run encode_aarch64`: Arbitrary AArch64 instructions through the encoding checks (emit,
//! decode with yaxpeax-arm, compare with what the instruction means).
//! The logic lives in `parity::fuzz::encode_aarch64`, which `cargo test -p parity` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(finding) = parity::fuzz::encode_aarch64(data) {
        panic!("{finding}");
    }
});
