//! Linear memories and tables in emulator memory.
//!
//! Part of the unicorn executor, beside `space` (which hands out their
//! addresses). Generated code reaches both through cells in emulator
//! memory: a `VMMemory { base, length }` whose `base` is the start of the
//! memory's window, of which exactly `length` bytes are mapped; and a
//! `VMTable { base, length }` pointing at a data block of 8-byte elements.
//! The executor keeps the sizes on its side and rewrites the cells when a
//! builtin grows them. A grown table moves to a new block; the old one is
//! unmapped.

use super::space::{self, GuestSpace, PAGE};
use crate::EmuError;
use compiler::module::{MemoryType, TableType};
use compiler::runtime::{VMOffsets, WASM_PAGE_SIZE};
use unicorn_engine::Unicorn;
use unicorn_engine::unicorn_const::Prot;

/// Largest linear memory (32-bit addressing).
const MAX_MEMORY_PAGES: u64 = (1 << 32) / WASM_PAGE_SIZE;
/// Elements a table may have at most (an implementation limit, as in the
/// native executor: growing past it fails like growing past the maximum).
const MAX_TABLE_ELEMENTS: u64 = 10_000_000;
/// Bytes moved per emulator call by fills and copies.
const CHUNK: u64 = 1 << 16;

/// Identifies a memory among the store's memories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MemoryId(pub(crate) usize);

/// Identifies a table among the store's tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TableId(pub(crate) usize);

/// A linear memory: a window, of which the first `pages` are mapped.
pub(crate) struct GuestMemory {
    ty: MemoryType,
    base: u64,
    pages: u64,
    /// Address of its `VMMemory` cell.
    pub(crate) cell: u64,
}

fn in_bounds(start: u64, len: u64, size: u64) -> bool {
    start.checked_add(len).is_some_and(|end| end <= size)
}

impl GuestMemory {
    /// A memory of `ty.min_pages` zeroed pages, with its cell.
    pub(crate) fn new<D>(uc: &mut Unicorn<'_, D>, space: &mut GuestSpace, ty: MemoryType) -> Result<Self, EmuError> {
        if ty.min_pages > MAX_MEMORY_PAGES {
            return Err(EmuError::Unsupported(format!("memory of {} pages (more than 4 GiB)", ty.min_pages)));
        }
        let base = space.alloc_memory_window()?;
        let cell = space.alloc_data(uc, VMOffsets::VMMEMORY_SIZE as u64)?;
        let mut memory = GuestMemory { ty, base, pages: 0, cell };
        memory.map_pages(uc, ty.min_pages)?;
        Ok(memory)
    }

    /// Maps `delta` more pages and publishes the new length.
    fn map_pages<D>(&mut self, uc: &mut Unicorn<'_, D>, delta: u64) -> Result<(), EmuError> {
        if delta > 0 {
            space::map(uc, self.base + self.len(), delta * WASM_PAGE_SIZE, Prot::READ | Prot::WRITE)?;
        }
        self.pages += delta;
        space::write_u64(uc, self.cell + VMOffsets::VMMEMORY_BASE as u64, self.base)?;
        space::write_u64(uc, self.cell + VMOffsets::VMMEMORY_LENGTH as u64, self.len())
    }

    /// The declared type (its maximum is what import matching uses).
    pub(crate) fn ty(&self) -> MemoryType {
        self.ty
    }

    /// Current size in pages.
    pub(crate) fn pages(&self) -> u64 {
        self.pages
    }

    /// Current size in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.pages * WASM_PAGE_SIZE
    }

    /// A copy of the whole memory.
    pub(crate) fn read_all<D>(&self, uc: &Unicorn<'_, D>) -> Result<Vec<u8>, EmuError> {
        space::read(uc, self.base, self.len() as usize)
    }

    /// `memory.grow`: the old size in pages, or `None` past the maximum.
    pub(crate) fn grow<D>(&mut self, uc: &mut Unicorn<'_, D>, delta: u64) -> Option<u64> {
        let old = self.pages;
        let new = old.checked_add(delta)?;
        if new > self.ty.max_pages.unwrap_or(u64::MAX).min(MAX_MEMORY_PAGES) {
            return None;
        }
        self.map_pages(uc, delta).ok()?;
        Some(old)
    }

    /// Whether `len` bytes at `offset` are in bounds.
    pub(crate) fn contains(&self, offset: u64, len: u64) -> bool {
        in_bounds(offset, len, self.len())
    }

    /// `len` bytes at `offset`, if in bounds.
    pub(crate) fn read<D>(&self, uc: &Unicorn<'_, D>, offset: u64, len: u64) -> Option<Vec<u8>> {
        if !self.contains(offset, len) {
            return None;
        }
        space::read(uc, self.base + offset, len as usize).ok()
    }

    /// Writes `bytes` at `offset`; `false` (nothing written) if out of bounds.
    pub(crate) fn write<D>(&self, uc: &mut Unicorn<'_, D>, offset: u64, bytes: &[u8]) -> bool {
        in_bounds(offset, bytes.len() as u64, self.len()) && space::write(uc, self.base + offset, bytes).is_ok()
    }

    /// `memory.fill`; `false` (nothing written) if out of bounds.
    pub(crate) fn fill<D>(&self, uc: &mut Unicorn<'_, D>, dst: u64, byte: u8, len: u64) -> bool {
        if !in_bounds(dst, len, self.len()) {
            return false;
        }
        let pattern = vec![byte; len.min(CHUNK) as usize];
        let mut done = 0;
        while done < len {
            let n = (len - done).min(CHUNK);
            if space::write(uc, self.base + dst + done, &pattern[..n as usize]).is_err() {
                return false;
            }
            done += n;
        }
        true
    }

    /// `memory.copy` (overlapping ranges allowed); `false` (nothing
    /// written) if either range is out of bounds.
    pub(crate) fn copy_within<D>(&self, uc: &mut Unicorn<'_, D>, dst: u64, src: u64, len: u64) -> bool {
        if !in_bounds(dst, len, self.len()) || !in_bounds(src, len, self.len()) {
            return false;
        }
        // Chunk by chunk, in the direction that never reads what was just written.
        let forward = dst <= src;
        let mut done = 0;
        while done < len {
            let n = (len - done).min(CHUNK);
            let at = if forward { done } else { len - done - n };
            let moved = space::read(uc, self.base + src + at, n as usize)
                .and_then(|bytes| space::write(uc, self.base + dst + at, &bytes));
            if moved.is_err() {
                return false;
            }
            done += n;
        }
        true
    }
}

/// A table: 8-byte elements in a data block.
pub(crate) struct GuestTable {
    ty: TableType,
    len: u64,
    /// Address of the elements' data block.
    elements: u64,
    /// Address of its `VMTable` cell.
    pub(crate) cell: u64,
}

impl GuestTable {
    /// A table of `ty.min` elements, all `init`, with its cell.
    pub(crate) fn new<D>(
        uc: &mut Unicorn<'_, D>,
        space: &mut GuestSpace,
        ty: TableType,
        init: u64,
    ) -> Result<Self, EmuError> {
        if ty.min > MAX_TABLE_ELEMENTS {
            return Err(EmuError::Unsupported(format!("table of {} elements", ty.min)));
        }
        let cell = space.alloc_data(uc, VMOffsets::VMTABLE_SIZE as u64)?;
        let elements = space.alloc_data(uc, ty.min * 8)?;
        let table = GuestTable { ty, len: ty.min, elements, cell };
        if init != 0 {
            table.write_elements(uc, 0, &vec![init; ty.min as usize])?;
        }
        table.publish(uc)?;
        Ok(table)
    }

    fn publish<D>(&self, uc: &mut Unicorn<'_, D>) -> Result<(), EmuError> {
        space::write_u64(uc, self.cell + VMOffsets::VMTABLE_BASE as u64, self.elements)?;
        space::write_u64(uc, self.cell + VMOffsets::VMTABLE_LENGTH as u64, self.len)
    }

    fn write_elements<D>(&self, uc: &mut Unicorn<'_, D>, dst: u64, values: &[u64]) -> Result<(), EmuError> {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        space::write(uc, self.elements + dst * 8, &bytes)
    }

    /// The declared type (its maximum is what import matching uses).
    pub(crate) fn ty(&self) -> TableType {
        self.ty
    }

    /// Current size in elements.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// `table.grow`: the old size, or `None` past the maximum.
    pub(crate) fn grow<D>(
        &mut self,
        uc: &mut Unicorn<'_, D>,
        space: &mut GuestSpace,
        delta: u64,
        init: u64,
    ) -> Option<u64> {
        let old = self.len;
        let new = old.checked_add(delta)?;
        if new > self.ty.max.unwrap_or(u32::MAX as u64).min(MAX_TABLE_ELEMENTS) {
            return None;
        }
        if delta == 0 {
            return Some(old);
        }
        let current = self.read(uc, 0, old)?;
        let elements = space.alloc_data(uc, new * 8).ok()?;
        let previous = std::mem::replace(&mut self.elements, elements);
        self.len = new;
        let mut values = current;
        values.resize(new as usize, init);
        self.write_elements(uc, 0, &values).ok()?;
        self.publish(uc).ok()?;
        space.free_data(uc, previous, old * 8).ok()?;
        Some(old)
    }

    /// Reads `len` elements at `src`, if in bounds.
    pub(crate) fn read<D>(&self, uc: &Unicorn<'_, D>, src: u64, len: u64) -> Option<Vec<u64>> {
        if !in_bounds(src, len, self.len) {
            return None;
        }
        let bytes = space::read(uc, self.elements + src * 8, (len * 8) as usize).ok()?;
        Some(bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())).collect())
    }

    /// Writes `values` at `dst`; `false` (nothing written) if out of bounds.
    pub(crate) fn write<D>(&self, uc: &mut Unicorn<'_, D>, dst: u64, values: &[u64]) -> bool {
        in_bounds(dst, values.len() as u64, self.len) && self.write_elements(uc, dst, values).is_ok()
    }

    /// `table.fill`; `false` (nothing written) if out of bounds.
    pub(crate) fn fill<D>(&self, uc: &mut Unicorn<'_, D>, dst: u64, value: u64, len: u64) -> bool {
        in_bounds(dst, len, self.len) && self.write_elements(uc, dst, &vec![value; len as usize]).is_ok()
    }
}

const _: () = assert!(PAGE.is_multiple_of(8) && WASM_PAGE_SIZE.is_multiple_of(PAGE));
