//! The x86-64 back end (System V).
//!
//! ```text
//! ir::Function ─▶ lower (lower.rs rules) ─▶ VCode<Inst> ─▶ regalloc2
//!   ─▶ frame layout (abi.rs) ─▶ emit (inst/emit.rs) ─▶ MachBufferFinalized
//! ```
//!
//! Same folder shape as `isa/aarch64`: `inst/{mod,args,regs,emit}.rs`,
//! `lower.rs`, `abi.rs`. The encoder's tests live in the `oracle` crate
//! (`oracle::x64`), which sees only the instruction type and the bytes.

pub mod abi;
pub mod inst;
pub mod lower;
pub mod lower_float;

use crate::compile::Fault;
use crate::error::{CompileError, CompileResult};
use crate::ir::Function;
use crate::machinst::{MachBufferFinalized, MoveEmitter, Reg, VCode, Writable, lower::lower, regalloc};
use inst::Inst;
use inst::args::{Amode, FloatSize, FrameOffset, OperandSize};
use inst::emit::{EmitState, FrameLayout, prologue};
use regalloc2::RegClass;

/// Spills, reloads and moves for the allocator's edits.
struct Moves {
    fault: Option<Fault>,
}

impl MoveEmitter<Inst> for Moves {
    fn gen_move(&self, dst: Writable<Reg>, src: Reg, class: RegClass) -> Inst {
        <Inst as crate::machinst::MachInst>::gen_move(dst, src, class)
    }
    fn gen_spill(&self, slot: usize, src: Reg) -> Inst {
        let dst = Amode::Frame(FrameOffset::Spill(slot as u32));
        match src.class() {
            RegClass::Float => Inst::XmmStore { size: FloatSize::F64, src, dst },
            _ if self.fault == Some(Fault::SpillWidth) => Inst::MovRM { size: OperandSize::Size32, src, dst },
            _ => Inst::MovRM { size: OperandSize::Size64, src, dst },
        }
    }
    fn gen_reload(&self, dst: Writable<Reg>, slot: usize) -> Inst {
        let src = Amode::Frame(FrameOffset::Spill(slot as u32));
        match dst.to_reg().class() {
            RegClass::Float => Inst::XmmLoad { size: FloatSize::F64, src, dst },
            _ => Inst::Mov64MR { src, dst },
        }
    }
}

/// Lowers `func` to VCode (virtual registers), without allocating.
pub fn lower_to_vcode(func: &Function) -> CompileResult<VCode<Inst>> {
    lower(func, &lower::X64Backend { fault: None })
}

/// Compiles one IR function to x86-64 machine code. With `check`, the
/// register allocator's checker verifies the allocation.
pub fn compile_function(func: &Function, check: bool) -> CompileResult<MachBufferFinalized> {
    compile_function_with(func, check, None)
}

/// [`compile_function`], committing `fault` on purpose when there is one
/// (the harness's self-test; see [`Fault`]).
pub fn compile_function_with(func: &Function, check: bool, fault: Option<Fault>) -> CompileResult<MachBufferFinalized> {
    let vcode = lower(func, &lower::X64Backend { fault })?;
    let env = inst::regs::machine_env();
    let output = regalloc::allocate(&vcode, &env, check)?;
    let callee_saves = abi::clobbered_callee_saves(vcode.written_registers(&output));
    let frame = FrameLayout::new(
        vcode.frame.outgoing_args_size,
        vcode.frame.stack_slots_size,
        output.num_spillslots as u32,
        callee_saves,
    );
    let prologue = prologue(&frame);
    let mut state = EmitState { frame };
    vcode
        .emit(&output, &prologue, &Moves { fault }, &mut state, |_, _| {})
        .map_err(|e| CompileError::internal(format!("x86-64 emission: {e}")))
}
