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

use crate::isa::x64::inst::Inst;
use crate::isa::x64::inst::args::*;
use crate::isa::x64::inst::regs::*;
use crate::machinst::{Reg, Writable};
use regalloc2::{PReg, PRegSet, RegClass};

use crate::machinst::abi::{AbiSpec, CallTarget};

/// The System V calling convention as an [`AbiSpec`].
pub struct X64Abi;

impl AbiSpec for X64Abi {
    type I = Inst;

    fn arg_regs() -> (Vec<PReg>, Vec<PReg>) {
        (ARG_REGS.iter().map(|&e| gpr_preg(e)).collect(), ARG_XMMS.iter().map(|&e| xmm_preg(e)).collect())
    }
    fn ret_regs() -> (Vec<PReg>, Vec<PReg>) {
        (RET_REGS.iter().map(|&e| gpr_preg(e)).collect(), RET_XMMS.iter().map(|&e| xmm_preg(e)).collect())
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
        let src = Amode::Frame(FrameOffset::IncomingArg(offset));
        match dst.to_reg().class() {
            RegClass::Float => Inst::XmmLoad { size: FloatSize::F64, src, dst },
            _ => Inst::Mov64MR { src, dst },
        }
    }
    fn gen_store_outgoing(src: Reg, offset: u32) -> Inst {
        let dst = Amode::Frame(FrameOffset::Outgoing(offset));
        match src.class() {
            RegClass::Float => Inst::XmmStore { size: FloatSize::F64, src, dst },
            _ => Inst::MovRM { size: OperandSize::Size64, src, dst },
        }
    }
    fn gen_call(
        target: CallTarget,
        uses: Vec<(Reg, PReg)>,
        defs: Vec<(Writable<Reg>, PReg)>,
        clobbers: PRegSet,
    ) -> Inst {
        match target {
            CallTarget::Symbol(symbol) => Inst::CallKnown { symbol, uses, defs, clobbers },
            CallTarget::Reg(target) => Inst::CallUnknown { target, uses, defs, clobbers },
        }
    }
}

/// Callee-saved registers written by the allocated function, in push order.
pub fn clobbered_callee_saves(written: PRegSet) -> Vec<u8> {
    CALLEE_SAVED.into_iter().filter(|&enc| written.contains(gpr_preg(enc))).collect()
}
