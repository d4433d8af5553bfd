//! Prints the baseline compiler's machine code for every function of a
//! module: `cargo run -p tern-baseline --example disasm FILE.wasm|.wat
//! [FUNCTION-NAME-SUBSTRING]`.

use tern_baseline::BaselineCompiler;
use tern_environ::{DefinedFuncIndex, EntityIndex, FuncIndex, FunctionCompiler, VMOffsets};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: disasm FILE.wasm|FILE.wat [NAME-FILTER]");
        std::process::exit(2);
    };
    let filter = args.next();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let wasm = tern_environ::wat_to_wasm(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
    let translation =
        tern_environ::translate_module(&wasm).unwrap_or_else(|e| panic!("{path}: {e}"));
    let module = translation.module;
    let offsets = VMOffsets::new(&module);
    let compiler = BaselineCompiler::new();
    let mut fc = compiler.function_compiler();
    for (i, body) in translation.function_bodies.into_iter().enumerate() {
        let func = FuncIndex(module.num_imported_funcs + i as u32);
        let name = module
            .exports
            .iter()
            .find(|e| e.entity == EntityIndex::Function(func))
            .map(|e| e.name.clone())
            .unwrap_or_else(|| module.func_display_name(func));
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        println!(";; function {} {name}: {}", func.0, module.func_type(func));
        match fc.compile(&module, &offsets, DefinedFuncIndex(i as u32), body) {
            Ok(f) => print!("{}", tern_asm::disassemble(&f.code, 0)),
            Err(e) => println!(";; error: {e}"),
        }
        println!();
    }
}
