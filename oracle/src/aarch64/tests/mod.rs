//! Tests of the AArch64 oracle: the row table, and the generator.
//!
//! Part of the AArch64 oracle. The row table (`rows.rs`, split by family
//! into `rows/*.rs`) pins each form to data written by hand: an
//! instruction, the 32-bit words it must encode to, and the text
//! yaxpeax-arm must print for them. Every row is checked four ways:
//!
//! ```text
//!            ┌─▶ words ── == expected hex
//! Inst ─emit─┤
//!            └─▶ words ─yaxpeax decode─▶ instructions ─┬─ Display ─▶ == expected text
//!                                                      └─ fields ──▶ == derive(Inst)
//! Inst ─derive (derive.rs, from the Inst's fields)─────────────────────┘
//! ```
//!
//! The expected words were cross-checked with GNU `as`/`objdump` when the
//! table was written (the tests do not depend on binutils; the ignored test
//! `objdump_listing` writes a side-by-side listing when they are
//! installed). `forms.rs` lists every instruction form the encoder can
//! produce; a test asserts each has a row. `generated.rs` checks arbitrary
//! instances of every form.

mod generated;
mod lift;
mod rows;

use super::check::{Case, check_bytes, check_case, emit_case, words_of};
use super::forms;
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::OperandSize;

/// One row of the table.
pub struct Row {
    /// The instruction and its setting.
    pub case: Case,
    /// The expected instruction words, as hex (whitespace separates words);
    /// a jump table's entries are not included (they are checked against
    /// the label offsets).
    pub hex: &'static str,
    /// The expected yaxpeax-arm text; instructions joined with `"; "`.
    pub text: &'static str,
}

fn hex_words(hex: &str) -> Vec<u32> {
    hex.split_whitespace().map(|w| u32::from_str_radix(w, 16).unwrap_or_else(|_| panic!("bad word {w:?}"))).collect()
}

fn show_words(words: &[u32]) -> String {
    words.iter().map(|w| format!("{w:08x}")).collect::<Vec<_>>().join(" ")
}

/// Checks one row; the error says what differs.
fn check_row(row: &Row) -> Result<(), String> {
    let checked = check_case(&row.case);
    let emitted = emit_case(&row.case);
    let code_len = checked.as_ref().map_or(emitted.bytes.len(), |c| c.code_len);
    let code = words_of(&emitted.bytes[..code_len]);
    let expected_words = hex_words(row.hex);
    if code != expected_words {
        return Err(format!("words: expected {}, emitted {}", show_words(&expected_words), show_words(&code)));
    }
    let checked = checked.map_err(|mismatch| mismatch.to_string())?;
    if checked.text != row.text {
        return Err(format!("text: expected `{}`, yaxpeax printed `{}`", row.text, checked.text));
    }
    Ok(())
}

fn row_name(index: usize, row: &Row) -> String {
    format!("row {index} [{}] `{}`", forms::form_keys(&row.case)[0], row.text)
}

#[test]
fn every_row_encodes_decodes_and_matches_fields() {
    let rows = rows::rows();
    let failures: Vec<String> = rows
        .iter()
        .enumerate()
        .filter_map(|(index, row)| check_row(row).err().map(|e| format!("{}: {e}", row_name(index, row))))
        .collect();
    assert!(failures.is_empty(), "{} of {} rows failed:\n{}", failures.len(), rows.len(), failures.join("\n"));
}

#[test]
fn every_form_has_a_row() {
    let rows = rows::rows();
    let all = forms::all_forms();
    let covered: std::collections::BTreeSet<String> = rows.iter().flat_map(|row| forms::form_keys(&row.case)).collect();
    let unknown: Vec<&String> = covered.iter().filter(|k| !all.contains(*k)).collect();
    assert!(unknown.is_empty(), "rows have forms missing from all_forms(): {unknown:?}");
    let missing: Vec<&String> = all.iter().filter(|k| !covered.contains(*k)).collect();
    assert!(missing.is_empty(), "forms without a row: {missing:?}");
}

/// The field comparison can fail: flipping bit 22 of `add x0, x1, #1`
/// (`sh`) makes it `add x0, x1, #1, lsl #12`, and the check names the field.
#[test]
fn field_check_catches_a_flipped_shift_bit() {
    use compiler::isa::aarch64::inst::args::{AluOp, Imm12};
    use compiler::isa::aarch64::inst::regs::{writable, xreg};
    let case = Case::new(Inst::AluRRImm12 {
        op: AluOp::Add,
        size: OperandSize::Size64,
        rd: writable(xreg(0)),
        rn: xreg(1),
        imm: Imm12 { bits: 1, shift12: false },
    });
    let checked = check_case(&case).expect("the unmutated instruction passes");
    assert_eq!(words_of(&checked.bytes), [0x9100_0420]);
    assert_eq!(checked.text, "add x0, x1, #0x1");
    let mutated = (0x9100_0420u32 | 1 << 22).to_le_bytes();
    let mismatch = check_bytes(&case, &mutated).expect_err("a flipped `sh` bit must be reported");
    assert!(mismatch.is_wrong_encoding());
    let report = mismatch.to_string();
    assert!(report.contains("operands[2]") && report.contains("ImmShift"), "{report}");
}

/// Writes every row's words with GNU objdump's reading next to the expected
/// yaxpeax text, for review (`cargo test -- --ignored objdump_listing`;
/// needs `aarch64-linux-gnu-as` and `-objdump`).
#[test]
#[ignore = "needs GNU binutils for aarch64; writes a listing for review"]
fn objdump_listing() {
    let rows = rows::rows();
    let dir = std::env::temp_dir().join("wasm2native-aarch64-emit");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut source = String::new();
    for row in &rows {
        for word in hex_words(row.hex) {
            source += &format!(".inst 0x{word:08x}\n");
        }
    }
    std::fs::write(dir.join("rows.s"), source).expect("write");
    let run = |program: &str, args: &[&str]| {
        let output = std::process::Command::new(program).args(args).current_dir(&dir).output().expect(program);
        assert!(output.status.success(), "{program}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    run("aarch64-linux-gnu-as", &["rows.s", "-o", "rows.o"]);
    let listing = run("aarch64-linux-gnu-objdump", &["-d", "rows.o"]);
    let mut objdump =
        listing.lines().filter(|l| l.contains(":\t")).map(|l| l.split('\t').skip(2).collect::<Vec<_>>().join(" "));
    let mut report = String::new();
    for (index, row) in rows.iter().enumerate() {
        let gnu: Vec<String> = hex_words(row.hex).iter().map(|_| objdump.next().unwrap_or_default()).collect();
        report += &format!("{index:4} {:40} | {}\n", row.text, gnu.join("; "));
    }
    std::fs::write(dir.join("listing.txt"), report).expect("write");
    println!("listing in {}", dir.join("listing.txt").display());
}
