//! An ordered map of disjoint intervals whose memory is reused.
//!
//! Register and slot occupancy need an ordered map from an interval's first
//! point to its end (and an id): insertions and removals in arbitrary order,
//! and "what overlaps `[from, to)`" queries. `std`'s `BTreeMap` does this
//! but frees its nodes when cleared, so every function allocated would
//! allocate them anew. This map keeps its entries in fixed-size sorted
//! chunks taken from an arena, located through a sorted index of their
//! first keys; clearing it keeps the arena. A lookup is a bisection of the
//! index and then of a chunk. Inserting into a full chunk splits it (one
//! index insertion per `CHUNK / 2` insertions, so the index shifts stay
//! small: the index is `CHUNK` times smaller than the map); a chunk emptied
//! by removals is returned to the arena.

use crate::ir::Point;

/// Entries per chunk.
const CHUNK: usize = 32;

/// An interval `[from, to)` with an id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub from: Point,
    pub to: Point,
    pub id: u32,
}

#[derive(Clone, Copy)]
struct Chunk {
    len: usize,
    entries: [Entry; CHUNK],
}

const EMPTY_CHUNK: Chunk = Chunk {
    len: 0,
    entries: [Entry {
        from: 0,
        to: 0,
        id: 0,
    }; CHUNK],
};

impl Chunk {
    fn entries(&self) -> &[Entry] {
        &self.entries[..self.len]
    }
}

/// A map from disjoint intervals (keyed by first point) to ids.
#[derive(Default)]
pub(crate) struct RangeMap {
    /// `(first key, chunk)` of every chunk in use, in key order.
    index: Vec<(Point, u32)>,
    chunks: Vec<Chunk>,
    /// Chunks of `chunks` not in use.
    free: Vec<u32>,
}

impl RangeMap {
    /// Removes every entry, keeping the memory.
    pub(crate) fn clear(&mut self) {
        self.index.clear();
        self.free.clear();
        self.free.extend((0..self.chunks.len() as u32).rev());
    }

    fn new_chunk(&mut self) -> u32 {
        match self.free.pop() {
            Some(c) => {
                self.chunks[c as usize].len = 0;
                c
            }
            None => {
                self.chunks.push(EMPTY_CHUNK);
                self.chunks.len() as u32 - 1
            }
        }
    }

    /// The position in `index` of the chunk that holds (or would hold) key
    /// `key`: the last chunk whose first key is at most `key`, or the first.
    fn chunk_for(&self, key: Point) -> usize {
        self.index
            .partition_point(|&(first, _)| first <= key)
            .saturating_sub(1)
    }

    /// Adds `[from, to)` with `id`; it must not overlap an existing entry.
    pub(crate) fn insert(&mut self, from: Point, to: Point, id: u32) {
        let entry = Entry { from, to, id };
        if self.index.is_empty() {
            let c = self.new_chunk();
            self.index.push((from, c));
        }
        let pos = self.chunk_for(from);
        let c = self.index[pos].1 as usize;
        if self.chunks[c].len == CHUNK {
            // Split off the upper half into a new chunk.
            let new = self.new_chunk() as usize;
            let half = CHUNK / 2;
            let (low, high) = if c < new {
                let (a, b) = self.chunks.split_at_mut(new);
                (&mut a[c], &mut b[0])
            } else {
                let (a, b) = self.chunks.split_at_mut(c);
                (&mut b[0], &mut a[new])
            };
            high.entries[..CHUNK - half].copy_from_slice(&low.entries[half..]);
            high.len = CHUNK - half;
            low.len = half;
            let first = high.entries[0].from;
            self.index.insert(pos + 1, (first, new as u32));
            return self.insert(from, to, id);
        }
        let chunk = &mut self.chunks[c];
        let at = chunk.entries().partition_point(|e| e.from < from);
        debug_assert!(at == chunk.len || chunk.entries[at].from >= to);
        chunk.entries.copy_within(at..chunk.len, at + 1);
        chunk.entries[at] = entry;
        chunk.len += 1;
        if at == 0 {
            self.index[pos].0 = from;
        }
    }

    /// Removes the entry starting at `from`, if any.
    pub(crate) fn remove(&mut self, from: Point) {
        if self.index.is_empty() {
            return;
        }
        let pos = self.chunk_for(from);
        let c = self.index[pos].1 as usize;
        let chunk = &mut self.chunks[c];
        let Ok(at) = chunk.entries().binary_search_by_key(&from, |e| e.from) else {
            return;
        };
        chunk.entries.copy_within(at + 1..chunk.len, at);
        chunk.len -= 1;
        if chunk.len == 0 {
            self.index.remove(pos);
            self.free.push(c as u32);
        } else if at == 0 {
            self.index[pos].0 = chunk.entries[0].from;
        }
    }

    /// Calls `f(entry)` for every entry overlapping `[from, to)`, latest
    /// first, until `f` returns false.
    pub(crate) fn for_each_overlap(
        &self,
        from: Point,
        to: Point,
        mut f: impl FnMut(Entry) -> bool,
    ) {
        if self.index.is_empty() || to == 0 {
            return;
        }
        let mut pos = self.chunk_for(to - 1);
        loop {
            let chunk = &self.chunks[self.index[pos].1 as usize];
            let end = chunk.entries().partition_point(|e| e.from < to);
            for &e in chunk.entries()[..end].iter().rev() {
                if e.to <= from || !f(e) {
                    return;
                }
            }
            if pos == 0 {
                return;
            }
            pos -= 1;
        }
    }

    /// The entry containing point `p`, if any.
    pub(crate) fn at(&self, p: Point) -> Option<Entry> {
        let mut found = None;
        self.for_each_overlap(p, p + 1, |e| {
            found = Some(e);
            false
        });
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;
    use std::collections::BTreeMap;

    #[test]
    fn matches_a_btree_map_under_random_operations() {
        let mut rng = Rng::new(3);
        let mut map = RangeMap::default();
        for round in 0..3 {
            map.clear();
            let mut model: BTreeMap<Point, (Point, u32)> = BTreeMap::new();
            for step in 0..5000u32 {
                let from = rng.below(4000) as Point * 4;
                let to = from + 1 + rng.below(3) as Point;
                if rng.chance(70) {
                    let free = model
                        .range(..to)
                        .next_back()
                        .is_none_or(|(_, &(end, _))| end <= from);
                    if free {
                        map.insert(from, to, step);
                        model.insert(from, (to, step));
                    }
                } else if let Some((&k, _)) = model.range(from..).next() {
                    map.remove(k);
                    model.remove(&k);
                }
                let (qf, qt) = (rng.below(16_000) as Point, rng.below(400) as Point);
                let mut got = Vec::new();
                map.for_each_overlap(qf, qf + qt, |e| {
                    got.push((e.from, e.to, e.id));
                    true
                });
                let want: Vec<(Point, Point, u32)> = model
                    .range(..qf + qt)
                    .rev()
                    .take_while(|&(_, &(end, _))| end > qf)
                    .map(|(&f, &(t, id))| (f, t, id))
                    .collect();
                assert_eq!(got, want, "round {round} step {step}");
                let p = rng.below(16_000) as Point;
                let want_at = model
                    .range(..=p)
                    .next_back()
                    .filter(|&(_, &(end, _))| end > p)
                    .map(|(&f, &(t, id))| Entry { from: f, to: t, id });
                assert_eq!(map.at(p), want_at);
            }
        }
    }
}
