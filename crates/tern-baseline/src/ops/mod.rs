//! Code generation per operator group; `dispatch.rs` maps every Wasm
//! operator to the method that compiles it.

pub(crate) mod bulk;
pub(crate) mod calls;
pub(crate) mod convert;
pub(crate) mod dispatch;
pub(crate) mod divide;
pub(crate) mod float;
pub(crate) mod int;
pub(crate) mod memory;
pub(crate) mod table;
pub(crate) mod variables;
