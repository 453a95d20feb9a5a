//! The `parity whole` subcommand: whole-function Cranelift parity
//! (`parity::whole`) over a corpus of modules, with a text summary per ISA
//! and an optional JSON report. Thin: it parses the arguments, gathers the
//! corpus, runs each ISA, prints, and sets the exit status (1 on any
//! instruction we re-encode to something else).

use crate::parse_isa;
use anyhow::{Result, anyhow};
use clap::Args;
use compiler::module::Target;
use parity::whole::{self, Options, corpus};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct WholeArgs {
    /// ISAs to compile for, comma separated (x86_64, aarch64).
    #[arg(long, value_delimiter = ',', default_value = "x86_64,aarch64", value_parser = parse_isa)]
    isa: Vec<Target>,

    /// .wasm files, or directories searched for them (recursively)
    /// [default: $SIGHTGLASS/benchmarks/*/*.wasm, corpus/diff/*.wasm and 8
    /// wasm-smith modules of seed 1].
    #[arg(long, value_name = "PATH", num_args = 1..)]
    corpus: Vec<PathBuf>,

    /// Write the report (per-mnemonic rows, reasons, examples) as JSON.
    #[arg(long, value_name = "OUT")]
    json: Option<PathBuf>,

    /// Examples kept and shown of each kind (defects, undecodable places).
    #[arg(long, default_value_t = 5)]
    examples: usize,
}

fn progress_bar(isa: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(1);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{prefix} [{elapsed_precise}] [{bar:40}] {pos}/{len} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(isa.to_string());
    bar
}

pub fn run_whole(args: WholeArgs) -> Result<ExitCode> {
    let corpus = if args.corpus.is_empty() {
        corpus::default_corpus().map_err(|e| anyhow!(e))?
    } else {
        whole::Corpus { modules: corpus::collect(&args.corpus).map_err(|e| anyhow!(e))?, notes: Vec::new() }
    };
    if corpus.modules.is_empty() {
        eprintln!("warning: no .wasm modules to compile");
    }
    let options = Options { examples: args.examples };
    let bar = progress_bar("");
    let progress = |isa: &str, done: usize, total: usize, module: &str| {
        bar.set_prefix(isa.to_string());
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(module.to_string());
    };
    let report = whole::run(corpus, &args.isa, &options, &progress);
    bar.finish_and_clear();
    print!("{}", report.to_text(args.examples));
    if let Some(path) = &args.json {
        std::fs::write(path, report.to_json())
            .map_err(|e| anyhow!("{}: cannot write the JSON report: {e}", path.display()))?;
    }
    let different = report.different();
    println!("different: {different}");
    Ok(if different > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
