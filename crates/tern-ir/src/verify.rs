//! The verifier: is a function well-formed IR?
//!
//! Every pass may assume its input verifies, and file tests and fuzzers
//! verify after every pass, so a pass that breaks an invariant is caught at
//! the pass rather than as a miscompile three passes later. The verifier
//! reports every problem it finds (not just the first), each located at an
//! instruction or block and printed with the instruction's text.
//!
//! What is checked:
//!
//! 1. **Structure.** There is an entry block; its parameters match the
//!    signature; no branch targets it (so it has no predecessors and
//!    dominance is rooted). Every block in the layout is non-empty, ends in
//!    a terminator and has no terminator before its end. Branches target
//!    blocks that are in the layout.
//! 2. **Types.** Each instruction satisfies its opcode's rules
//!    ([`typing::check_inst`](crate::typing::check_inst)); its results have
//!    the types its opcode and controlling type give; branch arguments
//!    match the destination's parameters in number and type; `return`
//!    values match the signature; call arguments match the callee's
//!    signature; referenced signatures and functions are declared.
//! 3. **SSA.** Every operand is a defined value whose definition is in the
//!    layout and dominates the use: a block parameter's block dominates the
//!    using block; an instruction result's instruction comes earlier in the
//!    same block or its block dominates the using block. In unreachable
//!    blocks (which nothing dominates) only placement and same-block order
//!    are checked. The check is linear in the size of the function plus
//!    the dominator-tree walks.

use std::fmt;

use crate::cfg::ControlFlowGraph;
use crate::dfg::ValueDef;
use crate::dominance::DominatorTree;
use crate::entities::{Block, EntityRef, Inst, Value};
use crate::function::Function;
use crate::instructions::{Imm, InstructionData};
use crate::opcode::InstFormat;
use crate::types::Type;
use crate::typing::check_inst;
use crate::write::write_inst;

/// Where a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// The function as a whole (signature, entry block).
    Function,
    /// A block.
    Block(Block),
    /// An instruction.
    Inst(Inst),
}

/// One problem found by the verifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierError {
    /// Where.
    pub location: Location,
    /// The instruction's text, when the location is an instruction.
    pub context: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for VerifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.location, &self.context) {
            (Location::Function, _) => write!(f, "function: {}", self.message),
            (Location::Block(b), _) => write!(f, "{b}: {}", self.message),
            (Location::Inst(i), Some(text)) => write!(f, "{i} ({text}): {}", self.message),
            (Location::Inst(i), None) => write!(f, "{i}: {}", self.message),
        }
    }
}

/// All problems found in a function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierErrors(pub Vec<VerifierError>);

impl fmt::Display for VerifierErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, err) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{err}")?;
        }
        Ok(())
    }
}

impl std::error::Error for VerifierErrors {}

/// Verifies `func`, returning every problem found.
pub fn verify_function(func: &Function) -> Result<(), VerifierErrors> {
    let mut v = Verifier {
        func,
        errors: Vec::new(),
    };
    v.run();
    if v.errors.is_empty() {
        Ok(())
    } else {
        Err(VerifierErrors(v.errors))
    }
}

struct Verifier<'a> {
    func: &'a Function,
    errors: Vec<VerifierError>,
}

impl Verifier<'_> {
    fn report(&mut self, location: Location, message: impl Into<String>) {
        let context = match location {
            Location::Inst(inst) => {
                let mut text = String::new();
                write_inst(&mut text, &self.func.dfg, inst).ok();
                Some(text)
            }
            _ => None,
        };
        self.errors.push(VerifierError {
            location,
            context,
            message: message.into(),
        });
    }

    fn run(&mut self) {
        let func = self.func;
        let Some(entry) = func.layout.entry_block() else {
            self.report(Location::Function, "no entry block");
            return;
        };
        let params: Vec<Type> = func
            .dfg
            .block_params(entry)
            .iter()
            .map(|&p| func.dfg.value_type(p))
            .collect();
        if params != func.signature.params {
            self.report(
                Location::Block(entry),
                format!(
                    "entry block parameters {params:?} do not match the signature's {:?}",
                    func.signature.params
                ),
            );
        }
        for block in func.layout.blocks() {
            self.check_block_structure(block);
        }
        // Per-instruction checks need no dominance information.
        for inst in func.insts() {
            self.check_inst(inst, entry);
        }
        let cfg = ControlFlowGraph::compute(func);
        let domtree = DominatorTree::compute(func, &cfg);
        // Position of each placed instruction within its block, for
        // same-block def-before-use checks in O(1).
        let mut position = vec![0usize; func.dfg.num_insts()];
        for block in func.layout.blocks() {
            for (pos, inst) in func.layout.block_insts(block).enumerate() {
                position[inst.index()] = pos;
            }
        }
        for block in func.layout.blocks() {
            for inst in func.layout.block_insts(block) {
                for v in func.dfg.inst(inst).all_values() {
                    self.check_definition_reaches(inst, block, v, &position, &domtree);
                }
            }
        }
    }

    fn check_block_structure(&mut self, block: Block) {
        let layout = &self.func.layout;
        let Some(last) = layout.last_inst(block) else {
            self.report(Location::Block(block), "block is empty");
            return;
        };
        for inst in layout.block_insts(block) {
            let is_term = self.func.dfg.inst(inst).opcode.is_terminator();
            if inst == last && !is_term {
                self.report(Location::Inst(inst), "block does not end in a terminator");
            } else if inst != last && is_term {
                self.report(
                    Location::Inst(inst),
                    "terminator before the end of the block",
                );
            }
        }
    }

    fn check_inst(&mut self, inst: Inst, entry: Block) {
        let dfg = &self.func.dfg;
        let data = dfg.inst(inst);
        // Operands must exist before their types can be checked.
        let mut missing = false;
        for v in data.all_values() {
            if !dfg.value_is_valid(v) {
                self.report(Location::Inst(inst), format!("{v} is not defined"));
                missing = true;
            }
        }
        if missing {
            return;
        }
        let arg_types: Vec<Type> = data.args.iter().map(|&v| dfg.value_type(v)).collect();
        if let Err(err) = check_inst(data, &arg_types) {
            self.report(Location::Inst(inst), err.to_string());
            return;
        }
        match dfg.result_types(data) {
            None => self.report(
                Location::Inst(inst),
                "refers to an undeclared function or signature",
            ),
            Some(want) => {
                let got: Vec<Type> = dfg
                    .inst_results(inst)
                    .iter()
                    .map(|&r| dfg.value_type(r))
                    .collect();
                if got[..] != want[..] {
                    self.report(
                        Location::Inst(inst),
                        format!("results have types {got:?}, expected {want:?}"),
                    );
                }
            }
        }
        self.check_dests(inst, data, entry);
        self.check_variadic(inst, data, &arg_types);
    }

    fn check_dests(&mut self, inst: Inst, data: &InstructionData, entry: Block) {
        let dfg = &self.func.dfg;
        for dest in &data.dests {
            let block = dest.block;
            if !self.func.layout.is_block_inserted(block) {
                self.report(
                    Location::Inst(inst),
                    format!("{block} is not in the layout"),
                );
                continue;
            }
            if block == entry {
                self.report(Location::Inst(inst), "branch to the entry block");
            }
            let params: Vec<Type> = dfg
                .block_params(block)
                .iter()
                .map(|&p| dfg.value_type(p))
                .collect();
            let args: Vec<Type> = dest.args.iter().map(|&a| dfg.value_type(a)).collect();
            if params != args {
                self.report(
                    Location::Inst(inst),
                    format!("arguments {args:?} do not match {block}'s parameters {params:?}"),
                );
            }
        }
    }

    /// Returns and calls, whose operands depend on a signature.
    fn check_variadic(&mut self, inst: Inst, data: &InstructionData, arg_types: &[Type]) {
        let (what, want, got): (&str, &[Type], &[Type]) = match data.opcode.format() {
            InstFormat::Return => ("return values", &self.func.signature.returns, arg_types),
            InstFormat::Call | InstFormat::CallIndirect => {
                let Some(sig) = self.func.dfg.call_signature(data) else {
                    return; // reported with the results
                };
                let args = match data.imm {
                    Imm::Sig(_) => &arg_types[1..], // after the callee
                    _ => arg_types,
                };
                ("call arguments", &sig.params, args)
            }
            _ => return,
        };
        if want != got {
            let message = format!("{what} {got:?} do not match the signature's {want:?}");
            self.report(Location::Inst(inst), message);
        }
    }

    /// Checks that the definition of `v` is placed and dominates its use
    /// by `inst` in `block`. In unreachable blocks only placement and
    /// same-block order are checked (nothing dominates them).
    fn check_definition_reaches(
        &mut self,
        inst: Inst,
        block: Block,
        v: Value,
        position: &[usize],
        domtree: &DominatorTree,
    ) {
        let dfg = &self.func.dfg;
        let layout = &self.func.layout;
        if !dfg.value_is_valid(v) {
            return; // already reported
        }
        let reachable = domtree.is_reachable(block);
        let problem = match dfg.value_def(v) {
            ValueDef::Param(def_block, _) if !layout.is_block_inserted(def_block) => Some(format!(
                "uses {v}, a parameter of {def_block}, which is not in the layout"
            )),
            ValueDef::Param(def_block, _) => (reachable && !domtree.dominates(def_block, block))
                .then(|| format!("uses {v}, whose definition does not dominate this use")),
            ValueDef::Result(def_inst, _) => match layout.inst_block(def_inst) {
                None => Some(format!(
                    "uses {v}, a result of {def_inst}, which is not in the layout"
                )),
                Some(def_block) if def_block == block => (position[def_inst.index()]
                    >= position[inst.index()])
                .then(|| format!("uses {v}, whose definition does not dominate this use")),
                Some(def_block) => (reachable && !domtree.dominates(def_block, block))
                    .then(|| format!("uses {v}, whose definition does not dominate this use")),
            },
            ValueDef::Reserved => unreachable!("valid values are not reserved"),
        };
        if let Some(message) = problem {
            self.report(Location::Inst(inst), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::FunctionBuilder;
    use crate::condcodes::IntCC;
    use crate::signature::Signature;

    fn messages(func: &Function) -> Vec<String> {
        match verify_function(func) {
            Ok(()) => vec![],
            Err(errs) => errs.0.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn accepts_a_loop() {
        let mut func = Function::new("count", Signature::new(&[Type::I32], &[Type::I32]));
        let mut b = FunctionBuilder::new(&mut func);
        let entry = b.create_block();
        let header = b.create_block();
        let exit = b.create_block();
        b.switch_to_block(entry);
        let n = b.append_entry_params(entry)[0];
        let zero = b.iconst(Type::I32, 0);
        b.jump(header, &[zero]);
        let i = b.append_block_param(header, Type::I32);
        b.switch_to_block(header);
        let one = b.iconst(Type::I32, 1);
        let next = b.iadd(i, one);
        let done = b.icmp(IntCC::Equal, next, n);
        b.brif(done, exit, &[], header, &[next]);
        b.switch_to_block(exit);
        b.return_(&[next]);
        assert_eq!(messages(&func), Vec::<String>::new());
    }

    #[test]
    fn reports_use_not_dominated() {
        let mut func = Function::new("f", Signature::new(&[Type::I32], &[Type::I32]));
        let mut b = FunctionBuilder::new(&mut func);
        let entry = b.create_block();
        let left = b.create_block();
        let join = b.create_block();
        b.switch_to_block(entry);
        let c = b.append_entry_params(entry)[0];
        b.brif(c, left, &[], join, &[]);
        b.switch_to_block(left);
        let x = b.iadd(c, c);
        b.jump(join, &[]);
        b.switch_to_block(join);
        b.return_(&[x]);
        let msgs = messages(&func);
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].contains("return v1") && msgs[0].contains("does not dominate"));
    }

    #[test]
    fn reports_use_before_def_in_block() {
        let mut func = Function::new("f", Signature::new(&[], &[Type::I32]));
        let mut b = FunctionBuilder::new(&mut func);
        let entry = b.create_block();
        b.switch_to_block(entry);
        let one = b.iconst(Type::I32, 1);
        let ret = b.return_(&[one]);
        b.position_before(ret);
        let late = b.iconst(Type::I32, 2);
        // Make the first iconst use... instead: swap the operand of return to
        // a value defined after it.
        let data = InstructionData::new(
            crate::opcode::Opcode::Return,
            InstructionData::UNTYPED,
            Imm::None,
            &[late],
        );
        func.dfg.replace_inst_with(ret, data).unwrap();
        assert_eq!(messages(&func), Vec::<String>::new());
        // Now move the return before the definition of `late`.
        let late_inst = func.dfg.value_inst(late).unwrap();
        func.layout.remove_inst(ret);
        func.layout.insert_inst_before(ret, late_inst);
        let msgs = messages(&func);
        assert!(
            msgs.iter().any(|m| m.contains("does not dominate")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("terminator before the end")),
            "{msgs:?}"
        );
    }

    #[test]
    fn reports_uses_of_removed_definitions() {
        let mut func = Function::new("f", Signature::new(&[], &[Type::I32]));
        let mut b = FunctionBuilder::new(&mut func);
        let entry = b.create_block();
        b.switch_to_block(entry);
        let one = b.iconst(Type::I32, 1);
        b.return_(&[one]);
        let def = func.dfg.value_inst(one).unwrap();
        func.layout.remove_inst(def);
        assert_eq!(
            messages(&func),
            ["inst1 (return v0): uses v0, a result of inst0, which is not in the layout"]
        );
    }

    #[test]
    fn reports_type_and_arity_errors() {
        let mut func = Function::new("f", Signature::new(&[Type::I32, Type::I64], &[Type::I32]));
        let mut b = FunctionBuilder::new(&mut func);
        let entry = b.create_block();
        let next = b.create_block();
        b.append_block_param(next, Type::I32);
        b.switch_to_block(entry);
        let p = b.append_entry_params(entry);
        b.iadd(p[0], p[1]);
        b.jump(next, &[p[1]]);
        b.switch_to_block(next);
        b.return_(&[p[1]]);
        let msgs = messages(&func);
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("operand 1 has type i64, expected i32"));
        assert!(msgs[1].contains("do not match block1's parameters"));
        assert!(msgs[2].contains("return values [I64]"));
    }

    #[test]
    fn reports_structural_errors() {
        let mut func = Function::new("f", Signature::new(&[], &[]));
        let mut b = FunctionBuilder::new(&mut func);
        let entry = b.create_block();
        let empty = b.create_block();
        b.switch_to_block(entry);
        b.iconst(Type::I32, 0);
        b.switch_to_block(empty);
        let msgs = messages(&func);
        assert!(
            msgs.iter()
                .any(|m| m.contains("does not end in a terminator")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("block1: block is empty")),
            "{msgs:?}"
        );
        let empty_func = Function::new("g", Signature::default());
        assert_eq!(messages(&empty_func), ["function: no entry block"]);
    }
}
