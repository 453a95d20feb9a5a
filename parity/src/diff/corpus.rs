//! The differential regression corpus (`corpus/diff/*.json`): minimized
//! cases that once diverged, each with the reference's behaviour as its
//! expectation. Written by `parity reduce`, run by `parity corpus` (in
//! `scripts/test`).
//!
//! ```text
//!  parity reduce CASE ─▶ Reduced ─▶ CorpusCase { case, expected: ReferenceTally, origin } ─▶ corpus/diff/NAME.json
//!  parity corpus DIR  ─▶ each CorpusCase ─▶ replay (no fault) ─▶ pass when:
//!        the reference still behaves as recorded (calls, returns, traps by kind, limits)
//!        and every engine agrees with it at every step, memory and globals included
//! ```
//!
//! The recorded reference behaviour guards the case itself: if wasmtime or
//! the harness changed how the program runs, the case says so instead of
//! silently testing something else.

use super::Case;
use super::run::{CaseReport, Divergence, ReferenceTally};
use super::sweep;
use compiler::module::Target;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where a corpus case came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The case file it was reduced from.
    pub source: String,
    /// The fault injected when it was found (the harness's self-test), if
    /// any; without one it was a real compiler bug.
    pub fault: Option<String>,
    /// The divergences it showed when it was reduced.
    pub divergences: Vec<Divergence>,
    /// Module bytes before and after reduction.
    pub bytes: (usize, usize),
    /// Calls before and after reduction.
    pub calls: (usize, usize),
}

/// One regression case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusCase {
    /// What the case is about, in a sentence.
    pub description: String,
    /// The program and its calls.
    pub case: Case,
    /// What the reference does with it.
    pub expected: ReferenceTally,
    /// How it was found.
    pub origin: Origin,
}

/// The outcome of one corpus case.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The file.
    pub path: PathBuf,
    /// Steps compared per engine (`x86_64: 5`), or why an engine did not run.
    pub engines: Vec<String>,
    /// Everything wrong with it; empty when it passes.
    pub problems: Vec<String>,
}

/// Reads a corpus case.
pub fn read(path: &Path) -> Result<CorpusCase, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{}: not a corpus case: {error}", path.display()))
}

/// Writes `corpus` to `dir/NAME.json` (and the module to `NAME.wasm`, for
/// other tools). Returns the JSON path.
pub fn write(dir: &Path, name: &str, corpus: &CorpusCase) -> Result<PathBuf, String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(format!("{name:?}: a corpus case name takes letters, digits, '-' and '_'"));
    }
    std::fs::create_dir_all(dir).map_err(|error| format!("{}: cannot create: {error}", dir.display()))?;
    let json = serde_json::to_string_pretty(corpus).map_err(|error| error.to_string())? + "\n";
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, json).map_err(|error| format!("{}: cannot write: {error}", path.display()))?;
    let wasm_path = dir.join(format!("{name}.wasm"));
    std::fs::write(&wasm_path, &corpus.case.wasm)
        .map_err(|error| format!("{}: cannot write: {error}", wasm_path.display()))?;
    Ok(path)
}

/// The `*.json` files of `paths` (files as given, directories listed, sorted).
pub fn case_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries =
                std::fs::read_dir(path).map_err(|error| format!("{}: cannot list: {error}", path.display()))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
                .collect();
            found.sort();
            files.extend(found);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(format!("{}: no such file or directory", path.display()));
        }
    }
    Ok(files)
}

/// Runs one corpus case on `isas` (no fault) and judges it.
pub fn check(path: &Path, isas: &[Target]) -> CaseResult {
    let mut result = CaseResult { path: path.to_path_buf(), engines: Vec::new(), problems: Vec::new() };
    let corpus = match read(path) {
        Ok(corpus) => corpus,
        Err(error) => {
            result.problems.push(error);
            return result;
        }
    };
    let (report, unavailable) = match sweep::replay(&corpus.case, isas, None) {
        Ok(replayed) => replayed,
        Err(error) => {
            result.problems.push(error);
            return result;
        }
    };
    for (target, reason) in unavailable {
        result.engines.push(format!("{target}: not run ({reason})"));
    }
    judge(&corpus, &report, &mut result);
    result
}

fn judge(corpus: &CorpusCase, report: &CaseReport, result: &mut CaseResult) {
    if report.reference != corpus.expected {
        result.problems.push(format!(
            "the reference no longer behaves as recorded: expected {}, got {}",
            serde_json::to_string(&corpus.expected).unwrap_or_default(),
            serde_json::to_string(&report.reference).unwrap_or_default()
        ));
    }
    for tally in &report.engines {
        result.engines.push(format!("{}: {} steps compared", tally.engine, tally.compared));
        if tally.compared == 0 {
            result.problems.push(format!("{}: no step was compared", tally.engine));
        }
    }
    result.problems.extend(report.divergences.iter().map(|d| d.to_string()));
}
