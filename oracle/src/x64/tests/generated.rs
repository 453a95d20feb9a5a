//! Tests of the x86-64 generator: every form is generated and checks,
//! arbitrary byte strings give instructions that check, and a mutated
//! encoding of a generated instance is caught.
//!
//! Part of the x86-64 oracle's tests, beside the row table.

use super::super::check::{check_bytes, check_case, decode_all, format_all};
crate::generator_tests::generator_tests!(crate::x64, "x86-64");

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
