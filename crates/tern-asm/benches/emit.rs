//! Emission throughput: instructions per second through the `Assembler`,
//! on a mix shaped like baseline-compiler output (moves, loads and stores,
//! ALU with immediates, compares and branches with labels bound in both
//! directions, calls, SSE arithmetic).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use tern_asm::regs::*;
use tern_asm::{Amode, Assembler, Cond, RelocTarget, ShiftAmount, Size};

/// Instructions emitted per call of `emit_function` (checked below).
const INSTS_PER_BLOCK: u64 = 16;
const BLOCKS: u64 = 1000;

fn emit_function(asm: &mut Assembler) {
    let vmctx = RDI;
    let top = asm.new_label();
    asm.bind_label(top);
    for i in 0..BLOCKS as i32 {
        let skip = asm.new_label();
        asm.mov_rm(
            Size::S32,
            RAX,
            Amode::base_disp(vmctx, 0x40 + (i & 0x3f) * 4),
        );
        asm.mov_rm(
            Size::S64,
            RCX,
            Amode::base_index(R14, RAX, tern_asm::Scale::One, i),
        );
        asm.add(Size::S32, RAX, i);
        asm.imul(Size::S64, RCX, RAX);
        asm.shl(Size::S32, RAX, ShiftAmount::Imm(3));
        asm.cmp(Size::S32, RAX, RCX);
        asm.jcc(Cond::L, skip);
        asm.mov_mr(Size::S32, Amode::base_disp(R14, i), RAX);
        asm.movsd(XMM0, Amode::base_disp(R14, i * 8));
        asm.addsd(XMM0, XMM1);
        asm.movsd_store(Amode::base_disp(R14, i * 8), XMM0);
        asm.bind_label(skip);
        asm.sub_mem(Size::S64, Amode::base_disp(vmctx, 0x10), 1);
        asm.mov_ri(Size::S64, RDX, u64::from(i as u32) << 33);
        asm.call(RelocTarget::Function(i as u32));
        asm.test(Size::S32, RAX, RAX);
        asm.jcc(Cond::NE, top);
    }
    asm.ret();
}

fn bench_emit(c: &mut Criterion) {
    let mut asm = Assembler::new();
    emit_function(&mut asm);
    let insts = iced_count(asm.finish().unwrap().code);
    assert_eq!(insts, INSTS_PER_BLOCK * BLOCKS + 1);
    let mut group = c.benchmark_group("assembler");
    group.throughput(Throughput::Elements(insts));
    group.bench_function("emit_mixed_function", |b| {
        b.iter(|| {
            asm.clear();
            emit_function(&mut asm);
            black_box(asm.finish().unwrap().code.len())
        })
    });
    group.finish();
}

fn iced_count(code: &[u8]) -> u64 {
    let mut decoder = iced_x86::Decoder::new(64, code, iced_x86::DecoderOptions::NONE);
    decoder.iter().count() as u64
}

criterion_group!(benches, bench_emit);
criterion_main!(benches);
