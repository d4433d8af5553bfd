//! The constant pool: read-only data (float constants, masks) placed after a
//! function's code and reached with RIP-relative addresses.
//!
//! Identical constants with the same alignment share one entry. Lookup is a
//! hash of the bytes into a map from hash to the newest entry, with entries
//! chained by hash, so interning costs O(length) and no allocation per
//! constant (the bytes live in one shared vector); `clear` keeps capacity.

use crate::buffer::Label;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug)]
struct Entry {
    start: u32,
    len: u32,
    align: u32,
    label: Label,
    /// The previous entry with the same hash.
    same_hash: Option<u32>,
}

#[derive(Default)]
pub(crate) struct ConstantPool {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    newest_by_hash: HashMap<u64, u32>,
}

impl ConstantPool {
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.entries.clear();
        self.newest_by_hash.clear();
    }

    /// The label of the entry holding `bytes` at `align`, if one exists;
    /// otherwise records a new entry labelled by `new_label()`.
    pub fn intern(&mut self, bytes: &[u8], align: u32, new_label: impl FnOnce() -> Label) -> Label {
        let hash = content_hash(bytes, align);
        let mut next = self.newest_by_hash.get(&hash).copied();
        while let Some(i) = next {
            let e = self.entries[i as usize];
            if e.align == align
                && &self.bytes[e.start as usize..(e.start + e.len) as usize] == bytes
            {
                return e.label;
            }
            next = e.same_hash;
        }
        let label = new_label();
        let index = self.entries.len() as u32;
        self.entries.push(Entry {
            start: self.bytes.len() as u32,
            len: bytes.len() as u32,
            align,
            label,
            same_hash: self.newest_by_hash.insert(hash, index),
        });
        self.bytes.extend_from_slice(bytes);
        label
    }

    /// The entries in creation order: (label, alignment, bytes).
    pub fn entries(&self) -> impl Iterator<Item = (Label, u32, &[u8])> {
        self.entries.iter().map(|e| {
            (
                e.label,
                e.align,
                &self.bytes[e.start as usize..(e.start + e.len) as usize],
            )
        })
    }

    /// The largest alignment of any entry (1 if there are none).
    pub fn max_align(&self) -> u32 {
        self.entries.iter().map(|e| e.align).max().unwrap_or(1)
    }
}

/// FNV-1a over the bytes and the alignment.
fn content_hash(bytes: &[u8], align: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes.iter().chain(&align.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}
