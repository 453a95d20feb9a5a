//! The WASI programs `parity wasi` runs, and what each is expected to do.
//!
//! Part of [`super`]: two suites, read from disk through paths the caller
//! chooses (environment variables in the command line):
//!
//! - **sightglass**: `benchmarks/noop/benchmark.wasm` and every
//!   `benchmarks/shootout/*.wasm`, expected to exit 0 with exactly their
//!   `.stdout.expected` / `.stderr.expected`. They read their inputs
//!   (`./<name>.*.input`) from their own directory, which is preopened.
//! - **corpus/wasi**: the cases in `cases.json` beside the `.wasm` files:
//!   arguments, environment, input files (written into a fresh directory
//!   that is preopened), expected stdout, stderr and status. A case that
//!   traps gives the start of the executable's trap report
//!   (`stderr_starts_with`), from which the trap kind is read.

use super::{Behaviour, Ending};
use compiler::runtime::TrapCode;
use std::path::{Path, PathBuf};

/// The directory a program sees as `.`.
#[derive(Clone, Debug)]
pub enum ProgramDir {
    /// An existing directory (read as it is).
    Existing(PathBuf),
    /// A fresh directory holding these files.
    Files(Vec<(String, Vec<u8>)>),
}

/// One WASI command program and what it should do.
#[derive(Clone, Debug)]
pub struct Program {
    /// Its name (the `.wasm` file's stem, or the benchmark's name).
    pub name: String,
    /// The suite it belongs to.
    pub suite: String,
    /// The module.
    pub wasm: PathBuf,
    /// Arguments after the program name.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// The directory preopened as `.` (and the executables' working
    /// directory).
    pub dir: ProgramDir,
    /// The expected behaviour, when known.
    pub expected: Option<Behaviour>,
}

impl Program {
    /// The arguments including the program name.
    pub fn argv(&self) -> Vec<String> {
        std::iter::once(self.name.clone()).chain(self.args.iter().cloned()).collect()
    }

    /// How long it is expected to run, relatively (for scheduling).
    pub fn weight(&self) -> u64 {
        std::fs::metadata(&self.wasm).map_or(0, |m| m.len())
    }

    /// The directory to preopen for one run: the program's own, or a fresh
    /// one beneath `base` holding its files.
    pub fn prepare_dir(&self, base: &Path) -> Result<PathBuf, String> {
        match &self.dir {
            ProgramDir::Existing(dir) => {
                std::fs::canonicalize(dir).map_err(|error| format!("{}: {error}", dir.display()))
            }
            ProgramDir::Files(files) => {
                let dir = base.join(&self.name);
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).map_err(|error| format!("creating {}: {error}", dir.display()))?;
                for (name, contents) in files {
                    std::fs::write(dir.join(name), contents)
                        .map_err(|error| format!("writing {}: {error}", dir.join(name).display()))?;
                }
                std::fs::canonicalize(&dir).map_err(|error| format!("{}: {error}", dir.display()))
            }
        }
    }
}

/// Splits an executable's trap report off its standard error: the trap kind
/// of the last line that starts `wasm trap: <kind>`, and the rest.
pub fn split_trap_report(stderr: &[u8]) -> Option<(TrapCode, Vec<u8>)> {
    let text = String::from_utf8_lossy(stderr);
    let start = text.rfind("wasm trap: ").filter(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')?;
    let kind = trap_kind(&text[start..])?;
    Some((kind, stderr[..start].to_vec()))
}

/// The trap kind a report `wasm trap: <kind> in ...` names.
fn trap_kind(report: &str) -> Option<TrapCode> {
    let rest = report.strip_prefix("wasm trap: ")?;
    TrapCode::ALL.iter().copied().find(|code| {
        rest.strip_prefix(code.spec_message()).is_some_and(|tail| tail.starts_with(" in ") || tail.starts_with(" ("))
    })
}

/// The sightglass programs under `root` (`noop` and every shootout
/// program), sorted by name.
pub fn sightglass(root: &Path) -> Result<Vec<Program>, String> {
    let benchmarks = root.join("benchmarks");
    let mut programs = Vec::new();
    let noop = benchmarks.join("noop");
    if noop.join("benchmark.wasm").exists() {
        programs.push(sightglass_program("noop", &noop, "benchmark")?);
    }
    let shootout = benchmarks.join("shootout");
    let entries = std::fs::read_dir(&shootout).map_err(|error| format!("{}: {error}", shootout.display()))?;
    let mut stems: Vec<String> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "wasm"))
        .filter_map(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    stems.sort();
    for stem in stems {
        programs.push(sightglass_program(&stem, &shootout, &stem)?);
    }
    Ok(programs)
}

fn sightglass_program(name: &str, dir: &Path, stem: &str) -> Result<Program, String> {
    let read = |suffix: &str| {
        let path = dir.join(format!("{stem}.{suffix}"));
        std::fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))
    };
    Ok(Program {
        name: name.to_string(),
        suite: "sightglass".to_string(),
        wasm: dir.join(format!("{stem}.wasm")),
        args: Vec::new(),
        env: Vec::new(),
        dir: ProgramDir::Existing(dir.to_path_buf()),
        expected: Some(Behaviour {
            ending: Ending::Exited(0),
            stdout: read("stdout.expected")?,
            stderr: read("stderr.expected")?,
        }),
    })
}

/// The `corpus/wasi` cases in `dir` (from its `cases.json`).
pub fn corpus(dir: &Path) -> Result<Vec<Program>, String> {
    let path = dir.join("cases.json");
    let text = std::fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))?;
    let cases = json["cases"].as_array().ok_or_else(|| format!("{}: no \"cases\" list", path.display()))?;
    cases.iter().map(|case| corpus_case(dir, case).map_err(|error| format!("{}: {error}", path.display()))).collect()
}

fn corpus_case(dir: &Path, case: &serde_json::Value) -> Result<Program, String> {
    let name = case["name"].as_str().ok_or("a case without a name")?.to_string();
    let strings = |key: &str| -> Result<Vec<String>, String> {
        let list = case[key].as_array().ok_or_else(|| format!("case {name}: no {key:?} list"))?;
        list.iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| format!("case {name}: a non-string in {key}")))
            .collect()
    };
    let pairs = |key: &str| -> Result<Vec<(String, String)>, String> {
        let map = case[key].as_object().ok_or_else(|| format!("case {name}: no {key:?} object"))?;
        map.iter()
            .map(|(k, v)| {
                v.as_str().map(|v| (k.clone(), v.to_string())).ok_or_else(|| format!("case {name}: {key}.{k}"))
            })
            .collect()
    };
    let status = case["status"].as_i64().ok_or_else(|| format!("case {name}: no status"))? as i32;
    let stdout = case["stdout"].as_str().ok_or_else(|| format!("case {name}: no stdout"))?.as_bytes().to_vec();
    let (ending, stderr) = match (case["stderr"].as_str(), case["stderr_starts_with"].as_str()) {
        (Some(stderr), None) => (Ending::Exited(status), stderr.as_bytes().to_vec()),
        (None, Some(report)) if status == 134 => {
            let (kind, before) = split_trap_report(report.as_bytes())
                .ok_or_else(|| format!("case {name}: {report:?} is not a trap report"))?;
            (Ending::Trapped(kind), before)
        }
        _ => return Err(format!("case {name}: give either stderr, or stderr_starts_with with status 134")),
    };
    let files = pairs("files")?.into_iter().map(|(file, text)| (file, text.into_bytes())).collect();
    Ok(Program {
        suite: "corpus/wasi".to_string(),
        wasm: dir.join(format!("{name}.wasm")),
        args: strings("args")?,
        env: pairs("env")?,
        dir: ProgramDir::Files(files),
        expected: Some(Behaviour { ending, stdout, stderr }),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_reports_split_into_kind_and_the_rest() {
        let stderr = b"warning\nwasm trap: integer divide by zero in func12 (code offset 0x40)\n";
        let (kind, rest) = split_trap_report(stderr).unwrap();
        assert_eq!((kind, rest.as_slice()), (TrapCode::IntegerDivisionByZero, &b"warning\n"[..]));
        assert_eq!(split_trap_report(b"wasm trap: unreachable in func").unwrap().0, TrapCode::Unreachable);
        assert_eq!(split_trap_report(b"no trap here\n"), None);
        assert_eq!(split_trap_report(b"text wasm trap: unreachable in f"), None, "not at a line start");
        assert_eq!(split_trap_report(b"wasm trap: something else in f"), None);
    }

    #[test]
    fn the_corpus_cases_parse_with_their_expectations() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/wasi");
        let programs = corpus(&dir).expect("corpus/wasi/cases.json");
        assert!(programs.len() >= 5);
        let trap = programs.iter().find(|p| p.name == "trap").expect("the trap case");
        assert_eq!(trap.expected.as_ref().unwrap().ending, Ending::Trapped(TrapCode::IntegerDivisionByZero));
        let exit = programs.iter().find(|p| p.name == "exit_code").expect("the exit case");
        assert_eq!(exit.expected.as_ref().unwrap().ending, Ending::Exited(42));
        let args = programs.iter().find(|p| p.name == "args_env").expect("args_env");
        assert_eq!(args.argv(), ["args_env", "one", "two words", ""]);
        assert!(programs.iter().all(|p| p.wasm.exists()), "every case has its .wasm");
    }
}
