//! The verification harness around the wasm2native compiler.
//!
//! ```text
//!  compiler ──▶ CompiledModule ──▶ emu (executors) ──▶ **parity** (judges the results)
//! ```
//!
//! This crate holds the checks that prove generated code right and the `parity`
//! command line that drives them:
//!
//! - [`wast`]: runs the WebAssembly spec testsuite's `.wast` scripts through
//!   our compiler and executors and counts passed / failed / skipped
//!   assertions per file and ISA, compared against committed expectations.
//! - [`diff`]: differential execution: generated programs (wasm-smith
//!   modules, single-operator modules) run in wasmtime and in our compiled
//!   code, with results, traps, globals and memory compared after every
//!   call; `parity sweep` runs it at scale, `parity reduce` minimizes what
//!   diverges into the regression corpus.
//! - [`encode`]: the encoder sweep: generated instances of every
//!   instruction form, checked by the encoder oracles (and a second
//!   decoder); `parity encode` runs it.
//! - [`whole`]: whole-function Cranelift parity: wasmtime's code for a
//!   corpus, lifted into our instructions and re-encoded by our emitter;
//!   `parity whole` runs it.
//! - [`wasi`]: real WASI programs (sightglass, `corpus/wasi`) in
//!   wasmtime-wasi, in our executors and as our linked executables, side by
//!   side; `parity wasi` runs it.
//! - [`fuzz`]: the logic of the cargo-fuzz targets (`fuzz/`), callable
//!   from tests.
pub mod diff;
pub mod encode;
pub mod fuzz;
mod markup;
pub mod wasi;
pub mod wast;
pub mod whole;
