//! The layout of `VMContext`, the per-instance block of memory that
//! compiled code reaches through its first argument (`rdi` on entry).
//!
//! Both compilers address everything an instance owns through fixed
//! offsets from the vmctx pointer, computed here from the module alone so
//! that code can be compiled before any instance exists (and stored ahead
//! of time). The runtime allocates a block of [`VMOffsets::size`] bytes and
//! fills it at instantiation; its address never changes while the
//! instance lives, so pointers into it (exported globals, function
//! references) stay valid.
//!
//! ```text
//! offset                        field
//! 0                             *const VMStoreContext  (per store: stack limit, …)
//! 8                             *const [builtin fn ptr] (runtime helpers, see builtins.rs)
//! 16                            *mut Instance          (runtime back-pointer, opaque)
//! type_ids                      [u32; types]           engine-wide signature ids
//! memory_bases                  [*mut u8; memories]    base of every memory (never moves)
//! memory_defs                   [*mut VMMemoryDefinition; memories]
//! table_defs                    [*mut VMTableDefinition; tables]
//! imported_globals              [*mut VMGlobal; imported globals]
//! defined_globals               [VMGlobal (16 bytes); defined globals]
//! func_refs                     [VMFuncRef; functions]
//! ```
//!
//! Decisions worth knowing:
//! - A 32-bit memory reserves its whole 4 GiB range up front, so its base
//!   address is fixed for its lifetime. Every memory's base is therefore
//!   copied into `memory_bases` at instantiation, imported or not, and a
//!   load needs one load of the base, never a pointer chase.
//! - The current length (for `memory.size` and explicit bounds checks) and
//!   tables (whose element storage moves when they grow) are reached
//!   through a pointer to the definition, which the memory or table object
//!   owns (boxed, in the store), uniformly for imported and defined ones.
//! - Defined globals live inline (one load); imported ones through a
//!   pointer to the exporting instance's slot.
//! - Every function, imported or defined, has a `VMFuncRef` here: it is
//!   what `ref.func` and table elements point to, and calls to imported
//!   functions go through it (code pointer + callee vmctx).

use crate::module::ModuleInfo;
use crate::types::*;

/// Size of a pointer on the target.
pub const PTR: u32 = 8;

/// Offsets inside the per-store `VMStoreContext` that compiled code reads.
pub mod store_context {
    /// The lowest address the stack pointer may reach (minus a red zone
    /// large enough for any small frame); prologues compare against it.
    pub const STACK_LIMIT: u32 = 0;
    /// Size of the structure.
    pub const SIZE: u32 = 8;
}

/// Layout of `VMMemoryDefinition`.
pub mod memory_definition {
    /// `*mut u8`: the base of the memory.
    pub const BASE: u32 = 0;
    /// `u64`: the accessible length in bytes.
    pub const LENGTH: u32 = 8;
    pub const SIZE: u32 = 16;
}

/// Layout of `VMTableDefinition`. Elements are pointer-sized: a funcref is
/// a `*const VMFuncRef` (null for `ref.null func`), an externref an opaque
/// non-zero handle (zero for null).
pub mod table_definition {
    /// `*mut usize`: the element storage (moves when the table grows).
    pub const BASE: u32 = 0;
    /// `u64`: the current number of elements.
    pub const LENGTH: u32 = 8;
    pub const SIZE: u32 = 16;
}

/// Layout of `VMFuncRef`.
pub mod func_ref {
    /// `*const u8`: entry point following Tern's ABI.
    pub const WASM_CALL: u32 = 0;
    /// `*mut VMContext`: the vmctx to pass to it.
    pub const VMCTX: u32 = 8;
    /// `u32`: the engine-wide id of its signature.
    pub const TYPE_ID: u32 = 16;
    pub const SIZE: u32 = 24;
}

/// Size of a global's slot (16 so that v128 globals fit later).
pub const GLOBAL_SIZE: u32 = 16;

/// The computed layout of one module's `VMContext`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VMOffsets {
    pub num_types: u32,
    pub num_memories: u32,
    pub num_tables: u32,
    pub num_imported_globals: u32,
    pub num_defined_globals: u32,
    pub num_funcs: u32,
    type_ids: u32,
    memory_bases: u32,
    memory_defs: u32,
    table_defs: u32,
    imported_globals: u32,
    defined_globals: u32,
    func_refs: u32,
    size: u32,
}

fn align(offset: u32, to: u32) -> u32 {
    offset.div_ceil(to) * to
}

impl VMOffsets {
    /// `*const VMStoreContext`.
    pub const STORE_CONTEXT: u32 = 0;
    /// `*const [usize]`: the builtin function table.
    pub const BUILTINS: u32 = 8;
    /// `*mut Instance`, owned by the runtime.
    pub const INSTANCE: u32 = 16;
    const HEADER: u32 = 24;

    pub fn new(module: &ModuleInfo) -> VMOffsets {
        let num_types = module.types.len() as u32;
        let num_memories = module.memories.len() as u32;
        let num_tables = module.tables.len() as u32;
        let num_imported_globals = module.num_imported_globals;
        let num_defined_globals = module.num_defined_globals();
        let num_funcs = module.functions.len() as u32;

        let type_ids = Self::HEADER;
        let memory_bases = align(type_ids + 4 * num_types, PTR);
        let memory_defs = memory_bases + PTR * num_memories;
        let table_defs = memory_defs + PTR * num_memories;
        let imported_globals = table_defs + PTR * num_tables;
        let defined_globals = align(imported_globals + PTR * num_imported_globals, GLOBAL_SIZE);
        let func_refs = defined_globals + GLOBAL_SIZE * num_defined_globals;
        let size = align(func_refs + func_ref::SIZE * num_funcs, 16);
        VMOffsets {
            num_types,
            num_memories,
            num_tables,
            num_imported_globals,
            num_defined_globals,
            num_funcs,
            type_ids,
            memory_bases,
            memory_defs,
            table_defs,
            imported_globals,
            defined_globals,
            func_refs,
            size,
        }
    }

    /// Total size of the `VMContext` in bytes.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// The `u32` engine-wide id of module type `ty`.
    pub fn type_id(&self, ty: TypeIndex) -> u32 {
        debug_assert!(ty.0 < self.num_types);
        self.type_ids + 4 * ty.0
    }

    /// The `*mut u8` base address of memory `mem`.
    pub fn memory_base(&self, mem: MemoryIndex) -> u32 {
        debug_assert!(mem.0 < self.num_memories);
        self.memory_bases + PTR * mem.0
    }

    /// The `*mut VMMemoryDefinition` of memory `mem`.
    pub fn memory_def_ptr(&self, mem: MemoryIndex) -> u32 {
        debug_assert!(mem.0 < self.num_memories);
        self.memory_defs + PTR * mem.0
    }

    /// The `*mut VMTableDefinition` of table `table`.
    pub fn table_def_ptr(&self, table: TableIndex) -> u32 {
        debug_assert!(table.0 < self.num_tables);
        self.table_defs + PTR * table.0
    }

    /// The `*mut VMGlobal` of imported global `global` (an index below the
    /// number of imported globals).
    pub fn imported_global_ptr(&self, global: GlobalIndex) -> u32 {
        debug_assert!(global.0 < self.num_imported_globals);
        self.imported_globals + PTR * global.0
    }

    /// The inline value slot of the `n`th defined global.
    pub fn defined_global(&self, n: u32) -> u32 {
        debug_assert!(n < self.num_defined_globals);
        self.defined_globals + GLOBAL_SIZE * n
    }

    /// The `VMFuncRef` of function `func`.
    pub fn func_ref(&self, func: FuncIndex) -> u32 {
        debug_assert!(func.0 < self.num_funcs);
        self.func_refs + func_ref::SIZE * func.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::ModuleInfo;

    #[test]
    fn fields_do_not_overlap_and_are_aligned() {
        let memory = MemoryType {
            minimum: 0,
            maximum: None,
        };
        let table = TableType {
            element: ValType::FuncRef,
            minimum: 0,
            maximum: None,
        };
        let global = GlobalType {
            content: ValType::I64,
            mutable: true,
        };
        let module = ModuleInfo {
            types: vec![FuncType::default(); 3],
            memories: vec![memory; 2],
            num_imported_memories: 1,
            tables: vec![table; 2],
            num_imported_tables: 1,
            globals: vec![global; 3],
            num_imported_globals: 1,
            functions: vec![TypeIndex(0); 5],
            num_imported_funcs: 2,
            ..ModuleInfo::default()
        };
        let o = VMOffsets::new(&module);

        // Every field as (start, size); sorted, each must end before the
        // next begins, and the last must fit in the total size.
        let mut fields = vec![(0, 24)];
        fields.extend((0..3).map(|i| (o.type_id(TypeIndex(i)), 4)));
        fields.extend((0..2).map(|i| (o.memory_base(MemoryIndex(i)), 8)));
        fields.extend((0..2).map(|i| (o.memory_def_ptr(MemoryIndex(i)), 8)));
        fields.extend((0..2).map(|i| (o.table_def_ptr(TableIndex(i)), 8)));
        fields.push((o.imported_global_ptr(GlobalIndex(0)), 8));
        fields.extend((0..2).map(|i| (o.defined_global(i), 16)));
        fields.extend((0..5).map(|i| (o.func_ref(FuncIndex(i)), 24)));
        fields.sort();
        for pair in fields.windows(2) {
            assert!(pair[0].0 + pair[0].1 <= pair[1].0, "{pair:?} overlap");
        }
        let last = fields.last().unwrap();
        assert!(last.0 + last.1 <= o.size());
        for i in 0..2 {
            assert_eq!(o.defined_global(i) % 16, 0);
            assert_eq!(o.memory_base(MemoryIndex(i)) % 8, 0);
        }
        assert_eq!(o.func_ref(FuncIndex(0)) % 8, 0);
    }
}
