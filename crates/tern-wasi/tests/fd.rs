//! The `fd_*` functions on files, directories and standard streams.

mod common;

use common::{Guest, PREOPEN, STDERR, STDIN, STDOUT, filetype, tempdir};
use tern_wasi::abi::{Fdflags, Filetype, Iovec, Oflags, Rights};
use tern_wasi::{Errno, Input, Output, ReadPipe, WasiCtxBuilder, WritePipe};

const RW: u64 = Rights::FD_READ.bits() | Rights::FD_WRITE.bits();
const RW_SEEK: u64 = RW | Rights::FD_SEEK.bits() | Rights::FD_TELL.bits();
const CREAT: u16 = Oflags::CREAT.bits();

#[test]
fn writes_read_back_and_the_position_moves() {
    let (dir, mut guest) = Guest::in_tempdir();
    let fd = guest.create(PREOPEN, "file", RW_SEEK).unwrap();
    assert!(fd > STDERR);
    assert_eq!(guest.tell(fd), Ok(0));
    assert_eq!(guest.write(fd, b"hello world"), Ok(11));
    assert_eq!(guest.tell(fd), Ok(11));
    assert_eq!(guest.seek(fd, -5, 1), Ok(6));
    assert_eq!(guest.read(fd, 100).unwrap(), b"world");
    assert_eq!(guest.seek(fd, 0, 0), Ok(0));
    assert_eq!(guest.read(fd, 5).unwrap(), b"hello");
    assert_eq!(guest.seek(fd, 0, 2), Ok(11));
    // Past the end is allowed, before the start is not.
    assert_eq!(guest.seek(fd, 1000, 1), Ok(1011));
    assert_eq!(guest.seek(fd, -2000, 1), Err(Errno::Inval));
    assert_eq!(guest.seek(fd, 0, 3), Err(Errno::Inval), "bad whence");
    assert_eq!(
        std::fs::read(dir.path().join("file")).unwrap(),
        b"hello world"
    );
}

#[test]
fn scatter_gather_uses_every_iovec_in_order() {
    let (_dir, mut guest) = Guest::in_tempdir();
    let fd = guest.create(PREOPEN, "file", RW_SEEK).unwrap();
    let iovs = guest.iovecs(&[b"ab", b"", b"cde", b"f"]);
    let out = guest.alloc(4);
    guest
        .ok("fd_write", &[fd.into(), iovs.into(), 4, out.into()])
        .unwrap();
    assert_eq!(guest.u32_at(out), 6);
    guest.seek(fd, 0, 0).unwrap();
    let (a, b) = (guest.alloc(4), guest.alloc(8));
    let iovs = guest.raw_iovecs(&[Iovec { buf: a, buf_len: 4 }, Iovec { buf: b, buf_len: 8 }]);
    guest
        .ok("fd_read", &[fd.into(), iovs.into(), 2, out.into()])
        .unwrap();
    assert_eq!(guest.u32_at(out), 6);
    assert_eq!(guest.bytes(a, 4), b"abcd");
    assert_eq!(guest.bytes(b, 2), b"ef");
    // At end of file a read returns 0 bytes.
    assert_eq!(guest.read(fd, 10).unwrap(), b"");
}

#[test]
fn pread_and_pwrite_leave_the_position_alone() {
    let (_dir, mut guest) = Guest::in_tempdir();
    let fd = guest.create(PREOPEN, "file", RW_SEEK).unwrap();
    assert_eq!(guest.pwrite(fd, &[0, 1, 2, 3], 0), Ok(4));
    assert_eq!(guest.tell(fd), Ok(0));
    assert_eq!(guest.pread(fd, 4, 2).unwrap(), [2, 3]);
    assert_eq!(guest.pwrite(fd, &[1, 0], 2), Ok(2));
    assert_eq!(guest.pread(fd, 4, 0).unwrap(), [0, 1, 1, 0]);
    assert_eq!(guest.tell(fd), Ok(0));
    // pread/pwrite need FD_SEEK besides FD_READ/FD_WRITE (witx).
    let no_seek = guest.path_open(PREOPEN, 0, "file", 0, RW, 0, 0).unwrap();
    assert_eq!(guest.pread(no_seek, 1, 0), Err(Errno::Notcapable));
    assert_eq!(guest.pwrite(no_seek, b"x", 0), Err(Errno::Notcapable));
}

#[test]
fn append_mode_writes_at_the_end_until_turned_off() {
    // The sequence of wasi-testsuite's `fd_flags_set`.
    let (_dir, mut guest) = Guest::in_tempdir();
    let rights = RW_SEEK | Rights::FD_FDSTAT_SET_FLAGS.bits() | Rights::FD_FILESTAT_GET.bits();
    let append = Fdflags::APPEND.bits();
    let fd = guest
        .path_open(PREOPEN, 0, "file", CREAT, rights, 0, append)
        .unwrap();
    assert_eq!(guest.fdstat(fd).unwrap().flags, append);
    guest.write(fd, &[0; 100]).unwrap();
    guest.seek(fd, 0, 0).unwrap();
    guest.write(fd, &[1; 100]).unwrap();
    assert_eq!(guest.pread(fd, 200, 100).unwrap(), [1; 100]);
    guest.ok("fd_fdstat_set_flags", &[fd.into(), 0]).unwrap();
    assert_eq!(guest.fdstat(fd).unwrap().flags, 0);
    guest.seek(fd, 0, 0).unwrap();
    guest.write(fd, &[2; 100]).unwrap();
    assert_eq!(guest.pread(fd, 100, 0).unwrap(), [2; 100]);
    assert_eq!(guest.filestat(fd).unwrap().size, 200);
    // The synchronization flags cannot be changed after opening.
    let sync = Fdflags::SYNC.bits();
    assert_eq!(
        guest.errno("fd_fdstat_set_flags", &[fd.into(), sync.into()]),
        Errno::Notsup
    );
    assert_eq!(
        guest.errno("fd_fdstat_set_flags", &[fd.into(), 1 << 5]),
        Errno::Inval
    );
}

#[test]
fn fdstat_reports_type_flags_and_granted_rights() {
    let (_dir, mut guest) = Guest::in_tempdir();
    let requested = RW | Rights::FD_READDIR.bits() | Rights::PATH_OPEN.bits();
    let fd = guest
        .path_open(
            PREOPEN,
            0,
            "file",
            CREAT,
            requested,
            Rights::FD_READ.bits(),
            0,
        )
        .unwrap();
    let stat = guest.fdstat(fd).unwrap();
    assert_eq!(stat.filetype, filetype(Filetype::RegularFile));
    // Rights that do not apply to a file are dropped, the rest granted.
    assert_eq!(stat.base, RW);
    assert_eq!(stat.inheriting, Rights::FD_READ.bits());
    let preopen = guest.fdstat(PREOPEN).unwrap();
    assert_eq!(preopen.filetype, filetype(Filetype::Directory));
    assert_eq!(preopen.flags, 0);
    assert_eq!(preopen.base & Rights::FD_SEEK.bits(), 0);
}

#[test]
fn rights_can_be_dropped_but_not_regained() {
    // wasi-testsuite's `fd_fdstat_set_rights`.
    let (_dir, mut guest) = Guest::in_tempdir();
    let fd = guest.create(PREOPEN, "file", RW_SEEK).unwrap();
    guest.write(fd, b"data").unwrap();
    let keep = RW_SEEK & !RW;
    guest
        .ok("fd_fdstat_set_rights", &[fd.into(), keep, 0])
        .unwrap();
    assert_eq!(guest.fdstat(fd).unwrap().base, keep);
    assert_eq!(guest.read(fd, 4), Err(Errno::Notcapable));
    assert_eq!(guest.write(fd, b"x"), Err(Errno::Notcapable));
    assert_eq!(guest.seek(fd, 0, 0), Ok(0), "the seek right was kept");
    assert_eq!(
        guest.errno("fd_fdstat_set_rights", &[fd.into(), RW_SEEK, 0]),
        Errno::Notcapable
    );
    assert_eq!(
        guest.errno("fd_fdstat_set_rights", &[fd.into(), keep, 1]),
        Errno::Notcapable,
        "inheriting rights cannot grow either"
    );
    assert_eq!(
        guest.errno("fd_fdstat_set_rights", &[fd.into(), 1 << 40, 0]),
        Errno::Inval
    );
}

#[test]
fn filestat_sizes_and_times_can_be_read_and_set() {
    // wasi-testsuite's `fd_filestat_set` and `fstflags_validate`.
    let (dir, mut guest) = Guest::in_tempdir();
    let rights = RW
        | Rights::FD_FILESTAT_GET.bits()
        | Rights::FD_FILESTAT_SET_SIZE.bits()
        | Rights::FD_FILESTAT_SET_TIMES.bits();
    let fd = guest.create(PREOPEN, "file", rights).unwrap();
    let stat = guest.filestat(fd).unwrap();
    assert_eq!(stat.filetype, filetype(Filetype::RegularFile));
    assert_eq!((stat.size, stat.nlink), (0, 1));
    assert_eq!(stat, guest.path_filestat(PREOPEN, 0, "file").unwrap());

    guest.ok("fd_filestat_set_size", &[fd.into(), 100]).unwrap();
    let stat = guest.filestat(fd).unwrap();
    assert_eq!(stat.size, 100);
    assert_eq!(
        std::fs::metadata(dir.path().join("file")).unwrap().len(),
        100
    );

    let new_mtim = stat.mtim - 100;
    let mtim_flag = 1 << 2;
    guest
        .ok(
            "fd_filestat_set_times",
            &[fd.into(), new_mtim, new_mtim, mtim_flag],
        )
        .unwrap();
    let after = guest.filestat(fd).unwrap();
    assert_eq!(after.mtim, new_mtim);
    assert_eq!(after.atim, stat.atim, "atim must not change");
    assert_eq!(after.size, 100);

    for both in [0b11, 0b1100] {
        assert_eq!(
            guest.errno("fd_filestat_set_times", &[fd.into(), 100, 200, both]),
            Errno::Inval
        );
    }
    assert_eq!(guest.filestat(fd).unwrap().mtim, new_mtim);
    // ATIM_NOW moves the access time to now.
    guest
        .ok("fd_filestat_set_times", &[fd.into(), 0, 0, 0b10])
        .unwrap();
    assert!(guest.filestat(fd).unwrap().atim >= stat.atim);
}

#[test]
fn advise_and_allocate() {
    // wasi-testsuite's `fd_advise` and `file_allocate`.
    let (_dir, mut guest) = Guest::in_tempdir();
    let rights = RW
        | Rights::FD_ADVISE.bits()
        | Rights::FD_ALLOCATE.bits()
        | Rights::FD_FILESTAT_GET.bits()
        | Rights::FD_FILESTAT_SET_SIZE.bits();
    let fd = guest.create(PREOPEN, "file", rights).unwrap();
    guest.ok("fd_filestat_set_size", &[fd.into(), 100]).unwrap();
    guest.ok("fd_advise", &[fd.into(), 10, 50, 0]).unwrap();
    assert_eq!(guest.filestat(fd).unwrap().size, 100);
    assert_eq!(
        guest.errno("fd_advise", &[fd.into(), 0, 0, 6]),
        Errno::Inval
    );
    match guest.ok("fd_allocate", &[fd.into(), 90, 20]) {
        Ok(()) => {
            assert_eq!(guest.filestat(fd).unwrap().size, 110);
            guest.ok("fd_allocate", &[fd.into(), 10, 10]).unwrap();
            assert_eq!(guest.filestat(fd).unwrap().size, 110);
        }
        Err(errno) => assert_eq!(errno, Errno::Notsup, "allocate on this file system"),
    }
    let no_rights = guest.path_open(PREOPEN, 0, "file", 0, RW, 0, 0).unwrap();
    assert_eq!(
        guest.errno("fd_advise", &[no_rights.into(), 0, 0, 0]),
        Errno::Notcapable
    );
    assert_eq!(
        guest.errno("fd_allocate", &[no_rights.into(), 0, 1]),
        Errno::Notcapable
    );
}

#[test]
fn sync_flushes_files_and_directories_but_not_streams() {
    let (_dir, mut guest) = Guest::in_tempdir();
    let rights = RW | Rights::FD_SYNC.bits() | Rights::FD_DATASYNC.bits();
    let fd = guest.create(PREOPEN, "file", rights).unwrap();
    guest.write(fd, b"x").unwrap();
    guest.ok("fd_sync", &[fd.into()]).unwrap();
    guest.ok("fd_datasync", &[fd.into()]).unwrap();
    guest.ok("fd_sync", &[PREOPEN.into()]).unwrap();
    assert_eq!(guest.errno("fd_sync", &[STDOUT.into()]), Errno::Inval);
    let without = guest.create(PREOPEN, "file", RW).unwrap();
    assert_eq!(
        guest.errno("fd_datasync", &[without.into()]),
        Errno::Notcapable
    );
}

#[test]
fn directories_refuse_file_operations_with_posix_errnos() {
    // wasi-testsuite's `dir_fd_op_failures` and `directory_seek`.
    let (_dir, mut guest) = Guest::in_tempdir();
    assert_eq!(guest.read(PREOPEN, 16), Err(Errno::Isdir));
    assert_eq!(guest.pread(PREOPEN, 16, 0), Err(Errno::Isdir));
    assert_eq!(guest.write(PREOPEN, b"x"), Err(Errno::Isdir));
    assert_eq!(guest.pwrite(PREOPEN, b"x", 0), Err(Errno::Isdir));
    for whence in 0..3 {
        assert_eq!(guest.seek(PREOPEN, 0, whence), Err(Errno::Isdir));
    }
    assert_eq!(guest.tell(PREOPEN), Err(Errno::Isdir));
    assert_eq!(
        guest.errno("fd_allocate", &[PREOPEN.into(), 0, 1]),
        Errno::Isdir
    );
    assert_eq!(
        guest.errno("fd_filestat_set_size", &[PREOPEN.into(), 0]),
        Errno::Isdir
    );
    guest.mkdir(PREOPEN, "sub").unwrap();
    let sub = guest
        .path_open(
            PREOPEN,
            0,
            "sub",
            Oflags::DIRECTORY.bits(),
            Rights::FD_SEEK.bits(),
            0,
            0,
        )
        .unwrap();
    assert_eq!(guest.fdstat(sub).unwrap().base & Rights::FD_SEEK.bits(), 0);
}

#[test]
fn readdir_lists_dot_entries_then_files_with_cookies() {
    // wasi-testsuite's `fd_readdir`.
    let (_dir, mut guest) = Guest::in_tempdir();
    let own = guest.filestat(PREOPEN).unwrap();
    let entries = guest.readdir_all(PREOPEN, 256);
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, [".", ".."]);
    assert_eq!(entries[0].ino, own.ino);
    assert!(
        entries
            .iter()
            .all(|e| e.filetype == filetype(Filetype::Directory))
    );
    assert_eq!((entries[0].next, entries[1].next), (1, 2));

    let fd = guest
        .create(PREOPEN, "file", RW | Rights::FD_FILESTAT_GET.bits())
        .unwrap();
    let file_ino = guest.filestat(fd).unwrap().ino;
    guest.mkdir(PREOPEN, "sub").unwrap();
    guest.symlink("file", PREOPEN, "link").unwrap();
    let (entries, used) = guest.readdir(PREOPEN, 4096, 0).unwrap();
    assert!(used < 4096, "the whole directory fits");
    assert_eq!(entries.len(), 5);
    let find = |name: &str| entries.iter().find(|e| e.name == name).unwrap().clone();
    assert_eq!(find("file").ino, file_ino);
    assert_eq!(find("file").filetype, filetype(Filetype::RegularFile));
    assert_eq!(find("sub").filetype, filetype(Filetype::Directory));
    assert_eq!(find("link").filetype, filetype(Filetype::SymbolicLink));

    // Resuming from an entry's d_next yields exactly the entries after it.
    let (rest, _) = guest.readdir(PREOPEN, 4096, entries[2].next).unwrap();
    assert_eq!(rest, entries[3..]);
    let (none, used) = guest.readdir(PREOPEN, 4096, 5).unwrap();
    assert!(none.is_empty() && used == 0);
}

#[test]
fn readdir_fills_the_buffer_and_cuts_the_last_entry() {
    let (_dir, mut guest) = Guest::in_tempdir();
    guest.create(PREOPEN, "a-long-file-name", RW).unwrap();
    // "." (25 bytes) and ".." (26) fit, the third entry is cut off.
    let (entries, used) = guest.readdir(PREOPEN, 60, 0).unwrap();
    assert_eq!(used, 60, "a full buffer means there is more");
    assert_eq!(entries.len(), 2);
    let (entries, used) = guest.readdir(PREOPEN, 60, entries[1].next).unwrap();
    assert_eq!(used, 24 + "a-long-file-name".len());
    assert_eq!(entries[0].name, "a-long-file-name");
}

#[test]
fn readdir_pages_through_a_thousand_entries() {
    let dir = tempdir();
    for i in 0..1000 {
        std::fs::write(dir.path().join(format!("file.{i}")), b"").unwrap();
    }
    let mut guest = Guest::with_dir(dir.path());
    let entries = guest.readdir_all(PREOPEN, 256);
    assert_eq!(entries.len(), 1002);
    let mut names: Vec<_> = entries.iter().map(|e| e.name.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 1002, "no entry repeated or lost across pages");
}

#[test]
fn readdir_needs_a_directory_and_the_right() {
    let (_dir, mut guest) = Guest::in_tempdir();
    let fd = guest.create(PREOPEN, "file", RW).unwrap();
    assert_eq!(guest.readdir(fd, 128, 0).unwrap_err(), Errno::Notdir);
    let keep = guest.fdstat(PREOPEN).unwrap().base & !Rights::FD_READDIR.bits();
    guest
        .ok("fd_fdstat_set_rights", &[PREOPEN.into(), keep, 0])
        .unwrap();
    assert_eq!(
        guest.readdir(PREOPEN, 128, 0).unwrap_err(),
        Errno::Notcapable
    );
}

#[test]
fn prestat_describes_preopens_only() {
    let dir = tempdir();
    let mut guest = Guest::new(
        WasiCtxBuilder::new()
            .preopened_dir(dir.path(), "/", tern_wasi::DirPerms::ReadWrite)
            .preopened_dir(dir.path(), "/data", tern_wasi::DirPerms::ReadOnly),
    );
    let out = guest.alloc(8);
    guest.ok("fd_prestat_get", &[4, out.into()]).unwrap();
    assert_eq!(guest.bytes(out, 8), [0, 0, 0, 0, 5, 0, 0, 0]);
    let name = guest.alloc(16);
    guest
        .ok("fd_prestat_dir_name", &[4, name.into(), 16])
        .unwrap();
    assert_eq!(guest.bytes(name, 6), b"/data\0");
    assert_eq!(
        guest.errno("fd_prestat_dir_name", &[4, name.into(), 4]),
        Errno::Nametoolong
    );
    assert_eq!(
        guest.errno("fd_prestat_dir_name", &[3, name.into(), 0]),
        Errno::Nametoolong
    );
    // wasi-libc scans 3, 4, 5… until BADF.
    assert_eq!(guest.errno("fd_prestat_get", &[5, out.into()]), Errno::Badf);
    assert_eq!(guest.errno("fd_prestat_get", &[1, out.into()]), Errno::Badf);
    let sub = guest
        .path_open(3, 0, ".", Oflags::DIRECTORY.bits(), 0, 0, 0)
        .unwrap();
    assert_eq!(
        guest.errno("fd_prestat_get", &[sub.into(), out.into()]),
        Errno::Badf
    );
}

#[test]
fn renumber_moves_a_descriptor_over_another() {
    // wasi-testsuite's `renumber` and `overwrite_preopen`.
    let (dir, mut guest) = Guest::in_tempdir();
    let from = guest.create(PREOPEN, "file1", RW).unwrap();
    let to = guest.create(PREOPEN, "file2", RW_SEEK).unwrap();
    let before = guest.fdstat(from).unwrap();
    guest.ok("fd_renumber", &[from.into(), to.into()]).unwrap();
    assert_eq!(guest.close(from), Err(Errno::Badf));
    assert_eq!(guest.fdstat(to).unwrap(), before);
    assert_eq!(
        guest.errno("fd_renumber", &[to.into(), from.into()]),
        Errno::Badf,
        "the target must be open"
    );
    guest.write(to, b"one").unwrap();
    assert_eq!(std::fs::read(dir.path().join("file1")).unwrap(), b"one");

    let sub_ino = {
        guest.mkdir(PREOPEN, "sub").unwrap();
        let stat_right = Rights::FD_FILESTAT_GET.bits();
        let sub = guest
            .path_open(
                PREOPEN,
                0,
                "sub",
                Oflags::DIRECTORY.bits(),
                stat_right,
                0,
                0,
            )
            .unwrap();
        let ino = guest.filestat(sub).unwrap().ino;
        guest
            .ok("fd_renumber", &[sub.into(), PREOPEN.into()])
            .unwrap();
        ino
    };
    assert_eq!(guest.filestat(PREOPEN).unwrap().ino, sub_ino);
}

#[test]
fn preopens_can_be_closed() {
    // wasi-testsuite's `close_preopen`.
    let (_dir, mut guest) = Guest::in_tempdir();
    let copy = guest
        .path_open(PREOPEN, 0, ".", Oflags::DIRECTORY.bits(), 0, 0, 0)
        .unwrap();
    guest.close(PREOPEN).unwrap();
    assert_eq!(guest.fdstat(PREOPEN), Err(Errno::Badf));
    assert_eq!(guest.close(PREOPEN), Err(Errno::Badf));
    assert_eq!(
        guest.fdstat(copy).unwrap().filetype,
        filetype(Filetype::Directory)
    );
}

#[test]
fn piped_stdio_is_captured_and_fed() {
    let stdout = WritePipe::new();
    let stderr = WritePipe::new();
    let mut guest = Guest::new(
        WasiCtxBuilder::new()
            .stdin(Input::Pipe(ReadPipe::new("line one\nline two\n")))
            .stdout(Output::Pipe(stdout.clone()))
            .stderr(Output::Pipe(stderr.clone())),
    );
    assert_eq!(guest.write(STDOUT, b"hello"), Ok(5));
    assert_eq!(guest.write(STDERR, b"oops"), Ok(4));
    assert_eq!(stdout.contents_string(), "hello");
    assert_eq!(stderr.contents_string(), "oops");
    assert_eq!(guest.read(STDIN, 9).unwrap(), b"line one\n");
    assert_eq!(guest.read(STDIN, 100).unwrap(), b"line two\n");
    assert_eq!(guest.read(STDIN, 100).unwrap(), b"");
    // Wrong directions are BADF, seeking a stream is SPIPE.
    assert_eq!(guest.read(STDOUT, 1), Err(Errno::Badf));
    assert_eq!(guest.write(STDIN, b"x"), Err(Errno::Badf));
    assert_eq!(guest.seek(STDOUT, 0, 0), Err(Errno::Spipe));
    assert_eq!(guest.tell(STDIN), Err(Errno::Spipe));
    assert_eq!(guest.pread(STDIN, 1, 0), Err(Errno::Spipe));
}

#[test]
fn stdio_is_null_by_default_and_not_a_terminal() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    assert_eq!(guest.read(STDIN, 10).unwrap(), b"");
    assert_eq!(guest.write(STDOUT, b"discarded"), Ok(9));
    for fd in [STDIN, STDOUT, STDERR] {
        let stat = guest.fdstat(fd).unwrap();
        // Not a character device, so wasi-libc's isatty says no.
        assert_eq!(stat.filetype, filetype(Filetype::Unknown));
        assert_eq!(stat.base & (Rights::FD_SEEK | Rights::FD_TELL).bits(), 0);
        assert_eq!(
            guest.filestat(fd).unwrap().filetype,
            filetype(Filetype::Unknown)
        );
    }
    // Null streams never block, so they can be made non-blocking.
    let nonblock = Fdflags::NONBLOCK.bits();
    guest
        .ok("fd_fdstat_set_flags", &[STDOUT.into(), nonblock.into()])
        .unwrap();
    assert_eq!(guest.fdstat(STDOUT).unwrap().flags, nonblock);
}

#[test]
fn inherited_stdio_flags_are_left_to_the_host() {
    let mut guest = Guest::new(WasiCtxBuilder::new().inherit_stdio());
    let nonblock = Fdflags::NONBLOCK.bits();
    for fd in [STDIN, STDOUT, STDERR] {
        assert_eq!(
            guest.errno("fd_fdstat_set_flags", &[fd.into(), nonblock.into()]),
            Errno::Notsup
        );
        guest.ok("fd_fdstat_set_flags", &[fd.into(), 0]).unwrap();
        let stat = guest.fdstat(fd).unwrap();
        assert_eq!(stat.flags, 0);
        assert_eq!(stat.base & Rights::FD_SEEK.bits(), 0);
    }
}

#[test]
fn write_only_and_read_only_descriptors() {
    // wasi-testsuite's `path_open_read_write` and `file_unbuffered_write`.
    let (_dir, mut guest) = Guest::in_tempdir();
    let reader = guest
        .path_open(PREOPEN, 0, "file", CREAT, Rights::FD_READ.bits(), 0, 0)
        .unwrap();
    let writer = guest
        .path_open(PREOPEN, 0, "file", 0, Rights::FD_WRITE.bits(), 0, 0)
        .unwrap();
    assert_eq!(guest.fdstat(reader).unwrap().base, Rights::FD_READ.bits());
    assert_eq!(guest.fdstat(writer).unwrap().base, Rights::FD_WRITE.bits());
    assert_eq!(guest.write(reader, b"x"), Err(Errno::Notcapable));
    assert_eq!(guest.read(writer, 1), Err(Errno::Notcapable));
    assert_eq!(guest.write(writer, &[1]), Ok(1));
    assert_eq!(
        guest.read(reader, 1).unwrap(),
        [1],
        "writes are not buffered"
    );
}
