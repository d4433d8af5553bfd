//! Value types.
//!
//! Every SSA value has exactly one of seven types: integers of 8, 16, 32, 64
//! and 128 bits, and IEEE-754 binary32 / binary64 floats. Integers carry no
//! signedness: signedness is a property of the *operation* (`sdiv` versus
//! `udiv`, `sextend` versus `uextend`), exactly as in Cranelift's CLIF and in
//! machine code. Keeping the narrow widths (i8, i16) and i128 in the type
//! system, even though Wasm only produces i32/i64, lets the peephole verifier
//! check rules exhaustively at 8 bits and lets rules be stated once for every
//! width.
//!
//! There is no boolean type: comparisons produce an `i8` that is 0 or 1, and
//! conditions (`brif`, `select`, `trapz`) test any integer against zero.

use std::fmt;
use std::str::FromStr;

/// The type of an SSA value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// 8-bit integer.
    I8,
    /// 16-bit integer.
    I16,
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 128-bit integer.
    I128,
    /// IEEE-754 binary32.
    F32,
    /// IEEE-754 binary64.
    F64,
}

impl Type {
    /// Every type, integers first, in increasing width.
    pub const ALL: [Type; 7] = [
        Type::I8,
        Type::I16,
        Type::I32,
        Type::I64,
        Type::I128,
        Type::F32,
        Type::F64,
    ];

    /// The integer types in increasing width.
    pub const INTS: [Type; 5] = [Type::I8, Type::I16, Type::I32, Type::I64, Type::I128];

    /// The float types in increasing width.
    pub const FLOATS: [Type; 2] = [Type::F32, Type::F64];

    /// The type of addresses used by loads, stores and `call_indirect`.
    /// Tern targets x86-64 only, so this is fixed rather than a target
    /// parameter.
    pub const POINTER: Type = Type::I64;

    /// Width in bits.
    pub const fn bits(self) -> u32 {
        match self {
            Type::I8 => 8,
            Type::I16 => 16,
            Type::I32 | Type::F32 => 32,
            Type::I64 | Type::F64 => 64,
            Type::I128 => 128,
        }
    }

    /// Width in bytes.
    pub const fn bytes(self) -> u32 {
        self.bits() / 8
    }

    /// Is this an integer type?
    pub const fn is_int(self) -> bool {
        matches!(
            self,
            Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::I128
        )
    }

    /// Is this a float type?
    pub const fn is_float(self) -> bool {
        matches!(self, Type::F32 | Type::F64)
    }

    /// The integer type with `bits` bits, if there is one.
    pub const fn int(bits: u32) -> Option<Type> {
        match bits {
            8 => Some(Type::I8),
            16 => Some(Type::I16),
            32 => Some(Type::I32),
            64 => Some(Type::I64),
            128 => Some(Type::I128),
            _ => None,
        }
    }

    /// The integer type of the same width (`f32` → `i32`, `i16` → `i16`).
    pub const fn as_int(self) -> Type {
        match self {
            Type::F32 => Type::I32,
            Type::F64 => Type::I64,
            other => other,
        }
    }

    /// A mask with the low `bits()` bits set. Values of this type are stored
    /// as raw bits in a `u128` with everything above this mask clear.
    pub const fn mask(self) -> u128 {
        if self.bits() == 128 {
            u128::MAX
        } else {
            (1u128 << self.bits()) - 1
        }
    }

    /// The CLIF spelling: `i8` … `i128`, `f32`, `f64`.
    pub const fn name(self) -> &'static str {
        match self {
            Type::I8 => "i8",
            Type::I16 => "i16",
            Type::I32 => "i32",
            Type::I64 => "i64",
            Type::I128 => "i128",
            Type::F32 => "f32",
            Type::F64 => "f64",
        }
    }

    /// Parses a CLIF type name.
    pub fn from_name(name: &str) -> Option<Type> {
        Type::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error returned when a string is not a type name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownType(pub String);

impl fmt::Display for UnknownType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown type `{}`", self.0)
    }
}

impl std::error::Error for UnknownType {}

impl FromStr for Type {
    type Err = UnknownType;

    fn from_str(s: &str) -> Result<Type, UnknownType> {
        Type::from_name(s).ok_or_else(|| UnknownType(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for ty in Type::ALL {
            assert_eq!(ty.to_string().parse::<Type>(), Ok(ty));
        }
        assert_eq!("i7".parse::<Type>(), Err(UnknownType("i7".into())));
    }

    #[test]
    fn widths_and_masks() {
        assert_eq!(Type::I8.mask(), 0xff);
        assert_eq!(Type::I128.mask(), u128::MAX);
        assert_eq!(Type::F32.bytes(), 4);
        for ty in Type::INTS {
            assert_eq!(Type::int(ty.bits()), Some(ty));
            assert!(ty.is_int() && !ty.is_float());
        }
        assert_eq!(Type::F64.as_int(), Type::I64);
        assert!(Type::F32.is_float() && !Type::F32.is_int());
    }
}
