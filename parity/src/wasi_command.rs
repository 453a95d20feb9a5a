//! The `parity wasi` subcommand: real WASI programs (sightglass, corpus/wasi)
//! in wasmtime-wasi, in our `emu` executors and as our linked executables
//! (`parity::wasi`). Thin: it gathers the programs, runs them, prints one
//! line per run and a summary, writes the reports, and sets the exit
//! status (1 on any mismatch or failure).

use anyhow::{Result, anyhow, bail};
use clap::Args;
use compiler::Fault;
use parity::wasi::programs::{self, Program};
use parity::wasi::{self, Engine, EngineRun, Options, Verdict, report};
use parity::whole::corpus::default_sightglass_dir;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args)]
pub struct WasiArgs {
    /// Engines, comma separated: wasmtime, emu:x86_64, emu:aarch64, exe:x86_64, exe:aarch64.
    #[arg(long, value_delimiter = ',', value_parser = Engine::parse,
          default_value = "wasmtime,emu:x86_64,emu:aarch64,exe:x86_64,exe:aarch64")]
    engines: Vec<Engine>,

    /// Suites, comma separated: sightglass, corpus.
    #[arg(long, value_delimiter = ',', default_value = "sightglass,corpus")]
    suites: Vec<String>,

    /// The sightglass checkout [default: $SIGHTGLASS, else ../shared/sightglass].
    #[arg(long, value_name = "DIR")]
    sightglass: Option<PathBuf>,

    /// The corpus/wasi folder (cases.json and the .wasm files).
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,

    /// Only these programs (by name), comma separated.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,

    /// Runs at once [default: the number of CPUs].
    #[arg(long)]
    jobs: Option<usize>,

    /// Longest one run may take, in seconds.
    #[arg(long, default_value_t = 600)]
    timeout: u64,

    /// The wasm2native binary for the exe engines [default: beside this one].
    #[arg(long, value_name = "PATH")]
    wasm2native: Option<PathBuf>,

    /// Write the report as Markdown.
    #[arg(long, value_name = "OUT")]
    markdown: Option<PathBuf>,

    /// Write the report as JSON.
    #[arg(long, value_name = "OUT")]
    json: Option<PathBuf>,

    /// Miscompile on purpose in the emu engines (shift-mask, compare-sign,
    /// spill-width): the harness's self-test.
    #[arg(long, value_name = "FAULT", value_parser = crate::diff_commands::parse_fault)]
    inject_fault: Option<Fault>,
}

fn gather(args: &WasiArgs) -> Result<Vec<Program>> {
    let mut programs = Vec::new();
    for suite in &args.suites {
        match suite.as_str() {
            "sightglass" => {
                let dir = args.sightglass.clone().unwrap_or_else(default_sightglass_dir);
                if dir.is_dir() {
                    programs.extend(programs::sightglass(&dir).map_err(|e| anyhow!(e))?);
                } else if args.sightglass.is_some() {
                    bail!("{}: no sightglass checkout there", dir.display());
                } else {
                    println!("SKIPPED sightglass: no checkout at {} (set SIGHTGLASS)", dir.display());
                }
            }
            "corpus" => {
                let dir =
                    args.corpus.clone().unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/wasi"));
                programs.extend(programs::corpus(&dir).map_err(|e| anyhow!(e))?);
            }
            other => bail!("unknown suite {other:?}: sightglass or corpus"),
        }
    }
    if !args.only.is_empty() {
        if let Some(missing) = args.only.iter().find(|name| !programs.iter().any(|p| &p.name == *name)) {
            bail!("no program named {missing:?} in the chosen suites");
        }
        programs.retain(|p| args.only.contains(&p.name));
    }
    Ok(programs)
}

fn wasm2native_path(args: &WasiArgs) -> Result<PathBuf> {
    if let Some(path) = &args.wasm2native {
        return Ok(path.clone());
    }
    let me = std::env::current_exe().map_err(|e| anyhow!("cannot locate the parity binary: {e}"))?;
    Ok(me.with_file_name("wasm2native"))
}

pub fn run_wasi(args: WasiArgs) -> Result<ExitCode> {
    let programs = gather(&args)?;
    if programs.is_empty() {
        bail!("no programs to run");
    }
    let wasm2native = wasm2native_path(&args)?;
    if args.engines.iter().any(|e| matches!(e, Engine::Exe(_))) && !wasm2native.exists() {
        bail!(
            "the exe engines need the wasm2native binary, not found at {} (cargo build -p wasm2native-cli, \
             or pass --wasm2native)",
            wasm2native.display()
        );
    }
    let work_dir = std::env::temp_dir().join(format!("parity-wasi-{}", std::process::id()));
    let options = Options {
        engines: args.engines.clone(),
        jobs: args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        timeout: Duration::from_secs(args.timeout),
        wasm2native,
        work_dir: work_dir.clone(),
        fault: args.inject_fault,
    };
    println!("{} programs on {} engines, {} at once", programs.len(), options.engines.len(), options.jobs);
    let progress = |program: &Program, run: &EngineRun| {
        let ending = run.behaviour.as_ref().map_or(String::new(), |b| format!("{}, ", b.ending));
        let status = match &run.verdict {
            Verdict::Pass => "PASS".to_string(),
            Verdict::Mismatch(why) => format!("MISMATCH ({why})"),
            Verdict::Failed(why) => format!("FAILED ({why})"),
        };
        println!("{status:<6} {} on {} ({ending}{:.1} s)", program.name, run.engine, run.seconds);
    };
    let results = wasi::run(&programs, &options, &progress);
    let _ = std::fs::remove_dir_all(&work_dir);
    // Runs that pass on their own can still disagree with wasmtime: list
    // the final verdicts that are not passes.
    for result in &results {
        for run in &result.runs {
            if let Verdict::Mismatch(why) | Verdict::Failed(why) = &run.verdict {
                println!("NOT PASSED {} on {}: {why}", result.program, run.engine);
            }
        }
    }
    let engines: Vec<String> = options.engines.iter().map(Engine::to_string).collect();
    if let Some(path) = &args.markdown {
        std::fs::write(path, report::to_markdown(&results, &engines))
            .map_err(|e| anyhow!("{}: cannot write the report: {e}", path.display()))?;
    }
    if let Some(path) = &args.json {
        std::fs::write(path, report::to_json(&results))
            .map_err(|e| anyhow!("{}: cannot write the report: {e}", path.display()))?;
    }
    let (runs, passed, mismatched, failed) = wasi::totals(&results);
    println!("{runs} runs of {} programs: {passed} passed, {mismatched} mismatched, {failed} failed", results.len());
    println!("not passed: {}", mismatched + failed);
    Ok(if mismatched + failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
