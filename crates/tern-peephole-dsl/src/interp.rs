//! Running the automaton without generating code.
//!
//! The compiler proper uses the Rust code [`crate::codegen`] emits; this
//! interpreter gives the same answers and exists for everything that runs
//! before that code exists: the verifier's shadowing analysis, `peepc`, and
//! tests that compare the generated matcher against it.
//!
//! Evaluation functions take `at`, which finds the value at a path below
//! the candidate root: [`value_at`] walks the operands, and the verifier,
//! which evaluates the same tree shape millions of times, passes a table.

use tern_ir::{FloatCC, Imm, IntCC, Type};

use crate::automaton::{Automaton, NodeId};
use crate::fold;
use crate::linear::{CExpr, Expect, Linear, Test, TypeOf};
use crate::rule::{Path, UnquoteOp};
use crate::signature::signature;
use crate::subject::Subject;

/// A compile-time value: an integer constant or a condition code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Konst {
    /// Integer bits, masked to the expression's type.
    Int(u128),
    /// An integer condition code.
    IntCC(IntCC),
    /// A float condition code.
    FloatCC(FloatCC),
}

impl Konst {
    /// The immediate operand this constant is.
    pub fn to_imm(self) -> Imm {
        match self {
            Konst::Int(bits) => Imm::Int(bits),
            Konst::IntCC(cc) => Imm::IntCC(cc),
            Konst::FloatCC(cc) => Imm::FloatCC(cc),
        }
    }
}

/// The value at `path` below `root`, or `None` if the path leads through a
/// value that is not defined by an instruction with enough operands.
pub fn value_at<S: Subject>(s: &S, root: S::Value, path: &Path) -> Option<S::Value> {
    let mut v = root;
    for &i in &path.0 {
        let opcode = s.opcode(v)?;
        let sig = signature(opcode).ok()?;
        let arg = (i as usize).checked_sub(sig.imms.len())?;
        if arg >= sig.args {
            return None;
        }
        v = s.arg(v, arg);
    }
    Some(v)
}

/// The concrete type a [`TypeOf`] denotes for this candidate; `at` finds
/// the value at a path.
pub fn type_of<S: Subject>(
    s: &S,
    at: &impl Fn(&Path) -> Option<S::Value>,
    t: &TypeOf,
) -> Option<Type> {
    match t {
        TypeOf::Fixed(t) => Some(*t),
        TypeOf::At(p) => at(p).map(|v| s.ty(v)),
    }
}

/// Evaluates a compile-time expression of type `ty`; `at` finds the value
/// at a path. `None` if a partial operation (`log2` of zero) fails.
pub fn eval_cexpr<S: Subject>(
    s: &S,
    at: &impl Fn(&Path) -> Option<S::Value>,
    e: &CExpr,
    ty: Type,
) -> Option<Konst> {
    Some(match e {
        CExpr::Const(p) => Konst::Int(s.iconst_bits(at(p)?)),
        CExpr::CondCode(p) => match s.imm(at(p)?) {
            Imm::IntCC(cc) => Konst::IntCC(cc),
            Imm::FloatCC(cc) => Konst::FloatCC(cc),
            other => unreachable!("condition code expected, found {other:?}"),
        },
        CExpr::Int(v) => Konst::Int(fold::literal_bits(ty, *v)),
        CExpr::IntCC(cc) => Konst::IntCC(*cc),
        CExpr::FloatCC(cc) => Konst::FloatCC(*cc),
        CExpr::Unquote(op, args) => {
            // Unquotes take one or two operands.
            let mut values = [Konst::Int(0); 2];
            for (slot, a) in values.iter_mut().zip(args) {
                *slot = eval_cexpr(s, at, a, ty)?;
            }
            unquote(*op, ty, &values[..args.len()])?
        }
    })
}

/// Applies an unquote operator.
pub fn unquote(op: UnquoteOp, ty: Type, args: &[Konst]) -> Option<Konst> {
    let int = |i: usize| match args[i] {
        Konst::Int(v) => v,
        other => unreachable!("integer expected, found {other:?}"),
    };
    Some(match op {
        UnquoteOp::Inverse | UnquoteOp::SwapArgs => {
            let swap = op == UnquoteOp::SwapArgs;
            match args[0] {
                Konst::IntCC(cc) => Konst::IntCC(if swap { cc.swap_args() } else { cc.inverse() }),
                Konst::FloatCC(cc) => {
                    Konst::FloatCC(if swap { cc.swap_args() } else { cc.inverse() })
                }
                Konst::Int(_) => unreachable!("condition code expected"),
            }
        }
        UnquoteOp::Log2 => Konst::Int(fold::log2(ty, int(0))?),
        UnquoteOp::Neg => Konst::Int(fold::neg(ty, int(0))),
        UnquoteOp::Bnot => Konst::Int(fold::bnot(ty, int(0))),
        UnquoteOp::Band => Konst::Int(fold::band(ty, int(0), int(1))),
        UnquoteOp::Bor => Konst::Int(fold::bor(ty, int(0), int(1))),
        UnquoteOp::Bxor => Konst::Int(fold::bxor(ty, int(0), int(1))),
        UnquoteOp::Iadd => Konst::Int(fold::iadd(ty, int(0), int(1))),
        UnquoteOp::Isub => Konst::Int(fold::isub(ty, int(0), int(1))),
        UnquoteOp::Imul => Konst::Int(fold::imul(ty, int(0), int(1))),
        UnquoteOp::Ishl => Konst::Int(fold::ishl(ty, int(0), int(1))),
        UnquoteOp::Ushr => Konst::Int(fold::ushr(ty, int(0), int(1))),
        UnquoteOp::Sshr => Konst::Int(fold::sshr(ty, int(0), int(1))),
    })
}

/// The result of a test, as the branch it selects: `None` when no rule can
/// expect it (a false yes/no test, a value not defined by an instruction, a
/// large constant at a small-constant switch).
/// `at` finds the value at a path.
pub fn eval_test<S: Subject>(
    s: &S,
    at: &impl Fn(&Path) -> Option<S::Value>,
    test: &Test,
) -> Option<Expect> {
    let truth = |b: bool| b.then_some(Expect::True);
    match test {
        Test::Opcode(p) => s.opcode(at(p)?).map(Expect::Opcode),
        Test::TypeIn(p, set) => truth(set.contains(s.ty(at(p)?))),
        Test::SmallInt(p) => {
            let v = at(p)?;
            let k = fold::signed(s.ty(v), s.iconst_bits(v));
            fold::SMALL_LITERALS.contains(&k).then_some(Expect::Int(k))
        }
        Test::IntIs(p, lit) => {
            let v = at(p)?;
            truth(fold::literal_matches(s.ty(v), s.iconst_bits(v), *lit))
        }
        Test::IntCC(p) => match s.imm(at(p)?) {
            Imm::IntCC(cc) => Some(Expect::IntCC(cc)),
            _ => None,
        },
        Test::FloatCC(p) => match s.imm(at(p)?) {
            Imm::FloatCC(cc) => Some(Expect::FloatCC(cc)),
            _ => None,
        },
        Test::SameValue(a, b) => truth(at(a)? == at(b)?),
        Test::SameConst(a, b) => {
            let (a, b) = (at(a)?, at(b)?);
            truth(s.ty(a) == s.ty(b) && s.iconst_bits(a) == s.iconst_bits(b))
        }
        Test::SameCondCode(a, b) => truth(s.imm(at(a)?) == s.imm(at(b)?)),
        Test::IsPowerOfTwo(e, t) => {
            let ty = type_of(s, at, t)?;
            match eval_cexpr(s, at, e, ty)? {
                Konst::Int(v) => truth(fold::is_power_of_two(ty, v)),
                _ => unreachable!("integer expression"),
            }
        }
        Test::Compare(cc, a, b, t) => {
            let ty = type_of(s, at, t)?;
            match (eval_cexpr(s, at, a, ty)?, eval_cexpr(s, at, b, ty)?) {
                (Konst::Int(a), Konst::Int(b)) => truth(fold::compare(*cc, ty, a, b)),
                _ => unreachable!("integer expressions"),
            }
        }
    }
}

/// Can every compile-time expression of the rule's right-hand side be
/// computed for this candidate?
fn actions_computable<S: Subject>(
    s: &S,
    at: &impl Fn(&Path) -> Option<S::Value>,
    rule: &Linear,
) -> bool {
    rule.action_exprs().all(|(e, t)| {
        let ty = t.and_then(|t| type_of(s, at, t)).unwrap_or(Type::I8);
        eval_cexpr(s, at, e, ty).is_some()
    })
}

/// The rule the automaton picks for the value `root`, if any.
pub fn find<S: Subject>(a: &Automaton, s: &S, root: S::Value) -> Option<usize> {
    find_from(a, Automaton::ROOT, s, &|p: &Path| value_at(s, root, p))
}

fn find_from<S: Subject>(
    a: &Automaton,
    id: NodeId,
    s: &S,
    at: &impl Fn(&Path) -> Option<S::Value>,
) -> Option<usize> {
    let node = a.node(id);
    if let Some(switch) = &node.switch {
        let result = eval_test(s, at, &switch.test);
        if let Some(result) = result
            && let Some(&(_, child)) = switch.branches.iter().find(|(e, _)| *e == result)
            && let Some(rule) = find_from(a, child, s, at)
        {
            return Some(rule);
        }
        if let Some(other) = switch.otherwise
            && let Some(rule) = find_from(a, other, s, at)
        {
            return Some(rule);
        }
    }
    node.accept
        .filter(|&r| actions_computable(s, at, &a.rules[r]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check_str;
    use crate::linear::linearize;
    use crate::subject::Terms;
    use tern_ir::Opcode;

    fn automaton(text: &str) -> Automaton {
        let set = check_str("t.peep", text).unwrap_or_else(|e| panic!("{e}"));
        Automaton::build(
            set.rules
                .iter()
                .enumerate()
                .map(|(i, r)| linearize(i, r))
                .collect(),
        )
    }

    #[test]
    fn picks_the_most_specific_matching_rule() {
        let a = automaton(
            "(=> (imul $x $y) (imul $y $x))
             (=> (imul $x 1) $x)
             (=> (when (imul $x $C) (is-power-of-two $C)) (ishl $x $(log2 $C)))",
        );
        let mut t = Terms::new();
        let x = t.input(Type::I32);
        let one = t.iconst(Type::I32, 1);
        let eight = t.iconst(Type::I32, 8);
        let six = t.iconst(Type::I32, 6);
        let m1 = t.inst(Opcode::Imul, Type::I32, Imm::None, &[x, one]);
        let m8 = t.inst(Opcode::Imul, Type::I32, Imm::None, &[x, eight]);
        let m6 = t.inst(Opcode::Imul, Type::I32, Imm::None, &[x, six]);
        let mxx = t.inst(Opcode::Imul, Type::I32, Imm::None, &[x, x]);
        assert_eq!(find(&a, &t, m1), Some(1));
        assert_eq!(find(&a, &t, m8), Some(2));
        assert_eq!(find(&a, &t, m6), Some(0));
        assert_eq!(find(&a, &t, mxx), Some(0));
        assert_eq!(find(&a, &t, x), None);
    }

    #[test]
    fn falls_back_when_a_deeper_test_fails() {
        let a = automaton(
            "(=> (bor $x (bor $x $y)) (bor $x $y))
             (=> (bor $a $b) (bor $b $a))",
        );
        let mut t = Terms::new();
        let (x, y, z) = (t.input(Type::I8), t.input(Type::I8), t.input(Type::I8));
        let inner = t.inst(Opcode::Bor, Type::I8, Imm::None, &[x, y]);
        let hit = t.inst(Opcode::Bor, Type::I8, Imm::None, &[x, inner]);
        let miss = t.inst(Opcode::Bor, Type::I8, Imm::None, &[z, inner]);
        assert_eq!(find(&a, &t, hit), Some(0));
        assert_eq!(find(&a, &t, miss), Some(1));
    }

    #[test]
    fn literals_match_at_every_width_they_fit() {
        let a = automaton("(=> (band $x 255) $x) (=> (band $x -1) $x)");
        let mut t = Terms::new();
        let x8 = t.input(Type::I8);
        let ff8 = t.iconst(Type::I8, 0xff);
        let and8 = t.inst(Opcode::Band, Type::I8, Imm::None, &[x8, ff8]);
        // At i8, 0xff is both -1 (switch) and 255 (yes/no test); the switch
        // comes first in the global order.
        assert_eq!(find(&a, &t, and8), Some(1));
        let x16 = t.input(Type::I16);
        let ff16 = t.iconst(Type::I16, 0xff);
        let and16 = t.inst(Opcode::Band, Type::I16, Imm::None, &[x16, ff16]);
        assert_eq!(find(&a, &t, and16), Some(0));
    }

    #[test]
    fn partial_unquotes_make_the_rule_not_match() {
        let a = automaton("(=> (udiv $x $C) (ushr $x $(log2 $C)))");
        let mut t = Terms::new();
        let x = t.input(Type::I32);
        let zero = t.iconst(Type::I32, 0);
        let four = t.iconst(Type::I32, 4);
        let d0 = t.inst(Opcode::Udiv, Type::I32, Imm::None, &[x, zero]);
        let d4 = t.inst(Opcode::Udiv, Type::I32, Imm::None, &[x, four]);
        assert_eq!(find(&a, &t, d0), None);
        assert_eq!(find(&a, &t, d4), Some(0));
    }

    #[test]
    fn unquote_operators() {
        let k = |v| Konst::Int(v);
        assert_eq!(unquote(UnquoteOp::Neg, Type::I8, &[k(1)]), Some(k(0xff)));
        assert_eq!(unquote(UnquoteOp::Log2, Type::I8, &[k(0)]), None);
        assert_eq!(
            unquote(UnquoteOp::Inverse, Type::I8, &[Konst::IntCC(IntCC::Equal)]),
            Some(Konst::IntCC(IntCC::NotEqual))
        );
        assert_eq!(
            unquote(
                UnquoteOp::SwapArgs,
                Type::I8,
                &[Konst::IntCC(IntCC::SignedLessThan)]
            ),
            Some(Konst::IntCC(IntCC::SignedGreaterThan))
        );
    }
}
