//! Function signatures and external function declarations.
//!
//! A signature is just parameter and return types: the calling convention is
//! fixed (Tern's single ABI, described in the blueprint), so it is not part of
//! the IR. External functions are declared in a function's preamble by name
//! and signature; a call refers to the declaration, and the whole-function
//! interpreter resolves the name when it runs the call.

use std::fmt;

use crate::entities::SigRef;
use crate::types::Type;

/// Parameter and return types.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Signature {
    /// Parameter types, in order.
    pub params: Vec<Type>,
    /// Return types, in order.
    pub returns: Vec<Type>,
}

impl Signature {
    /// A signature with the given parameter and return types.
    pub fn new(params: &[Type], returns: &[Type]) -> Signature {
        Signature {
            params: params.to_vec(),
            returns: returns.to_vec(),
        }
    }
}

/// Writes a type list separated by ", ".
fn write_types(f: &mut fmt::Formatter<'_>, types: &[Type]) -> fmt::Result {
    for (i, ty) in types.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{ty}")?;
    }
    Ok(())
}

impl fmt::Display for Signature {
    /// CLIF syntax: `(i32, i64) -> f32, i8`; the arrow is omitted when there
    /// are no returns.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        write_types(f, &self.params)?;
        f.write_str(")")?;
        if !self.returns.is_empty() {
            f.write_str(" -> ")?;
            write_types(f, &self.returns)?;
        }
        Ok(())
    }
}

/// A function declared in the preamble and called with `call`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExtFuncData {
    /// The callee's name (printed `%name`).
    pub name: String,
    /// The callee's signature.
    pub signature: SigRef,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        assert_eq!(
            Signature::new(&[Type::I32, Type::I64], &[Type::F32]).to_string(),
            "(i32, i64) -> f32"
        );
        assert_eq!(Signature::new(&[], &[]).to_string(), "()");
    }
}
