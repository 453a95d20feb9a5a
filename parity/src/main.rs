//! The `parity` command line: the entry point of the verification harness.
//!
//! ```text
//! parity wast [--isa x86_64,aarch64] [--check | --bless] [--json OUT] PATHS...
//!   └─▶ parity::wast (script ─▶ run ─▶ report ─▶ expectations)
//! parity sweep [--count N] [--seed S] [--isa ..] [--jobs J] [--out DIR] [--json OUT]
//!              [--inject-fault F] [--stop-on-divergence] [--markdown OUT] [--html OUT]
//!   └─▶ parity::diff::sweep (generate ─▶ run_case on wasmtime + our ISAs ─▶ Summary ─▶ report)
//! parity replay CASE.json [--isa ..] [--inject-fault F]
//!   └─▶ parity::diff::sweep::replay (one saved divergent case, verbosely)
//! parity reduce CASE.json [--name NAME] [--corpus DIR] [--inject-fault F]
//!   └─▶ parity::diff::reduce ─▶ parity::diff::corpus::write (corpus/diff/NAME.json)
//! parity corpus [PATHS..]
//!   └─▶ parity::diff::corpus::check (every regression case, every ISA, no fault)
//! parity encode [--isa ..] [--cases N] [--seed S] [--second-decoder] [--jobs J] [--json OUT]
//!   └─▶ parity::encode (generated instances of every form ─▶ encoder oracles (+ capstone) ─▶ summary)
//! parity report [--isa ..] [--cases N] [--seed S] [--jobs J] [--out-dir audit]
//!   └─▶ parity::encode + capstone + Cranelift ─▶ parity::encode::report (audit/encoding.{json,md,html})
//! parity whole [--isa ..] [--corpus PATH...] [--json OUT] [--examples N]
//!   └─▶ parity::whole (wasmtime's code ─▶ lift ─▶ our emitter ─▶ identical / equivalent / different)
//! parity wasi [--engines wasmtime,emu:ISA,exe:ISA] [--suites sightglass,corpus] [--only NAMES]
//!             [--jobs J] [--markdown OUT] [--json OUT]
//!   └─▶ parity::wasi (WASI programs in wasmtime-wasi, emu and executables ─▶ expected output + wasmtime)
//! ```
//!
//! Exit status: 0 when nothing failed (with `--check`: nothing regressed
//! against the expectations; with `--bless`: the expectations were written),
//! 1 when something failed or regressed (for `sweep`, `replay` and
//! `corpus`: any divergence; for `encode` and `report`: any wrong encoding), 2 on usage
//! errors and unreadable paths. The last line of a `wast` run is always
//! `N passed, N failed, N skipped`; CI parses it. The last line of a
//! `sweep` is `divergences: N`, of an `encode` `defects: N`, of a `whole`
//! `different: N` (exit 1 when it is not 0), of a `wasi` `not passed: N` (the same).

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use compiler::module::Target;
use parity::wast::{self, Expectations, RunOptions};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

mod diff_commands;
mod encode_command;
mod report_command;
mod wasi_command;
mod whole_command;

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
    Sweep(diff_commands::SweepArgs),
    /// Re-run one saved divergent case (a .json file written by `sweep`).
    Replay(diff_commands::ReplayArgs),
    /// Shrink a divergent case and write it into the regression corpus.
    Reduce(diff_commands::ReduceArgs),
    /// Run the differential regression corpus (corpus/diff).
    Corpus(diff_commands::CorpusArgs),
    /// Encoder sweep: generated instances of every instruction form, checked by the decoder oracles.
    Encode(encode_command::EncodeArgs),
    /// Encoding audit report: the encoder sweep with capstone and Cranelift, as audit/encoding.{json,md,html}.
    Report(report_command::ReportArgs),
    /// Whole-function parity: Cranelift's code for a corpus, re-encoded instruction by instruction.
    Whole(whole_command::WholeArgs),
    /// WASI programs (sightglass, corpus/wasi) in wasmtime-wasi, in emu and as executables, side by side.
    Wasi(wasi_command::WasiArgs),
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

    /// Files run at once [default: the number of CPUs]; the output is the
    /// same for any number.
    #[arg(long)]
    jobs: Option<usize>,

    /// .wast files, or directories whose *.wast files are run (not recursive)
    /// [default: the root .wast files of $WASM_TESTSUITE].
    paths: Vec<PathBuf>,
}

pub(crate) fn parse_isa(name: &str) -> Result<Target, String> {
    Target::from_name(name).ok_or_else(|| format!("unknown ISA {name:?} (known: x86_64, aarch64)"))
}

/// Failures shown per file without `--verbose`.
const MAX_FAILURES_SHOWN: usize = 10;

fn main() -> ExitCode {
    // Output piped into `head` ends quietly, as in any Unix tool, instead of
    // panicking on the broken pipe.
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Wast(args) => run_wast(args),
        Command::Sweep(args) => diff_commands::run_sweep(args),
        Command::Replay(args) => diff_commands::run_replay(args),
        Command::Reduce(args) => diff_commands::run_reduce(args),
        Command::Corpus(args) => diff_commands::run_corpus(args),
        Command::Encode(args) => encode_command::run_encode(args),
        Command::Report(args) => report_command::run_report(args),
        Command::Whole(args) => whole_command::run_whole(args),
        Command::Wasi(args) => wasi_command::run_wasi(args),
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
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let options = RunOptions { isas, testsuite_dir: wast::default_testsuite_dir(), jobs };
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
