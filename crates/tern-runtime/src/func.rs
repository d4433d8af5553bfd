//! Functions: calling Wasm from the host, and host functions Wasm calls.
//!
//! Every function, Wasm or host, is a `VMFuncRef` (code pointer, vmctx,
//! signature id). The host calls one through its signature's array-call
//! trampoline inside [`traps::call_wasm`], which catches traps. A host
//! function's code pointer is its signature's host-exit trampoline and its
//! "vmctx" is a [`HostFuncContext`], whose first field is the
//! monomorphized shim that turns the `ValRaw` array back into a call of
//! the embedder's closure with a [`Caller`].

use crate::Extern;
use crate::error::{Error, Trap};
use crate::instance::Instance;
use crate::store::{AsStore, AsStoreMut, StoreInner, StoreOpaque};
use crate::traps::{self, Unwind};
use crate::values::{Val, ValRaw};
use crate::vmcontext::VMFuncRef;
use std::any::Any;
use std::marker::PhantomData;
use std::sync::Arc;
use tern_environ::{FuncType, ValType};

/// A function in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Func {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

/// The callable behind a host function, over raw values: arguments in the
/// first slots on entry, results written to the first slots on return.
pub(crate) type HostFn<T> =
    Arc<dyn Fn(Caller<'_, T>, &mut [ValRaw]) -> Result<(), Trap> + Send + Sync>;

/// What a host function's `VMFuncRef` points to as its vmctx.
#[repr(C)]
pub(crate) struct HostFuncContext {
    /// Called by the host-exit trampoline; must stay the first field.
    shim: unsafe extern "C" fn(*mut HostFuncContext, *mut ValRaw),
    pub(crate) func_ref: VMFuncRef,
    store: *mut StoreOpaque,
    /// The instance whose import this function satisfies, if any: what
    /// `Caller::get_export` looks in.
    caller_instance: Option<Instance>,
    slots: usize,
    callable: Box<dyn Any + Send + Sync>,
}

/// A host function's view of the store while Wasm calls it.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut StoreInner<T>,
    pub(crate) instance: Option<Instance>,
}

impl<T> Caller<'_, T> {
    pub fn data(&self) -> &T {
        &self.store.data
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.store.data
    }

    /// An export of the instance that imported this function.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        self.instance?.get_export(self, name)
    }
}

impl<T> AsStore for Caller<'_, T> {
    type Data = T;
    fn as_store_opaque(&self) -> &StoreOpaque {
        &self.store.opaque
    }
}

impl<T> AsStoreMut for Caller<'_, T> {
    fn as_store_opaque_mut(&mut self) -> &mut StoreOpaque {
        &mut self.store.opaque
    }
    fn data_mut_and_opaque(&mut self) -> (&mut T, &mut StoreOpaque) {
        let inner = &mut *self.store;
        (&mut inner.data, &mut inner.opaque)
    }
}

/// Entered from the host-exit trampoline.
///
/// # Safety
/// `ctx` is a live `HostFuncContext` of a store whose data type is `T`,
/// and `values` has `ctx.slots` slots holding the arguments.
unsafe extern "C" fn host_shim<T: 'static>(ctx: *mut HostFuncContext, values: *mut ValRaw) {
    let outcome = {
        // SAFETY: per the function's contract; the closure is cloned out of
        // the context so no borrow of the store's contents outlives this
        // block's call.
        let (callable, caller, values) = unsafe {
            let ctx = &*ctx;
            let callable = ctx
                .callable
                .downcast_ref::<HostFn<T>>()
                .expect("host function registered with another store type")
                .clone();
            let caller = Caller {
                store: &mut *ctx.store.cast::<StoreInner<T>>(),
                instance: ctx.caller_instance,
            };
            (
                callable,
                caller,
                std::slice::from_raw_parts_mut(values, ctx.slots),
            )
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callable(caller, values)))
    };
    // Nothing in this frame needs dropping past this point, so unwinding
    // out of it by jumping is sound.
    match outcome {
        Ok(Ok(())) => {}
        // SAFETY: called from Wasm through the host-exit trampoline.
        Ok(Err(trap)) => unsafe { traps::raise(Unwind::Host(trap)) },
        // SAFETY: as above.
        Err(panic) => unsafe { traps::raise(Unwind::Panic(panic)) },
    }
}

impl Func {
    /// A host function with raw-value arguments and results.
    pub(crate) fn new_host<T: 'static>(
        store: &mut StoreOpaque,
        ty: FuncType,
        callable: HostFn<T>,
        caller_instance: Option<Instance>,
    ) -> Result<Func, Error> {
        let type_id = store.engine().signature_id(&ty);
        let trampolines = store.engine().trampolines(type_id)?;
        let mut ctx = Box::new(HostFuncContext {
            shim: host_shim::<T>,
            func_ref: VMFuncRef {
                wasm_call: trampolines.host_exit,
                vmctx: std::ptr::null_mut(),
                type_id,
            },
            store: store as *mut StoreOpaque,
            caller_instance,
            slots: ty.params.len().max(ty.results.len()),
            callable: Box::new(callable),
        });
        ctx.func_ref.vmctx = (&mut *ctx as *mut HostFuncContext).cast();
        let func_ref: *const VMFuncRef = &ctx.func_ref;
        store.host_funcs.push(ctx);
        Ok(Func {
            store: store.id,
            index: store.add_func(func_ref, ty),
        })
    }

    /// Defines a host function in `store` from a closure over [`Val`]s.
    pub fn new<T: 'static>(
        store: &mut impl AsStoreMut<Data = T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Result<Func, Error> {
        let callable = val_closure(ty.clone(), f);
        Func::new_host(store.as_store_opaque_mut(), ty, callable, None)
    }

    /// Defines a host function from a typed Rust closure.
    pub fn wrap<T: 'static, Params, Results>(
        store: &mut impl AsStoreMut<Data = T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Result<Func, Error> {
        let (ty, callable) = f.into_host_fn();
        Func::new_host(store.as_store_opaque_mut(), ty, callable, None)
    }

    pub fn ty(&self, store: &impl AsStore) -> FuncType {
        let store = store.as_store_opaque();
        store.check(self.store);
        store.funcs[self.index as usize].ty.clone()
    }

    pub(crate) fn func_ref(&self, store: &StoreOpaque) -> *const VMFuncRef {
        store.check(self.store);
        store.funcs[self.index as usize].func_ref
    }

    /// Calls the function with `params`, writing its results to `results`.
    pub fn call(
        &self,
        store: &mut impl AsStoreMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<(), Error> {
        let opaque = store.as_store_opaque_mut();
        let ty = self.ty(&StoreRef(opaque));
        if params.len() != ty.params.len() || results.len() != ty.results.len() {
            return Err(Error::Type(format!(
                "function of type {ty} called with {} arguments and room for {} results",
                params.len(),
                results.len()
            )));
        }
        for (i, (p, t)) in params.iter().zip(ty.params.iter()).enumerate() {
            if p.ty() != *t {
                return Err(Error::Type(format!(
                    "argument {i} is {} but the function expects {t}",
                    p.ty()
                )));
            }
        }
        let mut raw = vec![ValRaw::default(); ty.params.len().max(ty.results.len())];
        for (slot, p) in raw.iter_mut().zip(params) {
            *slot = p.to_raw();
        }
        // SAFETY: `raw` holds the parameters of the function's own type
        // and has room for its results.
        unsafe { self.call_raw(opaque, &mut raw)? };
        for ((r, t), slot) in results.iter_mut().zip(ty.results.iter()).zip(&raw) {
            *r = Val::from_raw(*slot, *t);
        }
        Ok(())
    }

    /// Calls with arguments and results in `values`.
    ///
    /// # Safety
    /// `values` must hold valid arguments of the function's parameter
    /// types and have room for all its results.
    pub(crate) unsafe fn call_raw(
        &self,
        store: &mut StoreOpaque,
        values: &mut [ValRaw],
    ) -> Result<(), Error> {
        let func_ref = self.func_ref(store);
        // SAFETY: the funcref is owned by this store and alive.
        let func_ref = unsafe { *func_ref };
        let trampolines = store.engine().trampolines(func_ref.type_id)?;
        let max_stack = store.engine().config().max_wasm_stack;
        let context = &mut *store.context as *mut _;
        // SAFETY: trampoline, vmctx and code come from one funcref and its
        // signature; `values` is large enough by the caller's contract.
        let result = unsafe {
            traps::call_wasm(
                context,
                max_stack,
                trampolines.array_call,
                func_ref.vmctx,
                func_ref.wasm_call,
                values.as_mut_ptr().cast(),
            )
        };
        result.map_err(|unwind| match unwind {
            Unwind::Wasm(location) => {
                let name = location.code_info.names[location.func.index()].clone();
                Error::Trap(Trap::wasm(location.code, Some(name)))
            }
            Unwind::Host(trap) => Error::Trap(trap),
            Unwind::Panic(payload) => std::panic::resume_unwind(payload),
        })
    }

    /// A typed view of this function, checked against its signature.
    pub fn typed<Params: WasmParams, Results: WasmResults>(
        &self,
        store: &impl AsStore,
    ) -> Result<TypedFunc<Params, Results>, Error> {
        let ty = self.ty(store);
        let expected = FuncType::new(Params::types(), Results::types());
        if ty != expected {
            return Err(Error::Type(format!(
                "function has type {ty}, expected {expected}"
            )));
        }
        Ok(TypedFunc {
            func: *self,
            _marker: PhantomData,
        })
    }
}

/// Lets `Func::ty` be used on a bare `StoreOpaque`.
struct StoreRef<'a>(&'a StoreOpaque);

impl AsStore for StoreRef<'_> {
    type Data = ();
    fn as_store_opaque(&self) -> &StoreOpaque {
        self.0
    }
}

pub(crate) fn val_closure<T: 'static>(
    ty: FuncType,
    f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
) -> HostFn<T> {
    Arc::new(move |caller, raw: &mut [ValRaw]| {
        let params: Vec<Val> = ty
            .params
            .iter()
            .zip(raw.iter())
            .map(|(t, r)| Val::from_raw(*r, *t))
            .collect();
        let mut results: Vec<Val> = ty.results.iter().map(|t| Val::default_for(*t)).collect();
        f(caller, &params, &mut results)?;
        for (i, (r, t)) in results.iter().zip(ty.results.iter()).enumerate() {
            if r.ty() != *t {
                return Err(Trap::new(format!(
                    "host function returned {} for result {i} of type {t}",
                    r.ty()
                )));
            }
            raw[i] = r.to_raw();
        }
        Ok(())
    })
}

/// A Rust type that corresponds to a Wasm value type.
pub trait WasmTy: Copy + 'static {
    const TYPE: ValType;
    fn to_raw(self) -> ValRaw;
    fn from_raw(raw: ValRaw) -> Self;
}

macro_rules! wasm_ty {
    ($($ty:ty => $vt:ident, $to:expr, $from:expr;)*) => {$(
        impl WasmTy for $ty {
            const TYPE: ValType = ValType::$vt;
            fn to_raw(self) -> ValRaw {
                ($to)(self)
            }
            fn from_raw(raw: ValRaw) -> Self {
                ($from)(raw)
            }
        }
    )*};
}

wasm_ty! {
    i32 => I32, ValRaw::i32, ValRaw::get_i32;
    u32 => I32, |v: u32| ValRaw::i32(v as i32), |r: ValRaw| r.get_i32() as u32;
    i64 => I64, ValRaw::i64, ValRaw::get_i64;
    u64 => I64, |v: u64| ValRaw::i64(v as i64), |r: ValRaw| r.get_i64() as u64;
    f32 => F32, |v: f32| ValRaw::f32(v.to_bits()), |r: ValRaw| f32::from_bits(r.get_f32());
    f64 => F64, |v: f64| ValRaw::f64(v.to_bits()), |r: ValRaw| f64::from_bits(r.get_f64());
}

/// A list of Wasm values as a Rust type: a single [`WasmTy`] or a tuple.
pub trait WasmParams: Sized {
    fn types() -> Vec<ValType>;
    fn store(self, raw: &mut [ValRaw]);
    fn load(raw: &[ValRaw]) -> Self;
}

/// Results have the same shape as parameters.
pub use WasmParams as WasmResults;

impl<A: WasmTy> WasmParams for A {
    fn types() -> Vec<ValType> {
        vec![A::TYPE]
    }
    fn store(self, raw: &mut [ValRaw]) {
        raw[0] = self.to_raw();
    }
    fn load(raw: &[ValRaw]) -> Self {
        A::from_raw(raw[0])
    }
}

macro_rules! wasm_tuple {
    ($($name:ident $idx:tt),*) => {
        impl<$($name: WasmTy),*> WasmParams for ($($name,)*) {
            fn types() -> Vec<ValType> {
                vec![$($name::TYPE),*]
            }
            #[allow(unused_variables)]
            fn store(self, raw: &mut [ValRaw]) {
                $(raw[$idx] = self.$idx.to_raw();)*
            }
            #[allow(unused_variables, clippy::unused_unit)]
            fn load(raw: &[ValRaw]) -> Self {
                ($($name::from_raw(raw[$idx]),)*)
            }
        }
    };
}

wasm_tuple!();
wasm_tuple!(A 0);
wasm_tuple!(A 0, B 1);
wasm_tuple!(A 0, B 1, C 2);
wasm_tuple!(A 0, B 1, C 2, D 3);
wasm_tuple!(A 0, B 1, C 2, D 3, E 4);
wasm_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
wasm_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
wasm_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// What a typed host closure may return: results, or results or a trap.
pub trait HostReturn: 'static {
    type Results: WasmResults;
    fn into_result(self) -> Result<Self::Results, Trap>;
}

impl<R: WasmResults + 'static> HostReturn for R {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        Ok(self)
    }
}

impl<R: WasmResults + 'static> HostReturn for Result<R, Trap> {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        self
    }
}

/// Rust closures usable as host functions.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_host_fn(self) -> (FuncType, HostFn<T>);
}

macro_rules! into_func {
    ($($name:ident $idx:tt),*) => {
        impl<T: 'static, Closure, R, $($name: WasmTy),*> IntoFunc<T, ($($name,)*), R> for Closure
        where
            Closure: Fn($($name),*) -> R + Send + Sync + 'static,
            R: HostReturn,
        {
            fn into_host_fn(self) -> (FuncType, HostFn<T>) {
                let ty = FuncType::new(vec![$($name::TYPE),*], R::Results::types());
                let callable: HostFn<T> = Arc::new(move |_caller, raw: &mut [ValRaw]| {
                    let results = self($($name::from_raw(raw[$idx])),*).into_result()?;
                    results.store(raw);
                    Ok(())
                });
                (ty, callable)
            }
        }

        impl<T: 'static, Closure, R, $($name: WasmTy),*> IntoFunc<T, (Caller<'static, T>, $($name,)*), R> for Closure
        where
            Closure: Fn(Caller<'_, T>, $($name),*) -> R + Send + Sync + 'static,
            R: HostReturn,
        {
            fn into_host_fn(self) -> (FuncType, HostFn<T>) {
                let ty = FuncType::new(vec![$($name::TYPE),*], R::Results::types());
                let callable: HostFn<T> = Arc::new(move |caller, raw: &mut [ValRaw]| {
                    let results = self(caller, $($name::from_raw(raw[$idx])),*).into_result()?;
                    results.store(raw);
                    Ok(())
                });
                (ty, callable)
            }
        }
    };
}

into_func!();
into_func!(A 0);
into_func!(A 0, B 1);
into_func!(A 0, B 1, C 2);
into_func!(A 0, B 1, C 2, D 3);
into_func!(A 0, B 1, C 2, D 3, E 4);
into_func!(A 0, B 1, C 2, D 3, E 4, F 5);
into_func!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
into_func!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// A function whose signature was checked once, called with Rust values.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<Params, Results> Clone for TypedFunc<Params, Results> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Params, Results> Copy for TypedFunc<Params, Results> {}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    pub fn call(&self, store: &mut impl AsStoreMut, params: Params) -> Result<Results, Error> {
        let n = Params::types().len().max(Results::types().len());
        let mut raw = [ValRaw::default(); 16];
        let mut heap;
        let values: &mut [ValRaw] = if n <= raw.len() {
            &mut raw[..n]
        } else {
            heap = vec![ValRaw::default(); n];
            &mut heap
        };
        params.store(values);
        // SAFETY: the signature was checked in `Func::typed`.
        unsafe { self.func.call_raw(store.as_store_opaque_mut(), values)? };
        Ok(Results::load(values))
    }

    pub fn func(&self) -> Func {
        self.func
    }
}
