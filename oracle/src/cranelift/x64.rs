//! x86-64 Cranelift parity: our `Inst` translated to the one
//! `cranelift-assembler-x64` instruction Cranelift would emit for it, both
//! encoded, and the bytes compared (then, if they differ, their iced-x86
//! decodings).
//!
//! Part of the Cranelift parity oracle ([`crate::cranelift`]). The
//! translation picks what Cranelift's own lowering picks (`inst.isle`,
//! `Inst::imm`): `op r, r/m` for register and memory ALU sources,
//! `op r/m, simm8` when the immediate fits, `shl r/m, 1` for a shift by one,
//! `mov r32, imm32` / `mov r/m64, simm32` / `movabs` for immediates.
//! Frame operands are resolved with the emitter's own `resolve`; RIP-relative
//! displacements are patched to the label's place, as the `MachBuffer` does.

use super::{Parity, UNEXPLAINED};
use crate::common::LabelAt;
use crate::x64::Case;
use compiler::isa::x64::inst::Inst;
use compiler::isa::x64::inst::args::{
    AluOp, Amode, BitScan, CC, CmpOp, ExtMode, FloatSize, OperandSize, RegMem, RegMemImm, ShiftKind, SseOp, UnaryOp,
};
use compiler::isa::x64::inst::emit::{Mem, resolve};
use compiler::machinst::Reg;
use cranelift_assembler_x64 as asm;
use cranelift_assembler_x64::inst as ci;
use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, OpKind};

/// Registers as plain hardware encodings.
#[derive(Clone, Copy, Debug)]
pub struct Regs;

impl asm::Registers for Regs {
    type ReadGpr = u8;
    type ReadWriteGpr = u8;
    type WriteGpr = u8;
    type ReadXmm = u8;
    type ReadWriteXmm = u8;
    type WriteXmm = u8;
}

/// A Cranelift x86-64 instruction over [`Regs`].
pub type CraneliftInst = asm::Inst<Regs>;
type GprMem = asm::GprMem<u8, u8>;
type XmmMem = asm::XmmMem<u8, u8>;
type AsmAmode = asm::Amode<u8>;

/// A code sink that records the one label use (RIP-relative operand).
#[derive(Default)]
struct Sink {
    bytes: Vec<u8>,
    label_use: Option<(usize, u32)>,
}

impl asm::CodeSink for Sink {
    fn put1(&mut self, v: u8) {
        self.bytes.push(v);
    }
    fn put2(&mut self, v: u16) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    fn put4(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    fn put8(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    fn add_trap(&mut self, _: asm::TrapCode) {}
    fn use_target(&mut self, target: asm::DeferredTarget) {
        if let asm::DeferredTarget::Label(label) = target {
            self.label_use = Some((self.bytes.len(), label.0));
        }
    }
    fn known_offset(&self, offset: asm::KnownOffset) -> i32 {
        panic!("the translation uses no known offsets ({offset})")
    }
}

fn hw(reg: Reg) -> u8 {
    reg.hw_enc()
}

fn trap() -> asm::TrapCode {
    asm::TrapCode(std::num::NonZeroU8::MIN)
}

fn amode(amode: &Amode, case: &Case) -> AsmAmode {
    match resolve(amode, &case.frame) {
        Mem::Base { base, index: None, disp } => asm::Amode::ImmReg {
            base,
            simm32: asm::AmodeOffsetPlusKnownOffset { simm32: asm::AmodeOffset::new(disp), offset: None },
            trap: None,
        },
        Mem::Base { base, index: Some((index, shift)), disp } => asm::Amode::ImmRegRegShift {
            base,
            index: asm::NonRspGpr::new(index),
            scale: asm::Scale::new(shift),
            simm32: asm::AmodeOffset::new(disp),
            trap: None,
        },
        Mem::Rip(label) => asm::Amode::RipRelative { target: asm::DeferredTarget::Label(asm::Label(label.0)) },
    }
}

fn gpr_mem(rm: &RegMem, case: &Case) -> GprMem {
    match rm {
        RegMem::Reg(reg) => GprMem::Gpr(hw(*reg)),
        RegMem::Mem(a) => GprMem::Mem(amode(a, case)),
    }
}

fn xmm_mem(rm: &RegMem, case: &Case) -> XmmMem {
    match rm {
        RegMem::Reg(reg) => XmmMem::Xmm(hw(*reg)),
        RegMem::Mem(a) => XmmMem::Mem(amode(a, case)),
    }
}

/// `$q` for 64-bit operands, `$l` for 32-bit ones (the forms our emitter
/// has at these two sizes only).
macro_rules! lq {
    ($size:expr, $l:ident, $q:ident, $($arg:expr),*) => {
        match $size {
            OperandSize::Size64 => CraneliftInst::from(ci::$q::new($($arg),*)),
            OperandSize::Size32 => CraneliftInst::from(ci::$l::new($($arg),*)),
            _ => return Err("no 8- or 16-bit form in our emitter"),
        }
    };
}

fn setcc(cc: CC, dst: u8) -> CraneliftInst {
    let rm = GprMem::Gpr(dst);
    match cc {
        CC::O => ci::seto_m::new(rm).into(),
        CC::NO => ci::setno_m::new(rm).into(),
        CC::B => ci::setb_m::new(rm).into(),
        CC::NB => ci::setae_m::new(rm).into(),
        CC::Z => ci::sete_m::new(rm).into(),
        CC::NZ => ci::setne_m::new(rm).into(),
        CC::BE => ci::setbe_m::new(rm).into(),
        CC::NBE => ci::seta_m::new(rm).into(),
        CC::S => ci::sets_m::new(rm).into(),
        CC::NS => ci::setns_m::new(rm).into(),
        CC::P => ci::setp_m::new(rm).into(),
        CC::NP => ci::setnp_m::new(rm).into(),
        CC::L => ci::setl_m::new(rm).into(),
        CC::NL => ci::setge_m::new(rm).into(),
        CC::LE => ci::setle_m::new(rm).into(),
        CC::NLE => ci::setg_m::new(rm).into(),
    }
}

fn cmov(cc: CC, is64: bool, dst: u8, src: GprMem) -> CraneliftInst {
    match (cc, is64) {
        (CC::O, false) => ci::cmovol_rm::new(dst, src).into(),
        (CC::O, true) => ci::cmovoq_rm::new(dst, src).into(),
        (CC::NO, false) => ci::cmovnol_rm::new(dst, src).into(),
        (CC::NO, true) => ci::cmovnoq_rm::new(dst, src).into(),
        (CC::B, false) => ci::cmovbl_rm::new(dst, src).into(),
        (CC::B, true) => ci::cmovbq_rm::new(dst, src).into(),
        (CC::NB, false) => ci::cmovael_rm::new(dst, src).into(),
        (CC::NB, true) => ci::cmovaeq_rm::new(dst, src).into(),
        (CC::Z, false) => ci::cmovel_rm::new(dst, src).into(),
        (CC::Z, true) => ci::cmoveq_rm::new(dst, src).into(),
        (CC::NZ, false) => ci::cmovnel_rm::new(dst, src).into(),
        (CC::NZ, true) => ci::cmovneq_rm::new(dst, src).into(),
        (CC::BE, false) => ci::cmovbel_rm::new(dst, src).into(),
        (CC::BE, true) => ci::cmovbeq_rm::new(dst, src).into(),
        (CC::NBE, false) => ci::cmoval_rm::new(dst, src).into(),
        (CC::NBE, true) => ci::cmovaq_rm::new(dst, src).into(),
        (CC::S, false) => ci::cmovsl_rm::new(dst, src).into(),
        (CC::S, true) => ci::cmovsq_rm::new(dst, src).into(),
        (CC::NS, false) => ci::cmovnsl_rm::new(dst, src).into(),
        (CC::NS, true) => ci::cmovnsq_rm::new(dst, src).into(),
        (CC::P, false) => ci::cmovpl_rm::new(dst, src).into(),
        (CC::P, true) => ci::cmovpq_rm::new(dst, src).into(),
        (CC::NP, false) => ci::cmovnpl_rm::new(dst, src).into(),
        (CC::NP, true) => ci::cmovnpq_rm::new(dst, src).into(),
        (CC::L, false) => ci::cmovll_rm::new(dst, src).into(),
        (CC::L, true) => ci::cmovlq_rm::new(dst, src).into(),
        (CC::NL, false) => ci::cmovgel_rm::new(dst, src).into(),
        (CC::NL, true) => ci::cmovgeq_rm::new(dst, src).into(),
        (CC::LE, false) => ci::cmovlel_rm::new(dst, src).into(),
        (CC::LE, true) => ci::cmovleq_rm::new(dst, src).into(),
        (CC::NLE, false) => ci::cmovgl_rm::new(dst, src).into(),
        (CC::NLE, true) => ci::cmovgq_rm::new(dst, src).into(),
    }
}

fn alu(size: OperandSize, op: AluOp, dst: u8, src2: &RegMemImm, case: &Case) -> CraneliftInst {
    macro_rules! ops {
        ($($op:ident => $rl:ident $rq:ident $bl:ident $bq:ident $il:ident $iq:ident),*) => {
            match (op, src2) {
                $(
                    (AluOp::$op, RegMemImm::Reg(_) | RegMemImm::Mem(_)) => {
                        let rm = match src2 {
                            RegMemImm::Reg(r) => GprMem::Gpr(hw(*r)),
                            RegMemImm::Mem(a) => GprMem::Mem(amode(a, case)),
                            RegMemImm::Imm(_) => unreachable!(),
                        };
                        if size == OperandSize::Size64 {
                            ci::$rq::new(dst, rm).into()
                        } else {
                            ci::$rl::new(dst, rm).into()
                        }
                    }
                    (AluOp::$op, RegMemImm::Imm(imm)) => match (i8::try_from(*imm), size) {
                        (Ok(imm8), OperandSize::Size64) => ci::$bq::new(GprMem::Gpr(dst), imm8).into(),
                        (Ok(imm8), _) => ci::$bl::new(GprMem::Gpr(dst), imm8).into(),
                        (Err(_), OperandSize::Size64) => ci::$iq::new(GprMem::Gpr(dst), *imm).into(),
                        (Err(_), _) => ci::$il::new(GprMem::Gpr(dst), *imm as u32).into(),
                    },
                )*
            }
        };
    }
    ops!(
        Add => addl_rm addq_rm addl_mi_sxb addq_mi_sxb addl_mi addq_mi_sxl,
        Or => orl_rm orq_rm orl_mi_sxb orq_mi_sxb orl_mi orq_mi_sxl,
        And => andl_rm andq_rm andl_mi_sxb andq_mi_sxb andl_mi andq_mi_sxl,
        Sub => subl_rm subq_rm subl_mi_sxb subq_mi_sxb subl_mi subq_mi_sxl,
        Xor => xorl_rm xorq_rm xorl_mi_sxb xorq_mi_sxb xorl_mi xorq_mi_sxl
    )
}

fn shift(size: OperandSize, kind: ShiftKind, dst: u8, amount: Option<u8>) -> Result<CraneliftInst, &'static str> {
    let rm = GprMem::Gpr(dst);
    macro_rules! kinds {
        ($($kind:ident => $l1:ident $li:ident $lc:ident $q1:ident $qi:ident $qc:ident),*) => {
            match kind {
                $(
                    ShiftKind::$kind => match amount {
                        Some(1) => lq!(size, $l1, $q1, rm),
                        Some(n) => lq!(size, $li, $qi, rm, n),
                        None => lq!(size, $lc, $qc, rm, 1u8),
                    },
                )*
            }
        };
    }
    Ok(kinds!(
        Rol => roll_m1 roll_mi roll_mc rolq_m1 rolq_mi rolq_mc,
        Ror => rorl_m1 rorl_mi rorl_mc rorq_m1 rorq_mi rorq_mc,
        Shl => shll_m1 shll_mi shll_mc shlq_m1 shlq_mi shlq_mc,
        Shr => shrl_m1 shrl_mi shrl_mc shrq_m1 shrq_mi shrq_mc,
        Sar => sarl_m1 sarl_mi sarl_mc sarq_m1 sarq_mi sarq_mc
    ))
}

fn cmp(size: OperandSize, op: CmpOp, src1: u8, src2: &RegMemImm, case: &Case) -> Result<CraneliftInst, &'static str> {
    Ok(match (op, src2) {
        (CmpOp::Cmp, RegMemImm::Reg(r)) => lq!(size, cmpl_rm, cmpq_rm, src1, GprMem::Gpr(hw(*r))),
        (CmpOp::Cmp, RegMemImm::Mem(a)) => lq!(size, cmpl_rm, cmpq_rm, src1, GprMem::Mem(amode(a, case))),
        (CmpOp::Cmp, RegMemImm::Imm(imm)) => match i8::try_from(*imm) {
            Ok(imm8) => lq!(size, cmpl_mi_sxb, cmpq_mi_sxb, GprMem::Gpr(src1), imm8),
            Err(_) if size == OperandSize::Size64 => ci::cmpq_mi::new(GprMem::Gpr(src1), *imm).into(),
            Err(_) => ci::cmpl_mi::new(GprMem::Gpr(src1), *imm as u32).into(),
        },
        (CmpOp::Test, RegMemImm::Reg(r)) => lq!(size, testl_mr, testq_mr, GprMem::Gpr(src1), hw(*r)),
        (CmpOp::Test, RegMemImm::Mem(a)) => lq!(size, testl_mr, testq_mr, GprMem::Mem(amode(a, case)), src1),
        (CmpOp::Test, RegMemImm::Imm(imm)) if size == OperandSize::Size64 => {
            ci::testq_mi::new(GprMem::Gpr(src1), *imm).into()
        }
        (CmpOp::Test, RegMemImm::Imm(imm)) => ci::testl_mi::new(GprMem::Gpr(src1), *imm as u32).into(),
    })
}

fn movx(signed: bool, mode: ExtMode, dst: u8, src: GprMem) -> CraneliftInst {
    match (signed, mode) {
        (false, ExtMode::BL) => ci::movzbl_rm::new(dst, src).into(),
        (false, ExtMode::BQ) => ci::movzbq_rm::new(dst, src).into(),
        (false, ExtMode::WL) => ci::movzwl_rm::new(dst, src).into(),
        (false, ExtMode::WQ) => ci::movzwq_rm::new(dst, src).into(),
        (false, ExtMode::LQ) => ci::movl_rm::new(dst, src).into(),
        (true, ExtMode::BL) => ci::movsbl_rm::new(dst, src).into(),
        (true, ExtMode::BQ) => ci::movsbq_rm::new(dst, src).into(),
        (true, ExtMode::WL) => ci::movswl_rm::new(dst, src).into(),
        (true, ExtMode::WQ) => ci::movswq_rm::new(dst, src).into(),
        (true, ExtMode::LQ) => ci::movslq_rm::new(dst, src).into(),
    }
}

fn sse(size: FloatSize, op: SseOp, dst: u8, src2: XmmMem) -> CraneliftInst {
    let f64 = size == FloatSize::F64;
    macro_rules! pick {
        ($s:ident, $d:ident) => {
            if f64 { ci::$d::new(dst, src2).into() } else { ci::$s::new(dst, src2).into() }
        };
    }
    match op {
        SseOp::Add => pick!(addss_a, addsd_a),
        SseOp::Sub => pick!(subss_a, subsd_a),
        SseOp::Mul => pick!(mulss_a, mulsd_a),
        SseOp::Div => pick!(divss_a, divsd_a),
        SseOp::Min => pick!(minss_a, minsd_a),
        SseOp::Max => pick!(maxss_a, maxsd_a),
        SseOp::And => pick!(andps_a, andpd_a),
        SseOp::AndNot => pick!(andnps_a, andnpd_a),
        SseOp::Or => pick!(orps_a, orpd_a),
        SseOp::Xor => pick!(xorps_a, xorpd_a),
    }
}

/// The one Cranelift instruction that `case` is, or why there is none.
pub fn translate(case: &Case) -> Result<CraneliftInst, &'static str> {
    use OperandSize::*;
    let f64 = |size: &FloatSize| *size == FloatSize::F64;
    Ok(match &case.inst {
        Inst::Args { .. } => return Err("emits nothing"),
        Inst::Ret { .. } => return Err("epilogue sequence (frame teardown, pops, ret)"),
        Inst::CheckedSRem { .. } => return Err("sequence: cmp/jne/xor/jmp/cdq/idiv"),
        Inst::Jmp { .. } | Inst::JmpCond { .. } => {
            return Err(
                "label branch: its bytes are decided by the MachBuffer (label resolution, branch simplification)",
            );
        }
        Inst::JmpTable { .. } => return Err("sequence: bounds check, lea, table load, add, indirect jmp, jump table"),
        Inst::CallKnown { .. } => return Err("call to a symbol: a relocation, not a self-contained encoding"),
        Inst::TrapIf { .. } => return Err("sequence: j!cc over ud2"),
        Inst::XmmCmove { .. } => return Err("sequence: j!cc over movaps"),
        Inst::XmmMinMax { .. } => return Err("sequence: Wasm min/max with NaN and signed-zero handling"),
        Inst::CvtFloatToSint { .. } | Inst::CvtFloatToUint { .. } | Inst::CvtUint64ToFloat { .. } => {
            return Err("sequence: checked Wasm conversion");
        }
        Inst::AluRmiR { size, op, dst, src2, .. } => {
            if !matches!(size, Size32 | Size64) {
                return Err("no 8- or 16-bit form in our emitter");
            }
            alu(*size, *op, hw(dst.to_reg()), src2, case)
        }
        Inst::Imul { size, src2, dst, .. } => lq!(size, imull_rm, imulq_rm, hw(dst.to_reg()), gpr_mem(src2, case)),
        Inst::Unary { size, op, dst, .. } => match op {
            UnaryOp::Neg => lq!(size, negl_m, negq_m, GprMem::Gpr(hw(dst.to_reg()))),
            UnaryOp::Not => lq!(size, notl_m, notq_m, GprMem::Gpr(hw(dst.to_reg()))),
        },
        Inst::BitScan { size, op, src, dst } => match op {
            BitScan::Bsr => lq!(size, bsrl_rm, bsrq_rm, hw(dst.to_reg()), gpr_mem(src, case)),
            BitScan::Bsf => lq!(size, bsfl_rm, bsfq_rm, hw(dst.to_reg()), gpr_mem(src, case)),
        },
        Inst::Shift { size, kind, amount, dst, .. } => shift(*size, *kind, hw(dst.to_reg()), *amount)?,
        Inst::Div { size, signed, divisor, .. } => {
            let rm = GprMem::Gpr(hw(*divisor));
            if *signed {
                lq!(size, idivl_m, idivq_m, 0u8, 2u8, rm, trap())
            } else {
                lq!(size, divl_m, divq_m, 0u8, 2u8, rm, trap())
            }
        }
        Inst::SignExtendData { size, .. } => lq!(size, cltd_zo, cqto_zo, 2u8, 0u8),
        Inst::MovRR { size, src, dst } => lq!(size, movl_mr, movq_mr, GprMem::Gpr(hw(dst.to_reg())), hw(*src)),
        Inst::Imm { size, value, dst } => {
            let dst = hw(dst.to_reg());
            match (size, u32::try_from(*value), i32::try_from(*value as i64)) {
                (Size64, Ok(imm32), _) => ci::movl_oi::new(dst, imm32).into(),
                (Size64, Err(_), Ok(simm32)) => ci::movq_mi_sxl::new(GprMem::Gpr(dst), simm32).into(),
                (Size64, Err(_), Err(_)) => ci::movabsq_oi::new(dst, *value).into(),
                _ => ci::movl_oi::new(dst, *value as u32).into(),
            }
        }
        Inst::MovzxRmR { mode, src, dst } => movx(false, *mode, hw(dst.to_reg()), gpr_mem(src, case)),
        Inst::MovsxRmR { mode, src, dst } => movx(true, *mode, hw(dst.to_reg()), gpr_mem(src, case)),
        Inst::Mov64MR { src, dst } => ci::movq_rm::new(hw(dst.to_reg()), GprMem::Mem(amode(src, case))).into(),
        Inst::MovRM { size, src, dst } => {
            let (m, r) = (GprMem::Mem(amode(dst, case)), hw(*src));
            match size {
                Size8 => ci::movb_mr::new(m, r).into(),
                Size16 => ci::movw_mr::new(m, r).into(),
                Size32 => ci::movl_mr::new(m, r).into(),
                Size64 => ci::movq_mr::new(m, r).into(),
            }
        }
        Inst::Lea { addr, dst } => ci::leaq_rm::new(hw(dst.to_reg()), amode(addr, case)).into(),
        Inst::Cmp { size, op, src1, src2 } => cmp(*size, *op, hw(*src1), src2, case)?,
        Inst::Setcc { cc, dst } => setcc(*cc, hw(dst.to_reg())),
        Inst::Cmove { size, cc, consequent, dst, .. } => {
            cmov(*cc, *size == Size64, hw(dst.to_reg()), GprMem::Gpr(hw(*consequent)))
        }
        Inst::CallUnknown { target, .. } => ci::callq_m::new(GprMem::Gpr(hw(*target))).into(),
        Inst::Ud2 { .. } => ci::ud2_zo::new(trap()).into(),
        Inst::XmmRmR { size, op, src2, dst, .. } => sse(*size, *op, hw(dst.to_reg()), xmm_mem(src2, case)),
        Inst::XmmSqrt { size, src, dst } => {
            let (d, s) = (hw(dst.to_reg()), XmmMem::Xmm(hw(*src)));
            if f64(size) { ci::sqrtsd_a::new(d, s).into() } else { ci::sqrtss_a::new(d, s).into() }
        }
        // The same immediate as ours (the mode with bit 3, "suppress
        // inexact", set); Cranelift's own lowering leaves bit 3 clear, which
        // no Wasm program can observe.
        Inst::XmmRound { size, mode, src, dst } => {
            let (d, s) = (hw(dst.to_reg()), XmmMem::Xmm(hw(*src)));
            if f64(size) {
                ci::roundsd_rmi::new(d, s, *mode | 8).into()
            } else {
                ci::roundss_rmi::new(d, s, *mode | 8).into()
            }
        }
        Inst::XmmConvert { to, src, dst } => {
            let (d, s) = (hw(dst.to_reg()), XmmMem::Xmm(hw(*src)));
            if f64(to) { ci::cvtss2sd_a::new(d, s).into() } else { ci::cvtsd2ss_a::new(d, s).into() }
        }
        Inst::XmmMov { src, dst } => ci::movaps_a::new(hw(dst.to_reg()), XmmMem::Xmm(hw(*src))).into(),
        Inst::XmmLoad { size, src, dst } => {
            let (d, m) = (hw(dst.to_reg()), amode(src, case));
            if f64(size) { ci::movsd_a_m::new(d, m).into() } else { ci::movss_a_m::new(d, m).into() }
        }
        Inst::XmmStore { size, src, dst } => {
            let (m, s) = (amode(dst, case), hw(*src));
            if f64(size) { ci::movsd_c_m::new(m, s).into() } else { ci::movss_c_m::new(m, s).into() }
        }
        Inst::GprToXmm { size, src, dst } => lq!(size, movd_a, movq_a, hw(dst.to_reg()), GprMem::Gpr(hw(*src))),
        Inst::XmmToGpr { size, src, dst } => lq!(size, movd_b, movq_b, GprMem::Gpr(hw(dst.to_reg())), hw(*src)),
        Inst::Ucomis { size, a, b } => {
            let (a, b) = (hw(*a), XmmMem::Xmm(hw(*b)));
            if f64(size) { ci::ucomisd_a::new(a, b).into() } else { ci::ucomiss_a::new(a, b).into() }
        }
        Inst::CvtIntToFloat { int_size, size, src, dst } => {
            let (d, s) = (hw(dst.to_reg()), GprMem::Gpr(hw(*src)));
            match (f64(size), int_size) {
                (false, Size32) => ci::cvtsi2ssl_a::new(d, s).into(),
                (false, Size64) => ci::cvtsi2ssq_a::new(d, s).into(),
                (true, Size32) => ci::cvtsi2sdl_a::new(d, s).into(),
                (true, Size64) => ci::cvtsi2sdq_a::new(d, s).into(),
                _ => return Err("no 8- or 16-bit form in our emitter"),
            }
        }
        Inst::CvtFloatToIntTrunc { size, int_size, src, dst } => {
            let (d, s) = (hw(dst.to_reg()), XmmMem::Xmm(hw(*src)));
            match (f64(size), int_size) {
                (false, Size32) => ci::cvttss2si_a::new(d, s).into(),
                (false, Size64) => ci::cvttss2si_aq::new(d, s).into(),
                (true, Size32) => ci::cvttsd2si_a::new(d, s).into(),
                (true, Size64) => ci::cvttsd2si_aq::new(d, s).into(),
                _ => return Err("no 8- or 16-bit form in our emitter"),
            }
        }
        Inst::Push64 { src } => ci::pushq_o::new(hw(*src)).into(),
        Inst::Pop64 { dst } => ci::popq_o::new(hw(dst.to_reg())).into(),
    })
}

/// Where `label` is bound for an instruction of `len` bytes (see
/// [`LabelAt`]).
fn label_place(case: &Case, label: u32, len: usize) -> i64 {
    match case.labels.get(label as usize).copied().unwrap_or(LabelAt::End) {
        LabelAt::Start => 0,
        LabelAt::End => len as i64,
        LabelAt::Past(n) => len as i64 + n as i64,
        LabelAt::Before(n) => -(n as i64),
    }
}

/// Cranelift's bytes for `case`, with a RIP-relative displacement resolved
/// to the label's place (for an instruction of Cranelift's length).
pub fn encode_theirs(case: &Case) -> Result<Vec<u8>, &'static str> {
    let inst = translate(case)?;
    let mut sink = Sink::default();
    inst.encode(&mut sink);
    if let Some((at, label)) = sink.label_use {
        let addend = i32::from_le_bytes(sink.bytes[at..at + 4].try_into().expect("4 bytes")) as i64;
        // Cranelift's `JmpRel32` label use: `label - field + addend - 4`.
        let value = (label_place(case, label, sink.bytes.len()) - at as i64 + addend - 4) as i32;
        sink.bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }
    Ok(sink.bytes)
}

/// Our bytes for `case` (its code, as the encoder oracle emits it).
pub fn encode_ours(case: &Case) -> Vec<u8> {
    super::code_bytes(&crate::x64::check_case_quick(case))
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
        (Some(x), Some(y)) if shape(case, x) == shape(case, y) => {
            Parity::Equivalent { ours: ours.to_vec(), theirs, reason: reason(x, y) }
        }
        _ => {
            let (our_text, their_text) = (text(&a, ours), text(&b, &theirs));
            Parity::Different { ours: ours.to_vec(), theirs, our_text, their_text }
        }
    }
}

/// The one instruction `bytes` decode to, if they are exactly one valid
/// instruction.
fn decode_one(bytes: &[u8]) -> Option<Instruction> {
    let mut decoder = Decoder::with_ip(64, bytes, 0, DecoderOptions::NONE);
    let inst = decoder.decode();
    (!inst.is_invalid() && inst.len() == bytes.len()).then_some(inst)
}

fn text(inst: &Option<Instruction>, bytes: &[u8]) -> String {
    match inst {
        Some(inst) => {
            let mut out = String::new();
            IntelFormatter::new().format(inst, &mut out);
            out
        }
        None => format!("not one instruction: {bytes:02x?}"),
    }
}

/// What an operand is, independent of how it is encoded.
#[derive(Debug, PartialEq, Eq)]
enum Shape {
    Register(iced_x86::Register),
    /// Base, index, scale, displacement (a RIP-relative target as the
    /// label it resolves to, when it does), size.
    Memory(iced_x86::Register, iced_x86::Register, u32, String, iced_x86::MemorySize),
    Immediate(u64),
    Other(OpKind),
}

/// The decoded structure compared for "same meaning": mnemonic and every
/// operand by value (not by opcode, operand order in ModR/M, immediate or
/// displacement width, or redundant prefixes).
fn shape(case: &Case, inst: &Instruction) -> (iced_x86::Mnemonic, Vec<Shape>) {
    let operands = (0..inst.op_count())
        .map(|i| match inst.op_kind(i) {
            OpKind::Register => Shape::Register(inst.op_register(i)),
            OpKind::Memory => {
                let displacement = if inst.is_ip_rel_memory_operand() {
                    let target = inst.ip_rel_memory_address() as i64;
                    let labels = crate::x64::labels_in(&case.inst);
                    match labels.iter().find(|l| label_place(case, l.0, inst.len()) == target) {
                        Some(label) => format!("label {}", label.0),
                        None => format!("rip {target}"),
                    }
                } else {
                    format!("{}", inst.memory_displacement64() as i64)
                };
                Shape::Memory(
                    inst.memory_base(),
                    inst.memory_index(),
                    inst.memory_index_scale(),
                    displacement,
                    inst.memory_size(),
                )
            }
            OpKind::Immediate8
            | OpKind::Immediate8_2nd
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate64
            | OpKind::Immediate8to16
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
            | OpKind::Immediate32to64 => Shape::Immediate(inst.immediate(i)),
            other => Shape::Other(other),
        })
        .collect();
    let mut operands: Vec<Shape> = operands;
    // `movzx r32, r/m` zero-extends into the whole register: the same as
    // `movzx r64, r/m`.
    if inst.mnemonic() == iced_x86::Mnemonic::Movzx
        && let Some(Shape::Register(dst)) = operands.first_mut()
    {
        *dst = dst.full_register();
    }
    // `test` is commutative: its two operands in either order.
    if inst.mnemonic() == iced_x86::Mnemonic::Test && operands.len() == 2 {
        operands.sort_by_key(|s| format!("{s:?}"));
    }
    (inst.mnemonic(), operands)
}

/// The reasons table: why two encodings of the same instruction differ.
pub const REASONS: &[&str] = &[
    REASON_RM_DIRECTION,
    REASON_IMM_WIDTH,
    REASON_DISP_WIDTH,
    REASON_REDUNDANT_REX,
    REASON_SHIFT_BY_ONE,
    REASON_MOVZX_WIDTH,
];
/// `op r/m, r` (e.g. `01 /r`, `89 /r`) against `op r, r/m` (`03 /r`, `8B /r`).
pub const REASON_RM_DIRECTION: &str = "register-register form: one side uses the `op r/m, r` opcode (e.g. 01/89 /r), the other `op r, r/m` (03/8B /r) \
     with ModR/M reg and rm swapped";
pub const REASON_IMM_WIDTH: &str = "immediate width: imm8 (sign-extended) on one side, imm32 on the other";
pub const REASON_DISP_WIDTH: &str = "displacement width: disp8 on one side, disp32 (or a zero disp8) on the other";
pub const REASON_REDUNDANT_REX: &str = "a REX prefix that changes nothing (e.g. REX 0x40) on one side only";
pub const REASON_MOVZX_WIDTH: &str = "zero-extension to 64 bits: `movzx r32, r/m` (the write clears bits 32-63) on one \
     side, REX.W `movzx r64, r/m` on the other";
pub const REASON_SHIFT_BY_ONE: &str = "shift/rotate by 1: `D1 /n` on one side, `C1 /n ib` with 1 on the other";

fn reason(ours: &Instruction, theirs: &Instruction) -> &'static str {
    use iced_x86::Code;
    let one_shift = |c: Code| format!("{c:?}").ends_with("_1");
    if one_shift(ours.code()) != one_shift(theirs.code()) {
        return REASON_SHIFT_BY_ONE;
    }
    if ours.mnemonic() == iced_x86::Mnemonic::Movzx && ours.op0_register() != theirs.op0_register() {
        return REASON_MOVZX_WIDTH;
    }
    if ours.code() != theirs.code() {
        let kinds = |i: &Instruction| (0..i.op_count()).map(|k| i.op_kind(k)).collect::<Vec<_>>();
        if kinds(ours) == kinds(theirs) && kinds(ours).iter().all(|k| *k == OpKind::Register) {
            return REASON_RM_DIRECTION;
        }
        let imm = |i: &Instruction| (0..i.op_count()).map(|k| i.op_kind(k)).find(|k| format!("{k:?}").contains("Imm"));
        if imm(ours) != imm(theirs) {
            return REASON_IMM_WIDTH;
        }
        return UNEXPLAINED;
    }
    if ours.memory_displ_size() != theirs.memory_displ_size() {
        return REASON_DISP_WIDTH;
    }
    if ours.len() != theirs.len() {
        return REASON_REDUNDANT_REX;
    }
    UNEXPLAINED
}
