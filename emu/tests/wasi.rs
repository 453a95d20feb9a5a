//! The WASI subset on both executors, with modules compiled by our
//! compiler from WAT: output capture, arguments, files beneath the
//! preopened directory, `proc_exit` from deep inside a call, traps, and
//! imports outside the subset. The same program must behave the same on
//! x86-64 (native child) and AArch64 (unicorn).

use compiler::CompileOptions;
use compiler::module::{CompiledModule, Target};
use compiler::runtime::TrapCode;
use emu::native::NativeExecutor;
use emu::unicorn::UnicornExecutor;
use emu::wasi::{WasiConfig, WasiExit, WasiOutput, WasiRun, run_command};
use emu::{CallOutcome, EmuError, Executor};
use std::sync::Arc;

fn compile(wat: &str, target: Target) -> Arc<CompiledModule> {
    let wasm = wat::parse_str(wat).expect("valid WAT");
    Arc::new(compiler::compile_module(&wasm, &CompileOptions::new(target)).expect("compiles"))
}

fn executors() -> Vec<(Target, Box<dyn Executor>)> {
    let mut unicorn = UnicornExecutor::new().expect("unicorn executor");
    unicorn.set_instruction_budget(Some(50_000_000));
    vec![
        (Target::X86_64, Box::new(NativeExecutor::new().expect("native executor"))),
        (Target::Aarch64, Box::new(unicorn)),
    ]
}

/// Runs `wat` as a command on both executors; both runs must agree.
fn run_both(wat: &str, config: &WasiConfig) -> WasiRun {
    let mut runs = Vec::new();
    for (target, mut executor) in executors() {
        let run = run_command(executor.as_mut(), compile(wat, target), config.clone())
            .unwrap_or_else(|error| panic!("{target}: {error}"));
        runs.push((target, run));
    }
    let (_, first) = &runs[0];
    let (_, second) = &runs[1];
    // Trap offsets differ between ISAs; everything else must not.
    match (&first.exit, &second.exit) {
        (WasiExit::Trapped(a), WasiExit::Trapped(b)) => assert_eq!(a.code, b.code),
        (a, b) => assert_eq!(a, b),
    }
    assert_eq!(first.output, second.output, "x86_64 and aarch64 wrote different output");
    runs.swap_remove(0).1
}

/// A command that writes "hello\n" to fd 1 and "oops\n" to fd 2, then
/// returns from `_start`.
const HELLO: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "bench" "start" (func $bench_start))
  (import "bench" "end" (func $bench_end))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (data (i32.const 32) "oops\n")
  (func (export "_start")
    call $bench_start
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 5))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
    call $bench_end))"#;

#[test]
fn output_is_captured_and_returning_from_start_is_status_0() {
    let run = run_both(HELLO, &WasiConfig::default());
    assert_eq!(run.exit, WasiExit::Exited(0));
    assert_eq!(run.output, WasiOutput { stdout: b"hello\n".to_vec(), stderr: b"oops\n".to_vec() });
}

/// A command that prints its argument count and its second argument, then
/// exits with status 7 from three calls deep.
const ARGS_AND_EXIT: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $next)))
    local.get $n)
  (func $deep (param i32) (if (local.get 0) (then (call $deep (i32.sub (local.get 0) (i32.const 1)))) (else (call $exit (i32.const 7)))))
  (func (export "_start") (local $argv1 i32)
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    ;; "N\n" where N is argc (a single digit here)
    (i32.store8 (i32.const 100) (i32.add (i32.const 48) (i32.load (i32.const 0))))
    (i32.store8 (i32.const 101) (i32.const 10))
    (i32.store (i32.const 8) (i32.const 100))
    (i32.store (i32.const 12) (i32.const 2))
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16)))
    (drop (call $args (i32.const 200) (i32.const 300)))
    (local.set $argv1 (i32.load (i32.const 204)))
    (i32.store (i32.const 8) (local.get $argv1))
    (i32.store (i32.const 12) (call $strlen (local.get $argv1)))
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16)))
    (call $deep (i32.const 3))
    unreachable))"#;

#[test]
fn arguments_are_read_and_proc_exit_unwinds_nested_calls() {
    let config = WasiConfig { args: vec!["prog".into(), "first argument".into()], ..WasiConfig::default() };
    let run = run_both(ARGS_AND_EXIT, &config);
    assert_eq!(run.exit, WasiExit::Exited(7), "proc_exit, not the unreachable after it");
    assert_eq!(run.output.stdout, b"2\nfirst argument");
}

/// Opens `data.txt` beneath fd 3 and copies it to stdout; opening
/// `../data.txt` must fail with ENOTCAPABLE (76), which becomes the exit
/// status.
const CAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "data.txt../data.txt")
  (func (export "_start")
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 8) (i32.const 0)
                    (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0))
      (then (call $exit (i32.const 100))))
    (i32.store (i32.const 8) (i32.const 1024))
    (i32.store (i32.const 12) (i32.const 4096))
    (drop (call $read (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 16)))
    (i32.store (i32.const 12) (i32.load (i32.const 16)))
    (drop (call $write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16)))
    (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const 72) (i32.const 11) (i32.const 0)
                            (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))))"#;

#[test]
fn files_are_read_beneath_the_preopened_directory_only() {
    let dir = std::env::temp_dir().join(format!("emu-wasi-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("data.txt"), b"file contents\n").unwrap();
    let config = WasiConfig { preopen: Some(dir.clone()), ..WasiConfig::default() };
    let run = run_both(CAT, &config);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(run.output.stdout, b"file contents\n");
    assert_eq!(run.exit, WasiExit::Exited(76), "ENOTCAPABLE for ../data.txt");
    // Without a preopened directory, fd 3 does not exist: EBADF, exit 100.
    assert_eq!(run_both(CAT, &WasiConfig::default()).exit, WasiExit::Exited(100));
}

#[test]
fn a_trap_after_output_keeps_the_output_and_the_kind() {
    let wat = HELLO.replace("call $bench_end))", "call $bench_end (drop (i32.div_u (i32.const 1) (i32.const 0)))))");
    let run = run_both(&wat, &WasiConfig::default());
    match run.exit {
        WasiExit::Trapped(trap) => assert_eq!(trap.code, TrapCode::IntegerDivisionByZero),
        other => panic!("expected a trap, got {other:?}"),
    }
    assert_eq!(run.output.stdout, b"hello\n");
}

#[test]
fn imports_outside_the_subset_are_link_errors_naming_them() {
    let wat = r#"(module (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
                         (func (export "_start")))"#;
    for (target, mut executor) in executors() {
        let error = run_command(executor.as_mut(), compile(wat, target), WasiConfig::default()).unwrap_err();
        assert!(matches!(&error, EmuError::Link(m) if m.contains("sock_accept")), "{target}: {error}");
    }
    // A WASI function imported with the wrong type is refused too.
    let wat = r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i64)))
                         (func (export "_start")))"#;
    for (target, mut executor) in executors() {
        let error = run_command(executor.as_mut(), compile(wat, target), WasiConfig::default()).unwrap_err();
        assert!(matches!(&error, EmuError::Link(m) if m.contains("incompatible")), "{target}: {error}");
    }
}

#[test]
fn configuring_again_resets_output_and_a_plain_call_can_exit() {
    for (target, mut executor) in executors() {
        let config = WasiConfig { args: vec!["p".into(), "x".into()], ..WasiConfig::default() };
        executor.configure_wasi(config).unwrap();
        let instance = executor.instantiate(compile(ARGS_AND_EXIT, target)).unwrap();
        assert_eq!(executor.call(instance, "_start", &[]).unwrap(), CallOutcome::Exited(7), "{target}");
        assert_eq!(executor.take_wasi_output().unwrap().stdout, b"2\nx", "{target}");
        // The instance is still usable after the exit, and a fresh
        // configuration starts with empty output.
        executor.configure_wasi(WasiConfig::default()).unwrap();
        assert_eq!(executor.call(instance, "_start", &[]).unwrap(), CallOutcome::Exited(7), "{target}");
        // No arguments now: argc is 0 (the instance's memory still holds the
        // old argv pointers, so the "second argument" printed is stale).
        let stdout = executor.take_wasi_output().unwrap().stdout;
        assert!(stdout.starts_with(b"0\n"), "{target}: {:?}", String::from_utf8_lossy(&stdout));
    }
}
