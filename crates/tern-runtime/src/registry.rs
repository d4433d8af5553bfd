//! The global registry of loaded code, consulted by the signal handler to
//! decide whether a faulting PC is in Wasm code and, if so, which trap it
//! is.
//!
//! Every module's code object registers its address range when it is
//! created and unregisters when the last user drops it. Lookups happen in
//! signal handlers, so they only take a read lock (the faulting thread is
//! running Wasm and cannot hold the write lock) and never allocate.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use tern_asm::TrapSite;
use tern_environ::{DefinedFuncIndex, TrapCode};

/// Where each compiled function lies inside one code object, and its trap
/// sites.
pub struct CodeInfo {
    /// Address of the first byte of the code object.
    pub start: usize,
    /// Length of the code object in bytes.
    pub len: usize,
    /// Per defined function: (start offset, end offset), sorted.
    pub functions: Vec<(u32, u32)>,
    /// Per defined function: its trap sites, offsets relative to the
    /// function's start, sorted.
    pub traps: Vec<Vec<TrapSite>>,
    /// Per defined function: a name fit for messages.
    pub names: Vec<String>,
}

impl CodeInfo {
    /// The function containing code offset `offset`.
    pub fn function_at(&self, offset: u32) -> Option<DefinedFuncIndex> {
        let i = self
            .functions
            .partition_point(|&(start, _)| start <= offset);
        let i = i.checked_sub(1)?;
        let (_, end) = self.functions[i];
        (offset < end).then_some(DefinedFuncIndex(i as u32))
    }

    /// The trap at absolute address `pc`, and the function it is in.
    pub fn trap_at(&self, pc: usize) -> Option<(TrapCode, DefinedFuncIndex)> {
        let offset = u32::try_from(pc.checked_sub(self.start)?).ok()?;
        let func = self.function_at(offset)?;
        let rel = offset - self.functions[func.index()].0;
        let sites = &self.traps[func.index()];
        let i = sites.binary_search_by_key(&rel, |s| s.offset).ok()?;
        Some((sites[i].code, func))
    }
}

static REGISTRY: RwLock<BTreeMap<usize, Arc<CodeInfo>>> = RwLock::new(BTreeMap::new());

/// Registers a code object; it stays registered until [`unregister`].
pub fn register(info: Arc<CodeInfo>) {
    let mut map = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    map.insert(info.start + info.len, info);
}

/// Unregisters the code object that starts at `start` with length `len`.
pub fn unregister(start: usize, len: usize) {
    let mut map = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    map.remove(&(start + len));
}

/// A trap found at a PC: its code, and the function it happened in.
pub struct TrapLocation {
    pub code: TrapCode,
    pub code_info: Arc<CodeInfo>,
    pub func: DefinedFuncIndex,
}

/// Looks up a PC. Safe to call from a signal handler: it takes a read
/// lock and clones an `Arc`, but never allocates.
pub fn lookup_trap(pc: usize) -> Option<TrapLocation> {
    let map = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    let (_, info) = map.range(pc + 1..).next()?;
    if pc < info.start {
        return None;
    }
    let (code, func) = info.trap_at(pc)?;
    Some(TrapLocation {
        code,
        code_info: Arc::clone(info),
        func,
    })
}
