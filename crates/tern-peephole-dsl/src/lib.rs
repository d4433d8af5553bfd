//! The compiler for Tern's peephole rule language.
//!
//! (The full design is documented below as the phases land.)

pub mod ast;
pub mod automaton;
pub mod codegen;
pub mod diagnostic;
pub mod dot;
pub mod fold;
pub mod interp;
pub mod lexer;
pub mod linear;
pub mod parser;
pub mod rule;
pub mod signature;
pub mod subject;
pub mod typeck;
pub mod verify;

use automaton::Automaton;
use diagnostic::{CompileError, SourceMap};
use rule::Rule;

/// Where a rule of a generated matcher comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// `file:line`.
    pub name: &'static str,
    /// The rule's text.
    pub text: &'static str,
}

/// Type-checked rules together with the sources they came from.
#[derive(Clone, Debug)]
pub struct RuleSet {
    /// The rule files.
    pub sources: SourceMap,
    /// Every rule, in file order and then source order.
    pub rules: Vec<Rule>,
}

/// Parses and type-checks every file in `sources`. All problems in all
/// files are reported together.
pub fn check(sources: SourceMap) -> Result<RuleSet, CompileError> {
    let mut rules = Vec::new();
    let mut diagnostics = Vec::new();
    for (id, file) in sources.files() {
        match parser::parse_file(id, file.text()) {
            Ok(parsed) => {
                let (checked, errors) = typeck::check_rules(&sources, id, &parsed);
                rules.extend(checked);
                diagnostics.extend(errors);
            }
            Err(errors) => diagnostics.extend(errors),
        }
    }
    if diagnostics.is_empty() {
        Ok(RuleSet { sources, rules })
    } else {
        Err(CompileError {
            sources,
            diagnostics,
        })
    }
}

/// Parses and type-checks a single rule file given as text (convenient for
/// tests and tools).
pub fn check_str(name: &str, text: &str) -> Result<RuleSet, CompileError> {
    let mut sources = SourceMap::new();
    sources.add(name, text);
    check(sources)
}

/// Rules compiled through phase 4: checked, linearized and merged.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The checked rules and their sources.
    pub set: RuleSet,
    /// The automaton matching all of them.
    pub automaton: Automaton,
}

impl Compiled {
    /// Runs the verifier on every rule.
    pub fn verify(&self, options: &verify::Options) -> verify::Report {
        verify::verify(&self.set, &self.automaton, options)
    }

    /// The matcher as Rust source (see [`codegen`]).
    pub fn emit_rust(&self) -> String {
        codegen::emit(&self.set, &self.automaton)
    }

    /// The automaton as a Graphviz graph (see [`dot`]).
    pub fn dot(&self) -> String {
        dot::render(&self.set, &self.automaton)
    }
}

/// Parses, type-checks, linearizes and merges every rule in `sources`.
pub fn compile(sources: SourceMap) -> Result<Compiled, CompileError> {
    let set = check(sources)?;
    let linear = set
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| linear::linearize(i, r))
        .collect();
    let automaton = Automaton::build(linear);
    Ok(Compiled { set, automaton })
}

/// [`compile`] for a single file given as text.
pub fn compile_str(name: &str, text: &str) -> Result<Compiled, CompileError> {
    let mut sources = SourceMap::new();
    sources.add(name, text);
    compile(sources)
}
