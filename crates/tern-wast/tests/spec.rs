//! Runs the official spec test scripts from `../shared/wasm-testsuite`
//! (or `$TERN_WASM_TESTSUITE`) on the baseline tier: first the core
//! operator groups one by one (so a regression names its area), then every
//! script at the top of the suite.
//!
//! The suite is located by `tern-testdata`: a missing suite is an error
//! naming where it was looked for, never a silent pass.

use tern_runtime::Config;

/// Runs each script and requires zero failures. Unsupported directives
/// are allowed only for proposals Tern does not implement; they are
/// printed so the count stays visible.
fn run(files: &[&str]) {
    let Some(dir) = tern_testdata::wasm_testsuite() else {
        return;
    };
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

#[test]
fn multiple_memories() {
    run(&[
        "address0.wast",
        "address1.wast",
        "align0.wast",
        "binary0.wast",
        "data0.wast",
        "data1.wast",
        "data_drop0.wast",
        "exports0.wast",
        "float_exprs0.wast",
        "float_exprs1.wast",
        "float_memory0.wast",
        "imports0.wast",
        "imports1.wast",
        "imports2.wast",
        "imports3.wast",
        "imports4.wast",
        "linking0.wast",
        "linking1.wast",
        "linking2.wast",
        "linking3.wast",
        "load0.wast",
        "load1.wast",
        "load2.wast",
        "memory-multi.wast",
        "memory_copy0.wast",
        "memory_copy1.wast",
        "memory_fill0.wast",
        "memory_init0.wast",
        "memory_size0.wast",
        "memory_size1.wast",
        "memory_size2.wast",
        "memory_size3.wast",
        "memory_trap0.wast",
        "memory_trap1.wast",
        "start0.wast",
        "store0.wast",
        "store1.wast",
        "store2.wast",
        "traps0.wast",
    ]);
}

/// Directives known to fail, each with its reason. The test fails if one of
/// them passes (remove it from the list) or if anything else fails: the
/// list can only shrink.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

#[test]
fn every_top_level_script() {
    let Some(dir) = tern_testdata::wasm_testsuite() else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("readable suite folder")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wast"))
        .collect();
    files.sort();
    let config = Config::default();
    let mut total = tern_wast::Report::default();
    for file in &files {
        total.merge(tern_wast::run_file(file, &config));
    }
    // A failure reads `path/file.wast:line: message`; keep `file.wast:line`.
    let location = |failure: &str| -> String {
        let path_line = failure.split_once(": ").map_or(failure, |(p, _)| p);
        path_line
            .rsplit('/')
            .next()
            .unwrap_or(path_line)
            .to_string()
    };
    let failed: Vec<String> = total.failed.iter().map(|f| location(f)).collect();
    let unexpected: Vec<&String> = total
        .failed
        .iter()
        .filter(|f| !KNOWN_FAILURES.iter().any(|(loc, _)| *loc == location(f)))
        .collect();
    let now_passing: Vec<&str> = KNOWN_FAILURES
        .iter()
        .map(|(loc, _)| *loc)
        .filter(|loc| !failed.iter().any(|f| f == loc))
        .collect();
    println!("{} scripts: {total}", files.len());
    assert!(
        unexpected.is_empty(),
        "unexpected spec failures:\n{}",
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        now_passing.is_empty(),
        "listed as failing but now passing (remove them from KNOWN_FAILURES): {now_passing:?}"
    );
    assert!(
        total.passed > 20_000,
        "only {} directives passed",
        total.passed
    );
}
