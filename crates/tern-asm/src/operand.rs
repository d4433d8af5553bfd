//! Operand types: sizes, condition codes, addressing modes and the
//! register/memory/immediate operand enums that instructions are built from.

use crate::buffer::Label;
use crate::reg::{PReg, Reg, regs};
use std::fmt;

/// An integer operand size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Size {
    /// 8 bits (`byte`).
    S8,
    /// 16 bits (`word`).
    S16,
    /// 32 bits (`dword`).
    S32,
    /// 64 bits (`qword`).
    S64,
}

impl Size {
    /// The size in bytes.
    pub const fn bytes(self) -> u32 {
        match self {
            Size::S8 => 1,
            Size::S16 => 2,
            Size::S32 => 4,
            Size::S64 => 8,
        }
    }

    /// The size in bits.
    pub const fn bits(self) -> u32 {
        self.bytes() * 8
    }
}

/// A scalar floating-point precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatSize {
    /// Single precision (`ss`/`ps` forms).
    F32,
    /// Double precision (`sd`/`pd` forms).
    F64,
}

/// An x86 condition code, in hardware encoding order (the value is the low
/// nibble of `jcc`, `setcc` and `cmovcc` opcodes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Cond {
    /// Overflow.
    O = 0,
    /// No overflow.
    NO = 1,
    /// Below (unsigned <, carry set).
    B = 2,
    /// Above or equal (unsigned >=, carry clear).
    AE = 3,
    /// Equal (zero set).
    E = 4,
    /// Not equal (zero clear).
    NE = 5,
    /// Below or equal (unsigned <=).
    BE = 6,
    /// Above (unsigned >).
    A = 7,
    /// Sign set.
    S = 8,
    /// Sign clear.
    NS = 9,
    /// Parity set (also: unordered after `ucomiss`).
    P = 10,
    /// Parity clear (also: ordered after `ucomiss`).
    NP = 11,
    /// Less (signed <).
    L = 12,
    /// Greater or equal (signed >=).
    GE = 13,
    /// Less or equal (signed <=).
    LE = 14,
    /// Greater (signed >).
    G = 15,
}

impl Cond {
    /// All sixteen condition codes in encoding order.
    pub const ALL: [Cond; 16] = [
        Cond::O,
        Cond::NO,
        Cond::B,
        Cond::AE,
        Cond::E,
        Cond::NE,
        Cond::BE,
        Cond::A,
        Cond::S,
        Cond::NS,
        Cond::P,
        Cond::NP,
        Cond::L,
        Cond::GE,
        Cond::LE,
        Cond::G,
    ];

    /// The opposite condition (true exactly when `self` is false). x86 pairs
    /// each condition with its inverse in adjacent encodings.
    pub const fn invert(self) -> Cond {
        Cond::from_bits(self as u8 ^ 1)
    }

    /// The 4-bit hardware encoding.
    pub const fn bits(self) -> u8 {
        self as u8
    }

    /// The condition with 4-bit hardware encoding `bits & 15`.
    pub const fn from_bits(bits: u8) -> Cond {
        Cond::ALL[(bits & 15) as usize]
    }

    /// The mnemonic suffix (`"e"` for `je`, `sete`, `cmove`, …).
    pub const fn suffix(self) -> &'static str {
        const NAMES: [&str; 16] = [
            "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
        ];
        NAMES[self as usize]
    }
}

/// The scale applied to an index register in an [`Amode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scale {
    /// ×1
    One,
    /// ×2
    Two,
    /// ×4
    Four,
    /// ×8
    Eight,
}

impl Scale {
    /// The two-bit SIB encoding (log2 of the factor).
    pub const fn log2(self) -> u8 {
        self as u8
    }

    /// The multiplication factor.
    pub const fn factor(self) -> u32 {
        1 << self.log2()
    }

    /// The scale whose factor is `factor` (1, 2, 4 or 8).
    pub const fn from_factor(factor: u32) -> Option<Scale> {
        match factor {
            1 => Some(Scale::One),
            2 => Some(Scale::Two),
            4 => Some(Scale::Four),
            8 => Some(Scale::Eight),
            _ => None,
        }
    }
}

/// A memory address.
///
/// `rsp` can never be an index register (its SIB encoding means "no index");
/// the constructors reject it and the encoder asserts it, so a physical `rsp`
/// index is never emitted. A register allocator must not assign `rsp` to a
/// virtual index register (it is never allocatable anyway).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Amode {
    /// `[base + index * scale + disp]` (the index is optional).
    BaseIndex {
        /// The base register.
        base: Reg,
        /// An optional scaled index register (never `rsp`).
        index: Option<(Reg, Scale)>,
        /// A signed 32-bit displacement.
        disp: i32,
    },
    /// `[rip + (label - end of instruction) + disp]`: data at `label` (plus
    /// `disp` bytes), typically a constant-pool entry.
    Rip {
        /// The label of the data.
        label: Label,
        /// Extra byte offset from the label.
        disp: i32,
    },
}

impl Amode {
    /// `[base + disp]`.
    pub fn base_disp(base: impl Into<Reg>, disp: i32) -> Amode {
        Amode::BaseIndex {
            base: base.into(),
            index: None,
            disp,
        }
    }

    /// `[base + index * scale + disp]`.
    ///
    /// # Panics
    /// If `index` is the physical register `rsp`, which x86-64 cannot encode
    /// as an index (a compiler bug, never the result of input).
    pub fn base_index(
        base: impl Into<Reg>,
        index: impl Into<Reg>,
        scale: Scale,
        disp: i32,
    ) -> Amode {
        let index = index.into();
        assert!(
            index != Reg::from(regs::RSP),
            "rsp cannot be an index register in an x86-64 address"
        );
        Amode::BaseIndex {
            base: base.into(),
            index: Some((index, scale)),
            disp,
        }
    }

    /// `[rip + label]`.
    pub fn rip(label: Label) -> Amode {
        Amode::Rip { label, disp: 0 }
    }

    /// This address plus `offset` bytes.
    ///
    /// # Panics
    /// If the displacement overflows `i32` (a compiler bug).
    pub fn offset(self, offset: i32) -> Amode {
        let add = |disp: i32| {
            disp.checked_add(offset)
                .expect("address displacement overflows i32")
        };
        match self {
            Amode::BaseIndex { base, index, disp } => Amode::BaseIndex {
                base,
                index,
                disp: add(disp),
            },
            Amode::Rip { label, disp } => Amode::Rip {
                label,
                disp: add(disp),
            },
        }
    }

    /// Calls `f` on each register the address reads.
    pub(crate) fn regs_mut(&mut self, mut f: impl FnMut(&mut Reg)) {
        if let Amode::BaseIndex { base, index, .. } = self {
            f(base);
            if let Some((index, _)) = index {
                f(index);
            }
        }
    }
}

impl fmt::Display for Amode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amode::BaseIndex { base, index, disp } => {
                write!(f, "[{base:?}")?;
                if let Some((index, scale)) = index {
                    write!(f, "+{index:?}*{}", scale.factor())?;
                }
                match *disp {
                    0 => {}
                    d if d < 0 => write!(f, "-{:#x}", (d as i64).unsigned_abs())?,
                    d => write!(f, "+{d:#x}")?,
                }
                f.write_str("]")
            }
            Amode::Rip { label, disp } => write!(f, "[rip+{label:?}+{disp}]"),
        }
    }
}

/// A register or memory operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegMem {
    /// A register.
    Reg(Reg),
    /// A memory location.
    Mem(Amode),
}

/// A register, memory or immediate operand. The immediate is sign-extended
/// to the operand size (for 8- and 16-bit operations it must fit that size).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegMemImm {
    /// A register.
    Reg(Reg),
    /// A memory location.
    Mem(Amode),
    /// A sign-extended immediate.
    Imm(i32),
}

/// A register or immediate operand (the source of an instruction whose
/// destination is memory). The immediate is sign-extended as in [`RegMemImm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegImm {
    /// A register.
    Reg(Reg),
    /// A sign-extended immediate.
    Imm(i32),
}

macro_rules! impl_from_reg {
    ($($ty:ident),*) => {$(
        impl From<Reg> for $ty {
            fn from(r: Reg) -> $ty {
                $ty::Reg(r)
            }
        }
        impl From<PReg> for $ty {
            fn from(r: PReg) -> $ty {
                $ty::Reg(r.into())
            }
        }
        impl From<crate::reg::VReg> for $ty {
            fn from(r: crate::reg::VReg) -> $ty {
                $ty::Reg(r.into())
            }
        }
    )*};
}
impl_from_reg!(RegMem, RegMemImm, RegImm);

impl From<Amode> for RegMem {
    fn from(a: Amode) -> RegMem {
        RegMem::Mem(a)
    }
}

impl From<Amode> for RegMemImm {
    fn from(a: Amode) -> RegMemImm {
        RegMemImm::Mem(a)
    }
}

impl From<RegMem> for RegMemImm {
    fn from(rm: RegMem) -> RegMemImm {
        match rm {
            RegMem::Reg(r) => RegMemImm::Reg(r),
            RegMem::Mem(a) => RegMemImm::Mem(a),
        }
    }
}

impl From<i32> for RegMemImm {
    fn from(imm: i32) -> RegMemImm {
        RegMemImm::Imm(imm)
    }
}

impl From<i32> for RegImm {
    fn from(imm: i32) -> RegImm {
        RegImm::Imm(imm)
    }
}

/// A zero- or sign-extension: the source and destination widths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExtMode {
    /// 8 → 16 bits.
    BW,
    /// 8 → 32 bits.
    BL,
    /// 8 → 64 bits.
    BQ,
    /// 16 → 32 bits.
    WL,
    /// 16 → 64 bits.
    WQ,
    /// 32 → 64 bits (`movsxd`; for zero-extension, `mov r32, r/m32`).
    LQ,
}

impl ExtMode {
    /// The extension from `from` to `to`, if `to` is wider.
    pub const fn new(from: Size, to: Size) -> Option<ExtMode> {
        match (from, to) {
            (Size::S8, Size::S16) => Some(ExtMode::BW),
            (Size::S8, Size::S32) => Some(ExtMode::BL),
            (Size::S8, Size::S64) => Some(ExtMode::BQ),
            (Size::S16, Size::S32) => Some(ExtMode::WL),
            (Size::S16, Size::S64) => Some(ExtMode::WQ),
            (Size::S32, Size::S64) => Some(ExtMode::LQ),
            _ => None,
        }
    }

    /// The source width.
    pub const fn from_size(self) -> Size {
        match self {
            ExtMode::BW | ExtMode::BL | ExtMode::BQ => Size::S8,
            ExtMode::WL | ExtMode::WQ => Size::S16,
            ExtMode::LQ => Size::S32,
        }
    }

    /// The destination width.
    pub const fn to_size(self) -> Size {
        match self {
            ExtMode::BW => Size::S16,
            ExtMode::BL | ExtMode::WL => Size::S32,
            ExtMode::BQ | ExtMode::WQ | ExtMode::LQ => Size::S64,
        }
    }
}

/// A shift or rotate count: the `cl` register or an immediate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShiftAmount {
    /// The count in `cl` (an implicit fixed use of `rcx`).
    Cl,
    /// A constant count (the hardware masks it to 5 or 6 bits).
    Imm(u8),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cond_inversion_pairs() {
        for c in Cond::ALL {
            assert_ne!(c, c.invert());
            assert_eq!(c.invert().invert(), c);
            assert_eq!(Cond::from_bits(c.bits()), c);
        }
        assert_eq!(Cond::L.invert(), Cond::GE);
        assert_eq!(Cond::E.invert(), Cond::NE);
        assert_eq!(Cond::A.invert(), Cond::BE);
    }

    #[test]
    #[should_panic(expected = "rsp cannot be an index")]
    fn rsp_index_is_rejected() {
        let _ = Amode::base_index(regs::RAX, regs::RSP, Scale::One, 0);
    }

    #[test]
    fn ext_modes() {
        assert_eq!(ExtMode::new(Size::S16, Size::S64), Some(ExtMode::WQ));
        assert_eq!(ExtMode::new(Size::S32, Size::S32), None);
        assert_eq!(ExtMode::new(Size::S64, Size::S32), None);
        for m in [
            ExtMode::BW,
            ExtMode::BL,
            ExtMode::BQ,
            ExtMode::WL,
            ExtMode::WQ,
            ExtMode::LQ,
        ] {
            assert_eq!(ExtMode::new(m.from_size(), m.to_size()), Some(m));
        }
    }
}
