//! f32 and f64 arithmetic, `min`/`max`, rounding, sign operations and
//! comparisons, with exact Wasm semantics.
//!
//! - `abs`, `neg` and `copysign` are bit operations on the sign bit (masks
//!   from the constant pool), so they never change a NaN's payload.
//! - `minss`/`maxss` return the second operand when either is NaN or both
//!   are zero, which is not Wasm's rule; `min`/`max` therefore branch on
//!   the `ucomiss` outcome: unordered → an arithmetic NaN (`a + b`), equal →
//!   `or`/`and` of the bits (so that min(-0, +0) = -0 and max(-0, +0) =
//!   +0), otherwise the instruction.
//! - Rounding uses SSE4.1 `roundss`/`roundsd` (nearest rounds ties to
//!   even, as Wasm requires).
//! - Comparisons use `ucomiss`, which reports unordered operands as
//!   ZF = PF = CF = 1. `gt`/`ge` test "above"/"above or equal" (false for
//!   unordered) and `lt`/`le` swap the operands to do the same; these four
//!   push a pending condition that branches consume. `eq` and `ne` need two
//!   flags (ZF and PF) and produce a register.

use crate::emitter::{Emitter, Result};
use crate::regs::{FSCRATCH, SCRATCH};
use crate::values::{Src, frame_mem};
use tern_asm::{
    Amode, Cond, FloatSize, Inst, PReg, PRegSet, RegClass, RegMem, RoundMode, Size, SseOp,
};
use tern_environ::ValType;

/// A float comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FloatCompare {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// A sign-bit operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SignOp {
    Abs,
    Neg,
}

pub(crate) fn float_size(ty: ValType) -> FloatSize {
    match ty {
        ValType::F32 => FloatSize::F32,
        _ => FloatSize::F64,
    }
}

/// The single- or double-precision form of an SSE operation.
pub(crate) fn sse(ty: ValType, single: SseOp, double: SseOp) -> SseOp {
    if ty == ValType::F32 { single } else { double }
}

impl Emitter<'_> {
    /// The operand as an SSE source: a register, a frame slot, or a
    /// constant-pool entry.
    pub(crate) fn xmm_rm(&mut self, ty: ValType, src: Src) -> RegMem {
        match src {
            Src::Reg(r) => RegMem::Reg(r.into()),
            Src::Mem(offset) => RegMem::Mem(frame_mem(offset)),
            Src::Imm(bits) => RegMem::Mem(Amode::rip(self.float_constant(ty, bits))),
        }
    }

    /// A constant-pool label holding a scalar of type `ty`.
    pub(crate) fn float_constant(&mut self, ty: ValType, bits: i64) -> tern_asm::Label {
        match ty {
            ValType::F32 => self.asm.constant(&(bits as u32).to_le_bytes(), 4),
            _ => self.asm.constant(&bits.to_le_bytes(), 8),
        }
    }

    /// A 16-byte constant-pool entry with `lane` repeated (for the packed
    /// bitwise operations, which need an aligned memory operand).
    fn lane_mask(&mut self, ty: ValType, lane: u64) -> RegMem {
        let mut bytes = [0u8; 16];
        if ty == ValType::F32 {
            for chunk in bytes.chunks_mut(4) {
                chunk.copy_from_slice(&(lane as u32).to_le_bytes());
            }
        } else {
            for chunk in bytes.chunks_mut(8) {
                chunk.copy_from_slice(&lane.to_le_bytes());
            }
        }
        RegMem::Mem(Amode::rip(self.asm.constant(&bytes, 16)))
    }

    fn sign_bit(ty: ValType) -> u64 {
        if ty == ValType::F32 { 1 << 31 } else { 1 << 63 }
    }

    fn sse_op(&mut self, op: SseOp, dst: PReg, src: RegMem) {
        self.asm.emit(Inst::Sse {
            op,
            dst: dst.into(),
            src,
        });
    }

    /// `add`, `sub`, `mul`, `div`.
    pub(crate) fn float_binop(&mut self, ty: ValType, op: SseOp, commutative: bool) -> Result {
        let (_, rhs) = self.pop();
        let (_, lhs) = self.pop();
        let next_set = self.local_set_next();
        let swap = commutative && !self.reusable(lhs, next_set) && self.reusable(rhs, next_set);
        let (lhs, rhs) = if swap { (rhs, lhs) } else { (lhs, rhs) };
        let reuse = self.reusable(lhs, next_set);
        let dst = self.result_reg(ty, lhs, reuse, rhs.regs());
        let src = self.xmm_rm(ty, rhs);
        self.sse_op(op, dst, src);
        self.push_reg(ty, dst);
        Ok(())
    }

    /// A fresh or reusable destination for a unary operation on `src`.
    fn unary_dst(&mut self, ty: ValType, src: Src) -> PReg {
        match src {
            Src::Reg(r) if self.regs.is_free(r) => r,
            _ => self.alloc_for(ty, src.regs()),
        }
    }

    /// `sqrt`.
    pub(crate) fn float_sqrt(&mut self, ty: ValType) -> Result {
        let (_, src) = self.pop();
        let dst = self.unary_dst(ty, src);
        let rm = self.xmm_rm(ty, src);
        self.sse_op(sse(ty, SseOp::Sqrtss, SseOp::Sqrtsd), dst, rm);
        self.push_reg(ty, dst);
        Ok(())
    }

    /// `ceil`, `floor`, `trunc`, `nearest`.
    pub(crate) fn float_round(&mut self, ty: ValType, mode: RoundMode) -> Result {
        if !self.cpu.sse41 {
            return Err(self.unsupported("float rounding on a CPU without SSE4.1"));
        }
        let (_, src) = self.pop();
        let dst = self.unary_dst(ty, src);
        let rm = self.xmm_rm(ty, src);
        self.asm.emit(Inst::Round {
            size: float_size(ty),
            mode,
            dst: dst.into(),
            src: rm,
        });
        self.push_reg(ty, dst);
        Ok(())
    }

    /// `abs` and `neg`: clear or flip the sign bit.
    pub(crate) fn float_sign(&mut self, ty: ValType, op: SignOp) -> Result {
        let (_, src) = self.pop();
        if let Src::Imm(bits) = src {
            let sign = Self::sign_bit(ty) as i64;
            let bits = match op {
                SignOp::Abs => bits & !sign,
                SignOp::Neg => bits ^ sign,
            };
            self.push_const(ty, bits);
            return Ok(());
        }
        let dst = self.in_owned_reg(ty, src, PRegSet::empty());
        let (mask, sse_op) = match op {
            SignOp::Abs => (!Self::sign_bit(ty), SseOp::Andps),
            SignOp::Neg => (Self::sign_bit(ty), SseOp::Xorps),
        };
        let mask = self.lane_mask(ty, mask);
        self.sse_op(sse_op, dst, mask);
        self.push_reg(ty, dst);
        Ok(())
    }

    /// `copysign`: the magnitude of the first operand, the sign of the
    /// second.
    pub(crate) fn float_copysign(&mut self, ty: ValType) -> Result {
        let (_, sign) = self.pop();
        let (_, magnitude) = self.pop();
        if let (Src::Imm(m), Src::Imm(s)) = (magnitude, sign) {
            let bit = Self::sign_bit(ty) as i64;
            self.push_const(ty, (m & !bit) | (s & bit));
            return Ok(());
        }
        let dst = self.in_owned_reg(ty, magnitude, sign.regs());
        self.load(ty, FSCRATCH, sign);
        let sign_mask = self.lane_mask(ty, Self::sign_bit(ty));
        self.sse_op(SseOp::Andps, FSCRATCH, sign_mask);
        let abs_mask = self.lane_mask(ty, !Self::sign_bit(ty));
        self.sse_op(SseOp::Andps, dst, abs_mask);
        self.sse_op(SseOp::Orps, dst, RegMem::Reg(FSCRATCH.into()));
        self.push_reg(ty, dst);
        Ok(())
    }

    /// `min` and `max` (see the module docs).
    pub(crate) fn float_min_max(&mut self, ty: ValType, is_min: bool) -> Result {
        let (_, rhs) = self.pop();
        let (_, lhs) = self.pop();
        let dst = self.in_owned_reg(ty, lhs, rhs.regs());
        let rhs = self.in_reg(ty, rhs, PRegSet::of(&[dst]));
        let rhs_rm = RegMem::Reg(rhs.into());
        let (nan, ordinary, done) = (
            self.asm.new_label(),
            self.asm.new_label(),
            self.asm.new_label(),
        );
        self.ucomis(ty, dst, rhs_rm);
        self.asm.jcc(Cond::P, nan);
        self.asm.jcc(Cond::NE, ordinary);
        let equal_op = if is_min { SseOp::Orps } else { SseOp::Andps };
        self.sse_op(equal_op, dst, rhs_rm);
        self.asm.jmp(done);
        self.asm.bind_label(nan);
        self.sse_op(sse(ty, SseOp::Addss, SseOp::Addsd), dst, rhs_rm);
        self.asm.jmp(done);
        self.asm.bind_label(ordinary);
        let op = match (is_min, ty) {
            (true, ValType::F32) => SseOp::Minss,
            (true, _) => SseOp::Minsd,
            (false, ValType::F32) => SseOp::Maxss,
            (false, _) => SseOp::Maxsd,
        };
        self.sse_op(op, dst, rhs_rm);
        self.asm.bind_label(done);
        self.push_reg(ty, dst);
        Ok(())
    }

    /// `ucomiss`/`ucomisd`.
    pub(crate) fn ucomis(&mut self, ty: ValType, lhs: PReg, rhs: RegMem) {
        self.asm.emit(Inst::Ucomis {
            size: float_size(ty),
            lhs: lhs.into(),
            rhs,
        });
    }

    /// Float comparisons.
    pub(crate) fn float_compare(&mut self, ty: ValType, cmp: FloatCompare) -> Result {
        let (_, rhs) = self.pop();
        let (_, lhs) = self.pop();
        let (a, b) = match cmp {
            FloatCompare::Lt | FloatCompare::Le => (rhs, lhs),
            _ => (lhs, rhs),
        };
        let a = self.in_reg(ty, a, b.regs());
        let b = self.xmm_rm(ty, b);
        self.ucomis(ty, a, b);
        match cmp {
            FloatCompare::Gt | FloatCompare::Lt => self.push_flags(Cond::A),
            FloatCompare::Ge | FloatCompare::Le => self.push_flags(Cond::AE),
            FloatCompare::Eq | FloatCompare::Ne => {
                let dst = self.alloc_reg(RegClass::Int, PRegSet::empty());
                let (zf, pf) = if cmp == FloatCompare::Eq {
                    (Cond::E, Cond::NP)
                } else {
                    (Cond::NE, Cond::P)
                };
                self.asm.setcc(zf, dst);
                self.asm.setcc(pf, SCRATCH);
                if cmp == FloatCompare::Eq {
                    self.asm.and(Size::S8, dst, SCRATCH);
                } else {
                    self.asm.or(Size::S8, dst, SCRATCH);
                }
                self.asm.movzx(tern_asm::ExtMode::BL, dst, dst);
                self.push_reg(ValType::I32, dst);
            }
        }
        Ok(())
    }
}
