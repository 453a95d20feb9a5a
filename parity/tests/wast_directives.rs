//! Every `.wast` directive kind against the real compiler and the native
//! x86-64 executor: small scripts written to a scratch directory and run
//! with `parity::wast::run_files`. Each test also carries wrong
//! expectations and checks they are counted as failures, so none of them
//! can pass by judging nothing.
//!
//! While the compiler entry point or the executor does not exist yet
//! (`CompilerBackend::availability`), each test says so and returns.

use compiler::module::Target;
use parity::wast::{CompilerBackend, FileReport, RunOptions, run_files};
use std::path::Path;

/// Runs `text` as `name` on x86-64, or `None` when the backend is not there.
fn run(name: &str, text: &str) -> Option<FileReport> {
    if let Err(reason) = CompilerBackend.availability(Target::X86_64) {
        eprintln!("SKIPPED: {reason}");
        return None;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("parity-wast-directives");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writes the script");
    let options = RunOptions { isas: vec![Target::X86_64], testsuite_dir: dir, jobs: 1 };
    let mut report = run_files(&[path], &options);
    assert_eq!(report.files.len(), 1);
    let file = report.files.remove(0);
    assert_eq!(file.file, name);
    Some(file)
}

fn describe(report: &FileReport) -> String {
    let failures: Vec<&str> = report.failures.iter().map(|f| f.message.as_str()).collect();
    format!("failures:\n{}\nskipped: {:?}", failures.join("\n"), report.skip_reasons)
}

/// Asserts the counts and that exactly `failed_lines` failed.
fn assert_outcome(report: &FileReport, passed: usize, failed_lines: &[usize], skipped: usize) {
    let lines: Vec<usize> = report.failures.iter().map(|f| f.line).collect();
    assert_eq!(
        (report.passed, lines.as_slice(), report.skipped),
        (passed, failed_lines, skipped),
        "{}",
        describe(report)
    );
}

#[test]
fn assert_return_compares_values_and_a_wrong_value_fails() {
    let Some(report) = run(
        "assert_return.wast",
        r#"(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "two") (result i32 i64) (i32.const 1) (i64.const 2))
  (func (export "three") (result i32 i64 i32) (i32.const 1) (i64.const 2) (i32.const 3)))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const -1) (i32.const 1)) (i32.const 0))
(assert_return (invoke "add64" (i64.const 0x7fffffffffffffff) (i64.const 1)) (i64.const 0x8000000000000000))
(assert_return (invoke "two") (i32.const 1) (i64.const 2))
(assert_return (invoke "three") (i32.const 1) (i64.const 2) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
(assert_return (invoke "three") (i32.const 1) (i64.const 2) (i32.const 4))
(assert_return (invoke "two") (i32.const 1) (i64.const 3))
(assert_return (invoke "add64" (i64.const 1) (i64.const 1)) (i32.const 2))
"#,
    ) else {
        return;
    };
    assert_outcome(&report, 6, &[11, 12, 13, 14], 0);
    let message = &report.failures[0].message;
    assert!(message.starts_with("assert_return.wast:11:2: assert_return: "), "{message}");
    assert!(message.contains("expected i32.const 4, got i32.const 3"), "{message}");
}

#[test]
fn unsupported_operators_are_skipped_with_their_reason_never_passed() {
    // SIMD and tail calls are outside the compiler's scope (Wasm 2.0
    // without SIMD): those functions become stubs and their assertions are
    // skipped with the reason, while the rest of the module still runs.
    let Some(report) = run(
        "unsupported.wast",
        r#"(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "lane") (result i32) (i32x4.extract_lane 1 (v128.const i32x4 1 2 3 4)))
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "tail") (param i32) (result i32) (return_call $id (local.get 0))))
(assert_return (invoke "lane") (i32.const 2))
(assert_return (invoke "tail" (i32.const 7)) (i32.const 7))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
"#,
    ) else {
        return;
    };
    assert_outcome(&report, 2, &[], 2);
    let reasons: Vec<&String> = report.skip_reasons.keys().collect();
    assert!(reasons.iter().any(|r| r.contains("V128")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("ReturnCall")), "{reasons:?}");
}

#[test]
fn assert_trap_compares_the_trap_kind() {
    let Some(report) = run(
        "assert_trap.wast",
        r#"(module
  (memory 1)
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
  (func (export "unreachable") (unreachable))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 0x80000000) (i32.const -1)) "integer overflow")
(assert_trap (invoke "rem" (i64.const 1) (i64.const 0)) "integer divide by zero")
(assert_trap (invoke "unreachable") "unreachable")
(assert_trap (invoke "load" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "load" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "load" (i32.const 65532)) (i32.const 0))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer overflow")
(assert_trap (invoke "div" (i32.const 4) (i32.const 2)) "integer divide by zero")
(assert_trap (invoke "load" (i32.const 0)) "out of bounds memory access")
"#,
    ) else {
        return;
    };
    assert_outcome(&report, 8, &[14, 15, 16], 0);
}

#[test]
fn assert_exhaustion_needs_a_stack_overflow() {
    let Some(report) = run(
        "assert_exhaustion.wast",
        r#"(module
  (func $loop (export "recurse") (call $loop))
  (func (export "unreachable") (unreachable)))
(assert_exhaustion (invoke "recurse") "call stack exhausted")
(assert_exhaustion (invoke "unreachable") "call stack exhausted")
"#,
    ) else {
        return;
    };
    assert_outcome(&report, 2, &[5], 0);
}

#[test]
fn invalid_and_malformed_modules_must_be_rejected() {
    let Some(report) = run(
        "assert_rejected.wast",
        r#"(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (local.get 0))) "unknown local")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module quote "(func (i32.const 0x))") "unknown operator")
(assert_invalid (module (func (result i32) (i32.const 0))) "this module is valid")
(assert_malformed (module binary "\00asm\01\00\00\00") "this module is well-formed")
"#,
    ) else {
        return;
    };
    assert_outcome(&report, 4, &[5, 6], 0);
}

#[test]
fn register_imports_and_named_instances() {
    let Some(report) = run(
        "register.wast",
        r#"(module $lib
  (global (export "g") i32 (i32.const 42))
  (func (export "seven") (result i32) (i32.const 7)))
(register "lib" $lib)
(module $user
  (import "lib" "seven" (func $seven (result i32)))
  (import "spectest" "print_i32" (func (param i32)))
  (func (export "fourteen") (result i32) (i32.add (call $seven) (call $seven))))
(assert_return (invoke "fourteen") (i32.const 14))
(assert_return (invoke $lib "seven") (i32.const 7))
(assert_return (get $lib "g") (i32.const 42))
(invoke $user "fourteen")
(assert_return (invoke $user "fourteen") (i32.const 15))
(assert_return (get $lib "g") (i32.const 41))
"#,
    ) else {
        return;
    };
    assert_outcome(&report, 7, &[13, 14], 0);
}

#[test]
fn definitions_instantiate_separately() {
    let Some(report) = run(
        "definitions.wast",
        r#"(module definition $counter
  (global $n (mut i32) (i32.const 0))
  (func (export "next") (result i32) (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))
(module instance $a $counter)
(module instance $b $counter)
(assert_return (invoke $a "next") (i32.const 1))
(assert_return (invoke $a "next") (i32.const 2))
(assert_return (invoke $b "next") (i32.const 1))
(assert_return (invoke $b "next") (i32.const 1))
"#,
    ) else {
        return;
    };
    assert_outcome(&report, 6, &[9], 0);
}

#[test]
fn unlinkable_modules_and_instantiation_traps() {
    let Some(report) = run(
        "linking.wast",
        r#"(module $lib (func (export "f") (param i32)))
(register "lib" $lib)
(assert_unlinkable (module (import "nowhere" "f" (func))) "unknown import")
(assert_unlinkable (module (import "lib" "f" (func (result i64)))) "incompatible import type")
(assert_trap (module (memory 1) (data (i32.const 65536) "x")) "out of bounds memory access")
(assert_trap (module (func $start (unreachable)) (start $start)) "unreachable")
(assert_unlinkable (module (import "lib" "f" (func (param i32)))) "this import links")
(assert_trap (module (memory 1) (data (i32.const 0) "x")) "out of bounds memory access")
(assert_trap (module (func $start (unreachable)) (start $start)) "integer overflow")
"#,
    ) else {
        return;
    };
    assert_outcome(&report, 6, &[7, 8, 9], 0);
}
