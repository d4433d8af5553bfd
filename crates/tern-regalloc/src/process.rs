//! The main loop: take the largest bundle off the queue and give it a
//! register, evicting lighter bundles or splitting it if none is free.

use crate::allocator::State;
use crate::error::Error;
use crate::ir::{BundleAlloc, NONE, Point, inst_of};
use crate::output::Stats;
use crate::reg::{Inst, PReg};

/// The outcome of trying one register for a bundle.
enum Probe {
    /// No conflict: the bundle fits.
    Free,
    /// The bundle conflicts, first at `first`. If `evictable`, the
    /// conflicting bundles (in `State::conflicts`) all weigh less than the
    /// limit, the heaviest `max_weight`.
    Conflict {
        first: Point,
        evictable: bool,
        max_weight: u32,
    },
}

impl State {
    pub(crate) fn process_queue(&mut self, stats: &mut Stats) -> Result<(), Error> {
        while let Some((_, core::cmp::Reverse(b))) = self.queue.pop() {
            stats.bundles_processed += 1;
            self.process_bundle(b, stats)?;
        }
        Ok(())
    }

    fn process_bundle(&mut self, b: u32, stats: &mut Stats) -> Result<(), Error> {
        let bundle = self.bundles[b as usize];
        if bundle.first == NONE {
            return Ok(());
        }
        debug_assert_eq!(bundle.alloc, BundleAlloc::None);
        match (bundle.needs_reg, bundle.needs_stack) {
            (true, true) if bundle.minimal => {
                // Both at one instruction: rejected by validation, and never
                // created by merging; report rather than split forever.
                let range = self.ranges[bundle.first as usize];
                return Err(Error::StackAndRegConstraint {
                    inst: Inst::new(inst_of(range.from) as usize),
                    vreg: crate::reg::VReg::new(
                        range.vreg as usize,
                        self.spill_sets[bundle.spill_set as usize].class,
                    ),
                });
            }
            (true, true) => {
                let at = self.first_requirement_switch(b);
                self.split(b, at, None, stats);
            }
            (false, true) => self.spill(b, stats),
            (false, false) => self.deferred.push(b),
            (true, false) => self.allocate_register(b, stats)?,
        }
        Ok(())
    }

    /// For a bundle that needs both a register and a slot: the first point
    /// whose requirement differs from the first requirement's.
    fn first_requirement_switch(&self, b: u32) -> Point {
        let mut first_is_reg = None;
        let mut r = self.bundles[b as usize].first;
        while r != NONE {
            let range = self.ranges[r as usize];
            for u in &self.live.uses[range.uses_start as usize..range.uses_end as usize] {
                let is_reg = if u.kind.needs_reg() {
                    true
                } else if u.kind.needs_stack() {
                    false
                } else {
                    continue;
                };
                match first_is_reg {
                    None => first_is_reg = Some(is_reg),
                    Some(f) if f != is_reg => return u.pos & !1,
                    Some(_) => {}
                }
            }
            r = range.next;
        }
        unreachable!("bundle needs both a register and a slot")
    }

    /// Tries every register for a bundle that needs one; assigns it to a
    /// free one, or evicts the cheapest lighter conflicts, or splits it.
    fn allocate_register(&mut self, b: u32, stats: &mut Stats) -> Result<(), Error> {
        let bundle = self.bundles[b as usize];
        let class = self.spill_sets[bundle.spill_set as usize].class;
        let our_weight = bundle.weight;
        let mut best_evict: Option<(PReg, u32)> = None;
        let mut best_split: Option<(Point, PReg)> = None;

        let candidates = self.candidates(b);
        for &r in &candidates {
            let limit = best_evict.map_or(our_weight, |(_, w)| w.min(our_weight));
            match self.probe(b, r, limit) {
                Probe::Free => {
                    self.candidate_buf = candidates;
                    self.assign(b, r);
                    return Ok(());
                }
                Probe::Conflict {
                    first,
                    evictable,
                    max_weight,
                } => {
                    if evictable {
                        best_evict = Some((r, max_weight));
                        core::mem::swap(&mut self.conflicts, &mut self.best_conflicts);
                    }
                    if best_split.is_none_or(|(p, _)| first > p) {
                        best_split = Some((first, r));
                    }
                }
            }
        }
        self.candidate_buf = candidates;

        if let Some((r, _)) = best_evict {
            let victims = core::mem::take(&mut self.best_conflicts);
            for &v in &victims {
                self.evict(v);
                stats.evictions += 1;
            }
            self.best_conflicts = victims;
            self.assign(b, r);
            return Ok(());
        }
        if bundle.minimal {
            let inst = inst_of(self.ranges[bundle.first as usize].from);
            return Err(Error::TooManyLiveRegs {
                inst: Inst::new(inst as usize),
                class,
            });
        }
        let (at, r) = best_split.expect("a class with registers was probed");
        self.split(b, at, Some(r), stats);
        Ok(())
    }

    /// The registers to try for bundle `b`: its hints, then its class's
    /// registers in the machine description's order. The vector is
    /// `candidate_buf`, to be handed back when done.
    pub(crate) fn candidates(&mut self, b: u32) -> Vec<PReg> {
        let bundle = self.bundles[b as usize];
        let ss = self.spill_sets[bundle.spill_set as usize];
        let mut out = core::mem::take(&mut self.candidate_buf);
        out.clear();
        for hint in [bundle.prefer, bundle.hint, ss.hint].into_iter().flatten() {
            if hint.class() == ss.class
                && self.class_regs[ss.class.index()].contains(&hint)
                && !out.contains(&hint)
            {
                out.push(hint);
            }
        }
        for &r in &self.class_regs[ss.class.index()] {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }

    /// Checks bundle `b` against register `r`. Conflicts weighing `limit` or
    /// more make the register not worth evicting for.
    fn probe(&mut self, b: u32, r: PReg, limit: u32) -> Probe {
        self.probe_count = self.probe_count.wrapping_add(1);
        if self.probe_count == 0 {
            self.conflict_stamp.fill(0);
            self.probe_count = 1;
        }
        let stamp = self.probe_count;
        self.conflicts.clear();
        let occupancy = self.regs.reg(r);
        let mut first = NONE;
        let mut evictable = true;
        let mut max_weight = 0;
        let mut range = self.bundles[b as usize].first;
        while range != NONE {
            let rg = self.ranges[range as usize];
            if let Some(p) = self.regs.first_fixed_conflict(r, rg.from, rg.to, rg.vreg) {
                first = first.min(p);
                evictable = false;
            }
            let ranges = &self.ranges;
            let bundles = &self.bundles;
            let stamps = &mut self.conflict_stamp;
            let conflicts = &mut self.conflicts;
            occupancy.for_each_overlap(rg.from, rg.to, |other, p| {
                first = first.min(p);
                if evictable {
                    let ob = ranges[other as usize].bundle;
                    if stamps[ob as usize] != stamp {
                        stamps[ob as usize] = stamp;
                        let w = bundles[ob as usize].weight;
                        if w >= limit {
                            evictable = false;
                        } else {
                            max_weight = max_weight.max(w);
                            conflicts.push(ob);
                        }
                    }
                }
                true
            });
            if first != NONE && !evictable {
                // Later ranges cannot conflict earlier; the first conflict
                // point is known and eviction is off the table.
                break;
            }
            range = rg.next;
        }
        if first == NONE {
            Probe::Free
        } else {
            Probe::Conflict {
                first,
                evictable,
                max_weight,
            }
        }
    }

    /// Whether bundle `b` fits in register `r` as things stand.
    pub(crate) fn fits(&self, b: u32, r: PReg) -> bool {
        let occupancy = self.regs.reg(r);
        let mut range = self.bundles[b as usize].first;
        while range != NONE {
            let rg = self.ranges[range as usize];
            if self
                .regs
                .first_fixed_conflict(r, rg.from, rg.to, rg.vreg)
                .is_some()
            {
                return false;
            }
            let mut clash = false;
            occupancy.for_each_overlap(rg.from, rg.to, |_, _| {
                clash = true;
                false
            });
            if clash {
                return false;
            }
            range = rg.next;
        }
        true
    }

    /// Gives bundle `b` register `r`.
    pub(crate) fn assign(&mut self, b: u32, r: PReg) {
        let occupancy = self.regs.reg_mut(r);
        let mut range = self.bundles[b as usize].first;
        while range != NONE {
            let rg = self.ranges[range as usize];
            occupancy.ranges.insert(rg.from, rg.to, range);
            range = rg.next;
        }
        self.bundles[b as usize].alloc = BundleAlloc::Reg(r);
        let ss = self.bundles[b as usize].spill_set;
        self.spill_sets[ss as usize].hint = Some(r);
    }

    /// Takes bundle `b` out of its register and queues it again.
    fn evict(&mut self, b: u32) {
        let BundleAlloc::Reg(r) = self.bundles[b as usize].alloc else {
            unreachable!("only bundles in registers conflict")
        };
        let occupancy = self.regs.reg_mut(r);
        let mut range = self.bundles[b as usize].first;
        while range != NONE {
            let rg = self.ranges[range as usize];
            occupancy.ranges.remove(rg.from);
            range = rg.next;
        }
        self.bundles[b as usize].alloc = BundleAlloc::None;
        self.enqueue(b);
    }
}
