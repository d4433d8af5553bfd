//! The `peepc` command on small rule files.

use std::path::PathBuf;
use std::process::Command;

fn temp_rules(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("peepc-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn peepc(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_peepc"))
        .args(args)
        .output()
        .expect("peepc runs");
    let mut text = String::from_utf8(out.stdout).unwrap();
    text.push_str(&String::from_utf8(out.stderr).unwrap());
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn check_accepts_sound_rules() {
    let f = temp_rules("good.peep", "(=> (iadd $x 0) $x)\n(=> (bxor $x $x) 0)\n");
    let (code, out) = peepc(&["check", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 rules; automaton:"), "{out}");
    assert!(
        out.contains("verified: 2 rules, 10 instantiations"),
        "{out}"
    );
}

#[test]
fn check_reports_an_unsound_rule_with_a_counterexample() {
    let f = temp_rules("unsound.peep", ";; oops\n(=> (imul $x 2) (ishl $x 2))\n");
    let (code, out) = peepc(&["check", f.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error: unsound rule"), "{out}");
    assert!(out.contains("unsound.peep:2:1"), "{out}");
    assert!(out.contains("counterexample at i8: $x = 1"), "{out}");
}

#[test]
fn check_reports_syntax_errors_with_a_caret() {
    let f = temp_rules("broken.peep", "(=> (iadd $x 0)\n    $x))\n");
    let (code, out) = peepc(&["check", f.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("found `)`"), "{out}");
    assert!(out.contains("broken.peep:2:8"), "{out}");
    assert!(out.contains("2 |     $x))\n"), "{out}");
    assert!(out.contains("^"), "{out}");
}

#[test]
fn check_reports_shadowed_rules() {
    let f = temp_rules(
        "shadow.peep",
        "(=> (when (iadd $x $C) (eq $C 0)) $x)\n(=> (when (iadd $x $C) (ule $C 0)) $x)\n",
    );
    let (code, out) = peepc(&["check", f.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("warning: this rule can never fire"), "{out}");
}

#[test]
fn dot_prints_the_automaton() {
    let f = temp_rules("dot.peep", "(=> (bor $x (bor $x $y)) (bor $x $y))\n");
    let (code, out) = peepc(&["dot", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("digraph automaton {"), "{out}");
    assert!(out.contains("opcode root"), "{out}");
}

#[test]
fn usage_errors() {
    assert_eq!(peepc(&[]).0, 2);
    assert_eq!(peepc(&["frobnicate", "x.peep"]).0, 2);
    assert_eq!(peepc(&["check", "/nonexistent/x.peep"]).0, 2);
    assert_eq!(peepc(&["check", "--fast", "x.peep"]).0, 2);
}
