//! Lowering rules for floating point on AArch64 (scalar FP/SIMD
//! instructions on `s`/`d` registers).
//!
//! Part of `isa/aarch64/`, called from `lower.rs` before the integer rules
//! for every IR instruction; it lowers the ones that compute on or produce
//! floats (float loads, stores and `select` stay in `lower.rs`). Wasm
//! semantics kept here, the same as `isa/x64/lower_float.rs`:
//!
//! - `neg`/`abs` are `fneg`/`fabs`, which only touch the sign bit (exact for
//!   NaNs too); `copysign` is done on the bits in general-purpose registers;
//! - `min`/`max` are `fmin`/`fmax`, which give NaN when either operand is
//!   NaN and order `-0 < +0`, as Wasm requires;
//! - `ceil`/`floor`/`trunc`/`nearest` are `frintp`/`frintm`/`frintz`/
//!   `frintn`;
//! - comparisons are false on NaN except `ne`: `fcmp` sets NZCV to `0011`
//!   when unordered, so `eq`→EQ, `ne`→NE, `lt`→MI, `le`→LS, `gt`→GT,
//!   `ge`→GE;
//! - `fcvtzs`/`fcvtzu` truncate and saturate (NaN gives 0), which is the
//!   `_sat` semantics; the trapping conversions first trap on NaN (`fcmp
//!   x, x` sets V) with `BadConversionToInteger`, then compare against the
//!   exact bounds of the valid range and trap with `IntegerOverflow`;
//! - `scvtf`/`ucvtf` convert from any integer width with one rounding.

use crate::error::{CompileError, CompileResult};
use crate::ir::{self, FloatCC, InstructionData, Opcode, Type};
use crate::isa::aarch64::inst::Inst;
use crate::isa::aarch64::inst::args::*;
use crate::isa::aarch64::inst::args_fp::{FloatSize, FpuOp1, FpuOp2};
use crate::machinst::{Lower, Reg, Writable};
use crate::runtime::TrapCode;
use regalloc2::RegClass;

fn int_size_of(ty: Type) -> OperandSize {
    OperandSize::of(ty.bits() == 64)
}

/// The bits of `value` at precision `size`.
fn float_bits(size: FloatSize, value: f64) -> u64 {
    match size {
        FloatSize::F32 => (value as f32).to_bits() as u64,
        FloatSize::F64 => value.to_bits(),
    }
}

/// Materializes a float constant from its bits: through a general-purpose
/// register and `fmov`.
pub fn float_constant(ctx: &mut Lower<'_, Inst>, size: FloatSize, bits: u64, rd: Writable<Reg>) {
    let int_size = OperandSize::of(size == FloatSize::F64);
    let gpr = ctx.alloc_tmp(RegClass::Int);
    ctx.emit(Inst::Imm { size: int_size, value: bits & int_size.mask(), rd: gpr });
    ctx.emit(Inst::MovToFpu { size, rd, rn: gpr.to_reg() });
}

fn constant(ctx: &mut Lower<'_, Inst>, size: FloatSize, bits: u64) -> Reg {
    let rd = ctx.alloc_tmp(RegClass::Float);
    float_constant(ctx, size, bits, rd);
    rd.to_reg()
}

/// The condition that holds after `fcmp a, b` exactly when `a cond b`.
pub fn float_cond(cond: FloatCC) -> Cond {
    match cond {
        FloatCC::Equal => Cond::Eq,
        FloatCC::NotEqual => Cond::Ne,
        FloatCC::LessThan => Cond::Mi,
        FloatCC::LessThanOrEqual => Cond::Ls,
        FloatCC::GreaterThan => Cond::Gt,
        FloatCC::GreaterThanOrEqual => Cond::Ge,
    }
}

/// `copysign`: `(a & !sign) | (b & sign)` on the bits.
fn lower_copysign(ctx: &mut Lower<'_, Inst>, size: FloatSize, a: Reg, b: Reg, out: Writable<Reg>) {
    let int_size = OperandSize::of(size == FloatSize::F64);
    let sign = 1u64 << (int_size.bits() - 1);
    let to_int = |ctx: &mut Lower<'_, Inst>, rn: Reg| {
        let rd = ctx.alloc_tmp(RegClass::Int);
        ctx.emit(Inst::MovFromFpu { size, rd, rn });
        rd.to_reg()
    };
    let and = |ctx: &mut Lower<'_, Inst>, rn: Reg, mask: u64| {
        let rd = ctx.alloc_tmp(RegClass::Int);
        let imm = ImmLogic::maybe_from_u64(mask, int_size).expect("sign masks are bitmask immediates");
        ctx.emit(Inst::AluRRImmLogic { op: AluOp::And, size: int_size, rd, rn, imm });
        rd.to_reg()
    };
    let (a_bits, b_bits) = (to_int(ctx, a), to_int(ctx, b));
    let magnitude = and(ctx, a_bits, !sign & int_size.mask());
    let sign_bit = and(ctx, b_bits, sign);
    let combined = ctx.alloc_tmp(RegClass::Int);
    ctx.emit(Inst::AluRRR { op: AluOp::Orr, size: int_size, rd: combined, rn: magnitude, rm: sign_bit });
    ctx.emit(Inst::MovToFpu { size, rd: out, rn: combined.to_reg() });
}

/// The valid inputs of a trapping float-to-integer conversion: `(lower
/// bound, whether it is inclusive, exclusive upper bound)`, all exact at
/// the float's precision.
fn conversion_bounds(size: FloatSize, int_size: OperandSize, signed: bool) -> (f64, bool, f64) {
    let bits = int_size.bits() as i32;
    let upper = if signed { 2f64.powi(bits - 1) } else { 2f64.powi(bits) };
    if !signed {
        // Anything above -1 truncates to 0 or more.
        return (-1.0, false, upper);
    }
    if size == FloatSize::F64 && bits == 32 {
        // f64 has the integer below INT32_MIN; everything above it truncates
        // to INT32_MIN or more.
        (-(2f64.powi(31)) - 1.0, false, upper)
    } else {
        // INT_MIN is exact, and the float below it is below INT_MIN - 1.
        (-(2f64.powi(bits - 1)), true, upper)
    }
}

/// A trapping float-to-integer conversion.
fn lower_checked_to_int(
    ctx: &mut Lower<'_, Inst>,
    size: FloatSize,
    int_size: OperandSize,
    signed: bool,
    src: Reg,
    out: Writable<Reg>,
) {
    ctx.emit(Inst::FpuCmp { size, rn: src, rm: src });
    ctx.emit(Inst::TrapIf { kind: CondBrKind::Cond(Cond::Vs), code: TrapCode::BadConversionToInteger });
    let (lower, inclusive, upper) = conversion_bounds(size, int_size, signed);
    let lower = constant(ctx, size, float_bits(size, lower));
    ctx.emit(Inst::FpuCmp { size, rn: src, rm: lower });
    let below = if inclusive { Cond::Mi } else { Cond::Ls };
    ctx.emit(Inst::TrapIf { kind: CondBrKind::Cond(below), code: TrapCode::IntegerOverflow });
    let upper = constant(ctx, size, float_bits(size, upper));
    ctx.emit(Inst::FpuCmp { size, rn: src, rm: upper });
    ctx.emit(Inst::TrapIf { kind: CondBrKind::Cond(Cond::Ge), code: TrapCode::IntegerOverflow });
    ctx.emit(Inst::FpuToInt { signed, int_size, size, rd: out, rn: src });
}

fn lower_binary(ctx: &mut Lower<'_, Inst>, opcode: Opcode, ty: Type, args: [ir::Value; 2], out: Writable<Reg>) {
    let size = FloatSize::of(ty);
    let (rn, rm) = (ctx.value_reg(args[0]), ctx.value_reg(args[1]));
    let op = match opcode {
        Opcode::Fadd => FpuOp2::Add,
        Opcode::Fsub => FpuOp2::Sub,
        Opcode::Fmul => FpuOp2::Mul,
        Opcode::Fdiv => FpuOp2::Div,
        Opcode::Fmin => FpuOp2::Min,
        Opcode::Fmax => FpuOp2::Max,
        _ => return lower_copysign(ctx, size, rn, rm, out),
    };
    ctx.emit(Inst::FpuRRR { op, size, rd: out, rn, rm });
}

fn unary_op(opcode: Opcode) -> FpuOp1 {
    match opcode {
        Opcode::Fneg => FpuOp1::Neg,
        Opcode::Fabs => FpuOp1::Abs,
        Opcode::Sqrt => FpuOp1::Sqrt,
        Opcode::Ceil => FpuOp1::RintP,
        Opcode::Floor => FpuOp1::RintM,
        Opcode::Trunc => FpuOp1::RintZ,
        _ => FpuOp1::RintN,
    }
}

/// Conversions and bitcasts between floats and integers or between
/// precisions.
fn lower_conversion(
    ctx: &mut Lower<'_, Inst>,
    opcode: Opcode,
    from: Type,
    to: Type,
    src: Reg,
    out: Writable<Reg>,
) -> CompileResult<()> {
    match opcode {
        Opcode::FcvtToSint | Opcode::FcvtToUint => {
            let signed = opcode == Opcode::FcvtToSint;
            lower_checked_to_int(ctx, FloatSize::of(from), int_size_of(to), signed, src, out);
        }
        Opcode::FcvtToSintSat | Opcode::FcvtToUintSat => ctx.emit(Inst::FpuToInt {
            signed: opcode == Opcode::FcvtToSintSat,
            int_size: int_size_of(to),
            size: FloatSize::of(from),
            rd: out,
            rn: src,
        }),
        Opcode::FcvtFromSint | Opcode::FcvtFromUint => ctx.emit(Inst::IntToFpu {
            signed: opcode == Opcode::FcvtFromSint,
            int_size: int_size_of(from),
            size: FloatSize::of(to),
            rd: out,
            rn: src,
        }),
        Opcode::Fpromote => ctx.emit(Inst::FpuCvt { to: FloatSize::F64, rd: out, rn: src }),
        Opcode::Fdemote => ctx.emit(Inst::FpuCvt { to: FloatSize::F32, rd: out, rn: src }),
        Opcode::Bitcast if to.is_float() => ctx.emit(Inst::MovToFpu { size: FloatSize::of(to), rd: out, rn: src }),
        Opcode::Bitcast => ctx.emit(Inst::MovFromFpu { size: FloatSize::of(from), rd: out, rn: src }),
        other => return Err(CompileError::internal(format!("aarch64: {other} on {from} -> {to}"))),
    }
    Ok(())
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
            float_constant(ctx, FloatSize::of(ty), imm as u64, out);
        }
        InstructionData::Binary { opcode, args } if opcode.is_float_arithmetic() => {
            let ty = result_ty?;
            let out = ctx.output(inst, 0);
            lower_binary(ctx, opcode, ty, args, out);
        }
        InstructionData::Unary { opcode, arg } if opcode.is_float_arithmetic() => {
            let size = FloatSize::of(result_ty?);
            let rn = ctx.value_reg(arg);
            let out = ctx.output(inst, 0);
            ctx.emit(Inst::FpuRR { op: unary_op(opcode), size, rd: out, rn });
        }
        InstructionData::FloatCompare { cond, args, .. } => {
            let size = FloatSize::of(operand_ty?);
            let (rn, rm) = (ctx.value_reg(args[0]), ctx.value_reg(args[1]));
            let out = ctx.output(inst, 0);
            ctx.emit(Inst::FpuCmp { size, rn, rm });
            ctx.emit(Inst::CSet { size: OperandSize::Size32, cond: float_cond(cond), rd: out });
        }
        InstructionData::Unary { opcode, arg } => {
            let (from, to) = (operand_ty?, result_ty?);
            if !(from.is_float() || to.is_float()) {
                return None;
            }
            let src = ctx.value_reg(arg);
            let out = ctx.output(inst, 0);
            return Some(lower_conversion(ctx, opcode, from, to, src, out));
        }
        _ => return None,
    }
    Some(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_bounds_are_exact_at_their_precision() {
        for size in FloatSize::ALL {
            for int_size in OperandSize::ALL {
                for signed in [false, true] {
                    let (lower, _, upper) = conversion_bounds(size, int_size, signed);
                    for bound in [lower, upper] {
                        let bits = float_bits(size, bound);
                        let back = match size {
                            FloatSize::F32 => f32::from_bits(bits as u32) as f64,
                            FloatSize::F64 => f64::from_bits(bits),
                        };
                        assert_eq!(back, bound, "{size:?} {int_size:?} signed={signed}");
                    }
                }
            }
        }
        assert_eq!(conversion_bounds(FloatSize::F64, OperandSize::Size32, true), (-2147483649.0, false, 2147483648.0));
        assert_eq!(conversion_bounds(FloatSize::F32, OperandSize::Size32, true), (-2147483648.0, true, 2147483648.0));
    }

    #[test]
    fn every_comparison_is_false_when_unordered_except_ne() {
        // fcmp sets NZCV = 0011 for unordered operands.
        let (n, z, c, v) = (false, false, true, true);
        let holds = |cond: Cond| match cond {
            Cond::Eq => z,
            Cond::Ne => !z,
            Cond::Mi => n,
            Cond::Ls => !c || z,
            Cond::Gt => !z && n == v,
            Cond::Ge => n == v,
            other => panic!("unexpected {other:?}"),
        };
        for cond in FloatCC::ALL {
            assert_eq!(holds(float_cond(cond)), cond == FloatCC::NotEqual, "{cond:?}");
        }
    }
}
