//! The second step of parsing: creating the function from the parsed
//! records so that every entity number of the text is the entity's index.
//!
//! Part of the IR text parser (`ir/parser`). Blocks are created up front;
//! values in increasing number, each instruction when its first result is
//! due and each block parameter when it is due. A value number that nothing
//! in the text defines (a value of a block or instruction outside the
//! layout) is filled by a parameter of an extra block after all the text's
//! blocks, outside the layout. Instructions without results are created
//! right after the instruction with results that precedes them in the text,
//! which reproduces the instruction numbering of any function built in
//! layout order.

use super::lexer::Position;
use super::{FunctionBody, ParseError};
use crate::ir::dfg::{DataFlowGraph, Signature};
use crate::ir::entities::{Block, Inst, Value};
use crate::ir::function::Function;
use crate::ir::layout::Layout;
use crate::ir::types::Type;

/// How a value number is defined in the text.
#[derive(Clone, Copy)]
enum Definition {
    Param(Block, Type),
    Result { inst: usize, index: usize },
}

/// Creates the function from the parsed records, recreating the numbering.
pub(super) fn build(name: String, signature: Signature, body: FunctionBody) -> Result<Function, ParseError> {
    let num_blocks = body.blocks.iter().map(|b| b.block.index() + 1).max().unwrap_or(0);
    let mut block_defined = vec![false; num_blocks];
    for parsed in &body.blocks {
        if std::mem::replace(&mut block_defined[parsed.block.index()], true) {
            return Err(parsed.position.error(format!("{} is defined twice", parsed.block)));
        }
    }
    if let Some((block, position)) =
        body.block_uses.iter().find(|(b, _)| !block_defined.get(b.index()).copied().unwrap_or(false))
    {
        return Err(position.error(format!("undefined block {block}")));
    }

    let params = body.blocks.iter().flat_map(|b| b.params.iter().map(|p| p.0));
    let results = body.insts.iter().flat_map(|i| i.results.iter().map(|r| r.0));
    let num_values = params.chain(results).map(|v| v.index() + 1).max().unwrap_or(0);
    let mut definitions: Vec<Option<Definition>> = vec![None; num_values];
    let mut define = |value: Value, definition: Definition, position: Position| match definitions[value.index()]
        .replace(definition)
    {
        Some(_) => Err(position.error(format!("{value} is defined twice"))),
        None => Ok(()),
    };
    for parsed in &body.blocks {
        for (i, &(value, ty, position)) in parsed.params.iter().enumerate() {
            define(value, Definition::Param(parsed.block, ty), position)?;
            if i > 0 && parsed.params[i - 1].0 >= value {
                return Err(
                    position.error(format!("parameters of {} must have increasing value numbers", parsed.block))
                );
            }
        }
    }
    for (inst, parsed) in body.insts.iter().enumerate() {
        let first = parsed.results.first().map_or(0, |r| r.0.0);
        for (index, &(value, position)) in parsed.results.iter().enumerate() {
            define(value, Definition::Result { inst, index }, position)?;
            if value.0.checked_sub(first) != Some(index as u32) {
                return Err(position.error("results of one instruction must have consecutive value numbers"));
            }
        }
    }
    if let Some((value, position)) =
        body.value_uses.iter().find(|(v, _)| definitions.get(v.index()).is_none_or(Option::is_none))
    {
        return Err(position.error(format!("undefined value {value}")));
    }

    // Instructions without results follow the instruction with results
    // that precedes them in the text (or come first).
    let mut leading = Vec::new();
    let mut followers = vec![Vec::new(); body.insts.len()];
    let mut last_with_results = None;
    for (inst, parsed) in body.insts.iter().enumerate() {
        match (parsed.results.is_empty(), last_with_results) {
            (false, _) => last_with_results = Some(inst),
            (true, Some(previous)) => followers[previous].push(inst),
            (true, None) => leading.push(inst),
        }
    }

    let mut dfg = DataFlowGraph::new();
    dfg.signatures = body.signatures;
    dfg.ext_funcs = body.ext_funcs;
    dfg.jump_tables = body.jump_tables;
    dfg.stack_slots = body.stack_slots;
    for _ in 0..num_blocks {
        dfg.make_block();
    }
    let mut inst_ids = vec![Inst(0); body.insts.len()];
    let mut create = |dfg: &mut DataFlowGraph, inst: usize| {
        let parsed = &body.insts[inst];
        inst_ids[inst] = dfg.make_inst(parsed.data.clone(), &parsed.result_types);
    };
    for &inst in &leading {
        create(&mut dfg, inst);
    }
    let mut filler_block = None;
    for definition in &definitions {
        match *definition {
            Some(Definition::Param(block, ty)) => {
                dfg.append_block_param(block, ty);
            }
            Some(Definition::Result { inst, index: 0 }) => {
                create(&mut dfg, inst);
                for &follower in &followers[inst] {
                    create(&mut dfg, follower);
                }
            }
            Some(Definition::Result { .. }) => {}
            None => {
                // Invariant: the filler block comes after every block of the
                // text, so it takes no number the text uses.
                let block = *filler_block.get_or_insert_with(|| dfg.make_block());
                dfg.append_block_param(block, Type::I64);
            }
        }
    }

    let mut layout = Layout::new();
    for parsed in &body.blocks {
        layout.append_block(parsed.block);
        for &inst in &parsed.insts {
            layout.append_inst(inst_ids[inst], parsed.block);
        }
    }
    Ok(Function { name, signature, dfg, layout })
}
