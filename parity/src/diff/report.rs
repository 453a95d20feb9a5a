//! The auditors' differential report: a sweep's [`Summary`] as Markdown
//! (`audit/differential.md`) and as one self-contained HTML page
//! (`audit/differential.html`, readable without a server).
//!
//! ```text
//!  parity sweep ─▶ Summary ─┬─ JSON (serde)          audit/differential.json
//!                           ├─ to_markdown           audit/differential.md
//!                           └─ to_html               audit/differential.html
//! ```
//!
//! Both views hold the same sections, built once as [`Section`]s: the run,
//! counts by engine, what the reference did (trap kinds, limits), the
//! operators the programs exercised, and every open divergence.

use super::sweep::Summary;
use crate::markup::{escape_html as escape, html_head, html_table, markdown_table};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One section: a title, a lead paragraph, and a table.
struct Section {
    title: String,
    lead: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn section(title: &str, lead: String, header: &[&str], rows: Vec<Vec<String>>) -> Section {
    Section { title: title.to_string(), lead, header: header.iter().map(|h| h.to_string()).collect(), rows }
}

fn total(map: &BTreeMap<String, u64>) -> u64 {
    map.values().sum()
}

fn sections(summary: &Summary) -> Vec<Section> {
    let mut sections = Vec::new();
    let by_generator: Vec<String> = summary.programs_by_generator.iter().map(|(g, n)| format!("{g}: {n}")).collect();
    let mut run = vec![
        vec!["seed".to_string(), summary.seed.to_string()],
        vec!["programs".to_string(), format!("{} ({})", summary.programs, by_generator.join(", "))],
        vec!["generator errors".to_string(), summary.generator_errors.to_string()],
        vec!["wall-clock time".to_string(), format!("{:.1} s", summary.elapsed_seconds)],
        vec!["throughput".to_string(), format!("{:.2} programs/s", summary.programs_per_second)],
        vec!["divergences".to_string(), summary.divergence_count().to_string()],
    ];
    if let Some(fault) = &summary.fault {
        run.push(vec!["injected fault".to_string(), format!("{fault} (self-test: divergences are expected)")]);
    }
    sections.push(section(
        "Run",
        "Every program runs in wasmtime (the reference) and in our compiled code for each ISA; results, trap \
         kinds, exported globals and memory bytes are compared after every step."
            .to_string(),
        &["measure", "value"],
        run,
    ));

    let rows = summary
        .engines
        .iter()
        .map(|e| match &e.unavailable {
            Some(reason) => vec![e.engine.clone(), format!("not run: {reason}"), String::new(), String::new()],
            None => vec![
                e.engine.clone(),
                format!(
                    "{} compiled, {} unsupported, {} invalid (as expected), {} functions stubbed",
                    e.modules_compiled, e.modules_unsupported, e.modules_invalid_as_expected, e.unsupported_functions
                ),
                format!(
                    "{} compared, {} agreed, {} unsupported, {} limited, {} not run",
                    e.compared,
                    e.agreed,
                    e.unsupported_calls,
                    total(&e.resource_limits),
                    e.not_run
                ),
                e.divergences.to_string(),
            ],
        })
        .collect();
    sections.push(section(
        "By engine",
        "A step is an instantiation or a call. Limited steps hit a resource limit (stack, fuel, timeout) on \
         either side and are recorded, not compared."
            .to_string(),
        &["engine", "modules", "steps", "divergences"],
        rows,
    ));

    let r = &summary.reference;
    let traps = total(&r.traps);
    let mut rows = vec![vec!["returned".to_string(), r.returns.to_string()]];
    rows.extend(r.traps.iter().map(|(kind, n)| vec![format!("trap: {kind}"), n.to_string()]));
    rows.extend(r.resource_limits.iter().map(|(kind, n)| vec![format!("limit: {kind}"), n.to_string()]));
    let exercised = r.returns + traps;
    let lead = format!(
        "{} calls and {} instantiations ({} trapped) in wasmtime; {} modules rejected. {:.1}% of calls returned \
         or trapped for a reason other than running out of fuel.",
        r.calls,
        r.instantiations,
        r.instantiation_traps,
        r.rejected_modules,
        if r.calls == 0 { 0.0 } else { 100.0 * exercised.min(r.calls) as f64 / r.calls as f64 }
    );
    sections.push(section("By outcome (reference)", lead, &["outcome", "count"], rows));

    let mut operators: Vec<(&String, &u64)> = summary.operators.iter().collect();
    operators.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let rows = operators.iter().map(|(name, n)| vec![name.to_string(), n.to_string()]).collect();
    sections.push(section(
        "By operator",
        format!(
            "{} distinct operators, {} in all, counted statically in the programs' code.",
            summary.operators.len(),
            total(&summary.operators)
        ),
        &["operator", "occurrences"],
        rows,
    ));

    let rows: Vec<Vec<String>> = summary
        .divergent_cases
        .iter()
        .flat_map(|case| {
            case.divergences.iter().map(move |d| {
                vec![
                    format!("{} ({})", case.index, case.generator.name()),
                    d.engine.clone(),
                    d.step.clone(),
                    d.detail.clone(),
                    d.reference.clone(),
                    d.actual.clone(),
                    case.file.clone().unwrap_or_default(),
                ]
            })
        })
        .collect();
    let lead = if rows.is_empty() {
        "None.".to_string()
    } else {
        "Each is saved as a case file; `parity replay FILE` reruns it and `parity reduce FILE` minimizes it \
         into `corpus/diff/`."
            .to_string()
    };
    sections.push(section(
        "Open divergences",
        lead,
        &["case", "engine", "step", "what differs", "reference", "ours", "file"],
        rows,
    ));
    sections
}

/// The report as Markdown.
pub fn to_markdown(summary: &Summary) -> String {
    let mut out = String::from("# Differential execution\n\nGenerated by `parity sweep` (see `scripts/audit`).\n");
    for s in sections(summary) {
        let _ = write!(out, "\n## {}\n\n{}\n", s.title, s.lead);
        if s.rows.is_empty() {
            continue;
        }
        markdown_table(&mut out, &s.header, &s.rows);
    }
    out
}

/// The report as one HTML page with inline styles.
pub fn to_html(summary: &Summary) -> String {
    let mut out = html_head("Differential execution", "");
    out.push_str(
        "<h1>Differential execution</h1>\n<p>Generated by <code>parity sweep</code> (see \
         <code>scripts/audit</code>).</p>\n",
    );
    for s in sections(summary) {
        let class = if s.title == "Open divergences" && !s.rows.is_empty() { " class=\"bad\"" } else { "" };
        let _ = write!(out, "<h2{class}>{}</h2>\n<p>{}</p>\n", escape(&s.title), escape(&s.lead));
        if s.rows.is_empty() {
            continue;
        }
        html_table(&mut out, &s.header, &s.rows);
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Divergence;
    use crate::diff::sweep::{DivergentCase, EngineSummary, Generator};

    fn summary() -> Summary {
        let mut summary = Summary { seed: 7, programs: 3, ..Summary::default() };
        summary.reference.calls = 10;
        summary.reference.returns = 6;
        summary.reference.traps.insert("heap_oob".to_string(), 3);
        summary.reference.resource_limits.insert("termination_fuel".to_string(), 1);
        summary.operators.insert("I32Add".to_string(), 5);
        summary.operators.insert("Call".to_string(), 9);
        summary.engines.push(EngineSummary { engine: "x86_64".to_string(), divergences: 1, ..Default::default() });
        summary.divergent_cases.push(DivergentCase {
            index: 2,
            generator: Generator::Single,
            divergences: vec![Divergence {
                engine: "x86_64".to_string(),
                step: "call #1 f(i32 1)".to_string(),
                reference: "returned [i32 1]".to_string(),
                actual: "returned [i32 2]".to_string(),
                detail: "a | b <c>".to_string(),
            }],
            file: Some("target/divergences/single-seed7-case2.json".to_string()),
        });
        summary
    }

    #[test]
    fn markdown_has_every_section_and_escapes_cells() {
        let text = to_markdown(&summary());
        for title in ["## Run", "## By engine", "## By outcome (reference)", "## By operator", "## Open divergences"] {
            assert!(text.contains(title), "{title} missing:\n{text}");
        }
        assert!(text.contains("| trap: heap_oob | 3 |"));
        assert!(text.contains("| limit: termination_fuel | 1 |"));
        // Returned or trapped, not limited: 9 of 10 calls.
        assert!(text.contains("90.0% of calls"));
        // Operators by count, most frequent first.
        assert!(text.find("| Call | 9 |").unwrap() < text.find("| I32Add | 5 |").unwrap());
        assert!(text.contains("a \\| b <c>"));
        assert!(text.contains("single-seed7-case2.json"));
    }

    #[test]
    fn html_is_one_escaped_page() {
        let html = to_html(&summary());
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
        assert!(html.contains("a | b &lt;c&gt;"));
        assert!(!html.contains("<c>"));
        assert!(html.contains("<h2 class=\"bad\">Open divergences</h2>"));
        assert_eq!(html.matches("<table>").count(), html.matches("</table>").count());
    }

    #[test]
    fn no_divergence_says_none() {
        let mut clean = summary();
        clean.divergent_cases.clear();
        assert!(to_markdown(&clean).contains("## Open divergences\n\nNone.\n"));
        assert!(to_html(&clean).contains("<h2>Open divergences</h2>"));
    }
}
