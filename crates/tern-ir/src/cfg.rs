//! The control-flow graph: successors and predecessors of each block.
//!
//! Computed from the terminators in the layout on demand (it is cheap:
//! one pass over the last instruction of each block) rather than kept up to
//! date by every edit, because most passes do not change control flow.
//! Successor lists keep duplicates out (a `brif` to the same block twice is
//! one edge) so that edge-count-based reasoning is not fooled.

use crate::entities::{Block, EntityRef};
use crate::function::Function;

/// Successors and predecessors of every block in the layout.
#[derive(Clone, Debug, Default)]
pub struct ControlFlowGraph {
    succs: Vec<Vec<Block>>,
    preds: Vec<Vec<Block>>,
}

impl ControlFlowGraph {
    /// Computes the graph of `func`. Only the last instruction of each block
    /// is consulted; blocks that do not end in a branch have no successors.
    pub fn compute(func: &Function) -> ControlFlowGraph {
        let n = func.dfg.num_blocks();
        let mut cfg = ControlFlowGraph {
            succs: vec![Vec::new(); n],
            preds: vec![Vec::new(); n],
        };
        for block in func.layout.blocks() {
            let Some(last) = func.layout.last_inst(block) else {
                continue;
            };
            for dest in &func.dfg.inst(last).dests {
                let succ = dest.block;
                if succ.index() >= n || cfg.succs[block.index()].contains(&succ) {
                    continue;
                }
                cfg.succs[block.index()].push(succ);
                cfg.preds[succ.index()].push(block);
            }
        }
        cfg
    }

    /// The distinct successors of `block`, in branch-destination order.
    pub fn succs(&self, block: Block) -> &[Block] {
        self.succs.get(block.index()).map_or(&[], Vec::as_slice)
    }

    /// The distinct predecessors of `block`.
    pub fn preds(&self, block: Block) -> &[Block] {
        self.preds.get(block.index()).map_or(&[], Vec::as_slice)
    }
}
