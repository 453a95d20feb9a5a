//! The differential subcommands of `parity`: `sweep`, `replay`, `reduce`
//! and `corpus`. Thin: each parses its arguments, calls `parity::diff`, and
//! prints what an engineer needs to act on.

use crate::parse_isa;
use anyhow::{Context, Result};
use clap::Args;
use compiler::Fault;
use compiler::module::Target;
use parity::diff::corpus::{self, CorpusCase, Origin};
use parity::diff::reduce::{self, ReduceOptions};
use parity::diff::report;
use parity::diff::sweep::{self, Generator, SweepOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn parse_generator(name: &str) -> Result<Generator, String> {
    Generator::from_name(name).ok_or_else(|| format!("unknown generator {name:?} (known: smith, single)"))
}

pub(crate) fn parse_fault(name: &str) -> Result<Fault, String> {
    Fault::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
        format!("unknown fault {name:?} (known: {})", known.join(", "))
    })
}

#[derive(Args)]
pub struct SweepArgs {
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

    /// Write the auditors' report as Markdown.
    #[arg(long, value_name = "OUT")]
    markdown: Option<PathBuf>,

    /// Write the auditors' report as one self-contained HTML page.
    #[arg(long, value_name = "OUT")]
    html: Option<PathBuf>,

    /// Self-test: make the compiler commit a known bug class
    /// (shift-mask, compare-sign, spill-width); the sweep must then diverge.
    #[arg(long, value_name = "FAULT", value_parser = parse_fault)]
    inject_fault: Option<Fault>,

    /// Stop at the first divergent case.
    #[arg(long)]
    stop_on_divergence: bool,
}

#[derive(Args)]
pub struct ReplayArgs {
    /// ISAs to run the case on, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "x86_64,aarch64", value_parser = parse_isa)]
    isa: Vec<Target>,

    /// Compile with this fault committed (to replay a self-test case).
    #[arg(long, value_name = "FAULT", value_parser = parse_fault)]
    inject_fault: Option<Fault>,

    /// A case file written by `parity sweep` (or a bare case as JSON).
    case: PathBuf,
}

#[derive(Args)]
pub struct ReduceArgs {
    /// ISAs to run candidates on, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "x86_64,aarch64", value_parser = parse_isa)]
    isa: Vec<Target>,

    /// The fault the case was found with (a self-test case).
    #[arg(long, value_name = "FAULT", value_parser = parse_fault)]
    inject_fault: Option<Fault>,

    /// wasm-shrink attempts without progress before it stops.
    #[arg(long, default_value_t = 300)]
    attempts: u32,

    /// The corpus directory to write into.
    #[arg(long, value_name = "DIR", default_value = "corpus/diff")]
    corpus: PathBuf,

    /// The corpus case's name [default: the case file's stem].
    #[arg(long)]
    name: Option<String>,

    /// One sentence on what the case is about [default: its first divergence].
    #[arg(long)]
    description: Option<String>,

    /// A divergent case file written by `parity sweep`.
    case: PathBuf,
}

#[derive(Args)]
pub struct CorpusArgs {
    /// ISAs to run on, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "x86_64,aarch64", value_parser = parse_isa)]
    isa: Vec<Target>,

    /// Corpus case files, or directories of them [default: corpus/diff].
    paths: Vec<PathBuf>,
}

fn dedup(isas: Vec<Target>) -> Vec<Target> {
    let mut unique = Vec::new();
    for isa in isas {
        if !unique.contains(&isa) {
            unique.push(isa);
        }
    }
    unique
}

fn write_text(path: &Path, text: String, what: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("{}: cannot write the {what}", path.display()))
}

pub fn run_sweep(args: SweepArgs) -> Result<ExitCode> {
    let options = SweepOptions {
        count: args.count,
        seed: args.seed,
        isas: dedup(args.isa),
        jobs: args.jobs.max(1),
        generators: args.generators,
        out_dir: Some(args.out),
        progress: true,
        fault: args.inject_fault,
        stop_on_divergence: args.stop_on_divergence,
    };
    let summary = sweep::sweep(&options).map_err(anyhow::Error::msg)?;
    if let Some(path) = &args.json {
        write_text(path, serde_json::to_string_pretty(&summary)? + "\n", "JSON summary")?;
    }
    if let Some(path) = &args.markdown {
        write_text(path, report::to_markdown(&summary), "Markdown report")?;
    }
    if let Some(path) = &args.html {
        write_text(path, report::to_html(&summary), "HTML report")?;
    }
    print!("{}", summary.to_text());
    Ok(if summary.divergence_count() > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

pub fn run_replay(args: ReplayArgs) -> Result<ExitCode> {
    let case = sweep::read_case(&args.case).map_err(anyhow::Error::msg)?;
    let (report, unavailable) = sweep::replay(&case, &args.isa, args.inject_fault).map_err(anyhow::Error::msg)?;
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

pub fn run_reduce(args: ReduceArgs) -> Result<ExitCode> {
    let case = sweep::read_case(&args.case).map_err(anyhow::Error::msg)?;
    let options = ReduceOptions { isas: dedup(args.isa), fault: args.inject_fault, attempts: args.attempts, seed: 42 };
    let reduced = reduce::reduce(&case, &options).map_err(anyhow::Error::msg)?;
    println!(
        "reduced: module {} -> {} bytes, calls {} -> {}, {} candidates run",
        reduced.original_bytes, reduced.reduced_bytes, reduced.original_calls, reduced.reduced_calls, reduced.runs
    );
    for divergence in &reduced.divergences {
        println!("DIVERGENCE: {divergence}");
    }
    // The expectation: what the reference does with the reduced program.
    let (report, _) = sweep::replay(&reduced.case, &[], None).map_err(anyhow::Error::msg)?;
    let name = match args.name {
        Some(name) => name,
        None => args.case.file_stem().map(|s| s.to_string_lossy().replace('.', "_")).unwrap_or_default(),
    };
    let description =
        args.description.unwrap_or_else(|| reduced.divergences.first().map(|d| d.to_string()).unwrap_or_default());
    let corpus_case = CorpusCase {
        description,
        case: reduced.case,
        expected: report.reference,
        origin: Origin {
            source: args.case.display().to_string(),
            fault: args.inject_fault.map(|f| f.name().to_string()),
            divergences: reduced.divergences,
            bytes: (reduced.original_bytes, reduced.reduced_bytes),
            calls: (reduced.original_calls, reduced.reduced_calls),
        },
    };
    let path = corpus::write(&args.corpus, &name, &corpus_case).map_err(anyhow::Error::msg)?;
    println!("wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}

pub fn run_corpus(args: CorpusArgs) -> Result<ExitCode> {
    let paths = if args.paths.is_empty() { vec![PathBuf::from("corpus/diff")] } else { args.paths };
    let files = corpus::case_files(&paths).map_err(anyhow::Error::msg)?;
    let isas = dedup(args.isa);
    let mut failed = 0;
    for file in &files {
        let result = corpus::check(file, &isas);
        let status = if result.problems.is_empty() { "ok" } else { "FAILED" };
        println!("{status} {} ({})", file.display(), result.engines.join(", "));
        for problem in &result.problems {
            println!("  {problem}");
        }
        failed += usize::from(!result.problems.is_empty());
    }
    println!("{} passed, {failed} failed", files.len() - failed);
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
