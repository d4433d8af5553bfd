//! Tern's peephole optimizer.
//!
//! The optimizations are rewrite rules written in a small language — the
//! language of Cranelift's Peepmatic — in `rules/*.peep`, for example
//!
//! ```text
//! (=> (when (imul $x $C) (is-power-of-two $C))
//!     (ishl $x $(log2 $C)))
//! ```
//!
//! `build.rs` compiles every rule file with `tern-peephole-dsl` (parse, type
//! check, linearize, merge into one automaton), runs the verifier on every
//! rule — an unsound rule fails the build with a counterexample — and emits
//! the automaton as Rust code, which this crate includes. At compile time of
//! a user's program nothing is interpreted: matching an instruction is a
//! walk down nested `match` statements whose length is about the depth of
//! the patterns, however many rules there are.
//!
//! # Using it
//! ```
//! # use tern_ir::{Function, FunctionBuilder, Signature, Type};
//! let mut func = Function::new("f", Signature::new(&[Type::I32], &[Type::I32]));
//! let mut b = FunctionBuilder::new(&mut func);
//! let block = b.create_block();
//! let params = b.append_entry_params(block);
//! b.switch_to_block(block);
//! let eight = b.iconst(Type::I32, 8);
//! let product = b.imul(params[0], eight);
//! b.return_(&[product]);
//!
//! let stats = tern_peephole::optimize(&mut func);
//! assert_eq!(stats.rewrites, 1); // x * 8 became x << 3
//! ```
//!
//! [`optimize`] runs the shipped rules to a fixpoint with the worklist pass
//! described in [`pass`]; [`pass::run`] takes any [`Matcher`] and
//! [`pass::Options`]. [`Stats`] say what happened, per rule too ([`RULES`]
//! names them).
//!
//! # Layout
//! * `rules/` — the rules, one file per topic, each rule commented.
//! * [`ir`] — the matcher's view of a `tern_ir::Function`.
//! * [`pass`] — the worklist pass.
//! * `build.rs` — compiles and verifies the rules.
//! * `src/bin/peepc.rs` — the rule compiler as a command: `peepc check` and
//!   `peepc dot` on any rule file.
//! * `benches/matcher.rs` — time per instruction as the rule set grows.

pub mod ir;
pub mod pass;

pub use pass::{Matcher, Options, Stats};
pub use tern_peephole_dsl::RuleInfo;

use tern_ir::{Function, Value};
use tern_peephole_dsl::subject::Replacement;

use ir::{DfgView, Inserter};

/// The matcher generated from `rules/*.peep`.
#[allow(unused_variables, clippy::all)]
mod shipped {
    include!(concat!(env!("OUT_DIR"), "/rules.rs"));
}

/// Implements [`Matcher`] for a generated module.
macro_rules! matcher {
    ($(#[$doc:meta])* $name:ident = $module:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $name;

        impl Matcher for $name {
            type Match = $module::Match<Value>;

            fn rules() -> &'static [RuleInfo] {
                &$module::RULES
            }

            fn max_depth() -> usize {
                $module::MAX_DEPTH
            }

            fn find(dfg: DfgView<'_>, v: Value) -> Option<Self::Match> {
                $module::find(&dfg, v)
            }

            fn rule(m: &Self::Match) -> usize {
                m.rule
            }

            fn apply(b: &mut Inserter<'_>, m: &Self::Match) -> Replacement<Value> {
                $module::apply(b, m)
            }
        }
    };
}

matcher!(
    /// The shipped rules, `rules/*.peep`.
    Shipped = shipped
);

/// The shipped rules: name (`rules/file.peep:line`) and text.
pub static RULES: &[RuleInfo] = &shipped::RULES;

/// What the verifier checked when this crate was built: rules,
/// instantiations (exhaustive ones), inputs.
pub const VERIFICATION: &str = include_str!(concat!(env!("OUT_DIR"), "/verification.txt"));

/// Applies the shipped rules to `func` until none applies.
pub fn optimize(func: &mut Function) -> Stats {
    pass::run::<Shipped>(func, &Options::default())
}

/// Rule sets of growing size for the matcher benchmark (feature
/// `bench-rulesets`).
#[cfg(feature = "bench-rulesets")]
pub mod bench_rulesets {
    use super::*;

    #[allow(unused_variables, clippy::all)]
    mod first10 {
        include!(concat!(env!("OUT_DIR"), "/first10.rs"));
    }
    #[allow(unused_variables, clippy::all)]
    mod first100 {
        include!(concat!(env!("OUT_DIR"), "/first100.rs"));
    }
    #[allow(unused_variables, clippy::all)]
    mod generated {
        include!(concat!(env!("OUT_DIR"), "/generated.rs"));
    }

    matcher!(
        /// The first 10 shipped rules.
        First10 = first10
    );
    matcher!(
        /// The first 100 shipped rules.
        First100 = first100
    );
    matcher!(
        /// The shipped rules plus several hundred generated ones.
        Generated = generated
    );
}
