//! What occupies each physical register over the function.
//!
//! Three kinds of occupant, kept apart because they behave differently:
//!
//! * *Fixed reservations*, from fixed-register operands: the register holds
//!   a particular value over one or two points of an instruction. They never
//!   move, so they are a vector sorted by point, built once in program order
//!   and searched by bisection. A reservation names its owner value: a
//!   range of that same value does not conflict with it (a value already in
//!   `rcx` may stay there across an instruction that reads it in `rcx`).
//! * *Clobbers*: the register is garbage after an instruction. Calls
//!   clobber every caller-saved register, so per-register lists would be
//!   the bulk of the data on call-heavy code. Instead, clobbers are grouped
//!   by distinct register set (a function has few: the call set and a
//!   handful of instruction-specific ones), each set with the sorted late
//!   points of the instructions clobbering it: one entry per instruction.
//!   The first clobber of a register in an interval is the earliest over
//!   the sets containing it, each found by bisection.
//! * *Allocated ranges*, which come and go as bundles are assigned and
//!   evicted: an ordered map from a range's first point to its end and
//!   range index. Ranges in one register never overlap, so the ranges
//!   overlapping `[from, to)` are found by walking back from the last range
//!   that starts before `to`.

use crate::ir::Point;
use crate::reg::{PReg, PRegSet};
use std::collections::{BTreeMap, HashMap};

/// A register held for a value (`owner`, a virtual register index) or for
/// nothing in particular (`owner == NONE`) over `[from, to)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reservation {
    pub from: Point,
    pub to: Point,
    pub owner: u32,
}

/// The occupants of every physical register.
#[derive(Default)]
pub(crate) struct RegMap {
    /// Per register (dense index).
    pub regs: Vec<RegOccupancy>,
    pub clobbers: Clobbers,
}

impl RegMap {
    pub(crate) fn clear(&mut self) {
        if self.regs.len() != PReg::NUM {
            self.regs = (0..PReg::NUM).map(|_| RegOccupancy::default()).collect();
        }
        for r in &mut self.regs {
            r.fixed.clear();
            r.ranges.clear();
        }
        self.clobbers.clear();
    }

    #[inline]
    pub(crate) fn reg(&self, r: PReg) -> &RegOccupancy {
        &self.regs[r.dense()]
    }

    #[inline]
    pub(crate) fn reg_mut(&mut self, r: PReg) -> &mut RegOccupancy {
        &mut self.regs[r.dense()]
    }

    /// The first point in `[from, to)` at which register `r` is clobbered or
    /// reserved for a value other than `vreg`.
    pub(crate) fn first_fixed_conflict(&self, r: PReg, from: Point, to: Point, vreg: u32) -> Option<Point> {
        let mut first = self.clobbers.first_in(r, from, to);
        let fixed = &self.regs[r.dense()].fixed;
        let start = fixed.partition_point(|res| res.to <= from);
        for res in &fixed[start..] {
            if res.from >= to || first.is_some_and(|p| res.from >= p) {
                break;
            }
            if res.owner != vreg {
                let p = res.from.max(from);
                first = Some(first.map_or(p, |q: Point| q.min(p)));
                break;
            }
        }
        first
    }
}

/// Clobber points grouped by distinct register set.
#[derive(Default)]
pub(crate) struct Clobbers {
    sets: Vec<PRegSet>,
    /// Per set, the late points of the instructions clobbering it, sorted.
    /// Kept (with capacity) across runs; only `sets.len()` are in use.
    points: Vec<Vec<Point>>,
    /// Per register (dense index), the sets containing it.
    by_reg: Vec<Vec<u32>>,
    index: HashMap<PRegSet, u32>,
    /// The set most recently added, which the next instruction usually
    /// repeats.
    last: Option<(PRegSet, u32)>,
}

impl Clobbers {
    fn clear(&mut self) {
        self.sets.clear();
        for p in &mut self.points {
            p.clear();
        }
        self.by_reg.resize(PReg::NUM, Vec::new());
        for list in &mut self.by_reg {
            list.clear();
        }
        self.index.clear();
        self.last = None;
    }

    /// Records that the registers of `set` are clobbered at late point `p`
    /// (points must come in increasing order).
    pub(crate) fn add(&mut self, set: PRegSet, p: Point) {
        let id = match self.last {
            Some((last, id)) if last == set => id,
            _ => {
                let id = match self.index.get(&set) {
                    Some(&id) => id,
                    None => {
                        let id = self.sets.len() as u32;
                        self.sets.push(set);
                        if self.points.len() <= id as usize {
                            self.points.push(Vec::new());
                        }
                        for r in set {
                            self.by_reg[r.dense()].push(id);
                        }
                        self.index.insert(set, id);
                        id
                    }
                };
                self.last = Some((set, id));
                id
            }
        };
        self.points[id as usize].push(p);
    }

    /// The first point in `[from, to)` at which `r` is clobbered.
    pub(crate) fn first_in(&self, r: PReg, from: Point, to: Point) -> Option<Point> {
        let mut first: Option<Point> = None;
        for &id in &self.by_reg[r.dense()] {
            let points = &self.points[id as usize];
            let i = points.partition_point(|&p| p < from);
            if let Some(&p) = points.get(i)
                && p < to
                && first.is_none_or(|q| p < q)
            {
                first = Some(p);
            }
        }
        first
    }
}

/// The occupants of one physical register, besides clobbers.
#[derive(Default)]
pub(crate) struct RegOccupancy {
    pub fixed: Vec<Reservation>,
    /// Allocated ranges: first point -> (end, range index).
    pub ranges: BTreeMap<Point, (Point, u32)>,
}

impl RegOccupancy {
    /// Calls `f(range index, first overlapping point)` for every allocated
    /// range overlapping `[from, to)`, latest first, until `f` returns false.
    #[inline]
    pub(crate) fn for_each_overlap(
        &self,
        from: Point,
        to: Point,
        mut f: impl FnMut(u32, Point) -> bool,
    ) {
        for (&start, &(end, range)) in self.ranges.range(..to).rev() {
            if end <= from {
                break;
            }
            if !f(range, start.max(from)) {
                break;
            }
        }
    }

    /// Whether anything occupies the register at point `p`.
    pub(crate) fn occupied_at(&self, p: Point) -> bool {
        if let Some((_, &(end, _))) = self.ranges.range(..=p).next_back()
            && end > p
        {
            return true;
        }
        let i = self.fixed.partition_point(|r| r.to <= p);
        self.fixed.get(i).is_some_and(|r| r.from <= p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_conflicts_ignore_the_owner_and_find_the_first_point() {
        let r = PReg::new(crate::reg::RegClass::Int, 3);
        let other = PReg::new(crate::reg::RegClass::Int, 4);
        let mut map = RegMap::default();
        map.clear();
        map.reg_mut(r).fixed = vec![
            Reservation {
                from: 10,
                to: 11,
                owner: 7,
            },
            Reservation {
                from: 20,
                to: 22,
                owner: 8,
            },
        ];
        let call = PRegSet::from_regs([r, other]);
        map.clobbers.add(call, 15);
        map.clobbers.add(PRegSet::from_regs([other]), 17);
        map.clobbers.add(call, 31);
        assert_eq!(map.first_fixed_conflict(r, 0, 10, 1), None);
        assert_eq!(map.first_fixed_conflict(r, 0, 30, 7), Some(15));
        assert_eq!(map.first_fixed_conflict(r, 0, 30, 1), Some(10));
        assert_eq!(map.first_fixed_conflict(r, 16, 40, 8), Some(31));
        assert_eq!(map.first_fixed_conflict(r, 16, 40, 1), Some(20));
        assert_eq!(map.first_fixed_conflict(r, 21, 25, 1), Some(21));
        assert_eq!(map.clobbers.first_in(other, 16, 40), Some(17));
        assert_eq!(map.clobbers.first_in(other, 18, 31), None);
    }

    #[test]
    fn overlaps_and_occupancy_of_allocated_ranges() {
        let mut occ = RegOccupancy::default();
        occ.ranges.insert(0, (4, 100));
        occ.ranges.insert(6, (9, 101));
        occ.ranges.insert(12, (20, 102));
        let mut seen = Vec::new();
        occ.for_each_overlap(3, 13, |r, p| {
            seen.push((r, p));
            true
        });
        assert_eq!(seen, vec![(102, 12), (101, 6), (100, 3)]);
        assert!(occ.occupied_at(8));
        assert!(!occ.occupied_at(9));
        assert!(!occ.occupied_at(10));
    }
}
