//! Conversions: integer width changes and sign extensions, float
//! promotion/demotion, integer ↔ float conversions (trapping and
//! saturating), and reinterpretations.
//!
//! - `i64.extend_i32_u` of a register is free: i32 registers already have
//!   zero upper halves (see `values.rs`), so the register is just retyped.
//! - Float → integer truncation uses `cvttss2si`/`cvttsd2si`, which return
//!   the "integer indefinite" value (`INT_MIN`) for NaN and out-of-range
//!   inputs. The fast path checks for that value with one compare
//!   (`cmp r, 1` overflows only for `INT_MIN`); the rare slow path tells a
//!   NaN (`BadConversionToInteger`) from an overflow (`IntegerOverflow`)
//!   from an input that legitimately truncates to `INT_MIN`, or, for the
//!   saturating forms, picks 0, `MIN` or `MAX`. Unsigned 32-bit results
//!   come from the 64-bit conversion; unsigned 64-bit results convert
//!   `x - 2^63` for inputs at or above `2^63`.
//! - u64 → float halves the input (keeping the low bit, for correct
//!   rounding) when its top bit is set, converts, and doubles.

use crate::emitter::{Emitter, Result};
use crate::ops::float::float_size;
use crate::regs::{FSCRATCH, SCRATCH};
use crate::values::{Src, frame_mem, int_size};
use tern_asm::{
    Cond, ExtMode, Inst, PRegSet, RegClass, RegMem, RegMemImm, ShiftAmount, Size, SseOp, TrapCode,
};
use tern_environ::ValType;

impl Emitter<'_> {
    pub(crate) fn visit_i32_wrap_i64(&mut self) -> Result {
        let (_, src) = self.pop();
        let dst = match src {
            Src::Imm(c) => {
                self.push_const(ValType::I32, c);
                return Ok(());
            }
            Src::Reg(r) if self.regs.is_free(r) => r,
            _ => self.alloc_reg(RegClass::Int, src.regs()),
        };
        match src {
            Src::Reg(r) => self.asm.mov_rm(Size::S32, dst, r),
            Src::Mem(m) => self.asm.mov_rm(Size::S32, dst, frame_mem(m)),
            Src::Imm(_) => unreachable!("folded"),
        }
        self.push_reg(ValType::I32, dst);
        Ok(())
    }

    pub(crate) fn visit_i64_extend_i32_u(&mut self) -> Result {
        let (_, src) = self.pop();
        match src {
            Src::Reg(r) => self.push_reg(ValType::I64, r),
            Src::Imm(c) => self.push_const(ValType::I64, c as u32 as i64),
            Src::Mem(_) => {
                let dst = self.alloc_reg(RegClass::Int, PRegSet::empty());
                self.load(ValType::I32, dst, src);
                self.push_reg(ValType::I64, dst);
            }
        }
        Ok(())
    }

    /// Sign extensions (`extend_i32_s` and the sign-extension proposal's
    /// `extendN_s`), from the low `mode.from_size()` bits.
    pub(crate) fn sign_extend(&mut self, ty: ValType, mode: ExtMode) -> Result {
        let (_, src) = self.pop();
        let dst = match src {
            Src::Imm(c) => {
                let bits = mode.from_size().bits();
                let extended = (c << (64 - bits)) >> (64 - bits);
                self.push_const(ty, extended);
                return Ok(());
            }
            Src::Reg(r) if self.regs.is_free(r) => r,
            _ => self.alloc_reg(RegClass::Int, src.regs()),
        };
        let rm = match src {
            Src::Reg(r) => RegMem::Reg(r.into()),
            Src::Mem(m) => RegMem::Mem(frame_mem(m)),
            Src::Imm(_) => unreachable!("folded"),
        };
        self.asm.movsx(mode, dst, rm);
        self.push_reg(ty, dst);
        Ok(())
    }

    /// `f64.promote_f32` and `f32.demote_f64`.
    pub(crate) fn float_resize(&mut self, to: ValType) -> Result {
        let (from, src) = self.pop();
        let dst = match src {
            Src::Reg(r) if self.regs.is_free(r) => r,
            _ => self.alloc_reg(RegClass::Float, src.regs()),
        };
        let rm = self.xmm_rm(from, src);
        let op = if to == ValType::F64 {
            SseOp::Cvtss2sd
        } else {
            SseOp::Cvtsd2ss
        };
        self.asm.emit(Inst::Sse {
            op,
            dst: dst.into(),
            src: rm,
        });
        self.push_reg(to, dst);
        Ok(())
    }

    /// Reinterprets the bits of the top value as type `to`.
    pub(crate) fn reinterpret(&mut self, to: ValType) -> Result {
        let (from, src) = self.pop();
        match src {
            Src::Imm(bits) => self.push_const(to, bits),
            Src::Mem(_) => {
                // The slot holds the same bits: load them as `to`.
                let dst = self.alloc_for(to, PRegSet::empty());
                self.load(to, dst, src);
                self.push_reg(to, dst);
            }
            Src::Reg(r) => {
                let dst = self.alloc_for(to, PRegSet::empty());
                let size = int_size(from);
                if to.is_int_class() {
                    self.asm.emit(Inst::XmmToGpr {
                        size,
                        dst: dst.into(),
                        src: r.into(),
                    });
                } else {
                    self.asm.emit(Inst::GprToXmm {
                        size,
                        dst: dst.into(),
                        src: RegMem::Reg(r.into()),
                    });
                }
                self.push_reg(to, dst);
            }
        }
        Ok(())
    }

    /// Integer → float conversion.
    pub(crate) fn int_to_float(&mut self, from: ValType, to: ValType, signed: bool) -> Result {
        let (_, src) = self.pop();
        let dst = self.alloc_reg(RegClass::Float, PRegSet::empty());
        let float = float_size(to);
        let cvt = |this: &mut Self, int: Size, src: RegMem| {
            this.asm.emit(Inst::CvtIntToFloat {
                float,
                int,
                dst: dst.into(),
                src,
            });
        };
        // The conversion writes only the low lane: clear the register first
        // so it does not depend on an older value.
        self.asm.xorps(dst, dst);
        match (from, signed) {
            (ValType::I32, true) => {
                let rm = self.rm(from, src, PRegSet::empty());
                cvt(self, Size::S32, rm);
            }
            (ValType::I32, false) => {
                // The zero-extended value is a non-negative i64.
                let reg = self.in_reg(from, src, PRegSet::empty());
                cvt(self, Size::S64, RegMem::Reg(reg.into()));
            }
            (_, true) => {
                let rm = self.rm(from, src, PRegSet::empty());
                cvt(self, Size::S64, rm);
            }
            (_, false) => {
                let reg = self.in_reg(from, src, PRegSet::empty());
                let low_bit = self.alloc_reg(RegClass::Int, PRegSet::of(&[reg]));
                let (big, done) = (self.asm.new_label(), self.asm.new_label());
                self.asm.test(Size::S64, reg, reg);
                self.asm.jcc(Cond::S, big);
                cvt(self, Size::S64, RegMem::Reg(reg.into()));
                self.asm.jmp(done);
                self.asm.bind_label(big);
                self.asm.mov_rm(Size::S64, SCRATCH, reg);
                self.asm.shr(Size::S64, SCRATCH, ShiftAmount::Imm(1));
                self.asm.mov_rm(Size::S32, low_bit, reg);
                self.asm.and(Size::S32, low_bit, RegMemImm::Imm(1));
                self.asm.or(Size::S64, SCRATCH, low_bit);
                cvt(self, Size::S64, RegMem::Reg(SCRATCH.into()));
                let add = if to == ValType::F32 {
                    SseOp::Addss
                } else {
                    SseOp::Addsd
                };
                self.asm.emit(Inst::Sse {
                    op: add,
                    dst: dst.into(),
                    src: RegMem::Reg(dst.into()),
                });
                self.asm.bind_label(done);
            }
        }
        self.push_reg(to, dst);
        Ok(())
    }

    fn cvtt(&mut self, from: ValType, int: Size, dst: tern_asm::PReg, src: RegMem) {
        self.asm.emit(Inst::CvtFloatToInt {
            float: float_size(from),
            int,
            dst: dst.into(),
            src,
        });
    }

    /// A float constant as a memory operand.
    fn float_operand(&mut self, ty: ValType, value: f64) -> RegMem {
        let bits = if ty == ValType::F32 {
            (value as f32).to_bits() as i64
        } else {
            value.to_bits() as i64
        };
        self.xmm_rm(ty, Src::Imm(bits))
    }

    /// Float → integer truncation, trapping or saturating.
    pub(crate) fn float_to_int(
        &mut self,
        from: ValType,
        to: ValType,
        signed: bool,
        saturating: bool,
    ) -> Result {
        let (_, src) = self.pop();
        let x = self.in_reg(from, src, PRegSet::empty());
        let xr = RegMem::Reg(x.into());
        let dst = self.alloc_reg(RegClass::Int, PRegSet::empty());
        let done = self.asm.new_label();
        let bits = int_size(to).bits();
        match (signed, to) {
            (true, _) => {
                let size = int_size(to);
                self.cvtt(from, size, dst, xr);
                self.asm.cmp(size, dst, RegMemImm::Imm(1));
                self.asm.jcc(Cond::NO, done);
                if saturating {
                    let nan = self.asm.new_label();
                    self.ucomis(from, x, xr);
                    self.asm.jcc(Cond::P, nan);
                    self.asm.xorps(FSCRATCH, FSCRATCH);
                    self.ucomis(from, x, RegMem::Reg(FSCRATCH.into()));
                    self.asm.jcc(Cond::B, done);
                    let max = if to == ValType::I32 {
                        i32::MAX as u64
                    } else {
                        i64::MAX as u64
                    };
                    self.asm.mov_ri(size, dst, max);
                    self.asm.jmp(done);
                    self.asm.bind_label(nan);
                    self.asm.xor(Size::S32, dst, dst);
                } else {
                    let invalid = self.trap_label(TrapCode::BadConversionToInteger);
                    let overflow = self.trap_label(TrapCode::IntegerOverflow);
                    self.ucomis(from, x, xr);
                    self.asm.jcc(Cond::P, invalid);
                    // Truncating gave INT_MIN: valid only for inputs in
                    // (MIN - 1, MIN], which f32 cannot express beyond MIN.
                    let min = -(2f64.powi(bits as i32 - 1));
                    let (lower, overflow_if) = if from == ValType::F64 && to == ValType::I32 {
                        (min - 1.0, Cond::BE)
                    } else {
                        (min, Cond::B)
                    };
                    let lower = self.float_operand(from, lower);
                    self.ucomis(from, x, lower);
                    self.asm.jcc(overflow_if, overflow);
                    let upper = self.float_operand(from, -min);
                    self.ucomis(from, x, upper);
                    self.asm.jcc(Cond::AE, overflow);
                }
            }
            (false, ValType::I32) => {
                // Every valid input fits in a non-negative i64 below 2^32.
                self.cvtt(from, Size::S64, dst, xr);
                self.asm.mov_rm(Size::S64, SCRATCH, dst);
                self.asm.shr(Size::S64, SCRATCH, ShiftAmount::Imm(32));
                self.asm.jcc(Cond::E, done);
                self.unsigned_out_of_range(from, x, dst, saturating, u32::MAX.into(), done);
            }
            (false, _) => {
                let big = self.asm.new_label();
                let two63 = self.float_operand(from, 2f64.powi(63));
                self.ucomis(from, x, two63);
                self.asm.jcc(Cond::AE, big);
                self.cvtt(from, Size::S64, dst, xr);
                self.asm.test(Size::S64, dst, dst);
                self.asm.jcc(Cond::NS, done);
                // A NaN or an input at or below -1.
                self.unsigned_out_of_range(from, x, dst, saturating, 0, done);
                self.asm.bind_label(big);
                self.load(from, FSCRATCH, Src::Reg(x));
                let sub = if from == ValType::F32 {
                    SseOp::Subss
                } else {
                    SseOp::Subsd
                };
                self.asm.emit(Inst::Sse {
                    op: sub,
                    dst: FSCRATCH.into(),
                    src: two63,
                });
                self.cvtt(from, Size::S64, dst, RegMem::Reg(FSCRATCH.into()));
                self.asm.test(Size::S64, dst, dst);
                let too_big = self.asm.new_label();
                self.asm.jcc(Cond::S, too_big);
                self.asm.mov_ri(Size::S64, SCRATCH, 1 << 63);
                self.asm.xor(Size::S64, dst, SCRATCH);
                self.asm.jmp(done);
                self.asm.bind_label(too_big);
                if saturating {
                    self.asm.mov_ri(Size::S64, dst, u64::MAX);
                } else {
                    let overflow = self.trap_label(TrapCode::IntegerOverflow);
                    self.asm.jmp(overflow);
                }
            }
        }
        self.asm.bind_label(done);
        self.push_reg(to, dst);
        Ok(())
    }

    /// The slow path of an unsigned truncation whose conversion result is
    /// out of range: trap (NaN or overflow), or saturate to 0 for NaN and
    /// negative inputs and to `max` otherwise (`max` = 0: the input is known
    /// to be NaN or negative). Ends with a jump to `done`.
    fn unsigned_out_of_range(
        &mut self,
        from: ValType,
        x: tern_asm::PReg,
        dst: tern_asm::PReg,
        saturating: bool,
        max: u64,
        done: tern_asm::Label,
    ) {
        if saturating {
            let zero = self.asm.new_label();
            if max != 0 {
                self.asm.xorps(FSCRATCH, FSCRATCH);
                self.ucomis(from, x, RegMem::Reg(FSCRATCH.into()));
                // Unordered (NaN) also sets CF.
                self.asm.jcc(Cond::B, zero);
                self.asm.mov_ri(Size::S64, dst, max);
                self.asm.jmp(done);
            }
            self.asm.bind_label(zero);
            self.asm.xor(Size::S32, dst, dst);
            self.asm.jmp(done);
        } else {
            let invalid = self.trap_label(TrapCode::BadConversionToInteger);
            let overflow = self.trap_label(TrapCode::IntegerOverflow);
            self.ucomis(from, x, RegMem::Reg(x.into()));
            self.asm.jcc(Cond::P, invalid);
            self.asm.jmp(overflow);
        }
    }
}
