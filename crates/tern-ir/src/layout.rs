//! The layout: the order of blocks in the function and of instructions in
//! each block.
//!
//! Order is kept apart from the [`DataFlowGraph`](crate::DataFlowGraph)
//! because passes change it independently of contents (moving an
//! instruction out of a loop changes where it is, not what it computes).
//! Both orders are doubly linked lists threaded through per-entity side
//! tables, so inserting, removing and moving a block or an instruction is
//! O(1), and walking forwards or backwards from any instruction needs no
//! search.
//!
//! The first block in the layout is the entry block.

use crate::entities::{Block, EntityRef, Inst};

#[derive(Clone, Copy, Debug, Default)]
struct BlockNode {
    in_layout: bool,
    prev: Option<Block>,
    next: Option<Block>,
    first_inst: Option<Inst>,
    last_inst: Option<Inst>,
}

#[derive(Clone, Copy, Debug, Default)]
struct InstNode {
    block: Option<Block>,
    prev: Option<Inst>,
    next: Option<Inst>,
}

/// Block order and per-block instruction order.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    blocks: Vec<BlockNode>,
    insts: Vec<InstNode>,
    first_block: Option<Block>,
    last_block: Option<Block>,
}

impl Layout {
    /// An empty layout.
    pub fn new() -> Layout {
        Layout::default()
    }

    fn block_node(&mut self, block: Block) -> &mut BlockNode {
        if self.blocks.len() <= block.index() {
            self.blocks.resize(block.index() + 1, BlockNode::default());
        }
        &mut self.blocks[block.index()]
    }

    fn inst_node(&mut self, inst: Inst) -> &mut InstNode {
        if self.insts.len() <= inst.index() {
            self.insts.resize(inst.index() + 1, InstNode::default());
        }
        &mut self.insts[inst.index()]
    }

    // ----- blocks -----

    /// The entry block: the first block in the layout.
    pub fn entry_block(&self) -> Option<Block> {
        self.first_block
    }

    /// The last block in the layout.
    pub fn last_block(&self) -> Option<Block> {
        self.last_block
    }

    /// Is `block` in the layout?
    pub fn is_block_inserted(&self, block: Block) -> bool {
        self.blocks.get(block.index()).is_some_and(|n| n.in_layout)
    }

    /// Appends `block` at the end of the layout.
    ///
    /// # Panics
    /// If the block is already in the layout.
    pub fn append_block(&mut self, block: Block) {
        assert!(!self.is_block_inserted(block), "{block} already in layout");
        let last = self.last_block;
        *self.block_node(block) = BlockNode {
            in_layout: true,
            prev: last,
            ..BlockNode::default()
        };
        match last {
            Some(last) => self.blocks[last.index()].next = Some(block),
            None => self.first_block = Some(block),
        }
        self.last_block = Some(block);
    }

    /// Inserts `block` right after `after` in the layout.
    ///
    /// # Panics
    /// If `block` is already in the layout or `after` is not.
    pub fn insert_block_after(&mut self, block: Block, after: Block) {
        assert!(!self.is_block_inserted(block), "{block} already in layout");
        assert!(self.is_block_inserted(after), "{after} not in layout");
        let next = self.blocks[after.index()].next;
        *self.block_node(block) = BlockNode {
            in_layout: true,
            prev: Some(after),
            next,
            ..BlockNode::default()
        };
        self.blocks[after.index()].next = Some(block);
        match next {
            Some(next) => self.blocks[next.index()].prev = Some(block),
            None => self.last_block = Some(block),
        }
    }

    /// Removes an empty block from the layout.
    ///
    /// # Panics
    /// If the block is not in the layout or still holds instructions.
    pub fn remove_block(&mut self, block: Block) {
        assert!(self.is_block_inserted(block), "{block} not in layout");
        let node = self.blocks[block.index()];
        assert!(node.first_inst.is_none(), "{block} is not empty");
        match node.prev {
            Some(prev) => self.blocks[prev.index()].next = node.next,
            None => self.first_block = node.next,
        }
        match node.next {
            Some(next) => self.blocks[next.index()].prev = node.prev,
            None => self.last_block = node.prev,
        }
        self.blocks[block.index()] = BlockNode::default();
    }

    /// The blocks in layout order.
    pub fn blocks(&self) -> Blocks<'_> {
        Blocks {
            layout: self,
            next: self.first_block,
        }
    }

    /// The block after `block` in the layout.
    pub fn next_block(&self, block: Block) -> Option<Block> {
        self.blocks.get(block.index()).and_then(|n| n.next)
    }

    /// The block before `block` in the layout.
    pub fn prev_block(&self, block: Block) -> Option<Block> {
        self.blocks.get(block.index()).and_then(|n| n.prev)
    }

    // ----- instructions -----

    /// The block holding `inst`, if it is in the layout.
    pub fn inst_block(&self, inst: Inst) -> Option<Block> {
        self.insts.get(inst.index()).and_then(|n| n.block)
    }

    /// The first instruction of `block`.
    pub fn first_inst(&self, block: Block) -> Option<Inst> {
        self.blocks.get(block.index()).and_then(|n| n.first_inst)
    }

    /// The last instruction of `block` (its terminator, in a finished
    /// function).
    pub fn last_inst(&self, block: Block) -> Option<Inst> {
        self.blocks.get(block.index()).and_then(|n| n.last_inst)
    }

    /// The instruction after `inst` in its block.
    pub fn next_inst(&self, inst: Inst) -> Option<Inst> {
        self.insts.get(inst.index()).and_then(|n| n.next)
    }

    /// The instruction before `inst` in its block.
    pub fn prev_inst(&self, inst: Inst) -> Option<Inst> {
        self.insts.get(inst.index()).and_then(|n| n.prev)
    }

    /// The instructions of `block` in order.
    pub fn block_insts(&self, block: Block) -> Insts<'_> {
        Insts {
            layout: self,
            next: self.first_inst(block),
        }
    }

    /// Appends `inst` at the end of `block`.
    ///
    /// # Panics
    /// If `inst` is already placed or `block` is not in the layout.
    pub fn append_inst(&mut self, inst: Inst, block: Block) {
        assert!(self.is_block_inserted(block), "{block} not in layout");
        assert!(self.inst_block(inst).is_none(), "{inst} already placed");
        let last = self.blocks[block.index()].last_inst;
        *self.inst_node(inst) = InstNode {
            block: Some(block),
            prev: last,
            next: None,
        };
        match last {
            Some(last) => self.insts[last.index()].next = Some(inst),
            None => self.blocks[block.index()].first_inst = Some(inst),
        }
        self.blocks[block.index()].last_inst = Some(inst);
    }

    /// Inserts `inst` right before `before`, in `before`'s block.
    ///
    /// # Panics
    /// If `inst` is already placed or `before` is not.
    pub fn insert_inst_before(&mut self, inst: Inst, before: Inst) {
        let block = self
            .inst_block(before)
            .unwrap_or_else(|| panic!("{before} not in layout"));
        assert!(self.inst_block(inst).is_none(), "{inst} already placed");
        let prev = self.insts[before.index()].prev;
        *self.inst_node(inst) = InstNode {
            block: Some(block),
            prev,
            next: Some(before),
        };
        self.insts[before.index()].prev = Some(inst);
        match prev {
            Some(prev) => self.insts[prev.index()].next = Some(inst),
            None => self.blocks[block.index()].first_inst = Some(inst),
        }
    }

    /// Takes `inst` out of its block.
    ///
    /// # Panics
    /// If `inst` is not placed.
    pub fn remove_inst(&mut self, inst: Inst) {
        let node = self
            .insts
            .get(inst.index())
            .copied()
            .filter(|n| n.block.is_some())
            .unwrap_or_else(|| panic!("{inst} not in layout"));
        let block = node.block.expect("checked above");
        match node.prev {
            Some(prev) => self.insts[prev.index()].next = node.next,
            None => self.blocks[block.index()].first_inst = node.next,
        }
        match node.next {
            Some(next) => self.insts[next.index()].prev = node.prev,
            None => self.blocks[block.index()].last_inst = node.prev,
        }
        self.insts[inst.index()] = InstNode::default();
    }
}

/// Iterator over the blocks of a layout.
pub struct Blocks<'a> {
    layout: &'a Layout,
    next: Option<Block>,
}

impl Iterator for Blocks<'_> {
    type Item = Block;

    fn next(&mut self) -> Option<Block> {
        let block = self.next?;
        self.next = self.layout.next_block(block);
        Some(block)
    }
}

/// Iterator over the instructions of a block.
pub struct Insts<'a> {
    layout: &'a Layout,
    next: Option<Inst>,
}

impl Iterator for Insts<'_> {
    type Item = Inst;

    fn next(&mut self) -> Option<Inst> {
        let inst = self.next?;
        self.next = self.layout.next_inst(inst);
        Some(inst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_and_inst_order() {
        let mut layout = Layout::new();
        let (b0, b1, b2) = (Block::new(0), Block::new(1), Block::new(2));
        layout.append_block(b0);
        layout.append_block(b2);
        layout.insert_block_after(b1, b0);
        assert_eq!(layout.blocks().collect::<Vec<_>>(), [b0, b1, b2]);
        assert_eq!(layout.entry_block(), Some(b0));

        let i = |n| Inst::new(n);
        layout.append_inst(i(0), b1);
        layout.append_inst(i(2), b1);
        layout.insert_inst_before(i(1), i(2));
        layout.insert_inst_before(i(3), i(0));
        assert_eq!(
            layout.block_insts(b1).collect::<Vec<_>>(),
            [i(3), i(0), i(1), i(2)]
        );
        layout.remove_inst(i(3));
        layout.remove_inst(i(2));
        assert_eq!(layout.block_insts(b1).collect::<Vec<_>>(), [i(0), i(1)]);
        assert_eq!(layout.last_inst(b1), Some(i(1)));
        assert_eq!(layout.inst_block(i(2)), None);
        assert_eq!(layout.inst_block(i(1)), Some(b1));

        layout.remove_block(b2);
        layout.remove_block(b0);
        assert_eq!(layout.blocks().collect::<Vec<_>>(), [b1]);
        assert_eq!(layout.last_block(), Some(b1));
    }
}
