//! The AArch64 back end (AAPCS64).
//!
//! ```text
//! ir::Function ─▶ lower (lower.rs rules) ─▶ VCode<Inst> ─▶ regalloc2
//!   ─▶ frame layout (abi.rs) ─▶ emit (inst/emit.rs) ─▶ MachBufferFinalized
//! ```
//!
//! Same folder shape as `isa/x64`: `inst/{mod,args,regs,emit}.rs` (emit
//! tests in `oracle::aarch64`), `lower.rs` (floats in `lower_float.rs`, their encodings in
//! `inst/emit_fp.rs`), `abi.rs`. Conditional branches reach ±1 MiB; the
//! shared `MachBuffer` redirects one whose target would end up farther
//! through a veneer (`b`, ±128 MiB) in an island, which emission jumps over
//! with [`inst::emit::emit_island_jump`].

pub mod abi;
pub mod inst;
pub mod lower;
pub mod lower_float;

#[cfg(test)]
mod tests;

use crate::compile::Fault;
use crate::error::{CompileError, CompileResult};
use crate::ir::Function;
use crate::machinst::{MachBufferFinalized, MoveEmitter, Reg, VCode, Writable, lower::lower, regalloc};
use inst::Inst;
use inst::args::{AMode, FrameOffset, LoadOp, StoreOp};
use inst::args_fp::FloatSize;
use inst::emit::{EmitState, FrameLayout, emit_island_jump, prologue};
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
        let mem = AMode::Frame(FrameOffset::Spill(slot as u32));
        match src.class() {
            RegClass::Float => Inst::FpuStore { size: FloatSize::F64, rt: src, mem },
            _ if self.fault == Some(Fault::SpillWidth) => Inst::Store { op: StoreOp::StrW, rt: src, mem },
            _ => Inst::Store { op: StoreOp::StrX, rt: src, mem },
        }
    }
    fn gen_reload(&self, dst: Writable<Reg>, slot: usize) -> Inst {
        let mem = AMode::Frame(FrameOffset::Spill(slot as u32));
        match dst.to_reg().class() {
            RegClass::Float => Inst::FpuLoad { size: FloatSize::F64, rd: dst, mem },
            _ => Inst::Load { op: LoadOp::LdrX, rd: dst, mem },
        }
    }
}

/// Lowers `func` to VCode (virtual registers), without allocating.
pub fn lower_to_vcode(func: &Function) -> CompileResult<VCode<Inst>> {
    lower(func, &lower::AArch64Backend { fault: None })
}

/// Compiles one IR function to AArch64 machine code. With `check`, the
/// register allocator's checker verifies the allocation.
pub fn compile_function(func: &Function, check: bool) -> CompileResult<MachBufferFinalized> {
    compile_function_with(func, check, None)
}

/// [`compile_function`], committing `fault` on purpose when there is one
/// (the harness's self-test; see [`Fault`]).
pub fn compile_function_with(func: &Function, check: bool, fault: Option<Fault>) -> CompileResult<MachBufferFinalized> {
    let vcode = lower(func, &lower::AArch64Backend { fault })?;
    let env = inst::regs::machine_env();
    let output = regalloc::allocate(&vcode, &env, check)?;
    let (callee_saves, float_callee_saves) = abi::clobbered_callee_saves(vcode.written_registers(&output));
    let frame = FrameLayout::new(
        vcode.frame.outgoing_args_size,
        vcode.frame.stack_slots_size,
        output.num_spillslots as u32,
        callee_saves,
    )
    .with_float_callee_saves(float_callee_saves);
    let prologue = prologue(&frame);
    let mut state = EmitState { frame };
    vcode
        .emit(&output, &prologue, &Moves { fault }, &mut state, emit_island_jump)
        .map_err(|e| CompileError::internal(format!("aarch64 emission: {e}")))
}
