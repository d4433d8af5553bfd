//! Checking rules for soundness and for shadowing.
//!
//! # Soundness
//! A rule is sound when, for every input its left-hand side matches, the
//! right-hand side computes exactly the same thing: the same bits, or the
//! same trap. The verifier checks this against the IR's reference
//! semantics, [`tern_ir::eval::eval_pure`], which is the definition of what
//! every opcode means. For each instantiation of the rule (every assignment
//! of bit widths and types its pattern allows; see [`crate::rule::Rule`])
//! it draws inputs — one value per `$x`, `$C` and `$cc` — builds the
//! matched expression tree, checks the rule's match steps on it (so
//! preconditions and literal matching behave exactly as in the compiler),
//! evaluates both sides and compares.
//!
//! Inputs are chosen per instantiation:
//!
//! * **exhaustively** when every input is at most
//!   [`Options::exhaustive_bits`] (8) bits wide and the whole input space is
//!   at most [`Options::exhaustive_limit`] combinations — every
//!   instantiation at 8 bits with up to two integer inputs and a condition
//!   code — so an 8-bit counterexample cannot be missed;
//! * otherwise from **edge values** (zero, one, all ones, the signed
//!   extremes, widths and powers of two, NaNs and signed zeros …), all their
//!   combinations when there are at most [`Options::edge_limit`] of them and
//!   a random selection otherwise, plus [`Options::random_samples`]
//!   pseudo-random inputs from a fixed seed.
//!
//! A trap is an outcome like any other: a rule may not remove a trap (`(udiv
//! $x $x) => 1` is unsound at zero), introduce one, or change its code. The
//! first counterexample found is reported with the types and input values.
//!
//! # Shadowing
//! On the same inputs, the verifier also runs the real automaton (through
//! [`crate::interp`]) and records which rule it picks. A rule that is never
//! picked on any of its own matching inputs can never fire: some other rule
//! always wins. That is reported, naming the winners. A rule that matches
//! none of the inputs tried (contradictory preconditions, say) is reported
//! as never matching.

pub mod samples;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use tern_ir::eval::{DataValue, EvalError, eval_pure};
use tern_ir::{FloatCC, Imm, IntCC, TrapCode, Type};

use crate::RuleSet;
use crate::automaton::Automaton;
use crate::diagnostic::Diagnostic;
use crate::interp::{self, Konst};
use crate::linear::{Action, Expect, Linear, Test};
use crate::rule::{BindingKind, Pat, PatKind, Pos, Rule};
use crate::signature::ImmKind;
use crate::subject::{TermId, Terms};
use samples::Rng;

/// How hard to look for counterexamples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Enumerate every input when no input is wider than this many bits…
    pub exhaustive_bits: u32,
    /// …and there are at most this many combinations.
    pub exhaustive_limit: u64,
    /// Try every combination of edge values when there are at most this
    /// many; otherwise this many random combinations of them.
    pub edge_limit: u64,
    /// Further pseudo-random inputs per non-exhaustive instantiation.
    pub random_samples: u64,
    /// The random seed.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            exhaustive_bits: 8,
            exhaustive_limit: 1 << 20,
            edge_limit: 1 << 14,
            random_samples: 2000,
            seed: 0x7e27_9e9e_17a5_5eed,
        }
    }
}

/// What the verifier did for one rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Instantiations checked (every type assignment the rule allows).
    pub instantiations: usize,
    /// Of those, the ones whose every input was tried.
    pub exhaustive: usize,
    /// Inputs evaluated.
    pub inputs: u64,
    /// Inputs the left-hand side matched (and the rule was checked on).
    pub matched: u64,
}

/// The verifier's findings.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Unsound rules (errors), rules that never fire or never match
    /// (warnings).
    pub diagnostics: Vec<Diagnostic>,
    /// Per rule, what was checked.
    pub coverage: Vec<Coverage>,
}

impl Report {
    /// Did any rule fail to verify?
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// One line: rules, instantiations, exhaustive ones, inputs.
    pub fn summary(&self) -> String {
        let c = &self.coverage;
        format!(
            "{} rules, {} instantiations ({} exhaustive), {} inputs evaluated, {} matched",
            c.len(),
            c.iter().map(|c| c.instantiations).sum::<usize>(),
            c.iter().map(|c| c.exhaustive).sum::<usize>(),
            c.iter().map(|c| c.inputs).sum::<u64>(),
            c.iter().map(|c| c.matched).sum::<u64>(),
        )
    }
}

/// Verifies every rule of `set`; `automaton` must be built from the same
/// rules.
pub fn verify(set: &RuleSet, automaton: &Automaton, options: &Options) -> Report {
    let mut report = Report::default();
    for (index, rule) in set.rules.iter().enumerate() {
        let mut checker = RuleChecker {
            set,
            automaton,
            rule,
            index,
            linear: &automaton.rules[index],
            terms: Terms::new(),
            inputs: Vec::new(),
            bound: Vec::new(),
            results: Vec::new(),
            preconditions: automaton.rules[index]
                .steps
                .iter()
                .filter(|(t, _)| matches!(t, Test::IsPowerOfTwo(..) | Test::Compare(..)))
                .cloned()
                .collect(),
            checked_all_steps: false,
            coverage: Coverage::default(),
            fired: false,
            winners: BTreeSet::new(),
            failure: None,
        };
        checker.run(options);
        report.coverage.push(checker.coverage.clone());
        report.diagnostics.extend(checker.finish());
    }
    report
}

/// The result of evaluating one side.
type Outcome = Result<DataValue, TrapCode>;

/// One input per binding of the rule: integer or float bits, or an index
/// into the condition codes.
type Sample = Vec<u128>;

struct RuleChecker<'a> {
    set: &'a RuleSet,
    automaton: &'a Automaton,
    rule: &'a Rule,
    index: usize,
    linear: &'a Linear,
    /// The candidate tree for the current sample.
    terms: Terms,
    /// The input terms of the current sample and their values.
    inputs: Vec<(TermId, DataValue)>,
    /// The term bound to each binding in the current sample.
    bound: Vec<Option<TermId>>,
    /// The outcome of each right-hand-side action in the current sample.
    results: Vec<Outcome>,
    /// The match steps that can fail on a tree built from the pattern
    /// itself: the preconditions.
    preconditions: Vec<(Test, Expect)>,
    /// Has the current instantiation's first sample been checked against
    /// every step (a self-check of the tree construction)?
    checked_all_steps: bool,
    coverage: Coverage,
    fired: bool,
    winners: BTreeSet<usize>,
    /// The first problem found: stops the search.
    failure: Option<Diagnostic>,
}

/// What one binding ranges over.
#[derive(Clone, Copy)]
enum Domain {
    /// Bits of this type.
    Bits(Type),
    /// Indices of integer condition codes.
    IntCC,
    /// Indices of float condition codes.
    FloatCC,
}

impl Domain {
    fn size(self) -> u64 {
        match self {
            Domain::Bits(t) if t.bits() < 64 => 1 << t.bits(),
            Domain::Bits(_) => u64::MAX,
            Domain::IntCC => IntCC::ALL.len() as u64,
            Domain::FloatCC => FloatCC::ALL.len() as u64,
        }
    }

    fn edges(self) -> Vec<u128> {
        match self {
            Domain::Bits(t) => samples::edge_values(t),
            Domain::IntCC => samples::int_ccs(),
            Domain::FloatCC => samples::float_ccs(),
        }
    }
}

impl RuleChecker<'_> {
    fn run(&mut self, options: &Options) {
        let mut rng = Rng::new(options.seed ^ (self.index as u64).wrapping_mul(0x1000_0000_01b3));
        for inst in &self.rule.instantiations {
            if self.failure.is_some() {
                return;
            }
            if !self.literals_fit(inst) {
                // The pattern's literals cannot occur at these widths.
                continue;
            }
            self.coverage.instantiations += 1;
            self.checked_all_steps = false;
            let domains: Vec<Domain> = self
                .rule
                .bindings
                .iter()
                .map(|b| match b.kind {
                    BindingKind::Value | BindingKind::Const => {
                        Domain::Bits(inst[b.ty.0 as usize].expect("value type"))
                    }
                    BindingKind::IntCC => Domain::IntCC,
                    BindingKind::FloatCC => Domain::FloatCC,
                })
                .collect();
            let narrow = domains.iter().all(|d| match d {
                Domain::Bits(t) => t.bits() <= options.exhaustive_bits,
                Domain::IntCC | Domain::FloatCC => true,
            });
            let space = domains
                .iter()
                .try_fold(1u64, |acc, d| acc.checked_mul(d.size()));
            if narrow && space.is_some_and(|s| s <= options.exhaustive_limit) {
                self.coverage.exhaustive += 1;
                let all: Vec<Vec<u128>> = domains
                    .iter()
                    .map(|d| (0..u128::from(d.size())).collect())
                    .collect();
                self.product(inst, &all);
                continue;
            }
            let edges: Vec<Vec<u128>> = domains.iter().map(|d| d.edges()).collect();
            let combos = edges
                .iter()
                .try_fold(1u64, |acc, e| acc.checked_mul(e.len() as u64));
            if combos.is_some_and(|c| c <= options.edge_limit) {
                self.product(inst, &edges);
            } else {
                for _ in 0..options.edge_limit {
                    let sample: Sample = edges.iter().map(|e| e[rng.below(e.len())]).collect();
                    self.check(inst, &sample);
                }
            }
            for _ in 0..options.random_samples {
                let sample: Sample = domains
                    .iter()
                    .zip(&edges)
                    .map(|(d, e)| match *d {
                        Domain::Bits(t) => samples::random_value(&mut rng, t, e),
                        _ => e[rng.below(e.len())],
                    })
                    .collect();
                self.check(inst, &sample);
            }
        }
    }

    /// Checks every combination of the given per-binding values.
    fn product(&mut self, inst: &[Option<Type>], values: &[Vec<u128>]) {
        let mut pick = vec![0usize; values.len()];
        let mut sample: Sample = values.iter().map(|v| v[0]).collect();
        loop {
            if self.failure.is_some() {
                return;
            }
            self.check(inst, &sample);
            let mut i = 0;
            loop {
                if i == values.len() {
                    return;
                }
                pick[i] += 1;
                if pick[i] < values[i].len() {
                    sample[i] = values[i][pick[i]];
                    break;
                }
                pick[i] = 0;
                sample[i] = values[i][0];
                i += 1;
            }
        }
    }

    fn literals_fit(&self, inst: &[Option<Type>]) -> bool {
        fn walk(p: &Pat, inst: &[Option<Type>]) -> bool {
            match &p.kind {
                PatKind::Int(v) => {
                    let ty = inst[p.ty.0 as usize].expect("integer literal type");
                    crate::typeck::literal_fits(*v, ty.bits())
                }
                PatKind::Op { operands, .. } => operands.iter().all(|o| walk(o, inst)),
                _ => true,
            }
        }
        walk(&self.rule.lhs, inst)
    }

    /// Checks one input.
    fn check(&mut self, inst: &[Option<Type>], sample: &Sample) {
        self.coverage.inputs += 1;
        self.terms.clear();
        self.inputs.clear();
        self.bound.clear();
        self.bound.resize(sample.len(), None);
        let root = self.build(&self.rule.lhs, inst, sample);
        let terms = &self.terms;
        let passes = |steps: &[(Test, Expect)]| {
            steps
                .iter()
                .all(|(test, expect)| interp::eval_test(terms, root, test) == Some(*expect))
        };
        if !self.checked_all_steps {
            // The tree is built from the pattern, so only preconditions can
            // fail; check that once per instantiation, then skip the rest.
            self.checked_all_steps = true;
            let structural: Vec<_> = self
                .linear
                .steps
                .iter()
                .filter(|s| !self.preconditions.contains(s))
                .cloned()
                .collect();
            assert!(
                passes(&structural),
                "internal error: a tree built from {} fails its own pattern",
                self.rule.name
            );
        }
        if !passes(&self.preconditions) {
            return;
        }
        let Some(rhs) = self.eval_rhs(root) else {
            // A partial unquote failed: the rule does not apply here.
            return;
        };
        self.coverage.matched += 1;
        let lhs = self.eval_term(root);
        if lhs != rhs {
            self.failure = Some(self.counterexample(inst, sample, lhs, rhs));
            return;
        }
        if !self.fired {
            match interp::find(self.automaton, &self.terms, root) {
                Some(r) if r == self.index => self.fired = true,
                Some(other) => {
                    self.winners.insert(other);
                }
                None => {
                    self.failure = Some(Diagnostic::error(
                        self.rule.span,
                        "internal error: the automaton finds no rule for an input this rule matches",
                    ));
                }
            }
        }
    }

    /// Builds the candidate tree for `pat`; returns its term.
    fn build(&mut self, pat: &Pat, inst: &[Option<Type>], sample: &Sample) -> TermId {
        let ty = |v: crate::rule::TyVar| inst[v.0 as usize].expect("value type");
        match &pat.kind {
            PatKind::Op {
                opcode,
                ctrl,
                operands,
            } => {
                let mut imm = Imm::None;
                let mut args = [TermId(0); 3];
                let mut n = 0;
                for o in operands {
                    match o.pos {
                        Pos::Imm(kind) => imm = self.imm_of(o, kind, sample),
                        Pos::Value => {
                            args[n] = self.build(o, inst, sample);
                            n += 1;
                        }
                    }
                }
                self.terms.inst(*opcode, ty(*ctrl), imm, &args[..n])
            }
            PatKind::Int(v) => {
                let t = ty(pat.ty);
                self.terms.iconst(t, crate::fold::literal_bits(t, *v))
            }
            PatKind::Bind { binding, .. } => {
                let b = self.rule.binding(*binding);
                let i = binding.0 as usize;
                match b.kind {
                    BindingKind::Value => match self.bound[i] {
                        Some(id) => id,
                        None => {
                            let t = ty(b.ty);
                            let id = self.terms.input(t);
                            self.inputs.push((id, DataValue::new(t, sample[i])));
                            self.bound[i] = Some(id);
                            id
                        }
                    },
                    // Each occurrence of a constant is its own `iconst`, as
                    // two equal constants in real code usually are.
                    BindingKind::Const => self.terms.iconst(ty(b.ty), sample[i]),
                    BindingKind::IntCC | BindingKind::FloatCC => {
                        unreachable!("condition codes are immediates")
                    }
                }
            }
            PatKind::IntCC(_) | PatKind::FloatCC(_) => unreachable!("immediates"),
        }
    }

    fn imm_of(&self, o: &Pat, kind: ImmKind, sample: &Sample) -> Imm {
        match (&o.kind, kind) {
            (PatKind::IntCC(cc), _) => Imm::IntCC(*cc),
            (PatKind::FloatCC(cc), _) => Imm::FloatCC(*cc),
            // `Terms::inst` masks it to the width.
            (PatKind::Int(v), _) => Imm::Int(*v as u128),
            (PatKind::Bind { binding, .. }, ImmKind::Int) => Imm::Int(sample[binding.0 as usize]),
            (PatKind::Bind { binding, .. }, ImmKind::IntCC) => {
                Imm::IntCC(IntCC::ALL[sample[binding.0 as usize] as usize])
            }
            (PatKind::Bind { binding, .. }, ImmKind::FloatCC) => {
                Imm::FloatCC(FloatCC::ALL[sample[binding.0 as usize] as usize])
            }
            (PatKind::Op { .. }, _) => unreachable!("instructions are not immediates"),
        }
    }

    /// Evaluates the term `id` with the IR's semantics.
    fn eval_term(&self, id: TermId) -> Outcome {
        let t = self.terms.get(id);
        let Some(opcode) = t.opcode else {
            let &(_, v) = self
                .inputs
                .iter()
                .find(|(i, _)| *i == id)
                .expect("opaque terms are inputs");
            return Ok(v);
        };
        let mut args = [DataValue::new(Type::I8, 0); 3];
        let operands = self.terms.args(id);
        for (slot, &a) in args.iter_mut().zip(operands) {
            *slot = self.eval_term(a)?;
        }
        eval(opcode, t.ctrl, t.imm, &args[..operands.len()])
    }

    /// Evaluates the right-hand side's actions; `None` if a compile-time
    /// expression is undefined for this input.
    fn eval_rhs(&mut self, root: TermId) -> Option<Outcome> {
        let mut results = std::mem::take(&mut self.results);
        results.clear();
        let outcome = self.eval_actions(root, &mut results);
        self.results = results;
        outcome
    }

    fn eval_actions(&self, root: TermId, results: &mut Vec<Outcome>) -> Option<Outcome> {
        for action in &self.linear.actions {
            let outcome = match action {
                Action::UseValue(path) => {
                    self.eval_term(interp::value_at(&self.terms, root, path).expect("matched"))
                }
                Action::MakeConst { ty, value } => {
                    let t = interp::type_of(&self.terms, root, ty).expect("matched");
                    match interp::eval_cexpr(&self.terms, root, value, t)? {
                        Konst::Int(bits) => Ok(DataValue::new(t, bits)),
                        other => unreachable!("constant expected, found {other:?}"),
                    }
                }
                Action::MakeInst {
                    opcode,
                    ctrl,
                    imm,
                    args,
                } => {
                    let t = interp::type_of(&self.terms, root, ctrl).expect("matched");
                    let imm = match imm {
                        None => Imm::None,
                        Some(e) => match interp::eval_cexpr(&self.terms, root, e, t)? {
                            Konst::Int(bits) => Imm::Int(bits),
                            Konst::IntCC(cc) => Imm::IntCC(cc),
                            Konst::FloatCC(cc) => Imm::FloatCC(cc),
                        },
                    };
                    let mut values = [DataValue::new(Type::I8, 0); 3];
                    let mut trap = None;
                    for (slot, &a) in values.iter_mut().zip(args) {
                        match results[a] {
                            Ok(v) => *slot = v,
                            Err(code) => {
                                trap = Some(code);
                                break;
                            }
                        }
                    }
                    match trap {
                        Some(code) => Err(code),
                        None => eval(*opcode, t, imm, &values[..args.len()]),
                    }
                }
            };
            results.push(outcome);
        }
        results.pop()
    }

    fn counterexample(
        &self,
        inst: &[Option<Type>],
        sample: &Sample,
        lhs: Outcome,
        rhs: Outcome,
    ) -> Diagnostic {
        let mut inputs = String::new();
        for (i, b) in self.rule.bindings.iter().enumerate() {
            if i > 0 {
                inputs.push_str(", ");
            }
            let _ = match b.kind {
                BindingKind::Value | BindingKind::Const => {
                    let t = inst[b.ty.0 as usize].expect("value type");
                    write!(inputs, "${} = {}", b.name, show(&Ok(DataValue::new(t, sample[i]))))
                }
                BindingKind::IntCC => {
                    write!(inputs, "${} = {}", b.name, IntCC::ALL[sample[i] as usize])
                }
                BindingKind::FloatCC => {
                    write!(inputs, "${} = {}", b.name, FloatCC::ALL[sample[i] as usize])
                }
            };
        }
        let root_ty = inst[self.rule.lhs.ty.0 as usize].expect("value type");
        Diagnostic::error(self.rule.span, "unsound rule: the two sides can differ")
            .with_help(format!("counterexample at {root_ty}: {inputs}"))
            .with_help(format!("the left-hand side gives  {}", show(&lhs)))
            .with_help(format!("the right-hand side gives {}", show(&rhs)))
    }

    /// The diagnostics for this rule once all inputs are checked.
    fn finish(self) -> Vec<Diagnostic> {
        if let Some(failure) = self.failure {
            return vec![failure];
        }
        if self.coverage.matched == 0 {
            return vec![Diagnostic::warning(
                self.rule.span,
                "this rule never matches any input the verifier tried; its preconditions may contradict each other",
            )];
        }
        if !self.fired {
            let mut d = Diagnostic::warning(
                self.rule.span,
                "this rule can never fire: on every input it matches, another rule is chosen",
            );
            for &w in &self.winners {
                d = d.with_note(self.set.rules[w].span, "this rule wins");
            }
            return vec![d];
        }
        Vec::new()
    }
}

/// `eval_pure`, with traps as outcomes.
fn eval(opcode: tern_ir::Opcode, ctrl: Type, imm: Imm, args: &[DataValue]) -> Outcome {
    match eval_pure(opcode, ctrl, imm, args) {
        Ok(v) => Ok(v),
        Err(EvalError::Trap(code)) => Err(code),
        Err(e) => panic!("the type checker admitted an ill-typed evaluation: {e}"),
    }
}

/// An outcome as `-1 (0xff) : i8` or `trap int_divz`.
fn show(o: &Outcome) -> String {
    match o {
        Ok(v) => format!("{v} ({:#x}) : {}", v.bits(), v.ty()),
        Err(code) => format!("trap {code}"),
    }
}

#[cfg(test)]
mod tests;
