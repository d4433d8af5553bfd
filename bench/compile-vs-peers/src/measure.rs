//! The timing loop: best of N compilations per engine and module.
//!
//! Repetitions are interleaved across engines (module A: tern, winch,
//! cranelift, wasmi, tern, winch, …) rather than run back to back per
//! engine, so that a burst of load from another process on this shared
//! machine hurts every engine's samples alike instead of one engine's best.
//! The minimum is kept per clock, independently: the fastest wall-clock
//! sample and the fastest CPU-time sample need not be the same run.

use crate::clock::{self, Elapsed};
use crate::compilers::{Compiler, Kind};
use crate::corpus::Module;
use std::io::IsTerminal;
use std::time::Duration;

/// Best times of one engine on one module.
#[derive(Clone, Copy, Debug)]
pub struct Best {
    pub wall: Duration,
    pub thread_cpu: Duration,
}

impl Best {
    fn new() -> Best {
        Best {
            wall: Duration::MAX,
            thread_cpu: Duration::MAX,
        }
    }

    fn record(&mut self, sample: Elapsed) {
        self.wall = self.wall.min(sample.wall);
        self.thread_cpu = self.thread_cpu.min(sample.thread_cpu);
    }
}

/// Process CPU time that was not the measuring thread's, summed over every
/// sample of one engine. In a single-threaded run this should be close to
/// zero; a large share means the engine compiled on other threads and its
/// thread CPU time understates the work.
#[derive(Clone, Copy, Debug, Default)]
pub struct OffThread {
    pub thread_cpu: Duration,
    pub other_threads_cpu: Duration,
}

impl OffThread {
    fn record(&mut self, sample: Elapsed) {
        self.thread_cpu += sample.thread_cpu;
        self.other_threads_cpu += sample.process_cpu.saturating_sub(sample.thread_cpu);
    }

    /// Other threads' CPU time as a fraction of the measuring thread's.
    pub fn share(&self) -> f64 {
        self.other_threads_cpu.as_secs_f64() / self.thread_cpu.as_secs_f64().max(1e-9)
    }
}

/// Everything measured in one mode (single-threaded or parallel).
pub struct Measurements {
    pub engines: Vec<Kind>,
    /// `best[module][engine]`, in the order of `engines`.
    pub best: Vec<Vec<Best>>,
    pub off_thread: Vec<OffThread>,
}

/// Compiles every module `reps` times with every engine. A compile error
/// here is a bug in the screening (modules are trial-compiled first), so it
/// aborts the run.
pub fn run(
    compilers: &[(Kind, Compiler)],
    modules: &[Module],
    reps: usize,
) -> Result<Measurements, String> {
    let mut best = Vec::with_capacity(modules.len());
    let mut off_thread = vec![OffThread::default(); compilers.len()];
    let show_progress = std::io::stderr().is_terminal();
    for (index, module) in modules.iter().enumerate() {
        if show_progress {
            eprint!("\r  [{}/{}] {:<60}", index + 1, modules.len(), module.name);
        }
        let mut row = vec![Best::new(); compilers.len()];
        for _ in 0..reps {
            for (slot, (kind, compiler)) in compilers.iter().enumerate() {
                let (compiled, elapsed) = clock::time(|| compiler.compile(&module.bytes));
                compiled.map_err(|e| format!("{} failed on {}: {e}", kind.name(), module.name))?;
                row[slot].record(elapsed);
                off_thread[slot].record(elapsed);
            }
        }
        best.push(row);
    }
    if show_progress {
        eprint!("\r{:<80}\r", "");
    }
    Ok(Measurements {
        engines: compilers.iter().map(|(kind, _)| *kind).collect(),
        best,
        off_thread,
    })
}
