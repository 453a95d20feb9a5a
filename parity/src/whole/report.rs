//! What the whole-function parity check measured: counts per ISA and per
//! mnemonic, the fractions, and examples, as text and JSON.
//!
//! Part of `whole`, its last step: the sweep ([`super::run_isa`]) counts
//! into a [`Tally`] per scope (the module's own functions, and wasmtime's
//! trampolines apart), which [`Tally::finish`] turns into a
//! [`ScopeReport`]. Every instruction decoded is exactly one of:
//! inexpressible (with a reason), identical, equivalent (with a reason) or
//! different (a defect, with an example).

use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Reasons kept per mnemonic row.
const REASONS_PER_MNEMONIC: usize = 3;

/// The report of one run.
#[derive(Clone, Debug, Serialize)]
pub struct WholeReport {
    /// Cranelift's optimization level (`speed`, wasmtime's default).
    pub opt_level: &'static str,
    /// The modules compiled, by name.
    pub modules: Vec<String>,
    /// Sources the corpus left out.
    pub notes: Vec<String>,
    /// One report per ISA.
    pub isas: Vec<IsaReport>,
}

/// One ISA's results.
#[derive(Clone, Debug, Serialize)]
pub struct IsaReport {
    /// `x86_64` or `aarch64`.
    pub isa: &'static str,
    /// Where the lifter comes from.
    pub lifter: &'static str,
    /// Modules wasmtime could not compile (with the error).
    pub failures: Vec<String>,
    /// The modules' own functions (`wasm[0]::function[N]`).
    pub functions: ScopeReport,
    /// wasmtime's trampolines and glue, counted apart.
    pub trampolines: ScopeReport,
}

impl IsaReport {
    /// Instructions our re-encoding got wrong, in both scopes.
    pub fn different(&self) -> u64 {
        self.functions.different + self.trampolines.different
    }
}

/// A place in the compiled code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The module's name.
    pub module: String,
    /// The function's symbol.
    pub function: String,
    /// The offset in the function.
    pub offset: usize,
}

/// An instruction our re-encoding gets wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Defect {
    /// Where it is (its first occurrence).
    pub at: Location,
    /// Cranelift's bytes (hex).
    pub theirs: String,
    /// Our bytes (hex).
    pub ours: String,
    /// The decoder's text of Cranelift's bytes.
    pub their_text: String,
    /// The decoder's text of ours.
    pub our_text: String,
    /// The lifted case.
    pub case: String,
    /// What went wrong beyond the bytes (the encoder oracle's complaint).
    pub detail: String,
}

/// One reason for equivalent encodings, with an example.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EquivalentReason {
    /// Why the bytes differ.
    pub reason: String,
    /// Instructions with this reason.
    pub count: u64,
    /// The decoder's text of the first one.
    pub text: String,
    /// Cranelift's bytes and ours (hex) for it.
    pub theirs: String,
    pub ours: String,
}

/// A reason and how many instructions it applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: String,
    pub count: u64,
}

/// The counts of one mnemonic.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MnemonicRow {
    pub mnemonic: String,
    pub count: u64,
    pub expressible: u64,
    pub identical: u64,
    pub equivalent: u64,
    pub different: u64,
    /// The most frequent reasons its instructions are inexpressible.
    pub inexpressible_reasons: Vec<ReasonCount>,
}

/// The results of one scope (functions or trampolines) of one ISA.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ScopeReport {
    /// Symbols swept.
    pub symbols: u64,
    /// Bytes of instructions decoded.
    pub code_bytes: u64,
    /// Bytes skipped as data: jump tables, constants, alignment padding.
    pub data_bytes: u64,
    /// Bytes the decoder could not read (and was skipped past).
    pub undecoded_bytes: u64,
    /// Instructions decoded.
    pub instructions: u64,
    /// Instructions one of ours expresses.
    pub expressible: u64,
    /// Instructions we reproduce byte for byte.
    pub identical: u64,
    /// Instructions we encode otherwise, to the same decoded instruction.
    pub equivalent: u64,
    /// Instructions we re-encode to something else: defects.
    pub different: u64,
    /// `expressible / instructions`, in percent.
    pub expressible_percent: f64,
    /// `identical / instructions`, in percent.
    pub identical_percent: f64,
    /// `identical / expressible`, in percent.
    pub identical_of_expressible_percent: f64,
    /// `(identical + equivalent) / expressible`, in percent.
    pub reproduced_percent: f64,
    /// Per mnemonic, most frequent first.
    pub mnemonics: Vec<MnemonicRow>,
    /// Why instructions are inexpressible, most frequent first.
    pub inexpressible_reasons: Vec<ReasonCount>,
    /// Why equivalent encodings differ, most frequent first.
    pub equivalent_reasons: Vec<EquivalentReason>,
    /// The first defects (distinct bytes), up to the example limit.
    pub defects: Vec<Defect>,
    /// The first undecodable places, up to the example limit.
    pub undecoded: Vec<Location>,
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { (part as f64 * 10_000.0 / whole as f64).round() / 100.0 }
}

/// Reasons sorted by count (then name), as rows.
fn sorted_reasons(reasons: &HashMap<&'static str, u64>, limit: usize) -> Vec<ReasonCount> {
    let mut rows: Vec<ReasonCount> =
        reasons.iter().map(|(reason, count)| ReasonCount { reason: reason.to_string(), count: *count }).collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    rows.truncate(limit);
    rows
}

/// What one instruction came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Inexpressible(&'static str),
    Identical,
    Equivalent(String),
    Different,
}

#[derive(Default)]
struct MnemonicTally {
    count: u64,
    expressible: u64,
    identical: u64,
    equivalent: u64,
    different: u64,
    reasons: HashMap<&'static str, u64>,
}

/// Counts of one scope while the sweep runs.
#[derive(Default)]
pub struct Tally {
    pub(super) symbols: u64,
    pub(super) code_bytes: u64,
    pub(super) data_bytes: u64,
    pub(super) undecoded_bytes: u64,
    instructions: u64,
    mnemonics: HashMap<String, MnemonicTally>,
    reasons: HashMap<&'static str, u64>,
    equivalent: HashMap<String, EquivalentReason>,
    pub(super) defects: Vec<Defect>,
    pub(super) undecoded: Vec<Location>,
}

impl Tally {
    /// Counts one instruction.
    pub fn record(&mut self, mnemonic: &str, outcome: &Outcome) {
        self.instructions += 1;
        let row = match self.mnemonics.get_mut(mnemonic) {
            Some(row) => row,
            None => self.mnemonics.entry(mnemonic.to_string()).or_default(),
        };
        row.count += 1;
        match outcome {
            Outcome::Inexpressible(why) => {
                *row.reasons.entry(why).or_default() += 1;
                *self.reasons.entry(why).or_default() += 1;
            }
            Outcome::Identical => {
                row.expressible += 1;
                row.identical += 1;
            }
            Outcome::Equivalent(reason) => {
                row.expressible += 1;
                row.equivalent += 1;
                if let Some(entry) = self.equivalent.get_mut(reason) {
                    entry.count += 1;
                }
            }
            Outcome::Different => {
                row.expressible += 1;
                row.different += 1;
            }
        }
    }

    /// Keeps the first example of an equivalence reason (its count is
    /// kept by [`Tally::record`] from then on).
    pub fn equivalent_example(&mut self, reason: &str, text: String, theirs: String, ours: String) {
        if !self.equivalent.contains_key(reason) {
            let example = EquivalentReason { reason: reason.to_string(), count: 0, text, theirs, ours };
            self.equivalent.insert(reason.to_string(), example);
        }
    }

    /// The scope's report.
    pub fn finish(self) -> ScopeReport {
        let mut mnemonics: Vec<MnemonicRow> = self
            .mnemonics
            .into_iter()
            .map(|(mnemonic, t)| MnemonicRow {
                mnemonic,
                count: t.count,
                expressible: t.expressible,
                identical: t.identical,
                equivalent: t.equivalent,
                different: t.different,
                inexpressible_reasons: sorted_reasons(&t.reasons, REASONS_PER_MNEMONIC),
            })
            .collect();
        mnemonics.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.mnemonic.cmp(&b.mnemonic)));
        let sum = |f: fn(&MnemonicRow) -> u64| mnemonics.iter().map(f).sum::<u64>();
        let (expressible, identical, equivalent, different) =
            (sum(|r| r.expressible), sum(|r| r.identical), sum(|r| r.equivalent), sum(|r| r.different));
        let mut equivalent_reasons: Vec<EquivalentReason> = self.equivalent.into_values().collect();
        equivalent_reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
        ScopeReport {
            symbols: self.symbols,
            code_bytes: self.code_bytes,
            data_bytes: self.data_bytes,
            undecoded_bytes: self.undecoded_bytes,
            instructions: self.instructions,
            expressible,
            identical,
            equivalent,
            different,
            expressible_percent: percent(expressible, self.instructions),
            identical_percent: percent(identical, self.instructions),
            identical_of_expressible_percent: percent(identical, expressible),
            reproduced_percent: percent(identical + equivalent, expressible),
            inexpressible_reasons: sorted_reasons(&self.reasons, usize::MAX),
            mnemonics,
            equivalent_reasons,
            defects: self.defects,
            undecoded: self.undecoded,
        }
    }
}

impl ScopeReport {
    /// The mnemonics with the most inexpressible instructions, most first.
    pub fn top_inexpressible(&self, n: usize) -> Vec<&MnemonicRow> {
        let mut rows: Vec<&MnemonicRow> = self.mnemonics.iter().filter(|r| r.count > r.expressible).collect();
        rows.sort_by_key(|row| std::cmp::Reverse(row.count - row.expressible));
        rows.truncate(n);
        rows
    }

    /// The one-line summary of the scope.
    pub fn headline(&self) -> String {
        format!(
            "{} symbols, {} instructions: expressible {} ({}%), identical {} ({}% of all, {}% of expressible), \
             equivalent {}, different {}",
            self.symbols,
            self.instructions,
            self.expressible,
            self.expressible_percent,
            self.identical,
            self.identical_percent,
            self.identical_of_expressible_percent,
            self.equivalent,
            self.different
        )
    }

    fn write_text(&self, o: &mut String, examples: usize) {
        let _ = writeln!(
            o,
            "  bytes: {} code, {} data (jump tables, constants, padding), {} undecodable",
            self.code_bytes, self.data_bytes, self.undecoded_bytes
        );
        for at in self.undecoded.iter().take(examples) {
            let _ = writeln!(o, "    undecodable: {} {}+{:#x}", at.module, at.function, at.offset);
        }
        let _ = writeln!(o, "  top inexpressible mnemonics:");
        for row in self.top_inexpressible(10) {
            let reasons: Vec<String> =
                row.inexpressible_reasons.iter().map(|r| format!("{} {}", r.count, r.reason)).collect();
            let _ = writeln!(
                o,
                "    {:<10} {:>7} of {:>7}: {}",
                row.mnemonic,
                row.count - row.expressible,
                row.count,
                reasons.join("; ")
            );
        }
        let _ = writeln!(o, "  equivalent encodings:");
        for reason in self.equivalent_reasons.iter().take(examples.max(10)) {
            let _ = writeln!(
                o,
                "    {:>7} {}  (e.g. `{}`: Cranelift [{}], ours [{}])",
                reason.count, reason.reason, reason.text, reason.theirs, reason.ours
            );
        }
        for defect in self.defects.iter().take(examples) {
            let _ = writeln!(
                o,
                "  DIFFERENT {} {}+{:#x}: Cranelift [{}] `{}`, ours [{}] `{}`\n    case: {}{}",
                defect.at.module,
                defect.at.function,
                defect.at.offset,
                defect.theirs,
                defect.their_text,
                defect.ours,
                defect.our_text,
                defect.case,
                if defect.detail.is_empty() { String::new() } else { format!("\n    {}", defect.detail) }
            );
        }
    }
}

impl WholeReport {
    /// The text summary: per ISA, both scopes, the top inexpressible
    /// mnemonics, the equivalence reasons and up to `examples` defects.
    pub fn to_text(&self, examples: usize) -> String {
        let mut out = String::new();
        let o = &mut out;
        let _ = writeln!(
            o,
            "whole-function parity: {} modules, Cranelift (wasmtime 48.0.8) at opt-level {}",
            self.modules.len(),
            self.opt_level
        );
        for note in &self.notes {
            let _ = writeln!(o, "note: {note}");
        }
        for isa in &self.isas {
            let _ = writeln!(o, "== {} == (lifter: {})", isa.isa, isa.lifter);
            for failure in &isa.failures {
                let _ = writeln!(o, "  not compiled: {failure}");
            }
            let _ = writeln!(o, "functions: {}", isa.functions.headline());
            isa.functions.write_text(o, examples);
            let _ = writeln!(o, "trampolines: {}", isa.trampolines.headline());
            for defect in isa.trampolines.defects.iter().take(examples) {
                let _ = writeln!(
                    o,
                    "  DIFFERENT {} {}+{:#x}: Cranelift [{}] `{}`, ours [{}] `{}`",
                    defect.at.module,
                    defect.at.function,
                    defect.at.offset,
                    defect.theirs,
                    defect.their_text,
                    defect.ours,
                    defect.our_text
                );
            }
        }
        out
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Instructions our re-encoding got wrong, over every ISA.
    pub fn different(&self) -> u64 {
        self.isas.iter().map(IsaReport::different).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_count_every_outcome_once() {
        let mut tally = Tally::default();
        tally.record("mov", &Outcome::Identical);
        tally.equivalent_example("direction", "xor rcx, rcx".into(), "48 33 c9".into(), "48 31 c9".into());
        tally.record("xor", &Outcome::Equivalent("direction".into()));
        tally.record("xor", &Outcome::Equivalent("direction".into()));
        tally.record("mov", &Outcome::Inexpressible("store of an immediate"));
        tally.record("vpaddd", &Outcome::Inexpressible("VEX"));
        tally.record("add", &Outcome::Different);
        let report = tally.finish();
        assert_eq!((report.instructions, report.expressible, report.identical), (6, 4, 1));
        assert_eq!((report.equivalent, report.different), (2, 1));
        assert_eq!(report.expressible_percent, 66.67);
        assert_eq!(report.identical_of_expressible_percent, 25.0);
        assert_eq!(report.reproduced_percent, 75.0);
        assert_eq!(report.equivalent_reasons[0].count, 2);
        let mov = &report.mnemonics.iter().find(|r| r.mnemonic == "mov").unwrap();
        assert_eq!((mov.count, mov.expressible, mov.identical), (2, 1, 1));
        assert_eq!(mov.inexpressible_reasons, [ReasonCount { reason: "store of an immediate".into(), count: 1 }]);
        let top: Vec<&str> = report.top_inexpressible(10).iter().map(|r| r.mnemonic.as_str()).collect();
        assert_eq!(top, ["mov", "vpaddd"]);
    }
}
