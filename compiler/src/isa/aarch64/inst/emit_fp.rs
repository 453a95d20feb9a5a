//! AArch64 floating-point instruction encoding.
//!
//! Part of `isa/aarch64/inst/`, beside `emit.rs` (which hands every float
//! variant of `Inst` to [`emit_fp`]). The encoders are small pure functions
//! named after the encoding class (`enc_fpu_rrr`, `enc_fpu_int_conv`, ...);
//! every one takes register numbers 0–31 and the `ftype` of a
//! [`FloatSize`]. Loads and stores share the addressing-form resolution of
//! the integer ones and only set the `V` bit (26).

use crate::isa::aarch64::inst::Inst;
use crate::isa::aarch64::inst::args::{Cond, OperandSize};
use crate::isa::aarch64::inst::args_fp::{FloatSize, FpuOp2};
use crate::isa::aarch64::inst::emit::{EmitState, enc_ldst, resolve_amode};
use crate::machinst::{MachBuffer, Reg, Writable};

fn r(reg: Reg) -> u32 {
    let enc = reg.hw_enc() as u32;
    assert!(enc < 32, "register {enc} out of range");
    enc
}

fn rw(reg: Writable<Reg>) -> u32 {
    r(reg.to_reg())
}

/// Floating-point data-processing (2 source):
/// `0 0 0 11110 ftype 1 Rm opcode 10 Rn Rd`.
pub fn enc_fpu_rrr(op: FpuOp2, size: FloatSize, rd: u32, rn: u32, rm: u32) -> u32 {
    0x1E20_0800 | size.ftype() << 22 | rm << 16 | op.bits() << 12 | rn << 5 | rd
}

/// Floating-point data-processing (1 source):
/// `0 0 0 11110 ftype 1 opcode(6) 10000 Rn Rd`.
pub fn enc_fpu_rr(opcode: u32, size: FloatSize, rd: u32, rn: u32) -> u32 {
    assert!(opcode < 64, "1-source opcode {opcode} out of range");
    0x1E20_4000 | size.ftype() << 22 | opcode << 15 | rn << 5 | rd
}

/// `fcvt`: a 1-source operation whose opcode `0001 ftype'` names the
/// destination precision; `ftype` is the source's.
pub fn enc_fcvt(to: FloatSize, rd: u32, rn: u32) -> u32 {
    let from = match to {
        FloatSize::F32 => FloatSize::F64,
        FloatSize::F64 => FloatSize::F32,
    };
    enc_fpu_rr(0b000100 | to.ftype(), from, rd, rn)
}

/// Floating-point compare: `0 0 0 11110 ftype 1 Rm 00 1000 Rn 00000`.
pub fn enc_fcmp(size: FloatSize, rn: u32, rm: u32) -> u32 {
    0x1E20_2000 | size.ftype() << 22 | rm << 16 | rn << 5
}

/// Floating-point conditional select: `0 0 0 11110 ftype 1 Rm cond 11 Rn Rd`.
pub fn enc_fcsel(size: FloatSize, rd: u32, rn: u32, rm: u32, cond: Cond) -> u32 {
    0x1E20_0C00 | size.ftype() << 22 | rm << 16 | cond.bits() << 12 | rn << 5 | rd
}

/// Conversion between floating-point and integer:
/// `sf 0 0 11110 ftype 1 rmode opcode 000000 Rn Rd`.
pub fn enc_fpu_int_conv(int_size: OperandSize, size: FloatSize, rmode: u32, opcode: u32, rd: u32, rn: u32) -> u32 {
    assert!(rmode < 4 && opcode < 8, "conversion field out of range");
    0x1E20_0000 | int_size.sf() << 31 | size.ftype() << 22 | rmode << 19 | opcode << 16 | rn << 5 | rd
}

/// The integer width whose bits `fmov` moves for a float precision.
pub fn same_width_int(size: FloatSize) -> OperandSize {
    OperandSize::of(size == FloatSize::F64)
}

/// The `size:opc` fields of a float load or store (bits 31..30 and
/// 23..22); the `V` bit is added by [`enc_fpu_ldst`].
pub fn fpu_size_opc(size: FloatSize, load: bool) -> (u32, u32) {
    let size_bits = match size {
        FloatSize::F32 => 2,
        FloatSize::F64 => 3,
    };
    (size_bits, load as u32)
}

/// Encodes the float instructions of `Inst` (with `V` set for loads and
/// stores); writes any address set-up into `buffer` first.
pub fn emit_fp(inst: &Inst, buffer: &mut MachBuffer<Inst>, state: &mut EmitState) -> u32 {
    match inst {
        Inst::FpuRRR { op, size, rd, rn, rm } => enc_fpu_rrr(*op, *size, rw(*rd), r(*rn), r(*rm)),
        Inst::FpuRR { op, size, rd, rn } => enc_fpu_rr(op.bits(), *size, rw(*rd), r(*rn)),
        Inst::FpuCvt { to, rd, rn } => enc_fcvt(*to, rw(*rd), r(*rn)),
        Inst::FpuCmp { size, rn, rm } => enc_fcmp(*size, r(*rn), r(*rm)),
        Inst::FpuCSel { size, cond, rd, rn, rm } => enc_fcsel(*size, rw(*rd), r(*rn), r(*rm), *cond),
        Inst::IntToFpu { signed, int_size, size, rd, rn } => {
            let opcode = if *signed { 0b010 } else { 0b011 };
            enc_fpu_int_conv(*int_size, *size, 0b00, opcode, rw(*rd), r(*rn))
        }
        Inst::FpuToInt { signed, int_size, size, rd, rn } => {
            let opcode = if *signed { 0b000 } else { 0b001 };
            enc_fpu_int_conv(*int_size, *size, 0b11, opcode, rw(*rd), r(*rn))
        }
        Inst::MovToFpu { size, rd, rn } => enc_fpu_int_conv(same_width_int(*size), *size, 0, 0b111, rw(*rd), r(*rn)),
        Inst::MovFromFpu { size, rd, rn } => enc_fpu_int_conv(same_width_int(*size), *size, 0, 0b110, rw(*rd), r(*rn)),
        Inst::FpuLoad { size, rd, mem } => {
            let mem = resolve_amode(buffer, state, mem, size.bytes());
            enc_ldst(fpu_size_opc(*size, true), rw(*rd), &mem) | 1 << 26
        }
        Inst::FpuStore { size, rt, mem } => {
            let mem = resolve_amode(buffer, state, mem, size.bytes());
            enc_ldst(fpu_size_opc(*size, false), r(*rt), &mem) | 1 << 26
        }
        other => panic!("not a float instruction: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::aarch64::inst::args_fp::FpuOp1;

    #[test]
    fn one_source_opcodes_fit_their_field() {
        for op in FpuOp1::ALL {
            assert!(op.bits() < 64);
        }
        // fmov d0, d1
        assert_eq!(enc_fpu_rr(FpuOp1::Mov.bits(), FloatSize::F64, 0, 1), 0x1E60_4020);
    }
}
