//! Arbitrary AArch64 instructions, built from unstructured bytes: every
//! form the emitter has, for proptest, fuzzing and the harness.
//!
//! Part of the AArch64 oracle, in front of [`check`](super::check):
//! `bytes ─arbitrary_case─▶ Case ─check_case─▶ Checked | Mismatch`.
//!
//! Instances are valid by construction: only physical registers; only the
//! operations each encoding class takes (`ror` only on logical shifted
//! registers, add/sub for extended registers and 12-bit immediates, the
//! logical operations for bitmask immediates, the address extensions for
//! register offsets); every field in the range `emit.rs` asserts (shift
//! amounts below the width, extend shifts 0–4, move-wide shifts below
//! width/16, `ccmp` fields, scaled and 9-bit offsets, pair offsets);
//! `movk` reusing its register; conditions with an opposite (not
//! `al`/`nv`) where one is taken. Register 31 appears wherever an operand
//! reads it as `sp` or as the zero register; it is left out where it makes
//! no sense as a destination (a load's `rt`, an `Imm`, jump-table
//! registers) and `x17` where emission uses it as scratch. A load or store
//! that writes its base back never has the base as its data register
//! (unpredictable), nor does `ldp` load the same register twice.
//! Immediates come at their edges (0, ±1, the 12-bit, shifted 12-bit,
//! scaled, 9-bit and pair limits, each bitmask element size, the move-wide
//! sequences) as well as random. Labels are numbered 0–3, which
//! [`LabelAt::default_for`](crate::LabelAt::default_for) binds before, right
//! after, and 4 or 8 bytes past the instruction; the frame is random, up to
//! sizes that need a register to adjust `sp`.
//!
//! Invariant: a new form cannot escape the check. [`variant_of`] is an
//! exhaustive `match` over `Inst`, and [`generate`] an exhaustive `match`
//! over [`Variant`]: a new `Inst` variant does not compile until it has a
//! `Variant` and a generator arm (and a `derive` rule and form keys, whose
//! matches are exhaustive too). The coverage test fails until the variant
//! is in [`Variant::ALL`] and every key `all_forms()` lists is generated.

use super::check::Case;
use super::forms::{IMM_EDGES, IMM12_EDGES};
use crate::common::{choose_except, choose_from};
use arbitrary::{Result, Unstructured};
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::*;
use compiler::isa::aarch64::inst::args_fp::{FloatSize, FpuOp1, FpuOp2};
use compiler::isa::aarch64::inst::emit::FrameLayout;
use compiler::isa::aarch64::inst::regs::{self, writable};
use compiler::machinst::{MachLabel, Reg};
use compiler::runtime::TrapCode;
use regalloc2::PRegSet;

crate::common::variant_enum! {
    /// The variants of `Inst`, without their fields: what the generator picks
    /// first. Each is the `Inst` variant of the same name; [`Variant::ALL`]
    /// lists them in declaration order.
    enum Variant {
        Args,
        Ret,
        AluRRR,
        AluRRRShift,
        AluRRRExtend,
        AluRRImm12,
        AluRRImmLogic,
        ShiftImm,
        AluRRRR,
        BitRR,
        Extend,
        Mov,
        MovWide,
        MovK,
        Imm,
        CSel,
        CSet,
        CCmpImm,
        Load,
        LoadAddr,
        Store,
        StoreP64,
        LoadP64,
        Jump,
        CondBr,
        JmpTable,
        Call,
        CallInd,
        Udf,
        TrapIf,
        FpuRRR,
        FpuRR,
        FpuCvt,
        FpuCmp,
        FpuCSel,
        IntToFpu,
        FpuToInt,
        MovToFpu,
        MovFromFpu,
        FpuLoad,
        FpuStore,
    }
}

/// The variant of `inst`.
pub fn variant_of(inst: &Inst) -> Variant {
    match inst {
        Inst::Args { .. } => Variant::Args,
        Inst::Ret { .. } => Variant::Ret,
        Inst::AluRRR { .. } => Variant::AluRRR,
        Inst::AluRRRShift { .. } => Variant::AluRRRShift,
        Inst::AluRRRExtend { .. } => Variant::AluRRRExtend,
        Inst::AluRRImm12 { .. } => Variant::AluRRImm12,
        Inst::AluRRImmLogic { .. } => Variant::AluRRImmLogic,
        Inst::ShiftImm { .. } => Variant::ShiftImm,
        Inst::AluRRRR { .. } => Variant::AluRRRR,
        Inst::BitRR { .. } => Variant::BitRR,
        Inst::Extend { .. } => Variant::Extend,
        Inst::Mov { .. } => Variant::Mov,
        Inst::MovWide { .. } => Variant::MovWide,
        Inst::MovK { .. } => Variant::MovK,
        Inst::Imm { .. } => Variant::Imm,
        Inst::CSel { .. } => Variant::CSel,
        Inst::CSet { .. } => Variant::CSet,
        Inst::CCmpImm { .. } => Variant::CCmpImm,
        Inst::Load { .. } => Variant::Load,
        Inst::LoadAddr { .. } => Variant::LoadAddr,
        Inst::Store { .. } => Variant::Store,
        Inst::StoreP64 { .. } => Variant::StoreP64,
        Inst::LoadP64 { .. } => Variant::LoadP64,
        Inst::Jump { .. } => Variant::Jump,
        Inst::CondBr { .. } => Variant::CondBr,
        Inst::JmpTable { .. } => Variant::JmpTable,
        Inst::Call { .. } => Variant::Call,
        Inst::CallInd { .. } => Variant::CallInd,
        Inst::Udf { .. } => Variant::Udf,
        Inst::TrapIf { .. } => Variant::TrapIf,
        Inst::FpuRRR { .. } => Variant::FpuRRR,
        Inst::FpuRR { .. } => Variant::FpuRR,
        Inst::FpuCvt { .. } => Variant::FpuCvt,
        Inst::FpuCmp { .. } => Variant::FpuCmp,
        Inst::FpuCSel { .. } => Variant::FpuCSel,
        Inst::IntToFpu { .. } => Variant::IntToFpu,
        Inst::FpuToInt { .. } => Variant::FpuToInt,
        Inst::MovToFpu { .. } => Variant::MovToFpu,
        Inst::MovFromFpu { .. } => Variant::MovFromFpu,
        Inst::FpuLoad { .. } => Variant::FpuLoad,
        Inst::FpuStore { .. } => Variant::FpuStore,
    }
}

/// An arbitrary instruction with a random frame, its labels at their
/// default places. Covers every key of [`all_forms`](super::all_forms).
pub fn arbitrary_case(u: &mut Unstructured) -> Result<Case> {
    let variant = *u.choose(&Variant::ALL)?;
    let inst = generate(variant, u)?;
    // Only the epilogue and frame addresses read the frame; other cases keep
    // the default one, which costs nothing to build and emit.
    let frame = if reads_frame(&inst) { frame(u)? } else { FrameLayout::default() };
    Ok(Case::new(inst).with_frame(frame))
}

/// Whether emitting `inst` depends on the frame: `Ret` (the epilogue) and
/// accesses to a frame location.
fn reads_frame(inst: &Inst) -> bool {
    match inst {
        Inst::Ret { .. } => true,
        Inst::Load { mem, .. }
        | Inst::LoadAddr { mem, .. }
        | Inst::Store { mem, .. }
        | Inst::FpuLoad { mem, .. }
        | Inst::FpuStore { mem, .. } => matches!(mem, AMode::Frame(_)),
        _ => false,
    }
}

/// An arbitrary instruction, to be checked in the default setting
/// ([`check`](super::check)). The forms that depend on the frame (the
/// epilogue of `Ret`) need [`arbitrary_case`], which also varies the frame.
pub fn arbitrary_inst(u: &mut Unstructured) -> Result<Inst> {
    let variant = *u.choose(&Variant::ALL)?;
    generate(variant, u)
}

/// An instance of `variant`.
pub fn generate(variant: Variant, u: &mut Unstructured) -> Result<Inst> {
    let inst = match variant {
        Variant::Args => Inst::Args { args: vec![] },
        Variant::Ret => Inst::Ret { rets: vec![] },
        Variant::AluRRR => {
            let op = choose_from(u, &[&AluOp::ARITH, &AluOp::LOGICAL, &AluOp::TWO_SOURCE])?;
            Inst::AluRRR { op, size: size(u)?, rd: writable(reg31(u)?), rn: reg31(u)?, rm: reg31(u)? }
        }
        Variant::AluRRRShift => {
            let (op, size) = (choose_from(u, &[&AluOp::ARITH, &AluOp::LOGICAL])?, size(u)?);
            let shifts: &[ShiftOp] = if op.is_logical() { &ShiftOp::ALL } else { &ShiftOp::ALL[..3] };
            let (shift, amount) = (*u.choose(shifts)?, below_width(u, size)?);
            Inst::AluRRRShift { op, size, rd: writable(reg31(u)?), rn: reg31(u)?, rm: reg31(u)?, shift, amount }
        }
        Variant::AluRRRExtend => Inst::AluRRRExtend {
            op: *u.choose(&AluOp::ARITH)?,
            size: size(u)?,
            rd: writable(reg31(u)?),
            rn: reg31(u)?,
            rm: reg31(u)?,
            extend: *u.choose(&ExtendOp::ALL)?,
            shift: u.int_in_range(0..=4)?,
        },
        Variant::AluRRImm12 => Inst::AluRRImm12 {
            op: *u.choose(&AluOp::ARITH)?,
            size: size(u)?,
            rd: writable(reg31(u)?),
            rn: reg31(u)?,
            imm: imm12(u)?,
        },
        Variant::AluRRImmLogic => {
            let (op, size) = (*u.choose(&AluOp::LOGICAL)?, size(u)?);
            Inst::AluRRImmLogic { op, size, rd: writable(reg31(u)?), rn: reg31(u)?, imm: logic_imm(u, size)? }
        }
        Variant::ShiftImm => {
            let (op, size) = (*u.choose(&ShiftOp::ALL)?, size(u)?);
            Inst::ShiftImm { op, size, rd: writable(reg31(u)?), rn: reg31(u)?, amount: below_width(u, size)? }
        }
        Variant::AluRRRR => Inst::AluRRRR {
            op: *u.choose(&[AluOp3::MAdd, AluOp3::MSub])?,
            size: size(u)?,
            rd: writable(reg31(u)?),
            rn: reg31(u)?,
            rm: reg31(u)?,
            ra: reg31(u)?,
        },
        Variant::BitRR => Inst::BitRR {
            op: *u.choose(&[BitOp::Rbit, BitOp::Clz])?,
            size: size(u)?,
            rd: writable(reg31(u)?),
            rn: reg31(u)?,
        },
        Variant::Extend => {
            let (from_bits, to_bits) = *u.choose(&[(8, 32), (8, 64), (16, 32), (16, 64), (32, 64)])?;
            Inst::Extend { rd: writable(reg31(u)?), rn: reg31(u)?, signed: u.arbitrary()?, from_bits, to_bits }
        }
        Variant::Mov => Inst::Mov { size: size(u)?, rd: writable(reg31(u)?), rm: reg31(u)? },
        Variant::MovWide => {
            let (op, size) = (*u.choose(&[MoveWideOp::MovZ, MoveWideOp::MovN])?, size(u)?);
            Inst::MovWide { op, size, rd: writable(reg31(u)?), imm: move_wide_const(u, size)? }
        }
        Variant::MovK => {
            let (size, rd) = (size(u)?, reg31(u)?);
            Inst::MovK { size, rd: writable(rd), rn: rd, imm: move_wide_const(u, size)? }
        }
        Variant::Imm => {
            let size = size(u)?;
            Inst::Imm { size, value: imm_value(u, size)?, rd: writable(gpr_except(u, &[31])?) }
        }
        Variant::CSel => {
            Inst::CSel { size: size(u)?, cond: cond(u)?, rd: writable(reg31(u)?), rn: reg31(u)?, rm: reg31(u)? }
        }
        Variant::CSet => Inst::CSet { size: size(u)?, cond: cond(u)?, rd: writable(reg31(u)?) },
        Variant::CCmpImm => Inst::CCmpImm {
            size: size(u)?,
            rn: reg31(u)?,
            imm: u.int_in_range(0..=31)?,
            nzcv: u.int_in_range(0..=15)?,
            cond: cond(u)?,
        },
        Variant::Load => {
            let op = *u.choose(&LoadOp::ALL)?;
            let rd = gpr_except(u, &[31])?;
            Inst::Load { op, rd: writable(rd), mem: amode(u, op.access_bytes(), Some(rd))? }
        }
        Variant::LoadAddr => {
            let mem = if u.arbitrary()? {
                AMode::RegOffset { rn: gpr_except(u, &[17])?, offset: offset(u, 1)? }
            } else {
                AMode::Frame(frame_offset(u)?)
            };
            Inst::LoadAddr { rd: writable(gpr_except(u, &[31])?), mem }
        }
        Variant::Store => {
            let (op, rt) = (*u.choose(&StoreOp::ALL)?, reg31(u)?);
            Inst::Store { op, rt, mem: amode(u, op.access_bytes(), Some(rt))? }
        }
        Variant::StoreP64 => {
            let (rt, rt2) = (reg31(u)?, reg31(u)?);
            Inst::StoreP64 { rt, rt2, mem: pair_amode(u, &[rt, rt2])? }
        }
        Variant::LoadP64 => {
            let rt = gpr_except(u, &[31])?;
            let rt2 = gpr_except(u, &[31, rt.hw_enc()])?;
            Inst::LoadP64 { rt: writable(rt), rt2: writable(rt2), mem: pair_amode(u, &[rt, rt2])? }
        }
        Variant::Jump => Inst::Jump { target: label(u)? },
        Variant::CondBr => Inst::CondBr { kind: cond_br_kind(u)?, taken: label(u)?, not_taken: label(u)? },
        Variant::JmpTable => {
            // Early defs: the temporaries differ from the index and each
            // other; `x17` is the scratch of a large bounds check.
            let index = gpr_except(u, &[17, 31])?;
            let tmp1 = gpr_except(u, &[17, 31, index.hw_enc()])?;
            let tmp2 = gpr_except(u, &[17, 31, index.hw_enc(), tmp1.hw_enc()])?;
            // More than 4095 targets need a register for the bounds check.
            let count = if u.ratio(1, 16)? { 4097 } else { u.int_in_range(0..=4)? };
            let targets = (0..count).map(|_| label(u)).collect::<Result<Vec<_>>>()?;
            Inst::JmpTable { index, tmp1: writable(tmp1), tmp2: writable(tmp2), default: label(u)?, targets }
        }
        Variant::Call => Inst::Call { symbol: u.arbitrary()?, uses: vec![], defs: vec![], clobbers: PRegSet::empty() },
        Variant::CallInd => {
            Inst::CallInd { target: gpr_except(u, &[31])?, uses: vec![], defs: vec![], clobbers: PRegSet::empty() }
        }
        Variant::Udf => Inst::Udf { code: trap_code(u)? },
        Variant::TrapIf => Inst::TrapIf { kind: cond_br_kind(u)?, code: trap_code(u)? },
        Variant::FpuRRR => {
            let (op, size) = (*u.choose(&FpuOp2::ALL)?, float_size(u)?);
            Inst::FpuRRR { op, size, rd: writable(vreg(u)?), rn: vreg(u)?, rm: vreg(u)? }
        }
        Variant::FpuRR => {
            let (op, size) = (*u.choose(&FpuOp1::ALL)?, float_size(u)?);
            Inst::FpuRR { op, size, rd: writable(vreg(u)?), rn: vreg(u)? }
        }
        Variant::FpuCvt => Inst::FpuCvt { to: float_size(u)?, rd: writable(vreg(u)?), rn: vreg(u)? },
        Variant::FpuCmp => Inst::FpuCmp { size: float_size(u)?, rn: vreg(u)?, rm: vreg(u)? },
        Variant::FpuCSel => {
            Inst::FpuCSel { size: float_size(u)?, cond: cond(u)?, rd: writable(vreg(u)?), rn: vreg(u)?, rm: vreg(u)? }
        }
        Variant::IntToFpu => Inst::IntToFpu {
            signed: u.arbitrary()?,
            int_size: size(u)?,
            size: float_size(u)?,
            rd: writable(vreg(u)?),
            rn: reg31(u)?,
        },
        Variant::FpuToInt => Inst::FpuToInt {
            signed: u.arbitrary()?,
            int_size: size(u)?,
            size: float_size(u)?,
            rd: writable(reg31(u)?),
            rn: vreg(u)?,
        },
        Variant::MovToFpu => Inst::MovToFpu { size: float_size(u)?, rd: writable(vreg(u)?), rn: reg31(u)? },
        Variant::MovFromFpu => Inst::MovFromFpu { size: float_size(u)?, rd: writable(reg31(u)?), rn: vreg(u)? },
        Variant::FpuLoad => {
            let size = float_size(u)?;
            Inst::FpuLoad { size, rd: writable(vreg(u)?), mem: amode(u, size.bytes(), None)? }
        }
        Variant::FpuStore => {
            let size = float_size(u)?;
            Inst::FpuStore { size, rt: vreg(u)?, mem: amode(u, size.bytes(), None)? }
        }
    };
    Ok(inst)
}

/// Any general-purpose register number 0–31 (31 is `sp` or the zero
/// register, as the operand reads it).
fn reg31(u: &mut Unstructured) -> Result<Reg> {
    Ok(regs::xreg(u.int_in_range(0..=31)?))
}

/// Any register number 0–31 but those in `excluded`.
fn gpr_except(u: &mut Unstructured, excluded: &[u8]) -> Result<Reg> {
    Ok(regs::xreg(choose_except(u, 32, excluded)?))
}

/// Any float register `v0`–`v31`.
fn vreg(u: &mut Unstructured) -> Result<Reg> {
    Ok(regs::vreg(u.int_in_range(0..=31)?))
}

fn size(u: &mut Unstructured) -> Result<OperandSize> {
    Ok(*u.choose(&OperandSize::ALL)?)
}

fn float_size(u: &mut Unstructured) -> Result<FloatSize> {
    Ok(*u.choose(&FloatSize::ALL)?)
}

/// A condition with an opposite (`al`/`nv` have none).
fn cond(u: &mut Unstructured) -> Result<Cond> {
    Ok(*u.choose(&Cond::ALL)?)
}

fn trap_code(u: &mut Unstructured) -> Result<TrapCode> {
    Ok(*u.choose(&TrapCode::ALL)?)
}

/// A label numbered 0–3 (see the module comment for where each is bound).
fn label(u: &mut Unstructured) -> Result<MachLabel> {
    Ok(MachLabel(u.int_in_range(0..=3)?))
}

fn cond_br_kind(u: &mut Unstructured) -> Result<CondBrKind> {
    Ok(match u.int_in_range(0..=2)? {
        0 => CondBrKind::Cond(cond(u)?),
        1 => CondBrKind::Zero(reg31(u)?, size(u)?),
        _ => CondBrKind::NotZero(reg31(u)?, size(u)?),
    })
}

/// A shift amount below the width: 0, 1, the largest, or any.
fn below_width(u: &mut Unstructured, size: OperandSize) -> Result<u8> {
    let max = size.bits() as u8 - 1;
    Ok(match u.int_in_range(0..=3)? {
        0 => 0,
        1 => 1,
        2 => max,
        _ => u.int_in_range(0..=max)?,
    })
}

/// A 12-bit immediate: an edge of the unshifted or shifted form, or any.
fn imm12(u: &mut Unstructured) -> Result<Imm12> {
    if u.arbitrary()? {
        let value = *u.choose(&IMM12_EDGES)?;
        return Ok(Imm12::maybe_from_u64(value).expect("the edges are 12-bit immediates"));
    }
    Ok(Imm12 { bits: u.int_in_range(0..=0xfff)?, shift12: u.arbitrary()? })
}

/// A bitmask immediate of `size`: a run of ones in an element of 2 to 64
/// bits (at most the width), rotated, replicated.
fn logic_imm(u: &mut Unstructured, size: OperandSize) -> Result<ImmLogic> {
    let elements: &[u32] = if size == OperandSize::Size64 { &[2, 4, 8, 16, 32, 64] } else { &[2, 4, 8, 16, 32] };
    let element = *u.choose(elements)?;
    let ones = u.int_in_range(1..=element - 1)?;
    let rotation = u.int_in_range(0..=element - 1)?;
    let mask = if element == 64 { u64::MAX } else { (1u64 << element) - 1 };
    let run = (1u64 << ones) - 1;
    let rotated = if rotation == 0 { run } else { ((run >> rotation) | (run << (element - rotation))) & mask };
    let mut value = 0u64;
    for at in (0..size.bits()).step_by(element as usize) {
        value |= rotated << at;
    }
    Ok(ImmLogic::maybe_from_u64(value, size).expect("a replicated rotated run is a bitmask immediate"))
}

/// A 16-bit chunk at a halfword position of `size`.
fn move_wide_const(u: &mut Unstructured, size: OperandSize) -> Result<MoveWideConst> {
    let bits = match u.int_in_range(0..=2)? {
        0 => *u.choose(&[0, 1, 0x7fff, 0x8000, 0xffff])?,
        _ => u.arbitrary()?,
    };
    Ok(MoveWideConst::new(bits, u.int_in_range(0..=(size.bits() / 16 - 1) as u8)?))
}

/// An `Imm` value: an encoding edge, a bitmask immediate, or halfwords each
/// 0, `0xffff` or random (so every `movz`/`movn` + `movk` sequence).
fn imm_value(u: &mut Unstructured, size: OperandSize) -> Result<u64> {
    Ok(match u.int_in_range(0..=3)? {
        0 => {
            let edges: Vec<u64> = IMM_EDGES.iter().filter(|(s, _)| *s == size).map(|(_, v)| *v).collect();
            *u.choose(&edges)?
        }
        1 => logic_imm(u, size)?.value,
        2 => u.arbitrary::<u64>()? & size.mask(),
        _ => {
            let mut value = 0u64;
            for half in 0..size.bits() / 16 {
                let chunk: u16 = match u.int_in_range(0..=2)? {
                    0 => 0,
                    1 => 0xffff,
                    _ => u.arbitrary()?,
                };
                value |= u64::from(chunk) << (16 * half);
            }
            value
        }
    })
}

/// A byte offset around the scaled 12-bit, 9-bit and larger forms of an
/// access of `access_bytes`.
fn offset(u: &mut Unstructured, access_bytes: u32) -> Result<i64> {
    let scale = i64::from(access_bytes);
    Ok(match u.int_in_range(0..=4)? {
        0 => *u.choose(&[0, 1, -1, 255, 256, -256, -257, 4095 * scale, 4096 * scale, 0x1000, 0xfff000])?,
        1 => scale * i64::from(u.int_in_range(0..=4095)?),
        2 => i64::from(u.arbitrary::<i16>()?),
        3 => i64::from(u.arbitrary::<i32>()?),
        _ => u.arbitrary()?,
    })
}

/// A signed 9-bit offset: an edge or any.
fn simm9(u: &mut Unstructured) -> Result<i16> {
    if u.arbitrary()? { Ok(*u.choose(&[0, 1, -1, 255, -256])?) } else { u.int_in_range(-256..=255) }
}

/// Any single-register addressing form for an access of `access_bytes`.
/// A write-back form never has `data` (the loaded or stored register) as
/// its base.
fn amode(u: &mut Unstructured, access_bytes: u32, data: Option<Reg>) -> Result<AMode> {
    // Register 31 as data is the zero register, as a base `sp`: no clash.
    let mut no_writeback_clash = vec![17];
    no_writeback_clash.extend(data.map(|r| r.hw_enc()).filter(|&enc| enc != 31));
    Ok(match u.int_in_range(0..=6)? {
        0 => AMode::RegOffset { rn: gpr_except(u, &[17])?, offset: offset(u, access_bytes)? },
        1 => {
            let scaled = match u.int_in_range(0..=2)? {
                0 => 4095,
                1 => 0,
                _ => u.int_in_range(0..=4095)?,
            };
            AMode::UnsignedOffset { rn: reg31(u)?, offset: scaled * access_bytes }
        }
        2 => AMode::Unscaled { rn: reg31(u)?, offset: simm9(u)? },
        3 => AMode::RegExtended {
            rn: reg31(u)?,
            rm: reg31(u)?,
            extend: *u.choose(&[ExtendOp::Uxtw, ExtendOp::Uxtx, ExtendOp::Sxtw, ExtendOp::Sxtx])?,
            scaled: u.arbitrary()?,
        },
        4 => AMode::PreIndexed { rn: gpr_except(u, &no_writeback_clash)?, offset: simm9(u)? },
        5 => AMode::PostIndexed { rn: gpr_except(u, &no_writeback_clash)?, offset: simm9(u)? },
        _ => AMode::Frame(frame_offset(u)?),
    })
}

/// A pair addressing form; a write-back form's base is none of `data`.
fn pair_amode(u: &mut Unstructured, data: &[Reg]) -> Result<PairAMode> {
    let offset = 8 * match u.int_in_range(0..=2)? {
        0 => *u.choose(&[0, 1, -1, 63, -64])?,
        _ => u.int_in_range(-64..=63)?,
    };
    let excluded: Vec<u8> = data.iter().map(|r| r.hw_enc()).filter(|&enc| enc != 31).collect();
    Ok(match u.int_in_range(0..=2)? {
        0 => PairAMode::SignedOffset { rn: reg31(u)?, offset },
        1 => PairAMode::PreIndexed { rn: gpr_except(u, &excluded)?, offset },
        _ => PairAMode::PostIndexed { rn: gpr_except(u, &excluded)?, offset },
    })
}

/// An offset into a frame area: small, at a form's edge, or up to 64 KiB.
fn frame_offset(u: &mut Unstructured) -> Result<FrameOffset> {
    let offset = match u.int_in_range(0..=2)? {
        0 => *u.choose(&[0, 8, 255, 256, 4095, 4096, 32760, 32768])?,
        1 => u32::from(u.arbitrary::<u8>()?),
        _ => u32::from(u.arbitrary::<u16>()?),
    };
    Ok(match u.int_in_range(0..=3)? {
        0 => FrameOffset::Outgoing(offset),
        1 => FrameOffset::StackSlot(offset),
        2 => FrameOffset::Spill(offset / 8),
        _ => FrameOffset::IncomingArg(offset),
    })
}

/// A frame: each area empty, small, a multiple of 4 KiB, or up to 32 MiB
/// (so the epilogue's `sp` adjustment takes every form), and any subset of
/// the integer and float callee-saved registers.
fn frame(u: &mut Unstructured) -> Result<FrameLayout> {
    let area = |u: &mut Unstructured| -> Result<u32> {
        Ok(match u.int_in_range(0..=4)? {
            0 => 0,
            1 => 16 * u.int_in_range(1..=16)?,
            2 => 0x1000 * u.int_in_range(1..=0xfff)?,
            3 => 8 * u.int_in_range(0..=0x1000)?,
            _ => 16 * u.int_in_range(0..=0x20_0000)?,
        })
    };
    let (outgoing, slots) = (area(u)?, area(u)?);
    let spills = if u.arbitrary()? { 0 } else { u.int_in_range(0..=64)? };
    let mask: u16 = u.int_in_range(0..=0x3ff)?;
    let saves: Vec<u8> =
        regs::CALLEE_SAVED.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).map(|(_, &enc)| enc).collect();
    let float_mask: u8 = u.arbitrary()?;
    let float_saves: Vec<u8> = regs::FLOAT_CALLEE_SAVED
        .iter()
        .enumerate()
        .filter(|(i, _)| float_mask >> i & 1 == 1)
        .map(|(_, &enc)| enc)
        .collect();
    Ok(FrameLayout::new(outgoing, slots, spills, saves).with_float_callee_saves(float_saves))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for variant in Variant::ALL {
            assert!(seen.insert(variant), "{variant:?} twice in Variant::ALL");
            let data = [0x5au8; 64];
            let inst = generate(variant, &mut Unstructured::new(&data)).expect("enough data");
            assert_eq!(variant_of(&inst), variant);
        }
    }

    #[test]
    fn empty_data_still_makes_an_instruction() {
        let case = arbitrary_case(&mut Unstructured::new(&[])).expect("defaults");
        assert_eq!(variant_of(&case.inst), Variant::Args);
    }
}
