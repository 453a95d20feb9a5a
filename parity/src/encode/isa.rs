//! The two encoder oracles behind one interface, and the judgement of one
//! instance.
//!
//! Part of the encoder sweep ([`crate::encode`]): the sweep is generic over
//! [`IsaOracle`], implemented by [`X64`] (`oracle::x64`, iced-x86) and
//! [`Aarch64`] (`oracle::aarch64`, yaxpeax-arm); [`judge_bytes`] is the one
//! function that turns an instance (and its bytes) into a [`Judgement`].

use oracle::{Checked, Mismatch, SecondOpinion};
use std::fmt::Debug;

/// One ISA's encoder oracle, as the sweep uses it.
pub trait IsaOracle {
    /// An instruction and its setting.
    type Case: Debug;
    /// The ISA's name in reports (`x86_64`, `aarch64`).
    const NAME: &'static str;
    /// Every encoding form.
    fn all_forms() -> Vec<String>;
    /// An arbitrary instance.
    fn arbitrary_case(u: &mut arbitrary::Unstructured) -> arbitrary::Result<Self::Case>;
    /// Writes the forms `case` exercises into `keys` (cleared first).
    fn form_keys_into(case: &Self::Case, keys: &mut oracle::FormKeys);
    /// Emits `case` (or takes `bytes` instead) and checks it, without the
    /// decoder's text of a pass.
    fn check(case: &Self::Case, bytes: Option<&[u8]>) -> Result<Checked, Mismatch>;
    /// Capstone's reading of the code compared with the primary decoder's.
    fn second_opinion(checked: &Checked) -> SecondOpinion;
    /// Our bytes compared with real Cranelift's encoding of the same
    /// instruction.
    fn cranelift(case: &Self::Case, ours: &[u8]) -> oracle::cranelift::Parity;
    /// The Cranelift instruction `case` translates to, named as
    /// `oracle::cranelift::coverage` names them (`None`: no counterpart).
    fn cranelift_instruction(case: &Self::Case) -> Option<String>;
}

/// x86-64: `oracle::x64`.
pub struct X64;

/// AArch64: `oracle::aarch64`.
pub struct Aarch64;

impl IsaOracle for X64 {
    type Case = oracle::x64::Case;
    const NAME: &'static str = "x86_64";

    fn all_forms() -> Vec<String> {
        oracle::x64::all_forms()
    }

    fn arbitrary_case(u: &mut arbitrary::Unstructured) -> arbitrary::Result<Self::Case> {
        oracle::x64::arbitrary_case(u)
    }

    fn form_keys_into(case: &Self::Case, keys: &mut oracle::FormKeys) {
        oracle::x64::form_keys_into(case, keys);
    }

    fn check(case: &Self::Case, bytes: Option<&[u8]>) -> Result<Checked, Mismatch> {
        match bytes {
            None => oracle::x64::check_case_quick(case),
            Some(bytes) => oracle::x64::check_bytes_quick(case, bytes),
        }
    }

    fn second_opinion(checked: &Checked) -> SecondOpinion {
        oracle::x64::second_opinion(checked)
    }

    fn cranelift(case: &Self::Case, ours: &[u8]) -> oracle::cranelift::Parity {
        oracle::cranelift::x64::compare_bytes(case, ours)
    }

    fn cranelift_instruction(case: &Self::Case) -> Option<String> {
        oracle::cranelift::coverage::x64_instruction(case)
    }
}

impl IsaOracle for Aarch64 {
    type Case = oracle::aarch64::Case;
    const NAME: &'static str = "aarch64";

    fn all_forms() -> Vec<String> {
        oracle::aarch64::all_forms()
    }

    fn arbitrary_case(u: &mut arbitrary::Unstructured) -> arbitrary::Result<Self::Case> {
        oracle::aarch64::arbitrary_case(u)
    }

    fn form_keys_into(case: &Self::Case, keys: &mut oracle::FormKeys) {
        oracle::aarch64::form_keys_into(case, keys);
    }

    fn check(case: &Self::Case, bytes: Option<&[u8]>) -> Result<Checked, Mismatch> {
        match bytes {
            None => oracle::aarch64::check_case_quick(case),
            Some(bytes) => oracle::aarch64::check_bytes_quick(case, bytes),
        }
    }

    fn second_opinion(checked: &Checked) -> SecondOpinion {
        oracle::aarch64::second_opinion(checked)
    }

    fn cranelift(case: &Self::Case, ours: &[u8]) -> oracle::cranelift::Parity {
        oracle::cranelift::aarch64::compare_bytes(case, ours)
    }

    fn cranelift_instruction(case: &Self::Case) -> Option<String> {
        oracle::cranelift::coverage::aarch64_instruction(case)
    }
}

/// What the sweep concludes about one instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// The encoding is right; with the second decoder's opinion if asked.
    Pass { instructions: usize, second: Option<SecondOpinion> },
    /// The encoding is wrong: a defect of ours.
    Defect(Mismatch),
    /// The primary decoder cannot read the bytes: neither pass nor defect.
    DecoderUnsupported(Mismatch),
}

/// Judges `case` as the sweep does: its emitted bytes, or `bytes` instead
/// (a mutated or foreign encoding), checked by the oracle, and read again
/// by capstone when `second_decoder`.
pub fn judge_bytes<O: IsaOracle>(case: &O::Case, bytes: Option<&[u8]>, second_decoder: bool) -> Judgement {
    judge::<O>(O::check(case, bytes), second_decoder)
}

/// The judgement of a check's result (see [`judge_bytes`]).
pub fn judge<O: IsaOracle>(checked: Result<Checked, Mismatch>, second_decoder: bool) -> Judgement {
    match checked {
        Ok(checked) => Judgement::Pass {
            instructions: checked.instructions,
            second: second_decoder.then(|| O::second_opinion(&checked)),
        },
        Err(mismatch) if mismatch.is_wrong_encoding() => Judgement::Defect(mismatch),
        Err(mismatch) => Judgement::DecoderUnsupported(mismatch),
    }
}
