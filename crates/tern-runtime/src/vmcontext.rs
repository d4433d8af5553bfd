//! The runtime's side of the VMContext contract: `#[repr(C)]` structures
//! whose layout matches the offsets in `tern_environ` (checked at compile
//! time below), and the raw, aligned allocation that holds one instance's
//! VMContext.

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::ptr::NonNull;
use tern_environ::{func_ref, memory_definition, store_context, table_definition};

/// Per-store state that compiled code reads (see
/// `tern_environ::store_context`).
#[repr(C)]
#[derive(Debug, Default)]
pub struct VMStoreContext {
    /// Lowest address `rsp` may reach in Wasm code (0 while no Wasm runs).
    pub stack_limit: usize,
}

/// A memory's base and current length.
#[repr(C)]
#[derive(Debug)]
pub struct VMMemoryDefinition {
    pub base: *mut u8,
    pub length: u64,
}

/// A table's element storage and current length.
#[repr(C)]
#[derive(Debug)]
pub struct VMTableDefinition {
    pub base: *mut usize,
    pub length: u64,
}

/// What a funcref points to: enough to call the function.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VMFuncRef {
    pub wasm_call: *const u8,
    pub vmctx: *mut u8,
    pub type_id: u32,
}

/// The storage of one global (16 bytes, value at offset 0).
#[repr(C, align(16))]
#[derive(Debug, Default, Clone, Copy)]
pub struct VMGlobal {
    pub bytes: [u8; 16],
}

const _: () = {
    use std::mem::{offset_of, size_of};
    assert!(offset_of!(VMStoreContext, stack_limit) == store_context::STACK_LIMIT as usize);
    assert!(size_of::<VMStoreContext>() == store_context::SIZE as usize);
    assert!(offset_of!(VMMemoryDefinition, base) == memory_definition::BASE as usize);
    assert!(offset_of!(VMMemoryDefinition, length) == memory_definition::LENGTH as usize);
    assert!(size_of::<VMMemoryDefinition>() == memory_definition::SIZE as usize);
    assert!(offset_of!(VMTableDefinition, base) == table_definition::BASE as usize);
    assert!(offset_of!(VMTableDefinition, length) == table_definition::LENGTH as usize);
    assert!(size_of::<VMTableDefinition>() == table_definition::SIZE as usize);
    assert!(offset_of!(VMFuncRef, wasm_call) == func_ref::WASM_CALL as usize);
    assert!(offset_of!(VMFuncRef, vmctx) == func_ref::VMCTX as usize);
    assert!(offset_of!(VMFuncRef, type_id) == func_ref::TYPE_ID as usize);
    assert!(size_of::<VMFuncRef>() == func_ref::SIZE as usize);
    assert!(size_of::<VMGlobal>() == tern_environ::GLOBAL_SIZE as usize);
};

/// One instance's VMContext: a zeroed, 16-byte-aligned block whose address
/// never changes until it is dropped.
pub struct VMContextAlloc {
    ptr: NonNull<u8>,
    layout: Layout,
}

impl VMContextAlloc {
    pub fn new(size: u32) -> VMContextAlloc {
        let layout = Layout::from_size_align(size.max(16) as usize, 16).expect("vmctx layout");
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { alloc_zeroed(layout) };
        let ptr = NonNull::new(ptr).unwrap_or_else(|| std::alloc::handle_alloc_error(layout));
        VMContextAlloc { ptr, layout }
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// A pointer to the field of type `F` at `offset`.
    ///
    /// Panics if the field would not lie inside the allocation or is
    /// misaligned: offsets come from `VMOffsets`, so that is a bug.
    pub fn field<F>(&self, offset: u32) -> *mut F {
        let offset = offset as usize;
        assert!(offset + std::mem::size_of::<F>() <= self.layout.size());
        assert_eq!(offset % std::mem::align_of::<F>(), 0);
        // SAFETY: in bounds of the allocation, checked above.
        unsafe { self.ptr.as_ptr().add(offset).cast() }
    }

    /// Writes a field.
    pub fn write<F>(&self, offset: u32, value: F) {
        let field = self.field::<F>(offset);
        // SAFETY: `field` is in bounds and aligned; the block is owned by
        // this allocation and plain data.
        unsafe { field.write(value) }
    }
}

impl Drop for VMContextAlloc {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) }
    }
}
