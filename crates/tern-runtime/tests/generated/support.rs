//! A compiled module driven with raw 64-bit values, for the generated
//! tests (`differential.rs`, `pathological.rs`): they produce many modules
//! with numeric signatures and compare bit patterns, so arguments and
//! results travel as `u64` (an i32 zero-extended, a float as its bits).

use tern_runtime::{Config, Engine, Error, Instance, Linker, Module, Store, Val, ValType};

/// An instance of one module in its own store.
pub struct Program {
    store: Store<()>,
    instance: Instance,
}

impl Program {
    /// Compiles and instantiates the text module `wat` (no imports).
    pub fn new(wat: &str) -> Program {
        let engine = Engine::new(Config::default()).expect("default engine");
        let module = Module::new(&engine, wat).unwrap_or_else(|e| panic!("{e}\n{wat}"));
        let mut store = Store::new(&engine, ());
        let instance = Linker::new()
            .instantiate(&mut store, &module)
            .unwrap_or_else(|e| panic!("{e}\n{wat}"));
        Program { store, instance }
    }

    /// Calls the export `name` with `args` (one per parameter).
    pub fn invoke(&mut self, name: &str, args: &[u64]) -> Result<Vec<u64>, Error> {
        let func = self
            .instance
            .get_func(&self.store, name)
            .unwrap_or_else(|| panic!("no exported function {name}"));
        let ty = func.ty(&self.store);
        let params: Vec<Val> = ty
            .params
            .iter()
            .zip(args)
            .map(|(&ty, &bits)| match ty {
                ValType::I32 => Val::I32(bits as i32),
                ValType::I64 => Val::I64(bits as i64),
                ValType::F32 => Val::F32(bits as u32),
                ValType::F64 => Val::F64(bits),
                ValType::FuncRef | ValType::ExternRef => panic!("{name} takes a reference"),
            })
            .collect();
        let mut results: Vec<Val> = ty.results.iter().map(|&t| Val::default_for(t)).collect();
        func.call(&mut self.store, &params, &mut results)?;
        Ok(results
            .iter()
            .map(|v| match *v {
                Val::I32(x) => u64::from(x as u32),
                Val::I64(x) => x as u64,
                Val::F32(bits) => bits.into(),
                Val::F64(bits) => bits,
                Val::FuncRef(_) | Val::ExternRef(_) => panic!("{name} returns a reference"),
            })
            .collect())
    }

    /// The contents of the exported memory `memory`.
    pub fn memory(&self) -> &[u8] {
        self.instance
            .get_memory(&self.store, "memory")
            .expect("the module exports its memory as \"memory\"")
            .data(&self.store)
    }
}
