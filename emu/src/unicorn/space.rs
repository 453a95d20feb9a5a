//! The emulator's address space: fixed regions, and the allocator that
//! places instances' code, VM contexts, cells, tables and linear memories.
//!
//! Part of the unicorn executor (see the guest address map in its module
//! documentation). Everything guest-visible is mapped here, at addresses
//! that never get reused: code blocks and data blocks are bump-allocated in
//! their regions with an unmapped page between neighbours, and every linear
//! memory has its own 8 GiB window of which only the current size is
//! mapped. An access that strays off any of them is an unmapped access,
//! which the executor reports as a sandbox escape.

use super::emulator_error;
use crate::EmuError;
use unicorn_engine::Unicorn;
use unicorn_engine::unicorn_const::Prot;

/// Granularity of emulator mappings.
pub(crate) const PAGE: u64 = 0x1000;

/// The page every call returns to (`x30` on entry; `emu_start` stops there).
pub(crate) const SENTINEL: u64 = 0x1_0000;
/// The host dispatcher: `vmctx.host_dispatch` of every instance.
pub(crate) const HOST_DISPATCH: u64 = 0x2_0000;
/// The value slots of calls from the executor into array entry trampolines.
pub(crate) const CALL_SLOTS: u64 = 0x10_0000;
/// Size of the call slot area (8192 slots).
pub(crate) const CALL_SLOTS_SIZE: u64 = 0x1_0000;
/// Lowest address of the Wasm stack.
pub(crate) const STACK_BASE: u64 = 0x100_0000;
/// Size of the Wasm stack.
pub(crate) const STACK_SIZE: u64 = 1 << 20;
/// Initial stack pointer of every call (16-byte aligned).
pub(crate) const STACK_TOP: u64 = STACK_BASE + STACK_SIZE;
/// Distance between the stack base and the stack limit published in the
/// VM context: room for host calls and frames that check late.
pub(crate) const STACK_LIMIT_MARGIN: u64 = 64 << 10;
/// The stack limit every VM context gets.
pub(crate) const STACK_LIMIT: u64 = STACK_BASE + STACK_LIMIT_MARGIN;
/// Unmapped addresses just below the stack, named in crash reports.
pub(crate) const STACK_GUARD: std::ops::Range<u64> = STACK_BASE - (1 << 20)..STACK_BASE;

/// Data blocks: VM contexts, `VMMemory`/`VMTable` cells, spectest global
/// cells, table elements.
const DATA_REGION: std::ops::Range<u64> = 0x1000_0000..0x10_0000_0000;
/// Code blocks: one per instance.
const CODE_REGION: std::ops::Range<u64> = 0x10_0000_0000..0x100_0000_0000;
/// Linear memory windows.
const MEMORY_REGION: std::ops::Range<u64> = 0x100_0000_0000..0x1_0000_0000_0000;
/// Size of one linear memory's window: any 32-bit index plus any 32-bit
/// static offset stays inside it.
pub(crate) const MEMORY_WINDOW: u64 = 8 << 30;

/// `brk #0xf000`: the host dispatcher's instruction (the interrupt hook
/// recognizes it by its address).
pub(crate) const BRK_HOST_DISPATCH: u32 = 0xd43e_0000;
/// `brk #0xffff`: fills the fixed code pages around their one real entry.
pub(crate) const BRK_FILL: u32 = 0xd43f_ffe0;

/// Rounds `size` up to whole pages (at least one).
/// The permissions the fast mode's TLB fill reports for the page at
/// `address`: code (the code region, the sentinel and dispatcher pages) is
/// read and execute; data (call slots, stack, data and memory regions) is
/// read and write, never execute (so that unicorn lets stores to it take
/// the fast path); anything else is not mapped, and gets every permission
/// so that the access itself finds nothing mapped and fails as unmapped
/// (unicorn also fetches from unmapped pages speculatively, and must not
/// fail then).
pub(crate) fn page_perms(address: u64) -> Prot {
    let code = CODE_REGION.contains(&address)
        || (SENTINEL..SENTINEL + PAGE).contains(&address)
        || (HOST_DISPATCH..HOST_DISPATCH + PAGE).contains(&address);
    let data = (CALL_SLOTS..CALL_SLOTS + CALL_SLOTS_SIZE).contains(&address)
        || (STACK_BASE..STACK_TOP).contains(&address)
        || DATA_REGION.contains(&address)
        || MEMORY_REGION.contains(&address);
    match (code, data) {
        (true, _) => Prot::READ | Prot::EXEC,
        (_, true) => Prot::READ | Prot::WRITE,
        _ => Prot::ALL,
    }
}

pub(crate) fn page_round(size: u64) -> u64 {
    size.max(1).div_ceil(PAGE) * PAGE
}

/// Where the next blocks go.
pub(crate) struct GuestSpace {
    next_data: u64,
    next_code: u64,
    next_memory: u64,
}

/// Maps `size` bytes at `address` with `perms`.
pub(crate) fn map<D>(uc: &mut Unicorn<'_, D>, address: u64, size: u64, perms: Prot) -> Result<(), EmuError> {
    uc.mem_map(address, size, perms)
        .map_err(|error| emulator_error(format!("mapping {size:#x} bytes at {address:#x}"), error))
}

/// Writes `bytes` at `address` (mapped).
pub(crate) fn write<D>(uc: &mut Unicorn<'_, D>, address: u64, bytes: &[u8]) -> Result<(), EmuError> {
    uc.mem_write(address, bytes)
        .map_err(|error| emulator_error(format!("writing {} bytes at {address:#x}", bytes.len()), error))
}

/// Reads `len` bytes at `address` (mapped).
pub(crate) fn read<D>(uc: &Unicorn<'_, D>, address: u64, len: usize) -> Result<Vec<u8>, EmuError> {
    uc.mem_read_as_vec(address, len)
        .map_err(|error| emulator_error(format!("reading {len} bytes at {address:#x}"), error))
}

/// Writes a little-endian `u64` at `address`.
pub(crate) fn write_u64<D>(uc: &mut Unicorn<'_, D>, address: u64, value: u64) -> Result<(), EmuError> {
    write(uc, address, &value.to_le_bytes())
}

/// Reads a little-endian `u64` at `address`.
pub(crate) fn read_u64<D>(uc: &Unicorn<'_, D>, address: u64) -> Result<u64, EmuError> {
    let mut bytes = [0u8; 8];
    uc.mem_read(address, &mut bytes)
        .map_err(|error| emulator_error(format!("reading 8 bytes at {address:#x}"), error))?;
    Ok(u64::from_le_bytes(bytes))
}

fn words(words: impl IntoIterator<Item = u32>) -> Vec<u8> {
    words.into_iter().flat_map(u32::to_le_bytes).collect()
}

impl GuestSpace {
    /// Maps the fixed regions (sentinel and dispatcher pages, call slots,
    /// Wasm stack) into a fresh emulator.
    pub(crate) fn new<D>(uc: &mut Unicorn<'_, D>) -> Result<GuestSpace, EmuError> {
        let fill = (PAGE / 4) as usize;
        map(uc, SENTINEL, PAGE, Prot::READ | Prot::EXEC)?;
        write(uc, SENTINEL, &words(std::iter::repeat_n(BRK_FILL, fill)))?;
        map(uc, HOST_DISPATCH, PAGE, Prot::READ | Prot::EXEC)?;
        let dispatcher = std::iter::once(BRK_HOST_DISPATCH).chain(std::iter::repeat_n(BRK_FILL, fill - 1));
        write(uc, HOST_DISPATCH, &words(dispatcher))?;
        map(uc, CALL_SLOTS, CALL_SLOTS_SIZE, Prot::READ | Prot::WRITE)?;
        map(uc, STACK_BASE, STACK_SIZE, Prot::READ | Prot::WRITE)?;
        Ok(GuestSpace { next_data: DATA_REGION.start, next_code: CODE_REGION.start, next_memory: MEMORY_REGION.start })
    }

    /// Maps a zeroed, read-write data block of at least `size` bytes.
    pub(crate) fn alloc_data<D>(&mut self, uc: &mut Unicorn<'_, D>, size: u64) -> Result<u64, EmuError> {
        let address = self.next_data;
        let mapped = page_round(size);
        if address.saturating_add(mapped) > DATA_REGION.end {
            return Err(EmuError::Unsupported("the emulator's data region is full".to_string()));
        }
        map(uc, address, mapped, Prot::READ | Prot::WRITE)?;
        self.next_data = address + mapped + PAGE;
        Ok(address)
    }

    /// Unmaps a data block from [`GuestSpace::alloc_data`] (its addresses
    /// are not reused, so stale pointers into it fault).
    pub(crate) fn free_data<D>(&mut self, uc: &mut Unicorn<'_, D>, address: u64, size: u64) -> Result<(), EmuError> {
        uc.mem_unmap(address, page_round(size))
            .map_err(|error| emulator_error(format!("unmapping the data block at {address:#x}"), error))
    }

    /// Maps `code` read + execute; returns its address.
    pub(crate) fn alloc_code<D>(&mut self, uc: &mut Unicorn<'_, D>, code: &[u8]) -> Result<u64, EmuError> {
        let address = self.next_code;
        let mapped = page_round(code.len() as u64);
        if address.saturating_add(mapped) > CODE_REGION.end {
            return Err(EmuError::Unsupported("the emulator's code region is full".to_string()));
        }
        map(uc, address, mapped, Prot::READ | Prot::EXEC)?;
        // The executor may write read-only mappings; generated code may not.
        write(uc, address, code)?;
        self.next_code = address + mapped + PAGE;
        Ok(address)
    }

    /// Reserves a linear memory window (nothing mapped yet).
    pub(crate) fn alloc_memory_window(&mut self) -> Result<u64, EmuError> {
        let address = self.next_memory;
        if address.saturating_add(MEMORY_WINDOW) > MEMORY_REGION.end {
            return Err(EmuError::Unsupported("no linear memory window left in the emulator".to_string()));
        }
        self.next_memory += MEMORY_WINDOW;
        Ok(address)
    }
}
