//! Tests of the x86-64 oracle: the row table, and the generator.
//!
//! Part of the x86-64 oracle. The row table (`rows.rs`, and `rows_sse.rs`
//! for floating point) pins each form to data written by hand: an
//! instruction, the bytes it must encode to, and the Intel text iced-x86
//! must print for them. Every row is checked four ways:
//!
//! ```text
//!            ┌─▶ bytes ── == expected hex
//! Inst ─emit─┤
//!            └─▶ bytes ─iced decode─▶ instructions ─┬─ format ─▶ == expected text
//!                                                   └─ fields ─▶ == derive(Inst)
//! Inst ─derive (derive.rs, derive_sse.rs: from the Inst's fields)───────┘
//! ```
//!
//! The expected hex was cross-checked with GNU `as` when the table was
//! written (the tests do not depend on binutils). `forms.rs` lists every
//! instruction form the encoder can produce; a test asserts each has a row.
//! `generated.rs` checks arbitrary instances of every form.

mod generated;
mod rows;
mod rows_sse;

use super::check::{self, Case, check_case, check_fields, decode_all, emit_case, format_all};
use super::{derive, forms};
use crate::common::{LabelAt, show_hex};
use compiler::isa::x64::inst::Inst;
use compiler::machinst::MachInst;

/// One row of the table.
pub struct Row {
    /// The instruction and its setting.
    pub case: Case,
    /// The expected bytes, as hex (spaces are ignored).
    pub hex: &'static str,
    /// The expected iced-x86 Intel text; instructions joined with `"; "`.
    pub text: &'static str,
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd number of hex digits in {hex:?}");
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).expect("ascii"), 16).expect("hex digit"))
        .collect()
}

/// Checks one row; the error says what differs.
fn check_row(row: &Row) -> Result<(), String> {
    let emitted = emit_case(&row.case);
    let expected_bytes = hex_bytes(row.hex);
    if emitted.bytes != expected_bytes {
        return Err(format!("bytes: expected {}, emitted {}", show_hex(&expected_bytes), show_hex(&emitted.bytes)));
    }
    let checked = check_case(&row.case).map_err(|mismatch| mismatch.to_string())?;
    if checked.text != row.text {
        return Err(format!("text: expected `{}`, iced printed `{}`", row.text, checked.text));
    }
    Ok(())
}

/// The whole table: the integer rows, then the floating-point ones.
fn all_rows() -> Vec<Row> {
    let mut all = rows::rows();
    all.extend(rows_sse::rows());
    all
}

fn row_name(index: usize, row: &Row) -> String {
    format!("row {index} [{}] `{}`", forms::form_keys(&row.case)[0], row.text)
}

#[test]
fn every_row_encodes_decodes_and_matches_fields() {
    let rows = all_rows();
    let failures: Vec<String> = rows
        .iter()
        .enumerate()
        .filter_map(|(index, row)| check_row(row).err().map(|e| format!("{}: {e}", row_name(index, row))))
        .collect();
    assert!(failures.is_empty(), "{} of {} rows failed:\n{}", failures.len(), rows.len(), failures.join("\n"));
}

#[test]
fn every_form_has_a_row() {
    let rows = all_rows();
    let all = forms::all_forms();
    let covered: std::collections::BTreeSet<String> = rows.iter().flat_map(|row| forms::form_keys(&row.case)).collect();
    let unknown: Vec<&String> = covered.iter().filter(|k| !all.contains(*k)).collect();
    assert!(unknown.is_empty(), "rows have forms missing from all_forms(): {unknown:?}");
    let missing: Vec<&String> = all.iter().filter(|k| !covered.contains(*k)).collect();
    assert!(missing.is_empty(), "forms without a row: {missing:?}");
}

/// The field comparison can fail: flipping REX.B in `mov r8, rax` (49 89 c0)
/// turns it into `mov rax, rax`, and the check names the field.
#[test]
fn field_check_catches_a_flipped_rex_b() {
    use compiler::isa::x64::inst::regs::{r8, rax, writable};
    let case = Case::new(Inst::mov64(writable(r8()), rax()));
    let checked = check::check_case(&case).expect("the unmutated instruction passes");
    assert_eq!(checked.bytes, [0x49, 0x89, 0xC0]);
    assert_eq!(checked.text, "mov r8, rax");
    let mut bytes = checked.bytes;
    bytes[0] ^= 0x01; // REX.B
    let mismatch = check::check_bytes(&case, &bytes).expect_err("a flipped REX.B must be reported");
    assert!(mismatch.is_wrong_encoding());
    let report = mismatch.to_string();
    assert!(report.contains("op_register(0)") && report.contains("R8") && report.contains("RAX"), "{report}");
    assert!(report.contains("48 89 c0") && report.contains("mov rax, rax"), "{report}");
}

/// Every single-bit flip of every row's code is noticed: the bytes no longer
/// decode, or the field check reports a mismatch, or the flip hit a bit the
/// processor ignores (REX.X without an index, REX.R under a `/digit`
/// opcode) and iced decodes the very same instruction.
#[test]
fn field_check_catches_every_meaningful_bit_flip() {
    let (mut flips, mut caught_by_fields, mut unnoticed) = (0, 0, Vec::new());
    for (index, row) in all_rows().iter().enumerate() {
        let case = &row.case;
        let emitted = emit_case(case);
        let derived = derive::derive(&case.inst, &case.frame, &|label| case.labels[label.0 as usize] == LabelAt::End);
        let code = &emitted.bytes[..emitted.bytes.len() - 4 * derived.table.len()];
        let original = format_all(&decode_all(code).expect("rows decode"));
        for bit in 0..code.len() * 8 {
            flips += 1;
            let mut bytes = code.to_vec();
            bytes[bit / 8] ^= 1 << (bit % 8);
            let Ok(decoded) = decode_all(&bytes) else { continue };
            if check_fields(&derived.insts, &decoded, &emitted.label_offsets).is_err() {
                caught_by_fields += 1;
            } else if format_all(&decoded) != original {
                unnoticed.push(format!(
                    "{}: flipping bit {bit} gives `{}`",
                    row_name(index, row),
                    format_all(&decoded)
                ));
            }
        }
    }
    assert!(unnoticed.is_empty(), "bit flips the field check missed:\n{}", unnoticed.join("\n"));
    assert!(caught_by_fields * 2 > flips, "only {caught_by_fields} of {flips} flips were caught by the field check");
}

/// `MachInst::worst_case_size` bounds every instruction and sequence (jump
/// tables are bounded separately): the buffer relies on it to decide when
/// to emit an island.
#[test]
fn every_row_fits_the_worst_case_size() {
    let limit = Inst::worst_case_size() as usize;
    let too_long: Vec<String> = all_rows()
        .iter()
        .enumerate()
        .filter(|(_, row)| !matches!(row.case.inst, Inst::JmpTable { .. }))
        .filter_map(|(index, row)| {
            let len = emit_case(&row.case).bytes.len();
            (len > limit).then(|| format!("{}: {len} bytes", row_name(index, row)))
        })
        .collect();
    assert!(too_long.is_empty(), "rows longer than worst_case_size() = {limit}:\n{}", too_long.join("\n"));
}
