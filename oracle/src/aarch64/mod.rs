//! The AArch64 encoder oracle: checks that what `isa::aarch64::inst::emit`
//! produces is what each instruction means, as read back by yaxpeax-arm.
//!
//! Part of the oracles, after the compiler's last step (`Inst::emit` into a
//! `MachBuffer`):
//!
//! ```text
//! bytes ─generate─▶ Case (Inst + frame + labels) ─check─▶ Checked | Mismatch
//!                     │                               ▲
//!                     └─forms: which encoding forms ──┘ (coverage)
//! ```
//!
//! - [`check`] / [`check_case`]: emit one instruction, decode its words,
//!   compare the decoded fields with [`derive`] (the meaning, from the
//!   instruction's fields), plus trap sites, relocations and jump tables;
//!   [`check_bytes`] judges given bytes instead;
//! - [`form_keys`] / [`all_forms`]: every encoding form the emitter has;
//! - [`arbitrary_case`] / [`arbitrary_inst`]: instances of every form;
//! - [`check_fuzz_input`]: the fuzz target's and the harness's entry point.
//!
//! The tests (`tests/`) hold the row table: instructions with the words
//! (cross-checked with GNU `as`/`objdump`) and the text yaxpeax-arm must
//! print for them.

mod check;
pub mod derive;
mod forms;
mod generate;
mod lift;
mod second;
#[cfg(test)]
mod tests;

pub use check::{Case, check, check_bytes, check_bytes_quick, check_case, check_case_quick, labels_in};
pub use forms::{all_forms, form_keys, form_keys_into};
pub use generate::{Variant, arbitrary_case, arbitrary_inst, generate, variant_of};
pub use lift::lift;
pub use second::{second_opinion, second_opinion_of};

/// Most instructions one fuzz input is turned into.
const MAX_FUZZ_INSTRUCTIONS: usize = 256;

/// Builds instructions from `data` with [`arbitrary_case`] until it runs
/// out (or after 256), checks each, and returns the first mismatch's
/// report. Running out of data is not an error.
pub fn check_fuzz_input(data: &[u8]) -> Result<(), String> {
    let mut u = arbitrary::Unstructured::new(data);
    for _ in 0..MAX_FUZZ_INSTRUCTIONS {
        if u.is_empty() {
            break;
        }
        let Ok(case) = arbitrary_case(&mut u) else { break };
        check_case(&case).map_err(|mismatch| mismatch.to_string())?;
    }
    Ok(())
}
