//! Operand validation, use records, fixed reservations and SSA liveness.
//!
//! One pass over the instructions validates every operand, records each
//! operand's demand as a [`Use`] of its value, and records fixed-register
//! operands and clobbers as reservations of physical registers. Uses are
//! then bucketed by value (a stable counting sort, so each value's uses stay
//! in program order).
//!
//! Liveness exploits SSA: a value is live exactly on the paths from its
//! definition to its uses. For each value, a backward walk from the blocks
//! of its uses (and of the branches passing it as an argument) marks the
//! blocks it is live into, stopping at the defining block; every
//! predecessor of a live-in block is live-out. The walk touches each block
//! where the value is live once, so the whole analysis is linear in the size
//! of the liveness information — there is no iterative dataflow and no
//! per-block set. A walk that reaches the entry block means a use that the
//! definition does not dominate: an error.
//!
//! From the marks, each value gets one range per block it lives in —
//! from the block start (live-in) or its definition, to the block end
//! (live-out) or its last use — with ranges of consecutive blocks joined.

use crate::cfg::Cfg;
use crate::env::MachineEnv;
use crate::error::Error;
use crate::function::Function;
use crate::ir::{NONE, Point, Range, Use, UseKind, early, late, use_weight};
use crate::operand::{Constraint, OperandKind, OperandPos};
use crate::reg::{Allocation, Block, Inst, PReg, PRegSet, RegClass, SpillSlot, VReg};
use crate::regmap::{RegMap, Reservation};

/// What the allocator knows about a value's definition.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VRegInfo {
    /// The first point of the value's range, `NONE` if undefined.
    pub def: Point,
    /// The range ends no earlier than this, even if the value is dead.
    pub def_min_end: Point,
    pub def_block: u32,
    /// The register a fixed def writes; the value is there, not in its
    /// range's allocation, in the gap after the defining instruction.
    pub fixed_def: Option<PReg>,
    pub is_param: bool,
    pub class: RegClass,
}

const UNDEFINED: VRegInfo = VRegInfo {
    def: NONE,
    def_min_end: 0,
    def_block: NONE,
    fixed_def: None,
    is_param: false,
    class: RegClass::Int,
};

/// A placeholder allocation for operands not yet allocated.
pub(crate) const UNALLOCATED: Allocation = Allocation::Stack(SpillSlot::new(u32::MAX as usize));

/// Liveness results and working buffers.
#[derive(Default)]
pub(crate) struct Liveness {
    pub vregs: Vec<VRegInfo>,
    /// Use records, grouped by value, in program order within a value.
    pub uses: Vec<Use>,
    /// Each value's initial ranges: `ranges[vreg_ranges[v]..vreg_ranges[v + 1]]`
    /// of the range vector given to [`Liveness::compute`].
    pub vreg_ranges: Vec<u32>,
    /// `(input value, def value)` of every reuse def.
    pub reuses: Vec<(u32, u32)>,
    /// The class each value was first mentioned with (`u8::MAX`: unseen).
    seen_class: Vec<u8>,
    raw_uses: Vec<(u32, Use)>,
    use_offsets: Vec<u32>,
    raw_args: Vec<(u32, u32)>,
    arg_blocks: Vec<u32>,
    arg_offsets: Vec<u32>,
    inst_uses: Vec<(u32, Use)>,
    inst_fixed: Vec<(PReg, Reservation)>,
    reused_inputs: Vec<bool>,
    live_in: Vec<u32>,
    live_out: Vec<u32>,
    worklist: Vec<u32>,
    touched: Vec<u32>,
}

impl Liveness {
    /// Scans `func`, filling `self`, the initial live `ranges`, the fixed
    /// reservations and clobbers of `regs`, and the operand-allocation
    /// layout of `allocs`/`offsets` (fixed operands get their register;
    /// others a placeholder).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn compute<F: Function>(
        &mut self,
        func: &F,
        env: &MachineEnv,
        cfg: &Cfg,
        ranges: &mut Vec<Range>,
        regs: &mut RegMap,
        allocs: &mut Vec<Allocation>,
        offsets: &mut Vec<u32>,
    ) -> Result<(), Error> {
        let num_vregs = func.num_vregs();
        self.vregs.clear();
        self.vregs.resize(num_vregs, UNDEFINED);
        self.seen_class.clear();
        self.seen_class.resize(num_vregs, u8::MAX);
        self.raw_uses.clear();
        self.raw_args.clear();
        self.reuses.clear();
        let mut scratch = PRegSet::empty();
        for class in &env.classes {
            if let Some(r) = class.scratch {
                scratch.insert(r);
            }
        }

        for b in 0..func.num_blocks() {
            let block = Block::new(b);
            let first = cfg.block_first[b];
            for &p in func.block_params(block) {
                self.define(p, Inst::new(first as usize), b as u32)?;
                let info = &mut self.vregs[p.index()];
                info.def = early(first);
                info.def_min_end = early(first) + 1;
                info.is_param = true;
            }
            for i in first..cfg.block_end[b] {
                self.scan_inst(func, cfg, i, scratch, regs, allocs, offsets)?;
            }
            let term = Inst::new(cfg.terminator(b as u32) as usize);
            for k in 0..func.block_succs(block).len() {
                for &a in func.branch_args(block, k) {
                    self.check_vreg(a, term, num_vregs)?;
                    self.raw_args.push((a.index() as u32, b as u32));
                }
            }
        }
        offsets.push(allocs.len() as u32);
        regs.clobbers.finish();

        bucket_by_vreg(
            &self.raw_uses,
            num_vregs,
            &mut self.use_offsets,
            &mut self.uses,
        );
        bucket_by_vreg(
            &self.raw_args,
            num_vregs,
            &mut self.arg_offsets,
            &mut self.arg_blocks,
        );

        ranges.clear();
        self.vreg_ranges.clear();
        self.live_in.clear();
        self.live_in.resize(func.num_blocks(), NONE);
        self.live_out.clear();
        self.live_out.resize(func.num_blocks(), NONE);
        for v in 0..num_vregs {
            self.vreg_ranges.push(ranges.len() as u32);
            self.build_ranges(func, cfg, ranges, v as u32)?;
        }
        self.vreg_ranges.push(ranges.len() as u32);
        Ok(())
    }

    /// Checks the index and the class of a mention of `v`.
    fn check_vreg(&mut self, v: VReg, inst: Inst, num_vregs: usize) -> Result<(), Error> {
        let i = v.index();
        if i >= num_vregs {
            return Err(Error::VRegOutOfRange { vreg: v });
        }
        let class = v.class() as u8;
        match self.seen_class[i] {
            u8::MAX => self.seen_class[i] = class,
            c if c != class => return Err(Error::ClassMismatch { inst, vreg: v }),
            _ => {}
        }
        Ok(())
    }

    fn define(&mut self, v: VReg, inst: Inst, block: u32) -> Result<(), Error> {
        let num_vregs = self.vregs.len();
        self.check_vreg(v, inst, num_vregs)?;
        let info = &mut self.vregs[v.index()];
        if info.def != NONE {
            return Err(Error::MultipleDefs { vreg: v });
        }
        info.def_block = block;
        info.class = v.class();
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn scan_inst<F: Function>(
        &mut self,
        func: &F,
        cfg: &Cfg,
        i: u32,
        scratch: PRegSet,
        regs: &mut RegMap,
        allocs: &mut Vec<Allocation>,
        offsets: &mut Vec<u32>,
    ) -> Result<(), Error> {
        let inst = Inst::new(i as usize);
        let ops = func.inst_operands(inst);
        let base = allocs.len() as u32;
        offsets.push(base);
        allocs.resize(allocs.len() + ops.len(), UNALLOCATED);
        let block = cfg.inst_block[i as usize];
        let depth = cfg.loop_depth[block as usize];
        let is_term = cfg.terminator(block) == i;
        // Fixed uses and reuse inputs are satisfied by a copy in the gap
        // before the instruction; the value must reach that gap.
        let gap_pos = if cfg.is_block_start(i) {
            early(i)
        } else {
            early(i) - 1
        };
        let num_vregs = self.vregs.len();

        // Reuse defs first: their inputs are recorded differently.
        self.reused_inputs.clear();
        self.reused_inputs.resize(ops.len(), false);
        for (k, op) in ops.iter().enumerate() {
            if let Constraint::Reuse(j) = op.constraint() {
                let j = j as usize;
                let valid = op.kind() == OperandKind::Def
                    && op.pos() == OperandPos::Late
                    && j < ops.len()
                    && !self.reused_inputs[j]
                    && ops[j].kind() == OperandKind::Use
                    && ops[j].pos() == OperandPos::Early
                    && matches!(ops[j].constraint(), Constraint::Any | Constraint::Reg)
                    && ops[j].class() == op.class();
                if !valid {
                    return Err(Error::InvalidReuse { inst, operand: k });
                }
                self.reused_inputs[j] = true;
                self.reuses
                    .push((ops[j].vreg().index() as u32, op.vreg().index() as u32));
            }
        }

        self.inst_uses.clear();
        self.inst_fixed.clear();
        let mut fixed_defs = PRegSet::empty();
        let mut fixed_late = PRegSet::empty();
        for (k, op) in ops.iter().enumerate() {
            let v = op.vreg();
            self.check_vreg(v, inst, num_vregs)?;
            let g = base + k as u32;
            let owner = v.index() as u32;
            let late_pos = op.pos() == OperandPos::Late;
            if let Constraint::Fixed(r) = op.constraint() {
                if r.class() != v.class() {
                    return Err(Error::ClassMismatch { inst, vreg: v });
                }
                if scratch.contains(r) {
                    return Err(Error::FixedRegConflict { inst, preg: r });
                }
                allocs[g as usize] = Allocation::Reg(r);
            }
            let (kind, pos) = match op.kind() {
                OperandKind::Use => {
                    if self.reused_inputs[k] {
                        (UseKind::ReuseInput, gap_pos)
                    } else {
                        let pos = if late_pos { late(i) } else { early(i) };
                        match op.constraint() {
                            Constraint::Any => (UseKind::AnyUse, pos),
                            Constraint::Reg => (UseKind::RegUse, pos),
                            Constraint::Stack => (UseKind::StackUse, pos),
                            Constraint::Fixed(r) => {
                                let to = if late_pos { late(i) + 1 } else { early(i) + 1 };
                                self.inst_fixed.push((
                                    r,
                                    Reservation {
                                        from: early(i),
                                        to,
                                        owner,
                                    },
                                ));
                                if late_pos {
                                    fixed_late.insert(r);
                                }
                                (UseKind::FixedUse(r), gap_pos)
                            }
                            Constraint::Reuse(_) => {
                                return Err(Error::InvalidReuse { inst, operand: k });
                            }
                        }
                    }
                }
                OperandKind::Def => {
                    if is_term {
                        return Err(Error::DefOnTerminator { inst });
                    }
                    self.define(v, inst, block)?;
                    let info = &mut self.vregs[v.index()];
                    let start = if late_pos { late(i) } else { early(i) };
                    info.def = start;
                    info.def_min_end = early(i) + 2;
                    match op.constraint() {
                        Constraint::Any => (UseKind::AnyDef, start),
                        Constraint::Reg => (UseKind::RegDef, start),
                        Constraint::Stack => (UseKind::StackDef, start),
                        Constraint::Reuse(_) => {
                            info.def = early(i);
                            (UseKind::RegDef, early(i))
                        }
                        Constraint::Fixed(r) => {
                            // The value sits in `r` during the instruction
                            // and reaches its range after it.
                            info.def = late(i);
                            info.fixed_def = Some(r);
                            fixed_defs.insert(r);
                            self.inst_fixed.push((
                                r,
                                Reservation {
                                    from: start,
                                    to: late(i) + 1,
                                    owner,
                                },
                            ));
                            (UseKind::FixedDef(r), late(i))
                        }
                    }
                }
            };
            let weight = use_weight(kind, depth);
            self.inst_uses.push((
                owner,
                Use {
                    pos,
                    operand: g,
                    kind,
                    weight,
                },
            ));
        }

        // A use of a value this instruction defines, or a value needed both
        // in a register and a slot, cannot be satisfied.
        for &(v, u) in &self.inst_uses {
            if matches!(
                u.kind,
                UseKind::RegDef | UseKind::AnyDef | UseKind::StackDef | UseKind::FixedDef(_)
            ) {
                continue;
            }
            let info = &self.vregs[v as usize];
            let vreg = VReg::new(v as usize, info.class);
            if info.def != NONE && info.def_block == block && info.def >= early(i) && !info.is_param
            {
                return Err(Error::UseNotDominated { vreg });
            }
            if u.kind == UseKind::StackUse
                && self
                    .inst_uses
                    .iter()
                    .any(|&(w, x)| w == v && x.kind == UseKind::RegUse)
            {
                return Err(Error::StackAndRegConstraint { inst, vreg });
            }
        }

        // A fixed def overrides a clobber of its register.
        let clobbers = func.inst_clobbers(inst).difference(fixed_defs);
        if let Some(r) = clobbers
            .intersection(fixed_late.union(scratch))
            .iter()
            .next()
        {
            return Err(Error::FixedRegConflict { inst, preg: r });
        }
        if !clobbers.is_empty() {
            regs.clobbers.add(clobbers, late(i));
        }

        // Fixed reservations: per register in point order, merging those of
        // one value, rejecting overlaps between values.
        self.inst_fixed
            .sort_unstable_by_key(|&(r, res)| (r, res.from, res.to));
        let mut k = 0;
        while k < self.inst_fixed.len() {
            let (r, mut res) = self.inst_fixed[k];
            k += 1;
            while k < self.inst_fixed.len()
                && self.inst_fixed[k].0 == r
                && self.inst_fixed[k].1.from < res.to
            {
                let next = self.inst_fixed[k].1;
                if next.owner != res.owner {
                    return Err(Error::FixedRegConflict { inst, preg: r });
                }
                res.to = res.to.max(next.to);
                k += 1;
            }
            regs.reg_mut(r).fixed.push(res);
        }

        self.inst_uses.sort_by_key(|&(_, u)| u.pos);
        self.raw_uses.extend_from_slice(&self.inst_uses);
        Ok(())
    }

    /// Walks back from `v`'s uses to its definition, then builds its ranges.
    fn build_ranges<F: Function>(
        &mut self,
        func: &F,
        cfg: &Cfg,
        ranges: &mut Vec<Range>,
        v: u32,
    ) -> Result<(), Error> {
        let uses = self.use_offsets[v as usize] as usize..self.use_offsets[v as usize + 1] as usize;
        let args = self.arg_offsets[v as usize] as usize..self.arg_offsets[v as usize + 1] as usize;
        let info = self.vregs[v as usize];
        let vreg = VReg::new(v as usize, info.class);
        if info.def == NONE {
            if uses.is_empty() && args.is_empty() {
                return Ok(());
            }
            return Err(Error::UseNotDominated { vreg });
        }
        let dead = args.is_empty() && self.uses[uses.clone()].iter().all(|u| u.kind.is_def());
        if dead {
            // A dead value still needs a place for its def, unless that place
            // is a fixed register or it is a parameter (never written by an
            // instruction).
            if info.fixed_def.is_none() && !info.is_param {
                self.push_range(ranges, v, info.def, info.def_min_end);
                self.assign_uses(ranges, v, uses);
            }
            return Ok(());
        }

        let def_block = info.def_block;
        self.worklist.clear();
        self.touched.clear();
        self.touched.push(def_block);
        for u in &self.uses[uses.clone()] {
            let b = cfg.inst_block[(u.pos / 2) as usize];
            if b == def_block && u.pos >= info.def {
                continue;
            }
            if self.live_in[b as usize] != v {
                self.live_in[b as usize] = v;
                self.worklist.push(b);
                self.touched.push(b);
            }
        }
        for &b in &self.arg_blocks[args] {
            self.live_out[b as usize] = v;
            self.touched.push(b);
            if b != def_block && self.live_in[b as usize] != v {
                self.live_in[b as usize] = v;
                self.worklist.push(b);
            }
        }
        while let Some(b) = self.worklist.pop() {
            let preds = func.block_preds(Block::new(b as usize));
            if preds.is_empty() {
                return Err(Error::UseNotDominated { vreg });
            }
            for &p in preds {
                let p = p.index() as u32;
                if self.live_out[p as usize] != v {
                    self.live_out[p as usize] = v;
                    self.touched.push(p);
                }
                if p != def_block && self.live_in[p as usize] != v {
                    self.live_in[p as usize] = v;
                    self.worklist.push(p);
                    self.touched.push(p);
                }
            }
        }
        self.touched.sort_unstable();
        self.touched.dedup();

        let mut u = uses.start;
        for t in 0..self.touched.len() {
            let b = self.touched[t];
            let live_in = self.live_in[b as usize] == v;
            let live_out = self.live_out[b as usize] == v;
            let from = if live_in {
                cfg.block_start_point(b)
            } else {
                debug_assert_eq!(b, def_block);
                info.def
            };
            let mut last_use_end = 0;
            while u < uses.end && cfg.inst_block[(self.uses[u].pos / 2) as usize] == b {
                last_use_end = last_use_end.max(self.uses[u].pos + 1);
                u += 1;
            }
            let to = if live_out {
                cfg.block_end_point(b)
            } else if live_in {
                last_use_end.max(from + 1)
            } else {
                last_use_end.max(info.def_min_end)
            };
            self.push_range(ranges, v, from, to);
        }
        debug_assert_eq!(u, uses.end, "every use lies in a block the value lives in");
        self.assign_uses(ranges, v, uses);
        Ok(())
    }

    /// Hands each of `v`'s ranges the uses within it.
    fn assign_uses(&self, ranges: &mut [Range], v: u32, uses: core::ops::Range<usize>) {
        let first = self.vreg_ranges[v as usize] as usize;
        let mut u = uses.start;
        for r in &mut ranges[first..] {
            r.uses_start = u as u32;
            while u < uses.end && self.uses[u].pos < r.to {
                debug_assert!(self.uses[u].pos >= r.from);
                u += 1;
            }
            r.uses_end = u as u32;
        }
        debug_assert_eq!(u, uses.end);
    }

    /// Appends `[from, to)` to `v`'s ranges, joining it to the previous one
    /// if they touch.
    fn push_range(&self, ranges: &mut Vec<Range>, v: u32, from: Point, to: Point) {
        let first = self.vreg_ranges[v as usize] as usize;
        if ranges.len() > first
            && let Some(last) = ranges.last_mut()
            && last.to == from
        {
            last.to = to;
            return;
        }
        ranges.push(Range {
            from,
            to,
            vreg: v,
            bundle: NONE,
            next: NONE,
            uses_start: 0,
            uses_end: 0,
        });
    }
}

/// Stable counting sort of `(vreg, item)` pairs into `items`, with
/// `offsets[v]..offsets[v + 1]` the items of `v`.
fn bucket_by_vreg<T: Copy>(
    raw: &[(u32, T)],
    num_vregs: usize,
    offsets: &mut Vec<u32>,
    items: &mut Vec<T>,
) {
    offsets.clear();
    offsets.resize(num_vregs + 1, 0);
    for &(v, _) in raw {
        offsets[v as usize + 1] += 1;
    }
    for v in 0..num_vregs {
        offsets[v + 1] += offsets[v];
    }
    items.clear();
    if let Some(&(_, any)) = raw.first() {
        items.resize(raw.len(), any);
    }
    // `offsets[v]` serves as v's cursor, ending at v's end = (v+1)'s start;
    // shifting by one restores the starts.
    for &(v, item) in raw {
        items[offsets[v as usize] as usize] = item;
        offsets[v as usize] += 1;
    }
    for v in (1..=num_vregs).rev() {
        offsets[v] = offsets[v - 1];
    }
    offsets[0] = 0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operand::Operand;
    use crate::testing::{FunctionBuilder, small_env};

    fn analyze(f: &crate::testing::TestFunction) -> Result<(Liveness, Vec<Range>), Error> {
        let env = small_env(4, 0, true);
        let mut cfg = Cfg::default();
        cfg.compute(f)?;
        let mut regs = RegMap::default();
        regs.clear();
        let mut live = Liveness::default();
        let mut ranges = Vec::new();
        live.compute(
            f,
            &env,
            &cfg,
            &mut ranges,
            &mut regs,
            &mut Vec::new(),
            &mut Vec::new(),
        )?;
        Ok((live, ranges))
    }

    fn ranges_of(live: &(Liveness, Vec<Range>), v: VReg) -> Vec<(Point, Point)> {
        let r = live.0.vreg_ranges[v.index()] as usize..live.0.vreg_ranges[v.index() + 1] as usize;
        live.1[r].iter().map(|r| (r.from, r.to)).collect()
    }

    #[test]
    fn ranges_span_loops_and_stop_at_last_uses() {
        // block0: v0 = def; v1 = def; jump block1
        // block1: use v0; br block2, block3
        // block2: jump block1          (back edge: v0 live around the loop)
        // block3: use v1; ret
        let mut b = FunctionBuilder::new();
        let (b0, b1, b2, b3) = (b.block(), b.block(), b.block(), b.block());
        let v0 = b.vreg(RegClass::Int);
        let v1 = b.vreg(RegClass::Int);
        b.inst(b0, &[Operand::reg_def(v0)], PRegSet::empty()); // inst 0
        b.inst(b0, &[Operand::reg_def(v1)], PRegSet::empty()); // inst 1
        b.jump(b0, b1, &[]); // inst 2
        b.branch(b1, &[Operand::reg_use(v0)], &[(b2, &[]), (b3, &[])]); // inst 3
        b.jump(b2, b1, &[]); // inst 4
        b.inst(b3, &[Operand::reg_use(v1)], PRegSet::empty()); // inst 5
        b.ret(b3, &[]); // inst 6
        let live = analyze(&b.finish()).unwrap();
        // v0: from its def (late point 1) through the loop (blocks 1, 2).
        assert_eq!(ranges_of(&live, v0), vec![(1, 10)]);
        // v1: live through blocks 1 and 2 into block 3 up to its use.
        assert_eq!(ranges_of(&live, v1), vec![(3, 11)]);
    }

    #[test]
    fn fixed_uses_end_at_the_gap_and_reserve_their_register() {
        let r2 = PReg::new(RegClass::Int, 2);
        let mut b = FunctionBuilder::new();
        let blk = b.block();
        let v = b.vreg(RegClass::Int);
        b.inst(blk, &[Operand::reg_def(v)], PRegSet::empty()); // inst 0
        b.inst(blk, &[Operand::fixed_use(v, r2)], PRegSet::empty()); // inst 1
        b.ret(blk, &[]);
        let f = b.finish();
        let env = small_env(4, 0, true);
        let mut cfg = Cfg::default();
        cfg.compute(&f).unwrap();
        let mut regs = RegMap::default();
        regs.clear();
        let mut live = Liveness::default();
        let mut allocs = Vec::new();
        let mut ranges = Vec::new();
        live.compute(
            &f,
            &env,
            &cfg,
            &mut ranges,
            &mut regs,
            &mut allocs,
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(ranges_of(&(live, ranges), v), vec![(1, 2)]);
        assert_eq!(
            regs.reg(r2).fixed,
            vec![Reservation {
                from: 2,
                to: 3,
                owner: 0
            }]
        );
        assert_eq!(allocs[1], Allocation::Reg(r2));
    }

    #[test]
    fn rejects_uses_not_dominated_by_their_definition() {
        // block0: br block1, block2; block1: v = def; jump block3;
        // block2: jump block3; block3: use v; ret
        let mut b = FunctionBuilder::new();
        let (b0, b1, b2, b3) = (b.block(), b.block(), b.block(), b.block());
        let c = b.vreg(RegClass::Int);
        let v = b.vreg(RegClass::Int);
        b.inst(b0, &[Operand::reg_def(c)], PRegSet::empty());
        b.branch(b0, &[Operand::reg_use(c)], &[(b1, &[]), (b2, &[])]);
        b.inst(b1, &[Operand::reg_def(v)], PRegSet::empty());
        b.jump(b1, b3, &[]);
        b.jump(b2, b3, &[]);
        b.ret(b3, &[Operand::reg_use(v)]);
        assert!(matches!(
            analyze(&b.finish()),
            Err(Error::UseNotDominated { vreg }) if vreg == v
        ));
    }

    #[test]
    fn rejects_double_definitions_and_conflicting_fixed_registers() {
        let r0 = PReg::new(RegClass::Int, 0);
        let mut b = FunctionBuilder::new();
        let blk = b.block();
        let v = b.vreg(RegClass::Int);
        let w = b.vreg(RegClass::Int);
        b.inst(
            blk,
            &[Operand::reg_def(v), Operand::reg_def(w)],
            PRegSet::empty(),
        );
        b.inst(
            blk,
            &[Operand::fixed_use(v, r0), Operand::fixed_use(w, r0)],
            PRegSet::empty(),
        );
        b.ret(blk, &[]);
        assert_eq!(
            analyze(&b.finish()).err(),
            Some(Error::FixedRegConflict {
                inst: Inst::new(1),
                preg: r0
            })
        );

        let mut b = FunctionBuilder::new();
        let blk = b.block();
        let v = b.vreg(RegClass::Int);
        b.inst(blk, &[Operand::reg_def(v)], PRegSet::empty());
        b.inst(blk, &[Operand::reg_def(v)], PRegSet::empty());
        b.ret(blk, &[]);
        assert_eq!(
            analyze(&b.finish()).err(),
            Some(Error::MultipleDefs { vreg: v })
        );
    }

    #[test]
    fn rejects_invalid_reuse_and_stack_plus_register() {
        let mut b = FunctionBuilder::new();
        let blk = b.block();
        let (v, w) = (b.vreg(RegClass::Int), b.vreg(RegClass::Int));
        b.inst(blk, &[Operand::reg_def(v)], PRegSet::empty());
        b.inst(
            blk,
            &[Operand::stack_use(v), Operand::reuse_def(w, 0)],
            PRegSet::empty(),
        );
        b.ret(blk, &[]);
        assert_eq!(
            analyze(&b.finish()).err(),
            Some(Error::InvalidReuse {
                inst: Inst::new(1),
                operand: 1
            })
        );

        let mut b = FunctionBuilder::new();
        let blk = b.block();
        let v = b.vreg(RegClass::Int);
        b.inst(blk, &[Operand::reg_def(v)], PRegSet::empty());
        b.inst(
            blk,
            &[Operand::stack_use(v), Operand::reg_use(v)],
            PRegSet::empty(),
        );
        b.ret(blk, &[]);
        assert_eq!(
            analyze(&b.finish()).err(),
            Some(Error::StackAndRegConstraint {
                inst: Inst::new(1),
                vreg: v
            })
        );
    }
}
