//! The runtime builtins, decoded once for every executor.
//!
//! Generated code calls `host_dispatch` with index `BUILTIN_BASE + Builtin`
//! for the operations that need the runtime (growing memories and tables,
//! bulk memory and table operations; see [`compiler::runtime::Builtin`]).
//! An executor's dispatcher hands the value slots to [`run`], which decodes
//! the operands in the documented order and performs the operation through
//! the executor's [`BuiltinHost`] — the primitive reads and writes of one
//! instance's memory 0, tables and segments, wherever they live (host
//! memory, emulator memory).
//!
//! ```text
//!   generated code ─▶ host_dispatch(vmctx, BUILTIN_BASE + b, slots) ─▶ executor
//!        ─▶ builtins::run(host for that instance, b, slots) ─▶ BuiltinHost primitives
//! ```
//!
//! Operands that are `i32`s are the low 32 bits of their slot. `run`
//! returns `false` when the operation traps (the generated code then traps
//! with [`compiler::runtime::Builtin::trap_code`]); every bounds check
//! happens before anything is written, as Wasm 2.0 requires.

use compiler::runtime::Builtin;

/// Value slots every builtin call passes (the most any builtin has operands).
pub(crate) const BUILTIN_SLOTS: usize = 5;

/// One instance's runtime state as the builtins see it. Table and segment
/// indices are the instance's own (imports first). Every method that
/// writes checks its bounds first and writes nothing when they fail.
pub(crate) trait BuiltinHost {
    /// Grows memory 0 by `delta_pages`: the old size in pages, or `None`
    /// when there is no memory or it cannot grow that far.
    fn memory_grow(&mut self, delta_pages: u64) -> Option<u64>;
    /// Fills `len` bytes at `dst` with `byte`; `false` if out of bounds.
    fn memory_fill(&mut self, dst: u64, byte: u8, len: u64) -> bool;
    /// Copies `len` bytes from `src` to `dst` (the ranges may overlap);
    /// `false` if either is out of bounds.
    fn memory_copy(&mut self, dst: u64, src: u64, len: u64) -> bool;
    /// Writes `bytes` at `dst`; `false` if out of bounds.
    fn memory_write(&mut self, dst: u64, bytes: &[u8]) -> bool;
    /// Calls `f` with the bytes of data segment `segment`: empty once
    /// dropped (or when there is no such segment).
    fn with_data_segment<R>(&self, segment: usize, f: impl FnOnce(&[u8]) -> R) -> R;
    /// Drops data segment `segment`.
    fn drop_data_segment(&mut self, segment: usize);
    /// The current size of table `table`, if it exists.
    fn table_len(&self, table: usize) -> Option<u64>;
    /// Grows table `table` by `delta` elements set to `init`: the old size,
    /// or `None` when it cannot grow that far.
    fn table_grow(&mut self, table: usize, delta: u64, init: u64) -> Option<u64>;
    /// Fills `len` elements at `dst` with `value`; `false` if out of bounds.
    fn table_fill(&mut self, table: usize, dst: u64, value: u64, len: u64) -> bool;
    /// Reads `len` elements at `src`, if in bounds.
    fn table_read(&self, table: usize, src: u64, len: u64) -> Option<Vec<u64>>;
    /// Writes `values` at `dst`; `false` if out of bounds.
    fn table_write(&mut self, table: usize, dst: u64, values: &[u64]) -> bool;
    /// Calls `f` with the evaluated items of element segment `segment`:
    /// empty once dropped (or when there is no such segment).
    fn with_element_segment<R>(&self, segment: usize, f: impl FnOnce(&[u64]) -> R) -> R;
    /// Drops element segment `segment`.
    fn drop_element_segment(&mut self, segment: usize);
}

fn u32_slot(slots: &[u64], index: usize) -> u64 {
    slots[index] & 0xffff_ffff
}

fn index_slot(slots: &[u64], index: usize) -> usize {
    slots[index] as u32 as usize
}

/// `src..src + len` of `items`, copied, if in bounds.
fn range<T: Copy>(items: &[T], src: u64, len: u64) -> Option<Vec<T>> {
    let end = src.checked_add(len).filter(|&end| end <= items.len() as u64)?;
    Some(items[src as usize..end as usize].to_vec())
}

/// Runs `builtin` on `slots` (at least [`BUILTIN_SLOTS`]); results go to
/// slot 0. `false` means the operation traps.
pub(crate) fn run(host: &mut impl BuiltinHost, builtin: Builtin, slots: &mut [u64]) -> bool {
    match builtin {
        Builtin::MemoryGrow => {
            let old = host.memory_grow(u32_slot(slots, 0));
            slots[0] = old.unwrap_or(u32::MAX as u64);
            true
        }
        Builtin::MemoryFill => host.memory_fill(u32_slot(slots, 0), slots[1] as u8, u32_slot(slots, 2)),
        Builtin::MemoryCopy => host.memory_copy(u32_slot(slots, 0), u32_slot(slots, 1), u32_slot(slots, 2)),
        Builtin::MemoryInit => {
            let (segment, dst, src, len) =
                (index_slot(slots, 0), u32_slot(slots, 1), u32_slot(slots, 2), u32_slot(slots, 3));
            match host.with_data_segment(segment, |bytes| range(bytes, src, len)) {
                Some(bytes) => host.memory_write(dst, &bytes),
                None => false,
            }
        }
        Builtin::DataDrop => {
            host.drop_data_segment(index_slot(slots, 0));
            true
        }
        Builtin::TableGrow => {
            let old = host.table_grow(index_slot(slots, 0), u32_slot(slots, 2), slots[1]);
            slots[0] = old.unwrap_or(u32::MAX as u64);
            true
        }
        Builtin::TableFill => host.table_fill(index_slot(slots, 0), u32_slot(slots, 1), slots[2], u32_slot(slots, 3)),
        Builtin::TableCopy => {
            let (dst_table, src_table) = (index_slot(slots, 0), index_slot(slots, 1));
            let (dst, src, len) = (u32_slot(slots, 2), u32_slot(slots, 3), u32_slot(slots, 4));
            // Check the destination before reading, so nothing is written on a trap.
            match host.table_len(dst_table) {
                Some(size) if dst.checked_add(len).is_some_and(|end| end <= size) => {}
                _ => return false,
            }
            match host.table_read(src_table, src, len) {
                Some(values) => host.table_write(dst_table, dst, &values),
                None => false,
            }
        }
        Builtin::TableInit => {
            let (table, segment) = (index_slot(slots, 0), index_slot(slots, 1));
            let (dst, src, len) = (u32_slot(slots, 2), u32_slot(slots, 3), u32_slot(slots, 4));
            match host.with_element_segment(segment, |items| range(items, src, len)) {
                Some(items) => host.table_write(table, dst, &items),
                None => false,
            }
        }
        Builtin::ElemDrop => {
            host.drop_element_segment(index_slot(slots, 0));
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host whose memory and tables are plain vectors.
    #[derive(Default)]
    struct VecHost {
        memory: Vec<u8>,
        tables: Vec<Vec<u64>>,
        data: Vec<Option<Vec<u8>>>,
        elements: Vec<Option<Vec<u64>>>,
    }

    fn fits(len: usize, at: u64, count: u64) -> bool {
        at.checked_add(count).is_some_and(|end| end <= len as u64)
    }

    impl BuiltinHost for VecHost {
        fn memory_grow(&mut self, delta_pages: u64) -> Option<u64> {
            let old = self.memory.len() as u64 / 16;
            self.memory.resize((old + delta_pages) as usize * 16, 0);
            Some(old)
        }
        fn memory_fill(&mut self, dst: u64, byte: u8, len: u64) -> bool {
            fits(self.memory.len(), dst, len) && {
                self.memory[dst as usize..(dst + len) as usize].fill(byte);
                true
            }
        }
        fn memory_copy(&mut self, dst: u64, src: u64, len: u64) -> bool {
            fits(self.memory.len(), dst, len) && fits(self.memory.len(), src, len) && {
                self.memory.copy_within(src as usize..(src + len) as usize, dst as usize);
                true
            }
        }
        fn memory_write(&mut self, dst: u64, bytes: &[u8]) -> bool {
            fits(self.memory.len(), dst, bytes.len() as u64) && {
                self.memory[dst as usize..dst as usize + bytes.len()].copy_from_slice(bytes);
                true
            }
        }
        fn with_data_segment<R>(&self, segment: usize, f: impl FnOnce(&[u8]) -> R) -> R {
            f(self.data.get(segment).and_then(Option::as_deref).unwrap_or(&[]))
        }
        fn drop_data_segment(&mut self, segment: usize) {
            if let Some(data) = self.data.get_mut(segment) {
                *data = None;
            }
        }
        fn table_len(&self, table: usize) -> Option<u64> {
            self.tables.get(table).map(|t| t.len() as u64)
        }
        fn table_grow(&mut self, table: usize, delta: u64, init: u64) -> Option<u64> {
            let table = self.tables.get_mut(table)?;
            let old = table.len() as u64;
            table.resize((old + delta) as usize, init);
            Some(old)
        }
        fn table_fill(&mut self, table: usize, dst: u64, value: u64, len: u64) -> bool {
            self.tables.get_mut(table).is_some_and(|t| {
                fits(t.len(), dst, len) && {
                    t[dst as usize..(dst + len) as usize].fill(value);
                    true
                }
            })
        }
        fn table_read(&self, table: usize, src: u64, len: u64) -> Option<Vec<u64>> {
            range(self.tables.get(table)?, src, len)
        }
        fn table_write(&mut self, table: usize, dst: u64, values: &[u64]) -> bool {
            self.tables.get_mut(table).is_some_and(|t| {
                fits(t.len(), dst, values.len() as u64) && {
                    t[dst as usize..dst as usize + values.len()].copy_from_slice(values);
                    true
                }
            })
        }
        fn with_element_segment<R>(&self, segment: usize, f: impl FnOnce(&[u64]) -> R) -> R {
            f(self.elements.get(segment).and_then(Option::as_deref).unwrap_or(&[]))
        }
        fn drop_element_segment(&mut self, segment: usize) {
            if let Some(elements) = self.elements.get_mut(segment) {
                *elements = None;
            }
        }
    }

    #[test]
    fn memory_builtins_decode_their_operands() {
        let mut host = VecHost { memory: vec![0; 32], data: vec![Some(vec![7, 8, 9])], ..VecHost::default() };
        let mut slots = [1, 0, 0, 0, 0];
        assert!(run(&mut host, Builtin::MemoryGrow, &mut slots));
        assert_eq!((slots[0], host.memory.len()), (2, 48));
        // i32 operands use the low 32 bits only.
        assert!(run(&mut host, Builtin::MemoryFill, &mut [0xffff_ffff_0000_0004, 0x1AB, 2, 0, 0]));
        assert_eq!(&host.memory[3..7], &[0, 0xAB, 0xAB, 0]);
        assert!(run(&mut host, Builtin::MemoryCopy, &mut [5, 4, 2, 0, 0]));
        assert_eq!(&host.memory[4..7], &[0xAB, 0xAB, 0xAB]);
        assert!(!run(&mut host, Builtin::MemoryFill, &mut [47, 1, 2, 0, 0]));
        assert!(run(&mut host, Builtin::MemoryInit, &mut [0, 10, 1, 2, 0]));
        assert_eq!(&host.memory[10..12], &[8, 9]);
        assert!(!run(&mut host, Builtin::MemoryInit, &mut [0, 10, 2, 2, 0]));
        assert!(run(&mut host, Builtin::DataDrop, &mut [0, 0, 0, 0, 0]));
        assert!(!run(&mut host, Builtin::MemoryInit, &mut [0, 10, 0, 1, 0]));
        assert!(run(&mut host, Builtin::MemoryInit, &mut [0, 10, 0, 0, 0]));
    }

    #[test]
    fn table_builtins_check_bounds_before_writing() {
        let mut host =
            VecHost { tables: vec![vec![0; 4], vec![1, 2, 3]], elements: vec![Some(vec![5, 6])], ..VecHost::default() };
        let mut slots = [1, 9, 2, 0, 0];
        assert!(run(&mut host, Builtin::TableGrow, &mut slots));
        assert_eq!((slots[0], &host.tables[1][..]), (3, &[1, 2, 3, 9, 9][..]));
        assert!(run(&mut host, Builtin::TableCopy, &mut [0, 1, 1, 2, 3]));
        assert_eq!(host.tables[0], vec![0, 3, 9, 9]);
        // The destination is too short: nothing is written.
        assert!(!run(&mut host, Builtin::TableCopy, &mut [0, 1, 2, 0, 3]));
        assert_eq!(host.tables[0], vec![0, 3, 9, 9]);
        assert!(run(&mut host, Builtin::TableInit, &mut [0, 0, 2, 0, 2]));
        assert_eq!(host.tables[0], vec![0, 3, 5, 6]);
        assert!(run(&mut host, Builtin::TableFill, &mut [0, 0, 4, 2, 0]));
        assert_eq!(host.tables[0], vec![4, 4, 5, 6]);
        assert!(run(&mut host, Builtin::ElemDrop, &mut [0, 0, 0, 0, 0]));
        assert!(!run(&mut host, Builtin::TableInit, &mut [0, 0, 0, 0, 1]));
        assert!(!run(&mut host, Builtin::TableFill, &mut [7, 0, 0, 0, 0]));
    }
}
