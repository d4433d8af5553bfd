//! `CodeBuffer`: machine-code bytes plus labels, fixups, relocations, trap
//! sites, a constant pool, and the branch peepholes done while emitting.
//!
//! The peephole algorithm is described in the crate documentation
//! ("Branch peepholes"); the invariants it relies on are stated on the
//! fields below.

use crate::constants::ConstantPool;
use crate::encode::{RESERVE, Sink, fits_i8};
use crate::labels::LabelTable;
use crate::operand::Cond;
use crate::reloc::{Reloc, RelocTarget};
use crate::trap::{TrapCode, TrapSite};
use std::fmt;

/// A position in the code, created by [`CodeBuffer::new_label`] and bound
/// (at most once) by [`CodeBuffer::bind_label`]. It may be used before or
/// after it is bound. A label belongs to the buffer that created it and is
/// valid until that buffer is cleared.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(u32);

impl Label {
    pub(crate) const fn from_index(index: u32) -> Label {
        Label(index)
    }

    /// The label's number within its buffer.
    pub const fn index(self) -> u32 {
        self.0
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "L{}", self.0)
    }
}

/// A reference to a label still to be patched.
#[derive(Clone, Copy, Debug)]
struct Fixup {
    /// Offset of the 4-byte field.
    at: u32,
    label: Label,
    kind: FixupKind,
}

#[derive(Clone, Copy, Debug)]
enum FixupKind {
    /// `label + addend - at` (PC-relative; the addend folds in the distance
    /// from the field to the end of the instruction).
    PcRel32 { addend: i32 },
    /// `label - table` (a jump-table entry relative to the table start).
    TableEntry { table: Label },
}

/// A `jmp`/`jcc` in the branch chain: the run of branches that ends exactly
/// at the buffer's tail, which the peepholes may still rewrite.
#[derive(Clone, Copy, Debug)]
struct Branch {
    start: u32,
    end: u32,
    target: Label,
    /// `None` for `jmp`.
    cond: Option<Cond>,
    /// Whether the last fixup belongs to this branch (forward rel32 form).
    has_fixup: bool,
    /// A label bound at `start` whose set still resolves to `start`, if any
    /// (`None` also when the labels there were threaded elsewhere).
    labels_at_start: Option<Label>,
}

/// A label that was used but never bound when the code was finished: a bug
/// in the code generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnboundLabel {
    /// The label (or a label it was threaded to, which was never bound).
    pub label: Label,
    /// The code offset of a field that refers to it.
    pub used_at: u32,
}

impl fmt::Display for UnboundLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "label {:?} referenced at code offset {:#x} was never bound (nor the label it jumps to)",
            self.label, self.used_at
        )
    }
}

impl std::error::Error for UnboundLabel {}

/// The result of [`CodeBuffer::finish`], borrowed from the buffer so that the
/// buffer keeps its allocations for the next function.
#[derive(Clone, Copy, Debug)]
pub struct FinishedCode<'a> {
    /// The code followed by the constant pool.
    pub code: &'a [u8],
    /// Where the constant pool starts (equal to `code.len()` if empty).
    pub constants_start: u32,
    /// The alignment the code's start address needs (constant-pool entries
    /// are aligned relative to the start).
    pub alignment: u32,
    /// Relocations, sorted by offset.
    pub relocs: &'a [Reloc],
    /// Trap sites, sorted by offset.
    pub traps: &'a [TrapSite],
}

/// How often each branch peephole fired, and the work spent on them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BranchStats {
    /// Branches to the immediately following code, removed.
    pub removed_jumps_to_next: u64,
    /// `jcc` over `jmp` pairs turned into one inverted `jcc`.
    pub inverted: u64,
    /// Labels at a `jmp` redirected to the jump's target.
    pub threaded: u64,
    /// Branches not emitted because nothing can reach them (they follow a
    /// `jmp` with no label in between).
    pub removed_unreachable: u64,
    /// Iterations of the peephole loop plus label-lookup steps: the work
    /// measure that must stay linear in the number of branches.
    pub work: u64,
}

/// Machine code under construction. See the crate docs for the design.
pub struct CodeBuffer {
    /// The code. Invariant (relied on for soundness by `inst_start`): at
    /// least `RESERVE` bytes of spare capacity after every method returns.
    /// Every method that appends restores it (`ensure_spare`); the others
    /// only shrink `data` or write within it.
    data: Vec<u8>,
    labels: LabelTable,
    /// Label uses to patch at `finish`, in emission order. The fixup of a
    /// forward branch in `chain` is always the last one (anything emitted
    /// after a branch takes it out of the chain).
    fixups: Vec<Fixup>,
    /// The label field of the instruction being encoded (see
    /// `park_label_field`); meaningless between instructions.
    parked_fixup: Fixup,
    relocs: Vec<Reloc>,
    traps: Vec<TrapSite>,
    constants: ConstantPool,
    /// The branch chain: contiguous branches with the last ending at
    /// `tail_offset` when valid. Stale (and cleared lazily) once anything
    /// else has been emitted after it.
    chain: Vec<Branch>,
    /// A label bound at the tail, meaningful only while
    /// `tail_offset == cur_offset()`: all labels bound there are in its set.
    tail_label: Option<Label>,
    tail_offset: u32,
    peepholes: bool,
    stats: BranchStats,
    finished: bool,
}

impl Default for CodeBuffer {
    fn default() -> CodeBuffer {
        CodeBuffer {
            data: Vec::with_capacity(RESERVE),
            labels: LabelTable::default(),
            fixups: Vec::new(),
            parked_fixup: Fixup {
                at: 0,
                label: Label(0),
                kind: FixupKind::PcRel32 { addend: 0 },
            },
            relocs: Vec::new(),
            traps: Vec::new(),
            constants: ConstantPool::default(),
            chain: Vec::new(),
            tail_label: None,
            tail_offset: 0,
            peepholes: true,
            stats: BranchStats::default(),
            finished: false,
        }
    }
}

impl CodeBuffer {
    /// An empty buffer, with branch peepholes enabled.
    pub fn new() -> CodeBuffer {
        CodeBuffer::default()
    }

    /// Turns the branch peepholes on or off (on by default). With them off,
    /// every branch is emitted as written (backward branches still use the
    /// short form when it fits). Takes effect for branches emitted later.
    pub fn set_branch_peepholes(&mut self, enabled: bool) {
        self.peepholes = enabled;
        self.chain.clear();
    }

    /// Empties the buffer for the next function, keeping its allocations.
    /// Labels of the previous function become invalid.
    pub fn clear(&mut self) {
        self.data.clear();
        self.labels.clear();
        self.fixups.clear();
        self.relocs.clear();
        self.traps.clear();
        self.constants.clear();
        self.chain.clear();
        self.tail_label = None;
        self.tail_offset = 0;
        self.stats = BranchStats::default();
        self.finished = false;
    }

    /// The offset the next byte will be written at.
    #[inline]
    pub fn cur_offset(&self) -> u32 {
        self.data.len() as u32
    }

    /// The bytes emitted so far (label fields not yet patched).
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Peephole counters since the last `clear`.
    pub fn branch_stats(&self) -> BranchStats {
        BranchStats {
            work: self.stats.work + self.labels.steps(),
            ..self.stats
        }
    }

    /// Appends one byte.
    #[inline]
    pub fn put1(&mut self, byte: u8) {
        debug_assert!(
            !self.finished,
            "emitting into a finished CodeBuffer; clear() it first"
        );
        self.data.push(byte);
        self.ensure_spare();
    }

    /// Appends a little-endian 16-bit value.
    #[inline]
    pub fn put2(&mut self, value: u16) {
        self.put_bytes(&value.to_le_bytes());
    }

    /// Appends a little-endian 32-bit value.
    #[inline]
    pub fn put4(&mut self, value: u32) {
        self.put_bytes(&value.to_le_bytes());
    }

    /// Appends a little-endian 64-bit value.
    #[inline]
    pub fn put8(&mut self, value: u64) {
        self.put_bytes(&value.to_le_bytes());
    }

    /// Appends bytes.
    #[inline]
    pub fn put_bytes(&mut self, bytes: &[u8]) {
        debug_assert!(
            !self.finished,
            "emitting into a finished CodeBuffer; clear() it first"
        );
        self.data.extend_from_slice(bytes);
        self.ensure_spare();
    }

    /// A pointer to the current end of the code, where an instruction of
    /// up to `RESERVE` bytes can be written into spare capacity.
    ///
    /// No check and no call: `data` always has at least `RESERVE` bytes of
    /// spare capacity (the invariant every method that appends restores,
    /// see `ensure_spare`), which keeps the encoders free of calls in their
    /// common path, and so free of callee-saved registers to save.
    #[inline(always)]
    pub(crate) fn inst_start(&mut self) -> *mut u8 {
        debug_assert!(
            !self.finished,
            "emitting into a finished CodeBuffer; clear() it first"
        );
        debug_assert!(self.data.capacity() - self.data.len() >= RESERVE);
        // `as_mut_ptr` does not create a reference to the elements, so the
        // pointer stays usable for the spare capacity (see `Vec::as_mut_ptr`).
        self.data.as_mut_ptr().wrapping_add(self.data.len())
    }

    /// Holds the label field of the instruction being encoded until
    /// `commit_inst` records it (plain stores: no call in the encoders).
    #[inline(always)]
    pub(crate) fn park_label_field(&mut self, at: u32, label: Label, addend: i32) {
        self.parked_fixup = Fixup {
            at,
            label,
            kind: FixupKind::PcRel32 { addend },
        };
    }

    /// Appends the `len` bytes written at the pointer `inst_start`
    /// returned and records the instruction's parked label field (if
    /// `has_label_field`), then restores
    /// the spare-capacity invariant. Both are rare (the capacity doubles
    /// when it grows), so they are one cold, out-of-line tail call.
    ///
    /// # Safety
    /// `len` must not exceed `RESERVE`, no other method may have modified
    /// the bytes since `inst_start`, and the `len` bytes must have been
    /// written.
    #[inline(always)]
    pub(crate) unsafe fn commit_inst(&mut self, len: usize, has_label_field: bool) {
        // SAFETY: `inst_start` pointed at the end of `data`, which has
        // `RESERVE` bytes of spare capacity (the invariant of `data`); the
        // caller guarantees the first `len <= RESERVE` of them were written.
        unsafe { self.data.set_len(self.data.len() + len) };
        if has_label_field || self.data.capacity() - self.data.len() < RESERVE {
            self.finish_inst_slow(has_label_field);
        }
    }

    /// The rare end of an instruction: record its label field, regrow.
    #[cold]
    #[inline(never)]
    fn finish_inst_slow(&mut self, has_label_field: bool) {
        if has_label_field {
            self.fixups.push(self.parked_fixup);
        }
        self.ensure_spare();
    }

    /// Restores "at least `RESERVE` bytes of spare capacity" after the
    /// code grew.
    #[inline(always)]
    fn ensure_spare(&mut self) {
        if self.data.capacity() - self.data.len() < RESERVE {
            self.grow_spare();
        }
    }

    #[cold]
    #[inline(never)]
    fn grow_spare(&mut self) {
        self.data.reserve(RESERVE);
    }

    /// A new, unbound label.
    pub fn new_label(&mut self) -> Label {
        self.labels.create()
    }

    /// Binds `label` to the current offset, then applies the branch
    /// peepholes that the new label enables.
    ///
    /// # Panics
    /// If the label is already bound (a code-generator bug).
    pub fn bind_label(&mut self, label: Label) {
        let here = self.cur_offset();
        // The common cases, with no label bound here yet: no branch ends
        // here (a label after straight-line code), or the one branch that
        // does cannot be rewritten (the label after a block's closing
        // `jmp` elsewhere: no jump to next, and inversion needs two
        // branches). One node write, no call: the peephole loop and
        // union-find walks are out of line.
        if self.labels_here().is_none() {
            let chain_ends_here = self.chain.last().is_some_and(|b| b.end == here);
            let no_peephole = !chain_ends_here
                || (self.peepholes
                    && self.chain.len() == 1
                    && self.chain[0].target != label
                    && self
                        .labels
                        .root_offset(self.chain[0].target)
                        .is_some_and(|t| t != Some(here)));
            if no_peephole && self.labels.bind_if_root(label, here) {
                if chain_ends_here {
                    // The one iteration of the peephole loop this stands
                    // for (see `BranchStats::work`).
                    self.stats.work += 1;
                } else {
                    self.chain.clear();
                }
                self.tail_label = Some(label);
                self.tail_offset = here;
                return;
            }
        }
        self.bind_label_slow(label);
    }

    /// `bind_label` when labels merge or a branch peephole may apply.
    #[inline(never)]
    fn bind_label_slow(&mut self, label: Label) {
        let here = self.cur_offset();
        match self.labels_here() {
            Some(existing) => {
                // Keep the existing set's offset: both are `here`.
                self.labels.mark_bound(label);
                self.labels.union_into(label, existing);
            }
            None => self.labels.bind(label, here),
        }
        self.tail_label = Some(label);
        self.tail_offset = here;
        // Only a branch ending here can be rewritten; a chain that ends
        // earlier is stale, so the peephole loop is not even entered.
        if self.chain.last().is_some_and(|b| b.end == here) {
            if self.peepholes {
                self.optimize_tail();
            }
        } else {
            self.chain.clear();
        }
    }

    /// The offset `label` resolves to, if it is bound. A label bound at a
    /// `jmp` that was threaded resolves to the jump's target. While a label
    /// is bound at the tail of the buffer, the peepholes may still move it
    /// back (when they delete a branch before it); offsets are final after
    /// `finish`. Label uses should go through fixups, never through
    /// displacements computed from this.
    pub fn label_offset(&self, label: Label) -> Option<u32> {
        self.labels.offset_const(label)
    }

    /// Records that the instruction about to be emitted (at the current
    /// offset) may trap with `code`. Call it immediately before emitting that
    /// instruction: the site is its first byte, the faulting PC.
    pub fn add_trap(&mut self, code: TrapCode) {
        // Branches before this point must not be removed any more: the trap
        // site would end up beyond the code's end.
        self.chain.clear();
        self.traps.push(TrapSite {
            offset: self.cur_offset(),
            code,
        });
    }

    /// Records a relocation for the 4-byte field about to be emitted at the
    /// current offset (the caller then emits the field's placeholder).
    pub fn add_reloc(&mut self, target: RelocTarget, addend: i64) {
        self.add_reloc_at(self.cur_offset(), target, addend);
    }

    /// Records a relocation for the 4-byte field at `at`, at or after the
    /// current offset (written by the instruction being encoded).
    pub(crate) fn add_reloc_at(&mut self, at: u32, target: RelocTarget, addend: i64) {
        self.chain.clear();
        self.relocs.push(Reloc {
            offset: at,
            target,
            addend,
        });
    }

    /// Emits a 4-byte field holding `label + addend - (offset of the field)`,
    /// patched at `finish`.
    pub fn use_label_rel32(&mut self, label: Label, addend: i32) {
        self.add_fixup_rel32(self.cur_offset(), label, addend);
        self.put4(0);
    }

    /// Records that the 4-byte field at `at` (at or after the current
    /// offset, written by the instruction being encoded) holds
    /// `label + addend - at`.
    #[inline]
    pub(crate) fn add_fixup_rel32(&mut self, at: u32, label: Label, addend: i32) {
        self.fixups.push(Fixup {
            at,
            label,
            kind: FixupKind::PcRel32 { addend },
        });
    }

    /// Emits one jump-table entry: a 4-byte field holding
    /// `offset(target) - offset(table)`, patched at `finish`.
    pub fn jump_table_entry(&mut self, table: Label, target: Label) {
        self.fixups.push(Fixup {
            at: self.cur_offset(),
            label: target,
            kind: FixupKind::TableEntry { table },
        });
        self.put4(0);
    }

    /// Overwrites the 32-bit little-endian field at offset `at` with
    /// `value`: for fields known only later, such as the frame size in a
    /// prologue's `sub rsp, imm32` or a stack-limit displacement. Emit the
    /// instruction with a placeholder that forces the 32-bit form (an
    /// immediate or displacement that does not fit 8 bits), note where its
    /// field is (e.g. `cur_offset() - 4` after an instruction that ends
    /// with it), keep emitting, and patch any time before `finish`.
    ///
    /// The contract, and why it is safe under the branch peepholes: the
    /// peepholes only ever delete or rewrite the `jmp`/`jcc` instructions
    /// at the very end of the code, so any byte followed by a non-branch
    /// instruction (or by a trap site or relocation) stays where it is.
    /// The field must be such a byte range, and must not be a label field
    /// (written by `finish`) or a relocated field (written by the loader).
    ///
    /// # Panics
    /// If the field is not inside the code emitted so far, lies in the
    /// trailing branches the peepholes may still change, overlaps a label
    /// or relocation field, or the buffer is finished: all code-generator
    /// bugs.
    pub fn patch_u32(&mut self, at: u32, value: u32) {
        assert!(!self.finished, "patch_u32 after finish");
        let end = at.checked_add(4).expect("patch offset overflows");
        assert!(
            end <= self.stable_end(),
            "patch_u32 at {at:#x}: beyond the code that can no longer move (ends at {:#x})",
            self.stable_end()
        );
        let first_fixup = self.fixups.partition_point(|f| f.at + 4 <= at);
        assert!(
            self.fixups.get(first_fixup).is_none_or(|f| f.at >= end),
            "patch_u32 at {at:#x} overlaps a label field"
        );
        let first_reloc = self.relocs.partition_point(|r| r.offset + 4 <= at);
        assert!(
            self.relocs.get(first_reloc).is_none_or(|r| r.offset >= end),
            "patch_u32 at {at:#x} overlaps a relocation"
        );
        self.data[at as usize..end as usize].copy_from_slice(&value.to_le_bytes());
    }

    /// The end of the code that no peephole can move or delete any more:
    /// the start of the branch chain if it ends at the tail, else the tail.
    fn stable_end(&self) -> u32 {
        let here = self.cur_offset();
        match (self.chain.first(), self.chain.last()) {
            (Some(first), Some(last)) if last.end == here => first.start,
            _ => here,
        }
    }

    /// Emits `jmp label` (subject to the branch peepholes).
    pub fn jmp(&mut self, label: Label) {
        self.branch(None, label);
    }

    /// Emits `j<cond> label` (subject to the branch peepholes).
    pub fn jcc(&mut self, cond: Cond, label: Label) {
        self.branch(Some(cond), label);
    }

    /// Emits multi-byte `nop`s up to a multiple of `align` (a power of two).
    pub fn align_code(&mut self, align: u32) {
        assert!(align.is_power_of_two(), "alignment must be a power of two");
        let pad = self.cur_offset().wrapping_neg() & (align - 1);
        crate::forms::nops(self, pad);
    }

    /// A label for a read-only constant with `bytes` content, aligned to
    /// `align` (a power of two), placed after the code by `finish`. Identical
    /// constants with the same alignment share one label.
    pub fn constant(&mut self, bytes: &[u8], align: u32) -> Label {
        assert!(align.is_power_of_two(), "alignment must be a power of two");
        let labels = &mut self.labels;
        self.constants.intern(bytes, align, || labels.create())
    }

    /// Appends the constant pool, resolves every label use and returns the
    /// code. The buffer must be [`clear`](CodeBuffer::clear)ed before reuse.
    ///
    /// Fails only if a referenced label was never bound.
    pub fn finish(&mut self) -> Result<FinishedCode<'_>, UnboundLabel> {
        assert!(!self.finished, "CodeBuffer::finish called twice");
        self.chain.clear();
        let constants_start = self.cur_offset();
        for (label, align, bytes) in self.constants.entries() {
            let pad = (self.data.len() as u32).wrapping_neg() & (align - 1);
            self.data.resize(self.data.len() + pad as usize, 0xcc);
            self.labels.set_offset(label, self.data.len() as u32);
            self.data.extend_from_slice(bytes);
        }
        self.ensure_spare();
        for i in 0..self.fixups.len() {
            let f = self.fixups[i];
            let unbound = UnboundLabel {
                label: f.label,
                used_at: f.at,
            };
            let target = i64::from(self.labels.offset(f.label).ok_or(unbound)?);
            let value = match f.kind {
                FixupKind::PcRel32 { addend } => target + i64::from(addend) - i64::from(f.at),
                FixupKind::TableEntry { table } => {
                    let unbound = UnboundLabel {
                        label: table,
                        used_at: f.at,
                    };
                    target - i64::from(self.labels.offset(table).ok_or(unbound)?)
                }
            };
            let at = f.at as usize;
            self.data[at..at + 4].copy_from_slice(&(value as i32).to_le_bytes());
        }
        self.finished = true;
        Ok(FinishedCode {
            code: &self.data,
            constants_start,
            alignment: self.constants.max_align(),
            relocs: &self.relocs,
            traps: &self.traps,
        })
    }

    /// A label bound at the current offset, if any.
    #[inline]
    fn labels_here(&self) -> Option<Label> {
        if self.tail_offset == self.cur_offset() {
            self.tail_label
        } else {
            None
        }
    }

    /// Emits a branch through the peepholes.
    ///
    /// The common case, a branch after ordinary code with no label bound
    /// before it, takes a fast path that makes no call (the encoders' rule,
    /// see `encode.rs`): the fixup and chain records are pushed only when
    /// their vectors have room, and everything else goes to `branch_slow`.
    /// Inlined into `jmp` and `jcc`, so that each has its own copy with
    /// the condition's presence (`jmp` or not) folded into the opcode
    /// choice.
    #[inline(always)]
    fn branch(&mut self, cond: Option<Cond>, target: Label) {
        let start = self.cur_offset();
        // A target that is not the root of its set (threaded or merged)
        // needs a union-find walk: the slow path.
        let Some(known) = self.labels.root_offset(target) else {
            return self.branch_slow(cond, target);
        };
        if !self.peepholes
            || self.labels_here().is_some()
            || self.chain.last().is_some_and(|b| b.end == start)
        {
            return self.branch_slow(cond, target);
        }
        let known = known.filter(|&t| t <= start);
        let (bytes, len) = branch_bytes(cond, start, known);
        let has_fixup = known.is_none();
        // Each record is pushed only when its vector has room, checked
        // right before its push with no store in between, so that the
        // compiler drops `Vec::push`'s grow call (a call anywhere costs
        // every path the callee-saved register saves). When there is no
        // room, the slow path starts over: the chain was stale anyway.
        // The stale chain ends before `start`: this branch starts a new one.
        self.chain.clear();
        if self.chain.capacity() == 0 {
            return self.branch_slow(cond, target);
        }
        self.chain.push(Branch {
            start,
            end: start + len,
            target,
            cond,
            has_fixup,
            labels_at_start: None,
        });
        if has_fixup {
            if self.fixups.len() == self.fixups.capacity() {
                self.chain.clear();
                return self.branch_slow(cond, target);
            }
            self.add_fixup_rel32(start + len - 4, target, -4);
        }
        self.put_branch(bytes, len);
    }

    /// `branch` when a peephole may apply or a record must grow its vector.
    #[inline(never)]
    fn branch_slow(&mut self, cond: Option<Cond>, target: Label) {
        let start = self.cur_offset();
        if !self.peepholes {
            self.encode_branch(cond, target);
            return;
        }
        if self.chain.last().is_some_and(|b| b.end != start) {
            self.chain.clear();
        }
        let mut labels_at_start = self.labels_here();
        if let (None, Some(here)) = (cond, labels_at_start) {
            // Jump threading: whoever jumps here may as well jump to
            // `target`. Not for a jump to itself (`here: jmp here`).
            if !self.labels.same_set(here, target) {
                self.labels.union_into(here, target);
                self.stats.threaded += 1;
                labels_at_start = None;
                self.tail_label = None;
            }
        }
        if labels_at_start.is_none() && self.chain.last().is_some_and(|b| b.cond.is_none()) {
            // Straight after a `jmp`, with no label to reach it: dead.
            self.stats.removed_unreachable += 1;
            return;
        }
        let has_fixup = self.encode_branch(cond, target);
        self.chain.push(Branch {
            start,
            end: self.cur_offset(),
            target,
            cond,
            has_fixup,
            labels_at_start,
        });
    }

    /// Encodes a branch (see [`branch_bytes`]), with a fixup if the target
    /// is ahead. Returns whether a fixup was recorded.
    fn encode_branch(&mut self, cond: Option<Cond>, target: Label) -> bool {
        let start = self.cur_offset();
        let known = self.labels.offset(target).filter(|&t| t <= start);
        let (bytes, len) = branch_bytes(cond, start, known);
        let has_fixup = known.is_none();
        if has_fixup {
            self.add_fixup_rel32(start + len - 4, target, -4);
        }
        self.put_branch(bytes, len);
        has_fixup
    }

    /// Appends a branch's bytes (up to 8) as one instruction.
    #[inline(always)]
    fn put_branch(&mut self, bytes: u64, len: u32) {
        let mut s = Sink::new(self);
        s.put_first(bytes.to_le_bytes(), len as usize);
        s.finish();
    }

    /// Applies the peepholes at the tail until none applies. Every iteration
    /// removes at least one branch from the chain, so the total work is
    /// bounded by the number of branches emitted.
    fn optimize_tail(&mut self) {
        loop {
            self.stats.work += 1;
            let here = self.cur_offset();
            let Some(&last) = self.chain.last() else {
                return;
            };
            if last.end != here {
                self.chain.clear();
                return;
            }
            if self.labels.offset(last.target) == Some(here) {
                self.truncate_last();
                self.stats.removed_jumps_to_next += 1;
                continue;
            }
            let [.., prev, _] = self.chain[..] else {
                return;
            };
            let Some(prev_cond) = prev.cond else { return };
            if last.cond.is_none()
                && last.labels_at_start.is_none()
                && prev.end == last.start
                && self.labels.offset(prev.target) == Some(here)
            {
                // `jcc over; jmp target; over:` becomes `j!cc target; over:`.
                self.truncate_last();
                self.retarget_last(prev_cond.invert(), last.target);
                self.stats.inverted += 1;
                continue;
            }
            return;
        }
    }

    /// Removes the last branch of the chain, which ends at the tail. Labels
    /// bound after it move back to its start, joining any bound before it.
    fn truncate_last(&mut self) {
        let b = self.chain.pop().expect("branch chain is empty");
        debug_assert_eq!(b.end, self.cur_offset());
        let after = self.labels_here();
        self.data.truncate(b.start as usize);
        if b.has_fixup {
            let f = self.fixups.pop();
            debug_assert!(
                f.is_some_and(|f| f.at + 4 == b.end),
                "the last fixup is not this branch's"
            );
        }
        self.tail_label = match (b.labels_at_start, after) {
            (Some(before), Some(after)) => {
                self.labels.union_into(after, before);
                Some(before)
            }
            (Some(before), None) => Some(before),
            (None, Some(after)) => {
                self.labels.set_offset(after, b.start);
                Some(after)
            }
            (None, None) => None,
        };
        self.tail_offset = b.start;
    }

    /// Re-encodes the last branch of the chain as `j<cond> target`, keeping
    /// the labels bound after it at its (possibly moved) end.
    fn retarget_last(&mut self, cond: Cond, target: Label) {
        let b = self.chain.pop().expect("branch chain is empty");
        debug_assert_eq!(b.end, self.cur_offset());
        let after = self.labels_here();
        self.data.truncate(b.start as usize);
        if b.has_fixup {
            self.fixups.pop();
        }
        let has_fixup = self.encode_branch(Some(cond), target);
        let end = self.cur_offset();
        self.chain.push(Branch {
            start: b.start,
            end,
            target,
            cond: Some(cond),
            has_fixup,
            ..b
        });
        if let Some(after) = after {
            self.labels.set_offset(after, end);
        }
        self.tail_label = after;
        self.tail_offset = end;
    }
}

/// The bytes (little-endian, up to 8) and length of `j<cond>` (`jmp` for
/// `None`) at offset `start` to `known`, the target's offset if it is
/// bound at or before `start`: the short form when the target is known
/// and within reach, otherwise the rel32 form (with a placeholder
/// displacement for a target ahead, patched at `finish`).
#[inline(always)]
fn branch_bytes(cond: Option<Cond>, start: u32, known: Option<u32>) -> (u64, u32) {
    match known {
        Some(t) if fits_i8(i64::from(t) - i64::from(start + 2)) => {
            let opcode = match cond {
                None => 0xeb,
                Some(c) => 0x70 | c.bits(),
            };
            let rel8 = t.wrapping_sub(start + 2) as u8;
            (u64::from(u16::from_le_bytes([opcode, rel8])), 2)
        }
        _ => {
            // `e9 rel32` or `0f 8x rel32`.
            let (opcode, opcode_len) = match cond {
                None => (0xe9, 1),
                Some(c) => (u16::from_le_bytes([0x0f, 0x80 | c.bits()]), 2),
            };
            let rel32 = known.map_or(0, |t| t.wrapping_sub(start + opcode_len + 4));
            let bytes = u64::from(opcode) | (u64::from(rel32) << (8 * opcode_len));
            (bytes, opcode_len + 4)
        }
    }
}
