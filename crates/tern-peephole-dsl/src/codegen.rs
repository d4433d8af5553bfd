//! Emitting the automaton as Rust source.
//!
//! The optimizer's `build.rs` compiles the rule files and writes this
//! module's output into `OUT_DIR`; the optimizer `include!`s it. Nothing is
//! interpreted at compile time of the user's program: every node of the
//! automaton becomes Rust code.
//!
//! * A node's test becomes a `match` (opcode, small constant, condition
//!   code) or an `if` (yes/no tests). Each branch holds the code of its
//!   child; the *otherwise* child's code follows the `match`, so when a
//!   branch finds nothing, execution simply falls through to the more
//!   general rules. A node's accepted rule comes last.
//! * Entering an opcode branch binds that instruction's operands to
//!   variables named after their paths (`v_1_0` is operand 0 of operand 1 of
//!   the root), so every deeper test reads a local.
//! * Accepting a rule computes what its right-hand side needs — matched
//!   values, types, and the constants of unquotes, where a partial one
//!   (`log2` of zero) rejects the match and lets the search continue — and
//!   returns a `Match`.
//! * `apply` has one arm per rule that builds the right-hand side through a
//!   [`Builder`](crate::subject::Builder) and says what the root becomes.
//!
//! The code is generic over [`Subject`](crate::subject::Subject) and
//! `Builder`, so it is monomorphized for the IR (and can be run on
//! [`Terms`](crate::subject::Terms) in tests).

use std::fmt::Write as _;

use tern_ir::{FloatCC, IntCC, Opcode, Type};

use crate::RuleSet;
use crate::automaton::{Automaton, NodeId};
use crate::linear::{Action, CExpr, Expect, Linear, Test, TypeOf};
use crate::rule::{Path, UnquoteOp};
use crate::signature::signature;

/// Emits the matcher for `automaton` (built from `set`) as a Rust module
/// body. It expects `tern_ir` and `tern_peephole_dsl` to be dependencies of
/// the including crate.
pub fn emit(set: &RuleSet, automaton: &Automaton) -> String {
    let plans: Vec<Plan> = automaton.rules.iter().map(Plan::new).collect();
    let nv = plans.iter().map(|p| p.values.len()).max().unwrap_or(0);
    let nt = plans.iter().map(|p| p.types.len()).max().unwrap_or(0);
    let nk = plans.iter().map(|p| p.consts.len()).max().unwrap_or(0);
    let mut e = Emitter {
        out: String::new(),
        indent: 0,
        plans: &plans,
        automaton,
        sizes: (nv, nt, nk),
    };
    e.find();
    e.apply();
    let body = std::mem::take(&mut e.out);
    e.header(set, &body);
    e.out.push_str(&body);
    e.out
}

/// What one rule's accept step captures, in the order `apply` indexes it.
struct Plan {
    /// Matched values the right-hand side reuses.
    values: Vec<Path>,
    /// Paths whose types the right-hand side needs.
    types: Vec<Path>,
    /// Compile-time expressions, with their type and what they compute.
    consts: Vec<(CExpr, TypeOf, Sort)>,
}

/// What a compile-time expression computes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    Int,
    IntCC,
    FloatCC,
}

impl Plan {
    fn new(rule: &Linear) -> Plan {
        let mut plan = Plan {
            values: Vec::new(),
            types: Vec::new(),
            consts: Vec::new(),
        };
        for action in &rule.actions {
            match action {
                Action::UseValue(p) => push_unique(&mut plan.values, p.clone()),
                Action::MakeConst { ty, value } => {
                    plan.need_type(ty);
                    plan.consts.push((value.clone(), ty.clone(), Sort::Int));
                }
                Action::MakeInst {
                    opcode, ctrl, imm, ..
                } => {
                    plan.need_type(ctrl);
                    if let Some(e) = imm {
                        let sort = match opcode {
                            Opcode::Icmp => Sort::IntCC,
                            Opcode::Fcmp => Sort::FloatCC,
                            _ => Sort::Int,
                        };
                        plan.consts.push((e.clone(), ctrl.clone(), sort));
                    }
                }
            }
        }
        plan
    }

    fn need_type(&mut self, t: &TypeOf) {
        if let TypeOf::At(p) = t {
            push_unique(&mut self.types, p.clone());
        }
    }
}

fn push_unique(v: &mut Vec<Path>, p: Path) {
    if !v.contains(&p) {
        v.push(p);
    }
}

/// The variable holding the value at `path`.
fn var(path: &Path) -> String {
    let mut s = String::from("v");
    for i in &path.0 {
        let _ = write!(s, "_{i}");
    }
    s
}

fn type_expr(t: Type) -> String {
    format!("Type::{t:?}")
}

fn int_cc_expr(cc: IntCC) -> String {
    format!("IntCC::{cc:?}")
}

fn float_cc_expr(cc: FloatCC) -> String {
    format!("FloatCC::{cc:?}")
}

fn opcode_expr(op: Opcode) -> String {
    format!("Opcode::{op:?}")
}

/// Rust code for an integer expression; `ty` names the type in scope.
fn int_expr(e: &CExpr) -> String {
    match e {
        CExpr::Const(p) => format!("s.iconst_bits({})", var(p)),
        CExpr::Int(v) => format!("fold::literal_bits(ty, {v})"),
        CExpr::Unquote(op, args) => {
            let a: Vec<String> = args.iter().map(int_expr).collect();
            match op {
                UnquoteOp::Log2 => format!("fold::log2(ty, {})?", a[0]),
                UnquoteOp::Neg | UnquoteOp::Bnot => format!("fold::{}(ty, {})", op.name(), a[0]),
                _ => format!("fold::{}(ty, {}, {})", op.name(), a[0], a[1]),
            }
        }
        CExpr::CondCode(_) | CExpr::IntCC(_) | CExpr::FloatCC(_) => {
            unreachable!("integer expression expected")
        }
    }
}

/// Rust code for a condition-code expression of the given sort.
fn cc_expr(e: &CExpr, sort: Sort) -> String {
    match e {
        CExpr::CondCode(p) => {
            let variant = if sort == Sort::IntCC {
                "IntCC"
            } else {
                "FloatCC"
            };
            format!(
                "match s.imm({}) {{ Imm::{variant}(cc) => cc, _ => return None }}",
                var(p)
            )
        }
        CExpr::IntCC(cc) => int_cc_expr(*cc),
        CExpr::FloatCC(cc) => float_cc_expr(*cc),
        CExpr::Unquote(UnquoteOp::Inverse, args) => {
            format!("{}.inverse()", receiver(cc_expr(&args[0], sort)))
        }
        CExpr::Unquote(UnquoteOp::SwapArgs, args) => {
            format!("{}.swap_args()", receiver(cc_expr(&args[0], sort)))
        }
        _ => unreachable!("condition-code expression expected"),
    }
}

/// `code` made usable as a method receiver.
fn receiver(code: String) -> String {
    if code.starts_with("match ") {
        format!("({code})")
    } else {
        code
    }
}

/// Rust code for a type.
fn type_of_expr(t: &TypeOf) -> String {
    match t {
        TypeOf::Fixed(t) => type_expr(*t),
        TypeOf::At(p) => format!("s.ty({})", var(p)),
    }
}

struct Emitter<'a> {
    out: String,
    indent: usize,
    plans: &'a [Plan],
    automaton: &'a Automaton,
    sizes: (usize, usize, usize),
}

impl Emitter<'_> {
    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn open(&mut self, text: &str) {
        self.line(text);
        self.indent += 1;
    }

    fn close(&mut self, text: &str) {
        self.indent -= 1;
        self.line(text);
    }

    /// The file header: imports (only those `body` uses), the rule table
    /// and the `Match` type.
    fn header(&mut self, set: &RuleSet, body: &str) {
        let (nv, nt, nk) = self.sizes;
        self.line("// @generated by tern-peephole-dsl from the rule files listed in RULES.");
        self.line("");
        let ir: Vec<&str> = ["FloatCC", "Imm", "IntCC", "Opcode", "Type"]
            .into_iter()
            .filter(|name| *name == "Type" || body.contains(&format!("{name}::")))
            .collect();
        self.line(&format!("use tern_ir::{{{}}};", ir.join(", ")));
        self.line("use tern_peephole_dsl::RuleInfo;");
        if body.contains("fold::") {
            self.line("use tern_peephole_dsl::fold;");
        }
        self.line("use tern_peephole_dsl::interp::Konst;");
        self.line("use tern_peephole_dsl::subject::{Builder, Replacement, Subject};");
        self.line("");
        self.line("/// Every rule, indexed by `Match::rule`.");
        self.open(&format!(
            "pub static RULES: [RuleInfo; {}] = [",
            set.rules.len()
        ));
        for r in &set.rules {
            self.line(&format!(
                "RuleInfo {{ name: {:?}, text: {:?} }},",
                r.name, r.text
            ));
        }
        self.close("];");
        self.line("");
        self.line("/// How many instructions below the root the deepest pattern inspects;");
        self.line("/// a rewrite can enable matches rooted this many users above it.");
        self.line(&format!(
            "pub const MAX_DEPTH: usize = {};",
            self.automaton.max_depth()
        ));
        self.line("");
        self.line("/// A successful match: the rule and what its right-hand side needs.");
        self.line("#[derive(Clone, Copy, Debug)]");
        self.open("pub struct Match<V> {");
        self.line("/// Index into `RULES`.");
        self.line("pub rule: usize,");
        self.line("/// The matched root value.");
        self.line("pub root: V,");
        self.line(&format!("values: [V; {nv}],"));
        self.line(&format!("types: [Type; {nt}],"));
        self.line(&format!("consts: [Konst; {nk}],"));
        self.close("}");
        self.line("");
    }

    fn find(&mut self) {
        self.line("/// The most specific rule matching the instruction that defines `v`.");
        self.line("#[allow(unused_variables, clippy::all)]");
        self.open("pub fn find<S: Subject>(s: &S, v: S::Value) -> Option<Match<S::Value>> {");
        self.node(Automaton::ROOT);
        self.line("None");
        self.close("}");
        self.line("");
    }

    fn node(&mut self, id: NodeId) {
        let node = self.automaton.node(id).clone();
        if let Some(switch) = &node.switch {
            self.test(&switch.test, &switch.branches);
            if let Some(other) = switch.otherwise {
                self.node(other);
            }
        }
        if let Some(rule) = node.accept {
            self.accept(rule);
        }
    }

    /// Emits a test with its branches.
    fn test(&mut self, test: &Test, branches: &[(Expect, NodeId)]) {
        match test {
            Test::Opcode(p) => {
                self.open(&format!("match s.opcode({}) {{", var(p)));
                for &(expect, child) in branches {
                    let Expect::Opcode(op) = expect else {
                        unreachable!("opcode branches")
                    };
                    self.open(&format!("Some({}) => {{", opcode_expr(op)));
                    let sig = signature(op).expect("rules only use supported opcodes");
                    for k in 0..sig.args {
                        let child_path = p.child(sig.imms.len() + k);
                        let line = format!("let {} = s.arg({}, {k});", var(&child_path), var(p));
                        self.line(&line);
                    }
                    self.node(child);
                    self.close("}");
                }
                self.line("_ => {}");
                self.close("}");
            }
            Test::SmallInt(p) => {
                let head = format!(
                    "match fold::signed(s.ty({0}), s.iconst_bits({0})) {{",
                    var(p)
                );
                self.open(&head);
                for &(expect, child) in branches {
                    let Expect::Int(k) = expect else {
                        unreachable!("integer branches")
                    };
                    self.open(&format!("{k} => {{"));
                    self.node(child);
                    self.close("}");
                }
                self.line("_ => {}");
                self.close("}");
            }
            Test::IntCC(p) | Test::FloatCC(p) => {
                self.open(&format!("match s.imm({}) {{", var(p)));
                for &(expect, child) in branches {
                    let pattern = match expect {
                        Expect::IntCC(cc) => format!("Imm::IntCC({})", int_cc_expr(cc)),
                        Expect::FloatCC(cc) => format!("Imm::FloatCC({})", float_cc_expr(cc)),
                        _ => unreachable!("condition-code branches"),
                    };
                    self.open(&format!("{pattern} => {{"));
                    self.node(child);
                    self.close("}");
                }
                self.line("_ => {}");
                self.close("}");
            }
            _ => {
                let [(Expect::True, child)] = branches else {
                    unreachable!("yes/no tests have one branch")
                };
                let condition = self.condition(test);
                self.open(&format!("if {condition} {{"));
                self.node(*child);
                self.close("}");
            }
        }
    }

    /// The Rust condition for a yes/no test.
    fn condition(&self, test: &Test) -> String {
        match test {
            Test::TypeIn(p, set) => {
                let alts: Vec<String> = set.iter().map(type_expr).collect();
                format!("matches!(s.ty({}), {})", var(p), alts.join(" | "))
            }
            Test::IntIs(p, lit) => format!(
                "fold::literal_matches(s.ty({0}), s.iconst_bits({0}), {lit})",
                var(p)
            ),
            Test::SameValue(a, b) => format!("{} == {}", var(a), var(b)),
            Test::SameConst(a, b) => format!(
                "s.ty({0}) == s.ty({1}) && s.iconst_bits({0}) == s.iconst_bits({1})",
                var(a),
                var(b)
            ),
            Test::SameCondCode(a, b) => format!("s.imm({}) == s.imm({})", var(a), var(b)),
            Test::IsPowerOfTwo(e, t) => format!(
                "(|| -> Option<bool> {{ let ty = {}; Some(fold::is_power_of_two(ty, {})) }})() == Some(true)",
                type_of_expr(t),
                int_expr(e)
            ),
            Test::Compare(cc, a, b, t) => format!(
                "(|| -> Option<bool> {{ let ty = {}; Some(fold::compare({}, ty, {}, {})) }})() == Some(true)",
                type_of_expr(t),
                int_cc_expr(*cc),
                int_expr(a),
                int_expr(b)
            ),
            Test::Opcode(_) | Test::SmallInt(_) | Test::IntCC(_) | Test::FloatCC(_) => {
                unreachable!("switches are not conditions")
            }
        }
    }

    /// Emits the acceptance of `rule`: capture, and return the match.
    fn accept(&mut self, rule: usize) {
        let (nv, nt, nk) = self.sizes;
        let plan = &self.plans[rule];
        self.line(&format!("// accept rule {rule}"));
        self.open("if let Some(m) = (|| {");
        let mut types: Vec<String> = Vec::new();
        for (i, p) in plan.types.iter().enumerate() {
            types.push(format!("t{i}"));
            let line = format!("let t{i} = s.ty({});", var(p));
            self.line(&line);
        }
        let mut consts = Vec::new();
        for (i, (e, t, sort)) in plan.consts.iter().enumerate() {
            let ty = match t {
                TypeOf::Fixed(t) => type_expr(*t),
                TypeOf::At(p) => {
                    let slot = plan.types.iter().position(|q| q == p).expect("captured");
                    format!("t{slot}")
                }
            };
            let value = match sort {
                Sort::Int => format!("Konst::Int({{ let ty = {ty}; {} }})", int_expr(e)),
                Sort::IntCC => format!("Konst::IntCC({})", cc_expr(e, *sort)),
                Sort::FloatCC => format!("Konst::FloatCC({})", cc_expr(e, *sort)),
            };
            consts.push(format!("k{i}"));
            let line = format!("let k{i} = {value};");
            self.line(&line);
        }
        let mut values: Vec<String> = plan.values.iter().map(var).collect();
        values.resize(nv, "v".to_string());
        types.resize(nt, "Type::I8".to_string());
        consts.resize(nk, "Konst::Int(0)".to_string());
        let line = format!(
            "Some(Match {{ rule: {rule}, root: v, values: [{}], types: [{}], consts: [{}] }})",
            values.join(", "),
            types.join(", "),
            consts.join(", ")
        );
        self.line(&line);
        self.close("})() {");
        self.indent += 1;
        self.line("return Some(m);");
        self.close("}");
    }

    fn apply(&mut self) {
        self.line("/// Builds the right-hand side of `m`'s rule; returns what the root becomes.");
        self.line("#[allow(unused_variables, clippy::all)]");
        self.open(
            "pub fn apply<B: Builder>(b: &mut B, m: &Match<B::Value>) -> Replacement<B::Value> {",
        );
        self.open("match m.rule {");
        for (index, rule) in self.automaton.rules.iter().enumerate() {
            let plan = &self.plans[index];
            self.open(&format!("{index} => {{"));
            let ty = |t: &TypeOf| match t {
                TypeOf::Fixed(t) => type_expr(*t),
                TypeOf::At(p) => format!(
                    "m.types[{}]",
                    plan.types.iter().position(|q| q == p).expect("captured")
                ),
            };
            let mut next_const = 0;
            let last = rule.actions.len() - 1;
            for (i, action) in rule.actions.iter().enumerate() {
                let (opcode, ctrl, imm, args) = match action {
                    Action::UseValue(p) => {
                        let slot = plan.values.iter().position(|q| q == p).expect("captured");
                        if i == last {
                            self.line(&format!("Replacement::Value(m.values[{slot}])"));
                        } else {
                            self.line(&format!("let a{i} = m.values[{slot}];"));
                        }
                        continue;
                    }
                    Action::MakeConst { ty: t, .. } => {
                        next_const += 1;
                        (
                            Opcode::Iconst,
                            ty(t),
                            format!("m.consts[{}].to_imm()", next_const - 1),
                            Vec::new(),
                        )
                    }
                    Action::MakeInst {
                        opcode,
                        ctrl,
                        imm,
                        args,
                    } => {
                        let imm = match imm {
                            Some(_) => {
                                next_const += 1;
                                format!("m.consts[{}].to_imm()", next_const - 1)
                            }
                            None => "Imm::None".to_string(),
                        };
                        let args: Vec<String> = args.iter().map(|a| format!("a{a}")).collect();
                        (*opcode, ty(ctrl), imm, args)
                    }
                };
                if i == last {
                    let mut padded = args.clone();
                    padded.resize(3, "m.root".to_string());
                    self.line(&format!(
                        "Replacement::Inst {{ opcode: {}, ctrl: {ctrl}, imm: {imm}, args: [{}], len: {} }}",
                        opcode_expr(opcode),
                        padded.join(", "),
                        args.len()
                    ));
                } else {
                    self.line(&format!(
                        "let a{i} = b.inst({}, {ctrl}, {imm}, &[{}]);",
                        opcode_expr(opcode),
                        args.join(", ")
                    ));
                }
            }
            self.close("}");
        }
        self.line("_ => unreachable!(\"no rule {}\", m.rule),");
        self.close("}");
        self.close("}");
    }
}
