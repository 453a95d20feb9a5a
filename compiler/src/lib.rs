//! wasm2native: a WebAssembly-to-native ahead-of-time compiler.
pub mod module;
pub mod runtime;
