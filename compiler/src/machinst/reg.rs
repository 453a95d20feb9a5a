//! Registers as the back end sees them: virtual until register allocation,
//! physical after.
//!
//! Part of `machinst/`, shared by every ISA. A [`Reg`] wraps a regalloc2
//! `VReg`; the first [`PINNED_VREGS`] indices stand for physical registers
//! (so an instruction can name `rsp` or `x29` directly), the rest are
//! virtual. Every register an instruction writes is a [`Writable`].
//!
//! Instructions describe their registers once, in `get_operands`, to an
//! [`OperandVisitor`]: before allocation the visitor collects regalloc2
//! operands ([`OperandCollector`]); after allocation another visitor
//! rewrites every register to its assigned physical register
//! ([`AllocationConsumer`]), so the two can never disagree.

use regalloc2::{Allocation, Operand, OperandConstraint, OperandKind, OperandPos, PReg, RegClass, VReg};
use std::fmt;

/// Virtual register indices below this stand for physical registers.
pub const PINNED_VREGS: usize = 192;

/// A register: virtual (before allocation) or physical.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(VReg);

impl Reg {
    /// The register standing for physical register `preg`.
    pub fn from_preg(preg: PReg) -> Reg {
        Reg(VReg::new(preg.index(), preg.class()))
    }

    /// A virtual register.
    pub fn from_vreg(vreg: VReg) -> Reg {
        debug_assert!(vreg.vreg() >= PINNED_VREGS);
        Reg(vreg)
    }

    /// The underlying regalloc2 vreg.
    pub fn to_vreg(self) -> VReg {
        self.0
    }

    /// The physical register, if this is one.
    pub fn to_preg(self) -> Option<PReg> {
        (self.0.vreg() < PINNED_VREGS).then(|| PReg::from_index(self.0.vreg()))
    }

    /// Whether this is a virtual register.
    pub fn is_virtual(self) -> bool {
        self.0.vreg() >= PINNED_VREGS
    }

    /// The register class.
    pub fn class(self) -> RegClass {
        self.0.class()
    }

    /// The hardware encoding of a physical register.
    ///
    /// Invariant: only called after register allocation.
    pub fn hw_enc(self) -> u8 {
        self.to_preg().unwrap_or_else(|| panic!("hw_enc of virtual register {self:?}")).hw_enc() as u8
    }
}

impl fmt::Debug for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_preg() {
            Some(p) => write!(f, "{p}"),
            None => write!(f, "%v{}", self.0.vreg() - PINNED_VREGS),
        }
    }
}

/// A register an instruction writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Writable<T>(T);

impl<T: Copy> Writable<T> {
    /// Marks `reg` as written.
    pub fn from_reg(reg: T) -> Self {
        Writable(reg)
    }

    /// The register read back.
    pub fn to_reg(self) -> T {
        self.0
    }

    /// Mutable access to the register (for allocation rewriting).
    pub fn reg_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// Receives every register operand of an instruction, in a fixed order.
pub trait OperandVisitor {
    /// A read at the start of the instruction.
    fn reg_use(&mut self, reg: &mut Reg);
    /// A read that must stay live until the end (not shared with a def).
    fn reg_late_use(&mut self, reg: &mut Reg);
    /// A write at the end of the instruction.
    fn reg_def(&mut self, reg: &mut Writable<Reg>);
    /// A write at the start: its register differs from every use.
    fn reg_early_def(&mut self, reg: &mut Writable<Reg>);
    /// A write that must reuse the register of use operand `index`.
    fn reg_reuse_def(&mut self, reg: &mut Writable<Reg>, index: usize);
    /// A read constrained to physical register `preg`.
    fn reg_fixed_use(&mut self, reg: &mut Reg, preg: PReg);
    /// A write constrained to physical register `preg`.
    fn reg_fixed_def(&mut self, reg: &mut Writable<Reg>, preg: PReg);
    /// A physical register that is not allocatable (stack or frame pointer).
    fn reg_fixed_nonallocatable(&mut self, preg: PReg);
}

/// Collects regalloc2 operands.
#[derive(Default)]
pub struct OperandCollector {
    /// The operands collected so far.
    pub operands: Vec<Operand>,
}

impl OperandCollector {
    fn add(&mut self, reg: Reg, make: impl FnOnce(VReg) -> Operand) {
        match reg.to_preg() {
            Some(preg) => self.operands.push(Operand::fixed_nonallocatable(preg)),
            None => self.operands.push(make(reg.to_vreg())),
        }
    }
}

impl OperandVisitor for OperandCollector {
    fn reg_use(&mut self, reg: &mut Reg) {
        self.add(*reg, Operand::reg_use);
    }
    fn reg_late_use(&mut self, reg: &mut Reg) {
        self.add(*reg, Operand::reg_use_at_end);
    }
    fn reg_def(&mut self, reg: &mut Writable<Reg>) {
        self.add(reg.to_reg(), Operand::reg_def);
    }
    fn reg_early_def(&mut self, reg: &mut Writable<Reg>) {
        self.add(reg.to_reg(), Operand::reg_def_at_start);
    }
    fn reg_reuse_def(&mut self, reg: &mut Writable<Reg>, index: usize) {
        self.add(reg.to_reg(), |v| Operand::reg_reuse_def(v, index));
    }
    fn reg_fixed_use(&mut self, reg: &mut Reg, preg: PReg) {
        self.add(*reg, |v| Operand::reg_fixed_use(v, preg));
    }
    fn reg_fixed_def(&mut self, reg: &mut Writable<Reg>, preg: PReg) {
        self.add(reg.to_reg(), |v| Operand::reg_fixed_def(v, preg));
    }
    fn reg_fixed_nonallocatable(&mut self, preg: PReg) {
        self.operands.push(Operand::fixed_nonallocatable(preg));
    }
}

/// Rewrites every register to the physical register regalloc2 assigned.
pub struct AllocationConsumer<'a> {
    allocations: std::slice::Iter<'a, Allocation>,
}

impl<'a> AllocationConsumer<'a> {
    /// Consumes `allocations` in operand order.
    pub fn new(allocations: &'a [Allocation]) -> Self {
        Self { allocations: allocations.iter() }
    }

    fn next(&mut self, reg: &mut Reg) {
        let allocation = self.allocations.next().expect("fewer allocations than operands");
        // Invariant: operands are register-constrained, so allocations are
        // registers (spill-slot allocations appear only in edits).
        let preg = allocation.as_reg().expect("operand allocated to a stack slot");
        *reg = Reg::from_preg(preg);
    }
}

impl OperandVisitor for AllocationConsumer<'_> {
    fn reg_use(&mut self, reg: &mut Reg) {
        self.next(reg);
    }
    fn reg_late_use(&mut self, reg: &mut Reg) {
        self.next(reg);
    }
    fn reg_def(&mut self, reg: &mut Writable<Reg>) {
        self.next(reg.reg_mut());
    }
    fn reg_early_def(&mut self, reg: &mut Writable<Reg>) {
        self.next(reg.reg_mut());
    }
    fn reg_reuse_def(&mut self, reg: &mut Writable<Reg>, _index: usize) {
        self.next(reg.reg_mut());
    }
    fn reg_fixed_use(&mut self, reg: &mut Reg, _preg: PReg) {
        self.next(reg);
    }
    fn reg_fixed_def(&mut self, reg: &mut Writable<Reg>, _preg: PReg) {
        self.next(reg.reg_mut());
    }
    fn reg_fixed_nonallocatable(&mut self, _preg: PReg) {
        self.allocations.next();
    }
}

/// Whether an operand writes its register.
pub fn operand_is_def(operand: &Operand) -> bool {
    operand.kind() == OperandKind::Def
}

/// Whether an operand is a late use or an early def (kept for checks).
pub fn operand_constraint_is_fixed(operand: &Operand) -> Option<PReg> {
    match operand.constraint() {
        OperandConstraint::FixedReg(p) => Some(p),
        _ => None,
    }
    .filter(|_| operand.pos() == OperandPos::Late || operand.pos() == OperandPos::Early)
}
