//! Lowering rules for floating point on x86-64 (SSE2, plus SSE4.1's
//! `roundss`/`roundsd` for `ceil`/`floor`/`trunc`/`nearest`).
//!
//! Part of `isa/x64/`, called from `lower.rs` for every IR instruction that
//! computes on or produces floats. Wasm semantics kept here:
//!
//! - `neg`/`abs`/`copysign` are bit operations on the sign bit (exact for
//!   NaNs too);
//! - `min`/`max` go through `XmmMinMax` (NaN propagation, `-0 < +0`);
//! - comparisons are false on NaN except `ne` (`ucomis` sets ZF = PF = CF =
//!   1 when unordered, so `eq` needs ZF and not PF, `ne` ZF or PF, and the
//!   ordered `<`/`<=` are computed as `>`/`>=` with the operands swapped);
//! - float-to-int conversions trap (or saturate) exactly as Wasm says, in
//!   the `CvtFloatTo*` sequences.

use crate::error::{CompileError, CompileResult};
use crate::ir::{self, FloatCC, InstructionData, Opcode, Type};
use crate::isa::x64::inst::Inst;
use crate::isa::x64::inst::args::*;
use crate::machinst::{Lower, Reg, Writable};
use regalloc2::RegClass;

fn sign_mask(ty: Type) -> u64 {
    if ty == Type::F64 { 1 << 63 } else { 1 << 31 }
}

/// Materializes a float constant from its bits.
pub fn float_constant(ctx: &mut Lower<'_, Inst>, ty: Type, bits: u64, dst: Writable<Reg>) {
    let gpr = ctx.alloc_tmp(RegClass::Int);
    let size = if ty == Type::F64 { OperandSize::Size64 } else { OperandSize::Size32 };
    ctx.emit(Inst::Imm { size, value: bits, dst: gpr });
    ctx.emit(Inst::GprToXmm { size, src: gpr.to_reg(), dst });
}

fn constant(ctx: &mut Lower<'_, Inst>, ty: Type, bits: u64) -> Reg {
    let dst = ctx.alloc_tmp(RegClass::Float);
    float_constant(ctx, ty, bits, dst);
    dst.to_reg()
}

fn sse(ctx: &mut Lower<'_, Inst>, size: FloatSize, op: SseOp, src1: Reg, src2: Reg, dst: Writable<Reg>) {
    ctx.emit(Inst::XmmRmR { size, op, src1, src2: RegMem::Reg(src2), dst });
}

fn sse_tmp(ctx: &mut Lower<'_, Inst>, size: FloatSize, op: SseOp, src1: Reg, src2: Reg) -> Reg {
    let dst = ctx.alloc_tmp(RegClass::Float);
    sse(ctx, size, op, src1, src2, dst);
    dst.to_reg()
}

/// Emits `ucomis` for `a cond b` and returns the condition code that holds
/// when the (ordered) comparison is true, for `lt`/`le`/`gt`/`ge`.
fn ordered_compare(ctx: &mut Lower<'_, Inst>, size: FloatSize, cond: FloatCC, a: Reg, b: Reg) -> CC {
    let (x, y, cc) = match cond {
        FloatCC::GreaterThan => (a, b, CC::NBE),
        FloatCC::GreaterThanOrEqual => (a, b, CC::NB),
        FloatCC::LessThan => (b, a, CC::NBE),
        _ => (b, a, CC::NB),
    };
    ctx.emit(Inst::Ucomis { size, a: x, b: y });
    cc
}

/// Lowers `fcmp cond a, b` into `out` (0 or 1).
fn lower_fcmp(ctx: &mut Lower<'_, Inst>, cond: FloatCC, a: Reg, b: Reg, ty: Type, out: Writable<Reg>) {
    let size = FloatSize::of(ty);
    let byte = ctx.alloc_tmp(RegClass::Int);
    match cond {
        FloatCC::Equal | FloatCC::NotEqual => {
            ctx.emit(Inst::Ucomis { size, a, b });
            let (first, second, op) = match cond {
                FloatCC::Equal => (CC::NP, CC::Z, AluOp::And),
                _ => (CC::P, CC::NZ, AluOp::Or),
            };
            let other = ctx.alloc_tmp(RegClass::Int);
            ctx.emit(Inst::Setcc { cc: first, dst: byte });
            ctx.emit(Inst::Setcc { cc: second, dst: other });
            let combined = ctx.alloc_tmp(RegClass::Int);
            ctx.emit(Inst::AluRmiR {
                size: OperandSize::Size32,
                op,
                src1: byte.to_reg(),
                src2: RegMemImm::Reg(other.to_reg()),
                dst: combined,
            });
            ctx.emit(Inst::MovzxRmR { mode: ExtMode::BL, src: RegMem::Reg(combined.to_reg()), dst: out });
        }
        _ => {
            let cc = ordered_compare(ctx, size, cond, a, b);
            ctx.emit(Inst::Setcc { cc, dst: byte });
            ctx.emit(Inst::MovzxRmR { mode: ExtMode::BL, src: RegMem::Reg(byte.to_reg()), dst: out });
        }
    }
}

/// Lowers `inst` if it is a floating-point instruction; `None` otherwise.
pub fn lower_float(ctx: &mut Lower<'_, Inst>, inst: ir::Inst) -> Option<CompileResult<()>> {
    let data = ctx.func.dfg.inst(inst).clone();
    let result_ty = ctx.func.dfg.inst_results(inst).first().map(|&v| ctx.func.dfg.value_type(v));
    let operand_ty = data.arguments().first().map(|&v| ctx.func.dfg.value_type(v));
    match data {
        InstructionData::UnaryImm { opcode: Opcode::Fconst, imm } => {
            let ty = result_ty?;
            let out = ctx.output(inst, 0);
            float_constant(ctx, ty, imm as u64, out);
        }
        InstructionData::Binary { opcode, args } if opcode.is_float_arithmetic() => {
            let ty = result_ty?;
            let size = FloatSize::of(ty);
            let (a, b) = (ctx.value_reg(args[0]), ctx.value_reg(args[1]));
            let out = ctx.output(inst, 0);
            match opcode {
                Opcode::Fadd | Opcode::Fsub | Opcode::Fmul | Opcode::Fdiv => {
                    let op = match opcode {
                        Opcode::Fadd => SseOp::Add,
                        Opcode::Fsub => SseOp::Sub,
                        Opcode::Fmul => SseOp::Mul,
                        _ => SseOp::Div,
                    };
                    sse(ctx, size, op, a, b, out);
                }
                Opcode::Fmin | Opcode::Fmax => {
                    ctx.emit(Inst::XmmMinMax { size, is_min: opcode == Opcode::Fmin, lhs: a, rhs: b, dst: out })
                }
                _ => {
                    // copysign: (a & !sign) | (b & sign)
                    let mask = constant(ctx, ty, sign_mask(ty));
                    let magnitude = sse_tmp(ctx, size, SseOp::AndNot, mask, a);
                    let mask = constant(ctx, ty, sign_mask(ty));
                    let sign = sse_tmp(ctx, size, SseOp::And, mask, b);
                    sse(ctx, size, SseOp::Or, magnitude, sign, out);
                }
            }
        }
        InstructionData::Unary { opcode, arg } if opcode.is_float_arithmetic() => {
            let ty = result_ty?;
            let size = FloatSize::of(ty);
            let src = ctx.value_reg(arg);
            let out = ctx.output(inst, 0);
            match opcode {
                Opcode::Fneg => {
                    let mask = constant(ctx, ty, sign_mask(ty));
                    sse(ctx, size, SseOp::Xor, mask, src, out);
                }
                Opcode::Fabs => {
                    let mask = constant(ctx, ty, sign_mask(ty));
                    sse(ctx, size, SseOp::AndNot, mask, src, out);
                }
                Opcode::Sqrt => ctx.emit(Inst::XmmSqrt { size, src, dst: out }),
                _ => {
                    let mode = match opcode {
                        Opcode::Nearest => 0,
                        Opcode::Floor => 1,
                        Opcode::Ceil => 2,
                        _ => 3,
                    };
                    ctx.emit(Inst::XmmRound { size, mode, src, dst: out });
                }
            }
        }
        InstructionData::FloatCompare { cond, args, .. } => {
            let ty = operand_ty?;
            let (a, b) = (ctx.value_reg(args[0]), ctx.value_reg(args[1]));
            let out = ctx.output(inst, 0);
            lower_fcmp(ctx, cond, a, b, ty, out);
        }
        InstructionData::Unary { opcode, arg } => {
            let (from, to) = (operand_ty?, result_ty?);
            if !(from.is_float() || to.is_float()) {
                return None;
            }
            let src = ctx.value_reg(arg);
            let out = ctx.output(inst, 0);
            let int_size = |t: Type| OperandSize::of(t.bits() == 64);
            match opcode {
                Opcode::FcvtToSint | Opcode::FcvtToSintSat => {
                    let tmp_xmm = ctx.alloc_tmp(RegClass::Float);
                    ctx.emit(Inst::CvtFloatToSint {
                        size: FloatSize::of(from),
                        int_size: int_size(to),
                        saturating: opcode == Opcode::FcvtToSintSat,
                        src,
                        dst: out,
                        tmp_xmm,
                    });
                }
                Opcode::FcvtToUint | Opcode::FcvtToUintSat => {
                    let tmp_gpr = ctx.alloc_tmp(RegClass::Int);
                    let tmp_xmm = ctx.alloc_tmp(RegClass::Float);
                    let tmp_xmm2 = ctx.alloc_tmp(RegClass::Float);
                    ctx.emit(Inst::CvtFloatToUint {
                        size: FloatSize::of(from),
                        int_size: int_size(to),
                        saturating: opcode == Opcode::FcvtToUintSat,
                        src,
                        dst: out,
                        tmp_gpr,
                        tmp_xmm,
                        tmp_xmm2,
                    });
                }
                Opcode::FcvtFromSint => {
                    ctx.emit(Inst::CvtIntToFloat { int_size: int_size(from), size: FloatSize::of(to), src, dst: out })
                }
                Opcode::FcvtFromUint if from.bits() == 64 => {
                    let tmp1 = ctx.alloc_tmp(RegClass::Int);
                    let tmp2 = ctx.alloc_tmp(RegClass::Int);
                    ctx.emit(Inst::CvtUint64ToFloat { size: FloatSize::of(to), src, dst: out, tmp1, tmp2 });
                }
                Opcode::FcvtFromUint => {
                    // Zero-extend to 64 bits, then a signed 64-bit conversion is exact.
                    let wide = ctx.alloc_tmp(RegClass::Int);
                    ctx.emit(Inst::MovzxRmR { mode: ExtMode::LQ, src: RegMem::Reg(src), dst: wide });
                    ctx.emit(Inst::CvtIntToFloat {
                        int_size: OperandSize::Size64,
                        size: FloatSize::of(to),
                        src: wide.to_reg(),
                        dst: out,
                    });
                }
                Opcode::Fpromote => ctx.emit(Inst::XmmConvert { to: FloatSize::F64, src, dst: out }),
                Opcode::Fdemote => ctx.emit(Inst::XmmConvert { to: FloatSize::F32, src, dst: out }),
                Opcode::Bitcast if to.is_float() => ctx.emit(Inst::GprToXmm { size: int_size(to), src, dst: out }),
                Opcode::Bitcast => ctx.emit(Inst::XmmToGpr { size: int_size(from), src, dst: out }),
                other => {
                    return Some(Err(CompileError::internal(format!("x64: {other} on {from} -> {to}"))));
                }
            }
        }
        _ => return None,
    }
    Some(Ok(()))
}
