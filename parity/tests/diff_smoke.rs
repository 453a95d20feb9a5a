//! Bounded differential smoke runs (fixed seeds, a few dozen cases per
//! generator) that must find no divergence, and proof that the comparison
//! can fail: engines with deliberately wrong results, traps, globals,
//! memory or module verdicts must be reported as divergences.
//!
//! The can-fail tests compare wasmtime with a deliberately broken wasmtime,
//! so they run without our compiler; the smoke runs use every ISA whose
//! back end and executor are ready (x86-64 natively, AArch64 under unicorn)
//! and say plainly which they skip.

use compiler::module::Target;
use compiler::runtime::TrapCode;
use emu::Value;
use parity::diff::engine::Engine;
use parity::diff::ours::{CompiledEngine, availability};
use parity::diff::reference::WasmtimeEngine;
use parity::diff::run::ModuleStatus;
use parity::diff::sweep::{self, Generator, SweepOptions};
use parity::diff::{Case, CaseReport, Load, Outcome, ResourceLimit, run_case, single, smith};

/// Cases per generator in the smoke runs (per ISA available).
const SMOKE_CASES: u64 = 30;

fn x86_64_engine() -> Option<CompiledEngine> {
    match availability(Target::X86_64) {
        Ok(()) => Some(CompiledEngine::new(Target::X86_64)),
        Err(reason) => {
            eprintln!("skipped: {reason}");
            None
        }
    }
}

fn run(case: &Case, ours: &mut dyn Engine) -> CaseReport {
    let mut reference = WasmtimeEngine::new().expect("wasmtime");
    run_case(case, &mut reference, &mut [ours])
}

fn assert_agrees(label: &str, report: &CaseReport) {
    assert!(report.divergences.is_empty(), "{label}: {:#?}", report.divergences);
}

/// Our engines for every ISA whose back end and executor are ready.
fn available_engines() -> Vec<CompiledEngine> {
    let mut engines = Vec::new();
    for target in [Target::X86_64, Target::Aarch64] {
        match availability(target) {
            Ok(()) => engines.push(CompiledEngine::new(target)),
            Err(reason) => eprintln!("{target} skipped: {reason}"),
        }
    }
    engines
}

#[test]
fn smith_cases_agree_on_every_available_isa() {
    let mut ours = available_engines();
    let mut reference = WasmtimeEngine::new().expect("wasmtime");
    let mut compared = vec![0; ours.len()];
    let mut calls = 0;
    for index in 0..SMOKE_CASES {
        let case = smith::generate(11, index).expect("wasm-smith generates");
        let mut engines: Vec<&mut dyn Engine> = ours.iter_mut().map(|e| e as &mut dyn Engine).collect();
        let report = run_case(&case, &mut reference, &mut engines);
        assert_agrees(&format!("smith case {index}"), &report);
        for (total, tally) in compared.iter_mut().zip(&report.engines) {
            *total += tally.compared;
        }
        calls += report.reference.calls;
    }
    assert!(calls > SMOKE_CASES, "the plans make calls ({calls})");
    for (engine, compared) in ours.iter().zip(compared) {
        assert!(compared > SMOKE_CASES, "{}: {compared} steps compared", engine.name());
    }
}

#[test]
fn single_operator_cases_agree_on_every_available_isa() {
    let mut ours = available_engines();
    let mut reference = WasmtimeEngine::new().expect("wasmtime");
    let table = single::operators();
    // The ordinals stride through the table: these cover every kind.
    for ordinal in 0..SMOKE_CASES {
        let case = single::generate(5, ordinal);
        let mut engines: Vec<&mut dyn Engine> = ours.iter_mut().map(|e| e as &mut dyn Engine).collect();
        let report = run_case(&case, &mut reference, &mut engines);
        let name = &table[single::operator_index(5, ordinal, table.len())].name;
        assert_agrees(name, &report);
        // Every call and instantiation of the first pass was judged (or
        // reached a known gap).
        if let Some(tally) = report.engines.first() {
            assert_eq!(tally.module, ModuleStatus::Compiled, "{name}");
            let steps = report.reference.calls + report.reference.instantiations;
            assert_eq!(tally.compared + tally.unsupported, steps, "{name}: {tally:?}");
        }
    }
}

#[test]
fn the_sweep_is_deterministic_and_counts_everything() {
    if x86_64_engine().is_none() {
        return;
    }
    let options = SweepOptions {
        count: 6,
        seed: 3,
        isas: vec![Target::X86_64],
        jobs: 2,
        generators: vec![Generator::Smith, Generator::Single],
        out_dir: None,
        progress: false,
        fault: None,
        stop_on_divergence: false,
    };
    let first = sweep::sweep(&options).expect("sweeps");
    let second = sweep::sweep(&SweepOptions { jobs: 1, ..options }).expect("sweeps");
    assert_eq!(first.divergence_count(), 0, "{}", first.to_text());
    assert_eq!(first.programs, 6);
    assert_eq!(first.programs_by_generator.get("single"), Some(&3));
    // Same cases, same counts, whatever the number of workers.
    assert_eq!((first.reference.clone(), first.engines.clone()), (second.reference, second.engines));
    assert!(first.to_text().ends_with("divergences: 0\n"));
    // The programs' operators are counted (every program has code).
    assert!(first.operators.values().sum::<u64>() >= 6, "{:?}", first.operators);
    assert_eq!(first.operators, second.operators);
}

/// A wasmtime engine with one deliberate fault.
struct Faulty {
    inner: WasmtimeEngine,
    fault: Fault,
}

#[derive(Clone, Copy)]
enum Fault {
    /// Flip the low bit of every returned integer.
    Result,
    /// Report every trap as `unreachable`.
    TrapKind,
    /// Return instead of trapping.
    NoTrap,
    /// Flip a bit of every exported memory.
    Memory,
    /// Add one to every exported i32 global.
    Global,
    /// Reject every module as invalid.
    RejectModule,
    /// Fail every compilation as a compiler bug.
    CompilerBug,
    /// Every call reaches unsupported code (not a divergence).
    Unsupported,
    /// Every call hits the stack limit (not a divergence).
    StackLimit,
    /// Every call times out (a divergence: the reference finished).
    Timeout,
}

impl Faulty {
    fn new(fault: Fault) -> Faulty {
        Faulty { inner: WasmtimeEngine::new().expect("wasmtime"), fault }
    }
}

impl Engine for Faulty {
    fn name(&self) -> &str {
        "faulty"
    }

    fn load(&mut self, wasm: &[u8]) -> Load {
        match self.fault {
            Fault::RejectModule => Load::Invalid("rejected on purpose".to_string()),
            Fault::CompilerBug => Load::Failed("internal compiler error on purpose".to_string()),
            _ => self.inner.load(wasm),
        }
    }

    fn instantiate(&mut self) -> Outcome {
        self.inner.instantiate()
    }

    fn call(&mut self, export: &str, args: &[Value]) -> Outcome {
        let outcome = self.inner.call(export, args);
        match (self.fault, outcome) {
            (Fault::Result, Outcome::Returned(values)) => Outcome::Returned(
                values
                    .into_iter()
                    .map(|v| match v {
                        Value::I32(x) => Value::I32(x ^ 1),
                        Value::I64(x) => Value::I64(x ^ 1),
                        other => other,
                    })
                    .collect(),
            ),
            (Fault::TrapKind, Outcome::Trapped(_)) => Outcome::Trapped(TrapCode::Unreachable),
            (Fault::NoTrap, Outcome::Trapped(_)) => Outcome::Returned(vec![Value::I32(0)]),
            (Fault::Unsupported, _) => Outcome::Unsupported("on purpose".to_string()),
            (Fault::StackLimit, _) => Outcome::ResourceLimit(ResourceLimit::Stack),
            (Fault::Timeout, _) => Outcome::ResourceLimit(ResourceLimit::Timeout),
            (_, outcome) => outcome,
        }
    }

    fn global(&mut self, export: &str) -> Result<Value, String> {
        match (self.fault, self.inner.global(export)?) {
            (Fault::Global, Value::I32(x)) => Ok(Value::I32(x.wrapping_add(1))),
            (_, value) => Ok(value),
        }
    }

    fn memory(&mut self, export: &str) -> Result<Vec<u8>, String> {
        let mut bytes = self.inner.memory(export)?;
        if let (Fault::Memory, Some(byte)) = (self.fault, bytes.last_mut()) {
            *byte ^= 0x80;
        }
        Ok(bytes)
    }
}

fn single_case(name: &str) -> Case {
    let operator = single::operators().into_iter().find(|o| o.name == name).expect("operator exists");
    single::case_for(&operator, &mut parity::diff::values::Rng::new(1))
}

fn stateful_case() -> Case {
    let wasm = wat::parse_str(
        r#"(module (memory (export "memory") 1) (global (export "counter") (mut i32) (i32.const 0))
            (func (export "bump") (param i32) (result i32)
              (global.set 0 (i32.add (global.get 0) (local.get 0)))
              (i32.store (i32.const 16) (global.get 0))
              (global.get 0)))"#,
    )
    .expect("wat");
    Case {
        wasm,
        calls: vec![("bump".to_string(), vec![Value::I32(2)]), ("bump".to_string(), vec![Value::I32(3)])],
        termination_fuel_global: None,
    }
}

#[test]
fn an_honest_engine_agrees_with_the_reference() {
    let mut honest = WasmtimeEngine::new().expect("wasmtime");
    for case in [single_case("i32.div_s"), single_case("f64.min"), single_case("i64.store16"), stateful_case()] {
        let report = run(&case, &mut honest);
        assert_agrees("honest", &report);
        assert!(report.engines[0].agreed > 0);
    }
}

#[test]
fn wrong_results_are_divergences() {
    let report = run(&single_case("i32.add"), &mut Faulty::new(Fault::Result));
    let divergence = report.divergences.first().expect("a divergence");
    assert_eq!(divergence.engine, "faulty");
    assert!(divergence.step.starts_with("call #1 op("), "{divergence}");
    assert!(divergence.detail.starts_with("result 0: i32 "), "{divergence}");
    assert!(divergence.reference.starts_with("returned [i32 "), "{divergence}");
    // One report per engine and case, not a cascade.
    assert_eq!(report.divergences.len(), 1);
    assert_eq!(report.engines[0].divergences, 1);
    assert!(report.engines[0].not_run > 0);
}

#[test]
fn wrong_traps_are_divergences() {
    let report = run(&single_case("i32.div_s"), &mut Faulty::new(Fault::TrapKind));
    let divergence = report.divergences.first().expect("a divergence");
    assert_eq!(divergence.detail, "a different trap kind");
    assert!(divergence.reference.contains("integer"), "{divergence}");
    let report = run(&single_case("i32.trunc_f32_s"), &mut Faulty::new(Fault::NoTrap));
    let divergence = report.divergences.first().expect("a divergence");
    assert_eq!(divergence.detail, "returned where the reference trapped");
}

#[test]
fn wrong_state_is_a_divergence() {
    let report = run(&stateful_case(), &mut Faulty::new(Fault::Global));
    let divergence = report.divergences.first().expect("a divergence");
    // The initial state is compared right after instantiation.
    assert_eq!(divergence.step, "instantiate");
    assert!(divergence.detail.starts_with("global \"counter\" is i32 1 instead of i32 0"), "{divergence}");
    let report = run(&single_case("i32.store8"), &mut Faulty::new(Fault::Memory));
    let divergence = report.divergences.first().expect("a divergence");
    assert!(
        divergence.detail.starts_with("memory \"memory\": 1 byte(s) differ; first at offset 0xffff"),
        "{divergence}"
    );
}

#[test]
fn module_verdicts_are_compared() {
    let report = run(&stateful_case(), &mut Faulty::new(Fault::RejectModule));
    assert_eq!(report.divergences[0].detail, "rejected as invalid a module the reference accepts");
    assert_eq!(report.engines[0].module, ModuleStatus::Diverged);
    let report = run(&stateful_case(), &mut Faulty::new(Fault::CompilerBug));
    assert_eq!(report.divergences[0].detail, "the compiler failed");
    // An invalid module rejected by both sides is no divergence.
    let invalid = Case { wasm: b"\0asm\x01\0\0\0\x01\x01".to_vec(), calls: vec![], termination_fuel_global: None };
    let report = run(&invalid, &mut Faulty::new(Fault::RejectModule));
    assert_agrees("invalid", &report);
    assert_eq!(report.engines[0].module, ModuleStatus::InvalidAsExpected);
}

#[test]
fn unsupported_code_and_resource_limits_are_counted_not_compared() {
    let case = stateful_case();
    let report = run(&case, &mut Faulty::new(Fault::Unsupported));
    assert_agrees("unsupported", &report);
    assert_eq!(report.engines[0].unsupported, 2);
    // An unsupported call resets every instance before the next call.
    assert_eq!(report.reference.instantiations, 2);
    let report = run(&case, &mut Faulty::new(Fault::StackLimit));
    assert_agrees("stack", &report);
    assert_eq!(report.engines[0].resource_limits.get("stack"), Some(&2));
    // A timeout where the reference finished is a hang, not a limit.
    let report = run(&case, &mut Faulty::new(Fault::Timeout));
    assert_eq!(report.divergences[0].detail, "timed out where the reference finished");
}

#[test]
fn termination_fuel_resets_the_instances() {
    // A module that spends its own fuel: the second call finds it at zero.
    let wasm = wat::parse_str(
        r#"(module (global $fuel (export "fuel") (mut i32) (i32.const 1))
            (func (export "f") (result i32)
              (if (i32.eqz (global.get $fuel)) (then unreachable))
              (global.set $fuel (i32.sub (global.get $fuel) (i32.const 1)))
              (i32.const 7)))"#,
    )
    .expect("wat");
    let call = ("f".to_string(), vec![]);
    let case =
        Case { wasm, calls: vec![call.clone(), call.clone(), call], termination_fuel_global: Some("fuel".to_string()) };
    let report = run(&case, &mut WasmtimeEngine::new().expect("wasmtime"));
    assert_agrees("fuel", &report);
    assert_eq!(report.reference.traps.get("unreachable"), None, "the fuel trap is a limit, not a trap");
    assert_eq!(report.reference.resource_limits.get("termination_fuel"), Some(&1));
    // Call 3 ran on a fresh instance, so it returned again.
    assert_eq!(report.reference.returns, 2);
    assert_eq!(report.reference.instantiations, 2);
}

#[test]
fn the_cli_sweeps_and_writes_json() {
    if x86_64_engine().is_none() {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("diff-cli");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let json = dir.join("summary.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_parity"))
        .args(["sweep", "--count", "4", "--seed", "9", "--isa", "x86_64", "--json"])
        .arg(&json)
        .arg("--out")
        .arg(dir.join("divergences"))
        .output()
        .expect("runs parity");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout.lines().last(), Some("divergences: 0"));
    let summary: sweep::Summary = serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("parses");
    assert_eq!(summary.programs, 4);
    assert!(summary.programs_per_second > 0.0);
}
