//! Typed errors for invalid input.

use crate::reg::{Block, Inst, PReg, RegClass, VReg};
use core::fmt;

/// Why a function could not be allocated. Every variant names the offending
/// place; the allocator never panics on bad input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The function has no blocks.
    NoBlocks,
    /// A register is listed twice, under the wrong class, or is both
    /// allocatable and a scratch register.
    InvalidMachineEnv {
        /// The register.
        preg: PReg,
    },
    /// The block's instruction range is empty or does not directly follow
    /// the previous block's.
    BadBlockLayout {
        /// The block.
        block: Block,
    },
    /// The block does not end with a terminator.
    MissingTerminator {
        /// The block.
        block: Block,
    },
    /// A branch or return that is not the last instruction of its block, or
    /// an instruction that is both.
    MisplacedTerminator {
        /// The instruction.
        inst: Inst,
    },
    /// A return with successors, a branch without, or a successor or
    /// predecessor index out of range, or predecessor lists that do not
    /// match successor lists.
    BadEdges {
        /// The block whose edges are inconsistent.
        block: Block,
    },
    /// An edge from a block with several successors to a block with several
    /// predecessors: there is nowhere to put that edge's moves.
    CriticalEdge {
        /// The edge's source.
        from: Block,
        /// The edge's target.
        to: Block,
    },
    /// The entry block has predecessors or parameters.
    BadEntryBlock {
        /// The entry block.
        block: Block,
    },
    /// The block cannot be reached from the entry block.
    UnreachableBlock {
        /// The block.
        block: Block,
    },
    /// The number or classes of branch arguments do not match the
    /// successor's parameters.
    BranchArgsMismatch {
        /// The branching block.
        block: Block,
        /// Which successor.
        succ_index: usize,
    },
    /// The terminator has operands or clobbers, but the moves of its
    /// outgoing edge must be placed before it (its only successor has
    /// several predecessors).
    TerminatorBeforeEdgeMoves {
        /// The terminator.
        inst: Inst,
    },
    /// A terminator defines a value.
    DefOnTerminator {
        /// The terminator.
        inst: Inst,
    },
    /// A virtual register index is not below `num_vregs()`.
    VRegOutOfRange {
        /// The register.
        vreg: VReg,
    },
    /// A virtual register is defined more than once.
    MultipleDefs {
        /// The register.
        vreg: VReg,
    },
    /// A virtual register is used where no definition dominates the use
    /// (or is never defined).
    UseNotDominated {
        /// The register.
        vreg: VReg,
    },
    /// A virtual register is used with a class other than its definition's,
    /// or a fixed register's class differs from its value's.
    ClassMismatch {
        /// The instruction.
        inst: Inst,
        /// The register.
        vreg: VReg,
    },
    /// A `Reuse` constraint that does not name an early `Any`/`Reg` use of
    /// the same class, is not on a late def, or shares its input with
    /// another reuse.
    InvalidReuse {
        /// The instruction.
        inst: Inst,
        /// The operand index of the def.
        operand: usize,
    },
    /// Two operands or clobbers of one instruction need the same physical
    /// register at the same time for different values, or a fixed
    /// constraint names a scratch register.
    FixedRegConflict {
        /// The instruction.
        inst: Inst,
        /// The register.
        preg: PReg,
    },
    /// One instruction needs the same value both in a spill slot and in a
    /// register.
    StackAndRegConstraint {
        /// The instruction.
        inst: Inst,
        /// The register.
        vreg: VReg,
    },
    /// More values need registers at this instruction than there are
    /// registers of the class left over by its fixed constraints.
    TooManyLiveRegs {
        /// The instruction.
        inst: Inst,
        /// The class.
        class: RegClass,
    },
    /// The function is too large for the allocator's 32-bit program points.
    TooLarge,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoBlocks => write!(f, "function has no blocks"),
            Error::InvalidMachineEnv { preg } => write!(
                f,
                "machine description lists {preg} twice, under the wrong class, or as both allocatable and scratch"
            ),
            Error::BadBlockLayout { block } => write!(
                f,
                "{block}: instruction range is empty or does not follow the previous block"
            ),
            Error::MissingTerminator { block } => {
                write!(f, "{block} does not end with a branch or return")
            }
            Error::MisplacedTerminator { inst } => {
                write!(f, "{inst}: branch or return in the middle of a block")
            }
            Error::BadEdges { block } => {
                write!(f, "{block}: successor/predecessor lists are inconsistent")
            }
            Error::CriticalEdge { from, to } => {
                write!(f, "critical edge {from} -> {to} is not split")
            }
            Error::BadEntryBlock { block } => {
                write!(f, "entry block {block} has predecessors or parameters")
            }
            Error::UnreachableBlock { block } => write!(f, "{block} is unreachable"),
            Error::BranchArgsMismatch { block, succ_index } => write!(
                f,
                "{block}: arguments to successor #{succ_index} do not match its parameters"
            ),
            Error::TerminatorBeforeEdgeMoves { inst } => write!(
                f,
                "{inst}: terminator has operands or clobbers but its edge moves must precede it"
            ),
            Error::DefOnTerminator { inst } => write!(f, "{inst}: terminator defines a value"),
            Error::VRegOutOfRange { vreg } => write!(f, "{vreg} is out of range"),
            Error::MultipleDefs { vreg } => write!(f, "{vreg} is defined more than once"),
            Error::UseNotDominated { vreg } => {
                write!(f, "{vreg} is used where its definition does not dominate")
            }
            Error::ClassMismatch { inst, vreg } => {
                write!(f, "{inst}: register class mismatch for {vreg}")
            }
            Error::InvalidReuse { inst, operand } => {
                write!(
                    f,
                    "{inst}: operand #{operand} has an invalid reuse constraint"
                )
            }
            Error::FixedRegConflict { inst, preg } => write!(
                f,
                "{inst}: {preg} is needed for two values at once (or is a scratch register)"
            ),
            Error::StackAndRegConstraint { inst, vreg } => write!(
                f,
                "{inst}: {vreg} is needed both in a register and in a spill slot"
            ),
            Error::TooManyLiveRegs { inst, class } => {
                write!(f, "{inst}: more {class:?} values need registers than exist")
            }
            Error::TooLarge => write!(f, "function is too large"),
        }
    }
}

impl std::error::Error for Error {}
