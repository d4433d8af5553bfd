//! The engines under test, each configured once and then asked to turn
//! module bytes into a module that is ready to instantiate.
//!
//! What "compile" covers differs by engine, and the report says so:
//! - Tern: `tern_runtime::Module::new` — parse, validate, baseline-compile
//!   every function, link into executable memory. Host↔Wasm trampolines are
//!   generated later, per signature, on first call, so they are not in the
//!   measured time.
//! - Wasmtime (Winch or Cranelift): `wasmtime::Module::new` — parse,
//!   validate, compile every function and the trampolines, link into
//!   executable memory.
//! - Wasmi: `wasmi::Module::new` with `CompilationMode::Eager` — parse,
//!   validate and translate every function to Wasmi's register bytecode up
//!   front (its default mode defers translation to first call, which would
//!   measure almost nothing). Wasmi is an interpreter: no machine code.
//!
//! Each engine object lives for a whole run and is shared by all modules, as
//! an embedder would use it. None of them caches compiled modules (Wasmtime's
//! cache feature is not built), so every repetition does the full work.

/// Which engine.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Tern,
    Winch,
    Cranelift,
    Wasmi,
}

impl Kind {
    /// Tern first: every ratio is relative to it.
    pub const ALL: [Kind; 4] = [Kind::Tern, Kind::Winch, Kind::Cranelift, Kind::Wasmi];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Tern => "tern",
            Kind::Winch => "winch",
            Kind::Cranelift => "cranelift",
            Kind::Wasmi => "wasmi",
        }
    }
}

/// A configured engine.
pub enum Compiler {
    Tern(tern_runtime::Engine),
    Wasmtime(wasmtime::Engine),
    Wasmi(wasmi::Engine),
}

/// A compiled module of any engine. Callers only hold it, so that dropping
/// it happens after the clock has stopped.
pub type Compiled = Box<dyn std::any::Any>;

impl Compiler {
    /// Creates `kind`'s engine, compiling on all cores when `parallel`.
    pub fn new(kind: Kind, parallel: bool) -> Result<Compiler, String> {
        match kind {
            Kind::Tern => {
                let config = tern_runtime::Config {
                    parallel_compilation: parallel,
                    ..Default::default()
                };
                tern_runtime::Engine::new(config)
                    .map(Compiler::Tern)
                    .map_err(|e| e.to_string())
            }
            Kind::Winch | Kind::Cranelift => {
                let mut config = wasmtime::Config::new();
                config.parallel_compilation(parallel);
                if kind == Kind::Winch {
                    config.strategy(wasmtime::Strategy::Winch);
                } else {
                    config
                        .strategy(wasmtime::Strategy::Cranelift)
                        .cranelift_opt_level(wasmtime::OptLevel::Speed);
                }
                wasmtime::Engine::new(&config)
                    .map(Compiler::Wasmtime)
                    .map_err(|e| e.to_string())
            }
            Kind::Wasmi => {
                let mut config = wasmi::Config::default();
                config.compilation_mode(wasmi::CompilationMode::Eager);
                Ok(Compiler::Wasmi(wasmi::Engine::new(&config)))
            }
        }
    }

    /// Compiles `wasm` into a ready-to-instantiate module.
    pub fn compile(&self, wasm: &[u8]) -> Result<Compiled, String> {
        match self {
            Compiler::Tern(engine) => tern_runtime::Module::new(engine, wasm)
                .map(|m| Box::new(m) as Compiled)
                .map_err(|e| e.to_string()),
            Compiler::Wasmtime(engine) => wasmtime::Module::from_binary(engine, wasm)
                .map(|m| Box::new(m) as Compiled)
                .map_err(|e| format!("{e:#}")),
            Compiler::Wasmi(engine) => wasmi::Module::new(engine, wasm)
                .map(|m| Box::new(m) as Compiled)
                .map_err(|e| e.to_string()),
        }
    }
}
