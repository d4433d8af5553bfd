//! The type rules of every opcode, in one place.
//!
//! Both the [verifier](crate::verify) (checking values in a function) and
//! the [evaluator](crate::eval) (checking the [`DataValue`]s it is handed)
//! need to know what operand types an opcode accepts. [`check_operands`]
//! is that knowledge; it covers everything decidable from the opcode, the
//! controlling type, the immediate and the operand types. What needs more
//! context (call arguments against a signature, branch arguments against
//! block parameters, return values against the function's signature) is
//! the verifier's.
//!
//! [`DataValue`]: crate::eval::DataValue

use std::fmt;

use crate::instructions::{Imm, InstructionData};
use crate::opcode::{InstFormat, Opcode};
use crate::types::Type;

/// An operand, controlling type or immediate that breaks an opcode's type
/// rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeError {
    /// The controlling type is not allowed.
    CtrlType {
        /// The opcode.
        opcode: Opcode,
        /// The controlling type found.
        found: Type,
        /// What is allowed, in words.
        expected: &'static str,
    },
    /// Wrong number of value operands.
    Arity {
        /// The opcode.
        opcode: Opcode,
        /// Operands expected.
        expected: usize,
        /// Operands found.
        found: usize,
    },
    /// An operand has the wrong type.
    Operand {
        /// The opcode.
        opcode: Opcode,
        /// Which operand (0-based).
        index: usize,
        /// The operand's type.
        found: Type,
        /// What is allowed, in words.
        expected: String,
    },
    /// The immediate is of the wrong kind or out of range.
    Immediate {
        /// The opcode.
        opcode: Opcode,
        /// The immediate found.
        found: Imm,
    },
    /// A branch has the wrong number of destinations.
    Destinations {
        /// The opcode.
        opcode: Opcode,
        /// Destinations found.
        found: usize,
    },
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeError::CtrlType {
                opcode,
                found,
                expected,
            } => write!(f, "{opcode}: controlling type {found}, expected {expected}"),
            TypeError::Arity {
                opcode,
                expected,
                found,
            } => write!(f, "{opcode}: {found} operands, expected {expected}"),
            TypeError::Operand {
                opcode,
                index,
                found,
                expected,
            } => write!(
                f,
                "{opcode}: operand {index} has type {found}, expected {expected}"
            ),
            TypeError::Immediate { opcode, found } => {
                write!(f, "{opcode}: invalid immediate {found:?}")
            }
            TypeError::Destinations { opcode, found } => {
                write!(f, "{opcode}: invalid number of destinations {found}")
            }
        }
    }
}

impl std::error::Error for TypeError {}

/// What an operand must be.
enum Want {
    Exactly(Type),
    AnyInt,
    AnyFloat,
    IntNarrowerThan(Type),
    IntWiderThan(Type),
    SameWidthAs(Type),
}

impl Want {
    fn accepts(&self, ty: Type) -> bool {
        match *self {
            Want::Exactly(t) => ty == t,
            Want::AnyInt => ty.is_int(),
            Want::AnyFloat => ty.is_float(),
            Want::IntNarrowerThan(t) => ty.is_int() && ty.bits() < t.bits(),
            Want::IntWiderThan(t) => ty.is_int() && ty.bits() > t.bits(),
            Want::SameWidthAs(t) => ty.bits() == t.bits(),
        }
    }

    fn describe(&self) -> String {
        match *self {
            Want::Exactly(t) => t.to_string(),
            Want::AnyInt => "an integer type".into(),
            Want::AnyFloat => "a float type".into(),
            Want::IntNarrowerThan(t) => format!("an integer type narrower than {t}"),
            Want::IntWiderThan(t) => format!("an integer type wider than {t}"),
            Want::SameWidthAs(t) => format!("a type of {} bits", t.bits()),
        }
    }
}

/// Checks the controlling type, immediate and operand types of an
/// instruction, given the operand types. For returns and calls only the
/// immediate and controlling type are checked (the rest needs a signature).
pub fn check_operands(
    opcode: Opcode,
    ctrl: Type,
    imm: Imm,
    arg_types: &[Type],
) -> Result<(), TypeError> {
    check_ctrl(opcode, ctrl)?;
    check_imm(opcode, ctrl, imm)?;
    let Some(arity) = opcode.fixed_args() else {
        if opcode == Opcode::CallIndirect {
            return match arg_types.first() {
                None => Err(TypeError::Arity {
                    opcode,
                    expected: 1,
                    found: 0,
                }),
                Some(&t) => check_operand(opcode, 0, t, &Want::Exactly(Type::POINTER)),
            };
        }
        return Ok(());
    };
    if arg_types.len() != arity {
        return Err(TypeError::Arity {
            opcode,
            expected: arity,
            found: arg_types.len(),
        });
    }
    for (index, &found) in arg_types.iter().enumerate() {
        check_operand(opcode, index, found, &operand_want(opcode, ctrl, index))?;
    }
    Ok(())
}

/// [`check_operands`] for an instruction whose operand types are given.
pub fn check_inst(data: &InstructionData, arg_types: &[Type]) -> Result<(), TypeError> {
    check_operands(data.opcode, data.ty, data.imm, arg_types)?;
    let dests_ok = match data.opcode.format() {
        InstFormat::Jump => data.dests.len() == 1,
        InstFormat::Brif => data.dests.len() == 2,
        InstFormat::BranchTable => !data.dests.is_empty(),
        _ => data.dests.is_empty(),
    };
    if dests_ok {
        Ok(())
    } else {
        Err(TypeError::Destinations {
            opcode: data.opcode,
            found: data.dests.len(),
        })
    }
}

fn check_operand(opcode: Opcode, index: usize, found: Type, want: &Want) -> Result<(), TypeError> {
    if want.accepts(found) {
        Ok(())
    } else {
        Err(TypeError::Operand {
            opcode,
            index,
            found,
            expected: want.describe(),
        })
    }
}

fn check_ctrl(opcode: Opcode, ctrl: Type) -> Result<(), TypeError> {
    let fail = |expected| {
        Err(TypeError::CtrlType {
            opcode,
            found: ctrl,
            expected,
        })
    };
    if opcode.requires_int() && !ctrl.is_int() {
        return fail("an integer type");
    }
    if opcode.requires_float() && !ctrl.is_float() {
        return fail("a float type");
    }
    let narrow = opcode.narrow_access_bytes().map(|b| b * 8);
    match opcode {
        Opcode::F32const | Opcode::Fdemote if ctrl != Type::F32 => fail("f32"),
        Opcode::F64const | Opcode::Fpromote if ctrl != Type::F64 => fail("f64"),
        Opcode::Jump | Opcode::Return | Opcode::Trap | Opcode::Call | Opcode::CallIndirect
            if ctrl != InstructionData::UNTYPED =>
        {
            fail("the untyped placeholder i64")
        }
        _ if narrow.is_some_and(|bits| ctrl.bits() <= bits) => {
            fail("an integer type wider than the access")
        }
        _ => Ok(()),
    }
}

fn check_imm(opcode: Opcode, ctrl: Type, imm: Imm) -> Result<(), TypeError> {
    let ok = match (opcode.format(), imm) {
        (InstFormat::IntConst, Imm::Int(bits)) => bits & !ctrl.mask() == 0,
        (InstFormat::F32Const, Imm::Ieee32(_))
        | (InstFormat::F64Const, Imm::Ieee64(_))
        | (InstFormat::IntCompare, Imm::IntCC(_))
        | (InstFormat::FloatCompare, Imm::FloatCC(_))
        | (InstFormat::Load | InstFormat::Store, Imm::Mem { .. })
        | (InstFormat::Trap | InstFormat::CondTrap, Imm::Trap(_))
        | (InstFormat::Call, Imm::Func(_))
        | (InstFormat::CallIndirect, Imm::Sig(_)) => true,
        (
            InstFormat::Unary
            | InstFormat::Binary
            | InstFormat::Ternary
            | InstFormat::Jump
            | InstFormat::Brif
            | InstFormat::BranchTable
            | InstFormat::Return,
            Imm::None,
        ) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(TypeError::Immediate { opcode, found: imm })
    }
}

/// The controlling type the text format assumes when an instruction has no
/// `.type` suffix, given its operand types; `None` when it must be written
/// (opcodes with [`Opcode::has_explicit_type`], or too few operands to tell).
///
/// The printer omits the suffix exactly when this gives the instruction's
/// real controlling type, so printing then parsing is exact even for
/// ill-typed instructions.
pub fn inferred_ctrl_type(opcode: Opcode, arg_types: &[Type]) -> Option<Type> {
    if opcode.has_explicit_type() {
        return None;
    }
    match opcode.format() {
        InstFormat::Jump
        | InstFormat::Return
        | InstFormat::Trap
        | InstFormat::Call
        | InstFormat::CallIndirect => Some(InstructionData::UNTYPED),
        InstFormat::F32Const => Some(Type::F32),
        InstFormat::F64Const => Some(Type::F64),
        InstFormat::Ternary => arg_types.get(1).copied(),
        _ => arg_types.first().copied(),
    }
}

/// What operand `index` (below the fixed arity) of `opcode` must be.
fn operand_want(opcode: Opcode, ctrl: Type, index: usize) -> Want {
    use Opcode::*;
    match (opcode, index) {
        (Ishl | Ushr | Sshr | Rotl | Rotr, 1) => Want::AnyInt,
        (Select, 0) => Want::AnyInt,
        (Uextend | Sextend, _) => Want::IntNarrowerThan(ctrl),
        (Ireduce, _) => Want::IntWiderThan(ctrl),
        (Fpromote, _) => Want::Exactly(Type::F32),
        (Fdemote, _) => Want::Exactly(Type::F64),
        (FcvtToUint | FcvtToSint | FcvtToUintSat | FcvtToSintSat, _) => Want::AnyFloat,
        (FcvtFromUint | FcvtFromSint, _) => Want::AnyInt,
        (Bitcast, _) => Want::SameWidthAs(ctrl),
        (Load | Uload8 | Sload8 | Uload16 | Sload16 | Uload32 | Sload32, _) => {
            Want::Exactly(Type::POINTER)
        }
        (Store | Istore8 | Istore16 | Istore32, 1) => Want::Exactly(Type::POINTER),
        // Everything else, and the first operand of shifts and stores and
        // the chosen values of `select`, has the controlling type.
        _ => Want::Exactly(ctrl),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_typed() {
        use Type::*;
        let ok = |op, ctrl, imm, args: &[Type]| check_operands(op, ctrl, imm, args).unwrap();
        ok(Opcode::Iadd, I32, Imm::None, &[I32, I32]);
        ok(Opcode::Ishl, I64, Imm::None, &[I64, I8]);
        ok(Opcode::Select, F64, Imm::None, &[I8, F64, F64]);
        ok(Opcode::Uextend, I128, Imm::None, &[I8]);
        ok(Opcode::Bitcast, F32, Imm::None, &[I32]);
        ok(Opcode::Iconst, I8, Imm::Int(0xff), &[]);
        ok(
            Opcode::Uload8,
            I16,
            Imm::Mem {
                flags: Default::default(),
                offset: 0,
            },
            &[I64],
        );
    }

    #[test]
    fn rejects_ill_typed() {
        use Type::*;
        let err = |op, ctrl, imm, args: &[Type]| check_operands(op, ctrl, imm, args).unwrap_err();
        assert!(matches!(
            err(Opcode::Iadd, I32, Imm::None, &[I32, I64]),
            TypeError::Operand {
                index: 1,
                found: I64,
                ..
            }
        ));
        assert!(matches!(
            err(Opcode::Iadd, F32, Imm::None, &[F32, F32]),
            TypeError::CtrlType { .. }
        ));
        assert!(matches!(
            err(Opcode::Iadd, I32, Imm::None, &[I32]),
            TypeError::Arity {
                expected: 2,
                found: 1,
                ..
            }
        ));
        assert!(matches!(
            err(Opcode::Iconst, I8, Imm::Int(0x100), &[]),
            TypeError::Immediate { .. }
        ));
        assert!(matches!(
            err(Opcode::Uextend, I32, Imm::None, &[I32]),
            TypeError::Operand { .. }
        ));
        assert!(matches!(
            err(Opcode::Ireduce, I32, Imm::None, &[I16]),
            TypeError::Operand { .. }
        ));
        let mem = Imm::Mem {
            flags: Default::default(),
            offset: 0,
        };
        assert!(matches!(
            err(Opcode::Uload32, I32, mem, &[I64]),
            TypeError::CtrlType { .. }
        ));
        assert!(matches!(
            err(Opcode::Load, I32, mem, &[I32]),
            TypeError::Operand { .. }
        ));
        let data = InstructionData::new(Opcode::Jump, InstructionData::UNTYPED, Imm::None, &[]);
        assert!(matches!(
            check_inst(&data, &[]),
            Err(TypeError::Destinations { found: 0, .. })
        ));
    }
}
