//! The ISA-independent part of calling conventions: where each argument or
//! result goes.
//!
//! Part of `machinst/`: the lowering of function entry, calls and returns,
//! written once over an ISA's [`AbiSpec`] (its registers and the
//! instructions that move values to and from their ABI locations). Both of our conventions (System V
//! x86-64 and AAPCS64, for the integer and scalar float values Wasm has)
//! assign integers and floats from separate register sequences, each in
//! order, and put what does not fit in 8-byte stack slots in argument order.

use crate::error::{CompileError, CompileResult};
use crate::ir::{self, InstructionData, Value};
use crate::machinst::{Lower, MachInst, Reg, Writable};
use regalloc2::{PReg, PRegSet, RegClass};

/// Where one argument or result goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A register.
    Reg(PReg),
    /// An 8-byte stack slot at this offset in the argument area.
    Stack(u32),
}

/// Assigns locations to values of the given classes: an integer takes the
/// next of `int_regs`, a float the next of `float_regs`, and a value whose
/// sequence is exhausted the next 8-byte stack slot.
pub fn assign(classes: &[RegClass], int_regs: &[PReg], float_regs: &[PReg]) -> Vec<Location> {
    let (mut next_int, mut next_float, mut stack) = (0, 0, 0u32);
    classes
        .iter()
        .map(|class| {
            let (regs, next) = match class {
                RegClass::Float => (float_regs, &mut next_float),
                _ => (int_regs, &mut next_int),
            };
            match regs.get(*next) {
                Some(&preg) => {
                    *next += 1;
                    Location::Reg(preg)
                }
                None => {
                    stack += 8;
                    Location::Stack(stack - 8)
                }
            }
        })
        .collect()
}

/// The return registers of values of `classes`; an error if they do not all
/// fit (the Wasm translator puts extra results in a return area).
pub fn return_registers(classes: &[RegClass], int_regs: &[PReg], float_regs: &[PReg]) -> CompileResult<Vec<PReg>> {
    assign(classes, int_regs, float_regs)
        .into_iter()
        .map(|location| match location {
            Location::Reg(preg) => Ok(preg),
            Location::Stack(_) => Err(CompileError::internal("more register results than the ABI has")),
        })
        .collect()
}

/// What a call goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallTarget {
    /// Function `symbol` of the module (resolved by the linker).
    Symbol(u32),
    /// A code pointer in a register.
    Reg(Reg),
}

/// The ISA-specific half of a calling convention: its registers and the
/// instructions that move values to and from their ABI locations. The
/// lowering of function entry, returns and calls ([`lower_args`],
/// [`lower_return`], [`lower_call`]) is written once on top of it.
pub trait AbiSpec {
    /// The ISA's instruction.
    type I: MachInst;
    /// Integer and float argument registers, in order.
    fn arg_regs() -> (Vec<PReg>, Vec<PReg>);
    /// Integer and float return registers, in order.
    fn ret_regs() -> (Vec<PReg>, Vec<PReg>);
    /// Registers a call clobbers.
    fn caller_saved() -> PRegSet;
    /// The pseudo-instruction defining the register arguments.
    fn gen_args(args: Vec<(Writable<Reg>, PReg)>) -> Self::I;
    /// The return, with each value in its register.
    fn gen_ret(rets: Vec<(Reg, PReg)>) -> Self::I;
    /// A load of incoming stack argument at `offset` into `dst`.
    fn gen_load_incoming(dst: Writable<Reg>, offset: u32) -> Self::I;
    /// A store of `src` to outgoing stack argument at `offset`.
    fn gen_store_outgoing(src: Reg, offset: u32) -> Self::I;
    /// The call itself.
    fn gen_call(
        target: CallTarget,
        uses: Vec<(Reg, PReg)>,
        defs: Vec<(Writable<Reg>, PReg)>,
        clobbers: PRegSet,
    ) -> Self::I;
}

fn classes(regs: &[Reg]) -> Vec<RegClass> {
    regs.iter().map(|r| r.class()).collect()
}

/// Defines the entry block's parameters from their ABI locations.
pub fn lower_args<A: AbiSpec>(ctx: &mut Lower<'_, A::I>, params: &[Reg]) -> CompileResult<()> {
    let (ints, floats) = A::arg_regs();
    let mut args = Vec::new();
    let mut stack_loads = Vec::new();
    for (&param, location) in params.iter().zip(assign(&classes(params), &ints, &floats)) {
        let dst = Writable::from_reg(param);
        match location {
            Location::Reg(preg) => args.push((dst, preg)),
            Location::Stack(offset) => stack_loads.push(A::gen_load_incoming(dst, offset)),
        }
    }
    ctx.emit(A::gen_args(args));
    for load in stack_loads {
        ctx.emit(load);
    }
    Ok(())
}

/// Lowers `return args`.
pub fn lower_return<A: AbiSpec>(ctx: &mut Lower<'_, A::I>, args: &[Value]) -> CompileResult<()> {
    let (ints, floats) = A::ret_regs();
    let regs: Vec<Reg> = args.iter().map(|&v| ctx.value_reg(v)).collect();
    let pregs = return_registers(&classes(&regs), &ints, &floats)?;
    ctx.emit(A::gen_ret(regs.into_iter().zip(pregs).collect()));
    Ok(())
}

/// Lowers `call` and `call_indirect`: stack arguments are stored to the
/// outgoing area, register arguments and results are fixed-register
/// operands of the call, and everything else caller-saved is clobbered.
pub fn lower_call<A: AbiSpec>(ctx: &mut Lower<'_, A::I>, inst: ir::Inst) -> CompileResult<()> {
    let (args, target) = match ctx.func.dfg.inst(inst) {
        InstructionData::Call { func_ref, args, .. } => {
            (args.clone(), CallTarget::Symbol(ctx.func.dfg.ext_funcs[func_ref.index()].symbol))
        }
        InstructionData::CallIndirect { callee, args, .. } => (args.clone(), CallTarget::Reg(ctx.value_reg(*callee))),
        _ => return Err(CompileError::internal("not a call")),
    };
    let (arg_ints, arg_floats) = A::arg_regs();
    let regs: Vec<Reg> = args.iter().map(|&v| ctx.value_reg(v)).collect();
    let mut uses = Vec::new();
    for (reg, location) in regs.iter().zip(assign(&classes(&regs), &arg_ints, &arg_floats)) {
        match location {
            Location::Reg(preg) => uses.push((*reg, preg)),
            Location::Stack(offset) => {
                ctx.need_outgoing_args(offset + 8);
                ctx.emit(A::gen_store_outgoing(*reg, offset));
            }
        }
    }
    let (ret_ints, ret_floats) = A::ret_regs();
    let results: Vec<Reg> = ctx.func.dfg.inst_results(inst).iter().map(|&v| ctx.value_reg(v)).collect();
    let mut clobbers = A::caller_saved();
    let mut defs = Vec::new();
    for (result, preg) in results.iter().zip(return_registers(&classes(&results), &ret_ints, &ret_floats)?) {
        defs.push((Writable::from_reg(*result), preg));
        clobbers.remove(preg);
    }
    ctx.emit(A::gen_call(target, uses, defs, clobbers));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_floats_use_separate_sequences_then_the_stack() {
        let ints = [PReg::new(7, RegClass::Int), PReg::new(6, RegClass::Int)];
        let floats = [PReg::new(0, RegClass::Float)];
        let classes = [RegClass::Int, RegClass::Float, RegClass::Int, RegClass::Float, RegClass::Int];
        assert_eq!(
            assign(&classes, &ints, &floats),
            vec![
                Location::Reg(ints[0]),
                Location::Reg(floats[0]),
                Location::Reg(ints[1]),
                Location::Stack(0),
                Location::Stack(8),
            ]
        );
        assert!(return_registers(&classes, &ints, &floats).is_err());
        assert_eq!(return_registers(&classes[..2], &ints, &floats).unwrap(), vec![ints[0], floats[0]]);
    }
}
