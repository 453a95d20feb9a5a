//! Tests of the x86-64 generator: every form is generated and checks,
//! arbitrary byte strings give instructions that check, and a mutated
//! encoding of a generated instance is caught.
//!
//! Part of the x86-64 oracle's tests, beside the row table.

use super::super::check::{Case, check, check_bytes, check_case, decode_all, format_all};
use super::super::forms::{all_forms, form_keys};
use super::super::generate::{arbitrary_case, arbitrary_inst};
use crate::common::Xorshift;
use arbitrary::Unstructured;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// Most instances the coverage test generates before giving up.
const MAX_INSTANCES: usize = 200_000;

/// Instances generated from a xorshift stream, 128 bytes each.
fn seeded_cases(seed: u64) -> impl Iterator<Item = Case> {
    let mut rng = Xorshift(seed);
    std::iter::repeat_with(move || {
        let mut buffer = [0u8; 128];
        rng.fill(&mut buffer);
        arbitrary_case(&mut Unstructured::new(&buffer)).expect("the generator never runs out of choices")
    })
}

/// The generator reaches every form `all_forms()` lists (and no other),
/// and every instance it makes on the way checks.
#[test]
fn generator_covers_every_form() {
    let all: BTreeSet<String> = all_forms().into_iter().collect();
    let mut missing = all.clone();
    let (mut unknown, mut mismatches, mut instances) = (BTreeSet::new(), Vec::new(), 0);
    for case in seeded_cases(0x9E37_79B9_7F4A_7C15).take(MAX_INSTANCES) {
        if missing.is_empty() {
            break;
        }
        instances += 1;
        for key in form_keys(&case) {
            // `Args` emits nothing and has no form.
            if !all.contains(&key) && key != "Args" {
                unknown.insert(key.clone());
            }
            missing.remove(&key);
        }
        if let Err(mismatch) = check_case(&case) {
            mismatches.push(mismatch.to_string());
        }
    }
    assert!(missing.is_empty(), "after {instances} instances, forms never generated: {missing:?}");
    assert!(unknown.is_empty(), "generated forms missing from all_forms(): {unknown:?}");
    assert!(mismatches.is_empty(), "{} mismatches, first: {}", mismatches.len(), mismatches[0]);
    println!("all {} x86-64 forms generated (and checked) after {instances} instances", all.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Any bytes make an instruction that checks, as a case (random frame)
    /// and on its own (default setting).
    #[test]
    fn arbitrary_instances_check(data in proptest::collection::vec(any::<u8>(), 0..128)) {
        let case = arbitrary_case(&mut Unstructured::new(&data)).expect("the generator never runs out of choices");
        if let Err(mismatch) = check_case(&case) {
            prop_assert!(false, "{}", mismatch);
        }
        let inst = arbitrary_inst(&mut Unstructured::new(&data)).expect("the generator never runs out of choices");
        if let Err(mismatch) = check(&inst) {
            prop_assert!(false, "{}", mismatch);
        }
    }
}

#[test]
fn fuzz_entry_point_smoke() {
    let mut rng = Xorshift(0x2545_F491_4F6C_DD1D);
    for length in [0, 1, 2, 7, 64, 512, 4096] {
        let mut data = vec![0u8; length];
        rng.fill(&mut data);
        crate::x64::check_fuzz_input(&data).unwrap_or_else(|report| panic!("{report}"));
    }
}

/// The offset of each instruction's REX prefix in `code`, if it has one
/// (after the legacy prefixes `66`, `F2`, `F3`).
fn rex_offsets(code: &[u8]) -> Vec<usize> {
    let Ok(decoded) = decode_all(code) else { return vec![] };
    decoded
        .iter()
        .filter_map(|inst| {
            let start = inst.ip() as usize;
            let bytes = &code[start..start + inst.len()];
            let prefixes = bytes.iter().take_while(|b| matches!(b, 0x66 | 0xF2 | 0xF3)).count();
            bytes.get(prefixes).filter(|&&b| b & 0xF0 == 0x40).map(|_| start + prefixes)
        })
        .collect()
}

/// Mutation evidence on generated instances: flipping REX.B of the first
/// REX prefix in a correct encoding is reported as a wrong encoding
/// whenever it changes the instruction (it does not where the `B` bit has
/// no field to extend: `cqo`, RIP-relative operands, ...).
#[test]
fn flipped_rex_b_of_generated_instances_is_caught() {
    let (mut caught, mut ignored_by_cpu, mut missed) = (0, 0, Vec::new());
    for case in seeded_cases(0xD1B5_4A32_D192_ED03).take(3_000) {
        let checked = check_case(&case).unwrap_or_else(|m| panic!("{m}"));
        let code = &checked.bytes[..checked.code_len];
        let Some(&at) = rex_offsets(code).first() else { continue };
        let mut mutated = checked.bytes.clone();
        mutated[at] ^= 0x01;
        let same_meaning = decode_all(&mutated[..checked.code_len]).is_ok_and(|d| format_all(&d) == checked.text);
        match check_bytes(&case, &mutated) {
            Err(mismatch) if mismatch.is_wrong_encoding() => caught += 1,
            Err(mismatch) => missed.push(format!("not reported as a wrong encoding: {mismatch}")),
            Ok(_) if same_meaning => ignored_by_cpu += 1,
            Ok(checked) => missed.push(format!("{:?}: REX.B flipped, still passes as `{}`", case.inst, checked.text)),
        }
    }
    assert!(missed.is_empty(), "{} mutations missed:\n{}", missed.len(), missed.join("\n"));
    assert!(caught > 500, "only {caught} mutations caught ({ignored_by_cpu} hit an ignored bit)");
}
