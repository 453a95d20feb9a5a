//! What an [`Inst`] means as machine instructions, derived from its fields.
//!
//! Part of the AArch64 oracle: the independent half of
//! [`check`](super::check), the meaning the decoded words are compared
//! with. It never looks at bytes or expected text; it states, in yaxpeax-arm's terms
//! (opcode, registers with their width and whether 31 is `sp` or `zr`,
//! immediates, shifts and extends, memory operands, PC-relative targets),
//! what the encoder should have produced. Pseudo-instructions are expanded
//! by the rules documented on them (`Inst::Imm`, `AMode::RegOffset`,
//! `TrapIf`, `Ret`, `JmpTable`); a constant loaded into a register is
//! checked by value ([`Expected::Constant`]), not by instruction choice.
//!
//! yaxpeax-arm 0.5 shows the non-aliased opcode (`UBFM` for `lsl`, `CSINC`
//! for `cset`, `SUBS` with `xzr` for `cmp`); its one known deviation is in
//! [`yaxpeax_quirks`].

use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::*;
use compiler::isa::aarch64::inst::args_fp::{FloatSize, FpuOp1, FpuOp2};
use compiler::isa::aarch64::inst::emit::FrameLayout;
use compiler::machinst::{MachLabel, Reg};
use compiler::runtime::TrapCode;
use smallvec::{SmallVec, smallvec};
use yaxpeax_arm::armv8::a64::{Opcode, Operand, SIMDSizeCode, ShiftStyle, SizeCode};

/// A PC-relative target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A row label.
    Label(MachLabel),
    /// The end of the code (where a jump table starts).
    CodeEnd,
    /// A fixed byte offset from the instruction.
    Relative(i64),
}

/// One operand: as yaxpeax reports it, or a branch target to resolve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ExpectedOperand {
    /// Compared as is.
    Plain(Operand),
    /// A `PCOffset` to this target.
    Pc(Target),
}

/// One machine instruction.
#[derive(Clone, Debug, PartialEq)]
pub struct MachineInst {
    pub opcode: Opcode,
    pub operands: SmallVec<[ExpectedOperand; 4]>,
    /// The trap recorded at this instruction, if any.
    pub trap: Option<TrapCode>,
    /// The function a `bl` here is relocated against.
    pub call_symbol: Option<u32>,
}

/// An expected piece of code.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// One instruction.
    Inst(MachineInst),
    /// One or more `movz`/`movn`/`movk`/`orr`-immediate instructions that
    /// leave `value` in register `rd` (of `size`).
    Constant { rd: u16, size: OperandSize, value: u64 },
}

/// The expected code of one `Inst`: most have one or two pieces, kept
/// inline.
pub type Code = SmallVec<[Expected; 2]>;

/// An instruction's machine code: the code, then (for a jump table) a table
/// of 32-bit entries, one per target label.
pub struct Derived {
    pub code: Code,
    pub table: Vec<MachLabel>,
}

fn inst(opcode: Opcode, operands: impl IntoIterator<Item = Operand>) -> Expected {
    Expected::Inst(MachineInst {
        opcode,
        operands: operands.into_iter().map(ExpectedOperand::Plain).collect(),
        trap: None,
        call_symbol: None,
    })
}

fn branch(opcode: Opcode, leading: impl IntoIterator<Item = Operand>, target: Target) -> Expected {
    let mut operands: SmallVec<[ExpectedOperand; 4]> = leading.into_iter().map(ExpectedOperand::Plain).collect();
    operands.push(ExpectedOperand::Pc(target));
    Expected::Inst(MachineInst { opcode, operands, trap: None, call_symbol: None })
}

fn n(reg: Reg) -> u16 {
    reg.to_preg().expect("the oracle checks physical registers").hw_enc() as u16
}

fn code(size: OperandSize) -> SizeCode {
    match size {
        OperandSize::Size32 => SizeCode::W,
        OperandSize::Size64 => SizeCode::X,
    }
}

/// A register where 31 is the zero register.
fn zr(size: OperandSize, reg: Reg) -> Operand {
    Operand::Register(code(size), n(reg))
}

/// A register where 31 is the stack pointer.
fn sp(size: OperandSize, reg: Reg) -> Operand {
    Operand::RegisterOrSP(code(size), n(reg))
}

/// A float register as an `s` or `d` scalar.
fn fv(size: FloatSize, reg: Reg) -> Operand {
    let code = match size {
        FloatSize::F32 => SIMDSizeCode::S,
        FloatSize::F64 => SIMDSizeCode::D,
    };
    Operand::SIMDRegister(code, n(reg))
}

fn fpu_op2_opcode(op: FpuOp2) -> Opcode {
    match op {
        FpuOp2::Mul => Opcode::FMUL,
        FpuOp2::Div => Opcode::FDIV,
        FpuOp2::Add => Opcode::FADD,
        FpuOp2::Sub => Opcode::FSUB,
        FpuOp2::Max => Opcode::FMAX,
        FpuOp2::Min => Opcode::FMIN,
    }
}

fn fpu_op1_opcode(op: FpuOp1) -> Opcode {
    match op {
        FpuOp1::Mov => Opcode::FMOV,
        FpuOp1::Abs => Opcode::FABS,
        FpuOp1::Neg => Opcode::FNEG,
        FpuOp1::Sqrt => Opcode::FSQRT,
        FpuOp1::RintN => Opcode::FRINTN,
        FpuOp1::RintP => Opcode::FRINTP,
        FpuOp1::RintM => Opcode::FRINTM,
        FpuOp1::RintZ => Opcode::FRINTZ,
    }
}

/// The general-purpose register size `fmov` pairs with a float size.
fn same_width(size: FloatSize) -> OperandSize {
    OperandSize::of(size == FloatSize::F64)
}

fn x(number: u16) -> Operand {
    Operand::Register(SizeCode::X, number)
}

fn shift_style(shift: ShiftOp) -> ShiftStyle {
    match shift {
        ShiftOp::Lsl => ShiftStyle::LSL,
        ShiftOp::Lsr => ShiftStyle::LSR,
        ShiftOp::Asr => ShiftStyle::ASR,
        ShiftOp::Ror => ShiftStyle::ROR,
    }
}

fn extend_style(extend: ExtendOp) -> ShiftStyle {
    match extend {
        ExtendOp::Uxtb => ShiftStyle::UXTB,
        ExtendOp::Uxth => ShiftStyle::UXTH,
        ExtendOp::Uxtw => ShiftStyle::UXTW,
        ExtendOp::Uxtx => ShiftStyle::UXTX,
        ExtendOp::Sxtb => ShiftStyle::SXTB,
        ExtendOp::Sxth => ShiftStyle::SXTH,
        ExtendOp::Sxtw => ShiftStyle::SXTW,
        ExtendOp::Sxtx => ShiftStyle::SXTX,
    }
}

fn alu_opcode(op: AluOp) -> Opcode {
    match op {
        AluOp::Add => Opcode::ADD,
        AluOp::AddS => Opcode::ADDS,
        AluOp::Sub => Opcode::SUB,
        AluOp::SubS => Opcode::SUBS,
        AluOp::And => Opcode::AND,
        AluOp::AndS => Opcode::ANDS,
        AluOp::Orr => Opcode::ORR,
        AluOp::Eor => Opcode::EOR,
        AluOp::Lslv => Opcode::LSLV,
        AluOp::Lsrv => Opcode::LSRV,
        AluOp::Asrv => Opcode::ASRV,
        AluOp::Rorv => Opcode::RORV,
        AluOp::UDiv => Opcode::UDIV,
        AluOp::SDiv => Opcode::SDIV,
    }
}

/// An extend style as yaxpeax-arm 0.5 reports it, for a register operand
/// read at `width`.
///
/// Known decoder deviations (our encodings are checked against GNU
/// binutils, which prints the architectural forms):
/// - extended-register add/sub: `option` = 010 (`uxtw`) is always reported
///   as `LSL`, also for 64-bit operations, where the `lsl` alias belongs to
///   `option` = 011; and `option` = 011 (`uxtx`) is `LSL` whenever the
///   register is read as an `x` register (the architecture prefers `lsl`
///   only when `sp` is an operand); a 32-bit operation keeps `UXTX`;
/// - register-offset addresses: `option` = 011 is reported as `LSL` (the
///   architectural alias), and a byte access reports the same amount 0
///   with and without the `S` bit.
pub fn yaxpeax_quirks(style: ShiftStyle, in_address: bool, width: SizeCode) -> ShiftStyle {
    match style {
        ShiftStyle::UXTW if !in_address => ShiftStyle::LSL,
        ShiftStyle::UXTX if in_address || width == SizeCode::X => ShiftStyle::LSL,
        other => other,
    }
}

fn imm12(imm: Imm12) -> Operand {
    if imm.shift12 { Operand::ImmShift(imm.bits, 12) } else { Operand::Immediate(imm.bits as u32) }
}

/// The memory operand of a resolved single-register address.
fn mem_operand(mem: &AMode, access_bytes: u32) -> Operand {
    match *mem {
        AMode::UnsignedOffset { rn, offset } => Operand::RegPreIndex(n(rn), offset as i32, false),
        AMode::Unscaled { rn, offset } => Operand::RegPreIndex(n(rn), offset as i32, false),
        AMode::PreIndexed { rn, offset } => Operand::RegPreIndex(n(rn), offset as i32, true),
        AMode::PostIndexed { rn, offset } => Operand::RegPostIndex(n(rn), offset as i32),
        AMode::RegExtended { rn, rm, extend, scaled } => {
            let width = if extend.reads_w() { SizeCode::W } else { SizeCode::X };
            let amount = if scaled { access_bytes.trailing_zeros() as u8 } else { 0 };
            Operand::RegRegOffset(n(rn), n(rm), width, yaxpeax_quirks(extend_style(extend), true, width), amount)
        }
        AMode::RegOffset { .. } | AMode::Frame(_) => unreachable!("resolved by `resolve`"),
    }
}

/// Resolves `RegOffset` and frame addresses by the rule documented on
/// `AMode::RegOffset`: scaled unsigned 12-bit, else unscaled 9-bit, else the
/// offset in `x17` and the register form. Frame locations: outgoing
/// arguments, stack slots and spill slots stack upwards from `sp`; incoming
/// arguments sit above the frame record at `x29 + 16`.
fn resolve(mem: &AMode, frame: &FrameLayout, access_bytes: u32, out: &mut Code) -> AMode {
    let (rn, offset) = match *mem {
        AMode::RegOffset { rn, offset } => (rn, offset),
        AMode::Frame(location) => frame_location(location, frame),
        other => return other,
    };
    let scale = access_bytes as i64;
    if (0..4096 * scale).contains(&offset) && offset % scale == 0 {
        AMode::UnsignedOffset { rn, offset: offset as u32 }
    } else if (-256..256).contains(&offset) {
        AMode::Unscaled { rn, offset: offset as i16 }
    } else {
        out.push(Expected::Constant { rd: 17, size: OperandSize::Size64, value: offset as u64 });
        AMode::RegExtended { rn, rm: compiler::isa::aarch64::inst::regs::x17(), extend: ExtendOp::Uxtx, scaled: false }
    }
}

fn frame_location(location: FrameOffset, frame: &FrameLayout) -> (Reg, i64) {
    use compiler::isa::aarch64::inst::regs::{fp, sp};
    match location {
        FrameOffset::Outgoing(o) => (sp(), o as i64),
        FrameOffset::StackSlot(o) => (sp(), (frame.outgoing_args_size + o) as i64),
        FrameOffset::Spill(i) => (sp(), (frame.outgoing_args_size + frame.stack_slots_size + 8 * i) as i64),
        FrameOffset::IncomingArg(o) => (fp(), 16 + o as i64),
    }
}

fn load_opcode(op: LoadOp, unscaled: bool) -> Opcode {
    match (op, unscaled) {
        (LoadOp::Ldrb, false) => Opcode::LDRB,
        (LoadOp::Ldrh, false) => Opcode::LDRH,
        (LoadOp::LdrW | LoadOp::LdrX, false) => Opcode::LDR,
        (LoadOp::LdrsbW | LoadOp::LdrsbX, false) => Opcode::LDRSB,
        (LoadOp::LdrshW | LoadOp::LdrshX, false) => Opcode::LDRSH,
        (LoadOp::Ldrsw, false) => Opcode::LDRSW,
        (LoadOp::Ldrb, true) => Opcode::LDURB,
        (LoadOp::Ldrh, true) => Opcode::LDURH,
        (LoadOp::LdrW | LoadOp::LdrX, true) => Opcode::LDUR,
        (LoadOp::LdrsbW | LoadOp::LdrsbX, true) => Opcode::LDURSB,
        (LoadOp::LdrshW | LoadOp::LdrshX, true) => Opcode::LDURSH,
        (LoadOp::Ldrsw, true) => Opcode::LDURSW,
    }
}

fn store_opcode(op: StoreOp, unscaled: bool) -> Opcode {
    match (op, unscaled) {
        (StoreOp::Strb, false) => Opcode::STRB,
        (StoreOp::Strh, false) => Opcode::STRH,
        (StoreOp::StrW | StoreOp::StrX, false) => Opcode::STR,
        (StoreOp::Strb, true) => Opcode::STURB,
        (StoreOp::Strh, true) => Opcode::STURH,
        (StoreOp::StrW | StoreOp::StrX, true) => Opcode::STUR,
    }
}

fn pair_operand(mem: &PairAMode) -> Operand {
    match *mem {
        PairAMode::SignedOffset { rn, offset } => Operand::RegPreIndex(n(rn), offset as i32, false),
        PairAMode::PreIndexed { rn, offset } => Operand::RegPreIndex(n(rn), offset as i32, true),
        PairAMode::PostIndexed { rn, offset } => Operand::RegPostIndex(n(rn), offset as i32),
    }
}

/// `sp ± amount`: one add/sub immediate when it fits 12 bits (shifted or
/// not), two (high part shifted, then low) below 2^24, else through `x17`
/// and the extended-register form (the only add/sub form that takes `sp`
/// and a register).
fn sp_adjust(op: AluOp, amount: u32, out: &mut Code) {
    let size = OperandSize::Size64;
    let stack = Operand::RegisterOrSP(SizeCode::X, 31);
    let opcode = alu_opcode(op);
    if amount == 0 {
    } else if amount < 0x1000 {
        out.push(inst(opcode, [stack, stack, Operand::Immediate(amount)]));
    } else if amount & 0xfff == 0 && amount < 0x100_0000 {
        out.push(inst(opcode, [stack, stack, Operand::ImmShift((amount >> 12) as u16, 12)]));
    } else if amount < 0x100_0000 {
        out.push(inst(opcode, [stack, stack, Operand::ImmShift((amount >> 12) as u16, 12)]));
        out.push(inst(opcode, [stack, stack, Operand::Immediate(amount & 0xfff)]));
    } else {
        out.push(Expected::Constant { rd: 17, size, value: amount as u64 });
        out.push(inst(opcode, [stack, stack, Operand::RegShift(ShiftStyle::LSL, 0, SizeCode::X, 17)]));
    }
}

fn cbr(kind: CondBrKind, target: Target) -> Expected {
    match kind {
        CondBrKind::Cond(cond) => branch(Opcode::Bcc(cond.bits() as u8), [], target),
        CondBrKind::Zero(reg, size) => branch(Opcode::CBZ, [zr(size, reg)], target),
        CondBrKind::NotZero(reg, size) => branch(Opcode::CBNZ, [zr(size, reg)], target),
    }
}

fn trapping(code: TrapCode) -> Expected {
    Expected::Inst(MachineInst {
        opcode: Opcode::UDF,
        operands: smallvec![ExpectedOperand::Plain(Operand::Imm16(code.as_u8() as u16))],
        trap: Some(code),
        call_symbol: None,
    })
}

/// Derives the expected machine code of `inst`. `fallthrough(label)` says
/// whether a label is bound right after the instruction (so the buffer
/// deletes a jump to it or inverts a conditional branch over it).
pub fn derive(instruction: &Inst, frame: &FrameLayout, fallthrough: &dyn Fn(MachLabel) -> bool) -> Derived {
    let mut out = Code::new();
    let mut table = Vec::new();
    let o = &mut out;
    let x64 = OperandSize::Size64;
    match instruction {
        Inst::Args { .. } => {}
        Inst::Ret { .. } => {
            sp_adjust(AluOp::Add, frame.frame_size, o);
            for &enc in frame.float_callee_saves.iter().rev() {
                let d = Operand::SIMDRegister(SIMDSizeCode::D, enc as u16);
                o.push(inst(Opcode::LDR, [d, Operand::RegPostIndex(31, 16)]));
            }
            for pair in frame.callee_saves.chunks(2).rev() {
                match *pair {
                    [a] => o.push(inst(Opcode::LDR, [x(a as u16), Operand::RegPostIndex(31, 16)])),
                    [a, b] => o.push(inst(Opcode::LDP, [x(a as u16), x(b as u16), Operand::RegPostIndex(31, 16)])),
                    _ => unreachable!(),
                }
            }
            o.push(inst(Opcode::LDP, [x(29), x(30), Operand::RegPostIndex(31, 16)]));
            o.push(inst(Opcode::RET, [x(30)]));
        }
        Inst::AluRRR { op, size, rd, rn, rm } if op.is_arith() || op.is_logical() => {
            let rm = Operand::RegShift(ShiftStyle::LSL, 0, code(*size), n(*rm));
            o.push(inst(alu_opcode(*op), [zr(*size, rd.to_reg()), zr(*size, *rn), rm]));
        }
        Inst::AluRRR { op, size, rd, rn, rm } => {
            o.push(inst(alu_opcode(*op), [zr(*size, rd.to_reg()), zr(*size, *rn), zr(*size, *rm)]));
        }
        Inst::AluRRRShift { op, size, rd, rn, rm, shift, amount } => {
            let rm = Operand::RegShift(shift_style(*shift), *amount, code(*size), n(*rm));
            o.push(inst(alu_opcode(*op), [zr(*size, rd.to_reg()), zr(*size, *rn), rm]));
        }
        Inst::AluRRRExtend { op, size, rd, rn, rm, extend, shift } => {
            let rd = if op.sets_flags() { zr(*size, rd.to_reg()) } else { sp(*size, rd.to_reg()) };
            let width = if *size == x64 && !extend.reads_w() { SizeCode::X } else { SizeCode::W };
            let style = yaxpeax_quirks(extend_style(*extend), false, width);
            let rm = Operand::RegShift(style, *shift, width, n(*rm));
            o.push(inst(alu_opcode(*op), [rd, sp(*size, *rn), rm]));
        }
        Inst::AluRRImm12 { op, size, rd, rn, imm } => {
            let rd = if op.sets_flags() { zr(*size, rd.to_reg()) } else { sp(*size, rd.to_reg()) };
            o.push(inst(alu_opcode(*op), [rd, sp(*size, *rn), imm12(*imm)]));
        }
        Inst::AluRRImmLogic { op, size, rd, rn, imm } => {
            let rd = if op.sets_flags() { zr(*size, rd.to_reg()) } else { sp(*size, rd.to_reg()) };
            let value = if *size == x64 { Operand::Imm64(imm.value) } else { Operand::Immediate(imm.value as u32) };
            o.push(inst(alu_opcode(*op), [rd, zr(*size, *rn), value]));
        }
        Inst::ShiftImm { op, size, rd, rn, amount } => {
            let (width, s) = (size.bits(), *amount as u32);
            let (rd, rn) = (zr(*size, rd.to_reg()), zr(*size, *rn));
            let bitfield = |opcode, immr: u32, imms: u32| {
                inst(opcode, [rd, rn, Operand::Immediate(immr), Operand::Immediate(imms)])
            };
            o.push(match op {
                // lsl #s is ubfm #(-s mod width), #(width - 1 - s)
                ShiftOp::Lsl => bitfield(Opcode::UBFM, (width - s) % width, width - 1 - s),
                ShiftOp::Lsr => bitfield(Opcode::UBFM, s, width - 1),
                ShiftOp::Asr => bitfield(Opcode::SBFM, s, width - 1),
                ShiftOp::Ror => inst(Opcode::EXTR, [rd, rn, rn, Operand::Immediate(s)]),
            });
        }
        Inst::AluRRRR { op, size, rd, rn, rm, ra } => {
            let opcode = match op {
                AluOp3::MAdd => Opcode::MADD,
                AluOp3::MSub => Opcode::MSUB,
            };
            let s = *size;
            o.push(inst(opcode, [zr(s, rd.to_reg()), zr(s, *rn), zr(s, *rm), zr(s, *ra)]));
        }
        Inst::BitRR { op, size, rd, rn } => {
            let opcode = match op {
                BitOp::Rbit => Opcode::RBIT,
                BitOp::Clz => Opcode::CLZ,
            };
            o.push(inst(opcode, [zr(*size, rd.to_reg()), zr(*size, *rn)]));
        }
        Inst::Extend { rd, rn, signed, from_bits, to_bits } => {
            let from = *from_bits as u32;
            if *signed {
                // sxtb/sxth/sxtw: sbfm rd, rn, #0, #(from - 1) at the target width.
                let size = OperandSize::of(*to_bits == 64);
                let (rd, rn) = (zr(size, rd.to_reg()), zr(size, *rn));
                o.push(inst(Opcode::SBFM, [rd, rn, Operand::Immediate(0), Operand::Immediate(from - 1)]));
            } else if from == 32 {
                // mov wd, wn
                let w = OperandSize::Size32;
                let rm = Operand::RegShift(ShiftStyle::LSL, 0, SizeCode::W, n(*rn));
                o.push(inst(Opcode::ORR, [zr(w, rd.to_reg()), Operand::Register(SizeCode::W, 31), rm]));
            } else {
                // uxtb/uxth: the 32-bit ubfm, which zeroes bits 63..32 too.
                let w = OperandSize::Size32;
                let (rd, rn) = (zr(w, rd.to_reg()), zr(w, *rn));
                o.push(inst(Opcode::UBFM, [rd, rn, Operand::Immediate(0), Operand::Immediate(from - 1)]));
            }
        }
        Inst::Mov { size, rd, rm } => {
            let rm = Operand::RegShift(ShiftStyle::LSL, 0, code(*size), n(*rm));
            o.push(inst(Opcode::ORR, [zr(*size, rd.to_reg()), Operand::Register(code(*size), 31), rm]));
        }
        Inst::MovWide { op, size, rd, imm } => {
            let opcode = match op {
                MoveWideOp::MovZ => Opcode::MOVZ,
                MoveWideOp::MovN => Opcode::MOVN,
            };
            o.push(inst(opcode, [zr(*size, rd.to_reg()), Operand::ImmShift(imm.bits, 16 * imm.shift)]));
        }
        Inst::MovK { size, rd, imm, .. } => {
            o.push(inst(Opcode::MOVK, [zr(*size, rd.to_reg()), Operand::ImmShift(imm.bits, 16 * imm.shift)]));
        }
        Inst::Imm { size, value, rd } => {
            o.push(Expected::Constant { rd: n(rd.to_reg()), size: *size, value: value & size.mask() });
        }
        Inst::CSel { size, cond, rd, rn, rm } => {
            let s = *size;
            let cond = Operand::ConditionCode(cond.bits() as u8);
            o.push(inst(Opcode::CSEL, [zr(s, rd.to_reg()), zr(s, *rn), zr(s, *rm), cond]));
        }
        Inst::CSet { size, cond, rd } => {
            // cset rd, cond is csinc rd, zr, zr, !cond
            let zero = Operand::Register(code(*size), 31);
            let inverted = Operand::ConditionCode(cond.invert().bits() as u8);
            o.push(inst(Opcode::CSINC, [zr(*size, rd.to_reg()), zero, zero, inverted]));
        }
        Inst::CCmpImm { size, rn, imm, nzcv, cond } => {
            let (imm, nzcv) = (Operand::Immediate(*imm as u32), Operand::Immediate(*nzcv as u32));
            o.push(inst(Opcode::CCMP, [zr(*size, *rn), imm, nzcv, Operand::ConditionCode(cond.bits() as u8)]));
        }
        Inst::Load { op, rd, mem } => {
            let mem = resolve(mem, frame, op.access_bytes(), o);
            let unscaled = matches!(mem, AMode::Unscaled { .. });
            let rt = zr(OperandSize::of(op.writes_x()), rd.to_reg());
            o.push(inst(load_opcode(*op, unscaled), [rt, mem_operand(&mem, op.access_bytes())]));
        }
        Inst::Store { op, rt, mem } => {
            let mem = resolve(mem, frame, op.access_bytes(), o);
            let unscaled = matches!(mem, AMode::Unscaled { .. });
            let rt = zr(OperandSize::of(*op == StoreOp::StrX), *rt);
            o.push(inst(store_opcode(*op, unscaled), [rt, mem_operand(&mem, op.access_bytes())]));
        }
        Inst::LoadAddr { rd, mem } => {
            let (rn, offset) = match *mem {
                AMode::RegOffset { rn, offset } => (rn, offset),
                AMode::Frame(location) => frame_location(location, frame),
                other => panic!("LoadAddr of {other:?}"),
            };
            let (rd, rn) = (sp(x64, rd.to_reg()), sp(x64, rn));
            let magnitude = offset.unsigned_abs();
            let imm = if magnitude < 0x1000 {
                Some(Operand::Immediate(magnitude as u32))
            } else if magnitude & 0xfff == 0 && magnitude < 0x100_0000 {
                Some(Operand::ImmShift((magnitude >> 12) as u16, 12))
            } else {
                None
            };
            match imm {
                Some(imm) if offset >= 0 => o.push(inst(Opcode::ADD, [rd, rn, imm])),
                Some(imm) => o.push(inst(Opcode::SUB, [rd, rn, imm])),
                None => {
                    o.push(Expected::Constant { rd: 17, size: x64, value: offset as u64 });
                    let rm = Operand::RegShift(ShiftStyle::LSL, 0, SizeCode::X, 17);
                    o.push(inst(Opcode::ADD, [rd, rn, rm]));
                }
            }
        }
        Inst::StoreP64 { rt, rt2, mem } => {
            o.push(inst(Opcode::STP, [x(n(*rt)), x(n(*rt2)), pair_operand(mem)]));
        }
        Inst::LoadP64 { rt, rt2, mem } => {
            o.push(inst(Opcode::LDP, [x(n(rt.to_reg())), x(n(rt2.to_reg())), pair_operand(mem)]));
        }
        Inst::Jump { target } => {
            if !fallthrough(*target) {
                o.push(branch(Opcode::B, [], Target::Label(*target)));
            }
        }
        Inst::CondBr { kind, taken, not_taken } => {
            if fallthrough(*not_taken) {
                o.push(cbr(*kind, Target::Label(*taken)));
            } else if fallthrough(*taken) {
                o.push(cbr(kind.invert(), Target::Label(*not_taken)));
            } else {
                o.push(cbr(*kind, Target::Label(*taken)));
                o.push(branch(Opcode::B, [], Target::Label(*not_taken)));
            }
        }
        Inst::JmpTable { index, tmp1, tmp2, default, targets } => {
            let w = OperandSize::Size32;
            let wzr = Operand::Register(SizeCode::W, 31);
            let count = targets.len() as u64;
            if let Some(imm) = Imm12::maybe_from_u64(count) {
                o.push(inst(Opcode::SUBS, [wzr, sp(w, *index), imm12(imm)]));
            } else {
                o.push(Expected::Constant { rd: 17, size: w, value: count });
                let rm = Operand::RegShift(ShiftStyle::LSL, 0, SizeCode::W, 17);
                o.push(inst(Opcode::SUBS, [wzr, zr(w, *index), rm]));
            }
            o.push(cbr(CondBrKind::Cond(Cond::Hs), Target::Label(*default)));
            let (t1, t2) = (n(tmp1.to_reg()), n(tmp2.to_reg()));
            o.push(branch(Opcode::ADR, [x(t1)], Target::CodeEnd));
            let entry = Operand::RegRegOffset(t1, n(*index), SizeCode::W, ShiftStyle::UXTW, 2);
            o.push(inst(Opcode::LDRSW, [x(t2), entry]));
            let rm = Operand::RegShift(ShiftStyle::LSL, 0, SizeCode::X, t2);
            o.push(inst(Opcode::ADD, [x(t1), x(t1), rm]));
            o.push(inst(Opcode::BR, [x(t1)]));
            table = targets.clone();
        }
        Inst::Call { symbol, .. } => {
            o.push(Expected::Inst(MachineInst {
                opcode: Opcode::BL,
                operands: smallvec![ExpectedOperand::Pc(Target::Relative(0))],
                trap: None,
                call_symbol: Some(*symbol),
            }));
        }
        Inst::CallInd { target, .. } => o.push(inst(Opcode::BLR, [x(n(*target))])),
        Inst::Udf { code } => o.push(trapping(*code)),
        Inst::FpuRRR { op, size, rd, rn, rm } => {
            o.push(inst(fpu_op2_opcode(*op), [fv(*size, rd.to_reg()), fv(*size, *rn), fv(*size, *rm)]))
        }
        Inst::FpuRR { op, size, rd, rn } => o.push(inst(fpu_op1_opcode(*op), [fv(*size, rd.to_reg()), fv(*size, *rn)])),
        Inst::FpuCvt { to, rd, rn } => {
            let from = if *to == FloatSize::F64 { FloatSize::F32 } else { FloatSize::F64 };
            o.push(inst(Opcode::FCVT, [fv(*to, rd.to_reg()), fv(from, *rn)]))
        }
        Inst::FpuCmp { size, rn, rm } => o.push(inst(Opcode::FCMP, [fv(*size, *rn), fv(*size, *rm)])),
        Inst::FpuCSel { size, cond, rd, rn, rm } => o.push(inst(
            Opcode::FCSEL,
            [fv(*size, rd.to_reg()), fv(*size, *rn), fv(*size, *rm), Operand::ConditionCode(cond.bits() as u8)],
        )),
        Inst::IntToFpu { signed, int_size, size, rd, rn } => {
            let opcode = if *signed { Opcode::SCVTF } else { Opcode::UCVTF };
            o.push(inst(opcode, [fv(*size, rd.to_reg()), zr(*int_size, *rn)]))
        }
        Inst::FpuToInt { signed, int_size, size, rd, rn } => {
            let opcode = if *signed { Opcode::FCVTZS } else { Opcode::FCVTZU };
            o.push(inst(opcode, [zr(*int_size, rd.to_reg()), fv(*size, *rn)]))
        }
        Inst::MovToFpu { size, rd, rn } => {
            o.push(inst(Opcode::FMOV, [fv(*size, rd.to_reg()), zr(same_width(*size), *rn)]))
        }
        Inst::MovFromFpu { size, rd, rn } => {
            o.push(inst(Opcode::FMOV, [zr(same_width(*size), rd.to_reg()), fv(*size, *rn)]))
        }
        Inst::FpuLoad { size, rd, mem } => {
            let mem = resolve(mem, frame, size.bytes(), o);
            let opcode = if matches!(mem, AMode::Unscaled { .. }) { Opcode::LDUR } else { Opcode::LDR };
            o.push(inst(opcode, [fv(*size, rd.to_reg()), mem_operand(&mem, size.bytes())]));
        }
        Inst::FpuStore { size, rt, mem } => {
            let mem = resolve(mem, frame, size.bytes(), o);
            let opcode = if matches!(mem, AMode::Unscaled { .. }) { Opcode::STUR } else { Opcode::STR };
            o.push(inst(opcode, [fv(*size, *rt), mem_operand(&mem, size.bytes())]));
        }
        Inst::TrapIf { kind, code } => {
            // Skip the `udf` (8 bytes ahead) unless `kind` holds.
            o.push(cbr(kind.invert(), Target::Relative(8)));
            o.push(trapping(*code));
        }
    }
    Derived { code: out, table }
}
