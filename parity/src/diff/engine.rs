//! The engine abstraction: anything that can load a module, instantiate it
//! and call its exports, seen the same way by the differential runner.
//!
//! ```text
//!                      ┌─ reference::WasmtimeEngine   (the reference)
//!  run::run_case ─▶ **Engine** ─┼─ ours::CompiledEngine(x86_64)  (NativeExecutor)
//!                      └─ ours::CompiledEngine(aarch64) (unicorn, when available)
//! ```
//!
//! An engine holds at most one loaded module and one live instance of it.
//! The runner drives every engine through the same sequence:
//! `load` once per case, then `instantiate`, calls, state reads, and
//! `instantiate` again whenever the instances must be reset together.

use super::outcome::{Load, Outcome};
use emu::Value;

/// One side of a differential comparison.
///
/// Preconditions the runner keeps: `instantiate` only after a `load` that
/// returned [`Load::Loaded`]; `call`, `global` and `memory` only after an
/// `instantiate` that returned [`Outcome::Returned`].
pub trait Engine {
    /// The name divergence reports use (`wasmtime`, `x86_64`, `aarch64`).
    fn name(&self) -> &str;

    /// Compiles and validates `wasm`, replacing any module (and instance)
    /// held before.
    fn load(&mut self, wasm: &[u8]) -> Load;

    /// Replaces the current instance by a fresh instance of the loaded
    /// module: memory, globals and data segments initialized, the start
    /// function run. `Returned(vec![])` on success.
    fn instantiate(&mut self) -> Outcome;

    /// Calls the exported function `export` of the current instance.
    fn call(&mut self, export: &str, args: &[Value]) -> Outcome;

    /// Reads the exported global `export` of the current instance.
    fn global(&mut self, export: &str) -> Result<Value, String>;

    /// Reads every byte of the exported memory `export` of the current
    /// instance.
    fn memory(&mut self, export: &str) -> Result<Vec<u8>, String>;

    /// How many functions of the loaded module were replaced by
    /// unsupported-feature stubs (our compiler's lenient mode).
    fn unsupported_functions(&self) -> usize {
        0
    }
}
