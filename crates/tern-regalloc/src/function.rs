//! The input interface: how the allocator sees a function.

use crate::operand::Operand;
use crate::reg::{Block, Inst, InstRange, PRegSet, VReg};

/// A function in SSA form, as the register allocator sees it.
///
/// The requirements below are checked; a function that breaks one is
/// rejected with an [`Error`](crate::Error) naming the place, never a panic.
///
/// * Blocks are numbered `0..num_blocks()` in layout order; block `b`'s
///   instructions are `block_insts(b)`, non-empty, contiguous, and follow
///   those of block `b - 1`. The entry block has no predecessors and no
///   parameters; every block is reachable from it.
/// * The last instruction of every block, and no other, is a terminator:
///   a branch (`is_branch`, one or more successors) or a return (`is_ret`,
///   none). Terminators may use values but not define them.
/// * Critical edges are split: a block with several successors only
///   branches to blocks with a single predecessor.
/// * Values are SSA: each virtual register is defined exactly once, by an
///   instruction's def operand or as a block parameter, and every use is
///   dominated by the definition. There are no phi instructions: a branch
///   passes `branch_args(block, i)` to the parameters of its `i`-th
///   successor, in order and of the same classes.
/// * When a block's only successor has several predecessors, the moves for
///   that edge are placed before the block's terminator, which must then
///   have no operands and no clobbers (split the edge otherwise).
pub trait Function {
    /// The number of instructions.
    fn num_insts(&self) -> usize;

    /// The number of blocks.
    fn num_blocks(&self) -> usize;

    /// The entry block.
    fn entry_block(&self) -> Block {
        Block::new(0)
    }

    /// The instructions of `block`.
    fn block_insts(&self, block: Block) -> InstRange;

    /// The successors of `block`, in the order its branch arguments are
    /// given.
    fn block_succs(&self, block: Block) -> &[Block];

    /// The predecessors of `block`.
    fn block_preds(&self, block: Block) -> &[Block];

    /// The parameters of `block`, defined on entry.
    fn block_params(&self, block: Block) -> &[VReg];

    /// Whether `inst` returns from the function.
    fn is_ret(&self, inst: Inst) -> bool;

    /// Whether `inst` ends its block with a branch to the block's successors.
    fn is_branch(&self, inst: Inst) -> bool;

    /// The values `block`'s terminator passes to the parameters of its
    /// `succ_index`-th successor.
    fn branch_args(&self, block: Block, succ_index: usize) -> &[VReg];

    /// The operands of `inst`.
    fn inst_operands(&self, inst: Inst) -> &[Operand];

    /// The registers `inst` overwrites with unspecified values besides its
    /// defs (for a call: the caller-saved registers). No value stays in
    /// them across the instruction. A clobbered register may also be a
    /// fixed def of the same instruction (the def wins) but not a fixed late
    /// use.
    fn inst_clobbers(&self, inst: Inst) -> PRegSet;

    /// The number of virtual registers: indices are `0..num_vregs()`.
    fn num_vregs(&self) -> usize;
}
