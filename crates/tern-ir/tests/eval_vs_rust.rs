//! The evaluator against Rust's own arithmetic.
//!
//! Rust has native integers of every IR width, so each integer opcode is
//! compared with the corresponding `wrapping_*`/`checked_*`/bit method of
//! `i8`/`u8` … `i128`/`u128`: exhaustively over all pairs at 8 bits, and
//! over edge values plus pseudo-random values at 16 to 128 bits. Floats are
//! compared with Rust's `f32`/`f64` operations (NaN results canonicalized,
//! as the evaluator documents) and Rust's saturating `as` conversions.

use tern_ir::eval::{DataValue, EvalError, eval_pure};
use tern_ir::{FloatCC, Imm, IntCC, Opcode, TrapCode, Type};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn next_u128(&mut self) -> u128 {
        (u128::from(self.next()) << 64) | u128::from(self.next())
    }
}

fn eval(op: Opcode, ty: Type, imm: Imm, args: &[DataValue]) -> Result<DataValue, EvalError> {
    eval_pure(op, ty, imm, args)
}

fn trap(code: TrapCode) -> Result<DataValue, EvalError> {
    Err(EvalError::Trap(code))
}

/// Test values for an integer width: edges, then pseudo-random bits.
fn int_samples(bits: u32, rng: &mut Rng, random: usize) -> Vec<u128> {
    let mask = if bits == 128 {
        u128::MAX
    } else {
        (1 << bits) - 1
    };
    let half = 1u128 << (bits - 1);
    let mut values = vec![
        0,
        1,
        2,
        3,
        mask,
        mask - 1,
        half,
        half - 1,
        half + 1,
        bits as u128,
    ];
    for shift in [1, bits / 2, bits - 1] {
        values.push((1u128 << shift) & mask);
        values.push(((1u128 << shift) - 1) & mask);
    }
    values.extend((0..random).map(|_| rng.next_u128() & mask));
    values
}

macro_rules! int_width_tests {
    ($name:ident, $ty:expr, $s:ty, $u:ty) => {
        #[test]
        fn $name() {
            let ty: Type = $ty;
            let bits = ty.bits();
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ u64::from(bits));
            let samples: Vec<u128> = if bits == 8 {
                (0..256).collect()
            } else {
                int_samples(bits, &mut rng, 60)
            };
            let int = |v: u128| DataValue::new(ty, v);
            let bin = |op, a: u128, b: u128| eval(op, ty, Imm::None, &[int(a), int(b)]);
            let un = |op, a: u128| eval(op, ty, Imm::None, &[int(a)]);
            let ok_u = |v: $u| Ok(DataValue::new(ty, v as u128));
            let ok_s = |v: $s| Ok(DataValue::from_i128(ty, v as i128));
            for &a in &samples {
                let (ua, sa) = (a as $u, a as $u as $s);
                assert_eq!(un(Opcode::Ineg, a), ok_s(sa.wrapping_neg()));
                assert_eq!(un(Opcode::Bnot, a), ok_u(!ua));
                assert_eq!(un(Opcode::Clz, a), ok_u(ua.leading_zeros() as $u));
                assert_eq!(un(Opcode::Ctz, a), ok_u(ua.trailing_zeros() as $u));
                assert_eq!(un(Opcode::Popcnt, a), ok_u(ua.count_ones() as $u));
                for &b in &samples {
                    let (ub, sb) = (b as $u, b as $u as $s);
                    let ctx = format!("{ty} a={a:#x} b={b:#x}");
                    assert_eq!(bin(Opcode::Iadd, a, b), ok_u(ua.wrapping_add(ub)), "{ctx}");
                    assert_eq!(bin(Opcode::Isub, a, b), ok_u(ua.wrapping_sub(ub)), "{ctx}");
                    assert_eq!(bin(Opcode::Imul, a, b), ok_u(ua.wrapping_mul(ub)), "{ctx}");
                    assert_eq!(bin(Opcode::Band, a, b), ok_u(ua & ub), "{ctx}");
                    assert_eq!(bin(Opcode::Bor, a, b), ok_u(ua | ub), "{ctx}");
                    assert_eq!(bin(Opcode::Bxor, a, b), ok_u(ua ^ ub), "{ctx}");
                    assert_eq!(bin(Opcode::BandNot, a, b), ok_u(ua & !ub), "{ctx}");
                    assert_eq!(bin(Opcode::BorNot, a, b), ok_u(ua | !ub), "{ctx}");
                    assert_eq!(bin(Opcode::BxorNot, a, b), ok_u(ua ^ !ub), "{ctx}");
                    let udiv = ua
                        .checked_div(ub)
                        .map_or(trap(TrapCode::IntegerDivisionByZero), ok_u);
                    assert_eq!(bin(Opcode::Udiv, a, b), udiv, "{ctx}");
                    let urem = ua
                        .checked_rem(ub)
                        .map_or(trap(TrapCode::IntegerDivisionByZero), ok_u);
                    assert_eq!(bin(Opcode::Urem, a, b), urem, "{ctx}");
                    let sdiv = match (sb, sa.checked_div(sb)) {
                        (0, _) => trap(TrapCode::IntegerDivisionByZero),
                        (_, None) => trap(TrapCode::IntegerOverflow),
                        (_, Some(q)) => ok_s(q),
                    };
                    assert_eq!(bin(Opcode::Sdiv, a, b), sdiv, "{ctx}");
                    let srem = match sb {
                        0 => trap(TrapCode::IntegerDivisionByZero),
                        _ => ok_s(sa.wrapping_rem(sb)),
                    };
                    assert_eq!(bin(Opcode::Srem, a, b), srem, "{ctx}");
                    // Rust's wrapping shifts mask the amount to the width, which
                    // for power-of-two widths is the IR's "modulo the width".
                    let amount = (b % u128::from(bits)) as u32;
                    assert_eq!(
                        bin(Opcode::Ishl, a, b),
                        ok_u(ua.wrapping_shl(amount)),
                        "{ctx}"
                    );
                    assert_eq!(
                        bin(Opcode::Ushr, a, b),
                        ok_u(ua.wrapping_shr(amount)),
                        "{ctx}"
                    );
                    assert_eq!(
                        bin(Opcode::Sshr, a, b),
                        ok_s(sa.wrapping_shr(amount)),
                        "{ctx}"
                    );
                    assert_eq!(
                        bin(Opcode::Rotl, a, b),
                        ok_u(ua.rotate_left(amount)),
                        "{ctx}"
                    );
                    assert_eq!(
                        bin(Opcode::Rotr, a, b),
                        ok_u(ua.rotate_right(amount)),
                        "{ctx}"
                    );
                    let cmp = |cc| eval(Opcode::Icmp, ty, Imm::IntCC(cc), &[int(a), int(b)]);
                    let want = |c: bool| Ok(DataValue::from_bool(c));
                    assert_eq!(cmp(IntCC::Equal), want(ua == ub), "{ctx}");
                    assert_eq!(cmp(IntCC::NotEqual), want(ua != ub), "{ctx}");
                    assert_eq!(cmp(IntCC::SignedLessThan), want(sa < sb), "{ctx}");
                    assert_eq!(cmp(IntCC::SignedLessThanOrEqual), want(sa <= sb), "{ctx}");
                    assert_eq!(cmp(IntCC::SignedGreaterThan), want(sa > sb), "{ctx}");
                    assert_eq!(
                        cmp(IntCC::SignedGreaterThanOrEqual),
                        want(sa >= sb),
                        "{ctx}"
                    );
                    assert_eq!(cmp(IntCC::UnsignedLessThan), want(ua < ub), "{ctx}");
                    assert_eq!(cmp(IntCC::UnsignedLessThanOrEqual), want(ua <= ub), "{ctx}");
                    assert_eq!(cmp(IntCC::UnsignedGreaterThan), want(ua > ub), "{ctx}");
                    assert_eq!(
                        cmp(IntCC::UnsignedGreaterThanOrEqual),
                        want(ua >= ub),
                        "{ctx}"
                    );
                    let (hi_u, hi_s) = mulhi_reference(a, b, bits);
                    assert_eq!(bin(Opcode::Umulhi, a, b), Ok(int(hi_u)), "{ctx}");
                    assert_eq!(bin(Opcode::Smulhi, a, b), Ok(int(hi_s)), "{ctx}");
                }
            }
        }
    };
}

int_width_tests!(int_ops_i8_exhaustive, Type::I8, i8, u8);
int_width_tests!(int_ops_i16, Type::I16, i16, u16);
int_width_tests!(int_ops_i32, Type::I32, i32, u32);
int_width_tests!(int_ops_i64, Type::I64, i64, u64);
int_width_tests!(int_ops_i128, Type::I128, i128, u128);

/// High halves of the unsigned and signed `2n`-bit products, computed by
/// schoolbook multiplication on 32-bit limbs (a different algorithm from
/// the evaluator's). Returns raw bits masked to `n`.
fn mulhi_reference(a: u128, b: u128, n: u32) -> (u128, u128) {
    let limbs = |x: u128| {
        [
            x as u32,
            (x >> 32) as u32,
            (x >> 64) as u32,
            (x >> 96) as u32,
        ]
    };
    // Full 256-bit product in eight 32-bit limbs.
    let product = |x: u128, y: u128| {
        let (xl, yl) = (limbs(x), limbs(y));
        let mut out = [0u64; 8];
        for i in 0..4 {
            let mut carry = 0u64;
            for j in 0..4 {
                let t = u64::from(xl[i]) * u64::from(yl[j]) + out[i + j] + carry;
                out[i + j] = t & 0xffff_ffff;
                carry = t >> 32;
            }
            out[i + 4] += carry;
        }
        out
    };
    // Bits [n, 2n) of a 256-bit limb array.
    let high = |p: [u64; 8]| {
        let mut r = 0u128;
        for bit in 0..n {
            let pos = n + bit;
            let limb = p[(pos / 32) as usize];
            if (limb >> (pos % 32)) & 1 == 1 {
                r |= 1 << bit;
            }
        }
        r
    };
    let mask = if n == 128 { u128::MAX } else { (1 << n) - 1 };
    let unsigned = high(product(a, b));
    // Signed: a_s * b_s = a*b - 2^n (b·[a<0] + a·[b<0]) mod 2^2n, so the
    // high half is corrected by subtracting the other operand per sign.
    let neg = |x: u128| (x >> (n - 1)) & 1 == 1;
    let mut signed = unsigned;
    if neg(a) {
        signed = signed.wrapping_sub(b);
    }
    if neg(b) {
        signed = signed.wrapping_sub(a);
    }
    (unsigned & mask, signed & mask)
}

/// Interesting bit patterns for a float format plus random ones.
fn float_samples(bits64: bool, rng: &mut Rng) -> Vec<u64> {
    let mut v: Vec<u64> = if bits64 {
        [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            1e300,
            3.0e9,
        ]
        .iter()
        .map(|f| f.to_bits())
        .chain([
            0x7ff0_0000_0000_0000,
            0xfff0_0000_0000_0000,
            0x7ff8_0000_0000_0000,
            0xfff8_0000_0000_0001,
            0x7ff0_0000_0000_0001,
        ])
        .collect()
    } else {
        [
            0.0f32,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            f32::MAX,
            f32::MIN_POSITIVE,
            1e-45,
            3.0e9,
        ]
        .iter()
        .map(|f| u64::from(f.to_bits()))
        .chain([
            0x7f80_0000,
            0xff80_0000,
            0x7fc0_0000,
            0xffc0_0001,
            0x7f80_0001,
        ])
        .collect()
    };
    for _ in 0..40 {
        let r = rng.next();
        v.push(if bits64 { r } else { r & 0xffff_ffff });
    }
    v
}

macro_rules! float_width_tests {
    ($name:ident, $ty:expr, $f:ty, $bits:ty, $nan:expr) => {
        #[test]
        fn $name() {
            let ty: Type = $ty;
            let mut rng = Rng(0xdead_beef ^ u64::from(ty.bits()));
            let samples = float_samples(ty.bits() == 64, &mut rng);
            let val = |b: u64| DataValue::new(ty, u128::from(b));
            let of = |f: $f| {
                let bits = if f.is_nan() { $nan } else { f.to_bits() };
                Ok(DataValue::new(ty, u128::from(bits)))
            };
            let raw = |bits: $bits| Ok(DataValue::new(ty, u128::from(bits)));
            for &a in &samples {
                let fa = <$f>::from_bits(a as $bits);
                let un = |op| eval(op, ty, Imm::None, &[val(a)]);
                assert_eq!(un(Opcode::Sqrt), of(fa.sqrt()), "sqrt {a:#x}");
                assert_eq!(un(Opcode::Floor), of(fa.floor()), "floor {a:#x}");
                assert_eq!(un(Opcode::Ceil), of(fa.ceil()), "ceil {a:#x}");
                assert_eq!(un(Opcode::Trunc), of(fa.trunc()), "trunc {a:#x}");
                assert_eq!(
                    un(Opcode::Nearest),
                    of(fa.round_ties_even()),
                    "nearest {a:#x}"
                );
                assert_eq!(un(Opcode::Fneg), raw((-fa).to_bits()), "fneg {a:#x}");
                assert_eq!(un(Opcode::Fabs), raw(fa.abs().to_bits()), "fabs {a:#x}");
                for to in Type::INTS {
                    let sat_s = eval(Opcode::FcvtToSintSat, to, Imm::None, &[val(a)]).unwrap();
                    let sat_u = eval(Opcode::FcvtToUintSat, to, Imm::None, &[val(a)]).unwrap();
                    let (s, u) = saturate_reference(f64::from(fa), to.bits());
                    assert_eq!(sat_s, DataValue::from_i128(to, s), "sint_sat.{to} {a:#x}");
                    assert_eq!(sat_u, DataValue::new(to, u), "uint_sat.{to} {a:#x}");
                    // The trapping forms agree with the saturating ones
                    // wherever the truncated value is in range (decided
                    // with integer comparisons), and trap elsewhere.
                    let (smin, smax, umax) = int_bounds(to.bits());
                    let t = f64::from(fa).trunc();
                    let (p127, p128) = (2f64.powi(127), 2f64.powi(128));
                    let in_range_s = !fa.is_nan()
                        && t >= -p127
                        && t < p127
                        && (smin..=smax).contains(&(t as i128));
                    let in_range_u = !fa.is_nan() && t > -1.0 && t < p128 && t as u128 <= umax;
                    let want_trap = if fa.is_nan() {
                        TrapCode::BadConversionToInteger
                    } else {
                        TrapCode::IntegerOverflow
                    };
                    let t_s = eval(Opcode::FcvtToSint, to, Imm::None, &[val(a)]);
                    let t_u = eval(Opcode::FcvtToUint, to, Imm::None, &[val(a)]);
                    assert_eq!(
                        t_s,
                        if in_range_s {
                            Ok(sat_s)
                        } else {
                            trap(want_trap)
                        },
                        "sint.{to} {a:#x}"
                    );
                    assert_eq!(
                        t_u,
                        if in_range_u {
                            Ok(sat_u)
                        } else {
                            trap(want_trap)
                        },
                        "uint.{to} {a:#x}"
                    );
                }
                for &b in &samples {
                    let fb = <$f>::from_bits(b as $bits);
                    let bin = |op| eval(op, ty, Imm::None, &[val(a), val(b)]);
                    let ctx = format!("a={a:#x} b={b:#x}");
                    assert_eq!(bin(Opcode::Fadd), of(fa + fb), "{ctx}");
                    assert_eq!(bin(Opcode::Fsub), of(fa - fb), "{ctx}");
                    assert_eq!(bin(Opcode::Fmul), of(fa * fb), "{ctx}");
                    assert_eq!(bin(Opcode::Fdiv), of(fa / fb), "{ctx}");
                    assert_eq!(
                        bin(Opcode::Fcopysign),
                        raw(fa.copysign(fb).to_bits()),
                        "{ctx}"
                    );
                    // Wasm min/max: NaN wins, -0 < +0, otherwise the usual order.
                    let (min, max) = if fa.is_nan() || fb.is_nan() {
                        (<$f>::NAN, <$f>::NAN)
                    } else if fa == fb {
                        (
                            <$f>::from_bits(fa.to_bits() | fb.to_bits()),
                            <$f>::from_bits(fa.to_bits() & fb.to_bits()),
                        )
                    } else {
                        (fa.min(fb), fa.max(fb))
                    };
                    assert_eq!(bin(Opcode::Fmin), of(min), "{ctx}");
                    assert_eq!(bin(Opcode::Fmax), of(max), "{ctx}");
                    let cmp = |cc| eval(Opcode::Fcmp, ty, Imm::FloatCC(cc), &[val(a), val(b)]);
                    let want = |c: bool| Ok(DataValue::from_bool(c));
                    let uno = fa.is_nan() || fb.is_nan();
                    assert_eq!(cmp(FloatCC::Equal), want(fa == fb), "{ctx}");
                    assert_eq!(cmp(FloatCC::NotEqual), want(fa != fb), "{ctx}");
                    assert_eq!(cmp(FloatCC::LessThan), want(fa < fb), "{ctx}");
                    assert_eq!(cmp(FloatCC::GreaterThanOrEqual), want(fa >= fb), "{ctx}");
                    assert_eq!(cmp(FloatCC::Unordered), want(uno), "{ctx}");
                    assert_eq!(
                        cmp(FloatCC::UnorderedOrLessThan),
                        want(uno || fa < fb),
                        "{ctx}"
                    );
                    assert_eq!(
                        cmp(FloatCC::OrderedNotEqual),
                        want(!uno && fa != fb),
                        "{ctx}"
                    );
                }
            }
        }
    };
}

float_width_tests!(float_ops_f32, Type::F32, f32, u32, 0x7fc0_0000u32);
float_width_tests!(float_ops_f64, Type::F64, f64, u64, 0x7ff8_0000_0000_0000u64);

/// The signed minimum and maximum and the unsigned maximum at `bits`.
fn int_bounds(bits: u32) -> (i128, i128, u128) {
    (
        i128::MIN >> (128 - bits),
        i128::MAX >> (128 - bits),
        u128::MAX >> (128 - bits),
    )
}

/// Rust's saturating `as` conversions at width `bits`, via i128/u128 and a
/// clamp (Rust's `as` saturates at the target type's bounds and maps NaN
/// to 0, which is exactly the IR's `_sat` semantics).
fn saturate_reference(x: f64, bits: u32) -> (i128, u128) {
    let (smin, smax, umax) = int_bounds(bits);
    ((x as i128).clamp(smin, smax), (x as u128).min(umax))
}

#[test]
fn int_condition_code_algebra() {
    let mut rng = Rng(7);
    for ty in Type::INTS {
        let samples = int_samples(ty.bits(), &mut rng, 10);
        for &a in &samples {
            for &b in &samples {
                let (x, y) = (DataValue::new(ty, a), DataValue::new(ty, b));
                for cc in IntCC::ALL {
                    let holds = |cc, l, r| {
                        eval(Opcode::Icmp, ty, Imm::IntCC(cc), &[l, r])
                            .unwrap()
                            .is_nonzero()
                    };
                    assert_eq!(
                        holds(cc.inverse(), x, y),
                        !holds(cc, x, y),
                        "{cc} {ty} {a:#x} {b:#x}"
                    );
                    assert_eq!(
                        holds(cc.swap_args(), y, x),
                        holds(cc, x, y),
                        "{cc} {ty} {a:#x} {b:#x}"
                    );
                }
            }
        }
    }
}

#[test]
fn float_condition_code_algebra() {
    let mut rng = Rng(11);
    let samples = float_samples(true, &mut rng);
    for &a in &samples {
        for &b in &samples {
            let (x, y) = (
                DataValue::new(Type::F64, a.into()),
                DataValue::new(Type::F64, b.into()),
            );
            for cc in FloatCC::ALL {
                let holds = |cc, l, r| {
                    eval(Opcode::Fcmp, Type::F64, Imm::FloatCC(cc), &[l, r])
                        .unwrap()
                        .is_nonzero()
                };
                assert_eq!(
                    holds(cc.inverse(), x, y),
                    !holds(cc, x, y),
                    "{cc} {a:#x} {b:#x}"
                );
                assert_eq!(
                    holds(cc.swap_args(), y, x),
                    holds(cc, x, y),
                    "{cc} {a:#x} {b:#x}"
                );
            }
        }
    }
}

#[test]
fn extensions_and_conversions_between_widths() {
    let mut rng = Rng(3);
    for from in Type::INTS {
        for a in int_samples(from.bits(), &mut rng, 20) {
            let x = DataValue::new(from, a);
            for to in Type::INTS {
                let r = |op| eval(op, to, Imm::None, &[x]);
                if to.bits() > from.bits() {
                    assert_eq!(r(Opcode::Uextend), Ok(DataValue::new(to, a)));
                    assert_eq!(r(Opcode::Sextend), Ok(DataValue::from_i128(to, x.signed())));
                    assert!(matches!(r(Opcode::Ireduce), Err(EvalError::Type(_))));
                } else if to.bits() < from.bits() {
                    assert_eq!(r(Opcode::Ireduce), Ok(DataValue::new(to, a)));
                    assert!(matches!(r(Opcode::Uextend), Err(EvalError::Type(_))));
                }
            }
            for (to, want) in [
                (Type::F32, DataValue::from_f32(a as f32)),
                (Type::F64, DataValue::from_f64(a as f64)),
            ] {
                assert_eq!(eval(Opcode::FcvtFromUint, to, Imm::None, &[x]), Ok(want));
            }
            assert_eq!(
                eval(Opcode::FcvtFromSint, Type::F64, Imm::None, &[x]),
                Ok(DataValue::from_f64(x.signed() as f64))
            );
        }
    }
}
