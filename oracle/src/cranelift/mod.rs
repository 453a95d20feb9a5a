//! Cranelift parity: the same instruction encoded by our emitter and by real
//! Cranelift, compared byte for byte and, where the bytes differ, by meaning.
//!
//! Part of the oracles, beside the decoder checks (`x64::check`,
//! `aarch64::check`): where those compare our bytes with what an
//! instruction means, this compares them with what Cranelift 0.135.8 (the
//! version wasmtime 48 uses) emits for the same instruction:
//!
//! ```text
//!                ┌─emit (ours)──────────────────────────────────▶ bytes ─┐
//! Case ─────────┤                                                       ├─ equal? ─▶ Identical
//!                └─translate ─▶ Cranelift inst ─Cranelift encode─▶ bytes ┘   │ no
//!                   │ (none: NoCounterpart(why))          decode both with the primary decoder
//!                   ▼                                     same structure? ─▶ Equivalent { reason } | Different
//! ```
//!
//! "Same structure" means the same decoded fields once the reasons table's
//! alternatives are folded (for example `ldr` with a scaled offset and
//! `ldur` with the same address): an equivalence is only claimed when a
//! rule of the table explains it, and that rule's one line is the reason.
//!
//! - x86-64 ([`x64`]): `cranelift-assembler-x64`, with plain `u8` hardware
//!   encodings as registers;
//! - AArch64 ([`aarch64`]): `cranelift_codegen::isa::aarch64::inst::Inst`
//!   emitted into Cranelift's own `MachBuffer`.
//!
//! Pseudo-instructions that expand to several machine instructions, and
//! branch forms whose bytes the `MachBuffer` decides (label resolution,
//! branch simplification), have no single-instruction counterpart and say
//! why. A form's classification aggregates its instances ([`FormParity`]).

pub mod aarch64;
pub mod coverage;
pub mod x64;

/// How our encoding of one instruction compares with Cranelift's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parity {
    /// The same bytes.
    Identical,
    /// Different bytes that the primary decoder reads as the same
    /// instruction: an equivalent encoding choice.
    Equivalent {
        ours: Vec<u8>,
        theirs: Vec<u8>,
        /// Why the encodings differ (one line).
        reason: &'static str,
    },
    /// Different meanings: a defect (ours or a wrong translation).
    Different { ours: Vec<u8>, theirs: Vec<u8>, our_text: String, their_text: String },
    /// Cranelift has no single instruction for this one.
    NoCounterpart(&'static str),
}

impl Parity {
    /// The outcome's name, as reports count it.
    pub fn kind(&self) -> ParityKind {
        match self {
            Parity::Identical => ParityKind::Identical,
            Parity::Equivalent { .. } => ParityKind::Equivalent,
            Parity::Different { .. } => ParityKind::Different,
            Parity::NoCounterpart(_) => ParityKind::NoCounterpart,
        }
    }
}

/// The four outcomes, without their data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParityKind {
    Identical,
    Equivalent,
    Different,
    NoCounterpart,
}

/// The classification of a form over all its instances: `Different` if
/// any instance differs in meaning, else `Equivalent` if any has other
/// bytes, else `Identical` if any has a counterpart (all of those then
/// identical), else `NoCounterpart`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormParity {
    pub identical: u64,
    pub equivalent: u64,
    pub different: u64,
    pub no_counterpart: u64,
}

impl FormParity {
    /// Counts one instance.
    pub fn record(&mut self, kind: ParityKind) {
        match kind {
            ParityKind::Identical => self.identical += 1,
            ParityKind::Equivalent => self.equivalent += 1,
            ParityKind::Different => self.different += 1,
            ParityKind::NoCounterpart => self.no_counterpart += 1,
        }
    }

    /// The form's classification (`None` without instances).
    pub fn class(&self) -> Option<ParityKind> {
        if self.different > 0 {
            Some(ParityKind::Different)
        } else if self.equivalent > 0 {
            Some(ParityKind::Equivalent)
        } else if self.identical > 0 {
            Some(ParityKind::Identical)
        } else if self.no_counterpart > 0 {
            Some(ParityKind::NoCounterpart)
        } else {
            None
        }
    }
}

/// Our code bytes from a check's result: what was emitted, whether or not
/// the oracle accepted it (a mismatch still carries the bytes).
pub fn code_bytes(checked: &Result<crate::Checked, crate::Mismatch>) -> Vec<u8> {
    match checked {
        Ok(checked) => checked.bytes[..checked.code_len].to_vec(),
        Err(mismatch) => mismatch.bytes.split_whitespace().filter_map(|b| u8::from_str_radix(b, 16).ok()).collect(),
    }
}

/// The reason given when two encodings decode to the same structure but no
/// rule of the reasons table explains why the bytes differ. Tests assert
/// that it never occurs.
pub const UNEXPLAINED: &str = "same decoded instruction, different bytes (no rule of the reasons table applies)";

#[cfg(test)]
mod tests;
