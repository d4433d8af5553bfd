//! `local.get/set/tee`, `global.get/set`, constants, `drop` and `select`.
//!
//! `local.get` emits nothing: a local in a register is shared by reference
//! count, a constant local is pushed as a constant, and a local in its
//! home slot is pushed as an alias that reads the slot when used (as a
//! memory operand, often). `local.set` makes the local refer to the
//! popped value's register (or constant) without a copy; only a value in a
//! slot is loaded into a free register (or copied home if none is free).

use crate::emitter::{Emitter, Result};
use crate::regs::{SCRATCH, class_of};
use crate::values::{Loc, Src, Value, frame_mem, imm32, int_size};
use tern_asm::{Amode, Cond, PRegSet, RegMem, Size};
use tern_environ::wasmparser;
use tern_environ::{GlobalIndex, ValType, convert_val_type};

impl Emitter<'_> {
    pub(crate) fn visit_local_get(&mut self, index: u32) -> Result {
        let local = self.locals.get(index);
        match local.loc {
            Loc::Reg(r) => self.push_reg(local.ty, r),
            Loc::Const(c) => self.push_const(local.ty, c),
            Loc::Spilled => {
                self.stack.push(Value::new(local.ty, Loc::Local(index)));
                self.local_aliases += 1;
            }
            Loc::Local(_) | Loc::Flags(_) => {
                unreachable!("a local is a register, constant or slot")
            }
        }
        Ok(())
    }

    pub(crate) fn visit_local_set(&mut self, index: u32) -> Result {
        self.set_local(index);
        Ok(())
    }

    pub(crate) fn visit_local_tee(&mut self, index: u32) -> Result {
        self.set_local(index);
        self.visit_local_get(index)
    }

    fn set_local(&mut self, index: u32) {
        if let Some(Value {
            loc: Loc::Local(j), ..
        }) = self.stack.last()
            && *j == index
        {
            // `local.set $x (local.get $x)`.
            self.pop_value();
            return;
        }
        let (ty, src) = self.pop();
        if self.local_aliases > 0 {
            self.materialize_aliases(index, src.regs());
        }
        if let Loc::Reg(old) = self.locals.get(index).loc {
            self.regs.release(old);
        }
        let loc = match src {
            Src::Reg(r) => {
                self.regs.acquire(r);
                Loc::Reg(r)
            }
            Src::Imm(c) => Loc::Const(c),
            Src::Mem(_) => match self.regs.free_reg(class_of(ty), PRegSet::empty()) {
                Some(r) => {
                    self.load(ty, r, src);
                    self.regs.acquire(r);
                    Loc::Reg(r)
                }
                None => {
                    self.store_to_frame(ty, self.locals.home(index), src);
                    Loc::Spilled
                }
            },
        };
        self.locals.set(index, loc);
    }

    /// Gives every alias of local `index` on the stack a copy of its value
    /// (the local is about to change). `avoid`: registers still needed.
    fn materialize_aliases(&mut self, index: u32, avoid: PRegSet) {
        let home = self.locals.home(index);
        for pos in 0..self.stack.len() {
            if self.stack[pos].loc != Loc::Local(index) {
                continue;
            }
            let ty = self.stack[pos].ty;
            match self.regs.free_reg(class_of(ty), avoid) {
                Some(r) => {
                    self.load(ty, r, Src::Mem(home));
                    self.regs.acquire(r);
                    self.stack[pos].loc = Loc::Reg(r);
                    self.reg_floor = self.reg_floor.min(pos);
                }
                None => {
                    let slot = self.slot_offset(pos);
                    self.copy_mem(ty, frame_mem(slot), frame_mem(home));
                    self.stack[pos].loc = Loc::Spilled;
                }
            }
            self.local_aliases -= 1;
            if self.local_aliases == 0 {
                break;
            }
        }
    }

    /// The address of global `index`'s value (through the scratch register
    /// for an imported global).
    fn global_addr(&mut self, index: u32) -> Amode {
        let global = GlobalIndex(index);
        if self.module.is_imported_global(global) {
            let ptr = self.offsets.imported_global_ptr(global) as i32;
            self.asm
                .mov_rm(Size::S64, SCRATCH, Amode::base_disp(self.vmctx(), ptr));
            Amode::base_disp(SCRATCH, 0)
        } else {
            let defined = index - self.module.num_imported_globals;
            Amode::base_disp(self.vmctx(), self.offsets.defined_global(defined) as i32)
        }
    }

    pub(crate) fn visit_global_get(&mut self, index: u32) -> Result {
        let ty = self.module.globals[index as usize].content;
        let dst = self.alloc_for(ty, PRegSet::empty());
        let addr = self.global_addr(index);
        self.load_mem(ty, dst, addr);
        self.push_reg(ty, dst);
        Ok(())
    }

    pub(crate) fn visit_global_set(&mut self, index: u32) -> Result {
        let (ty, src) = self.pop();
        let imm = match src {
            Src::Imm(c) => imm32(ty, c),
            _ => None,
        };
        if let Some(imm) = imm {
            let addr = self.global_addr(index);
            self.asm.mov_mi(int_size(ty), addr, imm);
        } else {
            let value = self.in_reg(ty, src, PRegSet::empty());
            let addr = self.global_addr(index);
            self.store_mem(ty, addr, value);
        }
        Ok(())
    }

    pub(crate) fn visit_i32_const(&mut self, value: i32) -> Result {
        self.push_const(ValType::I32, value.into());
        Ok(())
    }

    pub(crate) fn visit_i64_const(&mut self, value: i64) -> Result {
        self.push_const(ValType::I64, value);
        Ok(())
    }

    pub(crate) fn visit_f32_const(&mut self, value: wasmparser::Ieee32) -> Result {
        self.push_const(ValType::F32, value.bits().into());
        Ok(())
    }

    pub(crate) fn visit_f64_const(&mut self, value: wasmparser::Ieee64) -> Result {
        self.push_const(ValType::F64, value.bits() as i64);
        Ok(())
    }

    pub(crate) fn visit_drop(&mut self) -> Result {
        self.pop_value();
        Ok(())
    }

    pub(crate) fn visit_select(&mut self) -> Result {
        self.select()
    }

    pub(crate) fn visit_typed_select(&mut self, ty: wasmparser::ValType) -> Result {
        convert_val_type(ty).map_err(|e| self.unsupported(e))?;
        self.select()
    }

    /// `select`: `cmov` for integers, a short branch for floats. A pending
    /// comparison is used directly as the condition; any other condition is
    /// tested after the operands are in registers.
    fn select(&mut self) -> Result {
        let cond = self.pop_value();
        let cond_src = match cond.loc {
            Loc::Const(c) => {
                let (ty, if_false) = self.pop();
                let (_, if_true) = self.pop();
                self.push_src_here(ty, if c != 0 { if_true } else { if_false });
                return Ok(());
            }
            Loc::Flags(_) => None,
            _ => Some(self.src_of(self.stack.len(), cond)),
        };
        let flags = match cond.loc {
            Loc::Flags(c) => Some(c),
            _ => None,
        };
        let (ty, if_false) = self.pop();
        let (_, if_true) = self.pop();
        // Loading the operands must not disturb a pending comparison.
        self.keep_flags = flags.is_some();
        let avoid = if_false
            .regs()
            .union(cond_src.map_or(PRegSet::empty(), Src::regs));
        let dst = self.in_owned_reg(ty, if_true, avoid);
        let avoid = avoid.with(dst);
        if ty.is_int_class() {
            let if_false = match if_false {
                Src::Reg(r) => RegMem::Reg(r.into()),
                Src::Mem(offset) => RegMem::Mem(frame_mem(offset)),
                Src::Imm(_) => RegMem::Reg(self.in_reg(ty, if_false, avoid).into()),
            };
            let cond = self.test_condition(flags, cond_src);
            self.asm.cmov(cond.invert(), int_size(ty), dst, if_false);
        } else {
            let cond = self.test_condition(flags, cond_src);
            let done = self.asm.new_label();
            self.asm.jcc(cond, done);
            self.load(ty, dst, if_false);
            self.asm.bind_label(done);
        }
        self.keep_flags = false;
        self.push_reg(ty, dst);
        Ok(())
    }

    /// Emits the test of a select/branch condition that is not a pending
    /// comparison, returning the condition code under which it is true.
    fn test_condition(&mut self, flags: Option<Cond>, cond: Option<Src>) -> Cond {
        match (flags, cond) {
            (Some(c), _) => c,
            (None, Some(Src::Reg(r))) => {
                self.asm.test(Size::S32, r, r);
                Cond::NE
            }
            (None, Some(Src::Mem(offset))) => {
                self.asm.cmp_mem(Size::S32, frame_mem(offset), 0);
                Cond::NE
            }
            _ => unreachable!("a condition is flags, a register or memory"),
        }
    }

    /// Pushes a popped operand back as the result of the operator being
    /// compiled (a slot operand is copied to the new position's slot).
    pub(crate) fn push_src_here(&mut self, ty: ValType, src: Src) {
        match src {
            Src::Mem(offset) if offset != self.slot_offset(self.stack.len()) => {
                let reg = self.in_reg(ty, src, PRegSet::empty());
                self.push_reg(ty, reg);
            }
            _ => self.push_src(ty, src),
        }
    }
}
