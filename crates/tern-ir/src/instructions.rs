//! The contents of one instruction.
//!
//! [`InstructionData`] is a plain value: opcode, controlling type, immediate,
//! value operands and (for branches) destinations. A pass builds one, hands
//! it to the [`DataFlowGraph`](crate::DataFlowGraph) (which then owns it and
//! keeps the use lists in step), and reads it back by reference. Because
//! it is a single struct rather than one enum variant per format, a pattern
//! matcher can test `opcode`, `ty` and `args` uniformly; the
//! [`InstFormat`](crate::InstFormat) of the opcode says which of the fields
//! are meaningful.
//!
//! Integer immediates are stored as raw bits in a `u128`, masked to the
//! controlling type's width: an `iconst.i8 -1` holds `0xff`. That is the same
//! representation as [`DataValue`](crate::eval::DataValue), so constant
//! folding never has to think about sign extension of immediates.

use smallvec::SmallVec;

use crate::condcodes::{FloatCC, IntCC};
use crate::entities::{Block, FuncRef, SigRef, Value};
use crate::immediates::{MemFlags, TrapCode};
use crate::opcode::Opcode;
use crate::types::Type;

/// The value operands of an instruction. Up to three are stored inline.
pub type ValueList = SmallVec<[Value; 3]>;

/// A branch destination: a block and the arguments passed to its parameters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlockCall {
    /// The destination block.
    pub block: Block,
    /// One argument per block parameter.
    pub args: Vec<Value>,
}

impl BlockCall {
    /// A destination with arguments.
    pub fn new(block: Block, args: &[Value]) -> BlockCall {
        BlockCall {
            block,
            args: args.to_vec(),
        }
    }
}

/// The non-value operand of an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Imm {
    /// No immediate.
    None,
    /// `iconst`: raw bits masked to the controlling type.
    Int(u128),
    /// `f32const`: the IEEE bits.
    Ieee32(u32),
    /// `f64const`: the IEEE bits.
    Ieee64(u64),
    /// `icmp`.
    IntCC(IntCC),
    /// `fcmp`.
    FloatCC(FloatCC),
    /// Loads and stores: flags and a signed byte offset added to the address.
    Mem {
        /// Access flags.
        flags: MemFlags,
        /// Byte offset added to the address operand.
        offset: i32,
    },
    /// `trap`, `trapz`, `trapnz`.
    Trap(TrapCode),
    /// `call`.
    Func(FuncRef),
    /// `call_indirect`.
    Sig(SigRef),
}

/// One instruction: opcode, controlling type, immediate, operands and
/// destinations.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InstructionData {
    /// What the instruction does.
    pub opcode: Opcode,
    /// The controlling type: the result type for value-producing opcodes
    /// (for `icmp`/`fcmp`: the operand type; for stores: the stored value's
    /// type; for `brif`, `br_table`, `trapz`, `trapnz`: the condition's
    /// type). Opcodes with no meaningful type (`jump`, `return`, `trap`,
    /// `call`, `call_indirect`) use [`InstructionData::UNTYPED`].
    pub ty: Type,
    /// The immediate, as the opcode's format requires.
    pub imm: Imm,
    /// Value operands (for `call_indirect`: the callee first, then the
    /// arguments; for stores: the value, then the address).
    pub args: ValueList,
    /// Branch destinations: `jump` has one, `brif` two (taken, not taken),
    /// `br_table` the default followed by the table. Empty otherwise.
    pub dests: Vec<BlockCall>,
}

impl InstructionData {
    /// The placeholder controlling type of untyped opcodes.
    pub const UNTYPED: Type = Type::I64;

    /// An instruction with the given parts and no destinations.
    pub fn new(opcode: Opcode, ty: Type, imm: Imm, args: &[Value]) -> InstructionData {
        InstructionData {
            opcode,
            ty,
            imm,
            args: ValueList::from_slice(args),
            dests: Vec::new(),
        }
    }

    /// `iconst.ty bits`, with `bits` masked to the width of `ty`.
    pub fn iconst(ty: Type, bits: u128) -> InstructionData {
        InstructionData::new(Opcode::Iconst, ty, Imm::Int(bits & ty.mask()), &[])
    }

    /// `f32const`.
    pub fn f32const(bits: u32) -> InstructionData {
        InstructionData::new(Opcode::F32const, Type::F32, Imm::Ieee32(bits), &[])
    }

    /// `f64const`.
    pub fn f64const(bits: u64) -> InstructionData {
        InstructionData::new(Opcode::F64const, Type::F64, Imm::Ieee64(bits), &[])
    }

    /// A one-operand instruction without immediate.
    pub fn unary(opcode: Opcode, ty: Type, arg: Value) -> InstructionData {
        InstructionData::new(opcode, ty, Imm::None, &[arg])
    }

    /// A two-operand instruction without immediate.
    pub fn binary(opcode: Opcode, ty: Type, lhs: Value, rhs: Value) -> InstructionData {
        InstructionData::new(opcode, ty, Imm::None, &[lhs, rhs])
    }

    /// `icmp cc lhs, rhs` on operands of type `ty`.
    pub fn icmp(cc: IntCC, ty: Type, lhs: Value, rhs: Value) -> InstructionData {
        InstructionData::new(Opcode::Icmp, ty, Imm::IntCC(cc), &[lhs, rhs])
    }

    /// `fcmp cc lhs, rhs` on operands of type `ty`.
    pub fn fcmp(cc: FloatCC, ty: Type, lhs: Value, rhs: Value) -> InstructionData {
        InstructionData::new(Opcode::Fcmp, ty, Imm::FloatCC(cc), &[lhs, rhs])
    }

    /// This instruction with its branch destinations set to `dests`.
    pub fn with_dests(mut self, dests: Vec<BlockCall>) -> InstructionData {
        self.dests = dests;
        self
    }

    /// The integer immediate of an `iconst`, as raw bits.
    pub fn iconst_bits(&self) -> Option<u128> {
        match (self.opcode, self.imm) {
            (Opcode::Iconst, Imm::Int(bits)) => Some(bits),
            _ => None,
        }
    }

    /// The integer condition code of an `icmp`.
    pub fn int_cc(&self) -> Option<IntCC> {
        match self.imm {
            Imm::IntCC(cc) => Some(cc),
            _ => None,
        }
    }

    /// The float condition code of an `fcmp`.
    pub fn float_cc(&self) -> Option<FloatCC> {
        match self.imm {
            Imm::FloatCC(cc) => Some(cc),
            _ => None,
        }
    }

    /// The trap code of `trap`, `trapz`, `trapnz`.
    pub fn trap_code(&self) -> Option<TrapCode> {
        match self.imm {
            Imm::Trap(code) => Some(code),
            _ => None,
        }
    }

    /// Every value the instruction reads: operands, then branch arguments in
    /// destination order.
    pub fn all_values(&self) -> impl Iterator<Item = Value> + '_ {
        self.args
            .iter()
            .copied()
            .chain(self.dests.iter().flat_map(|d| d.args.iter().copied()))
    }

    /// Mutable access to every value the instruction reads, in the order of
    /// [`all_values`](InstructionData::all_values).
    pub(crate) fn all_values_mut(&mut self) -> impl Iterator<Item = &mut Value> + '_ {
        self.args
            .iter_mut()
            .chain(self.dests.iter_mut().flat_map(|d| d.args.iter_mut()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::EntityRef;

    #[test]
    fn iconst_masks_to_width() {
        let data = InstructionData::iconst(Type::I8, u128::MAX);
        assert_eq!(data.iconst_bits(), Some(0xff));
        let data = InstructionData::iconst(Type::I32, (-5i128) as u128);
        assert_eq!(data.iconst_bits(), Some(0xffff_fffb));
    }

    #[test]
    fn all_values_includes_branch_arguments() {
        let v = |n| Value::new(n);
        let data =
            InstructionData::new(Opcode::Brif, Type::I32, Imm::None, &[v(0)]).with_dests(vec![
                BlockCall::new(Block::new(1), &[v(1), v(2)]),
                BlockCall::new(Block::new(2), &[v(3)]),
            ]);
        assert_eq!(
            data.all_values().collect::<Vec<_>>(),
            [v(0), v(1), v(2), v(3)]
        );
    }
}
