//! The allocator's internal vocabulary: program points, uses, live ranges,
//! bundles and spill sets. See the crate documentation for how they fit
//! together.

use crate::reg::{PReg, RegClass};

/// "No index" in the `u32` index fields below.
pub(crate) const NONE: u32 = u32::MAX;

/// A program point: `2 * inst` is the instruction's early point (where it
/// reads its inputs), `2 * inst + 1` its late point (where it writes its
/// outputs). Moves happen in the *gap* before an instruction, between the
/// previous instruction's late point and this one's early point.
pub(crate) type Point = u32;

#[inline]
pub(crate) fn early(inst: u32) -> Point {
    2 * inst
}

#[inline]
pub(crate) fn late(inst: u32) -> Point {
    2 * inst + 1
}

#[inline]
pub(crate) fn inst_of(p: Point) -> u32 {
    p / 2
}

/// What a use record asks of the live range that contains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UseKind {
    /// A use that must be in a register at its point.
    RegUse,
    /// A use that may be in a register or a slot.
    AnyUse,
    /// A use that must be in a spill slot.
    StackUse,
    /// A def (also a reuse def) that must be in a register.
    RegDef,
    /// A def that may be in a register or a slot.
    AnyDef,
    /// A def that must be in a spill slot.
    StackDef,
    /// A use satisfied by a copy into this register before the instruction;
    /// only a hint for the range.
    FixedUse(PReg),
    /// A def written to this register and copied to the range after the
    /// instruction; only a hint for the range.
    FixedDef(PReg),
    /// The input of a reuse def, copied into the def's register before the
    /// instruction.
    ReuseInput,
}

impl UseKind {
    /// Whether the operand's allocation is the allocation of the range
    /// holding this use (rather than a fixed register or another operand's).
    #[inline]
    pub(crate) fn takes_range_alloc(self) -> bool {
        matches!(
            self,
            UseKind::RegUse
                | UseKind::AnyUse
                | UseKind::StackUse
                | UseKind::RegDef
                | UseKind::AnyDef
                | UseKind::StackDef
        )
    }

    #[inline]
    pub(crate) fn needs_reg(self) -> bool {
        matches!(self, UseKind::RegUse | UseKind::RegDef)
    }

    #[inline]
    pub(crate) fn needs_stack(self) -> bool {
        matches!(self, UseKind::StackUse | UseKind::StackDef)
    }

    #[inline]
    pub(crate) fn is_def(self) -> bool {
        matches!(
            self,
            UseKind::RegDef | UseKind::AnyDef | UseKind::StackDef | UseKind::FixedDef(_)
        )
    }

    #[inline]
    pub(crate) fn hint(self) -> Option<PReg> {
        match self {
            UseKind::FixedUse(r) | UseKind::FixedDef(r) => Some(r),
            _ => None,
        }
    }
}

/// One operand's demand on its value, at a program point.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Use {
    /// The point at which the value must be in the range's allocation. For
    /// a late use this is the late point (the range covers the early point
    /// too). For fixed uses and reuse inputs, which are satisfied by a copy
    /// in the gap before the instruction, it is the last point before that
    /// gap (or the block's first point).
    pub pos: Point,
    /// The operand's index in the output's allocation array.
    pub operand: u32,
    pub kind: UseKind,
    /// Spill-weight contribution, scaled by loop depth.
    pub weight: u32,
}

/// A maximal interval `[from, to)` of points over which one value lives in
/// one allocation, with the uses it serves.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Range {
    pub from: Point,
    pub to: Point,
    pub vreg: u32,
    pub bundle: u32,
    /// The next range of the same bundle, in point order.
    pub next: u32,
    /// The uses served, `uses[uses_start..uses_end]`, sorted by point.
    pub uses_start: u32,
    pub uses_end: u32,
}

impl Range {
    #[inline]
    pub(crate) fn len(&self) -> u32 {
        self.to - self.from
    }
}

/// Where a bundle ended up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BundleAlloc {
    /// Not (or no longer) allocated.
    None,
    Reg(PReg),
    /// In its spill set's slot.
    Spilled,
}

/// A set of non-overlapping ranges, possibly of several values, that is
/// allocated as a whole.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bundle {
    /// The first and last ranges of the bundle's list (`NONE` if empty).
    pub first: u32,
    pub last: u32,
    pub spill_set: u32,
    pub alloc: BundleAlloc,
    /// Total length in points; larger bundles are allocated first.
    pub size: u32,
    /// Cached spill weight.
    pub weight: u32,
    pub minimal: bool,
    pub needs_reg: bool,
    pub needs_stack: bool,
    /// A register named by a fixed use or def of the bundle.
    pub hint: Option<PReg>,
    /// The register this bundle was split off to fit in.
    pub prefer: Option<PReg>,
}

impl Bundle {
    pub(crate) fn empty(spill_set: u32) -> Bundle {
        Bundle {
            first: NONE,
            last: NONE,
            spill_set,
            alloc: BundleAlloc::None,
            size: 0,
            weight: 0,
            minimal: false,
            needs_reg: false,
            needs_stack: false,
            hint: None,
            prefer: None,
        }
    }
}

/// The bundles that descend from one merged bundle by splitting: they share
/// a spill slot (so spilled pieces need no moves between them), a split
/// count, a register hint and a spill bundle.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SpillSet {
    pub class: RegClass,
    pub splits: u32,
    /// The register last given to one of the set's bundles.
    pub hint: Option<PReg>,
    /// The bundle collecting the pieces of the set that need no register.
    pub spill_bundle: u32,
    /// The spill slot, once assigned.
    pub slot: u32,
}

/// Spill weights of minimal bundles, above every normal weight: a minimal
/// bundle covering both points of its instruction outranks one covering a
/// single point, so that it can evict it (see `process`).
pub(crate) const MINIMAL_WIDE_WEIGHT: u32 = u32::MAX - 1;
pub(crate) const MINIMAL_WEIGHT: u32 = u32::MAX - 2;
pub(crate) const MAX_NORMAL_WEIGHT: u32 = u32::MAX - 3;

/// The spill-weight contribution of a use of `kind` at `loop_depth`.
pub(crate) fn use_weight(kind: UseKind, loop_depth: u32) -> u32 {
    let base: u32 = match kind {
        UseKind::RegUse | UseKind::RegDef => 4,
        UseKind::AnyUse | UseKind::AnyDef => 2,
        UseKind::FixedUse(_) | UseKind::FixedDef(_) | UseKind::ReuseInput => 2,
        UseKind::StackUse | UseKind::StackDef => 1,
    };
    (base * 1000) << (2 * loop_depth.min(7))
}
