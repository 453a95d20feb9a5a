//! Tests of the AArch64 generator: every form is generated and checks,
//! arbitrary byte strings give instructions that check, and a mutated
//! encoding of a generated instance is caught.
//!
//! Part of the AArch64 oracle's tests, beside the row table.

use super::super::check::{check_bytes, check_case};
use compiler::isa::aarch64::inst::Inst;
crate::generator_tests::generator_tests!(crate::aarch64, "AArch64");

/// The bit of `inst`'s word that selects its immediate's shift: `sh`
/// (bit 22) of a 12-bit add/sub immediate, the low bit of `hw` (bit 21) of
/// a move-wide immediate.
fn immediate_shift_bit(inst: &Inst) -> Option<u32> {
    match inst {
        Inst::AluRRImm12 { .. } => Some(22),
        Inst::MovWide { .. } | Inst::MovK { .. } => Some(21),
        _ => None,
    }
}

/// Mutation evidence on generated instances: flipping the shift of the
/// immediate in a correct encoding is always reported as a wrong encoding.
#[test]
fn flipped_immediate_shift_of_generated_instances_is_caught() {
    let (mut caught, mut missed) = (0, Vec::new());
    for case in seeded_cases(0xD1B5_4A32_D192_ED03).take(6_000) {
        let Some(bit) = immediate_shift_bit(&case.inst) else { continue };
        let checked = check_case(&case).unwrap_or_else(|m| panic!("{m}"));
        let mut mutated = checked.bytes.clone();
        let word = u32::from_le_bytes(mutated[..4].try_into().expect("one word")) ^ 1 << bit;
        mutated[..4].copy_from_slice(&word.to_le_bytes());
        match check_bytes(&case, &mutated) {
            Err(mismatch) if mismatch.is_wrong_encoding() => caught += 1,
            Err(mismatch) => missed.push(format!("not reported as a wrong encoding: {mismatch}")),
            Ok(checked) => missed.push(format!("{:?}: shift flipped, still passes as `{}`", case.inst, checked.text)),
        }
    }
    assert!(missed.is_empty(), "{} mutations missed:\n{}", missed.len(), missed.join("\n"));
    assert!(caught > 200, "only {caught} mutations caught");
}
