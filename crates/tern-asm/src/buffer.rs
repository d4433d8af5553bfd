//! `CodeBuffer`: machine-code bytes plus labels, fixups, relocations, trap
//! sites and a constant pool.

use crate::operand::Cond;
use crate::reloc::{Reloc, RelocTarget};
use crate::trap::{TrapCode, TrapSite};
use std::collections::HashMap;
use std::fmt;

/// A position in the code, created by [`CodeBuffer::new_label`] and bound
/// (at most once) by [`CodeBuffer::bind_label`]. It may be used before or
/// after it is bound. A label belongs to the buffer that created it and is
/// valid until that buffer is cleared.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(u32);

impl Label {
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

const UNBOUND: u32 = u32::MAX;

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

/// One constant-pool entry: `len` bytes at `start` in `CodeBuffer::pool`.
#[derive(Clone, Copy, Debug)]
struct Constant {
    start: u32,
    len: u32,
    align: u32,
    label: Label,
    /// The previous constant with the same content hash (dedup chain).
    same_hash: Option<u32>,
}

/// A label that was used but never bound when the code was finished: a bug
/// in the code generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnboundLabel {
    /// The label.
    pub label: Label,
    /// The code offset of the first field that refers to it.
    pub used_at: u32,
}

impl fmt::Display for UnboundLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "label {:?} used at code offset {:#x} was never bound", self.label, self.used_at)
    }
}

impl std::error::Error for UnboundLabel {}

/// The result of [`CodeBuffer::finish`], borrowed from the buffer so that the
/// buffer keeps its allocations for the next function.
#[derive(Clone, Copy, Debug)]
pub struct FinishedCode<'a> {
    /// The code followed by the constant pool.
    pub code: &'a [u8],
    /// The alignment the code's start address needs (constant-pool entries
    /// are aligned relative to the start).
    pub alignment: u32,
    /// Relocations, sorted by offset.
    pub relocs: &'a [Reloc],
    /// Trap sites, sorted by offset.
    pub traps: &'a [TrapSite],
}

/// Machine code under construction. See the crate docs for the design.
#[derive(Default)]
pub struct CodeBuffer {
    data: Vec<u8>,
    /// Offset of each label, `UNBOUND` until bound.
    labels: Vec<u32>,
    fixups: Vec<Fixup>,
    relocs: Vec<Reloc>,
    traps: Vec<TrapSite>,
    pool: Vec<u8>,
    constants: Vec<Constant>,
    /// Content hash → the newest constant with that hash.
    constant_by_hash: HashMap<u64, u32>,
    finished: bool,
}

impl CodeBuffer {
    /// An empty buffer.
    pub fn new() -> CodeBuffer {
        CodeBuffer::default()
    }

    /// Empties the buffer for the next function, keeping its allocations.
    /// Labels of the previous function become invalid.
    pub fn clear(&mut self) {
        self.data.clear();
        self.labels.clear();
        self.fixups.clear();
        self.relocs.clear();
        self.traps.clear();
        self.pool.clear();
        self.constants.clear();
        self.constant_by_hash.clear();
        self.finished = false;
    }

    /// The offset the next byte will be written at.
    #[inline]
    pub fn cur_offset(&self) -> u32 {
        self.data.len() as u32
    }

    /// The bytes emitted so far (fixups not yet resolved).
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Appends one byte.
    #[inline]
    pub fn put1(&mut self, byte: u8) {
        debug_assert!(!self.finished, "emitting into a finished CodeBuffer; clear() it first");
        self.data.push(byte);
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
        debug_assert!(!self.finished, "emitting into a finished CodeBuffer; clear() it first");
        self.data.extend_from_slice(bytes);
    }

    /// A new, unbound label.
    pub fn new_label(&mut self) -> Label {
        let label = Label(self.labels.len() as u32);
        self.labels.push(UNBOUND);
        label
    }

    /// Binds `label` to the current offset.
    ///
    /// # Panics
    /// If the label is already bound (a code-generator bug).
    pub fn bind_label(&mut self, label: Label) {
        let slot = &mut self.labels[label.0 as usize];
        assert!(*slot == UNBOUND, "label {label:?} bound twice");
        *slot = self.data.len() as u32;
    }

    /// The offset `label` is bound to, if it is bound.
    pub fn label_offset(&self, label: Label) -> Option<u32> {
        match self.labels[label.0 as usize] {
            UNBOUND => None,
            offset => Some(offset),
        }
    }

    /// Records that the instruction about to be emitted (at the current
    /// offset) may trap with `code`.
    pub fn add_trap(&mut self, code: TrapCode) {
        self.traps.push(TrapSite { offset: self.cur_offset(), code });
    }

    /// Records a relocation for the 4-byte field about to be emitted at the
    /// current offset (the caller then emits the field's placeholder).
    pub fn add_reloc(&mut self, target: RelocTarget, addend: i64) {
        self.relocs.push(Reloc { offset: self.cur_offset(), target, addend });
    }

    /// Emits a 4-byte field holding `label + addend - (offset of the field)`,
    /// patched once the label's offset is known.
    pub fn use_label_rel32(&mut self, label: Label, addend: i32) {
        self.fixups.push(Fixup { at: self.cur_offset(), label, kind: FixupKind::PcRel32 { addend } });
        self.put4(0);
    }

    /// Emits one jump-table entry: a 4-byte field holding
    /// `offset(target) - offset(table)`.
    pub fn jump_table_entry(&mut self, table: Label, target: Label) {
        self.fixups.push(Fixup { at: self.cur_offset(), label: target, kind: FixupKind::TableEntry { table } });
        self.put4(0);
    }

    /// Emits `jmp label`.
    pub fn jmp(&mut self, label: Label) {
        self.branch(None, label);
    }

    /// Emits `j<cond> label`.
    pub fn jcc(&mut self, cond: Cond, label: Label) {
        self.branch(Some(cond), label);
    }

    fn branch(&mut self, cond: Option<Cond>, label: Label) {
        let start = self.cur_offset();
        if let Some(target) = self.label_offset(label) {
            // A backward branch: the distance is known, use rel8 if it fits.
            let short_len = 2;
            let rel8 = i64::from(target) - i64::from(start + short_len);
            if crate::encode::fits_i8(rel8) {
                self.put1(match cond {
                    None => 0xeb,
                    Some(c) => 0x70 | c.bits(),
                });
                self.put1(rel8 as u8);
                return;
            }
        }
        match cond {
            None => self.put1(0xe9),
            Some(c) => self.put_bytes(&[0x0f, 0x80 | c.bits()]),
        }
        self.use_label_rel32(label, -4);
    }

    /// Emits single-byte-`nop`-free padding (multi-byte `nop`s) up to a
    /// multiple of `align` (a power of two).
    pub fn align_code(&mut self, align: u32) {
        assert!(align.is_power_of_two(), "alignment must be a power of two");
        let pad = self.cur_offset().wrapping_neg() & (align - 1);
        crate::inst::emit_nops(self, pad);
    }

    /// A label for a read-only constant with `bytes` content, aligned to
    /// `align` (a power of two), placed after the code by `finish`. Identical
    /// constants with the same alignment share one label.
    pub fn constant(&mut self, bytes: &[u8], align: u32) -> Label {
        assert!(align.is_power_of_two(), "alignment must be a power of two");
        let hash = constant_hash(bytes, align);
        let mut next = self.constant_by_hash.get(&hash).copied();
        while let Some(i) = next {
            let c = self.constants[i as usize];
            let content = &self.pool[c.start as usize..(c.start + c.len) as usize];
            if c.align == align && content == bytes {
                return c.label;
            }
            next = c.same_hash;
        }
        let label = self.new_label();
        let index = self.constants.len() as u32;
        self.constants.push(Constant {
            start: self.pool.len() as u32,
            len: bytes.len() as u32,
            align,
            label,
            same_hash: self.constant_by_hash.insert(hash, index),
        });
        self.pool.extend_from_slice(bytes);
        label
    }

    /// Appends the constant pool, resolves every fixup and returns the code.
    /// The buffer must be [`clear`](CodeBuffer::clear)ed before reuse.
    ///
    /// Fails only if a label that is referenced was never bound.
    pub fn finish(&mut self) -> Result<FinishedCode<'_>, UnboundLabel> {
        assert!(!self.finished, "CodeBuffer::finish called twice");
        let mut alignment = 1;
        for i in 0..self.constants.len() {
            let c = self.constants[i];
            alignment = alignment.max(c.align);
            let pad = self.cur_offset().wrapping_neg() & (c.align - 1);
            for _ in 0..pad {
                self.put1(0xcc);
            }
            self.bind_label(c.label);
            self.data.extend_from_slice(&self.pool[c.start as usize..(c.start + c.len) as usize]);
        }
        for f in &self.fixups {
            let resolve = |label: Label| match self.labels[label.0 as usize] {
                UNBOUND => Err(UnboundLabel { label, used_at: f.at }),
                offset => Ok(offset),
            };
            let target = resolve(f.label)?;
            let value = match f.kind {
                FixupKind::PcRel32 { addend } => {
                    (i64::from(target) + i64::from(addend) - i64::from(f.at)) as i32
                }
                FixupKind::TableEntry { table } => (i64::from(target) - i64::from(resolve(table)?)) as i32,
            };
            let at = f.at as usize;
            self.data[at..at + 4].copy_from_slice(&value.to_le_bytes());
        }
        self.finished = true;
        Ok(FinishedCode { code: &self.data, alignment, relocs: &self.relocs, traps: &self.traps })
    }
}

/// FNV-1a over the constant's bytes and alignment.
fn constant_hash(bytes: &[u8], align: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes.iter().chain(&align.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}
