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

use crate::isa::aarch64::inst::Inst;
use crate::isa::aarch64::inst::args::*;
use crate::isa::aarch64::inst::args_fp::FloatSize;
use crate::isa::aarch64::inst::regs::*;
use crate::machinst::{Reg, Writable};
use regalloc2::{PReg, PRegSet, RegClass};

use crate::machinst::abi::{AbiSpec, CallTarget};

/// AAPCS64 as an [`AbiSpec`].
pub struct Aarch64Abi;

impl AbiSpec for Aarch64Abi {
    type I = Inst;

    fn arg_regs() -> (Vec<PReg>, Vec<PReg>) {
        (ARG_REGS.iter().map(|&e| xreg_preg(e)).collect(), FLOAT_ARG_REGS.iter().map(|&e| vreg_preg(e)).collect())
    }
    fn ret_regs() -> (Vec<PReg>, Vec<PReg>) {
        (RET_REGS.iter().map(|&e| xreg_preg(e)).collect(), FLOAT_RET_REGS.iter().map(|&e| vreg_preg(e)).collect())
    }
    fn caller_saved() -> PRegSet {
        caller_saved_set()
    }
    fn gen_args(args: Vec<(Writable<Reg>, PReg)>) -> Inst {
        Inst::Args { args }
    }
    fn gen_ret(rets: Vec<(Reg, PReg)>) -> Inst {
        Inst::Ret { rets }
    }
    fn gen_load_incoming(dst: Writable<Reg>, offset: u32) -> Inst {
        let mem = AMode::Frame(FrameOffset::IncomingArg(offset));
        match dst.to_reg().class() {
            RegClass::Float => Inst::FpuLoad { size: FloatSize::F64, rd: dst, mem },
            _ => Inst::Load { op: LoadOp::LdrX, rd: dst, mem },
        }
    }
    fn gen_store_outgoing(src: Reg, offset: u32) -> Inst {
        let mem = AMode::Frame(FrameOffset::Outgoing(offset));
        match src.class() {
            RegClass::Float => Inst::FpuStore { size: FloatSize::F64, rt: src, mem },
            _ => Inst::Store { op: StoreOp::StrX, rt: src, mem },
        }
    }
    fn gen_call(
        target: CallTarget,
        uses: Vec<(Reg, PReg)>,
        defs: Vec<(Writable<Reg>, PReg)>,
        clobbers: PRegSet,
    ) -> Inst {
        match target {
            CallTarget::Symbol(symbol) => Inst::Call { symbol, uses, defs, clobbers },
            CallTarget::Reg(target) => Inst::CallInd { target, uses, defs, clobbers },
        }
    }
}

/// Callee-saved registers written by the allocated function, in save order:
/// the integer ones, then the float ones.
pub fn clobbered_callee_saves(written: PRegSet) -> (Vec<u8>, Vec<u8>) {
    let ints = CALLEE_SAVED.into_iter().filter(|&enc| written.contains(xreg_preg(enc))).collect();
    let floats = FLOAT_CALLEE_SAVED.into_iter().filter(|&enc| written.contains(vreg_preg(enc))).collect();
    (ints, floats)
}
