use super::*;
use crate::check_str;
use crate::linear::linearize;

fn verify_text(text: &str) -> (Report, RuleSet) {
    let set = check_str("t.peep", text).unwrap_or_else(|e| panic!("{e}"));
    let automaton = Automaton::build(
        set.rules
            .iter()
            .enumerate()
            .map(|(i, r)| linearize(i, r))
            .collect(),
    );
    let report = verify(&set, &automaton, &Options::default());
    (report, set)
}

fn rendered(text: &str) -> Vec<String> {
    let (report, set) = verify_text(text);
    report
        .diagnostics
        .iter()
        .map(|d| d.render(&set.sources))
        .collect()
}

#[test]
fn sound_rules_verify_exhaustively_at_8_bits() {
    let (report, _) = verify_text(
        "(=> (iadd $x 0) $x)
         (=> (bor $x (bor $x $y)) (bor $x $y))
         (=> (when (imul $x $C) (is-power-of-two $C)) (ishl $x $(log2 $C)))
         (=> (bxor (icmp $cc $x $y) 1) (icmp $(inverse $cc) $x $y))",
    );
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    let c = &report.coverage;
    assert_eq!(c[0].instantiations, 5);
    assert_eq!(c[0].exhaustive, 1);
    // At i8 every x: 256 inputs, all matching.
    assert!(c[0].inputs >= 256);
    // Two 8-bit inputs: all 65536 pairs.
    assert!(c[1].exhaustive >= 1 && c[1].matched >= 65536);
    // The power-of-two rule matches 8 constants per x at i8.
    assert!(c[2].matched >= 8 * 256);
    // Condition code × two i8s is exhaustive too.
    assert!(c[3].exhaustive >= 1 && c[3].matched >= 10 * 65536);
}

#[test]
fn unsound_rule_gets_a_counterexample() {
    let errs = rendered("(=> (iadd $x 1) $x)");
    assert_eq!(errs.len(), 1);
    let e = &errs[0];
    assert!(
        e.starts_with("error: unsound rule: the two sides can differ\n"),
        "{e}"
    );
    assert!(e.contains("counterexample at i8: $x = 0 (0x0) : i8"), "{e}");
    assert!(e.contains("the left-hand side gives  1 (0x1) : i8"), "{e}");
    assert!(e.contains("the right-hand side gives 0 (0x0) : i8"), "{e}");
}

#[test]
fn removing_or_adding_a_trap_is_unsound() {
    let errs = rendered("(=> (udiv $x $x) 1)");
    assert!(
        errs[0].contains("the left-hand side gives  trap int_divz"),
        "{}",
        errs[0]
    );
    let errs = rendered("(=> (sdiv $x -1) (ineg $x))");
    assert!(errs[0].contains("-128"), "{}", errs[0]);
    assert!(errs[0].contains("trap int_ovf"), "{}", errs[0]);
    // Division by a non-zero constant never traps: fine.
    assert!(rendered("(=> (udiv $x 1) $x)").is_empty());
}

#[test]
fn unsoundness_only_at_wider_widths_is_found() {
    // True at i8 (shift by 8 is a shift by 0) and i16, false from i32 on.
    let errs = rendered("(=> (ushr (ishl $x 8) 8) (band $x 255))");
    assert_eq!(errs.len(), 1);
    assert!(errs[0].contains("counterexample at i32"), "{}", errs[0]);
}

#[test]
fn float_rules_are_checked_bit_exactly() {
    assert!(rendered("(=> (fneg (fneg $x)) $x)").is_empty());
    // x + 0.0 is not x for x = -0.0; also NaN payloads are canonicalized.
    let errs = rendered("(=> (fmul $x (fmul $y $z)) (fmul (fmul $x $y) $z))");
    assert!(errs[0].contains("unsound"), "{}", errs[0]);
}

#[test]
fn identical_rules_are_shadowed() {
    let errs = rendered("(=> (iadd $x 0) $x)\n(=> (iadd $y 0) $y)");
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with("warning: this rule can never fire"),
        "{}",
        errs[0]
    );
    assert!(errs[0].contains("t.peep:2:1"), "{}", errs[0]);
    assert!(errs[0].contains("t.peep:1:1"), "{}", errs[0]);
}

#[test]
fn semantically_subsumed_rules_are_shadowed() {
    // `ule $C 0` only holds for 0, where the `eq` rule is tried first.
    let errs = rendered(
        "(=> (when (iadd $x $C) (eq $C 0)) $x)
         (=> (when (iadd $x $C) (ule $C 0)) $x)",
    );
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("t.peep:2:10"), "{}", errs[0]);
}

#[test]
fn contradictory_preconditions_never_match() {
    let errs = rendered("(=> (when (iadd $x $C) (ult $C 0)) $x)");
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with("warning: this rule never matches"),
        "{}",
        errs[0]
    );
}

#[test]
fn summary_counts() {
    let (report, _) = verify_text("(=> (iadd $x 0) $x)");
    let s = report.summary();
    assert!(
        s.starts_with("1 rules, 5 instantiations (1 exhaustive)"),
        "{s}"
    );
}
