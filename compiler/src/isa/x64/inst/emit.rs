//! x86-64 instruction encoding.
//!
//! Part of `isa/x64/inst/`, the last step of the back end for this ISA:
//! `Inst::emit` writes bytes into the generic `MachBuffer<Inst>`. The
//! encoders are small functions named after what they build:
//!
//! - REX: `0100WRXB`, needed for 64-bit operands (W), registers 8–15 in the
//!   ModR/M `reg` (R), SIB `index` (X) or `rm`/`base` (B) fields, and for
//!   byte access to `spl`/`bpl`/`sil`/`dil` (otherwise `ah`..`bh`);
//! - ModR/M `mod reg rm` and SIB `scale index base`: a base of `rsp`/`r12`
//!   (low bits 100) always needs a SIB byte; a base of `rbp`/`r13` (low bits
//!   101) with `mod = 00` would mean RIP/absolute, so it gets a zero disp8;
//!   an index of `rsp` is impossible (100 means "no index");
//! - displacements as disp8 when they fit in a signed byte, else disp32.

use crate::isa::x64::inst::args::*;
use crate::isa::x64::inst::{Inst, LabelUse};
use crate::machinst::{MachBuffer, MachInstEmit, MachLabel, RelocKind};
use crate::runtime::{TrapCode, VMOffsets};

/// The frame layout emission resolves [`FrameOffset`]s against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameLayout {
    /// Outgoing argument area at the bottom of the frame.
    pub outgoing_args_size: u32,
    /// IR stack slots above it.
    pub stack_slots_size: u32,
    /// Number of 8-byte spill slots above those.
    pub spill_slots: u32,
    /// Callee-saved registers pushed after `rbp`, in push order.
    pub callee_saves: Vec<u8>,
    /// Bytes subtracted from `rsp` after the pushes.
    pub frame_size: u32,
}

impl FrameLayout {
    /// Computes the layout; keeps `rsp` 16-byte aligned after the prologue.
    pub fn new(outgoing_args_size: u32, stack_slots_size: u32, spill_slots: u32, callee_saves: Vec<u8>) -> Self {
        let body = outgoing_args_size + stack_slots_size + spill_slots * 8;
        let pushed = callee_saves.len() as u32 * 8;
        // At entry rsp ≡ 8 (mod 16); `push rbp` makes it 0.
        let frame_size = (body + pushed).div_ceil(16) * 16 - pushed;
        Self { outgoing_args_size, stack_slots_size, spill_slots, callee_saves, frame_size }
    }

    /// Total bytes the function's frame occupies below the saved `rbp`.
    pub fn total_below_rbp(&self) -> u32 {
        self.callee_saves.len() as u32 * 8 + self.frame_size
    }
}

/// Emission state: the frame layout.
#[derive(Clone, Debug, Default)]
pub struct EmitState {
    /// The current function's frame.
    pub frame: FrameLayout,
}

/// A memory operand after frame offsets are resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mem {
    /// `[base + index << shift + disp]`.
    Base { base: u8, index: Option<(u8, u8)>, disp: i32 },
    /// `[rip + label]`.
    Rip(MachLabel),
}

/// Resolves an [`Amode`] against the frame.
pub fn resolve(amode: &Amode, frame: &FrameLayout) -> Mem {
    match *amode {
        Amode::ImmReg { base, disp } => Mem::Base { base: base.hw_enc(), index: None, disp },
        Amode::ImmRegRegShift { base, index, shift, disp } => {
            Mem::Base { base: base.hw_enc(), index: Some((index.hw_enc(), shift)), disp }
        }
        Amode::RipRelative { target } => Mem::Rip(target),
        Amode::Frame(offset) => {
            let (base, disp) = match offset {
                FrameOffset::Outgoing(o) => (4, o),
                FrameOffset::StackSlot(o) => (4, frame.outgoing_args_size + o),
                FrameOffset::Spill(i) => (4, frame.outgoing_args_size + frame.stack_slots_size + i * 8),
                FrameOffset::IncomingArg(o) => (5, 16 + o),
            };
            Mem::Base { base, index: None, disp: disp as i32 }
        }
    }
}

/// Bytes of one instruction under construction, plus its label use.
pub struct Encoding {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// A PC-relative label field: offset within `bytes`, and the label.
    pub label_use: Option<(usize, MachLabel)>,
}

impl Default for Encoding {
    /// Room for the longest x86-64 instruction (15 bytes), so building one
    /// allocates once.
    fn default() -> Self {
        Encoding { bytes: Vec::with_capacity(16), label_use: None }
    }
}

/// The REX byte for the given fields, or `None` when it is not needed.
pub fn rex(w: bool, reg: u8, index: u8, base: u8, byte_regs: bool) -> Option<u8> {
    let byte = 0x40 | (w as u8) << 3 | (reg >> 3 & 1) << 2 | (index >> 3 & 1) << 1 | (base >> 3 & 1);
    (byte != 0x40 || byte_regs).then_some(byte)
}

/// The ModR/M byte.
pub fn modrm(mode: u8, reg: u8, rm: u8) -> u8 {
    debug_assert!(mode < 4);
    mode << 6 | (reg & 7) << 3 | (rm & 7)
}

/// The SIB byte.
pub fn sib(shift: u8, index: u8, base: u8) -> u8 {
    debug_assert!(shift < 4);
    shift << 6 | (index & 7) << 3 | (base & 7)
}

/// Whether a register needs a REX prefix to be addressed as a byte
/// (`spl`, `bpl`, `sil`, `dil`).
fn byte_needs_rex(enc: u8) -> bool {
    (4..8).contains(&enc)
}

/// Encodes `[prefix] [REX] opcode ModR/M(reg, rm=register)`.
pub fn enc_rr(out: &mut Encoding, prefix: Option<u8>, w: bool, opcode: &[u8], reg: u8, rm: u8, byte_regs: bool) {
    out.bytes.extend(prefix);
    out.bytes.extend(rex(w, reg, 0, rm, byte_regs));
    out.bytes.extend_from_slice(opcode);
    out.bytes.push(modrm(3, reg, rm));
}

/// Encodes `[prefix] [REX] opcode ModR/M(reg, memory) [SIB] [disp]`.
pub fn enc_rm(out: &mut Encoding, prefix: Option<u8>, w: bool, opcode: &[u8], reg: u8, mem: Mem, byte_regs: bool) {
    out.bytes.extend(prefix);
    match mem {
        Mem::Rip(label) => {
            out.bytes.extend(rex(w, reg, 0, 0, byte_regs));
            out.bytes.extend_from_slice(opcode);
            out.bytes.push(modrm(0, reg, 5));
            out.label_use = Some((out.bytes.len(), label));
            out.bytes.extend_from_slice(&(-4i32).to_le_bytes());
        }
        Mem::Base { base, index, disp } => {
            let index_enc = index.map(|(i, _)| i).unwrap_or(0);
            assert!(index.is_none_or(|(i, _)| i != 4), "rsp cannot be an index register");
            out.bytes.extend(rex(w, reg, index_enc, base, byte_regs));
            out.bytes.extend_from_slice(opcode);
            // rbp/r13 as base cannot use mod=00 (that encodes RIP/disp32).
            let mode = if disp == 0 && base & 7 != 5 {
                0
            } else if i8::try_from(disp).is_ok() {
                1
            } else {
                2
            };
            let needs_sib = index.is_some() || base & 7 == 4;
            out.bytes.push(modrm(mode, reg, if needs_sib { 4 } else { base }));
            if needs_sib {
                let (index, shift) = index.unwrap_or((4, 0));
                out.bytes.push(sib(shift, index, base));
            }
            match mode {
                1 => out.bytes.push(disp as i8 as u8),
                2 => out.bytes.extend_from_slice(&disp.to_le_bytes()),
                _ => {}
            }
        }
    }
}

#[expect(clippy::too_many_arguments, reason = "mirrors enc_rr/enc_rm plus the operand choice")]
fn enc_reg_or_mem(
    out: &mut Encoding,
    prefix: Option<u8>,
    w: bool,
    opcode: &[u8],
    reg: u8,
    rm: &RegMem,
    frame: &FrameLayout,
    byte_regs: bool,
) {
    match rm {
        RegMem::Reg(r) => enc_rr(out, prefix, w, opcode, reg, r.hw_enc(), byte_regs),
        RegMem::Mem(amode) => enc_rm(out, prefix, w, opcode, reg, resolve(amode, frame), byte_regs),
    }
}

/// Encodes an immediate ALU form: `83 /digit ib` or `81 /digit id`.
pub fn enc_alu_imm(out: &mut Encoding, w: bool, digit: u8, rm: u8, imm: i32) {
    if let Ok(imm8) = i8::try_from(imm) {
        enc_rr(out, None, w, &[0x83], digit, rm, false);
        out.bytes.push(imm8 as u8);
    } else {
        enc_rr(out, None, w, &[0x81], digit, rm, false);
        out.bytes.extend_from_slice(&imm.to_le_bytes());
    }
}

/// Encodes `jcc rel32` with a zero-based displacement placeholder.
pub fn enc_jcc(out: &mut Encoding, cc: CC, target: MachLabel) {
    out.bytes.extend_from_slice(&[0x0F, 0x80 | cc.enc()]);
    out.label_use = Some((out.bytes.len(), target));
    out.bytes.extend_from_slice(&(-4i32).to_le_bytes());
}

/// Encodes `jmp rel32`.
pub fn enc_jmp(out: &mut Encoding, target: MachLabel) {
    out.bytes.push(0xE9);
    out.label_use = Some((out.bytes.len(), target));
    out.bytes.extend_from_slice(&(-4i32).to_le_bytes());
}

/// Appends an encoding to the buffer, recording its label use.
pub(crate) fn put(buffer: &mut MachBuffer<Inst>, encoding: Encoding) -> (u32, u32) {
    let start = buffer.cur_offset();
    if let Some((at, label)) = encoding.label_use {
        buffer.use_label_at_offset(start + at as u32, label, LabelUse::PCRel32);
    }
    buffer.put_data(&encoding.bytes);
    (start, buffer.cur_offset())
}

/// Encodes one instruction that needs no buffer services (no traps,
/// relocations or branch tracking) into bytes.
pub fn encode(inst: &Inst, frame: &FrameLayout) -> Encoding {
    let mut out = Encoding::default();
    let o = &mut out;
    match inst {
        Inst::AluRmiR { size, op, src2, dst, .. } => {
            let w = *size == OperandSize::Size64;
            let d = dst.to_reg().hw_enc();
            match src2 {
                // `op r/m, r`: 01 (add), 09 (or), 21 (and), 29 (sub), 31 (xor).
                RegMemImm::Reg(r) => enc_rr(o, None, w, &[op.digit() << 3 | 1], r.hw_enc(), d, false),
                // `op r, r/m`: 03, 0B, 23, 2B, 33.
                RegMemImm::Mem(m) => enc_rm(o, None, w, &[op.digit() << 3 | 3], d, resolve(m, frame), false),
                RegMemImm::Imm(imm) => enc_alu_imm(o, w, op.digit(), d, *imm),
            }
        }
        Inst::Imul { size, src2, dst, .. } => {
            let w = *size == OperandSize::Size64;
            enc_reg_or_mem(o, None, w, &[0x0F, 0xAF], dst.to_reg().hw_enc(), src2, frame, false);
        }
        Inst::Unary { size, op, dst, .. } => {
            let digit = match op {
                UnaryOp::Not => 2,
                UnaryOp::Neg => 3,
            };
            enc_rr(o, None, *size == OperandSize::Size64, &[0xF7], digit, dst.to_reg().hw_enc(), false);
        }
        Inst::BitScan { size, op, src, dst } => {
            let opcode = match op {
                BitScan::Bsr => [0x0F, 0xBD],
                BitScan::Bsf => [0x0F, 0xBC],
            };
            enc_reg_or_mem(o, None, *size == OperandSize::Size64, &opcode, dst.to_reg().hw_enc(), src, frame, false);
        }
        Inst::Shift { size, kind, amount, dst, .. } => {
            let w = *size == OperandSize::Size64;
            match amount {
                Some(imm) => {
                    enc_rr(o, None, w, &[0xC1], kind.digit(), dst.to_reg().hw_enc(), false);
                    o.bytes.push(*imm);
                }
                None => enc_rr(o, None, w, &[0xD3], kind.digit(), dst.to_reg().hw_enc(), false),
            }
        }
        Inst::SignExtendData { size, .. } => {
            if *size == OperandSize::Size64 {
                o.bytes.push(0x48);
            }
            o.bytes.push(0x99);
        }
        Inst::MovRR { size, src, dst } => {
            enc_rr(o, None, *size == OperandSize::Size64, &[0x89], src.hw_enc(), dst.to_reg().hw_enc(), false);
        }
        Inst::Imm { size, value, dst } => {
            let d = dst.to_reg().hw_enc();
            if *size == OperandSize::Size64 && i32::try_from(*value as i64).is_ok() && (*value as i64) < 0 {
                // mov r/m64, simm32
                enc_rr(o, None, true, &[0xC7], 0, d, false);
                o.bytes.extend_from_slice(&(*value as i32).to_le_bytes());
            } else if *size == OperandSize::Size32 || *value <= u32::MAX as u64 {
                // mov r32, imm32 (zero-extends)
                o.bytes.extend(rex(false, 0, 0, d, false));
                o.bytes.push(0xB8 | (d & 7));
                o.bytes.extend_from_slice(&(*value as u32).to_le_bytes());
            } else {
                // movabs r64, imm64
                o.bytes.extend(rex(true, 0, 0, d, false));
                o.bytes.push(0xB8 | (d & 7));
                o.bytes.extend_from_slice(&value.to_le_bytes());
            }
        }
        Inst::MovzxRmR { mode, src, dst } => {
            let d = dst.to_reg().hw_enc();
            let byte_regs = matches!(src, RegMem::Reg(r) if mode.src_bytes() == 1 && byte_needs_rex(r.hw_enc()));
            match mode {
                ExtMode::BL | ExtMode::BQ => enc_reg_or_mem(o, None, false, &[0x0F, 0xB6], d, src, frame, byte_regs),
                ExtMode::WL | ExtMode::WQ => enc_reg_or_mem(o, None, false, &[0x0F, 0xB7], d, src, frame, false),
                ExtMode::LQ => enc_reg_or_mem(o, None, false, &[0x8B], d, src, frame, false),
            }
        }
        Inst::MovsxRmR { mode, src, dst } => {
            let d = dst.to_reg().hw_enc();
            let w = mode.dst_bytes() == 8;
            let byte_regs = matches!(src, RegMem::Reg(r) if mode.src_bytes() == 1 && byte_needs_rex(r.hw_enc()));
            match mode {
                ExtMode::BL | ExtMode::BQ => enc_reg_or_mem(o, None, w, &[0x0F, 0xBE], d, src, frame, byte_regs),
                ExtMode::WL | ExtMode::WQ => enc_reg_or_mem(o, None, w, &[0x0F, 0xBF], d, src, frame, false),
                ExtMode::LQ => enc_reg_or_mem(o, None, true, &[0x63], d, src, frame, false),
            }
        }
        Inst::Mov64MR { src, dst } => enc_rm(o, None, true, &[0x8B], dst.to_reg().hw_enc(), resolve(src, frame), false),
        Inst::MovRM { size, src, dst } => {
            let s = src.hw_enc();
            let mem = resolve(dst, frame);
            match size {
                OperandSize::Size8 => enc_rm(o, None, false, &[0x88], s, mem, byte_needs_rex(s)),
                OperandSize::Size16 => enc_rm(o, Some(0x66), false, &[0x89], s, mem, false),
                OperandSize::Size32 => enc_rm(o, None, false, &[0x89], s, mem, false),
                OperandSize::Size64 => enc_rm(o, None, true, &[0x89], s, mem, false),
            }
        }
        Inst::Lea { addr, dst } => enc_rm(o, None, true, &[0x8D], dst.to_reg().hw_enc(), resolve(addr, frame), false),
        Inst::Cmp { size, op, src1, src2 } => {
            let w = *size == OperandSize::Size64;
            let a = src1.hw_enc();
            match (op, src2) {
                // cmp r/m, r: 39 /r; test r/m, r: 85 /r
                (CmpOp::Cmp, RegMemImm::Reg(b)) => enc_rr(o, None, w, &[0x39], b.hw_enc(), a, false),
                (CmpOp::Test, RegMemImm::Reg(b)) => enc_rr(o, None, w, &[0x85], b.hw_enc(), a, false),
                // cmp r, r/m: 3B /r
                (CmpOp::Cmp, RegMemImm::Mem(m)) => enc_rm(o, None, w, &[0x3B], a, resolve(m, frame), false),
                (CmpOp::Test, RegMemImm::Mem(m)) => enc_rm(o, None, w, &[0x85], a, resolve(m, frame), false),
                (CmpOp::Cmp, RegMemImm::Imm(imm)) => enc_alu_imm(o, w, 7, a, *imm),
                (CmpOp::Test, RegMemImm::Imm(imm)) => {
                    enc_rr(o, None, w, &[0xF7], 0, a, false);
                    o.bytes.extend_from_slice(&imm.to_le_bytes());
                }
            }
        }
        Inst::Setcc { cc, dst } => {
            let d = dst.to_reg().hw_enc();
            enc_rr(o, None, false, &[0x0F, 0x90 | cc.enc()], 0, d, byte_needs_rex(d));
        }
        Inst::Cmove { size, cc, consequent, dst, .. } => {
            let w = *size == OperandSize::Size64;
            enc_rr(o, None, w, &[0x0F, 0x40 | cc.enc()], dst.to_reg().hw_enc(), consequent.hw_enc(), false);
        }
        Inst::Push64 { src } => {
            let s = src.hw_enc();
            o.bytes.extend(rex(false, 0, 0, s, false));
            o.bytes.push(0x50 | (s & 7));
        }
        Inst::Pop64 { dst } => {
            let d = dst.to_reg().hw_enc();
            o.bytes.extend(rex(false, 0, 0, d, false));
            o.bytes.push(0x58 | (d & 7));
        }
        Inst::Jmp { target } => enc_jmp(o, *target),
        Inst::Ud2 { .. } => o.bytes.extend_from_slice(&[0x0F, 0x0B]),
        Inst::Div { size, signed, divisor, .. } => {
            let digit = if *signed { 7 } else { 6 };
            enc_rr(o, None, *size == OperandSize::Size64, &[0xF7], digit, divisor.hw_enc(), false);
        }
        Inst::CallUnknown { target, .. } => enc_rr(o, None, false, &[0xFF], 2, target.hw_enc(), false),
        other => match super::emit_sse::encode_sse(other, frame) {
            Some(encoding) => return encoding,
            None => panic!("encode: {other:?} needs the buffer"),
        },
    }
    out
}

impl MachInstEmit for Inst {
    type State = EmitState;

    fn emit(&self, buffer: &mut MachBuffer<Inst>, state: &mut EmitState) {
        let frame = &state.frame;
        match self {
            Inst::Args { .. } => {}
            Inst::Ret { .. } => {
                for inst in epilogue(frame) {
                    put(buffer, encode(&inst, frame));
                }
                buffer.put1(0xC3);
            }
            Inst::Jmp { target } => {
                let (start, end) = put(buffer, encode(self, frame));
                buffer.add_uncond_branch(start, end, *target);
            }
            Inst::JmpCond { cc, taken, not_taken } => {
                let mut jcc = Encoding::default();
                enc_jcc(&mut jcc, *cc, *taken);
                let mut inverted = jcc.bytes.clone();
                inverted[1] = 0x80 | cc.invert().enc();
                let (start, end) = put(buffer, jcc);
                buffer.add_cond_branch(start, end, *taken, &inverted);
                let mut jmp = Encoding::default();
                enc_jmp(&mut jmp, *not_taken);
                let (start, end) = put(buffer, jmp);
                buffer.add_uncond_branch(start, end, *not_taken);
            }
            Inst::JmpTable { index, tmp1, tmp2, default, targets } => {
                let (t1, t2) = (tmp1.to_reg().hw_enc(), tmp2.to_reg().hw_enc());
                let count = i32::try_from(targets.len()).expect("jump table too large");
                let mut e = Encoding::default();
                // cmp index32, count; jae default
                enc_alu_imm(&mut e, false, 7, index.hw_enc(), count);
                put(buffer, e);
                let mut e = Encoding::default();
                enc_jcc(&mut e, CC::NB, *default);
                put(buffer, e);
                // mov tmp2d, index32 (zero-extends the index)
                let mut e = Encoding::default();
                enc_rr(&mut e, None, false, &[0x89], index.hw_enc(), t2, false);
                put(buffer, e);
                // lea tmp1, [rip + table]
                let table = buffer.get_label();
                let mut e = Encoding::default();
                enc_rm(&mut e, None, true, &[0x8D], t1, Mem::Rip(table), false);
                put(buffer, e);
                // movsxd tmp2, dword [tmp1 + tmp2*4]
                let mut e = Encoding::default();
                enc_rm(&mut e, None, true, &[0x63], t2, Mem::Base { base: t1, index: Some((t2, 2)), disp: 0 }, false);
                put(buffer, e);
                // add tmp1, tmp2; jmp tmp1
                let mut e = Encoding::default();
                enc_rr(&mut e, None, true, &[0x01], t2, t1, false);
                enc_rr(&mut e, None, false, &[0xFF], 4, t1, false);
                put(buffer, e);
                buffer.bind_label(table);
                let table_start = buffer.cur_offset();
                for target in targets {
                    let at = buffer.cur_offset();
                    buffer.put4(at - table_start);
                    buffer.use_label_at_offset(at, *target, LabelUse::PCRel32);
                }
            }
            Inst::CallKnown { symbol, .. } => {
                buffer.put1(0xE8);
                let at = buffer.cur_offset();
                buffer.put4(0);
                buffer.add_reloc_at_offset(at, RelocKind::X86CallPCRel4, *symbol, -4);
            }
            Inst::Ud2 { code } => {
                buffer.add_trap(*code);
                buffer.put_data(&[0x0F, 0x0B]);
            }
            Inst::TrapIf { cc, code } => {
                // j!cc over the ud2.
                buffer.put_data(&[0x70 | cc.invert().enc(), 0x02]);
                buffer.add_trap(*code);
                buffer.put_data(&[0x0F, 0x0B]);
            }
            Inst::Div { trap, .. } => {
                buffer.add_trap(*trap);
                put(buffer, encode(self, frame));
            }
            Inst::CheckedSRem { size, divisor, .. } => {
                let w = *size == OperandSize::Size64;
                let mut cmp = Encoding::default();
                enc_alu_imm(&mut cmp, w, 7, divisor.hw_enc(), -1);
                let mut divide = Encoding::default();
                if w {
                    divide.bytes.push(0x48);
                }
                divide.bytes.push(0x99);
                enc_rr(&mut divide, None, w, &[0xF7], 7, divisor.hw_enc(), false);
                // jne over `xor edx, edx; jmp short`.
                buffer.put_data(&cmp.bytes);
                buffer.put_data(&[0x75, 4]);
                buffer.put_data(&[0x31, 0xD2]);
                buffer.put_data(&[0xEB, divide.bytes.len() as u8]);
                buffer.put_data(&divide.bytes);
            }
            other => {
                if !super::emit_sse::emit_sequence(other, buffer, state) {
                    put(buffer, encode(other, &state.frame));
                }
            }
        }
    }
}

/// The prologue: frame setup, stack-limit check, callee-saved pushes.
///
/// ```text
///   push rbp ; mov rbp, rsp
///   lea r11, [rsp - frame] ; cmp r11, [rdi + stack_limit] ; jae ok ; ud2 (stack overflow) ; ok:
///   push <callee-saved>... ; sub rsp, frame_size
/// ```
///
/// `rdi` holds the vmctx at entry in every function we generate.
pub fn prologue(frame: &FrameLayout) -> Vec<Inst> {
    use crate::isa::x64::inst::regs::*;
    let mut insts = vec![Inst::Push64 { src: rbp() }, Inst::mov64(writable(rbp()), rsp())];
    let below = frame.total_below_rbp() as i32;
    insts.push(Inst::Lea { addr: Amode::imm_reg(-below, rsp()), dst: writable(r11()) });
    insts.push(Inst::Cmp {
        size: OperandSize::Size64,
        op: CmpOp::Cmp,
        src1: r11(),
        src2: RegMemImm::Mem(Amode::imm_reg(VMOffsets::STACK_LIMIT as i32, rdi())),
    });
    insts.push(Inst::TrapIf { cc: CC::B, code: TrapCode::StackOverflow });
    for &enc in &frame.callee_saves {
        insts.push(Inst::Push64 { src: gpr(enc) });
    }
    if frame.frame_size > 0 {
        insts.push(Inst::AluRmiR {
            size: OperandSize::Size64,
            op: AluOp::Sub,
            src1: rsp(),
            src2: RegMemImm::Imm(frame.frame_size as i32),
            dst: writable(rsp()),
        });
    }
    insts
}

/// The epilogue before each `ret`.
pub fn epilogue(frame: &FrameLayout) -> Vec<Inst> {
    use crate::isa::x64::inst::regs::*;
    let mut insts = Vec::new();
    if frame.frame_size > 0 {
        insts.push(Inst::AluRmiR {
            size: OperandSize::Size64,
            op: AluOp::Add,
            src1: rsp(),
            src2: RegMemImm::Imm(frame.frame_size as i32),
            dst: writable(rsp()),
        });
    }
    for &enc in frame.callee_saves.iter().rev() {
        insts.push(Inst::Pop64 { dst: writable(gpr(enc)) });
    }
    insts.push(Inst::Pop64 { dst: writable(rbp()) });
    insts
}
