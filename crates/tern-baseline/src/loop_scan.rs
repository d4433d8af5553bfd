//! A look ahead at a loop's body, to choose which locals live in registers
//! across its iterations.
//!
//! A single-pass compiler fixes the loop header's state before it has seen
//! the body, and every iteration must return to that state. Locals that are
//! in memory at the header therefore stay in memory for the whole loop:
//! each iteration loads them and, if they change, stores them back. Real
//! code keeps its hot variables in locals, and loops are where time goes,
//! so at each `loop` the compiler reads ahead over the body's bytecode
//! (without validating or compiling it) and counts how often each local is
//! used and whether the body calls anything. The header then loads the
//! most used locals into free registers — callee-saved ones if the loop
//! calls, since those survive the calls — leaving a few registers free for
//! the body's temporaries (see `Emitter::promote_loop_locals`).
//!
//! The scan reads each loop's body once, so nested loops are read once per
//! enclosing loop: the cost is the body size times the nesting depth,
//! bounded further by [`MAX_SCANNED`] operators per loop.
//!
//! The scan decodes the raw bytes itself rather than through wasmparser's
//! operator reader: all it needs of most operators is their length, and
//! a table-driven skip over the immediates costs a few instructions per
//! operator where building and dispatching a typed operator costs tens
//! (the scan used to be 7% of compiling sqlite3). It knows the encodings
//! of the proposals Tern compiles (the MVP, sign extension, saturating
//! conversions, bulk memory, reference types); at any other opcode it
//! stops, as it does at malformed or truncated code, keeping what it has
//! counted so far. Stopping early only makes the choice of register locals
//! less informed: the scan never decides anything about correctness, and
//! the validator rejects such code when it reaches it anyway.

/// The most operators read ahead for one loop (a huge loop's body gets the
/// locals that are hot in its first part).
const MAX_SCANNED: u32 = 2_000;

/// What the scan of one loop found.
#[derive(Default)]
pub(crate) struct LoopSummary {
    /// Locals used in the body, with their number of uses, most used first.
    pub(crate) hot_locals: Vec<(u32, u32)>,
    /// Whether the body contains a call (of any kind, including builtins).
    pub(crate) calls: bool,
}

/// Reusable state for scanning loops.
#[derive(Default)]
pub(crate) struct LoopScanner {
    /// Uses per local (zero outside a scan).
    uses: Vec<u32>,
}

impl LoopScanner {
    /// Scans the loop whose `loop` opcode starts `code`, in a function
    /// with `num_locals` locals, into `summary`.
    pub(crate) fn scan(&mut self, code: &[u8], num_locals: usize, summary: &mut LoopSummary) {
        summary.hot_locals.clear();
        summary.calls = false;
        if self.uses.len() < num_locals {
            self.uses.resize(num_locals, 0);
        }
        let mut scan = Scan {
            uses: &mut self.uses[..num_locals],
            touched: &mut summary.hot_locals,
            calls: false,
        };
        // `None`: an opcode the scan does not know, or the end of the code.
        let _ = scan.run(Bytes { code, pos: 0 });
        summary.calls = scan.calls;
        for entry in summary.hot_locals.iter_mut() {
            entry.1 = std::mem::take(&mut self.uses[entry.0 as usize]);
        }
        summary
            .hot_locals
            .sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
}

/// A cursor over the body's bytes; every read is `None` past the end.
struct Bytes<'c> {
    code: &'c [u8],
    pos: usize,
}

impl Bytes<'_> {
    #[inline]
    fn byte(&mut self) -> Option<u8> {
        let byte = *self.code.get(self.pos)?;
        self.pos += 1;
        Some(byte)
    }

    /// Skips one LEB128 number of any width and signedness.
    #[inline]
    fn leb(&mut self) -> Option<()> {
        while self.byte()? & 0x80 != 0 {}
        Some(())
    }

    /// Reads an unsigned LEB128 32-bit number (bits beyond 32 are dropped:
    /// the validator reports such code). Inline for the one-byte case, by
    /// far the most common for local indices and alignments.
    #[inline(always)]
    fn u32(&mut self) -> Option<u32> {
        let byte = self.byte()?;
        if byte & 0x80 == 0 {
            return Some(u32::from(byte));
        }
        self.u32_continued(byte)
    }

    /// The rest of [`Bytes::u32`] after a first byte with more to come.
    #[inline(never)]
    fn u32_continued(&mut self, first: u8) -> Option<u32> {
        let mut value = u32::from(first & 0x7f);
        let mut shift = 7;
        loop {
            let byte = self.byte()?;
            if shift < 32 {
                value |= u32::from(byte & 0x7f) << shift;
            }
            if byte & 0x80 == 0 {
                return Some(value);
            }
            shift += 7;
        }
    }

    #[inline]
    fn skip(&mut self, n: usize) -> Option<()> {
        self.pos = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.code.len())?;
        Some(())
    }
}

/// One scan: counts local uses and calls, and tracks the nesting to stop
/// at the loop's `end`.
struct Scan<'s> {
    uses: &'s mut [u32],
    /// Each local used, once (the count is filled in afterwards).
    touched: &'s mut Vec<(u32, u32)>,
    calls: bool,
}

impl Scan<'_> {
    #[inline]
    fn local(&mut self, index: u32) {
        if let Some(count) = self.uses.get_mut(index as usize) {
            if *count == 0 {
                self.touched.push((index, 0));
            }
            *count += 1;
        }
    }

    /// The cursor is a local of this loop (not a field), so that it lives
    /// in registers.
    fn run(&mut self, mut bytes: Bytes<'_>) -> Option<()> {
        let mut depth = 0u32;
        let mut scanned = 0;
        loop {
            self.operator(&mut bytes, &mut depth)?;
            if depth == 0 || scanned >= MAX_SCANNED {
                return Some(());
            }
            scanned += 1;
        }
    }

    /// Reads one operator, updating the nesting `depth`.
    #[inline(always)]
    fn operator(&mut self, b: &mut Bytes<'_>, depth: &mut u32) -> Option<()> {
        match b.byte()? {
            // block, loop, if: a block type (a one-byte type or an s33 type
            // index, both read as a LEB128).
            0x02..=0x04 => {
                *depth += 1;
                b.leb()?;
            }
            0x0b => *depth = depth.saturating_sub(1),
            // No immediates: unreachable, nop, else, return, drop, select,
            // the numeric operators (sign extension included) and
            // ref.is_null.
            0x00 | 0x01 | 0x05 | 0x0f | 0x1a | 0x1b | 0x45..=0xc4 | 0xd1 => {}
            0x20..=0x22 => {
                let index = b.u32()?;
                self.local(index);
            }
            // One index or constant: br, br_if, global.get/set,
            // table.get/set, memory.size, i32/i64.const, ref.null's heap
            // type, ref.func.
            0x0c | 0x0d | 0x23..=0x26 | 0x3f | 0x41 | 0x42 | 0xd0 | 0xd2 => b.leb()?,
            0x0e => {
                // br_table: the count, the targets and the default.
                let count = b.u32()?;
                for _ in 0..count {
                    b.leb()?;
                }
                b.leb()?;
            }
            0x10 | 0x40 => {
                // call, memory.grow
                self.calls = true;
                b.leb()?;
            }
            0x11 => {
                // call_indirect: type and table.
                self.calls = true;
                b.leb()?;
                b.leb()?;
            }
            0x1c => {
                // select with types: a count of one-byte value types.
                let count = b.u32()?;
                b.skip(count as usize)?;
            }
            0x28..=0x3e => {
                // A memarg: alignment flags (bit 6: a memory index
                // follows) and offset.
                let flags = b.u32()?;
                if flags & (1 << 6) != 0 {
                    b.leb()?;
                }
                b.leb()?;
            }
            0x43 => b.skip(4)?,
            0x44 => b.skip(8)?,
            0xfc => match b.u32()? {
                // The saturating conversions.
                0..=7 => {}
                // data.drop, elem.drop, table.size
                9 | 13 | 16 => b.leb()?,
                // memory.fill, table.grow, table.fill (builtin calls)
                11 | 15 | 17 => {
                    self.calls = true;
                    b.leb()?;
                }
                // memory.init, memory.copy, table.init, table.copy
                // (builtin calls)
                8 | 10 | 12 | 14 => {
                    self.calls = true;
                    b.leb()?;
                    b.leb()?;
                }
                _ => return None,
            },
            _ => return None,
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tern_environ::wasmparser::{self, Operator};

    /// The start of each loop in `body`'s code (after the locals), and the
    /// code.
    fn loops(body: &wasmparser::FunctionBody<'_>) -> (Vec<usize>, Vec<u8>) {
        let start = body.get_operators_reader().unwrap().original_position() as usize;
        let code = body.as_bytes()[start - body.range().start as usize..].to_vec();
        let mut ops = body.get_operators_reader().unwrap();
        let mut loops = Vec::new();
        while !ops.eof() {
            let at = ops.original_position() as usize - start;
            if let Operator::Loop { .. } = ops.read().unwrap() {
                loops.push(at);
            }
        }
        (loops, code)
    }

    /// The same summary computed through wasmparser's operator reader.
    fn reference(code: &[u8], num_locals: usize) -> LoopSummary {
        let reader = wasmparser::BinaryReader::new(code, 0);
        let mut ops = wasmparser::OperatorsReader::new(reader);
        let (mut depth, mut scanned) = (0, 0);
        let mut uses = vec![0u32; num_locals];
        let mut calls = false;
        loop {
            match ops.read().unwrap() {
                Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => depth += 1,
                Operator::End => depth -= 1,
                Operator::LocalGet { local_index }
                | Operator::LocalSet { local_index }
                | Operator::LocalTee { local_index } => uses[local_index as usize] += 1,
                Operator::Call { .. }
                | Operator::CallIndirect { .. }
                | Operator::MemoryGrow { .. }
                | Operator::MemoryCopy { .. }
                | Operator::MemoryFill { .. }
                | Operator::MemoryInit { .. }
                | Operator::TableGrow { .. }
                | Operator::TableFill { .. }
                | Operator::TableCopy { .. }
                | Operator::TableInit { .. } => calls = true,
                _ => {}
            }
            if depth == 0 || scanned >= MAX_SCANNED {
                break;
            }
            scanned += 1;
        }
        let mut hot_locals: Vec<(u32, u32)> = (0..num_locals as u32)
            .map(|i| (i, uses[i as usize]))
            .filter(|&(_, n)| n > 0)
            .collect();
        hot_locals.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        LoopSummary { hot_locals, calls }
    }

    #[test]
    fn counts_uses_calls_and_stops_at_the_loop_end() {
        let wasm = wat::parse_str(
            r#"(module (func $f (param i32) (local i64 f64)
                 loop
                   local.get 0 local.get 0 i32.add local.set 0
                   block local.get 1 drop end
                   i32.const 1 call $f
                 end
                 local.get 2 drop local.get 2 drop local.get 2 drop))"#,
        )
        .unwrap();
        let translation = tern_environ::translate_module(&wasm).unwrap();
        let (starts, code) = loops(&translation.function_bodies[0].body);
        let mut scanner = LoopScanner::default();
        let mut summary = LoopSummary::default();
        scanner.scan(&code[starts[0]..], 3, &mut summary);
        assert_eq!(summary.hot_locals, vec![(0, 3), (1, 1)]);
        assert!(summary.calls);
        // The counts are reset for the next scan.
        scanner.scan(&code[starts[0]..], 3, &mut summary);
        assert_eq!(summary.hot_locals, vec![(0, 3), (1, 1)]);
    }

    /// Every kind of immediate, each followed by a use of its own local, so
    /// that a wrong length shows as a wrong count (the float constants end
    /// in the byte of `local.get`); nested loops; calls only in some loops.
    #[test]
    fn agrees_with_wasmparser_on_every_immediate() {
        let wasm = wat::parse_str(
            r#"(module
                 (type $t (func (param i32) (result i32)))
                 (memory 1) (table 2 funcref) (table $u 1 externref)
                 (global $g (mut i64) (i64.const 0))
                 (data $d "abc") (elem $e func $f)
                 (func $f (param i32) (result i32)
                   (local i32 i64 f32 f64 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
                   loop $outer (result i32)
                     i32.const -123456789 local.set 1
                     i64.const 0x7fffffffffffffff local.set 2
                     f32.const 0x1p-63 local.set 3
                     f64.const 0x1p-511 local.set 4
                     block $b (param i32) (result i32) local.tee 5 end local.set 5
                     local.get 5 if (result i32) local.get 6 else local.get 7 end drop
                     local.get 0 i32.load offset=123456 align=2 local.set 8
                     local.get 0 i64.load32_u offset=7 local.get 2 i64.add local.set 2
                     local.get 0 local.get 8 i32.store16 offset=99999
                     global.get $g global.set $g
                     loop $inner
                       local.get 9 br_if $inner
                       local.get 9 (br_table $inner $inner $inner 0) local.get 9 drop
                       i32.const 0 i32.const 1 local.get 10 select (result i32) drop
                       local.get 0 i32.trunc_sat_f32_s drop
                       local.get 0 i32.extend8_s local.set 10
                       i32.const 0 table.get 0 drop
                       ref.null extern i32.const 0 ref.null func drop drop drop
                       ref.func $f ref.is_null local.set 11
                       memory.size local.set 11 table.size $u local.set 11
                       data.drop $d elem.drop $e local.get 11 drop
                     end
                     local.get 12 memory.grow local.set 12
                     local.get 12 local.get 12 local.get 12 memory.copy
                     local.get 13 local.get 13 local.get 13 memory.fill
                     local.get 13 local.get 13 local.get 13 memory.init $d
                     local.get 14 local.get 14 local.get 14 table.init 0 $e
                     local.get 14 local.get 14 local.get 14 table.copy 0 0
                     ref.null func local.get 15 table.grow 0 local.set 15
                     local.get 15 ref.null func local.get 15 table.fill 0
                     local.get 1 local.get 0 call_indirect (type $t) local.set 1
                     local.get 1 call $f local.get 1 br_if $outer
                   end))"#,
        )
        .unwrap();
        let translation = tern_environ::translate_module(&wasm).unwrap();
        let (starts, code) = loops(&translation.function_bodies[0].body);
        assert_eq!(starts.len(), 2);
        let mut scanner = LoopScanner::default();
        let mut summary = LoopSummary::default();
        for start in starts {
            scanner.scan(&code[start..], 16, &mut summary);
            let expected = reference(&code[start..], 16);
            assert_eq!(summary.hot_locals, expected.hot_locals, "loop at {start}");
            assert_eq!(summary.calls, expected.calls, "loop at {start}");
        }
    }

    #[test]
    fn unknown_opcodes_and_truncated_code_end_the_scan() {
        let mut scanner = LoopScanner::default();
        let mut summary = LoopSummary::default();
        // loop; local.get 0; (SIMD prefix) ...; local.get 1
        scanner.scan(
            &[0x03, 0x40, 0x20, 0x00, 0xfd, 0x0c, 0x20, 0x01],
            2,
            &mut summary,
        );
        assert_eq!(summary.hot_locals, vec![(0, 1)]);
        // A local index cut off by the end of the code.
        scanner.scan(&[0x03, 0x40, 0x20, 0x01, 0x20, 0x80], 2, &mut summary);
        assert_eq!(summary.hot_locals, vec![(1, 1)]);
        // An out-of-range local is ignored.
        scanner.scan(&[0x03, 0x40, 0x20, 0x05, 0x0b], 2, &mut summary);
        assert!(summary.hot_locals.is_empty());
    }
}
