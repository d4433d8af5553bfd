//! `sock_*`: sockets the embedder handed to the guest.
//!
//! Preview1 cannot create, bind or connect sockets; a guest can only use
//! sockets inherited through the builder (a listener it accepts on, or a
//! connected stream). Connected streams are also readable and writable with
//! `fd_read`/`fd_write`. Every call on a descriptor that is not a socket is
//! `NOTSOCK`, checked before rights so that `shutdown(stdout)` gets the
//! errno POSIX gives it.

use std::os::fd::AsFd;

use rustix::net::{RecvAncillaryBuffer, RecvFlags, ReturnFlags, Shutdown};

use super::transfer::{read_vectored, write_vectored};
use crate::abi::{Errno, Fdflags, Filetype, Riflags, Rights, Roflags, Sdflags};
use crate::ctx::WasiCtx;
use crate::memory::GuestMemory;
use crate::rights;
use crate::table::{Entry, Handle, Sink, has_rights};

impl WasiCtx {
    /// `sock_accept`: accepts a connection on a listening socket. The only
    /// flag allowed is `NONBLOCK`.
    pub fn sock_accept(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        flags: u32,
        fd_out: u32,
    ) -> Result<(), Errno> {
        let flags = Fdflags::from_raw(u64::from(flags))?;
        if !Fdflags::NONBLOCK.contains(flags) {
            return Err(Errno::Inval);
        }
        let entry = self.table.get(fd)?;
        let listener = match &entry.handle {
            Handle::Listener(listener) => listener,
            Handle::Socket(_) => return Err(Errno::Inval),
            _ => return Err(Errno::Notsock),
        };
        entry.require(Rights::SOCK_ACCEPT)?;
        self.table.check_room()?;
        let mut mem = GuestMemory::new(memory);
        mem.check(fd_out, 4)?;
        let (stream, _peer) = listener.accept()?;
        stream.set_nonblocking(flags.contains(Fdflags::NONBLOCK))?;
        let new_fd = self.table.insert(Entry {
            handle: Handle::Socket(stream),
            filetype: Filetype::SocketStream,
            rights_base: rights::SOCKET,
            rights_inheriting: Rights::empty(),
            flags,
        })?;
        mem.write_u32(fd_out, new_fd)
    }

    /// `sock_recv`: receives into the iovecs, optionally peeking or waiting
    /// for the buffers to fill.
    pub fn sock_recv(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        ri_data: u32,
        ri_data_len: u32,
        ri_flags: u32,
        ro_datalen_out: u32,
        ro_flags_out: u32,
    ) -> Result<(), Errno> {
        let ri_flags = Riflags::from_raw(u64::from(ri_flags))?;
        let entry = self.table.get(fd)?;
        let socket = connected(entry)?;
        has_rights(entry.rights_base, Rights::FD_READ)?;
        // Both results must be storable before anything is received; the
        // byte count's pointer is checked with the iovecs.
        GuestMemory::new(memory).check(ro_flags_out, 2)?;
        let mut host_flags = RecvFlags::empty();
        host_flags.set(RecvFlags::PEEK, ri_flags.contains(Riflags::RECV_PEEK));
        host_flags.set(RecvFlags::WAITALL, ri_flags.contains(Riflags::RECV_WAITALL));
        let mut truncated = false;
        read_vectored(memory, ri_data, ri_data_len, ro_datalen_out, |bufs| {
            let msg = rustix::net::recvmsg(
                socket.as_fd(),
                bufs,
                &mut RecvAncillaryBuffer::default(),
                host_flags,
            )?;
            truncated = msg.flags.contains(ReturnFlags::TRUNC);
            Ok(msg.bytes)
        })?;
        let mut ro_flags = Roflags::empty();
        ro_flags.set(Roflags::RECV_DATA_TRUNCATED, truncated);
        GuestMemory::new(memory).write_u16(ro_flags_out, ro_flags.bits())
    }

    /// `sock_send`: sends the iovecs. There are no send flags in preview1;
    /// any bit set is `INVAL`.
    pub fn sock_send(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        si_data: u32,
        si_data_len: u32,
        si_flags: u32,
        nsent_out: u32,
    ) -> Result<(), Errno> {
        if si_flags != 0 {
            return Err(Errno::Inval);
        }
        let entry = self.table.get(fd)?;
        let socket = connected(entry)?;
        has_rights(entry.rights_base, Rights::FD_WRITE)?;
        // The same `sendmsg(MSG_NOSIGNAL)` as `fd_write` on a socket.
        write_vectored(memory, si_data, si_data_len, nsent_out, |bufs| {
            Sink::Socket(socket.as_fd()).write(bufs)
        })
    }

    /// `sock_shutdown`: shuts down reading, writing or both.
    pub fn sock_shutdown(&mut self, _memory: &mut [u8], fd: u32, how: u32) -> Result<(), Errno> {
        let how = Sdflags::from_raw(u64::from(how))?;
        let how = match (how.contains(Sdflags::RD), how.contains(Sdflags::WR)) {
            (true, true) => Shutdown::Both,
            (true, false) => Shutdown::Read,
            (false, true) => Shutdown::Write,
            (false, false) => return Err(Errno::Inval),
        };
        let entry = self.table.get(fd)?;
        let socket = match &entry.handle {
            Handle::Socket(socket) => socket.as_fd(),
            Handle::Listener(listener) => listener.as_fd(),
            _ => return Err(Errno::Notsock),
        };
        entry.require(Rights::SOCK_SHUTDOWN)?;
        Ok(rustix::net::shutdown(socket, how)?)
    }
}

/// The connected socket behind `entry`: `NOTCONN` for a listener,
/// `NOTSOCK` for anything else.
fn connected(entry: &Entry) -> Result<&std::net::TcpStream, Errno> {
    match &entry.handle {
        Handle::Socket(socket) => Ok(socket),
        Handle::Listener(_) => Err(Errno::Notconn),
        _ => Err(Errno::Notsock),
    }
}
