//! Committed expectations for `.wast` runs, and the check against them.
//!
//! ```text
//! run ─▶ report ─▶ **expectations** ─┬─ --check: did any file regress?
//!                                   └─ --bless: record the run
//! ```
//!
//! The file (`parity/expectations/wast.tsv` by default) is plain TSV with a
//! header line, one row per file and ISA:
//!
//! ```text
//! file<TAB>isa<TAB>passed<TAB>failed<TAB>skipped
//! i32.wast<TAB>x86_64<TAB>460<TAB>0<TAB>0
//! ```
//!
//! A row *regresses* when a run passes fewer directives than it records or
//! fails more. Files the expectations do not mention are reported but never
//! fail the check. Blessing rewrites only the rows of files and ISAs that
//! were run and keeps the others.

use super::report::{FileReport, Report};
use std::collections::BTreeMap;

/// The header line of the TSV file.
pub const HEADER: &str = "file\tisa\tpassed\tfailed\tskipped";

/// The expected counts for one file on one ISA.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Directives that passed.
    pub passed: usize,
    /// Directives that failed.
    pub failed: usize,
    /// Directives that were skipped.
    pub skipped: usize,
}

impl Counts {
    fn of(report: &FileReport) -> Counts {
        Counts { passed: report.passed, failed: report.failed, skipped: report.skipped }
    }
}

/// A malformed expectations file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExpectationsError {
    /// The first line is not [`HEADER`].
    #[error("line {line}: expected the header {HEADER:?}, found {found:?}")]
    BadHeader {
        /// 1-based line.
        line: usize,
        /// What was there.
        found: String,
    },
    /// A row does not have five tab-separated fields with numeric counts.
    #[error("line {line}: {problem}")]
    BadRow {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// The same file and ISA appear twice.
    #[error("line {line}: duplicate row for {file} on {isa}")]
    Duplicate {
        /// 1-based line.
        line: usize,
        /// The file.
        file: String,
        /// The ISA.
        isa: String,
    },
}

/// The parsed expectations: (file, isa) → counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectations {
    /// The rows, sorted by file then ISA.
    pub rows: BTreeMap<(String, String), Counts>,
}

/// The result of comparing a run with the expectations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckResult {
    /// Rows that got worse: these fail the check.
    pub regressions: Vec<String>,
    /// Rows that got better: consider blessing.
    pub improvements: Vec<String>,
    /// Files and ISAs run that the expectations do not mention.
    pub unexpected: Vec<String>,
}

impl CheckResult {
    /// Whether the run is at least as good as expected everywhere.
    pub fn passed(&self) -> bool {
        self.regressions.is_empty()
    }
}

impl Expectations {
    /// Parses the TSV text. Blank lines and lines starting with `#` are
    /// ignored; the first other line must be the header.
    pub fn parse(text: &str) -> Result<Expectations, ExpectationsError> {
        let mut rows = BTreeMap::new();
        let mut seen_header = false;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let content = raw.trim_end_matches('\r');
            if content.trim().is_empty() || content.starts_with('#') {
                continue;
            }
            if !seen_header {
                if content != HEADER {
                    return Err(ExpectationsError::BadHeader { line, found: content.to_string() });
                }
                seen_header = true;
                continue;
            }
            let fields: Vec<&str> = content.split('\t').collect();
            let [file, isa, passed, failed, skipped] = fields[..] else {
                let problem = format!("expected 5 tab-separated fields, found {}", fields.len());
                return Err(ExpectationsError::BadRow { line, problem });
            };
            let count = |name: &str, field: &str| {
                field.parse::<usize>().map_err(|_| ExpectationsError::BadRow {
                    line,
                    problem: format!("{name} count {field:?} is not a number"),
                })
            };
            let counts = Counts {
                passed: count("passed", passed)?,
                failed: count("failed", failed)?,
                skipped: count("skipped", skipped)?,
            };
            let key = (file.to_string(), isa.to_string());
            if rows.insert(key, counts).is_some() {
                return Err(ExpectationsError::Duplicate { line, file: file.to_string(), isa: isa.to_string() });
            }
        }
        Ok(Expectations { rows })
    }

    /// The TSV text: header, then rows sorted by file and ISA.
    pub fn to_tsv(&self) -> String {
        let mut text = String::from(HEADER);
        text.push('\n');
        for ((file, isa), counts) in &self.rows {
            text.push_str(&format!("{file}\t{isa}\t{}\t{}\t{}\n", counts.passed, counts.failed, counts.skipped));
        }
        text
    }

    /// Records the counts of every file and ISA in `report`, keeping the
    /// rows of files and ISAs that were not run.
    pub fn bless(&mut self, report: &Report) {
        for file in &report.files {
            self.rows.insert((file.file.clone(), file.isa.clone()), Counts::of(file));
        }
    }

    /// Compares `report` with the expectations.
    pub fn check(&self, report: &Report) -> CheckResult {
        let mut result = CheckResult::default();
        for file in &report.files {
            let actual = Counts::of(file);
            let Some(expected) = self.rows.get(&(file.file.clone(), file.isa.clone())) else {
                result.unexpected.push(format!(
                    "{} on {}: not in the expectations (passed {}, failed {}, skipped {})",
                    file.file, file.isa, actual.passed, actual.failed, actual.skipped
                ));
                continue;
            };
            let mut problems = Vec::new();
            if actual.passed < expected.passed {
                problems.push(format!("passed {} < expected {}", actual.passed, expected.passed));
            }
            if actual.failed > expected.failed {
                problems.push(format!("failed {} > expected {}", actual.failed, expected.failed));
            }
            if !problems.is_empty() {
                result.regressions.push(format!("{} on {}: {}", file.file, file.isa, problems.join(", ")));
            } else if actual != *expected {
                result.improvements.push(format!(
                    "{} on {}: passed {} (expected {}), failed {} (expected {})",
                    file.file, file.isa, actual.passed, expected.passed, actual.failed, expected.failed
                ));
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wast::report::Outcome;

    fn file_report(file: &str, isa: &str, passed: usize, failed: usize, skipped: usize) -> FileReport {
        let mut report = FileReport::new(file, isa);
        for _ in 0..passed {
            report.record(1, 1, "module", Outcome::Passed);
        }
        for _ in 0..failed {
            report.record(1, 1, "module", Outcome::Failed("no".into()));
        }
        for _ in 0..skipped {
            report.record(1, 1, "module", Outcome::Skipped("later".into()));
        }
        report
    }

    #[test]
    fn parses_and_round_trips() {
        let text =
            "# comment\nfile\tisa\tpassed\tfailed\tskipped\nb.wast\tx86_64\t3\t1\t0\n\na.wast\tx86_64\t5\t0\t2\n";
        let expectations = Expectations::parse(text).expect("parses");
        assert_eq!(expectations.rows.len(), 2);
        assert_eq!(
            expectations.rows[&("a.wast".to_string(), "x86_64".to_string())],
            Counts { passed: 5, failed: 0, skipped: 2 }
        );
        let tsv = expectations.to_tsv();
        assert_eq!(tsv, "file\tisa\tpassed\tfailed\tskipped\na.wast\tx86_64\t5\t0\t2\nb.wast\tx86_64\t3\t1\t0\n");
        assert_eq!(Expectations::parse(&tsv), Ok(expectations));
        assert_eq!(Expectations::parse(""), Ok(Expectations::default()));
    }

    #[test]
    fn rejects_malformed_files() {
        assert!(matches!(Expectations::parse("file\tisa\n"), Err(ExpectationsError::BadHeader { line: 1, .. })));
        let bad_count = format!("{HEADER}\na.wast\tx86_64\tmany\t0\t0\n");
        assert!(matches!(Expectations::parse(&bad_count), Err(ExpectationsError::BadRow { line: 2, .. })));
        let short = format!("{HEADER}\na.wast\tx86_64\t1\n");
        assert!(matches!(Expectations::parse(&short), Err(ExpectationsError::BadRow { line: 2, .. })));
        let duplicate = format!("{HEADER}\na.wast\tx86_64\t1\t0\t0\na.wast\tx86_64\t1\t0\t0\n");
        assert!(matches!(Expectations::parse(&duplicate), Err(ExpectationsError::Duplicate { line: 3, .. })));
    }

    #[test]
    fn check_flags_fewer_passes_and_more_failures() {
        let expectations = Expectations::parse(&format!(
            "{HEADER}\na.wast\tx86_64\t5\t1\t0\nb.wast\tx86_64\t5\t1\t0\nc.wast\tx86_64\t5\t1\t0\nd.wast\tx86_64\t5\t1\t0\n"
        ))
        .unwrap();
        let report = Report {
            files: vec![
                file_report("a.wast", "x86_64", 4, 1, 1),  // fewer passes
                file_report("b.wast", "x86_64", 5, 2, 0),  // more failures
                file_report("c.wast", "x86_64", 5, 1, 0),  // as expected
                file_report("d.wast", "x86_64", 6, 0, 0),  // better
                file_report("e.wast", "x86_64", 1, 1, 0),  // unknown
                file_report("a.wast", "aarch64", 0, 3, 0), // unknown ISA row
            ],
        };
        let result = expectations.check(&report);
        assert!(!result.passed());
        assert_eq!(result.regressions.len(), 2, "{result:?}");
        assert!(result.regressions[0].starts_with("a.wast on x86_64: passed 4 < expected 5"));
        assert!(result.regressions[1].starts_with("b.wast on x86_64: failed 2 > expected 1"));
        assert_eq!(result.improvements.len(), 1);
        assert_eq!(result.unexpected.len(), 2);

        let fine = Report { files: vec![file_report("c.wast", "x86_64", 5, 1, 0)] };
        assert!(expectations.check(&fine).passed());
    }

    #[test]
    fn bless_replaces_only_rows_that_were_run() {
        let mut expectations =
            Expectations::parse(&format!("{HEADER}\na.wast\tx86_64\t5\t1\t0\na.wast\taarch64\t2\t0\t3\n")).unwrap();
        let report =
            Report { files: vec![file_report("a.wast", "x86_64", 6, 0, 0), file_report("b.wast", "x86_64", 1, 0, 0)] };
        expectations.bless(&report);
        assert_eq!(
            expectations.to_tsv(),
            format!("{HEADER}\na.wast\taarch64\t2\t0\t3\na.wast\tx86_64\t6\t0\t0\nb.wast\tx86_64\t1\t0\t0\n")
        );
        assert!(expectations.check(&report).passed());
    }
}
