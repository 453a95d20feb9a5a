//! Where the `.wast` runner gets compiled modules and executors from.
//!
//! ```text
//! script ─▶ run ─▶ **Backend** ─┬─ compile: wasm bytes ─▶ CompiledModule
//!                              └─ new_executor: Target ─▶ Box<dyn Executor>
//! ```
//!
//! The runner only talks to a [`Backend`]. [`CompilerBackend`] is the real
//! one: our compiler (through [`super::compile`]) and our executors. Tests
//! substitute fakes to check the runner's own bookkeeping without the
//! compiler.

use super::compile::compile_for_harness;
use compiler::module::{CompiledModule, Target};
use emu::Executor;
use emu::native::NativeExecutor;
use emu::unicorn::UnicornExecutor;
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

/// Why a module did not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileFailure {
    /// The module uses a feature the compiler does not support yet: the
    /// runner skips whatever depends on it, with this message as the reason.
    Unsupported(String),
    /// The compiler rejected the module as invalid or malformed.
    Rejected(String),
    /// The compiler panicked: always a failure.
    Panicked(String),
}

/// A compiler plus executors, as the runner needs them. `Sync`: several
/// files run at once, each creating its own executors.
pub trait Backend: Sync {
    /// Compiles `wasm` for `target`.
    fn compile(&self, wasm: &[u8], target: Target) -> Result<CompiledModule, CompileFailure>;

    /// A fresh, empty executor store for `target`, or the reason there is
    /// none (every assertion that needs to run code is then skipped with it).
    fn new_executor(&self, target: Target) -> Result<Box<dyn Executor>, String>;
}

/// The real thing: the wasm2native compiler and the `emu` executors.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompilerBackend;

/// How long one call (or instantiation) may run on the native executor
/// before it calls it a hang; the executor then reports a crash and is
/// re-created.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(20);

impl CompilerBackend {
    /// `Ok(())` when both the compiler and an executor for `target` are
    /// available, otherwise the reason. Tests that need real execution use
    /// this to say plainly that they are skipped.
    pub fn availability(&self, target: Target) -> Result<(), String> {
        executor_availability(target)
    }
}

fn executor_availability(target: Target) -> Result<(), String> {
    match target {
        Target::X86_64 if !cfg!(target_arch = "x86_64") => {
            Err("the native x86_64 executor needs an x86_64 host".to_string())
        }
        Target::X86_64 => Ok(()),
        // Emulated: available on every host.
        Target::Aarch64 => Ok(()),
    }
}

impl Backend for CompilerBackend {
    fn compile(&self, wasm: &[u8], target: Target) -> Result<CompiledModule, CompileFailure> {
        match panic::catch_unwind(AssertUnwindSafe(|| compile_for_harness(wasm, target))) {
            Ok(Ok(module)) => Ok(module),
            Ok(Err(error)) if error.is_unsupported() => Err(CompileFailure::Unsupported(error.to_string())),
            // A compiler bug is never a correct rejection of invalid input.
            Ok(Err(error)) if error.kind == compiler::ErrorKind::Internal => {
                Err(CompileFailure::Panicked(error.to_string()))
            }
            Ok(Err(error)) => Err(CompileFailure::Rejected(error.to_string())),
            Err(payload) => Err(CompileFailure::Panicked(panic_message(payload.as_ref()))),
        }
    }

    fn new_executor(&self, target: Target) -> Result<Box<dyn Executor>, String> {
        executor_availability(target)?;
        match target {
            Target::X86_64 => {
                let mut executor =
                    NativeExecutor::new().map_err(|error| format!("the x86_64 executor could not start: {error}"))?;
                executor.set_timeout(Some(CALL_TIMEOUT));
                Ok(Box::new(executor))
            }
            // Bounded by the emulator's instruction budget: a wall-clock
            // timeout would start a timer thread for every call.
            Target::Aarch64 => {
                let executor =
                    UnicornExecutor::new().map_err(|error| format!("the aarch64 executor could not start: {error}"))?;
                Ok(Box::new(executor))
            }
        }
    }
}

/// The message of a caught panic.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aarch64_runs_under_unicorn() {
        assert_eq!(executor_availability(Target::Aarch64), Ok(()));
        assert!(CompilerBackend.new_executor(Target::Aarch64).is_ok());
    }

    #[test]
    fn panic_messages_are_recovered() {
        let payload = panic::catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
        assert_eq!(panic_message(payload.as_ref()), "boom 1");
        let payload = panic::catch_unwind(|| panic!("static")).unwrap_err();
        assert_eq!(panic_message(payload.as_ref()), "static");
    }
}
