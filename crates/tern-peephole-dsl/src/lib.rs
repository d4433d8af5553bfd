//! The compiler for Tern's peephole rule language.
//!
//! Tern's peephole optimizations are written as rewrite rules in the
//! language of Cranelift's Peepmatic and compiled, at build time, into Rust
//! code that matches them all at once. This crate is that compiler; the
//! `tern-peephole` crate holds the rules, runs this compiler from its
//! `build.rs`, and applies the result to IR functions.
//!
//! # The language
//!
//! A rule file is a list of rules; `;` starts a comment to the end of the
//! line and `(; … ;)` is a (nestable) block comment.
//!
//! ```text
//! ;; Multiplying by a power of two is a shift.
//! (=> (when (imul $x $C) (is-power-of-two $C))
//!     (ishl $x $(log2 $C)))
//! ```
//!
//! **Rules.** `(=> lhs rhs)`: wherever the left-hand side matches an
//! instruction, replace the instruction's value with the right-hand side.
//!
//! **Patterns.** An operation `(op operand…)` matches an instruction with
//! that opcode; opcode names are CLIF's, as [`tern_ir::Opcode`] spells them,
//! and operands are written as in CLIF's text, immediates first (`(icmp ult
//! $x $y)`, `(iconst $C)`). Only opcodes whose result depends on their
//! operands alone may appear (no memory, calls or control flow); trapping
//! arithmetic (`udiv` …) may. Operands are nested patterns, or:
//!
//! * `$x` (lower case): a *variable*, matching any value;
//! * `$C` (upper case): a *constant*, matching a value defined by `iconst`
//!   (or, in an immediate position, the immediate);
//! * an integer literal (`0`, `-1`, `0xff`, `0b101`): a constant with that
//!   value — at a width where the literal is representable, signed or
//!   unsigned, and denotes the same bits (at `i8`, `255` and `-1` both match
//!   `0xff`; `256` matches nothing); `true` and `false` are 1 and 0, Tern
//!   having no boolean type;
//! * a condition code (`eq`, `ult`, `one` …) in a comparison's condition
//!   position, or a variable `$cc` that binds it.
//!
//! Every occurrence of a name after the first must match the same thing
//! (the *same-name rule*): `(isub $x $x)` matches only when both operands
//! are the same SSA value, and a repeated `$C` only equal constants.
//!
//! **Preconditions.** `(when pattern precondition…)` adds conditions:
//!
//! * `(is-power-of-two e)` — exactly one bit of the constant is set;
//! * `(bit-width $x N)` — `$x` (or a constant) is N bits wide (8 … 128);
//! * `(fits-in-native-word $x)` — `$x` is at most 64 bits wide (x86-64's
//!   word);
//! * `(cc a b)` with `cc` an integer condition code (`eq`, `ne`, `slt`,
//!   `ult` …) — compares two compile-time expressions at their width.
//!
//! **Right-hand sides** are built from operations, bound variables and
//! constants, literals (a new `iconst`, or an immediate), and *unquotes*
//! `$(op e…)` computed when the rule fires: `log2`, `neg`, `bnot`, `band`,
//! `bor`, `bxor`, `iadd`, `isub`, `imul`, `ishl`, `ushr`, `sshr` on
//! constants (with exactly the wrapping semantics of the instructions of the
//! same name; see [`fold`]), and `inverse` and `swap-args` on condition
//! codes. A partial unquote (`log2` of zero) makes the rule not apply.
//! Unquotes may also appear in comparison preconditions.
//!
//! **Types.** Rules are polymorphic over bit widths: a rule that does not
//! constrain a width applies at every width the IR's type rules allow, and
//! must be correct at each. `op{i32}` ascribes the type of an operation's
//! result, and `bit-width` constrains a variable. The type checker finds
//! every *instantiation* (assignment of IR types to the rule's positions)
//! and requires that the left-hand side alone determine the right-hand
//! side's types; a literal or unquote operand whose type nothing else
//! determines (a shift amount) takes its operation's controlling type.
//!
//! Compared with Peepmatic the language has no boolean type (comparisons
//! produce an `i8`), no `_imm` instruction forms (the IR has none), and two
//! additions: comparison preconditions and the condition-code unquotes.
//!
//! # The compiler, in phases
//!
//! 1. [`parser`] (over [`lexer`]) builds the [`ast`]; every error names the
//!    file, line and column and shows the line with a caret
//!    ([`diagnostic`]), and parsing recovers to report every broken rule.
//! 2. [`typeck`] resolves names and infers types. Rather than restate the
//!    IR's type rules it asks them: candidate types are tested with
//!    [`tern_ir::typing::check_operands`], the function the IR verifier and
//!    evaluator use, inside a small constraint solver ([`typeck`]'s
//!    `solver`), so the rule language cannot disagree with the IR about what
//!    is well typed. The result is a [`rule::Rule`].
//! 3. [`linear`] turns each rule into a sorted list of match steps (a test
//!    on the value at a path in the instruction tree, and the result
//!    expected) and a list of actions that build the right-hand side.
//! 4. [`automaton`] merges all rules into one decision tree that shares
//!    common prefixes and tries the most specific rule first, falling back
//!    to more general ones; matching costs about the depth of the patterns,
//!    not the number of rules.
//! 5. [`codegen`] emits the tree as Rust code, generic over the
//!    [`subject::Subject`] it reads and the [`subject::Builder`] it builds
//!    with.
//!
//! The [`verify`] module checks every rule against the IR's reference
//! semantics ([`tern_ir::eval::eval_pure`]) at every instantiation —
//! exhaustively at 8 bits, with edge values and random samples at wider
//! widths — and reports counterexamples, and runs the automaton (through
//! [`interp`], an interpreter for it) on each rule's inputs to find rules
//! that can never fire. [`dot`] draws the automaton.
//!
//! [`compile`] runs phases 1–4; [`Compiled::verify`],
//! [`Compiled::emit_rust`] and [`Compiled::dot`] do the rest.

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
