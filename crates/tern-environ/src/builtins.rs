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

/// The runtime helpers, in table order. Operands are listed after the
/// vmctx; memory and table indices are module-wide (imports first).
/// "Trap flag" results are 0 on success; any other value means the
/// operation trapped with the code named here, and had no effect (bounds
/// are checked before anything is written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Builtin {
    /// `(delta_pages, memory) -> old_pages | u32::MAX`; never traps.
    MemoryGrow,
    /// `(dst_memory, dst, src_memory, src, len) -> trap flag`
    /// (`MemoryOutOfBounds`); overlapping ranges copy as memmove does.
    MemoryCopy,
    /// `(memory, dst, value, len) -> trap flag` (`MemoryOutOfBounds`).
    MemoryFill,
    /// `(memory, data_index, dst, src, len) -> trap flag`
    /// (`MemoryOutOfBounds`); a dropped segment has length 0.
    MemoryInit,
    /// `(data_index) -> 0`.
    DataDrop,
    /// `(table, delta, init) -> old_size | u32::MAX`; `init` is a raw
    /// element (funcref pointer or externref handle, 0 for null).
    TableGrow,
    /// `(table, dst, value, len) -> trap flag` (`TableOutOfBounds`).
    TableFill,
    /// `(dst_table, src_table, dst, src, len) -> trap flag`
    /// (`TableOutOfBounds`); memmove semantics.
    TableCopy,
    /// `(table, elem_index, dst, src, len) -> trap flag`
    /// (`TableOutOfBounds`); a dropped segment has length 0.
    TableInit,
    /// `(elem_index) -> 0`.
    ElemDrop,
}

impl Builtin {
    /// Every builtin, in table order.
    pub const ALL: &'static [Builtin] = &[
        Builtin::MemoryGrow,
        Builtin::MemoryCopy,
        Builtin::MemoryFill,
        Builtin::MemoryInit,
        Builtin::DataDrop,
        Builtin::TableGrow,
        Builtin::TableFill,
        Builtin::TableCopy,
        Builtin::TableInit,
        Builtin::ElemDrop,
    ];

    /// The byte offset of this builtin's pointer in the builtin table.
    pub fn table_offset(self) -> u32 {
        self as u32 * 8
    }

    /// The number of operands after the vmctx.
    pub fn num_params(self) -> usize {
        match self {
            Builtin::DataDrop | Builtin::ElemDrop => 1,
            Builtin::MemoryGrow => 2,
            Builtin::TableGrow => 3,
            Builtin::MemoryFill | Builtin::TableFill => 4,
            Builtin::MemoryCopy | Builtin::MemoryInit | Builtin::TableCopy | Builtin::TableInit => {
                5
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_order_matches_discriminants() {
        for (i, b) in Builtin::ALL.iter().enumerate() {
            assert_eq!(b.table_offset(), 8 * i as u32);
        }
    }
}
