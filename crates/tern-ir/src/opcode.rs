//! Opcodes and what each one is.
//!
//! The opcode set is what WebAssembly lowers to, named as in Cranelift's CLIF
//! so that peephole rules read like Cranelift's. All per-opcode facts live in
//! one table (the `opcodes!` invocation below): the CLIF name, the
//! [`InstFormat`] (the shape of operands and immediates, which the builder,
//! printer, parser and verifier share) and a set of effect flags. Deriving
//! everything from one table means a new opcode cannot be half-added.
//!
//! # Effects
//! Passes need to know what they may do with an instruction:
//!
//! * [`Opcode::is_pure`]: the result is a function of the operands alone, it
//!   never traps and never touches memory. Such an instruction may be deleted
//!   when unused, merged with an identical one (GVN) or moved anywhere its
//!   operands are available. Every pure opcode can be evaluated by
//!   [`eval::eval_pure`](crate::eval::eval_pure).
//! * Everything else [`has_side_effects`](Opcode::has_side_effects) in the
//!   sense that matters for ordering: it may trap ([`Opcode::can_trap`]:
//!   division, trapping float-to-int conversion, memory accesses, explicit
//!   traps, calls), read or write memory, call, or end a block. Passes keep
//!   side-effecting instructions in their original relative order. Trapping
//!   arithmetic (`udiv`, `fcvt_to_sint` …) is still *deterministic*, so the
//!   evaluator handles it too, returning the trap.
//!
//! # Controlling type
//! Every instruction carries a controlling type (see
//! [`InstructionData::ty`](crate::InstructionData::ty)). For most opcodes it
//! is the type of the result and of the operands, and the text format infers
//! it from an operand. Opcodes flagged `EXPLICIT_TYPE` (constants,
//! conversions, loads) cannot infer it and print it as a suffix:
//! `iconst.i32 7`, `uextend.i64 v1`, `load.f64 v0`.

use std::fmt;

/// The shape of an instruction's operands and immediates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstFormat {
    /// An integer immediate, no operands: `iconst.i32 42`.
    IntConst,
    /// A 32-bit float immediate: `f32const 1.5`.
    F32Const,
    /// A 64-bit float immediate: `f64const -0.0`.
    F64Const,
    /// One operand: `ineg v1`, `uextend.i64 v1`.
    Unary,
    /// Two operands: `iadd v1, v2`.
    Binary,
    /// Three operands: `select v0, v1, v2`.
    Ternary,
    /// An integer condition code and two operands: `icmp slt v1, v2`.
    IntCompare,
    /// A float condition code and two operands: `fcmp lt v1, v2`.
    FloatCompare,
    /// Memory flags, an address operand and an offset: `load.i32 notrap v0+8`.
    Load,
    /// Memory flags, a value, an address and an offset: `store v1, v0+8`.
    Store,
    /// One destination block with arguments: `jump block1(v1)`.
    Jump,
    /// A condition and two destinations: `brif v0, block1(v1), block2`.
    Brif,
    /// An index, a default destination and a table:
    /// `br_table v0, block3, [block1(v1), block2]`.
    BranchTable,
    /// Any number of operands: `return v1, v2`.
    Return,
    /// A trap code: `trap unreachable`.
    Trap,
    /// A condition and a trap code: `trapz v0, int_divz`.
    CondTrap,
    /// A declared function and arguments: `call fn0(v1, v2)`.
    Call,
    /// A signature, a callee address and arguments:
    /// `call_indirect sig0, v0(v1)`.
    CallIndirect,
}

impl InstFormat {
    /// The number of value operands (not counting branch arguments), or
    /// `None` if it varies (returns and calls).
    pub const fn fixed_args(self) -> Option<usize> {
        Some(match self {
            InstFormat::IntConst
            | InstFormat::F32Const
            | InstFormat::F64Const
            | InstFormat::Jump
            | InstFormat::Trap => 0,
            InstFormat::Unary
            | InstFormat::Load
            | InstFormat::Brif
            | InstFormat::BranchTable
            | InstFormat::CondTrap => 1,
            InstFormat::Binary
            | InstFormat::IntCompare
            | InstFormat::FloatCompare
            | InstFormat::Store => 2,
            InstFormat::Ternary => 3,
            InstFormat::Return | InstFormat::Call | InstFormat::CallIndirect => return None,
        })
    }
}

/// Effect flags in the opcode table.
mod flag {
    pub const TRAPS: u8 = 1 << 0;
    pub const LOADS: u8 = 1 << 1;
    pub const STORES: u8 = 1 << 2;
    pub const CALL: u8 = 1 << 3;
    pub const BRANCH: u8 = 1 << 4;
    pub const TERMINATOR: u8 = 1 << 5;
    pub const EXPLICIT_TYPE: u8 = 1 << 6;
}

/// How many results an instruction has and of what type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultKind {
    /// No results (stores, branches, traps).
    None,
    /// One result of the controlling type.
    CtrlType,
    /// One `i8` result that is 0 or 1 (comparisons).
    Bool,
    /// The results of the callee's signature.
    Signature,
}

macro_rules! opcodes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $format:ident, $flags:expr;)*) => {
        /// An instruction opcode. See the module docs for the meaning of the
        /// metadata.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Opcode {
            $($(#[$doc])* $variant,)*
        }

        impl Opcode {
            /// Every opcode, in declaration order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$variant),*];

            /// The CLIF name (`iadd`, `fcvt_to_sint_sat`, `return`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Opcode::$variant => $name,)*
                }
            }

            /// The operand and immediate shape.
            pub const fn format(self) -> InstFormat {
                match self {
                    $(Opcode::$variant => InstFormat::$format,)*
                }
            }

            const fn flags(self) -> u8 {
                match self {
                    $(Opcode::$variant => $flags,)*
                }
            }
        }
    };
}

const NONE: u8 = 0;
use flag::*;

opcodes! {
    /// Integer constant.
    Iconst = "iconst", IntConst, EXPLICIT_TYPE;
    /// 32-bit float constant.
    F32const = "f32const", F32Const, NONE;
    /// 64-bit float constant.
    F64const = "f64const", F64Const, NONE;

    /// Wrapping addition.
    Iadd = "iadd", Binary, NONE;
    /// Wrapping subtraction.
    Isub = "isub", Binary, NONE;
    /// Wrapping multiplication (low half).
    Imul = "imul", Binary, NONE;
    /// Wrapping negation.
    Ineg = "ineg", Unary, NONE;
    /// Unsigned division; traps `int_divz` on zero.
    Udiv = "udiv", Binary, TRAPS;
    /// Signed division rounding toward zero; traps `int_divz` on zero and
    /// `int_ovf` on MIN / -1.
    Sdiv = "sdiv", Binary, TRAPS;
    /// Unsigned remainder; traps `int_divz` on zero.
    Urem = "urem", Binary, TRAPS;
    /// Signed remainder with the sign of the dividend; traps `int_divz` on
    /// zero; MIN % -1 is 0.
    Srem = "srem", Binary, TRAPS;
    /// High half of the unsigned double-width product.
    Umulhi = "umulhi", Binary, NONE;
    /// High half of the signed double-width product.
    Smulhi = "smulhi", Binary, NONE;

    /// Bitwise and.
    Band = "band", Binary, NONE;
    /// Bitwise or.
    Bor = "bor", Binary, NONE;
    /// Bitwise exclusive or.
    Bxor = "bxor", Binary, NONE;
    /// Bitwise not.
    Bnot = "bnot", Unary, NONE;
    /// `x & !y`.
    BandNot = "band_not", Binary, NONE;
    /// `x | !y`.
    BorNot = "bor_not", Binary, NONE;
    /// `x ^ !y`.
    BxorNot = "bxor_not", Binary, NONE;

    /// Shift left; the amount (any integer type) is taken modulo the width.
    Ishl = "ishl", Binary, NONE;
    /// Logical shift right; amount modulo the width.
    Ushr = "ushr", Binary, NONE;
    /// Arithmetic shift right; amount modulo the width.
    Sshr = "sshr", Binary, NONE;
    /// Rotate left; amount modulo the width.
    Rotl = "rotl", Binary, NONE;
    /// Rotate right; amount modulo the width.
    Rotr = "rotr", Binary, NONE;
    /// Count leading zeros (the width for zero).
    Clz = "clz", Unary, NONE;
    /// Count trailing zeros (the width for zero).
    Ctz = "ctz", Unary, NONE;
    /// Count set bits.
    Popcnt = "popcnt", Unary, NONE;

    /// Integer comparison producing an `i8` 0 or 1.
    Icmp = "icmp", IntCompare, NONE;
    /// `select c, x, y`: `x` if `c` is non-zero, else `y`.
    Select = "select", Ternary, NONE;
    /// Zero-extend to the (wider) controlling type.
    Uextend = "uextend", Unary, EXPLICIT_TYPE;
    /// Sign-extend to the (wider) controlling type.
    Sextend = "sextend", Unary, EXPLICIT_TYPE;
    /// Truncate to the (narrower) controlling type.
    Ireduce = "ireduce", Unary, EXPLICIT_TYPE;

    /// IEEE addition.
    Fadd = "fadd", Binary, NONE;
    /// IEEE subtraction.
    Fsub = "fsub", Binary, NONE;
    /// IEEE multiplication.
    Fmul = "fmul", Binary, NONE;
    /// IEEE division.
    Fdiv = "fdiv", Binary, NONE;
    /// IEEE square root.
    Sqrt = "sqrt", Unary, NONE;
    /// Minimum; NaN if either operand is NaN; -0 is less than +0.
    Fmin = "fmin", Binary, NONE;
    /// Maximum; NaN if either operand is NaN; +0 is greater than -0.
    Fmax = "fmax", Binary, NONE;
    /// Flip the sign bit.
    Fneg = "fneg", Unary, NONE;
    /// Clear the sign bit.
    Fabs = "fabs", Unary, NONE;
    /// The first operand's magnitude with the second's sign bit.
    Fcopysign = "fcopysign", Binary, NONE;
    /// Round toward negative infinity.
    Floor = "floor", Unary, NONE;
    /// Round toward positive infinity.
    Ceil = "ceil", Unary, NONE;
    /// Round toward zero.
    Trunc = "trunc", Unary, NONE;
    /// Round to nearest, ties to even.
    Nearest = "nearest", Unary, NONE;
    /// Float comparison producing an `i8` 0 or 1.
    Fcmp = "fcmp", FloatCompare, NONE;

    /// `f32` to `f64`, exact.
    Fpromote = "fpromote", Unary, EXPLICIT_TYPE;
    /// `f64` to `f32`, rounding to nearest even.
    Fdemote = "fdemote", Unary, EXPLICIT_TYPE;
    /// Float to unsigned integer, rounding toward zero; traps `bad_toint` on
    /// NaN and `int_ovf` out of range.
    FcvtToUint = "fcvt_to_uint", Unary, EXPLICIT_TYPE | TRAPS;
    /// Float to signed integer, rounding toward zero; traps `bad_toint` on
    /// NaN and `int_ovf` out of range.
    FcvtToSint = "fcvt_to_sint", Unary, EXPLICIT_TYPE | TRAPS;
    /// Float to unsigned integer, saturating; NaN gives 0.
    FcvtToUintSat = "fcvt_to_uint_sat", Unary, EXPLICIT_TYPE;
    /// Float to signed integer, saturating; NaN gives 0.
    FcvtToSintSat = "fcvt_to_sint_sat", Unary, EXPLICIT_TYPE;
    /// Unsigned integer to float, rounding to nearest even.
    FcvtFromUint = "fcvt_from_uint", Unary, EXPLICIT_TYPE;
    /// Signed integer to float, rounding to nearest even.
    FcvtFromSint = "fcvt_from_sint", Unary, EXPLICIT_TYPE;
    /// Reinterpret the bits as another type of the same width.
    Bitcast = "bitcast", Unary, EXPLICIT_TYPE;

    /// Load a value of the controlling type.
    Load = "load", Load, EXPLICIT_TYPE | LOADS | TRAPS;
    /// Load 8 bits and zero-extend.
    Uload8 = "uload8", Load, EXPLICIT_TYPE | LOADS | TRAPS;
    /// Load 8 bits and sign-extend.
    Sload8 = "sload8", Load, EXPLICIT_TYPE | LOADS | TRAPS;
    /// Load 16 bits and zero-extend.
    Uload16 = "uload16", Load, EXPLICIT_TYPE | LOADS | TRAPS;
    /// Load 16 bits and sign-extend.
    Sload16 = "sload16", Load, EXPLICIT_TYPE | LOADS | TRAPS;
    /// Load 32 bits and zero-extend.
    Uload32 = "uload32", Load, EXPLICIT_TYPE | LOADS | TRAPS;
    /// Load 32 bits and sign-extend.
    Sload32 = "sload32", Load, EXPLICIT_TYPE | LOADS | TRAPS;
    /// Store a whole value.
    Store = "store", Store, STORES | TRAPS;
    /// Store the low 8 bits.
    Istore8 = "istore8", Store, STORES | TRAPS;
    /// Store the low 16 bits.
    Istore16 = "istore16", Store, STORES | TRAPS;
    /// Store the low 32 bits.
    Istore32 = "istore32", Store, STORES | TRAPS;

    /// Unconditional branch.
    Jump = "jump", Jump, BRANCH | TERMINATOR;
    /// Branch to the first destination if the condition is non-zero, else
    /// to the second.
    Brif = "brif", Brif, BRANCH | TERMINATOR;
    /// Branch to `table[index]`, or to the default if out of range.
    BrTable = "br_table", BranchTable, BRANCH | TERMINATOR;
    /// Return from the function.
    Return = "return", Return, TERMINATOR;
    /// Trap unconditionally.
    Trap = "trap", Trap, TRAPS | TERMINATOR;
    /// Trap if the operand is zero.
    Trapz = "trapz", CondTrap, TRAPS;
    /// Trap if the operand is non-zero.
    Trapnz = "trapnz", CondTrap, TRAPS;
    /// Call a declared function.
    Call = "call", Call, CALL | LOADS | STORES | TRAPS;
    /// Call through a function address with a declared signature.
    CallIndirect = "call_indirect", CallIndirect, CALL | LOADS | STORES | TRAPS;
}

impl Opcode {
    /// Looks an opcode up by its CLIF name.
    pub fn from_name(name: &str) -> Option<Opcode> {
        Opcode::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// The number of value operands, or `None` if it varies (see
    /// [`InstFormat::fixed_args`]).
    pub const fn fixed_args(self) -> Option<usize> {
        self.format().fixed_args()
    }

    /// The result count and type rule.
    pub const fn result_kind(self) -> ResultKind {
        match self.format() {
            InstFormat::IntCompare | InstFormat::FloatCompare => ResultKind::Bool,
            InstFormat::Store
            | InstFormat::Jump
            | InstFormat::Brif
            | InstFormat::BranchTable
            | InstFormat::Return
            | InstFormat::Trap
            | InstFormat::CondTrap => ResultKind::None,
            InstFormat::Call | InstFormat::CallIndirect => ResultKind::Signature,
            _ => ResultKind::CtrlType,
        }
    }

    /// The number of results, or `None` when the callee's signature decides.
    pub const fn result_count(self) -> Option<usize> {
        match self.result_kind() {
            ResultKind::None => Some(0),
            ResultKind::CtrlType | ResultKind::Bool => Some(1),
            ResultKind::Signature => None,
        }
    }

    /// No effects at all: result depends only on the operands, no trap, no
    /// memory. Safe to delete, merge and move.
    pub const fn is_pure(self) -> bool {
        self.flags() & (TRAPS | LOADS | STORES | CALL | BRANCH | TERMINATOR) == 0
    }

    /// The opposite of [`is_pure`](Opcode::is_pure): the instruction must
    /// keep its place relative to other side-effecting instructions and must
    /// not be deleted just because its results are unused.
    pub const fn has_side_effects(self) -> bool {
        !self.is_pure()
    }

    /// May trap (for memory accesses: unless flagged `notrap`).
    pub const fn can_trap(self) -> bool {
        self.flags() & TRAPS != 0
    }

    /// May read memory.
    pub const fn can_load(self) -> bool {
        self.flags() & LOADS != 0
    }

    /// May write memory.
    pub const fn can_store(self) -> bool {
        self.flags() & STORES != 0
    }

    /// Is a call.
    pub const fn is_call(self) -> bool {
        self.flags() & CALL != 0
    }

    /// Transfers control to other blocks of the function.
    pub const fn is_branch(self) -> bool {
        self.flags() & BRANCH != 0
    }

    /// Must be the last instruction of a block, and every block ends in one.
    pub const fn is_terminator(self) -> bool {
        self.flags() & TERMINATOR != 0
    }

    /// The controlling type is printed as a `.type` suffix because no operand
    /// determines it.
    pub const fn has_explicit_type(self) -> bool {
        self.flags() & EXPLICIT_TYPE != 0
    }

    /// Can [`eval_pure`](crate::eval::eval_pure) evaluate this opcode? True
    /// for pure opcodes and for trapping arithmetic (division, trapping
    /// conversions), whose result or trap depends only on the operands.
    pub const fn is_evaluable(self) -> bool {
        self.flags() & (LOADS | STORES | CALL | BRANCH | TERMINATOR) == 0
            && !matches!(self.format(), InstFormat::CondTrap)
    }

    /// For `uload8` … `istore32`: the number of bytes accessed in memory, if
    /// narrower than the controlling type.
    pub const fn narrow_access_bytes(self) -> Option<u32> {
        match self {
            Opcode::Uload8 | Opcode::Sload8 | Opcode::Istore8 => Some(1),
            Opcode::Uload16 | Opcode::Sload16 | Opcode::Istore16 => Some(2),
            Opcode::Uload32 | Opcode::Sload32 | Opcode::Istore32 => Some(4),
            _ => None,
        }
    }

    /// Is the controlling type required to be an integer?
    ///
    /// This, [`requires_float`](Opcode::requires_float) and the format are
    /// the type rules the verifier enforces.
    pub const fn requires_int(self) -> bool {
        matches!(
            self,
            Opcode::Iconst
                | Opcode::Iadd
                | Opcode::Isub
                | Opcode::Imul
                | Opcode::Ineg
                | Opcode::Udiv
                | Opcode::Sdiv
                | Opcode::Urem
                | Opcode::Srem
                | Opcode::Umulhi
                | Opcode::Smulhi
                | Opcode::Band
                | Opcode::Bor
                | Opcode::Bxor
                | Opcode::Bnot
                | Opcode::BandNot
                | Opcode::BorNot
                | Opcode::BxorNot
                | Opcode::Ishl
                | Opcode::Ushr
                | Opcode::Sshr
                | Opcode::Rotl
                | Opcode::Rotr
                | Opcode::Clz
                | Opcode::Ctz
                | Opcode::Popcnt
                | Opcode::Icmp
                | Opcode::Uextend
                | Opcode::Sextend
                | Opcode::Ireduce
                | Opcode::FcvtToUint
                | Opcode::FcvtToSint
                | Opcode::FcvtToUintSat
                | Opcode::FcvtToSintSat
                | Opcode::Uload8
                | Opcode::Sload8
                | Opcode::Uload16
                | Opcode::Sload16
                | Opcode::Uload32
                | Opcode::Sload32
                | Opcode::Istore8
                | Opcode::Istore16
                | Opcode::Istore32
                | Opcode::Brif
                | Opcode::BrTable
                | Opcode::Trapz
                | Opcode::Trapnz
        )
    }

    /// Is the controlling type required to be a float?
    pub const fn requires_float(self) -> bool {
        matches!(
            self,
            Opcode::F32const
                | Opcode::F64const
                | Opcode::Fadd
                | Opcode::Fsub
                | Opcode::Fmul
                | Opcode::Fdiv
                | Opcode::Sqrt
                | Opcode::Fmin
                | Opcode::Fmax
                | Opcode::Fneg
                | Opcode::Fabs
                | Opcode::Fcopysign
                | Opcode::Floor
                | Opcode::Ceil
                | Opcode::Trunc
                | Opcode::Nearest
                | Opcode::Fcmp
                | Opcode::Fpromote
                | Opcode::Fdemote
                | Opcode::FcvtFromUint
                | Opcode::FcvtFromSint
        )
    }

    /// Is this operation commutative in its two operands?
    pub const fn is_commutative(self) -> bool {
        matches!(
            self,
            Opcode::Iadd
                | Opcode::Imul
                | Opcode::Umulhi
                | Opcode::Smulhi
                | Opcode::Band
                | Opcode::Bor
                | Opcode::Bxor
                | Opcode::Fadd
                | Opcode::Fmul
        )
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for &op in Opcode::ALL {
            assert_eq!(Opcode::from_name(op.name()), Some(op), "{op}");
        }
        assert_eq!(Opcode::from_name("iadd_imm"), None);
        assert_eq!(
            Opcode::from_name("fcvt_to_sint_sat"),
            Some(Opcode::FcvtToSintSat)
        );
    }

    #[test]
    fn effect_classes() {
        assert!(Opcode::Iadd.is_pure());
        assert!(Opcode::Iadd.is_evaluable());
        assert!(!Opcode::Udiv.is_pure() && Opcode::Udiv.is_evaluable());
        assert!(Opcode::Udiv.can_trap());
        assert!(Opcode::Load.can_load() && !Opcode::Load.is_evaluable());
        assert!(Opcode::Store.can_store() && Opcode::Store.has_side_effects());
        assert!(Opcode::Trapz.can_trap() && !Opcode::Trapz.is_terminator());
        assert!(!Opcode::Trapz.is_evaluable());
        assert!(Opcode::Trap.is_terminator() && !Opcode::Trap.is_branch());
        assert!(Opcode::BrTable.is_branch() && Opcode::BrTable.is_terminator());
        assert!(Opcode::Call.is_call() && Opcode::Call.result_count().is_none());
        assert_eq!(Opcode::Icmp.result_kind(), ResultKind::Bool);
        assert_eq!(Opcode::Store.result_count(), Some(0));
        assert_eq!(Opcode::Select.fixed_args(), Some(3));
        assert_eq!(Opcode::Return.fixed_args(), None);
    }

    #[test]
    fn int_and_float_requirements_are_disjoint() {
        for &op in Opcode::ALL {
            assert!(!(op.requires_int() && op.requires_float()), "{op}");
            if op.is_evaluable() {
                assert!(op.result_count() == Some(1), "{op}");
            }
        }
    }
}
