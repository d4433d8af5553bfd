//! A function: name, signature, data-flow graph and layout.

use std::fmt;

use crate::dfg::DataFlowGraph;
use crate::entities::{Block, Inst};
use crate::layout::Layout;
use crate::signature::Signature;

/// One function of IR.
///
/// The entry block (the first in the layout) has one parameter per
/// signature parameter; returning passes one value per signature return.
#[derive(Clone, Debug, Default)]
pub struct Function {
    /// The function's name (printed `%name`, without the `%`).
    pub name: String,
    /// Parameter and return types.
    pub signature: Signature,
    /// Instructions, values and blocks.
    pub dfg: DataFlowGraph,
    /// Order of blocks and instructions.
    pub layout: Layout,
}

impl Function {
    /// An empty function.
    pub fn new(name: impl Into<String>, signature: Signature) -> Function {
        Function {
            name: name.into(),
            signature,
            dfg: DataFlowGraph::new(),
            layout: Layout::new(),
        }
    }

    /// The entry block, if the function has any block.
    pub fn entry_block(&self) -> Option<Block> {
        self.layout.entry_block()
    }

    /// Takes `inst` out of the layout and out of its operands' use lists.
    /// Its results must have no remaining users (use
    /// [`DataFlowGraph::replace_all_uses`] first); this is checked in debug
    /// builds.
    pub fn remove_inst(&mut self, inst: Inst) {
        debug_assert!(
            self.dfg
                .inst_results(inst)
                .iter()
                .all(|&v| self.dfg.use_count(v) == 0),
            "removing {inst} whose results are still used"
        );
        self.layout.remove_inst(inst);
        self.dfg.detach_inst(inst);
    }

    /// The instructions of the function in layout order.
    pub fn insts(&self) -> impl Iterator<Item = Inst> + '_ {
        self.layout
            .blocks()
            .flat_map(move |b| self.layout.block_insts(b))
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::write::write_function(f, self)
    }
}
