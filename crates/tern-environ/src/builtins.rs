//! Runtime helpers ("builtins") that compiled code calls for operations
//! too large or too rare to inline (growing a memory, bulk operations…).
//!
//! They are reached through a table of function pointers whose address is
//! stored in every vmctx at [`crate::VMOffsets::BUILTINS`]: compiled code
//! does `mov r, [vmctx + BUILTINS]; call [r + 8 * index]`. Going through a
//! table rather than relocating calls to host addresses keeps compiled code
//! position-independent, so the same bytes can be written to an
//! ahead-of-time artifact and loaded into another process.
//!
//! Every builtin follows the System V C calling convention and takes the
//! caller's vmctx first, then its operands as 64-bit integers (i32
//! operands zero-extended), and returns one 64-bit integer.
//! A builtin that can trap returns a sentinel that the caller tests,
//! branching to a trapping instruction with the builtin's trap code, so
//! builtins never unwind through compiled frames.

/// The runtime helpers, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Builtin {
    /// `memory_grow(vmctx, delta_pages, memory_index) -> old_pages | u32::MAX as u64`
    /// (never traps: failure to grow is the result -1).
    MemoryGrow,
}

impl Builtin {
    /// Every builtin, in table order.
    pub const ALL: &'static [Builtin] = &[Builtin::MemoryGrow];

    /// The byte offset of this builtin's pointer in the builtin table.
    pub fn table_offset(self) -> u32 {
        self as u32 * 8
    }

    /// The number of operands after the vmctx.
    pub fn num_params(self) -> usize {
        match self {
            Builtin::MemoryGrow => 2,
        }
    }
}
