//! Turning a parallel move into a sequence of machine moves.
//!
//! All the moves the allocator inserts at one program point form a
//! *parallel move*: every source is read before any destination is written.
//! Destinations are distinct; a source may feed several destinations.
//! Sequentializing it is a graph problem: a move may run once no pending
//! move still reads its destination. Draining the ready moves leaves only
//! disjoint cycles (every location in them is read exactly once and written
//! exactly once); a cycle is broken by saving one of its locations to a
//! temporary, after which it drains like a chain.
//!
//! The machine forbids memory-to-memory moves, so the sequence is then
//! lowered with a register that may be freely overwritten here: the
//! class's dedicated scratch register, or else a register that holds no
//! live value at this point and is not named by the moves. With such a
//! register `S`, a slot-to-slot move becomes two moves through `S`, and the
//! cycle temporary is `S` itself unless a slot-to-slot move happens while a
//! cycle is open, in which case the temporary is an extra spill slot. With
//! no such register, a cycle temporary is an extra spill slot, and if a
//! slot-to-slot move remains, some register `V` is borrowed: it is saved to
//! an extra slot first, every move reading `V` reads the saved copy, every
//! move writing `V` writes a second extra slot, the moves are resolved with
//! `V` as the scratch register, and finally `V` gets its new (or original)
//! value back.

use crate::reg::{Allocation, PReg, RegClass, SpillSlot};

/// Where the resolver may find temporaries; provided by the allocator, which
/// knows what is live at the program point.
pub(crate) trait MoveTemps {
    /// A register of `class` holding nothing live here and named by none of
    /// `moves`, if there is one (the class's scratch register first).
    fn free_reg(&mut self, class: RegClass, moves: &[(Allocation, Allocation)]) -> Option<PReg>;
    /// Any allocatable register of `class`, to be saved and restored around
    /// the moves.
    fn victim_reg(&mut self, class: RegClass, moves: &[(Allocation, Allocation)]) -> PReg;
    /// The `n`-th (`0..3`) extra spill slot of `class`.
    fn extra_slot(&mut self, class: RegClass, n: usize) -> SpillSlot;
}

/// A location in a sequentialized move: a real one or the cycle temporary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    At(Allocation),
    Temp,
}

/// Reusable buffers for resolving parallel moves.
#[derive(Default)]
pub(crate) struct MoveResolver {
    seq: Vec<(Place, Place)>,
    srcs: Vec<Allocation>,
    readers: Vec<u32>,
    by_dst: Vec<usize>,
    pending: Vec<bool>,
    ready: Vec<usize>,
    current_src: Vec<Place>,
    rewritten: Vec<(Allocation, Allocation)>,
}

impl MoveResolver {
    /// Appends to `out` a sequence of moves with the effect of the parallel
    /// move `moves` (distinct destinations, no move from a location to
    /// itself, all of `class`) and never memory to memory.
    pub(crate) fn resolve(
        &mut self,
        moves: &[(Allocation, Allocation)],
        class: RegClass,
        temps: &mut impl MoveTemps,
        out: &mut Vec<(Allocation, Allocation)>,
    ) {
        if moves.is_empty() {
            return;
        }
        if let [(from, to)] = moves
            && !(from.is_stack() && to.is_stack())
        {
            out.push((*from, *to));
            return;
        }
        self.sequentialize(moves);
        let mem_to_mem = self.seq.iter().any(|&(s, d)| is_stack(s) && is_stack(d));
        if !mem_to_mem
            && !self
                .seq
                .iter()
                .any(|&(s, d)| s == Place::Temp || d == Place::Temp)
        {
            out.extend(self.seq.iter().map(|&(s, d)| (real(s), real(d))));
            return;
        }
        if let Some(scratch) = temps.free_reg(class, moves) {
            self.lower_with_scratch(scratch, class, temps, out);
            return;
        }
        let temp = Allocation::Stack(temps.extra_slot(class, 0));
        let temp_is_stack_safe = self.seq.iter().all(|&(s, d)| {
            let s = if s == Place::Temp { temp } else { real(s) };
            let d = if d == Place::Temp { temp } else { real(d) };
            !(s.is_stack() && d.is_stack())
        });
        if temp_is_stack_safe {
            out.extend(self.seq.iter().map(|&(s, d)| {
                let s = if s == Place::Temp { temp } else { real(s) };
                let d = if d == Place::Temp { temp } else { real(d) };
                (s, d)
            }));
            return;
        }
        self.resolve_with_victim(moves, class, temps, out);
    }

    /// Borrows a register: saves it, resolves with it as scratch, restores.
    fn resolve_with_victim(
        &mut self,
        moves: &[(Allocation, Allocation)],
        class: RegClass,
        temps: &mut impl MoveTemps,
        out: &mut Vec<(Allocation, Allocation)>,
    ) {
        let victim = temps.victim_reg(class, moves);
        let v = Allocation::Reg(victim);
        let saved = Allocation::Stack(temps.extra_slot(class, 1));
        let new_value = Allocation::Stack(temps.extra_slot(class, 2));
        let mut written = false;
        self.rewritten.clear();
        for &(s, d) in moves {
            let s = if s == v { saved } else { s };
            let d = if d == v {
                written = true;
                new_value
            } else {
                d
            };
            self.rewritten.push((s, d));
        }
        out.push((v, saved));
        let rewritten = core::mem::take(&mut self.rewritten);
        self.sequentialize(&rewritten);
        self.rewritten = rewritten;
        self.lower_with_scratch(victim, class, temps, out);
        out.push((if written { new_value } else { saved }, v));
    }

    /// Lowers `self.seq` given a register that may be overwritten.
    fn lower_with_scratch(
        &mut self,
        scratch: PReg,
        class: RegClass,
        temps: &mut impl MoveTemps,
        out: &mut Vec<(Allocation, Allocation)>,
    ) {
        let s = Allocation::Reg(scratch);
        // The scratch register can be the cycle temporary unless it is needed
        // for a slot-to-slot move while a cycle is open.
        let mut open = false;
        let mut conflict = false;
        for &(src, dst) in &self.seq {
            if dst == Place::Temp {
                open = true;
            } else if src == Place::Temp {
                open = false;
            } else if open && is_stack(src) && is_stack(dst) {
                conflict = true;
            }
        }
        let temp = if conflict {
            Allocation::Stack(temps.extra_slot(class, 0))
        } else {
            s
        };
        for &(src, dst) in &self.seq {
            let src = if src == Place::Temp { temp } else { real(src) };
            let dst = if dst == Place::Temp { temp } else { real(dst) };
            if src.is_stack() && dst.is_stack() {
                out.push((src, s));
                out.push((s, dst));
            } else {
                out.push((src, dst));
            }
        }
    }

    /// Orders the moves, breaking cycles with `Place::Temp`, into `self.seq`.
    fn sequentialize(&mut self, moves: &[(Allocation, Allocation)]) {
        self.seq.clear();
        let n = moves.len();
        self.srcs.clear();
        self.srcs.extend(moves.iter().map(|m| m.0));
        self.srcs.sort_unstable();
        self.srcs.dedup();
        self.readers.clear();
        self.readers.resize(self.srcs.len(), 0);
        for m in moves {
            let i = self.src_index(m.0).expect("source is listed");
            self.readers[i] += 1;
        }
        self.by_dst.clear();
        self.by_dst.extend(0..n);
        self.by_dst.sort_unstable_by_key(|&i| moves[i].1);
        self.pending.clear();
        self.pending.resize(n, true);
        self.current_src.clear();
        self.current_src
            .extend(moves.iter().map(|m| Place::At(m.0)));
        self.ready.clear();
        for (i, m) in moves.iter().enumerate() {
            if self.readers_of(m.1) == 0 {
                self.ready.push(i);
            }
        }
        let mut next_pending = 0;
        loop {
            while let Some(i) = self.ready.pop() {
                self.pending[i] = false;
                let src = self.current_src[i];
                self.seq.push((src, Place::At(moves[i].1)));
                if let Place::At(src) = src {
                    let k = self.src_index(src).expect("source is listed");
                    self.readers[k] -= 1;
                    if self.readers[k] == 0
                        && let Some(w) = self.writer_of(moves, src)
                        && self.pending[w]
                    {
                        self.ready.push(w);
                    }
                }
            }
            while next_pending < n && !self.pending[next_pending] {
                next_pending += 1;
            }
            if next_pending == n {
                break;
            }
            // Only cycles remain: save the destination of a pending move and
            // let its single reader read the temporary instead.
            let i = next_pending;
            let d = moves[i].1;
            let reader = (0..n)
                .find(|&j| self.pending[j] && self.current_src[j] == Place::At(d))
                .expect("a move in a cycle has a pending reader");
            self.seq.push((Place::At(d), Place::Temp));
            self.current_src[reader] = Place::Temp;
            let k = self.src_index(d).expect("destination is read");
            self.readers[k] -= 1;
            debug_assert_eq!(self.readers[k], 0);
            self.ready.push(i);
        }
    }

    fn src_index(&self, a: Allocation) -> Option<usize> {
        self.srcs.binary_search(&a).ok()
    }

    fn readers_of(&self, a: Allocation) -> u32 {
        self.src_index(a).map_or(0, |i| self.readers[i])
    }

    fn writer_of(&self, moves: &[(Allocation, Allocation)], a: Allocation) -> Option<usize> {
        let k = self.by_dst.partition_point(|&i| moves[i].1 < a);
        self.by_dst.get(k).copied().filter(|&i| moves[i].1 == a)
    }
}

fn is_stack(p: Place) -> bool {
    matches!(p, Place::At(Allocation::Stack(_)))
}

fn real(p: Place) -> Allocation {
    match p {
        Place::At(a) => a,
        Place::Temp => unreachable!("the temporary is replaced before use"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;
    use std::collections::HashMap;

    const CLASS: RegClass = RegClass::Int;

    fn reg(i: usize) -> Allocation {
        Allocation::Reg(PReg::new(CLASS, i))
    }
    fn slot(i: usize) -> Allocation {
        Allocation::Stack(SpillSlot::new(i))
    }

    /// Temporaries for tests: registers `free` hold nothing live; extra
    /// slots are numbered from 100.
    struct TestTemps {
        free: Vec<usize>,
        victims_used: usize,
    }

    impl MoveTemps for TestTemps {
        fn free_reg(&mut self, _: RegClass, moves: &[(Allocation, Allocation)]) -> Option<PReg> {
            self.free.iter().map(|&i| PReg::new(CLASS, i)).find(|&r| {
                !moves
                    .iter()
                    .any(|&(s, d)| s == Allocation::Reg(r) || d == Allocation::Reg(r))
            })
        }
        fn victim_reg(&mut self, _: RegClass, moves: &[(Allocation, Allocation)]) -> PReg {
            self.victims_used += 1;
            // Deliberately pick a register the moves use, when there is one.
            moves
                .iter()
                .flat_map(|&(s, d)| [s, d])
                .find_map(Allocation::as_reg)
                .unwrap_or(PReg::new(CLASS, 0))
        }
        fn extra_slot(&mut self, _: RegClass, n: usize) -> SpillSlot {
            SpillSlot::new(100 + n)
        }
    }

    /// Runs `moves` as a parallel move and `seq` sequentially from the same
    /// initial state (every location holds its own name), and compares every
    /// location except the free registers and extra slots.
    fn assert_equivalent(
        moves: &[(Allocation, Allocation)],
        seq: &[(Allocation, Allocation)],
        free: &[usize],
    ) {
        let mut locs: Vec<Allocation> = (0..8).map(reg).chain((0..8).map(slot)).collect();
        locs.extend(moves.iter().flat_map(|&(s, d)| [s, d]));
        let initial: HashMap<Allocation, Allocation> = locs.iter().map(|&l| (l, l)).collect();
        let mut expected = initial.clone();
        for &(s, d) in moves {
            expected.insert(d, initial[&s]);
        }
        let mut state = initial.clone();
        for &(s, d) in seq {
            assert!(
                !(s.is_stack() && d.is_stack()),
                "memory-to-memory move {s} -> {d} in {seq:?}"
            );
            let v = *state.get(&s).unwrap_or(&s);
            state.insert(d, v);
        }
        for &l in &locs {
            let named = moves.iter().any(|&(s, d)| s == l || d == l);
            let exempt = match l {
                Allocation::Reg(r) => free.contains(&r.hw_index()) && !named,
                Allocation::Stack(s) => s.index() >= 100,
            };
            if !exempt {
                assert_eq!(
                    state.get(&l),
                    expected.get(&l),
                    "location {l} after {seq:?} for parallel move {moves:?}"
                );
            }
        }
    }

    fn resolve(
        moves: &[(Allocation, Allocation)],
        free: &[usize],
    ) -> (Vec<(Allocation, Allocation)>, usize) {
        let mut temps = TestTemps {
            free: free.to_vec(),
            victims_used: 0,
        };
        let mut out = Vec::new();
        MoveResolver::default().resolve(moves, CLASS, &mut temps, &mut out);
        (out, temps.victims_used)
    }

    #[test]
    fn chain_runs_back_to_front() {
        let moves = [(reg(0), reg(1)), (reg(1), reg(2)), (reg(2), reg(3))];
        let (seq, _) = resolve(&moves, &[]);
        assert_eq!(
            seq,
            vec![(reg(2), reg(3)), (reg(1), reg(2)), (reg(0), reg(1))]
        );
    }

    #[test]
    fn register_swap_uses_the_scratch_register() {
        let moves = [(reg(0), reg(1)), (reg(1), reg(0))];
        let (seq, _) = resolve(&moves, &[7]);
        assert_eq!(seq.len(), 3);
        assert!(seq.iter().any(|&(_, d)| d == reg(7)));
        assert_equivalent(&moves, &seq, &[7]);
    }

    #[test]
    fn register_swap_without_scratch_goes_through_an_extra_slot() {
        let moves = [(reg(0), reg(1)), (reg(1), reg(0))];
        let (seq, victims) = resolve(&moves, &[]);
        assert_eq!(victims, 0);
        assert_eq!(seq.len(), 3);
        assert_equivalent(&moves, &seq, &[]);
    }

    #[test]
    fn slot_swap_without_any_free_register_borrows_one() {
        let moves = [(slot(0), slot(1)), (slot(1), slot(0)), (reg(2), reg(3))];
        let (seq, victims) = resolve(&moves, &[]);
        assert_eq!(victims, 1);
        assert_equivalent(&moves, &seq, &[]);
    }

    #[test]
    fn fan_out_from_one_source() {
        let moves = [(reg(0), reg(1)), (reg(0), slot(0)), (reg(1), reg(0))];
        let (seq, _) = resolve(&moves, &[5]);
        assert_equivalent(&moves, &seq, &[5]);
    }

    /// Random parallel moves over 6 registers and 6 slots, resolved with a
    /// scratch register, with a free register, and with none at all.
    #[test]
    fn random_parallel_moves_match_their_sequential_interpretation() {
        let mut rng = Rng::new(0x5eed);
        let locs: Vec<Allocation> = (0..6).map(reg).chain((0..6).map(slot)).collect();
        for iter in 0..20_000 {
            let n = rng.range(1, 10);
            let mut dsts = locs.clone();
            let mut moves = Vec::new();
            for _ in 0..n.min(dsts.len()) {
                let d = dsts.swap_remove(rng.below(dsts.len()));
                let s = *rng.pick(&locs);
                if s != d {
                    moves.push((s, d));
                }
            }
            let free: &[usize] = match iter % 3 {
                0 => &[7],
                1 => &[2, 4],
                _ => &[],
            };
            let (seq, _) = resolve(&moves, free);
            assert_equivalent(&moves, &seq, free);
        }
    }
}
