//! Compile-time arithmetic on matched constants.
//!
//! Unquotes (`$(log2 $C)`, `$(iadd $C1 $C2)`), the precondition predicates
//! and literal matching all compute on integer constants of a known IR type
//! at the moment a rule fires. The generated matcher calls these functions
//! directly, the automaton interpreter and the verifier call the same ones,
//! so what is verified is what runs. Constants are raw bits masked to the
//! type's width, as in `tern-ir` (`iconst.i8 -1` is `0xff`).
//!
//! The integer operations have exactly the semantics of the IR opcodes of
//! the same name (wrapping, shift amounts modulo the width); a unit test
//! checks them against [`tern_ir::eval::eval_pure`].

use tern_ir::{IntCC, Type};

/// `bits` read as a signed integer of `ty`'s width.
#[inline]
pub fn signed(ty: Type, bits: u128) -> i128 {
    let shift = 128 - ty.bits();
    ((bits << shift) as i128) >> shift
}

/// The bits an integer literal denotes at `ty` (it wraps).
#[inline]
pub fn literal_bits(ty: Type, literal: i128) -> u128 {
    literal as u128 & ty.mask()
}

/// Does the constant `bits` of type `ty` match the literal `literal`? It
/// does when the literal is representable in the type, signed or unsigned,
/// and denotes the same bits: at `i8`, both `-1` and `255` match `0xff`,
/// while `256` matches nothing.
#[inline]
pub fn literal_matches(ty: Type, bits: u128, literal: i128) -> bool {
    crate::typeck::literal_fits(literal, ty.bits()) && literal_bits(ty, literal) == bits
}

/// Literals in this range denote the same signed value at every width, so
/// the matcher can switch on [`signed`] for them.
pub const SMALL_LITERALS: std::ops::RangeInclusive<i128> = -128..=127;

/// Wrapping addition.
#[inline]
pub fn iadd(ty: Type, a: u128, b: u128) -> u128 {
    a.wrapping_add(b) & ty.mask()
}

/// Wrapping subtraction.
#[inline]
pub fn isub(ty: Type, a: u128, b: u128) -> u128 {
    a.wrapping_sub(b) & ty.mask()
}

/// Wrapping multiplication.
#[inline]
pub fn imul(ty: Type, a: u128, b: u128) -> u128 {
    a.wrapping_mul(b) & ty.mask()
}

/// Two's complement negation.
#[inline]
pub fn neg(ty: Type, a: u128) -> u128 {
    a.wrapping_neg() & ty.mask()
}

/// Bitwise not.
#[inline]
pub fn bnot(ty: Type, a: u128) -> u128 {
    !a & ty.mask()
}

/// Bitwise and.
#[inline]
pub fn band(_ty: Type, a: u128, b: u128) -> u128 {
    a & b
}

/// Bitwise or.
#[inline]
pub fn bor(_ty: Type, a: u128, b: u128) -> u128 {
    a | b
}

/// Bitwise exclusive or.
#[inline]
pub fn bxor(_ty: Type, a: u128, b: u128) -> u128 {
    a ^ b
}

/// The shift amount `b` modulo the width of `ty`.
#[inline]
fn amount(ty: Type, b: u128) -> u32 {
    (b % u128::from(ty.bits())) as u32
}

/// Shift left, amount modulo the width.
#[inline]
pub fn ishl(ty: Type, a: u128, b: u128) -> u128 {
    (a << amount(ty, b)) & ty.mask()
}

/// Logical shift right, amount modulo the width.
#[inline]
pub fn ushr(ty: Type, a: u128, b: u128) -> u128 {
    a >> amount(ty, b)
}

/// Arithmetic shift right, amount modulo the width.
#[inline]
pub fn sshr(ty: Type, a: u128, b: u128) -> u128 {
    (signed(ty, a) >> amount(ty, b)) as u128 & ty.mask()
}

/// The base-2 logarithm, rounded down; `None` for zero, where a rule using
/// it does not apply.
#[inline]
pub fn log2(_ty: Type, a: u128) -> Option<u128> {
    a.checked_ilog2().map(u128::from)
}

/// Is exactly one bit set?
#[inline]
pub fn is_power_of_two(_ty: Type, a: u128) -> bool {
    a.is_power_of_two()
}

/// The integer comparison `a cc b` at `ty`.
#[inline]
pub fn compare(cc: IntCC, ty: Type, a: u128, b: u128) -> bool {
    let (sa, sb) = (signed(ty, a), signed(ty, b));
    match cc {
        IntCC::Equal => a == b,
        IntCC::NotEqual => a != b,
        IntCC::SignedLessThan => sa < sb,
        IntCC::SignedGreaterThanOrEqual => sa >= sb,
        IntCC::SignedGreaterThan => sa > sb,
        IntCC::SignedLessThanOrEqual => sa <= sb,
        IntCC::UnsignedLessThan => a < b,
        IntCC::UnsignedGreaterThanOrEqual => a >= b,
        IntCC::UnsignedGreaterThan => a > b,
        IntCC::UnsignedLessThanOrEqual => a <= b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_ir::eval::{DataValue, eval_pure};
    use tern_ir::{Imm, Opcode};

    /// Every integer unquote agrees with the IR evaluator: exhaustively at
    /// 8 bits, on a spread of values at wider widths.
    #[test]
    fn unquotes_agree_with_the_ir_evaluator() {
        type Binary = fn(Type, u128, u128) -> u128;
        let binary: [(Opcode, Binary); 8] = [
            (Opcode::Iadd, iadd),
            (Opcode::Isub, isub),
            (Opcode::Imul, imul),
            (Opcode::Band, band),
            (Opcode::Bor, bor),
            (Opcode::Bxor, bxor),
            (Opcode::Ishl, ishl),
            (Opcode::Ushr, ushr),
        ];
        let samples = |ty: Type| -> Vec<u128> {
            if ty == Type::I8 {
                (0..256).collect()
            } else {
                let m = ty.mask();
                let mut v = vec![
                    0,
                    1,
                    2,
                    3,
                    7,
                    8,
                    m,
                    m - 1,
                    m >> 1,
                    (m >> 1) + 1,
                    0x5555_5555_5555_5555_5555_5555_5555_5555 & m,
                ];
                v.extend(
                    (0..64u128)
                        .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834) & m),
                );
                v
            }
        };
        for ty in Type::INTS {
            let vals = samples(ty);
            for &a in &vals {
                let da = DataValue::new(ty, a);
                let eval1 = |op| eval_pure(op, ty, Imm::None, &[da]).unwrap().bits();
                assert_eq!(neg(ty, a), eval1(Opcode::Ineg));
                assert_eq!(bnot(ty, a), eval1(Opcode::Bnot));
                for &b in &vals {
                    let db = DataValue::new(ty, b);
                    for (op, f) in binary {
                        let want = eval_pure(op, ty, Imm::None, &[da, db]).unwrap().bits();
                        assert_eq!(f(ty, a, b), want, "{op} {ty} {a:#x} {b:#x}");
                    }
                    let want = eval_pure(Opcode::Sshr, ty, Imm::None, &[da, db]).unwrap();
                    assert_eq!(sshr(ty, a, b), want.bits());
                    for cc in IntCC::ALL {
                        let want = eval_pure(Opcode::Icmp, ty, Imm::IntCC(cc), &[da, db]).unwrap();
                        assert_eq!(compare(cc, ty, a, b), want.bits() == 1, "{cc}");
                    }
                }
            }
        }
    }

    #[test]
    fn log2_and_powers_of_two() {
        assert_eq!(log2(Type::I32, 1), Some(0));
        assert_eq!(log2(Type::I32, 1024), Some(10));
        assert_eq!(log2(Type::I8, 0x80), Some(7));
        assert_eq!(log2(Type::I8, 0), None);
        assert!(is_power_of_two(Type::I8, 0x80));
        assert!(!is_power_of_two(Type::I8, 0));
        assert!(!is_power_of_two(Type::I8, 6));
    }

    #[test]
    fn literal_matching_reads_signed_or_unsigned() {
        assert!(literal_matches(Type::I8, 0xff, -1));
        assert!(literal_matches(Type::I8, 0xff, 255));
        assert!(!literal_matches(Type::I8, 0x00, 256));
        assert!(literal_matches(Type::I16, 0xffff, -1));
        assert!(!literal_matches(Type::I16, 0xff, -1));
        assert_eq!(signed(Type::I8, 0x80), -128);
        assert_eq!(literal_bits(Type::I32, -2), 0xffff_fffe);
    }
}
