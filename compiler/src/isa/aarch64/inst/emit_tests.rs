//! Emit tests for the AArch64 encoder.
//!
//! Part of `isa/aarch64/inst/`, checking the last step of the back end
//! (`Inst::emit` into a `MachBuffer`). The test data is one table of rows
//! (`rows.rs`): an instruction, the 32-bit words it must encode to, and the
//! text yaxpeax-arm must print for them. Every row is checked four ways:
//!
//! ```text
//!            ┌─▶ words ── == expected hex
//! Inst ─emit─┤
//!            └─▶ words ─yaxpeax decode─▶ instructions ─┬─ Display ─▶ == expected text
//!                                                      └─ fields ──▶ == derive(Inst)
//! Inst ─derive (derive.rs, from the Inst's fields)─────────────────────┘
//! ```
//!
//! The fields are yaxpeax's structured `Instruction { opcode, operands }`:
//! registers with width and `sp`/`zr` meaning, immediates, shift and extend
//! styles, memory operands, PC offsets. Display text alone is not enough
//! (it applies aliases: `ubfm` prints as `lsl`, `csinc` as `cset`).
//!
//! The expected words were cross-checked with GNU `as`/`objdump` when the
//! table was written (the tests do not depend on binutils; the ignored test
//! `objdump_listing` writes a side-by-side listing when they are
//! installed). `forms.rs` lists every instruction form the encoder can
//! produce; a test asserts each has a row.

mod derive;
mod forms;
mod rows;

use crate::isa::aarch64::inst::Inst;
use crate::isa::aarch64::inst::args::OperandSize;
use crate::isa::aarch64::inst::emit::{EmitState, FrameLayout};
use crate::machinst::{MachBuffer, MachInstEmit, MachLabel, MachReloc, MachTrap, RelocKind};
use crate::runtime::TrapCode;
use derive::{Derived, Expected, ExpectedOperand, MachineInst, Target};
use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv8::a64::{InstDecoder, Instruction, Opcode, Operand, SizeCode};

/// Where a row binds each of its labels (`MachLabel(i)` is the `i`-th).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelAt {
    /// At offset 0, before the instruction: a backward target.
    Start,
    /// Right after the instruction, where branch simplification applies
    /// (a jump to it is deleted, `b.cc L; b M; L:` becomes `b.!cc M`).
    End,
    /// `n > 0` bytes (a multiple of 4) of `udf #0` padding after the
    /// instruction: a forward target that the buffer does not simplify.
    Past(u32),
}

/// One row of the table.
pub struct Row {
    /// The instruction, over physical registers.
    pub inst: Inst,
    /// The expected instruction words, as hex (whitespace separates words);
    /// a jump table's entries are not included (they are checked against
    /// the label offsets).
    pub hex: &'static str,
    /// The expected yaxpeax-arm text; instructions joined with `"; "`.
    pub text: &'static str,
    /// The frame `AMode::Frame` operands and `Ret` resolve against.
    pub frame: FrameLayout,
    /// Where each label the instruction refers to is bound.
    pub labels: Vec<LabelAt>,
}

/// What emitting one row produced.
struct Emitted {
    /// The row's bytes: the code, then any jump table.
    bytes: Vec<u8>,
    /// The offset each label was bound to.
    label_offsets: Vec<u64>,
    relocs: Vec<MachReloc>,
    traps: Vec<MachTrap>,
}

fn emit_row(row: &Row) -> Emitted {
    let mut buffer = MachBuffer::<Inst>::new();
    let labels: Vec<MachLabel> = row.labels.iter().map(|_| buffer.get_label()).collect();
    let bind_all = |buffer: &mut MachBuffer<Inst>, wanted: LabelAt| {
        for (label, at) in labels.iter().zip(&row.labels) {
            if *at == wanted {
                buffer.bind_label(*label);
            }
        }
    };
    bind_all(&mut buffer, LabelAt::Start);
    let mut state = EmitState { frame: row.frame.clone() };
    row.inst.emit(&mut buffer, &mut state);
    bind_all(&mut buffer, LabelAt::End);
    let end = buffer.cur_offset();
    let mut past: Vec<u32> =
        row.labels.iter().filter_map(|at| if let LabelAt::Past(n) = at { Some(*n) } else { None }).collect();
    past.sort_unstable();
    past.dedup();
    for n in past {
        assert!(n > 0 && n % 4 == 0, "LabelAt::Past takes a positive multiple of 4");
        while buffer.cur_offset() < end + n {
            buffer.put4(0);
        }
        bind_all(&mut buffer, LabelAt::Past(n));
    }
    let label_offsets =
        labels.iter().map(|&l| buffer.label_offset(l).expect("every row label is bound") as u64).collect();
    let finished = buffer.finish().expect("finish");
    Emitted {
        bytes: finished.data[..end as usize].to_vec(),
        label_offsets,
        relocs: finished.relocs,
        traps: finished.traps,
    }
}

fn hex_words(hex: &str) -> Vec<u32> {
    hex.split_whitespace().map(|w| u32::from_str_radix(w, 16).unwrap_or_else(|_| panic!("bad word {w:?}"))).collect()
}

fn words_of(bytes: &[u8]) -> Vec<u32> {
    bytes.chunks(4).map(|c| u32::from_le_bytes(c.try_into().expect("4-byte words"))).collect()
}

fn show_words(words: &[u32]) -> String {
    words.iter().map(|w| format!("{w:08x}")).collect::<Vec<_>>().join(" ")
}

/// Decodes every word; each must be a valid instruction.
fn decode_all(words: &[u32]) -> Result<Vec<Instruction>, String> {
    let decoder = InstDecoder::default();
    words
        .iter()
        .enumerate()
        .map(|(k, word)| {
            let bytes = word.to_le_bytes();
            decoder
                .decode(&mut U8Reader::new(&bytes[..]))
                .map_err(|e| format!("word {k} ({word:08x}) does not decode: {e:?}"))
        })
        .collect()
}

fn format_all(insts: &[Instruction]) -> String {
    insts.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("; ")
}

fn check_field<T: PartialEq + std::fmt::Debug>(field: &str, expected: T, decoded: T) -> Result<(), String> {
    if expected == decoded { Ok(()) } else { Err(format!("{field}: expected {expected:?}, decoded {decoded:?}")) }
}

/// The value a `movz`/`movn`/`movk`/`orr #imm` sequence leaves in `rd`, or
/// why the instructions are not such a sequence.
fn evaluate_constant(insts: &[Instruction], rd: u16, size: OperandSize) -> Result<u64, String> {
    let width = if size == OperandSize::Size64 { SizeCode::X } else { SizeCode::W };
    let mut value = 0u64;
    for (k, inst) in insts.iter().enumerate() {
        let first = k == 0;
        let dest_ok = match inst.operands[0] {
            Operand::Register(w, r) | Operand::RegisterOrSP(w, r) => w == width && r == rd,
            _ => false,
        };
        if !dest_ok {
            return Err(format!("constant instruction {k} writes {:?}, not register {rd}", inst.operands[0]));
        }
        match (inst.opcode, inst.operands[1], inst.operands[2]) {
            (Opcode::MOVZ, Operand::ImmShift(bits, shift), _) if first => value = (bits as u64) << shift,
            (Opcode::MOVN, Operand::ImmShift(bits, shift), _) if first => value = !((bits as u64) << shift),
            (Opcode::MOVK, Operand::ImmShift(bits, shift), _) if !first => {
                value = (value & !(0xffffu64 << shift)) | (bits as u64) << shift
            }
            (Opcode::ORR, Operand::Register(w, 31), Operand::Imm64(imm)) if first && w == width => value = imm,
            (Opcode::ORR, Operand::Register(w, 31), Operand::Immediate(imm)) if first && w == width => {
                value = imm as u64
            }
            _ => return Err(format!("constant instruction {k} is not movz/movn/movk/orr: {inst}")),
        }
    }
    Ok(value & size.mask())
}

/// How many instructions from `insts` belong to a constant sequence into
/// `rd`: the first, then every `movk` to the same register.
fn constant_length(insts: &[Instruction], rd: u16) -> usize {
    let is_movk_to_rd = |inst: &Instruction| {
        inst.opcode == Opcode::MOVK && matches!(inst.operands[0], Operand::Register(_, r) if r == rd)
    };
    1 + insts.iter().skip(1).take_while(|i| is_movk_to_rd(i)).count()
}

/// Compares the derived code with what yaxpeax decoded, field by field, and
/// returns each decoded instruction's expectation (for the side tables).
fn check_fields(
    expected: &[Expected],
    decoded: &[Instruction],
    label_offsets: &[u64],
    code_len: u64,
) -> Result<Vec<(u64, MachineInst)>, String> {
    let mut at = 0usize;
    let mut matched = Vec::new();
    for (e, item) in expected.iter().enumerate() {
        if at >= decoded.len() {
            return Err(format!("expected item {e} ({item:?}) past the end of the code"));
        }
        let address = 4 * at as u64;
        match item {
            Expected::Constant { rd, size, value } => {
                let length = constant_length(&decoded[at..], *rd);
                let got = evaluate_constant(&decoded[at..at + length], *rd, *size)
                    .map_err(|m| format!("instruction {at}: {m}"))?;
                check_field(&format!("constant in register {rd} at instruction {at}"), *value, got)?;
                at += length;
            }
            Expected::Inst(want) => {
                let got = &decoded[at];
                let in_inst = |m: String| format!("instruction {at} (`{got}`): {m}");
                check_field("opcode", want.opcode, got.opcode).map_err(in_inst)?;
                for i in 0..4 {
                    let operand = match want.operands.get(i) {
                        None => Operand::Nothing,
                        Some(ExpectedOperand::Plain(operand)) => *operand,
                        Some(ExpectedOperand::Pc(target)) => {
                            let destination = match *target {
                                Target::Label(label) => label_offsets[label.0 as usize] as i64,
                                Target::CodeEnd => code_len as i64,
                                Target::Relative(delta) => address as i64 + delta,
                            };
                            Operand::PCOffset(destination - address as i64)
                        }
                    };
                    check_field(&format!("operands[{i}]"), operand, got.operands[i]).map_err(in_inst)?;
                }
                matched.push((address, want.clone()));
                at += 1;
            }
        }
    }
    check_field("instruction count", at, decoded.len())?;
    Ok(matched)
}

/// The trap sites and relocations the derived instructions call for.
fn check_side_tables(matched: &[(u64, MachineInst)], emitted: &Emitted) -> Result<(), String> {
    let traps: Vec<(u32, TrapCode)> =
        matched.iter().filter_map(|(at, want)| want.trap.map(|code| (*at as u32, code))).collect();
    let emitted_traps: Vec<_> = emitted.traps.iter().map(|t| (t.offset, t.code)).collect();
    check_field("trap sites", traps, emitted_traps)?;
    // A `bl` is relocated at its own address, with no addend.
    let relocs: Vec<MachReloc> = matched
        .iter()
        .filter_map(|(at, want)| {
            want.call_symbol.map(|symbol| MachReloc {
                offset: *at as u32,
                kind: RelocKind::Arm64Call,
                symbol,
                addend: 0,
            })
        })
        .collect();
    check_field("relocations", relocs, emitted.relocs.clone())
}

/// Checks one row; the error says what differs.
fn check_row(row: &Row) -> Result<(), String> {
    let emitted = emit_row(row);
    let words = words_of(&emitted.bytes);
    let fallthrough = |label: MachLabel| row.labels[label.0 as usize] == LabelAt::End;
    let Derived { code: expected, table } = derive::derive(&row.inst, &row.frame, &fallthrough);
    let code_len = words.len().checked_sub(table.len()).ok_or("shorter than its jump table")?;
    let (code, table_words) = words.split_at(code_len);
    let expected_words = hex_words(row.hex);
    if code != expected_words {
        return Err(format!("words: expected {}, emitted {}", show_words(&expected_words), show_words(code)));
    }
    let decoded = decode_all(code)?;
    let text = format_all(&decoded);
    if text != row.text {
        return Err(format!("text: expected `{}`, yaxpeax printed `{text}`", row.text));
    }
    let matched = check_fields(&expected, &decoded, &emitted.label_offsets, 4 * code_len as u64)?;
    check_side_tables(&matched, &emitted)?;
    // Jump-table entries are offsets of the targets from the table start.
    let start = 4 * code_len as i64;
    let entries: Vec<i64> = table.iter().map(|l| emitted.label_offsets[l.0 as usize] as i64 - start).collect();
    let emitted_entries: Vec<i64> = table_words.iter().map(|&w| w as i32 as i64).collect();
    check_field("jump table entries", entries, emitted_entries)
}

fn row_name(index: usize, row: &Row) -> String {
    format!("row {index} [{}] `{}`", forms::form_keys(row)[0], row.text)
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
    let covered: std::collections::BTreeSet<String> = rows.iter().flat_map(forms::form_keys).collect();
    let unknown: Vec<&String> = covered.iter().filter(|k| !all.contains(*k)).collect();
    assert!(unknown.is_empty(), "rows have forms missing from all_forms(): {unknown:?}");
    let missing: Vec<&String> = all.iter().filter(|k| !covered.contains(*k)).collect();
    assert!(missing.is_empty(), "forms without a row: {missing:?}");
}

/// The field comparison can fail: flipping bit 22 of `add x0, x1, #1`
/// (`sh`) makes it `add x0, x1, #1, lsl #12`, and the check names the field.
#[test]
fn field_check_catches_a_flipped_shift_bit() {
    use crate::isa::aarch64::inst::args::{AluOp, Imm12};
    use crate::isa::aarch64::inst::regs::{writable, xreg};
    let row = Row {
        inst: Inst::AluRRImm12 {
            op: AluOp::Add,
            size: OperandSize::Size64,
            rd: writable(xreg(0)),
            rn: xreg(1),
            imm: Imm12 { bits: 1, shift12: false },
        },
        hex: "91000420",
        text: "add x0, x1, #0x1",
        frame: FrameLayout::default(),
        labels: vec![],
    };
    check_row(&row).expect("the unmutated row passes");
    let mutated = [0x9100_0420u32 | 1 << 22];
    let decoded = decode_all(&mutated).expect("still a valid instruction");
    let derived = derive::derive(&row.inst, &row.frame, &|_| false);
    let error = check_fields(&derived.code, &decoded, &[], 4).expect_err("a flipped `sh` bit must be reported");
    assert!(error.contains("operands[2]") && error.contains("ImmShift"), "{error}");
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
