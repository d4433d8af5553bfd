//! Calls: to the module's own functions, to imported functions, through a
//! table, and to the runtime's builtins.
//!
//! A call follows the shared ABI (`tern_environ::abi`). Before it, every
//! value in a register that calls clobber is spilled, one register at a
//! time as usual; values in `rbx`/`r12`/`r13`, the vmctx in `r14` and the
//! memory base in `r15` survive the call untouched. Arguments go to their
//! stack slots first (reading registers before any argument register is
//! written), then into their registers as one parallel move, then the
//! callee's vmctx goes to `rdi` (arguments may have been read from `rdi`).
//! Results beyond the first come back through a return area in the
//! outgoing-argument space and are copied to their value-stack slots.

use crate::emitter::{Emitter, RegFill, RegMove, Result};
use crate::frame::ArgAssigner;
use crate::regs::SCRATCH;
use crate::values::{Loc, Src, Value, frame_mem};
use tern_asm::{
    Amode, Cond, PReg, PRegSet, RegClass, RegMemImm, RelocTarget, Scale, Size, TrapCode, regs,
};
use tern_environ::abi::{INT_ARG_REGS, VMCTX_REG, first_result_reg};
use tern_environ::builtins::Builtin;
use tern_environ::{
    FuncIndex, FuncType, TableIndex, TypeIndex, VMOffsets, func_ref, table_definition,
};

/// What a call calls.
#[derive(Clone, Copy, Debug)]
enum Callee {
    /// A function of this module, by defined index (`call rel32`).
    Defined(u32),
    /// An imported function, through its `VMFuncRef` in the vmctx.
    Imported(FuncIndex),
    /// The `VMFuncRef` in this register (`call_indirect`).
    Indirect(PReg),
}

impl Emitter<'_> {
    /// Pops the top `n` values into `self.operands`, deepest first.
    pub(crate) fn pop_operands(&mut self, n: usize) {
        let start = self.stack.len() - n;
        self.operands.clear();
        for pos in start..self.stack.len() {
            let value = self.stack[pos];
            let src = self.src_of(pos, value);
            match value.loc {
                Loc::Reg(r) => self.regs.release(r),
                Loc::Local(_) => self.local_aliases -= 1,
                _ => {}
            }
            self.operands.push((value.ty, src));
        }
        self.stack.truncate(start);
    }

    pub(crate) fn visit_call(&mut self, function_index: u32) -> Result {
        let func = FuncIndex(function_index);
        let ty = self.module.func_type(func);
        let callee = match self.module.defined_func_index(func) {
            Some(defined) => Callee::Defined(defined.0),
            None => Callee::Imported(func),
        };
        self.emit_call(ty, callee);
        Ok(())
    }

    pub(crate) fn visit_call_indirect(&mut self, type_index: u32, table_index: u32) -> Result {
        let ty_index = TypeIndex(type_index);
        let ty = &self.module.types[ty_index.index()];
        let (_, index) = self.pop();
        // The function reference must survive the argument moves: keep it
        // out of the argument registers.
        let arg_regs = PRegSet::of(&INT_ARG_REGS).with(VMCTX_REG);
        let func_ref_reg = self.alloc_reg(RegClass::Int, arg_regs.union(index.regs()));
        let index = self.in_reg(
            tern_environ::ValType::I32,
            index,
            PRegSet::of(&[func_ref_reg]),
        );
        let table = self.offsets.table_def_ptr(TableIndex(table_index)) as i32;
        self.asm
            .mov_rm(Size::S64, SCRATCH, Amode::base_disp(self.vmctx(), table));
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
        self.asm.mov_rm(
            Size::S64,
            func_ref_reg,
            Amode::base_index(SCRATCH, index, Scale::Eight, 0),
        );
        self.asm.test(Size::S64, func_ref_reg, func_ref_reg);
        let null = self.trap_label(TrapCode::IndirectCallToNull);
        self.asm.jcc(Cond::E, null);
        let type_id = self.offsets.type_id(ty_index) as i32;
        self.asm
            .mov_rm(Size::S32, SCRATCH, Amode::base_disp(self.vmctx(), type_id));
        self.asm.cmp(
            Size::S32,
            SCRATCH,
            Amode::base_disp(func_ref_reg, func_ref::TYPE_ID as i32),
        );
        let mismatch = self.trap_label(TrapCode::BadSignature);
        self.asm.jcc(Cond::NE, mismatch);
        self.emit_call(ty, Callee::Indirect(func_ref_reg));
        Ok(())
    }

    fn emit_call(&mut self, ty: &FuncType, callee: Callee) {
        self.pop_operands(ty.params.len());
        self.spill_call_clobbered();

        // The outgoing area: stack arguments, then the return area.
        let mut args = ArgAssigner::new();
        for &param in ty.params.iter() {
            let _ = args.next(param.is_int_class());
        }
        let ret_area_ptr = (ty.results.len() > 1).then(|| args.next(true));
        let stack_args = args.stack_size();
        let ret_area = (8 * (ty.results.len().saturating_sub(1)) as u32).div_ceil(16) * 16;
        let outgoing = stack_args + ret_area;
        if outgoing > 0 {
            self.asm
                .sub(Size::S64, regs::RSP, RegMemImm::Imm(outgoing as i32));
            self.frame.max_outgoing = self.frame.max_outgoing.max(outgoing);
        }

        let operands = std::mem::take(&mut self.operands);
        let mut moves = std::mem::take(&mut self.reg_moves);
        let mut fills = std::mem::take(&mut self.reg_fills);
        moves.clear();
        fills.clear();
        let mut args = ArgAssigner::new();
        for &(ty, src) in &operands {
            match args.next(ty.is_int_class()) {
                Ok(dst) => match src {
                    Src::Reg(s) if s == dst => {}
                    Src::Reg(s) => moves.push(RegMove { dst, src: s, ty }),
                    _ => fills.push(RegFill { dst, src, ty }),
                },
                Err(offset) => {
                    let slot = Amode::base_disp(regs::RSP, offset as i32);
                    match src {
                        Src::Reg(r) => self.store_mem(ty, slot, r),
                        Src::Imm(c) => self.store_const(ty, slot, c),
                        Src::Mem(m) => self.copy_mem(ty, slot, frame_mem(m)),
                    }
                }
            }
        }
        let ret_area_addr = Amode::base_disp(regs::RSP, stack_args as i32);
        if let Some(Err(offset)) = ret_area_ptr {
            self.asm.lea(Size::S64, SCRATCH, ret_area_addr);
            self.asm.mov_mr(
                Size::S64,
                Amode::base_disp(regs::RSP, offset as i32),
                SCRATCH,
            );
        }
        self.parallel_move(&mut moves);
        for fill in &fills {
            self.load(fill.ty, fill.dst, fill.src);
        }
        if let Some(Ok(reg)) = ret_area_ptr {
            self.asm.lea(Size::S64, reg, ret_area_addr);
        }
        self.reg_moves = moves;
        self.reg_fills = fills;
        self.operands = operands;

        match callee {
            Callee::Defined(index) => {
                self.asm.mov_rm(Size::S64, VMCTX_REG, self.vmctx());
                self.asm.call(RelocTarget::Function(index));
            }
            Callee::Imported(func) => {
                let base = self.offsets.func_ref(func) as i32;
                self.asm.mov_rm(
                    Size::S64,
                    VMCTX_REG,
                    Amode::base_disp(self.vmctx(), base + func_ref::VMCTX as i32),
                );
                self.asm.call_ind(Amode::base_disp(
                    self.vmctx(),
                    base + func_ref::WASM_CALL as i32,
                ));
            }
            Callee::Indirect(reg) => {
                self.asm.mov_rm(
                    Size::S64,
                    VMCTX_REG,
                    Amode::base_disp(reg, func_ref::VMCTX as i32),
                );
                self.asm
                    .call_ind(Amode::base_disp(reg, func_ref::WASM_CALL as i32));
            }
        }

        for (i, &result) in ty.results.iter().enumerate() {
            if i == 0 {
                self.push_reg(result, first_result_reg(result));
            } else {
                let slot = self.slot_offset(self.stack.len());
                let area = ret_area_addr.offset(8 * (i as i32 - 1));
                self.copy_mem(result, frame_mem(slot), area);
                self.stack.push(Value::new(result, Loc::Spilled));
            }
        }
        if outgoing > 0 {
            self.asm
                .add(Size::S64, regs::RSP, RegMemImm::Imm(outgoing as i32));
        }
    }

    /// Calls `builtin` with the arguments in `self.operands` (at most five,
    /// integers), returning the register holding its result (`rax`).
    pub(crate) fn call_builtin(&mut self, builtin: Builtin) -> PReg {
        debug_assert_eq!(self.operands.len(), builtin.num_params());
        self.spill_call_clobbered();
        let operands = std::mem::take(&mut self.operands);
        let mut moves = std::mem::take(&mut self.reg_moves);
        let mut fills = std::mem::take(&mut self.reg_fills);
        moves.clear();
        fills.clear();
        for (&(ty, src), &dst) in operands.iter().zip(INT_ARG_REGS.iter()) {
            match src {
                Src::Reg(s) if s == dst => {}
                Src::Reg(s) => moves.push(RegMove { dst, src: s, ty }),
                _ => fills.push(RegFill { dst, src, ty }),
            }
        }
        self.parallel_move(&mut moves);
        for fill in &fills {
            self.load(fill.ty, fill.dst, fill.src);
        }
        self.reg_moves = moves;
        self.reg_fills = fills;
        self.operands = operands;
        self.asm.mov_rm(Size::S64, VMCTX_REG, self.vmctx());
        self.asm.mov_rm(
            Size::S64,
            regs::RAX,
            Amode::base_disp(self.vmctx(), VMOffsets::BUILTINS as i32),
        );
        self.asm
            .call_ind(Amode::base_disp(regs::RAX, builtin.table_offset() as i32));
        regs::RAX
    }
}
