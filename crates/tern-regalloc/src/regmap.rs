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
//! * *Clobbers*: the register is garbage after an instruction. A sorted
//!   vector of late points, likewise immutable. Calls clobber every
//!   caller-saved register, so this is the bulk of the data on call-heavy
//!   code; four bytes per clobber keeps it small.
//! * *Allocated ranges*, which come and go as bundles are assigned and
//!   evicted: an ordered map from a range's first point to its end and
//!   range index. Ranges in one register never overlap, so the ranges
//!   overlapping `[from, to)` are found by walking back from the last range
//!   that starts before `to`.

use crate::ir::Point;
use std::collections::BTreeMap;

/// A register held for a value (`owner`, a virtual register index) or for
/// nothing in particular (`owner == NONE`) over `[from, to)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reservation {
    pub from: Point,
    pub to: Point,
    pub owner: u32,
}

/// The occupants of one physical register.
#[derive(Default)]
pub(crate) struct RegOccupancy {
    pub fixed: Vec<Reservation>,
    pub clobbers: Vec<Point>,
    /// Allocated ranges: first point -> (end, range index).
    pub ranges: BTreeMap<Point, (Point, u32)>,
}

impl RegOccupancy {
    pub(crate) fn clear(&mut self) {
        self.fixed.clear();
        self.clobbers.clear();
        self.ranges.clear();
    }

    /// The first point in `[from, to)` at which a clobber or a reservation
    /// not owned by `vreg` occupies the register.
    pub(crate) fn first_fixed_conflict(&self, from: Point, to: Point, vreg: u32) -> Option<Point> {
        let mut first = None;
        let c = self.clobbers.partition_point(|&p| p < from);
        if let Some(&p) = self.clobbers.get(c)
            && p < to
        {
            first = Some(p);
        }
        let start = self.fixed.partition_point(|r| r.to <= from);
        for r in &self.fixed[start..] {
            if r.from >= to || first.is_some_and(|p| r.from >= p) {
                break;
            }
            if r.owner != vreg {
                let p = r.from.max(from);
                first = Some(first.map_or(p, |q: Point| q.min(p)));
                break;
            }
        }
        first
    }

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
        let occ = RegOccupancy {
            fixed: vec![
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
            ],
            clobbers: vec![15, 31],
            ranges: BTreeMap::new(),
        };
        assert_eq!(occ.first_fixed_conflict(0, 10, 1), None);
        assert_eq!(occ.first_fixed_conflict(0, 30, 7), Some(15));
        assert_eq!(occ.first_fixed_conflict(0, 30, 1), Some(10));
        assert_eq!(occ.first_fixed_conflict(16, 40, 8), Some(31));
        assert_eq!(occ.first_fixed_conflict(16, 40, 1), Some(20));
        assert_eq!(occ.first_fixed_conflict(21, 25, 1), Some(21));
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
