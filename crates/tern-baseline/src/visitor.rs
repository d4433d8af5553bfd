//! Validate-then-emit: one visitor that feeds each operator first to
//! wasmparser's function validator, then to the emitter.
//!
//! Validation runs first, so the emitter only ever sees valid operators
//! and can rely on the operand stack's types and heights without checking
//! them. Around the emitter call sits the little policy every operator
//! shares:
//! - in unreachable code only the structural operators (`block`, `loop`,
//!   `if`, `else`, `end`) reach the emitter, which keeps its frames in step
//!   with the validator's;
//! - a pending comparison on top of the stack is materialized before any
//!   operator other than those that consume one directly (`br_if`, `if`,
//!   `select`, `eqz`, `drop`);
//! - operators of proposals Tern does not implement are rejected with a
//!   typed error (the validator, configured with Tern's features, rejects
//!   them first in practice);
//! - two looks ahead at the bytecode: a `loop` has its body scanned first
//!   (`loop_scan.rs`), and a binary arithmetic operator (always one byte)
//!   is told whether the next operator is a `local.set`/`local.tee`, so that
//!   `x = x + y` can update `x`'s register in place (`Emitter::reusable`),
//!   or whether it only tests the result against zero, so that `and` can be
//!   a `test` (`Emitter::next_tests_zero`);
//!   both read the body's bytes, which the emitter keeps.

use crate::emitter::Emitter;
use tern_environ::wasmparser::{self, FuncValidator, ValidatorResources, VisitOperator};

/// The combined visitor for one operator at `offset`.
pub(crate) struct ValidateThenEmit<'v, 'e, 'm> {
    pub(crate) validator: &'v mut FuncValidator<ValidatorResources>,
    pub(crate) emitter: &'e mut Emitter<'m>,
    pub(crate) offset: u64,
}

/// Routes an operator, by proposal and name, to the emitter.
macro_rules! dispatch {
    // The structural operators are tracked even in unreachable code.
    ($self:ident visit_block $($arg:ident)*) => { $self.structural(|e| e.visit_block($($arg),*)) };
    ($self:ident visit_loop $($arg:ident)*) => {{
        if $self.emitter.reachable {
            $self.emitter.scan_loop();
        }
        $self.structural(|e| e.visit_loop($($arg),*))
    }};
    // `if` also consumes a pending comparison (its condition).
    ($self:ident visit_if $($arg:ident)*) => { $self.emitter.visit_if($($arg),*) };
    ($self:ident visit_else $($arg:ident)*) => { $self.structural(|e| e.visit_else($($arg),*)) };
    ($self:ident visit_end $($arg:ident)*) => { $self.structural(|e| e.visit_end($($arg),*)) };
    // These consume a pending comparison themselves.
    ($self:ident visit_br_if $($arg:ident)*) => { $self.consumer(|e| e.visit_br_if($($arg),*)) };
    ($self:ident visit_select $($arg:ident)*) => { $self.consumer(|e| e.visit_select($($arg),*)) };
    ($self:ident visit_typed_select $($arg:ident)*) => { $self.consumer(|e| e.visit_typed_select($($arg),*)) };
    ($self:ident visit_i32_eqz $($arg:ident)*) => { $self.consumer(|e| e.visit_i32_eqz($($arg),*)) };
    ($self:ident visit_i64_eqz $($arg:ident)*) => { $self.consumer(|e| e.visit_i64_eqz($($arg),*)) };
    ($self:ident visit_drop $($arg:ident)*) => { $self.consumer(|e| e.visit_drop($($arg),*)) };
    // Multi-value select is not valid WebAssembly 2.0.
    ($self:ident visit_typed_select_multi $($arg:ident)*) => {{
        let _ = ($($arg),*);
        Err($self.emitter.unsupported("select with several results"))
    }};
    ($self:ident $visit:ident $($arg:ident)*) => { $self.operator(|e| e.$visit($($arg),*)) };
}

/// Generates the `VisitOperator` methods, sorting operators by proposal.
macro_rules! define_visit {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
                self.validator
                    .visitor(self.offset)
                    .$visit($($($arg.clone()),*)?)?;
                define_visit!(@route $proposal self $visit $($($arg)*)?)
            }
        )*
    };
    (@route mvp $($rest:tt)*) => { dispatch!($($rest)*) };
    (@route sign_extension $($rest:tt)*) => { dispatch!($($rest)*) };
    (@route saturating_float_to_int $($rest:tt)*) => { dispatch!($($rest)*) };
    (@route bulk_memory $($rest:tt)*) => { dispatch!($($rest)*) };
    (@route reference_types $($rest:tt)*) => { dispatch!($($rest)*) };
    (@route $proposal:ident $self:ident $visit:ident $($arg:ident)*) => {{
        let _ = ($($arg),*);
        Err($self.emitter.unsupported(format!(
            "{} (the {} proposal)",
            stringify!($visit).trim_start_matches("visit_"),
            stringify!($proposal),
        )))
    }};
}

impl ValidateThenEmit<'_, '_, '_> {
    /// A structural operator: emitted in reachable and unreachable code.
    #[inline]
    fn structural(
        &mut self,
        f: impl FnOnce(&mut Emitter<'_>) -> crate::emitter::Result,
    ) -> crate::emitter::Result {
        if self.emitter.reachable {
            self.emitter.materialize_flags();
        }
        f(self.emitter)
    }

    /// An operator that may consume a pending comparison.
    #[inline]
    fn consumer(
        &mut self,
        f: impl FnOnce(&mut Emitter<'_>) -> crate::emitter::Result,
    ) -> crate::emitter::Result {
        if self.emitter.reachable {
            f(self.emitter)
        } else {
            Ok(())
        }
    }

    /// Any other operator.
    #[inline]
    fn operator(
        &mut self,
        f: impl FnOnce(&mut Emitter<'_>) -> crate::emitter::Result,
    ) -> crate::emitter::Result {
        if !self.emitter.reachable {
            return Ok(());
        }
        self.emitter.materialize_flags();
        f(self.emitter)
    }
}

#[allow(clippy::clone_on_copy)]
impl<'a> VisitOperator<'a> for ValidateThenEmit<'_, '_, '_> {
    type Output = crate::emitter::Result;

    wasmparser::for_each_visit_operator!(define_visit);
}
