//! AArch64 Cranelift parity: our `Inst` translated to the
//! `cranelift_codegen::isa::aarch64::inst::Inst` with the same meaning,
//! emitted into Cranelift's own `MachBuffer`, and the words compared (then,
//! if they differ, their yaxpeax-arm decodings, through the reasons table).
//!
//! Part of the Cranelift parity oracle ([`crate::cranelift`]):
//!
//! ```text
//! Case ─translate─▶ Cranelift Inst ─emit (Cranelift's MachBuffer)─▶ words ─┐
//!   │  alu.rs: integer ALU, moves, constants, selects, indirect calls        ├─ compare
//!   │  mem.rs: loads, stores, pairs, address computation                     │  (reasons.rs explains
//!   │  fp.rs:  floating point                                                │   equivalent encodings)
//!   └─emit (ours)───────────────────────────────────────────────────▶ words ─┘
//! ```
//!
//! Register 31 is the zero register except where the instruction reads it
//! as `sp` (the base of an address, the base and destination of `add`/`sub`
//! immediates and extended registers). A form without a single-instruction
//! counterpart answers `NoCounterpart` with the reason: a sequence on our
//! side or on Cranelift's, a branch whose words the `MachBuffer` decides, or
//! an operand Cranelift's instruction cannot express.

mod alu;
mod fp;
mod mem;
pub mod reasons;

use super::Parity;
use crate::aarch64::Case;
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::{Cond, OperandSize};
use compiler::isa::aarch64::inst::args_fp::FloatSize;
use compiler::machinst::Reg;
use cranelift_codegen::isa::aarch64::inst as c;
use cranelift_codegen::isa::aarch64::inst::emit::{EmitInfo, EmitState};
use cranelift_codegen::isa::aarch64::settings as aarch64_settings;
use cranelift_codegen::settings;
use cranelift_codegen::{MachBuffer, MachInstEmit};
use cranelift_codegen::{Reg as CReg, Writable};
use std::sync::OnceLock;
use yaxpeax_arm::armv8::a64::Instruction;

/// The reason a submodule gives for a variant the dispatch in [`translate`]
/// never hands it (an internal error: shows up in the golden lists if the
/// dispatch and a submodule ever disagree).
const NOT_DISPATCHED_HERE: &str = "internal: variant handed to the wrong translation module";

fn emit_info() -> &'static EmitInfo {
    static INFO: OnceLock<EmitInfo> = OnceLock::new();
    INFO.get_or_init(|| {
        let flags = settings::Flags::new(settings::builder());
        let isa_flags = aarch64_settings::Flags::new(&flags, &aarch64_settings::builder());
        EmitInfo::new(flags, isa_flags)
    })
}

/// A general register: 31 is the zero register.
fn x(reg: Reg) -> CReg {
    match reg.hw_enc() {
        31 => c::zero_reg(),
        n => c::xreg(n),
    }
}

/// A general register where 31 is `sp`.
fn xsp(reg: Reg) -> CReg {
    match reg.hw_enc() {
        31 => c::stack_reg(),
        n => c::xreg(n),
    }
}

/// A written general register: 31 is the zero register.
fn wx(reg: compiler::machinst::Writable<Reg>) -> Writable<CReg> {
    Writable::from_reg(x(reg.to_reg()))
}

/// A written general register where 31 is `sp`.
fn wxsp(reg: compiler::machinst::Writable<Reg>) -> Writable<CReg> {
    Writable::from_reg(xsp(reg.to_reg()))
}

/// A float register.
fn v(reg: Reg) -> CReg {
    c::vreg(reg.hw_enc())
}

/// A written float register.
fn wv(reg: compiler::machinst::Writable<Reg>) -> Writable<CReg> {
    Writable::from_reg(v(reg.to_reg()))
}

fn size(size: OperandSize) -> c::OperandSize {
    match size {
        OperandSize::Size32 => c::OperandSize::Size32,
        OperandSize::Size64 => c::OperandSize::Size64,
    }
}

fn fsize(size: FloatSize) -> c::ScalarSize {
    match size {
        FloatSize::F32 => c::ScalarSize::Size32,
        FloatSize::F64 => c::ScalarSize::Size64,
    }
}

fn cond(cond: Cond) -> c::Cond {
    match cond {
        Cond::Eq => c::Cond::Eq,
        Cond::Ne => c::Cond::Ne,
        Cond::Hs => c::Cond::Hs,
        Cond::Lo => c::Cond::Lo,
        Cond::Mi => c::Cond::Mi,
        Cond::Pl => c::Cond::Pl,
        Cond::Vs => c::Cond::Vs,
        Cond::Vc => c::Cond::Vc,
        Cond::Hi => c::Cond::Hi,
        Cond::Ls => c::Cond::Ls,
        Cond::Ge => c::Cond::Ge,
        Cond::Lt => c::Cond::Lt,
        Cond::Gt => c::Cond::Gt,
        Cond::Le => c::Cond::Le,
        Cond::Al => c::Cond::Al,
        Cond::Nv => c::Cond::Nv,
    }
}

/// The Cranelift instruction that `case` is, or why there is none.
pub fn translate(case: &Case) -> Result<c::Inst, &'static str> {
    let inst = &case.inst;
    match inst {
        Inst::Args { .. } => Err("emits nothing"),
        Inst::Ret { .. } => Err("epilogue sequence (frame teardown, ldp, ret)"),
        Inst::Jump { .. } | Inst::CondBr { .. } => {
            Err("label branch: its words are decided by the MachBuffer (label resolution, branch simplification)")
        }
        Inst::JmpTable { .. } => Err("sequence: bounds check, adr, table load, add, br, jump table"),
        Inst::Call { .. } => Err("call to a symbol: a relocation, not a self-contained encoding"),
        Inst::TrapIf { .. } => Err("sequence: branch over udf"),
        Inst::Udf { .. } => {
            Err("udf: Cranelift always emits `udf #0xc11f` (trap code in a side table); ours carries the trap code")
        }
        Inst::AluRRR { .. }
        | Inst::AluRRRShift { .. }
        | Inst::AluRRRExtend { .. }
        | Inst::AluRRImm12 { .. }
        | Inst::AluRRImmLogic { .. }
        | Inst::ShiftImm { .. }
        | Inst::AluRRRR { .. }
        | Inst::BitRR { .. }
        | Inst::Extend { .. }
        | Inst::Mov { .. }
        | Inst::MovWide { .. }
        | Inst::MovK { .. }
        | Inst::Imm { .. }
        | Inst::CSel { .. }
        | Inst::CSet { .. }
        | Inst::CCmpImm { .. }
        | Inst::CallInd { .. } => alu::translate(inst),
        Inst::Load { .. }
        | Inst::LoadAddr { .. }
        | Inst::Store { .. }
        | Inst::StoreP64 { .. }
        | Inst::LoadP64 { .. }
        | Inst::FpuLoad { .. }
        | Inst::FpuStore { .. } => mem::translate(inst, &case.frame),
        Inst::FpuRRR { .. }
        | Inst::FpuRR { .. }
        | Inst::FpuCvt { .. }
        | Inst::FpuCmp { .. }
        | Inst::FpuCSel { .. }
        | Inst::IntToFpu { .. }
        | Inst::FpuToInt { .. }
        | Inst::MovToFpu { .. }
        | Inst::MovFromFpu { .. } => fp::translate(inst),
    }
}

/// Cranelift's bytes for `case`.
pub fn encode_theirs(case: &Case) -> Result<Vec<u8>, &'static str> {
    let inst = translate(case)?;
    let mut buffer = MachBuffer::<c::Inst>::new();
    inst.emit(&mut buffer, emit_info(), &mut EmitState::default());
    let finished = buffer.finish(&Default::default(), &mut Default::default());
    Ok(finished.data().to_vec())
}

/// Our bytes for `case` (its code, as the encoder oracle emits it).
pub fn encode_ours(case: &Case) -> Vec<u8> {
    super::code_bytes(&crate::aarch64::check_case_quick(case))
}

/// Compares our encoding of `case` with Cranelift's.
pub fn compare(case: &Case) -> Parity {
    compare_bytes(case, &encode_ours(case))
}

/// Compares `ours` (our bytes for `case`, or a mutation of them) with
/// Cranelift's encoding.
pub fn compare_bytes(case: &Case, ours: &[u8]) -> Parity {
    let theirs = match encode_theirs(case) {
        Ok(bytes) => bytes,
        Err(why) => return Parity::NoCounterpart(why),
    };
    if ours == theirs.as_slice() {
        return Parity::Identical;
    }
    let (a, b) = (decode_one(ours), decode_one(&theirs));
    match (&a, &b) {
        (Some(x), Some(y)) if reasons::shape(x) == reasons::shape(y) => {
            Parity::Equivalent { ours: ours.to_vec(), theirs, reason: reasons::reason(x, y) }
        }
        _ => {
            let text = |d: &Option<Instruction>, bytes: &[u8]| match d {
                Some(inst) => inst.to_string(),
                None => format!("not one instruction: {bytes:02x?}"),
            };
            let (our_text, their_text) = (text(&a, ours), text(&b, &theirs));
            Parity::Different { ours: ours.to_vec(), theirs, our_text, their_text }
        }
    }
}

/// The one instruction `bytes` decode to.
fn decode_one(bytes: &[u8]) -> Option<Instruction> {
    use yaxpeax_arch::Decoder;
    if bytes.len() != 4 {
        return None;
    }
    let decoder = yaxpeax_arm::armv8::a64::InstDecoder::default();
    decoder.decode(&mut yaxpeax_arch::U8Reader::new(bytes)).ok()
}
