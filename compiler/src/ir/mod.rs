//! The intermediate representation: SSA with block parameters.
//!
//! ```text
//! .wasm ─▶ wasm::translate ─▶ **ir::Function** ─▶ verify ─▶ machinst::lower ─▶ ...
//! ```
//!
//! A [`Function`] has a [`DataFlowGraph`] (instructions, values, blocks with
//! parameters, signatures, jump tables, stack slots) and a [`Layout`] (the
//! order of blocks and instructions). Functions are built with
//! [`FunctionBuilder`], which also constructs SSA form for mutable
//! variables (Wasm locals), checked by [`verifier::verify_function`], and
//! printed and parsed in a text form (`write`, `parser`).

pub mod builder;
pub mod dfg;
pub mod dominator;
pub mod entities;
pub mod function;
pub mod instructions;
pub mod layout;
pub mod parser;
pub mod types;
pub mod verifier;
pub mod write;

pub use builder::{FunctionBuilder, Variable};
pub use dfg::{DataFlowGraph, ExtFuncData, JumpTableData, Signature, StackSlotData, ValueDef};
pub use entities::{Block, FuncRef, Inst, JumpTable, SigRef, StackSlot, Value};
pub use function::Function;
pub use instructions::{BlockCall, FloatCC, InstructionData, InstructionFormat, IntCC, Opcode};
pub use layout::Layout;
pub use types::Type;
pub use verifier::verify_function;
