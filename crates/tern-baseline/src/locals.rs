//! The locals: where each one is, and which ones are away from home.
//!
//! Every local has a home slot in the frame. At any point most locals are
//! in it; a few are in registers or known constants. Functions produced by
//! real compilers often have hundreds of locals, and branches, joins and
//! spills happen all the time, so nothing on those paths may cost time
//! proportional to the number of locals. [`Locals`] therefore keeps, next
//! to the dense array of locations, the set of locals that may be away
//! from home (`away`): every local whose location is not its home slot is
//! in the set. Entries can go stale (a spilled local stays listed until the
//! set is next compacted), which keeps spilling O(1) per local; a count of
//! stale entries makes compaction free when there are none and the number
//! of locals away O(1). Merge targets and saved states list only these
//! locals (`merge.rs`), and since a state is usually restored onto (or
//! transferred from) a state whose away set begins with the same locals in
//! the same order, restores and transfers handle that common prefix
//! without membership tests.
//!
//! Each local's location, home, listing and scratch mark sit side by side
//! in one `Slot`, so that touching a local costs one bounds check and
//! one cache line.

use crate::merge::AwayLocal;
use crate::values::{Loc, Value};
use tern_environ::ValType;

/// The locations of a function's locals.
#[derive(Default)]
pub(crate) struct Locals {
    /// Every local (parameters first).
    slots: Vec<Slot>,
    /// Locals that may be away from their home slot (a superset of those
    /// that are).
    away: Vec<u32>,
    /// The number of locals in `away` that are at home (stale entries).
    stale: usize,
    /// The mark no local carries before [`Locals::new_mark`] hands it out.
    epoch: u32,
}

/// One local: everything the joins read about it, side by side (one
/// bounds check and one cache line per local touched).
#[derive(Clone, Copy)]
struct Slot {
    /// Its type and location.
    value: Value,
    /// Its home slot, as an offset from `rbp`.
    home: i32,
    /// Scratch mark for set membership tests (see [`Locals::mark`]).
    mark: u32,
    /// Whether it is in `away`.
    listed: bool,
}

impl Locals {
    /// Forgets every local (the start of a function), keeping allocations.
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.away.clear();
        self.stale = 0;
        self.epoch = 0;
    }

    /// Adds a local of type `ty` at `loc` with home slot `home`.
    pub(crate) fn push(&mut self, ty: ValType, loc: Loc, home: i32) {
        let index = self.slots.len() as u32;
        let listed = loc != Loc::Spilled;
        self.slots.push(Slot {
            value: Value::new(ty, loc),
            home,
            mark: 0,
            listed,
        });
        if listed {
            self.away.push(index);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    #[inline]
    pub(crate) fn get(&self, index: u32) -> Value {
        self.slots[index as usize].value
    }

    #[inline]
    pub(crate) fn home(&self, index: u32) -> i32 {
        self.slots[index as usize].home
    }

    /// Moves local `index` to `loc` (the caller keeps reference counts).
    #[inline]
    pub(crate) fn set(&mut self, index: u32, loc: Loc) {
        let slot = &mut self.slots[index as usize];
        let was_home = slot.value.loc == Loc::Spilled;
        slot.value.loc = loc;
        let home = loc == Loc::Spilled;
        if slot.listed {
            // A listed local going home becomes stale, and back again.
            if home && !was_home {
                self.stale += 1;
            } else if was_home && !home {
                self.stale -= 1;
            }
        } else if !home {
            slot.listed = true;
            self.away.push(index);
        }
    }

    /// Drops the stale entries of the away set and returns it: exactly the
    /// locals that are not in their home slot.
    pub(crate) fn away(&mut self) -> &[u32] {
        if self.stale == 0 {
            return &self.away;
        }
        self.stale = 0;
        let slots = &mut self.slots;
        self.away.retain(|&i| {
            let slot = &mut slots[i as usize];
            slot.listed = slot.value.loc != Loc::Spilled;
            slot.listed
        });
        &self.away
    }

    /// The away set without compaction (may include locals at home, which
    /// callers skip).
    pub(crate) fn away_unchecked(&self) -> &[u32] {
        &self.away
    }

    /// The number of locals away from home.
    pub(crate) fn away_count(&self) -> usize {
        self.away.len() - self.stale
    }

    /// Puts every local home, then each of `away` (none of them at home,
    /// none twice) at its location, without emitting anything: the locals
    /// of a saved state or merge target become the current ones.
    ///
    /// The away set usually begins with `away`'s locals in the same order
    /// (the state was taken from, or built from, a state like this one);
    /// those stay listed and only their locations are written.
    pub(crate) fn reset_to(&mut self, away: &[AwayLocal]) {
        let common = self
            .away
            .iter()
            .zip(away)
            .take_while(|&(&index, local)| index == local.index)
            .count();
        for &i in &self.away[common..] {
            let slot = &mut self.slots[i as usize];
            slot.value.loc = Loc::Spilled;
            slot.listed = false;
        }
        self.away.truncate(common);
        self.stale = 0;
        for local in &away[..common] {
            debug_assert_ne!(
                local.loc,
                Loc::Spilled,
                "a state lists locals away from home"
            );
            self.slots[local.index as usize].value.loc = local.loc;
        }
        for &AwayLocal { loc, index } in &away[common..] {
            debug_assert_ne!(loc, Loc::Spilled, "a state lists locals away from home");
            let slot = &mut self.slots[index as usize];
            slot.value.loc = loc;
            slot.listed = true;
            self.away.push(index);
        }
    }

    /// Starts a new membership test: returns a mark that no local carries.
    pub(crate) fn new_mark(&mut self) -> u32 {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            for slot in &mut self.slots {
                slot.mark = 0;
            }
            self.epoch = 1;
        }
        self.epoch
    }

    /// Marks local `index` with `mark`.
    pub(crate) fn mark(&mut self, index: u32, mark: u32) {
        self.slots[index as usize].mark = mark;
    }

    /// Whether local `index` carries `mark`.
    pub(crate) fn is_marked(&self, index: u32, mark: u32) -> bool {
        self.slots[index as usize].mark == mark
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_asm::regs;

    #[test]
    fn away_set_tracks_locals_off_home() {
        let mut locals = Locals::default();
        locals.push(ValType::I32, Loc::Reg(regs::RSI), -8);
        locals.push(ValType::I64, Loc::Spilled, -16);
        locals.push(ValType::I32, Loc::Spilled, -24);
        assert_eq!(locals.away(), &[0]);
        locals.set(2, Loc::Const(7));
        locals.set(2, Loc::Reg(regs::RAX));
        assert_eq!(locals.away(), &[0, 2]);
        locals.set(0, Loc::Spilled);
        assert_eq!(locals.away_unchecked(), &[0, 2]);
        assert_eq!(locals.away_count(), 1);
        // Back away before compaction: still listed once, not stale.
        locals.set(0, Loc::Const(1));
        assert_eq!(locals.away_count(), 2);
        locals.set(0, Loc::Spilled);
        assert_eq!(locals.away(), &[2]);
        assert_eq!(locals.away_count(), 1);
        locals.set(0, Loc::Reg(regs::RCX));
        assert_eq!(locals.away(), &[2, 0]);
        locals.reset_to(&[AwayLocal {
            loc: Loc::Reg(regs::RDX),
            index: 1,
        }]);
        assert_eq!(locals.away(), &[1]);
        assert_eq!(locals.get(2).loc, Loc::Spilled);
        assert_eq!(locals.get(1).loc, Loc::Reg(regs::RDX));
        // A common prefix is kept in place, the rest relisted in order.
        locals.set(2, Loc::Const(3));
        locals.set(1, Loc::Spilled);
        locals.reset_to(&[
            AwayLocal {
                loc: Loc::Reg(regs::RAX),
                index: 1,
            },
            AwayLocal {
                loc: Loc::Const(5),
                index: 0,
            },
        ]);
        assert_eq!(locals.away_unchecked(), &[1, 0]);
        assert_eq!(locals.away_count(), 2);
        assert_eq!(locals.get(1).loc, Loc::Reg(regs::RAX));
        assert_eq!(locals.get(0).loc, Loc::Const(5));
        assert_eq!(locals.get(2).loc, Loc::Spilled);
        locals.set(2, Loc::Const(4));
        assert_eq!(locals.away(), &[1, 0, 2]);
        let mark = locals.new_mark();
        locals.mark(1, mark);
        assert!(locals.is_marked(1, mark) && !locals.is_marked(0, mark));
        let next = locals.new_mark();
        assert!(!locals.is_marked(1, next));
    }
}
