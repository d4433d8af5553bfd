//! Tables: one row per module, per engine its best time and throughput, then
//! each peer's time divided by Tern's (above 1 means Tern compiled faster).
//!
//! Throughput is code-section bytes (the function bodies) per second, in
//! MB = 10^6 bytes, which is the unit the Liftoff and Winch figures quoted in
//! issue 4 use. The totals row divides summed bytes by summed best times, so
//! large modules dominate it; the geomean row weighs every module equally.

use crate::compilers::Kind;
use crate::corpus::Module;
use crate::measure::{Best, Measurements};
use std::fmt::Write;
use std::time::Duration;

/// Which of the recorded clocks a table shows.
#[derive(Clone, Copy)]
pub enum Clock {
    ThreadCpu,
    Wall,
}

impl Clock {
    fn pick(self, best: &Best) -> Duration {
        match self {
            Clock::ThreadCpu => best.thread_cpu,
            Clock::Wall => best.wall,
        }
    }
}

const MB: f64 = 1e6;

/// Width of an engine's time column (fits "cranelift ms").
const TIME_WIDTH: usize = 12;
/// Width of a throughput column.
const RATE_WIDTH: usize = 7;
/// Characters one engine's pair of columns takes, separator included.
const ENGINE_COLUMNS_WIDTH: usize = " | ".len() + TIME_WIDTH + 1 + RATE_WIDTH;
/// Characters the file and code size columns take.
const SIZE_COLUMNS_WIDTH: usize = 2 * (1 + 9);

fn megabytes_per_second(bytes: u64, time: Duration) -> f64 {
    bytes as f64 / MB / time.as_secs_f64()
}

/// Renders one table.
pub fn table(title: &str, modules: &[Module], measured: &Measurements, clock: Clock) -> String {
    let engines = &measured.engines;
    let tern = engines
        .iter()
        .position(|&k| k == Kind::Tern)
        .expect("Tern is always measured");
    let peers: Vec<usize> = (0..engines.len()).filter(|&i| i != tern).collect();
    let name_width = modules
        .iter()
        .map(|m| m.name.len())
        .chain(["module".len(), "geomean (per-module ratio)".len()])
        .max()
        .unwrap_or(0);

    let mut out = String::new();
    writeln!(out, "{title}").unwrap();
    let mut header = format!(
        "{:<name_width$} {:>9} {:>9}",
        "module", "file KB", "code KB"
    );
    for kind in engines {
        write!(
            header,
            " | {:>TIME_WIDTH$} {:>RATE_WIDTH$}",
            format!("{} ms", kind.name()),
            "MB/s"
        )
        .unwrap();
    }
    header.push_str(" |");
    for &peer in &peers {
        write!(header, " {:>9}", format!("{}/tern", short(engines[peer]))).unwrap();
    }
    writeln!(out, "{header}").unwrap();
    writeln!(out, "{}", "-".repeat(header.len())).unwrap();

    let mut total_time = vec![Duration::ZERO; engines.len()];
    let mut log_ratio_sum = vec![0.0f64; engines.len()];
    for (module, row) in modules.iter().zip(&measured.best) {
        let times: Vec<Duration> = row.iter().map(|b| clock.pick(b)).collect();
        let mut line = format!(
            "{:<name_width$} {:>9.1} {:>9.1}",
            module.name,
            module.bytes.len() as f64 / 1e3,
            module.code_bytes as f64 / 1e3
        );
        for (slot, time) in times.iter().enumerate() {
            total_time[slot] += *time;
            write!(
                line,
                " | {:>TIME_WIDTH$.2} {:>RATE_WIDTH$.1}",
                time.as_secs_f64() * 1e3,
                megabytes_per_second(module.code_bytes, *time)
            )
            .unwrap();
        }
        line.push_str(" |");
        for &peer in &peers {
            let ratio = times[peer].as_secs_f64() / times[tern].as_secs_f64();
            log_ratio_sum[peer] += ratio.ln();
            write!(line, " {:>8.2}x", ratio).unwrap();
        }
        writeln!(out, "{line}").unwrap();
    }

    writeln!(out, "{}", "-".repeat(header.len())).unwrap();
    let file_bytes: u64 = modules.iter().map(|m| m.bytes.len() as u64).sum();
    let code_bytes: u64 = modules.iter().map(|m| m.code_bytes).sum();
    let mut totals = format!(
        "{:<name_width$} {:>9.1} {:>9.1}",
        format!("TOTAL ({} modules)", modules.len()),
        file_bytes as f64 / 1e3,
        code_bytes as f64 / 1e3
    );
    for time in &total_time {
        write!(
            totals,
            " | {:>TIME_WIDTH$.1} {:>RATE_WIDTH$.1}",
            time.as_secs_f64() * 1e3,
            megabytes_per_second(code_bytes, *time)
        )
        .unwrap();
    }
    totals.push_str(" |");
    for &peer in &peers {
        let ratio = total_time[peer].as_secs_f64() / total_time[tern].as_secs_f64();
        write!(totals, " {:>8.2}x", ratio).unwrap();
    }
    writeln!(out, "{totals}").unwrap();

    let ratio_columns_start =
        name_width + SIZE_COLUMNS_WIDTH + engines.len() * ENGINE_COLUMNS_WIDTH + " |".len();
    let mut geomean = format!(
        "{:<width$}",
        "geomean (per-module ratio)",
        width = ratio_columns_start
    );
    for &peer in &peers {
        let mean = (log_ratio_sum[peer] / modules.len().max(1) as f64).exp();
        write!(geomean, " {:>8.2}x", mean).unwrap();
    }
    writeln!(out, "{geomean}").unwrap();
    out
}

/// Column-width-friendly engine name for ratio headers.
fn short(kind: Kind) -> &'static str {
    match kind {
        Kind::Cranelift => "clift",
        other => other.name(),
    }
}
