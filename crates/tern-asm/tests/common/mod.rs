//! Shared helpers for the encoding tests: emit one instruction, decode it
//! with iced-x86 (an independent decoder) and compare mnemonic, operands and
//! length with what was asked.

#![allow(dead_code)] // Each test binary uses a different subset.

use iced_x86::{Decoder, DecoderOptions, Instruction, Mnemonic, OpKind, Register};
use tern_asm::{Amode, Assembler, FloatSize, PReg, Reg, RegClass, Scale, Size};

/// A register operand as iced names it.
pub fn ireg(reg: impl Into<Reg>, size: Size) -> Register {
    let reg = reg.into().to_preg().expect("physical register");
    let enc = reg.hw_enc() as usize;
    match reg.class() {
        RegClass::Float => XMM[enc],
        RegClass::Int => match size {
            Size::S8 => GPR8[enc],
            Size::S16 => GPR16[enc],
            Size::S32 => GPR32[enc],
            Size::S64 => GPR64[enc],
        },
    }
}

const GPR64: [Register; 16] = [
    Register::RAX,
    Register::RCX,
    Register::RDX,
    Register::RBX,
    Register::RSP,
    Register::RBP,
    Register::RSI,
    Register::RDI,
    Register::R8,
    Register::R9,
    Register::R10,
    Register::R11,
    Register::R12,
    Register::R13,
    Register::R14,
    Register::R15,
];
const GPR32: [Register; 16] = [
    Register::EAX,
    Register::ECX,
    Register::EDX,
    Register::EBX,
    Register::ESP,
    Register::EBP,
    Register::ESI,
    Register::EDI,
    Register::R8D,
    Register::R9D,
    Register::R10D,
    Register::R11D,
    Register::R12D,
    Register::R13D,
    Register::R14D,
    Register::R15D,
];
const GPR16: [Register; 16] = [
    Register::AX,
    Register::CX,
    Register::DX,
    Register::BX,
    Register::SP,
    Register::BP,
    Register::SI,
    Register::DI,
    Register::R8W,
    Register::R9W,
    Register::R10W,
    Register::R11W,
    Register::R12W,
    Register::R13W,
    Register::R14W,
    Register::R15W,
];
/// With REX, encodings 4..8 are spl/bpl/sil/dil (never ah/ch/dh/bh).
const GPR8: [Register; 16] = [
    Register::AL,
    Register::CL,
    Register::DL,
    Register::BL,
    Register::SPL,
    Register::BPL,
    Register::SIL,
    Register::DIL,
    Register::R8L,
    Register::R9L,
    Register::R10L,
    Register::R11L,
    Register::R12L,
    Register::R13L,
    Register::R14L,
    Register::R15L,
];
const XMM: [Register; 16] = [
    Register::XMM0,
    Register::XMM1,
    Register::XMM2,
    Register::XMM3,
    Register::XMM4,
    Register::XMM5,
    Register::XMM6,
    Register::XMM7,
    Register::XMM8,
    Register::XMM9,
    Register::XMM10,
    Register::XMM11,
    Register::XMM12,
    Register::XMM13,
    Register::XMM14,
    Register::XMM15,
];

pub const SIZES: [Size; 4] = [Size::S8, Size::S16, Size::S32, Size::S64];
pub const WIDE_SIZES: [Size; 3] = [Size::S16, Size::S32, Size::S64];

/// All 16 general-purpose registers.
pub fn gprs() -> impl Iterator<Item = PReg> + Clone {
    (0..16).map(|i| PReg::new(RegClass::Int, i))
}

/// All 16 xmm registers.
pub fn xmms() -> impl Iterator<Item = PReg> + Clone {
    (0..16).map(|i| PReg::new(RegClass::Float, i))
}

/// The displacements every base register is tried with.
pub const DISPS: [i32; 11] = [
    0,
    1,
    -1,
    127,
    -127,
    128,
    -128,
    129,
    -129,
    0x1234_5678,
    -0x7fff_ffff - 1,
];

/// Representative addresses: every base with every displacement, and every
/// (base, index) pair (index never `rsp`) with rotating scales and
/// displacements. Covers rsp/r12 (SIB required) and rbp/r13 (disp8 0
/// required) as base, and r12/r13 as index.
pub fn amodes() -> Vec<Amode> {
    let mut out = Vec::new();
    for base in gprs() {
        for disp in DISPS {
            out.push(Amode::base_disp(base, disp));
        }
    }
    let scales = [Scale::One, Scale::Two, Scale::Four, Scale::Eight];
    let mut k = 0;
    for base in gprs() {
        for index in gprs().filter(|&r| r != tern_asm::regs::RSP) {
            out.push(Amode::base_index(
                base,
                index,
                scales[k % 4],
                DISPS[k % DISPS.len()],
            ));
            k += 1;
        }
    }
    out
}

/// An operand as the decoder should report it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// A register.
    Reg(Register),
    /// Memory of `bytes` size (0: not checked, as for `lea`).
    Mem { amode: Amode, bytes: usize },
    /// An immediate, compared after truncation to `bits`.
    Imm { value: i64, bits: u32 },
}

pub fn r(reg: impl Into<Reg>, size: Size) -> Op {
    Op::Reg(ireg(reg, size))
}

pub fn x(reg: impl Into<Reg>) -> Op {
    Op::Reg(ireg(reg, Size::S64))
}

pub fn m(amode: Amode, bytes: usize) -> Op {
    Op::Mem { amode, bytes }
}

pub fn imm(value: i64, bits: u32) -> Op {
    Op::Imm { value, bits }
}

pub fn fbytes(size: FloatSize) -> usize {
    match size {
        FloatSize::F32 => 4,
        FloatSize::F64 => 8,
    }
}

/// Where the label of a RIP-relative operand is bound in [`check`]: this
/// many bytes after the end of the instruction.
pub const RIP_TARGET_GAP: u32 = 5;

/// Emits one instruction with `emit`, then checks that it decodes as exactly
/// one instruction with `mnemonic` and `ops`, consuming every byte.
///
/// A RIP-relative operand in `ops` is checked for its target address: its
/// label (from [`rip`], on the cleared assembler) must be left unbound by
/// `emit`; `check` binds it [`RIP_TARGET_GAP`] bytes after the instruction.
/// The assembler is cleared again afterwards.
pub fn check(
    asm: &mut Assembler,
    emit: impl FnOnce(&mut Assembler),
    mnemonic: Mnemonic,
    ops: &[Op],
) {
    assert_eq!(asm.offset(), 0, "check() expects a cleared assembler");
    emit(asm);
    let len = asm.offset() as usize;
    let rip_label = ops.iter().find_map(|op| match op {
        Op::Mem {
            amode: Amode::Rip { label, .. },
            ..
        } => Some(*label),
        _ => None,
    });
    if let Some(label) = rip_label {
        asm.nop(RIP_TARGET_GAP as u8);
        asm.bind_label(label);
    }
    let code = asm.finish().expect("labels bound").code.to_vec();
    asm.clear();
    let inst = decode_one(&code[..len]);
    let what = format!("{mnemonic:?} {ops:?}: bytes {:02x?}", &code[..len]);
    assert_eq!(inst.mnemonic(), mnemonic, "{what}");
    assert_eq!(inst.len(), len, "{what}: decoded length");
    assert_eq!(inst.op_count() as usize, ops.len(), "{what}: operand count");
    for (i, op) in ops.iter().enumerate() {
        check_operand(&inst, i as u32, op, len as u64, &what);
    }
}

fn check_operand(inst: &Instruction, i: u32, op: &Op, inst_len: u64, what: &str) {
    let kind = inst.op_kind(i);
    match *op {
        Op::Reg(reg) => {
            assert_eq!(kind, OpKind::Register, "{what}: operand {i} kind");
            assert_eq!(inst.op_register(i), reg, "{what}: operand {i}");
        }
        Op::Imm { value, bits } => {
            let mask = if bits == 64 {
                u64::MAX
            } else {
                (1u64 << bits) - 1
            };
            assert!(
                matches!(
                    kind,
                    OpKind::Immediate8
                        | OpKind::Immediate16
                        | OpKind::Immediate32
                        | OpKind::Immediate64
                        | OpKind::Immediate8to16
                        | OpKind::Immediate8to32
                        | OpKind::Immediate8to64
                        | OpKind::Immediate32to64
                ),
                "{what}: operand {i} is {kind:?}, not an immediate"
            );
            assert_eq!(
                inst.immediate(i) & mask,
                value as u64 & mask,
                "{what}: operand {i}"
            );
        }
        Op::Mem { amode, bytes } => {
            assert_eq!(kind, OpKind::Memory, "{what}: operand {i} kind");
            if bytes != 0 {
                assert_eq!(
                    inst.memory_size().size(),
                    bytes,
                    "{what}: memory operand size"
                );
            }
            match amode {
                Amode::BaseIndex { base, index, disp } => {
                    assert_eq!(inst.memory_base(), ireg(base, Size::S64), "{what}: base");
                    match index {
                        None => assert_eq!(inst.memory_index(), Register::None, "{what}: index"),
                        Some((index, scale)) => {
                            assert_eq!(
                                inst.memory_index(),
                                ireg(index, Size::S64),
                                "{what}: index"
                            );
                            assert_eq!(inst.memory_index_scale(), scale.factor(), "{what}: scale");
                        }
                    }
                    assert_eq!(
                        inst.memory_displacement64() as i64,
                        i64::from(disp),
                        "{what}: displacement"
                    );
                }
                Amode::Rip { disp, .. } => {
                    assert!(inst.is_ip_rel_memory_operand(), "{what}: not RIP-relative");
                    let target = inst_len + u64::from(RIP_TARGET_GAP);
                    assert_eq!(
                        inst.ip_rel_memory_address() as i64,
                        target as i64 + i64::from(disp),
                        "{what}: RIP-relative target"
                    );
                }
            }
        }
    }
}

/// Decodes `bytes` (at address 0) as exactly one valid instruction.
pub fn decode_one(bytes: &[u8]) -> Instruction {
    let mut decoder = Decoder::with_ip(64, bytes, 0, DecoderOptions::NONE);
    let inst = decoder.decode();
    assert!(!inst.is_invalid(), "bytes {bytes:02x?} do not decode");
    inst
}

/// Decodes all of `code` (at address 0).
pub fn decode_all(code: &[u8]) -> Vec<Instruction> {
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut out = Vec::new();
    while decoder.can_decode() {
        let inst = decoder.decode();
        assert!(
            !inst.is_invalid(),
            "undecodable bytes at {:#x} in {code:02x?}",
            inst.ip()
        );
        out.push(inst);
    }
    out
}

/// A RIP-relative operand for [`check`]: a fresh label plus a displacement.
pub fn rip(asm: &mut Assembler, disp: i32) -> Amode {
    let label = asm.new_label();
    Amode::Rip { label, disp }
}
