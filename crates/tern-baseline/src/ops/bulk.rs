//! Bulk memory and table operations, and `table.grow`: calls to the
//! runtime's builtins (`tern_environ::builtins`).
//!
//! These operations loop over memory or table elements and check bounds
//! once for the whole range, so a call costs little next to the work, and
//! keeping them out of line keeps the generated code small. Builtins that
//! can trap return a nonzero flag instead of unwinding; the caller tests it
//! and jumps to the shared trap stub.

use crate::emitter::{Emitter, Result};
use crate::values::Src;
use tern_asm::{Cond, Size, TrapCode};
use tern_environ::ValType;
use tern_environ::builtins::Builtin;

/// One operand of a builtin call: a popped operand (by position, deepest
/// first) or an index known at compile time.
#[derive(Clone, Copy)]
enum Arg {
    Popped(usize),
    Index(u32),
}

impl Emitter<'_> {
    /// Pops `popped` operands, calls `builtin` with `args`, and checks its
    /// trap flag if it has one (`trap`). Returns the result register.
    fn bulk_call(
        &mut self,
        builtin: Builtin,
        popped: usize,
        args: &[Arg],
        trap: Option<TrapCode>,
    ) -> tern_asm::PReg {
        self.pop_operands(popped);
        let mut staged = [(ValType::I32, Src::Imm(0)); 5];
        for (slot, arg) in staged.iter_mut().zip(args) {
            *slot = match *arg {
                Arg::Popped(i) => self.operands[i],
                Arg::Index(index) => (ValType::I32, Src::Imm(index.into())),
            };
        }
        self.operands.clear();
        self.operands.extend_from_slice(&staged[..args.len()]);
        let result = self.call_builtin(builtin);
        if let Some(code) = trap {
            self.asm.test(Size::S64, result, result);
            let label = self.trap_label(code);
            self.asm.jcc(Cond::NE, label);
        }
        result
    }

    pub(crate) fn visit_memory_copy(&mut self, dst_mem: u32, src_mem: u32) -> Result {
        use Arg::*;
        let args = [
            Index(dst_mem),
            Popped(0),
            Index(src_mem),
            Popped(1),
            Popped(2),
        ];
        self.bulk_call(
            Builtin::MemoryCopy,
            3,
            &args,
            Some(TrapCode::MemoryOutOfBounds),
        );
        Ok(())
    }

    pub(crate) fn visit_memory_fill(&mut self, mem: u32) -> Result {
        use Arg::*;
        let args = [Index(mem), Popped(0), Popped(1), Popped(2)];
        self.bulk_call(
            Builtin::MemoryFill,
            3,
            &args,
            Some(TrapCode::MemoryOutOfBounds),
        );
        Ok(())
    }

    pub(crate) fn visit_memory_init(&mut self, data_index: u32, mem: u32) -> Result {
        use Arg::*;
        let args = [
            Index(mem),
            Index(data_index),
            Popped(0),
            Popped(1),
            Popped(2),
        ];
        self.bulk_call(
            Builtin::MemoryInit,
            3,
            &args,
            Some(TrapCode::MemoryOutOfBounds),
        );
        Ok(())
    }

    pub(crate) fn visit_data_drop(&mut self, data_index: u32) -> Result {
        self.bulk_call(Builtin::DataDrop, 0, &[Arg::Index(data_index)], None);
        Ok(())
    }

    pub(crate) fn visit_table_grow(&mut self, table: u32) -> Result {
        use Arg::*;
        // Operands: the initial value, then the delta.
        let args = [Index(table), Popped(1), Popped(0)];
        let result = self.bulk_call(Builtin::TableGrow, 2, &args, None);
        self.push_reg(ValType::I32, result);
        Ok(())
    }

    pub(crate) fn visit_table_fill(&mut self, table: u32) -> Result {
        use Arg::*;
        let args = [Index(table), Popped(0), Popped(1), Popped(2)];
        self.bulk_call(
            Builtin::TableFill,
            3,
            &args,
            Some(TrapCode::TableOutOfBounds),
        );
        Ok(())
    }

    pub(crate) fn visit_table_copy(&mut self, dst_table: u32, src_table: u32) -> Result {
        use Arg::*;
        let args = [
            Index(dst_table),
            Index(src_table),
            Popped(0),
            Popped(1),
            Popped(2),
        ];
        self.bulk_call(
            Builtin::TableCopy,
            3,
            &args,
            Some(TrapCode::TableOutOfBounds),
        );
        Ok(())
    }

    pub(crate) fn visit_table_init(&mut self, elem_index: u32, table: u32) -> Result {
        use Arg::*;
        let args = [
            Index(table),
            Index(elem_index),
            Popped(0),
            Popped(1),
            Popped(2),
        ];
        self.bulk_call(
            Builtin::TableInit,
            3,
            &args,
            Some(TrapCode::TableOutOfBounds),
        );
        Ok(())
    }

    pub(crate) fn visit_elem_drop(&mut self, elem_index: u32) -> Result {
        self.bulk_call(Builtin::ElemDrop, 0, &[Arg::Index(elem_index)], None);
        Ok(())
    }
}
