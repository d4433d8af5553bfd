//! Encoding tests: the scalar SSE/SSE4.1 float set.

mod common;

use common::*;
use iced_x86::Mnemonic;
use tern_asm::{Assembler, FloatCmp, FloatSize, Inst, RoundMode, Size, SseOp};

const FLOAT_SIZES: [FloatSize; 2] = [FloatSize::F32, FloatSize::F64];

#[test]
fn movss_movsd_register_load_store() {
    let mut asm = Assembler::new();
    for size in FLOAT_SIZES {
        let mnemonic = if size == FloatSize::F32 {
            Mnemonic::Movss
        } else {
            Mnemonic::Movsd
        };
        let bytes = fbytes(size);
        for dst in xmms() {
            for src in xmms() {
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::XmmMov {
                            size,
                            dst: dst.into(),
                            src: src.into(),
                        })
                    },
                    mnemonic,
                    &[x(dst), x(src)],
                );
            }
        }
        for (k, amode) in amodes().into_iter().enumerate() {
            let reg = xmms().nth(k % 16).unwrap();
            check(
                &mut asm,
                |a| {
                    a.emit(Inst::XmmMov {
                        size,
                        dst: reg.into(),
                        src: amode.into(),
                    })
                },
                mnemonic,
                &[x(reg), m(amode, bytes)],
            );
            check(
                &mut asm,
                |a| {
                    a.emit(Inst::XmmStore {
                        size,
                        dst: amode,
                        src: reg.into(),
                    })
                },
                mnemonic,
                &[m(amode, bytes), x(reg)],
            );
        }
        let amode = rip(&mut asm, 0);
        check(
            &mut asm,
            |a| {
                a.emit(Inst::XmmMov {
                    size,
                    dst: tern_asm::regs::XMM14.into(),
                    src: amode.into(),
                })
            },
            mnemonic,
            &[x(tern_asm::regs::XMM14), m(amode, bytes)],
        );
    }
}

#[test]
fn movaps_register_copy() {
    let mut asm = Assembler::new();
    for dst in xmms() {
        for src in xmms() {
            check(
                &mut asm,
                |a| a.movaps(dst, src),
                Mnemonic::Movaps,
                &[x(dst), x(src)],
            );
        }
    }
}

#[test]
fn movd_movq_between_gpr_and_xmm() {
    let mut asm = Assembler::new();
    for (size, mnemonic) in [(Size::S32, Mnemonic::Movd), (Size::S64, Mnemonic::Movq)] {
        for xr in xmms() {
            for gr in gprs() {
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::GprToXmm {
                            size,
                            dst: xr.into(),
                            src: gr.into(),
                        })
                    },
                    mnemonic,
                    &[x(xr), r(gr, size)],
                );
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::XmmToGpr {
                            size,
                            dst: gr.into(),
                            src: xr.into(),
                        })
                    },
                    mnemonic,
                    &[r(gr, size), x(xr)],
                );
            }
        }
        for (k, amode) in amodes().into_iter().enumerate() {
            let xr = xmms().nth(k % 16).unwrap();
            check(
                &mut asm,
                |a| {
                    a.emit(Inst::GprToXmm {
                        size,
                        dst: xr.into(),
                        src: amode.into(),
                    })
                },
                mnemonic,
                &[x(xr), m(amode, size.bytes() as usize)],
            );
        }
    }
}

fn sse_expectation(op: SseOp) -> (Mnemonic, usize) {
    match op {
        SseOp::Addss => (Mnemonic::Addss, 4),
        SseOp::Addsd => (Mnemonic::Addsd, 8),
        SseOp::Subss => (Mnemonic::Subss, 4),
        SseOp::Subsd => (Mnemonic::Subsd, 8),
        SseOp::Mulss => (Mnemonic::Mulss, 4),
        SseOp::Mulsd => (Mnemonic::Mulsd, 8),
        SseOp::Divss => (Mnemonic::Divss, 4),
        SseOp::Divsd => (Mnemonic::Divsd, 8),
        SseOp::Sqrtss => (Mnemonic::Sqrtss, 4),
        SseOp::Sqrtsd => (Mnemonic::Sqrtsd, 8),
        SseOp::Minss => (Mnemonic::Minss, 4),
        SseOp::Minsd => (Mnemonic::Minsd, 8),
        SseOp::Maxss => (Mnemonic::Maxss, 4),
        SseOp::Maxsd => (Mnemonic::Maxsd, 8),
        SseOp::Andps => (Mnemonic::Andps, 16),
        SseOp::Andpd => (Mnemonic::Andpd, 16),
        SseOp::Andnps => (Mnemonic::Andnps, 16),
        SseOp::Orps => (Mnemonic::Orps, 16),
        SseOp::Xorps => (Mnemonic::Xorps, 16),
        SseOp::Cvtss2sd => (Mnemonic::Cvtss2sd, 4),
        SseOp::Cvtsd2ss => (Mnemonic::Cvtsd2ss, 8),
    }
}

#[test]
fn sse_arithmetic_logic_and_conversions() {
    let mut asm = Assembler::new();
    for op in SseOp::ALL {
        let (mnemonic, bytes) = sse_expectation(op);
        for dst in xmms() {
            for src in xmms() {
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::Sse {
                            op,
                            dst: dst.into(),
                            src: src.into(),
                        })
                    },
                    mnemonic,
                    &[x(dst), x(src)],
                );
            }
        }
        for (k, amode) in amodes().into_iter().enumerate() {
            let dst = xmms().nth(k % 16).unwrap();
            check(
                &mut asm,
                |a| {
                    a.emit(Inst::Sse {
                        op,
                        dst: dst.into(),
                        src: amode.into(),
                    })
                },
                mnemonic,
                &[x(dst), m(amode, bytes)],
            );
        }
        let amode = rip(&mut asm, 0);
        check(
            &mut asm,
            |a| {
                a.emit(Inst::Sse {
                    op,
                    dst: tern_asm::regs::XMM3.into(),
                    src: amode.into(),
                })
            },
            mnemonic,
            &[x(tern_asm::regs::XMM3), m(amode, bytes)],
        );
    }
}

#[test]
fn unordered_compares() {
    let mut asm = Assembler::new();
    for (size, mnemonic) in [
        (FloatSize::F32, Mnemonic::Ucomiss),
        (FloatSize::F64, Mnemonic::Ucomisd),
    ] {
        for lhs in xmms() {
            for rhs in xmms() {
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::Ucomis {
                            size,
                            lhs: lhs.into(),
                            rhs: rhs.into(),
                        })
                    },
                    mnemonic,
                    &[x(lhs), x(rhs)],
                );
            }
        }
        for (k, amode) in amodes().into_iter().enumerate() {
            let lhs = xmms().nth(k % 16).unwrap();
            check(
                &mut asm,
                |a| {
                    a.emit(Inst::Ucomis {
                        size,
                        lhs: lhs.into(),
                        rhs: amode.into(),
                    })
                },
                mnemonic,
                &[x(lhs), m(amode, fbytes(size))],
            );
        }
    }
}

#[test]
fn integer_float_conversions() {
    let mut asm = Assembler::new();
    for float in FLOAT_SIZES {
        let (to_float, to_int) = match float {
            FloatSize::F32 => (Mnemonic::Cvtsi2ss, Mnemonic::Cvttss2si),
            FloatSize::F64 => (Mnemonic::Cvtsi2sd, Mnemonic::Cvttsd2si),
        };
        for int in [Size::S32, Size::S64] {
            for xr in xmms() {
                for gr in gprs() {
                    check(
                        &mut asm,
                        |a| {
                            a.emit(Inst::CvtIntToFloat {
                                float,
                                int,
                                dst: xr.into(),
                                src: gr.into(),
                            })
                        },
                        to_float,
                        &[x(xr), r(gr, int)],
                    );
                    check(
                        &mut asm,
                        |a| {
                            a.emit(Inst::CvtFloatToInt {
                                float,
                                int,
                                dst: gr.into(),
                                src: xr.into(),
                            })
                        },
                        to_int,
                        &[r(gr, int), x(xr)],
                    );
                }
            }
            for (k, amode) in amodes().into_iter().enumerate() {
                let (xr, gr) = (xmms().nth(k % 16).unwrap(), gprs().nth(k % 16).unwrap());
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::CvtIntToFloat {
                            float,
                            int,
                            dst: xr.into(),
                            src: amode.into(),
                        })
                    },
                    to_float,
                    &[x(xr), m(amode, int.bytes() as usize)],
                );
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::CvtFloatToInt {
                            float,
                            int,
                            dst: gr.into(),
                            src: amode.into(),
                        })
                    },
                    to_int,
                    &[r(gr, int), m(amode, fbytes(float))],
                );
            }
        }
    }
}

#[test]
fn round_with_every_mode() {
    let mut asm = Assembler::new();
    let modes = [
        RoundMode::Nearest,
        RoundMode::Down,
        RoundMode::Up,
        RoundMode::Zero,
    ];
    for (size, mnemonic) in [
        (FloatSize::F32, Mnemonic::Roundss),
        (FloatSize::F64, Mnemonic::Roundsd),
    ] {
        for mode in modes {
            for dst in xmms() {
                for src in xmms() {
                    check(
                        &mut asm,
                        |a| {
                            a.emit(Inst::Round {
                                size,
                                mode,
                                dst: dst.into(),
                                src: src.into(),
                            })
                        },
                        mnemonic,
                        &[x(dst), x(src), imm(mode as i64, 8)],
                    );
                }
            }
            for (k, amode) in amodes().into_iter().enumerate() {
                let dst = xmms().nth(k % 16).unwrap();
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::Round {
                            size,
                            mode,
                            dst: dst.into(),
                            src: amode.into(),
                        })
                    },
                    mnemonic,
                    &[x(dst), m(amode, fbytes(size)), imm(mode as i64, 8)],
                );
            }
            // RIP-relative with the trailing immediate.
            let amode = rip(&mut asm, 0);
            check(
                &mut asm,
                |a| {
                    a.emit(Inst::Round {
                        size,
                        mode,
                        dst: tern_asm::regs::XMM9.into(),
                        src: amode.into(),
                    })
                },
                mnemonic,
                &[
                    x(tern_asm::regs::XMM9),
                    m(amode, fbytes(size)),
                    imm(mode as i64, 8),
                ],
            );
        }
    }
}

#[test]
fn compare_with_every_predicate() {
    let preds = [
        FloatCmp::Eq,
        FloatCmp::Lt,
        FloatCmp::Le,
        FloatCmp::Unord,
        FloatCmp::Neq,
        FloatCmp::Nlt,
        FloatCmp::Nle,
        FloatCmp::Ord,
    ];
    let mut asm = Assembler::new();
    for (size, mnemonic) in [
        (FloatSize::F32, Mnemonic::Cmpss),
        (FloatSize::F64, Mnemonic::Cmpsd),
    ] {
        for pred in preds {
            for dst in xmms() {
                for src in xmms() {
                    check(
                        &mut asm,
                        |a| {
                            a.emit(Inst::XmmCmp {
                                size,
                                pred,
                                dst: dst.into(),
                                src: src.into(),
                            })
                        },
                        mnemonic,
                        &[x(dst), x(src), imm(pred as i64, 8)],
                    );
                }
            }
            for (k, amode) in amodes().into_iter().enumerate().step_by(3) {
                let dst = xmms().nth(k % 16).unwrap();
                check(
                    &mut asm,
                    |a| {
                        a.emit(Inst::XmmCmp {
                            size,
                            pred,
                            dst: dst.into(),
                            src: amode.into(),
                        })
                    },
                    mnemonic,
                    &[x(dst), m(amode, fbytes(size)), imm(pred as i64, 8)],
                );
            }
            let amode = rip(&mut asm, 0);
            check(
                &mut asm,
                |a| {
                    a.emit(Inst::XmmCmp {
                        size,
                        pred,
                        dst: tern_asm::regs::XMM0.into(),
                        src: amode.into(),
                    })
                },
                mnemonic,
                &[
                    x(tern_asm::regs::XMM0),
                    m(amode, fbytes(size)),
                    imm(pred as i64, 8),
                ],
            );
        }
    }
}

/// The `Assembler` methods produce the same bytes as the `Inst` forms.
#[test]
fn assembler_methods_match_inst_forms() {
    use tern_asm::regs::*;
    let mut a = Assembler::new();
    a.addss(XMM1, XMM2);
    a.sqrtsd(XMM8, XMM15);
    a.cvtsi2sd(Size::S64, XMM3, RAX);
    a.cvttss2si(Size::S32, R9, XMM4);
    a.roundsd(XMM5, XMM6, RoundMode::Zero);
    a.cmpss(XMM7, XMM0, FloatCmp::Le);
    a.ucomisd(XMM10, XMM11);
    a.movq_to_xmm(XMM12, R13);
    a.movd_from_xmm(R14, XMM13);
    let by_methods = a.finish().unwrap().code.to_vec();
    let mut b = Assembler::new();
    for inst in [
        Inst::Sse {
            op: SseOp::Addss,
            dst: XMM1.into(),
            src: XMM2.into(),
        },
        Inst::Sse {
            op: SseOp::Sqrtsd,
            dst: XMM8.into(),
            src: XMM15.into(),
        },
        Inst::CvtIntToFloat {
            float: FloatSize::F64,
            int: Size::S64,
            dst: XMM3.into(),
            src: RAX.into(),
        },
        Inst::CvtFloatToInt {
            float: FloatSize::F32,
            int: Size::S32,
            dst: R9.into(),
            src: XMM4.into(),
        },
        Inst::Round {
            size: FloatSize::F64,
            mode: RoundMode::Zero,
            dst: XMM5.into(),
            src: XMM6.into(),
        },
        Inst::XmmCmp {
            size: FloatSize::F32,
            pred: FloatCmp::Le,
            dst: XMM7.into(),
            src: XMM0.into(),
        },
        Inst::Ucomis {
            size: FloatSize::F64,
            lhs: XMM10.into(),
            rhs: XMM11.into(),
        },
        Inst::GprToXmm {
            size: Size::S64,
            dst: XMM12.into(),
            src: R13.into(),
        },
        Inst::XmmToGpr {
            size: Size::S32,
            dst: R14.into(),
            src: XMM13.into(),
        },
    ] {
        b.emit(inst);
    }
    assert_eq!(by_methods, b.finish().unwrap().code);
    assert_eq!(decode_all(&by_methods).len(), 9);
}
