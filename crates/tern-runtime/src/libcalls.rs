//! The builtins compiled code calls through the vmctx's builtin table (see
//! `tern_environ::builtins` for the contract: System V ABI, vmctx first,
//! 64-bit integer operands and result, "trap flag" results that are 0 on
//! success and have no effect on failure).

use crate::instance::InstanceData;
use crate::store::StoreOpaque;
use tern_environ::builtins::Builtin;

/// A builtin's address (a newtype so the table can be a `static`).
#[repr(transparent)]
pub(crate) struct BuiltinFn(*const ());

// SAFETY: function addresses are immutable and valid on every thread.
unsafe impl Sync for BuiltinFn {}

/// The builtin table, in `Builtin` order.
pub(crate) static BUILTINS: [BuiltinFn; Builtin::ALL.len()] = [
    BuiltinFn(memory_grow as *const ()),
    BuiltinFn(memory_copy as *const ()),
    BuiltinFn(memory_fill as *const ()),
    BuiltinFn(memory_init as *const ()),
    BuiltinFn(data_drop as *const ()),
    BuiltinFn(table_grow as *const ()),
    BuiltinFn(table_fill as *const ()),
    BuiltinFn(table_copy as *const ()),
    BuiltinFn(table_init as *const ()),
    BuiltinFn(elem_drop as *const ()),
];

const OK: u64 = 0;
const TRAP: u64 = 1;

/// The instance a vmctx belongs to, and its store.
///
/// # Safety
/// `vmctx` must be the vmctx of a live instance (compiled code passes its
/// own), called while its store is not otherwise borrowed.
unsafe fn context<'a>(vmctx: *mut u8) -> (&'a mut InstanceData, &'a mut StoreOpaque) {
    // SAFETY: the INSTANCE field was set at instantiation to the boxed
    // InstanceData, which lives as long as its store; the store outlives
    // every call into its instances, and the host's borrow of it is not
    // used while compiled code runs.
    unsafe {
        let ptr = vmctx
            .add(tern_environ::VMOffsets::INSTANCE as usize)
            .cast::<*mut InstanceData>()
            .read();
        let instance = &mut *ptr;
        let store = &mut *instance.store;
        (instance, store)
    }
}

/// Checks `start + len <= bound` without overflow and returns the range.
fn range(start: u64, len: u64, bound: usize) -> Option<std::ops::Range<usize>> {
    let end = start.checked_add(len)?;
    (end <= bound as u64).then_some(start as usize..end as usize)
}

extern "C" fn memory_grow(vmctx: *mut u8, delta: u64, memory: u64) -> u64 {
    // SAFETY: called by compiled code with its own vmctx.
    let (instance, store) = unsafe { context(vmctx) };
    let index = instance.memories[memory as usize];
    let delta = u32::try_from(delta).unwrap_or(u32::MAX);
    match store.memories[index as usize].grow(delta) {
        Some(old) => old as u64,
        None => u32::MAX as u64,
    }
}

extern "C" fn memory_copy(
    vmctx: *mut u8,
    dst_mem: u64,
    dst: u64,
    src_mem: u64,
    src: u64,
    len: u64,
) -> u64 {
    // SAFETY: called by compiled code with its own vmctx.
    let (instance, store) = unsafe { context(vmctx) };
    let dst_index = instance.memories[dst_mem as usize] as usize;
    let src_index = instance.memories[src_mem as usize] as usize;
    let dst_len = store.memories[dst_index].byte_size();
    let src_len = store.memories[src_index].byte_size();
    let (Some(d), Some(s)) = (range(dst, len, dst_len), range(src, len, src_len)) else {
        return TRAP;
    };
    if dst_index == src_index {
        store.memories[dst_index].data_mut().copy_within(s, d.start);
    } else {
        let src_base = store.memories[src_index].base();
        let dst_base = store.memories[dst_index].base();
        // SAFETY: both ranges were checked against their memories'
        // accessible lengths, and distinct memories never overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(src_base.add(s.start), dst_base.add(d.start), d.len())
        };
    }
    OK
}

extern "C" fn memory_fill(vmctx: *mut u8, mem: u64, dst: u64, value: u64, len: u64) -> u64 {
    // SAFETY: called by compiled code with its own vmctx.
    let (instance, store) = unsafe { context(vmctx) };
    let memory = &mut store.memories[instance.memories[mem as usize] as usize];
    match range(dst, len, memory.byte_size()) {
        Some(r) => {
            memory.data_mut()[r].fill(value as u8);
            OK
        }
        None => TRAP,
    }
}

extern "C" fn memory_init(
    vmctx: *mut u8,
    mem: u64,
    data: u64,
    dst: u64,
    src: u64,
    len: u64,
) -> u64 {
    // SAFETY: called by compiled code with its own vmctx.
    let (instance, store) = unsafe { context(vmctx) };
    let segment: &[u8] = if instance.dropped_data[data as usize] {
        &[]
    } else {
        &instance.module.info().data[data as usize].bytes
    };
    let memory = &mut store.memories[instance.memories[mem as usize] as usize];
    let (Some(s), Some(d)) = (
        range(src, len, segment.len()),
        range(dst, len, memory.byte_size()),
    ) else {
        return TRAP;
    };
    memory.data_mut()[d].copy_from_slice(&segment[s]);
    OK
}

extern "C" fn data_drop(vmctx: *mut u8, data: u64) -> u64 {
    // SAFETY: called by compiled code with its own vmctx.
    let (instance, _) = unsafe { context(vmctx) };
    instance.dropped_data[data as usize] = true;
    OK
}

extern "C" fn table_grow(vmctx: *mut u8, table: u64, delta: u64, init: u64) -> u64 {
    // SAFETY: called by compiled code with its own vmctx.
    let (instance, store) = unsafe { context(vmctx) };
    let table = &mut store.tables[instance.tables[table as usize] as usize];
    let delta = u32::try_from(delta).unwrap_or(u32::MAX);
    match table.grow(delta, init as usize) {
        Some(old) => old as u64,
        None => u32::MAX as u64,
    }
}

extern "C" fn table_fill(vmctx: *mut u8, table: u64, dst: u64, value: u64, len: u64) -> u64 {
    // SAFETY: called by compiled code with its own vmctx.
    let (instance, store) = unsafe { context(vmctx) };
    let elements = store.tables[instance.tables[table as usize] as usize].elements_mut();
    match range(dst, len, elements.len()) {
        Some(r) => {
            elements[r].fill(value as usize);
            OK
        }
        None => TRAP,
    }
}

extern "C" fn table_copy(
    vmctx: *mut u8,
    dst_table: u64,
    src_table: u64,
    dst: u64,
    src: u64,
    len: u64,
) -> u64 {
    // SAFETY: called by compiled code with its own vmctx.
    let (instance, store) = unsafe { context(vmctx) };
    let dst_index = instance.tables[dst_table as usize] as usize;
    let src_index = instance.tables[src_table as usize] as usize;
    let (Some(d), Some(s)) = (
        range(dst, len, store.tables[dst_index].len() as usize),
        range(src, len, store.tables[src_index].len() as usize),
    ) else {
        return TRAP;
    };
    if dst_index == src_index {
        store.tables[dst_index]
            .elements_mut()
            .copy_within(s, d.start);
    } else {
        let values: Vec<usize> = store.tables[src_index].elements_mut()[s].to_vec();
        store.tables[dst_index].elements_mut()[d].copy_from_slice(&values);
    }
    OK
}

extern "C" fn table_init(
    vmctx: *mut u8,
    table: u64,
    elem: u64,
    dst: u64,
    src: u64,
    len: u64,
) -> u64 {
    // SAFETY: called by compiled code with its own vmctx.
    let (instance, store) = unsafe { context(vmctx) };
    let segment: &[usize] = instance.passive_elements[elem as usize]
        .as_deref()
        .unwrap_or(&[]);
    let elements = store.tables[instance.tables[table as usize] as usize].elements_mut();
    let (Some(s), Some(d)) = (
        range(src, len, segment.len()),
        range(dst, len, elements.len()),
    ) else {
        return TRAP;
    };
    elements[d].copy_from_slice(&segment[s]);
    OK
}

extern "C" fn elem_drop(vmctx: *mut u8, elem: u64) -> u64 {
    // SAFETY: called by compiled code with its own vmctx.
    let (instance, _) = unsafe { context(vmctx) };
    instance.passive_elements[elem as usize] = None;
    OK
}
