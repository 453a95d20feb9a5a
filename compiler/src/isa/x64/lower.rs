//! Lowering rules for x86-64: IR instructions to `Inst`s over virtual
//! registers.
//!
//! Part of `isa/x64/`, called by the generic driver in `machinst::lower`.
//! Conventions kept here:
//!
//! - Invariant: a value narrower than 64 bits lives in a 64-bit register
//!   whose upper bits are undefined; every consumer that depends on them
//!   (address computation, zero extension, 64-bit compares) extends
//!   explicitly. 32-bit operations are done at 32 bits.
//! - Division: the zero check is explicit (`test; j!z; ud2`); the `idiv`
//!   itself is recorded as an `IntegerOverflow` trap site, since with a
//!   non-zero divisor `#DE` only happens for `MIN / -1`. `srem` uses a
//!   sequence that yields 0 for `MIN % -1`.
//! - `clz`/`ctz`/`popcnt` use baseline x86-64 (`bsr`/`bsf`/bit tricks), so
//!   the code needs no LZCNT/BMI1/POPCNT.

use crate::compile::Fault;
use crate::error::{CompileError, CompileResult};
use crate::ir::{self, InstructionData, IntCC, Opcode, Type, Value};
use crate::isa::x64::abi;
use crate::isa::x64::inst::Inst;
use crate::isa::x64::inst::args::*;
use crate::isa::x64::inst::regs::*;
use crate::machinst::abi as machinst_abi;
use crate::machinst::{Lower, LowerBackend, MachLabel, Reg, Writable};
use crate::runtime::TrapCode;
use regalloc2::RegClass;

/// The x86-64 lowering backend.
pub struct X64Backend {
    /// A miscompilation to commit on purpose (the harness's self-test).
    pub fault: Option<Fault>,
}

fn size_of(ty: Type) -> OperandSize {
    OperandSize::of(ty.bits() == 64)
}

fn unsupported_type(ty: Type) -> CompileError {
    CompileError::unsupported(format!("{ty} values on x86-64"), None)
}

impl X64Backend {
    fn reg(&self, ctx: &Lower<'_, Inst>, value: Value) -> Reg {
        ctx.value_reg(value)
    }

    /// A register operand, or an immediate when the value is a constant that
    /// fits in a sign-extended 32-bit field.
    fn reg_or_imm(&self, ctx: &Lower<'_, Inst>, value: Value) -> RegMemImm {
        let ty = ctx.func.dfg.value_type(value);
        match ctx.constant(value) {
            Some(imm) => {
                let imm = if ty.bits() == 32 { imm as u32 as i32 as i64 } else { imm };
                match i32::try_from(imm) {
                    Ok(imm) => RegMemImm::Imm(imm),
                    Err(_) => RegMemImm::Reg(self.reg(ctx, value)),
                }
            }
            None => RegMemImm::Reg(self.reg(ctx, value)),
        }
    }

    fn emit_compare(&self, ctx: &mut Lower<'_, Inst>, cond: IntCC, a: Value, b: Value) -> CC {
        let ty = ctx.func.dfg.value_type(a);
        let src2 = self.reg_or_imm(ctx, b);
        let src1 = self.reg(ctx, a);
        ctx.emit(Inst::Cmp { size: size_of(ty), op: CmpOp::Cmp, src1, src2 });
        CC::from_intcc(Fault::compare(self.fault, cond))
    }

    /// Sets flags for "`value` is true" and returns the condition that holds
    /// when it is (uses a sunk comparison when there is one).
    fn emit_condition(&self, ctx: &mut Lower<'_, Inst>, value: Value) -> CC {
        if let Some((cond, a, b)) = ctx.sunk_compare(value) {
            return self.emit_compare(ctx, cond, a, b);
        }
        let ty = ctx.func.dfg.value_type(value);
        let reg = self.reg(ctx, value);
        ctx.emit(Inst::Cmp { size: size_of(ty), op: CmpOp::Test, src1: reg, src2: RegMemImm::Reg(reg) });
        CC::NZ
    }

    fn imm(&self, ctx: &mut Lower<'_, Inst>, ty: Type, value: u64) -> Reg {
        let dst = ctx.alloc_tmp(RegClass::Int);
        ctx.emit(Inst::Imm { size: size_of(ty), value, dst });
        dst.to_reg()
    }

    fn alu(&self, ctx: &mut Lower<'_, Inst>, ty: Type, op: AluOp, src1: Reg, src2: RegMemImm) -> Reg {
        let dst = ctx.alloc_tmp(RegClass::Int);
        ctx.emit(Inst::AluRmiR { size: size_of(ty), op, src1, src2, dst });
        dst.to_reg()
    }

    fn shift_imm(&self, ctx: &mut Lower<'_, Inst>, ty: Type, kind: ShiftKind, src: Reg, amount: u8) -> Reg {
        let dst = ctx.alloc_tmp(RegClass::Int);
        ctx.emit(Inst::Shift { size: size_of(ty), kind, src, amount: Some(amount), count: rcx(), dst });
        dst.to_reg()
    }

    fn lower_division(&self, ctx: &mut Lower<'_, Inst>, inst: ir::Inst, opcode: Opcode, args: [Value; 2]) {
        let ty = ctx.func.dfg.value_type(args[0]);
        let size = size_of(ty);
        let dividend = self.reg(ctx, args[0]);
        let divisor = self.reg(ctx, args[1]);
        let out = ctx.output(inst, 0);
        ctx.emit(Inst::Cmp { size, op: CmpOp::Test, src1: divisor, src2: RegMemImm::Reg(divisor) });
        ctx.emit(Inst::TrapIf { cc: CC::Z, code: TrapCode::IntegerDivisionByZero });
        let quotient = ctx.alloc_tmp(RegClass::Int);
        let remainder = ctx.alloc_tmp(RegClass::Int);
        match opcode {
            Opcode::Srem => {
                ctx.emit(Inst::CheckedSRem { size, divisor, dividend, quotient, remainder });
            }
            _ => {
                let signed = opcode == Opcode::Sdiv;
                let high = ctx.alloc_tmp(RegClass::Int);
                if signed {
                    ctx.emit(Inst::SignExtendData { size, src: dividend, dst: high });
                } else {
                    ctx.emit(Inst::Imm { size: OperandSize::Size32, value: 0, dst: high });
                }
                ctx.emit(Inst::Div {
                    size,
                    signed,
                    divisor,
                    dividend_lo: dividend,
                    dividend_hi: high.to_reg(),
                    quotient,
                    remainder,
                    trap: TrapCode::IntegerOverflow,
                });
            }
        }
        let result = if matches!(opcode, Opcode::Sdiv | Opcode::Udiv) { quotient } else { remainder };
        ctx.emit(Inst::mov64(out, result.to_reg()));
    }

    fn lower_bit_count(&self, ctx: &mut Lower<'_, Inst>, opcode: Opcode, ty: Type, src: Reg, out: Writable<Reg>) {
        let size = size_of(ty);
        let bits = ty.bits() as u64;
        match opcode {
            Opcode::Clz => {
                // bsr gives the index of the highest set bit, and ZF for 0;
                // clz = (bits - 1) - index, with index := -1 for 0.
                let index = ctx.alloc_tmp(RegClass::Int);
                ctx.emit(Inst::BitScan { size, op: BitScan::Bsr, src: RegMem::Reg(src), dst: index });
                let minus_one = self.imm(ctx, Type::I64, u64::MAX);
                let chosen = ctx.alloc_tmp(RegClass::Int);
                ctx.emit(Inst::Cmove {
                    size,
                    cc: CC::Z,
                    consequent: minus_one,
                    alternative: index.to_reg(),
                    dst: chosen,
                });
                let top = self.imm(ctx, ty, bits - 1);
                ctx.emit(Inst::AluRmiR {
                    size,
                    op: AluOp::Sub,
                    src1: top,
                    src2: RegMemImm::Reg(chosen.to_reg()),
                    dst: out,
                });
            }
            Opcode::Ctz => {
                let index = ctx.alloc_tmp(RegClass::Int);
                ctx.emit(Inst::BitScan { size, op: BitScan::Bsf, src: RegMem::Reg(src), dst: index });
                let width = self.imm(ctx, ty, bits);
                ctx.emit(Inst::Cmove { size, cc: CC::Z, consequent: width, alternative: index.to_reg(), dst: out });
            }
            _ => {
                // Population count by bit tricks (Hacker's Delight 5-2).
                let m1 = 0x5555_5555_5555_5555u64 & ty.mask();
                let m2 = 0x3333_3333_3333_3333u64 & ty.mask();
                let m4 = 0x0F0F_0F0F_0F0F_0F0Fu64 & ty.mask();
                let h01 = 0x0101_0101_0101_0101u64 & ty.mask();
                let k1 = self.imm(ctx, ty, m1);
                let k2 = self.imm(ctx, ty, m2);
                let k4 = self.imm(ctx, ty, m4);
                let k01 = self.imm(ctx, ty, h01);
                // x - ((x >> 1) & m1)
                let s1 = self.shift_imm(ctx, ty, ShiftKind::Shr, src, 1);
                let a1 = self.alu(ctx, ty, AluOp::And, s1, RegMemImm::Reg(k1));
                let x1 = self.alu(ctx, ty, AluOp::Sub, src, RegMemImm::Reg(a1));
                // (x & m2) + ((x >> 2) & m2)
                let lo = self.alu(ctx, ty, AluOp::And, x1, RegMemImm::Reg(k2));
                let s2 = self.shift_imm(ctx, ty, ShiftKind::Shr, x1, 2);
                let hi = self.alu(ctx, ty, AluOp::And, s2, RegMemImm::Reg(k2));
                let x2 = self.alu(ctx, ty, AluOp::Add, lo, RegMemImm::Reg(hi));
                // (x + (x >> 4)) & m4
                let s4 = self.shift_imm(ctx, ty, ShiftKind::Shr, x2, 4);
                let sum = self.alu(ctx, ty, AluOp::Add, x2, RegMemImm::Reg(s4));
                let x3 = self.alu(ctx, ty, AluOp::And, sum, RegMemImm::Reg(k4));
                // (x * h01) >> (bits - 8)
                let product = ctx.alloc_tmp(RegClass::Int);
                ctx.emit(Inst::Imul { size, src1: x3, src2: RegMem::Reg(k01), dst: product });
                ctx.emit(Inst::Shift {
                    size,
                    kind: ShiftKind::Shr,
                    src: product.to_reg(),
                    amount: Some(bits as u8 - 8),
                    count: rcx(),
                    dst: out,
                });
            }
        }
    }

    fn lower_shift(&self, ctx: &mut Lower<'_, Inst>, inst: ir::Inst, opcode: Opcode, args: [Value; 2]) {
        let ty = ctx.func.dfg.value_type(args[0]);
        let kind = match opcode {
            Opcode::Ishl => ShiftKind::Shl,
            Opcode::Ushr => ShiftKind::Shr,
            Opcode::Sshr => ShiftKind::Sar,
            Opcode::Rotl => ShiftKind::Rol,
            _ => ShiftKind::Ror,
        };
        let src = self.reg(ctx, args[0]);
        let out = ctx.output(inst, 0);
        // The hardware masks the count to 5 (32-bit) or 6 (64-bit) bits,
        // which is exactly Wasm's "modulo the width".
        match ctx.constant(args[1]) {
            Some(amount) => {
                let amount = (amount as u64 & (ty.bits() as u64 - 1)) as u8;
                ctx.emit(Inst::Shift { size: size_of(ty), kind, src, amount: Some(amount), count: rcx(), dst: out });
            }
            None => {
                let count = self.reg(ctx, args[1]);
                let narrow_shift = ty == Type::I32 && matches!(kind, ShiftKind::Shl | ShiftKind::Shr);
                let size = match self.fault {
                    Some(Fault::ShiftMask) if narrow_shift => OperandSize::Size64,
                    _ => size_of(ty),
                };
                ctx.emit(Inst::Shift { size, kind, src, amount: None, count, dst: out });
            }
        }
    }

    fn amode(&self, ctx: &Lower<'_, Inst>, address: Value, offset: i32) -> Amode {
        Amode::imm_reg(offset, self.reg(ctx, address))
    }
}

impl LowerBackend for X64Backend {
    type MInst = Inst;

    fn lower_args(&self, ctx: &mut Lower<'_, Inst>, params: &[Reg]) -> CompileResult<()> {
        machinst_abi::lower_args::<abi::X64Abi>(ctx, params)
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
                let value = imm as u64 & ty.mask();
                ctx.emit(Inst::Imm { size: size_of(ty), value, dst: out });
            }
            InstructionData::Binary { opcode, args } => match opcode {
                Opcode::Iadd | Opcode::Isub | Opcode::Band | Opcode::Bor | Opcode::Bxor => {
                    let ty = ctx.func.dfg.value_type(args[0]);
                    let op = match opcode {
                        Opcode::Iadd => AluOp::Add,
                        Opcode::Isub => AluOp::Sub,
                        Opcode::Band => AluOp::And,
                        Opcode::Bor => AluOp::Or,
                        _ => AluOp::Xor,
                    };
                    let src2 = self.reg_or_imm(ctx, args[1]);
                    let src1 = self.reg(ctx, args[0]);
                    let out = ctx.output(inst, 0);
                    ctx.emit(Inst::AluRmiR { size: size_of(ty), op, src1, src2, dst: out });
                }
                Opcode::Imul => {
                    let ty = ctx.func.dfg.value_type(args[0]);
                    let (src1, src2) = (self.reg(ctx, args[0]), self.reg(ctx, args[1]));
                    let out = ctx.output(inst, 0);
                    ctx.emit(Inst::Imul { size: size_of(ty), src1, src2: RegMem::Reg(src2), dst: out });
                }
                Opcode::Sdiv | Opcode::Udiv | Opcode::Srem | Opcode::Urem => {
                    self.lower_division(ctx, inst, opcode, args)
                }
                Opcode::Ishl | Opcode::Ushr | Opcode::Sshr | Opcode::Rotl | Opcode::Rotr => {
                    self.lower_shift(ctx, inst, opcode, args)
                }
                other => return Err(CompileError::internal(format!("x64: binary opcode {other}"))),
            },
            InstructionData::BinaryImm { opcode: Opcode::IaddImm, arg, imm } => {
                let ty = ctx.func.dfg.value_type(arg);
                let src1 = self.reg(ctx, arg);
                let out = ctx.output(inst, 0);
                let src2 = match i32::try_from(imm) {
                    Ok(imm) => RegMemImm::Imm(imm),
                    Err(_) => RegMemImm::Reg(self.imm(ctx, Type::I64, imm as u64)),
                };
                ctx.emit(Inst::AluRmiR { size: size_of(ty), op: AluOp::Add, src1, src2, dst: out });
            }
            InstructionData::Unary { opcode, arg } => {
                let from = ctx.func.dfg.value_type(arg);
                let to = result_ty.unwrap_or(from);
                let src = self.reg(ctx, arg);
                let out = ctx.output(inst, 0);
                match opcode {
                    Opcode::Clz | Opcode::Ctz | Opcode::Popcnt => {
                        if from.bits() < 32 {
                            return Err(CompileError::unsupported(format!("{opcode} on {from}"), None));
                        }
                        self.lower_bit_count(ctx, opcode, from, src, out)
                    }
                    Opcode::Uextend => {
                        let mode = match from.bits() {
                            8 => ExtMode::BQ,
                            16 => ExtMode::WQ,
                            _ => ExtMode::LQ,
                        };
                        ctx.emit(Inst::MovzxRmR { mode, src: RegMem::Reg(src), dst: out });
                    }
                    Opcode::Sextend => {
                        let mode = match (from.bits(), to.bits()) {
                            (8, 64) => ExtMode::BQ,
                            (8, _) => ExtMode::BL,
                            (16, 64) => ExtMode::WQ,
                            (16, _) => ExtMode::WL,
                            _ => ExtMode::LQ,
                        };
                        ctx.emit(Inst::MovsxRmR { mode, src: RegMem::Reg(src), dst: out });
                    }
                    Opcode::Ireduce => ctx.emit(Inst::mov64(out, src)),
                    other => return Err(CompileError::internal(format!("x64: unary opcode {other}"))),
                }
            }
            InstructionData::IntCompare { cond, args, .. } => {
                let cc = self.emit_compare(ctx, cond, args[0], args[1]);
                let byte = ctx.alloc_tmp(RegClass::Int);
                ctx.emit(Inst::Setcc { cc, dst: byte });
                let out = ctx.output(inst, 0);
                ctx.emit(Inst::MovzxRmR { mode: ExtMode::BL, src: RegMem::Reg(byte.to_reg()), dst: out });
            }
            InstructionData::Ternary { opcode: Opcode::Select, args } => {
                let ty = ctx.func.dfg.value_type(args[1]);
                let cc = self.emit_condition(ctx, args[0]);
                let (consequent, alternative) = (self.reg(ctx, args[1]), self.reg(ctx, args[2]));
                let out = ctx.output(inst, 0);
                if ty.is_float() {
                    ctx.emit(Inst::XmmCmove { cc, consequent, alternative, dst: out });
                } else {
                    let size = OperandSize::Size64.min_for(ty);
                    ctx.emit(Inst::Cmove { size, cc, consequent, alternative, dst: out });
                }
            }
            InstructionData::Load { opcode, arg, offset } => {
                let ty = result_ty.unwrap_or(Type::I64);
                let src = self.amode(ctx, arg, offset);
                let out = ctx.output(inst, 0);
                let wide = ty.bits() == 64;
                if ty.is_float() {
                    ctx.emit(Inst::XmmLoad { size: FloatSize::of(ty), src, dst: out });
                    return Ok(());
                }
                let load = match (opcode, ty.bits()) {
                    (Opcode::Load, 64) => Inst::Mov64MR { src, dst: out },
                    (Opcode::Load, 32) | (Opcode::Uload32, _) => {
                        Inst::MovzxRmR { mode: ExtMode::LQ, src: RegMem::Mem(src), dst: out }
                    }
                    (Opcode::Load, 16) | (Opcode::Uload16, _) => {
                        Inst::MovzxRmR { mode: ExtMode::WL, src: RegMem::Mem(src), dst: out }
                    }
                    (Opcode::Load, 8) | (Opcode::Uload8, _) => {
                        Inst::MovzxRmR { mode: ExtMode::BL, src: RegMem::Mem(src), dst: out }
                    }
                    (Opcode::Sload8, _) => {
                        let mode = if wide { ExtMode::BQ } else { ExtMode::BL };
                        Inst::MovsxRmR { mode, src: RegMem::Mem(src), dst: out }
                    }
                    (Opcode::Sload16, _) => {
                        let mode = if wide { ExtMode::WQ } else { ExtMode::WL };
                        Inst::MovsxRmR { mode, src: RegMem::Mem(src), dst: out }
                    }
                    (Opcode::Sload32, _) => Inst::MovsxRmR { mode: ExtMode::LQ, src: RegMem::Mem(src), dst: out },
                    _ => return Err(unsupported_type(ty)),
                };
                ctx.emit(load);
            }
            InstructionData::Store { opcode, args, offset } => {
                let ty = ctx.func.dfg.value_type(args[0]);
                if ty.is_float() {
                    let src = self.reg(ctx, args[0]);
                    let dst = self.amode(ctx, args[1], offset);
                    ctx.emit(Inst::XmmStore { size: FloatSize::of(ty), src, dst });
                    return Ok(());
                }
                let bytes = opcode.store_width().unwrap_or(ty.bytes());
                let size = match bytes {
                    1 => OperandSize::Size8,
                    2 => OperandSize::Size16,
                    4 => OperandSize::Size32,
                    _ => OperandSize::Size64,
                };
                let src = self.reg(ctx, args[0]);
                let dst = self.amode(ctx, args[1], offset);
                ctx.emit(Inst::MovRM { size, src, dst });
            }
            InstructionData::StackAddr { slot, offset, .. } => {
                let base = ctx.frame.stack_slot_offsets[slot.index()];
                let out = ctx.output(inst, 0);
                let addr = Amode::Frame(FrameOffset::StackSlot(base.wrapping_add(offset as u32)));
                ctx.emit(Inst::Lea { addr, dst: out });
            }
            InstructionData::Return { args, .. } => machinst_abi::lower_return::<abi::X64Abi>(ctx, &args)?,
            InstructionData::Trap { code, .. } => ctx.emit(Inst::Ud2 { code }),
            InstructionData::CondTrap { opcode, arg, code } => {
                let cc = self.emit_condition(ctx, arg);
                let cc = if opcode == Opcode::Trapnz { cc } else { cc.invert() };
                ctx.emit(Inst::TrapIf { cc, code });
            }
            InstructionData::Call { .. } | InstructionData::CallIndirect { .. } => {
                machinst_abi::lower_call::<abi::X64Abi>(ctx, inst)?
            }
            other => return Err(CompileError::internal(format!("x64: cannot lower {:?}", other.opcode()))),
        }
        Ok(())
    }

    fn lower_branch(&self, ctx: &mut Lower<'_, Inst>, inst: ir::Inst, targets: &[MachLabel]) -> CompileResult<()> {
        match ctx.func.dfg.inst(inst).clone() {
            InstructionData::Jump { .. } => ctx.emit(Inst::Jmp { target: targets[0] }),
            InstructionData::Brif { arg, .. } => {
                let cc = self.emit_condition(ctx, arg);
                ctx.emit(Inst::JmpCond { cc, taken: targets[0], not_taken: targets[1] });
            }
            InstructionData::BranchTable { arg, .. } => {
                let index = self.reg(ctx, arg);
                let tmp1 = ctx.alloc_tmp(RegClass::Int);
                let tmp2 = ctx.alloc_tmp(RegClass::Int);
                ctx.emit(Inst::JmpTable { index, tmp1, tmp2, default: targets[0], targets: targets[1..].to_vec() });
            }
            other => return Err(CompileError::internal(format!("x64: not a branch: {:?}", other.opcode()))),
        }
        Ok(())
    }
}

impl OperandSize {
    /// 64-bit for 64-bit types, else 32-bit.
    pub fn min_for(self, ty: Type) -> OperandSize {
        if ty.bits() == 64 { self } else { OperandSize::Size32 }
    }
}
