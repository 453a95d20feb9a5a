//! Lowering: IR to VCode, one IR instruction at a time, through per-ISA
//! rules.
//!
//! Part of `machinst/`:
//!
//! ```text
//! ir::Function ─▶ BlockLoweringOrder (RPO, critical edges split)
//!              ─▶ **lower** (ISA rules via LowerBackend) ─▶ VCode<I>
//! ```
//!
//! Every IR value gets one virtual register. Blocks are lowered in reverse
//! postorder of the reachable CFG (unreachable blocks are dropped). An edge
//! leaving a block with several outgoing edges gets its own *edge block*
//! when its target has several incoming edges or when the edge carries
//! arguments: that removes critical edges (regalloc2 requires it) and means
//! only unconditional jumps pass block arguments.
//!
//! An `icmp` whose only use is a `brif`, `select`, `trapz` or `trapnz` in
//! the same block is *sunk*: it is not lowered on its own, and the user
//! lowers the comparison and the flag use together.

use crate::error::{CompileError, CompileResult};
use crate::ir::{self, Function, InstructionData, IntCC, Opcode, Type, Value};
use crate::machinst::inst::{MachInst, MachLabel};
use crate::machinst::reg::{PINNED_VREGS, Reg, Writable};
use crate::machinst::vcode::{FrameRequirements, VCode, VCodeBuilder};
use regalloc2::{RegClass, VReg};

/// One block of the lowered function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoweredBlock {
    /// An IR block.
    Orig(ir::Block),
    /// A split edge: edge number `edge` of `from`'s terminator, to `to`.
    Edge {
        /// The source block.
        from: ir::Block,
        /// Index of the edge among the terminator's edges.
        edge: usize,
        /// The target block.
        to: ir::Block,
    },
}

/// The order in which blocks are lowered and emitted.
pub struct BlockLoweringOrder {
    /// Lowered blocks in emission order.
    pub blocks: Vec<LoweredBlock>,
    /// Lowered index of each IR block (`u32::MAX` when unreachable).
    orig_index: Vec<u32>,
    /// For every reachable block, the lowered index each edge goes to.
    edge_targets: Vec<Vec<u32>>,
    /// Whether each edge of each block was split.
    edge_split: Vec<Vec<bool>>,
}

/// The targets of a terminator, one per edge, in order (with repeats).
pub fn terminator_edges(func: &Function, inst: ir::Inst) -> Vec<(ir::Block, Vec<Value>)> {
    match func.dfg.inst(inst) {
        InstructionData::BranchTable { table, .. } => {
            let jt = &func.dfg.jump_tables[table.index()];
            std::iter::once(jt.default).chain(jt.entries.iter().copied()).map(|b| (b, vec![])).collect()
        }
        data => data.block_calls().iter().map(|c| (c.block, c.args.clone())).collect(),
    }
}

impl BlockLoweringOrder {
    /// Computes the order for `func`.
    pub fn new(func: &Function) -> CompileResult<Self> {
        let num_blocks = func.dfg.num_blocks();
        let entry = func.layout.entry_block().ok_or_else(|| CompileError::internal("function has no blocks"))?;
        let edges_of = |block: ir::Block| -> Vec<(ir::Block, Vec<Value>)> {
            func.layout.last_inst(block).map(|i| terminator_edges(func, i)).unwrap_or_default()
        };
        // Reverse postorder, iteratively.
        let mut visited = vec![false; num_blocks];
        let mut postorder = Vec::new();
        let mut stack: Vec<(ir::Block, Vec<ir::Block>, usize)> = Vec::new();
        visited[entry.index()] = true;
        stack.push((entry, edges_of(entry).into_iter().map(|e| e.0).collect(), 0));
        while let Some((block, succs, next)) = stack.last_mut() {
            if let Some(&succ) = succs.get(*next) {
                *next += 1;
                if !visited[succ.index()] {
                    visited[succ.index()] = true;
                    let succ_edges = edges_of(succ).into_iter().map(|e| e.0).collect();
                    stack.push((succ, succ_edges, 0));
                }
            } else {
                postorder.push(*block);
                stack.pop();
            }
        }
        let rpo: Vec<ir::Block> = postorder.into_iter().rev().collect();
        let mut incoming = vec![0u32; num_blocks];
        let mut all_edges = vec![Vec::new(); num_blocks];
        for &block in &rpo {
            let edges = edges_of(block);
            for (target, _) in &edges {
                incoming[target.index()] += 1;
            }
            all_edges[block.index()] = edges;
        }
        let mut order = BlockLoweringOrder {
            blocks: Vec::new(),
            orig_index: vec![u32::MAX; num_blocks],
            edge_targets: vec![Vec::new(); num_blocks],
            edge_split: vec![Vec::new(); num_blocks],
        };
        for &block in &rpo {
            order.orig_index[block.index()] = order.blocks.len() as u32;
            order.blocks.push(LoweredBlock::Orig(block));
            let edges = &all_edges[block.index()];
            let split: Vec<bool> = edges
                .iter()
                .map(|(target, args)| edges.len() > 1 && (incoming[target.index()] > 1 || !args.is_empty()))
                .collect();
            // Edge blocks follow their source, last edge first, so that the
            // fall-through of a two-way branch is the next block.
            for (edge, (target, _)) in edges.iter().enumerate().rev() {
                if split[edge] {
                    order.blocks.push(LoweredBlock::Edge { from: block, edge, to: *target });
                }
            }
            order.edge_split[block.index()] = split;
        }
        // Resolve every edge to its lowered target.
        for (index, lowered) in order.blocks.iter().enumerate() {
            if let LoweredBlock::Edge { from, edge, .. } = *lowered {
                let targets = &mut order.edge_targets[from.index()];
                if targets.len() <= edge {
                    targets.resize(edge + 1, u32::MAX);
                }
                targets[edge] = index as u32;
            }
        }
        for &block in &rpo {
            let edges = &all_edges[block.index()];
            let targets = &mut order.edge_targets[block.index()];
            targets.resize(edges.len(), u32::MAX);
            for (edge, (target, _)) in edges.iter().enumerate() {
                if targets[edge] == u32::MAX {
                    targets[edge] = order.orig_index[target.index()];
                }
            }
        }
        Ok(order)
    }

    /// The lowered index of an IR block, if reachable.
    pub fn lowered_index(&self, block: ir::Block) -> Option<u32> {
        let index = self.orig_index[block.index()];
        (index != u32::MAX).then_some(index)
    }
}

/// The ISA-specific part of lowering.
pub trait LowerBackend {
    /// The ISA's machine instruction.
    type MInst: MachInst;

    /// Emits the instructions that define the entry block's parameters
    /// (`params`, one register per IR parameter) from the ABI locations.
    fn lower_args(&self, ctx: &mut Lower<'_, Self::MInst>, params: &[Reg]) -> CompileResult<()>;

    /// Lowers a non-branch instruction (including `return` and `trap`).
    fn lower_inst(&self, ctx: &mut Lower<'_, Self::MInst>, inst: ir::Inst) -> CompileResult<()>;

    /// Lowers a branch; `targets` has one label per edge
    /// (see [`terminator_edges`]).
    fn lower_branch(
        &self,
        ctx: &mut Lower<'_, Self::MInst>,
        inst: ir::Inst,
        targets: &[MachLabel],
    ) -> CompileResult<()>;
}

/// The lowering context the ISA rules work with.
pub struct Lower<'f, I: MachInst> {
    /// The function being lowered.
    pub func: &'f Function,
    builder: VCodeBuilder<I>,
    next_vreg: usize,
    sunk: Vec<bool>,
    /// Frame needs (outgoing arguments, stack slots).
    pub frame: FrameRequirements,
}

fn class_of(ty: Type) -> RegClass {
    if ty.is_float() { RegClass::Float } else { RegClass::Int }
}

impl<'f, I: MachInst> Lower<'f, I> {
    fn new(func: &'f Function) -> Self {
        let mut use_counts = vec![0u32; func.dfg.num_values()];
        let mut single_user: Vec<Option<ir::Inst>> = vec![None; func.dfg.num_values()];
        for &block in func.layout.blocks() {
            for &inst in func.layout.block_insts(block) {
                for value in func.dfg.inst(inst).all_values() {
                    use_counts[value.index()] += 1;
                    single_user[value.index()] = Some(inst);
                }
            }
        }
        let mut sunk = vec![false; func.dfg.num_insts()];
        for &block in func.layout.blocks() {
            for &inst in func.layout.block_insts(block) {
                if func.dfg.opcode(inst) != Opcode::Icmp {
                    continue;
                }
                let result = func.dfg.first_result(inst);
                let Some(user) = single_user[result.index()] else { continue };
                let sinkable_user = match func.dfg.inst(user) {
                    InstructionData::Brif { arg, .. } | InstructionData::CondTrap { arg, .. } => *arg == result,
                    InstructionData::Ternary { opcode: Opcode::Select, args, .. } => {
                        args[0] == result && args[1] != result && args[2] != result
                    }
                    _ => false,
                };
                sunk[inst.index()] =
                    use_counts[result.index()] == 1 && sinkable_user && func.layout.inst_block(user) == Some(block);
            }
        }
        let mut frame = FrameRequirements::default();
        for slot in &func.dfg.stack_slots {
            frame.stack_slot_offsets.push(frame.stack_slots_size);
            frame.stack_slots_size += slot.size.div_ceil(8) * 8;
        }
        Lower { func, builder: VCodeBuilder::new(), next_vreg: PINNED_VREGS + func.dfg.num_values(), sunk, frame }
    }

    /// The virtual register holding IR value `value`.
    pub fn value_reg(&self, value: Value) -> Reg {
        let class = class_of(self.func.dfg.value_type(value));
        Reg::from_vreg(VReg::new(PINNED_VREGS + value.index(), class))
    }

    /// The register an instruction's result `index` must be written to.
    pub fn output(&self, inst: ir::Inst, index: usize) -> Writable<Reg> {
        Writable::from_reg(self.value_reg(self.func.dfg.inst_results(inst)[index]))
    }

    /// A fresh temporary register.
    pub fn alloc_tmp(&mut self, class: RegClass) -> Writable<Reg> {
        let vreg = VReg::new(self.next_vreg, class);
        self.next_vreg += 1;
        Writable::from_reg(Reg::from_vreg(vreg))
    }

    /// Appends a machine instruction to the current block.
    pub fn emit(&mut self, inst: I) {
        self.builder.push(inst);
    }

    /// If `value` is the result of a sunk `icmp`, its condition and operands.
    pub fn sunk_compare(&self, value: Value) -> Option<(IntCC, Value, Value)> {
        let ir::ValueDef::Result(inst, _) = self.func.dfg.value_def(value) else { return None };
        if !self.sunk[inst.index()] {
            return None;
        }
        match self.func.dfg.inst(inst) {
            InstructionData::IntCompare { cond, args, .. } => Some((*cond, args[0], args[1])),
            _ => None,
        }
    }

    /// If `value` is an `iconst`, its immediate.
    pub fn constant(&self, value: Value) -> Option<i64> {
        let ir::ValueDef::Result(inst, _) = self.func.dfg.value_def(value) else { return None };
        match self.func.dfg.inst(inst) {
            InstructionData::UnaryImm { opcode: Opcode::Iconst, imm } => Some(*imm),
            _ => None,
        }
    }

    /// Records that a call needs `bytes` of outgoing stack arguments.
    pub fn need_outgoing_args(&mut self, bytes: u32) {
        self.frame.outgoing_args_size = self.frame.outgoing_args_size.max(bytes);
    }
}

/// Lowers `func` to VCode with `backend`'s rules.
pub fn lower<B: LowerBackend>(func: &Function, backend: &B) -> CompileResult<VCode<B::MInst>> {
    let order = BlockLoweringOrder::new(func)?;
    let mut ctx = Lower::<B::MInst>::new(func);
    let entry = func.layout.entry_block().ok_or_else(|| CompileError::internal("function has no blocks"))?;
    for lowered in &order.blocks {
        match *lowered {
            LoweredBlock::Orig(block) => {
                let params: Vec<Reg> = func.dfg.block_params(block).iter().map(|&v| ctx.value_reg(v)).collect();
                if block == entry {
                    ctx.builder.start_block(&[]);
                    backend.lower_args(&mut ctx, &params)?;
                } else {
                    ctx.builder.start_block(&params);
                }
                let insts = func.layout.block_insts(block);
                let Some((&terminator, body)) = insts.split_last() else {
                    return Err(CompileError::internal(format!("{block} is empty")));
                };
                for &inst in body {
                    if !ctx.sunk[inst.index()] {
                        backend.lower_inst(&mut ctx, inst)?;
                    }
                }
                let edges = terminator_edges(func, terminator);
                if edges.is_empty() {
                    backend.lower_inst(&mut ctx, terminator)?;
                    ctx.builder.end_block(&[]);
                    continue;
                }
                let targets = &order.edge_targets[block.index()];
                let labels: Vec<MachLabel> = targets.iter().map(|&t| MachLabel(t)).collect();
                backend.lower_branch(&mut ctx, terminator, &labels)?;
                let split = &order.edge_split[block.index()];
                let successors: Vec<(u32, Vec<Reg>)> = edges
                    .iter()
                    .enumerate()
                    .map(|(edge, (_, args))| {
                        let args = if split[edge] { vec![] } else { args.iter().map(|&v| ctx.value_reg(v)).collect() };
                        (targets[edge], args)
                    })
                    .collect();
                ctx.builder.end_block(&successors);
            }
            LoweredBlock::Edge { from, edge, to } => {
                let terminator = func.layout.last_inst(from).ok_or_else(|| CompileError::internal("no terminator"))?;
                let args: Vec<Reg> =
                    terminator_edges(func, terminator)[edge].1.iter().map(|&v| ctx.value_reg(v)).collect();
                let target = order.lowered_index(to).ok_or_else(|| CompileError::internal("edge to unreachable"))?;
                ctx.builder.start_block(&[]);
                ctx.emit(B::MInst::gen_jump(MachLabel(target)));
                ctx.builder.end_block(&[(target, args)]);
            }
        }
    }
    let num_vregs = ctx.next_vreg;
    Ok(ctx.builder.finish(num_vregs, ctx.frame))
}
