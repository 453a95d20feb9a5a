//! Floating-point forms of the AArch64 Cranelift translation: arithmetic,
//! one-source operations and rounding, precision conversion, compare,
//! select, conversions to and from integers, and moves of raw bits.
//!
//! Part of the Cranelift parity oracle ([`super`]). Cranelift splits some
//! of our variants by operation (`FpuRR` into `FpuMove32/64`, `FpuRR` and
//! `FpuRound`; `FpuCSel` by precision); its `FpuToInt` is the single
//! `fcvtz*` (the range checks of `fcvt_to_*int` are separate instructions
//! in its lowering), so it is a counterpart of ours. Cranelift moves float
//! bits to a general register with `umov` (`MovFromVec`, lane 0) where we
//! use `fmov`: the reasons table explains that equivalence.

use super::{NOT_DISPATCHED_HERE, cond, fsize, v, wv, wx, x};
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::OperandSize;
use compiler::isa::aarch64::inst::args_fp::{FloatSize, FpuOp1, FpuOp2};
use cranelift_codegen::isa::aarch64::inst as c;

fn round_mode(op: FpuOp1, size: FloatSize) -> Option<c::FpuRoundMode> {
    use FloatSize::{F32, F64};
    Some(match (op, size) {
        (FpuOp1::RintN, F32) => c::FpuRoundMode::Nearest32,
        (FpuOp1::RintN, F64) => c::FpuRoundMode::Nearest64,
        (FpuOp1::RintP, F32) => c::FpuRoundMode::Plus32,
        (FpuOp1::RintP, F64) => c::FpuRoundMode::Plus64,
        (FpuOp1::RintM, F32) => c::FpuRoundMode::Minus32,
        (FpuOp1::RintM, F64) => c::FpuRoundMode::Minus64,
        (FpuOp1::RintZ, F32) => c::FpuRoundMode::Zero32,
        (FpuOp1::RintZ, F64) => c::FpuRoundMode::Zero64,
        _ => return None,
    })
}

fn int_to_fpu(signed: bool, int_size: OperandSize, size: FloatSize) -> c::IntToFpuOp {
    use FloatSize::{F32, F64};
    use OperandSize::{Size32, Size64};
    match (signed, int_size, size) {
        (false, Size32, F32) => c::IntToFpuOp::U32ToF32,
        (true, Size32, F32) => c::IntToFpuOp::I32ToF32,
        (false, Size32, F64) => c::IntToFpuOp::U32ToF64,
        (true, Size32, F64) => c::IntToFpuOp::I32ToF64,
        (false, Size64, F32) => c::IntToFpuOp::U64ToF32,
        (true, Size64, F32) => c::IntToFpuOp::I64ToF32,
        (false, Size64, F64) => c::IntToFpuOp::U64ToF64,
        (true, Size64, F64) => c::IntToFpuOp::I64ToF64,
    }
}

fn fpu_to_int(signed: bool, int_size: OperandSize, size: FloatSize) -> c::FpuToIntOp {
    use FloatSize::{F32, F64};
    use OperandSize::{Size32, Size64};
    match (signed, int_size, size) {
        (false, Size32, F32) => c::FpuToIntOp::F32ToU32,
        (true, Size32, F32) => c::FpuToIntOp::F32ToI32,
        (false, Size64, F32) => c::FpuToIntOp::F32ToU64,
        (true, Size64, F32) => c::FpuToIntOp::F32ToI64,
        (false, Size32, F64) => c::FpuToIntOp::F64ToU32,
        (true, Size32, F64) => c::FpuToIntOp::F64ToI32,
        (false, Size64, F64) => c::FpuToIntOp::F64ToU64,
        (true, Size64, F64) => c::FpuToIntOp::F64ToI64,
    }
}

/// The Cranelift instruction for one of the float variants.
pub(super) fn translate(inst: &Inst) -> Result<c::Inst, &'static str> {
    Ok(match inst {
        Inst::FpuRRR { op, size, rd, rn, rm } => c::Inst::FpuRRR {
            fpu_op: match op {
                FpuOp2::Mul => c::FPUOp2::Mul,
                FpuOp2::Div => c::FPUOp2::Div,
                FpuOp2::Add => c::FPUOp2::Add,
                FpuOp2::Sub => c::FPUOp2::Sub,
                FpuOp2::Max => c::FPUOp2::Max,
                FpuOp2::Min => c::FPUOp2::Min,
            },
            size: fsize(*size),
            rd: wv(*rd),
            rn: v(*rn),
            rm: v(*rm),
        },
        Inst::FpuRR { op: FpuOp1::Mov, size: FloatSize::F32, rd, rn } => c::Inst::FpuMove32 { rd: wv(*rd), rn: v(*rn) },
        Inst::FpuRR { op: FpuOp1::Mov, size: FloatSize::F64, rd, rn } => c::Inst::FpuMove64 { rd: wv(*rd), rn: v(*rn) },
        Inst::FpuRR { op: op @ (FpuOp1::Abs | FpuOp1::Neg | FpuOp1::Sqrt), size, rd, rn } => c::Inst::FpuRR {
            fpu_op: match op {
                FpuOp1::Abs => c::FPUOp1::Abs,
                FpuOp1::Neg => c::FPUOp1::Neg,
                _ => c::FPUOp1::Sqrt,
            },
            size: fsize(*size),
            rd: wv(*rd),
            rn: v(*rn),
        },
        Inst::FpuRR { op, size, rd, rn } => {
            c::Inst::FpuRound { op: round_mode(*op, *size).ok_or(NOT_DISPATCHED_HERE)?, rd: wv(*rd), rn: v(*rn) }
        }
        // The source has the other precision; Cranelift's `size` is the source's.
        Inst::FpuCvt { to: FloatSize::F64, rd, rn } => {
            c::Inst::FpuRR { fpu_op: c::FPUOp1::Cvt32To64, size: c::ScalarSize::Size32, rd: wv(*rd), rn: v(*rn) }
        }
        Inst::FpuCvt { to: FloatSize::F32, rd, rn } => {
            c::Inst::FpuRR { fpu_op: c::FPUOp1::Cvt64To32, size: c::ScalarSize::Size64, rd: wv(*rd), rn: v(*rn) }
        }
        Inst::FpuCmp { size, rn, rm } => c::Inst::FpuCmp { size: fsize(*size), rn: v(*rn), rm: v(*rm) },
        Inst::FpuCSel { size: FloatSize::F32, cond: cc, rd, rn, rm } => {
            c::Inst::FpuCSel32 { rd: wv(*rd), rn: v(*rn), rm: v(*rm), cond: cond(*cc) }
        }
        Inst::FpuCSel { size: FloatSize::F64, cond: cc, rd, rn, rm } => {
            c::Inst::FpuCSel64 { rd: wv(*rd), rn: v(*rn), rm: v(*rm), cond: cond(*cc) }
        }
        Inst::IntToFpu { signed, int_size, size, rd, rn } => {
            c::Inst::IntToFpu { op: int_to_fpu(*signed, *int_size, *size), rd: wv(*rd), rn: x(*rn) }
        }
        Inst::FpuToInt { signed, int_size, size, rd, rn } => {
            c::Inst::FpuToInt { op: fpu_to_int(*signed, *int_size, *size), rd: wx(*rd), rn: v(*rn) }
        }
        Inst::MovToFpu { size, rd, rn } => c::Inst::MovToFpu { rd: wv(*rd), rn: x(*rn), size: fsize(*size) },
        Inst::MovFromFpu { size, rd, rn } => {
            c::Inst::MovFromVec { rd: wx(*rd), rn: v(*rn), idx: 0, size: fsize(*size) }
        }
        _ => return Err(NOT_DISPATCHED_HERE),
    })
}
