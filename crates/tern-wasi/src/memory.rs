//! Checked access to the guest's linear memory.
//!
//! Every host function receives the guest memory as a plain `&mut [u8]` and
//! wraps it in a [`GuestMemory`]. All guest addresses go through
//! [`GuestMemory::range`], which does the bounds arithmetic in `u64` (so
//! `ptr + len` cannot wrap) and answers `Errno::Fault` for anything that is
//! not entirely inside the slice. Because the only way to touch guest memory
//! is through slices of that one `&mut [u8]`, the host cannot read or write
//! outside it even with a wrong check: the worst a bug here can do is
//! return the wrong errno, never corrupt the host.
//!
//! Guest pointers need not be aligned: values are read and written as
//! little-endian byte arrays.
//!
//! Scatter/gather lists (`iovec` arrays) are validated as a whole before any
//! I/O happens, so a bad entry anywhere fails the call without side effects.
//! Reads into several buffers use `readv`-style vectored I/O when the
//! buffers do not overlap; overlapping buffers (legal, if odd) fall back to
//! a bounded bounce buffer that is copied out in order.

use std::io::{IoSlice, IoSliceMut};
use std::ops::Range;

use crate::abi::{Errno, Iovec};

/// The most iovecs one call accepts, as POSIX `IOV_MAX` on Linux; more is
/// `Errno::Inval`, as `readv`/`writev` answer.
pub const MAX_IOVECS: u32 = 1024;

/// The most bytes one read or write moves. Keeps every byte count
/// representable in the guest's `u32` result (Linux caps a single transfer
/// just below this anyway).
pub const MAX_TRANSFER: usize = i32::MAX as usize;

/// Size of the bounce buffer used when read buffers overlap.
const BOUNCE_LIMIT: usize = 64 * 1024;

/// The guest address `delta` bytes after `base`; `Errno::Fault` if that is
/// beyond the 32-bit address space.
pub fn offset(base: u32, delta: u64) -> Result<u32, Errno> {
    u64::from(base)
        .checked_add(delta)
        .and_then(|at| u32::try_from(at).ok())
        .ok_or(Errno::Fault)
}

/// A guest's linear memory with bounds-checked accessors.
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMemory<'a> {
    /// Wraps the guest's memory.
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory { bytes }
    }

    /// Size of the memory in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the memory is empty (a module without memory).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The host range for `len` bytes at guest address `ptr`, or
    /// `Errno::Fault` if any of it lies outside the memory.
    pub fn range(&self, ptr: u32, len: u64) -> Result<Range<usize>, Errno> {
        let start = u64::from(ptr);
        let end = start.checked_add(len).ok_or(Errno::Fault)?;
        if end > self.bytes.len() as u64 {
            return Err(Errno::Fault);
        }
        // Both fit in usize: they are at most `self.bytes.len()`.
        Ok(start as usize..end as usize)
    }

    /// Checks that `len` bytes at `ptr` are inside the memory.
    pub fn check(&self, ptr: u32, len: u64) -> Result<(), Errno> {
        self.range(ptr, len).map(|_| ())
    }

    /// The `len` bytes at `ptr`.
    pub fn bytes(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let range = self.range(ptr, u64::from(len))?;
        Ok(&self.bytes[range])
    }

    /// The `len` bytes at `ptr`, writable.
    pub fn bytes_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let range = self.range(ptr, u64::from(len))?;
        Ok(&mut self.bytes[range])
    }

    /// Reads `N` bytes at `ptr`.
    pub fn read_array<const N: usize>(&self, ptr: u32) -> Result<[u8; N], Errno> {
        let range = self.range(ptr, N as u64)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.bytes[range]);
        Ok(out)
    }

    /// Writes `data` at `ptr`.
    pub fn write(&mut self, ptr: u32, data: &[u8]) -> Result<(), Errno> {
        let range = self.range(ptr, data.len() as u64)?;
        self.bytes[range].copy_from_slice(data);
        Ok(())
    }

    /// Reads a little-endian `u32` at `ptr`.
    pub fn read_u32(&self, ptr: u32) -> Result<u32, Errno> {
        self.read_array(ptr).map(u32::from_le_bytes)
    }

    /// Writes a little-endian `u16` at `ptr`.
    pub fn write_u16(&mut self, ptr: u32, value: u16) -> Result<(), Errno> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// Writes a little-endian `u32` at `ptr`.
    pub fn write_u32(&mut self, ptr: u32, value: u32) -> Result<(), Errno> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// Writes a little-endian `u64` at `ptr`.
    pub fn write_u64(&mut self, ptr: u32, value: u64) -> Result<(), Errno> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// The UTF-8 string of `len` bytes at `ptr` (WASI paths are UTF-8);
    /// invalid UTF-8 is `Errno::Ilseq`.
    pub fn str(&self, ptr: u32, len: u32) -> Result<&str, Errno> {
        std::str::from_utf8(self.bytes(ptr, len)?).map_err(|_| Errno::Ilseq)
    }

    /// Decodes and validates the `count` iovecs at `ptr`: the array and every
    /// buffer it names must be inside the memory (`Errno::Fault`), and there
    /// may be at most [`MAX_IOVECS`] of them (`Errno::Inval`).
    pub fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<Iovec>, Errno> {
        if count > MAX_IOVECS {
            return Err(Errno::Inval);
        }
        let array = self.range(ptr, u64::from(count) * Iovec::SIZE as u64)?;
        let mut iovecs = Vec::with_capacity(count as usize);
        for raw in self.bytes[array].chunks_exact(Iovec::SIZE) {
            let mut entry = [0u8; Iovec::SIZE];
            entry.copy_from_slice(raw);
            let iovec = Iovec::decode(&entry);
            self.check(iovec.buf, u64::from(iovec.buf_len))?;
            iovecs.push(iovec);
        }
        Ok(iovecs)
    }

    /// Shared slices for the (validated) iovecs, empty ones dropped, in
    /// order, totalling at most [`MAX_TRANSFER`] bytes.
    pub fn io_slices(&self, iovecs: &[Iovec]) -> Result<Vec<IoSlice<'_>>, Errno> {
        let ranges = self.transfer_ranges(iovecs)?;
        Ok(ranges
            .into_iter()
            .map(|range| IoSlice::new(&self.bytes[range]))
            .collect())
    }

    /// Fills the (validated) iovecs from `read`, which is called once with
    /// the buffers to fill and returns how many bytes it stored, front to
    /// back. Non-overlapping buffers are passed directly; overlapping ones
    /// are read into a bounce buffer (at most 64 KiB) and copied out in
    /// iovec order, as if written one after the other.
    pub fn read_into_iovecs(
        &mut self,
        iovecs: &[Iovec],
        read: impl FnOnce(&mut [IoSliceMut<'_>]) -> Result<usize, Errno>,
    ) -> Result<usize, Errno> {
        let ranges = self.transfer_ranges(iovecs)?;
        if let Some(mut slices) = disjoint_slices_mut(self.bytes, &ranges) {
            return read(&mut slices);
        }
        let total: usize = ranges.iter().map(|r| r.len()).sum();
        let mut bounce = vec![0u8; total.min(BOUNCE_LIMIT)];
        let n = read(&mut [IoSliceMut::new(&mut bounce)])?;
        let mut filled = &bounce[..n.min(bounce.len())];
        for range in ranges {
            if filled.is_empty() {
                break;
            }
            let take = range.len().min(filled.len());
            self.bytes[range.start..range.start + take].copy_from_slice(&filled[..take]);
            filled = &filled[take..];
        }
        Ok(n)
    }

    /// The host ranges of the (validated) iovecs, empty ones dropped, in
    /// order, totalling at most [`MAX_TRANSFER`] bytes.
    fn transfer_ranges(&self, iovecs: &[Iovec]) -> Result<Vec<Range<usize>>, Errno> {
        let mut budget = MAX_TRANSFER;
        let mut ranges = Vec::with_capacity(iovecs.len());
        for iovec in iovecs {
            let len = (iovec.buf_len as usize).min(budget);
            if len > 0 {
                ranges.push(self.range(iovec.buf, len as u64)?);
                budget -= len;
            }
        }
        Ok(ranges)
    }
}

/// Mutable slices of `bytes` for `ranges` (in the given order), or `None`
/// if two ranges overlap. Each range must be inside `bytes`.
fn disjoint_slices_mut<'m>(
    bytes: &'m mut [u8],
    ranges: &[Range<usize>],
) -> Option<Vec<IoSliceMut<'m>>> {
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&i| ranges[i].start);
    if order
        .windows(2)
        .any(|pair| ranges[pair[0]].end > ranges[pair[1]].start)
    {
        return None;
    }
    // Carve the slices out front to back, then put them back in iovec order.
    let mut carved: Vec<Option<IoSliceMut<'m>>> = (0..ranges.len()).map(|_| None).collect();
    let mut rest = bytes;
    let mut rest_start = 0;
    for i in order {
        let range = &ranges[i];
        let (_, tail) = rest.split_at_mut(range.start - rest_start);
        let (slice, tail) = tail.split_at_mut(range.len());
        carved[i] = Some(IoSliceMut::new(slice));
        rest = tail;
        rest_start = range.end;
    }
    carved.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put_iovecs(memory: &mut [u8], at: usize, iovecs: &[(u32, u32)]) {
        for (i, &(buf, buf_len)) in iovecs.iter().enumerate() {
            let bytes = Iovec { buf, buf_len }.encode();
            memory[at + i * 8..at + i * 8 + 8].copy_from_slice(&bytes);
        }
    }

    #[test]
    fn ranges_are_checked_without_overflow() {
        let mut bytes = vec![0u8; 100];
        let memory = GuestMemory::new(&mut bytes);
        assert_eq!(memory.range(0, 100), Ok(0..100));
        assert_eq!(memory.range(100, 0), Ok(100..100));
        assert_eq!(memory.range(101, 0), Err(Errno::Fault));
        assert_eq!(memory.range(99, 2), Err(Errno::Fault));
        assert_eq!(memory.range(u32::MAX, u64::MAX), Err(Errno::Fault));
        assert_eq!(memory.read_u32(97), Err(Errno::Fault));
        assert_eq!(memory.read_u32(96), Ok(0));
    }

    #[test]
    fn an_empty_memory_faults_every_nonempty_access() {
        let mut bytes = Vec::new();
        let mut memory = GuestMemory::new(&mut bytes);
        assert!(memory.is_empty());
        assert_eq!(memory.write_u32(0, 1), Err(Errno::Fault));
        assert_eq!(memory.bytes(0, 0), Ok(&[][..]));
    }

    #[test]
    fn strings_must_be_utf8() {
        let mut bytes = b"ok\xff".to_vec();
        let memory = GuestMemory::new(&mut bytes);
        assert_eq!(memory.str(0, 2), Ok("ok"));
        assert_eq!(memory.str(0, 3), Err(Errno::Ilseq));
    }

    #[test]
    fn iovec_lists_are_validated_entry_by_entry() {
        let mut bytes = vec![0u8; 256];
        put_iovecs(&mut bytes, 0, &[(100, 10), (200, 56), (250, 7)]);
        let memory = GuestMemory::new(&mut bytes);
        assert_eq!(memory.iovecs(0, 2).map(|v| v.len()), Ok(2));
        // The third buffer runs past the end of memory.
        assert_eq!(memory.iovecs(0, 3), Err(Errno::Fault));
        // The array itself runs past the end of memory.
        assert_eq!(memory.iovecs(250, 1), Err(Errno::Fault));
        assert_eq!(memory.iovecs(0, MAX_IOVECS + 1), Err(Errno::Inval));
    }

    #[test]
    fn disjoint_reads_fill_buffers_in_iovec_order() {
        let mut bytes = vec![0u8; 64];
        let mut memory = GuestMemory::new(&mut bytes);
        // Second buffer lies before the first in memory.
        let iovecs = [
            Iovec {
                buf: 40,
                buf_len: 3,
            },
            Iovec {
                buf: 10,
                buf_len: 4,
            },
        ];
        let n = memory
            .read_into_iovecs(&iovecs, |slices| {
                assert_eq!(slices.len(), 2);
                let source = b"abcdefg";
                let mut offset = 0;
                for slice in slices.iter_mut() {
                    let len = slice.len();
                    slice.copy_from_slice(&source[offset..offset + len]);
                    offset += len;
                }
                Ok(offset)
            })
            .unwrap();
        assert_eq!(n, 7);
        assert_eq!(&bytes[40..43], b"abc");
        assert_eq!(&bytes[10..14], b"defg");
    }

    #[test]
    fn overlapping_reads_go_through_the_bounce_buffer() {
        let mut bytes = vec![0u8; 64];
        let mut memory = GuestMemory::new(&mut bytes);
        let iovecs = [
            Iovec { buf: 8, buf_len: 4 },
            Iovec {
                buf: 10,
                buf_len: 4,
            },
        ];
        let n = memory
            .read_into_iovecs(&iovecs, |slices| {
                assert_eq!(slices.len(), 1, "overlap must use one bounce buffer");
                slices[0][..8].copy_from_slice(b"ABCDEFGH");
                Ok(8)
            })
            .unwrap();
        assert_eq!(n, 8);
        // "ABCD" lands at 8..12, then "EFGH" overwrites 10..14.
        assert_eq!(&bytes[8..14], b"ABEFGH");
    }

    #[test]
    fn shared_slices_cover_each_nonempty_iovec() {
        let mut bytes: Vec<u8> = (0..32).collect();
        let memory = GuestMemory::new(&mut bytes);
        let iovecs = [
            Iovec { buf: 4, buf_len: 2 },
            Iovec { buf: 9, buf_len: 0 },
            Iovec { buf: 4, buf_len: 3 },
        ];
        let slices = memory.io_slices(&iovecs).unwrap();
        assert_eq!(slices.len(), 2);
        assert_eq!(&*slices[0], &[4, 5]);
        assert_eq!(&*slices[1], &[4, 5, 6]);
    }
}
