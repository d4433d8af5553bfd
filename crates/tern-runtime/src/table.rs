//! Tables: growable arrays of references (funcref: `*const VMFuncRef`,
//! externref: a non-zero handle; 0 is null in both).

use crate::vmcontext::VMTableDefinition;
use tern_environ::TableType;

/// The most elements any table may hold (an engine limit that keeps a
/// hostile `table.grow` from exhausting host memory).
pub const MAX_TABLE_ELEMENTS: u32 = 10_000_000;

pub struct Table {
    elements: Vec<usize>,
    /// Boxed so that compiled code can keep a pointer to it; updated
    /// whenever `elements` reallocates or changes length.
    definition: Box<VMTableDefinition>,
    ty: TableType,
}

// SAFETY: owned by one store; the definition points into `elements`.
unsafe impl Send for Table {}

impl Table {
    pub fn new(ty: TableType, init: usize) -> Option<Table> {
        if ty.minimum > MAX_TABLE_ELEMENTS {
            return None;
        }
        let mut table = Table {
            elements: vec![init; ty.minimum as usize],
            definition: Box::new(VMTableDefinition {
                base: std::ptr::null_mut(),
                length: 0,
            }),
            ty,
        };
        table.sync_definition();
        Some(table)
    }

    fn sync_definition(&mut self) {
        self.definition.base = self.elements.as_mut_ptr();
        self.definition.length = self.elements.len() as u64;
    }

    pub fn ty(&self) -> TableType {
        self.ty
    }

    pub fn definition_ptr(&mut self) -> *mut VMTableDefinition {
        &mut *self.definition
    }

    pub fn len(&self) -> u32 {
        self.elements.len() as u32
    }

    pub fn elements_mut(&mut self) -> &mut [usize] {
        &mut self.elements
    }

    /// Grows by `delta` elements set to `init`; returns the old length, or
    /// `None` past the maximum or the engine's limit (the table is then
    /// unchanged).
    pub fn grow(&mut self, delta: u32, init: usize) -> Option<u32> {
        let old = self.len();
        let new = old.checked_add(delta)?;
        if new > self.ty.maximum.unwrap_or(u32::MAX).min(MAX_TABLE_ELEMENTS) {
            return None;
        }
        self.elements.resize(new as usize, init);
        self.sync_definition();
        Some(old)
    }
}
