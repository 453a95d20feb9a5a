//! The one place the `.wast` runner calls the compiler.
//!
//! ```text
//! script (module bytes) ─▶ **compile_for_harness** ─▶ CompiledModule ─▶ executor
//! ```
//!
//! The runner always compiles in *lenient* mode (functions using operators
//! the compiler does not support yet become stubs that trap with
//! `TrapCode::Unsupported`, so the rest of the module can still be tested)
//! and with the IR verifier and the register allocator's checker on.

use compiler::error::CompileError;
use compiler::module::{CompiledModule, Target};

/// Compiles `wasm` for `target` the way the runner needs it: lenient (one
/// unsupported function does not sink the module) and verified.
pub(crate) fn compile_for_harness(wasm: &[u8], target: Target) -> Result<CompiledModule, CompileError> {
    compiler::compile_module(wasm, &compiler::CompileOptions { target, lenient: true, verify: true, fault: None })
}
