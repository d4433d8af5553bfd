//! Merging states at control-flow joins.
//!
//! Values stay where they are across control flow: a local or an operand in
//! a register at a branch may still be in that register at the branch
//! target. What must hold is that every edge into a join point leaves each
//! value in the *same* place. Each branch target therefore has a **merge
//! target**: the location of every local, of every stack entry below the
//! block, and of every value the branch carries (results, or a loop's
//! parameters). Each edge runs a *transfer* that moves the values from
//! where this edge has them to where the target wants them.
//!
//! A block's merge target is built from the state of the first edge that
//! reaches it (the first branch, or the fall-through at its end), so that
//! this edge needs no moves at all, after normalizing what cannot be
//! guaranteed for later edges:
//! - a register may appear only once (two entries sharing a register hold
//!   the same value on this edge but not necessarily on another);
//! - constants and local aliases become registers (a free one) or memory,
//!   because another edge may carry a different value. Constants *below*
//!   the block are kept: nothing inside the block can change them.
//!
//! A loop's merge target is built the same way at the loop header, before
//! its body, from the state at entry.
//!
//! A transfer is a parallel move. It is done in an order that never
//! overwrites a source before it is read:
//! 1. carried values that sit in slots are first moved down to the slots of
//!    their target positions (in increasing order, which cannot overwrite
//!    a slot still to be read);
//! 2. every value whose target is memory is stored there (this reads
//!    registers and writes only slots no other value still needs);
//! 3. register-to-register moves, resolved as a parallel move (cycles go
//!    through the scratch register);
//! 4. registers are filled from memory and constants.

use crate::emitter::{Emitter, RegFill, RegMove};
use crate::regs::{FSCRATCH, SCRATCH, class_of};
use crate::values::{Loc, Src, Value, frame_mem};
use tern_asm::PRegSet;
use tern_environ::ValType;

impl Emitter<'_> {
    /// Builds a merge target from the current state: `base` stack entries
    /// below the block, and the top `arity` entries carried to positions
    /// `base..base + arity`. Locals are included if `with_locals`.
    pub(crate) fn build_target(
        &mut self,
        with_locals: bool,
        base: usize,
        arity: usize,
    ) -> Vec<Value> {
        let mut target = self.take_state();
        let results_from = self.stack.len() - arity;
        if with_locals {
            target.extend_from_slice(&self.locals);
        }
        target.extend_from_slice(&self.stack[..base]);
        target.extend_from_slice(&self.stack[results_from..]);
        let num_locals = if with_locals { self.locals.len() } else { 0 };
        let mut taken = PRegSet::empty();
        // Entries below the block claim their registers first: they are
        // the same on every edge, so keeping them costs no edge anything.
        for value in &mut target[num_locals..num_locals + base] {
            self.normalize_target(value, true, &mut taken);
        }
        for i in (0..num_locals).chain(num_locals + base..target.len()) {
            self.normalize_target(&mut target[i], false, &mut taken);
        }
        target
    }

    fn normalize_target(&mut self, value: &mut Value, keep_const: bool, taken: &mut PRegSet) {
        match value.loc {
            Loc::Reg(r) if !taken.contains(r) => taken.insert(r),
            Loc::Spilled => {}
            Loc::Const(_) if keep_const => {}
            Loc::Flags(_) => unreachable!("flags are materialized before a branch"),
            Loc::Reg(_) | Loc::Const(_) | Loc::Local(_) => {
                value.loc = match self.regs.free_reg(class_of(value.ty), *taken) {
                    Some(r) => {
                        taken.insert(r);
                        self.regs.touch(r);
                        Loc::Reg(r)
                    }
                    None => Loc::Spilled,
                };
            }
        }
    }

    /// The source of target entry `j` (layout of [`Emitter::build_target`])
    /// in the current state. Carried values in slots are read from the slot
    /// of their target position (where step 1 of a transfer puts them).
    fn transfer_source(
        &mut self,
        j: usize,
        num_locals: usize,
        base: usize,
        results_from: usize,
    ) -> Src {
        if j < num_locals {
            return self.local_src(j);
        }
        let pos = j - num_locals;
        if pos < base {
            return self.src_of(pos, self.stack[pos]);
        }
        let from = results_from + (pos - base);
        let value = self.stack[from];
        if value.loc == Loc::Spilled {
            Src::Mem(self.slot_offset(pos))
        } else {
            self.src_of(from, value)
        }
    }

    /// Emits the moves that bring the current state to `target` (built by
    /// [`Emitter::build_target`] with the same `with_locals`, `base` and
    /// `arity`). The compile-time state is not changed.
    pub(crate) fn transfer(
        &mut self,
        target: &[Value],
        with_locals: bool,
        base: usize,
        arity: usize,
    ) {
        let num_locals = if with_locals { self.locals.len() } else { 0 };
        debug_assert_eq!(target.len(), num_locals + base + arity);
        let results_from = self.stack.len() - arity;
        if results_from != base {
            for k in 0..arity {
                let value = self.stack[results_from + k];
                if value.loc == Loc::Spilled {
                    let from = self.slot_offset(results_from + k);
                    let to = self.slot_offset(base + k);
                    self.copy_mem(value.ty, frame_mem(to), frame_mem(from));
                }
            }
        }
        let mut moves = std::mem::take(&mut self.reg_moves);
        let mut fills = std::mem::take(&mut self.reg_fills);
        moves.clear();
        fills.clear();
        for (j, want) in target.iter().enumerate() {
            let src = self.transfer_source(j, num_locals, base, results_from);
            match want.loc {
                Loc::Spilled => {
                    let dst = if j < num_locals {
                        self.homes[j]
                    } else {
                        self.slot_offset(j - num_locals)
                    };
                    self.store_to_frame(want.ty, dst, src);
                }
                Loc::Reg(dst) => match src {
                    Src::Reg(s) if s == dst => {}
                    Src::Reg(s) => moves.push(RegMove {
                        dst,
                        src: s,
                        ty: want.ty,
                    }),
                    _ => fills.push(RegFill {
                        dst,
                        src,
                        ty: want.ty,
                    }),
                },
                Loc::Const(c) => {
                    debug_assert_eq!(src, Src::Imm(c), "constants below a block never change")
                }
                Loc::Local(_) | Loc::Flags(_) => unreachable!("not a merge-target location"),
            }
        }
        self.parallel_move(&mut moves);
        for fill in &fills {
            self.load(fill.ty, fill.dst, fill.src);
        }
        self.reg_moves = moves;
        self.reg_fills = fills;
    }

    /// Whether [`Emitter::transfer`] to `target` would emit anything.
    pub(crate) fn needs_transfer(
        &self,
        target: &[Value],
        with_locals: bool,
        base: usize,
        arity: usize,
    ) -> bool {
        let num_locals = if with_locals { self.locals.len() } else { 0 };
        let results_from = self.stack.len() - arity;
        let locals_differ =
            with_locals && self.locals.iter().zip(target).any(|(v, t)| v.loc != t.loc);
        let below_differs = self.stack[..base]
            .iter()
            .zip(&target[num_locals..])
            .any(|(v, t)| v.loc != t.loc);
        let carried_differ = self.stack[results_from..]
            .iter()
            .zip(&target[num_locals + base..])
            .any(|(v, t)| v.loc != t.loc || (v.loc == Loc::Spilled && results_from != base));
        locals_differ || below_differs || carried_differ
    }

    /// Emits `moves` (distinct destinations) as a parallel move: no source
    /// is overwritten before every move reading it is done.
    pub(crate) fn parallel_move(&mut self, moves: &mut Vec<RegMove>) {
        while !moves.is_empty() {
            let ready = (0..moves.len()).find(|&i| moves.iter().all(|m| m.src != moves[i].dst));
            match ready {
                Some(i) => {
                    let m = moves.swap_remove(i);
                    self.move_reg(widen(m.ty), m.dst, m.src);
                }
                None => {
                    // Only cycles remain: park one destination's current
                    // value in the scratch register and read it from there.
                    let blocked = moves[0].dst;
                    let ty = widen(moves[0].ty);
                    let scratch = if ty.is_int_class() { SCRATCH } else { FSCRATCH };
                    self.move_reg(ty, scratch, blocked);
                    for m in moves.iter_mut() {
                        if m.src == blocked {
                            m.src = scratch;
                        }
                    }
                }
            }
        }
    }

    /// A copy of the current state (locals, then the stack).
    pub(crate) fn snapshot(&mut self) -> Vec<Value> {
        let mut state = self.take_state();
        state.extend_from_slice(&self.locals);
        state.extend_from_slice(&self.stack);
        state
    }

    /// Makes `state` (a snapshot or a merge target) the current state.
    pub(crate) fn restore_state(&mut self, state: &[Value], with_locals: bool) {
        let num_locals = if with_locals { self.locals.len() } else { 0 };
        if with_locals {
            self.locals.copy_from_slice(&state[..num_locals]);
        }
        self.stack.clear();
        self.stack.extend_from_slice(&state[num_locals..]);
        self.recount();
    }

    /// Recomputes register reference counts and the alias count from the
    /// locals and the stack.
    pub(crate) fn recount(&mut self) {
        self.regs.clear_uses();
        self.local_aliases = 0;
        for value in self.locals.iter().chain(self.stack.iter()) {
            match value.loc {
                Loc::Reg(r) => self.regs.acquire(r),
                Loc::Local(_) => self.local_aliases += 1,
                _ => {}
            }
        }
    }
}

/// Register moves copy whole registers (an i32's upper half is zero
/// anyway), so a register shared by an i32 and an i64 moves intact.
fn widen(ty: ValType) -> ValType {
    match ty {
        ValType::I32 => ValType::I64,
        ValType::F32 => ValType::F64,
        other => other,
    }
}
