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
//! dominator tree is computed over the blocks reachable from the entry block
//! with the Semi-NCA algorithm (Georgiadis, "Linear-Time Algorithms for
//! Dominators and Related Problems", 2005; also used by LLVM and Cranelift):
//! Lengauer–Tarjan semidominators over a depth-first spanning tree, then
//! each immediate dominator as the nearest common ancestor of the block's
//! tree parent and its semidominator. The Cooper–Harvey–Kennedy iteration
//! was tried first and rejected: its `intersect` walks are quadratic when
//! many back edges span long dominator chains (a 100k-block function took a
//! minute; see `long_back_edges_stay_fast`).
//!
//! Every traversal is iterative (functions can have 100k blocks), and
//! dominance queries are O(1) through a pre-order numbering of the finished
//! tree.

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
        let mut cfg = Self { predecessors: vec![Vec::new(); num_blocks], successors: vec![Vec::new(); num_blocks] };
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
        self.predecessors.get(block.index()).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The distinct successors of `block`, in terminator order.
    pub fn successors(&self, block: Block) -> &[Block] {
        self.successors.get(block.index()).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// "No number": an unreachable block, or an unlinked tree vertex.
const NONE: u32 = u32::MAX;

/// The dominator tree of the blocks reachable from the entry block.
#[derive(Clone, Debug, Default)]
pub struct DominatorTree {
    /// Reachable blocks in reverse postorder; the entry block first.
    rpo: Vec<Block>,
    /// Position of each block in `rpo`, or [`NONE`].
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
            rpo_numbers: vec![NONE; num_blocks],
            idoms: vec![None; num_blocks],
            tree_preorder: vec![0; num_blocks],
            tree_subtree_end: vec![0; num_blocks],
        };
        let Some(entry) = func.layout.entry_block().filter(|&b| func.dfg.block_is_valid(b)) else {
            return tree;
        };
        let dfs = DepthFirst::search(entry, cfg, num_blocks);
        let idoms = semi_nca(&dfs, cfg);
        for (number, &idom) in idoms.iter().enumerate().skip(1) {
            let block = dfs.preorder[number];
            tree.idoms[block.index()] = Some(dfs.preorder[idom as usize]);
        }
        tree.rpo = dfs.postorder;
        tree.rpo.reverse();
        for (number, &block) in tree.rpo.iter().enumerate() {
            tree.rpo_numbers[block.index()] = number as u32;
        }
        tree.number_tree();
        tree
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
            Some(&number) if number != NONE => Some(number as usize),
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
        let (a_pre, a_end) = (self.tree_preorder[a.index()], self.tree_subtree_end[a.index()]);
        let b_pre = self.tree_preorder[b.index()];
        a_pre <= b_pre && b_pre <= a_end
    }
}

/// A depth-first search from the entry block: the spanning tree that
/// Semi-NCA works on, and the postorder for the RPO.
struct DepthFirst {
    /// Reachable blocks by preorder number; the entry is number 0.
    preorder: Vec<Block>,
    /// The preorder number of each block, or [`NONE`] if unreachable.
    numbers: Vec<u32>,
    /// The spanning-tree parent of each preorder number (0 for the entry).
    parents: Vec<u32>,
    /// Reachable blocks in postorder.
    postorder: Vec<Block>,
}

impl DepthFirst {
    fn search(entry: Block, cfg: &ControlFlowGraph, num_blocks: usize) -> Self {
        let mut dfs =
            Self { preorder: vec![entry], numbers: vec![NONE; num_blocks], parents: vec![0], postorder: Vec::new() };
        dfs.numbers[entry.index()] = 0;
        // (block, index of its next successor to visit)
        let mut stack = vec![(entry, 0usize)];
        while let Some(top) = stack.last_mut() {
            let (block, next) = *top;
            if let Some(&successor) = cfg.successors(block).get(next) {
                top.1 += 1;
                if dfs.numbers[successor.index()] == NONE {
                    dfs.numbers[successor.index()] = dfs.preorder.len() as u32;
                    dfs.preorder.push(successor);
                    dfs.parents.push(dfs.numbers[block.index()]);
                    stack.push((successor, 0));
                }
            } else {
                dfs.postorder.push(block);
                stack.pop();
            }
        }
        dfs
    }
}

/// Semi-NCA: the immediate dominator of every preorder number (the entry's
/// is itself, 0).
fn semi_nca(dfs: &DepthFirst, cfg: &ControlFlowGraph) -> Vec<u32> {
    let count = dfs.preorder.len();
    // Semidominators, by preorder number; start as the vertex itself.
    let mut semi: Vec<u32> = (0..count as u32).collect();
    // Link-eval forest with path compression: `ancestor` is the forest
    // parent (NONE for roots), `label` the vertex of minimal `semi` on the
    // compressed path.
    let mut ancestor = vec![NONE; count];
    let mut label: Vec<u32> = (0..count as u32).collect();
    let mut path = Vec::new();
    for w in (1..count).rev() {
        for &predecessor in cfg.predecessors(dfs.preorder[w]) {
            let v = dfs.numbers[predecessor.index()];
            if v == NONE {
                continue; // unreachable predecessor
            }
            let u = eval(v, &mut ancestor, &mut label, &semi, &mut path);
            semi[w] = semi[w].min(semi[u as usize]);
        }
        ancestor[w] = dfs.parents[w];
    }
    // idom(w) is the nearest common ancestor of parent(w) and semi(w) in the
    // dominator tree built so far (all smaller preorder numbers are done).
    let mut idoms = dfs.parents.clone();
    for w in 1..count {
        let mut candidate = idoms[w];
        while candidate > semi[w] {
            candidate = idoms[candidate as usize];
        }
        idoms[w] = candidate;
    }
    idoms
}

/// The vertex of minimal semidominator on the forest path from `v` up to,
/// not including, its root; compresses the path on the way (iteratively).
fn eval(v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32], path: &mut Vec<u32>) -> u32 {
    if ancestor[v as usize] == NONE {
        return v;
    }
    path.clear();
    let mut x = v;
    while ancestor[ancestor[x as usize] as usize] != NONE {
        path.push(x);
        x = ancestor[x as usize];
    }
    // From the top of the path down, so each ancestor is already compressed.
    while let Some(y) = path.pop() {
        let a = ancestor[y as usize];
        if semi[label[a as usize] as usize] < semi[label[y as usize] as usize] {
            label[y as usize] = label[a as usize];
        }
        ancestor[y as usize] = ancestor[a as usize];
    }
    label[v as usize]
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
        let mut successors = vec![Vec::new(); num_blocks];
        for &(from, to) in edges {
            successors[from].push(blocks[to]);
        }
        for (i, &block) in blocks.iter().enumerate() {
            b.switch_to_block(block);
            match successors[i].as_slice() {
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

    /// Block `j` falls through to `j + 1` and is re-entered from
    /// `2j - 2`: many back edges, each spanning a long dominator chain.
    /// Cooper–Harvey–Kennedy needed a minute here; Semi-NCA is linear.
    #[test]
    fn long_back_edges_stay_fast() {
        let n = 100_000;
        let edges: Vec<(usize, usize)> =
            (0..n - 1).flat_map(|i| [(i, i + 1), (i, i / 2 + 1)]).filter(|&(i, j)| i != j || i == 0).collect();
        let (func, blocks) = function_with_edges(n, &edges);
        let start = std::time::Instant::now();
        let tree = DominatorTree::compute(&func);
        // Generous for a debug build on a loaded machine; the quadratic
        // algorithm takes over 50 s.
        assert!(start.elapsed().as_secs() < 15, "took {:?}", start.elapsed());
        assert_eq!(tree.rpo().len(), n);
        for j in 1..n {
            assert_eq!(tree.idom(blocks[j]), Some(blocks[j - 1]));
        }
    }

    /// Dominator sets by the textbook dataflow equations, as an oracle:
    /// `dom(b) = {b} ∪ ⋂ dom(p)` over reachable predecessors `p`.
    fn dominator_sets(n: usize, edges: &[(usize, usize)]) -> (Vec<bool>, Vec<u64>) {
        let mut reachable = vec![false; n];
        reachable[0] = true;
        for _ in 0..n {
            for &(from, to) in edges {
                reachable[to] |= reachable[from];
            }
        }
        let all = (1u64 << n) - 1;
        let mut dom: Vec<u64> = (0..n).map(|b| if b == 0 { 1 } else { all }).collect();
        let mut changed = true;
        while changed {
            changed = false;
            for b in 1..n {
                let preds = edges.iter().filter(|&&(from, to)| to == b && reachable[from]);
                let meet = preds.fold(all, |acc, &(from, _)| acc & dom[from]);
                let new = meet | (1 << b);
                if reachable[b] && new != dom[b] {
                    dom[b] = new;
                    changed = true;
                }
            }
        }
        (reachable, dom)
    }

    #[test]
    fn matches_dataflow_dominators_on_random_graphs() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        for _ in 0..300 {
            let n = 1 + next(12);
            let mut edges = Vec::new();
            for from in 0..n {
                let mut targets = vec![next(n), next(n)];
                targets.truncate(next(3));
                targets.dedup();
                edges.extend(targets.into_iter().map(|to| (from, to)));
            }
            let (func, blocks) = function_with_edges(n, &edges);
            let tree = DominatorTree::compute(&func);
            let (reachable, dom) = dominator_sets(n, &edges);
            assert_eq!(tree.rpo().len(), reachable.iter().filter(|&&r| r).count());
            for b in 0..n {
                assert_eq!(tree.is_reachable(blocks[b]), reachable[b], "{edges:?}");
                if !reachable[b] {
                    continue;
                }
                // Every block after the entry has its DFS parent earlier.
                let position = tree.rpo_number(blocks[b]).unwrap();
                if b != 0 {
                    let preds = edges.iter().filter(|e| e.1 == b).map(|e| blocks[e.0]);
                    assert!(preds.filter_map(|p| tree.rpo_number(p)).any(|p| p < position), "{edges:?}");
                }
                let strict = dom[b] & !(1 << b);
                let expected_idom = (0..n).find(|&d| strict != 0 && dom[d] == strict).map(|d| blocks[d]);
                assert_eq!(tree.idom(blocks[b]), expected_idom, "idom of block{b} in {edges:?}");
                for a in 0..n {
                    let expected = reachable[a] && dom[b] & (1 << a) != 0;
                    assert_eq!(tree.dominates(blocks[a], blocks[b]), expected || a == b, "{a} dom {b} in {edges:?}");
                }
            }
        }
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
