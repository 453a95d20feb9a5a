//! The `parity wast` command line: exit codes, the summary line CI parses,
//! `--check`, `--bless` and `--json`.
//!
//! The scripts used here have outcomes that do not depend on the compiler
//! or executors (a parse error, a quoted module `wat` cannot parse), so
//! these tests pin the command line's behaviour before either exists.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("parity-cli").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// One directive that passes whatever the backend: `wat` rejects the text.
const MALFORMED_ONLY: &str = "(assert_malformed (module quote \"(func (i32.const 0x))\") \"unknown operator\")\n";
/// A script that does not parse: one failure whatever the backend.
const BROKEN: &str = "(module)\n(assert_return (invoke \"f\") (i32.const))\n";

/// Runs `parity` as given.
fn parity_raw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parity")).args(args).output().expect("runs parity")
}

/// Runs `parity`, pinning `wast` to x86-64 unless the test names ISAs (the
/// default is both ISAs; these tests count one row per file).
fn parity(args: &[&str]) -> Output {
    let mut args: Vec<&str> = args.to_vec();
    if args.first() == Some(&"wast") && !args.contains(&"--isa") {
        args.splice(1..1, ["--isa", "x86_64"]);
    }
    parity_raw(&args)
}

#[test]
fn wast_runs_both_isas_by_default() {
    let dir = scratch("default-isas");
    let file = write(&dir, "ok.wast", MALFORMED_ONLY);
    let output = parity_raw(&["wast", &file]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    let text = stdout(&output);
    assert!(text.contains(&format!("{file}  x86_64  passed 1")), "{text}");
    assert!(text.contains(&format!("{file}  aarch64  passed 1")), "{text}");
    assert_eq!(last_line(&output), "2 passed, 0 failed, 0 skipped");
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn last_line(output: &Output) -> String {
    stdout(output).lines().last().unwrap_or_default().to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writes the script");
    path.display().to_string()
}

#[test]
fn a_passing_run_exits_zero_with_the_summary_line_last() {
    let dir = scratch("passing");
    let file = write(&dir, "ok.wast", MALFORMED_ONLY);
    let output = parity(&["wast", &file]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert_eq!(last_line(&output), "1 passed, 0 failed, 0 skipped");
    assert!(
        stdout(&output).starts_with(&format!("{file}  x86_64  passed 1  failed 0  skipped 0\n")),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_failing_run_exits_one_and_names_the_location() {
    let dir = scratch("failing");
    let file = write(&dir, "broken.wast", BROKEN);
    let output = parity(&["wast", &file]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(last_line(&output), "0 passed, 1 failed, 0 skipped");
    assert!(stdout(&output).contains(&format!("  FAIL {file}:2:")), "{}", stdout(&output));
}

#[test]
fn usage_errors_and_unreadable_paths_exit_two() {
    let output = parity(&["wast", "--isa", "mips", "x.wast"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown ISA \"mips\""), "{}", stderr(&output));

    let output = parity(&["wast", "/no/such/dir/file.wast"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/no/such/dir/file.wast"), "{}", stderr(&output));

    let output = parity(&["wast", "--check", "--bless", "x.wast"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn directories_run_their_wast_files_on_every_isa() {
    let dir = scratch("directory");
    let b = write(&dir, "b.wast", MALFORMED_ONLY);
    let a = write(&dir, "a.wast", MALFORMED_ONLY);
    write(&dir, "notes.txt", "not a script");
    let output = parity(&["wast", "--isa", "x86_64,aarch64", &dir.display().to_string()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let rows: Vec<String> = stdout(&output).lines().filter(|l| l.contains("  passed ")).map(String::from).collect();
    assert_eq!(
        rows,
        [
            format!("{a}  x86_64  passed 1  failed 0  skipped 0"),
            format!("{a}  aarch64  passed 1  failed 0  skipped 0"),
            format!("{b}  x86_64  passed 1  failed 0  skipped 0"),
            format!("{b}  aarch64  passed 1  failed 0  skipped 0"),
        ]
    );
    assert_eq!(last_line(&output), "4 passed, 0 failed, 0 skipped");
}

#[test]
fn check_fails_on_regressions_only() {
    let dir = scratch("check");
    let ok = write(&dir, "ok.wast", MALFORMED_ONLY);
    let broken = write(&dir, "broken.wast", BROKEN);
    let expectations = dir.join("wast.tsv");
    let header = "file\tisa\tpassed\tfailed\tskipped\n";

    // Known failure recorded: the check passes although a directive failed.
    std::fs::write(&expectations, format!("{header}{ok}\tx86_64\t1\t0\t0\n{broken}\tx86_64\t0\t1\t0\n")).unwrap();
    let tsv = expectations.display().to_string();
    let output = parity(&["wast", "--check", "--expectations", &tsv, &ok, &broken]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(last_line(&output), "1 passed, 1 failed, 0 skipped");

    // Expecting more passes than the run has is a regression.
    std::fs::write(&expectations, format!("{header}{ok}\tx86_64\t2\t0\t0\n")).unwrap();
    let output = parity(&["wast", "--check", "--expectations", &tsv, &ok, &broken]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains(&format!("REGRESSION: {ok} on x86_64: passed 1 < expected 2")), "{text}");
    // A file missing from the expectations is reported, not failed.
    assert!(text.contains(&format!("new: {broken} on x86_64")), "{text}");

    // A missing expectations file is an error when checking.
    let missing = dir.join("missing.tsv").display().to_string();
    let output = parity(&["wast", "--check", "--expectations", &missing, &ok]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("missing.tsv"), "{}", stderr(&output));
}

#[test]
fn bless_records_the_rows_run_and_keeps_the_others() {
    let dir = scratch("bless");
    let ok = write(&dir, "ok.wast", MALFORMED_ONLY);
    let expectations = dir.join("expectations").join("wast.tsv");
    std::fs::create_dir_all(expectations.parent().unwrap()).unwrap();
    std::fs::write(&expectations, "file\tisa\tpassed\tfailed\tskipped\nother.wast\taarch64\t3\t2\t1\n").unwrap();
    let tsv = expectations.display().to_string();
    let broken = write(&dir, "broken.wast", BROKEN);
    let output = parity(&["wast", "--bless", "--expectations", &tsv, &ok, &broken]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(last_line(&output), "1 passed, 1 failed, 0 skipped");
    let written = std::fs::read_to_string(&expectations).unwrap();
    let mut rows = [
        "other.wast\taarch64\t3\t2\t1".to_string(),
        format!("{ok}\tx86_64\t1\t0\t0"),
        format!("{broken}\tx86_64\t0\t1\t0"),
    ];
    rows.sort();
    assert_eq!(written, format!("file\tisa\tpassed\tfailed\tskipped\n{}\n", rows.join("\n")));

    // What was blessed now checks clean.
    let output = parity(&["wast", "--check", "--expectations", &tsv, &ok, &broken]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn json_carries_counts_and_failures() {
    let dir = scratch("json");
    let broken = write(&dir, "broken.wast", BROKEN);
    let json_path = dir.join("report.json");
    let output = parity(&["wast", "--json", &json_path.display().to_string(), &broken]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(json["totals"]["failed"], 1);
    let file = &json["files"][0];
    assert_eq!(file["file"], broken.as_str());
    assert_eq!(file["isa"], "x86_64");
    assert_eq!(file["failed"], 1);
    assert_eq!(file["failures"][0]["line"], 2);
    assert!(file["failures"][0]["message"].as_str().unwrap().contains("parse error"));
}
