//! A reused `Allocator` (and `Output`) keeps its buffers: once warmed up,
//! allocating a function again allocates almost no memory.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use tern_regalloc::testing::{self, GenConfig, Rng};
use tern_regalloc::{Allocator, Output};

/// The system allocator, counting allocation calls.
struct Counting;

static CALLS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to `System` unchanged; counting does not
// affect the memory returned.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's layout is valid for `System` too.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size, Ordering::Relaxed);
        // SAFETY: `ptr` came from `System.alloc` with `layout`; the caller
        // guarantees `new_size` is valid.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn warm_context_allocates_far_less_than_a_cold_one() {
    let env = testing::x64_like_env();
    let func = testing::generate(&mut Rng::new(11), &GenConfig::sized(2_000), &env);
    let mut allocator = Allocator::new();
    let mut output = Output::new();

    let (calls, bytes) = (CALLS.load(Ordering::Relaxed), BYTES.load(Ordering::Relaxed));
    allocator.allocate(&func, &env, &mut output).unwrap();
    let cold = CALLS.load(Ordering::Relaxed) - calls;
    let cold_bytes = BYTES.load(Ordering::Relaxed) - bytes;

    let (calls, bytes) = (CALLS.load(Ordering::Relaxed), BYTES.load(Ordering::Relaxed));
    allocator.allocate(&func, &env, &mut output).unwrap();
    let warm = CALLS.load(Ordering::Relaxed) - calls;
    let warm_bytes = BYTES.load(Ordering::Relaxed) - bytes;
    assert!(
        warm * 4 < cold && warm_bytes * 100 < cold_bytes,
        "cold run: {cold} allocations of {cold_bytes} bytes, warm run: {warm} of {warm_bytes}"
    );
}
