//! The comparison: one module, two engines, every observable difference.
//!
//! The order of events is the same on both sides: instantiate (running
//! data/element segments and the start function), snapshot the exported
//! state, then call every exported function with each argument set from
//! [`crate::value::arguments`], in export order, snapshotting after every
//! call. Calls share one instance, so a miscompiled store in one call shows
//! up either in the snapshot right after it or in a later call's result.
//!
//! A stack overflow on either side ends the comparison without a verdict:
//! the depth at which an engine gives up is its own choice, and after one
//! side overflowed the two instances may legitimately differ.

use crate::engines::{Runtime, SetupFailure, Tern, Wasmi};
use crate::value::{ARGUMENT_SETS, CallResult, ExportState, TrapKind, arguments};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What a module that both engines agree on did.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Both engines refused the module (wasm-smith should not produce
    /// such modules, so this is counted to notice if it does).
    pub rejected: bool,
    /// Both engines trapped during instantiation, with the same trap.
    pub instantiation_trapped: bool,
    pub functions: usize,
    pub calls: usize,
    /// Calls that trapped identically on both sides.
    pub trapped_calls: usize,
    /// Set when the comparison stopped early without a verdict (a stack
    /// overflow, a panic in wasmi), saying why.
    pub inconclusive: Option<String>,
}

/// A difference between Tern and wasmi, described for a human.
#[derive(Clone, Debug)]
pub struct Mismatch {
    /// What differed.
    pub what: String,
    /// The calls made before and including the one that differed, oldest
    /// first (empty if instantiation already differed).
    pub calls: Vec<String>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.what)?;
        if !self.calls.is_empty() {
            writeln!(f, "calls made, in order:")?;
            for (i, call) in self.calls.iter().enumerate() {
                writeln!(f, "  #{i}: {call}")?;
            }
        }
        Ok(())
    }
}

fn mismatch(what: impl Into<String>, calls: &[String]) -> Mismatch {
    Mismatch {
        what: what.into(),
        calls: calls.to_vec(),
    }
}

/// Runs `f`, returning the panic message if it panics.
fn catch_panic<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(non-string panic payload)".into())
    })
}

/// Runs `f` (a Tern operation), turning a panic into a mismatch: Tern must
/// not panic on valid input.
fn tern_guard<R>(what: &str, calls: &[String], f: impl FnOnce() -> R) -> Result<R, Mismatch> {
    catch_panic(f)
        .map_err(|message| mismatch(format!("Tern panicked during {what}: {message}"), calls))
}

/// Runs `f` (a wasmi operation). A panic there (wasmi 2.0.0 has debug
/// assertions that generated code can trip) leaves nothing to compare
/// against, so it ends the comparison without a verdict.
fn reference_guard<R>(what: &str, f: impl FnOnce() -> R) -> Result<R, String> {
    catch_panic(f).map_err(|message| format!("wasmi panicked during {what}: {message}"))
}

/// How two traps relate.
enum TrapVerdict {
    Same,
    /// A stack overflow: no verdict possible.
    Inconclusive,
    Different,
}

fn compare_traps(tern: &TrapKind, wasmi: &TrapKind) -> TrapVerdict {
    match (tern, wasmi) {
        (TrapKind::StackOverflow, _) | (_, TrapKind::StackOverflow) => TrapVerdict::Inconclusive,
        // Messages of host-level failures are engine-specific; that both
        // failed is all that can be compared.
        (TrapKind::Other(_), _) | (_, TrapKind::Other(_)) => TrapVerdict::Same,
        (a, b) if a == b => TrapVerdict::Same,
        _ => TrapVerdict::Different,
    }
}

/// Compiles, instantiates and runs `bytes` in Tern and in wasmi and
/// compares everything observable. `Ok` means no difference was found.
pub fn check_module(bytes: &[u8]) -> Result<Outcome, Mismatch> {
    let mut outcome = Outcome::default();
    let reference = match reference_guard("instantiation", || Wasmi::instantiate(bytes)) {
        Ok(reference) => reference,
        Err(why) => {
            outcome.inconclusive = Some(why);
            return Ok(outcome);
        }
    };
    let tern = tern_guard("compilation and instantiation", &[], || {
        Tern::instantiate(bytes)
    })?;
    match (tern, reference) {
        (Ok(mut tern), Ok(mut wasmi)) => {
            run(&mut tern, &mut wasmi, &mut outcome)?;
        }
        (Err(SetupFailure::Rejected(_)), Err(SetupFailure::Rejected(_))) => {
            outcome.rejected = true;
        }
        (Err(SetupFailure::Trapped(t)), Err(SetupFailure::Trapped(w))) => {
            match compare_traps(&t, &w) {
                TrapVerdict::Same => outcome.instantiation_trapped = true,
                TrapVerdict::Inconclusive => {
                    outcome.inconclusive = Some("stack overflow in the start function".into());
                }
                TrapVerdict::Different => {
                    return Err(mismatch(
                        format!("instantiation trapped differently: Tern {t:?}, wasmi {w:?}"),
                        &[],
                    ));
                }
            }
        }
        (Err(SetupFailure::Trapped(TrapKind::StackOverflow)), Ok(_))
        | (Ok(_), Err(SetupFailure::Trapped(TrapKind::StackOverflow))) => {
            outcome.inconclusive = Some("stack overflow in the start function".into());
        }
        (tern, wasmi) => {
            let describe = |r: Result<(), SetupFailure>| match r {
                Ok(()) => "instantiated".to_string(),
                Err(SetupFailure::Rejected(m)) => format!("rejected the module: {m}"),
                Err(SetupFailure::Trapped(t)) => format!("trapped while instantiating: {t:?}"),
                Err(SetupFailure::Broken(m)) => format!("failed to set up a valid module: {m}"),
            };
            return Err(mismatch(
                format!(
                    "instantiation differs: Tern {}; wasmi {}",
                    describe(tern.map(|_| ())),
                    describe(wasmi.map(|_| ()))
                ),
                &[],
            ));
        }
    }
    Ok(outcome)
}

fn run(tern: &mut Tern, wasmi: &mut Wasmi, outcome: &mut Outcome) -> Result<(), Mismatch> {
    let mut calls = Vec::new();
    // Engines list exports in different orders (wasmi sorts them by
    // name); calls go in name order on both sides.
    let mut functions = wasmi.functions();
    functions.sort_by(|a, b| a.name.cmp(&b.name));
    let mut tern_functions = tern_guard("listing exports", &calls, || tern.functions())?;
    tern_functions.sort_by(|a, b| a.name.cmp(&b.name));
    if functions != tern_functions {
        return Err(mismatch(
            format!(
                "exported functions differ:\n  Tern  {tern_functions:?}\n  wasmi {functions:?}"
            ),
            &calls,
        ));
    }
    outcome.functions = functions.len();
    compare_state(tern, wasmi, "after instantiation", &calls)?;
    for func in &functions {
        for set in 0..ARGUMENT_SETS {
            let args = arguments(&func.params, set);
            calls.push(format!("{:?}({args:?})", func.name));
            let expected = match reference_guard("a call", || wasmi.call(&func.name, &args)) {
                Ok(expected) => expected,
                Err(why) => {
                    outcome.inconclusive = Some(why);
                    return Ok(());
                }
            };
            let actual = tern_guard("a call", &calls, || tern.call(&func.name, &args))?;
            outcome.calls += 1;
            match (&actual, &expected) {
                (CallResult::Returned(a), CallResult::Returned(b)) if a == b => {}
                (CallResult::Trapped(a), CallResult::Trapped(b)) => match compare_traps(a, b) {
                    TrapVerdict::Same => outcome.trapped_calls += 1,
                    TrapVerdict::Inconclusive => {
                        outcome.inconclusive = Some(format!(
                            "stack overflow calling {:?}: Tern {actual:?}, wasmi {expected:?}",
                            func.name
                        ));
                        return Ok(());
                    }
                    TrapVerdict::Different => {
                        return Err(call_mismatch(&actual, &expected, &calls));
                    }
                },
                (CallResult::Trapped(TrapKind::StackOverflow), _)
                | (_, CallResult::Trapped(TrapKind::StackOverflow)) => {
                    outcome.inconclusive = Some(format!(
                        "stack overflow calling {:?}: Tern {actual:?}, wasmi {expected:?}",
                        func.name
                    ));
                    return Ok(());
                }
                _ => return Err(call_mismatch(&actual, &expected, &calls)),
            }
            compare_state(tern, wasmi, "after the last call", &calls)?;
        }
    }
    Ok(())
}

fn call_mismatch(tern: &CallResult, wasmi: &CallResult, calls: &[String]) -> Mismatch {
    mismatch(
        format!("the last call differs:\n  Tern  {tern:?}\n  wasmi {wasmi:?}"),
        calls,
    )
}

fn compare_state(tern: &Tern, wasmi: &Wasmi, when: &str, calls: &[String]) -> Result<(), Mismatch> {
    let mut expected = wasmi.state();
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    let mut actual = tern_guard("reading exported state", calls, || tern.state())?;
    actual.sort_by(|a, b| a.0.cmp(&b.0));
    let names = |s: &[(String, ExportState)]| s.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    if names(&actual) != names(&expected) {
        return Err(mismatch(
            format!(
                "exported memories/globals/tables differ {when}: Tern {:?}, wasmi {:?}",
                names(&actual),
                names(&expected)
            ),
            calls,
        ));
    }
    for ((name, a), (_, b)) in actual.iter().zip(&expected) {
        if a == b {
            continue;
        }
        let detail = match (a, b) {
            (ExportState::Memory(a), ExportState::Memory(b)) if a.len() == b.len() => {
                let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0);
                let window = |m: &[u8]| m[at..(at + 16).min(m.len())].to_vec();
                format!(
                    "first difference at byte {at:#x}:\n  Tern  {:02x?}\n  wasmi {:02x?}",
                    window(a),
                    window(b)
                )
            }
            _ => format!("\n  Tern  {a:?}\n  wasmi {b:?}"),
        };
        return Err(mismatch(
            format!("export {name:?} differs {when}: {detail}"),
            calls,
        ));
    }
    Ok(())
}
