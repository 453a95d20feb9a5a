//! Entering generated code, and getting out of it when it traps or crashes.
//!
//! This is the lowest layer of the native executor's child process:
//!
//! ```text
//!   child request loop ─▶ enter() ─▶ w2n_enter ─▶ array entry trampoline ─▶ Wasm
//!                            ▲          (switches to the Wasm stack)        │ ud2
//!                            │                                             ▼
//!                            └─ returns 1 ◀─ w2n_trap_landing ◀─ signal handler
//! ```
//!
//! `w2n_enter` saves the callee-saved registers on the native stack, stores
//! the stack pointer in [`SAVED_SP`], switches to a dedicated Wasm stack and
//! calls the trampoline. When generated code executes a trap instruction at
//! an offset listed in its module's trap table, the kernel delivers a signal;
//! the handler (running on an alternate signal stack) records the trap and
//! rewrites the interrupted context so that the kernel resumes at
//! `w2n_trap_landing` on the saved native stack, which pops the registers
//! and makes `w2n_enter` return 1. Any other fault is a crash: the handler
//! writes a crash frame (see `protocol`) to the parent with `send(2)` and
//! `_exit`s. The handler uses only atomics, reads of data that is not
//! modified while generated code runs, and async-signal-safe calls.
//!
//! Invariant: the code registry is only modified while [`IN_WASM`] is false,
//! and the handler only reads it while [`IN_WASM`] is true. The child is
//! single-threaded, so this makes the handler's reads race-free.

use super::protocol::{FRAME_CRASH, FRAME_HEADER_SIZE, frame_header, send_all};
use crate::{EmuError, Trap};
use compiler::module::CompiledModule;
use compiler::runtime::TrapCode;
use std::fmt::Write as _;
use std::os::fd::RawFd;
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, AtomicU32, AtomicUsize, Ordering::SeqCst};

/// Usable size of the Wasm stack.
pub(super) const WASM_STACK_SIZE: usize = 8 << 20;
/// Size of the inaccessible guard region below the Wasm stack.
const WASM_STACK_GUARD: usize = 64 << 10;
/// Distance between the lowest usable stack address and the stack limit
/// published in the VM context: room for host calls and signal-free slack.
pub(super) const STACK_LIMIT_MARGIN: usize = 64 << 10;
/// Size of the alternate signal stack.
const SIGNAL_STACK_SIZE: usize = 64 << 10;
/// Exit status of a child that reported a crash.
pub(super) const CRASH_EXIT_CODE: i32 = 86;

core::arch::global_asm!(
    ".text",
    // w2n_enter(vmctx: rdi, values: rsi, entry: rdx, stack_top: rcx, saved_sp_slot: r8) -> u64
    ".p2align 4",
    ".globl w2n_enter",
    ".hidden w2n_enter",
    ".type w2n_enter, @function",
    "w2n_enter:",
    "push rbp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    "mov r12, r8",
    "mov [r8], rsp",
    "mov rsp, rcx",
    "call rdx",
    "mov rsp, [r12]",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "xor eax, eax",
    "ret",
    ".size w2n_enter, . - w2n_enter",
    // Entered from the signal handler with rsp = *saved_sp_slot.
    ".p2align 4",
    ".globl w2n_trap_landing",
    ".hidden w2n_trap_landing",
    ".type w2n_trap_landing, @function",
    "w2n_trap_landing:",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "mov eax, 1",
    "ret",
    ".size w2n_trap_landing, . - w2n_trap_landing",
);

unsafe extern "C" {
    fn w2n_enter(vmctx: *mut u8, values: *mut u64, entry: usize, stack_top: usize, saved_sp_slot: *mut usize) -> u64;
    fn w2n_trap_landing();
}

/// The native stack pointer saved by `w2n_enter`.
static SAVED_SP: AtomicUsize = AtomicUsize::new(0);
/// Whether generated code (or a host call made from it) is running.
static IN_WASM: AtomicBool = AtomicBool::new(false);
/// The socket to the parent, for crash reports.
static REPLY_FD: AtomicI32 = AtomicI32::new(-1);
/// The last trap: index of the code range, offset, trap code number.
static TRAP_RANGE: AtomicUsize = AtomicUsize::new(0);
static TRAP_OFFSET: AtomicU32 = AtomicU32::new(0);
static TRAP_CODE: AtomicU32 = AtomicU32::new(0);
/// The Wasm stack's guard region, for crash reports.
static GUARD_START: AtomicUsize = AtomicUsize::new(0);
static GUARD_END: AtomicUsize = AtomicUsize::new(0);
/// Every module's code in this process (leaked; never freed).
static CODE_RANGES: AtomicPtr<Vec<CodeRange>> = AtomicPtr::new(ptr::null_mut());

/// Where one module's code is mapped.
struct CodeRange {
    start: usize,
    len: usize,
    module: Arc<CompiledModule>,
}

/// Makes faults inside `start..start + len` attributable to `module`.
/// Must not be called while generated code runs.
pub(super) fn register_code(start: usize, len: usize, module: Arc<CompiledModule>) {
    assert!(!IN_WASM.load(SeqCst), "code registered while generated code runs");
    let mut ranges = CODE_RANGES.load(SeqCst);
    if ranges.is_null() {
        ranges = Box::into_raw(Box::new(Vec::new()));
        CODE_RANGES.store(ranges, SeqCst);
    }
    // SAFETY: the registry is only touched by this thread, and the handler
    // does not read it now (IN_WASM is false).
    unsafe { (*ranges).push(CodeRange { start, len, module }) };
}

/// Finds the code range containing `pc`: its index, the module and the offset.
///
/// # Safety
/// The registry must not be modified concurrently (see the module invariant).
unsafe fn locate(pc: usize) -> Option<(usize, &'static CodeRange, u32)> {
    let ranges = CODE_RANGES.load(SeqCst);
    if ranges.is_null() {
        return None;
    }
    // SAFETY: per the caller; the vector is leaked, so 'static.
    let ranges: &'static Vec<CodeRange> = unsafe { &*ranges };
    ranges.iter().enumerate().find_map(|(index, range)| {
        let offset = pc.checked_sub(range.start)?;
        (offset < range.len).then_some((index, range, offset as u32))
    })
}

/// The Wasm stack: [`WASM_STACK_SIZE`] bytes above a guard region.
pub(super) struct WasmStack {
    mapping: *mut u8,
    mapping_len: usize,
}

impl WasmStack {
    /// Maps the stack and its guard.
    pub(super) fn new() -> Result<WasmStack, EmuError> {
        let mapping_len = WASM_STACK_GUARD + WASM_STACK_SIZE;
        // SAFETY: a fresh anonymous mapping.
        let mapping = unsafe {
            libc::mmap(
                ptr::null_mut(),
                mapping_len,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if mapping == libc::MAP_FAILED {
            return Err(os_error("mmap of the Wasm stack"));
        }
        let mapping = mapping.cast::<u8>();
        // SAFETY: the range lies inside the mapping just created.
        let rc = unsafe {
            libc::mprotect(mapping.add(WASM_STACK_GUARD).cast(), WASM_STACK_SIZE, libc::PROT_READ | libc::PROT_WRITE)
        };
        if rc != 0 {
            let error = os_error("mprotect of the Wasm stack");
            // SAFETY: unmapping what was mapped above.
            unsafe { libc::munmap(mapping.cast(), mapping_len) };
            return Err(error);
        }
        GUARD_START.store(mapping as usize, SeqCst);
        GUARD_END.store(mapping as usize + WASM_STACK_GUARD, SeqCst);
        Ok(WasmStack { mapping, mapping_len })
    }

    /// The initial stack pointer (one past the highest byte; page aligned).
    fn top(&self) -> usize {
        self.mapping as usize + self.mapping_len
    }

    /// Fills the top [`crate::STACK_POISON_BYTES`] with [`crate::STACK_POISON`].
    fn poison(&self) {
        let len = crate::STACK_POISON_BYTES.min(WASM_STACK_SIZE);
        // SAFETY: the top `len` bytes lie in the read-write part of our mapping.
        unsafe { ptr::write_bytes((self.top() - len) as *mut u8, crate::STACK_POISON, len) };
    }

    /// The stack limit for the VM context: generated code traps with a
    /// stack overflow when its stack pointer would go below it.
    pub(super) fn limit(&self) -> u64 {
        (self.mapping as usize + WASM_STACK_GUARD + STACK_LIMIT_MARGIN) as u64
    }
}

impl Drop for WasmStack {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping.
        unsafe { libc::munmap(self.mapping.cast(), self.mapping_len) };
    }
}

/// Calls the array entry trampoline at address `entry` with `vmctx` and
/// `values` on the Wasm stack. Returns the trap if generated code trapped.
///
/// # Safety
/// `entry` must be executable code following the array-call convention,
/// `vmctx` a VM context built for its module, and `values` must hold as many
/// slots as the function has parameters and results. The signal handlers
/// must be installed ([`install_handlers`]).
pub(super) unsafe fn enter(stack: &WasmStack, entry: usize, vmctx: *mut u8, values: *mut u64) -> Result<(), Trap> {
    assert!(!IN_WASM.swap(true, SeqCst), "re-entering generated code is not supported");
    stack.poison();
    // SAFETY: per the caller; w2n_enter preserves the native stack and the
    // callee-saved registers whether the code returns or traps.
    let status = unsafe { w2n_enter(vmctx, values, entry, stack.top(), SAVED_SP.as_ptr()) };
    IN_WASM.store(false, SeqCst);
    if status == 0 {
        return Ok(());
    }
    let offset = TRAP_OFFSET.load(SeqCst);
    let code = TrapCode::from_u8(TRAP_CODE.load(SeqCst) as u8).unwrap_or(TrapCode::Unreachable);
    // SAFETY: generated code is no longer running, so nobody modifies the registry.
    let function = unsafe { CODE_RANGES.load(SeqCst).as_ref() }
        .and_then(|ranges| ranges.get(TRAP_RANGE.load(SeqCst)))
        .and_then(|range| range.module.function_containing(offset))
        .map(|layout| layout.name.clone());
    Err(Trap { code, offset, function })
}

/// Installs the fault handlers on an alternate signal stack, and remembers
/// where crash reports go.
pub(super) fn install_handlers(reply_fd: RawFd) -> Result<(), EmuError> {
    REPLY_FD.store(reply_fd, SeqCst);
    // SAFETY: plain system calls on memory we own; the alternate stack is
    // leaked on purpose (it must outlive every signal).
    unsafe {
        let stack = libc::mmap(
            ptr::null_mut(),
            SIGNAL_STACK_SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if stack == libc::MAP_FAILED {
            return Err(os_error("mmap of the signal stack"));
        }
        let alt = libc::stack_t { ss_sp: stack, ss_flags: 0, ss_size: SIGNAL_STACK_SIZE };
        if libc::sigaltstack(&alt, ptr::null_mut()) != 0 {
            return Err(os_error("sigaltstack"));
        }
        let mut unblock: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut unblock);
        for signal in [libc::SIGILL, libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE] {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handle_fault as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(signal, &action, ptr::null_mut()) != 0 {
                return Err(os_error("sigaction"));
            }
            libc::sigaddset(&mut unblock, signal);
        }
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &unblock, ptr::null_mut());
    }
    Ok(())
}

/// The fault handler: a trap becomes a jump to `w2n_trap_landing`, anything
/// else a crash report and `_exit`.
extern "C" fn handle_fault(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo and ucontext for SA_SIGINFO
    // handlers; the registry is only read while generated code runs.
    unsafe {
        let context = &mut *context.cast::<libc::ucontext_t>();
        let pc = context.uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
        let address = (*info).si_addr() as usize;
        let in_wasm = IN_WASM.load(SeqCst);
        let located = if in_wasm { locate(pc) } else { None };
        if let Some((index, range, offset)) = located
            && let Some(code) = range.module.trap_at(offset)
        {
            TRAP_RANGE.store(index, SeqCst);
            TRAP_OFFSET.store(offset, SeqCst);
            TRAP_CODE.store(code.as_u8() as u32, SeqCst);
            context.uc_mcontext.gregs[libc::REG_RSP as usize] = SAVED_SP.load(SeqCst) as i64;
            context.uc_mcontext.gregs[libc::REG_RIP as usize] = w2n_trap_landing as *const () as usize as i64;
            return;
        }
        report_crash(signal, pc, address, in_wasm, located.map(|(_, range, offset)| (range, offset)));
        libc::_exit(CRASH_EXIT_CODE);
    }
}

/// A fixed-size text buffer that `write!` can fill without allocating.
struct ReportBuffer {
    bytes: [u8; 1024],
    len: usize,
}

impl std::fmt::Write for ReportBuffer {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = self.bytes.len() - self.len;
        let n = s.len().min(room);
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

fn signal_name(signal: libc::c_int) -> &'static str {
    match signal {
        libc::SIGILL => "SIGILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        _ => "signal",
    }
}

/// Writes a crash frame to the parent. Async-signal-safe: formats into a
/// stack buffer and calls `send(2)`.
fn report_crash(signal: libc::c_int, pc: usize, address: usize, in_wasm: bool, located: Option<(&CodeRange, u32)>) {
    let mut text = ReportBuffer { bytes: [0; 1024], len: FRAME_HEADER_SIZE };
    let _ = write!(text, "{} (signal {signal}) at pc {pc:#x}, fault address {address:#x}", signal_name(signal));
    match located {
        Some((range, offset)) => {
            let _ = write!(text, ", code offset {offset:#x}");
            if let Some(layout) = range.module.function_containing(offset) {
                let _ = write!(text, " in {}", layout.name);
            }
            let _ = write!(text, " (not a trap site)");
        }
        None if in_wasm => {
            let _ = write!(text, ", outside generated code (during a call)");
        }
        None => {
            let _ = write!(text, ", outside generated code (in the executor)");
        }
    }
    if (GUARD_START.load(SeqCst)..GUARD_END.load(SeqCst)).contains(&address) {
        let _ = write!(text, "; the address is in the Wasm stack guard: stack overflow without a stack-limit check");
    }
    let payload_len = (text.len - FRAME_HEADER_SIZE) as u32;
    text.bytes[..FRAME_HEADER_SIZE].copy_from_slice(&frame_header(FRAME_CRASH, payload_len));
    let _ = send_all(REPLY_FD.load(SeqCst), &text.bytes[..text.len]);
}

/// An [`EmuError::System`] carrying `errno`.
pub(super) fn os_error(what: &str) -> EmuError {
    EmuError::System(format!("{what}: {}", std::io::Error::last_os_error()))
}
