//! Immediate operands that are not values: trap codes and memory flags.
//!
//! Trap codes name *why* execution stopped; they travel from the IR through
//! instruction selection into the trap tables the runtime consults when a
//! signal arrives, so an out-of-bounds load and a division by zero stay
//! distinguishable all the way to the embedder. Names are CLIF's.

use std::fmt;

/// Why an instruction traps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrapCode {
    /// `stk_ovf`: the stack limit was exceeded.
    StackOverflow,
    /// `heap_oob`: a load or store outside its memory.
    HeapOutOfBounds,
    /// `table_oob`: a table index out of bounds.
    TableOutOfBounds,
    /// `icall_null`: an indirect call through a null entry.
    IndirectCallToNull,
    /// `bad_sig`: an indirect call with the wrong signature.
    BadSignature,
    /// `int_ovf`: integer overflow (`sdiv` of MIN by -1, float-to-int out of
    /// range).
    IntegerOverflow,
    /// `int_divz`: integer division or remainder by zero.
    IntegerDivisionByZero,
    /// `bad_toint`: float-to-int conversion of NaN.
    BadConversionToInteger,
    /// `unreachable`: code that should never run (Wasm `unreachable`).
    Unreachable,
    /// `interrupt`: an epoch or fuel check asked execution to stop.
    Interrupt,
    /// `userN`: an embedder-defined code.
    User(u16),
}

impl TrapCode {
    /// Every trap code except the open-ended [`TrapCode::User`].
    pub const BUILTIN: [TrapCode; 10] = [
        TrapCode::StackOverflow,
        TrapCode::HeapOutOfBounds,
        TrapCode::TableOutOfBounds,
        TrapCode::IndirectCallToNull,
        TrapCode::BadSignature,
        TrapCode::IntegerOverflow,
        TrapCode::IntegerDivisionByZero,
        TrapCode::BadConversionToInteger,
        TrapCode::Unreachable,
        TrapCode::Interrupt,
    ];

    fn builtin_name(self) -> Option<&'static str> {
        Some(match self {
            TrapCode::StackOverflow => "stk_ovf",
            TrapCode::HeapOutOfBounds => "heap_oob",
            TrapCode::TableOutOfBounds => "table_oob",
            TrapCode::IndirectCallToNull => "icall_null",
            TrapCode::BadSignature => "bad_sig",
            TrapCode::IntegerOverflow => "int_ovf",
            TrapCode::IntegerDivisionByZero => "int_divz",
            TrapCode::BadConversionToInteger => "bad_toint",
            TrapCode::Unreachable => "unreachable",
            TrapCode::Interrupt => "interrupt",
            TrapCode::User(_) => return None,
        })
    }

    /// Parses a CLIF trap-code name (`int_divz`, `user7`).
    pub fn from_name(name: &str) -> Option<TrapCode> {
        if let Some(n) = name.strip_prefix("user") {
            // Reject "user", "user+1", "user007" so that names round-trip.
            if n.is_empty() || (n.len() > 1 && n.starts_with('0')) {
                return None;
            }
            if !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            return n.parse().ok().map(TrapCode::User);
        }
        TrapCode::BUILTIN
            .into_iter()
            .find(|code| code.builtin_name() == Some(name))
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.builtin_name()) {
            (TrapCode::User(n), _) => write!(f, "user{n}"),
            (_, Some(name)) => f.write_str(name),
            (_, None) => unreachable!("only User lacks a builtin name"),
        }
    }
}

/// Flags on a load or store.
///
/// By default a memory access may fault, and a fault is the trap
/// `heap_oob` (Tern reserves guard pages so that Wasm bounds checks are
/// faults). `notrap` promises the access is in bounds: the compiler need not
/// record a trap site and may move it more freely; the interpreter reports an
/// out-of-bounds `notrap` access as an error in the IR rather than a trap.
/// `aligned` promises natural alignment; `readonly` says the memory never
/// changes while the function runs, so the load may be hoisted or merged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MemFlags {
    /// The access cannot fault.
    pub notrap: bool,
    /// The address is a multiple of the access size.
    pub aligned: bool,
    /// The memory does not change during the function.
    pub readonly: bool,
}

impl MemFlags {
    /// No promises: the access may trap, may be unaligned, may alias stores.
    pub const fn new() -> MemFlags {
        MemFlags {
            notrap: false,
            aligned: false,
            readonly: false,
        }
    }

    /// The flag names that are set, in printing order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        [
            (self.notrap, "notrap"),
            (self.aligned, "aligned"),
            (self.readonly, "readonly"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
    }

    /// Sets the flag called `name`; returns false if there is no such flag.
    pub fn set_by_name(&mut self, name: &str) -> bool {
        match name {
            "notrap" => self.notrap = true,
            "aligned" => self.aligned = true,
            "readonly" => self.readonly = true,
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_names_round_trip() {
        for code in TrapCode::BUILTIN {
            assert_eq!(TrapCode::from_name(&code.to_string()), Some(code));
        }
        assert_eq!(TrapCode::from_name("user12"), Some(TrapCode::User(12)));
        assert_eq!(TrapCode::User(12).to_string(), "user12");
        for bad in ["user", "user01", "user+1", "user70000", "oob"] {
            assert_eq!(TrapCode::from_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn mem_flag_names() {
        let mut flags = MemFlags::new();
        assert!(flags.set_by_name("readonly"));
        assert!(flags.set_by_name("notrap"));
        assert!(!flags.set_by_name("volatile"));
        assert_eq!(flags.names().collect::<Vec<_>>(), ["notrap", "readonly"]);
    }
}
