//! The native x86-64 executor: runs generated code on the host, inside a
//! forked child process.
//!
//! ```text
//!   harness ─▶ NativeExecutor (parent side, this file)
//!                 │  Request / Reply frames over a Unix socket pair (protocol)
//!                 ▼
//!              child process (child): Store of instances (instance, memory)
//!                 │  signals::enter on a dedicated Wasm stack
//!                 ▼
//!              generated code ── ud2 at a trap site ─▶ signal handler ─▶ Trapped
//!                             └─ any other fault ───▶ crash report, _exit ─▶ Crashed
//! ```
//!
//! A crash in generated code (a wild access, a jump into nowhere, a stack
//! overflow that skipped the stack-limit check) kills only the child; the
//! parent turns what the child managed to report, plus how it died, into
//! [`EmuError::Crashed`], and every later request fails the same way. Traps
//! do not reset an instance: memory and globals stay as the trap left them.
//!
//! Module map: `protocol` (messages and framing), `child` (request loop,
//! store, calls, host dispatch), `instance` (linking and instantiation),
//! `memory` (code, linear memory and VM context allocations), `signals`
//! (entering generated code, trap recovery, crash reports).

mod builtins;
mod child;
mod instance;
mod memory;
mod protocol;
mod signals;
mod table;

use crate::spectest::HostCall;
use crate::wasi::{WasiConfig, WasiOutput};
use crate::{CallOutcome, EmuError, Executor, InstanceId, Value};
use compiler::module::CompiledModule;
use protocol::{FRAME_CRASH, FRAME_REPLY, FRAME_REQUEST, FrameError, Reply, Request, read_frame, write_frame};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs x86-64 modules natively in a child process. See the module docs.
pub struct NativeExecutor {
    child: Option<Child>,
    /// Set once the child died: the report every later request returns.
    crashed: Option<String>,
    timeout: Option<Duration>,
}

/// The parent's handle on the child.
struct Child {
    pid: libc::pid_t,
    socket: OwnedFd,
}

impl Child {
    /// Waits for the child to exit (it is expected to, having closed its
    /// socket or reported a crash), killing it after a grace period.
    /// Describes how it ended.
    fn reap(self) -> String {
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut status = 0;
        loop {
            // SAFETY: waiting for our own child.
            let rc = unsafe { libc::waitpid(self.pid, &mut status, libc::WNOHANG) };
            if rc == self.pid {
                return describe_status(status);
            }
            if rc < 0 {
                return format!("waitpid failed: {}", std::io::Error::last_os_error());
            }
            if Instant::now() >= deadline {
                return format!("{}; it did not exit and was killed", self.terminate());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Kills the child and waits for it.
    fn terminate(self) -> String {
        let mut status = 0;
        // SAFETY: signalling and waiting for our own, not yet reaped child.
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            libc::waitpid(self.pid, &mut status, 0);
        }
        describe_status(status)
    }
}

fn describe_status(status: libc::c_int) -> String {
    if libc::WIFSIGNALED(status) {
        let signal = libc::WTERMSIG(status);
        let name = match signal {
            libc::SIGSEGV => " (SIGSEGV)",
            libc::SIGBUS => " (SIGBUS)",
            libc::SIGILL => " (SIGILL)",
            libc::SIGFPE => " (SIGFPE)",
            libc::SIGABRT => " (SIGABRT)",
            libc::SIGKILL => " (SIGKILL)",
            _ => "",
        };
        format!("child killed by signal {signal}{name}")
    } else if libc::WIFEXITED(status) {
        let code = libc::WEXITSTATUS(status);
        if code == signals::CRASH_EXIT_CODE {
            "child exited after reporting the fault".to_string()
        } else {
            format!("child exited with status {code}")
        }
    } else {
        format!("child ended with wait status {status:#x}")
    }
}

impl NativeExecutor {
    /// Forks the child process that will run generated code.
    pub fn new() -> Result<NativeExecutor, EmuError> {
        let mut fds = [-1; 2];
        // SAFETY: socketpair writes two descriptors into `fds`.
        let rc =
            unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0, fds.as_mut_ptr()) };
        if rc != 0 {
            return Err(signals::os_error("socketpair"));
        }
        // SAFETY: fork duplicates only this thread. The child runs the
        // request loop and leaves with `_exit`, never returning here.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            let error = signals::os_error("fork");
            // SAFETY: closing the descriptors created above.
            unsafe {
                libc::close(fds[0]);
                libc::close(fds[1]);
            }
            return Err(error);
        }
        if pid == 0 {
            child::run(fds[1], fds[0]);
        }
        // SAFETY: the child's end is not ours to keep; fds[0] is a fresh,
        // owned descriptor.
        let socket = unsafe {
            libc::close(fds[1]);
            OwnedFd::from_raw_fd(fds[0])
        };
        Ok(NativeExecutor { child: Some(Child { pid, socket }), crashed: None, timeout: None })
    }

    /// Bounds how long one request (an instantiation with its start
    /// function, a call) may run. When it runs longer the child is killed
    /// and the request, like every later one, fails with
    /// [`EmuError::Crashed`] saying it timed out. `None` (the default) waits
    /// forever.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// Returns the calls to `spectest` functions made since the last time
    /// this was asked, oldest first.
    pub fn take_host_calls(&mut self) -> Result<Vec<HostCall>, EmuError> {
        match self.request(&Request::<&CompiledModule>::TakeHostCalls)? {
            Reply::HostCalls(calls) => Ok(calls),
            other => Err(unexpected(other)),
        }
    }

    /// The child's process id, while it is alive.
    pub fn child_pid(&self) -> Option<i32> {
        self.child.as_ref().map(|child| child.pid)
    }

    /// Sends one request and waits for its reply.
    fn request(&mut self, request: &Request<&CompiledModule>) -> Result<Reply, EmuError> {
        if let Some(report) = &self.crashed {
            return Err(EmuError::Crashed(report.clone()));
        }
        let fd = match &self.child {
            Some(child) => child.socket.as_raw_fd(),
            None => return Err(EmuError::System("the executor has shut down".to_string())),
        };
        let payload =
            bincode::serialize(request).map_err(|error| EmuError::System(format!("encoding a request: {error}")))?;
        if let Err(error) = write_frame(fd, FRAME_REQUEST, &payload) {
            return Err(self.child_died(format!("sending a request failed: {error}")));
        }
        let deadline = self.timeout.map(|timeout| Instant::now() + timeout);
        match read_frame(fd, deadline) {
            Ok((FRAME_REPLY, payload)) => match bincode::deserialize::<Reply>(&payload) {
                Ok(Reply::Error(error)) => Err(error.into()),
                Ok(reply) => Ok(reply),
                Err(error) => Err(EmuError::System(format!("undecodable reply: {error}"))),
            },
            Ok((FRAME_CRASH, payload)) => Err(self.child_died(String::from_utf8_lossy(&payload).into_owned())),
            Ok((kind, _)) => {
                self.kill_child();
                Err(self.child_died(format!("protocol error: frame kind {kind}")))
            }
            Err(FrameError::Timeout) => {
                self.kill_child();
                Err(self.child_died(format!("timeout: no reply within {:?}", self.timeout.unwrap_or_default())))
            }
            Err(FrameError::Eof) => Err(self.child_died("the child died without reporting".to_string())),
            Err(error @ FrameError::Io(_)) => Err(self.child_died(format!("reading a reply failed: {error}"))),
        }
    }

    fn kill_child(&self) {
        if let Some(child) = &self.child {
            // SAFETY: signalling our own child, not yet reaped.
            unsafe { libc::kill(child.pid, libc::SIGKILL) };
        }
    }

    /// Records the child's death and builds the error for it.
    fn child_died(&mut self, report: String) -> EmuError {
        let status = self.child.take().map(Child::reap).unwrap_or_default();
        let message = format!("{report} [{status}]");
        self.crashed = Some(message.clone());
        EmuError::Crashed(message)
    }
}

impl Drop for NativeExecutor {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            // Ask politely (the child is idle between requests), then make sure.
            let fd = child.socket.as_raw_fd();
            if let Ok(payload) = bincode::serialize(&Request::<&CompiledModule>::Shutdown)
                && write_frame(fd, FRAME_REQUEST, &payload).is_ok()
            {
                let _ = read_frame(fd, Some(Instant::now() + Duration::from_secs(1)));
            }
            child.terminate();
        }
    }
}

fn unexpected(reply: Reply) -> EmuError {
    EmuError::System(format!("unexpected reply from the child: {reply:?}"))
}

impl Executor for NativeExecutor {
    fn instantiate(&mut self, module: Arc<CompiledModule>) -> Result<InstanceId, EmuError> {
        match self.request(&Request::Instantiate(&*module))? {
            Reply::Instance(id) => Ok(id),
            other => Err(unexpected(other)),
        }
    }

    fn register(&mut self, name: &str, instance: InstanceId) -> Result<(), EmuError> {
        match self.request(&Request::Register(name.to_string(), instance))? {
            Reply::Done => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    fn call(&mut self, instance: InstanceId, export: &str, args: &[Value]) -> Result<CallOutcome, EmuError> {
        match self.request(&Request::Call(instance, export.to_string(), args.to_vec()))? {
            Reply::Call(outcome) => Ok(outcome),
            other => Err(unexpected(other)),
        }
    }

    fn global(&mut self, instance: InstanceId, export: &str) -> Result<Value, EmuError> {
        match self.request(&Request::Global(instance, export.to_string()))? {
            Reply::Value(value) => Ok(value),
            other => Err(unexpected(other)),
        }
    }

    fn memory(&mut self, instance: InstanceId, export: &str) -> Result<Vec<u8>, EmuError> {
        match self.request(&Request::Memory(instance, export.to_string()))? {
            Reply::Bytes(bytes) => Ok(bytes),
            other => Err(unexpected(other)),
        }
    }

    fn configure_wasi(&mut self, config: WasiConfig) -> Result<(), EmuError> {
        match self.request(&Request::ConfigureWasi(config))? {
            Reply::Done => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    fn take_wasi_output(&mut self) -> Result<WasiOutput, EmuError> {
        match self.request(&Request::<&CompiledModule>::TakeWasiOutput)? {
            Reply::WasiOutput(output) => Ok(output),
            other => Err(unexpected(other)),
        }
    }
}
