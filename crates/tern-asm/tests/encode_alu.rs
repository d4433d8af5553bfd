//! Encoding tests: the ALU operations (register, memory and immediate forms,
//! memory destinations), `test`, `not`/`neg`, `imul`, `mul`/`div`/`idiv`,
//! `cwd`/`cdq`/`cqo`.

mod common;

use common::*;
use iced_x86::Mnemonic;
use tern_asm::regs::*;
use tern_asm::{AluOp, Amode, Assembler, Inst, MulDivOp, RegImm, RegMemImm, Size, UnaryOp};

fn alu_mnemonic(op: AluOp) -> Mnemonic {
    match op {
        AluOp::Add => Mnemonic::Add,
        AluOp::Or => Mnemonic::Or,
        AluOp::Adc => Mnemonic::Adc,
        AluOp::Sbb => Mnemonic::Sbb,
        AluOp::And => Mnemonic::And,
        AluOp::Sub => Mnemonic::Sub,
        AluOp::Xor => Mnemonic::Xor,
        AluOp::Cmp => Mnemonic::Cmp,
    }
}

/// Immediates worth trying at each size: the imm8 boundaries and the
/// extremes of the full-width immediate.
fn imms(size: Size) -> &'static [i32] {
    match size {
        Size::S8 => &[0, 1, -1, 127, -128],
        Size::S16 => &[0, 1, -1, 127, -128, 128, -129, 32767, -32768],
        Size::S32 | Size::S64 => &[0, 1, -1, 127, -128, 128, -129, i32::MAX, i32::MIN],
    }
}

#[test]
fn alu_register_register() {
    let mut asm = Assembler::new();
    for op in AluOp::ALL {
        for size in SIZES {
            for dst in gprs() {
                for src in gprs() {
                    check(
                        &mut asm,
                        |a| a.alu(op, size, dst, src),
                        alu_mnemonic(op),
                        &[r(dst, size), r(src, size)],
                    );
                }
            }
        }
    }
}

#[test]
fn alu_register_memory() {
    let mut asm = Assembler::new();
    for op in AluOp::ALL {
        for size in SIZES {
            for (k, amode) in amodes().into_iter().enumerate() {
                let dst = gprs().nth(k % 16).unwrap();
                check(
                    &mut asm,
                    |a| a.alu(op, size, dst, amode),
                    alu_mnemonic(op),
                    &[r(dst, size), m(amode, size.bytes() as usize)],
                );
            }
        }
    }
}

#[test]
fn alu_register_immediate() {
    let mut asm = Assembler::new();
    for op in AluOp::ALL {
        for size in SIZES {
            for dst in gprs() {
                for &v in imms(size) {
                    check(
                        &mut asm,
                        |a| a.alu(op, size, dst, v),
                        alu_mnemonic(op),
                        &[r(dst, size), imm(v.into(), size.bits())],
                    );
                }
            }
        }
    }
}

/// Immediates use the sign-extended imm8 form when they fit, and `rax` the
/// ModRM-less accumulator form when that is shorter.
#[test]
fn alu_immediate_lengths() {
    let len = |size: Size, dst, v: i32| {
        let mut asm = Assembler::new();
        asm.add(size, dst, v);
        asm.offset()
    };
    assert_eq!(len(Size::S32, RCX, 127), 3); // 83 /0 ib
    assert_eq!(len(Size::S32, RCX, -128), 3);
    assert_eq!(len(Size::S32, RCX, 128), 6); // 81 /0 id
    assert_eq!(len(Size::S32, RAX, 1), 3); // 83 c0 01
    assert_eq!(len(Size::S32, RAX, 128), 5); // 05 id
    assert_eq!(len(Size::S64, RAX, 128), 6); // REX.W 05 id
    assert_eq!(len(Size::S64, R9, 128), 7); // REX.WB 81 /0 id
    assert_eq!(len(Size::S16, RCX, 128), 5); // 66 81 /0 iw
    assert_eq!(len(Size::S16, RAX, 128), 4); // 66 05 iw
    assert_eq!(len(Size::S8, RAX, 1), 2); // 04 ib
    assert_eq!(len(Size::S8, RSI, 1), 4); // REX 80 /0 ib (sil)
}

#[test]
fn alu_memory_destination() {
    let mut asm = Assembler::new();
    for op in AluOp::ALL {
        for size in SIZES {
            for (k, amode) in amodes().into_iter().enumerate() {
                let src = gprs().nth(k % 16).unwrap();
                let bytes = size.bytes() as usize;
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::AluStore {
                            op,
                            size,
                            dst: amode,
                            src: RegImm::Reg(src.into()),
                        })
                    },
                    alu_mnemonic(op),
                    &[m(amode, bytes), r(src, size)],
                );
                let v = imms(size)[k % imms(size).len()];
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::AluStore {
                            op,
                            size,
                            dst: amode,
                            src: RegImm::Imm(v),
                        })
                    },
                    alu_mnemonic(op),
                    &[m(amode, bytes), imm(v.into(), size.bits())],
                );
            }
            // RIP-relative destinations with imm8 and full-width immediates.
            for &v in imms(size) {
                let amode = rip(&mut asm, 4);
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::AluStore {
                            op,
                            size,
                            dst: amode,
                            src: RegImm::Imm(v),
                        })
                    },
                    alu_mnemonic(op),
                    &[m(amode, size.bytes() as usize), imm(v.into(), size.bits())],
                );
            }
        }
    }
    // The named helpers the compilers use for fuel and stack checks.
    check(
        &mut asm,
        |a| a.sub_mem(Size::S64, Amode::base_disp(RDI, 0x40), 1),
        Mnemonic::Sub,
        &[m(Amode::base_disp(RDI, 0x40), 8), imm(1, 64)],
    );
    check(
        &mut asm,
        |a| a.cmp(Size::S64, RSP, Amode::base_disp(RDI, 8)),
        Mnemonic::Cmp,
        &[r(RSP, Size::S64), m(Amode::base_disp(RDI, 8), 8)],
    );
}

#[test]
fn test_instruction() {
    let mut asm = Assembler::new();
    for size in SIZES {
        let bytes = size.bytes() as usize;
        for lhs in gprs() {
            for rhs in gprs() {
                check(
                    &mut asm,
                    |a| a.test(size, lhs, rhs),
                    Mnemonic::Test,
                    &[r(lhs, size), r(rhs, size)],
                );
            }
            for &v in imms(size) {
                check(
                    &mut asm,
                    |a| a.test(size, lhs, v),
                    Mnemonic::Test,
                    &[r(lhs, size), imm(v.into(), size.bits())],
                );
            }
        }
        for (k, amode) in amodes().into_iter().enumerate() {
            let reg = gprs().nth(k % 16).unwrap();
            check(
                &mut asm,
                |a| a.test(size, amode, reg),
                Mnemonic::Test,
                &[m(amode, bytes), r(reg, size)],
            );
            let v = imms(size)[k % imms(size).len()];
            check(
                &mut asm,
                |a| a.test(size, amode, v),
                Mnemonic::Test,
                &[m(amode, bytes), imm(v.into(), size.bits())],
            );
        }
        let amode = rip(&mut asm, 0);
        check(
            &mut asm,
            |a| a.test(size, amode, -1),
            Mnemonic::Test,
            &[m(amode, bytes), imm(-1, size.bits())],
        );
    }
}

#[test]
fn not_and_neg() {
    let mut asm = Assembler::new();
    for (op, mnemonic) in [(UnaryOp::Not, Mnemonic::Not), (UnaryOp::Neg, Mnemonic::Neg)] {
        for size in SIZES {
            for dst in gprs() {
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::Unary {
                            op,
                            size,
                            dst: dst.into(),
                        })
                    },
                    mnemonic,
                    &[r(dst, size)],
                );
            }
        }
    }
}

#[test]
fn imul_two_and_three_operands() {
    let mut asm = Assembler::new();
    for size in WIDE_SIZES {
        let bytes = size.bytes() as usize;
        for dst in gprs() {
            for src in gprs() {
                check(
                    &mut asm,
                    |a| a.imul(size, dst, src),
                    Mnemonic::Imul,
                    &[r(dst, size), r(src, size)],
                );
                let v = imms(size)[(dst.hw_enc() + src.hw_enc()) as usize % imms(size).len()];
                check(
                    &mut asm,
                    |a| a.imul_imm(size, dst, src, v),
                    Mnemonic::Imul,
                    &[r(dst, size), r(src, size), imm(v.into(), size.bits())],
                );
            }
        }
        for (k, amode) in amodes().into_iter().enumerate() {
            let dst = gprs().nth(k % 16).unwrap();
            check(
                &mut asm,
                |a| a.imul(size, dst, amode),
                Mnemonic::Imul,
                &[r(dst, size), m(amode, bytes)],
            );
            let v = imms(size)[k % imms(size).len()];
            check(
                &mut asm,
                |a| a.imul_imm(size, dst, amode, v),
                Mnemonic::Imul,
                &[r(dst, size), m(amode, bytes), imm(v.into(), size.bits())],
            );
        }
        for &v in imms(size) {
            let amode = rip(&mut asm, 16);
            check(
                &mut asm,
                |a| a.imul_imm(size, R8, amode, v),
                Mnemonic::Imul,
                &[r(R8, size), m(amode, bytes), imm(v.into(), size.bits())],
            );
        }
    }
}

#[test]
fn mul_and_divide() {
    let mut asm = Assembler::new();
    for (op, mnemonic) in [
        (MulDivOp::Mul, Mnemonic::Mul),
        (MulDivOp::Div, Mnemonic::Div),
        (MulDivOp::Idiv, Mnemonic::Idiv),
    ] {
        for size in SIZES {
            for src in gprs() {
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::MulDiv {
                            op,
                            size,
                            src: src.into(),
                        })
                    },
                    mnemonic,
                    &[r(src, size)],
                );
            }
            for amode in amodes() {
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::MulDiv {
                            op,
                            size,
                            src: amode.into(),
                        })
                    },
                    mnemonic,
                    &[m(amode, size.bytes() as usize)],
                );
            }
        }
    }
}

#[test]
fn sign_extend_into_rdx() {
    let mut asm = Assembler::new();
    check(
        &mut asm,
        |a| a.emit(Inst::SignExtendAx { size: Size::S16 }),
        Mnemonic::Cwd,
        &[],
    );
    check(&mut asm, |a| a.cdq(), Mnemonic::Cdq, &[]);
    check(&mut asm, |a| a.cqo(), Mnemonic::Cqo, &[]);
}

/// `RegMemImm` conversions used by the `Assembler` methods.
#[test]
fn operand_conversions() {
    let mut asm = Assembler::new();
    asm.add(Size::S64, RAX, RegMemImm::Imm(5));
    asm.add(Size::S64, RAX, 5);
    asm.add(Size::S64, RAX, RBX);
    asm.add(Size::S64, RAX, Amode::base_disp(RBX, 0));
    let code = asm.finish().unwrap().code.to_vec();
    let insts = decode_all(&code);
    assert_eq!(insts.len(), 4);
    assert_eq!(insts[0].len(), 4);
    assert_eq!(&code[..4], &code[4..8]);
}
