//! One [`Case`] through the reference and each of our engines, judged step
//! by step.
//!
//! ```text
//!  Case ─▶ load (reference + every engine: accept / reject / unsupported / fail)
//!       ─▶ per engine, one pass beside the reference:
//!            instantiate ─▶ call 1 ─▶ call 2 ─▶ ...
//!            │ judge + state  │ judge + state (exported globals, memories)
//!            ▼
//!          CaseReport: reference tally, one EngineTally per engine, Divergences
//! ```
//!
//! Rules:
//! - The reference compiles the module once; each engine then gets a pass
//!   of its own against fresh reference instances, so one ISA's gaps (an
//!   unsupported function) never shorten another ISA's comparison. The
//!   reference tally is that of the first pass.
//! - A step (an instantiation or a call) is judged only when both the
//!   reference's and the engine's outcomes are comparable
//!   ([`Outcome::is_comparable`]); an engine failure (crash, timeout) is
//!   always a divergence.
//! - After a comparable, agreeing step, every exported global and memory is
//!   compared.
//! - A step that leaves the state incomparable (an unsupported function, a
//!   resource limit, the module's own termination fuel running out) gives
//!   both sides fresh instances before the next call, so they stay in
//!   lockstep.
//! - After its first divergence an engine sits out the rest of the case:
//!   one report per engine and case, not a cascade.

use super::Case;
use super::engine::Engine;
use super::exports::ModuleExports;
use super::outcome::{Load, Outcome, ResourceLimit, compare_memory, compare_outcomes, describe_value, values_agree};
use compiler::runtime::TrapCode;
use emu::Value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One disagreement between an engine and the reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Divergence {
    /// The engine that disagrees (`x86_64`, `aarch64`), or `wasmtime` /
    /// `harness` when the reference or the harness itself failed.
    pub engine: String,
    /// The step: `load`, `instantiate`, or `call #N export(args)`.
    pub step: String,
    /// What the reference did.
    pub reference: String,
    /// What the engine did.
    pub actual: String,
    /// What differs, in a few words.
    pub detail: String,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} disagrees at {}: {} (reference: {}; {}: {})",
            self.engine, self.step, self.detail, self.reference, self.engine, self.actual
        )
    }
}

/// What the reference did over a case: the program's observable behaviour.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceTally {
    /// The reference rejected the module.
    pub rejected_modules: u64,
    /// Instantiations (including resets).
    pub instantiations: u64,
    /// Instantiations that trapped (start function, data segments).
    pub instantiation_traps: u64,
    /// Calls made.
    pub calls: u64,
    /// Calls that returned.
    pub returns: u64,
    /// Traps by kind (instantiations and calls).
    pub traps: BTreeMap<String, u64>,
    /// Resource limits by kind.
    pub resource_limits: BTreeMap<String, u64>,
}

/// How the module fared with one of our engines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModuleStatus {
    /// Compiled (verified, deterministic).
    #[default]
    Compiled,
    /// Rejected as unsupported.
    Unsupported,
    /// Rejected as invalid, as the reference did.
    InvalidAsExpected,
    /// Failed or disagreed with the reference about validity.
    Diverged,
    /// Not compiled: the reference rejected the module and so did we in
    /// another way, or the harness could not run the case.
    NotRun,
}

/// What one of our engines did over a case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineTally {
    /// The engine's name.
    pub engine: String,
    /// What happened to the module.
    pub module: ModuleStatus,
    /// Functions compiled to unsupported-feature stubs.
    pub unsupported_functions: u64,
    /// Steps (instantiations and calls) judged against the reference.
    pub compared: u64,
    /// Judged steps that agreed, state included.
    pub agreed: u64,
    /// Steps that reached unsupported code.
    pub unsupported: u64,
    /// Steps stopped by a resource limit, on either side, by kind.
    pub resource_limits: BTreeMap<String, u64>,
    /// Calls not made: the module did not compile, instantiation failed, or
    /// the engine already diverged in this case.
    pub not_run: u64,
    /// Divergences (at most one per case, plus a load failure).
    pub divergences: u64,
}

/// Everything a case produced.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseReport {
    /// The reference's behaviour.
    pub reference: ReferenceTally,
    /// One tally per engine, in the order the engines were given.
    pub engines: Vec<EngineTally>,
    /// Every divergence found.
    pub divergences: Vec<Divergence>,
}

/// Per-engine state while a case runs.
struct Lane<'a> {
    engine: &'a mut dyn Engine,
    tally: EngineTally,
    /// Still being compared in this case.
    active: bool,
}

/// Runs `case` on `reference` and every engine in `ours`.
pub fn run_case(case: &Case, reference: &mut dyn Engine, ours: &mut [&mut dyn Engine]) -> CaseReport {
    let mut report = CaseReport::default();
    let mut lanes: Vec<Lane<'_>> = ours
        .iter_mut()
        .map(|engine| Lane {
            tally: EngineTally { engine: engine.name().to_string(), ..EngineTally::default() },
            engine: &mut **engine,
            active: false,
        })
        .collect();
    let reference_load = reference.load(&case.wasm);
    for lane in &mut lanes {
        let actual = lane.engine.load(&case.wasm);
        judge_load(&reference_load, actual, lane, &mut report.divergences);
        if lane.tally.module == ModuleStatus::Compiled {
            lane.tally.unsupported_functions = lane.engine.unsupported_functions() as u64;
        }
    }
    if reference_load != Load::Loaded {
        report.reference.rejected_modules += 1;
        finish(&mut report, lanes, NotRunReason::All(case.calls.len()));
        return report;
    }
    let exports = match ModuleExports::parse(&case.wasm) {
        Ok(exports) => exports,
        Err(error) => {
            report.divergences.push(divergence("harness", "load", "-", "-", &format!("unreadable module: {error}")));
            finish(&mut report, lanes, NotRunReason::All(case.calls.len()));
            return report;
        }
    };
    if lanes.is_empty() {
        // No engine: still record what the program does.
        run_pass(case, reference, &mut [], &exports, &mut report);
    }
    for index in 0..lanes.len() {
        let mut pass = CaseReport::default();
        run_pass(case, reference, &mut lanes[index..=index], &exports, &mut pass);
        report.divergences.append(&mut pass.divergences);
        if index == 0 {
            report.reference = pass.reference;
        }
    }
    finish(&mut report, lanes, NotRunReason::None);
    report
}

/// Runs the calls of `case` on the reference and `lanes` in lockstep,
/// judging every step. Counts what the reference did into `report`.
fn run_pass(
    case: &Case,
    reference: &mut dyn Engine,
    lanes: &mut [Lane<'_>],
    exports: &ModuleExports,
    report: &mut CaseReport,
) {
    let mut needs_instance = true;
    for (index, (export, args)) in case.calls.iter().enumerate() {
        let remaining = (case.calls.len() - index) as u64;
        if needs_instance {
            if !instantiate_all(reference, lanes, exports, report) {
                lanes.iter_mut().for_each(|lane| lane.tally.not_run += remaining);
                return;
            }
            needs_instance = false;
        }
        let step = format!("call #{} {export}({})", index + 1, describe_args(args));
        report.reference.calls += 1;
        let expected = reference.call(export, args);
        count_reference(&mut report.reference, &expected);
        if let Outcome::Failed(reason) = &expected {
            report.divergences.push(divergence("wasmtime", &step, reason, "-", "the reference failed"));
            lanes.iter_mut().for_each(|lane| lane.tally.not_run += remaining);
            return;
        }
        let mut reset = !expected.is_comparable();
        let mut outcomes = Vec::with_capacity(lanes.len());
        for lane in lanes.iter_mut() {
            if !lane.active {
                lane.tally.not_run += 1;
                outcomes.push(None);
                continue;
            }
            let actual = lane.engine.call(export, args);
            reset |= !actual.is_comparable() || matches!(actual, Outcome::Failed(_));
            outcomes.push(Some(actual));
        }
        // The module's own termination fuel: a plain trap both sides must
        // agree on, after which fresh instances make later calls useful.
        if let (Some(fuel), Outcome::Trapped(TrapCode::Unreachable)) = (&case.termination_fuel_global, &expected)
            && reference.global(fuel) == Ok(Value::I32(0))
        {
            // Counted as the limit it is, not as an `unreachable` trap.
            let reference_tally = &mut report.reference;
            *reference_tally.resource_limits.entry(ResourceLimit::TerminationFuel.name().to_string()).or_default() += 1;
            if let Some(count) = reference_tally.traps.get_mut(TrapCode::Unreachable.name()) {
                *count -= 1;
                if *count == 0 {
                    reference_tally.traps.remove(TrapCode::Unreachable.name());
                }
            }
            reset = true;
        }
        judge_step(reference, lanes, exports, &step, &expected, outcomes, &mut report.divergences);
        needs_instance |= reset;
    }
    if case.calls.is_empty() {
        // Still check instantiation and the initial state.
        instantiate_all(reference, lanes, exports, report);
    }
}

/// Why the remaining calls of a case were not made.
enum NotRunReason {
    /// Nothing left out.
    None,
    /// This many calls were left out on every engine still active.
    All(usize),
}

fn finish(report: &mut CaseReport, lanes: Vec<Lane<'_>>, reason: NotRunReason) {
    for mut lane in lanes {
        if let NotRunReason::All(count) = reason {
            lane.tally.not_run += count as u64;
        }
        report.engines.push(lane.tally);
    }
}

/// Compares how the reference and one engine took the module.
fn judge_load(reference: &Load, actual: Load, lane: &mut Lane<'_>, divergences: &mut Vec<Divergence>) {
    let name = lane.tally.engine.clone();
    let (status, problem) = match (reference, &actual) {
        (_, Load::Failed(reason)) => (ModuleStatus::Diverged, Some(("the compiler failed", reason.clone()))),
        (Load::Loaded, Load::Loaded) => (ModuleStatus::Compiled, None),
        (_, Load::Unsupported(_)) => (ModuleStatus::Unsupported, None),
        (Load::Loaded, Load::Invalid(reason)) => {
            (ModuleStatus::Diverged, Some(("rejected as invalid a module the reference accepts", reason.clone())))
        }
        (Load::Invalid(_), Load::Invalid(_)) => (ModuleStatus::InvalidAsExpected, None),
        (Load::Invalid(_), Load::Loaded) => {
            (ModuleStatus::Diverged, Some(("accepted a module the reference rejects", "compiled".to_string())))
        }
        _ => (ModuleStatus::NotRun, None),
    };
    lane.tally.module = status;
    lane.active = status == ModuleStatus::Compiled && *reference == Load::Loaded;
    if let Some((detail, actual)) = problem {
        lane.tally.divergences += 1;
        divergences.push(divergence(&name, "load", &describe_load(reference), &actual, detail));
    }
}

fn describe_load(load: &Load) -> String {
    match load {
        Load::Loaded => "accepted".to_string(),
        Load::Invalid(reason) => format!("rejected: {reason}"),
        Load::Unsupported(reason) => format!("unsupported: {reason}"),
        Load::Failed(reason) => format!("failed: {reason}"),
    }
}

/// Gives every engine a fresh instance and judges the instantiations.
/// Returns whether the reference's instance is ready for calls.
fn instantiate_all(
    reference: &mut dyn Engine,
    lanes: &mut [Lane<'_>],
    exports: &ModuleExports,
    report: &mut CaseReport,
) -> bool {
    report.reference.instantiations += 1;
    let expected = reference.instantiate();
    if !matches!(expected, Outcome::Returned(_)) {
        count_reference(&mut report.reference, &expected);
    }
    if matches!(expected, Outcome::Trapped(_) | Outcome::TrappedOther(_)) {
        report.reference.instantiation_traps += 1;
    }
    if let Outcome::Failed(reason) = &expected {
        report.divergences.push(divergence("wasmtime", "instantiate", reason, "-", "the reference failed"));
        return false;
    }
    let mut outcomes = Vec::with_capacity(lanes.len());
    for lane in lanes.iter_mut() {
        outcomes.push(lane.active.then(|| lane.engine.instantiate()));
    }
    let ready: Vec<bool> = outcomes.iter().map(|o| matches!(o, Some(Outcome::Returned(_)))).collect();
    // A failed instantiation leaves no instance whose state could be read.
    let exports = if matches!(expected, Outcome::Returned(_)) { exports } else { &ModuleExports::default() };
    judge_step(reference, lanes, exports, "instantiate", &expected, outcomes, &mut report.divergences);
    // An engine without an instance cannot take calls until the next reset.
    for (lane, ready) in lanes.iter_mut().zip(ready) {
        lane.active &= ready;
    }
    matches!(expected, Outcome::Returned(_))
}

/// Judges one step for every engine that took it, then compares state.
fn judge_step(
    reference: &mut dyn Engine,
    lanes: &mut [Lane<'_>],
    exports: &ModuleExports,
    step: &str,
    expected: &Outcome,
    outcomes: Vec<Option<Outcome>>,
    divergences: &mut Vec<Divergence>,
) {
    let mut reference_state: Option<Result<State, String>> = None;
    for (lane, actual) in lanes.iter_mut().zip(outcomes) {
        let Some(actual) = actual else { continue };
        let tally = &mut lane.tally;
        let problem = match (&actual, expected) {
            (Outcome::Failed(_), _) => compare_outcomes(expected, &actual),
            (Outcome::Unsupported(_), _) => {
                tally.unsupported += 1;
                continue;
            }
            (Outcome::ResourceLimit(ResourceLimit::Timeout), expected) if expected.is_comparable() => {
                Some("timed out where the reference finished".to_string())
            }
            (Outcome::ResourceLimit(limit), _) | (_, Outcome::ResourceLimit(limit)) => {
                *tally.resource_limits.entry(limit.name().to_string()).or_default() += 1;
                continue;
            }
            _ => compare_outcomes(expected, &actual),
        };
        tally.compared += 1;
        let problem = match problem {
            Some(problem) => Some(problem),
            None => {
                if reference_state.is_none() {
                    reference_state = Some(State::read(&mut *reference, exports));
                }
                match reference_state.as_ref().expect("just read") {
                    Ok(state) => state.compare(&mut *lane.engine, exports),
                    Err(error) => Some(format!("the harness could not read the reference's state: {error}")),
                }
            }
        };
        match problem {
            None => tally.agreed += 1,
            Some(detail) => {
                tally.divergences += 1;
                lane.active = false;
                divergences.push(divergence(&tally.engine, step, &expected.to_string(), &actual.to_string(), &detail));
            }
        }
    }
}

/// The exported globals and memories of one instance.
struct State {
    globals: Vec<Value>,
    memories: Vec<Vec<u8>>,
}

impl State {
    fn read(engine: &mut dyn Engine, exports: &ModuleExports) -> Result<State, String> {
        let globals = exports.globals.iter().map(|name| engine.global(name)).collect::<Result<_, _>>()?;
        let memories = exports.memories.iter().map(|name| engine.memory(name)).collect::<Result<_, _>>()?;
        Ok(State { globals, memories })
    }

    /// Compares `engine`'s state with this one: `None` when equal.
    fn compare(&self, engine: &mut dyn Engine, exports: &ModuleExports) -> Option<String> {
        for (name, expected) in exports.globals.iter().zip(&self.globals) {
            match engine.global(name) {
                Ok(actual) if values_agree(expected, &actual) => {}
                Ok(actual) => {
                    return Some(format!(
                        "global {name:?} is {} instead of {}",
                        describe_value(&actual),
                        describe_value(expected)
                    ));
                }
                Err(error) => return Some(format!("global {name:?} could not be read: {error}")),
            }
        }
        for (name, expected) in exports.memories.iter().zip(&self.memories) {
            match engine.memory(name) {
                Ok(actual) => {
                    if let Some(difference) = compare_memory(expected, &actual) {
                        return Some(format!("memory {name:?}: {difference}"));
                    }
                }
                Err(error) => return Some(format!("memory {name:?} could not be read: {error}")),
            }
        }
        None
    }
}

fn count_reference(tally: &mut ReferenceTally, outcome: &Outcome) {
    match outcome {
        Outcome::Returned(_) => tally.returns += 1,
        Outcome::Trapped(code) => *tally.traps.entry(code.name().to_string()).or_default() += 1,
        Outcome::TrappedOther(kind) => *tally.traps.entry(kind.clone()).or_default() += 1,
        Outcome::ResourceLimit(limit) => *tally.resource_limits.entry(limit.name().to_string()).or_default() += 1,
        Outcome::Unsupported(_) | Outcome::Failed(_) => {}
    }
}

fn describe_args(args: &[Value]) -> String {
    args.iter().map(describe_value).collect::<Vec<_>>().join(", ")
}

fn divergence(engine: &str, step: &str, reference: &str, actual: &str, detail: &str) -> Divergence {
    Divergence {
        engine: engine.to_string(),
        step: step.to_string(),
        reference: reference.to_string(),
        actual: actual.to_string(),
        detail: detail.to_string(),
    }
}
