//! The unicorn executor's wall-clock deadline: one thread of ours per
//! executor that stops a run still going at its deadline.
//!
//! ```text
//!   UnicornExecutor::run ─▶ arm(engine, deadline) ─▶ emu_start ... ─▶ disarm() ─▶ fired?
//!                                │                      ▲
//!                                ▼                      │ uc_emu_stop at the deadline,
//!                          watchdog thread ─────────────┘ again every RETRY while armed
//! ```
//!
//! Why not unicorn's own timeout (`emu_start`'s `timeout` argument):
//! unicorn 2.1.5's timer thread measures time with QEMU's `get_clock()`,
//! which reads the process-wide flag `use_rt_clock`, and every new
//! emulator's initialization (`init_get_clock`) sets that flag to 0 and
//! back to 1. A timer thread that reads the clock in that window compares
//! the wall clock (nanoseconds since 1970) with a monotonic start, sees
//! the deadline long past, and stops its run: with executors created on
//! other threads, timed runs were cut short at random ("the emulator
//! stopped without a reason"), within a fraction of a second when a
//! thread creates emulators in a loop (`tests/unicorn_timeout.rs`). This
//! thread uses `std::time::Instant` and calls `uc_emu_stop`, the same call
//! unicorn's timer thread makes, and only while the run it was armed for
//! is in progress.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use unicorn_engine::hook::sys::{uc_emu_stop, uc_engine};

/// How often a fired watchdog repeats its stop while the run is still
/// armed: a stop that lands before `emu_start` has begun is cleared by it.
const RETRY: Duration = Duration::from_millis(10);

/// The emulator a run is armed for.
#[derive(Clone, Copy)]
struct Engine(*mut uc_engine);

// SAFETY: the watchdog thread uses the pointer only to call `uc_emu_stop`,
// which unicorn itself calls from its timer thread while the emulator runs
// on another; and only while the run is armed, during which the executor
// that owns the emulator is inside `run` and keeps it alive.
unsafe impl Send for Engine {}

#[derive(Default)]
struct State {
    /// The run in progress and its deadline.
    armed: Option<(Engine, Instant)>,
    /// Whether a stop was sent to the run armed last.
    fired: bool,
    /// The executor is gone: the thread ends.
    shutdown: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state holds plain values: usable after a panic elsewhere.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A deadline keeper for one emulator; its thread starts on the first
/// [`Watchdog::arm`] and ends when the watchdog is dropped.
#[derive(Default)]
pub(crate) struct Watchdog {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Arms the watchdog for a run of `engine` that must end within
    /// `timeout`. Call [`Watchdog::disarm`] when `emu_start` returns.
    pub(crate) fn arm(&mut self, engine: *mut uc_engine, timeout: Duration) -> std::io::Result<()> {
        if self.thread.is_none() {
            let shared = self.shared.clone();
            self.thread =
                Some(std::thread::Builder::new().name("unicorn-watchdog".into()).spawn(move || watch(&shared))?);
        }
        let mut state = self.shared.lock();
        state.armed = Some((Engine(engine), Instant::now() + timeout));
        state.fired = false;
        drop(state);
        self.shared.wake.notify_one();
        Ok(())
    }

    /// Disarms the watchdog; returns whether it stopped the run.
    pub(crate) fn disarm(&mut self) -> bool {
        let mut state = self.shared.lock();
        state.armed = None;
        std::mem::take(&mut state.fired)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The watchdog thread: waits for a run, then for its deadline, then stops
/// it (and repeats the stop every [`RETRY`] until it is disarmed).
fn watch(shared: &Shared) {
    let mut state = shared.lock();
    loop {
        if state.shutdown {
            return;
        }
        let Some((engine, deadline)) = state.armed else {
            state = shared.wake.wait(state).unwrap_or_else(PoisonError::into_inner);
            continue;
        };
        let now = Instant::now();
        let wait = if now < deadline {
            deadline - now
        } else {
            // SAFETY: the run is armed, so the emulator is alive (see
            // `Engine`); the lock keeps `disarm` from returning meanwhile.
            unsafe { uc_emu_stop(engine.0) };
            state.fired = true;
            RETRY
        };
        state = shared.wake.wait_timeout(state, wait).unwrap_or_else(PoisonError::into_inner).0;
    }
}
