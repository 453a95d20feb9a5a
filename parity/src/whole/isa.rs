//! The two ISAs of the whole-function parity check behind one trait: how
//! to step through Cranelift's code, lift an instruction into one of ours,
//! re-encode it, and compare the bytes.
//!
//! Part of `whole` (the framework in `mod.rs` is generic over
//! [`WholeIsa`]): x86-64 steps with iced-x86 and lifts with
//! `oracle::x64::lift`; AArch64 steps with yaxpeax-arm and lifts with
//! `oracle::aarch64::lift`. Our bytes come from the encoder oracle's
//! check (`check_case_quick`), so a re-encoding that does not mean the
//! lifted instruction is reported as well.

use super::compare;
use oracle::{Lifted, Mismatch};
use yaxpeax_arch::Decoder as _;
use yaxpeax_arm::armv8::a64::{InstDecoder, Opcode, Operand, SIMDSizeCode, SizeCode};

/// A PC-relative reference to data inside the function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataRef {
    /// `len` bytes at `at` (a constant loaded from there).
    Bytes { at: usize, len: usize },
    /// An address taken at `at` whose extent is unknown: a jump table when
    /// an indirect jump precedes it.
    Table { at: usize },
}

/// What stepping over one instruction needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Its length in bytes.
    pub len: usize,
    /// The data it refers to, if any.
    pub data: Option<DataRef>,
    /// Whether it is an indirect jump (a jump table may follow it).
    pub indirect_jump: bool,
}

/// How our bytes compare with Cranelift's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// The same bytes.
    Identical,
    /// Other bytes that decode to the same instruction; why (one line).
    Equivalent(String),
    /// Another instruction.
    Different,
}

/// Our encoding of a lifted case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// The code bytes our emitter produced.
    pub bytes: Vec<u8>,
    /// The encoder oracle's complaint, if our bytes do not mean the case.
    pub complaint: Option<String>,
}

/// One ISA of the whole-function check.
pub trait WholeIsa {
    /// A lifted instruction with its setting.
    type Case: std::fmt::Debug;
    /// The name in reports (`x86_64`, `aarch64`).
    const NAME: &'static str;
    /// The target triple wasmtime compiles for.
    const TRIPLE: &'static str;
    /// Bytes to skip past an undecodable instruction: `Some(4)` on a
    /// fixed-width ISA; `None` gives up on the rest of the function.
    const RESYNC: Option<usize>;
    /// Where the lifter comes from, for the report.
    fn lifter() -> &'static str;
    /// Decodes the instruction at `offset` for stepping; `None` if the
    /// decoder cannot read it.
    fn step(code: &[u8], offset: usize) -> Option<Step>;
    /// Reads the instruction at `offset` as one of ours.
    ///
    /// Invariant (relied on by the sweep's cache): the result depends on
    /// the instruction's bytes only.
    fn lift(code: &[u8], offset: usize) -> Lifted<Self::Case>;
    /// Emits `case` with our emitter and checks it with the encoder oracle.
    fn encode(case: &Self::Case) -> Encoded;
    /// Compares `ours` with Cranelift's `theirs`, both at `address`.
    fn compare(theirs: &[u8], ours: &[u8], address: u64) -> Comparison;
    /// The decoder's text of `bytes` at `address`.
    fn disassemble(bytes: &[u8], address: u64) -> String;
}

/// The bytes of a mismatch report (hex), as the oracle printed them.
fn mismatch_bytes(mismatch: &Mismatch) -> Vec<u8> {
    mismatch.bytes.split_whitespace().filter_map(|b| u8::from_str_radix(b, 16).ok()).collect()
}

/// Turns an encoder-oracle result into our bytes and any complaint; a
/// decoder that does not support the bytes is no complaint.
fn encoded(result: Result<oracle::Checked, Mismatch>) -> Encoded {
    match result {
        Ok(checked) => Encoded { bytes: checked.bytes[..checked.code_len].to_vec(), complaint: None },
        Err(mismatch) if mismatch.is_wrong_encoding() => {
            Encoded { bytes: mismatch_bytes(&mismatch), complaint: Some(mismatch.to_string()) }
        }
        Err(mismatch) => Encoded { bytes: mismatch_bytes(&mismatch), complaint: None },
    }
}

/// x86-64: iced-x86 and `oracle::x64`.
pub struct X64;

impl WholeIsa for X64 {
    type Case = oracle::x64::Case;
    const NAME: &'static str = "x86_64";
    const TRIPLE: &'static str = "x86_64-unknown-linux-gnu";
    const RESYNC: Option<usize> = None;

    fn lifter() -> &'static str {
        "oracle::x64::lift"
    }

    fn step(code: &[u8], offset: usize) -> Option<Step> {
        let inst = compare::decode_x64(code.get(offset..)?, offset as u64)?;
        let data = inst.is_ip_rel_memory_operand().then(|| {
            let at = inst.ip_rel_memory_address() as usize;
            match inst.mnemonic() {
                iced_x86::Mnemonic::Lea => DataRef::Table { at },
                _ => DataRef::Bytes { at, len: inst.memory_size().size().max(1) },
            }
        });
        Some(Step { len: inst.len(), data, indirect_jump: inst.code().is_jmp_near_indirect() })
    }

    fn lift(code: &[u8], offset: usize) -> Lifted<Self::Case> {
        oracle::x64::lift(code, offset)
    }

    fn encode(case: &Self::Case) -> Encoded {
        encoded(oracle::x64::check_case_quick(case))
    }

    fn compare(theirs: &[u8], ours: &[u8], address: u64) -> Comparison {
        compare::compare_x64(theirs, ours, address)
    }

    fn disassemble(bytes: &[u8], address: u64) -> String {
        compare::text_x64(bytes, address)
    }
}

/// AArch64: yaxpeax-arm and `oracle::aarch64`.
pub struct Aarch64;

/// The bytes a literal load of register `operand` reads.
fn literal_size(operand: &Operand) -> usize {
    match operand {
        Operand::Register(SizeCode::W, _) | Operand::SIMDRegister(SIMDSizeCode::S, _) => 4,
        Operand::SIMDRegister(SIMDSizeCode::Q, _) => 16,
        _ => 8,
    }
}

impl WholeIsa for Aarch64 {
    type Case = oracle::aarch64::Case;
    const NAME: &'static str = "aarch64";
    const TRIPLE: &'static str = "aarch64-unknown-linux-gnu";
    const RESYNC: Option<usize> = Some(4);

    fn lifter() -> &'static str {
        "oracle::aarch64::lift"
    }

    fn step(code: &[u8], offset: usize) -> Option<Step> {
        let word = code.get(offset..offset + 4)?;
        let inst = InstDecoder::default().decode(&mut yaxpeax_arch::U8Reader::new(word)).ok()?;
        let target = |delta: i64| (offset as i64).checked_add(delta).and_then(|at| usize::try_from(at).ok());
        let data = match (inst.opcode, &inst.operands[0], &inst.operands[1]) {
            (Opcode::LDR | Opcode::LDRSW, register, Operand::PCOffset(delta)) => target(*delta).map(|at| {
                let len = if inst.opcode == Opcode::LDRSW { 4 } else { literal_size(register) };
                DataRef::Bytes { at, len }
            }),
            (Opcode::ADR, _, Operand::PCOffset(delta)) => target(*delta).map(|at| DataRef::Table { at }),
            _ => None,
        };
        Some(Step { len: 4, data, indirect_jump: inst.opcode == Opcode::BR })
    }

    fn lift(code: &[u8], offset: usize) -> Lifted<Self::Case> {
        oracle::aarch64::lift(code, offset)
    }

    fn encode(case: &Self::Case) -> Encoded {
        encoded(oracle::aarch64::check_case_quick(case))
    }

    fn compare(theirs: &[u8], ours: &[u8], _address: u64) -> Comparison {
        compare::compare_aarch64(theirs, ours)
    }

    fn disassemble(bytes: &[u8], _address: u64) -> String {
        compare::text_aarch64(bytes)
    }
}
