//! A convenience layer for writing instructions into a function.
//!
//! [`FunctionBuilder`] keeps an insertion point (the end of a block, or just
//! before an instruction) and has one method per opcode that infers the
//! controlling type from the operands, makes the instruction in the
//! [`DataFlowGraph`](crate::DataFlowGraph), places it in the
//! [`Layout`](crate::Layout) and returns its result. It checks nothing:
//! building ill-typed IR is possible and is what the
//! [verifier](crate::verify) is for. (Tests of the verifier rely on being
//! able to build bad IR.)
//!
//! ```
//! use tern_ir::{Function, FunctionBuilder, IntCC, Signature, Type};
//!
//! let mut func = Function::new("max", Signature::new(&[Type::I32, Type::I32], &[Type::I32]));
//! let mut b = FunctionBuilder::new(&mut func);
//! let entry = b.create_block();
//! b.switch_to_block(entry);
//! let params = b.append_entry_params(entry);
//! let lt = b.icmp(IntCC::SignedLessThan, params[0], params[1]);
//! let max = b.select(lt, params[1], params[0]);
//! b.return_(&[max]);
//! assert!(tern_ir::verify::verify_function(&func).is_ok());
//! ```

use crate::condcodes::{FloatCC, IntCC};
use crate::entities::{Block, FuncRef, Inst, SigRef, Value};
use crate::function::Function;
use crate::immediates::{MemFlags, TrapCode};
use crate::instructions::{BlockCall, Imm, InstructionData};
use crate::opcode::Opcode;
use crate::types::Type;

/// Where the next instruction goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// Nowhere yet: inserting panics.
    Nowhere,
    /// At the end of a block.
    End(Block),
    /// Right before an instruction.
    Before(Inst),
}

/// Builds instructions at an insertion point in a function.
pub struct FunctionBuilder<'f> {
    /// The function being built.
    pub func: &'f mut Function,
    position: Position,
}

macro_rules! unary_ops {
    ($($(#[$doc:meta])* $method:ident = $opcode:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $method(&mut self, x: Value) -> Value {
                let ty = self.func.dfg.value_type(x);
                self.ins_value(InstructionData::unary(Opcode::$opcode, ty, x))
            }
        )*
    };
}

macro_rules! binary_ops {
    ($($(#[$doc:meta])* $method:ident = $opcode:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $method(&mut self, x: Value, y: Value) -> Value {
                let ty = self.func.dfg.value_type(x);
                self.ins_value(InstructionData::binary(Opcode::$opcode, ty, x, y))
            }
        )*
    };
}

macro_rules! conversion_ops {
    ($($(#[$doc:meta])* $method:ident = $opcode:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $method(&mut self, to: Type, x: Value) -> Value {
                self.ins_value(InstructionData::unary(Opcode::$opcode, to, x))
            }
        )*
    };
}

impl<'f> FunctionBuilder<'f> {
    /// A builder for `func` with no insertion point.
    pub fn new(func: &'f mut Function) -> FunctionBuilder<'f> {
        FunctionBuilder {
            func,
            position: Position::Nowhere,
        }
    }

    /// The current insertion point.
    pub fn position(&self) -> Position {
        self.position
    }

    /// Makes a new block (not yet in the layout).
    pub fn create_block(&mut self) -> Block {
        self.func.dfg.make_block()
    }

    /// Adds a parameter to `block`.
    pub fn append_block_param(&mut self, block: Block, ty: Type) -> Value {
        self.func.dfg.append_block_param(block, ty)
    }

    /// Adds one parameter per signature parameter to `block` (the entry
    /// block) and returns them.
    pub fn append_entry_params(&mut self, block: Block) -> Vec<Value> {
        let types = self.func.signature.params.clone();
        types
            .into_iter()
            .map(|ty| self.func.dfg.append_block_param(block, ty))
            .collect()
    }

    /// Inserts at the end of `block`, appending it to the layout first if it
    /// is not there yet.
    pub fn switch_to_block(&mut self, block: Block) {
        if !self.func.layout.is_block_inserted(block) {
            self.func.layout.append_block(block);
        }
        self.position = Position::End(block);
    }

    /// Inserts right before `inst` from now on.
    pub fn position_before(&mut self, inst: Inst) {
        self.position = Position::Before(inst);
    }

    /// Makes an instruction from `data` and places it at the insertion point.
    ///
    /// # Panics
    /// If there is no insertion point, or `data` calls an undeclared
    /// function or signature.
    pub fn ins(&mut self, data: InstructionData) -> Inst {
        let inst = self.func.dfg.make_inst(data);
        match self.position {
            Position::Nowhere => panic!("FunctionBuilder has no insertion point"),
            Position::End(block) => self.func.layout.append_inst(inst, block),
            Position::Before(before) => self.func.layout.insert_inst_before(inst, before),
        }
        inst
    }

    /// Inserts a single-result instruction and returns the result.
    ///
    /// # Panics
    /// As [`ins`](FunctionBuilder::ins), and if the instruction has no
    /// results.
    pub fn ins_value(&mut self, data: InstructionData) -> Value {
        let inst = self.ins(data);
        self.func.dfg.first_result(inst)
    }

    /// `iconst.ty value`; `value` is truncated to the width of `ty`, so
    /// `iconst(Type::I8, -1)` is `0xff`.
    pub fn iconst(&mut self, ty: Type, value: i128) -> Value {
        self.ins_value(InstructionData::iconst(ty, value as u128))
    }

    /// `f32const`.
    pub fn f32const(&mut self, value: f32) -> Value {
        self.ins_value(InstructionData::f32const(value.to_bits()))
    }

    /// `f64const`.
    pub fn f64const(&mut self, value: f64) -> Value {
        self.ins_value(InstructionData::f64const(value.to_bits()))
    }

    unary_ops! {
        /// `ineg x`.
        ineg = Ineg;
        /// `bnot x`.
        bnot = Bnot;
        /// `clz x`.
        clz = Clz;
        /// `ctz x`.
        ctz = Ctz;
        /// `popcnt x`.
        popcnt = Popcnt;
        /// `sqrt x`.
        sqrt = Sqrt;
        /// `fneg x`.
        fneg = Fneg;
        /// `fabs x`.
        fabs = Fabs;
        /// `floor x`.
        floor = Floor;
        /// `ceil x`.
        ceil = Ceil;
        /// `trunc x`.
        trunc = Trunc;
        /// `nearest x`.
        nearest = Nearest;
    }

    binary_ops! {
        /// `iadd x, y`.
        iadd = Iadd;
        /// `isub x, y`.
        isub = Isub;
        /// `imul x, y`.
        imul = Imul;
        /// `udiv x, y`.
        udiv = Udiv;
        /// `sdiv x, y`.
        sdiv = Sdiv;
        /// `urem x, y`.
        urem = Urem;
        /// `srem x, y`.
        srem = Srem;
        /// `umulhi x, y`.
        umulhi = Umulhi;
        /// `smulhi x, y`.
        smulhi = Smulhi;
        /// `band x, y`.
        band = Band;
        /// `bor x, y`.
        bor = Bor;
        /// `bxor x, y`.
        bxor = Bxor;
        /// `band_not x, y`.
        band_not = BandNot;
        /// `bor_not x, y`.
        bor_not = BorNot;
        /// `bxor_not x, y`.
        bxor_not = BxorNot;
        /// `ishl x, y`.
        ishl = Ishl;
        /// `ushr x, y`.
        ushr = Ushr;
        /// `sshr x, y`.
        sshr = Sshr;
        /// `rotl x, y`.
        rotl = Rotl;
        /// `rotr x, y`.
        rotr = Rotr;
        /// `fadd x, y`.
        fadd = Fadd;
        /// `fsub x, y`.
        fsub = Fsub;
        /// `fmul x, y`.
        fmul = Fmul;
        /// `fdiv x, y`.
        fdiv = Fdiv;
        /// `fmin x, y`.
        fmin = Fmin;
        /// `fmax x, y`.
        fmax = Fmax;
        /// `fcopysign x, y`.
        fcopysign = Fcopysign;
    }

    conversion_ops! {
        /// `uextend.to x`.
        uextend = Uextend;
        /// `sextend.to x`.
        sextend = Sextend;
        /// `ireduce.to x`.
        ireduce = Ireduce;
        /// `fpromote.to x`.
        fpromote = Fpromote;
        /// `fdemote.to x`.
        fdemote = Fdemote;
        /// `fcvt_to_uint.to x`.
        fcvt_to_uint = FcvtToUint;
        /// `fcvt_to_sint.to x`.
        fcvt_to_sint = FcvtToSint;
        /// `fcvt_to_uint_sat.to x`.
        fcvt_to_uint_sat = FcvtToUintSat;
        /// `fcvt_to_sint_sat.to x`.
        fcvt_to_sint_sat = FcvtToSintSat;
        /// `fcvt_from_uint.to x`.
        fcvt_from_uint = FcvtFromUint;
        /// `fcvt_from_sint.to x`.
        fcvt_from_sint = FcvtFromSint;
        /// `bitcast.to x`.
        bitcast = Bitcast;
    }

    /// `icmp cc x, y`.
    pub fn icmp(&mut self, cc: IntCC, x: Value, y: Value) -> Value {
        let ty = self.func.dfg.value_type(x);
        self.ins_value(InstructionData::icmp(cc, ty, x, y))
    }

    /// `fcmp cc x, y`.
    pub fn fcmp(&mut self, cc: FloatCC, x: Value, y: Value) -> Value {
        let ty = self.func.dfg.value_type(x);
        self.ins_value(InstructionData::fcmp(cc, ty, x, y))
    }

    /// `select c, x, y`.
    pub fn select(&mut self, c: Value, x: Value, y: Value) -> Value {
        let ty = self.func.dfg.value_type(x);
        self.ins_value(InstructionData::new(
            Opcode::Select,
            ty,
            Imm::None,
            &[c, x, y],
        ))
    }

    /// A load (`load`, `uload8` … `sload32`) of type `ty` from
    /// `addr + offset`.
    pub fn load(
        &mut self,
        opcode: Opcode,
        ty: Type,
        flags: MemFlags,
        addr: Value,
        offset: i32,
    ) -> Value {
        self.ins_value(InstructionData::new(
            opcode,
            ty,
            Imm::Mem { flags, offset },
            &[addr],
        ))
    }

    /// A store (`store`, `istore8` … `istore32`) of `value` to
    /// `addr + offset`.
    pub fn store(
        &mut self,
        opcode: Opcode,
        flags: MemFlags,
        value: Value,
        addr: Value,
        offset: i32,
    ) -> Inst {
        let ty = self.func.dfg.value_type(value);
        self.ins(InstructionData::new(
            opcode,
            ty,
            Imm::Mem { flags, offset },
            &[value, addr],
        ))
    }

    /// `jump block(args)`.
    pub fn jump(&mut self, block: Block, args: &[Value]) -> Inst {
        self.ins(
            InstructionData::new(Opcode::Jump, InstructionData::UNTYPED, Imm::None, &[])
                .with_dests(vec![BlockCall::new(block, args)]),
        )
    }

    /// `brif c, then(then_args), else(else_args)`.
    pub fn brif(
        &mut self,
        c: Value,
        then_block: Block,
        then_args: &[Value],
        else_block: Block,
        else_args: &[Value],
    ) -> Inst {
        let ty = self.func.dfg.value_type(c);
        self.ins(
            InstructionData::new(Opcode::Brif, ty, Imm::None, &[c]).with_dests(vec![
                BlockCall::new(then_block, then_args),
                BlockCall::new(else_block, else_args),
            ]),
        )
    }

    /// `br_table index, default, [table…]`.
    pub fn br_table(&mut self, index: Value, default: BlockCall, table: Vec<BlockCall>) -> Inst {
        let ty = self.func.dfg.value_type(index);
        let mut dests = Vec::with_capacity(table.len() + 1);
        dests.push(default);
        dests.extend(table);
        self.ins(InstructionData::new(Opcode::BrTable, ty, Imm::None, &[index]).with_dests(dests))
    }

    /// `return values…`.
    pub fn return_(&mut self, values: &[Value]) -> Inst {
        self.ins(InstructionData::new(
            Opcode::Return,
            InstructionData::UNTYPED,
            Imm::None,
            values,
        ))
    }

    /// `trap code`.
    pub fn trap(&mut self, code: TrapCode) -> Inst {
        self.ins(InstructionData::new(
            Opcode::Trap,
            InstructionData::UNTYPED,
            Imm::Trap(code),
            &[],
        ))
    }

    /// `trapz c, code`.
    pub fn trapz(&mut self, c: Value, code: TrapCode) -> Inst {
        let ty = self.func.dfg.value_type(c);
        self.ins(InstructionData::new(
            Opcode::Trapz,
            ty,
            Imm::Trap(code),
            &[c],
        ))
    }

    /// `trapnz c, code`.
    pub fn trapnz(&mut self, c: Value, code: TrapCode) -> Inst {
        let ty = self.func.dfg.value_type(c);
        self.ins(InstructionData::new(
            Opcode::Trapnz,
            ty,
            Imm::Trap(code),
            &[c],
        ))
    }

    /// `call func(args…)`; the results are `dfg.inst_results(inst)`.
    pub fn call(&mut self, func: FuncRef, args: &[Value]) -> Inst {
        self.ins(InstructionData::new(
            Opcode::Call,
            InstructionData::UNTYPED,
            Imm::Func(func),
            args,
        ))
    }

    /// `call_indirect sig, callee(args…)`.
    pub fn call_indirect(&mut self, sig: SigRef, callee: Value, args: &[Value]) -> Inst {
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(callee);
        all.extend_from_slice(args);
        self.ins(InstructionData::new(
            Opcode::CallIndirect,
            InstructionData::UNTYPED,
            Imm::Sig(sig),
            &all,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::Signature;

    #[test]
    fn builds_in_order_and_before() {
        let mut func = Function::new("f", Signature::new(&[Type::I32], &[Type::I32]));
        let mut b = FunctionBuilder::new(&mut func);
        let entry = b.create_block();
        b.switch_to_block(entry);
        let x = b.append_entry_params(entry)[0];
        let y = b.iadd(x, x);
        let ret = b.return_(&[y]);
        b.position_before(ret);
        let z = b.iconst(Type::I32, -1);
        let insts: Vec<Inst> = func.layout.block_insts(entry).collect();
        assert_eq!(insts.len(), 3);
        assert_eq!(func.dfg.first_result(insts[1]), z);
        assert_eq!(func.dfg.iconst_value(z), Some(0xffff_ffff));
        assert_eq!(func.dfg.inst(insts[2]).opcode, Opcode::Return);
    }
}
