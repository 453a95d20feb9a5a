//! The System V x86-64 calling convention, as our generated code uses it.
//!
//! Part of `isa/x64/`. Integer arguments go in `rdi, rsi, rdx, rcx, r8, r9`
//! (the vmctx is always the first, in `rdi`), the rest on the stack in
//! 8-byte slots; results come back in `rax, rdx` (more results use the
//! return area, handled in IR by the Wasm translator). `rbx, rbp, r12–r15`
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
use regalloc2::PRegSet;

/// Defines the entry block's parameters from their ABI locations.
pub fn lower_args(ctx: &mut Lower<'_, Inst>, params: &[Reg]) -> CompileResult<()> {
    let mut args = Vec::new();
    let mut stack_loads = Vec::new();
    for (i, &param) in params.iter().enumerate() {
        if param.class() != regalloc2::RegClass::Int {
            return Err(CompileError::unsupported("float arguments on x86-64", None));
        }
        match ARG_REGS.get(i) {
            Some(&enc) => args.push((Writable::from_reg(param), gpr_preg(enc))),
            None => {
                let offset = ((i - ARG_REGS.len()) * 8) as u32;
                stack_loads.push(Inst::Mov64MR {
                    src: Amode::Frame(FrameOffset::IncomingArg(offset)),
                    dst: Writable::from_reg(param),
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
    let rets = args.iter().zip(RET_REGS).map(|(&v, enc)| (ctx.value_reg(v), gpr_preg(enc))).collect();
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
            Some(&enc) => uses.push((reg, gpr_preg(enc))),
            None => {
                let offset = ((i - ARG_REGS.len()) * 8) as u32;
                ctx.need_outgoing_args(offset + 8);
                ctx.emit(Inst::MovRM {
                    size: OperandSize::Size64,
                    src: reg,
                    dst: Amode::Frame(FrameOffset::Outgoing(offset)),
                });
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
        defs.push((Writable::from_reg(ctx.value_reg(result)), gpr_preg(enc)));
        clobbers.remove(gpr_preg(enc));
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
