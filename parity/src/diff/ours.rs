//! Our side of the comparison: the wasm2native compiler plus an executor
//! for one ISA, as an [`Engine`].
//!
//! ```text
//!  wasm ─▶ compile_module (lenient, verify: IR verifier + regalloc2 checker) ×2
//!       ─▶ identical? ─▶ CompiledModule ─▶ Executor (x86_64: NativeExecutor,
//!                                                    aarch64: UnicornExecutor)
//! ```
//!
//! [`availability`] probes an ISA once per sweep (compile and run a
//! one-function module), so a back end or executor that is not ready yet is
//! reported as "not run" with its reason instead of failing every case.
//!
//! Every load compiles the module twice with `verify: true` and requires
//! the two [`CompiledModule`]s to be identical: a compiler that is not
//! deterministic fails the load ([`Load::Failed`]), as do internal compiler
//! errors and panics. Functions the compiler does not support become stubs
//! that trap with [`TrapCode::Unsupported`] (lenient mode); calling one is
//! [`Outcome::Unsupported`], not a divergence.
//!
//! An executor is a store that keeps every instance it ever made, so the
//! engine replaces it every [`INSTANCES_PER_EXECUTOR`] instantiations, and
//! after it crashed (a crash kills the native executor's child process).

use super::engine::Engine;
use super::outcome::{Load, Outcome, ResourceLimit};
use crate::wast::backend::{Backend, CompilerBackend, panic_message};
use compiler::module::{CompiledModule, Target};
use compiler::runtime::TrapCode;
use compiler::{CompileError, CompileOptions, ErrorKind, Fault};
use emu::native::NativeExecutor;
use emu::{CallOutcome, EmuError, Executor, InstanceId, Value};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

/// How long one instantiation or call may run before the executor counts
/// as hung. The reference finished the same work within its fuel budget,
/// so a call that runs this long is a divergence.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Instantiations before an executor (and everything it holds) is replaced.
pub const INSTANCES_PER_EXECUTOR: u32 = 64;

/// The smallest module that needs a working back end: availability probe.
const PROBE_WAT: &str = r#"(module (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add))"#;

/// An executor for `target`, or why there is none. x86-64 code runs
/// natively in a child process, with [`CALL_TIMEOUT`]; every other ISA gets
/// the `.wast` runner's executor (AArch64: unicorn, bounded by its
/// instruction budget), so both harnesses run code the same way.
pub fn new_executor(target: Target) -> Result<Box<dyn Executor>, String> {
    match target {
        Target::X86_64 if cfg!(target_arch = "x86_64") => {
            let mut executor =
                NativeExecutor::new().map_err(|error| format!("the x86_64 executor could not start: {error}"))?;
            executor.set_timeout(Some(CALL_TIMEOUT));
            Ok(Box::new(executor))
        }
        _ => CompilerBackend.new_executor(target),
    }
}

/// `Ok(())` when both the compiler's back end and an executor exist for
/// `target`; otherwise the reason (reported in the sweep summary).
pub fn availability(target: Target) -> Result<(), String> {
    let wasm = wat::parse_str(PROBE_WAT).map_err(|error| error.to_string())?;
    let options = CompileOptions { target, lenient: false, verify: true, fault: None };
    let module = match panic::catch_unwind(|| compiler::compile_module(&wasm, &options)) {
        Ok(Ok(module)) => module,
        Ok(Err(error)) => return Err(format!("the {target} back end cannot compile a one-function module: {error}")),
        Err(payload) => return Err(format!("the {target} back end panicked: {}", panic_message(payload.as_ref()))),
    };
    let mut executor = new_executor(target)?;
    let instance = executor.instantiate(Arc::new(module)).map_err(|error| format!("{target} executor: {error}"))?;
    match executor.call(instance, "f", &[Value::I32(41)]) {
        Ok(CallOutcome::Returned(values)) if values == [Value::I32(42)] => Ok(()),
        other => Err(format!("{target}: the availability probe computed {other:?} instead of 42")),
    }
}

/// Our compiler and executor for one ISA.
pub struct CompiledEngine {
    target: Target,
    name: String,
    executor: Option<Box<dyn Executor>>,
    instances_made: u32,
    module: Option<Arc<CompiledModule>>,
    instance: Option<InstanceId>,
    fault: Option<Fault>,
}

impl CompiledEngine {
    /// An engine for `target`. The executor starts on first use.
    pub fn new(target: Target) -> CompiledEngine {
        CompiledEngine {
            target,
            name: target.name().to_string(),
            executor: None,
            instances_made: 0,
            module: None,
            instance: None,
            fault: None,
        }
    }

    /// The same engine, compiling with `fault` committed on purpose: the
    /// harness's self-test (`parity sweep --inject-fault`).
    pub fn with_fault(mut self, fault: Option<Fault>) -> CompiledEngine {
        self.fault = fault;
        self
    }

    /// The module compiled by the last successful load.
    pub fn module(&self) -> Option<&CompiledModule> {
        self.module.as_deref()
    }

    /// The live executor, replaced when it has made enough instances.
    fn executor(&mut self) -> Result<&mut Box<dyn Executor>, String> {
        if self.instances_made >= INSTANCES_PER_EXECUTOR {
            self.executor = None;
        }
        if self.executor.is_none() {
            self.executor = Some(new_executor(self.target)?);
            self.instances_made = 0;
        }
        Ok(self.executor.as_mut().expect("just created"))
    }

    /// Turns an executor error into an outcome; a crash retires the executor.
    fn executor_error(&mut self, error: EmuError) -> Outcome {
        match error {
            EmuError::InstantiationTrap(trap) => trap_outcome(trap.code),
            EmuError::Unsupported(reason) => Outcome::Unsupported(format!("executor: {reason}")),
            EmuError::Crashed(report) => {
                self.executor = None;
                self.instance = None;
                // Executors report a hang as a crash: "timeout: ..." (native,
                // unicorn) or "instruction budget exhausted: ..." (unicorn).
                if report.starts_with("timeout") || report.starts_with("instruction budget exhausted") {
                    Outcome::ResourceLimit(ResourceLimit::Timeout)
                } else {
                    Outcome::Failed(format!("crashed: {report}"))
                }
            }
            other => Outcome::Failed(other.to_string()),
        }
    }
}

/// A trap of generated code in our vocabulary.
fn trap_outcome(code: TrapCode) -> Outcome {
    match code {
        TrapCode::Unsupported => Outcome::Unsupported("reached a function the compiler does not support".to_string()),
        TrapCode::StackOverflow => Outcome::ResourceLimit(ResourceLimit::Stack),
        code => Outcome::Trapped(code),
    }
}

/// Compiles `wasm` the way the harness does: lenient, verified.
fn compile(wasm: &[u8], target: Target, fault: Option<Fault>) -> Result<CompiledModule, Load> {
    let options = CompileOptions { target, lenient: true, verify: true, fault };
    match panic::catch_unwind(AssertUnwindSafe(|| compiler::compile_module(wasm, &options))) {
        Ok(Ok(module)) => Ok(module),
        Ok(Err(error)) => Err(classify(&error)),
        Err(payload) => Err(Load::Failed(format!("the compiler panicked: {}", panic_message(payload.as_ref())))),
    }
}

fn classify(error: &CompileError) -> Load {
    match error.kind {
        ErrorKind::Unsupported => Load::Unsupported(error.to_string()),
        ErrorKind::Invalid => Load::Invalid(error.to_string()),
        ErrorKind::Internal => Load::Failed(error.to_string()),
    }
}

/// Where two compilations of the same module differ, if they do.
pub fn first_difference(first: &CompiledModule, second: &CompiledModule) -> Option<String> {
    if first == second {
        return None;
    }
    if first.code != second.code {
        let at = first.code.iter().zip(&second.code).position(|(a, b)| a != b).unwrap_or(first.code.len());
        let function = first.function_containing(at as u32).map_or("?", |f| f.name.as_str());
        return Some(format!(
            "code differs at offset {at:#x} (in {function}; lengths {} and {})",
            first.code.len(),
            second.code.len()
        ));
    }
    let part = if first.functions != second.functions {
        "the function layout"
    } else if first.trap_table != second.trap_table {
        "the trap table"
    } else if first.info != second.info {
        "the module description"
    } else {
        "the unsupported-function list"
    };
    Some(format!("{part} differs"))
}

impl Engine for CompiledEngine {
    fn name(&self) -> &str {
        &self.name
    }

    fn load(&mut self, wasm: &[u8]) -> Load {
        self.module = None;
        self.instance = None;
        let first = match compile(wasm, self.target, self.fault) {
            Ok(module) => module,
            Err(load) => return load,
        };
        match compile(wasm, self.target, self.fault) {
            Ok(second) => {
                if let Some(difference) = first_difference(&first, &second) {
                    return Load::Failed(format!("nondeterministic compilation: {difference}"));
                }
            }
            Err(load) => return Load::Failed(format!("nondeterministic compilation: first succeeded, then {load:?}")),
        }
        self.module = Some(Arc::new(first));
        Load::Loaded
    }

    fn instantiate(&mut self) -> Outcome {
        self.instance = None;
        let Some(module) = self.module.clone() else {
            return Outcome::Failed("instantiate without a loaded module".to_string());
        };
        let executor = match self.executor() {
            Ok(executor) => executor,
            Err(reason) => return Outcome::Failed(reason),
        };
        let result = executor.instantiate(module);
        self.instances_made += 1;
        match result {
            Ok(instance) => {
                self.instance = Some(instance);
                Outcome::Returned(Vec::new())
            }
            Err(error) => self.executor_error(error),
        }
    }

    fn call(&mut self, export: &str, args: &[Value]) -> Outcome {
        let (Some(executor), Some(instance)) = (self.executor.as_mut(), self.instance) else {
            return Outcome::Failed("no live instance".to_string());
        };
        match executor.call(instance, export, args) {
            Ok(CallOutcome::Returned(values)) => Outcome::Returned(values),
            Ok(CallOutcome::Trapped(trap)) => trap_outcome(trap.code),
            Ok(CallOutcome::Exited(status)) => Outcome::Failed(format!("exited through WASI proc_exit({status})")),
            Err(error) => self.executor_error(error),
        }
    }

    fn global(&mut self, export: &str) -> Result<Value, String> {
        let (Some(executor), Some(instance)) = (self.executor.as_mut(), self.instance) else {
            return Err("no live instance".to_string());
        };
        executor.global(instance, export).map_err(|error| error.to_string())
    }

    fn memory(&mut self, export: &str) -> Result<Vec<u8>, String> {
        let (Some(executor), Some(instance)) = (self.executor.as_mut(), self.instance) else {
            return Err("no live instance".to_string());
        };
        executor.memory(instance, export).map_err(|error| error.to_string())
    }

    fn unsupported_functions(&self) -> usize {
        self.module.as_ref().map_or(0, |module| module.unsupported.len())
    }
}
