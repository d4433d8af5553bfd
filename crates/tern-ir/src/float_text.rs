//! Exact text for float bit patterns.
//!
//! Float constants in `.ir` files and values in `run` lines must survive a
//! print/parse round trip bit for bit, NaN payloads and the sign of zero
//! included. Finite values use Rust's shortest representation that parses
//! back to the same bits (`1.5`, `-0.0`, `1e-45`); the rest use CLIF's
//! spellings: `+Inf`, `-Inf`, `+NaN` (the quiet NaN with an empty payload),
//! `-NaN:0x1` (a quiet NaN with payload 1), `+sNaN:0x1` (a signalling NaN;
//! its payload cannot be empty). The payload is the significand without the
//! quiet bit.

use std::fmt::{self, Write};

/// Layout of one IEEE binary format.
#[derive(Clone, Copy)]
struct Format {
    bits: u32,
    significand_bits: u32,
}

const BINARY32: Format = Format {
    bits: 32,
    significand_bits: 23,
};
const BINARY64: Format = Format {
    bits: 64,
    significand_bits: 52,
};

impl Format {
    fn sign_bit(self) -> u64 {
        1 << (self.bits - 1)
    }

    fn exponent_mask(self) -> u64 {
        ((1u64 << (self.bits - 1 - self.significand_bits)) - 1) << self.significand_bits
    }

    fn quiet_bit(self) -> u64 {
        1 << (self.significand_bits - 1)
    }

    fn payload_mask(self) -> u64 {
        self.quiet_bit() - 1
    }

    /// Writes a non-finite value; returns false for finite ones.
    fn write_special(self, out: &mut impl Write, bits: u64) -> Result<bool, fmt::Error> {
        if bits & self.exponent_mask() != self.exponent_mask() {
            return Ok(false);
        }
        let sign = if bits & self.sign_bit() != 0 {
            '-'
        } else {
            '+'
        };
        let significand = bits & (self.quiet_bit() | self.payload_mask());
        if significand == 0 {
            write!(out, "{sign}Inf")?;
            return Ok(true);
        }
        let payload = bits & self.payload_mask();
        let kind = if bits & self.quiet_bit() != 0 {
            "NaN"
        } else {
            "sNaN"
        };
        write!(out, "{sign}{kind}")?;
        if payload != 0 {
            write!(out, ":0x{payload:x}")?;
        }
        Ok(true)
    }

    /// Parses a non-finite spelling; `None` if `text` is not one.
    fn parse_special(self, text: &str) -> Option<u64> {
        let (sign, rest) = match text.as_bytes().first()? {
            b'+' => (0, &text[1..]),
            b'-' => (self.sign_bit(), &text[1..]),
            _ => return None,
        };
        let exponent = self.exponent_mask();
        if rest == "Inf" {
            return Some(sign | exponent);
        }
        let (kind, payload) = match rest.split_once(':') {
            Some((kind, payload)) => {
                let hex = payload.strip_prefix("0x")?;
                if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                let value = u64::from_str_radix(hex, 16).ok()?;
                if value == 0 || value & !self.payload_mask() != 0 {
                    return None;
                }
                (kind, value)
            }
            None => (rest, 0),
        };
        match kind {
            "NaN" => Some(sign | exponent | self.quiet_bit() | payload),
            "sNaN" if payload != 0 => Some(sign | exponent | payload),
            _ => None,
        }
    }
}

/// Writes the bits of an `f32` exactly.
pub fn write_f32(out: &mut impl Write, bits: u32) -> fmt::Result {
    if !BINARY32.write_special(out, u64::from(bits))? {
        write!(out, "{:?}", f32::from_bits(bits))?;
    }
    Ok(())
}

/// Writes the bits of an `f64` exactly.
pub fn write_f64(out: &mut impl Write, bits: u64) -> fmt::Result {
    if !BINARY64.write_special(out, bits)? {
        write!(out, "{:?}", f64::from_bits(bits))?;
    }
    Ok(())
}

/// Is `text` a finite decimal literal (digits, optional sign, point and
/// exponent)? Rust's float parser also accepts `inf` and `nan`, which the
/// text format spells differently.
fn is_decimal_literal(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    body.starts_with(|c: char| c.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
}

/// Parses an `f32` written by [`write_f32`] (or any decimal literal, rounded
/// to nearest).
pub fn parse_f32(text: &str) -> Option<u32> {
    if let Some(bits) = BINARY32.parse_special(text) {
        return u32::try_from(bits).ok();
    }
    if !is_decimal_literal(text) {
        return None;
    }
    text.parse::<f32>().ok().map(f32::to_bits)
}

/// Parses an `f64` written by [`write_f64`] (or any decimal literal, rounded
/// to nearest).
pub fn parse_f64(text: &str) -> Option<u64> {
    if let Some(bits) = BINARY64.parse_special(text) {
        return Some(bits);
    }
    if !is_decimal_literal(text) {
        return None;
    }
    text.parse::<f64>().ok().map(f64::to_bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32_text(bits: u32) -> String {
        let mut s = String::new();
        write_f32(&mut s, bits).unwrap();
        s
    }

    fn f64_text(bits: u64) -> String {
        let mut s = String::new();
        write_f64(&mut s, bits).unwrap();
        s
    }

    #[test]
    fn spellings() {
        assert_eq!(f32_text(1.5f32.to_bits()), "1.5");
        assert_eq!(f32_text((-0.0f32).to_bits()), "-0.0");
        assert_eq!(f32_text(0x7fc0_0000), "+NaN");
        assert_eq!(f32_text(0xffc0_0001), "-NaN:0x1");
        assert_eq!(f32_text(0x7f80_0001), "+sNaN:0x1");
        assert_eq!(f32_text(0xff80_0000), "-Inf");
        assert_eq!(f64_text(0x7ff8_0000_0000_0000), "+NaN");
        assert_eq!(f64_text(1.0f64.to_bits()), "1.0");
        assert_eq!(f64_text(5e-324f64.to_bits()), "5e-324");
    }

    #[test]
    fn round_trips_interesting_bits() {
        let f32s = [
            0u32,
            0x8000_0000,
            1,
            0x007f_ffff,
            0x0080_0000,
            0x7f7f_ffff,
            0x7f80_0000,
            0xff80_0000,
            0x7fc0_0000,
            0x7fff_ffff,
            0xff80_0001,
            0x3f80_0000,
            0x4049_0fdb,
        ];
        for bits in f32s {
            assert_eq!(parse_f32(&f32_text(bits)), Some(bits), "{bits:#x}");
        }
        let f64s = [
            0u64,
            1 << 63,
            1,
            0x7fef_ffff_ffff_ffff,
            0x7ff0_0000_0000_0000,
            0x7ff8_0000_0000_0000,
            0xfff0_0000_0000_0001,
            0x7fff_ffff_ffff_ffff,
            std::f64::consts::PI.to_bits(),
        ];
        for bits in f64s {
            assert_eq!(parse_f64(&f64_text(bits)), Some(bits), "{bits:#x}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "nan",
            "inf",
            "NaN",
            "+sNaN",
            "+NaN:0x0",
            "+NaN:1",
            "+NaN:0x400000",
            "1.0x",
            "-",
        ] {
            assert_eq!(parse_f32(bad), None, "{bad:?}");
        }
    }
}
