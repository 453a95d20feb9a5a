//! The operands of one decoded x86-64 instruction, read as our operand
//! types: physical registers, `Amode`s, immediates, branch targets.
//!
//! Part of the x86-64 lifter (`lift`): iced-x86 reports an operand by kind
//! (register, memory, immediate, near branch); [`operand`] turns each into
//! an [`Op`] over our compiler's registers, or says why our operand types
//! cannot hold it (high-byte registers, segment overrides, 32-bit
//! addresses, absolute addresses, registers we never use).

use crate::common::LabelAt;
use compiler::isa::x64::inst::args::Amode;
use compiler::isa::x64::inst::regs::{gpr, xmm};
use compiler::machinst::{MachLabel, Reg};
use iced_x86::{Instruction, OpKind, Register};

/// Farthest a PC-relative target (a branch or a RIP-relative operand) may
/// be from the instruction for a case to bind a label there: the check
/// pads up to it byte by byte. Targets inside one function are closer.
pub(super) const MAX_PC_DISTANCE: i64 = 1 << 20;

/// One operand in our terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    /// A general-purpose register accessed at `bits` (8, 16, 32 or 64).
    Gpr(Reg, u32),
    /// An XMM register (0–15).
    Xmm(Reg),
    /// `[base + index << shift + disp]` of `bytes` bytes (0 when iced gives
    /// no size, as for `lea`).
    Mem(Amode, usize),
    /// `[rip + disp]`: the absolute address it refers to, and its size.
    RipMem(u64, usize),
    /// An immediate, sign-extended from its operand kind's width.
    Imm(i64),
    /// A near branch's absolute target.
    Branch(u64),
}

/// The 8-bit registers only a legacy encoding (no REX) can name.
const HIGH_BYTES: [Register; 4] = [Register::AH, Register::CH, Register::DH, Register::BH];

/// Our register for iced's general-purpose or XMM register `reg`.
pub(super) fn register(reg: Register) -> Result<Op, &'static str> {
    if HIGH_BYTES.contains(&reg) {
        return Err("high-byte register (ah/ch/dh/bh): our byte registers are spl..dil with REX");
    }
    if reg.is_gpr() {
        let full = reg.full_register();
        let enc = full.number();
        if !full.is_gpr64() || enc > 15 {
            return Err("register file we do not use");
        }
        return Ok(Op::Gpr(gpr(enc as u8), reg.size() as u32 * 8));
    }
    if reg.is_xmm() {
        return match reg.number() {
            n @ 0..=15 => Ok(Op::Xmm(xmm(n as u8))),
            _ => Err("xmm16-31 (EVEX only)"),
        };
    }
    Err("register file we do not use (segment, x87, MMX, mask, control)")
}

/// A 64-bit address register (base or index).
fn address_register(reg: Register) -> Result<Reg, &'static str> {
    if !reg.is_gpr64() {
        return Err("32-bit address (address-size prefix)");
    }
    match register(reg)? {
        Op::Gpr(r, 64) => Ok(r),
        _ => Err("32-bit address (address-size prefix)"),
    }
}

/// The memory operand of `inst`.
fn memory(inst: &Instruction) -> Result<Op, &'static str> {
    if inst.segment_prefix() != Register::None {
        return Err("segment override prefix");
    }
    let size = inst.memory_size().size();
    let base = inst.memory_base();
    if base == Register::RIP {
        return Ok(Op::RipMem(inst.ip_rel_memory_address(), size));
    }
    if base == Register::None {
        return Err("absolute address (no base register)");
    }
    let base = address_register(base)?;
    let disp = i32::try_from(inst.memory_displacement64() as i64).map_err(|_| "displacement beyond 32 bits")?;
    let amode = match inst.memory_index() {
        Register::None => Amode::ImmReg { base, disp },
        index => {
            let shift = match inst.memory_index_scale() {
                1 => 0,
                2 => 1,
                4 => 2,
                8 => 3,
                _ => return Err("index scale other than 1, 2, 4, 8"),
            };
            Amode::ImmRegRegShift { base, index: address_register(index)?, shift, disp }
        }
    };
    Ok(Op::Mem(amode, size))
}

/// An immediate operand's value at the width of its operand kind,
/// sign-extended (so `83 /0 80` and `81 /0 ffffff80` both read −128).
fn immediate(inst: &Instruction, i: u32) -> i64 {
    let raw = inst.immediate(i);
    match inst.op_kind(i) {
        OpKind::Immediate8 => raw as i8 as i64,
        OpKind::Immediate16 | OpKind::Immediate8to16 => raw as i16 as i64,
        OpKind::Immediate32 | OpKind::Immediate8to32 => raw as i32 as i64,
        _ => raw as i64,
    }
}

/// Operand `i` of `inst` in our terms.
pub(super) fn operand(inst: &Instruction, i: u32) -> Result<Op, &'static str> {
    match inst.op_kind(i) {
        OpKind::Register => register(inst.op_register(i)),
        OpKind::Memory => memory(inst),
        OpKind::Immediate8
        | OpKind::Immediate16
        | OpKind::Immediate32
        | OpKind::Immediate64
        | OpKind::Immediate8to16
        | OpKind::Immediate8to32
        | OpKind::Immediate8to64
        | OpKind::Immediate32to64 => Ok(Op::Imm(immediate(inst, i))),
        OpKind::NearBranch64 => Ok(Op::Branch(inst.near_branch64())),
        _ => Err("operand kind we never emit (far pointer, string operand, 16/32-bit branch)"),
    }
}

/// Every operand of `inst`, or the first reason one cannot be read.
pub(super) fn operands(inst: &Instruction) -> Result<Vec<Op>, &'static str> {
    (0..inst.op_count()).map(|i| operand(inst, i)).collect()
}

/// Where to bind a label so that an instruction at `address`, `len` bytes
/// long, refers to `target` with the same displacement: relative to the
/// instruction (see [`LabelAt`]).
pub(super) fn label_at(target: u64, address: u64, len: usize) -> Result<LabelAt, &'static str> {
    let relative = target.wrapping_sub(address) as i64;
    let len = len as i64;
    if relative.abs() > MAX_PC_DISTANCE {
        return Err("pc-relative target more than 1 MiB away (outside the function)");
    }
    Ok(match relative {
        0 => LabelAt::Start,
        r if r == len => LabelAt::End,
        r if r > len => LabelAt::Past((r - len) as u32),
        r if r < 0 => LabelAt::Before((-r) as u32),
        _ => return Err("pc-relative target inside the instruction itself"),
    })
}

/// The first label of a case.
pub(super) const L0: MachLabel = MachLabel(0);
/// The second label of a case.
pub(super) const L1: MachLabel = MachLabel(1);
