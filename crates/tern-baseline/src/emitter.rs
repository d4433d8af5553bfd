//! The per-function compilation state, and the buffers it reuses from one
//! function to the next.
//!
//! An [`Emitter`] lives for one function. Its vectors come from a
//! [`Buffers`] that the function compiler keeps between functions, so that
//! compiling a function allocates only what it returns (its code and
//! tables) once the buffers have grown to the size of the largest function
//! seen.

use crate::CpuFeatures;
use crate::control::ControlFrame;
use crate::frame::FrameLayout;
use crate::frame_template::FrameTemplate;
use crate::locals::Locals;
use crate::loop_scan::{LoopScanner, LoopSummary};
use crate::merge::State;
use crate::regs::{HEAP_BASE, RegFile, VMCTX};
use crate::values::{Src, Value};
use std::cell::Cell;
use tern_asm::{Assembler, Label, PReg, TrapCode};
use tern_environ::{CompileError, FuncType, ModuleInfo, VMOffsets, ValType};

/// Result type of the emitter's methods.
pub(crate) type Result<T = ()> = std::result::Result<T, Error>;

/// A [`CompileError`], boxed: every operator returns a `Result`, and a
/// pointer-sized error keeps the common `Ok` path cheap to pass around.
#[derive(Debug)]
pub(crate) struct Error(Box<CompileError>);

impl Error {
    pub(crate) fn into_compile_error(self) -> CompileError {
        *self.0
    }
}

impl From<CompileError> for Error {
    fn from(e: CompileError) -> Error {
        Error(Box::new(e))
    }
}

impl From<tern_environ::wasmparser::BinaryReaderError> for Error {
    fn from(e: tern_environ::wasmparser::BinaryReaderError) -> Error {
        Error(Box::new(e.into()))
    }
}

/// A move between registers, for parallel-move resolution.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RegMove {
    pub(crate) dst: PReg,
    pub(crate) src: PReg,
    pub(crate) ty: ValType,
}

/// A register to fill from memory or a constant after the register moves.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RegFill {
    pub(crate) dst: PReg,
    pub(crate) src: Src,
    pub(crate) ty: ValType,
}

/// Vectors reused across functions.
#[derive(Default)]
pub(crate) struct Buffers {
    asm: Assembler,
    stack: Vec<Value>,
    locals: Locals,
    control: Vec<ControlFrame>,
    states: Vec<State>,
    reg_moves: Vec<RegMove>,
    reg_fills: Vec<RegFill>,
    operands: Vec<(ValType, Src)>,
    labels: Vec<Label>,
    stubs: Vec<Option<Label>>,
    loop_scanner: LoopScanner,
    loop_summary: LoopSummary,
}

/// The state of the function being compiled.
pub(crate) struct Emitter<'a> {
    pub(crate) module: &'a ModuleInfo,
    pub(crate) offsets: &'a VMOffsets,
    pub(crate) cpu: CpuFeatures,
    /// The function's signature.
    pub(crate) func_type: &'a FuncType,
    pub(crate) asm: Assembler,
    /// The compile-time value stack.
    pub(crate) stack: Vec<Value>,
    /// Where every local is.
    pub(crate) locals: Locals,
    pub(crate) regs: RegFile,
    pub(crate) control: Vec<ControlFrame>,
    /// Spare merge targets and saved states.
    pub(crate) states: Vec<State>,
    pub(crate) reg_moves: Vec<RegMove>,
    pub(crate) reg_fills: Vec<RegFill>,
    /// Popped call arguments.
    pub(crate) operands: Vec<(ValType, Src)>,
    /// `br_table` targets.
    pub(crate) labels: Vec<Label>,
    /// `br_table` targets by relative depth: the frame's label or a
    /// transfer stub's.
    pub(crate) stubs: Vec<Option<Label>>,
    pub(crate) loop_scanner: LoopScanner,
    /// What the scan of the loop about to be compiled found.
    pub(crate) loop_summary: LoopSummary,
    pub(crate) frame: FrameLayout,
    /// The prologue and return-sequence templates, prepared for this
    /// module (see `frame_template.rs`).
    pub(crate) templates: &'a FrameTemplate,
    /// Whether the code being emitted is reachable.
    pub(crate) reachable: bool,
    /// The number of `Loc::Local` entries on the value stack.
    pub(crate) local_aliases: u32,
    /// No stack entry below this position is in a register (a hint for
    /// finding spill victims; see `alloc.rs`).
    pub(crate) reg_floor: usize,
    /// Set while a consumer of a comparison loads operands between the
    /// comparison and its use of the flags.
    pub(crate) keep_flags: bool,
    /// The out-of-line `ud2` of each trap code used so far.
    pub(crate) trap_labels: [Option<Label>; TrapCode::ALL.len()],
    /// Whether the module has a memory (pinned in `HEAP_BASE`).
    pub(crate) has_memory: bool,
    /// Byte offset of the operator being compiled, for error messages.
    pub(crate) offset: u64,
    /// The function body's bytes and the module offset of the first, for
    /// looking ahead (see `Emitter::local_set_next`).
    pub(crate) code: &'a [u8],
    pub(crate) code_offset: u64,
    /// Whether the body uses the vmctx register (else the prologue need
    /// not set it up, nor save and restore it; see `frame.rs`).
    pub(crate) uses_vmctx: Cell<bool>,
    /// Whether the body uses the memory-base register.
    pub(crate) uses_heap_base: Cell<bool>,
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(
        module: &'a ModuleInfo,
        offsets: &'a VMOffsets,
        cpu: CpuFeatures,
        func_type: &'a FuncType,
        (code, code_offset): (&'a [u8], u64),
        templates: &'a FrameTemplate,
        mut buffers: Buffers,
    ) -> Emitter<'a> {
        buffers.asm.clear();
        buffers.stack.clear();
        buffers.locals.clear();
        buffers.control.clear();
        Emitter {
            module,
            offsets,
            cpu,
            func_type,
            asm: buffers.asm,
            stack: buffers.stack,
            locals: buffers.locals,
            regs: RegFile::default(),
            control: buffers.control,
            states: buffers.states,
            reg_moves: buffers.reg_moves,
            reg_fills: buffers.reg_fills,
            operands: buffers.operands,
            labels: buffers.labels,
            stubs: buffers.stubs,
            loop_scanner: buffers.loop_scanner,
            loop_summary: buffers.loop_summary,
            frame: FrameLayout::default(),
            templates,
            reachable: true,
            local_aliases: 0,
            reg_floor: 0,
            keep_flags: false,
            trap_labels: [None; TrapCode::ALL.len()],
            has_memory: !module.memories.is_empty(),
            offset: 0,
            code,
            code_offset,
            uses_vmctx: Cell::new(false),
            uses_heap_base: Cell::new(false),
        }
    }

    /// Gives the reusable vectors back.
    pub(crate) fn into_buffers(mut self) -> Buffers {
        // Return the vectors of frames still open (after an error).
        while let Some(frame) = self.control.pop() {
            self.release_frame_states(frame);
        }
        Buffers {
            asm: self.asm,
            stack: self.stack,
            locals: self.locals,
            control: self.control,
            states: self.states,
            reg_moves: self.reg_moves,
            reg_fills: self.reg_fills,
            operands: self.operands,
            labels: self.labels,
            stubs: self.stubs,
            loop_scanner: self.loop_scanner,
            loop_summary: self.loop_summary,
        }
    }

    /// The vmctx register, for an access through it.
    #[inline]
    pub(crate) fn vmctx(&self) -> PReg {
        self.uses_vmctx.set(true);
        VMCTX
    }

    /// The memory-base register, for an access to memory 0.
    #[inline]
    pub(crate) fn heap_base(&self) -> PReg {
        self.uses_heap_base.set(true);
        HEAP_BASE
    }

    /// The label of the out-of-line `ud2` for `code`.
    pub(crate) fn trap_label(&mut self, code: TrapCode) -> Label {
        let slot = &mut self.trap_labels[code.to_u8() as usize];
        match *slot {
            Some(label) => label,
            None => {
                let label = self.asm.new_label();
                *slot = Some(label);
                label
            }
        }
    }

    /// Emits an unconditional trap here.
    pub(crate) fn trap_here(&mut self, code: TrapCode) {
        self.asm.add_trap(code);
        self.asm.ud2();
    }

    /// An error for an operator this compiler does not handle.
    pub(crate) fn unsupported(&self, what: impl Into<String>) -> Error {
        Error::from(CompileError::Unsupported {
            message: what.into(),
            offset: self.offset,
        })
    }

    /// An error for an implementation limit.
    pub(crate) fn limit(&self, what: impl Into<String>) -> Error {
        Error::from(CompileError::Limit {
            message: what.into(),
            offset: self.offset,
        })
    }
}
