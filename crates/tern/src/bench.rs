//! `tern bench [PATHS…]`: runs sightglass benchmarks the way sightglass
//! does (see `../shared/benchmarks/sightglass/SOURCE.md`).
//!
//! Each benchmark is a core module importing `bench.start`, `bench.end`
//! and WASI. It runs with the folder holding the `.wasm` preopened
//! read-only as `.`, no arguments, no environment (except
//! `WASM_BENCH_USE_SMALL_WORKLOAD=1` with `--small`) and a null stdin; its
//! `_start` must call `bench.start` once and then `bench.end` once. The
//! measured time is between the two calls. Stdout and stderr are compared
//! line by line with `<stem>.stdout.expected` / `.stderr.expected`
//! (falling back to `default.*.expected`). Every repetition compiles and
//! runs from scratch; medians are reported.

use crate::EngineArgs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use tern_runtime::{Caller, Engine, Error, Linker, Module, Store, Trap};
use tern_wasi::{DirPerms, Input, Output, WasiCtx, WasiCtxBuilder, WritePipe};

#[derive(clap::Args)]
pub struct BenchArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// How many times to compile and run each benchmark (the median is
    /// reported).
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Pass WASM_BENCH_USE_SMALL_WORKLOAD=1 to the benchmarks.
    #[arg(long)]
    small: bool,
    /// Benchmark `.wasm` files or folders to search for them (default:
    /// every benchmark under $TERN_BENCHMARKS/sightglass, else
    /// ../shared/benchmarks/sightglass).
    paths: Vec<PathBuf>,
}

/// What the store holds while a benchmark runs.
struct BenchState {
    wasi: WasiCtx,
    start: Option<Instant>,
    end: Option<Instant>,
    /// Calls to `bench.start` and `bench.end`, to check the protocol.
    starts: u32,
    ends: u32,
}

/// One run's measurements.
struct Sample {
    compile: Duration,
    run: Duration,
    /// The module imports no `bench.end`, so the run was timed from
    /// `bench.start` to the end of `_start`.
    no_end_import: bool,
}

/// Why a benchmark produced no sample.
enum NotRun {
    /// It needs something Tern does not provide (a proposal, an import).
    Skipped(String),
    /// It ran and failed.
    Failed(String),
}

pub fn main(args: BenchArgs) -> ExitCode {
    let files = match benchmark_files(&args.paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let engine = match Engine::new(args.engine.config()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let tier = engine.config().tier;
    println!(
        "{:<44} {:>10} {:>12} {:>12}  status",
        "benchmark", "tier", "compile ms", "run ms"
    );
    let (mut ran, mut skipped, mut failures) = (0, 0, 0);
    for file in &files {
        let name = display_name(file);
        let mut samples = Vec::with_capacity(args.repeat);
        let mut status = String::from("ok");
        for _ in 0..args.repeat.max(1) {
            match run_once(&engine, file, args.small) {
                Ok(sample) => samples.push(sample),
                Err(NotRun::Skipped(why)) => {
                    status = format!("skipped: {why}");
                    skipped += 1;
                    break;
                }
                Err(NotRun::Failed(why)) => {
                    status = format!("FAILED: {why}");
                    failures += 1;
                    break;
                }
            }
        }
        let (compile, run) = if samples.len() == args.repeat.max(1) {
            ran += 1;
            if samples[0].no_end_import {
                status = "ok (imports no bench.end: timed to the end of _start)".into();
            }
            let mut compile: Vec<Duration> = samples.iter().map(|s| s.compile).collect();
            let mut run: Vec<Duration> = samples.iter().map(|s| s.run).collect();
            (ms(median(&mut compile)), ms(median(&mut run)))
        } else {
            ("-".to_string(), "-".to_string())
        };
        println!("{name:<44} {tier:>10} {compile:>12} {run:>12}  {status}");
    }
    println!("{ran} ran, {skipped} skipped, {failures} failed");
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn display_name(file: &Path) -> String {
    let folder = file
        .parent()
        .and_then(Path::file_name)
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = file
        .file_stem()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{folder}/{stem}")
}

/// The `.wasm` files to run: those given, or every core module under the
/// default benchmark folder. Component binaries are skipped (Tern runs
/// core modules).
fn benchmark_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let roots: Vec<PathBuf> = if paths.is_empty() {
        let base = std::env::var_os("TERN_BENCHMARKS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("../shared/benchmarks"));
        let dir = base.join("sightglass");
        if !dir.is_dir() {
            return Err(format!(
                "no benchmarks at {} (set TERN_BENCHMARKS to the folder holding sightglass/)",
                dir.display()
            ));
        }
        vec![dir]
    } else {
        paths.to_vec()
    };
    let mut files = Vec::new();
    for root in roots {
        collect(&root, &mut files).map_err(|e| format!("{}: {e}", root.display()))?;
    }
    files.sort();
    files.retain(|f| is_core_module(f));
    Ok(files)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect(&entry?.path(), out)?;
        }
    } else if path.extension().is_some_and(|e| e == "wasm") {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// A core module's header is `\0asm` then version 1 (`01 00 00 00`);
/// components have a different version/layer.
fn is_core_module(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok_and(|()| header == *b"\0asm\x01\0\0\0")
}

fn run_once(engine: &Engine, file: &Path, small: bool) -> Result<Sample, NotRun> {
    let folder = file.parent().unwrap_or(Path::new("."));
    let bytes = std::fs::read(file).map_err(|e| NotRun::Failed(format!("cannot read: {e}")))?;
    let compile_start = Instant::now();
    let module =
        Module::new(engine, &bytes).map_err(|e| {
            match tern_runtime::required_proposals(&bytes) {
                Some(p) => NotRun::Skipped(format!("needs proposal {}", p.join(" + "))),
                None => NotRun::Failed(describe(&e)),
            }
        })?;
    let compile = compile_start.elapsed();
    let provided = |m: &str| m == "bench" || m == tern_wasi::WasiFunc::MODULE;
    if let Some(import) = module.info().imports.iter().find(|i| !provided(&i.module)) {
        return Err(NotRun::Skipped(format!(
            "imports {}::{}, which Tern does not provide",
            import.module, import.name
        )));
    }
    let imports_end = module
        .info()
        .imports
        .iter()
        .any(|i| i.module == "bench" && i.name == "end");

    let stdout = WritePipe::new();
    let stderr = WritePipe::new();
    let mut builder = WasiCtxBuilder::new()
        .stdin(Input::Null)
        .stdout(Output::Pipe(stdout.clone()))
        .stderr(Output::Pipe(stderr.clone()))
        .preopened_dir(folder, ".", DirPerms::ReadOnly);
    if small {
        builder = builder.env("WASM_BENCH_USE_SMALL_WORKLOAD", "1");
    }
    let wasi = builder
        .build()
        .map_err(|e| NotRun::Failed(format!("WASI setup: {e}")))?;
    let mut store = Store::new(
        engine,
        BenchState {
            wasi,
            start: None,
            end: None,
            starts: 0,
            ends: 0,
        },
    );
    let mut linker = Linker::new();
    tern_wasi::add_to_linker(&mut linker, |s: &mut BenchState| &mut s.wasi);
    linker.func_wrap("bench", "start", |mut caller: Caller<'_, BenchState>| {
        let state = caller.data_mut();
        state.starts += 1;
        state.start = Some(Instant::now());
    });
    linker.func_wrap("bench", "end", |mut caller: Caller<'_, BenchState>| {
        let state = caller.data_mut();
        state.ends += 1;
        state.end = Some(Instant::now());
    });
    let result = linker
        .instantiate(&mut store, &module)
        .and_then(|instance| instance.get_typed_func::<(), ()>(&store, "_start"))
        .and_then(|start| start.call(&mut store, ()));
    let finished = Instant::now();
    match result {
        Ok(()) => {}
        Err(e) if e.as_trap().and_then(Trap::exit_status) == Some(0) => {}
        Err(e) => {
            let err = stderr.contents_string();
            return Err(NotRun::Failed(format!(
                "{} {}",
                describe(&e),
                err.lines().last().unwrap_or("")
            )));
        }
    }
    let state = store.data();
    let expected_ends = u32::from(imports_end);
    if state.starts != 1 || state.ends != expected_ends {
        return Err(NotRun::Failed(format!(
            "bench.start called {} times and bench.end {} times (expected 1 and {expected_ends})",
            state.starts, state.ends
        )));
    }
    let start = state.start.expect("bench.start was called once");
    let end = state.end.unwrap_or(finished);
    check_output(file, "stdout", &stdout.contents_string()).map_err(NotRun::Failed)?;
    check_output(file, "stderr", &stderr.contents_string()).map_err(NotRun::Failed)?;
    Ok(Sample {
        compile,
        run: end.saturating_duration_since(start),
        no_end_import: !imports_end,
    })
}

fn describe(e: &Error) -> String {
    match e.as_trap() {
        Some(trap) => format!("trap: {trap}"),
        None => format!("error: {e}"),
    }
}

/// Compares `actual` with the expected file, line by line (so line endings
/// and a missing final newline do not matter). Without an expected file,
/// there is nothing to compare.
fn check_output(file: &Path, stream: &str, actual: &str) -> Result<(), String> {
    let folder = file.parent().unwrap_or(Path::new("."));
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let candidates = [
        folder.join(format!("{stem}.{stream}.expected")),
        folder.join(format!("default.{stream}.expected")),
    ];
    let Some(expected) = candidates
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
    else {
        return Ok(());
    };
    let lines = |s: &str| {
        s.lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect::<Vec<_>>()
    };
    let (want, got) = (lines(&expected), lines(actual));
    if want == got {
        return Ok(());
    }
    let first = want
        .iter()
        .zip(&got)
        .position(|(a, b)| a != b)
        .unwrap_or(want.len().min(got.len()));
    Err(format!(
        "{stream} differs at line {}: expected {:?}, got {:?}",
        first + 1,
        want.get(first).map(String::as_str).unwrap_or("<end>"),
        got.get(first).map(String::as_str).unwrap_or("<end>")
    ))
}
