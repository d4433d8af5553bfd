//! Exact semantics of every value-computing opcode.
//!
//! This module is the reference for what an instruction *means*. The
//! peephole verifier runs both sides of every rule through
//! [`eval_pure`] and compares bits; the whole-function
//! [interpreter](crate::interp) uses it for everything that is not control
//! flow, memory or calls; constant folding can use it directly. It is
//! therefore written for obviousness rather than speed, works at every
//! width from i8 to i128 with one code path per operation, and is tested
//! against Rust's own arithmetic.
//!
//! # Representation
//! A [`DataValue`] is a type and raw bits in a `u128`, masked to the width:
//! an `i8` -1 is `0xff`, an `f32` is its IEEE bits. Signedness is applied
//! by each operation (`sext` below), never stored.
//!
//! # Decisions where the specification leaves room
//! * Shift and rotate amounts may be any integer type and are taken modulo
//!   the width of the shifted value (CLIF and x86 semantics; Wasm's too).
//! * `sdiv` traps `int_divz` on a zero divisor and `int_ovf` on MIN / -1;
//!   `srem` traps only on zero, and MIN % -1 is 0 (as in Wasm).
//! * Float arithmetic that produces a NaN (`fadd`, `sqrt`, `fmin`,
//!   `floor`, `fpromote` …) produces the positive canonical quiet NaN.
//!   Hardware and Rust leave the payload unspecified; Wasm allows the
//!   canonical NaN in every case; fixing it makes the evaluator
//!   deterministic, so the peephole verifier can demand bit equality. The
//!   bitwise float operations (`fneg`, `fabs`, `fcopysign`, `bitcast`) and
//!   `select` preserve payloads exactly, as Wasm requires.
//! * `fmin`/`fmax` return NaN if either operand is NaN and order -0 below
//!   +0 (Wasm `min`/`max`, CLIF `fmin`/`fmax`).
//! * Float-to-integer conversions work at every integer width: trapping
//!   ones give `bad_toint` for NaN and `int_ovf` when the truncated value
//!   does not fit; saturating ones clamp and give 0 for NaN.

use std::fmt;

use crate::condcodes::{FloatCC, IntCC};
use crate::float_text;
use crate::immediates::TrapCode;
use crate::instructions::{Imm, InstructionData};
use crate::opcode::Opcode;
use crate::types::Type;
use crate::typing::{TypeError, check_operands};

/// A typed value: raw bits masked to the type's width.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataValue {
    ty: Type,
    bits: u128,
}

impl DataValue {
    /// A value of type `ty` from raw bits; bits above the width are dropped.
    pub const fn new(ty: Type, bits: u128) -> DataValue {
        DataValue {
            ty,
            bits: bits & ty.mask(),
        }
    }

    /// An integer from a signed value, truncated to the width of `ty`.
    pub const fn from_i128(ty: Type, value: i128) -> DataValue {
        DataValue::new(ty, value as u128)
    }

    /// An `i8` that is 1 for true and 0 for false (what comparisons make).
    pub const fn from_bool(b: bool) -> DataValue {
        DataValue::new(Type::I8, b as u128)
    }

    /// An `f32`.
    pub fn from_f32(value: f32) -> DataValue {
        DataValue::new(Type::F32, u128::from(value.to_bits()))
    }

    /// An `f64`.
    pub fn from_f64(value: f64) -> DataValue {
        DataValue::new(Type::F64, u128::from(value.to_bits()))
    }

    /// The type.
    pub const fn ty(self) -> Type {
        self.ty
    }

    /// The raw bits (zero above the width).
    pub const fn bits(self) -> u128 {
        self.bits
    }

    /// The bits read as a signed integer of the value's width.
    pub const fn signed(self) -> i128 {
        sext(self.bits, self.ty.bits())
    }

    /// The value as an `f32` (meaningful for `f32` values).
    pub fn as_f32(self) -> f32 {
        f32::from_bits(self.bits as u32)
    }

    /// The value as an `f64` (meaningful for `f64` values).
    pub fn as_f64(self) -> f64 {
        f64::from_bits(self.bits as u64)
    }

    /// Is the value non-zero (how conditions are tested)?
    pub const fn is_nonzero(self) -> bool {
        self.bits != 0
    }
}

impl fmt::Display for DataValue {
    /// Integers print as signed decimal, floats exactly (see
    /// [`crate::float_text`]). The type is not printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ty {
            Type::F32 => float_text::write_f32(f, self.bits as u32),
            Type::F64 => float_text::write_f64(f, self.bits as u64),
            _ => write!(f, "{}", self.signed()),
        }
    }
}

impl fmt::Debug for DataValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self, self.ty)
    }
}

/// Why evaluation produced no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// The operation trapped; this is a legitimate outcome.
    Trap(TrapCode),
    /// The opcode is not a pure or trapping computation (memory, control
    /// flow, calls, conditional traps): use the interpreter.
    NotEvaluable(Opcode),
    /// The operands or immediate break the opcode's type rules.
    Type(TypeError),
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Trap(code) => write!(f, "trap: {code}"),
            EvalError::NotEvaluable(op) => write!(f, "{op} cannot be evaluated in isolation"),
            EvalError::Type(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for EvalError {}

impl From<TypeError> for EvalError {
    fn from(err: TypeError) -> EvalError {
        EvalError::Type(err)
    }
}

/// Evaluates one instruction given its operand values. See
/// [`eval_pure`].
pub fn eval_inst(data: &InstructionData, args: &[DataValue]) -> Result<DataValue, EvalError> {
    eval_pure(data.opcode, data.ty, data.imm, args)
}

/// Evaluates `opcode` with controlling type `ctrl`, immediate `imm` and
/// operand values `args`, giving its single result or its trap.
///
/// Accepts every opcode for which [`Opcode::is_evaluable`] holds: all pure
/// opcodes plus trapping arithmetic and conversions. The operands are
/// type-checked first, so ill-typed input is an [`EvalError::Type`], never
/// a panic or a wrong answer.
pub fn eval_pure(
    opcode: Opcode,
    ctrl: Type,
    imm: Imm,
    args: &[DataValue],
) -> Result<DataValue, EvalError> {
    if !opcode.is_evaluable() {
        return Err(EvalError::NotEvaluable(opcode));
    }
    let types: smallvec::SmallVec<[Type; 3]> = args.iter().map(|a| a.ty).collect();
    check_operands(opcode, ctrl, imm, &types)?;
    let int = |bits| Ok(DataValue::new(ctrl, bits));
    let x = args.first().copied().unwrap_or(DataValue::new(ctrl, 0));
    let y = args.get(1).copied().unwrap_or(DataValue::new(ctrl, 0));
    let n = ctrl.bits();
    use Opcode::*;
    match opcode {
        Iconst => match imm {
            Imm::Int(bits) => int(bits),
            _ => unreachable!("immediate checked"),
        },
        F32const => match imm {
            Imm::Ieee32(bits) => int(u128::from(bits)),
            _ => unreachable!("immediate checked"),
        },
        F64const => match imm {
            Imm::Ieee64(bits) => int(u128::from(bits)),
            _ => unreachable!("immediate checked"),
        },
        Iadd => int(x.bits.wrapping_add(y.bits)),
        Isub => int(x.bits.wrapping_sub(y.bits)),
        Imul => int(x.bits.wrapping_mul(y.bits)),
        Ineg => int(x.bits.wrapping_neg()),
        Udiv => match y.bits {
            0 => Err(EvalError::Trap(TrapCode::IntegerDivisionByZero)),
            d => int(x.bits / d),
        },
        Urem => match y.bits {
            0 => Err(EvalError::Trap(TrapCode::IntegerDivisionByZero)),
            d => int(x.bits % d),
        },
        Sdiv => {
            if y.bits == 0 {
                return Err(EvalError::Trap(TrapCode::IntegerDivisionByZero));
            }
            if x.signed() == min_signed(n) && y.signed() == -1 {
                return Err(EvalError::Trap(TrapCode::IntegerOverflow));
            }
            int(x.signed().wrapping_div(y.signed()) as u128)
        }
        Srem => {
            if y.bits == 0 {
                return Err(EvalError::Trap(TrapCode::IntegerDivisionByZero));
            }
            // MIN % -1 is 0; `wrapping_rem` gives exactly that at 128 bits
            // and no overflow is possible at narrower widths.
            int(x.signed().wrapping_rem(y.signed()) as u128)
        }
        Umulhi => int(umulhi(x.bits, y.bits, n)),
        Smulhi => int(smulhi(x.signed(), y.signed(), n)),
        Band => int(x.bits & y.bits),
        Bor => int(x.bits | y.bits),
        Bxor => int(x.bits ^ y.bits),
        Bnot => int(!x.bits),
        BandNot => int(x.bits & !y.bits),
        BorNot => int(x.bits | !y.bits),
        BxorNot => int(x.bits ^ !y.bits),
        Ishl => int(x.bits << shift_amount(y, n)),
        Ushr => int(x.bits >> shift_amount(y, n)),
        Sshr => int((x.signed() >> shift_amount(y, n)) as u128),
        Rotl => int(rotate_left(x.bits, shift_amount(y, n), n)),
        Rotr => int(rotate_left(x.bits, (n - shift_amount(y, n)) % n, n)),
        Clz => int(u128::from(x.bits.leading_zeros() - (128 - n))),
        Ctz => int(u128::from(x.bits.trailing_zeros().min(n))),
        Popcnt => int(u128::from(x.bits.count_ones())),
        Icmp => match imm {
            Imm::IntCC(cc) => Ok(DataValue::from_bool(icmp(cc, x, y))),
            _ => unreachable!("immediate checked"),
        },
        Select => Ok(if x.is_nonzero() { y } else { args[2] }),
        Uextend => int(x.bits),
        Sextend => int(x.signed() as u128),
        Ireduce => int(x.bits),
        Bitcast => int(x.bits),
        Fcmp => match imm {
            Imm::FloatCC(cc) => Ok(DataValue::from_bool(match ctrl {
                Type::F32 => fcmp(cc, x.as_f32(), y.as_f32()),
                _ => fcmp(cc, x.as_f64(), y.as_f64()),
            })),
            _ => unreachable!("immediate checked"),
        },
        Fpromote => Ok(DataValue::from_f64(canonical64(f64::from(x.as_f32())))),
        Fdemote => Ok(DataValue::from_f32(canonical32(x.as_f64() as f32))),
        FcvtToUint | FcvtToSint | FcvtToUintSat | FcvtToSintSat => {
            float_to_int(opcode, ctrl, float_as_f64(x))
        }
        FcvtFromUint | FcvtFromSint => {
            let signed = opcode == FcvtFromSint;
            Ok(match ctrl {
                Type::F32 => DataValue::from_f32(if signed {
                    x.signed() as f32
                } else {
                    x.bits as f32
                }),
                _ => DataValue::from_f64(if signed {
                    x.signed() as f64
                } else {
                    x.bits as f64
                }),
            })
        }
        _ => Ok(match ctrl {
            Type::F32 => float_op::<f32>(opcode, x, y),
            _ => float_op::<f64>(opcode, x, y),
        }),
    }
}

/// Sign-extends the low `bits` bits of `value`.
const fn sext(value: u128, bits: u32) -> i128 {
    let shift = 128 - bits;
    ((value << shift) as i128) >> shift
}

/// The most negative `n`-bit signed integer.
const fn min_signed(n: u32) -> i128 {
    i128::MIN >> (128 - n)
}

/// A shift amount reduced modulo the width `n` of the shifted value.
fn shift_amount(amount: DataValue, n: u32) -> u32 {
    (amount.bits % u128::from(n)) as u32
}

/// Rotates the low `n` bits of `x` left by `s < n` (bits above `n` are
/// masked off by the caller).
fn rotate_left(x: u128, s: u32, n: u32) -> u128 {
    if s == 0 { x } else { (x << s) | (x >> (n - s)) }
}

/// High `n` bits of the `2n`-bit unsigned product of two `n`-bit values.
fn umulhi(x: u128, y: u128, n: u32) -> u128 {
    if n <= 64 {
        return (x * y) >> n;
    }
    // 128×128 → 256 bits by 64-bit limbs.
    let (x_lo, x_hi) = (x as u64 as u128, x >> 64);
    let (y_lo, y_hi) = (y as u64 as u128, y >> 64);
    let lo_lo = x_lo * y_lo;
    let hi_lo = x_hi * y_lo;
    let lo_hi = x_lo * y_hi;
    let hi_hi = x_hi * y_hi;
    let middle = (lo_lo >> 64) + (hi_lo as u64 as u128) + (lo_hi as u64 as u128);
    hi_hi + (hi_lo >> 64) + (lo_hi >> 64) + (middle >> 64)
}

/// High `n` bits of the `2n`-bit signed product of two `n`-bit values
/// (result as raw bits, masked by the caller).
fn smulhi(x: i128, y: i128, n: u32) -> u128 {
    if n <= 64 {
        return ((x * y) >> n) as u128;
    }
    // Signed high half from the unsigned one: subtract the other operand
    // for each negative operand (mod 2^128).
    let mut hi = umulhi(x as u128, y as u128, 128);
    if x < 0 {
        hi = hi.wrapping_sub(y as u128);
    }
    if y < 0 {
        hi = hi.wrapping_sub(x as u128);
    }
    hi
}

fn icmp(cc: IntCC, x: DataValue, y: DataValue) -> bool {
    let (a, b) = (x.bits, y.bits);
    let (sa, sb) = (x.signed(), y.signed());
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

fn fcmp<F: PartialOrd>(cc: FloatCC, a: F, b: F) -> bool {
    // With NaN operands `partial_cmp` is None and every `<`/`==` is false.
    let unordered = a.partial_cmp(&b).is_none();
    match cc {
        FloatCC::Ordered => !unordered,
        FloatCC::Unordered => unordered,
        FloatCC::Equal => a == b,
        FloatCC::NotEqual => a != b,
        FloatCC::OrderedNotEqual => !unordered && a != b,
        FloatCC::UnorderedOrEqual => unordered || a == b,
        FloatCC::LessThan => a < b,
        FloatCC::LessThanOrEqual => a <= b,
        FloatCC::GreaterThan => a > b,
        FloatCC::GreaterThanOrEqual => a >= b,
        FloatCC::UnorderedOrLessThan => unordered || a < b,
        FloatCC::UnorderedOrLessThanOrEqual => unordered || a <= b,
        FloatCC::UnorderedOrGreaterThan => unordered || a > b,
        FloatCC::UnorderedOrGreaterThanOrEqual => unordered || a >= b,
    }
}

fn canonical32(x: f32) -> f32 {
    if x.is_nan() {
        f32::from_bits(0x7fc0_0000)
    } else {
        x
    }
}

fn canonical64(x: f64) -> f64 {
    if x.is_nan() {
        f64::from_bits(0x7ff8_0000_0000_0000)
    } else {
        x
    }
}

/// A float value widened exactly to `f64`.
fn float_as_f64(x: DataValue) -> f64 {
    match x.ty {
        Type::F32 => f64::from(x.as_f32()),
        _ => x.as_f64(),
    }
}

/// `fcvt_to_*` of `x` (exactly widened to `f64`) to integer type `to`.
fn float_to_int(opcode: Opcode, to: Type, x: f64) -> Result<DataValue, EvalError> {
    let n = to.bits();
    let signed = matches!(opcode, Opcode::FcvtToSint | Opcode::FcvtToSintSat);
    let saturating = matches!(opcode, Opcode::FcvtToUintSat | Opcode::FcvtToSintSat);
    if x.is_nan() {
        return if saturating {
            Ok(DataValue::new(to, 0))
        } else {
            Err(EvalError::Trap(TrapCode::BadConversionToInteger))
        };
    }
    let t = x.trunc();
    // The representable range is [lo, hi); both bounds are powers of two
    // (or zero), hence exact in f64 at every width up to 128.
    let (lo, hi) = if signed {
        (-pow2(n - 1), pow2(n - 1))
    } else {
        (0.0, pow2(n))
    };
    if t >= lo && t < hi {
        return Ok(if signed {
            DataValue::from_i128(to, t as i128)
        } else {
            DataValue::new(to, t as u128)
        });
    }
    if !saturating {
        return Err(EvalError::Trap(TrapCode::IntegerOverflow));
    }
    Ok(match (signed, t < lo) {
        (true, true) => DataValue::from_i128(to, min_signed(n)),
        (true, false) => DataValue::new(to, (to.mask() >> 1) & to.mask()),
        (false, true) => DataValue::new(to, 0),
        (false, false) => DataValue::new(to, to.mask()),
    })
}

/// 2^k as an `f64`, built from its bits so it is obviously exact.
fn pow2(k: u32) -> f64 {
    f64::from_bits(u64::from(1023 + k) << 52)
}

/// The operations shared by `f32` and `f64`, so float semantics are written
/// once.
trait Float: Copy + PartialOrd + std::ops::Neg<Output = Self> {
    const CANONICAL_NAN: u64;
    const SIGN_BIT: u64;
    fn from_bits64(bits: u64) -> Self;
    fn to_bits64(self) -> u64;
    fn is_nan(self) -> bool;
    fn add(self, other: Self) -> Self;
    fn sub(self, other: Self) -> Self;
    fn mul(self, other: Self) -> Self;
    fn div(self, other: Self) -> Self;
    fn sqrt(self) -> Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn trunc(self) -> Self;
    fn nearest(self) -> Self;
}

macro_rules! impl_float {
    ($t:ty, $bits:ty, $nan:expr) => {
        impl Float for $t {
            const CANONICAL_NAN: u64 = $nan;
            const SIGN_BIT: u64 = 1 << (<$bits>::BITS - 1);
            fn from_bits64(bits: u64) -> Self {
                <$t>::from_bits(bits as $bits)
            }
            fn to_bits64(self) -> u64 {
                u64::from(self.to_bits())
            }
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            fn add(self, other: Self) -> Self {
                self + other
            }
            fn sub(self, other: Self) -> Self {
                self - other
            }
            fn mul(self, other: Self) -> Self {
                self * other
            }
            fn div(self, other: Self) -> Self {
                self / other
            }
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            fn floor(self) -> Self {
                <$t>::floor(self)
            }
            fn ceil(self) -> Self {
                <$t>::ceil(self)
            }
            fn trunc(self) -> Self {
                <$t>::trunc(self)
            }
            fn nearest(self) -> Self {
                <$t>::round_ties_even(self)
            }
        }
    };
}

impl_float!(f32, u32, 0x7fc0_0000);
impl_float!(f64, u64, 0x7ff8_0000_0000_0000);

/// The remaining float opcodes (arithmetic, rounding, sign manipulation)
/// on operands of type `F`.
fn float_op<F: Float>(opcode: Opcode, x: DataValue, y: DataValue) -> DataValue {
    let ty = x.ty;
    let (a, b) = (F::from_bits64(x.bits as u64), F::from_bits64(y.bits as u64));
    let arith = |r: F| {
        let bits = if r.is_nan() {
            F::CANONICAL_NAN
        } else {
            r.to_bits64()
        };
        DataValue::new(ty, u128::from(bits))
    };
    let raw = |bits: u64| DataValue::new(ty, u128::from(bits));
    let (abits, bbits) = (a.to_bits64(), b.to_bits64());
    match opcode {
        Opcode::Fadd => arith(a.add(b)),
        Opcode::Fsub => arith(a.sub(b)),
        Opcode::Fmul => arith(a.mul(b)),
        Opcode::Fdiv => arith(a.div(b)),
        Opcode::Sqrt => arith(a.sqrt()),
        Opcode::Floor => arith(a.floor()),
        Opcode::Ceil => arith(a.ceil()),
        Opcode::Trunc => arith(a.trunc()),
        Opcode::Nearest => arith(a.nearest()),
        Opcode::Fmin | Opcode::Fmax => {
            if a.is_nan() || b.is_nan() {
                return raw(F::CANONICAL_NAN);
            }
            let min = opcode == Opcode::Fmin;
            if a == b {
                // Equal values have equal bits except for ±0, where the
                // minimum is -0 (either sign bit set) and the maximum +0.
                return raw(if min { abits | bbits } else { abits & bbits });
            }
            let pick_a = if min { a < b } else { a > b };
            raw(if pick_a { abits } else { bbits })
        }
        Opcode::Fneg => raw(abits ^ F::SIGN_BIT),
        Opcode::Fabs => raw(abits & !F::SIGN_BIT),
        Opcode::Fcopysign => raw((abits & !F::SIGN_BIT) | (bbits & F::SIGN_BIT)),
        other => unreachable!("{other} is not a float operation"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i(ty: Type, v: i128) -> DataValue {
        DataValue::from_i128(ty, v)
    }

    fn bin(op: Opcode, ty: Type, a: i128, b: i128) -> Result<DataValue, EvalError> {
        eval_pure(op, ty, Imm::None, &[i(ty, a), i(ty, b)])
    }

    #[test]
    fn wrapping_arithmetic() {
        assert_eq!(bin(Opcode::Iadd, Type::I8, 127, 1), Ok(i(Type::I8, -128)));
        assert_eq!(
            bin(Opcode::Imul, Type::I16, 300, 300),
            Ok(i(Type::I16, 90000))
        );
        assert_eq!(
            eval_pure(
                Opcode::Ineg,
                Type::I128,
                Imm::None,
                &[i(Type::I128, i128::MIN)]
            ),
            Ok(i(Type::I128, i128::MIN))
        );
    }

    #[test]
    fn division_traps() {
        use TrapCode::*;
        for ty in Type::INTS {
            let min = min_signed(ty.bits());
            assert_eq!(
                bin(Opcode::Sdiv, ty, min, -1),
                Err(EvalError::Trap(IntegerOverflow))
            );
            assert_eq!(bin(Opcode::Srem, ty, min, -1), Ok(i(ty, 0)));
            for op in [Opcode::Udiv, Opcode::Sdiv, Opcode::Urem, Opcode::Srem] {
                assert_eq!(
                    bin(op, ty, 5, 0),
                    Err(EvalError::Trap(IntegerDivisionByZero))
                );
            }
            assert_eq!(bin(Opcode::Sdiv, ty, -7, 2), Ok(i(ty, -3)));
            assert_eq!(bin(Opcode::Srem, ty, -7, 2), Ok(i(ty, -1)));
            assert_eq!(bin(Opcode::Udiv, ty, -1, 1), Ok(i(ty, -1)));
        }
    }

    #[test]
    fn shifts_take_amount_modulo_width() {
        assert_eq!(bin(Opcode::Ishl, Type::I32, 1, 33), Ok(i(Type::I32, 2)));
        assert_eq!(bin(Opcode::Sshr, Type::I8, -128, 9), Ok(i(Type::I8, -64)));
        assert_eq!(bin(Opcode::Ushr, Type::I8, -128, 7), Ok(i(Type::I8, 1)));
        assert_eq!(bin(Opcode::Rotl, Type::I8, 0x81, 1), Ok(i(Type::I8, 0x03)));
        assert_eq!(bin(Opcode::Rotr, Type::I8, 0x81, 1), Ok(i(Type::I8, 0xc0)));
        assert_eq!(
            bin(Opcode::Rotr, Type::I16, 0x1234, 16),
            Ok(i(Type::I16, 0x1234))
        );
        // A narrow amount type shifting a wide value.
        let r = eval_pure(
            Opcode::Ishl,
            Type::I64,
            Imm::None,
            &[i(Type::I64, 1), i(Type::I8, 63)],
        );
        assert_eq!(r, Ok(i(Type::I64, i64::MIN.into())));
    }

    #[test]
    fn ill_typed_operands_are_errors() {
        let r = eval_pure(
            Opcode::Iadd,
            Type::I32,
            Imm::None,
            &[i(Type::I32, 1), i(Type::I64, 1)],
        );
        assert!(matches!(r, Err(EvalError::Type(_))));
        let r = eval_pure(Opcode::Load, Type::I32, Imm::None, &[]);
        assert_eq!(r, Err(EvalError::NotEvaluable(Opcode::Load)));
    }

    #[test]
    fn float_conversions_trap_and_saturate() {
        let f = DataValue::from_f64;
        let cvt = |op, ty, x| eval_pure(op, ty, Imm::None, &[x]);
        assert_eq!(
            cvt(Opcode::FcvtToSint, Type::I32, f(f64::NAN)),
            Err(EvalError::Trap(TrapCode::BadConversionToInteger))
        );
        assert_eq!(
            cvt(Opcode::FcvtToSint, Type::I32, f(2147483648.0)),
            Err(EvalError::Trap(TrapCode::IntegerOverflow))
        );
        assert_eq!(
            cvt(Opcode::FcvtToSint, Type::I32, f(-2147483648.9)),
            Ok(i(Type::I32, i32::MIN.into()))
        );
        assert_eq!(
            cvt(Opcode::FcvtToUint, Type::I8, f(-0.9)),
            Ok(i(Type::I8, 0))
        );
        assert_eq!(
            cvt(Opcode::FcvtToUintSat, Type::I8, f(300.0)),
            Ok(i(Type::I8, 255))
        );
        assert_eq!(
            cvt(Opcode::FcvtToSintSat, Type::I8, f(-300.0)),
            Ok(i(Type::I8, -128))
        );
        assert_eq!(
            cvt(Opcode::FcvtToSintSat, Type::I16, f(f64::NAN)),
            Ok(i(Type::I16, 0))
        );
    }

    #[test]
    fn fmin_fmax_order_zeros_and_propagate_nan() {
        let f = DataValue::from_f32;
        let op = |o, a, b| eval_pure(o, Type::F32, Imm::None, &[f(a), f(b)]).unwrap();
        assert_eq!(
            op(Opcode::Fmin, 0.0, -0.0).bits(),
            (-0.0f32).to_bits().into()
        );
        assert_eq!(op(Opcode::Fmax, -0.0, 0.0).bits(), 0);
        assert_eq!(op(Opcode::Fmin, 1.0, f32::NAN).bits(), 0x7fc0_0000);
        assert_eq!(op(Opcode::Fmax, 1.0, 2.0), f(2.0));
    }
}
