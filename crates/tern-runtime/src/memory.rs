//! Linear memory with free bounds checks.
//!
//! Every 32-bit memory reserves 8 GiB of address space up front, mapped
//! inaccessible, and makes only its current size readable and writable.
//! Compiled code computes `base + zero-extended i32 index + u32 offset`,
//! which is always below `base + 8 GiB`, so any access past the current
//! size touches an inaccessible page and faults; the fault becomes an
//! out-of-bounds trap. No access ever needs a bounds-check instruction,
//! and because the reservation covers the maximum size (4 GiB), growing
//! never moves the memory: its base is fixed for its whole life.

use crate::vmcontext::VMMemoryDefinition;
use rustix::mm::{MapFlags, MprotectFlags, ProtFlags, mmap_anonymous, mprotect, munmap};
use tern_environ::{MAX_WASM_PAGES, MemoryType, WASM_PAGE_SIZE};

/// Address space reserved per memory: 4 GiB of index plus 4 GiB of offset.
pub const RESERVATION: usize = 8 << 30;

/// One linear memory.
pub struct LinearMemory {
    /// Boxed so that compiled code can keep a pointer to it.
    definition: Box<VMMemoryDefinition>,
    ty: MemoryType,
    /// The most pages this memory may reach (its declared maximum, capped
    /// by the engine's limit).
    max_pages: u32,
}

// SAFETY: the memory is owned by one store; the raw pointer is to a private
// mapping owned by this object.
unsafe impl Send for LinearMemory {}

impl LinearMemory {
    /// Reserves the address space and makes the minimum size accessible.
    pub fn new(ty: MemoryType, engine_max_pages: u32) -> std::io::Result<LinearMemory> {
        // SAFETY: a fresh, private, inaccessible anonymous mapping aliases
        // nothing; NORESERVE because it is almost all never backed.
        let base = unsafe {
            mmap_anonymous(
                std::ptr::null_mut(),
                RESERVATION,
                ProtFlags::empty(),
                MapFlags::PRIVATE | MapFlags::NORESERVE,
            )?
        };
        let max_pages = ty
            .maximum
            .unwrap_or(MAX_WASM_PAGES)
            .min(engine_max_pages)
            .min(MAX_WASM_PAGES);
        let mut memory = LinearMemory {
            definition: Box::new(VMMemoryDefinition {
                base: base.cast(),
                length: 0,
            }),
            ty,
            max_pages,
        };
        if memory.grow(ty.minimum).is_none() {
            return Err(std::io::Error::other(format!(
                "memory minimum of {} pages exceeds the limit of {} pages",
                ty.minimum, memory.max_pages
            )));
        }
        Ok(memory)
    }

    pub fn ty(&self) -> MemoryType {
        self.ty
    }

    /// The definition compiled code reads.
    pub fn definition_ptr(&mut self) -> *mut VMMemoryDefinition {
        &mut *self.definition
    }

    pub fn base(&self) -> *mut u8 {
        self.definition.base
    }

    pub fn byte_size(&self) -> usize {
        self.definition.length as usize
    }

    pub fn pages(&self) -> u32 {
        (self.definition.length / WASM_PAGE_SIZE) as u32
    }

    /// Grows by `delta` pages; returns the previous size in pages, or
    /// `None` if that would exceed the maximum (the memory is unchanged).
    pub fn grow(&mut self, delta: u32) -> Option<u32> {
        let old = self.pages();
        let new = old.checked_add(delta).filter(|&n| n <= self.max_pages)?;
        if delta > 0 {
            let old_bytes = self.definition.length as usize;
            let new_bytes = new as usize * WASM_PAGE_SIZE as usize;
            // SAFETY: the range lies inside our reservation (new ≤ 4 GiB).
            let result = unsafe {
                mprotect(
                    self.definition.base.add(old_bytes).cast(),
                    new_bytes - old_bytes,
                    MprotectFlags::READ | MprotectFlags::WRITE,
                )
            };
            result.ok()?;
            self.definition.length = new_bytes as u64;
        }
        Some(old)
    }

    pub fn data(&self) -> &[u8] {
        // SAFETY: the first `length` bytes are mapped readable and owned by
        // this memory; the shared borrow of `self` prevents resizing.
        unsafe { std::slice::from_raw_parts(self.definition.base, self.byte_size()) }
    }

    pub fn data_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `data`, with exclusive access through `&mut self`.
        unsafe { std::slice::from_raw_parts_mut(self.definition.base, self.byte_size()) }
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        // SAFETY: the reservation is ours and no compiled code can run
        // against it once its store is gone.
        unsafe {
            let _ = munmap(self.definition.base.cast(), RESERVATION);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_up_to_the_maximum_without_moving() {
        let ty = MemoryType {
            minimum: 1,
            maximum: Some(3),
        };
        let mut memory = LinearMemory::new(ty, MAX_WASM_PAGES).unwrap();
        let base = memory.base();
        memory.data_mut()[65535] = 7;
        assert_eq!(memory.grow(2), Some(1));
        assert_eq!(memory.base(), base);
        assert_eq!(memory.data()[65535], 7);
        assert_eq!(memory.data()[3 * 65536 - 1], 0);
        assert_eq!(memory.grow(1), None);
        assert_eq!(memory.pages(), 3);
        assert_eq!(memory.grow(0), Some(3));
    }
}
