//! The syntax tree of a rule file, exactly as written.
//!
//! Nothing here is resolved yet: operator, predicate and type names are
//! plain strings with spans. The type checker ([`crate::typeck`]) resolves
//! them and produces the checked form the later phases work on.

use crate::diagnostic::Span;

/// A name with its location: an operator, a predicate, a `$variable`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name (without `$` for variables and constants).
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// One rewrite rule: `(=> lhs rhs)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The whole `(=> …)` form.
    pub span: Span,
    /// What to match.
    pub lhs: Lhs,
    /// What to replace it with.
    pub rhs: Rhs,
}

/// A left-hand side: a pattern plus the preconditions of a `when` form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lhs {
    /// The pattern, or the whole `(when …)` form.
    pub span: Span,
    /// The structural pattern.
    pub pattern: Pattern,
    /// Extra conditions a match must meet.
    pub preconditions: Vec<Precondition>,
}

/// A literal: an integer, `true`/`false`, or a condition code name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Literal {
    /// What the literal is.
    pub value: LiteralValue,
    /// Where it is written.
    pub span: Span,
}

/// The value of a [`Literal`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiteralValue {
    /// An integer; which bits it denotes depends on the width it is used at.
    Int(i128),
    /// `true` or `false`. Tern has no boolean type (comparisons produce an
    /// `i8` 0 or 1), so these are the integers 1 and 0.
    Bool(bool),
    /// A condition code such as `eq` or `ult`; whether it is an integer or
    /// float code depends on where it is used.
    Cond(String),
}

/// A left-hand side pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Matches exactly this value.
    Literal(Literal),
    /// `$C`: matches any constant and binds it.
    Const(Ident),
    /// `$x`: matches any value and binds it; repeated uses must match the
    /// same value.
    Var(Ident),
    /// `(op operand…)`: matches an instruction.
    Op(Operation<Pattern>),
}

/// An operator applied to operands, in a pattern or a right-hand side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation<T> {
    /// The whole `(…)` form.
    pub span: Span,
    /// The operator name: `iadd`, `icmp`, `uextend`.
    pub operator: Ident,
    /// The type in `op{i32}`, if ascribed.
    pub ascription: Option<Ident>,
    /// Immediates first (condition codes, `iconst`'s constant), then value
    /// operands, as in CLIF's text format.
    pub operands: Vec<T>,
}

/// An operand of a precondition or an unquote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A literal.
    Literal(Literal),
    /// A bound constant `$C`.
    Const(Ident),
    /// A bound variable `$x`.
    Var(Ident),
    /// A nested compile-time computation.
    Unquote(Unquote),
}

impl Operand {
    /// Where the operand is written.
    pub fn span(&self) -> Span {
        match self {
            Operand::Literal(l) => l.span,
            Operand::Const(i) | Operand::Var(i) => i.span,
            Operand::Unquote(u) => u.span,
        }
    }
}

/// A condition on a match: `(is-power-of-two $C)`, `(bit-width $x 32)`,
/// `(ult $C 8)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Precondition {
    /// The whole form.
    pub span: Span,
    /// The predicate name.
    pub predicate: Ident,
    /// Its operands.
    pub operands: Vec<Operand>,
}

/// A compile-time computation on matched constants: `$(log2 $C)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unquote {
    /// The whole `$(…)` form.
    pub span: Span,
    /// The operator name: `log2`, `neg`, `iadd`.
    pub operator: Ident,
    /// Its operands.
    pub operands: Vec<Operand>,
}

/// A right-hand side: what replaces the matched instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rhs {
    /// A constant with this value.
    Literal(Literal),
    /// The constant bound to `$C` on the left.
    Const(Ident),
    /// The value bound to `$x` on the left.
    Var(Ident),
    /// A constant computed when the rule fires.
    Unquote(Unquote),
    /// A new instruction.
    Op(Operation<Rhs>),
}

impl Pattern {
    /// Where the pattern is written.
    pub fn span(&self) -> Span {
        match self {
            Pattern::Literal(l) => l.span,
            Pattern::Const(i) | Pattern::Var(i) => i.span,
            Pattern::Op(o) => o.span,
        }
    }
}

impl Rhs {
    /// Where the right-hand side is written.
    pub fn span(&self) -> Span {
        match self {
            Rhs::Literal(l) => l.span,
            Rhs::Const(i) | Rhs::Var(i) => i.span,
            Rhs::Unquote(u) => u.span,
            Rhs::Op(o) => o.span,
        }
    }
}
