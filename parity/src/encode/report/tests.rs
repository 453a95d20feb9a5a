//! Tests of the encoding audit report on hand-made summaries: the tool
//! versions, the per-form reasons, mismatches grouped and capped in the
//! views but all in the JSON, and the extra sections.

use super::*;
use crate::encode::{CraneliftSummary, SecondSummary};

fn row(form: &str, instances: u64) -> FormRow {
    FormRow { form: form.to_string(), instances, second_agree: instances, ..FormRow::default() }
}

fn defect(form: &str, index: u64) -> Defect {
    Defect {
        form: form.to_string(),
        chunk: 0,
        index,
        inst: "AluRRR { op: Add }".to_string(),
        bytes: "48 01 c8".to_string(),
        decoded: "add rax,rcx".to_string(),
        capstone: "reads the same instructions as the primary decoder".to_string(),
        report: "register: expected rcx, found rdx".to_string(),
    }
}

/// An x86-64 summary with three forms: one identical, one equivalent, one
/// without a counterpart; `defects` defects of `Alu.add`.
fn summary(defects: u64) -> IsaSummary {
    let mut identical = row("Alu.add", 4);
    identical.cranelift_identical = 4;
    identical.defects = defects;
    let mut equivalent = row("Shift.shl.1", 3);
    equivalent.cranelift_identical = 1;
    equivalent.cranelift_equivalent = 2;
    equivalent.cranelift_equivalent_reasons.insert("shift by 1: D1 on one side, C1 on the other".into(), 2);
    let mut none = row("CallKnown", 2);
    none.cranelift_no_counterpart = 2;
    none.cranelift_no_counterpart_reasons.insert("call to a symbol".into(), 2);
    let cranelift = CraneliftSummary {
        identical: 5,
        equivalent: 2,
        no_counterpart: 2,
        instructions: BTreeMap::from([("addq_rm".to_string(), 4), ("shlq_mi".to_string(), 3)]),
        ..CraneliftSummary::default()
    };
    IsaSummary {
        isa: "x86_64".into(),
        cases_per_form: 2,
        seed: 9,
        instances: 9,
        machine_instructions: 9,
        forms_total: 3,
        forms_covered: 3,
        forms_complete: 3,
        min_instances_per_form: 2,
        short_forms: vec![],
        defects,
        all_defects: (0..defects).map(|i| defect("Alu.add", i)).collect(),
        decoder_unsupported: 0,
        unsupported_examples: vec![],
        second: Some(SecondSummary { agree: 9, ..SecondSummary::default() }),
        cranelift: Some(cranelift),
        jobs: 1,
        elapsed_secs: 1234.5678,
        instances_per_sec: 8765.4321,
        machine_instructions_per_sec: 8765.4321,
        per_thread_instances_per_sec: 8765.4321,
        forms: vec![identical, equivalent, none],
        unlisted_forms: vec![],
    }
}

#[test]
fn tool_versions_come_from_the_lockfile() {
    let lock = "version = 4\n\n[[package]]\nname = \"iced-x86\"\nversion = \"1.22.0\"\nsource = \"x\"\n\n\
                [[package]]\nname = \"capstone\"\nversion = \"0.14.0\"\n";
    let tools = tool_versions(lock);
    let version = |name: &str| tools.iter().find(|t| t.name == name).map(|t| t.version.clone());
    assert_eq!(version("iced-x86").as_deref(), Some("1.22.0"));
    assert_eq!(version("capstone").as_deref(), Some("0.14.0"));
    assert_eq!(version("yaxpeax-arm").as_deref(), Some("not in Cargo.lock"));
    // The real lockfile pins the Cranelift the oracles were written for.
    let real = tool_versions(LOCKFILE);
    assert_eq!(real.iter().find(|t| t.name == "cranelift-codegen").map(|t| t.version.as_str()), Some("0.135.8"));
}

#[test]
fn every_form_says_why_it_is_not_identical() {
    let audit = EncodingAudit::new(&[summary(0)], vec![]);
    let forms = &audit.isas[0].forms;
    assert_eq!(forms[0].cranelift_class.as_deref(), Some("identical"));
    assert_eq!(forms[0].reason, "");
    assert_eq!(forms[1].cranelift_class.as_deref(), Some("equivalent"));
    assert_eq!(forms[1].reason, "shift by 1: D1 on one side, C1 on the other");
    assert_eq!(forms[2].cranelift_class.as_deref(), Some("no counterpart"));
    assert_eq!(forms[2].reason, "call to a symbol");
    let by_class = &audit.totals.cranelift_forms_by_class;
    assert_eq!((by_class["identical"], by_class["equivalent"], by_class["no counterpart"]), (1, 1, 1));
    let coverage = &audit.isas[0].cranelift_coverage;
    assert_eq!((coverage.covered, coverage.total), (2, 1073));
    // Groups with the most covered come first.
    assert_eq!((coverage.groups[0].group.as_str(), coverage.groups[0].covered), ("base", 2));
}

#[test]
fn a_mixed_form_counts_its_instances_without_counterpart() {
    let mut summary = summary(0);
    summary.forms[0].cranelift_no_counterpart = 1;
    summary.forms[0].cranelift_no_counterpart_reasons.insert("emits nothing".into(), 1);
    let audit = EncodingAudit::new(&[summary], vec![]);
    assert_eq!(audit.isas[0].forms[0].reason, "no counterpart for 1 of 4 instances: emits nothing");
}

#[test]
fn views_cap_each_group_and_json_keeps_all() {
    let audit = EncodingAudit::new(&[summary(7)], vec![]);
    assert!(audit.has_defects());
    let md = audit.to_markdown(2);
    assert_eq!(md.matches("| `Alu.add` | 0/").count(), 2, "{md}");
    assert!(md.contains("5 more are not shown here; `encoding.json` lists every one."), "{md}");
    assert!(md.contains("7 wrong encodings in 1 forms"));
    let html = audit.to_html(2);
    assert!(html.contains("<h3 id=\"x86-64-defects\" class=\"bad\">x86_64: defects</h3>"), "{html}");
    assert_eq!(html.matches("<td><code>48 01 c8</code></td>").count(), 2);
    let json: EncodingAudit = serde_json::from_str(&audit.to_json()).expect("reads back");
    assert_eq!(json.isas[0].defect_list.len(), 7);
    assert_eq!(json.totals.defects, 7);
}

#[test]
fn the_views_have_no_timing_and_no_external_reference() {
    let audit = EncodingAudit::new(&[summary(0)], vec![]);
    let (md, html, json) = (audit.to_markdown(5), audit.to_html(5), audit.to_json());
    for text in [&md, &html, &json] {
        for timing in ["1234.5678", "8765.4321", "elapsed", "per_sec", "jobs"] {
            assert!(!text.contains(timing), "a timing leaked: {timing}");
        }
    }
    assert!(!html.contains("http") && !html.contains("<link") && !html.contains("<script"));
    assert!(md.contains("## x86_64\n") && md.contains("None: every instance decodes"));
    assert!(md.contains("| `Shift.shl.1` | 3 | 0 | 3/3 | equivalent | shift by 1: D1 on one side, C1 on the other |"));
    assert!(md.contains("| base | 2/"), "{md}");
}

#[test]
fn extra_sections_follow_the_sweep() {
    let extra = ExtraSection {
        title: "Whole-function parity".to_string(),
        blocks: vec![Block::Paragraph("12 functions, 0 different.".into())],
        data: serde_json::json!({ "functions": 12 }),
    };
    let audit = EncodingAudit::new(&[summary(0)], vec![extra]);
    let md = audit.to_markdown(5);
    let at = md.find("## Whole-function parity\n\n12 functions, 0 different.").expect("the section is there");
    assert!(at > md.find("## Decoder normalizations").expect("normalizations"));
    assert!(audit.to_html(5).contains("<a href=\"#whole-function-parity\">"));
    assert!(audit.to_json().contains("\"data\":{\"functions\":12}"));
}

#[test]
fn json_puts_each_array_element_on_one_line() {
    let audit = EncodingAudit::new(&[summary(1)], vec![]);
    let json = audit.to_json();
    assert!(json.starts_with("{\n  \"generated_by\": \"parity report\",\n"), "{}", &json[..200]);
    let line = json.lines().find(|l| l.contains("\"form\":\"Shift.shl.1\"")).expect("the form's line");
    assert!(line.trim_start().starts_with('{') && line.ends_with("},"), "{line}");
    assert!(line.contains("\"equivalent_reasons\":{\"shift by 1: D1 on one side, C1 on the other\":2}"));
    assert!(!line.contains("no_counterpart_reasons"), "empty maps are left out: {line}");
    let back: EncodingAudit = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, audit);
}
