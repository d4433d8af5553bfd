//! `Engine` and `Config`: the compiler and settings shared by every module
//! and store, plus engine-wide registries (signature ids, trampolines).

use crate::error::Error;
use crate::trampolines::Trampolines;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tern_environ::{Compiler, FuncType, MAX_WASM_PAGES, Tier};

/// Engine settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Which compiler compiles modules.
    pub tier: Tier,
    /// Compile a module's functions on all cores (rayon).
    pub parallel_compilation: bool,
    /// Bytes of native stack Wasm may use before `call stack exhausted`.
    pub max_wasm_stack: usize,
    /// Upper bound on any memory's size in pages.
    pub max_memory_pages: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            tier: Tier::Baseline,
            parallel_compilation: true,
            max_wasm_stack: 1 << 20,
            max_memory_pages: MAX_WASM_PAGES,
        }
    }
}

/// The compiler and configuration shared by modules and stores. Cheap to
/// clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

struct EngineInner {
    config: Config,
    compiler: Box<dyn Compiler>,
    signatures: Mutex<SignatureRegistry>,
    trampolines: Mutex<HashMap<u32, Arc<Trampolines>>>,
}

/// Engine-wide ids for function signatures: two functions have the same
/// signature exactly when their ids are equal, which is what
/// `call_indirect` compares.
#[derive(Default)]
struct SignatureRegistry {
    ids: HashMap<FuncType, u32>,
    types: Vec<FuncType>,
}

impl Engine {
    pub fn new(config: Config) -> Result<Engine, Error> {
        let compiler: Box<dyn Compiler> = match config.tier {
            Tier::Baseline => Box::new(tern_baseline::BaselineCompiler::new()),
            Tier::Optimizing => {
                return Err(Error::Resource(
                    "the optimizing compiler is not available yet; use the baseline tier".into(),
                ));
            }
        };
        Ok(Engine {
            inner: Arc::new(EngineInner {
                config,
                compiler,
                signatures: Mutex::new(SignatureRegistry::default()),
                trampolines: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub(crate) fn compiler(&self) -> &dyn Compiler {
        &*self.inner.compiler
    }

    /// The engine-wide id of a signature.
    pub(crate) fn signature_id(&self, ty: &FuncType) -> u32 {
        let mut reg = self
            .inner
            .signatures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = reg.ids.get(ty) {
            return id;
        }
        let id = reg.types.len() as u32;
        reg.types.push(ty.clone());
        reg.ids.insert(ty.clone(), id);
        id
    }

    /// The signature with engine-wide id `id`.
    pub(crate) fn signature(&self, id: u32) -> FuncType {
        let reg = self
            .inner
            .signatures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        reg.types[id as usize].clone()
    }

    /// The trampolines of a signature, generated on first use.
    pub(crate) fn trampolines(&self, id: u32) -> Result<Arc<Trampolines>, Error> {
        let mut map = self
            .inner
            .trampolines
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(t) = map.get(&id) {
            return Ok(Arc::clone(t));
        }
        let ty = self.signature(id);
        let t = Arc::new(
            Trampolines::new(&ty).map_err(|e| Error::Resource(format!("code memory: {e}")))?,
        );
        map.insert(id, Arc::clone(&t));
        Ok(t)
    }

    pub(crate) fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(Config::default()).expect("the default configuration is valid")
    }
}
