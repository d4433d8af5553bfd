//! `Linker<T>`: resolves a module's imports by name.
//!
//! Host functions are defined once on the linker (not in a store) and
//! materialized in the store at each instantiation, bound to the instance
//! being created so that `Caller::get_export` finds that instance's
//! exports (its memory, typically). Store items (another instance's
//! exports, host-created memories…) can be defined too.

use crate::error::{Error, Trap};
use crate::externals::Extern;
use crate::func::{Caller, Func, HostFn, IntoFunc};
use crate::instance::Instance;
use crate::module::Module;
use crate::store::AsStoreMut;
use crate::values::{Val, ValRaw};
use std::collections::HashMap;
use std::sync::Arc;
use tern_environ::{EntityType, FuncType};

enum Definition<T> {
    HostFunc { ty: FuncType, func: HostFn<T> },
    Extern(Extern),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::HostFunc { ty, func } => Definition::HostFunc {
                ty: ty.clone(),
                func: Arc::clone(func),
            },
            Definition::Extern(e) => Definition::Extern(*e),
        }
    }
}

/// Name-based import resolution.
pub struct Linker<T> {
    defs: HashMap<(String, String), Definition<T>>,
}

impl<T> Default for Linker<T> {
    fn default() -> Self {
        Linker {
            defs: HashMap::new(),
        }
    }
}

impl<T: 'static> Linker<T> {
    pub fn new() -> Linker<T> {
        Linker::default()
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> &mut Self {
        self.defs
            .insert((module.to_string(), name.to_string()), def);
        self
    }

    /// Defines a host function from a typed closure, e.g.
    /// `linker.func_wrap("env", "add", |a: i32, b: i32| a + b)`.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Results>,
    ) -> &mut Self {
        let (ty, func) = f.into_host_fn();
        self.insert(module, name, Definition::HostFunc { ty, func })
    }

    /// Defines a host function over [`Val`]s with an explicit type.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> &mut Self {
        let func = crate::func::val_closure(ty.clone(), f);
        self.insert(module, name, Definition::HostFunc { ty, func })
    }

    /// Defines a host function over raw values: arguments arrive in the
    /// first slots of the array, results are written to the first slots.
    /// This is the cheapest form, meant for host APIs registered from a
    /// table (such as WASI's).
    pub fn func_new_raw(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &mut [ValRaw]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> &mut Self {
        self.insert(
            module,
            name,
            Definition::HostFunc {
                ty,
                func: Arc::new(f),
            },
        )
    }

    /// Defines an item that already exists in a store.
    pub fn define(&mut self, module: &str, name: &str, item: Extern) -> &mut Self {
        self.insert(module, name, Definition::Extern(item))
    }

    /// Defines every export of `instance` under the module name `module`.
    pub fn instance(
        &mut self,
        store: &impl crate::store::AsStore,
        module: &str,
        instance: Instance,
    ) -> &mut Self {
        for (name, ext) in instance.exports(store) {
            self.define(module, &name, ext);
        }
        self
    }

    /// Looks up a store item defined on the linker.
    pub fn get(&self, module: &str, name: &str) -> Option<Extern> {
        match self.defs.get(&(module.to_string(), name.to_string()))? {
            Definition::Extern(e) => Some(*e),
            Definition::HostFunc { .. } => None,
        }
    }

    /// Instantiates `module`, resolving each import by its module and name.
    pub fn instantiate(
        &self,
        store: &mut impl AsStoreMut<Data = T>,
        module: &Module,
    ) -> Result<Instance, Error> {
        let info = module.info();
        // The instance's index is known in advance: host functions are
        // bound to it before it exists.
        let future = Instance {
            store: store.as_store_opaque().id,
            index: store.as_store_opaque().instances.len() as u32,
        };
        let mut imports = Vec::with_capacity(info.imports.len());
        for import in &info.imports {
            let key = (import.module.clone(), import.name.clone());
            let def = self.defs.get(&key).ok_or_else(|| {
                Error::Link(format!(
                    "unknown import: `{}::{}` has not been defined",
                    import.module, import.name
                ))
            })?;
            let ext = match def {
                Definition::Extern(e) => *e,
                Definition::HostFunc { ty, func } => {
                    if !matches!(import.ty, EntityType::Function(_)) {
                        return Err(Error::Link(format!(
                            "incompatible import type for `{}::{}`: expected a {}, found a function",
                            import.module,
                            import.name,
                            match import.ty {
                                EntityType::Memory(_) => "memory",
                                EntityType::Table(_) => "table",
                                _ => "global",
                            }
                        )));
                    }
                    Extern::Func(Func::new_host(
                        store.as_store_opaque_mut(),
                        ty.clone(),
                        Arc::clone(func),
                        Some(future),
                    )?)
                }
            };
            imports.push(ext);
        }
        let instance = Instance::new(store, module, &imports)?;
        debug_assert_eq!(instance, future);
        Ok(instance)
    }
}
