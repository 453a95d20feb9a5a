//! `parity::wasi` on the `corpus/wasi` programs: wasmtime-wasi and both
//! `emu` executors agree with each other and with the expected behaviour
//! (files, arguments, environment, exit codes, a trap), and the judging
//! catches what it must: a wrong expectation, and a miscompiled program
//! that disagrees with wasmtime. (The executables are run by `parity
//! wasi` itself in `scripts/test`; they need the `wasm2native` binary.)

use compiler::Fault;
use compiler::module::Target;
use parity::wasi::programs::{self, Program};
use parity::wasi::{self, Ending, Engine, Options, ProgramResult, Verdict};
use std::path::{Path, PathBuf};
use std::time::Duration;

const ENGINES: [Engine; 3] = [Engine::Wasmtime, Engine::Emu(Target::X86_64), Engine::Emu(Target::Aarch64)];

fn corpus() -> Vec<Program> {
    programs::corpus(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/wasi")).expect("corpus/wasi")
}

fn options(name: &str, fault: Option<Fault>) -> Options {
    Options {
        engines: ENGINES.to_vec(),
        jobs: 2,
        // A miscompiled program may loop forever: that is caught too, as a
        // timeout (the corpus programs run in well under a second).
        timeout: Duration::from_secs(if fault.is_some() { 10 } else { 120 }),
        wasm2native: PathBuf::from("wasm2native"),
        work_dir: std::env::temp_dir().join(format!("parity-wasi-test-{name}-{}", std::process::id())),
        fault,
    }
}

fn run(programs: &[Program], options: &Options) -> Vec<ProgramResult> {
    let results = wasi::run(programs, options, &|_, _| {});
    let _ = std::fs::remove_dir_all(&options.work_dir);
    results
}

#[test]
fn corpus_programs_agree_on_wasmtime_and_both_executors() {
    let programs = corpus();
    let results = run(&programs, &options("agree", None));
    assert_eq!(results.len(), programs.len());
    for result in &results {
        assert_eq!(result.runs.len(), ENGINES.len());
        for run in &result.runs {
            assert_eq!(run.verdict, Verdict::Pass, "{} on {}", result.program, run.engine);
        }
    }
    // The endings are the interesting ones, not just "all passed".
    let ending = |name: &str| {
        let result = results.iter().find(|r| r.program == name).expect(name);
        result.runs.iter().map(|r| r.behaviour.as_ref().expect("ran").ending.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ending("exit_code"), vec![Ending::Exited(42); 3]);
    assert_eq!(ending("trap"), vec![Ending::Trapped(compiler::runtime::TrapCode::IntegerDivisionByZero); 3]);
    assert_eq!(wasi::totals(&results), (programs.len() * 3, programs.len() * 3, 0, 0));
}

#[test]
fn a_wrong_expectation_is_a_mismatch_on_every_engine() {
    let mut program = corpus().into_iter().find(|p| p.name == "numbers").expect("numbers");
    let expected = program.expected.as_mut().expect("an expectation");
    expected.stdout[0] ^= 0x20;
    let results = run(&[program], &options("wrong", None));
    for run in &results[0].runs {
        match &run.verdict {
            Verdict::Mismatch(why) => assert!(why.contains("stdout differs from expected's at byte 0"), "{why}"),
            other => panic!("{} on {}: {other:?}", results[0].program, run.engine),
        }
    }
}

#[test]
fn a_miscompiled_program_disagrees_with_wasmtime() {
    // Unsigned comparisons compiled as signed ones (and the other way
    // around): the corpus programs must stop passing on our engines, while
    // wasmtime still passes.
    let results = run(&corpus(), &options("fault", Some(Fault::CompareSign)));
    let mut caught = 0;
    for result in &results {
        for run in &result.runs {
            match (run.engine.as_str(), &run.verdict) {
                ("wasmtime", verdict) => assert_eq!(verdict, &Verdict::Pass, "{}", result.program),
                (_, Verdict::Mismatch(_) | Verdict::Failed(_)) => caught += 1,
                (_, Verdict::Pass) => {}
            }
        }
    }
    assert!(caught >= 2, "the fault went unnoticed on all but {caught} runs");
}
