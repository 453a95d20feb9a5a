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
//! - `x29` (frame pointer), `x30` (link register), 31 (`sp`/`xzr`);
//! - `v31`: regalloc2's float scratch register.
//!
//! Float registers `v0`–`v31` (class `Float`) are used as scalars, `s` (f32)
//! or `d` (f64) views; moves and spills always copy the low 64 bits.

use crate::machinst::reg::{Reg, Writable};
use regalloc2::{PReg, PRegSet, RegClass};

/// The physical register with number `enc`.
pub fn xreg_preg(enc: u8) -> PReg {
    assert!(enc < 32, "x{enc} does not exist");
    PReg::new(enc as usize, RegClass::Int)
}

/// The float register `v{enc}`.
pub fn vreg_preg(enc: u8) -> PReg {
    assert!(enc < 32, "v{enc} does not exist");
    PReg::new(enc as usize, RegClass::Float)
}

/// Float register `v{enc}` (used as `s{enc}`/`d{enc}`).
pub fn vreg(enc: u8) -> Reg {
    Reg::from_preg(vreg_preg(enc))
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

/// AAPCS64 float argument registers, in order.
pub const FLOAT_ARG_REGS: [u8; 8] = [0, 1, 2, 3, 4, 5, 6, 7];

/// AAPCS64 float return registers.
pub const FLOAT_RET_REGS: [u8; 2] = [0, 1];

/// Float registers whose low 64 bits (`d8`–`d15`) are callee-saved, in save
/// order.
pub const FLOAT_CALLEE_SAVED: [u8; 8] = [8, 9, 10, 11, 12, 13, 14, 15];

/// The float register regalloc2 keeps for breaking move cycles.
pub const FLOAT_SCRATCH: u8 = 31;

/// The caller-saved float registers the allocator may use: `v0`–`v7`,
/// `v16`–`v30`.
fn float_caller_saved() -> impl Iterator<Item = u8> {
    (0u8..8).chain(16..31)
}

/// The set of caller-saved registers (integer and float; the scratch
/// registers too, since calls may write them).
pub fn caller_saved_set() -> PRegSet {
    let mut set: PRegSet = CALLER_SAVED.into_iter().map(xreg_preg).collect();
    for enc in float_caller_saved().chain([FLOAT_SCRATCH]) {
        set.add(vreg_preg(enc));
    }
    set
}

/// The allocator's view of the machine: `x0`–`x15` and the caller-saved
/// float registers preferred, `x19`–`x28` and `d8`–`d15` when those run out
/// (they cost a save in the prologue).
pub fn machine_env() -> regalloc2::MachineEnv {
    let preferred: PRegSet = (0u8..16).map(xreg_preg).collect();
    let non_preferred: PRegSet = CALLEE_SAVED.into_iter().map(xreg_preg).collect();
    let float_preferred: PRegSet = float_caller_saved().map(vreg_preg).collect();
    let float_non_preferred: PRegSet = FLOAT_CALLEE_SAVED.into_iter().map(vreg_preg).collect();
    regalloc2::MachineEnv {
        preferred_regs_by_class: [preferred, float_preferred, PRegSet::empty()],
        non_preferred_regs_by_class: [non_preferred, float_non_preferred, PRegSet::empty()],
        scratch_by_class: [Some(xreg_preg(SCRATCH)), Some(vreg_preg(FLOAT_SCRATCH)), None],
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
        let floats: Vec<usize> = env.preferred_regs_by_class[1]
            .into_iter()
            .chain(env.non_preferred_regs_by_class[1])
            .map(|p| p.hw_enc())
            .collect();
        assert_eq!(floats.len(), 31);
        assert!(!floats.contains(&(FLOAT_SCRATCH as usize)), "the float scratch must not be allocatable");
    }
}
