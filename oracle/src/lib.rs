//! Oracles: independent references the harness compares the compiler with.
//!
//! This crate sits beside the compiler, at its very end: the compiler's
//! emitters turn machine instructions (`isa::{x64,aarch64}::inst::Inst`)
//! into bytes, and the checks here decode those bytes with independent
//! decoders (iced-x86 for x86-64, yaxpeax-arm for AArch64) and compare the
//! decoded structure, field by field, with what the instruction means
//! (derived from its fields alone, never from the bytes):
//!
//! ```text
//!                    ┌─▶ bytes ─decoder─▶ mnemonic, registers, memory, immediates ─┐
//! Inst (+ frame) ─emit┤                                                            ├─ compare ─▶ Checked | Mismatch
//!                    └─▶ derive (what the Inst means, in the decoder's terms) ─────┘
//! ```
//!
//! Each ISA module has the same shape: `check` (one instruction: emit,
//! decode, compare), `derive` (the meaning), `forms` (the coverage measure:
//! every encoding form the emitter has), `generate` (arbitrary instances of
//! every form, for proptest and fuzzing) and `check_fuzz_input` (the entry
//! point of the fuzz target and of the harness). The oracles use the
//! compiler only through its public types and its bytes.

pub mod aarch64;
mod common;
pub mod cranelift;
#[cfg(test)]
mod generator_tests;
pub mod second;
pub mod x64;

pub use common::{Checked, FormKeys, LabelAt, Lifted, Mismatch, MismatchKind};
pub use second::{Disagreement, NORMALIZATIONS, Normalization, SecondOpinion};
