//! File attributes and timestamps between the host and WASI.
//!
//! Attributes come from two places: `fstat` on an open descriptor
//! (`fd_filestat_get`) and cap-std's sandboxed path lookup
//! (`path_filestat_get`). Both become a WASI [`Filestat`] with nanosecond
//! timestamps; times before 1970 clamp to 0 since WASI timestamps are
//! unsigned.
//!
//! Setting times takes a WASI `fstflags` mask, validated here once for
//! both the descriptor and the path variant: each of the access and
//! modification times is left alone, set to "now", or set to a given time,
//! and asking for both "now" and a given time is `INVAL`.

use std::os::fd::BorrowedFd;
use std::time::Duration;

use cap_fs_ext::SystemTimeSpec;
use cap_std::fs::{FileTypeExt, Metadata, MetadataExt};
use cap_std::time::SystemTime;
use rustix::fs::{FileType, Timespec, Timestamps, UTIME_NOW, UTIME_OMIT};

use crate::abi::{Errno, Filestat, Filetype, Fstflags};

/// The WASI type of a host file with mode `st_mode`.
pub(crate) fn host_filetype(st_mode: u32) -> Filetype {
    match FileType::from_raw_mode(st_mode) {
        FileType::RegularFile => Filetype::RegularFile,
        FileType::Directory => Filetype::Directory,
        FileType::Symlink => Filetype::SymbolicLink,
        FileType::CharacterDevice => Filetype::CharacterDevice,
        FileType::BlockDevice => Filetype::BlockDevice,
        FileType::Socket => Filetype::SocketStream,
        FileType::Fifo | FileType::Unknown => Filetype::Unknown,
    }
}

/// The WASI type of a file cap-std looked up.
pub(crate) fn metadata_filetype(file_type: cap_std::fs::FileType) -> Filetype {
    if file_type.is_dir() {
        Filetype::Directory
    } else if file_type.is_file() {
        Filetype::RegularFile
    } else if file_type.is_symlink() {
        Filetype::SymbolicLink
    } else if file_type.is_char_device() {
        Filetype::CharacterDevice
    } else if file_type.is_block_device() {
        Filetype::BlockDevice
    } else if file_type.is_socket() {
        Filetype::SocketStream
    } else {
        Filetype::Unknown
    }
}

/// Nanoseconds since the epoch, clamped to WASI's unsigned range.
fn nanos(secs: i64, nsecs: i64) -> u64 {
    let total = i128::from(secs) * 1_000_000_000 + i128::from(nsecs);
    u64::try_from(total.max(0)).unwrap_or(u64::MAX)
}

/// Attributes of an open host descriptor.
// `Stat`'s field types differ between architectures, so some of these
// casts are identities on x86-64 and conversions elsewhere.
#[allow(clippy::unnecessary_cast)]
pub(crate) fn of_fd(fd: BorrowedFd<'_>) -> Result<Filestat, Errno> {
    let stat = rustix::fs::fstat(fd)?;
    Ok(Filestat {
        dev: stat.st_dev as u64,
        ino: stat.st_ino as u64,
        filetype: host_filetype(stat.st_mode as u32),
        nlink: stat.st_nlink as u64,
        size: stat.st_size.max(0) as u64,
        atim: nanos(stat.st_atime as i64, stat.st_atime_nsec as i64),
        mtim: nanos(stat.st_mtime as i64, stat.st_mtime_nsec as i64),
        ctim: nanos(stat.st_ctime as i64, stat.st_ctime_nsec as i64),
    })
}

/// Attributes cap-std looked up by path.
pub(crate) fn of_metadata(meta: &Metadata) -> Filestat {
    Filestat {
        dev: meta.dev(),
        ino: meta.ino(),
        filetype: metadata_filetype(meta.file_type()),
        nlink: meta.nlink(),
        size: meta.size(),
        atim: nanos(meta.atime(), meta.atime_nsec()),
        mtim: nanos(meta.mtime(), meta.mtime_nsec()),
        ctim: nanos(meta.ctime(), meta.ctime_nsec()),
    }
}

/// What to do with one timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeChange {
    Keep,
    Now,
    At(u64),
}

/// Decodes `fst_flags` into the (access, modification) changes.
pub(crate) fn time_changes(
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> Result<(TimeChange, TimeChange), Errno> {
    let flags = Fstflags::from_raw(u64::from(fst_flags))?;
    let one =
        |set: Fstflags, now: Fstflags, value: u64| match (flags.contains(set), flags.contains(now))
        {
            (true, true) => Err(Errno::Inval),
            (true, false) => Ok(TimeChange::At(value)),
            (false, true) => Ok(TimeChange::Now),
            (false, false) => Ok(TimeChange::Keep),
        };
    Ok((
        one(Fstflags::ATIM, Fstflags::ATIM_NOW, atim)?,
        one(Fstflags::MTIM, Fstflags::MTIM_NOW, mtim)?,
    ))
}

impl TimeChange {
    /// As `utimensat`/`futimens` take it.
    pub(crate) fn timespec(self) -> Timespec {
        match self {
            TimeChange::Keep => Timespec {
                tv_sec: 0,
                tv_nsec: UTIME_OMIT,
            },
            TimeChange::Now => Timespec {
                tv_sec: 0,
                tv_nsec: UTIME_NOW,
            },
            TimeChange::At(ns) => Timespec {
                // Below 2^64 / 10^9, so it fits an i64.
                tv_sec: (ns / 1_000_000_000) as i64,
                tv_nsec: (ns % 1_000_000_000) as _,
            },
        }
    }

    /// As cap-std's `set_times` takes it (`None` keeps the time).
    pub(crate) fn system_time_spec(self) -> Option<SystemTimeSpec> {
        match self {
            TimeChange::Keep => None,
            TimeChange::Now => Some(SystemTimeSpec::SymbolicNow),
            TimeChange::At(ns) => Some(SystemTimeSpec::Absolute(SystemTime::from_std(
                std::time::SystemTime::UNIX_EPOCH + Duration::from_nanos(ns),
            ))),
        }
    }
}

/// Sets the times of an open host descriptor.
pub(crate) fn set_fd_times(
    fd: BorrowedFd<'_>,
    atime: TimeChange,
    mtime: TimeChange,
) -> Result<(), Errno> {
    let times = Timestamps {
        last_access: atime.timespec(),
        last_modification: mtime.timespec(),
    };
    Ok(rustix::fs::futimens(fd, &times)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fstflags_pick_one_change_per_time() {
        let all = (Fstflags::ATIM | Fstflags::MTIM_NOW).bits().into();
        assert_eq!(
            time_changes(5, 6, all),
            Ok((TimeChange::At(5), TimeChange::Now))
        );
        assert_eq!(
            time_changes(5, 6, 0),
            Ok((TimeChange::Keep, TimeChange::Keep))
        );
        let both = (Fstflags::MTIM | Fstflags::MTIM_NOW).bits().into();
        assert_eq!(time_changes(0, 0, both), Err(Errno::Inval));
        let both = (Fstflags::ATIM | Fstflags::ATIM_NOW).bits().into();
        assert_eq!(time_changes(0, 0, both), Err(Errno::Inval));
        assert_eq!(time_changes(0, 0, 1 << 4), Err(Errno::Inval));
    }

    #[test]
    fn timestamps_convert_both_ways() {
        assert_eq!(nanos(1, 5), 1_000_000_005);
        assert_eq!(nanos(-1, 0), 0);
        let spec = TimeChange::At(3_000_000_007).timespec();
        assert_eq!((spec.tv_sec, spec.tv_nsec), (3, 7));
        assert_eq!(TimeChange::Keep.timespec().tv_nsec, UTIME_OMIT);
        assert!(TimeChange::Keep.system_time_spec().is_none());
    }
}
