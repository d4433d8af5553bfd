//! The part every byte-moving call shares: `fd_read`, `fd_pread` and
//! `sock_recv` fill a guest iovec list, `fd_write`, `fd_pwrite` and
//! `sock_send` drain one, and all six store the byte count through a result
//! pointer.
//!
//! The calls differ only in the host operation, so the checks around it
//! live here once, in the order the `calls` module docs give: the iovec
//! array and every buffer it names (`FAULT`, or `INVAL` for too many), then
//! the count's result pointer, then the I/O, then the count. A count that
//! could not be stored must fail *before* the I/O, or a read would consume
//! input the guest never learns about.

use std::io::{IoSlice, IoSliceMut};

use crate::abi::Errno;
use crate::memory::GuestMemory;

/// Fills the `iovs_len` iovecs at `iovs` from `read` (called once with the
/// buffers, returning how many bytes it stored front to back) and writes
/// that count at `nread_out`.
pub(super) fn read_vectored(
    memory: &mut [u8],
    iovs: u32,
    iovs_len: u32,
    nread_out: u32,
    read: impl FnOnce(&mut [IoSliceMut<'_>]) -> Result<usize, Errno>,
) -> Result<(), Errno> {
    let mut mem = GuestMemory::new(memory);
    let iovecs = mem.iovecs(iovs, iovs_len)?;
    mem.check(nread_out, 4)?;
    let n = mem.read_into_iovecs(&iovecs, read)?;
    mem.write_u32(nread_out, transferred(n))
}

/// Hands the `iovs_len` iovecs at `iovs` to `write` (called once, returning
/// how many bytes it took) and writes that count at `nwritten_out`.
pub(super) fn write_vectored(
    memory: &mut [u8],
    iovs: u32,
    iovs_len: u32,
    nwritten_out: u32,
    write: impl FnOnce(&[IoSlice<'_>]) -> Result<usize, Errno>,
) -> Result<(), Errno> {
    let mut mem = GuestMemory::new(memory);
    let iovecs = mem.iovecs(iovs, iovs_len)?;
    mem.check(nwritten_out, 4)?;
    let n = write(&mem.io_slices(&iovecs)?)?;
    mem.write_u32(nwritten_out, transferred(n))
}

/// A byte count for the guest. Transfers are capped at `MAX_TRANSFER`
/// (below 2^31), so this never saturates in practice.
pub(super) fn transferred(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
