//! Which rights each kind of descriptor can carry, and how `path_open`
//! derives a new descriptor's rights from its directory's.
//!
//! Rights are the sandbox's second wall (cap-std's path resolution is the
//! first): a descriptor may do exactly what its base rights allow, and a
//! descriptor opened through a directory gets at most the directory's
//! *inheriting* rights. A read-only preopen simply lacks every right that
//! can change the file system ([`MUTATING`]), in its base and in what it
//! passes on, so nothing reachable from it can write; and the host opens
//! files with OS write access only when the new descriptor was granted a
//! right that needs it ([`WRITE_ACCESS`]), so even a bug in the rights
//! bookkeeping could not write through a descriptor from a read-only tree.
//!
//! `path_open` follows the witx contract: a descriptor may get fewer rights
//! than requested only where they do not apply to the opened file's type
//! ([`applicable`]). Rights beyond what the directory may pass on are
//! dropped silently too (Rust's standard library asks for every right and
//! relies on that, as the witx comment in its source says), with one
//! exception: asking for *write access* through a directory that cannot
//! grant it fails with `NOTCAPABLE` at open time, which is where a program
//! opening a file for writing in a read-only tree expects to hear about it.

use crate::abi::{Errno, Filetype, Rights};

/// Rights that apply to regular files (and devices).
pub const FILE: Rights = Rights::FD_DATASYNC
    .union(Rights::FD_READ)
    .union(Rights::FD_SEEK)
    .union(Rights::FD_FDSTAT_SET_FLAGS)
    .union(Rights::FD_SYNC)
    .union(Rights::FD_TELL)
    .union(Rights::FD_WRITE)
    .union(Rights::FD_ADVISE)
    .union(Rights::FD_ALLOCATE)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::FD_FILESTAT_SET_SIZE)
    .union(Rights::FD_FILESTAT_SET_TIMES)
    .union(Rights::POLL_FD_READWRITE);

/// Rights that apply to directories: no reading, writing or seeking, and no
/// `FD_FILESTAT_SET_SIZE` (which the wasi-testsuite checks for).
pub const DIRECTORY: Rights = Rights::FD_DATASYNC
    .union(Rights::FD_FDSTAT_SET_FLAGS)
    .union(Rights::FD_SYNC)
    .union(Rights::PATH_CREATE_DIRECTORY)
    .union(Rights::PATH_CREATE_FILE)
    .union(Rights::PATH_LINK_SOURCE)
    .union(Rights::PATH_LINK_TARGET)
    .union(Rights::PATH_OPEN)
    .union(Rights::FD_READDIR)
    .union(Rights::PATH_READLINK)
    .union(Rights::PATH_RENAME_SOURCE)
    .union(Rights::PATH_RENAME_TARGET)
    .union(Rights::PATH_FILESTAT_GET)
    .union(Rights::PATH_FILESTAT_SET_SIZE)
    .union(Rights::PATH_FILESTAT_SET_TIMES)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::FD_FILESTAT_SET_TIMES)
    .union(Rights::PATH_SYMLINK)
    .union(Rights::PATH_REMOVE_DIRECTORY)
    .union(Rights::PATH_UNLINK_FILE);

/// Rights of the guest's stdin. No seek or tell, which is also how
/// wasi-libc's `isatty` recognizes a terminal.
pub const STDIN: Rights = Rights::FD_READ
    .union(Rights::FD_FDSTAT_SET_FLAGS)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::POLL_FD_READWRITE);

/// Rights of the guest's stdout and stderr.
pub const STDOUT: Rights = Rights::FD_WRITE
    .union(Rights::FD_FDSTAT_SET_FLAGS)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::POLL_FD_READWRITE);

/// Rights of a connected stream socket.
pub const SOCKET: Rights = Rights::FD_READ
    .union(Rights::FD_WRITE)
    .union(Rights::FD_FDSTAT_SET_FLAGS)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::POLL_FD_READWRITE)
    .union(Rights::SOCK_SHUTDOWN);

/// Rights of a listening socket.
pub const LISTENER: Rights = Rights::SOCK_ACCEPT
    .union(Rights::FD_FDSTAT_SET_FLAGS)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::POLL_FD_READWRITE);

/// Rights that can change the file system. A read-only preopen has none of
/// them. Linking or renaming *out of* a directory counts: it would give a
/// writable directory a name for a file of the read-only tree.
pub const MUTATING: Rights = Rights::FD_WRITE
    .union(Rights::FD_ALLOCATE)
    .union(Rights::FD_FILESTAT_SET_SIZE)
    .union(Rights::FD_FILESTAT_SET_TIMES)
    .union(Rights::PATH_CREATE_DIRECTORY)
    .union(Rights::PATH_CREATE_FILE)
    .union(Rights::PATH_LINK_SOURCE)
    .union(Rights::PATH_LINK_TARGET)
    .union(Rights::PATH_RENAME_SOURCE)
    .union(Rights::PATH_RENAME_TARGET)
    .union(Rights::PATH_FILESTAT_SET_SIZE)
    .union(Rights::PATH_FILESTAT_SET_TIMES)
    .union(Rights::PATH_SYMLINK)
    .union(Rights::PATH_REMOVE_DIRECTORY)
    .union(Rights::PATH_UNLINK_FILE);

/// Rights whose operations need a descriptor opened for writing at the OS
/// level (`write`, `fallocate`, `ftruncate`). The same set wasi-libc uses to
/// tell `O_WRONLY` from `O_RDONLY`.
pub const WRITE_ACCESS: Rights = Rights::FD_WRITE
    .union(Rights::FD_ALLOCATE)
    .union(Rights::FD_FILESTAT_SET_SIZE);

/// Rights whose operations need a descriptor opened for reading.
pub const READ_ACCESS: Rights = Rights::FD_READ.union(Rights::FD_READDIR);

/// The (base, inheriting) rights of a preopened directory.
pub fn preopen(read_only: bool) -> (Rights, Rights) {
    let base = DIRECTORY;
    let inheriting = DIRECTORY | FILE;
    if read_only {
        (base - MUTATING, inheriting - MUTATING)
    } else {
        (base, inheriting)
    }
}

/// The rights that can apply to a descriptor of type `filetype`.
pub fn applicable(filetype: Filetype) -> Rights {
    match filetype {
        Filetype::Directory => DIRECTORY,
        Filetype::SocketStream | Filetype::SocketDgram => SOCKET,
        Filetype::Unknown
        | Filetype::BlockDevice
        | Filetype::CharacterDevice
        | Filetype::RegularFile
        | Filetype::SymbolicLink => FILE,
    }
}

/// The rights a `path_open` may grant, before the opened file's type is
/// known: the request limited to what the directory passes on. Fails with
/// `NOTCAPABLE` if the request needs write access the directory cannot pass
/// on (see the module docs).
pub fn grantable(
    requested_base: Rights,
    requested_inheriting: Rights,
    dir_inheriting: Rights,
) -> Result<(Rights, Rights), Errno> {
    if !dir_inheriting.contains(requested_base & WRITE_ACCESS) {
        return Err(Errno::Notcapable);
    }
    Ok((
        requested_base & dir_inheriting,
        requested_inheriting & dir_inheriting,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preopens_carry_the_rights_userland_expects() {
        // The list wasi-testsuite's `path_open_preopen` insists on.
        let required_base = Rights::PATH_CREATE_DIRECTORY
            | Rights::PATH_CREATE_FILE
            | Rights::PATH_LINK_SOURCE
            | Rights::PATH_LINK_TARGET
            | Rights::PATH_OPEN
            | Rights::FD_READDIR
            | Rights::PATH_READLINK
            | Rights::PATH_RENAME_SOURCE
            | Rights::PATH_RENAME_TARGET
            | Rights::PATH_SYMLINK
            | Rights::PATH_REMOVE_DIRECTORY
            | Rights::PATH_UNLINK_FILE
            | Rights::PATH_FILESTAT_GET
            | Rights::PATH_FILESTAT_SET_TIMES
            | Rights::FD_FILESTAT_GET
            | Rights::FD_FILESTAT_SET_TIMES;
        let required_inheriting = required_base
            | Rights::FD_DATASYNC
            | Rights::FD_READ
            | Rights::FD_SEEK
            | Rights::FD_FDSTAT_SET_FLAGS
            | Rights::FD_SYNC
            | Rights::FD_TELL
            | Rights::FD_WRITE
            | Rights::FD_ADVISE
            | Rights::FD_ALLOCATE
            | Rights::FD_FILESTAT_SET_SIZE
            | Rights::POLL_FD_READWRITE;
        let (base, inheriting) = preopen(false);
        assert!(base.contains(required_base));
        assert!(inheriting.contains(required_inheriting));
        assert!(!base.intersects(Rights::FD_SEEK | Rights::FD_FILESTAT_SET_SIZE));
    }

    #[test]
    fn read_only_preopens_cannot_pass_on_anything_mutating() {
        let (base, inheriting) = preopen(true);
        assert!(!base.intersects(MUTATING));
        assert!(!inheriting.intersects(MUTATING));
        assert!(base.contains(Rights::PATH_OPEN | Rights::FD_READDIR));
        assert!(inheriting.contains(Rights::FD_READ | Rights::FD_SEEK));
    }

    #[test]
    fn write_access_through_a_read_only_directory_is_refused() {
        let (_, ro_inheriting) = preopen(true);
        assert_eq!(
            grantable(
                Rights::FD_READ | Rights::FD_WRITE,
                Rights::empty(),
                ro_inheriting
            ),
            Err(Errno::Notcapable)
        );
        // Everything else is narrowed silently, as Rust's std relies on.
        assert_eq!(
            grantable(Rights::all() - WRITE_ACCESS, Rights::all(), ro_inheriting),
            Ok((ro_inheriting - WRITE_ACCESS, ro_inheriting))
        );
    }

    #[test]
    fn types_only_carry_applicable_rights() {
        assert!(!applicable(Filetype::Directory).intersects(Rights::FD_READ | Rights::FD_SEEK));
        assert!(!applicable(Filetype::RegularFile).intersects(Rights::PATH_OPEN));
        assert!(applicable(Filetype::SocketStream).contains(Rights::SOCK_SHUTDOWN));
    }
}
