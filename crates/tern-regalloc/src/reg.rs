//! Register classes, physical and virtual registers, register sets, spill
//! slots and allocations: the vocabulary shared by the interface, the
//! allocator and the checker.

use core::fmt;

/// A register class: the kind of register a value lives in.
///
/// The allocator never moves a value between classes, and a spill slot only
/// ever holds values of one class (so a client can size slots per class).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegClass {
    /// General-purpose (integer and pointer) registers.
    Int = 0,
    /// Floating-point / vector registers.
    Float = 1,
}

/// The number of register classes.
pub const NUM_CLASSES: usize = 2;

impl RegClass {
    /// Every class, in index order.
    pub const ALL: [RegClass; NUM_CLASSES] = [RegClass::Int, RegClass::Float];

    /// The dense index of this class (`0..NUM_CLASSES`).
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }

    #[inline]
    pub(crate) const fn from_bit(bit: u32) -> RegClass {
        if bit == 0 {
            RegClass::Int
        } else {
            RegClass::Float
        }
    }
}

/// A physical register: a class and a hardware index within the class.
///
/// The index is whatever numbering the client uses (for x86-64, the
/// hardware encoding); the allocator only compares and stores it. There are
/// at most [`PReg::MAX_INDEX`]` + 1` registers per class.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PReg(u8);

impl PReg {
    /// The largest hardware index a physical register may have.
    pub const MAX_INDEX: usize = 63;
    /// The number of distinct physical registers over all classes.
    pub const NUM: usize = (Self::MAX_INDEX + 1) * NUM_CLASSES;

    /// The register `index` of `class`.
    ///
    /// # Panics
    /// If `index > PReg::MAX_INDEX` (a programming error in the client's
    /// machine description, caught at construction).
    #[inline]
    pub const fn new(class: RegClass, index: usize) -> PReg {
        assert!(index <= Self::MAX_INDEX, "PReg index out of range");
        PReg(((class as u8) << 6) | index as u8)
    }

    /// The register's class.
    #[inline]
    pub const fn class(self) -> RegClass {
        RegClass::from_bit((self.0 >> 6) as u32)
    }

    /// The register's hardware index within its class.
    #[inline]
    pub const fn hw_index(self) -> usize {
        (self.0 & 63) as usize
    }

    /// A dense index over all classes (`0..PReg::NUM`), for tables.
    #[inline]
    pub const fn dense(self) -> usize {
        self.0 as usize
    }

    /// The inverse of [`PReg::dense`].
    #[inline]
    pub(crate) const fn from_dense(index: usize) -> PReg {
        PReg(index as u8)
    }
}

impl fmt::Debug for PReg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for PReg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.class() {
            RegClass::Int => "r",
            RegClass::Float => "f",
        };
        write!(f, "{prefix}{}", self.hw_index())
    }
}

/// A set of physical registers of any classes, as a bitmask.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PRegSet(u128);

impl PRegSet {
    /// The empty set.
    #[inline]
    pub const fn empty() -> PRegSet {
        PRegSet(0)
    }

    /// The set holding exactly the given registers.
    pub fn from_regs(regs: impl IntoIterator<Item = PReg>) -> PRegSet {
        let mut set = PRegSet::empty();
        for reg in regs {
            set.insert(reg);
        }
        set
    }

    /// This set plus `reg`.
    #[inline]
    #[must_use]
    pub const fn with(self, reg: PReg) -> PRegSet {
        PRegSet(self.0 | (1u128 << reg.dense()))
    }

    /// Adds `reg`.
    #[inline]
    pub fn insert(&mut self, reg: PReg) {
        self.0 |= 1u128 << reg.dense();
    }

    /// Removes `reg`.
    #[inline]
    pub fn remove(&mut self, reg: PReg) {
        self.0 &= !(1u128 << reg.dense());
    }

    /// Whether `reg` is in the set.
    #[inline]
    pub const fn contains(self, reg: PReg) -> bool {
        self.0 & (1u128 << reg.dense()) != 0
    }

    /// Whether the set is empty.
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The number of registers in the set.
    #[inline]
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The union of two sets.
    #[inline]
    #[must_use]
    pub const fn union(self, other: PRegSet) -> PRegSet {
        PRegSet(self.0 | other.0)
    }

    /// The intersection of two sets.
    #[inline]
    #[must_use]
    pub const fn intersection(self, other: PRegSet) -> PRegSet {
        PRegSet(self.0 & other.0)
    }

    /// The registers of `self` that are not in `other`.
    #[inline]
    #[must_use]
    pub const fn difference(self, other: PRegSet) -> PRegSet {
        PRegSet(self.0 & !other.0)
    }

    /// The registers in the set, in dense-index order.
    #[inline]
    pub fn iter(self) -> PRegSetIter {
        PRegSetIter(self.0)
    }
}

impl fmt::Debug for PRegSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl FromIterator<PReg> for PRegSet {
    fn from_iter<I: IntoIterator<Item = PReg>>(iter: I) -> PRegSet {
        PRegSet::from_regs(iter)
    }
}

impl IntoIterator for PRegSet {
    type Item = PReg;
    type IntoIter = PRegSetIter;
    fn into_iter(self) -> PRegSetIter {
        self.iter()
    }
}

/// Iterator over a [`PRegSet`].
#[derive(Clone, Debug)]
pub struct PRegSetIter(u128);

impl Iterator for PRegSetIter {
    type Item = PReg;
    #[inline]
    fn next(&mut self) -> Option<PReg> {
        if self.0 == 0 {
            return None;
        }
        let bit = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(PReg::from_dense(bit))
    }
}

/// A virtual register: an SSA value with a register class.
///
/// Indices are dense: a function with `n` virtual registers uses indices
/// `0..n` (not all need to be used).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VReg(u32);

impl VReg {
    /// The largest virtual register index.
    pub const MAX_INDEX: usize = (u32::MAX >> 1) as usize - 1;

    /// Virtual register `index` of class `class`.
    ///
    /// # Panics
    /// If `index > VReg::MAX_INDEX`.
    #[inline]
    pub const fn new(index: usize, class: RegClass) -> VReg {
        assert!(index <= Self::MAX_INDEX, "VReg index out of range");
        VReg(((index as u32) << 1) | class as u32)
    }

    /// The dense index of the virtual register.
    #[inline]
    pub const fn index(self) -> usize {
        (self.0 >> 1) as usize
    }

    /// The register class of the value.
    #[inline]
    pub const fn class(self) -> RegClass {
        RegClass::from_bit(self.0 & 1)
    }
}

impl fmt::Debug for VReg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for VReg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.class() {
            RegClass::Int => "v",
            RegClass::Float => "vf",
        };
        write!(f, "{prefix}{}", self.index())
    }
}

/// A spill slot in the function's frame, numbered densely from 0.
///
/// Each slot holds values of a single register class
/// ([`crate::Output::spill_slot_class`]), so the client can give slots of
/// different classes different sizes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpillSlot(u32);

impl SpillSlot {
    /// Spill slot number `index`.
    #[inline]
    pub const fn new(index: usize) -> SpillSlot {
        SpillSlot(index as u32)
    }

    /// The slot's number.
    #[inline]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Debug for SpillSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for SpillSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "slot{}", self.0)
    }
}

/// Where a value is: a physical register or a spill slot.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Allocation {
    /// In a physical register.
    Reg(PReg),
    /// In a spill slot.
    Stack(SpillSlot),
}

impl Allocation {
    /// The register, if this is one.
    #[inline]
    pub const fn as_reg(self) -> Option<PReg> {
        match self {
            Allocation::Reg(r) => Some(r),
            Allocation::Stack(_) => None,
        }
    }

    /// The spill slot, if this is one.
    #[inline]
    pub const fn as_stack(self) -> Option<SpillSlot> {
        match self {
            Allocation::Stack(s) => Some(s),
            Allocation::Reg(_) => None,
        }
    }

    /// Whether this is a register.
    #[inline]
    pub const fn is_reg(self) -> bool {
        matches!(self, Allocation::Reg(_))
    }

    /// Whether this is a spill slot.
    #[inline]
    pub const fn is_stack(self) -> bool {
        matches!(self, Allocation::Stack(_))
    }
}

impl fmt::Debug for Allocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Allocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Allocation::Reg(r) => write!(f, "{r}"),
            Allocation::Stack(s) => write!(f, "{s}"),
        }
    }
}

/// A basic block, numbered densely in layout order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Block(u32);

impl Block {
    /// Block number `index`.
    #[inline]
    pub const fn new(index: usize) -> Block {
        Block(index as u32)
    }

    /// The block's number.
    #[inline]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Debug for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "block{}", self.0)
    }
}

/// An instruction, numbered densely over the whole function in layout order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Inst(u32);

impl Inst {
    /// Instruction number `index`.
    #[inline]
    pub const fn new(index: usize) -> Inst {
        Inst(index as u32)
    }

    /// The instruction's number.
    #[inline]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Debug for Inst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Inst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "inst{}", self.0)
    }
}

/// A half-open range of instructions `start..end`: the body of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InstRange {
    /// The first instruction.
    pub start: Inst,
    /// One past the last instruction.
    pub end: Inst,
}

impl InstRange {
    /// The instructions `start..end`.
    #[inline]
    pub const fn new(start: Inst, end: Inst) -> InstRange {
        InstRange { start, end }
    }

    /// The number of instructions.
    #[inline]
    pub const fn len(self) -> usize {
        self.end.index().saturating_sub(self.start.index())
    }

    /// Whether the range holds no instruction.
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The last instruction, if any.
    #[inline]
    pub const fn last(self) -> Option<Inst> {
        if self.is_empty() {
            None
        } else {
            Some(Inst::new(self.end.index() - 1))
        }
    }

    /// The instructions in order.
    pub fn iter(self) -> impl DoubleEndedIterator<Item = Inst> + ExactSizeIterator {
        (self.start.index()..self.end.index()).map(Inst::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preg_round_trips_class_and_index() {
        for class in RegClass::ALL {
            for index in [0, 1, 17, PReg::MAX_INDEX] {
                let r = PReg::new(class, index);
                assert_eq!(r.class(), class);
                assert_eq!(r.hw_index(), index);
                assert_eq!(PReg::from_dense(r.dense()), r);
            }
        }
        assert_ne!(PReg::new(RegClass::Int, 3), PReg::new(RegClass::Float, 3));
    }

    #[test]
    fn vreg_round_trips_class_and_index() {
        let v = VReg::new(123_456, RegClass::Float);
        assert_eq!(v.index(), 123_456);
        assert_eq!(v.class(), RegClass::Float);
        assert_eq!(
            VReg::new(VReg::MAX_INDEX, RegClass::Int).index(),
            VReg::MAX_INDEX
        );
    }

    #[test]
    fn preg_set_operations() {
        let a = PReg::new(RegClass::Int, 0);
        let b = PReg::new(RegClass::Int, 63);
        let c = PReg::new(RegClass::Float, 5);
        let mut set = PRegSet::empty().with(a).with(c);
        assert!(set.contains(a) && set.contains(c) && !set.contains(b));
        assert_eq!(set.len(), 2);
        set.insert(b);
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![a, b, c]);
        set.remove(a);
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![b, c]);
        let other = PRegSet::from_regs([b]);
        assert_eq!(set.difference(other).iter().collect::<Vec<_>>(), vec![c]);
        assert_eq!(set.intersection(other), other);
        assert!(PRegSet::empty().is_empty());
    }
}
