//! Removing moves whose destination already holds the value.
//!
//! A forward pass over each block numbers values by location, knowing
//! nothing of virtual registers: a move copies its source's number to its
//! destination; a def gives its location a fresh number; a clobber makes
//! its registers unknown. A location whose content is unknown gets a fresh
//! number when first read, so an unknown value never equals another. A
//! move whose destination already has its source's number changes nothing
//! and is dropped — typically a reload into the register a value was
//! spilled from, with nothing written to that register in between.
//!
//! Registers carry a "known" bit mask, so a call's clobbers cost one mask
//! operation; spill slots carry the number of the numbering "epoch" that
//! last wrote them. The numbering carries over from a block into the next
//! one when that is its only predecessor (a fall-through, the common shape
//! of loop bodies and split edges); any other block starts a new epoch in
//! which nothing is known. The pass is linear and needs no dataflow.

use crate::allocator::State;
use crate::function::Function;
use crate::output::Output;
use crate::reg::{Allocation, Inst, PReg, PRegSet};

/// Value numbers of the locations within the current block.
struct Numbering<'a> {
    known_regs: PRegSet,
    reg_ids: [u32; PReg::NUM],
    slot_ids: &'a mut Vec<u32>,
    /// Per slot, 1 + the epoch whose value number it holds.
    slot_blocks: &'a mut Vec<u32>,
    block: u32,
    next_id: u32,
}

impl Numbering<'_> {
    fn fresh(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// The number of the value in `a`, if known.
    fn known(&self, a: Allocation) -> Option<u32> {
        match a {
            Allocation::Reg(r) => self.known_regs.contains(r).then(|| self.reg_ids[r.dense()]),
            Allocation::Stack(s) => {
                (self.slot_blocks[s.index()] == self.block + 1).then(|| self.slot_ids[s.index()])
            }
        }
    }

    /// The number of the value in `a`, numbering it if unknown.
    fn get(&mut self, a: Allocation) -> u32 {
        match self.known(a) {
            Some(id) => id,
            None => {
                let id = self.fresh();
                self.set(a, id);
                id
            }
        }
    }

    fn set(&mut self, a: Allocation, id: u32) {
        match a {
            Allocation::Reg(r) => {
                self.known_regs.insert(r);
                self.reg_ids[r.dense()] = id;
            }
            Allocation::Stack(s) => {
                self.slot_blocks[s.index()] = self.block + 1;
                self.slot_ids[s.index()] = id;
            }
        }
    }
}

impl State {
    pub(crate) fn remove_redundant_moves<F: Function>(&mut self, func: &F, out: &mut Output) {
        let num_slots = out.spill_slots.len();
        let slot_ids = &mut self.moves.value_ids;
        let slot_blocks = &mut self.moves.value_stamps;
        slot_ids.clear();
        slot_ids.resize(num_slots, 0);
        slot_blocks.clear();
        slot_blocks.resize(num_slots, 0);
        let mut n = Numbering {
            known_regs: PRegSet::empty(),
            reg_ids: [0; PReg::NUM],
            slot_ids,
            slot_blocks,
            block: 0,
            next_id: 0,
        };

        let edits = &mut out.edits;
        let mut kept = 0;
        let mut e = 0;
        for (block, (&first, &end)) in self
            .cfg
            .block_first
            .iter()
            .zip(&self.cfg.block_end)
            .enumerate()
        {
            // A block entered only from the block before it continues that
            // block's numbering; any other starts afresh.
            if block == 0 || self.cfg.single_pred[block] != block as u32 - 1 {
                n.block = block as u32;
                n.known_regs = PRegSet::empty();
            }
            for i in first..end {
                let inst = Inst::new(i as usize);
                while e < edits.len() && edits[e].0 == inst {
                    let mv = edits[e].1;
                    e += 1;
                    let id = n.get(mv.from);
                    if n.known(mv.to) == Some(id) {
                        out.stats.redundant_moves_removed += 1;
                        continue;
                    }
                    n.set(mv.to, id);
                    edits[kept] = edits[e - 1];
                    kept += 1;
                }
                n.known_regs = n.known_regs.difference(func.inst_clobbers(inst));
                let base = out.inst_alloc_offsets[i as usize] as usize;
                for (k, op) in func.inst_operands(inst).iter().enumerate() {
                    if op.is_def() {
                        let id = n.fresh();
                        n.set(out.allocs[base + k], id);
                    }
                }
            }
        }
        edits.truncate(kept);
    }
}
