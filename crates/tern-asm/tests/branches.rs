//! Labels, fixups and the branch peepholes, checked on the bytes produced;
//! a randomized differential test that runs peephole-optimized and
//! unoptimized code on a small x86 interpreter; and million-branch inputs
//! whose work must stay linear.

mod common;

use common::decode_all;
use iced_x86::{ConditionCode, Instruction, Mnemonic, OpKind, Register};
use std::collections::HashMap;
use tern_asm::regs::*;
use tern_asm::{Amode, Assembler, Cond, Label, RelocTarget, Size, TrapCode};

fn finish(asm: &mut Assembler) -> Vec<u8> {
    asm.finish().expect("all labels bound").code.to_vec()
}

#[test]
fn jump_to_next_is_removed() {
    let mut asm = Assembler::new();
    let l = asm.new_label();
    asm.jmp(l);
    asm.bind_label(l);
    asm.ret();
    assert_eq!(finish(&mut asm), [0xc3]);
    assert_eq!(asm.buffer().branch_stats().removed_jumps_to_next, 1);
}

#[test]
fn conditional_jump_to_next_is_removed() {
    let mut asm = Assembler::new();
    asm.add(Size::S32, RAX, 1);
    let l = asm.new_label();
    asm.jcc(Cond::E, l);
    asm.bind_label(l);
    asm.ret();
    assert_eq!(finish(&mut asm), [0x83, 0xc0, 0x01, 0xc3]);
}

#[test]
fn chains_of_jumps_to_next_collapse() {
    // `jcc a; jmp b; a: b:` — both go: first the jmp to b is not at the tail
    // when a is bound, then the inversion and the jump to next apply.
    let mut asm = Assembler::new();
    let (a, b) = (asm.new_label(), asm.new_label());
    asm.jcc(Cond::L, a);
    asm.jmp(b);
    asm.bind_label(a);
    asm.bind_label(b);
    asm.ret();
    assert_eq!(finish(&mut asm), [0xc3]);
    assert_eq!(asm.buffer().label_offset(a), Some(0));
    assert_eq!(asm.buffer().label_offset(b), Some(0));
}

#[test]
fn conditional_jump_over_jump_is_inverted() {
    let mut asm = Assembler::new();
    let top = asm.new_label();
    asm.bind_label(top);
    asm.add(Size::S32, RCX, -1); // 3 bytes
    let over = asm.new_label();
    asm.jcc(Cond::E, over);
    asm.jmp(top);
    asm.bind_label(over);
    asm.ret();
    // `jne top` as a short backward branch, then `ret`.
    assert_eq!(finish(&mut asm), [0x83, 0xc1, 0xff, 0x75, 0xfb, 0xc3]);
    assert_eq!(asm.buffer().branch_stats().inverted, 1);
}

#[test]
fn inversion_with_forward_target() {
    let mut asm = Assembler::new();
    let (over, target) = (asm.new_label(), asm.new_label());
    asm.jcc(Cond::B, over);
    asm.jmp(target);
    asm.bind_label(over);
    asm.ud2();
    asm.bind_label(target);
    asm.ret();
    let code = finish(&mut asm);
    // jae target (rel32 = 2, over the ud2); ud2; ret
    assert_eq!(code, [0x0f, 0x83, 0x02, 0, 0, 0, 0x0f, 0x0b, 0xc3]);
}

#[test]
fn no_inversion_when_the_jump_is_a_target() {
    // Someone else jumps to `mid` (the jmp), so it must stay.
    let mut asm = Assembler::new();
    let (over, mid, far) = (asm.new_label(), asm.new_label(), asm.new_label());
    asm.jmp(mid); // reaches mid from before
    asm.ud2();
    asm.jcc(Cond::E, over);
    asm.bind_label(mid);
    asm.jmp(far);
    asm.bind_label(over);
    asm.ud2();
    asm.bind_label(far);
    asm.ret();
    let code = finish(&mut asm);
    // mid was threaded to far (the first jmp goes straight to far), so the
    // jmp at mid had no label left and the jcc/jmp pair was inverted.
    let insts = decode_all(&code);
    let mnemonics: Vec<_> = insts.iter().map(Instruction::mnemonic).collect();
    assert_eq!(
        mnemonics,
        [
            Mnemonic::Jmp,
            Mnemonic::Ud2,
            Mnemonic::Jne,
            Mnemonic::Ud2,
            Mnemonic::Ret
        ]
    );
    let ret = insts[4].ip();
    assert_eq!(insts[0].near_branch_target(), ret);
    assert_eq!(insts[2].near_branch_target(), ret);
    assert_eq!(asm.buffer().branch_stats().threaded, 1);
}

#[test]
fn jump_threading_redirects_earlier_and_later_references() {
    let mut asm = Assembler::new();
    let (l, t) = (asm.new_label(), asm.new_label());
    asm.jcc(Cond::E, l); // forward reference to l
    asm.ud2();
    asm.bind_label(l);
    asm.jmp(t); // l: jmp t
    asm.ud2();
    asm.jmp(l); // backward reference to l
    asm.ud2();
    asm.bind_label(t);
    asm.ret();
    let code = finish(&mut asm);
    let insts = decode_all(&code);
    let ret = insts.last().unwrap().ip();
    assert_eq!(insts[0].near_branch_target(), ret, "forward use threaded");
    assert_eq!(insts[4].near_branch_target(), ret, "backward use threaded");
    assert_eq!(asm.buffer().label_offset(l), Some(ret as u32));
}

#[test]
fn unreachable_jump_after_jump_is_dropped() {
    let mut asm = Assembler::new();
    let (a, b) = (asm.new_label(), asm.new_label());
    asm.jmp(a);
    asm.jmp(b);
    asm.jcc(Cond::E, b);
    asm.bind_label(a);
    asm.bind_label(b);
    asm.ret();
    assert_eq!(finish(&mut asm), [0xc3]);
}

#[test]
fn self_loop_and_two_label_cycle() {
    let mut asm = Assembler::new();
    let l = asm.new_label();
    asm.bind_label(l);
    asm.jmp(l);
    assert_eq!(finish(&mut asm), [0xeb, 0xfe]);

    // a: jmp b; b: jmp a — an infinite loop either way.
    let mut asm = Assembler::new();
    let (a, b) = (asm.new_label(), asm.new_label());
    asm.bind_label(a);
    asm.jmp(b);
    asm.bind_label(b);
    asm.jmp(a);
    assert_eq!(finish(&mut asm), [0xeb, 0xfe]);
}

#[test]
fn fixups_in_both_directions() {
    let mut asm = Assembler::new();
    asm.buffer_mut().set_branch_peepholes(false);
    let (back, fwd) = (asm.new_label(), asm.new_label());
    asm.bind_label(back);
    asm.nop(9);
    asm.jmp(fwd); // at 9, rel32
    asm.jcc(Cond::NE, back); // at 14, rel8 back to 0
    for _ in 0..20 {
        asm.nop(9);
    }
    asm.jcc(Cond::G, back); // at 196, rel32 back to 0
    asm.bind_label(fwd);
    asm.ret();
    let code = finish(&mut asm);
    let insts = decode_all(&code);
    let by_ip: HashMap<u64, &Instruction> = insts.iter().map(|i| (i.ip(), i)).collect();
    assert_eq!(by_ip[&9].near_branch_target(), 202);
    assert_eq!(by_ip[&9].len(), 5);
    assert_eq!(by_ip[&14].near_branch_target(), 0);
    assert_eq!(by_ip[&14].len(), 2);
    assert_eq!(by_ip[&196].near_branch_target(), 0);
    assert_eq!(by_ip[&196].len(), 6);
}

#[test]
fn trap_sites_and_relocations_stop_the_peepholes() {
    let mut asm = Assembler::new();
    let l = asm.new_label();
    asm.jmp(l);
    asm.add_trap(TrapCode::UnreachableCodeReached);
    asm.bind_label(l);
    asm.ud2();
    let f = asm.finish().unwrap();
    // The jump to next stays: removing it would move the trap site.
    assert_eq!(f.code, [0xe9, 0, 0, 0, 0, 0x0f, 0x0b]);
    assert_eq!(f.traps.len(), 1);
    assert_eq!(f.traps[0].offset, 5);

    let mut asm = Assembler::new();
    let l = asm.new_label();
    asm.jmp(l);
    asm.call(RelocTarget::Function(0));
    asm.bind_label(l);
    asm.ret();
    let f = asm.finish().unwrap();
    assert_eq!(f.relocs[0].offset, 6);
    assert_eq!(f.code.len(), 11);
}

#[test]
fn unbound_label_is_a_typed_error() {
    let mut asm = Assembler::new();
    let l = asm.new_label();
    asm.nop(2);
    asm.jmp(l);
    let err = asm.finish().unwrap_err();
    assert_eq!(err.label, l);
    assert_eq!(err.used_at, 3);
    assert!(err.to_string().contains("never bound"));
}

#[test]
#[should_panic(expected = "bound twice")]
fn binding_twice_panics() {
    let mut asm = Assembler::new();
    let l = asm.new_label();
    asm.bind_label(l);
    asm.bind_label(l);
}

#[test]
fn peepholes_can_be_disabled() {
    let mut asm = Assembler::new();
    asm.buffer_mut().set_branch_peepholes(false);
    let l = asm.new_label();
    asm.jmp(l);
    asm.bind_label(l);
    asm.ret();
    assert_eq!(finish(&mut asm), [0xe9, 0, 0, 0, 0, 0xc3]);
}

/// A jump table: `lea; movsxd; add; jmp`, then 4-byte-aligned entries
/// holding target - table, resolved through threading like any label use.
#[test]
fn jump_table() {
    let mut asm = Assembler::new();
    let targets: Vec<Label> = (0..3).map(|_| asm.new_label()).collect();
    asm.jump_table(
        RCX,
        RAX,
        RDX,
        &[targets[2], targets[0], targets[1], targets[0]],
    );
    let mut target_offsets = Vec::new();
    for (i, &t) in targets.iter().enumerate() {
        asm.bind_label(t);
        target_offsets.push(asm.offset());
        asm.mov_ri(Size::S32, RAX, i as u64);
        asm.ret();
    }
    let code = finish(&mut asm);
    let insts = decode_all(&code[..16]);
    let mnemonics: Vec<_> = insts.iter().map(Instruction::mnemonic).collect();
    assert_eq!(
        &mnemonics[..4],
        [
            Mnemonic::Lea,
            Mnemonic::Movsxd,
            Mnemonic::Add,
            Mnemonic::Jmp
        ]
    );
    let table = insts[0].ip_rel_memory_address() as usize;
    assert_eq!(table % 4, 0);
    assert_eq!(insts[1].memory_base(), Register::RAX);
    assert_eq!(insts[1].memory_index(), Register::RCX);
    assert_eq!(insts[1].memory_index_scale(), 4);
    let entry =
        |i: usize| i32::from_le_bytes(code[table + 4 * i..table + 4 * i + 4].try_into().unwrap());
    for (i, t) in [2, 0, 1, 0].into_iter().enumerate() {
        assert_eq!(
            table as i64 + i64::from(entry(i)),
            i64::from(target_offsets[t])
        );
    }
}

#[test]
fn constants_are_deduplicated_aligned_and_reached_rip_relative() {
    let mut asm = Assembler::new();
    let a = asm.constant(&1.0f64.to_bits().to_le_bytes(), 8);
    let b = asm.constant(&[0x80; 16], 16);
    let a2 = asm.constant(&1.0f64.to_bits().to_le_bytes(), 8);
    let a16 = asm.constant(&1.0f64.to_bits().to_le_bytes(), 16);
    assert_eq!(a, a2);
    assert_ne!(a, a16);
    asm.addsd(XMM0, Amode::rip(a));
    asm.xorps(XMM1, Amode::rip(b));
    asm.ret();
    let f = asm.finish().unwrap();
    assert_eq!(f.alignment, 16);
    let code = f.code.to_vec();
    let insts = decode_all(&code[..f.constants_start as usize]);
    let a_at = insts[0].ip_rel_memory_address() as usize;
    let b_at = insts[1].ip_rel_memory_address() as usize;
    assert_eq!(a_at % 8, 0);
    assert_eq!(b_at % 16, 0);
    assert!(a_at >= f.constants_start as usize);
    assert_eq!(code[a_at..a_at + 8], 1.0f64.to_bits().to_le_bytes());
    assert_eq!(code[b_at..b_at + 16], [0x80; 16]);
}

/// The assembler is reusable: after `clear`, the same function produces the
/// same bytes, and nothing is reallocated.
#[test]
fn reuse_after_clear_gives_identical_code() {
    let emit = |asm: &mut Assembler| {
        let l = asm.new_label();
        let c = asm.constant(&[1, 2, 3, 4], 4);
        asm.bind_label(l);
        asm.movss(XMM0, Amode::rip(c));
        asm.add(Size::S64, RAX, 1);
        asm.jcc(Cond::NE, l);
        asm.ret();
        asm.finish().unwrap().code.to_vec()
    };
    let mut asm = Assembler::new();
    let first = emit(&mut asm);
    let capacity_ptr = asm.buffer().data().as_ptr();
    asm.clear();
    let second = emit(&mut asm);
    assert_eq!(first, second);
    assert_eq!(asm.buffer().data().as_ptr(), capacity_ptr);
}

// ---------------------------------------------------------------------------
// Differential testing on an interpreter.

/// A deterministic xorshift generator (tests must be reproducible).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Copy, Debug)]
enum Item {
    Bind(usize),
    Jmp(usize),
    Jcc(Cond, usize),
    /// `mov eax, id`: an observable event.
    Event(u32),
    /// `add ecx, imm` (sets flags).
    Add(i32),
    /// `cmp ecx, imm`.
    Cmp(i32),
    Ret,
    /// Padding, to push distances across the rel8 limit.
    Pad(u8),
}

fn random_program(rng: &mut Rng, len: usize, labels: usize) -> Vec<Item> {
    let mut bound = vec![false; labels];
    let mut items = Vec::with_capacity(len + labels + 1);
    for id in 0..len as u32 {
        let item = match rng.below(20) {
            0..=4 => {
                let l = rng.below(labels as u64) as usize;
                if bound[l] {
                    continue;
                }
                bound[l] = true;
                Item::Bind(l)
            }
            5..=7 => Item::Jmp(rng.below(labels as u64) as usize),
            8..=11 => Item::Jcc(
                Cond::ALL[rng.below(16) as usize],
                rng.below(labels as u64) as usize,
            ),
            12 | 13 => Item::Event(id),
            14 => Item::Add(rng.below(7) as i32 - 3),
            15 => Item::Cmp(rng.below(7) as i32 - 3),
            16 => Item::Ret,
            17 => Item::Pad(rng.below(140) as u8),
            _ => Item::Event(id),
        };
        items.push(item);
    }
    for (l, &b) in bound.iter().enumerate() {
        if !b {
            items.push(Item::Bind(l));
        }
    }
    items.push(Item::Ret);
    items
}

/// Emits `items` into `asm`, returning the number of branches.
fn emit_program(asm: &mut Assembler, items: &[Item], labels: usize) -> usize {
    let labels: Vec<Label> = (0..labels).map(|_| asm.new_label()).collect();
    let mut branches = 0;
    for &item in items {
        match item {
            Item::Bind(l) => asm.bind_label(labels[l]),
            Item::Jmp(l) => asm.jmp(labels[l]),
            Item::Jcc(c, l) => asm.jcc(c, labels[l]),
            Item::Event(id) => asm.mov_ri(Size::S32, RAX, id.into()),
            Item::Add(v) => asm.add(Size::S32, RCX, v),
            Item::Cmp(v) => asm.cmp(Size::S32, RCX, v),
            Item::Ret => asm.ret(),
            Item::Pad(n) => asm.nop(n),
        }
        branches += usize::from(matches!(item, Item::Jmp(_) | Item::Jcc(..)));
    }
    branches
}

fn assemble(items: &[Item], labels: usize, peepholes: bool) -> Vec<u8> {
    let mut asm = Assembler::new();
    asm.buffer_mut().set_branch_peepholes(peepholes);
    emit_program(&mut asm, items, labels);
    finish(&mut asm)
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Returned,
    OutOfSteps,
}

/// The arithmetic flags the conditions read.
#[derive(Default)]
struct Flags {
    zf: bool,
    sf: bool,
    cf: bool,
    of: bool,
    pf: bool,
}

impl Flags {
    fn set(&mut self, result: u32, carry: bool, overflow: bool) {
        self.zf = result == 0;
        self.sf = result >> 31 != 0;
        self.cf = carry;
        self.of = overflow;
        self.pf = (result as u8).count_ones().is_multiple_of(2);
    }

    fn holds(&self, cc: ConditionCode) -> bool {
        let Flags { zf, sf, cf, of, pf } = *self;
        match cc {
            ConditionCode::o => of,
            ConditionCode::no => !of,
            ConditionCode::b => cf,
            ConditionCode::ae => !cf,
            ConditionCode::e => zf,
            ConditionCode::ne => !zf,
            ConditionCode::be => cf || zf,
            ConditionCode::a => !cf && !zf,
            ConditionCode::s => sf,
            ConditionCode::ns => !sf,
            ConditionCode::p => pf,
            ConditionCode::np => !pf,
            ConditionCode::l => sf != of,
            ConditionCode::ge => sf == of,
            ConditionCode::le => zf || sf != of,
            ConditionCode::g => !zf && sf == of,
            ConditionCode::None => panic!("not a condition"),
        }
    }
}

/// Runs `code` from offset 0 with `ecx = seed`, recording events, for at
/// most `max_steps` instructions. Understands exactly what `assemble` emits.
fn run(code: &[u8], seed: u32, max_steps: usize) -> (Vec<u32>, Outcome, usize) {
    let insts = decode_all(code);
    let index: HashMap<u64, usize> = insts
        .iter()
        .enumerate()
        .map(|(i, inst)| (inst.ip(), i))
        .collect();
    let jump_to = |target: u64| {
        *index
            .get(&target)
            .unwrap_or_else(|| panic!("jump into the middle of an instruction: {target:#x}"))
    };
    let mut ecx = seed;
    let mut flags = Flags::default();
    let mut events = Vec::new();
    let mut pc = 0;
    for step in 0..max_steps {
        let inst = &insts[pc];
        pc += 1;
        match inst.mnemonic() {
            Mnemonic::Nop => {}
            Mnemonic::Ret => return (events, Outcome::Returned, step + 1),
            Mnemonic::Mov => {
                assert_eq!(inst.op0_register(), Register::EAX);
                events.push(inst.immediate(1) as u32);
            }
            Mnemonic::Add => {
                assert_eq!(inst.op0_register(), Register::ECX);
                let b = inst.immediate(1) as u32;
                let r = ecx.wrapping_add(b);
                flags.set(r, r < ecx, ((ecx ^ r) & (b ^ r)) >> 31 != 0);
                ecx = r;
            }
            Mnemonic::Cmp => {
                assert_eq!(inst.op0_register(), Register::ECX);
                let b = inst.immediate(1) as u32;
                let r = ecx.wrapping_sub(b);
                flags.set(r, ecx < b, ((ecx ^ b) & (ecx ^ r)) >> 31 != 0);
            }
            Mnemonic::Jmp => {
                assert_eq!(inst.op0_kind(), OpKind::NearBranch64);
                pc = jump_to(inst.near_branch_target());
            }
            _ => {
                assert_ne!(
                    inst.condition_code(),
                    ConditionCode::None,
                    "unexpected instruction {inst}"
                );
                if flags.holds(inst.condition_code()) {
                    pc = jump_to(inst.near_branch_target());
                }
            }
        }
        assert!(pc < insts.len(), "fell off the end of the code");
    }
    (events, Outcome::OutOfSteps, max_steps)
}

#[test]
fn peepholes_preserve_behaviour_on_random_programs() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Threading can lengthen code (a short backward branch to a label that
    // now resolves forward); it never makes it execute more instructions.
    let mut saved = 0;
    for case in 0..3000 {
        let labels = 1 + rng.below(10) as usize;
        let len = 1 + rng.below(60) as usize;
        let program = random_program(&mut rng, len, labels);
        let plain = assemble(&program, labels, false);
        let optimized = assemble(&program, labels, true);
        saved += plain.len() as i64 - optimized.len() as i64;
        for seed in [0u32, 1, 2, u32::MAX, 0x8000_0000, 0x7fff_ffff] {
            let (expected, how, plain_steps) = run(&plain, seed, 3000);
            let (got, got_how, steps) = run(&optimized, seed, 3000);
            let what = format!(
                "case {case} seed {seed}: {program:?}\nplain:\n{}\noptimized:\n{}",
                tern_asm::disassemble(&plain, 0),
                tern_asm::disassemble(&optimized, 0)
            );
            match how {
                // The optimized code runs a subset of the same path.
                Outcome::Returned => {
                    assert_eq!(got_how, Outcome::Returned, "{what}");
                    assert_eq!(got, expected, "{what}");
                    assert!(steps <= plain_steps, "{what}");
                }
                Outcome::OutOfSteps => assert!(got.starts_with(&expected), "{what}"),
            }
        }
    }
    // The generator must actually exercise the peepholes.
    assert!(saved > 10_000, "only {saved} bytes saved in total");
}

// ---------------------------------------------------------------------------
// A million branches: the work must stay linear.

const MILLION: usize = 1_000_000;

fn assert_linear(asm: &Assembler, branches: usize) {
    let work = asm.buffer().branch_stats().work;
    assert!(
        work <= 8 * branches as u64,
        "{work} steps of peephole work for {branches} branches"
    );
}

#[test]
fn million_jumps_to_next_with_accumulating_labels() {
    // Every jump is removed, and every label piles up at the same offset: a
    // naive "move the tail labels back" would be quadratic here.
    let mut asm = Assembler::new();
    let mut labels = Vec::with_capacity(MILLION);
    for i in 0..MILLION {
        let l = asm.new_label();
        if i % 2 == 0 {
            asm.jmp(l);
        } else {
            asm.jcc(Cond::NE, l);
        }
        asm.bind_label(l);
        labels.push(l);
    }
    asm.ret();
    assert_linear(&asm, MILLION);
    assert_eq!(
        asm.buffer().branch_stats().removed_jumps_to_next,
        MILLION as u64
    );
    assert_eq!(finish(&mut asm), [0xc3]);
    assert!(
        labels
            .iter()
            .all(|&l| asm.buffer().label_offset(l) == Some(0))
    );
}

#[test]
fn million_inverted_branches() {
    let mut asm = Assembler::new();
    let top = asm.new_label();
    asm.bind_label(top);
    for _ in 0..MILLION {
        let over = asm.new_label();
        asm.jcc(Cond::E, over);
        asm.jmp(top);
        asm.bind_label(over);
        asm.add(Size::S32, RCX, 1);
    }
    asm.ret();
    assert_linear(&asm, 2 * MILLION);
    assert_eq!(asm.buffer().branch_stats().inverted, MILLION as u64);
    let code = finish(&mut asm);
    let insts = decode_all(&code);
    assert_eq!(insts.len(), 2 * MILLION + 1);
    assert_eq!(insts[0].mnemonic(), Mnemonic::Jne);
    assert_eq!(insts[0].len(), 2, "short backward form");
    assert_eq!(insts[2 * MILLION - 2].mnemonic(), Mnemonic::Jne);
    assert_eq!(insts[2 * MILLION - 2].near_branch_target(), 0);
}

#[test]
fn million_threaded_jumps_backward_and_forward() {
    // Backward: s_i: jmp s_{i-1}, all collapsing onto s_0.
    let mut asm = Assembler::new();
    let mut prev = asm.new_label();
    asm.bind_label(prev);
    asm.ret();
    let mut all = vec![prev];
    for _ in 1..MILLION {
        let s = asm.new_label();
        asm.bind_label(s);
        asm.jmp(prev);
        prev = s;
        all.push(s);
    }
    assert_linear(&asm, MILLION);
    assert_eq!(finish(&mut asm), [0xc3, 0xeb, 0xfd]);
    assert!(all.iter().all(|&l| asm.buffer().label_offset(l) == Some(0)));

    // Forward: a_i: jmp a_{i+1}; ud2 — every label threads to the last one.
    let mut asm = Assembler::new();
    let labels: Vec<Label> = (0..=MILLION).map(|_| asm.new_label()).collect();
    for i in 0..MILLION {
        asm.bind_label(labels[i]);
        asm.jmp(labels[i + 1]);
        asm.ud2();
    }
    asm.bind_label(labels[MILLION]);
    asm.ret();
    assert_linear(&asm, MILLION);
    let end = 7 * MILLION as u32;
    assert!(
        labels
            .iter()
            .all(|&l| asm.buffer().label_offset(l) == Some(end))
    );
    let code = finish(&mut asm);
    let first = common::decode_one(&code[..5]);
    assert_eq!(first.near_branch_target(), u64::from(end));
}

#[test]
fn million_random_branches() {
    // Many small random functions' worth of branches in one buffer, each
    // chunk with its own labels, so that every peephole keeps firing.
    let mut rng = Rng(42);
    let (chunk_labels, chunk_len) = (10, 60);
    let mut program = Vec::with_capacity(MILLION + MILLION / 5);
    let mut chunks = 0;
    while program.len() < MILLION {
        let base = chunks * chunk_labels;
        program.extend(
            random_program(&mut rng, chunk_len, chunk_labels)
                .into_iter()
                .map(|item| match item {
                    Item::Bind(l) => Item::Bind(base + l),
                    Item::Jmp(l) => Item::Jmp(base + l),
                    Item::Jcc(c, l) => Item::Jcc(c, base + l),
                    other => other,
                }),
        );
        chunks += 1;
    }
    let mut asm = Assembler::new();
    let branches = emit_program(&mut asm, &program, chunks * chunk_labels);
    let stats = asm.buffer().branch_stats();
    assert_linear(&asm, branches);
    assert!(
        stats.removed_jumps_to_next > 5000 && stats.inverted > 500 && stats.threaded > 10_000,
        "{stats:?}"
    );
    finish(&mut asm);
}
