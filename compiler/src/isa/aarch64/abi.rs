//! The AAPCS64 calling convention, as our generated code uses it.
//!
//! Part of `isa/aarch64/`. Integer arguments go in `x0`–`x7` (the vmctx is
//! always the first, in `x0`), float arguments in `v0`–`v7` (`s`/`d`), each
//! counted separately; the rest go on the stack in 8-byte slots, in order
//! (a float is stored as a whole `d` register). Results come back in `x0`,
//! `x1` and `v0`, `v1` (more results use the return area, handled in IR by
//! the Wasm translator). `x19`–`x28` and the low 64 bits of `d8`–`d15` are
//! callee-saved. Every frame has a frame record, and `x29` is the frame
//! pointer:
//!
//! ```text
//!   [x29 + 16 + 8k]   incoming stack argument k
//!   [x29 + 8]         saved x30 (return address)
//!   [x29]             saved x29 (caller's frame pointer)
//!   [x29 - 16 ...]    callee-saved registers, in pairs (stp/ldp)
//!   ...               callee-saved d registers, 16 bytes each (str/ldr)
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
use crate::isa::aarch64::inst::args_fp::FloatSize;
use crate::isa::aarch64::inst::regs::*;
use crate::machinst::{Lower, Reg, Writable};
use regalloc2::{PReg, PRegSet, RegClass};

use crate::machinst::abi::Location;

/// Assigns argument or result locations (see [`crate::machinst::abi::assign`])
/// from this ISA's register encodings.
pub fn assign(classes: &[RegClass], int_regs: &[u8], float_regs: &[u8]) -> Vec<Location> {
    let ints: Vec<PReg> = int_regs.iter().map(|&e| xreg_preg(e)).collect();
    let floats: Vec<PReg> = float_regs.iter().map(|&e| vreg_preg(e)).collect();
    crate::machinst::abi::assign(classes, &ints, &floats)
}

/// A load of a stack argument of `dst`'s class.
fn load_stack(dst: Writable<Reg>, mem: AMode) -> Inst {
    match dst.to_reg().class() {
        RegClass::Float => Inst::FpuLoad { size: FloatSize::F64, rd: dst, mem },
        _ => Inst::Load { op: LoadOp::LdrX, rd: dst, mem },
    }
}

/// A store of a stack argument of `src`'s class.
fn store_stack(src: Reg, mem: AMode) -> Inst {
    match src.class() {
        RegClass::Float => Inst::FpuStore { size: FloatSize::F64, rt: src, mem },
        _ => Inst::Store { op: StoreOp::StrX, rt: src, mem },
    }
}

/// Defines the entry block's parameters from their ABI locations.
pub fn lower_args(ctx: &mut Lower<'_, Inst>, params: &[Reg]) -> CompileResult<()> {
    let mut args = Vec::new();
    let mut stack_loads = Vec::new();
    let classes: Vec<RegClass> = params.iter().map(|p| p.class()).collect();
    for (&param, location) in params.iter().zip(assign(&classes, &ARG_REGS, &FLOAT_ARG_REGS)) {
        let dst = Writable::from_reg(param);
        match location {
            Location::Reg(preg) => args.push((dst, preg)),
            Location::Stack(offset) => {
                stack_loads.push(load_stack(dst, AMode::Frame(FrameOffset::IncomingArg(offset))))
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
    let ints: Vec<PReg> = RET_REGS.iter().map(|&e| xreg_preg(e)).collect();
    let floats: Vec<PReg> = FLOAT_RET_REGS.iter().map(|&e| vreg_preg(e)).collect();
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
    for (reg, location) in regs.into_iter().zip(assign(&classes, &ARG_REGS, &FLOAT_ARG_REGS)) {
        match location {
            Location::Reg(preg) => uses.push((reg, preg)),
            Location::Stack(offset) => {
                ctx.need_outgoing_args(offset + 8);
                ctx.emit(store_stack(reg, AMode::Frame(FrameOffset::Outgoing(offset))));
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
        Err(symbol) => Inst::Call { symbol, uses, defs, clobbers },
        Ok(target) => Inst::CallInd { target, uses, defs, clobbers },
    });
    Ok(())
}

/// Callee-saved registers written by the allocated function, in save order:
/// the integer ones, then the float ones.
pub fn clobbered_callee_saves(written: PRegSet) -> (Vec<u8>, Vec<u8>) {
    let ints = CALLEE_SAVED.into_iter().filter(|&enc| written.contains(xreg_preg(enc))).collect();
    let floats = FLOAT_CALLEE_SAVED.into_iter().filter(|&enc| written.contains(vreg_preg(enc))).collect();
    (ints, floats)
}
