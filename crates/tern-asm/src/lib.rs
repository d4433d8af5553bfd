//! Tern's x86-64 assembler, shared by the baseline and optimizing compilers.
//!
//! # What is here
//!
//! - Registers ([`Reg`], [`PReg`], [`VReg`], [`PRegSet`], the [`regs`]
//!   constants) and operands ([`Size`], [`Cond`], [`Amode`], [`RegMem`],
//!   [`RegMemImm`], [`RegImm`], [`ExtMode`], [`ShiftAmount`]).
//! - [`Inst`]: the instructions both compilers need, with typed operands.
//!   `Inst::operands` reports each register as use / def / use-def (and the
//!   hardware's implicit fixed registers and a call's clobbers) through an
//!   [`OperandVisitor`] that may rewrite it, which is how the register
//!   allocator reads and assigns registers. `Inst::emit` encodes.
//! - [`CodeBuffer`]: bytes, labels, fixups, relocations ([`Reloc`]), trap
//!   sites ([`TrapSite`], [`TrapCode`]), a constant pool, jump-table entries,
//!   and the branch peepholes. [`CodeBuffer::finish`] lays out the constant
//!   pool and patches every label use.
//! - [`Assembler`]: one method per instruction (`asm.add(Size::S32, dst,
//!   src)`), each building an `Inst` and emitting it at once, for the
//!   single-pass compiler.
//! - [`disassemble`]: Intel-syntax listings through iced-x86.
//!
//! # One encoder
//!
//! There is exactly one encoding of each instruction: one function per
//! instruction form in `forms.rs`. `Inst::emit` matches on the instruction
//! and calls its form's function; each `Assembler` method calls the same
//! function directly: building an `Inst`, matching on it out of line and
//! then dispatching again on size and shape was about a third of the cost
//! (150 → 99 instructions per encoded instruction with the per-form
//! functions). So what the baseline compiler emits is exactly what
//! the encoding tests check (`tests/assembler_matches_inst.rs` checks that
//! each method and its `Inst` agree byte for byte), and the optimizing
//! compiler (which builds `Inst`s, allocates registers, then emits) shares
//! every byte of it.
//!
//! Encoding is table-like. An instruction with a ModRM byte is described by
//! an `Encoding` (legacy prefixes in order — operand-size `66` first, then
//! an SSE mandatory `66`/`f2`/`f3` —, REX.W, 1–3 opcode bytes, and whether
//! byte registers are involved), a `reg` field (a register or an opcode
//! extension `/digit`) and an `r/m` operand; `encode::emit_rm` does the
//! rest for all of them:
//!
//! - REX is emitted when any of W/R/X/B is set, or when an 8-bit operand
//!   uses encodings 4–7, which mean `spl`/`bpl`/`sil`/`dil` only with a REX
//!   prefix (without, they are `ah`/`ch`/`dh`/`bh`, which Tern never uses).
//! - Memory operands: `rsp`/`r12` as base need a SIB byte; `rbp`/`r13` as
//!   base cannot use the no-displacement form (that encoding means RIP- or
//!   disp32-only), so they get a zero disp8; displacements use disp8 when
//!   they fit in `i8`, else disp32; `rsp` can never be an index (its SIB
//!   code means "none": [`Amode::base_index`] rejects it, the encoder
//!   asserts it). RIP-relative operands record a fixup whose addend
//!   accounts for immediates that follow the displacement, because the CPU
//!   adds the displacement to the address of the *next* instruction.
//! - Immediates use the shortest form: the sign-extended imm8 form of the
//!   ALU group and `imul`, the ModRM-less accumulator forms (`add eax,
//!   imm32`, `test al, imm8`), `d1`/`d0` for shifts by one, and for a 64-bit
//!   `mov r, imm`: `mov r32, imm32` when the value fits 32 unsigned bits
//!   (it zero-extends), `mov r/m64, simm32` when it fits 32 signed bits,
//!   otherwise `movabs`.
//!
//! How the encoder is made fast (one capacity check per instruction,
//! writes through a cursor into reserved spare capacity, branch-free
//! "write whole, advance partly" for optional pieces, fast paths for the
//! register and `[base + disp]` shapes) is explained in `encode.rs`.
//!
//! Virtual registers reaching the encoder, and registers of the wrong
//! class, are compiler bugs caught by `debug_assert!`. Instruction forms
//! x86 does not have (an 8-bit `imul`, `lea` or `cmov`) panic when emitted.
//!
//! # Labels
//!
//! A [`Label`] names a code position; it may be used before or after it is
//! bound. Every use records a fixup (PC-relative 32-bit field, or a
//! jump-table entry relative to the table's own label), patched in one pass
//! at `finish`, except backward branches: their target is known, so they
//! are encoded directly, as `rel8` when the distance fits, `rel32`
//! otherwise. Forward branches are always `rel32` (no relaxation: its cost
//! in compile time buys little). A label never bound but used makes
//! `finish` return [`UnboundLabel`]; binding a label twice panics.
//!
//! Label positions live in a union-find forest (`labels.rs`): labels that
//! must resolve to the same place form one set whose root holds the
//! offset. This is what makes the peepholes cheap: moving "all labels bound
//! at the tail" is one root update, not a walk over the labels.
//!
//! # Branch peepholes
//!
//! Code generators emit naive control flow (a jump at the end of every
//! block, `jcc else; jmp then`), and single-pass compilers cannot look
//! ahead; so the buffer cleans up branches as they are emitted, like
//! Cranelift's `MachBuffer`, with its own algorithm:
//!
//! - **Jump to next**: a `jmp`/`jcc` whose target is bound right after it is
//!   deleted.
//! - **Inversion**: `jcc over; jmp target; over:` becomes `j!cc target;
//!   over:` when nothing else jumps to the `jmp`.
//! - **Threading**: labels bound at a `jmp target` are merged into
//!   `target`'s set, so every earlier and later branch to them goes straight
//!   to `target` — a jump to a jump costs nothing at run time.
//! - **Unreachable branches**: a branch emitted right after a `jmp` with no
//!   label in between (all labels there having been threaded away, or none
//!   bound) cannot execute and is not emitted.
//!
//! Only branches at the very *tail* of the buffer can change: the buffer
//! keeps the *branch chain*, the run of branches that ends exactly at the
//! current offset (each with its start, end, target, condition, whether it
//! owns the last fixup, and a label bound at its start). Emitting anything
//! else makes the chain stale; it is checked lazily (`last.end == offset`)
//! so ordinary emission pays nothing. Recording a trap site or a relocation
//! clears the chain, because deleting code before them would move them.
//! When a label is bound, the buffer loops: if the last branch targets the
//! current offset, truncate it (its fixup is the last one, popped; the
//! labels bound after it join those bound before it, in one union); else if
//! the last two are `jcc` over an unlabelled `jmp` and the `jcc` targets the
//! current offset, delete the `jmp` and re-encode the `jcc` inverted with
//! the `jmp`'s target (which may now be a short backward branch); else
//! stop.
//!
//! *Why this is amortized O(1) per branch*: each branch enters the chain
//! once; every loop iteration but the last deletes at least one branch from
//! the chain (inversion deletes two and adds one), so the iterations over a
//! whole function are bounded by the number of branches plus the number of
//! labels. Truncation never walks the labels: a set's offset is stored at
//! its root. Union by rank with path halving makes each label lookup
//! amortized O(α(n)). No step walks the buffer. `BranchStats::work` counts
//! the loop iterations and lookup steps; the million-branch tests assert it
//! stays below a small multiple of the branch count on inputs that are
//! quadratic for naive implementations (a million labels piling up at the
//! tail, a million-long jump-threading chain).
//!
//! *Why it is correct*: a label's offset only changes while it is bound at
//! the tail (truncation moves tail labels back; threading applies to labels
//! at the tail, where the `jmp` is being emitted). A backward branch whose
//! displacement was computed at emission targets a label bound at or
//! before its own start, so that label cannot be at the tail unless it is
//! the branch's own start (`L: jmp L`), which threading refuses (it would
//! be a cycle) and which truncation only touches by deleting that very
//! branch. Forward uses are fixups, resolved at `finish` against final
//! offsets. A randomized differential test runs thousands of random branch
//! programs with and without peepholes on a small x86 interpreter and
//! compares their observable behaviour.
//!
//! # Patching a field later
//!
//! [`CodeBuffer::patch_u32`] (and [`Assembler::patch_u32`]) overwrite a
//! 32-bit field already emitted, for values known only at the end of a
//! function (frame size, stack-limit displacement). It is correct under the
//! peepholes because they only delete or rewrite the branches at the very
//! tail: a field followed by any non-branch instruction never moves. The
//! call checks that (and that the field is not a label or relocation
//! field, which `finish` or the loader would overwrite) and panics
//! otherwise.
//!
//! # Constant pool, traps, relocations, reuse
//!
//! [`CodeBuffer::constant`] interns read-only data (deduplicated by content
//! and alignment) and returns a label for RIP-relative operands; `finish`
//! appends the entries after the code, each aligned relative to the code
//! start, and reports the alignment the code's load address needs.
//! [`CodeBuffer::add_trap`] records the offset of the *next* instruction
//! (the faulting PC a signal handler sees), so trap sites are sorted by
//! construction. Direct calls record a [`Reloc`] for their `rel32` field;
//! [`Reloc::apply`] is the one place its arithmetic lives. `finish` returns
//! borrowed slices and [`CodeBuffer::clear`] / [`Assembler::clear`] keep
//! every allocation, so a buffer compiles function after function without
//! allocating once warmed up.
//!
//! # Testing
//!
//! `tests/encode_*.rs` emit every instruction form over all registers, all
//! sizes and representative addresses (every base with displacements 0,
//! ±1, ±127, ±128, ±129 and 32-bit ones; every base/index pair) and decode
//! each with iced-x86, comparing mnemonic, every operand and the length.
//! `tests/branches.rs` checks the peepholes byte for byte, differentially,
//! and at a million branches; `tests/operands.rs` the allocator interface.
//! `benches/emit.rs` measures emission throughput (criterion) and, with
//! `TERN_ASM_EMIT_ITERS`, exact instruction counts under callgrind.
//!
//! # Encoding speed (measured)
//!
//! On `benches/emit.rs` (a function of 25,001 instructions shaped like
//! baseline output, emitted and finished per iteration), callgrind counts
//! per encoded instruction, everything included (the caller building
//! operands, labels, branch peepholes, `finish`):
//!
//! | version                                                   | Ir / inst |
//! |-----------------------------------------------------------|-----------|
//! | `Vec::push` per byte, every call through `Inst`           | 168.9     |
//! | reserved-capacity `Sink`, per-form functions, fast shapes | 98.3      |
//! | (same, re-measured with the warm-up call counted: 21 runs)| 98.7      |
//! | spare capacity kept at all times, grown and label fixups  |           |
//! | recorded in a cold tail call: no call in encoders' bodies | 95.2      |
//! | branch fast path (no peephole applies), one-node binds    | 92.2      |
//! | leaf fast paths: branch/bind to a root label, records     |           |
//! | pushed right after their room check (grow call folded)   | 88.4      |
//! | one encoder body per operand size / extension mode        | 79.3      |
//! | bind fast path also after a branch no peephole can rewrite| 77.8      |
//! | branch fast path copied into `jmp` and `jcc` (cond folded)| 76.0      |
//!
//! Operand size specialization (`specialize!` in `forms.rs`): each sized
//! encoder matches on the size once and holds one copy of its body per
//! size, so the `66` prefix, REX.W, the 8-bit opcode and the
//! byte-register rule are constants in each copy instead of values kept
//! live in registers. That both removes their computation and lowers the
//! register pressure that cost callee-saved saves: `mov r, r/m` went from
//! ~89 to ~71 per call, the ALU register forms from ~72 to ~59, `movzx`
//! from ~84 to ~68, `lea` from ~77 to ~62. The price is code size: those
//! functions are 2–3 KiB each now (`mov` 2.0, `alu` 3.1, `movzx` 2.6).
//!
//! Where the remaining ~76 go (per block of 25 instructions, ~1,900 in
//! all): the encoders ~45–78 each, still with some callee-saved pushes
//! where the `r/m` operand's shapes (register, `[base + disp]`, SIB, RIP)
//! meet in one function. A forward `jcc` costs ~71 and a `jmp` ~75 (were
//! ~115 and ~123): both are leaf functions when the target is the root of
//! its label set and no peephole applies. A label bind costs ~39 on
//! average (was ~65), on a leaf fast path when no label is bound here yet
//! and either no branch ends here or the one that does cannot be
//! rewritten (it targets elsewhere, and inversion needs two branches):
//! the label after a block's closing `jmp`. Only binds where a peephole
//! may fire take the out-of-line loop. The benchmark's own loop (building
//! operands, `new_label`) is ~10 per instruction and `finish` ~3.
//! Next steps: a shorter branch fast path (its checks and `branch_bytes`
//! are ~35 of the ~71); fewer `r/m` shapes meeting in one encoder body.
//!
//! Tried and measured worse: staging bytes in a `[u8; 16]` (store
//! forwarding); inlining the forms into the callers with a handful of
//! shared out-of-line "shape" encoders taking a packed run-time encoding
//! (111 Ir: decoding the packed encoding at run time costs more than the
//! per-form functions' constant-folded code saves); growing at the end of
//! the instruction while still checking capacity at the start (101.9:
//! the check at the start keeps the capacity live in a register through
//! the whole encoder); passing a RIP operand's label field to the cold
//! path as an `Option` (105.6: LLVM spilled it to the stack on every
//! path); moving the SIB and RIP-relative shapes of `emit_rm` into one
//! cold out-of-line function (91.8 from 88.4: the `Sink` then lives in
//! memory, since its address escapes, and the callee-saved saves stayed;
//! the benchmark's indexed load also pays the call); looking up the
//! size-dependent prefix/REX.W/byte-register bits of `Encoding::sized` in
//! a 4-entry table instead of comparisons (89.3 from 88.4: LLVM already
//! turns the comparisons into `sete`/`cmov`, and the table adds loads).
//! Specializing the SSE forms on the float size too measured 75.9 from
//! 76.0: their one size-dependent byte is a cheap select, not worth
//! doubling their code.

mod assembler;
mod buffer;
mod constants;
mod disasm;
mod encode;
mod forms;
mod inst;
mod labels;
mod operand;
mod reg;
mod reloc;
mod trap;

pub use assembler::Assembler;
pub use buffer::{BranchStats, CodeBuffer, FinishedCode, Label, UnboundLabel};
pub use disasm::disassemble;
pub use forms::fill_with_nops;
pub use inst::{
    AluOp, BitOp, CallRegs, FloatCmp, Inst, MulDivOp, OperandKind, OperandVisitor, RoundMode,
    ShiftOp, SseOp, UnaryOp,
};
pub use operand::{
    Amode, Cond, ExtMode, FloatSize, RegImm, RegMem, RegMemImm, Scale, ShiftAmount, Size,
};
pub use reg::{PReg, PRegSet, PRegSetIter, Reg, RegClass, VReg, regs};
pub use reloc::{Reloc, RelocOutOfRange, RelocTarget};
pub use trap::{TrapCode, TrapSite};
