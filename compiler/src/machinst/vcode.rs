//! VCode: a function's machine instructions over virtual registers, in
//! final block order, ready for register allocation and emission.
//!
//! Part of `machinst/`:
//!
//! ```text
//! ir::Function ─▶ lower ─▶ **VCode<I>** ─▶ regalloc2::run (this is its
//!   `regalloc2::Function`) ─▶ **VCode::emit** (apply allocations, insert
//!   moves/spills/reloads, prologue/epilogue) ─▶ MachBuffer<I>
//! ```
//!
//! Blocks are numbered in emission order; block `i` is bound to
//! `MachLabel(i)`. Block parameters and branch arguments are regalloc2's
//! block parameters, so edge moves are regalloc2's job; the lowering order
//! has no critical edges and only unconditional jumps carry branch
//! arguments.

use crate::machinst::buffer::{MachBuffer, MachBufferFinalized};
use crate::machinst::inst::{MachInst, MachInstEmit, MachLabel, MachTerminator};
use crate::machinst::reg::{AllocationConsumer, OperandCollector, Reg, Writable};
use regalloc2::{Allocation, Block, Edit, Inst, InstOrEdit, InstRange, Operand, Output, PRegSet, RegClass, VReg};

/// Where frame-related values live, decided by lowering.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameRequirements {
    /// Bytes of outgoing stack arguments needed by the largest call.
    pub outgoing_args_size: u32,
    /// Bytes of IR stack slots.
    pub stack_slots_size: u32,
    /// Offset of each IR stack slot inside the stack-slot area.
    pub stack_slot_offsets: Vec<u32>,
}

/// Machine instructions of one function, in block order.
pub struct VCode<I: MachInst> {
    insts: Vec<I>,
    operands: Vec<Operand>,
    operand_ranges: Vec<(u32, u32)>,
    clobbers: Vec<PRegSet>,
    block_ranges: Vec<(u32, u32)>,
    succs: Vec<Block>,
    succ_ranges: Vec<(u32, u32)>,
    preds: Vec<Block>,
    pred_ranges: Vec<(u32, u32)>,
    params: Vec<VReg>,
    param_ranges: Vec<(u32, u32)>,
    branch_args: Vec<VReg>,
    /// One range per successor edge, indexed like `succs`.
    branch_arg_ranges: Vec<(u32, u32)>,
    num_vregs: usize,
    /// Frame needs decided by lowering.
    pub frame: FrameRequirements,
}

/// Builds a [`VCode`] block by block.
pub struct VCodeBuilder<I: MachInst> {
    vcode: VCode<I>,
    open_block: Option<u32>,
}

impl<I: MachInst> Default for VCodeBuilder<I> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I: MachInst> VCodeBuilder<I> {
    /// Starts an empty VCode.
    pub fn new() -> Self {
        Self {
            vcode: VCode {
                insts: Vec::new(),
                operands: Vec::new(),
                operand_ranges: Vec::new(),
                clobbers: Vec::new(),
                block_ranges: Vec::new(),
                succs: Vec::new(),
                succ_ranges: Vec::new(),
                preds: Vec::new(),
                pred_ranges: Vec::new(),
                params: Vec::new(),
                param_ranges: Vec::new(),
                branch_args: Vec::new(),
                branch_arg_ranges: Vec::new(),
                num_vregs: 0,
                frame: FrameRequirements::default(),
            },
            open_block: None,
        }
    }

    /// Opens the next block with the given parameters.
    pub fn start_block(&mut self, params: &[Reg]) {
        assert!(self.open_block.is_none(), "previous block not ended");
        let start = self.vcode.params.len() as u32;
        self.vcode.params.extend(params.iter().map(|r| r.to_vreg()));
        self.vcode.param_ranges.push((start, self.vcode.params.len() as u32));
        let first = self.vcode.insts.len() as u32;
        self.vcode.block_ranges.push((first, first));
        self.open_block = Some(self.vcode.block_ranges.len() as u32 - 1);
    }

    /// Appends an instruction to the open block.
    pub fn push(&mut self, mut inst: I) {
        let mut collector = OperandCollector::default();
        inst.get_operands(&mut collector);
        let start = self.vcode.operands.len() as u32;
        self.vcode.operands.extend(collector.operands);
        self.vcode.operand_ranges.push((start, self.vcode.operands.len() as u32));
        self.vcode.clobbers.push(inst.clobbers());
        self.vcode.insts.push(inst);
    }

    /// Closes the open block; `successors` are the target block indices
    /// with the branch arguments passed to each.
    pub fn end_block(&mut self, successors: &[(u32, Vec<Reg>)]) {
        let block = self.open_block.take().expect("no open block");
        self.vcode.block_ranges[block as usize].1 = self.vcode.insts.len() as u32;
        let start = self.vcode.succs.len() as u32;
        for (target, args) in successors {
            self.vcode.succs.push(Block::new(*target as usize));
            let arg_start = self.vcode.branch_args.len() as u32;
            self.vcode.branch_args.extend(args.iter().map(|r| r.to_vreg()));
            self.vcode.branch_arg_ranges.push((arg_start, self.vcode.branch_args.len() as u32));
        }
        self.vcode.succ_ranges.push((start, self.vcode.succs.len() as u32));
    }

    /// Finishes: computes predecessors.
    pub fn finish(mut self, num_vregs: usize, frame: FrameRequirements) -> VCode<I> {
        assert!(self.open_block.is_none(), "block not ended");
        let num_blocks = self.vcode.block_ranges.len();
        let mut preds: Vec<Vec<Block>> = vec![Vec::new(); num_blocks];
        for block in 0..num_blocks {
            let (s, e) = self.vcode.succ_ranges[block];
            for succ in &self.vcode.succs[s as usize..e as usize] {
                preds[succ.index()].push(Block::new(block));
            }
        }
        for list in preds {
            let start = self.vcode.preds.len() as u32;
            self.vcode.preds.extend(list);
            self.vcode.pred_ranges.push((start, self.vcode.preds.len() as u32));
        }
        self.vcode.num_vregs = num_vregs;
        self.vcode.frame = frame;
        self.vcode
    }
}

fn range<T>(items: &[T], (start, end): (u32, u32)) -> &[T] {
    &items[start as usize..end as usize]
}

impl<I: MachInst> VCode<I> {
    /// Number of blocks.
    pub fn num_blocks(&self) -> usize {
        self.block_ranges.len()
    }

    /// The instructions (before allocation).
    pub fn insts(&self) -> &[I] {
        &self.insts
    }

    /// Registers written by every instruction after allocation, plus edits'
    /// destinations: used to find clobbered callee-saved registers.
    pub fn written_registers(&self, output: &Output) -> PRegSet {
        let mut written = PRegSet::empty();
        for (index, operands) in self.operand_ranges.iter().enumerate() {
            let allocations = output.inst_allocs(Inst::new(index));
            for (operand, allocation) in range(&self.operands, *operands).iter().zip(allocations) {
                if operand.kind() == regalloc2::OperandKind::Def
                    && let Some(preg) = allocation.as_reg()
                {
                    written.add(preg);
                }
            }
        }
        for (_, edit) in &output.edits {
            let Edit::Move { to, .. } = edit;
            if let Some(preg) = to.as_reg() {
                written.add(preg);
            }
        }
        written
    }
}

impl<I: MachInst> regalloc2::Function for VCode<I> {
    fn num_insts(&self) -> usize {
        self.insts.len()
    }
    fn num_blocks(&self) -> usize {
        self.block_ranges.len()
    }
    fn entry_block(&self) -> Block {
        Block::new(0)
    }
    fn block_insns(&self, block: Block) -> InstRange {
        let (start, end) = self.block_ranges[block.index()];
        InstRange::new(Inst::new(start as usize), Inst::new(end as usize))
    }
    fn block_succs(&self, block: Block) -> &[Block] {
        range(&self.succs, self.succ_ranges[block.index()])
    }
    fn block_preds(&self, block: Block) -> &[Block] {
        range(&self.preds, self.pred_ranges[block.index()])
    }
    fn block_params(&self, block: Block) -> &[VReg] {
        range(&self.params, self.param_ranges[block.index()])
    }
    fn is_ret(&self, insn: Inst) -> bool {
        matches!(self.insts[insn.index()].is_term(), MachTerminator::Ret | MachTerminator::Trap)
    }
    fn is_branch(&self, insn: Inst) -> bool {
        self.insts[insn.index()].is_term() == MachTerminator::Branch
    }
    fn branch_blockparams(&self, block: Block, _insn: Inst, succ_idx: usize) -> &[VReg] {
        let (start, _) = self.succ_ranges[block.index()];
        range(&self.branch_args, self.branch_arg_ranges[start as usize + succ_idx])
    }
    fn inst_operands(&self, insn: Inst) -> &[Operand] {
        range(&self.operands, self.operand_ranges[insn.index()])
    }
    fn inst_clobbers(&self, insn: Inst) -> PRegSet {
        self.clobbers[insn.index()]
    }
    fn num_vregs(&self) -> usize {
        self.num_vregs
    }
    fn spillslot_size(&self, _regclass: RegClass) -> usize {
        1
    }
}

/// How emission turns regalloc2's moves into instructions: register to
/// register, register to spill slot, spill slot to register.
pub trait MoveEmitter<I> {
    /// A move between two physical registers.
    fn gen_move(&self, dst: Writable<Reg>, src: Reg, class: RegClass) -> I;
    /// A store of `src` to spill slot `slot`.
    fn gen_spill(&self, slot: usize, src: Reg) -> I;
    /// A load of spill slot `slot` into `dst`.
    fn gen_reload(&self, dst: Writable<Reg>, slot: usize) -> I;
}

impl<I: MachInstEmit> VCode<I> {
    /// Emits the allocated function: `prologue`, then every block with the
    /// allocations applied and regalloc2's moves inserted.
    pub fn emit(
        &self,
        output: &Output,
        prologue: &[I],
        moves: &impl MoveEmitter<I>,
        state: &mut I::State,
        island: impl Fn(&mut MachBuffer<I>, MachLabel),
    ) -> Result<MachBufferFinalized, String> {
        let mut buffer = MachBuffer::<I>::new();
        buffer.reserve_labels_for_blocks(self.num_blocks());
        for inst in prologue {
            inst.emit(&mut buffer, state);
        }
        for block in 0..self.num_blocks() {
            let block = Block::new(block);
            buffer.bind_label(MachLabel(block.index() as u32));
            for item in output.block_insts_and_edits(self, block) {
                if buffer.island_needed(I::worst_case_size() * 4) {
                    buffer.emit_island(&island);
                }
                match item {
                    InstOrEdit::Edit(Edit::Move { from, to }) => {
                        if let Some(inst) = Self::edit_to_inst(*from, *to, moves) {
                            inst.emit(&mut buffer, state);
                        }
                    }
                    InstOrEdit::Inst(index) => {
                        let mut inst = self.insts[index.index()].clone();
                        if inst.is_args() {
                            continue;
                        }
                        let allocations = output.inst_allocs(index);
                        let mut consumer = AllocationConsumer::new(allocations);
                        inst.get_operands(&mut consumer);
                        inst.emit(&mut buffer, state);
                    }
                }
            }
        }
        buffer.finish()
    }

    fn edit_to_inst(from: Allocation, to: Allocation, moves: &impl MoveEmitter<I>) -> Option<I> {
        match (from.as_reg(), to.as_reg(), from.as_stack(), to.as_stack()) {
            (Some(src), Some(dst), _, _) if src == dst => None,
            (Some(src), Some(dst), _, _) => {
                Some(moves.gen_move(Writable::from_reg(Reg::from_preg(dst)), Reg::from_preg(src), src.class()))
            }
            (Some(src), None, _, Some(slot)) => Some(moves.gen_spill(slot.index(), Reg::from_preg(src))),
            (None, Some(dst), Some(slot), _) => {
                Some(moves.gen_reload(Writable::from_reg(Reg::from_preg(dst)), slot.index()))
            }
            _ => panic!("unexpected move {from} -> {to}"),
        }
    }
}
