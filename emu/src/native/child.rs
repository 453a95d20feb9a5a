//! The child process of the native executor: a request loop around a store
//! of instances.
//!
//! ```text
//!   NativeExecutor::new ─fork─▶ run() ─▶ serve(): read Request ─▶ handle() ─▶ write Reply
//!                                            │
//!                                            ├─ Store::add_instance / initialize   (instance)
//!                                            ├─ Store::invoke ─▶ signals::enter ─▶ generated code
//!                                            │                   host_dispatch ◀─┘ (spectest, WASI)
//!                                            └─ Store::global / memory
//! ```
//!
//! The child never returns into the code that forked it: it leaves with
//! `_exit`, after the parent closes the socket or asks it to shut down.
//! Panics are caught and answered as errors. The panic hook is left alone:
//! replacing it in the child could deadlock on the hook's lock if another
//! thread of the parent held it at the moment of the fork, and a panic here
//! is an executor bug worth seeing on stderr. The child is single-threaded:
//! only the forking thread exists after `fork`.
//!
//! The store lives behind a raw pointer ([`STORE`]) for the whole life of
//! the child, so that the host dispatcher, called from generated code, can
//! reach it. Invariant: while generated code runs, only shared references
//! to the store exist; state the dispatcher changes is in cells.

use super::builtins;
use super::instance::{self, Instance};
use super::memory::LinearMemory;
use super::protocol::{FRAME_REPLY, FRAME_REQUEST, Reply, Request, WireError, read_frame, write_frame};
use super::signals::{self, WasmStack};
use super::table::Table;
use crate::link::FuncBinding;
use crate::spectest::{self, HostCall};
use crate::values::check_arguments;
use crate::wasi::{Flow, NoMemory, WasiState};
use crate::{CallOutcome, EmuError, InstanceId, Value};
use compiler::module::FuncType;
use compiler::module::{CompiledModule, ExportKind, ValType};
use compiler::runtime::Builtin;
use compiler::runtime::VMOffsets;
use std::cell::{RefCell, UnsafeCell};
use std::collections::HashMap;
use std::os::fd::RawFd;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, Ordering::SeqCst};

/// The file descriptor the child keeps its socket on.
const SOCKET_FD: RawFd = 3;

/// The child's store (set once, never freed).
static STORE: AtomicPtr<Store> = AtomicPtr::new(ptr::null_mut());

/// A host global cell (same shape as a `VMGlobal`).
#[repr(C, align(16))]
struct GlobalCell(UnsafeCell<[u64; 2]>);

/// Every instance of this executor, plus the host state they share.
pub(super) struct Store {
    instances: Vec<Instance>,
    registered: HashMap<String, InstanceId>,
    stack: WasmStack,
    spectest_memory: Rc<LinearMemory>,
    spectest_globals: Box<[GlobalCell; 4]>,
    spectest_table: Rc<Table>,
    host_calls: RefCell<Vec<HostCall>>,
    /// What WASI programs see and have written.
    wasi: RefCell<WasiState>,
    /// Canonical ids of function types (structural equality), for
    /// `call_indirect`'s signature check across instances.
    type_ids: RefCell<HashMap<FuncType, u64>>,
}

impl Store {
    fn new() -> Result<Store, EmuError> {
        let spectest_globals = Box::new(
            spectest::GLOBALS.map(|global| GlobalCell(UnsafeCell::new([global.value.to_slot().unwrap_or(0), 0]))),
        );
        Ok(Store {
            instances: Vec::new(),
            registered: HashMap::new(),
            stack: WasmStack::new()?,
            spectest_memory: Rc::new(LinearMemory::new(spectest::MEMORY_TYPE)?),
            spectest_globals,
            spectest_table: Rc::new(Table::new(spectest::TABLE_TYPE, 0)),
            host_calls: RefCell::new(Vec::new()),
            wasi: RefCell::new(WasiState::default()),
            type_ids: RefCell::new(HashMap::new()),
        })
    }

    /// The store-wide id of function type `ty` (never 0).
    pub(super) fn type_id(&self, ty: &FuncType) -> u64 {
        let mut ids = self.type_ids.borrow_mut();
        let next = ids.len() as u64 + 1;
        *ids.entry(ty.clone()).or_insert(next)
    }

    /// The spectest table (one per store).
    pub(super) fn spectest_table(&self) -> Rc<Table> {
        self.spectest_table.clone()
    }

    /// The stack limit every VM context gets.
    pub(super) fn stack_limit(&self) -> u64 {
        self.stack.limit()
    }

    /// The host dispatcher every VM context gets.
    pub(super) fn host_dispatch_address(&self) -> usize {
        host_dispatch as *const () as usize
    }

    /// The instance registered under `name`.
    pub(super) fn registered_instance(&self, name: &str) -> Option<&Instance> {
        self.registered.get(name).and_then(|id| self.instances.get(id.0 as usize))
    }

    /// The cell of spectest global `index`.
    pub(super) fn spectest_global(&self, index: usize) -> *mut u8 {
        self.spectest_globals[index].0.get().cast()
    }

    /// The spectest memory (one per store, shared by every importer).
    pub(super) fn spectest_memory(&self) -> Rc<LinearMemory> {
        self.spectest_memory.clone()
    }

    /// A fully instantiated instance.
    fn instance(&self, id: InstanceId) -> Result<&Instance, EmuError> {
        self.instances
            .get(id.0 as usize)
            .filter(|instance| instance.ready.get())
            .ok_or_else(|| EmuError::BadArguments(format!("no instance {}", id.0)))
    }

    /// Links and allocates a new instance (phase 1 of instantiation).
    fn add_instance(&mut self, module: Arc<CompiledModule>) -> Result<InstanceId, EmuError> {
        let id = InstanceId(
            u32::try_from(self.instances.len()).map_err(|_| EmuError::System("too many instances".to_string()))?,
        );
        let instance = instance::build(self, module.clone(), id)?;
        signals::register_code(instance.code.base(), module.code.len(), module);
        self.instances.push(instance);
        Ok(id)
    }

    /// Writes data segments and runs the start function (phase 2). On a
    /// trap the instance stays in the store (its effects on shared state
    /// remain) but is never usable.
    fn initialize(&self, id: InstanceId) -> Result<(), EmuError> {
        let instance = &self.instances[id.0 as usize];
        instance.write_element_segments()?;
        instance.write_data_segments()?;
        if let Some(start) = instance.module.info.start
            && let CallOutcome::Trapped(trap) = self.invoke(instance, start, &[])?
        {
            return Err(EmuError::InstantiationTrap(trap));
        }
        instance.ready.set(true);
        Ok(())
    }

    fn register(&mut self, name: String, id: InstanceId) -> Result<(), EmuError> {
        self.instance(id)?;
        self.registered.insert(name, id);
        Ok(())
    }

    fn call(&self, id: InstanceId, export: &str, args: &[Value]) -> Result<CallOutcome, EmuError> {
        let instance = self.instance(id)?;
        match instance.module.info.export(export) {
            Some(ExportKind::Func(index)) => self.invoke(instance, index, args),
            _ => Err(EmuError::NoSuchExport { kind: "function", name: export.to_string() }),
        }
    }

    /// Calls function `index` of `instance` through its array entry
    /// trampoline. An imported function without one is called where it is
    /// bound: the exporter's function, or the host function directly.
    fn invoke(&self, instance: &Instance, index: u32, args: &[Value]) -> Result<CallOutcome, EmuError> {
        let module = &instance.module;
        let ty =
            module.info.func_type(index).ok_or_else(|| EmuError::System(format!("function {index} has no type")))?;
        check_arguments(&ty.params, args)?;
        if ty.results.contains(&ValType::V128) {
            return Err(EmuError::Unsupported("v128 results".to_string()));
        }
        let mut slots = vec![0u64; ty.params.len().max(ty.results.len()).max(1)];
        for (slot, arg) in slots.iter_mut().zip(args) {
            *slot = arg.to_slot()?;
        }
        let Some(entry) = module.array_entry(index) else {
            return match instance.imported_functions.get(index as usize) {
                Some(&FuncBinding::Instance(id, target)) => self.invoke(&self.instances[id.0 as usize], target, args),
                Some(&FuncBinding::Host(func)) => {
                    let record = func.call(&slots)?;
                    self.host_calls.borrow_mut().push(record);
                    Ok(CallOutcome::Returned(Vec::new()))
                }
                Some(&FuncBinding::Wasi(func)) => Err(EmuError::Unsupported(format!(
                    "calling the WASI import {}.{} directly",
                    func.module(),
                    func.name()
                ))),
                None => Err(EmuError::Unsupported(format!("no entry trampoline for function {index}"))),
            };
        };
        // SAFETY: the entry trampoline and VM context belong to this live
        // instance, the slots are enough for parameters and results, and the
        // handlers were installed when the store was created.
        let entered = unsafe {
            signals::enter(&self.stack, instance.code.address(entry), instance.vmctx.as_ptr(), slots.as_mut_ptr())
        };
        let outcome = match entered {
            Ok(()) => {
                let results = ty
                    .results
                    .iter()
                    .zip(&slots)
                    .map(|(&ty, &slot)| Value::from_slot(ty, slot))
                    .collect::<Result<Vec<_>, _>>()?;
                CallOutcome::Returned(results)
            }
            Err(trap) => CallOutcome::Trapped(trap),
        };
        Ok(self.wasi.borrow_mut().settle(outcome))
    }

    fn global(&self, id: InstanceId, export: &str) -> Result<Value, EmuError> {
        let instance = self.instance(id)?;
        match instance.module.info.export(export) {
            Some(ExportKind::Global(index)) => instance.read_global(index),
            _ => Err(EmuError::NoSuchExport { kind: "global", name: export.to_string() }),
        }
    }

    fn memory(&self, id: InstanceId, export: &str) -> Result<Vec<u8>, EmuError> {
        let instance = self.instance(id)?;
        match instance.module.info.export(export) {
            Some(ExportKind::Memory(0)) => instance
                .memory
                .as_ref()
                .map(|memory| memory.read_all())
                .ok_or_else(|| EmuError::System(format!("memory export {export:?} but no memory"))),
            Some(ExportKind::Memory(index)) => Err(EmuError::Unsupported(format!("memory {index}"))),
            _ => Err(EmuError::NoSuchExport { kind: "memory", name: export.to_string() }),
        }
    }
}

/// The host dispatcher generated code calls from host-call trampolines.
/// Returns 0 when the host function returned, 1 to make the call trap.
extern "C" fn host_dispatch(vmctx: *mut u8, import_index: u32, values: *mut u64) -> u32 {
    match catch_unwind(AssertUnwindSafe(|| dispatch(vmctx, import_index, values))) {
        Ok(Ok(())) => 0,
        _ => 1,
    }
}

fn dispatch(vmctx: *mut u8, import_index: u32, values: *mut u64) -> Result<(), EmuError> {
    let store = STORE.load(SeqCst);
    if store.is_null() || vmctx.is_null() || values.is_null() {
        return Err(EmuError::System("host call without a store".to_string()));
    }
    // SAFETY: the store lives for the whole child; only shared references
    // exist while generated code runs (module invariant).
    let store = unsafe { &*store };
    // SAFETY: vmctx is a VM context this store built.
    let id = unsafe { vmctx.add(VMOffsets::EXECUTOR_WORD as usize).cast::<u64>().read() };
    let instance = store
        .instances
        .get(id as usize)
        .filter(|instance| instance.vmctx.as_ptr() == vmctx)
        .ok_or_else(|| EmuError::System(format!("host call from unknown instance {id}")))?;
    if let Some(builtin) = Builtin::from_index(import_index) {
        // SAFETY: generated code passes five value slots to every builtin.
        let slots = unsafe { std::slice::from_raw_parts_mut(values, 5) };
        return if builtins::run(instance, builtin, slots) {
            Ok(())
        } else {
            Err(EmuError::System(format!("{builtin:?} trapped")))
        };
    }
    let func = match instance.imported_functions.get(import_index as usize) {
        Some(&FuncBinding::Host(func)) => func,
        Some(&FuncBinding::Wasi(func)) => {
            // SAFETY: the host-call trampoline passes one slot per parameter and result.
            let slots = unsafe { std::slice::from_raw_parts_mut(values, func.slot_count()) };
            let mut wasi = store.wasi.borrow_mut();
            let flow = match &instance.memory {
                Some(memory) => func.call(&mut wasi, &mut &**memory, slots),
                None => func.call(&mut wasi, &mut NoMemory, slots),
            };
            return match flow {
                Flow::Return => Ok(()),
                Flow::Exit(status) => {
                    wasi.set_exit(status);
                    Err(EmuError::System(format!("proc_exit({status})")))
                }
            };
        }
        _ => {
            return Err(EmuError::System(format!("import {import_index} is not a host function")));
        }
    };
    let slot_count = func.params().len();
    // SAFETY: the host-call trampoline passes one slot per parameter and result.
    let slots = unsafe { std::slice::from_raw_parts(values, slot_count) };
    let record = func.call(slots)?;
    store.host_calls.borrow_mut().push(record);
    Ok(())
}

/// Answers one request.
///
/// # Safety
/// `store` is the child's store and no reference to it is live.
unsafe fn handle(store: *mut Store, request: Request<CompiledModule>) -> Reply {
    // SAFETY (all blocks): per the contract above; the exclusive reference
    // is only created for work that does not run generated code.
    let result = match request {
        Request::Instantiate(module) => unsafe { &mut *store }
            .add_instance(Arc::new(module))
            .and_then(|id| unsafe { &*store }.initialize(id).map(|()| Reply::Instance(id))),
        Request::Register(name, id) => unsafe { &mut *store }.register(name, id).map(|()| Reply::Done),
        Request::Call(id, export, args) => unsafe { &*store }.call(id, &export, &args).map(Reply::Call),
        Request::Global(id, export) => unsafe { &*store }.global(id, &export).map(Reply::Value),
        Request::Memory(id, export) => unsafe { &*store }.memory(id, &export).map(Reply::Bytes),
        Request::TakeHostCalls => Ok(Reply::HostCalls(unsafe { &*store }.host_calls.take())),
        Request::ConfigureWasi(config) => {
            WasiState::new(config).map(|state| *unsafe { &*store }.wasi.borrow_mut() = state).map(|()| Reply::Done)
        }
        Request::TakeWasiOutput => Ok(Reply::WasiOutput(unsafe { &*store }.wasi.borrow_mut().take_output())),
        Request::Shutdown => Ok(Reply::Done),
    };
    result.unwrap_or_else(|error| Reply::Error(error.into()))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_string()
    }
}

/// The request loop. Returns when the parent goes away or asks to shut down.
fn serve(fd: RawFd) {
    let store = match signals::install_handlers(fd).and_then(|()| Store::new()) {
        Ok(store) => {
            let store = Box::into_raw(Box::new(store));
            STORE.store(store, SeqCst);
            Ok(store)
        }
        Err(error) => Err(error.to_string()),
    };
    loop {
        let payload = match read_frame(fd, None) {
            Ok((FRAME_REQUEST, payload)) => payload,
            _ => return,
        };
        let request: Result<Request<CompiledModule>, _> = bincode::deserialize(&payload);
        let shutdown = matches!(request, Ok(Request::Shutdown));
        let reply = match (request, &store) {
            (Err(error), _) => Reply::Error(WireError::System(format!("undecodable request: {error}"))),
            (Ok(_), Err(setup)) if !shutdown => Reply::Error(WireError::System(format!("child setup failed: {setup}"))),
            (Ok(request), Ok(store)) => {
                // SAFETY: the store pointer is the child's and nothing borrows it here.
                catch_unwind(AssertUnwindSafe(|| unsafe { handle(*store, request) })).unwrap_or_else(|payload| {
                    Reply::Error(WireError::System(format!("executor child panicked: {}", panic_message(&*payload))))
                })
            }
            (Ok(_), Err(_)) => Reply::Done,
        };
        let bytes = bincode::serialize(&reply).unwrap_or_else(|error| {
            let reply = Reply::Error(WireError::System(format!("unencodable reply: {error}")));
            bincode::serialize(&reply).unwrap_or_default()
        });
        if write_frame(fd, FRAME_REPLY, &bytes).is_err() || shutdown {
            return;
        }
    }
}

/// Moves `socket` to [`SOCKET_FD`] and closes every other descriptor above
/// stderr, so that the child holds no copy of another executor's socket
/// (which would hide that executor's child's death from its parent).
fn isolate_descriptors(socket: RawFd) -> RawFd {
    // SAFETY: plain descriptor operations in the single-threaded child.
    unsafe {
        if socket != SOCKET_FD {
            if libc::dup2(socket, SOCKET_FD) < 0 {
                return socket;
            }
            libc::close(socket);
        }
        let first = SOCKET_FD as libc::c_uint + 1;
        if libc::syscall(libc::SYS_close_range, first, libc::c_uint::MAX, 0) != 0 {
            for fd in first as RawFd..65536 {
                libc::close(fd);
            }
        }
    }
    SOCKET_FD
}

/// The child's entry point, right after `fork`. Never returns.
pub(super) fn run(socket: RawFd, parent_end: RawFd) -> ! {
    // SAFETY: closing the parent's end of the socket pair in the child.
    unsafe { libc::close(parent_end) };
    let fd = isolate_descriptors(socket);
    let _ = catch_unwind(|| serve(fd));
    // SAFETY: leaving the child without running the parent's exit handlers.
    unsafe { libc::_exit(0) }
}
