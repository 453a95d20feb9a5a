//! The AArch64 executor: runs generated AArch64 code under the unicorn
//! emulator, in-process (the emulator is the sandbox).
//!
//! ```text
//!   harness ─▶ UnicornExecutor (this file): call ─▶ slots + registers ─▶ emu_start(entry, until = SENTINEL)
//!                 │                                                          │
//!                 │ Store (instance): instances, memories, tables             ▼
//!                 │ in emulator memory (space, storage)               generated code
//!                 │                                       udf at a trap site ─┤─▶ hook (dispatch) ─▶ Trapped
//!                 │                        brk at HOST_DISPATCH (host calls) ─┤─▶ hook runs it, returns to x30
//!                 │                                 unmapped/protected access ─┤─▶ Crashed("sandbox escape: ...")
//!                 │                                instruction budget / timeout ─┘─▶ Crashed("instruction budget ...")
//! ```
//!
//! # Guest address map
//!
//! Every address below is an emulator (guest) address; nothing of the host
//! is mapped. Addresses are never reused, and neighbouring blocks are
//! separated by at least one unmapped page.
//!
//! ```text
//!   0x0000_0000_0000 ..               unmapped (null and small addresses)
//!   0x0000_0001_0000  4 KiB  R+X      return sentinel: x30 of every call; `emu_start` stops here
//!                                     (filled with `brk #0xffff`)
//!   0x0000_0002_0000  4 KiB  R+X      host dispatcher: `vmctx.host_dispatch` of every instance; its
//!                                     first word `brk #0xf000` is hooked, the rest `brk #0xffff`
//!   0x0000_0010_0000  64 KiB RW       value slots of calls into array entry trampolines (x1)
//!   0x0000_0100_0000  1 MiB  RW       Wasm stack (sp = 0x110_0000 on entry); the MiB below is
//!                                     unmapped; `vmctx.stack_limit` = base + 64 KiB
//!   0x0000_1000_0000 .. 64 GiB  RW    data blocks: VM contexts, VMMemory and VMTable cells,
//!                                     spectest global cells, table elements
//!   0x0010_0000_0000 .. 1 TiB   R+X   code blocks: one per instance
//!   0x0100_0000_0000 .. 2^48          linear memories: one 8 GiB window each (the spectest
//!                                     memory first); the first `length` bytes mapped RW
//! ```
//!
//! # Outcomes
//!
//! A call writes its arguments to the call slots, restores a pristine CPU
//! context, sets `x0` = vmctx, `x1` = slots, `x30` = sentinel, `sp` = stack
//! top, and runs the export's array entry trampoline until the sentinel.
//! A `udf` at an offset in the module's trap table is a trap (the instance
//! keeps its state; later calls work); so is an unmapped access by an
//! instruction at a trap site. Any other exception, any other unmapped or
//! protected access (a *sandbox escape*), an exhausted instruction budget
//! or timeout is [`EmuError::Crashed`]; the executor stays usable. Host
//! calls and builtins are run by the interrupt hook (module `dispatch`).
//!
//! Module map: `space` (address map, allocation), `storage` (memories and
//! tables), `instance` (store, linking, segments), `dispatch` (hooks, host
//! dispatcher, builtins).

mod dispatch;
mod instance;
mod space;
mod storage;
mod watchdog;

use crate::link::FuncBinding;
use crate::spectest::{HostCall, HostFunc};
use crate::values::check_arguments;
use crate::wasi::{WasiConfig, WasiOutput, WasiState};
use crate::{CallOutcome, EmuError, Executor, InstanceId, Trap, Value};
use compiler::module::{CompiledModule, ExportKind, FuncType, ValType};
use compiler::runtime::VALUE_SLOT_SIZE;
use dispatch::{EXCP_BKPT, EXCP_HVC, EXCP_SMC, EXCP_SWI, EXCP_UDEF, RunState, Stop};
use instance::Store;
use space::{CALL_SLOTS, CALL_SLOTS_SIZE, HOST_DISPATCH, PAGE, SENTINEL, STACK_GUARD, STACK_TOP};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use unicorn_engine::unicorn_const::{Arch, HookType, MemType, Mode, TlbEntry, TlbType, uc_error};
use unicorn_engine::{Context, RegisterARM64, UcHookId, Unicorn};

/// The emulator, with the hooks' per-run state.
type Emulator<'a> = Unicorn<'a, RunState>;

/// Instructions one call may execute by default (a few seconds of emulation).
pub const DEFAULT_INSTRUCTION_BUDGET: u64 = 2_000_000_000;

/// An emulator failure, as an executor error.
fn emulator_error(what: impl std::fmt::Display, error: uc_error) -> EmuError {
    EmuError::System(format!("unicorn: {what}: {error:?}"))
}

/// Runs AArch64 modules under unicorn. See the module docs. One emulator
/// per executor, reused by every call; not `Send` (create one per thread).
pub struct UnicornExecutor {
    /// Keeps [`Self::set_timeout`]'s deadline. Declared before `uc`, so
    /// that its thread has ended before the emulator is dropped.
    watchdog: watchdog::Watchdog,
    uc: Emulator<'static>,
    /// Shared with the interrupt hook; never borrowed while the emulator runs.
    store: Rc<RefCell<Store>>,
    /// The CPU state every call starts from.
    pristine: Context,
    budget: Option<u64>,
    /// The hooks installed for the current way of running (see
    /// `sync_hooks`); `None` before the first run.
    hooks: Option<RunHooks>,
    timeout: Option<Duration>,
    /// The stack poison written below the initial stack pointer before
    /// every call ([`crate::STACK_POISON`]).
    poison: Vec<u8>,
}

/// The hooks of one way of running (see `UnicornExecutor::sync_hooks`).
enum RunHooks {
    /// With a budget: the block hook that charges it (a block hook also
    /// stops unicorn from chaining translated blocks) and the memory hook
    /// that records the address of a fault.
    Budget { block: UcHookId, fault: UcHookId },
    /// Without one: the fill hook of the virtual TLB, and nothing else.
    Fast { tlb: UcHookId },
}

/// Where a call goes.
enum Callee {
    /// An array entry trampoline at this address, with this VM context.
    Entry { code: u64, vmctx: u64 },
    /// An imported function without one: call it where it is bound.
    Forward(InstanceId, u32),
    /// A spectest function.
    Host(HostFunc),
}

impl UnicornExecutor {
    /// Creates the emulator, maps the fixed regions and the spectest items,
    /// and installs the hooks.
    pub fn new() -> Result<UnicornExecutor, EmuError> {
        let mut uc = Unicorn::new_with_data(Arch::ARM64, Mode::LITTLE_ENDIAN, RunState::default())
            .map_err(|error| emulator_error("creating an AArch64 emulator", error))?;
        let store = Rc::new(RefCell::new(Store::new(&mut uc)?));
        let hook_store = store.clone();
        uc.add_intr_hook(move |uc, intno| dispatch::on_interrupt(uc, intno, &hook_store))
            .map_err(|error| emulator_error("adding the interrupt hook", error))?;
        let pristine = uc.context_init().map_err(|error| emulator_error("saving the initial CPU state", error))?;
        let poison = vec![crate::STACK_POISON; crate::STACK_POISON_BYTES.min(space::STACK_SIZE as usize)];
        Ok(UnicornExecutor {
            watchdog: watchdog::Watchdog::default(),
            uc,
            store,
            pristine,
            budget: Some(DEFAULT_INSTRUCTION_BUDGET),
            hooks: None,
            timeout: None,
            poison,
        })
    }

    /// Bounds the instructions one call (or start function) may execute;
    /// `None` removes the bound. Past it the call fails with
    /// [`EmuError::Crashed`] saying the budget was exhausted. Default:
    /// [`DEFAULT_INSTRUCTION_BUDGET`].
    ///
    /// Without a bound, code runs about 50 times faster: there is no
    /// per-block accounting (a block hook also stops unicorn from chaining
    /// translated blocks), and no memory hook (with one installed, unicorn
    /// sends every store through its slow path). The price: a sandbox
    /// escape is still caught and reported with its pc and kind, but
    /// without the faulting address. Use [`Self::set_timeout`] to bound
    /// such runs.
    pub fn set_instruction_budget(&mut self, budget: Option<u64>) {
        self.budget = budget;
    }

    /// Switches between the two ways of running: with a budget, the block
    /// hook (budget) and the fault hook (addresses of escapes) are
    /// installed and the TLB is unicorn's default; without one, neither
    /// hook is, and the TLB is unicorn's virtual TLB filled by a hook that
    /// maps every page to itself with its region's permissions (code read
    /// and execute, data read and write). Unicorn 2.1.5 with the CPU's own
    /// TLB and the MMU off marks every page executable, so it never marks
    /// a written page dirty and every store takes the slow path (fixed
    /// upstream in unicorn PR #2337); not executable data pages avoid it.
    fn sync_hooks(&mut self) -> Result<(), EmuError> {
        let fast = self.budget.is_none();
        let current = match &self.hooks {
            Some(RunHooks::Fast { .. }) => Some(true),
            Some(RunHooks::Budget { .. }) => Some(false),
            None => None,
        };
        if current == Some(fast) {
            return Ok(());
        }
        let installed = match self.hooks.take() {
            Some(RunHooks::Fast { tlb }) => vec![tlb],
            Some(RunHooks::Budget { block, fault }) => vec![block, fault],
            None => Vec::new(),
        };
        for hook in installed {
            self.uc.remove_hook(hook).map_err(|error| emulator_error("removing a hook", error))?;
        }
        let uc = &mut self.uc;
        let hooks = if fast {
            uc.ctl_set_tlb_type(TlbType::VIRTUAL)
                .map_err(|error| emulator_error("switching to the virtual TLB", error))?;
            let tlb = uc
                .add_tlb_hook(1, 0, |_, address, _| {
                    Some(TlbEntry { paddr: address, perms: space::page_perms(address) })
                })
                .map_err(|error| emulator_error("adding the TLB hook", error))?;
            RunHooks::Fast { tlb }
        } else {
            uc.ctl_set_tlb_type(TlbType::CPU).map_err(|error| emulator_error("switching to the CPU TLB", error))?;
            let block = uc
                .add_block_hook(1, 0, |uc, _address, size| dispatch::on_block(uc, size))
                .map_err(|error| emulator_error("adding the block hook", error))?;
            let fault = uc
                .add_mem_hook(HookType::MEM_UNMAPPED | HookType::MEM_PROT, 1, 0, |uc, access, address, size, _| {
                    dispatch::on_fault(uc, access, address, size)
                })
                .map_err(|error| emulator_error("adding the memory hook", error))?;
            RunHooks::Budget { block, fault }
        };
        self.hooks = Some(hooks);
        Ok(())
    }

    /// Bounds how long one call may run, as a wall-clock backstop to the
    /// instruction budget; past it the call fails with
    /// [`EmuError::Crashed`] saying it timed out. The deadline is kept by
    /// a thread of this executor (module `watchdog`), not by unicorn's own
    /// timeout, which other emulators' creation can trip early. Default:
    /// `None`.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// Returns the calls to `spectest` functions made since the last time
    /// this was asked, oldest first.
    pub fn take_host_calls(&mut self) -> Vec<HostCall> {
        std::mem::take(&mut self.store.borrow_mut().host_calls)
    }

    /// Calls function `index` of instance `id` (ready or being initialized).
    fn invoke(&mut self, id: InstanceId, index: u32, args: &[Value]) -> Result<CallOutcome, EmuError> {
        let (ty, callee) = {
            let store = self.store.borrow();
            let instance = store
                .instances
                .get(id.0 as usize)
                .ok_or_else(|| EmuError::BadArguments(format!("no instance {}", id.0)))?;
            let module = &instance.module;
            let ty = module
                .info
                .func_type(index)
                .ok_or_else(|| EmuError::System(format!("function {index} has no type")))?
                .clone();
            let callee = match (module.array_entry(index), instance.imported_functions.get(index as usize)) {
                (Some(offset), _) => Callee::Entry { code: instance.code + offset as u64, vmctx: instance.vmctx },
                (None, Some(&FuncBinding::Instance(target, function))) => Callee::Forward(target, function),
                (None, Some(&FuncBinding::Host(func))) => Callee::Host(func),
                (None, Some(&FuncBinding::Wasi(func))) => {
                    return Err(EmuError::Unsupported(format!(
                        "calling the WASI import {}.{} directly",
                        func.module(),
                        func.name()
                    )));
                }
                (None, None) => return Err(EmuError::Unsupported(format!("no entry trampoline for function {index}"))),
            };
            (ty, callee)
        };
        check_arguments(&ty.params, args)?;
        if ty.results.contains(&ValType::V128) {
            return Err(EmuError::Unsupported("v128 results".to_string()));
        }
        let mut slots = vec![0u64; ty.params.len().max(ty.results.len()).max(1)];
        for (slot, arg) in slots.iter_mut().zip(args) {
            *slot = arg.to_slot()?;
        }
        match callee {
            Callee::Forward(target, function) => self.invoke(target, function, args),
            Callee::Host(func) => {
                let record = func.call(&slots)?;
                self.store.borrow_mut().host_calls.push(record);
                Ok(CallOutcome::Returned(Vec::new()))
            }
            Callee::Entry { code, vmctx } => {
                let outcome = match self.run(code, vmctx, &mut slots)? {
                    Ok(()) => CallOutcome::Returned(results(&ty, &slots)?),
                    Err(trap) => CallOutcome::Trapped(trap),
                };
                Ok(self.store.borrow_mut().wasi.settle(outcome))
            }
        }
    }

    /// Runs the array entry trampoline at `entry` on `slots`; the inner
    /// `Err` is a trap.
    fn run(&mut self, entry: u64, vmctx: u64, slots: &mut [u64]) -> Result<Result<(), Trap>, EmuError> {
        let slot_bytes = slots.len() as u64 * VALUE_SLOT_SIZE as u64;
        if slot_bytes > CALL_SLOTS_SIZE {
            return Err(EmuError::Unsupported(format!("{} value slots in one call", slots.len())));
        }
        self.sync_hooks()?;
        let uc = &mut self.uc;
        uc.context_restore(&self.pristine).map_err(|error| emulator_error("resetting the CPU", error))?;
        let bytes: Vec<u8> = slots.iter().flat_map(|slot| slot.to_le_bytes()).collect();
        space::write(uc, CALL_SLOTS, &bytes)?;
        space::write(uc, STACK_TOP - self.poison.len() as u64, &self.poison)?;
        for (register, value) in [
            (RegisterARM64::X0, vmctx),
            (RegisterARM64::X1, CALL_SLOTS),
            (RegisterARM64::X30, SENTINEL),
            (RegisterARM64::SP, STACK_TOP),
        ] {
            uc.reg_write(register, value)
                .map_err(|error| emulator_error(format_args!("setting {register:?}"), error))?;
        }
        let state = uc.get_data_mut();
        state.stop = None;
        state.budget_left = self.budget.unwrap_or(u64::MAX);
        if let Some(timeout) = self.timeout {
            self.watchdog
                .arm(uc.get_handle(), timeout)
                .map_err(|error| EmuError::System(format!("starting the watchdog thread: {error}")))?;
        }
        let result = uc.emu_start(entry, SENTINEL, 0, 0);
        let timed_out = self.timeout.is_some() && self.watchdog.disarm();
        let pc = uc.pc_read().map_err(|error| emulator_error("reading the pc", error))?;
        let stop = uc.get_data_mut().stop.take();
        let store = self.store.borrow();
        match (result, stop) {
            (Ok(()), None) if pc == SENTINEL => {
                let bytes = space::read(&self.uc, CALL_SLOTS, slot_bytes as usize)?;
                for (slot, chunk) in slots.iter_mut().zip(bytes.chunks_exact(8)) {
                    *slot = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
                }
                Ok(Ok(()))
            }
            (_, Some(Stop::Budget)) => Err(EmuError::Crashed(format!(
                "instruction budget exhausted: {} instructions ran without returning; stopped at {}",
                self.budget.unwrap_or_default(),
                describe_pc(&store, pc)
            ))),
            (Ok(()), None) => Err(EmuError::Crashed(match self.timeout {
                Some(timeout) if timed_out => {
                    format!("timeout: the call ran longer than {timeout:?}; stopped at {}", describe_pc(&store, pc))
                }
                _ => format!("the emulator stopped without a reason at {}", describe_pc(&store, pc)),
            })),
            (_, Some(Stop::Interrupt { intno, pc })) => {
                // Calls to higher exception levels report the address after the call.
                let pc = if matches!(intno, EXCP_SWI | EXCP_HVC | EXCP_SMC) { pc.wrapping_sub(4) } else { pc };
                let site = store.locate(pc).and_then(|(instance, offset)| {
                    let code = instance.module.trap_at(offset)?;
                    Some(Trap { code, offset, function: function_name(&instance.module, offset) })
                });
                match site {
                    Some(trap) if intno == EXCP_UDEF => Ok(Err(trap)),
                    _ => {
                        Err(EmuError::Crashed(format!("{} at {}", describe_exception(intno), describe_pc(&store, pc))))
                    }
                }
            }
            (Err(error), Some(Stop::Fault { access, address, size })) => {
                let is_data = !matches!(access, MemType::FETCH_UNMAPPED | MemType::FETCH_PROT);
                // A hardware fault at a trap site is a trap, as in the native executor.
                if is_data
                    && let Some((instance, offset)) = store.locate(pc)
                    && let Some(code) = instance.module.trap_at(offset)
                {
                    return Ok(Err(Trap { code, offset, function: function_name(&instance.module, offset) }));
                }
                Err(EmuError::Crashed(describe_escape(&store, access, address, size, pc, error)))
            }
            (_, Some(Stop::Failure(message))) => {
                Err(EmuError::Crashed(format!("{message} (at {})", describe_pc(&store, pc))))
            }
            (Err(error), _) => {
                Err(EmuError::Crashed(format!("emulation failed ({error:?}) at {}", describe_pc(&store, pc))))
            }
            (Ok(()), Some(Stop::Fault { address, .. })) => Err(EmuError::Crashed(format!(
                "emulation stopped after a fault at address {address:#x} at {}",
                describe_pc(&store, pc)
            ))),
        }
    }
}

/// Decodes the result slots of a call of type `ty`.
fn results(ty: &FuncType, slots: &[u64]) -> Result<Vec<Value>, EmuError> {
    ty.results.iter().zip(slots).map(|(&ty, &slot)| Value::from_slot(ty, slot)).collect()
}

fn function_name(module: &CompiledModule, offset: u32) -> Option<String> {
    module.function_containing(offset).map(|layout| layout.name.clone())
}

/// `pc 0x.. (code offset 0x.. in f)`, or where else the pc is.
fn describe_pc(store: &Store, pc: u64) -> String {
    if let Some((instance, offset)) = store.locate(pc) {
        let function = function_name(&instance.module, offset).unwrap_or_else(|| "no function".to_string());
        return format!("pc {pc:#x} (code offset {offset:#x} in {function})");
    }
    let place = match pc {
        _ if (SENTINEL..SENTINEL + PAGE).contains(&pc) => "in the return sentinel page",
        _ if (HOST_DISPATCH..HOST_DISPATCH + PAGE).contains(&pc) => "in the host dispatcher page",
        _ => "outside generated code",
    };
    format!("pc {pc:#x} ({place})")
}

fn describe_exception(intno: u32) -> String {
    match intno {
        EXCP_UDEF => "undefined instruction outside the trap table".to_string(),
        EXCP_BKPT => "breakpoint (brk) outside the host dispatcher".to_string(),
        EXCP_SWI => "supervisor call (svc)".to_string(),
        EXCP_HVC => "hypervisor call (hvc)".to_string(),
        EXCP_SMC => "secure monitor call (smc)".to_string(),
        3 => "prefetch abort".to_string(),
        4 => "data abort (an alignment fault or an exclusive access)".to_string(),
        _ => format!("unexpected exception {intno}"),
    }
}

/// The crash report of an unmapped or protected access.
fn describe_escape(store: &Store, access: MemType, address: u64, size: usize, pc: u64, error: uc_error) -> String {
    let (kind, protected) = match access {
        MemType::READ_UNMAPPED => ("read", false),
        MemType::WRITE_UNMAPPED => ("write", false),
        MemType::FETCH_UNMAPPED => ("fetch", false),
        MemType::READ_PROT => ("read", true),
        MemType::WRITE_PROT => ("write", true),
        MemType::FETCH_PROT => ("fetch", true),
        _ => ("access", false),
    };
    let mut report = format!("sandbox escape: {kind} of address {address:#x} at {}", describe_pc(store, pc));
    report.push_str(&format!("; {size} bytes, {error:?}"));
    if protected {
        report.push_str(&format!("; the mapping does not allow a {kind}"));
    }
    if STACK_GUARD.contains(&address) {
        report.push_str("; the address is in the Wasm stack guard: stack overflow without a stack-limit check");
    }
    report
}

impl Executor for UnicornExecutor {
    fn instantiate(&mut self, module: Arc<CompiledModule>) -> Result<InstanceId, EmuError> {
        let id = self.store.borrow_mut().build(&mut self.uc, module.clone())?;
        {
            let mut store = self.store.borrow_mut();
            store.write_element_segments(&mut self.uc, id)?;
            store.write_data_segments(&mut self.uc, id)?;
        }
        if let Some(start) = module.info.start
            && let CallOutcome::Trapped(trap) = self.invoke(id, start, &[])?
        {
            return Err(EmuError::InstantiationTrap(trap));
        }
        self.store.borrow_mut().instances[id.0 as usize].ready = true;
        Ok(id)
    }

    fn register(&mut self, name: &str, instance: InstanceId) -> Result<(), EmuError> {
        self.store.borrow_mut().register(name, instance)
    }

    fn call(&mut self, instance: InstanceId, export: &str, args: &[Value]) -> Result<CallOutcome, EmuError> {
        let export_kind = self.store.borrow().instance(instance)?.module.info.export(export);
        match export_kind {
            Some(ExportKind::Func(index)) => self.invoke(instance, index, args),
            _ => Err(EmuError::NoSuchExport { kind: "function", name: export.to_string() }),
        }
    }

    fn global(&mut self, instance: InstanceId, export: &str) -> Result<Value, EmuError> {
        let store = self.store.borrow();
        let instance = store.instance(instance)?;
        match instance.module.info.export(export) {
            Some(ExportKind::Global(index)) => instance.read_global(&self.uc, index),
            _ => Err(EmuError::NoSuchExport { kind: "global", name: export.to_string() }),
        }
    }

    fn memory(&mut self, instance: InstanceId, export: &str) -> Result<Vec<u8>, EmuError> {
        let store = self.store.borrow();
        let instance = store.instance(instance)?;
        match instance.module.info.export(export) {
            Some(ExportKind::Memory(0)) => match instance.memory {
                Some(memory) => store.memories[memory.0].read_all(&self.uc),
                None => Err(EmuError::System(format!("memory export {export:?} but no memory"))),
            },
            Some(ExportKind::Memory(index)) => Err(EmuError::Unsupported(format!("memory {index}"))),
            _ => Err(EmuError::NoSuchExport { kind: "memory", name: export.to_string() }),
        }
    }

    fn configure_wasi(&mut self, config: WasiConfig) -> Result<(), EmuError> {
        self.store.borrow_mut().wasi = WasiState::new(config)?;
        Ok(())
    }

    fn take_wasi_output(&mut self) -> Result<WasiOutput, EmuError> {
        Ok(self.store.borrow_mut().wasi.take_output())
    }
}
