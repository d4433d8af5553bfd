//! Integer arithmetic, bitwise operations, shifts and rotates, comparisons,
//! `eqz`, and the bit counts.
//!
//! Two-address x86 forms overwrite their left operand, so the result goes
//! to the left operand's register when nothing else refers to it, and to a
//! fresh copy otherwise (for `add`, a three-operand `lea` avoids the copy).
//! Commutative operations swap their operands when that lets the result
//! reuse the right operand's register or turns a constant into an
//! immediate. Constant operands fold into immediates, and operations on
//! two constants are evaluated at compile time. Comparisons emit `cmp` and
//! push a pending condition (see `values.rs`), which a following `br_if`,
//! `if` or `select` consumes directly.

use crate::emitter::{Emitter, Result};
use crate::regs::SCRATCH;
use crate::values::{Src, frame_mem, imm32, int_size};
use tern_asm::{
    AluOp, Amode, BitOp, Cond, PRegSet, RegClass, RegImm, RegMem, RegMemImm, ShiftAmount, ShiftOp,
    Size, regs,
};
use tern_environ::ValType;

/// A two-operand integer operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntOp {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
}

impl IntOp {
    fn commutative(self) -> bool {
        self != IntOp::Sub
    }

    fn fold(self, a: i64, b: i64) -> i64 {
        match self {
            IntOp::Add => a.wrapping_add(b),
            IntOp::Sub => a.wrapping_sub(b),
            IntOp::Mul => a.wrapping_mul(b),
            IntOp::And => a & b,
            IntOp::Or => a | b,
            IntOp::Xor => a ^ b,
        }
    }

    fn alu(self) -> AluOp {
        match self {
            IntOp::Add => AluOp::Add,
            IntOp::Sub => AluOp::Sub,
            IntOp::And => AluOp::And,
            IntOp::Or => AluOp::Or,
            IntOp::Xor => AluOp::Xor,
            IntOp::Mul => unreachable!("multiplication is imul"),
        }
    }
}

/// What `x op c` simplifies to, for a constant right operand.
enum Identity {
    /// `x` itself (`x + 0`, `x * 1`, `x & -1`, …).
    Left,
    /// Zero (`x * 0`, `x & 0`).
    Zero,
}

/// (Constants are normalized, so an all-ones i32 is -1 as well.)
fn identity(op: IntOp, c: i64) -> Option<Identity> {
    match (op, c) {
        (IntOp::Add | IntOp::Sub | IntOp::Or | IntOp::Xor, 0)
        | (IntOp::Mul, 1)
        | (IntOp::And, -1) => Some(Identity::Left),
        (IntOp::Mul | IntOp::And, 0) => Some(Identity::Zero),
        _ => None,
    }
}

/// The number of bits of an integer type.
fn bits(ty: ValType) -> u32 {
    int_size(ty).bits()
}

/// Evaluates a shift or rotate of constants.
fn fold_shift(ty: ValType, op: ShiftOp, a: i64, b: i64) -> i64 {
    let amount = (b as u32) & (bits(ty) - 1);
    match ty {
        ValType::I32 => {
            let a = a as u32;
            (match op {
                ShiftOp::Shl => a << amount,
                ShiftOp::Shr => a >> amount,
                ShiftOp::Sar => ((a as i32) >> amount) as u32,
                ShiftOp::Rol => a.rotate_left(amount),
                ShiftOp::Ror => a.rotate_right(amount),
            }) as i32 as i64
        }
        _ => {
            let a = a as u64;
            (match op {
                ShiftOp::Shl => a << amount,
                ShiftOp::Shr => a >> amount,
                ShiftOp::Sar => ((a as i64) >> amount) as u64,
                ShiftOp::Rol => a.rotate_left(amount),
                ShiftOp::Ror => a.rotate_right(amount),
            }) as i64
        }
    }
}

/// Evaluates an integer comparison of constants.
fn fold_compare(ty: ValType, cond: Cond, a: i64, b: i64) -> bool {
    let (sa, sb, ua, ub) = match ty {
        ValType::I32 => (
            a as i32 as i64,
            b as i32 as i64,
            a as u32 as u64,
            b as u32 as u64,
        ),
        _ => (a, b, a as u64, b as u64),
    };
    match cond {
        Cond::E => a == b,
        Cond::NE => a != b,
        Cond::L => sa < sb,
        Cond::LE => sa <= sb,
        Cond::G => sa > sb,
        Cond::GE => sa >= sb,
        Cond::B => ua < ub,
        Cond::BE => ua <= ub,
        Cond::A => ua > ub,
        Cond::AE => ua >= ub,
        other => unreachable!("{other:?} is not an integer comparison"),
    }
}

/// The condition that holds for `b ? a` when `cond` holds for `a ? b`.
fn swap_operands(cond: Cond) -> Cond {
    match cond {
        Cond::L => Cond::G,
        Cond::G => Cond::L,
        Cond::LE => Cond::GE,
        Cond::GE => Cond::LE,
        Cond::B => Cond::A,
        Cond::A => Cond::B,
        Cond::BE => Cond::AE,
        Cond::AE => Cond::BE,
        other => other,
    }
}

impl Emitter<'_> {
    /// `lhs op rhs` for add, sub, mul, and, or, xor.
    pub(crate) fn int_binop(&mut self, ty: ValType, op: IntOp) -> Result {
        let (_, rhs) = self.pop();
        let (_, lhs) = self.pop();
        if let (Src::Imm(a), Src::Imm(b)) = (lhs, rhs) {
            self.push_const(ty, op.fold(a, b));
            return Ok(());
        }
        if op == IntOp::And && self.next_tests_zero(ty) {
            self.and_for_zero_test(ty, lhs, rhs);
            return Ok(());
        }
        let next_set = self.local_set_next();
        let swap = op.commutative()
            && (matches!(lhs, Src::Imm(_))
                || (!self.reusable(lhs, next_set) && self.reusable(rhs, next_set)));
        let (lhs, rhs) = if swap { (rhs, lhs) } else { (lhs, rhs) };
        if let Src::Imm(c) = rhs {
            match identity(op, c) {
                Some(Identity::Left) if matches!(lhs, Src::Reg(_)) => {
                    self.push_src(ty, lhs);
                    return Ok(());
                }
                Some(Identity::Zero) => {
                    self.push_const(ty, 0);
                    return Ok(());
                }
                _ => {}
            }
        }
        let size = int_size(ty);
        let reuse = self.reusable(lhs, next_set);
        if let (Src::Reg(l), false) = (lhs, reuse)
            && let Some(dst) = self.try_lea(ty, op, l, rhs)
        {
            self.push_reg(ty, dst);
            return Ok(());
        }
        let dst = match (op, rhs) {
            (IntOp::Mul, Src::Imm(c)) if imm32(ty, c).is_some() => {
                let dst = match lhs {
                    Src::Reg(r) if self.regs.is_free(r) => r,
                    _ => self.alloc_reg(RegClass::Int, lhs.regs()),
                };
                let src = self.rm(ty, lhs, PRegSet::of(&[dst]));
                self.asm
                    .imul_imm(size, dst, src, imm32(ty, c).expect("checked"));
                dst
            }
            (IntOp::Mul, _) => {
                let dst = self.result_reg(ty, lhs, reuse, rhs.regs());
                let src = self.rm(ty, rhs, PRegSet::of(&[dst]));
                self.asm.imul(size, dst, src);
                dst
            }
            _ => {
                let dst = self.result_reg(ty, lhs, reuse, rhs.regs());
                let src = self.rmi(ty, rhs);
                self.asm.alu(op.alu(), size, dst, src);
                dst
            }
        };
        self.push_reg(ty, dst);
        Ok(())
    }

    /// `lhs & rhs` whose only use is a test against zero: a `test`, leaving
    /// "nonzero" in the flags for the next operator (`if`, `br_if`, `eqz`).
    fn and_for_zero_test(&mut self, ty: ValType, lhs: Src, rhs: Src) {
        let size = int_size(ty);
        // `test r/m, r` or `test r/m, imm`: an immediate goes right, a
        // register is preferred left.
        let (lhs, rhs) = match (lhs, rhs) {
            (Src::Imm(_), _) | (Src::Mem(_), Src::Reg(_)) => (rhs, lhs),
            _ => (lhs, rhs),
        };
        let left = match lhs {
            Src::Reg(r) => RegMem::Reg(r.into()),
            Src::Mem(m) => RegMem::Mem(frame_mem(m)),
            Src::Imm(_) => RegMem::Reg(self.in_reg(ty, lhs, rhs.regs()).into()),
        };
        let left_regs = match left {
            RegMem::Reg(r) => PRegSet::of(&[r.to_preg().expect("physical")]),
            RegMem::Mem(_) => PRegSet::empty(),
        };
        let right = match rhs {
            Src::Imm(c) if imm32(ty, c).is_some() => RegImm::Imm(imm32(ty, c).expect("checked")),
            _ => RegImm::Reg(self.in_reg(ty, rhs, left_regs).into()),
        };
        self.asm.test(size, left, right);
        self.push_nonzero_flags(ty, Cond::NE);
    }

    /// The register a two-address operation writes its result to: the left
    /// operand's, if `reuse` allows, else an owned copy.
    pub(crate) fn result_reg(
        &mut self,
        ty: ValType,
        lhs: Src,
        reuse: bool,
        avoid: PRegSet,
    ) -> tern_asm::PReg {
        match lhs {
            Src::Reg(r) if reuse => r,
            _ => self.in_owned_reg(ty, lhs, avoid),
        }
    }

    /// `add`/`sub` of a shared register and a register or immediate as a
    /// three-operand `lea` (no copy of the shared register).
    fn try_lea(
        &mut self,
        ty: ValType,
        op: IntOp,
        lhs: tern_asm::PReg,
        rhs: Src,
    ) -> Option<tern_asm::PReg> {
        let addr = match (op, rhs) {
            (IntOp::Add, Src::Reg(r)) => Amode::base_index(lhs, r, tern_asm::Scale::One, 0),
            (IntOp::Add, Src::Imm(c)) => Amode::base_disp(lhs, imm32(ty, c)?),
            (IntOp::Sub, Src::Imm(c)) => Amode::base_disp(lhs, imm32(ty, c)?.checked_neg()?),
            _ => return None,
        };
        let dst = self.alloc_reg(RegClass::Int, PRegSet::of(&[lhs]).union(rhs.regs()));
        self.asm.lea(int_size(ty), dst, addr);
        Some(dst)
    }

    /// The operand as a register or memory operand (constants are loaded
    /// into a register outside `avoid`).
    pub(crate) fn rm(&mut self, ty: ValType, src: Src, avoid: PRegSet) -> RegMem {
        match src {
            Src::Reg(r) => RegMem::Reg(r.into()),
            Src::Mem(offset) => RegMem::Mem(frame_mem(offset)),
            Src::Imm(_) => RegMem::Reg(self.in_reg(ty, src, avoid).into()),
        }
    }

    /// Shifts and rotates. A constant count is an immediate; otherwise the
    /// count goes to `cl`.
    pub(crate) fn int_shift(&mut self, ty: ValType, op: ShiftOp) -> Result {
        let (_, count) = self.pop();
        let (_, value) = self.pop();
        let size = int_size(ty);
        match (value, count) {
            (Src::Imm(a), Src::Imm(b)) => self.push_const(ty, fold_shift(ty, op, a, b)),
            (Src::Reg(_), Src::Imm(c)) if c as u32 & (bits(ty) - 1) == 0 => {
                self.push_src(ty, value)
            }
            (_, Src::Imm(c)) => {
                let dst = self.in_owned_reg(ty, value, PRegSet::empty());
                let amount = (c as u32 & (bits(ty) - 1)) as u8;
                if amount != 0 {
                    self.asm.shift(op, size, dst, ShiftAmount::Imm(amount));
                }
                self.push_reg(ty, dst);
            }
            _ => {
                let dst = self.in_owned_reg(ty, value, count.regs().with(regs::RCX));
                if count != Src::Reg(regs::RCX) {
                    self.evict(regs::RCX, count.regs().with(dst));
                    self.load(ValType::I32, regs::RCX, count);
                }
                self.asm.shift(op, size, dst, ShiftAmount::Cl);
                self.push_reg(ty, dst);
            }
        }
        Ok(())
    }

    /// A comparison: `cmp`, then a pending condition on the stack.
    pub(crate) fn int_compare(&mut self, ty: ValType, cond: Cond) -> Result {
        let (_, rhs) = self.pop();
        let (_, lhs) = self.pop();
        if let (Src::Imm(a), Src::Imm(b)) = (lhs, rhs) {
            self.push_const(ValType::I32, fold_compare(ty, cond, a, b).into());
            return Ok(());
        }
        let (lhs, rhs, cond) = if matches!(lhs, Src::Imm(_)) {
            (rhs, lhs, swap_operands(cond))
        } else {
            (lhs, rhs, cond)
        };
        let size = int_size(ty);
        match (lhs, rhs) {
            (Src::Reg(l), Src::Imm(0)) => self.asm.test(size, l, l),
            (Src::Reg(l), _) => {
                let src = self.rmi(ty, rhs);
                self.asm.cmp(size, l, src);
            }
            (Src::Mem(m), Src::Reg(r)) => self.asm.cmp_mem(size, frame_mem(m), r),
            (Src::Mem(m), Src::Imm(c)) if imm32(ty, c).is_some() => {
                self.asm
                    .cmp_mem(size, frame_mem(m), imm32(ty, c).expect("checked"))
            }
            _ => {
                let l = self.in_reg(ty, lhs, rhs.regs());
                let src = self.rmi(ty, rhs);
                self.asm.cmp(size, l, src);
            }
        }
        self.push_flags(cond);
        Ok(())
    }

    /// `eqz`: inverts a pending comparison, otherwise tests against zero.
    pub(crate) fn int_eqz(&mut self, ty: ValType) -> Result {
        let value = self.pop_value();
        if let crate::values::Loc::Flags(c) = value.loc {
            self.push_flags(c.invert());
            return Ok(());
        }
        let src = self.src_of(self.stack.len(), value);
        let size = int_size(ty);
        match src {
            Src::Imm(c) => {
                self.push_const(ValType::I32, (c == 0).into());
                return Ok(());
            }
            Src::Reg(r) => self.asm.test(size, r, r),
            Src::Mem(m) => self.asm.cmp_mem(size, frame_mem(m), 0),
        }
        self.push_flags(Cond::E);
        Ok(())
    }

    /// `clz`, `ctz` and `popcnt`.
    pub(crate) fn int_count(&mut self, ty: ValType, op: BitOp) -> Result {
        let (_, src) = self.pop();
        let width = bits(ty);
        if let Src::Imm(c) = src {
            let c = if ty == ValType::I32 {
                c as u32 as u64
            } else {
                c as u64
            };
            let result = match op {
                BitOp::Lzcnt => c.leading_zeros() - (64 - width),
                BitOp::Tzcnt => c.trailing_zeros().min(width),
                _ => c.count_ones(),
            };
            self.push_const(ty, result.into());
            return Ok(());
        }
        let size = int_size(ty);
        let dst = match src {
            Src::Reg(r) if self.regs.is_free(r) => r,
            _ => self.alloc_reg(RegClass::Int, src.regs()),
        };
        let rm = self.rm(ty, src, PRegSet::of(&[dst]));
        match op {
            BitOp::Lzcnt if !self.cpu.lzcnt => {
                // bsr gives the index of the highest set bit (undefined, ZF
                // set, for zero): clz = (width - 1) ^ index, and 2·width - 1
                // for zero gives width after the xor.
                self.asm
                    .mov_ri(Size::S32, SCRATCH, u64::from(2 * width - 1));
                self.asm.bsr(size, dst, rm);
                self.asm.cmov(Cond::E, size, dst, SCRATCH);
                self.asm.xor(size, dst, RegMemImm::Imm(width as i32 - 1));
            }
            BitOp::Tzcnt if !self.cpu.bmi1 => {
                self.asm.mov_ri(Size::S32, SCRATCH, u64::from(width));
                self.asm.bsf(size, dst, rm);
                self.asm.cmov(Cond::E, size, dst, SCRATCH);
            }
            BitOp::Popcnt if !self.cpu.popcnt => {
                return Err(self.unsupported("popcnt on a CPU without the POPCNT extension"));
            }
            _ => self.asm.bit_op(op, size, dst, rm),
        }
        self.push_reg(ty, dst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_matches_wasm_semantics() {
        assert_eq!(fold_shift(ValType::I32, ShiftOp::Shl, 1, 33), 2);
        assert_eq!(fold_shift(ValType::I32, ShiftOp::Sar, -8, 1), -4);
        assert_eq!(fold_shift(ValType::I32, ShiftOp::Shr, -8, 1), 0x7fff_fffc);
        assert_eq!(fold_shift(ValType::I64, ShiftOp::Rol, 1 << 63, 1), 1);
        assert_eq!(
            fold_shift(ValType::I32, ShiftOp::Ror, 1, 1),
            i32::MIN as i64
        );
        assert!(fold_compare(ValType::I32, Cond::B, 1, -1));
        assert!(!fold_compare(ValType::I32, Cond::L, 1, -1));
        assert!(fold_compare(ValType::I64, Cond::A, -1, 1));
        assert_eq!(IntOp::Mul.fold(i64::MAX, 2), -2);
        for cond in [Cond::L, Cond::LE, Cond::B, Cond::AE, Cond::E] {
            for (a, b) in [(1, 2), (2, 1), (-1, 1), (3, 3)] {
                assert_eq!(
                    fold_compare(ValType::I64, cond, a, b),
                    fold_compare(ValType::I64, swap_operands(cond), b, a)
                );
            }
        }
    }
}
