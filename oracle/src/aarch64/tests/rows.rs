//! The AArch64 row table: one row per instruction form (see `forms.rs`).
//!
//! Part of the AArch64 oracle's tests. Each row is an instruction over physical
//! registers, the words it must encode to and the text yaxpeax-arm prints
//! for them. The words were cross-checked with GNU `as`/`objdump` for
//! aarch64 when the table was written (`objdump_listing` redoes the
//! listing). The rows are split by instruction family into `rows/*.rs`;
//! this file has the helpers they share.

mod alu;
mod constants;
mod control;
mod float;
mod memory;

use super::Row;
use crate::aarch64::Case;
use crate::common::LabelAt;
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::*;
use compiler::isa::aarch64::inst::emit::FrameLayout;
use compiler::isa::aarch64::inst::regs::{vreg, writable, xreg};
use compiler::machinst::{Reg, Writable};

pub const S32: OperandSize = OperandSize::Size32;
pub const S64: OperandSize = OperandSize::Size64;

pub fn x(n: u8) -> Reg {
    xreg(n)
}

pub fn wr(n: u8) -> Writable<Reg> {
    writable(xreg(n))
}

/// Float register `v{n}`.
pub fn v(n: u8) -> Reg {
    vreg(n)
}

/// Float register `v{n}`, written.
pub fn vw(n: u8) -> Writable<Reg> {
    writable(vreg(n))
}

pub fn imm12(value: u64) -> Imm12 {
    Imm12::maybe_from_u64(value).expect("a 12-bit immediate")
}

pub fn logic(value: u64, size: OperandSize) -> ImmLogic {
    ImmLogic::maybe_from_u64(value, size).expect("a logical immediate")
}

pub fn mwc(bits: u16, shift: u8) -> MoveWideConst {
    MoveWideConst::new(bits, shift)
}

pub fn frame(outgoing_args_size: u32, stack_slots_size: u32, spill_slots: u32, callee_saves: &[u8]) -> FrameLayout {
    FrameLayout::new(outgoing_args_size, stack_slots_size, spill_slots, callee_saves.to_vec())
}

/// A row in the default setting ([`Case::new`]: no frame, labels at their
/// default places).
pub fn row(inst: Inst, hex: &'static str, text: &'static str) -> Row {
    Row { case: Case::new(inst), hex, text }
}

/// A row in `frame`.
pub fn row_in(frame: FrameLayout, inst: Inst, hex: &'static str, text: &'static str) -> Row {
    Row { case: Case::new(inst).with_frame(frame), hex, text }
}

/// A row with its labels bound at `labels`.
pub fn row_to(labels: Vec<LabelAt>, inst: Inst, hex: &'static str, text: &'static str) -> Row {
    Row { case: Case::new(inst).with_labels(&labels), hex, text }
}

/// Every row.
pub fn rows() -> Vec<Row> {
    let mut rows = alu::rows();
    rows.extend(constants::rows());
    rows.extend(memory::rows());
    rows.extend(control::rows());
    rows.extend(float::rows());
    rows
}
