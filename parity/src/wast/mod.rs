//! The `.wast` spec-test runner: runs the WebAssembly spec testsuite through
//! our compiler and executors.
//!
//! ```text
//!  files ─▶ script ─▶ run (per ISA, one executor store) ─▶ report ─▶ expectations
//!  (which)  (parse +   │  compile ─▶ backend ─▶ executor            (--check / --bless)
//!           lower)     └─ judge with expected::*
//! ```
//!
//! - [`files`]: which files to run and their names in reports;
//! - [`script`]: parses a `.wast` file once and lowers it into owned,
//!   ISA-independent commands (modules encoded, values converted);
//! - [`run`]: the per-file, per-ISA state machine;
//! - [`backend`]: the compiler and executors behind it ([`compile`] is the
//!   single call into the compiler);
//! - [`expected`]: value, NaN-pattern and trap-message judgement;
//! - [`report`] and [`expectations`]: counting, output, regression checks.
//!
//! Every directive of a file ends in exactly one outcome: passed, failed
//! (with the file, `line:column`, what was expected and what happened) or
//! skipped (with a reason). Anything the compiler does not support yet
//! (whole modules, or single functions compiled to stubs that trap with
//! `TrapCode::Unsupported`) is skipped, never passed or failed.

pub mod backend;
mod compile;
pub mod expectations;
pub mod expected;
pub mod files;
pub mod markdown;
pub mod report;
pub mod run;
pub mod script;

pub use backend::{Backend, CompileFailure, CompilerBackend};
pub use expectations::{CheckResult, Expectations};
pub use files::{collect_wast_files, default_expectations_path, default_testsuite_dir, default_wast_files, file_key};
pub use report::{FileReport, Outcome, Report, Totals};

use compiler::module::Target;
use std::path::{Path, PathBuf};

/// What a run covers besides its files.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The ISAs to run every file on, in order.
    pub isas: Vec<Target>,
    /// The testsuite directory, used to name files in reports.
    pub testsuite_dir: PathBuf,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions { isas: vec![Target::X86_64], testsuite_dir: default_testsuite_dir() }
    }
}

/// Runs `files` on every ISA of `options` with our compiler and executors.
pub fn run_files(files: &[PathBuf], options: &RunOptions) -> Report {
    run_files_with(&CompilerBackend, files, options, &mut |_| {})
}

/// Runs `files` with `backend`, calling `on_file` as each file and ISA
/// finishes (for progress output).
pub fn run_files_with(
    backend: &dyn Backend,
    files: &[PathBuf],
    options: &RunOptions,
    on_file: &mut dyn FnMut(&FileReport),
) -> Report {
    let mut report = Report::default();
    for path in files {
        let key = file_key(path, &options.testsuite_dir);
        for file_report in run_path(backend, path, &key, &options.isas) {
            on_file(&file_report);
            report.files.push(file_report);
        }
    }
    report
}

fn run_path(backend: &dyn Backend, path: &Path, key: &str, isas: &[Target]) -> Vec<FileReport> {
    match std::fs::read_to_string(path) {
        Ok(text) => run_wast_text(backend, key, &text, isas),
        Err(error) => isas
            .iter()
            .map(|isa| {
                let mut report = FileReport::new(key, isa.name());
                report.record(0, 0, "read", Outcome::Failed(format!("cannot read the file: {error}")));
                report
            })
            .collect(),
    }
}

/// Runs the `.wast` text of the file named `file` on every ISA in `isas`,
/// each with a fresh executor store. A file that does not parse is one
/// failure per ISA.
pub fn run_wast_text(backend: &dyn Backend, file: &str, text: &str, isas: &[Target]) -> Vec<FileReport> {
    match script::parse_script(text) {
        Ok(script) => isas.iter().map(|isa| run::run_script(backend, file, &script, *isa)).collect(),
        Err(failure) => isas
            .iter()
            .map(|isa| {
                let mut report = FileReport::new(file, isa.name());
                report.record(failure.line, failure.column, "parse error", Outcome::Failed(failure.message.clone()));
                report
            })
            .collect(),
    }
}
