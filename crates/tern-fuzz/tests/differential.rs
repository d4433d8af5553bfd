//! Differential test: Tern against wasmi on a fixed range of wasm-smith
//! seeds, so every `cargo test` exercises the same modules.
//!
//! `TERN_FUZZ_SEED=S` moves the first seed and `TERN_FUZZ_CASES=N` the
//! count (for a longer hunt, see also `examples/fuzz_loop.rs`). Every seed
//! is checked even after a failure, so one run lists every failing seed.

use std::time::Instant;
use tern_fuzz::{Totals, check_seed, env_u64};

/// Seeds per default run: about 7 s in the dev profile on one core.
const DEFAULT_CASES: u64 = 4000;

#[test]
fn tern_agrees_with_wasmi_on_generated_modules() {
    let first = env_u64("TERN_FUZZ_SEED", 0).unwrap();
    let cases = env_u64("TERN_FUZZ_CASES", DEFAULT_CASES).unwrap();
    let start = Instant::now();
    let mut totals = Totals::default();
    let mut failures = Vec::new();
    for seed in first..first + cases {
        match check_seed(seed) {
            Ok(outcome) => totals.add(&outcome),
            Err(report) => failures.push((seed, report)),
        }
    }
    println!(
        "seeds {first}..{}: {totals}; {} mismatches; {:.1?}",
        first + cases,
        failures.len(),
        start.elapsed()
    );
    if let Some((_, report)) = failures.first() {
        let seeds: Vec<u64> = failures.iter().map(|(s, _)| *s).collect();
        panic!(
            "{} of {cases} seeds disagree: {seeds:?}\nfirst failure:\n{report}",
            failures.len()
        );
    }
    // Something must actually have been compared.
    assert!(totals.calls > 0, "no calls compared: {totals}");
}
