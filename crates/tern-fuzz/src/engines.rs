//! The two engines behind one interface.
//!
//! [`Runtime`] is the handful of operations the comparison needs:
//! instantiate a module without imports, list exported functions, call one
//! with [`Value`]s, and snapshot exported memories, globals and tables.
//! Each implementation translates its engine's values and errors into the
//! neutral forms of [`crate::value`], so the comparison itself never sees
//! an engine type.

use crate::value::{CallResult, ExportState, FuncExport, TrapKind, Ty, Value};

/// Why a module did not become an instance.
#[derive(Clone, Debug)]
pub enum SetupFailure {
    /// Validation (or decoding) refused the module.
    Rejected(String),
    /// The module is valid but instantiation trapped (a segment out of
    /// bounds, a trap in the start function).
    Trapped(TrapKind),
    /// Anything else: a compiler error, a link error. For a valid module
    /// without imports this is always a bug in that engine.
    Broken(String),
}

/// One engine holding one instance.
pub trait Runtime: Sized {
    /// The engine's name in reports.
    const NAME: &'static str;
    fn instantiate(bytes: &[u8]) -> Result<Self, SetupFailure>;
    /// Exported functions, in any order.
    fn functions(&self) -> Vec<FuncExport>;
    fn call(&mut self, name: &str, args: &[Value]) -> CallResult;
    /// Every exported memory, global and table, in any order.
    fn state(&self) -> Vec<(String, ExportState)>;
}

/// Tern with its default configuration (the baseline tier), compiling on
/// one thread so that a panic in the compiler reaches the caller directly.
pub struct Tern {
    store: tern_runtime::Store<()>,
    instance: tern_runtime::Instance,
}

impl Tern {
    fn ty(ty: tern_runtime::ValType) -> Ty {
        use tern_runtime::ValType as V;
        match ty {
            V::I32 => Ty::I32,
            V::I64 => Ty::I64,
            V::F32 => Ty::F32,
            V::F64 => Ty::F64,
            V::FuncRef => Ty::FuncRef,
            V::ExternRef => Ty::ExternRef,
        }
    }

    fn value(v: &tern_runtime::Val) -> Value {
        use tern_runtime::Val as V;
        match *v {
            V::I32(x) => Value::I32(x),
            V::I64(x) => Value::I64(x),
            V::F32(b) => Value::F32(b),
            V::F64(b) => Value::F64(b),
            V::FuncRef(r) => Value::FuncRef { null: r.is_none() },
            V::ExternRef(r) => Value::ExternRef { null: r.is_none() },
        }
    }

    fn val(v: &Value) -> tern_runtime::Val {
        use tern_runtime::Val as V;
        match *v {
            Value::I32(x) => V::I32(x),
            Value::I64(x) => V::I64(x),
            Value::F32(b) => V::F32(b),
            Value::F64(b) => V::F64(b),
            // Arguments are only ever null references.
            Value::FuncRef { .. } => V::FuncRef(None),
            Value::ExternRef { .. } => V::ExternRef(None),
        }
    }

    fn trap(error: &tern_runtime::Error) -> TrapKind {
        use tern_runtime::TrapCode as C;
        match error.as_trap().and_then(|t| t.code()) {
            Some(C::UnreachableCodeReached) => TrapKind::Unreachable,
            Some(C::MemoryOutOfBounds) => TrapKind::MemoryOutOfBounds,
            Some(C::TableOutOfBounds) => TrapKind::TableOutOfBounds,
            Some(C::IndirectCallToNull) => TrapKind::IndirectCallToNull,
            Some(C::BadSignature) => TrapKind::BadSignature,
            Some(C::IntegerDivisionByZero) => TrapKind::IntegerDivisionByZero,
            Some(C::IntegerOverflow) => TrapKind::IntegerOverflow,
            Some(C::BadConversionToInteger) => TrapKind::BadConversionToInteger,
            Some(C::NullReference) => TrapKind::NullReference,
            Some(C::StackOverflow) => TrapKind::StackOverflow,
            _ => TrapKind::Other(error.to_string()),
        }
    }
}

impl Runtime for Tern {
    const NAME: &'static str = "Tern";

    fn instantiate(bytes: &[u8]) -> Result<Tern, SetupFailure> {
        let config = tern_runtime::Config {
            parallel_compilation: false,
            ..tern_runtime::Config::default()
        };
        let engine = tern_runtime::Engine::new(config)
            .map_err(|e| SetupFailure::Broken(format!("engine: {e}")))?;
        // Function bodies are validated as they are compiled, so an invalid
        // body surfaces as a compile error of the `Invalid` kind.
        let module = tern_runtime::Module::new(&engine, bytes).map_err(|e| match e {
            tern_runtime::Error::Module(_)
            | tern_runtime::Error::Compile {
                error: tern_environ::CompileError::Invalid { .. },
                ..
            } => SetupFailure::Rejected(e.to_string()),
            other => SetupFailure::Broken(other.to_string()),
        })?;
        let mut store = tern_runtime::Store::new(&engine, ());
        let instance = tern_runtime::Linker::new()
            .instantiate(&mut store, &module)
            .map_err(|e| match e {
                tern_runtime::Error::Trap(_) => SetupFailure::Trapped(Tern::trap(&e)),
                other => SetupFailure::Broken(other.to_string()),
            })?;
        Ok(Tern { store, instance })
    }

    fn functions(&self) -> Vec<FuncExport> {
        self.instance
            .exports(&self.store)
            .into_iter()
            .filter_map(|(name, ext)| {
                let ty = ext.into_func()?.ty(&self.store);
                Some(FuncExport {
                    name,
                    params: ty.params.iter().map(|t| Tern::ty(*t)).collect(),
                    results: ty.results.iter().map(|t| Tern::ty(*t)).collect(),
                })
            })
            .collect()
    }

    fn call(&mut self, name: &str, args: &[Value]) -> CallResult {
        let func = self
            .instance
            .get_func(&self.store, name)
            .expect("the caller names an exported function");
        let ty = func.ty(&self.store);
        let params: Vec<_> = args.iter().map(Tern::val).collect();
        let mut results: Vec<_> = ty
            .results
            .iter()
            .map(|t| tern_runtime::Val::default_for(*t))
            .collect();
        match func.call(&mut self.store, &params, &mut results) {
            Ok(()) => CallResult::Returned(results.iter().map(Tern::value).collect()),
            Err(e) => CallResult::Trapped(Tern::trap(&e)),
        }
    }

    fn state(&self) -> Vec<(String, ExportState)> {
        use tern_runtime::Extern as E;
        self.instance
            .exports(&self.store)
            .into_iter()
            .filter_map(|(name, ext)| {
                let state = match ext {
                    E::Func(_) => return None,
                    E::Memory(m) => ExportState::Memory(m.data(&self.store).to_vec()),
                    E::Global(g) => ExportState::Global(Tern::value(&g.get(&self.store))),
                    E::Table(t) => ExportState::Table {
                        size: u64::from(t.size(&self.store)),
                    },
                };
                Some((name, state))
            })
            .collect()
    }
}

/// wasmi, the reference: an interpreter developed independently of Tern,
/// configured for the same feature set.
pub struct Wasmi {
    store: wasmi::Store<()>,
    instance: wasmi::Instance,
}

impl Wasmi {
    fn ty(ty: wasmi::ValType) -> Ty {
        use wasmi::ValType as V;
        match ty {
            V::I32 => Ty::I32,
            V::I64 => Ty::I64,
            V::F32 => Ty::F32,
            V::F64 => Ty::F64,
            V::FuncRef => Ty::FuncRef,
            V::ExternRef => Ty::ExternRef,
            V::V128 => unreachable!("SIMD is disabled in wasm-smith and in wasmi's validator"),
        }
    }

    fn value(v: &wasmi::Val) -> Value {
        use wasmi::Val as V;
        match v {
            V::I32(x) => Value::I32(*x),
            V::I64(x) => Value::I64(*x),
            V::F32(x) => Value::F32(x.to_bits()),
            V::F64(x) => Value::F64(x.to_bits()),
            V::FuncRef(r) => Value::FuncRef { null: r.is_null() },
            V::ExternRef(r) => Value::ExternRef { null: r.is_null() },
            V::V128(_) => unreachable!("SIMD is disabled in wasm-smith and in wasmi's validator"),
        }
    }

    fn val(v: &Value) -> wasmi::Val {
        use wasmi::Val as V;
        match *v {
            Value::I32(x) => V::I32(x),
            Value::I64(x) => V::I64(x),
            Value::F32(b) => V::F32(wasmi::F32::from_bits(b)),
            Value::F64(b) => V::F64(wasmi::F64::from_bits(b)),
            Value::FuncRef { .. } => V::default_for_ty(wasmi::ValType::FuncRef),
            Value::ExternRef { .. } => V::default_for_ty(wasmi::ValType::ExternRef),
        }
    }

    fn trap(error: &wasmi::Error) -> TrapKind {
        use wasmi::TrapCode as C;
        match error.as_trap_code() {
            Some(C::UnreachableCodeReached) => TrapKind::Unreachable,
            Some(C::MemoryOutOfBounds) => TrapKind::MemoryOutOfBounds,
            Some(C::TableOutOfBounds) => TrapKind::TableOutOfBounds,
            Some(C::IndirectCallToNull) => TrapKind::IndirectCallToNull,
            Some(C::BadSignature) => TrapKind::BadSignature,
            Some(C::IntegerDivisionByZero) => TrapKind::IntegerDivisionByZero,
            Some(C::IntegerOverflow) => TrapKind::IntegerOverflow,
            Some(C::BadConversionToInteger) => TrapKind::BadConversionToInteger,
            Some(C::StackOverflow) => TrapKind::StackOverflow,
            _ => TrapKind::Other(error.to_string()),
        }
    }
}

impl Runtime for Wasmi {
    const NAME: &'static str = "wasmi";

    fn instantiate(bytes: &[u8]) -> Result<Wasmi, SetupFailure> {
        let mut config = wasmi::Config::default();
        config
            .wasm_multi_memory(true)
            .wasm_extended_const(true)
            .wasm_tail_call(false)
            .wasm_memory64(false)
            .wasm_custom_page_sizes(false)
            .wasm_wide_arithmetic(false)
            // The interpreter keeps Wasm frames on the heap; its default
            // depth limit (1000) is below what the fuel counter allows, so
            // lift it well above: the depth limit that matters is Tern's.
            .set_max_recursion_depth(100_000)
            .set_max_stack_height(64 << 20);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, bytes)
            .map_err(|e| SetupFailure::Rejected(e.to_string()))?;
        let mut store = wasmi::Store::new(&engine, ());
        let instance = wasmi::Linker::<()>::new(&engine)
            .instantiate_and_start(&mut store, &module)
            // The module validated and imports nothing, so every failure
            // here is a trap in spec terms, even those wasmi reports as
            // instantiation errors (a segment out of bounds); `trap` keeps
            // the message of those.
            .map_err(|e| SetupFailure::Trapped(Wasmi::trap(&e)))?;
        Ok(Wasmi { store, instance })
    }

    fn functions(&self) -> Vec<FuncExport> {
        self.instance
            .exports(&self.store)
            .filter_map(|export| {
                let name = export.name().to_string();
                let ty = export.into_func()?.ty(&self.store);
                Some(FuncExport {
                    name,
                    params: ty.params().iter().map(|t| Wasmi::ty(*t)).collect(),
                    results: ty.results().iter().map(|t| Wasmi::ty(*t)).collect(),
                })
            })
            .collect()
    }

    fn call(&mut self, name: &str, args: &[Value]) -> CallResult {
        let func = self
            .instance
            .get_func(&self.store, name)
            .expect("the caller names an exported function");
        let ty = func.ty(&self.store);
        let params: Vec<_> = args.iter().map(Wasmi::val).collect();
        let mut results: Vec<_> = ty
            .results()
            .iter()
            .map(|t| wasmi::Val::default_for_ty(*t))
            .collect();
        match func.call(&mut self.store, &params, &mut results) {
            Ok(()) => CallResult::Returned(results.iter().map(Wasmi::value).collect()),
            Err(e) => CallResult::Trapped(Wasmi::trap(&e)),
        }
    }

    fn state(&self) -> Vec<(String, ExportState)> {
        use wasmi::Extern as E;
        self.instance
            .exports(&self.store)
            .filter_map(|export| {
                let name = export.name().to_string();
                let state = match export.into_extern() {
                    E::Func(_) => return None,
                    E::Memory(m) => ExportState::Memory(m.data(&self.store).to_vec()),
                    E::Global(g) => ExportState::Global(Wasmi::value(&g.get(&self.store))),
                    E::Table(t) => ExportState::Table {
                        size: t.size(&self.store),
                    },
                };
                Some((name, state))
            })
            .collect()
    }
}
