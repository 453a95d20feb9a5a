//! AArch64 registers: hardware numbers, names, and the register sets the
//! AAPCS64 ABI and the allocator use.
//!
//! Part of `isa/aarch64/inst/`. General-purpose registers are numbered as in
//! the encodings, `x0` = 0 … `x30` = 30. Number 31 is the stack pointer or
//! the zero register depending on the operand: every instruction form in
//! `inst/mod.rs` says which. [`sp`] and [`zero_reg`] both stand for it.
//!
//! Reserved, never allocated:
//! - `x16`: regalloc2's scratch register (move cycles, stack-to-stack moves);
//! - `x17`: emission scratch (large frame offsets, the prologue);
//! - `x18`: the platform register;
//! - `x29` (frame pointer), `x30` (link register), 31 (`sp`/`xzr`).

use crate::machinst::reg::{Reg, Writable};
use regalloc2::{PReg, PRegSet, RegClass};

/// The physical register with number `enc`.
pub fn xreg_preg(enc: u8) -> PReg {
    assert!(enc < 32, "x{enc} does not exist");
    PReg::new(enc as usize, RegClass::Int)
}

/// General-purpose register `enc` (`x0`..`x30`).
pub fn xreg(enc: u8) -> Reg {
    Reg::from_preg(xreg_preg(enc))
}

/// A writable physical register.
pub fn writable(reg: Reg) -> Writable<Reg> {
    Writable::from_reg(reg)
}

/// The stack pointer (number 31 in base-register and add/sub-immediate
/// operands).
pub fn sp() -> Reg {
    xreg(31)
}

/// The zero register (number 31 in most data-processing operands).
pub fn zero_reg() -> Reg {
    xreg(31)
}

/// The frame pointer, `x29`.
pub fn fp() -> Reg {
    xreg(29)
}

/// The link register, `x30`.
pub fn lr() -> Reg {
    xreg(30)
}

/// The first intra-procedure-call scratch register, `x16` (regalloc2's
/// scratch).
pub fn x16() -> Reg {
    xreg(16)
}

/// The emission scratch register, `x17`.
pub fn x17() -> Reg {
    xreg(17)
}

/// The name of register `enc` at a width; `sp_at_31` picks `sp`/`wsp` over
/// `xzr`/`wzr`.
pub fn reg_name(enc: u8, is_64: bool, sp_at_31: bool) -> String {
    match (enc, is_64, sp_at_31) {
        (31, true, true) => "sp".into(),
        (31, false, true) => "wsp".into(),
        (31, true, false) => "xzr".into(),
        (31, false, false) => "wzr".into(),
        (n, true, _) => format!("x{n}"),
        (n, false, _) => format!("w{n}"),
    }
}

/// A register's name for printing (virtual ones print as `%vN`).
pub fn show_reg(reg: Reg, is_64: bool, sp_at_31: bool) -> String {
    match reg.to_preg() {
        Some(p) => reg_name(p.hw_enc() as u8, is_64, sp_at_31),
        None => format!("{reg:?}"),
    }
}

/// AAPCS64 integer argument registers, in order (the vmctx is `x0`).
pub const ARG_REGS: [u8; 8] = [0, 1, 2, 3, 4, 5, 6, 7];

/// AAPCS64 integer return registers.
pub const RET_REGS: [u8; 2] = [0, 1];

/// Callee-saved registers the allocator may use, in save order.
pub const CALLEE_SAVED: [u8; 10] = [19, 20, 21, 22, 23, 24, 25, 26, 27, 28];

/// Caller-saved registers (clobbered by calls): `x0`–`x17`.
pub const CALLER_SAVED: [u8; 18] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];

/// The register regalloc2 keeps for breaking move cycles (never allocated).
pub const SCRATCH: u8 = 16;

/// The register emission uses for large offsets (never allocated).
pub const EMIT_SCRATCH: u8 = 17;

/// The set of caller-saved registers.
pub fn caller_saved_set() -> PRegSet {
    CALLER_SAVED.into_iter().map(xreg_preg).collect()
}

/// The allocator's view of the machine: `x0`–`x15` preferred, `x19`–`x28`
/// when those run out (they cost a save in the prologue).
pub fn machine_env() -> regalloc2::MachineEnv {
    let preferred: PRegSet = (0u8..16).map(xreg_preg).collect();
    let non_preferred: PRegSet = CALLEE_SAVED.into_iter().map(xreg_preg).collect();
    regalloc2::MachineEnv {
        preferred_regs_by_class: [preferred, PRegSet::empty(), PRegSet::empty()],
        non_preferred_regs_by_class: [non_preferred, PRegSet::empty(), PRegSet::empty()],
        scratch_by_class: [Some(xreg_preg(SCRATCH)), None, None],
        fixed_stack_slots: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_registers_are_not_allocatable() {
        let env = machine_env();
        let allocatable: Vec<usize> = env.preferred_regs_by_class[0]
            .into_iter()
            .chain(env.non_preferred_regs_by_class[0])
            .map(|p| p.hw_enc())
            .collect();
        for reserved in [16, 17, 18, 29, 30, 31] {
            assert!(!allocatable.contains(&reserved), "x{reserved} must not be allocatable");
        }
        assert_eq!(allocatable.len(), 26);
    }
}
