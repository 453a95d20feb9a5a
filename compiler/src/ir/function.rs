//! A function in the IR: name, signature, data-flow graph and layout.
//!
//! Part of the IR (`ir/`); produced by `wasm::translate` (or the text
//! parser), checked by the verifier, consumed by `machinst::lower`.

use crate::ir::dfg::{DataFlowGraph, Signature};
use crate::ir::layout::Layout;

/// One IR function.
#[derive(Clone, Debug, Default)]
pub struct Function {
    /// A name for printing and diagnostics.
    pub name: String,
    /// The function's signature; the entry block's parameters match it.
    pub signature: Signature,
    /// Instructions, values and blocks.
    pub dfg: DataFlowGraph,
    /// Block and instruction order.
    pub layout: Layout,
}

impl Function {
    /// Creates an empty function.
    pub fn new(name: impl Into<String>, signature: Signature) -> Self {
        Self { name: name.into(), signature, dfg: DataFlowGraph::new(), layout: Layout::new() }
    }
}
