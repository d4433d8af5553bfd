//! The generated matcher's view of a `tern_ir::Function`.
//!
//! The matcher reads through [`Subject`] and builds through [`Builder`];
//! these adapters implement both over a function's data-flow graph and
//! layout. Every method is a table lookup, and the generated code is
//! monomorphized over them, so there is no indirection left at run time.

use tern_ir::{DataFlowGraph, Function, Imm, Inst, InstructionData, Opcode, Type, Value};
use tern_peephole_dsl::subject::{Builder, Subject};

/// Read access to a data-flow graph for matching.
#[derive(Clone, Copy)]
pub struct DfgView<'a> {
    dfg: &'a DataFlowGraph,
}

impl<'a> DfgView<'a> {
    /// A view of `dfg`.
    pub fn new(dfg: &'a DataFlowGraph) -> DfgView<'a> {
        DfgView { dfg }
    }

    #[inline]
    fn def(&self, v: Value) -> &'a InstructionData {
        let inst = self
            .dfg
            .value_inst(v)
            .expect("the matcher only reads operands of instructions it matched");
        self.dfg.inst(inst)
    }
}

impl Subject for DfgView<'_> {
    type Value = Value;

    #[inline]
    fn opcode(&self, v: Value) -> Option<Opcode> {
        self.dfg
            .value_inst(v)
            .map(|inst| self.dfg.inst(inst).opcode)
    }

    #[inline]
    fn arg(&self, v: Value, i: usize) -> Value {
        self.def(v).args[i]
    }

    #[inline]
    fn imm(&self, v: Value) -> Imm {
        self.def(v).imm
    }

    #[inline]
    fn ty(&self, v: Value) -> Type {
        self.dfg.value_type(v)
    }
}

/// Inserts the instructions of a right-hand side before the instruction
/// being rewritten, where every value the left-hand side matched is
/// available (they are its operands, or operands of those, and so
/// dominate it).
pub struct Inserter<'a> {
    func: &'a mut Function,
    before: Inst,
    created: &'a mut Vec<Inst>,
}

impl<'a> Inserter<'a> {
    /// An inserter placing instructions before `before` and recording them
    /// in `created`.
    pub fn new(func: &'a mut Function, before: Inst, created: &'a mut Vec<Inst>) -> Inserter<'a> {
        Inserter {
            func,
            before,
            created,
        }
    }
}

impl Builder for Inserter<'_> {
    type Value = Value;

    fn inst(&mut self, opcode: Opcode, ctrl: Type, imm: Imm, args: &[Value]) -> Value {
        let inst = self
            .func
            .dfg
            .make_inst(InstructionData::new(opcode, ctrl, imm, args));
        self.func.layout.insert_inst_before(inst, self.before);
        self.created.push(inst);
        self.func.dfg.first_result(inst)
    }
}
