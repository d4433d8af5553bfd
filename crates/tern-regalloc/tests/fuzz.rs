//! Random functions, allocated and checked.
//!
//! Every generated function is allocated on several machines (from
//! register-starved to x86-64-like, with and without scratch registers)
//! and the result verified by the symbolic checker. The number of functions
//! per configuration defaults to a count that keeps `cargo test` quick; set
//! `TERN_REGALLOC_FUZZ_ITERS` for long runs.

use tern_regalloc::testing::{self, CfgShape, GenConfig, Rng, TestFunction};
use tern_regalloc::{Allocator, MachineEnv, Output, checker};

fn iterations(default: u64) -> u64 {
    std::env::var("TERN_REGALLOC_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn run(name: &str, config: &GenConfig, env: &MachineEnv, seed: u64, count: u64) {
    let mut allocator = Allocator::new();
    let mut output = Output::new();
    for i in 0..count {
        let seed = seed ^ (i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let func: TestFunction = testing::generate(&mut Rng::new(seed), config, env);
        if let Err(e) = allocator.allocate(&func, env, &mut output) {
            panic!("{name}: seed {seed:#x}: allocation failed: {e}\n{func}");
        }
        if let Err(e) = checker::check(&func, env, &output) {
            let edits: Vec<String> = output
                .edits()
                .iter()
                .map(|(i, m)| format!("  before {i}: {m}"))
                .collect();
            let allocs: Vec<String> = (0..func.insts.len())
                .map(|i| {
                    format!(
                        "  inst{i}: {:?}",
                        output.inst_allocs(tern_regalloc::Inst::new(i))
                    )
                })
                .collect();
            panic!(
                "{name}: seed {seed:#x}: checker: {e}\n{func}\nallocs:\n{}\nedits:\n{}",
                allocs.join("\n"),
                edits.join("\n")
            );
        }
    }
}

#[test]
fn small_functions_on_a_register_starved_machine() {
    let env = testing::small_env(2, 1, false);
    run("starved", &GenConfig::small(), &env, 1, iterations(3000));
}

#[test]
fn small_functions_with_scratch_registers() {
    let env = testing::small_env(3, 2, true);
    run("scratch", &GenConfig::small(), &env, 2, iterations(3000));
}

#[test]
fn small_functions_on_an_x64_like_machine() {
    let env = testing::x64_like_env();
    run("x64", &GenConfig::small(), &env, 3, iterations(3000));
}

#[test]
fn medium_functions_with_loop_nests() {
    let env = testing::small_env(4, 2, false);
    let config = GenConfig {
        shape: CfgShape::LoopNest { depth: 4 },
        ..GenConfig::sized(300)
    };
    run("loop nest", &config, &env, 4, iterations(300));
}

#[test]
fn medium_random_functions_under_pressure() {
    let env = testing::small_env(3, 1, true);
    let config = GenConfig {
        recent_use_percent: 20,
        ..GenConfig::sized(400)
    };
    run("pressure", &config, &env, 5, iterations(300));
}
