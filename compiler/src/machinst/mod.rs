//! The ISA-independent back end.
//!
//! ```text
//! ir::Function
//!   ─▶ lower::BlockLoweringOrder   (reverse postorder, critical edges split)
//!   ─▶ lower::lower                (per-ISA rules: LowerBackend)  ─▶ VCode<I> (virtual regs)
//!   ─▶ regalloc2::run              (VCode is a regalloc2::Function; checker in tests)
//!   ─▶ VCode::emit                 (allocations applied, moves/spills, prologue/epilogue)
//!   ─▶ MachBuffer<I>               (labels, fixups, branch simplification, islands, traps)
//!   ─▶ MachBufferFinalized         (bytes + relocations + trap sites)
//! ```
//!
//! Everything here is generic over the ISA's instruction type through the
//! traits in [`inst`]; `isa/x64` and `isa/aarch64` only provide
//! instructions, emission, lowering rules and the ABI.

pub mod abi;
pub mod buffer;
pub mod inst;
pub mod lower;
pub mod reg;
pub mod regalloc;
pub mod vcode;

pub use buffer::{CodeOffset, MachBuffer, MachBufferFinalized, MachReloc, MachTrap, RelocKind};
pub use inst::{MachInst, MachInstEmit, MachInstLabelUse, MachLabel, MachTerminator};
pub use lower::{Lower, LowerBackend};
pub use reg::{OperandVisitor, Reg, Writable};
pub use vcode::{FrameRequirements, MoveEmitter, VCode};
