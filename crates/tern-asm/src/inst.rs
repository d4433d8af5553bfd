//! `Inst`: the x86-64 instructions Tern's compilers use, with typed operands,
//! their register operands for an allocator, and their encodings.

use crate::buffer::{CodeBuffer, Label};
use crate::forms;
use crate::operand::{
    Amode, Cond, ExtMode, FloatSize, RegImm, RegMem, RegMemImm, ShiftAmount, Size,
};
use crate::reg::{PReg, PRegSet, Reg, regs};
use crate::reloc::RelocTarget;

/// The two-operand integer ALU operations, in hardware order (the value is
/// the `/digit` of the immediate forms and bits 3..6 of the register forms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum AluOp {
    /// `add`
    Add = 0,
    /// `or`
    Or = 1,
    /// `adc` (add with carry)
    Adc = 2,
    /// `sbb` (subtract with borrow)
    Sbb = 3,
    /// `and`
    And = 4,
    /// `sub`
    Sub = 5,
    /// `xor`
    Xor = 6,
    /// `cmp` (a `sub` that only sets flags)
    Cmp = 7,
}

impl AluOp {
    /// Every ALU operation.
    pub const ALL: [AluOp; 8] = [
        AluOp::Add,
        AluOp::Or,
        AluOp::Adc,
        AluOp::Sbb,
        AluOp::And,
        AluOp::Sub,
        AluOp::Xor,
        AluOp::Cmp,
    ];

    /// Whether the destination is written (all but `cmp`).
    pub const fn writes_dst(self) -> bool {
        !matches!(self, AluOp::Cmp)
    }

    /// Whether the operation reads the carry flag.
    pub const fn reads_carry(self) -> bool {
        matches!(self, AluOp::Adc | AluOp::Sbb)
    }
}

/// One-operand integer operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum UnaryOp {
    /// `not` (bitwise complement)
    Not = 2,
    /// `neg` (two's-complement negation)
    Neg = 3,
}

/// Widening multiply and divide with implicit `rax`/`rdx` operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MulDivOp {
    /// `mul`: unsigned `rdx:rax = rax * src`.
    Mul = 4,
    /// `div`: unsigned `rax = rdx:rax / src`, `rdx = rdx:rax % src`.
    Div = 6,
    /// `idiv`: signed division, as `div`.
    Idiv = 7,
}

/// Shifts and rotates (the value is the `/digit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ShiftOp {
    /// `rol`
    Rol = 0,
    /// `ror`
    Ror = 1,
    /// `shl`
    Shl = 4,
    /// `shr` (logical)
    Shr = 5,
    /// `sar` (arithmetic)
    Sar = 7,
}

/// Bit scans and counts: `op dst, src` with 16/32/64-bit operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BitOp {
    /// `bsf`: index of the lowest set bit (destination undefined for 0).
    Bsf,
    /// `bsr`: index of the highest set bit (destination undefined for 0).
    Bsr,
    /// `lzcnt` (LZCNT/ABM): leading zero count.
    Lzcnt,
    /// `tzcnt` (BMI1): trailing zero count.
    Tzcnt,
    /// `popcnt` (POPCNT): population count.
    Popcnt,
}

/// Scalar SSE operations of the form `op xmm, xmm/m`, where the destination
/// is also a source (the upper lanes are preserved, and for binary
/// operations the low lane is the left operand).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SseOp {
    /// `addss`
    Addss,
    /// `addsd`
    Addsd,
    /// `subss`
    Subss,
    /// `subsd`
    Subsd,
    /// `mulss`
    Mulss,
    /// `mulsd`
    Mulsd,
    /// `divss`
    Divss,
    /// `divsd`
    Divsd,
    /// `sqrtss` (unary: `dst = sqrt(src)`, upper lanes of `dst` kept)
    Sqrtss,
    /// `sqrtsd`
    Sqrtsd,
    /// `minss` (returns the second operand if either is NaN or both are zero)
    Minss,
    /// `minsd`
    Minsd,
    /// `maxss`
    Maxss,
    /// `maxsd`
    Maxsd,
    /// `andps` (a memory operand must be 16-byte aligned)
    Andps,
    /// `andpd`
    Andpd,
    /// `andnps` (`dst = !dst & src`)
    Andnps,
    /// `orps`
    Orps,
    /// `xorps`
    Xorps,
    /// `cvtss2sd` (unary)
    Cvtss2sd,
    /// `cvtsd2ss` (unary)
    Cvtsd2ss,
}

impl SseOp {
    /// Every operation.
    pub const ALL: [SseOp; 21] = [
        SseOp::Addss,
        SseOp::Addsd,
        SseOp::Subss,
        SseOp::Subsd,
        SseOp::Mulss,
        SseOp::Mulsd,
        SseOp::Divss,
        SseOp::Divsd,
        SseOp::Sqrtss,
        SseOp::Sqrtsd,
        SseOp::Minss,
        SseOp::Minsd,
        SseOp::Maxss,
        SseOp::Maxsd,
        SseOp::Andps,
        SseOp::Andpd,
        SseOp::Andnps,
        SseOp::Orps,
        SseOp::Xorps,
        SseOp::Cvtss2sd,
        SseOp::Cvtsd2ss,
    ];

    /// Whether the result does not depend on the destination's low lane
    /// (`sqrt` and conversions read only `src` there).
    pub const fn is_unary(self) -> bool {
        matches!(
            self,
            SseOp::Sqrtss | SseOp::Sqrtsd | SseOp::Cvtss2sd | SseOp::Cvtsd2ss
        )
    }

    /// Mandatory prefix (0 for none) and opcode byte after `0f`.
    pub(crate) const fn encoding(self) -> (u8, u8) {
        match self {
            SseOp::Addss => (0xf3, 0x58),
            SseOp::Addsd => (0xf2, 0x58),
            SseOp::Subss => (0xf3, 0x5c),
            SseOp::Subsd => (0xf2, 0x5c),
            SseOp::Mulss => (0xf3, 0x59),
            SseOp::Mulsd => (0xf2, 0x59),
            SseOp::Divss => (0xf3, 0x5e),
            SseOp::Divsd => (0xf2, 0x5e),
            SseOp::Sqrtss => (0xf3, 0x51),
            SseOp::Sqrtsd => (0xf2, 0x51),
            SseOp::Minss => (0xf3, 0x5d),
            SseOp::Minsd => (0xf2, 0x5d),
            SseOp::Maxss => (0xf3, 0x5f),
            SseOp::Maxsd => (0xf2, 0x5f),
            SseOp::Andps => (0, 0x54),
            SseOp::Andpd => (0x66, 0x54),
            SseOp::Andnps => (0, 0x55),
            SseOp::Orps => (0, 0x56),
            SseOp::Xorps => (0, 0x57),
            SseOp::Cvtss2sd => (0xf3, 0x5a),
            SseOp::Cvtsd2ss => (0xf2, 0x5a),
        }
    }
}

/// The rounding mode of `roundss`/`roundsd` (the immediate's low two bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum RoundMode {
    /// To nearest, ties to even.
    Nearest = 0,
    /// Toward negative infinity (floor).
    Down = 1,
    /// Toward positive infinity (ceil).
    Up = 2,
    /// Toward zero (trunc).
    Zero = 3,
}

/// The predicate of `cmpss`/`cmpsd` (the immediate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FloatCmp {
    /// Equal (ordered).
    Eq = 0,
    /// Less than (ordered).
    Lt = 1,
    /// Less or equal (ordered).
    Le = 2,
    /// Unordered (either is NaN).
    Unord = 3,
    /// Not equal (or unordered).
    Neq = 4,
    /// Not less than (or unordered).
    Nlt = 5,
    /// Not less or equal (or unordered).
    Nle = 6,
    /// Ordered (neither is NaN).
    Ord = 7,
}

/// The fixed physical registers a call reads, writes and clobbers, as seen
/// by a register allocator. The baseline compiler, which allocates no
/// registers across calls, uses [`CallRegs::NONE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct CallRegs {
    /// Argument registers the callee reads.
    pub uses: PRegSet,
    /// Result registers the callee writes.
    pub defs: PRegSet,
    /// Registers whose value the call destroys (caller-saved, not results).
    pub clobbers: PRegSet,
}

impl CallRegs {
    /// No register information.
    pub const NONE: CallRegs = CallRegs {
        uses: PRegSet::empty(),
        defs: PRegSet::empty(),
        clobbers: PRegSet::empty(),
    };
}

/// How an instruction accesses a register operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperandKind {
    /// Read.
    Use,
    /// Written (after all uses are read).
    Def,
    /// Read, then written in place.
    UseDef,
}

/// Receives an instruction's register operands (see [`Inst::operands`]).
pub trait OperandVisitor {
    /// An explicit register operand, which the visitor may rewrite (e.g. a
    /// virtual register to its allocated physical register).
    fn reg(&mut self, reg: &mut Reg, kind: OperandKind);
    /// An implicit operand fixed to a physical register by the hardware
    /// (`rax`/`rdx` of `mul`/`div`/`cdq`, `rcx` of a shift by `cl`, the
    /// registers of a call).
    fn fixed(&mut self, reg: PReg, kind: OperandKind);
    /// Registers the instruction destroys without producing a value.
    fn clobbers(&mut self, regs: PRegSet);
}

/// An x86-64 instruction with typed operands.
///
/// Sizes are operand sizes; a few forms do not exist at some sizes (noted on
/// the variant) and emitting them panics, as that is a code-generator bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inst {
    /// `mov dst, src`: register move or load.
    Mov { size: Size, dst: Reg, src: RegMem },
    /// `mov [dst], src`: store.
    MovStore { size: Size, dst: Amode, src: Reg },
    /// `mov dst, imm`: the immediate is truncated to `size`. For 64 bits the
    /// shortest encoding is chosen: `mov r32, imm32` (zero-extends) if it
    /// fits 32 unsigned bits, `mov r/m64, simm32` if it fits 32 signed bits,
    /// else `movabs r64, imm64`.
    MovImm { size: Size, dst: Reg, imm: u64 },
    /// `mov [dst], imm` (the immediate sign-extended to 64 bits for `S64`).
    MovImmStore { size: Size, dst: Amode, imm: i32 },
    /// `movzx dst, src` (for `LQ`: `mov r32, r/m32`, which zero-extends).
    Movzx { ext: ExtMode, dst: Reg, src: RegMem },
    /// `movsx dst, src` (for `LQ`: `movsxd`).
    Movsx { ext: ExtMode, dst: Reg, src: RegMem },
    /// `lea dst, [addr]` (16, 32 or 64 bits; a RIP-relative address gives
    /// the address of a label).
    Lea { size: Size, dst: Reg, addr: Amode },
    /// `op dst, src` for the eight ALU operations (`cmp` only reads `dst`).
    Alu {
        op: AluOp,
        size: Size,
        dst: Reg,
        src: RegMemImm,
    },
    /// `op [dst], src`: an ALU operation with a memory destination.
    AluStore {
        op: AluOp,
        size: Size,
        dst: Amode,
        src: RegImm,
    },
    /// `test lhs, rhs` (sets flags from `lhs & rhs`).
    Test {
        size: Size,
        lhs: RegMem,
        rhs: RegImm,
    },
    /// `not dst` / `neg dst`.
    Unary { op: UnaryOp, size: Size, dst: Reg },
    /// `imul dst, src` (16, 32 or 64 bits).
    Imul { size: Size, dst: Reg, src: RegMem },
    /// `imul dst, src, imm` (16, 32 or 64 bits).
    ImulImm {
        size: Size,
        dst: Reg,
        src: RegMem,
        imm: i32,
    },
    /// `mul`/`div`/`idiv src`, with implicit `rax` (and, above 8 bits, `rdx`).
    MulDiv {
        op: MulDivOp,
        size: Size,
        src: RegMem,
    },
    /// `cwd`/`cdq`/`cqo`: sign-extend `rax` into `rdx` (16, 32 or 64 bits).
    SignExtendAx { size: Size },
    /// Shift or rotate `dst` by `cl` or an immediate.
    Shift {
        op: ShiftOp,
        size: Size,
        dst: Reg,
        amount: ShiftAmount,
    },
    /// `bsf`/`bsr`/`lzcnt`/`tzcnt`/`popcnt dst, src` (16, 32 or 64 bits).
    BitOp {
        op: BitOp,
        size: Size,
        dst: Reg,
        src: RegMem,
    },
    /// `set<cond> dst` (writes the low byte only).
    Setcc { cond: Cond, dst: Reg },
    /// `cmov<cond> dst, src` (16, 32 or 64 bits).
    Cmov {
        cond: Cond,
        size: Size,
        dst: Reg,
        src: RegMem,
    },
    /// `jmp target`.
    Jmp { target: Label },
    /// `j<cond> target`.
    Jcc { cond: Cond, target: Label },
    /// `jmp reg` (64-bit indirect jump, for jump tables).
    JmpReg { target: Reg },
    /// `call rel32` to a relocation target.
    Call { target: RelocTarget, regs: CallRegs },
    /// `call reg` or `call [mem]` (64-bit indirect call).
    CallInd { target: RegMem, regs: CallRegs },
    /// `ret`.
    Ret,
    /// `push src` (64 bits).
    Push { src: Reg },
    /// `pop dst` (64 bits).
    Pop { dst: Reg },
    /// `ud2`: raises SIGILL.
    Ud2,
    /// `len` bytes of `nop` (multi-byte forms, at most 9 bytes each).
    Nop { len: u8 },
    /// `movss`/`movsd dst, src`: a load (zeroes the upper lanes) or a
    /// register merge (keeps them).
    XmmMov {
        size: FloatSize,
        dst: Reg,
        src: RegMem,
    },
    /// `movss`/`movsd [dst], src`: a store.
    XmmStore {
        size: FloatSize,
        dst: Amode,
        src: Reg,
    },
    /// `movaps dst, src`: a full register copy.
    Movaps { dst: Reg, src: Reg },
    /// `movd`/`movq xmm, r/m` (size `S32` or `S64`).
    GprToXmm { size: Size, dst: Reg, src: RegMem },
    /// `movd`/`movq r, xmm` (size `S32` or `S64`).
    XmmToGpr { size: Size, dst: Reg, src: Reg },
    /// A scalar SSE operation `op dst, src`.
    Sse { op: SseOp, dst: Reg, src: RegMem },
    /// `ucomiss`/`ucomisd lhs, rhs`: unordered compare into ZF/PF/CF.
    Ucomis {
        size: FloatSize,
        lhs: Reg,
        rhs: RegMem,
    },
    /// `cvtsi2ss`/`cvtsi2sd dst, src` from a signed 32- or 64-bit integer.
    CvtIntToFloat {
        float: FloatSize,
        int: Size,
        dst: Reg,
        src: RegMem,
    },
    /// `cvttss2si`/`cvttsd2si dst, src`: truncating conversion to a signed
    /// 32- or 64-bit integer (`0x80…0` on overflow or NaN).
    CvtFloatToInt {
        float: FloatSize,
        int: Size,
        dst: Reg,
        src: RegMem,
    },
    /// `roundss`/`roundsd dst, src, mode` (SSE4.1).
    Round {
        size: FloatSize,
        mode: RoundMode,
        dst: Reg,
        src: RegMem,
    },
    /// `cmpss`/`cmpsd dst, src, pred`: all-ones or zero in the low lane.
    XmmCmp {
        size: FloatSize,
        pred: FloatCmp,
        dst: Reg,
        src: RegMem,
    },
}

fn visit_rm(rm: &mut RegMem, v: &mut impl OperandVisitor) {
    match rm {
        RegMem::Reg(r) => v.reg(r, OperandKind::Use),
        RegMem::Mem(a) => visit_amode(a, v),
    }
}

fn visit_amode(a: &mut Amode, v: &mut impl OperandVisitor) {
    a.regs_mut(|r| v.reg(r, OperandKind::Use));
}

impl Inst {
    /// Reports every register operand to `v`: explicit registers (which `v`
    /// may rewrite; sources first, then the destination), then implicit
    /// fixed registers, then clobbers.
    ///
    /// Conventions an allocator must know:
    /// - Address registers are uses.
    /// - Instructions that keep part of their destination are `UseDef`:
    ///   two-operand ALU ops, `cmov`, `movss`/`movsd` between registers, the
    ///   scalar SSE operations (which keep the upper lanes), `cvtsi2ss`.
    /// - `setcc` writes only the low byte but is reported as a `Def`: its
    ///   users must read it as a byte (or zero-extend it with `movzx`).
    /// - `bsf`/`bsr` are reported as `Def`; their result for a zero input is
    ///   undefined and must not be relied on.
    /// - Shift counts in `cl` and the `rax`/`rdx` of `mul`/`div`/`cdq` are
    ///   fixed physical operands: the compiler moves values there.
    pub fn operands(&mut self, v: &mut impl OperandVisitor) {
        use OperandKind::{Def, Use, UseDef};
        match self {
            Inst::Mov { dst, src, .. }
            | Inst::Movzx { dst, src, .. }
            | Inst::Movsx { dst, src, .. } => {
                visit_rm(src, v);
                v.reg(dst, Def);
            }
            Inst::MovStore { dst, src, .. } | Inst::XmmStore { dst, src, .. } => {
                v.reg(src, Use);
                visit_amode(dst, v);
            }
            Inst::MovImm { dst, .. } => v.reg(dst, Def),
            Inst::MovImmStore { dst, .. } => visit_amode(dst, v),
            Inst::Lea { dst, addr, .. } => {
                visit_amode(addr, v);
                v.reg(dst, Def);
            }
            Inst::Alu { op, dst, src, .. } => {
                match src {
                    RegMemImm::Reg(r) => v.reg(r, Use),
                    RegMemImm::Mem(a) => visit_amode(a, v),
                    RegMemImm::Imm(_) => {}
                }
                v.reg(dst, if op.writes_dst() { UseDef } else { Use });
            }
            Inst::AluStore { dst, src, .. } => {
                if let RegImm::Reg(r) = src {
                    v.reg(r, Use);
                }
                visit_amode(dst, v);
            }
            Inst::Test { lhs, rhs, .. } => {
                visit_rm(lhs, v);
                if let RegImm::Reg(r) = rhs {
                    v.reg(r, Use);
                }
            }
            Inst::Unary { dst, .. } => v.reg(dst, UseDef),
            Inst::Imul { dst, src, .. } | Inst::Cmov { dst, src, .. } => {
                visit_rm(src, v);
                v.reg(dst, UseDef);
            }
            Inst::ImulImm { dst, src, .. }
            | Inst::BitOp { dst, src, .. }
            | Inst::GprToXmm { dst, src, .. }
            | Inst::CvtFloatToInt { dst, src, .. } => {
                visit_rm(src, v);
                v.reg(dst, Def);
            }
            Inst::MulDiv { op, size, src } => {
                visit_rm(src, v);
                let wide = *size != Size::S8;
                match op {
                    MulDivOp::Mul => {
                        v.fixed(regs::RAX, UseDef);
                        if wide {
                            v.fixed(regs::RDX, Def);
                        }
                    }
                    MulDivOp::Div | MulDivOp::Idiv => {
                        v.fixed(regs::RAX, UseDef);
                        if wide {
                            v.fixed(regs::RDX, UseDef);
                        }
                    }
                }
            }
            Inst::SignExtendAx { .. } => {
                v.fixed(regs::RAX, Use);
                v.fixed(regs::RDX, Def);
            }
            Inst::Shift { dst, amount, .. } => {
                if *amount == ShiftAmount::Cl {
                    v.fixed(regs::RCX, Use);
                }
                v.reg(dst, UseDef);
            }
            Inst::Setcc { dst, .. } => v.reg(dst, Def),
            Inst::Jmp { .. } | Inst::Jcc { .. } | Inst::Ret | Inst::Ud2 | Inst::Nop { .. } => {}
            Inst::JmpReg { target } | Inst::Push { src: target } => v.reg(target, Use),
            Inst::Pop { dst } => v.reg(dst, Def),
            Inst::Call { regs, .. } => visit_call_regs(regs, v),
            Inst::CallInd { target, regs } => {
                visit_rm(target, v);
                visit_call_regs(regs, v);
            }
            Inst::XmmMov { dst, src, .. } => {
                let merge = matches!(src, RegMem::Reg(_));
                visit_rm(src, v);
                v.reg(dst, if merge { UseDef } else { Def });
            }
            Inst::Movaps { dst, src } | Inst::XmmToGpr { dst, src, .. } => {
                v.reg(src, Use);
                v.reg(dst, Def);
            }
            Inst::Sse { dst, src, .. }
            | Inst::CvtIntToFloat { dst, src, .. }
            | Inst::Round { dst, src, .. }
            | Inst::XmmCmp { dst, src, .. } => {
                visit_rm(src, v);
                v.reg(dst, UseDef);
            }
            Inst::Ucomis { lhs, rhs, .. } => {
                v.reg(lhs, Use);
                visit_rm(rhs, v);
            }
        }
    }

    /// `(dst, src)` if this is a plain full-register copy (`mov r64, r64` or
    /// `movaps`), which an allocator may coalesce. A 32-bit `mov` is not one:
    /// it zeroes the upper half.
    pub fn as_move(&self) -> Option<(Reg, Reg)> {
        match *self {
            Inst::Mov {
                size: Size::S64,
                dst,
                src: RegMem::Reg(src),
            }
            | Inst::Movaps { dst, src } => Some((dst, src)),
            _ => None,
        }
    }

    /// Encodes the instruction at the end of `buf` (branches through the
    /// buffer's peepholes).
    ///
    /// All registers must be physical (checked in debug builds).
    pub fn emit(&self, buf: &mut CodeBuffer) {
        match *self {
            Inst::Mov { size, dst, src } => forms::mov(buf, size, dst, src),
            Inst::MovStore { size, dst, src } => forms::mov_store(buf, size, &dst, src),
            Inst::MovImm { size, dst, imm } => forms::mov_imm(buf, size, dst, imm),
            Inst::MovImmStore { size, dst, imm } => forms::mov_imm_store(buf, size, &dst, imm),
            Inst::Movzx { ext, dst, src } => forms::movzx(buf, ext, dst, src),
            Inst::Movsx { ext, dst, src } => forms::movsx(buf, ext, dst, src),
            Inst::Lea { size, dst, addr } => forms::lea(buf, size, dst, &addr),
            Inst::Alu { op, size, dst, src } => forms::alu(buf, op, size, dst, src),
            Inst::AluStore { op, size, dst, src } => forms::alu_store(buf, op, size, &dst, src),
            Inst::Test { size, lhs, rhs } => forms::test(buf, size, lhs, rhs),
            Inst::Unary { op, size, dst } => forms::unary(buf, op, size, dst),
            Inst::Imul { size, dst, src } => forms::imul(buf, size, dst, src),
            Inst::ImulImm {
                size,
                dst,
                src,
                imm,
            } => forms::imul_imm(buf, size, dst, src, imm),
            Inst::MulDiv { op, size, src } => forms::mul_div(buf, op, size, src),
            Inst::SignExtendAx { size } => forms::sign_extend_ax(buf, size),
            Inst::Shift {
                op,
                size,
                dst,
                amount,
            } => forms::shift(buf, op, size, dst, amount),
            Inst::BitOp { op, size, dst, src } => forms::bit_op(buf, op, size, dst, src),
            Inst::Setcc { cond, dst } => forms::setcc(buf, cond, dst),
            Inst::Cmov {
                cond,
                size,
                dst,
                src,
            } => forms::cmov(buf, cond, size, dst, src),
            Inst::Jmp { target } => buf.jmp(target),
            Inst::Jcc { cond, target } => buf.jcc(cond, target),
            Inst::JmpReg { target } => forms::jmp_reg(buf, target),
            Inst::Call { target, .. } => forms::call(buf, target),
            Inst::CallInd { target, .. } => forms::call_ind(buf, target),
            Inst::Ret => forms::ret(buf),
            Inst::Push { src } => forms::push(buf, src),
            Inst::Pop { dst } => forms::pop(buf, dst),
            Inst::Ud2 => forms::ud2(buf),
            Inst::Nop { len } => forms::nops(buf, len.into()),
            Inst::XmmMov { size, dst, src } => forms::xmm_mov(buf, size, dst, src),
            Inst::XmmStore { size, dst, src } => forms::xmm_store(buf, size, &dst, src),
            Inst::Movaps { dst, src } => forms::movaps(buf, dst, src),
            Inst::GprToXmm { size, dst, src } => forms::gpr_to_xmm(buf, size, dst, src),
            Inst::XmmToGpr { size, dst, src } => forms::xmm_to_gpr(buf, size, dst, src),
            Inst::Sse { op, dst, src } => forms::sse(buf, op, dst, src),
            Inst::Ucomis { size, lhs, rhs } => forms::ucomis(buf, size, lhs, rhs),
            Inst::CvtIntToFloat {
                float,
                int,
                dst,
                src,
            } => forms::cvt_int_to_float(buf, float, int, dst, src),
            Inst::CvtFloatToInt {
                float,
                int,
                dst,
                src,
            } => forms::cvt_float_to_int(buf, float, int, dst, src),
            Inst::Round {
                size,
                mode,
                dst,
                src,
            } => forms::round(buf, size, mode, dst, src),
            Inst::XmmCmp {
                size,
                pred,
                dst,
                src,
            } => forms::xmm_cmp(buf, size, pred, dst, src),
        }
    }
}

fn visit_call_regs(regs: &CallRegs, v: &mut impl OperandVisitor) {
    for r in regs.uses {
        v.fixed(r, OperandKind::Use);
    }
    for r in regs.defs {
        v.fixed(r, OperandKind::Def);
    }
    v.clobbers(regs.clobbers);
}
