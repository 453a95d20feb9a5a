//! Bounded runs of the cargo-fuzz targets' logic (`parity::fuzz`), so CI
//! exercises it without a fuzzing build: seeded random inputs, no finding
//! allowed, and enough inputs actually used to mean something.

use parity::diff::values::Rng;
use parity::fuzz::{self, Verdict};

fn inputs(seed: u64, count: usize, max_len: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let mut bytes = vec![0u8; rng.below(max_len) as usize + 1];
            rng.fill(&mut bytes);
            bytes
        })
        .collect()
}

#[test]
fn diff_exec_finds_nothing_on_seeded_inputs() {
    let mut agreed = 0;
    for input in inputs(7, 24, 4096) {
        match fuzz::diff_exec(&input) {
            Ok(Verdict::Agreed) => agreed += 1,
            Ok(Verdict::Skipped) => {}
            Err(finding) => panic!("{finding}"),
        }
    }
    assert!(agreed >= 12, "only {agreed} of 24 inputs made a program");
}

#[test]
fn compile_any_finds_nothing_on_seeded_inputs() {
    let mut used = [0; 2];
    for input in inputs(11, 300, 2048) {
        match fuzz::compile_any(&input) {
            Ok(Verdict::Agreed) => used[usize::from(input[0] % 2)] += 1,
            Ok(Verdict::Skipped) => {}
            Err(finding) => panic!("{finding}"),
        }
    }
    assert!(used[0] >= 100 && used[1] >= 50, "inputs used (raw, wasm-smith): {used:?}");
}

#[test]
fn compile_any_compiles_valid_and_rejects_truncated_modules() {
    // Mode byte 0: raw bytes. A valid module compiles.
    let wasm = wat::parse_str("(module (func (export \"f\") (result i32) i32.const 1))").expect("wat");
    let mut input = vec![0u8];
    input.extend_from_slice(&wasm);
    assert_eq!(fuzz::compile_any(&input), Ok(Verdict::Agreed));
    // Truncated: rejected with an error, which is not a finding.
    assert_eq!(fuzz::compile_any(&input[..input.len() - 3]), Ok(Verdict::Agreed));
    assert_eq!(fuzz::compile_any(&[]), Ok(Verdict::Skipped));
}

#[test]
fn encode_targets_find_nothing_on_seeded_inputs() {
    for (name, target) in [
        ("encode_x64", fuzz::encode_x64 as fn(&[u8]) -> Result<Verdict, String>),
        ("encode_aarch64", fuzz::encode_aarch64),
    ] {
        let mut checked = 0;
        for input in inputs(13, 200, 512) {
            match target(&input) {
                Ok(Verdict::Agreed) => checked += 1,
                Ok(Verdict::Skipped) => {}
                Err(finding) => panic!("{name}: {finding}"),
            }
        }
        assert_eq!(checked, 200, "{name}");
        assert_eq!(target(&[]), Ok(Verdict::Skipped));
    }
}
