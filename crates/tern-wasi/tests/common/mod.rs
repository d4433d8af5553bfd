//! A fake guest for the integration tests: a `WasiCtx`, a `Vec<u8>` linear
//! memory with a bump allocator, and typed wrappers that lay out arguments
//! in memory the way a wasm32 program would and call the host through
//! `tern_wasi::dispatch` (so every test also exercises the dispatch table).
//! Results are decoded from raw bytes at the witx offsets, independently of
//! the crate's own encoders.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::path::Path;

use tern_wasi::abi::{Filetype, Iovec};
use tern_wasi::{Errno, Unwind, WasiCtx, WasiCtxBuilder, WasiFunc, dispatch};

pub const MEMORY_SIZE: usize = 1 << 20;
pub const STDIN: u32 = 0;
pub const STDOUT: u32 = 1;
pub const STDERR: u32 = 2;
/// The first preopen.
pub const PREOPEN: u32 = 3;

pub struct Guest {
    pub ctx: WasiCtx,
    pub mem: Vec<u8>,
    next: u32,
}

/// `filestat` decoded from guest memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

/// `fdstat` decoded from guest memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdStat {
    pub filetype: u8,
    pub flags: u16,
    pub base: u64,
    pub inheriting: u64,
}

/// One `dirent` and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub next: u64,
    pub ino: u64,
    pub filetype: u8,
    pub name: String,
}

pub fn errno(code: i32) -> Errno {
    Errno::from_raw(code as u32).expect("the host returned a valid errno")
}

pub fn ok_or(code: Errno) -> Result<(), Errno> {
    if code == Errno::Success {
        Ok(())
    } else {
        Err(code)
    }
}

impl Guest {
    pub fn new(builder: WasiCtxBuilder) -> Guest {
        Guest {
            ctx: builder.build().expect("building the WASI context"),
            mem: vec![0; MEMORY_SIZE],
            // Leave page 0 alone so that pointer 0 is never a valid buffer.
            next: 4096,
        }
    }

    /// A guest with `dir` preopened read-write as `/`.
    pub fn with_dir(dir: &Path) -> Guest {
        Guest::new(WasiCtxBuilder::new().preopened_dir(dir, "/", tern_wasi::DirPerms::ReadWrite))
    }

    /// A guest with a fresh temporary directory preopened read-write as
    /// `/`; the directory lives as long as the returned handle.
    pub fn in_tempdir() -> (tempfile::TempDir, Guest) {
        let dir = tempdir();
        let guest = Guest::with_dir(dir.path());
        (dir, guest)
    }

    /// Allocates `len` zeroed bytes, 8-aligned.
    pub fn alloc(&mut self, len: usize) -> u32 {
        let at = self.next;
        self.next = (self.next + len as u32 + 7) & !7;
        assert!(
            self.next as usize <= MEMORY_SIZE,
            "test guest out of memory"
        );
        at
    }

    /// Copies `data` into fresh guest memory.
    pub fn put(&mut self, data: &[u8]) -> u32 {
        let at = self.alloc(data.len());
        self.mem[at as usize..at as usize + data.len()].copy_from_slice(data);
        at
    }

    pub fn bytes(&self, ptr: u32, len: usize) -> &[u8] {
        &self.mem[ptr as usize..ptr as usize + len]
    }

    pub fn u16_at(&self, ptr: u32) -> u16 {
        u16::from_le_bytes(self.bytes(ptr, 2).try_into().unwrap())
    }

    pub fn u32_at(&self, ptr: u32) -> u32 {
        u32::from_le_bytes(self.bytes(ptr, 4).try_into().unwrap())
    }

    pub fn u64_at(&self, ptr: u32) -> u64 {
        u64::from_le_bytes(self.bytes(ptr, 8).try_into().unwrap())
    }

    /// Calls `name` through the dispatch table.
    pub fn call(&mut self, name: &str, args: &[u64]) -> Result<Errno, Unwind> {
        let func = WasiFunc::from_name(name).unwrap_or_else(|| panic!("no WASI function {name}"));
        dispatch(&mut self.ctx, &mut self.mem, func, args).map(errno)
    }

    /// Calls `name`, which must not unwind, and returns its errno.
    pub fn errno(&mut self, name: &str, args: &[u64]) -> Errno {
        self.call(name, args).expect("the call returned normally")
    }

    /// Calls `name` and turns its errno into a `Result`.
    pub fn ok(&mut self, name: &str, args: &[u64]) -> Result<(), Errno> {
        ok_or(self.errno(name, args))
    }

    /// Lays out `bufs` as an iovec array pointing at copies of them.
    pub fn iovecs(&mut self, bufs: &[&[u8]]) -> u32 {
        let iovecs: Vec<Iovec> = bufs
            .iter()
            .map(|b| Iovec {
                buf: self.put(b),
                buf_len: b.len() as u32,
            })
            .collect();
        self.raw_iovecs(&iovecs)
    }

    /// Lays out the given iovec structs.
    pub fn raw_iovecs(&mut self, iovecs: &[Iovec]) -> u32 {
        let bytes: Vec<u8> = iovecs.iter().flat_map(|i| i.encode()).collect();
        self.put(&bytes)
    }

    /// `path_open`, arguments in wasm order.
    #[allow(clippy::too_many_arguments)]
    pub fn path_open(
        &mut self,
        dir: u32,
        lookup: u32,
        path: &str,
        oflags: u16,
        base: u64,
        inheriting: u64,
        fdflags: u16,
    ) -> Result<u32, Errno> {
        let p = self.put(path.as_bytes());
        let out = self.alloc(4);
        self.ok(
            "path_open",
            &[
                dir.into(),
                lookup.into(),
                p.into(),
                path.len() as u64,
                oflags.into(),
                base,
                inheriting,
                fdflags.into(),
                out.into(),
            ],
        )?;
        Ok(self.u32_at(out))
    }

    /// Opens (creating if needed) a file with the given rights.
    pub fn create(&mut self, dir: u32, path: &str, base: u64) -> Result<u32, Errno> {
        self.path_open(dir, 0, path, 1, base, 0, 0)
    }

    pub fn write(&mut self, fd: u32, data: &[u8]) -> Result<u32, Errno> {
        let iovs = self.iovecs(&[data]);
        let out = self.alloc(4);
        self.ok("fd_write", &[fd.into(), iovs.into(), 1, out.into()])?;
        Ok(self.u32_at(out))
    }

    pub fn pwrite(&mut self, fd: u32, data: &[u8], offset: u64) -> Result<u32, Errno> {
        let iovs = self.iovecs(&[data]);
        let out = self.alloc(4);
        self.ok(
            "fd_pwrite",
            &[fd.into(), iovs.into(), 1, offset, out.into()],
        )?;
        Ok(self.u32_at(out))
    }

    pub fn read(&mut self, fd: u32, len: usize) -> Result<Vec<u8>, Errno> {
        let buf = self.alloc(len);
        let iovs = self.raw_iovecs(&[Iovec {
            buf,
            buf_len: len as u32,
        }]);
        let out = self.alloc(4);
        self.ok("fd_read", &[fd.into(), iovs.into(), 1, out.into()])?;
        let n = self.u32_at(out) as usize;
        Ok(self.bytes(buf, n).to_vec())
    }

    pub fn pread(&mut self, fd: u32, len: usize, offset: u64) -> Result<Vec<u8>, Errno> {
        let buf = self.alloc(len);
        let iovs = self.raw_iovecs(&[Iovec {
            buf,
            buf_len: len as u32,
        }]);
        let out = self.alloc(4);
        self.ok("fd_pread", &[fd.into(), iovs.into(), 1, offset, out.into()])?;
        let n = self.u32_at(out) as usize;
        Ok(self.bytes(buf, n).to_vec())
    }

    pub fn seek(&mut self, fd: u32, offset: i64, whence: u8) -> Result<u64, Errno> {
        let out = self.alloc(8);
        self.ok(
            "fd_seek",
            &[fd.into(), offset as u64, whence.into(), out.into()],
        )?;
        Ok(self.u64_at(out))
    }

    pub fn tell(&mut self, fd: u32) -> Result<u64, Errno> {
        let out = self.alloc(8);
        self.ok("fd_tell", &[fd.into(), out.into()])?;
        Ok(self.u64_at(out))
    }

    pub fn close(&mut self, fd: u32) -> Result<(), Errno> {
        self.ok("fd_close", &[fd.into()])
    }

    pub fn fdstat(&mut self, fd: u32) -> Result<FdStat, Errno> {
        let out = self.alloc(24);
        self.ok("fd_fdstat_get", &[fd.into(), out.into()])?;
        Ok(FdStat {
            filetype: self.mem[out as usize],
            flags: self.u16_at(out + 2),
            base: self.u64_at(out + 8),
            inheriting: self.u64_at(out + 16),
        })
    }

    fn stat_at(&self, out: u32) -> Stat {
        Stat {
            dev: self.u64_at(out),
            ino: self.u64_at(out + 8),
            filetype: self.mem[out as usize + 16],
            nlink: self.u64_at(out + 24),
            size: self.u64_at(out + 32),
            atim: self.u64_at(out + 40),
            mtim: self.u64_at(out + 48),
            ctim: self.u64_at(out + 56),
        }
    }

    pub fn filestat(&mut self, fd: u32) -> Result<Stat, Errno> {
        let out = self.alloc(64);
        self.ok("fd_filestat_get", &[fd.into(), out.into()])?;
        Ok(self.stat_at(out))
    }

    pub fn path_filestat(&mut self, dir: u32, lookup: u32, path: &str) -> Result<Stat, Errno> {
        let p = self.put(path.as_bytes());
        let out = self.alloc(64);
        self.ok(
            "path_filestat_get",
            &[
                dir.into(),
                lookup.into(),
                p.into(),
                path.len() as u64,
                out.into(),
            ],
        )?;
        Ok(self.stat_at(out))
    }

    /// Calls a `path_*` function whose arguments are (fd, path, path_len).
    pub fn path_op(&mut self, name: &str, dir: u32, path: &str) -> Result<(), Errno> {
        let p = self.put(path.as_bytes());
        self.ok(name, &[dir.into(), p.into(), path.len() as u64])
    }

    pub fn mkdir(&mut self, dir: u32, path: &str) -> Result<(), Errno> {
        self.path_op("path_create_directory", dir, path)
    }

    pub fn rmdir(&mut self, dir: u32, path: &str) -> Result<(), Errno> {
        self.path_op("path_remove_directory", dir, path)
    }

    pub fn unlink(&mut self, dir: u32, path: &str) -> Result<(), Errno> {
        self.path_op("path_unlink_file", dir, path)
    }

    pub fn symlink(&mut self, target: &str, dir: u32, link: &str) -> Result<(), Errno> {
        let t = self.put(target.as_bytes());
        let l = self.put(link.as_bytes());
        self.ok(
            "path_symlink",
            &[
                t.into(),
                target.len() as u64,
                dir.into(),
                l.into(),
                link.len() as u64,
            ],
        )
    }

    pub fn rename(&mut self, dir: u32, old: &str, new_dir: u32, new: &str) -> Result<(), Errno> {
        let o = self.put(old.as_bytes());
        let n = self.put(new.as_bytes());
        self.ok(
            "path_rename",
            &[
                dir.into(),
                o.into(),
                old.len() as u64,
                new_dir.into(),
                n.into(),
                new.len() as u64,
            ],
        )
    }

    pub fn link(
        &mut self,
        dir: u32,
        lookup: u32,
        old: &str,
        new_dir: u32,
        new: &str,
    ) -> Result<(), Errno> {
        let o = self.put(old.as_bytes());
        let n = self.put(new.as_bytes());
        self.ok(
            "path_link",
            &[
                dir.into(),
                lookup.into(),
                o.into(),
                old.len() as u64,
                new_dir.into(),
                n.into(),
                new.len() as u64,
            ],
        )
    }

    pub fn readlink(&mut self, dir: u32, path: &str, buf_len: usize) -> Result<Vec<u8>, Errno> {
        let p = self.put(path.as_bytes());
        let buf = self.alloc(buf_len);
        let out = self.alloc(4);
        self.ok(
            "path_readlink",
            &[
                dir.into(),
                p.into(),
                path.len() as u64,
                buf.into(),
                buf_len as u64,
                out.into(),
            ],
        )?;
        let n = self.u32_at(out) as usize;
        Ok(self.bytes(buf, n).to_vec())
    }

    /// One `fd_readdir` call: the complete entries and the bytes used.
    pub fn readdir(
        &mut self,
        fd: u32,
        buf_len: usize,
        cookie: u64,
    ) -> Result<(Vec<DirEntry>, usize), Errno> {
        let buf = self.alloc(buf_len);
        let out = self.alloc(4);
        self.ok(
            "fd_readdir",
            &[fd.into(), buf.into(), buf_len as u64, cookie, out.into()],
        )?;
        let used = self.u32_at(out) as usize;
        let bytes = self.bytes(buf, used).to_vec();
        let mut entries = Vec::new();
        let mut rest = &bytes[..];
        while rest.len() >= 24 {
            let namlen = u32::from_le_bytes(rest[16..20].try_into().unwrap()) as usize;
            if rest.len() < 24 + namlen {
                break;
            }
            entries.push(DirEntry {
                next: u64::from_le_bytes(rest[0..8].try_into().unwrap()),
                ino: u64::from_le_bytes(rest[8..16].try_into().unwrap()),
                filetype: rest[20],
                name: String::from_utf8(rest[24..24 + namlen].to_vec()).unwrap(),
            });
            rest = &rest[24 + namlen..];
        }
        Ok((entries, used))
    }

    /// All entries of a directory, read `buf_len` bytes at a time.
    pub fn readdir_all(&mut self, fd: u32, buf_len: usize) -> Vec<DirEntry> {
        let mut all = Vec::new();
        let mut cookie = 0;
        loop {
            let (entries, used) = self.readdir(fd, buf_len, cookie).expect("fd_readdir");
            if let Some(last) = entries.last() {
                cookie = last.next;
            }
            let done = used < buf_len;
            assert!(
                done || !entries.is_empty(),
                "buffer too small for one entry"
            );
            all.extend(entries);
            if done {
                return all;
            }
        }
    }
}

pub fn filetype(t: Filetype) -> u8 {
    t.raw()
}

/// A fresh, writable temporary directory (the OS removes it on drop).
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("creating a temporary directory")
}
