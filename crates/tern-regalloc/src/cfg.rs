//! Control-flow validation and the facts about blocks the allocator needs:
//! instruction ranges, where each edge's moves go, and loop depths.

use crate::error::Error;
use crate::function::Function;
use crate::ir::NONE;
use crate::reg::{Block, Inst};

/// Per-block facts, in reusable buffers.
#[derive(Default)]
pub(crate) struct Cfg {
    /// The first instruction of each block.
    pub block_first: Vec<u32>,
    /// One past the last instruction (the terminator) of each block.
    pub block_end: Vec<u32>,
    /// The block of each instruction.
    pub inst_block: Vec<u32>,
    /// Approximate loop depth of each block.
    pub loop_depth: Vec<u32>,
    /// The block has a single predecessor, so the moves of its incoming
    /// edge are placed at its start.
    pub moves_at_entry: Vec<bool>,
    /// That single predecessor (`NONE` if there are several).
    pub single_pred: Vec<u32>,
    /// The block's single successor has several predecessors, so the moves
    /// of its outgoing edge are placed before its terminator.
    pub moves_before_exit: Vec<bool>,
    stack: Vec<u32>,
    visited: Vec<bool>,
    depth_delta: Vec<i32>,
}

impl Cfg {
    /// Validates the control flow of `func` and computes the per-block facts.
    pub(crate) fn compute<F: Function>(&mut self, func: &F) -> Result<(), Error> {
        let n = func.num_blocks();
        let num_insts = func.num_insts();
        if n == 0 {
            return Err(Error::NoBlocks);
        }
        // Program points are 2 per instruction in a u32, with room to spare.
        if num_insts >= (1 << 30) || func.num_vregs() >= (1 << 30) {
            return Err(Error::TooLarge);
        }
        self.block_first.clear();
        self.block_end.clear();
        self.inst_block.clear();
        self.inst_block.reserve(num_insts);
        let mut expected = 0;
        for b in 0..n {
            let block = Block::new(b);
            let insts = func.block_insts(block);
            if insts.start.index() != expected || insts.is_empty() {
                return Err(Error::BadBlockLayout { block });
            }
            expected = insts.end.index();
            if expected > num_insts {
                return Err(Error::BadBlockLayout { block });
            }
            self.block_first.push(insts.start.index() as u32);
            self.block_end.push(expected as u32);
            for inst in insts.iter() {
                self.inst_block.push(b as u32);
                let is_term = func.is_branch(inst) || func.is_ret(inst);
                let last = inst.index() + 1 == expected;
                if (func.is_branch(inst) && func.is_ret(inst)) || (is_term && !last) {
                    return Err(Error::MisplacedTerminator { inst });
                }
                if last && !is_term {
                    return Err(Error::MissingTerminator { block });
                }
            }
            let term = Inst::new(expected - 1);
            let succs = func.block_succs(block);
            if func.is_ret(term) != succs.is_empty()
                || succs.iter().any(|s| s.index() >= n)
                || func.block_preds(block).iter().any(|p| p.index() >= n)
            {
                return Err(Error::BadEdges { block });
            }
        }
        if expected != num_insts {
            return Err(Error::BadBlockLayout {
                block: Block::new(n - 1),
            });
        }

        let entry = func.entry_block();
        if entry.index() >= n {
            return Err(Error::BadEntryBlock { block: entry });
        }
        if !func.block_preds(entry).is_empty() || !func.block_params(entry).is_empty() {
            return Err(Error::BadEntryBlock { block: entry });
        }

        self.moves_at_entry.clear();
        self.moves_before_exit.clear();
        self.single_pred.clear();
        for b in 0..n {
            let block = Block::new(b);
            let preds = func.block_preds(block);
            self.moves_at_entry.push(preds.len() == 1);
            self.single_pred.push(match preds {
                [p] => p.index() as u32,
                _ => NONE,
            });
            for &p in func.block_preds(block) {
                if !func.block_succs(p).contains(&block) {
                    return Err(Error::BadEdges { block });
                }
            }
        }
        for b in 0..n {
            let block = Block::new(b);
            let succs = func.block_succs(block);
            let term = Inst::new(self.block_end[b] as usize - 1);
            for (k, &s) in succs.iter().enumerate() {
                let preds = func.block_preds(s);
                if !preds.contains(&block) {
                    return Err(Error::BadEdges { block: s });
                }
                if succs.len() > 1 && preds.len() > 1 {
                    return Err(Error::CriticalEdge { from: block, to: s });
                }
                let args = func.branch_args(block, k);
                let params = func.block_params(s);
                if args.len() != params.len()
                    || args.iter().zip(params).any(|(a, p)| a.class() != p.class())
                {
                    return Err(Error::BranchArgsMismatch {
                        block,
                        succ_index: k,
                    });
                }
            }
            let before_exit = succs.len() == 1 && func.block_preds(succs[0]).len() > 1;
            if before_exit
                && (!func.inst_operands(term).is_empty() || !func.inst_clobbers(term).is_empty())
            {
                return Err(Error::TerminatorBeforeEdgeMoves { inst: term });
            }
            self.moves_before_exit.push(before_exit);
        }

        self.check_reachability(func, entry)?;
        self.compute_loop_depth(func);
        Ok(())
    }

    fn check_reachability<F: Function>(&mut self, func: &F, entry: Block) -> Result<(), Error> {
        let n = func.num_blocks();
        self.visited.clear();
        self.visited.resize(n, false);
        self.stack.clear();
        self.stack.push(entry.index() as u32);
        self.visited[entry.index()] = true;
        while let Some(b) = self.stack.pop() {
            for &s in func.block_succs(Block::new(b as usize)) {
                if !self.visited[s.index()] {
                    self.visited[s.index()] = true;
                    self.stack.push(s.index() as u32);
                }
            }
        }
        match self.visited.iter().position(|&v| !v) {
            Some(b) => Err(Error::UnreachableBlock {
                block: Block::new(b),
            }),
            None => Ok(()),
        }
    }

    /// Approximates loop depth from the layout: every edge from a block to
    /// itself or an earlier block is taken as a loop spanning the blocks in
    /// between, which is exact for the usual reverse-postorder layouts with
    /// contiguous loop bodies. Linear time, via a difference array.
    fn compute_loop_depth<F: Function>(&mut self, func: &F) {
        let n = func.num_blocks();
        self.depth_delta.clear();
        self.depth_delta.resize(n + 1, 0);
        for b in 0..n {
            for &s in func.block_succs(Block::new(b)) {
                if s.index() <= b {
                    self.depth_delta[s.index()] += 1;
                    self.depth_delta[b + 1] -= 1;
                }
            }
        }
        self.loop_depth.clear();
        let mut depth = 0i32;
        for b in 0..n {
            depth += self.depth_delta[b];
            self.loop_depth.push(depth.max(0) as u32);
        }
    }

    /// The block's first point.
    #[inline]
    pub(crate) fn block_start_point(&self, b: u32) -> u32 {
        2 * self.block_first[b as usize]
    }

    /// One past the block's last point.
    #[inline]
    pub(crate) fn block_end_point(&self, b: u32) -> u32 {
        2 * self.block_end[b as usize]
    }

    /// The terminator of the block.
    #[inline]
    pub(crate) fn terminator(&self, b: u32) -> u32 {
        self.block_end[b as usize] - 1
    }

    /// Whether the gap before `inst` holds only its block's outgoing edge
    /// moves (it precedes the terminator of a block whose single successor
    /// has several predecessors).
    #[inline]
    pub(crate) fn is_exit_gap(&self, inst: u32) -> bool {
        let block = self.inst_block[inst as usize];
        self.moves_before_exit[block as usize] && self.terminator(block) == inst
    }

    /// Whether `inst` is the first instruction of its block.
    #[inline]
    pub(crate) fn is_block_start(&self, inst: u32) -> bool {
        self.block_first[self.inst_block[inst as usize] as usize] == inst
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operand::Operand;
    use crate::reg::{PRegSet, RegClass};
    use crate::testing::FunctionBuilder;

    #[test]
    fn loop_depth_counts_enclosing_back_edges() {
        // b0 -> b1 -> b2 -> b3 -> {e32 -> b2, b4}, b4 -> {e41 -> b1, b5}:
        // an inner loop b2..e32 inside an outer loop b1..e41, laid out with
        // each edge block right after its source.
        let mut b = FunctionBuilder::new();
        let (b0, b1, b2, b3) = (b.block(), b.block(), b.block(), b.block());
        let (e32, b4, e41, b5) = (b.block(), b.block(), b.block(), b.block());
        let v = b.vreg(RegClass::Int);
        b.inst(b0, &[Operand::reg_def(v)], PRegSet::empty());
        b.jump(b0, b1, &[]);
        b.jump(b1, b2, &[]);
        b.jump(b2, b3, &[]);
        b.branch(b3, &[Operand::reg_use(v)], &[(e32, &[]), (b4, &[])]);
        b.jump(e32, b2, &[]);
        b.branch(b4, &[Operand::reg_use(v)], &[(e41, &[]), (b5, &[])]);
        b.jump(e41, b1, &[]);
        b.ret(b5, &[]);
        let f = b.finish();
        let mut cfg = Cfg::default();
        cfg.compute(&f).unwrap();
        assert_eq!(cfg.loop_depth, [0, 1, 2, 2, 2, 1, 1, 0]);
        assert!(cfg.moves_before_exit[e32.index()]);
        assert!(cfg.moves_before_exit[b1.index()] && !cfg.moves_before_exit[b3.index()]);
        assert!(cfg.moves_at_entry[b4.index()]);
        assert!(!cfg.moves_at_entry[b2.index()]);
    }

    #[test]
    fn rejects_critical_edges_and_unreachable_blocks() {
        let mut b = FunctionBuilder::new();
        let (b0, b1, b2) = (b.block(), b.block(), b.block());
        let v = b.vreg(RegClass::Int);
        b.inst(b0, &[Operand::reg_def(v)], PRegSet::empty());
        b.branch(b0, &[Operand::reg_use(v)], &[(b1, &[]), (b2, &[])]);
        b.jump(b1, b2, &[]);
        b.ret(b2, &[]);
        let f = b.finish();
        assert_eq!(
            Cfg::default().compute(&f),
            Err(Error::CriticalEdge { from: b0, to: b2 })
        );

        let mut b = FunctionBuilder::new();
        let (b0, b1) = (b.block(), b.block());
        b.ret(b0, &[]);
        b.ret(b1, &[]);
        assert_eq!(
            Cfg::default().compute(&b.finish()),
            Err(Error::UnreachableBlock { block: b1 })
        );
    }

    #[test]
    fn rejects_operands_on_a_terminator_that_edge_moves_precede() {
        let mut b = FunctionBuilder::new();
        let (b0, b1, b2, b3) = (b.block(), b.block(), b.block(), b.block());
        let v = b.vreg(RegClass::Int);
        b.inst(b0, &[Operand::reg_def(v)], PRegSet::empty());
        b.branch(b0, &[Operand::reg_use(v)], &[(b1, &[]), (b2, &[])]);
        b.branch(b1, &[Operand::reg_use(v)], &[(b3, &[])]);
        b.jump(b2, b3, &[]);
        b.ret(b3, &[]);
        let f = b.finish();
        assert_eq!(
            Cfg::default().compute(&f),
            Err(Error::TerminatorBeforeEdgeMoves { inst: Inst::new(2) })
        );
    }
}
