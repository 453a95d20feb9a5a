//! `cargo +nightly fuzz run compile_any`: The compiler on arbitrary bytes and on wasm-smith modules with every
//! feature: it never panics, never fails internally, and rejects invalid input with an error.
//! The logic lives in `parity::fuzz::compile_any`, which `cargo test -p parity` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(finding) = parity::fuzz::compile_any(data) {
        panic!("{finding}");
    }
});
