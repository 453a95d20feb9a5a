//! wasm2native: a WebAssembly-to-native ahead-of-time compiler.
pub mod error;
pub mod ir;
pub mod module;
pub mod runtime;
pub mod wasm;
