//! Instantiation: resolving imports, building the VMContext, applying
//! segments, running the start function.
//!
//! The steps follow the spec's order. Import types are checked first
//! (nothing is created if one mismatches). Then the instance's own
//! memories, tables and globals are created and its VMContext filled;
//! element segments are applied before data segments, each bounds-checked
//! as a whole before anything is written, and a failing segment traps
//! after the earlier ones took effect (as bulk memory specifies). Finally
//! the start function runs.

use crate::error::{Error, Trap};
use crate::externals::{Extern, Global, Memory, Table, read_global, write_global};
use crate::func::Func;
use crate::module::Module;
use crate::store::{AsStore, AsStoreMut, GlobalData, StoreOpaque};
use crate::table::Table as TableStorage;
use crate::values::Val;
use crate::vmcontext::{VMContextAlloc, VMFuncRef, VMGlobal};
use tern_environ::*;

/// An instance in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

/// An instance's state, boxed in its store (compiled code reaches it
/// through the vmctx's `INSTANCE` field, the builtins through that).
pub(crate) struct InstanceData {
    pub module: Module,
    pub vmctx: VMContextAlloc,
    pub store: *mut StoreOpaque,
    /// Store indices of every entity in the module's index spaces.
    pub funcs: Vec<u32>,
    pub memories: Vec<u32>,
    pub tables: Vec<u32>,
    pub globals: Vec<u32>,
    /// Passive element segments' values (`None` once dropped).
    pub passive_elements: Vec<Option<Box<[usize]>>>,
    /// Whether each data segment was dropped.
    pub dropped_data: Vec<bool>,
}

impl Instance {
    /// Instantiates `module` with `imports`, given in the module's import
    /// order.
    pub fn new(
        store: &mut impl AsStoreMut,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance, Error> {
        let store = store.as_store_opaque_mut();
        if !store.engine().same(module.engine()) {
            return Err(Error::Link(
                "module and store belong to different engines".into(),
            ));
        }
        let info = module.info();
        if imports.len() != info.imports.len() {
            return Err(Error::Link(format!(
                "module needs {} imports, {} given",
                info.imports.len(),
                imports.len()
            )));
        }
        for (import, ext) in info.imports.iter().zip(imports) {
            check_import(store, info, import, ext)?;
        }
        let instance = allocate(store, module, imports)?;
        initialize(store, instance)?;
        if let Some(start) = info.start {
            let func = Func {
                store: store.id,
                index: store.instances[instance.index as usize].funcs[start.index()],
            };
            func.call(&mut OpaqueStore(store), &[], &mut [])?;
        }
        Ok(instance)
    }

    pub(crate) fn data<'a>(&self, store: &'a StoreOpaque) -> &'a InstanceData {
        store.check(self.store);
        &store.instances[self.index as usize]
    }

    pub fn module<'a>(&self, store: &'a impl AsStore) -> &'a Module {
        &self.data(store.as_store_opaque()).module
    }

    /// Looks up an export by name.
    pub fn get_export(&self, store: &impl AsStore, name: &str) -> Option<Extern> {
        let store = store.as_store_opaque();
        let data = self.data(store);
        let entity = data.module.info().export(name)?;
        Some(entity_extern(store.id, data, entity))
    }

    /// Every export, in order.
    pub fn exports(&self, store: &impl AsStore) -> Vec<(String, Extern)> {
        let store = store.as_store_opaque();
        let data = self.data(store);
        data.module
            .info()
            .exports
            .iter()
            .map(|e| (e.name.clone(), entity_extern(store.id, data, e.entity)))
            .collect()
    }

    pub fn get_func(&self, store: &impl AsStore, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    pub fn get_memory(&self, store: &impl AsStore, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    pub fn get_global(&self, store: &impl AsStore, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    pub fn get_table(&self, store: &impl AsStore, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// An exported function with a typed signature.
    pub fn get_typed_func<Params: crate::WasmParams, Results: crate::WasmResults>(
        &self,
        store: &impl AsStore,
        name: &str,
    ) -> Result<crate::TypedFunc<Params, Results>, Error> {
        let func = self
            .get_func(store, name)
            .ok_or_else(|| Error::Link(format!("no exported function named `{name}`")))?;
        func.typed(store)
    }
}

/// Adapts a bare `StoreOpaque` to the store traits for internal calls.
pub(crate) struct OpaqueStore<'a>(pub &'a mut StoreOpaque);

impl AsStore for OpaqueStore<'_> {
    type Data = ();
    fn as_store_opaque(&self) -> &StoreOpaque {
        self.0
    }
}

impl AsStoreMut for OpaqueStore<'_> {
    fn as_store_opaque_mut(&mut self) -> &mut StoreOpaque {
        self.0
    }
    fn data_mut_and_opaque(&mut self) -> (&mut (), &mut StoreOpaque) {
        unreachable!("internal adapter without store data")
    }
}

fn entity_extern(store: u64, data: &InstanceData, entity: EntityIndex) -> Extern {
    match entity {
        EntityIndex::Function(f) => Extern::Func(Func {
            store,
            index: data.funcs[f.index()],
        }),
        EntityIndex::Memory(m) => Extern::Memory(Memory {
            store,
            index: data.memories[m.index()],
        }),
        EntityIndex::Global(g) => Extern::Global(Global {
            store,
            index: data.globals[g.index()],
        }),
        EntityIndex::Table(t) => Extern::Table(Table {
            store,
            index: data.tables[t.index()],
        }),
    }
}

fn limits_match(min: u32, max: Option<u32>, want_min: u32, want_max: Option<u32>) -> bool {
    min >= want_min
        && match want_max {
            None => true,
            Some(want) => max.is_some_and(|m| m <= want),
        }
}

fn check_import(
    store: &StoreOpaque,
    info: &ModuleInfo,
    import: &Import,
    ext: &Extern,
) -> Result<(), Error> {
    let wrong = |what: String| {
        Err(Error::Link(format!(
            "incompatible import type for `{}::{}`: {what}",
            import.module, import.name
        )))
    };
    let store_ref = crate::instance::ReadStore(store);
    match (&import.ty, ext) {
        (EntityType::Function(ty), Extern::Func(f)) => {
            let want = &info.types[ty.index()];
            let have = f.ty(&store_ref);
            if &have != want {
                return wrong(format!("expected function {want}, found {have}"));
            }
        }
        (EntityType::Memory(want), Extern::Memory(m)) => {
            let have = m.storage(&store_ref);
            let pages = have.pages();
            if !limits_match(pages, have.ty().maximum, want.minimum, want.maximum) {
                return wrong("memory limits do not match".into());
            }
        }
        (EntityType::Table(want), Extern::Table(t)) => {
            let have = t.storage(&store_ref);
            if have.ty().element != want.element
                || !limits_match(have.len(), have.ty().maximum, want.minimum, want.maximum)
            {
                return wrong("table type or limits do not match".into());
            }
        }
        (EntityType::Global(want), Extern::Global(g)) => {
            let have = g.ty(&store_ref);
            if have != *want {
                return wrong(format!(
                    "expected global {}{}, found {}{}",
                    if want.mutable { "mut " } else { "" },
                    want.content,
                    if have.mutable { "mut " } else { "" },
                    have.content
                ));
            }
        }
        (_, other) => {
            let expected = match import.ty {
                EntityType::Function(_) => "function",
                EntityType::Memory(_) => "memory",
                EntityType::Table(_) => "table",
                EntityType::Global(_) => "global",
            };
            return wrong(format!("expected a {expected}, found a {}", other.kind()));
        }
    }
    Ok(())
}

/// Read-only adapter over a `StoreOpaque`.
pub(crate) struct ReadStore<'a>(pub &'a StoreOpaque);

impl AsStore for ReadStore<'_> {
    type Data = ();
    fn as_store_opaque(&self) -> &StoreOpaque {
        self.0
    }
}

/// Creates the instance's entities and VMContext (no segments yet).
fn allocate(
    store: &mut StoreOpaque,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance, Error> {
    let inner = module.inner();
    let info = &inner.info;
    let offsets = &inner.offsets;
    let vmctx = VMContextAlloc::new(offsets.size());
    let vmctx_ptr = vmctx.as_ptr();
    let store_ptr = store as *mut StoreOpaque;

    let mut funcs = Vec::with_capacity(info.functions.len());
    let mut memories = Vec::with_capacity(info.memories.len());
    let mut tables = Vec::with_capacity(info.tables.len());
    let mut globals = Vec::with_capacity(info.globals.len());
    for ext in imports {
        match *ext {
            Extern::Func(f) => funcs.push(f.index),
            Extern::Memory(m) => memories.push(m.index),
            Extern::Table(t) => tables.push(t.index),
            Extern::Global(g) => globals.push(g.index),
        }
    }

    vmctx.write(VMOffsets::STORE_CONTEXT, &mut *store.context as *mut _);
    vmctx.write(VMOffsets::BUILTINS, crate::libcalls::BUILTINS.as_ptr());
    for (i, &id) in inner.type_ids.iter().enumerate() {
        vmctx.write(offsets.type_id(TypeIndex(i as u32)), id);
    }

    // Memories: imported ones first, then the module's own.
    for ty in &info.memories[info.num_imported_memories as usize..] {
        let m = Memory::new(&mut OpaqueStore(store), *ty)?;
        memories.push(m.index);
    }
    for (i, &m) in memories.iter().enumerate() {
        let memory = &mut store.memories[m as usize];
        vmctx.write(offsets.memory_base(MemoryIndex(i as u32)), memory.base());
        vmctx.write(
            offsets.memory_def_ptr(MemoryIndex(i as u32)),
            memory.definition_ptr(),
        );
    }

    for ty in &info.tables[info.num_imported_tables as usize..] {
        let table = TableStorage::new(*ty, 0)
            .ok_or_else(|| Error::Resource(format!("table of {} elements", ty.minimum)))?;
        store.tables.push(Box::new(table));
        tables.push(store.tables.len() as u32 - 1);
    }
    for (i, &t) in tables.iter().enumerate() {
        let def = store.tables[t as usize].definition_ptr();
        vmctx.write(offsets.table_def_ptr(TableIndex(i as u32)), def);
    }

    for (i, &g) in globals.iter().enumerate() {
        vmctx.write(
            offsets.imported_global_ptr(GlobalIndex(i as u32)),
            store.globals[g as usize].ptr,
        );
    }

    // Function references: imports copy their funcref, defined functions
    // point at their code with this vmctx.
    for (i, &f) in funcs.iter().enumerate() {
        // SAFETY: imported funcrefs are live in this store.
        let func_ref = unsafe { *store.funcs[f as usize].func_ref };
        vmctx.write(offsets.func_ref(FuncIndex(i as u32)), func_ref);
    }
    for def in 0..info.num_defined_funcs() {
        let index = info.func_index(DefinedFuncIndex(def));
        let ty = info.functions[index.index()];
        let func_ref = VMFuncRef {
            wasm_call: inner.code.function_address(DefinedFuncIndex(def)),
            vmctx: vmctx_ptr,
            type_id: inner.type_ids[ty.index()],
        };
        vmctx.write(offsets.func_ref(index), func_ref);
    }
    // Every function of the module becomes a store function whose funcref
    // lives in this vmctx (so imported functions re-exported keep their
    // identity through the funcref they were imported with).
    for def in 0..info.num_defined_funcs() {
        let index = info.func_index(DefinedFuncIndex(def));
        let ptr = vmctx.field::<VMFuncRef>(offsets.func_ref(index));
        let ty = info.func_type(index).clone();
        funcs.push(store.add_func(ptr, ty));
    }

    let instance = Instance {
        store: store.id,
        index: store.instances.len() as u32,
    };
    let data = Box::new(InstanceData {
        module: module.clone(),
        vmctx,
        store: store_ptr,
        funcs,
        memories,
        tables,
        globals,
        passive_elements: Vec::new(),
        dropped_data: vec![false; info.data.len()],
    });
    data.vmctx
        .write(VMOffsets::INSTANCE, &*data as *const InstanceData);
    store.instances.push(data);

    // Defined globals: evaluate initializers in order (they may read
    // earlier globals).
    for (n, init) in info.global_inits.iter().enumerate() {
        let index = GlobalIndex(info.num_imported_globals + n as u32);
        let ty = info.globals[index.index()];
        let value = eval_const(store, instance, init, ty.content);
        let data = &store.instances[instance.index as usize];
        let ptr = data
            .vmctx
            .field::<VMGlobal>(offsets.defined_global(n as u32));
        // SAFETY: the slot is inside the vmctx; the value has the global's type.
        unsafe { write_global(ptr, value) };
        store.globals.push(GlobalData {
            ptr,
            ty,
            _owned: None,
        });
        let g = store.globals.len() as u32 - 1;
        store.instances[instance.index as usize].globals.push(g);
    }
    Ok(instance)
}

/// Evaluates a constant expression in the context of `instance`.
pub(crate) fn eval_const(
    store: &mut StoreOpaque,
    instance: Instance,
    expr: &ConstExpr,
    ty: ValType,
) -> Val {
    let mut stack: Vec<Val> = Vec::with_capacity(2);
    for op in expr.ops.iter() {
        let value = match *op {
            ConstOp::I32Const(v) => Val::I32(v),
            ConstOp::I64Const(v) => Val::I64(v),
            ConstOp::F32Const(v) => Val::F32(v),
            ConstOp::F64Const(v) => Val::F64(v),
            ConstOp::GlobalGet(g) => {
                let data = &store.instances[instance.index as usize];
                let global = &store.globals[data.globals[g.index()] as usize];
                // SAFETY: the global's slot is alive in this store.
                unsafe { read_global(global.ptr, global.ty.content) }
            }
            ConstOp::RefNull(ValType::ExternRef) => Val::ExternRef(None),
            ConstOp::RefNull(_) => Val::FuncRef(None),
            ConstOp::RefFunc(f) => {
                let data = &store.instances[instance.index as usize];
                let ptr = store.funcs[data.funcs[f.index()] as usize].func_ref;
                Val::FuncRef(Some(crate::values::FuncRefValue(ptr as usize)))
            }
            ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                let b = stack.pop().expect("validated").unwrap_i32();
                let a = stack.pop().expect("validated").unwrap_i32();
                Val::I32(match op {
                    ConstOp::I32Add => a.wrapping_add(b),
                    ConstOp::I32Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            ConstOp::I64Add | ConstOp::I64Sub | ConstOp::I64Mul => {
                let b = stack.pop().expect("validated").unwrap_i64();
                let a = stack.pop().expect("validated").unwrap_i64();
                Val::I64(match op {
                    ConstOp::I64Add => a.wrapping_add(b),
                    ConstOp::I64Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
        };
        stack.push(value);
    }
    let value = stack
        .pop()
        .expect("validated constant expressions leave one value");
    debug_assert_eq!(value.ty(), ty);
    value
}

/// Element and data segments.
fn initialize(store: &mut StoreOpaque, instance: Instance) -> Result<(), Error> {
    let module = store.instances[instance.index as usize].module.clone();
    let info = module.info();
    let mut passive = Vec::with_capacity(info.elements.len());
    // Evaluate every segment's values first (cheap, cannot trap).
    let mut values = Vec::with_capacity(info.elements.len());
    for segment in &info.elements {
        let items: Box<[usize]> = match &segment.items {
            ElementItems::Functions(funcs) => funcs
                .iter()
                .map(|f| {
                    let data = &store.instances[instance.index as usize];
                    store.funcs[data.funcs[f.index()] as usize].func_ref as usize
                })
                .collect(),
            ElementItems::Expressions(exprs) => exprs
                .iter()
                .map(|e| {
                    eval_const(store, instance, e, segment.element_type)
                        .to_raw()
                        .bits() as usize
                })
                .collect(),
        };
        values.push(items);
    }
    for (segment, items) in info.elements.iter().zip(values) {
        match &segment.mode {
            ElementMode::Passive => passive.push(Some(items)),
            ElementMode::Declared => passive.push(None),
            ElementMode::Active { table, offset } => {
                passive.push(None);
                let offset = eval_const(store, instance, offset, ValType::I32).unwrap_i32() as u32;
                let t = store.instances[instance.index as usize].tables[table.index()];
                let elements = store.tables[t as usize].elements_mut();
                let end = offset as usize + items.len();
                if end > elements.len() {
                    store.instances[instance.index as usize].passive_elements = passive;
                    return Err(Trap::wasm(TrapCode::TableOutOfBounds, None).into());
                }
                elements[offset as usize..end].copy_from_slice(&items);
            }
        }
    }
    store.instances[instance.index as usize].passive_elements = passive;

    for (i, segment) in info.data.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &segment.mode {
            let offset = eval_const(store, instance, offset, ValType::I32).unwrap_i32() as u32;
            let m = store.instances[instance.index as usize].memories[memory.index()];
            let bytes = store.memories[m as usize].data_mut();
            let end = offset as usize + segment.bytes.len();
            if end > bytes.len() {
                return Err(Trap::wasm(TrapCode::MemoryOutOfBounds, None).into());
            }
            bytes[offset as usize..end].copy_from_slice(&segment.bytes);
            store.instances[instance.index as usize].dropped_data[i] = true;
        }
    }
    Ok(())
}
