//! Control frames and the structured control-flow operators.
//!
//! Each `block`, `loop`, `if` and the function body itself has a
//! [`ControlFrame`]: its branch label, the stack height below it, its arity
//! and, once something branches to it, its merge target (see `merge.rs`).
//!
//! Code after an unconditional transfer (`br`, `br_table`, `return`,
//! `unreachable`) is unreachable: the operator visitor skips everything but
//! the structure (`block`/`loop`/`if`/`else`/`end`), which it still tracks
//! so that the frames match the validator's. Code becomes reachable again
//! at an `else` (if the `if` was reachable) or at an `end` that something
//! branches to.
//!
//! `br_if` with a target whose merge state already matches the current
//! state is a single conditional jump; otherwise the moves run on the taken
//! path only (`j!cond skip; moves; jmp target; skip:`). `br_table` jumps
//! through a table to the targets directly, or to a stub that does that
//! target's moves.

use crate::emitter::{Emitter, Result};
use crate::merge::State;
use crate::regs::{INT_CALLER_SAVED, SCRATCH, allocatable, class_of};
use crate::values::{Loc, Src, Value, frame_mem};
use tern_asm::{Cond, Label, PRegSet, RegClass, RegMemImm, Size, TrapCode};
use tern_environ::wasmparser::{BlockType, BrTable};
use tern_environ::{TypeIndex, ValType, abi::first_result_reg, convert_val_type};

/// What opened a control frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FrameKind {
    /// The function body: branching to it returns.
    Function,
    Block,
    Loop,
    /// An `if` whose `else` has not been seen.
    If,
    /// The `else` arm of an `if`.
    Else,
}

/// One level of structured control flow.
pub(crate) struct ControlFrame {
    pub(crate) kind: FrameKind,
    /// Where branches to this frame go (a loop's header, else the end).
    pub(crate) label: Label,
    /// The `if`'s jump to its `else` arm (or to its end, if none).
    pub(crate) else_label: Option<Label>,
    /// Stack height below the frame's parameters. (This and the arities
    /// are 32-bit, which keeps a frame within the size that is copied
    /// inline when frames are pushed and popped, rather than by a call to
    /// `memcpy`.)
    base: u32,
    params: u32,
    results: u32,
    /// The merge target of branches to this frame, once one exists.
    pub(crate) target: Option<State>,
    /// An `if`'s state at entry, for its `else` arm.
    pub(crate) else_state: Option<State>,
    /// Whether the frame's start was reachable.
    pub(crate) reachable_at_entry: bool,
}

impl ControlFrame {
    /// The stack height below the frame's parameters.
    pub(crate) fn base(&self) -> usize {
        self.base as usize
    }

    /// The number of values a branch to this frame carries.
    pub(crate) fn branch_arity(&self) -> usize {
        (match self.kind {
            FrameKind::Loop => self.params,
            _ => self.results,
        }) as usize
    }

    /// Whether merge targets of this frame include the locals (after the
    /// function's end, locals are dead).
    pub(crate) fn merges_locals(&self) -> bool {
        self.kind != FrameKind::Function
    }
}

impl Emitter<'_> {
    /// The parameter and result counts of a block type.
    fn block_arity(&self, ty: BlockType) -> Result<(usize, usize)> {
        Ok(match ty {
            BlockType::Empty => (0, 0),
            BlockType::Type(t) => {
                convert_val_type(t).map_err(|e| self.unsupported(e))?;
                (0, 1)
            }
            BlockType::FuncType(index) => {
                let ty = &self.module.types[TypeIndex(index).index()];
                (ty.params.len(), ty.results.len())
            }
        })
    }

    fn push_frame(&mut self, kind: FrameKind, ty: BlockType) -> Result<&mut ControlFrame> {
        let (params, results) = self.block_arity(ty)?;
        let label = self.asm.new_label();
        let base = if self.reachable {
            self.stack.len() - params
        } else {
            self.stack.len()
        };
        self.control.push(ControlFrame {
            kind,
            label,
            else_label: None,
            base: base as u32,
            params: params as u32,
            results: results as u32,
            target: None,
            else_state: None,
            reachable_at_entry: self.reachable,
        });
        Ok(self.control.last_mut().expect("just pushed"))
    }

    /// Opens the function's frame. Its merge target is fixed: the first
    /// result in the ABI's return register, the others in the slots of
    /// their positions (from where the return sequence copies them to the
    /// return area); locals are dead.
    pub(crate) fn begin_body(&mut self) {
        let func_type = self.func_type;
        let mut target = self.take_state();
        for (i, &ty) in func_type.results.iter().enumerate() {
            let loc = if i == 0 {
                Loc::Reg(first_result_reg(ty))
            } else {
                Loc::Spilled
            };
            target.stack.push(Value::new(ty, loc));
        }
        let label = self.asm.new_label();
        self.control.push(ControlFrame {
            kind: FrameKind::Function,
            label,
            else_label: None,
            base: 0,
            params: 0,
            results: func_type.results.len() as u32,
            target: Some(target),
            else_state: None,
            reachable_at_entry: true,
        });
    }

    /// Returns a frame's state vectors to the spares.
    pub(crate) fn release_frame_states(&mut self, frame: ControlFrame) {
        if let Some(state) = frame.target {
            self.give_state(state);
        }
        if let Some(state) = frame.else_state {
            self.give_state(state);
        }
    }

    /// The index in `self.control` of the frame `depth` levels out.
    fn frame_index(&self, depth: u32) -> usize {
        self.control.len() - 1 - depth as usize
    }

    /// Makes sure frame `index` has a merge target (built from the current
    /// state).
    fn ensure_target(&mut self, index: usize) {
        if self.control[index].target.is_none() {
            let frame = &self.control[index];
            let (with_locals, base, arity) =
                (frame.merges_locals(), frame.base(), frame.branch_arity());
            let target = self.build_target(with_locals, base, arity);
            self.control[index].target = Some(target);
        }
    }

    /// Emits the moves from the current state to frame `index`'s target.
    fn transfer_to_frame(&mut self, index: usize) {
        self.ensure_target(index);
        let frame = &mut self.control[index];
        let target = frame.target.take().expect("ensured");
        let (with_locals, base, arity) =
            (frame.merges_locals(), frame.base(), frame.branch_arity());
        self.transfer(&target, with_locals, base, arity);
        self.control[index].target = Some(target);
    }

    /// Whether branching from here to frame `index` needs moves.
    fn branch_needs_moves(&mut self, index: usize) -> bool {
        self.ensure_target(index);
        let frame = &self.control[index];
        let target = frame.target.as_ref().expect("ensured");
        self.needs_transfer(
            target,
            frame.merges_locals(),
            frame.base(),
            frame.branch_arity(),
        )
    }

    /// Makes frame `index`'s merge target the current state.
    fn enter_target(&mut self, index: usize) {
        let frame = &mut self.control[index];
        let target = frame.target.take().expect("a target to enter");
        let with_locals = frame.merges_locals();
        self.restore_state(&target, with_locals);
        self.control[index].target = Some(target);
    }

    /// An unconditional branch to the frame `depth` levels out.
    fn branch(&mut self, depth: u32) {
        let index = self.frame_index(depth);
        self.transfer_to_frame(index);
        let label = self.control[index].label;
        self.asm.jmp(label);
    }

    /// Turns a popped condition into the condition code under which it is
    /// true, emitting the test. `None` for a constant (`Some(true)` /
    /// `Some(false)` in the second field).
    fn condition(&mut self, cond: Value) -> std::result::Result<Cond, bool> {
        match cond.loc {
            Loc::Flags(c) => Ok(c),
            Loc::Const(c) => Err(c != 0),
            Loc::Reg(r) => {
                self.asm.test(Size::S32, r, r);
                Ok(Cond::NE)
            }
            Loc::Spilled | Loc::Local(_) => {
                let src = self.src_of(self.stack.len(), cond);
                let Src::Mem(offset) = src else {
                    unreachable!("a slot or a local's home")
                };
                self.asm.cmp_mem(Size::S32, frame_mem(offset), 0);
                Ok(Cond::NE)
            }
        }
    }

    pub(crate) fn visit_block(&mut self, ty: BlockType) -> Result {
        self.push_frame(FrameKind::Block, ty)?;
        Ok(())
    }

    pub(crate) fn visit_loop(&mut self, ty: BlockType) -> Result {
        self.push_frame(FrameKind::Loop, ty)?;
        if !self.reachable {
            return Ok(());
        }
        self.promote_loop_locals();
        let index = self.control.len() - 1;
        let frame = &self.control[index];
        let (base, params) = (frame.base(), frame.branch_arity());
        let target = self.build_target(true, base, params);
        self.transfer(&target, true, base, params);
        self.restore_state(&target, true);
        self.control[index].target = Some(target);
        let label = self.control[index].label;
        self.asm.bind_label(label);
        Ok(())
    }

    /// Reads ahead over the loop starting at the current operator (see
    /// `loop_scan.rs`).
    pub(crate) fn scan_loop(&mut self) {
        let at = (self.offset - self.code_offset) as usize;
        let num_locals = self.locals.len();
        self.loop_scanner
            .scan(&self.code[at..], num_locals, &mut self.loop_summary);
    }

    /// Before a loop header: loads the loop's most used locals into free
    /// registers, leaving some free for the body's temporaries. If the body
    /// calls, integer locals go to callee-saved registers, which survive
    /// the calls (locals already in caller-saved registers move there), and
    /// floats stay in memory (every float register is caller-saved).
    fn promote_loop_locals(&mut self) {
        const RESERVE: usize = 4;
        let summary = std::mem::take(&mut self.loop_summary);
        let free = |this: &Self, class| allocatable(class).difference(this.regs.used()).len();
        let mut int_budget = free(self, RegClass::Int).saturating_sub(RESERVE);
        let mut float_budget = if summary.calls {
            0
        } else {
            free(self, RegClass::Float).saturating_sub(RESERVE)
        };
        for &(index, uses) in &summary.hot_locals {
            if uses < 2 || (int_budget == 0 && float_budget == 0) {
                break;
            }
            let local = self.locals.get(index);
            let class = class_of(local.ty);
            let budget = match class {
                RegClass::Int => &mut int_budget,
                RegClass::Float => &mut float_budget,
            };
            let to_callee_saved = summary.calls && class == RegClass::Int;
            let (src, current) = match local.loc {
                Loc::Spilled | Loc::Const(_) => (self.local_src(index), None),
                Loc::Reg(r) if to_callee_saved && INT_CALLER_SAVED.contains(r) => {
                    (Src::Reg(r), Some(r))
                }
                _ => continue,
            };
            if *budget == 0 {
                continue;
            }
            let avoid = if to_callee_saved {
                INT_CALLER_SAVED
            } else {
                PRegSet::empty()
            };
            let Some(reg) = self.regs.free_reg(class, avoid) else {
                continue;
            };
            *budget -= 1;
            self.load(local.ty, reg, src);
            if let Some(old) = current {
                self.regs.release(old);
            }
            self.regs.acquire(reg);
            self.locals.set(index, Loc::Reg(reg));
        }
        self.loop_summary = summary;
    }

    pub(crate) fn visit_if(&mut self, ty: BlockType) -> Result {
        if !self.reachable {
            self.push_frame(FrameKind::If, ty)?;
            return Ok(());
        }
        let cond = self.pop_value();
        let else_label = self.asm.new_label();
        match self.condition(cond) {
            Ok(c) => self.asm.jcc(c.invert(), else_label),
            Err(true) => {}
            Err(false) => self.asm.jmp(else_label),
        }
        let state = self.snapshot();
        let frame = self.push_frame(FrameKind::If, ty)?;
        frame.else_label = Some(else_label);
        frame.else_state = Some(state);
        Ok(())
    }

    pub(crate) fn visit_else(&mut self) -> Result {
        let index = self.control.len() - 1;
        if !self.control[index].reachable_at_entry {
            self.control[index].kind = FrameKind::Else;
            return Ok(());
        }
        if self.reachable {
            self.transfer_to_frame(index);
            let label = self.control[index].label;
            self.asm.jmp(label);
        }
        self.enter_else_arm(index);
        self.control[index].kind = FrameKind::Else;
        Ok(())
    }

    /// Starts an `if`'s else arm (explicit or implicit) from its entry
    /// state.
    fn enter_else_arm(&mut self, index: usize) {
        let frame = &mut self.control[index];
        let else_label = frame
            .else_label
            .take()
            .expect("a reachable if has an else label");
        let state = frame
            .else_state
            .take()
            .expect("a reachable if saved its state");
        self.asm.bind_label(else_label);
        self.restore_state(&state, true);
        self.give_state(state);
        self.reachable = true;
    }

    pub(crate) fn visit_end(&mut self) -> Result {
        let index = self.control.len() - 1;
        let kind = self.control[index].kind;
        if !self.control[index].reachable_at_entry {
            let frame = self.control.pop().expect("validated");
            self.release_frame_states(frame);
            return Ok(());
        }
        match kind {
            FrameKind::Loop => {}
            FrameKind::If => {
                // The implicit else arm passes the parameters through.
                if self.reachable {
                    self.transfer_to_frame(index);
                    let label = self.control[index].label;
                    self.asm.jmp(label);
                }
                self.enter_else_arm(index);
                self.join_at_end(index);
            }
            FrameKind::Block | FrameKind::Else | FrameKind::Function => self.join_at_end(index),
        }
        if kind == FrameKind::Function {
            if self.reachable {
                self.emit_return_sequence();
            }
            let frame = self.control.pop().expect("validated");
            self.release_frame_states(frame);
            return Ok(());
        }
        let frame = self.control.pop().expect("validated");
        self.release_frame_states(frame);
        Ok(())
    }

    /// The end of a block-like frame: the fall-through (if reachable) and
    /// the branches meet at the frame's label.
    fn join_at_end(&mut self, index: usize) {
        let has_target = self.control[index].target.is_some();
        if has_target {
            // When the fall-through already matches the target (often: the
            // target was built from a state like this one), the current
            // state is the target and there is nothing to move or restore.
            let matches = self.reachable && !self.branch_needs_moves(index);
            if self.reachable && !matches {
                self.transfer_to_frame(index);
            }
            let label = self.control[index].label;
            self.asm.bind_label(label);
            if !matches {
                self.enter_target(index);
            }
            self.reachable = true;
        } else if self.reachable {
            // Nothing branches here: the current state simply continues.
            let label = self.control[index].label;
            self.asm.bind_label(label);
        }
    }

    pub(crate) fn visit_br(&mut self, depth: u32) -> Result {
        self.branch(depth);
        self.reachable = false;
        Ok(())
    }

    pub(crate) fn visit_return(&mut self) -> Result {
        let depth = (self.control.len() - 1) as u32;
        self.visit_br(depth)
    }

    pub(crate) fn visit_br_if(&mut self, depth: u32) -> Result {
        let cond = self.pop_value();
        let cond = match self.condition(cond) {
            Ok(c) => c,
            Err(true) => return self.visit_br(depth),
            Err(false) => return Ok(()),
        };
        let index = self.frame_index(depth);
        if self.branch_needs_moves(index) {
            let skip = self.asm.new_label();
            self.asm.jcc(cond.invert(), skip);
            self.branch(depth);
            self.asm.bind_label(skip);
        } else {
            let label = self.control[index].label;
            self.asm.jcc(cond, label);
        }
        Ok(())
    }

    pub(crate) fn visit_br_table(&mut self, table: BrTable<'_>) -> Result {
        let (_, index) = self.pop();
        let default = table.default();
        if let Src::Imm(i) = index {
            let depth = table
                .targets()
                .nth(i as u32 as usize)
                .transpose()?
                .unwrap_or(default);
            return self.visit_br(depth);
        }
        // Registers first: allocating may spill, which changes the state
        // the transfers start from.
        let index = self.in_reg(ValType::I32, index, Default::default());
        let temp = self.alloc_reg(tern_asm::RegClass::Int, tern_asm::PRegSet::of(&[index]));
        let mut labels = std::mem::take(&mut self.labels);
        let mut stubs = std::mem::take(&mut self.stubs);
        labels.clear();
        stubs.clear();
        stubs.resize(self.control.len(), None);
        // One label per distinct target depth: the target itself, or a
        // stub doing that target's moves.
        let mut label_for = |this: &mut Self, depth: u32| -> Label {
            if let Some(label) = stubs[depth as usize] {
                return label;
            }
            let frame = this.frame_index(depth);
            let label = if this.branch_needs_moves(frame) {
                this.asm.new_label()
            } else {
                this.control[frame].label
            };
            stubs[depth as usize] = Some(label);
            label
        };
        for depth in table.targets() {
            let depth = depth?;
            let label = label_for(self, depth);
            labels.push(label);
        }
        let default_label = label_for(self, default);
        let count =
            i32::try_from(labels.len()).map_err(|_| self.limit("a br_table with 2^31 targets"))?;
        self.asm.cmp(Size::S32, index, RegMemImm::Imm(count));
        self.asm.jcc(Cond::AE, default_label);
        self.asm.jump_table(index, SCRATCH, temp, &labels);
        for (depth, label) in stubs.iter().enumerate() {
            let Some(label) = *label else { continue };
            let frame = self.frame_index(depth as u32);
            if label != self.control[frame].label {
                self.asm.bind_label(label);
                self.branch(depth as u32);
            }
        }
        self.labels = labels;
        self.stubs = stubs;
        self.reachable = false;
        Ok(())
    }

    pub(crate) fn visit_unreachable(&mut self) -> Result {
        self.trap_here(TrapCode::UnreachableCodeReached);
        self.reachable = false;
        Ok(())
    }

    pub(crate) fn visit_nop(&mut self) -> Result {
        Ok(())
    }
}
