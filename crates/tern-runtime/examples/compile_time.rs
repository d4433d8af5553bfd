//! Times `Module::new` (parse, validate, compile, link into executable
//! memory) on the given modules: `cargo run --release -p tern-runtime
//! --example compile_time -- [--serial] FILES…`. Prints the best of five
//! runs per module as milliseconds and MB/s of the whole file.

use std::time::{Duration, Instant};
use tern_runtime::{Config, Engine, Module};

fn main() {
    let mut serial = false;
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--serial" => serial = true,
            _ => files.push(arg),
        }
    }
    let config = Config {
        parallel_compilation: !serial,
        ..Config::default()
    };
    let engine = Engine::new(config).expect("engine");
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut best = Duration::MAX;
        for _ in 0..5 {
            let start = Instant::now();
            let module = Module::new(&engine, &bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
            best = best.min(start.elapsed());
            drop(module);
        }
        let mbs = bytes.len() as f64 / best.as_secs_f64() / 1e6;
        println!("{file}: {:.1} ms, {mbs:.1} MB/s", best.as_secs_f64() * 1e3);
    }
}
