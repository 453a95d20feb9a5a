//! The data-flow graph: instructions, values and blocks with parameters.
//!
//! Part of the IR (`ir/`). Values are defined either as instruction results or
//! as block parameters (there are no phi nodes: a branch passes arguments to
//! its target's parameters). The data-flow graph owns the *contents* of
//! instructions and blocks; their *order* lives in [`crate::ir::Layout`].

use crate::ir::entities::{Block, FuncRef, Inst, JumpTable, SigRef, StackSlot, Value};
use crate::ir::instructions::{InstructionData, Opcode};
use crate::ir::types::Type;

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueDef {
    /// Result number `usize` of an instruction.
    Result(Inst, usize),
    /// Parameter number `usize` of a block.
    Param(Block, usize),
}

#[derive(Clone, Debug)]
struct ValueData {
    ty: Type,
    def: ValueDef,
}

/// A function signature: parameter and return types.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Signature {
    /// Parameter types.
    pub params: Vec<Type>,
    /// Return types.
    pub returns: Vec<Type>,
}

impl Signature {
    /// Creates a signature.
    pub fn new(params: Vec<Type>, returns: Vec<Type>) -> Self {
        Self { params, returns }
    }
}

/// A function that can be called directly: its index in the module's code
/// (resolved by the module linker) and its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtFuncData {
    /// The callee's symbol: an index into the module's list of compiled
    /// functions.
    pub symbol: u32,
    /// The callee's signature.
    pub signature: SigRef,
}

/// A jump table: the targets of a `br_table` (no block arguments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JumpTableData {
    /// Target when the index is out of range.
    pub default: Block,
    /// Targets by index.
    pub entries: Vec<Block>,
}

/// A stack slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackSlotData {
    /// Size in bytes (slots are 8-byte aligned).
    pub size: u32,
}

/// The data-flow graph of one function.
#[derive(Clone, Debug, Default)]
pub struct DataFlowGraph {
    insts: Vec<InstructionData>,
    results: Vec<Vec<Value>>,
    values: Vec<ValueData>,
    block_params: Vec<Vec<Value>>,
    /// Signatures referenced by calls.
    pub signatures: Vec<Signature>,
    /// Directly callable functions.
    pub ext_funcs: Vec<ExtFuncData>,
    /// Jump tables.
    pub jump_tables: Vec<JumpTableData>,
    /// Stack slots.
    pub stack_slots: Vec<StackSlotData>,
}

impl DataFlowGraph {
    /// Creates an empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of instructions created.
    pub fn num_insts(&self) -> usize {
        self.insts.len()
    }

    /// Number of blocks created.
    pub fn num_blocks(&self) -> usize {
        self.block_params.len()
    }

    /// Number of values created.
    pub fn num_values(&self) -> usize {
        self.values.len()
    }

    /// Creates a new block with no parameters (not yet in the layout).
    pub fn make_block(&mut self) -> Block {
        self.block_params.push(Vec::new());
        Block::new(self.block_params.len() - 1)
    }

    /// Whether `block` was created in this graph.
    pub fn block_is_valid(&self, block: Block) -> bool {
        block.index() < self.block_params.len()
    }

    /// Whether `value` was created in this graph.
    pub fn value_is_valid(&self, value: Value) -> bool {
        value.index() < self.values.len()
    }

    /// Whether `inst` was created in this graph.
    pub fn inst_is_valid(&self, inst: Inst) -> bool {
        inst.index() < self.insts.len()
    }

    /// Appends a parameter of type `ty` to `block`.
    pub fn append_block_param(&mut self, block: Block, ty: Type) -> Value {
        let index = self.block_params[block.index()].len();
        let value = self.make_value(ty, ValueDef::Param(block, index));
        self.block_params[block.index()].push(value);
        value
    }

    /// The parameters of `block`.
    pub fn block_params(&self, block: Block) -> &[Value] {
        &self.block_params[block.index()]
    }

    fn make_value(&mut self, ty: Type, def: ValueDef) -> Value {
        self.values.push(ValueData { ty, def });
        Value::new(self.values.len() - 1)
    }

    /// Creates an instruction (not yet in the layout) with results of the
    /// given types.
    pub fn make_inst(&mut self, data: InstructionData, result_types: &[Type]) -> Inst {
        self.insts.push(data);
        let inst = Inst::new(self.insts.len() - 1);
        let results =
            result_types.iter().enumerate().map(|(i, &ty)| self.make_value(ty, ValueDef::Result(inst, i))).collect();
        self.results.push(results);
        inst
    }

    /// The instruction's contents.
    pub fn inst(&self, inst: Inst) -> &InstructionData {
        &self.insts[inst.index()]
    }

    /// Mutable access to the instruction's contents.
    pub fn inst_mut(&mut self, inst: Inst) -> &mut InstructionData {
        &mut self.insts[inst.index()]
    }

    /// The instruction's opcode.
    pub fn opcode(&self, inst: Inst) -> Opcode {
        self.insts[inst.index()].opcode()
    }

    /// The instruction's results.
    pub fn inst_results(&self, inst: Inst) -> &[Value] {
        &self.results[inst.index()]
    }

    /// The first result of an instruction that has one.
    pub fn first_result(&self, inst: Inst) -> Value {
        self.results[inst.index()][0]
    }

    /// The type of a value.
    pub fn value_type(&self, value: Value) -> Type {
        self.values[value.index()].ty
    }

    /// Where a value is defined.
    pub fn value_def(&self, value: Value) -> ValueDef {
        self.values[value.index()].def
    }

    /// Adds a signature.
    pub fn import_signature(&mut self, signature: Signature) -> SigRef {
        self.signatures.push(signature);
        SigRef::new(self.signatures.len() - 1)
    }

    /// Adds a directly callable function.
    pub fn import_function(&mut self, data: ExtFuncData) -> FuncRef {
        self.ext_funcs.push(data);
        FuncRef::new(self.ext_funcs.len() - 1)
    }

    /// Adds a jump table.
    pub fn create_jump_table(&mut self, data: JumpTableData) -> JumpTable {
        self.jump_tables.push(data);
        JumpTable::new(self.jump_tables.len() - 1)
    }

    /// Adds a stack slot.
    pub fn create_stack_slot(&mut self, data: StackSlotData) -> StackSlot {
        self.stack_slots.push(data);
        StackSlot::new(self.stack_slots.len() - 1)
    }

    /// The signature of a call instruction, if it is one.
    pub fn call_signature(&self, inst: Inst) -> Option<SigRef> {
        match self.inst(inst) {
            InstructionData::Call { func_ref, .. } => Some(self.ext_funcs.get(func_ref.index())?.signature),
            InstructionData::CallIndirect { sig_ref, .. } => Some(*sig_ref),
            _ => None,
        }
    }

    /// The distinct successor blocks of a terminator, in order.
    pub fn successors(&self, inst: Inst) -> Vec<Block> {
        let mut blocks = Vec::new();
        match self.inst(inst) {
            InstructionData::BranchTable { table, .. } => {
                if let Some(jt) = self.jump_tables.get(table.index()) {
                    blocks.push(jt.default);
                    blocks.extend_from_slice(&jt.entries);
                }
            }
            data => blocks.extend(data.block_calls().iter().map(|c| c.block)),
        }
        let mut seen = std::collections::HashSet::new();
        blocks.retain(|b| seen.insert(*b));
        blocks
    }
}
