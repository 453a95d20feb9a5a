//! AArch64 machine instructions.
//!
//! Part of `isa/aarch64/`: lowering builds these over virtual registers, the
//! allocator reads their operands (`get_operands`), and `emit` encodes them
//! once every register is physical. AArch64 is a three-address machine, so
//! only `movk` (which keeps the other bits of its destination) needs a
//! reuse-def constraint.
//!
//! Register number 31 means `sp` or `xzr`/`wzr` depending on the operand;
//! each variant documents which. A flags-only instruction (`cmp`, `cmn`,
//! `tst`) is the flag-setting form with `rd` = [`regs::zero_reg`].

pub mod args;
pub mod args_fp;
pub mod emit;
pub mod emit_fp;
pub mod regs;

use crate::machinst::reg::{OperandVisitor, Reg, Writable};
use crate::machinst::{MachInst, MachInstLabelUse, MachLabel, MachTerminator};
use crate::runtime::TrapCode;
use args::*;
use args_fp::{FloatSize, FpuOp1, FpuOp2};
use regalloc2::{PReg, PRegSet, RegClass};

/// An AArch64 instruction (or a short fixed sequence, a pseudo-instruction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inst {
    /// Defines the incoming register arguments (emits nothing).
    Args {
        /// Each argument register and the vreg it defines.
        args: Vec<(Writable<Reg>, PReg)>,
    },
    /// Epilogue and `ret`; `rets` are the values in their return registers.
    Ret {
        /// Each returned value and its register.
        rets: Vec<(Reg, PReg)>,
    },
    /// `op rd, rn, rm`: add/sub/logical (shifted-register form with no
    /// shift; 31 is the zero register everywhere) and the two-source
    /// operations (`lslv`, `lsrv`, `asrv`, `rorv`, `udiv`, `sdiv`).
    AluRRR { op: AluOp, size: OperandSize, rd: Writable<Reg>, rn: Reg, rm: Reg },
    /// `op rd, rn, rm, shift #amount`: add/sub/logical, shifted register
    /// (`ror` only for logical operations). 31 is the zero register.
    AluRRRShift { op: AluOp, size: OperandSize, rd: Writable<Reg>, rn: Reg, rm: Reg, shift: ShiftOp, amount: u8 },
    /// `op rd, rn, rm, extend #shift`: add/sub, extended register. `rn` and
    /// (for `add`/`sub`) `rd` at 31 are `sp`; `rm` at 31 is the zero
    /// register. `shift` is 0–4.
    AluRRRExtend { op: AluOp, size: OperandSize, rd: Writable<Reg>, rn: Reg, rm: Reg, extend: ExtendOp, shift: u8 },
    /// `op rd, rn, #imm12{, lsl #12}`: add/sub immediate. `rn` at 31 is `sp`;
    /// `rd` at 31 is `sp` for `add`/`sub` and the zero register for
    /// `adds`/`subs`.
    AluRRImm12 { op: AluOp, size: OperandSize, rd: Writable<Reg>, rn: Reg, imm: Imm12 },
    /// `op rd, rn, #bitmask`: logical immediate. `rn` at 31 is the zero
    /// register; `rd` at 31 is `sp` for `and`/`orr`/`eor` (never used) and
    /// the zero register for `ands`.
    AluRRImmLogic { op: AluOp, size: OperandSize, rd: Writable<Reg>, rn: Reg, imm: ImmLogic },
    /// `lsl`/`lsr`/`asr`/`ror rd, rn, #amount` (aliases of `ubfm`, `sbfm`,
    /// `extr`); `amount` is below the width.
    ShiftImm { op: ShiftOp, size: OperandSize, rd: Writable<Reg>, rn: Reg, amount: u8 },
    /// `madd`/`msub rd, rn, rm, ra`: `rd = ra ± rn * rm` (`ra` at 31 is the
    /// zero register: `mul`).
    AluRRRR { op: AluOp3, size: OperandSize, rd: Writable<Reg>, rn: Reg, rm: Reg, ra: Reg },
    /// `rbit`/`clz rd, rn`.
    BitRR { op: BitOp, size: OperandSize, rd: Writable<Reg>, rn: Reg },
    /// Sign or zero extension of the low `from_bits` of `rn` to `to_bits`:
    /// `sxtb/sxth/sxtw` and `uxtb/uxth` (`sbfm`/`ubfm`), or `mov wd, wn`
    /// for a 32-to-64-bit zero extension.
    Extend { rd: Writable<Reg>, rn: Reg, signed: bool, from_bits: u8, to_bits: u8 },
    /// `mov rd, rm` (`orr rd, zr, rm`); never `sp`.
    Mov { size: OperandSize, rd: Writable<Reg>, rm: Reg },
    /// `movz`/`movn rd, #imm16, lsl #(16 * shift)`.
    MovWide { op: MoveWideOp, size: OperandSize, rd: Writable<Reg>, imm: MoveWideConst },
    /// `movk rd, #imm16, lsl #(16 * shift)` with `rd == rn`.
    MovK { size: OperandSize, rd: Writable<Reg>, rn: Reg, imm: MoveWideConst },
    /// Loads a constant (of `size`; a 32-bit value is masked to 32 bits)
    /// with the shortest sequence: one `movz`/`movn`, one `orr` of a
    /// logical immediate, or `movz`/`movn` followed by `movk`s.
    Imm { size: OperandSize, value: u64, rd: Writable<Reg> },
    /// `csel rd, rn, rm, cond`: `rd = cond ? rn : rm`.
    CSel { size: OperandSize, cond: Cond, rd: Writable<Reg>, rn: Reg, rm: Reg },
    /// `cset rd, cond` (`csinc rd, zr, zr, !cond`).
    CSet { size: OperandSize, cond: Cond, rd: Writable<Reg> },
    /// `ccmp rn, #imm5, #nzcv, cond`: if `cond` holds, flags of `rn - imm5`,
    /// else flags := `nzcv`.
    CCmpImm { size: OperandSize, rn: Reg, imm: u8, nzcv: u8, cond: Cond },
    /// A load into `rd` (31 is never a destination here).
    Load { op: LoadOp, rd: Writable<Reg>, mem: AMode },
    /// `rd = ` the address of `mem` (`add`/`sub rd, rn, #offset`, or through
    /// `x17` for a large offset); only `RegOffset` and `Frame` addresses.
    LoadAddr { rd: Writable<Reg>, mem: AMode },
    /// A store of `rt` (31 is the zero register).
    Store { op: StoreOp, rt: Reg, mem: AMode },
    /// `stp xt, xt2, [mem]` (prologue; physical registers only).
    StoreP64 { rt: Reg, rt2: Reg, mem: PairAMode },
    /// `ldp xt, xt2, [mem]` (epilogue; physical registers only).
    LoadP64 { rt: Writable<Reg>, rt2: Writable<Reg>, mem: PairAMode },
    /// `b target`.
    Jump { target: MachLabel },
    /// `b.cond`/`cbz`/`cbnz taken; b not_taken`.
    CondBr { kind: CondBrKind, taken: MachLabel, not_taken: MachLabel },
    /// Indexed jump through a table of 32-bit offsets after the code; the
    /// index is a 32-bit value, out-of-range indices go to `default`.
    JmpTable { index: Reg, tmp1: Writable<Reg>, tmp2: Writable<Reg>, default: MachLabel, targets: Vec<MachLabel> },
    /// `bl` to function `symbol` (relocated).
    Call { symbol: u32, uses: Vec<(Reg, PReg)>, defs: Vec<(Writable<Reg>, PReg)>, clobbers: PRegSet },
    /// `blr target`.
    CallInd { target: Reg, uses: Vec<(Reg, PReg)>, defs: Vec<(Writable<Reg>, PReg)>, clobbers: PRegSet },
    /// `udf #code`, recorded as a trap site.
    Udf { code: TrapCode },
    /// `b.!cond`/`cbnz`/`cbz` over a `udf`: traps when `kind` holds.
    TrapIf { kind: CondBrKind, code: TrapCode },
    /// `fadd`/`fsub`/`fmul`/`fdiv`/`fmin`/`fmax rd, rn, rm` on `s`/`d`
    /// registers.
    FpuRRR { op: FpuOp2, size: FloatSize, rd: Writable<Reg>, rn: Reg, rm: Reg },
    /// `fmov`/`fabs`/`fneg`/`fsqrt`/`frint* rd, rn` on `s`/`d` registers.
    FpuRR { op: FpuOp1, size: FloatSize, rd: Writable<Reg>, rn: Reg },
    /// `fcvt rd, rn`: `rd` is of precision `to`, `rn` of the other one.
    FpuCvt { to: FloatSize, rd: Writable<Reg>, rn: Reg },
    /// `fcmp rn, rm`: sets NZCV (unordered: `0011`).
    FpuCmp { size: FloatSize, rn: Reg, rm: Reg },
    /// `fcsel rd, rn, rm, cond`: `rd = cond ? rn : rm`.
    FpuCSel { size: FloatSize, cond: Cond, rd: Writable<Reg>, rn: Reg, rm: Reg },
    /// `scvtf`/`ucvtf rd, rn`: integer `rn` (`w`/`x`, 31 is the zero
    /// register) to float `rd`, rounding to nearest.
    IntToFpu { signed: bool, int_size: OperandSize, size: FloatSize, rd: Writable<Reg>, rn: Reg },
    /// `fcvtzs`/`fcvtzu rd, rn`: float `rn` to integer `rd` (`w`/`x`),
    /// truncating and saturating (NaN gives 0).
    FpuToInt { signed: bool, int_size: OperandSize, size: FloatSize, rd: Writable<Reg>, rn: Reg },
    /// `fmov sd, wn` / `fmov dd, xn`: the bits of a general-purpose register
    /// (31 is the zero register).
    MovToFpu { size: FloatSize, rd: Writable<Reg>, rn: Reg },
    /// `fmov wd, sn` / `fmov xd, dn`: the bits of a float register.
    MovFromFpu { size: FloatSize, rd: Writable<Reg>, rn: Reg },
    /// `ldr st`/`ldr dt` (or `ldur`) in any single-register addressing form.
    FpuLoad { size: FloatSize, rd: Writable<Reg>, mem: AMode },
    /// `str st`/`str dt` (or `stur`) in any single-register addressing form.
    FpuStore { size: FloatSize, rt: Reg, mem: AMode },
}

impl Inst {
    /// `mov xd, xm` of a whole register.
    pub fn mov64(rd: Writable<Reg>, rm: Reg) -> Inst {
        Inst::Mov { size: OperandSize::Size64, rd, rm }
    }
}

fn visit_fixed_uses(uses: &mut [(Reg, PReg)], visitor: &mut impl OperandVisitor) {
    for (reg, preg) in uses {
        visitor.reg_fixed_use(reg, *preg);
    }
}

fn visit_fixed_defs(defs: &mut [(Writable<Reg>, PReg)], visitor: &mut impl OperandVisitor) {
    for (reg, preg) in defs {
        visitor.reg_fixed_def(reg, *preg);
    }
}

impl MachInst for Inst {
    type LabelUse = LabelUse;

    fn get_operands(&mut self, v: &mut impl OperandVisitor) {
        match self {
            Inst::Args { args } => visit_fixed_defs(args, v),
            Inst::Ret { rets } => visit_fixed_uses(rets, v),
            Inst::AluRRR { rd, rn, rm, .. }
            | Inst::AluRRRShift { rd, rn, rm, .. }
            | Inst::AluRRRExtend { rd, rn, rm, .. }
            | Inst::CSel { rd, rn, rm, .. }
            | Inst::FpuRRR { rd, rn, rm, .. }
            | Inst::FpuCSel { rd, rn, rm, .. } => {
                v.reg_use(rn);
                v.reg_use(rm);
                v.reg_def(rd);
            }
            Inst::AluRRImm12 { rd, rn, .. }
            | Inst::AluRRImmLogic { rd, rn, .. }
            | Inst::ShiftImm { rd, rn, .. }
            | Inst::BitRR { rd, rn, .. }
            | Inst::Extend { rd, rn, .. }
            | Inst::FpuRR { rd, rn, .. }
            | Inst::FpuCvt { rd, rn, .. }
            | Inst::IntToFpu { rd, rn, .. }
            | Inst::FpuToInt { rd, rn, .. }
            | Inst::MovToFpu { rd, rn, .. }
            | Inst::MovFromFpu { rd, rn, .. } => {
                v.reg_use(rn);
                v.reg_def(rd);
            }
            Inst::AluRRRR { rd, rn, rm, ra, .. } => {
                v.reg_use(rn);
                v.reg_use(rm);
                v.reg_use(ra);
                v.reg_def(rd);
            }
            Inst::Mov { rd, rm, .. } => {
                v.reg_use(rm);
                v.reg_def(rd);
            }
            Inst::MovWide { rd, .. } | Inst::Imm { rd, .. } | Inst::CSet { rd, .. } => v.reg_def(rd),
            Inst::MovK { rd, rn, .. } => {
                v.reg_use(rn);
                v.reg_reuse_def(rd, 0);
            }
            Inst::CCmpImm { rn, .. } => v.reg_use(rn),
            Inst::FpuCmp { rn, rm, .. } => {
                v.reg_use(rn);
                v.reg_use(rm);
            }
            Inst::Load { rd, mem, .. } | Inst::LoadAddr { rd, mem } | Inst::FpuLoad { rd, mem, .. } => {
                mem.get_operands(v);
                v.reg_def(rd);
            }
            Inst::Store { rt, mem, .. } | Inst::FpuStore { rt, mem, .. } => {
                v.reg_use(rt);
                mem.get_operands(v);
            }
            // Prologue/epilogue only: physical registers, not visited.
            Inst::StoreP64 { .. } | Inst::LoadP64 { .. } => {}
            Inst::Jump { .. } | Inst::Udf { .. } => {}
            Inst::CondBr { kind, .. } | Inst::TrapIf { kind, .. } => kind.get_operands(v),
            Inst::JmpTable { index, tmp1, tmp2, .. } => {
                v.reg_use(index);
                v.reg_early_def(tmp1);
                v.reg_early_def(tmp2);
            }
            Inst::Call { uses, defs, .. } => {
                visit_fixed_uses(uses, v);
                visit_fixed_defs(defs, v);
            }
            Inst::CallInd { target, uses, defs, .. } => {
                v.reg_use(target);
                visit_fixed_uses(uses, v);
                visit_fixed_defs(defs, v);
            }
        }
    }

    fn clobbers(&self) -> PRegSet {
        match self {
            Inst::Call { clobbers, .. } | Inst::CallInd { clobbers, .. } => *clobbers,
            _ => PRegSet::empty(),
        }
    }

    fn is_term(&self) -> MachTerminator {
        match self {
            Inst::Ret { .. } => MachTerminator::Ret,
            Inst::Udf { .. } => MachTerminator::Trap,
            Inst::Jump { .. } | Inst::CondBr { .. } | Inst::JmpTable { .. } => MachTerminator::Branch,
            _ => MachTerminator::None,
        }
    }

    fn is_args(&self) -> bool {
        matches!(self, Inst::Args { .. })
    }

    fn gen_move(dst: Writable<Reg>, src: Reg, class: RegClass) -> Self {
        match class {
            RegClass::Float => Inst::FpuRR { op: FpuOp1::Mov, size: FloatSize::F64, rd: dst, rn: src },
            _ => Inst::mov64(dst, src),
        }
    }

    fn gen_jump(target: MachLabel) -> Self {
        Inst::Jump { target }
    }

    fn worst_case_size() -> u32 {
        // The longest fixed sequence is `Ret` with a large frame (up to 5
        // instructions to pop the frame, 5 `ldp` of callee-saves, 8 `ldr d`
        // of float callee-saves, the frame record and `ret`: 20 words); a
        // jump table checks for an island itself before its table.
        96
    }
}

/// A kind of PC-relative reference to a label. Each variant names the field
/// it patches; offsets count from the referring instruction's address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelUse {
    /// `tbz`/`tbnz`: a signed 14-bit word offset in bits 18..5 (±32 KiB).
    /// No instruction uses it yet; it is patched and gets veneers like
    /// `Branch19`, so a test-bit branch can be added without buffer work.
    Branch14,
    /// `b.cond`/`cbz`/`cbnz`: a signed 19-bit word offset in bits 23..5
    /// (±1 MiB).
    Branch19,
    /// `b`/`bl`: a signed 26-bit word offset in bits 25..0 (±128 MiB).
    Branch26,
    /// `adr`: a signed 21-bit byte offset, low 2 bits in 30..29 (`immlo`),
    /// high 19 in 23..5 (`immhi`) (±1 MiB).
    Adr21,
    /// A 32-bit data word: `label - use_offset + addend`, where the addend
    /// is the word's initial contents (jump-table entries).
    PCRel32,
}

impl LabelUse {
    fn patch_word(buffer: &mut [u8], f: impl FnOnce(u32) -> u32) {
        let word = u32::from_le_bytes(buffer[..4].try_into().expect("4 bytes"));
        buffer[..4].copy_from_slice(&f(word).to_le_bytes());
    }
}

impl MachInstLabelUse for LabelUse {
    fn max_pos_range(self) -> u32 {
        match self {
            LabelUse::Branch14 => (1 << 15) - 4,
            LabelUse::Branch19 => (1 << 20) - 4,
            LabelUse::Branch26 => (1 << 27) - 4,
            LabelUse::Adr21 => (1 << 20) - 1,
            LabelUse::PCRel32 => i32::MAX as u32,
        }
    }

    fn max_neg_range(self) -> u32 {
        match self {
            LabelUse::Branch14 => 1 << 15,
            LabelUse::Branch19 => 1 << 20,
            LabelUse::Branch26 => 1 << 27,
            LabelUse::Adr21 => 1 << 20,
            LabelUse::PCRel32 => i32::MAX as u32,
        }
    }

    fn patch_size(self) -> u32 {
        4
    }

    fn patch(self, buffer: &mut [u8], use_offset: u32, label_offset: u32) {
        let delta = label_offset as i64 - use_offset as i64;
        match self {
            LabelUse::Branch14 | LabelUse::Branch19 | LabelUse::Branch26 => {
                debug_assert_eq!(delta & 3, 0, "branch target not word-aligned");
                let words = (delta >> 2) as u32;
                let (bits, shift) = match self {
                    LabelUse::Branch14 => (14, 5),
                    LabelUse::Branch19 => (19, 5),
                    _ => (26, 0),
                };
                let mask = ((1u32 << bits) - 1) << shift;
                Self::patch_word(buffer, |w| (w & !mask) | ((words << shift) & mask));
            }
            LabelUse::Adr21 => {
                let imm = delta as u32;
                let field = (imm & 3) << 29 | ((imm >> 2) & 0x7ffff) << 5;
                Self::patch_word(buffer, |w| (w & !(3 << 29 | 0x7ffff << 5)) | field);
            }
            LabelUse::PCRel32 => {
                Self::patch_word(buffer, |addend| (delta + addend as i32 as i64) as u32);
            }
        }
    }

    fn supports_veneer(self) -> bool {
        matches!(self, LabelUse::Branch14 | LabelUse::Branch19)
    }

    fn veneer_size(self) -> u32 {
        match self {
            LabelUse::Branch14 | LabelUse::Branch19 => 4,
            _ => 0,
        }
    }

    fn generate_veneer(self, buffer: &mut [u8], veneer_offset: u32) -> (u32, Self) {
        assert!(self.supports_veneer(), "{self:?} has no veneer");
        // An unconditional `b` whose 26-bit field the buffer patches.
        buffer[..4].copy_from_slice(&emit::enc_jump26(0x1400_0000, 0).to_le_bytes());
        (veneer_offset, LabelUse::Branch26)
    }
}

#[cfg(test)]
mod label_use_tests {
    use super::*;

    fn patched(kind: LabelUse, word: u32, use_offset: u32, label_offset: u32) -> u32 {
        let mut bytes = word.to_le_bytes();
        kind.patch(&mut bytes, use_offset, label_offset);
        u32::from_le_bytes(bytes)
    }

    #[test]
    fn branch_fields_patch_at_their_range_limits() {
        // b.eq forward by the maximum, then backward by the maximum.
        let beq = 0x5400_0000;
        assert_eq!(patched(LabelUse::Branch19, beq, 0, (1 << 20) - 4), 0x5400_0000 | 0x3ffff << 5);
        assert_eq!(patched(LabelUse::Branch19, beq, 1 << 20, 0), 0x5400_0000 | 0x40000 << 5);
        // b: ±128 MiB.
        assert_eq!(patched(LabelUse::Branch26, 0x1400_0000, 0, (1 << 27) - 4), 0x15ff_ffff);
        assert_eq!(patched(LabelUse::Branch26, 0x1400_0000, 1 << 27, 0), 0x1600_0000);
        // tbz: ±32 KiB, keeping the bit number and register.
        let tbz = 0x3628_0003; // tbz w3, #5, .
        assert_eq!(patched(LabelUse::Branch14, tbz, 8, 0), 0x3628_0003 | 0x3ffe << 5);
        // adr: byte offsets, split into immlo/immhi.
        assert_eq!(patched(LabelUse::Adr21, 0x1000_0001, 0, 7), 0x1000_0001 | 3 << 29 | 1 << 5);
        // A jump-table entry keeps its addend.
        assert_eq!(patched(LabelUse::PCRel32, 8, 100, 40), (40i32 - 100 + 8) as u32);
    }

    #[test]
    fn short_branches_get_an_unconditional_veneer() {
        for kind in [LabelUse::Branch14, LabelUse::Branch19] {
            assert!(kind.supports_veneer());
            let mut bytes = [0xffu8; 4];
            let (at, veneer_kind) = kind.generate_veneer(&mut bytes, 0x40);
            assert_eq!((at, veneer_kind), (0x40, LabelUse::Branch26));
            assert_eq!(u32::from_le_bytes(bytes), 0x1400_0000);
        }
        for kind in [LabelUse::Branch26, LabelUse::Adr21, LabelUse::PCRel32] {
            assert!(!kind.supports_veneer());
        }
    }
}
