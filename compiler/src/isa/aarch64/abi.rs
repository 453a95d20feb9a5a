//! The AAPCS64 calling convention, as our generated code uses it.
//!
//! Part of `isa/aarch64/`. Integer arguments go in `x0`–`x7` (the vmctx is
//! always the first, in `x0`), the rest on the stack in 8-byte slots;
//! results come back in `x0`, `x1` (more results use the return area,
//! handled in IR by the Wasm translator). `x19`–`x28` are callee-saved; we
//! touch no floating-point registers, so `d8`–`d15` need no saving. Every
//! frame has a frame record, and `x29` is the frame pointer:
//!
//! ```text
//!   [x29 + 16 + 8k]   incoming stack argument k
//!   [x29 + 8]         saved x30 (return address)
//!   [x29]             saved x29 (caller's frame pointer)
//!   [x29 - 16 ...]    callee-saved registers, in pairs (stp/ldp)
//!   ...               spill slots
//!   ...               IR stack slots
//!   [sp + 8k]         outgoing stack argument k    (sp is 16-byte aligned)
//! ```
//!
//! The prologue checks that the lowest address the frame reaches is not
//! below `vmctx.stack_limit` and traps with `StackOverflow` otherwise
//! (`inst/emit.rs`, `prologue`).

use crate::error::{CompileError, CompileResult};
use crate::ir::{self, InstructionData, Value};
use crate::isa::aarch64::inst::Inst;
use crate::isa::aarch64::inst::args::*;
use crate::isa::aarch64::inst::regs::*;
use crate::machinst::{Lower, Reg, Writable};
use regalloc2::PRegSet;

/// Defines the entry block's parameters from their ABI locations.
pub fn lower_args(ctx: &mut Lower<'_, Inst>, params: &[Reg]) -> CompileResult<()> {
    let mut args = Vec::new();
    let mut stack_loads = Vec::new();
    for (i, &param) in params.iter().enumerate() {
        if param.class() != regalloc2::RegClass::Int {
            return Err(CompileError::unsupported("float arguments on aarch64", None));
        }
        match ARG_REGS.get(i) {
            Some(&enc) => args.push((Writable::from_reg(param), xreg_preg(enc))),
            None => {
                let offset = ((i - ARG_REGS.len()) * 8) as u32;
                stack_loads.push(Inst::Load {
                    op: LoadOp::LdrX,
                    rd: Writable::from_reg(param),
                    mem: AMode::Frame(FrameOffset::IncomingArg(offset)),
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

/// Lowers `return args`.
pub fn lower_return(ctx: &mut Lower<'_, Inst>, args: &[Value]) -> CompileResult<()> {
    if args.len() > RET_REGS.len() {
        return Err(CompileError::internal("more register results than the ABI has"));
    }
    let rets = args.iter().zip(RET_REGS).map(|(&v, enc)| (ctx.value_reg(v), xreg_preg(enc))).collect();
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
    for (i, &arg) in args.iter().enumerate() {
        let reg = ctx.value_reg(arg);
        match ARG_REGS.get(i) {
            Some(&enc) => uses.push((reg, xreg_preg(enc))),
            None => {
                let offset = ((i - ARG_REGS.len()) * 8) as u32;
                ctx.need_outgoing_args(offset + 8);
                ctx.emit(Inst::Store { op: StoreOp::StrX, rt: reg, mem: AMode::Frame(FrameOffset::Outgoing(offset)) });
            }
        }
    }
    let results = ctx.func.dfg.inst_results(inst).to_vec();
    if results.len() > RET_REGS.len() {
        return Err(CompileError::internal("more register results than the ABI has"));
    }
    let mut clobbers = caller_saved_set();
    let mut defs = Vec::new();
    for (&result, enc) in results.iter().zip(RET_REGS) {
        defs.push((Writable::from_reg(ctx.value_reg(result)), xreg_preg(enc)));
        clobbers.remove(xreg_preg(enc));
    }
    ctx.emit(match target {
        Err(symbol) => Inst::Call { symbol, uses, defs, clobbers },
        Ok(target) => Inst::CallInd { target, uses, defs, clobbers },
    });
    Ok(())
}

/// Callee-saved registers written by the allocated function, in save order.
pub fn clobbered_callee_saves(written: PRegSet) -> Vec<u8> {
    CALLEE_SAVED.into_iter().filter(|&enc| written.contains(xreg_preg(enc))).collect()
}
