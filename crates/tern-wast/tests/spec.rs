//! Runs the official spec test scripts from `../shared/wasm-testsuite`
//! (or `$TERN_WASM_TESTSUITE`) on the baseline tier.
//!
//! A missing suite is an error with a message saying where it was looked
//! for, never a silent pass.

use std::path::PathBuf;
use tern_runtime::Config;

fn suite_dir() -> PathBuf {
    let dir = match std::env::var_os("TERN_WASM_TESTSUITE") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wasm-testsuite"),
    };
    assert!(
        dir.join("i32.wast").is_file(),
        "the WebAssembly spec test suite was not found at {} \
         (set TERN_WASM_TESTSUITE to the folder holding i32.wast)",
        dir.display()
    );
    dir
}

/// Runs each script and requires zero failures. Unsupported directives
/// are allowed only for proposals Tern does not implement; they are
/// printed so the count stays visible.
fn run(files: &[&str]) {
    let dir = suite_dir();
    let config = Config::default();
    let mut total = tern_wast::Report::default();
    for file in files {
        let report = tern_wast::run_file(&dir.join(file), &config);
        println!("{file}: {report}");
        total.merge(report);
    }
    for f in &total.failed {
        println!("FAIL {f}");
    }
    println!("total: {total}");
    assert!(
        total.failed.is_empty(),
        "{} spec directives failed",
        total.failed.len()
    );
    assert!(total.passed > 0);
}

#[test]
fn integer_operators() {
    run(&[
        "i32.wast",
        "i64.wast",
        "int_exprs.wast",
        "int_literals.wast",
    ]);
}

#[test]
fn control_flow() {
    run(&[
        "br.wast",
        "br_if.wast",
        "br_table.wast",
        "block.wast",
        "loop.wast",
        "if.wast",
        "return.wast",
        "select.wast",
        "unreachable.wast",
        "nop.wast",
        "labels.wast",
        "switch.wast",
        "stack.wast",
    ]);
}

#[test]
fn calls_locals_and_globals() {
    run(&[
        "call.wast",
        "fac.wast",
        "local_get.wast",
        "local_set.wast",
        "local_tee.wast",
        "global.wast",
        "left-to-right.wast",
    ]);
}

#[test]
fn memory() {
    run(&[
        "memory_grow.wast",
        "memory_size.wast",
        "load.wast",
        "store.wast",
        "traps.wast",
    ]);
}
