//! Encoding tests: jumps and calls, `ret`, `push`/`pop`, `ud2`, `nop`.

mod common;

use common::*;
use iced_x86::{Mnemonic, OpKind};
use tern_asm::{Assembler, Cond, Inst, RelocTarget, Size};

fn jcc_mnemonic(c: Cond) -> Mnemonic {
    use Mnemonic::*;
    [
        Jo, Jno, Jb, Jae, Je, Jne, Jbe, Ja, Js, Jns, Jp, Jnp, Jl, Jge, Jle, Jg,
    ][c.bits() as usize]
}

/// A branch back to offset 0 over `gap` bytes of padding (`backward`), or
/// forward over `gap` bytes. Returns the decoded branch and its length,
/// after checking that it reaches its target.
fn branch_over(cond: Option<Cond>, backward: bool, gap: u32) -> (iced_x86::Instruction, u32) {
    let mut asm = Assembler::new();
    asm.buffer_mut().set_branch_peepholes(false);
    let label = asm.new_label();
    let mut target = 0;
    if backward {
        asm.bind_label(label);
        for _ in 0..gap {
            asm.nop(1);
        }
    }
    let start = asm.offset();
    match cond {
        Some(c) => asm.jcc(c, label),
        None => asm.jmp(label),
    }
    let end = asm.offset();
    if !backward {
        for _ in 0..gap {
            asm.nop(1);
        }
        target = asm.offset();
        asm.bind_label(label);
        asm.ret();
    }
    let code = asm.finish().unwrap().code.to_vec();
    let inst = decode_one(&code[start as usize..end as usize]);
    assert_eq!(inst.len() as u32, end - start);
    assert_eq!(
        inst.near_branch_target().wrapping_add(u64::from(start)),
        u64::from(target)
    );
    (inst, end - start)
}

#[test]
fn jumps_use_rel8_backward_when_it_fits() {
    for cond in [None].into_iter().chain(Cond::ALL.map(Some)) {
        let mnemonic = cond.map_or(Mnemonic::Jmp, jcc_mnemonic);
        let near_len = if cond.is_some() { 6 } else { 5 };
        // Backward: rel8 reaches -128 from the end of the 2-byte branch.
        for (gap, len) in [(0, 2), (1, 2), (126, 2), (127, near_len), (1000, near_len)] {
            let (inst, l) = branch_over(cond, true, gap);
            assert_eq!(inst.mnemonic(), mnemonic);
            assert_eq!(l, len, "{cond:?} back over {gap}");
        }
        // Forward: always rel32, patched at finish.
        for gap in [0, 1, 200, 100_000] {
            let (inst, l) = branch_over(cond, false, gap);
            assert_eq!(inst.mnemonic(), mnemonic);
            assert_eq!(l, near_len);
            assert_eq!(inst.op_kind(0), OpKind::NearBranch64);
        }
    }
}

#[test]
fn indirect_jump_and_calls() {
    let mut asm = Assembler::new();
    for reg in gprs() {
        check(
            &mut asm,
            |a| a.jmp_reg(reg),
            Mnemonic::Jmp,
            &[r(reg, Size::S64)],
        );
        check(
            &mut asm,
            |a| a.call_ind(reg),
            Mnemonic::Call,
            &[r(reg, Size::S64)],
        );
    }
    for amode in amodes() {
        check(
            &mut asm,
            |a| a.call_ind(amode),
            Mnemonic::Call,
            &[m(amode, 8)],
        );
    }
}

#[test]
fn direct_call_records_a_relocation() {
    let mut asm = Assembler::new();
    asm.nop(3);
    asm.call(RelocTarget::Helper(7));
    asm.call(RelocTarget::Function(2));
    let finished = asm.finish().unwrap();
    let mut code = finished.code.to_vec();
    assert_eq!(finished.relocs.len(), 2);
    assert_eq!(finished.relocs[0].offset, 4);
    assert_eq!(finished.relocs[0].target, RelocTarget::Helper(7));
    assert_eq!(finished.relocs[1].offset, 9);
    assert_eq!(finished.relocs[1].addend, -4);
    // Apply: with the code at 0x10000 and the callee at 0x20000, the decoded
    // call must target the callee.
    let relocs = finished.relocs.to_vec();
    relocs[0].apply(&mut code, 0x10000, 0x20000).unwrap();
    relocs[1].apply(&mut code, 0x10000, 0x10000).unwrap();
    let mut decoder =
        iced_x86::Decoder::with_ip(64, &code, 0x10000, iced_x86::DecoderOptions::NONE);
    let insts: Vec<_> = decoder.iter().collect();
    assert_eq!(insts[1].mnemonic(), Mnemonic::Call);
    assert_eq!(insts[1].near_branch_target(), 0x20000);
    assert_eq!(insts[2].near_branch_target(), 0x10000);
}

#[test]
fn ret_push_pop_ud2() {
    let mut asm = Assembler::new();
    check(&mut asm, |a| a.ret(), Mnemonic::Ret, &[]);
    check(&mut asm, |a| a.ud2(), Mnemonic::Ud2, &[]);
    for reg in gprs() {
        check(
            &mut asm,
            |a| a.push(reg),
            Mnemonic::Push,
            &[r(reg, Size::S64)],
        );
        check(
            &mut asm,
            |a| a.pop(reg),
            Mnemonic::Pop,
            &[r(reg, Size::S64)],
        );
    }
}

#[test]
fn nops_of_every_length() {
    for len in 0..=40u8 {
        let mut asm = Assembler::new();
        asm.emit(Inst::Nop { len });
        let code = asm.finish().unwrap().code.to_vec();
        assert_eq!(code.len(), usize::from(len));
        let insts = decode_all(&code);
        assert!(
            insts.iter().all(|i| i.mnemonic() == Mnemonic::Nop),
            "{insts:?}"
        );
        // As few instructions as possible: at most 9 bytes each.
        assert_eq!(insts.len(), usize::from(len).div_ceil(9));
    }
}

#[test]
fn filling_emitted_code_with_nops_matches_emitting_them() {
    for len in 0..=40u8 {
        let mut bytes = vec![0xcc; usize::from(len)];
        tern_asm::fill_with_nops(&mut bytes);
        let mut asm = Assembler::new();
        asm.emit(Inst::Nop { len });
        assert_eq!(bytes, asm.finish().unwrap().code, "length {len}");
    }
}

#[test]
fn code_alignment_pads_with_nops() {
    let mut asm = Assembler::new();
    asm.ret();
    asm.buffer_mut().align_code(16);
    assert_eq!(asm.offset(), 16);
    asm.buffer_mut().align_code(16);
    assert_eq!(asm.offset(), 16);
    let code = asm.finish().unwrap().code.to_vec();
    assert!(
        decode_all(&code[1..])
            .iter()
            .all(|i| i.mnemonic() == Mnemonic::Nop)
    );
}
