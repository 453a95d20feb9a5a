//! The second decoder: capstone reads the same bytes as the primary decoder
//! (iced-x86, yaxpeax-arm), and the two readings are compared.
//!
//! Part of the oracles, beside the encoder checks (`x64::check`,
//! `aarch64::check`):
//!
//! ```text
//! Checked bytes ─┬─ primary decoder ─▶ structure ─ normalize ─┐
//!                └─ capstone (detail) ─▶ structure ─ normalize ┴─ compare ─▶ SecondOpinion
//! ```
//!
//! This never decides whether *our* encoding is right (the primary decoder
//! and the derivation do, in `check_case`); it tells where two independent
//! decoders read the same bytes differently, which is worth knowing about
//! either decoder. Each ISA module (`x64::second`, `aarch64::second`)
//! turns both readings into one neutral structure; the differences of
//! naming and of alias choice that are not differences of meaning are
//! normalized there, and each is listed, with its reason, in
//! [`NORMALIZATIONS`].

use std::fmt;

/// How capstone's reading of some bytes compares with the primary
/// decoder's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecondOpinion {
    /// Both decoders read the same instructions, field by field.
    Agree,
    /// The decoders read the bytes differently (not a defect of ours).
    DecodersDisagree(Box<Disagreement>),
    /// Capstone cannot decode the bytes (or the primary decoder cannot, so
    /// there is nothing to compare with).
    Unsupported {
        /// What failed.
        detail: String,
    },
}

impl SecondOpinion {
    /// A disagreement in `field` of instruction `instruction`.
    pub(crate) fn disagree(
        field: &'static str,
        instruction: usize,
        primary: String,
        capstone: String,
        texts: (String, String),
    ) -> SecondOpinion {
        SecondOpinion::DecodersDisagree(Box::new(Disagreement {
            field,
            instruction,
            primary,
            capstone,
            primary_text: texts.0,
            capstone_text: texts.1,
        }))
    }
}

/// Where the two decoders differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    /// Which field: `length`, `instruction count`, `mnemonic`,
    /// `operand count`, `register`, `memory`, `immediate`, `branch target`,
    /// `condition`, `shift/extend` (stable names, for counting).
    pub field: &'static str,
    /// Which machine instruction of the bytes (0-based).
    pub instruction: usize,
    /// The primary decoder's value (normalized).
    pub primary: String,
    /// Capstone's value (normalized).
    pub capstone: String,
    /// The primary decoder's text of the instruction.
    pub primary_text: String,
    /// Capstone's text of the instruction.
    pub capstone_text: String,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "instruction {}: {} differs: primary `{}` has {}, capstone `{}` has {}",
            self.instruction, self.field, self.primary_text, self.primary, self.capstone_text, self.capstone
        )
    }
}

/// One known difference between the decoders that is not a difference of
/// meaning, and how the comparison removes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Normalization {
    /// `x86-64` or `aarch64`.
    pub isa: &'static str,
    /// What capstone reports.
    pub capstone: &'static str,
    /// What the primary decoder reports (the form both are compared in).
    pub primary: &'static str,
    /// Why the two are the same instruction.
    pub reason: &'static str,
}

const fn n(isa: &'static str, capstone: &'static str, primary: &'static str, reason: &'static str) -> Normalization {
    Normalization { isa, capstone, primary, reason }
}

/// Every normalization the comparison applies, in both ISAs.
pub const NORMALIZATIONS: &[Normalization] = &[
    n(
        "x86-64",
        "movabs r64, imm64",
        "mov r64, imm64",
        "capstone names B8+r with REX.W `movabs` (AT&T habit); iced calls it `mov`",
    ),
    n(
        "x86-64",
        "r8b..r15b",
        "R8L..R15L",
        "the low bytes of r8..r15: Intel's manuals say r8b, iced's register enum says R8L",
    ),
    n(
        "x86-64",
        "[rip + disp] (disp relative)",
        "[rip+addr] (address)",
        "iced resolves a RIP-relative displacement to the address; capstone keeps the displacement: compared as next_ip + disp",
    ),
    n(
        "x86-64",
        "lea: memory operand of 8 bytes",
        "lea: memory size none",
        "lea reads no memory; iced gives its operand no size, capstone the address size: not compared",
    ),
    n(
        "x86-64",
        "imm of operand size n",
        "imm as 64 bits",
        "capstone sign- or zero-extends immediates its own way; compared modulo 2^(8n), n = capstone's operand size",
    ),
    n(
        "aarch64",
        "Imm(address) of b, bl, b.cond, cbz, cbnz, adr",
        "PCOffset(delta)",
        "capstone gives the target address; yaxpeax the offset: compared as address = instruction address + offset",
    ),
    n(
        "aarch64",
        "cc in the instruction's detail",
        "ConditionCode operand / Bcc(cond)",
        "capstone keeps the condition apart (cs code = ARM code + 1); compared as a last operand",
    ),
    n("aarch64", "cmp/cmn/tst Rn, op2", "subs/adds/ands zr, Rn, op2", "aliases with the zero register as destination"),
    n("aarch64", "mov Rd, Rm", "orr Rd, zr, Rm", "register move alias (without sp)"),
    n("aarch64", "mov Rd|sp, Rn|sp", "add Rd, Rn, #0", "register move alias with sp"),
    n(
        "aarch64",
        "mov Rd, #imm; movz/movn; orr Rd, zr, #imm",
        "movz, movn, orr Rd, zr, #bitmask",
        "`mov` hides which of the three encodings was used: all are compared by the constant they write",
    ),
    n("aarch64", "neg/negs Rd, Rm{, shift}", "sub/subs Rd, zr, Rm{, shift}", "negate alias"),
    n("aarch64", "mvn Rd, Rm{, shift}", "orn Rd, zr, Rm{, shift}", "bitwise-not alias"),
    n("aarch64", "mul/mneg Rd, Rn, Rm", "madd/msub Rd, Rn, Rm, zr", "multiply aliases with a zero addend"),
    n(
        "aarch64",
        "lsl/lsr/asr Rd, Rn, #s",
        "ubfm/sbfm Rd, Rn, #immr, #imms",
        "shift-by-immediate aliases of the bitfield moves",
    ),
    n("aarch64", "ror Rd, Rn, #s", "extr Rd, Rn, Rn, #s", "rotate alias of extract"),
    n("aarch64", "lsl/lsr/asr/ror Rd, Rn, Rm", "lslv/lsrv/asrv/rorv", "shift-by-register aliases"),
    n(
        "aarch64",
        "sxtb/sxth/sxtw/uxtb/uxth Rd, Wn",
        "sbfm/ubfm Rd, Rn, #0, #7|15|31",
        "extend aliases (the source is read at the destination's width)",
    ),
    n("aarch64", "ubfx/sbfx/ubfiz/sbfiz/bfi/bfxil", "ubfm/sbfm/bfm", "bitfield extract/insert aliases"),
    n("aarch64", "cset/csetm Rd, cc", "csinc/csinv Rd, zr, zr, !cc", "conditional-set aliases (inverted condition)"),
    n(
        "aarch64",
        "cinc/cinv/cneg Rd, Rn, cc",
        "csinc/csinv/csneg Rd, Rn, Rn, !cc",
        "conditional-increment aliases (inverted condition)",
    ),
    n("aarch64", "ret", "ret x30", "capstone omits the default link register"),
    n(
        "aarch64",
        "[Xn], #imm with writeback; [Xn, #imm]! with writeback",
        "RegPostIndex / RegPreIndex",
        "capstone puts a post-index offset in an extra operand",
    ),
    n(
        "aarch64",
        "lsl #0, uxtx/sxtx on a 64-bit read, uxtw/sxtw on a 32-bit operation",
        "no shift / lsl",
        "a shift by 0 and an extension from the operation's own width change nothing: compared as no modifier (an extension that does change the value is compared as is)",
    ),
    n("aarch64", "x29/x30 named fp/lr", "register 29/30", "register naming"),
];
