//! A scripted fake backend for testing the `.wast` runner's bookkeeping
//! without the real compiler or executors.
//!
//! The fake "compiler" validates with wasmparser (so invalid modules are
//! rejected) and records imports and exports. The fake executor does not
//! run code: what a call does is spelled in the export's name:
//!
//! - `const:N`: returns `i32.const N`;
//! - `echo`: returns its arguments;
//! - `trap:NAME`: traps with the `TrapCode` whose IR name is `NAME`;
//! - `unsupported-fn`: traps with `TrapCode::Unsupported` inside function 0,
//!   which the module lists as unsupported ("fake: uses an unsupported operator");
//! - `crash`: reports `EmuError::Crashed`;
//! - `panic`: panics inside the executor;
//! - anything else: traps with `TrapCode::Unsupported` (skipped).
//!
//! A module exporting `unsupported-module` does not compile (unsupported);
//! one exporting `start-traps` traps during instantiation; an import from a
//! module name that is neither `spectest` nor registered is a link error.
//! Globals named `g:N` read as `i32.const N`.

#![allow(dead_code, reason = "each test file uses a different part of the fake")]

use compiler::module::{
    CompiledModule, Export, ExportKind, FunctionKind, FunctionLayout, Import, ImportKind, ModuleInfo, Target,
};
use compiler::runtime::TrapCode;
use emu::{CallOutcome, EmuError, Executor, InstanceId, Trap, Value};
use parity::wast::{Backend, CompileFailure};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The reason the fake gives for `unsupported-fn`.
pub const UNSUPPORTED_FN_REASON: &str = "fake: uses an unsupported operator";
/// The reason the fake gives for `unsupported-module`.
pub const UNSUPPORTED_MODULE_REASON: &str = "fake: module uses an unsupported feature";

/// The fake backend. `executor_missing` makes `new_executor` fail.
#[derive(Default)]
pub struct FakeBackend {
    /// When set, there is no executor, with this reason.
    pub executor_missing: Option<String>,
    /// How many executors were created.
    pub executors_created: AtomicUsize,
}

impl Backend for FakeBackend {
    fn compile(&self, wasm: &[u8], target: Target) -> Result<CompiledModule, CompileFailure> {
        wasmparser::validate(wasm).map_err(|error| CompileFailure::Rejected(error.to_string()))?;
        let mut info = ModuleInfo::default();
        for payload in wasmparser::Parser::new(0).parse_all(wasm) {
            match payload.map_err(|error| CompileFailure::Rejected(error.to_string()))? {
                wasmparser::Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(|error| CompileFailure::Rejected(error.to_string()))?;
                        info.imports.push(Import {
                            module: import.module.to_string(),
                            field: import.name.to_string(),
                            kind: ImportKind::Func(0),
                        });
                    }
                }
                wasmparser::Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(|error| CompileFailure::Rejected(error.to_string()))?;
                        let kind = match export.kind {
                            wasmparser::ExternalKind::Global => ExportKind::Global(export.index),
                            _ => ExportKind::Func(export.index),
                        };
                        info.exports.push(Export { name: export.name.to_string(), kind });
                    }
                }
                _ => {}
            }
        }
        if info.export("unsupported-module").is_some() {
            return Err(CompileFailure::Unsupported(format!("{UNSUPPORTED_MODULE_REASON} (at offset 0x10)")));
        }
        let mut module = CompiledModule {
            target,
            code: vec![0; 16],
            functions: Vec::new(),
            trap_table: Vec::new(),
            info,
            unsupported: Vec::new(),
            ignored: Vec::new(),
        };
        if module.info.export("unsupported-fn").is_some() {
            module.functions.push(FunctionLayout {
                name: "func0".to_string(),
                kind: FunctionKind::Wasm(0),
                offset: 0,
                len: 8,
            });
            module.unsupported.push((0, UNSUPPORTED_FN_REASON.to_string()));
        }
        Ok(module)
    }

    fn new_executor(&self, _target: Target) -> Result<Box<dyn Executor>, String> {
        if let Some(reason) = &self.executor_missing {
            return Err(reason.clone());
        }
        self.executors_created.fetch_add(1, Ordering::Relaxed);
        Ok(Box::new(FakeExecutor::default()))
    }
}

#[derive(Default)]
struct FakeExecutor {
    instances: Vec<Arc<CompiledModule>>,
    registered: HashSet<String>,
    crashed: bool,
}

impl FakeExecutor {
    fn instance(&self, id: InstanceId) -> Result<&Arc<CompiledModule>, EmuError> {
        if self.crashed {
            return Err(EmuError::Crashed("used after a crash".to_string()));
        }
        self.instances.get(id.0 as usize).ok_or_else(|| EmuError::BadArguments(format!("no instance {}", id.0)))
    }
}

fn trap(code: TrapCode) -> Trap {
    Trap { code, offset: 0, function: Some("func0".to_string()) }
}

impl Executor for FakeExecutor {
    fn instantiate(&mut self, module: Arc<CompiledModule>) -> Result<InstanceId, EmuError> {
        for import in &module.info.imports {
            if import.module != "spectest" && !self.registered.contains(&import.module) {
                return Err(EmuError::Link(format!("unknown import {}::{}", import.module, import.field)));
            }
        }
        if module.info.export("start-traps").is_some() {
            return Err(EmuError::InstantiationTrap(trap(TrapCode::MemoryOutOfBounds)));
        }
        self.instances.push(module);
        Ok(InstanceId(self.instances.len() as u32 - 1))
    }

    fn register(&mut self, name: &str, instance: InstanceId) -> Result<(), EmuError> {
        self.instance(instance)?;
        self.registered.insert(name.to_string());
        Ok(())
    }

    fn call(&mut self, instance: InstanceId, export: &str, args: &[Value]) -> Result<CallOutcome, EmuError> {
        let module = self.instance(instance)?;
        if module.info.export(export).is_none() {
            return Err(EmuError::NoSuchExport { kind: "function", name: export.to_string() });
        }
        if let Some(number) = export.strip_prefix("const:") {
            let value = number.parse().map_err(|_| EmuError::BadArguments(export.to_string()))?;
            return Ok(CallOutcome::Returned(vec![Value::I32(value)]));
        }
        if let Some(name) = export.strip_prefix("trap:") {
            let code = TrapCode::from_name(name).ok_or_else(|| EmuError::BadArguments(export.to_string()))?;
            return Ok(CallOutcome::Trapped(trap(code)));
        }
        match export {
            "echo" => Ok(CallOutcome::Returned(args.to_vec())),
            "unsupported-fn" => Ok(CallOutcome::Trapped(trap(TrapCode::Unsupported))),
            "crash" => {
                self.crashed = true;
                Err(EmuError::Crashed("SIGSEGV at 0xdead".to_string()))
            }
            "panic" => panic!("the fake executor panicked on purpose"),
            // Anything else is "not compiled": skipped by the runner.
            _ => Ok(CallOutcome::Trapped(Trap { code: TrapCode::Unsupported, offset: 0, function: None })),
        }
    }

    fn global(&mut self, instance: InstanceId, export: &str) -> Result<Value, EmuError> {
        self.instance(instance)?;
        let number = export.strip_prefix("g:").and_then(|n| n.parse().ok());
        number.map(Value::I32).ok_or_else(|| EmuError::NoSuchExport { kind: "global", name: export.to_string() })
    }

    fn memory(&mut self, _instance: InstanceId, _export: &str) -> Result<Vec<u8>, EmuError> {
        Err(EmuError::Unsupported("memory reads".to_string()))
    }

    fn configure_wasi(&mut self, _config: emu::wasi::WasiConfig) -> Result<(), EmuError> {
        Err(EmuError::Unsupported("WASI".to_string()))
    }

    fn take_wasi_output(&mut self) -> Result<emu::wasi::WasiOutput, EmuError> {
        Err(EmuError::Unsupported("WASI".to_string()))
    }
}
