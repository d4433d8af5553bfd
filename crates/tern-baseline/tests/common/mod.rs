//! Shared test helpers: compiling text-format modules with the baseline.

#![allow(dead_code)]

use tern_baseline::BaselineCompiler;
use tern_environ::{CompileError, CompiledFunction, DefinedFuncIndex, FunctionCompiler, VMOffsets};

/// A compiled module: its description, layout and functions.
pub struct Compiled {
    pub module: tern_environ::ModuleInfo,
    pub offsets: VMOffsets,
    pub functions: Vec<CompiledFunction>,
}

/// Compiles every function of `wat` (text or binary).
pub fn try_compile(wat: &str) -> Result<Compiled, CompileError> {
    let wasm = wat::parse_str(wat).expect("test module parses");
    let translation = tern_environ::translate_module(&wasm).expect("test module validates");
    let module = translation.module;
    let offsets = VMOffsets::new(&module);
    let compiler = BaselineCompiler::new();
    let mut fc = compiler.function_compiler();
    let mut functions = Vec::new();
    for (i, body) in translation.function_bodies.into_iter().enumerate() {
        functions.push(fc.compile(&module, &offsets, DefinedFuncIndex(i as u32), body)?);
    }
    Ok(Compiled { module, offsets, functions })
}

pub fn compile(wat: &str) -> Compiled {
    try_compile(wat).unwrap_or_else(|e| panic!("compile error: {e}"))
}

/// The disassembly of one function, with trap sites and relocations
/// annotated.
pub fn disassemble(f: &CompiledFunction) -> String {
    let text = tern_asm::disassemble(&f.code, 0);
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(line);
        let offset = u32::from_str_radix(line.split(':').next().unwrap().trim(), 16).unwrap();
        for t in &f.traps {
            if t.offset == offset {
                out.push_str(&format!("    ; trap: {:?}", t.code));
            }
        }
        out.push('\n');
    }
    out
}
