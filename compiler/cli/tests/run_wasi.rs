//! `wasm2native run FILE [-- ARGS]` without `--invoke`: the `corpus/wasi`
//! programs run as WASI commands in the in-process executors of both ISAs,
//! with their output, exit status and trap report; bad options are clear
//! errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/wasi").join(format!("{name}.wasm"))
}

fn run(target: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm2native"))
        .arg("run")
        .args(["--target", target])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run wasm2native")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn wasi_commands_run_with_arguments_environment_and_exit_status() {
    for target in ["x86_64", "aarch64"] {
        let program = corpus("args_env");
        let out = run(target, &[program.to_str().unwrap(), "--env", "W2N_GREETING=hi there", "--", "one", "", "-x"]);
        assert_eq!(out.status.code(), Some(0), "{target}: {}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout),
            "arg 1: [one]\narg 2: []\narg 3: [-x]\nW2N_GREETING=hi there\nW2N_ABSENT=(unset)\nargc=4\n",
            "{target}"
        );
        let out = run(target, &[corpus("exit_code").to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(42), "{target}");
        assert_eq!(text(&out.stderr), "leaving with status 42\n", "{target}");
    }
}

#[test]
fn a_trap_prints_its_kind_and_exits_with_status_3() {
    for target in ["x86_64", "aarch64"] {
        let out = run(target, &[corpus("trap").to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(3), "{target}");
        assert_eq!(text(&out.stdout), "about to divide by 0\n", "{target}");
        assert!(
            text(&out.stderr).starts_with("wasm trap: integer divide by zero in func"),
            "{target}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn files_are_read_from_the_directory_given() {
    let dir = std::env::temp_dir().join(format!("run-wasi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("input.txt"), "first line\nsecond line\nthird\n").unwrap();
    for target in ["x86_64", "aarch64"] {
        let out = run(target, &[corpus("files").to_str().unwrap(), "--dir", dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{target}: {}", text(&out.stderr));
        assert!(text(&out.stdout).starts_with("1: first line\n2: second line\n3: third\n"), "{target}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_options_are_clear_errors() {
    let program = corpus("exit_code");
    let out = run("x86_64", &[program.to_str().unwrap(), "--env", "NOEQUALS"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--env \"NOEQUALS\": expected NAME=VALUE"), "{}", text(&out.stderr));
    let out = run("x86_64", &[program.to_str().unwrap(), "--dir", "/no/such/dir"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not a directory"), "{}", text(&out.stderr));
    let out = run("x86_64", &[program.to_str().unwrap(), "--invoke", "_start", "--env", "A=1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--env and --dir are for WASI commands"), "{}", text(&out.stderr));
}
