//! One table describing every `wasi_snapshot_preview1` function: its import
//! name, its wasm signature, and how to call it.
//!
//! The runtime glue should not hand-write 46 wrappers; it registers every
//! function with one loop:
//!
//! ```text
//! for func in WasiFunc::ALL {
//!     let sig = func.signature();              // params/results as i32/i64
//!     linker.func_new(WasiFunc::MODULE, func.name(), sig, move |caller, args| {
//!         let (ctx, memory) = /* the WasiCtx and the exported "memory" */;
//!         match tern_wasi::dispatch(ctx, memory, func, &raw_args) {
//!             Ok(errno) => /* return errno as the single i32 result */,
//!             Err(unwind) => /* stop the guest: proc_exit / trap */,
//!         }
//!     });
//! }
//! ```
//!
//! Arguments arrive as raw `u64` bits in wasm parameter order: an `i32`
//! parameter uses the low 32 bits (zero- or sign-extended, either works), an
//! `i64` all 64. Every function but `proc_exit` returns one `i32`, the
//! errno (0 on success); results that WASI returns "through" pointers are
//! written into guest memory by the function itself, as the C ABI of
//! preview1 specifies.
//!
//! The table, the signatures and the dispatch are generated from one
//! declaration below, so a function's name, its signature and the method
//! that implements it cannot drift apart.

use std::fmt;

use crate::abi::{Errno, Signal};
use crate::ctx::WasiCtx;

/// The type of a wasm parameter or result of a WASI function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    /// `i32`: pointers, lengths, descriptors, small enums and flags.
    I32,
    /// `i64`: rights, offsets, timestamps, sizes of files.
    I64,
}

/// The wasm signature of a WASI function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Parameter types, in order.
    pub params: &'static [ValType],
    /// Result types: `[I32]` (the errno), or `[]` for `proc_exit`.
    pub results: &'static [ValType],
}

/// Why a WASI call does not return to the guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unwind {
    /// `proc_exit(code)`: the program ended with this exit code.
    Exit(u32),
    /// `proc_raise` of a signal whose default action terminates the
    /// process: the program was killed by it.
    Signal(Signal),
    /// The embedder passed the wrong number of arguments: a bug in the glue,
    /// to be reported as a trap.
    BadArity {
        /// The function called.
        func: WasiFunc,
        /// How many arguments its signature has.
        expected: usize,
        /// How many were passed.
        got: usize,
    },
}

impl Unwind {
    /// The exit status a command-line host should end with: the code of
    /// `proc_exit`, or `128 + n` for a program killed by signal `n` (the
    /// shell convention). `None` for a glue bug.
    pub fn exit_status(&self) -> Option<i32> {
        match *self {
            Unwind::Exit(code) => Some(code as i32),
            Unwind::Signal(signal) => Some(128 + i32::from(signal.linux_number())),
            Unwind::BadArity { .. } => None,
        }
    }
}

impl fmt::Display for Unwind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unwind::Exit(code) => write!(f, "the program exited with code {code}"),
            Unwind::Signal(signal) => write!(f, "the program raised signal {signal:?}"),
            Unwind::BadArity {
                func,
                expected,
                got,
            } => write!(
                f,
                "{}::{} takes {expected} arguments but was called with {got}",
                WasiFunc::MODULE,
                func.name()
            ),
        }
    }
}

impl std::error::Error for Unwind {}

/// How a host method's return value becomes `dispatch`'s result.
trait IntoOutcome {
    fn into_outcome(self) -> Result<i32, Unwind>;
}

impl IntoOutcome for Result<(), Errno> {
    fn into_outcome(self) -> Result<i32, Unwind> {
        Ok(i32::from(self.err().unwrap_or(Errno::Success).raw()))
    }
}

impl IntoOutcome for Unwind {
    fn into_outcome(self) -> Result<i32, Unwind> {
        Err(self)
    }
}

impl<T: IntoOutcome> IntoOutcome for Result<T, Unwind> {
    fn into_outcome(self) -> Result<i32, Unwind> {
        self.and_then(IntoOutcome::into_outcome)
    }
}

macro_rules! val_type {
    (i32) => {
        ValType::I32
    };
    (i64) => {
        ValType::I64
    };
}

/// Takes a raw argument as the host method's parameter type: `u32` for an
/// `i32` (the low 32 bits), `u64` for an `i64`.
macro_rules! from_raw {
    (i32, $raw:expr) => {
        $raw as u32
    };
    (i64, $raw:expr) => {
        $raw
    };
}

macro_rules! results {
    () => {
        &[ValType::I32]
    };
    (!) => {
        &[]
    };
}

macro_rules! wasi_functions {
    ($($variant:ident => fn $method:ident($($arg:ident: $ty:ident),*) $(-> $never:tt)?;)*) => {
        /// A `wasi_snapshot_preview1` function.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum WasiFunc {
            $(
                #[doc = concat!("`", stringify!($method), "`")]
                $variant,
            )*
        }

        impl WasiFunc {
            /// Every function, in witx order.
            pub const ALL: &'static [WasiFunc] = &[$(WasiFunc::$variant),*];

            /// The import name.
            pub fn name(self) -> &'static str {
                match self {
                    $(WasiFunc::$variant => stringify!($method),)*
                }
            }

            /// The wasm signature.
            pub fn signature(self) -> Signature {
                match self {
                    $(WasiFunc::$variant => Signature {
                        params: &[$(val_type!($ty)),*],
                        results: results!($($never)?),
                    },)*
                }
            }
        }

        /// Calls `func` for the guest whose WASI state is `ctx` and whose
        /// linear memory is `memory`, with the raw wasm arguments `args`.
        ///
        /// Returns the errno for the guest (0 on success), or why the guest
        /// must stop ([`Unwind`]). Never panics on guest input: every
        /// pointer is checked against `memory`.
        pub fn dispatch(
            ctx: &mut WasiCtx,
            memory: &mut [u8],
            func: WasiFunc,
            args: &[u64],
        ) -> Result<i32, Unwind> {
            match func {
                $(WasiFunc::$variant => {
                    let &[$($arg),*] = args else {
                        return Err(Unwind::BadArity {
                            func,
                            expected: func.signature().params.len(),
                            got: args.len(),
                        });
                    };
                    ctx.$method(memory, $(from_raw!($ty, $arg)),*).into_outcome()
                })*
            }
        }
    };
}

wasi_functions! {
    ArgsGet => fn args_get(argv: i32, argv_buf: i32);
    ArgsSizesGet => fn args_sizes_get(argc_out: i32, argv_buf_size_out: i32);
    EnvironGet => fn environ_get(environ: i32, environ_buf: i32);
    EnvironSizesGet => fn environ_sizes_get(count_out: i32, buf_size_out: i32);
    ClockResGet => fn clock_res_get(id: i32, resolution_out: i32);
    ClockTimeGet => fn clock_time_get(id: i32, precision: i64, time_out: i32);
    FdAdvise => fn fd_advise(fd: i32, offset: i64, len: i64, advice: i32);
    FdAllocate => fn fd_allocate(fd: i32, offset: i64, len: i64);
    FdClose => fn fd_close(fd: i32);
    FdDatasync => fn fd_datasync(fd: i32);
    FdFdstatGet => fn fd_fdstat_get(fd: i32, fdstat_out: i32);
    FdFdstatSetFlags => fn fd_fdstat_set_flags(fd: i32, flags: i32);
    FdFdstatSetRights => fn fd_fdstat_set_rights(fd: i32, rights_base: i64, rights_inheriting: i64);
    FdFilestatGet => fn fd_filestat_get(fd: i32, filestat_out: i32);
    FdFilestatSetSize => fn fd_filestat_set_size(fd: i32, size: i64);
    FdFilestatSetTimes => fn fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, fst_flags: i32);
    FdPread => fn fd_pread(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nread_out: i32);
    FdPrestatGet => fn fd_prestat_get(fd: i32, prestat_out: i32);
    FdPrestatDirName => fn fd_prestat_dir_name(fd: i32, path: i32, path_len: i32);
    FdPwrite => fn fd_pwrite(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nwritten_out: i32);
    FdRead => fn fd_read(fd: i32, iovs: i32, iovs_len: i32, nread_out: i32);
    FdReaddir => fn fd_readdir(fd: i32, buf: i32, buf_len: i32, cookie: i64, bufused_out: i32);
    FdRenumber => fn fd_renumber(fd: i32, to: i32);
    FdSeek => fn fd_seek(fd: i32, offset: i64, whence: i32, newoffset_out: i32);
    FdSync => fn fd_sync(fd: i32);
    FdTell => fn fd_tell(fd: i32, offset_out: i32);
    FdWrite => fn fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten_out: i32);
    PathCreateDirectory => fn path_create_directory(fd: i32, path: i32, path_len: i32);
    PathFilestatGet => fn path_filestat_get(fd: i32, flags: i32, path: i32, path_len: i32, filestat_out: i32);
    PathFilestatSetTimes => fn path_filestat_set_times(fd: i32, flags: i32, path: i32, path_len: i32, atim: i64, mtim: i64, fst_flags: i32);
    PathLink => fn path_link(old_fd: i32, old_flags: i32, old_path: i32, old_path_len: i32, new_fd: i32, new_path: i32, new_path_len: i32);
    PathOpen => fn path_open(fd: i32, dirflags: i32, path: i32, path_len: i32, oflags: i32, rights_base: i64, rights_inheriting: i64, fdflags: i32, fd_out: i32);
    PathReadlink => fn path_readlink(fd: i32, path: i32, path_len: i32, buf: i32, buf_len: i32, bufused_out: i32);
    PathRemoveDirectory => fn path_remove_directory(fd: i32, path: i32, path_len: i32);
    PathRename => fn path_rename(fd: i32, old_path: i32, old_path_len: i32, new_fd: i32, new_path: i32, new_path_len: i32);
    PathSymlink => fn path_symlink(old_path: i32, old_path_len: i32, fd: i32, new_path: i32, new_path_len: i32);
    PathUnlinkFile => fn path_unlink_file(fd: i32, path: i32, path_len: i32);
    PollOneoff => fn poll_oneoff(subscriptions: i32, events: i32, nsubscriptions: i32, nevents_out: i32);
    ProcExit => fn proc_exit(code: i32) -> !;
    ProcRaise => fn proc_raise(signal: i32);
    SchedYield => fn sched_yield();
    RandomGet => fn random_get(buf: i32, buf_len: i32);
    SockAccept => fn sock_accept(fd: i32, flags: i32, fd_out: i32);
    SockRecv => fn sock_recv(fd: i32, ri_data: i32, ri_data_len: i32, ri_flags: i32, ro_datalen_out: i32, ro_flags_out: i32);
    SockSend => fn sock_send(fd: i32, si_data: i32, si_data_len: i32, si_flags: i32, nsent_out: i32);
    SockShutdown => fn sock_shutdown(fd: i32, how: i32);
}

impl WasiFunc {
    /// The import module every function lives in.
    pub const MODULE: &'static str = "wasi_snapshot_preview1";

    /// The function imported as `name`, if any.
    pub fn from_name(name: &str) -> Option<WasiFunc> {
        WasiFunc::ALL.iter().copied().find(|f| f.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::WasiCtxBuilder;

    #[test]
    fn the_table_lists_all_46_functions_once() {
        assert_eq!(WasiFunc::ALL.len(), 46);
        let mut names: Vec<_> = WasiFunc::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 46);
        assert_eq!(WasiFunc::from_name("fd_write"), Some(WasiFunc::FdWrite));
        assert_eq!(WasiFunc::from_name("fd_nope"), None);
    }

    #[test]
    fn signatures_match_the_preview1_c_abi() {
        use ValType::{I32, I64};
        let sig = |name| WasiFunc::from_name(name).unwrap().signature();
        assert_eq!(sig("fd_write").params, &[I32, I32, I32, I32]);
        assert_eq!(sig("fd_seek").params, &[I32, I64, I32, I32]);
        assert_eq!(sig("clock_time_get").params, &[I32, I64, I32]);
        assert_eq!(
            sig("path_open").params,
            &[I32, I32, I32, I32, I32, I64, I64, I32, I32]
        );
        assert_eq!(
            sig("path_filestat_set_times").params,
            &[I32, I32, I32, I32, I64, I64, I32]
        );
        assert_eq!(sig("fd_readdir").params, &[I32, I32, I32, I64, I32]);
        assert_eq!(sig("sched_yield").params, &[]);
        assert_eq!(sig("proc_exit").results, &[]);
        for func in WasiFunc::ALL {
            if *func != WasiFunc::ProcExit {
                assert_eq!(func.signature().results, &[I32], "{}", func.name());
            }
        }
    }

    #[test]
    fn dispatch_checks_arity() {
        let mut ctx = WasiCtxBuilder::new().build().unwrap();
        let err = dispatch(&mut ctx, &mut [], WasiFunc::FdClose, &[]).unwrap_err();
        assert_eq!(
            err,
            Unwind::BadArity {
                func: WasiFunc::FdClose,
                expected: 1,
                got: 0
            }
        );
        assert_eq!(err.exit_status(), None);
        assert!(err.to_string().contains("fd_close"), "{err}");
    }

    #[test]
    fn dispatch_returns_errnos_and_unwinds() {
        let mut ctx = WasiCtxBuilder::new().build().unwrap();
        let badf = dispatch(&mut ctx, &mut [], WasiFunc::FdClose, &[99]);
        assert_eq!(badf, Ok(i32::from(Errno::Badf.raw())));
        let ok = dispatch(&mut ctx, &mut [], WasiFunc::SchedYield, &[]);
        assert_eq!(ok, Ok(0));
        let exit = dispatch(&mut ctx, &mut [], WasiFunc::ProcExit, &[7]);
        assert_eq!(exit, Err(Unwind::Exit(7)));
        assert_eq!(exit.unwrap_err().exit_status(), Some(7));
        // A sign-extended i32 argument is read from its low 32 bits.
        let sign_extended = (-1i32) as i64 as u64;
        let badf = dispatch(&mut ctx, &mut [], WasiFunc::FdClose, &[sign_extended]);
        assert_eq!(badf, Ok(i32::from(Errno::Badf.raw())));
    }
}
