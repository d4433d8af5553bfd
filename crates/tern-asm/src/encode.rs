//! The shared x86-64 encoding core: legacy prefixes, REX, opcode, ModRM, SIB,
//! displacement. Every instruction with a ModRM byte goes through [`emit_rm`];
//! the per-instruction code in `inst.rs` only chooses prefixes, opcode bytes,
//! the `reg` field and the `r/m` operand, and appends immediates.

use crate::buffer::{CodeBuffer, Label};
use crate::operand::Amode;
use crate::reg::{Reg, RegClass};
use crate::reloc::RelocTarget;

/// Where one instruction is encoded: appends straight to the buffer, and
/// makes label and relocation records at the right offsets.
///
/// (Measured: building the instruction in a 16-byte stack array and copying
/// it in one go was ~20% slower than direct pushes — the byte stores followed
/// by a 16-byte load defeat store forwarding. Small variable-length copies
/// are done byte by byte because `extend_from_slice` calls `memmove`.)
pub(crate) struct Sink<'a> {
    buf: &'a mut CodeBuffer,
}

impl<'a> Sink<'a> {
    #[inline]
    pub fn new(buf: &'a mut CodeBuffer) -> Sink<'a> {
        Sink { buf }
    }

    #[inline]
    pub fn put1(&mut self, byte: u8) {
        self.buf.put1(byte);
    }

    #[inline]
    pub fn put2(&mut self, value: u16) {
        self.buf.put2(value);
    }

    #[inline]
    pub fn put4(&mut self, value: u32) {
        self.buf.put4(value);
    }

    #[inline]
    pub fn put8(&mut self, value: u64) {
        self.buf.put8(value);
    }

    /// Appends a few bytes (opcodes, prefixes).
    #[inline]
    pub fn put_bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.buf.put1(b);
        }
    }

    /// A 4-byte PC-relative label field (see `CodeBuffer::use_label_rel32`).
    #[inline]
    pub fn use_label_rel32(&mut self, label: Label, addend: i32) {
        self.buf.use_label_rel32(label, addend);
    }

    /// A 4-byte relocated field (see `CodeBuffer::add_reloc`).
    #[inline]
    pub fn reloc_field(&mut self, target: RelocTarget, addend: i64) {
        self.buf.add_reloc(target, addend);
        self.buf.put4(0);
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

/// How one ModRM-encoded instruction is laid out, apart from its operands.
#[derive(Clone, Copy)]
pub(crate) struct Encoding {
    /// Legacy prefixes in order (`0x66` operand size first, then a mandatory
    /// `0xf2`/`0xf3`/`0x66` SSE prefix). Zero bytes are absent.
    pub prefixes: [u8; 2],
    /// REX.W (64-bit operand size).
    pub w: bool,
    /// Opcode bytes (1 to 3), after the REX prefix.
    pub opcode: &'static [u8],
    /// Force a REX prefix when a byte register 4..8 appears, so that the
    /// encoding means `spl`/`bpl`/`sil`/`dil` and not `ah`/`ch`/`dh`/`bh`.
    pub byte_regs: bool,
}

impl Encoding {
    /// An encoding with no prefixes, no REX.W and no byte registers.
    pub const fn op(opcode: &'static [u8]) -> Encoding {
        Encoding {
            prefixes: [0, 0],
            w: false,
            opcode,
            byte_regs: false,
        }
    }

    /// The usual integer encoding for operand `size`: `0x66` for 16 bits,
    /// REX.W for 64 bits, byte-register REX rules for 8 bits.
    pub const fn sized(size: crate::Size, opcode: &'static [u8]) -> Encoding {
        let mut e = Encoding::op(opcode);
        match size {
            crate::Size::S8 => e.byte_regs = true,
            crate::Size::S16 => e.prefixes[0] = 0x66,
            crate::Size::S32 => {}
            crate::Size::S64 => e.w = true,
        }
        e
    }

    /// This encoding with the SSE mandatory prefix `prefix` (`0x66`, `0xf2`, `0xf3`).
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
#[inline]
fn is_rex_byte_reg(enc: u8) -> bool {
    (4..8).contains(&enc)
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
#[inline]
pub(crate) fn emit_rm(
    buf: &mut Sink<'_>,
    enc: Encoding,
    reg: u8,
    reg_is_byte_reg: bool,
    rm: Rm<'_>,
    trailing: u8,
) {
    for p in enc.prefixes {
        if p != 0 {
            buf.put1(p);
        }
    }
    let mut rex = 0x40 | (u8::from(enc.w) << 3) | ((reg >> 3) << 2);
    let mut force = enc.byte_regs && reg_is_byte_reg && is_rex_byte_reg(reg);
    match rm {
        Rm::Reg(r) => {
            rex |= r >> 3;
            force |= enc.byte_regs && is_rex_byte_reg(r);
        }
        Rm::Mem(Amode::BaseIndex { base, index, .. }) => {
            rex |= gpr(*base) >> 3;
            if let Some((index, _)) = index {
                rex |= (gpr(*index) >> 3) << 1;
            }
        }
        Rm::Mem(Amode::Rip { .. }) => {}
    }
    if rex != 0x40 || force {
        buf.put1(rex);
    }
    buf.put_bytes(enc.opcode);
    let reg = reg & 7;
    match rm {
        Rm::Reg(r) => buf.put1(modrm(0b11, reg, r & 7)),
        Rm::Mem(&Amode::BaseIndex { base, index, disp }) => {
            let base = gpr(base) & 7;
            // rbp/r13 as base with mod=00 would mean RIP/disp32: use disp8 0.
            let md = if disp == 0 && base != 5 {
                0b00
            } else if fits_i8(disp.into()) {
                0b01
            } else {
                0b10
            };
            match index {
                None if base != 4 => buf.put1(modrm(md, reg, base)),
                // rsp/r12 as base need a SIB byte; index 100 means "none".
                None => {
                    buf.put1(modrm(md, reg, 0b100));
                    buf.put1(sib(0, 0b100, base));
                }
                Some((index, scale)) => {
                    let index = gpr(index);
                    assert!(
                        index != 4,
                        "rsp cannot be an index register in an x86-64 address"
                    );
                    buf.put1(modrm(md, reg, 0b100));
                    buf.put1(sib(scale.log2(), index & 7, base));
                }
            }
            match md {
                0b00 => {}
                0b01 => buf.put1(disp as u8),
                _ => buf.put4(disp as u32),
            }
        }
        Rm::Mem(&Amode::Rip { label, disp }) => {
            buf.put1(modrm(0b00, reg, 0b101));
            // The CPU adds the displacement to the address of the next
            // instruction: 4 displacement bytes plus `trailing` immediates.
            buf.use_label_rel32(label, disp - 4 - i32::from(trailing));
        }
    }
}

#[inline]
fn modrm(md: u8, reg: u8, rm: u8) -> u8 {
    (md << 6) | (reg << 3) | rm
}

#[inline]
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
    if prefix66 {
        buf.put1(0x66);
    }
    let rex = 0x40 | (u8::from(w) << 3) | (reg >> 3);
    if rex != 0x40 || (byte_reg && is_rex_byte_reg(reg)) {
        buf.put1(rex);
    }
    buf.put1(opcode + (reg & 7));
}
