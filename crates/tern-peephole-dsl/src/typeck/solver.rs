//! Finding every type assignment a rule can be instantiated at.
//!
//! Each position of a rule has a type variable. Variables that must be
//! equal (a repeated `$x`, an operation's result and its controlling type,
//! the two sides' roots) are merged with union-find; explicit restrictions
//! (`{i32}`, `bit-width`, "this is a constant so it is an integer") shrink a
//! class's *domain*, a subset of the seven IR types. Every operation adds a
//! constraint over its controlling type, operand types and result type,
//! decided by the IR's own type rule ([`Signature::result_type`]).
//!
//! Solving is a small constraint-satisfaction problem: first propagate (drop
//! from each domain the types that no well-typed choice for the rest of the
//! operation supports, until nothing changes), then enumerate every
//! solution by backtracking. Domains have at most seven types and rules
//! have a handful of classes, so this is instantaneous, and it gives the
//! type checker two good error sites: the restriction that emptied a
//! domain, or the operation no types satisfy.

use tern_ir::Type;

use crate::diagnostic::{Diagnostic, Span};
use crate::rule::TyVar;
use crate::signature::{Signature, TypeSet};

/// What a type variable ranges over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// IR types.
    Value,
    /// Integer condition codes (no width).
    IntCC,
    /// Float condition codes (no width).
    FloatCC,
}

impl Sort {
    fn describe(self) -> &'static str {
        match self {
            Sort::Value => "a value",
            Sort::IntCC => "an integer condition code",
            Sort::FloatCC => "a float condition code",
        }
    }
}

/// One operation's type constraint.
#[derive(Clone, Debug)]
pub struct OpConstraint {
    /// The operation.
    pub sig: Signature,
    /// Its controlling type.
    pub ctrl: TyVar,
    /// Its value operands' types.
    pub args: Vec<TyVar>,
    /// Its result type.
    pub result: TyVar,
    /// Where it is written.
    pub span: Span,
}

/// Solutions beyond this many mean something is badly under-constrained.
const MAX_SOLUTIONS: usize = 10_000;

/// Type variables, their classes and constraints.
#[derive(Clone, Debug, Default)]
pub struct Solver {
    parent: Vec<u16>,
    sort: Vec<Sort>,
    domain: Vec<TypeSet>,
    /// For each class: the restrictions that shaped its domain.
    why: Vec<Vec<(Span, String)>>,
    ops: Vec<OpConstraint>,
}

impl Solver {
    /// A new variable of sort `sort`, unrestricted.
    pub fn fresh(&mut self, sort: Sort) -> TyVar {
        let id = u16::try_from(self.parent.len()).expect("fewer than 65536 type variables");
        self.parent.push(id);
        self.sort.push(sort);
        self.domain.push(TypeSet::ALL);
        self.why.push(Vec::new());
        TyVar(id)
    }

    /// The number of variables.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// The representative of `v`'s class.
    pub fn find(&self, v: TyVar) -> TyVar {
        let mut x = v.0;
        while self.parent[x as usize] != x {
            x = self.parent[x as usize];
        }
        TyVar(x)
    }

    /// The sort of `v`.
    pub fn sort(&self, v: TyVar) -> Sort {
        self.sort[self.find(v).0 as usize]
    }

    /// The current domain of `v`'s class.
    pub fn domain(&self, v: TyVar) -> TypeSet {
        self.domain[self.find(v).0 as usize]
    }

    /// Restricts `v` to the types in `set`, because of `reason` at `span`.
    pub fn restrict(
        &mut self,
        v: TyVar,
        set: TypeSet,
        span: Span,
        reason: impl Into<String>,
    ) -> Result<(), Diagnostic> {
        let r = self.find(v).0 as usize;
        let reason = reason.into();
        let narrowed = self.domain[r].intersect(set);
        if narrowed.is_empty() {
            let mut d = Diagnostic::error(
                span,
                format!(
                    "type mismatch: {reason} requires {set}, but this must be {}",
                    self.domain[r]
                ),
            );
            for (s, w) in &self.why[r] {
                d = d.with_note(*s, w.clone());
            }
            return Err(d);
        }
        if narrowed != self.domain[r] {
            self.domain[r] = narrowed;
            self.why[r].push((span, format!("{reason}: {set}")));
        }
        Ok(())
    }

    /// Makes `a` and `b` the same type, because of what is at `span`.
    pub fn unify(&mut self, a: TyVar, b: TyVar, span: Span) -> Result<(), Diagnostic> {
        let (ra, rb) = (self.find(a).0 as usize, self.find(b).0 as usize);
        if ra == rb {
            return Ok(());
        }
        if self.sort[ra] != self.sort[rb] {
            return Err(Diagnostic::error(
                span,
                format!(
                    "expected {}, found {}",
                    self.sort[ra].describe(),
                    self.sort[rb].describe()
                ),
            ));
        }
        let merged = self.domain[ra].intersect(self.domain[rb]);
        if merged.is_empty() {
            let mut d = Diagnostic::error(
                span,
                format!(
                    "type mismatch: this must be both {} and {}",
                    self.domain[ra], self.domain[rb]
                ),
            );
            for (s, w) in self.why[ra].iter().chain(&self.why[rb]) {
                d = d.with_note(*s, w.clone());
            }
            return Err(d);
        }
        self.parent[rb] = ra as u16;
        self.domain[ra] = merged;
        let moved = std::mem::take(&mut self.why[rb]);
        self.why[ra].extend(moved);
        Ok(())
    }

    /// Adds an operation's constraint.
    pub fn add_op(&mut self, op: OpConstraint) {
        self.ops.push(op);
    }

    /// Every assignment of types to the variables that satisfies all
    /// constraints, as a type per variable (`None` for condition codes).
    pub fn solve(&mut self) -> Result<Vec<Vec<Option<Type>>>, Diagnostic> {
        self.propagate()?;
        let classes: Vec<usize> = (0..self.len())
            .filter(|&v| self.parent[v] as usize == v && self.sort[v] == Sort::Value)
            .collect();
        let slot_of = |v: TyVar| classes.iter().position(|&c| c == self.find(v).0 as usize);
        // Check each operation as soon as the last class it mentions is
        // assigned.
        let mut checks: Vec<Vec<usize>> = vec![Vec::new(); classes.len()];
        for (i, op) in self.ops.iter().enumerate() {
            let last = std::iter::once(op.ctrl)
                .chain(op.args.iter().copied())
                .chain([op.result])
                .filter_map(slot_of)
                .max();
            if let Some(last) = last {
                checks[last].push(i);
            }
        }
        let mut assignment = vec![Type::I8; classes.len()];
        let mut solutions = Vec::new();
        self.search(0, &classes, &checks, &mut assignment, &mut solutions)?;
        Ok(solutions
            .into_iter()
            .map(|a: Vec<Type>| {
                (0..self.len())
                    .map(|v| {
                        let root = self.find(TyVar(v as u16)).0 as usize;
                        classes.iter().position(|&c| c == root).map(|slot| a[slot])
                    })
                    .collect()
            })
            .collect())
    }

    fn search(
        &self,
        slot: usize,
        classes: &[usize],
        checks: &[Vec<usize>],
        assignment: &mut Vec<Type>,
        solutions: &mut Vec<Vec<Type>>,
    ) -> Result<(), Diagnostic> {
        if slot == classes.len() {
            if solutions.len() == MAX_SOLUTIONS {
                let span = self.ops.first().map(|o| o.span);
                let message =
                    format!("more than {MAX_SOLUTIONS} type instantiations; constrain the widths");
                return Err(match span {
                    Some(s) => Diagnostic::error(s, message),
                    None => Diagnostic::global_error(message),
                });
            }
            solutions.push(assignment.clone());
            return Ok(());
        }
        for t in self.domain[classes[slot]].iter() {
            assignment[slot] = t;
            let type_of = |v: TyVar| {
                let root = self.find(v).0 as usize;
                assignment[classes
                    .iter()
                    .position(|&c| c == root)
                    .expect("value class")]
            };
            let ok = checks[slot].iter().all(|&i| {
                let op = &self.ops[i];
                let args: Vec<Type> = op.args.iter().map(|&a| type_of(a)).collect();
                op.sig.result_type(type_of(op.ctrl), &args) == Ok(type_of(op.result))
            });
            if ok {
                self.search(slot + 1, classes, checks, assignment, solutions)?;
            }
        }
        Ok(())
    }

    /// Shrinks domains to the types some well-typed choice supports, until
    /// nothing changes.
    fn propagate(&mut self) -> Result<(), Diagnostic> {
        loop {
            let mut changed = false;
            for i in 0..self.ops.len() {
                changed |= self.propagate_op(i)?;
            }
            if !changed {
                return Ok(());
            }
        }
    }

    fn propagate_op(&mut self, i: usize) -> Result<bool, Diagnostic> {
        let op = self.ops[i].clone();
        let positions: Vec<TyVar> = std::iter::once(op.ctrl)
            .chain(op.args.iter().copied())
            .chain([op.result])
            .map(|v| self.find(v))
            .collect();
        let mut classes = positions.clone();
        classes.sort();
        classes.dedup();
        let domains: Vec<Vec<Type>> = classes
            .iter()
            .map(|&c| self.domain(c).iter().collect())
            .collect();
        let mut supported = vec![TypeSet::EMPTY; classes.len()];
        let mut pick = vec![0usize; classes.len()];
        let mut example_error = None;
        'outer: loop {
            let type_at = |pos: usize| {
                let slot = classes
                    .iter()
                    .position(|&c| c == positions[pos])
                    .expect("listed");
                domains[slot][pick[slot]]
            };
            if domains.iter().all(|d| !d.is_empty()) {
                let args: Vec<Type> = (1..=op.args.len()).map(type_at).collect();
                match op.sig.result_type(type_at(0), &args) {
                    Ok(r) if r == type_at(positions.len() - 1) => {
                        for (slot, s) in supported.iter_mut().enumerate() {
                            *s = s.with(domains[slot][pick[slot]]);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        example_error.get_or_insert(e);
                    }
                }
            }
            // Next combination (odometer).
            for slot in 0..classes.len() {
                pick[slot] += 1;
                if pick[slot] < domains[slot].len() {
                    continue 'outer;
                }
                pick[slot] = 0;
            }
            break;
        }
        let mut changed = false;
        for (slot, &class) in classes.iter().enumerate() {
            let before = self.domain(class);
            if supported[slot].is_empty() {
                let mut d =
                    Diagnostic::error(op.span, format!("`{}` cannot be typed here", op.sig.opcode));
                for (pos, &v) in positions.iter().enumerate() {
                    let what = if pos == 0 {
                        "controlling type".to_string()
                    } else if pos == positions.len() - 1 {
                        "result".to_string()
                    } else {
                        format!("operand {}", pos - 1)
                    };
                    d = d.with_help(format!("its {what} can only be {}", self.domain(v)));
                }
                for (s, w) in &self.why[class.0 as usize] {
                    d = d.with_note(*s, w.clone());
                }
                if let Some(e) = &example_error {
                    d = d.with_help(format!("for instance: {e}"));
                }
                return Err(d);
            }
            if supported[slot] != before {
                self.domain[class.0 as usize] = supported[slot];
                changed = true;
            }
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::FileId;
    use crate::signature::signature;
    use tern_ir::Opcode;

    fn span() -> Span {
        Span::new(FileId(0), 0, 1)
    }

    fn op(s: &mut Solver, opcode: Opcode, result: TyVar, args: Vec<TyVar>) -> TyVar {
        let sig = signature(opcode).unwrap();
        let ctrl = if opcode.result_kind() == tern_ir::ResultKind::Bool {
            s.fresh(Sort::Value)
        } else {
            result
        };
        s.add_op(OpConstraint {
            sig,
            ctrl,
            args,
            result,
            span: span(),
        });
        ctrl
    }

    #[test]
    fn homogeneous_arithmetic_has_one_instantiation_per_integer_type() {
        let mut s = Solver::default();
        let (r, x, y) = (
            s.fresh(Sort::Value),
            s.fresh(Sort::Value),
            s.fresh(Sort::Value),
        );
        op(&mut s, Opcode::Iadd, r, vec![x, y]);
        let sols = s.solve().unwrap();
        assert_eq!(sols.len(), 5);
        for sol in &sols {
            assert!(sol[0].unwrap().is_int());
            assert_eq!(sol[0], sol[1]);
            assert_eq!(sol[1], sol[2]);
        }
    }

    #[test]
    fn extension_enumerates_width_pairs() {
        let mut s = Solver::default();
        let (r, x) = (s.fresh(Sort::Value), s.fresh(Sort::Value));
        op(&mut s, Opcode::Uextend, r, vec![x]);
        // (8,16..128) 4 + (16, 32..128) 3 + 2 + 1 = 10 pairs.
        assert_eq!(s.solve().unwrap().len(), 10);
    }

    #[test]
    fn comparisons_produce_i8() {
        let mut s = Solver::default();
        let (r, x, y) = (
            s.fresh(Sort::Value),
            s.fresh(Sort::Value),
            s.fresh(Sort::Value),
        );
        let ctrl = op(&mut s, Opcode::Icmp, r, vec![x, y]);
        s.unify(ctrl, x, span()).unwrap();
        let sols = s.solve().unwrap();
        assert_eq!(sols.len(), 5);
        assert!(sols.iter().all(|sol| sol[0] == Some(Type::I8)));
    }

    #[test]
    fn conflicting_restrictions_are_reported() {
        let mut s = Solver::default();
        let x = s.fresh(Sort::Value);
        s.restrict(x, TypeSet::single(Type::I32), span(), "ascribed")
            .unwrap();
        let e = s
            .restrict(x, TypeSet::single(Type::I64), span(), "bit-width")
            .unwrap_err();
        assert_eq!(
            e.message,
            "type mismatch: bit-width requires i64, but this must be i32"
        );
        assert_eq!(e.notes.len(), 1);
    }

    #[test]
    fn untypeable_operation_is_reported() {
        let mut s = Solver::default();
        let (r, x) = (s.fresh(Sort::Value), s.fresh(Sort::Value));
        s.restrict(r, TypeSet::single(Type::I8), span(), "ascribed")
            .unwrap();
        op(&mut s, Opcode::Uextend, r, vec![x]);
        let e = s.solve().unwrap_err();
        assert_eq!(e.message, "`uextend` cannot be typed here");
    }

    #[test]
    fn sorts_do_not_unify() {
        let mut s = Solver::default();
        let a = s.fresh(Sort::Value);
        let b = s.fresh(Sort::IntCC);
        assert!(s.unify(a, b, span()).is_err());
    }
}
