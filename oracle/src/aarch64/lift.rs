//! Lifting: one AArch64 instruction word of someone else's machine code
//! (Cranelift's, in the whole-function parity check) read back as one of
//! our instructions, or the reason our instruction set cannot express it.
//!
//! Part of the AArch64 oracle, called by the whole-function check in
//! `parity` for each word of Cranelift's `.text`:
//!
//! ```text
//! word ─yaxpeax decode─▶ text, mnemonic (or "invalid encoding")
//!   └──encoding class + fields─▶ Case (Inst + labels) ─check_case_quick─▶ our word == word?
//!                            └─▶ Err("category")
//! ```
//!
//! yaxpeax-arm decides whether the word is an instruction at all and names
//! it; the `Inst` is built from the word's own fields, encoding class by
//! encoding class (the classes of the Arm ARM that `emit.rs` produces),
//! because yaxpeax's operands fold a few encodings together (see
//! `derive::yaxpeax_quirks`) and a lift must give back exactly these bits.
//! Every field is range-checked against what the emitter asserts, so a
//! lifted case never panics when it is emitted.
//!
//! Where several of our variants emit the same word, the one that names the
//! instruction best is chosen: `Mov` for `orr rd, zr, rm`, `AluRRR` for a
//! shifted-register form shifted by `lsl #0`, `Extend` for
//! `uxtb`/`uxth`/`sxtb`/`sxth`/`sxtw`, `ShiftImm` for the `lsl`/`lsr`/`asr`/
//! `ror` aliases of `ubfm`/`sbfm`/`extr`, `CSet` for `csinc rd, zr, zr`,
//! `AluRRImmLogic` for `mov rd, #bitmask`, `MovWide` for `movz`/`movn`.
//! A branch target becomes a label placed relative to the instruction
//! (`LabelAt::Before(n)`, `Start`, `Past(n)`); a conditional branch's
//! not-taken label is bound at `End`, where our buffer drops the `b`.

mod alu;
mod control;
mod float;
mod memory;

use super::check::Case;
use crate::common::Lifted;
use compiler::isa::aarch64::inst::args::{Cond, OperandSize};
use compiler::isa::aarch64::inst::args_fp::FloatSize;
use compiler::isa::aarch64::inst::regs;
use compiler::machinst::{Reg, Writable};
use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv8::a64::{DecodeError, InstDecoder, Instruction, Opcode, Operand, SIMDSizeCode};

/// The reasons a word is not lifted: short categories that reports count.
pub(crate) mod reason {
    /// yaxpeax-arm rejects the word (data in `.text`, or a reserved form).
    pub const INVALID: &str = "invalid encoding";
    /// yaxpeax-arm does not decode the word (SVE and a few recent
    /// extensions): neither ours nor judged.
    pub const UNDECODED: &str = "not decoded by yaxpeax-arm";
    /// yaxpeax-arm decodes a word whose fields this lifter reads as
    /// reserved (a decoder disagreement worth a look).
    pub const RESERVED: &str = "reserved field values";
    /// Advanced SIMD, vector registers, or `b`/`h`/`q` scalar registers.
    pub const SIMD: &str = "SIMD/vector";
    /// Half-precision scalar floating point.
    pub const HALF: &str = "half-precision float";
    /// Exclusive, acquire/release and atomic memory operations.
    pub const ATOMIC: &str = "atomic";
    /// `pac*`/`aut*`, `retaa`, `blraa`, `ldraa`, ...
    pub const POINTER_AUTH: &str = "pointer authentication";
    /// `ldr rt, label`.
    pub const LITERAL: &str = "pc-relative literal load";
    /// `adr`/`adrp`: ours only inside a jump table's sequence.
    pub const PC_ADDRESS: &str = "pc-relative address (adr/adrp)";
    /// `br`/`ret`: ours only inside a sequence (jump table, epilogue).
    pub const SEQUENCE_ONLY: &str = "only inside a sequence of ours";
    /// Hints (`nop`, `bti`, `csdb`, `paciasp` is pointer auth), barriers,
    /// system registers, `svc`/`hvc`/`smc`/`hlt`.
    pub const SYSTEM: &str = "system/hint/barrier";
    /// `brk`: our traps are `udf`.
    pub const BRK: &str = "brk (our traps are udf)";
    /// `udf #imm` with an immediate that is none of our trap codes.
    pub const TRAP_CODE: &str = "udf code not one of ours";
    /// `b` to the next instruction, which our buffer deletes.
    pub const BRANCH_TO_NEXT: &str = "branch to the next instruction";
    /// `b.al`/`b.nv`: our conditional branches take invertible conditions.
    pub const ALWAYS: &str = "condition al/nv";
    /// `tbz`/`tbnz`.
    pub const TEST_BRANCH: &str = "test-bit branch";
    /// `ldp`/`stp` of `w`, float or vector registers, `ldpsw`, `ldnp`.
    pub const PAIR: &str = "pair other than two x registers";
    /// `prfm`/`prfum`.
    pub const PREFETCH: &str = "prefetch";
    /// `ldtr`/`sttr`.
    pub const UNPRIVILEGED: &str = "unprivileged load/store";
    /// A base-ISA or scalar-FP instruction our compiler has no form for
    /// (`bic`, `rev`, `ubfx`, `csneg`, `umulh`, `fmadd`, `fmov #imm`, ...).
    pub const NOT_OURS: &str = "not emitted by our compiler";
}

/// What the class lifters answer.
type LiftResult = Result<Case, &'static str>;

/// Lifts the 4-byte word at `offset` of `code` (little-endian AArch64).
/// `len` is always 4; a word cut short by the end of `code` is an
/// [`reason::INVALID`] one.
pub fn lift(code: &[u8], offset: usize) -> Lifted<Case> {
    let Some(bytes) = offset.checked_add(4).and_then(|end| code.get(offset..end)) else {
        return Lifted { len: 4, text: String::new(), mnemonic: "(truncated)".into(), case: Err(reason::INVALID) };
    };
    let word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    match InstDecoder::default().decode(&mut U8Reader::new(bytes)) {
        Ok(inst) => Lifted {
            len: 4,
            text: inst.to_string(),
            mnemonic: mnemonic(inst.opcode),
            case: lift_word(word).map_err(|why| refine(why, &inst)),
        },
        Err(error) => {
            let (mnemonic, why) = match error {
                DecodeError::IncompleteDecoder => ("(undecoded)", reason::UNDECODED),
                _ => ("(invalid)", reason::INVALID),
            };
            Lifted { len: 4, text: format!(".inst {word:#010x}"), mnemonic: mnemonic.into(), case: Err(why) }
        }
    }
}

/// The grouping name of an opcode: yaxpeax's lowercase name, without the
/// condition of `b.cond` or the option of a barrier.
fn mnemonic(opcode: Opcode) -> String {
    match opcode {
        Opcode::Bcc(_) => "b.cond".into(),
        Opcode::BCcc(_) => "bc.cond".into(),
        Opcode::DMB(_) => "dmb".into(),
        Opcode::DSB(_) => "dsb".into(),
        other => other.to_string(),
    }
}

/// Dispatches on the top-level encoding group (`op0`, bits 28..25).
fn lift_word(word: u32) -> LiftResult {
    match bits(word, 28, 25) {
        0b0000 => control::udf(word),
        0b1000 | 0b1001 => alu::immediate(word).map(Case::new),
        0b1010 | 0b1011 => control::branch(word),
        0b0101 | 0b1101 => alu::register(word).map(Case::new),
        0b0111 | 0b1111 => float::data_processing(word).map(Case::new),
        0b0100 | 0b0110 | 0b1100 | 0b1110 => memory::load_store(word).map(Case::new),
        // SVE, SME and the unallocated groups.
        _ => Err(reason::SIMD),
    }
}

/// A more specific category from what yaxpeax decoded: pointer
/// authentication for any refusal (its hints sit in the system space), and
/// atomics or vector operands for a generic [`reason::NOT_OURS`].
fn refine(why: &'static str, inst: &Instruction) -> &'static str {
    let name = inst.opcode.to_string();
    const POINTER_AUTH: [&str; 13] = [
        "pac", "aut", "xpac", "retaa", "retab", "braa", "brab", "blraa", "blrab", "eretaa", "eretab", "ldraa", "ldrab",
    ];
    const ATOMIC: [&str; 21] = [
        "ldx", "ldax", "stx", "stlx", "ldar", "stlr", "ldlar", "stllr", "ldapr", "ldapur", "stlur", "cas", "swp",
        "ldadd", "ldclr", "ldeor", "ldset", "ldsmax", "ldsmin", "ldumax", "ldumin",
    ];
    if POINTER_AUTH.iter().any(|p| name.starts_with(p)) {
        return reason::POINTER_AUTH;
    }
    if why != reason::NOT_OURS {
        return why;
    }
    if ATOMIC.iter().any(|p| name.starts_with(p)) {
        return reason::ATOMIC;
    }
    let vector = inst.operands.iter().any(|operand| match operand {
        Operand::SIMDRegister(size, _) => !matches!(size, SIMDSizeCode::S | SIMDSizeCode::D),
        Operand::SIMDRegisterElements(..)
        | Operand::SIMDRegisterElementsLane(..)
        | Operand::SIMDRegisterElementsMultipleLane(..)
        | Operand::SIMDRegisterGroup(..)
        | Operand::SIMDRegisterGroupLane(..) => true,
        _ => false,
    });
    if vector { reason::SIMD } else { why }
}

/// Bits `hi..=lo` of `word`.
fn bits(word: u32, hi: u32, lo: u32) -> u32 {
    (word >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Bit `n` of `word`.
fn bit(word: u32, n: u32) -> bool {
    word >> n & 1 == 1
}

/// Bits `hi..=lo` of `word`, sign-extended.
fn signed_bits(word: u32, hi: u32, lo: u32) -> i64 {
    let width = hi - lo + 1;
    let value = bits(word, hi, lo) as i64;
    if value >> (width - 1) & 1 == 1 { value - (1 << width) } else { value }
}

/// General-purpose register number `n` (31 is `sp` or the zero register,
/// as the operand reads it; our `Reg` does not tell them apart).
fn x(n: u32) -> Reg {
    regs::xreg(n as u8)
}

fn xw(n: u32) -> Writable<Reg> {
    regs::writable(x(n))
}

/// Float register `v{n}`.
fn v(n: u32) -> Reg {
    regs::vreg(n as u8)
}

fn vw(n: u32) -> Writable<Reg> {
    regs::writable(v(n))
}

/// `Rd` (bits 4..0).
fn rd(word: u32) -> u32 {
    bits(word, 4, 0)
}

/// `Rn` (bits 9..5).
fn rn(word: u32) -> u32 {
    bits(word, 9, 5)
}

/// `Rm` (bits 20..16).
fn rm(word: u32) -> u32 {
    bits(word, 20, 16)
}

/// The width selected by `sf` (bit 31).
fn sf(word: u32) -> OperandSize {
    OperandSize::of(bit(word, 31))
}

/// The condition with encoding `code` (0–15, `al` and `nv` included).
fn cond(code: u32) -> Cond {
    match code & 15 {
        14 => Cond::Al,
        15 => Cond::Nv,
        code => Cond::ALL.into_iter().find(|c| c.bits() == code).expect("Cond::ALL has codes 0 to 13"),
    }
}

/// The scalar precision of an `ftype` field (bits 23..22); half precision
/// and the reserved value are refused.
fn ftype(word: u32) -> Result<FloatSize, &'static str> {
    match bits(word, 23, 22) {
        0b00 => Ok(FloatSize::F32),
        0b01 => Ok(FloatSize::F64),
        0b11 => Err(reason::HALF),
        _ => Err(reason::RESERVED),
    }
}
