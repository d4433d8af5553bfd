//! From bundle allocations to operand allocations and moves.
//!
//! After allocation every value is a sequence of *pieces* — ranges with
//! their bundle's register or slot. Moves are needed wherever a value must
//! be somewhere other than where it is:
//!
//! * between two consecutive pieces inside a block (a split point);
//! * on a control-flow edge, from the value's location at the end of the
//!   predecessor to its location at the start of the successor, and from
//!   each branch argument to the corresponding block parameter;
//! * into the register of a fixed-register use, and into the register of a
//!   reuse def (the copy of its input);
//! * out of the register of a fixed-register def, into the value's piece.
//!
//! Every move is placed in the *gap* before some instruction. All moves in
//! one gap form a parallel move, resolved by
//! [`MoveResolver`]. For this to be
//! sound, every move of a value in a gap reads the same source: the
//! location the value occupies on *entering* the gap. Inside a block that
//! is the piece covering the previous instruction's late point — or the
//! register of a fixed def made by that instruction. An edge's moves go at
//! the start of the successor when it has a single predecessor (entering
//! location: where the predecessor left the value, with block parameters
//! standing for their arguments), and otherwise before the predecessor's
//! terminator, which then has no operands (checked up front). In that last
//! gap nothing but the edge moves matters, so piece changes there are not
//! materialized. Destinations in a gap are distinct because allocation
//! never puts two values in one place at one point.

use crate::allocator::State;
use crate::env::MachineEnv;
use crate::function::Function;
use crate::ir::{BundleAlloc, NONE, Point, early, late};
use crate::liveness::UNALLOCATED;
use crate::operand::{Constraint, OperandKind};
use crate::output::{Move, Output};
use crate::parallel_move::{MoveResolver, MoveTemps};
use crate::reg::{Allocation, Block, Inst, PReg, RegClass, SpillSlot};
use crate::regmap::RegMap;
use crate::spill::SlotAllocator;

/// Where a value is over `[from, to)`.
#[derive(Clone, Copy, Debug)]
struct Piece {
    from: Point,
    to: Point,
    alloc: Allocation,
}

/// A move wanted in the gap before instruction `gap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Request {
    gap: u32,
    class: u8,
    to: Allocation,
    from: Allocation,
}

/// Buffers of the move phase, reused across runs.
#[derive(Default)]
pub(crate) struct MoveBuffers {
    raw: Vec<(u32, Piece)>,
    /// Each value's pieces, `pieces[offsets[v]..offsets[v + 1]]`, sorted.
    pieces: Vec<Piece>,
    offsets: Vec<u32>,
    requests: Vec<Request>,
    group: Vec<(Allocation, Allocation)>,
    sequence: Vec<(Allocation, Allocation)>,
    resolver: MoveResolver,
    /// Lazily created spill slots for resolving moves, per class.
    extra_slots: [[u32; 3]; 2],
    /// Redundant-move elimination: per location, its value number and the
    /// block in which it was set.
    pub(crate) value_ids: Vec<u32>,
    pub(crate) value_stamps: Vec<u32>,
}

impl State {
    /// Fills in every operand's allocation and inserts the moves.
    pub(crate) fn insert_moves<F: Function>(
        &mut self,
        func: &F,
        env: &MachineEnv,
        out: &mut Output,
    ) {
        self.collect_pieces(out);
        let mut requests = core::mem::take(&mut self.moves.requests);
        requests.clear();
        self.transition_moves(&mut requests);
        self.operand_moves(func, out, &mut requests);
        self.edge_moves(func, &mut requests);
        requests.sort_unstable();
        requests.dedup();
        self.resolve_gaps(env, out, &requests);
        self.moves.requests = requests;
    }

    /// Gathers every value's pieces and gives operands served by a range its
    /// bundle's allocation.
    fn collect_pieces(&mut self, out: &mut Output) {
        let m = &mut self.moves;
        m.raw.clear();
        for b in &self.bundles {
            if b.first == NONE {
                continue;
            }
            let alloc = match b.alloc {
                BundleAlloc::Reg(r) => Allocation::Reg(r),
                BundleAlloc::Spilled => Allocation::Stack(SpillSlot::new(
                    self.spill_sets[b.spill_set as usize].slot as usize,
                )),
                BundleAlloc::None => unreachable!("every bundle is allocated by now"),
            };
            let mut r = b.first;
            while r != NONE {
                let range = self.ranges[r as usize];
                debug_assert!(
                    range.from.is_multiple_of(2)
                        || range.from == self.live.vregs[range.vreg as usize].def
                );
                m.raw.push((
                    range.vreg,
                    Piece {
                        from: range.from,
                        to: range.to,
                        alloc,
                    },
                ));
                for u in &self.live.uses[range.uses_start as usize..range.uses_end as usize] {
                    if u.kind.takes_range_alloc() {
                        out.allocs[u.operand as usize] = alloc;
                    }
                }
                r = range.next;
            }
        }
        let num_vregs = self.live.vregs.len();
        m.offsets.clear();
        m.offsets.resize(num_vregs + 1, 0);
        for &(v, _) in &m.raw {
            m.offsets[v as usize + 1] += 1;
        }
        for v in 0..num_vregs {
            m.offsets[v + 1] += m.offsets[v];
        }
        m.pieces.clear();
        m.pieces.resize(
            m.raw.len(),
            Piece {
                from: 0,
                to: 0,
                alloc: UNALLOCATED,
            },
        );
        for &(v, piece) in &m.raw {
            m.pieces[m.offsets[v as usize] as usize] = piece;
            m.offsets[v as usize] += 1;
        }
        for v in (1..=num_vregs).rev() {
            m.offsets[v] = m.offsets[v - 1];
        }
        m.offsets[0] = 0;
        for v in 0..num_vregs {
            let range = m.offsets[v] as usize..m.offsets[v + 1] as usize;
            m.pieces[range].sort_unstable_by_key(|p| p.from);
        }
    }

    fn pieces_of(&self, v: u32) -> &[Piece] {
        let m = &self.moves;
        &m.pieces[m.offsets[v as usize] as usize..m.offsets[v as usize + 1] as usize]
    }

    /// Where value `v` is at point `p`.
    fn location_at(&self, v: u32, p: Point) -> Allocation {
        let pieces = self.pieces_of(v);
        let i = pieces.partition_point(|piece| piece.to <= p);
        debug_assert!(
            i < pieces.len() && pieces[i].from <= p,
            "v{v} is live at point {p}"
        );
        pieces[i].alloc
    }

    /// Where value `v` is on entering the gap before instruction `inst`.
    fn entering<F: Function>(&self, func: &F, v: u32, inst: u32) -> Allocation {
        let info = self.live.vregs[v as usize];
        if let Some(r) = info.fixed_def
            && inst > 0
            && info.def == late(inst - 1)
        {
            return Allocation::Reg(r);
        }
        let block = self.cfg.inst_block[inst as usize];
        if self.cfg.block_first[block as usize] != inst {
            return self.location_at(v, early(inst) - 1);
        }
        if !self.cfg.moves_at_entry[block as usize] {
            return self.location_at(v, early(inst));
        }
        // The edge's moves happen here: the value is where the single
        // predecessor left it (a parameter is where its argument was).
        let b = Block::new(block as usize);
        let pred = Block::new(self.cfg.single_pred[block as usize] as usize);
        let pred_end = self.cfg.block_end_point(pred.index() as u32) - 1;
        let source = if info.is_param && info.def_block == block {
            let k = func
                .block_params(b)
                .iter()
                .position(|p| p.index() == v as usize)
                .expect("a parameter of its block");
            let j = func
                .block_succs(pred)
                .iter()
                .position(|&s| s == b)
                .expect("validated edge");
            func.branch_args(pred, j)[k].index() as u32
        } else {
            v
        };
        self.location_at(source, pred_end)
    }

    fn request(
        &self,
        requests: &mut Vec<Request>,
        gap: u32,
        v: u32,
        from: Allocation,
        to: Allocation,
    ) {
        if from != to {
            requests.push(Request {
                gap,
                class: self.live.vregs[v as usize].class as u8,
                to,
                from,
            });
        }
    }

    /// Moves out of fixed-def registers into the value's first piece, and
    /// between consecutive pieces of a value inside a block.
    fn transition_moves(&self, requests: &mut Vec<Request>) {
        for v in 0..self.live.vregs.len() as u32 {
            let pieces = self.pieces_of(v);
            let info = self.live.vregs[v as usize];
            if let (Some(r), Some(first)) = (info.fixed_def, pieces.first()) {
                // The def is in `r` during its instruction; if the first
                // piece goes on past the next gap, the value moves there.
                let gap = info.def / 2 + 1;
                if first.to > early(gap) && !self.cfg.is_exit_gap(gap) {
                    self.request(requests, gap, v, Allocation::Reg(r), first.alloc);
                }
            }
            for w in pieces.windows(2) {
                let (p, q) = (w[0], w[1]);
                if p.to != q.from {
                    continue;
                }
                debug_assert!(q.from.is_multiple_of(2), "pieces change only at gaps");
                let gap = q.from / 2;
                if self.cfg.is_block_start(gap) || self.cfg.is_exit_gap(gap) {
                    continue;
                }
                let from = match self.live.vregs[v as usize].fixed_def {
                    Some(r) if self.live.vregs[v as usize].def == q.from - 1 => Allocation::Reg(r),
                    _ => p.alloc,
                };
                self.request(requests, gap, v, from, q.alloc);
            }
        }
    }

    /// Copies into fixed-use and reuse-def registers; fills in reuse inputs'
    /// allocations.
    fn operand_moves<F: Function>(&self, func: &F, out: &mut Output, requests: &mut Vec<Request>) {
        for i in 0..func.num_insts() as u32 {
            let ops = func.inst_operands(Inst::new(i as usize));
            let base = out.inst_alloc_offsets[i as usize] as usize;
            for (k, op) in ops.iter().enumerate() {
                let v = op.vreg().index() as u32;
                match (op.kind(), op.constraint()) {
                    (OperandKind::Use, Constraint::Fixed(r)) => {
                        let from = self.entering(func, v, i);
                        self.request(requests, i, v, from, Allocation::Reg(r));
                    }
                    (OperandKind::Def, Constraint::Reuse(j)) => {
                        let input = ops[j as usize].vreg().index() as u32;
                        let to = out.allocs[base + k];
                        out.allocs[base + j as usize] = to;
                        let from = self.entering(func, input, i);
                        self.request(requests, i, input, from, to);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Moves on control-flow edges: live-in values and block parameters.
    fn edge_moves<F: Function>(&self, func: &F, requests: &mut Vec<Request>) {
        let cfg = &self.cfg;
        let num_blocks = cfg.block_first.len() as u32;
        for v in 0..self.live.vregs.len() as u32 {
            let def_block = self.live.vregs[v as usize].def_block;
            for piece in self.pieces_of(v) {
                let mut b = cfg.inst_block[(piece.from / 2) as usize];
                if cfg.block_start_point(b) < piece.from {
                    b += 1;
                }
                while b < num_blocks && cfg.block_start_point(b) < piece.to {
                    if b != def_block {
                        self.edge_into(func, requests, b, v, false, piece.alloc);
                    }
                    b += 1;
                }
            }
        }
        for b in 0..num_blocks {
            for &p in func.block_params(Block::new(b as usize)) {
                let v = p.index() as u32;
                if self.pieces_of(v).is_empty() {
                    continue;
                }
                let to = self.location_at(v, cfg.block_start_point(b));
                self.edge_into(func, requests, b, v, true, to);
            }
        }
    }

    /// Requests the moves bringing value `v`, live into block `b` (or one of
    /// its parameters, if `is_param`), to `to` along every incoming edge.
    /// A parameter's source on each edge is the edge's argument.
    fn edge_into<F: Function>(
        &self,
        func: &F,
        requests: &mut Vec<Request>,
        b: u32,
        v: u32,
        is_param: bool,
        to: Allocation,
    ) {
        let cfg = &self.cfg;
        let first = cfg.block_first[b as usize];
        if cfg.is_exit_gap(first) {
            // The block is just a jump whose moves come later in this gap.
            return;
        }
        if cfg.moves_at_entry[b as usize] {
            let from = self.entering(func, v, first);
            self.request(requests, first, v, from, to);
            return;
        }
        let block = Block::new(b as usize);
        let k = if is_param {
            func.block_params(block)
                .iter()
                .position(|p| p.index() == v as usize)
                .expect("a parameter of its block")
        } else {
            0
        };
        for &pred in func.block_preds(block) {
            let term = cfg.terminator(pred.index() as u32);
            let source = if is_param {
                let j = func
                    .block_succs(pred)
                    .iter()
                    .position(|&s| s == block)
                    .expect("validated edge");
                func.branch_args(pred, j)[k].index() as u32
            } else {
                v
            };
            let from = self.entering(func, source, term);
            self.request(requests, term, v, from, to);
        }
    }

    /// Resolves each gap's parallel move into output edits.
    fn resolve_gaps(&mut self, env: &MachineEnv, out: &mut Output, requests: &[Request]) {
        self.moves.extra_slots = [[NONE; 3]; 2];
        let mut group = core::mem::take(&mut self.moves.group);
        let mut sequence = core::mem::take(&mut self.moves.sequence);
        let mut resolver = core::mem::take(&mut self.moves.resolver);
        let mut i = 0;
        while i < requests.len() {
            let (gap, class) = (requests[i].gap, requests[i].class);
            group.clear();
            while i < requests.len() && requests[i].gap == gap && requests[i].class == class {
                let r = requests[i];
                debug_assert!(
                    group.last().is_none_or(|&(_, to)| to != r.to),
                    "two values moved to {} before inst{gap}",
                    r.to
                );
                group.push((r.from, r.to));
                i += 1;
            }
            let class = RegClass::ALL[class as usize];
            let mut temps = GapTemps {
                env,
                regs: &self.regs,
                class_regs: &self.class_regs,
                points: self.gap_points(gap),
                extra_slots: &mut self.moves.extra_slots,
                slots: &mut self.slots,
                out_slots: &mut out.spill_slots,
            };
            sequence.clear();
            resolver.resolve(&group, class, &mut temps, &mut sequence);
            for &(from, to) in &sequence {
                out.edits
                    .push((Inst::new(gap as usize), Move { from, to, class }));
            }
        }
        self.moves.group = group;
        self.moves.sequence = sequence;
        self.moves.resolver = resolver;
    }

    /// The points whose occupants must survive the gap before `inst`: the
    /// state entering it and the state leaving it.
    fn gap_points(&self, inst: u32) -> [Point; 2] {
        let block = self.cfg.inst_block[inst as usize];
        if self.cfg.block_first[block as usize] != inst {
            return [early(inst) - 1, early(inst)];
        }
        if self.cfg.moves_at_entry[block as usize] {
            // Entering state: the single predecessor's last point.
            let pred = self.cfg.single_pred[block as usize];
            return [self.cfg.block_end_point(pred) - 1, early(inst)];
        }
        [early(inst), early(inst)]
    }
}

/// Temporaries for resolving the parallel move of one gap.
struct GapTemps<'a> {
    env: &'a MachineEnv,
    regs: &'a RegMap,
    class_regs: &'a [Vec<PReg>; 2],
    points: [Point; 2],
    extra_slots: &'a mut [[u32; 3]; 2],
    slots: &'a mut SlotAllocator,
    out_slots: &'a mut Vec<RegClass>,
}

fn named(moves: &[(Allocation, Allocation)], r: PReg) -> bool {
    let a = Allocation::Reg(r);
    moves.iter().any(|&(s, d)| s == a || d == a)
}

impl MoveTemps for GapTemps<'_> {
    fn free_reg(&mut self, class: RegClass, moves: &[(Allocation, Allocation)]) -> Option<PReg> {
        if let Some(r) = self.env.class(class).scratch {
            return Some(r);
        }
        self.class_regs[class.index()].iter().copied().find(|&r| {
            !named(moves, r) && !self.points.iter().any(|&p| self.regs.reg(r).occupied_at(p))
        })
    }

    fn victim_reg(&mut self, class: RegClass, moves: &[(Allocation, Allocation)]) -> PReg {
        let regs = &self.class_regs[class.index()];
        regs.iter()
            .copied()
            .find(|&r| !named(moves, r))
            .unwrap_or(regs[0])
    }

    fn extra_slot(&mut self, class: RegClass, n: usize) -> SpillSlot {
        let slot = &mut self.extra_slots[class.index()][n];
        if *slot == NONE {
            *slot = self.slots.new_slot(class, self.out_slots);
        }
        SpillSlot::new(*slot as usize)
    }
}
