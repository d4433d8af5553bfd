//! The `wasi_snapshot_preview1` ABI: the enums, flag sets and records that
//! cross the host/guest boundary, exactly as `typenames.witx` defines them.
//!
//! Enum and flag values are the witx declaration order (an enum's N-th case
//! is N, a flag set's N-th flag is bit N). Records are laid out with the C
//! rules on wasm32 (pointers and `size` are 4 bytes); each record type here
//! states its size and field offsets and encodes itself little-endian into a
//! byte array, so nothing depends on Rust's layout of these types.
//!
//! Values the guest passes in are *not trusted*: every enum and flag set has
//! a `from_raw` that rejects unknown values with `Errno::Inval`, the same
//! answer wiggle-based hosts give.

use bitflags::bitflags;

/// Declares an enum whose cases are numbered in declaration order from 0,
/// with a `from_raw` that rejects out-of-range values with `Errno::Inval`.
macro_rules! witx_enum {
    ($(#[$meta:meta])* $name:ident : $repr:ty { $($(#[$cmeta:meta])* $case:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr($repr)]
        pub enum $name { $($(#[$cmeta])* $case),* }

        impl $name {
            /// Every case, in witx (numeric) order.
            pub const ALL: &'static [$name] = &[$($name::$case),*];

            /// Decodes a guest-provided value; out-of-range values are
            /// `Errno::Inval`.
            pub fn from_raw(raw: u32) -> Result<Self, Errno> {
                Self::ALL.get(raw as usize).copied().ok_or(Errno::Inval)
            }

            /// The value as the guest sees it.
            pub fn raw(self) -> $repr {
                self as $repr
            }
        }
    };
}

/// Declares the errno enum together with each case's witx name, so error
/// messages and test failures can print `NOTCAPABLE` rather than `76`.
macro_rules! errnos {
    ($($case:ident = $name:literal),* $(,)?) => {
        witx_enum! {
            /// Error codes returned by WASI functions (`$errno`, a `u16`).
            Errno: u16 { $($case),* }
        }

        impl Errno {
            /// The witx name in upper case, e.g. `"BADF"`.
            pub fn name(self) -> &'static str {
                match self { $(Errno::$case => $name),* }
            }
        }
    };
}

errnos! {
    Success = "SUCCESS",
    TooBig = "2BIG",
    Acces = "ACCES",
    Addrinuse = "ADDRINUSE",
    Addrnotavail = "ADDRNOTAVAIL",
    Afnosupport = "AFNOSUPPORT",
    Again = "AGAIN",
    Already = "ALREADY",
    Badf = "BADF",
    Badmsg = "BADMSG",
    Busy = "BUSY",
    Canceled = "CANCELED",
    Child = "CHILD",
    Connaborted = "CONNABORTED",
    Connrefused = "CONNREFUSED",
    Connreset = "CONNRESET",
    Deadlk = "DEADLK",
    Destaddrreq = "DESTADDRREQ",
    Dom = "DOM",
    Dquot = "DQUOT",
    Exist = "EXIST",
    Fault = "FAULT",
    Fbig = "FBIG",
    Hostunreach = "HOSTUNREACH",
    Idrm = "IDRM",
    Ilseq = "ILSEQ",
    Inprogress = "INPROGRESS",
    Intr = "INTR",
    Inval = "INVAL",
    Io = "IO",
    Isconn = "ISCONN",
    Isdir = "ISDIR",
    Loop = "LOOP",
    Mfile = "MFILE",
    Mlink = "MLINK",
    Msgsize = "MSGSIZE",
    Multihop = "MULTIHOP",
    Nametoolong = "NAMETOOLONG",
    Netdown = "NETDOWN",
    Netreset = "NETRESET",
    Netunreach = "NETUNREACH",
    Nfile = "NFILE",
    Nobufs = "NOBUFS",
    Nodev = "NODEV",
    Noent = "NOENT",
    Noexec = "NOEXEC",
    Nolck = "NOLCK",
    Nolink = "NOLINK",
    Nomem = "NOMEM",
    Nomsg = "NOMSG",
    Noprotoopt = "NOPROTOOPT",
    Nospc = "NOSPC",
    Nosys = "NOSYS",
    Notconn = "NOTCONN",
    Notdir = "NOTDIR",
    Notempty = "NOTEMPTY",
    Notrecoverable = "NOTRECOVERABLE",
    Notsock = "NOTSOCK",
    Notsup = "NOTSUP",
    Notty = "NOTTY",
    Nxio = "NXIO",
    Overflow = "OVERFLOW",
    Ownerdead = "OWNERDEAD",
    Perm = "PERM",
    Pipe = "PIPE",
    Proto = "PROTO",
    Protonosupport = "PROTONOSUPPORT",
    Prototype = "PROTOTYPE",
    Range = "RANGE",
    Rofs = "ROFS",
    Spipe = "SPIPE",
    Srch = "SRCH",
    Stale = "STALE",
    Timedout = "TIMEDOUT",
    Txtbsy = "TXTBSY",
    Xdev = "XDEV",
    Notcapable = "NOTCAPABLE",
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name(), self.raw())
    }
}

impl std::error::Error for Errno {}

witx_enum! {
    /// Identifiers for clocks (`$clockid`, a `u32`).
    Clockid: u32 { Realtime, Monotonic, ProcessCputimeId, ThreadCputimeId }
}

witx_enum! {
    /// The type of a file descriptor or file (`$filetype`, a `u8`).
    Filetype: u8 {
        Unknown,
        BlockDevice,
        CharacterDevice,
        Directory,
        RegularFile,
        SocketDgram,
        SocketStream,
        SymbolicLink,
    }
}

witx_enum! {
    /// The base of a seek (`$whence`, a `u8`).
    Whence: u8 { Set, Cur, End }
}

witx_enum! {
    /// File access pattern advice (`$advice`, a `u8`).
    Advice: u8 { Normal, Sequential, Random, Willneed, Dontneed, Noreuse }
}

witx_enum! {
    /// Type of a subscription or event (`$eventtype`, a `u8`).
    Eventtype: u8 { Clock, FdRead, FdWrite }
}

witx_enum! {
    /// Signal conditions (`$signal`, a `u8`).
    Signal: u8 {
        None, Hup, Int, Quit, Ill, Trap, Abrt, Bus, Fpe, Kill, Usr1, Segv, Usr2,
        Pipe, Alrm, Term, Chld, Cont, Stop, Tstp, Ttin, Ttou, Urg, Xcpu, Xfsz,
        Vtalrm, Prof, Winch, Poll, Pwr, Sys,
    }
}

/// What a signal does to a process by default, per the witx comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalAction {
    /// The process terminates.
    Terminate,
    /// Nothing happens.
    Ignore,
    /// The process stops (job control).
    Stop,
    /// A stopped process continues.
    Continue,
}

impl Signal {
    /// The default action of this signal.
    pub fn default_action(self) -> SignalAction {
        match self {
            Signal::None | Signal::Pipe | Signal::Chld | Signal::Urg | Signal::Winch => {
                SignalAction::Ignore
            }
            Signal::Cont => SignalAction::Continue,
            Signal::Stop | Signal::Tstp | Signal::Ttin | Signal::Ttou => SignalAction::Stop,
            _ => SignalAction::Terminate,
        }
    }

    /// The Linux number of this signal, for the conventional `128 + n` exit
    /// status of a process killed by it.
    pub fn linux_number(self) -> u8 {
        match self {
            Signal::None => 0,
            Signal::Hup => 1,
            Signal::Int => 2,
            Signal::Quit => 3,
            Signal::Ill => 4,
            Signal::Trap => 5,
            Signal::Abrt => 6,
            Signal::Bus => 7,
            Signal::Fpe => 8,
            Signal::Kill => 9,
            Signal::Usr1 => 10,
            Signal::Segv => 11,
            Signal::Usr2 => 12,
            Signal::Pipe => 13,
            Signal::Alrm => 14,
            Signal::Term => 15,
            Signal::Chld => 17,
            Signal::Cont => 18,
            Signal::Stop => 19,
            Signal::Tstp => 20,
            Signal::Ttin => 21,
            Signal::Ttou => 22,
            Signal::Urg => 23,
            Signal::Xcpu => 24,
            Signal::Xfsz => 25,
            Signal::Vtalrm => 26,
            Signal::Prof => 27,
            Signal::Winch => 28,
            Signal::Poll => 29,
            Signal::Pwr => 30,
            Signal::Sys => 31,
        }
    }
}

/// Declares a witx flag set and a `from_raw` that rejects unknown bits.
macro_rules! witx_flags {
    ($(#[$meta:meta])* $name:ident : $repr:ty { $($(#[$fmeta:meta])* const $flag:ident = $bit:expr;)* }) => {
        bitflags! {
            $(#[$meta])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub struct $name: $repr {
                $($(#[$fmeta])* const $flag = 1 << $bit;)*
            }
        }

        impl $name {
            /// Decodes a guest-provided value; unknown bits (including bits
            /// beyond the flag type's width) are `Errno::Inval`.
            pub fn from_raw(raw: u64) -> Result<Self, Errno> {
                <$repr>::try_from(raw)
                    .ok()
                    .and_then(Self::from_bits)
                    .ok_or(Errno::Inval)
            }
        }
    };
}

witx_flags! {
    /// File descriptor rights (`$rights`, a `u64`).
    Rights: u64 {
        const FD_DATASYNC = 0;
        const FD_READ = 1;
        const FD_SEEK = 2;
        const FD_FDSTAT_SET_FLAGS = 3;
        const FD_SYNC = 4;
        const FD_TELL = 5;
        const FD_WRITE = 6;
        const FD_ADVISE = 7;
        const FD_ALLOCATE = 8;
        const PATH_CREATE_DIRECTORY = 9;
        const PATH_CREATE_FILE = 10;
        const PATH_LINK_SOURCE = 11;
        const PATH_LINK_TARGET = 12;
        const PATH_OPEN = 13;
        const FD_READDIR = 14;
        const PATH_READLINK = 15;
        const PATH_RENAME_SOURCE = 16;
        const PATH_RENAME_TARGET = 17;
        const PATH_FILESTAT_GET = 18;
        const PATH_FILESTAT_SET_SIZE = 19;
        const PATH_FILESTAT_SET_TIMES = 20;
        const FD_FILESTAT_GET = 21;
        const FD_FILESTAT_SET_SIZE = 22;
        const FD_FILESTAT_SET_TIMES = 23;
        const PATH_SYMLINK = 24;
        const PATH_REMOVE_DIRECTORY = 25;
        const PATH_UNLINK_FILE = 26;
        const POLL_FD_READWRITE = 27;
        const SOCK_SHUTDOWN = 28;
        const SOCK_ACCEPT = 29;
    }
}

witx_flags! {
    /// File descriptor flags (`$fdflags`, a `u16`).
    Fdflags: u16 {
        const APPEND = 0;
        const DSYNC = 1;
        const NONBLOCK = 2;
        const RSYNC = 3;
        const SYNC = 4;
    }
}

witx_flags! {
    /// Which timestamps to set (`$fstflags`, a `u16`).
    Fstflags: u16 {
        const ATIM = 0;
        const ATIM_NOW = 1;
        const MTIM = 2;
        const MTIM_NOW = 3;
    }
}

witx_flags! {
    /// Path resolution flags (`$lookupflags`, a `u32`).
    Lookupflags: u32 {
        const SYMLINK_FOLLOW = 0;
    }
}

witx_flags! {
    /// Open flags for `path_open` (`$oflags`, a `u16`).
    Oflags: u16 {
        const CREAT = 0;
        const DIRECTORY = 1;
        const EXCL = 2;
        const TRUNC = 3;
    }
}

witx_flags! {
    /// Flags of a clock subscription (`$subclockflags`, a `u16`).
    Subclockflags: u16 {
        const SUBSCRIPTION_CLOCK_ABSTIME = 0;
    }
}

witx_flags! {
    /// State of a polled descriptor (`$eventrwflags`, a `u16`).
    Eventrwflags: u16 {
        const FD_READWRITE_HANGUP = 0;
    }
}

witx_flags! {
    /// Flags of `sock_recv` (`$riflags`, a `u16`).
    Riflags: u16 {
        const RECV_PEEK = 0;
        const RECV_WAITALL = 1;
    }
}

witx_flags! {
    /// Flags returned by `sock_recv` (`$roflags`, a `u16`).
    Roflags: u16 {
        const RECV_DATA_TRUNCATED = 0;
    }
}

witx_flags! {
    /// Which halves of a socket to shut down (`$sdflags`, a `u8`).
    Sdflags: u8 {
        const RD = 0;
        const WR = 1;
    }
}

/// Writes `value` little-endian at `offset` of `out`.
macro_rules! put {
    ($out:expr, $offset:expr, $value:expr) => {{
        let bytes = $value.to_le_bytes();
        $out[$offset..$offset + bytes.len()].copy_from_slice(&bytes);
    }};
}

/// Reads a little-endian integer of type `$ty` at `offset` of `bytes`.
macro_rules! get {
    ($bytes:expr, $offset:expr, $ty:ty) => {{
        const N: usize = std::mem::size_of::<$ty>();
        let mut raw = [0u8; N];
        raw.copy_from_slice(&$bytes[$offset..$offset + N]);
        <$ty>::from_le_bytes(raw)
    }};
}

/// `$iovec` / `$ciovec`: `buf: u32 @0`, `buf_len: u32 @4`; 8 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Iovec {
    /// Guest address of the buffer.
    pub buf: u32,
    /// Length of the buffer in bytes.
    pub buf_len: u32,
}

impl Iovec {
    /// Size in guest memory.
    pub const SIZE: usize = 8;

    /// Decodes the guest representation.
    pub fn decode(bytes: &[u8; Self::SIZE]) -> Self {
        Iovec {
            buf: get!(bytes, 0, u32),
            buf_len: get!(bytes, 4, u32),
        }
    }

    /// Encodes the guest representation.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        put!(out, 0, self.buf);
        put!(out, 4, self.buf_len);
        out
    }
}

/// `$fdstat`: `fs_filetype: u8 @0`, `fs_flags: u16 @2`,
/// `fs_rights_base: u64 @8`, `fs_rights_inheriting: u64 @16`; 24 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fdstat {
    /// File type.
    pub filetype: Filetype,
    /// File descriptor flags.
    pub flags: Fdflags,
    /// Rights of this descriptor.
    pub rights_base: Rights,
    /// Rights descriptors opened through this one may have.
    pub rights_inheriting: Rights,
}

impl Fdstat {
    /// Size in guest memory.
    pub const SIZE: usize = 24;

    /// Encodes the guest representation.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        out[0] = self.filetype.raw();
        put!(out, 2, self.flags.bits());
        put!(out, 8, self.rights_base.bits());
        put!(out, 16, self.rights_inheriting.bits());
        out
    }
}

/// `$filestat`: `dev @0`, `ino @8`, `filetype: u8 @16`, `nlink @24`,
/// `size @32`, `atim @40`, `mtim @48`, `ctim @56` (all others `u64`);
/// 64 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filestat {
    /// Device containing the file.
    pub dev: u64,
    /// File serial number.
    pub ino: u64,
    /// File type.
    pub filetype: Filetype,
    /// Number of hard links.
    pub nlink: u64,
    /// Size in bytes (for symlinks, the length of their contents).
    pub size: u64,
    /// Last access, in nanoseconds since the epoch.
    pub atim: u64,
    /// Last modification, in nanoseconds since the epoch.
    pub mtim: u64,
    /// Last status change, in nanoseconds since the epoch.
    pub ctim: u64,
}

impl Filestat {
    /// Size in guest memory.
    pub const SIZE: usize = 64;

    /// Encodes the guest representation.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        put!(out, 0, self.dev);
        put!(out, 8, self.ino);
        out[16] = self.filetype.raw();
        put!(out, 24, self.nlink);
        put!(out, 32, self.size);
        put!(out, 40, self.atim);
        put!(out, 48, self.mtim);
        put!(out, 56, self.ctim);
        out
    }
}

/// `$dirent`: `d_next @0`, `d_ino @8` (`u64`), `d_namlen: u32 @16`,
/// `d_type: u8 @20`; 24 bytes, followed in `fd_readdir` output by
/// `d_namlen` bytes of name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dirent {
    /// Cookie of the next entry.
    pub next: u64,
    /// Serial number of the entry's file.
    pub ino: u64,
    /// Length of the name that follows.
    pub namlen: u32,
    /// Type of the entry's file.
    pub filetype: Filetype,
}

impl Dirent {
    /// Size of the header in guest memory.
    pub const SIZE: usize = 24;

    /// Encodes the guest representation.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        put!(out, 0, self.next);
        put!(out, 8, self.ino);
        put!(out, 16, self.namlen);
        out[20] = self.filetype.raw();
        out
    }
}

/// `$prestat` (a union with one case, `dir`): `tag: u8 @0`,
/// `pr_name_len: u32 @4`; 8 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prestat {
    /// Length of the preopened directory's guest name.
    pub name_len: u32,
}

impl Prestat {
    /// Size in guest memory.
    pub const SIZE: usize = 8;
    /// The only tag, `preopentype::dir`.
    pub const TAG_DIR: u8 = 0;

    /// Encodes the guest representation.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        out[0] = Self::TAG_DIR;
        put!(out, 4, self.name_len);
        out
    }
}

/// The contents of a `$subscription`, by tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionKind {
    /// `subscription_clock`: `id: u32 @16`, `timeout: u64 @24`,
    /// `precision: u64 @32`, `flags: u16 @40`.
    Clock {
        /// Raw clock id (validated when the subscription is processed, so a
        /// bad one fails only its own event).
        id: u32,
        /// Absolute or relative timeout in nanoseconds.
        timeout: u64,
        /// Allowed extra delay (ignored: we never coalesce).
        precision: u64,
        /// Raw `subclockflags`.
        flags: u16,
    },
    /// `subscription_fd_readwrite` for reading: `file_descriptor: u32 @16`.
    FdRead(u32),
    /// `subscription_fd_readwrite` for writing: `file_descriptor: u32 @16`.
    FdWrite(u32),
}

/// `$subscription`: `userdata: u64 @0`, tag `u8 @8`, contents from `@16`;
/// 48 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// Returned unchanged in the matching event.
    pub userdata: u64,
    /// What to wait for.
    pub kind: SubscriptionKind,
}

impl Subscription {
    /// Size in guest memory.
    pub const SIZE: usize = 48;

    /// Decodes the guest representation; an unknown tag is `Errno::Inval`.
    pub fn decode(bytes: &[u8; Self::SIZE]) -> Result<Self, Errno> {
        let kind = match Eventtype::from_raw(u32::from(bytes[8]))? {
            Eventtype::Clock => SubscriptionKind::Clock {
                id: get!(bytes, 16, u32),
                timeout: get!(bytes, 24, u64),
                precision: get!(bytes, 32, u64),
                flags: get!(bytes, 40, u16),
            },
            Eventtype::FdRead => SubscriptionKind::FdRead(get!(bytes, 16, u32)),
            Eventtype::FdWrite => SubscriptionKind::FdWrite(get!(bytes, 16, u32)),
        };
        Ok(Subscription {
            userdata: get!(bytes, 0, u64),
            kind,
        })
    }

    /// Encodes the guest representation (used by tests to build input).
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        put!(out, 0, self.userdata);
        match self.kind {
            SubscriptionKind::Clock {
                id,
                timeout,
                precision,
                flags,
            } => {
                out[8] = Eventtype::Clock.raw();
                put!(out, 16, id);
                put!(out, 24, timeout);
                put!(out, 32, precision);
                put!(out, 40, flags);
            }
            SubscriptionKind::FdRead(fd) => {
                out[8] = Eventtype::FdRead.raw();
                put!(out, 16, fd);
            }
            SubscriptionKind::FdWrite(fd) => {
                out[8] = Eventtype::FdWrite.raw();
                put!(out, 16, fd);
            }
        }
        out
    }
}

/// `$event`: `userdata: u64 @0`, `error: u16 @8`, `type: u8 @10`,
/// `fd_readwrite.nbytes: u64 @16`, `fd_readwrite.flags: u16 @24`; 32 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// The subscription's userdata.
    pub userdata: u64,
    /// Error for this subscription, `Success` if none.
    pub error: Errno,
    /// The subscription's type.
    pub kind: Eventtype,
    /// Bytes available to read or write (fd events only).
    pub nbytes: u64,
    /// Descriptor state (fd events only).
    pub flags: Eventrwflags,
}

impl Event {
    /// Size in guest memory.
    pub const SIZE: usize = 32;

    /// Encodes the guest representation.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        put!(out, 0, self.userdata);
        put!(out, 8, self.error.raw());
        out[10] = self.kind.raw();
        put!(out, 16, self.nbytes);
        put!(out, 24, self.flags.bits());
        out
    }

    /// Decodes the guest representation (used by tests to check output).
    pub fn decode(bytes: &[u8; Self::SIZE]) -> Result<Self, Errno> {
        Ok(Event {
            userdata: get!(bytes, 0, u64),
            error: Errno::from_raw(u32::from(get!(bytes, 8, u16)))?,
            kind: Eventtype::from_raw(u32::from(bytes[10]))?,
            nbytes: get!(bytes, 16, u64),
            flags: Eventrwflags::from_raw(u64::from(get!(bytes, 24, u16)))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_values_match_the_witx_numbering() {
        // Spot-check values that guests and libc hard-code.
        assert_eq!(Errno::Success.raw(), 0);
        assert_eq!(Errno::TooBig.raw(), 1);
        assert_eq!(Errno::Badf.raw(), 8);
        assert_eq!(Errno::Exist.raw(), 20);
        assert_eq!(Errno::Fault.raw(), 21);
        assert_eq!(Errno::Inval.raw(), 28);
        assert_eq!(Errno::Isdir.raw(), 31);
        assert_eq!(Errno::Noent.raw(), 44);
        assert_eq!(Errno::Notdir.raw(), 54);
        assert_eq!(Errno::Notsock.raw(), 57);
        assert_eq!(Errno::Perm.raw(), 63);
        assert_eq!(Errno::Spipe.raw(), 70);
        assert_eq!(Errno::Notcapable.raw(), 76);
        assert_eq!(Errno::ALL.len(), 77);
        assert_eq!(Errno::Notcapable.name(), "NOTCAPABLE");
    }

    #[test]
    fn rights_bits_match_the_witx_numbering() {
        assert_eq!(Rights::FD_DATASYNC.bits(), 1);
        assert_eq!(Rights::FD_WRITE.bits(), 1 << 6);
        assert_eq!(Rights::PATH_OPEN.bits(), 1 << 13);
        assert_eq!(Rights::FD_READDIR.bits(), 1 << 14);
        assert_eq!(Rights::SOCK_ACCEPT.bits(), 1 << 29);
        assert_eq!(Rights::all().bits(), (1 << 30) - 1);
    }

    #[test]
    fn enums_and_flags_reject_unknown_values() {
        assert_eq!(Whence::from_raw(2), Ok(Whence::End));
        assert_eq!(Whence::from_raw(3), Err(Errno::Inval));
        assert_eq!(Clockid::from_raw(4), Err(Errno::Inval));
        assert_eq!(Signal::from_raw(30), Ok(Signal::Sys));
        assert_eq!(Signal::from_raw(31), Err(Errno::Inval));
        assert_eq!(Oflags::from_raw(0b1111), Ok(Oflags::all()));
        assert_eq!(Oflags::from_raw(0b1_0000), Err(Errno::Inval));
        // A value wider than the flag type is rejected, not truncated.
        assert_eq!(Fdflags::from_raw(1 << 16), Err(Errno::Inval));
        assert_eq!(Rights::from_raw(1 << 30), Err(Errno::Inval));
    }

    #[test]
    fn records_have_the_witx_layout() {
        let stat = Filestat {
            dev: 1,
            ino: 2,
            filetype: Filetype::RegularFile,
            nlink: 3,
            size: 4,
            atim: 5,
            mtim: 6,
            ctim: 7,
        }
        .encode();
        assert_eq!(&stat[0..8], &1u64.to_le_bytes());
        assert_eq!(&stat[8..16], &2u64.to_le_bytes());
        assert_eq!(stat[16], 4);
        assert_eq!(&stat[17..24], &[0; 7]);
        assert_eq!(&stat[24..32], &3u64.to_le_bytes());
        assert_eq!(&stat[56..64], &7u64.to_le_bytes());

        let fdstat = Fdstat {
            filetype: Filetype::Directory,
            flags: Fdflags::APPEND | Fdflags::NONBLOCK,
            rights_base: Rights::FD_READ,
            rights_inheriting: Rights::FD_WRITE,
        }
        .encode();
        assert_eq!(fdstat[0], 3);
        assert_eq!(fdstat[1], 0);
        assert_eq!(&fdstat[2..4], &5u16.to_le_bytes());
        assert_eq!(&fdstat[8..16], &2u64.to_le_bytes());
        assert_eq!(&fdstat[16..24], &64u64.to_le_bytes());

        let dirent = Dirent {
            next: 9,
            ino: 10,
            namlen: 3,
            filetype: Filetype::SymbolicLink,
        }
        .encode();
        assert_eq!(&dirent[16..20], &3u32.to_le_bytes());
        assert_eq!(dirent[20], 7);

        assert_eq!(Prestat { name_len: 5 }.encode(), [0, 0, 0, 0, 5, 0, 0, 0]);

        let event = Event {
            userdata: 0xabc,
            error: Errno::Badf,
            kind: Eventtype::FdWrite,
            nbytes: 17,
            flags: Eventrwflags::FD_READWRITE_HANGUP,
        };
        let bytes = event.encode();
        assert_eq!(&bytes[8..10], &8u16.to_le_bytes());
        assert_eq!(bytes[10], 2);
        assert_eq!(&bytes[16..24], &17u64.to_le_bytes());
        assert_eq!(&bytes[24..26], &1u16.to_le_bytes());
        assert_eq!(Event::decode(&bytes), Ok(event));
    }

    #[test]
    fn subscriptions_round_trip_and_reject_bad_tags() {
        let clock = Subscription {
            userdata: 7,
            kind: SubscriptionKind::Clock {
                id: 1,
                timeout: 1_000,
                precision: 0,
                flags: 1,
            },
        };
        let bytes = clock.encode();
        assert_eq!(bytes[8], 0);
        assert_eq!(&bytes[16..20], &1u32.to_le_bytes());
        assert_eq!(&bytes[24..32], &1_000u64.to_le_bytes());
        assert_eq!(&bytes[40..42], &1u16.to_le_bytes());
        assert_eq!(Subscription::decode(&bytes), Ok(clock));

        let mut bad = bytes;
        bad[8] = 3;
        assert_eq!(Subscription::decode(&bad), Err(Errno::Inval));
    }
}
