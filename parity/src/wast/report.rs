//! Results of a `.wast` run: counts, failures and skip reasons per file and ISA.
//!
//! ```text
//! script ─▶ run ─▶ **report** ─┬─ text (stdout, parsed by CI)
//!                             ├─ JSON (--json, feeds the audit report)
//!                             └─ expectations (--check / --bless)
//! ```
//!
//! Every directive of a file ends in exactly one [`Outcome`]. The text form
//! ends with the single summary line `N passed, N failed, N skipped`, whose
//! exact wording CI parses.

use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// How one directive ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It checked something and the check held.
    Passed,
    /// It checked something and the check failed: the message says what was
    /// expected and what happened.
    Failed(String),
    /// It could not be checked, for this reason.
    Skipped(String),
}

/// One failed directive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// 1-based line of the directive.
    pub line: usize,
    /// 1-based column of the directive.
    pub column: usize,
    /// The full message: `file:line:column: directive: what was expected, what happened`.
    pub message: String,
}

/// The results of one file on one ISA.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// The file's key: its path relative to the testsuite directory when it
    /// lies inside it, otherwise the path as given.
    pub file: String,
    /// The ISA name (`x86_64`, `aarch64`).
    pub isa: String,
    /// Directives that passed.
    pub passed: usize,
    /// Directives that failed.
    pub failed: usize,
    /// Directives that were skipped.
    pub skipped: usize,
    /// Every failure, in file order.
    pub failures: Vec<Failure>,
    /// Skip reason → number of directives skipped for it.
    pub skip_reasons: BTreeMap<String, usize>,
    /// Trap kind (`TrapCode::name`) → passing assertions that produced it.
    #[serde(default)]
    pub trap_kinds: BTreeMap<String, usize>,
}

impl FileReport {
    /// An empty report for `file` on `isa`.
    pub fn new(file: &str, isa: &str) -> FileReport {
        FileReport { file: file.to_string(), isa: isa.to_string(), ..FileReport::default() }
    }

    /// Records the outcome of the directive at `line:column`. A failure
    /// message is prefixed with `file:line:column: directive: `.
    pub fn record(&mut self, line: usize, column: usize, directive: &str, outcome: Outcome) {
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed(detail) => {
                self.failed += 1;
                let message = format!("{}:{line}:{column}: {directive}: {detail}", self.file);
                self.failures.push(Failure { line, column, message });
            }
            Outcome::Skipped(reason) => {
                self.skipped += 1;
                *self.skip_reasons.entry(normalize_reason(&reason)).or_default() += 1;
            }
        }
    }

    /// Writes the per-file line, then up to `max_failures` failure details
    /// (all with `verbose`), then the skip reasons when `verbose`.
    pub fn write_text(&self, out: &mut dyn Write, verbose: bool, max_failures: usize) -> io::Result<()> {
        writeln!(
            out,
            "{}  {}  passed {}  failed {}  skipped {}",
            self.file, self.isa, self.passed, self.failed, self.skipped
        )?;
        let shown = if verbose { self.failures.len() } else { self.failures.len().min(max_failures) };
        for failure in &self.failures[..shown] {
            writeln!(out, "  FAIL {}", failure.message)?;
        }
        if shown < self.failures.len() {
            writeln!(out, "  ... and {} more failures (--verbose shows all)", self.failures.len() - shown)?;
        }
        if verbose {
            let mut reasons: Vec<(&String, &usize)> = self.skip_reasons.iter().collect();
            reasons.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            for (reason, count) in reasons {
                writeln!(out, "  skipped {count:>5}  {reason}")?;
            }
        }
        Ok(())
    }
}

/// Removes detail that would keep equal reasons apart when counting them:
/// the byte offset compile errors end with (`... (at offset 0x1a)`).
pub fn normalize_reason(reason: &str) -> String {
    let mut reason = reason;
    if let Some(start) = reason.rfind(" (at offset 0x")
        && reason.ends_with(')')
    {
        reason = &reason[..start];
    }
    // "... in function 12": the same reason for every function.
    if let Some(start) = reason.rfind(" in function ")
        && reason[start + " in function ".len()..].bytes().all(|b| b.is_ascii_digit())
    {
        reason = &reason[..start];
    }
    reason.to_string()
}

/// Passed / failed / skipped totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Directives that passed.
    pub passed: usize,
    /// Directives that failed.
    pub failed: usize,
    /// Directives that were skipped.
    pub skipped: usize,
}

impl std::fmt::Display for Totals {
    /// The summary line CI parses: `N passed, N failed, N skipped`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} passed, {} failed, {} skipped", self.passed, self.failed, self.skipped)
    }
}

/// The results of a whole run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// One entry per file and ISA, in run order.
    pub files: Vec<FileReport>,
}

impl Report {
    /// Sums over all files and ISAs.
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for file in &self.files {
            totals.passed += file.passed;
            totals.failed += file.failed;
            totals.skipped += file.skipped;
        }
        totals
    }

    /// Whether any directive failed.
    pub fn has_failures(&self) -> bool {
        self.files.iter().any(|file| file.failed > 0)
    }

    /// The report as pretty-printed JSON (`{"totals": ..., "files": [...]}`).
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Json<'a> {
            totals: Totals,
            files: &'a [FileReport],
        }
        serde_json::to_string_pretty(&Json { totals: self.totals(), files: &self.files })
            .unwrap_or_else(|error| format!("{{\"error\": \"could not serialize the report: {error}\"}}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_renders() {
        let mut report = FileReport::new("a.wast", "x86_64");
        report.record(3, 1, "assert_return", Outcome::Failed("expected [i32.const 1], got [i32.const 2]".into()));
        report.record(4, 1, "assert_return", Outcome::Passed);
        report.record(5, 1, "module", Outcome::Skipped("uses simd (at offset 0x1a)".into()));
        report.record(6, 1, "module", Outcome::Skipped("uses simd (at offset 0x2b)".into()));
        assert_eq!((report.passed, report.failed, report.skipped), (1, 1, 2));
        assert_eq!(report.skip_reasons.get("uses simd"), Some(&2));
        assert_eq!(report.failures[0].message, "a.wast:3:1: assert_return: expected [i32.const 1], got [i32.const 2]");

        let mut text = Vec::new();
        report.write_text(&mut text, true, 10).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.starts_with("a.wast  x86_64  passed 1  failed 1  skipped 2\n"), "{text}");
        assert!(text.contains("  FAIL a.wast:3:1: assert_return"), "{text}");
        assert!(text.contains("uses simd"), "{text}");
    }

    #[test]
    fn failure_details_are_capped_unless_verbose() {
        let mut report = FileReport::new("b.wast", "x86_64");
        for line in 1..=12 {
            report.record(line, 1, "invoke", Outcome::Failed("unexpected trap".into()));
        }
        let mut text = Vec::new();
        report.write_text(&mut text, false, 10).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert_eq!(text.matches("FAIL").count(), 10);
        assert!(text.contains("and 2 more failures"));
    }

    #[test]
    fn totals_line_has_the_ci_format() {
        let mut report = Report::default();
        let mut file = FileReport::new("c.wast", "x86_64");
        file.record(1, 1, "module", Outcome::Passed);
        file.record(2, 1, "module", Outcome::Skipped("x".into()));
        report.files.push(file.clone());
        report.files.push(file);
        assert_eq!(report.totals().to_string(), "2 passed, 0 failed, 2 skipped");
        assert!(!report.has_failures());
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["totals"]["passed"], 2);
        assert_eq!(json["files"][0]["skip_reasons"]["x"], 1);
    }

    #[test]
    fn reasons_without_offsets_are_kept() {
        assert_eq!(normalize_reason("plain"), "plain");
        assert_eq!(normalize_reason("f (at offset 0x10)"), "f");
        assert_eq!(
            normalize_reason("unsupported: operator X in function 12 (at offset 0x10)"),
            "unsupported: operator X"
        );
        assert_eq!(normalize_reason("in function twelve"), "in function twelve");
    }
}
