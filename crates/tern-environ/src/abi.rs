//! The calling convention shared by both tiers.
//!
//! A module may mix functions compiled by the baseline and the optimizing
//! compiler, and host code calls into either through the same trampolines,
//! so the convention is owned here and both compilers only consult it:
//!
//! - System V AMD64 register assignment. The callee's vmctx is the first
//!   integer argument (`rdi`); the Wasm parameters follow in order, integer
//!   class (i32, i64, references) in `rsi, rdx, rcx, r8, r9`, floats in
//!   `xmm0`–`xmm7`; the rest go to the stack, 8 bytes each, in parameter
//!   order, the first at the lowest address (`[rsp + 8]` on entry).
//! - The first result is returned in `rax` (integer class) or `xmm0`
//!   (floats). Further results are written by the callee into a return
//!   area the caller provides, whose address is passed as a hidden last
//!   integer argument (a register if one is left, else the stack); result
//!   `i` (for `i ≥ 1`) lives at offset `8 * (i - 1)` of that area.
//! - The caller pops its stack arguments; `rsp` is 16-byte aligned at the
//!   call instruction. `rbx, rbp, r12–r15` are preserved by the callee; all
//!   other registers, including every xmm register, may be clobbered.
//! - Every function compares `rsp` with the store's stack limit in its
//!   prologue and traps with `StackOverflow` below it.
//! - An i32 in a 64-bit register always has its upper 32 bits zero: in
//!   parameters, in results, and everywhere inside a function. Both tiers
//!   rely on it (an i32 index is used as a 64-bit address component with no
//!   extension), and the trampolines provide it.

use crate::types::{FuncType, ValType};
use tern_asm::{PReg, regs};

/// Integer argument registers after the vmctx.
pub const INT_ARG_REGS: [PReg; 5] = [regs::RSI, regs::RDX, regs::RCX, regs::R8, regs::R9];

/// Float argument registers.
pub const FLOAT_ARG_REGS: [PReg; 8] = [
    regs::XMM0,
    regs::XMM1,
    regs::XMM2,
    regs::XMM3,
    regs::XMM4,
    regs::XMM5,
    regs::XMM6,
    regs::XMM7,
];

/// The register that carries the callee's vmctx.
pub const VMCTX_REG: PReg = regs::RDI;

/// Registers a callee must preserve.
pub const CALLEE_SAVED: [PReg; 6] = [
    regs::RBX,
    regs::RBP,
    regs::R12,
    regs::R13,
    regs::R14,
    regs::R15,
];

/// Where one argument or result lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgLoc {
    /// In a register.
    Reg(PReg),
    /// On the stack, at this offset from the first stack argument slot
    /// (which is `[rsp + 8]` in the callee on entry, `[rsp]` in the caller
    /// at the call).
    Stack(u32),
    /// In the return area, at this offset (results only).
    RetArea(u32),
}

/// The locations of a signature's parameters and results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigLocations {
    pub params: Vec<ArgLoc>,
    pub results: Vec<ArgLoc>,
    /// Where the return-area pointer is passed, if there are 2+ results.
    pub ret_area_ptr: Option<ArgLoc>,
    /// Bytes of stack arguments, rounded up to 16 so `rsp` stays aligned.
    pub stack_args_size: u32,
    /// Bytes of the return area.
    pub ret_area_size: u32,
}

impl SigLocations {
    /// Assigns locations to every parameter and result of `ty`.
    pub fn new(ty: &FuncType) -> SigLocations {
        let mut ints = INT_ARG_REGS.iter();
        let mut floats = FLOAT_ARG_REGS.iter();
        let mut stack = 0u32;
        let mut next = |class_is_int: bool| -> ArgLoc {
            let reg = if class_is_int {
                ints.next()
            } else {
                floats.next()
            };
            match reg {
                Some(r) => ArgLoc::Reg(*r),
                None => {
                    let loc = ArgLoc::Stack(stack);
                    stack += 8;
                    loc
                }
            }
        };
        let params = ty.params.iter().map(|p| next(p.is_int_class())).collect();
        let ret_area_ptr = (ty.results.len() > 1).then(|| next(true));
        let results = ty
            .results
            .iter()
            .enumerate()
            .map(|(i, r)| match i {
                0 => ArgLoc::Reg(first_result_reg(*r)),
                _ => ArgLoc::RetArea(8 * (i as u32 - 1)),
            })
            .collect();
        SigLocations {
            params,
            results,
            ret_area_ptr,
            stack_args_size: stack.div_ceil(16) * 16,
            ret_area_size: 8 * (ty.results.len().saturating_sub(1) as u32),
        }
    }
}

/// The register that carries a first result of type `ty`.
pub fn first_result_reg(ty: ValType) -> PReg {
    if ty.is_int_class() {
        regs::RAX
    } else {
        regs::XMM0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValType::*;

    #[test]
    fn registers_then_stack_per_class() {
        let ty = FuncType::new([I32, F64, I64, I32, I32, I32, I32, F32], [I32]);
        let locs = SigLocations::new(&ty);
        assert_eq!(
            locs.params,
            vec![
                ArgLoc::Reg(regs::RSI),
                ArgLoc::Reg(regs::XMM0),
                ArgLoc::Reg(regs::RDX),
                ArgLoc::Reg(regs::RCX),
                ArgLoc::Reg(regs::R8),
                ArgLoc::Reg(regs::R9),
                ArgLoc::Stack(0),
                ArgLoc::Reg(regs::XMM1),
            ]
        );
        assert_eq!(locs.stack_args_size, 16);
        assert_eq!(locs.results, vec![ArgLoc::Reg(regs::RAX)]);
        assert_eq!(locs.ret_area_ptr, None);
    }

    #[test]
    fn extra_results_go_to_the_return_area() {
        let ty = FuncType::new([F32], [F32, I64, I32]);
        let locs = SigLocations::new(&ty);
        assert_eq!(locs.ret_area_ptr, Some(ArgLoc::Reg(regs::RSI)));
        assert_eq!(
            locs.results,
            vec![
                ArgLoc::Reg(regs::XMM0),
                ArgLoc::RetArea(0),
                ArgLoc::RetArea(8)
            ]
        );
        assert_eq!(locs.ret_area_size, 16);
    }
}
