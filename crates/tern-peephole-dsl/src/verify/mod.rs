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
use tern_ir::{FloatCC, Imm, IntCC, Opcode, TrapCode, Type};

use crate::RuleSet;
use crate::automaton::Automaton;
use crate::diagnostic::Diagnostic;
use crate::interp::{self, Konst};
use crate::linear::{Action, CExpr, Expect, Linear, Test, TypeOf};
use crate::rule::{BindingKind, Pat, PatKind, Path, Pos, Rule};
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
    /// What `peepc check` and the tests use.
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

impl Options {
    /// What the build uses: still exhaustive at 8 bits, with fewer edge and
    /// random inputs at wider widths, because build scripts run without
    /// optimization and every change to the rules or the IR reruns it.
    pub fn quick() -> Options {
        Options {
            edge_limit: 1 << 10,
            random_samples: 256,
            ..Options::default()
        }
    }

    /// More random inputs at wider widths (`peepc check --thorough`).
    pub fn thorough() -> Options {
        Options {
            edge_limit: 1 << 16,
            random_samples: 20_000,
            ..Options::default()
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
/// rules. Rules are checked in parallel on all available cores; the result
/// does not depend on how many there are (each rule has its own seed).
pub fn verify(set: &RuleSet, automaton: &Automaton, options: &Options) -> Report {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, set.rules.len().max(1));
    let mut per_rule: Vec<Option<(Coverage, Vec<Diagnostic>)>> = vec![None; set.rules.len()];
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t..set.rules.len())
                        .step_by(threads)
                        .map(|index| (index, verify_rule(set, automaton, index, options)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for worker in workers {
            for (index, result) in worker.join().expect("verifier thread panicked") {
                per_rule[index] = Some(result);
            }
        }
    });
    let mut report = Report::default();
    for (coverage, diagnostics) in per_rule.into_iter().map(|r| r.expect("every rule checked")) {
        report.coverage.push(coverage);
        report.diagnostics.extend(diagnostics);
    }
    report
}

fn verify_rule(
    set: &RuleSet,
    automaton: &Automaton,
    index: usize,
    options: &Options,
) -> (Coverage, Vec<Diagnostic>) {
    let mut checker = RuleChecker {
        set,
        automaton,
        rule: &set.rules[index],
        index,
        linear: &automaton.rules[index],
        preconditions: automaton.rules[index]
            .steps
            .iter()
            .filter(|(t, _)| matches!(t, Test::IsPowerOfTwo(..) | Test::Compare(..)))
            .cloned()
            .collect(),
        coverage: Coverage::default(),
        fired: false,
        winners: BTreeSet::new(),
        failure: None,
    };
    checker.run(options);
    let coverage = checker.coverage.clone();
    (coverage, checker.finish())
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
    /// The match steps that can fail on a tree built from the pattern
    /// itself: the preconditions.
    preconditions: Vec<(Test, Expect)>,
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

/// Where a binding's sample value goes in the tree.
#[derive(Clone, Copy)]
enum Site {
    /// An input term: its outcome is the value.
    Input(TermId),
    /// The immediate of an `iconst` term.
    Const(TermId),
    /// The condition code of a comparison term.
    IntCC(TermId),
    /// The condition code of a float comparison term.
    FloatCC(TermId),
}

/// A right-hand-side action with its paths and types resolved for one
/// instantiation.
enum Step {
    Use(TermId),
    Const {
        ty: Type,
        value: CExpr,
    },
    Inst {
        opcode: Opcode,
        ctrl: Type,
        imm: Option<CExpr>,
        args: Vec<usize>,
    },
}

/// The candidate tree of one instantiation, built once; each sample only
/// rewrites its leaves.
struct Frame {
    terms: Terms,
    root: TermId,
    /// Per binding index: where its values go.
    sites: Vec<Vec<Site>>,
    /// Per term: the binding whose sample value an input term takes.
    input_binding: Vec<Option<usize>>,
    /// Every value path of the pattern and its term.
    paths: Vec<(Path, TermId)>,
    /// The right-hand side.
    steps: Vec<Step>,
    /// Outcome per term, then per step (reused across samples).
    outcomes: Vec<Outcome>,
    results: Vec<Outcome>,
}

impl Frame {
    fn at(&self, p: &Path) -> Option<TermId> {
        self.paths.iter().find(|(q, _)| q == p).map(|&(_, t)| t)
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
            let mut frame = self.frame(inst);
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
                self.product(&mut frame, inst, &all);
                continue;
            }
            let edges: Vec<Vec<u128>> = domains.iter().map(|d| d.edges()).collect();
            let combos = edges
                .iter()
                .try_fold(1u64, |acc, e| acc.checked_mul(e.len() as u64));
            if combos.is_some_and(|c| c <= options.edge_limit) {
                self.product(&mut frame, inst, &edges);
            } else {
                let mut sample: Sample = vec![0; edges.len()];
                for _ in 0..options.edge_limit {
                    for (slot, e) in sample.iter_mut().zip(&edges) {
                        *slot = e[rng.below(e.len())];
                    }
                    self.check(&mut frame, inst, &sample);
                }
            }
            let mut sample: Sample = vec![0; edges.len()];
            for _ in 0..options.random_samples {
                for ((slot, d), e) in sample.iter_mut().zip(&domains).zip(&edges) {
                    *slot = match *d {
                        Domain::Bits(t) => samples::random_value(&mut rng, t, e),
                        _ => e[rng.below(e.len())],
                    };
                }
                self.check(&mut frame, inst, &sample);
            }
        }
    }

    /// Checks every combination of the given per-binding values.
    fn product(&mut self, frame: &mut Frame, inst: &[Option<Type>], values: &[Vec<u128>]) {
        let mut pick = vec![0usize; values.len()];
        let mut sample: Sample = values.iter().map(|v| v[0]).collect();
        loop {
            if self.failure.is_some() {
                return;
            }
            self.check(frame, inst, &sample);
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

    /// Builds the candidate tree of an instantiation and resolves the
    /// right-hand side against it, and checks (once) that the tree passes
    /// every structural step of the rule.
    fn frame(&self, inst: &[Option<Type>]) -> Frame {
        let mut frame = Frame {
            terms: Terms::new(),
            root: TermId(0),
            sites: vec![Vec::new(); self.rule.bindings.len()],
            input_binding: Vec::new(),
            paths: Vec::new(),
            steps: Vec::new(),
            outcomes: Vec::new(),
            results: Vec::new(),
        };
        frame.root = self.build(&mut frame, &self.rule.lhs, inst);
        frame.input_binding = vec![None; frame.terms.len()];
        for (b, sites) in frame.sites.iter().enumerate() {
            for site in sites {
                if let Site::Input(id) = site {
                    frame.input_binding[id.0] = Some(b);
                }
            }
        }
        let (terms, root) = (&frame.terms, frame.root);
        let structural = self
            .linear
            .steps
            .iter()
            .filter(|s| !self.preconditions.contains(s));
        for (test, expect) in structural {
            // Bound constants are all zero here, which their tests accept.
            let at = |p: &Path| interp::value_at(terms, root, p);
            assert_eq!(
                interp::eval_test(terms, &at, test),
                Some(*expect),
                "internal error: a tree built from {} fails its own pattern",
                self.rule.name
            );
        }
        let ty =
            |t: &TypeOf| interp::type_of(terms, &|p: &Path| interp::value_at(terms, root, p), t);
        let steps: Vec<Step> = self
            .linear
            .actions
            .iter()
            .map(|a| match a {
                Action::UseValue(p) => Step::Use(frame.at(p).expect("a pattern path")),
                Action::MakeConst { ty: t, value } => Step::Const {
                    ty: ty(t).expect("typed"),
                    value: value.clone(),
                },
                Action::MakeInst {
                    opcode,
                    ctrl,
                    imm,
                    args,
                } => Step::Inst {
                    opcode: *opcode,
                    ctrl: ty(ctrl).expect("typed"),
                    imm: imm.clone(),
                    args: args.clone(),
                },
            })
            .collect();
        frame.steps = steps;
        frame
    }

    /// Adds the term for `pat` (and its operands) to the frame.
    fn build(&self, frame: &mut Frame, pat: &Pat, inst: &[Option<Type>]) -> TermId {
        let ty = |v: crate::rule::TyVar| inst[v.0 as usize].expect("value type");
        let id = match &pat.kind {
            PatKind::Op {
                opcode,
                ctrl,
                operands,
            } => {
                let mut imm = Imm::None;
                let mut cc_binding = None;
                let mut const_binding = None;
                let mut args = [TermId(0); 3];
                let mut n = 0;
                for o in operands {
                    match (o.pos, &o.kind) {
                        (Pos::Value, _) => {
                            args[n] = self.build(frame, o, inst);
                            n += 1;
                        }
                        (Pos::Imm(_), PatKind::IntCC(cc)) => imm = Imm::IntCC(*cc),
                        (Pos::Imm(_), PatKind::FloatCC(cc)) => imm = Imm::FloatCC(*cc),
                        // `Terms::inst` masks it to the width.
                        (Pos::Imm(_), PatKind::Int(v)) => imm = Imm::Int(*v as u128),
                        (Pos::Imm(kind), PatKind::Bind { binding, .. }) => {
                            imm = match kind {
                                ImmKind::Int => {
                                    const_binding = Some(binding.0 as usize);
                                    Imm::Int(0)
                                }
                                ImmKind::IntCC => {
                                    cc_binding = Some((binding.0 as usize, false));
                                    Imm::IntCC(IntCC::Equal)
                                }
                                ImmKind::FloatCC => {
                                    cc_binding = Some((binding.0 as usize, true));
                                    Imm::FloatCC(FloatCC::Equal)
                                }
                            }
                        }
                        (Pos::Imm(_), PatKind::Op { .. }) => {
                            unreachable!("instructions are not immediates")
                        }
                    }
                }
                let id = frame.terms.inst(*opcode, ty(*ctrl), imm, &args[..n]);
                if let Some(b) = const_binding {
                    frame.sites[b].push(Site::Const(id));
                }
                match cc_binding {
                    Some((b, false)) => frame.sites[b].push(Site::IntCC(id)),
                    Some((b, true)) => frame.sites[b].push(Site::FloatCC(id)),
                    None => {}
                }
                id
            }
            PatKind::Int(v) => {
                let t = ty(pat.ty);
                frame.terms.iconst(t, crate::fold::literal_bits(t, *v))
            }
            PatKind::Bind { binding, first } => {
                let b = self.rule.binding(*binding);
                let i = binding.0 as usize;
                match b.kind {
                    BindingKind::Value if !first => {
                        return frame.at(&b.path).expect("bound before");
                    }
                    BindingKind::Value => {
                        let t = ty(b.ty);
                        let id = frame.terms.input(t);
                        frame.sites[i].push(Site::Input(id));
                        id
                    }
                    // Each occurrence of a constant is its own `iconst`, as
                    // two equal constants in real code usually are.
                    BindingKind::Const => {
                        let id = frame.terms.iconst(ty(b.ty), 0);
                        frame.sites[i].push(Site::Const(id));
                        id
                    }
                    BindingKind::IntCC | BindingKind::FloatCC => {
                        unreachable!("condition codes are immediates")
                    }
                }
            }
            PatKind::IntCC(_) | PatKind::FloatCC(_) => unreachable!("immediates"),
        };
        if pat.pos == Pos::Value {
            frame.paths.push((pat.path.clone(), id));
        }
        id
    }

    /// Checks one input.
    fn check(&mut self, frame: &mut Frame, inst: &[Option<Type>], sample: &Sample) {
        self.coverage.inputs += 1;
        // Put the sample into the tree.
        for (sites, &value) in frame.sites.iter().zip(sample) {
            for &site in sites {
                match site {
                    Site::Input(_) => {}
                    Site::Const(id) => frame.terms.set_imm(id, Imm::Int(value)),
                    Site::IntCC(id) => frame
                        .terms
                        .set_imm(id, Imm::IntCC(IntCC::ALL[value as usize])),
                    Site::FloatCC(id) => frame
                        .terms
                        .set_imm(id, Imm::FloatCC(FloatCC::ALL[value as usize])),
                }
            }
        }
        let at = |p: &Path| frame.at(p);
        let terms = &frame.terms;
        let holds = self
            .preconditions
            .iter()
            .all(|(test, expect)| interp::eval_test(terms, &at, test) == Some(*expect));
        if !holds {
            return;
        }
        // Evaluate every term; children come before parents.
        let mut outcomes = std::mem::take(&mut frame.outcomes);
        outcomes.clear();
        for i in 0..frame.terms.len() {
            let id = TermId(i);
            let t = frame.terms.get(id);
            let outcome = match t.opcode {
                None => {
                    let b = frame.input_binding[i].expect("every input has a binding");
                    Ok(DataValue::new(t.ty, sample[b]))
                }
                Some(opcode) => {
                    let operands = frame.terms.args(id);
                    let mut args = [DataValue::new(Type::I8, 0); 3];
                    let mut trap = None;
                    for (slot, a) in args.iter_mut().zip(operands) {
                        match outcomes[a.0] {
                            Ok(v) => *slot = v,
                            Err(code) => {
                                trap = Some(code);
                                break;
                            }
                        }
                    }
                    match trap {
                        Some(code) => Err(code),
                        None => eval(opcode, t.ctrl, t.imm, &args[..operands.len()]),
                    }
                }
            };
            outcomes.push(outcome);
        }
        let lhs = outcomes[frame.root.0];
        frame.outcomes = outcomes;
        let Some(rhs) = self.eval_rhs(frame) else {
            // A partial unquote failed: the rule does not apply here.
            return;
        };
        self.coverage.matched += 1;
        if lhs != rhs {
            self.failure = Some(self.counterexample(inst, sample, lhs, rhs));
            return;
        }
        if !self.fired {
            match interp::find(self.automaton, &frame.terms, frame.root) {
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

    /// Evaluates the right-hand side; `None` if a compile-time expression
    /// is undefined for this input.
    fn eval_rhs(&self, frame: &mut Frame) -> Option<Outcome> {
        let mut results = std::mem::take(&mut frame.results);
        results.clear();
        let at = |p: &Path| frame.at(p);
        let terms = &frame.terms;
        for step in &frame.steps {
            let outcome = match step {
                Step::Use(id) => frame.outcomes[id.0],
                Step::Const { ty, value } => match interp::eval_cexpr(terms, &at, value, *ty) {
                    Some(Konst::Int(bits)) => Ok(DataValue::new(*ty, bits)),
                    Some(other) => unreachable!("constant expected, found {other:?}"),
                    None => {
                        frame.results = results;
                        return None;
                    }
                },
                Step::Inst {
                    opcode,
                    ctrl,
                    imm,
                    args,
                } => {
                    let imm = match imm {
                        None => Imm::None,
                        Some(e) => match interp::eval_cexpr(terms, &at, e, *ctrl) {
                            Some(k) => k.to_imm(),
                            None => {
                                frame.results = results;
                                return None;
                            }
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
                        None => eval(*opcode, *ctrl, imm, &values[..args.len()]),
                    }
                }
            };
            results.push(outcome);
        }
        let last = results.last().copied();
        frame.results = results;
        last
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
                    write!(
                        inputs,
                        "${} = {}",
                        b.name,
                        show(&Ok(DataValue::new(t, sample[i])))
                    )
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
