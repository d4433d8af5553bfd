//! The symbolic checker: an independent verification that an allocation is
//! correct.
//!
//! The checker knows nothing of how the allocator works. It takes the
//! function, the machine description and the [`Output`], and interprets the
//! program abstractly: the state maps every location (register or spill
//! slot) to the set of virtual registers whose current value it holds. A
//! move copies the set; a def of `v` removes `v` from every location (an
//! older value of `v`, from a previous loop iteration, is stale) and makes
//! its location hold exactly `{v}`; a clobber empties a register. An edge
//! to a block with parameters adds each parameter to every location holding
//! the corresponding argument. At a block with several predecessors the
//! incoming states are intersected — a location is known to hold `v` only
//! if it does on every path — and the analysis iterates to a fixed point.
//! Because states only shrink, a check that fails at any iteration fails for
//! the final states too, and every block is last processed with its final
//! entry state, so checking during the iteration is exact.
//!
//! Per instruction the checker verifies, in the order the hardware would
//! see them: early uses read their value; early and reuse defs do not
//! overwrite a different input; early defs are written; late uses (which
//! must survive the whole instruction) read their value and are neither
//! clobbered nor overwritten by a def; clobbers and late defs are written.
//! Every operand's allocation must satisfy its constraint, every register
//! must be of the right class and allocatable (or named by a fixed
//! constraint or be a scratch register, for moves), and no move goes from
//! memory to memory.

use crate::env::MachineEnv;
use crate::function::Function;
use crate::operand::{Constraint, OperandKind, OperandPos};
use crate::output::{Move, Output};
use crate::reg::{Allocation, Block, Inst, PReg, PRegSet, RegClass, VReg};
use core::fmt;

/// Why an allocation is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// The output has the wrong number of allocations for an instruction,
    /// or its edits are not sorted by instruction.
    Malformed {
        /// The instruction.
        inst: Inst,
    },
    /// An operand's allocation does not satisfy its constraint (or class).
    ConstraintViolated {
        /// The instruction.
        inst: Inst,
        /// The operand index.
        operand: usize,
        /// The allocation given.
        alloc: Allocation,
    },
    /// A use reads a location that does not hold its value.
    WrongValue {
        /// The instruction.
        inst: Inst,
        /// The operand index.
        operand: usize,
        /// The value the operand needs.
        vreg: VReg,
        /// The location read.
        alloc: Allocation,
        /// The values the location holds on every path.
        found: Vec<VReg>,
    },
    /// A def or clobber overwrites an input the instruction still reads, or
    /// two defs share a location.
    OverlappingOperands {
        /// The instruction.
        inst: Inst,
        /// The operand index of the def or late use.
        operand: usize,
    },
    /// A move is memory to memory, mixes classes, uses a slot of another
    /// class or out of range, or a register the allocator may not touch.
    BadMove {
        /// The instruction the move precedes.
        before: Inst,
        /// The move.
        mv: Move,
    },
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Malformed { inst } => write!(f, "{inst}: malformed output"),
            CheckError::ConstraintViolated {
                inst,
                operand,
                alloc,
            } => write!(
                f,
                "{inst}: operand #{operand} allocated to {alloc}, violating its constraint"
            ),
            CheckError::WrongValue {
                inst,
                operand,
                vreg,
                alloc,
                found,
            } => write!(
                f,
                "{inst}: operand #{operand} reads {vreg} from {alloc}, which holds {found:?}"
            ),
            CheckError::OverlappingOperands { inst, operand } => write!(
                f,
                "{inst}: operand #{operand} shares its location with a value still in use"
            ),
            CheckError::BadMove { before, mv } => {
                write!(f, "before {inst}: bad move {mv}", inst = before)
            }
        }
    }
}

impl std::error::Error for CheckError {}

/// Checks that `output` is a correct allocation of `func` for `env`.
pub fn check<F: Function>(func: &F, env: &MachineEnv, output: &Output) -> Result<(), CheckError> {
    Checker::new(func, env, output).run()
}

/// A dense location number: registers first, then spill slots.
type Loc = u32;

fn loc(alloc: Allocation) -> Loc {
    match alloc {
        Allocation::Reg(r) => r.dense() as Loc,
        Allocation::Stack(s) => (PReg::NUM + s.index()) as Loc,
    }
}

/// Which values each location holds: a sorted set of `(location, vreg)`.
#[derive(Clone, Default, PartialEq, Eq)]
struct State(Vec<(Loc, u32)>);

impl State {
    fn run(&self, l: Loc) -> core::ops::Range<usize> {
        let start = self.0.partition_point(|e| e.0 < l);
        let end = start + self.0[start..].partition_point(|e| e.0 == l);
        start..end
    }

    fn holds(&self, l: Loc, v: VReg) -> bool {
        self.0.binary_search(&(l, v.index() as u32)).is_ok()
    }

    fn values(&self, l: Loc, class: RegClass) -> Vec<VReg> {
        self.0[self.run(l)]
            .iter()
            .map(|&(_, v)| VReg::new(v as usize, class))
            .collect()
    }

    fn kill(&mut self, v: VReg) {
        let v = v.index() as u32;
        self.0.retain(|e| e.1 != v);
    }

    fn clear(&mut self, l: Loc) {
        let run = self.run(l);
        self.0.drain(run);
    }

    fn add(&mut self, l: Loc, v: u32) {
        if let Err(at) = self.0.binary_search(&(l, v)) {
            self.0.insert(at, (l, v));
        }
    }

    fn define(&mut self, l: Loc, v: VReg) {
        self.kill(v);
        self.clear(l);
        self.add(l, v.index() as u32);
    }

    fn copy(&mut self, from: Loc, to: Loc) {
        if from == to {
            return;
        }
        let values: Vec<u32> = self.0[self.run(from)].iter().map(|e| e.1).collect();
        self.clear(to);
        let at = self.0.partition_point(|e| e.0 < to);
        self.0.splice(at..at, values.into_iter().map(|v| (to, v)));
    }

    /// Keeps only the entries also in `other`; returns whether anything
    /// changed.
    fn intersect(&mut self, other: &State) -> bool {
        let before = self.0.len();
        let mut j = 0;
        self.0.retain(|e| {
            while j < other.0.len() && other.0[j] < *e {
                j += 1;
            }
            j < other.0.len() && other.0[j] == *e
        });
        self.0.len() != before
    }
}

struct Checker<'a, F: Function> {
    func: &'a F,
    output: &'a Output,
    allocatable: PRegSet,
    /// Registers moves may touch: allocatable, scratch, or named by a fixed
    /// constraint.
    movable: PRegSet,
}

impl<'a, F: Function> Checker<'a, F> {
    fn new(func: &'a F, env: &'a MachineEnv, output: &'a Output) -> Self {
        let allocatable = env.allocatable();
        let mut movable = allocatable;
        for class in &env.classes {
            if let Some(r) = class.scratch {
                movable.insert(r);
            }
        }
        for i in 0..func.num_insts() {
            for op in func.inst_operands(Inst::new(i)) {
                if let Constraint::Fixed(r) = op.constraint() {
                    movable.insert(r);
                }
            }
        }
        Checker {
            func,
            output,
            allocatable,
            movable,
        }
    }

    fn run(&self) -> Result<(), CheckError> {
        let n = self.func.num_insts();
        if self.output.inst_alloc_offsets.len() != n + 1 {
            return Err(CheckError::Malformed { inst: Inst::new(0) });
        }
        for w in self.output.edits.windows(2) {
            if w[0].0 > w[1].0 {
                return Err(CheckError::Malformed { inst: w[1].0 });
            }
        }
        if let Some(&(inst, _)) = self.output.edits.last()
            && inst.index() >= n
        {
            return Err(CheckError::Malformed { inst });
        }

        let num_blocks = self.func.num_blocks();
        let mut entry_states: Vec<Option<State>> = vec![None; num_blocks];
        let entry = self.func.entry_block().index();
        entry_states[entry] = Some(State::default());
        let mut worklist = vec![entry];
        let mut queued = vec![false; num_blocks];
        queued[entry] = true;
        while let Some(b) = worklist.pop() {
            queued[b] = false;
            let block = Block::new(b);
            let mut state = entry_states[b].clone().unwrap_or_default();
            self.run_block(block, &mut state)?;
            for (k, &succ) in self.func.block_succs(block).iter().enumerate() {
                // Parameters take their arguments' locations all at once:
                // an argument may itself be a parameter of the successor.
                let mut out = state.clone();
                let args = self.func.branch_args(block, k);
                let params = self.func.block_params(succ);
                let mut renamed: Vec<(Loc, u32)> = Vec::new();
                for (&a, &p) in args.iter().zip(params) {
                    renamed.extend(
                        state
                            .0
                            .iter()
                            .filter(|e| e.1 == a.index() as u32)
                            .map(|e| (e.0, p.index() as u32)),
                    );
                }
                for &p in params {
                    out.kill(p);
                }
                for (l, p) in renamed {
                    out.add(l, p);
                }
                let s = succ.index();
                let changed = match &mut entry_states[s] {
                    slot @ None => {
                        *slot = Some(out);
                        true
                    }
                    Some(existing) => existing.intersect(&out),
                };
                if changed && !queued[s] {
                    queued[s] = true;
                    worklist.push(s);
                }
            }
        }
        Ok(())
    }

    fn run_block(&self, block: Block, state: &mut State) -> Result<(), CheckError> {
        let insts = self.func.block_insts(block);
        let edits = &self.output.edits;
        let mut e = edits.partition_point(|(i, _)| *i < insts.start);
        for inst in insts.iter() {
            while e < edits.len() && edits[e].0 == inst {
                let mv = edits[e].1;
                self.check_move(inst, mv)?;
                state.copy(loc(mv.from), loc(mv.to));
                e += 1;
            }
            self.run_inst(inst, state)?;
        }
        Ok(())
    }

    fn check_move(&self, before: Inst, mv: Move) -> Result<(), CheckError> {
        let ok_side = |a: Allocation| match a {
            Allocation::Reg(r) => r.class() == mv.class && self.movable.contains(r),
            Allocation::Stack(s) => {
                s.index() < self.output.num_spill_slots()
                    && self.output.spill_slot_class(s) == mv.class
            }
        };
        if (mv.from.is_stack() && mv.to.is_stack()) || !ok_side(mv.from) || !ok_side(mv.to) {
            return Err(CheckError::BadMove { before, mv });
        }
        Ok(())
    }

    fn check_constraint(
        &self,
        inst: Inst,
        k: usize,
        allocs: &[Allocation],
    ) -> Result<(), CheckError> {
        let ops = self.func.inst_operands(inst);
        let op = ops[k];
        let alloc = allocs[k];
        let class = op.class();
        let class_ok = match alloc {
            Allocation::Reg(r) => r.class() == class,
            Allocation::Stack(s) => {
                s.index() < self.output.num_spill_slots()
                    && self.output.spill_slot_class(s) == class
            }
        };
        let allocatable_reg =
            |a: Allocation| a.as_reg().is_some_and(|r| self.allocatable.contains(r));
        let ok = class_ok
            && match op.constraint() {
                Constraint::Any => alloc.is_stack() || allocatable_reg(alloc),
                Constraint::Reg => allocatable_reg(alloc),
                Constraint::Stack => alloc.is_stack(),
                Constraint::Fixed(r) => alloc == Allocation::Reg(r),
                Constraint::Reuse(j) => {
                    let j = j as usize;
                    allocatable_reg(alloc)
                        && j < ops.len()
                        && ops[j].kind() == OperandKind::Use
                        && ops[j].pos() == OperandPos::Early
                        && allocs[j] == alloc
                }
            };
        if ok {
            Ok(())
        } else {
            Err(CheckError::ConstraintViolated {
                inst,
                operand: k,
                alloc,
            })
        }
    }

    fn run_inst(&self, inst: Inst, state: &mut State) -> Result<(), CheckError> {
        let ops = self.func.inst_operands(inst);
        let allocs = self.output.inst_allocs(inst);
        if allocs.len() != ops.len() {
            return Err(CheckError::Malformed { inst });
        }
        for k in 0..ops.len() {
            self.check_constraint(inst, k, allocs)?;
        }
        let read = |state: &State, k: usize| -> Result<(), CheckError> {
            let (op, alloc) = (ops[k], allocs[k]);
            if state.holds(loc(alloc), op.vreg()) {
                Ok(())
            } else {
                Err(CheckError::WrongValue {
                    inst,
                    operand: k,
                    vreg: op.vreg(),
                    alloc,
                    found: state.values(loc(alloc), op.class()),
                })
            }
        };
        let overlap = |k: usize| CheckError::OverlappingOperands { inst, operand: k };
        let is = |k: usize, kind: OperandKind, pos: OperandPos| {
            ops[k].kind() == kind && ops[k].pos() == pos
        };

        // Early uses read their values.
        for k in 0..ops.len() {
            if is(k, OperandKind::Use, OperandPos::Early) {
                read(state, k)?;
            }
        }
        // No two defs share a location.
        for k in 0..ops.len() {
            for j in 0..k {
                if ops[k].is_def() && ops[j].is_def() && allocs[k] == allocs[j] {
                    return Err(overlap(k));
                }
            }
        }
        // Early and reuse defs may not overwrite another value's input.
        for k in 0..ops.len() {
            if !ops[k].is_def() {
                continue;
            }
            let reused = match ops[k].constraint() {
                Constraint::Reuse(j) => Some(ops[j as usize].vreg()),
                _ => None,
            };
            if ops[k].pos() != OperandPos::Early && reused.is_none() {
                continue;
            }
            for j in 0..ops.len() {
                if ops[j].is_use() && allocs[j] == allocs[k] && Some(ops[j].vreg()) != reused {
                    return Err(overlap(k));
                }
            }
        }
        for k in 0..ops.len() {
            if is(k, OperandKind::Def, OperandPos::Early) {
                state.define(loc(allocs[k]), ops[k].vreg());
            }
        }
        // Late uses survive the whole instruction.
        let clobbers = self.func.inst_clobbers(inst);
        for k in 0..ops.len() {
            if is(k, OperandKind::Use, OperandPos::Late) {
                read(state, k)?;
                let clobbered = allocs[k].as_reg().is_some_and(|r| clobbers.contains(r));
                let overwritten = (0..ops.len())
                    .any(|j| is(j, OperandKind::Def, OperandPos::Late) && allocs[j] == allocs[k]);
                if clobbered || overwritten {
                    return Err(overlap(k));
                }
            }
        }
        if !clobbers.is_empty() {
            state.0.retain(|&(l, _)| {
                (l as usize) >= PReg::NUM || !clobbers.contains(PReg::from_dense(l as usize))
            });
        }
        for k in 0..ops.len() {
            if is(k, OperandKind::Def, OperandPos::Late) {
                state.define(loc(allocs[k]), ops[k].vreg());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operand::Operand;
    use crate::reg::{InstRange, SpillSlot};
    use crate::testing::{FunctionBuilder, small_env};

    fn r(i: usize) -> PReg {
        PReg::new(RegClass::Int, i)
    }

    fn output(allocs: &[&[Allocation]], edits: &[(usize, Move)], slots: usize) -> Output {
        let mut out = Output::new();
        out.inst_alloc_offsets.push(0);
        for a in allocs {
            out.allocs.extend_from_slice(a);
            out.inst_alloc_offsets.push(out.allocs.len() as u32);
        }
        out.edits = edits.iter().map(|&(i, m)| (Inst::new(i), m)).collect();
        out.spill_slots = vec![RegClass::Int; slots];
        out
    }

    fn mv(from: Allocation, to: Allocation) -> Move {
        Move {
            from,
            to,
            class: RegClass::Int,
        }
    }

    const R0: Allocation = Allocation::Reg(PReg::new(RegClass::Int, 0));
    const R1: Allocation = Allocation::Reg(PReg::new(RegClass::Int, 1));
    const R2: Allocation = Allocation::Reg(PReg::new(RegClass::Int, 2));
    const S0: Allocation = Allocation::Stack(SpillSlot::new(0));
    const S1: Allocation = Allocation::Stack(SpillSlot::new(1));

    /// v0 = def; v1 = def; use v0, v1; ret v1
    fn straight_line() -> crate::testing::TestFunction {
        let mut b = FunctionBuilder::new();
        let blk = b.block();
        let v0 = b.vreg(RegClass::Int);
        let v1 = b.vreg(RegClass::Int);
        b.inst(blk, &[Operand::reg_def(v0)], PRegSet::empty());
        b.inst(blk, &[Operand::reg_def(v1)], PRegSet::empty());
        b.inst(
            blk,
            &[Operand::reg_use(v0), Operand::reg_use(v1)],
            PRegSet::empty(),
        );
        b.ret(blk, &[Operand::fixed_use(v1, r(0))]);
        b.finish()
    }

    #[test]
    fn accepts_a_correct_allocation_with_moves() {
        let f = straight_line();
        let env = small_env(3, 0, false);
        let out = output(
            &[&[R0], &[R1], &[R0, R1], &[R0]],
            &[(1, mv(R0, S0)), (2, mv(S0, R0)), (3, mv(R1, R0))],
            1,
        );
        assert_eq!(check(&f, &env, &out), Ok(()));
    }

    #[test]
    fn rejects_reading_an_overwritten_register() {
        let f = straight_line();
        let env = small_env(3, 0, false);
        // v1 is defined into r0, destroying v0.
        let out = output(&[&[R0], &[R0], &[R0, R0], &[R0]], &[], 0);
        assert!(matches!(
            check(&f, &env, &out),
            Err(CheckError::WrongValue { operand: 0, .. })
        ));
    }

    #[test]
    fn rejects_constraint_violations_and_memory_to_memory_moves() {
        let f = straight_line();
        let env = small_env(3, 0, false);
        let stack_for_reg = output(&[&[S0], &[R1], &[S0, R1], &[R1]], &[], 1);
        assert!(matches!(
            check(&f, &env, &stack_for_reg),
            Err(CheckError::ConstraintViolated { operand: 0, .. })
        ));
        let mem_to_mem = output(
            &[&[R0], &[R1], &[R0, R1], &[R0]],
            &[(1, mv(R0, S0)), (1, mv(S0, S1)), (3, mv(R1, R0))],
            2,
        );
        assert!(matches!(
            check(&f, &env, &mem_to_mem),
            Err(CheckError::BadMove { .. })
        ));
        let not_allocatable = output(
            &[
                &[R0],
                &[Allocation::Reg(r(5))],
                &[R0, Allocation::Reg(r(5))],
                &[R0],
            ],
            &[],
            0,
        );
        assert!(matches!(
            check(&f, &env, &not_allocatable),
            Err(CheckError::ConstraintViolated { inst, .. }) if inst == Inst::new(1)
        ));
    }

    #[test]
    fn join_requires_the_value_on_every_path() {
        // block0: v0 = def; br block1, block2
        // block1: jump block3      block2: v0 moved away in r1; jump block3
        // block3: use v0 in r0
        let mut b = FunctionBuilder::new();
        let (b0, b1, b2, b3) = (b.block(), b.block(), b.block(), b.block());
        let v0 = b.vreg(RegClass::Int);
        let c = b.vreg(RegClass::Int);
        b.inst(
            b0,
            &[Operand::reg_def(v0), Operand::reg_def(c)],
            PRegSet::empty(),
        );
        b.branch(b0, &[Operand::reg_use(c)], &[(b1, &[]), (b2, &[])]);
        b.jump(b1, b3, &[]);
        let other = b.vreg(RegClass::Int);
        b.inst(b2, &[Operand::reg_def(other)], PRegSet::empty());
        b.jump(b2, b3, &[]);
        b.ret(b3, &[Operand::reg_use(v0)]);
        let f = b.finish();
        let env = small_env(3, 0, false);
        let good = output(&[&[R0, R1], &[R1], &[], &[R2], &[], &[R0]], &[], 0);
        assert_eq!(check(&f, &env, &good), Ok(()));
        // In block2 the new value overwrites r0.
        let bad = output(&[&[R0, R1], &[R1], &[], &[R0], &[], &[R0]], &[], 0);
        assert!(matches!(
            check(&f, &env, &bad),
            Err(CheckError::WrongValue { inst, .. }) if inst == Inst::new(5)
        ));
    }

    #[test]
    fn block_params_take_their_arguments_and_loops_kill_stale_values() {
        // block0: v0 = def; jump block1(v0)
        // block1(p): v1 = def; use p; jump block1(v1)
        let mut b = FunctionBuilder::new();
        let (b0, b1) = (b.block(), b.block());
        let v0 = b.vreg(RegClass::Int);
        let p = b.vreg(RegClass::Int);
        let v1 = b.vreg(RegClass::Int);
        b.param(b1, p);
        b.inst(b0, &[Operand::reg_def(v0)], PRegSet::empty());
        b.jump(b0, b1, &[v0]);
        b.inst(
            b1,
            &[Operand::reg_use(p), Operand::reg_def(v1)],
            PRegSet::empty(),
        );
        b.jump(b1, b1, &[v1]);
        let f = b.finish();
        assert_eq!(
            f.blocks[1].insts,
            InstRange::new(Inst::new(2), Inst::new(4))
        );
        let env = small_env(3, 0, false);
        // p lives in r0; v1 is defined in r1 and moved to r0 before the jump.
        let good = output(&[&[R0], &[], &[R0, R1], &[]], &[(3, mv(R1, R0))], 0);
        assert_eq!(check(&f, &env, &good), Ok(()));
        // Without the move, the back edge delivers v1 in r1 but p is read in r0.
        let bad = output(&[&[R0], &[], &[R0, R1], &[]], &[], 0);
        assert!(matches!(
            check(&f, &env, &bad),
            Err(CheckError::WrongValue { inst, .. }) if inst == Inst::new(2)
        ));
    }

    #[test]
    fn block_params_are_renamed_in_parallel() {
        // block0: a = def; b = def; jump block1(a, b)
        // block1(x, y): use x in r0; use y in r1; jump block1(y, x)
        // With no moves the swap is wrong; with a swap through r2 it is right.
        let mut b = FunctionBuilder::new();
        let (b0, b1) = (b.block(), b.block());
        let (a, c) = (b.vreg(RegClass::Int), b.vreg(RegClass::Int));
        let (x, y) = (b.vreg(RegClass::Int), b.vreg(RegClass::Int));
        b.param(b1, x);
        b.param(b1, y);
        b.inst(
            b0,
            &[Operand::reg_def(a), Operand::reg_def(c)],
            PRegSet::empty(),
        );
        b.jump(b0, b1, &[a, c]);
        b.inst(
            b1,
            &[Operand::fixed_use(x, r(0)), Operand::fixed_use(y, r(1))],
            PRegSet::empty(),
        );
        b.jump(b1, b1, &[y, x]);
        let f = b.finish();
        let env = small_env(3, 0, false);
        let allocs: &[&[Allocation]] = &[&[R0, R1], &[], &[R0, R1], &[]];
        assert!(matches!(
            check(&f, &env, &output(allocs, &[], 0)),
            Err(CheckError::WrongValue { .. })
        ));
        let swap = [(3, mv(R0, R2)), (3, mv(R1, R0)), (3, mv(R2, R1))];
        assert_eq!(check(&f, &env, &output(allocs, &swap, 0)), Ok(()));
    }

    #[test]
    fn early_defs_may_not_share_an_input_register_and_late_uses_survive() {
        let mut b = FunctionBuilder::new();
        let blk = b.block();
        let (a, d, e) = (
            b.vreg(RegClass::Int),
            b.vreg(RegClass::Int),
            b.vreg(RegClass::Int),
        );
        b.inst(blk, &[Operand::reg_def(a)], PRegSet::empty());
        b.inst(
            blk,
            &[Operand::reg_use(a), Operand::reg_def_early(d)],
            PRegSet::empty(),
        );
        b.inst(
            blk,
            &[Operand::reg_use_late(d), Operand::reg_def(e)],
            PRegSet::empty(),
        );
        b.ret(blk, &[Operand::reg_use(e)]);
        let f = b.finish();
        let env = small_env(3, 0, false);
        let good = output(&[&[R0], &[R0, R1], &[R1, R0], &[R0]], &[], 0);
        assert_eq!(check(&f, &env, &good), Ok(()));
        let early_shares = output(&[&[R0], &[R0, R0], &[R0, R1], &[R1]], &[], 0);
        assert_eq!(
            check(&f, &env, &early_shares),
            Err(CheckError::OverlappingOperands {
                inst: Inst::new(1),
                operand: 1
            })
        );
        let late_shares = output(&[&[R0], &[R0, R1], &[R1, R1], &[R1]], &[], 0);
        assert_eq!(
            check(&f, &env, &late_shares),
            Err(CheckError::OverlappingOperands {
                inst: Inst::new(2),
                operand: 0
            })
        );
    }

    #[test]
    fn clobbers_destroy_values() {
        let mut b = FunctionBuilder::new();
        let blk = b.block();
        let a = b.vreg(RegClass::Int);
        b.inst(blk, &[Operand::reg_def(a)], PRegSet::empty());
        b.inst(blk, &[], PRegSet::empty().with(r(0)));
        b.ret(blk, &[Operand::reg_use(a)]);
        let f = b.finish();
        let env = small_env(3, 0, false);
        let bad = output(&[&[R0], &[], &[R0]], &[], 0);
        assert!(matches!(
            check(&f, &env, &bad),
            Err(CheckError::WrongValue { .. })
        ));
        let good = output(&[&[R1], &[], &[R1]], &[], 0);
        assert_eq!(check(&f, &env, &good), Ok(()));
    }

    #[test]
    fn reuse_defs_share_exactly_their_input() {
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
        let f = b.finish();
        let env = small_env(3, 0, false);
        let good = output(&[&[R0, R1], &[R0, R1, R0], &[R0]], &[], 0);
        assert_eq!(check(&f, &env, &good), Ok(()));
        let not_same = output(&[&[R0, R1], &[R0, R1, R2], &[R2]], &[], 0);
        assert!(matches!(
            check(&f, &env, &not_same),
            Err(CheckError::ConstraintViolated { operand: 2, .. })
        ));
    }
}
