//! The traits every ISA's machine instructions implement.
//!
//! Part of `machinst/`. [`MachInst`] is what VCode, register allocation and
//! the generic [`crate::machinst::MachBuffer`] need from an instruction: its
//! register operands, its clobbers, whether it ends a block, how to build a
//! move or a jump. [`MachInstEmit`] turns one instruction into bytes.
//! [`MachInstLabelUse`] describes each kind of PC-relative reference an ISA
//! patches (branch ranges), so the one buffer can resolve them all.

use crate::machinst::buffer::MachBuffer;
use crate::machinst::reg::{OperandVisitor, Reg, Writable};
use regalloc2::{PRegSet, RegClass};

/// A label: a position in the code, bound during emission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MachLabel(pub u32);

/// What kind of block ending an instruction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MachTerminator {
    /// Not a terminator.
    None,
    /// A return.
    Ret,
    /// A branch (possibly to several successors).
    Branch,
    /// An unconditional trap: ends the block with no successors and no
    /// epilogue.
    Trap,
}

/// A kind of PC-relative reference to a label that the buffer patches.
pub trait MachInstLabelUse: Clone + Copy + std::fmt::Debug + PartialEq + Eq {
    /// Largest forward distance (label offset − use offset) it can reach.
    fn max_pos_range(self) -> u32;
    /// Largest backward distance it can reach.
    fn max_neg_range(self) -> u32;
    /// Number of bytes patched.
    fn patch_size(self) -> u32;
    /// Patches the reference at `use_offset` (the bytes are `buffer`, which
    /// starts at `use_offset`) to point at `label_offset`.
    fn patch(self, buffer: &mut [u8], use_offset: u32, label_offset: u32);
    /// Whether an out-of-range use can be redirected through a veneer.
    fn supports_veneer(self) -> bool;
    /// Size of that veneer.
    fn veneer_size(self) -> u32;
    /// Writes a veneer at `veneer_offset` into `buffer` (its bytes) and
    /// returns the offset and kind of the label use inside it.
    fn generate_veneer(self, buffer: &mut [u8], veneer_offset: u32) -> (u32, Self);
}

/// A machine instruction of some ISA.
pub trait MachInst: Clone + std::fmt::Debug {
    /// The label-use kinds of this ISA.
    type LabelUse: MachInstLabelUse;

    /// Reports every register operand to `visitor`, in a fixed order.
    fn get_operands(&mut self, visitor: &mut impl OperandVisitor);

    /// Physical registers the instruction overwrites besides its defs.
    fn clobbers(&self) -> PRegSet {
        PRegSet::empty()
    }

    /// Whether and how the instruction ends a block.
    fn is_term(&self) -> MachTerminator;

    /// Whether this is the pseudo-instruction defining the incoming
    /// arguments.
    fn is_args(&self) -> bool {
        false
    }

    /// A register-to-register move of a whole register of `class`.
    fn gen_move(dst: Writable<Reg>, src: Reg, class: RegClass) -> Self;

    /// An unconditional jump.
    fn gen_jump(target: MachLabel) -> Self;

    /// The largest number of bytes one instruction emits.
    fn worst_case_size() -> u32;
}

/// Emission of one instruction into a buffer.
pub trait MachInstEmit: MachInst {
    /// Per-function state threaded through emission (frame layout).
    type State;

    /// Emits the instruction's bytes. All registers are physical.
    fn emit(&self, buffer: &mut MachBuffer<Self>, state: &mut Self::State);
}
