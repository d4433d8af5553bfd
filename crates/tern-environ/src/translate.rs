//! Decoding and validating a module binary into a [`ModuleInfo`] plus the
//! function bodies to compile.
//!
//! One pass over the binary feeds every payload both to wasmparser's
//! validator and to the translation below. Function bodies are not
//! validated here: each comes with a `FuncToValidate` so that the compiler
//! validates a body while it compiles it (the baseline tier's
//! validate-then-emit design), possibly on another thread.

use crate::features::supported_features;
use crate::module::*;
use crate::types::*;
use std::fmt;
use wasmparser::{
    FuncToValidate, FunctionBody, Parser, Payload, TypeRef, ValidPayload, Validator,
    ValidatorResources,
};

/// Why a module could not be turned into a [`ModuleInfo`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WasmError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the module binary where it was found.
    pub offset: Option<u64>,
}

impl fmt::Display for WasmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "{} (at offset 0x{offset:x})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for WasmError {}

impl From<wasmparser::BinaryReaderError> for WasmError {
    fn from(e: wasmparser::BinaryReaderError) -> WasmError {
        WasmError {
            message: e.message().to_string(),
            offset: Some(e.offset()),
        }
    }
}

fn unsupported(what: String, offset: u64) -> WasmError {
    WasmError {
        message: format!("unsupported: {what}"),
        offset: Some(offset),
    }
}

/// A function body waiting to be validated and compiled.
pub struct FunctionBodyData<'data> {
    pub body: FunctionBody<'data>,
    pub validator: FuncToValidate<ValidatorResources>,
}

/// The result of translating a module binary.
pub struct ModuleTranslation<'data> {
    pub module: ModuleInfo,
    /// One entry per defined function, in order.
    pub function_bodies: Vec<FunctionBodyData<'data>>,
}

/// Accepts the text format as well as the binary format: text is
/// converted with the `wat` crate first.
pub fn wat_to_wasm(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, WasmError> {
    wat::parse_bytes(bytes).map_err(|e| WasmError {
        message: e.to_string(),
        offset: None,
    })
}

/// Decodes and validates `wasm` (binary format) with Tern's feature set.
pub fn translate_module(wasm: &[u8]) -> Result<ModuleTranslation<'_>, WasmError> {
    let mut validator = Validator::new_with_features(supported_features());
    let mut t = Translator::default();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        match validator.payload(&payload)? {
            ValidPayload::Ok | ValidPayload::End(_) => {}
            ValidPayload::Func(validator, body) => {
                t.bodies.push(FunctionBodyData { body, validator });
                continue;
            }
            ValidPayload::Parser(_) => {
                return Err(WasmError {
                    message: "nested modules are not supported".into(),
                    offset: None,
                });
            }
        }
        t.payload(payload)?;
    }
    Ok(ModuleTranslation {
        module: t.module,
        function_bodies: t.bodies,
    })
}

#[derive(Default)]
struct Translator<'data> {
    module: ModuleInfo,
    bodies: Vec<FunctionBodyData<'data>>,
}

impl<'data> Translator<'data> {
    fn payload(&mut self, payload: Payload<'data>) -> Result<(), WasmError> {
        let m = &mut self.module;
        match payload {
            Payload::TypeSection(reader) => {
                for group in reader.into_iter_with_offsets() {
                    let (offset, group) = group?;
                    for sub in group.into_types() {
                        let wasmparser::CompositeInnerType::Func(f) = &sub.composite_type.inner
                        else {
                            return Err(unsupported(
                                "non-function types (GC proposal)".into(),
                                offset,
                            ));
                        };
                        m.types.push(convert_func_type(f, offset)?);
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for group in reader {
                    for import in group? {
                        let (offset, import) = import?;

                        let ty = match import.ty {
                            TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                                m.functions.push(TypeIndex(ty));
                                m.num_imported_funcs += 1;
                                EntityType::Function(TypeIndex(ty))
                            }
                            TypeRef::Table(ty) => {
                                let ty = convert_table_type(&ty, offset)?;
                                m.tables.push(ty);
                                m.num_imported_tables += 1;
                                EntityType::Table(ty)
                            }
                            TypeRef::Memory(ty) => {
                                let ty = convert_memory_type(&ty, offset)?;
                                m.memories.push(ty);
                                m.num_imported_memories += 1;
                                EntityType::Memory(ty)
                            }
                            TypeRef::Global(ty) => {
                                let ty = convert_global_type(&ty, offset)?;
                                m.globals.push(ty);
                                m.num_imported_globals += 1;
                                EntityType::Global(ty)
                            }
                            TypeRef::Tag(_) => {
                                return Err(unsupported(
                                    "tags (exceptions proposal)".into(),
                                    offset,
                                ));
                            }
                        };
                        m.imports.push(Import {
                            module: import.module.to_string(),
                            name: import.name.to_string(),
                            ty,
                        });
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    m.functions.push(TypeIndex(ty?));
                }
            }
            Payload::TableSection(reader) => {
                for table in reader.into_iter_with_offsets() {
                    let (offset, table) = table?;
                    if !matches!(table.init, wasmparser::TableInit::RefNull) {
                        return Err(unsupported(
                            "table initializer expressions (function-references proposal)".into(),
                            offset,
                        ));
                    }
                    m.tables.push(convert_table_type(&table.ty, offset)?);
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader.into_iter_with_offsets() {
                    let (offset, memory) = memory?;
                    m.memories.push(convert_memory_type(&memory, offset)?);
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader.into_iter_with_offsets() {
                    let (offset, global) = global?;
                    m.globals.push(convert_global_type(&global.ty, offset)?);
                    m.global_inits.push(convert_const_expr(&global.init_expr)?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader.into_iter_with_offsets() {
                    let (offset, export) = export?;
                    use wasmparser::ExternalKind as K;
                    let entity = match export.kind {
                        K::Func | K::FuncExact => {
                            m.escaped_funcs.push(FuncIndex(export.index));
                            EntityIndex::Function(FuncIndex(export.index))
                        }
                        K::Table => EntityIndex::Table(TableIndex(export.index)),
                        K::Memory => EntityIndex::Memory(MemoryIndex(export.index)),
                        K::Global => EntityIndex::Global(GlobalIndex(export.index)),
                        K::Tag => {
                            return Err(unsupported("tags (exceptions proposal)".into(), offset));
                        }
                    };
                    m.exports.push(Export {
                        name: export.name.to_string(),
                        entity,
                    });
                }
            }
            Payload::StartSection { func, .. } => m.start = Some(FuncIndex(func)),
            Payload::ElementSection(reader) => {
                for element in reader.into_iter_with_offsets() {
                    let (offset, element) = element?;
                    let segment = self.convert_element(element, offset)?;
                    self.module.elements.push(segment);
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let mode = match data.kind {
                        wasmparser::DataKind::Passive => DataMode::Passive,
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => DataMode::Active {
                            memory: MemoryIndex(memory_index),
                            offset: convert_const_expr(&offset_expr)?,
                        },
                    };
                    m.data.push(DataSegment {
                        mode,
                        bytes: data.data.into(),
                    });
                }
            }
            Payload::CustomSection(reader) => {
                if let wasmparser::KnownCustom::Name(names) = reader.as_known() {
                    // The name section is advisory: a malformed one is
                    // ignored rather than failing the module, as engines do.
                    let _ = self.read_names(names);
                }
            }
            Payload::TagSection(reader) => {
                return Err(unsupported(
                    "tags (exceptions proposal)".into(),
                    reader.range().start,
                ));
            }
            _ => {}
        }
        Ok(())
    }

    fn convert_element(
        &mut self,
        element: wasmparser::Element<'data>,
        offset: u64,
    ) -> Result<ElementSegment, WasmError> {
        let mode = match element.kind {
            wasmparser::ElementKind::Passive => ElementMode::Passive,
            wasmparser::ElementKind::Declared => ElementMode::Declared,
            wasmparser::ElementKind::Active {
                table_index,
                offset_expr,
            } => ElementMode::Active {
                table: TableIndex(table_index.unwrap_or(0)),
                offset: convert_const_expr(&offset_expr)?,
            },
        };
        let (element_type, items) = match element.items {
            wasmparser::ElementItems::Functions(funcs) => {
                let funcs = funcs
                    .into_iter()
                    .map(|f| f.map(FuncIndex))
                    .collect::<Result<Box<[_]>, _>>()?;
                self.module.escaped_funcs.extend(funcs.iter().copied());
                (ValType::FuncRef, ElementItems::Functions(funcs))
            }
            wasmparser::ElementItems::Expressions(ty, exprs) => {
                let ty = convert_ref_type(ty).map_err(|e| unsupported(e, offset))?;
                let exprs = exprs
                    .into_iter()
                    .map(|e| convert_const_expr(&e?))
                    .collect::<Result<Box<[_]>, _>>()?;
                for expr in exprs.iter() {
                    for op in expr.ops.iter() {
                        if let ConstOp::RefFunc(f) = op {
                            self.module.escaped_funcs.push(*f);
                        }
                    }
                }
                (ty, ElementItems::Expressions(exprs))
            }
        };
        Ok(ElementSegment {
            mode,
            element_type,
            items,
        })
    }

    fn read_names(&mut self, names: wasmparser::NameSectionReader<'data>) -> Result<(), WasmError> {
        for name in names {
            match name? {
                wasmparser::Name::Module { name, .. } => self.module.name = Some(name.to_string()),
                wasmparser::Name::Function(map) => {
                    for naming in map {
                        let naming = naming?;
                        self.module
                            .func_names
                            .insert(FuncIndex(naming.index), naming.name.to_string());
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn convert_func_type(f: &wasmparser::FuncType, offset: u64) -> Result<FuncType, WasmError> {
    let conv = |tys: &[wasmparser::ValType]| {
        tys.iter()
            .map(|t| convert_val_type(*t).map_err(|e| unsupported(e, offset)))
            .collect::<Result<Box<[_]>, _>>()
    };
    Ok(FuncType {
        params: conv(f.params())?,
        results: conv(f.results())?,
    })
}

fn convert_table_type(t: &wasmparser::TableType, offset: u64) -> Result<TableType, WasmError> {
    if t.table64 || t.shared {
        return Err(unsupported("64-bit or shared tables".into(), offset));
    }
    // Validation bounds 32-bit table limits by u32::MAX.
    Ok(TableType {
        element: convert_ref_type(t.element_type).map_err(|e| unsupported(e, offset))?,
        minimum: t.initial as u32,
        maximum: t.maximum.map(|m| m as u32),
    })
}

fn convert_memory_type(t: &wasmparser::MemoryType, offset: u64) -> Result<MemoryType, WasmError> {
    if t.memory64 || t.shared || t.page_size_log2.is_some() {
        return Err(unsupported(
            "64-bit, shared or custom-page-size memories".into(),
            offset,
        ));
    }
    // Validation bounds 32-bit memories by 65536 pages.
    Ok(MemoryType {
        minimum: t.initial as u32,
        maximum: t.maximum.map(|m| m as u32),
    })
}

fn convert_global_type(t: &wasmparser::GlobalType, offset: u64) -> Result<GlobalType, WasmError> {
    if t.shared {
        return Err(unsupported("shared globals".into(), offset));
    }
    Ok(GlobalType {
        content: convert_val_type(t.content_type).map_err(|e| unsupported(e, offset))?,
        mutable: t.mutable,
    })
}

fn convert_const_expr(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, WasmError> {
    use wasmparser::Operator as O;
    let mut reader = expr.get_operators_reader();
    let mut ops = Vec::new();
    loop {
        let offset = reader.original_position();
        let op = match reader.read()? {
            O::End => break,
            O::I32Const { value } => ConstOp::I32Const(value),
            O::I64Const { value } => ConstOp::I64Const(value),
            O::F32Const { value } => ConstOp::F32Const(value.bits()),
            O::F64Const { value } => ConstOp::F64Const(value.bits()),
            O::GlobalGet { global_index } => ConstOp::GlobalGet(GlobalIndex(global_index)),
            O::RefNull { hty } => {
                let ty = match hty {
                    wasmparser::HeapType::FUNC => ValType::FuncRef,
                    wasmparser::HeapType::EXTERN => ValType::ExternRef,
                    other => {
                        return Err(unsupported(format!("ref.null {other:?}"), offset));
                    }
                };
                ConstOp::RefNull(ty)
            }
            O::RefFunc { function_index } => ConstOp::RefFunc(FuncIndex(function_index)),
            O::I32Add => ConstOp::I32Add,
            O::I32Sub => ConstOp::I32Sub,
            O::I32Mul => ConstOp::I32Mul,
            O::I64Add => ConstOp::I64Add,
            O::I64Sub => ConstOp::I64Sub,
            O::I64Mul => ConstOp::I64Mul,
            other => {
                return Err(unsupported(
                    format!("{other:?} in a constant expression"),
                    offset,
                ));
            }
        };
        ops.push(op);
    }
    Ok(ConstExpr { ops: ops.into() })
}
