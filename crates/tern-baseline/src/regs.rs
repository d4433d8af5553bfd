//! Register conventions and the register file's bookkeeping.
//!
//! The baseline compiler dedicates a few registers for the whole function
//! and allocates the rest on the fly:
//!
//! | register | role |
//! |---|---|
//! | `rbp`, `rsp` | frame pointer and stack pointer |
//! | `r14` | this function's vmctx, pinned: callee-saved, so it survives calls |
//! | `r15` | base of memory 0 (if the module has a memory); it never moves (the whole 32-bit range is reserved), so it is loaded once in the prologue |
//! | `r11`, `xmm15` | scratch: used only *within* the emission of one instruction sequence, never holding a value across operators |
//! | everything else | allocatable |
//!
//! Allocation prefers caller-saved registers; `rbx`, `r12` and `r13` are
//! allocated only when the caller-saved ones are taken, and the prologue
//! saves them only if they were ever used (see `frame.rs`). Values held in
//! them survive calls without being spilled.
//!
//! [`RegFile`] counts references: every value-stack entry and every local
//! that lives in a register holds one reference to it. A register whose
//! count is zero is free. The count is what lets `local.get` alias instead
//! of copying, and what tells an operator whether it may overwrite the
//! register of an operand it consumed (only if nothing else refers to it).

use tern_asm::{PReg, PRegSet, RegClass, regs};
use tern_environ::ValType;

/// The pinned vmctx register.
pub(crate) const VMCTX: PReg = regs::R14;
/// The pinned base of memory 0.
pub(crate) const HEAP_BASE: PReg = regs::R15;
/// Integer scratch register (never allocated).
pub(crate) const SCRATCH: PReg = regs::R11;
/// Float scratch register (never allocated).
pub(crate) const FSCRATCH: PReg = regs::XMM15;

/// Caller-saved integer registers, in allocation preference order
/// (`PRegSet` iterates by hardware encoding, which is this order).
pub(crate) const INT_CALLER_SAVED: PRegSet = PRegSet::of(&[
    regs::RAX,
    regs::RCX,
    regs::RDX,
    regs::RSI,
    regs::RDI,
    regs::R8,
    regs::R9,
    regs::R10,
]);

/// Callee-saved integer registers the allocator may use (after saving
/// them in the prologue).
pub(crate) const INT_CALLEE_SAVED: PRegSet = PRegSet::of(&[regs::RBX, regs::R12, regs::R13]);

/// Allocatable float registers (all caller-saved in the System V ABI).
pub(crate) const FLOAT_ALLOCATABLE: PRegSet = PRegSet::of(&[
    regs::XMM0,
    regs::XMM1,
    regs::XMM2,
    regs::XMM3,
    regs::XMM4,
    regs::XMM5,
    regs::XMM6,
    regs::XMM7,
    regs::XMM8,
    regs::XMM9,
    regs::XMM10,
    regs::XMM11,
    regs::XMM12,
    regs::XMM13,
    regs::XMM14,
]);

/// Every allocatable register that a call clobbers.
pub(crate) const CALL_CLOBBERED: PRegSet = INT_CALLER_SAVED.union(FLOAT_ALLOCATABLE);

/// The register class values of `ty` live in.
pub(crate) fn class_of(ty: ValType) -> RegClass {
    if ty.is_int_class() {
        RegClass::Int
    } else {
        RegClass::Float
    }
}

/// The allocatable registers of `class`.
pub(crate) fn allocatable(class: RegClass) -> PRegSet {
    match class {
        RegClass::Int => INT_CALLER_SAVED.union(INT_CALLEE_SAVED),
        RegClass::Float => FLOAT_ALLOCATABLE,
    }
}

/// The preferred register among `candidates`: caller-saved first, lowest
/// encoding first.
#[inline]
pub(crate) fn pick(candidates: PRegSet) -> Option<PReg> {
    let preferred = candidates.difference(INT_CALLEE_SAVED);
    let set = if preferred.is_empty() {
        candidates
    } else {
        preferred
    };
    // The lowest encoding: the set's lowest bit (what its iterator yields
    // first, without a call per allocation).
    let bits = set.bits();
    (bits != 0).then(|| PReg::from_index(bits.trailing_zeros() as usize))
}

/// Reference counts of the allocatable registers.
#[derive(Clone)]
pub(crate) struct RegFile {
    uses: [u32; PReg::NUM],
    /// Registers with a non-zero count.
    used: PRegSet,
    /// Callee-saved registers written at any point of the function, which
    /// the prologue must save and the epilogue restore.
    touched_callee_saved: PRegSet,
}

impl Default for RegFile {
    fn default() -> RegFile {
        RegFile {
            uses: [0; PReg::NUM],
            used: PRegSet::empty(),
            touched_callee_saved: PRegSet::empty(),
        }
    }
}

impl RegFile {
    /// Forgets every reference (the start of a function).
    pub(crate) fn reset(&mut self) {
        *self = RegFile::default();
    }

    /// Forgets every reference but remembers which callee-saved registers
    /// were touched (before recounting from a restored state).
    pub(crate) fn clear_uses(&mut self) {
        self.uses = [0; PReg::NUM];
        self.used = PRegSet::empty();
    }

    /// Adds one reference to `reg`.
    #[inline]
    pub(crate) fn acquire(&mut self, reg: PReg) {
        self.uses[reg.index()] += 1;
        self.used.insert(reg);
        self.touch(reg);
    }

    /// Drops one reference to `reg`.
    #[inline]
    pub(crate) fn release(&mut self, reg: PReg) {
        let count = &mut self.uses[reg.index()];
        debug_assert!(*count > 0, "releasing unreferenced register {reg:?}");
        *count -= 1;
        if *count == 0 {
            self.used.remove(reg);
        }
    }

    /// Records that `reg` is written by the function.
    #[inline]
    pub(crate) fn touch(&mut self, reg: PReg) {
        if INT_CALLEE_SAVED.contains(reg) {
            self.touched_callee_saved.insert(reg);
        }
    }

    /// The number of references to `reg`.
    #[inline]
    pub(crate) fn uses(&self, reg: PReg) -> u32 {
        self.uses[reg.index()]
    }

    /// Whether nothing refers to `reg`.
    #[inline]
    pub(crate) fn is_free(&self, reg: PReg) -> bool {
        !self.used.contains(reg)
    }

    /// The referenced registers.
    #[inline]
    pub(crate) fn used(&self) -> PRegSet {
        self.used
    }

    /// The callee-saved registers the function writes.
    pub(crate) fn touched_callee_saved(&self) -> PRegSet {
        self.touched_callee_saved
    }

    /// A free register of `class` outside `avoid`, if any.
    pub(crate) fn free_reg(&self, class: RegClass, avoid: PRegSet) -> Option<PReg> {
        pick(allocatable(class).difference(self.used).difference(avoid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedicated_registers_are_not_allocatable() {
        for class in [RegClass::Int, RegClass::Float] {
            let set = allocatable(class);
            for r in [VMCTX, HEAP_BASE, SCRATCH, FSCRATCH, regs::RSP, regs::RBP] {
                assert!(!set.contains(r), "{r:?} is allocatable");
            }
        }
        assert_eq!(allocatable(RegClass::Int).len(), 11);
        assert_eq!(allocatable(RegClass::Float).len(), 15);
    }

    #[test]
    fn counting_and_preference() {
        let mut file = RegFile::default();
        assert_eq!(
            file.free_reg(RegClass::Int, PRegSet::empty()),
            Some(regs::RAX)
        );
        file.acquire(regs::RAX);
        file.acquire(regs::RAX);
        assert_eq!(file.uses(regs::RAX), 2);
        assert_eq!(
            file.free_reg(RegClass::Int, PRegSet::of(&[regs::RCX])),
            Some(regs::RDX)
        );
        file.release(regs::RAX);
        assert!(!file.is_free(regs::RAX));
        file.release(regs::RAX);
        assert!(file.is_free(regs::RAX));
        // Callee-saved registers come last and are remembered once used.
        let caller_saved = INT_CALLER_SAVED;
        assert_eq!(file.free_reg(RegClass::Int, caller_saved), Some(regs::RBX));
        assert!(file.touched_callee_saved().is_empty());
        file.acquire(regs::R12);
        file.release(regs::R12);
        assert_eq!(file.touched_callee_saved(), PRegSet::of(&[regs::R12]));
    }
}
