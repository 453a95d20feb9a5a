//! The AArch64 encoder check: emit one instruction, decode its words with
//! yaxpeax-arm, compare with what the instruction means.
//!
//! Part of the oracles, at the end of the compiler's pipeline (`Inst::emit`
//! into a `MachBuffer`). A [`Case`] is an instruction with the frame its
//! `Frame` addresses and `Ret` resolve against and the place each of its
//! labels is bound; [`check_case`] checks it:
//!
//! ```text
//!                  ┌─▶ words ─yaxpeax decode─▶ instructions ─┬─ fields ─▶ == derive(Inst)
//! Case ─emit──────┤                                         └─ offsets ─▶ trap sites, relocations, jump table
//!                  └─▶ trap sites, relocations, label offsets
//! Case ─derive (derive.rs: from the Inst's fields)───────────────┘
//! ```
//!
//! The fields are yaxpeax's structured `Instruction { opcode, operands }`:
//! registers with width and `sp`/`zr` meaning, immediates, shift and extend
//! styles, memory operands, PC offsets. Display text alone is not enough
//! (it applies aliases: `ubfm` prints as `lsl`, `csinc` as `cset`); it is
//! returned in [`Checked`] for the row table, which pins it separately. A
//! word yaxpeax reports as `IncompleteDecoder` is [`Failure::Unsupported`],
//! never a wrong encoding. [`check_bytes`] checks given bytes (a mutated or
//! foreign encoding) against the same derivation.

use super::derive::{self, Derived, Expected, ExpectedOperand, MachineInst, Target};
use crate::common::{Checked, Emitted, Failure, LabelAt, Mismatch, compare, emit_with_labels};
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::OperandSize;
use compiler::isa::aarch64::inst::emit::{EmitState, FrameLayout};
use compiler::machinst::{MachLabel, MachReloc, RelocKind};
use compiler::runtime::TrapCode;
use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv8::a64::{DecodeError, InstDecoder, Instruction, Opcode, Operand, SizeCode};

const ISA: &str = "aarch64";

/// An instruction and the setting it is emitted in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The instruction, over physical registers.
    pub inst: Inst,
    /// The frame `AMode::Frame` addresses and `Ret` resolve against.
    pub frame: FrameLayout,
    /// Where each label is bound: `labels[i]` for `MachLabel(i)`; every
    /// label the instruction refers to needs an entry, and `Past(n)` needs
    /// `n` to be a multiple of 4.
    pub labels: Vec<LabelAt>,
}

impl Case {
    /// The default setting: an empty frame (`FrameLayout::default()`:
    /// frame locations are `sp + offset`, `Ret` restores only the frame
    /// record) and each label at [`LabelAt::default_for`].
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

/// Every label `inst` refers to.
pub fn labels_in(inst: &Inst) -> Vec<MachLabel> {
    match inst {
        Inst::Jump { target } => vec![*target],
        Inst::CondBr { taken, not_taken, .. } => vec![*taken, *not_taken],
        Inst::JmpTable { default, targets, .. } => std::iter::once(*default).chain(targets.iter().copied()).collect(),
        Inst::Args { .. }
        | Inst::Ret { .. }
        | Inst::AluRRR { .. }
        | Inst::AluRRRShift { .. }
        | Inst::AluRRRExtend { .. }
        | Inst::AluRRImm12 { .. }
        | Inst::AluRRImmLogic { .. }
        | Inst::ShiftImm { .. }
        | Inst::AluRRRR { .. }
        | Inst::BitRR { .. }
        | Inst::Extend { .. }
        | Inst::Mov { .. }
        | Inst::MovWide { .. }
        | Inst::MovK { .. }
        | Inst::Imm { .. }
        | Inst::CSel { .. }
        | Inst::CSet { .. }
        | Inst::CCmpImm { .. }
        | Inst::Load { .. }
        | Inst::LoadAddr { .. }
        | Inst::Store { .. }
        | Inst::StoreP64 { .. }
        | Inst::LoadP64 { .. }
        | Inst::Call { .. }
        | Inst::CallInd { .. }
        | Inst::Udf { .. }
        | Inst::TrapIf { .. }
        | Inst::FpuRRR { .. }
        | Inst::FpuRR { .. }
        | Inst::FpuCvt { .. }
        | Inst::FpuCmp { .. }
        | Inst::FpuCSel { .. }
        | Inst::IntToFpu { .. }
        | Inst::FpuToInt { .. }
        | Inst::MovToFpu { .. }
        | Inst::MovFromFpu { .. }
        | Inst::FpuLoad { .. }
        | Inst::FpuStore { .. } => vec![],
    }
}

/// Emits `case.inst` with its labels bound around it (padding: zero words).
///
/// Panics if a label the instruction uses has no placement in the case
/// (a malformed case, not an encoding error).
pub(crate) fn emit_case(case: &Case) -> Emitted {
    let mut state = EmitState { frame: case.frame.clone() };
    emit_with_labels(&case.inst, &mut state, &case.labels, 4, |buffer| buffer.put4(0), case)
}

/// Little-endian 32-bit words of `bytes` (a multiple of 4 long).
pub(crate) fn words_of(bytes: &[u8]) -> Vec<u32> {
    bytes.chunks(4).map(|c| u32::from_le_bytes(c.try_into().expect("4-byte words"))).collect()
}

/// Decodes every word; each must be a valid instruction. On failure, also
/// returns the instructions decoded before it.
pub(crate) fn decode_all(words: &[u32]) -> Result<Vec<Instruction>, (Failure, Vec<Instruction>)> {
    let decoder = InstDecoder::default();
    let mut insts = Vec::new();
    for (k, word) in words.iter().enumerate() {
        let bytes = word.to_le_bytes();
        match decoder.decode(&mut U8Reader::new(&bytes[..])) {
            Ok(inst) => insts.push(inst),
            Err(DecodeError::IncompleteDecoder) => {
                let detail = format!("word {k} ({word:08x}): IncompleteDecoder (yaxpeax-arm cannot decode it)");
                return Err((Failure::Unsupported(detail), insts));
            }
            Err(error) => {
                let found = format!("word {k} ({word:08x}): {error:?}");
                return Err((Failure::bytes("valid instructions", found), insts));
            }
        }
    }
    Ok(insts)
}

/// yaxpeax's text of `insts`, joined with `"; "`.
pub(crate) fn format_all(insts: &[Instruction]) -> String {
    insts.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("; ")
}

/// A failure of a constant sequence at instruction `k`.
fn not_a_constant(k: usize, expected: String, found: String) -> Failure {
    Failure::Wrong { field: format!("constant instruction {k}"), expected, found }
}

/// The value a `movz`/`movn`/`movk`/`orr #imm` sequence leaves in `rd`, or
/// why the instructions are not such a sequence.
fn evaluate_constant(insts: &[Instruction], rd: u16, size: OperandSize) -> Result<u64, Failure> {
    let width = if size == OperandSize::Size64 { SizeCode::X } else { SizeCode::W };
    let mut value = 0u64;
    for (k, inst) in insts.iter().enumerate() {
        let first = k == 0;
        let dest_ok = match inst.operands[0] {
            Operand::Register(w, r) | Operand::RegisterOrSP(w, r) => w == width && r == rd,
            _ => false,
        };
        if !dest_ok {
            return Err(not_a_constant(k, format!("a write to {width:?} {rd}"), format!("{:?}", inst.operands[0])));
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
            _ => return Err(not_a_constant(k, "movz/movn, movk or orr".into(), format!("`{inst}`"))),
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
pub(crate) fn check_fields(
    expected: &[Expected],
    decoded: &[Instruction],
    label_offsets: &[i64],
    code_len: u64,
) -> Result<Vec<(u64, MachineInst)>, Failure> {
    let mut at = 0usize;
    let mut matched = Vec::new();
    for (e, item) in expected.iter().enumerate() {
        if at >= decoded.len() {
            return Err(Failure::Wrong {
                field: "instruction count".into(),
                expected: format!("item {e} ({item:?}) at instruction {at}"),
                found: format!("{} instructions", decoded.len()),
            });
        }
        let address = 4 * at as u64;
        match item {
            Expected::Constant { rd, size, value } => {
                let length = constant_length(&decoded[at..], *rd);
                let got = evaluate_constant(&decoded[at..at + length], *rd, *size)
                    .map_err(|f| f.within(&format!("instruction {at}")))?;
                compare(format_args!("constant in register {rd} at instruction {at}"), *value, got)?;
                at += length;
            }
            Expected::Inst(want) => {
                let got = &decoded[at];
                let in_inst = |f: Failure| f.within(&format!("instruction {at} (`{got}`)"));
                compare("opcode", want.opcode, got.opcode).map_err(in_inst)?;
                for i in 0..4 {
                    let operand = match want.operands.get(i) {
                        None => Operand::Nothing,
                        Some(ExpectedOperand::Plain(operand)) => *operand,
                        Some(ExpectedOperand::Pc(target)) => {
                            let destination = match *target {
                                Target::Label(label) => label_offsets[label.0 as usize],
                                Target::CodeEnd => code_len as i64,
                                Target::Relative(delta) => address as i64 + delta,
                            };
                            Operand::PCOffset(destination - address as i64)
                        }
                    };
                    compare(format_args!("operands[{i}]"), operand, got.operands[i]).map_err(in_inst)?;
                }
                matched.push((address, want.clone()));
                at += 1;
            }
        }
    }
    compare("instruction count", at, decoded.len())?;
    Ok(matched)
}

/// The trap sites and relocations the derived instructions call for.
fn check_side_tables(matched: &[(u64, MachineInst)], emitted: &Emitted) -> Result<(), Failure> {
    let traps: Vec<(u32, TrapCode)> =
        matched.iter().filter_map(|(at, want)| want.trap.map(|code| (*at as u32, code))).collect();
    let emitted_traps: Vec<_> = emitted.traps.iter().map(|t| (t.offset, t.code)).collect();
    compare("trap sites", traps, emitted_traps)?;
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
    compare("relocations", relocs, emitted.relocs.clone())
}

/// Checks what `case` emitted (possibly with its bytes replaced). The
/// decoder's text is formatted for a mismatch always, for a pass only
/// `with_text` (else [`Checked::text`] is empty).
fn check_emitted(case: &Case, emitted: Emitted, with_text: bool) -> Result<Checked, Mismatch> {
    let mismatch = |failure: Failure, decoded: String| {
        failure.into_mismatch(ISA, format!("{:?}", case.inst), &emitted.bytes, decoded)
    };
    let Derived { code: expected, table } = derive::derive(&case.inst, &case.frame, &|l| case.falls_through(l));
    if !emitted.bytes.len().is_multiple_of(4) {
        let found = format!("{} bytes", emitted.bytes.len());
        return Err(mismatch(Failure::bytes("whole 4-byte words", found), String::new()));
    }
    let words = words_of(&emitted.bytes);
    let Some(code_len) = words.len().checked_sub(table.len()) else {
        let found = format!("{} words", words.len());
        return Err(mismatch(Failure::bytes(&format!("code and {} table words", table.len()), found), String::new()));
    };
    let (code, table_words) = words.split_at(code_len);
    let decoded = decode_all(code).map_err(|(failure, partial)| mismatch(failure, format_all(&partial)))?;
    let text = || format_all(&decoded);
    let matched = check_fields(&expected, &decoded, &emitted.label_offsets, 4 * code_len as u64)
        .map_err(|f| mismatch(f, text()))?;
    check_side_tables(&matched, &emitted).map_err(|f| mismatch(f, text()))?;
    // Jump-table entries are offsets of the targets from the table start.
    if !(table.is_empty() && table_words.is_empty()) {
        let start = 4 * code_len as i64;
        let entries: Vec<i64> = table.iter().map(|l| emitted.label_offsets[l.0 as usize] - start).collect();
        let emitted_entries: Vec<i64> = table_words.iter().map(|&w| w as i32 as i64).collect();
        compare("jump table entries", entries, emitted_entries).map_err(|f| mismatch(f, text()))?;
    }
    let text = if with_text { text() } else { String::new() };
    Ok(Checked { code_len: 4 * code_len, text, instructions: decoded.len(), bytes: emitted.bytes })
}

/// Checks `inst` in the default setting ([`Case::new`]).
pub fn check(inst: &Inst) -> Result<Checked, Mismatch> {
    check_case(&Case::new(inst.clone()))
}

/// Emits `case.inst` and checks the words, the trap sites, relocations and
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
