//! Lifting the load/store words: single registers (general-purpose and
//! `s`/`d` float) in the unsigned-offset, unscaled, pre-/post-indexed and
//! register-offset forms, and `ldp`/`stp` of two `x` registers.
//!
//! Part of the AArch64 lifter ([`super`]). The address becomes the
//! resolved `AMode` of the same form (`UnsignedOffset`, `Unscaled`,
//! `PreIndexed`, `PostIndexed`, `RegExtended`), never `RegOffset` or
//! `Frame`, whose form the emitter picks: so the lifted case emits exactly
//! this addressing form.

use super::{bit, bits, rd, reason, rn, signed_bits, v, vw, x, xw};
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::*;
use compiler::isa::aarch64::inst::args_fp::FloatSize;

type Lifted = Result<Inst, &'static str>;

/// What a single-register load/store moves: the `size`, `V` and `opc`
/// fields.
enum Access {
    Load(LoadOp),
    Store(StoreOp),
    FpuLoad(FloatSize),
    FpuStore(FloatSize),
}

/// Loads and stores (`op0` = x1x0).
pub(super) fn load_store(word: u32) -> Lifted {
    // Bits 29..28 (`op0`) and 24 (high bit of `op2`) pick the class; bit
    // 27 is always set and bit 25 clear in this group, bit 26 is `V`.
    match (bits(word, 29, 27), bits(word, 25, 24)) {
        (0b111, 0b01) => single(word, unsigned_offset(word)),
        (0b111, 0b00) if !bit(word, 21) => single(word, simm9_address(word)?),
        (0b111, 0b00) if bits(word, 11, 10) == 0b10 => single(word, register_offset(word)?),
        // Atomic memory operations (11..10 = 00), `ldraa`/`ldrab` (bit 10).
        (0b111, 0b00) if bits(word, 11, 10) == 0 => Err(reason::ATOMIC),
        (0b111, 0b00) => Err(reason::POINTER_AUTH),
        (0b011, 0b00) => Err(reason::LITERAL),
        (0b101, _) => pair(word),
        // Exclusive, ordered (LRCPC) and compare-and-swap: bit 26 clear;
        // SIMD structure loads/stores: bit 26 set.
        (0b001, _) if bit(word, 26) => Err(reason::SIMD),
        (0b001, _) => Err(reason::ATOMIC),
        // LDAPR/STLR (unscaled), memory tags, memory copy and set.
        _ => Err(reason::NOT_OURS),
    }
}

/// The access of `size` (31..30), `V` (26) and `opc` (23..22).
fn access(word: u32) -> Result<Access, &'static str> {
    let (size, opc) = (bits(word, 31, 30), bits(word, 23, 22));
    if bit(word, 26) {
        let float = match size {
            2 => FloatSize::F32,
            3 => FloatSize::F64,
            // b, h and q registers.
            _ => return Err(reason::SIMD),
        };
        return match opc {
            0 => Ok(Access::FpuStore(float)),
            1 => Ok(Access::FpuLoad(float)),
            _ => Err(reason::RESERVED),
        };
    }
    let load = |op| Ok(Access::Load(op));
    match (size, opc) {
        (_, 0) => Ok(Access::Store(StoreOp::ALL[size as usize])),
        (0, 1) => load(LoadOp::Ldrb),
        (0, 2) => load(LoadOp::LdrsbX),
        (0, 3) => load(LoadOp::LdrsbW),
        (1, 1) => load(LoadOp::Ldrh),
        (1, 2) => load(LoadOp::LdrshX),
        (1, 3) => load(LoadOp::LdrshW),
        (2, 1) => load(LoadOp::LdrW),
        (2, 2) => load(LoadOp::Ldrsw),
        (3, 1) => load(LoadOp::LdrX),
        (3, 2) => Err(reason::PREFETCH),
        _ => Err(reason::RESERVED),
    }
}

/// The instruction for `access` at `mem`; `Rt` is bits 4..0.
fn single(word: u32, mem: AMode) -> Lifted {
    let rt = rd(word);
    Ok(match access(word)? {
        Access::Load(op) => Inst::Load { op, rd: xw(rt), mem },
        Access::Store(op) => Inst::Store { op, rt: x(rt), mem },
        Access::FpuLoad(size) => Inst::FpuLoad { size, rd: vw(rt), mem },
        Access::FpuStore(size) => Inst::FpuStore { size, rt: v(rt), mem },
    })
}

/// `enc_ldst_uimm12`: `size 111 V 01 opc imm12 Rn Rt`, scaled by the
/// access size (`1 << size`).
fn unsigned_offset(word: u32) -> AMode {
    AMode::UnsignedOffset { rn: x(rn(word)), offset: bits(word, 21, 10) << bits(word, 31, 30) }
}

/// `enc_ldst_simm9`: `size 111 V 00 opc 0 imm9 idx Rn Rt`.
fn simm9_address(word: u32) -> Result<AMode, &'static str> {
    let (rn, offset) = (x(rn(word)), signed_bits(word, 20, 12) as i16);
    match bits(word, 11, 10) {
        0b00 => Ok(AMode::Unscaled { rn, offset }),
        0b01 => Ok(AMode::PostIndexed { rn, offset }),
        0b11 => Ok(AMode::PreIndexed { rn, offset }),
        _ => Err(reason::UNPRIVILEGED),
    }
}

/// `enc_ldst_reg`: `size 111 V 00 opc 1 Rm option S 10 Rn Rt`.
fn register_offset(word: u32) -> Result<AMode, &'static str> {
    let extend = match bits(word, 15, 13) {
        0b010 => ExtendOp::Uxtw,
        0b011 => ExtendOp::Uxtx,
        0b110 => ExtendOp::Sxtw,
        0b111 => ExtendOp::Sxtx,
        _ => return Err(reason::RESERVED),
    };
    Ok(AMode::RegExtended { rn: x(rn(word)), rm: x(bits(word, 20, 16)), extend, scaled: bit(word, 12) })
}

/// `enc_ldst_pair`: `10 101 0 mode L imm7 Rt2 Rn Rt` (`x` registers; mode
/// 001 post-indexed, 010 signed offset, 011 pre-indexed).
fn pair(word: u32) -> Lifted {
    if bits(word, 31, 30) != 0b10 || bit(word, 26) || bits(word, 25, 23) == 0 {
        // w pairs, ldpsw, float and vector pairs, ldnp/stnp.
        return Err(reason::PAIR);
    }
    let (rn, offset) = (x(rn(word)), signed_bits(word, 21, 15) as i16 * 8);
    let mem = match bits(word, 25, 23) {
        0b001 => PairAMode::PostIndexed { rn, offset },
        0b010 => PairAMode::SignedOffset { rn, offset },
        0b011 => PairAMode::PreIndexed { rn, offset },
        // stgp and the reserved modes.
        _ => return Err(reason::NOT_OURS),
    };
    let (rt, rt2) = (rd(word), bits(word, 14, 10));
    Ok(if bit(word, 22) {
        Inst::LoadP64 { rt: xw(rt), rt2: xw(rt2), mem }
    } else {
        Inst::StoreP64 { rt: x(rt), rt2: x(rt2), mem }
    })
}
