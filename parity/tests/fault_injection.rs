//! The harness's self-test: the compiler commits a known class of bug on
//! purpose ([`compiler::Fault`]) and a deterministic sweep must catch it
//! within `parity sweep --count 2000 --seed 1`, while the same case is clean
//! without the fault. Then a caught case must reduce into a corpus case that
//! passes on the correct compiler and still fails on the faulty one.
//!
//! Each fault runs on the generator that targets it: the single-operator
//! modules exercise every shift and comparison with edge operands; spills
//! need the register pressure of wasm-smith's larger functions (x86-64 has
//! fewer registers than AArch64, so it spills first). The executors poison
//! the stack before every call, so a narrow spill reloads a fixed pattern and
//! the divergence reproduces on every run.

use compiler::Fault;
use compiler::module::Target;
use parity::diff::corpus::{self, CorpusCase, Origin};
use parity::diff::ours::availability;
use parity::diff::reduce::{self, ReduceOptions};
use parity::diff::sweep::{self, Generator, Summary, SweepOptions};

/// The ISAs available here (x86-64 natively needs an x86-64 host).
fn isas() -> Vec<Target> {
    [Target::X86_64, Target::Aarch64].into_iter().filter(|&t| availability(t).is_ok()).collect()
}

fn sweep_with(fault: Fault, generator: Generator, isas: Vec<Target>, out: Option<&std::path::Path>) -> Summary {
    let options = SweepOptions {
        count: 2000,
        seed: 1,
        isas,
        jobs: 2,
        generators: vec![generator],
        out_dir: out.map(|p| p.to_path_buf()),
        progress: false,
        fault: Some(fault),
        stop_on_divergence: true,
    };
    sweep::sweep(&options).expect("sweeps")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("parity-fault-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn assert_caught(fault: Fault, generator: Generator, isas: Vec<Target>) {
    if isas.is_empty() {
        eprintln!("skipped {}: no ISA available", fault.name());
        return;
    }
    let dir = temp_dir(fault.name());
    let summary = sweep_with(fault, generator, isas.clone(), Some(&dir));
    let case = summary.divergent_cases.first().unwrap_or_else(|| {
        panic!("{} was not caught by 2000 {} programs:\n{}", fault.name(), generator.name(), summary.to_text())
    });
    let names: Vec<&str> = isas.iter().map(|t| t.name()).collect();
    for divergence in &case.divergences {
        assert!(names.contains(&divergence.engine.as_str()), "not our engine: {divergence}");
    }
    eprintln!("{} caught at case {} ({}): {}", fault.name(), case.index, generator.name(), case.divergences[0]);
    // The same case is clean without the fault: the divergence is the fault's.
    let saved = sweep::read_case(std::path::Path::new(case.file.as_ref().expect("written"))).expect("reads");
    let (clean, _) = sweep::replay(&saved, &isas, None).expect("replays");
    assert!(clean.divergences.is_empty(), "{:#?}", clean.divergences);
    let (again, _) = sweep::replay(&saved, &isas, Some(fault)).expect("replays");
    assert!(!again.divergences.is_empty(), "{} does not reproduce on replay", fault.name());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn wrong_shift_masking_is_caught() {
    assert_caught(Fault::ShiftMask, Generator::Single, isas());
}

#[test]
fn a_signed_unsigned_compare_swap_is_caught() {
    assert_caught(Fault::CompareSign, Generator::Single, isas());
}

#[test]
fn a_wrong_spill_width_is_caught() {
    let x86_64 = isas().into_iter().filter(|&t| t == Target::X86_64).collect();
    assert_caught(Fault::SpillWidth, Generator::Smith, x86_64);
}

#[test]
fn a_caught_case_reduces_into_a_passing_corpus_case() {
    let isas = isas();
    if isas.is_empty() {
        return;
    }
    let dir = temp_dir("reduce");
    let summary = sweep_with(Fault::CompareSign, Generator::Single, isas.clone(), Some(&dir));
    let found = summary.divergent_cases.first().expect("caught");
    let case = sweep::read_case(std::path::Path::new(found.file.as_ref().expect("written"))).expect("reads");
    let options = ReduceOptions { isas: isas.clone(), fault: Some(Fault::CompareSign), attempts: 50, seed: 1 };
    let reduced = reduce::reduce(&case, &options).expect("reduces");
    assert!(reduced.reduced_calls < reduced.original_calls, "{} calls", reduced.reduced_calls);
    assert_eq!(reduced.reduced_calls, reduced.case.calls.len());
    assert!(reduced.reduced_bytes <= reduced.original_bytes);
    assert!(!reduced.divergences.is_empty());
    // Not a case the fault-free compiler fails: the reference's behaviour
    // becomes the expectation, and the corpus check passes.
    let (reference, _) = sweep::replay(&reduced.case, &[], None).expect("replays");
    let corpus_case = CorpusCase {
        description: "compare-sign self-test".to_string(),
        case: reduced.case.clone(),
        expected: reference.reference,
        origin: Origin { fault: Some("compare-sign".to_string()), ..Origin::default() },
    };
    let path = corpus::write(&dir.join("corpus"), "compare_sign", &corpus_case).expect("writes");
    let result = corpus::check(&path, &isas);
    assert!(result.problems.is_empty(), "{:?}", result.problems);
    // A corrupted expectation is reported.
    let mut wrong = corpus_case;
    wrong.expected.returns += 1;
    let wrong_path = corpus::write(&dir.join("corpus"), "wrong", &wrong).expect("writes");
    let result = corpus::check(&wrong_path, &isas);
    assert!(result.problems.iter().any(|p| p.contains("no longer behaves as recorded")), "{:?}", result.problems);
    let _ = std::fs::remove_dir_all(&dir);
}
