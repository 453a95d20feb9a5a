//! WASI preview1 for the in-process executors: the subset real command
//! programs import, run against a [`WasiConfig`] and captured output.
//!
//! Every executor resolves imports from `wasi_snapshot_preview1` (and the
//! sightglass `bench.start`/`bench.end` markers) to a [`WasiFunc`], beside
//! the `spectest` host module. A call lands in the executor's host
//! dispatcher like any host call; the dispatcher hands the value slots, the
//! calling instance's memory 0 (as a [`GuestMemory`]) and the store's
//! [`WasiState`] to [`WasiFunc::call`]:
//!
//! ```text
//!   generated code ─▶ host-call trampoline ─▶ executor's dispatcher
//!        ─▶ WasiFunc::call(state, memory, slots) ─▶ errno in slot 0 ─▶ return
//!                                                 └▶ proc_exit: Flow::Exit ─▶ the call traps;
//!                                                    the executor reports CallOutcome::Exited
//! ```
//!
//! The same functions, with the same semantics, are in the C runtime of
//! linked executables (`runtime/wasi.c`); the differences are that here the
//! arguments, environment and standard input come from the configuration,
//! standard output and error are captured ([`WasiOutput`]), and descriptor
//! 3 is the configured directory (if any), preopened as `.`.
//!
//! A pointer outside linear memory is `EFAULT`, never a crash; paths are
//! resolved beneath a directory descriptor, and absolute paths or `..`
//! components are refused with `ENOTCAPABLE`. [`run_command`] runs a whole
//! command module (`_start`) on any [`Executor`].

mod files;

use crate::native::NativeExecutor;
use crate::unicorn::UnicornExecutor;
use crate::{CallOutcome, EmuError, Executor, Trap};
use compiler::module::{CompiledModule, FuncType, Target, ValType};
use files::{Descriptors, Stream};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The WASI module name.
pub const MODULE_NAME: &str = "wasi_snapshot_preview1";

/// The module name of sightglass's benchmark markers.
pub const BENCH_MODULE_NAME: &str = "bench";

/// What a WASI program sees of the world.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WasiConfig {
    /// The arguments, the program name first.
    pub args: Vec<String>,
    /// The environment, as `(name, value)` pairs in order.
    pub env: Vec<(String, String)>,
    /// Everything standard input delivers.
    #[serde(with = "serde_bytes")]
    pub stdin: Vec<u8>,
    /// A host directory to preopen as `.` (descriptor 3), if any.
    pub preopen: Option<PathBuf>,
}

/// What a WASI program wrote to its standard streams.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WasiOutput {
    /// Standard output.
    #[serde(with = "serde_bytes")]
    pub stdout: Vec<u8>,
    /// Standard error.
    #[serde(with = "serde_bytes")]
    pub stderr: Vec<u8>,
}

/// How a WASI command ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WasiExit {
    /// `proc_exit(status)`, or status 0 when `_start` returned.
    Exited(i32),
    /// A Wasm trap (in `_start`, or in the start function).
    Trapped(Trap),
}

/// The result of [`run_command`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WasiRun {
    /// How it ended.
    pub exit: WasiExit,
    /// What it wrote.
    pub output: WasiOutput,
}

/// Instantiates a WASI command module on `executor` with `config` and runs
/// its `_start` export. Errors are executor failures (a crash, a link
/// error such as an import outside the subset); traps and exits are
/// results.
pub fn run_command(
    executor: &mut dyn Executor,
    module: Arc<CompiledModule>,
    config: WasiConfig,
) -> Result<WasiRun, EmuError> {
    executor.configure_wasi(config)?;
    let exit = match executor.instantiate(module) {
        Ok(instance) => match executor.call(instance, "_start", &[])? {
            CallOutcome::Returned(_) => WasiExit::Exited(0),
            CallOutcome::Exited(status) => WasiExit::Exited(status),
            CallOutcome::Trapped(trap) => WasiExit::Trapped(trap),
        },
        Err(EmuError::InstantiationTrap(trap)) => WasiExit::Trapped(trap),
        Err(error) => return Err(error),
    };
    Ok(WasiRun { exit, output: executor.take_wasi_output()? })
}

/// An executor for whole programs compiled for `target`: x86-64 in the
/// native child, AArch64 under unicorn without an instruction budget (so at
/// full speed), each bounded by `timeout` when given.
pub fn program_executor(target: Target, timeout: Option<Duration>) -> Result<Box<dyn Executor>, EmuError> {
    Ok(match target {
        Target::X86_64 => {
            let mut executor = NativeExecutor::new()?;
            executor.set_timeout(timeout);
            Box::new(executor)
        }
        Target::Aarch64 => {
            let mut executor = UnicornExecutor::new()?;
            executor.set_instruction_budget(None);
            executor.set_timeout(timeout);
            Box::new(executor)
        }
    })
}

/// Linear memory as a WASI function sees it: reads and writes that fail
/// (return `None`/`false`, write nothing) when out of bounds.
pub(crate) trait GuestMemory {
    /// Whether `len` bytes at `address` are inside memory.
    fn contains(&self, address: u64, len: u64) -> bool;
    /// `len` bytes at `address`.
    fn read(&self, address: u64, len: u64) -> Option<Vec<u8>>;
    /// Writes `bytes` at `address`.
    fn write(&mut self, address: u64, bytes: &[u8]) -> bool;
}

/// The memory of an instance that has none: every access faults.
pub(crate) struct NoMemory;

impl GuestMemory for NoMemory {
    fn contains(&self, _: u64, _: u64) -> bool {
        false
    }

    fn read(&self, _: u64, _: u64) -> Option<Vec<u8>> {
        None
    }

    fn write(&mut self, _: u64, _: &[u8]) -> bool {
        false
    }
}

/// What the executor does after a WASI function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Return to the caller (results are in the slots).
    Return,
    /// `proc_exit`: unwind the whole call and report this status.
    Exit(i32),
}

/// One store's WASI world: configuration, descriptors, captured output,
/// and a pending exit.
#[derive(Debug, Default)]
pub(crate) struct WasiState {
    config: WasiConfig,
    stdin_position: usize,
    output: WasiOutput,
    descriptors: Descriptors,
    exit: Option<i32>,
}

impl WasiState {
    /// A fresh world for `config` (the preopened directory is opened now).
    pub(crate) fn new(config: WasiConfig) -> Result<WasiState, EmuError> {
        let descriptors = Descriptors::new(config.preopen.as_deref())?;
        Ok(WasiState { config, descriptors, ..WasiState::default() })
    }

    /// Takes the output captured so far.
    pub(crate) fn take_output(&mut self) -> WasiOutput {
        std::mem::take(&mut self.output)
    }

    /// Records that the running call ends with `proc_exit(status)`.
    pub(crate) fn set_exit(&mut self, status: i32) {
        self.exit = Some(status);
    }

    /// Turns the outcome of a call into [`CallOutcome::Exited`] when it
    /// trapped because of `proc_exit`.
    pub(crate) fn settle(&mut self, outcome: CallOutcome) -> CallOutcome {
        match (self.exit.take(), outcome) {
            (Some(status), CallOutcome::Trapped(_)) => CallOutcome::Exited(status),
            (_, outcome) => outcome,
        }
    }
}

/// WASI errno values used here.
pub(crate) mod errno {
    pub const SUCCESS: u16 = 0;
    pub const BADF: u16 = 8;
    pub const FAULT: u16 = 21;
    pub const INVAL: u16 = 28;
    pub const IO: u16 = 29;
    pub const MFILE: u16 = 33;
    pub const NOTSUP: u16 = 58;
    pub const SPIPE: u16 = 70;
    pub const NOTCAPABLE: u16 = 76;
}

macro_rules! wasi_functions {
    ($($variant:ident = $module:ident . $name:literal ($($param:ident),*) -> ($($result:ident),*);)*) => {
        /// One function of the WASI subset (or a benchmark marker).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum WasiFunc {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl WasiFunc {
            /// Every function of the subset.
            pub const ALL: &'static [WasiFunc] = &[$(WasiFunc::$variant),*];

            /// The import module name.
            pub fn module(self) -> &'static str {
                match self { $(WasiFunc::$variant => $module,)* }
            }

            /// The import field name.
            pub fn name(self) -> &'static str {
                match self { $(WasiFunc::$variant => $name,)* }
            }

            /// The function type a module must import it with.
            pub fn func_type(self) -> FuncType {
                match self {
                    $(WasiFunc::$variant => FuncType {
                        params: vec![$(ValType::$param),*],
                        results: vec![$(ValType::$result),*],
                    },)*
                }
            }
        }
    };
}

const WASI: &str = MODULE_NAME;
const BENCH: &str = BENCH_MODULE_NAME;

wasi_functions! {
    ArgsGet = WASI."args_get"(I32, I32) -> (I32);
    ArgsSizesGet = WASI."args_sizes_get"(I32, I32) -> (I32);
    EnvironGet = WASI."environ_get"(I32, I32) -> (I32);
    EnvironSizesGet = WASI."environ_sizes_get"(I32, I32) -> (I32);
    ClockResGet = WASI."clock_res_get"(I32, I32) -> (I32);
    ClockTimeGet = WASI."clock_time_get"(I32, I64, I32) -> (I32);
    FdClose = WASI."fd_close"(I32) -> (I32);
    FdFdstatGet = WASI."fd_fdstat_get"(I32, I32) -> (I32);
    FdFdstatSetFlags = WASI."fd_fdstat_set_flags"(I32, I32) -> (I32);
    FdFilestatGet = WASI."fd_filestat_get"(I32, I32) -> (I32);
    FdPrestatGet = WASI."fd_prestat_get"(I32, I32) -> (I32);
    FdPrestatDirName = WASI."fd_prestat_dir_name"(I32, I32, I32) -> (I32);
    FdRead = WASI."fd_read"(I32, I32, I32, I32) -> (I32);
    FdSeek = WASI."fd_seek"(I32, I64, I32, I32) -> (I32);
    FdWrite = WASI."fd_write"(I32, I32, I32, I32) -> (I32);
    PathOpen = WASI."path_open"(I32, I32, I32, I32, I32, I64, I64, I32, I32) -> (I32);
    ProcExit = WASI."proc_exit"(I32) -> ();
    RandomGet = WASI."random_get"(I32, I32) -> (I32);
    SchedYield = WASI."sched_yield"() -> (I32);
    BenchStart = BENCH."start"() -> ();
    BenchEnd = BENCH."end"() -> ();
}

impl WasiFunc {
    /// Finds the function `module.name` names.
    pub fn lookup(module: &str, name: &str) -> Option<WasiFunc> {
        WasiFunc::ALL.iter().copied().find(|f| f.module() == module && f.name() == name)
    }

    /// Whether `module` is a module name this subset serves.
    pub fn serves(module: &str) -> bool {
        module == MODULE_NAME || module == BENCH_MODULE_NAME
    }

    /// Value slots a call passes: one per parameter and result.
    pub(crate) fn slot_count(self) -> usize {
        let ty = self.func_type();
        ty.params.len().max(ty.results.len())
    }

    /// Runs the function on `slots` (operands in, errno out in slot 0).
    pub(crate) fn call(self, state: &mut WasiState, memory: &mut dyn GuestMemory, slots: &mut [u64]) -> Flow {
        if slots.len() < self.slot_count() {
            // The executor passes what the type says; anything else is a bug
            // there, answered without touching memory.
            if let Some(slot) = slots.first_mut() {
                *slot = u64::from(errno::INVAL);
            }
            return Flow::Return;
        }
        let a = |i: usize| slots[i] as u32 as u64;
        let errno = match self {
            WasiFunc::ArgsGet => list_get(memory, &state.config.args, a(0), a(1)),
            WasiFunc::ArgsSizesGet => list_sizes(memory, state.config.args.iter().map(String::len), a(0), a(1)),
            WasiFunc::EnvironGet => {
                let env: Vec<String> = state.config.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
                list_get(memory, &env, a(0), a(1))
            }
            WasiFunc::EnvironSizesGet => {
                let lengths = state.config.env.iter().map(|(k, v)| k.len() + 1 + v.len());
                list_sizes(memory, lengths, a(0), a(1))
            }
            WasiFunc::ClockResGet => clock(memory, a(0) as u32, a(1), true),
            WasiFunc::ClockTimeGet => clock(memory, a(0) as u32, a(2), false),
            WasiFunc::FdRead => transfer(state, memory, a(0) as u32, a(1), a(2), a(3), false),
            WasiFunc::FdWrite => transfer(state, memory, a(0) as u32, a(1), a(2), a(3), true),
            WasiFunc::FdSeek => match state.descriptors.seek(a(0) as u32, slots[1] as i64, a(2) as u32) {
                Ok(position) => store(memory, a(3), &position.to_le_bytes()),
                Err(errno) => errno,
            },
            WasiFunc::FdClose => state.descriptors.close(a(0) as u32),
            WasiFunc::FdFdstatGet => match state.descriptors.fdstat(a(0) as u32) {
                Ok(bytes) => store(memory, a(1), &bytes),
                Err(errno) => errno,
            },
            WasiFunc::FdFdstatSetFlags => state.descriptors.set_flags(a(0) as u32, a(1) as u32),
            WasiFunc::FdFilestatGet => match state.descriptors.filestat(a(0) as u32) {
                Ok(bytes) => store(memory, a(1), &bytes),
                Err(errno) => errno,
            },
            WasiFunc::FdPrestatGet => match state.descriptors.preopen_name(a(0) as u32) {
                Some(name) => {
                    let mut prestat = [0u8; 8];
                    prestat[4..].copy_from_slice(&(name.len() as u32).to_le_bytes());
                    store(memory, a(1), &prestat)
                }
                None => errno::BADF,
            },
            WasiFunc::FdPrestatDirName => match state.descriptors.preopen_name(a(0) as u32) {
                Some(name) if (a(2) as usize) < name.len() => errno::INVAL,
                Some(name) => store(memory, a(1), name.as_bytes()),
                None => errno::BADF,
            },
            WasiFunc::PathOpen => match memory.read(a(2), a(3)) {
                None => errno::FAULT,
                Some(path) => {
                    let request = files::OpenRequest {
                        dir_flags: a(1) as u32,
                        open_flags: a(4) as u32,
                        rights: slots[5],
                        fd_flags: a(7) as u32,
                    };
                    match state.descriptors.open(a(0) as u32, &path, request) {
                        Ok(fd) => match store(memory, a(8), &fd.to_le_bytes()) {
                            errno::SUCCESS => errno::SUCCESS,
                            fault => {
                                state.descriptors.close(fd);
                                fault
                            }
                        },
                        Err(errno) => errno,
                    }
                }
            },
            WasiFunc::ProcExit => return Flow::Exit(slots[0] as u32 as i32),
            WasiFunc::RandomGet => random(memory, a(0), a(1)),
            WasiFunc::SchedYield => {
                std::thread::yield_now();
                errno::SUCCESS
            }
            WasiFunc::BenchStart | WasiFunc::BenchEnd => return Flow::Return,
        };
        slots[0] = u64::from(errno);
        Flow::Return
    }
}

/// Writes `bytes` at `address`: success or `EFAULT`.
fn store(memory: &mut dyn GuestMemory, address: u64, bytes: &[u8]) -> u16 {
    if memory.write(address, bytes) { errno::SUCCESS } else { errno::FAULT }
}

/// `args_sizes_get` / `environ_sizes_get`: the count and the bytes the
/// NUL-terminated strings take.
fn list_sizes(
    memory: &mut dyn GuestMemory,
    lengths: impl Iterator<Item = usize>,
    count_out: u64,
    size_out: u64,
) -> u16 {
    let (count, bytes) = lengths.fold((0u32, 0u32), |(count, bytes), len| (count + 1, bytes + len as u32 + 1));
    match store(memory, count_out, &count.to_le_bytes()) {
        errno::SUCCESS => store(memory, size_out, &bytes.to_le_bytes()),
        fault => fault,
    }
}

/// `args_get` / `environ_get`: the strings, NUL-terminated, one after the
/// other at `buf`, and a pointer to each at `pointers`.
fn list_get(memory: &mut dyn GuestMemory, list: &[String], pointers: u64, buf: u64) -> u16 {
    let mut position = buf;
    let mut table = Vec::with_capacity(list.len() * 4);
    let mut strings = Vec::new();
    for item in list {
        table.extend_from_slice(&(position as u32).to_le_bytes());
        strings.extend_from_slice(item.as_bytes());
        strings.push(0);
        position += item.len() as u64 + 1;
    }
    match store(memory, pointers, &table) {
        errno::SUCCESS => store(memory, buf, &strings),
        fault => fault,
    }
}

/// `clock_time_get` / `clock_res_get` on the host's clocks (realtime,
/// monotonic, process and thread CPU time).
fn clock(memory: &mut dyn GuestMemory, id: u32, out: u64, resolution: bool) -> u16 {
    let clock = match id {
        0 => libc::CLOCK_REALTIME,
        1 => libc::CLOCK_MONOTONIC,
        2 => libc::CLOCK_PROCESS_CPUTIME_ID,
        3 => libc::CLOCK_THREAD_CPUTIME_ID,
        _ => return errno::INVAL,
    };
    let mut time = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `time` is a valid timespec to write.
    let status = unsafe {
        if resolution { libc::clock_getres(clock, &mut time) } else { libc::clock_gettime(clock, &mut time) }
    };
    if status != 0 {
        return errno::INVAL;
    }
    let nanos = (time.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(time.tv_nsec as u64);
    store(memory, out, &nanos.to_le_bytes())
}

/// `random_get`: `len` bytes from the host's random source.
fn random(memory: &mut dyn GuestMemory, buf: u64, len: u64) -> u16 {
    if !memory.contains(buf, len) {
        return errno::FAULT;
    }
    let mut bytes = vec![0u8; len as usize];
    let mut done = 0;
    while done < bytes.len() {
        // SAFETY: the pointer and length stay inside `bytes`.
        let n = unsafe { libc::getrandom(bytes[done..].as_mut_ptr().cast(), bytes.len() - done, 0) };
        if n > 0 {
            done += n as usize;
        } else if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return errno::IO;
        }
    }
    store(memory, buf, &bytes)
}

/// `fd_read` / `fd_write`: the iovec array (`{u32 buf, u32 len}` each) at
/// `iovs`, `count` of them, moved in one transfer like `readv`/`writev`;
/// the byte count goes to `done_out`.
fn transfer(
    state: &mut WasiState,
    memory: &mut dyn GuestMemory,
    fd: u32,
    iovs: u64,
    count: u64,
    done_out: u64,
    writing: bool,
) -> u16 {
    if count > 1024 {
        return errno::INVAL;
    }
    let Some(table) = memory.read(iovs, count * 8) else { return errno::FAULT };
    let buffers: Vec<(u64, u64)> = table
        .chunks_exact(8)
        .map(|entry| {
            let word = |i: usize| u64::from(u32::from_le_bytes([entry[i], entry[i + 1], entry[i + 2], entry[i + 3]]));
            (word(0), word(4))
        })
        .collect();
    let done = if writing {
        let mut bytes = Vec::new();
        for &(buf, len) in &buffers {
            match memory.read(buf, len) {
                Some(chunk) => bytes.extend_from_slice(&chunk),
                None => return errno::FAULT,
            }
        }
        match state.write(fd, &bytes) {
            Ok(n) => n,
            Err(errno) => return errno,
        }
    } else {
        if !buffers.iter().all(|&(buf, len)| memory.contains(buf, len)) {
            return errno::FAULT;
        }
        let total = buffers.iter().map(|&(_, len)| len).sum::<u64>() as usize;
        let bytes = match state.read(fd, total) {
            Ok(bytes) => bytes,
            Err(errno) => return errno,
        };
        let mut rest = &bytes[..];
        for &(buf, len) in &buffers {
            let (chunk, tail) = rest.split_at(rest.len().min(len as usize));
            if !memory.write(buf, chunk) {
                return errno::FAULT;
            }
            rest = tail;
        }
        bytes.len()
    };
    store(memory, done_out, &(done as u32).to_le_bytes())
}

impl WasiState {
    /// Writes to descriptor `fd`: standard output and error are captured.
    fn write(&mut self, fd: u32, bytes: &[u8]) -> Result<usize, u16> {
        match self.descriptors.stream(fd) {
            Some(Stream::Stdout) => self.output.stdout.extend_from_slice(bytes),
            Some(Stream::Stderr) => self.output.stderr.extend_from_slice(bytes),
            Some(Stream::Stdin) => return Err(errno::BADF),
            None => return self.descriptors.write(fd, bytes),
        }
        Ok(bytes.len())
    }

    /// Reads up to `len` bytes from descriptor `fd`: standard input comes
    /// from the configuration.
    fn read(&mut self, fd: u32, len: usize) -> Result<Vec<u8>, u16> {
        match self.descriptors.stream(fd) {
            Some(Stream::Stdin) => {
                let rest = &self.config.stdin[self.stdin_position..];
                let chunk = rest[..rest.len().min(len)].to_vec();
                self.stdin_position += chunk.len();
                Ok(chunk)
            }
            Some(Stream::Stdout | Stream::Stderr) => Err(errno::BADF),
            None => self.descriptors.read(fd, len),
        }
    }
}

#[cfg(test)]
mod tests;
