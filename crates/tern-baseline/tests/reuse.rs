//! A function compiler reused across modules produces exactly the code a
//! fresh one does: what it keeps between functions (buffers, and the
//! prologue templates, which depend on whether the module has a memory and
//! where the vmctx keeps its base) is rebuilt or reset as the module
//! changes.

use tern_baseline::BaselineCompiler;
use tern_environ::{CompiledFunction, DefinedFuncIndex, FunctionCompiler, VMOffsets};

/// The functions of each module, with many locals (some zeroed from the
/// template, some by a loop), memory accesses and callee-saved registers
/// in use across a call.
const MODULES: [&str; 4] = [
    "(module (func (param i32) (result i32) (local i32 i64)
       local.get 0 local.get 0 i32.mul local.set 1 local.get 1))",
    "(module (memory 1)
       (func $f (param i32 i32) (result i32) (local i32 i32 i32)
         local.get 0 i32.load local.get 1 i32.add)
       (func (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
         local.get 0 local.get 0 call $f local.get 0 i32.add))",
    "(module (global (mut i32) (i32.const 0)) (global (mut i64) (i64.const 0))
       (table 4 funcref) (memory 1)
       (func (param i32) (result i32) (local f64 i32)
         local.get 0 i32.load8_u offset=3 global.get 0 i32.add))",
    "(module (func (param i64 i64 i64 i64 i64 i64 i64) (result i64) (local i32 i32 i32)
       local.get 6 local.get 5 i64.add))",
];

fn compile_all(fc: &mut dyn FunctionCompiler, wat: &str) -> Vec<CompiledFunction> {
    let wasm = wat::parse_str(wat).unwrap();
    let translation = tern_environ::translate_module(&wasm).unwrap();
    let offsets = VMOffsets::new(&translation.module);
    translation
        .function_bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            fc.compile(
                &translation.module,
                &offsets,
                DefinedFuncIndex(i as u32),
                body,
            )
            .unwrap_or_else(|e| panic!("{wat}: {e}"))
        })
        .collect()
}

#[test]
fn reused_compiler_matches_a_fresh_one() {
    let compiler = BaselineCompiler::new();
    let mut reused = compiler.function_compiler();
    // Each module twice, alternating shapes, so that every change of
    // shape is crossed in both directions.
    for wat in MODULES.iter().chain(MODULES.iter().rev()) {
        let fresh = compile_all(&mut compiler.function_compiler(), wat);
        let again = compile_all(&mut reused, wat);
        assert_eq!(fresh.len(), again.len());
        for (i, (a, b)) in fresh.iter().zip(&again).enumerate() {
            assert_eq!(a.code, b.code, "{wat}: function {i}");
            assert_eq!(a.traps, b.traps, "{wat}: function {i}");
        }
    }
}
