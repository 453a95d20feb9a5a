//! Tests of the encoder sweep (`parity::encode`, behind `parity encode`):
//! a small sweep of both ISAs finds no defect and covers every form, and a
//! broken encoding is caught by the function the sweep judges bytes with.

use parity::encode::{self, Aarch64, IsaOracle, Judgement, Options, X64, judge_bytes};

fn small_sweep<O: IsaOracle>(second_decoder: bool) -> encode::IsaSummary {
    let mut options = Options::new(20, 7);
    options.second_decoder = second_decoder;
    options.cranelift = true;
    options.jobs = 2;
    encode::run_isa::<O>(&options, &|_| {})
}

fn assert_clean(summary: &encode::IsaSummary) {
    assert_eq!(summary.defects, 0, "{}", summary.to_text(5));
    assert_eq!(summary.forms_covered, summary.forms_total, "{}", summary.to_text(5));
    assert_eq!(summary.forms_complete, summary.forms_total, "{}", summary.to_text(5));
    assert!(summary.min_instances_per_form >= 20);
    assert_eq!(summary.forms.len(), summary.forms_total);
    assert!(summary.instances > 0 && summary.machine_instructions >= summary.instances / 2);
    let json = encode::EncodeReport { isas: vec![summary.clone()] }.to_json();
    let back: encode::EncodeReport = serde_json::from_str(&json).expect("the report reads back");
    assert_eq!(back.isas[0].instances, summary.instances);
}

#[test]
fn x86_64_sweep_has_no_defects_and_covers_every_form() {
    let summary = small_sweep::<X64>(true);
    assert_clean(&summary);
    let second = summary.second.as_ref().expect("the second decoder ran");
    assert_eq!(second.agree + second.disagree + second.unsupported, summary.instances);
    assert!(second.agree * 100 >= summary.instances * 99, "{}", summary.to_text(5));
}

#[test]
fn aarch64_sweep_has_no_defects_and_covers_every_form() {
    let summary = small_sweep::<Aarch64>(true);
    assert_clean(&summary);
    let second = summary.second.as_ref().expect("the second decoder ran");
    assert!(second.agree * 100 >= summary.instances * 99, "{}", summary.to_text(5));
    // What disagrees is yaxpeax's known `uxtw` deviation.
    assert!(second.by_field.keys().all(|field| field == "shift/extend"), "{:?}", second.by_field);
}

/// Cranelift parity ran on every instance, found no different meaning,
/// and gave every equivalent encoding a reason.
fn assert_cranelift_parity(summary: &encode::IsaSummary, min_identical_forms: usize) {
    let cranelift = summary.cranelift.as_ref().expect("Cranelift parity ran");
    assert_eq!(cranelift.different, 0, "{}", summary.to_text(5));
    let total = cranelift.identical + cranelift.equivalent + cranelift.different + cranelift.no_counterpart;
    assert_eq!(total, summary.instances);
    assert_eq!(cranelift.equivalent, cranelift.equivalent_reasons.values().sum::<u64>());
    assert!(!cranelift.equivalent_reasons.contains_key(oracle::cranelift::UNEXPLAINED));
    let identical = summary.forms.iter().filter(|row| row.cranelift_class() == Some("identical")).count();
    assert!(identical >= min_identical_forms, "{identical} identical forms\n{}", summary.to_text(5));
    assert!(summary.forms.iter().all(|row| row.cranelift_class().is_some()));
}

#[test]
fn cranelift_parity_of_both_isas() {
    // Measured: 289 x86-64 forms and 317 AArch64 forms encode identically.
    assert_cranelift_parity(&small_sweep::<X64>(false), 250);
    assert_cranelift_parity(&small_sweep::<Aarch64>(false), 300);
}

/// The sweep is the same for any number of threads.
#[test]
fn sweep_is_deterministic_across_jobs() {
    let mut options = Options::new(3, 11);
    options.chunk_size = 1024;
    let one = encode::run_isa::<X64>(&options, &|_| {});
    options.jobs = 3;
    let three = encode::run_isa::<X64>(&options, &|_| {});
    assert_eq!(one.instances, three.instances);
    assert_eq!(one.forms, three.forms);
}

/// A cap below what coverage needs stops the sweep and reports the forms
/// that fell short.
#[test]
fn capped_sweep_reports_short_forms() {
    let mut options = Options::new(50, 1);
    options.max_instances = 4096;
    let summary = encode::run_isa::<Aarch64>(&options, &|_| {});
    assert_eq!(summary.instances, 4096);
    assert!(!summary.short_forms.is_empty());
    assert_eq!(summary.forms_complete + summary.short_forms.len(), summary.forms_total);
}

/// The offset of the first REX prefix of `code`, if any (after the legacy
/// prefixes `66`, `F2`, `F3`), for single-instruction code.
fn rex_offset(code: &[u8]) -> Option<usize> {
    let prefixes = code.iter().take_while(|b| matches!(b, 0x66 | 0xF2 | 0xF3)).count();
    code.get(prefixes).filter(|&&b| b & 0xF0 == 0x40).map(|_| prefixes)
}

/// Flipping REX.B of a correct encoding (of an instruction whose B bit
/// extends a register) is judged a defect by the sweep's judgement.
#[test]
fn flipped_rex_b_is_a_defect_in_the_sweep() {
    let mut caught = 0;
    for index in 0..4096 {
        let case = encode::replay::<X64>(3, 0, index);
        let oracle::x64::Case { inst, .. } = &case;
        // `mov r/m, r` puts its destination in ModRM.rm, extended by REX.B.
        if !matches!(inst, compiler::isa::x64::inst::Inst::MovRR { .. }) {
            continue;
        }
        let checked = oracle::x64::check_case(&case).expect("a generated instance checks");
        let Some(at) = rex_offset(&checked.bytes) else { continue };
        let mut mutated = checked.bytes.clone();
        mutated[at] ^= 0x01;
        match judge_bytes::<X64>(&case, Some(&mutated), false) {
            Judgement::Defect(mismatch) => {
                assert!(mismatch.is_wrong_encoding());
                caught += 1;
            }
            other => panic!("{case:?} with REX.B flipped ({mutated:02x?}): {other:?}"),
        }
        assert!(matches!(judge_bytes::<X64>(&case, None, true), Judgement::Pass { .. }));
    }
    assert!(caught >= 10, "only {caught} mutated instances tried");
}

/// `replay` rebuilds the instance a sweep checked.
#[test]
fn replay_rebuilds_instances() {
    let a = encode::replay::<Aarch64>(5, 2, 17);
    let b = encode::replay::<Aarch64>(5, 2, 17);
    assert_eq!(a, b);
    assert_ne!(a, encode::replay::<Aarch64>(5, 2, 18));
}
