//! Emission throughput: instructions per second through the `Assembler`,
//! on a mix shaped like baseline-compiler output: register moves and ALU
//! operations, loads and stores at `[base + disp]` (and a few with an
//! index), immediates of every width, an if/else diamond (forward `jcc` and
//! `jmp`, two labels), a loop back edge (backward `jcc`), `setcc`, a call,
//! SSE arithmetic. Each iteration emits a whole function and finishes it
//! (label fixups included), reusing the assembler's allocations as the
//! compilers do.
//!
//! For instruction counts, set `TERN_ASM_EMIT_ITERS=n`: the binary then
//! emits the function `n` times without criterion, and
//! `valgrind --tool=callgrind --toggle-collect='*emit_and_finish*' <bench>`
//! counts exactly the emission work (divide by `n` and by the instruction
//! count the binary prints).

use criterion::{Criterion, Throughput, criterion_group};
use std::hint::black_box;
use tern_asm::regs::*;
use tern_asm::{Amode, Assembler, Cond, ExtMode, RelocTarget, Scale, ShiftAmount, Size};

/// Instructions emitted per loop iteration of `emit_function` (checked
/// against a decoder below).
const INSTS_PER_BLOCK: u64 = 25;
const BLOCKS: u64 = 1000;

fn emit_function(asm: &mut Assembler) {
    let vmctx = RDI;
    let top = asm.new_label();
    asm.bind_label(top);
    for i in 0..BLOCKS as i32 {
        let else_ = asm.new_label();
        let end = asm.new_label();
        asm.mov_rm(
            Size::S32,
            RAX,
            Amode::base_disp(vmctx, 0x40 + (i & 0x3f) * 4),
        );
        asm.mov_rm(Size::S64, RCX, Amode::base_index(R14, RAX, Scale::One, i));
        asm.mov_rm(Size::S64, RSI, RAX);
        asm.add(Size::S32, RAX, i);
        asm.add(Size::S32, RSI, RCX);
        asm.xor(Size::S32, R8, R8);
        asm.imul(Size::S64, RCX, RAX);
        asm.shl(Size::S32, RAX, ShiftAmount::Imm(3));
        asm.cmp(Size::S32, RAX, RCX);
        asm.jcc(Cond::L, else_);
        asm.mov_mr(Size::S32, Amode::base_disp(R14, i), RAX);
        asm.movsd(XMM0, Amode::base_disp(R14, i * 8));
        asm.addsd(XMM0, XMM1);
        asm.movsd_store(Amode::base_disp(R14, i * 8), XMM0);
        asm.jmp(end);
        asm.bind_label(else_);
        asm.lea(Size::S64, RDX, Amode::base_disp(RSI, 8));
        asm.movzx(ExtMode::BL, RCX, Amode::base_disp(RBP, -(i & 0x7f)));
        asm.bind_label(end);
        asm.sub_mem(Size::S64, Amode::base_disp(vmctx, 0x10), 1);
        asm.setcc(Cond::E, RAX);
        asm.movzx(ExtMode::BL, RAX, RAX);
        asm.mov_ri(Size::S64, RDX, u64::from(i as u32) << 33);
        asm.mov_ri(Size::S32, R9, i as u64);
        asm.call(RelocTarget::Function(i as u32));
        asm.test(Size::S32, RAX, RAX);
        asm.jcc(Cond::NE, top);
    }
    asm.ret();
}

/// One function's worth of work, as a compiler does it: reset, emit, finish.
#[inline(never)]
fn emit_and_finish(asm: &mut Assembler) -> usize {
    asm.clear();
    emit_function(asm);
    asm.finish().unwrap().code.len()
}

/// Emits the function once and returns its instruction count, checked.
fn warm_up(asm: &mut Assembler) -> u64 {
    emit_and_finish(asm);
    asm.clear();
    emit_function(asm);
    let insts = iced_count(asm.finish().unwrap().code);
    assert_eq!(insts, INSTS_PER_BLOCK * BLOCKS + 1);
    insts
}

fn bench_emit(c: &mut Criterion) {
    let mut asm = Assembler::new();
    let insts = warm_up(&mut asm);
    let mut group = c.benchmark_group("assembler");
    group.throughput(Throughput::Elements(insts));
    group.bench_function("emit_mixed_function", |b| {
        b.iter(|| black_box(emit_and_finish(&mut asm)))
    });
    group.finish();
}

fn iced_count(code: &[u8]) -> u64 {
    let mut decoder = iced_x86::Decoder::new(64, code, iced_x86::DecoderOptions::NONE);
    decoder.iter().count() as u64
}

criterion_group!(benches, bench_emit);

fn main() {
    if let Ok(iters) = std::env::var("TERN_ASM_EMIT_ITERS") {
        let iters: u64 = iters.parse().expect("TERN_ASM_EMIT_ITERS is a count");
        let mut asm = Assembler::new();
        let insts = warm_up(&mut asm);
        for _ in 0..iters {
            black_box(emit_and_finish(&mut asm));
        }
        println!("{iters} x {insts} instructions");
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
