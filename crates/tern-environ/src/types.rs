//! Wasm-level types as the rest of Tern sees them.
//!
//! wasmparser's types cover every proposal; Tern's compilers and runtime
//! only ever see the subset that [`crate::supported_features`] admits, so
//! translation converts once, at the boundary, into these small `Copy`
//! types and nothing downstream has to handle impossible cases.

use std::fmt;

/// A WebAssembly value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    /// A nullable reference to a function.
    FuncRef,
    /// A nullable opaque host reference.
    ExternRef,
}

impl ValType {
    /// Whether values of this type live in integer registers (references
    /// are pointers, so they do).
    pub fn is_int_class(self) -> bool {
        !matches!(self, ValType::F32 | ValType::F64)
    }

    /// Size in bytes of the value in memory and in stack slots.
    pub fn bytes(self) -> u32 {
        match self {
            ValType::I32 | ValType::F32 => 4,
            ValType::I64 | ValType::F64 | ValType::FuncRef | ValType::ExternRef => 8,
        }
    }

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef)
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
    }
}

/// Converts a validated wasmparser value type. Validation with
/// [`crate::supported_features`] guarantees every type is one Tern knows;
/// anything else is reported as unsupported rather than trusted.
pub fn convert_val_type(ty: wasmparser::ValType) -> Result<ValType, String> {
    use wasmparser::ValType as W;
    Ok(match ty {
        W::I32 => ValType::I32,
        W::I64 => ValType::I64,
        W::F32 => ValType::F32,
        W::F64 => ValType::F64,
        W::Ref(r) => convert_ref_type(r)?,
        W::V128 => return Err("v128 values (the SIMD proposal)".into()),
    })
}

/// Converts a reference type; only the nullable `funcref` and `externref`
/// of WebAssembly 2.0 are supported.
pub fn convert_ref_type(r: wasmparser::RefType) -> Result<ValType, String> {
    if r == wasmparser::RefType::FUNCREF {
        Ok(ValType::FuncRef)
    } else if r == wasmparser::RefType::EXTERNREF {
        Ok(ValType::ExternRef)
    } else {
        Err(format!(
            "reference type {r} (function-references or GC proposal)"
        ))
    }
}

/// A function signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    pub params: Box<[ValType]>,
    pub results: Box<[ValType]>,
}

impl FuncType {
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> FuncType {
        FuncType {
            params: params.into_iter().collect(),
            results: results.into_iter().collect(),
        }
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, tys: &[ValType]| -> fmt::Result {
            f.write_str("(")?;
            for (i, t) in tys.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{t}")?;
            }
            f.write_str(")")
        };
        list(f, &self.params)?;
        f.write_str(" -> ")?;
        list(f, &self.results)
    }
}

/// Limits and element type of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableType {
    pub element: ValType,
    pub minimum: u32,
    pub maximum: Option<u32>,
}

/// Limits of a 32-bit linear memory, in 64 KiB pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryType {
    pub minimum: u32,
    pub maximum: Option<u32>,
}

/// The size of a Wasm page.
pub const WASM_PAGE_SIZE: u64 = 65536;

/// The most pages a 32-bit memory can have (4 GiB).
pub const MAX_WASM_PAGES: u32 = 65536;

/// The type of a global.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalType {
    pub content: ValType,
    pub mutable: bool,
}

macro_rules! index_types {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize`, for indexing vectors.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

index_types! {
    /// An index into the module's type section.
    TypeIndex;
    /// An index into the function index space (imports first).
    FuncIndex;
    /// An index into the module's own (non-imported) functions.
    DefinedFuncIndex;
    /// An index into the table index space (imports first).
    TableIndex;
    /// An index into the memory index space (imports first).
    MemoryIndex;
    /// An index into the global index space (imports first).
    GlobalIndex;
    /// An index into the element segments.
    ElemIndex;
    /// An index into the data segments.
    DataIndex;
}
