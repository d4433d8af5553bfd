use super::*;
use crate::check_str;

fn rule(text: &str) -> Rule {
    let set = check_str("t.peep", text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.rules.len(), 1);
    set.rules.into_iter().next().unwrap()
}

/// The first error, rendered.
fn error(text: &str) -> String {
    let e = check_str("t.peep", text).expect_err("expected a type error");
    e.diagnostics[0].render(&e.sources)
}

fn widths_of_root(r: &Rule) -> Vec<Type> {
    let mut v: Vec<Type> = r.instantiations.iter().map(|s| s[0].unwrap()).collect();
    v.dedup();
    v
}

#[test]
fn polymorphic_rule_instantiates_at_every_integer_width() {
    let r = rule("(=> (iadd $x 0) $x)");
    assert_eq!(widths_of_root(&r), Type::INTS.to_vec());
    assert_eq!(r.bindings.len(), 1);
    assert_eq!(r.bindings[0].kind, BindingKind::Value);
    assert_eq!(r.bindings[0].path, Path(vec![0]));
    assert!(r.type_tests.is_empty());
    assert_eq!(r.name, "t.peep:1");
    assert_eq!(r.depth(), 1);
}

#[test]
fn constants_repeated_names_and_preconditions() {
    let r = rule("(=> (when (imul $x $C) (is-power-of-two $C)) (ishl $x $(log2 $C)))");
    let c = &r.bindings[1];
    assert_eq!(
        (c.name.as_str(), c.kind, c.at_imm),
        ("C", BindingKind::Const, false)
    );
    assert!(matches!(r.preds[0], Pred::IsPowerOfTwo(_)));
    // The shift amount defaults to the controlling type.
    let BuildKind::Op { operands, .. } = &r.rhs.kind else {
        panic!()
    };
    for inst in &r.instantiations {
        assert_eq!(inst[operands[1].ty.0 as usize], inst[0]);
    }
    let r = rule("(=> (bxor $x $x) 0)");
    let PatKind::Op { operands, .. } = &r.lhs.kind else {
        panic!()
    };
    assert!(matches!(
        operands[1].kind,
        PatKind::Bind { first: false, .. }
    ));
}

#[test]
fn bit_width_and_ascriptions_restrict_and_become_type_tests() {
    let r = rule("(=> (when (iadd $x $y) (bit-width $x 32)) (iadd $y $x))");
    assert_eq!(widths_of_root(&r), vec![Type::I32]);
    assert_eq!(r.type_tests, vec![(Path(vec![0]), TypeSet::of_bits(32))]);
    let r = rule(
        "(=> (when (sextend{i64} (ireduce{i32} $x)) (bit-width $x 64)) (sshr (ishl $x 32) 32))",
    );
    assert_eq!(r.instantiations.len(), 1);
    assert_eq!(r.type_tests.len(), 3);
    // Without the bit-width, `$x` could be i128 and the right-hand side
    // would not be an i64.
    let e = error("(=> (sextend{i64} (ireduce{i32} $x)) (sshr (ishl $x 32) 32))");
    assert!(
        e.contains("it fails when the root is i64, `$x` is i128"),
        "{e}"
    );
    let r = rule("(=> (when (iadd $x $C) (fits-in-native-word $C)) (iadd $C $x))");
    assert_eq!(
        widths_of_root(&r),
        vec![Type::I8, Type::I16, Type::I32, Type::I64]
    );
}

#[test]
fn extensions_instantiate_at_width_triples() {
    let r = rule("(=> (uextend (uextend $x)) (uextend $x))");
    // x < middle < root: choose 3 of the 5 integer widths.
    assert_eq!(r.instantiations.len(), 10);
    // `ireduce (uextend x)` matches when the result is as wide as `x`, where
    // `ireduce x` would be ill typed.
    let e = error("(=> (ireduce (uextend $x)) (ireduce $x))");
    assert!(e.contains("not well typed for every type"), "{e}");
}

#[test]
fn comparisons_and_condition_codes() {
    let r = rule("(=> (icmp eq $x $x) 1)");
    assert!(r.instantiations.iter().all(|s| s[0] == Some(Type::I8)));
    let r = rule("(=> (bxor (icmp $cc $x $y) 1) (icmp $(inverse $cc) $x $y))");
    assert_eq!(r.bindings[0].kind, BindingKind::IntCC);
    assert_eq!(r.instantiations.len(), 5);
    let r = rule("(=> (fcmp ord $x $x) (fcmp ord $x $x))");
    assert_eq!(r.instantiations.len(), 2);
}

#[test]
fn type_sources_point_at_matched_values() {
    let r = rule("(=> (iadd (iadd $x $C1) $C2) (iadd $x $(iadd $C1 $C2)))");
    let BuildKind::Op { ctrl, operands, .. } = &r.rhs.kind else {
        panic!()
    };
    assert_eq!(
        r.type_sources[ctrl.0 as usize],
        TypeSource::At(Path::root())
    );
    assert_eq!(
        r.type_sources[operands[1].ty.0 as usize],
        TypeSource::At(Path::root())
    );
    let r = rule("(=> (when (iadd $x $y) (bit-width $x 16)) (iadd $y $x))");
    let BuildKind::Op { ctrl, .. } = &r.rhs.kind else {
        panic!()
    };
    assert_eq!(
        r.type_sources[ctrl.0 as usize],
        TypeSource::Fixed(Type::I16)
    );
}

#[test]
fn unknown_names_get_suggestions() {
    let e = error("(=> (iaddd $x 0) $x)");
    assert!(e.starts_with("error: unknown operator `iaddd`\n"), "{e}");
    assert!(e.contains("t.peep:1:6"), "{e}");
    assert!(e.contains("did you mean `iadd`?"), "{e}");
    let e = error("(=> (when (imul $x $C) (is-power-of-tw $C)) $x)");
    assert!(e.contains("did you mean `is-power-of-two`?"), "{e}");
    let e = error("(=> (ishl $x $C) (ishl $x $(lg2 $C)))");
    assert!(e.contains("did you mean `log2`?"), "{e}");
    let e = error("(=> (icmp eqq $x $y) 0)");
    assert!(e.contains("unknown integer condition code `eqq`"), "{e}");
}

#[test]
fn unbound_and_misused_names() {
    let e = error("(=> (iadd $x 0) $y)");
    assert!(
        e.starts_with("error: `$y` is not bound by the left-hand side"),
        "{e}"
    );
    let e = error("(=> (iadd $x $x) (ishl $x $(neg $x)))");
    assert!(e.contains("`$x` is a value"), "{e}");
    let e = error("(=> (icmp $C $x $y) 0)");
    assert!(e.contains("condition codes are bound by variables"), "{e}");
}

#[test]
fn operators_with_effects_and_wrong_arity() {
    let e = error("(=> (load $x) $x)");
    assert!(e.contains("`load` cannot appear in a rule"), "{e}");
    let e = error("(=> (iadd $x) $x)");
    assert!(
        e.contains("`iadd` takes 2 operands, found 1 operand"),
        "{e}"
    );
    let e = error("(=> (icmp $x $y) 0)");
    assert!(
        e.contains("`icmp` takes a condition code and 2 operands"),
        "{e}"
    );
    let e = error("(=> $x $x)");
    assert!(
        e.contains("the left-hand side must be an instruction pattern"),
        "{e}"
    );
}

#[test]
fn type_errors() {
    let e = error("(=> (when (iadd $x $y) (bit-width $x 32) (bit-width $y 64)) $x)");
    assert!(e.starts_with("error: `iadd` cannot be typed here"), "{e}");
    assert!(e.contains("its operand 1 can only be {i64, f64}"), "{e}");
    let e = error("(=> (fadd $x 1) $x)");
    assert!(
        e.contains("cannot be typed") || e.contains("type mismatch"),
        "{e}"
    );
    let e = error("(=> (iadd{i8} $x 300) $x)");
    assert!(e.contains("the integer 300 does not fit in i8"), "{e}");
    let e = error("(=> (when (iadd $x $y) (bit-width $x 33)) $x)");
    assert!(e.contains("expected a bit width"), "{e}");
}

#[test]
fn rhs_narrower_than_lhs_is_rejected() {
    let e = error("(=> (iadd $x $y) (iadd{i32} $x $y))");
    assert!(
        e.contains("not well typed for every type the left-hand side matches"),
        "{e}"
    );
    // Restricting the pattern fixes it.
    rule("(=> (iadd{i32} $x $y) (iadd{i32} $y $x))");
}

#[test]
fn rhs_types_that_nothing_determines_are_rejected() {
    let e = error("(=> (iadd{i32} $x $y) (ireduce{i32} (uextend $x)))");
    assert!(e.contains("cannot infer the type of this"), "{e}");
    rule("(=> (iadd{i32} $x $y) (ireduce{i32} (uextend{i64} (iadd $x $y))))");
}

#[test]
fn literals_fit_signed_or_unsigned() {
    assert!(literal_fits(255, 8));
    assert!(literal_fits(-128, 8));
    assert!(!literal_fits(256, 8));
    assert!(!literal_fits(-129, 8));
    assert!(literal_fits(i128::MIN, 128));
}
