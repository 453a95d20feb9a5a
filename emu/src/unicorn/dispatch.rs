//! The unicorn executor's hooks: where emulation stops, and the host
//! dispatcher that generated code calls.
//!
//! ```text
//!   emu_start ─▶ generated code ─┬─ udf / brk elsewhere ─▶ on_interrupt: record Stop::Interrupt, emu_stop
//!                                ├─ brk at HOST_DISPATCH ─▶ on_interrupt ─▶ Store::dispatch (spectest
//!                                │        function, WASI function or builtin) ─▶ x0 = status, pc = x30, go on
//!                                └─ unmapped / protected access ─▶ on_fault: record Stop::Fault,
//!                                         emu_start fails with READ_UNMAPPED, ...
//! ```
//!
//! Hooks run inside `emu_start`, called from C: they must not panic, so
//! every failure becomes a [`Stop::Failure`] that the executor reports as a
//! crash. The store is shared with the hooks through a `RefCell`; the
//! executor holds no borrow of it while the emulator runs, so the
//! dispatcher can always borrow it (if it cannot, that is reported too).

use super::Emulator;
use super::instance::Store;
use super::space::{self, HOST_DISPATCH};
use super::storage::{GuestMemory, GuestTable, TableId};
use crate::builtins::{self, BUILTIN_SLOTS, BuiltinHost};
use crate::link::FuncBinding;
use crate::wasi::{Flow, GuestMemory as WasiMemory, NoMemory, WasiFunc};
use compiler::runtime::{Builtin, VALUE_SLOT_SIZE, VMOffsets};
use std::cell::RefCell;
use unicorn_engine::RegisterARM64;
use unicorn_engine::unicorn_const::MemType;

/// QEMU's exception number for an undefined instruction (`udf`).
pub(crate) const EXCP_UDEF: u32 = 1;
/// QEMU's exception number for a supervisor call (`svc`).
pub(crate) const EXCP_SWI: u32 = 2;
/// QEMU's exception number for a breakpoint instruction (`brk`).
pub(crate) const EXCP_BKPT: u32 = 7;
/// QEMU's exception number for a hypervisor call (`hvc`).
pub(crate) const EXCP_HVC: u32 = 11;
/// QEMU's exception number for a secure monitor call (`smc`).
pub(crate) const EXCP_SMC: u32 = 13;

/// Why the emulator stopped before reaching the return sentinel, as the
/// hooks saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// An exception other than a host call (`udf`: a trap, if at a trap site).
    Interrupt { intno: u32, pc: u64 },
    /// An access to unmapped or protected memory.
    Fault { access: MemType, address: u64, size: usize },
    /// Something went wrong inside a hook.
    Failure(String),
    /// The instruction budget ran out.
    Budget,
}

/// The emulator's per-run state, written by the hooks.
#[derive(Debug, Default)]
pub(crate) struct RunState {
    /// The first reason the current run stopped, if any.
    pub(crate) stop: Option<Stop>,
    /// Instructions the current run may still start (`u64::MAX`: no bound).
    pub(crate) budget_left: u64,
}

fn record(uc: &mut Emulator, stop: Stop) {
    let state = uc.get_data_mut();
    if state.stop.is_none() {
        state.stop = Some(stop);
    }
}

/// The block hook: charges a translated block's instructions (its size / 4)
/// against the budget when it starts, and stops the run when the budget
/// cannot pay for it. One callback per block instead of one per
/// instruction (unicorn's own `count` limit) keeps the budget cheap.
pub(crate) fn on_block(uc: &mut Emulator, size: u32) {
    let state = uc.get_data_mut();
    let cost = u64::from(size / 4).max(1);
    if state.budget_left >= cost {
        state.budget_left -= cost;
        return;
    }
    record(uc, Stop::Budget);
    let _ = uc.emu_stop();
}

/// The interrupt hook: runs host calls, stops on everything else.
pub(crate) fn on_interrupt(uc: &mut Emulator, intno: u32, store: &RefCell<Store>) {
    let stop = match uc.pc_read() {
        Ok(pc) if intno == EXCP_BKPT && pc == HOST_DISPATCH => match host_call(uc, store) {
            Ok(()) => return,
            Err(message) => Stop::Failure(message),
        },
        Ok(pc) => Stop::Interrupt { intno, pc },
        Err(error) => Stop::Failure(format!("reading the pc in the interrupt hook: {error:?}")),
    };
    record(uc, stop);
    let _ = uc.emu_stop();
}

/// The memory hook for unmapped and protected accesses: records the access
/// and lets the emulator fail.
pub(crate) fn on_fault(uc: &mut Emulator, access: MemType, address: u64, size: usize) -> bool {
    record(uc, Stop::Fault { access, address, size });
    false
}

/// Performs the call `host_dispatch(x0 = vmctx, w1 = index, x2 = values)`
/// and returns to `x30` with the status in `x0`.
fn host_call(uc: &mut Emulator, store: &RefCell<Store>) -> Result<(), String> {
    let register = |uc: &Emulator, reg: RegisterARM64| {
        uc.reg_read(reg).map_err(|error| format!("reading {reg:?} in the host dispatcher: {error:?}"))
    };
    let vmctx = register(uc, RegisterARM64::X0)?;
    let index = register(uc, RegisterARM64::X1)? as u32;
    let values = register(uc, RegisterARM64::X2)?;
    let return_address = register(uc, RegisterARM64::X30)?;
    let mut store = store.try_borrow_mut().map_err(|_| "the host dispatcher found the store in use".to_string())?;
    let status = store.dispatch(uc, vmctx, index, values)?;
    uc.reg_write(RegisterARM64::X0, status as u64).map_err(|error| format!("writing x0: {error:?}"))?;
    uc.set_pc(return_address).map_err(|error| format!("returning from the host dispatcher: {error:?}"))
}

fn read_slots(uc: &Emulator, values: u64, count: usize) -> Result<Vec<u64>, String> {
    let bytes = space::read(uc, values, count * VALUE_SLOT_SIZE as usize).map_err(|_| {
        format!("sandbox escape: the host dispatcher was passed {count} value slots at unmapped address {values:#x}")
    })?;
    Ok(bytes.chunks_exact(8).map(|chunk| u64::from_le_bytes(chunk.try_into().unwrap_or_default())).collect())
}

impl Store {
    /// The host dispatcher proper: 0 when the host function or builtin
    /// returned, 1 when the call must trap (as in the native executor: an
    /// unknown instance or import, a failing host function, a trapping
    /// builtin). `Err` is a crash: the value slots are not in mapped memory.
    fn dispatch(&mut self, uc: &mut Emulator, vmctx: u64, index: u32, values: u64) -> Result<u32, String> {
        let executor_word = space::read_u64(uc, vmctx + VMOffsets::EXECUTOR_WORD as u64).ok();
        let Some(instance) = executor_word
            .map(|word| word as usize)
            .filter(|&id| self.instances.get(id).is_some_and(|instance| instance.vmctx == vmctx))
        else {
            return Ok(1);
        };
        if let Some(builtin) = Builtin::from_index(index) {
            let mut slots = read_slots(uc, values, BUILTIN_SLOTS)?;
            let completed = builtins::run(&mut InstanceRuntime { store: self, uc, instance }, builtin, &mut slots);
            space::write_u64(uc, values, slots[0]).map_err(|error| error.to_string())?;
            return Ok(if completed { 0 } else { 1 });
        }
        let func = match self.instances[instance].imported_functions.get(index as usize) {
            Some(&FuncBinding::Host(func)) => func,
            Some(&FuncBinding::Wasi(func)) => return self.call_wasi(uc, instance, func, values),
            _ => return Ok(1),
        };
        let slots = read_slots(uc, values, func.params().len())?;
        match func.call(&slots) {
            Ok(record) => {
                self.host_calls.push(record);
                Ok(0)
            }
            Err(_) => Ok(1),
        }
    }
}

impl Store {
    /// Runs a WASI function for `instance` on its memory 0: 0 when it
    /// returned, 1 when it exits (the call traps; the executor reports the
    /// exit).
    fn call_wasi(&mut self, uc: &mut Emulator, instance: usize, func: WasiFunc, values: u64) -> Result<u32, String> {
        let mut slots = read_slots(uc, values, func.slot_count())?;
        let memory = self.instances[instance].memory.map(|id| &self.memories[id.0]);
        let flow = match memory {
            Some(memory) => func.call(&mut self.wasi, &mut WasiView { memory, uc }, &mut slots),
            None => func.call(&mut self.wasi, &mut NoMemory, &mut slots),
        };
        let bytes: Vec<u8> = slots.iter().flat_map(|slot| slot.to_le_bytes()).collect();
        space::write(uc, values, &bytes).map_err(|error| error.to_string())?;
        match flow {
            Flow::Return => Ok(0),
            Flow::Exit(status) => {
                self.wasi.set_exit(status);
                Ok(1)
            }
        }
    }
}

/// A guest memory as the WASI functions see it.
struct WasiView<'m, 'u, 'e> {
    memory: &'m GuestMemory,
    uc: &'u mut Emulator<'e>,
}

impl WasiMemory for WasiView<'_, '_, '_> {
    fn contains(&self, address: u64, len: u64) -> bool {
        self.memory.contains(address, len)
    }

    fn read(&self, address: u64, len: u64) -> Option<Vec<u8>> {
        self.memory.read(self.uc, address, len)
    }

    fn write(&mut self, address: u64, bytes: &[u8]) -> bool {
        self.memory.write(self.uc, address, bytes)
    }
}

/// One instance's memory, tables and segments, for the builtins.
struct InstanceRuntime<'s, 'u, 'e> {
    store: &'s mut Store,
    uc: &'u mut Emulator<'e>,
    instance: usize,
}

impl InstanceRuntime<'_, '_, '_> {
    fn memory(&self) -> Option<usize> {
        self.store.instances[self.instance].memory.map(|id| id.0)
    }

    fn table_id(&self, table: usize) -> Option<TableId> {
        self.store.instances[self.instance].tables.get(table).copied()
    }

    fn table(&self, table: usize) -> Option<&GuestTable> {
        self.table_id(table).map(|id| &self.store.tables[id.0])
    }
}

impl BuiltinHost for InstanceRuntime<'_, '_, '_> {
    fn memory_grow(&mut self, delta_pages: u64) -> Option<u64> {
        let memory = self.memory()?;
        self.store.memories[memory].grow(self.uc, delta_pages)
    }

    fn memory_fill(&mut self, dst: u64, byte: u8, len: u64) -> bool {
        self.memory().is_some_and(|memory| self.store.memories[memory].fill(self.uc, dst, byte, len))
    }

    fn memory_copy(&mut self, dst: u64, src: u64, len: u64) -> bool {
        self.memory().is_some_and(|memory| self.store.memories[memory].copy_within(self.uc, dst, src, len))
    }

    fn memory_write(&mut self, dst: u64, bytes: &[u8]) -> bool {
        self.memory().is_some_and(|memory| self.store.memories[memory].write(self.uc, dst, bytes))
    }

    fn with_data_segment<R>(&self, segment: usize, f: impl FnOnce(&[u8]) -> R) -> R {
        let instance = &self.store.instances[self.instance];
        match (instance.module.info.data.get(segment), instance.data_dropped.get(segment)) {
            (Some(data), Some(false)) => f(&data.bytes),
            _ => f(&[]),
        }
    }

    fn drop_data_segment(&mut self, segment: usize) {
        if let Some(dropped) = self.store.instances[self.instance].data_dropped.get_mut(segment) {
            *dropped = true;
        }
    }

    fn table_len(&self, table: usize) -> Option<u64> {
        self.table(table).map(GuestTable::len)
    }

    fn table_grow(&mut self, table: usize, delta: u64, init: u64) -> Option<u64> {
        let id = self.table_id(table)?;
        let Store { tables, space, .. } = &mut *self.store;
        tables[id.0].grow(self.uc, space, delta, init)
    }

    fn table_fill(&mut self, table: usize, dst: u64, value: u64, len: u64) -> bool {
        let Some(id) = self.table_id(table) else { return false };
        self.store.tables[id.0].fill(self.uc, dst, value, len)
    }

    fn table_read(&self, table: usize, src: u64, len: u64) -> Option<Vec<u64>> {
        self.table(table)?.read(self.uc, src, len)
    }

    fn table_write(&mut self, table: usize, dst: u64, values: &[u64]) -> bool {
        let Some(id) = self.table_id(table) else { return false };
        self.store.tables[id.0].write(self.uc, dst, values)
    }

    fn with_element_segment<R>(&self, segment: usize, f: impl FnOnce(&[u64]) -> R) -> R {
        match self.store.instances[self.instance].elements.get(segment) {
            Some(Some(items)) => f(items),
            _ => f(&[]),
        }
    }

    fn drop_element_segment(&mut self, segment: usize) {
        if let Some(items) = self.store.instances[self.instance].elements.get_mut(segment) {
            *items = None;
        }
    }
}
