//! The data-flow graph: instructions, values, blocks and their parameters,
//! and who uses what.
//!
//! The DFG owns the *contents* of a function; the [`Layout`](crate::Layout)
//! owns the *order*. An instruction exists in the DFG from the moment it is
//! made, whether or not it is placed in a block.
//!
//! # Values
//! A value is defined exactly once, either as the `n`th result of an
//! instruction or as the `n`th parameter of a block ([`ValueDef`]). Its type
//! is fixed at creation.
//!
//! # Use lists
//! A rewriting pass constantly asks "who uses this value?" (to revisit the
//! users after a rewrite, to check that a value has a single use before
//! folding it into its user). The DFG therefore keeps, for each value, the
//! list of instructions that read it, counting branch arguments as reads by
//! the branch. Keeping such lists exact is costly when instructions are
//! rewritten often: removing an instruction from a popular value's list
//! (a constant with thousands of users) is linear in the list. Instead the
//! lists are *lazily cleaned*:
//!
//! * every instruction has a generation number, bumped whenever its operands
//!   are replaced wholesale ([`DataFlowGraph::replace_inst_with`]) or it is
//!   detached;
//! * a use-list entry is `(inst, generation)`, and is live only while the
//!   instruction still has that generation;
//! * each value also keeps an exact count of live entries, and a list is
//!   compacted when it holds more than twice that many entries (plus a small
//!   slack), so stale entries cost amortized O(1) each.
//!
//! An instruction that reads a value several times appears once in that
//! value's list: use lists are sets of *users*, and
//! [`DataFlowGraph::use_count`] counts users, not operand slots.
//!
//! # Rewriting
//! Two primitives cover what a peephole or GVN pass needs:
//!
//! * [`DataFlowGraph::replace_inst_with`] swaps an instruction's contents in
//!   place while keeping its result values (so their users need no change);
//!   the new contents must produce results of the same types.
//! * [`DataFlowGraph::replace_all_uses`] redirects every reader of one value
//!   to another, eagerly, in O(users of the old value). Tern does not use
//!   Cranelift-style value aliases: eager replacement keeps every reader of
//!   the DFG (printer, verifier, evaluator, matcher) free of alias
//!   resolution, and the use lists make it cheap.

use std::fmt;

use smallvec::SmallVec;

use crate::entities::{Block, EntityRef, FuncRef, Inst, SigRef, Value};
use crate::instructions::{Imm, InstructionData};
use crate::opcode::ResultKind;
use crate::signature::{ExtFuncData, Signature};
use crate::types::Type;

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueDef {
    /// The `n`th result of an instruction.
    Result(Inst, usize),
    /// The `n`th parameter of a block.
    Param(Block, usize),
    /// A value number that was reserved but never defined. Only the parser
    /// creates these, to keep the numbering of text with gaps; no valid
    /// function uses one.
    Reserved,
}

#[derive(Clone, Debug)]
struct ValueData {
    ty: Type,
    def: ValueDef,
    /// Use-list entries: `(user, user's generation when added)`.
    users: Vec<(Inst, u32)>,
    /// Number of live entries in `users`.
    live_users: u32,
}

#[derive(Clone, Debug)]
struct InstNode {
    data: InstructionData,
    results: SmallVec<[Value; 1]>,
    generation: u32,
}

#[derive(Clone, Debug, Default)]
struct BlockData {
    params: Vec<Value>,
}

/// Why [`DataFlowGraph::replace_inst_with`] refused a replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultMismatch {
    /// The instruction being replaced.
    pub inst: Inst,
    /// Its result types.
    pub old: Vec<Type>,
    /// The result types the replacement would have.
    pub new: Vec<Type>,
}

impl fmt::Display for ResultMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot replace {}: it has results {:?} but the replacement has {:?}",
            self.inst, self.old, self.new
        )
    }
}

impl std::error::Error for ResultMismatch {}

/// Instructions, values, blocks, signatures and use lists of one function.
#[derive(Clone, Debug, Default)]
pub struct DataFlowGraph {
    insts: Vec<InstNode>,
    values: Vec<ValueData>,
    blocks: Vec<BlockData>,
    signatures: Vec<Signature>,
    ext_funcs: Vec<ExtFuncData>,
}

impl DataFlowGraph {
    /// An empty graph.
    pub fn new() -> DataFlowGraph {
        DataFlowGraph::default()
    }

    /// Number of instructions ever made (placed or not).
    pub fn num_insts(&self) -> usize {
        self.insts.len()
    }

    /// Number of values ever made. Value numbers are below this.
    pub fn num_values(&self) -> usize {
        self.values.len()
    }

    /// Number of blocks ever made.
    pub fn num_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Is `v` a value of this graph?
    pub fn value_is_valid(&self, v: Value) -> bool {
        self.values
            .get(v.index())
            .is_some_and(|d| d.def != ValueDef::Reserved)
    }

    /// Is `block` a block of this graph?
    pub fn block_is_valid(&self, block: Block) -> bool {
        block.index() < self.blocks.len()
    }

    // ----- signatures and external functions -----

    /// Declares a signature for `call_indirect` and external functions.
    pub fn import_signature(&mut self, sig: Signature) -> SigRef {
        self.signatures.push(sig);
        SigRef::new(self.signatures.len() - 1)
    }

    /// A declared signature.
    pub fn signature(&self, sig: SigRef) -> &Signature {
        &self.signatures[sig.index()]
    }

    /// All declared signatures, indexed by `SigRef`.
    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// Declares an external function for `call`.
    pub fn import_function(&mut self, func: ExtFuncData) -> FuncRef {
        self.ext_funcs.push(func);
        FuncRef::new(self.ext_funcs.len() - 1)
    }

    /// A declared external function.
    pub fn ext_func(&self, func: FuncRef) -> &ExtFuncData {
        &self.ext_funcs[func.index()]
    }

    /// All declared external functions, indexed by `FuncRef`.
    pub fn ext_funcs(&self) -> &[ExtFuncData] {
        &self.ext_funcs
    }

    /// The signature a `call` or `call_indirect` instruction's data uses.
    pub fn call_signature(&self, data: &InstructionData) -> Option<&Signature> {
        match data.imm {
            Imm::Func(func) => self
                .ext_funcs
                .get(func.index())
                .and_then(|f| self.signatures.get(f.signature.index())),
            Imm::Sig(sig) => self.signatures.get(sig.index()),
            _ => None,
        }
    }

    // ----- values -----

    /// The type of a value.
    pub fn value_type(&self, v: Value) -> Type {
        self.values[v.index()].ty
    }

    /// Where a value is defined.
    pub fn value_def(&self, v: Value) -> ValueDef {
        self.values[v.index()].def
    }

    /// The instruction defining `v`, if it is an instruction result.
    pub fn value_inst(&self, v: Value) -> Option<Inst> {
        match self.value_def(v) {
            ValueDef::Result(inst, _) => Some(inst),
            _ => None,
        }
    }

    /// If `v` is the result of an `iconst`, its raw bits.
    pub fn iconst_value(&self, v: Value) -> Option<u128> {
        self.value_inst(v)
            .and_then(|i| self.insts[i.index()].data.iconst_bits())
    }

    fn push_value(&mut self, ty: Type, def: ValueDef) -> Value {
        self.values.push(ValueData {
            ty,
            def,
            users: Vec::new(),
            live_users: 0,
        });
        Value::new(self.values.len() - 1)
    }

    /// Makes sure value numbers below `n` exist, reserving new ones (for the
    /// parser, before it makes instructions whose operands are defined later
    /// in the text).
    pub(crate) fn reserve_values(&mut self, n: usize) {
        while self.values.len() < n {
            self.push_value(Type::I8, ValueDef::Reserved);
        }
    }

    /// Defines value number `v` (for the parser, which keeps the text's
    /// numbering), reserving any lower numbers not yet made.
    pub(crate) fn define_value_as(&mut self, v: Value, ty: Type, def: ValueDef) {
        self.reserve_values(v.index() + 1);
        let data = &mut self.values[v.index()];
        debug_assert_eq!(data.def, ValueDef::Reserved, "{v} defined twice");
        data.ty = ty;
        data.def = def;
    }

    // ----- blocks -----

    /// Makes a new block without parameters (not yet in the layout).
    pub fn make_block(&mut self) -> Block {
        self.blocks.push(BlockData::default());
        Block::new(self.blocks.len() - 1)
    }

    /// Makes blocks up to and including `block` (for the parser).
    pub(crate) fn ensure_block(&mut self, block: Block) {
        while self.blocks.len() <= block.index() {
            self.make_block();
        }
    }

    /// Appends a parameter of type `ty` to `block` and returns its value.
    pub fn append_block_param(&mut self, block: Block, ty: Type) -> Value {
        let n = self.blocks[block.index()].params.len();
        let v = self.push_value(ty, ValueDef::Param(block, n));
        self.blocks[block.index()].params.push(v);
        v
    }

    /// Appends parameter value number `v` to `block` (for the parser).
    pub(crate) fn append_block_param_as(&mut self, block: Block, ty: Type, v: Value) {
        let n = self.blocks[block.index()].params.len();
        self.define_value_as(v, ty, ValueDef::Param(block, n));
        self.blocks[block.index()].params.push(v);
    }

    /// The parameters of a block.
    pub fn block_params(&self, block: Block) -> &[Value] {
        &self.blocks[block.index()].params
    }

    // ----- instructions -----

    /// The result types `data` produces, or `None` if it refers to an
    /// undeclared signature or function.
    pub fn result_types(&self, data: &InstructionData) -> Option<SmallVec<[Type; 1]>> {
        Some(match data.opcode.result_kind() {
            ResultKind::None => SmallVec::new(),
            ResultKind::CtrlType => smallvec::smallvec![data.ty],
            ResultKind::Bool => smallvec::smallvec![Type::I8],
            ResultKind::Signature => SmallVec::from_slice(&self.call_signature(data)?.returns),
        })
    }

    /// Adds an instruction (not yet in the layout) and makes its result
    /// values.
    ///
    /// # Panics
    /// If `data` is a call to an undeclared function or signature.
    pub fn make_inst(&mut self, data: InstructionData) -> Inst {
        let types = self
            .result_types(&data)
            .expect("call to an undeclared function or signature");
        let inst = Inst::new(self.insts.len());
        let results = types
            .iter()
            .enumerate()
            .map(|(n, &ty)| self.push_value(ty, ValueDef::Result(inst, n)))
            .collect();
        self.push_inst(inst, data, results)
    }

    /// Adds an instruction whose results get the given value numbers (for
    /// the parser). The caller has checked the count against
    /// [`result_types`](DataFlowGraph::result_types).
    pub(crate) fn make_inst_with_results(
        &mut self,
        data: InstructionData,
        results: &[(Value, Type)],
    ) -> Inst {
        let inst = Inst::new(self.insts.len());
        for (n, &(v, ty)) in results.iter().enumerate() {
            self.define_value_as(v, ty, ValueDef::Result(inst, n));
        }
        self.push_inst(inst, data, results.iter().map(|&(v, _)| v).collect())
    }

    fn push_inst(
        &mut self,
        inst: Inst,
        data: InstructionData,
        results: SmallVec<[Value; 1]>,
    ) -> Inst {
        self.insts.push(InstNode {
            data,
            results,
            generation: 0,
        });
        self.add_uses(inst);
        inst
    }

    /// The contents of an instruction.
    pub fn inst(&self, inst: Inst) -> &InstructionData {
        &self.insts[inst.index()].data
    }

    /// The value operands of an instruction (not branch arguments).
    pub fn inst_args(&self, inst: Inst) -> &[Value] {
        &self.insts[inst.index()].data.args
    }

    /// The results of an instruction.
    pub fn inst_results(&self, inst: Inst) -> &[Value] {
        &self.insts[inst.index()].results
    }

    /// The first result of an instruction.
    ///
    /// # Panics
    /// If the instruction has no results.
    pub fn first_result(&self, inst: Inst) -> Value {
        self.insts[inst.index()].results[0]
    }

    // ----- use lists -----

    /// Records `inst` (at its current generation) as a user of each distinct
    /// value it reads.
    fn add_uses(&mut self, inst: Inst) {
        let node = &self.insts[inst.index()];
        let generation = node.generation;
        let mut seen: SmallVec<[Value; 8]> = SmallVec::new();
        for v in node.data.all_values() {
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        for v in seen {
            self.push_user(v, inst, generation);
        }
    }

    fn push_user(&mut self, v: Value, inst: Inst, generation: u32) {
        let Some(data) = self.values.get_mut(v.index()) else {
            // Operands naming values that do not exist are the verifier's to
            // report; they simply have no use list.
            return;
        };
        data.users.push((inst, generation));
        data.live_users += 1;
        if data.users.len() > 2 * data.live_users as usize + 8 {
            let insts = &self.insts;
            data.users
                .retain(|&(user, g)| insts.get(user.index()).is_some_and(|n| n.generation == g));
        }
    }

    /// Invalidates every use-list entry of `inst` and decrements the live
    /// counts of the values it read.
    fn retire_uses(&mut self, inst: Inst) {
        let node = &mut self.insts[inst.index()];
        node.generation = node.generation.wrapping_add(1);
        let mut seen: SmallVec<[Value; 8]> = SmallVec::new();
        for v in node.data.all_values() {
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        for v in seen {
            if let Some(data) = self.values.get_mut(v.index()) {
                data.live_users -= 1;
            }
        }
    }

    /// The instructions that read `v` (each once), in no particular order.
    pub fn users(&self, v: Value) -> impl Iterator<Item = Inst> + '_ {
        self.values[v.index()]
            .users
            .iter()
            .filter(|&&(inst, g)| self.insts[inst.index()].generation == g)
            .map(|&(inst, _)| inst)
    }

    /// The number of distinct instructions that read `v`.
    pub fn use_count(&self, v: Value) -> usize {
        self.values[v.index()].live_users as usize
    }

    /// Replaces the contents of `inst` with `data`, keeping its result
    /// values. The new contents must produce the same number and types of
    /// results.
    pub fn replace_inst_with(
        &mut self,
        inst: Inst,
        data: InstructionData,
    ) -> Result<(), ResultMismatch> {
        let new = self.result_types(&data);
        let results = &self.insts[inst.index()].results;
        let same = new.as_ref().is_some_and(|types| {
            types.len() == results.len()
                && types
                    .iter()
                    .zip(results)
                    .all(|(&ty, &v)| self.values[v.index()].ty == ty)
        });
        if !same {
            return Err(ResultMismatch {
                inst,
                old: results.iter().map(|&v| self.value_type(v)).collect(),
                new: new.map(|t| t.to_vec()).unwrap_or_default(),
            });
        }
        self.retire_uses(inst);
        self.insts[inst.index()].data = data;
        self.add_uses(inst);
        Ok(())
    }

    /// Removes every operand and destination of `inst`, so it no longer uses
    /// anything. Its results stay defined (as results of an instruction
    /// outside the layout); any remaining uses of them are the caller's to
    /// fix. [`Function::remove_inst`](crate::Function::remove_inst) calls
    /// this.
    pub fn detach_inst(&mut self, inst: Inst) {
        self.retire_uses(inst);
        let data = &mut self.insts[inst.index()].data;
        data.args.clear();
        data.dests.clear();
    }

    /// Makes every instruction that reads `old` read `new` instead, in
    /// O(users of `old`). `old` ends with no users. The types must agree;
    /// replacing a value by one computed from it (which would make a cycle)
    /// is the caller's mistake and the verifier's to catch.
    ///
    /// # Panics
    /// If the two values have different types.
    pub fn replace_all_uses(&mut self, old: Value, new: Value) {
        assert_eq!(
            self.value_type(old),
            self.value_type(new),
            "replace_all_uses({old}, {new}) with different types"
        );
        if old == new {
            return;
        }
        let entries = std::mem::take(&mut self.values[old.index()].users);
        self.values[old.index()].live_users = 0;
        for (inst, generation) in entries {
            let node = &mut self.insts[inst.index()];
            if node.generation != generation {
                continue;
            }
            let already_uses_new = node.data.all_values().any(|v| v == new);
            for slot in node.data.all_values_mut() {
                if *slot == old {
                    *slot = new;
                }
            }
            if !already_uses_new {
                self.push_user(new, inst, generation);
            }
        }
    }

    /// Checks the use lists against a recount from the instructions; for
    /// tests. `placed` says which instructions count (those in the layout
    /// and those not detached are the same thing for a well-formed
    /// function).
    #[cfg(test)]
    pub(crate) fn check_use_lists(&self) {
        let mut expected = vec![Vec::new(); self.values.len()];
        for (i, node) in self.insts.iter().enumerate() {
            for v in node.data.all_values() {
                let list: &mut Vec<Inst> = &mut expected[v.index()];
                if !list.contains(&Inst::new(i)) {
                    list.push(Inst::new(i));
                }
            }
        }
        for (i, mut want) in expected.into_iter().enumerate() {
            let v = Value::new(i);
            let mut got: Vec<Inst> = self.users(v).collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "users of {v}");
            assert_eq!(self.use_count(v), want.len(), "use count of {v}");
        }
    }
}

impl std::ops::Index<Inst> for DataFlowGraph {
    type Output = InstructionData;

    fn index(&self, inst: Inst) -> &InstructionData {
        self.inst(inst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instructions::{BlockCall, InstructionData};
    use crate::opcode::Opcode;

    fn params(dfg: &mut DataFlowGraph, n: usize) -> (Block, Vec<Value>) {
        let block = dfg.make_block();
        let vals = (0..n)
            .map(|_| dfg.append_block_param(block, Type::I32))
            .collect();
        (block, vals)
    }

    #[test]
    fn results_and_defs() {
        let mut dfg = DataFlowGraph::new();
        let (block, p) = params(&mut dfg, 2);
        let add = dfg.make_inst(InstructionData::binary(Opcode::Iadd, Type::I32, p[0], p[1]));
        let sum = dfg.first_result(add);
        assert_eq!(dfg.value_def(sum), ValueDef::Result(add, 0));
        assert_eq!(dfg.value_def(p[1]), ValueDef::Param(block, 1));
        assert_eq!(dfg.value_type(sum), Type::I32);
        let cmp = dfg.make_inst(InstructionData::icmp(
            crate::IntCC::Equal,
            Type::I32,
            sum,
            p[0],
        ));
        assert_eq!(dfg.value_type(dfg.first_result(cmp)), Type::I8);
        dfg.check_use_lists();
    }

    #[test]
    fn users_are_distinct_and_include_branch_arguments() {
        let mut dfg = DataFlowGraph::new();
        let (_, p) = params(&mut dfg, 1);
        let x = p[0];
        let sq = dfg.make_inst(InstructionData::binary(Opcode::Imul, Type::I32, x, x));
        let target = dfg.make_block();
        let jump = dfg.make_inst(
            InstructionData::new(Opcode::Jump, InstructionData::UNTYPED, Imm::None, &[])
                .with_dests(vec![BlockCall::new(target, &[x])]),
        );
        let mut users: Vec<_> = dfg.users(x).collect();
        users.sort();
        assert_eq!(users, [sq, jump]);
        assert_eq!(dfg.use_count(x), 2);
        dfg.check_use_lists();
    }

    #[test]
    fn replace_all_uses_moves_users() {
        let mut dfg = DataFlowGraph::new();
        let (_, p) = params(&mut dfg, 2);
        let (a, b) = (p[0], p[1]);
        let i1 = dfg.make_inst(InstructionData::binary(Opcode::Iadd, Type::I32, a, a));
        let i2 = dfg.make_inst(InstructionData::binary(Opcode::Isub, Type::I32, a, b));
        dfg.replace_all_uses(a, b);
        assert_eq!(dfg.inst_args(i1), [b, b]);
        assert_eq!(dfg.inst_args(i2), [b, b]);
        assert_eq!(dfg.use_count(a), 0);
        assert_eq!(dfg.use_count(b), 2);
        dfg.check_use_lists();
    }

    #[test]
    fn replace_inst_with_keeps_results_and_checks_types() {
        let mut dfg = DataFlowGraph::new();
        let (_, p) = params(&mut dfg, 2);
        let i = dfg.make_inst(InstructionData::binary(Opcode::Imul, Type::I32, p[0], p[1]));
        let r = dfg.first_result(i);
        dfg.replace_inst_with(
            i,
            InstructionData::binary(Opcode::Ishl, Type::I32, p[0], p[0]),
        )
        .unwrap();
        assert_eq!(dfg.first_result(i), r);
        assert_eq!(dfg.use_count(p[1]), 0);
        assert_eq!(dfg.use_count(p[0]), 1);
        let err = dfg
            .replace_inst_with(i, InstructionData::iconst(Type::I64, 1))
            .unwrap_err();
        assert_eq!(err.old, [Type::I32]);
        assert_eq!(err.new, [Type::I64]);
        dfg.check_use_lists();
    }

    #[test]
    fn stale_entries_are_compacted() {
        // Rewriting a user of a popular value many times must not grow the
        // value's use list without bound.
        let mut dfg = DataFlowGraph::new();
        let (_, p) = params(&mut dfg, 2);
        let i = dfg.make_inst(InstructionData::binary(Opcode::Iadd, Type::I32, p[0], p[1]));
        for n in 0..1000 {
            let op = if n % 2 == 0 {
                Opcode::Isub
            } else {
                Opcode::Iadd
            };
            dfg.replace_inst_with(i, InstructionData::binary(op, Type::I32, p[0], p[1]))
                .unwrap();
        }
        assert!(dfg.values[p[0].index()].users.len() <= 11);
        assert_eq!(dfg.use_count(p[0]), 1);
        dfg.detach_inst(i);
        assert_eq!(dfg.use_count(p[0]), 0);
        dfg.check_use_lists();
    }
}
