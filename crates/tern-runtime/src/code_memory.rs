//! Executable memory, mapped W^X: pages are writable while code is copied
//! and relocated, then switched to read+execute before anything runs.
//! They are never writable and executable at once.

use rustix::mm::{MapFlags, MprotectFlags, ProtFlags, mmap_anonymous, mprotect, munmap};
use std::ptr::NonNull;

/// A region of memory holding machine code.
pub struct CodeMemory {
    ptr: NonNull<u8>,
    len: usize,
    executable: bool,
}

// SAFETY: once published, the mapping is read-only (and executable); before
// that it is owned exclusively. Sharing the pointer across threads is fine.
unsafe impl Send for CodeMemory {}
// SAFETY: see above: no interior mutation after `publish`.
unsafe impl Sync for CodeMemory {}

impl CodeMemory {
    /// Maps `len` bytes (rounded up to whole pages) read-write.
    pub fn new(len: usize) -> std::io::Result<CodeMemory> {
        let page = rustix::param::page_size();
        let len = len.max(1).div_ceil(page) * page;
        // SAFETY: a fresh anonymous private mapping aliases nothing.
        let ptr = unsafe {
            mmap_anonymous(
                std::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::PRIVATE,
            )?
        };
        Ok(CodeMemory {
            ptr: NonNull::new(ptr.cast()).expect("mmap returned null"),
            len,
            executable: false,
        })
    }

    /// The writable bytes, before publication.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        assert!(!self.executable, "code memory is already executable");
        // SAFETY: the mapping is `len` bytes, readable and writable until
        // `publish`, and borrowed mutably through `self`.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Makes the code read+execute (and no longer writable).
    pub fn publish(&mut self) -> std::io::Result<()> {
        // SAFETY: the range is exactly our mapping.
        unsafe {
            mprotect(
                self.ptr.as_ptr().cast(),
                self.len,
                MprotectFlags::READ | MprotectFlags::EXEC,
            )?
        };
        self.executable = true;
        Ok(())
    }

    pub fn as_ptr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }

    pub fn len(&self) -> usize {
        self.len
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        // SAFETY: our own mapping; nothing refers to it once dropped (code
        // objects are kept alive by every module and instance using them).
        unsafe {
            let _ = munmap(self.ptr.as_ptr().cast(), self.len);
        }
    }
}
