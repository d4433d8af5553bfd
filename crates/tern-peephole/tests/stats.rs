//! What the pass reports about a run.

use tern_ir::{Function, FunctionBuilder, Signature, Type};

/// `((x * 8) + 0) ^ ((x * 8) + 0)`, built so that rules apply in a chain.
fn chain() -> Function {
    let mut func = Function::new("f", Signature::new(&[Type::I32], &[Type::I32]));
    let mut b = FunctionBuilder::new(&mut func);
    let block = b.create_block();
    let x = b.append_entry_params(block)[0];
    b.switch_to_block(block);
    let eight = b.iconst(Type::I32, 8);
    let zero = b.iconst(Type::I32, 0);
    let product = b.imul(x, eight);
    let sum = b.iadd(product, zero);
    let xor = b.bxor(sum, sum);
    b.return_(&[xor]);
    func
}

#[test]
fn stats_count_rewrites_per_rule_and_removed_instructions() {
    let mut func = chain();
    let stats = tern_peephole::optimize(&mut func);
    assert!(!stats.out_of_fuel);
    let fired = stats.top_rules(tern_peephole::RULES);
    let names: Vec<&str> = fired.iter().map(|&(name, _)| name).collect();
    // `x + 0` and `y ^ y` fire; the multiplication becomes a shift first.
    assert!(names.contains(&"rules/algebra.peep:10"), "{names:?}");
    assert!(
        names.iter().any(|n| n.starts_with("rules/bitwise.peep")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("rules/strength-reduction.peep")),
        "{names:?}"
    );
    assert_eq!(stats.rewrites, fired.iter().map(|&(_, n)| n).sum::<u64>());
    // Everything but the zero constant and the return is gone.
    let left: Vec<String> = func
        .insts()
        .map(|i| func.dfg.inst(i).opcode.to_string())
        .collect();
    assert_eq!(left, ["iconst", "return"], "{func}");
    assert!(stats.removed >= 4, "{stats}");
    assert!(stats.visited >= 5, "{stats}");
    let shown = stats.to_string();
    assert!(shown.starts_with("visited "), "{shown}");
}

#[test]
fn running_again_at_the_fixpoint_changes_nothing() {
    let mut func = chain();
    tern_peephole::optimize(&mut func);
    let before = func.to_string();
    let stats = tern_peephole::optimize(&mut func);
    assert_eq!(stats.rewrites, 0);
    assert_eq!(func.to_string(), before);
}

#[test]
fn running_out_of_fuel_stops_early_with_a_correct_function() {
    // 100 chained `x + 0`: one rewrite each.
    let mut func = Function::new("f", Signature::new(&[Type::I64], &[Type::I64]));
    let mut b = FunctionBuilder::new(&mut func);
    let block = b.create_block();
    let mut v = b.append_entry_params(block)[0];
    b.switch_to_block(block);
    let zero = b.iconst(Type::I64, 0);
    for _ in 0..100 {
        v = b.iadd(v, zero);
    }
    b.return_(&[v]);
    let mut limited = func.clone();
    // Fuel is `fuel_per_inst` per instruction plus 64.
    let stats = tern_peephole::pass::run::<tern_peephole::Shipped>(
        &mut limited,
        &tern_peephole::Options { fuel_per_inst: 0 },
    );
    assert!(stats.out_of_fuel);
    assert_eq!(stats.rewrites, 64);
    tern_ir::verify::verify_function(&limited).unwrap();
    let stats = tern_peephole::optimize(&mut func);
    assert!(!stats.out_of_fuel);
    assert_eq!(stats.rewrites, 100);
}
