//! The shared x86-64 encoding core: legacy prefixes, REX, opcode, ModRM, SIB,
//! displacement. Every instruction with a ModRM byte goes through [`emit_rm`];
//! the per-form functions in `forms.rs` only choose prefixes, opcode bytes,
//! the `reg` field and the `r/m` operand, and append immediates.
//!
//! # Why it is shaped like this: the cost of a byte
//!
//! The baseline compiler spends a large part of its time here, so the
//! encoder is written for the instruction count per encoded instruction
//! (measured with callgrind on `benches/emit.rs`), not only for clarity:
//!
//! - **No capacity check before an instruction, one after.** The buffer
//!   always keeps at least [`RESERVE`] bytes of spare capacity (an
//!   invariant of `CodeBuffer::data`, restored by every method that
//!   appends). A [`Sink`] writes into it through a raw pointer with a
//!   cursor kept in a register and commits the length once at the end;
//!   then, if less than `RESERVE` is left, a cold out-of-line function
//!   grows the buffer, as a tail call. So the common path of an encoder
//!   makes no call at all, and need not keep values in callee-saved
//!   registers across one. (The same cold tail call records a RIP-relative
//!   operand's label fixup, which `use_label_rel32` parks in the buffer
//!   with plain stores: a `Vec::push` in the middle of `emit_rm` made
//!   every memory-operand encoder save registers.) Appending with
//!   `Vec::push` per byte costs a capacity check per byte, and worse,
//!   every byte store through the `Vec`'s data pointer may alias the
//!   `Vec`'s own length and capacity fields, so the compiler reloads and
//!   stores them around every byte.
//!   (An earlier version assembled into a `[u8; 16]` on the stack and
//!   copied it: slower, because a 16-byte load of freshly stored single
//!   bytes cannot be store-forwarded. Writing straight into the
//!   destination has no such load.)
//! - **Write whole, advance partly.** Optional and variable-length pieces
//!   are written at their full width and the cursor advances only over the
//!   part that counts: the two prefix slots, the REX byte (advance 0 or 1),
//!   the opcode (written as 4 bytes, advance 1–3), the displacement
//!   (written as 4 bytes, advance 0, 1 or 4) and immediates. This replaces
//!   data-dependent branches and byte loops by a store and an add; the
//!   bytes written past the cursor are overwritten by the next piece or lie
//!   beyond the instruction's end, in spare capacity that is never
//!   committed.
//! - **Fast paths by operand shape**: the register form and `[base + disp]`
//!   without an index (almost every load and store a compiler emits:
//!   locals, spill slots, `vmctx` fields, linear memory at a constant
//!   offset) are separate straight-line arms of `emit_rm`; only an index
//!   register or a RIP-relative label takes the general SIB/fixup path.
//! - **Constant folding**: `emit_rm` is always inlined into the per-form
//!   encoders, whose `Encoding` is built from constants, so prefixes,
//!   opcode length, REX.W and the byte-register rule fold away; only the
//!   operand-dependent parts remain. For that to hold for sized
//!   instructions too, the encoders hold one copy of their body per
//!   operand size (`specialize!` in `forms.rs`).
//!
//! Soundness of the raw writes does not depend on the encoders being
//! right: every write lands at `cursor & 15` plus at most 16 bytes, inside
//! the `RESERVE` = 32 bytes of spare capacity the buffer guarantees, and [`Sink::finish`] asserts that
//! the instruction is at most 15 bytes long before committing, which (the
//! cursor only grows) also proves the mask never wrapped, so every
//! committed byte was written.

use crate::buffer::{CodeBuffer, Label};
use crate::operand::Amode;
use crate::reg::{Reg, RegClass};
use crate::reloc::RelocTarget;

/// The longest x86 instruction, in bytes.
const MAX_INST_LEN: usize = 15;

/// Spare capacity the buffer keeps at all times: room for a write of up to
/// 16 bytes at any cursor position `0..16` (see [`Sink::write`]).
pub(crate) const RESERVE: usize = 32;

/// Where one instruction is encoded: writes straight into the buffer's
/// spare capacity and commits the length in [`Sink::finish`]. Label and
/// relocation records are made at the offsets the bytes land at.
///
/// Every `put*` method writes the bytes it advances over (that is the
/// invariant [`Sink::finish`] relies on to commit them).
pub(crate) struct Sink<'a> {
    buf: &'a mut CodeBuffer,
    /// The first byte of the instruction, with at least `RESERVE` bytes of
    /// spare capacity from here.
    start: *mut u8,
    /// Bytes written so far.
    len: usize,
    /// Whether the instruction has a label field, parked in the buffer by
    /// `use_label_rel32` and recorded by `finish`, after the bytes: the
    /// record is a `Vec::push`, which may call the allocator, and a call
    /// anywhere in the common path costs every encoder its callee-saved
    /// register saves.
    has_label_field: bool,
}

impl<'a> Sink<'a> {
    #[inline]
    pub fn new(buf: &'a mut CodeBuffer) -> Sink<'a> {
        let start = buf.inst_start();
        Sink {
            buf,
            start,
            len: 0,
            has_label_field: false,
        }
    }

    /// Writes `bytes` at the cursor without advancing it.
    #[inline(always)]
    fn write<const N: usize>(&mut self, bytes: [u8; N]) {
        const { assert!(N <= RESERVE - 16) };
        debug_assert!(self.len + N <= 16, "instruction overflows its 16 bytes");
        // SAFETY: `start` has `RESERVE` bytes of spare capacity (the
        // buffer's invariant, see `CodeBuffer::inst_start`; nothing reallocates the buffer's bytes while the
        // sink exists: it holds the only `&mut CodeBuffer`), and
        // `(len & 15) + N <= 15 + (RESERVE - 16) < RESERVE`. The write is
        // unaligned-safe and into `u8` storage, which any bytes initialize.
        unsafe {
            self.start
                .add(self.len & 15)
                .cast::<[u8; N]>()
                .write_unaligned(bytes);
        }
    }

    /// Writes `bytes` and advances over the first `n` of them (`n <= N`).
    #[inline(always)]
    pub fn put_first<const N: usize>(&mut self, bytes: [u8; N], n: usize) {
        self.write(bytes);
        // `min` keeps "advance only over written bytes" true even for a
        // wrong `n`; it folds away where `n`'s range is known.
        self.len += n.min(N);
    }

    #[inline(always)]
    pub fn put1(&mut self, byte: u8) {
        self.put_first([byte], 1);
    }

    #[inline(always)]
    pub fn put2(&mut self, value: u16) {
        self.put_first(value.to_le_bytes(), 2);
    }

    #[inline(always)]
    pub fn put4(&mut self, value: u32) {
        self.put_first(value.to_le_bytes(), 4);
    }

    #[inline(always)]
    pub fn put8(&mut self, value: u64) {
        self.put_first(value.to_le_bytes(), 8);
    }

    /// The code offset of the cursor.
    #[inline(always)]
    fn offset(&self) -> u32 {
        self.buf.cur_offset() + self.len as u32
    }

    /// A 4-byte PC-relative label field (see `CodeBuffer::use_label_rel32`),
    /// at most one per instruction.
    #[inline(always)]
    pub fn use_label_rel32(&mut self, label: Label, addend: i32) {
        debug_assert!(!self.has_label_field, "two label fields");
        let at = self.offset();
        self.buf.park_label_field(at, label, addend);
        self.has_label_field = true;
        self.put4(0);
    }

    /// A 4-byte relocated field (see `CodeBuffer::add_reloc`).
    #[inline]
    pub fn reloc_field(&mut self, target: RelocTarget, addend: i64) {
        let at = self.offset();
        self.buf.add_reloc_at(at, target, addend);
        self.put4(0);
    }

    /// Commits the instruction's bytes to the buffer.
    ///
    /// # Panics
    /// If more than 15 bytes were written (an encoder bug).
    #[inline(always)]
    pub fn finish(self) {
        assert!(self.len <= MAX_INST_LEN, "instruction longer than 15 bytes");
        // SAFETY: the cursor only grows, so `len <= 15` means it never
        // reached 16 and `len & 15 == len` at every write: each advance
        // went over bytes written at their true position, so the first
        // `len` bytes after `start` are initialized, and they are within
        // the spare capacity `Sink::new` started from.
        unsafe { self.buf.commit_inst(self.len, self.has_label_field) };
    }
}

/// The `r/m` operand of a ModRM-encoded instruction.
#[derive(Clone, Copy)]
pub(crate) enum Rm<'a> {
    /// A register, by hardware encoding (0..16).
    Reg(u8),
    /// A memory operand.
    Mem(&'a Amode),
}

/// One to three opcode bytes, stored so that they can be written as one
/// 4-byte store (see the module docs).
#[derive(Clone, Copy)]
pub(crate) struct Opcode {
    bytes: [u8; 4],
    len: u8,
}

impl Opcode {
    /// A one-byte opcode.
    pub const fn b1(a: u8) -> Opcode {
        Opcode {
            bytes: [a, 0, 0, 0],
            len: 1,
        }
    }

    /// A two-byte opcode (`0f xx`).
    pub const fn b2(a: u8, b: u8) -> Opcode {
        Opcode {
            bytes: [a, b, 0, 0],
            len: 2,
        }
    }

    /// A three-byte opcode (`0f 38 xx`, `0f 3a xx`).
    pub const fn b3(a: u8, b: u8, c: u8) -> Opcode {
        Opcode {
            bytes: [a, b, c, 0],
            len: 3,
        }
    }
}

/// How one ModRM-encoded instruction is laid out, apart from its operands.
#[derive(Clone, Copy)]
pub(crate) struct Encoding {
    /// Legacy prefixes in order (`0x66` operand size first, then a mandatory
    /// `0xf2`/`0xf3`/`0x66` SSE prefix). Zero bytes are absent, and only
    /// the second may be absent when the first is present.
    pub prefixes: [u8; 2],
    /// REX.W (64-bit operand size).
    pub w: bool,
    /// Opcode bytes, after the REX prefix.
    pub opcode: Opcode,
    /// Force a REX prefix when a byte register 4..8 appears, so that the
    /// encoding means `spl`/`bpl`/`sil`/`dil` and not `ah`/`ch`/`dh`/`bh`.
    pub byte_regs: bool,
}

impl Encoding {
    /// An encoding with no prefixes, no REX.W and no byte registers.
    pub const fn op(opcode: Opcode) -> Encoding {
        Encoding {
            prefixes: [0, 0],
            w: false,
            opcode,
            byte_regs: false,
        }
    }

    /// The usual integer encoding for operand `size`: `0x66` for 16 bits,
    /// REX.W for 64 bits, byte-register REX rules for 8 bits.
    ///
    /// Written without branches on `size`: where the size is not a
    /// constant, a `match` here compiles to a jump table in every encoder.
    #[inline(always)]
    pub const fn sized(size: crate::Size, opcode: Opcode) -> Encoding {
        Encoding {
            prefixes: [0x66 * matches!(size, crate::Size::S16) as u8, 0],
            w: matches!(size, crate::Size::S64),
            opcode,
            byte_regs: matches!(size, crate::Size::S8),
        }
    }

    /// This encoding with the SSE mandatory prefix `prefix` (`0x66`, `0xf2`,
    /// `0xf3`; 0 for none).
    pub const fn mandatory(mut self, prefix: u8) -> Encoding {
        if self.prefixes[0] == 0 {
            self.prefixes[0] = prefix;
        } else {
            self.prefixes[1] = prefix;
        }
        self
    }

    /// This encoding with REX.W set to `w`.
    pub const fn wide(mut self, w: bool) -> Encoding {
        self.w = w;
        self
    }
}

/// The hardware encoding of a physical general-purpose register.
///
/// Virtual registers and registers of the wrong class reaching the encoder
/// are compiler bugs caught in debug builds.
#[inline]
pub(crate) fn gpr(reg: Reg) -> u8 {
    debug_assert!(
        !reg.is_virtual(),
        "virtual register {reg:?} reached the encoder"
    );
    debug_assert_eq!(
        reg.class(),
        RegClass::Int,
        "{reg:?} used as an integer register"
    );
    (reg.bits() & 15) as u8
}

/// The hardware encoding of a physical `xmm` register (see [`gpr`]).
#[inline]
pub(crate) fn xmm(reg: Reg) -> u8 {
    debug_assert!(
        !reg.is_virtual(),
        "virtual register {reg:?} reached the encoder"
    );
    debug_assert_eq!(
        reg.class(),
        RegClass::Float,
        "{reg:?} used as an xmm register"
    );
    (reg.bits() & 15) as u8
}

/// Whether `enc` used as a byte register requires a REX prefix (4..8 are
/// `spl`, `bpl`, `sil`, `dil` with REX, `ah`, `ch`, `dh`, `bh` without).
#[inline(always)]
fn is_rex_byte_reg(enc: u8) -> bool {
    enc & 0b1100 == 0b0100
}

/// Whether `disp` fits a sign-extended 8-bit displacement or immediate.
#[inline]
pub(crate) fn fits_i8(value: i64) -> bool {
    value == value as i8 as i64
}

/// Emits prefixes, REX, opcode, ModRM, SIB and displacement.
///
/// `reg` is the ModRM `reg` field: a register encoding or an opcode
/// extension (`/digit`); `reg_is_byte_reg` says whether it names a byte
/// register (for the REX rule). `trailing` is the number of immediate bytes
/// the caller appends afterwards, which a RIP-relative displacement must
/// account for (it is relative to the end of the instruction).
#[inline(always)]
pub(crate) fn emit_rm(
    buf: &mut Sink<'_>,
    enc: Encoding,
    reg: u8,
    reg_is_byte_reg: bool,
    rm: Rm<'_>,
    trailing: u8,
) {
    let [p0, p1] = enc.prefixes;
    buf.put_first(enc.prefixes, usize::from(p0 != 0) + usize::from(p1 != 0));
    let rex_wr = 0x40 | (u8::from(enc.w) << 3) | ((reg >> 3) << 2);
    let force_rex = enc.byte_regs && reg_is_byte_reg && is_rex_byte_reg(reg);
    let reg = reg & 7;
    match rm {
        Rm::Reg(r) => {
            let rex = rex_wr | (r >> 3);
            let force_rex = force_rex || (enc.byte_regs && is_rex_byte_reg(r));
            put_rex_opcode(buf, rex, force_rex, enc.opcode);
            buf.put1(modrm(0b11, reg, r & 7));
        }
        Rm::Mem(&Amode::BaseIndex {
            base,
            index: None,
            disp,
        }) => {
            let base = gpr(base);
            put_rex_opcode(buf, rex_wr | (base >> 3), force_rex, enc.opcode);
            let base = base & 7;
            let md = disp_mode(disp, base);
            if base == 4 {
                // rsp/r12 as base need a SIB byte; index 100 means "none".
                buf.put2(u16::from_le_bytes([
                    modrm(md, reg, 0b100),
                    sib(0, 0b100, 0b100),
                ]));
            } else {
                buf.put1(modrm(md, reg, base));
            }
            put_disp(buf, md, disp);
        }
        Rm::Mem(&Amode::BaseIndex {
            base,
            index: Some((index, scale)),
            disp,
        }) => {
            let (base, index) = (gpr(base), gpr(index));
            assert!(
                index != 4,
                "rsp cannot be an index register in an x86-64 address"
            );
            let rex = rex_wr | ((index >> 3) << 1) | (base >> 3);
            put_rex_opcode(buf, rex, force_rex, enc.opcode);
            let base = base & 7;
            let md = disp_mode(disp, base);
            buf.put2(u16::from_le_bytes([
                modrm(md, reg, 0b100),
                sib(scale.log2(), index & 7, base),
            ]));
            put_disp(buf, md, disp);
        }
        Rm::Mem(&Amode::Rip { label, disp }) => {
            put_rex_opcode(buf, rex_wr, force_rex, enc.opcode);
            buf.put1(modrm(0b00, reg, 0b101));
            // The CPU adds the displacement to the address of the next
            // instruction: 4 displacement bytes plus `trailing` immediates.
            buf.use_label_rel32(label, disp - 4 - i32::from(trailing));
        }
    }
}

/// An optional REX prefix (when any of W/R/X/B is set or `force`d), then the
/// opcode.
#[inline(always)]
fn put_rex_opcode(buf: &mut Sink<'_>, rex: u8, force: bool, opcode: Opcode) {
    buf.put_first([rex], usize::from(rex != 0x40 || force));
    buf.put_first(opcode.bytes, usize::from(opcode.len));
}

/// The ModRM `mod` field for a `[base + disp]` address (`base` & 7): no
/// displacement, disp8 or disp32.
#[inline(always)]
fn disp_mode(disp: i32, base: u8) -> u8 {
    // rbp/r13 as base with mod=00 would mean RIP/disp32: use disp8 0.
    if disp == 0 && base != 5 {
        0b00
    } else if fits_i8(disp.into()) {
        0b01
    } else {
        0b10
    }
}

/// The displacement for `mod` field `md`: none, 1 byte or 4 bytes.
#[inline(always)]
fn put_disp(buf: &mut Sink<'_>, md: u8, disp: i32) {
    // mod 00 → 0 bytes, 01 → 1, 10 → 4.
    let md = usize::from(md);
    buf.put_first(disp.to_le_bytes(), md * md);
}

#[inline(always)]
fn modrm(md: u8, reg: u8, rm: u8) -> u8 {
    (md << 6) | (reg << 3) | rm
}

#[inline(always)]
fn sib(scale: u8, index: u8, base: u8) -> u8 {
    (scale << 6) | (index << 3) | base
}

/// Emits an optional REX prefix (B bit from `reg`, W from `w`) and the
/// one-byte opcode `opcode + (reg & 7)`: the `push`/`pop`/`mov r, imm` form.
#[inline]
pub(crate) fn emit_opcode_plus_reg(
    buf: &mut Sink<'_>,
    prefix66: bool,
    w: bool,
    byte_reg: bool,
    opcode: u8,
    reg: u8,
) {
    buf.put_first([0x66], usize::from(prefix66));
    let rex = 0x40 | (u8::from(w) << 3) | (reg >> 3);
    buf.put_first(
        [rex],
        usize::from(rex != 0x40 || (byte_reg && is_rex_byte_reg(reg))),
    );
    buf.put1(opcode + (reg & 7));
}
