//! Real WASI programs, side by side: wasmtime with `wasmtime-wasi` (the
//! reference), our compiled code in the `emu` executors, and our linked
//! executables.
//!
//! ```text
//!   programs (sightglass noop + shootout-*, corpus/wasi) ─┬─▶ wasmtime + wasmtime-wasi ─┐
//!                                                         ├─▶ compile ─▶ emu (x86_64 native child, aarch64 unicorn)
//!                                                         └─▶ wasm2native build ─▶ exe (x86_64, aarch64 under qemu)
//!        every engine's Behaviour ─▶ judged against the program's expected output and against wasmtime
//! ```
//!
//! A [`Behaviour`] is how the program ended (exit status, or the Wasm trap
//! kind) and the bytes it wrote to standard output and error. An
//! executable reports a trap as a last line `wasm trap: <kind> in ...` on
//! standard error with status 134; that line is taken apart into the trap
//! kind, so every engine's behaviour is comparable. An engine passes a
//! program when its behaviour equals the expected one (when the program
//! has one) and wasmtime's (when wasmtime ran). `parity wasi` runs it and
//! writes the report ([`report`]).

mod exe;
pub mod programs;
mod reference;
pub mod report;

use compiler::module::Target;
use compiler::runtime::TrapCode;
use compiler::{CompileOptions, Fault};
use emu::EmuError;
use emu::wasi::{WasiConfig, WasiExit};
use programs::Program;
use serde::Serialize;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where a program runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// wasmtime with `wasmtime-wasi`: the reference.
    Wasmtime,
    /// Our code in the in-process executor for the target.
    Emu(Target),
    /// Our code linked into an executable by `wasm2native build`.
    Exe(Target),
}

impl Engine {
    /// Parses `wasmtime`, `emu:x86_64`, `exe:aarch64`, ...
    pub fn parse(text: &str) -> Result<Engine, String> {
        let target = |isa: &str| match isa {
            "x86_64" => Ok(Target::X86_64),
            "aarch64" => Ok(Target::Aarch64),
            other => Err(format!("unknown ISA {other:?} in engine {text:?} (x86_64 or aarch64)")),
        };
        match text.split_once(':') {
            None if text == "wasmtime" => Ok(Engine::Wasmtime),
            Some(("emu", isa)) => Ok(Engine::Emu(target(isa)?)),
            Some(("exe", isa)) => Ok(Engine::Exe(target(isa)?)),
            _ => Err(format!("unknown engine {text:?}: wasmtime, emu:ISA or exe:ISA")),
        }
    }

    /// Roughly how many times longer than wasmtime a program runs here
    /// (from the audit's timings of the sightglass programs), so that the
    /// longest runs start first.
    fn relative_cost(self) -> u64 {
        match self {
            Engine::Wasmtime => 1,
            Engine::Emu(Target::X86_64) => 2,
            Engine::Exe(Target::X86_64) => 3,
            Engine::Exe(Target::Aarch64) => 12,
            Engine::Emu(Target::Aarch64) => 30,
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Engine::Wasmtime => f.write_str("wasmtime"),
            Engine::Emu(target) => write!(f, "emu:{target}"),
            Engine::Exe(target) => write!(f, "exe:{target}"),
        }
    }
}

/// How a program ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Ending {
    /// It exited with this status (0 when `_start` returned).
    Exited(i32),
    /// It trapped.
    Trapped(TrapCode),
}

impl std::fmt::Display for Ending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ending::Exited(status) => write!(f, "exit {status}"),
            Ending::Trapped(code) => write!(f, "trap: {code}"),
        }
    }
}

/// What a program did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Behaviour {
    /// How it ended.
    pub ending: Ending,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error (without an executable's trap report).
    pub stderr: Vec<u8>,
}

impl Behaviour {
    /// Where `self` differs from `other`, in words; `None` when equal.
    pub fn difference(&self, other: &Behaviour, other_name: &str) -> Option<String> {
        let mut parts = Vec::new();
        if self.ending != other.ending {
            parts.push(format!("ended with {} where {other_name} ended with {}", self.ending, other.ending));
        }
        for (stream, ours, theirs) in [("stdout", &self.stdout, &other.stdout), ("stderr", &self.stderr, &other.stderr)]
        {
            if ours != theirs {
                let at = ours.iter().zip(theirs.iter()).take_while(|(a, b)| a == b).count();
                parts.push(format!(
                    "{stream} differs from {other_name}'s at byte {at} ({} vs {} bytes): {:?} vs {:?}",
                    ours.len(),
                    theirs.len(),
                    excerpt(ours, at),
                    excerpt(theirs, at)
                ));
            }
        }
        if parts.is_empty() { None } else { Some(parts.join("; ")) }
    }
}

/// Up to 40 bytes of `bytes` from `at`, as text.
fn excerpt(bytes: &[u8], at: usize) -> String {
    let start = at.min(bytes.len());
    String::from_utf8_lossy(&bytes[start..bytes.len().min(start + 40)]).into_owned()
}

/// The verdict on one engine's run of one program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// It behaved as expected and as wasmtime did.
    Pass,
    /// It ran and behaved differently: how.
    Mismatch(String),
    /// It could not run the program: why (a compile or link error, a
    /// crash, a timeout).
    Failed(String),
}

/// One engine's run of one program.
#[derive(Clone, Debug, Serialize)]
pub struct EngineRun {
    /// The engine (`wasmtime`, `emu:x86_64`, ...).
    pub engine: String,
    /// What the program did, when it ran.
    pub behaviour: Option<Behaviour>,
    /// The verdict.
    pub verdict: Verdict,
    /// Wall-clock seconds, compilation included.
    pub seconds: f64,
}

/// Every engine's run of one program.
#[derive(Clone, Debug, Serialize)]
pub struct ProgramResult {
    /// The program's name.
    pub program: String,
    /// Where it comes from (`sightglass`, `corpus/wasi`).
    pub suite: String,
    /// One run per engine, in the order asked for.
    pub runs: Vec<EngineRun>,
}

/// How to run the programs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The engines, in report order.
    pub engines: Vec<Engine>,
    /// Runs at once.
    pub jobs: usize,
    /// Longest one run may take.
    pub timeout: Duration,
    /// The `wasm2native` binary (for the `exe:` engines).
    pub wasm2native: PathBuf,
    /// Where executables and per-run directories go.
    pub work_dir: PathBuf,
    /// A deliberate miscompilation for the `emu` engines (the harness's
    /// self-test: the runs must then stop passing).
    pub fault: Option<Fault>,
}

/// Runs every program on every engine (up to `jobs` at once, the runs
/// expected to be longest first) and judges each run. `progress` sees
/// every finished run.
pub fn run(
    programs: &[Program],
    options: &Options,
    progress: &(dyn Fn(&Program, &EngineRun) + Sync),
) -> Vec<ProgramResult> {
    // Each run is judged against the expectation as it finishes; against
    // wasmtime once every run is in. The queue starts with the runs
    // expected to be slowest (program size times engine cost), so that the
    // workers finish together.
    let mut order: Vec<(usize, usize)> = (0..programs.len())
        .flat_map(|program| (0..options.engines.len()).map(move |engine| (program, engine)))
        .collect();
    order.sort_by_key(|&(p, e)| std::cmp::Reverse(programs[p].weight() * options.engines[e].relative_cost()));
    let behaviours: Vec<Mutex<Vec<Option<EngineRun>>>> =
        programs.iter().map(|_| Mutex::new(vec![None; options.engines.len()])).collect();
    let queue: Mutex<VecDeque<(usize, usize)>> = Mutex::new(order.into());
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| {
                while let Some((p, e)) = queue.lock().map(|mut q| q.pop_front()).ok().flatten() {
                    let program = &programs[p];
                    let engine = options.engines[e];
                    let start = Instant::now();
                    let behaviour = run_one(program, engine, options);
                    let seconds = start.elapsed().as_secs_f64();
                    let verdict = match &behaviour {
                        Ok(behaviour) => {
                            match program.expected.as_ref().and_then(|e| behaviour.difference(e, "expected")) {
                                Some(difference) => Verdict::Mismatch(difference),
                                None => Verdict::Pass,
                            }
                        }
                        Err(error) => Verdict::Failed(error.clone()),
                    };
                    let run = EngineRun { engine: engine.to_string(), behaviour: behaviour.ok(), verdict, seconds };
                    progress(program, &run);
                    if let Ok(mut slots) = behaviours[p].lock() {
                        slots[e] = Some(run);
                    }
                }
            });
        }
    });
    let wasmtime = options.engines.iter().position(|&e| e == Engine::Wasmtime);
    programs
        .iter()
        .zip(behaviours)
        .map(|(program, runs)| {
            let mut runs: Vec<EngineRun> = runs.into_inner().unwrap_or_default().into_iter().flatten().collect();
            let reference = wasmtime.and_then(|i| runs.get(i)).and_then(|run| run.behaviour.clone());
            if let Some(reference) = reference {
                for run in runs.iter_mut().filter(|run| run.engine != "wasmtime") {
                    if let (Verdict::Pass, Some(behaviour)) = (&run.verdict, &run.behaviour)
                        && let Some(difference) = behaviour.difference(&reference, "wasmtime")
                    {
                        run.verdict = Verdict::Mismatch(difference);
                    }
                }
            }
            ProgramResult { program: program.name.clone(), suite: program.suite.clone(), runs }
        })
        .collect()
}

/// Runs `program` on `engine`.
fn run_one(program: &Program, engine: Engine, options: &Options) -> Result<Behaviour, String> {
    let dir = program.prepare_dir(&options.work_dir.join(format!("{engine}").replace(':', "-")))?;
    match engine {
        Engine::Wasmtime => reference::run(program, &dir),
        Engine::Emu(target) => run_emu(program, target, &dir, options),
        Engine::Exe(target) => exe::run(program, target, &dir, options),
    }
}

/// Compiles `program` for `target` and runs it in that target's executor.
fn run_emu(program: &Program, target: Target, dir: &std::path::Path, options: &Options) -> Result<Behaviour, String> {
    let wasm = std::fs::read(&program.wasm).map_err(|error| format!("reading {}: {error}", program.wasm.display()))?;
    let compile_options = CompileOptions { fault: options.fault, ..CompileOptions::new(target) };
    let module = compiler::compile_module(&wasm, &compile_options)
        .map_err(|error| format!("compiling for {target}: {error}"))?;
    let mut executor = emu::wasi::program_executor(target, Some(options.timeout)).map_err(|error| error.to_string())?;
    let config = WasiConfig {
        args: program.argv(),
        env: program.env.clone(),
        stdin: Vec::new(),
        preopen: Some(dir.to_path_buf()),
    };
    let run = emu::wasi::run_command(executor.as_mut(), Arc::new(module), config)
        .map_err(|error: EmuError| format!("{target} executor: {error}"))?;
    let ending = match run.exit {
        WasiExit::Exited(status) => Ending::Exited(status),
        WasiExit::Trapped(trap) => Ending::Trapped(trap.code),
    };
    Ok(Behaviour { ending, stdout: run.output.stdout, stderr: run.output.stderr })
}

/// Totals over results: (runs, passed, mismatched, failed).
pub fn totals(results: &[ProgramResult]) -> (usize, usize, usize, usize) {
    let runs = results.iter().flat_map(|r| &r.runs);
    runs.fold((0, 0, 0, 0), |(n, pass, mismatch, failed), run| match run.verdict {
        Verdict::Pass => (n + 1, pass + 1, mismatch, failed),
        Verdict::Mismatch(_) => (n + 1, pass, mismatch + 1, failed),
        Verdict::Failed(_) => (n + 1, pass, mismatch, failed + 1),
    })
}
