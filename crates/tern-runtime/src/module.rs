//! `Module`: a compiled module, ready to instantiate any number of times.
//!
//! Compilation translates the module (tern-environ), compiles every
//! function with the engine's compiler (in parallel unless configured
//! otherwise, one `FunctionCompiler` per worker thread), then links: lays
//! the functions out in one code memory (each 16-byte aligned), patches
//! the calls between them, makes the memory executable, and registers its
//! trap tables for the signal handler.

use crate::code_memory::CodeMemory;
use crate::engine::Engine;
use crate::error::Error;
use crate::registry::{self, CodeInfo};
use rayon::prelude::*;
use std::path::Path;
use std::sync::Arc;
use tern_asm::RelocTarget;
use tern_environ::{
    CompiledFunction, DefinedFuncIndex, FunctionBodyData, ModuleInfo, VMOffsets, translate_module,
    wat_to_wasm,
};

/// A compiled module. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    inner: Arc<ModuleInner>,
}

pub(crate) struct ModuleInner {
    pub engine: Engine,
    pub info: ModuleInfo,
    pub offsets: VMOffsets,
    pub code: LoadedCode,
    /// Engine-wide signature id of each module type.
    pub type_ids: Box<[u32]>,
}

/// A module's code, registered with the trap handler while it lives.
pub(crate) struct LoadedCode {
    memory: CodeMemory,
    /// Start offset of each defined function.
    starts: Vec<u32>,
}

impl LoadedCode {
    /// Address of defined function `f`.
    pub fn function_address(&self, f: DefinedFuncIndex) -> *const u8 {
        // SAFETY: starts are offsets inside the code memory.
        unsafe { self.memory.as_ptr().add(self.starts[f.index()] as usize) }
    }

    /// The whole code region (for disassembly and tooling).
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the code memory is readable and immutable once published.
        unsafe { std::slice::from_raw_parts(self.memory.as_ptr(), self.memory.len()) }
    }
}

impl Drop for LoadedCode {
    fn drop(&mut self) {
        registry::unregister(self.memory.as_ptr() as usize, self.memory.len());
    }
}

impl Module {
    /// Compiles a module from its binary or text format.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module, Error> {
        let wasm = wat_to_wasm(bytes.as_ref())?;
        let translation = translate_module(&wasm)?;
        let info = translation.module;
        let offsets = VMOffsets::new(&info);
        let compiled = compile_all(engine, &info, &offsets, translation.function_bodies)?;
        let code = link(&info, compiled)?;
        let type_ids = info.types.iter().map(|t| engine.signature_id(t)).collect();
        Ok(Module {
            inner: Arc::new(ModuleInner {
                engine: engine.clone(),
                info,
                offsets,
                code,
                type_ids,
            }),
        })
    }

    /// Reads and compiles a `.wasm` or `.wat` file.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::Resource(format!("cannot read {}: {e}", path.display())))?;
        Module::new(engine, bytes)
    }

    pub fn info(&self) -> &ModuleInfo {
        &self.inner.info
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The machine code of defined function `f`.
    pub fn function_code(&self, f: DefinedFuncIndex) -> &[u8] {
        let code = &self.inner.code;
        let start = code.starts[f.index()] as usize;
        let end = code
            .starts
            .get(f.index() + 1)
            .map_or(code.memory.len(), |&s| s as usize);
        &code.bytes()[start..end]
    }

    pub(crate) fn inner(&self) -> &ModuleInner {
        &self.inner
    }
}

fn compile_all(
    engine: &Engine,
    info: &ModuleInfo,
    offsets: &VMOffsets,
    bodies: Vec<FunctionBodyData<'_>>,
) -> Result<Vec<CompiledFunction>, Error> {
    if bodies.is_empty() {
        return Ok(Vec::new());
    }
    let compiler = engine.compiler();
    let compile = |fc: &mut Box<dyn tern_environ::FunctionCompiler + '_>,
                   (i, body): (usize, FunctionBodyData<'_>)| {
        let index = DefinedFuncIndex(i as u32);
        fc.compile(info, offsets, index, body)
            .map_err(|error| Error::Compile {
                func: info.func_display_name(info.func_index(index)),
                error,
            })
    };
    if engine.config().parallel_compilation && bodies.len() > 1 {
        bodies
            .into_par_iter()
            .enumerate()
            .map_init(|| compiler.function_compiler(), compile)
            .collect()
    } else {
        let mut fc = compiler.function_compiler();
        bodies
            .into_iter()
            .enumerate()
            .map(|item| compile(&mut fc, item))
            .collect()
    }
}

fn link(info: &ModuleInfo, compiled: Vec<CompiledFunction>) -> Result<LoadedCode, Error> {
    let mut starts = Vec::with_capacity(compiled.len());
    let mut size = 0usize;
    for f in &compiled {
        let align = f.alignment.max(16) as usize;
        size = size.div_ceil(align) * align;
        starts.push(size as u32);
        size += f.code.len();
    }
    let mut memory =
        CodeMemory::new(size).map_err(|e| Error::Resource(format!("code memory: {e}")))?;
    let base = memory.as_ptr() as u64;
    {
        let bytes = memory.bytes_mut();
        // Padding between functions traps if ever executed.
        bytes.fill(0xcc);
        for (f, &start) in compiled.iter().zip(&starts) {
            let start = start as usize;
            let code = &mut bytes[start..start + f.code.len()];
            code.copy_from_slice(&f.code);
            for reloc in &f.relocs {
                let target = match reloc.target {
                    RelocTarget::Function(n) => {
                        base + *starts.get(n as usize).ok_or_else(|| {
                            Error::Resource(format!("relocation to unknown function {n}"))
                        })? as u64
                    }
                    RelocTarget::Helper(n) => {
                        return Err(Error::Resource(format!(
                            "relocation to helper {n}: helpers are called through the vmctx"
                        )));
                    }
                };
                reloc
                    .apply(code, base + start as u64, target)
                    .map_err(|e| Error::Resource(e.to_string()))?;
            }
        }
    }
    memory
        .publish()
        .map_err(|e| Error::Resource(format!("code memory: {e}")))?;
    let functions = compiled
        .iter()
        .zip(&starts)
        .map(|(f, &s)| (s, s + f.code.len() as u32))
        .collect();
    let names = (0..compiled.len() as u32)
        .map(|i| info.func_display_name(info.func_index(DefinedFuncIndex(i))))
        .collect();
    let traps = compiled.into_iter().map(|f| f.traps).collect();
    registry::register(Arc::new(CodeInfo {
        start: base as usize,
        len: memory.len(),
        functions,
        traps,
        names,
    }));
    Ok(LoadedCode { memory, starts })
}
