//! A generator of random valid functions.
//!
//! The generator first draws a control-flow graph (random forward, backward
//! and exit edges, or a structured loop nest), splits its critical edges,
//! computes dominators, and then fills the blocks in dominator-tree order so
//! that every use is dominated by its definition: the values available in a
//! block are those defined in its dominators plus its own parameters and
//! earlier instructions. Operands get random constraints — registers,
//! spill slots, fixed registers, reuse of an input, early defs, late uses —
//! and some instructions clobber registers (calls clobber every preferred,
//! caller-saved register). Per instruction, a register budget keeps the
//! problem solvable: at each of its two program points, the registers the
//! instruction pins plus the values it needs in registers stay below the
//! class's register count. A value used in a register may live on after
//! the instruction, keeping one register through both points, so every
//! register the instruction pins counts against both points.

use super::func::{FunctionBuilder, TestFunction};
use super::rng::Rng;
use crate::env::MachineEnv;
use crate::operand::{Constraint, Operand, OperandKind, OperandPos};
use crate::reg::{Block, NUM_CLASSES, PReg, PRegSet, RegClass, VReg};

/// The shape of the generated control-flow graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CfgShape {
    /// Each block falls through to the next and may branch forward,
    /// backward (a loop) or to a new returning block.
    Random,
    /// Structured loops nested `depth` deep, each with straight-line blocks
    /// before and after the inner loop.
    LoopNest {
        /// How many loops are nested.
        depth: usize,
    },
}

/// Knobs of the generator. Percentages are chances per decision.
#[derive(Clone, Debug)]
pub struct GenConfig {
    /// The control-flow shape.
    pub shape: CfgShape,
    /// The number of blocks before critical edges are split (approximate
    /// for loop nests).
    pub blocks: usize,
    /// The number of ordinary instructions per block, `min..=max`.
    pub insts_per_block: (usize, usize),
    /// The maximum number of parameters of a block.
    pub max_params: usize,
    /// Chance that a block ends in a two-way branch.
    pub branch_percent: u32,
    /// Chance that a block ends in a three- or four-way branch.
    pub switch_percent: u32,
    /// Chance that an extra branch target is a back edge (a loop).
    pub back_edge_percent: u32,
    /// Chance that an extra branch target is a new returning block.
    pub exit_percent: u32,
    /// Chance that an instruction is a call (fixed arguments and result,
    /// clobbers every preferred register).
    pub call_percent: u32,
    /// Chance that an operand has a fixed-register constraint.
    pub fixed_percent: u32,
    /// Chance that a def reuses an input's register.
    pub reuse_percent: u32,
    /// Chance that an operand must be in a spill slot.
    pub stack_percent: u32,
    /// Chance that a register use is late.
    pub late_use_percent: u32,
    /// Chance that a register def is early.
    pub early_def_percent: u32,
    /// Chance that an ordinary instruction clobbers a few registers.
    pub clobber_percent: u32,
    /// Chance that a new value is a float (if the machine has float
    /// registers).
    pub float_percent: u32,
    /// The maximum number of uses of an ordinary instruction.
    pub max_uses: usize,
    /// The maximum number of defs of an ordinary instruction.
    pub max_defs: usize,
    /// Chance that a use reads one of the most recently defined values
    /// (otherwise any available value: long live ranges, high pressure).
    pub recent_use_percent: u32,
    /// Avoid the valid instruction shapes that regalloc2 0.15 (the
    /// benchmark's reference) panics on: a value used from a slot and used
    /// again by the same instruction, and a reuse def in an instruction
    /// with fixed defs or clobbers.
    pub regalloc2_compatible: bool,
}

impl GenConfig {
    /// Small functions exercising every feature: the default for fuzzing.
    pub fn small() -> GenConfig {
        GenConfig {
            shape: CfgShape::Random,
            blocks: 8,
            insts_per_block: (1, 8),
            max_params: 3,
            branch_percent: 40,
            switch_percent: 5,
            back_edge_percent: 35,
            exit_percent: 15,
            call_percent: 8,
            fixed_percent: 12,
            reuse_percent: 15,
            stack_percent: 5,
            late_use_percent: 8,
            early_def_percent: 8,
            clobber_percent: 10,
            float_percent: 30,
            max_uses: 3,
            max_defs: 2,
            recent_use_percent: 60,
            regalloc2_compatible: false,
        }
    }

    /// A function of roughly `insts` instructions with random control flow.
    pub fn sized(insts: usize) -> GenConfig {
        GenConfig {
            blocks: (insts / 10).max(2),
            insts_per_block: (4, 14),
            max_params: 4,
            ..GenConfig::small()
        }
    }

    /// A loop nest `depth` deep of roughly `insts` instructions.
    pub fn loop_nest(depth: usize, insts: usize) -> GenConfig {
        GenConfig {
            shape: CfgShape::LoopNest { depth },
            ..GenConfig::sized(insts)
        }
    }
}

/// The per-class register facts the generator needs.
struct ClassRegs {
    /// Every allocatable register.
    all: Vec<PReg>,
    /// The preferred (caller-saved) registers: clobbered by calls.
    caller_saved: Vec<PReg>,
}

/// Generates a random valid function for `env` (which must have at least
/// two allocatable integer registers).
pub fn generate(rng: &mut Rng, config: &GenConfig, env: &MachineEnv) -> TestFunction {
    let succs = match config.shape {
        CfgShape::Random => random_cfg(rng, config),
        CfgShape::LoopNest { depth } => loop_nest_cfg(config, depth),
    };
    let succs = split_critical_edges(succs);
    let preds = predecessors(&succs);
    let idom = dominators(&succs, &preds);

    let regs: Vec<ClassRegs> = RegClass::ALL
        .iter()
        .map(|&c| {
            let e = env.class(c);
            ClassRegs {
                all: e
                    .preferred
                    .iter()
                    .chain(&e.non_preferred)
                    .copied()
                    .collect(),
                caller_saved: e.preferred.clone(),
            }
        })
        .collect();
    assert!(
        regs[RegClass::Int.index()].all.len() >= 2,
        "the generator needs at least two integer registers"
    );
    let float_ok = regs[RegClass::Float.index()].all.len() >= 2;

    let mut g = Gen {
        rng,
        config,
        regs,
        float_ok,
        b: FunctionBuilder::new(),
        avail: [Vec::new(), Vec::new()],
    };
    let blocks: Vec<Block> = (0..succs.len()).map(|_| g.b.block()).collect();
    let mut params: Vec<Vec<VReg>> = vec![Vec::new(); succs.len()];
    for (b, p) in params.iter_mut().enumerate().skip(1) {
        for _ in 0..g.rng.range(0, config.max_params) {
            let class = g.new_class();
            let v = g.b.vreg(class);
            g.b.param(blocks[b], v);
            p.push(v);
        }
    }

    // Dominator-tree children, visited depth-first with an explicit stack.
    let mut children = vec![Vec::new(); succs.len()];
    for (b, &d) in idom.iter().enumerate().skip(1) {
        children[d].push(b);
    }
    enum Visit {
        Enter(usize),
        Exit([usize; NUM_CLASSES]),
    }
    let mut stack = vec![Visit::Enter(0)];
    while let Some(visit) = stack.pop() {
        match visit {
            Visit::Exit(marks) => {
                for (avail, mark) in g.avail.iter_mut().zip(marks) {
                    avail.truncate(mark);
                }
            }
            Visit::Enter(b) => {
                let marks = [g.avail[0].len(), g.avail[1].len()];
                stack.push(Visit::Exit(marks));
                for &p in &params[b] {
                    g.avail[p.class().index()].push(p);
                }
                g.fill_block(blocks[b], b == 0, &succs[b], &params, &blocks);
                for &c in children[b].iter().rev() {
                    stack.push(Visit::Enter(c));
                }
            }
        }
    }
    g.b.finish()
}

struct Gen<'a> {
    rng: &'a mut Rng,
    config: &'a GenConfig,
    regs: Vec<ClassRegs>,
    float_ok: bool,
    b: FunctionBuilder,
    /// Values available at the current point, per class.
    avail: [Vec<VReg>; NUM_CLASSES],
}

/// The registers an instruction needs, per class: values in registers
/// plus pinned (fixed or clobbered) registers. A value held in a register
/// through the instruction needs one register free at both points, so
/// pinned registers count against both points regardless of which one
/// pins them. `fixed_early`/`fixed_late` track which registers are pinned
/// at which point, to keep fixed constraints legal.
#[derive(Default)]
struct Budget {
    values: [usize; NUM_CLASSES],
    fixed_early: PRegSet,
    fixed_late: PRegSet,
}

impl Gen<'_> {
    fn new_class(&mut self) -> RegClass {
        if self.float_ok && self.rng.chance(self.config.float_percent) {
            RegClass::Float
        } else {
            RegClass::Int
        }
    }

    fn pick(&mut self, class: RegClass) -> Option<VReg> {
        let avail = &self.avail[class.index()];
        if avail.is_empty() {
            return None;
        }
        let n = avail.len();
        let i = if self.rng.chance(self.config.recent_use_percent) {
            n - 1 - self.rng.below(n.min(6))
        } else {
            self.rng.below(n)
        };
        Some(avail[i])
    }

    fn fill_block(
        &mut self,
        block: Block,
        entry: bool,
        succs: &[usize],
        params: &[Vec<VReg>],
        blocks: &[Block],
    ) {
        if entry {
            self.entry_args(block);
        }
        let (lo, hi) = self.config.insts_per_block;
        for _ in 0..self.rng.range(lo, hi) {
            if self.rng.chance(self.config.call_percent) {
                self.call(block);
            } else {
                self.op(block);
            }
        }
        if succs.is_empty() {
            self.ret(block);
            return;
        }
        let mut targets: Vec<(Block, Vec<VReg>)> = Vec::new();
        for &s in succs {
            let args = params[s]
                .iter()
                .map(|p| self.pick(p.class()).expect("entry defines every class"))
                .collect();
            targets.push((blocks[s], args));
        }
        let targets: Vec<(Block, &[VReg])> =
            targets.iter().map(|(b, a)| (*b, a.as_slice())).collect();
        if succs.len() == 1 {
            self.b.branch(block, &[], &targets);
        } else {
            let cond = self.pick(RegClass::Int).expect("entry defines an integer");
            let op = if self.rng.chance(50) {
                Operand::reg_use(cond)
            } else {
                Operand::any_use(cond)
            };
            self.b.branch(block, &[op], &targets);
        }
    }

    /// Function arguments: a few values in fixed registers, and at least one
    /// value of every class so that branch arguments always exist.
    fn entry_args(&mut self, block: Block) {
        let mut ops = Vec::new();
        let int = &self.regs[RegClass::Int.index()].all;
        let n_fixed = self.rng.range(0, 3.min(int.len() - 1));
        for &r in &int[..n_fixed] {
            let v = self.b.vreg(RegClass::Int);
            ops.push(Operand::fixed_def(v, r));
        }
        let mut classes = vec![RegClass::Int];
        if self.float_ok {
            classes.push(RegClass::Float);
        }
        for class in classes {
            let v = self.b.vreg(class);
            ops.push(Operand::reg_def(v));
        }
        for op in &ops {
            self.avail[op.class().index()].push(op.vreg());
        }
        self.b.inst(block, &ops, PRegSet::empty());
    }

    fn ret(&mut self, block: Block) {
        let mut ops = Vec::new();
        let mut used = PRegSet::empty();
        for _ in 0..self.rng.range(0, 2) {
            let class = self.new_class();
            let Some(v) = self.pick(class) else { continue };
            let r = self.regs[class.index()].all[0];
            if self.rng.chance(60) && !used.contains(r) {
                used.insert(r);
                ops.push(Operand::fixed_use(v, r));
            } else {
                ops.push(Operand::any_use(v));
            }
        }
        self.b.ret(block, &ops);
    }

    /// A call: arguments in the first preferred registers, a result in the
    /// first, every preferred register clobbered.
    fn call(&mut self, block: Block) {
        let mut ops = Vec::new();
        for class in RegClass::ALL {
            let arg_regs = &self.regs[class.index()].caller_saved;
            if arg_regs.is_empty() || (class == RegClass::Float && !self.float_ok) {
                continue;
            }
            let n = self.rng.range(0, arg_regs.len().min(3));
            for i in 0..n {
                let r = self.regs[class.index()].caller_saved[i];
                if let Some(v) = self.pick(class) {
                    ops.push(Operand::fixed_use(v, r));
                }
            }
        }
        if self.rng.chance(30)
            && let Some(v) = self.pick(RegClass::Int)
            && !ops.iter().any(|o| o.vreg() == v)
        {
            ops.push(Operand::stack_use(v));
        }
        let mut clobbers = PRegSet::empty();
        for regs in &self.regs {
            for &r in &regs.caller_saved {
                clobbers.insert(r);
            }
        }
        let class = self.new_class();
        if let Some(&ret) = self.regs[class.index()].caller_saved.first() {
            let v = self.b.vreg(class);
            ops.push(Operand::fixed_def(v, ret));
            clobbers.remove(ret);
            self.avail[class.index()].push(v);
        }
        self.b.inst(block, &ops, clobbers);
    }

    fn op(&mut self, block: Block) {
        let cfg = self.config;
        let mut ops: Vec<Operand> = Vec::new();
        let mut budget = Budget::default();
        let limit: Vec<usize> = self.regs.iter().map(|r| r.all.len() - 1).collect();
        let fits = |b: &Budget, c: RegClass, more: usize| {
            let pinned = b.fixed_early.union(b.fixed_late);
            let pinned = pinned.iter().filter(|r| r.class() == c).count();
            b.values[c.index()] + more + pinned <= limit[c.index()]
        };

        for _ in 0..self.rng.range(0, cfg.max_uses) {
            let class = self.new_class();
            let Some(v) = self.pick(class) else { continue };
            let same: Vec<Operand> = ops.iter().copied().filter(|o| o.vreg() == v).collect();
            let on_stack = same.iter().any(|o| o.constraint() == Constraint::Stack);
            if on_stack && cfg.regalloc2_compatible {
                continue;
            }
            let elsewhere = !same.is_empty();
            let ci = class.index();
            let op = if self.rng.chance(cfg.fixed_percent) && !on_stack {
                let late = self.rng.chance(cfg.late_use_percent * 2);
                let r = *self.rng.pick(&self.regs[ci].all);
                let taken =
                    budget.fixed_early.contains(r) || (late && budget.fixed_late.contains(r));
                if taken || !fits(&budget, class, 1) {
                    Operand::any_use(v)
                } else {
                    budget.fixed_early.insert(r);
                    if late {
                        budget.fixed_late.insert(r);
                    }
                    let pos = if late {
                        OperandPos::Late
                    } else {
                        OperandPos::Early
                    };
                    Operand::new(v, Constraint::Fixed(r), OperandKind::Use, pos)
                }
            } else if self.rng.chance(cfg.stack_percent) && (!elsewhere || on_stack) {
                Operand::stack_use(v)
            } else if on_stack || self.rng.chance(25) {
                Operand::any_use(v)
            } else if self.rng.chance(cfg.late_use_percent) && fits(&budget, class, 1) {
                budget.values[ci] += 1;
                Operand::reg_use_late(v)
            } else if fits(&budget, class, 1) {
                budget.values[ci] += 1;
                Operand::reg_use(v)
            } else {
                Operand::any_use(v)
            };
            ops.push(op);
        }

        let n_uses = ops.len();
        let mut reused = vec![false; n_uses];
        let mut defs = Vec::new();
        for _ in 0..self.rng.range(0, cfg.max_defs) {
            let class = self.new_class();
            let ci = class.index();
            let v = self.b.vreg(class);
            let reusable = (0..n_uses).find(|&i| {
                let u = ops[i];
                !reused[i]
                    && u.class() == class
                    && u.constraint() == Constraint::Reg
                    && u.pos() == OperandPos::Early
                    && ops.iter().filter(|o| o.vreg() == u.vreg()).count() == 1
            });
            let compat_fixed = !(cfg.regalloc2_compatible && reused.contains(&true));
            let compat_reuse = !(cfg.regalloc2_compatible
                && defs
                    .iter()
                    .any(|d: &Operand| matches!(d.constraint(), Constraint::Fixed(_))));
            let op = if self.rng.chance(cfg.fixed_percent) && compat_fixed {
                let r = *self.rng.pick(&self.regs[ci].all);
                if budget.fixed_late.contains(r) || !fits(&budget, class, 1) {
                    Operand::any_def(v)
                } else {
                    budget.fixed_late.insert(r);
                    Operand::fixed_def(v, r)
                }
            } else if let Some(i) =
                reusable.filter(|_| compat_reuse && self.rng.chance(cfg.reuse_percent * 3))
            {
                if fits(&budget, class, 1) {
                    reused[i] = true;
                    budget.values[ci] += 1;
                    Operand::reuse_def(v, i as u16)
                } else {
                    Operand::any_def(v)
                }
            } else if self.rng.chance(cfg.stack_percent) {
                Operand::stack_def(v)
            } else if self.rng.chance(15) {
                Operand::any_def(v)
            } else if self.rng.chance(cfg.early_def_percent) && fits(&budget, class, 1) {
                budget.values[ci] += 1;
                Operand::reg_def_early(v)
            } else if fits(&budget, class, 1) {
                budget.values[ci] += 1;
                Operand::reg_def(v)
            } else {
                Operand::any_def(v)
            };
            defs.push(op);
        }

        let mut clobbers = PRegSet::empty();
        let compat_clobbers = !(cfg.regalloc2_compatible && reused.contains(&true));
        if compat_clobbers && self.rng.chance(cfg.clobber_percent) {
            for _ in 0..self.rng.range(1, 3) {
                let class = self.new_class();
                let r = *self.rng.pick(&self.regs[class.index()].all);
                if !budget.fixed_late.contains(r)
                    && (budget.fixed_early.contains(r) || fits(&budget, class, 1))
                {
                    budget.fixed_late.insert(r);
                    clobbers.insert(r);
                }
            }
        }

        // Defs become available only after the instruction.
        for d in &defs {
            self.avail[d.class().index()].push(d.vreg());
        }
        // Put defs first half of the time: operand order must not matter.
        if self.rng.chance(50) {
            let shift = defs.len();
            for d in &mut defs {
                if let Constraint::Reuse(i) = d.constraint() {
                    *d = Operand::reuse_def(d.vreg(), i + shift as u16);
                }
            }
            defs.extend(ops);
            ops = defs;
        } else {
            ops.extend(defs);
        }
        self.b.inst(block, &ops, clobbers);
    }
}

/// Random control flow: a fall-through chain with extra forward, backward
/// and exit edges. Block 0 is the entry and never a branch target.
fn random_cfg(rng: &mut Rng, config: &GenConfig) -> Vec<Vec<usize>> {
    let n = config.blocks.max(1);
    let mut succs: Vec<Vec<usize>> = Vec::with_capacity(n);
    let mut exits = 0;
    for b in 0..n - 1 {
        let mut s = vec![b + 1];
        let roll = rng.below(100) as u32;
        let extra = if roll < config.switch_percent {
            rng.range(2, 3)
        } else if roll < config.switch_percent + config.branch_percent {
            1
        } else {
            0
        };
        for _ in 0..extra {
            let t = if b >= 1 && rng.chance(config.back_edge_percent) {
                rng.range(1, b)
            } else if rng.chance(config.exit_percent) {
                exits += 1;
                n + exits - 1
            } else {
                rng.range(b + 1, n - 1)
            };
            if !s.contains(&t) {
                s.push(t);
            }
        }
        succs.push(s);
    }
    succs.resize(n + exits, Vec::new());
    succs
}

/// Structured nested loops: `h1 pre1.. h2 pre2.. … body … post2.. l2 post1.. l1 exit`,
/// where latch `lk` branches back to header `hk` or falls through.
fn loop_nest_cfg(config: &GenConfig, depth: usize) -> Vec<Vec<usize>> {
    let depth = depth.max(1);
    let per_level = (config.blocks / (2 * depth)).max(1);
    fn chain(succs: &mut Vec<Vec<usize>>) -> usize {
        let b = succs.len();
        succs[b - 1].push(b);
        succs.push(Vec::new());
        b
    }
    let mut succs: Vec<Vec<usize>> = vec![Vec::new()];
    let mut headers = Vec::new();
    for _ in 0..depth {
        headers.push(chain(&mut succs));
        for _ in 0..per_level {
            chain(&mut succs);
        }
    }
    for &h in headers.iter().rev() {
        for _ in 0..per_level {
            chain(&mut succs);
        }
        let latch = chain(&mut succs);
        succs[latch].push(h);
    }
    chain(&mut succs);
    succs
}

/// Inserts a block on every edge from a block with several successors to a
/// block with several predecessors, right after the source in the layout.
fn split_critical_edges(succs: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let n = succs.len();
    let mut pred_count = vec![0usize; n];
    for s in &succs {
        for &t in s {
            pred_count[t] += 1;
        }
    }
    // Final layout: each block followed by its edge blocks.
    let mut new_index = vec![0usize; n];
    let mut next = 0;
    let mut edge_blocks = vec![0usize; n];
    for b in 0..n {
        new_index[b] = next;
        next += 1;
        if succs[b].len() > 1 {
            let count = succs[b].iter().filter(|&&t| pred_count[t] > 1).count();
            edge_blocks[b] = count;
            next += count;
        }
    }
    let mut out = vec![Vec::new(); next];
    for b in 0..n {
        let mut edge = new_index[b] + 1;
        for &t in &succs[b] {
            if succs[b].len() > 1 && pred_count[t] > 1 {
                out[new_index[b]].push(edge);
                out[edge].push(new_index[t]);
                edge += 1;
            } else {
                out[new_index[b]].push(new_index[t]);
            }
        }
    }
    out
}

fn predecessors(succs: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut preds = vec![Vec::new(); succs.len()];
    for (b, s) in succs.iter().enumerate() {
        for &t in s {
            preds[t].push(b);
        }
    }
    preds
}

/// Immediate dominators (entry's is itself), by the iterative algorithm of
/// Cooper, Harvey and Kennedy over reverse postorder.
fn dominators(succs: &[Vec<usize>], preds: &[Vec<usize>]) -> Vec<usize> {
    let n = succs.len();
    let mut postorder = Vec::with_capacity(n);
    let mut visited = vec![false; n];
    let mut stack = vec![(0usize, 0usize)];
    visited[0] = true;
    while let Some(&mut (b, ref mut i)) = stack.last_mut() {
        if let Some(&s) = succs[b].get(*i) {
            *i += 1;
            if !visited[s] {
                visited[s] = true;
                stack.push((s, 0));
            }
        } else {
            postorder.push(b);
            stack.pop();
        }
    }
    let mut rpo_index = vec![usize::MAX; n];
    for (i, &b) in postorder.iter().rev().enumerate() {
        rpo_index[b] = i;
    }
    let mut idom = vec![usize::MAX; n];
    idom[0] = 0;
    let mut changed = true;
    while changed {
        changed = false;
        for &b in postorder.iter().rev().skip(1) {
            let mut new = usize::MAX;
            for &p in &preds[b] {
                if idom[p] == usize::MAX {
                    continue;
                }
                new = if new == usize::MAX {
                    p
                } else {
                    let (mut x, mut y) = (p, new);
                    while x != y {
                        while rpo_index[x] > rpo_index[y] {
                            x = idom[x];
                        }
                        while rpo_index[y] > rpo_index[x] {
                            y = idom[y];
                        }
                    }
                    x
                };
            }
            if idom[b] != new {
                idom[b] = new;
                changed = true;
            }
        }
    }
    idom
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_edges_are_split_after_their_source() {
        // 0 -> {1, 2}, 1 -> 2: edge 0->2 is critical.
        let out = split_critical_edges(vec![vec![1, 2], vec![2], vec![]]);
        assert_eq!(out, vec![vec![2, 1], vec![3], vec![3], vec![]]);
    }

    #[test]
    fn dominators_of_a_diamond_with_a_loop() {
        // 0 -> 1 -> {2, 3}, 2 -> 4, 3 -> 4, 4 -> {1, 5}
        let succs = vec![vec![1], vec![2, 3], vec![4], vec![4], vec![1, 5], vec![]];
        let preds = predecessors(&succs);
        assert_eq!(dominators(&succs, &preds), vec![0, 0, 1, 1, 1, 4]);
    }

    #[test]
    fn loop_nest_has_one_back_edge_per_level() {
        let config = GenConfig::loop_nest(3, 60);
        let succs = loop_nest_cfg(&config, 3);
        let back_edges = succs
            .iter()
            .enumerate()
            .flat_map(|(b, s)| s.iter().map(move |&t| (b, t)))
            .filter(|&(b, t)| t <= b)
            .count();
        assert_eq!(back_edges, 3);
    }
}
