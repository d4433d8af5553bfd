//! tern-baseline: Tern's single-pass baseline compiler.
//!
//! WebAssembly bytecode goes straight to x86-64 machine code in one pass
//! over each function body, with no intermediate representation: every
//! operator is validated by wasmparser's function validator and then
//! emitted, before the next one is read (see `visitor.rs`). The design
//! follows V8's Liftoff and Wasmtime's Winch; the goal is compile speed
//! first, and code that is not needlessly slow second.
//!
//! # Public API
//!
//! [`BaselineCompiler`] implements [`tern_environ::Compiler`];
//! [`BaselineCompiler::function_compiler`] gives one
//! [`BaselineFunctionCompiler`] per thread, which compiles function after
//! function reusing all its buffers. The output is a
//! [`tern_environ::CompiledFunction`]: position-independent code following
//! the shared ABI (`tern_environ::abi`), `call rel32` relocations to the
//! module's defined functions, and sorted trap sites.
//!
//! # The model: a compile-time value stack
//!
//! The compiler mirrors the Wasm operand stack at compile time. Each entry
//! (and each local) is a *location* (`values.rs`): a register, a constant,
//! its own stack slot, an alias of a local living in its home slot, or a
//! pending comparison in the flags. Operators pop locations, emit code
//! that uses them directly (constants become immediates and displacements,
//! slots become memory operands), and push their result's location:
//!
//! ```text
//! (i32.add (local.get 0) (i32.const 4))    local 0 in rsi
//!   local.get 0   → push Reg(rsi)          (no code: rsi now has 2 references)
//!   i32.const 4   → push Const(4)          (no code)
//!   i32.add       → lea eax, [rsi+4]       (rsi is shared, so no in-place add)
//! ```
//!
//! ## Registers
//!
//! `regs.rs` fixes the conventions: `r14` holds the vmctx and `r15` the
//! base of memory 0 for the whole function (both callee-saved, so calls
//! preserve them), `r11`/`xmm15` are scratch within one operator, and the
//! rest is allocated by reference count. `local.get` of a local in a
//! register adds a reference instead of copying; an operator may overwrite
//! an operand's register only if it held the last reference. Values in
//! registers are immutable while referenced — the invariant that makes
//! aliasing safe.
//!
//! When no register is free, `alloc.rs` spills **one** register: the one
//! held by the deepest stack entry (the value needed last), storing each
//! entry that refers to it to that entry's own slot, and each local to its
//! home. Every stack position has a fixed slot in the frame (`frame.rs`),
//! so spilling never searches for room. Calls spill only the caller-saved
//! registers; values in `rbx`/`r12`/`r13` survive them.
//!
//! ## Control flow
//!
//! Locals and values stay in registers across control flow. Each branch
//! target has a *merge target* — the location of every local, every stack
//! entry below the block and every value carried by the branch — built from
//! the state of the first edge that reaches it (or, for a loop, from the
//! state at its header). Every edge then runs a parallel move from its
//! current locations to the target's (`merge.rs`); the first edge usually
//! needs no move at all. A `br_if` whose state already matches is a single
//! `jcc`; otherwise its moves run on the taken path only. `br_table` jumps
//! through a table directly to targets that need no moves and to per-target
//! move stubs otherwise. Code after an unconditional branch is skipped
//! until the next `else` or `end` that something reaches (`control.rs`).
//!
//! At block boundaries the invariants are: a merge target names each
//! register at most once; it holds no constants other than those below the
//! block (which no edge can change), no local aliases and no pending
//! comparison; and after the join, the current state *is* the merge
//! target. Merge targets list only the locals away from their home slots,
//! so joins cost time proportional to the registers in use, not to the
//! number of locals (`locals.rs`).
//!
//! A loop's header state is fixed before its body is compiled, so a local
//! in memory at the header would stay in memory for the whole loop. At
//! each `loop` the compiler therefore reads ahead over the body's bytecode
//! (`loop_scan.rs`: no validation, no code) to count each local's uses and
//! see whether the body calls, and loads the hottest locals into free
//! registers before the header — callee-saved ones when the loop calls, so
//! that they survive the calls. This is the one place the compiler looks
//! at an operator twice.
//!
//! ## Fusion and folding
//!
//! A comparison emits `cmp`/`test`/`ucomiss` and pushes a pending
//! condition; `br_if`, `if` and `select` consume it as `jcc`/`cmov`
//! directly, and `i32.eqz` inverts it, so no boolean is materialized unless
//! something else needs it. Operations on two constants are evaluated at
//! compile time; an unsigned division by a power of two is a shift.
//!
//! ## Memory, traps and the frame
//!
//! A load or store is one instruction `[r15 + index + offset]` with no
//! bounds check (the runtime reserves 8 GiB per 32-bit memory, so every
//! out-of-bounds access faults), recorded as a `MemoryOutOfBounds` trap
//! site. This relies on the i32 invariant of `values.rs`: i32 values in
//! 64-bit registers have zero upper halves. Division by zero faults in
//! `div` itself (a trap site); `INT_MIN / -1` is checked explicitly.
//! Other traps jump to one shared out-of-line `ud2` per trap code. The
//! prologue checks the stack limit against the frame size, which is known
//! only at the end and patched in (`frame.rs`).
//!
//! ## Reuse
//!
//! Nothing is allocated per operator once the buffers have grown: the
//! value stack, control stack, merge states, assembler, loop scanner and
//! wasmparser's validator and reader allocations are kept by the
//! [`BaselineFunctionCompiler`] from one function to the next
//! (`emitter.rs`).
//!
//! # Testing
//!
//! - `tests/golden/*.wat`: golden disassembly per operator group
//!   (`TERN_BLESS=1` regenerates the `.expected` files).
//! - `tests/allocations.rs`: the steady state allocates nothing per
//!   operator.
//! - Code that runs is tested where the runtime can run it (the runtime
//!   depends on this crate, not the other way round): the spec suite in
//!   `tern-wast`, and `tern-runtime/tests/generated/differential.rs` (random
//!   structured functions with heavy register pressure, compared against a
//!   direct Rust evaluation) and `pathological.rs` beside it
//!   (inputs shaped to expose super-linear compile time).
//! - `benches/compile_speed.rs`: compile speed on the Sightglass modules
//!   (`$TERN_BENCHMARKS/sightglass`). `TERN_BENCH_DIGEST=1` prints a digest
//!   of each module's generated code instead, to check that a change meant
//!   only to make the compiler faster leaves its output alone;
//!   `TERN_BENCH_PROFILE=N` compiles repeatedly for a profiler.
//!
//! # Compile speed
//!
//! Per operator, most of the time goes to wasmparser (decoding and
//! validation) and to encoding instructions; the compiler's own share is
//! spread over the value stack, the register file and, above all, the
//! control-flow states (`merge.rs`), which is why those are sparse in the
//! locals and avoid work for the locals two states share. Two lessons from
//! profiling that are easy to undo by accident: values of 17 to 32 bytes
//! (`(ValType, Src)`, `Value`, `(u32, Loc)` tuples) that are written in
//! pieces and read back whole stall on store-to-load forwarding, so the
//! hottest of them are inlined or laid out as structs with the location
//! first; and anything the loop look-ahead does per byte counts, since it
//! reads every loop body once more (`loop_scan.rs`).
//!
//! Per function, the fixed cost is the prologue, the return sequence and
//! finishing. The fixed instructions of the first two are encoded once per
//! module by the real assembler and copied (`frame_template.rs`: sqlite3's
//! prologue went from about 1,300 to about 380 machine instructions per
//! function, byte-identical output). A copy is a `memcpy` call, which costs
//! about as much as encoding one short instruction, so templates pay only
//! for runs of several instructions: the return sequence's few short
//! pieces cost about what encoding them did, and copying in fixed-size
//! chunks instead of `memcpy` measured worse. What remains of finishing is
//! label resolution in `tern-asm` and copying the code out. Measured and
//! not kept: returning early from `merge::transfer` when `needs_transfer`
//! finds nothing to move (most transfers do move, so the check cost more
//! than it saved: 16.0M to 16.5M instructions on sqlite3).
//!
//! # Files
//!
//! | file | idea |
//! |---|---|
//! | `compiler.rs` | the public compiler objects and the per-function driver |
//! | `visitor.rs` | validate-then-emit, per-operator policy |
//! | `emitter.rs` | the per-function state and reusable buffers |
//! | `values.rs` | value-stack locations and moving data between them |
//! | `regs.rs` | register conventions and reference counts |
//! | `alloc.rs` | allocation, spilling, eviction |
//! | `locals.rs` | where the locals are, and which are away from home |
//! | `loop_scan.rs` | the look-ahead over a loop body that picks its register locals |
//! | `control.rs` | control frames and control-flow operators |
//! | `merge.rs` | merge targets and state transfers at joins |
//! | `frame.rs` | frame layout, prologue, return sequence, finishing |
//! | `frame_template.rs` | the prologue's and return sequence's fixed instructions, encoded once |
//! | `ops/` | code per operator group, and the operator table |

mod alloc;
mod compiler;
mod control;
mod emitter;
mod frame;
mod frame_template;
mod locals;
mod loop_scan;
mod merge;
mod ops;
mod regs;
mod values;
mod visitor;

pub use compiler::{BaselineCompiler, BaselineFunctionCompiler, CpuFeatures};
