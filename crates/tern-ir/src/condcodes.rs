//! Condition codes for `icmp` and `fcmp`.
//!
//! The names are CLIF's (`slt`, `uge`, `one`, `ult` …) so that peephole rules
//! and `.ir` files read like Cranelift's. Each code knows its *inverse* (the
//! code that holds exactly when this one does not; used to flip a branch) and
//! its *swap* (the code that gives the same answer with the operands
//! exchanged; used to canonicalize a constant to the right-hand side).
//!
//! For floats, "unordered" means at least one operand is NaN. Every ordered
//! predicate is false on NaN and every `u…` predicate is true on NaN, so the
//! inverse of an ordered predicate is always an unordered one.

use std::fmt;

/// An integer comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntCC {
    /// `eq`: equal.
    Equal,
    /// `ne`: not equal.
    NotEqual,
    /// `slt`: signed less than.
    SignedLessThan,
    /// `sge`: signed greater than or equal.
    SignedGreaterThanOrEqual,
    /// `sgt`: signed greater than.
    SignedGreaterThan,
    /// `sle`: signed less than or equal.
    SignedLessThanOrEqual,
    /// `ult`: unsigned less than.
    UnsignedLessThan,
    /// `uge`: unsigned greater than or equal.
    UnsignedGreaterThanOrEqual,
    /// `ugt`: unsigned greater than.
    UnsignedGreaterThan,
    /// `ule`: unsigned less than or equal.
    UnsignedLessThanOrEqual,
}

impl IntCC {
    /// Every integer condition code.
    pub const ALL: [IntCC; 10] = [
        IntCC::Equal,
        IntCC::NotEqual,
        IntCC::SignedLessThan,
        IntCC::SignedGreaterThanOrEqual,
        IntCC::SignedGreaterThan,
        IntCC::SignedLessThanOrEqual,
        IntCC::UnsignedLessThan,
        IntCC::UnsignedGreaterThanOrEqual,
        IntCC::UnsignedGreaterThan,
        IntCC::UnsignedLessThanOrEqual,
    ];

    /// The CLIF name.
    pub const fn name(self) -> &'static str {
        match self {
            IntCC::Equal => "eq",
            IntCC::NotEqual => "ne",
            IntCC::SignedLessThan => "slt",
            IntCC::SignedGreaterThanOrEqual => "sge",
            IntCC::SignedGreaterThan => "sgt",
            IntCC::SignedLessThanOrEqual => "sle",
            IntCC::UnsignedLessThan => "ult",
            IntCC::UnsignedGreaterThanOrEqual => "uge",
            IntCC::UnsignedGreaterThan => "ugt",
            IntCC::UnsignedLessThanOrEqual => "ule",
        }
    }

    /// Parses a CLIF name.
    pub fn from_name(name: &str) -> Option<IntCC> {
        IntCC::ALL.into_iter().find(|cc| cc.name() == name)
    }

    /// The condition that holds exactly when `self` does not:
    /// `a inverse(cc) b == !(a cc b)`.
    pub const fn inverse(self) -> IntCC {
        match self {
            IntCC::Equal => IntCC::NotEqual,
            IntCC::NotEqual => IntCC::Equal,
            IntCC::SignedLessThan => IntCC::SignedGreaterThanOrEqual,
            IntCC::SignedGreaterThanOrEqual => IntCC::SignedLessThan,
            IntCC::SignedGreaterThan => IntCC::SignedLessThanOrEqual,
            IntCC::SignedLessThanOrEqual => IntCC::SignedGreaterThan,
            IntCC::UnsignedLessThan => IntCC::UnsignedGreaterThanOrEqual,
            IntCC::UnsignedGreaterThanOrEqual => IntCC::UnsignedLessThan,
            IntCC::UnsignedGreaterThan => IntCC::UnsignedLessThanOrEqual,
            IntCC::UnsignedLessThanOrEqual => IntCC::UnsignedGreaterThan,
        }
    }

    /// The condition with the operands exchanged:
    /// `b swap_args(cc) a == a cc b`.
    pub const fn swap_args(self) -> IntCC {
        match self {
            IntCC::Equal | IntCC::NotEqual => self,
            IntCC::SignedLessThan => IntCC::SignedGreaterThan,
            IntCC::SignedGreaterThan => IntCC::SignedLessThan,
            IntCC::SignedLessThanOrEqual => IntCC::SignedGreaterThanOrEqual,
            IntCC::SignedGreaterThanOrEqual => IntCC::SignedLessThanOrEqual,
            IntCC::UnsignedLessThan => IntCC::UnsignedGreaterThan,
            IntCC::UnsignedGreaterThan => IntCC::UnsignedLessThan,
            IntCC::UnsignedLessThanOrEqual => IntCC::UnsignedGreaterThanOrEqual,
            IntCC::UnsignedGreaterThanOrEqual => IntCC::UnsignedLessThanOrEqual,
        }
    }

    /// Does this comparison interpret its operands as signed?
    pub const fn is_signed(self) -> bool {
        matches!(
            self,
            IntCC::SignedLessThan
                | IntCC::SignedGreaterThanOrEqual
                | IntCC::SignedGreaterThan
                | IntCC::SignedLessThanOrEqual
        )
    }

    /// Does this comparison interpret its operands as unsigned?
    pub const fn is_unsigned(self) -> bool {
        matches!(
            self,
            IntCC::UnsignedLessThan
                | IntCC::UnsignedGreaterThanOrEqual
                | IntCC::UnsignedGreaterThan
                | IntCC::UnsignedLessThanOrEqual
        )
    }
}

impl fmt::Display for IntCC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A float comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FloatCC {
    /// `ord`: neither operand is NaN.
    Ordered,
    /// `uno`: at least one operand is NaN.
    Unordered,
    /// `eq`: ordered and equal.
    Equal,
    /// `ne`: unordered or not equal (the inverse of `eq`).
    NotEqual,
    /// `one`: ordered and not equal.
    OrderedNotEqual,
    /// `ueq`: unordered or equal.
    UnorderedOrEqual,
    /// `lt`: ordered and less than.
    LessThan,
    /// `le`: ordered and less than or equal.
    LessThanOrEqual,
    /// `gt`: ordered and greater than.
    GreaterThan,
    /// `ge`: ordered and greater than or equal.
    GreaterThanOrEqual,
    /// `ult`: unordered or less than.
    UnorderedOrLessThan,
    /// `ule`: unordered or less than or equal.
    UnorderedOrLessThanOrEqual,
    /// `ugt`: unordered or greater than.
    UnorderedOrGreaterThan,
    /// `uge`: unordered or greater than or equal.
    UnorderedOrGreaterThanOrEqual,
}

impl FloatCC {
    /// Every float condition code.
    pub const ALL: [FloatCC; 14] = [
        FloatCC::Ordered,
        FloatCC::Unordered,
        FloatCC::Equal,
        FloatCC::NotEqual,
        FloatCC::OrderedNotEqual,
        FloatCC::UnorderedOrEqual,
        FloatCC::LessThan,
        FloatCC::LessThanOrEqual,
        FloatCC::GreaterThan,
        FloatCC::GreaterThanOrEqual,
        FloatCC::UnorderedOrLessThan,
        FloatCC::UnorderedOrLessThanOrEqual,
        FloatCC::UnorderedOrGreaterThan,
        FloatCC::UnorderedOrGreaterThanOrEqual,
    ];

    /// The CLIF name.
    pub const fn name(self) -> &'static str {
        match self {
            FloatCC::Ordered => "ord",
            FloatCC::Unordered => "uno",
            FloatCC::Equal => "eq",
            FloatCC::NotEqual => "ne",
            FloatCC::OrderedNotEqual => "one",
            FloatCC::UnorderedOrEqual => "ueq",
            FloatCC::LessThan => "lt",
            FloatCC::LessThanOrEqual => "le",
            FloatCC::GreaterThan => "gt",
            FloatCC::GreaterThanOrEqual => "ge",
            FloatCC::UnorderedOrLessThan => "ult",
            FloatCC::UnorderedOrLessThanOrEqual => "ule",
            FloatCC::UnorderedOrGreaterThan => "ugt",
            FloatCC::UnorderedOrGreaterThanOrEqual => "uge",
        }
    }

    /// Parses a CLIF name.
    pub fn from_name(name: &str) -> Option<FloatCC> {
        FloatCC::ALL.into_iter().find(|cc| cc.name() == name)
    }

    /// The condition that holds exactly when `self` does not, NaNs included.
    pub const fn inverse(self) -> FloatCC {
        match self {
            FloatCC::Ordered => FloatCC::Unordered,
            FloatCC::Unordered => FloatCC::Ordered,
            FloatCC::Equal => FloatCC::NotEqual,
            FloatCC::NotEqual => FloatCC::Equal,
            FloatCC::OrderedNotEqual => FloatCC::UnorderedOrEqual,
            FloatCC::UnorderedOrEqual => FloatCC::OrderedNotEqual,
            FloatCC::LessThan => FloatCC::UnorderedOrGreaterThanOrEqual,
            FloatCC::UnorderedOrGreaterThanOrEqual => FloatCC::LessThan,
            FloatCC::LessThanOrEqual => FloatCC::UnorderedOrGreaterThan,
            FloatCC::UnorderedOrGreaterThan => FloatCC::LessThanOrEqual,
            FloatCC::GreaterThan => FloatCC::UnorderedOrLessThanOrEqual,
            FloatCC::UnorderedOrLessThanOrEqual => FloatCC::GreaterThan,
            FloatCC::GreaterThanOrEqual => FloatCC::UnorderedOrLessThan,
            FloatCC::UnorderedOrLessThan => FloatCC::GreaterThanOrEqual,
        }
    }

    /// The condition with the operands exchanged.
    pub const fn swap_args(self) -> FloatCC {
        match self {
            FloatCC::LessThan => FloatCC::GreaterThan,
            FloatCC::GreaterThan => FloatCC::LessThan,
            FloatCC::LessThanOrEqual => FloatCC::GreaterThanOrEqual,
            FloatCC::GreaterThanOrEqual => FloatCC::LessThanOrEqual,
            FloatCC::UnorderedOrLessThan => FloatCC::UnorderedOrGreaterThan,
            FloatCC::UnorderedOrGreaterThan => FloatCC::UnorderedOrLessThan,
            FloatCC::UnorderedOrLessThanOrEqual => FloatCC::UnorderedOrGreaterThanOrEqual,
            FloatCC::UnorderedOrGreaterThanOrEqual => FloatCC::UnorderedOrLessThanOrEqual,
            symmetric => symmetric,
        }
    }
}

impl fmt::Display for FloatCC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for cc in IntCC::ALL {
            assert_eq!(IntCC::from_name(cc.name()), Some(cc));
        }
        for cc in FloatCC::ALL {
            assert_eq!(FloatCC::from_name(cc.name()), Some(cc));
        }
        assert_eq!(IntCC::from_name("lt"), None);
        assert_eq!(FloatCC::from_name("slt"), None);
    }

    #[test]
    fn inverse_and_swap_are_involutions() {
        for cc in IntCC::ALL {
            assert_eq!(cc.inverse().inverse(), cc);
            assert_ne!(cc.inverse(), cc);
            assert_eq!(cc.swap_args().swap_args(), cc);
            assert_eq!(cc.is_signed(), cc.swap_args().is_signed());
        }
        for cc in FloatCC::ALL {
            assert_eq!(cc.inverse().inverse(), cc);
            assert_ne!(cc.inverse(), cc);
            assert_eq!(cc.swap_args().swap_args(), cc);
        }
    }
}
