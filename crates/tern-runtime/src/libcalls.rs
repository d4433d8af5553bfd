//! The builtins compiled code calls through the vmctx's builtin table (see
//! `tern_environ::builtins` for the contract: System V ABI, vmctx first,
//! 64-bit integer operands and result).

use crate::instance::InstanceData;
use tern_environ::builtins::Builtin;

/// The builtin table, in `Builtin` order.
pub(crate) static BUILTINS: [BuiltinFn; Builtin::ALL.len()] = [BuiltinFn(memory_grow as *const ())];

/// A builtin's address (a newtype so the table can be a `static`).
#[repr(transparent)]
pub(crate) struct BuiltinFn(*const ());

// SAFETY: function addresses are immutable and valid on every thread.
unsafe impl Sync for BuiltinFn {}

/// Finds the instance a vmctx belongs to.
///
/// # Safety
/// `vmctx` must be the vmctx of a live instance (compiled code passes its
/// own).
unsafe fn instance<'a>(vmctx: *mut u8) -> &'a mut InstanceData {
    // SAFETY: the INSTANCE field was set at instantiation to the boxed
    // InstanceData, which lives as long as its store.
    unsafe {
        let ptr = vmctx
            .add(tern_environ::VMOffsets::INSTANCE as usize)
            .cast::<*mut InstanceData>()
            .read();
        &mut *ptr
    }
}

/// `memory.grow`: returns the old size in pages, or `u32::MAX` (-1 as an
/// i32) if the memory cannot grow that much.
extern "C" fn memory_grow(vmctx: *mut u8, delta: u64, memory: u64) -> u64 {
    // SAFETY: called by compiled code with its own vmctx.
    let instance = unsafe { instance(vmctx) };
    // SAFETY: the store outlives every call into its instances.
    let store = unsafe { &mut *instance.store };
    let index = instance.memories[memory as usize];
    let delta = u32::try_from(delta).unwrap_or(u32::MAX);
    match store.memories[index as usize].grow(delta) {
        Some(old) => old as u64,
        None => u32::MAX as u64,
    }
}
