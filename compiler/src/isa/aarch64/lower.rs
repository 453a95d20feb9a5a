//! Lowering rules for AArch64: IR instructions to `Inst`s over virtual
//! registers.
//!
//! Part of `isa/aarch64/`, called by the generic driver in
//! `machinst::lower`. Conventions kept here:
//!
//! - Invariant: a value narrower than 64 bits lives in a 64-bit register
//!   whose upper bits are undefined unless a 32-bit instruction wrote it;
//!   every consumer that depends on them extends explicitly (`uextend` is a
//!   `mov wd, wn`, 8/16-bit compares extend both operands, addresses are
//!   64-bit IR values). 32-bit operations are done at 32 bits (`w`
//!   registers), which read only the low half.
//! - Constants use the immediate forms where they fit: 12-bit (optionally
//!   shifted) add/sub/cmp immediates, negated into the opposite operation
//!   (`cmn`, `sub`) when that fits; logical (bitmask) immediates for
//!   `and`/`orr`/`eor`; anything else is materialized (`Imm`).
//! - Division: `sdiv`/`udiv` never fault on AArch64, so both Wasm traps are
//!   explicit: `cbnz divisor` over a `udf` for a zero divisor and, for
//!   signed division, `cmn divisor, #1; ccmp dividend, #1, #0, eq` (sets V
//!   exactly for `MIN / -1`) with `b.vc` over a `udf`. Remainders are
//!   `sdiv`/`udiv` + `msub`, which gives 0 for `MIN % -1` by itself.
//! - Shifts and rotates by a register use `lslv`/`lsrv`/`asrv`/`rorv`, which
//!   take the amount modulo the width exactly as Wasm does; `rotl` is
//!   `rorv` by the negated amount. Constant amounts are masked here.
//! - `clz` is `clz`, `ctz` is `rbit` + `clz`, `popcnt` uses bit tricks (no
//!   SIMD registers).
//! - Floats are lowered in `lower_float.rs` (tried first for every
//!   instruction); float loads, stores and `select` (`fcsel`) are here.

use crate::compile::Fault;
use crate::error::{CompileError, CompileResult};
use crate::ir::{self, InstructionData, IntCC, Opcode, Type, Value};
use crate::isa::aarch64::abi;
use crate::isa::aarch64::inst::Inst;
use crate::isa::aarch64::inst::args::*;
use crate::isa::aarch64::inst::args_fp::FloatSize;
use crate::isa::aarch64::inst::regs::*;
use crate::machinst::abi as machinst_abi;
use crate::machinst::{Lower, LowerBackend, MachLabel, Reg, Writable};
use crate::runtime::TrapCode;
use regalloc2::RegClass;

/// The AArch64 lowering backend.
pub struct AArch64Backend {
    /// A miscompilation to commit on purpose (the harness's self-test).
    pub fault: Option<Fault>,
}

fn size_of(ty: Type) -> OperandSize {
    OperandSize::of(ty.bits() == 64)
}

fn is_signed(cond: IntCC) -> bool {
    matches!(
        cond,
        IntCC::SignedLessThan
            | IntCC::SignedLessThanOrEqual
            | IntCC::SignedGreaterThan
            | IntCC::SignedGreaterThanOrEqual
    )
}

/// A constant's value at `ty`'s width, sign-extended to 64 bits.
fn signed_at_width(value: i64, ty: Type) -> i64 {
    let shift = 64 - ty.bits();
    (value << shift) >> shift
}

impl AArch64Backend {
    fn reg(&self, ctx: &Lower<'_, Inst>, value: Value) -> Reg {
        ctx.value_reg(value)
    }

    fn tmp(&self, ctx: &mut Lower<'_, Inst>) -> Writable<Reg> {
        ctx.alloc_tmp(RegClass::Int)
    }

    fn imm(&self, ctx: &mut Lower<'_, Inst>, size: OperandSize, value: u64) -> Reg {
        let rd = self.tmp(ctx);
        ctx.emit(Inst::Imm { size, value: value & size.mask(), rd });
        rd.to_reg()
    }

    fn definition(&self, ctx: &Lower<'_, Inst>, value: Value) -> Option<InstructionData> {
        match ctx.func.dfg.value_def(value) {
            ir::ValueDef::Result(inst, _) => Some(ctx.func.dfg.inst(inst).clone()),
            _ => None,
        }
    }

    /// `rd = rn ± value` for a constant, with the 12-bit immediate form of
    /// `op` or of the opposite operation when one fits.
    fn add_sub_imm(&self, op: AluOp, size: OperandSize, rd: Writable<Reg>, rn: Reg, value: i64) -> Option<Inst> {
        let opposite = match op {
            AluOp::Add => AluOp::Sub,
            AluOp::Sub => AluOp::Add,
            AluOp::AddS => AluOp::SubS,
            _ => AluOp::AddS,
        };
        if let Some(imm) = u64::try_from(value).ok().and_then(Imm12::maybe_from_u64) {
            return Some(Inst::AluRRImm12 { op, size, rd, rn, imm });
        }
        let negated = value.checked_neg().and_then(|v| u64::try_from(v).ok()).and_then(Imm12::maybe_from_u64)?;
        Some(Inst::AluRRImm12 { op: opposite, size, rd, rn, imm: negated })
    }

    /// `rd = rn + extend(x)` when `value` is a 32-to-64-bit extension of `x`.
    fn add_extended(&self, ctx: &Lower<'_, Inst>, rd: Writable<Reg>, rn: Reg, value: Value) -> Option<Inst> {
        let InstructionData::Unary { opcode, arg } = self.definition(ctx, value)? else { return None };
        if ctx.func.dfg.value_type(arg) != Type::I32 {
            return None;
        }
        let extend = match opcode {
            Opcode::Uextend => ExtendOp::Uxtw,
            Opcode::Sextend => ExtendOp::Sxtw,
            _ => return None,
        };
        let rm = self.reg(ctx, arg);
        Some(Inst::AluRRRExtend { op: AluOp::Add, size: OperandSize::Size64, rd, rn, rm, extend, shift: 0 })
    }

    fn lower_add_sub(&self, ctx: &mut Lower<'_, Inst>, op: AluOp, ty: Type, args: [Value; 2], out: Writable<Reg>) {
        let size = size_of(ty);
        let mut args = args;
        if op == AluOp::Add && ctx.constant(args[0]).is_some() && ctx.constant(args[1]).is_none() {
            args.swap(0, 1);
        }
        let rn = self.reg(ctx, args[0]);
        if let Some(c) = ctx.constant(args[1])
            && let Some(inst) = self.add_sub_imm(op, size, out, rn, signed_at_width(c, ty))
        {
            return ctx.emit(inst);
        }
        if op == AluOp::Add && ty == Type::I64 {
            for (a, b) in [(args[0], args[1]), (args[1], args[0])] {
                let rn = self.reg(ctx, a);
                if let Some(inst) = self.add_extended(ctx, out, rn, b) {
                    return ctx.emit(inst);
                }
            }
        }
        let rm = self.reg(ctx, args[1]);
        ctx.emit(Inst::AluRRR { op, size, rd: out, rn, rm });
    }

    fn lower_logical(&self, ctx: &mut Lower<'_, Inst>, op: AluOp, ty: Type, args: [Value; 2], out: Writable<Reg>) {
        let size = size_of(ty);
        let mut args = args;
        if ctx.constant(args[0]).is_some() && ctx.constant(args[1]).is_none() {
            args.swap(0, 1);
        }
        let rn = self.reg(ctx, args[0]);
        // Bits above a narrow type are undefined, so any pattern there will
        // do: try the value zero-extended and sign-extended.
        if let Some(c) = ctx.constant(args[1]) {
            let candidates = [c as u64 & ty.mask(), signed_at_width(c, ty) as u64 & size.mask()];
            if let Some(imm) = candidates.iter().find_map(|&v| ImmLogic::maybe_from_u64(v, size)) {
                return ctx.emit(Inst::AluRRImmLogic { op, size, rd: out, rn, imm });
            }
        }
        let rm = self.reg(ctx, args[1]);
        ctx.emit(Inst::AluRRR { op, size, rd: out, rn, rm });
    }

    /// Extends a narrow value to 32 bits (for comparisons).
    fn extend_to_32(&self, ctx: &mut Lower<'_, Inst>, value: Value, signed: bool) -> Reg {
        let ty = ctx.func.dfg.value_type(value);
        let rn = self.reg(ctx, value);
        let rd = self.tmp(ctx);
        ctx.emit(Inst::Extend { rd, rn, signed, from_bits: ty.bits() as u8, to_bits: 32 });
        rd.to_reg()
    }

    /// Sets the flags for `a cond b` and returns the condition to test.
    fn emit_compare(&self, ctx: &mut Lower<'_, Inst>, cond: IntCC, a: Value, b: Value) -> Cond {
        let ty = ctx.func.dfg.value_type(a);
        let zr = Writable::from_reg(zero_reg());
        if ty.bits() < 32 {
            let signed = is_signed(cond);
            let (rn, rm) = (self.extend_to_32(ctx, a, signed), self.extend_to_32(ctx, b, signed));
            ctx.emit(Inst::AluRRR { op: AluOp::SubS, size: OperandSize::Size32, rd: zr, rn, rm });
            return Cond::from_intcc(Fault::compare(self.fault, cond));
        }
        let (cond, a, b) = if ctx.constant(a).is_some() && ctx.constant(b).is_none() {
            (cond.swap_args(), b, a)
        } else {
            (cond, a, b)
        };
        let size = size_of(ty);
        let rn = self.reg(ctx, a);
        if let Some(c) = ctx.constant(b)
            && let Some(inst) = self.add_sub_imm(AluOp::SubS, size, zr, rn, signed_at_width(c, ty))
        {
            ctx.emit(inst);
            return Cond::from_intcc(Fault::compare(self.fault, cond));
        }
        let rm = self.reg(ctx, b);
        ctx.emit(Inst::AluRRR { op: AluOp::SubS, size, rd: zr, rn, rm });
        Cond::from_intcc(Fault::compare(self.fault, cond))
    }

    /// Sets the flags for "`value` is true" and returns the condition that
    /// holds when it is (uses a sunk comparison when there is one).
    fn emit_condition(&self, ctx: &mut Lower<'_, Inst>, value: Value) -> Cond {
        if let Some((cond, a, b)) = ctx.sunk_compare(value) {
            return self.emit_compare(ctx, cond, a, b);
        }
        let ty = ctx.func.dfg.value_type(value);
        let rn = self.reg(ctx, value);
        let zr = Writable::from_reg(zero_reg());
        if ty.bits() < 32 {
            let imm = ImmLogic::maybe_from_u64(ty.mask(), OperandSize::Size32).expect("0xff and 0xffff are bitmasks");
            ctx.emit(Inst::AluRRImmLogic { op: AluOp::AndS, size: OperandSize::Size32, rd: zr, rn, imm });
        } else {
            ctx.emit(Inst::AluRRImm12 { op: AluOp::SubS, size: size_of(ty), rd: zr, rn, imm: Imm12::ZERO });
        }
        Cond::Ne
    }

    /// What a branch or conditional trap on "`value` is true" tests: a
    /// sunk comparison's flags, or `cbnz` on the value itself.
    fn branch_condition(&self, ctx: &mut Lower<'_, Inst>, value: Value) -> CondBrKind {
        let ty = ctx.func.dfg.value_type(value);
        if ctx.sunk_compare(value).is_some() || ty.bits() < 32 {
            return CondBrKind::Cond(self.emit_condition(ctx, value));
        }
        CondBrKind::NotZero(self.reg(ctx, value), size_of(ty))
    }

    fn lower_division(&self, ctx: &mut Lower<'_, Inst>, opcode: Opcode, args: [Value; 2], out: Writable<Reg>) {
        let ty = ctx.func.dfg.value_type(args[0]);
        let size = size_of(ty);
        let dividend = self.reg(ctx, args[0]);
        let divisor = self.reg(ctx, args[1]);
        ctx.emit(Inst::TrapIf { kind: CondBrKind::Zero(divisor, size), code: TrapCode::IntegerDivisionByZero });
        let signed = matches!(opcode, Opcode::Sdiv | Opcode::Srem);
        if opcode == Opcode::Sdiv {
            // V is set exactly when divisor == -1 and dividend == MIN.
            let zr = Writable::from_reg(zero_reg());
            let one = Imm12 { bits: 1, shift12: false };
            ctx.emit(Inst::AluRRImm12 { op: AluOp::AddS, size, rd: zr, rn: divisor, imm: one });
            ctx.emit(Inst::CCmpImm { size, rn: dividend, imm: 1, nzcv: 0, cond: Cond::Eq });
            ctx.emit(Inst::TrapIf { kind: CondBrKind::Cond(Cond::Vs), code: TrapCode::IntegerOverflow });
        }
        let op = if signed { AluOp::SDiv } else { AluOp::UDiv };
        if matches!(opcode, Opcode::Sdiv | Opcode::Udiv) {
            return ctx.emit(Inst::AluRRR { op, size, rd: out, rn: dividend, rm: divisor });
        }
        let quotient = self.tmp(ctx);
        ctx.emit(Inst::AluRRR { op, size, rd: quotient, rn: dividend, rm: divisor });
        // remainder = dividend - quotient * divisor
        ctx.emit(Inst::AluRRRR { op: AluOp3::MSub, size, rd: out, rn: quotient.to_reg(), rm: divisor, ra: dividend });
    }

    fn lower_shift(&self, ctx: &mut Lower<'_, Inst>, opcode: Opcode, args: [Value; 2], out: Writable<Reg>) {
        let ty = ctx.func.dfg.value_type(args[0]);
        let size = size_of(ty);
        let bits = ty.bits() as u64;
        let rn = self.reg(ctx, args[0]);
        if let Some(amount) = ctx.constant(args[1]) {
            let amount = amount as u64 & (bits - 1);
            let (op, amount) = match opcode {
                Opcode::Ishl => (ShiftOp::Lsl, amount),
                Opcode::Ushr => (ShiftOp::Lsr, amount),
                Opcode::Sshr => (ShiftOp::Asr, amount),
                Opcode::Rotl => (ShiftOp::Ror, (bits - amount) & (bits - 1)),
                _ => (ShiftOp::Ror, amount),
            };
            if amount == 0 {
                return ctx.emit(Inst::mov64(out, rn));
            }
            return ctx.emit(Inst::ShiftImm { op, size, rd: out, rn, amount: amount as u8 });
        }
        // The variable shifts take the amount modulo the width.
        let mut rm = self.reg(ctx, args[1]);
        let op = match opcode {
            Opcode::Ishl => AluOp::Lslv,
            Opcode::Ushr => AluOp::Lsrv,
            Opcode::Sshr => AluOp::Asrv,
            Opcode::Rotl => {
                let negated = self.tmp(ctx);
                ctx.emit(Inst::AluRRR { op: AluOp::Sub, size, rd: negated, rn: zero_reg(), rm });
                rm = negated.to_reg();
                AluOp::Rorv
            }
            _ => AluOp::Rorv,
        };
        let size = match self.fault {
            Some(Fault::ShiftMask) if ty == Type::I32 && matches!(op, AluOp::Lslv | AluOp::Lsrv) => OperandSize::Size64,
            _ => size,
        };
        ctx.emit(Inst::AluRRR { op, size, rd: out, rn, rm });
    }

    fn lower_bit_count(&self, ctx: &mut Lower<'_, Inst>, opcode: Opcode, ty: Type, rn: Reg, out: Writable<Reg>) {
        let size = size_of(ty);
        match opcode {
            Opcode::Clz => ctx.emit(Inst::BitRR { op: BitOp::Clz, size, rd: out, rn }),
            Opcode::Ctz => {
                let reversed = self.tmp(ctx);
                ctx.emit(Inst::BitRR { op: BitOp::Rbit, size, rd: reversed, rn });
                ctx.emit(Inst::BitRR { op: BitOp::Clz, size, rd: out, rn: reversed.to_reg() });
            }
            _ => {
                // Population count by bit tricks (Hacker's Delight 5-2); the
                // masks are logical immediates.
                let mask = |pattern: u64| {
                    ImmLogic::maybe_from_u64(pattern & size.mask(), size).expect("popcount masks are bitmasks")
                };
                let and = |ctx: &mut Lower<'_, Inst>, rn: Reg, pattern: u64| {
                    let rd = ctx.alloc_tmp(RegClass::Int);
                    ctx.emit(Inst::AluRRImmLogic { op: AluOp::And, size, rd, rn, imm: mask(pattern) });
                    rd.to_reg()
                };
                let shift = |ctx: &mut Lower<'_, Inst>, rn: Reg, amount: u8| {
                    let rd = ctx.alloc_tmp(RegClass::Int);
                    ctx.emit(Inst::ShiftImm { op: ShiftOp::Lsr, size, rd, rn, amount });
                    rd.to_reg()
                };
                let alu = |ctx: &mut Lower<'_, Inst>, op: AluOp, rn: Reg, rm: Reg| {
                    let rd = ctx.alloc_tmp(RegClass::Int);
                    ctx.emit(Inst::AluRRR { op, size, rd, rn, rm });
                    rd.to_reg()
                };
                // x - ((x >> 1) & m1)
                let s1 = shift(ctx, rn, 1);
                let a1 = and(ctx, s1, 0x5555_5555_5555_5555);
                let x1 = alu(ctx, AluOp::Sub, rn, a1);
                // (x & m2) + ((x >> 2) & m2)
                let low = and(ctx, x1, 0x3333_3333_3333_3333);
                let s2 = shift(ctx, x1, 2);
                let high = and(ctx, s2, 0x3333_3333_3333_3333);
                let x2 = alu(ctx, AluOp::Add, low, high);
                // (x + (x >> 4)) & m4
                let sum = self.tmp(ctx);
                ctx.emit(Inst::AluRRRShift {
                    op: AluOp::Add,
                    size,
                    rd: sum,
                    rn: x2,
                    rm: x2,
                    shift: ShiftOp::Lsr,
                    amount: 4,
                });
                let x3 = and(ctx, sum.to_reg(), 0x0F0F_0F0F_0F0F_0F0F);
                // (x * h01) >> (bits - 8)
                let h01 = self.imm(ctx, size, 0x0101_0101_0101_0101);
                let product = self.tmp(ctx);
                ctx.emit(Inst::AluRRRR { op: AluOp3::MAdd, size, rd: product, rn: x3, rm: h01, ra: zero_reg() });
                let amount = size.bits() as u8 - 8;
                ctx.emit(Inst::ShiftImm { op: ShiftOp::Lsr, size, rd: out, rn: product.to_reg(), amount });
            }
        }
    }

    fn lower_load(
        &self,
        ctx: &mut Lower<'_, Inst>,
        inst: ir::Inst,
        opcode: Opcode,
        arg: Value,
        offset: i32,
    ) -> CompileResult<()> {
        let ty = ctx.func.dfg.value_type(ctx.func.dfg.first_result(inst));
        let wide = ty.bits() == 64;
        if ty.is_float() {
            let mem = AMode::reg_offset(self.reg(ctx, arg), offset as i64);
            let rd = ctx.output(inst, 0);
            ctx.emit(Inst::FpuLoad { size: FloatSize::of(ty), rd, mem });
            return Ok(());
        }
        let op = match (opcode, ty.bits()) {
            (Opcode::Load, 64) => LoadOp::LdrX,
            (Opcode::Load, 32) | (Opcode::Uload32, _) => LoadOp::LdrW,
            (Opcode::Load, 16) | (Opcode::Uload16, _) => LoadOp::Ldrh,
            (Opcode::Load, 8) | (Opcode::Uload8, _) => LoadOp::Ldrb,
            (Opcode::Sload8, _) => {
                if wide {
                    LoadOp::LdrsbX
                } else {
                    LoadOp::LdrsbW
                }
            }
            (Opcode::Sload16, _) => {
                if wide {
                    LoadOp::LdrshX
                } else {
                    LoadOp::LdrshW
                }
            }
            (Opcode::Sload32, _) => LoadOp::Ldrsw,
            (other, _) => return Err(CompileError::unsupported(format!("{other} on aarch64"), None)),
        };
        let mem = AMode::reg_offset(self.reg(ctx, arg), offset as i64);
        let rd = ctx.output(inst, 0);
        ctx.emit(Inst::Load { op, rd, mem });
        Ok(())
    }

    fn lower_unary(&self, ctx: &mut Lower<'_, Inst>, inst: ir::Inst, opcode: Opcode, arg: Value) -> CompileResult<()> {
        let from = ctx.func.dfg.value_type(arg);
        let to = ctx.func.dfg.value_type(ctx.func.dfg.first_result(inst));
        let rn = self.reg(ctx, arg);
        let out = ctx.output(inst, 0);
        match opcode {
            Opcode::Clz | Opcode::Ctz | Opcode::Popcnt => {
                if from.bits() < 32 {
                    return Err(CompileError::unsupported(format!("{opcode} on {from}"), None));
                }
                self.lower_bit_count(ctx, opcode, from, rn, out)
            }
            Opcode::Uextend | Opcode::Sextend if from.bits() < to.bits() => ctx.emit(Inst::Extend {
                rd: out,
                rn,
                signed: opcode == Opcode::Sextend,
                from_bits: from.bits() as u8,
                to_bits: to.bits() as u8,
            }),
            Opcode::Uextend | Opcode::Sextend | Opcode::Ireduce => ctx.emit(Inst::mov64(out, rn)),
            other => return Err(CompileError::unsupported(format!("{other} on aarch64"), None)),
        }
        Ok(())
    }

    fn lower_store(
        &self,
        ctx: &mut Lower<'_, Inst>,
        opcode: Opcode,
        args: [Value; 2],
        offset: i32,
    ) -> CompileResult<()> {
        let ty = ctx.func.dfg.value_type(args[0]);
        if ty.is_float() {
            let rt = self.reg(ctx, args[0]);
            let mem = AMode::reg_offset(self.reg(ctx, args[1]), offset as i64);
            ctx.emit(Inst::FpuStore { size: FloatSize::of(ty), rt, mem });
            return Ok(());
        }
        let op = match opcode.store_width().unwrap_or(ty.bytes()) {
            1 => StoreOp::Strb,
            2 => StoreOp::Strh,
            4 => StoreOp::StrW,
            _ => StoreOp::StrX,
        };
        let rt = self.reg(ctx, args[0]);
        let mem = AMode::reg_offset(self.reg(ctx, args[1]), offset as i64);
        ctx.emit(Inst::Store { op, rt, mem });
        Ok(())
    }

    fn lower_binary(
        &self,
        ctx: &mut Lower<'_, Inst>,
        inst: ir::Inst,
        opcode: Opcode,
        args: [Value; 2],
    ) -> CompileResult<()> {
        let ty = ctx.func.dfg.value_type(args[0]);
        let out = ctx.output(inst, 0);
        let narrow = ty.bits() < 32;
        match opcode {
            Opcode::Iadd => self.lower_add_sub(ctx, AluOp::Add, ty, args, out),
            Opcode::Isub => self.lower_add_sub(ctx, AluOp::Sub, ty, args, out),
            Opcode::Band => self.lower_logical(ctx, AluOp::And, ty, args, out),
            Opcode::Bor => self.lower_logical(ctx, AluOp::Orr, ty, args, out),
            Opcode::Bxor => self.lower_logical(ctx, AluOp::Eor, ty, args, out),
            Opcode::Imul => {
                let (rn, rm) = (self.reg(ctx, args[0]), self.reg(ctx, args[1]));
                let size = size_of(ty);
                ctx.emit(Inst::AluRRRR { op: AluOp3::MAdd, size, rd: out, rn, rm, ra: zero_reg() });
            }
            // Narrow division and shifts would need extended operands and
            // a narrower amount mask; Wasm never produces them.
            Opcode::Sdiv | Opcode::Udiv | Opcode::Srem | Opcode::Urem if !narrow => {
                self.lower_division(ctx, opcode, args, out)
            }
            Opcode::Ishl | Opcode::Ushr | Opcode::Sshr | Opcode::Rotl | Opcode::Rotr if !narrow => {
                self.lower_shift(ctx, opcode, args, out)
            }
            other => return Err(CompileError::unsupported(format!("{other} on {ty} on aarch64"), None)),
        }
        Ok(())
    }
}

impl LowerBackend for AArch64Backend {
    type MInst = Inst;

    fn lower_args(&self, ctx: &mut Lower<'_, Inst>, params: &[Reg]) -> CompileResult<()> {
        machinst_abi::lower_args::<abi::Aarch64Abi>(ctx, params)
    }

    fn lower_inst(&self, ctx: &mut Lower<'_, Inst>, inst: ir::Inst) -> CompileResult<()> {
        if let Some(result) = super::lower_float::lower_float(ctx, inst) {
            return result;
        }
        let data = ctx.func.dfg.inst(inst).clone();
        let result_ty = ctx.func.dfg.inst_results(inst).first().map(|&v| ctx.func.dfg.value_type(v));
        match data {
            InstructionData::UnaryImm { opcode: Opcode::Iconst, imm } => {
                let ty = result_ty.unwrap_or(Type::I64);
                let out = ctx.output(inst, 0);
                ctx.emit(Inst::Imm { size: size_of(ty), value: imm as u64 & ty.mask(), rd: out });
            }
            InstructionData::Binary { opcode, args } => self.lower_binary(ctx, inst, opcode, args)?,
            InstructionData::BinaryImm { opcode: Opcode::IaddImm, arg, imm } => {
                let ty = ctx.func.dfg.value_type(arg);
                let size = size_of(ty);
                let rn = self.reg(ctx, arg);
                let out = ctx.output(inst, 0);
                match self.add_sub_imm(AluOp::Add, size, out, rn, signed_at_width(imm, ty)) {
                    Some(add) => ctx.emit(add),
                    None => {
                        let rm = self.imm(ctx, size, imm as u64);
                        ctx.emit(Inst::AluRRR { op: AluOp::Add, size, rd: out, rn, rm });
                    }
                }
            }
            InstructionData::Unary { opcode, arg } => self.lower_unary(ctx, inst, opcode, arg)?,
            InstructionData::IntCompare { cond, args, .. } => {
                let cond = self.emit_compare(ctx, cond, args[0], args[1]);
                let out = ctx.output(inst, 0);
                ctx.emit(Inst::CSet { size: OperandSize::Size32, cond, rd: out });
            }
            InstructionData::Ternary { opcode: Opcode::Select, args } => {
                let ty = ctx.func.dfg.value_type(args[1]);
                let cond = self.emit_condition(ctx, args[0]);
                let (rn, rm) = (self.reg(ctx, args[1]), self.reg(ctx, args[2]));
                let out = ctx.output(inst, 0);
                if ty.is_float() {
                    ctx.emit(Inst::FpuCSel { size: FloatSize::of(ty), cond, rd: out, rn, rm });
                } else {
                    ctx.emit(Inst::CSel { size: size_of(ty), cond, rd: out, rn, rm });
                }
            }
            InstructionData::Load { opcode, arg, offset } => self.lower_load(ctx, inst, opcode, arg, offset)?,
            InstructionData::Store { opcode, args, offset } => self.lower_store(ctx, opcode, args, offset)?,
            InstructionData::StackAddr { slot, offset, .. } => {
                let base = ctx.frame.stack_slot_offsets[slot.index()];
                let out = ctx.output(inst, 0);
                let location = FrameOffset::StackSlot(base.wrapping_add(offset as u32));
                ctx.emit(Inst::LoadAddr { rd: out, mem: AMode::Frame(location) });
            }
            InstructionData::Return { args, .. } => machinst_abi::lower_return::<abi::Aarch64Abi>(ctx, &args)?,
            InstructionData::Trap { code, .. } => ctx.emit(Inst::Udf { code }),
            InstructionData::CondTrap { opcode, arg, code } => {
                let kind = self.branch_condition(ctx, arg);
                let kind = if opcode == Opcode::Trapnz { kind } else { kind.invert() };
                ctx.emit(Inst::TrapIf { kind, code });
            }
            InstructionData::Call { .. } | InstructionData::CallIndirect { .. } => {
                machinst_abi::lower_call::<abi::Aarch64Abi>(ctx, inst)?
            }
            other => {
                return Err(CompileError::unsupported(format!("{} on aarch64", other.opcode()), None));
            }
        }
        Ok(())
    }

    fn lower_branch(&self, ctx: &mut Lower<'_, Inst>, inst: ir::Inst, targets: &[MachLabel]) -> CompileResult<()> {
        match ctx.func.dfg.inst(inst).clone() {
            InstructionData::Jump { .. } => ctx.emit(Inst::Jump { target: targets[0] }),
            InstructionData::Brif { arg, .. } => {
                let kind = self.branch_condition(ctx, arg);
                ctx.emit(Inst::CondBr { kind, taken: targets[0], not_taken: targets[1] });
            }
            InstructionData::BranchTable { arg, .. } => {
                let ty = ctx.func.dfg.value_type(arg);
                if ty.bits() != 32 {
                    return Err(CompileError::unsupported(format!("br_table on an {ty} index on aarch64"), None));
                }
                let index = self.reg(ctx, arg);
                let tmp1 = self.tmp(ctx);
                let tmp2 = self.tmp(ctx);
                ctx.emit(Inst::JmpTable { index, tmp1, tmp2, default: targets[0], targets: targets[1..].to_vec() });
            }
            other => return Err(CompileError::internal(format!("aarch64: not a branch: {:?}", other.opcode()))),
        }
        Ok(())
    }
}
