//! Removing moves whose destination already holds the value.
//!
//! A forward pass over each block numbers values by location, knowing
//! nothing of virtual registers: on entry every location holds an unknown
//! value of its own; a move copies its source's number to its destination;
//! a def or a clobber gives its location a fresh number. A move whose
//! destination already has its source's number changes nothing and is
//! dropped — typically a reload into the register a value was spilled from,
//! with nothing written to that register in between. State does not flow
//! between blocks, which keeps the pass linear and trivially sound.

use crate::allocator::State;
use crate::function::Function;
use crate::output::Output;
use crate::reg::{Allocation, Inst, PReg};

fn location(a: Allocation) -> usize {
    match a {
        Allocation::Reg(r) => r.dense(),
        Allocation::Stack(s) => PReg::NUM + s.index(),
    }
}

impl State {
    pub(crate) fn remove_redundant_moves<F: Function>(&mut self, func: &F, out: &mut Output) {
        let num_locations = PReg::NUM + out.spill_slots.len();
        let ids = &mut self.moves.value_ids;
        let stamps = &mut self.moves.value_stamps;
        ids.clear();
        ids.resize(num_locations, 0);
        stamps.clear();
        stamps.resize(num_locations, 0);
        // Numbers below `num_locations` name the unknown initial contents of
        // each location; fresh numbers come after.
        let mut next_id = num_locations as u32;
        let value = |ids: &[u32], stamps: &[u32], stamp: u32, l: usize| {
            if stamps[l] == stamp { ids[l] } else { l as u32 }
        };

        let edits = &mut out.edits;
        let mut kept = 0;
        let mut e = 0;
        for (block, (&first, &end)) in self.cfg.block_first.iter().zip(&self.cfg.block_end).enumerate() {
            let stamp = block as u32 + 1;
            for i in first..end {
                let inst = Inst::new(i as usize);
                while e < edits.len() && edits[e].0 == inst {
                    let mv = edits[e].1;
                    let (from, to) = (location(mv.from), location(mv.to));
                    let id = value(ids, stamps, stamp, from);
                    e += 1;
                    if value(ids, stamps, stamp, to) == id {
                        out.stats.redundant_moves_removed += 1;
                        continue;
                    }
                    ids[to] = id;
                    stamps[to] = stamp;
                    edits[kept] = edits[e - 1];
                    kept += 1;
                }
                for r in func.inst_clobbers(inst) {
                    ids[r.dense()] = next_id;
                    stamps[r.dense()] = stamp;
                    next_id += 1;
                }
                let base = out.inst_alloc_offsets[i as usize] as usize;
                for (k, op) in func.inst_operands(inst).iter().enumerate() {
                    if op.is_def() {
                        let l = location(out.allocs[base + k]);
                        ids[l] = next_id;
                        stamps[l] = stamp;
                        next_id += 1;
                    }
                }
            }
        }
        edits.truncate(kept);
    }
}
