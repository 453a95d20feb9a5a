//! Lifting the control-flow words: `b`, `bl`, `b.cond`, `cbz`/`cbnz`,
//! `blr`, and `udf`; the rest of the branch/exception/system group is
//! classified.
//!
//! Part of the AArch64 lifter ([`super`]). A PC-relative target becomes a
//! label bound relative to the instruction: `LabelAt::Before(n)` for `n`
//! bytes back, `Start` for the instruction itself, `Past(n)` for `n` bytes
//! after its end. A conditional branch's not-taken label is bound at `End`,
//! where our buffer drops the `b not_taken` of `CondBr` and keeps the
//! single `b.cond`/`cbz`/`cbnz`.

use super::{LiftResult, bit, bits, cond, reason, rn, sf, signed_bits, x};
use crate::aarch64::Case;
use crate::common::LabelAt;
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::CondBrKind;
use compiler::machinst::MachLabel;
use compiler::runtime::TrapCode;
use regalloc2::PRegSet;

/// Where a label `delta` bytes from the instruction's address is bound.
fn label_at(delta: i64) -> Result<LabelAt, &'static str> {
    match delta {
        0 => Ok(LabelAt::Start),
        4 => Err(reason::BRANCH_TO_NEXT),
        d if d < 0 => Ok(LabelAt::Before(u32::try_from(-d).map_err(|_| reason::RESERVED)?)),
        d => Ok(LabelAt::Past(u32::try_from(d - 4).map_err(|_| reason::RESERVED)?)),
    }
}

/// `udf #imm16` (the reserved group with bits 31..16 clear): ours carry a
/// trap code's number. The rest of the group is SME (bit 31) or
/// unallocated.
pub(super) fn udf(word: u32) -> LiftResult {
    if bit(word, 31) {
        return Err(reason::SIMD);
    }
    if bits(word, 30, 16) != 0 {
        return Err(reason::RESERVED);
    }
    let code = u8::try_from(word).ok().and_then(TrapCode::from_u8).ok_or(reason::TRAP_CODE)?;
    Ok(Case::new(Inst::Udf { code }))
}

/// Branches, exception generation and system instructions (`op0` = 101x).
pub(super) fn branch(word: u32) -> LiftResult {
    if word & 0x7C00_0000 == 0x1400_0000 {
        return branch_imm26(word);
    }
    if word & 0x7E00_0000 == 0x3400_0000 {
        // cbz/cbnz: sf 011010 op imm19 Rt
        let (reg, size) = (x(bits(word, 4, 0)), sf(word));
        let kind = if bit(word, 24) { CondBrKind::NotZero(reg, size) } else { CondBrKind::Zero(reg, size) };
        return cond_branch(kind, signed_bits(word, 23, 5) * 4);
    }
    if word & 0x7E00_0000 == 0x3600_0000 {
        return Err(reason::TEST_BRANCH);
    }
    if word & 0xFF00_0000 == 0x5400_0000 {
        // b.cond: 01010100 imm19 o0 cond; o0 = 1 is `bc.cond`.
        if bit(word, 4) {
            return Err(reason::NOT_OURS);
        }
        let code = bits(word, 3, 0);
        if code >= 14 {
            return Err(reason::ALWAYS);
        }
        return cond_branch(CondBrKind::Cond(cond(code)), signed_bits(word, 23, 5) * 4);
    }
    if word & 0xFE00_0000 == 0xD600_0000 {
        return branch_register(word);
    }
    if word & 0xFFE0_001F == 0xD420_0000 {
        return Err(reason::BRK);
    }
    // Other exception generation, system instructions, hints, barriers.
    Err(reason::SYSTEM)
}

/// `b`/`bl` (`enc_jump26`): `op 00101 imm26`.
fn branch_imm26(word: u32) -> LiftResult {
    let delta = signed_bits(word, 25, 0) * 4;
    if bit(word, 31) {
        // Our `Call` is `bl .` with a relocation to its symbol: a linked
        // `bl` lifts to it, and its offset differs only by that relocation
        // (as a linked `call rel32` does on x86-64).
        return Ok(Case::new(Inst::Call { symbol: 0, uses: vec![], defs: vec![], clobbers: PRegSet::empty() }));
    }
    let target = label_at(delta)?;
    Ok(Case::new(Inst::Jump { target: MachLabel(0) }).with_labels(&[target]))
}

/// `CondBr { kind, taken: 0, not_taken: 1 }` with `taken` `delta` bytes
/// away and `not_taken` right after the instruction (`enc_cbr`). A branch
/// to the next instruction is `CondBr` with both targets one label there:
/// the buffer drops the `b` and keeps the conditional branch.
fn cond_branch(kind: CondBrKind, delta: i64) -> LiftResult {
    if delta == 4 {
        let inst = Inst::CondBr { kind, taken: MachLabel(0), not_taken: MachLabel(0) };
        return Ok(Case::new(inst).with_labels(&[LabelAt::End]));
    }
    let taken = label_at(delta)?;
    let inst = Inst::CondBr { kind, taken: MachLabel(0), not_taken: MachLabel(1) };
    Ok(Case::new(inst).with_labels(&[taken, LabelAt::End]))
}

/// Unconditional branch (register), `enc_branch_reg`: `1101011 opc 11111
/// op3 Rn op4`; ours are `blr` (`CallInd`), and `br`/`ret` only inside
/// sequences.
fn branch_register(word: u32) -> LiftResult {
    if bits(word, 20, 16) != 0b11111 {
        return Err(reason::RESERVED);
    }
    if bits(word, 15, 10) != 0 || bits(word, 4, 0) != 0 {
        // braa, blraa, retaa, ... (and their zero-modifier forms).
        return Err(reason::POINTER_AUTH);
    }
    match bits(word, 24, 21) {
        0b0001 => {
            let target = x(rn(word));
            Ok(Case::new(Inst::CallInd { target, uses: vec![], defs: vec![], clobbers: PRegSet::empty() }))
        }
        0b0000 | 0b0010 => Err(reason::SEQUENCE_ONLY),
        // eret, drps.
        _ => Err(reason::SYSTEM),
    }
}
