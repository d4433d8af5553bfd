//! Getting registers: allocation, spilling one register, evicting a
//! register needed for a fixed purpose, and clearing the caller-saved
//! registers before a call.
//!
//! Allocation takes a free register if there is one. Otherwise it spills
//! exactly one register — the one held by the entry deepest in the value
//! stack (the value that will be needed last), or failing that by a local —
//! and returns it. Spilling a register stores each entry that refers to it
//! to that entry's own slot, and each local to its home slot. When a local
//! and stack entries of the same type share the register (after a
//! `local.get`), the local is stored once and the entries become aliases of
//! it, so no second store is needed.
//!
//! Callers describe the registers they still read through `avoid`: popped
//! operands no longer hold a reference, so nothing else protects them from
//! being handed out again within the same operator.

use crate::emitter::Emitter;
use crate::regs::{CALL_CLOBBERED, allocatable, class_of};
use crate::values::{Loc, Src, frame_mem};
use tern_asm::{PReg, PRegSet, RegClass};
use tern_environ::ValType;

impl Emitter<'_> {
    /// A register of `class` outside `avoid` that nothing refers to,
    /// spilling one if none is free.
    pub(crate) fn alloc_reg(&mut self, class: RegClass, avoid: PRegSet) -> PReg {
        if let Some(reg) = self.regs.free_reg(class, avoid) {
            self.regs.touch(reg);
            return reg;
        }
        let victim = self.choose_victim(class, avoid);
        self.spill_reg(victim);
        self.regs.touch(victim);
        victim
    }

    /// A register for a value of type `ty`.
    pub(crate) fn alloc_for(&mut self, ty: ValType, avoid: PRegSet) -> PReg {
        self.alloc_reg(class_of(ty), avoid)
    }

    /// The register to spill: the one held by the deepest stack entry, or
    /// else by a local.
    ///
    /// The search starts at `reg_floor`, below which no entry is known to
    /// be in a register (entries only leave registers while deeper in the
    /// stack), so that pushing many values in a row does not rescan the
    /// spilled ones each time. Should that hint ever be wrong, the whole
    /// stack is searched before the locals.
    fn choose_victim(&mut self, class: RegClass, avoid: PRegSet) -> PReg {
        let candidates = allocatable(class).difference(avoid);
        let held = |loc: Loc| match loc {
            Loc::Reg(r) if candidates.contains(r) => Some(r),
            _ => None,
        };
        let floor = self.reg_floor.min(self.stack.len());
        let first_reg = self.stack[floor..]
            .iter()
            .position(|v| matches!(v.loc, Loc::Reg(_)))
            .map_or(self.stack.len(), |p| floor + p);
        self.reg_floor = first_reg;
        self.stack[first_reg..]
            .iter()
            .find_map(|v| held(v.loc))
            .or_else(|| self.stack[..first_reg].iter().find_map(|v| held(v.loc)))
            .or_else(|| {
                let locals = &self.locals;
                locals
                    .away_unchecked()
                    .iter()
                    .find_map(|&i| held(locals.get(i).loc))
            })
            .expect("every register of a class cannot be both free-less and unreferenced")
    }

    /// Stores every value held in `reg` to memory, leaving `reg` free.
    pub(crate) fn spill_reg(&mut self, reg: PReg) {
        let stack_refs = self.stack.iter().filter(|v| v.loc == Loc::Reg(reg)).count() as u32;
        let mut local_refs = self.regs.uses(reg) - stack_refs;
        // The local that now holds the value in its home slot, if any.
        let mut stored_local: Option<(u32, ValType)> = None;
        let mut k = 0;
        while local_refs > 0 {
            let i = self.locals.away_unchecked()[k];
            k += 1;
            let local = self.locals.get(i);
            if local.loc == Loc::Reg(reg) {
                self.store_mem(local.ty, frame_mem(self.locals.home(i)), reg);
                self.locals.set(i, Loc::Spilled);
                self.regs.release(reg);
                stored_local.get_or_insert((i, local.ty));
                local_refs -= 1;
            }
        }
        let mut remaining = stack_refs;
        let mut pos = self.stack.len();
        while remaining > 0 {
            pos -= 1;
            let value = self.stack[pos];
            if value.loc != Loc::Reg(reg) {
                continue;
            }
            match stored_local {
                Some((local, ty)) if ty == value.ty => {
                    self.stack[pos].loc = Loc::Local(local);
                    self.local_aliases += 1;
                }
                _ => {
                    let offset = self.slot_offset(pos);
                    self.store_mem(value.ty, frame_mem(offset), reg);
                    self.stack[pos].loc = Loc::Spilled;
                }
            }
            self.regs.release(reg);
            remaining -= 1;
        }
        debug_assert!(self.regs.is_free(reg));
    }

    /// Makes `reg` free for a fixed use (an implicit operand, an argument),
    /// moving what it holds to another free register outside `avoid`, or
    /// spilling it if there is none.
    pub(crate) fn evict(&mut self, reg: PReg, avoid: PRegSet) {
        if self.regs.is_free(reg) {
            return;
        }
        match self.regs.free_reg(reg.class(), avoid.with(reg)) {
            Some(other) => {
                self.regs.touch(other);
                let ty = if reg.class() == RegClass::Int {
                    ValType::I64
                } else {
                    ValType::F64
                };
                self.move_reg(ty, other, reg);
                self.rename_reg(reg, other);
            }
            None => self.spill_reg(reg),
        }
    }

    /// Rewrites every reference to `from` into a reference to `to`.
    fn rename_reg(&mut self, from: PReg, to: PReg) {
        let mut remaining = self.regs.uses(from);
        for value in self.stack.iter_mut().rev() {
            if remaining == 0 {
                break;
            }
            if value.loc == Loc::Reg(from) {
                value.loc = Loc::Reg(to);
                self.regs.release(from);
                self.regs.acquire(to);
                remaining -= 1;
            }
        }
        let mut k = 0;
        while remaining > 0 {
            let i = self.locals.away_unchecked()[k];
            k += 1;
            if self.locals.get(i).loc == Loc::Reg(from) {
                self.locals.set(i, Loc::Reg(to));
                self.regs.release(from);
                self.regs.acquire(to);
                remaining -= 1;
            }
        }
    }

    /// Spills every value held in a register that calls clobber: one pass
    /// over the locals away from home and one over the stack. Stack
    /// entries sharing a register with a local of their type become
    /// aliases of that local instead of being stored a second time.
    pub(crate) fn spill_call_clobbered(&mut self) {
        let clobbered = self.regs.used().intersection(CALL_CLOBBERED);
        if clobbered.is_empty() {
            return;
        }
        // The local stored home for each register, by register index.
        let mut stored: [Option<(u32, ValType)>; PReg::NUM] = [None; PReg::NUM];
        for k in 0..self.locals.away().len() {
            let i = self.locals.away_unchecked()[k];
            let local = self.locals.get(i);
            if let Loc::Reg(r) = local.loc
                && clobbered.contains(r)
            {
                self.store_mem(local.ty, frame_mem(self.locals.home(i)), r);
                self.locals.set(i, Loc::Spilled);
                self.regs.release(r);
                stored[r.index()].get_or_insert((i, local.ty));
            }
        }
        for pos in 0..self.stack.len() {
            let value = self.stack[pos];
            let Loc::Reg(r) = value.loc else { continue };
            if !clobbered.contains(r) {
                continue;
            }
            match stored[r.index()] {
                Some((local, ty)) if ty == value.ty => {
                    self.stack[pos].loc = Loc::Local(local);
                    self.local_aliases += 1;
                }
                _ => {
                    let offset = self.slot_offset(pos);
                    self.store_mem(value.ty, frame_mem(offset), r);
                    self.stack[pos].loc = Loc::Spilled;
                }
            }
            self.regs.release(r);
        }
        debug_assert!(self.regs.used().intersection(CALL_CLOBBERED).is_empty());
    }

    /// `src` in a register (the operand's own if it is in one), which the
    /// caller may only read.
    pub(crate) fn in_reg(&mut self, ty: ValType, src: Src, avoid: PRegSet) -> PReg {
        match src {
            Src::Reg(r) => r,
            _ => {
                let reg = self.alloc_for(ty, avoid);
                self.load(ty, reg, src);
                reg
            }
        }
    }

    /// `src` in a register the caller may overwrite: the operand's own if
    /// nothing else refers to it (and it is not in `avoid`), else a copy.
    pub(crate) fn in_owned_reg(&mut self, ty: ValType, src: Src, avoid: PRegSet) -> PReg {
        match src {
            Src::Reg(r) if self.regs.is_free(r) && !avoid.contains(r) => r,
            _ => {
                let reg = self.alloc_for(ty, avoid.union(src.regs()));
                self.load(ty, reg, src);
                reg
            }
        }
    }

    /// For the binary arithmetic operator being compiled (always one byte
    /// long): the local the next operator sets, if it is a `local.set` or
    /// `local.tee` — a one-byte look-ahead.
    pub(crate) fn local_set_next(&self) -> Option<u32> {
        let at = (self.offset - self.code_offset) as usize + 1;
        if !matches!(self.code.get(at), Some(0x21 | 0x22)) {
            return None;
        }
        // The local index, LEB128.
        let mut index = 0u32;
        for (i, &byte) in self.code.get(at + 1..)?.iter().take(5).enumerate() {
            index |= u32::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Some(index);
            }
        }
        None
    }

    /// For the one-byte binary operator being compiled: whether the next
    /// operator only tests its `ty` result against zero (`if`, `br_if`,
    /// `select`'s condition, `eqz`), so that the result itself is never
    /// needed, only its flags.
    pub(crate) fn next_tests_zero(&self, ty: ValType) -> bool {
        let at = (self.offset - self.code_offset) as usize + 1;
        matches!(
            (self.code.get(at), ty),
            (Some(0x04 | 0x0d | 0x1b | 0x1c | 0x45), ValType::I32) | (Some(0x50), ValType::I64)
        )
    }

    /// Whether a binary operation may compute its result in `src`'s
    /// register: it is owned, or its only other reference is the local
    /// `next_set` that the very next operator sets to the result
    /// (`x = x + 1`), whose old value nothing can read in between.
    pub(crate) fn reusable(&self, src: Src, next_set: Option<u32>) -> bool {
        match src {
            Src::Reg(r) => {
                self.regs.is_free(r)
                    || (self.regs.uses(r) == 1
                        && next_set.is_some_and(|x| self.locals.get(x).loc == Loc::Reg(r)))
            }
            _ => false,
        }
    }
}
