//! AArch64 Cranelift parity: our `Inst` translated to the
//! `cranelift_codegen::isa::aarch64::inst::Inst` with the same meaning,
//! emitted into Cranelift's own `MachBuffer`, and the words compared (then,
//! if they differ, their yaxpeax-arm decodings).
//!
//! Part of the Cranelift parity oracle ([`crate::cranelift`]). Register 31
//! is the zero register except where the instruction reads it as `sp` (the
//! base and destination of `add`/`sub` immediates). The translation covers
//! the register ALU, immediate ALU, multiply-add, bit, move and
//! conditional-select forms and the FP arithmetic ones; the rest answer
//! `NoCounterpart` with the reason (sequences, branches, and forms not yet
//! translated).

use super::{Parity, UNEXPLAINED};
use crate::aarch64::Case;
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::{AluOp, AluOp3, BitOp, Cond, MoveWideOp, OperandSize};
use compiler::isa::aarch64::inst::args_fp::{FloatSize, FpuOp2};
use compiler::machinst::Reg;
use cranelift_codegen::isa::aarch64::inst as c;
use cranelift_codegen::isa::aarch64::inst::emit::{EmitInfo, EmitState};
use cranelift_codegen::isa::aarch64::settings as aarch64_settings;
use cranelift_codegen::settings;
use cranelift_codegen::{MachBuffer, MachInstEmit};
use cranelift_codegen::{Reg as CReg, Writable};
use std::sync::OnceLock;

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

fn wx(reg: Reg) -> Writable<CReg> {
    Writable::from_reg(x(reg))
}

fn v(reg: Reg) -> CReg {
    c::vreg(reg.hw_enc())
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

fn alu_op(op: AluOp) -> Result<c::ALUOp, &'static str> {
    Ok(match op {
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
        AluOp::Rorv => return Err("rorv: Cranelift's ALUOp has no rotate (it lowers rotates with extr or a sequence)"),
        AluOp::UDiv => c::ALUOp::UDiv,
        AluOp::SDiv => c::ALUOp::SDiv,
    })
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

/// Forms the translation does not cover yet.
const NOT_YET: &str = "not yet translated (shifted/extended ALU, logical immediates, shifts by immediate, \
                       extends, loads/stores, FP unary/convert/select/moves)";

/// The Cranelift instruction that `case` is, or why there is none.
pub fn translate(case: &Case) -> Result<c::Inst, &'static str> {
    Ok(match &case.inst {
        Inst::Args { .. } => return Err("emits nothing"),
        Inst::Ret { .. } => return Err("epilogue sequence (frame teardown, ldp, ret)"),
        Inst::Imm { .. } => return Err("sequence: movz/movn + movk, or orr with a logical immediate"),
        Inst::Jump { .. } | Inst::CondBr { .. } => {
            return Err(
                "label branch: its words are decided by the MachBuffer (label resolution, branch simplification)",
            );
        }
        Inst::JmpTable { .. } => return Err("sequence: bounds check, adr, table load, add, br, jump table"),
        Inst::Call { .. } => return Err("call to a symbol: a relocation, not a self-contained encoding"),
        Inst::TrapIf { .. } => return Err("sequence: branch over udf"),
        Inst::AluRRR { op, size: s, rd, rn, rm } => {
            c::Inst::AluRRR { alu_op: alu_op(*op)?, size: size(*s), rd: wx(rd.to_reg()), rn: x(*rn), rm: x(*rm) }
        }
        Inst::AluRRImm12 { op, size: s, rd, rn, imm } => {
            let sets_flags = matches!(op, AluOp::AddS | AluOp::SubS);
            let rd = if sets_flags { x(rd.to_reg()) } else { xsp(rd.to_reg()) };
            c::Inst::AluRRImm12 {
                alu_op: alu_op(*op)?,
                size: size(*s),
                rd: Writable::from_reg(rd),
                rn: xsp(*rn),
                imm12: c::Imm12 { bits: imm.bits, shift12: imm.shift12 },
            }
        }
        Inst::AluRRRR { op, size: s, rd, rn, rm, ra } => c::Inst::AluRRRR {
            alu_op: match op {
                AluOp3::MAdd => c::ALUOp3::MAdd,
                AluOp3::MSub => c::ALUOp3::MSub,
            },
            size: size(*s),
            rd: wx(rd.to_reg()),
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
            rd: wx(rd.to_reg()),
            rn: x(*rn),
        },
        Inst::MovWide { op, size: s, rd, imm } => c::Inst::MovWide {
            op: match op {
                MoveWideOp::MovZ => c::MoveWideOp::MovZ,
                MoveWideOp::MovN => c::MoveWideOp::MovN,
            },
            rd: wx(rd.to_reg()),
            imm: c::MoveWideConst { bits: imm.bits, shift: imm.shift },
            size: size(*s),
        },
        Inst::MovK { size: s, rd, rn, imm } => c::Inst::MovK {
            rd: wx(rd.to_reg()),
            rn: x(*rn),
            imm: c::MoveWideConst { bits: imm.bits, shift: imm.shift },
            size: size(*s),
        },
        Inst::CSel { size: OperandSize::Size64, cond: cc, rd, rn, rm } => {
            c::Inst::CSel { rd: wx(rd.to_reg()), cond: cond(*cc), rn: x(*rn), rm: x(*rm) }
        }
        Inst::CSet { size: OperandSize::Size64, cond: cc, rd } => {
            c::Inst::CSet { rd: wx(rd.to_reg()), cond: cond(*cc) }
        }
        Inst::FpuRRR { op, size: s, rd, rn, rm } => c::Inst::FpuRRR {
            fpu_op: match op {
                FpuOp2::Mul => c::FPUOp2::Mul,
                FpuOp2::Div => c::FPUOp2::Div,
                FpuOp2::Add => c::FPUOp2::Add,
                FpuOp2::Sub => c::FPUOp2::Sub,
                FpuOp2::Max => c::FPUOp2::Max,
                FpuOp2::Min => c::FPUOp2::Min,
            },
            size: fsize(*s),
            rd: Writable::from_reg(v(rd.to_reg())),
            rn: v(*rn),
            rm: v(*rm),
        },
        Inst::FpuCmp { size: s, rn, rm } => c::Inst::FpuCmp { size: fsize(*s), rn: v(*rn), rm: v(*rm) },
        Inst::Udf { .. } => {
            return Err(
                "udf: Cranelift always emits `udf #0xc11f` (trap code in a side table); ours carries the trap code",
            );
        }
        Inst::CSel { .. } | Inst::CSet { .. } => return Err("32-bit csel/cset: Cranelift only has the 64-bit form"),
        _ => return Err(NOT_YET),
    })
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
    match crate::aarch64::check_case_quick(case) {
        Ok(checked) => checked.bytes[..checked.code_len].to_vec(),
        Err(mismatch) => mismatch.bytes.split_whitespace().filter_map(|b| u8::from_str_radix(b, 16).ok()).collect(),
    }
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
        (Some((x, _)), Some((y, _))) if x == y => {
            Parity::Equivalent { ours: ours.to_vec(), theirs, reason: UNEXPLAINED }
        }
        _ => {
            let text = |d: &Option<(yaxpeax_arm::armv8::a64::Instruction, String)>, bytes: &[u8]| match d {
                Some((_, t)) => t.clone(),
                None => format!("not one instruction: {bytes:02x?}"),
            };
            let (our_text, their_text) = (text(&a, ours), text(&b, &theirs));
            Parity::Different { ours: ours.to_vec(), theirs, our_text, their_text }
        }
    }
}

/// The one instruction `bytes` decode to (structure and text).
fn decode_one(bytes: &[u8]) -> Option<(yaxpeax_arm::armv8::a64::Instruction, String)> {
    use yaxpeax_arch::Decoder;
    if bytes.len() != 4 {
        return None;
    }
    let decoder = yaxpeax_arm::armv8::a64::InstDecoder::default();
    let inst = decoder.decode(&mut yaxpeax_arch::U8Reader::new(bytes)).ok()?;
    let text = inst.to_string();
    Some((inst, text))
}
