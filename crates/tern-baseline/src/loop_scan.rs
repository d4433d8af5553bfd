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

use tern_environ::wasmparser::{
    self, BinaryReader, OperatorsReader, OperatorsReaderAllocations, VisitOperator,
};

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
    reader_allocs: Option<OperatorsReaderAllocations>,
}

impl LoopScanner {
    /// Scans the loop whose `loop` opcode `reader` is positioned at, in a
    /// function with `num_locals` locals, into `summary`. Malformed code
    /// ends the scan early (validation reports it when it is compiled).
    pub(crate) fn scan(
        &mut self,
        reader: BinaryReader<'_>,
        num_locals: usize,
        summary: &mut LoopSummary,
    ) {
        summary.hot_locals.clear();
        summary.calls = false;
        if self.uses.len() < num_locals {
            self.uses.resize(num_locals, 0);
        }
        let allocs = self.reader_allocs.take().unwrap_or_default();
        let mut ops = OperatorsReader::new_with_allocs(reader, allocs);
        let mut visitor = ScanVisitor {
            depth: 0,
            uses: &mut self.uses,
            touched: &mut summary.hot_locals,
            calls: false,
        };
        let mut scanned = 0;
        loop {
            match ops.visit_operator(&mut visitor) {
                Ok(()) if visitor.depth == 0 => break,
                Ok(()) if scanned < MAX_SCANNED => scanned += 1,
                _ => break,
            }
        }
        summary.calls = visitor.calls;
        for entry in summary.hot_locals.iter_mut() {
            entry.1 = std::mem::take(&mut self.uses[entry.0 as usize]);
        }
        summary
            .hot_locals
            .sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        self.reader_allocs = Some(ops.into_allocations());
    }
}

/// Counts local uses, calls and nesting; ignores everything else.
struct ScanVisitor<'s> {
    depth: u32,
    uses: &'s mut Vec<u32>,
    /// Each local used, once (the count is filled in afterwards).
    touched: &'s mut Vec<(u32, u32)>,
    calls: bool,
}

impl ScanVisitor<'_> {
    fn local(&mut self, index: u32) {
        if let Some(count) = self.uses.get_mut(index as usize) {
            if *count == 0 {
                self.touched.push((index, 0));
            }
            *count += 1;
        }
    }
}

macro_rules! scan_operator {
    (visit_block $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.depth += 1
    }};
    (visit_loop $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.depth += 1
    }};
    (visit_if $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.depth += 1
    }};
    (visit_end $self:ident) => { $self.depth = $self.depth.saturating_sub(1) };
    (visit_local_get $self:ident $index:ident) => { $self.local($index) };
    (visit_local_set $self:ident $index:ident) => { $self.local($index) };
    (visit_local_tee $self:ident $index:ident) => { $self.local($index) };
    // Everything that calls out of the function: Wasm calls and the
    // operators compiled as builtin calls.
    (visit_call $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.calls = true
    }};
    (visit_call_indirect $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.calls = true
    }};
    (visit_memory_grow $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.calls = true
    }};
    (visit_memory_copy $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.calls = true
    }};
    (visit_memory_fill $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.calls = true
    }};
    (visit_memory_init $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.calls = true
    }};
    (visit_table_grow $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.calls = true
    }};
    (visit_table_fill $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.calls = true
    }};
    (visit_table_copy $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.calls = true
    }};
    (visit_table_init $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
        $self.calls = true
    }};
    ($other:ident $self:ident $($arg:ident)*) => {{
        let _ = ($($arg,)*);
    }};
}

macro_rules! define_scan_visit {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(, $arg: $argty)*)?) {
                scan_operator!($visit self $($($arg)*)?)
            }
        )*
    };
}

impl<'a> VisitOperator<'a> for ScanVisitor<'_> {
    type Output = ();

    wasmparser::for_each_visit_operator!(define_scan_visit);
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let body = &translation.function_bodies[0].body;
        let mut reader = body.get_binary_reader();
        // Skip the locals: one group count, then (count, type) pairs.
        let groups = reader.read_var_u32().unwrap();
        for _ in 0..groups {
            reader.read_var_u32().unwrap();
            reader.read::<wasmparser::ValType>().unwrap();
        }
        let mut scanner = LoopScanner::default();
        let mut summary = LoopSummary::default();
        scanner.scan(reader.clone(), 3, &mut summary);
        assert_eq!(summary.hot_locals, vec![(0, 3), (1, 1)]);
        assert!(summary.calls);
        // The counts are reset for the next scan.
        scanner.scan(reader, 3, &mut summary);
        assert_eq!(summary.hot_locals, vec![(0, 3), (1, 1)]);
    }
}
