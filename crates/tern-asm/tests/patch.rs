//! `patch_u32`: overwriting a 32-bit field after the fact, and the misuses
//! it rejects (fields the branch peepholes may still move, label and
//! relocation fields).

mod common;

use common::{decode_all, decode_one};
use tern_asm::regs::*;
use tern_asm::{Amode, Assembler, Cond, RelocTarget, Size};

/// Forces the 32-bit immediate form.
const PLACEHOLDER: i32 = 0x7fff_0000;

/// A prologue with a frame size to patch, then a loop and a forward branch
/// whose peepholes fire after the field was emitted. Returns the field's
/// offset.
fn function_with_frame_field(a: &mut Assembler) -> u32 {
    a.push(RBP);
    a.sub(Size::S64, RSP, PLACEHOLDER);
    let frame_field = a.offset() - 4;
    let top = a.new_label();
    let end = a.new_label();
    a.bind_label(top);
    a.add(Size::S32, RAX, 1);
    a.cmp(Size::S32, RAX, 10);
    a.jcc(Cond::L, top);
    a.jmp(end); // removed: `end` is bound right after it
    a.bind_label(end);
    a.add(Size::S64, RSP, PLACEHOLDER);
    a.pop(RBP);
    a.ret();
    frame_field
}

#[test]
fn patched_field_survives_later_peepholes() {
    let mut a = Assembler::new();
    let field = function_with_frame_field(&mut a);
    a.patch_u32(field, 48);
    assert_eq!(a.buffer().branch_stats().removed_jumps_to_next, 1);
    let patched = a.finish().unwrap().code.to_vec();

    let mut b = Assembler::new();
    function_with_frame_field(&mut b);
    let unpatched = b.finish().unwrap().code.to_vec();

    let at = field as usize;
    assert_eq!(&patched[at..at + 4], &48u32.to_le_bytes());
    assert_eq!(patched[..at], unpatched[..at]);
    assert_eq!(patched[at + 4..], unpatched[at + 4..]);
    let sub = decode_all(&patched)[1];
    assert_eq!(sub.immediate32(), 48, "sub rsp, 48");
}

#[test]
fn patch_after_a_removed_branch_lands_in_place() {
    let mut a = Assembler::new();
    a.mov_mr(Size::S32, Amode::base_disp(RDI, PLACEHOLDER), RAX);
    let field = a.offset() - 4;
    let next = a.new_label();
    a.jmp(next);
    a.bind_label(next); // deletes the jmp, the store stays
    a.patch_u32(field, 0x100);
    let code = a.finish().unwrap().code.to_vec();
    let store = decode_one(&code);
    assert_eq!(store.len(), code.len());
    assert_eq!(store.memory_displacement32(), 0x100);
}

#[test]
#[should_panic(expected = "can no longer move")]
fn patch_inside_a_trailing_branch_panics() {
    let mut a = Assembler::new();
    a.ret();
    let later = a.new_label();
    a.jmp(later);
    // The jmp may still be deleted when `later` is bound.
    let rel32 = a.offset() - 4;
    a.patch_u32(rel32, 0);
}

#[test]
#[should_panic(expected = "can no longer move")]
fn patch_beyond_the_code_panics() {
    let mut a = Assembler::new();
    a.ret();
    a.patch_u32(0, 0);
}

#[test]
#[should_panic(expected = "overlaps a label field")]
fn patch_of_a_label_field_panics() {
    let mut a = Assembler::new();
    let data = a.new_label();
    a.lea(Size::S64, RAX, Amode::rip(data));
    a.ret();
    a.bind_label(data);
    a.patch_u32(4, 0);
}

#[test]
#[should_panic(expected = "overlaps a relocation")]
fn patch_of_a_relocated_field_panics() {
    let mut a = Assembler::new();
    a.call(RelocTarget::Function(0));
    a.ret();
    a.patch_u32(2, 0);
}
