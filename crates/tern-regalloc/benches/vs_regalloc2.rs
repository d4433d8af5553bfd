//! Side-by-side benchmark against regalloc2.
//!
//! `cargo bench -p tern-regalloc --bench vs_regalloc2` gives the same
//! generated functions to tern-regalloc and to regalloc2 (its Ion
//! backtracking allocator, 0.15) on the same machine description, and
//! prints, per case, each allocator's time (the best of several runs, each
//! allocating every function of the case with a reused context), the moves
//! it inserted (regalloc2's no-op moves not counted) and the spill slots it
//! used, with the ratios tern / regalloc2 (below 1: tern is faster or
//! inserts fewer). Every tern allocation is verified by the symbolic
//! checker before timing. Pass a case-name filter as the first argument.

use std::time::{Duration, Instant};
use tern_regalloc::testing::{self, CfgShape, GenConfig, Rng, TestFunction};
use tern_regalloc::{
    Allocator, Block, Constraint, Function, Inst, MachineEnv, OperandKind, OperandPos, Output,
    PReg, PRegSet, RegClass, VReg, checker,
};

/// A [`TestFunction`] seen through regalloc2's `Function` trait.
struct Ra2Function<'a> {
    func: &'a TestFunction,
    operands: Vec<Vec<regalloc2::Operand>>,
    succs: Vec<Vec<regalloc2::Block>>,
    preds: Vec<Vec<regalloc2::Block>>,
    params: Vec<Vec<regalloc2::VReg>>,
    args: Vec<Vec<Vec<regalloc2::VReg>>>,
    clobbers: Vec<regalloc2::PRegSet>,
}

fn class(c: RegClass) -> regalloc2::RegClass {
    match c {
        RegClass::Int => regalloc2::RegClass::Int,
        RegClass::Float => regalloc2::RegClass::Float,
    }
}

fn preg(r: PReg) -> regalloc2::PReg {
    regalloc2::PReg::new(r.hw_index(), class(r.class()))
}

fn vreg(v: VReg) -> regalloc2::VReg {
    regalloc2::VReg::new(v.index(), class(v.class()))
}

fn preg_set(set: PRegSet) -> regalloc2::PRegSet {
    let mut out = regalloc2::PRegSet::empty();
    for r in set {
        out.add(preg(r));
    }
    out
}

impl<'a> Ra2Function<'a> {
    fn new(func: &'a TestFunction) -> Self {
        let operands = func
            .insts
            .iter()
            .map(|inst| {
                inst.operands
                    .iter()
                    .map(|op| {
                        let constraint = match op.constraint() {
                            Constraint::Any => regalloc2::OperandConstraint::Any,
                            Constraint::Reg => regalloc2::OperandConstraint::Reg,
                            Constraint::Stack => regalloc2::OperandConstraint::Stack,
                            Constraint::Fixed(r) => regalloc2::OperandConstraint::FixedReg(preg(r)),
                            Constraint::Reuse(i) => regalloc2::OperandConstraint::Reuse(i as usize),
                        };
                        let kind = match op.kind() {
                            OperandKind::Use => regalloc2::OperandKind::Use,
                            OperandKind::Def => regalloc2::OperandKind::Def,
                        };
                        let pos = match op.pos() {
                            OperandPos::Early => regalloc2::OperandPos::Early,
                            OperandPos::Late => regalloc2::OperandPos::Late,
                        };
                        regalloc2::Operand::new(vreg(op.vreg()), constraint, kind, pos)
                    })
                    .collect()
            })
            .collect();
        let blocks = |list: &[Block]| {
            list.iter()
                .map(|b| regalloc2::Block::new(b.index()))
                .collect()
        };
        Ra2Function {
            func,
            operands,
            succs: func.blocks.iter().map(|b| blocks(&b.succs)).collect(),
            preds: func.blocks.iter().map(|b| blocks(&b.preds)).collect(),
            params: func
                .blocks
                .iter()
                .map(|b| b.params.iter().map(|&v| vreg(v)).collect())
                .collect(),
            args: func
                .blocks
                .iter()
                .map(|b| {
                    b.branch_args
                        .iter()
                        .map(|a| a.iter().map(|&v| vreg(v)).collect())
                        .collect()
                })
                .collect(),
            clobbers: func.insts.iter().map(|i| preg_set(i.clobbers)).collect(),
        }
    }
}

impl regalloc2::Function for Ra2Function<'_> {
    fn num_insts(&self) -> usize {
        self.func.num_insts()
    }
    fn num_blocks(&self) -> usize {
        self.func.num_blocks()
    }
    fn entry_block(&self) -> regalloc2::Block {
        regalloc2::Block::new(0)
    }
    fn block_insns(&self, block: regalloc2::Block) -> regalloc2::InstRange {
        let r = self.func.block_insts(Block::new(block.index()));
        regalloc2::InstRange::new(
            regalloc2::Inst::new(r.start.index()),
            regalloc2::Inst::new(r.end.index()),
        )
    }
    fn block_succs(&self, block: regalloc2::Block) -> &[regalloc2::Block] {
        &self.succs[block.index()]
    }
    fn block_preds(&self, block: regalloc2::Block) -> &[regalloc2::Block] {
        &self.preds[block.index()]
    }
    fn block_params(&self, block: regalloc2::Block) -> &[regalloc2::VReg] {
        &self.params[block.index()]
    }
    fn is_ret(&self, inst: regalloc2::Inst) -> bool {
        self.func.is_ret(Inst::new(inst.index()))
    }
    fn is_branch(&self, inst: regalloc2::Inst) -> bool {
        self.func.is_branch(Inst::new(inst.index()))
    }
    fn branch_blockparams(
        &self,
        block: regalloc2::Block,
        _inst: regalloc2::Inst,
        succ: usize,
    ) -> &[regalloc2::VReg] {
        &self.args[block.index()][succ]
    }
    fn inst_operands(&self, inst: regalloc2::Inst) -> &[regalloc2::Operand] {
        &self.operands[inst.index()]
    }
    fn inst_clobbers(&self, inst: regalloc2::Inst) -> regalloc2::PRegSet {
        self.clobbers[inst.index()]
    }
    fn num_vregs(&self) -> usize {
        self.func.num_vregs()
    }
    fn spillslot_size(&self, _: regalloc2::RegClass) -> usize {
        1
    }
}

fn ra2_env(env: &MachineEnv) -> regalloc2::MachineEnv {
    let set = |regs: &[PReg]| preg_set(PRegSet::from_regs(regs.iter().copied()));
    let mut out = regalloc2::MachineEnv {
        preferred_regs_by_class: Default::default(),
        non_preferred_regs_by_class: Default::default(),
        scratch_by_class: [None; 3],
        fixed_stack_slots: Vec::new(),
    };
    for c in RegClass::ALL {
        let e = env.class(c);
        out.preferred_regs_by_class[c.index()] = set(&e.preferred);
        out.non_preferred_regs_by_class[c.index()] = set(&e.non_preferred);
        out.scratch_by_class[c.index()] = e.scratch.map(preg);
    }
    out
}

/// One benchmark case: functions and the machine they run on.
struct Case {
    name: String,
    env: MachineEnv,
    funcs: Vec<TestFunction>,
}

fn generated(name: &str, env: MachineEnv, config: GenConfig, count: u64, seed: u64) -> Case {
    let config = GenConfig {
        regalloc2_compatible: true,
        ..config
    };
    let funcs = (0..count)
        .map(|i| testing::generate(&mut Rng::new(seed + i), &config, &env))
        .collect();
    Case {
        name: name.to_string(),
        env,
        funcs,
    }
}

fn cases() -> Vec<Case> {
    let x64 = testing::x64_like_env;
    vec![
        generated("small x1000", x64(), GenConfig::small(), 1000, 1),
        generated(
            "medium (1k insts) x50",
            x64(),
            GenConfig::sized(1_000),
            50,
            2,
        ),
        generated(
            "large (10k insts) x3",
            x64(),
            GenConfig::sized(10_000),
            3,
            3,
        ),
        generated("huge (50k insts)", x64(), GenConfig::sized(50_000), 1, 4),
        generated(
            "loop nest depth 8 (10k insts) x3",
            x64(),
            GenConfig::loop_nest(8, 10_000),
            3,
            5,
        ),
        generated(
            "many block params (10k insts) x3",
            x64(),
            GenConfig {
                max_params: 16,
                branch_percent: 60,
                back_edge_percent: 50,
                ..GenConfig::sized(10_000)
            },
            3,
            6,
        ),
        generated(
            "call-heavy (10k insts) x3",
            x64(),
            GenConfig {
                call_percent: 30,
                ..GenConfig::sized(10_000)
            },
            3,
            7,
        ),
        generated(
            "high pressure, 6 regs (10k insts) x3",
            testing::small_env(4, 2, true),
            GenConfig {
                recent_use_percent: 30,
                shape: CfgShape::LoopNest { depth: 4 },
                ..GenConfig::sized(10_000)
            },
            3,
            8,
        ),
        Case {
            name: "pathological N=10000".into(),
            env: x64(),
            funcs: vec![testing::pathological(10_000, &x64())],
        },
    ]
}

/// The fastest of `runs` timings of `f`.
fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

fn main() {
    let filter = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    let runs = 7;
    println!(
        "{:<38} {:>8} {:>10} {:>10} {:>6} {:>8} {:>8} {:>6} {:>6} {:>6} {:>6}",
        "case",
        "insts",
        "tern ms",
        "ra2 ms",
        "time",
        "tern mv",
        "ra2 mv",
        "moves",
        "tern s",
        "ra2 s",
        "slots"
    );
    let (mut total_tern, mut total_ra2) = (Duration::ZERO, Duration::ZERO);
    let (mut total_tern_moves, mut total_ra2_moves) = (0usize, 0usize);
    for case in cases() {
        if filter
            .as_ref()
            .is_some_and(|f| !case.name.contains(f.as_str()))
        {
            continue;
        }
        let insts: usize = case.funcs.iter().map(|f| f.insts.len()).sum();
        let adapted: Vec<Ra2Function> = case.funcs.iter().map(Ra2Function::new).collect();
        let ra2_env = ra2_env(&case.env);

        // Quality, and correctness of tern's output.
        let mut allocator = Allocator::new();
        let mut output = Output::new();
        let (mut tern_moves, mut tern_slots) = (0, 0);
        for f in &case.funcs {
            allocator
                .allocate(f, &case.env, &mut output)
                .unwrap_or_else(|e| panic!("{}: tern failed: {e}", case.name));
            checker::check(f, &case.env, &output)
                .unwrap_or_else(|e| panic!("{}: checker: {e}", case.name));
            tern_moves += output.edits().len();
            tern_slots += output.num_spill_slots();
        }
        let options = regalloc2::RegallocOptions::default();
        let mut ctx = regalloc2::Ctx::default();
        let (mut ra2_moves, mut ra2_slots) = (0, 0);
        for f in &adapted {
            let out = regalloc2::run_with_ctx(f, &ra2_env, &options, &mut ctx)
                .unwrap_or_else(|e| panic!("{}: regalloc2 failed: {e:?}", case.name));
            ra2_moves += out
                .edits
                .iter()
                .filter(|(_, regalloc2::Edit::Move { from, to })| from != to)
                .count();
            ra2_slots += out.num_spillslots;
        }

        // Time, interleaved so that load on the machine hits both alike.
        let (mut tern_time, mut ra2_time) = (Duration::MAX, Duration::MAX);
        for _ in 0..runs {
            tern_time = tern_time.min(best_of(1, || {
                for f in &case.funcs {
                    allocator.allocate(f, &case.env, &mut output).unwrap();
                }
            }));
            ra2_time = ra2_time.min(best_of(1, || {
                for f in &adapted {
                    regalloc2::run_with_ctx(f, &ra2_env, &options, &mut ctx).unwrap();
                }
            }));
        }
        total_tern += tern_time;
        total_ra2 += ra2_time;
        total_tern_moves += tern_moves;
        total_ra2_moves += ra2_moves;
        let ratio = |a: f64, b: f64| if b == 0.0 { f64::NAN } else { a / b };
        println!(
            "{:<38} {:>8} {:>10.3} {:>10.3} {:>6.2} {:>8} {:>8} {:>6.2} {:>6} {:>6} {:>6.2}",
            case.name,
            insts,
            tern_time.as_secs_f64() * 1e3,
            ra2_time.as_secs_f64() * 1e3,
            ratio(tern_time.as_secs_f64(), ra2_time.as_secs_f64()),
            tern_moves,
            ra2_moves,
            ratio(tern_moves as f64, ra2_moves as f64),
            tern_slots,
            ra2_slots,
            ratio(tern_slots as f64, ra2_slots as f64),
        );
    }
    println!(
        "total: time {:.3} ms vs {:.3} ms (ratio {:.2}); moves {} vs {} (ratio {:.2})",
        total_tern.as_secs_f64() * 1e3,
        total_ra2.as_secs_f64() * 1e3,
        total_tern.as_secs_f64() / total_ra2.as_secs_f64(),
        total_tern_moves,
        total_ra2_moves,
        total_tern_moves as f64 / total_ra2_moves as f64
    );
}
