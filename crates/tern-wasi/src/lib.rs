//! WASI preview1 (`wasi_snapshot_preview1`) for Tern: the host side of
//! every function a C, Rust, Go or AssemblyScript program compiled for
//! `wasm32-wasip1` imports, with the file system sandboxed by cap-std.
//!
//! # Shape: independent of the runtime
//!
//! This crate knows nothing about how wasm runs. A guest's WASI state is a
//! [`WasiCtx`] (built by [`WasiCtxBuilder`]); every preview1 function is a
//! plain method on it that takes the guest's linear memory as `&mut [u8]`
//! and the call's raw wasm arguments, and returns the errno. The runtime
//! glue therefore needs no knowledge of WASI types: it registers every
//! function from one table ([`WasiFunc::ALL`], each entry with its import
//! name and [`Signature`]) and forwards calls to [`dispatch()`], which decodes
//! the arguments and calls the method. Ending the program (`proc_exit`, or
//! a fatal `proc_raise`) is not an errno but an [`Unwind`], which the glue
//! turns into unwinding out of the guest, so an embedding host survives the
//! guest's exit.
//!
//! The alternative, one hand-written wrapper per function in the runtime,
//! is 46 places to get a signature or an argument order wrong; here the
//! name, the signature and the dispatch of each function come from a single
//! declaration (see [`dispatch`](mod@dispatch)).
//!
//! # How the sandbox holds
//!
//! Three walls, each guarding one way out, none relying on the others:
//!
//! 1. **Memory.** Guest pointers are offsets into the `&mut [u8]` the glue
//!    passes; every access goes through [`GuestMemory`], which checks
//!    `ptr + len` in 64-bit arithmetic and answers `FAULT` when it is out of
//!    bounds. There is no pointer arithmetic on host addresses, so a hostile
//!    pointer can at worst make a call fail. Every buffer (including result
//!    pointers) is validated before the call has any side effect.
//! 2. **Paths.** The guest names files only relative to directory handles
//!    in its descriptor table, and those all descend from preopens. Path
//!    resolution is cap-std's (`openat2` with `RESOLVE_BENEATH` where the
//!    kernel has it, a careful component walk otherwise), which refuses
//!    absolute paths, `..` above the handle, and symlinks leading outside.
//!    This crate never resolves a path itself.
//! 3. **Rights.** Each descriptor carries preview1 rights; a descriptor
//!    opened through a directory gets at most that directory's inheriting
//!    rights. A read-only preopen lacks every mutating right, and files are
//!    opened with OS write access only when granted a right that needs it
//!    (see [`rights`](mod@rights)).
//!
//! The guest's environment is only what the builder grants: no inherited
//! variables, no directories but the preopens, and null standard streams
//! unless inherited or piped (see [`stdio`](mod@stdio)).
//!
//! # Semantics
//!
//! Errnos, rights and record layouts follow the preview1 witx exactly
//! ([`abi`](mod@abi)); where the witx leaves room, choices follow what the
//! WebAssembly/wasi-testsuite checks and POSIX does on Linux. The module
//! docs of the (private) `calls` module give the order in which each function
//! checks its arguments.
//!
//! # Testing
//!
//! - Unit tests pin the ABI (errno numbering, rights bits, record offsets),
//!   the memory accessor, the descriptor table and the rights policy.
//! - `tests/{fd,path,poll,process,sock}.rs` drive every function through
//!   [`dispatch()`] on a `Vec<u8>` memory and temporary directories, checking
//!   results byte by byte at the witx offsets.
//! - `tests/sandbox.rs` is the hostile guest: escapes through `..`, absolute
//!   paths and symlinks, writes to read-only preopens, stale descriptors,
//!   out-of-bounds buffers and result pointers, huge lengths, and a sweep of
//!   every function over edge-value arguments; each test also checks that
//!   nothing changed on the host.
//! - `tests/wasi_testsuite.rs` runs all of WebAssembly/wasi-testsuite's
//!   preview1 programs (C, Rust, AssemblyScript) on Tern, linked through
//!   [`add_to_linker`].

pub mod abi;
mod calls;
mod ctx;
pub mod dispatch;
mod error;
mod filestat;
mod link;
pub mod memory;
pub mod rights;
pub mod stdio;
mod table;

pub use abi::{Errno, Signal};
pub use ctx::{BuildError, DirPerms, Preopen, WasiCtx, WasiCtxBuilder};
pub use dispatch::{Signature, Unwind, ValType, WasiFunc, dispatch};
pub use link::add_to_linker;
pub use memory::GuestMemory;
pub use stdio::{Input, Output, ReadPipe, WritePipe};
