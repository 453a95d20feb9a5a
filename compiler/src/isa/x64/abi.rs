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

use crate::machinst::abi::Location;

/// Assigns argument or result locations (see [`crate::machinst::abi::assign`])
/// from this ISA's register encodings.
pub fn assign(classes: &[RegClass], int_regs: &[u8], float_regs: &[u8]) -> Vec<Location> {
    let ints: Vec<PReg> = int_regs.iter().map(|&e| gpr_preg(e)).collect();
    let floats: Vec<PReg> = float_regs.iter().map(|&e| xmm_preg(e)).collect();
    crate::machinst::abi::assign(classes, &ints, &floats)
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
    let ints: Vec<PReg> = RET_REGS.iter().map(|&e| gpr_preg(e)).collect();
    let floats: Vec<PReg> = RET_XMMS.iter().map(|&e| xmm_preg(e)).collect();
    crate::machinst::abi::return_registers(classes, &ints, &floats)
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
