//! Runs differential checks seed after seed until interrupted, or for
//! `TERN_FUZZ_CASES` seeds, starting at `TERN_FUZZ_SEED` (default: a
//! time-based seed, printed so a run can be repeated). Each mismatch is
//! printed in full and written to `tern-fuzz-<seed>.txt`.
//!
//! ```text
//! cargo run --release -p tern-fuzz --example fuzz_loop
//! TERN_FUZZ_SEED=1000 TERN_FUZZ_CASES=100000 cargo run --release -p tern-fuzz --example fuzz_loop
//! ```

use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tern_fuzz::{Totals, check_seed, env_u64};

fn main() -> Result<(), String> {
    let clock = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() << 20);
    let first = env_u64("TERN_FUZZ_SEED", clock)?;
    let cases = env_u64("TERN_FUZZ_CASES", u64::MAX - first)?;
    println!("fuzzing seeds from {first}");
    let start = Instant::now();
    let mut totals = Totals::default();
    let mut mismatches = 0usize;
    for seed in first..first.saturating_add(cases) {
        match check_seed(seed) {
            Ok(outcome) => totals.add(&outcome),
            Err(report) => {
                mismatches += 1;
                println!("{report}");
                let file = format!("tern-fuzz-{seed}.txt");
                std::fs::write(&file, &report).map_err(|e| format!("writing {file}: {e}"))?;
            }
        }
        if (seed - first + 1) % 1000 == 0 {
            println!(
                "{} seeds, {mismatches} mismatches, {:.0?}: {totals}",
                seed - first + 1,
                start.elapsed()
            );
        }
    }
    println!(
        "done: {mismatches} mismatches, {:.1?}: {totals}",
        start.elapsed()
    );
    Ok(())
}
