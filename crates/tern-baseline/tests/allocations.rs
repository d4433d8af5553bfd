//! The steady state allocates nothing per operator: once a function
//! compiler has compiled a function, compiling it again allocates only the
//! vectors it returns (code, relocations, trap sites), however many
//! operators the function has.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Write;
use tern_baseline::BaselineCompiler;
use tern_environ::{DefinedFuncIndex, FunctionCompiler, VMOffsets};

/// Counts the allocations of threads that ask for it.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the bookkeeping touches only
// const-initialized thread-locals, which do not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A function with `n` repetitions of a mix of operators: arithmetic,
/// locals, memory, calls, blocks, loops, branches.
fn module(n: usize) -> String {
    let mut body = String::new();
    for i in 0..n {
        let _ = write!(
            body,
            "block (result i32)
               loop
                 local.get 0 i32.const {i} i32.add local.tee 1
                 i32.load offset=8 local.get 1 i32.mul local.set 1
                 local.get 1 local.get 0 i32.lt_u br_if 0
               end
               local.get 1 call $g local.get 1 br_if 0 drop f64.const 1.5 f64.sqrt i32.trunc_sat_f64_s
             end drop\n"
        );
    }
    format!(
        "(module (memory 1) (func $g (param i32) (result i32) local.get 0)
           (func (param i32) (local i32 i64 f64) {body}))"
    )
}

/// Allocations made while compiling function 1 of `wat` for the second
/// time with the same function compiler.
fn steady_state_allocations(wat: &str) -> usize {
    let wasm = wat::parse_str(wat).unwrap();
    let compiler = BaselineCompiler::new();
    let mut fc = compiler.function_compiler();
    let mut count = 0;
    for round in 0..2 {
        let translation = tern_environ::translate_module(&wasm).unwrap();
        let offsets = VMOffsets::new(&translation.module);
        let mut bodies = translation.function_bodies.into_iter();
        let body = bodies.nth(1).unwrap();
        COUNT.with(|c| c.set(0));
        COUNTING.with(|c| c.set(round == 1));
        let compiled = fc.compile(&translation.module, &offsets, DefinedFuncIndex(1), body);
        COUNTING.with(|c| c.set(false));
        if let Err(e) = compiled {
            panic!("{e}");
        }
        count = COUNT.with(Cell::get);
    }
    count
}

#[test]
fn no_allocation_per_operator() {
    let small = steady_state_allocations(&module(10));
    let large = steady_state_allocations(&module(400));
    // The returned code, relocations and trap sites, and nothing else (the
    // large function has 40 times the operators).
    assert!(small <= 3, "{small} allocations for a small function");
    assert_eq!(large, small, "allocations grow with the function's size");
}
