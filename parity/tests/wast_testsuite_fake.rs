//! Robustness: the runner goes through every root `.wast` file of the spec
//! testsuite without panicking, with the fake backend of `common/mod.rs`
//! (wasmparser validation as the "compiler", an executor that runs
//! nothing). This exercises parsing, lowering and the bookkeeping of every
//! directive the testsuite uses, before the real compiler exists; and
//! running several files at once gives the same report, in file order.

mod common;

use common::FakeBackend;
use compiler::module::Target;
use parity::wast::{self, RunOptions, run_files_with};

#[test]
fn every_root_file_runs_without_a_harness_panic() {
    let dir = wast::default_testsuite_dir();
    if !dir.is_dir() {
        eprintln!("SKIPPED: the spec testsuite is not at {} (set WASM_TESTSUITE)", dir.display());
        return;
    }
    let files = wast::default_wast_files().expect("the testsuite directory lists");
    assert!(!files.is_empty(), "no .wast files in {}", dir.display());
    let options = RunOptions { isas: vec![Target::X86_64], testsuite_dir: dir, jobs: 1 };
    let backend = FakeBackend::default();
    let report = run_files_with(&backend, &files, &options, &mut |_| {});
    assert_eq!(report.files.len(), files.len());

    // Several files at once: the same report, handed on in file order.
    let mut seen = Vec::new();
    let parallel = run_files_with(&backend, &files, &RunOptions { jobs: 3, ..options.clone() }, &mut |file| {
        seen.push(file.file.clone())
    });
    assert_eq!(parallel.to_json(), report.to_json(), "--jobs 3 changed the report");
    let in_order: Vec<String> = report.files.iter().map(|file| file.file.clone()).collect();
    assert_eq!(seen, in_order, "--jobs 3 handed the files on out of order");

    let mut panics = Vec::new();
    for file in &report.files {
        assert_eq!(file.failures.len(), file.failed, "{}", file.file);
        assert_eq!(file.skip_reasons.values().sum::<usize>(), file.skipped, "{}", file.file);
        for failure in &file.failures {
            if failure.message.contains("the harness panicked") {
                panics.push(failure.message.clone());
            }
            if std::env::var_os("SHOW_FAILURES").is_some() || failure.message.contains(": parse error: ") {
                eprintln!("note: {}", failure.message);
            }
        }
    }
    assert!(panics.is_empty(), "the runner panicked:\n{}", panics.join("\n"));

    // The fake validates with wasmparser: every well-formed spec module
    // that wasmparser's default features accept must compile, so i32.wast
    // (no proposals) passes every directive the fake can judge.
    let i32_wast = report.files.iter().find(|f| f.file == "i32.wast").expect("i32.wast ran");
    assert!(i32_wast.passed > 50, "{i32_wast:?}");
    assert_eq!(i32_wast.failed, 0, "{:?}", i32_wast.failures);
    eprintln!("fake backend over the testsuite: {}", report.totals());
}
