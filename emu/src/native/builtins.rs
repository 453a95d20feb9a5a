//! The runtime builtins generated code calls through `host_dispatch`:
//! growing memories and tables, bulk memory and table operations.
//!
//! Part of the native executor's child, called by the host dispatcher for
//! indices `BUILTIN_BASE + Builtin`. The operands are decoded by the shared
//! [`crate::builtins::run`] (the same for every executor); this file gives
//! it the primitives on one instance's memory, tables and segments, which
//! live in the child's own address space. Returning `false` makes the
//! generated code trap with the builtin's trap code.

use super::instance::Instance;
use super::table::Table;
use crate::builtins::{self, BuiltinHost};
use compiler::runtime::Builtin;

/// Runs `builtin` for `instance`; `false` means trap.
pub(super) fn run(instance: &Instance, builtin: Builtin, slots: &mut [u64]) -> bool {
    builtins::run(&mut NativeRuntime(instance), builtin, slots)
}

/// One instance, as the shared builtins see it. Its memory, tables and
/// segment state are behind cells, so a shared reference is enough.
struct NativeRuntime<'a>(&'a Instance);

impl NativeRuntime<'_> {
    fn table(&self, table: usize) -> Option<&Table> {
        self.0.tables.get(table).map(|table| &**table)
    }
}

impl BuiltinHost for NativeRuntime<'_> {
    fn memory_grow(&mut self, delta_pages: u64) -> Option<u64> {
        self.0.memory.as_ref()?.grow(delta_pages)
    }

    fn memory_fill(&mut self, dst: u64, byte: u8, len: u64) -> bool {
        self.0.memory.as_ref().is_some_and(|memory| memory.fill(dst, byte, len))
    }

    fn memory_copy(&mut self, dst: u64, src: u64, len: u64) -> bool {
        self.0.memory.as_ref().is_some_and(|memory| memory.copy_within(dst, src, len))
    }

    fn memory_write(&mut self, dst: u64, bytes: &[u8]) -> bool {
        self.0.memory.as_ref().is_some_and(|memory| memory.write(dst, bytes))
    }

    fn with_data_segment<R>(&self, segment: usize, f: impl FnOnce(&[u8]) -> R) -> R {
        let dropped = self.0.data_dropped.borrow().get(segment).copied().unwrap_or(true);
        match self.0.module.info.data.get(segment) {
            Some(data) if !dropped => f(&data.bytes),
            _ => f(&[]),
        }
    }

    fn drop_data_segment(&mut self, segment: usize) {
        if let Some(dropped) = self.0.data_dropped.borrow_mut().get_mut(segment) {
            *dropped = true;
        }
    }

    fn table_len(&self, table: usize) -> Option<u64> {
        self.table(table).map(Table::len)
    }

    fn table_grow(&mut self, table: usize, delta: u64, init: u64) -> Option<u64> {
        self.table(table)?.grow(delta, init)
    }

    fn table_fill(&mut self, table: usize, dst: u64, value: u64, len: u64) -> bool {
        self.table(table).is_some_and(|table| table.fill(dst, value, len))
    }

    fn table_read(&self, table: usize, src: u64, len: u64) -> Option<Vec<u64>> {
        self.table(table)?.read(src, len)
    }

    fn table_write(&mut self, table: usize, dst: u64, values: &[u64]) -> bool {
        self.table(table).is_some_and(|table| table.write(dst, values))
    }

    fn with_element_segment<R>(&self, segment: usize, f: impl FnOnce(&[u64]) -> R) -> R {
        match self.0.elements.borrow().get(segment) {
            Some(Some(items)) => f(items),
            _ => f(&[]),
        }
    }

    fn drop_element_segment(&mut self, segment: usize) {
        if let Some(items) = self.0.elements.borrow_mut().get_mut(segment) {
            *items = None;
        }
    }
}
