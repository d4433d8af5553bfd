//! Tern's register allocator: a backtracking allocator with live-range
//! splitting, in the family of IonMonkey's and regalloc2's, built to stay
//! linear on the inputs that make such allocators quadratic.
//!
//! The crate knows nothing of WebAssembly or x86. A client describes a
//! function in SSA form through the [`Function`] trait and a machine
//! through [`MachineEnv`]; [`Allocator::allocate`] answers with an
//! [`Output`]: a location for every operand, the moves to insert between
//! instructions, and the spill slots used. [`checker::check`] verifies an
//! output independently; [`testing`] has a function builder, a random
//! function generator and sample machines.
//!
//! ```
//! use tern_regalloc::testing::{self, FunctionBuilder};
//! use tern_regalloc::{Operand, PRegSet, RegClass, allocate, checker};
//!
//! // x = ...; y = ...; z = x + y (two-address: z reuses x's register)
//! let mut b = FunctionBuilder::new();
//! let block = b.block();
//! let (x, y, z) = (b.vreg(RegClass::Int), b.vreg(RegClass::Int), b.vreg(RegClass::Int));
//! b.inst(block, &[Operand::reg_def(x), Operand::reg_def(y)], PRegSet::empty());
//! b.inst(block, &[Operand::reg_use(x), Operand::reg_use(y), Operand::reuse_def(z, 0)], PRegSet::empty());
//! b.ret(block, &[Operand::reg_use(z)]);
//! let func = b.finish();
//!
//! let env = testing::x64_like_env();
//! let output = allocate(&func, &env).unwrap();
//! checker::check(&func, &env, &output).unwrap();
//! assert!(output.edits().is_empty()); // z simply takes over x's register
//! ```
//!
//! The rest of this page explains the design, phase by phase. Each module
//! documents its own part in more detail.
//!
//! # Vocabulary
//!
//! **Program points.** Instruction `i` has two points: its *early* point
//! `2i`, where it reads its inputs, and its *late* point `2i + 1`, where it
//! writes its outputs. A live range is a half-open interval of points. An
//! input that dies at `i` and an output defined by `i` can therefore share
//! a register: the input's range ends after `2i`, the output's starts at
//! `2i + 1`. A *late use* (read at the end of the instruction) covers both
//! points, as does an *early def* (written before all inputs are read).
//!
//! **Gaps.** Moves can only go *between* instructions: in the gap before
//! instruction `i`, between points `2i - 1` and `2i`. All moves of one gap
//! form a parallel move. The allocator only ever changes a value's location
//! at a gap, which is why every split point is an even point, and why a
//! value read in a register by an instruction and live after it keeps that
//! register through the instruction.
//!
//! **Values, ranges, uses.** A virtual register is an SSA value. Liveness
//! gives each value a list of *ranges* (one per stretch of consecutive
//! blocks where it lives) and each operand becomes a *use* record of its
//! value: a point and what the operand asks of the range containing it —
//! a register, a slot, anything, or nothing (see below).
//!
//! **Bundles.** A bundle is a set of non-overlapping ranges, possibly of
//! several values, allocated as a whole: to one register, or to the stack.
//! **Spill sets** group the bundles descended (by splitting) from one
//! original bundle; they share a spill slot, a split budget, and a register
//! hint.
//!
//! # Operands and constraints
//!
//! An operand is a value, read (use) or written (def), early or late, with a
//! [`Constraint`]:
//!
//! * `Any`, `Reg` and `Stack` are *range* constraints: the operand's
//!   location is the location of the range holding its point, and the range
//!   must be in a register (`Reg`) or a slot (`Stack`). These requirements
//!   drive allocation and splitting.
//! * `Fixed(r)` is satisfied *at the operand*, not by the range: a fixed use
//!   is a copy into `r` in the gap before the instruction, a fixed def is a
//!   copy out of `r` in the gap after it. For the range, `r` is only a hint
//!   (when the range ends up in `r`, the copy vanishes). The register itself
//!   is a *fixed reservation* over the operand's points, which names its
//!   owner value: a range of the owner does not conflict with it, so a
//!   value already in `rcx` may stay there across an instruction that reads
//!   it in `rcx`, while any other value is kept out. A fixed use therefore
//!   only needs its value to reach the gap, not to be in any particular
//!   place there — which is what makes calls cheap: arguments are copied
//!   from wherever they live, and the values living on stay in callee-saved
//!   registers.
//! * `Reuse(k)` (two-address instructions) makes a def share the register
//!   of early use `k`. The def's range starts at the early point, in a
//!   register; the input is copied into that register in the gap. When the
//!   input dies at the instruction, the two values are merged into one
//!   bundle and the copy disappears.
//! * Clobbers are reservations without an owner at the late point: no value
//!   can be in a clobbered register across the instruction.
//!
//! Because fixed registers are handled at operands, a value never needs two
//! registers at once and the allocator never has to split around
//! conflicting fixed constraints: one value passed in `rdi` and `rsi` to
//! the same call is simply copied twice.
//!
//! # Phases
//!
//! 1. **Control flow** (`cfg`): validate the CFG (layout, terminators, edge
//!    lists, critical edges, reachability), decide where each edge's moves
//!    go, and approximate loop depth from back edges in the layout.
//! 2. **Liveness** (`liveness`): validate operands; record uses, fixed
//!    reservations and clobbers; compute live ranges by SSA path walking.
//! 3. **Bundles** (`bundles`): one per value, merged across block
//!    parameters and reuse operands.
//! 4. **Allocation** (`process`, `split`): the backtracking main loop.
//! 5. **Leftovers and slots** (`spill`): bundles needing no register, then
//!    spill slots.
//! 6. **Moves** (`moves`, `parallel_move`): operand locations and the moves
//!    that connect everything.
//! 7. **Cleanup** (`redundant`): remove moves whose destination already
//!    holds the value.
//!
//! ## Liveness
//!
//! SSA makes liveness a graph search: a value is live exactly on the paths
//! from its definition to its uses. For each value, a walk backwards from
//! the blocks of its uses (and of the branches passing it as an argument)
//! marks the blocks it is live into, and their predecessors as live out of,
//! stopping at the defining block. Each block where the value lives is
//! visited once, so the whole analysis is linear in the size of its result,
//! with no iterative dataflow and no per-block sets. A walk reaching the
//! entry block is a use not dominated by its definition, reported as an
//! error. Ranges are then cut per block (from the block start or the
//! definition, to the block end or the last use) and joined across
//! consecutive blocks.
//!
//! Use records are bucketed by value with a stable counting sort; a range
//! refers to the uses it contains as a sub-slice, so splitting a range
//! splits a slice and never copies uses.
//!
//! ## Bundles and merging
//!
//! Each value starts as a bundle of its ranges (a linked list through the
//! range array, so merging and splitting allocate nothing). A block
//! parameter is merged with each argument passed to it, and a reuse def
//! with its input, whenever their ranges do not overlap and their needs
//! agree (a register-only value never joins a slot-only one): they then
//! share a location and the copy between them disappears. The overlap test
//! compares extents first (deciding the common case at once) and otherwise
//! walks both lists, giving up after a fixed number of steps, so merging
//! is linear. A reuse input that also occupies the reuse instruction's
//! early point (a block parameter used by its block's first instruction,
//! or a value used by a second operand) would overlap the def there; since
//! the shared register is reserved by the input at that point, the def's
//! range then starts at the late point instead, and the merge goes ahead.
//!
//! ## The main loop
//!
//! Bundles are taken from a priority queue, largest first (largest bundles
//! are hardest to place; small ones fill the gaps). A bundle's
//! *requirement* follows from its uses: a register, a slot, both (it is
//! split between the first two uses that disagree), or neither (it is set
//! aside until the end, see below). A bundle that needs a register tries
//! the registers of its class: first its hints (a register a split part was
//! cut to fit, a fixed register of one of its operands, the register last
//! given to its spill set), then the machine's preferred registers, then
//! the non-preferred ones. Probing a register checks the bundle's ranges
//! against the register's fixed reservations and clobbers (sorted arrays
//! searched by bisection) and against the ranges of bundles already there
//! (an ordered map), collecting the conflicting bundles. The first free
//! register wins.
//!
//! When none is free, the cheapest register to take is the one whose
//! conflicting bundles have the lowest maximum *spill weight*, if every one
//! of them is lighter than the bundle being placed and none is a fixed
//! reservation: those bundles are evicted (unassigned and queued again) and
//! the bundle takes the register. A bundle's spill weight is the sum of its
//! uses' weights divided by its length in instructions; a use weighs more if
//! it needs a register, and four times more per enclosing loop (capped at
//! depth seven), so values used in hot loops keep their registers and
//! values merely passing through loops give them up.
//!
//! Otherwise the bundle is **split** at the first conflict of the register
//! whose conflict comes latest, so the first part fits in it: the split
//! point is the gap at or before the conflict, hoisted to the header of a
//! deeper loop when the conflict lies inside one (one move outside the loop
//! beats one inside; the search for the header is bounded). Around the
//! split, the stretch from the part-before's last use to the part-after's
//! first use needs no register and goes to the spill set's *spill bundle*;
//! the two parts are queued again (the first with its register as hint).
//! If the conflict is at the very start, the first use is peeled off
//! instead, so every split strictly shrinks what is queued.
//!
//! Each spill set may be split a bounded number of times (`SPLIT_CAP`; one
//! split, then minimal bundles, is what inserted the fewest moves across
//! the benchmark suite). After that, the bundle is broken at once into
//! *minimal bundles* — for every instruction with a register use, the
//! bundle's ranges within that instruction — plus its spill bundle for
//! everything else. Minimal bundles outweigh all others (one covering both
//! points of its instruction outweighs one covering a single point, so
//! interval conflicts within an instruction resolve) and are never split.
//! If a minimal bundle finds every register held by fixed reservations or
//! other minimal bundles, more values need registers at that instruction
//! than exist: [`Error::TooManyLiveRegs`].
//!
//! The cap is what bounds the work per value. Without it, a value used by
//! many instructions that all conflict (the classic case: one value passed
//! as an argument to N consecutive calls that clobber every caller-saved
//! register) is split once per use, each split walking the rest of the
//! value: quadratic. Here such a value is split a bounded number of times
//! and then carved in one linear pass. In that particular case, in fact,
//! the value never needs splitting: its uses are fixed uses, which ask
//! nothing of its range, so it simply sits in a callee-saved register and
//! each call gets one copy.
//!
//! ## Leftovers and spill slots
//!
//! Bundles with no register requirement — values whose operands all accept
//! any location, and the spill bundles — wait until the queue is empty.
//! Then each, heaviest first, takes a register if one is free over its
//! whole extent (no eviction), else its spill set's slot. Slots are
//! assigned per spill set from the union of its spilled ranges; an existing
//! slot of the same class whose occupied ranges do not overlap is reused
//! (a bounded round-robin probe), so values with disjoint lifetimes share
//! slots. A slot only ever holds one class, so the client can size slots
//! per class ([`Output::spill_slot_class`]).
//!
//! ## Moves
//!
//! Every value is now a sorted list of *pieces*, each a range with the
//! allocation of its bundle. Moves are needed between consecutive pieces
//! within a block; along control-flow edges, from where the predecessor
//! left a value (or a branch argument) to where the successor expects it
//! (or the block parameter); into fixed-use registers and reuse-def
//! registers; and out of fixed-def registers into the value's first piece.
//!
//! An edge's moves go at the start of the successor if it has a single
//! predecessor, and otherwise before the predecessor's terminator (the
//! predecessor then has a single successor, critical edges being split;
//! that terminator must have no operands and no clobbers, which is checked
//! up front). Every move of a value in a gap reads the same source: the
//! location the value occupies on *entering* the gap. Inside a block, that
//! is the piece covering the previous late point, or the register of a
//! fixed def made by the previous instruction; at the start of a block with
//! a single predecessor, it is where that predecessor left the value (a
//! parameter standing for its argument). A gap before a terminator that
//! carries edge moves only matters for those moves, so piece changes there
//! are not materialized. With single sources and destinations made
//! distinct by the allocation itself, each gap is a well-formed parallel
//! move.
//!
//! The parallel-move resolver (`parallel_move`) orders moves so that none
//! overwrites a location another still needs, breaking cycles through a
//! temporary. Memory-to-memory moves are never emitted: they go through the
//! class's scratch register if the machine has one, else through a
//! register that is free at that point, else through a borrowed register
//! saved to (and restored from) an extra spill slot around the moves; a
//! cycle temporary is the scratch register, or an extra spill slot when the
//! scratch register is busy or absent.
//!
//! Finally, a forward pass per block numbers the value in each location
//! (moves copy numbers, defs and clobbers create new ones) and drops every
//! move whose destination already holds its source's value — typically a
//! reload into the register the value was spilled from. The numbering
//! continues across fall-through edges into blocks with a single
//! predecessor.
//!
//! # Cost
//!
//! Every phase is linear or near-linear in the size of the function plus
//! the size of its liveness: liveness visits each (value, block) pair once;
//! merging is bounded per merge; each bundle is split a bounded number of
//! times before being carved in one pass; conflict queries are logarithmic
//! (fixed reservations and clobbers in sorted arrays, allocated ranges in
//! ordered maps); clobbers are stored per distinct register set, one entry
//! per clobbering instruction, with the rare sets flattened into
//! per-register arrays so that a query needs at most a handful of
//! bisections; slot assignment probes a bounded number of slots; moves are
//! generated per piece and resolved per gap. All working memory lives in
//! the [`Allocator`] and is reused from one function to the next.
//!
//! `cargo run --release -p tern-regalloc --example pathological -- N`
//! measures the classic quadratic case; `cargo bench -p tern-regalloc
//! --bench vs_regalloc2` compares time, moves and spill slots with
//! regalloc2 on the same generated functions.
//!
//! # Verification
//!
//! The symbolic checker ([`checker`]) interprets the allocated program
//! over sets of values per location, with intersection at control-flow
//! joins, and verifies that every operand reads its own value and that
//! every constraint holds; it knows nothing of the allocator's internals.
//! Tests allocate and check thousands of random functions from
//! [`testing::generate`] (loops, critical edges split, block parameters,
//! fixed registers, reuse, clobbers, calls, high pressure), unit-test the
//! parallel-move resolver against a sequential interpretation, check
//! hand-written cases for the expected moves, and feed mutated functions
//! to make sure invalid input yields an [`Error`], never a panic.
//!
//! # Limits
//!
//! * A value used in a register by an instruction and live after it keeps
//!   that register through the instruction, so the instruction's clobbered
//!   and fixed registers plus such values must fit in the class (as with
//!   regalloc2).
//! * Loop depth is approximated from back edges in the block layout, which
//!   is exact for the usual reverse-postorder layouts with contiguous loop
//!   bodies.
//! * Bundles that need no register take a free register only if one is
//!   free over their whole extent; they are not split further.

mod allocator;
mod bundles;
mod cfg;
pub mod checker;
mod env;
mod error;
mod function;
mod ir;
mod liveness;
mod moves;
mod operand;
mod output;
mod parallel_move;
mod process;
mod rangemap;
mod redundant;
mod reg;
mod regmap;
mod spill;
mod split;
pub mod testing;

pub use allocator::{Allocator, allocate};
pub use env::{ClassEnv, MachineEnv};
pub use error::Error;
pub use function::Function;
pub use operand::{Constraint, Operand, OperandKind, OperandPos};
pub use output::{Move, Output, Stats};
pub use reg::{
    Allocation, Block, Inst, InstRange, NUM_CLASSES, PReg, PRegSet, PRegSetIter, RegClass,
    SpillSlot, VReg,
};
