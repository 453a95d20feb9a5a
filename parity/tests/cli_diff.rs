//! The differential subcommands' command line: `sweep --inject-fault`,
//! `reduce` into a corpus directory, `corpus` over it, and their errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("parity-cli-diff").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn parity(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parity")).args(args).output().expect("runs parity")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn an_unknown_fault_is_a_usage_error_naming_the_known_ones() {
    let output = parity(&["sweep", "--inject-fault", "off-by-one"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("known: shift-mask, compare-sign, spill-width"), "{}", text(&output));
}

#[test]
fn a_missing_corpus_path_is_an_error() {
    let output = parity(&["corpus", "no/such/dir"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("no/such/dir: no such file or directory"), "{}", text(&output));
}

#[test]
fn an_injected_fault_is_found_reduced_and_becomes_a_passing_corpus_case() {
    let dir = scratch("fault-to-corpus");
    let out = dir.join("divergences");
    let markdown = dir.join("report.md");
    let output = parity(&[
        "sweep",
        "--count",
        "200",
        "--seed",
        "1",
        "--isa",
        "x86_64",
        "--generators",
        "single",
        "--inject-fault",
        "shift-mask",
        "--stop-on-divergence",
        "--out",
        out.to_str().unwrap(),
        "--markdown",
        markdown.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("injected fault: shift-mask"), "{}", text(&output));
    let report = std::fs::read_to_string(&markdown).expect("report written");
    assert!(report.contains("| injected fault | shift-mask"), "{report}");
    let case = std::fs::read_dir(&out)
        .expect("cases written")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("a case file");
    let corpus = dir.join("corpus");
    let case = case.to_str().unwrap();
    let reduce_args =
        ["reduce", "--isa", "x86_64", "--corpus", corpus.to_str().unwrap(), "--name", "shift", "--attempts", "20"];
    // Without the fault the case does not diverge: nothing to reduce.
    let output = parity(&[&reduce_args[..], &[case]].concat());
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("does not diverge"), "{}", text(&output));
    let output = parity(&[&reduce_args[..], &["--inject-fault", "shift-mask", case]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(text(&output).contains("reduced: module"), "{}", text(&output));
    assert!(corpus.join("shift.json").exists() && corpus.join("shift.wasm").exists());
    let output = parity(&["corpus", "--isa", "x86_64", corpus.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(text(&output).ends_with("1 passed, 0 failed\n"), "{}", text(&output));
}
