//! `Inst::operands`: what a register allocator sees, and rewriting virtual
//! registers to physical ones before emission.

use tern_asm::regs::*;
use tern_asm::{
    Amode, CallRegs, Cond, ExtMode, FloatSize, Inst, MulDivOp, OperandKind, OperandVisitor, PReg,
    PRegSet, Reg, RegClass, RegImm, RelocTarget, Scale, ShiftAmount, ShiftOp, Size, SseOp, VReg,
};

/// Records every operand report in order.
#[derive(Default)]
struct Recorder {
    regs: Vec<(Reg, OperandKind)>,
    fixed: Vec<(PReg, OperandKind)>,
    clobbers: PRegSet,
}

impl OperandVisitor for Recorder {
    fn reg(&mut self, reg: &mut Reg, kind: OperandKind) {
        self.regs.push((*reg, kind));
    }
    fn fixed(&mut self, reg: PReg, kind: OperandKind) {
        self.fixed.push((reg, kind));
    }
    fn clobbers(&mut self, regs: PRegSet) {
        self.clobbers = self.clobbers.union(regs);
    }
}

fn operands(mut inst: Inst) -> Recorder {
    let mut r = Recorder::default();
    inst.operands(&mut r);
    r
}

fn v(i: u32) -> Reg {
    VReg::new(RegClass::Int, i).into()
}

fn f(i: u32) -> Reg {
    VReg::new(RegClass::Float, i).into()
}

use OperandKind::{Def, Use, UseDef};

#[test]
fn explicit_operand_kinds() {
    let amode = Amode::base_index(v(1), v(2), Scale::Eight, 16);
    let cases: Vec<(Inst, Vec<(Reg, OperandKind)>)> = vec![
        (
            Inst::Mov {
                size: Size::S64,
                dst: v(0),
                src: v(1).into(),
            },
            vec![(v(1), Use), (v(0), Def)],
        ),
        (
            Inst::Mov {
                size: Size::S32,
                dst: v(0),
                src: amode.into(),
            },
            vec![(v(1), Use), (v(2), Use), (v(0), Def)],
        ),
        (
            Inst::MovStore {
                size: Size::S8,
                dst: amode,
                src: v(3),
            },
            vec![(v(3), Use), (v(1), Use), (v(2), Use)],
        ),
        (
            Inst::Alu {
                op: tern_asm::AluOp::Add,
                size: Size::S32,
                dst: v(0),
                src: v(1).into(),
            },
            vec![(v(1), Use), (v(0), UseDef)],
        ),
        (
            Inst::Alu {
                op: tern_asm::AluOp::Cmp,
                size: Size::S32,
                dst: v(0),
                src: 5.into(),
            },
            vec![(v(0), Use)],
        ),
        (
            Inst::AluStore {
                op: tern_asm::AluOp::Sub,
                size: Size::S64,
                dst: amode,
                src: RegImm::Reg(v(4)),
            },
            vec![(v(4), Use), (v(1), Use), (v(2), Use)],
        ),
        (
            Inst::Lea {
                size: Size::S64,
                dst: v(0),
                addr: amode,
            },
            vec![(v(1), Use), (v(2), Use), (v(0), Def)],
        ),
        (
            Inst::Movzx {
                ext: ExtMode::BL,
                dst: v(0),
                src: v(1).into(),
            },
            vec![(v(1), Use), (v(0), Def)],
        ),
        (
            Inst::Cmov {
                cond: Cond::L,
                size: Size::S64,
                dst: v(0),
                src: v(1).into(),
            },
            vec![(v(1), Use), (v(0), UseDef)],
        ),
        (
            Inst::Setcc {
                cond: Cond::E,
                dst: v(0),
            },
            vec![(v(0), Def)],
        ),
        (
            Inst::Test {
                size: Size::S32,
                lhs: v(0).into(),
                rhs: RegImm::Reg(v(1)),
            },
            vec![(v(0), Use), (v(1), Use)],
        ),
        (Inst::Push { src: v(0) }, vec![(v(0), Use)]),
        (Inst::Pop { dst: v(0) }, vec![(v(0), Def)]),
        (Inst::JmpReg { target: v(0) }, vec![(v(0), Use)]),
        (
            Inst::Sse {
                op: SseOp::Addsd,
                dst: f(0),
                src: f(1).into(),
            },
            vec![(f(1), Use), (f(0), UseDef)],
        ),
        // A movss load writes the whole register; a register movss merges.
        (
            Inst::XmmMov {
                size: FloatSize::F32,
                dst: f(0),
                src: amode.into(),
            },
            vec![(v(1), Use), (v(2), Use), (f(0), Def)],
        ),
        (
            Inst::XmmMov {
                size: FloatSize::F32,
                dst: f(0),
                src: f(1).into(),
            },
            vec![(f(1), Use), (f(0), UseDef)],
        ),
        (
            Inst::Movaps {
                dst: f(0),
                src: f(1),
            },
            vec![(f(1), Use), (f(0), Def)],
        ),
        (
            Inst::CvtFloatToInt {
                float: FloatSize::F64,
                int: Size::S64,
                dst: v(0),
                src: f(1).into(),
            },
            vec![(f(1), Use), (v(0), Def)],
        ),
        (
            Inst::Ucomis {
                size: FloatSize::F64,
                lhs: f(0),
                rhs: f(1).into(),
            },
            vec![(f(0), Use), (f(1), Use)],
        ),
    ];
    for (inst, expected) in cases {
        let r = operands(inst);
        assert_eq!(r.regs, expected, "{inst:?}");
        assert!(r.fixed.is_empty(), "{inst:?}");
    }
}

#[test]
fn implicit_fixed_registers() {
    let r = operands(Inst::MulDiv {
        op: MulDivOp::Div,
        size: Size::S64,
        src: v(0).into(),
    });
    assert_eq!(r.regs, [(v(0), Use)]);
    assert_eq!(r.fixed, [(RAX, UseDef), (RDX, UseDef)]);

    let r = operands(Inst::MulDiv {
        op: MulDivOp::Mul,
        size: Size::S32,
        src: v(0).into(),
    });
    assert_eq!(r.fixed, [(RAX, UseDef), (RDX, Def)]);

    // 8-bit forms use ax only.
    let r = operands(Inst::MulDiv {
        op: MulDivOp::Idiv,
        size: Size::S8,
        src: v(0).into(),
    });
    assert_eq!(r.fixed, [(RAX, UseDef)]);

    let r = operands(Inst::SignExtendAx { size: Size::S64 });
    assert_eq!(r.fixed, [(RAX, Use), (RDX, Def)]);

    let r = operands(Inst::Shift {
        op: ShiftOp::Sar,
        size: Size::S32,
        dst: v(0),
        amount: ShiftAmount::Cl,
    });
    assert_eq!(r.fixed, [(RCX, Use)]);
    assert_eq!(r.regs, [(v(0), UseDef)]);
    let r = operands(Inst::Shift {
        op: ShiftOp::Sar,
        size: Size::S32,
        dst: v(0),
        amount: ShiftAmount::Imm(3),
    });
    assert!(r.fixed.is_empty());
}

#[test]
fn calls_report_argument_result_and_clobbered_registers() {
    let regs = CallRegs {
        uses: PRegSet::of(&[RDI, RSI, XMM0]),
        defs: PRegSet::of(&[RAX]),
        clobbers: PRegSet::of(&[RCX, RDX, R8, R9, R10, R11, XMM1, XMM15]),
    };
    let r = operands(Inst::Call {
        target: RelocTarget::Function(3),
        regs,
    });
    // Sets iterate in register-index order (rsi is 6, rdi 7).
    assert_eq!(r.fixed, [(RSI, Use), (RDI, Use), (XMM0, Use), (RAX, Def)]);
    assert_eq!(r.clobbers, regs.clobbers);
    let r = operands(Inst::CallInd {
        target: v(5).into(),
        regs,
    });
    assert_eq!(r.regs, [(v(5), Use)]);
    assert_eq!(r.clobbers.len(), 8);
}

/// An allocator rewrites virtual registers through the visitor; the result
/// encodes exactly like the instruction written with physical registers.
#[test]
fn rewriting_virtual_registers() {
    struct Allocate;
    impl OperandVisitor for Allocate {
        fn reg(&mut self, reg: &mut Reg, _: OperandKind) {
            let vreg = reg.to_vreg().expect("virtual");
            *reg = PReg::new(vreg.class(), vreg.index() as u8).into();
        }
        fn fixed(&mut self, _: PReg, _: OperandKind) {}
        fn clobbers(&mut self, _: PRegSet) {}
    }
    let mut inst = Inst::Alu {
        op: tern_asm::AluOp::Add,
        size: Size::S64,
        dst: v(12),
        src: Amode::base_index(v(13), v(9), Scale::Two, -7).into(),
    };
    inst.operands(&mut Allocate);
    let expected = Inst::Alu {
        op: tern_asm::AluOp::Add,
        size: Size::S64,
        dst: R12.into(),
        src: Amode::base_index(R13, R9, Scale::Two, -7).into(),
    };
    assert_eq!(inst, expected);
    let (mut a, mut b) = (tern_asm::CodeBuffer::new(), tern_asm::CodeBuffer::new());
    inst.emit(&mut a);
    expected.emit(&mut b);
    assert_eq!(a.data(), b.data());
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "virtual register")]
fn emitting_a_virtual_register_is_caught_in_debug_builds() {
    let mut buf = tern_asm::CodeBuffer::new();
    Inst::Mov {
        size: Size::S64,
        dst: v(0),
        src: RAX.into(),
    }
    .emit(&mut buf);
}

#[test]
fn moves_are_recognized() {
    assert_eq!(
        Inst::Mov {
            size: Size::S64,
            dst: v(0),
            src: v(1).into()
        }
        .as_move(),
        Some((v(0), v(1)))
    );
    assert_eq!(
        Inst::Movaps {
            dst: f(0),
            src: f(1)
        }
        .as_move(),
        Some((f(0), f(1)))
    );
    assert_eq!(
        Inst::Mov {
            size: Size::S32,
            dst: v(0),
            src: v(1).into()
        }
        .as_move(),
        None
    );
    assert_eq!(
        Inst::Mov {
            size: Size::S64,
            dst: v(0),
            src: Amode::base_disp(v(1), 0).into()
        }
        .as_move(),
        None
    );
}
