//! One encoder per instruction form: the only place bytes are chosen.
//!
//! `Inst::emit` matches on the instruction and calls the function of its
//! variant; the `Assembler` methods call the same function directly. So
//! there is still exactly one encoding of each instruction (what the tests
//! check is what both compilers emit), but the single-pass compiler's calls
//! do not build an `Inst` and dispatch on it again: `asm.mov_rm(..)` is one
//! out-of-line call with the operands in registers.
//!
//! Each function reserves the instruction's bytes once ([`Sink`]), so they
//! are deliberately not `#[inline]`: inlining every encoder into every
//! call site of the compilers would cost more in code size than the call
//! (see the crate docs, "Encoding speed"). The sized ones are instead
//! specialized: one copy of the body per operand size behind a single
//! jump (`specialize!`), trading code size for constant-folded prefixes,
//! REX.W and opcodes.

use crate::buffer::CodeBuffer;
use crate::encode::{Encoding, Opcode, Rm, Sink, emit_opcode_plus_reg, emit_rm, fits_i8, gpr, xmm};
use crate::inst::{AluOp, BitOp, FloatCmp, MulDivOp, RoundMode, ShiftOp, SseOp, UnaryOp};
use crate::operand::{
    Amode, Cond, ExtMode, FloatSize, RegImm, RegMem, RegMemImm, ShiftAmount, Size,
};
use crate::reg::Reg;
use crate::reloc::RelocTarget;

/// Evaluates `$body` once per listed value of `$x`, with `$x` rebound to
/// that value as a constant: one copy of the body per value, chosen by one
/// jump. The encoders use it for the operand size (and extension mode), so
/// that the prefix, REX.W, opcode and byte-register rules fold to
/// constants in each copy instead of being computed, and kept live in
/// registers, at run time (see the crate docs, "Encoding speed").
macro_rules! specialize {
    ($x:ident: $($value:path),+ => $body:expr) => {
        match $x {
            $($value => {
                let $x = $value;
                $body
            })+
        }
    };
}

/// [`specialize!`] over the four integer operand sizes.
macro_rules! per_size {
    ($size:ident => $body:expr) => {
        specialize!($size: Size::S8, Size::S16, Size::S32, Size::S64 => $body)
    };
}

/// [`specialize!`] over the extension modes of `movzx`/`movsx`.
macro_rules! per_ext {
    ($ext:ident => $body:expr) => {
        specialize!(
            $ext: ExtMode::BW, ExtMode::BL, ExtMode::BQ, ExtMode::WL, ExtMode::WQ, ExtMode::LQ
            => $body
        )
    };
}

/// Encodes one instruction with `f` and commits its bytes.
#[inline(always)]
fn one(buf: &mut CodeBuffer, f: impl FnOnce(&mut Sink<'_>)) {
    let mut sink = Sink::new(buf);
    f(&mut sink);
    sink.finish();
}

/// The one-byte opcode `byte` for 8-bit operands, `byte + 1` (the
/// 16/32/64-bit form, by x86's convention) for the rest.
#[inline(always)]
fn by_size(size: Size, byte: u8) -> Opcode {
    Opcode::b1(byte + u8::from(size != Size::S8))
}

/// `mov dst, src`.
pub(crate) fn mov(buf: &mut CodeBuffer, size: Size, dst: Reg, src: RegMem) {
    per_size!(size => one(buf, |s| {
        emit_reg_rm(s, Encoding::sized(size, by_size(size, 0x8a)), dst, src)
    }));
}

/// `mov [dst], src`.
pub(crate) fn mov_store(buf: &mut CodeBuffer, size: Size, dst: &Amode, src: Reg) {
    per_size!(size => one(buf, |s| {
        let enc = Encoding::sized(size, by_size(size, 0x88));
        emit_rm(s, enc, gpr(src), true, Rm::Mem(dst), 0);
    }));
}

/// `mov dst, imm` (shortest form; see `Inst::MovImm`).
pub(crate) fn mov_imm(buf: &mut CodeBuffer, size: Size, dst: Reg, imm: u64) {
    let dst = gpr(dst);
    one(buf, |s| match size {
        Size::S8 => {
            emit_opcode_plus_reg(s, false, false, true, 0xb0, dst);
            s.put1(imm as u8);
        }
        Size::S16 => {
            emit_opcode_plus_reg(s, true, false, false, 0xb8, dst);
            s.put2(imm as u16);
        }
        Size::S32 => {
            emit_opcode_plus_reg(s, false, false, false, 0xb8, dst);
            s.put4(imm as u32);
        }
        Size::S64 => {
            if let Ok(imm32) = u32::try_from(imm) {
                // `mov r32, imm32` zero-extends into the full register.
                emit_opcode_plus_reg(s, false, false, false, 0xb8, dst);
                s.put4(imm32);
            } else if let Ok(simm32) = i32::try_from(imm as i64) {
                let enc = Encoding::sized(Size::S64, Opcode::b1(0xc7));
                emit_rm(s, enc, 0, false, Rm::Reg(dst), 4);
                s.put4(simm32 as u32);
            } else {
                emit_opcode_plus_reg(s, false, true, false, 0xb8, dst);
                s.put8(imm);
            }
        }
    });
}

/// `mov [dst], imm`.
pub(crate) fn mov_imm_store(buf: &mut CodeBuffer, size: Size, dst: &Amode, imm: i32) {
    per_size!(size => one(buf, |s| {
        let len = imm_len(size);
        let enc = Encoding::sized(size, by_size(size, 0xc6));
        emit_rm(s, enc, 0, false, Rm::Mem(dst), len);
        put_imm(s, len, imm);
    }));
}

/// `movzx dst, src` (`mov r32, r/m32` for `LQ`).
pub(crate) fn movzx(buf: &mut CodeBuffer, ext: ExtMode, dst: Reg, src: RegMem) {
    per_ext!(ext => {
        let (size, opcode) = match ext {
            ExtMode::BW => (Size::S16, Opcode::b2(0x0f, 0xb6)),
            ExtMode::BL => (Size::S32, Opcode::b2(0x0f, 0xb6)),
            ExtMode::BQ => (Size::S64, Opcode::b2(0x0f, 0xb6)),
            ExtMode::WL => (Size::S32, Opcode::b2(0x0f, 0xb7)),
            ExtMode::WQ => (Size::S64, Opcode::b2(0x0f, 0xb7)),
            ExtMode::LQ => (Size::S32, Opcode::b1(0x8b)),
        };
        one(buf, |s| {
            emit_extend(s, Encoding::sized(size, opcode), ext, dst, src)
        });
    })
}

/// `movsx dst, src` (`movsxd` for `LQ`).
pub(crate) fn movsx(buf: &mut CodeBuffer, ext: ExtMode, dst: Reg, src: RegMem) {
    per_ext!(ext => {
        let (size, opcode) = match ext {
            ExtMode::BW => (Size::S16, Opcode::b2(0x0f, 0xbe)),
            ExtMode::BL => (Size::S32, Opcode::b2(0x0f, 0xbe)),
            ExtMode::BQ => (Size::S64, Opcode::b2(0x0f, 0xbe)),
            ExtMode::WL => (Size::S32, Opcode::b2(0x0f, 0xbf)),
            ExtMode::WQ => (Size::S64, Opcode::b2(0x0f, 0xbf)),
            ExtMode::LQ => (Size::S64, Opcode::b1(0x63)),
        };
        one(buf, |s| {
            emit_extend(s, Encoding::sized(size, opcode), ext, dst, src)
        });
    })
}

/// `lea dst, [addr]`.
pub(crate) fn lea(buf: &mut CodeBuffer, size: Size, dst: Reg, addr: &Amode) {
    assert!(size != Size::S8, "lea has no 8-bit form");
    per_size!(size => one(buf, |s| {
        let enc = Encoding::sized(size, Opcode::b1(0x8d));
        emit_rm(s, enc, gpr(dst), false, Rm::Mem(addr), 0);
    }));
}

/// The opcode of an ALU register form: `base` 0 is `op r/m, r`, 2 is
/// `op r, r/m`; the 8-bit variant is one less.
#[inline(always)]
fn alu_opcode(op: AluOp, size: Size, base: u8) -> Opcode {
    Opcode::b1((op as u8) * 8 + base + u8::from(size != Size::S8))
}

/// `op dst, src` for the ALU operations.
pub(crate) fn alu(buf: &mut CodeBuffer, op: AluOp, size: Size, dst: Reg, src: RegMemImm) {
    per_size!(size => one(buf, |s| match src {
        RegMemImm::Reg(src) => emit_rm(
            s,
            Encoding::sized(size, alu_opcode(op, size, 0)),
            gpr(src),
            true,
            Rm::Reg(gpr(dst)),
            0,
        ),
        RegMemImm::Mem(a) => emit_rm(
            s,
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
                put_size_prefix(s, size);
                s.put1(op as u8 * 8 + if size == Size::S8 { 4 } else { 5 });
                put_imm(s, imm_len(size), imm);
            } else {
                emit_alu_imm(s, op, size, Rm::Reg(d), imm);
            }
        }
    }));
}

/// `op [dst], src` for the ALU operations.
pub(crate) fn alu_store(buf: &mut CodeBuffer, op: AluOp, size: Size, dst: &Amode, src: RegImm) {
    per_size!(size => one(buf, |s| match src {
        RegImm::Reg(r) => {
            let enc = Encoding::sized(size, alu_opcode(op, size, 0x00));
            emit_rm(s, enc, gpr(r), true, Rm::Mem(dst), 0);
        }
        RegImm::Imm(imm) => emit_alu_imm(s, op, size, Rm::Mem(dst), imm),
    }));
}

/// `op r/m, imm`: `83 /op ib` when the immediate fits 8 signed bits,
/// otherwise `81 /op iw/id` (`80 /op ib` for bytes).
#[inline(always)]
fn emit_alu_imm(s: &mut Sink<'_>, op: AluOp, size: Size, rm: Rm<'_>, imm: i32) {
    let (opcode, len) = if size == Size::S8 {
        (0x80, 1)
    } else if fits_i8(imm.into()) {
        (0x83, 1)
    } else {
        (0x81, imm_len(size))
    };
    let enc = Encoding::sized(size, Opcode::b1(opcode));
    emit_rm(s, enc, op as u8, false, rm, len);
    put_imm(s, len, imm);
}

/// `test lhs, rhs`.
pub(crate) fn test(buf: &mut CodeBuffer, size: Size, lhs: RegMem, rhs: RegImm) {
    per_size!(size => one(buf, |s| match rhs {
        RegImm::Reg(r) => {
            let enc = Encoding::sized(size, by_size(size, 0x84));
            emit_rm(s, enc, gpr(r), true, rm_gpr(&lhs), 0);
        }
        RegImm::Imm(imm) => {
            let len = imm_len(size);
            if matches!(lhs, RegMem::Reg(r) if gpr(r) == 0) {
                // `test al/ax/eax/rax, imm`: no ModRM.
                put_size_prefix(s, size);
                s.put1(if size == Size::S8 { 0xa8 } else { 0xa9 });
            } else {
                let enc = Encoding::sized(size, by_size(size, 0xf6));
                emit_rm(s, enc, 0, false, rm_gpr(&lhs), len);
            }
            put_imm(s, len, imm);
        }
    }));
}

/// `not dst` / `neg dst`.
pub(crate) fn unary(buf: &mut CodeBuffer, op: UnaryOp, size: Size, dst: Reg) {
    per_size!(size => one(buf, |s| {
        let enc = Encoding::sized(size, by_size(size, 0xf6));
        emit_rm(s, enc, op as u8, false, Rm::Reg(gpr(dst)), 0);
    }));
}

/// `imul dst, src`.
pub(crate) fn imul(buf: &mut CodeBuffer, size: Size, dst: Reg, src: RegMem) {
    assert!(size != Size::S8, "two-operand imul has no 8-bit form");
    per_size!(size => one(buf, |s| {
        emit_reg_rm(s, Encoding::sized(size, Opcode::b2(0x0f, 0xaf)), dst, src)
    }));
}

/// `imul dst, src, imm`.
pub(crate) fn imul_imm(buf: &mut CodeBuffer, size: Size, dst: Reg, src: RegMem, imm: i32) {
    assert!(size != Size::S8, "imul with an immediate has no 8-bit form");
    per_size!(size => one(buf, |s| {
        let (opcode, len) = if fits_i8(imm.into()) {
            (0x6b, 1)
        } else {
            (0x69, imm_len(size))
        };
        let enc = Encoding::sized(size, Opcode::b1(opcode));
        emit_rm(s, enc, gpr(dst), false, rm_gpr(&src), len);
        put_imm(s, len, imm);
    }));
}

/// `mul`/`div`/`idiv src`.
pub(crate) fn mul_div(buf: &mut CodeBuffer, op: MulDivOp, size: Size, src: RegMem) {
    per_size!(size => one(buf, |s| {
        let enc = Encoding::sized(size, by_size(size, 0xf6));
        emit_rm(s, enc, op as u8, false, rm_gpr(&src), 0);
    }));
}

/// `cwd`/`cdq`/`cqo`.
pub(crate) fn sign_extend_ax(buf: &mut CodeBuffer, size: Size) {
    assert!(size != Size::S8, "cwd/cdq/cqo have no 8-bit form");
    one(buf, |s| {
        put_size_prefix(s, size);
        s.put1(0x99);
    });
}

/// Shift or rotate `dst` by `cl` or an immediate.
pub(crate) fn shift(buf: &mut CodeBuffer, op: ShiftOp, size: Size, dst: Reg, amount: ShiftAmount) {
    per_size!(size => one(buf, |s| {
        let (opcode, imm) = match amount {
            ShiftAmount::Cl => (by_size(size, 0xd2), None),
            ShiftAmount::Imm(1) => (by_size(size, 0xd0), None),
            ShiftAmount::Imm(n) => (by_size(size, 0xc0), Some(n)),
        };
        let enc = Encoding::sized(size, opcode);
        emit_rm(s, enc, op as u8, false, Rm::Reg(gpr(dst)), 0);
        if let Some(n) = imm {
            s.put1(n);
        }
    }));
}

/// `bsf`/`bsr`/`lzcnt`/`tzcnt`/`popcnt dst, src`.
pub(crate) fn bit_op(buf: &mut CodeBuffer, op: BitOp, size: Size, dst: Reg, src: RegMem) {
    assert!(size != Size::S8, "{op:?} has no 8-bit form");
    let (prefix, opcode) = match op {
        BitOp::Bsf => (0, 0xbc),
        BitOp::Bsr => (0, 0xbd),
        BitOp::Tzcnt => (0xf3, 0xbc),
        BitOp::Lzcnt => (0xf3, 0xbd),
        BitOp::Popcnt => (0xf3, 0xb8),
    };
    let enc = Encoding::sized(size, Opcode::b2(0x0f, opcode)).mandatory(prefix);
    one(buf, |s| emit_reg_rm(s, enc, dst, src));
}

/// `set<cond> dst`.
pub(crate) fn setcc(buf: &mut CodeBuffer, cond: Cond, dst: Reg) {
    one(buf, |s| {
        let enc = Encoding::sized(Size::S8, Opcode::b2(0x0f, 0x90 | cond.bits()));
        emit_rm(s, enc, 0, false, Rm::Reg(gpr(dst)), 0);
    });
}

/// `cmov<cond> dst, src`.
pub(crate) fn cmov(buf: &mut CodeBuffer, cond: Cond, size: Size, dst: Reg, src: RegMem) {
    assert!(size != Size::S8, "cmov has no 8-bit form");
    per_size!(size => one(buf, |s| {
        let enc = Encoding::sized(size, Opcode::b2(0x0f, 0x40 | cond.bits()));
        emit_reg_rm(s, enc, dst, src);
    }));
}

/// `jmp reg`.
pub(crate) fn jmp_reg(buf: &mut CodeBuffer, target: Reg) {
    one(buf, |s| {
        emit_rm(
            s,
            Encoding::op(Opcode::b1(0xff)),
            4,
            false,
            Rm::Reg(gpr(target)),
            0,
        )
    });
}

/// `call rel32` with a relocation.
pub(crate) fn call(buf: &mut CodeBuffer, target: RelocTarget) {
    one(buf, |s| {
        s.put1(0xe8);
        s.reloc_field(target, -4);
    });
}

/// `call reg` / `call [mem]`.
pub(crate) fn call_ind(buf: &mut CodeBuffer, target: RegMem) {
    one(buf, |s| {
        emit_rm(
            s,
            Encoding::op(Opcode::b1(0xff)),
            2,
            false,
            rm_gpr(&target),
            0,
        )
    });
}

/// `ret`.
pub(crate) fn ret(buf: &mut CodeBuffer) {
    one(buf, |s| s.put1(0xc3));
}

/// `push src`.
pub(crate) fn push(buf: &mut CodeBuffer, src: Reg) {
    one(buf, |s| {
        emit_opcode_plus_reg(s, false, false, false, 0x50, gpr(src))
    });
}

/// `pop dst`.
pub(crate) fn pop(buf: &mut CodeBuffer, dst: Reg) {
    one(buf, |s| {
        emit_opcode_plus_reg(s, false, false, false, 0x58, gpr(dst))
    });
}

/// `ud2`.
pub(crate) fn ud2(buf: &mut CodeBuffer) {
    one(buf, |s| s.put2(u16::from_le_bytes([0x0f, 0x0b])));
}

/// `movss`/`movsd dst, src`.
pub(crate) fn xmm_mov(buf: &mut CodeBuffer, size: FloatSize, dst: Reg, src: RegMem) {
    one(buf, |s| {
        let enc = Encoding::op(Opcode::b2(0x0f, 0x10)).mandatory(scalar_prefix(size));
        emit_xmm_rm(s, enc, xmm(dst), &src, 0);
    });
}

/// `movss`/`movsd [dst], src`.
pub(crate) fn xmm_store(buf: &mut CodeBuffer, size: FloatSize, dst: &Amode, src: Reg) {
    one(buf, |s| {
        let enc = Encoding::op(Opcode::b2(0x0f, 0x11)).mandatory(scalar_prefix(size));
        emit_rm(s, enc, xmm(src), false, Rm::Mem(dst), 0);
    });
}

/// `movaps dst, src`.
pub(crate) fn movaps(buf: &mut CodeBuffer, dst: Reg, src: Reg) {
    one(buf, |s| {
        let enc = Encoding::op(Opcode::b2(0x0f, 0x28));
        emit_rm(s, enc, xmm(dst), false, Rm::Reg(xmm(src)), 0);
    });
}

/// `movd`/`movq xmm, r/m`.
pub(crate) fn gpr_to_xmm(buf: &mut CodeBuffer, size: Size, dst: Reg, src: RegMem) {
    let enc = Encoding::op(Opcode::b2(0x0f, 0x6e))
        .mandatory(0x66)
        .wide(int_w(size));
    one(buf, |s| emit_rm(s, enc, xmm(dst), false, rm_gpr(&src), 0));
}

/// `movd`/`movq r, xmm`.
pub(crate) fn xmm_to_gpr(buf: &mut CodeBuffer, size: Size, dst: Reg, src: Reg) {
    let enc = Encoding::op(Opcode::b2(0x0f, 0x7e))
        .mandatory(0x66)
        .wide(int_w(size));
    one(buf, |s| {
        emit_rm(s, enc, xmm(src), false, Rm::Reg(gpr(dst)), 0)
    });
}

/// A scalar SSE operation `op dst, src`.
pub(crate) fn sse(buf: &mut CodeBuffer, op: SseOp, dst: Reg, src: RegMem) {
    let (prefix, opcode) = op.encoding();
    let enc = Encoding::op(Opcode::b2(0x0f, opcode)).mandatory(prefix);
    one(buf, |s| emit_xmm_rm(s, enc, xmm(dst), &src, 0));
}

/// `ucomiss`/`ucomisd lhs, rhs`.
pub(crate) fn ucomis(buf: &mut CodeBuffer, size: FloatSize, lhs: Reg, rhs: RegMem) {
    let prefix = if size == FloatSize::F64 { 0x66 } else { 0 };
    let enc = Encoding::op(Opcode::b2(0x0f, 0x2e)).mandatory(prefix);
    one(buf, |s| emit_xmm_rm(s, enc, xmm(lhs), &rhs, 0));
}

/// `cvtsi2ss`/`cvtsi2sd dst, src`.
pub(crate) fn cvt_int_to_float(
    buf: &mut CodeBuffer,
    float: FloatSize,
    int: Size,
    dst: Reg,
    src: RegMem,
) {
    let enc = Encoding::op(Opcode::b2(0x0f, 0x2a))
        .mandatory(scalar_prefix(float))
        .wide(int_w(int));
    one(buf, |s| emit_rm(s, enc, xmm(dst), false, rm_gpr(&src), 0));
}

/// `cvttss2si`/`cvttsd2si dst, src`.
pub(crate) fn cvt_float_to_int(
    buf: &mut CodeBuffer,
    float: FloatSize,
    int: Size,
    dst: Reg,
    src: RegMem,
) {
    let enc = Encoding::op(Opcode::b2(0x0f, 0x2c))
        .mandatory(scalar_prefix(float))
        .wide(int_w(int));
    one(buf, |s| emit_xmm_rm(s, enc, gpr(dst), &src, 0));
}

/// `roundss`/`roundsd dst, src, mode`.
pub(crate) fn round(buf: &mut CodeBuffer, size: FloatSize, mode: RoundMode, dst: Reg, src: RegMem) {
    let opcode = if size == FloatSize::F32 { 0x0a } else { 0x0b };
    let enc = Encoding::op(Opcode::b3(0x0f, 0x3a, opcode)).mandatory(0x66);
    one(buf, |s| {
        emit_xmm_rm(s, enc, xmm(dst), &src, 1);
        s.put1(mode as u8);
    });
}

/// `cmpss`/`cmpsd dst, src, pred`.
pub(crate) fn xmm_cmp(
    buf: &mut CodeBuffer,
    size: FloatSize,
    pred: FloatCmp,
    dst: Reg,
    src: RegMem,
) {
    let enc = Encoding::op(Opcode::b2(0x0f, 0xc2)).mandatory(scalar_prefix(size));
    one(buf, |s| {
        emit_xmm_rm(s, enc, xmm(dst), &src, 1);
        s.put1(pred as u8);
    });
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

/// Overwrites `bytes` with `nop` instructions, as few as possible: for
/// code already emitted whose instructions turned out to be unneeded
/// (the baseline's unused register saves).
pub fn fill_with_nops(bytes: &mut [u8]) {
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = rest.len().min(NOPS.len() - 1);
        rest[..n].copy_from_slice(NOPS[n]);
        rest = &mut rest[n..];
    }
}

/// Emits `len` bytes of `nop` instructions, as few as possible.
pub(crate) fn nops(buf: &mut CodeBuffer, mut len: u32) {
    while len > 0 {
        let n = len.min(9);
        buf.put_bytes(NOPS[n as usize]);
        len -= n;
    }
}

/// `0xf3` for single precision, `0xf2` for double.
#[inline(always)]
fn scalar_prefix(size: FloatSize) -> u8 {
    match size {
        FloatSize::F32 => 0xf3,
        FloatSize::F64 => 0xf2,
    }
}

/// REX.W for a 32/64-bit integer operand of an SSE instruction.
#[inline(always)]
fn int_w(size: Size) -> bool {
    match size {
        Size::S32 => false,
        Size::S64 => true,
        Size::S8 | Size::S16 => panic!("SSE integer operands are 32 or 64 bits, not {size:?}"),
    }
}

#[inline(always)]
fn rm_gpr(rm: &RegMem) -> Rm<'_> {
    match rm {
        RegMem::Reg(r) => Rm::Reg(gpr(*r)),
        RegMem::Mem(a) => Rm::Mem(a),
    }
}

/// `op reg, xmm/m` where `reg` is already encoded.
#[inline(always)]
fn emit_xmm_rm(s: &mut Sink<'_>, enc: Encoding, reg: u8, src: &RegMem, trailing: u8) {
    let rm = match src {
        RegMem::Reg(r) => Rm::Reg(xmm(*r)),
        RegMem::Mem(a) => Rm::Mem(a),
    };
    emit_rm(s, enc, reg, false, rm, trailing);
}

/// `op dst, src` with an integer register `dst` in the `reg` field.
#[inline(always)]
fn emit_reg_rm(s: &mut Sink<'_>, enc: Encoding, dst: Reg, src: RegMem) {
    emit_rm(s, enc, gpr(dst), true, rm_gpr(&src), 0);
}

/// `movzx`/`movsx`: the source register is a byte register for `B*` modes.
#[inline(always)]
fn emit_extend(s: &mut Sink<'_>, mut enc: Encoding, ext: ExtMode, dst: Reg, src: RegMem) {
    // Only the source can be a byte register; the destination is 16+ bits.
    enc.byte_regs = ext.from_size() == Size::S8;
    emit_rm(s, enc, gpr(dst), false, rm_gpr(&src), 0);
}

/// The operand-size prefix of a ModRM-less instruction: `66` for 16 bits,
/// REX.W for 64.
#[inline(always)]
fn put_size_prefix(s: &mut Sink<'_>, size: Size) {
    match size {
        Size::S16 => s.put1(0x66),
        Size::S64 => s.put1(0x48),
        Size::S8 | Size::S32 => {}
    }
}

/// Bytes of a full-size immediate for `size` (32-bit immediates are
/// sign-extended for 64-bit operations).
#[inline(always)]
fn imm_len(size: Size) -> u8 {
    match size {
        Size::S8 => 1,
        Size::S16 => 2,
        Size::S32 | Size::S64 => 4,
    }
}

/// An immediate of `len` (1, 2 or 4) bytes.
#[inline(always)]
fn put_imm(s: &mut Sink<'_>, len: u8, imm: i32) {
    debug_assert!(
        match len {
            1 => (-128..=255).contains(&imm),
            2 => (-32768..=65535).contains(&imm),
            _ => true,
        },
        "{len}-byte immediate {imm} out of range"
    );
    s.put_first(imm.to_le_bytes(), usize::from(len));
}
