//! The WebAssembly spec test scripts, run on the baseline compiler through
//! the test harness (`harness/`). The suite lives in
//! `../shared/wasm-testsuite` (override with `TERN_WASM_TESTSUITE`), found
//! by `tern-testdata`: a missing suite fails the test rather than passing
//! silently.

mod harness;

/// Runs each script on a thread with a large stack (deep recursion tests
/// need room below the harness's stack limit) and reports every failure.
fn run_scripts(names: &[&str]) {
    let Some(dir) = tern_testdata::wasm_testsuite() else {
        return;
    };
    let mut failures = Vec::new();
    for name in names {
        let path = dir.join(name);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || harness::wast::run(&text))
            .unwrap()
            .join()
            .unwrap_or_else(|_| panic!("{name} crashed the runner"));
        eprintln!(
            "{name}: {} passed, {} failed, {} skipped",
            outcome.passed,
            outcome.failed.len(),
            outcome.skipped.len()
        );
        for s in outcome.skipped.iter().take(3) {
            eprintln!("  skipped {s}");
        }
        for f in &outcome.failed {
            failures.push(format!("{name}: {f}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn integer_and_control_scripts() {
    run_scripts(&[
        "i32.wast",
        "i64.wast",
        "int_exprs.wast",
        "int_literals.wast",
        "br.wast",
        "br_if.wast",
        "br_table.wast",
        "block.wast",
        "loop.wast",
        "if.wast",
        "call.wast",
        "return.wast",
        "select.wast",
        "local_get.wast",
        "local_set.wast",
        "local_tee.wast",
        "global.wast",
        "memory_grow.wast",
        "memory_size.wast",
        "load.wast",
        "store.wast",
        "unreachable.wast",
        "nop.wast",
        "fac.wast",
        "stack.wast",
        "traps.wast",
        "labels.wast",
        "switch.wast",
        "left-to-right.wast",
    ]);
}

/// Every script at the top of the suite (or those named, comma-separated,
/// in `TERN_SPEC_ALL`); `TERN_SPEC_ALL=1` to run.
#[test]
fn census() {
    let Some(selection) = std::env::var("TERN_SPEC_ALL").ok() else {
        return;
    };
    if selection != "1" {
        let names: Vec<&str> = selection.split(',').collect();
        run_scripts(&names);
        return;
    }
    let Some(dir) = tern_testdata::wasm_testsuite() else {
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wast"))
        .collect();
    names.sort();
    let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    run_scripts(&names);
}
