//! The raw memory an instance lives in: executable code, linear memory and
//! the VM context.
//!
//! ```text
//!   CompiledModule.code ─▶ CodeMapping (mmap RW, copy, mprotect R+X)
//!   MemoryType          ─▶ LinearMemory (4 GiB + guard reserved PROT_NONE,
//!                                        the current size mapped RW) + VMMemory
//!   ModuleInfo          ─▶ VmContext (zeroed, 16-byte aligned; filled by `instance`)
//! ```
//!
//! Everything here is owned by an instance in the child process and handed
//! to generated code as raw pointers; Rust never holds references into these
//! regions while generated code runs.

use super::signals::os_error;
use crate::EmuError;
use compiler::module::MemoryType;
use compiler::runtime::{VMOffsets, WASM_PAGE_SIZE};
use std::alloc::Layout;
use std::cell::UnsafeCell;
use std::ptr;

/// Largest linear memory (32-bit addressing).
const MAX_MEMORY_BYTES: usize = 1 << 32;
/// Inaccessible bytes reserved after the largest memory.
const MEMORY_GUARD_BYTES: usize = 2 << 30;

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 { size as usize } else { 4096 }
}

/// A module's code, mapped read + execute.
pub(super) struct CodeMapping {
    base: *mut u8,
    mapped_len: usize,
}

impl CodeMapping {
    /// Maps a copy of `code` as executable.
    pub(super) fn new(code: &[u8]) -> Result<CodeMapping, EmuError> {
        let page = page_size();
        let mapped_len = code.len().max(1).div_ceil(page) * page;
        // SAFETY: a fresh anonymous mapping, written before it is made executable.
        unsafe {
            let base = libc::mmap(
                ptr::null_mut(),
                mapped_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if base == libc::MAP_FAILED {
                return Err(os_error("mmap of module code"));
            }
            let mapping = CodeMapping { base: base.cast(), mapped_len };
            ptr::copy_nonoverlapping(code.as_ptr(), mapping.base, code.len());
            if libc::mprotect(base, mapped_len, libc::PROT_READ | libc::PROT_EXEC) != 0 {
                return Err(os_error("mprotect of module code"));
            }
            Ok(mapping)
        }
    }

    /// Address of the first byte of code.
    pub(super) fn base(&self) -> usize {
        self.base as usize
    }

    /// Address of the code at `offset`.
    pub(super) fn address(&self, offset: u32) -> usize {
        self.base as usize + offset as usize
    }
}

impl Drop for CodeMapping {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping.
        unsafe { libc::munmap(self.base.cast(), self.mapped_len) };
    }
}

/// The runtime's view of a memory, read by generated code through the
/// pointer at [`VMOffsets::MEMORY`].
#[repr(C)]
pub(super) struct VMMemory {
    base: *mut u8,
    length: u64,
}

const _: () = assert!(std::mem::size_of::<VMMemory>() == VMOffsets::VMMEMORY_SIZE as usize);

/// A linear memory: a large reservation whose prefix of the current size is
/// readable and writable; growing makes more of the reservation accessible
/// (the base never moves).
pub(super) struct LinearMemory {
    reservation: *mut u8,
    reservation_len: usize,
    ty: MemoryType,
    /// Boxed so its address, handed to generated code, never changes.
    vm: Box<UnsafeCell<VMMemory>>,
}

impl LinearMemory {
    /// Reserves and maps a memory of `ty.min_pages` pages.
    pub(super) fn new(ty: MemoryType) -> Result<LinearMemory, EmuError> {
        let max_pages = (MAX_MEMORY_BYTES as u64) / WASM_PAGE_SIZE;
        if ty.min_pages > max_pages {
            return Err(EmuError::Unsupported(format!("memory of {} pages (more than 4 GiB)", ty.min_pages)));
        }
        let length = (ty.min_pages * WASM_PAGE_SIZE) as usize;
        let reservation_len = MAX_MEMORY_BYTES + MEMORY_GUARD_BYTES;
        // SAFETY: a fresh anonymous reservation; the prefix made accessible lies inside it.
        unsafe {
            let reservation = libc::mmap(
                ptr::null_mut(),
                reservation_len,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            );
            if reservation == libc::MAP_FAILED {
                return Err(os_error("mmap of a linear memory reservation"));
            }
            let memory = LinearMemory {
                reservation: reservation.cast(),
                reservation_len,
                ty,
                vm: Box::new(UnsafeCell::new(VMMemory { base: reservation.cast(), length: length as u64 })),
            };
            if length > 0 && libc::mprotect(reservation, length, libc::PROT_READ | libc::PROT_WRITE) != 0 {
                return Err(os_error("mprotect of a linear memory"));
            }
            Ok(memory)
        }
    }

    /// The declared type (its maximum is what import matching uses).
    pub(super) fn ty(&self) -> MemoryType {
        self.ty
    }

    /// The pointer generated code reads the base and length through.
    pub(super) fn vm_memory(&self) -> *mut VMMemory {
        self.vm.get()
    }

    /// Current length in bytes.
    pub(super) fn len(&self) -> u64 {
        // SAFETY: the cell is valid; generated code is not running when the
        // executor asks.
        unsafe { (*self.vm.get()).length }
    }

    /// Current size in pages.
    pub(super) fn pages(&self) -> u64 {
        self.len() / WASM_PAGE_SIZE
    }

    /// A copy of the whole memory.
    pub(super) fn read_all(&self) -> Vec<u8> {
        let len = self.len() as usize;
        let mut bytes = vec![0u8; len];
        // SAFETY: the first `len` bytes of the reservation are mapped RW.
        unsafe { ptr::copy_nonoverlapping(self.reservation, bytes.as_mut_ptr(), len) };
        bytes
    }

    /// `memory.grow`: the old size in pages, or `None` past the maximum.
    pub(super) fn grow(&self, delta_pages: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta_pages)?;
        let limit = self.ty.max_pages.unwrap_or(u64::MAX).min((MAX_MEMORY_BYTES as u64) / WASM_PAGE_SIZE);
        if new > limit {
            return None;
        }
        if delta_pages > 0 {
            let old_len = (old * WASM_PAGE_SIZE) as usize;
            let added = (delta_pages * WASM_PAGE_SIZE) as usize;
            // SAFETY: inside our reservation (new <= 4 GiB).
            let result = unsafe {
                libc::mprotect(self.reservation.add(old_len).cast(), added, libc::PROT_READ | libc::PROT_WRITE)
            };
            if result != 0 {
                return None;
            }
            // SAFETY: the cell is ours; generated code is inside a builtin call.
            unsafe { (*self.vm.get()).length = new * WASM_PAGE_SIZE };
        }
        Some(old)
    }

    fn in_bounds(&self, offset: u64, len: u64) -> bool {
        offset.checked_add(len).is_some_and(|end| end <= self.len())
    }

    /// `memory.fill`; `false` (nothing written) if out of bounds.
    pub(super) fn fill(&self, dst: u64, byte: u8, len: u64) -> bool {
        if !self.in_bounds(dst, len) {
            return false;
        }
        // SAFETY: bounds-checked against the accessible prefix.
        unsafe { ptr::write_bytes(self.reservation.add(dst as usize), byte, len as usize) };
        true
    }

    /// `memory.copy` (overlap allowed); `false` if out of bounds.
    pub(super) fn copy_within(&self, dst: u64, src: u64, len: u64) -> bool {
        if !self.in_bounds(dst, len) || !self.in_bounds(src, len) {
            return false;
        }
        // SAFETY: both ranges bounds-checked; `copy` allows overlap.
        unsafe { ptr::copy(self.reservation.add(src as usize), self.reservation.add(dst as usize), len as usize) };
        true
    }

    /// `len` bytes at `offset`, if in bounds.
    pub(super) fn read(&self, offset: u64, len: u64) -> Option<Vec<u8>> {
        if !self.in_bounds(offset, len) {
            return None;
        }
        let mut bytes = vec![0u8; len as usize];
        // SAFETY: bounds-checked against the accessible prefix.
        unsafe { ptr::copy_nonoverlapping(self.reservation.add(offset as usize), bytes.as_mut_ptr(), bytes.len()) };
        Some(bytes)
    }

    /// Writes `bytes` at `offset`; `false` if that is out of bounds.
    pub(super) fn write(&self, offset: u64, bytes: &[u8]) -> bool {
        let Some(end) = offset.checked_add(bytes.len() as u64) else {
            return false;
        };
        if end > self.len() {
            return false;
        }
        // SAFETY: bounds-checked against the accessible prefix just above.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), self.reservation.add(offset as usize), bytes.len()) };
        true
    }
}

impl crate::wasi::GuestMemory for &LinearMemory {
    fn contains(&self, address: u64, len: u64) -> bool {
        self.in_bounds(address, len)
    }

    fn read(&self, address: u64, len: u64) -> Option<Vec<u8>> {
        LinearMemory::read(self, address, len)
    }

    fn write(&mut self, address: u64, bytes: &[u8]) -> bool {
        LinearMemory::write(self, address, bytes)
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        // SAFETY: unmapping our own reservation.
        unsafe { libc::munmap(self.reservation.cast(), self.reservation_len) };
    }
}

/// A module's VM context: a zeroed, 16-byte aligned block laid out as
/// [`VMOffsets`] describes.
pub(super) struct VmContext {
    ptr: *mut u8,
    layout: Layout,
}

impl VmContext {
    /// Allocates `size` zeroed bytes (at least 16).
    pub(super) fn new(size: u32) -> Result<VmContext, EmuError> {
        let layout = Layout::from_size_align((size as usize).max(16), 16)
            .map_err(|e| EmuError::System(format!("VM context layout: {e}")))?;
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        if ptr.is_null() {
            return Err(EmuError::System("out of memory for a VM context".to_string()));
        }
        Ok(VmContext { ptr, layout })
    }

    /// The pointer generated code receives.
    pub(super) fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }

    /// Pointer to the byte at `offset`. Panics if outside the context.
    pub(super) fn field(&self, offset: u32) -> *mut u8 {
        assert!(offset as usize + 8 <= self.layout.size(), "VM context offset {offset} out of range");
        // SAFETY: in bounds, checked above.
        unsafe { self.ptr.add(offset as usize) }
    }

    /// Writes the 8-byte field at `offset` (8-byte aligned).
    pub(super) fn write_u64(&self, offset: u32, value: u64) {
        // SAFETY: in bounds and aligned: all VMOffsets fields are multiples of 8.
        unsafe { self.field(offset).cast::<u64>().write(value) };
    }

    /// Reads the 8-byte field at `offset`.
    pub(super) fn read_u64(&self, offset: u32) -> u64 {
        // SAFETY: as for `write_u64`.
        unsafe { self.field(offset).cast::<u64>().read() }
    }
}

impl Drop for VmContext {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { std::alloc::dealloc(self.ptr, self.layout) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_memory_is_zeroed_and_bounds_checked() {
        let memory = LinearMemory::new(MemoryType { min_pages: 1, max_pages: None }).unwrap();
        assert_eq!(memory.len(), WASM_PAGE_SIZE);
        assert!(memory.write(WASM_PAGE_SIZE - 2, &[1, 2]));
        assert!(!memory.write(WASM_PAGE_SIZE - 1, &[1, 2]));
        assert!(!memory.write(u64::MAX, &[1]));
        let bytes = memory.read_all();
        assert_eq!(&bytes[bytes.len() - 3..], &[0, 1, 2]);
    }

    #[test]
    fn vm_context_fields_round_trip() {
        let vmctx = VmContext::new(40).unwrap();
        assert_eq!(vmctx.as_ptr() as usize % 16, 0);
        assert_eq!(vmctx.read_u64(32), 0);
        vmctx.write_u64(32, 7);
        assert_eq!(vmctx.read_u64(32), 7);
    }
}
