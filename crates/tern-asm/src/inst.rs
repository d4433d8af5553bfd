//! `Inst`: the x86-64 instructions Tern's compilers use, with typed operands,
//! their register operands for an allocator, and their encodings.

use crate::buffer::{CodeBuffer, Label};
use crate::encode::{Encoding, Rm, Sink, emit_opcode_plus_reg, emit_rm, fits_i8, gpr, xmm};
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
    const fn encoding(self) -> (u8, u8) {
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

    /// Encodes the instruction at the end of `buf`.
    ///
    /// All registers must be physical (checked in debug builds).
    #[inline]
    pub fn emit(&self, buf: &mut CodeBuffer) {
        match *self {
            // Branches go through the buffer's peepholes; `nop` padding may
            // be longer than one instruction.
            Inst::Jmp { target } => buf.jmp(target),
            Inst::Jcc { cond, target } => buf.jcc(cond, target),
            Inst::Nop { len } => emit_nops(buf, len.into()),
            _ => {
                self.encode(&mut Sink::new(buf));
            }
        }
    }

    /// Encodes every instruction but branches and `nop` padding.
    fn encode(&self, buf: &mut Sink<'_>) {
        match *self {
            Inst::Mov { size, dst, src } => emit_reg_rm(
                buf,
                Encoding::sized(size, if size == Size::S8 { &[0x8a] } else { &[0x8b] }),
                dst,
                src,
            ),
            Inst::MovStore { size, dst, src } => emit_rm(
                buf,
                Encoding::sized(size, if size == Size::S8 { &[0x88] } else { &[0x89] }),
                gpr(src),
                true,
                Rm::Mem(&dst),
                0,
            ),
            Inst::MovImm { size, dst, imm } => emit_mov_imm(buf, size, gpr(dst), imm),
            Inst::MovImmStore { size, dst, imm } => {
                let opcode: &'static [u8] = if size == Size::S8 { &[0xc6] } else { &[0xc7] };
                let len = imm_len(size);
                emit_rm(
                    buf,
                    Encoding::sized(size, opcode),
                    0,
                    false,
                    Rm::Mem(&dst),
                    len,
                );
                put_imm(buf, len, imm);
            }
            Inst::Movzx { ext, dst, src } => {
                let (size, opcode): (Size, &'static [u8]) = match ext {
                    ExtMode::BW => (Size::S16, &[0x0f, 0xb6]),
                    ExtMode::BL => (Size::S32, &[0x0f, 0xb6]),
                    ExtMode::BQ => (Size::S64, &[0x0f, 0xb6]),
                    ExtMode::WL => (Size::S32, &[0x0f, 0xb7]),
                    ExtMode::WQ => (Size::S64, &[0x0f, 0xb7]),
                    ExtMode::LQ => (Size::S32, &[0x8b]),
                };
                emit_extend(buf, Encoding::sized(size, opcode), ext, dst, src);
            }
            Inst::Movsx { ext, dst, src } => {
                let (size, opcode): (Size, &'static [u8]) = match ext {
                    ExtMode::BW => (Size::S16, &[0x0f, 0xbe]),
                    ExtMode::BL => (Size::S32, &[0x0f, 0xbe]),
                    ExtMode::BQ => (Size::S64, &[0x0f, 0xbe]),
                    ExtMode::WL => (Size::S32, &[0x0f, 0xbf]),
                    ExtMode::WQ => (Size::S64, &[0x0f, 0xbf]),
                    ExtMode::LQ => (Size::S64, &[0x63]),
                };
                emit_extend(buf, Encoding::sized(size, opcode), ext, dst, src);
            }
            Inst::Lea { size, dst, addr } => {
                assert_ne!(size, Size::S8, "lea has no 8-bit form");
                emit_rm(
                    buf,
                    Encoding::sized(size, &[0x8d]),
                    gpr(dst),
                    false,
                    Rm::Mem(&addr),
                    0,
                );
            }
            Inst::Alu { op, size, dst, src } => emit_alu(buf, op, size, dst, src),
            Inst::AluStore { op, size, dst, src } => match src {
                RegImm::Reg(r) => emit_rm(
                    buf,
                    Encoding::sized(size, alu_opcode(op, size, 0x00)),
                    gpr(r),
                    true,
                    Rm::Mem(&dst),
                    0,
                ),
                RegImm::Imm(imm) => emit_alu_imm(buf, op, size, Rm::Mem(&dst), imm),
            },
            Inst::Test { size, lhs, rhs } => emit_test(buf, size, lhs, rhs),
            Inst::Unary { op, size, dst } => {
                let opcode: &'static [u8] = if size == Size::S8 { &[0xf6] } else { &[0xf7] };
                emit_rm(
                    buf,
                    Encoding::sized(size, opcode),
                    op as u8,
                    false,
                    Rm::Reg(gpr(dst)),
                    0,
                );
            }
            Inst::Imul { size, dst, src } => {
                assert_ne!(size, Size::S8, "two-operand imul has no 8-bit form");
                emit_reg_rm(buf, Encoding::sized(size, &[0x0f, 0xaf]), dst, src);
            }
            Inst::ImulImm {
                size,
                dst,
                src,
                imm,
            } => {
                assert_ne!(size, Size::S8, "imul with an immediate has no 8-bit form");
                let (opcode, len): (&'static [u8], u8) = if fits_i8(imm.into()) {
                    (&[0x6b], 1)
                } else {
                    (&[0x69], imm_len(size))
                };
                emit_rm(
                    buf,
                    Encoding::sized(size, opcode),
                    gpr(dst),
                    false,
                    rm_gpr(&src),
                    len,
                );
                put_imm(buf, len, imm);
            }
            Inst::MulDiv { op, size, src } => {
                let opcode: &'static [u8] = if size == Size::S8 { &[0xf6] } else { &[0xf7] };
                emit_rm(
                    buf,
                    Encoding::sized(size, opcode),
                    op as u8,
                    false,
                    rm_gpr(&src),
                    0,
                );
            }
            Inst::SignExtendAx { size } => {
                assert_ne!(size, Size::S8, "cwd/cdq/cqo have no 8-bit form");
                emit_rm_less(buf, size, 0x99);
            }
            Inst::Shift {
                op,
                size,
                dst,
                amount,
            } => {
                let byte = size == Size::S8;
                let (opcode, imm): (&'static [u8], Option<u8>) = match amount {
                    ShiftAmount::Cl => (if byte { &[0xd2] } else { &[0xd3] }, None),
                    ShiftAmount::Imm(1) => (if byte { &[0xd0] } else { &[0xd1] }, None),
                    ShiftAmount::Imm(n) => (if byte { &[0xc0] } else { &[0xc1] }, Some(n)),
                };
                emit_rm(
                    buf,
                    Encoding::sized(size, opcode),
                    op as u8,
                    false,
                    Rm::Reg(gpr(dst)),
                    0,
                );
                if let Some(n) = imm {
                    buf.put1(n);
                }
            }
            Inst::BitOp { op, size, dst, src } => {
                assert_ne!(size, Size::S8, "{op:?} has no 8-bit form");
                let (prefix, opcode): (u8, &'static [u8]) = match op {
                    BitOp::Bsf => (0, &[0x0f, 0xbc]),
                    BitOp::Bsr => (0, &[0x0f, 0xbd]),
                    BitOp::Tzcnt => (0xf3, &[0x0f, 0xbc]),
                    BitOp::Lzcnt => (0xf3, &[0x0f, 0xbd]),
                    BitOp::Popcnt => (0xf3, &[0x0f, 0xb8]),
                };
                let mut enc = Encoding::sized(size, opcode);
                if prefix != 0 {
                    enc = enc.mandatory(prefix);
                }
                emit_reg_rm(buf, enc, dst, src);
            }
            Inst::Setcc { cond, dst } => {
                let opcode = &SETCC_OPCODES[cond.bits() as usize];
                emit_rm(
                    buf,
                    Encoding::sized(Size::S8, opcode),
                    0,
                    false,
                    Rm::Reg(gpr(dst)),
                    0,
                );
            }
            Inst::Cmov {
                cond,
                size,
                dst,
                src,
            } => {
                assert_ne!(size, Size::S8, "cmov has no 8-bit form");
                emit_reg_rm(
                    buf,
                    Encoding::sized(size, &CMOV_OPCODES[cond.bits() as usize]),
                    dst,
                    src,
                );
            }
            Inst::Jmp { .. } | Inst::Jcc { .. } | Inst::Nop { .. } => {
                unreachable!("emitted directly by Inst::emit")
            }
            Inst::JmpReg { target } => {
                emit_rm(
                    buf,
                    Encoding::op(&[0xff]),
                    4,
                    false,
                    Rm::Reg(gpr(target)),
                    0,
                );
            }
            Inst::Call { target, .. } => {
                buf.put1(0xe8);
                buf.reloc_field(target, -4);
            }
            Inst::CallInd { target, .. } => {
                emit_rm(buf, Encoding::op(&[0xff]), 2, false, rm_gpr(&target), 0)
            }
            Inst::Ret => buf.put1(0xc3),
            Inst::Push { src } => emit_opcode_plus_reg(buf, false, false, false, 0x50, gpr(src)),
            Inst::Pop { dst } => emit_opcode_plus_reg(buf, false, false, false, 0x58, gpr(dst)),
            Inst::Ud2 => buf.put_bytes(&[0x0f, 0x0b]),
            Inst::XmmMov { size, dst, src } => emit_xmm_rm(
                buf,
                Encoding::op(&[0x0f, 0x10]).mandatory(scalar_prefix(size)),
                xmm(dst),
                &src,
                0,
            ),
            Inst::XmmStore { size, dst, src } => emit_rm(
                buf,
                Encoding::op(&[0x0f, 0x11]).mandatory(scalar_prefix(size)),
                xmm(src),
                false,
                Rm::Mem(&dst),
                0,
            ),
            Inst::Movaps { dst, src } => emit_rm(
                buf,
                Encoding::op(&[0x0f, 0x28]),
                xmm(dst),
                false,
                Rm::Reg(xmm(src)),
                0,
            ),
            Inst::GprToXmm { size, dst, src } => {
                let enc = Encoding::op(&[0x0f, 0x6e])
                    .mandatory(0x66)
                    .wide(int_w(size));
                emit_rm(buf, enc, xmm(dst), false, rm_gpr(&src), 0);
            }
            Inst::XmmToGpr { size, dst, src } => {
                let enc = Encoding::op(&[0x0f, 0x7e])
                    .mandatory(0x66)
                    .wide(int_w(size));
                emit_rm(buf, enc, xmm(src), false, Rm::Reg(gpr(dst)), 0);
            }
            Inst::Sse { op, dst, src } => {
                let (prefix, opcode) = op.encoding();
                let mut enc = Encoding::op(&SSE_0F[opcode as usize - SSE_0F_FIRST]);
                if prefix != 0 {
                    enc = enc.mandatory(prefix);
                }
                emit_xmm_rm(buf, enc, xmm(dst), &src, 0);
            }
            Inst::Ucomis { size, lhs, rhs } => {
                let mut enc = Encoding::op(&[0x0f, 0x2e]);
                if size == FloatSize::F64 {
                    enc = enc.mandatory(0x66);
                }
                emit_xmm_rm(buf, enc, xmm(lhs), &rhs, 0);
            }
            Inst::CvtIntToFloat {
                float,
                int,
                dst,
                src,
            } => {
                let enc = Encoding::op(&[0x0f, 0x2a])
                    .mandatory(scalar_prefix(float))
                    .wide(int_w(int));
                emit_rm(buf, enc, xmm(dst), false, rm_gpr(&src), 0);
            }
            Inst::CvtFloatToInt {
                float,
                int,
                dst,
                src,
            } => {
                let enc = Encoding::op(&[0x0f, 0x2c])
                    .mandatory(scalar_prefix(float))
                    .wide(int_w(int));
                emit_xmm_rm(buf, enc, gpr(dst), &src, 0);
            }
            Inst::Round {
                size,
                mode,
                dst,
                src,
            } => {
                let opcode: &'static [u8] = if size == FloatSize::F32 {
                    &[0x0f, 0x3a, 0x0a]
                } else {
                    &[0x0f, 0x3a, 0x0b]
                };
                emit_xmm_rm(buf, Encoding::op(opcode).mandatory(0x66), xmm(dst), &src, 1);
                buf.put1(mode as u8);
            }
            Inst::XmmCmp {
                size,
                pred,
                dst,
                src,
            } => {
                let enc = Encoding::op(&[0x0f, 0xc2]).mandatory(scalar_prefix(size));
                emit_xmm_rm(buf, enc, xmm(dst), &src, 1);
                buf.put1(pred as u8);
            }
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

/// `0f xx` opcode pairs for the SSE arithmetic range `0f 51..=0f 5f`, so that
/// `Encoding` can borrow a `'static` slice.
const SSE_0F_FIRST: usize = 0x51;
const SSE_0F: [[u8; 2]; 15] = {
    let mut t = [[0x0f, 0]; 15];
    let mut i = 0;
    while i < 15 {
        t[i][1] = (SSE_0F_FIRST + i) as u8;
        i += 1;
    }
    t
};

const SETCC_OPCODES: [[u8; 2]; 16] = cond_opcodes(0x90);
const CMOV_OPCODES: [[u8; 2]; 16] = cond_opcodes(0x40);

const fn cond_opcodes(base: u8) -> [[u8; 2]; 16] {
    let mut t = [[0x0f, 0]; 16];
    let mut i = 0;
    while i < 16 {
        t[i][1] = base + i as u8;
        i += 1;
    }
    t
}

/// `0xf3` for single precision, `0xf2` for double.
fn scalar_prefix(size: FloatSize) -> u8 {
    match size {
        FloatSize::F32 => 0xf3,
        FloatSize::F64 => 0xf2,
    }
}

/// REX.W for a 32/64-bit integer operand of an SSE instruction.
fn int_w(size: Size) -> bool {
    match size {
        Size::S32 => false,
        Size::S64 => true,
        Size::S8 | Size::S16 => panic!("SSE integer operands are 32 or 64 bits, not {size:?}"),
    }
}

fn rm_gpr(rm: &RegMem) -> Rm<'_> {
    match rm {
        RegMem::Reg(r) => Rm::Reg(gpr(*r)),
        RegMem::Mem(a) => Rm::Mem(a),
    }
}

/// `op reg, xmm/m` where `reg` is already encoded.
fn emit_xmm_rm(buf: &mut Sink<'_>, enc: Encoding, reg: u8, src: &RegMem, trailing: u8) {
    let rm = match src {
        RegMem::Reg(r) => Rm::Reg(xmm(*r)),
        RegMem::Mem(a) => Rm::Mem(a),
    };
    emit_rm(buf, enc, reg, false, rm, trailing);
}

/// `op dst, src` with an integer register `dst` in the `reg` field.
fn emit_reg_rm(buf: &mut Sink<'_>, enc: Encoding, dst: Reg, src: RegMem) {
    emit_rm(buf, enc, gpr(dst), true, rm_gpr(&src), 0);
}

/// `movzx`/`movsx`: the source register is a byte register for `B*` modes.
fn emit_extend(buf: &mut Sink<'_>, mut enc: Encoding, ext: ExtMode, dst: Reg, src: RegMem) {
    // Only the source can be a byte register; the destination is 16+ bits.
    enc.byte_regs = ext.from_size() == Size::S8;
    emit_rm(buf, enc, gpr(dst), false, rm_gpr(&src), 0);
}

/// An instruction without ModRM whose size is set by prefixes only
/// (`cwd`/`cdq`/`cqo`).
fn emit_rm_less(buf: &mut Sink<'_>, size: Size, opcode: u8) {
    match size {
        Size::S16 => buf.put1(0x66),
        Size::S64 => buf.put1(0x48),
        Size::S8 | Size::S32 => {}
    }
    buf.put1(opcode);
}

/// Bytes of a full-size immediate for `size` (32-bit immediates are
/// sign-extended for 64-bit operations).
fn imm_len(size: Size) -> u8 {
    match size {
        Size::S8 => 1,
        Size::S16 => 2,
        Size::S32 | Size::S64 => 4,
    }
}

fn put_imm(buf: &mut Sink<'_>, len: u8, imm: i32) {
    match len {
        1 => {
            debug_assert!(
                (-128..=255).contains(&imm),
                "8-bit immediate {imm} out of range"
            );
            buf.put1(imm as u8)
        }
        2 => {
            debug_assert!(
                (-32768..=65535).contains(&imm),
                "16-bit immediate {imm} out of range"
            );
            buf.put2(imm as u16)
        }
        _ => buf.put4(imm as u32),
    }
}

/// The opcode of an ALU register form: `base` 0 is `op r/m, r`, 2 is
/// `op r, r/m`; the 8-bit variant is one less.
fn alu_opcode(op: AluOp, size: Size, base: u8) -> &'static [u8] {
    let index = (op as u8) * 8 + base + u8::from(size != Size::S8);
    &ALU_OPCODES[index as usize..index as usize + 1]
}

/// All one-byte opcodes 0..64, so that ALU opcodes can be `'static` slices.
const ALU_OPCODES: [u8; 64] = {
    let mut t = [0; 64];
    let mut i = 0;
    while i < 64 {
        t[i] = i as u8;
        i += 1;
    }
    t
};

fn emit_alu(buf: &mut Sink<'_>, op: AluOp, size: Size, dst: Reg, src: RegMemImm) {
    match src {
        RegMemImm::Reg(src) => emit_rm(
            buf,
            Encoding::sized(size, alu_opcode(op, size, 0)),
            gpr(src),
            true,
            Rm::Reg(gpr(dst)),
            0,
        ),
        RegMemImm::Mem(a) => emit_rm(
            buf,
            Encoding::sized(size, alu_opcode(op, size, 2)),
            gpr(dst),
            true,
            Rm::Mem(&a),
            0,
        ),
        RegMemImm::Imm(imm) => {
            let d = gpr(dst);
            // `op al/ax/eax/rax, imm` has a short form without ModRM, one
            // byte shorter than the general form when no imm8 form applies.
            if d == 0 && (size == Size::S8 || !fits_i8(imm.into())) {
                if size == Size::S16 {
                    buf.put1(0x66);
                } else if size == Size::S64 {
                    buf.put1(0x48);
                }
                buf.put1(op as u8 * 8 + if size == Size::S8 { 4 } else { 5 });
                put_imm(buf, imm_len(size), imm);
            } else {
                emit_alu_imm(buf, op, size, Rm::Reg(d), imm);
            }
        }
    }
}

/// `op r/m, imm`: `83 /op ib` when the immediate fits 8 signed bits,
/// otherwise `81 /op iw/id` (`80 /op ib` for bytes).
fn emit_alu_imm(buf: &mut Sink<'_>, op: AluOp, size: Size, rm: Rm<'_>, imm: i32) {
    let (opcode, len): (&'static [u8], u8) = if size == Size::S8 {
        (&[0x80], 1)
    } else if fits_i8(imm.into()) {
        (&[0x83], 1)
    } else {
        (&[0x81], imm_len(size))
    };
    emit_rm(buf, Encoding::sized(size, opcode), op as u8, false, rm, len);
    put_imm(buf, len, imm);
}

fn emit_test(buf: &mut Sink<'_>, size: Size, lhs: RegMem, rhs: RegImm) {
    let byte = size == Size::S8;
    match rhs {
        RegImm::Reg(r) => {
            let opcode: &'static [u8] = if byte { &[0x84] } else { &[0x85] };
            emit_rm(
                buf,
                Encoding::sized(size, opcode),
                gpr(r),
                true,
                rm_gpr(&lhs),
                0,
            );
        }
        RegImm::Imm(imm) => {
            let len = imm_len(size);
            if matches!(lhs, RegMem::Reg(r) if gpr(r) == 0) {
                // `test al/ax/eax/rax, imm`: no ModRM.
                match size {
                    Size::S16 => buf.put1(0x66),
                    Size::S64 => buf.put1(0x48),
                    Size::S8 | Size::S32 => {}
                }
                buf.put1(if byte { 0xa8 } else { 0xa9 });
            } else {
                let opcode: &'static [u8] = if byte { &[0xf6] } else { &[0xf7] };
                emit_rm(
                    buf,
                    Encoding::sized(size, opcode),
                    0,
                    false,
                    rm_gpr(&lhs),
                    len,
                );
            }
            put_imm(buf, len, imm);
        }
    }
}

fn emit_mov_imm(buf: &mut Sink<'_>, size: Size, dst: u8, imm: u64) {
    match size {
        Size::S8 => {
            emit_opcode_plus_reg(buf, false, false, true, 0xb0, dst);
            buf.put1(imm as u8);
        }
        Size::S16 => {
            emit_opcode_plus_reg(buf, true, false, false, 0xb8, dst);
            buf.put2(imm as u16);
        }
        Size::S32 => {
            emit_opcode_plus_reg(buf, false, false, false, 0xb8, dst);
            buf.put4(imm as u32);
        }
        Size::S64 => {
            if let Ok(imm32) = u32::try_from(imm) {
                // `mov r32, imm32` zero-extends into the full register.
                emit_opcode_plus_reg(buf, false, false, false, 0xb8, dst);
                buf.put4(imm32);
            } else if let Ok(simm32) = i32::try_from(imm as i64) {
                emit_rm(
                    buf,
                    Encoding::sized(Size::S64, &[0xc7]),
                    0,
                    false,
                    Rm::Reg(dst),
                    4,
                );
                buf.put4(simm32 as u32);
            } else {
                emit_opcode_plus_reg(buf, false, true, false, 0xb8, dst);
                buf.put8(imm);
            }
        }
    }
}

/// The recommended multi-byte `nop` encodings, by length (index 0 unused).
const NOPS: [&[u8]; 10] = [
    &[],
    &[0x90],
    &[0x66, 0x90],
    &[0x0f, 0x1f, 0x00],
    &[0x0f, 0x1f, 0x40, 0x00],
    &[0x0f, 0x1f, 0x44, 0x00, 0x00],
    &[0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
    &[0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
    &[0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
    &[0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];

/// Emits `len` bytes of `nop` instructions, as few as possible.
pub(crate) fn emit_nops(buf: &mut CodeBuffer, mut len: u32) {
    while len > 0 {
        let n = len.min(9);
        buf.put_bytes(NOPS[n as usize]);
        len -= n;
    }
}
