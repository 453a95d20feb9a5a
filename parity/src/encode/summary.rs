//! The tallies of the encoder sweep and its summary: what `parity encode`
//! prints and writes as JSON.
//!
//! Part of the encoder sweep ([`crate::encode`]): every chunk of instances
//! is counted into a [`Tally`] (per form, per outcome, with every mismatch:
//! defects, decoder disagreements and Cranelift differences, each with its
//! bytes and both readings of them); tallies are merged in chunk order and
//! turned into an [`IsaSummary`], which [`EncodeReport`] collects per ISA.
//! The summary is serde-serializable; the encoding audit report
//! ([`super::report`]) is written from it.

use super::{IsaOracle, Judgement, Options};
use oracle::{Checked, SecondOpinion};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Debug, Write as _};
use std::time::Duration;

/// Examples kept of decoder-unsupported instances (of either decoder).
const MAX_EXAMPLES: usize = 10;
/// Mismatches kept of each kind (defects, decoder disagreements, Cranelift
/// differences): every one, up to this bound on memory for a badly broken
/// emitter. The counts are exact whatever is kept.
pub const MAX_KEPT: usize = 10_000;

/// The counts of one form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormRow {
    /// The form key (`oracle::*::all_forms`).
    pub form: String,
    /// Instances that exercise the form.
    pub instances: u64,
    /// Of those, wrong encodings.
    pub defects: u64,
    /// Of those, bytes the primary decoder does not support.
    pub decoder_unsupported: u64,
    /// Second decoder: instances where it agrees with the primary.
    pub second_agree: u64,
    /// Second decoder: instances where the decoders disagree.
    pub second_disagree: u64,
    /// Second decoder: instances it cannot decode.
    pub second_unsupported: u64,
    /// Cranelift parity (`--cranelift`): instances with identical bytes.
    #[serde(default)]
    pub cranelift_identical: u64,
    /// Cranelift parity: other bytes, same decoded meaning.
    #[serde(default)]
    pub cranelift_equivalent: u64,
    /// Cranelift parity: a different meaning (a defect).
    #[serde(default)]
    pub cranelift_different: u64,
    /// Cranelift parity: no single Cranelift instruction to compare with.
    #[serde(default)]
    pub cranelift_no_counterpart: u64,
    /// Cranelift parity: the reasons of the equivalent instances, counted.
    #[serde(default)]
    pub cranelift_equivalent_reasons: BTreeMap<String, u64>,
    /// Cranelift parity: the reasons of the instances without a
    /// counterpart, counted.
    #[serde(default)]
    pub cranelift_no_counterpart_reasons: BTreeMap<String, u64>,
}

impl FormRow {
    fn add(&mut self, other: &FormRow) {
        self.instances += other.instances;
        self.defects += other.defects;
        self.decoder_unsupported += other.decoder_unsupported;
        self.second_agree += other.second_agree;
        self.second_disagree += other.second_disagree;
        self.second_unsupported += other.second_unsupported;
        self.cranelift_identical += other.cranelift_identical;
        self.cranelift_equivalent += other.cranelift_equivalent;
        self.cranelift_different += other.cranelift_different;
        self.cranelift_no_counterpart += other.cranelift_no_counterpart;
        for (reason, count) in &other.cranelift_equivalent_reasons {
            *self.cranelift_equivalent_reasons.entry(reason.clone()).or_default() += count;
        }
        for (reason, count) in &other.cranelift_no_counterpart_reasons {
            *self.cranelift_no_counterpart_reasons.entry(reason.clone()).or_default() += count;
        }
    }

    /// The form's Cranelift classification over its instances: `different`
    /// if any instance differs in meaning, else `equivalent` if any has
    /// other bytes, else `identical` if any has a counterpart, else
    /// `no counterpart` (`None` when Cranelift parity did not run).
    pub fn cranelift_class(&self) -> Option<&'static str> {
        if self.cranelift_different > 0 {
            Some("different")
        } else if self.cranelift_equivalent > 0 {
            Some("equivalent")
        } else if self.cranelift_identical > 0 {
            Some("identical")
        } else if self.cranelift_no_counterpart > 0 {
            Some("no counterpart")
        } else {
            None
        }
    }
}

/// A wrong encoding found by the sweep, with how to reproduce it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Defect {
    /// The instance's first (own) form.
    pub form: String,
    /// The chunk and index of the instance (`encode::replay`).
    pub chunk: u64,
    pub index: u64,
    /// The instruction (`Debug`).
    pub inst: String,
    /// The emitted bytes, as hex.
    pub bytes: String,
    /// The decoder's text of them.
    pub decoded: String,
    /// Capstone's reading of the same bytes, compared with the primary
    /// decoder's.
    #[serde(default)]
    pub capstone: String,
    /// The oracle's report (field, expected, found).
    pub report: String,
}

/// Bytes the two decoders read differently (not a defect of ours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecoderDisagreement {
    /// The instance's first (own) form.
    pub form: String,
    /// The chunk and index of the instance (`encode::replay` rebuilds
    /// the instruction; it is not kept, to keep the report short).
    pub chunk: u64,
    pub index: u64,
    /// Our bytes (the code), as hex.
    pub bytes: String,
    /// Which field differs (`oracle::Disagreement::field`).
    pub field: String,
    /// Which machine instruction of the bytes (0-based).
    pub instruction: usize,
    /// The primary decoder's value of the field, and capstone's.
    pub primary: String,
    pub capstone: String,
    /// The primary decoder's text of the instruction, and capstone's.
    pub primary_text: String,
    pub capstone_text: String,
}

impl fmt::Display for DecoderDisagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "instruction {}: {} differs: primary `{}` has {}, capstone `{}` has {}",
            self.instruction, self.field, self.primary_text, self.primary, self.capstone_text, self.capstone
        )
    }
}

/// An instance whose bytes mean something else than Cranelift's encoding of
/// the same instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CraneliftDifference {
    /// The instance's first (own) form.
    pub form: String,
    /// The chunk and index of the instance (`encode::replay`).
    pub chunk: u64,
    pub index: u64,
    /// The instruction (`Debug`).
    pub inst: String,
    /// Our bytes and Cranelift's, as hex.
    pub ours: String,
    pub theirs: String,
    /// The primary decoder's text of each.
    pub our_text: String,
    pub their_text: String,
}

/// What the second decoder said over a whole sweep.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondSummary {
    pub agree: u64,
    pub disagree: u64,
    pub unsupported: u64,
    /// Disagreements counted by field.
    pub by_field: BTreeMap<String, u64>,
    /// Every disagreement (up to [`MAX_KEPT`]), in sweep order.
    #[serde(default)]
    pub disagreements: Vec<DecoderDisagreement>,
    /// The first few instances capstone does not support.
    pub unsupported_examples: Vec<String>,
}

/// What Cranelift parity found over a whole sweep.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CraneliftSummary {
    pub identical: u64,
    pub equivalent: u64,
    pub different: u64,
    pub no_counterpart: u64,
    /// Equivalent encodings, counted by reason.
    pub equivalent_reasons: BTreeMap<String, u64>,
    /// Instances without a counterpart, counted by reason.
    pub no_counterpart_reasons: BTreeMap<String, u64>,
    /// Every different meaning (up to [`MAX_KEPT`]): bytes and both
    /// disassemblies.
    #[serde(default)]
    pub differences: Vec<CraneliftDifference>,
    /// Instances per Cranelift instruction their translation gave
    /// (`oracle::cranelift::coverage` names), for the coverage of
    /// Cranelift's instruction set.
    #[serde(default)]
    pub instructions: BTreeMap<String, u64>,
}

/// The counts of some chunks (one, or all merged so far).
pub(crate) struct Tally {
    pub(crate) chunk: u64,
    pub(crate) instances: u64,
    machine_instructions: u64,
    /// Indexed like `all_forms()`.
    forms: Vec<FormRow>,
    /// Keys `all_forms()` does not list (e.g. `Args`, which emits nothing).
    unlisted: BTreeMap<String, FormRow>,
    defects: u64,
    all_defects: Vec<Defect>,
    unsupported: u64,
    unsupported_examples: Vec<String>,
    second: SecondSummary,
    cranelift: CraneliftSummary,
    /// Per listed form (indexed like `forms`): Cranelift's reasons, as the
    /// oracle's static strings (counted without allocating).
    reasons: Vec<FormReasons>,
    /// Instances per Cranelift instruction (made a map of `cranelift` when
    /// merged).
    cranelift_instructions: HashMap<String, u64>,
    /// Time spent checking (summed over threads).
    pub(crate) busy: Duration,
}

impl Tally {
    pub(crate) fn new(chunk: u64, forms: usize) -> Tally {
        Tally {
            chunk,
            instances: 0,
            machine_instructions: 0,
            forms: vec![FormRow::default(); forms],
            unlisted: BTreeMap::new(),
            defects: 0,
            all_defects: Vec::new(),
            unsupported: 0,
            unsupported_examples: Vec::new(),
            second: SecondSummary::default(),
            cranelift: CraneliftSummary::default(),
            reasons: vec![FormReasons::default(); forms],
            cranelift_instructions: HashMap::new(),
            busy: Duration::ZERO,
        }
    }

    fn row(&mut self, slot: Option<usize>, key: &str) -> &mut FormRow {
        match slot {
            Some(i) => &mut self.forms[i],
            None => self.unlisted.entry(key.to_string()).or_default(),
        }
    }

    /// Counts one instance, exercising the forms `keys` (`slots` holds each
    /// one's index in `all_forms()`, `None` for an unlisted key).
    pub(crate) fn record<O: IsaOracle>(
        &mut self,
        keys: &oracle::FormKeys,
        slots: &[Option<usize>],
        case: &O::Case,
        index: u64,
        judgement: Judgement,
    ) {
        self.instances += 1;
        let first_form = || keys.first().unwrap_or_default().to_string();
        let mut bump: fn(&mut FormRow) = |row| row.instances += 1;
        match judgement {
            Judgement::Pass { instructions, second } => {
                self.machine_instructions += instructions as u64;
                match second {
                    None => {}
                    Some(SecondOpinion::Agree) => {
                        self.second.agree += 1;
                        bump = |row| {
                            row.instances += 1;
                            row.second_agree += 1;
                        };
                    }
                    Some(SecondOpinion::DecodersDisagree(d)) => {
                        self.second.disagree += 1;
                        *self.second.by_field.entry(d.field.to_string()).or_default() += 1;
                        if self.second.disagreements.len() < MAX_KEPT {
                            // Rare: emit the instance again for its bytes.
                            let bytes = match O::check(case, None) {
                                Ok(checked) => hex(&checked.bytes[..checked.code_len]),
                                Err(mismatch) => mismatch.bytes,
                            };
                            self.second.disagreements.push(DecoderDisagreement {
                                form: first_form(),
                                chunk: self.chunk,
                                index,
                                bytes,
                                field: d.field.to_string(),
                                instruction: d.instruction,
                                primary: d.primary,
                                capstone: d.capstone,
                                primary_text: d.primary_text,
                                capstone_text: d.capstone_text,
                            });
                        }
                        bump = |row| {
                            row.instances += 1;
                            row.second_disagree += 1;
                        };
                    }
                    Some(SecondOpinion::Unsupported { detail }) => {
                        self.second.unsupported += 1;
                        if self.second.unsupported_examples.len() < MAX_EXAMPLES {
                            self.second.unsupported_examples.push(format!("{case:?}: {detail}"));
                        }
                        bump = |row| {
                            row.instances += 1;
                            row.second_unsupported += 1;
                        };
                    }
                }
            }
            Judgement::Defect(mismatch) => {
                self.defects += 1;
                if self.all_defects.len() < MAX_KEPT {
                    self.all_defects.push(Defect {
                        form: first_form(),
                        chunk: self.chunk,
                        index,
                        inst: mismatch.inst.clone(),
                        bytes: mismatch.bytes.clone(),
                        decoded: mismatch.decoded.clone(),
                        capstone: capstone_reading::<O>(&mismatch.bytes),
                        report: mismatch.to_string(),
                    });
                }
                bump = |row| {
                    row.instances += 1;
                    row.defects += 1;
                };
            }
            Judgement::DecoderUnsupported(mismatch) => {
                self.unsupported += 1;
                if self.unsupported_examples.len() < MAX_EXAMPLES {
                    self.unsupported_examples.push(mismatch.to_string());
                }
                bump = |row| {
                    row.instances += 1;
                    row.decoder_unsupported += 1;
                };
            }
        }
        for (&slot, key) in slots.iter().zip(keys.iter()) {
            bump(self.row(slot, key));
        }
    }

    /// Counts Cranelift's verdict on instance `index`, and the Cranelift
    /// instruction it translated to.
    pub(crate) fn record_cranelift<O: IsaOracle>(
        &mut self,
        keys: &oracle::FormKeys,
        slots: &[Option<usize>],
        case: &O::Case,
        index: u64,
        parity: oracle::cranelift::Parity,
    ) {
        use oracle::cranelift::Parity;
        if !matches!(parity, Parity::NoCounterpart(_))
            && let Some(name) = O::cranelift_instruction(case)
        {
            match self.cranelift_instructions.get_mut(&name) {
                Some(count) => *count += 1,
                None => {
                    self.cranelift_instructions.insert(name, 1);
                }
            }
        }
        let summary = &mut self.cranelift;
        let mut reason: Option<(bool, &'static str)> = None;
        let bump: fn(&mut FormRow) = match parity {
            Parity::Identical => {
                summary.identical += 1;
                |row| row.cranelift_identical += 1
            }
            Parity::Equivalent { reason: why, .. } => {
                summary.equivalent += 1;
                *summary.equivalent_reasons.entry(why.to_string()).or_default() += 1;
                reason = Some((true, why));
                |row| row.cranelift_equivalent += 1
            }
            Parity::Different { ours, theirs, our_text, their_text } => {
                summary.different += 1;
                if summary.differences.len() < MAX_KEPT {
                    summary.differences.push(CraneliftDifference {
                        form: keys.first().unwrap_or_default().to_string(),
                        chunk: self.chunk,
                        index,
                        inst: format!("{case:?}"),
                        ours: hex(&ours),
                        theirs: hex(&theirs),
                        our_text,
                        their_text,
                    });
                }
                |row| row.cranelift_different += 1
            }
            Parity::NoCounterpart(why) => {
                summary.no_counterpart += 1;
                *summary.no_counterpart_reasons.entry(why.to_string()).or_default() += 1;
                reason = Some((false, why));
                |row| row.cranelift_no_counterpart += 1
            }
        };
        for (&slot, key) in slots.iter().zip(keys.iter()) {
            match (slot, reason) {
                (Some(i), Some((equivalent, why))) => self.reasons[i].count(equivalent, why),
                (None, Some((equivalent, why))) => {
                    let row = self.row(None, key);
                    let reasons = if equivalent {
                        &mut row.cranelift_equivalent_reasons
                    } else {
                        &mut row.cranelift_no_counterpart_reasons
                    };
                    *reasons.entry(why.to_string()).or_default() += 1;
                }
                _ => {}
            }
            bump(self.row(slot, key));
        }
    }

    /// Adds a later chunk's counts.
    pub(crate) fn merge(&mut self, other: Tally) {
        self.instances += other.instances;
        self.machine_instructions += other.machine_instructions;
        for (mine, theirs) in self.forms.iter_mut().zip(&other.forms) {
            mine.add(theirs);
        }
        for (key, row) in &other.unlisted {
            self.unlisted.entry(key.clone()).or_default().add(row);
        }
        for (mine, theirs) in self.reasons.iter_mut().zip(&other.reasons) {
            mine.add(theirs);
        }
        for (name, count) in other.cranelift_instructions {
            *self.cranelift_instructions.entry(name).or_default() += count;
        }
        self.defects += other.defects;
        let room = MAX_KEPT.saturating_sub(self.all_defects.len());
        self.all_defects.extend(other.all_defects.into_iter().take(room));
        self.unsupported += other.unsupported;
        let room = MAX_EXAMPLES.saturating_sub(self.unsupported_examples.len());
        self.unsupported_examples.extend(other.unsupported_examples.into_iter().take(room));
        let second = &mut self.second;
        second.agree += other.second.agree;
        second.disagree += other.second.disagree;
        second.unsupported += other.second.unsupported;
        for (field, count) in other.second.by_field {
            *second.by_field.entry(field).or_default() += count;
        }
        let room = MAX_KEPT.saturating_sub(second.disagreements.len());
        second.disagreements.extend(other.second.disagreements.into_iter().take(room));
        let room = MAX_EXAMPLES.saturating_sub(second.unsupported_examples.len());
        second.unsupported_examples.extend(other.second.unsupported_examples.into_iter().take(room));
        let (mine, theirs) = (&mut self.cranelift, other.cranelift);
        mine.identical += theirs.identical;
        mine.equivalent += theirs.equivalent;
        mine.different += theirs.different;
        mine.no_counterpart += theirs.no_counterpart;
        for (reason, count) in theirs.equivalent_reasons {
            *mine.equivalent_reasons.entry(reason).or_default() += count;
        }
        for (reason, count) in theirs.no_counterpart_reasons {
            *mine.no_counterpart_reasons.entry(reason).or_default() += count;
        }
        let room = MAX_KEPT.saturating_sub(mine.differences.len());
        mine.differences.extend(theirs.differences.into_iter().take(room));
        self.busy += other.busy;
    }

    /// The sum over listed forms of `min(instances, wanted)`.
    pub(crate) fn filled(&self, wanted: u64) -> u64 {
        self.forms.iter().map(|row| row.instances.min(wanted)).sum()
    }

    pub(crate) fn summarize(
        mut self,
        isa: &str,
        names: &[String],
        options: &Options,
        elapsed: Duration,
        jobs: usize,
    ) -> IsaSummary {
        for ((row, name), reasons) in self.forms.iter_mut().zip(names).zip(&self.reasons) {
            row.form = name.clone();
            for &(why, count) in &reasons.equivalent {
                *row.cranelift_equivalent_reasons.entry(why.to_string()).or_default() += count;
            }
            for &(why, count) in &reasons.no_counterpart {
                *row.cranelift_no_counterpart_reasons.entry(why.to_string()).or_default() += count;
            }
        }
        self.cranelift.instructions = self.cranelift_instructions.drain().collect();
        for (key, row) in self.unlisted.iter_mut() {
            row.form = key.clone();
        }
        let wanted = options.cases_per_form;
        let short_forms: Vec<(String, u64)> =
            self.forms.iter().filter(|row| row.instances < wanted).map(|r| (r.form.clone(), r.instances)).collect();
        let per_sec = |count: u64, time: Duration| {
            if time.is_zero() { 0.0 } else { count as f64 / time.as_secs_f64() }
        };
        IsaSummary {
            isa: isa.to_string(),
            cases_per_form: wanted,
            seed: options.seed,
            instances: self.instances,
            machine_instructions: self.machine_instructions,
            forms_total: self.forms.len(),
            forms_covered: self.forms.iter().filter(|r| r.instances > 0).count(),
            forms_complete: self.forms.len() - short_forms.len(),
            min_instances_per_form: self.forms.iter().map(|r| r.instances).min().unwrap_or(0),
            short_forms,
            defects: self.defects,
            all_defects: self.all_defects,
            decoder_unsupported: self.unsupported,
            unsupported_examples: self.unsupported_examples,
            second: options.second_decoder.then_some(self.second),
            cranelift: options.cranelift.then_some(self.cranelift),
            jobs,
            elapsed_secs: elapsed.as_secs_f64(),
            instances_per_sec: per_sec(self.instances, elapsed),
            machine_instructions_per_sec: per_sec(self.machine_instructions, elapsed),
            per_thread_instances_per_sec: per_sec(self.instances, self.busy),
            forms: self.forms,
            unlisted_forms: self.unlisted.into_values().collect(),
        }
    }
}

/// The result of the sweep of one ISA.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IsaSummary {
    /// `x86_64` or `aarch64`.
    pub isa: String,
    /// Instances wanted per form (`--cases`).
    pub cases_per_form: u64,
    pub seed: u64,
    /// Instances (our instructions) checked.
    pub instances: u64,
    /// Machine instructions they decoded to (pseudo-instructions expand).
    pub machine_instructions: u64,
    /// Forms `all_forms()` lists.
    pub forms_total: usize,
    /// Forms with at least one instance.
    pub forms_covered: usize,
    /// Forms with at least `cases_per_form` instances.
    pub forms_complete: usize,
    pub min_instances_per_form: u64,
    /// Forms under `cases_per_form`, with their counts.
    pub short_forms: Vec<(String, u64)>,
    /// Wrong encodings.
    pub defects: u64,
    /// Every one (up to [`MAX_KEPT`]), in sweep order.
    pub all_defects: Vec<Defect>,
    /// Instances the primary decoder does not support.
    pub decoder_unsupported: u64,
    pub unsupported_examples: Vec<String>,
    /// The second decoder, when it ran.
    pub second: Option<SecondSummary>,
    /// Cranelift parity, when it ran.
    #[serde(default)]
    pub cranelift: Option<CraneliftSummary>,
    /// Worker threads.
    pub jobs: usize,
    pub elapsed_secs: f64,
    /// Instances checked per second of wall time.
    pub instances_per_sec: f64,
    pub machine_instructions_per_sec: f64,
    /// Instances checked per second of one thread's time.
    pub per_thread_instances_per_sec: f64,
    /// Every listed form.
    pub forms: Vec<FormRow>,
    /// Keys the instances had that `all_forms()` does not list.
    pub unlisted_forms: Vec<FormRow>,
}

impl IsaSummary {
    /// Whether the sweep found a wrong encoding (ours, or a meaning that
    /// differs from Cranelift's encoding of the same instruction).
    pub fn has_defects(&self) -> bool {
        self.defects > 0 || self.cranelift.as_ref().is_some_and(|c| c.different > 0)
    }

    /// The summary as text, with at most `examples` examples of each kind.
    pub fn to_text(&self, examples: usize) -> String {
        let mut out = String::new();
        let o = &mut out;
        let _ = writeln!(o, "== {} ==", self.isa);
        let _ = writeln!(
            o,
            "instances: {} ({} machine instructions); forms covered: {}/{}, with >= {}: {}/{}; min per form: {}",
            self.instances,
            self.machine_instructions,
            self.forms_covered,
            self.forms_total,
            self.cases_per_form,
            self.forms_complete,
            self.forms_total,
            self.min_instances_per_form
        );
        for (form, count) in self.short_forms.iter().take(examples) {
            let _ = writeln!(o, "  short: {form}: {count} instances");
        }
        if self.short_forms.len() > examples {
            let _ = writeln!(o, "  short: ... and {} more forms", self.short_forms.len() - examples);
        }
        let _ = writeln!(o, "defects: {}", self.defects);
        for defect in self.all_defects.iter().take(examples) {
            let _ = writeln!(
                o,
                "  DEFECT [{}] chunk {} index {}: bytes [{}], decoded `{}`, capstone: {}\n    {}",
                defect.form, defect.chunk, defect.index, defect.bytes, defect.decoded, defect.capstone, defect.report
            );
        }
        let _ = writeln!(o, "decoder unsupported: {}", self.decoder_unsupported);
        for example in self.unsupported_examples.iter().take(examples) {
            let _ = writeln!(o, "  {example}");
        }
        if let Some(second) = &self.second {
            let _ = writeln!(
                o,
                "second decoder (capstone): {} agree, {} disagree, {} unsupported",
                second.agree, second.disagree, second.unsupported
            );
            for (field, count) in &second.by_field {
                let _ = writeln!(o, "  disagree on {field}: {count}");
                for example in second.disagreements.iter().filter(|d| &d.field == field).take(examples) {
                    let _ = writeln!(o, "    {example}");
                }
            }
            for example in second.unsupported_examples.iter().take(examples) {
                let _ = writeln!(o, "  capstone unsupported: {example}");
            }
        }
        if let Some(cranelift) = &self.cranelift {
            let mut classes: BTreeMap<&str, u64> = BTreeMap::new();
            for row in &self.forms {
                if let Some(class) = row.cranelift_class() {
                    *classes.entry(class).or_default() += 1;
                }
            }
            let forms: Vec<String> = classes.iter().map(|(class, n)| format!("{n} {class}")).collect();
            let _ = writeln!(
                o,
                "cranelift parity: instances {} identical, {} equivalent, {} different, {} no counterpart; forms: {}",
                cranelift.identical,
                cranelift.equivalent,
                cranelift.different,
                cranelift.no_counterpart,
                forms.join(", ")
            );
            for (reason, count) in &cranelift.equivalent_reasons {
                let _ = writeln!(o, "  equivalent ({count}): {reason}");
            }
            for (reason, count) in cranelift.no_counterpart_reasons.iter().take(examples) {
                let _ = writeln!(o, "  no counterpart ({count}): {reason}");
            }
            for d in cranelift.differences.iter().take(examples) {
                let _ = writeln!(
                    o,
                    "  DIFFERENT [{}] chunk {} index {}: ours [{}] `{}`, Cranelift [{}] `{}`",
                    d.form, d.chunk, d.index, d.ours, d.our_text, d.theirs, d.their_text
                );
            }
        }
        let _ = writeln!(
            o,
            "elapsed: {:.2} s with {} thread(s); {:.0} instructions/s ({:.0} machine instructions/s); {:.0} \
             instructions/s per thread",
            self.elapsed_secs,
            self.jobs,
            self.instances_per_sec,
            self.machine_instructions_per_sec,
            self.per_thread_instances_per_sec
        );
        out
    }
}

/// The sweep of every ISA asked for (`parity encode --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EncodeReport {
    pub isas: Vec<IsaSummary>,
}

impl EncodeReport {
    pub fn has_defects(&self) -> bool {
        self.isas.iter().any(IsaSummary::has_defects)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serializes")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// Capstone's reading of `bytes` (hex, as the oracle prints them) compared
/// with the primary decoder's, in one line: how a defect's bytes read to
/// the second decoder.
fn capstone_reading<O: IsaOracle>(bytes: &str) -> String {
    let code: Result<Vec<u8>, _> = bytes.split_whitespace().map(|b| u8::from_str_radix(b, 16)).collect();
    let Ok(code) = code else { return format!("not read: the bytes `{bytes}` are not hex") };
    let checked = Checked { code_len: code.len(), bytes: code, text: String::new(), instructions: 0 };
    match O::second_opinion(&checked) {
        SecondOpinion::Agree => "reads the same instructions as the primary decoder".to_string(),
        SecondOpinion::DecodersDisagree(d) => {
            format!(
                "`{}` (instruction {}: {} {} where the primary decoder has {})",
                d.capstone_text, d.instruction, d.field, d.capstone, d.primary
            )
        }
        SecondOpinion::Unsupported { detail } => format!("cannot compare: {detail}"),
    }
}

/// One form's Cranelift reasons, counted by the oracle's static strings.
#[derive(Clone, Debug, Default)]
struct FormReasons {
    equivalent: Vec<(&'static str, u64)>,
    no_counterpart: Vec<(&'static str, u64)>,
}

impl FormReasons {
    fn count(&mut self, equivalent: bool, why: &'static str) {
        add_reason(if equivalent { &mut self.equivalent } else { &mut self.no_counterpart }, why, 1);
    }

    fn add(&mut self, other: &FormReasons) {
        for &(why, count) in &other.equivalent {
            add_reason(&mut self.equivalent, why, count);
        }
        for &(why, count) in &other.no_counterpart {
            add_reason(&mut self.no_counterpart, why, count);
        }
    }
}

fn add_reason(list: &mut Vec<(&'static str, u64)>, why: &'static str, count: u64) {
    match list.iter_mut().find(|(reason, _)| *reason == why) {
        Some((_, n)) => *n += count,
        None => list.push((why, count)),
    }
}
