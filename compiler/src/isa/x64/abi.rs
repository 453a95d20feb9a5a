//! The System V x86-64 calling convention, as our generated code uses it.
//!
//! Part of `isa/x64/`. Integer arguments go in `rdi, rsi, rdx, rcx, r8, r9`
//! (the vmctx is always the first, in `rdi`), float arguments in
//! `xmm0`–`xmm7`, each counted separately; the rest go on the stack in
//! 8-byte slots, in order. Results come back in `rax, rdx` and `xmm0, xmm1`
//! (more results use the return area, handled in IR by the Wasm
//! translator). All XMM registers are caller-saved. `rbx, rbp, r12–r15`
//! are callee-saved. The frame always has a frame pointer:
//!
//! ```text
//!   [rbp + 16 + 8k]   incoming stack argument k
//!   [rbp + 8]         return address
//!   [rbp]             caller's rbp
//!   [rbp - 8 ...]     pushed callee-saved registers
//!   ...               spill slots
//!   ...               IR stack slots
//!   [rsp + 8k]        outgoing stack argument k      (rsp is 16-byte aligned)
//! ```

use crate::error::{CompileError, CompileResult};
use crate::ir::{self, InstructionData, Value};
use crate::isa::x64::inst::Inst;
use crate::isa::x64::inst::args::*;
use crate::isa::x64::inst::regs::*;
use crate::machinst::{Lower, Reg, Writable};
use regalloc2::{PReg, PRegSet, RegClass};

/// Where one argument or result goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A register.
    Reg(PReg),
    /// An 8-byte stack slot at this offset in the argument area.
    Stack(u32),
}

/// Assigns locations to values of the given classes: integers take the next
/// integer register, floats the next XMM register, and the rest go to
/// 8-byte stack slots in order.
pub fn assign(classes: &[RegClass], int_regs: &[u8], float_regs: &[u8]) -> Vec<Location> {
    let (mut next_int, mut next_float, mut stack) = (0, 0, 0u32);
    classes
        .iter()
        .map(|class| {
            let (regs, next, make): (&[u8], &mut usize, fn(u8) -> PReg) = match class {
                RegClass::Float => (float_regs, &mut next_float, xmm_preg),
                _ => (int_regs, &mut next_int, gpr_preg),
            };
            match regs.get(*next) {
                Some(&enc) => {
                    *next += 1;
                    Location::Reg(make(enc))
                }
                None => {
                    stack += 8;
                    Location::Stack(stack - 8)
                }
            }
        })
        .collect()
}

/// Defines the entry block's parameters from their ABI locations.
pub fn lower_args(ctx: &mut Lower<'_, Inst>, params: &[Reg]) -> CompileResult<()> {
    let mut args = Vec::new();
    let mut stack_loads = Vec::new();
    let classes: Vec<RegClass> = params.iter().map(|p| p.class()).collect();
    for (&param, location) in params.iter().zip(assign(&classes, &ARG_REGS, &ARG_XMMS)) {
        let dst = Writable::from_reg(param);
        match location {
            Location::Reg(preg) => args.push((dst, preg)),
            Location::Stack(offset) => {
                let src = Amode::Frame(FrameOffset::IncomingArg(offset));
                stack_loads.push(match param.class() {
                    RegClass::Float => Inst::XmmLoad { size: FloatSize::F64, src, dst },
                    _ => Inst::Mov64MR { src, dst },
                });
            }
        }
    }
    ctx.emit(Inst::Args { args });
    for load in stack_loads {
        ctx.emit(load);
    }
    Ok(())
}

/// The return registers of values of `classes`.
fn return_locations(classes: &[RegClass]) -> CompileResult<Vec<PReg>> {
    assign(classes, &RET_REGS, &RET_XMMS)
        .into_iter()
        .map(|location| match location {
            Location::Reg(preg) => Ok(preg),
            Location::Stack(_) => Err(CompileError::internal("more register results than the ABI has")),
        })
        .collect()
}

/// Lowers `return args`.
pub fn lower_return(ctx: &mut Lower<'_, Inst>, args: &[Value]) -> CompileResult<()> {
    let regs: Vec<Reg> = args.iter().map(|&v| ctx.value_reg(v)).collect();
    let classes: Vec<RegClass> = regs.iter().map(|r| r.class()).collect();
    let rets = regs.into_iter().zip(return_locations(&classes)?).collect();
    ctx.emit(Inst::Ret { rets });
    Ok(())
}

/// Lowers `call` and `call_indirect`.
pub fn lower_call(ctx: &mut Lower<'_, Inst>, inst: ir::Inst) -> CompileResult<()> {
    let data = ctx.func.dfg.inst(inst).clone();
    let (args, target) = match &data {
        InstructionData::Call { func_ref, args, .. } => {
            let symbol = ctx.func.dfg.ext_funcs[func_ref.index()].symbol;
            (args.clone(), Err(symbol))
        }
        InstructionData::CallIndirect { callee, args, .. } => (args.clone(), Ok(ctx.value_reg(*callee))),
        _ => return Err(CompileError::internal("not a call")),
    };
    let mut uses = Vec::new();
    let regs: Vec<Reg> = args.iter().map(|&v| ctx.value_reg(v)).collect();
    let classes: Vec<RegClass> = regs.iter().map(|r| r.class()).collect();
    for (reg, location) in regs.into_iter().zip(assign(&classes, &ARG_REGS, &ARG_XMMS)) {
        match location {
            Location::Reg(preg) => uses.push((reg, preg)),
            Location::Stack(offset) => {
                ctx.need_outgoing_args(offset + 8);
                let dst = Amode::Frame(FrameOffset::Outgoing(offset));
                ctx.emit(match reg.class() {
                    RegClass::Float => Inst::XmmStore { size: FloatSize::F64, src: reg, dst },
                    _ => Inst::MovRM { size: OperandSize::Size64, src: reg, dst },
                });
            }
        }
    }
    let results: Vec<Reg> = ctx.func.dfg.inst_results(inst).iter().map(|&v| ctx.value_reg(v)).collect();
    let classes: Vec<RegClass> = results.iter().map(|r| r.class()).collect();
    let mut clobbers = caller_saved_set();
    let mut defs = Vec::new();
    for (result, preg) in results.into_iter().zip(return_locations(&classes)?) {
        defs.push((Writable::from_reg(result), preg));
        clobbers.remove(preg);
    }
    ctx.emit(match target {
        Err(symbol) => Inst::CallKnown { symbol, uses, defs, clobbers },
        Ok(target) => Inst::CallUnknown { target, uses, defs, clobbers },
    });
    Ok(())
}

/// Callee-saved registers written by the allocated function, in push order.
pub fn clobbered_callee_saves(written: PRegSet) -> Vec<u8> {
    CALLEE_SAVED.into_iter().filter(|&enc| written.contains(gpr_preg(enc))).collect()
}
