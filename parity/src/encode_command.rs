//! The `parity encode` subcommand: the encoder sweep of `parity::encode`
//! with a progress bar, a text summary per ISA and an optional JSON report.
//! Thin: it parses the arguments, runs each ISA, prints, and sets the exit
//! status (1 on any defect).

use crate::parse_isa;
use anyhow::{Context, Result};
use clap::Args;
use compiler::module::Target;
use parity::encode::{self, Aarch64, EncodeReport, Options, Progress, X64};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct EncodeArgs {
    /// ISAs to sweep, comma separated (x86_64, aarch64).
    #[arg(long, value_delimiter = ',', default_value = "x86_64,aarch64", value_parser = parse_isa)]
    isa: Vec<Target>,

    /// Instances wanted of every instruction form.
    #[arg(long, default_value_t = 10_000)]
    cases: u64,

    /// Seed of the instance streams.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Also decode every instance with capstone and report where it and the
    /// primary decoder disagree.
    #[arg(long)]
    second_decoder: bool,

    /// Also encode every instance with real Cranelift and compare the bytes
    /// (identical / equivalent with a reason / different / no counterpart).
    #[arg(long)]
    cranelift: bool,

    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    jobs: usize,

    /// Most instances per ISA [default: 100,000 x --cases, at least 1,000,000].
    #[arg(long)]
    max_instances: Option<u64>,

    /// Examples shown of each kind (defects, disagreements, short forms).
    #[arg(long, default_value_t = 5)]
    examples: usize,

    /// Write the summaries (with per-form rows) as JSON.
    #[arg(long, value_name = "OUT")]
    json: Option<PathBuf>,
}

/// Runs the sweep of `isa` with a progress bar on a terminal.
pub(crate) fn sweep_with_progress(isa: Target, options: &Options) -> encode::IsaSummary {
    let bar = progress_bar(isa.name(), true);
    let update = |p: Progress| {
        bar.set_length(p.target.max(1));
        bar.set_position(p.filled);
        bar.set_message(format!("{} instances", p.instances));
    };
    let summary = match isa {
        Target::X86_64 => encode::run_isa::<X64>(options, &update),
        Target::Aarch64 => encode::run_isa::<Aarch64>(options, &update),
    };
    bar.finish_and_clear();
    summary
}

pub(crate) fn progress_bar(isa: &str, show: bool) -> indicatif::ProgressBar {
    if !show || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(1);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{prefix} [{elapsed_precise}] [{bar:40}] {percent}% {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(isa.to_string());
    bar
}

pub fn run_encode(args: EncodeArgs) -> Result<ExitCode> {
    let mut options = Options::new(args.cases, args.seed);
    options.second_decoder = args.second_decoder;
    options.cranelift = args.cranelift;
    options.jobs = args.jobs.max(1);
    if let Some(max) = args.max_instances {
        options.max_instances = max;
    }
    let mut isas = Vec::new();
    for isa in args.isa {
        if !isas.contains(&isa) {
            isas.push(isa);
        }
    }
    let mut report = EncodeReport { isas: Vec::new() };
    for isa in isas {
        let summary = sweep_with_progress(isa, &options);
        print!("{}", summary.to_text(args.examples));
        report.isas.push(summary);
    }
    if let Some(path) = &args.json {
        std::fs::write(path, report.to_json())
            .with_context(|| format!("{}: cannot write the JSON report", path.display()))?;
    }
    let defects: u64 = report.isas.iter().map(|s| s.defects).sum();
    println!("defects: {defects}");
    Ok(if report.has_defects() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
