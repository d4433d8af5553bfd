//! Support for testing and benchmarking the allocator, and for testing
//! clients: an owned [`Function`](crate::Function) with a builder, a seeded
//! random-function generator, and sample machine descriptions.

mod func;
mod generate;
mod rng;

pub use func::{FunctionBuilder, InstKind, TestBlock, TestFunction, TestInst};
pub use generate::{CfgShape, GenConfig, generate};
pub use rng::Rng;

use crate::env::{ClassEnv, MachineEnv};
use crate::operand::Operand;
use crate::reg::{PReg, PRegSet, RegClass};

/// A machine description shaped like x86-64 System V: integer registers
/// `r0..r15` with `r4` (stack pointer) and `r5` (frame pointer) reserved and
/// `r11` as scratch; caller-saved `r0 r1 r2 r6 r7 r8 r9 r10` preferred,
/// callee-saved `r3 r12 r13 r14 r15` not; float registers `f0..f14` all
/// caller-saved with `f15` as scratch.
pub fn x64_like_env() -> MachineEnv {
    let int = |i| PReg::new(RegClass::Int, i);
    let float = |i| PReg::new(RegClass::Float, i);
    MachineEnv {
        classes: [
            ClassEnv {
                preferred: [0, 1, 2, 6, 7, 8, 9, 10].map(int).to_vec(),
                non_preferred: [3, 12, 13, 14, 15].map(int).to_vec(),
                scratch: Some(int(11)),
            },
            ClassEnv {
                preferred: (0..15).map(float).collect(),
                non_preferred: Vec::new(),
                scratch: Some(float(15)),
            },
        ],
    }
}

/// A small machine: per class, `preferred` caller-saved registers followed
/// by `non_preferred` callee-saved ones, and a scratch register if
/// `scratch`. Small register files make high register pressure.
pub fn small_env(preferred: usize, non_preferred: usize, scratch: bool) -> MachineEnv {
    let class_env = |class| {
        let r = |i| PReg::new(class, i);
        ClassEnv {
            preferred: (0..preferred).map(r).collect(),
            non_preferred: (preferred..preferred + non_preferred).map(r).collect(),
            scratch: scratch.then(|| r(preferred + non_preferred)),
        }
    };
    MachineEnv {
        classes: [class_env(RegClass::Int), class_env(RegClass::Float)],
    }
}

/// The input that once made backtracking allocators quadratic: one value
/// passed as argument 0, then argument 1, then 0 … to `calls` consecutive
/// calls, each clobbering every preferred (caller-saved) register of both
/// classes and returning a (dead) result in the first preferred register;
/// finally the value is returned. The argument registers are the class's
/// first two preferred registers.
pub fn pathological(calls: usize, env: &MachineEnv) -> TestFunction {
    let int = &env.class(RegClass::Int).preferred;
    assert!(int.len() >= 2, "needs two preferred integer registers");
    let (ret, args) = (int[0], [int[0], int[1]]);
    let mut clobbers = PRegSet::empty();
    for class in &env.classes {
        for &r in &class.preferred {
            clobbers.insert(r);
        }
    }
    clobbers.remove(ret);
    let mut b = FunctionBuilder::new();
    let block = b.block();
    let value = b.vreg(RegClass::Int);
    b.inst(block, &[Operand::reg_def(value)], PRegSet::empty());
    for k in 0..calls {
        let result = b.vreg(RegClass::Int);
        b.inst(
            block,
            &[
                Operand::fixed_use(value, args[k % 2]),
                Operand::fixed_def(result, ret),
            ],
            clobbers,
        );
    }
    b.ret(block, &[Operand::fixed_use(value, ret)]);
    b.finish()
}
