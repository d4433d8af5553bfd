//! The reusable allocation context and the phase driver.

use crate::cfg::Cfg;
use crate::env::MachineEnv;
use crate::error::Error;
use crate::function::Function;
use crate::ir::{Bundle, NONE, Range, SpillSet};
use crate::liveness::Liveness;
use crate::moves::MoveBuffers;
use crate::output::Output;
use crate::reg::{Inst, PReg, RegClass};
use crate::regmap::RegMap;
use crate::spill::SlotAllocator;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A register allocator context.
///
/// Allocating many functions with one `Allocator` reuses its buffers, so
/// that after the first few functions allocation does little or no memory
/// allocation of its own.
///
/// ```
/// use tern_regalloc::{Allocator, Output, checker, testing};
///
/// let env = testing::x64_like_env();
/// let mut rng = testing::Rng::new(1);
/// let func = testing::generate(&mut rng, &testing::GenConfig::small(), &env);
/// let mut allocator = Allocator::new();
/// let mut output = Output::new();
/// allocator.allocate(&func, &env, &mut output).unwrap();
/// checker::check(&func, &env, &output).unwrap();
/// ```
#[derive(Default)]
pub struct Allocator {
    pub(crate) state: State,
}

impl Allocator {
    /// A fresh context.
    pub fn new() -> Allocator {
        Allocator::default()
    }

    /// Allocates registers for `func` on the machine `env`, writing the
    /// result to `output` (whose buffers are reused).
    pub fn allocate<F: Function>(
        &mut self,
        func: &F,
        env: &MachineEnv,
        output: &mut Output,
    ) -> Result<(), Error> {
        output.clear();
        let result = self.state.run(func, env, output);
        if result.is_err() {
            output.clear();
        }
        result
    }
}

/// Allocates `func` with a fresh context; see [`Allocator`] to reuse one.
pub fn allocate<F: Function>(func: &F, env: &MachineEnv) -> Result<Output, Error> {
    let mut output = Output::new();
    Allocator::new().allocate(func, env, &mut output)?;
    Ok(output)
}

/// Everything the phases share, kept between runs for its buffers.
#[derive(Default)]
pub(crate) struct State {
    pub cfg: Cfg,
    pub live: Liveness,
    /// What occupies each physical register.
    pub regs: RegMap,
    /// Every live range; liveness creates them, splitting adds more.
    pub ranges: Vec<Range>,
    pub bundles: Vec<Bundle>,
    pub spill_sets: Vec<SpillSet>,
    /// Bundles to allocate, largest first (ties: lowest index first).
    pub queue: BinaryHeap<(u32, Reverse<u32>)>,
    /// Bundles needing no register, allocated after the queue empties.
    pub deferred: Vec<u32>,
    /// Per bundle, the probe in which it was last seen as a conflict.
    pub conflict_stamp: Vec<u32>,
    pub probe_count: u32,
    pub conflicts: Vec<u32>,
    pub best_conflicts: Vec<u32>,
    /// Registers of each class in the order they are tried.
    pub class_regs: [Vec<PReg>; 2],
    pub slots: SlotAllocator,
    pub moves: MoveBuffers,
    pub candidate_buf: Vec<PReg>,
    /// Minimal pieces being built by a split: (instruction, bundle).
    pub piece_buf: Vec<(u32, u32)>,
}

impl State {
    fn run<F: Function>(
        &mut self,
        func: &F,
        env: &MachineEnv,
        out: &mut Output,
    ) -> Result<(), Error> {
        env.validate()?;
        self.cfg.compute(func)?;
        self.regs.clear();
        for class in RegClass::ALL {
            let e = env.class(class);
            let regs = &mut self.class_regs[class.index()];
            regs.clear();
            regs.extend(e.preferred.iter().chain(&e.non_preferred).copied());
        }
        self.live.compute(
            func,
            env,
            &self.cfg,
            &mut self.ranges,
            &mut self.regs,
            &mut out.allocs,
            &mut out.inst_alloc_offsets,
        )?;
        self.check_classes_have_registers()?;
        out.stats.initial_ranges = self.ranges.len();

        self.slots.clear();
        self.build_bundles(func);
        out.stats.initial_bundles = self.queue.len() + self.deferred.len();
        self.process_queue(&mut out.stats)?;
        self.allocate_deferred(&mut out.stats);
        self.assign_spill_slots(out);
        self.insert_moves(func, env, out);
        self.remove_redundant_moves(func, out);
        out.stats.moves = out.edits.len();
        out.stats.spill_slots = out.spill_slots.len();
        Ok(())
    }

    /// A value of a class without registers cannot be allocated at all.
    fn check_classes_have_registers(&self) -> Result<(), Error> {
        for (v, info) in self.live.vregs.iter().enumerate() {
            if info.def != NONE && self.class_regs[info.class.index()].is_empty() {
                let first = self.live.vreg_ranges[v] as usize;
                let inst = self
                    .ranges
                    .get(first)
                    .filter(|_| first < self.live.vreg_ranges[v + 1] as usize)
                    .map_or(0, |r| r.from / 2);
                return Err(Error::TooManyLiveRegs {
                    inst: Inst::new(inst as usize),
                    class: info.class,
                });
            }
        }
        Ok(())
    }
}
