//! Tern's x86-64 assembler, shared by the baseline and optimizing compilers.
//!
//! (The full design notes are being written; see the module docs of each
//! file for now.)

mod assembler;
mod buffer;
mod constants;
mod disasm;
mod encode;
mod inst;
mod labels;
mod operand;
mod reg;
mod reloc;
mod trap;

pub use assembler::Assembler;
pub use buffer::{BranchStats, CodeBuffer, FinishedCode, Label, UnboundLabel};
pub use disasm::disassemble;
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
