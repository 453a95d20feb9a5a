//! The unicorn executor's timeout is kept by its own watchdog thread:
//! creating emulators on another thread must not cut a timed call short
//! (unicorn 2.1.5's own timer could be tripped by any emulator's
//! initialization; see `emu/src/unicorn/watchdog.rs`), a call that ends
//! in time is unaffected, and a call that does not is stopped and
//! reported as a timeout.

use compiler::CompileOptions;
use compiler::module::{CompiledModule, Target};
use emu::unicorn::UnicornExecutor;
use emu::{CallOutcome, EmuError, Executor, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_millis(1500);

fn module() -> Arc<CompiledModule> {
    let wasm = wat::parse_str(
        r#"(module
             (func (export "spin") (loop br 0))
             (func (export "count") (param i32) (result i32)
               (loop $again
                 (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                 (br_if $again (local.get 0)))
               (i32.const 7)))"#,
    )
    .expect("valid WAT");
    Arc::new(compiler::compile_module(&wasm, &CompileOptions::new(Target::Aarch64)).expect("compiles"))
}

/// Runs `spin` with [`TIMEOUT`] on an unbounded executor; returns how long
/// it ran and the error it ended with.
fn spin(module: &Arc<CompiledModule>, budget: Option<u64>) -> (Duration, String) {
    let mut exec = UnicornExecutor::new().expect("unicorn executor");
    exec.set_instruction_budget(budget);
    exec.set_timeout(Some(TIMEOUT));
    let id = exec.instantiate(module.clone()).expect("instantiates");
    let started = Instant::now();
    let outcome = exec.call(id, "spin", &[]);
    let elapsed = started.elapsed();
    let message = match outcome {
        Err(EmuError::Crashed(message)) => message,
        other => panic!("spin ended with {other:?}"),
    };
    // The executor stays usable, and the next call is not stopped by the
    // watchdog armed for the last one.
    assert_eq!(exec.call(id, "count", &[Value::I32(1000)]).unwrap(), CallOutcome::Returned(vec![Value::I32(7)]));
    (elapsed, message)
}

#[test]
fn a_timed_call_runs_until_its_deadline_while_emulators_are_created_elsewhere() {
    let module = module();
    let done = Arc::new(AtomicBool::new(false));
    let churn = {
        let (done, module) = (done.clone(), module.clone());
        std::thread::spawn(move || {
            let mut created = 0u32;
            while !done.load(Ordering::Relaxed) {
                let mut exec = UnicornExecutor::new().expect("unicorn executor");
                exec.instantiate(module.clone()).expect("instantiates");
                created += 1;
            }
            created
        })
    };
    let runs: Vec<_> = [None, Some(u64::MAX)].into_iter().map(|budget| spin(&module, budget)).collect();
    done.store(true, Ordering::Relaxed);
    let created = churn.join().expect("the churning thread");
    assert!(created > 10, "only {created} emulators were created meanwhile");
    for (elapsed, message) in runs {
        assert!(message.starts_with("timeout: the call ran longer than 1.5s"), "{message}");
        assert!(elapsed >= TIMEOUT, "stopped after {elapsed:?}: {message}");
        assert!(elapsed < TIMEOUT + Duration::from_secs(5), "stopped only after {elapsed:?}");
    }
}

#[test]
fn a_call_that_ends_before_its_deadline_returns() {
    let mut exec = UnicornExecutor::new().expect("unicorn executor");
    exec.set_instruction_budget(None);
    exec.set_timeout(Some(Duration::from_secs(60)));
    let id = exec.instantiate(module()).expect("instantiates");
    for _ in 0..200 {
        assert_eq!(exec.call(id, "count", &[Value::I32(100)]).unwrap(), CallOutcome::Returned(vec![Value::I32(7)]));
    }
}
