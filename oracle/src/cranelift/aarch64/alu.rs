//! Integer forms of the AArch64 Cranelift translation: register, shifted,
//! extended and immediate ALU operations, shifts by immediate, multiply-add,
//! bit operations, extensions, moves and single-instruction constants,
//! conditional selects and compares, and the indirect call.
//!
//! Part of the Cranelift parity oracle ([`super`]): each of our `Inst`
//! variants here becomes the one Cranelift `Inst` that encodes the same
//! instruction; where Cranelift's instruction cannot express an operand
//! (a shift on an extended register, a 32-bit select), the reason says so.

use super::{NOT_DISPATCHED_HERE, cond, size, wx, wxsp, x, xsp};
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::{AluOp, AluOp3, BitOp, ExtendOp, MoveWideOp, OperandSize, ShiftOp};
use compiler::isa::aarch64::inst::emit::imm_sequence;
use cranelift_codegen::CallInfo;
use cranelift_codegen::ir::types::{I32, I64};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::isa::aarch64::inst as c;

fn alu_op(op: AluOp) -> c::ALUOp {
    match op {
        AluOp::Add => c::ALUOp::Add,
        AluOp::AddS => c::ALUOp::AddS,
        AluOp::Sub => c::ALUOp::Sub,
        AluOp::SubS => c::ALUOp::SubS,
        AluOp::And => c::ALUOp::And,
        AluOp::AndS => c::ALUOp::AndS,
        AluOp::Orr => c::ALUOp::Orr,
        AluOp::Eor => c::ALUOp::Eor,
        AluOp::Lslv => c::ALUOp::Lsl,
        AluOp::Lsrv => c::ALUOp::Lsr,
        AluOp::Asrv => c::ALUOp::Asr,
        // Cranelift's `rotr` lowering: `AluRRR` with `Extr` encodes `rorv`.
        AluOp::Rorv => c::ALUOp::Extr,
        AluOp::UDiv => c::ALUOp::UDiv,
        AluOp::SDiv => c::ALUOp::SDiv,
    }
}

fn shift_op(op: ShiftOp) -> c::ShiftOp {
    match op {
        ShiftOp::Lsl => c::ShiftOp::LSL,
        ShiftOp::Lsr => c::ShiftOp::LSR,
        ShiftOp::Asr => c::ShiftOp::ASR,
        ShiftOp::Ror => c::ShiftOp::ROR,
    }
}

fn extend_op(op: ExtendOp) -> c::ExtendOp {
    match op {
        ExtendOp::Uxtb => c::ExtendOp::UXTB,
        ExtendOp::Uxth => c::ExtendOp::UXTH,
        ExtendOp::Uxtw => c::ExtendOp::UXTW,
        ExtendOp::Uxtx => c::ExtendOp::UXTX,
        ExtendOp::Sxtb => c::ExtendOp::SXTB,
        ExtendOp::Sxth => c::ExtendOp::SXTH,
        ExtendOp::Sxtw => c::ExtendOp::SXTW,
        ExtendOp::Sxtx => c::ExtendOp::SXTX,
    }
}

fn int_type(size: OperandSize) -> cranelift_codegen::ir::Type {
    match size {
        OperandSize::Size32 => I32,
        OperandSize::Size64 => I64,
    }
}

/// The Cranelift instruction for one of the integer variants.
pub(super) fn translate(inst: &Inst) -> Result<c::Inst, &'static str> {
    Ok(match inst {
        Inst::AluRRR { op, size: s, rd, rn, rm } => {
            c::Inst::AluRRR { alu_op: alu_op(*op), size: size(*s), rd: wx(*rd), rn: x(*rn), rm: x(*rm) }
        }
        Inst::AluRRRShift { op, size: s, rd, rn, rm, shift, amount } => {
            let amount = c::ShiftOpShiftImm::maybe_from_shift(u64::from(*amount))
                .ok_or("shift amount beyond Cranelift's 6-bit field")?;
            c::Inst::AluRRRShift {
                alu_op: alu_op(*op),
                size: size(*s),
                rd: wx(*rd),
                rn: x(*rn),
                rm: x(*rm),
                shiftop: c::ShiftOpAndAmt::new(shift_op(*shift), amount),
            }
        }
        Inst::AluRRRExtend { shift, .. } if *shift > 0 => {
            return Err("extended register with a left shift: Cranelift's AluRRRExtend has no shift amount");
        }
        Inst::AluRRRExtend { op, size: s, rd, rn, rm, extend, .. } => {
            // `rd` is `sp` for add/sub, the zero register for adds/subs.
            let rd = if op.sets_flags() { wx(*rd) } else { wxsp(*rd) };
            c::Inst::AluRRRExtend {
                alu_op: alu_op(*op),
                size: size(*s),
                rd,
                rn: xsp(*rn),
                rm: x(*rm),
                extendop: extend_op(*extend),
            }
        }
        Inst::AluRRImm12 { op, size: s, rd, rn, imm } => {
            let rd = if op.sets_flags() { wx(*rd) } else { wxsp(*rd) };
            c::Inst::AluRRImm12 {
                alu_op: alu_op(*op),
                size: size(*s),
                rd,
                rn: xsp(*rn),
                imm12: c::Imm12 { bits: imm.bits, shift12: imm.shift12 },
            }
        }
        Inst::AluRRImmLogic { op, size: s, rd, rn, imm } => {
            // Cranelift computes its own `N:immr:imms` from the value.
            let imml = c::ImmLogic::maybe_from_u64(imm.value, int_type(*s))
                .ok_or("value is not a logical immediate for Cranelift")?;
            let rd = if op.sets_flags() { wx(*rd) } else { wxsp(*rd) };
            c::Inst::AluRRImmLogic { alu_op: alu_op(*op), size: size(*s), rd, rn: x(*rn), imml }
        }
        Inst::ShiftImm { op, size: s, rd, rn, amount } => {
            let alu_op = match op {
                ShiftOp::Lsl => c::ALUOp::Lsl,
                ShiftOp::Lsr => c::ALUOp::Lsr,
                ShiftOp::Asr => c::ALUOp::Asr,
                // `ror #n` is `extr rd, rn, rn, #n`: Cranelift's `AluRRImmShift` with `Extr`.
                ShiftOp::Ror => c::ALUOp::Extr,
            };
            let immshift = c::ImmShift::maybe_from_u64(u64::from(*amount)).ok_or("shift amount beyond 63")?;
            c::Inst::AluRRImmShift { alu_op, size: size(*s), rd: wx(*rd), rn: x(*rn), immshift }
        }
        Inst::AluRRRR { op, size: s, rd, rn, rm, ra } => c::Inst::AluRRRR {
            alu_op: match op {
                AluOp3::MAdd => c::ALUOp3::MAdd,
                AluOp3::MSub => c::ALUOp3::MSub,
            },
            size: size(*s),
            rd: wx(*rd),
            rn: x(*rn),
            rm: x(*rm),
            ra: x(*ra),
        },
        Inst::BitRR { op, size: s, rd, rn } => c::Inst::BitRR {
            op: match op {
                BitOp::Rbit => c::BitOp::RBit,
                BitOp::Clz => c::BitOp::Clz,
            },
            size: size(*s),
            rd: wx(*rd),
            rn: x(*rn),
        },
        Inst::Extend { rd, signed: false, from_bits: 32, .. } if rd.to_reg().hw_enc() == 31 => {
            return Err("32-to-64 zero extension into register 31: Cranelift's 32-bit Mov never writes it (asserts)");
        }
        Inst::Extend { rd, rn, signed, from_bits, to_bits } => {
            c::Inst::Extend { rd: wx(*rd), rn: x(*rn), signed: *signed, from_bits: *from_bits, to_bits: *to_bits }
        }
        Inst::Mov { size: OperandSize::Size32, rd, .. } if rd.to_reg().hw_enc() == 31 => {
            return Err("32-bit mov to register 31: Cranelift's Mov never writes it (asserts)");
        }
        Inst::Mov { size: s, rd, rm } => c::Inst::Mov { size: size(*s), rd: wx(*rd), rm: x(*rm) },
        Inst::MovWide { op, size: s, rd, imm } => c::Inst::MovWide {
            op: match op {
                MoveWideOp::MovZ => c::MoveWideOp::MovZ,
                MoveWideOp::MovN => c::MoveWideOp::MovN,
            },
            rd: wx(*rd),
            imm: c::MoveWideConst { bits: imm.bits, shift: imm.shift },
            size: size(*s),
        },
        Inst::MovK { size: s, rd, rn, imm } => c::Inst::MovK {
            rd: wx(*rd),
            rn: x(*rn),
            imm: c::MoveWideConst { bits: imm.bits, shift: imm.shift },
            size: size(*s),
        },
        Inst::Imm { size: OperandSize::Size32, .. } => {
            return Err(
                "32-bit constant: Cranelift's public Inst::load_constant builds 64-bit instructions only (its \
                        32-bit iconst lowering, load_constant_full, is internal to ISLE)",
            );
        }
        Inst::Imm { size: OperandSize::Size64, value, rd } => {
            // Cranelift's public constant materializer (`Inst::load_constant`,
            // which its emission uses for scratch constants): a counterpart
            // when both sides need one instruction (movz, movn or orr).
            let ours = imm_sequence(OperandSize::Size64, *value, *rd).len();
            let mut theirs = c::Inst::load_constant(wx(*rd), *value).into_iter();
            match (ours, theirs.next(), theirs.next()) {
                (1, Some(inst), None) => inst,
                _ => return Err("sequence: movz/movn + movk"),
            }
        }
        Inst::CSel { size: OperandSize::Size64, cond: cc, rd, rn, rm } => {
            c::Inst::CSel { rd: wx(*rd), cond: cond(*cc), rn: x(*rn), rm: x(*rm) }
        }
        Inst::CSet { size: OperandSize::Size64, cond: cc, rd } => c::Inst::CSet { rd: wx(*rd), cond: cond(*cc) },
        Inst::CSel { .. } | Inst::CSet { .. } => {
            return Err("32-bit csel/cset: Cranelift only has the 64-bit form");
        }
        Inst::CCmpImm { size: s, rn, imm, nzcv, cond: cc } => c::Inst::CCmpImm {
            size: size(*s),
            rn: x(*rn),
            imm: c::UImm5::maybe_from_u8(*imm).ok_or("ccmp immediate beyond 5 bits")?,
            nzcv: c::NZCV::new(nzcv & 8 != 0, nzcv & 4 != 0, nzcv & 2 != 0, nzcv & 1 != 0),
            cond: cond(*cc),
        },
        Inst::CallInd { target, .. } => {
            // No uses, defs or stack returns: the call emits `blr` alone.
            c::Inst::CallInd { info: Box::new(CallInfo::empty(x(*target), CallConv::SystemV)) }
        }
        _ => return Err(NOT_DISPATCHED_HERE),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use compiler::isa::aarch64::inst::regs::{writable, xreg};

    #[test]
    fn rotate_forms_map_to_cranelifts_extr() {
        let rorv = Inst::AluRRR {
            op: AluOp::Rorv,
            size: OperandSize::Size64,
            rd: writable(xreg(0)),
            rn: xreg(1),
            rm: xreg(2),
        };
        assert!(matches!(translate(&rorv), Ok(c::Inst::AluRRR { alu_op: c::ALUOp::Extr, .. })));
        let ror = Inst::ShiftImm {
            op: ShiftOp::Ror,
            size: OperandSize::Size32,
            rd: writable(xreg(0)),
            rn: xreg(1),
            amount: 31,
        };
        assert!(matches!(translate(&ror), Ok(c::Inst::AluRRImmShift { alu_op: c::ALUOp::Extr, .. })));
    }
}
