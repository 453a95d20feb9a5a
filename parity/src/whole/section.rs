//! The whole-function parity results as a section of the encoding audit
//! report (`audit/encoding.{md,html,json}`).
//!
//! Part of `whole`, after [`super::report`]: a [`WholeReport`] becomes an
//! [`ExtraSection`] of `encode::report` — blocks for the Markdown and HTML
//! pages (per ISA and scope: the fractions, why encodings differ, defects,
//! why instructions are inexpressible, the most frequent mnemonics) and the
//! whole report as the section's JSON data.

use super::report::{IsaReport, ScopeReport, WholeReport};
use crate::encode::report::{Block, ExtraSection};

/// Mnemonic rows shown per ISA and scope (the JSON has all).
const MNEMONICS_SHOWN: usize = 25;

/// The section's title.
pub const TITLE: &str = "Whole-function parity (Cranelift's real output, re-encoded by us)";

/// `report` as a section of the encoding audit, with at most `shown`
/// examples of each kind in the pages.
pub fn extra_section(report: &WholeReport, shown: usize) -> ExtraSection {
    let mut blocks = vec![Block::Paragraph(format!(
        "{} modules compiled by wasmtime 48.0.8 (Cranelift, opt level `{}`) for each ISA; every instruction of \
         its output decoded, lifted into one of our instructions where our instruction set can express it, \
         re-encoded by our emitter and compared byte for byte. Jump tables, constants and padding are skipped \
         as data. Trampolines (wasmtime's glue) are counted apart from the modules' own functions.",
        report.modules.len(),
        report.opt_level
    ))];
    for note in &report.notes {
        blocks.push(Block::Paragraph(format!("Note: {note}")));
    }
    blocks.push(Block::Table { header: summary_header(), rows: report.isas.iter().flat_map(summary_rows).collect() });
    for isa in &report.isas {
        isa_blocks(isa, shown, &mut blocks);
    }
    let data = serde_json::to_value(report).unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }));
    ExtraSection { title: TITLE.to_string(), blocks, data }
}

fn summary_header() -> Vec<String> {
    [
        "ISA",
        "scope",
        "symbols",
        "instructions",
        "expressible",
        "identical",
        "equivalent",
        "different",
        "identical of expressible",
        "reproduced (identical + equivalent) of expressible",
    ]
    .map(String::from)
    .to_vec()
}

fn summary_rows(isa: &IsaReport) -> Vec<Vec<String>> {
    let row = |scope: &str, s: &ScopeReport| {
        vec![
            isa.isa.to_string(),
            scope.to_string(),
            s.symbols.to_string(),
            s.instructions.to_string(),
            format!("{} ({:.2}%)", s.expressible, s.expressible_percent),
            format!("{} ({:.2}%)", s.identical, s.identical_percent),
            s.equivalent.to_string(),
            s.different.to_string(),
            format!("{:.2}%", s.identical_of_expressible_percent),
            format!("{:.2}%", s.reproduced_percent),
        ]
    };
    vec![row("functions", &isa.functions), row("trampolines", &isa.trampolines)]
}

fn isa_blocks(isa: &IsaReport, shown: usize, blocks: &mut Vec<Block>) {
    for failure in &isa.failures {
        blocks.push(Block::Paragraph(format!("{}: wasmtime could not compile {failure}", isa.isa)));
    }
    for (scope, s) in [("functions", &isa.functions), ("trampolines", &isa.trampolines)] {
        let name = format!("{} {scope}", isa.isa);
        if s.different > 0 {
            blocks.push(Block::Heading {
                level: 3,
                text: format!("{name}: {} different (defects)", s.different),
                bad: true,
            });
            blocks.push(Block::Table {
                header: ["where", "Cranelift's bytes", "ours", "Cranelift's text", "our text", "detail"]
                    .map(String::from)
                    .to_vec(),
                rows: s
                    .defects
                    .iter()
                    .take(shown)
                    .map(|d| {
                        vec![
                            format!("{} {} +{:#x}", d.at.module, d.at.function, d.at.offset),
                            d.theirs.clone(),
                            d.ours.clone(),
                            d.their_text.clone(),
                            d.our_text.clone(),
                            d.detail.clone(),
                        ]
                    })
                    .collect(),
            });
        }
        if !s.equivalent_reasons.is_empty() {
            blocks.push(Block::subsection(format!("{name}: why equivalent encodings differ")));
            blocks.push(Block::Table {
                header: ["reason", "instructions", "example", "Cranelift's bytes", "ours"].map(String::from).to_vec(),
                rows: s
                    .equivalent_reasons
                    .iter()
                    .map(|r| {
                        vec![r.reason.clone(), r.count.to_string(), r.text.clone(), r.theirs.clone(), r.ours.clone()]
                    })
                    .collect(),
            });
        }
        if !s.inexpressible_reasons.is_empty() {
            blocks.push(Block::subsection(format!("{name}: why instructions are inexpressible")));
            blocks.push(Block::Table {
                header: ["reason", "instructions"].map(String::from).to_vec(),
                rows: s.inexpressible_reasons.iter().map(|r| vec![r.reason.clone(), r.count.to_string()]).collect(),
            });
        }
        if !s.mnemonics.is_empty() {
            let total = s.mnemonics.len();
            blocks.push(Block::subsection(format!(
                "{name}: the {} most frequent mnemonics (of {total})",
                total.min(MNEMONICS_SHOWN)
            )));
            blocks.push(Block::Table {
                header: [
                    "mnemonic",
                    "count",
                    "expressible",
                    "identical",
                    "equivalent",
                    "different",
                    "inexpressible: why",
                ]
                .map(String::from)
                .to_vec(),
                rows: s
                    .mnemonics
                    .iter()
                    .take(MNEMONICS_SHOWN)
                    .map(|m| {
                        let why: Vec<String> =
                            m.inexpressible_reasons.iter().map(|r| format!("{} ({})", r.reason, r.count)).collect();
                        vec![
                            m.mnemonic.clone(),
                            m.count.to_string(),
                            m.expressible.to_string(),
                            m.identical.to_string(),
                            m.equivalent.to_string(),
                            m.different.to_string(),
                            why.join("; "),
                        ]
                    })
                    .collect(),
            });
        }
    }
}
