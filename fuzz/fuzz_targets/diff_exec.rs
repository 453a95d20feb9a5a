//! `cargo +nightly fuzz run diff_exec`: Differential execution: a wasm-smith module and a call plan from the input,
//! run in wasmtime and in our code for x86-64 (native) and AArch64 (unicorn); any disagreement is a finding (the
//! case is saved for `parity reduce`).
//! The logic lives in `parity::fuzz::diff_exec`, which `cargo test -p parity` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(finding) = parity::fuzz::diff_exec(data) {
        panic!("{finding}");
    }
});
