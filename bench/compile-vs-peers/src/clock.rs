//! Clocks: wall time, and the CPU time of the calling thread and of the whole
//! process.
//!
//! The machines this runs on are shared and often loaded, so wall time alone
//! mixes our work with other people's. The calling thread's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`) counts only the cycles the compiling thread was
//! actually scheduled for, which makes single-threaded figures stable under
//! load. It is wrong for parallel compilation (the work happens on pool
//! threads), so parallel runs use wall time only. The process CPU clock is
//! read alongside so that a single-threaded run can check that no compiler
//! quietly handed work to another thread: if it did, process CPU time would
//! exceed thread CPU time.

use std::time::{Duration, Instant};

/// Reads one POSIX clock.
fn clock(id: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock ids used here are
    // supported on every Linux this benchmark targets.
    let rc = unsafe { libc::clock_gettime(id, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime({id}) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The three clocks read at one instant.
#[derive(Clone, Copy)]
struct Reading {
    wall: Instant,
    thread_cpu: Duration,
    process_cpu: Duration,
}

impl Reading {
    fn now() -> Reading {
        Reading {
            wall: Instant::now(),
            thread_cpu: clock(libc::CLOCK_THREAD_CPUTIME_ID),
            process_cpu: clock(libc::CLOCK_PROCESS_CPUTIME_ID),
        }
    }
}

/// How long one timed operation took by each clock.
#[derive(Clone, Copy, Debug)]
pub struct Elapsed {
    pub wall: Duration,
    pub thread_cpu: Duration,
    pub process_cpu: Duration,
}

/// Runs `work` and returns its result with the time it took. The result is
/// returned rather than dropped so that freeing it is not timed.
pub fn time<R>(work: impl FnOnce() -> R) -> (R, Elapsed) {
    let start = Reading::now();
    let result = work();
    let end = Reading::now();
    let elapsed = Elapsed {
        wall: end.wall - start.wall,
        thread_cpu: end.thread_cpu.saturating_sub(start.thread_cpu),
        process_cpu: end.process_cpu.saturating_sub(start.process_cpu),
    };
    (result, elapsed)
}

/// The 1-, 5- and 15-minute load averages from `/proc/loadavg`.
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    Some([fields.next()??, fields.next()??, fields.next()??])
}
