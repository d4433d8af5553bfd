//! The stack frame: layout, prologue, return sequence, and finishing the
//! function (out-of-line trap stubs, patching sizes known only at the end).
//!
//! ```text
//! rbp + 16 + 8k   stack-passed parameter k (its home: never copied)
//! rbp + 8         return address
//! rbp             caller's rbp
//! rbp - 8         saved r14 (the caller's; ours holds the vmctx)
//! rbp - 16        saved r15 (if the module has a memory: its base)
//! rbp - 24..40    saved rbx, r12, r13 (only if used)
//! rbp - 48        the return-area pointer (functions with 2+ results)
//! rbp - 56 - 8i   home of frame-resident local i
//!  ...            slot of value-stack position p, below the locals
//! rsp             16-byte aligned; calls push their stack arguments below
//! ```
//!
//! Some things are known only after the body: the frame size (the number
//! of value-stack slots used), the callee-saved registers used, and whether
//! the body uses the vmctx and memory-base registers at all (a leaf
//! function doing arithmetic uses neither). The prologue is emitted first
//! with placeholders — a 32-bit `sub rsp` immediate, a 32-bit displacement
//! in the stack-limit check, and the save (and setup) instruction of every
//! callee-saved register it might use — which [`Emitter::finish`] patches
//! in the finished code: unneeded saves and setups become `nop`s. The
//! return sequence is emitted once, at the end, when both are known; every
//! `return` and branch to the function's end jumps to it. Both are
//! copied from templates encoded once per module (`frame_template.rs`),
//! but for the zeroing of many locals and the stack-overflow branch.
//!
//! The stack-limit check compares the lowest address the function will
//! touch — its frame plus the largest outgoing argument area of its calls —
//! against the store's limit, before anything is stored below `rsp`, and
//! jumps to an out-of-line `ud2` recorded as `StackOverflow`.

use crate::emitter::{Emitter, Result};
use crate::frame_template::{CALLEE_SAVE_LEN, CALLEE_SAVES, FIXED_AREA, ZEROED_HOMES};
use crate::regs::{INT_CALLEE_SAVED, SCRATCH};
use crate::values::{Loc, frame_mem};
use tern_asm::{Amode, Cond, PReg, RegMemImm, Size, TrapCode, regs};
use tern_environ::abi::{FLOAT_ARG_REGS, INT_ARG_REGS};
use tern_environ::{CompiledFunction, ValType};

/// Where the return-area pointer is kept.
const RET_AREA_PTR_SLOT: i32 = -48;
/// The largest frame the compiler accepts.
const MAX_FRAME: u64 = 1 << 30;

/// Sizes and patch sites of the frame.
#[derive(Default, Clone)]
pub(crate) struct FrameLayout {
    /// Bytes of locals living in the frame.
    locals_size: u32,
    /// Value-stack slots used (the highest position written plus one).
    max_slots: u32,
    /// The largest outgoing area (stack arguments and return area) of a
    /// call.
    pub(crate) max_outgoing: u32,
    /// Where the return-area pointer of this function is, from `rbp`.
    pub(crate) ret_area_ptr: Option<i32>,
    /// The number of declared (non-parameter) locals, whose homes follow
    /// `declared_from` bytes of parameter homes.
    declared_locals: u32,
    declared_from: u32,
    stack_check_patch: u32,
    frame_size_patch: u32,
    /// Where the saves of the allocatable callee-saved registers start.
    callee_save_patches: [u32; 3],
    /// The save and the setup of the vmctx register, as (start, end).
    vmctx_patches: [(u32, u32); 2],
    /// The save and the load of the memory-base register.
    heap_base_patches: [(u32, u32); 2],
}

/// Where the ABI passes each parameter: a register, or the stack at an
/// offset from the first stack argument. Mirrors
/// [`tern_environ::abi::SigLocations`] without allocating.
pub(crate) struct ArgAssigner {
    ints: usize,
    floats: usize,
    stack: u32,
}

impl ArgAssigner {
    pub(crate) fn new() -> ArgAssigner {
        ArgAssigner {
            ints: 0,
            floats: 0,
            stack: 0,
        }
    }

    /// The location of the next argument of class `int`: `Ok(register)` or
    /// `Err(stack offset)`.
    pub(crate) fn next(&mut self, int: bool) -> std::result::Result<PReg, u32> {
        let reg = if int {
            let r = INT_ARG_REGS.get(self.ints).copied();
            self.ints += 1;
            r
        } else {
            let r = FLOAT_ARG_REGS.get(self.floats).copied();
            self.floats += 1;
            r
        };
        reg.ok_or_else(|| {
            let offset = self.stack;
            self.stack += 8;
            offset
        })
    }

    /// Bytes of stack arguments assigned so far, rounded up to 16.
    pub(crate) fn stack_size(&self) -> u32 {
        self.stack.div_ceil(16) * 16
    }
}

impl Emitter<'_> {
    /// The `rbp` offset of value-stack position `pos`'s slot.
    pub(crate) fn slot_offset(&mut self, pos: usize) -> i32 {
        let n = pos as u32 + 1;
        self.frame.max_slots = self.frame.max_slots.max(n);
        -(FIXED_AREA + self.frame.locals_size as i32 + 8 * n as i32)
    }

    /// Sets up the parameters as the first locals, where the ABI passes
    /// them.
    pub(crate) fn declare_params(&mut self) {
        self.regs.reset();
        let mut args = ArgAssigner::new();
        for &ty in self.func_type.params.iter() {
            match args.next(ty.is_int_class()) {
                Ok(reg) => {
                    let home = self.next_frame_home();
                    self.locals.push(ty, Loc::Reg(reg), home);
                    self.regs.acquire(reg);
                }
                Err(offset) => self.locals.push(ty, Loc::Spilled, 16 + offset as i32),
            }
        }
        self.frame.ret_area_ptr =
            (self.func_type.results.len() > 1).then(|| match args.next(true) {
                Ok(_) => RET_AREA_PTR_SLOT,
                Err(offset) => 16 + offset as i32,
            });
    }

    /// Declares `count` more locals of type `ty`. They start in their home
    /// slots, which the prologue zeroes.
    pub(crate) fn declare_locals(&mut self, count: u32, ty: ValType) -> Result {
        let total = self.locals.len() as u64 + u64::from(count);
        if total * 8 > MAX_FRAME {
            return Err(self.limit(format!("{total} locals do not fit in a frame")));
        }
        if count > 0 && self.frame.declared_locals == 0 {
            self.frame.declared_from = self.frame.locals_size;
        }
        self.frame.declared_locals += count;
        for _ in 0..count {
            let home = self.next_frame_home();
            self.locals.push(ty, Loc::Spilled, home);
        }
        Ok(())
    }

    /// Zeroes the home slots of the declared (non-parameter) locals: a
    /// store each (copied from the template when it has them), or a loop
    /// for many.
    fn zero_declared_locals(&mut self) {
        let count = self.frame.declared_locals;
        if count == 0 {
            return;
        }
        let first = (self.frame.declared_from / 8) as usize;
        let t = self.templates;
        if count <= 8 && first + count as usize <= ZEROED_HOMES {
            t.copy(t.zero, &mut self.asm);
            let stores = t.zero_stores[first]..t.zero_stores[first + count as usize];
            t.copy_range(stores, &mut self.asm);
            return;
        }
        // The slots occupy [rbp - end, rbp - end + 8 * count).
        let top = -(FIXED_AREA + self.frame.declared_from as i32);
        let a = &mut self.asm;
        a.xor(Size::S32, SCRATCH, SCRATCH);
        if count <= 8 {
            for i in 1..=count as i32 {
                a.mov_mr(Size::S64, frame_mem(top - 8 * i), SCRATCH);
            }
        } else {
            let bytes = 8 * count as i32;
            let again = a.new_label();
            a.mov_ri(Size::S64, regs::RAX, (-(bytes as i64)) as u64);
            a.bind_label(again);
            a.mov_mr(
                Size::S64,
                Amode::base_index(regs::RBP, regs::RAX, tern_asm::Scale::One, top),
                SCRATCH,
            );
            a.add(Size::S64, regs::RAX, RegMemImm::Imm(8));
            a.jcc(Cond::NE, again);
        }
    }

    fn next_frame_home(&mut self) -> i32 {
        self.frame.locals_size += 8;
        -(FIXED_AREA + self.frame.locals_size as i32)
    }

    /// Emits the prologue (see the module docs) from the templates of
    /// `frame_template.rs`.
    pub(crate) fn emit_prologue(&mut self) {
        let t = self.templates;
        let frame = &mut self.frame;
        let at = t.copy(t.head, &mut self.asm);
        frame.stack_check_patch = t.head.rebase(t.stack_check_field, at);
        let overflow = self.trap_label(TrapCode::StackOverflow);
        self.asm.jcc(Cond::B, overflow);
        let (t, frame) = (self.templates, &mut self.frame);
        let at = t.copy(t.saves, &mut self.asm);
        frame.frame_size_patch = t.saves.rebase(t.frame_size_field, at);
        frame.vmctx_patches[0] = t.saves.rebase_range(&t.vmctx_save, at);
        frame.heap_base_patches[0] = t.saves.rebase_range(&t.heap_base_save, at);
        for (patch, save) in frame.callee_save_patches.iter_mut().zip(&t.callee_saves) {
            *patch = t.saves.rebase(save.start, at);
        }
        self.zero_declared_locals();
        let (t, frame) = (self.templates, &mut self.frame);
        let at = t.copy(t.setup, &mut self.asm);
        frame.vmctx_patches[1] = t.setup.rebase_range(&t.vmctx_setup, at);
        frame.heap_base_patches[1] = t.setup.rebase_range(&t.heap_base_setup, at);
        if self.frame.ret_area_ptr == Some(RET_AREA_PTR_SLOT) {
            let mut args = ArgAssigner::new();
            for &ty in self.func_type.params.iter() {
                let _ = args.next(ty.is_int_class());
            }
            let reg = args
                .next(true)
                .expect("the slot is used only for a register");
            self.asm
                .mov_mr(Size::S64, frame_mem(RET_AREA_PTR_SLOT), reg);
        }
    }

    /// Emits the return sequence: the results beyond the first (already in
    /// their slots) are written to the caller's return area, callee-saved
    /// registers are restored, and the frame is popped.
    pub(crate) fn emit_return_sequence(&mut self) {
        if let Some(ptr) = self.frame.ret_area_ptr {
            self.asm.mov_rm(Size::S64, SCRATCH, frame_mem(ptr));
            let func_type = self.func_type;
            for (i, &ty) in func_type.results.iter().enumerate().skip(1) {
                let slot = self.slot_offset(i);
                let area = Amode::base_disp(SCRATCH, 8 * (i as i32 - 1));
                let temp = if ty.is_int_class() {
                    regs::RCX
                } else {
                    crate::regs::FSCRATCH
                };
                self.load_mem(ty, temp, frame_mem(slot));
                // Integers are written as 8 bytes (i32s zero-extended).
                let stored = if ty == ValType::I32 { ValType::I64 } else { ty };
                self.store_mem(stored, area, temp);
            }
        }
        let touched = self.regs.touched_callee_saved();
        let used = [
            touched.contains(CALLEE_SAVES[0].0),
            touched.contains(CALLEE_SAVES[1].0),
            touched.contains(CALLEE_SAVES[2].0),
            self.uses_vmctx.get(),
            self.has_memory && self.uses_heap_base.get(),
        ];
        let t = self.templates;
        for (restore, used) in t.restores.iter().zip(used) {
            if used {
                t.copy_range(restore.clone(), &mut self.asm);
            }
        }
        t.copy_range(t.leave.clone(), &mut self.asm);
    }

    /// Emits the out-of-line code, patches the prologue and returns the
    /// function.
    pub(crate) fn finish(&mut self) -> Result<CompiledFunction> {
        for code in TrapCode::ALL {
            if let Some(label) = self.trap_labels[code.to_u8() as usize] {
                self.asm.bind_label(label);
                self.trap_here(code);
            }
        }
        let frame_size = (FIXED_AREA as u64
            + u64::from(self.frame.locals_size)
            + 8 * u64::from(self.frame.max_slots))
        .div_ceil(16)
            * 16;
        let checked = frame_size + u64::from(self.frame.max_outgoing);
        if checked > MAX_FRAME {
            return Err(self.limit(format!("a stack frame of {checked} bytes")));
        }
        debug_assert!(INT_CALLEE_SAVED.len() == CALLEE_SAVES.len());
        let touched = self.regs.touched_callee_saved();
        let finished = self
            .asm
            .finish()
            .expect("every label the baseline compiler uses is bound");
        let mut code = finished.code.to_vec();
        let patch = |code: &mut Vec<u8>, at: u32, value: i32| {
            code[at as usize..at as usize + 4].copy_from_slice(&value.to_le_bytes());
        };
        patch(&mut code, self.frame.stack_check_patch, -(checked as i32));
        patch(&mut code, self.frame.frame_size_patch, frame_size as i32);
        for (i, (reg, _)) in CALLEE_SAVES.into_iter().enumerate() {
            if !touched.contains(reg) {
                // (Of a constant length, for a copy without a call.)
                let at = self.frame.callee_save_patches[i] as usize;
                tern_asm::fill_with_nops(&mut code[at..at + CALLEE_SAVE_LEN]);
            }
        }
        let unused = [
            (!self.uses_vmctx.get(), self.frame.vmctx_patches),
            (!self.uses_heap_base.get(), self.frame.heap_base_patches),
        ];
        for (start, end) in unused.into_iter().filter(|u| u.0).flat_map(|u| u.1) {
            tern_asm::fill_with_nops(&mut code[start as usize..end as usize]);
        }
        Ok(CompiledFunction {
            code,
            alignment: finished.alignment,
            relocs: finished.relocs.to_vec(),
            traps: finished.traps.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_environ::FuncType;
    use tern_environ::abi::{ArgLoc, SigLocations};

    /// The allocation-free assigner agrees with the ABI's reference
    /// implementation.
    #[test]
    fn arg_assigner_matches_the_abi() {
        use ValType::*;
        let signatures = [
            FuncType::new([], []),
            FuncType::new([I32, F64, I64, I32, I32, I32, I32, F32], [I32]),
            FuncType::new([F32; 10], [F32, I64, I32]),
            FuncType::new([I64; 5], [I32, I32]),
            FuncType::new([I64; 7], [I32, I32, F64]),
        ];
        for ty in signatures {
            let expected = SigLocations::new(&ty);
            let mut args = ArgAssigner::new();
            for (i, &param) in ty.params.iter().enumerate() {
                let loc = match args.next(param.is_int_class()) {
                    Ok(r) => ArgLoc::Reg(r),
                    Err(offset) => ArgLoc::Stack(offset),
                };
                assert_eq!(loc, expected.params[i], "{ty}: parameter {i}");
            }
            if ty.results.len() > 1 {
                let loc = match args.next(true) {
                    Ok(r) => ArgLoc::Reg(r),
                    Err(offset) => ArgLoc::Stack(offset),
                };
                assert_eq!(Some(loc), expected.ret_area_ptr, "{ty}");
            }
            assert_eq!(args.stack_size(), expected.stack_args_size, "{ty}");
        }
    }
}
