//! AArch64 instruction encoding.
//!
//! Part of `isa/aarch64/inst/`, the last step of the back end for this ISA:
//! `Inst::emit` writes 32-bit little-endian words into the generic
//! `MachBuffer<Inst>`. The encoders are small pure functions named after
//! the encoding class they build (`enc_arith_imm12`, `enc_logic_imm`,
//! `enc_ldst_uimm12`, `enc_cbr`, ...) and assert their field ranges.
//!
//! Pseudo-instructions expand here: `Imm` into `movz`/`movn`/`movk` or an
//! `orr` of a logical immediate ([`imm_sequence`]); `AMode::RegOffset` and
//! frame locations into the scaled 12-bit, unscaled 9-bit or register-offset
//! form (with `x17` holding a large offset); `TrapIf` into a branch over a
//! `udf`; `Ret` into the epilogue and `ret`; `JmpTable` into a bounds check,
//! `adr`, `ldrsw`, `add`, `br` and the table.

use crate::isa::aarch64::inst::args::*;
use crate::isa::aarch64::inst::args_fp::FloatSize;
use crate::isa::aarch64::inst::emit_fp::emit_fp;
use crate::isa::aarch64::inst::regs::{self, fp, lr, sp, writable, x16, x17, zero_reg};
use crate::isa::aarch64::inst::{Inst, LabelUse};
use crate::machinst::{MachBuffer, MachInstEmit, MachLabel, Reg, RelocKind, Writable};
use crate::runtime::{TrapCode, VMOffsets};

/// The frame layout emission resolves [`FrameOffset`]s against (see
/// `abi.rs` for the picture).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameLayout {
    /// Outgoing argument area at the bottom of the frame.
    pub outgoing_args_size: u32,
    /// IR stack slots above it.
    pub stack_slots_size: u32,
    /// Number of 8-byte spill slots above those.
    pub spill_slots: u32,
    /// Callee-saved registers saved below the frame record, in save order.
    pub callee_saves: Vec<u8>,
    /// Callee-saved float registers (`d8`–`d15`) saved below those, one
    /// 16-byte slot each, in save order.
    pub float_callee_saves: Vec<u8>,
    /// Bytes subtracted from `sp` after the saves (a multiple of 16).
    pub frame_size: u32,
}

impl FrameLayout {
    /// Computes the layout; keeps `sp` 16-byte aligned.
    pub fn new(outgoing_args_size: u32, stack_slots_size: u32, spill_slots: u32, callee_saves: Vec<u8>) -> Self {
        let body = outgoing_args_size + stack_slots_size + spill_slots * 8;
        Self {
            outgoing_args_size,
            stack_slots_size,
            spill_slots,
            callee_saves,
            float_callee_saves: vec![],
            frame_size: body.div_ceil(16) * 16,
        }
    }

    /// The same layout with float callee-saves.
    pub fn with_float_callee_saves(mut self, float_callee_saves: Vec<u8>) -> Self {
        self.float_callee_saves = float_callee_saves;
        self
    }

    /// Bytes of the callee-save area (pairs of 8-byte slots for integer
    /// registers, a 16-byte slot per float register).
    pub fn saves_size(&self) -> u32 {
        (self.callee_saves.len() as u32).div_ceil(2) * 16 + self.float_callee_saves.len() as u32 * 16
    }

    /// Total bytes the function's frame occupies below the frame record.
    pub fn total_below_fp(&self) -> u32 {
        self.saves_size() + self.frame_size
    }

    /// The base register and byte offset of a frame location.
    pub fn resolve(&self, offset: FrameOffset) -> (Reg, i64) {
        match offset {
            FrameOffset::Outgoing(o) => (sp(), o as i64),
            FrameOffset::StackSlot(o) => (sp(), (self.outgoing_args_size + o) as i64),
            FrameOffset::Spill(i) => (sp(), (self.outgoing_args_size + self.stack_slots_size + i * 8) as i64),
            FrameOffset::IncomingArg(o) => (fp(), 16 + o as i64),
        }
    }
}

/// Emission state: the frame layout.
#[derive(Clone, Debug, Default)]
pub struct EmitState {
    /// The current function's frame.
    pub frame: FrameLayout,
}

fn r(reg: Reg) -> u32 {
    let enc = reg.hw_enc() as u32;
    assert!(enc < 32, "x{enc} is not a general-purpose register");
    enc
}

fn rw(reg: Writable<Reg>) -> u32 {
    r(reg.to_reg())
}

/// Add/sub (shifted register): `sf op S 01011 shift 0 Rm imm6 Rn Rd`, and
/// logical (shifted register): `sf opc 01010 shift N=0 Rm imm6 Rn Rd`.
pub fn enc_alu_shift(op: AluOp, size: OperandSize, rd: u32, rn: u32, rm: u32, shift: ShiftOp, amount: u8) -> u32 {
    assert!((amount as u32) < size.bits(), "shift amount {amount} out of range");
    let base = match op {
        AluOp::Add => 0x0B00_0000,
        AluOp::AddS => 0x2B00_0000,
        AluOp::Sub => 0x4B00_0000,
        AluOp::SubS => 0x6B00_0000,
        AluOp::And => 0x0A00_0000,
        AluOp::Orr => 0x2A00_0000,
        AluOp::Eor => 0x4A00_0000,
        AluOp::AndS => 0x6A00_0000,
        other => panic!("{other:?} has no shifted-register form"),
    };
    assert!(!(op.is_arith() && shift == ShiftOp::Ror), "add/sub cannot rotate");
    base | size.sf() << 31 | shift.bits() << 22 | rm << 16 | (amount as u32) << 10 | rn << 5 | rd
}

/// Data-processing (2 source): `sf 0 0 11010110 Rm opcode Rn Rd`.
pub fn enc_two_source(op: AluOp, size: OperandSize, rd: u32, rn: u32, rm: u32) -> u32 {
    let opcode = match op {
        AluOp::UDiv => 0b000010,
        AluOp::SDiv => 0b000011,
        AluOp::Lslv => 0b001000,
        AluOp::Lsrv => 0b001001,
        AluOp::Asrv => 0b001010,
        AluOp::Rorv => 0b001011,
        other => panic!("{other:?} is not a two-source operation"),
    };
    0x1AC0_0000 | size.sf() << 31 | rm << 16 | opcode << 10 | rn << 5 | rd
}

/// Add/sub (extended register): `sf op S 01011 00 1 Rm option imm3 Rn Rd`.
pub fn enc_arith_extend(op: AluOp, size: OperandSize, rd: u32, rn: u32, rm: u32, extend: ExtendOp, shift: u8) -> u32 {
    assert!(shift <= 4, "extended-register shift {shift} out of range");
    enc_alu_shift(op, size, rd, rn, rm, ShiftOp::Lsl, 0) | 1 << 21 | extend.bits() << 13 | (shift as u32) << 10
}

/// Add/sub (immediate): `sf op S 100010 sh imm12 Rn Rd`.
pub fn enc_arith_imm12(op: AluOp, size: OperandSize, rd: u32, rn: u32, imm: Imm12) -> u32 {
    let base = match op {
        AluOp::Add => 0x1100_0000,
        AluOp::AddS => 0x3100_0000,
        AluOp::Sub => 0x5100_0000,
        AluOp::SubS => 0x7100_0000,
        other => panic!("{other:?} has no 12-bit immediate form"),
    };
    assert!(imm.bits < 0x1000);
    base | size.sf() << 31 | (imm.shift12 as u32) << 22 | (imm.bits as u32) << 10 | rn << 5 | rd
}

/// Logical (immediate): `sf opc 100100 N immr imms Rn Rd`.
pub fn enc_logic_imm(op: AluOp, size: OperandSize, rd: u32, rn: u32, imm: ImmLogic) -> u32 {
    let base = match op {
        AluOp::And => 0x1200_0000,
        AluOp::Orr => 0x3200_0000,
        AluOp::Eor => 0x5200_0000,
        AluOp::AndS => 0x7200_0000,
        other => panic!("{other:?} has no logical-immediate form"),
    };
    assert_eq!(imm.size, size, "logical immediate made for another width");
    base | size.sf() << 31 | imm.enc_bits() << 10 | rn << 5 | rd
}

/// Bitfield move: `sf opc 100110 N immr imms Rn Rd` (`opc` 00 `sbfm`, 10
/// `ubfm`; `N` = `sf`).
pub fn enc_bfm(signed: bool, size: OperandSize, rd: u32, rn: u32, immr: u32, imms: u32) -> u32 {
    assert!(immr < size.bits() && imms < size.bits(), "bitfield field out of range");
    let opc = if signed { 0 } else { 2 };
    0x1300_0000 | size.sf() << 31 | opc << 29 | size.sf() << 22 | immr << 16 | imms << 10 | rn << 5 | rd
}

/// `extr rd, rn, rm, #lsb`: `sf 00 100111 N 0 Rm imms Rn Rd`.
pub fn enc_extr(size: OperandSize, rd: u32, rn: u32, rm: u32, lsb: u32) -> u32 {
    assert!(lsb < size.bits());
    0x1380_0000 | size.sf() << 31 | size.sf() << 22 | rm << 16 | lsb << 10 | rn << 5 | rd
}

/// Data-processing (3 source): `sf 00 11011 000 Rm o0 Ra Rn Rd`.
pub fn enc_three_source(op: AluOp3, size: OperandSize, rd: u32, rn: u32, rm: u32, ra: u32) -> u32 {
    let o0 = match op {
        AluOp3::MAdd => 0,
        AluOp3::MSub => 1,
    };
    0x1B00_0000 | size.sf() << 31 | rm << 16 | o0 << 15 | ra << 10 | rn << 5 | rd
}

/// Data-processing (1 source): `sf 1 0 11010110 00000 opcode Rn Rd`.
pub fn enc_one_source(op: BitOp, size: OperandSize, rd: u32, rn: u32) -> u32 {
    let opcode = match op {
        BitOp::Rbit => 0b000000,
        BitOp::Clz => 0b000100,
    };
    0x5AC0_0000 | size.sf() << 31 | opcode << 10 | rn << 5 | rd
}

/// Move wide (immediate): `sf opc 100101 hw imm16 Rd` (`opc` 00 `movn`, 10
/// `movz`, 11 `movk`).
pub fn enc_move_wide(opc: u32, size: OperandSize, rd: u32, imm: MoveWideConst) -> u32 {
    assert!((imm.shift as u32) < size.bits() / 16, "move-wide shift out of range for the width");
    0x1280_0000 | size.sf() << 31 | opc << 29 | (imm.shift as u32) << 21 | (imm.bits as u32) << 5 | rd
}

/// Conditional select: `sf 0 0 11010100 Rm cond 0 o2 Rn Rd` (`o2` 0 `csel`,
/// 1 `csinc`).
pub fn enc_csel(csinc: bool, size: OperandSize, rd: u32, rn: u32, rm: u32, cond: Cond) -> u32 {
    0x1A80_0000 | size.sf() << 31 | rm << 16 | cond.bits() << 12 | (csinc as u32) << 10 | rn << 5 | rd
}

/// Conditional compare (immediate): `sf 1 1 11010010 imm5 cond 1 0 Rn 0 nzcv`.
pub fn enc_ccmp_imm(size: OperandSize, rn: u32, imm: u8, nzcv: u8, cond: Cond) -> u32 {
    assert!(imm < 32 && nzcv < 16, "ccmp field out of range");
    0x7A40_0800 | size.sf() << 31 | (imm as u32) << 16 | cond.bits() << 12 | rn << 5 | nzcv as u32
}

/// Load/store (unsigned immediate): `size 111 0 01 opc imm12 Rn Rt`, with
/// the byte offset scaled by the access size.
pub fn enc_ldst_uimm12(size_opc: (u32, u32), rt: u32, rn: u32, offset: u32) -> u32 {
    let scale = 1 << size_opc.0;
    assert!(offset.is_multiple_of(scale) && offset / scale < 0x1000, "offset {offset} not a scaled 12-bit value");
    0x3900_0000 | size_opc.0 << 30 | size_opc.1 << 22 | (offset / scale) << 10 | rn << 5 | rt
}

/// Load/store with a 9-bit signed offset: `size 111 0 00 opc 0 imm9 idx Rn
/// Rt` (`idx` 00 unscaled `ldur`/`stur`, 01 post-indexed, 11 pre-indexed).
pub fn enc_ldst_simm9(size_opc: (u32, u32), rt: u32, rn: u32, offset: i16, idx: u32) -> u32 {
    assert!((-256..=255).contains(&offset), "offset {offset} not a signed 9-bit value");
    0x3800_0000 | size_opc.0 << 30 | size_opc.1 << 22 | (offset as u32 & 0x1ff) << 12 | idx << 10 | rn << 5 | rt
}

/// Load/store (register offset): `size 111 0 00 opc 1 Rm option S 10 Rn Rt`.
pub fn enc_ldst_reg(size_opc: (u32, u32), rt: u32, rn: u32, rm: u32, extend: ExtendOp, scaled: bool) -> u32 {
    assert!(
        matches!(extend, ExtendOp::Uxtw | ExtendOp::Uxtx | ExtendOp::Sxtw | ExtendOp::Sxtx),
        "{extend:?} is not an address extension"
    );
    0x3820_0800
        | size_opc.0 << 30
        | size_opc.1 << 22
        | rm << 16
        | extend.bits() << 13
        | (scaled as u32) << 12
        | rn << 5
        | rt
}

/// Load/store pair of `x` registers: `10 101 0 mode L imm7 Rt2 Rn Rt`
/// (`mode` 001 post-indexed, 010 signed offset, 011 pre-indexed).
pub fn enc_ldst_pair(load: bool, rt: u32, rt2: u32, mem: &PairAMode) -> u32 {
    let mode = match mem {
        PairAMode::PostIndexed { .. } => 1,
        PairAMode::SignedOffset { .. } => 2,
        PairAMode::PreIndexed { .. } => 3,
    };
    let offset = mem.offset();
    assert!(offset % 8 == 0 && (-512..=504).contains(&offset), "pair offset {offset} out of range");
    let imm7 = (offset / 8) as u32 & 0x7f;
    0xA800_0000 | mode << 23 | (load as u32) << 22 | imm7 << 15 | rt2 << 10 | r(mem.base()) << 5 | rt
}

/// `b`/`bl` with a 26-bit word offset: `op 00101 imm26`.
pub fn enc_jump26(base: u32, words: i32) -> u32 {
    assert!((-(1 << 25)..(1 << 25)).contains(&words));
    base | (words as u32 & 0x03FF_FFFF)
}

/// A conditional branch with a 19-bit word offset: `b.cond`
/// (`01010100 imm19 0 cond`) or `cbz`/`cbnz` (`sf 011010 op imm19 Rt`).
pub fn enc_cbr(kind: CondBrKind, words: i32) -> u32 {
    assert!((-(1 << 18)..(1 << 18)).contains(&words));
    let imm19 = (words as u32 & 0x7ffff) << 5;
    match kind {
        CondBrKind::Cond(cond) => 0x5400_0000 | imm19 | cond.bits(),
        CondBrKind::Zero(reg, size) => 0x3400_0000 | size.sf() << 31 | imm19 | r(reg),
        CondBrKind::NotZero(reg, size) => 0x3500_0000 | size.sf() << 31 | imm19 | r(reg),
    }
}

/// `adr rd, #offset`: `0 immlo 10000 immhi Rd`.
pub fn enc_adr(rd: u32, offset: i32) -> u32 {
    assert!((-(1 << 20)..(1 << 20)).contains(&offset));
    let imm = offset as u32;
    0x1000_0000 | (imm & 3) << 29 | ((imm >> 2) & 0x7ffff) << 5 | rd
}

/// `br`/`blr`/`ret rn`: `1101011 0 0 op 11111 000000 Rn 00000`.
pub fn enc_branch_reg(op: u32, rn: u32) -> u32 {
    0xD61F_0000 | op << 21 | rn << 5
}

/// The instructions that load `value` (masked to `size`) into `rd`: one
/// `movz` or `movn` when all other halfwords are 0 or all ones, one `orr`
/// from the zero register when it is a logical immediate, otherwise
/// `movz`/`movn` and a `movk` for each remaining halfword.
pub fn imm_sequence(size: OperandSize, value: u64, rd: Writable<Reg>) -> Vec<Inst> {
    let value = value & size.mask();
    let halves = (size.bits() / 16) as u8;
    let chunk = |i: u8| (value >> (16 * i as u32)) as u16;
    let zero_chunks = (0..halves).filter(|&i| chunk(i) == 0).count() as u8;
    let ones_chunks = (0..halves).filter(|&i| chunk(i) == 0xffff).count() as u8;
    let mov_wide = |op, bits, shift| Inst::MovWide { op, size, rd, imm: MoveWideConst::new(bits, shift) };
    if zero_chunks >= halves - 1 {
        let shift = (0..halves).find(|&i| chunk(i) != 0).unwrap_or(0);
        return vec![mov_wide(MoveWideOp::MovZ, chunk(shift), shift)];
    }
    if ones_chunks >= halves - 1 {
        let shift = (0..halves).find(|&i| chunk(i) != 0xffff).unwrap_or(0);
        return vec![mov_wide(MoveWideOp::MovN, !chunk(shift), shift)];
    }
    if let Some(imm) = ImmLogic::maybe_from_u64(value, size) {
        return vec![Inst::AluRRImmLogic { op: AluOp::Orr, size, rd, rn: zero_reg(), imm }];
    }
    // Start from all ones when more halfwords are 0xffff than 0.
    let (op, skip) = if ones_chunks > zero_chunks { (MoveWideOp::MovN, 0xffff) } else { (MoveWideOp::MovZ, 0) };
    let mut insts = Vec::new();
    for shift in (0..halves).filter(|&i| chunk(i) != skip) {
        if insts.is_empty() {
            let bits = if op == MoveWideOp::MovN { !chunk(shift) } else { chunk(shift) };
            insts.push(mov_wide(op, bits, shift));
        } else {
            insts.push(Inst::MovK { size, rd, rn: rd.to_reg(), imm: MoveWideConst::new(chunk(shift), shift) });
        }
    }
    insts
}

/// A single-register address after frame locations and large offsets are
/// resolved; `x17` may have been loaded with the offset.
pub fn resolve_amode(buffer: &mut MachBuffer<Inst>, state: &mut EmitState, mem: &AMode, access_bytes: u32) -> AMode {
    let (rn, offset) = match *mem {
        AMode::RegOffset { rn, offset } => (rn, offset),
        AMode::Frame(location) => state.frame.resolve(location),
        other => return other,
    };
    let scale = access_bytes as i64;
    if offset >= 0 && offset % scale == 0 && offset / scale < 0x1000 {
        AMode::UnsignedOffset { rn, offset: offset as u32 }
    } else if (-256..=255).contains(&offset) {
        AMode::Unscaled { rn, offset: offset as i16 }
    } else {
        for inst in imm_sequence(OperandSize::Size64, offset as u64, writable(x17())) {
            inst.emit(buffer, state);
        }
        AMode::RegExtended { rn, rm: x17(), extend: ExtendOp::Uxtx, scaled: false }
    }
}

/// Encodes a single-register load or store at a resolved address.
pub fn enc_ldst(size_opc: (u32, u32), rt: u32, mem: &AMode) -> u32 {
    match *mem {
        AMode::UnsignedOffset { rn, offset } => enc_ldst_uimm12(size_opc, rt, r(rn), offset),
        AMode::Unscaled { rn, offset } => enc_ldst_simm9(size_opc, rt, r(rn), offset, 0b00),
        AMode::PostIndexed { rn, offset } => enc_ldst_simm9(size_opc, rt, r(rn), offset, 0b01),
        AMode::PreIndexed { rn, offset } => enc_ldst_simm9(size_opc, rt, r(rn), offset, 0b11),
        AMode::RegExtended { rn, rm, extend, scaled } => enc_ldst_reg(size_opc, rt, r(rn), r(rm), extend, scaled),
        AMode::RegOffset { .. } | AMode::Frame(_) => panic!("unresolved address {mem:?}"),
    }
}

/// `sp = sp ± amount` in as few instructions as fit: one or two add/sub
/// immediates, or `x17` and an extended-register add/sub.
pub fn sp_adjust(op: AluOp, amount: u32) -> Vec<Inst> {
    let rd = writable(sp());
    let size = OperandSize::Size64;
    if amount == 0 {
        return vec![];
    }
    if let Some(imm) = Imm12::maybe_from_u64(amount as u64) {
        return vec![Inst::AluRRImm12 { op, size, rd, rn: sp(), imm }];
    }
    if amount < 0x100_0000 {
        let high = Imm12 { bits: (amount >> 12) as u16, shift12: true };
        let low = Imm12 { bits: (amount & 0xfff) as u16, shift12: false };
        return vec![
            Inst::AluRRImm12 { op, size, rd, rn: sp(), imm: high },
            Inst::AluRRImm12 { op, size, rd, rn: sp(), imm: low },
        ];
    }
    let mut insts = imm_sequence(size, amount as u64, writable(x17()));
    insts.push(Inst::AluRRRExtend { op, size, rd, rn: sp(), rm: x17(), extend: ExtendOp::Uxtx, shift: 0 });
    insts
}

/// Emits the jump over an island (`b after`); the closure `VCode::emit`
/// and jump tables hand to `MachBuffer::emit_island`.
pub fn emit_island_jump(buffer: &mut MachBuffer<Inst>, after: MachLabel) {
    buffer.use_label_at_offset(buffer.cur_offset(), after, LabelUse::Branch26);
    buffer.put4(enc_jump26(0x1400_0000, 0));
}

fn emit_jmp_table(
    buffer: &mut MachBuffer<Inst>,
    state: &mut EmitState,
    index: Reg,
    (tmp1, tmp2): (u32, u32),
    default: MachLabel,
    targets: &[MachLabel],
) {
    // The code and table are emitted in one piece: make room first.
    let size = 4 * (8 + targets.len() as u32);
    if buffer.island_needed(size) {
        buffer.emit_island(emit_island_jump);
    }
    let count = targets.len() as u64;
    let cmp = match Imm12::maybe_from_u64(count) {
        Some(imm) => {
            Inst::AluRRImm12 { op: AluOp::SubS, size: OperandSize::Size32, rd: writable(zero_reg()), rn: index, imm }
        }
        None => {
            Inst::Imm { size: OperandSize::Size32, value: count, rd: writable(x17()) }.emit(buffer, state);
            Inst::AluRRR { op: AluOp::SubS, size: OperandSize::Size32, rd: writable(zero_reg()), rn: index, rm: x17() }
        }
    };
    cmp.emit(buffer, state);
    // b.hs default
    buffer.use_label_at_offset(buffer.cur_offset(), default, LabelUse::Branch19);
    buffer.put4(enc_cbr(CondBrKind::Cond(Cond::Hs), 0));
    // adr tmp1, table
    let table = buffer.get_label();
    buffer.use_label_at_offset(buffer.cur_offset(), table, LabelUse::Adr21);
    buffer.put4(enc_adr(tmp1, 0));
    // ldrsw tmp2, [tmp1, w_index, uxtw #2]
    buffer.put4(enc_ldst_reg(LoadOp::Ldrsw.size_opc(), tmp2, tmp1, r(index), ExtendOp::Uxtw, true));
    // add tmp1, tmp1, tmp2; br tmp1
    buffer.put4(enc_alu_shift(AluOp::Add, OperandSize::Size64, tmp1, tmp1, tmp2, ShiftOp::Lsl, 0));
    buffer.put4(enc_branch_reg(0b00, tmp1));
    buffer.bind_label(table);
    let table_start = buffer.cur_offset();
    for target in targets {
        let at = buffer.cur_offset();
        buffer.put4(at - table_start);
        buffer.use_label_at_offset(at, *target, LabelUse::PCRel32);
    }
}

impl MachInstEmit for Inst {
    type State = EmitState;

    fn emit(&self, buffer: &mut MachBuffer<Inst>, state: &mut EmitState) {
        let word = match self {
            Inst::Args { .. } => return,
            Inst::Ret { .. } => {
                for inst in epilogue(&state.frame) {
                    inst.emit(buffer, state);
                }
                enc_branch_reg(0b10, r(lr()))
            }
            Inst::AluRRR { op, size, rd, rn, rm } if op.is_arith() || op.is_logical() => {
                enc_alu_shift(*op, *size, rw(*rd), r(*rn), r(*rm), ShiftOp::Lsl, 0)
            }
            Inst::AluRRR { op, size, rd, rn, rm } => enc_two_source(*op, *size, rw(*rd), r(*rn), r(*rm)),
            Inst::AluRRRShift { op, size, rd, rn, rm, shift, amount } => {
                enc_alu_shift(*op, *size, rw(*rd), r(*rn), r(*rm), *shift, *amount)
            }
            Inst::AluRRRExtend { op, size, rd, rn, rm, extend, shift } => {
                enc_arith_extend(*op, *size, rw(*rd), r(*rn), r(*rm), *extend, *shift)
            }
            Inst::AluRRImm12 { op, size, rd, rn, imm } => enc_arith_imm12(*op, *size, rw(*rd), r(*rn), *imm),
            Inst::AluRRImmLogic { op, size, rd, rn, imm } => enc_logic_imm(*op, *size, rw(*rd), r(*rn), *imm),
            Inst::ShiftImm { op, size, rd, rn, amount } => {
                let (bits, s) = (size.bits(), *amount as u32);
                assert!(s < bits, "shift amount {s} out of range");
                match op {
                    ShiftOp::Lsl => enc_bfm(false, *size, rw(*rd), r(*rn), (bits - s) % bits, bits - 1 - s),
                    ShiftOp::Lsr => enc_bfm(false, *size, rw(*rd), r(*rn), s, bits - 1),
                    ShiftOp::Asr => enc_bfm(true, *size, rw(*rd), r(*rn), s, bits - 1),
                    ShiftOp::Ror => enc_extr(*size, rw(*rd), r(*rn), r(*rn), s),
                }
            }
            Inst::AluRRRR { op, size, rd, rn, rm, ra } => enc_three_source(*op, *size, rw(*rd), r(*rn), r(*rm), r(*ra)),
            Inst::BitRR { op, size, rd, rn } => enc_one_source(*op, *size, rw(*rd), r(*rn)),
            Inst::Extend { rd, rn, signed, from_bits, to_bits } => {
                let from = *from_bits as u32;
                assert!(matches!(from, 8 | 16 | 32) && from < *to_bits as u32, "bad extension {from} -> {to_bits}");
                if *signed {
                    enc_bfm(true, OperandSize::of(*to_bits == 64), rw(*rd), r(*rn), 0, from - 1)
                } else if from == 32 {
                    // mov wd, wn: 32-bit writes zero the upper half.
                    enc_alu_shift(AluOp::Orr, OperandSize::Size32, rw(*rd), 31, r(*rn), ShiftOp::Lsl, 0)
                } else {
                    enc_bfm(false, OperandSize::Size32, rw(*rd), r(*rn), 0, from - 1)
                }
            }
            Inst::Mov { size, rd, rm } => enc_alu_shift(AluOp::Orr, *size, rw(*rd), 31, r(*rm), ShiftOp::Lsl, 0),
            Inst::MovWide { op, size, rd, imm } => {
                let opc = match op {
                    MoveWideOp::MovN => 0b00,
                    MoveWideOp::MovZ => 0b10,
                };
                enc_move_wide(opc, *size, rw(*rd), *imm)
            }
            Inst::MovK { size, rd, rn, imm } => {
                assert_eq!(rd.to_reg(), *rn, "movk must reuse its source register");
                enc_move_wide(0b11, *size, rw(*rd), *imm)
            }
            Inst::Imm { size, value, rd } => {
                for inst in imm_sequence(*size, *value, *rd) {
                    inst.emit(buffer, state);
                }
                return;
            }
            Inst::CSel { size, cond, rd, rn, rm } => enc_csel(false, *size, rw(*rd), r(*rn), r(*rm), *cond),
            Inst::CSet { size, cond, rd } => enc_csel(true, *size, rw(*rd), 31, 31, cond.invert()),
            Inst::CCmpImm { size, rn, imm, nzcv, cond } => enc_ccmp_imm(*size, r(*rn), *imm, *nzcv, *cond),
            Inst::Load { op, rd, mem } => {
                let mem = resolve_amode(buffer, state, mem, op.access_bytes());
                enc_ldst(op.size_opc(), rw(*rd), &mem)
            }
            Inst::LoadAddr { rd, mem } => {
                let (rn, offset) = match *mem {
                    AMode::RegOffset { rn, offset } => (rn, offset),
                    AMode::Frame(location) => state.frame.resolve(location),
                    other => panic!("LoadAddr of {other:?}"),
                };
                let size = OperandSize::Size64;
                let rd = *rd;
                let magnitude = Imm12::maybe_from_u64(offset.unsigned_abs());
                let inst = match magnitude {
                    Some(imm) if offset >= 0 => Inst::AluRRImm12 { op: AluOp::Add, size, rd, rn, imm },
                    Some(imm) => Inst::AluRRImm12 { op: AluOp::Sub, size, rd, rn, imm },
                    None => {
                        for inst in imm_sequence(size, offset as u64, writable(x17())) {
                            inst.emit(buffer, state);
                        }
                        Inst::AluRRRExtend { op: AluOp::Add, size, rd, rn, rm: x17(), extend: ExtendOp::Uxtx, shift: 0 }
                    }
                };
                inst.emit(buffer, state);
                return;
            }
            Inst::Store { op, rt, mem } => {
                let mem = resolve_amode(buffer, state, mem, op.access_bytes());
                enc_ldst((op.size_bits(), 0), r(*rt), &mem)
            }
            Inst::StoreP64 { rt, rt2, mem } => enc_ldst_pair(false, r(*rt), r(*rt2), mem),
            Inst::LoadP64 { rt, rt2, mem } => enc_ldst_pair(true, rw(*rt), rw(*rt2), mem),
            Inst::Jump { target } => {
                let start = buffer.cur_offset();
                buffer.use_label_at_offset(start, *target, LabelUse::Branch26);
                buffer.put4(enc_jump26(0x1400_0000, 0));
                buffer.add_uncond_branch(start, start + 4, *target);
                return;
            }
            Inst::CondBr { kind, taken, not_taken } => {
                let start = buffer.cur_offset();
                buffer.use_label_at_offset(start, *taken, LabelUse::Branch19);
                buffer.put4(enc_cbr(*kind, 0));
                let inverted = enc_cbr(kind.invert(), 0).to_le_bytes();
                buffer.add_cond_branch(start, start + 4, *taken, &inverted);
                Inst::Jump { target: *not_taken }.emit(buffer, state);
                return;
            }
            Inst::JmpTable { index, tmp1, tmp2, default, targets } => {
                emit_jmp_table(buffer, state, *index, (rw(*tmp1), rw(*tmp2)), *default, targets);
                return;
            }
            Inst::Call { symbol, .. } => {
                buffer.add_reloc_at_offset(buffer.cur_offset(), RelocKind::Arm64Call, *symbol, 0);
                enc_jump26(0x9400_0000, 0)
            }
            Inst::CallInd { target, .. } => enc_branch_reg(0b01, r(*target)),
            Inst::Udf { code } => {
                buffer.add_trap(*code);
                code.as_u8() as u32
            }
            Inst::TrapIf { kind, code } => {
                // Branch over the `udf` (two words ahead) unless `kind` holds.
                buffer.put4(enc_cbr(kind.invert(), 2));
                buffer.add_trap(*code);
                code.as_u8() as u32
            }
            Inst::FpuRRR { .. }
            | Inst::FpuRR { .. }
            | Inst::FpuCvt { .. }
            | Inst::FpuCmp { .. }
            | Inst::FpuCSel { .. }
            | Inst::IntToFpu { .. }
            | Inst::FpuToInt { .. }
            | Inst::MovToFpu { .. }
            | Inst::MovFromFpu { .. }
            | Inst::FpuLoad { .. }
            | Inst::FpuStore { .. } => emit_fp(self, buffer, state),
        };
        buffer.put4(word);
    }
}

/// The prologue: frame record, stack-limit check, callee-saved stores.
///
/// ```text
///   stp x29, x30, [sp, #-16]! ; mov x29, sp
///   sub x17, sp, #below ; ldr x16, [x0, #stack_limit] ; cmp x17, x16
///   b.hs ok ; udf #stack_overflow ; ok:
///   stp x19, x20, [sp, #-16]! ...  (str x.., [sp, #-16]! for an odd one)
///   str d8, [sp, #-16]! ...          (float callee-saves, one slot each)
///   sub sp, sp, #frame_size
/// ```
///
/// `x0` holds the vmctx at entry in every function we generate; `x16` and
/// `x17` are free at a call boundary.
pub fn prologue(frame: &FrameLayout) -> Vec<Inst> {
    let size = OperandSize::Size64;
    let mut insts = vec![
        Inst::StoreP64 { rt: fp(), rt2: lr(), mem: PairAMode::PreIndexed { rn: sp(), offset: -16 } },
        Inst::AluRRImm12 { op: AluOp::Add, size, rd: writable(fp()), rn: sp(), imm: Imm12::ZERO },
    ];
    let below = frame.total_below_fp();
    match Imm12::maybe_from_u64(below as u64) {
        Some(imm) => insts.push(Inst::AluRRImm12 { op: AluOp::Sub, size, rd: writable(x17()), rn: sp(), imm }),
        None => {
            insts.push(Inst::Imm { size, value: below as u64, rd: writable(x17()) });
            insts.push(Inst::AluRRRExtend {
                op: AluOp::Sub,
                size,
                rd: writable(x17()),
                rn: sp(),
                rm: x17(),
                extend: ExtendOp::Uxtx,
                shift: 0,
            });
        }
    }
    insts.push(Inst::Load {
        op: LoadOp::LdrX,
        rd: writable(x16()),
        mem: AMode::reg_offset(regs::xreg(0), VMOffsets::STACK_LIMIT as i64),
    });
    insts.push(Inst::AluRRR { op: AluOp::SubS, size, rd: writable(zero_reg()), rn: x17(), rm: x16() });
    insts.push(Inst::TrapIf { kind: CondBrKind::Cond(Cond::Lo), code: TrapCode::StackOverflow });
    let push = PairAMode::PreIndexed { rn: sp(), offset: -16 };
    for pair in frame.callee_saves.chunks(2) {
        match *pair {
            [a, b] => insts.push(Inst::StoreP64 { rt: regs::xreg(a), rt2: regs::xreg(b), mem: push }),
            [a] => insts.push(Inst::Store {
                op: StoreOp::StrX,
                rt: regs::xreg(a),
                mem: AMode::PreIndexed { rn: sp(), offset: -16 },
            }),
            _ => unreachable!("chunks of two"),
        }
    }
    for &enc in &frame.float_callee_saves {
        insts.push(Inst::FpuStore {
            size: FloatSize::F64,
            rt: regs::vreg(enc),
            mem: AMode::PreIndexed { rn: sp(), offset: -16 },
        });
    }
    insts.extend(sp_adjust(AluOp::Sub, frame.frame_size));
    insts
}

/// The epilogue before each `ret`: the prologue undone in reverse.
pub fn epilogue(frame: &FrameLayout) -> Vec<Inst> {
    let mut insts = sp_adjust(AluOp::Add, frame.frame_size);
    for &enc in frame.float_callee_saves.iter().rev() {
        insts.push(Inst::FpuLoad {
            size: FloatSize::F64,
            rd: writable(regs::vreg(enc)),
            mem: AMode::PostIndexed { rn: sp(), offset: 16 },
        });
    }
    let pop = PairAMode::PostIndexed { rn: sp(), offset: 16 };
    for pair in frame.callee_saves.chunks(2).rev() {
        match *pair {
            [a, b] => insts.push(Inst::LoadP64 { rt: writable(regs::xreg(a)), rt2: writable(regs::xreg(b)), mem: pop }),
            [a] => insts.push(Inst::Load {
                op: LoadOp::LdrX,
                rd: writable(regs::xreg(a)),
                mem: AMode::PostIndexed { rn: sp(), offset: 16 },
            }),
            _ => unreachable!("chunks of two"),
        }
    }
    insts.push(Inst::LoadP64 { rt: writable(fp()), rt2: writable(lr()), mem: pop });
    insts
}
