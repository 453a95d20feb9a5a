//! The `parity` command line: the entry point of the verification harness.
//!
//! ```text
//! parity wast [--isa x86_64,aarch64] [--check | --bless] [--json OUT] PATHS...
//!   └─▶ parity::wast (script ─▶ run ─▶ report ─▶ expectations)
//! parity sweep [--count N] [--seed S] [--isa ..] [--jobs J] [--out DIR] [--json OUT]
//!   └─▶ parity::diff::sweep (generate ─▶ run_case on wasmtime + our ISAs ─▶ Summary)
//! parity replay CASE.json [--isa ..]
//!   └─▶ parity::diff::sweep::replay (one saved divergent case, verbosely)
//! ```
//!
//! Exit status: 0 when nothing failed (with `--check`: nothing regressed
//! against the expectations; with `--bless`: the expectations were written),
//! 1 when something failed or regressed (for `sweep` and `replay`: any
//! divergence), 2 on usage errors and unreadable paths. The last line of a
//! `wast` run is always `N passed, N failed, N skipped`; CI parses it. The
//! last line of a `sweep` is `divergences: N`.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use compiler::module::Target;
use parity::diff::sweep::{self, Generator, SweepOptions};
use parity::wast::{self, Expectations, RunOptions};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The wasm2native verification harness.
#[derive(Parser)]
#[command(name = "parity", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run WebAssembly spec-test scripts (.wast) through the compiler and executors.
    Wast(WastArgs),
    /// Differential sweep: generated programs in wasmtime and in our compiled code.
    Sweep(SweepArgs),
    /// Re-run one saved divergent case (a .json file written by `sweep`).
    Replay(ReplayArgs),
}

#[derive(Args)]
struct SweepArgs {
    /// Number of programs to generate and run.
    #[arg(long, default_value_t = 100)]
    count: u64,

    /// Seed of the deterministic generators.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Our ISAs to compare with wasmtime, comma separated; unavailable ones
    /// are reported and skipped.
    #[arg(long, value_delimiter = ',', default_value = "x86_64,aarch64", value_parser = parse_isa)]
    isa: Vec<Target>,

    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    jobs: usize,

    /// Generators to use in turn (smith, single).
    #[arg(long, value_delimiter = ',', default_value = "smith,single", value_parser = parse_generator)]
    generators: Vec<Generator>,

    /// Where to write divergent cases (.wasm + .json).
    #[arg(long, value_name = "DIR", default_value = "target/divergences")]
    out: PathBuf,

    /// Write the summary as JSON.
    #[arg(long, value_name = "OUT")]
    json: Option<PathBuf>,
}

#[derive(Args)]
struct ReplayArgs {
    /// ISAs to run the case on, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "x86_64,aarch64", value_parser = parse_isa)]
    isa: Vec<Target>,

    /// A case file written by `parity sweep` (or a bare case as JSON).
    case: PathBuf,
}

fn parse_generator(name: &str) -> Result<Generator, String> {
    Generator::from_name(name).ok_or_else(|| format!("unknown generator {name:?} (known: smith, single)"))
}

#[derive(Args)]
struct WastArgs {
    /// ISAs to run on, comma separated (x86_64, aarch64).
    #[arg(long, value_delimiter = ',', default_value = "x86_64,aarch64", value_parser = parse_isa)]
    isa: Vec<Target>,

    /// The expectations file [default: parity/expectations/wast.tsv].
    #[arg(long, value_name = "FILE")]
    expectations: Option<PathBuf>,

    /// Fail (exit 1) if any file passes fewer or fails more directives than expected.
    #[arg(long, conflicts_with = "bless")]
    check: bool,

    /// Rewrite the expectations rows of the files and ISAs run.
    #[arg(long)]
    bless: bool,

    /// Write per-file, per-ISA results (with skip reasons and failures) as JSON.
    #[arg(long, value_name = "OUT")]
    json: Option<PathBuf>,

    /// Write the auditors' Markdown report (per-file table, skip reasons,
    /// failures).
    #[arg(long, value_name = "OUT")]
    markdown: Option<PathBuf>,

    /// Show every failure and the skip reasons of each file.
    #[arg(long, short)]
    verbose: bool,

    /// .wast files, or directories whose *.wast files are run (not recursive)
    /// [default: the root .wast files of $WASM_TESTSUITE].
    paths: Vec<PathBuf>,
}

fn parse_isa(name: &str) -> Result<Target, String> {
    Target::from_name(name).ok_or_else(|| format!("unknown ISA {name:?} (known: x86_64, aarch64)"))
}

/// Failures shown per file without `--verbose`.
const MAX_FAILURES_SHOWN: usize = 10;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Wast(args) => run_wast(args),
        Command::Sweep(args) => run_sweep(args),
        Command::Replay(args) => run_replay(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run_wast(args: WastArgs) -> Result<ExitCode> {
    let files =
        if args.paths.is_empty() { wast::default_wast_files()? } else { wast::collect_wast_files(&args.paths)? };
    if files.is_empty() {
        eprintln!("warning: no .wast files to run");
    }
    let expectations_path = args.expectations.clone().unwrap_or_else(wast::default_expectations_path);
    // Read the expectations before the (long) run, so a bad file fails fast.
    let expectations = if args.check || args.bless {
        load_expectations(&expectations_path, args.bless)?
    } else {
        Expectations::default()
    };

    let mut isas = Vec::new();
    for isa in args.isa {
        if !isas.contains(&isa) {
            isas.push(isa);
        }
    }
    let options = RunOptions { isas, testsuite_dir: wast::default_testsuite_dir() };
    let stdout = std::io::stdout();
    let report = wast::run_files_with(&wast::CompilerBackend, &files, &options, &mut |file| {
        let mut out = stdout.lock();
        // A closed stdout is not worth aborting the run for.
        let _ = file.write_text(&mut out, args.verbose, MAX_FAILURES_SHOWN);
        let _ = out.flush();
    });

    if let Some(markdown_path) = &args.markdown {
        let note = format!(
            "{} file runs on {}",
            report.files.len(),
            options.isas.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
        );
        std::fs::write(markdown_path, wast::markdown::render(&report, &note))
            .with_context(|| format!("{}: cannot write the Markdown report", markdown_path.display()))?;
    }
    if let Some(json_path) = &args.json {
        std::fs::write(json_path, report.to_json())
            .with_context(|| format!("{}: cannot write the JSON report", json_path.display()))?;
    }

    let mut code = if report.has_failures() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
    if args.check {
        let check = expectations.check(&report);
        for line in &check.unexpected {
            println!("new: {line}");
        }
        for line in &check.improvements {
            println!("improved: {line} (run with --bless to record)");
        }
        for line in &check.regressions {
            println!("REGRESSION: {line}");
        }
        code = if check.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    }
    if args.bless {
        let mut expectations = expectations;
        expectations.bless(&report);
        if let Some(parent) = expectations_path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("{}: cannot create", parent.display()))?;
        }
        std::fs::write(&expectations_path, expectations.to_tsv())
            .with_context(|| format!("{}: cannot write the expectations", expectations_path.display()))?;
        println!("blessed {} row(s) into {}", report.files.len(), expectations_path.display());
        code = ExitCode::SUCCESS;
    }
    println!("{}", report.totals());
    Ok(code)
}

fn run_sweep(args: SweepArgs) -> Result<ExitCode> {
    let mut isas = Vec::new();
    for isa in args.isa {
        if !isas.contains(&isa) {
            isas.push(isa);
        }
    }
    let options = SweepOptions {
        count: args.count,
        seed: args.seed,
        isas,
        jobs: args.jobs.max(1),
        generators: args.generators,
        out_dir: Some(args.out),
        progress: true,
    };
    let summary = sweep::sweep(&options).map_err(anyhow::Error::msg)?;
    if let Some(json_path) = &args.json {
        let json = serde_json::to_string_pretty(&summary)?;
        std::fs::write(json_path, json + "\n")
            .with_context(|| format!("{}: cannot write the JSON summary", json_path.display()))?;
    }
    print!("{}", summary.to_text());
    Ok(if summary.divergence_count() > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn run_replay(args: ReplayArgs) -> Result<ExitCode> {
    let case = sweep::read_case(&args.case).map_err(anyhow::Error::msg)?;
    let (report, unavailable) = sweep::replay(&case, &args.isa).map_err(anyhow::Error::msg)?;
    for (target, reason) in &unavailable {
        println!("{target}: not run: {reason}");
    }
    println!(
        "reference: {} calls, {} returned, traps {:?}, resource limits {:?}",
        report.reference.calls, report.reference.returns, report.reference.traps, report.reference.resource_limits
    );
    for tally in &report.engines {
        println!(
            "{}: module {:?}, {} compared, {} agreed, {} unsupported, {} not run",
            tally.engine, tally.module, tally.compared, tally.agreed, tally.unsupported, tally.not_run
        );
    }
    for divergence in &report.divergences {
        println!("DIVERGENCE: {divergence}");
    }
    println!("divergences: {}", report.divergences.len());
    Ok(if report.divergences.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Reads the expectations file; a missing file is empty expectations when
/// blessing (it will be created) and an error when checking.
fn load_expectations(path: &PathBuf, missing_is_empty: bool) -> Result<Expectations> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if missing_is_empty && error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Expectations::default());
        }
        Err(error) => {
            return Err(error).with_context(|| format!("{}: cannot read the expectations", path.display()));
        }
    };
    Expectations::parse(&text).with_context(|| format!("{}: malformed expectations", path.display()))
}
