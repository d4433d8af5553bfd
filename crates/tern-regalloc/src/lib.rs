//! Tern's register allocator (design documentation is being written
//! alongside the implementation).

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
