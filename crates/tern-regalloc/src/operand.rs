//! Instruction operands: which value, read or written, when, and where it
//! must be.

use crate::reg::{PReg, RegClass, VReg};
use core::fmt;

/// Whether an operand reads or writes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperandKind {
    /// The instruction reads the value.
    Use,
    /// The instruction writes (defines) the value.
    Def,
}

/// When, within its instruction, an operand is read or written.
///
/// Every instruction has two program points: *early* (when it reads its
/// inputs) and *late* (when it writes its outputs). A normal use is early and
/// a normal def is late, so an input and an output may share a register. A
/// late use must stay intact until the outputs are written (the instruction
/// reads it after writing something); an early def is written before all
/// inputs are read, so it may not share a register with any of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperandPos {
    /// At the instruction's start.
    Early,
    /// At the instruction's end.
    Late,
}

/// Where an operand's value must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Constraint {
    /// A register or a spill slot, whichever the allocator chooses.
    Any,
    /// Some register of the value's class.
    Reg,
    /// A spill slot.
    Stack,
    /// This physical register (of the value's class).
    Fixed(PReg),
    /// Only on a late def: the same register as the early use at this operand
    /// index, which is thereby overwritten (two-address instructions such as
    /// x86 `add dst, src`). The use must be an early use with an `Any` or
    /// `Reg` constraint; if its value lives on after the instruction, the
    /// allocator copies it first.
    Reuse(u16),
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Constraint::Any => write!(f, "any"),
            Constraint::Reg => write!(f, "reg"),
            Constraint::Stack => write!(f, "stack"),
            Constraint::Fixed(r) => write!(f, "{r}"),
            Constraint::Reuse(i) => write!(f, "reuse({i})"),
        }
    }
}

/// One operand of an instruction.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operand {
    vreg: VReg,
    constraint: Constraint,
    kind: OperandKind,
    pos: OperandPos,
}

impl Operand {
    /// A fully specified operand.
    #[inline]
    pub const fn new(
        vreg: VReg,
        constraint: Constraint,
        kind: OperandKind,
        pos: OperandPos,
    ) -> Operand {
        Operand {
            vreg,
            constraint,
            kind,
            pos,
        }
    }

    /// An early use that must be in a register.
    #[inline]
    pub const fn reg_use(vreg: VReg) -> Operand {
        Operand::new(vreg, Constraint::Reg, OperandKind::Use, OperandPos::Early)
    }

    /// A late use that must be in a register.
    #[inline]
    pub const fn reg_use_late(vreg: VReg) -> Operand {
        Operand::new(vreg, Constraint::Reg, OperandKind::Use, OperandPos::Late)
    }

    /// An early use in a register or a spill slot.
    #[inline]
    pub const fn any_use(vreg: VReg) -> Operand {
        Operand::new(vreg, Constraint::Any, OperandKind::Use, OperandPos::Early)
    }

    /// An early use that must be in a spill slot.
    #[inline]
    pub const fn stack_use(vreg: VReg) -> Operand {
        Operand::new(vreg, Constraint::Stack, OperandKind::Use, OperandPos::Early)
    }

    /// An early use in the given register.
    #[inline]
    pub const fn fixed_use(vreg: VReg, preg: PReg) -> Operand {
        Operand::new(
            vreg,
            Constraint::Fixed(preg),
            OperandKind::Use,
            OperandPos::Early,
        )
    }

    /// A late def in a register.
    #[inline]
    pub const fn reg_def(vreg: VReg) -> Operand {
        Operand::new(vreg, Constraint::Reg, OperandKind::Def, OperandPos::Late)
    }

    /// An early def in a register (it may not share a register with any
    /// input).
    #[inline]
    pub const fn reg_def_early(vreg: VReg) -> Operand {
        Operand::new(vreg, Constraint::Reg, OperandKind::Def, OperandPos::Early)
    }

    /// A late def in a register or a spill slot.
    #[inline]
    pub const fn any_def(vreg: VReg) -> Operand {
        Operand::new(vreg, Constraint::Any, OperandKind::Def, OperandPos::Late)
    }

    /// A late def in a spill slot.
    #[inline]
    pub const fn stack_def(vreg: VReg) -> Operand {
        Operand::new(vreg, Constraint::Stack, OperandKind::Def, OperandPos::Late)
    }

    /// A late def in the given register.
    #[inline]
    pub const fn fixed_def(vreg: VReg, preg: PReg) -> Operand {
        Operand::new(
            vreg,
            Constraint::Fixed(preg),
            OperandKind::Def,
            OperandPos::Late,
        )
    }

    /// A late def in the register of the early use at operand index `input`.
    #[inline]
    pub const fn reuse_def(vreg: VReg, input: u16) -> Operand {
        Operand::new(
            vreg,
            Constraint::Reuse(input),
            OperandKind::Def,
            OperandPos::Late,
        )
    }

    /// The value.
    #[inline]
    pub const fn vreg(self) -> VReg {
        self.vreg
    }

    /// The value's register class.
    #[inline]
    pub const fn class(self) -> RegClass {
        self.vreg.class()
    }

    /// Where the value must be.
    #[inline]
    pub const fn constraint(self) -> Constraint {
        self.constraint
    }

    /// Read or written.
    #[inline]
    pub const fn kind(self) -> OperandKind {
        self.kind
    }

    /// Early or late.
    #[inline]
    pub const fn pos(self) -> OperandPos {
        self.pos
    }

    /// Whether this operand reads its value.
    #[inline]
    pub const fn is_use(self) -> bool {
        matches!(self.kind, OperandKind::Use)
    }

    /// Whether this operand writes its value.
    #[inline]
    pub const fn is_def(self) -> bool {
        matches!(self.kind, OperandKind::Def)
    }
}

impl fmt::Debug for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match (self.kind, self.pos) {
            (OperandKind::Use, OperandPos::Early) => "use",
            (OperandKind::Use, OperandPos::Late) => "use-late",
            (OperandKind::Def, OperandPos::Late) => "def",
            (OperandKind::Def, OperandPos::Early) => "def-early",
        };
        write!(f, "{kind} {}:{}", self.vreg, self.constraint)
    }
}
