//! Building bundles: one per value, then merged across block parameters and
//! reuse operands, and the bookkeeping every later phase uses (properties,
//! range lists, the queue).
//!
//! Merging two values into one bundle means they get the same allocation,
//! so the copy between them disappears: a block parameter and the
//! arguments passed to it, a reuse def and its input. Two bundles merge
//! only if their ranges do not overlap and their needs are compatible (no
//! register-only value with a slot-only value). The overlap test first
//! compares the bundles' extents, which decides the common case in O(1);
//! otherwise it walks both range lists, giving up after a bounded number of
//! steps so that merging stays linear overall.

use crate::allocator::State;
use crate::function::Function;
use crate::ir::{
    Bundle, BundleAlloc, MAX_NORMAL_WEIGHT, MINIMAL_WEIGHT, MINIMAL_WIDE_WEIGHT, NONE, Point,
    SpillSet, inst_of,
};
use crate::reg::Block;
use std::cmp::Reverse;

/// How many ranges the overlap test of two bundles may step over.
const MERGE_STEP_LIMIT: usize = 64;

impl State {
    /// Creates, merges and queues the initial bundles.
    pub(crate) fn build_bundles<F: Function>(&mut self, func: &F) {
        self.bundles.clear();
        self.spill_sets.clear();
        self.queue.clear();
        self.deferred.clear();
        let num_vregs = self.live.vregs.len();
        for v in 0..num_vregs {
            let start = self.live.vreg_ranges[v];
            let end = self.live.vreg_ranges[v + 1];
            if start == end {
                continue;
            }
            let b = self.bundles.len() as u32;
            for r in start..end {
                let range = &mut self.ranges[r as usize];
                range.bundle = b;
                range.next = if r + 1 < end { r + 1 } else { NONE };
            }
            let mut bundle = Bundle::empty(NONE);
            bundle.first = start;
            bundle.last = end - 1;
            self.bundles.push(bundle);
            self.update_requirements(b);
        }

        for k in 0..self.live.reuses.len() {
            let (input, def) = self.live.reuses[k];
            self.try_merge_reuse(input, def);
        }
        for b in 0..func.num_blocks() {
            let block = Block::new(b);
            for (k, &p) in func.block_params(block).iter().enumerate() {
                for &pred in func.block_preds(block) {
                    let succ_index = func
                        .block_succs(pred)
                        .iter()
                        .position(|&s| s == block)
                        .expect("validated edge");
                    let arg = func.branch_args(pred, succ_index)[k];
                    self.try_merge_values(arg.index() as u32, p.index() as u32);
                }
            }
        }

        for b in 0..self.bundles.len() as u32 {
            if self.bundles[b as usize].first == NONE {
                continue;
            }
            let first = self.bundles[b as usize].first;
            let class = self.live.vregs[self.ranges[first as usize].vreg as usize].class;
            self.bundles[b as usize].spill_set = self.spill_sets.len() as u32;
            self.spill_sets.push(SpillSet {
                class,
                splits: 0,
                hint: None,
                spill_bundle: NONE,
                slot: NONE,
            });
            self.update_properties(b);
            self.enqueue(b);
        }
        self.conflict_stamp.clear();
        self.conflict_stamp.resize(self.bundles.len(), 0);
    }

    /// The bundle holding value `v`'s first range, if it has ranges.
    fn bundle_of_value(&self, v: u32) -> u32 {
        let start = self.live.vreg_ranges[v as usize];
        if start == self.live.vreg_ranges[v as usize + 1] {
            NONE
        } else {
            self.ranges[start as usize].bundle
        }
    }

    /// Merges a reuse def with its input. A reuse def's range starts at its
    /// instruction's early point, so that nothing else sits in its register
    /// while the input is copied there. An input that dies at the
    /// instruction but occupies that point too (a block parameter used at
    /// its block's first instruction, or a value also used by another
    /// operand) overlaps it there. Sharing a register, the input's range
    /// itself keeps the early point free, so the def may then start at the
    /// late point instead.
    fn try_merge_reuse(&mut self, input: u32, def: u32) {
        let def_start = self.live.vregs[def as usize].def;
        let first = self.live.vreg_ranges[def as usize];
        let overlaps_only_there = first < self.live.vreg_ranges[def as usize + 1]
            && self.ranges[first as usize].from == def_start
            && self.value_ends_at(input, def_start + 1);
        if !overlaps_only_there {
            self.try_merge_values(input, def);
            return;
        }
        self.shift_def(def, def_start + 1);
        if !self.try_merge_values(input, def) {
            self.shift_def(def, def_start);
        }
    }

    /// Whether value `v`'s last range ends at `p`.
    fn value_ends_at(&self, v: u32, p: Point) -> bool {
        let end = self.live.vreg_ranges[v as usize + 1];
        end > self.live.vreg_ranges[v as usize] && self.ranges[end as usize - 1].to == p
    }

    /// Moves the start of value `v`'s first range, and its def, to `p`.
    fn shift_def(&mut self, v: u32, p: Point) {
        let first = self.live.vreg_ranges[v as usize] as usize;
        self.ranges[first].from = p;
        let def_use = self.ranges[first].uses_start as usize;
        self.live.uses[def_use].pos = p;
        self.live.vregs[v as usize].def = p;
    }

    fn try_merge_values(&mut self, a: u32, b: u32) -> bool {
        let (ba, bb) = (self.bundle_of_value(a), self.bundle_of_value(b));
        if ba == NONE || bb == NONE || ba == bb {
            return false;
        }
        let (x, y) = (self.bundles[ba as usize], self.bundles[bb as usize]);
        if (x.needs_reg && y.needs_stack)
            || (x.needs_stack && y.needs_reg)
            || !self.disjoint(ba, bb)
        {
            return false;
        }
        self.merge_lists(ba, bb);
        true
    }

    /// Whether two bundles' ranges are disjoint, answering "no" when that
    /// would take too long to establish.
    fn disjoint(&self, a: u32, b: u32) -> bool {
        let (x, y) = (self.bundles[a as usize], self.bundles[b as usize]);
        let (x_start, x_end) = (
            self.ranges[x.first as usize].from,
            self.ranges[x.last as usize].to,
        );
        let (y_start, y_end) = (
            self.ranges[y.first as usize].from,
            self.ranges[y.last as usize].to,
        );
        if x_end <= y_start || y_end <= x_start {
            return true;
        }
        let (mut i, mut j) = (x.first, y.first);
        for _ in 0..MERGE_STEP_LIMIT {
            if i == NONE || j == NONE {
                return true;
            }
            let (ri, rj) = (self.ranges[i as usize], self.ranges[j as usize]);
            if ri.to <= rj.from {
                i = ri.next;
            } else if rj.to <= ri.from {
                j = rj.next;
            } else {
                return false;
            }
        }
        false
    }

    /// Moves every range of bundle `b` into bundle `a` (their ranges are
    /// disjoint), keeping `a`'s list sorted.
    fn merge_lists(&mut self, a: u32, b: u32) {
        let mut r = self.bundles[b as usize].first;
        while r != NONE {
            self.ranges[r as usize].bundle = a;
            r = self.ranges[r as usize].next;
        }
        let (x, y) = (self.bundles[a as usize], self.bundles[b as usize]);
        let (first, last) = if self.ranges[x.last as usize].to <= self.ranges[y.first as usize].from
        {
            self.ranges[x.last as usize].next = y.first;
            (x.first, y.last)
        } else if self.ranges[y.last as usize].to <= self.ranges[x.first as usize].from {
            self.ranges[y.last as usize].next = x.first;
            (y.first, x.last)
        } else {
            self.interleave(x.first, y.first)
        };
        let merged = &mut self.bundles[a as usize];
        merged.first = first;
        merged.last = last;
        merged.needs_reg |= y.needs_reg;
        merged.needs_stack |= y.needs_stack;
        merged.hint = merged.hint.or(y.hint);
        self.bundles[b as usize] = Bundle::empty(NONE);
    }

    /// Merges two sorted, mutually disjoint range lists; returns the new
    /// first and last range.
    fn interleave(&mut self, mut i: u32, mut j: u32) -> (u32, u32) {
        let mut first = NONE;
        let mut last = NONE;
        while i != NONE || j != NONE {
            let take_i = j == NONE
                || (i != NONE && self.ranges[i as usize].from < self.ranges[j as usize].from);
            let r = if take_i { i } else { j };
            if take_i {
                i = self.ranges[i as usize].next;
            } else {
                j = self.ranges[j as usize].next;
            }
            if last == NONE {
                first = r;
            } else {
                self.ranges[last as usize].next = r;
            }
            last = r;
        }
        self.ranges[last as usize].next = NONE;
        (first, last)
    }

    /// Recomputes `needs_reg`, `needs_stack` and `hint` from the uses.
    pub(crate) fn update_requirements(&mut self, b: u32) {
        let mut needs_reg = false;
        let mut needs_stack = false;
        let mut hint = None;
        let mut r = self.bundles[b as usize].first;
        while r != NONE {
            let range = self.ranges[r as usize];
            for u in &self.live.uses[range.uses_start as usize..range.uses_end as usize] {
                needs_reg |= u.kind.needs_reg();
                needs_stack |= u.kind.needs_stack();
                hint = hint.or(u.kind.hint());
            }
            r = range.next;
        }
        let bundle = &mut self.bundles[b as usize];
        bundle.needs_reg = needs_reg;
        bundle.needs_stack = needs_stack;
        bundle.hint = hint;
    }

    /// Recomputes every cached property of bundle `b` from its ranges.
    pub(crate) fn update_properties(&mut self, b: u32) {
        self.update_requirements(b);
        let bundle = self.bundles[b as usize];
        let mut size = 0u32;
        let mut total_weight = 0u64;
        let mut r = bundle.first;
        while r != NONE {
            let range = self.ranges[r as usize];
            size += range.len();
            for u in &self.live.uses[range.uses_start as usize..range.uses_end as usize] {
                total_weight += u64::from(u.weight);
            }
            r = range.next;
        }
        let (start, end) = (
            self.ranges[bundle.first as usize].from,
            self.ranges[bundle.last as usize].to,
        );
        let minimal = inst_of(start) == inst_of(end - 1);
        let weight = if minimal {
            if end - start == 2 {
                MINIMAL_WIDE_WEIGHT
            } else {
                MINIMAL_WEIGHT
            }
        } else {
            let insts = u64::from(size.div_ceil(2));
            (total_weight / insts).min(u64::from(MAX_NORMAL_WEIGHT)) as u32
        };
        let bundle = &mut self.bundles[b as usize];
        bundle.size = size;
        bundle.weight = weight;
        bundle.minimal = minimal;
        bundle.alloc = BundleAlloc::None;
    }

    pub(crate) fn enqueue(&mut self, b: u32) {
        self.queue.push((self.bundles[b as usize].size, Reverse(b)));
    }

    /// A new empty bundle in spill set `ss`.
    pub(crate) fn new_bundle(&mut self, ss: u32) -> u32 {
        self.bundles.push(Bundle::empty(ss));
        self.conflict_stamp.push(0);
        self.bundles.len() as u32 - 1
    }
}
