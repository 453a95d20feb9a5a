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
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// What a run covers besides its files.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The ISAs to run every file on, in order.
    pub isas: Vec<Target>,
    /// The testsuite directory, used to name files in reports.
    pub testsuite_dir: PathBuf,
    /// Files run at once, each on its own thread with its own executors
    /// (at least 1). The report is the same for any number.
    pub jobs: usize,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions { isas: vec![Target::X86_64], testsuite_dir: default_testsuite_dir(), jobs: 1 }
    }
}

/// Runs `files` on every ISA of `options` with our compiler and executors.
pub fn run_files(files: &[PathBuf], options: &RunOptions) -> Report {
    run_files_with(&CompilerBackend, files, options, &mut |_| {})
}

/// Runs `files` with `backend`, `options.jobs` files at once, calling
/// `on_file` for each file and ISA in the order of `files` (for progress
/// output): a file's results are handed on once every file before it is
/// done, so the output and the report do not depend on `jobs`.
pub fn run_files_with(
    backend: &dyn Backend,
    files: &[PathBuf],
    options: &RunOptions,
    on_file: &mut dyn FnMut(&FileReport),
) -> Report {
    let run_one = |index: usize| {
        let path = &files[index];
        run_path(backend, path, &file_key(path, &options.testsuite_dir), &options.isas)
    };
    let mut report = Report::default();
    let mut hand_on = |file_reports: Vec<FileReport>| {
        for file_report in file_reports {
            on_file(&file_report);
            report.files.push(file_report);
        }
    };
    let jobs = options.jobs.clamp(1, files.len().max(1));
    if jobs == 1 {
        (0..files.len()).for_each(|index| hand_on(run_one(index)));
        return report;
    }
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (done, results) = mpsc::channel();
        for _ in 0..jobs {
            let done = done.clone();
            let (next, run_one) = (&next, &run_one);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= files.len() || done.send((index, run_one(index))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        // Results arrive in any order; hand them on in file order.
        let mut waiting = BTreeMap::new();
        let mut due = 0;
        for (index, file_reports) in results {
            waiting.insert(index, file_reports);
            while let Some(file_reports) = waiting.remove(&due) {
                hand_on(file_reports);
                due += 1;
            }
        }
    });
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
