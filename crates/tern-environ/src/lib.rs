//! tern-environ: what both of Tern's compilers and its runtime agree on.
//!
//! - [`translate_module`] decodes and validates a module (wasmparser, with
//!   exactly the features in [`supported_features`]) into a [`ModuleInfo`]
//!   and the function bodies still to compile.
//! - [`VMOffsets`] lays out the per-instance `VMContext` that compiled code
//!   addresses; [`builtins`] lists the runtime helpers it may call.
//! - [`abi`] is the calling convention both tiers follow, so that their
//!   functions call each other directly.
//! - [`Compiler`] is the trait each tier implements.
//! - Trap codes are [`tern_asm::TrapCode`], re-exported here: they describe
//!   machine instructions and travel with the code in trap tables.
//!
//! This crate does no code generation and owns no memory at run time; it
//! only describes. That keeps the contract between the tiers and the
//! runtime in one small place.

pub mod abi;
pub mod builtins;
mod compiler;
mod features;
mod module;
mod translate;
mod types;
mod vmoffsets;

pub use compiler::{CompileError, CompiledFunction, Compiler, FunctionCompiler, Tier};
pub use features::{PROPOSALS, required_proposals, supported_features};
pub use module::*;
pub use tern_asm::TrapCode;
pub use translate::{
    FunctionBodyData, ModuleTranslation, WasmError, translate_module, wat_to_wasm,
};
pub use types::*;
pub use vmoffsets::{
    GLOBAL_SIZE, PTR, VMOffsets, func_ref, memory_definition, store_context, table_definition,
};
pub use wasmparser;
