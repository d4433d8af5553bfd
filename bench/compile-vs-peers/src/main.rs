//! Compile speed of Tern's baseline compiler next to its peers: Wasmtime
//! with Winch (its baseline) and with Cranelift (its optimizing compiler),
//! and the Wasmi interpreter's translation to bytecode.
//!
//! For every scalar core module of the Sightglass snapshot, each engine
//! turns the bytes into a ready-to-instantiate module N times; the best time
//! counts. Single-threaded runs are timed by the compiling thread's CPU time
//! and by wall time; parallel runs by wall time only. See README.md for how
//! to run it and read the output, and `compilers.rs` for what each engine's
//! "compile" includes.

mod clock;
mod compilers;
mod corpus;
mod measure;
mod report;

use compilers::{Compiler, Kind};
use report::Clock;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Command-line options.
struct Options {
    reps: usize,
    single: bool,
    parallel: bool,
    filters: Vec<String>,
}

const USAGE: &str =
    "usage: compile-vs-peers [--reps N] [--mode single|parallel|both] [--only SUBSTRING]...

  --reps N        compilations per engine and module; the best counts (default 5)
  --mode M        single-threaded, parallel, or both (default both)
  --only S        only modules whose name contains S (repeatable)

Modules are read from $TERN_BENCHMARKS/sightglass (default ../shared/benchmarks,
relative to the Tern repository root).";

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        reps: 5,
        single: true,
        parallel: true,
        filters: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--reps" => {
                options.reps = value()?
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or("--reps needs a positive integer")?;
            }
            "--mode" => match value()?.as_str() {
                "single" => options.parallel = false,
                "parallel" => options.single = false,
                "both" => {}
                other => return Err(format!("unknown mode `{other}`")),
            },
            "--only" => options.filters.push(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(options)
}

/// The Tern repository root (this project lives in `bench/compile-vs-peers`).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sightglass_dir() -> Result<PathBuf, String> {
    let base = match std::env::var_os("TERN_BENCHMARKS") {
        Some(dir) => PathBuf::from(dir),
        None => repo_root().join("../shared/benchmarks"),
    };
    let dir = base.join("sightglass");
    if dir.is_dir() {
        Ok(std::fs::canonicalize(&dir).unwrap_or(dir))
    } else {
        Err(format!(
            "no benchmark modules: {} is not a directory (set TERN_BENCHMARKS to the folder holding sightglass/)",
            dir.display()
        ))
    }
}

/// The checked-out Tern revision, noting uncommitted changes to its crates
/// (the working tree is shared, so the build may include work in progress).
fn tern_revision() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(repo_root())
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(rev) => match git(&["status", "--porcelain", "--", "crates"]) {
            Some(changes) if !changes.is_empty() => {
                format!("{rev} + uncommitted changes under crates/")
            }
            _ => rev,
        },
        None => "unknown revision".to_string(),
    }
}

/// Today's date (UTC) as YYYY-MM-DD.
fn utc_date() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_date((secs / 86_400) as i64);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The proleptic Gregorian (year, month, day) of a count of days since
/// 1970-01-01.
fn civil_date(days_since_epoch: i64) -> (i64, i64, i64) {
    // Shift the epoch to 0000-03-01 so that leap days end each 400-year era
    // and each year; then split days into era, year of era, day of year.
    let days = days_since_epoch + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, name)| name.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

fn load_line() -> String {
    match clock::load_average() {
        Some([one, five, fifteen]) => format!("{one:.2} {five:.2} {fifteen:.2} (1/5/15 min)"),
        None => "unavailable".to_string(),
    }
}

fn make_compilers(parallel: bool) -> Result<Vec<(Kind, Compiler)>, String> {
    Kind::ALL
        .iter()
        .map(|&kind| {
            Compiler::new(kind, parallel)
                .map(|c| (kind, c))
                .map_err(|e| format!("cannot configure {}: {e}", kind.name()))
        })
        .collect()
}

/// Drops modules that some engine refuses, recording why. The compilations
/// also warm up each engine before anything is timed.
fn trial_compile(corpus: &mut corpus::Corpus, compilers: &[(Kind, Compiler)]) {
    let modules = std::mem::take(&mut corpus.modules);
    for module in modules {
        let refusal = compilers.iter().find_map(|(kind, compiler)| {
            compiler
                .compile(&module.bytes)
                .err()
                .map(|e| format!("{} refuses it: {e}", kind.name()))
        });
        match refusal {
            None => corpus.modules.push(module),
            Some(reason) => corpus.skipped.push(corpus::Skipped {
                name: module.name,
                reason,
            }),
        }
    }
}

/// Lists skipped files grouped by reason, names wrapped to ~100 columns.
fn print_skipped(skipped: &[corpus::Skipped]) {
    let mut by_reason: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for file in skipped {
        by_reason.entry(&file.reason).or_default().push(&file.name);
    }
    for (reason, names) in by_reason {
        println!("  {reason} ({}):", names.len());
        let mut line = String::from("   ");
        for name in names {
            if line.len() + name.len() > 100 {
                println!("{line}");
                line = String::from("   ");
            }
            line.push(' ');
            line.push_str(name);
        }
        println!("{line}");
    }
}

fn run() -> Result<(), String> {
    let options = parse_options().map_err(|e| format!("{e}\n\n{USAGE}"))?;
    let dir = sightglass_dir()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    println!("compile-vs-peers: time from module bytes to a ready-to-instantiate module");
    println!("date:        {} (UTC)", utc_date());
    println!("machine:     {} ({cores} cores available)", cpu_model());
    println!("load avg:    {} at start", load_line());
    println!("tern:        {}", tern_revision());
    println!(
        "peers:       wasmtime {} (winch; cranelift opt-level speed), wasmi {} (eager translation)",
        env!("PEER_VERSION_WASMTIME"),
        env!("PEER_VERSION_WASMI")
    );
    println!("built with:  {}", env!("RUSTC_VERSION"));
    println!("modules:     {}", dir.display());
    println!("repetitions: best of {}", options.reps);
    println!();

    let mut corpus = corpus::load(&dir, &options.filters)?;
    let single = make_compilers(false)?;
    eprintln!("trial compile of {} modules...", corpus.modules.len());
    trial_compile(&mut corpus, &single);
    if corpus.modules.is_empty() {
        return Err("no module left to measure".to_string());
    }
    println!(
        "{} modules measured, {} skipped:",
        corpus.modules.len(),
        corpus.skipped.len()
    );
    print_skipped(&corpus.skipped);
    println!();

    if options.single {
        eprintln!("single-threaded runs...");
        let measured = measure::run(&single, &corpus.modules, options.reps)?;
        let title = "SINGLE-THREADED, thread CPU time (best of N; ratio = peer time / tern time)";
        println!(
            "{}",
            report::table(title, &corpus.modules, &measured, Clock::ThreadCpu)
        );
        let title = "SINGLE-THREADED, wall time (best of N; ratio = peer time / tern time)";
        println!(
            "{}",
            report::table(title, &corpus.modules, &measured, Clock::Wall)
        );
        print!("CPU time on other threads during single-threaded compiles (should be ~0%):");
        for (kind, off) in measured.engines.iter().zip(&measured.off_thread) {
            print!(" {} {:.1}%", kind.name(), off.share() * 100.0);
        }
        println!("\n");
    }
    if options.parallel {
        drop(single);
        let parallel = make_compilers(true)?;
        eprintln!("parallel runs...");
        let measured = measure::run(&parallel, &corpus.modules, options.reps)?;
        let title = format!(
            "PARALLEL ({cores} cores), wall time (best of N; ratio = peer time / tern time; \
             wasmi always compiles on one thread)"
        );
        println!(
            "{}",
            report::table(&title, &corpus.modules, &measured, Clock::Wall)
        );
    }
    println!("load avg:    {} at end", load_line());
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::civil_date;

    #[test]
    fn civil_date_handles_epoch_leap_days_and_century_rules() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(-1), (1969, 12, 31));
        assert_eq!(civil_date(11_016), (2000, 2, 29)); // 2000 is a leap year
        assert_eq!(civil_date(11_017), (2000, 3, 1));
        assert_eq!(civil_date(47_541), (2100, 3, 1)); // 2100 is not
        assert_eq!(civil_date(20_593), (2026, 5, 20));
    }
}
