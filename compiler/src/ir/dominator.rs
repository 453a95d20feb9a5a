//! Control-flow graph and dominator tree of an IR function.
//!
//! Part of the IR (`ir/`), used by the verifier (SSA dominance) and by any
//! pass that needs block order or dominance:
//!
//! ```text
//! ir::Function ─▶ ControlFlowGraph ─▶ DominatorTree ─▶ verifier, lowering order
//! ```
//!
//! The CFG is read off the block terminators with
//! [`DataFlowGraph::successors`](crate::ir::DataFlowGraph::successors). The
//! dominator tree uses the iterative algorithm of Cooper, Harvey and Kennedy
//! ("A Simple, Fast Dominance Algorithm", 2001) over the reverse postorder of
//! the blocks reachable from the entry block. Every traversal is iterative
//! (functions can have 100k blocks), and dominance queries are O(1) through a
//! pre-order numbering of the finished tree.

use crate::ir::entities::Block;
use crate::ir::function::Function;

/// Predecessors and successors of every block, computed from terminators.
///
/// Only the last instruction of a block is looked at. Edges to blocks that
/// are invalid or not in the layout are dropped (the verifier reports them),
/// so every block in the graph is a block of the layout.
#[derive(Clone, Debug, Default)]
pub struct ControlFlowGraph {
    predecessors: Vec<Vec<Block>>,
    successors: Vec<Vec<Block>>,
}

impl ControlFlowGraph {
    /// Computes the graph of `func`.
    pub fn compute(func: &Function) -> Self {
        let num_blocks = func.dfg.num_blocks();
        let mut cfg = Self {
            predecessors: vec![Vec::new(); num_blocks],
            successors: vec![Vec::new(); num_blocks],
        };
        for &block in func.layout.blocks() {
            if !func.dfg.block_is_valid(block) {
                continue;
            }
            let Some(last) = func.layout.last_inst(block) else {
                continue;
            };
            if !func.dfg.inst_is_valid(last) || !func.dfg.opcode(last).is_terminator() {
                continue;
            }
            for successor in func.dfg.successors(last) {
                if func.dfg.block_is_valid(successor) && func.layout.is_block_inserted(successor) {
                    cfg.successors[block.index()].push(successor);
                    cfg.predecessors[successor.index()].push(block);
                }
            }
        }
        cfg
    }

    /// The distinct predecessors of `block`, in layout order.
    pub fn predecessors(&self, block: Block) -> &[Block] {
        self.predecessors
            .get(block.index())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The distinct successors of `block`, in terminator order.
    pub fn successors(&self, block: Block) -> &[Block] {
        self.successors
            .get(block.index())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// Marks a block that is not reachable in [`DominatorTree::rpo_numbers`].
const UNREACHABLE: u32 = u32::MAX;

/// The dominator tree of the blocks reachable from the entry block.
#[derive(Clone, Debug, Default)]
pub struct DominatorTree {
    /// Reachable blocks in reverse postorder; the entry block first.
    rpo: Vec<Block>,
    /// Position of each block in `rpo`, or [`UNREACHABLE`].
    rpo_numbers: Vec<u32>,
    /// Immediate dominator of each reachable block except the entry.
    idoms: Vec<Option<Block>>,
    /// Pre-order number of each reachable block in the dominator tree.
    tree_preorder: Vec<u32>,
    /// The largest pre-order number in each reachable block's subtree.
    ///
    /// Invariant: `a` dominates `b` iff
    /// `tree_preorder[a] <= tree_preorder[b] <= tree_subtree_end[a]`.
    tree_subtree_end: Vec<u32>,
}

impl DominatorTree {
    /// Computes the dominator tree of `func`.
    pub fn compute(func: &Function) -> Self {
        Self::with_cfg(func, &ControlFlowGraph::compute(func))
    }

    /// Computes the dominator tree of `func` from its already computed CFG.
    pub fn with_cfg(func: &Function, cfg: &ControlFlowGraph) -> Self {
        let num_blocks = func.dfg.num_blocks();
        let mut tree = Self {
            rpo: Vec::new(),
            rpo_numbers: vec![UNREACHABLE; num_blocks],
            idoms: vec![None; num_blocks],
            tree_preorder: vec![0; num_blocks],
            tree_subtree_end: vec![0; num_blocks],
        };
        let Some(entry) = func
            .layout
            .entry_block()
            .filter(|&b| func.dfg.block_is_valid(b))
        else {
            return tree;
        };
        tree.rpo = reverse_postorder(entry, cfg, num_blocks);
        for (number, &block) in tree.rpo.iter().enumerate() {
            tree.rpo_numbers[block.index()] = number as u32;
        }
        tree.compute_idoms(cfg);
        tree.number_tree();
        tree
    }

    /// Cooper–Harvey–Kennedy: iterate `idom(b) = ⋂ processed preds` in
    /// reverse postorder until nothing changes.
    fn compute_idoms(&mut self, cfg: &ControlFlowGraph) {
        let Some(&entry) = self.rpo.first() else {
            return;
        };
        // The entry temporarily points at itself so `intersect` terminates.
        self.idoms[entry.index()] = Some(entry);
        let mut changed = true;
        while changed {
            changed = false;
            for position in 1..self.rpo.len() {
                let block = self.rpo[position];
                let mut new_idom: Option<Block> = None;
                for &predecessor in cfg.predecessors(block) {
                    if self.idoms[predecessor.index()].is_none() {
                        continue; // unreachable, or not processed yet
                    }
                    new_idom = Some(match new_idom {
                        None => predecessor,
                        Some(current) => self.intersect(current, predecessor),
                    });
                }
                if new_idom.is_some() && self.idoms[block.index()] != new_idom {
                    self.idoms[block.index()] = new_idom;
                    changed = true;
                }
            }
        }
        self.idoms[entry.index()] = None;
    }

    /// The nearest common dominator of two processed blocks.
    fn intersect(&self, mut a: Block, mut b: Block) -> Block {
        let number = |block: Block| self.rpo_numbers[block.index()];
        while a != b {
            while number(a) > number(b) {
                a = self.idoms[a.index()].unwrap_or(a);
            }
            while number(b) > number(a) {
                b = self.idoms[b.index()].unwrap_or(b);
            }
        }
        a
    }

    /// Numbers the dominator tree in pre-order for O(1) `dominates`.
    fn number_tree(&mut self) {
        let Some(&entry) = self.rpo.first() else {
            return;
        };
        // Children lists in one flat array (counting sort by parent).
        let num_blocks = self.rpo_numbers.len();
        let mut child_start = vec![0u32; num_blocks + 1];
        for &block in &self.rpo[1..] {
            if let Some(parent) = self.idoms[block.index()] {
                child_start[parent.index() + 1] += 1;
            }
        }
        for i in 0..num_blocks {
            child_start[i + 1] += child_start[i];
        }
        let mut fill = child_start.clone();
        let mut children = vec![entry; self.rpo.len().saturating_sub(1)];
        for &block in &self.rpo[1..] {
            if let Some(parent) = self.idoms[block.index()] {
                children[fill[parent.index()] as usize] = block;
                fill[parent.index()] += 1;
            }
        }
        // Iterative DFS: (block, index of the next child to visit).
        let mut counter = 0u32;
        let mut stack = vec![(entry, child_start[entry.index()])];
        self.tree_preorder[entry.index()] = counter;
        while let Some(top) = stack.last_mut() {
            let (block, next) = *top;
            if next < child_start[block.index() + 1] {
                top.1 += 1;
                let child = children[next as usize];
                counter += 1;
                self.tree_preorder[child.index()] = counter;
                stack.push((child, child_start[child.index()]));
            } else {
                self.tree_subtree_end[block.index()] = counter;
                stack.pop();
            }
        }
    }

    /// Reachable blocks in reverse postorder, the entry block first.
    pub fn rpo(&self) -> &[Block] {
        &self.rpo
    }

    /// The position of `block` in [`DominatorTree::rpo`], if reachable.
    pub fn rpo_number(&self, block: Block) -> Option<usize> {
        match self.rpo_numbers.get(block.index()) {
            Some(&number) if number != UNREACHABLE => Some(number as usize),
            _ => None,
        }
    }

    /// Whether `block` is reachable from the entry block.
    pub fn is_reachable(&self, block: Block) -> bool {
        self.rpo_number(block).is_some()
    }

    /// The immediate dominator of `block`; `None` for the entry block and
    /// for unreachable blocks.
    pub fn idom(&self, block: Block) -> Option<Block> {
        self.idoms.get(block.index()).copied().flatten()
    }

    /// Whether every path from the entry to `b` passes through `a`.
    ///
    /// Every block dominates itself; otherwise both blocks must be
    /// reachable for the answer to be `true`.
    pub fn dominates(&self, a: Block, b: Block) -> bool {
        if a == b {
            return true;
        }
        if !self.is_reachable(a) || !self.is_reachable(b) {
            return false;
        }
        let (a_pre, a_end) = (
            self.tree_preorder[a.index()],
            self.tree_subtree_end[a.index()],
        );
        let b_pre = self.tree_preorder[b.index()];
        a_pre <= b_pre && b_pre <= a_end
    }
}

/// Reverse postorder of the blocks reachable from `entry`, by iterative DFS.
fn reverse_postorder(entry: Block, cfg: &ControlFlowGraph, num_blocks: usize) -> Vec<Block> {
    let mut visited = vec![false; num_blocks];
    let mut postorder = Vec::new();
    // (block, index of the next successor to visit)
    let mut stack = vec![(entry, 0usize)];
    visited[entry.index()] = true;
    while let Some(top) = stack.last_mut() {
        let (block, next) = *top;
        if let Some(&successor) = cfg.successors(block).get(next) {
            top.1 += 1;
            if !visited[successor.index()] {
                visited[successor.index()] = true;
                stack.push((successor, 0));
            }
        } else {
            postorder.push(block);
            stack.pop();
        }
    }
    postorder.reverse();
    postorder
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{FunctionBuilder, IntCC, Signature, Type};

    /// Builds a function whose CFG has the given edges: block `i` ends in a
    /// jump (one successor), a `brif` (two) or a return (none).
    fn function_with_edges(num_blocks: usize, edges: &[(usize, usize)]) -> (Function, Vec<Block>) {
        let mut func = Function::new("edges", Signature::new(vec![Type::I32], vec![]));
        let mut b = FunctionBuilder::new(&mut func);
        let blocks: Vec<Block> = (0..num_blocks).map(|_| b.create_block()).collect();
        let params = b.append_block_params_for_function_params(blocks[0]);
        for (i, &block) in blocks.iter().enumerate() {
            b.switch_to_block(block);
            let targets: Vec<Block> = edges
                .iter()
                .filter(|e| e.0 == i)
                .map(|e| blocks[e.1])
                .collect();
            match targets.as_slice() {
                [] => {
                    b.return_(&[]);
                }
                [t] => {
                    b.jump(*t, &[]);
                }
                [t, f] => {
                    b.brif(params[0], *t, &[], *f, &[]);
                }
                _ => panic!("at most two successors"),
            }
        }
        (func, blocks)
    }

    #[test]
    fn diamond_with_loop() {
        // 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 3 -> 1 (back edge), 3 -> 4; 5 unreachable.
        let (func, b) = function_with_edges(6, &[(0, 1), (0, 2), (1, 3), (2, 3), (3, 1), (3, 4)]);
        let cfg = ControlFlowGraph::compute(&func);
        assert_eq!(cfg.successors(b[0]), &[b[1], b[2]]);
        assert_eq!(cfg.predecessors(b[3]), &[b[1], b[2]]);
        assert_eq!(cfg.predecessors(b[1]), &[b[0], b[3]]);
        let tree = DominatorTree::compute(&func);
        assert_eq!(tree.rpo()[0], b[0]);
        assert_eq!(tree.rpo().len(), 5);
        assert_eq!(tree.idom(b[0]), None);
        assert_eq!(tree.idom(b[1]), Some(b[0]));
        assert_eq!(tree.idom(b[2]), Some(b[0]));
        assert_eq!(tree.idom(b[3]), Some(b[0]));
        assert_eq!(tree.idom(b[4]), Some(b[3]));
        assert!(tree.dominates(b[0], b[4]));
        assert!(tree.dominates(b[3], b[4]));
        assert!(!tree.dominates(b[1], b[3]));
        assert!(!tree.dominates(b[4], b[3]));
        assert!(tree.dominates(b[2], b[2]));
        assert!(!tree.is_reachable(b[5]));
        assert!(!tree.dominates(b[0], b[5]));
        assert_eq!(tree.idom(b[5]), None);
    }

    #[test]
    fn rpo_places_every_block_after_its_forward_predecessors() {
        let (func, b) = function_with_edges(5, &[(0, 3), (0, 1), (1, 2), (2, 3), (3, 4)]);
        let tree = DominatorTree::compute(&func);
        let position = |block: Block| tree.rpo_number(block).unwrap();
        assert!(position(b[1]) < position(b[2]));
        assert!(position(b[2]) < position(b[3]));
        assert!(position(b[3]) < position(b[4]));
        assert_eq!(tree.idom(b[3]), Some(b[0]));
        assert_eq!(tree.idom(b[2]), Some(b[1]));
    }

    /// A chain of 200k blocks would overflow the stack with recursion; each
    /// block also branches back to the entry, so the CFG has cycles.
    #[test]
    fn long_chain_is_handled_iteratively() {
        let n = 200_000;
        let mut func = Function::new("chain", Signature::new(vec![Type::I32], vec![]));
        let mut b = FunctionBuilder::new(&mut func);
        let blocks: Vec<Block> = (0..n).map(|_| b.create_block()).collect();
        let params = b.append_block_params_for_function_params(blocks[0]);
        for i in 0..n {
            b.switch_to_block(blocks[i]);
            if i + 1 == n {
                b.return_(&[]);
            } else {
                let zero = b.iconst(Type::I32, 0);
                let c = b.icmp(IntCC::Equal, params[0], zero);
                b.brif(c, blocks[0], &[], blocks[i + 1], &[]);
            }
        }
        // The entry takes a parameter, so the back edges make it invalid IR,
        // but the CFG and dominators do not care.
        let tree = DominatorTree::compute(&func);
        assert_eq!(tree.rpo().len(), n);
        assert_eq!(tree.idom(blocks[n - 1]), Some(blocks[n - 2]));
        assert!(tree.dominates(blocks[1], blocks[n - 1]));
        assert!(!tree.dominates(blocks[n - 1], blocks[1]));
    }

    #[test]
    fn empty_function_has_empty_tree() {
        let func = Function::new("empty", Signature::default());
        let tree = DominatorTree::compute(&func);
        assert!(tree.rpo().is_empty());
        assert!(!tree.is_reachable(Block(0)));
        assert!(tree.dominates(Block(0), Block(0)));
    }
}
