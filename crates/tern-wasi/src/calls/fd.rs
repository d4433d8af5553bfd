//! `fd_*`: operations on open descriptors.
//!
//! Files and directories are cap-std handles, but once open a descriptor
//! involves no path resolution, so these operations are plain system calls
//! (through rustix) on the handle's host descriptor. The standard streams
//! and sockets are reached through the table's [`Source`]/[`Sink`]
//! abstraction so reads and writes look the same for every kind.
//!
//! [`Source`]: crate::table::Source
//! [`Sink`]: crate::table::Sink

use std::num::NonZeroU64;

use rustix::fs::{Advice as HostAdvice, FallocateFlags, OFlags, SeekFrom};

use super::transfer::{read_vectored, transferred, write_vectored};
use crate::abi::{Advice, Dirent, Errno, Fdflags, Fdstat, Filestat, Prestat, Rights, Whence};
use crate::ctx::WasiCtx;
use crate::filestat::{self, metadata_filetype, set_fd_times, time_changes};
use crate::memory::GuestMemory;
use crate::table::{DirHandle, Entry, Handle, ListedEntry, has_rights};

impl WasiCtx {
    /// `fd_advise`: passes access-pattern advice for a region of a file to
    /// the host.
    pub fn fd_advise(
        &mut self,
        _memory: &mut [u8],
        fd: u32,
        offset: u64,
        len: u64,
        advice: u32,
    ) -> Result<(), Errno> {
        let advice = match Advice::from_raw(advice)? {
            Advice::Normal => HostAdvice::Normal,
            Advice::Sequential => HostAdvice::Sequential,
            Advice::Random => HostAdvice::Random,
            Advice::Willneed => HostAdvice::WillNeed,
            Advice::Dontneed => HostAdvice::DontNeed,
            Advice::Noreuse => HostAdvice::NoReuse,
        };
        let file = self.table.file(fd, Rights::FD_ADVISE, Errno::Spipe)?;
        Ok(rustix::fs::fadvise(
            file,
            offset,
            NonZeroU64::new(len),
            advice,
        )?)
    }

    /// `fd_allocate`: makes sure `len` bytes from `offset` are allocated,
    /// growing the file if needed.
    pub fn fd_allocate(
        &mut self,
        _memory: &mut [u8],
        fd: u32,
        offset: u64,
        len: u64,
    ) -> Result<(), Errno> {
        let file = self.table.file(fd, Rights::FD_ALLOCATE, Errno::Spipe)?;
        Ok(rustix::fs::fallocate(
            file,
            FallocateFlags::empty(),
            offset,
            len,
        )?)
    }

    /// `fd_close`: closes `fd` (preopens included).
    pub fn fd_close(&mut self, _memory: &mut [u8], fd: u32) -> Result<(), Errno> {
        self.table.remove(fd).map(drop)
    }

    /// `fd_datasync`: flushes a file's data to storage.
    pub fn fd_datasync(&mut self, _memory: &mut [u8], fd: u32) -> Result<(), Errno> {
        let entry = self.table.get(fd)?;
        let host = syncable(entry, Rights::FD_DATASYNC)?;
        Ok(rustix::fs::fdatasync(host)?)
    }

    /// `fd_sync`: flushes a file's data and metadata to storage.
    pub fn fd_sync(&mut self, _memory: &mut [u8], fd: u32) -> Result<(), Errno> {
        let entry = self.table.get(fd)?;
        let host = syncable(entry, Rights::FD_SYNC)?;
        Ok(rustix::fs::fsync(host)?)
    }

    /// `fd_fdstat_get`: the descriptor's type, flags and rights.
    pub fn fd_fdstat_get(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        fdstat_out: u32,
    ) -> Result<(), Errno> {
        let entry = self.table.get(fd)?;
        let stat = Fdstat {
            filetype: entry.filetype,
            flags: entry.flags,
            rights_base: entry.rights_base,
            rights_inheriting: entry.rights_inheriting,
        };
        GuestMemory::new(memory).write(fdstat_out, &stat.encode())
    }

    /// `fd_fdstat_set_flags`: changes `APPEND` and `NONBLOCK`. The
    /// synchronization flags are fixed when a file is opened (Linux cannot
    /// change them later): asking to change them is `NOTSUP`. Inherited
    /// standard streams keep their flags, since changing them would change
    /// the host process's own descriptors (a non-blocking host stdout makes
    /// the host's own prints fail).
    pub fn fd_fdstat_set_flags(
        &mut self,
        _memory: &mut [u8],
        fd: u32,
        flags: u32,
    ) -> Result<(), Errno> {
        let flags = Fdflags::from_raw(u64::from(flags))?;
        let entry = self.table.get_mut(fd)?;
        entry.require(Rights::FD_FDSTAT_SET_FLAGS)?;
        let fixed = Fdflags::DSYNC | Fdflags::RSYNC | Fdflags::SYNC;
        if (flags ^ entry.flags).intersects(fixed) {
            return Err(Errno::Notsup);
        }
        match &entry.handle {
            // In-memory and null streams never block and always append: any
            // setting is already true of them.
            Handle::Reader(_) | Handle::Writer(_) if entry.handle.host_fd().is_none() => {}
            Handle::Reader(_) | Handle::Writer(_) => {
                if flags != entry.flags {
                    return Err(Errno::Notsup);
                }
            }
            handle => {
                let host = handle.host_fd().ok_or(Errno::Notsup)?;
                let mut os_flags = rustix::fs::fcntl_getfl(host)?;
                os_flags.set(OFlags::APPEND, flags.contains(Fdflags::APPEND));
                os_flags.set(OFlags::NONBLOCK, flags.contains(Fdflags::NONBLOCK));
                rustix::fs::fcntl_setfl(host, os_flags)?;
            }
        }
        entry.flags = flags;
        Ok(())
    }

    /// `fd_fdstat_set_rights`: drops rights. Adding any is `NOTCAPABLE`.
    pub fn fd_fdstat_set_rights(
        &mut self,
        _memory: &mut [u8],
        fd: u32,
        rights_base: u64,
        rights_inheriting: u64,
    ) -> Result<(), Errno> {
        let base = Rights::from_raw(rights_base)?;
        let inheriting = Rights::from_raw(rights_inheriting)?;
        let entry = self.table.get_mut(fd)?;
        has_rights(entry.rights_base, base)?;
        has_rights(entry.rights_inheriting, inheriting)?;
        entry.rights_base = base;
        entry.rights_inheriting = inheriting;
        Ok(())
    }

    /// `fd_filestat_get`: the attributes of the open file. In-memory and
    /// null streams have none but their type.
    pub fn fd_filestat_get(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        filestat_out: u32,
    ) -> Result<(), Errno> {
        let entry = self.table.get(fd)?;
        entry.require(Rights::FD_FILESTAT_GET)?;
        let mut mem = GuestMemory::new(memory);
        mem.check(filestat_out, Filestat::SIZE as u64)?;
        let stat = match entry.handle.host_fd() {
            Some(host) => filestat::of_fd(host)?,
            None => Filestat {
                dev: 0,
                ino: 0,
                filetype: entry.filetype,
                nlink: 0,
                size: 0,
                atim: 0,
                mtim: 0,
                ctim: 0,
            },
        };
        mem.write(filestat_out, &stat.encode())
    }

    /// `fd_filestat_set_size`: truncates or zero-extends a file.
    pub fn fd_filestat_set_size(
        &mut self,
        _memory: &mut [u8],
        fd: u32,
        size: u64,
    ) -> Result<(), Errno> {
        let file = self
            .table
            .file(fd, Rights::FD_FILESTAT_SET_SIZE, Errno::Inval)?;
        Ok(rustix::fs::ftruncate(file, size)?)
    }

    /// `fd_filestat_set_times`: sets the access and/or modification time.
    pub fn fd_filestat_set_times(
        &mut self,
        _memory: &mut [u8],
        fd: u32,
        atim: u64,
        mtim: u64,
        fst_flags: u32,
    ) -> Result<(), Errno> {
        let (atime, mtime) = time_changes(atim, mtim, fst_flags)?;
        let entry = self.table.get(fd)?;
        entry.require(Rights::FD_FILESTAT_SET_TIMES)?;
        let host = entry.handle.host_fd().ok_or(Errno::Notsup)?;
        set_fd_times(host, atime, mtime)
    }

    /// `fd_pread`: reads at `offset` without moving the file position.
    pub fn fd_pread(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        nread_out: u32,
    ) -> Result<(), Errno> {
        let file = self
            .table
            .file(fd, Rights::FD_READ | Rights::FD_SEEK, Errno::Spipe)?;
        read_vectored(memory, iovs, iovs_len, nread_out, |bufs| {
            Ok(rustix::io::preadv(file, bufs, offset)?)
        })
    }

    /// `fd_pwrite`: writes at `offset` without moving the file position.
    /// (On a file opened with `APPEND`, Linux writes at the end.)
    pub fn fd_pwrite(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        nwritten_out: u32,
    ) -> Result<(), Errno> {
        let file = self
            .table
            .file(fd, Rights::FD_WRITE | Rights::FD_SEEK, Errno::Spipe)?;
        write_vectored(memory, iovs, iovs_len, nwritten_out, |bufs| {
            Ok(rustix::io::pwritev(file, bufs, offset)?)
        })
    }

    /// `fd_prestat_get`: describes a preopened directory; `BADF` for any
    /// other descriptor (which is how wasi-libc's scan of the preopens ends).
    pub fn fd_prestat_get(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        prestat_out: u32,
    ) -> Result<(), Errno> {
        let name = preopen_name(self.table.get(fd)?)?;
        let name_len = u32::try_from(name.len()).map_err(|_| Errno::Overflow)?;
        GuestMemory::new(memory).write(prestat_out, &Prestat { name_len }.encode())
    }

    /// `fd_prestat_dir_name`: the guest name of a preopened directory,
    /// without a terminator; `NAMETOOLONG` if `path_len` cannot hold it.
    pub fn fd_prestat_dir_name(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        path: u32,
        path_len: u32,
    ) -> Result<(), Errno> {
        let name = preopen_name(self.table.get(fd)?)?;
        if (path_len as usize) < name.len() {
            return Err(Errno::Nametoolong);
        }
        GuestMemory::new(memory).write(path, name.as_bytes())
    }

    /// `fd_read`: reads from the current position into the iovecs.
    pub fn fd_read(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        nread_out: u32,
    ) -> Result<(), Errno> {
        let entry = self.table.get_mut(fd)?;
        let source = entry.handle.source()?;
        has_rights(entry.rights_base, Rights::FD_READ)?;
        read_vectored(memory, iovs, iovs_len, nread_out, |bufs| source.read(bufs))
    }

    /// `fd_readdir`: directory entries from position `cookie`, packed as
    /// `dirent` headers each followed by the name, the last one cut off
    /// where the buffer ends. `.` and `..` come first. An entry's `d_next`
    /// is the cookie of the entry after it.
    pub fn fd_readdir(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        buf: u32,
        buf_len: u32,
        cookie: u64,
        bufused_out: u32,
    ) -> Result<(), Errno> {
        let entry = self.table.get_mut(fd)?;
        let Handle::Dir(dir) = &mut entry.handle else {
            return Err(Errno::Notdir);
        };
        has_rights(entry.rights_base, Rights::FD_READDIR)?;
        let mut mem = GuestMemory::new(memory);
        mem.check(bufused_out, 4)?;
        let out = mem.bytes_mut(buf, buf_len)?;
        let listing = listing_from(dir, cookie)?;
        let start = usize::try_from(cookie).unwrap_or(usize::MAX);
        let mut used = 0;
        for (index, listed) in listing.iter().enumerate().skip(start) {
            let header = Dirent {
                next: index as u64 + 1,
                ino: listed.ino,
                namlen: u32::try_from(listed.name.len()).map_err(|_| Errno::Overflow)?,
                filetype: listed.filetype,
            }
            .encode();
            for part in [&header[..], &listed.name[..]] {
                let n = part.len().min(out.len() - used);
                out[used..used + n].copy_from_slice(&part[..n]);
                used += n;
            }
            if used == out.len() {
                break;
            }
        }
        mem.write_u32(bufused_out, transferred(used))
    }

    /// `fd_renumber`: moves `fd` to number `to`, closing what was there.
    pub fn fd_renumber(&mut self, _memory: &mut [u8], fd: u32, to: u32) -> Result<(), Errno> {
        self.table.renumber(fd, to)
    }

    /// `fd_seek`: moves the file position. Seeking by 0 from the current
    /// position (a "tell") needs only `FD_TELL`.
    pub fn fd_seek(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        offset: u64,
        whence: u32,
        newoffset_out: u32,
    ) -> Result<(), Errno> {
        let whence = Whence::from_raw(whence)?;
        // `filedelta` is signed.
        let delta = offset as i64;
        let entry = self.table.get(fd)?;
        let file = entry.file(Rights::empty(), Errno::Spipe)?;
        if delta == 0 && whence == Whence::Cur {
            require_tell(entry)?;
        } else {
            entry.require(Rights::FD_SEEK)?;
        }
        let mut mem = GuestMemory::new(memory);
        mem.check(newoffset_out, 8)?;
        let position = match whence {
            Whence::Set => SeekFrom::Start(u64::try_from(delta).map_err(|_| Errno::Inval)?),
            Whence::Cur => SeekFrom::Current(delta),
            Whence::End => SeekFrom::End(delta),
        };
        let new_offset = rustix::fs::seek(file, position)?;
        mem.write_u64(newoffset_out, new_offset)
    }

    /// `fd_tell`: the file position. This is exactly the "tell" case of
    /// `fd_seek` (by 0 from the current position), checks and errnos
    /// included.
    pub fn fd_tell(&mut self, memory: &mut [u8], fd: u32, offset_out: u32) -> Result<(), Errno> {
        self.fd_seek(memory, fd, 0, Whence::Cur.raw().into(), offset_out)
    }

    /// `fd_write`: writes the iovecs at the current position (at the end
    /// with `APPEND`).
    pub fn fd_write(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        nwritten_out: u32,
    ) -> Result<(), Errno> {
        let entry = self.table.get_mut(fd)?;
        let sink = entry.handle.sink()?;
        has_rights(entry.rights_base, Rights::FD_WRITE)?;
        write_vectored(memory, iovs, iovs_len, nwritten_out, |bufs| {
            sink.write(bufs)
        })
    }
}

/// The host descriptor `fd_sync`/`fd_datasync` flush: files and
/// directories; `INVAL` for streams and sockets, as `fsync` answers.
fn syncable(entry: &Entry, right: Rights) -> Result<std::os::fd::BorrowedFd<'_>, Errno> {
    match &entry.handle {
        Handle::File(_) | Handle::Dir(_) => {
            entry.require(right)?;
            entry.handle.host_fd().ok_or(Errno::Inval)
        }
        _ => Err(Errno::Inval),
    }
}

/// `FD_SEEK` implies `FD_TELL` (witx).
fn require_tell(entry: &Entry) -> Result<(), Errno> {
    if entry
        .rights_base
        .intersects(Rights::FD_TELL | Rights::FD_SEEK)
    {
        Ok(())
    } else {
        Err(Errno::Notcapable)
    }
}

fn preopen_name(entry: &Entry) -> Result<&str, Errno> {
    match &entry.handle {
        Handle::Dir(DirHandle {
            preopen_name: Some(name),
            ..
        }) => Ok(name),
        _ => Err(Errno::Badf),
    }
}

/// The listing `fd_readdir` continues from `cookie`: re-read from the
/// directory when starting over (cookie 0) or when there is none yet.
fn listing_from(dir: &mut DirHandle, cookie: u64) -> Result<&[ListedEntry], Errno> {
    if cookie == 0 || dir.listing.is_none() {
        dir.listing = Some(read_listing(&dir.dir)?);
    }
    Ok(dir.listing.as_deref().unwrap_or_default())
}

fn read_listing(dir: &cap_std::fs::Dir) -> Result<Vec<ListedEntry>, Errno> {
    use cap_std::fs::MetadataExt;
    use rustix::fs::DirEntryExt;
    use std::os::unix::ffi::OsStringExt;

    // `..` gets the directory's own inode: its real parent may be outside
    // the sandbox, and a guest has no business learning about it.
    let own_ino = dir.dir_metadata()?.ino();
    let mut listing = vec![
        ListedEntry {
            name: b".".to_vec(),
            ino: own_ino,
            filetype: crate::abi::Filetype::Directory,
        },
        ListedEntry {
            name: b"..".to_vec(),
            ino: own_ino,
            filetype: crate::abi::Filetype::Directory,
        },
    ];
    for entry in dir.entries()? {
        let entry = entry?;
        let file_type = match entry.file_type() {
            Ok(file_type) => file_type,
            // Removed since the directory was read: skip it.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err.into()),
        };
        listing.push(ListedEntry {
            ino: entry.ino(),
            filetype: metadata_filetype(file_type),
            name: entry.file_name().into_vec(),
        });
    }
    Ok(listing)
}
