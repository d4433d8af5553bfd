//! Input values for the verifier: edge cases and pseudo-random samples.
//!
//! Bugs in peephole rules live at the edges: zero, one, all ones, the
//! signed minimum and maximum, shift amounts around the width, powers of
//! two, NaNs and signed zeros. Every input ranges over those first; random
//! values (from a fixed-seed generator, so verification is reproducible)
//! cover the rest.

use tern_ir::{FloatCC, IntCC, Type};

/// A small, fast, deterministic generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator with the given seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A random index below `n` (which must be non-zero).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// 128 random bits.
    pub fn next_u128(&mut self) -> u128 {
        (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64())
    }
}

/// The edge values of an integer or float type, as raw bits.
pub fn edge_values(ty: Type) -> Vec<u128> {
    let mut v: Vec<u128> = match ty {
        Type::F32 => [
            0.0f32,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1.5,
            -2.5,
            3.0,
            f32::MIN_POSITIVE,
            f32::MAX,
            f32::MIN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            16_777_217.0,
            -1e-30,
        ]
        .iter()
        .map(|f| u128::from(f.to_bits()))
        .chain(
            // NaNs: canonical quiet, negative, signalling, with payload;
            // the smallest and largest subnormals.
            [
                0x7fc0_0000u32,
                0xffc0_0000,
                0x7f80_0001,
                0x7fc1_2345,
                0x0000_0001,
                0x007f_ffff,
            ]
            .map(u128::from),
        )
        .collect(),
        Type::F64 => [
            0.0f64,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1.5,
            -2.5,
            3.0,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            9_007_199_254_740_993.0,
            4_294_967_296.5,
            -1e-300,
        ]
        .iter()
        .map(|f| u128::from(f.to_bits()))
        .chain(
            [
                0x7ff8_0000_0000_0000u64,
                0xfff8_0000_0000_0000,
                0x7ff0_0000_0000_0001,
                0x7ff8_0000_0012_3456,
                0x0000_0000_0000_0001,
                0x000f_ffff_ffff_ffff,
            ]
            .map(u128::from),
        )
        .collect(),
        _ => {
            let w = ty.bits();
            let m = ty.mask();
            let smax = m >> 1;
            let mut v = vec![
                0,
                1,
                2,
                3,
                5,
                6,
                7,
                m,
                m - 1,
                m - 2,
                smax,
                smax - 1,
                smax + 1,
                smax + 2,
                0x5555_5555_5555_5555_5555_5555_5555_5555 & m,
                0xaaaa_aaaa_aaaa_aaaa_aaaa_aaaa_aaaa_aaaa & m,
                u128::from(w) - 1,
                u128::from(w),
                u128::from(w) + 1,
                (1u128 << (w / 2)) - 1,
                0x7f,
                0x80,
                0xff,
            ];
            for k in [2, 3, 4, 5, 6, 7, 8, 15, 16, 31, 32, 63, 64, 127] {
                if k < w {
                    v.push(1 << k);
                }
            }
            v.into_iter().map(|x| x & m).collect()
        }
    };
    v.sort_unstable();
    v.dedup();
    v
}

/// A random value of `ty`: an edge value a quarter of the time, otherwise
/// random bits (sometimes only a few low ones, to reach small values).
pub fn random_value(rng: &mut Rng, ty: Type, edges: &[u128]) -> u128 {
    match rng.below(8) {
        0 | 1 => edges[rng.below(edges.len())],
        2 => rng.next_u128() & 0xff & ty.mask(),
        _ => rng.next_u128() & ty.mask(),
    }
}

/// Every integer condition code, as verifier inputs.
pub fn int_ccs() -> Vec<u128> {
    (0..IntCC::ALL.len() as u128).collect()
}

/// Every float condition code, as verifier inputs.
pub fn float_ccs() -> Vec<u128> {
    (0..FloatCC::ALL.len() as u128).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_values_are_masked_and_cover_the_extremes() {
        for ty in Type::INTS {
            let v = edge_values(ty);
            assert!(v.iter().all(|&x| x & !ty.mask() == 0), "{ty}");
            assert!(v.contains(&0) && v.contains(&1) && v.contains(&ty.mask()));
            assert!(
                v.contains(&(1 << (ty.bits() - 1))),
                "signed minimum at {ty}"
            );
            assert!(v.contains(&u128::from(ty.bits())), "width at {ty}");
        }
        let f = edge_values(Type::F32);
        assert!(f.contains(&u128::from((-0.0f32).to_bits())));
        assert!(f.contains(&0x7fc0_0000));
    }

    #[test]
    fn rng_is_deterministic() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let xs: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], xs[1]);
    }
}
