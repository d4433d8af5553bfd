//! Rules after type checking: names resolved, every position typed.
//!
//! The type checker turns each syntactic [`ast::Rule`](crate::ast::Rule)
//! into a [`Rule`]: operators become [`Opcode`]s, `$names` become
//! [`Binding`]s, condition codes become [`IntCC`]/[`FloatCC`], and every
//! position in the left- and right-hand sides gets a type variable
//! ([`TyVar`]). A rule is polymorphic over bit widths, so rather than one
//! type per variable it carries the list of its [`instantiations`]: every
//! assignment of concrete IR types to its type variables that satisfies the
//! operators' signatures and the rule's own constraints. The verifier checks
//! the rule once per instantiation; the matcher does not need them at all,
//! because the IR is already well typed and the few explicit width
//! restrictions a rule makes are tested directly ([`Rule::type_tests`]).
//!
//! [`instantiations`]: Rule::instantiations

use tern_ir::{FloatCC, IntCC, Opcode, Type};

use crate::diagnostic::Span;
use crate::signature::{ImmKind, TypeSet};

/// A type variable of one rule: the type of one position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TyVar(pub u16);

/// A binding of one rule (`$x`, `$C`, `$cc`), indexing [`Rule::bindings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingId(pub u16);

/// A position in the left-hand side: the operand indices (immediates
/// first, then values, as written) leading from the root to it. The root is
/// the empty path. Paths compare lexicographically with a prefix first,
/// which is the pre-order of the pattern tree.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(pub Vec<u8>);

impl Path {
    /// The root.
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// The path to operand `i` of the node at `self`.
    pub fn child(&self, i: usize) -> Path {
        let mut p = self.0.clone();
        p.push(u8::try_from(i).expect("operand index fits in u8"));
        Path(p)
    }

    /// The path one level up, if this is not the root.
    pub fn parent(&self) -> Option<Path> {
        (!self.0.is_empty()).then(|| Path(self.0[..self.0.len() - 1].to_vec()))
    }

    /// The number of steps from the root.
    pub fn depth(&self) -> usize {
        self.0.len()
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("root")?;
        for i in &self.0 {
            write!(f, ".{i}")?;
        }
        Ok(())
    }
}

/// What kind of position something occupies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pos {
    /// An SSA value (an instruction result or any other value).
    Value,
    /// An immediate of an instruction.
    Imm(ImmKind),
}

/// What a binding stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    /// `$x` in a value position: any value.
    Value,
    /// `$C`: an integer constant (an `iconst`'s immediate).
    Const,
    /// `$cc` in an `icmp`'s condition position.
    IntCC,
    /// `$cc` in an `fcmp`'s condition position.
    FloatCC,
}

/// A name bound by the left-hand side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The name without `$`.
    pub name: String,
    /// Its first occurrence.
    pub span: Span,
    /// What it stands for.
    pub kind: BindingKind,
    /// Its type.
    pub ty: TyVar,
    /// Its first occurrence in the pattern.
    pub path: Path,
    /// Whether that occurrence is an immediate (`(iconst $C)`) rather than a
    /// value (`(iadd $x $C)`, where `$C` matches a value defined by
    /// `iconst`).
    pub at_imm: bool,
}

impl Binding {
    /// The path of a value whose type is this binding's type.
    pub fn typed_value_path(&self) -> Path {
        if self.at_imm {
            self.path.parent().expect("immediates have a parent")
        } else {
            self.path.clone()
        }
    }
}

/// A left-hand side pattern node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pat {
    /// Where it is in the tree.
    pub path: Path,
    /// Value or immediate position.
    pub pos: Pos,
    /// Its type (for condition codes: a type variable with no width).
    pub ty: TyVar,
    /// What it matches.
    pub kind: PatKind,
    /// Where it is written.
    pub span: Span,
}

/// What a pattern node matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatKind {
    /// An instruction with this opcode, whose controlling type is `ctrl`,
    /// and operands (immediates first) matching `operands`.
    Op {
        /// The opcode.
        opcode: Opcode,
        /// The controlling type.
        ctrl: TyVar,
        /// Operand patterns.
        operands: Vec<Pat>,
    },
    /// A binding; `first` is true at its first occurrence, later
    /// occurrences must equal it.
    Bind {
        /// The binding.
        binding: BindingId,
        /// Is this the first occurrence?
        first: bool,
    },
    /// An integer constant with this value (at a value position: an
    /// `iconst`).
    Int(i128),
    /// This integer condition code.
    IntCC(IntCC),
    /// This float condition code.
    FloatCC(FloatCC),
}

/// A compile-time operation in an unquote `$(op …)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnquoteOp {
    /// Base-2 logarithm (of a power of two; undefined on zero).
    Log2,
    /// Two's complement negation.
    Neg,
    /// Bitwise not.
    Bnot,
    /// Bitwise and.
    Band,
    /// Bitwise or.
    Bor,
    /// Bitwise xor.
    Bxor,
    /// Wrapping addition.
    Iadd,
    /// Wrapping subtraction.
    Isub,
    /// Wrapping multiplication.
    Imul,
    /// Shift left (amount modulo the width).
    Ishl,
    /// Logical shift right (amount modulo the width).
    Ushr,
    /// Arithmetic shift right (amount modulo the width).
    Sshr,
    /// The condition code that holds when the operand does not.
    Inverse,
    /// The condition code for the operands exchanged.
    SwapArgs,
}

impl UnquoteOp {
    /// Every unquote operator.
    pub const ALL: [UnquoteOp; 14] = [
        UnquoteOp::Log2,
        UnquoteOp::Neg,
        UnquoteOp::Bnot,
        UnquoteOp::Band,
        UnquoteOp::Bor,
        UnquoteOp::Bxor,
        UnquoteOp::Iadd,
        UnquoteOp::Isub,
        UnquoteOp::Imul,
        UnquoteOp::Ishl,
        UnquoteOp::Ushr,
        UnquoteOp::Sshr,
        UnquoteOp::Inverse,
        UnquoteOp::SwapArgs,
    ];

    /// The name written in rules.
    pub const fn name(self) -> &'static str {
        match self {
            UnquoteOp::Log2 => "log2",
            UnquoteOp::Neg => "neg",
            UnquoteOp::Bnot => "bnot",
            UnquoteOp::Band => "band",
            UnquoteOp::Bor => "bor",
            UnquoteOp::Bxor => "bxor",
            UnquoteOp::Iadd => "iadd",
            UnquoteOp::Isub => "isub",
            UnquoteOp::Imul => "imul",
            UnquoteOp::Ishl => "ishl",
            UnquoteOp::Ushr => "ushr",
            UnquoteOp::Sshr => "sshr",
            UnquoteOp::Inverse => "inverse",
            UnquoteOp::SwapArgs => "swap-args",
        }
    }

    /// Looks an operator up by name.
    pub fn from_name(name: &str) -> Option<UnquoteOp> {
        UnquoteOp::ALL.into_iter().find(|op| op.name() == name)
    }

    /// How many operands it takes.
    pub const fn arity(self) -> usize {
        match self {
            UnquoteOp::Log2
            | UnquoteOp::Neg
            | UnquoteOp::Bnot
            | UnquoteOp::Inverse
            | UnquoteOp::SwapArgs => 1,
            _ => 2,
        }
    }

    /// Does it operate on condition codes rather than integers?
    pub const fn on_condition_codes(self) -> bool {
        matches!(self, UnquoteOp::Inverse | UnquoteOp::SwapArgs)
    }

    /// Can it fail (and so make the rule not apply)?
    pub const fn is_partial(self) -> bool {
        matches!(self, UnquoteOp::Log2)
    }
}

/// A compile-time expression: an operand of a precondition or an unquote,
/// or a constant built by the right-hand side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    /// Its type.
    pub ty: TyVar,
    /// What it computes.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

/// What an [`Expr`] computes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// A bound constant or condition code.
    Binding(BindingId),
    /// An integer literal (wrapped to the type's width).
    Int(i128),
    /// A condition code literal.
    IntCC(IntCC),
    /// A condition code literal.
    FloatCC(FloatCC),
    /// `$(op operands…)`.
    Unquote(UnquoteOp, Vec<Expr>),
}

/// A precondition that is tested when matching (width restrictions are
/// [`Rule::type_tests`] instead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pred {
    /// `(is-power-of-two e)`: exactly one bit of `e` is set.
    IsPowerOfTwo(Expr),
    /// `(cc a b)`: the integer comparison holds.
    Compare(IntCC, Expr, Expr),
}

/// A right-hand side node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Build {
    /// Value or immediate position.
    pub pos: Pos,
    /// Its type.
    pub ty: TyVar,
    /// What to build.
    pub kind: BuildKind,
    /// Where it is written.
    pub span: Span,
}

/// What a right-hand side node builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildKind {
    /// A new instruction.
    Op {
        /// The opcode.
        opcode: Opcode,
        /// The controlling type.
        ctrl: TyVar,
        /// Operands, immediates first.
        operands: Vec<Build>,
    },
    /// A value or immediate bound on the left (a `$C` in a value position
    /// becomes a new `iconst`).
    Binding(BindingId),
    /// A constant computed from literals and bound constants (in a value
    /// position: a new `iconst`).
    Expr(Expr),
}

/// Where the matcher finds a type variable's concrete type at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeSource {
    /// It is the same in every instantiation.
    Fixed(Type),
    /// It is the type of the value at this left-hand-side path.
    At(Path),
    /// It is a condition code, which has no type.
    CondCode,
    /// Nothing the pattern matches determines it. The type checker makes
    /// sure the right-hand side never needs such a type.
    Unknown,
}

/// A type-checked rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The whole `(=> …)` form.
    pub span: Span,
    /// `file:line` of the rule, for reports and statistics.
    pub name: String,
    /// The rule's source text.
    pub text: String,
    /// The names the left-hand side binds.
    pub bindings: Vec<Binding>,
    /// The pattern.
    pub lhs: Pat,
    /// Preconditions tested when matching.
    pub preds: Vec<Pred>,
    /// Explicit width restrictions (`op{i32}`, `bit-width`,
    /// `fits-in-native-word`): the type of the value at the path must be in
    /// the set. The IR's typing guarantees everything else.
    pub type_tests: Vec<(Path, TypeSet)>,
    /// The replacement.
    pub rhs: Build,
    /// Where to find each type variable's type at run time.
    pub type_sources: Vec<TypeSource>,
    /// Every assignment of types to type variables the rule applies at
    /// (`None` for condition-code variables).
    pub instantiations: Vec<Vec<Option<Type>>>,
}

impl Rule {
    /// The binding with id `id`.
    pub fn binding(&self, id: BindingId) -> &Binding {
        &self.bindings[id.0 as usize]
    }

    /// How many instructions below the root the pattern looks at along its
    /// longest chain: `(iadd $x $y)` is 0, `(iadd $x 0)` is 1 (the `iconst`
    /// defining the second operand), `(bnot (bnot $x))` is 1.
    pub fn depth(&self) -> usize {
        self.depth_of(&self.lhs)
    }

    fn depth_of(&self, p: &Pat) -> usize {
        let PatKind::Op { operands, .. } = &p.kind else {
            return 0;
        };
        operands
            .iter()
            .filter(|o| o.pos == Pos::Value)
            .map(|o| match o.kind {
                PatKind::Op { .. } => 1 + self.depth_of(o),
                PatKind::Int(_) => 1,
                // A constant in a value position inspects its defining
                // `iconst`; a variable inspects nothing.
                PatKind::Bind { binding, .. } => {
                    usize::from(self.binding(binding).kind == BindingKind::Const)
                }
                PatKind::IntCC(_) | PatKind::FloatCC(_) => 0,
            })
            .max()
            .unwrap_or(0)
    }
}
