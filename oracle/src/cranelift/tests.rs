//! Tests of the Cranelift parity oracle: generated instances of every form
//! compared with Cranelift's encoding, each form's class pinned by name in
//! a golden list per ISA (`golden/{x64,aarch64}.txt`), no defect and every
//! equivalence explained; a mutation of an identical encoding is flagged.
//!
//! The golden lists rewrite themselves under `BLESS=1` (`BLESS=1 cargo test
//! -p oracle --lib cranelift`); a mismatch prints the changed lines.

use super::{FormParity, Parity, ParityKind, UNEXPLAINED};
use crate::common::Xorshift;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Instances a form is compared on at most: an instance is compared only
/// while one of its forms has fewer.
const PER_FORM: u64 = 100;
/// Instances generated at most (most are skipped once their forms are full).
const ATTEMPTS: usize = 200_000;

/// Every form's outcomes and the reasons its instances gave.
#[derive(Default)]
struct FormRecord {
    parity: FormParity,
    equivalent: BTreeSet<&'static str>,
    no_counterpart: BTreeSet<&'static str>,
}

impl FormRecord {
    /// The form's line in the golden list: its class, and for equivalent
    /// or counterpart-less forms the reasons (sorted, `; `-separated).
    fn class(&self) -> String {
        let join = |reasons: &BTreeSet<&str>| reasons.iter().copied().collect::<Vec<_>>().join("; ");
        match self.parity.class() {
            Some(ParityKind::Identical) => "identical".into(),
            Some(ParityKind::Equivalent) => format!("equivalent: {}", join(&self.equivalent)),
            Some(ParityKind::Different) => "DIFFERENT".into(),
            Some(ParityKind::NoCounterpart) => format!("no-counterpart: {}", join(&self.no_counterpart)),
            None => "no instance".into(),
        }
    }
}

struct Sweep {
    forms: BTreeMap<String, FormRecord>,
    different: Vec<String>,
}

fn sweep<C: std::fmt::Debug>(
    seed: u64,
    arbitrary: impl Fn(&mut arbitrary::Unstructured) -> arbitrary::Result<C>,
    keys: impl Fn(&C) -> Vec<String>,
    compare: impl Fn(&C) -> Parity,
) -> Sweep {
    let mut rng = Xorshift(seed);
    let mut buffer = [0u8; 128];
    let mut out = Sweep { forms: BTreeMap::new(), different: vec![] };
    let counted = |forms: &BTreeMap<String, FormRecord>, key: &String| {
        forms.get(key).map_or(0, |r| {
            let p = &r.parity;
            p.identical + p.equivalent + p.different + p.no_counterpart
        })
    };
    for _ in 0..ATTEMPTS {
        rng.fill(&mut buffer);
        let Ok(case) = arbitrary(&mut arbitrary::Unstructured::new(&buffer)) else { continue };
        let keys = keys(&case);
        if keys.iter().all(|key| counted(&out.forms, key) >= PER_FORM) {
            continue;
        }
        let parity = compare(&case);
        if let Parity::Different { ours, theirs, our_text, their_text } = &parity
            && out.different.len() < 20
        {
            out.different
                .push(format!("{case:?}: ours {ours:02x?} `{our_text}`, Cranelift {theirs:02x?} `{their_text}`"));
        }
        for key in keys {
            let record = out.forms.entry(key).or_default();
            record.parity.record(parity.kind());
            match &parity {
                Parity::Equivalent { reason, .. } => {
                    record.equivalent.insert(reason);
                }
                Parity::NoCounterpart(why) => {
                    record.no_counterpart.insert(why);
                }
                _ => {}
            }
        }
    }
    out
}

/// The golden list's text: one `form: class` line per form, in name order.
fn golden_text(isa: &str, sweep: &Sweep, all_forms: &[String]) -> String {
    let mut names: BTreeSet<&str> = all_forms.iter().map(String::as_str).collect();
    names.extend(sweep.forms.keys().map(String::as_str));
    let mut out = format!(
        "# Cranelift parity of every {isa} form, as `oracle::cranelift` classifies it over at most {PER_FORM} \
         generated instances per form.\n# Rewritten by `BLESS=1 cargo test -p oracle --lib cranelift`.\n"
    );
    for name in names {
        let class = sweep.forms.get(name).map_or_else(|| "no instance".into(), FormRecord::class);
        out += &format!("{name}: {class}\n");
    }
    out
}

/// The lines of `expected` and `actual` that differ, by form name.
fn line_diff(expected: &str, actual: &str) -> String {
    let lines = |text: &str| -> BTreeMap<String, String> {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(": ").map(|(k, v)| (k.to_string(), v.to_string())))
            .collect()
    };
    let (old, new) = (lines(expected), lines(actual));
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = String::new();
    for name in names {
        match (old.get(name), new.get(name)) {
            (Some(a), Some(b)) if a == b => {}
            (a, b) => {
                if let Some(a) = a {
                    out += &format!("- {name}: {a}\n");
                }
                if let Some(b) = b {
                    out += &format!("+ {name}: {b}\n");
                }
            }
        }
    }
    out
}

fn golden_path(isa: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/cranelift/golden").join(format!("{isa}.txt"))
}

/// Checks a sweep: no defect, no unexplained equivalence, every form has an
/// instance, and the classes match the golden list (rewritten under
/// `BLESS=1`).
fn assert_sweep(isa: &str, sweep: &Sweep, all_forms: &[String]) {
    assert!(sweep.different.is_empty(), "{isa}: encodings that differ in meaning:\n{:#?}", sweep.different);
    for (form, record) in &sweep.forms {
        assert!(!record.equivalent.contains(UNEXPLAINED), "{isa}: {form} has an unexplained equivalence");
    }
    let missing: Vec<&String> = all_forms.iter().filter(|f| !sweep.forms.contains_key(*f)).collect();
    assert!(missing.is_empty(), "{isa}: forms without an instance: {missing:?}");
    let actual = golden_text(isa, sweep, all_forms);
    let path = golden_path(isa);
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("golden folder")).expect("create the golden folder");
        std::fs::write(&path, &actual).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{isa}: Cranelift parity classes differ from {} (BLESS=1 rewrites it):\n{}",
        path.display(),
        line_diff(&expected, &actual)
    );
}

/// The number of forms of each class in a golden text.
fn class_counts(text: &str) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let class = line.split_once(": ").map_or("", |(_, v)| v.split(':').next().unwrap_or(v));
        *counts.entry(class).or_default() += 1;
    }
    counts
}

#[test]
fn x64_parity_matches_the_golden_list() {
    let s = sweep(1, crate::x64::arbitrary_case, crate::x64::form_keys, super::x64::compare);
    let all = crate::x64::all_forms();
    assert_sweep("x64", &s, &all);
    println!("x64: {:?}", class_counts(&golden_text("x64", &s, &all)));
}

#[test]
fn aarch64_parity_matches_the_golden_list() {
    let s = sweep(1, crate::aarch64::arbitrary_case, crate::aarch64::form_keys, super::aarch64::compare);
    let all = crate::aarch64::all_forms();
    assert_sweep("aarch64", &s, &all);
    println!("aarch64: {:?}", class_counts(&golden_text("aarch64", &s, &all)));
}

#[test]
fn golden_diff_names_the_changed_forms() {
    let old = "# header\nA: identical\nB: no-counterpart: why\nC: identical\n";
    let new = "# header\nA: identical\nB: identical\nD: identical\n";
    assert_eq!(line_diff(old, new), "- B: no-counterpart: why\n+ B: identical\n- C: identical\n+ D: identical\n");
    assert_eq!(class_counts(new), BTreeMap::from([("identical", 3)]));
}

/// Flipping any one bit of an identical encoding is never judged identical,
/// and most flips are judged different in meaning.
#[test]
fn flipped_bit_of_an_identical_encoding_is_flagged() {
    let mut rng = Xorshift(5);
    let mut buffer = [0u8; 128];
    let (mut tried, mut different) = (0, 0);
    while tried < 200 {
        rng.fill(&mut buffer);
        let Ok(case) = crate::x64::arbitrary_case(&mut arbitrary::Unstructured::new(&buffer)) else { continue };
        if super::x64::compare(&case) != Parity::Identical {
            continue;
        }
        let mut ours = super::x64::encode_ours(&case);
        let bit = (rng.next() % (ours.len() as u64 * 8)) as usize;
        ours[bit / 8] ^= 1 << (bit % 8);
        let parity = super::x64::compare_bytes(&case, &ours);
        assert_ne!(parity, Parity::Identical, "{case:?}");
        different += matches!(parity, Parity::Different { .. }) as u32;
        tried += 1;
    }
    assert!(different >= 180, "only {different} of {tried} flips judged different");
}

/// The same for AArch64 words: a flipped bit of an identical word is never
/// identical, and almost always different in meaning (an explained
/// equivalence needs the flip to land on exactly one alternative form).
#[test]
fn flipped_bit_of_an_identical_aarch64_word_is_flagged() {
    let mut rng = Xorshift(7);
    let mut buffer = [0u8; 128];
    let (mut tried, mut different) = (0, 0);
    while tried < 200 {
        rng.fill(&mut buffer);
        let Ok(case) = crate::aarch64::arbitrary_case(&mut arbitrary::Unstructured::new(&buffer)) else { continue };
        if super::aarch64::compare(&case) != Parity::Identical {
            continue;
        }
        let mut ours = super::aarch64::encode_ours(&case);
        let bit = (rng.next() % (ours.len() as u64 * 8)) as usize;
        ours[bit / 8] ^= 1 << (bit % 8);
        let parity = super::aarch64::compare_bytes(&case, &ours);
        assert_ne!(parity, Parity::Identical, "{case:?}");
        different += matches!(parity, Parity::Different { .. }) as u32;
        tried += 1;
    }
    assert!(different >= 190, "only {different} of {tried} flips judged different");
}
