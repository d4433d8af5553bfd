//! Entity references: small typed indices into a function's tables.
//!
//! The IR is a set of tables (instructions, values, blocks, signatures,
//! external functions) owned by a [`Function`](crate::Function); everything
//! else refers to an entry by a `u32` newtype. Compared with pointers or
//! `Rc`s this keeps the IR compact, `Copy`, trivially cloneable and free of
//! borrow-checker knots, and makes side tables (`Vec<T>` indexed by entity)
//! cheap for passes. The newtypes keep a `Value` from being used where a
//! `Block` is meant.
//!
//! Entities print the way CLIF prints them: `v3`, `block1`, `inst7`, `sig0`,
//! `fn2`.

use std::fmt;

/// An entity reference: a dense index into one of a function's tables.
pub trait EntityRef: Copy + Eq + std::hash::Hash + Ord + fmt::Debug {
    /// The entity with table index `index`.
    ///
    /// # Panics
    /// If `index` does not fit in 32 bits.
    fn new(index: usize) -> Self;

    /// The table index of this entity.
    fn index(self) -> usize;
}

macro_rules! entity {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl $name {
            /// The entity with number `n` (what the text format prints after
            /// the prefix).
            pub const fn from_u32(n: u32) -> Self {
                $name(n)
            }

            /// The entity's number.
            pub const fn as_u32(self) -> u32 {
                self.0
            }
        }

        impl EntityRef for $name {
            fn new(index: usize) -> Self {
                $name(u32::try_from(index).expect(concat!("too many ", stringify!($name), "s")))
            }

            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }
    };
}

entity!(
    /// An SSA value: an instruction result or a block parameter.
    Value,
    "v"
);
entity!(
    /// An instruction.
    Inst,
    "inst"
);
entity!(
    /// A basic block.
    Block,
    "block"
);
entity!(
    /// A signature declared in a function's preamble (`sig0 = (i32) -> i32`),
    /// used by `call_indirect`.
    SigRef,
    "sig"
);
entity!(
    /// An external function declared in a function's preamble
    /// (`fn0 = %name sig0`), used by `call`.
    FuncRef,
    "fn"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_uses_clif_prefixes() {
        assert_eq!(Value::new(3).to_string(), "v3");
        assert_eq!(Block::new(0).to_string(), "block0");
        assert_eq!(Inst::new(7).to_string(), "inst7");
        assert_eq!(SigRef::new(1).to_string(), "sig1");
        assert_eq!(FuncRef::new(2).to_string(), "fn2");
        assert_eq!(Value::from_u32(9).index(), 9);
    }
}
