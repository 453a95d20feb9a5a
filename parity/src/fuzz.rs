//! The logic behind the cargo-fuzz targets in `fuzz/fuzz_targets/`, kept
//! here so that bounded `cargo test` smoke tests exercise it without a
//! fuzzing build. Each target is one line calling one of these functions,
//! which panic on a finding (that is how libFuzzer learns of it).
//!
//! ```text
//!  libFuzzer bytes ─┬─ diff_exec:      wasm-smith module + call plan ─▶ diff::run_case (wasmtime, x86_64, aarch64)
//!                   ├─ compile_any:    raw bytes | wasm-smith module ─▶ compile_module (both ISAs, strict + lenient)
//!                   ├─ encode_x64:     arbitrary x86-64 instructions ─▶ oracle::x64::check_fuzz_input
//!                   └─ encode_aarch64: arbitrary AArch64 instructions ─▶ oracle::aarch64::check_fuzz_input
//! ```
//!
//! Engines are created once per thread and reused across inputs: a fresh
//! wasmtime engine or emulator per input would cost more than the input.

use crate::diff::ours::{CompiledEngine, availability};
use crate::diff::reference::WasmtimeEngine;
use crate::diff::smith;
use crate::diff::sweep::{Generator, run_guarded, write_case};
use crate::diff::values::Rng;
use compiler::module::Target;
use compiler::{CompileOptions, ErrorKind};
use std::cell::RefCell;
use std::path::PathBuf;

/// What one input did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The input was used and everything agreed.
    Agreed,
    /// The input could not be turned into a test (too short, generator
    /// refused); nothing was run.
    Skipped,
}

struct Engines {
    reference: WasmtimeEngine,
    ours: Vec<CompiledEngine>,
}

thread_local! {
    static ENGINES: RefCell<Option<Engines>> = const { RefCell::new(None) };
}

/// Where `diff_exec` writes a divergent case before panicking:
/// `$PARITY_FUZZ_CASES`, or `target/divergences/fuzz`.
pub fn case_dir() -> PathBuf {
    std::env::var_os("PARITY_FUZZ_CASES").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target/divergences/fuzz"))
}

/// Differential execution of one wasm-smith module built from `data`, on
/// wasmtime and every available ISA. On a divergence, writes the case to
/// [`case_dir`] (for `parity reduce`) and returns the report as an error.
pub fn diff_exec(data: &[u8]) -> Result<Verdict, String> {
    let Some((seed, bytes)) = data.split_first_chunk::<8>() else { return Ok(Verdict::Skipped) };
    let mut rng = Rng::new(u64::from_le_bytes(*seed));
    let Some(case) = smith::case_from_bytes(bytes, &mut rng)? else { return Ok(Verdict::Skipped) };
    let report = ENGINES.with_borrow_mut(|engines| -> Result<_, String> {
        if engines.is_none() {
            let ours = [Target::X86_64, Target::Aarch64]
                .into_iter()
                .filter(|&t| availability(t).is_ok())
                .map(CompiledEngine::new)
                .collect();
            *engines = Some(Engines { reference: WasmtimeEngine::new()?, ours });
        }
        let engines = engines.as_mut().expect("just set");
        Ok(run_guarded(&case, &mut engines.reference, &mut engines.ours))
    })?;
    if report.divergences.is_empty() {
        return Ok(Verdict::Agreed);
    }
    let hash = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let saved = write_case(&case_dir(), hash, 0, Generator::Smith, &case, &report.divergences)
        .map(|path| format!("saved as {}", path.display()))
        .unwrap_or_else(|error| format!("not saved: {error}"));
    let lines: Vec<String> = report.divergences.iter().map(|d| d.to_string()).collect();
    Err(format!("{} ({saved})", lines.join("; ")))
}

/// Compiles a module made from `data` for both ISAs, strict and lenient.
/// The first byte chooses the module: even, the rest of `data` as raw bytes
/// (mostly invalid: it must be rejected with an error); odd, a wasm-smith
/// module with every feature wasm-smith knows (valid: it must compile or be
/// rejected as unsupported). Returns a finding as an error: a panic, an
/// internal error, or a valid module called invalid.
pub fn compile_any(data: &[u8]) -> Result<Verdict, String> {
    let Some((&mode, rest)) = data.split_first() else { return Ok(Verdict::Skipped) };
    let (wasm, valid) = if mode % 2 == 0 {
        (rest.to_vec(), false)
    } else {
        let mut unstructured = arbitrary::Unstructured::new(rest);
        // Every feature wasm-smith has on by default: what the compiler
        // does not support must be a clean "unsupported". Every other
        // module also has imports.
        let config = wasm_smith::Config { max_imports: if mode % 4 == 1 { 0 } else { 4 }, ..Default::default() };
        match wasm_smith::Module::new(config, &mut unstructured) {
            Ok(module) => (module.to_bytes(), true),
            Err(_) => return Ok(Verdict::Skipped),
        }
    };
    for target in [Target::X86_64, Target::Aarch64] {
        for lenient in [false, true] {
            let options = CompileOptions { target, lenient, verify: true, fault: None };
            let result = std::panic::catch_unwind(|| compiler::compile_module(&wasm, &options));
            let what = || format!("{target} ({}) on {} bytes", if lenient { "lenient" } else { "strict" }, wasm.len());
            match result {
                Err(payload) => {
                    return Err(format!(
                        "the compiler panicked, {}: {}",
                        what(),
                        crate::wast::backend::panic_message(payload.as_ref())
                    ));
                }
                Ok(Err(error)) if error.kind == ErrorKind::Internal => {
                    return Err(format!("internal compiler error, {}: {error}", what()));
                }
                Ok(Err(error)) if valid && error.kind == ErrorKind::Invalid => {
                    return Err(format!("a valid wasm-smith module was called invalid, {}: {error}", what()));
                }
                Ok(_) => {}
            }
        }
    }
    Ok(Verdict::Agreed)
}

/// Arbitrary x86-64 instructions from `data` through the encoding checks
/// (`oracle::x64`: emit, decode with iced-x86, compare field by field with
/// what the instruction means). A mismatch is a finding.
pub fn encode_x64(data: &[u8]) -> Result<Verdict, String> {
    encode(data, oracle::x64::check_fuzz_input)
}

/// Arbitrary AArch64 instructions from `data` through the encoding checks
/// (`oracle::aarch64`, decoded with yaxpeax-arm). A mismatch is a finding.
pub fn encode_aarch64(data: &[u8]) -> Result<Verdict, String> {
    encode(data, oracle::aarch64::check_fuzz_input)
}

fn encode(data: &[u8], check: fn(&[u8]) -> Result<(), String>) -> Result<Verdict, String> {
    if data.is_empty() {
        return Ok(Verdict::Skipped);
    }
    check(data).map(|()| Verdict::Agreed)
}
