//! The `wasi_snapshot_preview1` functions, as methods on [`WasiCtx`].
//!
//! Every method has the same shape: the guest's linear memory as
//! `&mut [u8]`, then the raw wasm arguments (`u32` for `i32`, `u64` for
//! `i64`), returning `Result<(), Errno>` (only `proc_exit` and `proc_raise`
//! can also end the guest). The shape is what lets [`crate::dispatch()`]
//! call them all from one table.
//!
//! Each method follows the same order of checks, so that a call fails the
//! same way whatever else is wrong with it and fails *before* any side
//! effect:
//!
//! 1. decode enum and flag arguments (`INVAL` for unknown values);
//! 2. look up descriptors (`BADF`), check their kind (`NOTDIR`, `ISDIR`,
//!    `NOTSOCK`, `SPIPE`…) and then their rights (`NOTCAPABLE`);
//! 3. validate every guest buffer the call reads or writes, including the
//!    result pointers (`FAULT`);
//! 4. do the host operation;
//! 5. write the results.
//!
//! Where several calls share a run of these steps it is written once: the
//! six calls that move bytes through iovecs do steps 3 to 5 in `transfer`,
//! and the two that name entries in two directories (`path_link`,
//! `path_rename`) do steps 2 to 4 in one helper in `path`.
//!
//! [`WasiCtx`]: crate::WasiCtx

// The methods take exactly the wasm signature's arguments (up to nine, for
// `path_open`) so that the dispatch table can forward them one to one.
#![allow(clippy::too_many_arguments)]

mod env;
mod fd;
mod path;
mod poll;
mod proc;
mod sock;
mod time;
mod transfer;
