//! The compile-time value stack: where each Wasm operand lives.
//!
//! Every entry of the Wasm operand stack, and every local, is described at
//! compile time by a [`Loc`]. Operators pop operands as [`Src`]s (a register,
//! an immediate or a memory operand, ready to be used by an instruction)
//! and push their result, usually as a register. Nothing is emitted to
//! "push" a constant, a `local.get` or a comparison: the code that consumes
//! them decides how to use them (an immediate, a memory operand, a fused
//! conditional branch).
//!
//! Invariants:
//! - **i32 values in 64-bit registers have their upper 32 bits zero.** Every
//!   32-bit operation writes its result with a 32-bit instruction (which
//!   zeroes the upper half), 32-bit loads zero-extend, and i32 constants are
//!   materialized with `mov r32, imm32`. This is what lets an i32 be used as
//!   a 64-bit memory index or table index directly, and makes
//!   `i64.extend_i32_u` of a register free.
//! - Stack entry `i` owns frame slot `i` (see `frame.rs`): spilling an entry
//!   never needs to find room, and the slot of a [`Loc::Spilled`] entry is
//!   implied by its position. A slot holds an i32 or f32 in its low 4 bytes.
//! - A [`Loc::Local`] entry aliases a local that lives in its home slot;
//!   before that local is written, every alias is materialized
//!   (`local.set`/`local.tee`), so an alias always reads the value the
//!   local had when it was pushed.
//! - A [`Loc::Flags`] entry can only be the top of the stack, and the flags
//!   it describes are those of the last instruction emitted: every operator
//!   other than the few that consume it (`br_if`, `if`, `select`,
//!   `i32.eqz`, `drop`) first turns it into a register.
//! - A register's content is never modified while anything else refers to
//!   it: an operator overwrites a consumed operand's register in place only
//!   if its reference count dropped to zero when the operand was popped.

use crate::emitter::Emitter;
use crate::regs::{FSCRATCH, SCRATCH};
use tern_asm::{Amode, Cond, ExtMode, PReg, PRegSet, RegClass, RegMemImm, Size, regs};
use tern_environ::ValType;

/// Where a value lives at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loc {
    /// In a register (which holds one reference for this entry).
    Reg(PReg),
    /// A constant known at compile time: an i32 sign-extended to 64 bits,
    /// an i64, the bits of a float, or a null reference (0).
    Const(i64),
    /// In memory: a stack entry's own slot, or a local's home slot.
    Spilled,
    /// (Stack entries only.) The current value of this local, which lives
    /// in its home slot.
    Local(u32),
    /// (Top of stack only.) The i32 boolean "`cond` holds" for the flags
    /// set by the last emitted instruction.
    Flags(Cond),
}

/// A typed location: one value-stack entry or one local.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Value {
    pub(crate) ty: ValType,
    pub(crate) loc: Loc,
}

impl Value {
    pub(crate) fn new(ty: ValType, loc: Loc) -> Value {
        Value { ty, loc }
    }
}

/// A popped operand, in the form an instruction takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Src {
    /// A register. After the pop it may be free (count zero) and thus
    /// owned by the consumer.
    Reg(PReg),
    /// A constant (see [`Loc::Const`]).
    Imm(i64),
    /// A frame slot at this offset from `rbp`.
    Mem(i32),
}

impl Src {
    /// The registers the operand reads (to keep them from being allocated
    /// while the operand is still needed).
    pub(crate) fn regs(self) -> PRegSet {
        match self {
            Src::Reg(r) => PRegSet::empty().with(r),
            _ => PRegSet::empty(),
        }
    }
}

/// The integer operand size of a value type (references are pointers).
pub(crate) fn int_size(ty: ValType) -> Size {
    match ty {
        ValType::I32 | ValType::F32 => Size::S32,
        ValType::I64 | ValType::F64 | ValType::FuncRef | ValType::ExternRef => Size::S64,
    }
}

/// `[rbp + offset]`.
pub(crate) fn frame_mem(offset: i32) -> Amode {
    Amode::base_disp(regs::RBP, offset)
}

/// Normalizes a constant of type `ty` (i32s are kept sign-extended, f32
/// bits zero-extended).
pub(crate) fn normalize_const(ty: ValType, value: i64) -> i64 {
    match ty {
        ValType::I32 => value as i32 as i64,
        ValType::F32 => value as u32 as i64,
        _ => value,
    }
}

/// The constant as a sign-extended 32-bit immediate of an instruction
/// operating on `ty`-sized integers, if it fits.
pub(crate) fn imm32(ty: ValType, value: i64) -> Option<i32> {
    match ty {
        ValType::I32 | ValType::F32 => Some(value as i32),
        _ => i32::try_from(value).ok(),
    }
}

impl Emitter<'_> {
    /// Pushes `ty` in `reg`, taking a reference.
    pub(crate) fn push_reg(&mut self, ty: ValType, reg: PReg) {
        self.reg_floor = self.reg_floor.min(self.stack.len());
        self.regs.acquire(reg);
        self.stack.push(Value::new(ty, Loc::Reg(reg)));
    }

    /// Pushes a constant.
    pub(crate) fn push_const(&mut self, ty: ValType, value: i64) {
        self.stack
            .push(Value::new(ty, Loc::Const(normalize_const(ty, value))));
    }

    /// Pushes the i32 boolean `cond` of the flags just set.
    pub(crate) fn push_flags(&mut self, cond: Cond) {
        self.stack.push(Value::new(ValType::I32, Loc::Flags(cond)));
    }

    /// Pushes "the value is nonzero" for a value of type `ty` whose only
    /// consumer (the next operator) tests it against zero.
    pub(crate) fn push_nonzero_flags(&mut self, ty: ValType, cond: Cond) {
        self.stack.push(Value::new(ty, Loc::Flags(cond)));
    }

    /// Pushes an operand that was popped (or computed) as a `Src`. A `Mem`
    /// operand must be the slot of the position it is pushed to.
    pub(crate) fn push_src(&mut self, ty: ValType, src: Src) {
        match src {
            Src::Reg(r) => self.push_reg(ty, r),
            Src::Imm(c) => self.push_const(ty, c),
            Src::Mem(offset) => {
                debug_assert_eq!(offset, self.slot_offset(self.stack.len()));
                self.stack.push(Value::new(ty, Loc::Spilled));
            }
        }
    }

    /// Turns a pending comparison on top of the stack into a 0/1 register
    /// (checked before almost every operator, hence the inline fast path).
    #[inline]
    pub(crate) fn materialize_flags(&mut self) {
        if let Some(Value {
            loc: Loc::Flags(cond),
            ..
        }) = self.stack.last()
        {
            let cond = *cond;
            self.materialize_flags_slow(cond);
        }
    }

    #[cold]
    fn materialize_flags_slow(&mut self, cond: Cond) {
        self.stack.pop();
        // Allocating may spill, which only moves data: the flags survive.
        let dst = self.alloc_reg(RegClass::Int, PRegSet::empty());
        self.asm.setcc(cond, dst);
        self.asm.movzx(ExtMode::BL, dst, dst);
        self.push_reg(ValType::I32, dst);
    }

    /// Pops the top entry, which must not be `Flags`.
    ///
    /// Inlined: returned through memory, the 24-byte `(ValType, Src)` was
    /// written in pieces and read back whole by the caller, a
    /// store-forwarding stall on every operand of every operator.
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> (ValType, Src) {
        let value = self
            .stack
            .pop()
            .expect("validated: operand stack underflow");
        let src = self.src_of(self.stack.len(), value);
        if let Loc::Reg(r) = value.loc {
            self.regs.release(r);
        } else if let Loc::Local(_) = value.loc {
            self.local_aliases -= 1;
        }
        (value.ty, src)
    }

    /// Pops the top entry as it is (`Flags` included), dropping its
    /// register reference.
    pub(crate) fn pop_value(&mut self) -> Value {
        let value = self
            .stack
            .pop()
            .expect("validated: operand stack underflow");
        match value.loc {
            Loc::Reg(r) => self.regs.release(r),
            Loc::Local(_) => self.local_aliases -= 1,
            _ => {}
        }
        value
    }

    /// The operand form of `value` at stack position `pos` (no reference
    /// counting).
    pub(crate) fn src_of(&mut self, pos: usize, value: Value) -> Src {
        match value.loc {
            Loc::Reg(r) => Src::Reg(r),
            Loc::Const(c) => Src::Imm(c),
            Loc::Spilled => Src::Mem(self.slot_offset(pos)),
            Loc::Local(i) => Src::Mem(self.locals.home(i)),
            Loc::Flags(_) => unreachable!("flags are materialized before use as an operand"),
        }
    }

    /// The operand form of local `index` (no reference counting).
    pub(crate) fn local_src(&self, index: u32) -> Src {
        let local = self.locals.get(index);
        match local.loc {
            Loc::Reg(r) => Src::Reg(r),
            Loc::Const(c) => Src::Imm(c),
            Loc::Spilled => Src::Mem(self.locals.home(index)),
            Loc::Local(_) | Loc::Flags(_) => {
                unreachable!("a local is a register, constant or slot")
            }
        }
    }

    /// Emits `dst = src` for a value of type `ty`.
    pub(crate) fn load(&mut self, ty: ValType, dst: PReg, src: Src) {
        match src {
            Src::Reg(r) if r == dst => {}
            Src::Reg(r) => self.move_reg(ty, dst, r),
            Src::Imm(c) => self.load_const(ty, dst, c),
            Src::Mem(offset) => self.load_mem(ty, dst, frame_mem(offset)),
        }
        self.regs.touch(dst);
    }

    /// Register-to-register copy.
    pub(crate) fn move_reg(&mut self, ty: ValType, dst: PReg, src: PReg) {
        if ty.is_int_class() {
            self.asm.mov_rm(int_size(ty), dst, src);
        } else {
            self.asm.movaps(dst, src);
        }
    }

    /// Loads a value of type `ty` from memory.
    pub(crate) fn load_mem(&mut self, ty: ValType, dst: PReg, addr: Amode) {
        match ty {
            ValType::F32 => self.asm.movss(dst, addr),
            ValType::F64 => self.asm.movsd(dst, addr),
            _ => self.asm.mov_rm(int_size(ty), dst, addr),
        }
    }

    /// Stores a register holding a `ty` value to memory (4 bytes for i32
    /// and f32, 8 otherwise).
    pub(crate) fn store_mem(&mut self, ty: ValType, addr: Amode, src: PReg) {
        match ty {
            ValType::F32 => self.asm.movss_store(addr, src),
            ValType::F64 => self.asm.movsd_store(addr, src),
            _ => self.asm.mov_mr(int_size(ty), addr, src),
        }
    }

    /// Materializes a constant in a register, without touching the flags if
    /// a pending comparison may still need them.
    pub(crate) fn load_const(&mut self, ty: ValType, dst: PReg, value: i64) {
        match ty {
            ValType::F32 | ValType::F64 if value == 0 => self.asm.xorps(dst, dst),
            ValType::F32 => {
                let label = self.asm.constant(&(value as u32).to_le_bytes(), 4);
                self.asm.movss(dst, Amode::rip(label));
            }
            ValType::F64 => {
                let label = self.asm.constant(&value.to_le_bytes(), 8);
                self.asm.movsd(dst, Amode::rip(label));
            }
            _ if value == 0 && !self.flags_live() => self.asm.xor(Size::S32, dst, dst),
            ValType::I32 => self.asm.mov_ri(Size::S32, dst, value as u32 as u64),
            _ => self.asm.mov_ri(Size::S64, dst, value as u64),
        }
    }

    /// Whether the flags may hold a comparison still to be consumed (so
    /// that constants must not be materialized with `xor`).
    pub(crate) fn flags_live(&self) -> bool {
        self.keep_flags
            || matches!(
                self.stack.last(),
                Some(Value {
                    loc: Loc::Flags(_),
                    ..
                })
            )
    }

    /// Stores `src` (a `ty` value) to the frame slot at `offset`.
    pub(crate) fn store_to_frame(&mut self, ty: ValType, offset: i32, src: Src) {
        let dst = frame_mem(offset);
        match src {
            Src::Reg(r) => self.store_mem(ty, dst, r),
            Src::Mem(from) if from == offset => {}
            Src::Mem(from) => self.copy_mem(ty, dst, frame_mem(from)),
            Src::Imm(c) => self.store_const(ty, dst, c),
        }
    }

    /// Stores a constant of type `ty` to memory (its 4 or 8 bytes).
    pub(crate) fn store_const(&mut self, ty: ValType, dst: Amode, value: i64) {
        let size = int_size(ty);
        match imm32(ty, value) {
            Some(imm) => self.asm.mov_mi(size, dst, imm),
            None => {
                self.asm.mov_ri(Size::S64, SCRATCH, value as u64);
                self.asm.mov_mr(size, dst, SCRATCH);
            }
        }
    }

    /// Memory-to-memory copy of a `ty` value through a scratch register.
    pub(crate) fn copy_mem(&mut self, ty: ValType, dst: Amode, src: Amode) {
        let scratch = if ty.is_int_class() { SCRATCH } else { FSCRATCH };
        self.load_mem(ty, scratch, src);
        self.store_mem(ty, dst, scratch);
    }

    /// The operand as an ALU source: an immediate if it fits in 32
    /// (sign-extended) bits, otherwise a register or memory operand. A wide
    /// immediate goes through the scratch register, so the result is valid
    /// only until the next use of the scratch register.
    pub(crate) fn rmi(&mut self, ty: ValType, src: Src) -> RegMemImm {
        match src {
            Src::Reg(r) => RegMemImm::Reg(r.into()),
            Src::Mem(offset) => RegMemImm::Mem(frame_mem(offset)),
            Src::Imm(c) => match imm32(ty, c) {
                Some(imm) => RegMemImm::Imm(imm),
                None => {
                    self.asm.mov_ri(Size::S64, SCRATCH, c as u64);
                    RegMemImm::Reg(SCRATCH.into())
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_normalized() {
        assert_eq!(normalize_const(ValType::I32, 0xffff_ffff), -1);
        assert_eq!(normalize_const(ValType::F32, -1), 0xffff_ffff);
        assert_eq!(normalize_const(ValType::I64, -1), -1);
        assert_eq!(imm32(ValType::I32, -1), Some(-1));
        assert_eq!(imm32(ValType::I64, 1 << 31), None);
        assert_eq!(imm32(ValType::I64, -(1 << 31)), Some(i32::MIN));
    }
}
