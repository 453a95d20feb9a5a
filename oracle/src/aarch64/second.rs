//! The AArch64 second opinion: capstone decodes the words yaxpeax-arm
//! decoded, and the two structures are compared.
//!
//! Part of the AArch64 oracle, after [`check`](super::check):
//! `Checked bytes ─▶ yaxpeax + capstone ─▶ neutral form ─▶ compare ─▶
//! SecondOpinion` (see [`crate::second`]).
//!
//! yaxpeax reports the architectural instruction (`UBFM`, `SUBS xzr, ..`,
//! `CSINC`); capstone reports the preferred alias (`lsl`, `cmp`, `cset`)
//! with the alias's operands. Both are turned into one neutral form, the
//! architectural one: capstone's aliases are expanded by the rules listed in
//! [`NORMALIZATIONS`](crate::second::NORMALIZATIONS), constants written by
//! `movz`/`movn`/`orr #imm` are compared by value, branch targets as
//! addresses, conditions as a last operand, and shifts and extensions that
//! change nothing are dropped. What is left is compared per instruction:
//! mnemonic, operand count, registers (width, number, `sp` or `zr`),
//! immediates, memory base/index/extension/displacement/writeback,
//! conditions and targets.

use crate::Checked;
use crate::second::SecondOpinion;
use capstone::arch::DetailsArchInsn;
use capstone::arch::arm64::{ArchMode, Arm64CC, Arm64Extender, Arm64Operand, Arm64OperandType, Arm64Shift};
use capstone::prelude::*;
use std::fmt;
use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv8::a64::{InstDecoder, Instruction, Opcode, Operand, SIMDSizeCode, ShiftStyle, SizeCode};

/// A register: its file (`x`, `w`, `b`, `h`, `s`, `d`, `q`), number, and
/// for number 31 of `x`/`w` whether it is `sp` (else the zero register).
#[derive(Clone, Copy, PartialEq, Eq)]
struct R {
    file: u8,
    n: u8,
    sp: bool,
}

impl R {
    fn gpr(x: bool, n: u8, sp: bool) -> R {
        R { file: if x { b'x' } else { b'w' }, n, sp: sp && n == 31 }
    }

    fn zr(x: bool) -> R {
        R::gpr(x, 31, false)
    }

    fn is_x(self) -> bool {
        self.file == b'x'
    }

    /// The same register read at `x` or `w` width.
    fn at_width(self, x: bool) -> R {
        if matches!(self.file, b'x' | b'w') { R::gpr(x, self.n, self.sp) } else { self }
    }
}

impl fmt::Debug for R {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file, self.n, self.sp) {
            (b'x', 31, true) => write!(f, "sp"),
            (b'w', 31, true) => write!(f, "wsp"),
            (file @ (b'x' | b'w'), 31, false) => write!(f, "{}zr", file as char),
            (file, n, _) => write!(f, "{}{n}", file as char),
        }
    }
}

/// A shift or extension applied to a register, after normalization.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Mod {
    /// `lsl`, `lsr`, `asr`, `ror`, `uxtb` .. `sxtx`, or empty.
    kind: &'static str,
    amount: u8,
}

impl fmt::Debug for Mod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind.is_empty() { write!(f, "-") } else { write!(f, "{} #{}", self.kind, self.amount) }
    }
}

const NO_MOD: Mod = Mod { kind: "", amount: 0 };

/// `kind #amount` on a register of `reg_x` width in an operation of
/// `op_x` width, with what changes nothing dropped: `lsl #0`, and an
/// extension from the operation's own width (`uxtx`/`sxtx` always,
/// `uxtw`/`sxtw` in a 32-bit operation), which is a plain `lsl`.
fn modifier(kind: &'static str, amount: u8, op_x: bool) -> Mod {
    let kind = match kind {
        "uxtx" | "sxtx" => "lsl",
        "uxtw" | "sxtw" if !op_x => "lsl",
        other => other,
    };
    if kind == "lsl" && amount == 0 { NO_MOD } else { Mod { kind, amount } }
}

/// One operand in the neutral form.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Reg(R, Mod),
    /// An immediate and its `lsl`.
    Imm(i64, u8),
    /// A floating-point immediate, by its bits.
    Fp(u64),
    /// `mode`: 0 offset, 1 pre-index (writeback), 2 post-index.
    Mem {
        base: R,
        index: Option<(R, Mod)>,
        disp: i64,
        mode: u8,
    },
    /// An ARM condition code (`eq` = 0).
    Cond(u8),
    /// A branch or `adr` target address.
    Addr(i64),
    /// The value a `movz`/`movn`/`orr #imm` writes.
    Const(u64),
}

/// One instruction in the neutral form.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Neutral {
    name: String,
    ops: Vec<Op>,
}

/// The width of an instruction's operation: that of its first register.
fn op_is_x(ops: &[Op]) -> bool {
    ops.iter().find_map(|op| if let Op::Reg(r, _) = op { Some(r.is_x()) } else { None }).unwrap_or(true)
}

fn mask(x: bool, value: u64) -> u64 {
    if x { value } else { value & 0xffff_ffff }
}

/// `movz`/`movn`/`orr rd, zr, #imm` as the constant they write.
fn constants(n: Neutral) -> Neutral {
    let x = op_is_x(&n.ops);
    let value = match (n.name.as_str(), n.ops.as_slice()) {
        ("movz", [Op::Reg(..), Op::Imm(v, s)]) => Some((*v as u64) << s),
        ("movn", [Op::Reg(..), Op::Imm(v, s)]) => Some(!((*v as u64) << s)),
        ("orr", [Op::Reg(..), Op::Reg(zr, NO_MOD), Op::Imm(v, 0)]) if zr.n == 31 && !zr.sp => Some(*v as u64),
        _ => None,
    };
    match value {
        Some(value) => Neutral { name: "movconst".into(), ops: vec![n.ops[0], Op::Const(mask(x, value))] },
        None => n,
    }
}

// ---------------------------------------------------------------- yaxpeax

fn shift_style(style: ShiftStyle) -> &'static str {
    match style {
        ShiftStyle::LSL => "lsl",
        ShiftStyle::LSR => "lsr",
        ShiftStyle::ASR => "asr",
        ShiftStyle::ROR => "ror",
        ShiftStyle::UXTB => "uxtb",
        ShiftStyle::UXTH => "uxth",
        ShiftStyle::UXTW => "uxtw",
        ShiftStyle::UXTX => "uxtx",
        ShiftStyle::SXTB => "sxtb",
        ShiftStyle::SXTH => "sxth",
        ShiftStyle::SXTW => "sxtw",
        ShiftStyle::SXTX => "sxtx",
    }
}

fn simd_file(size: SIMDSizeCode) -> u8 {
    match size {
        SIMDSizeCode::B => b'b',
        SIMDSizeCode::H => b'h',
        SIMDSizeCode::S => b's',
        SIMDSizeCode::D => b'd',
        SIMDSizeCode::Q => b'q',
    }
}

fn yaxpeax_operand(operand: &Operand, address: u64, op_x: bool) -> Option<Op> {
    let sp = |n: u16| R::gpr(true, n as u8, true);
    Some(match *operand {
        Operand::Nothing => return None,
        Operand::Register(size, n) => Op::Reg(R::gpr(size == SizeCode::X, n as u8, false), NO_MOD),
        Operand::RegisterOrSP(size, n) => Op::Reg(R::gpr(size == SizeCode::X, n as u8, true), NO_MOD),
        Operand::SIMDRegister(size, n) => Op::Reg(R { file: simd_file(size), n: n as u8, sp: false }, NO_MOD),
        Operand::Immediate(v) => Op::Imm(v as i64, 0),
        Operand::Imm64(v) => Op::Imm(v as i64, 0),
        Operand::Imm16(v) => Op::Imm(v as i64, 0),
        Operand::ImmShift(v, s) => Op::Imm(v as i64, s),
        Operand::ImmediateDouble(v) => Op::Fp(v.to_bits()),
        Operand::RegShift(style, amount, size, n) => {
            Op::Reg(R::gpr(size == SizeCode::X, n as u8, false), modifier(shift_style(style), amount, op_x))
        }
        Operand::RegRegOffset(base, index, size, style, amount) => Op::Mem {
            base: sp(base),
            index: Some((R::gpr(size == SizeCode::X, index as u8, false), modifier(shift_style(style), amount, true))),
            disp: 0,
            mode: 0,
        },
        Operand::RegPreIndex(base, disp, writeback) => {
            Op::Mem { base: sp(base), index: None, disp: disp as i64, mode: u8::from(writeback) }
        }
        Operand::RegPostIndex(base, disp) => Op::Mem { base: sp(base), index: None, disp: disp as i64, mode: 2 },
        Operand::ConditionCode(c) => Op::Cond(c),
        Operand::PCOffset(delta) => Op::Addr(address as i64 + delta),
        // An operand kind our emitters do not produce: never equal to
        // anything capstone reports.
        _ => Op::Fp(u64::MAX),
    })
}

fn from_yaxpeax(inst: &Instruction, address: u64) -> Neutral {
    let op_x = !matches!(inst.operands[0], Operand::Register(SizeCode::W, _) | Operand::RegisterOrSP(SizeCode::W, _))
        && !matches!(inst.operands[0], Operand::RegShift(_, _, SizeCode::W, _));
    let mut ops: Vec<Op> = inst.operands.iter().map_while(|o| yaxpeax_operand(o, address, op_x)).collect();
    let name = match inst.opcode {
        Opcode::Bcc(cond) => {
            ops.push(Op::Cond(cond));
            "bcc".to_string()
        }
        opcode => format!("{opcode:?}").to_lowercase(),
    };
    constants(Neutral { name, ops })
}

// --------------------------------------------------------------- capstone

/// A capstone register id as a neutral register, by its name.
fn register_named(name: &str) -> Option<R> {
    let (file, rest) = name.split_at(1);
    let file = file.as_bytes()[0];
    match name {
        "sp" => return Some(R::gpr(true, 31, true)),
        "wsp" => return Some(R::gpr(false, 31, true)),
        "xzr" => return Some(R::zr(true)),
        "wzr" => return Some(R::zr(false)),
        "fp" => return Some(R::gpr(true, 29, false)),
        "lr" => return Some(R::gpr(true, 30, false)),
        _ => {}
    }
    let n: u8 = rest.parse().ok()?;
    match file {
        b'x' | b'w' if n < 31 => Some(R::gpr(file == b'x', n, false)),
        b'b' | b'h' | b's' | b'd' | b'q' if n < 32 => Some(R { file, n, sp: false }),
        _ => None,
    }
}

fn extender(ext: Arm64Extender) -> &'static str {
    match ext {
        Arm64Extender::ARM64_EXT_UXTB => "uxtb",
        Arm64Extender::ARM64_EXT_UXTH => "uxth",
        Arm64Extender::ARM64_EXT_UXTW => "uxtw",
        Arm64Extender::ARM64_EXT_UXTX => "uxtx",
        Arm64Extender::ARM64_EXT_SXTB => "sxtb",
        Arm64Extender::ARM64_EXT_SXTH => "sxth",
        Arm64Extender::ARM64_EXT_SXTW => "sxtw",
        Arm64Extender::ARM64_EXT_SXTX => "sxtx",
        Arm64Extender::ARM64_EXT_INVALID => "",
    }
}

fn shift(shift: Arm64Shift) -> (&'static str, u8) {
    match shift {
        Arm64Shift::Lsl(n) => ("lsl", n as u8),
        Arm64Shift::Lsr(n) => ("lsr", n as u8),
        Arm64Shift::Asr(n) => ("asr", n as u8),
        Arm64Shift::Ror(n) => ("ror", n as u8),
        Arm64Shift::Msl(n) => ("msl", n as u8),
        Arm64Shift::Invalid => ("", 0),
    }
}

/// Capstone's shift and extension of an operand, as one modifier.
fn capstone_modifier(op: &Arm64Operand, op_x: bool) -> Mod {
    let (kind, amount) = shift(op.shift);
    match extender(op.ext) {
        "" if kind.is_empty() => NO_MOD,
        "" => modifier(kind, amount, op_x),
        ext => modifier(ext, amount, op_x),
    }
}

/// The names whose immediate operand is a target address.
fn takes_address(name: &str) -> bool {
    matches!(name, "b" | "bl" | "cbz" | "cbnz" | "tbz" | "tbnz" | "adr" | "adrp")
}

fn from_capstone(cs: &Capstone, insn: &capstone::Insn, detail: &capstone::arch::arm64::Arm64InsnDetail) -> Neutral {
    let mut name = cs.insn_name(insn.id()).unwrap_or_default();
    // Capstone reports `movz`/`movn` that print unaliased under the id `mov`.
    if let Some(text @ ("movz" | "movn")) = insn.mnemonic() {
        name = text.to_string();
    }
    let reg = |id: RegId| cs.reg_name(id).and_then(|n| register_named(&n)).unwrap_or(R { file: b'?', n: 0, sp: false });
    let operands: Vec<Arm64Operand> = detail.operands().collect();
    let op_x = operands
        .iter()
        .find_map(|o| if let Arm64OperandType::Reg(id) = o.op_type { Some(reg(id).file != b'w') } else { None })
        .unwrap_or(true);
    let mut ops = Vec::with_capacity(operands.len() + 1);
    for op in &operands {
        ops.push(match &op.op_type {
            Arm64OperandType::Reg(id) => Op::Reg(reg(*id), capstone_modifier(op, op_x)),
            Arm64OperandType::Imm(v) | Arm64OperandType::Cimm(v) if takes_address(&name) => Op::Addr(*v),
            Arm64OperandType::Imm(v) | Arm64OperandType::Cimm(v) => Op::Imm(*v, capstone_modifier(op, op_x).amount),
            Arm64OperandType::Fp(v) => Op::Fp(v.to_bits()),
            Arm64OperandType::Mem(mem) => {
                let base = reg(mem.base());
                let base = if base.n == 31 { R::gpr(true, 31, true) } else { base };
                let index = (mem.index().0 != 0).then(|| (reg(mem.index()), capstone_modifier(op, true)));
                Op::Mem { base, index, disp: mem.disp() as i64, mode: u8::from(detail.writeback()) }
            }
            _ => Op::Fp(u64::MAX - 1),
        });
    }
    // A post-index offset is capstone's extra last operand.
    if let [.., Op::Mem { mode, disp, .. }, Op::Imm(offset, 0)] = ops.as_mut_slice()
        && *mode == 1
    {
        (*mode, *disp) = (2, *offset);
        ops.pop();
    }
    let cc = detail.cc();
    if cc != Arm64CC::ARM64_CC_INVALID {
        ops.push(Op::Cond(cc as u8 - 1));
        if name == "b" {
            name = "bcc".into();
        }
    }
    constants(dealias(Neutral { name, ops }))
}

/// Capstone's alias expanded to the architectural instruction (the rules of
/// `NORMALIZATIONS`).
fn dealias(n: Neutral) -> Neutral {
    let x = op_is_x(&n.ops);
    let zr = Op::Reg(R::zr(x), NO_MOD);
    let width = if x { 64 } else { 32 };
    let imm = |v: i64| Op::Imm(v, 0);
    let ops = n.ops;
    let (name, ops): (&str, Vec<Op>) = match (n.name.as_str(), ops.as_slice()) {
        ("cmp", [a, b]) => ("subs", vec![zr, *a, *b]),
        ("cmn", [a, b]) => ("adds", vec![zr, *a, *b]),
        ("tst", [a, b]) => ("ands", vec![zr, *a, *b]),
        ("mov", [d @ Op::Reg(rd, _), m @ Op::Reg(rm, _)]) if rd.sp || rm.sp => ("add", vec![*d, *m, imm(0)]),
        ("mov", [d @ Op::Reg(..), m @ Op::Reg(..)]) => ("orr", vec![*d, zr, *m]),
        ("mov", [d @ Op::Reg(..), Op::Imm(v, s)]) => ("movconst", vec![*d, Op::Const(mask(x, (*v as u64) << s))]),
        ("neg", [d, m]) => ("sub", vec![*d, zr, *m]),
        ("negs", [d, m]) => ("subs", vec![*d, zr, *m]),
        ("mvn", [d, m]) => ("orn", vec![*d, zr, *m]),
        ("mul", [d, a, b]) => ("madd", vec![*d, *a, *b, zr]),
        ("mneg", [d, a, b]) => ("msub", vec![*d, *a, *b, zr]),
        ("lsl", [d, a, Op::Imm(s, 0)]) => ("ubfm", vec![*d, *a, imm((width - s) % width), imm(width - 1 - s)]),
        ("lsr", [d, a, Op::Imm(s, 0)]) => ("ubfm", vec![*d, *a, imm(*s), imm(width - 1)]),
        ("asr", [d, a, Op::Imm(s, 0)]) => ("sbfm", vec![*d, *a, imm(*s), imm(width - 1)]),
        ("ror", [d, a, Op::Imm(s, 0)]) => ("extr", vec![*d, *a, *a, imm(*s)]),
        ("lsl", [d, a, b @ Op::Reg(..)]) => ("lslv", vec![*d, *a, *b]),
        ("lsr", [d, a, b @ Op::Reg(..)]) => ("lsrv", vec![*d, *a, *b]),
        ("asr", [d, a, b @ Op::Reg(..)]) => ("asrv", vec![*d, *a, *b]),
        ("ror", [d, a, b @ Op::Reg(..)]) => ("rorv", vec![*d, *a, *b]),
        (ext @ ("sxtb" | "sxth" | "sxtw" | "uxtb" | "uxth"), [d, Op::Reg(a, m)]) => {
            let bits = match &ext[3..] {
                "b" => 7,
                "h" => 15,
                _ => 31,
            };
            let name = if ext.starts_with('s') { "sbfm" } else { "ubfm" };
            (name, vec![*d, Op::Reg(a.at_width(x), *m), imm(0), imm(bits)])
        }
        (op @ ("ubfx" | "sbfx" | "bfxil"), [d, a, Op::Imm(lsb, 0), Op::Imm(w, 0)]) => {
            let name = ["ubfm", "sbfm", "bfm"][["ubfx", "sbfx", "bfxil"].iter().position(|n| n == &op).unwrap_or(0)];
            (name, vec![*d, *a, imm(*lsb), imm(lsb + w - 1)])
        }
        (op @ ("ubfiz" | "sbfiz" | "bfi"), [d, a, Op::Imm(lsb, 0), Op::Imm(w, 0)]) => {
            let name = ["ubfm", "sbfm", "bfm"][["ubfiz", "sbfiz", "bfi"].iter().position(|n| n == &op).unwrap_or(0)];
            (name, vec![*d, *a, imm((width - lsb) % width), imm(w - 1)])
        }
        ("cset", [d, Op::Cond(c)]) => ("csinc", vec![*d, zr, zr, Op::Cond(c ^ 1)]),
        ("csetm", [d, Op::Cond(c)]) => ("csinv", vec![*d, zr, zr, Op::Cond(c ^ 1)]),
        ("cinc", [d, a, Op::Cond(c)]) => ("csinc", vec![*d, *a, *a, Op::Cond(c ^ 1)]),
        ("cinv", [d, a, Op::Cond(c)]) => ("csinv", vec![*d, *a, *a, Op::Cond(c ^ 1)]),
        ("cneg", [d, a, Op::Cond(c)]) => ("csneg", vec![*d, *a, *a, Op::Cond(c ^ 1)]),
        ("ret", []) => ("ret", vec![Op::Reg(R::gpr(true, 30, false), NO_MOD)]),
        _ => return Neutral { name: n.name, ops },
    };
    Neutral { name: name.into(), ops }
}

// ------------------------------------------------------------- comparison

fn capstone() -> Capstone {
    Capstone::new().arm64().mode(ArchMode::Arm).detail(true).build().expect("capstone supports AArch64")
}

thread_local! {
    static CAPSTONE: Capstone = capstone();
}

/// Capstone's opinion of what `checked` decoded to (its code, not the
/// jump table).
pub fn second_opinion(checked: &Checked) -> SecondOpinion {
    second_opinion_of(&checked.bytes[..checked.code_len])
}

/// Capstone's opinion of `code` (little-endian words at address 0)
/// compared with yaxpeax's.
pub fn second_opinion_of(code: &[u8]) -> SecondOpinion {
    CAPSTONE.with(|cs| compare(cs, code))
}

fn compare(cs: &Capstone, code: &[u8]) -> SecondOpinion {
    let decoder = InstDecoder::default();
    let mut iter = match cs.disasm_iter(code, 0) {
        Ok(iter) => iter,
        Err(error) => return SecondOpinion::Unsupported { detail: format!("capstone: {error}") },
    };
    for (k, word) in code.chunks(4).enumerate() {
        let address = 4 * k as u64;
        let Ok(inst) = decoder.decode(&mut U8Reader::new(word)) else {
            return SecondOpinion::Unsupported { detail: format!("yaxpeax cannot decode word {k}") };
        };
        let Some(insn) = iter.next() else {
            return SecondOpinion::Unsupported { detail: format!("capstone cannot decode word {k} (`{inst}`)") };
        };
        let texts =
            || (inst.to_string(), format!("{} {}", insn.mnemonic().unwrap_or("?"), insn.op_str().unwrap_or("")));
        if insn.address() != address || insn.len() != 4 {
            let found = format!("{} bytes at {:#x}", insn.len(), insn.address());
            return SecondOpinion::disagree("length", k, format!("4 bytes at {address:#x}"), found, texts());
        }
        let detail = match cs.insn_detail(&insn) {
            Ok(detail) => detail,
            Err(error) => return SecondOpinion::Unsupported { detail: format!("capstone detail: {error}") },
        };
        let arch = detail.arch_detail();
        let Some(arm64) = arch.arm64() else {
            return SecondOpinion::Unsupported { detail: "capstone gave no AArch64 detail".into() };
        };
        let ours = from_yaxpeax(&inst, address);
        let theirs = from_capstone(cs, &insn, arm64);
        if let Some((field, primary, capstone)) = difference(&ours, &theirs) {
            return SecondOpinion::disagree(field, k, primary, capstone, texts());
        }
    }
    SecondOpinion::Agree
}

fn field_of(op: &Op) -> &'static str {
    match op {
        Op::Reg(_, m) if !m.kind.is_empty() => "shift/extend",
        Op::Reg(..) => "register",
        Op::Imm(..) | Op::Fp(_) | Op::Const(_) => "immediate",
        Op::Mem { .. } => "memory",
        Op::Cond(_) => "condition",
        Op::Addr(_) => "branch target",
    }
}

/// The first field where the two neutral forms differ.
fn difference(ours: &Neutral, theirs: &Neutral) -> Option<(&'static str, String, String)> {
    if ours.name != theirs.name {
        return Some(("mnemonic", ours.name.clone(), theirs.name.clone()));
    }
    if ours.ops.len() != theirs.ops.len() {
        return Some(("operand count", format!("{:?}", ours.ops), format!("{:?}", theirs.ops)));
    }
    for (i, (a, b)) in ours.ops.iter().zip(&theirs.ops).enumerate() {
        if a != b {
            let field = match (a, b) {
                (Op::Reg(ra, _), Op::Reg(rb, _)) if ra == rb => "shift/extend",
                (Op::Mem { base, index: Some((ia, _)), .. }, Op::Mem { base: bb, index: Some((ib, _)), .. })
                    if base == bb && ia == ib =>
                {
                    "shift/extend"
                }
                _ if std::mem::discriminant(a) == std::mem::discriminant(b) => field_of(a),
                _ => "operand kind",
            };
            return Some((field, format!("operand {i}: {a:?}"), format!("operand {i}: {b:?}")));
        }
    }
    None
}

#[cfg(test)]
pub(crate) fn neutral_pair(code: &[u8]) -> (String, String) {
    CAPSTONE.with(|cs| {
        let inst = InstDecoder::default().decode(&mut U8Reader::new(code)).expect("decodes");
        let insns = cs.disasm_all(code, 0).expect("capstone decodes");
        let insn = insns.iter().next().expect("one instruction");
        let detail = cs.insn_detail(insn).expect("detail");
        let arch = detail.arch_detail();
        let theirs = from_capstone(cs, insn, arch.arm64().expect("arm64"));
        (format!("{:?}", from_yaxpeax(&inst, 0)), format!("{theirs:?}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aarch64::{arbitrary_case, check_case};
    use crate::common::Xorshift;
    use arbitrary::Unstructured;

    fn word(w: u32) -> [u8; 4] {
        w.to_le_bytes()
    }

    /// Over generated instances, capstone agrees with yaxpeax on nearly
    /// everything; what differs is yaxpeax's known `uxtw` deviation
    /// (`derive::yaxpeax_quirks`), and capstone supports everything.
    #[test]
    fn decoders_agree_on_generated_instances() {
        let mut rng = Xorshift(0x5DEE_CE66_D1CE_4E5B);
        let (mut agree, mut others) = (0, Vec::new());
        for _ in 0..3_000 {
            let mut buffer = [0u8; 128];
            rng.fill(&mut buffer);
            let case = arbitrary_case(&mut Unstructured::new(&buffer)).expect("never runs out");
            let checked = check_case(&case).unwrap_or_else(|m| panic!("{m}"));
            match second_opinion(&checked) {
                SecondOpinion::Agree => agree += 1,
                SecondOpinion::DecodersDisagree(d) if d.field == "shift/extend" && d.capstone.contains("uxtw") => {}
                other => others.push(format!("{other:?}")),
            }
        }
        assert!(others.is_empty(), "unexpected differences: {:?}", &others[..others.len().min(5)]);
        assert!(agree >= 2_900, "only {agree} of 3000 agree");
    }

    /// capstone's aliases are expanded to what yaxpeax reports.
    #[test]
    fn aliases_are_normalized() {
        let rows = [
            (0xd37df020, "lsl x0, x1, #3 = ubfm x0, x1, #61, #60"),
            (0xf100083f, "cmp x1, #2 = subs xzr, x1, #2"),
            (0x92800020, "mov x0, #-2 = movn x0, #1"),
            (0x1a9f17e0, "cset w0, eq = csinc w0, wzr, wzr, ne"),
            (0x9b027c20, "mul x0, x1, x2 = madd x0, x1, x2, xzr"),
            (0xd65f03c0, "ret = ret x30"),
            (0xf8408420, "ldr x0, [x1], #8 (post-index)"),
            (0x93407c20, "sxtw x0, w1 = sbfm x0, x1, #0, #31"),
        ];
        for (w, what) in rows {
            let opinion = second_opinion_of(&word(w));
            assert_eq!(opinion, SecondOpinion::Agree, "{what}: {:?}", neutral_pair(&word(w)));
        }
    }

    /// yaxpeax reports `uxtw` of a 64-bit extended-register add as `lsl`:
    /// a real difference between the decoders, classified as such.
    #[test]
    fn uxtw_deviation_is_a_decoder_disagreement() {
        match second_opinion_of(&word(0x8b294528)) {
            SecondOpinion::DecodersDisagree(d) => {
                assert_eq!(d.field, "shift/extend");
                assert!(d.primary.contains("lsl #1") && d.capstone.contains("uxtw #1"), "{d}");
            }
            other => panic!("add x8, x9, w9, uxtw #1: {other:?}"),
        }
    }
}
