//! Integer division and remainder.
//!
//! `div`/`idiv` take the dividend in `rdx:rax` and leave the quotient in
//! `rax` and the remainder in `rdx`, so both registers are evicted first.
//! A zero divisor makes the instruction fault (SIGFPE), so the `div` itself
//! is recorded as an `IntegerDivisionByZero` trap site and costs nothing in
//! the common case. `idiv` also faults for `INT_MIN / -1`, which Wasm
//! defines differently: `div_s` must trap with `IntegerOverflow` and
//! `rem_s` must return 0, so a divisor of -1 is checked explicitly.
//!
//! Constant divisors need no checks (other than the static ones), and an
//! unsigned division or remainder by a power of two is a shift or a mask.

use crate::emitter::{Emitter, Result};
use crate::regs::SCRATCH;
use crate::values::{Src, frame_mem, int_size};
use tern_asm::{Cond, PRegSet, RegClass, RegMem, RegMemImm, ShiftAmount, Size, TrapCode, regs};
use tern_environ::ValType;

/// Which of the four operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DivOp {
    DivS,
    DivU,
    RemS,
    RemU,
}

impl DivOp {
    fn signed(self) -> bool {
        matches!(self, DivOp::DivS | DivOp::RemS)
    }

    fn remainder(self) -> bool {
        matches!(self, DivOp::RemS | DivOp::RemU)
    }
}

/// Evaluates a division of constants, `None` if it traps.
fn fold(ty: ValType, op: DivOp, a: i64, b: i64) -> Option<i64> {
    match ty {
        ValType::I32 => {
            let (a, b) = (a as i32, b as i32);
            let (ua, ub) = (a as u32, b as u32);
            Some(match op {
                DivOp::DivS => a.checked_div(b)?.into(),
                DivOp::RemS => i64::from(if b == 0 {
                    return None;
                } else {
                    a.wrapping_rem(b)
                }),
                DivOp::DivU => i64::from(ua.checked_div(ub)? as i32),
                DivOp::RemU => i64::from(ua.checked_rem(ub)? as i32),
            })
        }
        _ => {
            let (ua, ub) = (a as u64, b as u64);
            Some(match op {
                DivOp::DivS => a.checked_div(b)?,
                DivOp::RemS => {
                    if b == 0 {
                        return None;
                    }
                    a.wrapping_rem(b)
                }
                DivOp::DivU => ua.checked_div(ub)? as i64,
                DivOp::RemU => ua.checked_rem(ub)? as i64,
            })
        }
    }
}

impl Emitter<'_> {
    pub(crate) fn int_div(&mut self, ty: ValType, op: DivOp) -> Result {
        let (_, rhs) = self.pop();
        let (_, lhs) = self.pop();
        let size = int_size(ty);
        if let Src::Imm(b) = rhs {
            if let Src::Imm(a) = lhs
                && let Some(result) = fold(ty, op, a, b)
            {
                self.push_const(ty, result);
                return Ok(());
            }
            let divisor = if ty == ValType::I32 {
                b as u32 as u64
            } else {
                b as u64
            };
            if divisor == 0 {
                self.trap_here(TrapCode::IntegerDivisionByZero);
                self.reachable = false;
                return Ok(());
            }
            if !op.signed() && divisor.is_power_of_two() {
                let dst = self.in_owned_reg(ty, lhs, PRegSet::empty());
                if op.remainder() {
                    self.mask_low_bits(ty, dst, divisor - 1);
                } else {
                    let shift = divisor.trailing_zeros() as u8;
                    if shift != 0 {
                        self.asm.shr(size, dst, ShiftAmount::Imm(shift));
                    }
                }
                self.push_reg(ty, dst);
                return Ok(());
            }
        }
        // The divisor must stay readable while rax and rdx are written: a
        // register other than those two, or memory.
        let fixed = PRegSet::of(&[regs::RAX, regs::RDX]);
        let divisor = match rhs {
            Src::Reg(r) if !fixed.contains(r) => RegMem::Reg(r.into()),
            Src::Mem(offset) => RegMem::Mem(frame_mem(offset)),
            _ => {
                let reg = self.alloc_reg(RegClass::Int, fixed.union(lhs.regs()));
                self.load(ty, reg, rhs);
                RegMem::Reg(reg.into())
            }
        };
        let divisor_regs = match divisor {
            RegMem::Reg(r) => PRegSet::of(&[r.to_preg().expect("physical")]),
            RegMem::Mem(_) => PRegSet::empty(),
        };
        let keep = divisor_regs.union(lhs.regs()).union(fixed);
        self.evict(regs::RAX, keep);
        self.evict(regs::RDX, keep);
        self.load(ty, regs::RAX, lhs);
        let divisor_is_const = matches!(rhs, Src::Imm(_));
        match op {
            DivOp::DivU | DivOp::RemU => {
                self.asm.xor(Size::S32, regs::RDX, regs::RDX);
                self.asm.add_trap(TrapCode::IntegerDivisionByZero);
                self.asm.div(size, divisor);
            }
            DivOp::DivS => {
                if !divisor_is_const || rhs == Src::Imm(-1) {
                    // x / -1 overflows only for x = INT_MIN.
                    let normal = self.asm.new_label();
                    self.compare_with(size, divisor, -1);
                    self.asm.jcc(Cond::NE, normal);
                    let min = if ty == ValType::I32 {
                        i32::MIN as u32 as u64
                    } else {
                        i64::MIN as u64
                    };
                    if ty == ValType::I32 {
                        self.asm.cmp(Size::S32, regs::RAX, RegMemImm::Imm(i32::MIN));
                    } else {
                        self.asm.mov_ri(Size::S64, SCRATCH, min);
                        self.asm.cmp(Size::S64, regs::RAX, SCRATCH);
                    }
                    let overflow = self.trap_label(TrapCode::IntegerOverflow);
                    self.asm.jcc(Cond::E, overflow);
                    self.asm.bind_label(normal);
                }
                self.sign_extend_rax(size);
                self.asm.add_trap(TrapCode::IntegerDivisionByZero);
                self.asm.idiv(size, divisor);
            }
            DivOp::RemS => {
                // x % -1 is 0 (and idiv would fault for INT_MIN).
                let done = self.asm.new_label();
                self.asm.xor(Size::S32, regs::RDX, regs::RDX);
                if !divisor_is_const || rhs == Src::Imm(-1) {
                    self.compare_with(size, divisor, -1);
                    self.asm.jcc(Cond::E, done);
                }
                self.sign_extend_rax(size);
                self.asm.add_trap(TrapCode::IntegerDivisionByZero);
                self.asm.idiv(size, divisor);
                self.asm.bind_label(done);
            }
        }
        let result = if op.remainder() { regs::RDX } else { regs::RAX };
        self.push_reg(ty, result);
        Ok(())
    }

    fn compare_with(&mut self, size: Size, operand: RegMem, imm: i32) {
        match operand {
            RegMem::Reg(r) => self.asm.cmp(size, r, RegMemImm::Imm(imm)),
            RegMem::Mem(m) => self.asm.cmp_mem(size, m, imm),
        }
    }

    fn sign_extend_rax(&mut self, size: Size) {
        if size == Size::S64 {
            self.asm.cqo();
        } else {
            self.asm.cdq();
        }
    }

    /// `dst &= mask` for a mask that may not fit an immediate.
    fn mask_low_bits(&mut self, ty: ValType, dst: tern_asm::PReg, mask: u64) {
        let size = int_size(ty);
        match i32::try_from(mask) {
            Ok(imm) => self.asm.and(size, dst, RegMemImm::Imm(imm)),
            Err(_) if mask == u64::from(u32::MAX) => self.asm.mov_rm(Size::S32, dst, dst),
            Err(_) => {
                self.asm.mov_ri(Size::S64, SCRATCH, mask);
                self.asm.and(size, dst, SCRATCH);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_respects_traps() {
        assert_eq!(fold(ValType::I32, DivOp::DivS, i32::MIN.into(), -1), None);
        assert_eq!(
            fold(ValType::I32, DivOp::RemS, i32::MIN.into(), -1),
            Some(0)
        );
        assert_eq!(fold(ValType::I32, DivOp::DivU, -1, 2), Some(0x7fff_ffff));
        assert_eq!(fold(ValType::I64, DivOp::RemU, 7, 0), None);
        assert_eq!(fold(ValType::I64, DivOp::RemS, -7, 2), Some(-1));
        assert_eq!(fold(ValType::I64, DivOp::DivS, i64::MIN, -1), None);
    }
}
