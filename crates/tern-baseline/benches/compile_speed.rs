//! Compile speed of the baseline tier on the Sightglass benchmark modules.
//!
//! For every core module under `$TERN_BENCHMARKS/sightglass` (the
//! benchmark folder defaults to `../shared/benchmarks` beside the
//! repository, see `tern-testdata`), prints the code-section bytes and the number of
//! functions compiled per second, single-threaded and in parallel (rayon,
//! one function compiler per thread), and the totals. Module parsing is
//! timed separately and excluded; validation of the function bodies is
//! included (it happens during compilation). Each figure is the best of
//! several runs. The last column is wasmparser validating the bodies
//! alone, the floor under a validating single-pass compiler. Single-threaded figures use the thread's CPU time, so that
//! other load on the machine does not distort them; parallel figures are
//! wall-clock time (and only meaningful on an otherwise idle machine). Modules using proposals Tern does not implement (SIMD)
//! are listed as skipped.
//!
//! Run with `cargo bench -p tern-baseline --bench compile_speed`.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tern_baseline::BaselineCompiler;
use tern_environ::{DefinedFuncIndex, FunctionCompiler, VMOffsets};

/// `$TERN_BENCHMARKS/sightglass`. `tern-testdata` names the folder it
/// looked at and the variable to set when the benchmarks are absent.
fn sightglass_dir() -> PathBuf {
    match tern_testdata::benchmarks() {
        Some(dir) => dir.join("sightglass"),
        None => {
            // TERN_SKIP_MISSING_DATA=1: the reason is already printed.
            std::process::exit(0)
        }
    }
}

fn find_modules(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            find_modules(&path, out);
        } else if path.extension().is_some_and(|e| e == "wasm") {
            out.push(path);
        }
    }
}

/// The Sightglass modules whose name (path below the sightglass folder)
/// contains `filter`, as `(name, path)`, sorted. Exits with a message if
/// there are none at all.
fn selected_modules(filter: Option<&str>) -> Vec<(String, PathBuf)> {
    let dir = sightglass_dir();
    let mut modules = Vec::new();
    find_modules(&dir, &mut modules);
    if modules.is_empty() {
        eprintln!(
            "no .wasm modules found under {} (set TERN_BENCHMARKS to the folder holding sightglass/)",
            dir.display()
        );
        std::process::exit(1);
    }
    modules
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&dir)
                .unwrap_or(&path)
                .display()
                .to_string();
            (name, path)
        })
        .filter(|(name, _)| filter.is_none_or(|f| name.contains(f)))
        .collect()
}

/// CPU time consumed by the calling thread.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer for clock_gettime.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Compiles every function of `wasm` once; returns the time spent compiling
/// (excluding module parsing), or the first error.
fn compile_once(wasm: &[u8], parallel: bool) -> Result<Duration, String> {
    let translation = tern_environ::translate_module(wasm).map_err(|e| e.to_string())?;
    let module = &translation.module;
    let offsets = VMOffsets::new(module);
    let compiler = BaselineCompiler::new();
    let start = Instant::now();
    let cpu_start = thread_cpu_time();
    if parallel {
        translation
            .function_bodies
            .into_par_iter()
            .enumerate()
            .map_init(
                || compiler.function_compiler(),
                |fc, (i, body)| {
                    fc.compile(module, &offsets, DefinedFuncIndex(i as u32), body)
                        .map(|_| ())
                },
            )
            .collect::<Result<Vec<()>, _>>()
            .map_err(|e| e.to_string())?;
    } else {
        let mut fc = compiler.function_compiler();
        for (i, body) in translation.function_bodies.into_iter().enumerate() {
            fc.compile(module, &offsets, DefinedFuncIndex(i as u32), body)
                .map_err(|e| e.to_string())?;
        }
        return Ok(thread_cpu_time() - cpu_start);
    }
    Ok(start.elapsed())
}

/// Validates every function body of `wasm` without compiling it: the
/// floor under any single-pass compiler's time, for reference.
fn validate_once(wasm: &[u8]) -> Result<Duration, String> {
    let translation = tern_environ::translate_module(wasm).map_err(|e| e.to_string())?;
    let start = thread_cpu_time();
    let mut allocs = tern_environ::wasmparser::FuncValidatorAllocations::default();
    for body in translation.function_bodies {
        let mut validator = body.validator.into_validator(allocs);
        validator.validate(&body.body).map_err(|e| e.to_string())?;
        allocs = validator.into_allocations();
    }
    Ok(thread_cpu_time() - start)
}

/// Prints one line per module: its name and a digest of everything the
/// baseline compiler produced for it (or the error).
fn print_digests(filter: Option<&str>) {
    use std::hash::{Hash, Hasher};
    for (name, path) in selected_modules(filter) {
        let wasm = std::fs::read(&path).expect("readable module");
        let Ok(translation) = tern_environ::translate_module(&wasm) else {
            continue;
        };
        let module = &translation.module;
        let offsets = VMOffsets::new(module);
        let mut fc = BaselineCompiler::new().function_compiler();
        // SipHash with fixed keys: the same output gives the same digest.
        let mut hasher = std::hash::DefaultHasher::new();
        for (i, body) in translation.function_bodies.into_iter().enumerate() {
            match fc.compile(module, &offsets, DefinedFuncIndex(i as u32), body) {
                Ok(f) => {
                    f.code.hash(&mut hasher);
                    f.alignment.hash(&mut hasher);
                    format!("{:?}{:?}", f.relocs, f.traps).hash(&mut hasher);
                }
                Err(e) => e.to_string().hash(&mut hasher),
            }
        }
        println!("{name:<44} {:016x}", hasher.finish());
    }
}

/// The best of several runs of `f`.
fn best_of(f: impl Fn() -> Result<Duration, String>) -> Result<Duration, String> {
    let mut best = f()?;
    let budget = Instant::now();
    let mut runs = 1;
    while runs < 3 || (budget.elapsed() < Duration::from_millis(500) && runs < 50) {
        best = best.min(f()?);
        runs += 1;
    }
    Ok(best)
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters modules.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    // For checking that a change to the compiler leaves its output alone:
    // `TERN_BENCH_DIGEST=1` prints a digest of each module's generated
    // code, relocations and trap sites, and nothing else.
    if std::env::var_os("TERN_BENCH_DIGEST").is_some() {
        print_digests(filter.as_deref());
        return;
    }
    // For profiling: `TERN_BENCH_PROFILE=N` compiles the selected modules
    // single-threaded N times and prints nothing else.
    if let Some(n) = std::env::var("TERN_BENCH_PROFILE")
        .ok()
        .and_then(|n| n.parse::<u32>().ok())
    {
        for (_, path) in selected_modules(filter.as_deref()) {
            let wasm = std::fs::read(&path).expect("readable module");
            for _ in 0..n {
                let _ = compile_once(&wasm, false);
            }
        }
        return;
    }
    let modules = selected_modules(filter.as_deref());
    println!(
        "{:<44} {:>9} {:>6} {:>9} {:>10} {:>9} {:>10} {:>9}",
        "module", "code KiB", "funcs", "1T MB/s", "1T fn/s", "par MB/s", "par fn/s", "val MB/s"
    );
    let (mut bytes, mut funcs) = (0u64, 0u64);
    let (mut single, mut parallel, mut validation) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for (name, path) in modules {
        let wasm = std::fs::read(&path).expect("readable module");
        let translation = match tern_environ::translate_module(&wasm) {
            Ok(t) => t,
            Err(e) => {
                println!("{name:<44} skipped: {e}");
                continue;
            }
        };
        let code: u64 = translation
            .function_bodies
            .iter()
            .map(|b| {
                let r = b.body.range();
                r.end - r.start
            })
            .sum();
        let n = translation.function_bodies.len() as u64;
        drop(translation);
        let timings = (
            best_of(|| compile_once(&wasm, false)),
            best_of(|| compile_once(&wasm, true)),
            best_of(|| validate_once(&wasm)),
        );
        let (t1, tp, tv) = match timings {
            (Ok(t1), Ok(tp), Ok(tv)) => (t1, tp, tv),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                println!("{name:<44} skipped: {e}");
                continue;
            }
        };
        let mbs = |t: Duration| code as f64 / t.as_secs_f64() / 1e6;
        let fps = |t: Duration| n as f64 / t.as_secs_f64();
        println!(
            "{name:<44} {:>9.1} {n:>6} {:>9.1} {:>10.0} {:>9.1} {:>10.0} {:>9.1}",
            code as f64 / 1024.0,
            mbs(t1),
            fps(t1),
            mbs(tp),
            fps(tp),
            mbs(tv)
        );
        bytes += code;
        funcs += n;
        single += t1;
        parallel += tp;
        validation += tv;
    }
    println!(
        "{:<44} {:>9.1} {funcs:>6} {:>9.1} {:>10.0} {:>9.1} {:>10.0} {:>9.1}",
        "TOTAL",
        bytes as f64 / 1024.0,
        bytes as f64 / single.as_secs_f64() / 1e6,
        funcs as f64 / single.as_secs_f64(),
        bytes as f64 / parallel.as_secs_f64() / 1e6,
        funcs as f64 / parallel.as_secs_f64(),
        bytes as f64 / validation.as_secs_f64() / 1e6
    );
    println!("(val: validating the bodies alone, for reference)");
}
