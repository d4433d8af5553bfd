//! Registers: physical (`PReg`), virtual (`VReg`), either (`Reg`), and sets of
//! physical registers (`PRegSet`).
//!
//! All of them are small `Copy` values so that instructions holding them stay
//! cheap to build, copy and rewrite. A `Reg` is one `u32`:
//!
//! ```text
//! bit 31      bit 30        bits 0..30
//! virtual?    class=Float?  hardware encoding (physical) or index (virtual)
//! ```

use std::fmt;

/// The class of a register: general-purpose integer or SSE (`xmm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegClass {
    /// General-purpose registers `rax`…`r15`.
    Int,
    /// SSE registers `xmm0`…`xmm15`.
    Float,
}

/// A physical register: a class plus its hardware encoding (0..16).
///
/// `index()` numbers the 32 physical registers 0..32 (integer registers first,
/// then `xmm`), which is the bit position used by [`PRegSet`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PReg(u8);

impl PReg {
    /// The number of physical registers (`PReg::index()` is below this).
    pub const NUM: usize = 32;

    /// The physical register of `class` with hardware encoding `hw_enc`.
    ///
    /// # Panics
    /// If `hw_enc >= 16`.
    pub const fn new(class: RegClass, hw_enc: u8) -> PReg {
        assert!(hw_enc < 16, "x86-64 has 16 registers per class");
        match class {
            RegClass::Int => PReg(hw_enc),
            RegClass::Float => PReg(16 | hw_enc),
        }
    }

    /// The register with dense index `index` (the inverse of [`PReg::index`]).
    ///
    /// # Panics
    /// If `index >= 32`.
    pub const fn from_index(index: usize) -> PReg {
        assert!(index < PReg::NUM, "physical register index out of range");
        PReg(index as u8)
    }

    /// The register class.
    pub const fn class(self) -> RegClass {
        if self.0 & 16 == 0 {
            RegClass::Int
        } else {
            RegClass::Float
        }
    }

    /// The 4-bit hardware encoding (bit 3 goes into a REX prefix).
    pub const fn hw_enc(self) -> u8 {
        self.0 & 15
    }

    /// Dense index 0..32: integer registers 0..16, `xmm` registers 16..32.
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// The register's name at `size` (integer) or `xmmN` (float).
    pub fn name(self, size: crate::Size) -> &'static str {
        const Q: [&str; 16] = [
            "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11",
            "r12", "r13", "r14", "r15",
        ];
        const D: [&str; 16] = [
            "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d",
            "r12d", "r13d", "r14d", "r15d",
        ];
        const W: [&str; 16] = [
            "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w",
            "r13w", "r14w", "r15w",
        ];
        const B: [&str; 16] = [
            "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b",
            "r12b", "r13b", "r14b", "r15b",
        ];
        const X: [&str; 16] = [
            "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
            "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
        ];
        let enc = self.hw_enc() as usize;
        match self.class() {
            RegClass::Float => X[enc],
            RegClass::Int => match size {
                crate::Size::S8 => B[enc],
                crate::Size::S16 => W[enc],
                crate::Size::S32 => D[enc],
                crate::Size::S64 => Q[enc],
            },
        }
    }
}

impl fmt::Debug for PReg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name(crate::Size::S64))
    }
}

impl fmt::Display for PReg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name(crate::Size::S64))
    }
}

/// Named physical registers.
pub mod regs {
    use super::{PReg, RegClass};

    macro_rules! define_regs {
        ($class:ident: $($name:ident = $enc:expr),* $(,)?) => {
            $(
                #[doc = concat!("The physical register `", stringify!($name), "`.")]
                pub const $name: PReg = PReg::new(RegClass::$class, $enc);
            )*
        };
    }

    define_regs!(Int: RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
        R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15);
    define_regs!(Float: XMM0 = 0, XMM1 = 1, XMM2 = 2, XMM3 = 3, XMM4 = 4, XMM5 = 5, XMM6 = 6,
        XMM7 = 7, XMM8 = 8, XMM9 = 9, XMM10 = 10, XMM11 = 11, XMM12 = 12, XMM13 = 13,
        XMM14 = 14, XMM15 = 15);
}

/// A virtual register: a class plus an index, to be replaced by a physical
/// register before emission.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VReg(u32);

impl VReg {
    /// The largest virtual register index (indices use 30 bits).
    pub const MAX_INDEX: u32 = (1 << 30) - 1;

    /// The virtual register of `class` numbered `index`.
    ///
    /// # Panics
    /// If `index > VReg::MAX_INDEX`.
    pub const fn new(class: RegClass, index: u32) -> VReg {
        assert!(index <= VReg::MAX_INDEX, "virtual register index too large");
        match class {
            RegClass::Int => VReg(index),
            RegClass::Float => VReg(index | Reg::FLOAT_BIT),
        }
    }

    /// The register class.
    pub const fn class(self) -> RegClass {
        if self.0 & Reg::FLOAT_BIT == 0 {
            RegClass::Int
        } else {
            RegClass::Float
        }
    }

    /// The index within its class.
    pub const fn index(self) -> u32 {
        self.0 & VReg::MAX_INDEX
    }
}

impl fmt::Debug for VReg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.class() {
            RegClass::Int => write!(f, "v{}i", self.index()),
            RegClass::Float => write!(f, "v{}f", self.index()),
        }
    }
}

/// A register operand: physical or virtual. One `u32` (see the module docs).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(u32);

impl Reg {
    const VIRTUAL_BIT: u32 = 1 << 31;
    const FLOAT_BIT: u32 = 1 << 30;

    /// Whether this is a virtual register.
    pub const fn is_virtual(self) -> bool {
        self.0 & Reg::VIRTUAL_BIT != 0
    }

    /// The register class.
    pub const fn class(self) -> RegClass {
        if self.0 & Reg::FLOAT_BIT == 0 {
            RegClass::Int
        } else {
            RegClass::Float
        }
    }

    /// The physical register, if this is one.
    pub const fn to_preg(self) -> Option<PReg> {
        if self.is_virtual() {
            None
        } else {
            Some(PReg::new(self.class(), (self.0 & 15) as u8))
        }
    }

    /// The virtual register, if this is one.
    pub const fn to_vreg(self) -> Option<VReg> {
        if self.is_virtual() {
            Some(VReg(self.0 & !Reg::VIRTUAL_BIT))
        } else {
            None
        }
    }

    /// The raw 32-bit representation (stable within one build only).
    pub const fn bits(self) -> u32 {
        self.0
    }
}

impl From<PReg> for Reg {
    fn from(p: PReg) -> Reg {
        let class_bit = match p.class() {
            RegClass::Int => 0,
            RegClass::Float => Reg::FLOAT_BIT,
        };
        Reg(class_bit | p.hw_enc() as u32)
    }
}

impl From<VReg> for Reg {
    fn from(v: VReg) -> Reg {
        Reg(v.0 | Reg::VIRTUAL_BIT)
    }
}

impl fmt::Debug for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.to_preg(), self.to_vreg()) {
            (Some(p), _) => fmt::Debug::fmt(&p, f),
            (_, Some(v)) => fmt::Debug::fmt(&v, f),
            (None, None) => unreachable!("a Reg is either physical or virtual"),
        }
    }
}

/// A set of physical registers: a bitmask indexed by [`PReg::index`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PRegSet(u32);

impl PRegSet {
    /// The empty set.
    pub const fn empty() -> PRegSet {
        PRegSet(0)
    }

    /// The set holding exactly `regs`.
    pub const fn of(regs: &[PReg]) -> PRegSet {
        let mut set = PRegSet::empty();
        let mut i = 0;
        while i < regs.len() {
            set = set.with(regs[i]);
            i += 1;
        }
        set
    }

    /// This set plus `reg` (usable in `const` contexts).
    pub const fn with(self, reg: PReg) -> PRegSet {
        PRegSet(self.0 | 1 << reg.index())
    }

    /// This set minus `reg` (usable in `const` contexts).
    pub const fn without(self, reg: PReg) -> PRegSet {
        PRegSet(self.0 & !(1 << reg.index()))
    }

    /// Adds `reg`.
    pub fn insert(&mut self, reg: PReg) {
        *self = self.with(reg);
    }

    /// Removes `reg`.
    pub fn remove(&mut self, reg: PReg) {
        *self = self.without(reg);
    }

    /// Whether `reg` is in the set.
    pub const fn contains(self, reg: PReg) -> bool {
        self.0 & (1 << reg.index()) != 0
    }

    /// The registers in either set.
    pub const fn union(self, other: PRegSet) -> PRegSet {
        PRegSet(self.0 | other.0)
    }

    /// The registers in both sets.
    pub const fn intersection(self, other: PRegSet) -> PRegSet {
        PRegSet(self.0 & other.0)
    }

    /// The registers in `self` but not in `other`.
    pub const fn difference(self, other: PRegSet) -> PRegSet {
        PRegSet(self.0 & !other.0)
    }

    /// The number of registers in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The registers in the set, in increasing [`PReg::index`] order.
    pub fn iter(self) -> PRegSetIter {
        PRegSetIter(self.0)
    }

    /// The raw bitmask (bit `i` is the register with index `i`).
    pub const fn bits(self) -> u32 {
        self.0
    }
}

impl fmt::Debug for PRegSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl FromIterator<PReg> for PRegSet {
    fn from_iter<I: IntoIterator<Item = PReg>>(iter: I) -> PRegSet {
        let mut set = PRegSet::empty();
        for reg in iter {
            set.insert(reg);
        }
        set
    }
}

impl IntoIterator for PRegSet {
    type Item = PReg;
    type IntoIter = PRegSetIter;
    fn into_iter(self) -> PRegSetIter {
        self.iter()
    }
}

/// Iterator over a [`PRegSet`], lowest index first.
#[derive(Clone, Debug)]
pub struct PRegSetIter(u32);

impl Iterator for PRegSetIter {
    type Item = PReg;
    fn next(&mut self) -> Option<PReg> {
        if self.0 == 0 {
            return None;
        }
        let index = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(PReg::from_index(index))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.0.count_ones() as usize;
        (n, Some(n))
    }
}

impl ExactSizeIterator for PRegSetIter {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reg_round_trips() {
        for i in 0..PReg::NUM {
            let p = PReg::from_index(i);
            let r = Reg::from(p);
            assert!(!r.is_virtual());
            assert_eq!(r.to_preg(), Some(p));
            assert_eq!(r.class(), p.class());
            assert_eq!(p.index(), i);
        }
        let v = VReg::new(RegClass::Float, VReg::MAX_INDEX);
        let r = Reg::from(v);
        assert!(r.is_virtual());
        assert_eq!(r.to_vreg(), Some(v));
        assert_eq!(r.to_preg(), None);
        assert_eq!(r.class(), RegClass::Float);
        assert_eq!(v.index(), VReg::MAX_INDEX);
        assert_ne!(Reg::from(VReg::new(RegClass::Int, 0)), Reg::from(regs::RAX));
    }

    #[test]
    fn preg_set_operations() {
        const CALLER_SAVED: PRegSet = PRegSet::of(&[regs::RAX, regs::RCX, regs::XMM15]);
        assert_eq!(CALLER_SAVED.len(), 3);
        assert!(CALLER_SAVED.contains(regs::XMM15));
        assert!(!CALLER_SAVED.contains(regs::R15));
        let mut s = CALLER_SAVED;
        s.remove(regs::RCX);
        s.insert(regs::R12);
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![regs::RAX, regs::R12, regs::XMM15]
        );
        assert_eq!(s.union(CALLER_SAVED).len(), 4);
        assert_eq!(s.intersection(CALLER_SAVED).len(), 2);
        assert_eq!(
            s.difference(CALLER_SAVED).iter().collect::<Vec<_>>(),
            vec![regs::R12]
        );
        assert!(PRegSet::empty().is_empty());
    }
}
