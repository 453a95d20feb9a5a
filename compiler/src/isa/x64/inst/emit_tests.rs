//! Emit tests for the x86-64 encoder.
//!
//! Part of `isa/x64/inst/`, checking the last step of the back end
//! (`Inst::emit` into a `MachBuffer`). The test data is one table of rows
//! (`rows.rs`, and `rows_sse.rs` for floating point): an instruction, the
//! bytes it must encode to, and the Intel text iced-x86 must print for those
//! bytes. Every row is checked four ways:
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

mod derive;
mod derive_sse;
mod forms;
mod rows;
mod rows_sse;

use crate::isa::x64::inst::Inst;
use crate::isa::x64::inst::emit::{EmitState, FrameLayout};
use crate::machinst::{MachBuffer, MachInstEmit, MachLabel, RelocKind};
use derive::{Derived, MachineInst, Operand, Target};
use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, MemorySizeOptions, OpKind};

/// Where a row binds each of its labels (`MachLabel(i)` is the `i`-th).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelAt {
    /// At offset 0, before the instruction: a backward target.
    Start,
    /// Right after the instruction, where branch simplification applies
    /// (a jump to it is deleted, `jcc L; jmp M; L:` becomes `jncc M`).
    End,
    /// `n > 0` bytes of `int3` padding after the instruction: a forward
    /// target that the buffer does not simplify.
    Past(u32),
}

/// One row of the table.
pub struct Row {
    /// The instruction, over physical registers.
    pub inst: Inst,
    /// The expected bytes, as hex (spaces are ignored).
    pub hex: &'static str,
    /// The expected iced-x86 Intel text; instructions joined with `"; "`.
    pub text: &'static str,
    /// The frame `Amode::Frame` operands and `Ret` resolve against.
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
    relocs: Vec<crate::machinst::MachReloc>,
    traps: Vec<crate::machinst::MachTrap>,
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
        assert!(n > 0, "LabelAt::Past(0) is LabelAt::End");
        while buffer.cur_offset() < end + n {
            buffer.put1(0xCC);
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

fn hex_bytes(hex: &str) -> Vec<u8> {
    let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd number of hex digits in {hex:?}");
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).expect("ascii"), 16).expect("hex digit"))
        .collect()
}

fn show_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// The Intel formatter every row is printed with: lower-case `0x` hex for
/// every number, `, ` between operands, `ptr` sizes always shown, signed
/// immediates, branch targets as plain addresses, `[rip+disp]` operands.
fn formatter() -> IntelFormatter {
    let mut formatter = IntelFormatter::new();
    let options = formatter.options_mut();
    options.set_hex_prefix("0x");
    options.set_hex_suffix("");
    options.set_uppercase_hex(false);
    options.set_small_hex_numbers_in_decimal(false);
    options.set_space_after_operand_separator(true);
    options.set_memory_size_options(MemorySizeOptions::Always);
    options.set_signed_immediate_operands(true);
    options.set_branch_leading_zeros(false);
    options.set_show_branch_size(false);
    options.set_rip_relative_addresses(true);
    formatter
}

/// Decodes `bytes` (at address 0) to the end; every instruction must be
/// valid and the last must end exactly at the end of `bytes`.
fn decode_all(bytes: &[u8]) -> Result<Vec<Instruction>, String> {
    let mut decoder = Decoder::with_ip(64, bytes, 0, DecoderOptions::NONE);
    let mut insts = Vec::new();
    while decoder.can_decode() {
        let inst = decoder.decode();
        if inst.is_invalid() {
            return Err(format!("invalid instruction at offset {:#x} in {}", inst.ip(), show_hex(bytes)));
        }
        insts.push(inst);
    }
    let consumed: usize = insts.iter().map(|i| i.len()).sum();
    if consumed != bytes.len() {
        return Err(format!("decoded {consumed} of {} bytes of {}", bytes.len(), show_hex(bytes)));
    }
    Ok(insts)
}

fn format_all(insts: &[Instruction]) -> String {
    let mut formatter = formatter();
    let texts: Vec<String> = insts
        .iter()
        .map(|inst| {
            let mut text = String::new();
            formatter.format(inst, &mut text);
            text
        })
        .collect();
    texts.join("; ")
}

/// Resolves a derived branch target to an address.
fn resolve_target(target: Target, decoded: &[Instruction], label_offsets: &[u64]) -> u64 {
    match target {
        Target::Label(label) => label_offsets[label.0 as usize],
        Target::Inst(k) if k < decoded.len() => decoded[k].ip(),
        Target::Inst(_) => decoded.last().map_or(0, |i| i.next_ip()),
    }
}

/// An immediate operand's value at the width of its operand kind,
/// sign-extended (so `83 /0 80` and `81 /0 ffffff80` both read −128).
fn immediate_value(inst: &Instruction, operand: u32) -> i64 {
    let raw = inst.immediate(operand);
    match inst.op_kind(operand) {
        OpKind::Immediate8 => raw as i8 as i64,
        OpKind::Immediate16 | OpKind::Immediate8to16 => raw as i16 as i64,
        OpKind::Immediate32 | OpKind::Immediate8to32 => raw as i32 as i64,
        _ => raw as i64,
    }
}

fn check_field<T: PartialEq + std::fmt::Debug>(field: &str, expected: T, decoded: T) -> Result<(), String> {
    if expected == decoded { Ok(()) } else { Err(format!("{field}: expected {expected:?}, decoded {decoded:?}")) }
}

fn check_operand(
    inst: &Instruction,
    i: u32,
    operand: &Operand,
    decoded: &[Instruction],
    label_offsets: &[u64],
) -> Result<(), String> {
    match *operand {
        Operand::Reg(reg) => {
            check_field(&format!("op_kind({i})"), OpKind::Register, inst.op_kind(i))?;
            check_field(&format!("op_register({i})"), reg, inst.op_register(i))
        }
        Operand::Mem { base, index, scale, displacement, size } => {
            check_field(&format!("op_kind({i})"), OpKind::Memory, inst.op_kind(i))?;
            check_field("memory_base()", base, inst.memory_base())?;
            check_field("memory_index()", index, inst.memory_index())?;
            check_field("memory_index_scale()", scale, inst.memory_index_scale())?;
            check_field("memory_displacement64()", displacement as u64, inst.memory_displacement64())?;
            check_field("memory_size()", size, inst.memory_size())
        }
        Operand::RipMem { target, size } => {
            check_field(&format!("op_kind({i})"), OpKind::Memory, inst.op_kind(i))?;
            check_field("memory_base()", iced_x86::Register::RIP, inst.memory_base())?;
            check_field("memory_index()", iced_x86::Register::None, inst.memory_index())?;
            let address = resolve_target(target, decoded, label_offsets);
            check_field("memory_displacement64()", address, inst.memory_displacement64())?;
            check_field("memory_size()", size, inst.memory_size())
        }
        Operand::Imm { kind, value } => {
            check_field(&format!("op_kind({i})"), kind, inst.op_kind(i))?;
            check_field(&format!("immediate({i})"), value, immediate_value(inst, i))
        }
        Operand::Branch(target) => {
            check_field(&format!("op_kind({i})"), OpKind::NearBranch64, inst.op_kind(i))?;
            let address = resolve_target(target, decoded, label_offsets);
            check_field("near_branch64()", address, inst.near_branch64())
        }
    }
}

/// Compares what the `Inst` means (`expected`, from `derive`) with what
/// iced decoded, field by field; the error names the instruction and field.
fn check_fields(expected: &[MachineInst], decoded: &[Instruction], label_offsets: &[u64]) -> Result<(), String> {
    check_field("instruction count", expected.len(), decoded.len())?;
    for (k, (want, got)) in expected.iter().zip(decoded).enumerate() {
        let in_inst = |e: String| format!("instruction {k} ({:?} at {:#x}): {e}", got.mnemonic(), got.ip());
        check_field("mnemonic()", want.mnemonic, got.mnemonic()).map_err(in_inst)?;
        check_field("op_count()", want.operands.len() as u32, got.op_count()).map_err(in_inst)?;
        for (i, operand) in want.operands.iter().enumerate() {
            check_operand(got, i as u32, operand, decoded, label_offsets).map_err(in_inst)?;
        }
    }
    Ok(())
}

/// The trap sites and relocations the derived instructions call for.
fn check_side_tables(expected: &[MachineInst], decoded: &[Instruction], emitted: &Emitted) -> Result<(), String> {
    let traps: Vec<(u32, crate::runtime::TrapCode)> =
        expected.iter().zip(decoded).filter_map(|(want, got)| want.trap.map(|code| (got.ip() as u32, code))).collect();
    let emitted_traps: Vec<_> = emitted.traps.iter().map(|t| (t.offset, t.code)).collect();
    check_field("trap sites", traps, emitted_traps)?;
    // A call's rel32 is the last 4 bytes of the instruction, patched at link
    // time relative to the end of the field.
    let relocs: Vec<crate::machinst::MachReloc> = expected
        .iter()
        .zip(decoded)
        .filter_map(|(want, got)| {
            want.call_symbol.map(|symbol| crate::machinst::MachReloc {
                offset: got.next_ip() as u32 - 4,
                kind: RelocKind::X86CallPCRel4,
                symbol,
                addend: -4,
            })
        })
        .collect();
    check_field("relocations", relocs, emitted.relocs.clone())
}

/// Checks one row; the error says what differs.
fn check_row(row: &Row) -> Result<(), String> {
    let emitted = emit_row(row);
    let expected_bytes = hex_bytes(row.hex);
    if emitted.bytes != expected_bytes {
        return Err(format!("bytes: expected {}, emitted {}", show_hex(&expected_bytes), show_hex(&emitted.bytes)));
    }
    let fallthrough = |label: MachLabel| row.labels[label.0 as usize] == LabelAt::End;
    let Derived { insts: expected, table } = derive::derive(&row.inst, &row.frame, &fallthrough);
    let code_len = emitted.bytes.len().checked_sub(4 * table.len()).ok_or("shorter than its jump table")?;
    let (code, table_bytes) = emitted.bytes.split_at(code_len);
    let decoded = decode_all(code)?;
    let text = format_all(&decoded);
    if text != row.text {
        return Err(format!("text: expected `{}`, iced printed `{text}`", row.text));
    }
    check_fields(&expected, &decoded, &emitted.label_offsets)?;
    check_side_tables(&expected, &decoded, &emitted)?;
    // Jump table entries are offsets of the targets from the table start.
    let entries: Vec<i64> =
        table.iter().map(|l| emitted.label_offsets[l.0 as usize] as i64 - code_len as i64).collect();
    let emitted_entries: Vec<i64> =
        table_bytes.chunks(4).map(|c| i32::from_le_bytes(c.try_into().expect("4 bytes")) as i64).collect();
    check_field("jump table entries", entries, emitted_entries)
}

/// The whole table: the integer rows, then the floating-point ones.
fn all_rows() -> Vec<Row> {
    let mut all = rows::rows();
    all.extend(rows_sse::rows());
    all
}

fn row_name(index: usize, row: &Row) -> String {
    format!("row {index} [{}] `{}`", forms::form_keys(row)[0], row.text)
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
    let covered: std::collections::BTreeSet<String> = rows.iter().flat_map(forms::form_keys).collect();
    let unknown: Vec<&String> = covered.iter().filter(|k| !all.contains(*k)).collect();
    assert!(unknown.is_empty(), "rows have forms missing from all_forms(): {unknown:?}");
    let missing: Vec<&String> = all.iter().filter(|k| !covered.contains(*k)).collect();
    assert!(missing.is_empty(), "forms without a row: {missing:?}");
}

/// The field comparison can fail: flipping REX.B in `mov r8, rax` (49 89 c0)
/// turns it into `mov rax, rax`, and the check names the field.
#[test]
fn field_check_catches_a_flipped_rex_b() {
    use crate::isa::x64::inst::regs::{r8, rax, writable};
    let row = Row {
        inst: Inst::mov64(writable(r8()), rax()),
        hex: "49 89 c0",
        text: "mov r8, rax",
        frame: FrameLayout::default(),
        labels: vec![],
    };
    check_row(&row).expect("the unmutated row passes");
    let mut bytes = emit_row(&row).bytes;
    assert_eq!(bytes, [0x49, 0x89, 0xC0]);
    bytes[0] ^= 0x01; // REX.B
    let decoded = decode_all(&bytes).expect("still a valid instruction");
    let derived = derive::derive(&row.inst, &row.frame, &|_| false);
    let error = check_fields(&derived.insts, &decoded, &[]).expect_err("a flipped REX.B must be reported");
    assert!(error.contains("op_register(0)") && error.contains("R8") && error.contains("RAX"), "{error}");
}

/// Every single-bit flip of every row's code is noticed: the bytes no longer
/// decode, or the field check reports a mismatch, or the flip hit a bit the
/// processor ignores (REX.X without an index, REX.R under a `/digit`
/// opcode) and iced decodes the very same instruction.
#[test]
fn field_check_catches_every_meaningful_bit_flip() {
    let (mut flips, mut caught_by_fields, mut unnoticed) = (0, 0, Vec::new());
    for (index, row) in all_rows().iter().enumerate() {
        let emitted = emit_row(row);
        let fallthrough = |label: MachLabel| row.labels[label.0 as usize] == LabelAt::End;
        let derived = derive::derive(&row.inst, &row.frame, &fallthrough);
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
    use crate::machinst::MachInst;
    let limit = Inst::worst_case_size() as usize;
    let too_long: Vec<String> = all_rows()
        .iter()
        .enumerate()
        .filter(|(_, row)| !matches!(row.inst, Inst::JmpTable { .. }))
        .filter_map(|(index, row)| {
            let len = emit_row(row).bytes.len();
            (len > limit).then(|| format!("{}: {len} bytes", row_name(index, row)))
        })
        .collect();
    assert!(too_long.is_empty(), "rows longer than worst_case_size() = {limit}:\n{}", too_long.join("\n"));
}
