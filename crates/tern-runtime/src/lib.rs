//! tern-runtime: loads compiled WebAssembly and runs it.
//!
//! The API follows the shape embedders know from other engines:
//! an [`Engine`] (configuration and compiler) compiles a [`Module`]; a
//! [`Store`] owns instances and everything they create; a [`Linker`]
//! resolves imports by name (host functions via `func_wrap`) and
//! instantiates; exports are reached as [`Func`] (callable untyped or
//! through a checked [`TypedFunc`]), [`Memory`], [`Global`], [`Table`].
//!
//! Under the hood (each module documents its part):
//! - `module`: compilation (parallel across functions) and linking into
//!   W^X code memory (`code_memory`);
//! - `instance`, `vmcontext`: the VMContext compiled code addresses;
//! - `memory`: 8 GiB reservations that make bounds checks free;
//! - `traps`, `registry`, `altstack`: signal handlers that turn faults in
//!   compiled code into [`Trap`]s and unwind to the host;
//! - `trampolines`, `func`: the per-signature glue between host and Wasm;
//! - `libcalls`: the builtins compiled code calls.

mod altstack;
mod code_memory;
mod engine;
mod error;
mod externals;
mod func;
mod instance;
mod libcalls;
mod linker;
mod memory;
mod module;
mod registry;
mod store;
mod table;
mod trampolines;
mod traps;
mod values;
mod vmcontext;

pub use engine::{Config, Engine};
pub use error::{Error, Trap, TrapReason};
pub use externals::{Extern, Global, Memory, Table};
pub use func::{Caller, Func, HostReturn, IntoFunc, TypedFunc, WasmParams, WasmResults, WasmTy};
pub use instance::Instance;
pub use linker::Linker;
pub use module::Module;
pub use store::{AsStore, AsStoreMut, Store};
pub use tern_environ::{
    FuncType, GlobalType, MemoryType, TableType, Tier, TrapCode, ValType, required_proposals,
};
pub use values::{FuncRefValue, Val, ValRaw};
