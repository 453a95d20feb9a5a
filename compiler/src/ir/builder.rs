//! Building IR functions, with SSA construction for mutable variables.
//!
//! Part of the IR (`ir/`); used by `wasm::translate` and by tests. The
//! builder appends instructions to the current block and keeps, per block,
//! its predecessors so it can turn *variables* (Wasm locals) into SSA values:
//!
//! - `def_var(x, v)` records the current definition of `x` in the current
//!   block;
//! - `use_var(x)` finds the reaching definition, adding a block parameter
//!   where control flow merges (Braun et al., "Simple and Efficient
//!   Construction of Static Single Assignment Form", 2013);
//! - a block is *sealed* once all its predecessors are known; parameters
//!   added to an unsealed block are completed when it is sealed.
//!
//! Invariant: a block whose parameters may still grow (an unsealed block, or
//! a sealed block with several predecessors where a variable is looked up)
//! is never a `br_table` target, because jump-table edges carry no arguments.
//! The Wasm translator routes every `br_table` edge through a fresh block
//! with a single predecessor.

use crate::ir::dfg::{ExtFuncData, JumpTableData, Signature, StackSlotData};
use crate::ir::entities::{Block, FuncRef, Inst, JumpTable, SigRef, StackSlot, Value};
use crate::ir::function::Function;
use crate::ir::instructions::{BlockCall, FloatCC, InstructionData, IntCC, Opcode};
use crate::ir::types::Type;
use crate::runtime::TrapCode;
use std::collections::HashMap;

/// A mutable variable whose uses and definitions the builder turns into SSA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Variable(pub u32);

#[derive(Clone, Debug, Default)]
struct SsaBlock {
    sealed: bool,
    /// Predecessor edges: the predecessor block and its branch instruction.
    predecessors: Vec<(Block, Inst)>,
    /// Parameters added while unsealed, completed at sealing.
    incomplete: Vec<(Variable, Value)>,
}

/// Builds one [`Function`].
pub struct FunctionBuilder<'f> {
    /// The function being built.
    pub func: &'f mut Function,
    variable_types: Vec<Type>,
    definitions: HashMap<(Variable, Block), Value>,
    ssa_blocks: Vec<SsaBlock>,
    current: Option<Block>,
    filled: bool,
    /// Calls built so far (direct and indirect).
    calls: u32,
}

impl<'f> FunctionBuilder<'f> {
    /// Starts building into `func` (normally empty).
    pub fn new(func: &'f mut Function) -> Self {
        Self {
            func,
            variable_types: Vec::new(),
            definitions: HashMap::new(),
            ssa_blocks: Vec::new(),
            current: None,
            filled: false,
            calls: 0,
        }
    }

    /// How many calls (direct and indirect) have been built so far: a value
    /// loaded from memory a callee may change is still current while this
    /// has not moved (and the block is the same).
    pub fn calls_built(&self) -> u32 {
        self.calls
    }

    fn ssa(&mut self, block: Block) -> &mut SsaBlock {
        if self.ssa_blocks.len() <= block.index() {
            self.ssa_blocks.resize(block.index() + 1, SsaBlock::default());
        }
        &mut self.ssa_blocks[block.index()]
    }

    /// Creates a block (inserted into the layout when first switched to).
    pub fn create_block(&mut self) -> Block {
        let block = self.func.dfg.make_block();
        self.ssa(block);
        block
    }

    /// Adds a parameter to `block`.
    pub fn append_block_param(&mut self, block: Block, ty: Type) -> Value {
        self.func.dfg.append_block_param(block, ty)
    }

    /// Adds one parameter per signature parameter to `block` (the entry
    /// block) and returns them.
    pub fn append_block_params_for_function_params(&mut self, block: Block) -> Vec<Value> {
        let params = self.func.signature.params.clone();
        params.into_iter().map(|ty| self.append_block_param(block, ty)).collect()
    }

    /// Makes `block` the current block, appending it to the layout if needed.
    pub fn switch_to_block(&mut self, block: Block) {
        if !self.func.layout.is_block_inserted(block) {
            self.func.layout.append_block(block);
        }
        self.current = Some(block);
        self.filled = self.func.layout.last_inst(block).is_some_and(|i| self.func.dfg.opcode(i).is_terminator());
    }

    /// The current block.
    pub fn current_block(&self) -> Option<Block> {
        self.current
    }

    /// Whether the current block already ends in a terminator.
    pub fn is_filled(&self) -> bool {
        self.filled
    }

    /// Whether `block` has predecessors recorded so far.
    pub fn has_predecessors(&self, block: Block) -> bool {
        self.ssa_blocks.get(block.index()).is_some_and(|b| !b.predecessors.is_empty())
    }

    /// Declares that all predecessors of `block` are now known.
    pub fn seal_block(&mut self, block: Block) {
        if self.ssa(block).sealed {
            return;
        }
        let incomplete = std::mem::take(&mut self.ssa(block).incomplete);
        for (variable, param) in incomplete {
            self.add_predecessor_arguments(variable, block, param);
        }
        self.ssa(block).sealed = true;
    }

    /// Seals every block created so far.
    pub fn seal_all_blocks(&mut self) {
        for index in 0..self.func.dfg.num_blocks() {
            self.seal_block(Block::new(index));
        }
    }

    /// Declares a variable of type `ty`.
    pub fn declare_var(&mut self, ty: Type) -> Variable {
        self.variable_types.push(ty);
        Variable(self.variable_types.len() as u32 - 1)
    }

    /// The type of a variable.
    pub fn var_type(&self, variable: Variable) -> Type {
        self.variable_types[variable.0 as usize]
    }

    /// Records `value` as the current definition of `variable`.
    pub fn def_var(&mut self, variable: Variable, value: Value) {
        let block = self.current.expect("def_var outside a block");
        self.definitions.insert((variable, block), value);
    }

    /// The SSA value of `variable` at the end of the current block so far.
    pub fn use_var(&mut self, variable: Variable) -> Value {
        let block = self.current.expect("use_var outside a block");
        self.use_var_in(variable, block)
    }

    fn use_var_in(&mut self, variable: Variable, block: Block) -> Value {
        let ty = self.var_type(variable);
        let mut path = Vec::new();
        let mut at = block;
        let value = loop {
            if let Some(&value) = self.definitions.get(&(variable, at)) {
                break value;
            }
            let ssa = self.ssa(at);
            if ssa.sealed && ssa.predecessors.len() == 1 {
                path.push(at);
                at = ssa.predecessors[0].0;
                continue;
            }
            let param = self.func.dfg.append_block_param(at, ty);
            self.definitions.insert((variable, at), param);
            if self.ssa(at).sealed {
                // Invariant: every variable is defined in the entry block, so
                // a sealed block without predecessors is never reached here.
                assert!(!self.ssa(at).predecessors.is_empty(), "{variable:?} used before definition in {at}");
                self.add_predecessor_arguments(variable, at, param);
            } else {
                self.ssa(at).incomplete.push((variable, param));
            }
            break param;
        };
        for block in path {
            self.definitions.insert((variable, block), value);
        }
        value
    }

    fn add_predecessor_arguments(&mut self, variable: Variable, block: Block, _param: Value) {
        let predecessors = self.ssa(block).predecessors.clone();
        for (predecessor, branch) in predecessors {
            let value = self.use_var_in(variable, predecessor);
            let data = self.func.dfg.inst_mut(branch);
            assert!(
                !matches!(data, InstructionData::BranchTable { .. }),
                "br_table edge into {block} cannot carry an SSA argument"
            );
            for call in data.block_calls_mut() {
                if call.block == block {
                    call.args.push(value);
                }
            }
        }
    }

    /// Appends an instruction to the current block and returns it.
    ///
    /// Invariant: the current block is not yet filled.
    pub fn build(&mut self, data: InstructionData, result_types: &[Type]) -> Inst {
        let block = self.current.expect("no current block");
        assert!(!self.filled, "appending to filled block {block}");
        let is_terminator = data.opcode().is_terminator();
        let inst = self.func.dfg.make_inst(data, result_types);
        self.func.layout.append_inst(inst, block);
        if is_terminator {
            self.filled = true;
            for successor in self.func.dfg.successors(inst) {
                self.ssa(successor).predecessors.push((block, inst));
            }
        }
        inst
    }

    fn build_value(&mut self, data: InstructionData, ty: Type) -> Value {
        let inst = self.build(data, &[ty]);
        self.func.dfg.first_result(inst)
    }

    /// The type of a value.
    pub fn value_type(&self, value: Value) -> Type {
        self.func.dfg.value_type(value)
    }

    /// `iconst`: an integer constant (truncated to the type's width).
    pub fn iconst(&mut self, ty: Type, imm: i64) -> Value {
        let imm = match ty.bits() {
            64 => imm,
            bits => ((imm as u64) & ty.mask()) as i64 & ((1i64 << bits) - 1),
        };
        self.build_value(InstructionData::UnaryImm { opcode: Opcode::Iconst, imm }, ty)
    }

    /// A two-operand integer instruction; the result has the operands' type.
    pub fn binary(&mut self, opcode: Opcode, a: Value, b: Value) -> Value {
        let ty = self.value_type(a);
        self.build_value(InstructionData::Binary { opcode, args: [a, b] }, ty)
    }

    /// `iadd_imm`.
    pub fn iadd_imm(&mut self, a: Value, imm: i64) -> Value {
        let ty = self.value_type(a);
        self.build_value(InstructionData::BinaryImm { opcode: Opcode::IaddImm, arg: a, imm }, ty)
    }

    /// A one-operand instruction producing a value of type `ty`.
    pub fn unary(&mut self, opcode: Opcode, ty: Type, a: Value) -> Value {
        self.build_value(InstructionData::Unary { opcode, arg: a }, ty)
    }

    /// `icmp`: 1 if `cond` holds, else 0, as an `i32`.
    pub fn icmp(&mut self, cond: IntCC, a: Value, b: Value) -> Value {
        self.build_value(InstructionData::IntCompare { opcode: Opcode::Icmp, cond, args: [a, b] }, Type::I32)
    }

    /// `fconst`: a float constant from its bits.
    pub fn fconst(&mut self, ty: Type, bits: u64) -> Value {
        let imm = (bits & ty.mask()) as i64;
        self.build_value(InstructionData::UnaryImm { opcode: Opcode::Fconst, imm }, ty)
    }

    /// `fcmp`: 1 if `cond` holds, else 0, as an `i32`.
    pub fn fcmp(&mut self, cond: FloatCC, a: Value, b: Value) -> Value {
        self.build_value(InstructionData::FloatCompare { opcode: Opcode::Fcmp, cond, args: [a, b] }, Type::I32)
    }

    /// `select c, a, b`.
    pub fn select(&mut self, c: Value, a: Value, b: Value) -> Value {
        let ty = self.value_type(a);
        self.build_value(InstructionData::Ternary { opcode: Opcode::Select, args: [c, a, b] }, ty)
    }

    /// A load of type `ty` from `address + offset`.
    pub fn load(&mut self, opcode: Opcode, ty: Type, address: Value, offset: i32) -> Value {
        self.build_value(InstructionData::Load { opcode, arg: address, offset }, ty)
    }

    /// A store of `value` to `address + offset`.
    pub fn store(&mut self, opcode: Opcode, value: Value, address: Value, offset: i32) -> Inst {
        self.build(InstructionData::Store { opcode, args: [value, address], offset }, &[])
    }

    /// Creates a stack slot of `size` bytes.
    pub fn create_stack_slot(&mut self, size: u32) -> StackSlot {
        self.func.dfg.create_stack_slot(StackSlotData { size })
    }

    /// The address of `slot + offset`.
    pub fn stack_addr(&mut self, slot: StackSlot, offset: i32) -> Value {
        self.build_value(InstructionData::StackAddr { opcode: Opcode::StackAddr, slot, offset }, Type::I64)
    }

    /// `jump block(args)`.
    pub fn jump(&mut self, block: Block, args: &[Value]) -> Inst {
        let destination = BlockCall::new(block, args.to_vec());
        self.build(InstructionData::Jump { opcode: Opcode::Jump, destination }, &[])
    }

    /// `brif c, then(args), else(args)`.
    pub fn brif(&mut self, c: Value, then: Block, then_args: &[Value], other: Block, other_args: &[Value]) -> Inst {
        let blocks = [BlockCall::new(then, then_args.to_vec()), BlockCall::new(other, other_args.to_vec())];
        self.build(InstructionData::Brif { opcode: Opcode::Brif, arg: c, blocks }, &[])
    }

    /// Creates a jump table.
    pub fn create_jump_table(&mut self, default: Block, entries: Vec<Block>) -> JumpTable {
        self.func.dfg.create_jump_table(JumpTableData { default, entries })
    }

    /// `br_table index, table`.
    pub fn br_table(&mut self, index: Value, table: JumpTable) -> Inst {
        self.build(InstructionData::BranchTable { opcode: Opcode::BrTable, arg: index, table }, &[])
    }

    /// `return args`.
    pub fn return_(&mut self, args: &[Value]) -> Inst {
        self.build(InstructionData::Return { opcode: Opcode::Return, args: args.to_vec() }, &[])
    }

    /// `trap code`.
    pub fn trap(&mut self, code: TrapCode) -> Inst {
        self.build(InstructionData::Trap { opcode: Opcode::Trap, code }, &[])
    }

    /// `trapz` / `trapnz`.
    pub fn cond_trap(&mut self, opcode: Opcode, arg: Value, code: TrapCode) -> Inst {
        self.build(InstructionData::CondTrap { opcode, arg, code }, &[])
    }

    /// Adds a signature for calls.
    pub fn import_signature(&mut self, signature: Signature) -> SigRef {
        self.func.dfg.import_signature(signature)
    }

    /// Adds a directly callable function.
    pub fn import_function(&mut self, symbol: u32, signature: SigRef) -> FuncRef {
        self.func.dfg.import_function(ExtFuncData { symbol, signature })
    }

    /// `call func_ref(args)`; returns the results.
    pub fn call(&mut self, func_ref: FuncRef, args: &[Value]) -> Vec<Value> {
        let signature = self.func.dfg.ext_funcs[func_ref.index()].signature;
        let returns = self.func.dfg.signatures[signature.index()].returns.clone();
        self.calls += 1;
        let inst = self.build(InstructionData::Call { opcode: Opcode::Call, func_ref, args: args.to_vec() }, &returns);
        self.func.dfg.inst_results(inst).to_vec()
    }

    /// `call_indirect sig, callee(args)`; returns the results.
    pub fn call_indirect(&mut self, sig_ref: SigRef, callee: Value, args: &[Value]) -> Vec<Value> {
        let returns = self.func.dfg.signatures[sig_ref.index()].returns.clone();
        let data = InstructionData::CallIndirect { opcode: Opcode::CallIndirect, sig_ref, callee, args: args.to_vec() };
        self.calls += 1;
        let inst = self.build(data, &returns);
        self.func.dfg.inst_results(inst).to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A counting loop: `x = 0; do { x = x + 1 } while (x != n); return x`.
    #[test]
    fn loop_variable_gets_header_parameter() {
        let mut func = Function::new("count", Signature::new(vec![Type::I32], vec![Type::I32]));
        let mut b = FunctionBuilder::new(&mut func);
        let entry = b.create_block();
        let header = b.create_block();
        let exit = b.create_block();
        let params = b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let x = b.declare_var(Type::I32);
        let zero = b.iconst(Type::I32, 0);
        b.def_var(x, zero);
        b.jump(header, &[]);
        b.switch_to_block(header);
        let old = b.use_var(x);
        let one = b.iconst(Type::I32, 1);
        let new = b.binary(Opcode::Iadd, old, one);
        b.def_var(x, new);
        let done = b.icmp(IntCC::Equal, new, params[0]);
        b.brif(done, exit, &[], header, &[]);
        b.seal_block(header);
        b.switch_to_block(exit);
        b.seal_block(exit);
        let result = b.use_var(x);
        b.return_(&[result]);

        // The header got one parameter, fed by zero from the entry and by
        // `new` around the back edge; the exit reads `new` directly.
        assert_eq!(func.dfg.block_params(header), &[old]);
        assert_eq!(result, new);
        let entry_jump = func.layout.last_inst(entry).unwrap();
        assert_eq!(func.dfg.inst(entry_jump).block_calls()[0].args, vec![zero]);
        let back_edge = func.layout.last_inst(header).unwrap();
        assert_eq!(func.dfg.inst(back_edge).block_calls()[1].args, vec![new]);
        assert!(func.dfg.inst(back_edge).block_calls()[0].args.is_empty());
    }

    #[test]
    fn single_predecessor_chain_needs_no_parameters() {
        let mut func = Function::new("chain", Signature::new(vec![], vec![Type::I64]));
        let mut b = FunctionBuilder::new(&mut func);
        let blocks: Vec<Block> = (0..4).map(|_| b.create_block()).collect();
        b.switch_to_block(blocks[0]);
        b.seal_block(blocks[0]);
        let v = b.declare_var(Type::I64);
        let c = b.iconst(Type::I64, -7);
        b.def_var(v, c);
        for pair in blocks.windows(2) {
            b.jump(pair[1], &[]);
            b.switch_to_block(pair[1]);
            b.seal_block(pair[1]);
        }
        let got = b.use_var(v);
        b.return_(&[got]);
        assert_eq!(got, c);
        for &block in &blocks {
            assert!(func.dfg.block_params(block).is_empty());
        }
    }

    #[test]
    fn iconst_truncates_to_type_width() {
        let mut func = Function::new("k", Signature::default());
        let mut b = FunctionBuilder::new(&mut func);
        let entry = b.create_block();
        b.switch_to_block(entry);
        let v = b.iconst(Type::I32, -1);
        let inst = match func.dfg.value_def(v) {
            crate::ir::ValueDef::Result(inst, _) => inst,
            _ => unreachable!(),
        };
        assert_eq!(func.dfg.inst(inst), &InstructionData::UnaryImm { opcode: Opcode::Iconst, imm: 0xffff_ffff });
    }
}
