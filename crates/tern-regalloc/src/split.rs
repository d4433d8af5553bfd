//! Splitting bundles.
//!
//! A bundle that fits in no register is split at the first point where the
//! best register stops being free, so that the first part can take it. The
//! split point is a gap between instructions (an even point: moves can only
//! go between instructions), hoisted to the header of a deeper loop when the
//! conflict lies inside one (a move outside the loop beats one inside).
//! Around the split point, the stretch from the last use before it to the
//! first use after it needs no register: it goes to the spill set's *spill
//! bundle*, which is allocated after all register-needing bundles, to a
//! free register if one happens to be available for all of it, else to the
//! spill slot. The parts with uses are queued again.
//!
//! Each spill set may be split a bounded number of times ([`SPLIT_CAP`],
//! currently once). After that, the bundle is broken at once into
//! *minimal* bundles — one per instruction with a use that needs a
//! register, covering just that instruction's points — plus the spill
//! bundle for everything in between. Minimal bundles outweigh every other
//! bundle and cannot be split further. This bounds the splitting work per
//! value and is what keeps the allocator linear on inputs such as a value
//! used by every one of many calls that clobber all registers.

use crate::allocator::State;
use crate::ir::{NONE, Point, early, inst_of};
use crate::output::Stats;
use crate::reg::PReg;

/// How many times the bundles of one spill set may be split before the
/// remainder is broken into minimal bundles. One: on the benchmark suite
/// (`benches/vs_regalloc2.rs`), a single split at the first conflict
/// followed by minimal pieces inserts the fewest moves (caps of 0, 2, 3, 5
/// and 8 all insert more) and is also the fastest.
pub(crate) const SPLIT_CAP: u32 = 1;

/// How many blocks to scan back when hoisting a split point to a loop
/// header.
const HOIST_SCAN_LIMIT: u32 = 32;

/// The three parts of a bundle around a split.
struct Parts {
    left: (u32, u32),
    middle: (u32, u32),
    right: (u32, u32),
}

impl State {
    /// Splits bundle `b`, which conflicts first at `conflict`; the part
    /// before the split prefers `hint`.
    pub(crate) fn split(&mut self, b: u32, conflict: Point, hint: Option<PReg>, stats: &mut Stats) {
        let bundle = self.bundles[b as usize];
        let ss = bundle.spill_set;
        if self.spill_sets[ss as usize].splits >= SPLIT_CAP {
            self.split_into_minimal(b, stats);
            return;
        }
        self.spill_sets[ss as usize].splits += 1;
        stats.splits += 1;

        let start = self.ranges[bundle.first as usize].from;
        let end = self.ranges[bundle.last as usize].to;
        let mut s = self.hoist_split_point(start, conflict & !1);
        if s <= start {
            // No prefix fits: peel off the first use.
            let first_use = self.first_use_inst(b);
            s = if first_use == inst_of(start) {
                early(first_use + 1)
            } else {
                early(first_use)
            };
        }
        let s = s.clamp(early(inst_of(start) + 1), early(inst_of(end - 1)));

        let (t1, t2) = self.trim_points(b, s);
        let parts = self.partition(b, t1, t2);

        self.set_list(b, parts.left);
        self.bundles[b as usize].prefer = hint;
        if parts.left.0 != NONE {
            self.update_properties(b);
            self.enqueue(b);
        }
        if parts.right.0 != NONE {
            let nb = self.new_bundle(ss);
            self.set_list(nb, parts.right);
            self.update_properties(nb);
            self.enqueue(nb);
        }
        self.add_to_spill_bundle(ss, parts.middle);
    }

    /// Breaks bundle `b` into minimal bundles around its register uses and
    /// its spill bundle.
    ///
    /// The minimal pieces are whole instructions (`[2i, 2i + 2)`), one per
    /// instruction with register uses, intersected with the bundle's
    /// ranges. Cutting the bundle as a whole at these even points, rather
    /// than range by range, keeps together ranges that meet at a late
    /// point: a reuse def starting there and the input it took over (see
    /// `try_merge_reuse`), which must share a register.
    fn split_into_minimal(&mut self, b: u32, stats: &mut Stats) {
        stats.minimal_splits += 1;
        let ss = self.bundles[b as usize].spill_set;
        let mut pieces = core::mem::take(&mut self.piece_buf);
        pieces.clear();
        let mut r = self.bundles[b as usize].first;
        while r != NONE {
            let range = self.ranges[r as usize];
            for u in &self.live.uses[range.uses_start as usize..range.uses_end as usize] {
                if u.kind.needs_reg() {
                    let inst = inst_of(u.pos);
                    if pieces.last().is_none_or(|&(i, _)| i != inst) {
                        pieces.push((inst, NONE));
                    }
                }
            }
            r = range.next;
        }

        let mut r = self.bundles[b as usize].first;
        self.bundles[b as usize].first = NONE;
        self.bundles[b as usize].last = NONE;
        let mut k = 0;
        while r != NONE {
            let range = self.ranges[r as usize];
            while k < pieces.len() && early(pieces[k].0 + 1) <= range.from {
                k += 1;
            }
            // Cut at the next piece boundary strictly inside the range.
            let next = match pieces.get(k) {
                Some(&(inst, _)) if range.from < early(inst) && early(inst) < range.to => {
                    self.cut(r, early(inst))
                }
                Some(&(inst, _)) if range.from < early(inst + 1) && early(inst + 1) < range.to => {
                    self.cut(r, early(inst + 1))
                }
                _ => range.next,
            };
            self.ranges[r as usize].next = NONE;
            let from = self.ranges[r as usize].from;
            match pieces.get_mut(k) {
                Some((inst, piece)) if early(*inst) <= from => {
                    if *piece == NONE {
                        *piece = self.new_bundle(ss);
                    }
                    let piece = *piece;
                    self.append_to_bundle(piece, r);
                }
                _ => self.add_to_spill_bundle(ss, (r, r)),
            }
            r = next;
        }
        for &(_, piece) in &pieces {
            if piece != NONE {
                self.update_properties(piece);
                self.enqueue(piece);
            }
        }
        self.piece_buf = pieces;
    }

    /// Appends range `r` (the last so far in point order) to bundle `b`.
    fn append_to_bundle(&mut self, b: u32, r: u32) {
        self.ranges[r as usize].bundle = b;
        self.ranges[r as usize].next = NONE;
        let bundle = &mut self.bundles[b as usize];
        if bundle.last == NONE {
            bundle.first = r;
        } else {
            self.ranges[bundle.last as usize].next = r;
        }
        self.bundles[b as usize].last = r;
    }

    /// The instruction of the first use of `b` that the bundle's allocation
    /// serves.
    fn first_use_inst(&self, b: u32) -> u32 {
        let mut r = self.bundles[b as usize].first;
        while r != NONE {
            let range = self.ranges[r as usize];
            for u in &self.live.uses[range.uses_start as usize..range.uses_end as usize] {
                if u.kind.takes_range_alloc() {
                    return inst_of(u.pos);
                }
            }
            r = range.next;
        }
        unreachable!("a bundle needing a register has a use")
    }

    /// Moves a split point inside a deeper loop than the bundle's start up
    /// to the header of the outermost such loop.
    fn hoist_split_point(&self, start: Point, s: Point) -> Point {
        if s <= start {
            return s;
        }
        let cfg = &self.cfg;
        let b_start = cfg.inst_block[inst_of(start) as usize];
        let b_split = cfg.inst_block[inst_of(s) as usize];
        let depth = cfg.loop_depth[b_start as usize];
        if cfg.loop_depth[b_split as usize] <= depth {
            return s;
        }
        let last = b_split.min(b_start + HOIST_SCAN_LIMIT);
        for blk in b_start + 1..=last {
            if cfg.loop_depth[blk as usize] > depth {
                return cfg.block_start_point(blk);
            }
        }
        s
    }

    /// Where the part before `s` ends (after its last use) and where the
    /// part after `s` begins (before its first use).
    fn trim_points(&self, b: u32, s: Point) -> (Point, Point) {
        let bundle = self.bundles[b as usize];
        let mut t1 = self.ranges[bundle.first as usize].from;
        let mut t2 = self.ranges[bundle.last as usize].to;
        let mut r = bundle.first;
        'ranges: while r != NONE {
            let range = self.ranges[r as usize];
            for u in &self.live.uses[range.uses_start as usize..range.uses_end as usize] {
                if !u.kind.takes_range_alloc() {
                    continue;
                }
                if u.pos < s {
                    t1 = early(inst_of(u.pos) + 1);
                } else {
                    t2 = early(inst_of(u.pos)).max(s);
                    break 'ranges;
                }
            }
            r = range.next;
        }
        (t1.min(s), t2)
    }

    /// Cuts the ranges of `b` at `t1 <= t2` and sorts them into the parts
    /// before `t1`, between, and after `t2`.
    fn partition(&mut self, b: u32, t1: Point, t2: Point) -> Parts {
        let mut parts = Parts {
            left: (NONE, NONE),
            middle: (NONE, NONE),
            right: (NONE, NONE),
        };
        let mut r = self.bundles[b as usize].first;
        while r != NONE {
            let range = self.ranges[r as usize];
            let next = if range.from < t1 && t1 < range.to {
                self.cut(r, t1)
            } else if range.from < t2 && t2 < range.to {
                self.cut(r, t2)
            } else {
                range.next
            };
            let from = self.ranges[r as usize].from;
            let part = if from < t1 {
                &mut parts.left
            } else if from < t2 {
                &mut parts.middle
            } else {
                &mut parts.right
            };
            append(&mut self.ranges, part, r);
            r = next;
        }
        parts
    }

    /// Splits range `r` at `p` (strictly inside it); `r` keeps the part
    /// before `p` and the returned new range holds the rest.
    pub(crate) fn cut(&mut self, r: u32, p: Point) -> u32 {
        let range = self.ranges[r as usize];
        debug_assert!(range.from < p && p < range.to);
        let uses = &self.live.uses[range.uses_start as usize..range.uses_end as usize];
        let mid = range.uses_start + uses.partition_point(|u| u.pos < p) as u32;
        let new = self.ranges.len() as u32;
        self.ranges.push(crate::ir::Range {
            from: p,
            uses_start: mid,
            ..range
        });
        let old = &mut self.ranges[r as usize];
        old.to = p;
        old.uses_end = mid;
        old.next = new;
        new
    }

    /// Makes `list` (first, last) the ranges of bundle `b`.
    fn set_list(&mut self, b: u32, list: (u32, u32)) {
        let (first, last) = list;
        let mut r = first;
        while r != NONE {
            self.ranges[r as usize].bundle = b;
            r = self.ranges[r as usize].next;
        }
        let bundle = &mut self.bundles[b as usize];
        bundle.first = first;
        bundle.last = last;
    }

    /// Appends `list` to spill set `ss`'s spill bundle (created on first
    /// use, and allocated after the queue empties).
    fn add_to_spill_bundle(&mut self, ss: u32, list: (u32, u32)) {
        if list.0 == NONE {
            return;
        }
        let mut sb = self.spill_sets[ss as usize].spill_bundle;
        if sb == NONE {
            sb = self.new_bundle(ss);
            self.spill_sets[ss as usize].spill_bundle = sb;
            self.deferred.push(sb);
        }
        let mut r = list.0;
        while r != NONE {
            self.ranges[r as usize].bundle = sb;
            r = self.ranges[r as usize].next;
        }
        let bundle = self.bundles[sb as usize];
        if bundle.last == NONE {
            self.bundles[sb as usize].first = list.0;
        } else {
            self.ranges[bundle.last as usize].next = list.0;
        }
        self.bundles[sb as usize].last = list.1;
    }
}

/// Appends range `r` to the list `part`.
fn append(ranges: &mut [crate::ir::Range], part: &mut (u32, u32), r: u32) {
    ranges[r as usize].next = NONE;
    if part.1 == NONE {
        part.0 = r;
    } else {
        ranges[part.1 as usize].next = r;
    }
    part.1 = r;
}
