//! Translation of Wasm's numeric and memory operators to IR.
//!
//! Part of the Wasm front end (`wasm/`), called by the function translator
//! for every operator that is not control flow, a local, a global or a call.
//! Integer semantics map one-to-one onto IR opcodes (IR shifts and rotates
//! already take the amount modulo the width; IR division traps on a zero
//! divisor and `sdiv` on overflow, as Wasm requires). Linear-memory accesses
//! get an explicit bounds check against the memory's current length.

use crate::error::{CompileError, CompileResult};
use crate::ir::Signature;
use crate::ir::{FloatCC, IntCC, Opcode, Type, Value};
use crate::runtime::{Builtin, TrapCode, VMOffsets};
use crate::wasm::translate::{HeapBounds, Translator, unsupported};
use wasmparser::{MemArg, Operator};

impl Translator<'_> {
    fn push(&mut self, value: Value) {
        self.stack.push(value);
    }

    fn binary(&mut self, opcode: Opcode) -> CompileResult<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let v = self.b().binary(opcode, a, b);
        self.push(v);
        Ok(())
    }

    fn unary(&mut self, opcode: Opcode, ty: Type) -> CompileResult<()> {
        let a = self.pop()?;
        let v = self.b().unary(opcode, ty, a);
        self.push(v);
        Ok(())
    }

    fn compare(&mut self, cond: IntCC) -> CompileResult<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let v = self.b().icmp(cond, a, b);
        self.push(v);
        Ok(())
    }

    fn eqz(&mut self, ty: Type) -> CompileResult<()> {
        let a = self.pop()?;
        let zero = self.b().iconst(ty, 0);
        let v = self.b().icmp(IntCC::Equal, a, zero);
        self.push(v);
        Ok(())
    }

    fn fcompare(&mut self, cond: FloatCC) -> CompileResult<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let v = self.b().fcmp(cond, a, b);
        self.push(v);
        Ok(())
    }

    /// Calls a runtime builtin with `args` in value slots; traps with the
    /// builtin's trap code on a non-zero status; returns the first slot as
    /// `result` if asked.
    fn call_builtin(&mut self, builtin: Builtin, args: &[Value], result: Option<Type>) -> Option<Value> {
        let vmctx = self.vmctx;
        let slot = match self.builtin_slot {
            Some(slot) => slot,
            None => {
                let slot = self.b().create_stack_slot(5 * 8);
                self.builtin_slot = Some(slot);
                slot
            }
        };
        let b = self.b();
        let values = b.stack_addr(slot, 0);
        for (i, &arg) in args.iter().enumerate() {
            b.store(Opcode::Store, arg, values, (i * 8) as i32);
        }
        let dispatch = b.load(Opcode::Load, Type::I64, vmctx, VMOffsets::HOST_DISPATCH as i32);
        let index = b.iconst(Type::I32, builtin.index() as i64);
        let signature = b.import_signature(Signature::new(vec![Type::I64, Type::I32, Type::I64], vec![Type::I32]));
        let status = b.call_indirect(signature, dispatch, &[vmctx, index, values]);
        b.cond_trap(Opcode::Trapnz, status[0], builtin.trap_code());
        result.map(|ty| b.load(Opcode::Load, ty, values, 0))
    }

    fn builtin_operands(&mut self, builtin: Builtin, immediates: &[u32], popped: usize) -> CompileResult<()> {
        let operands = self.pop_n(popped)?;
        let mut args: Vec<Value> = immediates.iter().map(|&i| self.b().iconst(Type::I32, i as i64)).collect();
        args.extend(operands);
        let result = match builtin {
            Builtin::MemoryGrow | Builtin::TableGrow => Some(Type::I32),
            _ => None,
        };
        if let Some(v) = self.call_builtin(builtin, &args, result) {
            self.push(v);
        }
        Ok(())
    }

    /// Translates reference, table and bulk-memory operators.
    fn translate_reference(&mut self, op: &Operator<'_>) -> CompileResult<()> {
        match *op {
            Operator::RefNull { .. } => {
                let v = self.b().iconst(Type::I64, 0);
                self.push(v);
            }
            Operator::RefIsNull => {
                let r = self.pop()?;
                let zero = self.b().iconst(Type::I64, 0);
                let v = self.b().icmp(IntCC::Equal, r, zero);
                self.push(v);
            }
            Operator::RefFunc { function_index } => {
                let vmctx = self.vmctx;
                let offset = self.offsets.funcref(function_index) as i64;
                let v = self.b().iadd_imm(vmctx, offset);
                self.push(v);
            }
            Operator::TableGet { table } => {
                let index = self.pop()?;
                let address = self.table_element_address(table, index)?;
                let v = self.b().load(Opcode::Load, Type::I64, address, 0);
                self.push(v);
            }
            Operator::TableSet { table } => {
                let value = self.pop()?;
                let index = self.pop()?;
                let address = self.table_element_address(table, index)?;
                self.b().store(Opcode::Store, value, address, 0);
            }
            Operator::TableSize { table } => {
                let vmctx = self.vmctx;
                let offset = self.offsets.table_pointer(table) as i32;
                let b = self.b();
                let pointer = b.load(Opcode::Load, Type::I64, vmctx, offset);
                let length = b.load(Opcode::Load, Type::I64, pointer, VMOffsets::VMTABLE_LENGTH as i32);
                let v = b.unary(Opcode::Ireduce, Type::I32, length);
                self.push(v);
            }
            Operator::TableGrow { table } => self.builtin_operands(Builtin::TableGrow, &[table], 2)?,
            Operator::TableFill { table } => self.builtin_operands(Builtin::TableFill, &[table], 3)?,
            Operator::TableCopy { dst_table, src_table } => {
                self.builtin_operands(Builtin::TableCopy, &[dst_table, src_table], 3)?
            }
            Operator::TableInit { elem_index, table } => {
                self.builtin_operands(Builtin::TableInit, &[table, elem_index], 3)?
            }
            Operator::ElemDrop { elem_index } => self.builtin_operands(Builtin::ElemDrop, &[elem_index], 0)?,
            Operator::MemoryGrow { mem: 0 } => self.builtin_operands(Builtin::MemoryGrow, &[], 1)?,
            Operator::MemoryFill { mem: 0 } => self.builtin_operands(Builtin::MemoryFill, &[], 3)?,
            Operator::MemoryCopy { dst_mem: 0, src_mem: 0 } => self.builtin_operands(Builtin::MemoryCopy, &[], 3)?,
            Operator::MemoryInit { data_index, mem: 0 } => {
                self.builtin_operands(Builtin::MemoryInit, &[data_index], 3)?
            }
            Operator::DataDrop { data_index } => self.builtin_operands(Builtin::DataDrop, &[data_index], 0)?,
            ref other => return unsupported(format!("operator {}", operator_name(other))),
        }
        Ok(())
    }

    /// Sign-extends the low `from` bits of the top value, keeping type `ty`.
    fn extend_low(&mut self, from: Type, ty: Type) -> CompileResult<()> {
        let a = self.pop()?;
        let narrow = self.b().unary(Opcode::Ireduce, from, a);
        let v = self.b().unary(Opcode::Sextend, ty, narrow);
        self.push(v);
        Ok(())
    }

    /// The effective address of an access of `size` bytes at `memarg`, after
    /// the bounds check: traps unless `addr + offset + size <= length`.
    fn heap_address(&mut self, memarg: &MemArg, size: u64) -> CompileResult<Value> {
        if memarg.memory != 0 {
            return unsupported("multiple memories");
        }
        if self.info.memories.is_empty() {
            return Err(CompileError::internal("memory access without memory"));
        }
        let address = self.pop()?;
        let (base, length) = self.heap_bounds();
        let b = self.b();
        let index = b.unary(Opcode::Uextend, Type::I64, address);
        // offset < 2^32 and size <= 8, so this cannot overflow 64 bits.
        let end = b.iadd_imm(index, (memarg.offset + size) as i64);
        let out_of_bounds = b.icmp(IntCC::UnsignedGreaterThan, end, length);
        b.cond_trap(Opcode::Trapnz, out_of_bounds, TrapCode::MemoryOutOfBounds);
        let effective = b.binary(Opcode::Iadd, base, index);
        Ok(if memarg.offset == 0 { effective } else { b.iadd_imm(effective, memarg.offset as i64) })
    }

    /// Memory 0's base and length: loaded from its `VMMemory` cell, or the
    /// values loaded earlier in this block when no call came since.
    fn heap_bounds(&mut self) -> (Value, Value) {
        let b = self.builder.as_ref().expect("builder present");
        let (block, calls) = (b.current_block(), b.calls_built());
        if let Some(heap) = self.heap
            && Some(heap.block) == block
            && heap.calls == calls
        {
            return (heap.base, heap.length);
        }
        let vmctx = self.vmctx;
        let b = self.b();
        let memory = b.load(Opcode::Load, Type::I64, vmctx, VMOffsets::MEMORY as i32);
        let base = b.load(Opcode::Load, Type::I64, memory, VMOffsets::VMMEMORY_BASE as i32);
        let length = b.load(Opcode::Load, Type::I64, memory, VMOffsets::VMMEMORY_LENGTH as i32);
        self.heap = block.map(|block| HeapBounds { block, calls, base, length });
        (base, length)
    }

    fn load(&mut self, memarg: &MemArg, opcode: Opcode, ty: Type, size: u64) -> CompileResult<()> {
        let address = self.heap_address(memarg, size)?;
        let v = self.b().load(opcode, ty, address, 0);
        self.push(v);
        Ok(())
    }

    fn store(&mut self, memarg: &MemArg, opcode: Opcode, size: u64) -> CompileResult<()> {
        let value = self.pop()?;
        let address = self.heap_address(memarg, size)?;
        self.b().store(opcode, value, address, 0);
        Ok(())
    }

    /// Translates a numeric, conversion or memory operator.
    pub(super) fn translate_numeric(&mut self, op: &Operator<'_>) -> CompileResult<()> {
        use Opcode::*;
        use Type::{I8, I16, I32, I64};
        match *op {
            Operator::I32Eqz => self.eqz(I32),
            Operator::I64Eqz => self.eqz(I64),
            Operator::I32Eq | Operator::I64Eq => self.compare(IntCC::Equal),
            Operator::I32Ne | Operator::I64Ne => self.compare(IntCC::NotEqual),
            Operator::I32LtS | Operator::I64LtS => self.compare(IntCC::SignedLessThan),
            Operator::I32LtU | Operator::I64LtU => self.compare(IntCC::UnsignedLessThan),
            Operator::I32GtS | Operator::I64GtS => self.compare(IntCC::SignedGreaterThan),
            Operator::I32GtU | Operator::I64GtU => self.compare(IntCC::UnsignedGreaterThan),
            Operator::I32LeS | Operator::I64LeS => self.compare(IntCC::SignedLessThanOrEqual),
            Operator::I32LeU | Operator::I64LeU => self.compare(IntCC::UnsignedLessThanOrEqual),
            Operator::I32GeS | Operator::I64GeS => self.compare(IntCC::SignedGreaterThanOrEqual),
            Operator::I32GeU | Operator::I64GeU => self.compare(IntCC::UnsignedGreaterThanOrEqual),
            Operator::I32Clz => self.unary(Clz, I32),
            Operator::I64Clz => self.unary(Clz, I64),
            Operator::I32Ctz => self.unary(Ctz, I32),
            Operator::I64Ctz => self.unary(Ctz, I64),
            Operator::I32Popcnt => self.unary(Popcnt, I32),
            Operator::I64Popcnt => self.unary(Popcnt, I64),
            Operator::I32Add | Operator::I64Add => self.binary(Iadd),
            Operator::I32Sub | Operator::I64Sub => self.binary(Isub),
            Operator::I32Mul | Operator::I64Mul => self.binary(Imul),
            Operator::I32DivS | Operator::I64DivS => self.binary(Sdiv),
            Operator::I32DivU | Operator::I64DivU => self.binary(Udiv),
            Operator::I32RemS | Operator::I64RemS => self.binary(Srem),
            Operator::I32RemU | Operator::I64RemU => self.binary(Urem),
            Operator::I32And | Operator::I64And => self.binary(Band),
            Operator::I32Or | Operator::I64Or => self.binary(Bor),
            Operator::I32Xor | Operator::I64Xor => self.binary(Bxor),
            Operator::I32Shl | Operator::I64Shl => self.binary(Ishl),
            Operator::I32ShrS | Operator::I64ShrS => self.binary(Sshr),
            Operator::I32ShrU | Operator::I64ShrU => self.binary(Ushr),
            Operator::I32Rotl | Operator::I64Rotl => self.binary(Rotl),
            Operator::I32Rotr | Operator::I64Rotr => self.binary(Rotr),
            Operator::I32WrapI64 => self.unary(Ireduce, I32),
            Operator::I64ExtendI32S => self.unary(Sextend, I64),
            Operator::I64ExtendI32U => self.unary(Uextend, I64),
            Operator::I32Extend8S => self.extend_low(I8, I32),
            Operator::I32Extend16S => self.extend_low(I16, I32),
            Operator::I64Extend8S => self.extend_low(I8, I64),
            Operator::I64Extend16S => self.extend_low(I16, I64),
            Operator::I64Extend32S => self.extend_low(I32, I64),
            Operator::I32Load { ref memarg } => self.load(memarg, Load, I32, 4),
            Operator::I64Load { ref memarg } => self.load(memarg, Load, I64, 8),
            Operator::I32Load8S { ref memarg } => self.load(memarg, Sload8, I32, 1),
            Operator::I32Load8U { ref memarg } => self.load(memarg, Uload8, I32, 1),
            Operator::I32Load16S { ref memarg } => self.load(memarg, Sload16, I32, 2),
            Operator::I32Load16U { ref memarg } => self.load(memarg, Uload16, I32, 2),
            Operator::I64Load8S { ref memarg } => self.load(memarg, Sload8, I64, 1),
            Operator::I64Load8U { ref memarg } => self.load(memarg, Uload8, I64, 1),
            Operator::I64Load16S { ref memarg } => self.load(memarg, Sload16, I64, 2),
            Operator::I64Load16U { ref memarg } => self.load(memarg, Uload16, I64, 2),
            Operator::I64Load32S { ref memarg } => self.load(memarg, Sload32, I64, 4),
            Operator::I64Load32U { ref memarg } => self.load(memarg, Uload32, I64, 4),
            Operator::I32Store { ref memarg } | Operator::I64Store32 { ref memarg } => {
                self.store(memarg, if matches!(op, Operator::I32Store { .. }) { Store } else { Istore32 }, 4)
            }
            Operator::I64Store { ref memarg } => self.store(memarg, Store, 8),
            Operator::I32Store8 { ref memarg } | Operator::I64Store8 { ref memarg } => self.store(memarg, Istore8, 1),
            Operator::I32Store16 { ref memarg } | Operator::I64Store16 { ref memarg } => {
                self.store(memarg, Istore16, 2)
            }
            Operator::MemorySize { mem: 0 } => {
                let (_, length) = self.heap_bounds();
                let b = self.b();
                let sixteen = b.iconst(I64, 16);
                let pages = b.binary(Ushr, length, sixteen);
                let v = b.unary(Ireduce, I32, pages);
                self.push(v);
                Ok(())
            }
            ref other => self.translate_float(other),
        }
    }

    /// Translates a floating-point operator.
    fn translate_float(&mut self, op: &Operator<'_>) -> CompileResult<()> {
        use Opcode::*;
        use Type::{F32, F64, I32, I64};
        match *op {
            Operator::F32Add | Operator::F64Add => self.binary(Fadd),
            Operator::F32Sub | Operator::F64Sub => self.binary(Fsub),
            Operator::F32Mul | Operator::F64Mul => self.binary(Fmul),
            Operator::F32Div | Operator::F64Div => self.binary(Fdiv),
            Operator::F32Min | Operator::F64Min => self.binary(Fmin),
            Operator::F32Max | Operator::F64Max => self.binary(Fmax),
            Operator::F32Copysign | Operator::F64Copysign => self.binary(Fcopysign),
            Operator::F32Neg => self.unary(Fneg, F32),
            Operator::F64Neg => self.unary(Fneg, F64),
            Operator::F32Abs => self.unary(Fabs, F32),
            Operator::F64Abs => self.unary(Fabs, F64),
            Operator::F32Sqrt => self.unary(Sqrt, F32),
            Operator::F64Sqrt => self.unary(Sqrt, F64),
            Operator::F32Ceil => self.unary(Ceil, F32),
            Operator::F64Ceil => self.unary(Ceil, F64),
            Operator::F32Floor => self.unary(Floor, F32),
            Operator::F64Floor => self.unary(Floor, F64),
            Operator::F32Trunc => self.unary(Trunc, F32),
            Operator::F64Trunc => self.unary(Trunc, F64),
            Operator::F32Nearest => self.unary(Nearest, F32),
            Operator::F64Nearest => self.unary(Nearest, F64),
            Operator::F32Eq | Operator::F64Eq => self.fcompare(FloatCC::Equal),
            Operator::F32Ne | Operator::F64Ne => self.fcompare(FloatCC::NotEqual),
            Operator::F32Lt | Operator::F64Lt => self.fcompare(FloatCC::LessThan),
            Operator::F32Gt | Operator::F64Gt => self.fcompare(FloatCC::GreaterThan),
            Operator::F32Le | Operator::F64Le => self.fcompare(FloatCC::LessThanOrEqual),
            Operator::F32Ge | Operator::F64Ge => self.fcompare(FloatCC::GreaterThanOrEqual),
            Operator::I32TruncF32S | Operator::I32TruncF64S => self.unary(FcvtToSint, I32),
            Operator::I32TruncF32U | Operator::I32TruncF64U => self.unary(FcvtToUint, I32),
            Operator::I64TruncF32S | Operator::I64TruncF64S => self.unary(FcvtToSint, I64),
            Operator::I64TruncF32U | Operator::I64TruncF64U => self.unary(FcvtToUint, I64),
            Operator::I32TruncSatF32S | Operator::I32TruncSatF64S => self.unary(FcvtToSintSat, I32),
            Operator::I32TruncSatF32U | Operator::I32TruncSatF64U => self.unary(FcvtToUintSat, I32),
            Operator::I64TruncSatF32S | Operator::I64TruncSatF64S => self.unary(FcvtToSintSat, I64),
            Operator::I64TruncSatF32U | Operator::I64TruncSatF64U => self.unary(FcvtToUintSat, I64),
            Operator::F32ConvertI32S | Operator::F32ConvertI64S => self.unary(FcvtFromSint, F32),
            Operator::F32ConvertI32U | Operator::F32ConvertI64U => self.unary(FcvtFromUint, F32),
            Operator::F64ConvertI32S | Operator::F64ConvertI64S => self.unary(FcvtFromSint, F64),
            Operator::F64ConvertI32U | Operator::F64ConvertI64U => self.unary(FcvtFromUint, F64),
            Operator::F32DemoteF64 => self.unary(Fdemote, F32),
            Operator::F64PromoteF32 => self.unary(Fpromote, F64),
            Operator::I32ReinterpretF32 => self.unary(Bitcast, I32),
            Operator::I64ReinterpretF64 => self.unary(Bitcast, I64),
            Operator::F32ReinterpretI32 => self.unary(Bitcast, F32),
            Operator::F64ReinterpretI64 => self.unary(Bitcast, F64),
            Operator::F32Load { ref memarg } => self.load(memarg, Load, F32, 4),
            Operator::F64Load { ref memarg } => self.load(memarg, Load, F64, 8),
            Operator::F32Store { ref memarg } => self.store(memarg, Store, 4),
            Operator::F64Store { ref memarg } => self.store(memarg, Store, 8),
            ref other => self.translate_reference(other),
        }
    }
}

/// The operator's name as wasmparser spells it (`F32Add`, `MemoryGrow`).
pub fn operator_name(op: &Operator<'_>) -> String {
    let debug = format!("{op:?}");
    debug.split([' ', '{', '(']).next().unwrap_or("?").to_string()
}

#[cfg(test)]
mod tests {
    use crate::CompileOptions;
    use crate::compile::translate_module;
    use crate::module::Target;

    /// The IR of function 1 of `wat` (after `PRELUDE`'s `$g`), as text.
    fn ir(wat: &str) -> String {
        let wasm = wat::parse_str(wat).expect("valid WAT");
        let module = translate_module(&wasm, &CompileOptions::new(Target::X86_64)).expect("translates");
        module.functions.iter().find(|(name, ..)| name == "func1").expect("func1").2.to_string()
    }

    fn loads(text: &str) -> usize {
        text.lines().filter(|line| line.contains("= load")).count()
    }

    const PRELUDE: &str = r#"(module (memory 1) (func $g)"#;

    #[test]
    fn memory_base_and_length_are_loaded_once_per_block_between_calls() {
        // Two accesses in one block: one VMMemory pointer, base and length
        // (3 loads) plus the two data loads.
        let same_block = ir(&format!(
            "{PRELUDE} (func (param i32) (result i32)
               (i32.add (i32.load (local.get 0)) (i32.load offset=4 (local.get 0)))))"
        ));
        assert_eq!(loads(&same_block), 5, "{same_block}");
        // A call in between may grow memory: the second access reloads.
        let across_call = ir(&format!(
            "{PRELUDE} (func (param i32) (result i32)
               (i32.load (local.get 0)) (call $g) (i32.load offset=4 (local.get 0)) i32.add))"
        ));
        assert_eq!(loads(&across_call), 8, "{across_call}");
        // memory.grow is a builtin call (2 loads of its own: the dispatcher
        // and the result): memory.size after it reloads the bounds.
        let after_grow = ir(&format!(
            "{PRELUDE} (func (result i32)
               memory.size (drop (memory.grow (i32.const 1))) memory.size i32.add))"
        ));
        assert_eq!(loads(&after_grow), 3 + 2 + 3, "{after_grow}");
        // Another block reloads (its values need not dominate it otherwise).
        let other_block = ir(&format!(
            "{PRELUDE} (func (param i32) (result i32)
               (i32.load (local.get 0))
               (if (result i32) (local.get 0) (then (i32.load offset=4 (local.get 0))) (else (i32.const 0)))
               i32.add))"
        ));
        assert_eq!(loads(&other_block), 8, "{other_block}");
    }
}
