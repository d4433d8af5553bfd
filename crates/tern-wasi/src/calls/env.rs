//! `args_*` and `environ_*`: the program's arguments and environment.
//!
//! Both are lists of strings handed to the guest the C way: an array of
//! pointers at one address, the NUL-terminated strings packed at another.
//! The guest sizes its buffers with the `*_sizes_get` call first; the whole
//! of both buffers is checked before anything is written.

use crate::abi::Errno;
use crate::ctx::WasiCtx;
use crate::memory::{GuestMemory, offset};

impl WasiCtx {
    /// `args_get`: writes the argument pointers at `argv` and the strings at
    /// `argv_buf`.
    pub fn args_get(&mut self, memory: &mut [u8], argv: u32, argv_buf: u32) -> Result<(), Errno> {
        write_strings(&mut GuestMemory::new(memory), &self.args, argv, argv_buf)
    }

    /// `args_sizes_get`: the number of arguments and the bytes their strings
    /// need, NUL terminators included.
    pub fn args_sizes_get(
        &mut self,
        memory: &mut [u8],
        argc_out: u32,
        argv_buf_size_out: u32,
    ) -> Result<(), Errno> {
        write_sizes(
            &mut GuestMemory::new(memory),
            &self.args,
            argc_out,
            argv_buf_size_out,
        )
    }

    /// `environ_get`: writes the `NAME=VALUE` pointers at `environ` and the
    /// strings at `environ_buf`.
    pub fn environ_get(
        &mut self,
        memory: &mut [u8],
        environ: u32,
        environ_buf: u32,
    ) -> Result<(), Errno> {
        write_strings(
            &mut GuestMemory::new(memory),
            &self.env,
            environ,
            environ_buf,
        )
    }

    /// `environ_sizes_get`: the number of variables and the bytes their
    /// strings need.
    pub fn environ_sizes_get(
        &mut self,
        memory: &mut [u8],
        count_out: u32,
        buf_size_out: u32,
    ) -> Result<(), Errno> {
        write_sizes(
            &mut GuestMemory::new(memory),
            &self.env,
            count_out,
            buf_size_out,
        )
    }
}

/// Bytes the strings need with their terminators. The builder guarantees
/// this fits a `u32`.
fn buffer_size(strings: &[String]) -> u64 {
    strings.iter().map(|s| s.len() as u64 + 1).sum()
}

fn write_sizes(
    mem: &mut GuestMemory<'_>,
    strings: &[String],
    count_out: u32,
    size_out: u32,
) -> Result<(), Errno> {
    mem.check(count_out, 4)?;
    mem.check(size_out, 4)?;
    let count = u32::try_from(strings.len()).map_err(|_| Errno::Overflow)?;
    let size = u32::try_from(buffer_size(strings)).map_err(|_| Errno::Overflow)?;
    mem.write_u32(count_out, count)?;
    mem.write_u32(size_out, size)
}

fn write_strings(
    mem: &mut GuestMemory<'_>,
    strings: &[String],
    pointers: u32,
    buffer: u32,
) -> Result<(), Errno> {
    mem.check(pointers, 4 * strings.len() as u64)?;
    mem.check(buffer, buffer_size(strings))?;
    let mut at = 0u64;
    for (i, string) in strings.iter().enumerate() {
        let string_ptr = offset(buffer, at)?;
        mem.write_u32(offset(pointers, 4 * i as u64)?, string_ptr)?;
        mem.write(string_ptr, string.as_bytes())?;
        mem.write(offset(string_ptr, string.len() as u64)?, &[0])?;
        at += string.len() as u64 + 1;
    }
    Ok(())
}
