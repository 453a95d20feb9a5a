//! The AArch64 reasons table: why our words and Cranelift's can differ for
//! the same instruction, and the decoded shape that folds those choices
//! away.
//!
//! Part of the Cranelift parity oracle ([`super`]): when the words differ,
//! both are decoded with yaxpeax-arm and compared by [`shape`]. Equal
//! shapes are `Equivalent`, with the rule of [`REASONS`] that explains the
//! difference ([`reason`]); a difference no rule explains gets
//! [`UNEXPLAINED`], which the tests reject. Each rule is one alternative
//! encoding of the same operation on the same operands:
//!
//! - an address both the scaled 12-bit form (`ldr`/`str`) and the unscaled
//!   9-bit form (`ldur`/`stur`) can express: both decode to the same memory
//!   operand, so only the opcode is folded (`ldur` → `ldr`, ...);
//! - the bits of a float register moved to a general register with `fmov`
//!   or with `umov` of lane 0 of the same width: `umov` is folded into
//!   `fmov`.

use crate::cranelift::UNEXPLAINED;
use yaxpeax_arm::armv8::a64::{Instruction, Opcode, Operand, SIMDSizeCode, SizeCode};

/// Every rule of the reasons table.
pub const REASONS: &[&str] = &[REASON_UNSCALED_OFFSET, REASON_UMOV_FOR_FMOV];

/// `ldr`/`str` with a scaled unsigned 12-bit offset against
/// `ldur`/`stur` with the same byte offset.
pub const REASON_UNSCALED_OFFSET: &str = "same address in two offset forms: the scaled unsigned 12-bit form (ldr/str) on \
     one side, the unscaled 9-bit form (ldur/stur) on the other (Cranelift's mem_finalize tries the 9-bit form first)";

/// `fmov wd, sn` / `fmov xd, dn` against `umov wd, vn.s[0]` /
/// `umov xd, vn.d[0]`.
pub const REASON_UMOV_FOR_FMOV: &str = "float bits to a general register: fmov wd, sn / xd, dn on one side, umov wd, \
     vn.s[0] / xd, vn.d[0] on the other (Cranelift's MovFromVec): the same bits";

/// The opcode of the scaled form for an unscaled load or store.
fn scaled_opcode(opcode: Opcode) -> Option<Opcode> {
    Some(match opcode {
        Opcode::LDUR => Opcode::LDR,
        Opcode::LDURB => Opcode::LDRB,
        Opcode::LDURH => Opcode::LDRH,
        Opcode::LDURSB => Opcode::LDRSB,
        Opcode::LDURSH => Opcode::LDRSH,
        Opcode::LDURSW => Opcode::LDRSW,
        Opcode::STUR => Opcode::STR,
        Opcode::STURB => Opcode::STRB,
        Opcode::STURH => Opcode::STRH,
        _ => return None,
    })
}

/// `umov` of lane 0 into a register of the lane's width, as the `fmov`
/// that moves the same bits.
fn umov_as_fmov(inst: &Instruction) -> Option<[Operand; 4]> {
    if inst.opcode != Opcode::UMOV {
        return None;
    }
    let (Operand::Register(width, rd), Operand::SIMDRegisterElementsLane(_, rn, lane, 0)) =
        (inst.operands[0], inst.operands[1])
    else {
        return None;
    };
    let fp = match (width, lane) {
        (SizeCode::W, SIMDSizeCode::S) => SIMDSizeCode::S,
        (SizeCode::X, SIMDSizeCode::D) => SIMDSizeCode::D,
        _ => return None,
    };
    Some([Operand::Register(width, rd), Operand::SIMDRegister(fp, rn), Operand::Nothing, Operand::Nothing])
}

/// The decoded structure compared for "same meaning": opcode and operands,
/// with the alternatives of the reasons table folded into one.
pub fn shape(inst: &Instruction) -> (Opcode, [Operand; 4]) {
    if let Some(opcode) = scaled_opcode(inst.opcode) {
        return (opcode, inst.operands);
    }
    if let Some(operands) = umov_as_fmov(inst) {
        return (Opcode::FMOV, operands);
    }
    (inst.opcode, inst.operands)
}

/// Why `ours` and `theirs` (of equal [`shape`]) are encoded differently.
pub fn reason(ours: &Instruction, theirs: &Instruction) -> &'static str {
    let either = |f: &dyn Fn(&Instruction) -> bool| f(ours) != f(theirs);
    if either(&|i| scaled_opcode(i.opcode).is_some()) {
        return REASON_UNSCALED_OFFSET;
    }
    if either(&|i| umov_as_fmov(i).is_some()) {
        return REASON_UMOV_FOR_FMOV;
    }
    UNEXPLAINED
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaxpeax_arch::Decoder;

    fn decode(word: u32) -> Instruction {
        let decoder = yaxpeax_arm::armv8::a64::InstDecoder::default();
        decoder.decode(&mut yaxpeax_arch::U8Reader::new(&word.to_le_bytes())).expect("valid word")
    }

    #[test]
    fn ldr_and_ldur_of_the_same_address_are_explained() {
        // ldr x1, [x2, #8] and ldur x1, [x2, #8].
        let (scaled, unscaled) = (decode(0xF940_0441), decode(0xF840_8041));
        assert_eq!(shape(&scaled), shape(&unscaled));
        assert_eq!(reason(&scaled, &unscaled), REASON_UNSCALED_OFFSET);
        // ldur x1, [x2, #16] is another address.
        assert_ne!(shape(&scaled), shape(&decode(0xF841_0041)));
    }

    #[test]
    fn fmov_and_umov_of_lane_zero_are_explained() {
        // fmov w0, s1 and umov w0, v1.s[0]; fmov x0, d1 and umov x0, v1.d[0].
        for (fmov, umov) in [(0x1E26_0020, 0x0E04_3C20), (0x9E66_0020, 0x4E08_3C20)] {
            let (fmov, umov) = (decode(fmov), decode(umov));
            assert_eq!(shape(&fmov), shape(&umov), "{fmov} / {umov}");
            assert_eq!(reason(&fmov, &umov), REASON_UMOV_FOR_FMOV);
        }
        // umov w0, v1.s[1] is another lane.
        assert_ne!(shape(&decode(0x1E26_0020)), shape(&decode(0x0E0C_3C20)));
    }

    #[test]
    fn identical_structure_without_a_rule_is_unexplained() {
        let add = decode(0x8B02_0020); // add x0, x1, x2
        assert_eq!(reason(&add, &add), UNEXPLAINED);
    }
}
