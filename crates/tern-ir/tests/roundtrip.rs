//! Property tests: random well-formed functions verify, print, parse back
//! to the same function, and run the same way before and after.
//!
//! Functions are generated from a seed by a type-directed generator that
//! covers every opcode and format (constants with arbitrary bits including
//! NaN payloads, all condition codes, memory flags and offsets, calls,
//! branch tables, block parameters), and respects SSA dominance by only
//! using values of the entry block and of the current block.

use proptest::prelude::*;

use tern_ir::interp::{Interpreter, Outcome};
use tern_ir::verify::verify_function;
use tern_ir::{
    Block, BlockCall, DataFlowGraph, DataValue, ExtFuncData, FloatCC, FuncRef, Function,
    FunctionBuilder, Imm, InstructionData, IntCC, MemFlags, Opcode, Signature, TrapCode, Type,
    Value, ValueDef, parse_function,
};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64: good enough spread from sequential seeds.
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

struct Gen<'f> {
    rng: Rng,
    b: FunctionBuilder<'f>,
    entry_values: Vec<Value>,
    block_values: Vec<Value>,
    funcs: Vec<(FuncRef, Signature)>,
}

impl Gen<'_> {
    fn ty(&self, v: Value) -> Type {
        self.b.func.dfg.value_type(v)
    }

    fn push(&mut self, v: Value) -> Value {
        self.block_values.push(v);
        v
    }

    /// A value of type `ty` that may be used here, making a constant if none.
    fn value_of(&mut self, ty: Type) -> Value {
        let candidates: Vec<Value> = self
            .entry_values
            .iter()
            .chain(&self.block_values)
            .copied()
            .filter(|&v| self.ty(v) == ty)
            .collect();
        if !candidates.is_empty() && self.rng.chance(80) {
            return self.rng.pick(&candidates);
        }
        self.constant(ty)
    }

    fn constant(&mut self, ty: Type) -> Value {
        let bits = (u128::from(self.rng.next()) << 64) | u128::from(self.rng.next());
        let small = self.rng.chance(50);
        let v = match ty {
            Type::F32 => self.b.ins_value(InstructionData::f32const(bits as u32)),
            Type::F64 => self.b.ins_value(InstructionData::f64const(bits as u64)),
            _ if small => self.b.iconst(ty, (bits % 7) as i128 - 3),
            _ => self.b.iconst(ty, bits as i128),
        };
        self.push(v)
    }

    fn int_type(&mut self) -> Type {
        self.rng.pick(&Type::INTS)
    }

    fn float_type(&mut self) -> Type {
        self.rng.pick(&Type::FLOATS)
    }

    fn inst(&mut self) {
        use Opcode::*;
        const INT_BINARY: [Opcode; 16] = [
            Iadd, Isub, Imul, Udiv, Sdiv, Urem, Srem, Umulhi, Smulhi, Band, Bor, Bxor, BandNot,
            BorNot, BxorNot, Ishl,
        ];
        const SHIFTS: [Opcode; 4] = [Ushr, Sshr, Rotl, Rotr];
        const INT_UNARY: [Opcode; 5] = [Ineg, Bnot, Clz, Ctz, Popcnt];
        const FLOAT_BINARY: [Opcode; 7] = [Fadd, Fsub, Fmul, Fdiv, Fmin, Fmax, Fcopysign];
        const FLOAT_UNARY: [Opcode; 7] = [Sqrt, Fneg, Fabs, Floor, Ceil, Trunc, Nearest];
        const LOADS: [Opcode; 7] = [Load, Uload8, Sload8, Uload16, Sload16, Uload32, Sload32];
        const STORES: [Opcode; 4] = [Store, Istore8, Istore16, Istore32];
        match self.rng.below(16) {
            0 => {
                let ty = self.rng.pick(&Type::ALL);
                self.constant(ty);
            }
            1 => {
                let ty = self.int_type();
                let op = self.rng.pick(&INT_BINARY);
                let (x, y) = (self.value_of(ty), self.value_of(ty));
                let v = self.b.ins_value(InstructionData::binary(op, ty, x, y));
                self.push(v);
            }
            2 => {
                let (ty, amount_ty) = (self.int_type(), self.int_type());
                let op = self.rng.pick(&SHIFTS);
                let (x, y) = (self.value_of(ty), self.value_of(amount_ty));
                let v = self.b.ins_value(InstructionData::binary(op, ty, x, y));
                self.push(v);
            }
            3 => {
                let ty = self.int_type();
                let op = self.rng.pick(&INT_UNARY);
                let x = self.value_of(ty);
                let v = self.b.ins_value(InstructionData::unary(op, ty, x));
                self.push(v);
            }
            4 => {
                let ty = self.int_type();
                let cc = self.rng.pick(&IntCC::ALL);
                let (x, y) = (self.value_of(ty), self.value_of(ty));
                let v = self.b.icmp(cc, x, y);
                self.push(v);
            }
            5 => {
                let ty = self.float_type();
                let cc = self.rng.pick(&FloatCC::ALL);
                let (x, y) = (self.value_of(ty), self.value_of(ty));
                let v = self.b.fcmp(cc, x, y);
                self.push(v);
            }
            6 => {
                let ty = self.float_type();
                let (x, y) = (self.value_of(ty), self.value_of(ty));
                let v = if self.rng.chance(50) {
                    let op = self.rng.pick(&FLOAT_BINARY);
                    self.b.ins_value(InstructionData::binary(op, ty, x, y))
                } else {
                    let op = self.rng.pick(&FLOAT_UNARY);
                    self.b.ins_value(InstructionData::unary(op, ty, x))
                };
                self.push(v);
            }
            7 => {
                let (cty, ty) = (self.int_type(), self.rng.pick(&Type::ALL));
                let c = self.value_of(cty);
                let (x, y) = (self.value_of(ty), self.value_of(ty));
                let v = self.b.select(c, x, y);
                self.push(v);
            }
            8 => {
                let (a, b) = (self.int_type(), self.int_type());
                if a == b {
                    return;
                }
                let (narrow, wide) = if a.bits() < b.bits() { (a, b) } else { (b, a) };
                let v = match self.rng.below(3) {
                    0 => {
                        let x = self.value_of(narrow);
                        self.b.uextend(wide, x)
                    }
                    1 => {
                        let x = self.value_of(narrow);
                        self.b.sextend(wide, x)
                    }
                    _ => {
                        let x = self.value_of(wide);
                        self.b.ireduce(narrow, x)
                    }
                };
                self.push(v);
            }
            9 => {
                let (ity, fty) = (self.int_type(), self.float_type());
                let v = match self.rng.below(8) {
                    n @ 0..=3 => {
                        let op = [FcvtToUint, FcvtToSint, FcvtToUintSat, FcvtToSintSat][n];
                        let x = self.value_of(fty);
                        self.b.ins_value(InstructionData::unary(op, ity, x))
                    }
                    n @ 4..=5 => {
                        let op = [FcvtFromUint, FcvtFromSint][n - 4];
                        let x = self.value_of(ity);
                        self.b.ins_value(InstructionData::unary(op, fty, x))
                    }
                    6 => {
                        let x = self.value_of(fty);
                        self.b.bitcast(fty.as_int(), x)
                    }
                    _ => {
                        if fty == Type::F32 {
                            let x = self.value_of(Type::F32);
                            self.b.fpromote(Type::F64, x)
                        } else {
                            let x = self.value_of(Type::F64);
                            self.b.fdemote(Type::F32, x)
                        }
                    }
                };
                self.push(v);
            }
            10 => {
                let flags = self.flags();
                let offset = self.offset();
                let addr = self.address();
                let op = self.rng.pick(&LOADS);
                let ty = match op.narrow_access_bytes() {
                    Some(bytes) => {
                        let wider: Vec<Type> = Type::INTS
                            .into_iter()
                            .filter(|t| t.bytes() > bytes)
                            .collect();
                        self.rng.pick(&wider)
                    }
                    None => self.rng.pick(&Type::ALL),
                };
                let v = self.b.load(op, ty, flags, addr, offset);
                self.push(v);
            }
            11 => {
                let flags = self.flags();
                let offset = self.offset();
                let op = self.rng.pick(&STORES);
                let ty = match op.narrow_access_bytes() {
                    Some(bytes) => {
                        let wider: Vec<Type> = Type::INTS
                            .into_iter()
                            .filter(|t| t.bytes() > bytes)
                            .collect();
                        self.rng.pick(&wider)
                    }
                    None => self.rng.pick(&Type::ALL),
                };
                let value = self.value_of(ty);
                let addr = self.address();
                self.b.store(op, flags, value, addr, offset);
            }
            12 | 13 if !self.funcs.is_empty() => {
                let (f, sig) = self.funcs[self.rng.below(self.funcs.len())].clone();
                let args: Vec<Value> = sig.params.iter().map(|&t| self.value_of(t)).collect();
                let inst = self.b.call(f, &args);
                let results = self.b.func.dfg.inst_results(inst).to_vec();
                self.block_values.extend(results);
            }
            14 => {
                let ty = self.int_type();
                let c = self.value_of(ty);
                let code = self.trap_code();
                if self.rng.chance(50) {
                    self.b.trapz(c, code);
                } else {
                    self.b.trapnz(c, code);
                }
            }
            _ => {
                let ty = self.rng.pick(&Type::ALL);
                self.constant(ty);
            }
        }
    }

    /// An address: usually a small constant, so that accesses hit memory.
    fn address(&mut self) -> Value {
        if self.rng.chance(70) {
            let a = self.rng.below(4096) as i128;
            let v = self.b.iconst(Type::I64, a);
            self.push(v)
        } else {
            self.value_of(Type::I64)
        }
    }

    fn flags(&mut self) -> MemFlags {
        MemFlags {
            notrap: self.rng.chance(10),
            aligned: self.rng.chance(10),
            readonly: self.rng.chance(30),
        }
    }

    fn offset(&mut self) -> i32 {
        match self.rng.below(10) {
            0..=3 => 0,
            4..=8 => (self.rng.next() % 64) as i32 - 32,
            _ => self.rng.next() as i32,
        }
    }

    fn trap_code(&mut self) -> TrapCode {
        if self.rng.chance(20) {
            TrapCode::User(self.rng.next() as u16)
        } else {
            self.rng.pick(&TrapCode::BUILTIN)
        }
    }

    fn random_dest(&mut self, targets: &[Block]) -> BlockCall {
        let target = self.rng.pick(targets);
        self.block_call(target)
    }

    fn block_call(&mut self, target: Block) -> BlockCall {
        let params: Vec<Type> = self
            .b
            .func
            .dfg
            .block_params(target)
            .iter()
            .map(|&p| self.b.func.dfg.value_type(p))
            .collect();
        let args: Vec<Value> = params.into_iter().map(|t| self.value_of(t)).collect();
        BlockCall {
            block: target,
            args,
        }
    }

    fn terminator(&mut self, targets: &[Block], returns: &[Type]) {
        let choice = if targets.is_empty() {
            3 + self.rng.below(2)
        } else {
            self.rng.below(5)
        };
        match choice {
            0 => {
                let dest = self.random_dest(targets);
                self.b.jump(dest.block, &dest.args);
            }
            1 => {
                let ty = self.int_type();
                let c = self.value_of(ty);
                let then = self.random_dest(targets);
                let other = self.random_dest(targets);
                self.b
                    .brif(c, then.block, &then.args, other.block, &other.args);
            }
            2 => {
                let ty = self.int_type();
                let index = self.value_of(ty);
                let default = self.random_dest(targets);
                let n = self.rng.below(4);
                let table = (0..n).map(|_| self.random_dest(targets)).collect();
                self.b.br_table(index, default, table);
            }
            3 if self.rng.chance(85) => {
                let values: Vec<Value> = returns.iter().map(|&t| self.value_of(t)).collect();
                self.b.return_(&values);
            }
            _ => {
                let code = self.trap_code();
                self.b.trap(code);
            }
        }
    }
}

fn random_types(rng: &mut Rng, max: usize) -> Vec<Type> {
    let n = rng.below(max + 1);
    (0..n).map(|_| rng.pick(&Type::ALL)).collect()
}

fn random_function(seed: u64) -> Function {
    let mut rng = Rng(seed);
    let sig = Signature {
        params: random_types(&mut rng, 4),
        returns: random_types(&mut rng, 2),
    };
    let mut func = Function::new(format!("f{seed:x}"), sig.clone());
    let mut funcs = Vec::new();
    for i in 0..rng.below(3) {
        let callee = Signature {
            params: random_types(&mut rng, 3),
            returns: random_types(&mut rng, 2),
        };
        let sig_ref = func.dfg.import_signature(callee.clone());
        let f = func.dfg.import_function(ExtFuncData {
            name: format!("callee{i}"),
            signature: sig_ref,
        });
        funcs.push((f, callee));
    }
    let mut g = Gen {
        rng,
        b: FunctionBuilder::new(&mut func),
        entry_values: Vec::new(),
        block_values: Vec::new(),
        funcs,
    };
    let num_blocks = 1 + g.rng.below(5);
    let blocks: Vec<Block> = (0..num_blocks).map(|_| g.b.create_block()).collect();
    for &block in &blocks[1..] {
        for ty in random_types(&mut g.rng, 3) {
            g.b.append_block_param(block, ty);
        }
    }
    g.entry_values = g.b.append_entry_params(blocks[0]);
    for (i, &block) in blocks.iter().enumerate() {
        g.b.switch_to_block(block);
        if i > 0 {
            g.block_values = g.b.func.dfg.block_params(block).to_vec();
        }
        for _ in 0..g.rng.below(10) {
            g.inst();
        }
        g.terminator(&blocks[1..], &sig.returns);
        if i == 0 {
            g.entry_values.append(&mut g.block_values);
        }
    }
    func
}

/// The layout position of every instruction, for comparing two functions
/// whose instruction numbers differ.
fn positions(func: &Function) -> Vec<tern_ir::Inst> {
    func.insts().collect()
}

fn same_def(f: &Function, g: &Function, v: Value) -> bool {
    let (fi, gi) = (positions(f), positions(g));
    match (f.dfg.value_def(v), g.dfg.value_def(v)) {
        (ValueDef::Result(a, n), ValueDef::Result(b, m)) => {
            n == m && fi.iter().position(|&i| i == a) == gi.iter().position(|&i| i == b)
        }
        (a, b) => a == b,
    }
}

/// The values defined by placed blocks and instructions, in number order
/// (results of removed instructions still exist in the DFG, but not in the
/// text).
fn placed_values(func: &Function) -> Vec<Value> {
    let dfg: &DataFlowGraph = &func.dfg;
    let mut values: Vec<Value> = func
        .layout
        .blocks()
        .flat_map(|b| dfg.block_params(b).iter().copied())
        .chain(
            func.insts()
                .flat_map(|i| dfg.inst_results(i).iter().copied()),
        )
        .collect();
    values.sort();
    values
}

fn assert_same_function(f: &Function, g: &Function) {
    assert_eq!(f.name, g.name);
    assert_eq!(f.signature, g.signature);
    assert_eq!(f.dfg.signatures(), g.dfg.signatures());
    assert_eq!(f.dfg.ext_funcs(), g.dfg.ext_funcs());
    assert_eq!(
        f.layout.blocks().collect::<Vec<_>>(),
        g.layout.blocks().collect::<Vec<_>>()
    );
    let (fi, gi) = (positions(f), positions(g));
    assert_eq!(fi.len(), gi.len());
    for (&a, &b) in fi.iter().zip(&gi) {
        assert_eq!(f.dfg.inst(a), g.dfg.inst(b));
        assert_eq!(f.dfg.inst_results(a), g.dfg.inst_results(b));
    }
    assert_eq!(placed_values(f), placed_values(g));
    for v in placed_values(f) {
        assert_eq!(f.dfg.value_type(v), g.dfg.value_type(v), "{v}");
        assert!(same_def(f, g, v), "{v}");
        assert_eq!(f.dfg.use_count(v), g.dfg.use_count(v), "use count of {v}");
    }
}

/// Runs `func` with a host that answers every call with zeros of the
/// callee's return types.
fn run_with_host(
    func: &Function,
    args: &[DataValue],
) -> Result<Outcome, tern_ir::interp::InterpError> {
    let mut interp = Interpreter::new();
    interp.fuel = 10_000;
    interp.add_function(func).expect("verified");
    let dfg = &func.dfg;
    interp.set_host_handler(Box::new(move |name, _args, _memory| {
        let ext = dfg
            .ext_funcs()
            .iter()
            .find(|e| e.name == name)
            .expect("declared callee");
        let returns = &dfg.signature(ext.signature).returns;
        Ok(Outcome::Returned(
            returns.iter().map(|&t| DataValue::new(t, 0)).collect(),
        ))
    }));
    interp.call(&func.name, args)
}

fn random_args(func: &Function, seed: u64) -> Vec<DataValue> {
    let mut rng = Rng(seed ^ 0x5555);
    func.signature
        .params
        .iter()
        .map(|&ty| {
            let bits = (u128::from(rng.next()) << 64) | u128::from(rng.next());
            // Small addresses and integers reach memory and loops.
            let bits = if rng.chance(50) { bits % 64 } else { bits };
            DataValue::new(ty, bits)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_functions_verify_and_round_trip(seed in any::<u64>()) {
        let func = random_function(seed);
        if let Err(errors) = verify_function(&func) {
            panic!("generated function does not verify:\n{errors}\n{func}");
        }
        let text = func.to_string();
        let parsed = parse_function(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(parsed.to_string(), text.clone());
        assert_same_function(&func, &parsed);

        // Both run identically (outcome or error) on the same arguments.
        let args = random_args(&func, seed);
        let run = |f: &Function| run_with_host(f, &args);
        prop_assert_eq!(run(&func), run(&parsed));
    }
}

#[test]
fn rewriting_keeps_round_trip_exact() {
    // After rewrites (values replaced, instructions removed, gaps in value
    // numbers), printing then parsing is still exact.
    for seed in 0..200 {
        let mut func = random_function(seed);
        let removable: Vec<tern_ir::Inst> = func
            .insts()
            .filter(|&i| {
                let data = func.dfg.inst(i);
                data.opcode.is_pure()
                    && func
                        .dfg
                        .inst_results(i)
                        .iter()
                        .all(|&r| func.dfg.use_count(r) == 0)
            })
            .collect();
        for inst in removable {
            func.remove_inst(inst);
        }
        let text = func.to_string();
        let parsed = parse_function(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(parsed.to_string(), text);
        assert_same_function(&func, &parsed);
        assert!(verify_function(&parsed).is_ok());
    }
}

#[test]
fn ill_typed_instructions_still_round_trip() {
    // The printer writes a type suffix whenever inference would get the
    // controlling type wrong, so even IR the verifier rejects survives.
    let mut func = Function::new("bad", Signature::new(&[Type::I32, Type::F64], &[]));
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let p = b.append_entry_params(entry);
    b.ins(InstructionData::binary(Opcode::Iadd, Type::I64, p[0], p[1]));
    b.ins(InstructionData::new(
        Opcode::Return,
        Type::I8,
        Imm::None,
        &[],
    ));
    let text = func.to_string();
    assert!(text.contains("iadd.i64 v0, v1"), "{text}");
    assert!(text.contains("return.i8"), "{text}");
    let parsed = parse_function(&text).unwrap();
    assert_eq!(parsed.to_string(), text);
    assert!(verify_function(&parsed).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1024,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Corrupted text is rejected with an error, never a panic; whatever
    /// still parses prints to a fixpoint.
    #[test]
    fn corrupted_text_never_panics(seed in any::<u64>(), edits in 1usize..6) {
        let mut rng = Rng(seed ^ 0xabcdef);
        let mut text: Vec<u8> = random_function(seed).to_string().into_bytes();
        const ALPHABET: &[u8] = b"v0123456789.,:=()[]{}%+-_ \nabcdefghijklmnopqrstuxyz";
        for _ in 0..edits {
            let at = rng.below(text.len() + 1);
            match rng.below(3) {
                0 if at < text.len() => {
                    text.remove(at);
                }
                1 if at < text.len() => text[at] = ALPHABET[rng.below(ALPHABET.len())],
                _ => text.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
            }
        }
        let text = String::from_utf8(text).expect("ASCII edits keep UTF-8");
        if let Ok(func) = parse_function(&text) {
            let printed = func.to_string();
            let again = parse_function(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
            prop_assert_eq!(again.to_string(), printed);
            // The verifier and interpreter must not panic on it either.
            if verify_function(&func).is_ok() {
                let args = random_args(&func, seed);
                let _ = run_with_host(&func, &args);
            }
        }
    }
}
