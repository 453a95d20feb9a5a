//! Lifting the scalar floating-point words: 1- and 2-source arithmetic,
//! `fcvt`, `fcmp`, `fcsel`, and the conversions and moves between float
//! and general-purpose registers.
//!
//! Part of the AArch64 lifter ([`super`]). Ours are the `s`/`d` forms
//! `emit_fp.rs` builds; half precision, fixed-point conversions, rounding
//! modes other than our `frint*`/`fcvtz*`, fused multiply-add, `fmov #imm`
//! and compares with zero are refused, and everything else in the
//! SIMD & FP group is Advanced SIMD.

use super::{bit, bits, cond, ftype, rd, reason, rm, rn, sf, v, vw, x, xw};
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::OperandSize;
use compiler::isa::aarch64::inst::args_fp::{FloatSize, FpuOp1, FpuOp2};

type Lifted = Result<Inst, &'static str>;

/// Data processing, SIMD & FP (`op0` = x111): the scalar floating-point
/// classes are `sf 0 0 11110 ...`; `sf 0 0 11111` is fused multiply-add.
pub(super) fn data_processing(word: u32) -> Lifted {
    match bits(word, 30, 24) {
        0b001_1110 => scalar(word),
        0b001_1111 => Err(reason::NOT_OURS),
        _ => Err(reason::SIMD),
    }
}

/// The scalar classes, told apart by bits 21 and 15..10.
fn scalar(word: u32) -> Lifted {
    if !bit(word, 21) {
        // Conversions to and from fixed point.
        return Err(reason::NOT_OURS);
    }
    if bits(word, 15, 10) == 0 {
        return int_conversion(word);
    }
    if bit(word, 31) {
        return Err(reason::RESERVED);
    }
    let size = ftype(word)?;
    let (rd, rn) = (rd(word), rn(word));
    match bits(word, 11, 10) {
        0b10 => two_source(word, size),
        0b11 => Ok(Inst::FpuCSel { size, cond: cond(bits(word, 15, 12)), rd: vw(rd), rn: v(rn), rm: v(rm(word)) }),
        // fccmp, fccmpe.
        0b01 => Err(reason::NOT_OURS),
        // fmov #imm.
        _ if bit(word, 12) => Err(reason::NOT_OURS),
        _ if bits(word, 13, 12) == 0b10 => compare(word, size),
        _ if bits(word, 14, 12) == 0b100 => one_source(word, size),
        _ => Err(reason::RESERVED),
    }
}

/// `enc_fpu_rrr`: `0 0 0 11110 ftype 1 Rm opcode 10 Rn Rd`.
fn two_source(word: u32, size: FloatSize) -> Lifted {
    let opcode = bits(word, 15, 12);
    // fmaxnm, fminnm, fnmul (and reserved opcodes) are not ours.
    let op = *FpuOp2::ALL.iter().find(|op| op.bits() == opcode).ok_or(reason::NOT_OURS)?;
    Ok(Inst::FpuRRR { op, size, rd: vw(rd(word)), rn: v(rn(word)), rm: v(rm(word)) })
}

/// `enc_fpu_rr`/`enc_fcvt`: `0 0 0 11110 ftype 1 opcode(6) 10000 Rn Rd`.
fn one_source(word: u32, size: FloatSize) -> Lifted {
    let (rd, rn) = (vw(rd(word)), v(rn(word)));
    match bits(word, 20, 15) {
        // fcvt to single from double, to double from single.
        0b000100 if size == FloatSize::F64 => Ok(Inst::FpuCvt { to: FloatSize::F32, rd, rn }),
        0b000101 if size == FloatSize::F32 => Ok(Inst::FpuCvt { to: FloatSize::F64, rd, rn }),
        // fcvt to half, bfcvt.
        0b000110 | 0b000111 => Err(reason::HALF),
        0b000100 | 0b000101 => Err(reason::RESERVED),
        opcode => match FpuOp1::ALL.iter().find(|op| op.bits() == opcode) {
            Some(&op) => Ok(Inst::FpuRR { op, size, rd, rn }),
            // frinta, frintx, frinti, frint32*/frint64*.
            None => Err(reason::NOT_OURS),
        },
    }
}

/// `enc_fcmp`: `0 0 0 11110 ftype 1 Rm 00 1000 Rn opcode2`; `fcmp` of two
/// registers only (not `fcmpe`, not the compares with `#0.0`).
fn compare(word: u32, size: FloatSize) -> Lifted {
    if bits(word, 15, 14) != 0 {
        return Err(reason::RESERVED);
    }
    match bits(word, 4, 0) {
        0 => Ok(Inst::FpuCmp { size, rn: v(rn(word)), rm: v(rm(word)) }),
        0b01000 | 0b10000 | 0b11000 => Err(reason::NOT_OURS),
        _ => Err(reason::RESERVED),
    }
}

/// `enc_fpu_int_conv`: `sf 0 0 11110 ftype 1 rmode opcode 000000 Rn Rd`:
/// `scvtf`/`ucvtf`, `fcvtzs`/`fcvtzu`, and `fmov` of the same width.
fn int_conversion(word: u32) -> Lifted {
    let (rmode, opcode) = (bits(word, 20, 19), bits(word, 18, 16));
    if bits(word, 23, 22) == 0b10 {
        // fmov to or from the top half of a vector register.
        return Err(if rmode == 0b01 && opcode >= 0b110 { reason::SIMD } else { reason::RESERVED });
    }
    let size = ftype(word)?;
    let int_size = sf(word);
    let (rd, rn) = (rd(word), rn(word));
    match (rmode, opcode) {
        (0b00, 0b010 | 0b011) => Ok(Inst::IntToFpu { signed: opcode == 0b010, int_size, size, rd: vw(rd), rn: x(rn) }),
        (0b11, 0b000 | 0b001) => Ok(Inst::FpuToInt { signed: opcode == 0b000, int_size, size, rd: xw(rd), rn: v(rn) }),
        (0b00, 0b110 | 0b111) if int_size != OperandSize::of(size == FloatSize::F64) => Err(reason::RESERVED),
        (0b00, 0b110) => Ok(Inst::MovFromFpu { size, rd: xw(rd), rn: v(rn) }),
        (0b00, 0b111) => Ok(Inst::MovToFpu { size, rd: vw(rd), rn: x(rn) }),
        // fcvtn*/fcvtp*/fcvtm*/fcvta*, fjcvtzs.
        _ => Err(reason::NOT_OURS),
    }
}
