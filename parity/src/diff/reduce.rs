//! Reduction of a divergent case: the smallest module and plan of calls
//! that still make the same engine disagree in the same kind of step.
//! Behind `parity reduce`; its output becomes a [`corpus`](super::corpus)
//! regression case.
//!
//! ```text
//!  Case (diverges) ─▶ signature: {(engine, load | instantiate | call)}
//!    ─▶ 1. calls: cut after the first divergent call, then drop calls one by one
//!    ─▶ 2. module: wasm-shrink, each candidate judged with the calls its exports still allow
//!    ─▶ 3. calls again (the smaller module may need fewer)
//!    ─▶ Reduced { case, divergences, sizes, runs }
//! ```
//!
//! A candidate is *interesting* when running it gives a divergence whose
//! (engine, step kind) is in the original's signature, and no failure of the
//! reference or the harness: a reduction never trades the bug it is chasing
//! for another one. Every candidate runs through the same engines as a
//! sweep (compiled twice, verified), so the reducer needs nothing but the
//! case itself, plus the injected fault when the case came from the
//! harness's self-test.

use super::Case;
use super::exports::ModuleExports;
use super::ours::{CompiledEngine, availability};
use super::reference::WasmtimeEngine;
use super::run::Divergence;
use super::sweep::run_guarded;
use compiler::Fault;
use compiler::module::Target;
use std::collections::BTreeSet;

/// How to reduce.
#[derive(Clone, Debug)]
pub struct ReduceOptions {
    /// Our ISAs to run candidates on (unavailable ones are left out).
    pub isas: Vec<Target>,
    /// The fault the case was found with, if it came from the self-test.
    pub fault: Option<Fault>,
    /// wasm-shrink's attempts without progress before it stops.
    pub attempts: u32,
    /// wasm-shrink's seed.
    pub seed: u64,
}

impl Default for ReduceOptions {
    fn default() -> Self {
        ReduceOptions { isas: vec![Target::X86_64, Target::Aarch64], fault: None, attempts: 300, seed: 42 }
    }
}

/// The result of a reduction.
#[derive(Clone, Debug)]
pub struct Reduced {
    /// The reduced case.
    pub case: Case,
    /// What it diverges on.
    pub divergences: Vec<Divergence>,
    /// Module size before and after, in bytes.
    pub original_bytes: usize,
    /// Module size after.
    pub reduced_bytes: usize,
    /// Number of calls before.
    pub original_calls: usize,
    /// Number of calls after.
    pub reduced_calls: usize,
    /// Candidates run.
    pub runs: u64,
}

/// What a divergence is about: the engine and the kind of step.
type Signature = BTreeSet<(String, &'static str)>;

fn step_kind(step: &str) -> &'static str {
    if step.starts_with("call") {
        "call"
    } else if step.starts_with("instantiate") {
        "instantiate"
    } else {
        "load"
    }
}

/// The engines that run every candidate.
struct Judge {
    reference: WasmtimeEngine,
    ours: Vec<CompiledEngine>,
    runs: u64,
}

impl Judge {
    fn new(options: &ReduceOptions) -> Result<Judge, String> {
        let reference = WasmtimeEngine::new()?;
        let mut ours = Vec::new();
        for &target in &options.isas {
            if availability(target).is_ok() {
                ours.push(CompiledEngine::new(target).with_fault(options.fault));
            }
        }
        if ours.is_empty() {
            return Err("none of the requested ISAs is available".to_string());
        }
        Ok(Judge { reference, ours, runs: 0 })
    }

    fn divergences(&mut self, case: &Case) -> Vec<Divergence> {
        self.runs += 1;
        run_guarded(case, &mut self.reference, &mut self.ours).divergences
    }

    /// The divergences of `case` when they are the same bug as `signature`.
    fn interesting(&mut self, case: &Case, signature: &Signature) -> Option<Vec<Divergence>> {
        let divergences = self.divergences(case);
        let foreign = divergences.iter().any(|d| d.engine == "wasmtime" || d.engine == "harness");
        let same = divergences.iter().any(|d| signature.contains(&(d.engine.clone(), step_kind(&d.step))));
        (same && !foreign).then_some(divergences)
    }
}

/// The 1-based call number of a `call #N ...` step.
fn call_number(step: &str) -> Option<usize> {
    step.strip_prefix("call #")?.split(' ').next()?.parse().ok()
}

/// Reduces `case`, which must diverge under `options`.
pub fn reduce(case: &Case, options: &ReduceOptions) -> Result<Reduced, String> {
    let mut judge = Judge::new(options)?;
    let divergences = judge.divergences(case);
    if divergences.is_empty() {
        return Err("the case does not diverge: nothing to reduce".to_string());
    }
    if let Some(d) = divergences.iter().find(|d| d.engine == "wasmtime" || d.engine == "harness") {
        return Err(format!("the case fails in the {} itself, not in our code: {d}", d.engine));
    }
    let signature: Signature = divergences.iter().map(|d| (d.engine.clone(), step_kind(&d.step))).collect();
    let mut best = case.clone();
    let mut best_divergences = divergences;

    // 1. Nothing after the last call that diverged matters.
    if let Some(last) = best_divergences.iter().filter_map(|d| call_number(&d.step)).max()
        && last < best.calls.len()
    {
        let mut candidate = best.clone();
        candidate.calls.truncate(last);
        if let Some(found) = judge.interesting(&candidate, &signature) {
            (best, best_divergences) = (candidate, found);
        }
    }
    reduce_calls(&mut judge, &signature, &mut best, &mut best_divergences);

    // 2. The module, with the calls its exports still allow.
    let calls = best.calls.clone();
    let fuel = best.termination_fuel_global.clone();
    let shrunk = wasm_shrink::WasmShrink::default().attempts(options.attempts).seed(options.seed).run(
        best.wasm.clone(),
        |wasm: &[u8]| -> anyhow::Result<bool> {
            Ok(judge.interesting(&fitted(wasm, &calls, &fuel), &signature).is_some())
        },
    );
    // wasm-shrink errs when no mutation applies at all: keep what we have.
    if let Ok(info) = shrunk
        && info.output.len() < best.wasm.len()
    {
        let candidate = fitted(&info.output, &calls, &fuel);
        match judge.interesting(&candidate, &signature) {
            Some(found) => (best, best_divergences) = (candidate, found),
            None => return Err("wasm-shrink's result no longer diverges (a flaky divergence?)".to_string()),
        }
    }

    // 3. The smaller module may need fewer calls.
    reduce_calls(&mut judge, &signature, &mut best, &mut best_divergences);
    Ok(Reduced {
        original_bytes: case.wasm.len(),
        reduced_bytes: best.wasm.len(),
        original_calls: case.calls.len(),
        reduced_calls: best.calls.len(),
        case: best,
        divergences: best_divergences,
        runs: judge.runs,
    })
}

/// Drops calls one at a time (from the end) while the case stays interesting.
fn reduce_calls(judge: &mut Judge, signature: &Signature, best: &mut Case, best_divergences: &mut Vec<Divergence>) {
    let mut index = best.calls.len();
    while index > 0 {
        index -= 1;
        let mut candidate = best.clone();
        candidate.calls.remove(index);
        if let Some(found) = judge.interesting(&candidate, signature) {
            *best = candidate;
            *best_divergences = found;
        }
    }
}

/// `wasm` with the calls of `calls` that its exports still accept (same
/// name and parameter types), and the termination fuel global if it is
/// still exported.
fn fitted(wasm: &[u8], calls: &[(String, Vec<emu::Value>)], fuel: &Option<String>) -> Case {
    let exports = ModuleExports::parse(wasm).unwrap_or_default();
    let calls = calls
        .iter()
        .filter(|(name, args)| {
            exports.functions.iter().any(|f| {
                &f.name == name
                    && f.params.len() == args.len()
                    && f.params.iter().zip(args).all(|(ty, arg)| *ty == arg.ty())
            })
        })
        .cloned()
        .collect();
    let fuel = fuel.clone().filter(|name| exports.globals.contains(name));
    Case { wasm: wasm.to_vec(), calls, termination_fuel_global: fuel }
}
