//! Trap codes: why generated code stopped.
//!
//! A trap site pairs a code offset with a [`TrapCode`]; the runtime's signal
//! handler looks the faulting PC up in the (sorted) trap sites of the function
//! it falls in. The `Display` messages are the ones the WebAssembly spec test
//! suite expects, so they must not change.

use std::fmt;

/// The reason a trap was raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TrapCode {
    /// The stack limit check in a function prologue failed.
    StackOverflow = 0,
    /// A load or store outside linear memory.
    MemoryOutOfBounds = 1,
    /// A misaligned atomic access.
    HeapMisaligned = 2,
    /// A table access out of bounds (including `call_indirect`).
    TableOutOfBounds = 3,
    /// `call_indirect` through a null table entry.
    IndirectCallToNull = 4,
    /// `call_indirect` signature mismatch.
    BadSignature = 5,
    /// Signed division overflow (`INT_MIN / -1`) or a float-to-int overflow.
    IntegerOverflow = 6,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero = 7,
    /// Float-to-int conversion of NaN.
    BadConversionToInteger = 8,
    /// The `unreachable` instruction.
    UnreachableCodeReached = 9,
    /// An epoch deadline or explicit interrupt.
    Interrupt = 10,
    /// Fuel ran out.
    OutOfFuel = 11,
    /// A null reference was dereferenced.
    NullReference = 12,
}

impl TrapCode {
    /// Every trap code, in `to_u8` order.
    pub const ALL: [TrapCode; 13] = [
        TrapCode::StackOverflow,
        TrapCode::MemoryOutOfBounds,
        TrapCode::HeapMisaligned,
        TrapCode::TableOutOfBounds,
        TrapCode::IndirectCallToNull,
        TrapCode::BadSignature,
        TrapCode::IntegerOverflow,
        TrapCode::IntegerDivisionByZero,
        TrapCode::BadConversionToInteger,
        TrapCode::UnreachableCodeReached,
        TrapCode::Interrupt,
        TrapCode::OutOfFuel,
        TrapCode::NullReference,
    ];

    /// A stable one-byte encoding, for serialized trap tables.
    pub const fn to_u8(self) -> u8 {
        self as u8
    }

    /// The trap code encoded by `byte`, if any.
    pub const fn from_u8(byte: u8) -> Option<TrapCode> {
        if (byte as usize) < TrapCode::ALL.len() {
            Some(TrapCode::ALL[byte as usize])
        } else {
            None
        }
    }

    /// The message the WebAssembly spec tests expect for this trap.
    pub const fn message(self) -> &'static str {
        match self {
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::HeapMisaligned => "unaligned atomic",
            TrapCode::TableOutOfBounds => "undefined element: out of bounds table access",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::UnreachableCodeReached => "unreachable",
            TrapCode::Interrupt => "interrupt",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::NullReference => "null reference",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A trap site: the instruction starting at `offset` may trap with `code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TrapSite {
    /// Offset of the first byte of the instruction, from the function start.
    pub offset: u32,
    /// Why it traps.
    pub code: TrapCode,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u8_round_trip() {
        for (i, code) in TrapCode::ALL.into_iter().enumerate() {
            assert_eq!(code.to_u8() as usize, i);
            assert_eq!(TrapCode::from_u8(code.to_u8()), Some(code));
        }
        assert_eq!(TrapCode::from_u8(TrapCode::ALL.len() as u8), None);
        assert_eq!(TrapCode::from_u8(255), None);
    }

    #[test]
    fn spec_messages() {
        assert_eq!(
            TrapCode::IntegerDivisionByZero.to_string(),
            "integer divide by zero"
        );
        assert_eq!(
            TrapCode::TableOutOfBounds.to_string(),
            "undefined element: out of bounds table access"
        );
        assert_eq!(TrapCode::StackOverflow.to_string(), "call stack exhausted");
    }
}
