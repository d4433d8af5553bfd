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
//!   the bulk of the data on call-heavy code. Instead, clobbers are
//!   recorded per distinct register set, one point per instruction. Once
//!   the scan is done, the few most frequent sets (the call sets) stay
//!   grouped; all others are flattened into sorted per-register lists. The
//!   first clobber of a register in an interval is then found with at most
//!   `GROUPED_SETS + 1` bisections, however many distinct sets there are.
//! * *Allocated ranges*, which come and go as bundles are assigned and
//!   evicted: a [`RangeMap`] from a range's first point to its end and
//!   range index. Ranges in one register never overlap, so the ranges
//!   overlapping `[from, to)` are found by walking back from the last range
//!   that starts before `to`.

use crate::ir::Point;
use crate::rangemap::RangeMap;
use crate::reg::{PReg, PRegSet};
use std::collections::HashMap;

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
    pub(crate) fn first_fixed_conflict(
        &self,
        r: PReg,
        from: Point,
        to: Point,
        vreg: u32,
    ) -> Option<Point> {
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

/// How many of the most frequent clobber sets stay grouped.
const GROUPED_SETS: usize = 4;
/// How often a set must occur to stay grouped.
const GROUPED_MIN_COUNT: usize = 16;

/// Clobber points: grouped by frequent register set, per register otherwise.
#[derive(Default)]
pub(crate) struct Clobbers {
    sets: Vec<PRegSet>,
    /// Per set, the late points of the instructions clobbering it, sorted.
    /// Kept (with capacity) across runs; only `sets.len()` are in use.
    points: Vec<Vec<Point>>,
    /// Per register (dense index), the grouped sets containing it.
    by_reg: Vec<Vec<u32>>,
    /// Per register (dense index), its clobber points from other sets.
    flat: Vec<Vec<Point>>,
    index: HashMap<PRegSet, u32>,
    /// The set most recently added, which the next instruction usually
    /// repeats.
    last: Option<(PRegSet, u32)>,
    scratch: Vec<(Point, u32)>,
}

impl Clobbers {
    fn clear(&mut self) {
        self.sets.clear();
        for p in &mut self.points {
            p.clear();
        }
        self.by_reg.resize(PReg::NUM, Vec::new());
        self.flat.resize(PReg::NUM, Vec::new());
        for list in &mut self.by_reg {
            list.clear();
        }
        for list in &mut self.flat {
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
                let next = self.sets.len() as u32;
                let id = *self.index.entry(set).or_insert(next);
                if id == next {
                    self.sets.push(set);
                    if self.points.len() <= id as usize {
                        self.points.push(Vec::new());
                    }
                }
                self.last = Some((set, id));
                id
            }
        };
        self.points[id as usize].push(p);
    }

    /// Keeps the most frequent sets grouped and flattens the others into
    /// per-register lists. Called once all clobbers are added.
    pub(crate) fn finish(&mut self) {
        let mut order: Vec<u32> = (0..self.sets.len() as u32).collect();
        order.sort_unstable_by_key(|&id| core::cmp::Reverse(self.points[id as usize].len()));
        self.scratch.clear();
        for (rank, &id) in order.iter().enumerate() {
            let points = &self.points[id as usize];
            if rank < GROUPED_SETS && points.len() >= GROUPED_MIN_COUNT {
                for r in self.sets[id as usize] {
                    self.by_reg[r.dense()].push(id);
                }
            } else {
                self.scratch.extend(points.iter().map(|&p| (p, id)));
            }
        }
        self.scratch.sort_unstable();
        for &(p, id) in &self.scratch {
            for r in self.sets[id as usize] {
                self.flat[r.dense()].push(p);
            }
        }
    }

    /// The first point in `[from, to)` at which `r` is clobbered.
    pub(crate) fn first_in(&self, r: PReg, from: Point, to: Point) -> Option<Point> {
        let first_of = |points: &[Point]| {
            let i = points.partition_point(|&p| p < from);
            points.get(i).copied().filter(|&p| p < to)
        };
        let mut first = first_of(&self.flat[r.dense()]);
        for &id in &self.by_reg[r.dense()] {
            if let Some(p) = first_of(&self.points[id as usize])
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
    /// Allocated ranges, with their range indices as ids.
    pub ranges: RangeMap,
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
        self.ranges
            .for_each_overlap(from, to, |e| f(e.id, e.from.max(from)));
    }

    /// Whether anything occupies the register at point `p`.
    pub(crate) fn occupied_at(&self, p: Point) -> bool {
        if self.ranges.at(p).is_some() {
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
        map.clobbers.finish();
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
    fn frequent_clobber_sets_stay_grouped_and_rare_ones_are_flattened() {
        let (a, b) = (
            PReg::new(crate::reg::RegClass::Int, 0),
            PReg::new(crate::reg::RegClass::Int, 1),
        );
        let mut c = Clobbers::default();
        c.clear();
        let call = PRegSet::from_regs([a, b]);
        for i in 0..40 {
            c.add(call, 4 * i + 1);
            c.add(PRegSet::from_regs([b]), 4 * i + 3);
        }
        c.add(PRegSet::from_regs([a]), 1001);
        c.finish();
        assert_eq!(c.by_reg[a.dense()].len(), 1);
        assert_eq!(c.flat[a.dense()], vec![1001]);
        assert_eq!(c.first_in(a, 2, 6), Some(5));
        assert_eq!(c.first_in(a, 158, 2000), Some(1001));
        assert_eq!(c.first_in(b, 2, 4), Some(3));
    }

    #[test]
    fn overlaps_and_occupancy_of_allocated_ranges() {
        let mut occ = RegOccupancy::default();
        occ.ranges.insert(0, 4, 100);
        occ.ranges.insert(6, 9, 101);
        occ.ranges.insert(12, 20, 102);
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
