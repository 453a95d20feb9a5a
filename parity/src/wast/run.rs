//! Runs a lowered `.wast` script against one ISA: the runner's state machine.
//!
//! ```text
//! script::Script ─▶ **run::Session** (one per file and ISA) ─▶ report::FileReport
//!                        │  compile ─▶ Backend ─▶ Executor (one store)
//!                        └─ judge results with expected::*
//! ```
//!
//! A session owns one executor store and the script's bindings: the current
//! module, named instances, module definitions and registered import names.
//! A binding is either a live instance or the reason it is not one (the
//! module was unsupported, failed, or the executor is missing), so every
//! later directive that uses it is skipped with that reason.
//!
//! When generated code crashes the executor (`EmuError::Crashed`), the
//! session re-creates it and bumps its *generation*: instances and
//! registrations of older generations are gone, and directives that use
//! them are skipped with "executor crashed earlier".

use super::backend::{Backend, CompileFailure, panic_message};
use super::expected::{check_results, describe_expected, describe_values, trap_code_for_message};
use super::report::{FileReport, Outcome};
use super::script::{Action, Command, CommandKind, ModuleSource, Rejection, Script};
use compiler::module::{CompiledModule, FunctionKind, Target};
use compiler::runtime::TrapCode;
use emu::{CallOutcome, EmuError, Executor, InstanceId, Trap, Value};
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

/// Skip reason for bindings lost when the executor was re-created.
pub const CRASHED_EARLIER: &str = "executor crashed earlier";

/// Skip reason for directives that use a module whose compilation or
/// instantiation failed (the failure itself is reported once).
pub const DEPENDS_ON_FAILED_MODULE: &str = "depends on a module that failed to compile or instantiate";

/// Why a directive on an instance whose shared state a skipped module
/// imported is skipped.
pub const TAINTED: &str = "this instance's state depends on an action that was skipped";

/// Runs `script` (the lowered text of the file `file`) on `target` with a
/// fresh executor store, and reports one outcome per directive.
pub fn run_script(backend: &dyn Backend, file: &str, script: &Script, target: Target) -> FileReport {
    let mut report = FileReport::new(file, target.name());
    let mut session = Session::new(backend, target);
    for command in &script.commands {
        let outcome = match panic::catch_unwind(AssertUnwindSafe(|| session.run(command))) {
            Ok(outcome) => outcome,
            Err(payload) => {
                // The executor may be in any state after a panic: start over.
                session.recreate_executor();
                Outcome::Failed(format!("the harness panicked: {}", panic_message(payload.as_ref())))
            }
        };
        report.record(command.line, command.column, command.directive, outcome);
    }
    report.trap_kinds = std::mem::take(&mut session.trap_kinds);
    report
}

/// What a name (or the current module) is bound to.
#[derive(Clone)]
enum Binding {
    /// A live instance in the executor of generation `generation`.
    Instance { id: InstanceId, module: Arc<CompiledModule>, generation: u32 },
    /// No instance, for this reason.
    Unavailable(String),
}

/// A compiled (or not) module definition.
#[derive(Clone)]
enum Definition {
    Compiled(Arc<CompiledModule>),
    Unavailable(String),
}

/// The state of a registered import module name.
#[derive(Clone)]
enum Registration {
    Live { generation: u32 },
    Unavailable(String),
}

/// Why an instantiation did not produce an instance.
enum InstantiateError {
    /// It could not be attempted (missing executor, import from a skipped
    /// module): skip with this reason.
    Skip(String),
    /// The executor refused.
    Emu(EmuError),
}

/// What an action produced.
enum ActionResult {
    Returned(Vec<Value>),
    Trapped(Trap),
}

struct Session<'b> {
    backend: &'b dyn Backend,
    target: Target,
    /// The store, or why there is none.
    executor: Result<Box<dyn Executor>, String>,
    /// Incremented each time the executor is re-created.
    generation: u32,
    /// The most recent module (`None` before the first one).
    current: Option<Binding>,
    instances: HashMap<String, Binding>,
    definitions: HashMap<String, Definition>,
    last_definition: Option<Definition>,
    registered: HashMap<String, Registration>,
    /// Every module compiled so far, to find the reason behind an
    /// `Unsupported` trap raised in another module than the one called.
    modules: Vec<Arc<CompiledModule>>,
    /// The instance each registered name stands for.
    registered_ids: HashMap<String, InstanceId>,
    /// Instances whose state misses the effects of a skipped action: a
    /// skipped module that imports their memory, table or a mutable global
    /// (its segments and start function never ran), or a skipped bare
    /// `invoke` on them. Their later results cannot be judged, so they are
    /// skipped. Maps to the reason.
    tainted: HashMap<InstanceId, String>,
    /// Trap kind name → passing assertions that expected (and got) it.
    trap_kinds: std::collections::BTreeMap<String, usize>,
}

impl<'b> Session<'b> {
    fn new(backend: &'b dyn Backend, target: Target) -> Session<'b> {
        Session {
            backend,
            target,
            executor: backend.new_executor(target),
            generation: 0,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            registered: HashMap::new(),
            modules: Vec::new(),
            registered_ids: HashMap::new(),
            tainted: HashMap::new(),
            trap_kinds: std::collections::BTreeMap::new(),
        }
    }

    /// Records that a skipped module may have changed the state of the
    /// registered instances it imports shared state from.
    fn taint_from_skipped(&mut self, bytes: &[u8], reason: &str) {
        use wasmparser::{Parser, Payload, TypeRef};
        for payload in Parser::new(0).parse_all(bytes) {
            let Ok(Payload::ImportSection(reader)) = payload else { continue };
            for import in reader.into_imports().flatten() {
                let shared = match import.ty {
                    TypeRef::Memory(_) | TypeRef::Table(_) => true,
                    TypeRef::Global(global) => global.mutable,
                    _ => false,
                };
                if shared && let Some(&id) = self.registered_ids.get(import.module) {
                    self.tainted.entry(id).or_insert_with(|| reason.to_string());
                }
            }
        }
    }

    fn recreate_executor(&mut self) {
        self.generation += 1;
        // Instance ids belong to the old executor.
        self.registered_ids.clear();
        self.tainted.clear();
        self.executor = self
            .backend
            .new_executor(self.target)
            .map_err(|reason| format!("the executor could not be re-created after a crash: {reason}"));
    }

    fn run(&mut self, command: &Command) -> Outcome {
        match &command.kind {
            CommandKind::Module { name, module, instantiate } => self.module(name.as_deref(), module, *instantiate),
            CommandKind::Instance { instance, module } => self.instance(instance.as_deref(), module.as_deref()),
            CommandKind::Register { as_name, instance } => self.register(as_name, instance.as_deref()),
            CommandKind::Invoke(action) => match self.perform(action) {
                Ok(ActionResult::Returned(_)) => Outcome::Passed,
                Ok(ActionResult::Trapped(trap)) => Outcome::Failed(format!("unexpected trap: {trap}")),
                Err(Outcome::Skipped(reason)) => {
                    // A bare invoke is there for its effects: they did not
                    // happen, so later results of this instance cannot be judged.
                    if let Action::Invoke { instance, .. } = action
                        && let Ok((id, _)) = self.resolve(instance.as_deref())
                    {
                        self.tainted.entry(id).or_insert_with(|| format!("an earlier invoke was skipped: {reason}"));
                    }
                    Outcome::Skipped(reason)
                }
                Err(outcome) => outcome,
            },
            CommandKind::AssertReturn { action, expected } => match self.perform(action) {
                Ok(ActionResult::Returned(values)) => match check_results(expected, &values) {
                    Ok(()) => Outcome::Passed,
                    Err(difference) => Outcome::Failed(difference),
                },
                Ok(ActionResult::Trapped(trap)) => {
                    Outcome::Failed(format!("expected {}, got {trap}", describe_expected(expected)))
                }
                Err(outcome) => outcome,
            },
            CommandKind::AssertTrap { action, message } => self.assert_trap(action, message),
            CommandKind::AssertExhaustion { action, message } => match self.perform(action) {
                Ok(ActionResult::Trapped(trap)) if trap.code == TrapCode::StackOverflow => {
                    *self.trap_kinds.entry(trap.code.name().to_string()).or_default() += 1;
                    Outcome::Passed
                }
                Ok(ActionResult::Trapped(trap)) => {
                    Outcome::Failed(format!("expected stack exhaustion ({message:?}), got {trap}"))
                }
                Ok(ActionResult::Returned(values)) => Outcome::Failed(format!(
                    "expected stack exhaustion ({message:?}), but it returned {}",
                    describe_values(&values)
                )),
                Err(outcome) => outcome,
            },
            CommandKind::AssertRejected { kind, module, message } => self.assert_rejected(*kind, module, message),
            CommandKind::AssertUnlinkable { module, message } => self.assert_unlinkable(module, message),
            CommandKind::Skip { reason } => Outcome::Skipped(reason.clone()),
        }
    }

    /// Compiles a module, turning every way it can go wrong into the
    /// outcome of the directive that needed it.
    fn compile(&mut self, source: &ModuleSource) -> Result<Arc<CompiledModule>, Outcome> {
        match source {
            ModuleSource::Binary(bytes) => match self.backend.compile(bytes, self.target) {
                Ok(module) => {
                    let module = Arc::new(module);
                    self.modules.push(Arc::clone(&module));
                    Ok(module)
                }
                Err(CompileFailure::Unsupported(reason)) => {
                    self.taint_from_skipped(bytes, &reason);
                    Err(Outcome::Skipped(reason))
                }
                Err(CompileFailure::Rejected(message)) => {
                    Err(Outcome::Failed(format!("expected the module to compile, the compiler rejected it: {message}")))
                }
                Err(CompileFailure::Panicked(message)) => {
                    Err(Outcome::Failed(format!("expected the module to compile, the compiler panicked: {message}")))
                }
            },
            ModuleSource::NotEncodable(message) => {
                Err(Outcome::Failed(format!("expected a valid module, wat could not encode it: {message}")))
            }
            ModuleSource::Component => {
                Err(Outcome::Skipped("the component model is not supported by the runner".to_string()))
            }
        }
    }

    /// Instantiates `module` in the executor, first checking that the
    /// instantiation can be attempted at all.
    fn instantiate(&mut self, module: &Arc<CompiledModule>) -> Result<InstanceId, InstantiateError> {
        let executor = match &mut self.executor {
            Ok(executor) => executor,
            Err(reason) => return Err(InstantiateError::Skip(reason.clone())),
        };
        for import in &module.info.imports {
            match self.registered.get(&import.module) {
                Some(Registration::Unavailable(reason)) => {
                    return Err(InstantiateError::Skip(reason.clone()));
                }
                Some(Registration::Live { generation }) if *generation != self.generation => {
                    return Err(InstantiateError::Skip(CRASHED_EARLIER.to_string()));
                }
                _ => {}
            }
        }
        executor.instantiate(Arc::clone(module)).map_err(InstantiateError::Emu)
    }

    /// The outcome for an executor error that is not the point of the
    /// directive. A crash re-creates the executor.
    fn executor_error(&mut self, error: EmuError) -> Outcome {
        match error {
            EmuError::Crashed(message) => {
                self.recreate_executor();
                Outcome::Failed(format!("generated code crashed: {message}"))
            }
            EmuError::Unsupported(message) => Outcome::Skipped(format!("unsupported by the executor: {message}")),
            other => Outcome::Failed(other.to_string()),
        }
    }

    /// The outcome of an instantiation that should have succeeded.
    fn instantiate_error(&mut self, module: &CompiledModule, error: InstantiateError) -> Outcome {
        match error {
            InstantiateError::Skip(reason) => Outcome::Skipped(reason),
            InstantiateError::Emu(EmuError::InstantiationTrap(trap)) if trap.code == TrapCode::Unsupported => {
                Outcome::Skipped(self.unsupported_reason(module, &trap))
            }
            InstantiateError::Emu(EmuError::InstantiationTrap(trap)) => {
                Outcome::Failed(format!("expected the module to instantiate, it trapped: {trap}"))
            }
            InstantiateError::Emu(EmuError::Link(message)) => {
                Outcome::Failed(format!("expected the module to instantiate, linking failed: {message}"))
            }
            InstantiateError::Emu(error) => self.executor_error(error),
        }
    }

    /// `(module ...)` and `(module definition ...)`.
    fn module(&mut self, name: Option<&str>, source: &ModuleSource, instantiate: bool) -> Outcome {
        let module = match self.compile(source) {
            Ok(module) => module,
            Err(outcome) => {
                let reason = dependents_reason(&outcome);
                self.define(name, Definition::Unavailable(reason.clone()));
                if instantiate {
                    self.bind(name, Binding::Unavailable(reason));
                }
                return outcome;
            }
        };
        self.define(name, Definition::Compiled(Arc::clone(&module)));
        if !instantiate {
            return Outcome::Passed;
        }
        let (binding, outcome) = self.instantiate_binding(&module);
        self.bind(name, binding);
        outcome
    }

    /// `(module instance $instance $definition)`.
    fn instance(&mut self, instance: Option<&str>, definition: Option<&str>) -> Outcome {
        let definition = match definition {
            Some(name) => self.definitions.get(name).cloned(),
            None => self.last_definition.clone(),
        };
        let (binding, outcome) = match definition {
            None => {
                let reason = "no such module definition".to_string();
                (Binding::Unavailable(DEPENDS_ON_FAILED_MODULE.to_string()), Outcome::Failed(reason))
            }
            Some(Definition::Unavailable(reason)) => (Binding::Unavailable(reason.clone()), Outcome::Skipped(reason)),
            Some(Definition::Compiled(module)) => self.instantiate_binding(&module),
        };
        self.bind(instance, binding);
        outcome
    }

    /// Instantiates a module that should instantiate, returning the binding
    /// later directives see and the directive's own outcome.
    fn instantiate_binding(&mut self, module: &Arc<CompiledModule>) -> (Binding, Outcome) {
        match self.instantiate(module) {
            Ok(id) => {
                let binding = Binding::Instance { id, module: Arc::clone(module), generation: self.generation };
                (binding, Outcome::Passed)
            }
            Err(error) => {
                let outcome = self.instantiate_error(module, error);
                (Binding::Unavailable(dependents_reason(&outcome)), outcome)
            }
        }
    }

    fn define(&mut self, name: Option<&str>, definition: Definition) {
        if let Some(name) = name {
            self.definitions.insert(name.to_string(), definition.clone());
        }
        self.last_definition = Some(definition);
    }

    fn bind(&mut self, name: Option<&str>, binding: Binding) {
        if let Some(name) = name {
            self.instances.insert(name.to_string(), binding.clone());
        }
        self.current = Some(binding);
    }

    /// The live instance a directive refers to (`None`: the current module).
    fn resolve(&self, name: Option<&str>) -> Result<(InstanceId, Arc<CompiledModule>), Outcome> {
        let binding = match name {
            Some(name) => {
                self.instances.get(name).ok_or_else(|| Outcome::Failed(format!("no instance named ${name}")))?
            }
            None => self.current.as_ref().ok_or_else(|| Outcome::Failed("no module has been defined yet".into()))?,
        };
        match binding {
            Binding::Instance { generation, .. } if *generation != self.generation => {
                Err(Outcome::Skipped(CRASHED_EARLIER.to_string()))
            }
            Binding::Instance { id, .. } if self.tainted.contains_key(id) => {
                Err(Outcome::Skipped(format!("{TAINTED}: {}", self.tainted[id])))
            }
            Binding::Instance { id, module, .. } => Ok((*id, Arc::clone(module))),
            Binding::Unavailable(reason) => Err(Outcome::Skipped(reason.clone())),
        }
    }

    /// `(register "name" $instance)`.
    fn register(&mut self, as_name: &str, instance: Option<&str>) -> Outcome {
        let (id, _) = match self.resolve(instance) {
            Ok(found) => found,
            Err(outcome) => {
                let reason = dependents_reason(&outcome);
                self.registered.insert(as_name.to_string(), Registration::Unavailable(reason));
                return outcome;
            }
        };
        let result = match &mut self.executor {
            Ok(executor) => executor.register(as_name, id),
            Err(reason) => {
                let reason = reason.clone();
                self.registered.insert(as_name.to_string(), Registration::Unavailable(reason.clone()));
                return Outcome::Skipped(reason);
            }
        };
        match result {
            Ok(()) => {
                self.registered.insert(as_name.to_string(), Registration::Live { generation: self.generation });
                self.registered_ids.insert(as_name.to_string(), id);
                Outcome::Passed
            }
            Err(error) => {
                let outcome = self.executor_error(error);
                self.registered.insert(as_name.to_string(), Registration::Unavailable(dependents_reason(&outcome)));
                outcome
            }
        }
    }

    /// Runs an action. `Err` is the directive's outcome when the action
    /// could not produce a result to judge.
    fn perform(&mut self, action: &Action) -> Result<ActionResult, Outcome> {
        match action {
            Action::Invoke { instance, export, args } => {
                let (id, module) = self.resolve(instance.as_deref())?;
                let executor = self.executor.as_mut().map_err(|reason| Outcome::Skipped(reason.clone()))?;
                match executor.call(id, export, args) {
                    Ok(CallOutcome::Returned(values)) => Ok(ActionResult::Returned(values)),
                    Ok(CallOutcome::Trapped(trap)) if trap.code == TrapCode::Unsupported => {
                        Err(Outcome::Skipped(self.unsupported_reason(&module, &trap)))
                    }
                    Ok(CallOutcome::Trapped(trap)) => Ok(ActionResult::Trapped(trap)),
                    Ok(CallOutcome::Exited(status)) => {
                        Err(Outcome::Failed(format!("the call exited through WASI proc_exit({status})")))
                    }
                    Err(error) => Err(self.executor_error(error)),
                }
            }
            Action::Get { instance, global } => {
                let (id, _) = self.resolve(instance.as_deref())?;
                let executor = self.executor.as_mut().map_err(|reason| Outcome::Skipped(reason.clone()))?;
                match executor.global(id, global) {
                    Ok(value) => Ok(ActionResult::Returned(vec![value])),
                    Err(error) => Err(self.executor_error(error)),
                }
            }
            Action::Instantiate(source) => {
                let module = self.compile(source)?;
                match self.instantiate(&module) {
                    Ok(_) => Ok(ActionResult::Returned(Vec::new())),
                    Err(InstantiateError::Emu(EmuError::InstantiationTrap(trap)))
                        if trap.code != TrapCode::Unsupported =>
                    {
                        Ok(ActionResult::Trapped(trap))
                    }
                    Err(error) => Err(self.instantiate_error(&module, error)),
                }
            }
        }
    }

    /// `(assert_trap action "message")`.
    fn assert_trap(&mut self, action: &Action, message: &str) -> Outcome {
        let expected = trap_code_for_message(message);
        match self.perform(action) {
            Ok(ActionResult::Returned(values)) => {
                Outcome::Failed(format!("expected trap {message:?}, but it returned {}", describe_values(&values)))
            }
            Ok(ActionResult::Trapped(trap)) => match expected {
                Some(code) if code == trap.code => {
                    *self.trap_kinds.entry(code.name().to_string()).or_default() += 1;
                    Outcome::Passed
                }
                Some(code) => Outcome::Failed(format!("expected trap {message:?} ({}), got {trap}", code.name())),
                None => Outcome::Skipped(format!("no trap code models the spec trap message {message:?}")),
            },
            Err(outcome) => outcome,
        }
    }

    /// `(assert_invalid ...)` and `(assert_malformed ...)`.
    fn assert_rejected(&mut self, kind: Rejection, source: &ModuleSource, message: &str) -> Outcome {
        let bytes = match source {
            // wat already refused it: rejected before it reached us.
            ModuleSource::NotEncodable(_) => return Outcome::Passed,
            ModuleSource::Component => {
                return Outcome::Skipped("the component model is not supported by the runner".to_string());
            }
            ModuleSource::Binary(bytes) => bytes,
        };
        match self.backend.compile(bytes, self.target) {
            Err(CompileFailure::Rejected(_)) => Outcome::Passed,
            Err(CompileFailure::Unsupported(reason)) => Outcome::Skipped(reason),
            Err(CompileFailure::Panicked(panic)) => Outcome::Failed(format!(
                "expected the module to be rejected ({message:?}), the compiler panicked: {panic}"
            )),
            Ok(_) => {
                let kind = match kind {
                    Rejection::Invalid => "invalid",
                    Rejection::Malformed => "malformed",
                };
                Outcome::Failed(format!("expected the module to be rejected as {kind} ({message:?}), it compiled"))
            }
        }
    }

    /// `(assert_unlinkable ...)`.
    fn assert_unlinkable(&mut self, source: &ModuleSource, message: &str) -> Outcome {
        let module = match self.compile(source) {
            Ok(module) => module,
            Err(outcome) => return outcome,
        };
        match self.instantiate(&module) {
            Err(InstantiateError::Emu(EmuError::Link(_))) => Outcome::Passed,
            Ok(_) => Outcome::Failed(format!("expected a link error ({message:?}), the module instantiated")),
            Err(InstantiateError::Emu(EmuError::InstantiationTrap(trap))) if trap.code != TrapCode::Unsupported => {
                Outcome::Failed(format!("expected a link error ({message:?}), instantiation trapped: {trap}"))
            }
            Err(error) => self.instantiate_error(&module, error),
        }
    }

    /// Why an `Unsupported` trap happened: the reason the compiler gave for
    /// the function containing the trap, looked up first in the module that
    /// was called, then in every module compiled so far (the trap may come
    /// from an imported function).
    fn unsupported_reason(&self, called: &CompiledModule, trap: &Trap) -> String {
        let candidates = std::iter::once(called).chain(self.modules.iter().map(|module| module.as_ref()));
        for module in candidates {
            let Some(layout) = module.function_containing(trap.offset) else {
                continue;
            };
            if trap.function.as_ref().is_some_and(|name| *name != layout.name) {
                continue;
            }
            // An entry trampoline is a stub exactly when its function's
            // signature is unsupported, so the function's reason applies.
            let (FunctionKind::Wasm(index) | FunctionKind::ArrayEntry(index)) = layout.kind else {
                continue;
            };
            if let Some((_, reason)) = module.unsupported.iter().find(|(function, _)| *function == index) {
                return reason.clone();
            }
        }
        match &trap.function {
            Some(function) => format!("calls {function}, which the compiler does not support"),
            None => "calls a function the compiler does not support".to_string(),
        }
    }
}

/// The skip reason that directives depending on a binding inherit from the
/// outcome of the directive that created it.
fn dependents_reason(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Skipped(reason) => reason.clone(),
        Outcome::Failed(_) | Outcome::Passed => DEPENDS_ON_FAILED_MODULE.to_string(),
    }
}
