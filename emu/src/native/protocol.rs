//! The wire between the native executor and its child process.
//!
//! ```text
//!   parent (NativeExecutor) ──Request frame──▶ child (request loop)
//!                           ◀──Reply frame────
//!                           ◀──Crash frame──── child's signal handler, then _exit
//! ```
//!
//! Both sides share one Unix stream socket. A frame is a kind byte, a
//! little-endian `u32` payload length and the payload: a bincode-encoded
//! [`Request`] or [`Reply`], or the UTF-8 text of a crash report. Crash
//! frames are written by a signal handler, so their layout must stay this
//! simple (see `signals::report_crash`).

use crate::spectest::HostCall;
use crate::wasi::{WasiConfig, WasiOutput};
use crate::{CallOutcome, EmuError, InstanceId, Trap, Value};
use compiler::module::Target;
use serde::{Deserialize, Serialize};
use std::io;
use std::os::fd::RawFd;
use std::time::Instant;

/// Frame kind: a bincode [`Request`] (parent to child).
pub(super) const FRAME_REQUEST: u8 = 1;
/// Frame kind: a bincode [`Reply`] (child to parent).
pub(super) const FRAME_REPLY: u8 = 2;
/// Frame kind: a crash report in UTF-8 (child to parent, from a signal handler).
pub(super) const FRAME_CRASH: u8 = 3;

/// Size of the frame header: kind byte and payload length.
pub(super) const FRAME_HEADER_SIZE: usize = 5;

/// Frames larger than this are refused (a corrupted length).
const MAX_FRAME_SIZE: usize = 1 << 31;

/// What the parent asks the child to do. The parent sends
/// `Request<&CompiledModule>` (no copy of the module), the child decodes
/// `Request<CompiledModule>`: both encode the same way.
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum Request<M> {
    /// Instantiate a module.
    Instantiate(M),
    /// Make an instance's exports importable under a name.
    Register(String, InstanceId),
    /// Call an exported function.
    Call(InstanceId, String, Vec<Value>),
    /// Read an exported global.
    Global(InstanceId, String),
    /// Read an exported memory.
    Memory(InstanceId, String),
    /// Return and forget the spectest calls recorded so far.
    TakeHostCalls,
    /// Set what WASI programs see from now on.
    ConfigureWasi(WasiConfig),
    /// Return and forget what WASI programs wrote so far.
    TakeWasiOutput,
    /// Exit the child.
    Shutdown,
}

/// The child's answer to one [`Request`].
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum Reply {
    /// A new instance.
    Instance(InstanceId),
    /// Done, nothing to return.
    Done,
    /// A call's outcome.
    Call(CallOutcome),
    /// A global's value.
    Value(Value),
    /// A memory's bytes.
    /// Sent as one block (`serde_bytes`), not element by element.
    Bytes(#[serde(with = "serde_bytes")] Vec<u8>),
    /// Recorded host calls.
    HostCalls(Vec<HostCall>),
    /// Captured WASI output.
    WasiOutput(WasiOutput),
    /// The request failed.
    Error(WireError),
}

/// [`EmuError`] in a form that crosses the wire.
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum WireError {
    Crashed(String),
    Link(String),
    InstantiationTrap(Trap),
    NoSuchExport { kind: String, name: String },
    BadArguments(String),
    WrongTarget { module: Target, executor: Target },
    Unsupported(String),
    System(String),
}

impl From<EmuError> for WireError {
    fn from(error: EmuError) -> WireError {
        match error {
            EmuError::Crashed(s) => WireError::Crashed(s),
            EmuError::Link(s) => WireError::Link(s),
            EmuError::InstantiationTrap(t) => WireError::InstantiationTrap(t),
            EmuError::NoSuchExport { kind, name } => WireError::NoSuchExport { kind: kind.to_string(), name },
            EmuError::BadArguments(s) => WireError::BadArguments(s),
            EmuError::WrongTarget { module, executor } => WireError::WrongTarget { module, executor },
            EmuError::Unsupported(s) => WireError::Unsupported(s),
            EmuError::System(s) => WireError::System(s),
        }
    }
}

impl From<WireError> for EmuError {
    fn from(error: WireError) -> EmuError {
        match error {
            WireError::Crashed(s) => EmuError::Crashed(s),
            WireError::Link(s) => EmuError::Link(s),
            WireError::InstantiationTrap(t) => EmuError::InstantiationTrap(t),
            WireError::NoSuchExport { kind, name } => {
                let kind = match kind.as_str() {
                    "function" => "function",
                    "global" => "global",
                    "memory" => "memory",
                    "table" => "table",
                    _ => "item",
                };
                EmuError::NoSuchExport { kind, name }
            }
            WireError::BadArguments(s) => EmuError::BadArguments(s),
            WireError::WrongTarget { module, executor } => EmuError::WrongTarget { module, executor },
            WireError::Unsupported(s) => EmuError::Unsupported(s),
            WireError::System(s) => EmuError::System(s),
        }
    }
}

/// Why reading a frame failed.
#[derive(Debug)]
pub(super) enum FrameError {
    /// The peer closed the socket (at or inside a frame).
    Eof,
    /// The deadline passed.
    Timeout,
    /// Any other failure.
    Io(io::Error),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::Eof => f.write_str("connection closed"),
            FrameError::Timeout => f.write_str("timed out"),
            FrameError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Builds a frame header.
pub(super) fn frame_header(kind: u8, len: u32) -> [u8; FRAME_HEADER_SIZE] {
    let len = len.to_le_bytes();
    [kind, len[0], len[1], len[2], len[3]]
}

/// Writes all of `bytes` to `fd` without raising `SIGPIPE`. Async-signal-safe.
pub(super) fn send_all(fd: RawFd, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        // SAFETY: the pointer and length describe a live slice.
        let n = unsafe { libc::send(fd, bytes.as_ptr().cast(), bytes.len(), libc::MSG_NOSIGNAL) };
        if n < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        bytes = &bytes[n as usize..];
    }
    Ok(())
}

/// Writes one frame.
pub(super) fn write_frame(fd: RawFd, kind: u8, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len()).map_err(|_| io::Error::other("frame too large"))?;
    send_all(fd, &frame_header(kind, len))?;
    send_all(fd, payload)
}

/// Waits until `fd` is readable or `deadline` passes.
fn wait_readable(fd: RawFd, deadline: Instant) -> Result<(), FrameError> {
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(FrameError::Timeout);
        }
        let timeout_ms = remaining.as_millis().clamp(1, i32::MAX as u128) as i32;
        let mut pollfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut pollfd, 1, timeout_ms) };
        if n > 0 {
            return Ok(());
        }
        if n < 0 {
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                return Err(FrameError::Io(error));
            }
        }
    }
}

/// Fills `buf` from `fd`.
fn read_exact(fd: RawFd, mut buf: &mut [u8], deadline: Option<Instant>) -> Result<(), FrameError> {
    while !buf.is_empty() {
        if let Some(deadline) = deadline {
            wait_readable(fd, deadline)?;
        }
        // SAFETY: the pointer and length describe a live, writable slice.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(FrameError::Io(error));
        }
        if n == 0 {
            return Err(FrameError::Eof);
        }
        buf = &mut buf[n as usize..];
    }
    Ok(())
}

/// Reads one frame: its kind and payload.
pub(super) fn read_frame(fd: RawFd, deadline: Option<Instant>) -> Result<(u8, Vec<u8>), FrameError> {
    let mut header = [0u8; FRAME_HEADER_SIZE];
    read_exact(fd, &mut header, deadline)?;
    let len = u32::from_le_bytes([header[1], header[2], header[3], header[4]]) as usize;
    if len > MAX_FRAME_SIZE {
        return Err(FrameError::Io(io::Error::other(format!("frame of {len} bytes"))));
    }
    let mut payload = vec![0u8; len];
    read_exact(fd, &mut payload, deadline)?;
    Ok((header[0], payload))
}
