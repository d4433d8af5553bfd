//! Hostile guests: escapes from the preopen, writes to read-only preopens,
//! stale descriptors, and pointers and lengths outside linear memory. Each
//! test checks both the errno and that nothing happened on the host.

mod common;

use std::path::Path;

use common::{Guest, MEMORY_SIZE, PREOPEN, STDOUT, tempdir};
use tern_wasi::abi::{Iovec, Oflags, Rights};
use tern_wasi::{DirPerms, Errno, Output, WasiCtxBuilder, WasiFunc, WritePipe};

const RW: u64 = Rights::FD_READ.bits() | Rights::FD_WRITE.bits();
const FOLLOW: u32 = 1;

/// A temporary tree: `outside/secret` next to the `sandbox/` the guest gets.
struct Tree {
    _root: tempfile::TempDir,
    sandbox: std::path::PathBuf,
    outside: std::path::PathBuf,
}

fn tree() -> Tree {
    let root = tempdir();
    let sandbox = root.path().join("sandbox");
    let outside = root.path().join("outside");
    std::fs::create_dir(&sandbox).unwrap();
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("secret"), b"secret").unwrap();
    Tree {
        _root: root,
        sandbox,
        outside,
    }
}

fn unchanged(path: &Path) {
    assert_eq!(
        std::fs::read(path).unwrap(),
        b"secret",
        "{} was touched",
        path.display()
    );
}

/// Asserts that `path`, resolved from the preopen with `lookup` flags, can
/// be neither opened for reading and writing nor stat'ed.
fn assert_out_of_reach(guest: &mut Guest, lookup: u32, path: &str) {
    assert_eq!(
        guest.path_open(PREOPEN, lookup, path, 0, RW, 0, 0),
        Err(Errno::Notcapable),
        "path_open {path} (lookup {lookup})"
    );
    assert_eq!(
        guest.path_filestat(PREOPEN, lookup, path),
        Err(Errno::Notcapable),
        "path_filestat_get {path} (lookup {lookup})"
    );
}

#[test]
fn dotdot_cannot_climb_out_of_a_preopen() {
    let tree = tree();
    let mut guest = Guest::with_dir(&tree.sandbox);
    guest.mkdir(PREOPEN, "dir").unwrap();
    for path in [
        "../outside/secret",
        "dir/../../outside/secret",
        "dir/../dir/../../outside/secret",
        "..",
        "dir/../..",
    ] {
        for lookup in [0, FOLLOW] {
            assert_out_of_reach(&mut guest, lookup, path);
        }
    }
    assert_eq!(
        guest.create(PREOPEN, "../outside/planted", RW),
        Err(Errno::Notcapable)
    );
    assert_eq!(guest.mkdir(PREOPEN, "../outside/d"), Err(Errno::Notcapable));
    assert_eq!(
        guest.unlink(PREOPEN, "../outside/secret"),
        Err(Errno::Notcapable)
    );
    assert_eq!(
        guest.rename(PREOPEN, "../outside/secret", PREOPEN, "stolen"),
        Err(Errno::Notcapable)
    );
    assert_eq!(
        guest.link(PREOPEN, 0, "../outside/secret", PREOPEN, "stolen"),
        Err(Errno::Notcapable)
    );
    unchanged(&tree.outside.join("secret"));
    assert!(!tree.outside.join("planted").exists());
    assert!(!tree.sandbox.join("stolen").exists());
}

#[test]
fn absolute_paths_are_refused() {
    let tree = tree();
    let mut guest = Guest::with_dir(&tree.sandbox);
    let secret = tree.outside.join("secret");
    let secret = secret.to_str().unwrap();
    assert_out_of_reach(&mut guest, 0, secret);
    assert_eq!(
        guest.path_open(PREOPEN, 0, "/", 0, 0, 0, 0),
        Err(Errno::Notcapable)
    );
    assert_eq!(guest.unlink(PREOPEN, secret), Err(Errno::Notcapable));
    unchanged(&tree.outside.join("secret"));
}

#[test]
fn symlinks_cannot_lead_outside() {
    let tree = tree();
    // Links planted by someone else: absolute, relative, and through a
    // directory link.
    let secret = tree.outside.join("secret");
    std::os::unix::fs::symlink(&secret, tree.sandbox.join("abs")).unwrap();
    std::os::unix::fs::symlink("../outside/secret", tree.sandbox.join("rel")).unwrap();
    std::os::unix::fs::symlink("..", tree.sandbox.join("up")).unwrap();
    std::os::unix::fs::symlink(&tree.outside, tree.sandbox.join("outdir")).unwrap();
    let mut guest = Guest::with_dir(&tree.sandbox);
    for path in ["abs", "rel", "up/outside/secret", "outdir/secret"] {
        assert_out_of_reach(&mut guest, FOLLOW, path);
    }
    assert_eq!(
        guest.path_open(PREOPEN, FOLLOW, "up", Oflags::DIRECTORY.bits(), 0, 0, 0),
        Err(Errno::Notcapable)
    );
    assert_eq!(
        guest.create(PREOPEN, "outdir/planted", RW),
        Err(Errno::Notcapable)
    );
    assert_eq!(guest.mkdir(PREOPEN, "outdir/d"), Err(Errno::Notcapable));
    // Links the guest makes itself are no better.
    guest.symlink("../outside/secret", PREOPEN, "mine").unwrap();
    assert_out_of_reach(&mut guest, FOLLOW, "mine");
    // The link itself can still be inspected and removed.
    assert_eq!(
        guest.readlink(PREOPEN, "rel", 64).unwrap(),
        b"../outside/secret"
    );
    guest.unlink(PREOPEN, "rel").unwrap();
    unchanged(&secret);
    assert!(!tree.outside.join("planted").exists());
}

#[test]
fn read_only_preopens_refuse_every_change() {
    let tree = tree();
    std::fs::write(tree.sandbox.join("file"), b"secret").unwrap();
    std::fs::create_dir(tree.sandbox.join("dir")).unwrap();
    let writable = tempdir();
    let mut guest = Guest::new(
        WasiCtxBuilder::new()
            .preopened_dir(&tree.sandbox, "/ro", DirPerms::ReadOnly)
            .preopened_dir(writable.path(), "/rw", DirPerms::ReadWrite),
    );
    let rw = PREOPEN + 1;
    let creat = Oflags::CREAT.bits();
    let trunc = Oflags::TRUNC.bits();
    assert_eq!(
        guest.path_open(PREOPEN, 0, "new", creat, 0, 0, 0),
        Err(Errno::Notcapable)
    );
    assert_eq!(
        guest.path_open(PREOPEN, 0, "file", trunc, 0, 0, 0),
        Err(Errno::Notcapable)
    );
    assert_eq!(
        guest.path_open(PREOPEN, 0, "file", 0, RW, 0, 0),
        Err(Errno::Notcapable)
    );
    assert_eq!(guest.mkdir(PREOPEN, "newdir"), Err(Errno::Notcapable));
    assert_eq!(guest.rmdir(PREOPEN, "dir"), Err(Errno::Notcapable));
    assert_eq!(guest.unlink(PREOPEN, "file"), Err(Errno::Notcapable));
    assert_eq!(
        guest.symlink("file", PREOPEN, "link"),
        Err(Errno::Notcapable)
    );
    assert_eq!(
        guest.rename(PREOPEN, "file", PREOPEN, "moved"),
        Err(Errno::Notcapable)
    );
    // Moving or linking a file out into the writable tree would make it
    // writable: refused too.
    assert_eq!(
        guest.rename(PREOPEN, "file", rw, "moved"),
        Err(Errno::Notcapable)
    );
    assert_eq!(
        guest.link(PREOPEN, 0, "file", rw, "link"),
        Err(Errno::Notcapable)
    );
    let p = guest.put(b"file");
    assert_eq!(
        guest.errno(
            "path_filestat_set_times",
            &[PREOPEN.into(), 0, p.into(), 4, 0, 0, 0b1010]
        ),
        Errno::Notcapable
    );

    // Reading works; the descriptor cannot write, resize or retime.
    let all_but_write = (Rights::all() - tern_wasi::rights::WRITE_ACCESS).bits();
    let fd = guest
        .path_open(PREOPEN, 0, "file", 0, all_but_write, 0, 0)
        .unwrap();
    assert_eq!(guest.read(fd, 6).unwrap(), b"secret");
    assert_eq!(guest.fdstat(fd).unwrap().base & RW, Rights::FD_READ.bits());
    assert_eq!(guest.write(fd, b"x"), Err(Errno::Notcapable));
    assert_eq!(
        guest.errno("fd_filestat_set_size", &[fd.into(), 0]),
        Errno::Notcapable
    );
    assert_eq!(
        guest.errno("fd_filestat_set_times", &[fd.into(), 0, 0, 0b1010]),
        Errno::Notcapable
    );
    assert_eq!(
        guest.errno("fd_allocate", &[fd.into(), 0, 10]),
        Errno::Notcapable
    );
    // Rights cannot be regained, nor gained through a reopened directory.
    assert_eq!(
        guest.errno(
            "fd_fdstat_set_rights",
            &[PREOPEN.into(), Rights::all().bits(), 0]
        ),
        Errno::Notcapable
    );
    let directory = Oflags::DIRECTORY.bits();
    let everything = Rights::all().bits();
    assert_eq!(
        guest.path_open(PREOPEN, 0, ".", directory, everything, everything, 0),
        Err(Errno::Notcapable),
        "write access cannot be granted"
    );
    let reopened = guest
        .path_open(PREOPEN, 0, ".", directory, all_but_write, everything, 0)
        .unwrap();
    assert_eq!(guest.create(reopened, "new", RW), Err(Errno::Notcapable));
    assert_eq!(guest.unlink(reopened, "file"), Err(Errno::Notcapable));

    assert_eq!(std::fs::read(tree.sandbox.join("file")).unwrap(), b"secret");
    assert!(tree.sandbox.join("dir").is_dir());
    let names: Vec<_> = std::fs::read_dir(&tree.sandbox)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "nothing was added: {names:?}");
    assert_eq!(std::fs::read_dir(writable.path()).unwrap().count(), 0);
}

#[test]
fn closed_descriptors_are_badf_everywhere() {
    let (dir, mut guest) = Guest::in_tempdir();
    let fd = guest.create(PREOPEN, "file", RW).unwrap();
    guest.close(fd).unwrap();
    let buf = guest.alloc(64);
    let fd = u64::from(fd);
    let out = u64::from(buf);
    // Every function whose first argument is a descriptor, with otherwise
    // valid arguments.
    let calls: &[(&str, Vec<u64>)] = &[
        ("fd_advise", vec![fd, 0, 0, 0]),
        ("fd_allocate", vec![fd, 0, 1]),
        ("fd_close", vec![fd]),
        ("fd_datasync", vec![fd]),
        ("fd_fdstat_get", vec![fd, out]),
        ("fd_fdstat_set_flags", vec![fd, 0]),
        ("fd_fdstat_set_rights", vec![fd, 0, 0]),
        ("fd_filestat_get", vec![fd, out]),
        ("fd_filestat_set_size", vec![fd, 0]),
        ("fd_filestat_set_times", vec![fd, 0, 0, 0]),
        ("fd_pread", vec![fd, out, 0, 0, out]),
        ("fd_prestat_get", vec![fd, out]),
        ("fd_prestat_dir_name", vec![fd, out, 8]),
        ("fd_pwrite", vec![fd, out, 0, 0, out]),
        ("fd_read", vec![fd, out, 0, out]),
        ("fd_readdir", vec![fd, out, 64, 0, out]),
        ("fd_renumber", vec![fd, u64::from(STDOUT)]),
        ("fd_seek", vec![fd, 0, 0, out]),
        ("fd_sync", vec![fd]),
        ("fd_tell", vec![fd, out]),
        ("fd_write", vec![fd, out, 0, out]),
        ("path_create_directory", vec![fd, out, 1]),
        ("path_filestat_get", vec![fd, 0, out, 1, out]),
        ("path_filestat_set_times", vec![fd, 0, out, 1, 0, 0, 0]),
        ("path_link", vec![fd, 0, out, 1, u64::from(PREOPEN), out, 1]),
        ("path_open", vec![fd, 0, out, 1, 0, 0, 0, 0, out]),
        ("path_readlink", vec![fd, out, 1, out, 8, out]),
        ("path_remove_directory", vec![fd, out, 1]),
        ("path_rename", vec![fd, out, 1, u64::from(PREOPEN), out, 1]),
        ("path_unlink_file", vec![fd, out, 1]),
        ("sock_accept", vec![fd, 0, out]),
        ("sock_recv", vec![fd, out, 0, 0, out, out]),
        ("sock_send", vec![fd, out, 0, 0, out]),
        ("sock_shutdown", vec![fd, 3]),
    ];
    guest.mem[buf as usize] = b'x';
    for (name, args) in calls {
        assert_eq!(guest.errno(name, args), Errno::Badf, "{name}");
    }
    // The target side of two-descriptor calls is checked too.
    let p = guest.put(b"file");
    assert_eq!(
        guest.errno("path_symlink", &[p.into(), 4, fd, p.into(), 4]),
        Errno::Badf
    );
    guest.create(PREOPEN, "a", 0).unwrap();
    let a = guest.put(b"a");
    let never_opened = 1000;
    assert_eq!(
        guest.errno(
            "path_rename",
            &[PREOPEN.into(), a.into(), 1, never_opened, a.into(), 1]
        ),
        Errno::Badf
    );
    assert!(dir.path().join("a").exists());
}

#[test]
fn a_renumbered_descriptor_is_gone_from_its_old_number() {
    let dir = tempdir();
    let out = WritePipe::new();
    let mut guest = Guest::new(
        WasiCtxBuilder::new()
            .preopened_dir(dir.path(), "/", DirPerms::ReadWrite)
            .stdout(Output::Pipe(out.clone())),
    );
    let fd = guest.create(PREOPEN, "file", RW).unwrap();
    guest
        .ok("fd_renumber", &[fd.into(), STDOUT.into()])
        .unwrap();
    assert_eq!(guest.write(fd, b"lost"), Err(Errno::Badf));
    assert_eq!(guest.write(STDOUT, b"to the file"), Ok(11));
    assert_eq!(
        std::fs::read(dir.path().join("file")).unwrap(),
        b"to the file"
    );
    assert!(
        out.contents().is_empty(),
        "the old stdout was closed, not written"
    );
    // The freed number is reused by the next open.
    assert_eq!(guest.create(PREOPEN, "other", RW), Ok(fd));
}

#[test]
fn the_descriptor_limit_is_enforced_before_creating_anything() {
    let dir = tempdir();
    let mut guest = Guest::new(
        WasiCtxBuilder::new()
            .preopened_dir(dir.path(), "/", DirPerms::ReadWrite)
            .max_open_fds(6),
    );
    let a = guest.create(PREOPEN, "a", 0).unwrap();
    guest.create(PREOPEN, "b", 0).unwrap();
    assert_eq!(guest.create(PREOPEN, "c", 0), Err(Errno::Mfile));
    assert!(!dir.path().join("c").exists());
    guest.close(a).unwrap();
    guest.create(PREOPEN, "c", 0).unwrap();
}

#[test]
fn out_of_bounds_iovecs_fault_without_side_effects() {
    let (dir, mut guest) = Guest::in_tempdir();
    let seekable = RW | Rights::FD_SEEK.bits() | Rights::FD_TELL.bits();
    let fd = guest.create(PREOPEN, "file", seekable).unwrap();
    guest.write(fd, b"0123456789").unwrap();
    guest.seek(fd, 0, 0).unwrap();
    let end = MEMORY_SIZE as u32;
    let out = guest.alloc(4);
    let good = guest.alloc(16);
    let cases: &[&[Iovec]] = &[
        // One byte past the end.
        &[Iovec {
            buf: end - 4,
            buf_len: 5,
        }],
        // Starting past the end.
        &[Iovec {
            buf: end,
            buf_len: 1,
        }],
        // A huge length.
        &[Iovec {
            buf: good,
            buf_len: u32::MAX,
        }],
        // A huge pointer.
        &[Iovec {
            buf: u32::MAX,
            buf_len: 2,
        }],
        // A good buffer followed by a bad one: nothing happens at all.
        &[
            Iovec {
                buf: good,
                buf_len: 4,
            },
            Iovec {
                buf: end - 1,
                buf_len: 2,
            },
        ],
    ];
    for iovecs in cases {
        let iovs = guest.raw_iovecs(iovecs);
        let n = iovecs.len() as u64;
        let before = guest.bytes(good, 16).to_vec();
        for name in ["fd_read", "fd_write"] {
            assert_eq!(
                guest.errno(name, &[fd.into(), iovs.into(), n, out.into()]),
                Errno::Fault,
                "{name} {iovecs:?}"
            );
        }
        assert_eq!(
            guest.errno("fd_pread", &[fd.into(), iovs.into(), n, 0, out.into()]),
            Errno::Fault
        );
        assert_eq!(
            guest.errno("fd_pwrite", &[fd.into(), iovs.into(), n, 0, out.into()]),
            Errno::Fault
        );
        assert_eq!(guest.bytes(good, 16), &before[..]);
    }
    // The iovec array itself out of bounds, or absurdly long.
    assert_eq!(
        guest.errno("fd_write", &[fd.into(), u64::from(end - 4), 1, out.into()]),
        Errno::Fault
    );
    assert_eq!(
        guest.errno(
            "fd_write",
            &[fd.into(), u64::from(good), 0x1000_0000, out.into()]
        ),
        Errno::Inval
    );
    assert_eq!(
        guest.errno(
            "fd_write",
            &[fd.into(), u64::from(end - 8 * 100), 1000, out.into()]
        ),
        Errno::Fault
    );
    // Neither the position nor the file moved.
    assert_eq!(guest.tell(fd), Ok(0));
    assert_eq!(
        std::fs::read(dir.path().join("file")).unwrap(),
        b"0123456789"
    );
}

#[test]
fn result_pointers_are_checked_before_acting() {
    let (dir, mut guest) = Guest::in_tempdir();
    let seekable =
        RW | Rights::FD_SEEK.bits() | Rights::FD_TELL.bits() | Rights::FD_FILESTAT_GET.bits();
    let fd = guest.create(PREOPEN, "file", seekable).unwrap();
    guest.write(fd, b"0123456789").unwrap();
    guest.seek(fd, 0, 0).unwrap();
    let bad = u64::from(MEMORY_SIZE as u32 - 2);
    let buf = guest.alloc(8);
    let iovs = guest.raw_iovecs(&[Iovec { buf, buf_len: 8 }]);
    // A read whose count cannot be stored consumes nothing.
    assert_eq!(
        guest.errno("fd_read", &[fd.into(), iovs.into(), 1, bad]),
        Errno::Fault
    );
    assert_eq!(guest.tell(fd), Ok(0));
    assert_eq!(
        guest.errno("fd_write", &[fd.into(), iovs.into(), 1, bad]),
        Errno::Fault
    );
    assert_eq!(
        std::fs::read(dir.path().join("file")).unwrap(),
        b"0123456789"
    );
    // An open whose descriptor cannot be stored creates nothing and leaks
    // no descriptor.
    let name = guest.put(b"new");
    let creat = u64::from(Oflags::CREAT.bits());
    assert_eq!(
        guest.errno(
            "path_open",
            &[PREOPEN.into(), 0, name.into(), 3, creat, RW, 0, 0, bad]
        ),
        Errno::Fault
    );
    assert!(!dir.path().join("new").exists());
    let next = guest.create(PREOPEN, "probe", 0).unwrap();
    assert_eq!(next, fd + 1, "no descriptor was leaked");
    assert_eq!(
        guest.errno("fd_seek", &[fd.into(), 5, 0, bad]),
        Errno::Fault
    );
    assert_eq!(guest.tell(fd), Ok(0));
    assert_eq!(
        guest.errno("fd_fdstat_get", &[fd.into(), bad]),
        Errno::Fault
    );
    assert_eq!(
        guest.errno("fd_filestat_get", &[fd.into(), bad]),
        Errno::Fault
    );
    assert_eq!(guest.errno("clock_time_get", &[0, 0, bad]), Errno::Fault);
    assert_eq!(guest.errno("args_sizes_get", &[bad, 0]), Errno::Fault);
}

#[test]
fn string_and_buffer_arguments_are_bounded() {
    let dir = tempdir();
    let mut guest = Guest::new(
        WasiCtxBuilder::new()
            .preopened_dir(dir.path(), "/", DirPerms::ReadWrite)
            .args(["prog", "argument"]),
    );
    let end = MEMORY_SIZE as u64;
    let name = guest.put(b"dir");
    assert_eq!(
        guest.errno(
            "path_create_directory",
            &[PREOPEN.into(), name.into(), u64::from(u32::MAX)]
        ),
        Errno::Fault
    );
    assert_eq!(
        guest.errno("path_create_directory", &[PREOPEN.into(), end - 1, 2]),
        Errno::Fault
    );
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    assert_eq!(guest.errno("random_get", &[end - 10, 11]), Errno::Fault);
    assert_eq!(
        guest.errno("random_get", &[0, u64::from(u32::MAX)]),
        Errno::Fault
    );
    guest.ok("random_get", &[end - 10, 10]).unwrap();
    // args_get with room for the pointers but not the strings writes nothing.
    let argv = guest.alloc(8);
    assert_eq!(
        guest.errno("args_get", &[argv.into(), end - 5]),
        Errno::Fault
    );
    assert_eq!(guest.u32_at(argv), 0);
    assert_eq!(
        guest.errno("args_get", &[end - 4, argv.into()]),
        Errno::Fault
    );
    let buf = guest.alloc(16);
    assert_eq!(
        guest.errno("fd_readdir", &[PREOPEN.into(), end - 8, 16, 0, buf.into()]),
        Errno::Fault
    );
    assert_eq!(
        guest.errno("fd_prestat_dir_name", &[PREOPEN.into(), end, 1]),
        Errno::Fault
    );
    assert_eq!(
        guest.errno(
            "path_readlink",
            &[PREOPEN.into(), name.into(), 3, end - 1, 8, buf.into()]
        ),
        Errno::Fault
    );
    assert_eq!(
        guest.errno(
            "poll_oneoff",
            &[buf.into(), buf.into(), u64::from(u32::MAX), buf.into()]
        ),
        Errno::Inval
    );
    assert_eq!(
        guest.errno("poll_oneoff", &[end - 48, buf.into(), 2, buf.into()]),
        Errno::Fault
    );
}

/// A small deterministic generator for argument sweeps.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 17
    }

    fn pick(&mut self, choices: &[u64]) -> u64 {
        choices[self.next() as usize % choices.len()]
    }
}

#[test]
fn no_call_misbehaves_on_arbitrary_arguments() {
    // Every function, called many times with arguments drawn from edge
    // values, on a small memory: each call must return an errno (or unwind,
    // for the two process functions) and never touch anything outside the
    // sandbox. `poll_oneoff` is left out: arbitrary clock subscriptions may
    // legitimately sleep for years.
    let tree = tree();
    std::fs::write(tree.sandbox.join("file"), b"data").unwrap();
    let mut guest = Guest::with_dir(&tree.sandbox);
    guest.mem.truncate(256);
    guest.mem[0..12].copy_from_slice(b"file\0../x/..");
    let values = [
        0,
        1,
        3,
        4,
        7,
        8,
        12,
        64,
        255,
        256,
        257,
        0x7fff_ffff,
        0xffff_ffff,
        0xffff_ffff_ffff_ffff,
        1 << 32,
        1 << 63,
    ];
    let mut rng = Lcg(0x5eed);
    for func in WasiFunc::ALL {
        if *func == WasiFunc::PollOneoff {
            continue;
        }
        for _ in 0..300 {
            let args: Vec<u64> = func
                .signature()
                .params
                .iter()
                .map(|_| rng.pick(&values))
                .collect();
            match guest.call(func.name(), &args) {
                Ok(_) => {}
                Err(unwind) => assert!(
                    matches!(func, WasiFunc::ProcExit | WasiFunc::ProcRaise),
                    "{} unwound: {unwind}",
                    func.name()
                ),
            }
        }
    }
    unchanged(&tree.outside.join("secret"));
    assert_eq!(std::fs::read_dir(&tree.outside).unwrap().count(), 1);
}
