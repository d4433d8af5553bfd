//! Time per instruction as the rule set grows.
//!
//! `cargo bench -p tern-peephole --features bench-rulesets`
//!
//! Four matchers generated from growing rule sets — the first 10 shipped
//! rules, the first 100, all shipped rules, and all shipped rules plus
//! several hundred generated ones — run on the same function:
//!
//! * `match/<set>`: the matcher alone on every instruction of the function
//!   (no rewriting); the throughput is instructions matched.
//! * `pass/<set>`: the whole worklist pass to a fixpoint on a fresh copy;
//!   the throughput is instructions visited (popped from the worklist), so
//!   the figure is time per instruction visited.
//!
//! The automaton shares prefixes and switches on opcodes and constants, so
//! both figures should stay about flat as the rule set grows.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tern_ir::{
    Function, FunctionBuilder, Imm, InstructionData, IntCC, Opcode, Signature, Type, Value,
};
use tern_peephole::bench_rulesets::{First10, First100, Generated};
use tern_peephole::ir::DfgView;
use tern_peephole::{Matcher, Options, Shipped, pass};
use tern_peephole_dsl::verify::samples::Rng;

/// A straight-line function of about `len` instructions shaped like
/// lowered Wasm: mostly ordinary arithmetic on earlier values, with
/// constants, comparisons, selects, masked shifts and extensions, some of
/// which the rules simplify.
fn workload(len: usize) -> Function {
    let params = [Type::I32, Type::I32, Type::I64, Type::I64];
    let mut func = Function::new("bench", Signature::new(&params, &[Type::I32, Type::I64]));
    let mut b = FunctionBuilder::new(&mut func);
    let block = b.create_block();
    let args = b.append_entry_params(block);
    b.switch_to_block(block);
    let mut rng = Rng::new(7);
    let mut i32s: Vec<Value> = vec![args[0], args[1]];
    let mut i64s: Vec<Value> = vec![args[2], args[3]];
    let ops = [
        Opcode::Iadd,
        Opcode::Isub,
        Opcode::Imul,
        Opcode::Band,
        Opcode::Bor,
        Opcode::Bxor,
        Opcode::Ishl,
        Opcode::Ushr,
        Opcode::Sshr,
        Opcode::Rotl,
    ];
    let consts = [0i128, 1, -1, 2, 3, 4, 8, 12, 31, 100, 255, 1000];
    let ins = |b: &mut FunctionBuilder<'_>, data: InstructionData| {
        let inst = b.ins(data);
        b.func.dfg.first_result(inst)
    };
    while b.func.dfg.num_insts() < len {
        let wide = rng.below(2) == 0;
        let (ty, pool) = if wide {
            (Type::I64, &mut i64s)
        } else {
            (Type::I32, &mut i32s)
        };
        let recent =
            |rng: &mut Rng, pool: &[Value]| pool[pool.len() - 1 - rng.below(pool.len().min(8))];
        let x = recent(&mut rng, pool);
        let v = match rng.below(10) {
            0 | 1 => {
                let c = b.iconst(ty, consts[rng.below(consts.len())]);
                let op = ops[rng.below(ops.len())];
                ins(&mut b, InstructionData::binary(op, ty, x, c))
            }
            2 => {
                let y = recent(&mut rng, pool);
                let cc = IntCC::ALL[rng.below(IntCC::ALL.len())];
                let c = ins(&mut b, InstructionData::icmp(cc, ty, x, y));
                let z = recent(&mut rng, pool);
                ins(
                    &mut b,
                    InstructionData::new(Opcode::Select, ty, Imm::None, &[c, x, z]),
                )
            }
            3 => {
                let mask = b.iconst(ty, i128::from(ty.bits()) - 1);
                let y = recent(&mut rng, pool);
                let amount = b.band(y, mask);
                ins(&mut b, InstructionData::binary(Opcode::Ishl, ty, x, amount))
            }
            _ => {
                let y = recent(&mut rng, pool);
                let op = ops[rng.below(ops.len())];
                ins(&mut b, InstructionData::binary(op, ty, x, y))
            }
        };
        pool.push(v);
        if rng.below(8) == 0 {
            // Move a value between the widths, as i32.wrap / i64.extend do.
            if wide {
                let r = b.ireduce(Type::I32, v);
                i32s.push(r);
            } else {
                let e = b.uextend(Type::I64, v);
                i64s.push(e);
            }
        }
    }
    let (r32, r64) = (*i32s.last().expect("params"), *i64s.last().expect("params"));
    b.return_(&[r32, r64]);
    func
}

fn bench_set<M: Matcher>(c: &mut Criterion, name: &str, func: &Function) {
    let roots: Vec<Value> = func
        .insts()
        .filter(|&i| func.dfg.inst(i).opcode.is_evaluable())
        .map(|i| func.dfg.first_result(i))
        .collect();
    let mut group = c.benchmark_group("match");
    group.throughput(Throughput::Elements(roots.len() as u64));
    group.bench_function(BenchmarkId::from_parameter(name), |b| {
        b.iter(|| {
            let view = DfgView::new(&func.dfg);
            let mut hits = 0usize;
            for &v in &roots {
                hits += usize::from(M::find(view, black_box(v)).is_some());
            }
            hits
        })
    });
    group.finish();

    let visited = pass::run::<M>(&mut func.clone(), &Options::default()).visited;
    let mut group = c.benchmark_group("pass");
    group.throughput(Throughput::Elements(visited));
    group.bench_function(BenchmarkId::from_parameter(name), |b| {
        b.iter_batched_ref(
            || func.clone(),
            |f| pass::run::<M>(f, &Options::default()),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn matcher_scaling(c: &mut Criterion) {
    let func = workload(20_000);
    for (name, rules) in [
        ("first10", First10::rules().len()),
        ("first100", First100::rules().len()),
        ("shipped", Shipped::rules().len()),
        ("generated", Generated::rules().len()),
    ] {
        let stats = match name {
            "first10" => pass::run::<First10>(&mut func.clone(), &Options::default()),
            "first100" => pass::run::<First100>(&mut func.clone(), &Options::default()),
            "shipped" => pass::run::<Shipped>(&mut func.clone(), &Options::default()),
            _ => pass::run::<Generated>(&mut func.clone(), &Options::default()),
        };
        eprintln!("{name}: {rules} rules; pass on the workload: {stats}");
    }
    bench_set::<First10>(c, "first10", &func);
    bench_set::<First100>(c, "first100", &func);
    bench_set::<Shipped>(c, "shipped", &func);
    bench_set::<Generated>(c, "generated", &func);
}

criterion_group!(benches, matcher_scaling);
criterion_main!(benches);
