//! The interface both compilers implement.
//!
//! The runtime drives compilation: it translates the module, computes the
//! VMContext layout, and hands each function body to a
//! [`FunctionCompiler`], possibly on several threads at once (one
//! `FunctionCompiler` per thread, reused for all the functions that thread
//! compiles, so that a compiler can keep its buffers warm and allocate
//! nothing per function in the steady state). A compiler validates the
//! body as it compiles it: the body arrives with its `FuncToValidate`.

use crate::module::ModuleInfo;
use crate::translate::FunctionBodyData;
use crate::types::DefinedFuncIndex;
use crate::vmoffsets::VMOffsets;
use std::fmt;
use tern_asm::{Reloc, TrapSite};

/// Which compiler produced (or should produce) code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tier {
    Baseline,
    Optimizing,
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::Baseline => "baseline",
            Tier::Optimizing => "optimizing",
        })
    }
}

/// A compiler of one tier.
pub trait Compiler: Send + Sync {
    fn tier(&self) -> Tier;

    /// A compilation context for one thread.
    fn function_compiler(&self) -> Box<dyn FunctionCompiler + '_>;
}

/// Compiles function bodies one after the other, reusing its buffers.
pub trait FunctionCompiler: Send {
    fn compile(
        &mut self,
        module: &ModuleInfo,
        offsets: &VMOffsets,
        index: DefinedFuncIndex,
        input: FunctionBodyData<'_>,
    ) -> Result<CompiledFunction, CompileError>;
}

/// Machine code for one function, position-independent apart from its
/// relocations.
#[derive(Clone, Debug, Default)]
pub struct CompiledFunction {
    pub code: Vec<u8>,
    /// The alignment the code's start address needs (its constant pool is
    /// aligned relative to the start).
    pub alignment: u32,
    /// Calls to other functions of the module, to patch when laid out.
    pub relocs: Vec<Reloc>,
    /// Offsets of instructions that may trap, sorted, with their codes.
    pub traps: Vec<TrapSite>,
}

/// Why a function could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// The body is not valid WebAssembly.
    Invalid { message: String, offset: u64 },
    /// The body uses something this compiler does not implement.
    Unsupported { message: String, offset: u64 },
    /// An implementation limit was exceeded (e.g. a frame too large).
    Limit { message: String, offset: u64 },
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Invalid { message, offset } => {
                write!(
                    f,
                    "invalid function body: {message} (at offset 0x{offset:x})"
                )
            }
            CompileError::Unsupported { message, offset } => {
                write!(f, "unsupported: {message} (at offset 0x{offset:x})")
            }
            CompileError::Limit { message, offset } => {
                write!(
                    f,
                    "implementation limit: {message} (at offset 0x{offset:x})"
                )
            }
        }
    }
}

impl std::error::Error for CompileError {}

impl From<wasmparser::BinaryReaderError> for CompileError {
    fn from(e: wasmparser::BinaryReaderError) -> CompileError {
        CompileError::Invalid {
            message: e.message().to_string(),
            offset: e.offset(),
        }
    }
}
