//! Reference values and table accesses.
//!
//! References are pointers: a funcref is the address of a `VMFuncRef` in
//! some instance's vmctx, an externref an opaque non-zero handle, and null
//! is zero for both (see `tern_environ::table_definition`). `ref.func` is
//! therefore a `lea` into the vmctx, and `table.get`/`table.set`/
//! `table.size` are inline loads and stores through the table's
//! definition, with an explicit bounds check that traps with
//! `TableOutOfBounds`.

use crate::emitter::{Emitter, Result};
use crate::regs::SCRATCH;
use crate::values::{Loc, Src};
use tern_asm::{Amode, Cond, PRegSet, RegClass, Scale, Size, TrapCode};
use tern_environ::wasmparser::HeapType;
use tern_environ::{FuncIndex, TableIndex, ValType, table_definition};

impl Emitter<'_> {
    pub(crate) fn visit_ref_null(&mut self, hty: HeapType) -> Result {
        let ty = if hty == HeapType::FUNC {
            ValType::FuncRef
        } else if hty == HeapType::EXTERN {
            ValType::ExternRef
        } else {
            return Err(self.unsupported(format!("ref.null {hty:?}")));
        };
        self.push_const(ty, 0);
        Ok(())
    }

    pub(crate) fn visit_ref_is_null(&mut self) -> Result {
        let value = self.pop_value();
        if let Loc::Const(c) = value.loc {
            self.push_const(ValType::I32, (c == 0).into());
            return Ok(());
        }
        match self.src_of(self.stack.len(), value) {
            Src::Reg(r) => self.asm.test(Size::S64, r, r),
            Src::Mem(m) => self.asm.cmp_mem(Size::S64, crate::values::frame_mem(m), 0),
            Src::Imm(_) => unreachable!("handled above"),
        }
        self.push_flags(Cond::E);
        Ok(())
    }

    pub(crate) fn visit_ref_func(&mut self, function_index: u32) -> Result {
        let dst = self.alloc_reg(RegClass::Int, PRegSet::empty());
        let offset = self.offsets.func_ref(FuncIndex(function_index)) as i32;
        self.asm
            .lea(Size::S64, dst, Amode::base_disp(self.vmctx(), offset));
        self.push_reg(ValType::FuncRef, dst);
        Ok(())
    }

    /// Loads table `table`'s definition into the scratch register and
    /// checks `index` (a register) against its length.
    fn table_bounds_check(&mut self, table: u32, index: tern_asm::PReg) {
        let def = self.offsets.table_def_ptr(TableIndex(table)) as i32;
        self.asm
            .mov_rm(Size::S64, SCRATCH, Amode::base_disp(self.vmctx(), def));
        self.asm.cmp(
            Size::S64,
            index,
            Amode::base_disp(SCRATCH, table_definition::LENGTH as i32),
        );
        let out_of_bounds = self.trap_label(TrapCode::TableOutOfBounds);
        self.asm.jcc(Cond::AE, out_of_bounds);
        self.asm.mov_rm(
            Size::S64,
            SCRATCH,
            Amode::base_disp(SCRATCH, table_definition::BASE as i32),
        );
    }

    pub(crate) fn visit_table_get(&mut self, table: u32) -> Result {
        let ty = self.module.tables[table as usize].element;
        let (_, index) = self.pop();
        let index = self.in_reg(ValType::I32, index, PRegSet::empty());
        let dst = if self.regs.is_free(index) {
            index
        } else {
            self.alloc_reg(RegClass::Int, PRegSet::of(&[index]))
        };
        self.table_bounds_check(table, index);
        self.asm.mov_rm(
            Size::S64,
            dst,
            Amode::base_index(SCRATCH, index, Scale::Eight, 0),
        );
        self.push_reg(ty, dst);
        Ok(())
    }

    pub(crate) fn visit_table_set(&mut self, table: u32) -> Result {
        let (ty, value) = self.pop();
        let (_, index) = self.pop();
        let value = match value {
            Src::Imm(0) => None,
            _ => Some(self.in_reg(ty, value, index.regs())),
        };
        let avoid = value.map_or(PRegSet::empty(), |r| PRegSet::of(&[r]));
        let index = self.in_reg(ValType::I32, index, avoid);
        self.table_bounds_check(table, index);
        let slot = Amode::base_index(SCRATCH, index, Scale::Eight, 0);
        match value {
            Some(r) => self.asm.mov_mr(Size::S64, slot, r),
            None => self.asm.mov_mi(Size::S64, slot, 0),
        }
        Ok(())
    }

    pub(crate) fn visit_table_size(&mut self, table: u32) -> Result {
        let dst = self.alloc_reg(RegClass::Int, PRegSet::empty());
        let def = self.offsets.table_def_ptr(TableIndex(table)) as i32;
        self.asm
            .mov_rm(Size::S64, SCRATCH, Amode::base_disp(self.vmctx(), def));
        self.asm.mov_rm(
            Size::S32,
            dst,
            Amode::base_disp(SCRATCH, table_definition::LENGTH as i32),
        );
        self.push_reg(ValType::I32, dst);
        Ok(())
    }
}
