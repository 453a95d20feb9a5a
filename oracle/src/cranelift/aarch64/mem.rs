//! Memory forms of the AArch64 Cranelift translation: single-register
//! loads and stores (integer and float) in every addressing form, register
//! pairs, and address computation (`LoadAddr`).
//!
//! Part of the Cranelift parity oracle ([`super`]). Each of our addresses
//! maps to the Cranelift `AMode` that names the same address:
//!
//! ```text
//! ours                                   Cranelift
//! RegOffset { rn, offset }            ─▶ RegOffset { rn, off }        (both resolve at emission)
//! Frame(Outgoing|StackSlot|Spill)     ─▶ SPOffset { off }             (offset from FrameLayout::resolve)
//! Frame(IncomingArg)                  ─▶ FPOffset { off }             (x29 + 16 + offset)
//! UnsignedOffset / Unscaled           ─▶ UnsignedOffset / Unscaled
//! PreIndexed / PostIndexed (sp)       ─▶ SPPreIndexed / SPPostIndexed (sp only in Cranelift)
//! RegExtended uxtx / uxtx scaled      ─▶ RegReg / RegScaled
//! RegExtended uxtw|sxtw|sxtx (scaled) ─▶ RegExtended / RegScaledExtended
//! ```
//!
//! A resolved offset that fits neither the scaled 12-bit nor the 9-bit form
//! is a sequence on both sides (the offset in a scratch register first):
//! no counterpart. Where both forms fit, Cranelift picks the 9-bit one and
//! we the scaled one; the reasons table explains that equivalence.

use super::{NOT_DISPATCHED_HERE, wv, wx, wxsp, x, xsp};
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::{AMode, ExtendOp, FrameOffset, Imm12, LoadOp, PairAMode, StoreOp};
use compiler::isa::aarch64::inst::args_fp::FloatSize;
use compiler::isa::aarch64::inst::emit::FrameLayout;
use cranelift_codegen::ir::MemFlagsData;
use cranelift_codegen::ir::Type;
use cranelift_codegen::ir::types::{F32, F64, I8, I16, I32, I64};
use cranelift_codegen::isa::aarch64::inst as c;

/// Why a resolved offset has no single-instruction counterpart.
const LARGE_OFFSET: &str = "sequence: an offset beyond the scaled 12-bit and 9-bit forms goes through a scratch \
                            register first (ours x17, Cranelift x16)";
const WRITEBACK_NOT_SP: &str = "write-back (pre/post-indexed) with a base other than sp: Cranelift's write-back \
                                addressing modes are sp-only";

/// The Cranelift instruction for one of the memory variants.
pub(super) fn translate(inst: &Inst, frame: &FrameLayout) -> Result<c::Inst, &'static str> {
    // No trap code: the access is the whole instruction.
    let flags = MemFlagsData::trusted();
    Ok(match inst {
        Inst::Load { op, rd, mem } => {
            let rd = wx(*rd);
            match op {
                LoadOp::Ldrb => c::Inst::ULoad8 { rd, mem: amode(mem, frame, I8)?, flags },
                LoadOp::Ldrh => c::Inst::ULoad16 { rd, mem: amode(mem, frame, I16)?, flags },
                LoadOp::LdrW => c::Inst::ULoad32 { rd, mem: amode(mem, frame, I32)?, flags },
                LoadOp::LdrX => c::Inst::ULoad64 { rd, mem: amode(mem, frame, I64)?, flags },
                LoadOp::LdrsbX => c::Inst::SLoad8 { rd, mem: amode(mem, frame, I8)?, flags },
                LoadOp::LdrshX => c::Inst::SLoad16 { rd, mem: amode(mem, frame, I16)?, flags },
                LoadOp::Ldrsw => c::Inst::SLoad32 { rd, mem: amode(mem, frame, I32)?, flags },
                LoadOp::LdrsbW | LoadOp::LdrshW => {
                    return Err("ldrsb/ldrsh into a w register: Cranelift's sign-extending loads always write x");
                }
            }
        }
        Inst::Store { op, rt, mem } => {
            let rd = x(*rt);
            match op {
                StoreOp::Strb => c::Inst::Store8 { rd, mem: amode(mem, frame, I8)?, flags },
                StoreOp::Strh => c::Inst::Store16 { rd, mem: amode(mem, frame, I16)?, flags },
                StoreOp::StrW => c::Inst::Store32 { rd, mem: amode(mem, frame, I32)?, flags },
                StoreOp::StrX => c::Inst::Store64 { rd, mem: amode(mem, frame, I64)?, flags },
            }
        }
        Inst::FpuLoad { size: FloatSize::F32, rd, mem } => {
            c::Inst::FpuLoad32 { rd: wv(*rd), mem: amode(mem, frame, F32)?, flags }
        }
        Inst::FpuLoad { size: FloatSize::F64, rd, mem } => {
            c::Inst::FpuLoad64 { rd: wv(*rd), mem: amode(mem, frame, F64)?, flags }
        }
        Inst::FpuStore { size: FloatSize::F32, rt, mem } => {
            c::Inst::FpuStore32 { rd: super::v(*rt), mem: amode(mem, frame, F32)?, flags }
        }
        Inst::FpuStore { size: FloatSize::F64, rt, mem } => {
            c::Inst::FpuStore64 { rd: super::v(*rt), mem: amode(mem, frame, F64)?, flags }
        }
        Inst::StoreP64 { rt, rt2, mem } => c::Inst::StoreP64 { rt: x(*rt), rt2: x(*rt2), mem: pair_amode(mem)?, flags },
        Inst::LoadP64 { rt, rt2, mem } => c::Inst::LoadP64 { rt: wx(*rt), rt2: wx(*rt2), mem: pair_amode(mem)?, flags },
        Inst::LoadAddr { rd, mem } => load_addr(*rd, mem, frame)?,
        _ => return Err(NOT_DISPATCHED_HERE),
    })
}

/// Whether Cranelift's `mem_finalize` turns `offset` into one access (the
/// 9-bit unscaled or the scaled 12-bit form of `ty`); ours does exactly
/// then too.
fn single_access(offset: i64, ty: Type) -> Result<(), &'static str> {
    let fits = c::SImm9::maybe_from_i64(offset).is_some() || c::UImm12Scaled::maybe_from_i64(offset, ty).is_some();
    if fits { Ok(()) } else { Err(LARGE_OFFSET) }
}

/// The Cranelift pseudo-address of a frame location: `sp`- or
/// `x29`-relative with the offset our frame layout gives it.
fn frame_amode(location: FrameOffset, frame: &FrameLayout) -> (c::AMode, i64) {
    let (_, off) = frame.resolve(location);
    match location {
        FrameOffset::IncomingArg(_) => (c::AMode::FPOffset { off }, off),
        FrameOffset::Outgoing(_) | FrameOffset::StackSlot(_) | FrameOffset::Spill(_) => {
            (c::AMode::SPOffset { off }, off)
        }
    }
}

/// The Cranelift address of `mem` for an access of type `ty`.
fn amode(mem: &AMode, frame: &FrameLayout, ty: Type) -> Result<c::AMode, &'static str> {
    Ok(match *mem {
        AMode::RegOffset { rn, offset } => {
            single_access(offset, ty)?;
            c::AMode::RegOffset { rn: xsp(rn), off: offset }
        }
        AMode::Frame(location) => {
            let (amode, offset) = frame_amode(location, frame);
            single_access(offset, ty)?;
            amode
        }
        AMode::UnsignedOffset { rn, offset } => c::AMode::UnsignedOffset {
            rn: xsp(rn),
            uimm12: c::UImm12Scaled::maybe_from_i64(i64::from(offset), ty)
                .ok_or("offset not a scaled 12-bit value of the access size")?,
        },
        AMode::Unscaled { rn, offset } => c::AMode::Unscaled { rn: xsp(rn), simm9: simm9(offset)? },
        AMode::PreIndexed { rn, offset } if rn.hw_enc() == 31 => c::AMode::SPPreIndexed { simm9: simm9(offset)? },
        AMode::PostIndexed { rn, offset } if rn.hw_enc() == 31 => c::AMode::SPPostIndexed { simm9: simm9(offset)? },
        AMode::PreIndexed { .. } | AMode::PostIndexed { .. } => return Err(WRITEBACK_NOT_SP),
        AMode::RegExtended { rn, rm, extend, scaled } => {
            let (rn, rm) = (xsp(rn), x(rm));
            let extendop = match extend {
                ExtendOp::Uxtx => None,
                ExtendOp::Uxtw => Some(c::ExtendOp::UXTW),
                ExtendOp::Sxtw => Some(c::ExtendOp::SXTW),
                ExtendOp::Sxtx => Some(c::ExtendOp::SXTX),
                _ => return Err("not an address extension (our emitter rejects it)"),
            };
            match (extendop, scaled) {
                (None, false) => c::AMode::RegReg { rn, rm },
                (None, true) => c::AMode::RegScaled { rn, rm },
                (Some(extendop), false) => c::AMode::RegExtended { rn, rm, extendop },
                (Some(extendop), true) => c::AMode::RegScaledExtended { rn, rm, extendop },
            }
        }
    })
}

fn simm9(offset: i16) -> Result<c::SImm9, &'static str> {
    c::SImm9::maybe_from_i64(i64::from(offset)).ok_or("offset not a signed 9-bit value")
}

/// The Cranelift address of a register-pair access.
fn pair_amode(mem: &PairAMode) -> Result<c::PairAMode, &'static str> {
    let simm7 = c::SImm7Scaled::maybe_from_i64(i64::from(mem.offset()), I64)
        .ok_or("pair offset not a scaled signed 7-bit value")?;
    let sp_base = mem.base().hw_enc() == 31;
    Ok(match *mem {
        PairAMode::SignedOffset { rn, .. } => c::PairAMode::SignedOffset { reg: xsp(rn), simm7 },
        PairAMode::PreIndexed { .. } if sp_base => c::PairAMode::SPPreIndexed { simm7 },
        PairAMode::PostIndexed { .. } if sp_base => c::PairAMode::SPPostIndexed { simm7 },
        PairAMode::PreIndexed { .. } | PairAMode::PostIndexed { .. } => return Err(WRITEBACK_NOT_SP),
    })
}

/// `LoadAddr`: ours is one `add`/`sub` immediate when the offset's
/// magnitude is a 12-bit immediate (shifted or not); Cranelift's is one
/// when the offset is −256..=4095 and not 0 (or 0 from `sp`, `add rd, sp,
/// #0`).
fn load_addr(
    rd: compiler::machinst::Writable<compiler::machinst::Reg>,
    mem: &AMode,
    frame: &FrameLayout,
) -> Result<c::Inst, &'static str> {
    let (mem, offset, base_is_sp) = match *mem {
        AMode::RegOffset { rn, offset } => {
            (c::AMode::RegOffset { rn: xsp(rn), off: offset }, offset, rn.hw_enc() == 31)
        }
        AMode::Frame(location) => {
            let (amode, offset) = frame_amode(location, frame);
            let base_is_sp = matches!(amode, c::AMode::SPOffset { .. });
            (amode, offset, base_is_sp)
        }
        _ => return Err("LoadAddr of an address other than RegOffset/Frame (our emitter rejects it)"),
    };
    if Imm12::maybe_from_u64(offset.unsigned_abs()).is_none() {
        return Err("sequence: the offset in a scratch register, then add (ours x17, Cranelift x16)");
    }
    if !(-256..=4095).contains(&offset) {
        return Err("Cranelift's LoadAddr puts offsets outside -256..=4095 in x16 first (sequence); ours is one \
                    add/sub immediate");
    }
    if offset == 0 && !base_is_sp {
        return Err("offset 0 from a register: Cranelift's LoadAddr emits mov (orr) or nothing; ours is add #0");
    }
    Ok(c::Inst::LoadAddr { rd: wxsp(rd), mem })
}
