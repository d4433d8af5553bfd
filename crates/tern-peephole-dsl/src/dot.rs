//! The automaton as a Graphviz graph (`peepc dot`).
//!
//! Each node shows its test; solid edges are labelled with the result they
//! take, the dashed edge is *otherwise*, and a node that accepts a rule
//! lists it (with the rules it shadows, in red).

use std::fmt::Write as _;

use crate::RuleSet;
use crate::automaton::Automaton;
use crate::linear::{CExpr, Expect, Test, TypeOf};

/// Renders `automaton` (built from `set`) in Graphviz `dot` syntax.
pub fn render(set: &RuleSet, automaton: &Automaton) -> String {
    let mut out = String::from("digraph automaton {\n  node [shape=box, fontname=monospace];\n");
    for (i, node) in automaton.nodes.iter().enumerate() {
        let mut label = match &node.switch {
            Some(s) => describe(&s.test),
            None => String::new(),
        };
        if let Some(r) = node.accept {
            if !label.is_empty() {
                label.push_str("\\n");
            }
            let _ = write!(label, "accept {}", escape(&set.rules[r].name));
        }
        let color = if node.shadowed.is_empty() {
            "black"
        } else {
            "red"
        };
        for &s in &node.shadowed {
            let _ = write!(label, "\\nshadows {}", escape(&set.rules[s].name));
        }
        let shape = if node.switch.is_none() {
            ", shape=ellipse"
        } else {
            ""
        };
        let _ = writeln!(out, "  n{i} [label=\"{label}\", color={color}{shape}];");
        if let Some(s) = &node.switch {
            for (expect, child) in &s.branches {
                let _ = writeln!(
                    out,
                    "  n{i} -> n{} [label=\"{}\"];",
                    child.0,
                    escape(&expect_label(expect))
                );
            }
            if let Some(other) = s.otherwise {
                let _ = writeln!(
                    out,
                    "  n{i} -> n{} [style=dashed, label=\"otherwise\"];",
                    other.0
                );
            }
        }
    }
    out.push_str("}\n");
    out
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn expect_label(e: &Expect) -> String {
    match e {
        Expect::Opcode(op) => op.to_string(),
        Expect::Int(v) => v.to_string(),
        Expect::IntCC(cc) => cc.to_string(),
        Expect::FloatCC(cc) => cc.to_string(),
        Expect::True => "yes".into(),
    }
}

fn expr(e: &CExpr) -> String {
    match e {
        CExpr::Const(p) => format!("const {p}"),
        CExpr::CondCode(p) => format!("cc {p}"),
        CExpr::Int(v) => v.to_string(),
        CExpr::IntCC(cc) => cc.to_string(),
        CExpr::FloatCC(cc) => cc.to_string(),
        CExpr::Unquote(op, args) => {
            let args: Vec<String> = args.iter().map(expr).collect();
            format!("$({} {})", op.name(), args.join(" "))
        }
    }
}

fn type_of(t: &TypeOf) -> String {
    match t {
        TypeOf::Fixed(t) => t.to_string(),
        TypeOf::At(p) => format!("type {p}"),
    }
}

/// A one-line description of a test.
pub fn describe(t: &Test) -> String {
    let text = match t {
        Test::Opcode(p) => format!("opcode {p}"),
        Test::TypeIn(p, set) => format!("type {p} in {set}"),
        Test::SmallInt(p) => format!("const {p}"),
        Test::IntIs(p, v) => format!("const {p} is {v}"),
        Test::IntCC(p) | Test::FloatCC(p) => format!("cc {p}"),
        Test::SameValue(a, b) => format!("{a} == {b}"),
        Test::SameConst(a, b) => format!("const {a} == const {b}"),
        Test::SameCondCode(a, b) => format!("cc {a} == cc {b}"),
        Test::IsPowerOfTwo(e, t) => format!("is-power-of-two {} : {}", expr(e), type_of(t)),
        Test::Compare(cc, a, b, t) => format!("{cc} {} {} : {}", expr(a), expr(b), type_of(t)),
    };
    escape(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile_str;

    #[test]
    fn renders_tests_edges_and_accepts() {
        let c = compile_str(
            "t.peep",
            "(=> (bor $x (bor $x $y)) (bor $x $y))\n(=> (bor $x 0) $x)",
        )
        .unwrap();
        let dot = render(&c.set, &c.automaton);
        assert!(dot.starts_with("digraph automaton {"));
        assert!(dot.contains("label=\"opcode root\""), "{dot}");
        assert!(dot.contains("[label=\"bor\"]"), "{dot}");
        assert!(dot.contains("accept t.peep:1"), "{dot}");
        assert!(dot.contains("accept t.peep:2"), "{dot}");
        assert!(dot.contains("root.0 == root.1.0"), "{dot}");
        assert!(dot.trim_end().ends_with('}'));
    }
}
