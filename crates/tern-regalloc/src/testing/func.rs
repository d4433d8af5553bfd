//! An owned [`Function`] and a builder for it.

use crate::function::Function;
use crate::operand::Operand;
use crate::reg::{Block, Inst, InstRange, PRegSet, RegClass, VReg};
use core::fmt;

/// What an instruction of a [`TestFunction`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstKind {
    /// An ordinary instruction.
    Op,
    /// A block-ending branch to the block's successors.
    Branch,
    /// A return.
    Ret,
}

/// One instruction of a [`TestFunction`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestInst {
    /// What it is.
    pub kind: InstKind,
    /// Its operands.
    pub operands: Vec<Operand>,
    /// The registers it clobbers.
    pub clobbers: PRegSet,
}

/// One block of a [`TestFunction`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestBlock {
    /// Its instructions.
    pub insts: InstRange,
    /// Its parameters.
    pub params: Vec<VReg>,
    /// Its successors.
    pub succs: Vec<Block>,
    /// Its predecessors.
    pub preds: Vec<Block>,
    /// Per successor, the arguments passed to its parameters.
    pub branch_args: Vec<Vec<VReg>>,
}

/// A function held in plain vectors, implementing [`Function`]: the input of
/// tests, examples, benchmarks and the random generator.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestFunction {
    /// The blocks, in layout order.
    pub blocks: Vec<TestBlock>,
    /// The instructions, in layout order.
    pub insts: Vec<TestInst>,
    /// The number of virtual registers.
    pub num_vregs: usize,
}

impl Function for TestFunction {
    fn num_insts(&self) -> usize {
        self.insts.len()
    }
    fn num_blocks(&self) -> usize {
        self.blocks.len()
    }
    fn block_insts(&self, block: Block) -> InstRange {
        self.blocks[block.index()].insts
    }
    fn block_succs(&self, block: Block) -> &[Block] {
        &self.blocks[block.index()].succs
    }
    fn block_preds(&self, block: Block) -> &[Block] {
        &self.blocks[block.index()].preds
    }
    fn block_params(&self, block: Block) -> &[VReg] {
        &self.blocks[block.index()].params
    }
    fn is_ret(&self, inst: Inst) -> bool {
        self.insts[inst.index()].kind == InstKind::Ret
    }
    fn is_branch(&self, inst: Inst) -> bool {
        self.insts[inst.index()].kind == InstKind::Branch
    }
    fn branch_args(&self, block: Block, succ_index: usize) -> &[VReg] {
        &self.blocks[block.index()].branch_args[succ_index]
    }
    fn inst_operands(&self, inst: Inst) -> &[Operand] {
        &self.insts[inst.index()].operands
    }
    fn inst_clobbers(&self, inst: Inst) -> PRegSet {
        self.insts[inst.index()].clobbers
    }
    fn num_vregs(&self) -> usize {
        self.num_vregs
    }
}

impl fmt::Display for TestFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (b, block) in self.blocks.iter().enumerate() {
            write!(f, "block{b}(")?;
            for (i, p) in block.params.iter().enumerate() {
                write!(f, "{}{p}", if i > 0 { ", " } else { "" })?;
            }
            write!(f, "):")?;
            if !block.preds.is_empty() {
                write!(f, " ; preds")?;
                for p in &block.preds {
                    write!(f, " {p}")?;
                }
            }
            writeln!(f)?;
            for inst in block.insts.iter() {
                let data = &self.insts[inst.index()];
                write!(f, "  {inst}: ")?;
                match data.kind {
                    InstKind::Op => write!(f, "op")?,
                    InstKind::Ret => write!(f, "ret")?,
                    InstKind::Branch => {
                        write!(f, "br")?;
                        for (succ, args) in block.succs.iter().zip(&block.branch_args) {
                            write!(f, " {succ}(")?;
                            for (i, a) in args.iter().enumerate() {
                                write!(f, "{}{a}", if i > 0 { ", " } else { "" })?;
                            }
                            write!(f, ")")?;
                        }
                    }
                }
                for op in &data.operands {
                    write!(f, " [{op}]")?;
                }
                if !data.clobbers.is_empty() {
                    write!(f, " clobbers {:?}", data.clobbers)?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

struct BuilderBlock {
    params: Vec<VReg>,
    insts: Vec<TestInst>,
    succs: Vec<Block>,
    branch_args: Vec<Vec<VReg>>,
}

/// Builds a [`TestFunction`] block by block.
///
/// Blocks are laid out in creation order; instructions may be appended to
/// any block in any order, and are numbered when [`finish`](Self::finish)
/// lays the function out. Predecessor lists are derived from the branches.
/// The builder does not validate: that is the allocator's job.
#[derive(Default)]
pub struct FunctionBuilder {
    blocks: Vec<BuilderBlock>,
    num_vregs: usize,
}

impl FunctionBuilder {
    /// An empty function.
    pub fn new() -> FunctionBuilder {
        FunctionBuilder::default()
    }

    /// A fresh virtual register.
    pub fn vreg(&mut self, class: RegClass) -> VReg {
        let v = VReg::new(self.num_vregs, class);
        self.num_vregs += 1;
        v
    }

    /// A new block at the end of the layout.
    pub fn block(&mut self) -> Block {
        self.blocks.push(BuilderBlock {
            params: Vec::new(),
            insts: Vec::new(),
            succs: Vec::new(),
            branch_args: Vec::new(),
        });
        Block::new(self.blocks.len() - 1)
    }

    /// Adds a parameter to `block`.
    pub fn param(&mut self, block: Block, vreg: VReg) {
        self.blocks[block.index()].params.push(vreg);
    }

    /// Appends an ordinary instruction.
    pub fn inst(&mut self, block: Block, operands: &[Operand], clobbers: PRegSet) {
        self.push(block, InstKind::Op, operands, clobbers);
    }

    /// Ends `block` with a branch without operands to `target`.
    pub fn jump(&mut self, block: Block, target: Block, args: &[VReg]) {
        self.branch(block, &[], &[(target, args)]);
    }

    /// Ends `block` with a branch with the given operands to the given
    /// successors and arguments.
    pub fn branch(&mut self, block: Block, operands: &[Operand], targets: &[(Block, &[VReg])]) {
        self.push(block, InstKind::Branch, operands, PRegSet::empty());
        let data = &mut self.blocks[block.index()];
        for (target, args) in targets {
            data.succs.push(*target);
            data.branch_args.push(args.to_vec());
        }
    }

    /// Ends `block` with a return using `operands`.
    pub fn ret(&mut self, block: Block, operands: &[Operand]) {
        self.push(block, InstKind::Ret, operands, PRegSet::empty());
    }

    fn push(&mut self, block: Block, kind: InstKind, operands: &[Operand], clobbers: PRegSet) {
        self.blocks[block.index()].insts.push(TestInst {
            kind,
            operands: operands.to_vec(),
            clobbers,
        });
    }

    /// Lays the function out.
    pub fn finish(self) -> TestFunction {
        let mut preds = vec![Vec::new(); self.blocks.len()];
        for (b, block) in self.blocks.iter().enumerate() {
            for succ in &block.succs {
                preds[succ.index()].push(Block::new(b));
            }
        }
        let mut func = TestFunction {
            num_vregs: self.num_vregs,
            ..TestFunction::default()
        };
        for (block, preds) in self.blocks.into_iter().zip(preds) {
            let start = Inst::new(func.insts.len());
            func.insts.extend(block.insts);
            func.blocks.push(TestBlock {
                insts: InstRange::new(start, Inst::new(func.insts.len())),
                params: block.params,
                succs: block.succs,
                preds,
                branch_args: block.branch_args,
            });
        }
        func
    }
}
