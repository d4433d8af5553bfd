//! Linear-memory loads and stores, `memory.size` and `memory.grow`.
//!
//! A 32-bit memory reserves 8 GiB of address space in which everything past
//! the accessible length faults, so an access is a single instruction
//! `[r15 + index + offset]` with no bounds check: `r15` holds the memory's
//! base for the whole function (it never moves), the index is the i32
//! operand used as a 64-bit register (its upper half is zero, see
//! `values.rs`), and the static offset is the displacement when it fits in
//! 31 bits (otherwise it is added through the scratch register; the sum is
//! still below 8 GiB). The access instruction is recorded as a
//! `MemoryOutOfBounds` trap site. A constant index folds into the
//! displacement.
//!
//! Only memory 0 has a pinned base: with the multi-memory proposal, an
//! access to another memory first loads that memory's base from the vmctx
//! (`VMOffsets::memory_base`, one load that cannot fault, since the base
//! never moves) into a free register. Real programs use one memory, so the
//! common case pays nothing for the others.

use crate::emitter::{Emitter, Result};
use crate::regs::SCRATCH;
use crate::values::{Src, int_size};
use tern_asm::{Amode, ExtMode, PReg, PRegSet, RegClass, ShiftAmount, Size, TrapCode};
use tern_environ::builtins::Builtin;
use tern_environ::wasmparser::{MemArg, MemArgTarget};
use tern_environ::{MemoryIndex, ValType, memory_definition};

/// How many bytes an access touches and how a narrow load extends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Access {
    pub(crate) width: Size,
    pub(crate) signed: bool,
}

impl Access {
    /// A full-width access of a value of type `ty`.
    pub(crate) fn full(ty: ValType) -> Access {
        Access {
            width: int_size(ty),
            signed: false,
        }
    }

    pub(crate) fn narrow(width: Size, signed: bool) -> Access {
        Access { width, signed }
    }
}

impl Emitter<'_> {
    /// The address of `index + memarg.offset` in `mem`, and the
    /// register the address reads the index from (if any). A slot operand
    /// is loaded into a register outside `avoid`.
    fn heap_addr(
        &mut self,
        index: Src,
        mem: u32,
        offset: u64,
        avoid: PRegSet,
    ) -> (Amode, Option<PReg>) {
        let index = match index {
            Src::Imm(c) => {
                let base = self.memory_base(mem, avoid);
                let address = u64::from(c as u32) + offset;
                return match i32::try_from(address) {
                    Ok(disp) => (Amode::base_disp(base, disp), None),
                    Err(_) => {
                        self.asm.mov_ri(Size::S64, SCRATCH, address);
                        (
                            Amode::base_index(base, SCRATCH, tern_asm::Scale::One, 0),
                            None,
                        )
                    }
                };
            }
            Src::Reg(r) => r,
            Src::Mem(_) => self.in_reg(ValType::I32, index, avoid),
        };
        let base = self.memory_base(mem, avoid.with(index));
        let addr = match i32::try_from(offset) {
            Ok(disp) => Amode::base_index(base, index, tern_asm::Scale::One, disp),
            Err(_) => {
                self.asm.mov_ri(Size::S64, SCRATCH, offset);
                self.asm.add(Size::S64, SCRATCH, index);
                Amode::base_index(base, SCRATCH, tern_asm::Scale::One, 0)
            }
        };
        (addr, Some(index))
    }

    /// The memory `memarg` accesses (GC arrays are not memories; the
    /// validator rejects them while GC is not enabled).
    fn memory_of(&self, memarg: &MemArg) -> Result<u32> {
        match memarg.target {
            MemArgTarget::Memory(mem) => Ok(mem),
            MemArgTarget::Array(_) => Err(self.unsupported("a GC array access")),
        }
    }

    /// A register holding the base of memory `mem`: the pinned register for
    /// memory 0, otherwise a free register outside `avoid` loaded from the
    /// vmctx. The register is not reserved: the caller uses it in the
    /// access it is emitting and nothing else.
    fn memory_base(&mut self, mem: u32, avoid: PRegSet) -> PReg {
        if mem == 0 {
            return self.heap_base();
        }
        let base = self.alloc_reg(RegClass::Int, avoid);
        let disp = self.offsets.memory_base(MemoryIndex(mem)) as i32;
        self.asm
            .mov_rm(Size::S64, base, Amode::base_disp(self.vmctx(), disp));
        base
    }

    /// A load of type `ty` (`access` gives the width and extension).
    pub(crate) fn wasm_load(&mut self, ty: ValType, memarg: MemArg, access: Access) -> Result {
        let mem = self.memory_of(&memarg)?;
        let (_, index) = self.pop();
        let (addr, index_reg) = self.heap_addr(index, mem, memarg.offset, PRegSet::empty());
        let same_class = ty.is_int_class();
        let dst = match index_reg {
            Some(r) if same_class && self.regs.is_free(r) => r,
            _ => self.alloc_for(
                ty,
                index_reg.map_or(PRegSet::empty(), |r| PRegSet::of(&[r])),
            ),
        };
        self.asm.add_trap(TrapCode::MemoryOutOfBounds);
        let a = &mut self.asm;
        match (ty, access.width, access.signed) {
            (ValType::F32, ..) => a.movss(dst, addr),
            (ValType::F64, ..) => a.movsd(dst, addr),
            (_, Size::S64, _) => a.mov_rm(Size::S64, dst, addr),
            (ValType::I64, Size::S32, true) => a.movsx(ExtMode::LQ, dst, addr),
            (_, Size::S32, _) => a.mov_rm(Size::S32, dst, addr),
            (ValType::I64, Size::S16, true) => a.movsx(ExtMode::WQ, dst, addr),
            (_, Size::S16, true) => a.movsx(ExtMode::WL, dst, addr),
            (_, Size::S16, false) => a.movzx(ExtMode::WL, dst, addr),
            (ValType::I64, Size::S8, true) => a.movsx(ExtMode::BQ, dst, addr),
            (_, Size::S8, true) => a.movsx(ExtMode::BL, dst, addr),
            (_, Size::S8, false) => a.movzx(ExtMode::BL, dst, addr),
        }
        self.push_reg(ty, dst);
        Ok(())
    }

    /// A store of the low `width` bytes of a `ty` value.
    pub(crate) fn wasm_store(&mut self, ty: ValType, memarg: MemArg, width: Size) -> Result {
        let mem = self.memory_of(&memarg)?;
        let (_, value) = self.pop();
        let (_, index) = self.pop();
        // The value as an immediate of the access width, if it is a
        // constant that fits; otherwise in a register.
        let imm = match value {
            Src::Imm(c) => match width {
                Size::S8 => Some((c & 0xff) as i32),
                Size::S16 => Some((c & 0xffff) as i32),
                Size::S32 => Some(c as i32),
                Size::S64 => i32::try_from(c).ok(),
            },
            _ => None,
        };
        let reg = match imm {
            Some(_) => None,
            None => Some(self.in_reg(ty, value, index.regs())),
        };
        let avoid = reg.map_or(PRegSet::empty(), |r| PRegSet::of(&[r]));
        let (addr, _) = self.heap_addr(index, mem, memarg.offset, avoid);
        self.asm.add_trap(TrapCode::MemoryOutOfBounds);
        match (imm, reg) {
            (Some(imm), _) => self.asm.mov_mi(width, addr, imm),
            (None, Some(r)) => match ty {
                ValType::F32 => self.asm.movss_store(addr, r),
                ValType::F64 => self.asm.movsd_store(addr, r),
                _ => self.asm.mov_mr(width, addr, r),
            },
            (None, None) => unreachable!("a store has an immediate or a register"),
        }
        Ok(())
    }

    pub(crate) fn visit_memory_size(&mut self, mem: u32) -> Result {
        let dst = self.alloc_reg(RegClass::Int, PRegSet::empty());
        let def = self.offsets.memory_def_ptr(MemoryIndex(mem)) as i32;
        self.asm
            .mov_rm(Size::S64, SCRATCH, Amode::base_disp(self.vmctx(), def));
        self.asm.mov_rm(
            Size::S64,
            dst,
            Amode::base_disp(SCRATCH, memory_definition::LENGTH as i32),
        );
        self.asm.shr(Size::S64, dst, ShiftAmount::Imm(16));
        self.push_reg(ValType::I32, dst);
        Ok(())
    }

    pub(crate) fn visit_memory_grow(&mut self, mem: u32) -> Result {
        self.pop_operands(1);
        self.operands.push((ValType::I32, Src::Imm(mem.into())));
        let result = self.call_builtin(Builtin::MemoryGrow);
        self.push_reg(ValType::I32, result);
        Ok(())
    }
}
