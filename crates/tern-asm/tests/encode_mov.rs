//! Encoding tests: `mov` in all its forms, `movzx`/`movsx`/`movsxd`, `lea`.

mod common;

use common::*;
use iced_x86::Mnemonic;
use tern_asm::{Assembler, ExtMode, Size};

#[test]
fn mov_register_to_register() {
    let mut asm = Assembler::new();
    for size in SIZES {
        for dst in gprs() {
            for src in gprs() {
                check(
                    &mut asm,
                    |a| a.mov_rm(size, dst, src),
                    Mnemonic::Mov,
                    &[r(dst, size), r(src, size)],
                );
            }
        }
    }
}

#[test]
fn mov_load_and_store() {
    let mut asm = Assembler::new();
    for size in SIZES {
        for (k, amode) in amodes().into_iter().enumerate() {
            let reg = gprs().nth(k % 16).unwrap();
            let bytes = size.bytes() as usize;
            check(
                &mut asm,
                |a| a.mov_rm(size, reg, amode),
                Mnemonic::Mov,
                &[r(reg, size), m(amode, bytes)],
            );
            check(
                &mut asm,
                |a| a.mov_mr(size, amode, reg),
                Mnemonic::Mov,
                &[m(amode, bytes), r(reg, size)],
            );
        }
        for disp in [0, -1, 1000] {
            let amode = rip(&mut asm, disp);
            check(
                &mut asm,
                |a| a.mov_rm(size, tern_asm::regs::R9, amode),
                Mnemonic::Mov,
                &[r(tern_asm::regs::R9, size), m(amode, size.bytes() as usize)],
            );
        }
    }
}

#[test]
fn mov_immediate_to_register() {
    let mut asm = Assembler::new();
    let values: [(Size, &[u64]); 3] = [
        (Size::S8, &[0, 1, 0x7f, 0x80, 0xff]),
        (Size::S16, &[0, 1, 0x7fff, 0x8000, 0xffff]),
        (Size::S32, &[0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff]),
    ];
    for (size, values) in values {
        for dst in gprs() {
            for &v in values {
                check(
                    &mut asm,
                    |a| a.mov_ri(size, dst, v),
                    Mnemonic::Mov,
                    &[r(dst, size), imm(v as i64, size.bits())],
                );
            }
        }
    }
}

/// `mov r64, imm` picks the shortest of three encodings.
#[test]
fn mov_immediate_64_uses_shortest_form() {
    let mut asm = Assembler::new();
    for dst in gprs() {
        let rex = usize::from(dst.hw_enc() >= 8);
        // Fits 32 unsigned bits: `mov r32, imm32` (zero-extends).
        for v in [0u64, 1, 0x8000_0000, 0xffff_ffff] {
            check(
                &mut asm,
                |a| a.mov_ri(Size::S64, dst, v),
                Mnemonic::Mov,
                &[r(dst, Size::S32), imm(v as i64, 32)],
            );
            asm.mov_ri(Size::S64, dst, v);
            assert_eq!(asm.offset() as usize, 5 + rex);
            asm.clear();
        }
        // Fits 32 signed bits: `mov r/m64, simm32`.
        for v in [u64::MAX, 0xffff_ffff_8000_0000] {
            check(
                &mut asm,
                |a| a.mov_ri(Size::S64, dst, v),
                Mnemonic::Mov,
                &[r(dst, Size::S64), imm(v as i64, 64)],
            );
            asm.mov_ri(Size::S64, dst, v);
            assert_eq!(asm.offset(), 7);
            asm.clear();
        }
        // Otherwise `movabs`.
        for v in [
            0x1_0000_0000u64,
            0x7fff_ffff_ffff_ffff,
            0xffff_fffe_ffff_ffff,
        ] {
            check(
                &mut asm,
                |a| a.mov_ri(Size::S64, dst, v),
                Mnemonic::Mov,
                &[r(dst, Size::S64), imm(v as i64, 64)],
            );
            asm.mov_ri(Size::S64, dst, v);
            assert_eq!(asm.offset(), 10);
            asm.clear();
        }
    }
}

#[test]
fn mov_immediate_to_memory() {
    let mut asm = Assembler::new();
    let values: [(Size, &[i32]); 4] = [
        (Size::S8, &[0, -128, 127, 255]),
        (Size::S16, &[0, -32768, 32767, 65535]),
        (Size::S32, &[0, -1, i32::MIN, i32::MAX]),
        (Size::S64, &[0, -1, i32::MIN, i32::MAX]),
    ];
    for (size, values) in values {
        for (k, amode) in amodes().into_iter().enumerate() {
            let v = values[k % values.len()];
            check(
                &mut asm,
                |a| a.mov_mi(size, amode, v),
                Mnemonic::Mov,
                &[m(amode, size.bytes() as usize), imm(v.into(), size.bits())],
            );
        }
        // RIP-relative with a trailing immediate of every width.
        for &v in values {
            let amode = rip(&mut asm, 8);
            check(
                &mut asm,
                |a| a.mov_mi(size, amode, v),
                Mnemonic::Mov,
                &[m(amode, size.bytes() as usize), imm(v.into(), size.bits())],
            );
        }
    }
}

const EXT_MODES: [ExtMode; 6] = [
    ExtMode::BW,
    ExtMode::BL,
    ExtMode::BQ,
    ExtMode::WL,
    ExtMode::WQ,
    ExtMode::LQ,
];

#[test]
fn zero_extension() {
    let mut asm = Assembler::new();
    for ext in EXT_MODES {
        let (from, to) = (ext.from_size(), ext.to_size());
        // 32→64 zero-extension is a plain 32-bit `mov`.
        let (mnemonic, dst_size) = if ext == ExtMode::LQ {
            (Mnemonic::Mov, Size::S32)
        } else {
            (Mnemonic::Movzx, to)
        };
        for dst in gprs() {
            for src in gprs() {
                check(
                    &mut asm,
                    |a| a.movzx(ext, dst, src),
                    mnemonic,
                    &[r(dst, dst_size), r(src, from)],
                );
            }
        }
        for (k, amode) in amodes().into_iter().enumerate() {
            let dst = gprs().nth(k % 16).unwrap();
            check(
                &mut asm,
                |a| a.movzx(ext, dst, amode),
                mnemonic,
                &[r(dst, dst_size), m(amode, from.bytes() as usize)],
            );
        }
    }
}

#[test]
fn sign_extension() {
    let mut asm = Assembler::new();
    for ext in EXT_MODES {
        let (from, to) = (ext.from_size(), ext.to_size());
        let mnemonic = if ext == ExtMode::LQ {
            Mnemonic::Movsxd
        } else {
            Mnemonic::Movsx
        };
        for dst in gprs() {
            for src in gprs() {
                check(
                    &mut asm,
                    |a| a.movsx(ext, dst, src),
                    mnemonic,
                    &[r(dst, to), r(src, from)],
                );
            }
        }
        for (k, amode) in amodes().into_iter().enumerate() {
            let dst = gprs().nth(k % 16).unwrap();
            check(
                &mut asm,
                |a| a.movsx(ext, dst, amode),
                mnemonic,
                &[r(dst, to), m(amode, from.bytes() as usize)],
            );
        }
    }
}

#[test]
fn lea() {
    let mut asm = Assembler::new();
    for size in WIDE_SIZES {
        for (k, amode) in amodes().into_iter().enumerate() {
            let dst = gprs().nth(k % 16).unwrap();
            check(
                &mut asm,
                |a| a.lea(size, dst, amode),
                Mnemonic::Lea,
                &[r(dst, size), m(amode, 0)],
            );
        }
        let amode = rip(&mut asm, -3);
        check(
            &mut asm,
            |a| a.lea(size, tern_asm::regs::R13, amode),
            Mnemonic::Lea,
            &[r(tern_asm::regs::R13, size), m(amode, 0)],
        );
    }
}

/// The special cases of ModRM/SIB encoding, by exact length.
#[test]
fn address_encoding_lengths() {
    use tern_asm::regs::*;
    use tern_asm::{Amode, Scale};
    let len = |amode: Amode| {
        let mut asm = Assembler::new();
        asm.mov_rm(Size::S32, RAX, amode);
        asm.offset()
    };
    // mov eax, [rax]: opcode + ModRM.
    assert_eq!(len(Amode::base_disp(RAX, 0)), 2);
    // rsp and r12 need a SIB byte even without an index.
    assert_eq!(len(Amode::base_disp(RSP, 0)), 3);
    assert_eq!(len(Amode::base_disp(R12, 0)), 4);
    // rbp and r13 cannot use mod=00: a zero disp8 is added.
    assert_eq!(len(Amode::base_disp(RBP, 0)), 3);
    assert_eq!(len(Amode::base_disp(R13, 0)), 4);
    // disp8 up to ±127/-128, disp32 beyond.
    assert_eq!(len(Amode::base_disp(RAX, 127)), 3);
    assert_eq!(len(Amode::base_disp(RAX, -128)), 3);
    assert_eq!(len(Amode::base_disp(RAX, 128)), 6);
    assert_eq!(len(Amode::base_disp(RAX, -129)), 6);
    // Index forms: opcode + ModRM + SIB (+ disp).
    assert_eq!(len(Amode::base_index(RAX, RBX, Scale::Four, 0)), 3);
    assert_eq!(len(Amode::base_index(R13, R12, Scale::Eight, 0)), 5);
}

/// `rsp` cannot be an index: the constructor rejects it, and an `Amode`
/// built by hand with it is refused by the encoder instead of silently
/// meaning "no index".
#[test]
#[should_panic(expected = "rsp cannot be an index")]
fn rsp_index_is_never_encoded() {
    use tern_asm::regs::{RAX, RSP};
    use tern_asm::{Amode, Scale};
    let amode = Amode::BaseIndex {
        base: RAX.into(),
        index: Some((RSP.into(), Scale::Two)),
        disp: 0,
    };
    Assembler::new().mov_rm(Size::S64, RAX, amode);
}

#[test]
fn r12_and_r13_work_as_index() {
    use tern_asm::regs::{R12, R13, RSP};
    use tern_asm::{Amode, Scale};
    let mut asm = Assembler::new();
    for index in [R12, R13] {
        let amode = Amode::base_index(RSP, index, Scale::Eight, 0);
        check(
            &mut asm,
            |a| a.lea(Size::S64, RSP, amode),
            Mnemonic::Lea,
            &[r(RSP, Size::S64), m(amode, 0)],
        );
    }
}
