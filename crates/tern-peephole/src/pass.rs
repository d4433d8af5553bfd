//! The rewrite pass: apply rules until none applies.
//!
//! # Worklist
//! Every instruction starts on a worklist, in layout order (so operands
//! tend to be simplified before their users). Popping an instruction runs
//! the matcher on it; if a rule matches, its right-hand side is built
//! before the instruction and the instruction is rewritten:
//!
//! * in place, when the replacement is a new instruction (its result value
//!   is kept, so users need no change), or
//! * by redirecting every use of its result to an existing value, after
//!   which the instruction is removed.
//!
//! A rewrite can only enable matches nearby, and the pass revisits exactly
//! those: the rewritten instruction itself, the instructions it created,
//! and the users of its result up to `MAX_DEPTH + 1` levels up — a pattern
//! rooted at an instruction inspects definitions at most `MAX_DEPTH` levels
//! below it, and one more level of operands as opaque values (which matter
//! to same-value tests such as `(isub $x $x)` when a use is redirected).
//! An instruction already waiting is not queued twice. When the worklist
//! empties, no rule matches any instruction: a fixpoint.
//!
//! # Dead instructions
//! Redirecting uses and rewriting in place often leave the matched
//! subexpression unused (`(bnot (bnot $x))` → `$x` orphans the inner
//! `bnot`). The pass removes such instructions as it goes when they are
//! pure, following their operands down, so later matching does not see
//! them and other passes need not clean up after it. Instructions with side
//! effects, including trapping arithmetic, are left alone.
//!
//! # Termination
//! Each rule is sound, but a rule set could still rewrite in a cycle. The
//! pass therefore has a budget of rewrites proportional to the function's
//! size ([`Options::fuel_per_inst`]); running out stops it with
//! [`Stats::out_of_fuel`] set, leaving a correct function. Tests check that
//! the shipped rules never run out.

use std::fmt;

use tern_ir::{EntityRef, Function, Inst, InstructionData, Value};
use tern_peephole_dsl::RuleInfo;
use tern_peephole_dsl::subject::Replacement;

use crate::ir::{DfgView, Inserter};

/// A compiled rule set: what `build.rs` generates, seen through one
/// interface so that the pass (and the benchmark) can run any of them.
pub trait Matcher {
    /// A successful match.
    type Match: Copy;

    /// The rules, in the order [`Matcher::rule`] indexes.
    fn rules() -> &'static [RuleInfo];

    /// How deep the deepest pattern looks below its root.
    fn max_depth() -> usize;

    /// The most specific rule matching the instruction that defines `v`.
    fn find(dfg: DfgView<'_>, v: Value) -> Option<Self::Match>;

    /// The index of the matched rule.
    fn rule(m: &Self::Match) -> usize;

    /// Builds the matched rule's right-hand side and says what the root
    /// becomes.
    fn apply(b: &mut Inserter<'_>, m: &Self::Match) -> Replacement<Value>;
}

/// Tuning for [`run`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Rewrites allowed per instruction of the input (plus a small
    /// constant) before the pass gives up.
    pub fuel_per_inst: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options { fuel_per_inst: 16 }
    }
}

/// What a run of the pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Instructions popped from the worklist and matched.
    pub visited: u64,
    /// Rules applied.
    pub rewrites: u64,
    /// Instructions the right-hand sides created.
    pub created: u64,
    /// Instructions removed: replaced roots and dead matched operands.
    pub removed: u64,
    /// How often each rule fired, indexed like [`Matcher::rules`].
    pub fired: Vec<u64>,
    /// Did the pass stop because it ran out of rewrites?
    pub out_of_fuel: bool,
}

impl Stats {
    /// The rules that fired, most often first, with their counts.
    pub fn top_rules(&self, rules: &[RuleInfo]) -> Vec<(&'static str, u64)> {
        let mut v: Vec<(&'static str, u64)> = self
            .fired
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(i, &n)| (rules[i].name, n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "visited {}, rewrites {}, created {}, removed {}{}",
            self.visited,
            self.rewrites,
            self.created,
            self.removed,
            if self.out_of_fuel {
                ", out of fuel"
            } else {
                ""
            }
        )
    }
}

/// The worklist: a stack plus a membership flag per instruction.
struct Worklist {
    stack: Vec<Inst>,
    queued: Vec<bool>,
}

impl Worklist {
    fn push(&mut self, inst: Inst) {
        let i = inst.index();
        if i >= self.queued.len() {
            self.queued.resize(i + 1, false);
        }
        if !self.queued[i] {
            self.queued[i] = true;
            self.stack.push(inst);
        }
    }

    fn pop(&mut self) -> Option<Inst> {
        let inst = self.stack.pop()?;
        self.queued[inst.index()] = false;
        Some(inst)
    }
}

/// Applies `M`'s rules to `func` until none applies (or the fuel runs out).
pub fn run<M: Matcher>(func: &mut Function, options: &Options) -> Stats {
    let mut stats = Stats {
        fired: vec![0; M::rules().len()],
        ..Stats::default()
    };
    let insts: Vec<Inst> = func.insts().collect();
    let fuel = options.fuel_per_inst * insts.len() as u64 + 64;
    let mut work = Worklist {
        stack: Vec::with_capacity(insts.len()),
        queued: vec![false; func.dfg.num_insts()],
    };
    // Pushed in reverse so that they pop in layout order.
    for &inst in insts.iter().rev() {
        work.push(inst);
    }
    let revisit_levels = M::max_depth() + 1;
    // Scratch buffers, reused across rewrites.
    let mut created = Vec::new();
    let mut old_args = Vec::new();
    let mut scratch = Scratch::default();
    while let Some(inst) = work.pop() {
        if func.layout.inst_block(inst).is_none() {
            // Removed after it was queued.
            continue;
        }
        let data = func.dfg.inst(inst);
        if !data.opcode.is_evaluable() {
            continue;
        }
        stats.visited += 1;
        let root = func.dfg.first_result(inst);
        let Some(m) = M::find(DfgView::new(&func.dfg), root) else {
            continue;
        };
        if stats.rewrites == fuel {
            stats.out_of_fuel = true;
            break;
        }
        stats.rewrites += 1;
        stats.fired[M::rule(&m)] += 1;
        old_args.clear();
        old_args.extend_from_slice(func.dfg.inst_args(inst));
        created.clear();
        let replacement = M::apply(&mut Inserter::new(func, inst, &mut created), &m);
        stats.created += created.len() as u64;
        for &c in &created {
            work.push(c);
        }
        let result = match replacement {
            Replacement::Value(v) => {
                func.dfg.replace_all_uses(root, v);
                func.remove_inst(inst);
                stats.removed += 1;
                v
            }
            Replacement::Inst {
                opcode,
                ctrl,
                imm,
                args,
                len,
            } => {
                func.dfg
                    .replace_inst_with(inst, InstructionData::new(opcode, ctrl, imm, &args[..len]))
                    .expect("the type checker guarantees the replacement's result type");
                work.push(inst);
                root
            }
        };
        revisit_users(func, &mut work, result, revisit_levels, &mut scratch);
        stats.removed += remove_dead(func, &old_args, &mut scratch);
    }
    stats
}

/// Value buffers for [`revisit_users`] and [`remove_dead`].
#[derive(Default)]
struct Scratch {
    frontier: Vec<Value>,
    next: Vec<Value>,
}

/// Queues the users of `v`, their users, … up to `levels` levels.
fn revisit_users(func: &Function, work: &mut Worklist, v: Value, levels: usize, s: &mut Scratch) {
    s.frontier.clear();
    s.frontier.push(v);
    for _ in 0..levels {
        s.next.clear();
        for &value in &s.frontier {
            for user in func.dfg.users(value) {
                work.push(user);
                if let [result] = func.dfg.inst_results(user) {
                    s.next.push(*result);
                }
            }
        }
        if s.next.is_empty() {
            break;
        }
        std::mem::swap(&mut s.frontier, &mut s.next);
    }
}

/// Removes the pure instructions among the definitions of `values` that
/// have no users left, and then theirs; returns how many were removed.
fn remove_dead(func: &mut Function, values: &[Value], s: &mut Scratch) -> u64 {
    let mut removed = 0;
    let candidates = &mut s.frontier;
    candidates.clear();
    candidates.extend_from_slice(values);
    while let Some(v) = candidates.pop() {
        if func.dfg.use_count(v) != 0 {
            continue;
        }
        let Some(inst) = func.dfg.value_inst(v) else {
            continue;
        };
        if !func.dfg.inst(inst).opcode.is_pure() || func.layout.inst_block(inst).is_none() {
            continue;
        }
        candidates.extend_from_slice(func.dfg.inst_args(inst));
        func.remove_inst(inst);
        removed += 1;
    }
    removed
}
