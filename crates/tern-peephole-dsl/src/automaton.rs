//! Merging every rule into one matching automaton.
//!
//! The automaton is a decision tree over [`Test`]s. Each node performs one
//! test and branches on its result; rules that do not care about the test
//! continue in the node's *otherwise* child. It is built from the
//! linearized rules (whose steps are all sorted by the same global order)
//! like this:
//!
//! * Rules with no steps left *accept* at the node.
//! * Among the rest, the test to perform is the smallest next step of any
//!   rule. Rules whose next step is that test go to the branch for the
//!   result they expect (dropping the step); the others go to *otherwise*.
//!
//! Every rule ends up on exactly one root-to-leaf route, so the tree has at
//! most as many nodes as the rules have steps, and rules with a common
//! prefix of steps share those nodes: 300 rules that each start by testing
//! the root's opcode do so in one node with 300 branches.
//!
//! Matching walks the tree from the root: perform the node's test, descend
//! into the branch for its result; if nothing under it matches, descend
//! into *otherwise*; if nothing there matches either, accept the node's
//! rule, if any. So **the most specific rule wins**: a rule that checks one
//! more thing is tried before one that does not, and a rule falls back to
//! the more general ones only when its own further checks fail. A switch
//! node costs one evaluation whatever its number of branches (the generated
//! code is a Rust `match`), and the routes an input can explore are bounded
//! by the shape of the patterns that could match it, not by the number of
//! rules, so matching costs about the depth of the patterns.
//!
//! Two rules whose steps are identical reach the same node; the first in
//! source order accepts there and the second can never fire. Such rules
//! are recorded as [`Node::shadowed`]; the verifier reports them along with
//! subtler shadowing it finds by running the automaton.

use std::collections::BTreeMap;

use crate::linear::{Expect, Linear, Test};

/// An index into [`Automaton::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// A test and where each of its results leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Switch {
    /// What to test.
    pub test: Test,
    /// The child for each result some rule expects, in a fixed order.
    pub branches: Vec<(Expect, NodeId)>,
    /// Where the rules that do not care about the test continue.
    pub otherwise: Option<NodeId>,
}

/// One node of the automaton.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The test performed here, if any rule reaching this node has steps
    /// left.
    pub switch: Option<Switch>,
    /// The rule (index into [`Automaton::rules`]) accepted here when nothing
    /// below matches.
    pub accept: Option<usize>,
    /// Rules with exactly the same steps as `accept`; they never fire.
    pub shadowed: Vec<usize>,
}

/// All rules merged into one decision tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Automaton {
    /// The linearized rules, indexed by rule number.
    pub rules: Vec<Linear>,
    /// The nodes; [`Automaton::ROOT`] is the start.
    pub nodes: Vec<Node>,
}

impl Automaton {
    /// The start node.
    pub const ROOT: NodeId = NodeId(0);

    /// Builds the automaton for `rules` (rule `i` must be `rules[i]`).
    pub fn build(rules: Vec<Linear>) -> Automaton {
        let mut automaton = Automaton {
            rules,
            nodes: Vec::new(),
        };
        let all: Vec<(usize, usize)> = (0..automaton.rules.len()).map(|r| (r, 0)).collect();
        automaton.build_node(all);
        automaton
    }

    /// Builds the node for `rules`, each with the number of its steps
    /// already taken; returns its id.
    fn build_node(&mut self, rules: Vec<(usize, usize)>) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(Node {
            switch: None,
            accept: None,
            shadowed: Vec::new(),
        });
        let (finished, rest): (Vec<_>, Vec<_>) = rules
            .into_iter()
            .partition(|&(r, taken)| taken == self.rules[r].steps.len());
        let accept = finished.first().map(|&(r, _)| r);
        let shadowed = finished.iter().skip(1).map(|&(r, _)| r).collect();
        let switch = if rest.is_empty() {
            None
        } else {
            let test = rest
                .iter()
                .map(|&(r, taken)| &self.rules[r].steps[taken].0)
                .min_by(|a, b| a.order_key().cmp(&b.order_key()))
                .expect("rest is not empty")
                .clone();
            let mut branches: BTreeMap<Expect, Vec<(usize, usize)>> = BTreeMap::new();
            let mut otherwise = Vec::new();
            for (r, taken) in rest {
                let (step_test, expect) = &self.rules[r].steps[taken];
                if *step_test == test {
                    branches.entry(*expect).or_default().push((r, taken + 1));
                } else {
                    otherwise.push((r, taken));
                }
            }
            let branches = branches
                .into_iter()
                .map(|(expect, rules)| (expect, self.build_node(rules)))
                .collect();
            let otherwise = (!otherwise.is_empty()).then(|| self.build_node(otherwise));
            Some(Switch {
                test,
                branches,
                otherwise,
            })
        };
        let node = &mut self.nodes[id.0 as usize];
        node.switch = switch;
        node.accept = accept;
        node.shadowed = shadowed;
        id
    }

    /// The node with id `id`.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    /// Pairs `(shadowed, winner)` of rules with identical steps.
    pub fn duplicates(&self) -> Vec<(usize, usize)> {
        self.nodes
            .iter()
            .flat_map(|n| {
                let winner = n.accept;
                n.shadowed
                    .iter()
                    .map(move |&s| (s, winner.expect("shadowed rules have a winner")))
            })
            .collect()
    }

    /// The deepest pattern of any rule (see [`Linear::depth`]).
    pub fn max_depth(&self) -> usize {
        self.rules.iter().map(|r| r.depth).max().unwrap_or(0)
    }

    /// The length of the longest root-to-leaf route, in tests.
    pub fn height(&self) -> usize {
        fn walk(a: &Automaton, id: NodeId) -> usize {
            match &a.node(id).switch {
                None => 0,
                Some(s) => {
                    let below = s.branches.iter().map(|&(_, c)| 1 + walk(a, c));
                    below
                        .chain(s.otherwise.map(|o| walk(a, o)))
                        .max()
                        .unwrap_or(0)
                }
            }
        }
        walk(self, Automaton::ROOT)
    }

    /// The total number of steps of all rules: what the automaton would
    /// cost without any sharing.
    pub fn unshared_steps(&self) -> usize {
        self.rules.iter().map(|r| r.steps.len()).sum()
    }

    /// The number of tests in the automaton (nodes with a switch).
    pub fn tests(&self) -> usize {
        self.nodes.iter().filter(|n| n.switch.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check_str;
    use crate::linear::linearize;
    use crate::rule::Path;
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
    fn shared_prefix_is_tested_once() {
        let a = automaton(
            "(=> (bor $x (bor $x $y)) (bor $x $y))
             (=> (bor $y (bor $x $y)) (bor $x $y))
             (=> (bor (bor $x $y) $x) (bor $x $y))
             (=> (bor (bor $x $y) $y) (bor $x $y))",
        );
        let root = a.node(Automaton::ROOT).switch.as_ref().unwrap();
        assert_eq!(root.test, Test::Opcode(Path::root()));
        assert_eq!(root.branches.len(), 1);
        assert_eq!(root.branches[0].0, Expect::Opcode(Opcode::Bor));
        // 4 rules × 3 steps = 12 unshared; the root test is shared by all.
        assert_eq!(a.unshared_steps(), 12);
        assert!(a.tests() < 12, "{}", a.tests());
        assert!(a.duplicates().is_empty());
    }

    #[test]
    fn more_specific_rules_come_first() {
        let a = automaton(
            "(=> (imul $x $y) (imul $y $x))
             (=> (imul $x 1) $x)",
        );
        // At the root's imul branch the literal test is tried before the
        // general rule is accepted.
        let root = a.node(Automaton::ROOT).switch.as_ref().unwrap();
        let imul = a.node(root.branches[0].1);
        assert_eq!(imul.accept, Some(0));
        let s = imul.switch.as_ref().unwrap();
        assert_eq!(s.test, Test::Opcode(Path(vec![1])));
    }

    #[test]
    fn identical_rules_are_duplicates() {
        let a = automaton(
            "(=> (iadd $x 0) $x)
             (=> (iadd $y 0) $y)",
        );
        assert_eq!(a.duplicates(), vec![(1, 0)]);
    }

    #[test]
    fn rules_on_different_opcodes_share_the_root_switch() {
        let text: String = ["iadd", "isub", "band", "bor", "bxor", "imul"]
            .iter()
            .map(|op| format!("(=> ({op} $x $x) $x)\n"))
            .collect();
        // Not all of these are sound, but the automaton does not care.
        let a = automaton(&text);
        let root = a.node(Automaton::ROOT).switch.as_ref().unwrap();
        assert_eq!(root.branches.len(), 6);
        assert_eq!(a.height(), 2);
    }
}
