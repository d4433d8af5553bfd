//! `Assembler`: one method per instruction, each emitting it at once — the
//! interface of the single-pass compiler.
//!
//! There is deliberately no second encoder here: every method calls the
//! per-form function of `forms.rs` that `Inst::emit` calls for the
//! corresponding [`Inst`] (skipping the `Inst` itself, for speed), so the
//! bytes the baseline compiler produces are exactly those the encoding
//! tests check; `tests/assembler_matches_inst.rs` holds each method to its
//! `Inst`.

use crate::buffer::{CodeBuffer, FinishedCode, Label, UnboundLabel};
use crate::forms;
use crate::inst::{AluOp, BitOp, FloatCmp, Inst, MulDivOp, RoundMode, ShiftOp, SseOp, UnaryOp};
use crate::operand::{
    Amode, Cond, ExtMode, FloatSize, RegImm, RegMem, RegMemImm, Scale, ShiftAmount, Size,
};
use crate::reg::Reg;
use crate::reloc::RelocTarget;
use crate::trap::TrapCode;

/// Emits instructions into an owned [`CodeBuffer`]. Reusable across
/// functions: [`Assembler::clear`] keeps every allocation.
#[derive(Default)]
pub struct Assembler {
    buf: CodeBuffer,
}

macro_rules! alu_methods {
    ($($(#[$doc:meta])* $name:ident, $mem_name:ident => $op:ident;)*) => {$(
        $(#[$doc])*
        #[inline]
        pub fn $name(&mut self, size: Size, dst: impl Into<Reg>, src: impl Into<RegMemImm>) {
            forms::alu(&mut self.buf, AluOp::$op, size, dst.into(), src.into());
        }

        $(#[$doc])*
        /// (Memory destination form.)
        #[inline]
        pub fn $mem_name(&mut self, size: Size, dst: Amode, src: impl Into<RegImm>) {
            forms::alu_store(&mut self.buf, AluOp::$op, size, &dst, src.into());
        }
    )*};
}

/// Methods whose body is one call; `buf` names the buffer in the bodies.
macro_rules! one_call_methods {
    ($buf:ident; $($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) => $body:expr;)*) => {$(
        $(#[$doc])*
        #[inline]
        pub fn $name(&mut self, $($arg: $ty),*) {
            let $buf = &mut self.buf;
            $body;
        }
    )*};
}

macro_rules! sse_methods {
    ($($name:ident => $op:ident,)*) => {$(
        #[doc = concat!("`", stringify!($name), " dst, src`.")]
        #[inline]
        pub fn $name(&mut self, dst: impl Into<Reg>, src: impl Into<RegMem>) {
            forms::sse(&mut self.buf, SseOp::$op, dst.into(), src.into());
        }
    )*};
}

impl Assembler {
    /// An empty assembler.
    pub fn new() -> Assembler {
        Assembler::default()
    }

    /// The underlying buffer (labels, offsets, traps, relocations).
    #[inline]
    pub fn buffer(&self) -> &CodeBuffer {
        &self.buf
    }

    /// The underlying buffer, mutably.
    #[inline]
    pub fn buffer_mut(&mut self) -> &mut CodeBuffer {
        &mut self.buf
    }

    /// Empties the buffer for the next function, keeping allocations.
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// Resolves labels and appends constants; see [`CodeBuffer::finish`].
    pub fn finish(&mut self) -> Result<FinishedCode<'_>, UnboundLabel> {
        self.buf.finish()
    }

    /// Emits `inst`.
    #[inline]
    pub fn emit(&mut self, inst: Inst) {
        inst.emit(&mut self.buf);
    }

    /// The current code offset.
    #[inline]
    pub fn offset(&self) -> u32 {
        self.buf.cur_offset()
    }

    /// A new label ([`CodeBuffer::new_label`]).
    #[inline]
    pub fn new_label(&mut self) -> Label {
        self.buf.new_label()
    }

    /// Binds `label` here ([`CodeBuffer::bind_label`]).
    #[inline]
    pub fn bind_label(&mut self, label: Label) {
        self.buf.bind_label(label);
    }

    /// Records that the next instruction may trap with `code`.
    #[inline]
    pub fn add_trap(&mut self, code: TrapCode) {
        self.buf.add_trap(code);
    }

    /// Overwrites an already emitted 32-bit field
    /// ([`CodeBuffer::patch_u32`], which states the contract).
    #[inline]
    pub fn patch_u32(&mut self, at: u32, value: u32) {
        self.buf.patch_u32(at, value);
    }

    /// A constant-pool label ([`CodeBuffer::constant`]).
    #[inline]
    pub fn constant(&mut self, bytes: &[u8], align: u32) -> Label {
        self.buf.constant(bytes, align)
    }

    /// `mov dst, src` (register copy or load).
    #[inline]
    pub fn mov_rm(&mut self, size: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::mov(&mut self.buf, size, dst.into(), src.into());
    }

    /// `mov [dst], src` (store).
    #[inline]
    pub fn mov_mr(&mut self, size: Size, dst: Amode, src: impl Into<Reg>) {
        forms::mov_store(&mut self.buf, size, &dst, src.into());
    }

    /// `mov dst, imm` (see [`Inst::MovImm`] for the 64-bit encodings).
    #[inline]
    pub fn mov_ri(&mut self, size: Size, dst: impl Into<Reg>, imm: u64) {
        forms::mov_imm(&mut self.buf, size, dst.into(), imm);
    }

    /// `mov [dst], imm`.
    #[inline]
    pub fn mov_mi(&mut self, size: Size, dst: Amode, imm: i32) {
        forms::mov_imm_store(&mut self.buf, size, &dst, imm);
    }

    /// `movzx dst, src` (`mov r32, r/m32` for [`ExtMode::LQ`]).
    #[inline]
    pub fn movzx(&mut self, ext: ExtMode, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::movzx(&mut self.buf, ext, dst.into(), src.into());
    }

    /// `movsx dst, src` (`movsxd` for [`ExtMode::LQ`]).
    #[inline]
    pub fn movsx(&mut self, ext: ExtMode, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::movsx(&mut self.buf, ext, dst.into(), src.into());
    }

    /// `lea dst, [addr]`.
    #[inline]
    pub fn lea(&mut self, size: Size, dst: impl Into<Reg>, addr: Amode) {
        forms::lea(&mut self.buf, size, dst.into(), &addr);
    }

    alu_methods! {
        /// `add dst, src`.
        add, add_mem => Add;
        /// `sub dst, src`.
        sub, sub_mem => Sub;
        /// `and dst, src`.
        and, and_mem => And;
        /// `or dst, src`.
        or, or_mem => Or;
        /// `xor dst, src`.
        xor, xor_mem => Xor;
        /// `cmp dst, src` (flags only).
        cmp, cmp_mem => Cmp;
        /// `adc dst, src`.
        adc, adc_mem => Adc;
        /// `sbb dst, src`.
        sbb, sbb_mem => Sbb;
    }

    /// Any ALU operation with a register destination.
    #[inline]
    pub fn alu(&mut self, op: AluOp, size: Size, dst: impl Into<Reg>, src: impl Into<RegMemImm>) {
        forms::alu(&mut self.buf, op, size, dst.into(), src.into());
    }

    /// `test lhs, rhs`.
    #[inline]
    pub fn test(&mut self, size: Size, lhs: impl Into<RegMem>, rhs: impl Into<RegImm>) {
        forms::test(&mut self.buf, size, lhs.into(), rhs.into());
    }

    one_call_methods! {
        buf;
        /// `neg dst`.
        neg(size: Size, dst: impl Into<Reg>) => forms::unary(buf, UnaryOp::Neg, size, dst.into());
        /// `not dst`.
        not(size: Size, dst: impl Into<Reg>) => forms::unary(buf, UnaryOp::Not, size, dst.into());
        /// `mul src`: `rdx:rax = rax * src` (unsigned).
        mul(size: Size, src: impl Into<RegMem>) => forms::mul_div(buf, MulDivOp::Mul, size, src.into());
        /// `div src`: unsigned divide of `rdx:rax`.
        div(size: Size, src: impl Into<RegMem>) => forms::mul_div(buf, MulDivOp::Div, size, src.into());
        /// `idiv src`: signed divide of `rdx:rax`.
        idiv(size: Size, src: impl Into<RegMem>) => forms::mul_div(buf, MulDivOp::Idiv, size, src.into());
        /// `cdq`: sign-extend `eax` into `edx`.
        cdq() => forms::sign_extend_ax(buf, Size::S32);
        /// `cqo`: sign-extend `rax` into `rdx`.
        cqo() => forms::sign_extend_ax(buf, Size::S64);
        /// `set<cond> dst` (low byte only).
        setcc(cond: Cond, dst: impl Into<Reg>) => forms::setcc(buf, cond, dst.into());
        /// `jmp target`.
        jmp(target: Label) => buf.jmp(target);
        /// `j<cond> target`.
        jcc(cond: Cond, target: Label) => buf.jcc(cond, target);
        /// `jmp reg`.
        jmp_reg(target: impl Into<Reg>) => forms::jmp_reg(buf, target.into());
        /// `call rel32` to `target` (records a relocation).
        call(target: RelocTarget) => forms::call(buf, target);
        /// `call reg` / `call [mem]`.
        call_ind(target: impl Into<RegMem>) => forms::call_ind(buf, target.into());
        /// `ret`.
        ret() => forms::ret(buf);
        /// `push src`.
        push(src: impl Into<Reg>) => forms::push(buf, src.into());
        /// `pop dst`.
        pop(dst: impl Into<Reg>) => forms::pop(buf, dst.into());
        /// `ud2`.
        ud2() => forms::ud2(buf);
        /// `len` bytes of `nop`.
        nop(len: u8) => forms::nops(buf, len.into());
    }

    /// `imul dst, src`.
    #[inline]
    pub fn imul(&mut self, size: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::imul(&mut self.buf, size, dst.into(), src.into());
    }

    /// `imul dst, src, imm`.
    #[inline]
    pub fn imul_imm(&mut self, size: Size, dst: impl Into<Reg>, src: impl Into<RegMem>, imm: i32) {
        forms::imul_imm(&mut self.buf, size, dst.into(), src.into(), imm);
    }

    /// Shift or rotate `dst` by `cl` or an immediate.
    #[inline]
    pub fn shift(&mut self, op: ShiftOp, size: Size, dst: impl Into<Reg>, amount: ShiftAmount) {
        forms::shift(&mut self.buf, op, size, dst.into(), amount);
    }

    /// `shl dst, amount`.
    #[inline]
    pub fn shl(&mut self, size: Size, dst: impl Into<Reg>, amount: ShiftAmount) {
        self.shift(ShiftOp::Shl, size, dst, amount);
    }

    /// `shr dst, amount`.
    #[inline]
    pub fn shr(&mut self, size: Size, dst: impl Into<Reg>, amount: ShiftAmount) {
        self.shift(ShiftOp::Shr, size, dst, amount);
    }

    /// `sar dst, amount`.
    #[inline]
    pub fn sar(&mut self, size: Size, dst: impl Into<Reg>, amount: ShiftAmount) {
        self.shift(ShiftOp::Sar, size, dst, amount);
    }

    /// `rol dst, amount`.
    #[inline]
    pub fn rol(&mut self, size: Size, dst: impl Into<Reg>, amount: ShiftAmount) {
        self.shift(ShiftOp::Rol, size, dst, amount);
    }

    /// `ror dst, amount`.
    #[inline]
    pub fn ror(&mut self, size: Size, dst: impl Into<Reg>, amount: ShiftAmount) {
        self.shift(ShiftOp::Ror, size, dst, amount);
    }

    /// `bsf`/`bsr`/`lzcnt`/`tzcnt`/`popcnt dst, src`.
    #[inline]
    pub fn bit_op(&mut self, op: BitOp, size: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::bit_op(&mut self.buf, op, size, dst.into(), src.into());
    }

    /// `bsf dst, src`.
    #[inline]
    pub fn bsf(&mut self, size: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        self.bit_op(BitOp::Bsf, size, dst, src);
    }

    /// `bsr dst, src`.
    #[inline]
    pub fn bsr(&mut self, size: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        self.bit_op(BitOp::Bsr, size, dst, src);
    }

    /// `lzcnt dst, src`.
    #[inline]
    pub fn lzcnt(&mut self, size: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        self.bit_op(BitOp::Lzcnt, size, dst, src);
    }

    /// `tzcnt dst, src`.
    #[inline]
    pub fn tzcnt(&mut self, size: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        self.bit_op(BitOp::Tzcnt, size, dst, src);
    }

    /// `popcnt dst, src`.
    #[inline]
    pub fn popcnt(&mut self, size: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        self.bit_op(BitOp::Popcnt, size, dst, src);
    }

    /// `cmov<cond> dst, src`.
    #[inline]
    pub fn cmov(&mut self, cond: Cond, size: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::cmov(&mut self.buf, cond, size, dst.into(), src.into());
    }

    /// `movss dst, src` (load, or register merge).
    #[inline]
    pub fn movss(&mut self, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::xmm_mov(&mut self.buf, FloatSize::F32, dst.into(), src.into());
    }

    /// `movsd dst, src` (load, or register merge).
    #[inline]
    pub fn movsd(&mut self, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::xmm_mov(&mut self.buf, FloatSize::F64, dst.into(), src.into());
    }

    /// `movss [dst], src`.
    #[inline]
    pub fn movss_store(&mut self, dst: Amode, src: impl Into<Reg>) {
        forms::xmm_store(&mut self.buf, FloatSize::F32, &dst, src.into());
    }

    /// `movsd [dst], src`.
    #[inline]
    pub fn movsd_store(&mut self, dst: Amode, src: impl Into<Reg>) {
        forms::xmm_store(&mut self.buf, FloatSize::F64, &dst, src.into());
    }

    /// `movaps dst, src` (register copy).
    #[inline]
    pub fn movaps(&mut self, dst: impl Into<Reg>, src: impl Into<Reg>) {
        forms::movaps(&mut self.buf, dst.into(), src.into());
    }

    /// `movd xmm, r/m32`.
    #[inline]
    pub fn movd_to_xmm(&mut self, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::gpr_to_xmm(&mut self.buf, Size::S32, dst.into(), src.into());
    }

    /// `movq xmm, r/m64`.
    #[inline]
    pub fn movq_to_xmm(&mut self, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::gpr_to_xmm(&mut self.buf, Size::S64, dst.into(), src.into());
    }

    /// `movd r32, xmm`.
    #[inline]
    pub fn movd_from_xmm(&mut self, dst: impl Into<Reg>, src: impl Into<Reg>) {
        forms::xmm_to_gpr(&mut self.buf, Size::S32, dst.into(), src.into());
    }

    /// `movq r64, xmm`.
    #[inline]
    pub fn movq_from_xmm(&mut self, dst: impl Into<Reg>, src: impl Into<Reg>) {
        forms::xmm_to_gpr(&mut self.buf, Size::S64, dst.into(), src.into());
    }

    sse_methods! {
        addss => Addss, addsd => Addsd, subss => Subss, subsd => Subsd,
        mulss => Mulss, mulsd => Mulsd, divss => Divss, divsd => Divsd,
        sqrtss => Sqrtss, sqrtsd => Sqrtsd, minss => Minss, minsd => Minsd,
        maxss => Maxss, maxsd => Maxsd, andps => Andps, andpd => Andpd,
        andnps => Andnps, orps => Orps, xorps => Xorps,
        cvtss2sd => Cvtss2sd, cvtsd2ss => Cvtsd2ss,
    }

    /// `ucomiss lhs, rhs`.
    #[inline]
    pub fn ucomiss(&mut self, lhs: impl Into<Reg>, rhs: impl Into<RegMem>) {
        forms::ucomis(&mut self.buf, FloatSize::F32, lhs.into(), rhs.into());
    }

    /// `ucomisd lhs, rhs`.
    #[inline]
    pub fn ucomisd(&mut self, lhs: impl Into<Reg>, rhs: impl Into<RegMem>) {
        forms::ucomis(&mut self.buf, FloatSize::F64, lhs.into(), rhs.into());
    }

    /// `cvtsi2ss dst, src` from a signed `int`-sized integer (`S32`/`S64`).
    #[inline]
    pub fn cvtsi2ss(&mut self, int: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::cvt_int_to_float(&mut self.buf, FloatSize::F32, int, dst.into(), src.into());
    }

    /// `cvtsi2sd dst, src` from a signed `int`-sized integer (`S32`/`S64`).
    #[inline]
    pub fn cvtsi2sd(&mut self, int: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::cvt_int_to_float(&mut self.buf, FloatSize::F64, int, dst.into(), src.into());
    }

    /// `cvttss2si dst, src` to a signed `int`-sized integer (`S32`/`S64`).
    #[inline]
    pub fn cvttss2si(&mut self, int: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::cvt_float_to_int(&mut self.buf, FloatSize::F32, int, dst.into(), src.into());
    }

    /// `cvttsd2si dst, src` to a signed `int`-sized integer (`S32`/`S64`).
    #[inline]
    pub fn cvttsd2si(&mut self, int: Size, dst: impl Into<Reg>, src: impl Into<RegMem>) {
        forms::cvt_float_to_int(&mut self.buf, FloatSize::F64, int, dst.into(), src.into());
    }

    /// `roundss dst, src, mode`.
    #[inline]
    pub fn roundss(&mut self, dst: impl Into<Reg>, src: impl Into<RegMem>, mode: RoundMode) {
        forms::round(&mut self.buf, FloatSize::F32, mode, dst.into(), src.into());
    }

    /// `roundsd dst, src, mode`.
    #[inline]
    pub fn roundsd(&mut self, dst: impl Into<Reg>, src: impl Into<RegMem>, mode: RoundMode) {
        forms::round(&mut self.buf, FloatSize::F64, mode, dst.into(), src.into());
    }

    /// `cmpss dst, src, pred`.
    #[inline]
    pub fn cmpss(&mut self, dst: impl Into<Reg>, src: impl Into<RegMem>, pred: FloatCmp) {
        forms::xmm_cmp(&mut self.buf, FloatSize::F32, pred, dst.into(), src.into());
    }

    /// `cmpsd dst, src, pred`.
    #[inline]
    pub fn cmpsd(&mut self, dst: impl Into<Reg>, src: impl Into<RegMem>, pred: FloatCmp) {
        forms::xmm_cmp(&mut self.buf, FloatSize::F64, pred, dst.into(), src.into());
    }

    /// A jump through a table: jumps to `targets[index]`, where `index` holds
    /// a zero-extended 64-bit value already known to be in bounds. `base` and
    /// `tmp` are scratch registers (distinct from each other and `index`).
    ///
    /// Emits `lea base, [rip+table]; movsxd tmp, [base+index*4];
    /// add tmp, base; jmp tmp`, then the 4-byte-aligned table of
    /// `target - table` entries.
    pub fn jump_table(
        &mut self,
        index: impl Into<Reg>,
        base: impl Into<Reg>,
        tmp: impl Into<Reg>,
        targets: &[Label],
    ) {
        let (index, base, tmp) = (index.into(), base.into(), tmp.into());
        let table = self.new_label();
        self.lea(Size::S64, base, Amode::rip(table));
        self.movsx(
            ExtMode::LQ,
            tmp,
            Amode::base_index(base, index, Scale::Four, 0),
        );
        self.add(Size::S64, tmp, base);
        self.jmp_reg(tmp);
        self.buf.align_code(4);
        self.bind_label(table);
        for &target in targets {
            self.buf.jump_table_entry(table, target);
        }
    }
}
