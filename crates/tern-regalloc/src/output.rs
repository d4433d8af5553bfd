//! The result of allocation.

use crate::reg::{Allocation, Inst, RegClass, SpillSlot};
use core::fmt;

/// A move the client must insert: copy the value in `from` to `to`.
///
/// Never memory-to-memory: at least one side is a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Move {
    /// The source.
    pub from: Allocation,
    /// The destination.
    pub to: Allocation,
    /// The class of the value moved (and of the registers involved).
    pub class: RegClass,
}

impl fmt::Display for Move {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <- {}", self.to, self.from)
    }
}

/// Counters describing one allocation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Live ranges built by liveness analysis.
    pub initial_ranges: usize,
    /// Bundles after merging across block parameters and reuse operands.
    pub initial_bundles: usize,
    /// Bundles taken off the priority queue.
    pub bundles_processed: usize,
    /// Bundles evicted from a register by a heavier one.
    pub evictions: usize,
    /// Splits at a conflict.
    pub splits: usize,
    /// Bundles broken into minimal pieces after reaching the split cap.
    pub minimal_splits: usize,
    /// Bundles (or pieces) placed in spill slots.
    pub spilled_bundles: usize,
    /// Moves removed because the destination already held the value.
    pub redundant_moves_removed: usize,
    /// Moves in the output.
    pub moves: usize,
    /// Spill slots in the output, including those used to resolve moves.
    pub spill_slots: usize,
}

/// The allocation of a function: where every operand is, the moves to
/// insert, and the spill slots needed.
///
/// Moves are placed *before* instructions: `edits()` lists `(inst, move)`
/// in instruction order, and the moves before one instruction must be
/// executed in the order given. Moves before the first instruction of a
/// block belong after the block's label; moves before a terminator belong
/// before it.
#[derive(Clone, Debug, Default)]
pub struct Output {
    pub(crate) allocs: Vec<Allocation>,
    pub(crate) inst_alloc_offsets: Vec<u32>,
    pub(crate) edits: Vec<(Inst, Move)>,
    pub(crate) spill_slots: Vec<RegClass>,
    pub(crate) stats: Stats,
}

impl Output {
    /// An empty output, to be filled by
    /// [`Allocator::allocate`](crate::Allocator::allocate).
    pub fn new() -> Output {
        Output::default()
    }

    /// The allocations of `inst`'s operands, in operand order.
    #[inline]
    pub fn inst_allocs(&self, inst: Inst) -> &[Allocation] {
        let start = self.inst_alloc_offsets[inst.index()] as usize;
        let end = self.inst_alloc_offsets[inst.index() + 1] as usize;
        &self.allocs[start..end]
    }

    /// Every inserted move with the instruction it precedes, sorted by
    /// instruction.
    #[inline]
    pub fn edits(&self) -> &[(Inst, Move)] {
        &self.edits
    }

    /// The moves to insert before `inst`, in execution order.
    pub fn edits_before(&self, inst: Inst) -> impl Iterator<Item = &Move> {
        let start = self.edits.partition_point(|(i, _)| *i < inst);
        self.edits[start..]
            .iter()
            .take_while(move |(i, _)| *i == inst)
            .map(|(_, m)| m)
    }

    /// The number of spill slots (numbered `0..num_spill_slots()`).
    #[inline]
    pub fn num_spill_slots(&self) -> usize {
        self.spill_slots.len()
    }

    /// The class of the values `slot` holds.
    #[inline]
    pub fn spill_slot_class(&self, slot: SpillSlot) -> RegClass {
        self.spill_slots[slot.index()]
    }

    /// Counters describing the allocation.
    #[inline]
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub(crate) fn clear(&mut self) {
        self.allocs.clear();
        self.inst_alloc_offsets.clear();
        self.edits.clear();
        self.spill_slots.clear();
        self.stats = Stats::default();
    }
}
