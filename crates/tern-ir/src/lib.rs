//! Tern's SSA intermediate representation.
//!
//! The optimizing tier translates Wasm into this IR, optimizes it (peephole
//! rules from `tern-peephole`, GVN, DCE, LICM) and lowers it to machine
//! instructions. The IR knows nothing about Wasm or x86: it is a small,
//! exactly specified language of typed values, close enough to Cranelift's
//! CLIF that its opcode names, text format and peephole rules read the same.
//!
//! # Shape
//! A [`Function`] is a [`DataFlowGraph`] (what is computed) plus a
//! [`Layout`] (in what order). The DFG holds [`InstructionData`] for each
//! instruction, the typed [`Value`]s they define, and the [`Block`]s with
//! their parameters. Control flow merges values through block parameters
//! rather than phi nodes: a branch passes arguments to its destination's
//! parameters (`brif v0, block1(v1), block2(v2)`). This is the SSA form of
//! Cranelift and MLIR; it makes every value definition an ordinary
//! definition and every branch an ordinary use, which keeps the verifier,
//! the interpreter and the register allocator's input simple.
//!
//! Side-effecting instructions (loads, stores, calls, traps, trapping
//! arithmetic) keep their order in the layout; pure ones may move anywhere
//! their operands dominate. [`Opcode`] says which is which.
//!
//! # Modules, one idea each
//! * [`types`]: the seven value types.
//! * [`opcode`]: opcodes, their CLIF names, formats and effects.
//! * [`condcodes`]: `icmp`/`fcmp` condition codes, with inverse and swap.
//! * [`immediates`]: trap codes and memory flags.
//! * [`entities`]: the `u32` handles `Value`, `Inst`, `Block`, ….
//! * [`instructions`]: `InstructionData`, the contents of one instruction.
//! * [`signature`]: signatures and external function declarations.
//! * [`dfg`]: the data-flow graph, use lists and in-place rewriting.
//! * [`layout`]: block and instruction order.
//! * [`function`]: a function ties the above together.
//! * [`builder`]: one method per opcode for writing IR.
//! * [`typing`]: the type rules of every opcode (shared by verifier and
//!   evaluator).
//! * [`mod@cfg`] / [`dominance`]: control-flow graph and dominator tree.
//! * [`verify`]: the verifier (structure, types, SSA dominance).
//! * [`mod@write`] / [`parse`]: the text format, exact in both directions.
//! * [`float_text`]: exact text for float bits.
//! * [`eval`]: the exact semantics of every computing opcode.
//! * [`interp`]: whole-function execution with memory, calls and traps.
//! * [`filetest`]: the `.ir` file-test runner.
//!
//! # Decisions worth knowing
//! * **One struct per instruction.** [`InstructionData`] is a plain struct
//!   (opcode, controlling type, immediate, operands, destinations) rather
//!   than Cranelift's enum of formats, so a pattern matcher tests every
//!   instruction the same way. Opcodes without a meaningful type (`jump`,
//!   `return`, `trap`, calls) carry [`InstructionData::UNTYPED`].
//! * **Constants are raw bits.** `iconst` immediates and evaluator values
//!   are `u128`s masked to the type's width; signedness belongs to
//!   operations. i128 constants are therefore first-class.
//! * **Eager replacement with cheap use lists.** The DFG keeps per-value
//!   user lists, cleaned lazily with per-instruction generations, so
//!   "who uses v?" and "replace v by w" cost O(users) and no pass has to
//!   resolve aliases (see [`dfg`]).
//! * **Deterministic semantics.** Where hardware or Wasm leave a choice the
//!   evaluator fixes one (canonical NaN from arithmetic, shift amounts
//!   modulo the width, `srem` of MIN by -1 is 0, effective addresses wrap
//!   modulo 2^64), so peephole rules can be checked for bit equality (see
//!   [`eval`] and [`interp`]).
//! * **Exact text.** Printing then parsing reproduces a function exactly,
//!   value numbers, NaN payloads and ill-typed instructions included;
//!   property tests check it on random functions.
//!
//! # For the peephole optimizer
//! A rewrite pass reads an instruction with [`DataFlowGraph::inst`], finds
//! operand definitions with [`DataFlowGraph::value_def`], and rewrites with
//! [`DataFlowGraph::replace_inst_with`] (same results, new contents) or
//! [`DataFlowGraph::replace_all_uses`] plus [`Function::remove_inst`]; new
//! instructions (constants) go in with a [`FunctionBuilder`] positioned
//! before the rewritten instruction. [`DataFlowGraph::users`] gives the
//! instructions to revisit. Rule soundness is checked against
//! [`eval::eval_pure`].

pub mod builder;
pub mod cfg;
pub mod condcodes;
pub mod dfg;
pub mod dominance;
pub mod entities;
pub mod eval;
pub mod filetest;
pub mod float_text;
pub mod function;
pub mod immediates;
pub mod instructions;
pub mod interp;
pub mod layout;
pub mod opcode;
pub mod parse;
pub mod signature;
pub mod types;
pub mod typing;
pub mod verify;
pub mod write;

pub use builder::{FunctionBuilder, Position};
pub use condcodes::{FloatCC, IntCC};
pub use dfg::{DataFlowGraph, ResultMismatch, ValueDef};
pub use entities::{Block, EntityRef, FuncRef, Inst, SigRef, Value};
pub use eval::{DataValue, EvalError};
pub use function::Function;
pub use immediates::{MemFlags, TrapCode};
pub use instructions::{BlockCall, Imm, InstructionData, ValueList};
pub use layout::Layout;
pub use opcode::{InstFormat, Opcode, ResultKind};
pub use parse::{ParseError, parse_function, parse_functions};
pub use signature::{ExtFuncData, Signature};
pub use types::Type;
