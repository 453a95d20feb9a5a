//! What an [`Inst`] means as machine instructions, derived from its fields.
//!
//! Part of the x86-64 oracle: the independent half of [`check`](super::check),
//! the meaning the decoded bytes are compared with. It never looks at bytes
//! or expected text; it states, in iced-x86's terms
//! (mnemonic, operand registers of the right width, memory base/index/
//! scale/displacement/size, immediates and their operand kinds, branch
//! targets), what the encoder should have produced. Frame operands are
//! resolved from the frame contract documented on `FrameOffset`.

use super::derive_sse;
use compiler::isa::x64::inst::Inst;
use compiler::isa::x64::inst::args::*;
use compiler::isa::x64::inst::emit::FrameLayout;
use compiler::machinst::{MachLabel, Reg};
use compiler::runtime::TrapCode;
use iced_x86::{MemorySize, Mnemonic, OpKind, Register};
use smallvec::{SmallVec, smallvec};

/// A branch or RIP-relative target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A row label.
    Label(MachLabel),
    /// The start of the `k`-th instruction of this sequence (`k` = the
    /// number of instructions means the end of the code).
    Inst(usize),
}

/// One operand, as iced-x86 reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A register (its width is part of the register).
    Reg(Register),
    /// `size ptr [base + index*scale + displacement]`.
    Mem { base: Register, index: Register, scale: u32, displacement: i64, size: MemorySize },
    /// `size ptr [rip + target]`.
    RipMem { target: Target, size: MemorySize },
    /// An immediate: its operand kind (`imm8` sign-extended, `imm32`, ...)
    /// and its value sign-extended from that kind's width.
    Imm { kind: OpKind, value: i64 },
    /// A near branch target.
    Branch(Target),
}

/// A machine instruction's operands: at most 4, kept inline.
pub type Operands = SmallVec<[Operand; 4]>;

/// The machine instructions of one `Inst`: most have one or two, kept inline.
pub type Insts = SmallVec<[MachineInst; 2]>;

/// One machine instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineInst {
    /// The mnemonic iced reports.
    pub mnemonic: Mnemonic,
    /// The operands, in iced's order.
    pub operands: Operands,
    /// The trap recorded at this instruction, if any.
    pub trap: Option<TrapCode>,
    /// The function a `call rel32` here is relocated against.
    pub call_symbol: Option<u32>,
}

/// An instruction's machine code: instructions, then (for a jump table) a
/// table of 32-bit entries, one per target label.
pub struct Derived {
    /// The machine instructions, in order.
    pub insts: Insts,
    /// The jump-table entries after them, one per label.
    pub table: Vec<MachLabel>,
}

pub(crate) fn inst_of(mnemonic: Mnemonic, operands: impl Into<Operands>) -> MachineInst {
    MachineInst { mnemonic, operands: operands.into(), trap: None, call_symbol: None }
}

const GPR64: [Register; 16] = {
    use Register::*;
    [RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15]
};
const GPR32: [Register; 16] = {
    use Register::*;
    [EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, R8D, R9D, R10D, R11D, R12D, R13D, R14D, R15D]
};
const GPR16: [Register; 16] = {
    use Register::*;
    [AX, CX, DX, BX, SP, BP, SI, DI, R8W, R9W, R10W, R11W, R12W, R13W, R14W, R15W]
};
const GPR8: [Register; 16] = {
    use Register::*;
    [AL, CL, DL, BL, SPL, BPL, SIL, DIL, R8L, R9L, R10L, R11L, R12L, R13L, R14L, R15L]
};
const XMM: [Register; 16] = {
    use Register::*;
    [XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7, XMM8, XMM9, XMM10, XMM11, XMM12, XMM13, XMM14, XMM15]
};

/// The iced register for `reg` at `bits` width.
pub fn register(reg: Reg, bits: u32) -> Register {
    let preg = reg.to_preg().expect("the oracle checks physical registers");
    assert_eq!(preg.class(), regalloc2::RegClass::Int, "{reg:?} is not a general-purpose register");
    let enc = preg.hw_enc();
    match bits {
        64 => GPR64[enc],
        32 => GPR32[enc],
        16 => GPR16[enc],
        8 => GPR8[enc],
        _ => panic!("no {bits}-bit registers"),
    }
}

fn reg(r: Reg, bits: u32) -> Operand {
    Operand::Reg(register(r, bits))
}

/// The iced XMM register for `reg`.
pub fn xmm_register(reg: Reg) -> Register {
    let preg = reg.to_preg().expect("the oracle checks physical registers");
    assert_eq!(preg.class(), regalloc2::RegClass::Float, "{reg:?} is not an XMM register");
    XMM[preg.hw_enc()]
}

fn xmm(r: Reg) -> Operand {
    Operand::Reg(xmm_register(r))
}

/// The size of a `bits`-wide memory operand; `signed` where iced types it
/// as a signed integer (sign-extending loads, `imul`).
fn memory_size(bits: u32, signed: bool) -> MemorySize {
    match (bits, signed) {
        (8, false) => MemorySize::UInt8,
        (16, false) => MemorySize::UInt16,
        (32, false) => MemorySize::UInt32,
        (64, false) => MemorySize::UInt64,
        (8, true) => MemorySize::Int8,
        (16, true) => MemorySize::Int16,
        (32, true) => MemorySize::Int32,
        (64, true) => MemorySize::Int64,
        _ => panic!("no {bits}-bit memory operands"),
    }
}

/// A memory operand, with `Frame` locations resolved: outgoing arguments,
/// stack slots and spill slots (8 bytes each) are stacked upwards from
/// `rsp`; incoming arguments are above the saved `rbp` and return address.
fn mem(amode: &Amode, frame: &FrameLayout, size: MemorySize) -> Operand {
    let base_disp = |base: Reg, disp: i32| Operand::Mem {
        base: register(base, 64),
        index: Register::None,
        scale: 1,
        displacement: disp as i64,
        size,
    };
    let on_frame = |base: Register, disp: u32| Operand::Mem {
        base,
        index: Register::None,
        scale: 1,
        displacement: disp as i64,
        size,
    };
    match *amode {
        Amode::ImmReg { base, disp } => base_disp(base, disp),
        Amode::ImmRegRegShift { base, index, shift, disp } => Operand::Mem {
            base: register(base, 64),
            index: register(index, 64),
            scale: 1 << shift,
            displacement: disp as i64,
            size,
        },
        Amode::RipRelative { target } => Operand::RipMem { target: Target::Label(target), size },
        Amode::Frame(FrameOffset::Outgoing(offset)) => on_frame(Register::RSP, offset),
        Amode::Frame(FrameOffset::StackSlot(offset)) => on_frame(Register::RSP, frame.outgoing_args_size + offset),
        Amode::Frame(FrameOffset::Spill(index)) => {
            on_frame(Register::RSP, frame.outgoing_args_size + frame.stack_slots_size + 8 * index)
        }
        Amode::Frame(FrameOffset::IncomingArg(offset)) => on_frame(Register::RBP, 16 + offset),
    }
}

/// An ALU immediate in its shortest form: a sign-extended `imm8` when the
/// value fits in one, else `imm32` (sign-extended to 64 bits for 64-bit
/// operations).
fn alu_imm(value: i32, bits: u32) -> Operand {
    let kind = match (i8::try_from(value).is_ok(), bits) {
        (true, 64) => OpKind::Immediate8to64,
        (true, _) => OpKind::Immediate8to32,
        (false, 64) => OpKind::Immediate32to64,
        (false, _) => OpKind::Immediate32,
    };
    Operand::Imm { kind, value: value as i64 }
}

fn imm32(value: i32, bits: u32) -> Operand {
    let kind = if bits == 64 { OpKind::Immediate32to64 } else { OpKind::Immediate32 };
    Operand::Imm { kind, value: value as i64 }
}

pub(crate) fn branch_mnemonic(cc: CC) -> Mnemonic {
    use Mnemonic::*;
    [Jo, Jno, Jb, Jae, Je, Jne, Jbe, Ja, Js, Jns, Jp, Jnp, Jl, Jge, Jle, Jg][cc.enc() as usize]
}

fn setcc_mnemonic(cc: CC) -> Mnemonic {
    use Mnemonic::*;
    [Seto, Setno, Setb, Setae, Sete, Setne, Setbe, Seta, Sets, Setns, Setp, Setnp, Setl, Setge, Setle, Setg]
        [cc.enc() as usize]
}

fn cmov_mnemonic(cc: CC) -> Mnemonic {
    use Mnemonic::*;
    [
        Cmovo, Cmovno, Cmovb, Cmovae, Cmove, Cmovne, Cmovbe, Cmova, Cmovs, Cmovns, Cmovp, Cmovnp, Cmovl, Cmovge,
        Cmovle, Cmovg,
    ][cc.enc() as usize]
}

fn alu_mnemonic(op: AluOp) -> Mnemonic {
    match op {
        AluOp::Add => Mnemonic::Add,
        AluOp::Or => Mnemonic::Or,
        AluOp::And => Mnemonic::And,
        AluOp::Sub => Mnemonic::Sub,
        AluOp::Xor => Mnemonic::Xor,
    }
}

fn shift_mnemonic(kind: ShiftKind) -> Mnemonic {
    match kind {
        ShiftKind::Rol => Mnemonic::Rol,
        ShiftKind::Ror => Mnemonic::Ror,
        ShiftKind::Shl => Mnemonic::Shl,
        ShiftKind::Shr => Mnemonic::Shr,
        ShiftKind::Sar => Mnemonic::Sar,
    }
}

/// `reg_or_mem` at `bits`, memory typed signed or not.
fn reg_mem(src: &RegMem, bits: u32, signed: bool, frame: &FrameLayout) -> Operand {
    match src {
        RegMem::Reg(r) => reg(*r, bits),
        RegMem::Mem(amode) => mem(amode, frame, memory_size(bits, signed)),
    }
}

/// The machine code `inst` stands for. `fallthrough(label)` says whether
/// a label is bound right after the instruction (so a branch to it is
/// simplified away by the buffer).
pub fn derive(inst: &Inst, frame: &FrameLayout, fallthrough: &dyn Fn(MachLabel) -> bool) -> Derived {
    let insts = match inst {
        Inst::Args { .. } => smallvec![],
        Inst::Ret { .. } => {
            let mut insts = Insts::new();
            if frame.frame_size > 0 {
                let size = alu_imm(frame.frame_size as i32, 64);
                insts.push(inst_of(Mnemonic::Add, smallvec![Operand::Reg(Register::RSP), size]));
            }
            for &enc in frame.callee_saves.iter().rev() {
                insts.push(inst_of(Mnemonic::Pop, smallvec![Operand::Reg(GPR64[enc as usize])]));
            }
            insts.push(inst_of(Mnemonic::Pop, smallvec![Operand::Reg(Register::RBP)]));
            insts.push(inst_of(Mnemonic::Ret, smallvec![]));
            insts
        }
        Inst::AluRmiR { size, op, src2, dst, .. } => {
            let bits = size.bits();
            let src = match src2 {
                RegMemImm::Reg(r) => reg(*r, bits),
                RegMemImm::Mem(amode) => mem(amode, frame, memory_size(bits, false)),
                RegMemImm::Imm(value) => alu_imm(*value, bits),
            };
            smallvec![inst_of(alu_mnemonic(*op), smallvec![reg(dst.to_reg(), bits), src])]
        }
        Inst::Imul { size, src2, dst, .. } => {
            let bits = size.bits();
            smallvec![inst_of(Mnemonic::Imul, smallvec![reg(dst.to_reg(), bits), reg_mem(src2, bits, true, frame)])]
        }
        Inst::Unary { size, op, dst, .. } => {
            let mnemonic = match op {
                UnaryOp::Neg => Mnemonic::Neg,
                UnaryOp::Not => Mnemonic::Not,
            };
            smallvec![inst_of(mnemonic, smallvec![reg(dst.to_reg(), size.bits())])]
        }
        Inst::BitScan { size, op, src, dst } => {
            let mnemonic = match op {
                BitScan::Bsr => Mnemonic::Bsr,
                BitScan::Bsf => Mnemonic::Bsf,
            };
            let bits = size.bits();
            smallvec![inst_of(mnemonic, smallvec![reg(dst.to_reg(), bits), reg_mem(src, bits, false, frame)])]
        }
        Inst::Shift { size, kind, amount, dst, .. } => {
            let count = match amount {
                Some(n) => Operand::Imm { kind: OpKind::Immediate8, value: *n as i8 as i64 },
                None => Operand::Reg(Register::CL),
            };
            smallvec![inst_of(shift_mnemonic(*kind), smallvec![reg(dst.to_reg(), size.bits()), count])]
        }
        Inst::Div { size, signed, divisor, trap, .. } => {
            let mnemonic = if *signed { Mnemonic::Idiv } else { Mnemonic::Div };
            let mut div = inst_of(mnemonic, smallvec![reg(*divisor, size.bits())]);
            div.trap = Some(*trap);
            smallvec![div]
        }
        Inst::SignExtendData { size, .. } => smallvec![inst_of(sign_extend_mnemonic(*size), smallvec![])],
        Inst::CheckedSRem { size, divisor, .. } => {
            // cmp divisor, -1; jne 4; xor edx, edx; jmp end; 4: cdq/cqo; idiv divisor; end:
            let bits = size.bits();
            smallvec![
                inst_of(Mnemonic::Cmp, smallvec![reg(*divisor, bits), alu_imm(-1, bits)]),
                inst_of(Mnemonic::Jne, smallvec![Operand::Branch(Target::Inst(4))]),
                inst_of(Mnemonic::Xor, smallvec![Operand::Reg(Register::EDX), Operand::Reg(Register::EDX)]),
                inst_of(Mnemonic::Jmp, smallvec![Operand::Branch(Target::Inst(6))]),
                inst_of(sign_extend_mnemonic(*size), smallvec![]),
                inst_of(Mnemonic::Idiv, smallvec![reg(*divisor, bits)]),
            ]
        }
        Inst::MovRR { size, src, dst } => {
            smallvec![inst_of(Mnemonic::Mov, smallvec![reg(dst.to_reg(), size.bits()), reg(*src, size.bits())])]
        }
        Inst::Imm { size, value, dst } => {
            let dst = dst.to_reg();
            let signed = *value as i64;
            let operands = if *size == OperandSize::Size64 && signed < 0 && i32::try_from(signed).is_ok() {
                // A negative value that fits: sign-extended imm32.
                smallvec![reg(dst, 64), Operand::Imm { kind: OpKind::Immediate32to64, value: signed }]
            } else if *size != OperandSize::Size64 || *value <= u64::from(u32::MAX) {
                // Writing the 32-bit register zero-extends.
                smallvec![reg(dst, 32), Operand::Imm { kind: OpKind::Immediate32, value: *value as u32 as i32 as i64 }]
            } else {
                smallvec![reg(dst, 64), Operand::Imm { kind: OpKind::Immediate64, value: signed }]
            };
            smallvec![inst_of(Mnemonic::Mov, operands)]
        }
        Inst::MovzxRmR { mode, src, dst } => {
            // A 32-bit destination zero-extends to 64 bits, so the `Q` modes
            // are the `L` ones; from 32 bits it is a plain 32-bit `mov`.
            let src_bits = mode.src_bytes() as u32 * 8;
            let mnemonic = if src_bits == 32 { Mnemonic::Mov } else { Mnemonic::Movzx };
            smallvec![inst_of(mnemonic, smallvec![reg(dst.to_reg(), 32), reg_mem(src, src_bits, false, frame)])]
        }
        Inst::MovsxRmR { mode, src, dst } => {
            let src_bits = mode.src_bytes() as u32 * 8;
            let mnemonic = if src_bits == 32 { Mnemonic::Movsxd } else { Mnemonic::Movsx };
            let dst_bits = mode.dst_bytes() as u32 * 8;
            smallvec![inst_of(mnemonic, smallvec![reg(dst.to_reg(), dst_bits), reg_mem(src, src_bits, true, frame)])]
        }
        Inst::Mov64MR { src, dst } => {
            smallvec![inst_of(Mnemonic::Mov, smallvec![reg(dst.to_reg(), 64), mem(src, frame, MemorySize::UInt64)])]
        }
        Inst::MovRM { size, src, dst } => {
            let bits = size.bits();
            smallvec![inst_of(Mnemonic::Mov, smallvec![mem(dst, frame, memory_size(bits, false)), reg(*src, bits)])]
        }
        Inst::Lea { addr, dst } => {
            smallvec![inst_of(Mnemonic::Lea, smallvec![reg(dst.to_reg(), 64), mem(addr, frame, MemorySize::Unknown)])]
        }
        Inst::Cmp { size, op, src1, src2 } => {
            let bits = size.bits();
            let a = reg(*src1, bits);
            let operands = match (op, src2) {
                (_, RegMemImm::Reg(b)) => smallvec![a, reg(*b, bits)],
                (CmpOp::Cmp, RegMemImm::Mem(amode)) => smallvec![a, mem(amode, frame, memory_size(bits, false))],
                // `test` only has the `test r/m, r` form.
                (CmpOp::Test, RegMemImm::Mem(amode)) => smallvec![mem(amode, frame, memory_size(bits, false)), a],
                (CmpOp::Cmp, RegMemImm::Imm(value)) => smallvec![a, alu_imm(*value, bits)],
                // `test` has no imm8 form.
                (CmpOp::Test, RegMemImm::Imm(value)) => smallvec![a, imm32(*value, bits)],
            };
            let mnemonic = if *op == CmpOp::Cmp { Mnemonic::Cmp } else { Mnemonic::Test };
            smallvec![inst_of(mnemonic, operands)]
        }
        Inst::Setcc { cc, dst } => smallvec![inst_of(setcc_mnemonic(*cc), smallvec![reg(dst.to_reg(), 8)])],
        Inst::Cmove { size, cc, consequent, dst, .. } => {
            let bits = size.bits();
            smallvec![inst_of(cmov_mnemonic(*cc), smallvec![reg(dst.to_reg(), bits), reg(*consequent, bits)])]
        }
        // A jump to the label right after it is deleted by the buffer.
        Inst::Jmp { target } if fallthrough(*target) => smallvec![],
        Inst::Jmp { target } => smallvec![inst_of(Mnemonic::Jmp, smallvec![Operand::Branch(Target::Label(*target))])],
        Inst::JmpCond { cc, taken, not_taken } => {
            let jcc = |cc: CC, label: MachLabel| {
                inst_of(branch_mnemonic(cc), smallvec![Operand::Branch(Target::Label(label))])
            };
            if fallthrough(*not_taken) {
                smallvec![jcc(*cc, *taken)]
            } else if fallthrough(*taken) {
                smallvec![jcc(cc.invert(), *not_taken)]
            } else {
                smallvec![
                    jcc(*cc, *taken),
                    inst_of(Mnemonic::Jmp, smallvec![Operand::Branch(Target::Label(*not_taken))])
                ]
            }
        }
        Inst::JmpTable { index, tmp1, tmp2, default, targets } => {
            let (t1, t2) = (tmp1.to_reg(), tmp2.to_reg());
            let count = i32::try_from(targets.len()).expect("small table");
            let entry = Operand::Mem {
                base: register(t1, 64),
                index: register(t2, 64),
                scale: 4,
                displacement: 0,
                size: MemorySize::Int32,
            };
            let insts = smallvec![
                inst_of(Mnemonic::Cmp, smallvec![reg(*index, 32), alu_imm(count, 32)]),
                inst_of(Mnemonic::Jae, smallvec![Operand::Branch(Target::Label(*default))]),
                inst_of(Mnemonic::Mov, smallvec![reg(t2, 32), reg(*index, 32)]),
                inst_of(
                    Mnemonic::Lea,
                    smallvec![reg(t1, 64), Operand::RipMem { target: Target::Inst(7), size: MemorySize::Unknown }],
                ),
                inst_of(Mnemonic::Movsxd, smallvec![reg(t2, 64), entry]),
                inst_of(Mnemonic::Add, smallvec![reg(t1, 64), reg(t2, 64)]),
                inst_of(Mnemonic::Jmp, smallvec![reg(t1, 64)]),
            ];
            return Derived { insts, table: targets.clone() };
        }
        Inst::CallKnown { symbol, .. } => {
            // rel32 is 0 until the relocation is applied: the next instruction.
            let mut call = inst_of(Mnemonic::Call, smallvec![Operand::Branch(Target::Inst(1))]);
            call.call_symbol = Some(*symbol);
            smallvec![call]
        }
        Inst::CallUnknown { target, .. } => smallvec![inst_of(Mnemonic::Call, smallvec![reg(*target, 64)])],
        Inst::Ud2 { code } => {
            let mut ud2 = inst_of(Mnemonic::Ud2, smallvec![]);
            ud2.trap = Some(*code);
            smallvec![ud2]
        }
        Inst::TrapIf { cc, code } => {
            let mut ud2 = inst_of(Mnemonic::Ud2, smallvec![]);
            ud2.trap = Some(*code);
            smallvec![inst_of(branch_mnemonic(cc.invert()), smallvec![Operand::Branch(Target::Inst(2))]), ud2]
        }
        Inst::XmmRmR { size, op, src2, dst, .. } => {
            let src = match src2 {
                RegMem::Reg(r) => xmm(*r),
                RegMem::Mem(amode) => mem(amode, frame, sse_memory_size(*size, op.is_bitwise())),
            };
            smallvec![inst_of(sse_mnemonic(*op, *size), smallvec![xmm(dst.to_reg()), src])]
        }
        Inst::XmmSqrt { size, src, dst } => {
            let mnemonic = by_size(*size, Mnemonic::Sqrtss, Mnemonic::Sqrtsd);
            smallvec![inst_of(mnemonic, smallvec![xmm(dst.to_reg()), xmm(*src)])]
        }
        Inst::XmmRound { size, mode, src, dst } => {
            // Bit 3 of the immediate suppresses the inexact exception.
            let imm = Operand::Imm { kind: OpKind::Immediate8, value: (*mode | 8) as i64 };
            let mnemonic = by_size(*size, Mnemonic::Roundss, Mnemonic::Roundsd);
            smallvec![inst_of(mnemonic, smallvec![xmm(dst.to_reg()), xmm(*src), imm])]
        }
        Inst::XmmConvert { to, src, dst } => {
            let mnemonic = by_size(*to, Mnemonic::Cvtsd2ss, Mnemonic::Cvtss2sd);
            smallvec![inst_of(mnemonic, smallvec![xmm(dst.to_reg()), xmm(*src)])]
        }
        Inst::XmmMov { src, dst } => smallvec![inst_of(Mnemonic::Movaps, smallvec![xmm(dst.to_reg()), xmm(*src)])],
        Inst::XmmLoad { size, src, dst } => {
            let mnemonic = by_size(*size, Mnemonic::Movss, Mnemonic::Movsd);
            smallvec![inst_of(mnemonic, smallvec![xmm(dst.to_reg()), mem(src, frame, sse_memory_size(*size, false))])]
        }
        Inst::XmmStore { size, src, dst } => {
            let mnemonic = by_size(*size, Mnemonic::Movss, Mnemonic::Movsd);
            smallvec![inst_of(mnemonic, smallvec![mem(dst, frame, sse_memory_size(*size, false)), xmm(*src)])]
        }
        Inst::GprToXmm { size, src, dst } => {
            smallvec![inst_of(movd_mnemonic(*size), smallvec![xmm(dst.to_reg()), reg(*src, size.bits())])]
        }
        Inst::XmmToGpr { size, src, dst } => {
            smallvec![inst_of(movd_mnemonic(*size), smallvec![reg(dst.to_reg(), size.bits()), xmm(*src)])]
        }
        Inst::Ucomis { size, a, b } => {
            smallvec![inst_of(by_size(*size, Mnemonic::Ucomiss, Mnemonic::Ucomisd), smallvec![xmm(*a), xmm(*b)])]
        }
        Inst::CvtIntToFloat { int_size, size, src, dst } => {
            let mnemonic = by_size(*size, Mnemonic::Cvtsi2ss, Mnemonic::Cvtsi2sd);
            smallvec![inst_of(mnemonic, smallvec![xmm(dst.to_reg()), reg(*src, int_size.bits())])]
        }
        Inst::CvtFloatToIntTrunc { size, int_size, src, dst } => {
            let mnemonic = by_size(*size, Mnemonic::Cvttss2si, Mnemonic::Cvttsd2si);
            smallvec![inst_of(mnemonic, smallvec![reg(dst.to_reg(), int_size.bits()), xmm(*src)])]
        }
        Inst::XmmCmove { cc, consequent, dst, .. } => derive_sse::xmm_cmove(*cc, *consequent, *dst, frame).into(),
        Inst::XmmMinMax { size, is_min, rhs, dst, .. } => derive_sse::min_max(*size, *is_min, *rhs, *dst, frame).into(),
        Inst::CvtFloatToSint { size, int_size, saturating, src, dst, tmp_xmm } => {
            derive_sse::float_to_sint(*size, *int_size, *saturating, *src, *dst, *tmp_xmm, frame).into()
        }
        Inst::CvtFloatToUint { size, int_size, saturating, src, dst, tmp_gpr, tmp_xmm, tmp_xmm2 } => {
            let temps = derive_sse::UintTemps { gpr: *tmp_gpr, xmm: *tmp_xmm, xmm2: *tmp_xmm2 };
            derive_sse::float_to_uint(*size, *int_size, *saturating, *src, *dst, temps, frame).into()
        }
        Inst::CvtUint64ToFloat { size, src, dst, tmp1, tmp2 } => {
            derive_sse::uint64_to_float(*size, *src, *dst, *tmp1, *tmp2, frame).into()
        }
        Inst::Push64 { src } => smallvec![inst_of(Mnemonic::Push, smallvec![reg(*src, 64)])],
        Inst::Pop64 { dst } => smallvec![inst_of(Mnemonic::Pop, smallvec![reg(dst.to_reg(), 64)])],
    };
    Derived { insts, table: Vec::new() }
}

fn sign_extend_mnemonic(size: OperandSize) -> Mnemonic {
    if size == OperandSize::Size64 { Mnemonic::Cqo } else { Mnemonic::Cdq }
}

/// `f32` picks the `ss`/`ps` mnemonic, `f64` the `sd`/`pd` one.
fn by_size(size: FloatSize, f32: Mnemonic, f64: Mnemonic) -> Mnemonic {
    match size {
        FloatSize::F32 => f32,
        FloatSize::F64 => f64,
    }
}

/// The memory operand of a scalar (`ss`/`sd`: one element) or packed
/// bitwise (`ps`/`pd`: all 128 bits) SSE instruction.
fn sse_memory_size(size: FloatSize, packed: bool) -> MemorySize {
    match (size, packed) {
        (FloatSize::F32, false) => MemorySize::Float32,
        (FloatSize::F64, false) => MemorySize::Float64,
        (FloatSize::F32, true) => MemorySize::Packed128_Float32,
        (FloatSize::F64, true) => MemorySize::Packed128_Float64,
    }
}

fn sse_mnemonic(op: SseOp, size: FloatSize) -> Mnemonic {
    use Mnemonic::*;
    let (f32, f64) = match op {
        SseOp::Add => (Addss, Addsd),
        SseOp::Sub => (Subss, Subsd),
        SseOp::Mul => (Mulss, Mulsd),
        SseOp::Div => (Divss, Divsd),
        SseOp::Min => (Minss, Minsd),
        SseOp::Max => (Maxss, Maxsd),
        SseOp::And => (Andps, Andpd),
        SseOp::AndNot => (Andnps, Andnpd),
        SseOp::Or => (Orps, Orpd),
        SseOp::Xor => (Xorps, Xorpd),
    };
    by_size(size, f32, f64)
}

/// `movd` moves 32 bits between a GPR and an XMM register, `movq` 64.
fn movd_mnemonic(size: OperandSize) -> Mnemonic {
    if size == OperandSize::Size64 { Mnemonic::Movq } else { Mnemonic::Movd }
}
