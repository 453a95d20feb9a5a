//! The layout: the order of blocks in a function and of instructions in
//! each block.
//!
//! Part of the IR (`ir/`). The builder only ever appends, so the layout is a
//! list of blocks and, per block, a list of instructions; the last
//! instruction of a finished block is its terminator.

use crate::ir::entities::{Block, Inst};

/// Block and instruction order.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    blocks: Vec<Block>,
    block_insts: Vec<Vec<Inst>>,
    block_inserted: Vec<bool>,
    inst_block: Vec<Option<Block>>,
}

impl Layout {
    /// Creates an empty layout.
    pub fn new() -> Self {
        Self::default()
    }

    fn grow_blocks(&mut self, block: Block) {
        if self.block_insts.len() <= block.index() {
            self.block_insts.resize(block.index() + 1, Vec::new());
            self.block_inserted.resize(block.index() + 1, false);
        }
    }

    /// Appends `block` to the end of the function.
    ///
    /// Invariant: a block is inserted at most once.
    pub fn append_block(&mut self, block: Block) {
        self.grow_blocks(block);
        assert!(!self.block_inserted[block.index()], "{block} inserted twice");
        self.block_inserted[block.index()] = true;
        self.blocks.push(block);
    }

    /// Whether `block` is in the layout.
    pub fn is_block_inserted(&self, block: Block) -> bool {
        self.block_inserted.get(block.index()).copied().unwrap_or(false)
    }

    /// Appends `inst` to the end of `block`.
    pub fn append_inst(&mut self, inst: Inst, block: Block) {
        self.grow_blocks(block);
        if self.inst_block.len() <= inst.index() {
            self.inst_block.resize(inst.index() + 1, None);
        }
        assert!(self.inst_block[inst.index()].is_none(), "{inst} inserted twice");
        self.inst_block[inst.index()] = Some(block);
        self.block_insts[block.index()].push(inst);
    }

    /// Blocks in layout order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The entry block (the first one).
    pub fn entry_block(&self) -> Option<Block> {
        self.blocks.first().copied()
    }

    /// Instructions of `block` in order.
    pub fn block_insts(&self, block: Block) -> &[Inst] {
        self.block_insts.get(block.index()).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The last instruction of `block`.
    pub fn last_inst(&self, block: Block) -> Option<Inst> {
        self.block_insts(block).last().copied()
    }

    /// The block containing `inst`.
    pub fn inst_block(&self, inst: Inst) -> Option<Block> {
        self.inst_block.get(inst.index()).copied().flatten()
    }
}
