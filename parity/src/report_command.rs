//! The `parity report` subcommand: the encoder sweep of `parity::encode`
//! with the second decoder and Cranelift parity on, written as the encoding
//! audit report (`encoding.json`, `encoding.md`, `encoding.html`, see
//! `parity::encode::report`), with the whole-function parity of
//! `parity::whole` as a section of its own. Thin: it parses the arguments, runs each ISA,
//! writes the files and sets the exit status (1 on any defect or any
//! difference in meaning from Cranelift, after writing them).

use crate::encode_command::{progress_bar, sweep_with_progress};
use crate::parse_isa;
use anyhow::{Context, Result, anyhow};
use clap::Args;
use compiler::module::Target;
use parity::encode::Options;
use parity::encode::report::EncodingAudit;
use parity::whole;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ReportArgs {
    /// ISAs to sweep, comma separated (x86_64, aarch64).
    #[arg(long, value_delimiter = ',', default_value = "x86_64,aarch64", value_parser = parse_isa)]
    isa: Vec<Target>,

    /// Instances wanted of every instruction form.
    #[arg(long, default_value_t = 1000)]
    cases: u64,

    /// Seed of the instance streams.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Worker threads (the report is the same for any number).
    #[arg(long, default_value_t = 1)]
    jobs: usize,

    /// Most instances per ISA [default: 100,000 x --cases, at least 1,000,000].
    #[arg(long)]
    max_instances: Option<u64>,

    /// Mismatches shown per group in the Markdown and HTML (the JSON has all).
    #[arg(long, default_value_t = 5)]
    shown: usize,

    /// Modules for the whole-function parity section: .wasm files or
    /// directories [default: as `parity whole`].
    #[arg(long, value_name = "PATH", num_args = 1..)]
    whole_corpus: Vec<PathBuf>,

    /// Leave out the whole-function parity section.
    #[arg(long)]
    no_whole: bool,

    /// Where to write encoding.{json,md,html}.
    #[arg(long, default_value = "audit")]
    out_dir: PathBuf,
}

pub fn run_report(args: ReportArgs) -> Result<ExitCode> {
    let mut options = Options::new(args.cases, args.seed);
    options.second_decoder = true;
    options.cranelift = true;
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
    let mut summaries = Vec::new();
    for &isa in &isas {
        let summary = sweep_with_progress(isa, &options);
        println!(
            "{}: {} instances, forms {}/{}, {} defects, {} decoder disagreements, {:.1} s",
            summary.isa,
            summary.instances,
            summary.forms_covered,
            summary.forms_total,
            summary.defects,
            summary.second.as_ref().map_or(0, |s| s.disagree),
            summary.elapsed_secs
        );
        summaries.push(summary);
    }
    let mut extras = Vec::new();
    let mut whole_different = 0;
    if !args.no_whole {
        let corpus = if args.whole_corpus.is_empty() {
            whole::corpus::default_corpus().map_err(|e| anyhow!(e))?
        } else {
            whole::Corpus {
                modules: whole::corpus::collect(&args.whole_corpus).map_err(|e| anyhow!(e))?,
                notes: vec![],
            }
        };
        let bar = progress_bar("whole", true);
        let progress = |isa: &str, done: usize, total: usize, module: &str| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message(format!("{isa} {module}"));
        };
        let report = whole::run(corpus, &isas, &whole::Options { examples: args.shown.max(1) }, &progress);
        bar.finish_and_clear();
        for isa in &report.isas {
            println!(
                "{} whole-function: {} instructions, {:.2}% expressible, {:.2}% identical, {} equivalent, {} different",
                isa.isa,
                isa.functions.instructions,
                isa.functions.expressible_percent,
                isa.functions.identical_percent,
                isa.functions.equivalent,
                isa.different()
            );
        }
        whole_different = report.different();
        extras.push(whole::section::extra_section(&report, args.shown));
    }
    let audit = EncodingAudit::new(&summaries, extras);
    let paths = audit
        .write_files(&args.out_dir, args.shown)
        .with_context(|| format!("{}: cannot write the encoding report", args.out_dir.display()))?;
    for path in &paths {
        println!("wrote {}", path.display());
    }
    println!("cranelift different: {}", audit.totals.cranelift_different);
    println!("defects: {}", audit.totals.defects);
    println!("whole-function different: {whole_different}");
    Ok(if audit.has_defects() || whole_different > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
