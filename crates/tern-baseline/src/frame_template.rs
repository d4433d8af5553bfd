//! The fixed instructions of the prologue and the return sequence, encoded
//! once and copied into every function.
//!
//! Every prologue is the same instructions but for two 32-bit fields (the
//! frame size and the stack-limit displacement, patched at the end, see
//! `frame.rs`), the zeroing of the declared locals, and the setup of the
//! memory-base register, which only modules with a memory have. Every
//! return sequence is a choice among the same restores followed by the same
//! three instructions. Encoding those instructions one call at a time cost
//! about 1,600 machine instructions per function, as much as the body of a
//! small function; copying them costs a few dozen. (sqlite3 has 2,562
//! functions, and modules made of small functions are dominated by this.)
//!
//! The templates are produced by the real assembler, with the same calls the
//! prologue used to make, so the code is byte for byte what encoding each
//! instruction in place gives, and no encoding is written down twice. They
//! depend on the module only through the memory-base displacement in the
//! vmctx, so a function compiler builds them again only when that changes
//! (once per module).
//!
//! ```text
//! head      push rbp; mov rbp, rsp; mov r11, [rdi + store context]
//!           lea rax, [rsp - checked]; cmp rax, [r11 + stack limit]
//!           (jb stack_overflow: emitted in place, it targets a label)
//! saves     sub rsp, frame size; mov [rbp - 8], r14; (mov [rbp - 16], r15)
//!           mov [rbp - 24], rbx; mov [rbp - 32], r12; mov [rbp - 40], r13
//! zeroing  xor r11d, r11d; mov [rbp - 56], r11; mov [rbp - 64], r11 ...
//!           (the stores of a few locals are copied, a loop is encoded)
//! setup     mov r14, rdi; (mov r15, [rdi + memory base])
//! restores  mov rbx, [rbp - 24] ... mov r15, [rbp - 16], one chosen each
//! leave     mov rsp, rbp; pop rbp; ret
//! ```

use crate::regs::{HEAP_BASE, SCRATCH, VMCTX};
use crate::values::frame_mem;
use std::ops::Range;
use tern_asm::{Amode, Assembler, PReg, RegMemImm, Size, regs};
use tern_environ::{MemoryIndex, ModuleInfo, VMOffsets, store_context};

/// Bytes of the fixed area below `rbp` (saved registers, return-area
/// pointer).
pub(crate) const FIXED_AREA: i32 = 48;
/// Save slots of the allocatable callee-saved registers.
pub(crate) const CALLEE_SAVES: [(PReg, i32); 3] =
    [(regs::RBX, -24), (regs::R12, -32), (regs::R13, -40)];
/// Bytes of the save of an allocatable callee-saved register
/// (`mov [rbp + disp8], reg`).
pub(crate) const CALLEE_SAVE_LEN: usize = 4;
/// Save slot of the vmctx register.
const VMCTX_SAVE: i32 = -8;
/// Save slot of the memory-base register.
const HEAP_BASE_SAVE: i32 = -16;
/// Placeholder for patched 32-bit fields (forces the 32-bit encoding).
const PLACEHOLDER: i32 = 0x7fff_0000;
/// The number of frame homes (from the first) whose zeroing store has a
/// template: enough for a few declared locals after the register
/// parameters of most functions.
pub(crate) const ZEROED_HOMES: usize = 24;

/// The encoded templates, and where their variable parts are. Offsets are
/// into `bytes`; [`Piece::rebase`] turns them into code offsets.
#[derive(Default)]
pub(crate) struct FrameTemplate {
    /// The memory-base displacement the templates were built for (`None`
    /// inside: the module has no memory), or `None` before the first
    /// build.
    built_for: Option<Option<i32>>,
    bytes: Vec<u8>,
    pub(crate) head: Piece,
    /// The stack-limit displacement in the head.
    pub(crate) stack_check_field: u32,
    pub(crate) saves: Piece,
    /// The `sub rsp` immediate in the saves.
    pub(crate) frame_size_field: u32,
    /// The save of the vmctx and memory-base registers (the latter empty
    /// without a memory), and of the allocatable callee-saved registers.
    pub(crate) vmctx_save: Range<u32>,
    pub(crate) heap_base_save: Range<u32>,
    pub(crate) callee_saves: [Range<u32>; 3],
    /// `xor r11d, r11d`, which the zeroing stores store.
    pub(crate) zero: Piece,
    /// The store zeroing frame home `k` (`[rbp - FIXED_AREA - 8 - 8k]`)
    /// is `bytes[zero_stores[k]..zero_stores[k + 1]]`; the stores of
    /// consecutive homes are consecutive.
    pub(crate) zero_stores: [u32; ZEROED_HOMES + 1],
    pub(crate) setup: Piece,
    /// The setup of the vmctx and memory-base registers in `setup`.
    pub(crate) vmctx_setup: Range<u32>,
    pub(crate) heap_base_setup: Range<u32>,
    /// The restores, in the order of [`CALLEE_SAVES`], then the vmctx's
    /// and the memory base's.
    pub(crate) restores: [Range<u32>; 5],
    pub(crate) leave: Range<u32>,
}

/// A run of template bytes copied as a whole.
#[derive(Default, Clone, Copy)]
pub(crate) struct Piece {
    start: u32,
    end: u32,
}

impl Piece {
    fn new(range: Range<u32>) -> Piece {
        Piece {
            start: range.start,
            end: range.end,
        }
    }

    /// The code offset of template offset `at` (inside this piece) once
    /// the piece is copied to code offset `copied_at`.
    pub(crate) fn rebase(self, at: u32, copied_at: u32) -> u32 {
        debug_assert!((self.start..=self.end).contains(&at));
        at - self.start + copied_at
    }

    /// [`Piece::rebase`] for a range.
    pub(crate) fn rebase_range(self, range: &Range<u32>, copied_at: u32) -> (u32, u32) {
        (
            self.rebase(range.start, copied_at),
            self.rebase(range.end, copied_at),
        )
    }
}

impl FrameTemplate {
    /// Makes the templates those of `module` (whose vmctx layout is
    /// `offsets`).
    pub(crate) fn prepare(&mut self, module: &ModuleInfo, offsets: &VMOffsets) {
        let heap_base_disp =
            (!module.memories.is_empty()).then(|| offsets.memory_base(MemoryIndex(0)) as i32);
        if self.built_for != Some(heap_base_disp) {
            *self = FrameTemplate::build(heap_base_disp);
        }
    }

    /// Appends `piece` to `asm`; returns the code offset it starts at.
    #[inline]
    pub(crate) fn copy(&self, piece: Piece, asm: &mut Assembler) -> u32 {
        self.copy_range(piece.start..piece.end, asm)
    }

    /// Appends the bytes of `range` to `asm`; returns the code offset they
    /// start at.
    #[inline]
    pub(crate) fn copy_range(&self, range: Range<u32>, asm: &mut Assembler) -> u32 {
        debug_assert!(self.built_for.is_some(), "template not prepared");
        let at = asm.offset();
        asm.buffer_mut()
            .put_bytes(&self.bytes[range.start as usize..range.end as usize]);
        at
    }

    fn build(heap_base_disp: Option<i32>) -> FrameTemplate {
        let mut a = Assembler::new();
        let mark = |a: &Assembler, start: u32| start..a.offset();

        a.push(regs::RBP);
        a.mov_rm(Size::S64, regs::RBP, regs::RSP);
        a.mov_rm(
            Size::S64,
            SCRATCH,
            Amode::base_disp(regs::RDI, VMOffsets::STORE_CONTEXT as i32),
        );
        a.lea(
            Size::S64,
            regs::RAX,
            Amode::base_disp(regs::RSP, -PLACEHOLDER),
        );
        let stack_check_field = a.offset() - 4;
        a.cmp(
            Size::S64,
            regs::RAX,
            Amode::base_disp(SCRATCH, store_context::STACK_LIMIT as i32),
        );
        let head = Piece::new(0..a.offset());

        let start = a.offset();
        a.sub(Size::S64, regs::RSP, RegMemImm::Imm(PLACEHOLDER));
        let frame_size_field = a.offset() - 4;
        let at = a.offset();
        a.mov_mr(Size::S64, frame_mem(VMCTX_SAVE), VMCTX);
        let vmctx_save = mark(&a, at);
        let at = a.offset();
        if heap_base_disp.is_some() {
            a.mov_mr(Size::S64, frame_mem(HEAP_BASE_SAVE), HEAP_BASE);
        }
        let heap_base_save = mark(&a, at);
        let callee_saves = CALLEE_SAVES.map(|(reg, offset)| {
            let at = a.offset();
            a.mov_mr(Size::S64, frame_mem(offset), reg);
            assert_eq!((a.offset() - at) as usize, CALLEE_SAVE_LEN);
            mark(&a, at)
        });
        let saves = Piece::new(start..a.offset());

        let start = a.offset();
        a.xor(Size::S32, SCRATCH, SCRATCH);
        let zero = Piece::new(start..a.offset());
        let mut zero_stores = [0; ZEROED_HOMES + 1];
        for (k, at) in zero_stores.iter_mut().enumerate() {
            *at = a.offset();
            if k < ZEROED_HOMES {
                a.mov_mr(
                    Size::S64,
                    frame_mem(-FIXED_AREA - 8 - 8 * k as i32),
                    SCRATCH,
                );
            }
        }

        let start = a.offset();
        a.mov_rm(Size::S64, VMCTX, regs::RDI);
        let vmctx_setup = mark(&a, start);
        let at = a.offset();
        if let Some(disp) = heap_base_disp {
            a.mov_rm(Size::S64, HEAP_BASE, Amode::base_disp(regs::RDI, disp));
        }
        let heap_base_setup = mark(&a, at);
        let setup = Piece::new(start..a.offset());

        let restore = |a: &mut Assembler, reg: PReg, offset: i32| {
            let at = a.offset();
            a.mov_rm(Size::S64, reg, frame_mem(offset));
            at..a.offset()
        };
        let [(r0, o0), (r1, o1), (r2, o2)] = CALLEE_SAVES;
        let restores = [
            restore(&mut a, r0, o0),
            restore(&mut a, r1, o1),
            restore(&mut a, r2, o2),
            restore(&mut a, VMCTX, VMCTX_SAVE),
            restore(&mut a, HEAP_BASE, HEAP_BASE_SAVE),
        ];
        let at = a.offset();
        a.mov_rm(Size::S64, regs::RSP, regs::RBP);
        a.pop(regs::RBP);
        a.ret();
        let leave = mark(&a, at);

        FrameTemplate {
            built_for: Some(heap_base_disp),
            bytes: a.buffer().data().to_vec(),
            head,
            stack_check_field,
            saves,
            frame_size_field,
            vmctx_save,
            heap_base_save,
            callee_saves,
            zero,
            zero_stores,
            setup,
            vmctx_setup,
            heap_base_setup,
            restores,
            leave,
        }
    }
}
