//! Tables inside the child: the storage generated code indexes through a
//! `VMTable`, and the runtime side of the table builtins.
//!
//! Part of the native executor, beside `memory.rs`. A table is a vector of
//! 8-byte elements (a `*const VMFuncRef` for `funcref`, an opaque word for
//! `externref`; 0 is null) whose base and length generated code reads from a
//! boxed [`VMTable`] at a fixed address. Growing reallocates the vector and
//! updates the `VMTable`.

use compiler::module::TableType;
use compiler::runtime::VMOffsets;
use std::cell::{RefCell, UnsafeCell};

/// Elements a table may have at most (an implementation limit: growing past
/// it fails like growing past the maximum).
pub(super) const MAX_TABLE_ELEMENTS: u64 = 10_000_000;

/// The runtime's view of a table.
#[repr(C)]
pub(super) struct VMTable {
    base: *mut u64,
    length: u64,
}

const _: () = assert!(std::mem::size_of::<VMTable>() == VMOffsets::VMTABLE_SIZE as usize);

/// A table.
pub(super) struct Table {
    ty: TableType,
    elements: RefCell<Vec<u64>>,
    /// Boxed so its address, handed to generated code, never changes.
    vm: Box<UnsafeCell<VMTable>>,
}

impl Table {
    /// A table of `ty.min` elements, all `init`.
    pub(super) fn new(ty: TableType, init: u64) -> Table {
        let mut elements = vec![init; ty.min as usize];
        let vm = VMTable { base: elements.as_mut_ptr(), length: elements.len() as u64 };
        Table { ty, elements: RefCell::new(elements), vm: Box::new(UnsafeCell::new(vm)) }
    }

    /// The declared type (its maximum is what import matching uses).
    pub(super) fn ty(&self) -> TableType {
        self.ty
    }

    /// The pointer generated code reads the base and length through.
    pub(super) fn vm_table(&self) -> *mut VMTable {
        self.vm.get()
    }

    /// Current size in elements.
    pub(super) fn len(&self) -> u64 {
        self.elements.borrow().len() as u64
    }

    fn sync(&self, elements: &mut Vec<u64>) {
        // SAFETY: the cell is ours; generated code only reads it while it runs.
        unsafe { *self.vm.get() = VMTable { base: elements.as_mut_ptr(), length: elements.len() as u64 } };
    }

    /// `table.grow`: the old size, or `None` past the maximum.
    pub(super) fn grow(&self, delta: u64, init: u64) -> Option<u64> {
        let mut elements = self.elements.borrow_mut();
        let old = elements.len() as u64;
        let new = old.checked_add(delta)?;
        if new > self.ty.max.unwrap_or(u32::MAX as u64).min(MAX_TABLE_ELEMENTS) {
            return None;
        }
        elements.resize(new as usize, init);
        self.sync(&mut elements);
        Some(old)
    }

    /// Writes `values` at `dst`; `false` (nothing written) if out of bounds.
    pub(super) fn write(&self, dst: u64, values: &[u64]) -> bool {
        let mut elements = self.elements.borrow_mut();
        match dst.checked_add(values.len() as u64) {
            Some(end) if end <= elements.len() as u64 => {
                elements[dst as usize..end as usize].copy_from_slice(values);
                true
            }
            _ => false,
        }
    }

    /// `table.fill`.
    pub(super) fn fill(&self, dst: u64, value: u64, len: u64) -> bool {
        let mut elements = self.elements.borrow_mut();
        match dst.checked_add(len) {
            Some(end) if end <= elements.len() as u64 => {
                elements[dst as usize..end as usize].fill(value);
                true
            }
            _ => false,
        }
    }

    /// Reads `len` elements at `src`, if in bounds.
    pub(super) fn read(&self, src: u64, len: u64) -> Option<Vec<u64>> {
        let elements = self.elements.borrow();
        let end = src.checked_add(len)?;
        (end <= elements.len() as u64).then(|| elements[src as usize..end as usize].to_vec())
    }
}
