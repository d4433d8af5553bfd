//! `Store<T>`: owns everything instances create (memories, tables,
//! globals, functions, host-function contexts, instances) plus the
//! embedder's data `T`.
//!
//! Handles such as [`Func`](crate::Func) or [`Memory`](crate::Memory) are
//! plain indices tagged with their store's id; using one with another
//! store is a programming error and panics. Everything compiled code
//! points to (VMContexts, memory and table definitions, host contexts) is
//! boxed, so its address is stable while the store lives, and nothing is
//! freed before the store is dropped.

use crate::engine::Engine;
use crate::instance::InstanceData;
use crate::memory::LinearMemory;
use crate::table::Table;
use crate::vmcontext::{VMFuncRef, VMGlobal, VMStoreContext};
use std::sync::atomic::{AtomicU64, Ordering};
use tern_environ::{FuncType, GlobalType};

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

/// A collection of instances and the host data `T` they work with.
pub struct Store<T> {
    pub(crate) inner: Box<StoreInner<T>>,
}

/// The store's contents. `repr(C)` with the untyped part first, so that a
/// pointer to it is also a pointer to its [`StoreOpaque`].
#[repr(C)]
pub(crate) struct StoreInner<T> {
    pub(crate) opaque: StoreOpaque,
    pub(crate) data: T,
}

/// Everything in a store that does not depend on `T`.
///
/// The boxes inside the vectors are deliberate: compiled code and
/// VMContexts hold pointers to these objects, so they must not move when a
/// vector grows.
#[allow(clippy::vec_box)]
pub struct StoreOpaque {
    pub(crate) id: u64,
    pub(crate) engine: Engine,
    pub(crate) context: Box<VMStoreContext>,
    pub(crate) instances: Vec<Box<InstanceData>>,
    pub(crate) memories: Vec<Box<LinearMemory>>,
    pub(crate) tables: Vec<Box<Table>>,
    pub(crate) globals: Vec<GlobalData>,
    pub(crate) funcs: Vec<FuncData>,
    /// Store function index of each registered funcref address.
    pub(crate) funcs_by_ref: std::collections::HashMap<usize, u32>,
    pub(crate) host_funcs: Vec<Box<crate::func::HostFuncContext>>,
}

/// A global: where its value lives and its type.
pub(crate) struct GlobalData {
    pub ptr: *mut VMGlobal,
    pub ty: GlobalType,
    /// Storage for globals created by the host (instance globals live in
    /// their instance's VMContext).
    pub _owned: Option<Box<VMGlobal>>,
}

/// A function: its `VMFuncRef` and signature.
pub(crate) struct FuncData {
    pub func_ref: *const VMFuncRef,
    pub ty: FuncType,
}

impl<T> Store<T> {
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        Store {
            inner: Box::new(StoreInner {
                opaque: StoreOpaque {
                    id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
                    engine: engine.clone(),
                    context: Box::default(),
                    instances: Vec::new(),
                    memories: Vec::new(),
                    tables: Vec::new(),
                    globals: Vec::new(),
                    funcs: Vec::new(),
                    funcs_by_ref: std::collections::HashMap::new(),
                    host_funcs: Vec::new(),
                },
                data,
            }),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.opaque.engine
    }

    pub fn data(&self) -> &T {
        &self.inner.data
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.inner.data
    }

    pub fn into_data(self) -> T {
        self.inner.data
    }
}

/// Read access to a store, through a `Store<T>` or a host function's
/// `Caller<T>`.
pub trait AsStore {
    type Data;
    #[doc(hidden)]
    fn as_store_opaque(&self) -> &StoreOpaque;
}

/// Write access to a store.
pub trait AsStoreMut: AsStore {
    #[doc(hidden)]
    fn as_store_opaque_mut(&mut self) -> &mut StoreOpaque;
    #[doc(hidden)]
    fn data_mut_and_opaque(&mut self) -> (&mut Self::Data, &mut StoreOpaque);
}

impl<T> AsStore for Store<T> {
    type Data = T;
    fn as_store_opaque(&self) -> &StoreOpaque {
        &self.inner.opaque
    }
}

impl<T> AsStoreMut for Store<T> {
    fn as_store_opaque_mut(&mut self) -> &mut StoreOpaque {
        &mut self.inner.opaque
    }
    fn data_mut_and_opaque(&mut self) -> (&mut T, &mut StoreOpaque) {
        let inner = &mut *self.inner;
        (&mut inner.data, &mut inner.opaque)
    }
}

impl StoreOpaque {
    /// Panics unless a handle tagged `id` belongs to this store.
    pub(crate) fn check(&self, id: u64) {
        assert_eq!(
            id, self.id,
            "a handle from one store was used with another store"
        );
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn add_func(&mut self, func_ref: *const VMFuncRef, ty: FuncType) -> u32 {
        let index = self.funcs.len() as u32;
        self.funcs.push(FuncData { func_ref, ty });
        self.funcs_by_ref.insert(func_ref as usize, index);
        index
    }
}
