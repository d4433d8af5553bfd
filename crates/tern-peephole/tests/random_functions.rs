//! The pass on randomly generated functions.
//!
//! Each function is a straight-line mix of integer, comparison, select,
//! extension and float instructions over its parameters and constants
//! chosen to trigger rules (0, 1, -1, powers of two, shift widths, masks,
//! repeated operands). For each one the tests check that
//!
//! * the optimized function still verifies and computes exactly the same
//!   results (or the same trap) as the original on many inputs, run through
//!   the IR interpreter;
//! * the pass reached a fixpoint: no rule matches any instruction left, and
//!   it did not run out of fuel;
//! * before optimizing, the generated matcher picks the same rule as the
//!   automaton interpreter for every instruction.

use tern_ir::eval::DataValue;
use tern_ir::interp::Interpreter;
use tern_ir::verify::verify_function;
use tern_ir::{
    Function, FunctionBuilder, Imm, InstructionData, IntCC, Opcode, Signature, Type, Value,
};
use tern_peephole::ir::DfgView;
use tern_peephole::{Matcher, pass};
use tern_peephole_dsl::diagnostic::SourceMap;
use tern_peephole_dsl::verify::samples::Rng;

const PARAMS: [Type; 6] = [
    Type::I32,
    Type::I32,
    Type::I64,
    Type::I64,
    Type::F32,
    Type::F64,
];

/// Constants that rules care about.
const INTERESTING: [i128; 16] = [
    0, 1, -1, 2, 3, 4, 7, 8, 16, 24, 31, 32, 63, 255, 0xffff, -128,
];

/// Inserts a single-result instruction and returns its result.
fn ins(b: &mut FunctionBuilder<'_>, data: InstructionData) -> Value {
    let inst = b.ins(data);
    b.func.dfg.first_result(inst)
}

struct Gen {
    rng: Rng,
    /// Every value so far with its type.
    pool: Vec<(Value, Type)>,
}

impl Gen {
    fn pick_of(&mut self, pred: impl Fn(Type) -> bool) -> Option<(Value, Type)> {
        let candidates: Vec<(Value, Type)> = self
            .pool
            .iter()
            .copied()
            .filter(|&(_, t)| pred(t))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        // Prefer recent values, so that expressions nest.
        let n = candidates.len();
        let i = if self.rng.below(3) == 0 {
            self.rng.below(n)
        } else {
            n - 1 - self.rng.below(n.min(4))
        };
        Some(candidates[i])
    }

    fn pick(&mut self, ty: Type) -> Value {
        self.pick_of(|t| t == ty)
            .expect("a value of each type exists")
            .0
    }

    fn constant(&mut self, b: &mut FunctionBuilder<'_>, ty: Type) -> Value {
        let v = if self.rng.below(4) == 0 {
            self.rng.next_u128() as i128
        } else {
            INTERESTING[self.rng.below(INTERESTING.len())]
        };
        b.iconst(ty, v)
    }

    /// Adds one random instruction.
    fn step(&mut self, b: &mut FunctionBuilder<'_>) {
        const BINARY: [Opcode; 21] = [
            Opcode::Iadd,
            Opcode::Isub,
            Opcode::Imul,
            Opcode::Band,
            Opcode::Bor,
            Opcode::Bxor,
            Opcode::BandNot,
            Opcode::BorNot,
            Opcode::BxorNot,
            Opcode::Ishl,
            Opcode::Ushr,
            Opcode::Sshr,
            Opcode::Rotl,
            Opcode::Rotr,
            Opcode::Umulhi,
            Opcode::Smulhi,
            Opcode::Udiv,
            Opcode::Sdiv,
            Opcode::Urem,
            Opcode::Srem,
            Opcode::Iadd,
        ];
        const UNARY: [Opcode; 5] = [
            Opcode::Ineg,
            Opcode::Bnot,
            Opcode::Clz,
            Opcode::Ctz,
            Opcode::Popcnt,
        ];
        const FLOAT_UNARY: [Opcode; 6] = [
            Opcode::Fneg,
            Opcode::Fabs,
            Opcode::Floor,
            Opcode::Ceil,
            Opcode::Trunc,
            Opcode::Nearest,
        ];
        let ints = [Type::I8, Type::I16, Type::I32, Type::I64];
        let ty = ints[self.rng.below(4)];
        let have = self.pool.iter().any(|&(_, t)| t == ty);
        let v = match self.rng.below(12) {
            _ if !have => self.constant(b, ty),
            0 | 1 => self.constant(b, ty),
            2..=5 => {
                let op = BINARY[self.rng.below(BINARY.len())];
                let x = self.pick(ty);
                let y = match self.rng.below(5) {
                    0 => x,
                    1 => self.constant(b, ty),
                    _ => self.pick(ty),
                };
                ins(b, InstructionData::binary(op, ty, x, y))
            }
            6 => {
                let op = UNARY[self.rng.below(UNARY.len())];
                let x = self.pick(ty);
                ins(b, InstructionData::unary(op, ty, x))
            }
            7 => {
                let cc = IntCC::ALL[self.rng.below(IntCC::ALL.len())];
                let x = self.pick(ty);
                let y = if self.rng.below(2) == 0 {
                    self.constant(b, ty)
                } else {
                    self.pick(ty)
                };
                ins(b, InstructionData::icmp(cc, ty, x, y))
            }
            8 => {
                let (c, _) = self.pick_of(|t| t.is_int()).expect("ints exist");
                let x = self.pick(ty);
                let y = self.pick(ty);
                ins(
                    b,
                    InstructionData::new(Opcode::Select, ty, Imm::None, &[c, x, y]),
                )
            }
            9 => {
                // An extension to `ty` or a reduction to it.
                let (x, from) = self
                    .pick_of(|t| t.is_int() && t != ty)
                    .expect("several integer types exist");
                let op = if from.bits() > ty.bits() {
                    Opcode::Ireduce
                } else if self.rng.below(2) == 0 {
                    Opcode::Uextend
                } else {
                    Opcode::Sextend
                };
                ins(b, InstructionData::unary(op, ty, x))
            }
            10 => {
                // A shift by a masked amount, as Wasm lowering produces.
                let x = self.pick(ty);
                let amount = self.pick(ty);
                let mask = b.iconst(ty, i128::from(ty.bits()) - 1);
                let masked = b.band(amount, mask);
                let op = [Opcode::Ishl, Opcode::Ushr, Opcode::Sshr][self.rng.below(3)];
                ins(b, InstructionData::binary(op, ty, x, masked))
            }
            _ => {
                let fty = [Type::F32, Type::F64][self.rng.below(2)];
                let x = self.pick(fty);
                let op = FLOAT_UNARY[self.rng.below(FLOAT_UNARY.len())];
                let v = ins(b, InstructionData::unary(op, fty, x));
                self.pool.push((v, fty));
                return;
            }
        };
        let vty = b.func.dfg.value_type(v);
        self.pool.push((v, vty));
    }
}

/// A random function of `len` instructions returning one value of each
/// parameter type.
fn random_function(seed: u64, len: usize) -> Function {
    let mut func = Function::new("f", Signature::new(&PARAMS, &PARAMS));
    let mut b = FunctionBuilder::new(&mut func);
    let block = b.create_block();
    let params = b.append_entry_params(block);
    b.switch_to_block(block);
    let mut g = Gen {
        rng: Rng::new(seed),
        pool: params.iter().copied().zip(PARAMS).collect(),
    };
    // Narrow integer values to start from.
    let p8 = b.ireduce(Type::I8, params[0]);
    let p16 = b.ireduce(Type::I16, params[2]);
    g.pool.push((p8, Type::I8));
    g.pool.push((p16, Type::I16));
    for _ in 0..len {
        g.step(&mut b);
    }
    let results: Vec<Value> = PARAMS.iter().map(|&t| g.pick(t)).collect();
    b.return_(&results);
    func
}

fn random_args(rng: &mut Rng) -> Vec<DataValue> {
    PARAMS
        .iter()
        .map(|&t| {
            let bits = match rng.below(3) {
                0 => INTERESTING[rng.below(INTERESTING.len())] as u128,
                _ => rng.next_u128(),
            };
            DataValue::new(t, bits)
        })
        .collect()
}

#[test]
fn optimized_functions_compute_the_same_results() {
    let mut total = pass::Stats::default();
    let mut rng = Rng::new(42);
    for seed in 0..300 {
        let original = random_function(seed, 40);
        verify_function(&original).unwrap_or_else(|e| panic!("generator bug: {e}\n{original}"));
        let mut optimized = original.clone();
        let stats = tern_peephole::optimize(&mut optimized);
        assert!(!stats.out_of_fuel, "seed {seed}: out of fuel\n{original}");
        if let Err(e) = verify_function(&optimized) {
            panic!("seed {seed}: does not verify: {e}\n{original}\n{optimized}");
        }
        for inst in optimized.insts() {
            let data = optimized.dfg.inst(inst);
            if data.opcode.is_evaluable() {
                let v = optimized.dfg.first_result(inst);
                if let Some(m) = tern_peephole::Shipped::find(DfgView::new(&optimized.dfg), v) {
                    let rule = tern_peephole::RULES[tern_peephole::Shipped::rule(&m)].name;
                    panic!("seed {seed}: not a fixpoint, {rule} still matches {inst}\n{optimized}");
                }
            }
        }
        let mut before = Interpreter::new();
        before.add_function(&original).expect("verified");
        let mut after = Interpreter::new();
        after.add_function(&optimized).expect("verified");
        for _ in 0..40 {
            let args = random_args(&mut rng);
            let want = before.call("f", &args).expect("runs");
            let got = after.call("f", &args).expect("runs");
            assert_eq!(
                want, got,
                "seed {seed}, args {args:?}\noriginal:\n{original}\noptimized:\n{optimized}"
            );
        }
        total.visited += stats.visited;
        total.rewrites += stats.rewrites;
        total.removed += stats.removed;
    }
    // The generator is biased towards rule inputs: make sure the test
    // exercises the rules rather than passing vacuously.
    assert!(total.rewrites > 2000, "only {} rewrites", total.rewrites);
    assert!(total.removed > 2000, "only {} removals", total.removed);
}

#[test]
fn generated_matcher_agrees_with_the_automaton_interpreter() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "peep"))
        .collect();
    files.sort();
    let mut sources = SourceMap::new();
    for f in &files {
        let name = format!("rules/{}", f.file_name().unwrap().to_string_lossy());
        sources.add(name, std::fs::read_to_string(f).unwrap());
    }
    let compiled = tern_peephole_dsl::compile(sources).unwrap();
    let names: Vec<&str> = compiled.set.rules.iter().map(|r| r.name.as_str()).collect();
    let shipped: Vec<&str> = tern_peephole::RULES.iter().map(|r| r.name).collect();
    assert_eq!(names, shipped);
    let mut matched = 0;
    for seed in 1000..1200 {
        let func = random_function(seed, 60);
        let view = DfgView::new(&func.dfg);
        for inst in func.insts() {
            if !func.dfg.inst(inst).opcode.is_evaluable() {
                continue;
            }
            let v = func.dfg.first_result(inst);
            let generated =
                tern_peephole::Shipped::find(view, v).map(|m| tern_peephole::Shipped::rule(&m));
            let interpreted = tern_peephole_dsl::interp::find(&compiled.automaton, &view, v);
            assert_eq!(generated, interpreted, "seed {seed}, {inst}\n{func}");
            matched += usize::from(generated.is_some());
        }
    }
    assert!(matched > 2000, "only {matched} matches");
}

#[test]
fn every_rule_fires_somewhere() {
    // Not a requirement on the rules, but a check on the generator and the
    // pass: a good share of the rules should fire on random code.
    let mut fired = vec![0u64; tern_peephole::RULES.len()];
    for seed in 0..300 {
        let mut func = random_function(seed, 40);
        let stats = tern_peephole::optimize(&mut func);
        for (f, n) in fired.iter_mut().zip(&stats.fired) {
            *f += n;
        }
    }
    let count = fired.iter().filter(|&&n| n > 0).count();
    assert!(count >= 120, "only {count} distinct rules fired");
}
