//! The `Assembler` methods call the per-form encoders directly instead of
//! building an `Inst` (for speed); this checks that every method emits
//! exactly the bytes of the `Inst` it stands for, over registers that
//! exercise REX and byte-register rules, every size and a spread of
//! addresses. (The encoding tests check the `Inst` side against a decoder.)

mod common;

use common::{SIZES, WIDE_SIZES, amodes, gprs, xmms};
use tern_asm::regs::{R9, RSI};
use tern_asm::{
    AluOp, Amode, Assembler, BitOp, CallRegs, Cond, ExtMode, FloatCmp, FloatSize, Inst, MulDivOp,
    PReg, RegClass, RegMem, RelocTarget, RoundMode, ShiftAmount, ShiftOp, Size, SseOp, UnaryOp,
};

/// Emits `by_method` and `inst` into fresh buffers and compares the bytes.
fn same(by_method: impl FnOnce(&mut Assembler), inst: Inst) {
    let mut a = Assembler::new();
    by_method(&mut a);
    let mut b = Assembler::new();
    b.emit(inst);
    let (a, b) = (
        a.finish().unwrap().code.to_vec(),
        b.finish().unwrap().code.to_vec(),
    );
    assert_eq!(a, b, "{inst:?}");
}

/// Every seventh of the encoding tests' addresses (bases with and without
/// SIB, all displacement widths, indexes). RIP-relative ones are left out:
/// their labels would differ between the two assemblers.
fn some_amodes() -> Vec<Amode> {
    amodes().into_iter().step_by(7).collect()
}

#[test]
fn integer_methods_match_inst() {
    let addrs = some_amodes();
    for size in SIZES {
        for d in gprs() {
            for s in gprs().step_by(3) {
                same(
                    |a| a.mov_rm(size, d, s),
                    Inst::Mov {
                        size,
                        dst: d.into(),
                        src: RegMem::Reg(s.into()),
                    },
                );
                same(
                    |a| a.test(size, d, s),
                    Inst::Test {
                        size,
                        lhs: RegMem::Reg(d.into()),
                        rhs: s.into(),
                    },
                );
                for op in AluOp::ALL {
                    same(
                        |a| a.alu(op, size, d, s),
                        Inst::Alu {
                            op,
                            size,
                            dst: d.into(),
                            src: s.into(),
                        },
                    );
                }
            }
            for imm in [0, 1, -1, 127, -128, 255] {
                same(
                    |a| a.add(size, d, imm),
                    Inst::Alu {
                        op: AluOp::Add,
                        size,
                        dst: d.into(),
                        src: imm.into(),
                    },
                );
                same(
                    |a| a.cmp(size, d, imm),
                    Inst::Alu {
                        op: AluOp::Cmp,
                        size,
                        dst: d.into(),
                        src: imm.into(),
                    },
                );
                same(
                    |a| a.test(size, d, imm),
                    Inst::Test {
                        size,
                        lhs: RegMem::Reg(d.into()),
                        rhs: imm.into(),
                    },
                );
            }
            for imm in [0u64, 0x7f, 0xffff_ffff, u64::MAX, 1 << 40] {
                same(
                    |a| a.mov_ri(size, d, imm),
                    Inst::MovImm {
                        size,
                        dst: d.into(),
                        imm,
                    },
                );
            }
            same(
                |a| a.neg(size, d),
                Inst::Unary {
                    op: UnaryOp::Neg,
                    size,
                    dst: d.into(),
                },
            );
            same(
                |a| a.not(size, d),
                Inst::Unary {
                    op: UnaryOp::Not,
                    size,
                    dst: d.into(),
                },
            );
            for (op, method) in [
                (
                    MulDivOp::Mul,
                    (|a, s, r| a.mul(s, r)) as fn(&mut Assembler, Size, RegMem),
                ),
                (MulDivOp::Div, |a, s, r| a.div(s, r)),
                (MulDivOp::Idiv, |a, s, r| a.idiv(s, r)),
            ] {
                same(
                    |a| method(a, size, RegMem::Reg(d.into())),
                    Inst::MulDiv {
                        op,
                        size,
                        src: RegMem::Reg(d.into()),
                    },
                );
            }
            for amount in [ShiftAmount::Cl, ShiftAmount::Imm(1), ShiftAmount::Imm(5)] {
                for (op, method) in [
                    (
                        ShiftOp::Shl,
                        (|a, s, d, n| a.shl(s, d, n))
                            as fn(&mut Assembler, Size, PReg, ShiftAmount),
                    ),
                    (ShiftOp::Shr, |a, s, d, n| a.shr(s, d, n)),
                    (ShiftOp::Sar, |a, s, d, n| a.sar(s, d, n)),
                    (ShiftOp::Rol, |a, s, d, n| a.rol(s, d, n)),
                    (ShiftOp::Ror, |a, s, d, n| a.ror(s, d, n)),
                ] {
                    same(
                        |a| method(a, size, d, amount),
                        Inst::Shift {
                            op,
                            size,
                            dst: d.into(),
                            amount,
                        },
                    );
                }
            }
            for &addr in &addrs {
                same(
                    |a| a.mov_rm(size, d, addr),
                    Inst::Mov {
                        size,
                        dst: d.into(),
                        src: RegMem::Mem(addr),
                    },
                );
                same(
                    |a| a.mov_mr(size, addr, d),
                    Inst::MovStore {
                        size,
                        dst: addr,
                        src: d.into(),
                    },
                );
                same(
                    |a| a.sub_mem(size, addr, d),
                    Inst::AluStore {
                        op: AluOp::Sub,
                        size,
                        dst: addr,
                        src: d.into(),
                    },
                );
                same(
                    |a| a.xor(size, d, addr),
                    Inst::Alu {
                        op: AluOp::Xor,
                        size,
                        dst: d.into(),
                        src: addr.into(),
                    },
                );
            }
        }
        for &addr in &addrs {
            same(
                |a| a.mov_mi(size, addr, -3),
                Inst::MovImmStore {
                    size,
                    dst: addr,
                    imm: -3,
                },
            );
            same(
                |a| a.cmp_mem(size, addr, 100),
                Inst::AluStore {
                    op: AluOp::Cmp,
                    size,
                    dst: addr,
                    src: 100.into(),
                },
            );
        }
    }
}

#[test]
fn wide_and_extension_methods_match_inst() {
    let addrs = some_amodes();
    for size in WIDE_SIZES {
        for d in gprs() {
            for s in gprs().step_by(5) {
                same(
                    |a| a.imul(size, d, s),
                    Inst::Imul {
                        size,
                        dst: d.into(),
                        src: s.into(),
                    },
                );
                same(
                    |a| a.imul_imm(size, d, s, 1000),
                    Inst::ImulImm {
                        size,
                        dst: d.into(),
                        src: s.into(),
                        imm: 1000,
                    },
                );
                same(
                    |a| a.cmov(Cond::L, size, d, s),
                    Inst::Cmov {
                        cond: Cond::L,
                        size,
                        dst: d.into(),
                        src: s.into(),
                    },
                );
                for op in [
                    BitOp::Bsf,
                    BitOp::Bsr,
                    BitOp::Lzcnt,
                    BitOp::Tzcnt,
                    BitOp::Popcnt,
                ] {
                    same(
                        |a| a.bit_op(op, size, d, s),
                        Inst::BitOp {
                            op,
                            size,
                            dst: d.into(),
                            src: s.into(),
                        },
                    );
                }
            }
            for &addr in &addrs {
                same(
                    |a| a.lea(size, d, addr),
                    Inst::Lea {
                        size,
                        dst: d.into(),
                        addr,
                    },
                );
            }
        }
    }
    let exts = [
        ExtMode::BW,
        ExtMode::BL,
        ExtMode::BQ,
        ExtMode::WL,
        ExtMode::WQ,
        ExtMode::LQ,
    ];
    for ext in exts {
        for d in gprs() {
            for s in gprs().step_by(3) {
                same(
                    |a| a.movzx(ext, d, s),
                    Inst::Movzx {
                        ext,
                        dst: d.into(),
                        src: s.into(),
                    },
                );
                same(
                    |a| a.movsx(ext, d, s),
                    Inst::Movsx {
                        ext,
                        dst: d.into(),
                        src: s.into(),
                    },
                );
            }
        }
    }
    for d in gprs() {
        for cond in Cond::ALL {
            same(
                |a| a.setcc(cond, d),
                Inst::Setcc {
                    cond,
                    dst: d.into(),
                },
            );
        }
        same(|a| a.push(d), Inst::Push { src: d.into() });
        same(|a| a.pop(d), Inst::Pop { dst: d.into() });
        same(|a| a.jmp_reg(d), Inst::JmpReg { target: d.into() });
        same(
            |a| a.call_ind(d),
            Inst::CallInd {
                target: d.into(),
                regs: CallRegs::NONE,
            },
        );
    }
    same(|a| a.cdq(), Inst::SignExtendAx { size: Size::S32 });
    same(|a| a.cqo(), Inst::SignExtendAx { size: Size::S64 });
    same(|a| a.ret(), Inst::Ret);
    same(|a| a.ud2(), Inst::Ud2);
    same(|a| a.nop(13), Inst::Nop { len: 13 });
    same(
        |a| a.call(RelocTarget::Function(3)),
        Inst::Call {
            target: RelocTarget::Function(3),
            regs: CallRegs::NONE,
        },
    );
}

#[test]
fn sse_methods_match_inst() {
    let addrs = some_amodes();
    type Method = fn(&mut Assembler, tern_asm::Reg, RegMem);
    let ops: [(SseOp, Method); 21] = [
        (SseOp::Addss, |a, d, s| a.addss(d, s)),
        (SseOp::Addsd, |a, d, s| a.addsd(d, s)),
        (SseOp::Subss, |a, d, s| a.subss(d, s)),
        (SseOp::Subsd, |a, d, s| a.subsd(d, s)),
        (SseOp::Mulss, |a, d, s| a.mulss(d, s)),
        (SseOp::Mulsd, |a, d, s| a.mulsd(d, s)),
        (SseOp::Divss, |a, d, s| a.divss(d, s)),
        (SseOp::Divsd, |a, d, s| a.divsd(d, s)),
        (SseOp::Sqrtss, |a, d, s| a.sqrtss(d, s)),
        (SseOp::Sqrtsd, |a, d, s| a.sqrtsd(d, s)),
        (SseOp::Minss, |a, d, s| a.minss(d, s)),
        (SseOp::Minsd, |a, d, s| a.minsd(d, s)),
        (SseOp::Maxss, |a, d, s| a.maxss(d, s)),
        (SseOp::Maxsd, |a, d, s| a.maxsd(d, s)),
        (SseOp::Andps, |a, d, s| a.andps(d, s)),
        (SseOp::Andpd, |a, d, s| a.andpd(d, s)),
        (SseOp::Andnps, |a, d, s| a.andnps(d, s)),
        (SseOp::Orps, |a, d, s| a.orps(d, s)),
        (SseOp::Xorps, |a, d, s| a.xorps(d, s)),
        (SseOp::Cvtss2sd, |a, d, s| a.cvtss2sd(d, s)),
        (SseOp::Cvtsd2ss, |a, d, s| a.cvtsd2ss(d, s)),
    ];
    let srcs = |x: PReg| {
        std::iter::once(RegMem::Reg(x.into())).chain(addrs.iter().map(|&m| RegMem::Mem(m)))
    };
    for d in xmms() {
        // A different register on the other side of the REX boundary.
        let x = PReg::new(RegClass::Float, 15 - d.hw_enc());
        for src in srcs(x) {
            for (op, method) in ops {
                same(
                    |a| method(a, d.into(), src),
                    Inst::Sse {
                        op,
                        dst: d.into(),
                        src,
                    },
                );
            }
            same(
                |a| a.movss(d, src),
                Inst::XmmMov {
                    size: FloatSize::F32,
                    dst: d.into(),
                    src,
                },
            );
            same(
                |a| a.movsd(d, src),
                Inst::XmmMov {
                    size: FloatSize::F64,
                    dst: d.into(),
                    src,
                },
            );
            same(
                |a| a.ucomiss(d, src),
                Inst::Ucomis {
                    size: FloatSize::F32,
                    lhs: d.into(),
                    rhs: src,
                },
            );
            same(
                |a| a.ucomisd(d, src),
                Inst::Ucomis {
                    size: FloatSize::F64,
                    lhs: d.into(),
                    rhs: src,
                },
            );
            same(
                |a| a.roundss(d, src, RoundMode::Up),
                Inst::Round {
                    size: FloatSize::F32,
                    mode: RoundMode::Up,
                    dst: d.into(),
                    src,
                },
            );
            same(
                |a| a.roundsd(d, src, RoundMode::Zero),
                Inst::Round {
                    size: FloatSize::F64,
                    mode: RoundMode::Zero,
                    dst: d.into(),
                    src,
                },
            );
            same(
                |a| a.cmpss(d, src, FloatCmp::Le),
                Inst::XmmCmp {
                    size: FloatSize::F32,
                    pred: FloatCmp::Le,
                    dst: d.into(),
                    src,
                },
            );
            same(
                |a| a.cmpsd(d, src, FloatCmp::Nlt),
                Inst::XmmCmp {
                    size: FloatSize::F64,
                    pred: FloatCmp::Nlt,
                    dst: d.into(),
                    src,
                },
            );
            same(
                |a| a.cvttss2si(Size::S64, R9, src),
                Inst::CvtFloatToInt {
                    float: FloatSize::F32,
                    int: Size::S64,
                    dst: R9.into(),
                    src,
                },
            );
            same(
                |a| a.cvttsd2si(Size::S32, RSI, src),
                Inst::CvtFloatToInt {
                    float: FloatSize::F64,
                    int: Size::S32,
                    dst: RSI.into(),
                    src,
                },
            );
        }
        for &addr in &addrs {
            same(
                |a| a.movss_store(addr, d),
                Inst::XmmStore {
                    size: FloatSize::F32,
                    dst: addr,
                    src: d.into(),
                },
            );
            same(
                |a| a.movsd_store(addr, d),
                Inst::XmmStore {
                    size: FloatSize::F64,
                    dst: addr,
                    src: d.into(),
                },
            );
        }
        same(
            |a| a.movaps(d, x),
            Inst::Movaps {
                dst: d.into(),
                src: x.into(),
            },
        );
        for g in gprs() {
            type To = fn(&mut Assembler, PReg, RegMem);
            type From = fn(&mut Assembler, PReg, PReg);
            let forms: [(Size, To, From); 2] = [
                (
                    Size::S32,
                    |a, d, s| a.movd_to_xmm(d, s),
                    |a, d, s| a.movd_from_xmm(d, s),
                ),
                (
                    Size::S64,
                    |a, d, s| a.movq_to_xmm(d, s),
                    |a, d, s| a.movq_from_xmm(d, s),
                ),
            ];
            for (size, to, from) in forms {
                same(
                    |a| to(a, d, RegMem::Reg(g.into())),
                    Inst::GprToXmm {
                        size,
                        dst: d.into(),
                        src: RegMem::Reg(g.into()),
                    },
                );
                same(
                    |a| from(a, g, d),
                    Inst::XmmToGpr {
                        size,
                        dst: g.into(),
                        src: d.into(),
                    },
                );
                same(
                    |a| a.cvtsi2ss(size, d, g),
                    Inst::CvtIntToFloat {
                        float: FloatSize::F32,
                        int: size,
                        dst: d.into(),
                        src: g.into(),
                    },
                );
                same(
                    |a| a.cvtsi2sd(size, d, g),
                    Inst::CvtIntToFloat {
                        float: FloatSize::F64,
                        int: size,
                        dst: d.into(),
                        src: g.into(),
                    },
                );
            }
        }
    }
}
