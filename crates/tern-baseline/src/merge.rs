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
//! Merge targets and saved states are sparse in the locals: they list only
//! the locals away from their home slots (a merge target only those it
//! keeps in registers), so that building, comparing, transferring and
//! restoring cost time proportional to the registers in use and the stack,
//! never to the number of locals (see `locals.rs`).
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
use crate::regs::{FSCRATCH, RegFile, SCRATCH, class_of};
use crate::values::{Loc, Src, Value, frame_mem};
use tern_asm::PRegSet;
use tern_environ::ValType;

/// A saved state or a merge target. Locals not listed are in their home
/// slots (a local's type is the function's, so only its location is
/// kept); the stack part is a saved state's whole stack, or a merge
/// target's entries below the block followed by the carried values.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) locals: Vec<AwayLocal>,
    pub(crate) stack: Vec<Value>,
}

/// A local away from its home slot in a state, and where it is.
///
/// A struct rather than a tuple: `(u32, Loc)` puts the index first and
/// padding before the location, and copies of it went through misaligned
/// temporaries that defeated store-to-load forwarding (measured: the
/// single hottest instruction of `build_target`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AwayLocal {
    pub(crate) loc: Loc,
    pub(crate) index: u32,
}

impl State {
    fn clear(&mut self) {
        self.locals.clear();
        self.stack.clear();
    }
}

impl Emitter<'_> {
    /// A spare state (empty).
    pub(crate) fn take_state(&mut self) -> State {
        self.states.pop().unwrap_or_default()
    }

    /// Returns a state to the spares.
    pub(crate) fn give_state(&mut self, mut state: State) {
        state.clear();
        self.states.push(state);
    }

    /// Builds a merge target from the current state: `base` stack entries
    /// below the block, and the top `arity` entries carried to positions
    /// `base..base + arity`. Locals are included if `with_locals`.
    pub(crate) fn build_target(&mut self, with_locals: bool, base: usize, arity: usize) -> State {
        let mut target = self.take_state();
        let results_from = self.stack.len() - arity;
        target.stack.extend_from_slice(&self.stack[..base]);
        target.stack.extend_from_slice(&self.stack[results_from..]);
        let mut taken = PRegSet::empty();
        // Entries below the block claim their registers first: they are
        // the same on every edge, so keeping them costs no edge anything.
        for value in &mut target.stack[..base] {
            normalize_target(&mut self.regs, value.ty, &mut value.loc, true, &mut taken);
        }
        if with_locals {
            // Copied whole and filtered after: the away set may hold locals
            // at home (stale entries), and normalizing may send some home.
            let locals = &self.locals;
            target
                .locals
                .extend(locals.away_unchecked().iter().map(|&index| AwayLocal {
                    loc: locals.get(index).loc,
                    index,
                }));
            let mut spilled = false;
            for local in &mut target.locals {
                if local.loc != Loc::Spilled {
                    let ty = locals.get(local.index).ty;
                    normalize_target(&mut self.regs, ty, &mut local.loc, false, &mut taken);
                }
                spilled |= local.loc == Loc::Spilled;
            }
            if spilled {
                target.locals.retain(|local| local.loc != Loc::Spilled);
            }
        }
        for value in &mut target.stack[base..] {
            normalize_target(&mut self.regs, value.ty, &mut value.loc, false, &mut taken);
        }
        target
    }

    /// The source of target stack entry `pos` in the current state.
    /// Carried values in slots are read from the slot of their target
    /// position (where step 1 of a transfer puts them).
    fn transfer_source(&mut self, pos: usize, base: usize, results_from: usize) -> Src {
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

    /// Adds the move that brings `src` to `want` (a register) to the
    /// pending register moves or fills.
    fn plan_register_move(
        &mut self,
        want: Value,
        src: Src,
        moves: &mut Vec<RegMove>,
        fills: &mut Vec<RegFill>,
    ) {
        let Loc::Reg(dst) = want.loc else {
            unreachable!("only register targets are planned")
        };
        match src {
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
        }
    }

    /// Emits the moves that bring the current state to `target` (built by
    /// [`Emitter::build_target`] with the same `with_locals`, `base` and
    /// `arity`). The compile-time state is not changed.
    pub(crate) fn transfer(
        &mut self,
        target: &State,
        with_locals: bool,
        base: usize,
        arity: usize,
    ) {
        debug_assert_eq!(target.stack.len(), base + arity);
        let results_from = self.stack.len() - arity;
        // 1. Carried values in slots move down to their target slots.
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
        // 2. Stores to memory targets: locals the target has at home, and
        // stack entries whose target is their slot.
        if with_locals {
            // The away set usually starts with the target's locals in the
            // target's order (the state was restored from a target, or the
            // target built from it): those are kept, and only the rest
            // need a membership test. (No local is listed twice, so none
            // of the rest is among the common part.)
            let away = self.locals.away_unchecked();
            let common = away
                .iter()
                .zip(&target.locals)
                .take_while(|&(&index, local)| index == local.index)
                .count();
            let mark = self.locals.new_mark();
            for local in &target.locals[common..] {
                self.locals.mark(local.index, mark);
            }
            for k in common..self.locals.away_unchecked().len() {
                let index = self.locals.away_unchecked()[k];
                if !self.locals.is_marked(index, mark) && self.locals.get(index).loc != Loc::Spilled
                {
                    let (ty, src) = (self.locals.get(index).ty, self.local_src(index));
                    self.store_to_frame(ty, self.locals.home(index), src);
                }
            }
        }
        let mut moves = std::mem::take(&mut self.reg_moves);
        let mut fills = std::mem::take(&mut self.reg_fills);
        moves.clear();
        fills.clear();
        for (pos, want) in target.stack.iter().enumerate() {
            // Entries already in place (the common case below the block).
            let from = if pos < base {
                pos
            } else {
                results_from + pos - base
            };
            if self.stack[from].loc == want.loc && from == pos {
                continue;
            }
            let src = self.transfer_source(pos, base, results_from);
            match want.loc {
                Loc::Spilled => {
                    let slot = self.slot_offset(pos);
                    self.store_to_frame(want.ty, slot, src);
                }
                Loc::Reg(_) => self.plan_register_move(*want, src, &mut moves, &mut fills),
                Loc::Const(c) => {
                    debug_assert_eq!(src, Src::Imm(c), "constants below a block never change")
                }
                Loc::Local(_) | Loc::Flags(_) => unreachable!("not a merge-target location"),
            }
        }
        if with_locals {
            for &AwayLocal { loc: want, index } in &target.locals {
                let local = self.locals.get(index);
                if local.loc != want {
                    let src = self.local_src(index);
                    let want = Value::new(local.ty, want);
                    self.plan_register_move(want, src, &mut moves, &mut fills);
                }
            }
        }
        // 3. Register-to-register moves, then 4. fills.
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
        target: &State,
        with_locals: bool,
        base: usize,
        arity: usize,
    ) -> bool {
        // The target lists only locals away from home, each of which must
        // be exactly where the target wants it; then no other local may be
        // away. (The count first: it costs nothing.)
        if with_locals && self.locals.away_count() != target.locals.len() {
            return true;
        }
        let results_from = self.stack.len() - arity;
        let below_differs = self.stack[..base]
            .iter()
            .zip(&target.stack)
            .any(|(v, t)| v.loc != t.loc);
        let carried_differ = self.stack[results_from..]
            .iter()
            .zip(&target.stack[base..])
            .any(|(v, t)| v.loc != t.loc || (v.loc == Loc::Spilled && results_from != base));
        if below_differs || carried_differ {
            return true;
        }
        with_locals
            && target
                .locals
                .iter()
                .any(|want| self.locals.get(want.index).loc != want.loc)
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

    /// A copy of the current state.
    pub(crate) fn snapshot(&mut self) -> State {
        let mut state = self.take_state();
        for k in 0..self.locals.away().len() {
            let index = self.locals.away_unchecked()[k];
            state.locals.push(AwayLocal {
                loc: self.locals.get(index).loc,
                index,
            });
        }
        state.stack.extend_from_slice(&self.stack);
        state
    }

    /// Makes `state` (a snapshot or a merge target) the current state,
    /// recounting register references and aliases as it goes.
    pub(crate) fn restore_state(&mut self, state: &State, with_locals: bool) {
        self.regs.clear_uses();
        if with_locals {
            self.locals.reset_to(&state.locals);
            for local in &state.locals {
                if let Loc::Reg(r) = local.loc {
                    self.regs.acquire(r);
                }
            }
        } else {
            self.count_local_regs();
        }
        self.stack.clear();
        self.stack.extend_from_slice(&state.stack);
        self.count_stack_refs();
    }

    /// Adds the register references of the locals away from home.
    fn count_local_regs(&mut self) {
        for &index in self.locals.away_unchecked() {
            if let Loc::Reg(r) = self.locals.get(index).loc {
                self.regs.acquire(r);
            }
        }
    }

    /// Adds the register references and counts the aliases of the stack.
    fn count_stack_refs(&mut self) {
        self.reg_floor = 0;
        self.local_aliases = 0;
        for value in &self.stack {
            match value.loc {
                Loc::Reg(r) => self.regs.acquire(r),
                Loc::Local(_) => self.local_aliases += 1,
                _ => {}
            }
        }
    }
}

/// Makes `loc` (of a `ty` value) a valid merge-target location (see the module docs),
/// taking a register outside `taken` for it if it needs one.
#[inline]
fn normalize_target(
    regs: &mut RegFile,
    ty: ValType,
    loc: &mut Loc,
    keep_const: bool,
    taken: &mut PRegSet,
) {
    match *loc {
        Loc::Reg(r) if !taken.contains(r) => taken.insert(r),
        Loc::Spilled => {}
        Loc::Const(_) if keep_const => {}
        Loc::Flags(_) => unreachable!("flags are materialized before a branch"),
        Loc::Reg(_) | Loc::Const(_) | Loc::Local(_) => {
            *loc = match regs.free_reg(class_of(ty), *taken) {
                Some(r) => {
                    taken.insert(r);
                    regs.touch(r);
                    Loc::Reg(r)
                }
                None => Loc::Spilled,
            };
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
