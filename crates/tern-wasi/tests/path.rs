//! The `path_*` functions, with the errno choices the wasi-testsuite checks
//! (each test names the suite program whose behaviour it pins down).

mod common;

use common::{Guest, PREOPEN, filetype, tempdir};
use tern_wasi::Errno;
use tern_wasi::abi::{Filetype, Lookupflags, Oflags, Rights};

const RW: u64 = Rights::FD_READ.bits() | Rights::FD_WRITE.bits();
const STAT: u64 = Rights::FD_FILESTAT_GET.bits();
const CREAT: u16 = Oflags::CREAT.bits();
const DIRECTORY: u16 = Oflags::DIRECTORY.bits();
const EXCL: u16 = Oflags::EXCL.bits();
const TRUNC: u16 = Oflags::TRUNC.bits();
const FOLLOW: u32 = Lookupflags::SYMLINK_FOLLOW.bits();

fn touch(guest: &mut Guest, path: &str) {
    let fd = guest.create(PREOPEN, path, 0).unwrap();
    guest.close(fd).unwrap();
}

#[test]
fn directories_are_created_and_removed() {
    // `remove_nonempty_directory`, `remove_directory_trailing_slashes`.
    let (dir, mut guest) = Guest::in_tempdir();
    guest.mkdir(PREOPEN, "dir").unwrap();
    guest.mkdir(PREOPEN, "dir/nested").unwrap();
    assert!(dir.path().join("dir/nested").is_dir());
    assert_eq!(guest.mkdir(PREOPEN, "dir"), Err(Errno::Exist));
    assert_eq!(guest.rmdir(PREOPEN, "dir"), Err(Errno::Notempty));
    guest.rmdir(PREOPEN, "dir/nested/").unwrap();
    guest.rmdir(PREOPEN, "dir").unwrap();
    assert!(!dir.path().join("dir").exists());
    touch(&mut guest, "file");
    assert_eq!(guest.rmdir(PREOPEN, "file"), Err(Errno::Notdir));
    assert_eq!(guest.rmdir(PREOPEN, "file/"), Err(Errno::Notdir));
    assert_eq!(guest.rmdir(PREOPEN, "missing"), Err(Errno::Noent));
}

#[test]
fn unlink_removes_files_but_not_directories() {
    // `unlink_file_trailing_slashes`.
    let (dir, mut guest) = Guest::in_tempdir();
    guest.mkdir(PREOPEN, "dir").unwrap();
    assert_eq!(guest.unlink(PREOPEN, "dir"), Err(Errno::Isdir));
    assert_eq!(guest.unlink(PREOPEN, "dir/"), Err(Errno::Isdir));
    touch(&mut guest, "file");
    assert_eq!(guest.unlink(PREOPEN, "file/"), Err(Errno::Notdir));
    guest.unlink(PREOPEN, "file").unwrap();
    assert!(!dir.path().join("file").exists());
    assert_eq!(guest.unlink(PREOPEN, "file"), Err(Errno::Noent));
}

#[test]
fn open_creates_truncates_and_refuses_what_posix_refuses() {
    // `path_open_missing`, `path_open_create_existing`, `file_truncation`,
    // `path_open_dirfd_not_dir`.
    let (_dir, mut guest) = Guest::in_tempdir();
    assert_eq!(
        guest.path_open(PREOPEN, 0, "file", 0, 0, 0, 0),
        Err(Errno::Noent)
    );
    let fd = guest.create(PREOPEN, "file", RW).unwrap();
    guest.write(fd, b"this content will be truncated!").unwrap();
    assert_eq!(
        guest.path_open(PREOPEN, 0, "file", CREAT | EXCL, 0, 0, 0),
        Err(Errno::Exist)
    );
    let fd = guest
        .path_open(PREOPEN, 0, "file", CREAT | TRUNC, RW, 0, 0)
        .unwrap();
    assert_eq!(guest.read(fd, 100).unwrap(), b"");
    assert_eq!(
        guest.path_open(fd, 0, "foo", CREAT, 0, 0, 0),
        Err(Errno::Notdir),
        "a file is not a directory descriptor"
    );
    assert_eq!(
        guest.path_open(PREOPEN, 0, "file", DIRECTORY, 0, 0, 0),
        Err(Errno::Notdir)
    );
    assert_eq!(
        guest.path_open(PREOPEN, 0, "new", CREAT | DIRECTORY, 0, 0, 0),
        Err(Errno::Inval)
    );
    assert_eq!(
        guest.path_open(PREOPEN, 0, "file", 1 << 4, 0, 0, 0),
        Err(Errno::Inval),
        "unknown oflags"
    );
}

#[test]
fn directories_open_with_directory_rights_only() {
    // `path_open_preopen`, `path_open_nonblock`, `directory_seek`.
    let (_dir, mut guest) = Guest::in_tempdir();
    let preopen = guest.fdstat(PREOPEN).unwrap();
    let same = guest
        .path_open(PREOPEN, 0, ".", 0, preopen.base, preopen.inheriting, 0)
        .unwrap();
    assert_eq!(guest.fdstat(same).unwrap(), preopen);
    guest.path_open(PREOPEN, 0, ".", 0, 0, 0, 0).unwrap();
    guest
        .path_open(PREOPEN, 0, ".", DIRECTORY, 0, 0, 0)
        .unwrap();
    let read_only = guest
        .path_open(PREOPEN, 0, ".", DIRECTORY, Rights::FD_READ.bits(), 0, 0)
        .unwrap();
    assert_eq!(
        guest.fdstat(read_only).unwrap().base,
        0,
        "FD_READ does not apply"
    );
    assert_eq!(
        guest.path_open(PREOPEN, 0, ".", DIRECTORY, RW, 0, 0),
        Err(Errno::Isdir)
    );
    let nonblock = tern_wasi::abi::Fdflags::NONBLOCK.bits();
    guest.path_open(PREOPEN, 0, ".", 0, 0, 0, nonblock).unwrap();
}

#[test]
fn opened_descriptors_inherit_at_most_the_directory_inheriting_rights() {
    let (dir, mut guest) = Guest::in_tempdir();
    guest.mkdir(PREOPEN, "sub").unwrap();
    let sub_inheriting = Rights::FD_READ.bits() | STAT;
    let sub = guest
        .path_open(
            PREOPEN,
            0,
            "sub",
            DIRECTORY,
            Rights::PATH_OPEN.bits() | Rights::PATH_CREATE_FILE.bits(),
            sub_inheriting,
            0,
        )
        .unwrap();
    let fd = guest
        .path_open(
            sub,
            0,
            "f",
            CREAT,
            Rights::FD_READ.bits() | Rights::FD_SEEK.bits(),
            0,
            0,
        )
        .unwrap();
    assert_eq!(
        guest.fdstat(fd).unwrap().base,
        Rights::FD_READ.bits(),
        "FD_SEEK is not inheritable through `sub`"
    );
    // Write access that cannot be inherited fails at open time.
    assert_eq!(
        guest.path_open(sub, 0, "f", 0, RW, 0, 0),
        Err(Errno::Notcapable)
    );
    // And without PATH_CREATE_FILE, nothing can be created.
    let no_create = guest
        .path_open(
            PREOPEN,
            0,
            "sub",
            DIRECTORY,
            Rights::PATH_OPEN.bits(),
            RW,
            0,
        )
        .unwrap();
    assert_eq!(
        guest.path_open(no_create, 0, "g", CREAT, 0, 0, 0),
        Err(Errno::Notcapable)
    );
    assert!(!dir.path().join("sub/g").exists());
}

#[test]
fn truncating_needs_the_path_filestat_set_size_right() {
    // `truncation_rights`.
    let dir = tempdir();
    std::fs::write(dir.path().join("file"), b"123").unwrap();
    let mut guest = Guest::with_dir(dir.path());
    guest.path_open(PREOPEN, 0, "file", TRUNC, 0, 0, 0).unwrap();
    assert_eq!(std::fs::read(dir.path().join("file")).unwrap(), b"");
    std::fs::write(dir.path().join("file"), b"123").unwrap();
    let stat = guest.fdstat(PREOPEN).unwrap();
    let base = stat.base & !Rights::PATH_FILESTAT_SET_SIZE.bits();
    guest
        .ok(
            "fd_fdstat_set_rights",
            &[PREOPEN.into(), base, stat.inheriting],
        )
        .unwrap();
    assert_eq!(
        guest.path_open(PREOPEN, 0, "file", TRUNC, 0, 0, 0),
        Err(Errno::Notcapable)
    );
    assert_eq!(std::fs::read(dir.path().join("file")).unwrap(), b"123");
}

#[test]
fn filestat_by_path_follows_symlinks_only_when_asked() {
    // `path_exists`, `path_filestat`.
    let (_dir, mut guest) = Guest::in_tempdir();
    guest.mkdir(PREOPEN, "subdir").unwrap();
    touch(&mut guest, "subdir/file");
    guest.symlink("subdir/file", PREOPEN, "link1").unwrap();
    guest.symlink("subdir", PREOPEN, "link2").unwrap();
    for (lookup, path, expected) in [
        (0, "subdir", Filetype::Directory),
        (0, "subdir/file", Filetype::RegularFile),
        (0, "link1", Filetype::SymbolicLink),
        (FOLLOW, "link1", Filetype::RegularFile),
        (0, "link2", Filetype::SymbolicLink),
        (FOLLOW, "link2", Filetype::Directory),
    ] {
        assert_eq!(
            guest.path_filestat(PREOPEN, lookup, path).unwrap().filetype,
            filetype(expected),
            "{path} (lookup {lookup})"
        );
    }
    // A symlink's size is the length of its contents.
    assert_eq!(guest.path_filestat(PREOPEN, 0, "link1").unwrap().size, 11);
    assert_eq!(guest.path_filestat(PREOPEN, 0, "nope"), Err(Errno::Noent));
    assert_eq!(guest.path_filestat(PREOPEN, 2, "link1"), Err(Errno::Inval));
}

#[test]
fn times_are_set_on_the_file_or_on_the_symlink_itself() {
    // `path_filestat`, `symlink_filestat`.
    let (_dir, mut guest) = Guest::in_tempdir();
    touch(&mut guest, "file");
    guest.symlink("file", PREOPEN, "symlink").unwrap();
    let file = guest.path_filestat(PREOPEN, 0, "file").unwrap();
    let link = guest.path_filestat(PREOPEN, 0, "symlink").unwrap();
    let set = |guest: &mut Guest, lookup: u32, path: &str, mtim: u64, flags: u64| {
        let p = guest.put(path.as_bytes());
        guest.ok(
            "path_filestat_set_times",
            &[
                PREOPEN.into(),
                lookup.into(),
                p.into(),
                path.len() as u64,
                0,
                mtim,
                flags,
            ],
        )
    };
    let mtim = 1 << 2;
    set(&mut guest, 0, "symlink", link.mtim - 200, mtim).unwrap();
    assert_eq!(
        guest.path_filestat(PREOPEN, 0, "symlink").unwrap().mtim,
        link.mtim - 200
    );
    assert_eq!(
        guest.path_filestat(PREOPEN, 0, "file").unwrap().mtim,
        file.mtim
    );
    set(&mut guest, FOLLOW, "symlink", file.mtim - 100, mtim).unwrap();
    assert_eq!(
        guest.path_filestat(PREOPEN, 0, "file").unwrap().mtim,
        file.mtim - 100
    );
    assert_eq!(
        set(&mut guest, 0, "file", 0, mtim | (1 << 3)),
        Err(Errno::Inval),
        "MTIM and MTIM_NOW together"
    );
    assert_eq!(
        guest.path_filestat(PREOPEN, 0, "file").unwrap().mtim,
        file.mtim - 100
    );
}

#[test]
fn hard_links_share_the_inode() {
    // `path_link`.
    let (_dir, mut guest) = Guest::in_tempdir();
    let fd = guest.create(PREOPEN, "file", RW | STAT).unwrap();
    guest.write(fd, b"shared").unwrap();
    guest.link(PREOPEN, 0, "file", PREOPEN, "link").unwrap();
    let link = guest
        .path_open(PREOPEN, 0, "link", 0, RW | STAT, 0, 0)
        .unwrap();
    assert_eq!(guest.filestat(fd).unwrap(), guest.filestat(link).unwrap());
    assert_eq!(guest.filestat(fd).unwrap().nlink, 2);
    assert_eq!(guest.read(link, 10).unwrap(), b"shared");

    assert_eq!(
        guest.link(PREOPEN, 0, "file", PREOPEN, "link"),
        Err(Errno::Exist)
    );
    assert_eq!(
        guest.link(PREOPEN, 0, "file", PREOPEN, "file"),
        Err(Errno::Exist)
    );
    guest.mkdir(PREOPEN, "dir").unwrap();
    assert_eq!(
        guest.link(PREOPEN, 0, "file", PREOPEN, "dir"),
        Err(Errno::Exist)
    );
    assert_eq!(
        guest.link(PREOPEN, 0, "dir", PREOPEN, "dirlink"),
        Err(Errno::Perm)
    );
    assert_eq!(
        guest.link(PREOPEN, 0, "file", PREOPEN, "new/"),
        Err(Errno::Noent)
    );
    // A dangling symlink can be linked: the link is to the symlink itself.
    guest.symlink("target", PREOPEN, "dangling").unwrap();
    guest
        .link(PREOPEN, 0, "dangling", PREOPEN, "link2")
        .unwrap();
    assert_eq!(
        guest.path_filestat(PREOPEN, 0, "link2").unwrap().filetype,
        filetype(Filetype::SymbolicLink)
    );
    assert_eq!(
        guest.link(PREOPEN, FOLLOW, "dangling", PREOPEN, "link3"),
        Err(Errno::Inval)
    );
}

#[test]
fn rename_moves_files_and_directories() {
    // `path_rename`, `path_rename_dir_trailing_slashes`.
    let (dir, mut guest) = Guest::in_tempdir();
    guest.mkdir(PREOPEN, "source").unwrap();
    guest.rename(PREOPEN, "source", PREOPEN, "target").unwrap();
    assert_eq!(
        guest.path_open(PREOPEN, 0, "source", DIRECTORY, 0, 0, 0),
        Err(Errno::Noent)
    );
    guest
        .path_open(PREOPEN, 0, "target", DIRECTORY, 0, 0, 0)
        .unwrap();
    // Onto an empty directory: replaces it.
    guest.mkdir(PREOPEN, "source").unwrap();
    guest.rename(PREOPEN, "source", PREOPEN, "target").unwrap();
    // Onto a non-empty directory: NOTEMPTY.
    guest.mkdir(PREOPEN, "source").unwrap();
    touch(&mut guest, "target/file");
    assert_eq!(
        guest.rename(PREOPEN, "source", PREOPEN, "target"),
        Err(Errno::Notempty)
    );
    assert_eq!(
        guest.rename(PREOPEN, "source", PREOPEN, "target/file"),
        Err(Errno::Notdir)
    );
    // Trailing slashes on directories are fine.
    guest.rename(PREOPEN, "source/", PREOPEN, "moved/").unwrap();
    guest.rename(PREOPEN, "moved", PREOPEN, "source/").unwrap();
    guest.rmdir(PREOPEN, "source").unwrap();
    // Files replace files, but not directories.
    touch(&mut guest, "a");
    touch(&mut guest, "b");
    guest.rename(PREOPEN, "a", PREOPEN, "b").unwrap();
    assert_eq!(
        guest.path_open(PREOPEN, 0, "a", 0, 0, 0, 0),
        Err(Errno::Noent)
    );
    assert_eq!(
        guest.rename(PREOPEN, "b", PREOPEN, "target"),
        Err(Errno::Isdir)
    );
    // Across directory descriptors.
    let target = guest
        .path_open(
            PREOPEN,
            0,
            "target",
            DIRECTORY,
            Rights::PATH_RENAME_TARGET.bits(),
            0,
            0,
        )
        .unwrap();
    guest.rename(PREOPEN, "b", target, "b").unwrap();
    assert!(dir.path().join("target/b").is_file());
}

#[test]
fn symlinks_are_created_read_and_refused_when_absolute() {
    // `readlink`, `symlink_create`, `path_symlink_trailing_slashes`.
    let (dir, mut guest) = Guest::in_tempdir();
    touch(&mut guest, "target");
    guest.symlink("target", PREOPEN, "symlink").unwrap();
    assert_eq!(guest.readlink(PREOPEN, "symlink", 10).unwrap(), b"target");
    assert_eq!(guest.readlink(PREOPEN, "symlink", 4).unwrap(), b"targ");
    assert_eq!(guest.readlink(PREOPEN, "target", 10), Err(Errno::Inval));
    assert_eq!(
        std::fs::read_link(dir.path().join("symlink")).unwrap(),
        std::path::Path::new("target")
    );
    assert_eq!(guest.symlink("/", PREOPEN, "root"), Err(Errno::Notcapable));
    assert_eq!(guest.symlink("x", PREOPEN, "symlink"), Err(Errno::Exist));
    assert_eq!(guest.symlink("x", PREOPEN, "new/"), Err(Errno::Noent));
    guest.mkdir(PREOPEN, "dir").unwrap();
    assert_eq!(guest.symlink("x", PREOPEN, "dir/"), Err(Errno::Exist));
    assert!(matches!(
        guest.symlink("x", PREOPEN, "target/"),
        Err(Errno::Notdir | Errno::Exist)
    ));
    // Following the link opens its target.
    let fd = guest
        .path_open(PREOPEN, FOLLOW, "symlink", 0, 0, 0, 0)
        .unwrap();
    guest.close(fd).unwrap();
}

#[test]
fn symlinks_are_not_followed_without_the_flag() {
    // `nofollow_errors`, `dangling_symlink`, `symlink_loop`.
    let (_dir, mut guest) = Guest::in_tempdir();
    guest.mkdir(PREOPEN, "target").unwrap();
    guest.symlink("target", PREOPEN, "symlink").unwrap();
    assert!(matches!(
        guest.path_open(PREOPEN, 0, "symlink", DIRECTORY, 0, 0, 0),
        Err(Errno::Loop | Errno::Notdir)
    ));
    assert_eq!(
        guest.path_open(PREOPEN, 0, "symlink", 0, 0, 0, 0),
        Err(Errno::Loop)
    );
    guest
        .path_open(PREOPEN, FOLLOW, "symlink", DIRECTORY, 0, 0, 0)
        .unwrap();
    guest.unlink(PREOPEN, "symlink").unwrap();
    guest.rmdir(PREOPEN, "target").unwrap();

    touch(&mut guest, "target");
    guest.symlink("target", PREOPEN, "symlink").unwrap();
    assert_eq!(
        guest.path_open(PREOPEN, 0, "symlink", 0, 0, 0, 0),
        Err(Errno::Loop)
    );
    assert_eq!(
        guest.path_open(PREOPEN, FOLLOW, "symlink", DIRECTORY, 0, 0, 0),
        Err(Errno::Notdir)
    );

    guest.symlink("nowhere", PREOPEN, "dangling").unwrap();
    assert_eq!(
        guest.path_open(PREOPEN, 0, "dangling", 0, 0, 0, 0),
        Err(Errno::Loop)
    );
    assert_eq!(
        guest.path_open(PREOPEN, FOLLOW, "dangling", 0, 0, 0, 0),
        Err(Errno::Noent)
    );
    guest.symlink("loop", PREOPEN, "loop").unwrap();
    assert_eq!(
        guest.path_open(PREOPEN, FOLLOW, "loop", 0, 0, 0, 0),
        Err(Errno::Loop)
    );
    guest.unlink(PREOPEN, "loop").unwrap();
}

#[test]
fn paths_are_normalized_within_the_sandbox() {
    // `interesting_paths`.
    let (_dir, mut guest) = Guest::in_tempdir();
    guest.mkdir(PREOPEN, "dir").unwrap();
    guest.mkdir(PREOPEN, "dir/nested").unwrap();
    touch(&mut guest, "dir/nested/file");
    guest
        .path_open(
            PREOPEN,
            0,
            "dir/.//nested/../../dir/nested/../nested///./file",
            0,
            0,
            0,
            0,
        )
        .unwrap();
    assert_eq!(
        guest.path_open(PREOPEN, 0, "dir/nested/file\0", 0, 0, 0, 0),
        Err(Errno::Inval)
    );
    for path in ["dir/nested/file/", "dir/nested/file///"] {
        assert_eq!(
            guest.path_open(PREOPEN, 0, path, 0, 0, 0, 0),
            Err(Errno::Notdir)
        );
    }
    for path in ["dir/nested/", "dir/nested///"] {
        guest.path_open(PREOPEN, 0, path, 0, 0, 0, 0).unwrap();
    }
    assert_eq!(
        guest.path_open(PREOPEN, 0, "", 0, 0, 0, 0),
        Err(Errno::Noent)
    );
}

#[test]
fn paths_must_be_utf8() {
    let (_dir, mut guest) = Guest::in_tempdir();
    let bad = guest.put(b"caf\xe9");
    assert_eq!(
        guest.errno("path_create_directory", &[PREOPEN.into(), bad.into(), 4]),
        Errno::Ilseq
    );
}

#[test]
fn path_operations_need_their_rights() {
    let (dir, mut guest) = Guest::in_tempdir();
    touch(&mut guest, "file");
    let stat = guest.fdstat(PREOPEN).unwrap();
    let only_open = Rights::PATH_OPEN.bits();
    guest
        .ok(
            "fd_fdstat_set_rights",
            &[PREOPEN.into(), only_open, stat.inheriting],
        )
        .unwrap();
    assert_eq!(guest.mkdir(PREOPEN, "d"), Err(Errno::Notcapable));
    assert_eq!(guest.unlink(PREOPEN, "file"), Err(Errno::Notcapable));
    assert_eq!(guest.rmdir(PREOPEN, "file"), Err(Errno::Notcapable));
    assert_eq!(guest.symlink("a", PREOPEN, "b"), Err(Errno::Notcapable));
    assert_eq!(guest.readlink(PREOPEN, "file", 4), Err(Errno::Notcapable));
    assert_eq!(
        guest.path_filestat(PREOPEN, 0, "file"),
        Err(Errno::Notcapable)
    );
    assert_eq!(
        guest.rename(PREOPEN, "file", PREOPEN, "x"),
        Err(Errno::Notcapable)
    );
    assert_eq!(
        guest.link(PREOPEN, 0, "file", PREOPEN, "x"),
        Err(Errno::Notcapable)
    );
    assert_eq!(guest.create(PREOPEN, "new", 0), Err(Errno::Notcapable));
    guest.path_open(PREOPEN, 0, "file", 0, 0, 0, 0).unwrap();
    assert!(dir.path().join("file").exists());
}
