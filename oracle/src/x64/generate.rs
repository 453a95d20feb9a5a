//! Arbitrary x86-64 instructions, built from unstructured bytes: every form
//! the emitter has, for proptest, fuzzing and the harness.
//!
//! Part of the x86-64 oracle, in front of [`check`](super::check):
//! `bytes ─arbitrary_case─▶ Case ─check_case─▶ Checked | Mismatch`.
//!
//! Instances are valid by construction: only physical registers; only the
//! operand sizes each variant's encoder takes (`emit.rs`, `emit_sse.rs`);
//! no `rsp` as an index register (the one field `enc_rm` asserts); the
//! allocator's constraints on every variant (a two-address `dst` equals
//! its first source, `div` and `cdq` use `rax`/`rdx`, temporaries differ
//! from the registers they must not clobber, a jump table's entry index is
//! not `rsp`). Within that, every register appears in every role,
//! including `rsp`/`rbp`/`r12`/`r13` as bases and `r12` as an index and
//! the byte registers that need REX; every addressing form (base, base +
//! index at each scale, RIP-relative, each frame area); immediates and
//! displacements at their edges (0, ±1, min, max, the `imm8`/`imm32`,
//! `disp8`/`disp32` and `mov`/`movabs` boundaries) as well as random ones;
//! every operand size and condition code. Labels are numbered 0–3, which
//! [`LabelAt::default_for`](crate::LabelAt::default_for) binds before, right
//! after, and 4 or 8 bytes past the instruction; the frame is random.
//!
//! Invariant: a new form cannot escape the check. [`variant_of`] is an
//! exhaustive `match` over `Inst`, and [`generate`] an exhaustive `match`
//! over [`Variant`]: a new `Inst` variant does not compile until it has a
//! `Variant` and a generator arm (and a `derive` rule and form keys, whose
//! matches are exhaustive too). The coverage test fails until the variant
//! is in [`Variant::ALL`] and every key `all_forms()` lists is generated.

use super::check::Case;
use super::forms::{ALU_IMM_EDGES, DISP_EDGES, IMM_EDGES};
use crate::common::choose_except;
use arbitrary::{Result, Unstructured};
use compiler::isa::x64::inst::Inst;
use compiler::isa::x64::inst::args::*;
use compiler::isa::x64::inst::emit::FrameLayout;
use compiler::isa::x64::inst::regs::{self, writable};
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
        AluRmiR,
        Imul,
        Unary,
        BitScan,
        Shift,
        Div,
        SignExtendData,
        CheckedSRem,
        MovRR,
        Imm,
        MovzxRmR,
        MovsxRmR,
        Mov64MR,
        MovRM,
        Lea,
        Cmp,
        Setcc,
        Cmove,
        Jmp,
        JmpCond,
        JmpTable,
        CallKnown,
        CallUnknown,
        Ud2,
        TrapIf,
        XmmRmR,
        XmmSqrt,
        XmmRound,
        XmmConvert,
        XmmMov,
        XmmLoad,
        XmmStore,
        GprToXmm,
        XmmToGpr,
        Ucomis,
        CvtIntToFloat,
        CvtFloatToIntTrunc,
        XmmCmove,
        XmmMinMax,
        CvtFloatToSint,
        CvtFloatToUint,
        CvtUint64ToFloat,
        Push64,
        Pop64,
    }
}

/// The variant of `inst`.
pub fn variant_of(inst: &Inst) -> Variant {
    match inst {
        Inst::Args { .. } => Variant::Args,
        Inst::Ret { .. } => Variant::Ret,
        Inst::AluRmiR { .. } => Variant::AluRmiR,
        Inst::Imul { .. } => Variant::Imul,
        Inst::Unary { .. } => Variant::Unary,
        Inst::BitScan { .. } => Variant::BitScan,
        Inst::Shift { .. } => Variant::Shift,
        Inst::Div { .. } => Variant::Div,
        Inst::SignExtendData { .. } => Variant::SignExtendData,
        Inst::CheckedSRem { .. } => Variant::CheckedSRem,
        Inst::MovRR { .. } => Variant::MovRR,
        Inst::Imm { .. } => Variant::Imm,
        Inst::MovzxRmR { .. } => Variant::MovzxRmR,
        Inst::MovsxRmR { .. } => Variant::MovsxRmR,
        Inst::Mov64MR { .. } => Variant::Mov64MR,
        Inst::MovRM { .. } => Variant::MovRM,
        Inst::Lea { .. } => Variant::Lea,
        Inst::Cmp { .. } => Variant::Cmp,
        Inst::Setcc { .. } => Variant::Setcc,
        Inst::Cmove { .. } => Variant::Cmove,
        Inst::Jmp { .. } => Variant::Jmp,
        Inst::JmpCond { .. } => Variant::JmpCond,
        Inst::JmpTable { .. } => Variant::JmpTable,
        Inst::CallKnown { .. } => Variant::CallKnown,
        Inst::CallUnknown { .. } => Variant::CallUnknown,
        Inst::Ud2 { .. } => Variant::Ud2,
        Inst::TrapIf { .. } => Variant::TrapIf,
        Inst::XmmRmR { .. } => Variant::XmmRmR,
        Inst::XmmSqrt { .. } => Variant::XmmSqrt,
        Inst::XmmRound { .. } => Variant::XmmRound,
        Inst::XmmConvert { .. } => Variant::XmmConvert,
        Inst::XmmMov { .. } => Variant::XmmMov,
        Inst::XmmLoad { .. } => Variant::XmmLoad,
        Inst::XmmStore { .. } => Variant::XmmStore,
        Inst::GprToXmm { .. } => Variant::GprToXmm,
        Inst::XmmToGpr { .. } => Variant::XmmToGpr,
        Inst::Ucomis { .. } => Variant::Ucomis,
        Inst::CvtIntToFloat { .. } => Variant::CvtIntToFloat,
        Inst::CvtFloatToIntTrunc { .. } => Variant::CvtFloatToIntTrunc,
        Inst::XmmCmove { .. } => Variant::XmmCmove,
        Inst::XmmMinMax { .. } => Variant::XmmMinMax,
        Inst::CvtFloatToSint { .. } => Variant::CvtFloatToSint,
        Inst::CvtFloatToUint { .. } => Variant::CvtFloatToUint,
        Inst::CvtUint64ToFloat { .. } => Variant::CvtUint64ToFloat,
        Inst::Push64 { .. } => Variant::Push64,
        Inst::Pop64 { .. } => Variant::Pop64,
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
        Inst::AluRmiR { src2: RegMemImm::Mem(amode), .. } | Inst::Cmp { src2: RegMemImm::Mem(amode), .. } => {
            matches!(amode, Amode::Frame(_))
        }
        Inst::Imul { src2: RegMem::Mem(amode), .. }
        | Inst::XmmRmR { src2: RegMem::Mem(amode), .. }
        | Inst::BitScan { src: RegMem::Mem(amode), .. }
        | Inst::MovzxRmR { src: RegMem::Mem(amode), .. }
        | Inst::MovsxRmR { src: RegMem::Mem(amode), .. }
        | Inst::Mov64MR { src: amode, .. }
        | Inst::XmmLoad { src: amode, .. }
        | Inst::MovRM { dst: amode, .. }
        | Inst::XmmStore { dst: amode, .. }
        | Inst::Lea { addr: amode, .. } => matches!(amode, Amode::Frame(_)),
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
        Variant::AluRmiR => {
            let dst = gpr(u)?;
            let (size, op) = (int_size(u)?, *u.choose(&AluOp::ALL)?);
            Inst::AluRmiR { size, op, src1: dst, src2: reg_mem_imm(u)?, dst: writable(dst) }
        }
        Variant::Imul => {
            let dst = gpr(u)?;
            Inst::Imul { size: int_size(u)?, src1: dst, src2: reg_mem(u, gpr)?, dst: writable(dst) }
        }
        Variant::Unary => {
            let dst = gpr(u)?;
            let op = *u.choose(&[UnaryOp::Neg, UnaryOp::Not])?;
            Inst::Unary { size: int_size(u)?, op, src: dst, dst: writable(dst) }
        }
        Variant::BitScan => {
            let op = *u.choose(&[BitScan::Bsr, BitScan::Bsf])?;
            Inst::BitScan { size: int_size(u)?, op, src: reg_mem(u, gpr)?, dst: writable(gpr(u)?) }
        }
        Variant::Shift => {
            let (size, kind, dst) = (int_size(u)?, *u.choose(&ShiftKind::ALL)?, gpr(u)?);
            let amount = if u.arbitrary()? { Some(below_width(u, size.bits() as u8)?) } else { None };
            Inst::Shift { size, kind, src: dst, amount, count: regs::rcx(), dst: writable(dst) }
        }
        Variant::Div => Inst::Div {
            size: int_size(u)?,
            signed: u.arbitrary()?,
            divisor: gpr_except(u, &[0, 2])?,
            dividend_lo: regs::rax(),
            dividend_hi: regs::rdx(),
            quotient: writable(regs::rax()),
            remainder: writable(regs::rdx()),
            trap: trap_code(u)?,
        },
        Variant::SignExtendData => {
            Inst::SignExtendData { size: int_size(u)?, src: regs::rax(), dst: writable(regs::rdx()) }
        }
        Variant::CheckedSRem => Inst::CheckedSRem {
            size: int_size(u)?,
            divisor: gpr_except(u, &[0, 2])?,
            dividend: regs::rax(),
            quotient: writable(regs::rax()),
            remainder: writable(regs::rdx()),
        },
        Variant::MovRR => Inst::MovRR { size: int_size(u)?, src: gpr(u)?, dst: writable(gpr(u)?) },
        Variant::Imm => Inst::Imm { size: int_size(u)?, value: imm_value(u)?, dst: writable(gpr(u)?) },
        Variant::MovzxRmR => {
            Inst::MovzxRmR { mode: *u.choose(&ExtMode::ALL)?, src: reg_mem(u, gpr)?, dst: writable(gpr(u)?) }
        }
        Variant::MovsxRmR => {
            Inst::MovsxRmR { mode: *u.choose(&ExtMode::ALL)?, src: reg_mem(u, gpr)?, dst: writable(gpr(u)?) }
        }
        Variant::Mov64MR => Inst::Mov64MR { src: amode(u)?, dst: writable(gpr(u)?) },
        Variant::MovRM => {
            let sizes = [OperandSize::Size8, OperandSize::Size16, OperandSize::Size32, OperandSize::Size64];
            Inst::MovRM { size: *u.choose(&sizes)?, src: gpr(u)?, dst: amode(u)? }
        }
        Variant::Lea => Inst::Lea { addr: amode(u)?, dst: writable(gpr(u)?) },
        Variant::Cmp => {
            let (size, op) = (int_size(u)?, *u.choose(&[CmpOp::Cmp, CmpOp::Test])?);
            Inst::Cmp { size, op, src1: gpr(u)?, src2: reg_mem_imm(u)? }
        }
        Variant::Setcc => Inst::Setcc { cc: cc(u)?, dst: writable(gpr(u)?) },
        Variant::Cmove => {
            let dst = gpr(u)?;
            Inst::Cmove { size: int_size(u)?, cc: cc(u)?, consequent: gpr(u)?, alternative: dst, dst: writable(dst) }
        }
        Variant::Jmp => Inst::Jmp { target: label(u)? },
        Variant::JmpCond => Inst::JmpCond { cc: cc(u)?, taken: label(u)?, not_taken: label(u)? },
        Variant::JmpTable => {
            // Early defs: both temporaries differ from the index and each
            // other; the second is the SIB index of the table load.
            let index = gpr(u)?;
            let tmp1 = gpr_except(u, &[index.hw_enc()])?;
            let tmp2 = gpr_except(u, &[index.hw_enc(), tmp1.hw_enc(), 4])?;
            let count = u.int_in_range(0..=4)?;
            let targets = (0..count).map(|_| label(u)).collect::<Result<Vec<_>>>()?;
            Inst::JmpTable { index, tmp1: writable(tmp1), tmp2: writable(tmp2), default: label(u)?, targets }
        }
        Variant::CallKnown => {
            Inst::CallKnown { symbol: u.arbitrary()?, uses: vec![], defs: vec![], clobbers: PRegSet::empty() }
        }
        Variant::CallUnknown => {
            Inst::CallUnknown { target: gpr(u)?, uses: vec![], defs: vec![], clobbers: PRegSet::empty() }
        }
        Variant::Ud2 => Inst::Ud2 { code: trap_code(u)? },
        Variant::TrapIf => Inst::TrapIf { cc: cc(u)?, code: trap_code(u)? },
        Variant::XmmRmR => {
            let dst = xmm(u)?;
            let (size, op) = (float_size(u)?, *u.choose(&SseOp::ALL)?);
            Inst::XmmRmR { size, op, src1: dst, src2: reg_mem(u, xmm)?, dst: writable(dst) }
        }
        Variant::XmmSqrt => Inst::XmmSqrt { size: float_size(u)?, src: xmm(u)?, dst: writable(xmm(u)?) },
        Variant::XmmRound => {
            let mode = u.int_in_range(0..=3)?;
            Inst::XmmRound { size: float_size(u)?, mode, src: xmm(u)?, dst: writable(xmm(u)?) }
        }
        Variant::XmmConvert => Inst::XmmConvert { to: float_size(u)?, src: xmm(u)?, dst: writable(xmm(u)?) },
        Variant::XmmMov => Inst::XmmMov { src: xmm(u)?, dst: writable(xmm(u)?) },
        Variant::XmmLoad => Inst::XmmLoad { size: float_size(u)?, src: amode(u)?, dst: writable(xmm(u)?) },
        Variant::XmmStore => Inst::XmmStore { size: float_size(u)?, src: xmm(u)?, dst: amode(u)? },
        Variant::GprToXmm => Inst::GprToXmm { size: int_size(u)?, src: gpr(u)?, dst: writable(xmm(u)?) },
        Variant::XmmToGpr => Inst::XmmToGpr { size: int_size(u)?, src: xmm(u)?, dst: writable(gpr(u)?) },
        Variant::Ucomis => Inst::Ucomis { size: float_size(u)?, a: xmm(u)?, b: xmm(u)? },
        Variant::CvtIntToFloat => {
            let (int_size, size) = (int_size(u)?, float_size(u)?);
            Inst::CvtIntToFloat { int_size, size, src: gpr(u)?, dst: writable(xmm(u)?) }
        }
        Variant::CvtFloatToIntTrunc => {
            let (size, int_size) = (float_size(u)?, int_size(u)?);
            Inst::CvtFloatToIntTrunc { size, int_size, src: xmm(u)?, dst: writable(gpr(u)?) }
        }
        Variant::XmmCmove => {
            let dst = xmm(u)?;
            Inst::XmmCmove { cc: cc(u)?, consequent: xmm(u)?, alternative: dst, dst: writable(dst) }
        }
        Variant::XmmMinMax => {
            let dst = xmm(u)?;
            Inst::XmmMinMax { size: float_size(u)?, is_min: u.arbitrary()?, lhs: dst, rhs: xmm(u)?, dst: writable(dst) }
        }
        Variant::CvtFloatToSint => {
            let (size, int_size, saturating) = (float_size(u)?, int_size(u)?, u.arbitrary()?);
            let src = xmm(u)?;
            let tmp_xmm = writable(xmm_except(u, &[src.hw_enc()])?);
            Inst::CvtFloatToSint { size, int_size, saturating, src, dst: writable(gpr(u)?), tmp_xmm }
        }
        Variant::CvtFloatToUint => {
            let (size, int_size, saturating) = (float_size(u)?, int_size(u)?, u.arbitrary()?);
            let (src, dst) = (xmm(u)?, gpr(u)?);
            let tmp_gpr = gpr_except(u, &[dst.hw_enc()])?;
            let tmp_xmm = xmm_except(u, &[src.hw_enc()])?;
            let tmp_xmm2 = xmm_except(u, &[src.hw_enc(), tmp_xmm.hw_enc()])?;
            Inst::CvtFloatToUint {
                size,
                int_size,
                saturating,
                src,
                dst: writable(dst),
                tmp_gpr: writable(tmp_gpr),
                tmp_xmm: writable(tmp_xmm),
                tmp_xmm2: writable(tmp_xmm2),
            }
        }
        Variant::CvtUint64ToFloat => {
            let (size, src) = (float_size(u)?, gpr(u)?);
            let tmp1 = gpr_except(u, &[src.hw_enc()])?;
            let tmp2 = gpr_except(u, &[src.hw_enc(), tmp1.hw_enc()])?;
            Inst::CvtUint64ToFloat { size, src, dst: writable(xmm(u)?), tmp1: writable(tmp1), tmp2: writable(tmp2) }
        }
        Variant::Push64 => Inst::Push64 { src: gpr(u)? },
        Variant::Pop64 => Inst::Pop64 { dst: writable(gpr(u)?) },
    };
    Ok(inst)
}

/// Any general-purpose register, `rax` to `r15`.
fn gpr(u: &mut Unstructured) -> Result<Reg> {
    Ok(regs::gpr(u.int_in_range(0..=15)?))
}

/// Any general-purpose register but the encodings in `excluded`.
fn gpr_except(u: &mut Unstructured, excluded: &[u8]) -> Result<Reg> {
    Ok(regs::gpr(choose_except(u, 16, excluded)?))
}

/// Any XMM register.
fn xmm(u: &mut Unstructured) -> Result<Reg> {
    Ok(regs::xmm(u.int_in_range(0..=15)?))
}

fn xmm_except(u: &mut Unstructured, excluded: &[u8]) -> Result<Reg> {
    Ok(regs::xmm(choose_except(u, 16, excluded)?))
}

fn int_size(u: &mut Unstructured) -> Result<OperandSize> {
    Ok(*u.choose(&[OperandSize::Size32, OperandSize::Size64])?)
}

fn float_size(u: &mut Unstructured) -> Result<FloatSize> {
    Ok(*u.choose(&[FloatSize::F32, FloatSize::F64])?)
}

fn cc(u: &mut Unstructured) -> Result<CC> {
    Ok(*u.choose(&CC::ALL)?)
}

fn trap_code(u: &mut Unstructured) -> Result<TrapCode> {
    Ok(*u.choose(&TrapCode::ALL)?)
}

/// A label numbered 0–3 (see the module comment for where each is bound).
fn label(u: &mut Unstructured) -> Result<MachLabel> {
    Ok(MachLabel(u.int_in_range(0..=3)?))
}

/// An `i32`: one of `edges` (or one next to it), a small value, or any.
fn int_with_edges(u: &mut Unstructured, edges: &[i32]) -> Result<i32> {
    Ok(match u.int_in_range(0..=3)? {
        0 => *u.choose(edges)?,
        1 => u.choose(edges)?.wrapping_add(*u.choose(&[-1, 1])?),
        2 => i32::from(u.arbitrary::<i8>()?),
        _ => u.arbitrary()?,
    })
}

/// An ALU or `cmp` immediate, around the `imm8`/`imm32` boundary.
fn alu_imm(u: &mut Unstructured) -> Result<i32> {
    let mut edges = ALU_IMM_EDGES.to_vec();
    edges.extend([1, -1]);
    int_with_edges(u, &edges)
}

/// A displacement, around the `disp8`/`disp32` boundary.
fn disp(u: &mut Unstructured) -> Result<i32> {
    let mut edges = DISP_EDGES.to_vec();
    edges.extend([0, 1, -1, i32::MIN, i32::MAX]);
    int_with_edges(u, &edges)
}

/// An `Imm` value: an encoding edge, a 32-bit value, a sign-extended
/// 32-bit value, or any.
fn imm_value(u: &mut Unstructured) -> Result<u64> {
    Ok(match u.int_in_range(0..=3)? {
        0 => *u.choose(&IMM_EDGES)?,
        1 => u64::from(u.arbitrary::<u32>()?),
        2 => i64::from(u.arbitrary::<i32>()?) as u64,
        _ => u.arbitrary()?,
    })
}

/// A shift amount below `width`: 0, 1, `width - 1` or any.
fn below_width(u: &mut Unstructured, width: u8) -> Result<u8> {
    Ok(match u.int_in_range(0..=3)? {
        0 => 0,
        1 => 1,
        2 => width - 1,
        _ => u.int_in_range(0..=width - 1)?,
    })
}

fn reg_mem(u: &mut Unstructured, reg: fn(&mut Unstructured) -> Result<Reg>) -> Result<RegMem> {
    Ok(if u.arbitrary()? { RegMem::Reg(reg(u)?) } else { RegMem::Mem(amode(u)?) })
}

fn reg_mem_imm(u: &mut Unstructured) -> Result<RegMemImm> {
    Ok(match u.int_in_range(0..=2)? {
        0 => RegMemImm::Reg(gpr(u)?),
        1 => RegMemImm::Mem(amode(u)?),
        _ => RegMemImm::Imm(alu_imm(u)?),
    })
}

/// Any addressing form: base (any register), base + index (any but `rsp`
/// as the index) at every scale, RIP-relative, or a frame location.
fn amode(u: &mut Unstructured) -> Result<Amode> {
    Ok(match u.int_in_range(0..=3)? {
        0 => Amode::ImmReg { base: gpr(u)?, disp: disp(u)? },
        1 => Amode::ImmRegRegShift {
            base: gpr(u)?,
            index: gpr_except(u, &[4])?,
            shift: u.int_in_range(0..=3)?,
            disp: disp(u)?,
        },
        2 => Amode::RipRelative { target: label(u)? },
        _ => Amode::Frame(frame_offset(u)?),
    })
}

/// An offset into a frame area: small, at the `disp8` edge, or up to 64 KiB.
fn frame_offset(u: &mut Unstructured) -> Result<FrameOffset> {
    let offset = match u.int_in_range(0..=2)? {
        0 => *u.choose(&[0, 8, 120, 128])?,
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

/// A frame: each area empty, small or up to 4 KiB, and any subset of the
/// callee-saved registers (so the epilogue's `add rsp` is absent, `imm8`
/// or `imm32`).
fn frame(u: &mut Unstructured) -> Result<FrameLayout> {
    let area = |u: &mut Unstructured| -> Result<u32> {
        Ok(match u.int_in_range(0..=2)? {
            0 => 0,
            1 => 8 * u.int_in_range(1..=8)?,
            _ => 8 * u.int_in_range(0..=512)?,
        })
    };
    let (outgoing, slots) = (area(u)?, area(u)?);
    let spills = area(u)? / 8;
    let mask: u8 = u.int_in_range(0..=31)?;
    let saves: Vec<u8> =
        regs::CALLEE_SAVED.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).map(|(_, &enc)| enc).collect();
    Ok(FrameLayout::new(outgoing, slots, spills, saves))
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
