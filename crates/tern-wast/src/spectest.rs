//! The `spectest` module that spec test scripts import from: print
//! functions that do nothing visible, globals with known values, a table
//! and a memory (the values and limits the reference interpreter uses).

use tern_runtime::{
    Extern, Global, GlobalType, Linker, Memory, MemoryType, Store, Table, TableType, Val, ValType,
};

pub fn define(linker: &mut Linker<()>, store: &mut Store<()>) -> Result<(), tern_runtime::Error> {
    linker.func_wrap("spectest", "print", || {});
    linker.func_wrap("spectest", "print_i32", |_: i32| {});
    linker.func_wrap("spectest", "print_i64", |_: i64| {});
    linker.func_wrap("spectest", "print_f32", |_: f32| {});
    linker.func_wrap("spectest", "print_f64", |_: f64| {});
    linker.func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {});
    linker.func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {});
    let global = |store: &mut Store<()>, content, value| {
        Global::new(
            store,
            GlobalType {
                content,
                mutable: false,
            },
            value,
        )
    };
    let globals = [
        ("global_i32", global(store, ValType::I32, Val::I32(666))?),
        ("global_i64", global(store, ValType::I64, Val::I64(666))?),
        (
            "global_f32",
            global(store, ValType::F32, Val::F32(666.6f32.to_bits()))?,
        ),
        (
            "global_f64",
            global(store, ValType::F64, Val::F64(666.6f64.to_bits()))?,
        ),
    ];
    for (name, g) in globals {
        linker.define("spectest", name, Extern::Global(g));
    }
    let table = Table::new(
        store,
        TableType {
            element: ValType::FuncRef,
            minimum: 10,
            maximum: Some(20),
        },
        Val::FuncRef(None),
    )?;
    linker.define("spectest", "table", Extern::Table(table));
    let memory = Memory::new(
        store,
        MemoryType {
            minimum: 1,
            maximum: Some(2),
        },
    )?;
    linker.define("spectest", "memory", Extern::Memory(memory));
    Ok(())
}
