//! Invalid input is rejected with a typed error naming the place, never a
//! panic.

use tern_regalloc::testing::{self, FunctionBuilder, GenConfig, InstKind, Rng, TestFunction};
use tern_regalloc::{
    Block, Constraint, Error, Inst, InstRange, MachineEnv, Operand, OperandKind, OperandPos, PReg,
    PRegSet, RegClass, VReg, allocate, checker,
};

fn r(i: usize) -> PReg {
    PReg::new(RegClass::Int, i)
}

fn env() -> MachineEnv {
    testing::small_env(3, 1, true)
}

/// block0: v0 = def; branch on v0 to block1 / block2; both return v0.
fn diamond() -> TestFunction {
    let mut b = FunctionBuilder::new();
    let (b0, b1, b2) = (b.block(), b.block(), b.block());
    let v0 = b.vreg(RegClass::Int);
    b.inst(b0, &[Operand::reg_def(v0)], PRegSet::empty());
    b.branch(b0, &[Operand::reg_use(v0)], &[(b1, &[]), (b2, &[])]);
    b.ret(b1, &[Operand::reg_use(v0)]);
    b.ret(b2, &[Operand::reg_use(v0)]);
    b.finish()
}

#[test]
fn valid_diamond_allocates() {
    let f = diamond();
    let out = allocate(&f, &env()).unwrap();
    checker::check(&f, &env(), &out).unwrap();
}

#[test]
fn empty_function() {
    assert_eq!(
        allocate(&TestFunction::default(), &env()).err(),
        Some(Error::NoBlocks)
    );
}

#[test]
fn bad_layout_and_terminators() {
    let mut f = diamond();
    f.blocks[1].insts = InstRange::new(Inst::new(3), Inst::new(3));
    assert_eq!(
        allocate(&f, &env()).err(),
        Some(Error::BadBlockLayout {
            block: Block::new(1)
        })
    );

    let mut f = diamond();
    f.insts[0].kind = InstKind::Ret;
    assert_eq!(
        allocate(&f, &env()).err(),
        Some(Error::MisplacedTerminator { inst: Inst::new(0) })
    );

    let mut f = diamond();
    f.insts[2].kind = InstKind::Op;
    assert_eq!(
        allocate(&f, &env()).err(),
        Some(Error::MissingTerminator {
            block: Block::new(1)
        })
    );
}

#[test]
fn inconsistent_edges() {
    let mut f = diamond();
    f.blocks[0].succs[1] = Block::new(9);
    assert_eq!(
        allocate(&f, &env()).err(),
        Some(Error::BadEdges {
            block: Block::new(0)
        })
    );

    let mut f = diamond();
    f.blocks[2].preds.clear();
    assert_eq!(
        allocate(&f, &env()).err(),
        Some(Error::BadEdges {
            block: Block::new(2)
        })
    );
}

#[test]
fn critical_edge() {
    // block0 branches to block1 and block2; block1 jumps to block2.
    let mut b = FunctionBuilder::new();
    let (b0, b1, b2) = (b.block(), b.block(), b.block());
    let v = b.vreg(RegClass::Int);
    b.inst(b0, &[Operand::reg_def(v)], PRegSet::empty());
    b.branch(b0, &[Operand::reg_use(v)], &[(b1, &[]), (b2, &[])]);
    b.jump(b1, b2, &[]);
    b.ret(b2, &[]);
    assert_eq!(
        allocate(&b.finish(), &env()).err(),
        Some(Error::CriticalEdge { from: b0, to: b2 })
    );
}

#[test]
fn entry_block_and_unreachable_blocks() {
    let mut b = FunctionBuilder::new();
    let (b0, b1) = (b.block(), b.block());
    let p = b.vreg(RegClass::Int);
    b.param(b0, p);
    b.jump(b0, b1, &[]);
    b.ret(b1, &[]);
    assert_eq!(
        allocate(&b.finish(), &env()).err(),
        Some(Error::BadEntryBlock { block: b0 })
    );

    let mut b = FunctionBuilder::new();
    let (b0, b1, b2) = (b.block(), b.block(), b.block());
    b.ret(b0, &[]);
    b.jump(b1, b2, &[]);
    b.ret(b2, &[]);
    assert_eq!(
        allocate(&b.finish(), &env()).err(),
        Some(Error::UnreachableBlock { block: b1 })
    );
}

#[test]
fn branch_arguments_must_match_parameters() {
    let mut b = FunctionBuilder::new();
    let (b0, b1) = (b.block(), b.block());
    let v = b.vreg(RegClass::Int);
    let p = b.vreg(RegClass::Float);
    b.param(b1, p);
    b.inst(b0, &[Operand::reg_def(v)], PRegSet::empty());
    b.jump(b0, b1, &[v]);
    b.ret(b1, &[]);
    assert_eq!(
        allocate(&b.finish(), &env()).err(),
        Some(Error::BranchArgsMismatch {
            block: b0,
            succ_index: 0
        })
    );
}

#[test]
fn terminator_before_edge_moves_has_no_operands() {
    let mut b = FunctionBuilder::new();
    let (b0, b1, b2, b3) = (b.block(), b.block(), b.block(), b.block());
    let v = b.vreg(RegClass::Int);
    b.inst(b0, &[Operand::reg_def(v)], PRegSet::empty());
    b.branch(b0, &[Operand::reg_use(v)], &[(b1, &[]), (b2, &[])]);
    b.jump(b1, b3, &[]);
    b.branch(b2, &[], &[(b3, &[])]);
    b.ret(b3, &[]);
    let mut f = b.finish();
    f.insts[3].clobbers = PRegSet::empty().with(r(0));
    assert_eq!(
        allocate(&f, &env()).err(),
        Some(Error::TerminatorBeforeEdgeMoves { inst: Inst::new(3) })
    );
}

#[test]
fn ssa_violations() {
    // Defined twice.
    let mut f = diamond();
    f.insts[2].operands = vec![Operand::reg_def(VReg::new(0, RegClass::Int))];
    f.insts[2].kind = InstKind::Ret;
    assert_eq!(
        allocate(&f, &env()).err(),
        Some(Error::DefOnTerminator { inst: Inst::new(2) })
    );

    let mut b = FunctionBuilder::new();
    let blk = b.block();
    let v = b.vreg(RegClass::Int);
    b.inst(blk, &[Operand::reg_def(v)], PRegSet::empty());
    b.inst(blk, &[Operand::reg_def(v)], PRegSet::empty());
    b.ret(blk, &[]);
    assert_eq!(
        allocate(&b.finish(), &env()).err(),
        Some(Error::MultipleDefs { vreg: v })
    );

    // Used before its definition, and never defined.
    let mut b = FunctionBuilder::new();
    let blk = b.block();
    let (v, w) = (b.vreg(RegClass::Int), b.vreg(RegClass::Int));
    b.inst(blk, &[Operand::reg_use(v)], PRegSet::empty());
    b.inst(blk, &[Operand::reg_def(v)], PRegSet::empty());
    b.ret(blk, &[Operand::reg_use(w)]);
    assert_eq!(
        allocate(&b.finish(), &env()).err(),
        Some(Error::UseNotDominated { vreg: v })
    );

    // Out of range, and used with two classes.
    let mut f = diamond();
    f.insts[2].operands = vec![Operand::reg_use(VReg::new(7, RegClass::Int))];
    assert_eq!(
        allocate(&f, &env()).err(),
        Some(Error::VRegOutOfRange {
            vreg: VReg::new(7, RegClass::Int)
        })
    );
    let mut f = diamond();
    f.insts[2].operands = vec![Operand::reg_use(VReg::new(0, RegClass::Float))];
    assert_eq!(
        allocate(&f, &env()).err(),
        Some(Error::ClassMismatch {
            inst: Inst::new(2),
            vreg: VReg::new(0, RegClass::Float)
        })
    );
}

#[test]
fn operand_constraint_violations() {
    let mut b = FunctionBuilder::new();
    let blk = b.block();
    let (v, w) = (b.vreg(RegClass::Int), b.vreg(RegClass::Int));
    b.inst(blk, &[Operand::reg_def(v)], PRegSet::empty());
    b.inst(
        blk,
        &[Operand::reg_use(v), Operand::reuse_def(w, 5)],
        PRegSet::empty(),
    );
    b.ret(blk, &[]);
    assert_eq!(
        allocate(&b.finish(), &env()).err(),
        Some(Error::InvalidReuse {
            inst: Inst::new(1),
            operand: 1
        })
    );

    // A fixed register of the wrong class.
    let mut b = FunctionBuilder::new();
    let blk = b.block();
    let v = b.vreg(RegClass::Int);
    b.inst(
        blk,
        &[Operand::fixed_def(v, PReg::new(RegClass::Float, 0))],
        PRegSet::empty(),
    );
    b.ret(blk, &[]);
    assert_eq!(
        allocate(&b.finish(), &env()).err(),
        Some(Error::ClassMismatch {
            inst: Inst::new(0),
            vreg: v
        })
    );

    // A late use in a register the instruction clobbers, and a fixed
    // constraint on the scratch register.
    let mut b = FunctionBuilder::new();
    let blk = b.block();
    let v = b.vreg(RegClass::Int);
    b.inst(blk, &[Operand::reg_def(v)], PRegSet::empty());
    let late_fixed = Operand::new(
        v,
        Constraint::Fixed(r(1)),
        OperandKind::Use,
        OperandPos::Late,
    );
    b.inst(blk, &[late_fixed], PRegSet::empty().with(r(1)));
    b.ret(blk, &[Operand::fixed_use(v, r(4))]);
    let f = b.finish();
    assert_eq!(
        allocate(&f, &env()).err(),
        Some(Error::FixedRegConflict {
            inst: Inst::new(1),
            preg: r(1)
        })
    );
    let mut g = f.clone();
    g.insts[1].clobbers = PRegSet::empty();
    assert_eq!(
        allocate(&g, &env()).err(),
        Some(Error::FixedRegConflict {
            inst: Inst::new(2),
            preg: r(4)
        })
    );
}

#[test]
fn more_fixed_registers_live_than_exist() {
    // Four values needed in registers at once on a machine with three
    // allocatable integer registers (plus scratch).
    let mut b = FunctionBuilder::new();
    let blk = b.block();
    let vs: Vec<VReg> = (0..4).map(|_| b.vreg(RegClass::Int)).collect();
    let defs: Vec<Operand> = vs.iter().map(|&v| Operand::any_def(v)).collect();
    b.inst(blk, &defs, PRegSet::empty());
    let uses: Vec<Operand> = vs.iter().map(|&v| Operand::reg_use(v)).collect();
    b.inst(blk, &uses, PRegSet::empty());
    b.ret(blk, &[]);
    let env = testing::small_env(2, 1, true);
    assert_eq!(
        allocate(&b.finish(), &env).err(),
        Some(Error::TooManyLiveRegs {
            inst: Inst::new(1),
            class: RegClass::Int
        })
    );
}

#[test]
fn invalid_machine_description() {
    let mut env = env();
    env.classes[0].non_preferred.push(r(0));
    assert_eq!(
        allocate(&diamond(), &env).err(),
        Some(Error::InvalidMachineEnv { preg: r(0) })
    );
}

/// Random damage to valid functions: each result is either a typed error
/// or a correct allocation.
#[test]
fn mutated_functions_never_panic() {
    let env = testing::small_env(3, 1, true);
    let mut rng = Rng::new(0xbad);
    let mut errors = 0;
    let count: u64 = std::env::var("TERN_REGALLOC_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1500);
    for i in 0..count {
        let mut f = testing::generate(&mut Rng::new(i), &GenConfig::small(), &env);
        mutate(&mut rng, &mut f);
        match allocate(&f, &env) {
            Ok(out) => checker::check(&f, &env, &out)
                .unwrap_or_else(|e| panic!("seed {i}: accepted but wrong: {e}\n{f}")),
            Err(_) => errors += 1,
        }
    }
    assert!(
        errors > count / 3,
        "most mutations make the function invalid ({errors})"
    );
}

fn mutate(rng: &mut Rng, f: &mut TestFunction) {
    let n_insts = f.insts.len();
    let n_blocks = f.blocks.len();
    let inst = rng.below(n_insts);
    let block = rng.below(n_blocks);
    let vreg = VReg::new(rng.below(f.num_vregs + 2), RegClass::ALL[rng.below(2)]);
    match rng.below(10) {
        0 => f.insts[inst].operands.push(Operand::reg_use(vreg)),
        1 => f.insts[inst].operands.push(Operand::reg_def(vreg)),
        2 => f.insts[inst]
            .operands
            .push(Operand::fixed_use(vreg, r(rng.below(5)))),
        3 => f.insts[inst].kind = [InstKind::Op, InstKind::Branch, InstKind::Ret][rng.below(3)],
        4 => {
            let t = Block::new(rng.below(n_blocks + 1));
            f.blocks[block].succs.push(t);
            f.blocks[block].branch_args.push(Vec::new());
        }
        5 => f.blocks[block].params.push(vreg),
        6 => {
            if let Some(args) = f.blocks[block].branch_args.first_mut() {
                args.push(vreg);
            }
        }
        7 => f.insts[inst].clobbers.insert(r(rng.below(5))),
        8 => {
            if !f.insts[inst].operands.is_empty() {
                let k = rng.below(f.insts[inst].operands.len());
                let op = f.insts[inst].operands[k];
                let reuse = Constraint::Reuse(rng.below(4) as u16);
                f.insts[inst].operands[k] = Operand::new(op.vreg(), reuse, op.kind(), op.pos());
            }
        }
        _ => f.num_vregs = f.num_vregs.saturating_sub(1),
    }
}
