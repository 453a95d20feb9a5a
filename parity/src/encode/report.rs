//! The encoding audit report: the encoder sweep of both ISAs, with the
//! second decoder and Cranelift parity, as `audit/encoding.json`,
//! `audit/encoding.md` and `audit/encoding.html` (one page with inline
//! styles, readable in a browser without a server).
//!
//! Part of the encoder sweep ([`crate::encode`]), at its end:
//!
//! ```text
//! run_isa (capstone + Cranelift on) ─▶ IsaSummary per ISA ─┐
//! oracle::cranelift::coverage (Cranelift's instruction set) ┼─ build ─▶ EncodingAudit ─┬─ JSON (serde)
//! extra sections (e.g. whole-function parity, optional) ────┘                         └─ document ─▶ Blocks ─┬─ Markdown
//!                                                                                                            └─ HTML
//! ```
//!
//! [`EncodingAudit`] is plain data with no dates or timings, so the same
//! seed and case count give the same files. The JSON holds every mismatch
//! the sweep kept; the Markdown and HTML views (built once as [`Block`]s by
//! `document`, rendered by `render`) show a few per group and count the
//! rest. Sections of other checks are added as [`ExtraSection`]s.

mod document;
mod json;
mod render;

use super::{CraneliftDifference, DecoderDisagreement, Defect, FormRow, IsaSummary};
use oracle::cranelift::coverage::{self, Coverage};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One piece of a report's text, rendered to Markdown and to HTML alike.
/// Text in backticks is code in both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A heading of `level` 2 (a section) or 3 (a subsection); `bad` marks
    /// it as a finding (red in HTML).
    Heading { level: u8, text: String, bad: bool },
    /// A paragraph.
    Paragraph(String),
    /// A table (every cell is text).
    Table { header: Vec<String>, rows: Vec<Vec<String>> },
}

impl Block {
    /// A section heading.
    pub fn section(text: impl Into<String>) -> Block {
        Block::Heading { level: 2, text: text.into(), bad: false }
    }

    /// A subsection heading.
    pub fn subsection(text: impl Into<String>) -> Block {
        Block::Heading { level: 3, text: text.into(), bad: false }
    }

    /// A table with the header `header`.
    pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> Block {
        Block::Table { header: header.iter().map(|h| h.to_string()).collect(), rows }
    }
}

/// A section of another check, added after the encoder sweep's (e.g. the
/// whole-function parity of `parity whole`): its view as blocks (under its
/// own `##` heading, `title`) and its data for the JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExtraSection {
    pub title: String,
    /// What the Markdown and HTML show under the title.
    #[serde(skip)]
    pub blocks: Vec<Block>,
    /// What the JSON holds under `extra_sections`.
    pub data: serde_json::Value,
}

/// The version of one tool the report's results depend on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolVersion {
    pub name: String,
    pub version: String,
    /// Its role in the report.
    pub role: String,
}

/// One form's row of the report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormAudit {
    pub form: String,
    pub instances: u64,
    pub defects: u64,
    /// Instances the primary decoder does not support.
    pub decoder_unsupported: u64,
    /// Capstone against the primary decoder.
    pub capstone_agree: u64,
    pub capstone_disagree: u64,
    pub capstone_unsupported: u64,
    /// `identical`, `equivalent`, `different` or `no counterpart` (see
    /// [`FormRow::cranelift_class`]); `None` when Cranelift parity did not
    /// run.
    pub cranelift_class: Option<String>,
    pub cranelift_identical: u64,
    pub cranelift_equivalent: u64,
    pub cranelift_different: u64,
    pub cranelift_no_counterpart: u64,
    /// Why the bytes differ from Cranelift's with the same meaning, or why
    /// there is no counterpart (one line; empty for an identical form with
    /// a counterpart for every instance).
    pub reason: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub equivalent_reasons: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub no_counterpart_reasons: BTreeMap<String, u64>,
}

/// Capstone's totals over one ISA.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapstoneTotals {
    /// Whether the second decoder ran.
    pub ran: bool,
    pub agree: u64,
    pub disagree: u64,
    pub unsupported: u64,
    pub disagree_by_field: BTreeMap<String, u64>,
    /// The first few instances capstone does not support.
    pub unsupported_examples: Vec<String>,
}

/// Cranelift parity's totals over one ISA.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CraneliftTotals {
    /// Whether Cranelift parity ran.
    pub ran: bool,
    /// Instances by outcome.
    pub identical: u64,
    pub equivalent: u64,
    pub different: u64,
    pub no_counterpart: u64,
    /// Forms by classification.
    pub forms_by_class: BTreeMap<String, usize>,
    pub equivalent_reasons: BTreeMap<String, u64>,
    pub no_counterpart_reasons: BTreeMap<String, u64>,
}

/// One instruction of Cranelift's set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionCoverage {
    pub name: String,
    pub group: String,
    /// Instances our translation produced it for (0: we lack it).
    pub instances: u64,
}

/// One group of Cranelift's instruction set (CPU features, or kind).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCoverage {
    pub group: String,
    pub total: usize,
    pub covered: usize,
}

/// One sub-operation enum (AArch64).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubOpCoverage {
    pub enum_name: String,
    pub variants: Vec<String>,
    /// Every value with its instances.
    pub values: Vec<(String, u64)>,
}

/// Cranelift's instruction set of one ISA: which of it we have.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageAudit {
    /// Where the list comes from.
    pub source: String,
    pub total: usize,
    pub covered: usize,
    /// Groups, the most covered first.
    pub groups: Vec<GroupCoverage>,
    pub instructions: Vec<InstructionCoverage>,
    pub sub_ops: Vec<SubOpCoverage>,
    /// Names our translation produced that the list lacks (expected: none).
    pub unlisted: Vec<(String, u64)>,
}

/// The report's part for one ISA.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IsaAudit {
    pub isa: String,
    pub instances: u64,
    pub machine_instructions: u64,
    pub forms_total: usize,
    pub forms_covered: usize,
    /// Forms with at least `cases_per_form` instances.
    pub forms_complete: usize,
    pub min_instances_per_form: u64,
    pub short_forms: Vec<(String, u64)>,
    pub defects: u64,
    pub decoder_unsupported: u64,
    pub decoder_unsupported_examples: Vec<String>,
    pub capstone: CapstoneTotals,
    pub cranelift: CraneliftTotals,
    /// Every listed form, in the oracle's order.
    pub forms: Vec<FormAudit>,
    /// Keys instances had that the form list does not hold.
    pub unlisted_forms: Vec<FormAudit>,
    /// Every defect, decoder disagreement and Cranelift difference the sweep
    /// kept (all of them, up to `encode::MAX_KEPT` of each).
    pub defect_list: Vec<Defect>,
    pub disagreements: Vec<DecoderDisagreement>,
    pub cranelift_differences: Vec<CraneliftDifference>,
    pub cranelift_coverage: CoverageAudit,
}

/// The totals over every ISA.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditTotals {
    pub instances: u64,
    pub forms_total: usize,
    pub forms_covered: usize,
    pub defects: u64,
    pub decoder_disagreements: u64,
    pub capstone_unsupported: u64,
    pub cranelift_different: u64,
    pub cranelift_forms_by_class: BTreeMap<String, usize>,
    pub cranelift_instructions_total: usize,
    pub cranelift_instructions_covered: usize,
}

/// One normalization of the decoder comparison (`oracle::NORMALIZATIONS`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizationRow {
    pub isa: String,
    pub capstone: String,
    pub primary: String,
    pub reason: String,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EncodingAudit {
    pub generated_by: String,
    pub tools: Vec<ToolVersion>,
    pub seed: u64,
    pub cases_per_form: u64,
    pub totals: AuditTotals,
    pub isas: Vec<IsaAudit>,
    pub normalizations: Vec<NormalizationRow>,
    /// Sections of other checks (empty unless the caller adds some).
    #[serde(default)]
    pub extra_sections: Vec<ExtraSection>,
}

/// The crates whose versions decide the report's results, from the
/// workspace's `Cargo.lock` (read when `parity` is built).
const LOCKFILE: &str = include_str!("../../../Cargo.lock");

/// The tools, with their versions as resolved in `lockfile`.
fn tool_versions(lockfile: &str) -> Vec<ToolVersion> {
    let mut versions: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for package in lockfile.split("[[package]]").skip(1) {
        let field = |key: &str| {
            package.lines().find_map(|line| line.strip_prefix(key)?.trim().strip_prefix("= \"")?.strip_suffix('"'))
        };
        if let (Some(name), Some(version)) = (field("name "), field("version ")) {
            versions.entry(name).or_default().push(version);
        }
    }
    let tools = [
        ("iced-x86", "primary decoder, x86-64"),
        ("yaxpeax-arm", "primary decoder, AArch64"),
        ("capstone", "second decoder, both ISAs"),
        ("capstone-sys", "capstone's bundled C library"),
        ("cranelift-assembler-x64", "Cranelift's x86-64 encodings, and its instruction set"),
        ("cranelift-codegen", "Cranelift's AArch64 encodings (`isa::aarch64::inst::Inst`)"),
    ];
    tools
        .iter()
        .map(|&(name, role)| ToolVersion {
            name: name.to_string(),
            version: versions.get(name).map_or_else(|| "not in Cargo.lock".to_string(), |v| v.join(", ")),
            role: role.to_string(),
        })
        .collect()
}

/// A one-line reason list: the reason itself when there is one, else each
/// with its count.
fn reason_list(reasons: &BTreeMap<String, u64>) -> String {
    match reasons.len() {
        1 => reasons.keys().next().cloned().unwrap_or_default(),
        _ => reasons.iter().map(|(reason, n)| format!("{reason} ({n})")).collect::<Vec<_>>().join("; "),
    }
}

fn form_audit(row: &FormRow) -> FormAudit {
    let class = row.cranelift_class();
    let mut reason = Vec::new();
    if !row.cranelift_equivalent_reasons.is_empty() {
        reason.push(reason_list(&row.cranelift_equivalent_reasons));
    }
    if !row.cranelift_no_counterpart_reasons.is_empty() {
        let list = reason_list(&row.cranelift_no_counterpart_reasons);
        reason.push(if class == Some("no counterpart") {
            list
        } else {
            format!("no counterpart for {} of {} instances: {list}", row.cranelift_no_counterpart, row.instances)
        });
    }
    FormAudit {
        form: row.form.clone(),
        instances: row.instances,
        defects: row.defects,
        decoder_unsupported: row.decoder_unsupported,
        capstone_agree: row.second_agree,
        capstone_disagree: row.second_disagree,
        capstone_unsupported: row.second_unsupported,
        cranelift_class: class.map(str::to_string),
        cranelift_identical: row.cranelift_identical,
        cranelift_equivalent: row.cranelift_equivalent,
        cranelift_different: row.cranelift_different,
        cranelift_no_counterpart: row.cranelift_no_counterpart,
        reason: reason.join("; "),
        equivalent_reasons: row.cranelift_equivalent_reasons.clone(),
        no_counterpart_reasons: row.cranelift_no_counterpart_reasons.clone(),
    }
}

fn coverage_audit(coverage: &Coverage) -> CoverageAudit {
    let mut groups: Vec<GroupCoverage> = Vec::new();
    for inst in &coverage.instructions {
        let index = match groups.iter().position(|g| g.group == inst.group) {
            Some(index) => index,
            None => {
                groups.push(GroupCoverage { group: inst.group.clone(), total: 0, covered: 0 });
                groups.len() - 1
            }
        };
        groups[index].total += 1;
        groups[index].covered += usize::from(inst.instances > 0);
    }
    // The most covered groups first (then by name): the base instruction
    // set before the extensions we never emit.
    groups.sort_by(|a, b| b.covered.cmp(&a.covered).then_with(|| a.group.cmp(&b.group)));
    CoverageAudit {
        source: coverage.source.to_string(),
        total: coverage.instructions.len(),
        covered: coverage.covered(),
        groups,
        instructions: coverage
            .instructions
            .iter()
            .map(|i| InstructionCoverage { name: i.name.clone(), group: i.group.clone(), instances: i.instances })
            .collect(),
        sub_ops: coverage
            .sub_ops
            .iter()
            .map(|s| SubOpCoverage {
                enum_name: s.enum_name.to_string(),
                variants: s.variants.iter().map(|v| v.to_string()).collect(),
                values: s.values.iter().map(|&(v, n)| (v.to_string(), n)).collect(),
            })
            .collect(),
        unlisted: coverage.unlisted.clone(),
    }
}

/// Cranelift's instruction set of `isa` against the instances per
/// Cranelift instruction of a sweep.
fn cranelift_coverage(isa: &str, counts: &BTreeMap<String, u64>) -> CoverageAudit {
    match isa {
        "x86_64" => coverage_audit(&coverage::x64_coverage(counts)),
        "aarch64" => coverage_audit(&coverage::aarch64_coverage(counts)),
        other => CoverageAudit { source: format!("no instruction list for {other}"), ..CoverageAudit::default() },
    }
}

fn isa_audit(summary: &IsaSummary) -> IsaAudit {
    let capstone = match &summary.second {
        Some(second) => CapstoneTotals {
            ran: true,
            agree: second.agree,
            disagree: second.disagree,
            unsupported: second.unsupported,
            disagree_by_field: second.by_field.clone(),
            unsupported_examples: second.unsupported_examples.clone(),
        },
        None => CapstoneTotals::default(),
    };
    let forms: Vec<FormAudit> = summary.forms.iter().map(form_audit).collect();
    let (cranelift, differences, counts) = match &summary.cranelift {
        Some(c) => {
            let mut forms_by_class: BTreeMap<String, usize> = BTreeMap::new();
            for class in forms.iter().filter_map(|f| f.cranelift_class.clone()) {
                *forms_by_class.entry(class).or_default() += 1;
            }
            let totals = CraneliftTotals {
                ran: true,
                identical: c.identical,
                equivalent: c.equivalent,
                different: c.different,
                no_counterpart: c.no_counterpart,
                forms_by_class,
                equivalent_reasons: c.equivalent_reasons.clone(),
                no_counterpart_reasons: c.no_counterpart_reasons.clone(),
            };
            (totals, c.differences.clone(), c.instructions.clone())
        }
        None => (CraneliftTotals::default(), Vec::new(), BTreeMap::new()),
    };
    IsaAudit {
        isa: summary.isa.clone(),
        instances: summary.instances,
        machine_instructions: summary.machine_instructions,
        forms_total: summary.forms_total,
        forms_covered: summary.forms_covered,
        forms_complete: summary.forms_complete,
        min_instances_per_form: summary.min_instances_per_form,
        short_forms: summary.short_forms.clone(),
        defects: summary.defects,
        decoder_unsupported: summary.decoder_unsupported,
        decoder_unsupported_examples: summary.unsupported_examples.clone(),
        capstone,
        cranelift,
        forms,
        unlisted_forms: summary.unlisted_forms.iter().map(form_audit).collect(),
        defect_list: summary.all_defects.clone(),
        disagreements: summary.second.as_ref().map(|s| s.disagreements.clone()).unwrap_or_default(),
        cranelift_differences: differences,
        cranelift_coverage: cranelift_coverage(&summary.isa, &counts),
    }
}

impl EncodingAudit {
    /// The report of the sweeps `summaries` (one per ISA, run with the
    /// same seed and case count), with `extra_sections` after them.
    pub fn new(summaries: &[IsaSummary], extra_sections: Vec<ExtraSection>) -> EncodingAudit {
        let isas: Vec<IsaAudit> = summaries.iter().map(isa_audit).collect();
        let mut totals = AuditTotals::default();
        for isa in &isas {
            totals.instances += isa.instances;
            totals.forms_total += isa.forms_total;
            totals.forms_covered += isa.forms_covered;
            totals.defects += isa.defects;
            totals.decoder_disagreements += isa.capstone.disagree;
            totals.capstone_unsupported += isa.capstone.unsupported;
            totals.cranelift_different += isa.cranelift.different;
            for (class, n) in &isa.cranelift.forms_by_class {
                *totals.cranelift_forms_by_class.entry(class.clone()).or_default() += n;
            }
            totals.cranelift_instructions_total += isa.cranelift_coverage.total;
            totals.cranelift_instructions_covered += isa.cranelift_coverage.covered;
        }
        let normalizations = oracle::NORMALIZATIONS
            .iter()
            .map(|n| NormalizationRow {
                isa: n.isa.to_string(),
                capstone: n.capstone.to_string(),
                primary: n.primary.to_string(),
                reason: n.reason.to_string(),
            })
            .collect();
        EncodingAudit {
            generated_by: "parity report".to_string(),
            tools: tool_versions(LOCKFILE),
            seed: summaries.first().map_or(0, |s| s.seed),
            cases_per_form: summaries.first().map_or(0, |s| s.cases_per_form),
            totals,
            isas,
            normalizations,
            extra_sections,
        }
    }

    /// Whether any ISA has a wrong encoding or a meaning that differs from
    /// Cranelift's.
    pub fn has_defects(&self) -> bool {
        self.totals.defects > 0 || self.totals.cranelift_different > 0
    }

    /// The report as JSON: objects indented, except that every element of
    /// an array is on one line (one line per form, mismatch or
    /// instruction: short, and readable in a diff).
    pub fn to_json(&self) -> String {
        json::layout(&serde_json::to_string(self).expect("the report serializes"))
    }

    /// The report as Markdown, showing at most `shown` mismatches of each
    /// group.
    pub fn to_markdown(&self, shown: usize) -> String {
        render::markdown(&document::blocks(self, shown))
    }

    /// The report as one HTML page, showing at most `shown` mismatches of
    /// each group.
    pub fn to_html(&self, shown: usize) -> String {
        render::html(&document::blocks(self, shown))
    }

    /// Writes `encoding.json`, `encoding.md` and `encoding.html` into
    /// `dir` (created if missing); returns their paths.
    pub fn write_files(&self, dir: &Path, shown: usize) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let files = [
            ("encoding.json", self.to_json() + "\n"),
            ("encoding.md", self.to_markdown(shown)),
            ("encoding.html", self.to_html(shown)),
        ];
        let mut paths = Vec::new();
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::write(&path, text)?;
            paths.push(path);
        }
        Ok(paths)
    }
}

#[cfg(test)]
mod tests;
