//! Lifting the integer data-processing words: the immediate group (add/sub,
//! logical, move-wide, bitfield, extract) and the register group
//! (shifted/extended add/sub, shifted logical, 1-, 2- and 3-source,
//! conditional select and compare).
//!
//! Part of the AArch64 lifter ([`super`]). Each function reads one encoding
//! class of the Arm ARM, the class `emit.rs` builds with the encoder named
//! in its comment, and answers the `Inst` that emits the same word.

use super::{bit, bits, cond, rd, reason, rm, rn, sf, x, xw};
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::*;

type Lifted = Result<Inst, &'static str>;

/// Data processing (immediate): `op0` = bits 25..23.
pub(super) fn immediate(word: u32) -> Lifted {
    match bits(word, 25, 23) {
        0b000 | 0b001 => Err(reason::PC_ADDRESS),
        0b010 => Ok(arith_imm12(word)),
        0b100 => logical_imm(word),
        0b101 => move_wide(word),
        0b110 => bitfield(word),
        0b111 => extract(word),
        // Add/subtract with tags (memory tagging).
        _ => Err(reason::NOT_OURS),
    }
}

/// The add/sub operation of `op:S` (bits 30..29).
fn arith_op(word: u32) -> AluOp {
    [AluOp::Add, AluOp::AddS, AluOp::Sub, AluOp::SubS][bits(word, 30, 29) as usize]
}

/// The logical operation of `opc` (bits 30..29).
fn logical_op(word: u32) -> AluOp {
    [AluOp::And, AluOp::Orr, AluOp::Eor, AluOp::AndS][bits(word, 30, 29) as usize]
}

/// `enc_arith_imm12`: `sf op S 100010 sh imm12 Rn Rd`.
fn arith_imm12(word: u32) -> Inst {
    let imm = Imm12 { bits: bits(word, 21, 10) as u16, shift12: bit(word, 22) };
    Inst::AluRRImm12 { op: arith_op(word), size: sf(word), rd: xw(rd(word)), rn: x(rn(word)), imm }
}

/// `enc_logic_imm`: `sf opc 100100 N immr imms Rn Rd` (`mov rd, #bitmask`
/// is `orr` from the zero register).
fn logical_imm(word: u32) -> Lifted {
    let size = sf(word);
    let (n, immr, imms) = (bit(word, 22), bits(word, 21, 16) as u8, bits(word, 15, 10) as u8);
    let value = ImmLogic::decode(n, immr, imms, size).ok_or(reason::RESERVED)?;
    let imm = ImmLogic { n, immr, imms, value, size };
    Ok(Inst::AluRRImmLogic { op: logical_op(word), size, rd: xw(rd(word)), rn: x(rn(word)), imm })
}

/// `enc_move_wide`: `sf opc 100101 hw imm16 Rd`.
fn move_wide(word: u32) -> Lifted {
    let size = sf(word);
    let shift = bits(word, 22, 21);
    if shift >= size.bits() / 16 {
        return Err(reason::RESERVED);
    }
    let imm = MoveWideConst::new(bits(word, 20, 5) as u16, shift as u8);
    let rd = xw(rd(word));
    match bits(word, 30, 29) {
        0b00 => Ok(Inst::MovWide { op: MoveWideOp::MovN, size, rd, imm }),
        0b10 => Ok(Inst::MovWide { op: MoveWideOp::MovZ, size, rd, imm }),
        0b11 => Ok(Inst::MovK { size, rd, rn: rd.to_reg(), imm }),
        _ => Err(reason::RESERVED),
    }
}

/// `enc_bfm`: `sf opc 100110 N immr imms Rn Rd`, as our shifts and
/// extensions use it: `lsl`/`lsr` (`ubfm`), `asr` (`sbfm`), `uxtb`/`uxth`
/// (32-bit `ubfm #0`), `sxtb`/`sxth`/`sxtw` (`sbfm #0`).
fn bitfield(word: u32) -> Lifted {
    let size = sf(word);
    let width = size.bits();
    let (immr, imms) = (bits(word, 21, 16), bits(word, 15, 10));
    if bit(word, 22) != bit(word, 31) || immr >= width || imms >= width {
        return Err(reason::RESERVED);
    }
    let (rd, rn) = (xw(rd(word)), x(rn(word)));
    let shift = |op, amount: u32| Ok(Inst::ShiftImm { op, size, rd, rn, amount: amount as u8 });
    let extend = |signed, from: u32| {
        Ok(Inst::Extend { rd, rn, signed, from_bits: from as u8, to_bits: if signed { width as u8 } else { 32 } })
    };
    match bits(word, 30, 29) {
        // ubfm
        0b10 if imms == width - 1 => shift(ShiftOp::Lsr, immr),
        0b10 if imms + 1 == immr => shift(ShiftOp::Lsl, width - immr),
        0b10 if immr == 0 && width == 32 && matches!(imms, 7 | 15) => extend(false, imms + 1),
        // sbfm
        0b00 if imms == width - 1 => shift(ShiftOp::Asr, immr),
        0b00 if immr == 0 && (imms == 7 || imms == 15 || (imms == 31 && width == 64)) => extend(true, imms + 1),
        // bfm (bfi, bfxil) and other extracts (ubfx, sbfiz, ...).
        0b00..=0b10 => Err(reason::NOT_OURS),
        _ => Err(reason::RESERVED),
    }
}

/// `enc_extr`: `sf 00 100111 N 0 Rm imms Rn Rd`; ours is `ror` (`Rn` = `Rm`).
fn extract(word: u32) -> Lifted {
    let size = sf(word);
    let lsb = bits(word, 15, 10);
    if bits(word, 30, 29) != 0 || bit(word, 21) || bit(word, 22) != bit(word, 31) || lsb >= size.bits() {
        return Err(reason::RESERVED);
    }
    if rn(word) != rm(word) {
        return Err(reason::NOT_OURS);
    }
    Ok(Inst::ShiftImm { op: ShiftOp::Ror, size, rd: xw(rd(word)), rn: x(rn(word)), amount: lsb as u8 })
}

/// Data processing (register): `op0` = bit 30, `op1` = bit 28, `op2` =
/// bits 24..21.
pub(super) fn register(word: u32) -> Lifted {
    let op2 = bits(word, 24, 21);
    match (bit(word, 28), op2) {
        (false, 0b0000..=0b0111) => logical_shifted(word),
        (false, _) if op2 & 1 == 0 => arith_shifted(word),
        (false, _) => arith_extended(word),
        (true, 0b0010) if bit(word, 11) => cond_compare_imm(word),
        (true, 0b0100) => cond_select(word),
        (true, 0b0110) if bit(word, 30) => one_source(word),
        (true, 0b0110) => two_source(word),
        (true, 0b1000..=0b1111) => three_source(word),
        // Add/sub with carry, flag manipulation, conditional compare
        // (register).
        _ => Err(reason::NOT_OURS),
    }
}

/// A shifted-register operand: the `shift` (bits 23..22) and `imm6`
/// (bits 15..10), checked against the width.
fn shifted_operand(word: u32, size: OperandSize) -> Result<(ShiftOp, u8), &'static str> {
    let amount = bits(word, 15, 10);
    if amount >= size.bits() {
        return Err(reason::RESERVED);
    }
    Ok((ShiftOp::ALL[bits(word, 23, 22) as usize], amount as u8))
}

/// `enc_alu_shift` (logical): `sf opc 01010 shift N Rm imm6 Rn Rd`; `N` = 1
/// (`bic`, `orn`, `eon`, `bics`) is not ours.
fn logical_shifted(word: u32) -> Lifted {
    if bit(word, 21) {
        return Err(reason::NOT_OURS);
    }
    let (op, size) = (logical_op(word), sf(word));
    let (shift, amount) = shifted_operand(word, size)?;
    let (rd, rn, rm) = (xw(rd(word)), x(rn(word)), x(rm(word)));
    Ok(match (op, shift, amount) {
        (AluOp::Orr, ShiftOp::Lsl, 0) if rn.hw_enc() == 31 => Inst::Mov { size, rd, rm },
        (_, ShiftOp::Lsl, 0) => Inst::AluRRR { op, size, rd, rn, rm },
        _ => Inst::AluRRRShift { op, size, rd, rn, rm, shift, amount },
    })
}

/// `enc_alu_shift` (add/sub): `sf op S 01011 shift 0 Rm imm6 Rn Rd`.
fn arith_shifted(word: u32) -> Lifted {
    let (op, size) = (arith_op(word), sf(word));
    let (shift, amount) = shifted_operand(word, size)?;
    if shift == ShiftOp::Ror {
        return Err(reason::RESERVED);
    }
    let (rd, rn, rm) = (xw(rd(word)), x(rn(word)), x(rm(word)));
    Ok(match (shift, amount) {
        (ShiftOp::Lsl, 0) => Inst::AluRRR { op, size, rd, rn, rm },
        _ => Inst::AluRRRShift { op, size, rd, rn, rm, shift, amount },
    })
}

/// `enc_arith_extend`: `sf op S 01011 00 1 Rm option imm3 Rn Rd`.
fn arith_extended(word: u32) -> Lifted {
    let shift = bits(word, 12, 10);
    if bits(word, 23, 22) != 0 || shift > 4 {
        return Err(reason::RESERVED);
    }
    let extend = ExtendOp::ALL[bits(word, 15, 13) as usize];
    let (op, size) = (arith_op(word), sf(word));
    Ok(Inst::AluRRRExtend { op, size, rd: xw(rd(word)), rn: x(rn(word)), rm: x(rm(word)), extend, shift: shift as u8 })
}

/// `enc_ccmp_imm`: `sf 1 1 11010010 imm5 cond 1 0 Rn 0 nzcv`; `ccmn` is not
/// ours.
fn cond_compare_imm(word: u32) -> Lifted {
    if !bit(word, 29) || bit(word, 10) || bit(word, 4) {
        return Err(reason::RESERVED);
    }
    if !bit(word, 30) {
        return Err(reason::NOT_OURS);
    }
    let (imm, nzcv) = (bits(word, 20, 16) as u8, bits(word, 3, 0) as u8);
    Ok(Inst::CCmpImm { size: sf(word), rn: x(rn(word)), imm, nzcv, cond: cond(bits(word, 15, 12)) })
}

/// `enc_csel`: `sf op S 11010100 Rm cond op2 Rn Rd`: `csel`, and `csinc rd,
/// zr, zr, cond` (`cset rd, !cond`, for a condition with an opposite).
fn cond_select(word: u32) -> Lifted {
    if bit(word, 29) || bit(word, 11) {
        return Err(reason::RESERVED);
    }
    let (size, rd, code) = (sf(word), xw(rd(word)), bits(word, 15, 12));
    match (bit(word, 30), bit(word, 10)) {
        (false, false) => Ok(Inst::CSel { size, cond: cond(code), rd, rn: x(rn(word)), rm: x(rm(word)) }),
        (false, true) if rn(word) == 31 && rm(word) == 31 && code < 14 => {
            Ok(Inst::CSet { size, cond: cond(code).invert(), rd })
        }
        // csinc of registers (cinc), csinv (csetm), csneg (cneg).
        _ => Err(reason::NOT_OURS),
    }
}

/// `enc_two_source`: `sf 0 0 11010110 Rm opcode Rn Rd`.
fn two_source(word: u32) -> Lifted {
    let op = match (bit(word, 29), bits(word, 15, 10)) {
        (false, 0b000010) => AluOp::UDiv,
        (false, 0b000011) => AluOp::SDiv,
        (false, 0b001000) => AluOp::Lslv,
        (false, 0b001001) => AluOp::Lsrv,
        (false, 0b001010) => AluOp::Asrv,
        (false, 0b001011) => AluOp::Rorv,
        // crc32*, pacga, subp, irg, gmi, ...
        _ => return Err(reason::NOT_OURS),
    };
    Ok(Inst::AluRRR { op, size: sf(word), rd: xw(rd(word)), rn: x(rn(word)), rm: x(rm(word)) })
}

/// `enc_one_source`: `sf 1 0 11010110 00000 opcode Rn Rd`.
fn one_source(word: u32) -> Lifted {
    let op = match (bit(word, 29), bits(word, 20, 16), bits(word, 15, 10)) {
        (false, 0, 0b000000) => BitOp::Rbit,
        (false, 0, 0b000100) => BitOp::Clz,
        // rev16, rev32, rev, cls, ctz, cnt, abs, pac*/aut* (opcode2 = 1).
        _ => return Err(reason::NOT_OURS),
    };
    Ok(Inst::BitRR { op, size: sf(word), rd: xw(rd(word)), rn: x(rn(word)) })
}

/// `enc_three_source`: `sf 00 11011 000 Rm o0 Ra Rn Rd` (`madd`, `msub`).
fn three_source(word: u32) -> Lifted {
    if bits(word, 30, 29) != 0 {
        return Err(reason::RESERVED);
    }
    if bits(word, 23, 21) != 0 {
        // smaddl, umaddl, smulh, umulh, ...
        return Err(reason::NOT_OURS);
    }
    let op = if bit(word, 15) { AluOp3::MSub } else { AluOp3::MAdd };
    let ra = x(bits(word, 14, 10));
    Ok(Inst::AluRRRR { op, size: sf(word), rd: xw(rd(word)), rn: x(rn(word)), rm: x(rm(word)), ra })
}
