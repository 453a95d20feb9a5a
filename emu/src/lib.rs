//! Executors: where compiled modules run.
//!
//! This crate sits after the compiler: it takes a
//! [`compiler::module::CompiledModule`] (code + trap table + static
//! description), builds the VM context described in [`compiler::runtime`],
//! and calls exports through their array entry trampolines.
//!
//! Every executor implements [`Executor`], so the harness (the `.wast`
//! runner, differential execution) drives them all the same way:
//!
//! - [`native::NativeExecutor`] runs x86-64 code on the host, inside a
//!   forked child process, so a wild miscompile can crash only the child;
//!   the parent reports the crash.
//! - [`unicorn::UnicornExecutor`] runs AArch64 code under the unicorn
//!   emulator, in-process; an access outside the emulator's mapped regions
//!   is reported as a sandbox escape.
//!
//! Both fill the top of the Wasm stack with [`STACK_POISON`] before every
//! call.
//!
//! [`spectest`] describes the `spectest` host module as data, so that every
//! executor links against the same items. [`wasi`] is the WASI preview1
//! subset every executor offers to command programs, with captured output
//! ([`wasi::run_command`] runs one).
//!
//! An executor is a *store*: it holds any number of instances, which can be
//! registered under a name and imported from by later instances (the spec
//! testsuite's `register`). The `spectest` host module is always available.

mod builtins;
mod link;
pub mod native;

/// The byte every executor fills the top [`STACK_POISON_BYTES`] of the Wasm
/// stack with before each call. Code that reads stack memory it never wrote
/// (a spill stored narrower than it is reloaded, a wrong frame offset) then
/// sees this pattern deterministically instead of whatever an earlier call
/// left there, so a differential run catches it every time.
pub const STACK_POISON: u8 = 0xa5;

/// How much of the stack (from its top) is poisoned before each call.
pub const STACK_POISON_BYTES: usize = 16 << 10;

pub mod spectest;
pub mod unicorn;
mod values;
pub mod wasi;

use compiler::module::CompiledModule;
use compiler::runtime::TrapCode;
use std::sync::Arc;

/// A Wasm value crossing the executor boundary. Floats are carried as bits so
/// that NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Value {
    /// `i32`.
    I32(i32),
    /// `i64`.
    I64(i64),
    /// `f32` bits.
    F32(u32),
    /// `f64` bits.
    F64(u64),
    /// A function reference: `None` is null; `Some` is an opaque identity.
    FuncRef(Option<u64>),
    /// An external reference: `None` is null.
    ExternRef(Option<u64>),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::I32(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::F32(bits) => write!(f, "{}", f32::from_bits(*bits)),
            Value::F64(bits) => write!(f, "{}", f64::from_bits(*bits)),
            Value::FuncRef(None) | Value::ExternRef(None) => write!(f, "null"),
            Value::FuncRef(Some(v)) => write!(f, "funcref:{v}"),
            Value::ExternRef(Some(v)) => write!(f, "externref:{v}"),
        }
    }
}

/// A trap raised by generated code.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Trap {
    /// The kind, from the trap table.
    pub code: TrapCode,
    /// Offset of the trap instruction in the module's code.
    pub offset: u32,
    /// Name of the function containing the trap, when known.
    pub function: Option<String>,
}

impl std::fmt::Display for Trap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "wasm trap: {}", self.code)?;
        if let Some(function) = &self.function {
            write!(f, " in {function}")?;
        }
        write!(f, " (code offset {:#x})", self.offset)
    }
}

/// How a call ended, when the executor itself is still healthy.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CallOutcome {
    /// The export returned these values.
    Returned(Vec<Value>),
    /// The export trapped.
    Trapped(Trap),
    /// A WASI program called `proc_exit` with this status: the call
    /// unwound, like a trap, but on purpose.
    Exited(i32),
}

/// Identifies an instance inside one executor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct InstanceId(pub u32);

/// Errors from an executor. A [`EmuError::Crashed`] means generated code did
/// something no correct code does (a fault outside the trap table, a wild
/// jump, a sandbox escape, a call that never returns): the native executor
/// is dead afterwards; the unicorn executor stays usable.
#[derive(Debug, thiserror::Error)]
pub enum EmuError {
    /// The child process or emulator died or faulted outside a trap site.
    #[error("generated code crashed: {0}")]
    Crashed(String),
    /// Imports could not be resolved or do not match.
    #[error("link error: {0}")]
    Link(String),
    /// Instantiation trapped (start function, or an out-of-bounds segment).
    #[error("instantiation trapped: {0}")]
    InstantiationTrap(Trap),
    /// No export of that name or kind.
    #[error("no exported {kind} named {name:?}")]
    NoSuchExport {
        /// What was looked for (`function`, `global`, `memory`).
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// Wrong number or types of arguments.
    #[error("bad arguments: {0}")]
    BadArguments(String),
    /// The module targets another ISA than this executor runs.
    #[error("module is compiled for {module}, executor runs {executor}")]
    WrongTarget {
        /// The module's target.
        module: compiler::module::Target,
        /// The executor's target.
        executor: compiler::module::Target,
    },
    /// Something this executor does not support yet.
    #[error("unsupported by the executor: {0}")]
    Unsupported(String),
    /// Operating-system level failure (fork, mmap, pipes).
    #[error("executor system error: {0}")]
    System(String),
}

/// A store of instances that can run compiled code.
pub trait Executor {
    /// Instantiates `module`, resolving its imports against registered
    /// instances and the `spectest` host module, initializing memory, globals
    /// and data segments, and running the start function.
    fn instantiate(&mut self, module: Arc<CompiledModule>) -> Result<InstanceId, EmuError>;

    /// Makes `instance`'s exports importable under module name `name`.
    fn register(&mut self, name: &str, instance: InstanceId) -> Result<(), EmuError>;

    /// Calls the exported function `export` of `instance` with `args`.
    fn call(&mut self, instance: InstanceId, export: &str, args: &[Value]) -> Result<CallOutcome, EmuError>;

    /// Reads the exported global `export` of `instance`.
    fn global(&mut self, instance: InstanceId, export: &str) -> Result<Value, EmuError>;

    /// Reads the bytes of the exported memory `export` of `instance`.
    fn memory(&mut self, instance: InstanceId, export: &str) -> Result<Vec<u8>, EmuError>;

    /// Sets what WASI programs of this store see from now on (arguments,
    /// environment, standard input, preopened directory), closing every
    /// descriptor they had opened and dropping captured output.
    fn configure_wasi(&mut self, config: wasi::WasiConfig) -> Result<(), EmuError>;

    /// Takes what WASI programs of this store wrote to standard output and
    /// error since the last time this was asked.
    fn take_wasi_output(&mut self) -> Result<wasi::WasiOutput, EmuError>;
}
