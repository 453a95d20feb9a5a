//! The x86-64 encoder check: emit one instruction, decode it with iced-x86,
//! compare with what the instruction means.
//!
//! Part of the oracles, at the end of the compiler's pipeline (`Inst::emit`
//! into a `MachBuffer`). A [`Case`] is an instruction with the frame its
//! `Frame` operands and `Ret` resolve against and the place each of its
//! labels is bound; [`check_case`] checks it three ways:
//!
//! ```text
//!                  ┌─▶ bytes ─iced decode─▶ instructions ─┬─ fields ─▶ == derive(Inst)
//! Case ─emit──────┤                                      └─ offsets ─▶ trap sites, relocations, jump table
//!                  └─▶ trap sites, relocations, label offsets
//! Case ─derive (derive.rs, derive_sse.rs: from the Inst's fields)──┘
//! ```
//!
//! The comparison is structural (mnemonic, operand kinds, registers at
//! their width, memory base/index/scale/displacement/size, immediates and
//! their kinds, branch targets), never textual; the text iced prints is
//! returned in [`Checked`] for the row tables, which pin it separately.
//! [`check_bytes`] checks given bytes (a mutated or foreign encoding)
//! against the same derivation.

use super::derive::{self, Derived, MachineInst, Operand, Target};
use crate::common::{Checked, Emitted, Failure, LabelAt, Mismatch, compare, emit_with_labels};
use compiler::isa::x64::inst::Inst;
use compiler::isa::x64::inst::args::{Amode, RegMem, RegMemImm};
use compiler::isa::x64::inst::emit::{EmitState, FrameLayout};
use compiler::machinst::{MachLabel, MachReloc, RelocKind};
use compiler::runtime::TrapCode;
use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, MemorySizeOptions, OpKind};

const ISA: &str = "x86-64";

/// An instruction and the setting it is emitted in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The instruction, over physical registers.
    pub inst: Inst,
    /// The frame `Amode::Frame` operands and `Ret` resolve against.
    pub frame: FrameLayout,
    /// Where each label is bound: `labels[i]` for `MachLabel(i)`; every
    /// label the instruction refers to needs an entry.
    pub labels: Vec<LabelAt>,
}

impl Case {
    /// The default setting: an empty frame (`FrameLayout::default()`:
    /// frame locations are `rsp + offset`, `Ret` pops only `rbp`) and each
    /// label at [`LabelAt::default_for`].
    pub fn new(inst: Inst) -> Case {
        let labels = LabelAt::defaults_up_to(labels_in(&inst).into_iter().max());
        Case { inst, frame: FrameLayout::default(), labels }
    }

    /// The same case in another frame.
    pub fn with_frame(self, frame: FrameLayout) -> Case {
        Case { frame, ..self }
    }

    /// The same case with its labels bound elsewhere.
    pub fn with_labels(self, labels: &[LabelAt]) -> Case {
        Case { labels: labels.to_vec(), ..self }
    }

    /// Whether `label` is bound right after the instruction.
    pub(crate) fn falls_through(&self, label: MachLabel) -> bool {
        self.labels.get(label.0 as usize) == Some(&LabelAt::End)
    }
}

fn amode_label(amode: &Amode) -> Option<MachLabel> {
    match amode {
        Amode::RipRelative { target } => Some(*target),
        Amode::ImmReg { .. } | Amode::ImmRegRegShift { .. } | Amode::Frame(_) => None,
    }
}

fn rm_label(rm: &RegMem) -> Option<MachLabel> {
    match rm {
        RegMem::Mem(amode) => amode_label(amode),
        RegMem::Reg(_) => None,
    }
}

fn rmi_label(rmi: &RegMemImm) -> Option<MachLabel> {
    match rmi {
        RegMemImm::Mem(amode) => amode_label(amode),
        RegMemImm::Reg(_) | RegMemImm::Imm(_) => None,
    }
}

/// Every label `inst` refers to.
pub fn labels_in(inst: &Inst) -> Vec<MachLabel> {
    match inst {
        Inst::Jmp { target } => vec![*target],
        Inst::JmpCond { taken, not_taken, .. } => vec![*taken, *not_taken],
        Inst::JmpTable { default, targets, .. } => std::iter::once(*default).chain(targets.iter().copied()).collect(),
        Inst::AluRmiR { src2, .. } | Inst::Cmp { src2, .. } => rmi_label(src2).into_iter().collect(),
        Inst::Imul { src2: rm, .. }
        | Inst::BitScan { src: rm, .. }
        | Inst::MovzxRmR { src: rm, .. }
        | Inst::MovsxRmR { src: rm, .. }
        | Inst::XmmRmR { src2: rm, .. } => rm_label(rm).into_iter().collect(),
        Inst::Mov64MR { src: amode, .. }
        | Inst::MovRM { dst: amode, .. }
        | Inst::Lea { addr: amode, .. }
        | Inst::XmmLoad { src: amode, .. }
        | Inst::XmmStore { dst: amode, .. } => amode_label(amode).into_iter().collect(),
        Inst::Args { .. }
        | Inst::Ret { .. }
        | Inst::Unary { .. }
        | Inst::Shift { .. }
        | Inst::Div { .. }
        | Inst::SignExtendData { .. }
        | Inst::CheckedSRem { .. }
        | Inst::MovRR { .. }
        | Inst::Imm { .. }
        | Inst::Setcc { .. }
        | Inst::Cmove { .. }
        | Inst::CallKnown { .. }
        | Inst::CallUnknown { .. }
        | Inst::Ud2 { .. }
        | Inst::TrapIf { .. }
        | Inst::XmmSqrt { .. }
        | Inst::XmmRound { .. }
        | Inst::XmmConvert { .. }
        | Inst::XmmMov { .. }
        | Inst::GprToXmm { .. }
        | Inst::XmmToGpr { .. }
        | Inst::Ucomis { .. }
        | Inst::CvtIntToFloat { .. }
        | Inst::CvtFloatToIntTrunc { .. }
        | Inst::XmmCmove { .. }
        | Inst::XmmMinMax { .. }
        | Inst::CvtFloatToSint { .. }
        | Inst::CvtFloatToUint { .. }
        | Inst::CvtUint64ToFloat { .. }
        | Inst::Push64 { .. }
        | Inst::Pop64 { .. } => vec![],
    }
}

/// Emits `case.inst` with its labels bound around it (padding: `int3`).
///
/// Panics if a label the instruction uses has no placement in the case
/// (a malformed case, not an encoding error).
pub(crate) fn emit_case(case: &Case) -> Emitted {
    let mut state = EmitState { frame: case.frame.clone() };
    emit_with_labels(&case.inst, &mut state, &case.labels, 1, |buffer| buffer.put1(0xCC), case)
}

/// The Intel formatter every case is printed with: lower-case `0x` hex for
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
/// valid and the last must end exactly at the end of `bytes`. On failure,
/// also returns the instructions decoded before it.
///
/// iced-x86 decodes every x86-64 instruction there is, so an undecodable
/// byte sequence is a wrong encoding, never [`Failure::Unsupported`].
pub(crate) fn decode_all(bytes: &[u8]) -> Result<Vec<Instruction>, (Failure, Vec<Instruction>)> {
    let mut decoder = Decoder::with_ip(64, bytes, 0, DecoderOptions::NONE);
    let mut insts = Vec::new();
    while decoder.can_decode() {
        let inst = decoder.decode();
        if inst.is_invalid() {
            let found = format!("{:?} at offset {:#x}", decoder.last_error(), inst.ip());
            return Err((Failure::bytes("valid instructions", found), insts));
        }
        insts.push(inst);
    }
    let consumed: usize = insts.iter().map(|i| i.len()).sum();
    if consumed != bytes.len() {
        let found = format!("instructions ending at {consumed} of {} bytes", bytes.len());
        return Err((Failure::bytes("instructions ending at the last byte", found), insts));
    }
    Ok(insts)
}

/// iced's text of `insts`, joined with `"; "`.
pub(crate) fn format_all(insts: &[Instruction]) -> String {
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
fn resolve_target(target: Target, decoded: &[Instruction], label_offsets: &[i64]) -> u64 {
    match target {
        // A backward label's negative offset wraps, as iced's addresses do.
        Target::Label(label) => label_offsets[label.0 as usize] as u64,
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

fn check_operand(
    inst: &Instruction,
    i: u32,
    operand: &Operand,
    decoded: &[Instruction],
    label_offsets: &[i64],
) -> Result<(), Failure> {
    match *operand {
        Operand::Reg(reg) => {
            compare(format_args!("op_kind({i})"), OpKind::Register, inst.op_kind(i))?;
            compare(format_args!("op_register({i})"), reg, inst.op_register(i))
        }
        Operand::Mem { base, index, scale, displacement, size } => {
            compare(format_args!("op_kind({i})"), OpKind::Memory, inst.op_kind(i))?;
            compare("memory_base()", base, inst.memory_base())?;
            compare("memory_index()", index, inst.memory_index())?;
            compare("memory_index_scale()", scale, inst.memory_index_scale())?;
            compare("memory_displacement64()", displacement as u64, inst.memory_displacement64())?;
            compare("memory_size()", size, inst.memory_size())
        }
        Operand::RipMem { target, size } => {
            compare(format_args!("op_kind({i})"), OpKind::Memory, inst.op_kind(i))?;
            compare("memory_base()", iced_x86::Register::RIP, inst.memory_base())?;
            compare("memory_index()", iced_x86::Register::None, inst.memory_index())?;
            let address = resolve_target(target, decoded, label_offsets);
            compare("memory_displacement64()", address, inst.memory_displacement64())?;
            compare("memory_size()", size, inst.memory_size())
        }
        Operand::Imm { kind, value } => {
            compare(format_args!("op_kind({i})"), kind, inst.op_kind(i))?;
            compare(format_args!("immediate({i})"), value, immediate_value(inst, i))
        }
        Operand::Branch(target) => {
            compare(format_args!("op_kind({i})"), OpKind::NearBranch64, inst.op_kind(i))?;
            let address = resolve_target(target, decoded, label_offsets);
            compare("near_branch64()", address, inst.near_branch64())
        }
    }
}

/// Compares what the `Inst` means (`expected`, from `derive`) with what
/// iced decoded, field by field; the failure names the instruction and
/// field.
pub(crate) fn check_fields(
    expected: &[MachineInst],
    decoded: &[Instruction],
    label_offsets: &[i64],
) -> Result<(), Failure> {
    compare("instruction count", expected.len(), decoded.len())?;
    for (k, (want, got)) in expected.iter().zip(decoded).enumerate() {
        let in_inst = |f: Failure| f.within(&format!("instruction {k} ({:?} at {:#x})", got.mnemonic(), got.ip()));
        compare("mnemonic()", want.mnemonic, got.mnemonic()).map_err(in_inst)?;
        compare("op_count()", want.operands.len() as u32, got.op_count()).map_err(in_inst)?;
        for (i, operand) in want.operands.iter().enumerate() {
            check_operand(got, i as u32, operand, decoded, label_offsets).map_err(in_inst)?;
        }
    }
    Ok(())
}

/// The trap sites and relocations the derived instructions call for.
fn check_side_tables(expected: &[MachineInst], decoded: &[Instruction], emitted: &Emitted) -> Result<(), Failure> {
    let traps: Vec<(u32, TrapCode)> =
        expected.iter().zip(decoded).filter_map(|(want, got)| want.trap.map(|code| (got.ip() as u32, code))).collect();
    let emitted_traps: Vec<_> = emitted.traps.iter().map(|t| (t.offset, t.code)).collect();
    compare("trap sites", traps, emitted_traps)?;
    // A call's rel32 is the last 4 bytes of the instruction, patched at link
    // time relative to the end of the field.
    let relocs: Vec<MachReloc> = expected
        .iter()
        .zip(decoded)
        .filter_map(|(want, got)| {
            want.call_symbol.map(|symbol| MachReloc {
                offset: got.next_ip() as u32 - 4,
                kind: RelocKind::X86CallPCRel4,
                symbol,
                addend: -4,
            })
        })
        .collect();
    compare("relocations", relocs, emitted.relocs.clone())
}

/// Checks what `case` emitted (possibly with its bytes replaced). The
/// decoder's text is formatted for a mismatch always, for a pass only
/// `with_text` (else [`Checked::text`] is empty).
fn check_emitted(case: &Case, emitted: Emitted, with_text: bool) -> Result<Checked, Mismatch> {
    let mismatch = |failure: Failure, decoded: String| {
        failure.into_mismatch(ISA, format!("{:?}", case.inst), &emitted.bytes, decoded)
    };
    let Derived { insts: expected, table } = derive::derive(&case.inst, &case.frame, &|l| case.falls_through(l));
    let table_len = 4 * table.len();
    let Some(code_len) = emitted.bytes.len().checked_sub(table_len) else {
        let found = format!("{} bytes", emitted.bytes.len());
        return Err(mismatch(Failure::bytes(&format!("code and a {table_len}-byte jump table"), found), String::new()));
    };
    let (code, table_bytes) = emitted.bytes.split_at(code_len);
    let decoded = decode_all(code).map_err(|(failure, partial)| mismatch(failure, format_all(&partial)))?;
    let text = || format_all(&decoded);
    check_fields(&expected, &decoded, &emitted.label_offsets).map_err(|f| mismatch(f, text()))?;
    check_side_tables(&expected, &decoded, &emitted).map_err(|f| mismatch(f, text()))?;
    // Jump table entries are offsets of the targets from the table start.
    if !(table.is_empty() && table_bytes.is_empty()) {
        let entries: Vec<i64> = table.iter().map(|l| emitted.label_offsets[l.0 as usize] - code_len as i64).collect();
        let emitted_entries: Vec<i64> =
            table_bytes.chunks(4).map(|c| i32::from_le_bytes(c.try_into().expect("4 bytes")) as i64).collect();
        compare("jump table entries", entries, emitted_entries).map_err(|f| mismatch(f, text()))?;
    }
    let text = if with_text { text() } else { String::new() };
    Ok(Checked { code_len, text, instructions: decoded.len(), bytes: emitted.bytes })
}

/// Checks `inst` in the default setting ([`Case::new`]).
pub fn check(inst: &Inst) -> Result<Checked, Mismatch> {
    check_case(&Case::new(inst.clone()))
}

/// Emits `case.inst` and checks the bytes, the trap sites, relocations and
/// jump-table entries against what the instruction means.
pub fn check_case(case: &Case) -> Result<Checked, Mismatch> {
    check_emitted(case, emit_case(case), true)
}

/// [`check_case`] without the decoder's text of a passing case
/// ([`Checked::text`] is empty; a [`Mismatch`] still has it): the fast
/// path of the encoder sweep, where formatting would cost more than the
/// check.
pub fn check_case_quick(case: &Case) -> Result<Checked, Mismatch> {
    check_emitted(case, emit_case(case), false)
}

/// [`check_bytes`] without the decoder's text of a pass (as
/// [`check_case_quick`]).
pub fn check_bytes_quick(case: &Case, bytes: &[u8]) -> Result<Checked, Mismatch> {
    let mut emitted = emit_case(case);
    emitted.bytes = bytes.to_vec();
    check_emitted(case, emitted, false)
}

/// Checks `bytes` (instead of what the emitter produces) against what
/// `case.inst` means: the trap sites, relocations and label offsets are
/// still those of the real emission, so `bytes` should have its length.
/// This is how a mutated or foreign (e.g. Cranelift's) encoding is judged.
pub fn check_bytes(case: &Case, bytes: &[u8]) -> Result<Checked, Mismatch> {
    let mut emitted = emit_case(case);
    emitted.bytes = bytes.to_vec();
    check_emitted(case, emitted, true)
}
