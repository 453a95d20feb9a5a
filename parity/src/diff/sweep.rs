//! A deterministic differential sweep: N generated cases, run on J worker
//! threads, summed into one [`Summary`]. Behind `parity sweep`.
//!
//! ```text
//!  (seed, index) ─▶ case_at: smith::generate | single::generate
//!      ─▶ worker (own WasmtimeEngine + CompiledEngine per ISA; one shared wasmtime::Engine)
//!      ─▶ run_case ─▶ CaseReport ─▶ Summary (+ each divergent case written as .wasm + .json)
//! ```
//!
//! Case `index` is a pure function of the seed and the index, never of the
//! worker or the order of completion, so a sweep is reproducible with any
//! `--jobs`, and a divergent case can be regenerated from its number alone.
//! Generators alternate: with both enabled, even indices are wasm-smith
//! modules and odd ones single-operator modules.

use super::engine::Engine;
use super::ours::{CompiledEngine, availability};
use super::reference::{WasmtimeEngine, shared_engine};
use super::run::{CaseReport, Divergence, EngineTally, ModuleStatus, ReferenceTally, run_case};
use super::{Case, single, smith};
use crate::wast::backend::panic_message;
use compiler::Fault;
use compiler::module::Target;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Instant;

/// Where a case comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Generator {
    /// wasm-smith random modules ([`smith`]).
    Smith,
    /// One operator per module ([`single`]).
    Single,
}

impl Generator {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Generator::Smith => "smith",
            Generator::Single => "single",
        }
    }

    /// Parses [`Generator::name`].
    pub fn from_name(name: &str) -> Option<Generator> {
        [Generator::Smith, Generator::Single].into_iter().find(|g| g.name() == name)
    }
}

/// What to sweep.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    /// Number of cases (programs).
    pub count: u64,
    /// The seed every case derives from.
    pub seed: u64,
    /// Our ISAs to compare with the reference (unavailable ones are
    /// reported, not run).
    pub isas: Vec<Target>,
    /// Worker threads.
    pub jobs: usize,
    /// Generators, used in turn.
    pub generators: Vec<Generator>,
    /// Where to write divergent cases, if anywhere.
    pub out_dir: Option<PathBuf>,
    /// Draw a progress bar (only when stderr is a terminal).
    pub progress: bool,
    /// A miscompilation to commit on purpose: the harness's self-test,
    /// which must then find divergences.
    pub fault: Option<Fault>,
    /// Stop at the first divergent case (the cases already running finish).
    pub stop_on_divergence: bool,
}

/// Case `index` of a sweep: its generator and the case (or why the
/// generator could not make one).
pub fn case_at(options: &SweepOptions, index: u64) -> (Generator, Result<Case, String>) {
    let generators = if options.generators.is_empty() { &[Generator::Smith][..] } else { &options.generators };
    let generator = generators[(index % generators.len() as u64) as usize];
    let ordinal = index / generators.len() as u64;
    let case = match generator {
        Generator::Smith => smith::generate(options.seed, index),
        Generator::Single => Ok(single::generate(options.seed, ordinal)),
    };
    (generator, case)
}

/// One engine's totals over a sweep.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineSummary {
    /// The ISA.
    pub engine: String,
    /// Why the engine did not run, when it did not.
    pub unavailable: Option<String>,
    /// Modules compiled (verified, deterministic).
    pub modules_compiled: u64,
    /// Modules rejected as unsupported.
    pub modules_unsupported: u64,
    /// Modules rejected as invalid, as the reference did.
    pub modules_invalid_as_expected: u64,
    /// Functions compiled to unsupported-feature stubs.
    pub unsupported_functions: u64,
    /// Steps (instantiations and calls) judged against the reference.
    pub compared: u64,
    /// Judged steps that agreed, state included.
    pub agreed: u64,
    /// Steps that reached unsupported code.
    pub unsupported_calls: u64,
    /// Steps stopped by a resource limit, by kind.
    pub resource_limits: BTreeMap<String, u64>,
    /// Calls not made (module not compiled, failed instantiation, or
    /// after a divergence in the same case).
    pub not_run: u64,
    /// Divergences.
    pub divergences: u64,
}

impl EngineSummary {
    fn add(&mut self, tally: &EngineTally) {
        match tally.module {
            ModuleStatus::Compiled => self.modules_compiled += 1,
            ModuleStatus::Unsupported => self.modules_unsupported += 1,
            ModuleStatus::InvalidAsExpected => self.modules_invalid_as_expected += 1,
            ModuleStatus::Diverged | ModuleStatus::NotRun => {}
        }
        self.unsupported_functions += tally.unsupported_functions;
        self.compared += tally.compared;
        self.agreed += tally.agreed;
        self.unsupported_calls += tally.unsupported;
        merge(&mut self.resource_limits, &tally.resource_limits);
        self.not_run += tally.not_run;
        self.divergences += tally.divergences;
    }
}

/// One case that diverged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DivergentCase {
    /// The case's index in the sweep.
    pub index: u64,
    /// Its generator.
    pub generator: Generator,
    /// What diverged.
    pub divergences: Vec<Divergence>,
    /// The JSON file the case was written to, if it was.
    pub file: Option<String>,
}

/// The result of a sweep.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The seed.
    pub seed: u64,
    /// Programs run.
    pub programs: u64,
    /// Programs per generator.
    pub programs_by_generator: BTreeMap<String, u64>,
    /// Cases a generator failed to produce (not run, not divergences).
    pub generator_errors: u64,
    /// Wall-clock time.
    pub elapsed_seconds: f64,
    /// Throughput.
    pub programs_per_second: f64,
    /// The fault injected on purpose, if any (the harness's self-test).
    #[serde(default)]
    pub fault: Option<String>,
    /// Whether the sweep stopped early at its first divergent case.
    #[serde(default)]
    pub stopped_early: bool,
    /// Operators in the programs' code (static counts, by name): what the
    /// sweep exercised.
    #[serde(default)]
    pub operators: BTreeMap<String, u64>,
    /// What the programs did in the reference.
    pub reference: ReferenceTally,
    /// Per ISA.
    pub engines: Vec<EngineSummary>,
    /// Every divergent case.
    pub divergent_cases: Vec<DivergentCase>,
}

impl Summary {
    /// Total divergences.
    pub fn divergence_count(&self) -> usize {
        self.divergent_cases.iter().map(|c| c.divergences.len()).sum()
    }

    fn add(&mut self, generator: Generator, report: &CaseReport, operators: &BTreeMap<String, u64>) {
        self.programs += 1;
        merge(&mut self.operators, operators);
        *self.programs_by_generator.entry(generator.name().to_string()).or_default() += 1;
        let reference = &mut self.reference;
        reference.rejected_modules += report.reference.rejected_modules;
        reference.instantiations += report.reference.instantiations;
        reference.instantiation_traps += report.reference.instantiation_traps;
        reference.calls += report.reference.calls;
        reference.returns += report.reference.returns;
        merge(&mut reference.traps, &report.reference.traps);
        merge(&mut reference.resource_limits, &report.reference.resource_limits);
        for tally in &report.engines {
            if let Some(engine) = self.engines.iter_mut().find(|e| e.engine == tally.engine) {
                engine.add(tally);
            }
        }
    }

    /// The human-readable summary printed after a sweep.
    pub fn to_text(&self) -> String {
        let mut lines = Vec::new();
        let by_generator: Vec<String> = self.programs_by_generator.iter().map(|(g, n)| format!("{g} {n}")).collect();
        lines.push(format!(
            "programs: {} ({}), seed {}, {:.1} s, {:.2} programs/s",
            self.programs,
            by_generator.join(", "),
            self.seed,
            self.elapsed_seconds,
            self.programs_per_second
        ));
        if let Some(fault) = &self.fault {
            lines.push(format!("injected fault: {fault} (the compiler miscompiles on purpose)"));
        }
        if self.stopped_early {
            lines.push("stopped at the first divergent case".to_string());
        }
        if self.generator_errors > 0 {
            lines.push(format!("generator errors: {}", self.generator_errors));
        }
        let r = &self.reference;
        let traps: u64 = r.traps.values().sum();
        lines.push(format!(
            "reference (wasmtime): {} calls: {} returned, {traps} trapped ({}); resource limits: {}; \
             {} instantiations ({} trapped); {} modules rejected",
            r.calls,
            r.returns,
            counts(&r.traps),
            counts(&r.resource_limits),
            r.instantiations,
            r.instantiation_traps,
            r.rejected_modules
        ));
        for e in &self.engines {
            if let Some(reason) = &e.unavailable {
                lines.push(format!("{}: not run: {reason}", e.engine));
                continue;
            }
            lines.push(format!(
                "{}: modules {} compiled, {} unsupported, {} invalid (as expected), {} functions stubbed; \
                 steps {} compared, {} agreed, {} unsupported, resource limits: {}; {} calls not run; {} divergences",
                e.engine,
                e.modules_compiled,
                e.modules_unsupported,
                e.modules_invalid_as_expected,
                e.unsupported_functions,
                e.compared,
                e.agreed,
                e.unsupported_calls,
                counts(&e.resource_limits),
                e.not_run,
                e.divergences
            ));
        }
        for case in &self.divergent_cases {
            for divergence in &case.divergences {
                lines.push(format!("DIVERGENCE case {} ({}): {divergence}", case.index, case.generator.name()));
            }
            if let Some(file) = &case.file {
                lines.push(format!("  saved as {file}"));
            }
        }
        lines.push(format!("divergences: {}", self.divergence_count()));
        lines.join("\n") + "\n"
    }
}

fn counts(map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "none".to_string();
    }
    map.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
}

fn merge(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (key, value) in from {
        *into.entry(key.clone()).or_default() += value;
    }
}

/// A divergent case as written to disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    /// The sweep's seed.
    pub seed: u64,
    /// The case's index.
    pub index: u64,
    /// Its generator.
    pub generator: Generator,
    /// The case itself.
    pub case: Case,
    /// What diverged when it was written.
    pub divergences: Vec<Divergence>,
}

/// What a worker sends back for case `index`: the case and its report, or
/// why the generator could not make it.
type Message = (u64, Generator, Result<(Case, CaseReport, BTreeMap<String, u64>), String>);

/// Runs a sweep. Errors only for problems of the harness itself (no
/// reference engine, an unwritable output directory).
pub fn sweep(options: &SweepOptions) -> Result<Summary, String> {
    shared_engine()?;
    let mut summary =
        Summary { seed: options.seed, fault: options.fault.map(|f| f.name().to_string()), ..Summary::default() };
    let mut targets = Vec::new();
    for &target in &options.isas {
        let unavailable = availability(target).err();
        if unavailable.is_none() {
            targets.push(target);
        }
        summary.engines.push(EngineSummary { engine: target.name().to_string(), unavailable, ..Default::default() });
    }
    if let Some(dir) = &options.out_dir {
        std::fs::create_dir_all(dir).map_err(|error| format!("{}: cannot create: {error}", dir.display()))?;
    }
    let progress = progress_bar(options);
    let started = Instant::now();
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel::<Message>();
    let mut write_error = None;
    std::thread::scope(|scope| {
        for job in 0..options.jobs.max(1) {
            let sender = sender.clone();
            let (next, stop, targets) = (&next, &stop, &targets);
            scope.spawn(move || {
                pin_to_cpu(job);
                worker(options, targets, next, stop, &sender)
            });
        }
        drop(sender);
        for (index, generator, result) in receiver {
            progress.inc(1);
            let (case, report, operators) = match result {
                Ok(result) => result,
                Err(_) => {
                    summary.generator_errors += 1;
                    continue;
                }
            };
            summary.add(generator, &report, &operators);
            if report.divergences.is_empty() {
                continue;
            }
            let file = match &options.out_dir {
                Some(dir) => match write_case(dir, options.seed, index, generator, &case, &report.divergences) {
                    Ok(path) => Some(path.display().to_string()),
                    Err(error) => {
                        write_error.get_or_insert(error);
                        None
                    }
                },
                None => None,
            };
            summary.divergent_cases.push(DivergentCase { index, generator, divergences: report.divergences, file });
            if options.stop_on_divergence {
                stop.store(true, Ordering::Relaxed);
                summary.stopped_early = true;
            }
            progress.set_message(format!("{} divergent case(s)", summary.divergent_cases.len()));
        }
    });
    progress.finish_and_clear();
    summary.divergent_cases.sort_by_key(|case| case.index);
    summary.elapsed_seconds = started.elapsed().as_secs_f64();
    summary.programs_per_second = summary.programs as f64 / summary.elapsed_seconds.max(1e-9);
    match write_error {
        Some(error) => Err(error),
        None => Ok(summary),
    }
}

/// Pins the calling thread to the `job`-th CPU it may run on (modulo their
/// number). A worker and the native executor's child process it forks (which
/// inherits the mask) then share one core: every call is a round trip
/// between them, and a same-core switch costs far less than waking the
/// other core (measured: 145 -> 210 single-operator programs/s on x86-64).
/// It also makes `--jobs J` use J cores. Best effort: failures are ignored.
fn pin_to_cpu(job: usize) {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on a zeroed, properly sized cpu_set_t for
    // the calling thread (pid 0).
    unsafe {
        let mut allowed: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut allowed) != 0 {
            return;
        }
        let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize).filter(|&c| libc::CPU_ISSET(c, &allowed)).collect();
        if cpus.is_empty() {
            return;
        }
        let mut mine: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpus[job % cpus.len()], &mut mine);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mine);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = job;
}

/// One worker: its own engines, cases taken from the shared counter.
fn worker(
    options: &SweepOptions,
    targets: &[Target],
    next: &AtomicU64,
    stop: &AtomicBool,
    sender: &mpsc::Sender<Message>,
) {
    let mut reference = match WasmtimeEngine::new() {
        Ok(reference) => reference,
        Err(_) => return, // `sweep` checked the shared engine already.
    };
    let mut ours: Vec<CompiledEngine> =
        targets.iter().map(|&t| CompiledEngine::new(t).with_fault(options.fault)).collect();
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        if index >= options.count || stop.load(Ordering::Relaxed) {
            return;
        }
        let (generator, case) = case_at(options, index);
        let result = case.map(|case| {
            let report = run_guarded(&case, &mut reference, &mut ours);
            let operators = operator_counts(&case.wasm);
            (case, report, operators)
        });
        if sender.send((index, generator, result)).is_err() {
            return;
        }
    }
}

/// Static operator counts of a module's code, by operator name
/// (`I32Add`, `Call`, ...). Unreadable code counts as nothing.
pub fn operator_counts(wasm: &[u8]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let Ok(wasmparser::Payload::CodeSectionEntry(body)) = payload else { continue };
        let Ok(mut reader) = body.get_operators_reader() else { continue };
        while !reader.eof() {
            let Ok(operator) = reader.read() else { break };
            let text = format!("{operator:?}");
            let name = text.split([' ', '{', '(']).next().unwrap_or_default();
            *counts.entry(name.to_string()).or_default() += 1;
        }
    }
    counts
}

/// Runs one case; a panic in the harness or an engine becomes a
/// divergence of the `harness` instead of killing the sweep.
pub fn run_guarded(case: &Case, reference: &mut WasmtimeEngine, ours: &mut [CompiledEngine]) -> CaseReport {
    let mut engines: Vec<&mut dyn Engine> = ours.iter_mut().map(|e| e as &mut dyn Engine).collect();
    match panic::catch_unwind(AssertUnwindSafe(|| run_case(case, reference, &mut engines))) {
        Ok(report) => report,
        Err(payload) => CaseReport {
            divergences: vec![Divergence {
                engine: "harness".to_string(),
                step: "-".to_string(),
                reference: "-".to_string(),
                actual: "-".to_string(),
                detail: format!("the harness panicked: {}", panic_message(payload.as_ref())),
            }],
            ..CaseReport::default()
        },
    }
}

fn progress_bar(options: &SweepOptions) -> indicatif::ProgressBar {
    if !options.progress || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(options.count);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{elapsed_precise} [{bar:40}] {pos}/{len} programs ({per_sec}, eta {eta}) {msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Writes a divergent case as `<generator>-seed<S>-case<I>.json` (the case
/// and its divergences) and `.wasm` (the module, for other tools).
pub fn write_case(
    dir: &Path,
    seed: u64,
    index: u64,
    generator: Generator,
    case: &Case,
    divergences: &[Divergence],
) -> Result<PathBuf, String> {
    let stem = format!("{}-seed{seed}-case{index}", generator.name());
    let file = CaseFile { seed, index, generator, case: case.clone(), divergences: divergences.to_vec() };
    let json = serde_json::to_string_pretty(&file).map_err(|error| error.to_string())?;
    let json_path = dir.join(format!("{stem}.json"));
    std::fs::write(&json_path, json).map_err(|error| format!("{}: cannot write: {error}", json_path.display()))?;
    let wasm_path = dir.join(format!("{stem}.wasm"));
    std::fs::write(&wasm_path, &case.wasm)
        .map_err(|error| format!("{}: cannot write: {error}", wasm_path.display()))?;
    Ok(json_path)
}

/// Reads a case written by [`write_case`] (or a bare [`Case`] as JSON).
pub fn read_case(path: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
    serde_json::from_str::<CaseFile>(&text)
        .map(|file| file.case)
        .or_else(|_| serde_json::from_str::<Case>(&text))
        .map_err(|error| format!("{}: neither a case file nor a case: {error}", path.display()))
}

/// Runs one case on the reference and every available ISA of `isas`.
/// Returns the report and the ISAs that were not available, with reasons.
pub fn replay(
    case: &Case,
    isas: &[Target],
    fault: Option<Fault>,
) -> Result<(CaseReport, Vec<(Target, String)>), String> {
    let mut reference = WasmtimeEngine::new()?;
    let mut unavailable = Vec::new();
    let mut ours = Vec::new();
    for &target in isas {
        match availability(target) {
            Ok(()) => ours.push(CompiledEngine::new(target).with_fault(fault)),
            Err(reason) => unavailable.push((target, reason)),
        }
    }
    Ok((run_guarded(case, &mut reference, &mut ours), unavailable))
}
