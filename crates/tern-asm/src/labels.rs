//! Label positions as a union-find forest.
//!
//! Labels that must resolve to the same place form one set, whose root holds
//! the set's offset (or "unbound"). Three things put labels in one set:
//!
//! - binding a label where another label is already bound (same offset);
//! - removing a branch, which moves the labels bound after it back onto the
//!   labels bound before it (same offset, now);
//! - jump threading: a label bound at `jmp T` means "wherever `T` is", so
//!   its set joins `T`'s set and takes `T`'s offset (known or not yet).
//!
//! Every one of these may pick either root as the new root, so union by
//! rank applies; with path halving on lookup, each operation costs
//! amortized O(α(n)) — effectively constant. A set's offset only ever
//! changes while its labels sit at the buffer's tail (see `buffer.rs`).

use crate::buffer::Label;

#[cold]
#[inline(never)]
fn bound_twice(label: Label) -> ! {
    panic!("label {label:?} bound twice")
}

/// The offset of an unbound set.
const UNBOUND: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Node {
    /// Parent in the forest; a root is its own parent.
    parent: u32,
    /// Upper bound on the height of the tree below a root.
    rank: u8,
    /// Whether `bind_label` was called on this label (to catch double binds).
    bound: bool,
    /// The set's offset; meaningful at roots only.
    offset: u32,
}

/// All labels of one function.
#[derive(Default)]
pub(crate) struct LabelTable {
    nodes: Vec<Node>,
    /// Parent links followed by lookups, for the work bound in tests.
    steps: u64,
}

impl LabelTable {
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.steps = 0;
    }

    pub fn create(&mut self) -> Label {
        let index = u32::try_from(self.nodes.len()).expect("more than 2^32 labels");
        self.nodes.push(Node {
            parent: index,
            rank: 0,
            bound: false,
            offset: UNBOUND,
        });
        Label::from_index(index)
    }

    /// Records that `label` is being bound; panics if it already was.
    #[inline]
    pub fn mark_bound(&mut self, label: Label) {
        let node = &mut self.nodes[label.index() as usize];
        if node.bound {
            bound_twice(label);
        }
        node.bound = true;
    }

    /// Binds `label` (see [`LabelTable::mark_bound`]) and moves its set to
    /// `offset`. One node access when the label is the root of its set (a
    /// label not yet threaded or merged: almost every label).
    #[inline]
    pub fn bind(&mut self, label: Label, offset: u32) {
        let index = label.index();
        let node = &mut self.nodes[index as usize];
        if node.bound {
            bound_twice(label);
        }
        node.bound = true;
        if node.parent == index {
            node.offset = offset;
        } else {
            self.set_offset(label, offset);
        }
    }

    /// Binds `label` to `offset` if that takes one node access and cannot
    /// fail: the label is the root of its set and not yet bound. Returns
    /// whether it did; otherwise nothing changed (see [`LabelTable::bind`]).
    ///
    /// The buffer's fast path: no loop and no panic, so that `bind_label`
    /// stays a leaf function.
    #[inline]
    pub fn bind_if_root(&mut self, label: Label, offset: u32) -> bool {
        let index = label.index();
        match self.nodes.get_mut(index as usize) {
            Some(node) if node.parent == index && !node.bound => {
                node.bound = true;
                node.offset = offset;
                true
            }
            _ => false,
        }
    }

    /// The offset of `label`'s set if `label` is its root (`Some(None)`
    /// when unbound), or `None` if finding it would take a walk: a lookup
    /// with no loop and no writes, for the buffer's fast paths.
    #[inline]
    pub fn root_offset(&self, label: Label) -> Option<Option<u32>> {
        let index = label.index();
        match self.nodes.get(index as usize) {
            Some(node) if node.parent == index => Some(Some(node.offset).filter(|&o| o != UNBOUND)),
            _ => None,
        }
    }

    /// The root of `label`'s set, halving the path on the way.
    pub fn find(&mut self, label: Label) -> u32 {
        let mut x = label.index();
        loop {
            let parent = self.nodes[x as usize].parent;
            if parent == x {
                return x;
            }
            let grandparent = self.nodes[parent as usize].parent;
            self.nodes[x as usize].parent = grandparent;
            self.steps += 1;
            x = grandparent;
        }
    }

    /// The root of `label`'s set, without compressing (for `&self` queries).
    fn find_const(&self, label: Label) -> u32 {
        let mut x = label.index();
        while self.nodes[x as usize].parent != x {
            x = self.nodes[x as usize].parent;
        }
        x
    }

    /// The offset `label` resolves to, if its set is bound.
    pub fn offset(&mut self, label: Label) -> Option<u32> {
        let root = self.find(label);
        match self.nodes[root as usize].offset {
            UNBOUND => None,
            offset => Some(offset),
        }
    }

    /// As [`LabelTable::offset`], for shared access.
    pub fn offset_const(&self, label: Label) -> Option<u32> {
        match self.nodes[self.find_const(label) as usize].offset {
            UNBOUND => None,
            offset => Some(offset),
        }
    }

    /// Moves `label`'s whole set to `offset`.
    pub fn set_offset(&mut self, label: Label, offset: u32) {
        let root = self.find(label);
        self.nodes[root as usize].offset = offset;
    }

    /// Whether `a` and `b` resolve to the same place by construction.
    pub fn same_set(&mut self, a: Label, b: Label) -> bool {
        self.find(a) == self.find(b)
    }

    /// Merges the sets of `a` and `b`; the merged set takes `b`'s offset.
    pub fn union_into(&mut self, a: Label, b: Label) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let offset = self.nodes[rb as usize].offset;
        let (child, root) = if self.nodes[ra as usize].rank > self.nodes[rb as usize].rank {
            (rb, ra)
        } else {
            (ra, rb)
        };
        let child_rank = self.nodes[child as usize].rank;
        self.nodes[child as usize].parent = root;
        let root_node = &mut self.nodes[root as usize];
        if root_node.rank == child_rank {
            root_node.rank += 1;
        }
        root_node.offset = offset;
    }

    /// Parent links followed by lookups since the last `clear`.
    pub fn steps(&self) -> u64 {
        self.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_takes_second_offset_and_path_halving_bounds_work() {
        let mut t = LabelTable::default();
        let labels: Vec<Label> = (0..1000).map(|_| t.create()).collect();
        t.set_offset(labels[0], 7);
        for w in labels.windows(2) {
            t.union_into(w[1], w[0]);
        }
        for &l in &labels {
            assert_eq!(t.offset(l), Some(7));
        }
        // Union by rank keeps trees at logarithmic height at most.
        assert!(t.steps() < 1000 * 10, "{} steps", t.steps());
        let lone = t.create();
        assert_eq!(t.offset_const(lone), None);
        t.union_into(labels[5], lone);
        assert_eq!(t.offset(labels[999]), None);
        assert!(t.same_set(labels[1], lone));
    }

    #[test]
    #[should_panic(expected = "bound twice")]
    fn double_bind_panics() {
        let mut t = LabelTable::default();
        let l = t.create();
        t.mark_bound(l);
        t.mark_bound(l);
    }
}
