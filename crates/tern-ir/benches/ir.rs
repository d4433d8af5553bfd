//! Throughput of the IR's core operations, at several function sizes so
//! that non-linear behaviour shows up as a growing time per instruction:
//!
//! * `verify`: the verifier (structure, types, dominance);
//! * `print` / `parse`: the text format in both directions;
//! * `rewrite`: `replace_inst_with` on every user of a popular value,
//!   which exercises the lazily cleaned use lists;
//! * `eval`: one `eval_pure` call.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

use tern_ir::eval::{DataValue, eval_pure};
use tern_ir::verify::verify_function;
use tern_ir::{
    Function, FunctionBuilder, Imm, InstructionData, IntCC, Opcode, Signature, Type, parse_function,
};

/// A function of about `n` instructions: a chain of arithmetic on one
/// constant (so the constant has many users) split into blocks of 100
/// joined by conditional branches.
fn chain(n: usize) -> Function {
    let mut func = Function::new("chain", Signature::new(&[Type::I64], &[Type::I64]));
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let mut acc = b.append_entry_params(entry)[0];
    let k = b.iconst(Type::I64, 7);
    let ops = [Opcode::Iadd, Opcode::Imul, Opcode::Bxor, Opcode::Isub];
    let mut emitted = 2;
    while emitted < n {
        for i in 0..100 {
            acc = b.ins_value(InstructionData::binary(
                ops[i % ops.len()],
                Type::I64,
                acc,
                k,
            ));
        }
        let next = b.create_block();
        let param = b.append_block_param(next, Type::I64);
        let exit = b.create_block();
        let c = b.icmp(IntCC::Equal, acc, k);
        b.brif(c, exit, &[], next, &[acc]);
        b.switch_to_block(exit);
        b.return_(&[k]);
        b.switch_to_block(next);
        acc = param;
        emitted += 104;
    }
    b.return_(&[acc]);
    func
}

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn bench_verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    for n in SIZES {
        let func = chain(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &func, |bench, f| {
            bench.iter(|| verify_function(black_box(f)).unwrap())
        });
    }
    group.finish();
}

fn bench_text(c: &mut Criterion) {
    let mut group = c.benchmark_group("text");
    for n in SIZES {
        let func = chain(n);
        let text = func.to_string();
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("print", n), &func, |bench, f| {
            bench.iter(|| black_box(f).to_string())
        });
        group.bench_with_input(BenchmarkId::new("parse", n), &text, |bench, t| {
            bench.iter(|| parse_function(black_box(t)).unwrap())
        });
    }
    group.finish();
}

fn bench_rewrite(c: &mut Criterion) {
    let mut group = c.benchmark_group("rewrite");
    for n in SIZES {
        let func = chain(n);
        let insts: Vec<_> = func
            .insts()
            .filter(|&i| func.dfg.inst(i).opcode == Opcode::Imul)
            .collect();
        group.throughput(Throughput::Elements(insts.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &func, |bench, f| {
            bench.iter_batched(
                || f.clone(),
                |mut f| {
                    // Turn every `imul x, k` into `ishl x, k` and back: each
                    // rewrite retires and re-adds a use of the popular `k`.
                    for &inst in &insts {
                        let mut data = f.dfg.inst(inst).clone();
                        data.opcode = Opcode::Ishl;
                        f.dfg.replace_inst_with(inst, data.clone()).unwrap();
                        data.opcode = Opcode::Imul;
                        f.dfg.replace_inst_with(inst, data).unwrap();
                    }
                    f
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn bench_eval(c: &mut Criterion) {
    let x = DataValue::from_i128(Type::I64, -12345);
    let y = DataValue::from_i128(Type::I64, 67);
    c.bench_function("eval/sdiv.i64", |bench| {
        bench.iter(|| eval_pure(Opcode::Sdiv, Type::I64, Imm::None, black_box(&[x, y])).unwrap())
    });
    let a = DataValue::from_i128(Type::I128, -12345);
    c.bench_function("eval/smulhi.i128", |bench| {
        bench.iter(|| eval_pure(Opcode::Smulhi, Type::I128, Imm::None, black_box(&[a, a])).unwrap())
    });
}

criterion_group!(benches, bench_verify, bench_text, bench_rewrite, bench_eval);
criterion_main!(benches);
