//! Hand-written functions whose good allocation is known: each test checks
//! the allocation with the checker and then asserts what a good allocator
//! does (how many moves, where, which registers).

use tern_regalloc::testing::{self, FunctionBuilder, GenConfig, Rng, TestFunction};
use tern_regalloc::{
    Allocation, Allocator, Block, Inst, MachineEnv, Operand, Output, PReg, PRegSet, RegClass,
    allocate, checker,
};

fn r(i: usize) -> PReg {
    PReg::new(RegClass::Int, i)
}

fn run(f: &TestFunction, env: &MachineEnv) -> Output {
    let out = allocate(f, env).unwrap_or_else(|e| panic!("allocation failed: {e}\n{f}"));
    checker::check(f, env, &out).unwrap_or_else(|e| panic!("checker: {e}\n{f}"));
    out
}

/// The moves placed before instructions `insts`.
fn moves_in(out: &Output, insts: core::ops::Range<usize>) -> usize {
    out.edits()
        .iter()
        .filter(|(i, _)| insts.contains(&i.index()))
        .count()
}

#[test]
fn two_address_def_takes_over_a_dying_input() {
    // x = def; y = def; z = x + y (z reuses x, which dies); ret z
    let mut b = FunctionBuilder::new();
    let blk = b.block();
    let (x, y, z) = (
        b.vreg(RegClass::Int),
        b.vreg(RegClass::Int),
        b.vreg(RegClass::Int),
    );
    b.inst(
        blk,
        &[Operand::reg_def(x), Operand::reg_def(y)],
        PRegSet::empty(),
    );
    b.inst(
        blk,
        &[
            Operand::reg_use(x),
            Operand::reg_use(y),
            Operand::reuse_def(z, 0),
        ],
        PRegSet::empty(),
    );
    b.ret(blk, &[Operand::reg_use(z)]);
    let out = run(&b.finish(), &testing::x64_like_env());
    assert_eq!(out.edits().len(), 0, "{:?}", out.edits());
}

#[test]
fn two_address_def_copies_an_input_that_lives_on() {
    // z = x + y with x used again afterwards: exactly one copy of x.
    let mut b = FunctionBuilder::new();
    let blk = b.block();
    let (x, y, z) = (
        b.vreg(RegClass::Int),
        b.vreg(RegClass::Int),
        b.vreg(RegClass::Int),
    );
    b.inst(
        blk,
        &[Operand::reg_def(x), Operand::reg_def(y)],
        PRegSet::empty(),
    );
    b.inst(
        blk,
        &[
            Operand::reg_use(x),
            Operand::reg_use(y),
            Operand::reuse_def(z, 0),
        ],
        PRegSet::empty(),
    );
    b.ret(blk, &[Operand::reg_use(z), Operand::reg_use(x)]);
    let out = run(&b.finish(), &testing::x64_like_env());
    assert_eq!(out.edits().len(), 1, "{:?}", out.edits());
    assert_eq!(out.edits()[0].0, Inst::new(1));
}

#[test]
fn reuse_of_an_any_input() {
    let mut b = FunctionBuilder::new();
    let blk = b.block();
    let (x, z) = (b.vreg(RegClass::Int), b.vreg(RegClass::Int));
    b.inst(blk, &[Operand::stack_def(x)], PRegSet::empty());
    b.inst(
        blk,
        &[Operand::any_use(x), Operand::reuse_def(z, 0)],
        PRegSet::empty(),
    );
    b.ret(blk, &[Operand::reg_use(z), Operand::any_use(x)]);
    let f = b.finish();
    let out = run(&f, &testing::small_env(2, 0, false));
    let allocs = out.inst_allocs(Inst::new(1));
    assert!(allocs[1].is_reg() && allocs[0] == allocs[1]);
}

#[test]
fn value_live_across_calls_stays_in_a_callee_saved_register() {
    // The pathological shape with 50 calls: one copy into the argument
    // register per call, no spill, no slot.
    let env = testing::x64_like_env();
    let f = testing::pathological(50, &env);
    let out = run(&f, &env);
    assert_eq!(out.edits().len(), 51);
    assert_eq!(out.num_spill_slots(), 0);
    let home = out.edits()[0].1.from;
    assert!(
        env.class(RegClass::Int)
            .non_preferred
            .iter()
            .any(|&r| home == Allocation::Reg(r)),
        "value lives in {home}"
    );
}

#[test]
fn one_value_in_two_fixed_registers_at_once() {
    // call(x, x): x is copied into both argument registers.
    let mut b = FunctionBuilder::new();
    let blk = b.block();
    let (x, ret) = (b.vreg(RegClass::Int), b.vreg(RegClass::Int));
    b.inst(blk, &[Operand::reg_def(x)], PRegSet::empty());
    b.inst(
        blk,
        &[
            Operand::fixed_use(x, r(6)),
            Operand::fixed_use(x, r(7)),
            Operand::fixed_def(ret, r(0)),
        ],
        PRegSet::from_regs([r(1), r(2), r(6), r(7)]),
    );
    b.ret(blk, &[Operand::fixed_use(ret, r(0))]);
    let out = run(&b.finish(), &testing::x64_like_env());
    assert_eq!(
        out.inst_allocs(Inst::new(1))[..2],
        [Allocation::Reg(r(6)), Allocation::Reg(r(7))]
    );
    assert!(
        moves_in(&out, 1..2) <= 1,
        "x defined in one of them: {:?}",
        out.edits()
    );
}

#[test]
fn stack_and_any_uses_of_one_value_in_one_instruction() {
    let mut b = FunctionBuilder::new();
    let blk = b.block();
    let x = b.vreg(RegClass::Int);
    b.inst(blk, &[Operand::reg_def(x)], PRegSet::empty());
    b.inst(
        blk,
        &[Operand::stack_use(x), Operand::any_use(x)],
        PRegSet::empty(),
    );
    b.ret(blk, &[Operand::reg_use(x)]);
    let out = run(&b.finish(), &testing::x64_like_env());
    assert!(out.inst_allocs(Inst::new(1))[0].is_stack());
}

/// block0: i0 = def; jump block1(i0)
/// block1(i): i' = i + 1 (reuse); c = cmp; br c, block2, block3
/// block2: jump block1(i')   block3: ret i'
fn counting_loop() -> TestFunction {
    let mut b = FunctionBuilder::new();
    let (b0, b1, b2, b3) = (b.block(), b.block(), b.block(), b.block());
    let i0 = b.vreg(RegClass::Int);
    let i = b.vreg(RegClass::Int);
    let next = b.vreg(RegClass::Int);
    let c = b.vreg(RegClass::Int);
    b.param(b1, i);
    b.inst(b0, &[Operand::reg_def(i0)], PRegSet::empty());
    b.jump(b0, b1, &[i0]);
    b.inst(
        b1,
        &[Operand::reg_use(i), Operand::reuse_def(next, 0)],
        PRegSet::empty(),
    );
    b.inst(
        b1,
        &[Operand::reg_use(next), Operand::reg_def(c)],
        PRegSet::empty(),
    );
    b.branch(b1, &[Operand::reg_use(c)], &[(b2, &[]), (b3, &[])]);
    b.jump(b2, b1, &[next]);
    b.ret(b3, &[Operand::fixed_use(next, r(0))]);
    b.finish()
}

#[test]
fn loop_carried_value_needs_no_moves_in_the_loop() {
    let f = counting_loop();
    let out = run(&f, &testing::x64_like_env());
    let loop_insts = f.blocks[1].insts.start.index()..f.blocks[2].insts.end.index();
    assert_eq!(moves_in(&out, loop_insts), 0, "{:?}", out.edits());
}

#[test]
fn swapped_block_arguments_are_resolved_as_a_cycle() {
    // block1(a, b): use a, b; jump block1(b, a)
    let mut bld = FunctionBuilder::new();
    let (b0, b1, b2, b3) = (bld.block(), bld.block(), bld.block(), bld.block());
    let (x, y) = (bld.vreg(RegClass::Int), bld.vreg(RegClass::Int));
    let (a, b) = (bld.vreg(RegClass::Int), bld.vreg(RegClass::Int));
    bld.param(b1, a);
    bld.param(b1, b);
    bld.inst(
        b0,
        &[Operand::reg_def(x), Operand::reg_def(y)],
        PRegSet::empty(),
    );
    bld.jump(b0, b1, &[x, y]);
    bld.branch(
        b1,
        &[Operand::reg_use(a), Operand::reg_use(b)],
        &[(b2, &[]), (b3, &[])],
    );
    bld.jump(b2, b1, &[b, a]);
    bld.ret(b3, &[]);
    let f = bld.finish();
    for env in [testing::x64_like_env(), testing::small_env(2, 0, false)] {
        let out = run(&f, &env);
        let swap = f.blocks[2].insts.start.index();
        assert_eq!(moves_in(&out, swap..swap + 1), 3, "{:?}", out.edits());
    }
}

#[test]
fn spills_outside_a_hot_loop_rather_than_inside() {
    // Two registers. `cold` lives across a loop that needs both registers
    // but is only used after it: it must be spilled around the loop, with
    // no memory traffic inside.
    let mut b = FunctionBuilder::new();
    let (b0, b1, b2, b3) = (b.block(), b.block(), b.block(), b.block());
    let cold = b.vreg(RegClass::Int);
    let i0 = b.vreg(RegClass::Int);
    let i = b.vreg(RegClass::Int);
    let t = b.vreg(RegClass::Int);
    let next = b.vreg(RegClass::Int);
    b.param(b1, i);
    b.inst(
        b0,
        &[Operand::reg_def(cold), Operand::reg_def(i0)],
        PRegSet::empty(),
    );
    b.jump(b0, b1, &[i0]);
    b.inst(
        b1,
        &[Operand::reg_use(i), Operand::reg_def(t)],
        PRegSet::empty(),
    );
    b.inst(
        b1,
        &[
            Operand::reg_use(i),
            Operand::reg_use(t),
            Operand::reuse_def(next, 0),
        ],
        PRegSet::empty(),
    );
    b.branch(b1, &[Operand::reg_use(next)], &[(b2, &[]), (b3, &[])]);
    b.jump(b2, b1, &[next]);
    b.ret(b3, &[Operand::reg_use(cold), Operand::reg_use(next)]);
    let f = b.finish();
    let out = run(&f, &testing::small_env(2, 0, false));
    let loop_insts = f.blocks[1].insts.start.index()..f.blocks[2].insts.end.index();
    assert_eq!(moves_in(&out, loop_insts), 0, "{:?}", out.edits());
    assert_eq!(out.num_spill_slots(), 1);
}

#[test]
fn reused_context_gives_identical_results() {
    let env = testing::x64_like_env();
    let funcs: Vec<TestFunction> = (0..20)
        .map(|i| testing::generate(&mut Rng::new(i), &GenConfig::sized(300), &env))
        .collect();
    let mut allocator = Allocator::new();
    let mut out = Output::new();
    for f in &funcs {
        allocator.allocate(f, &env, &mut out).unwrap();
        let fresh = allocate(f, &env).unwrap();
        assert_eq!(out.edits(), fresh.edits());
        assert_eq!(out.num_spill_slots(), fresh.num_spill_slots());
        for i in 0..f.insts.len() {
            assert_eq!(
                out.inst_allocs(Inst::new(i)),
                fresh.inst_allocs(Inst::new(i))
            );
        }
    }
}

#[test]
fn pathological_input_costs_linear_work() {
    // Work counters for N and 8N calls: linear growth, not quadratic.
    let env = testing::small_env(4, 1, true);
    let stats = |n| {
        let f = testing::pathological(n, &env);
        *run(&f, &env).stats()
    };
    let (small, large) = (stats(500), stats(4000));
    assert!(
        large.bundles_processed <= 9 * small.bundles_processed.max(1),
        "{small:?} {large:?}"
    );
    assert!(
        large.splits <= 9 * small.splits.max(1),
        "{small:?} {large:?}"
    );
    assert!(large.moves <= 9 * small.moves, "{small:?} {large:?}");
}

#[test]
fn edits_before_lists_each_instructions_moves_in_order() {
    let f = counting_loop();
    let out = run(&f, &testing::small_env(2, 0, true));
    let total: usize = (0..f.insts.len())
        .map(|i| out.edits_before(Inst::new(i)).count())
        .sum();
    assert_eq!(total, out.edits().len());
    let _ = Block::new(0);
}
