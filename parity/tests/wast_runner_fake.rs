//! The `.wast` runner's bookkeeping, checked against a scripted fake backend
//! (see `common/mod.rs`): which directive passes, fails or is skipped, with
//! which message. These run without the real compiler and executors; the
//! same directives against the real ones are in `wast_directives.rs`.

mod common;

use common::{FakeBackend, UNSUPPORTED_FN_REASON, UNSUPPORTED_MODULE_REASON};
use compiler::module::Target;
use parity::wast::{FileReport, run_wast_text};

fn run(text: &str) -> FileReport {
    run_with(&FakeBackend::default(), text)
}

fn run_with(backend: &FakeBackend, text: &str) -> FileReport {
    let mut reports = run_wast_text(backend, "test.wast", text, &[Target::X86_64]);
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

fn counts(report: &FileReport) -> (usize, usize, usize) {
    (report.passed, report.failed, report.skipped)
}

fn messages(report: &FileReport) -> String {
    report.failures.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("\n")
}

#[test]
fn assert_return_passes_and_a_wrong_value_fails() {
    let report = run(r#"(module (func (export "const:5")))
(assert_return (invoke "const:5") (i32.const 5))
(assert_return (invoke "const:5") (i32.const 6))
(assert_return (invoke "const:5") (i64.const 5))
(assert_return (invoke "const:5"))
"#);
    assert_eq!(counts(&report), (2, 3, 0), "{}", messages(&report));
    let first = &report.failures[0];
    assert_eq!((first.line, first.column), (3, 2));
    assert_eq!(first.message, "test.wast:3:2: assert_return: result 0: expected i32.const 6, got i32.const 5");
    assert!(report.failures[2].message.contains("expected 0 result(s)"), "{}", messages(&report));
}

#[test]
fn floats_compare_bits_and_nan_classes() {
    let report = run(r#"(module (func (export "echo")))
(assert_return (invoke "echo" (f32.const nan)) (f32.const nan:canonical))
(assert_return (invoke "echo" (f32.const nan:0x400001)) (f32.const nan:arithmetic))
(assert_return (invoke "echo" (f64.const -nan)) (f64.const nan:canonical))
(assert_return (invoke "echo" (f32.const -0.0)) (f32.const -0.0))
(assert_return (invoke "echo" (f32.const nan:0x400001)) (f32.const nan:canonical))
(assert_return (invoke "echo" (f32.const nan:0x1)) (f32.const nan:arithmetic))
(assert_return (invoke "echo" (f32.const -0.0)) (f32.const 0.0))
(assert_return (invoke "echo" (ref.extern 7) (ref.null func)) (ref.extern 7) (ref.null func))
(assert_return (invoke "echo" (ref.extern 7)) (ref.extern 8))
(assert_return (invoke "echo" (ref.null extern)) (ref.null func))
"#);
    assert_eq!(counts(&report), (6, 5, 0), "{}", messages(&report));
    let failed_lines: Vec<usize> = report.failures.iter().map(|f| f.line).collect();
    assert_eq!(failed_lines, [6, 7, 8, 10, 11]);
}

#[test]
fn assert_trap_compares_the_trap_kind() {
    let report = run(r#"(module
  (func (export "trap:int_divz"))
  (func (export "trap:table_oob"))
  (func (export "trap:null_call"))
  (func (export "const:1")))
(assert_trap (invoke "trap:int_divz") "integer divide by zero")
(assert_trap (invoke "trap:table_oob") "undefined element")
(assert_trap (invoke "trap:null_call") "uninitialized element 2")
(assert_trap (invoke "trap:int_divz") "integer overflow")
(assert_trap (invoke "const:1") "unreachable")
(assert_trap (invoke "trap:int_divz") "cast failure")
(invoke "trap:int_divz")
"#);
    assert_eq!(counts(&report), (4, 3, 1), "{}", messages(&report));
    let text = messages(&report);
    assert!(text.contains("test.wast:9:2: assert_trap: expected trap \"integer overflow\" (int_ovf), got wasm trap: integer divide by zero"), "{text}");
    assert!(
        text.contains("test.wast:10:2: assert_trap: expected trap \"unreachable\", but it returned [i32.const 1]"),
        "{text}"
    );
    assert!(text.contains("test.wast:12:2: invoke: unexpected trap"), "{text}");
    assert!(report.skip_reasons.keys().any(|r| r.contains("cast failure")));
}

#[test]
fn assert_exhaustion_needs_a_stack_overflow() {
    let report = run(r#"(module (func (export "trap:stk_ovf")) (func (export "trap:unreachable")))
(assert_exhaustion (invoke "trap:stk_ovf") "call stack exhausted")
(assert_exhaustion (invoke "trap:unreachable") "call stack exhausted")
"#);
    assert_eq!(counts(&report), (2, 1, 0), "{}", messages(&report));
    assert_eq!(report.failures[0].line, 3);
}

#[test]
fn unsupported_functions_are_skipped_with_their_reason() {
    let report = run(r#"(module (func (export "unsupported-fn")))
(assert_return (invoke "unsupported-fn") (i32.const 1))
(assert_trap (invoke "unsupported-fn") "unreachable")
(invoke "unsupported-fn")
"#);
    assert_eq!(counts(&report), (1, 0, 3), "{}", messages(&report));
    assert_eq!(report.skip_reasons.get(UNSUPPORTED_FN_REASON), Some(&3));
}

#[test]
fn unsupported_modules_skip_everything_that_uses_them() {
    let report = run(r#"(module $good (func (export "const:1")))
(module $bad (func (export "unsupported-module")))
(assert_return (invoke "unsupported-module") (i32.const 1))
(assert_return (invoke $bad "unsupported-module") (i32.const 1))
(assert_return (invoke $good "const:1") (i32.const 1))
(register "bad" $bad)
(module (import "bad" "f" (func)))
(assert_return (invoke "anything"))
"#);
    assert_eq!(counts(&report), (2, 0, 6), "{}", messages(&report));
    // The offset is not part of the aggregated reason.
    assert_eq!(report.skip_reasons.get(UNSUPPORTED_MODULE_REASON), Some(&6), "{:?}", report.skip_reasons);
}

#[test]
fn register_and_named_instances() {
    let report = run(r#"(module $lib (func (export "const:7")) (global (export "g:3") i32 (i32.const 3)))
(register "lib" $lib)
(module $user (import "lib" "const:7" (func)) (func (export "const:8")))
(assert_return (invoke $lib "const:7") (i32.const 7))
(assert_return (invoke "const:8") (i32.const 8))
(assert_return (get $lib "g:3") (i32.const 3))
(assert_return (get $lib "g:3") (i32.const 4))
(assert_return (invoke $nobody "f"))
"#);
    assert_eq!(counts(&report), (6, 2, 0), "{}", messages(&report));
    let text = messages(&report);
    assert!(text.contains("test.wast:7:2: assert_return: result 0: expected i32.const 4, got i32.const 3"), "{text}");
    assert!(text.contains("no instance named $nobody"), "{text}");
}

#[test]
fn definitions_are_instantiated_later() {
    let report = run(r#"(module definition $d (func (export "const:2")))
(module instance $a $d)
(module instance $b $d)
(assert_return (invoke $a "const:2") (i32.const 2))
(assert_return (invoke $b "const:2") (i32.const 2))
(module instance $c $missing)
"#);
    assert_eq!(counts(&report), (5, 1, 0), "{}", messages(&report));
    assert_eq!(report.failures[0].line, 6);
}

#[test]
fn rejected_modules() {
    let report = run(r#"(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func (i32.const 0x))") "unknown operator")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_invalid (module (func)) "this module is valid")
(assert_malformed (module binary "\00asm\01\00\00\00") "this module is well-formed")
"#);
    assert_eq!(counts(&report), (3, 2, 0), "{}", messages(&report));
    let text = messages(&report);
    assert!(text.contains("test.wast:4:2: assert_invalid: expected the module to be rejected as invalid"), "{text}");
    assert!(
        text.contains("test.wast:5:2: assert_malformed: expected the module to be rejected as malformed"),
        "{text}"
    );
}

#[test]
fn unlinkable_and_instantiation_traps() {
    let report = run(r#"(assert_unlinkable (module (import "nowhere" "f" (func))) "unknown import")
(assert_unlinkable (module (func)) "this module links")
(assert_trap (module (func (export "start-traps"))) "out of bounds memory access")
(assert_trap (module (func (export "start-traps"))) "unreachable")
(assert_trap (module (func)) "out of bounds memory access")
(module (func (export "start-traps")))
"#);
    assert_eq!(counts(&report), (2, 4, 0), "{}", messages(&report));
    let failed_lines: Vec<usize> = report.failures.iter().map(|f| f.line).collect();
    assert_eq!(failed_lines, [2, 4, 5, 6]);
}

#[test]
fn a_crash_is_a_failure_and_loses_earlier_instances() {
    let backend = FakeBackend::default();
    let report = run_with(
        &backend,
        r#"(module $a (func (export "crash")) (func (export "const:1")))
(register "a" $a)
(invoke "crash")
(assert_return (invoke $a "const:1") (i32.const 1))
(module (import "a" "const:1" (func)))
(module (func (export "const:2")))
(assert_return (invoke "const:2") (i32.const 2))
"#,
    );
    assert_eq!(counts(&report), (4, 1, 2), "{}", messages(&report));
    assert!(report.failures[0].message.contains("generated code crashed: SIGSEGV at 0xdead"));
    assert_eq!(report.skip_reasons.get("executor crashed earlier"), Some(&2));
    assert_eq!(backend.executors_created.load(std::sync::atomic::Ordering::Relaxed), 2);
}

#[test]
fn a_harness_panic_is_one_failure_and_the_run_goes_on() {
    let report = run(r#"(module (func (export "panic")) (func (export "const:1")))
(invoke "panic")
(module (func (export "const:1")))
(assert_return (invoke "const:1") (i32.const 1))
"#);
    assert_eq!(counts(&report), (3, 1, 0), "{}", messages(&report));
    assert!(report.failures[0].message.contains("the harness panicked"));
}

#[test]
fn a_missing_executor_still_judges_compilation() {
    let backend = FakeBackend { executor_missing: Some("no executor for this ISA".to_string()), ..Default::default() };
    let report = run_with(
        &backend,
        r#"(module (func (export "const:1")))
(assert_return (invoke "const:1") (i32.const 1))
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module (func)) "valid")
(register "x")
"#,
    );
    assert_eq!(counts(&report), (1, 1, 3), "{}", messages(&report));
    assert_eq!(report.skip_reasons.get("no executor for this ISA"), Some(&3));
}

#[test]
fn unsupported_directives_are_skipped() {
    let report = run(r#"(module (func (export "echo")))
(assert_return (invoke "echo" (v128.const i64x2 0 0)) (v128.const i64x2 0 0))
(assert_return (invoke "echo") (ref.i31))
(assert_exception (invoke "echo"))
(assert_return (invoke "echo") (either (i32.const 1) (v128.const i64x2 0 0)))
"#);
    assert_eq!(counts(&report), (1, 0, 4), "{}", messages(&report));
}

#[test]
fn a_parse_error_is_one_failure() {
    let reports = run_wast_text(
        &FakeBackend::default(),
        "broken.wast",
        "(module)\n(assert_return (invoke \"f\") (i32.const))\n",
        &[Target::X86_64, Target::Aarch64],
    );
    assert_eq!(reports.len(), 2);
    for report in &reports {
        assert_eq!(counts(report), (0, 1, 0));
        assert!(report.failures[0].message.starts_with("broken.wast:2:"), "{}", report.failures[0].message);
    }
    assert_eq!(reports[1].isa, "aarch64");
}
