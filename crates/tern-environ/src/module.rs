//! `ModuleInfo`: everything about a module except its function bodies.
//!
//! This is what compilers consult (signatures, how many functions are
//! imported, the VMContext layout derived from it) and what the runtime
//! instantiates from (imports to resolve, segments to apply, exports).
//! Index spaces follow the spec: imports come first in every space, so
//! "defined" indices (the module's own entities) are offsets past them.

use crate::types::*;
use std::collections::HashMap;

/// A module's static description.
#[derive(Debug, Default, Clone)]
pub struct ModuleInfo {
    /// The type section.
    pub types: Vec<FuncType>,
    /// Imports in declaration order.
    pub imports: Vec<Import>,
    /// The signature of every function, imported ones first.
    pub functions: Vec<TypeIndex>,
    pub num_imported_funcs: u32,
    /// Every table, imported ones first.
    pub tables: Vec<TableType>,
    pub num_imported_tables: u32,
    /// Every memory, imported ones first.
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    /// Every global, imported ones first.
    pub globals: Vec<GlobalType>,
    pub num_imported_globals: u32,
    /// Initializers of the defined globals, indexed by defined global.
    pub global_inits: Vec<ConstExpr>,
    pub exports: Vec<Export>,
    pub start: Option<FuncIndex>,
    pub elements: Vec<ElementSegment>,
    pub data: Vec<DataSegment>,
    /// Functions that may be referenced as values (`ref.func`, element
    /// segments, exports): validation requires them to be declared.
    pub escaped_funcs: Vec<FuncIndex>,
    /// The module's name from the name section, if any.
    pub name: Option<String>,
    /// Function names from the name section.
    pub func_names: HashMap<FuncIndex, String>,
}

impl ModuleInfo {
    pub fn func_type(&self, func: FuncIndex) -> &FuncType {
        &self.types[self.functions[func.index()].index()]
    }

    pub fn num_defined_funcs(&self) -> u32 {
        self.functions.len() as u32 - self.num_imported_funcs
    }

    pub fn num_defined_globals(&self) -> u32 {
        self.globals.len() as u32 - self.num_imported_globals
    }

    pub fn num_defined_tables(&self) -> u32 {
        self.tables.len() as u32 - self.num_imported_tables
    }

    pub fn num_defined_memories(&self) -> u32 {
        self.memories.len() as u32 - self.num_imported_memories
    }

    /// The module-wide index of a defined function.
    pub fn func_index(&self, defined: DefinedFuncIndex) -> FuncIndex {
        FuncIndex(self.num_imported_funcs + defined.0)
    }

    /// The defined index of a function, or `None` if it is imported.
    pub fn defined_func_index(&self, func: FuncIndex) -> Option<DefinedFuncIndex> {
        func.0
            .checked_sub(self.num_imported_funcs)
            .map(DefinedFuncIndex)
    }

    pub fn is_imported_global(&self, global: GlobalIndex) -> bool {
        global.0 < self.num_imported_globals
    }

    pub fn is_imported_memory(&self, memory: MemoryIndex) -> bool {
        memory.0 < self.num_imported_memories
    }

    pub fn is_imported_table(&self, table: TableIndex) -> bool {
        table.0 < self.num_imported_tables
    }

    /// A name for a function fit for messages: its name-section name if it
    /// has one, else its index.
    pub fn func_display_name(&self, func: FuncIndex) -> String {
        match self.func_names.get(&func) {
            Some(name) => name.clone(),
            None => format!("<wasm function {}>", func.0),
        }
    }

    /// Looks an export up by name.
    pub fn export(&self, name: &str) -> Option<EntityIndex> {
        self.exports
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.entity)
    }
}

/// An import: where it comes from and what it must be.
#[derive(Debug, Clone)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub ty: EntityType,
}

/// The type of an importable entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityType {
    Function(TypeIndex),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
}

/// An entity in one of the module's index spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityIndex {
    Function(FuncIndex),
    Table(TableIndex),
    Memory(MemoryIndex),
    Global(GlobalIndex),
}

/// An export.
#[derive(Debug, Clone)]
pub struct Export {
    pub name: String,
    pub entity: EntityIndex,
}

/// A constant expression (global initializers, segment offsets, element
/// items), kept as a short stack program the runtime evaluates at
/// instantiation.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstExpr {
    pub ops: Box<[ConstOp]>,
}

/// One operator of a constant expression (WebAssembly 2.0 plus the
/// extended-const proposal's integer arithmetic).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ConstOp {
    I32Const(i32),
    I64Const(i64),
    /// The bits of an f32.
    F32Const(u32),
    /// The bits of an f64.
    F64Const(u64),
    GlobalGet(GlobalIndex),
    RefNull(ValType),
    RefFunc(FuncIndex),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

/// An element segment.
#[derive(Debug, Clone)]
pub struct ElementSegment {
    pub mode: ElementMode,
    pub element_type: ValType,
    pub items: ElementItems,
}

#[derive(Debug, Clone)]
pub enum ElementMode {
    Passive,
    Declared,
    Active {
        table: TableIndex,
        offset: ConstExpr,
    },
}

/// The items of an element segment: plain function indices (the common,
/// compact form) or general constant expressions.
#[derive(Debug, Clone)]
pub enum ElementItems {
    Functions(Box<[FuncIndex]>),
    Expressions(Box<[ConstExpr]>),
}

impl ElementItems {
    pub fn len(&self) -> usize {
        match self {
            ElementItems::Functions(f) => f.len(),
            ElementItems::Expressions(e) => e.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A data segment, with its bytes copied out of the module binary so the
/// module does not borrow its input.
#[derive(Debug, Clone)]
pub struct DataSegment {
    pub mode: DataMode,
    pub bytes: Box<[u8]>,
}

#[derive(Debug, Clone)]
pub enum DataMode {
    Passive,
    Active {
        memory: MemoryIndex,
        offset: ConstExpr,
    },
}
