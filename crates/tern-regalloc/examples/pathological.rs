//! Allocates the known pathological function and reports cost.
//!
//! `cargo run --release -p tern-regalloc --example pathological -- N` builds
//! [`tern_regalloc::testing::pathological`]`(N)` — one value passed as
//! argument 0, then 1, then 0 … to N calls that each clobber every
//! caller-saved register — allocates it on an x86-64-like machine, checks the
//! result with the symbolic checker, and prints
//! `n=<N> vregs=<V> time_ms=<T> peak_bytes=<B> moves=<M> spill_slots=<S>`.
//!
//! `time_ms` and `peak_bytes` cover allocation only (not building the
//! function or checking): `peak_bytes` is the most memory the allocation
//! held at once beyond what was live before it started, measured by a
//! counting global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tern_regalloc::{Allocator, Function, Output, checker, testing};

/// The system allocator, counting live bytes and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

fn shrank(bytes: usize) {
    LIVE.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments,
// which satisfy the same contracts; the counters do not affect the memory
// returned.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's valid, non-zero-size layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (through us) with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by `System` with `layout`; the caller
        // guarantees `new_size` is valid for it.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let n: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 10_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("usage: pathological [N]: {e}");
            std::process::exit(2);
        }
    };
    let env = testing::x64_like_env();
    let func = testing::pathological(n, &env);
    let mut allocator = Allocator::new();
    let mut output = Output::new();

    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let start = Instant::now();
    let result = allocator.allocate(&func, &env, &mut output);
    let elapsed = start.elapsed();
    let peak = PEAK.load(Ordering::Relaxed) - before;

    if let Err(e) = result {
        eprintln!("allocation failed: {e}");
        std::process::exit(1);
    }
    if let Err(e) = checker::check(&func, &env, &output) {
        eprintln!("checker rejected the allocation: {e}");
        std::process::exit(1);
    }
    println!(
        "n={n} vregs={} time_ms={:.3} peak_bytes={peak} moves={} spill_slots={}",
        func.num_vregs(),
        elapsed.as_secs_f64() * 1e3,
        output.edits().len(),
        output.num_spill_slots()
    );
}
