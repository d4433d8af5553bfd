//! Linearization: each rule becomes a sorted list of match steps plus a
//! list of build actions.
//!
//! A *match step* is a [`Test`] on some part of the candidate instruction
//! tree and the [`Expect`]ed result. Tests name what they look at by
//! [`Path`] — the value reached from the root by following operand indices
//! — so that the same test in two rules is literally the same value, which
//! is what lets the automaton share it.
//!
//! Steps are sorted by one global order (see [`Test::order_key`]): by the
//! deepest path they need, in pre-order, then by kind, opcode tests first.
//! Two consequences the automaton relies on: a test always comes after the
//! opcode tests that make its paths exist (the operands of a value are only
//! known once we know which instruction defines it), and any two rules list
//! their common tests in the same relative order, so their shared prefix is
//! as long as it can be.
//!
//! The right-hand side becomes [`Action`]s in post-order: reuse a matched
//! value, make a constant, make an instruction from earlier actions. The
//! last action is the replacement for the root.
//!
//! Constants are found through the `iconst` that defines them: a constant
//! bound by `(iadd $x $C)` and one bound by `(iadd $x (iconst $C))` are both
//! the immediate of the `iconst` at path `root.1`. Condition codes likewise
//! are read from the comparison at a path.

use tern_ir::{FloatCC, IntCC, Opcode, Type};

use crate::fold::SMALL_LITERALS;
use crate::rule::*;
use crate::signature::{ImmKind, TypeSet};

/// A compile-time expression over the matched instructions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CExpr {
    /// The immediate of the `iconst` defining the value at the path.
    Const(Path),
    /// The condition code of the comparison defining the value at the path.
    CondCode(Path),
    /// An integer literal.
    Int(i128),
    /// An integer condition code literal.
    IntCC(IntCC),
    /// A float condition code literal.
    FloatCC(FloatCC),
    /// An unquote over sub-expressions.
    Unquote(UnquoteOp, Vec<CExpr>),
}

/// Where a test or action gets a type: fixed, or the type of a matched
/// value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeOf {
    /// This type.
    Fixed(Type),
    /// The type of the value at this path.
    At(Path),
}

/// Something to find out about the candidate.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Test {
    /// Which opcode defines the value at the path (or that no single-result
    /// instruction does).
    Opcode(Path),
    /// Is the value's type in the set?
    TypeIn(Path, TypeSet),
    /// The signed value of the `iconst` at the path, for literals in
    /// [`SMALL_LITERALS`], which mean the same at every width.
    SmallInt(Path),
    /// Does the `iconst` at the path match this (large) literal?
    IntIs(Path, i128),
    /// The condition code of the `icmp` at the path.
    IntCC(Path),
    /// The condition code of the `fcmp` at the path.
    FloatCC(Path),
    /// Are the two values the same SSA value?
    SameValue(Path, Path),
    /// Do the two `iconst`s have the same type and bits?
    SameConst(Path, Path),
    /// Do the two comparisons have the same condition code?
    SameCondCode(Path, Path),
    /// Is exactly one bit of the expression set?
    IsPowerOfTwo(CExpr, TypeOf),
    /// Does the integer comparison hold?
    Compare(IntCC, CExpr, CExpr, TypeOf),
}

/// The result a rule needs from a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Expect {
    /// For [`Test::Opcode`].
    Opcode(Opcode),
    /// For [`Test::SmallInt`].
    Int(i128),
    /// For [`Test::IntCC`].
    IntCC(IntCC),
    /// For [`Test::FloatCC`].
    FloatCC(FloatCC),
    /// For every yes/no test.
    True,
}

impl Test {
    /// The key of the global test order: the deepest path the test needs,
    /// then a rank by kind, then the test itself (to make it total).
    pub fn order_key(&self) -> (Path, u8, &Test) {
        let (path, rank) = match self {
            Test::Opcode(p) => (p.clone(), 0),
            Test::TypeIn(p, _) => (p.clone(), 1),
            Test::SmallInt(p) => (p.clone(), 2),
            Test::IntIs(p, _) => (p.clone(), 3),
            Test::IntCC(p) => (p.clone(), 4),
            Test::FloatCC(p) => (p.clone(), 5),
            Test::SameValue(a, b) | Test::SameConst(a, b) | Test::SameCondCode(a, b) => {
                (a.clone().max(b.clone()), 6)
            }
            Test::IsPowerOfTwo(e, t) => (deepest(e, t), 7),
            Test::Compare(_, a, b, t) => (deepest(a, t).max(deepest(b, t)), 8),
        };
        (path, rank, self)
    }

    /// Is this a yes/no test (as opposed to a switch over many results)?
    pub fn is_boolean(&self) -> bool {
        !matches!(
            self,
            Test::Opcode(_) | Test::SmallInt(_) | Test::IntCC(_) | Test::FloatCC(_)
        )
    }
}

/// The deepest path an expression (with its type source) reads.
fn deepest(e: &CExpr, t: &TypeOf) -> Path {
    fn walk(e: &CExpr, best: &mut Path) {
        match e {
            CExpr::Const(p) | CExpr::CondCode(p) => *best = best.clone().max(p.clone()),
            CExpr::Unquote(_, args) => args.iter().for_each(|a| walk(a, best)),
            CExpr::Int(_) | CExpr::IntCC(_) | CExpr::FloatCC(_) => {}
        }
    }
    let mut best = match t {
        TypeOf::At(p) => p.clone(),
        TypeOf::Fixed(_) => Path::root(),
    };
    walk(e, &mut best);
    best
}

/// One step of building the right-hand side. Actions refer to earlier ones
/// by index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// The matched value at this path.
    UseValue(Path),
    /// A new `iconst` of this type with this value.
    MakeConst {
        /// The constant's type.
        ty: TypeOf,
        /// Its value.
        value: CExpr,
    },
    /// A new instruction.
    MakeInst {
        /// The opcode.
        opcode: Opcode,
        /// The controlling type.
        ctrl: TypeOf,
        /// The immediate, if the opcode has one.
        imm: Option<CExpr>,
        /// The value operands: indices of earlier actions.
        args: Vec<usize>,
    },
}

/// A linearized rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linear {
    /// The rule's index in its rule set.
    pub rule: usize,
    /// The match steps, in the global test order.
    pub steps: Vec<(Test, Expect)>,
    /// How to build the replacement; the last action is the root's.
    pub actions: Vec<Action>,
    /// How many instructions deep the pattern looks (see [`Rule::depth`]).
    pub depth: usize,
}

impl Linear {
    /// Every compile-time expression the actions compute. They are
    /// evaluated when matching, so that a partial one (`log2` of zero) makes
    /// the rule not match rather than fail while rewriting.
    pub fn action_exprs(&self) -> impl Iterator<Item = (&CExpr, Option<&TypeOf>)> {
        self.actions.iter().filter_map(|a| match a {
            Action::MakeConst { ty, value } => Some((value, Some(ty))),
            Action::MakeInst {
                imm: Some(e), ctrl, ..
            } => Some((e, Some(ctrl))),
            _ => None,
        })
    }
}

/// Linearizes rule number `index`.
pub fn linearize(index: usize, rule: &Rule) -> Linear {
    let mut steps = Vec::new();
    pattern_steps(rule, &rule.lhs, &mut steps);
    for (path, set) in &rule.type_tests {
        steps.push((Test::TypeIn(path.clone(), *set), Expect::True));
    }
    for pred in &rule.preds {
        steps.push(match pred {
            Pred::IsPowerOfTwo(e) => (
                Test::IsPowerOfTwo(cexpr(rule, e), type_of(rule, e.ty)),
                Expect::True,
            ),
            Pred::Compare(cc, a, b) => (
                Test::Compare(*cc, cexpr(rule, a), cexpr(rule, b), type_of(rule, a.ty)),
                Expect::True,
            ),
        });
    }
    steps.sort_by(|a, b| a.0.order_key().cmp(&b.0.order_key()));
    steps.dedup();
    let mut actions = Vec::new();
    build_actions(rule, &rule.rhs, &mut actions);
    Linear {
        rule: index,
        steps,
        actions,
        depth: rule.depth(),
    }
}

fn pattern_steps(rule: &Rule, pat: &Pat, steps: &mut Vec<(Test, Expect)>) {
    let path = pat.path.clone();
    match &pat.kind {
        PatKind::Op {
            opcode, operands, ..
        } => {
            steps.push((Test::Opcode(path), Expect::Opcode(*opcode)));
            for o in operands {
                pattern_steps(rule, o, steps);
            }
        }
        PatKind::Int(v) => {
            // At a value position: the value is an `iconst`. At an immediate
            // position, the parent is the `iconst`.
            let at = match pat.pos {
                Pos::Value => {
                    steps.push((Test::Opcode(path.clone()), Expect::Opcode(Opcode::Iconst)));
                    path
                }
                Pos::Imm(_) => path.parent().expect("immediates have a parent"),
            };
            if SMALL_LITERALS.contains(v) {
                steps.push((Test::SmallInt(at), Expect::Int(*v)));
            } else {
                steps.push((Test::IntIs(at, *v), Expect::True));
            }
        }
        PatKind::IntCC(cc) => steps.push((
            Test::IntCC(path.parent().expect("immediates have a parent")),
            Expect::IntCC(*cc),
        )),
        PatKind::FloatCC(cc) => steps.push((
            Test::FloatCC(path.parent().expect("immediates have a parent")),
            Expect::FloatCC(*cc),
        )),
        PatKind::Bind { binding, first } => {
            let b = rule.binding(*binding);
            if b.kind == BindingKind::Const && pat.pos == Pos::Value {
                steps.push((Test::Opcode(path.clone()), Expect::Opcode(Opcode::Iconst)));
            }
            if !first {
                let here = match pat.pos {
                    Pos::Value => path,
                    Pos::Imm(_) => path.parent().expect("immediates have a parent"),
                };
                let test = match b.kind {
                    BindingKind::Value => Test::SameValue(b.path.clone(), here),
                    BindingKind::Const => Test::SameConst(b.typed_value_path(), here),
                    BindingKind::IntCC | BindingKind::FloatCC => {
                        Test::SameCondCode(b.typed_value_path(), here)
                    }
                };
                steps.push((test, Expect::True));
            }
        }
    }
}

/// Where the matcher reads type variable `ty`.
fn type_of(rule: &Rule, ty: TyVar) -> TypeOf {
    match &rule.type_sources[ty.0 as usize] {
        TypeSource::Fixed(t) => TypeOf::Fixed(*t),
        TypeSource::At(p) => TypeOf::At(p.clone()),
        TypeSource::CondCode | TypeSource::Unknown => {
            unreachable!("the type checker only lets needed value types through")
        }
    }
}

/// The path-based form of a compile-time expression.
fn cexpr(rule: &Rule, e: &Expr) -> CExpr {
    match &e.kind {
        ExprKind::Binding(id) => {
            let b = rule.binding(*id);
            match b.kind {
                BindingKind::Const => CExpr::Const(b.typed_value_path()),
                BindingKind::IntCC | BindingKind::FloatCC => CExpr::CondCode(b.typed_value_path()),
                BindingKind::Value => unreachable!("values are not compile-time expressions"),
            }
        }
        ExprKind::Int(v) => CExpr::Int(*v),
        ExprKind::IntCC(cc) => CExpr::IntCC(*cc),
        ExprKind::FloatCC(cc) => CExpr::FloatCC(*cc),
        ExprKind::Unquote(op, args) => {
            CExpr::Unquote(*op, args.iter().map(|a| cexpr(rule, a)).collect())
        }
    }
}

/// The constant an immediate right-hand-side node denotes.
fn imm_cexpr(rule: &Rule, b: &Build) -> CExpr {
    match &b.kind {
        BuildKind::Binding(id) => {
            let binding = rule.binding(*id);
            match binding.kind {
                BindingKind::Const => CExpr::Const(binding.typed_value_path()),
                BindingKind::IntCC | BindingKind::FloatCC => {
                    CExpr::CondCode(binding.typed_value_path())
                }
                BindingKind::Value => unreachable!("type checker rejects values as immediates"),
            }
        }
        BuildKind::Expr(e) => cexpr(rule, e),
        BuildKind::Op { .. } => unreachable!("type checker rejects instructions as immediates"),
    }
}

/// Appends the actions building `b`; returns the index of its action.
fn build_actions(rule: &Rule, b: &Build, actions: &mut Vec<Action>) -> usize {
    let action = match &b.kind {
        BuildKind::Op {
            opcode,
            ctrl,
            operands,
        } => {
            let mut imm = None;
            let mut args = Vec::new();
            for o in operands {
                match o.pos {
                    Pos::Imm(ImmKind::Int | ImmKind::IntCC | ImmKind::FloatCC) => {
                        imm = Some(imm_cexpr(rule, o));
                    }
                    Pos::Value => args.push(build_actions(rule, o, actions)),
                }
            }
            Action::MakeInst {
                opcode: *opcode,
                ctrl: type_of(rule, *ctrl),
                imm,
                args,
            }
        }
        BuildKind::Binding(id) => {
            let binding = rule.binding(*id);
            match binding.kind {
                BindingKind::Value => Action::UseValue(binding.path.clone()),
                // A constant matched as a value is that value: reuse the
                // `iconst` rather than making another.
                BindingKind::Const if !binding.at_imm => Action::UseValue(binding.path.clone()),
                BindingKind::Const => Action::MakeConst {
                    ty: type_of(rule, b.ty),
                    value: CExpr::Const(binding.typed_value_path()),
                },
                BindingKind::IntCC | BindingKind::FloatCC => {
                    unreachable!("condition codes are immediates")
                }
            }
        }
        BuildKind::Expr(e) => Action::MakeConst {
            ty: type_of(rule, b.ty),
            value: cexpr(rule, e),
        },
    };
    actions.push(action);
    actions.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check_str;

    fn lin(text: &str) -> Linear {
        let set = check_str("t.peep", text).unwrap_or_else(|e| panic!("{e}"));
        linearize(0, &set.rules[0])
    }

    fn p(v: &[u8]) -> Path {
        Path(v.to_vec())
    }

    #[test]
    fn literal_operand_becomes_iconst_and_value_tests() {
        let l = lin("(=> (iadd $x 0) $x)");
        assert_eq!(
            l.steps,
            vec![
                (Test::Opcode(p(&[])), Expect::Opcode(Opcode::Iadd)),
                (Test::Opcode(p(&[1])), Expect::Opcode(Opcode::Iconst)),
                (Test::SmallInt(p(&[1])), Expect::Int(0)),
            ]
        );
        assert_eq!(l.actions, vec![Action::UseValue(p(&[0]))]);
        assert_eq!(l.depth, 1);
    }

    #[test]
    fn repeated_names_become_equality_tests() {
        let l = lin("(=> (bor $x (bor $x $y)) (bor $x $y))");
        assert_eq!(
            l.steps,
            vec![
                (Test::Opcode(p(&[])), Expect::Opcode(Opcode::Bor)),
                (Test::Opcode(p(&[1])), Expect::Opcode(Opcode::Bor)),
                (Test::SameValue(p(&[0]), p(&[1, 0])), Expect::True),
            ]
        );
        assert_eq!(
            l.actions,
            vec![
                Action::UseValue(p(&[0])),
                Action::UseValue(p(&[1, 1])),
                Action::MakeInst {
                    opcode: Opcode::Bor,
                    ctrl: TypeOf::At(p(&[])),
                    imm: None,
                    args: vec![0, 1],
                },
            ]
        );
    }

    #[test]
    fn preconditions_and_unquotes() {
        let l = lin("(=> (when (imul $x $C) (is-power-of-two $C)) (ishl $x $(log2 $C)))");
        let log2 = CExpr::Unquote(UnquoteOp::Log2, vec![CExpr::Const(p(&[1]))]);
        assert_eq!(
            l.steps.last().unwrap(),
            &(
                Test::IsPowerOfTwo(CExpr::Const(p(&[1])), TypeOf::At(p(&[]))),
                Expect::True
            )
        );
        assert_eq!(
            l.actions[1],
            Action::MakeConst {
                ty: TypeOf::At(p(&[])),
                value: log2.clone()
            }
        );
        assert_eq!(l.action_exprs().count(), 1);
    }

    #[test]
    fn condition_codes_and_large_literals() {
        let l = lin("(=> (bxor (icmp $cc $x $y) 1) (icmp $(inverse $cc) $x $y))");
        let Action::MakeInst { imm, ctrl, .. } = l.actions.last().unwrap() else {
            panic!()
        };
        assert_eq!(
            imm.as_ref().unwrap(),
            &CExpr::Unquote(UnquoteOp::Inverse, vec![CExpr::CondCode(p(&[0]))])
        );
        // The comparison's controlling type is the type of its operands.
        assert_eq!(ctrl, &TypeOf::At(p(&[0, 1])));
        let l = lin("(=> (band $x 255) (band $x 255))");
        assert!(l.steps.contains(&(Test::IntIs(p(&[1]), 255), Expect::True)));
        let l = lin("(=> (icmp ult $x 0) 0)");
        assert!(
            l.steps
                .contains(&(Test::IntCC(p(&[])), Expect::IntCC(IntCC::UnsignedLessThan)))
        );
    }

    #[test]
    fn steps_follow_the_global_order() {
        let l = lin(
            "(=> (when (iadd (iadd $x $C1) $C2) (ult $C1 $C2) (bit-width $x 32)) (iadd $x $(iadd $C1 $C2)))",
        );
        let keys: Vec<_> = l.steps.iter().map(|(t, _)| t.order_key()).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]));
        // The comparison needs both constants, so it comes after the
        // deeper one's opcode test.
        let cmp = l
            .steps
            .iter()
            .position(|(t, _)| matches!(t, Test::Compare(..)))
            .unwrap();
        let c2 = l
            .steps
            .iter()
            .position(|s| *s == (Test::Opcode(p(&[1])), Expect::Opcode(Opcode::Iconst)))
            .unwrap();
        assert!(cmp > c2);
    }
}
