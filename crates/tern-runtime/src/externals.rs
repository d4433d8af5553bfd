//! Memories, globals and tables as host-visible handles, and `Extern`,
//! anything an instance exports or imports.

use crate::error::Error;
use crate::func::{Caller, Func};
use crate::memory::LinearMemory;
use crate::store::{AsStore, AsStoreMut, GlobalData};
use crate::table::Table as TableStorage;
use crate::values::Val;
use crate::vmcontext::VMGlobal;
use tern_environ::{GlobalType, MemoryType, TableType, ValType};

/// Anything that can be exported or imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extern {
    Func(Func),
    Memory(Memory),
    Global(Global),
    Table(Table),
}

impl Extern {
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }

    /// A short description of the kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Extern::Func(_) => "function",
            Extern::Memory(_) => "memory",
            Extern::Global(_) => "global",
            Extern::Table(_) => "table",
        }
    }
}

/// A linear memory in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Memory {
    /// Creates a memory owned by the store (for embedders that provide
    /// imports).
    pub fn new(store: &mut impl AsStoreMut, ty: MemoryType) -> Result<Memory, Error> {
        let store = store.as_store_opaque_mut();
        let max = store.engine().config().max_memory_pages;
        let memory = LinearMemory::new(ty, max).map_err(|e| Error::Resource(e.to_string()))?;
        store.memories.push(Box::new(memory));
        Ok(Memory {
            store: store.id,
            index: store.memories.len() as u32 - 1,
        })
    }

    pub(crate) fn storage<'a>(&self, store: &'a impl AsStore) -> &'a LinearMemory {
        let store = store.as_store_opaque();
        store.check(self.store);
        &store.memories[self.index as usize]
    }

    pub(crate) fn storage_mut<'a>(&self, store: &'a mut impl AsStoreMut) -> &'a mut LinearMemory {
        let store = store.as_store_opaque_mut();
        store.check(self.store);
        &mut store.memories[self.index as usize]
    }

    pub fn ty(&self, store: &impl AsStore) -> MemoryType {
        self.storage(store).ty()
    }

    /// The memory's bytes.
    pub fn data<'a>(&self, store: &'a impl AsStore) -> &'a [u8] {
        self.storage(store).data()
    }

    /// The memory's bytes, writable.
    pub fn data_mut<'a>(&self, store: &'a mut impl AsStoreMut) -> &'a mut [u8] {
        self.storage_mut(store).data_mut()
    }

    /// The memory's bytes and the store's data at once (what host
    /// functions such as WASI's need).
    pub fn data_and_store_mut<'a, T>(
        &self,
        caller: &'a mut Caller<'_, T>,
    ) -> (&'a mut [u8], &'a mut T) {
        let (data, opaque) = caller.data_mut_and_opaque();
        opaque.check(self.store);
        (opaque.memories[self.index as usize].data_mut(), data)
    }

    /// Current size in pages.
    pub fn size(&self, store: &impl AsStore) -> u32 {
        self.storage(store).pages()
    }

    /// Grows by `delta` pages, returning the old size.
    pub fn grow(&self, store: &mut impl AsStoreMut, delta: u32) -> Result<u32, Error> {
        self.storage_mut(store)
            .grow(delta)
            .ok_or_else(|| Error::Resource(format!("failed to grow memory by {delta} pages")))
    }
}

/// A global in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Global {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Global {
    /// Creates a global owned by the store.
    pub fn new(store: &mut impl AsStoreMut, ty: GlobalType, value: Val) -> Result<Global, Error> {
        if value.ty() != ty.content {
            return Err(Error::Type(format!(
                "global of type {} initialized with a {}",
                ty.content,
                value.ty()
            )));
        }
        let store = store.as_store_opaque_mut();
        let mut owned = Box::new(VMGlobal::default());
        let ptr: *mut VMGlobal = &mut *owned;
        store.globals.push(GlobalData {
            ptr,
            ty,
            _owned: Some(owned),
        });
        let global = Global {
            store: store.id,
            index: store.globals.len() as u32 - 1,
        };
        // SAFETY: `ptr` points to the box just stored.
        unsafe { write_global(ptr, value) };
        Ok(global)
    }

    fn data<'a>(&self, store: &'a impl AsStore) -> &'a GlobalData {
        let store = store.as_store_opaque();
        store.check(self.store);
        &store.globals[self.index as usize]
    }

    pub fn ty(&self, store: &impl AsStore) -> GlobalType {
        self.data(store).ty
    }

    pub fn get(&self, store: &impl AsStore) -> Val {
        let data = self.data(store);
        // SAFETY: the slot is owned by the store (instance vmctx or box).
        unsafe { read_global(data.ptr, data.ty.content) }
    }

    pub fn set(&self, store: &mut impl AsStoreMut, value: Val) -> Result<(), Error> {
        let data = self.data(&*store);
        if !data.ty.mutable {
            return Err(Error::Type("cannot set an immutable global".into()));
        }
        if value.ty() != data.ty.content {
            return Err(Error::Type(format!(
                "global of type {} set to a {}",
                data.ty.content,
                value.ty()
            )));
        }
        // SAFETY: as in `get`; the value has the global's type.
        unsafe { write_global(data.ptr, value) };
        Ok(())
    }
}

/// Reads a global's slot.
///
/// # Safety
/// `ptr` must point to a live global slot holding a value of `ty`.
pub(crate) unsafe fn read_global(ptr: *mut VMGlobal, ty: ValType) -> Val {
    // SAFETY: per the contract.
    let bytes = unsafe { (*ptr).bytes };
    let bits = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    Val::from_raw(crate::values::ValRaw::from_bits(bits), ty)
}

/// Writes a global's slot.
///
/// # Safety
/// `ptr` must point to a live global slot.
pub(crate) unsafe fn write_global(ptr: *mut VMGlobal, value: Val) {
    let bits = value.to_raw().bits();
    // i32 and f32 globals are 4 bytes at offset 0 and i64/f64/references 8:
    // writing all 8 bytes little-endian (upper half zero for 32-bit types)
    // serves both.
    // SAFETY: per the contract.
    unsafe { (&mut (*ptr).bytes)[..8].copy_from_slice(&bits.to_le_bytes()) };
}

/// A table in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Table {
    /// Creates a table owned by the store, every element `init`.
    pub fn new(store: &mut impl AsStoreMut, ty: TableType, init: Val) -> Result<Table, Error> {
        if init.ty() != ty.element {
            return Err(Error::Type("table initializer of the wrong type".into()));
        }
        let store = store.as_store_opaque_mut();
        let raw = init.to_raw().bits() as usize;
        let table = TableStorage::new(ty, raw)
            .ok_or_else(|| Error::Resource(format!("table of {} elements", ty.minimum)))?;
        store.tables.push(Box::new(table));
        Ok(Table {
            store: store.id,
            index: store.tables.len() as u32 - 1,
        })
    }

    pub(crate) fn storage<'a>(&self, store: &'a impl AsStore) -> &'a TableStorage {
        let store = store.as_store_opaque();
        store.check(self.store);
        &store.tables[self.index as usize]
    }

    pub fn ty(&self, store: &impl AsStore) -> TableType {
        self.storage(store).ty()
    }

    pub fn size(&self, store: &impl AsStore) -> u32 {
        self.storage(store).len()
    }
}
