//! The runtime builtins generated code calls through `host_dispatch`:
//! growing memories and tables, bulk memory and table operations.
//!
//! Part of the native executor's child, called by the host dispatcher for
//! indices `BUILTIN_BASE + Builtin`. Operands arrive in value slots in the
//! order [`compiler::runtime::Builtin`] documents; `i32` operands are the
//! low 32 bits of their slot. Returning `false` makes the generated code
//! trap with the builtin's trap code; every out-of-bounds check happens
//! before anything is written, as Wasm 2.0 requires.

use super::instance::Instance;
use compiler::runtime::Builtin;

fn u32_slot(slots: &[u64], index: usize) -> u64 {
    slots[index] & 0xffff_ffff
}

/// Runs `builtin` for `instance`; `false` means trap.
pub(super) fn run(instance: &Instance, builtin: Builtin, slots: &mut [u64]) -> bool {
    let memory = instance.memory.as_deref();
    match builtin {
        Builtin::MemoryGrow => {
            let old = memory.and_then(|m| m.grow(u32_slot(slots, 0)));
            slots[0] = old.map_or(u32::MAX as u64, |pages| pages);
            true
        }
        Builtin::MemoryFill => {
            let (dst, byte, len) = (u32_slot(slots, 0), slots[1] as u8, u32_slot(slots, 2));
            memory.is_some_and(|m| m.fill(dst, byte, len))
        }
        Builtin::MemoryCopy => {
            let (dst, src, len) = (u32_slot(slots, 0), u32_slot(slots, 1), u32_slot(slots, 2));
            memory.is_some_and(|m| m.copy_within(dst, src, len))
        }
        Builtin::MemoryInit => {
            let (segment, dst, src, len) =
                (slots[0] as u32 as usize, u32_slot(slots, 1), u32_slot(slots, 2), u32_slot(slots, 3));
            let dropped = instance.data_dropped.borrow().get(segment).copied().unwrap_or(true);
            let bytes: &[u8] = match instance.module.info.data.get(segment) {
                Some(data) if !dropped => &data.bytes,
                _ => &[],
            };
            let Some(end) = src.checked_add(len).filter(|&end| end <= bytes.len() as u64) else {
                return false;
            };
            memory.is_some_and(|m| m.write(dst, &bytes[src as usize..end as usize]))
        }
        Builtin::DataDrop => {
            if let Some(dropped) = instance.data_dropped.borrow_mut().get_mut(slots[0] as u32 as usize) {
                *dropped = true;
            }
            true
        }
        Builtin::TableGrow => {
            let (table, init, delta) = (slots[0] as u32 as usize, slots[1], u32_slot(slots, 2));
            let old = instance.tables.get(table).and_then(|t| t.grow(delta, init));
            slots[0] = old.map_or(u32::MAX as u64, |size| size);
            true
        }
        Builtin::TableFill => {
            let (table, dst, value, len) = (slots[0] as u32 as usize, u32_slot(slots, 1), slots[2], u32_slot(slots, 3));
            instance.tables.get(table).is_some_and(|t| t.fill(dst, value, len))
        }
        Builtin::TableCopy => {
            let (dst_table, src_table) = (slots[0] as u32 as usize, slots[1] as u32 as usize);
            let (dst, src, len) = (u32_slot(slots, 2), u32_slot(slots, 3), u32_slot(slots, 4));
            let (Some(to), Some(from)) = (instance.tables.get(dst_table), instance.tables.get(src_table)) else {
                return false;
            };
            // Check the destination before reading, so nothing is written on a trap.
            if dst.checked_add(len).is_none_or(|end| end > to.len()) {
                return false;
            }
            from.read(src, len).is_some_and(|values| to.write(dst, &values))
        }
        Builtin::TableInit => {
            let (table, segment) = (slots[0] as u32 as usize, slots[1] as u32 as usize);
            let (dst, src, len) = (u32_slot(slots, 2), u32_slot(slots, 3), u32_slot(slots, 4));
            let elements = instance.elements.borrow();
            let items: &[u64] = match elements.get(segment) {
                Some(Some(items)) => items,
                _ => &[],
            };
            let Some(end) = src.checked_add(len).filter(|&end| end <= items.len() as u64) else {
                return false;
            };
            instance.tables.get(table).is_some_and(|t| t.write(dst, &items[src as usize..end as usize]))
        }
        Builtin::ElemDrop => {
            if let Some(segment) = instance.elements.borrow_mut().get_mut(slots[0] as u32 as usize) {
                *segment = None;
            }
            true
        }
    }
}
