//! wasm2native: a WebAssembly-to-native ahead-of-time compiler with
//! Cranelift's architecture.
//!
//! ```text
//! .wasm ──wasmparser──▶ wasm::translate ──▶ ir::Function (SSA, block params)
//!    ──verify──▶ machinst::lower (per-ISA rules) ──▶ VCode<I> (virtual regs)
//!    ──regalloc2──▶ allocations + edits ──▶ VCode::emit ──▶ MachBuffer<I>
//!    ──finalize──▶ code bytes + relocations + trap sites ──▶ CompiledModule
//! ```
//!
//! The entry point is [`compile_module`]; [`runtime`] documents the contract
//! between generated code and the executors that run it.

pub mod compile;
pub mod error;
pub mod ir;
pub mod isa;
pub mod machinst;
pub mod module;
pub mod object;
pub mod runtime;
pub mod wasm;

pub use compile::{CompileOptions, Fault, compile_module};
pub use error::{CompileError, ErrorKind};
pub use module::{CompiledModule, Target};
