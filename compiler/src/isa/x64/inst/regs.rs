//! x86-64 registers: hardware encodings, names, and the register sets the
//! System V ABI and the allocator use.
//!
//! Part of `isa/x64/inst/`. Encodings are the 4-bit numbers that go into
//! ModR/M, SIB and REX (`rax` = 0 … `r15` = 15).

use crate::machinst::reg::{Reg, Writable};
use regalloc2::{PReg, PRegSet, RegClass};

macro_rules! gpr {
    ($($name:ident = $enc:literal,)*) => {
        $(
            #[doc = concat!("`", stringify!($name), "`")]
            pub fn $name() -> Reg {
                Reg::from_preg(PReg::new($enc, RegClass::Int))
            }
        )*
    };
}

gpr! {
    rax = 0, rcx = 1, rdx = 2, rbx = 3, rsp = 4, rbp = 5, rsi = 6, rdi = 7,
    r8 = 8, r9 = 9, r10 = 10, r11 = 11, r12 = 12, r13 = 13, r14 = 14, r15 = 15,
}

/// The XMM register with encoding `enc` (0–15).
pub fn xmm(enc: u8) -> Reg {
    Reg::from_preg(xmm_preg(enc))
}

/// The physical XMM register with encoding `enc`.
pub fn xmm_preg(enc: u8) -> PReg {
    PReg::new(enc as usize, RegClass::Float)
}

/// System V float argument registers (`xmm0`–`xmm7`).
pub const ARG_XMMS: [u8; 8] = [0, 1, 2, 3, 4, 5, 6, 7];

/// System V float return registers.
pub const RET_XMMS: [u8; 2] = [0, 1];

/// The XMM register regalloc2 keeps for breaking move cycles.
pub const SCRATCH_XMM: u8 = 15;

/// The physical register with hardware encoding `enc`.
pub fn gpr_preg(enc: u8) -> PReg {
    PReg::new(enc as usize, RegClass::Int)
}

/// The register with encoding `enc`.
pub fn gpr(enc: u8) -> Reg {
    Reg::from_preg(gpr_preg(enc))
}

/// A writable physical register.
pub fn writable(reg: Reg) -> Writable<Reg> {
    Writable::from_reg(reg)
}

const NAMES64: [&str; 16] =
    ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];
const NAMES32: [&str; 16] = [
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d",
    "r15d",
];
const NAMES16: [&str; 16] =
    ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"];
const NAMES8: [&str; 16] =
    ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"];

/// The Intel name of `enc` at `bytes` width (`rax`, `eax`, `ax`, `al`).
pub fn gpr_name(enc: u8, bytes: u8) -> &'static str {
    let enc = (enc & 15) as usize;
    match bytes {
        8 => NAMES64[enc],
        4 => NAMES32[enc],
        2 => NAMES16[enc],
        _ => NAMES8[enc],
    }
}

/// A register's name at a width, for printing (virtual ones print as `%vN`).
pub fn show_reg(reg: Reg, bytes: u8) -> String {
    match reg.to_preg() {
        Some(p) if p.class() == RegClass::Float => format!("xmm{}", p.hw_enc()),
        Some(p) => gpr_name(p.hw_enc() as u8, bytes).to_string(),
        None => format!("{reg:?}"),
    }
}

/// System V integer argument registers, in order.
pub const ARG_REGS: [u8; 6] = [7, 6, 2, 1, 8, 9];

/// System V integer return registers.
pub const RET_REGS: [u8; 2] = [0, 2];

/// Callee-saved registers the allocator may use (`rbp` is the frame
/// pointer and never allocated).
pub const CALLEE_SAVED: [u8; 5] = [3, 12, 13, 14, 15];

/// Caller-saved registers (clobbered by calls).
pub const CALLER_SAVED: [u8; 9] = [0, 1, 2, 6, 7, 8, 9, 10, 11];

/// The register regalloc2 keeps for breaking move cycles (never allocated).
pub const SCRATCH: u8 = 11;

/// The set of caller-saved registers: the caller-saved general-purpose
/// registers and every XMM register (System V preserves none of them).
pub fn caller_saved_set() -> PRegSet {
    let mut set = PRegSet::empty();
    for enc in CALLER_SAVED {
        set.add(gpr_preg(enc));
    }
    for enc in 0..16 {
        set.add(xmm_preg(enc));
    }
    set
}

/// The allocator's view of the machine.
pub fn machine_env() -> regalloc2::MachineEnv {
    let preferred: PRegSet = [0u8, 1, 2, 6, 7, 8, 9, 10].into_iter().map(gpr_preg).collect();
    let non_preferred: PRegSet = CALLEE_SAVED.into_iter().map(gpr_preg).collect();
    let xmms: PRegSet = (0..16).filter(|&e| e != SCRATCH_XMM).map(xmm_preg).collect();
    regalloc2::MachineEnv {
        preferred_regs_by_class: [preferred, xmms, PRegSet::empty()],
        non_preferred_regs_by_class: [non_preferred, PRegSet::empty(), PRegSet::empty()],
        scratch_by_class: [Some(gpr_preg(SCRATCH)), Some(xmm_preg(SCRATCH_XMM)), None],
        fixed_stack_slots: vec![],
    }
}
