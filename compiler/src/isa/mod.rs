//! Instruction set back ends. Each has the same shape: `inst/` (instruction
//! type, operands, registers, encoding; the emit tests are in the `oracle`
//! crate), `lower.rs` (IR to
//! instructions) and `abi.rs` (calling convention and frame).

pub mod aarch64;
pub mod x64;
