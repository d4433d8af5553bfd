//! Type checking: from syntax to checked [`Rule`]s.
//!
//! For each rule the checker
//!
//! 1. resolves names — operators to [`Opcode`]s (only those a rule may use,
//!    see [`crate::signature`]), predicates, unquote operators, condition
//!    codes and type ascriptions — and binds `$names`: the first occurrence
//!    of a name in the left-hand side binds it, later occurrences must match
//!    the same thing (the *same-name rule*), and the right-hand side and
//!    preconditions may only use bound names;
//! 2. gives every position a type variable and collects constraints: the IR's
//!    type rule for each operation, equalities (a repeated name, the two
//!    sides' roots), and restrictions (`op{i32}`, `(bit-width $x 32)`,
//!    `(fits-in-native-word $x)`, "a constant is an integer");
//! 3. solves the left-hand side alone, then the whole rule, and compares:
//!    every type the pattern can match at must also make the right-hand
//!    side well typed, in exactly one way. A rule whose right-hand side is
//!    narrower than its pattern (it builds an `i64` operation but the
//!    pattern matches any width) is rejected rather than silently
//!    restricted, because the matcher only tests what the pattern says.
//!
//! One defaulting rule keeps the right-hand side free of clutter: a literal
//! or unquote operand whose type nothing determines (a shift amount, a
//! `select` condition) takes the controlling type of its operation, so
//! `(ishl $x 1)` builds its `1` at the width of `$x`.
//!
//! The result lists the rule's instantiations (for the verifier) and, for
//! each type the right-hand side needs at run time, where to read it
//! ([`TypeSource`]).

mod solver;

use std::collections::HashMap;

use tern_ir::{FloatCC, IntCC, Opcode, Type};

use crate::ast;
use crate::diagnostic::{Diagnostic, FileId, SourceMap, Span};
use crate::rule::*;
use crate::signature::{ImmKind, Signature, TypeSet, signature};
use solver::{OpConstraint, Solver, Sort};

/// Type-checks the rules parsed from `file`. Returns the rules that are
/// well formed and a diagnostic for each one that is not.
pub fn check_rules(
    sources: &SourceMap,
    file: FileId,
    rules: &[ast::Rule],
) -> (Vec<Rule>, Vec<Diagnostic>) {
    let mut checked = Vec::new();
    let mut errors = Vec::new();
    for rule in rules {
        debug_assert_eq!(rule.span.file, file);
        match Checker::default().rule(sources, rule) {
            Ok(r) => checked.push(r),
            Err(e) => errors.push(e),
        }
    }
    (checked, errors)
}

/// Does the integer `v` denote a value of `bits` bits, read as signed or
/// unsigned?
pub fn literal_fits(v: i128, bits: u32) -> bool {
    if bits >= 128 {
        return true;
    }
    let min = -(1i128 << (bits - 1));
    let max = (1i128 << bits) - 1;
    (min..=max).contains(&v)
}

/// The name in `candidates` closest to `name`, if it is close enough to be
/// a likely typo.
fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for j in 0..b.len() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != b[j]))
                    .min(row[j] + 1)
                    .min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }
    candidates
        .into_iter()
        .map(|c| (distance(name, c), c))
        .filter(|&(d, _)| d <= 2 && d < name.len())
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// The predicates a `when` form may use besides integer comparisons.
const PREDICATES: [&str; 3] = ["is-power-of-two", "bit-width", "fits-in-native-word"];

/// The widths `bit-width` accepts.
const WIDTHS: [u32; 5] = [8, 16, 32, 64, 128];

type CResult<T> = Result<T, Diagnostic>;

#[derive(Default)]
struct Checker {
    solver: Solver,
    /// Where each type variable's position is written.
    var_spans: Vec<Span>,
    bindings: Vec<Binding>,
    by_name: HashMap<String, BindingId>,
    type_tests: Vec<(Path, TypeSet)>,
    /// Type variables of left-hand-side value positions, in pre-order.
    value_paths: Vec<(TyVar, Path)>,
    /// Right-hand-side literal or unquote operands and the controlling type
    /// they default to.
    defaults: Vec<(TyVar, TyVar)>,
    /// Type variables the right-hand side needs at run time.
    needed: Vec<TyVar>,
    int_literals: Vec<(TyVar, i128, Span)>,
}

impl Checker {
    fn fresh(&mut self, sort: Sort, span: Span) -> TyVar {
        self.var_spans.push(span);
        self.solver.fresh(sort)
    }

    fn rule(mut self, sources: &SourceMap, rule: &ast::Rule) -> CResult<Rule> {
        let ast::Pattern::Op(_) = &rule.lhs.pattern else {
            return Err(Diagnostic::error(
                rule.lhs.pattern.span(),
                "the left-hand side must be an instruction pattern such as `(iadd $x $y)`",
            ));
        };
        let root = self.fresh(Sort::Value, rule.lhs.pattern.span());
        let lhs = self.pattern(&rule.lhs.pattern, Path::root(), Pos::Value, root)?;
        let mut preds = Vec::new();
        for p in &rule.lhs.preconditions {
            if let Some(pred) = self.precondition(p)? {
                preds.push(pred);
            }
        }
        let lhs_vars = self.solver.len();
        let lhs_solutions = self.solver.clone().solve()?;

        let rhs = self.build(&rule.rhs, Pos::Value, root)?;
        let solutions = self.solve_whole(rule, lhs_vars, &lhs_solutions)?;
        self.check_literals(&solutions)?;
        let type_sources = self.type_sources(&solutions)?;

        let file = sources.file(rule.span.file);
        let (line, _) = file.line_col(rule.span.start);
        Ok(Rule {
            span: rule.span,
            name: format!("{}:{line}", file.name()),
            text: file.snippet(rule.span).to_string(),
            bindings: self.bindings,
            lhs,
            preds,
            type_tests: self.type_tests,
            rhs,
            type_sources,
            instantiations: solutions,
        })
    }

    // ----- Operations --------------------------------------------------

    fn resolve_op<T>(&self, op: &ast::Operation<T>) -> CResult<Signature> {
        let name = &op.operator.name;
        let Some(opcode) = Opcode::from_name(name) else {
            let usable = Opcode::ALL
                .iter()
                .filter(|o| signature(**o).is_ok())
                .map(|o| o.name());
            let mut d = Diagnostic::error(op.operator.span, format!("unknown operator `{name}`"));
            if let Some(s) = suggest(name, usable) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            return Err(d);
        };
        let sig = signature(opcode).map_err(|why| {
            Diagnostic::error(
                op.operator.span,
                format!("`{name}` cannot appear in a rule: {why}"),
            )
        })?;
        if op.operands.len() != sig.arity() {
            let imms: Vec<&str> = sig
                .imms
                .iter()
                .map(|k| match k {
                    ImmKind::Int => "an integer immediate",
                    ImmKind::IntCC | ImmKind::FloatCC => "a condition code",
                })
                .collect();
            let what = match (imms.is_empty(), sig.args) {
                (true, n) => format!("{n} operand{}", if n == 1 { "" } else { "s" }),
                (false, 0) => imms.join(" and "),
                (false, n) => format!("{} and {n} operands", imms.join(" and ")),
            };
            return Err(Diagnostic::error(
                op.span,
                format!(
                    "`{name}` takes {what}, found {} operand{}",
                    op.operands.len(),
                    if op.operands.len() == 1 { "" } else { "s" }
                ),
            ));
        }
        Ok(sig)
    }

    /// Sets up the types of an operation at a position of type `ty`.
    /// Returns the controlling type and each operand's type and position.
    fn op_types<T: OperandSpan>(
        &mut self,
        op: &ast::Operation<T>,
        sig: Signature,
        ty: TyVar,
    ) -> CResult<(TyVar, Vec<(TyVar, Pos)>)> {
        let ctrl = if sig.opcode.result_kind() == tern_ir::ResultKind::Bool {
            self.solver.restrict(
                ty,
                TypeSet::single(Type::I8),
                op.span,
                format!("`{}` produces an i8", sig.opcode),
            )?;
            self.fresh(Sort::Value, op.span)
        } else {
            ty
        };
        if let Some(asc) = &op.ascription {
            let t = Type::from_name(&asc.name).ok_or_else(|| {
                Diagnostic::error(asc.span, format!("unknown type `{}`", asc.name))
                    .with_help("types are i8, i16, i32, i64, i128, f32 and f64")
            })?;
            self.solver
                .restrict(ty, TypeSet::single(t), asc.span, "the ascription")?;
        }
        let mut operands = Vec::new();
        for (i, operand) in op.operands.iter().enumerate() {
            let span = operand.span_of();
            operands.push(match sig.imms.get(i) {
                Some(ImmKind::Int) => (ctrl, Pos::Imm(ImmKind::Int)),
                Some(ImmKind::IntCC) => (self.fresh(Sort::IntCC, span), Pos::Imm(ImmKind::IntCC)),
                Some(ImmKind::FloatCC) => {
                    (self.fresh(Sort::FloatCC, span), Pos::Imm(ImmKind::FloatCC))
                }
                None => (self.fresh(Sort::Value, span), Pos::Value),
            });
        }
        self.solver.add_op(OpConstraint {
            sig,
            ctrl,
            args: operands
                .iter()
                .filter(|(_, p)| *p == Pos::Value)
                .map(|(v, _)| *v)
                .collect(),
            result: ty,
            span: op.span,
        });
        Ok((ctrl, operands))
    }

    // ----- Left-hand side ----------------------------------------------

    fn pattern(&mut self, p: &ast::Pattern, path: Path, pos: Pos, ty: TyVar) -> CResult<Pat> {
        if pos == Pos::Value {
            self.value_paths.push((ty, path.clone()));
        }
        let span = p.span();
        let kind = match p {
            ast::Pattern::Op(op) => {
                if pos != Pos::Value {
                    return Err(Diagnostic::error(
                        span,
                        "expected an immediate here, found an instruction",
                    ));
                }
                let sig = self.resolve_op(op)?;
                if let Some(asc) = &op.ascription {
                    let t = Type::from_name(&asc.name);
                    if let Some(t) = t {
                        self.add_type_test(path.clone(), TypeSet::single(t));
                    }
                }
                let (ctrl, operand_types) = self.op_types(op, sig, ty)?;
                let mut operands = Vec::new();
                for (i, (operand, (oty, opos))) in op.operands.iter().zip(operand_types).enumerate()
                {
                    operands.push(self.pattern(operand, path.child(i), opos, oty)?);
                }
                PatKind::Op {
                    opcode: sig.opcode,
                    ctrl,
                    operands,
                }
            }
            ast::Pattern::Var(ident) => {
                let kind = match pos {
                    Pos::Value => BindingKind::Value,
                    Pos::Imm(ImmKind::IntCC) => BindingKind::IntCC,
                    Pos::Imm(ImmKind::FloatCC) => BindingKind::FloatCC,
                    Pos::Imm(ImmKind::Int) => {
                        return Err(Diagnostic::error(
                            span,
                            format!("`${}` is a variable, but an immediate integer is matched by a constant", ident.name),
                        )
                        .with_help(format!("write `${}`", ident.name.to_ascii_uppercase())));
                    }
                };
                self.bind(ident, kind, ty, &path, pos)?
            }
            ast::Pattern::Const(ident) => {
                match pos {
                    Pos::Value => {
                        self.solver.restrict(
                            ty,
                            TypeSet::INTS,
                            span,
                            "a constant is an `iconst`",
                        )?;
                    }
                    Pos::Imm(ImmKind::Int) => {}
                    Pos::Imm(_) => {
                        return Err(Diagnostic::error(
                            span,
                            format!(
                                "`${}` is a constant, but condition codes are bound by variables",
                                ident.name
                            ),
                        )
                        .with_help(format!("write `${}`", ident.name.to_ascii_lowercase())));
                    }
                }
                self.bind(ident, BindingKind::Const, ty, &path, pos)?
            }
            ast::Pattern::Literal(lit) => self.pattern_literal(lit, pos, ty)?,
        };
        Ok(Pat {
            path,
            pos,
            ty,
            kind,
            span,
        })
    }

    fn pattern_literal(&mut self, lit: &ast::Literal, pos: Pos, ty: TyVar) -> CResult<PatKind> {
        match (&lit.value, pos) {
            (
                ast::LiteralValue::Int(_) | ast::LiteralValue::Bool(_),
                Pos::Imm(ImmKind::IntCC | ImmKind::FloatCC),
            ) => Err(Diagnostic::error(
                lit.span,
                "expected a condition code, found an integer",
            )),
            (ast::LiteralValue::Int(_) | ast::LiteralValue::Bool(_), _) => {
                let v = int_literal_value(&lit.value);
                if pos == Pos::Value {
                    self.solver
                        .restrict(ty, TypeSet::INTS, lit.span, "an integer literal")?;
                }
                self.int_literals.push((ty, v, lit.span));
                Ok(PatKind::Int(v))
            }
            (ast::LiteralValue::Cond(name), Pos::Imm(ImmKind::IntCC)) => {
                Ok(PatKind::IntCC(int_cc(name, lit.span)?))
            }
            (ast::LiteralValue::Cond(name), Pos::Imm(ImmKind::FloatCC)) => {
                Ok(PatKind::FloatCC(float_cc(name, lit.span)?))
            }
            (ast::LiteralValue::Cond(name), _) => Err(not_a_value(name, lit.span)),
        }
    }

    fn add_type_test(&mut self, path: Path, set: TypeSet) {
        if let Some((_, s)) = self.type_tests.iter_mut().find(|(p, _)| *p == path) {
            *s = s.intersect(set);
        } else {
            self.type_tests.push((path, set));
        }
    }

    /// Binds `ident` at its first occurrence, or checks a repeated one.
    fn bind(
        &mut self,
        ident: &ast::Ident,
        kind: BindingKind,
        ty: TyVar,
        path: &Path,
        pos: Pos,
    ) -> CResult<PatKind> {
        if let Some(&id) = self.by_name.get(&ident.name) {
            let b = &self.bindings[id.0 as usize];
            if b.kind != kind {
                return Err(Diagnostic::error(
                    ident.span,
                    format!(
                        "`${}` is used as {} here but bound as {}",
                        ident.name,
                        describe_binding(kind),
                        describe_binding(b.kind)
                    ),
                )
                .with_note(b.span, "bound here"));
            }
            let bty = b.ty;
            self.solver.unify(bty, ty, ident.span)?;
            return Ok(PatKind::Bind {
                binding: id,
                first: false,
            });
        }
        let id = BindingId(u16::try_from(self.bindings.len()).expect("few bindings"));
        self.bindings.push(Binding {
            name: ident.name.clone(),
            span: ident.span,
            kind,
            ty,
            path: path.clone(),
            at_imm: matches!(pos, Pos::Imm(_)),
        });
        self.by_name.insert(ident.name.clone(), id);
        Ok(PatKind::Bind {
            binding: id,
            first: true,
        })
    }

    fn lookup(&self, ident: &ast::Ident) -> CResult<BindingId> {
        self.by_name.get(&ident.name).copied().ok_or_else(|| {
            let mut d = Diagnostic::error(
                ident.span,
                format!("`${}` is not bound by the left-hand side", ident.name),
            );
            if let Some(s) = suggest(&ident.name, self.by_name.keys().map(String::as_str)) {
                d = d.with_help(format!("did you mean `${s}`?"));
            }
            d
        })
    }

    // ----- Preconditions -----------------------------------------------

    fn precondition(&mut self, p: &ast::Precondition) -> CResult<Option<Pred>> {
        let name = p.predicate.name.as_str();
        let arity = |n: usize| -> CResult<()> {
            if p.operands.len() == n {
                Ok(())
            } else {
                Err(Diagnostic::error(
                    p.span,
                    format!(
                        "`{name}` takes {n} operand{}, found {}",
                        if n == 1 { "" } else { "s" },
                        p.operands.len()
                    ),
                ))
            }
        };
        match name {
            "is-power-of-two" => {
                arity(1)?;
                let ty = self.fresh(Sort::Value, p.operands[0].span());
                self.needed.push(ty);
                let e = self.expr(&p.operands[0], ty)?;
                Ok(Some(Pred::IsPowerOfTwo(e)))
            }
            "bit-width" => {
                arity(2)?;
                let binding = self.width_subject(&p.operands[0], name)?;
                let width = match &p.operands[1] {
                    ast::Operand::Literal(ast::Literal {
                        value: ast::LiteralValue::Int(w),
                        ..
                    }) if WIDTHS.iter().any(|&x| i128::from(x) == *w) => *w as u32,
                    other => {
                        return Err(Diagnostic::error(
                            other.span(),
                            "expected a bit width: 8, 16, 32, 64 or 128",
                        ));
                    }
                };
                self.restrict_binding(binding, TypeSet::of_bits(width), p.span, "bit-width")?;
                Ok(None)
            }
            "fits-in-native-word" => {
                arity(1)?;
                let binding = self.width_subject(&p.operands[0], name)?;
                self.restrict_binding(
                    binding,
                    TypeSet::at_most_bits(64),
                    p.span,
                    "fits-in-native-word",
                )?;
                Ok(None)
            }
            _ => {
                let Some(cc) = IntCC::from_name(name) else {
                    let known = PREDICATES
                        .iter()
                        .copied()
                        .chain(IntCC::ALL.iter().map(|c| c.name()));
                    let mut d = Diagnostic::error(
                        p.predicate.span,
                        format!("unknown precondition `{name}`"),
                    );
                    if let Some(s) = suggest(name, known) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    } else {
                        d = d.with_help(
                            "preconditions are is-power-of-two, bit-width, fits-in-native-word \
                             and the integer comparisons eq, ne, slt, sle, sgt, sge, ult, ule, ugt, uge",
                        );
                    }
                    return Err(d);
                };
                arity(2)?;
                let ty = self.fresh(Sort::Value, p.span);
                self.needed.push(ty);
                let a = self.expr(&p.operands[0], ty)?;
                let b = self.expr(&p.operands[1], ty)?;
                Ok(Some(Pred::Compare(cc, a, b)))
            }
        }
    }

    /// The bound variable or constant whose width a precondition restricts.
    fn width_subject(&self, operand: &ast::Operand, predicate: &str) -> CResult<BindingId> {
        match operand {
            ast::Operand::Var(ident) | ast::Operand::Const(ident) => {
                let id = self.lookup(ident)?;
                match self.bindings[id.0 as usize].kind {
                    BindingKind::Value | BindingKind::Const => Ok(id),
                    _ => Err(Diagnostic::error(
                        ident.span,
                        format!(
                            "`{predicate}` applies to values and constants, not condition codes"
                        ),
                    )),
                }
            }
            other => Err(Diagnostic::error(
                other.span(),
                format!("`{predicate}` applies to a bound `$x` or `$C`"),
            )),
        }
    }

    fn restrict_binding(
        &mut self,
        id: BindingId,
        set: TypeSet,
        span: Span,
        reason: &str,
    ) -> CResult<()> {
        let b = &self.bindings[id.0 as usize];
        let (ty, path) = (b.ty, b.typed_value_path());
        self.solver.restrict(ty, set, span, reason)?;
        self.add_type_test(path, set);
        Ok(())
    }

    // ----- Compile-time expressions ------------------------------------

    /// An expression of type `ty` (whose sort says whether it is an integer
    /// or a condition code).
    fn expr(&mut self, operand: &ast::Operand, ty: TyVar) -> CResult<Expr> {
        let span = operand.span();
        let kind = match operand {
            ast::Operand::Literal(lit) => self.expr_literal(lit, ty)?,
            ast::Operand::Const(ident) => {
                let id = self.lookup(ident)?;
                if self.solver.sort(ty) != Sort::Value {
                    return Err(Diagnostic::error(
                        span,
                        format!(
                            "expected a condition code, found the constant `${}`",
                            ident.name
                        ),
                    ));
                }
                let bty = self.bindings[id.0 as usize].ty;
                self.solver.unify(bty, ty, span)?;
                ExprKind::Binding(id)
            }
            ast::Operand::Var(ident) => {
                let id = self.lookup(ident)?;
                let b = &self.bindings[id.0 as usize];
                if b.kind == BindingKind::Value {
                    return Err(Diagnostic::error(
                        span,
                        format!(
                            "`${}` is a value, but only constants are known when rules are \
                             compiled; compile-time expressions take `$CONSTANTS`, literals and `$(…)`",
                            ident.name
                        ),
                    ));
                }
                let bty = b.ty;
                self.solver.unify(bty, ty, span)?;
                ExprKind::Binding(id)
            }
            ast::Operand::Unquote(u) => self.unquote(u, ty)?,
        };
        Ok(Expr { ty, kind, span })
    }

    fn expr_literal(&mut self, lit: &ast::Literal, ty: TyVar) -> CResult<ExprKind> {
        match (&lit.value, self.solver.sort(ty)) {
            (ast::LiteralValue::Int(_) | ast::LiteralValue::Bool(_), Sort::Value) => {
                let v = int_literal_value(&lit.value);
                self.solver
                    .restrict(ty, TypeSet::INTS, lit.span, "an integer literal")?;
                self.int_literals.push((ty, v, lit.span));
                Ok(ExprKind::Int(v))
            }
            (ast::LiteralValue::Int(_) | ast::LiteralValue::Bool(_), _) => Err(Diagnostic::error(
                lit.span,
                "expected a condition code, found an integer",
            )),
            (ast::LiteralValue::Cond(name), Sort::IntCC) => {
                Ok(ExprKind::IntCC(int_cc(name, lit.span)?))
            }
            (ast::LiteralValue::Cond(name), Sort::FloatCC) => {
                Ok(ExprKind::FloatCC(float_cc(name, lit.span)?))
            }
            (ast::LiteralValue::Cond(name), Sort::Value) => Err(not_a_value(name, lit.span)),
        }
    }

    fn unquote(&mut self, u: &ast::Unquote, ty: TyVar) -> CResult<ExprKind> {
        let name = &u.operator.name;
        let Some(op) = UnquoteOp::from_name(name) else {
            let mut d = Diagnostic::error(
                u.operator.span,
                format!("unknown unquote operator `{name}`"),
            );
            d = match suggest(name, UnquoteOp::ALL.iter().map(|o| o.name())) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!(
                    "unquote operators are {}",
                    UnquoteOp::ALL.map(|o| o.name()).join(", ")
                )),
            };
            return Err(d);
        };
        if u.operands.len() != op.arity() {
            return Err(Diagnostic::error(
                u.span,
                format!(
                    "`{name}` takes {} operand{}, found {}",
                    op.arity(),
                    if op.arity() == 1 { "" } else { "s" },
                    u.operands.len()
                ),
            ));
        }
        let sort = self.solver.sort(ty);
        if op.on_condition_codes() != (sort != Sort::Value) {
            let (found, expected) = if op.on_condition_codes() {
                ("a condition code", "an integer")
            } else {
                ("an integer", "a condition code")
            };
            return Err(Diagnostic::error(
                u.span,
                format!("`{name}` computes {found}, but {expected} is needed here"),
            ));
        }
        if sort == Sort::Value {
            self.solver
                .restrict(ty, TypeSet::INTS, u.span, format!("`{name}`"))?;
        }
        let mut args = Vec::new();
        for operand in &u.operands {
            args.push(self.expr(operand, ty)?);
        }
        Ok(ExprKind::Unquote(op, args))
    }

    // ----- Right-hand side ---------------------------------------------

    fn build(&mut self, rhs: &ast::Rhs, pos: Pos, ty: TyVar) -> CResult<Build> {
        let span = rhs.span();
        let kind = match rhs {
            ast::Rhs::Op(op) => {
                if pos != Pos::Value {
                    return Err(Diagnostic::error(
                        span,
                        "expected an immediate here, found an instruction",
                    ));
                }
                let sig = self.resolve_op(op)?;
                let (ctrl, operand_types) = self.op_types(op, sig, ty)?;
                self.needed.push(ctrl);
                let mut operands = Vec::new();
                for (operand, (oty, opos)) in op.operands.iter().zip(operand_types) {
                    if opos == Pos::Value
                        && matches!(operand, ast::Rhs::Literal(_) | ast::Rhs::Unquote(_))
                    {
                        self.defaults.push((oty, ctrl));
                    }
                    operands.push(self.build(operand, opos, oty)?);
                }
                BuildKind::Op {
                    opcode: sig.opcode,
                    ctrl,
                    operands,
                }
            }
            ast::Rhs::Var(ident) => {
                let id = self.lookup(ident)?;
                let b = &self.bindings[id.0 as usize];
                let fits = matches!(
                    (b.kind, pos),
                    (BindingKind::Value, Pos::Value)
                        | (BindingKind::IntCC, Pos::Imm(ImmKind::IntCC))
                        | (BindingKind::FloatCC, Pos::Imm(ImmKind::FloatCC))
                );
                if !fits {
                    return Err(Diagnostic::error(
                        span,
                        format!(
                            "expected {}, found `${}`, which is {}",
                            describe_pos(pos),
                            ident.name,
                            describe_binding(b.kind)
                        ),
                    ));
                }
                let bty = b.ty;
                self.solver.unify(bty, ty, span)?;
                BuildKind::Binding(id)
            }
            ast::Rhs::Const(ident) => {
                let id = self.lookup(ident)?;
                if matches!(pos, Pos::Imm(ImmKind::IntCC | ImmKind::FloatCC)) {
                    return Err(Diagnostic::error(
                        span,
                        format!(
                            "expected a condition code, found the constant `${}`",
                            ident.name
                        ),
                    ));
                }
                let bty = self.bindings[id.0 as usize].ty;
                self.solver.unify(bty, ty, span)?;
                if pos == Pos::Value {
                    self.needed.push(ty);
                }
                BuildKind::Binding(id)
            }
            ast::Rhs::Literal(lit) => {
                if pos == Pos::Value {
                    self.needed.push(ty);
                }
                BuildKind::Expr(Expr {
                    ty,
                    kind: self.expr_literal(lit, ty)?,
                    span,
                })
            }
            ast::Rhs::Unquote(u) => {
                if pos == Pos::Value {
                    self.needed.push(ty);
                }
                BuildKind::Expr(Expr {
                    ty,
                    kind: self.unquote(u, ty)?,
                    span,
                })
            }
        };
        Ok(Build {
            pos,
            ty,
            kind,
            span,
        })
    }

    // ----- Solving -----------------------------------------------------

    /// Solves the whole rule and checks that it agrees with the left-hand
    /// side's solutions: each extends in exactly one way.
    fn solve_whole(
        &mut self,
        rule: &ast::Rule,
        lhs_vars: usize,
        lhs_solutions: &[Vec<Option<Type>>],
    ) -> CResult<Vec<Vec<Option<Type>>>> {
        loop {
            let solutions = self.solver.clone().solve()?;
            let mut extensions: HashMap<&[Option<Type>], Vec<&Vec<Option<Type>>>> = HashMap::new();
            for s in &solutions {
                extensions.entry(&s[..lhs_vars]).or_default().push(s);
            }
            if let Some(missing) = lhs_solutions
                .iter()
                .find(|l| !extensions.contains_key(&l[..]))
            {
                return Err(self.narrower_rhs_error(rule, missing));
            }
            let ambiguous = extensions.values().find(|e| e.len() > 1);
            let Some(ambiguous) = ambiguous else {
                return Ok(solutions);
            };
            let (a, b) = (ambiguous[0], ambiguous[1]);
            let var = (lhs_vars..self.solver.len())
                .find(|&v| a[v] != b[v])
                .expect("distinct solutions differ somewhere");
            let var = TyVar(var as u16);
            // Apply the defaulting rule to an undetermined literal operand,
            // then try again.
            let default = self
                .defaults
                .iter()
                .position(|&(v, _)| self.solver.find(v) == self.solver.find(var));
            match default {
                Some(i) => {
                    let (v, ctrl) = self.defaults.remove(i);
                    let span = self.var_spans[v.0 as usize];
                    self.solver.unify(v, ctrl, span)?;
                }
                None => {
                    return Err(Diagnostic::error(
                        self.var_spans[var.0 as usize],
                        format!(
                            "cannot infer the type of this: it could be {} or {}",
                            a[var.0 as usize].expect("value type"),
                            b[var.0 as usize].expect("value type")
                        ),
                    )
                    .with_help("ascribe a type to the operation, as in `(uextend{i64} $x)`"));
                }
            }
        }
    }

    fn narrower_rhs_error(&self, rule: &ast::Rule, lhs_solution: &[Option<Type>]) -> Diagnostic {
        let mut example: Vec<String> = Vec::new();
        if let Some(t) = lhs_solution[0] {
            example.push(format!("the root is {t}"));
        }
        for b in &self.bindings {
            if let Some(t) = lhs_solution[b.ty.0 as usize]
                && matches!(b.kind, BindingKind::Value | BindingKind::Const)
            {
                example.push(format!("`${}` is {t}", b.name));
            }
        }
        Diagnostic::error(
            rule.rhs.span(),
            "the right-hand side is not well typed for every type the left-hand side matches",
        )
        .with_help(format!("it fails when {}", example.join(", ")))
        .with_help(
            "restrict the left-hand side with `(bit-width $x N)` or an ascription like `op{i32}`",
        )
    }

    /// Rejects literals that do not fit their type in any instantiation.
    fn check_literals(&self, solutions: &[Vec<Option<Type>>]) -> CResult<()> {
        for &(ty, v, span) in &self.int_literals {
            let types: TypeSet = solutions.iter().filter_map(|s| s[ty.0 as usize]).collect();
            if !types.iter().any(|t| literal_fits(v, t.bits())) {
                return Err(Diagnostic::error(
                    span,
                    format!("the integer {v} does not fit in {types}"),
                ));
            }
        }
        Ok(())
    }

    /// Where the matcher reads each needed type at run time.
    fn type_sources(&self, solutions: &[Vec<Option<Type>>]) -> CResult<Vec<TypeSource>> {
        let mut sources = Vec::with_capacity(self.solver.len());
        for v in 0..self.solver.len() {
            let var = TyVar(v as u16);
            let source = if self.solver.sort(var) != Sort::Value {
                TypeSource::CondCode
            } else {
                let first = solutions[0][v];
                if solutions.iter().all(|s| s[v] == first) {
                    TypeSource::Fixed(first.expect("value type"))
                } else {
                    self.value_paths
                        .iter()
                        .find(|(pv, _)| solutions.iter().all(|s| s[pv.0 as usize] == s[v]))
                        .map_or(TypeSource::Unknown, |(_, p)| TypeSource::At(p.clone()))
                }
            };
            if source == TypeSource::Unknown && self.needed.contains(&var) {
                return Err(Diagnostic::error(
                    self.var_spans[v],
                    "the type of this cannot be determined from the matched instructions",
                )
                .with_help("ascribe a type to the operation, as in `(uextend{i64} $x)`"));
            }
            sources.push(source);
        }
        Ok(sources)
    }
}

/// Spans of left- and right-hand side operands alike.
trait OperandSpan {
    fn span_of(&self) -> Span;
}

impl OperandSpan for ast::Pattern {
    fn span_of(&self) -> Span {
        self.span()
    }
}

impl OperandSpan for ast::Rhs {
    fn span_of(&self) -> Span {
        self.span()
    }
}

fn int_literal_value(v: &ast::LiteralValue) -> i128 {
    match v {
        ast::LiteralValue::Int(v) => *v,
        ast::LiteralValue::Bool(b) => i128::from(*b),
        ast::LiteralValue::Cond(_) => unreachable!("callers match integer literals"),
    }
}

fn int_cc(name: &str, span: Span) -> CResult<IntCC> {
    IntCC::from_name(name).ok_or_else(|| {
        Diagnostic::error(span, format!("unknown integer condition code `{name}`")).with_help(
            format!(
                "integer condition codes are {}",
                IntCC::ALL.map(|c| c.name()).join(", ")
            ),
        )
    })
}

fn float_cc(name: &str, span: Span) -> CResult<FloatCC> {
    FloatCC::from_name(name).ok_or_else(|| {
        Diagnostic::error(span, format!("unknown float condition code `{name}`")).with_help(
            format!(
                "float condition codes are {}",
                FloatCC::ALL.map(|c| c.name()).join(", ")
            ),
        )
    })
}

fn not_a_value(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(span, format!("expected a value, found `{name}`"))
        .with_help("values are `$variables`, `$CONSTANTS`, integers and instructions `(op …)`")
}

fn describe_binding(kind: BindingKind) -> &'static str {
    match kind {
        BindingKind::Value => "a value",
        BindingKind::Const => "a constant",
        BindingKind::IntCC => "an integer condition code",
        BindingKind::FloatCC => "a float condition code",
    }
}

fn describe_pos(pos: Pos) -> &'static str {
    match pos {
        Pos::Value => "a value",
        Pos::Imm(ImmKind::Int) => "an integer immediate",
        Pos::Imm(ImmKind::IntCC) => "an integer condition code",
        Pos::Imm(ImmKind::FloatCC) => "a float condition code",
    }
}

#[cfg(test)]
mod tests;
