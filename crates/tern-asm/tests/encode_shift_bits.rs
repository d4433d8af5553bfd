//! Encoding tests: shifts and rotates, bit scans and counts, `setcc`, `cmovcc`.

mod common;

use common::*;
use iced_x86::{Mnemonic, Register};
use tern_asm::{Assembler, BitOp, Cond, ShiftAmount, ShiftOp};

const SHIFTS: [(ShiftOp, Mnemonic); 5] = [
    (ShiftOp::Shl, Mnemonic::Shl),
    (ShiftOp::Shr, Mnemonic::Shr),
    (ShiftOp::Sar, Mnemonic::Sar),
    (ShiftOp::Rol, Mnemonic::Rol),
    (ShiftOp::Ror, Mnemonic::Ror),
];

#[test]
fn shifts_by_cl_and_immediate() {
    let mut asm = Assembler::new();
    for (op, mnemonic) in SHIFTS {
        for size in SIZES {
            for dst in gprs() {
                check(
                    &mut asm,
                    |a| a.shift(op, size, dst, ShiftAmount::Cl),
                    mnemonic,
                    &[r(dst, size), Op::Reg(Register::CL)],
                );
                for n in [0u8, 1, 2, 7, 31, 63] {
                    check(
                        &mut asm,
                        |a| a.shift(op, size, dst, ShiftAmount::Imm(n)),
                        mnemonic,
                        &[r(dst, size), imm(n.into(), 8)],
                    );
                }
            }
        }
    }
}

#[test]
fn shift_by_one_uses_the_short_form() {
    let mut asm = Assembler::new();
    asm.shl(
        tern_asm::Size::S32,
        tern_asm::regs::RAX,
        ShiftAmount::Imm(1),
    );
    assert_eq!(asm.offset(), 2); // d1 e0
    asm.shl(
        tern_asm::Size::S32,
        tern_asm::regs::RAX,
        ShiftAmount::Imm(2),
    );
    assert_eq!(asm.offset(), 5); // c1 e0 02
}

#[test]
fn bit_scans_and_counts() {
    let ops = [
        (BitOp::Bsf, Mnemonic::Bsf),
        (BitOp::Bsr, Mnemonic::Bsr),
        (BitOp::Lzcnt, Mnemonic::Lzcnt),
        (BitOp::Tzcnt, Mnemonic::Tzcnt),
        (BitOp::Popcnt, Mnemonic::Popcnt),
    ];
    let mut asm = Assembler::new();
    for (op, mnemonic) in ops {
        for size in WIDE_SIZES {
            for dst in gprs() {
                for src in gprs() {
                    check(
                        &mut asm,
                        |a| a.bit_op(op, size, dst, src),
                        mnemonic,
                        &[r(dst, size), r(src, size)],
                    );
                }
            }
            for (k, amode) in amodes().into_iter().enumerate() {
                let dst = gprs().nth(k % 16).unwrap();
                check(
                    &mut asm,
                    |a| a.bit_op(op, size, dst, amode),
                    mnemonic,
                    &[r(dst, size), m(amode, size.bytes() as usize)],
                );
            }
        }
    }
}

fn setcc_mnemonic(c: Cond) -> Mnemonic {
    use Mnemonic::*;
    [
        Seto, Setno, Setb, Setae, Sete, Setne, Setbe, Seta, Sets, Setns, Setp, Setnp, Setl, Setge,
        Setle, Setg,
    ][c.bits() as usize]
}

fn cmov_mnemonic(c: Cond) -> Mnemonic {
    use Mnemonic::*;
    [
        Cmovo, Cmovno, Cmovb, Cmovae, Cmove, Cmovne, Cmovbe, Cmova, Cmovs, Cmovns, Cmovp, Cmovnp,
        Cmovl, Cmovge, Cmovle, Cmovg,
    ][c.bits() as usize]
}

#[test]
fn setcc_all_conditions_and_byte_registers() {
    let mut asm = Assembler::new();
    for cond in Cond::ALL {
        for dst in gprs() {
            check(
                &mut asm,
                |a| a.setcc(cond, dst),
                setcc_mnemonic(cond),
                &[r(dst, tern_asm::Size::S8)],
            );
        }
    }
}

#[test]
fn cmov_all_conditions() {
    let mut asm = Assembler::new();
    for cond in Cond::ALL {
        for size in WIDE_SIZES {
            for dst in gprs() {
                for src in gprs() {
                    check(
                        &mut asm,
                        |a| a.cmov(cond, size, dst, src),
                        cmov_mnemonic(cond),
                        &[r(dst, size), r(src, size)],
                    );
                }
            }
            for (k, amode) in amodes().into_iter().enumerate().step_by(7) {
                let dst = gprs().nth(k % 16).unwrap();
                check(
                    &mut asm,
                    |a| a.cmov(cond, size, dst, amode),
                    cmov_mnemonic(cond),
                    &[r(dst, size), m(amode, size.bytes() as usize)],
                );
            }
        }
    }
}
