//! A minimal execution harness for the baseline compiler's tests, standing
//! in for the runtime: it maps compiled code, builds a `VMContext` by the
//! layout of `tern_environ::VMOffsets`, calls functions through generated
//! entry trampolines, and turns faults in generated code into trap codes
//! with a signal handler. It follows the contracts documented in
//! tern-environ (ABI, vmctx layout, builtins) and nothing more; the real
//! runtime lives in tern-runtime.

#![allow(dead_code)]
// Boxes in vectors are deliberate: compiled code holds pointers to them,
// so they must not move when the vectors grow.
#![allow(clippy::vec_box)]

pub mod wast;

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Once;
use tern_asm::{Amode, Assembler, RegMemImm, RelocTarget, Size, TrapCode, regs};
use tern_baseline::BaselineCompiler;
use tern_environ::abi::{ArgLoc, SigLocations};
use tern_environ::{
    ConstExpr, ConstOp, DataMode, DefinedFuncIndex, ElementItems, ElementMode, EntityIndex,
    EntityType, FuncIndex, FuncType, FunctionCompiler, GlobalIndex, MemoryIndex, ModuleInfo,
    TableIndex, TypeIndex, VMOffsets, ValType, WASM_PAGE_SIZE, func_ref, memory_definition,
};

const PAGE: usize = 4096;

/// An anonymous mapping.
struct Mapping {
    ptr: *mut u8,
    len: usize,
}

impl Mapping {
    fn new(len: usize, prot: i32) -> Mapping {
        let len = len.max(1).div_ceil(PAGE) * PAGE;
        // SAFETY: an anonymous private mapping with no address hint.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        assert_ne!(ptr, libc::MAP_FAILED, "mmap of {len} bytes failed");
        Mapping {
            ptr: ptr.cast(),
            len,
        }
    }

    fn protect(&self, offset: usize, len: usize, prot: i32) {
        if len == 0 {
            return;
        }
        // SAFETY: the range lies within this mapping.
        let rc = unsafe { libc::mprotect(self.ptr.add(offset).cast(), len, prot) };
        assert_eq!(rc, 0, "mprotect failed");
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the mapping was created by `Mapping::new` and is unmapped once.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

/// A trap raised by generated code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trap(pub TrapCode);

/// Engine-wide signature ids: structurally equal types share an id.
#[derive(Default)]
pub struct TypeRegistry {
    types: Vec<FuncType>,
}

impl TypeRegistry {
    pub fn id(&mut self, ty: &FuncType) -> u32 {
        match self.types.iter().position(|t| t == ty) {
            Some(i) => i as u32,
            None => {
                self.types.push(ty.clone());
                self.types.len() as u32 - 1
            }
        }
    }
}

/// A value passed to or returned from Wasm, as raw bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Val {
    pub ty: ValType,
    pub bits: u64,
}

/// What an import resolves to.
#[derive(Clone, Copy)]
pub enum Extern {
    /// A `VMFuncRef` (code, vmctx, type id).
    Func(*const u8),
    /// A `VMGlobal` slot.
    Global(*mut u8, ValType),
    /// A memory: base and definition.
    Memory(*mut u8, *mut u8, Option<u32>),
    /// A table definition.
    Table(*mut u8),
}

/// A linear memory. `repr(C)` with the `VMMemoryDefinition` first, so the
/// definition pointer compiled code and builtins see is the object.
#[repr(C)]
struct MemoryObj {
    base: u64,
    length: u64,
    max_pages: u64,
    mapping: Mapping,
}

/// A table, likewise starting with its `VMTableDefinition`.
#[repr(C)]
struct TableObj {
    base: u64,
    length: u64,
    max: Option<u32>,
    elements: Vec<u64>,
}

impl TableObj {
    fn sync(&mut self) {
        self.base = self.elements.as_mut_ptr() as u64;
        self.length = self.elements.len() as u64;
    }
}

/// Per-store context: the stack limit.
#[repr(C)]
struct StoreContext {
    stack_limit: u64,
}

/// One activation's state, shared with the signal handler.
struct Activation {
    landing: usize,
    saved_sp: Cell<u64>,
    trap: Cell<Option<TrapCode>>,
}

/// Code of a live instance: its address range and sorted trap table
/// (absolute addresses).
struct CodeRegion {
    start: usize,
    end: usize,
    traps: *const Vec<(usize, TrapCode)>,
}

thread_local! {
    static ACTIVE: Cell<*const Activation> = const { Cell::new(std::ptr::null()) };
    static REGIONS: std::cell::RefCell<Vec<CodeRegion>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An instantiated module.
pub struct Instance {
    pub module: ModuleInfo,
    offsets: VMOffsets,
    vmctx: Box<[u128]>,
    store: Box<StoreContext>,
    builtins: Box<[usize]>,
    code: Mapping,
    /// Offset of each defined function in `code`.
    func_offsets: Vec<usize>,
    /// Entry trampoline offset per module type.
    trampolines: Vec<usize>,
    landing: usize,
    import_stub: usize,
    traps: Vec<(usize, TrapCode)>,
    memories: Vec<Box<MemoryObj>>,
    tables: Vec<Box<TableObj>>,
    /// Passive data segments (empty once dropped).
    data: Vec<std::cell::RefCell<Vec<u8>>>,
    /// Element segments as raw elements (empty once dropped).
    elements: Vec<std::cell::RefCell<Vec<u64>>>,
    imported_globals: Vec<Box<[u64; 2]>>,
}

/// Compiles and instantiates `wasm`, resolving imports with `resolve`.
pub fn instantiate(
    wasm: &[u8],
    types: &mut TypeRegistry,
    resolve: &mut dyn FnMut(&str, &str) -> Option<Extern>,
) -> Result<Box<Instance>, String> {
    let translation = tern_environ::translate_module(wasm).map_err(|e| format!("invalid: {e}"))?;
    let module = translation.module;
    let offsets = VMOffsets::new(&module);
    let compiler = BaselineCompiler::new();
    let mut fc = compiler.function_compiler();
    let mut compiled = Vec::new();
    for (i, body) in translation.function_bodies.into_iter().enumerate() {
        let f = fc
            .compile(&module, &offsets, DefinedFuncIndex(i as u32), body)
            .map_err(|e| format!("compile: {e}"))?;
        compiled.push(f);
    }

    // Lay out the code: functions, trampolines, the trap landing, a stub
    // for imported functions without a host implementation.
    let mut image = Vec::new();
    let mut func_offsets = Vec::new();
    let mut traps = Vec::new();
    for f in &compiled {
        let align = f.alignment.max(16) as usize;
        image.resize(image.len().div_ceil(align) * align, 0xcc);
        func_offsets.push(image.len());
        for t in &f.traps {
            traps.push((image.len() + t.offset as usize, t.code));
        }
        image.extend_from_slice(&f.code);
    }
    let mut trampolines = Vec::new();
    let mut asm = Assembler::new();
    let landing_label = asm.new_label();
    let mut tramp_starts = Vec::new();
    for ty in &module.types {
        asm.buffer_mut().align_code(16);
        tramp_starts.push(asm.offset());
        emit_trampoline(&mut asm, ty);
    }
    asm.buffer_mut().align_code(16);
    asm.bind_label(landing_label);
    emit_landing(&mut asm);
    asm.buffer_mut().align_code(16);
    let stub_at = asm.offset();
    asm.ret();
    let landing_offset = asm.buffer().label_offset(landing_label).expect("bound");
    let finished = asm.finish().expect("labels bound");
    image.resize(image.len().div_ceil(16) * 16, 0xcc);
    let tramp_base = image.len();
    image.extend_from_slice(finished.code);
    for start in tramp_starts {
        trampolines.push(tramp_base + start as usize);
    }
    let landing = tramp_base + landing_offset as usize;
    let import_stub = tramp_base + stub_at as usize;

    let code = Mapping::new(image.len(), libc::PROT_READ | libc::PROT_WRITE);
    // SAFETY: the mapping is at least `image.len()` bytes and writable.
    unsafe { std::ptr::copy_nonoverlapping(image.as_ptr(), code.ptr, image.len()) };
    for (i, f) in compiled.iter().enumerate() {
        let start = func_offsets[i];
        // SAFETY: the function's bytes were copied to `start`.
        let bytes = unsafe { std::slice::from_raw_parts_mut(code.ptr.add(start), f.code.len()) };
        for r in &f.relocs {
            let RelocTarget::Function(n) = r.target else {
                panic!("unexpected relocation {r:?}");
            };
            let target = code.ptr as u64 + func_offsets[n as usize] as u64;
            r.apply(bytes, code.ptr as u64 + start as u64, target)
                .expect("in range");
        }
    }
    code.protect(0, code.len, libc::PROT_READ | libc::PROT_EXEC);
    traps.sort_by_key(|t| t.0);

    let words = (offsets.size() as usize).div_ceil(16);
    let mut instance = Box::new(Instance {
        module,
        offsets,
        vmctx: vec![0u128; words.max(1)].into_boxed_slice(),
        store: Box::new(StoreContext { stack_limit: 0 }),
        builtins: builtin_table(),
        code,
        func_offsets,
        trampolines,
        landing,
        import_stub,
        traps,
        memories: Vec::new(),
        tables: Vec::new(),
        data: Vec::new(),
        elements: Vec::new(),
        imported_globals: Vec::new(),
    });
    REGIONS.with(|r| {
        r.borrow_mut().push(CodeRegion {
            start: instance.code.ptr as usize,
            end: instance.code.ptr as usize + instance.code.len,
            traps: &instance.traps,
        })
    });
    if let Err(e) = instance.init(types, resolve) {
        // Segments written to imported tables before the failure keep
        // referring to this instance's functions: keep it alive.
        Box::leak(instance);
        return Err(e);
    }
    Ok(instance)
}

/// The builtin table, in `Builtin::ALL` order.
fn builtin_table() -> Box<[usize]> {
    use tern_environ::builtins::Builtin;
    Builtin::ALL
        .iter()
        .map(|b| match b {
            Builtin::MemoryGrow => memory_grow as *const () as usize,
            Builtin::MemoryCopy => memory_copy as *const () as usize,
            Builtin::MemoryFill => memory_fill as *const () as usize,
            Builtin::MemoryInit => memory_init as *const () as usize,
            Builtin::DataDrop => data_drop as *const () as usize,
            Builtin::TableGrow => table_grow as *const () as usize,
            Builtin::TableFill => table_fill as *const () as usize,
            Builtin::TableCopy => table_copy as *const () as usize,
            Builtin::TableInit => table_init as *const () as usize,
            Builtin::ElemDrop => elem_drop as *const () as usize,
        })
        .collect()
}

/// The instance owning `vmctx`.
fn instance_of<'a>(vmctx: *mut u8) -> &'a Instance {
    // SAFETY: the vmctx's INSTANCE field points to the live instance.
    unsafe { &*(*(vmctx.add(VMOffsets::INSTANCE as usize) as *const *const Instance)) }
}

fn memory_obj<'a>(vmctx: *mut u8, memory: u64) -> &'a mut MemoryObj {
    let instance = instance_of(vmctx);
    let def: u64 = instance.read(instance.offsets.memory_def_ptr(MemoryIndex(memory as u32)));
    // SAFETY: every memory definition is a live `MemoryObj`, used by one
    // thread.
    unsafe { &mut *(def as *mut MemoryObj) }
}

fn table_obj<'a>(vmctx: *mut u8, table: u64) -> &'a mut TableObj {
    let instance = instance_of(vmctx);
    let def: u64 = instance.read(instance.offsets.table_def_ptr(TableIndex(table as u32)));
    // SAFETY: every table definition is a live `TableObj`, used by one
    // thread.
    unsafe { &mut *(def as *mut TableObj) }
}

fn in_bounds(start: u64, len: u64, size: u64) -> bool {
    start.checked_add(len).is_some_and(|end| end <= size)
}

extern "C" fn memory_grow(vmctx: *mut u8, delta: u64, memory: u64) -> u64 {
    let mem = memory_obj(vmctx, memory);
    let old = mem.length / WASM_PAGE_SIZE;
    let new = old + delta;
    if new > mem.max_pages {
        return u64::from(u32::MAX);
    }
    mem.mapping.protect(
        mem.length as usize,
        (delta * WASM_PAGE_SIZE) as usize,
        libc::PROT_READ | libc::PROT_WRITE,
    );
    mem.length = new * WASM_PAGE_SIZE;
    old
}

extern "C" fn memory_copy(
    vmctx: *mut u8,
    dst_mem: u64,
    dst: u64,
    src_mem: u64,
    src: u64,
    len: u64,
) -> u64 {
    let (d, s) = (
        memory_obj(vmctx, dst_mem).base,
        memory_obj(vmctx, src_mem).base,
    );
    let (dl, sl) = (
        memory_obj(vmctx, dst_mem).length,
        memory_obj(vmctx, src_mem).length,
    );
    if !in_bounds(dst, len, dl) || !in_bounds(src, len, sl) {
        return 1;
    }
    // SAFETY: both ranges are in bounds; `copy` allows overlap.
    unsafe { std::ptr::copy((s + src) as *const u8, (d + dst) as *mut u8, len as usize) };
    0
}

extern "C" fn memory_fill(vmctx: *mut u8, memory: u64, dst: u64, value: u64, len: u64) -> u64 {
    let m = memory_obj(vmctx, memory);
    if !in_bounds(dst, len, m.length) {
        return 1;
    }
    // SAFETY: in bounds.
    unsafe { std::ptr::write_bytes((m.base + dst) as *mut u8, value as u8, len as usize) };
    0
}

extern "C" fn memory_init(
    vmctx: *mut u8,
    memory: u64,
    data: u64,
    dst: u64,
    src: u64,
    len: u64,
) -> u64 {
    let instance = instance_of(vmctx);
    let m = memory_obj(vmctx, memory);
    let segment = instance.data[data as usize].borrow();
    if !in_bounds(src, len, segment.len() as u64) || !in_bounds(dst, len, m.length) {
        return 1;
    }
    // SAFETY: in bounds.
    unsafe {
        std::ptr::copy_nonoverlapping(
            segment.as_ptr().add(src as usize),
            (m.base + dst) as *mut u8,
            len as usize,
        )
    };
    0
}

extern "C" fn data_drop(vmctx: *mut u8, data: u64) -> u64 {
    instance_of(vmctx).data[data as usize].borrow_mut().clear();
    0
}

extern "C" fn table_grow(vmctx: *mut u8, table: u64, delta: u64, init: u64) -> u64 {
    let t = table_obj(vmctx, table);
    let old = t.elements.len() as u64;
    let new = old + delta;
    if new > u64::from(t.max.unwrap_or(u32::MAX)) {
        return u64::from(u32::MAX);
    }
    t.elements.resize(new as usize, init);
    t.sync();
    old
}

extern "C" fn table_fill(vmctx: *mut u8, table: u64, dst: u64, value: u64, len: u64) -> u64 {
    let t = table_obj(vmctx, table);
    if !in_bounds(dst, len, t.length) {
        return 1;
    }
    t.elements[dst as usize..(dst + len) as usize].fill(value);
    0
}

extern "C" fn table_copy(
    vmctx: *mut u8,
    dst_table: u64,
    src_table: u64,
    dst: u64,
    src: u64,
    len: u64,
) -> u64 {
    let s: Vec<u64> = {
        let s = table_obj(vmctx, src_table);
        if !in_bounds(src, len, s.length) {
            return 1;
        }
        s.elements[src as usize..(src + len) as usize].to_vec()
    };
    let d = table_obj(vmctx, dst_table);
    if !in_bounds(dst, len, d.length) {
        return 1;
    }
    d.elements[dst as usize..(dst + len) as usize].copy_from_slice(&s);
    0
}

extern "C" fn table_init(
    vmctx: *mut u8,
    table: u64,
    elem: u64,
    dst: u64,
    src: u64,
    len: u64,
) -> u64 {
    let instance = instance_of(vmctx);
    let t = table_obj(vmctx, table);
    let segment = instance.elements[elem as usize].borrow();
    if !in_bounds(src, len, segment.len() as u64) || !in_bounds(dst, len, t.length) {
        return 1;
    }
    t.elements[dst as usize..(dst + len) as usize]
        .copy_from_slice(&segment[src as usize..(src + len) as usize]);
    0
}

extern "C" fn elem_drop(vmctx: *mut u8, elem: u64) -> u64 {
    instance_of(vmctx).elements[elem as usize]
        .borrow_mut()
        .clear();
    0
}

impl Instance {
    fn vmctx_ptr(&self) -> *mut u8 {
        self.vmctx.as_ptr() as *mut u8
    }

    fn write<T: Copy>(&self, offset: u32, value: T) {
        assert!(offset as usize + std::mem::size_of::<T>() <= self.vmctx.len() * 16);
        // SAFETY: within the vmctx allocation (checked above).
        unsafe { (self.vmctx_ptr().add(offset as usize) as *mut T).write_unaligned(value) }
    }

    fn read<T: Copy>(&self, offset: u32) -> T {
        // SAFETY: within the vmctx allocation.
        unsafe { (self.vmctx_ptr().add(offset as usize) as *const T).read_unaligned() }
    }

    fn func_ref_ptr(&self, f: FuncIndex) -> *const u8 {
        // SAFETY: within the vmctx allocation.
        unsafe { self.vmctx_ptr().add(self.offsets.func_ref(f) as usize) }
    }

    fn init(
        &mut self,
        types: &mut TypeRegistry,
        resolve: &mut dyn FnMut(&str, &str) -> Option<Extern>,
    ) -> Result<(), String> {
        let o = self.offsets.clone();
        let vmctx = self.vmctx_ptr();
        self.write(
            VMOffsets::STORE_CONTEXT,
            &*self.store as *const StoreContext as u64,
        );
        self.write(VMOffsets::BUILTINS, self.builtins.as_ptr() as u64);
        self.write(VMOffsets::INSTANCE, self as *const Instance as u64);
        let type_ids: Vec<u32> = self.module.types.iter().map(|t| types.id(t)).collect();
        for (i, id) in type_ids.iter().enumerate() {
            self.write(o.type_id(TypeIndex(i as u32)), *id);
        }
        // Imports.
        let (mut f, mut g, mut m, mut t) = (0u32, 0u32, 0u32, 0u32);
        for import in self.module.imports.clone() {
            let ext = resolve(&import.module, &import.name);
            match (import.ty, ext) {
                (EntityType::Function(ty), Some(Extern::Func(fr))) => {
                    // SAFETY: `fr` points to a live VMFuncRef.
                    let (code, ctx, id) = unsafe {
                        (
                            *(fr as *const u64),
                            *(fr.add(8) as *const u64),
                            *(fr.add(func_ref::TYPE_ID as usize) as *const u32),
                        )
                    };
                    if id != type_ids[ty.index()] {
                        return Err("unlinkable: function type mismatch".into());
                    }
                    let base = o.func_ref(FuncIndex(f));
                    self.write(base + func_ref::WASM_CALL, code);
                    self.write(base + func_ref::VMCTX, ctx);
                    self.write(base + func_ref::TYPE_ID, id);
                    f += 1;
                }
                (EntityType::Function(ty), None) if import.module == "spectest" => {
                    let base = o.func_ref(FuncIndex(f));
                    self.write(
                        base + func_ref::WASM_CALL,
                        self.code.ptr as u64 + self.import_stub as u64,
                    );
                    self.write(base + func_ref::VMCTX, vmctx as u64);
                    self.write(base + func_ref::TYPE_ID, type_ids[ty.index()]);
                    f += 1;
                }
                (EntityType::Global(ty), Some(Extern::Global(ptr, vt))) => {
                    if vt != ty.content {
                        return Err("unlinkable: global type mismatch".into());
                    }
                    self.write(o.imported_global_ptr(GlobalIndex(g)), ptr as u64);
                    g += 1;
                }
                (EntityType::Global(ty), None) if import.module == "spectest" => {
                    let bits: u64 = match ty.content {
                        ValType::I32 | ValType::I64 => 666,
                        ValType::F32 => 666.6f32.to_bits().into(),
                        ValType::F64 => 666.6f64.to_bits(),
                        _ => 0,
                    };
                    let slot = Box::new([bits, 0]);
                    self.write(o.imported_global_ptr(GlobalIndex(g)), slot.as_ptr() as u64);
                    self.imported_globals.push(slot);
                    g += 1;
                }
                (EntityType::Memory(_), Some(Extern::Memory(base, def, _))) => {
                    self.write(o.memory_base(MemoryIndex(m)), base as u64);
                    self.write(o.memory_def_ptr(MemoryIndex(m)), def as u64);
                    m += 1;
                }
                (EntityType::Memory(_), None) if import.module == "spectest" => {
                    self.create_memory(m, 1, Some(2));
                    m += 1;
                }
                (EntityType::Table(_), Some(Extern::Table(def))) => {
                    self.write(o.table_def_ptr(TableIndex(t)), def as u64);
                    t += 1;
                }
                (EntityType::Table(_), None) if import.module == "spectest" => {
                    self.create_table(t, 10, Some(20));
                    t += 1;
                }
                _ => {
                    return Err(format!(
                        "unlinkable: unknown import {}::{}",
                        import.module, import.name
                    ));
                }
            }
        }
        // Defined functions.
        for (i, offset) in self.func_offsets.clone().into_iter().enumerate() {
            let func = FuncIndex(self.module.num_imported_funcs + i as u32);
            let base = o.func_ref(func);
            let ty = self.module.functions[func.index()];
            self.write(
                base + func_ref::WASM_CALL,
                self.code.ptr as u64 + offset as u64,
            );
            self.write(base + func_ref::VMCTX, vmctx as u64);
            self.write(base + func_ref::TYPE_ID, type_ids[ty.index()]);
        }
        // Defined memories and tables.
        for (i, mem) in self
            .module
            .memories
            .clone()
            .into_iter()
            .enumerate()
            .skip(m as usize)
        {
            self.create_memory(i as u32, mem.minimum, mem.maximum);
        }
        for (i, table) in self
            .module
            .tables
            .clone()
            .into_iter()
            .enumerate()
            .skip(t as usize)
        {
            self.create_table(i as u32, table.minimum, table.maximum);
        }
        // Defined globals.
        for (n, init) in self.module.global_inits.clone().iter().enumerate() {
            let value = self.eval(init);
            self.write(o.defined_global(n as u32), value);
        }
        // Element segments, then data segments (the spec's order); active
        // and declared segments are dropped once applied.
        let module = self.module.clone();
        for segment in &module.elements {
            let items: Vec<u64> = match &segment.items {
                ElementItems::Functions(fs) => {
                    fs.iter().map(|f| self.func_ref_ptr(*f) as u64).collect()
                }
                ElementItems::Expressions(es) => es.iter().map(|e| self.eval(e)).collect(),
            };
            let kept = if matches!(segment.mode, ElementMode::Passive) {
                items
            } else {
                Vec::new()
            };
            self.elements.push(std::cell::RefCell::new(kept));
        }
        for segment in &module.data {
            let kept = match segment.mode {
                DataMode::Passive => segment.bytes.to_vec(),
                DataMode::Active { .. } => Vec::new(),
            };
            self.data.push(std::cell::RefCell::new(kept));
        }
        for segment in self.module.elements.clone() {
            if let ElementMode::Active { table, offset } = &segment.mode {
                let start = self.eval(offset) as u32 as usize;
                let items: Vec<u64> = match &segment.items {
                    ElementItems::Functions(fs) => {
                        fs.iter().map(|f| self.func_ref_ptr(*f) as u64).collect()
                    }
                    ElementItems::Expressions(es) => es.iter().map(|e| self.eval(e)).collect(),
                };
                let def: u64 = self.read(o.table_def_ptr(*table));
                // SAFETY: the definition pointer refers to a live table.
                let (base, len) = unsafe { (*(def as *const u64), *((def + 8) as *const u64)) };
                if start + items.len() > len as usize {
                    return Err("uninstantiable: out of bounds table access".into());
                }
                for (k, item) in items.into_iter().enumerate() {
                    // SAFETY: bounds checked above.
                    unsafe { *((base as *mut u64).add(start + k)) = item };
                }
            }
        }
        for segment in self.module.data.clone() {
            if let DataMode::Active { memory, offset } = &segment.mode {
                let start = self.eval(offset) as u32 as usize;
                let base: u64 = self.read(o.memory_base(*memory));
                let def: u64 = self.read(o.memory_def_ptr(*memory));
                // SAFETY: the definition pointer refers to a live memory.
                let len = unsafe { *((def + memory_definition::LENGTH as u64) as *const u64) };
                if start + segment.bytes.len() > len as usize {
                    return Err("uninstantiable: out of bounds memory access".into());
                }
                // SAFETY: bounds checked above; the range is accessible.
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        segment.bytes.as_ptr(),
                        (base as *mut u8).add(start),
                        segment.bytes.len(),
                    )
                };
            }
        }
        if let Some(start) = self.module.start {
            self.call(start, &[])
                .map_err(|t| format!("uninstantiable: start trapped: {}", t.0))?;
        }
        Ok(())
    }

    fn create_memory(&mut self, index: u32, minimum: u32, maximum: Option<u32>) {
        let mapping = Mapping::new(8 << 30, libc::PROT_NONE);
        mapping.protect(
            0,
            minimum as usize * WASM_PAGE_SIZE as usize,
            libc::PROT_READ | libc::PROT_WRITE,
        );
        let memory = Box::new(MemoryObj {
            base: mapping.ptr as u64,
            length: u64::from(minimum) * WASM_PAGE_SIZE,
            max_pages: u64::from(maximum.unwrap_or(65536)),
            mapping,
        });
        self.write(self.offsets.memory_base(MemoryIndex(index)), memory.base);
        self.write(
            self.offsets.memory_def_ptr(MemoryIndex(index)),
            &*memory as *const MemoryObj as u64,
        );
        self.memories.push(memory);
    }

    fn create_table(&mut self, index: u32, minimum: u32, maximum: Option<u32>) {
        let mut table = Box::new(TableObj {
            base: 0,
            length: 0,
            max: maximum,
            elements: vec![0; minimum as usize],
        });
        table.sync();
        self.write(
            self.offsets.table_def_ptr(TableIndex(index)),
            &*table as *const TableObj as u64,
        );
        self.tables.push(table);
    }

    fn eval(&self, expr: &ConstExpr) -> u64 {
        let mut stack: Vec<u64> = Vec::new();
        for op in expr.ops.iter() {
            let v = match *op {
                ConstOp::I32Const(v) => v as u32 as u64,
                ConstOp::I64Const(v) => v as u64,
                ConstOp::F32Const(b) => b.into(),
                ConstOp::F64Const(b) => b,
                ConstOp::RefNull(_) => 0,
                ConstOp::RefFunc(f) => self.func_ref_ptr(f) as u64,
                ConstOp::GlobalGet(g) => self.global_bits(g),
                ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                    let b = stack.pop().unwrap() as u32;
                    let a = stack.pop().unwrap() as u32;
                    (match op {
                        ConstOp::I32Add => a.wrapping_add(b),
                        ConstOp::I32Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    }) as u64
                }
                ConstOp::I64Add | ConstOp::I64Sub | ConstOp::I64Mul => {
                    let b = stack.pop().unwrap();
                    let a = stack.pop().unwrap();
                    match op {
                        ConstOp::I64Add => a.wrapping_add(b),
                        ConstOp::I64Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    }
                }
            };
            stack.push(v);
        }
        stack.pop().unwrap_or(0)
    }

    fn global_ptr(&self, g: GlobalIndex) -> *mut u8 {
        if self.module.is_imported_global(g) {
            self.read::<u64>(self.offsets.imported_global_ptr(g)) as *mut u8
        } else {
            let n = g.0 - self.module.num_imported_globals;
            // SAFETY: within the vmctx.
            unsafe {
                self.vmctx_ptr()
                    .add(self.offsets.defined_global(n) as usize)
            }
        }
    }

    /// The raw bits of global `g`.
    pub fn global_bits(&self, g: GlobalIndex) -> u64 {
        let ty = self.module.globals[g.index()].content;
        let ptr = self.global_ptr(g);
        // SAFETY: the slot is 16 bytes.
        unsafe {
            match ty.bytes() {
                4 => u64::from(*(ptr as *const u32)),
                _ => *(ptr as *const u64),
            }
        }
    }

    /// The extern an export refers to.
    pub fn export(&self, name: &str) -> Option<Extern> {
        Some(match self.module.export(name)? {
            EntityIndex::Function(f) => Extern::Func(self.func_ref_ptr(f)),
            EntityIndex::Global(g) => {
                Extern::Global(self.global_ptr(g), self.module.globals[g.index()].content)
            }
            EntityIndex::Memory(m) => {
                let base: u64 = self.read(self.offsets.memory_base(m));
                let def: u64 = self.read(self.offsets.memory_def_ptr(m));
                Extern::Memory(base as *mut u8, def as *mut u8, None)
            }
            EntityIndex::Table(t) => {
                Extern::Table(self.read::<u64>(self.offsets.table_def_ptr(t)) as *mut u8)
            }
        })
    }

    /// Calls function `func` (of this module's index space).
    pub fn call(&self, func: FuncIndex, args: &[u64]) -> Result<Vec<u64>, Trap> {
        let fr = self.func_ref_ptr(func);
        let ty_index = self.module.functions[func.index()];
        // SAFETY: `fr` is this instance's VMFuncRef for `func`.
        let (code, ctx) = unsafe { (*(fr as *const u64), *(fr.add(8) as *const u64)) };
        let ty = &self.module.types[ty_index.index()];
        assert_eq!(args.len(), ty.params.len(), "argument count");
        let mut results = vec![0u64; ty.results.len().max(1)];
        let activation = Activation {
            landing: self.code.ptr as usize + self.landing,
            saved_sp: Cell::new(0),
            trap: Cell::new(None),
        };
        install_signal_handlers();
        let marker = 0u8;
        let sp = &marker as *const u8 as u64;
        // SAFETY: the store context is owned by this instance.
        unsafe {
            (*(&*self.store as *const StoreContext as *mut StoreContext)).stack_limit =
                sp - (1 << 20)
        };
        let previous = ACTIVE.with(|a| a.replace(&activation));
        let tramp = self.code.ptr as usize + self.trampolines[ty_index.index()];
        // SAFETY: the trampoline follows the C ABI with this signature and
        // calls `code` with Tern's ABI; `args` and `results` are large
        // enough for the signature.
        let trapped = unsafe {
            let f: extern "C" fn(u64, u64, *const u64, *mut u64, *const Cell<u64>) -> u64 =
                std::mem::transmute(tramp);
            f(
                ctx,
                code,
                args.as_ptr(),
                results.as_mut_ptr(),
                &activation.saved_sp,
            )
        };
        ACTIVE.with(|a| a.set(previous));
        if trapped != 0 {
            return Err(Trap(
                activation.trap.get().expect("a trap code was recorded"),
            ));
        }
        results.truncate(ty.results.len());
        Ok(results)
    }

    /// Calls the exported function `name`.
    pub fn invoke(&self, name: &str, args: &[u64]) -> Result<Vec<u64>, Trap> {
        match self.module.export(name) {
            Some(EntityIndex::Function(f)) => self.call(f, args),
            other => panic!("no exported function {name}: {other:?}"),
        }
    }

    /// Reads memory 0.
    pub fn memory(&self) -> &[u8] {
        let base: u64 = self.read(self.offsets.memory_base(MemoryIndex(0)));
        let def: u64 = self.read(self.offsets.memory_def_ptr(MemoryIndex(0)));
        // SAFETY: the first `length` bytes are accessible.
        unsafe {
            std::slice::from_raw_parts(base as *const u8, *((def + 8) as *const u64) as usize)
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let start = self.code.ptr as usize;
        REGIONS.with(|r| r.borrow_mut().retain(|region| region.start != start));
    }
}

/// Emits an entry trampoline for `ty`:
/// `extern "C" fn(vmctx, code, args: *const u64, results: *mut u64, saved_sp: *mut u64) -> u64`
/// returning 0, or 1 (through the landing pad) after a trap.
fn emit_trampoline(asm: &mut Assembler, ty: &FuncType) {
    let locs = SigLocations::new(ty);
    asm.push(regs::RBP);
    asm.mov_rm(Size::S64, regs::RBP, regs::RSP);
    for r in [regs::RBX, regs::R12, regs::R13, regs::R14, regs::R15] {
        asm.push(r);
    }
    asm.sub(Size::S64, regs::RSP, RegMemImm::Imm(8));
    asm.mov_mr(Size::S64, Amode::base_disp(regs::R8, 0), regs::RSP);
    asm.mov_rm(Size::S64, regs::R12, regs::RDX);
    asm.mov_rm(Size::S64, regs::R13, regs::RCX);
    asm.mov_rm(Size::S64, regs::RBX, regs::RSI);
    let out = locs.stack_args_size + locs.ret_area_size.div_ceil(16) * 16;
    if out > 0 {
        asm.sub(Size::S64, regs::RSP, RegMemImm::Imm(out as i32));
    }
    for (i, (loc, pty)) in locs.params.iter().zip(ty.params.iter()).enumerate() {
        let arg = Amode::base_disp(regs::R12, 8 * i as i32);
        match loc {
            ArgLoc::Stack(off) => {
                asm.mov_rm(Size::S64, regs::R11, arg);
                asm.mov_mr(
                    Size::S64,
                    Amode::base_disp(regs::RSP, *off as i32),
                    regs::R11,
                );
            }
            ArgLoc::Reg(r) => match pty {
                ValType::F32 => asm.movss(*r, arg),
                ValType::F64 => asm.movsd(*r, arg),
                ValType::I32 => asm.mov_rm(Size::S32, *r, arg),
                _ => asm.mov_rm(Size::S64, *r, arg),
            },
            ArgLoc::RetArea(_) => unreachable!(),
        }
    }
    match locs.ret_area_ptr {
        Some(ArgLoc::Reg(r)) => asm.lea(
            Size::S64,
            r,
            Amode::base_disp(regs::RSP, locs.stack_args_size as i32),
        ),
        Some(ArgLoc::Stack(off)) => {
            asm.lea(
                Size::S64,
                regs::R11,
                Amode::base_disp(regs::RSP, locs.stack_args_size as i32),
            );
            asm.mov_mr(
                Size::S64,
                Amode::base_disp(regs::RSP, off as i32),
                regs::R11,
            );
        }
        _ => {}
    }
    asm.call_ind(regs::RBX);
    for (i, (loc, rty)) in locs.results.iter().zip(ty.results.iter()).enumerate() {
        let dst = Amode::base_disp(regs::R13, 8 * i as i32);
        match loc {
            ArgLoc::Reg(r) => match rty {
                ValType::F32 => asm.movss_store(dst, *r),
                ValType::F64 => asm.movsd_store(dst, *r),
                ValType::I32 => {
                    asm.mov_rm(Size::S32, regs::RAX, regs::RAX);
                    asm.mov_mr(Size::S64, dst, regs::RAX);
                }
                _ => asm.mov_mr(Size::S64, dst, *r),
            },
            ArgLoc::RetArea(off) => {
                let src = Amode::base_disp(regs::RSP, (locs.stack_args_size + off) as i32);
                match rty {
                    ValType::I32 | ValType::F32 => asm.mov_rm(Size::S32, regs::R11, src),
                    _ => asm.mov_rm(Size::S64, regs::R11, src),
                }
                asm.mov_mr(Size::S64, dst, regs::R11);
            }
            ArgLoc::Stack(_) => unreachable!(),
        }
    }
    if out > 0 {
        asm.add(Size::S64, regs::RSP, RegMemImm::Imm(out as i32));
    }
    asm.xor(Size::S32, regs::RAX, regs::RAX);
    emit_epilogue(asm);
}

fn emit_epilogue(asm: &mut Assembler) {
    asm.add(Size::S64, regs::RSP, RegMemImm::Imm(8));
    for r in [regs::R15, regs::R14, regs::R13, regs::R12, regs::RBX] {
        asm.pop(r);
    }
    asm.pop(regs::RBP);
    asm.ret();
}

/// Where the signal handler resumes after a trap: `rsp` is the value the
/// trampoline saved after its pushes.
fn emit_landing(asm: &mut Assembler) {
    asm.mov_ri(Size::S32, regs::RAX, 1);
    emit_epilogue(asm);
}

fn install_signal_handlers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for sig in [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE] {
            // SAFETY: installing a handler with a zeroed, then filled sigaction.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handler as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
        }
    });
}

extern "C" fn handler(sig: libc::c_int, _info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let active = ACTIVE.with(|a| a.get());
    // SAFETY: the kernel passes a valid ucontext; `active` is the current
    // thread's live activation when non-null.
    unsafe {
        let uc = &mut *(ctx as *mut libc::ucontext_t);
        let rip = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
        let code = REGIONS.with(|regions| {
            let regions = regions.try_borrow().ok()?;
            let region = regions.iter().find(|r| (r.start..r.end).contains(&rip))?;
            let traps = &*region.traps;
            let i = traps
                .binary_search_by_key(&(rip - region.start), |t| t.0)
                .ok()?;
            Some(traps[i].1)
        });
        if let (false, Some(code)) = (active.is_null(), code) {
            let act = &*active;
            act.trap.set(Some(code));
            uc.uc_mcontext.gregs[libc::REG_RIP as usize] = act.landing as i64;
            uc.uc_mcontext.gregs[libc::REG_RSP as usize] = act.saved_sp.get() as i64;
            return;
        }
        // Not a trap of generated code: take the default action.
        libc::signal(sig, libc::SIG_DFL);
    }
}

/// Compiles `wat` and instantiates it with the spectest imports.
pub fn instance(wat: &str) -> Box<Instance> {
    let wasm = wat::parse_str(wat).expect("test module parses");
    let mut types = TypeRegistry::default();
    instantiate(&wasm, &mut types, &mut |_, _| None).unwrap_or_else(|e| panic!("{e}"))
}

/// Registered instances by name, for linking.
pub type Registry = HashMap<String, usize>;
