//! The bundles that need no register, and spill slots.
//!
//! Bundles whose uses accept any location — including every spill bundle —
//! wait until all bundles that need a register are placed. Then each, the
//! heaviest first, takes a register if one is free over its whole extent
//! (no eviction), and otherwise goes to its spill set's slot.
//!
//! Slots are assigned per spill set once allocation is done, from the
//! union of its spilled bundles' ranges. A slot of the same class whose
//! occupied ranges do not overlap is reused; a bounded number of slots is
//! tried (round-robin) before a new one is made, which keeps slot
//! assignment linear while still packing values with disjoint lifetimes.

use crate::allocator::State;
use crate::ir::{BundleAlloc, NONE};
use crate::output::{Output, Stats};
use crate::rangemap::RangeMap;
use crate::reg::RegClass;
use std::cmp::Reverse;

/// How many existing slots are tried before a new one is made.
const SLOT_PROBES: usize = 8;

/// Spill-slot bookkeeping, reused across runs.
#[derive(Default)]
pub(crate) struct SlotAllocator {
    /// Per slot, its occupied ranges.
    occupied: Vec<RangeMap>,
    /// The slots of each class, and where the next round-robin probe starts.
    by_class: [Vec<u32>; 2],
    cursor: [usize; 2],
    /// Spilled bundles, in the order they were spilled.
    pub spilled: Vec<u32>,
    /// `(spill set, range)` pairs of spilled ranges.
    pending: Vec<(u32, u32)>,
    list: Vec<u32>,
}

impl SlotAllocator {
    pub(crate) fn clear(&mut self) {
        for map in &mut self.occupied {
            map.clear();
        }
        for list in &mut self.by_class {
            list.clear();
        }
        self.cursor = [0; 2];
        self.spilled.clear();
        self.pending.clear();
    }

    /// A new slot of `class`, registered in the output's slot list.
    pub(crate) fn new_slot(&mut self, class: RegClass, slots: &mut Vec<RegClass>) -> u32 {
        let slot = slots.len() as u32;
        slots.push(class);
        if self.occupied.len() <= slot as usize {
            self.occupied.push(RangeMap::default());
        }
        self.by_class[class.index()].push(slot);
        slot
    }

    fn is_free(&self, slot: u32, from: crate::ir::Point, to: crate::ir::Point) -> bool {
        let mut free = true;
        self.occupied[slot as usize].for_each_overlap(from, to, |_| {
            free = false;
            false
        });
        free
    }
}

impl State {
    /// Puts bundle `b` in its spill set's slot.
    pub(crate) fn spill(&mut self, b: u32, stats: &mut Stats) {
        self.bundles[b as usize].alloc = BundleAlloc::Spilled;
        self.slots.spilled.push(b);
        stats.spilled_bundles += 1;
    }

    /// Places the bundles that need no register: in a free register if there
    /// is one, else in their slot.
    pub(crate) fn allocate_deferred(&mut self, stats: &mut Stats) {
        for ss in 0..self.spill_sets.len() {
            let sb = self.spill_sets[ss].spill_bundle;
            if sb != NONE {
                self.sort_list(sb);
                self.update_properties(sb);
            }
        }
        let mut deferred = core::mem::take(&mut self.deferred);
        deferred.sort_by_key(|&b| (Reverse(self.bundles[b as usize].weight), b));
        for &b in &deferred {
            let bundle = self.bundles[b as usize];
            if bundle.first == NONE || bundle.alloc != BundleAlloc::None {
                continue;
            }
            if bundle.needs_stack {
                self.spill(b, stats);
                continue;
            }
            let candidates = self.candidates(b);
            let free = candidates.iter().copied().find(|&r| self.fits(b, r));
            self.candidate_buf = candidates;
            match free {
                Some(r) => self.assign(b, r),
                None => self.spill(b, stats),
            }
        }
        deferred.clear();
        self.deferred = deferred;
    }

    /// Sorts bundle `b`'s range list by point.
    fn sort_list(&mut self, b: u32) {
        let mut list = core::mem::take(&mut self.slots.list);
        list.clear();
        let mut r = self.bundles[b as usize].first;
        while r != NONE {
            list.push(r);
            r = self.ranges[r as usize].next;
        }
        list.sort_unstable_by_key(|&r| self.ranges[r as usize].from);
        for w in list.windows(2) {
            self.ranges[w[0] as usize].next = w[1];
        }
        if let (Some(&first), Some(&last)) = (list.first(), list.last()) {
            self.ranges[last as usize].next = NONE;
            self.bundles[b as usize].first = first;
            self.bundles[b as usize].last = last;
        }
        self.slots.list = list;
    }

    /// Gives every spill set with spilled bundles a slot.
    pub(crate) fn assign_spill_slots(&mut self, out: &mut Output) {
        let mut pending = core::mem::take(&mut self.slots.pending);
        pending.clear();
        for &b in &self.slots.spilled {
            let bundle = self.bundles[b as usize];
            let mut r = bundle.first;
            while r != NONE {
                pending.push((bundle.spill_set, r));
                r = self.ranges[r as usize].next;
            }
        }
        pending.sort_unstable_by_key(|&(ss, r)| (ss, self.ranges[r as usize].from));
        let mut i = 0;
        while i < pending.len() {
            let ss = pending[i].0;
            let mut j = i;
            while j < pending.len() && pending[j].0 == ss {
                j += 1;
            }
            let group = &pending[i..j];
            let class = self.spill_sets[ss as usize].class;
            let slot = self
                .find_slot(class, group)
                .unwrap_or_else(|| self.slots.new_slot(class, &mut out.spill_slots));
            for &(_, r) in group {
                let range = self.ranges[r as usize];
                self.slots.occupied[slot as usize].insert(range.from, range.to, r);
            }
            self.spill_sets[ss as usize].slot = slot;
            i = j;
        }
        self.slots.pending = pending;
    }

    /// An existing slot of `class` free over all of `group`'s ranges.
    fn find_slot(&mut self, class: RegClass, group: &[(u32, u32)]) -> Option<u32> {
        let c = class.index();
        let n = self.slots.by_class[c].len();
        for k in 0..n.min(SLOT_PROBES) {
            let slot = self.slots.by_class[c][(self.slots.cursor[c] + k) % n];
            let free = group.iter().all(|&(_, r)| {
                let range = self.ranges[r as usize];
                self.slots.is_free(slot, range.from, range.to)
            });
            if free {
                self.slots.cursor[c] = (self.slots.cursor[c] + k) % n;
                return Some(slot);
            }
        }
        if n > 0 {
            self.slots.cursor[c] = (self.slots.cursor[c] + SLOT_PROBES) % n;
        }
        None
    }
}
