//! The dominator tree.
//!
//! Block A dominates block B when every path from the entry to B passes
//! through A. SSA requires every use to be dominated by its definition; the
//! verifier checks that, and GVN and LICM rely on it.
//!
//! The tree is computed with the iterative algorithm of Cooper, Harvey and
//! Kennedy ("A Simple, Fast Dominance Algorithm", 2001): number the blocks
//! in reverse postorder, then repeatedly set each block's immediate
//! dominator to the intersection (nearest common ancestor, found by walking
//! up with RPO numbers) of its processed predecessors' dominators until
//! nothing changes. On the reducible graphs that structured Wasm produces
//! it converges in two passes, and it needs no auxiliary structures beyond
//! the RPO numbering. Unreachable blocks have no dominator and dominate
//! nothing.
//!
//! Queries must be O(1): the verifier asks one per operand, and walking up
//! the idom chain would make a long chain of blocks quadratic. So the tree
//! is numbered in preorder once it is built; `a` dominates `b` exactly when
//! `b`'s number falls within `a`'s subtree range.

use crate::cfg::ControlFlowGraph;
use crate::entities::{Block, EntityRef};
use crate::function::Function;

/// Immediate dominators and reverse-postorder numbers of reachable blocks.
#[derive(Clone, Debug, Default)]
pub struct DominatorTree {
    /// Reachable blocks in reverse postorder (entry first).
    rpo: Vec<Block>,
    /// Per block: its index in `rpo`, or `None` if unreachable.
    rpo_number: Vec<Option<u32>>,
    /// Per block: its immediate dominator (the entry block's is itself).
    idom: Vec<Option<Block>>,
    /// Per block: its number in a preorder walk of the dominator tree.
    preorder: Vec<u32>,
    /// Per block: the number of blocks in its dominator subtree (itself
    /// included).
    subtree_size: Vec<u32>,
}

impl DominatorTree {
    /// Computes the dominator tree of `func` from its control-flow graph.
    pub fn compute(func: &Function, cfg: &ControlFlowGraph) -> DominatorTree {
        let n = func.dfg.num_blocks();
        let mut tree = DominatorTree {
            rpo: Vec::new(),
            rpo_number: vec![None; n],
            idom: vec![None; n],
            preorder: vec![0; n],
            subtree_size: vec![0; n],
        };
        let Some(entry) = func.layout.entry_block() else {
            return tree;
        };
        tree.rpo = reverse_postorder(entry, cfg, n);
        for (i, &b) in tree.rpo.iter().enumerate() {
            tree.rpo_number[b.index()] = Some(i as u32);
        }
        tree.idom[entry.index()] = Some(entry);
        let mut changed = true;
        while changed {
            changed = false;
            for &block in &tree.rpo[1..] {
                let mut new_idom: Option<Block> = None;
                for &pred in cfg.preds(block) {
                    if tree.idom[pred.index()].is_none() {
                        continue; // unreachable or not yet processed
                    }
                    new_idom = Some(match new_idom {
                        None => pred,
                        Some(current) => tree.intersect(current, pred),
                    });
                }
                if new_idom.is_some() && tree.idom[block.index()] != new_idom {
                    tree.idom[block.index()] = new_idom;
                    changed = true;
                }
            }
        }
        tree.number_tree(entry);
        tree
    }

    /// Numbers the dominator tree in preorder and records subtree sizes.
    fn number_tree(&mut self, entry: Block) {
        let mut children: Vec<Vec<Block>> = vec![Vec::new(); self.idom.len()];
        for &block in &self.rpo[1..] {
            let idom = self.idom[block.index()].expect("reachable block has an idom");
            children[idom.index()].push(block);
        }
        let mut next = 0u32;
        // (block, whether its children have been pushed)
        let mut stack = vec![(entry, false)];
        while let Some((block, expanded)) = stack.pop() {
            if expanded {
                self.subtree_size[block.index()] = next - self.preorder[block.index()];
                continue;
            }
            self.preorder[block.index()] = next;
            next += 1;
            stack.push((block, true));
            stack.extend(children[block.index()].iter().map(|&c| (c, false)));
        }
    }

    fn rpo_of(&self, block: Block) -> u32 {
        self.rpo_number[block.index()].expect("reachable block")
    }

    /// Nearest common dominator of two reachable, processed blocks.
    fn intersect(&self, mut a: Block, mut b: Block) -> Block {
        while a != b {
            while self.rpo_of(a) > self.rpo_of(b) {
                a = self.idom[a.index()].expect("processed block");
            }
            while self.rpo_of(b) > self.rpo_of(a) {
                b = self.idom[b.index()].expect("processed block");
            }
        }
        a
    }

    /// Is `block` reachable from the entry?
    pub fn is_reachable(&self, block: Block) -> bool {
        self.rpo_number
            .get(block.index())
            .is_some_and(Option::is_some)
    }

    /// The reachable blocks in reverse postorder.
    pub fn reverse_postorder(&self) -> &[Block] {
        &self.rpo
    }

    /// The immediate dominator of `block` (`None` for the entry block and
    /// unreachable blocks).
    pub fn idom(&self, block: Block) -> Option<Block> {
        let idom = self.idom.get(block.index()).copied().flatten()?;
        (idom != block).then_some(idom)
    }

    /// Does `a` dominate `b`? Every reachable block dominates itself;
    /// unreachable blocks dominate nothing and are dominated by nothing.
    pub fn dominates(&self, a: Block, b: Block) -> bool {
        if !self.is_reachable(a) || !self.is_reachable(b) {
            return false;
        }
        let (start, b_pre) = (self.preorder[a.index()], self.preorder[b.index()]);
        start <= b_pre && b_pre < start + self.subtree_size[a.index()]
    }
}

/// Reachable blocks from `entry` in reverse postorder, iteratively (deep
/// CFGs must not overflow the stack).
fn reverse_postorder(entry: Block, cfg: &ControlFlowGraph, num_blocks: usize) -> Vec<Block> {
    let mut visited = vec![false; num_blocks];
    let mut postorder = Vec::new();
    // (block, index of the next successor to visit)
    let mut stack = vec![(entry, 0usize)];
    visited[entry.index()] = true;
    while let Some(&mut (block, ref mut next)) = stack.last_mut() {
        if let Some(&succ) = cfg.succs(block).get(*next) {
            *next += 1;
            if !visited[succ.index()] {
                visited[succ.index()] = true;
                stack.push((succ, 0));
            }
        } else {
            postorder.push(block);
            stack.pop();
        }
    }
    postorder.reverse();
    postorder
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::FunctionBuilder;
    use crate::signature::Signature;
    use crate::types::Type;

    /// entry → (a | b) → join, plus an unreachable block.
    #[test]
    fn diamond() {
        let mut func = Function::new("f", Signature::new(&[Type::I32], &[]));
        let mut b = FunctionBuilder::new(&mut func);
        let [entry, left, right, join, dead] = [(); 5].map(|_| b.create_block());
        b.switch_to_block(entry);
        let c = b.append_entry_params(entry)[0];
        b.brif(c, left, &[], right, &[]);
        b.switch_to_block(left);
        b.jump(join, &[]);
        b.switch_to_block(right);
        b.jump(join, &[]);
        b.switch_to_block(join);
        b.return_(&[]);
        b.switch_to_block(dead);
        b.jump(join, &[]);

        let cfg = ControlFlowGraph::compute(&func);
        let dom = DominatorTree::compute(&func, &cfg);
        assert_eq!(dom.idom(join), Some(entry));
        assert_eq!(dom.idom(left), Some(entry));
        assert_eq!(dom.idom(entry), None);
        assert!(dom.dominates(entry, join));
        assert!(!dom.dominates(left, join));
        assert!(dom.dominates(join, join));
        assert!(!dom.is_reachable(dead));
        assert!(!dom.dominates(dead, join));
        assert_eq!(dom.reverse_postorder()[0], entry);
        assert_eq!(dom.reverse_postorder().len(), 4);
    }

    /// Blocks reachable from the entry without passing through `removed`.
    fn reachable_avoiding(
        func: &Function,
        cfg: &ControlFlowGraph,
        removed: Option<Block>,
    ) -> Vec<bool> {
        let mut seen = vec![false; func.dfg.num_blocks()];
        let entry = func.layout.entry_block().unwrap();
        if Some(entry) == removed {
            return seen;
        }
        let mut stack = vec![entry];
        seen[entry.index()] = true;
        while let Some(b) = stack.pop() {
            for &s in cfg.succs(b) {
                if !seen[s.index()] && Some(s) != removed {
                    seen[s.index()] = true;
                    stack.push(s);
                }
            }
        }
        seen
    }

    /// On random CFGs, `dominates` agrees with the definition: `a`
    /// dominates reachable `b` iff `b` is unreachable once `a` is removed.
    #[test]
    fn matches_brute_force_on_random_graphs() {
        let mut state = 0x1234_5678_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..300 {
            let n = 1 + next(9);
            let mut func = Function::new("g", Signature::new(&[Type::I8], &[]));
            let mut b = FunctionBuilder::new(&mut func);
            let blocks: Vec<Block> = (0..n).map(|_| b.create_block()).collect();
            b.switch_to_block(blocks[0]);
            let c = b.append_entry_params(blocks[0])[0];
            for i in 0..n {
                b.switch_to_block(blocks[i]);
                // Never target the entry block, as the verifier requires.
                let target = |r: usize| blocks[1 + r % (n - 1).max(1)];
                match (n, next(3)) {
                    (1, _) | (_, 0) => {
                        b.return_(&[]);
                    }
                    (_, 1) => {
                        b.jump(target(next(n)), &[]);
                    }
                    _ => {
                        let (t, e) = (target(next(n)), target(next(n)));
                        b.brif(c, t, &[], e, &[]);
                    }
                }
            }
            let cfg = ControlFlowGraph::compute(&func);
            let dom = DominatorTree::compute(&func, &cfg);
            let reachable = reachable_avoiding(&func, &cfg, None);
            for &a in &blocks {
                let without_a = reachable_avoiding(&func, &cfg, Some(a));
                for &bb in &blocks {
                    let want = reachable[a.index()]
                        && reachable[bb.index()]
                        && (a == bb || !without_a[bb.index()]);
                    assert_eq!(dom.dominates(a, bb), want, "{a} dom {bb}\n{func}");
                }
            }
        }
    }
}
