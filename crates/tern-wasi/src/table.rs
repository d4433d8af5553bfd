//! The guest's descriptor table.
//!
//! A guest descriptor number indexes a slot holding an [`Entry`]: the host
//! object (a cap-std file or directory, a standard stream, a socket), the
//! descriptor's rights and flags, and its file type, fixed when it was
//! opened. New descriptors take the lowest free number, as POSIX `open`
//! does; the table holds at most a configured number of descriptors so a
//! guest cannot exhaust the host's (`MFILE` beyond that).
//!
//! Lookups return `BADF` for a number that is not open. Each host function
//! then checks the entry's *kind* before its *rights*, so that using the
//! wrong kind of descriptor gets the POSIX errno (`ISDIR` for reading a
//! directory, `NOTDIR` for a path relative to a file, `NOTSOCK` for
//! `sock_shutdown` on stdout, `SPIPE` for seeking a stream) and only a
//! missing right gets `NOTCAPABLE`.

use std::io::{IoSlice, IoSliceMut};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};

use cap_std::fs::{Dir, File};
use rustix::net::{SendAncillaryBuffer, SendFlags};

use crate::abi::{Errno, Fdflags, Filetype, Rights};
use crate::stdio::{Reader, Writer};

/// One open guest descriptor.
#[derive(Debug)]
pub(crate) struct Entry {
    pub handle: Handle,
    pub filetype: Filetype,
    pub rights_base: Rights,
    pub rights_inheriting: Rights,
    pub flags: Fdflags,
}

/// The host object behind a descriptor.
#[derive(Debug)]
pub(crate) enum Handle {
    File(File),
    Dir(DirHandle),
    Reader(Reader),
    Writer(Writer),
    Listener(TcpListener),
    Socket(TcpStream),
}

/// An open directory.
#[derive(Debug)]
pub(crate) struct DirHandle {
    pub dir: Dir,
    /// The guest-visible name if this directory was preopened.
    pub preopen_name: Option<String>,
    /// The listing the last `fd_readdir` from cookie 0 produced; later calls
    /// with other cookies continue in it, so cookies stay meaningful while
    /// the directory changes and reading a big directory is linear, not
    /// quadratic.
    pub listing: Option<Vec<ListedEntry>>,
}

/// One entry of a directory listing.
#[derive(Debug, Clone)]
pub(crate) struct ListedEntry {
    pub name: Vec<u8>,
    pub ino: u64,
    pub filetype: Filetype,
}

/// Fails with `NOTCAPABLE` unless `have` includes all of `need`.
pub(crate) fn has_rights(have: Rights, need: Rights) -> Result<(), Errno> {
    if have.contains(need) {
        Ok(())
    } else {
        Err(Errno::Notcapable)
    }
}

impl Entry {
    /// Fails with `NOTCAPABLE` unless the descriptor has all of `rights`.
    pub fn require(&self, rights: Rights) -> Result<(), Errno> {
        has_rights(self.rights_base, rights)
    }

    /// The directory behind this descriptor with `rights` checked; `NOTDIR`
    /// for anything else.
    pub fn dir(&self, rights: Rights) -> Result<&DirHandle, Errno> {
        match &self.handle {
            Handle::Dir(dir) => {
                self.require(rights)?;
                Ok(dir)
            }
            _ => Err(Errno::Notdir),
        }
    }

    /// The regular file (or device) behind this descriptor with `rights`
    /// checked, for operations that need a seekable file: `ISDIR` for a
    /// directory, `not_a_file` (what POSIX answers for the operation, e.g.
    /// `SPIPE` for seeking) for streams and sockets.
    pub fn file(&self, rights: Rights, not_a_file: Errno) -> Result<&File, Errno> {
        match &self.handle {
            Handle::File(file) => {
                self.require(rights)?;
                Ok(file)
            }
            Handle::Dir(_) => Err(Errno::Isdir),
            _ => Err(not_a_file),
        }
    }
}

/// Where `fd_read` gets bytes from.
pub(crate) enum Source<'a> {
    /// A host descriptor (file or socket), read with `readv`.
    Fd(BorrowedFd<'a>),
    /// A standard input stream.
    Stream(&'a mut Reader),
}

impl Source<'_> {
    pub fn read(self, bufs: &mut [IoSliceMut<'_>]) -> Result<usize, Errno> {
        match self {
            Source::Fd(fd) => Ok(rustix::io::readv(fd, bufs)?),
            Source::Stream(reader) => reader.read(bufs),
        }
    }
}

/// Where `fd_write` puts bytes.
pub(crate) enum Sink<'a> {
    /// A host file, written with `writev`.
    File(BorrowedFd<'a>),
    /// A socket, written with `sendmsg(MSG_NOSIGNAL)` so that a closed peer
    /// is `EPIPE`, not a `SIGPIPE` that would kill the host.
    Socket(BorrowedFd<'a>),
    /// A standard output stream.
    Stream(&'a mut Writer),
}

impl Sink<'_> {
    pub fn write(self, bufs: &[IoSlice<'_>]) -> Result<usize, Errno> {
        match self {
            Sink::File(fd) => Ok(rustix::io::writev(fd, bufs)?),
            Sink::Socket(fd) => Ok(rustix::net::sendmsg(
                fd,
                bufs,
                &mut SendAncillaryBuffer::default(),
                SendFlags::NOSIGNAL,
            )?),
            Sink::Stream(writer) => writer.write(bufs),
        }
    }
}

impl Handle {
    /// The host descriptor behind this handle (`None` for in-memory and
    /// null streams).
    pub fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        match self {
            Handle::File(file) => Some(file.as_fd()),
            Handle::Dir(dir) => Some(dir.dir.as_fd()),
            Handle::Reader(reader) => reader.host_fd(),
            Handle::Writer(writer) => writer.host_fd(),
            Handle::Listener(listener) => Some(listener.as_fd()),
            Handle::Socket(socket) => Some(socket.as_fd()),
        }
    }

    /// What reading this handle reads from: `ISDIR` for a directory, `BADF`
    /// for an output stream (not open for reading), `NOTCONN` for a
    /// listening socket.
    pub fn source(&mut self) -> Result<Source<'_>, Errno> {
        match self {
            Handle::File(file) => Ok(Source::Fd(<File as AsFd>::as_fd(file))),
            Handle::Socket(socket) => Ok(Source::Fd(<TcpStream as AsFd>::as_fd(socket))),
            Handle::Reader(reader) => Ok(Source::Stream(reader)),
            Handle::Dir(_) => Err(Errno::Isdir),
            Handle::Writer(_) => Err(Errno::Badf),
            Handle::Listener(_) => Err(Errno::Notconn),
        }
    }

    /// What writing this handle writes to: `ISDIR` for a directory, `BADF`
    /// for stdin, `NOTCONN` for a listening socket.
    pub fn sink(&mut self) -> Result<Sink<'_>, Errno> {
        match self {
            Handle::File(file) => Ok(Sink::File(<File as AsFd>::as_fd(file))),
            Handle::Socket(socket) => Ok(Sink::Socket(<TcpStream as AsFd>::as_fd(socket))),
            Handle::Writer(writer) => Ok(Sink::Stream(writer)),
            Handle::Dir(_) => Err(Errno::Isdir),
            Handle::Reader(_) => Err(Errno::Badf),
            Handle::Listener(_) => Err(Errno::Notconn),
        }
    }
}

/// All open descriptors of one guest.
#[derive(Debug)]
pub(crate) struct FdTable {
    slots: Vec<Option<Entry>>,
    open: usize,
    max_open: usize,
}

impl FdTable {
    pub fn new(max_open: usize) -> Self {
        FdTable {
            slots: Vec::new(),
            open: 0,
            max_open,
        }
    }

    /// The entry for `fd`, or `BADF`.
    pub fn get(&self, fd: u32) -> Result<&Entry, Errno> {
        self.slots
            .get(fd as usize)
            .and_then(Option::as_ref)
            .ok_or(Errno::Badf)
    }

    /// The entry for `fd`, mutably, or `BADF`.
    pub fn get_mut(&mut self, fd: u32) -> Result<&mut Entry, Errno> {
        self.slots
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::Badf)
    }

    /// The directory `fd` with `rights` checked: `BADF`, then `NOTDIR`,
    /// then `NOTCAPABLE` (see [`Entry::dir`]).
    pub fn dir(&self, fd: u32, rights: Rights) -> Result<&Dir, Errno> {
        Ok(&self.get(fd)?.dir(rights)?.dir)
    }

    /// The regular file `fd` with `rights` checked: `BADF`, then `ISDIR` or
    /// `not_a_file`, then `NOTCAPABLE` (see [`Entry::file`]).
    pub fn file(&self, fd: u32, rights: Rights, not_a_file: Errno) -> Result<&File, Errno> {
        self.get(fd)?.file(rights, not_a_file)
    }

    /// Fails with `MFILE` if no descriptor can be added, so that calls
    /// creating one can check before acting (an `open` that fails for want
    /// of a descriptor must not create the file).
    pub fn check_room(&self) -> Result<(), Errno> {
        if self.open >= self.max_open {
            Err(Errno::Mfile)
        } else {
            Ok(())
        }
    }

    /// Stores `entry` under the lowest free number.
    pub fn insert(&mut self, entry: Entry) -> Result<u32, Errno> {
        self.check_room()?;
        let index = match self.slots.iter().position(Option::is_none) {
            Some(free) => free,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        // Guest descriptors are below 2^31 (witx); `max_open` keeps us far
        // from that, but check rather than assume.
        let fd = u32::try_from(index)
            .ok()
            .filter(|&fd| fd < 1 << 31)
            .ok_or(Errno::Mfile)?;
        self.slots[index] = Some(entry);
        self.open += 1;
        Ok(fd)
    }

    /// Removes (and so closes) `fd`.
    pub fn remove(&mut self, fd: u32) -> Result<Entry, Errno> {
        let entry = self
            .slots
            .get_mut(fd as usize)
            .and_then(Option::take)
            .ok_or(Errno::Badf)?;
        self.open -= 1;
        Ok(entry)
    }

    /// Moves `from` to number `to`, closing what `to` held. Both must be
    /// open (`BADF` otherwise, as the witx specifies).
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<(), Errno> {
        self.get(to)?;
        self.get(from)?;
        if from != to {
            let entry = self.remove(from)?;
            self.slots[to as usize] = Some(entry);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stdio::Input;

    fn stream_entry() -> Entry {
        Entry {
            handle: Handle::Reader(Reader::from(Input::Null)),
            filetype: Filetype::Unknown,
            rights_base: Rights::FD_READ,
            rights_inheriting: Rights::empty(),
            flags: Fdflags::empty(),
        }
    }

    #[test]
    fn new_descriptors_take_the_lowest_free_number() {
        let mut table = FdTable::new(16);
        assert_eq!(table.insert(stream_entry()), Ok(0));
        assert_eq!(table.insert(stream_entry()), Ok(1));
        assert_eq!(table.insert(stream_entry()), Ok(2));
        table.remove(1).unwrap();
        assert_eq!(table.insert(stream_entry()), Ok(1));
        assert_eq!(table.insert(stream_entry()), Ok(3));
    }

    #[test]
    fn closed_and_unknown_descriptors_are_badf() {
        let mut table = FdTable::new(16);
        let fd = table.insert(stream_entry()).unwrap();
        table.remove(fd).unwrap();
        assert_eq!(table.get(fd).err(), Some(Errno::Badf));
        assert_eq!(table.remove(fd).err(), Some(Errno::Badf));
        assert_eq!(table.get(u32::MAX).err(), Some(Errno::Badf));
    }

    #[test]
    fn renumber_replaces_the_target_and_frees_the_source() {
        let mut table = FdTable::new(16);
        let a = table.insert(stream_entry()).unwrap();
        let b = table.insert(stream_entry()).unwrap();
        table.get_mut(a).unwrap().flags = Fdflags::APPEND;
        table.renumber(a, b).unwrap();
        assert_eq!(table.get(a).err(), Some(Errno::Badf));
        assert_eq!(table.get(b).unwrap().flags, Fdflags::APPEND);
        // Renumbering onto a closed number fails and changes nothing.
        assert_eq!(table.renumber(b, a), Err(Errno::Badf));
        assert!(table.get(b).is_ok());
        // Renumbering onto itself is a no-op.
        assert_eq!(table.renumber(b, b), Ok(()));
        assert!(table.get(b).is_ok());
        // The freed slot is reused and the count stayed right.
        assert_eq!(table.insert(stream_entry()), Ok(a));
    }

    #[test]
    fn the_table_is_bounded() {
        let mut table = FdTable::new(2);
        table.insert(stream_entry()).unwrap();
        assert_eq!(table.check_room(), Ok(()));
        table.insert(stream_entry()).unwrap();
        assert_eq!(table.check_room(), Err(Errno::Mfile));
        assert_eq!(table.insert(stream_entry()), Err(Errno::Mfile));
        table.remove(0).unwrap();
        assert_eq!(table.insert(stream_entry()), Ok(0));
    }

    #[test]
    fn kind_is_checked_before_rights() {
        let entry = stream_entry();
        assert_eq!(entry.dir(Rights::PATH_OPEN).err(), Some(Errno::Notdir));
        assert_eq!(
            entry.file(Rights::FD_SEEK, Errno::Spipe).err(),
            Some(Errno::Spipe)
        );
        assert_eq!(entry.require(Rights::FD_WRITE), Err(Errno::Notcapable));
        assert_eq!(entry.require(Rights::FD_READ), Ok(()));
    }
}
