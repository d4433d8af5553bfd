//! Inputs shaped to expose super-linear behaviour in the compiler: very
//! deep operand stacks (constant spilling), thousands of locals with many
//! branches, huge `br_table`s, deep block nesting. Each must compile (in
//! a time that a quadratic algorithm would blow up) and compute the right
//! result.

use crate::support;

use std::fmt::Write;

/// Runs `wat`'s export `f` with `args` on a thread with a large stack.
fn run(wat: String, args: Vec<u64>) -> u64 {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            support::Program::new(&wat)
                .invoke("f", &args)
                .expect("no trap")[0]
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn deep_operand_stack() {
    const N: u64 = 30_000;
    let mut body = String::new();
    for k in 0..N {
        let _ = writeln!(body, "local.get 0 i64.const {k} i64.add");
    }
    for _ in 1..N {
        body.push_str("i64.add\n");
    }
    let wat = format!("(module (func (export \"f\") (param i64) (result i64)\n{body}))");
    let x = 7;
    assert_eq!(run(wat, vec![x]), N * x + N * (N - 1) / 2);
}

#[test]
fn many_locals_and_branches() {
    const LOCALS: u32 = 10_000;
    const BLOCKS: u32 = 2_000;
    let mut body = String::new();
    for i in 0..BLOCKS {
        // Set a few locals, keep some in registers, branch out of a block.
        let _ = writeln!(
            body,
            "block local.get 0 i32.const {i} i32.add local.set {a}
             local.get {a} local.get 0 i32.gt_u br_if 0
             local.get {b} i32.const 1 i32.add local.set {b} end",
            a = 1 + (i * 7) % (LOCALS - 1),
            b = LOCALS - 1
        );
    }
    let _ = writeln!(body, "local.get {}", LOCALS - 1);
    let locals = " i32".repeat(LOCALS as usize - 1);
    let wat =
        format!("(module (func (export \"f\") (param i32) (result i32) (local{locals})\n{body}))");
    // `a = x + i` branches out when `a > x` (unsigned). With x = 0 that is
    // every block but the first, so the counter is incremented once.
    assert_eq!(run(wat.clone(), vec![0]), 1);
    // With x = 2^32 - 1000, `x + i` wraps below x from i = 1000 on: the
    // counter is incremented for i = 0 and for the last 1000 blocks.
    assert_eq!(run(wat, vec![(1 << 32) - 1000]), 1001);
}

#[test]
fn huge_br_table() {
    const TARGETS: u32 = 5_000;
    let mut body = String::new();
    for _ in 0..TARGETS {
        body.push_str("block\n");
    }
    body.push_str("local.get 0 br_table");
    for t in 0..TARGETS {
        let _ = write!(body, " {t}");
    }
    body.push_str(" 0\n");
    for t in 0..TARGETS {
        // Leaving block number t (from the inside) lands here.
        let _ = writeln!(body, "end i32.const {t} return");
    }
    let wat =
        format!("(module (func (export \"f\") (param i32) (result i32)\n{body} i32.const -1))");
    assert_eq!(run(wat.clone(), vec![1234]), 1234);
    assert_eq!(run(wat, vec![99_999]), 0);
}

#[test]
fn deep_nesting() {
    const DEPTH: u32 = 3_000;
    let mut body = String::from("local.get 0\n");
    for _ in 0..DEPTH {
        body.push_str("block (param i32) (result i32) i32.const 1 i32.add\n");
    }
    body.push_str("local.get 0 br_if 0\n");
    for _ in 0..DEPTH {
        body.push_str("end\n");
    }
    let wat = format!("(module (func (export \"f\") (param i32) (result i32)\n{body}))");
    assert_eq!(run(wat, vec![5]), 5 + u64::from(DEPTH));
}
