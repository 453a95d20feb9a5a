//! Translation of one Wasm function body to IR, validating as it goes.
//!
//! Part of the Wasm front end (`wasm/`):
//!
//! ```text
//! FunctionBody ─▶ (wasmparser FuncValidator, operator by operator)
//!              ─▶ **translate_function** ─▶ ir::Function (SSA, block params)
//! ```
//!
//! The translator keeps a value stack of IR values and a control stack of
//! frames. Every `block`, `loop` and `if` gets a *destination* block whose
//! parameters are the construct's results; a `loop` also gets a *header*
//! block whose parameters are its parameters, and a branch to a loop goes to
//! its header. Locals are builder variables, so SSA form (block parameters
//! at merges) is constructed by the builder. Code after an unconditional
//! branch is unreachable: it is validated but not translated.
//!
//! Every `br_table` edge goes through a fresh block with a single
//! predecessor that jumps on with the branch arguments (edge splitting), so
//! jump tables never carry block arguments.

use crate::error::{CompileError, CompileResult};
use crate::ir::{Block, FuncRef, Function, FunctionBuilder, Opcode, Signature, Type, Value, Variable};
use crate::module::{FuncType, ModuleInfo};
use crate::runtime::{MAX_REGISTER_RESULTS, TrapCode, VMOffsets};
use crate::wasm::environ::{FunctionBodyInput, val_type};
use crate::wasm::{call_function, ir_type, wasm_signature};
use std::collections::HashMap;
use wasmparser::{BlockType, FuncValidatorAllocations, Operator};

/// The outcome of translating one function: the outer `Result` fails for an
/// invalid body (the module is rejected); the inner one for a valid body that
/// uses something unsupported (lenient mode replaces it with a stub).
pub type Translation = CompileResult<Result<Function, CompileError>>;

/// Validates and translates the body of function `input.index`.
pub fn translate_function(
    info: &ModuleInfo,
    input: FunctionBodyInput<'_>,
    allocations: &mut FuncValidatorAllocations,
) -> Translation {
    let mut validator = input.validator.into_validator(std::mem::take(allocations));
    let index = input.index;
    let body_offset = input.body.range().start;
    let func_type = info.func_type(index).cloned().ok_or_else(|| CompileError::internal("function without type"))?;
    let mut failure: Option<CompileError> = None;

    // Locals: validate them all, and collect their types.
    let mut local_types = Vec::new();
    let mut locals_reader = input.body.get_locals_reader()?;
    for _ in 0..locals_reader.get_count() {
        let offset = locals_reader.original_position();
        let (count, ty) = locals_reader.read()?;
        validator.define_locals(offset, count, ty)?;
        match val_type(ty, offset).and_then(ir_type) {
            Ok(t) => local_types.push((count, t)),
            Err(e) => {
                failure.get_or_insert(e.with_offset(offset));
            }
        }
    }

    let mut func = Function::new(format!("func{index}"), Signature::default());
    match wasm_signature(&func_type) {
        Ok(signature) => func.signature = signature,
        Err(e) => {
            failure.get_or_insert(e.with_offset(body_offset));
        }
    }
    let mut reader = input.body.get_operators_reader()?;
    {
        let mut translator =
            if failure.is_none() { Some(Translator::new(&mut func, info, &func_type, &local_types)) } else { None };
        while !reader.eof() {
            let (op, offset) = reader.read_with_offset()?;
            validator.op(offset, &op)?;
            if failure.is_none()
                && let Some(t) = translator.as_mut()
                && let Err(e) = t.translate(&op)
            {
                failure = Some(e.with_offset(offset));
            }
        }
    }
    reader.finish()?;
    *allocations = validator.into_allocations();
    Ok(match failure {
        Some(e) => Err(e.in_function(index)),
        None => Ok(func),
    })
}

impl CompileError {
    /// Sets the offset if none is known yet.
    pub fn with_offset(mut self, offset: usize) -> Self {
        self.offset.get_or_insert(offset);
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    Block,
    Loop { header: Block },
    If { else_block: Block, head_reachable: bool, else_seen: bool },
}

#[derive(Clone, Debug)]
struct Frame {
    kind: FrameKind,
    /// The block after the construct; its parameters are the results.
    destination: Block,
    num_params: usize,
    num_results: usize,
    /// Height of the value stack below the construct's parameters.
    stack_base: usize,
    /// The parameter values at entry (re-pushed at `else`).
    entry_params: Vec<Value>,
    /// Whether anything reaches `destination`.
    exit_reachable: bool,
}

impl Frame {
    /// Records a branch to this frame: it reaches the destination unless the
    /// frame is a loop (whose branches go to the header).
    fn note_branch(&mut self) {
        if !matches!(self.kind, FrameKind::Loop { .. }) {
            self.exit_reachable = true;
        }
    }

    /// Where a branch to this frame goes, and how many values it carries.
    fn branch_target(&self) -> (Block, usize) {
        match self.kind {
            FrameKind::Loop { header } => (header, self.num_params),
            _ => (self.destination, self.num_results),
        }
    }
}

pub(super) struct Translator<'a> {
    pub(super) builder: Option<FunctionBuilder<'a>>,
    /// A stack slot for builtin operands, created on first use.
    pub(super) builtin_slot: Option<crate::ir::StackSlot>,
    pub(super) info: &'a ModuleInfo,
    pub(super) offsets: VMOffsets,
    pub(super) vmctx: Value,
    return_area: Option<Value>,
    locals: Vec<Variable>,
    pub(super) stack: Vec<Value>,
    control: Vec<Frame>,
    reachable: bool,
    /// Nesting depth of constructs opened in unreachable code.
    unreachable_depth: u32,
    func_refs: HashMap<u32, FuncRef>,
    results: Vec<Type>,
    /// Memory 0's base and length, as loaded in the current block since its
    /// last call (see `Translator::heap_bounds`).
    pub(super) heap: Option<HeapBounds>,
}

/// Memory 0's base and length loaded in `block` when `calls` calls had been
/// built: still valid for accesses later in that block before another
/// call. Only a call can change them (`memory.grow` is a builtin call; a
/// callee may grow memory), and a value defined earlier in a block
/// dominates the rest of the block.
#[derive(Clone, Copy, Debug)]
pub(super) struct HeapBounds {
    pub(super) block: crate::ir::Block,
    pub(super) calls: u32,
    pub(super) base: Value,
    pub(super) length: Value,
}

pub(super) fn unsupported<T>(what: impl Into<String>) -> CompileResult<T> {
    Err(CompileError::unsupported(what, None))
}

impl<'a> Translator<'a> {
    fn new(func: &'a mut Function, info: &'a ModuleInfo, ty: &FuncType, local_types: &[(u32, Type)]) -> Self {
        let results: Vec<Type> = ty.results.iter().map(|&t| ir_type(t).unwrap_or(Type::I64)).collect();
        let mut b = FunctionBuilder::new(func);
        let entry = b.create_block();
        let params = b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let vmctx = params[0];
        let return_area = if results.len() > MAX_REGISTER_RESULTS { params.last().copied() } else { None };
        let mut locals = Vec::new();
        for &param in &params[1..1 + ty.params.len()] {
            let var = b.declare_var(b.value_type(param));
            b.def_var(var, param);
            locals.push(var);
        }
        for &(count, t) in local_types {
            for _ in 0..count {
                let var = b.declare_var(t);
                let zero = if t.is_float() { b.fconst(t, 0) } else { b.iconst(t, 0) };
                b.def_var(var, zero);
                locals.push(var);
            }
        }
        let destination = b.create_block();
        for &t in &results {
            b.append_block_param(destination, t);
        }
        let frame = Frame {
            kind: FrameKind::Block,
            destination,
            num_params: 0,
            num_results: results.len(),
            stack_base: 0,
            entry_params: vec![],
            exit_reachable: false,
        };
        Translator {
            builder: Some(b),
            builtin_slot: None,
            info,
            offsets: info.vm_offsets(),
            vmctx,
            return_area,
            locals,
            stack: Vec::new(),
            control: vec![frame],
            reachable: true,
            unreachable_depth: 0,
            func_refs: HashMap::new(),
            results,
            heap: None,
        }
    }

    pub(super) fn b(&mut self) -> &mut FunctionBuilder<'a> {
        self.builder.as_mut().expect("builder present")
    }

    pub(super) fn pop(&mut self) -> CompileResult<Value> {
        self.stack.pop().ok_or_else(|| CompileError::internal("value stack underflow"))
    }

    pub(super) fn pop_n(&mut self, n: usize) -> CompileResult<Vec<Value>> {
        if self.stack.len() < n {
            return Err(CompileError::internal("value stack underflow"));
        }
        Ok(self.stack.split_off(self.stack.len() - n))
    }

    pub(super) fn peek_n(&self, n: usize) -> CompileResult<&[Value]> {
        if self.stack.len() < n {
            return Err(CompileError::internal("value stack underflow"));
        }
        Ok(&self.stack[self.stack.len() - n..])
    }

    fn block_type(&self, ty: BlockType) -> CompileResult<(Vec<Type>, Vec<Type>)> {
        match ty {
            BlockType::Empty => Ok((vec![], vec![])),
            BlockType::Type(t) => Ok((vec![], vec![ir_type(val_type(t, 0)?)?])),
            BlockType::FuncType(index) => {
                let ft = self.info.types.get(index as usize).ok_or_else(|| CompileError::internal("bad block type"))?;
                let params = ft.params.iter().map(|&t| ir_type(t)).collect::<CompileResult<_>>()?;
                let results = ft.results.iter().map(|&t| ir_type(t)).collect::<CompileResult<_>>()?;
                Ok((params, results))
            }
        }
    }

    fn new_block_with_params(&mut self, types: &[Type]) -> Block {
        let block = self.b().create_block();
        for &t in types {
            self.b().append_block_param(block, t);
        }
        block
    }

    fn frame_at_depth(&mut self, depth: u32) -> CompileResult<&mut Frame> {
        let len = self.control.len();
        let index = len.checked_sub(1 + depth as usize).ok_or_else(|| CompileError::internal("bad branch depth"))?;
        Ok(&mut self.control[index])
    }

    fn translate(&mut self, op: &Operator<'_>) -> CompileResult<()> {
        if !self.reachable {
            return self.translate_unreachable(op);
        }
        match *op {
            Operator::Unreachable => {
                self.b().trap(TrapCode::Unreachable);
                self.reachable = false;
            }
            Operator::Nop => {}
            Operator::Block { blockty } => {
                let (params, results) = self.block_type(blockty)?;
                let destination = self.new_block_with_params(&results);
                let stack_base = self.stack.len() - params.len();
                self.control.push(Frame {
                    kind: FrameKind::Block,
                    destination,
                    num_params: params.len(),
                    num_results: results.len(),
                    stack_base,
                    entry_params: vec![],
                    exit_reachable: false,
                });
            }
            Operator::Loop { blockty } => {
                let (params, results) = self.block_type(blockty)?;
                let header = self.new_block_with_params(&params);
                let destination = self.new_block_with_params(&results);
                let args = self.pop_n(params.len())?;
                self.b().jump(header, &args);
                self.b().switch_to_block(header);
                let header_params = self.b().func.dfg.block_params(header).to_vec();
                let stack_base = self.stack.len();
                self.stack.extend(header_params);
                self.control.push(Frame {
                    kind: FrameKind::Loop { header },
                    destination,
                    num_params: params.len(),
                    num_results: results.len(),
                    stack_base,
                    entry_params: vec![],
                    exit_reachable: false,
                });
            }
            Operator::If { blockty } => {
                let (params, results) = self.block_type(blockty)?;
                let condition = self.pop()?;
                let then_block = self.b().create_block();
                let else_block = self.b().create_block();
                let destination = self.new_block_with_params(&results);
                self.b().brif(condition, then_block, &[], else_block, &[]);
                self.b().seal_block(then_block);
                self.b().seal_block(else_block);
                self.b().switch_to_block(then_block);
                let entry_params = self.peek_n(params.len())?.to_vec();
                let stack_base = self.stack.len() - params.len();
                self.control.push(Frame {
                    kind: FrameKind::If { else_block, head_reachable: true, else_seen: false },
                    destination,
                    num_params: params.len(),
                    num_results: results.len(),
                    stack_base,
                    entry_params,
                    exit_reachable: false,
                });
            }
            Operator::Else => self.translate_else()?,
            Operator::End => self.translate_end()?,
            Operator::Br { relative_depth } => {
                let (target, arity) = self.frame_at_depth(relative_depth)?.branch_target();
                self.frame_at_depth(relative_depth)?.note_branch();
                let args = self.peek_n(arity)?.to_vec();
                self.b().jump(target, &args);
                self.reachable = false;
            }
            Operator::BrIf { relative_depth } => {
                let condition = self.pop()?;
                let (target, arity) = self.frame_at_depth(relative_depth)?.branch_target();
                self.frame_at_depth(relative_depth)?.note_branch();
                let args = self.peek_n(arity)?.to_vec();
                let next = self.b().create_block();
                self.b().brif(condition, target, &args, next, &[]);
                self.b().seal_block(next);
                self.b().switch_to_block(next);
            }
            Operator::BrTable { ref targets } => {
                let index = self.pop()?;
                let mut depths = Vec::with_capacity(targets.len() as usize);
                for depth in targets.targets() {
                    depths.push(depth?);
                }
                let default_depth = targets.default();
                let (_, arity) = self.frame_at_depth(default_depth)?.branch_target();
                let args = self.peek_n(arity)?.to_vec();
                // One edge block per distinct target depth.
                let mut edges: HashMap<u32, Block> = HashMap::new();
                let mut edge_order = Vec::new();
                let mut edge_for = |t: &mut Self, depth: u32| -> Block {
                    *edges.entry(depth).or_insert_with(|| {
                        edge_order.push(depth);
                        t.b().create_block()
                    })
                };
                let entries: Vec<Block> = depths.iter().map(|&d| edge_for(self, d)).collect();
                let default = edge_for(self, default_depth);
                let table = self.b().create_jump_table(default, entries);
                self.b().br_table(index, table);
                for depth in edge_order {
                    let edge = edges[&depth];
                    let (target, _) = self.frame_at_depth(depth)?.branch_target();
                    self.frame_at_depth(depth)?.note_branch();
                    self.b().seal_block(edge);
                    self.b().switch_to_block(edge);
                    self.b().jump(target, &args);
                }
                self.reachable = false;
            }
            Operator::Return => {
                let values = self.peek_n(self.results.len())?.to_vec();
                self.emit_return(&values);
                self.reachable = false;
            }
            Operator::Call { function_index } => self.translate_call(function_index)?,
            Operator::CallIndirect { type_index, table_index } => {
                self.translate_call_indirect(type_index, table_index)?
            }
            Operator::Drop => {
                self.pop()?;
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let condition = self.pop()?;
                let b = self.pop()?;
                let a = self.pop()?;
                let v = self.b().select(condition, a, b);
                self.stack.push(v);
            }
            Operator::TypedSelectMulti { .. } => return unsupported("select with multiple results"),
            Operator::LocalGet { local_index } => {
                let var = self.local(local_index)?;
                let v = self.b().use_var(var);
                self.stack.push(v);
            }
            Operator::LocalSet { local_index } => {
                let var = self.local(local_index)?;
                let v = self.pop()?;
                self.b().def_var(var, v);
            }
            Operator::LocalTee { local_index } => {
                let var = self.local(local_index)?;
                let v = *self.stack.last().ok_or_else(|| CompileError::internal("value stack underflow"))?;
                self.b().def_var(var, v);
            }
            Operator::GlobalGet { global_index } => {
                let (address, offset, ty) = self.global_address(global_index)?;
                let v = self.b().load(Opcode::Load, ty, address, offset);
                self.stack.push(v);
            }
            Operator::GlobalSet { global_index } => {
                let (address, offset, _) = self.global_address(global_index)?;
                let v = self.pop()?;
                self.b().store(Opcode::Store, v, address, offset);
            }
            Operator::I32Const { value } => {
                let v = self.b().iconst(Type::I32, value as i64);
                self.stack.push(v);
            }
            Operator::I64Const { value } => {
                let v = self.b().iconst(Type::I64, value);
                self.stack.push(v);
            }
            Operator::F32Const { value } => {
                let v = self.b().fconst(Type::F32, value.bits() as u64);
                self.stack.push(v);
            }
            Operator::F64Const { value } => {
                let v = self.b().fconst(Type::F64, value.bits());
                self.stack.push(v);
            }
            ref other => return self.translate_numeric(other),
        }
        Ok(())
    }

    fn local(&self, index: u32) -> CompileResult<Variable> {
        self.locals.get(index as usize).copied().ok_or_else(|| CompileError::internal("bad local index"))
    }

    /// Address value, offset and type of global `index`'s cell.
    fn global_address(&mut self, index: u32) -> CompileResult<(Value, i32, Type)> {
        let ty = self.info.global_type(index).ok_or_else(|| CompileError::internal("bad global index"))?;
        let ir = ir_type(ty.ty)?;
        let imported = self.info.imported_globals.len() as u32;
        let vmctx = self.vmctx;
        if index < imported {
            let pointer_offset = self.offsets.imported_global_pointer(index) as i32;
            let cell = self.b().load(Opcode::Load, Type::I64, vmctx, pointer_offset);
            Ok((cell, 0, ir))
        } else {
            Ok((vmctx, self.offsets.defined_global(index - imported) as i32, ir))
        }
    }

    fn emit_return(&mut self, values: &[Value]) {
        if let Some(area) = self.return_area {
            for (i, &v) in values.iter().enumerate().skip(MAX_REGISTER_RESULTS) {
                let offset = ((i - MAX_REGISTER_RESULTS) * 8) as i32;
                self.b().store(Opcode::Store, v, area, offset);
            }
        }
        let in_registers = values.len().min(MAX_REGISTER_RESULTS);
        self.b().return_(&values[..in_registers]);
    }

    fn translate_call(&mut self, function_index: u32) -> CompileResult<()> {
        let ty = self.info.func_type(function_index).cloned().ok_or_else(|| CompileError::internal("bad callee"))?;
        let signature = wasm_signature(&ty)?;
        let mut args = vec![self.vmctx];
        args.extend(self.pop_n(ty.params.len())?);
        let (info, vmctx) = (self.info, self.vmctx);
        let builder = self.builder.as_mut().expect("builder present");
        let results = call_function(builder, info, &mut self.func_refs, function_index, signature, args, vmctx);
        self.stack.extend(results);
        Ok(())
    }

    fn translate_call_indirect(&mut self, type_index: u32, table_index: u32) -> CompileResult<()> {
        let ty = self.info.types.get(type_index as usize).cloned().ok_or_else(|| CompileError::internal("bad type"))?;
        let signature = wasm_signature(&ty)?;
        let index = self.pop()?;
        let mut args = vec![self.vmctx];
        args.extend(self.pop_n(ty.params.len())?);
        let element = self.table_element_address(table_index, index)?;
        let vmctx = self.vmctx;
        let expected_offset = self.offsets.type_id(type_index) as i32;
        let b = self.b();
        let funcref = b.load(Opcode::Load, Type::I64, element, 0);
        b.cond_trap(Opcode::Trapz, funcref, TrapCode::IndirectCallToNull);
        let actual = b.load(Opcode::Load, Type::I64, funcref, VMOffsets::FUNCREF_TYPE_ID as i32);
        let expected = b.load(Opcode::Load, Type::I64, vmctx, expected_offset);
        let mismatch = b.icmp(crate::ir::IntCC::NotEqual, actual, expected);
        b.cond_trap(Opcode::Trapnz, mismatch, TrapCode::IndirectCallTypeMismatch);
        let code = b.load(Opcode::Load, Type::I64, funcref, VMOffsets::FUNCREF_CODE as i32);
        let callee_vmctx = b.load(Opcode::Load, Type::I64, funcref, VMOffsets::FUNCREF_VMCTX as i32);
        let callee = crate::wasm::Callee::Pointer { code, vmctx: callee_vmctx };
        let info = self.info;
        let builder = self.builder.as_mut().expect("builder present");
        let results = crate::wasm::emit_call(builder, info, &mut self.func_refs, callee, &ty, signature, args, vmctx);
        self.stack.extend(results);
        Ok(())
    }

    /// The address of element `index` (an `i32`) of table `table`, after
    /// the bounds check (traps with `TableOutOfBounds`).
    pub(super) fn table_element_address(&mut self, table: u32, index: Value) -> CompileResult<Value> {
        if table as usize >= self.info.tables.len() {
            return Err(CompileError::internal("bad table index"));
        }
        let vmctx = self.vmctx;
        let pointer_offset = self.offsets.table_pointer(table) as i32;
        let b = self.b();
        let table = b.load(Opcode::Load, Type::I64, vmctx, pointer_offset);
        let length = b.load(Opcode::Load, Type::I64, table, VMOffsets::VMTABLE_LENGTH as i32);
        let index = b.unary(Opcode::Uextend, Type::I64, index);
        let out_of_bounds = b.icmp(crate::ir::IntCC::UnsignedGreaterThanOrEqual, index, length);
        b.cond_trap(Opcode::Trapnz, out_of_bounds, TrapCode::TableOutOfBounds);
        let base = b.load(Opcode::Load, Type::I64, table, VMOffsets::VMTABLE_BASE as i32);
        let three = b.iconst(Type::I64, 3);
        let scaled = b.binary(Opcode::Ishl, index, three);
        Ok(b.binary(Opcode::Iadd, base, scaled))
    }

    fn translate_else(&mut self) -> CompileResult<()> {
        let frame = self.control.last().cloned().ok_or_else(|| CompileError::internal("else without if"))?;
        let FrameKind::If { else_block, head_reachable, .. } = frame.kind else {
            return Err(CompileError::internal("else outside if"));
        };
        if self.reachable {
            let results = self.peek_n(frame.num_results)?.to_vec();
            self.b().jump(frame.destination, &results);
            self.control.last_mut().expect("frame").exit_reachable = true;
        }
        self.stack.truncate(frame.stack_base);
        self.stack.extend_from_slice(&frame.entry_params);
        if let Some(Frame { kind: FrameKind::If { else_seen, .. }, .. }) = self.control.last_mut() {
            *else_seen = true;
        }
        self.reachable = head_reachable;
        if head_reachable {
            self.b().switch_to_block(else_block);
        }
        Ok(())
    }

    fn translate_end(&mut self) -> CompileResult<()> {
        let mut frame = self.control.pop().ok_or_else(|| CompileError::internal("end without frame"))?;
        if self.reachable {
            let results = self.peek_n(frame.num_results)?.to_vec();
            self.b().jump(frame.destination, &results);
            frame.exit_reachable = true;
        }
        if let FrameKind::If { else_block, head_reachable: true, else_seen: false } = frame.kind {
            // An `if` without `else` passes its parameters through.
            self.b().switch_to_block(else_block);
            self.b().jump(frame.destination, &frame.entry_params);
            frame.exit_reachable = true;
        }
        if let FrameKind::Loop { header } = frame.kind {
            self.b().seal_block(header);
        }
        self.stack.truncate(frame.stack_base);
        self.b().seal_block(frame.destination);
        if frame.exit_reachable {
            self.b().switch_to_block(frame.destination);
            let results = self.b().func.dfg.block_params(frame.destination).to_vec();
            self.stack.extend(results);
            self.reachable = true;
        } else {
            self.reachable = false;
        }
        if self.control.is_empty() && self.reachable {
            // The end of the function body.
            let values = self.stack.clone();
            self.emit_return(&values);
            self.reachable = false;
        }
        Ok(())
    }

    fn translate_unreachable(&mut self, op: &Operator<'_>) -> CompileResult<()> {
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => self.unreachable_depth += 1,
            Operator::Else if self.unreachable_depth == 0 => self.translate_else()?,
            Operator::End if self.unreachable_depth == 0 => self.translate_end()?,
            Operator::End => self.unreachable_depth -= 1,
            _ => {}
        }
        Ok(())
    }
}
