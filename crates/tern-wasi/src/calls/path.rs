//! `path_*`: operations on paths relative to a directory descriptor.
//!
//! Every path is resolved by cap-std relative to the directory handle the
//! guest names, never by this crate: cap-std refuses absolute paths, `..`
//! that climbs above the handle, and symlinks whose target leads outside
//! (it uses `openat2(RESOLVE_BENEATH)` where the kernel has it and a
//! component-by-component walk otherwise). So the sandbox holds by
//! construction: the only directories the guest can name are handles in
//! its table, and every one of those came from a preopen.
//!
//! Guest paths must be UTF-8 (`ILSEQ` otherwise) without NUL bytes
//! (`INVAL`); an empty path is `NOENT`, as in POSIX.

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt};
use cap_std::fs::{Dir, OpenOptions, OpenOptionsExt};
use rustix::fs::OFlags;

use crate::abi::{Errno, Fdflags, Filestat, Filetype, Lookupflags, Oflags, Rights};
use crate::ctx::WasiCtx;
use crate::filestat::{self, host_filetype, time_changes};
use crate::memory::GuestMemory;
use crate::rights;
use crate::table::{DirHandle, Entry, Handle};

/// The path argument at `ptr`/`len`.
fn guest_path<'m>(mem: &'m GuestMemory<'_>, ptr: u32, len: u32) -> Result<&'m str, Errno> {
    let path = mem.str(ptr, len)?;
    if path.contains('\0') {
        return Err(Errno::Inval);
    }
    if path.is_empty() {
        return Err(Errno::Noent);
    }
    Ok(path)
}

fn follow(flags: u32) -> Result<FollowSymlinks, Errno> {
    let flags = Lookupflags::from_raw(u64::from(flags))?;
    Ok(if flags.contains(Lookupflags::SYMLINK_FOLLOW) {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    })
}

/// One side of a call naming entries in two directories: the directory
/// descriptor, the right that side needs on it, and the guest path (pointer
/// and length) under it.
type DirSide = (u32, Rights, u32, u32);

impl WasiCtx {
    /// `path_create_directory`: creates a directory.
    pub fn path_create_directory(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        path: u32,
        path_len: u32,
    ) -> Result<(), Errno> {
        let dir = self.table.dir(fd, Rights::PATH_CREATE_DIRECTORY)?;
        let mem = GuestMemory::new(memory);
        Ok(dir.create_dir(guest_path(&mem, path, path_len)?)?)
    }

    /// `path_filestat_get`: the attributes of a file, of the symlink itself
    /// unless `SYMLINK_FOLLOW` is set.
    pub fn path_filestat_get(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        flags: u32,
        path: u32,
        path_len: u32,
        filestat_out: u32,
    ) -> Result<(), Errno> {
        let follow = follow(flags)?;
        let dir = self.table.dir(fd, Rights::PATH_FILESTAT_GET)?;
        let mut mem = GuestMemory::new(memory);
        mem.check(filestat_out, Filestat::SIZE as u64)?;
        let path = guest_path(&mem, path, path_len)?;
        let metadata = match follow {
            FollowSymlinks::Yes => dir.metadata(path)?,
            FollowSymlinks::No => dir.symlink_metadata(path)?,
        };
        mem.write(filestat_out, &filestat::of_metadata(&metadata).encode())
    }

    /// `path_filestat_set_times`: sets a file's access and/or modification
    /// time (the symlink's own unless `SYMLINK_FOLLOW` is set).
    pub fn path_filestat_set_times(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        flags: u32,
        path: u32,
        path_len: u32,
        atim: u64,
        mtim: u64,
        fst_flags: u32,
    ) -> Result<(), Errno> {
        let follow = follow(flags)?;
        let (atime, mtime) = time_changes(atim, mtim, fst_flags)?;
        let dir = self.table.dir(fd, Rights::PATH_FILESTAT_SET_TIMES)?;
        let mem = GuestMemory::new(memory);
        let path = guest_path(&mem, path, path_len)?;
        let (atime, mtime) = (atime.system_time_spec(), mtime.system_time_spec());
        match follow {
            FollowSymlinks::Yes => dir.set_times(path, atime, mtime)?,
            FollowSymlinks::No => dir.set_symlink_times(path, atime, mtime)?,
        }
        Ok(())
    }

    /// `path_link`: creates a hard link. Following a symlink at the source
    /// is not supported (`INVAL`), as cap-std only links the entry itself.
    pub fn path_link(
        &mut self,
        memory: &mut [u8],
        old_fd: u32,
        old_flags: u32,
        old_path: u32,
        old_path_len: u32,
        new_fd: u32,
        new_path: u32,
        new_path_len: u32,
    ) -> Result<(), Errno> {
        if follow(old_flags)? == FollowSymlinks::Yes {
            return Err(Errno::Inval);
        }
        self.between_dirs(
            memory,
            (old_fd, Rights::PATH_LINK_SOURCE, old_path, old_path_len),
            (new_fd, Rights::PATH_LINK_TARGET, new_path, new_path_len),
            |old_dir, old_path, new_dir, new_path| old_dir.hard_link(old_path, new_dir, new_path),
        )
    }

    /// `path_open`: opens a file or directory; see the module docs of
    /// [`crate::rights`] for how the new descriptor's rights are derived.
    pub fn path_open(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        dirflags: u32,
        path: u32,
        path_len: u32,
        oflags: u32,
        rights_base: u64,
        rights_inheriting: u64,
        fdflags: u32,
        fd_out: u32,
    ) -> Result<(), Errno> {
        let follow = follow(dirflags)?;
        let oflags = Oflags::from_raw(u64::from(oflags))?;
        let requested_base = Rights::from_raw(rights_base)?;
        let requested_inheriting = Rights::from_raw(rights_inheriting)?;
        let fdflags = Fdflags::from_raw(u64::from(fdflags))?;
        if oflags.contains(Oflags::CREAT | Oflags::DIRECTORY) {
            // Creating a directory is path_create_directory's job.
            return Err(Errno::Inval);
        }

        let parent = self.table.get(fd)?;
        let dir = parent.dir(open_rights(oflags))?;
        let (base, inheriting) = rights::grantable(
            requested_base,
            requested_inheriting,
            parent.rights_inheriting,
        )?;
        self.table.check_room()?;
        let mut mem = GuestMemory::new(memory);
        mem.check(fd_out, 4)?;
        let path = guest_path(&mem, path, path_len)?;

        let file = dir
            .dir
            .open_with(path, &open_options(base, oflags, fdflags, follow))?;
        let filetype = host_filetype(rustix::fs::fstat(&file)?.st_mode);
        let handle = if filetype == Filetype::Directory {
            Handle::Dir(DirHandle {
                dir: Dir::from_std_file(file.into_std()),
                preopen_name: None,
                listing: None,
            })
        } else {
            Handle::File(file)
        };
        let new_fd = self.table.insert(Entry {
            handle,
            filetype,
            rights_base: base & rights::applicable(filetype),
            rights_inheriting: inheriting,
            flags: fdflags,
        })?;
        mem.write_u32(fd_out, new_fd)
    }

    /// `path_readlink`: the contents of a symlink, cut off at `buf_len`
    /// bytes, without a terminator.
    pub fn path_readlink(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        path: u32,
        path_len: u32,
        buf: u32,
        buf_len: u32,
        bufused_out: u32,
    ) -> Result<(), Errno> {
        use std::os::unix::ffi::OsStrExt;

        let dir = self.table.dir(fd, Rights::PATH_READLINK)?;
        let mut mem = GuestMemory::new(memory);
        mem.check(buf, u64::from(buf_len))?;
        mem.check(bufused_out, 4)?;
        let target = dir.read_link_contents(guest_path(&mem, path, path_len)?)?;
        let bytes = target.as_os_str().as_bytes();
        let used = bytes.len().min(buf_len as usize);
        mem.write(buf, &bytes[..used])?;
        // `used <= buf_len`, a u32.
        mem.write_u32(bufused_out, used as u32)
    }

    /// `path_remove_directory`: removes an empty directory.
    pub fn path_remove_directory(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        path: u32,
        path_len: u32,
    ) -> Result<(), Errno> {
        let dir = self.table.dir(fd, Rights::PATH_REMOVE_DIRECTORY)?;
        let mem = GuestMemory::new(memory);
        let path = guest_path(&mem, path, path_len)?;
        // rmdir(2) accepts `dir/`; cap-std would resolve it to `dir/.`,
        // which cannot be removed (`INVAL`). The target must be a directory
        // either way, so the slashes carry no meaning: drop them.
        let trimmed = path.trim_end_matches('/');
        Ok(dir.remove_dir(if trimmed.is_empty() { path } else { trimmed })?)
    }

    /// `path_rename`: renames a file or directory, possibly into another
    /// directory descriptor.
    pub fn path_rename(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        old_path: u32,
        old_path_len: u32,
        new_fd: u32,
        new_path: u32,
        new_path_len: u32,
    ) -> Result<(), Errno> {
        self.between_dirs(
            memory,
            (fd, Rights::PATH_RENAME_SOURCE, old_path, old_path_len),
            (new_fd, Rights::PATH_RENAME_TARGET, new_path, new_path_len),
            |old_dir, old_path, new_dir, new_path| old_dir.rename(old_path, new_dir, new_path),
        )
    }

    /// `path_symlink`: creates a symlink at `new_path` containing
    /// `old_path`. Absolute targets are refused (by cap-std) even though
    /// they could never be followed out of the sandbox, so that a guest
    /// cannot plant a link that misleads programs outside it.
    pub fn path_symlink(
        &mut self,
        memory: &mut [u8],
        old_path: u32,
        old_path_len: u32,
        fd: u32,
        new_path: u32,
        new_path_len: u32,
    ) -> Result<(), Errno> {
        let dir = self.table.dir(fd, Rights::PATH_SYMLINK)?;
        let mem = GuestMemory::new(memory);
        let target = guest_path(&mem, old_path, old_path_len)?;
        let link = guest_path(&mem, new_path, new_path_len)?;
        Ok(dir.symlink(target, link)?)
    }

    /// `path_unlink_file`: removes a non-directory entry.
    pub fn path_unlink_file(
        &mut self,
        memory: &mut [u8],
        fd: u32,
        path: u32,
        path_len: u32,
    ) -> Result<(), Errno> {
        let dir = self.table.dir(fd, Rights::PATH_UNLINK_FILE)?;
        let mem = GuestMemory::new(memory);
        Ok(dir.remove_file(guest_path(&mem, path, path_len)?)?)
    }

    /// The body `path_link` and `path_rename` share: `op` gets the `old`
    /// entry's directory and path and the `new` one's. Both directories are
    /// looked up and their rights checked (old side first) before either
    /// path is read, so a bad descriptor on either side wins over a bad
    /// path.
    fn between_dirs(
        &self,
        memory: &mut [u8],
        (old_fd, old_right, old_path, old_path_len): DirSide,
        (new_fd, new_right, new_path, new_path_len): DirSide,
        op: impl FnOnce(&Dir, &str, &Dir, &str) -> std::io::Result<()>,
    ) -> Result<(), Errno> {
        let old_dir = self.table.dir(old_fd, old_right)?;
        let new_dir = self.table.dir(new_fd, new_right)?;
        let mem = GuestMemory::new(memory);
        let old_path = guest_path(&mem, old_path, old_path_len)?;
        let new_path = guest_path(&mem, new_path, new_path_len)?;
        Ok(op(old_dir, old_path, new_dir, new_path)?)
    }
}

/// The rights `path_open` needs on the directory for these flags (witx:
/// `PATH_CREATE_FILE` for `CREAT`, `PATH_FILESTAT_SET_SIZE` for `TRUNC`).
/// The witx also ties the synchronized modes to `FD_SYNC`/`FD_DATASYNC`,
/// but the wasi-testsuite (`path_filestat`) expects `SYNC` to be granted
/// through a directory without them, and synchronous writes change no
/// data a descriptor could not change anyway: they are not checked.
fn open_rights(oflags: Oflags) -> Rights {
    let mut needed = Rights::PATH_OPEN;
    if oflags.contains(Oflags::CREAT) {
        needed |= Rights::PATH_CREATE_FILE;
    }
    if oflags.contains(Oflags::TRUNC) {
        needed |= Rights::PATH_FILESTAT_SET_SIZE;
    }
    needed
}

/// How to open the file at the OS level. Write access is requested only if
/// the granted rights need it, or to create or truncate (which the
/// directory's rights allowed); everything else is read access. The
/// descriptor flags go in as raw `O_*` flags so that `APPEND` does not
/// imply write access the rights do not grant.
fn open_options(
    granted: Rights,
    oflags: Oflags,
    fdflags: Fdflags,
    follow: FollowSymlinks,
) -> OpenOptions {
    let write = granted.intersects(rights::WRITE_ACCESS)
        || oflags.intersects(Oflags::CREAT | Oflags::TRUNC);
    let read = granted.intersects(rights::READ_ACCESS) || !write;
    let mut host_flags = OFlags::empty();
    host_flags.set(OFlags::DIRECTORY, oflags.contains(Oflags::DIRECTORY));
    host_flags.set(OFlags::APPEND, fdflags.contains(Fdflags::APPEND));
    host_flags.set(OFlags::NONBLOCK, fdflags.contains(Fdflags::NONBLOCK));
    host_flags.set(OFlags::DSYNC, fdflags.contains(Fdflags::DSYNC));
    host_flags.set(OFlags::RSYNC, fdflags.contains(Fdflags::RSYNC));
    host_flags.set(OFlags::SYNC, fdflags.contains(Fdflags::SYNC));

    let mut options = OpenOptions::new();
    options.read(read).write(write);
    if oflags.contains(Oflags::CREAT | Oflags::EXCL) {
        options.create_new(true);
    } else if oflags.contains(Oflags::CREAT) {
        options.create(true);
    }
    options.truncate(oflags.contains(Oflags::TRUNC));
    options.custom_flags(host_flags.bits() as i32);
    options.follow(follow);
    options.maybe_dir(true);
    options
}
