//! x86-64 machine instructions.
//!
//! Part of `isa/x64/`: lowering builds these over virtual registers, the
//! allocator reads their operands (`get_operands`), and `emit` encodes them
//! once every register is physical. Two-address forms (`add dst, src`)
//! express the x86 constraint as a reuse-def: `dst` gets `src1`'s register.

pub mod args;
pub mod emit;
pub mod emit_sse;
pub mod regs;

use crate::machinst::reg::{OperandVisitor, Reg, Writable};
use crate::machinst::{MachInst, MachInstLabelUse, MachLabel, MachTerminator};
use crate::runtime::TrapCode;
use args::*;
use regalloc2::{PReg, PRegSet, RegClass};

/// An x86-64 instruction (or a short fixed sequence, a pseudo-instruction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inst {
    /// Defines the incoming register arguments (emits nothing).
    Args {
        /// Each argument register and the vreg it defines.
        args: Vec<(Writable<Reg>, PReg)>,
    },
    /// Epilogue and `ret`; `rets` are the values in their return registers.
    Ret {
        /// Each returned value and its register.
        rets: Vec<(Reg, PReg)>,
    },
    /// `op dst, src2` with `dst == src1`.
    AluRmiR { size: OperandSize, op: AluOp, src1: Reg, src2: RegMemImm, dst: Writable<Reg> },
    /// `imul dst, src2` with `dst == src1`.
    Imul { size: OperandSize, src1: Reg, src2: RegMem, dst: Writable<Reg> },
    /// `neg`/`not dst` with `dst == src`.
    Unary { size: OperandSize, op: UnaryOp, src: Reg, dst: Writable<Reg> },
    /// `bsr`/`bsf dst, src`.
    BitScan { size: OperandSize, op: BitScan, src: RegMem, dst: Writable<Reg> },
    /// Shift or rotate `dst` (`== src`) by an immediate or by `cl`.
    Shift { size: OperandSize, kind: ShiftKind, src: Reg, amount: Option<u8>, count: Reg, dst: Writable<Reg> },
    /// `div`/`idiv divisor`: `rdx:rax / divisor` → quotient in `rax`,
    /// remainder in `rdx`. A `#DE` fault here is recorded as `trap`.
    Div {
        size: OperandSize,
        signed: bool,
        divisor: Reg,
        dividend_lo: Reg,
        dividend_hi: Reg,
        quotient: Writable<Reg>,
        remainder: Writable<Reg>,
        trap: TrapCode,
    },
    /// `cdq`/`cqo`: sign-extends `rax` into `rdx`.
    SignExtendData { size: OperandSize, src: Reg, dst: Writable<Reg> },
    /// Signed remainder that is 0 for `MIN % -1` instead of faulting:
    /// `cmp divisor, -1; jne 1f; xor edx, edx; jmp 2f; 1: cdq/cqo; idiv divisor; 2:`.
    CheckedSRem { size: OperandSize, divisor: Reg, dividend: Reg, quotient: Writable<Reg>, remainder: Writable<Reg> },
    /// `mov dst, src` (register to register).
    MovRR { size: OperandSize, src: Reg, dst: Writable<Reg> },
    /// Loads an immediate: `mov r32, imm32`, `mov r/m64, simm32` or `movabs`.
    Imm { size: OperandSize, value: u64, dst: Writable<Reg> },
    /// `movzx` (or a 32-bit `mov` for `LQ`), from a register or memory.
    MovzxRmR { mode: ExtMode, src: RegMem, dst: Writable<Reg> },
    /// `movsx`/`movsxd`.
    MovsxRmR { mode: ExtMode, src: RegMem, dst: Writable<Reg> },
    /// `mov r64, [mem]`.
    Mov64MR { src: Amode, dst: Writable<Reg> },
    /// `mov [mem], src` of `size`.
    MovRM { size: OperandSize, src: Reg, dst: Amode },
    /// `lea dst, [mem]`.
    Lea { addr: Amode, dst: Writable<Reg> },
    /// `cmp`/`test src1, src2`.
    Cmp { size: OperandSize, op: CmpOp, src1: Reg, src2: RegMemImm },
    /// `setcc dst8`.
    Setcc { cc: CC, dst: Writable<Reg> },
    /// `cmovcc dst, consequent` with `dst == alternative`.
    Cmove { size: OperandSize, cc: CC, consequent: Reg, alternative: Reg, dst: Writable<Reg> },
    /// `jmp target`.
    Jmp { target: MachLabel },
    /// `jcc taken; jmp not_taken`.
    JmpCond { cc: CC, taken: MachLabel, not_taken: MachLabel },
    /// Indexed jump through a table of 32-bit offsets after the code.
    JmpTable { index: Reg, tmp1: Writable<Reg>, tmp2: Writable<Reg>, default: MachLabel, targets: Vec<MachLabel> },
    /// `call rel32` to function `symbol`.
    CallKnown { symbol: u32, uses: Vec<(Reg, PReg)>, defs: Vec<(Writable<Reg>, PReg)>, clobbers: PRegSet },
    /// `call target`.
    CallUnknown { target: Reg, uses: Vec<(Reg, PReg)>, defs: Vec<(Writable<Reg>, PReg)>, clobbers: PRegSet },
    /// `ud2`, recorded as a trap site.
    Ud2 { code: TrapCode },
    /// `j!cc +2; ud2`: traps when `cc` holds.
    TrapIf { cc: CC, code: TrapCode },
    /// `op dst, src2` (scalar SSE, or packed bitwise) with `dst == src1`.
    XmmRmR { size: FloatSize, op: SseOp, src1: Reg, src2: RegMem, dst: Writable<Reg> },
    /// `sqrtss`/`sqrtsd dst, src`.
    XmmSqrt { size: FloatSize, src: Reg, dst: Writable<Reg> },
    /// `roundss`/`roundsd dst, src, mode` (SSE4.1): mode 0 nearest-even,
    /// 1 floor, 2 ceil, 3 truncate; bit 3 suppresses the inexact exception.
    XmmRound { size: FloatSize, mode: u8, src: Reg, dst: Writable<Reg> },
    /// `cvtss2sd` (to `F64`) or `cvtsd2ss` (to `F32`).
    XmmConvert { to: FloatSize, src: Reg, dst: Writable<Reg> },
    /// `movaps dst, src`.
    XmmMov { src: Reg, dst: Writable<Reg> },
    /// `movss`/`movsd dst, [mem]`.
    XmmLoad { size: FloatSize, src: Amode, dst: Writable<Reg> },
    /// `movss`/`movsd [mem], src`.
    XmmStore { size: FloatSize, src: Reg, dst: Amode },
    /// `movd`/`movq xmm, gpr`.
    GprToXmm { size: OperandSize, src: Reg, dst: Writable<Reg> },
    /// `movd`/`movq gpr, xmm`.
    XmmToGpr { size: OperandSize, src: Reg, dst: Writable<Reg> },
    /// `ucomiss`/`ucomisd a, b`: flags of comparing `a` with `b`
    /// (unordered: ZF = PF = CF = 1).
    Ucomis { size: FloatSize, a: Reg, b: Reg },
    /// `cvtsi2ss`/`cvtsi2sd dst, src` from a signed 32- or 64-bit integer.
    CvtIntToFloat { int_size: OperandSize, size: FloatSize, src: Reg, dst: Writable<Reg> },
    /// `cvttss2si`/`cvttsd2si dst, src` (out of range or NaN gives
    /// `INT_MIN`).
    CvtFloatToIntTrunc { size: FloatSize, int_size: OperandSize, src: Reg, dst: Writable<Reg> },
    /// `j!cc 1f; movaps dst, consequent; 1:` with `dst == alternative`.
    XmmCmove { cc: CC, consequent: Reg, alternative: Reg, dst: Writable<Reg> },
    /// Wasm `min`/`max` with `dst == lhs`: NaN if either is NaN, and
    /// `-0 < +0` (`minss`/`maxss` alone get both wrong).
    XmmMinMax { size: FloatSize, is_min: bool, lhs: Reg, rhs: Reg, dst: Writable<Reg> },
    /// Float to signed integer with Wasm's checks: traps (NaN:
    /// `BadConversionToInteger`, out of range: `IntegerOverflow`) or
    /// saturates.
    CvtFloatToSint {
        size: FloatSize,
        int_size: OperandSize,
        saturating: bool,
        src: Reg,
        dst: Writable<Reg>,
        tmp_xmm: Writable<Reg>,
    },
    /// Float to unsigned integer with Wasm's checks (trapping or
    /// saturating).
    CvtFloatToUint {
        size: FloatSize,
        int_size: OperandSize,
        saturating: bool,
        src: Reg,
        dst: Writable<Reg>,
        tmp_gpr: Writable<Reg>,
        tmp_xmm: Writable<Reg>,
        tmp_xmm2: Writable<Reg>,
    },
    /// Unsigned 64-bit integer to float (halve, convert, double when the
    /// top bit is set).
    CvtUint64ToFloat { size: FloatSize, src: Reg, dst: Writable<Reg>, tmp1: Writable<Reg>, tmp2: Writable<Reg> },
    /// `push src` (prologue; physical registers only).
    Push64 { src: Reg },
    /// `pop dst` (epilogue; physical registers only).
    Pop64 { dst: Writable<Reg> },
}

impl Inst {
    /// `mov dst, src` of a whole register.
    pub fn mov64(dst: Writable<Reg>, src: Reg) -> Inst {
        Inst::MovRR { size: OperandSize::Size64, src, dst }
    }
}

fn visit_fixed_uses(uses: &mut [(Reg, PReg)], visitor: &mut impl OperandVisitor) {
    for (reg, preg) in uses {
        visitor.reg_fixed_use(reg, *preg);
    }
}

fn visit_fixed_defs(defs: &mut [(Writable<Reg>, PReg)], visitor: &mut impl OperandVisitor) {
    for (reg, preg) in defs {
        visitor.reg_fixed_def(reg, *preg);
    }
}

impl MachInst for Inst {
    type LabelUse = LabelUse;

    fn get_operands(&mut self, v: &mut impl OperandVisitor) {
        use regs::{gpr_preg, rax, rcx, rdx};
        let (rax_p, rdx_p, rcx_p) = (gpr_preg(0), gpr_preg(2), gpr_preg(1));
        let _ = (rax(), rcx(), rdx());
        match self {
            Inst::Args { args } => visit_fixed_defs(args, v),
            Inst::Ret { rets } => visit_fixed_uses(rets, v),
            Inst::AluRmiR { src1, src2, dst, .. } => {
                v.reg_use(src1);
                src2.get_operands(v);
                v.reg_reuse_def(dst, 0);
            }
            Inst::Imul { src1, src2, dst, .. } => {
                v.reg_use(src1);
                src2.get_operands(v);
                v.reg_reuse_def(dst, 0);
            }
            Inst::Unary { src, dst, .. } => {
                v.reg_use(src);
                v.reg_reuse_def(dst, 0);
            }
            Inst::BitScan { src, dst, .. } => {
                src.get_operands(v);
                v.reg_def(dst);
            }
            Inst::Shift { src, amount, count, dst, .. } => {
                v.reg_use(src);
                if amount.is_none() {
                    v.reg_fixed_use(count, rcx_p);
                }
                v.reg_reuse_def(dst, 0);
            }
            Inst::Div { divisor, dividend_lo, dividend_hi, quotient, remainder, .. } => {
                v.reg_fixed_use(dividend_lo, rax_p);
                v.reg_fixed_use(dividend_hi, rdx_p);
                v.reg_use(divisor);
                v.reg_fixed_def(quotient, rax_p);
                v.reg_fixed_def(remainder, rdx_p);
            }
            Inst::SignExtendData { src, dst, .. } => {
                v.reg_fixed_use(src, rax_p);
                v.reg_fixed_def(dst, rdx_p);
            }
            Inst::CheckedSRem { divisor, dividend, quotient, remainder, .. } => {
                v.reg_fixed_use(dividend, rax_p);
                // Late: `cdq`/`cqo` writes rdx before `idiv` reads the
                // divisor, so the divisor must not share rdx.
                v.reg_late_use(divisor);
                v.reg_fixed_def(quotient, rax_p);
                v.reg_fixed_def(remainder, rdx_p);
            }
            Inst::MovRR { src, dst, .. } => {
                v.reg_use(src);
                v.reg_def(dst);
            }
            Inst::Imm { dst, .. } => v.reg_def(dst),
            Inst::MovzxRmR { src, dst, .. } | Inst::MovsxRmR { src, dst, .. } => {
                src.get_operands(v);
                v.reg_def(dst);
            }
            Inst::Mov64MR { src, dst } => {
                src.get_operands(v);
                v.reg_def(dst);
            }
            Inst::MovRM { src, dst, .. } => {
                v.reg_use(src);
                dst.get_operands(v);
            }
            Inst::Lea { addr, dst } => {
                addr.get_operands(v);
                v.reg_def(dst);
            }
            Inst::Cmp { src1, src2, .. } => {
                v.reg_use(src1);
                src2.get_operands(v);
            }
            Inst::Setcc { dst, .. } => v.reg_def(dst),
            Inst::Cmove { consequent, alternative, dst, .. } => {
                v.reg_use(alternative);
                v.reg_use(consequent);
                v.reg_reuse_def(dst, 0);
            }
            Inst::Jmp { .. } | Inst::JmpCond { .. } | Inst::Ud2 { .. } | Inst::TrapIf { .. } => {}
            Inst::JmpTable { index, tmp1, tmp2, .. } => {
                v.reg_use(index);
                v.reg_early_def(tmp1);
                v.reg_early_def(tmp2);
            }
            Inst::CallKnown { uses, defs, .. } => {
                visit_fixed_uses(uses, v);
                visit_fixed_defs(defs, v);
            }
            Inst::CallUnknown { target, uses, defs, .. } => {
                v.reg_use(target);
                visit_fixed_uses(uses, v);
                visit_fixed_defs(defs, v);
            }
            Inst::Push64 { .. } | Inst::Pop64 { .. } => {}
            Inst::XmmRmR { src1, src2, dst, .. } => {
                v.reg_use(src1);
                src2.get_operands(v);
                v.reg_reuse_def(dst, 0);
            }
            Inst::XmmSqrt { src, dst, .. }
            | Inst::XmmRound { src, dst, .. }
            | Inst::XmmConvert { src, dst, .. }
            | Inst::XmmMov { src, dst }
            | Inst::GprToXmm { src, dst, .. }
            | Inst::XmmToGpr { src, dst, .. }
            | Inst::CvtIntToFloat { src, dst, .. }
            | Inst::CvtFloatToIntTrunc { src, dst, .. } => {
                v.reg_use(src);
                v.reg_def(dst);
            }
            Inst::XmmLoad { src, dst, .. } => {
                src.get_operands(v);
                v.reg_def(dst);
            }
            Inst::XmmStore { src, dst, .. } => {
                v.reg_use(src);
                dst.get_operands(v);
            }
            Inst::Ucomis { a, b, .. } => {
                v.reg_use(a);
                v.reg_use(b);
            }
            Inst::XmmCmove { consequent, alternative, dst, .. } => {
                v.reg_use(alternative);
                v.reg_use(consequent);
                v.reg_reuse_def(dst, 0);
            }
            Inst::XmmMinMax { lhs, rhs, dst, .. } => {
                v.reg_use(lhs);
                v.reg_use(rhs);
                v.reg_reuse_def(dst, 0);
            }
            Inst::CvtFloatToSint { src, dst, tmp_xmm, .. } => {
                v.reg_use(src);
                v.reg_early_def(dst);
                v.reg_early_def(tmp_xmm);
            }
            Inst::CvtFloatToUint { src, dst, tmp_gpr, tmp_xmm, tmp_xmm2, .. } => {
                v.reg_use(src);
                v.reg_early_def(dst);
                v.reg_early_def(tmp_gpr);
                v.reg_early_def(tmp_xmm);
                v.reg_early_def(tmp_xmm2);
            }
            Inst::CvtUint64ToFloat { src, dst, tmp1, tmp2, .. } => {
                v.reg_use(src);
                v.reg_early_def(dst);
                v.reg_early_def(tmp1);
                v.reg_early_def(tmp2);
            }
        }
    }

    fn clobbers(&self) -> PRegSet {
        match self {
            Inst::CallKnown { clobbers, .. } | Inst::CallUnknown { clobbers, .. } => *clobbers,
            _ => PRegSet::empty(),
        }
    }

    fn is_term(&self) -> MachTerminator {
        match self {
            Inst::Ret { .. } => MachTerminator::Ret,
            Inst::Ud2 { .. } => MachTerminator::Trap,
            Inst::Jmp { .. } | Inst::JmpCond { .. } | Inst::JmpTable { .. } => MachTerminator::Branch,
            _ => MachTerminator::None,
        }
    }

    fn is_args(&self) -> bool {
        matches!(self, Inst::Args { .. })
    }

    fn gen_move(dst: Writable<Reg>, src: Reg, class: RegClass) -> Self {
        match class {
            RegClass::Float => Inst::XmmMov { src, dst },
            _ => Inst::mov64(dst, src),
        }
    }

    fn gen_jump(target: MachLabel) -> Self {
        Inst::Jmp { target }
    }

    fn worst_case_size() -> u32 {
        // The longest fixed sequence is `CvtFloatToUint` (at most 116 bytes,
        // with every register needing REX; the oracle crate's x64 row tests
        // check each row); a jump table has its table appended and is
        // bounded separately.
        128
    }
}

/// The one kind of label reference on x86-64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelUse {
    /// A 32-bit PC-relative field: `label - field_offset + addend`, where
    /// the addend is the field's initial contents (−4 for `jmp`/`jcc`/`call`
    /// rel32, whose displacement counts from the instruction's end).
    PCRel32,
}

impl MachInstLabelUse for LabelUse {
    fn max_pos_range(self) -> u32 {
        i32::MAX as u32
    }
    fn max_neg_range(self) -> u32 {
        i32::MAX as u32
    }
    fn patch_size(self) -> u32 {
        4
    }
    fn patch(self, buffer: &mut [u8], use_offset: u32, label_offset: u32) {
        let addend = i32::from_le_bytes(buffer[..4].try_into().expect("4 bytes"));
        let value = (label_offset as i64 - use_offset as i64 + addend as i64) as i32;
        buffer[..4].copy_from_slice(&value.to_le_bytes());
    }
    fn supports_veneer(self) -> bool {
        false
    }
    fn veneer_size(self) -> u32 {
        0
    }
    fn generate_veneer(self, _buffer: &mut [u8], _veneer_offset: u32) -> (u32, Self) {
        unreachable!("x86-64 PC-relative references never need veneers")
    }
}
