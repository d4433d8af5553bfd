//! What a matcher needs to read from the code it matches.
//!
//! Both the generated matcher and the automaton interpreter are written
//! against the [`Subject`] trait rather than against `tern_ir::Function`
//! directly. The optimizer implements it for a function (one-line methods
//! over the data-flow graph, inlined away when the generated code is
//! monomorphized); the verifier implements it for [`Terms`], small
//! expression trees built from a rule's own pattern, so the very automaton
//! that will run in the compiler can be exercised on every rule's inputs.

use tern_ir::{Imm, Opcode, Type};

use crate::signature::signature;

/// Read access to values and the instructions defining them.
pub trait Subject {
    /// A handle to a value.
    type Value: Copy + Eq;

    /// The opcode of the instruction whose only result is `v`, or `None` if
    /// `v` is not such a result (a block parameter, for instance).
    fn opcode(&self, v: Self::Value) -> Option<Opcode>;

    /// Value operand `i` of the instruction defining `v` (immediates are
    /// not counted). Only called after [`opcode`](Subject::opcode)
    /// returned an opcode with more than `i` operands.
    fn arg(&self, v: Self::Value, i: usize) -> Self::Value;

    /// The immediate of the instruction defining `v`. Only called after
    /// [`opcode`](Subject::opcode) returned an opcode with an immediate.
    fn imm(&self, v: Self::Value) -> Imm;

    /// The type of `v`.
    fn ty(&self, v: Self::Value) -> Type;

    /// The bits of the `iconst` defining `v`.
    #[inline]
    fn iconst_bits(&self, v: Self::Value) -> u128 {
        match self.imm(v) {
            Imm::Int(bits) => bits,
            other => unreachable!("iconst immediate expected, found {other:?}"),
        }
    }
}

/// Making the instructions of a right-hand side.
///
/// The generated `apply` function builds everything below the root through
/// this trait and returns what the root becomes as a [`Replacement`]; the
/// optimizer inserts the new instructions before the instruction being
/// rewritten.
pub trait Builder {
    /// A handle to a value.
    type Value: Copy + Eq;

    /// Makes a new single-result instruction and returns its result.
    fn inst(&mut self, opcode: Opcode, ctrl: Type, imm: Imm, args: &[Self::Value]) -> Self::Value;
}

/// What the root of a match becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replacement<V> {
    /// An existing value: every use of the root is redirected to it.
    Value(V),
    /// A new instruction in place of the root's, with the same result.
    Inst {
        /// The opcode.
        opcode: Opcode,
        /// The controlling type.
        ctrl: Type,
        /// The immediate.
        imm: Imm,
        /// The value operands (the first `len`).
        args: [V; 3],
        /// How many operands there are.
        len: usize,
    },
}

impl<V: Copy> Replacement<V> {
    /// The operands of an [`Replacement::Inst`].
    pub fn args(&self) -> &[V] {
        match self {
            Replacement::Value(_) => &[],
            Replacement::Inst { args, len, .. } => &args[..*len],
        }
    }
}

/// A value in [`Terms`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TermId(pub usize);

/// One node of [`Terms`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// `None` for an opaque input value.
    pub opcode: Option<Opcode>,
    /// The controlling type (for comparisons: the operand type).
    pub ctrl: Type,
    /// The type of the value.
    pub ty: Type,
    /// The immediate.
    pub imm: Imm,
    /// The value operands, as a range of [`Terms`]' operand list.
    args: (u32, u32),
}

/// A forest of expression trees: the smallest [`Subject`]. Clearing and
/// refilling it allocates nothing once it has grown, which matters to the
/// verifier, which builds one per sample.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Terms {
    nodes: Vec<Term>,
    args: Vec<TermId>,
}

impl Terms {
    /// No terms.
    pub fn new() -> Terms {
        Terms::default()
    }

    /// Removes every term, keeping the memory.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.args.clear();
    }

    /// Replaces the immediate of `id` (masked to its controlling type).
    pub fn set_imm(&mut self, id: TermId, imm: Imm) {
        let t = &mut self.nodes[id.0];
        t.imm = match imm {
            Imm::Int(bits) => Imm::Int(bits & t.ctrl.mask()),
            other => other,
        };
    }

    /// The number of terms.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Are there no terms?
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The value operands of `id`.
    pub fn args(&self, id: TermId) -> &[TermId] {
        let (start, end) = self.nodes[id.0].args;
        &self.args[start as usize..end as usize]
    }

    /// Adds an opaque value of type `ty` (a function parameter, say).
    pub fn input(&mut self, ty: Type) -> TermId {
        self.push(
            Term {
                opcode: None,
                ctrl: ty,
                ty,
                imm: Imm::None,
                args: (0, 0),
            },
            &[],
        )
    }

    /// Adds an instruction. Its result type follows from the opcode and
    /// controlling type; an integer immediate is masked to the controlling
    /// type's width.
    pub fn inst(&mut self, opcode: Opcode, ctrl: Type, imm: Imm, args: &[TermId]) -> TermId {
        debug_assert!(signature(opcode).is_ok(), "{opcode} cannot appear in terms");
        let imm = match imm {
            Imm::Int(bits) => Imm::Int(bits & ctrl.mask()),
            other => other,
        };
        let ty = match opcode.result_kind() {
            tern_ir::ResultKind::Bool => Type::I8,
            _ => ctrl,
        };
        self.push(
            Term {
                opcode: Some(opcode),
                ctrl,
                ty,
                imm,
                args: (0, 0),
            },
            args,
        )
    }

    /// Adds `iconst.ty bits`.
    pub fn iconst(&mut self, ty: Type, bits: u128) -> TermId {
        self.inst(Opcode::Iconst, ty, Imm::Int(bits & ty.mask()), &[])
    }

    /// The node for `id`.
    pub fn get(&self, id: TermId) -> &Term {
        &self.nodes[id.0]
    }

    fn push(&mut self, mut t: Term, args: &[TermId]) -> TermId {
        let start = self.args.len() as u32;
        self.args.extend_from_slice(args);
        t.args = (start, self.args.len() as u32);
        self.nodes.push(t);
        TermId(self.nodes.len() - 1)
    }
}

impl Builder for Terms {
    type Value = TermId;

    fn inst(&mut self, opcode: Opcode, ctrl: Type, imm: Imm, args: &[TermId]) -> TermId {
        Terms::inst(self, opcode, ctrl, imm, args)
    }
}

impl Subject for Terms {
    type Value = TermId;

    fn opcode(&self, v: TermId) -> Option<Opcode> {
        self.nodes[v.0].opcode
    }

    fn arg(&self, v: TermId, i: usize) -> TermId {
        self.args(v)[i]
    }

    fn imm(&self, v: TermId) -> Imm {
        self.nodes[v.0].imm
    }

    fn ty(&self, v: TermId) -> Type {
        self.nodes[v.0].ty
    }
}
