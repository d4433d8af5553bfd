//! Translating host errors into WASI errnos.
//!
//! Host calls fail with the Linux errno of the system call that failed; the
//! WASI errno set is the POSIX set renumbered, so the translation is a
//! name-for-name table. Two cases need a decision:
//!
//! - cap-std reports a sandbox escape (an absolute path, `..` past the
//!   preopen, a symlink leading outside) as `PermissionDenied` *without* an
//!   OS errno. That is exactly "capabilities insufficient", so it becomes
//!   `NOTCAPABLE` (the wasi-testsuite accepts `PERM` or `NOTCAPABLE`).
//! - Errnos with no WASI counterpart (there are few: `ENOTBLK`, `ECHRNG`…)
//!   become `IO`, the generic failure.

use std::io;

use rustix::io::Errno as HostErrno;

use crate::abi::Errno;

impl From<HostErrno> for Errno {
    fn from(host: HostErrno) -> Errno {
        from_host_errno(host)
    }
}

impl From<io::Error> for Errno {
    fn from(error: io::Error) -> Errno {
        if let Some(host) = HostErrno::from_io_error(&error) {
            return from_host_errno(host);
        }
        match error.kind() {
            io::ErrorKind::PermissionDenied => Errno::Notcapable,
            io::ErrorKind::NotFound => Errno::Noent,
            io::ErrorKind::AlreadyExists => Errno::Exist,
            io::ErrorKind::InvalidInput => Errno::Inval,
            io::ErrorKind::WouldBlock => Errno::Again,
            io::ErrorKind::Interrupted => Errno::Intr,
            io::ErrorKind::Unsupported => Errno::Notsup,
            io::ErrorKind::OutOfMemory => Errno::Nomem,
            io::ErrorKind::BrokenPipe => Errno::Pipe,
            _ => Errno::Io,
        }
    }
}

fn from_host_errno(host: HostErrno) -> Errno {
    // `EAGAIN == EWOULDBLOCK` and `ENOTSUP == EOPNOTSUPP` on Linux, so each
    // appears once.
    const TABLE: &[(HostErrno, Errno)] = &[
        (HostErrno::TOOBIG, Errno::TooBig),
        (HostErrno::ACCESS, Errno::Acces),
        (HostErrno::ADDRINUSE, Errno::Addrinuse),
        (HostErrno::ADDRNOTAVAIL, Errno::Addrnotavail),
        (HostErrno::AFNOSUPPORT, Errno::Afnosupport),
        (HostErrno::AGAIN, Errno::Again),
        (HostErrno::ALREADY, Errno::Already),
        (HostErrno::BADF, Errno::Badf),
        (HostErrno::BADMSG, Errno::Badmsg),
        (HostErrno::BUSY, Errno::Busy),
        (HostErrno::CANCELED, Errno::Canceled),
        (HostErrno::CHILD, Errno::Child),
        (HostErrno::CONNABORTED, Errno::Connaborted),
        (HostErrno::CONNREFUSED, Errno::Connrefused),
        (HostErrno::CONNRESET, Errno::Connreset),
        (HostErrno::DEADLK, Errno::Deadlk),
        (HostErrno::DESTADDRREQ, Errno::Destaddrreq),
        (HostErrno::DOM, Errno::Dom),
        (HostErrno::DQUOT, Errno::Dquot),
        (HostErrno::EXIST, Errno::Exist),
        (HostErrno::FAULT, Errno::Fault),
        (HostErrno::FBIG, Errno::Fbig),
        (HostErrno::HOSTUNREACH, Errno::Hostunreach),
        (HostErrno::IDRM, Errno::Idrm),
        (HostErrno::ILSEQ, Errno::Ilseq),
        (HostErrno::INPROGRESS, Errno::Inprogress),
        (HostErrno::INTR, Errno::Intr),
        (HostErrno::INVAL, Errno::Inval),
        (HostErrno::IO, Errno::Io),
        (HostErrno::ISCONN, Errno::Isconn),
        (HostErrno::ISDIR, Errno::Isdir),
        (HostErrno::LOOP, Errno::Loop),
        (HostErrno::MFILE, Errno::Mfile),
        (HostErrno::MLINK, Errno::Mlink),
        (HostErrno::MSGSIZE, Errno::Msgsize),
        (HostErrno::MULTIHOP, Errno::Multihop),
        (HostErrno::NAMETOOLONG, Errno::Nametoolong),
        (HostErrno::NETDOWN, Errno::Netdown),
        (HostErrno::NETRESET, Errno::Netreset),
        (HostErrno::NETUNREACH, Errno::Netunreach),
        (HostErrno::NFILE, Errno::Nfile),
        (HostErrno::NOBUFS, Errno::Nobufs),
        (HostErrno::NODEV, Errno::Nodev),
        (HostErrno::NOENT, Errno::Noent),
        (HostErrno::NOEXEC, Errno::Noexec),
        (HostErrno::NOLCK, Errno::Nolck),
        (HostErrno::NOLINK, Errno::Nolink),
        (HostErrno::NOMEM, Errno::Nomem),
        (HostErrno::NOMSG, Errno::Nomsg),
        (HostErrno::NOPROTOOPT, Errno::Noprotoopt),
        (HostErrno::NOSPC, Errno::Nospc),
        (HostErrno::NOSYS, Errno::Nosys),
        (HostErrno::NOTCONN, Errno::Notconn),
        (HostErrno::NOTDIR, Errno::Notdir),
        (HostErrno::NOTEMPTY, Errno::Notempty),
        (HostErrno::NOTRECOVERABLE, Errno::Notrecoverable),
        (HostErrno::NOTSOCK, Errno::Notsock),
        (HostErrno::NOTSUP, Errno::Notsup),
        (HostErrno::NOTTY, Errno::Notty),
        (HostErrno::NXIO, Errno::Nxio),
        (HostErrno::OVERFLOW, Errno::Overflow),
        (HostErrno::OWNERDEAD, Errno::Ownerdead),
        (HostErrno::PERM, Errno::Perm),
        (HostErrno::PIPE, Errno::Pipe),
        (HostErrno::PROTO, Errno::Proto),
        (HostErrno::PROTONOSUPPORT, Errno::Protonosupport),
        (HostErrno::PROTOTYPE, Errno::Prototype),
        (HostErrno::RANGE, Errno::Range),
        (HostErrno::ROFS, Errno::Rofs),
        (HostErrno::SPIPE, Errno::Spipe),
        (HostErrno::SRCH, Errno::Srch),
        (HostErrno::STALE, Errno::Stale),
        (HostErrno::TIMEDOUT, Errno::Timedout),
        (HostErrno::TXTBSY, Errno::Txtbsy),
        (HostErrno::XDEV, Errno::Xdev),
    ];
    TABLE
        .iter()
        .find(|(h, _)| *h == host)
        .map_or(Errno::Io, |&(_, wasi)| wasi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_errnos_map_name_for_name() {
        assert_eq!(Errno::from(HostErrno::NOENT), Errno::Noent);
        assert_eq!(Errno::from(HostErrno::WOULDBLOCK), Errno::Again);
        assert_eq!(Errno::from(HostErrno::OPNOTSUPP), Errno::Notsup);
        assert_eq!(Errno::from(HostErrno::NOTEMPTY), Errno::Notempty);
        // No WASI counterpart.
        assert_eq!(Errno::from(HostErrno::NOTBLK), Errno::Io);
    }

    #[test]
    fn io_errors_keep_their_os_errno() {
        let err = io::Error::from_raw_os_error(HostErrno::ISDIR.raw_os_error());
        assert_eq!(Errno::from(err), Errno::Isdir);
    }

    #[test]
    fn a_sandbox_escape_is_notcapable() {
        // What cap-std returns for `..` past the root: no OS errno.
        let err = io::Error::new(io::ErrorKind::PermissionDenied, "a path led outside");
        assert_eq!(Errno::from(err), Errno::Notcapable);
        // A real EACCES stays ACCES.
        let err = io::Error::from_raw_os_error(HostErrno::ACCESS.raw_os_error());
        assert_eq!(Errno::from(err), Errno::Acces);
    }
}
