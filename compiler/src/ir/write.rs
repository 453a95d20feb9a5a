//! The IR text form: printing.
//!
//! Part of the IR (`ir/`). The printer turns an [`ir::Function`](Function)
//! into text for golden tests, debugging and verifier messages; the parser
//! (`ir::parser`) reads it back, and `parse(write(f))` prints exactly as
//! `write(f)` does:
//!
//! ```text
//! ir::Function ─▶ write_function ─▶ text ─▶ parse_functions ─▶ ir::Function
//! ```
//!
//! The format, by example:
//!
//! ```text
//! function %count(i32) -> i32 {
//!     sig0 = (i64, i32) -> i32, i64
//!     fn0 = func3 sig0
//!     jt0 = block5, [block3, block4, block3]
//!     ss0 = stack_slot 16
//!
//! block0(v0: i32):
//!     v1 = iconst.i32 -1
//!     v2 = load.i64 v9+16
//!     istore8 v3, v9-4
//!     v5, v6 = call fn0(v7, v3)
//!     brif v4, block2, block1(v3)
//! }
//! ```
//!
//! Rules that make the text exact:
//!
//! - Entity numbers are the entity indices.
//! - An instruction with exactly one result prints the result's type as an
//!   opcode suffix (`iadd.i32`), so the parser needs no type inference. An
//!   instruction with several results (only calls have them) takes the types
//!   from its signature; one with none prints no `=`.
//! - `iconst` immediates print as signed decimal in the result's width; the
//!   DFG stores them zero-extended to that width. `fconst` immediates are
//!   the float's bits in hexadecimal (`fconst.f32 0x3f800000` is 1.0).
//! - Memory offsets print as `+N` or `-N` right after the address, and not
//!   at all when zero.
//! - Function names that are not plain identifiers print quoted
//!   (`%"a b"`) with Rust string escapes.

use crate::ir::entities::{Block, Inst, Value};
use crate::ir::function::Function;
use crate::ir::instructions::{BlockCall, InstructionData, Opcode};
use crate::ir::types::Type;
use std::fmt::{self, Write};

/// Prints `func` in the text form.
pub fn write_function(func: &Function) -> String {
    func.to_string()
}

/// Prints one instruction the way it appears in a function body, without
/// indentation (`v5 = iadd.i32 v1, v2`). Safe on invalid IR.
pub fn inst_to_string(func: &Function, inst: Inst) -> String {
    let mut text = String::new();
    // Writing into a `String` cannot fail.
    let _ = write_inst(&mut text, func, inst);
    text
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_function_to(f, self)
    }
}

/// Prints `func` into `out`.
pub fn write_function_to(out: &mut dyn Write, func: &Function) -> fmt::Result {
    write!(out, "function %")?;
    write_name(out, &func.name)?;
    write!(out, "(")?;
    write_types(out, &func.signature.params)?;
    write!(out, ")")?;
    write_returns(out, &func.signature.returns)?;
    writeln!(out, " {{")?;

    let dfg = &func.dfg;
    for (index, signature) in dfg.signatures.iter().enumerate() {
        write!(out, "    sig{index} = (")?;
        write_types(out, &signature.params)?;
        write!(out, ")")?;
        write_returns(out, &signature.returns)?;
        writeln!(out)?;
    }
    for (index, ext_func) in dfg.ext_funcs.iter().enumerate() {
        writeln!(out, "    fn{index} = func{} {}", ext_func.symbol, ext_func.signature)?;
    }
    for (index, table) in dfg.jump_tables.iter().enumerate() {
        write!(out, "    jt{index} = {}, [", table.default)?;
        write_list(out, &table.entries)?;
        writeln!(out, "]")?;
    }
    for (index, slot) in dfg.stack_slots.iter().enumerate() {
        writeln!(out, "    ss{index} = stack_slot {}", slot.size)?;
    }
    let has_preamble = !(dfg.signatures.is_empty()
        && dfg.ext_funcs.is_empty()
        && dfg.jump_tables.is_empty()
        && dfg.stack_slots.is_empty());

    for (position, &block) in func.layout.blocks().iter().enumerate() {
        if position > 0 || has_preamble {
            writeln!(out)?;
        }
        write_block_header(out, func, block)?;
        for &inst in func.layout.block_insts(block) {
            write!(out, "    ")?;
            write_inst(out, func, inst)?;
            writeln!(out)?;
        }
    }
    writeln!(out, "}}")
}

fn write_block_header(out: &mut dyn Write, func: &Function, block: Block) -> fmt::Result {
    write!(out, "{block}")?;
    if !func.dfg.block_is_valid(block) {
        return writeln!(out, ": ; invalid block");
    }
    let params = func.dfg.block_params(block);
    if !params.is_empty() {
        write!(out, "(")?;
        for (i, &param) in params.iter().enumerate() {
            if i > 0 {
                write!(out, ", ")?;
            }
            write!(out, "{param}: {}", func.dfg.value_type(param))?;
        }
        write!(out, ")")?;
    }
    writeln!(out, ":")
}

/// Prints one instruction without indentation or newline.
pub fn write_inst(out: &mut dyn Write, func: &Function, inst: Inst) -> fmt::Result {
    let dfg = &func.dfg;
    if !dfg.inst_is_valid(inst) {
        return write!(out, "; invalid {inst}");
    }
    let results = dfg.inst_results(inst);
    if !results.is_empty() {
        write_list(out, results)?;
        write!(out, " = ")?;
    }
    let data = dfg.inst(inst);
    write!(out, "{}", data.opcode())?;
    let result_type = match results {
        [single] => Some(dfg.value_type(*single)),
        _ => None,
    };
    if let Some(ty) = result_type {
        write!(out, ".{ty}")?;
    }
    match data {
        // Float constants print their bits in hex; integers print signed.
        InstructionData::UnaryImm { opcode: Opcode::Fconst, imm } => write!(out, " {:#x}", *imm as u64),
        InstructionData::UnaryImm { imm, .. } => {
            write!(out, " {}", iconst_to_signed(*imm, result_type))
        }
        InstructionData::Unary { arg, .. } => write!(out, " {arg}"),
        InstructionData::Binary { args, .. } => write!(out, " {}, {}", args[0], args[1]),
        InstructionData::BinaryImm { arg, imm, .. } => write!(out, " {arg}, {imm}"),
        InstructionData::IntCompare { cond, args, .. } => {
            write!(out, " {cond} {}, {}", args[0], args[1])
        }
        InstructionData::FloatCompare { cond, args, .. } => {
            write!(out, " {cond} {}, {}", args[0], args[1])
        }
        InstructionData::Ternary { args, .. } => {
            write!(out, " {}, {}, {}", args[0], args[1], args[2])
        }
        InstructionData::Load { arg, offset, .. } => {
            write!(out, " {arg}")?;
            write_offset(out, *offset)
        }
        InstructionData::Store { args, offset, .. } => {
            write!(out, " {}, {}", args[0], args[1])?;
            write_offset(out, *offset)
        }
        InstructionData::StackAddr { slot, offset, .. } => {
            write!(out, " {slot}")?;
            write_offset(out, *offset)
        }
        InstructionData::Jump { destination, .. } => {
            write!(out, " ")?;
            write_block_call(out, destination)
        }
        InstructionData::Brif { arg, blocks, .. } => {
            write!(out, " {arg}, ")?;
            write_block_call(out, &blocks[0])?;
            write!(out, ", ")?;
            write_block_call(out, &blocks[1])
        }
        InstructionData::BranchTable { arg, table, .. } => write!(out, " {arg}, {table}"),
        InstructionData::Return { args, .. } => {
            if !args.is_empty() {
                write!(out, " ")?;
                write_list(out, args)?;
            }
            Ok(())
        }
        InstructionData::Trap { code, .. } => write!(out, " {}", code.name()),
        InstructionData::CondTrap { arg, code, .. } => write!(out, " {arg}, {}", code.name()),
        InstructionData::Call { func_ref, args, .. } => {
            write!(out, " {func_ref}(")?;
            write_list(out, args)?;
            write!(out, ")")
        }
        InstructionData::CallIndirect { sig_ref, callee, args, .. } => {
            write!(out, " {sig_ref}, {callee}(")?;
            write_list(out, args)?;
            write!(out, ")")
        }
    }
}

/// The signed reading of an `iconst` immediate in the width of `ty`.
fn iconst_to_signed(imm: i64, ty: Option<Type>) -> i64 {
    match ty {
        Some(ty) if ty.bits() < 64 => {
            let shift = 64 - ty.bits();
            (imm << shift) >> shift
        }
        _ => imm,
    }
}

fn write_offset(out: &mut dyn Write, offset: i32) -> fmt::Result {
    match offset {
        0 => Ok(()),
        1.. => write!(out, "+{offset}"),
        _ => write!(out, "{offset}"),
    }
}

fn write_block_call(out: &mut dyn Write, call: &BlockCall) -> fmt::Result {
    write!(out, "{}", call.block)?;
    if !call.args.is_empty() {
        write!(out, "(")?;
        write_list::<Value>(out, &call.args)?;
        write!(out, ")")?;
    }
    Ok(())
}

fn write_list<T: fmt::Display>(out: &mut dyn Write, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            write!(out, ", ")?;
        }
        write!(out, "{item}")?;
    }
    Ok(())
}

fn write_types(out: &mut dyn Write, types: &[Type]) -> fmt::Result {
    write_list(out, types)
}

fn write_returns(out: &mut dyn Write, returns: &[Type]) -> fmt::Result {
    if !returns.is_empty() {
        write!(out, " -> ")?;
        write_types(out, returns)?;
    }
    Ok(())
}

/// Whether a name prints bare after `%`: non-empty, ASCII letters, digits,
/// `_`, `.` and `$`.
pub(crate) fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$'))
}

fn write_name(out: &mut dyn Write, name: &str) -> fmt::Result {
    if is_plain_name(name) { write!(out, "{name}") } else { write!(out, "{name:?}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{FunctionBuilder, IntCC, Opcode, Signature};

    #[test]
    fn prints_the_counting_loop() {
        let mut func = Function::new("count", Signature::new(vec![Type::I32], vec![Type::I32]));
        let mut b = FunctionBuilder::new(&mut func);
        let entry = b.create_block();
        let header = b.create_block();
        let exit = b.create_block();
        let params = b.append_block_params_for_function_params(entry);
        let counter = b.append_block_param(header, Type::I32);
        b.switch_to_block(entry);
        let zero = b.iconst(Type::I32, -1);
        b.jump(header, &[zero]);
        b.switch_to_block(header);
        let next = b.iadd_imm(counter, 1);
        let done = b.icmp(IntCC::Equal, next, params[0]);
        b.brif(done, exit, &[], header, &[next]);
        b.switch_to_block(exit);
        let slot = b.create_stack_slot(16);
        let address = b.stack_addr(slot, 8);
        b.store(Opcode::Istore8, next, address, -4);
        let loaded = b.load(Opcode::Load, Type::I64, address, 16);
        b.store(Opcode::Store, loaded, address, 0);
        b.return_(&[next]);
        let expected = "\
function %count(i32) -> i32 {
    ss0 = stack_slot 16

block0(v0: i32):
    v2 = iconst.i32 -1
    jump block1(v2)

block1(v1: i32):
    v3 = iadd_imm.i32 v1, 1
    v4 = icmp.i32 eq v3, v0
    brif v4, block2, block1(v3)

block2:
    v5 = stack_addr.i64 ss0+8
    istore8 v3, v5-4
    v6 = load.i64 v5+16
    store v6, v5
    return v3
}
";
        assert_eq!(write_function(&func), expected);
    }

    #[test]
    fn iconst_prints_signed_in_its_width() {
        assert_eq!(iconst_to_signed(0xffff_ffff, Some(Type::I32)), -1);
        assert_eq!(iconst_to_signed(0x80, Some(Type::I8)), -128);
        assert_eq!(iconst_to_signed(0x7fff, Some(Type::I16)), 32767);
        assert_eq!(iconst_to_signed(-5, Some(Type::I64)), -5);
    }

    #[test]
    fn odd_names_are_quoted() {
        let func = Function::new("a b\"c", Signature::default());
        assert_eq!(write_function(&func), "function %\"a b\\\"c\"() {\n}\n");
        let func = Function::new("wasm.f$1_x", Signature::new(vec![], vec![Type::F64, Type::I8]));
        assert_eq!(write_function(&func), "function %wasm.f$1_x() -> f64, i8 {\n}\n");
    }
}
