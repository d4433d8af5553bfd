//! What the rule language needs to know about each IR opcode.
//!
//! Everything comes from `tern-ir`: the opcode table gives names, formats
//! (hence which immediates an operation takes), effects and result kinds,
//! and [`tern_ir::typing::check_operands`] is the IR's own type rule for an
//! instruction. The type checker uses that function as an oracle over
//! candidate types instead of restating the rules (shift amounts of any
//! integer type, extensions to wider types, conversions …), so the rule
//! language can never disagree with the IR verifier about what is well
//! typed.
//!
//! Only opcodes the IR evaluator can evaluate on their operands alone
//! ([`Opcode::is_evaluable`]) and that produce one value may appear in a
//! rule: anything touching memory, control flow or calls is out, because a
//! peephole rewrite cannot reason about it and the verifier could not check
//! it. Float constants are out too: the language has no float literals.

use tern_ir::typing::{TypeError, check_operands};
use tern_ir::{FloatCC, Imm, InstFormat, IntCC, Opcode, ResultKind, Type};

/// The kind of a non-value operand written in a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImmKind {
    /// `iconst`'s integer, of the controlling type.
    Int,
    /// `icmp`'s condition code.
    IntCC,
    /// `fcmp`'s condition code.
    FloatCC,
}

/// The shape of an opcode as rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The opcode.
    pub opcode: Opcode,
    /// The immediates, written before the value operands.
    pub imms: &'static [ImmKind],
    /// The number of value operands.
    pub args: usize,
}

impl Signature {
    /// The number of operands written in a rule: immediates plus values.
    pub fn arity(&self) -> usize {
        self.imms.len() + self.args
    }

    /// The type of the result given the controlling type, if `ctrl` and
    /// `arg_types` are well typed for this opcode.
    pub fn result_type(&self, ctrl: Type, arg_types: &[Type]) -> Result<Type, TypeError> {
        let imm = match self.imms.first() {
            None => Imm::None,
            Some(ImmKind::Int) => Imm::Int(0),
            Some(ImmKind::IntCC) => Imm::IntCC(IntCC::Equal),
            Some(ImmKind::FloatCC) => Imm::FloatCC(FloatCC::Equal),
        };
        check_operands(self.opcode, ctrl, imm, arg_types)?;
        Ok(match self.opcode.result_kind() {
            ResultKind::Bool => Type::I8,
            _ => ctrl,
        })
    }
}

/// Why an opcode cannot appear in a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsupported {
    /// It has effects beyond its result (memory, control flow, calls).
    Effects,
    /// It is a float constant; rules have no float literals.
    FloatConstant,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unsupported::Effects => {
                "it touches memory, control flow or calls, which peephole rules cannot reason about"
            }
            Unsupported::FloatConstant => "rules have no float literals",
        })
    }
}

/// The signature of `opcode` for use in rules.
pub fn signature(opcode: Opcode) -> Result<Signature, Unsupported> {
    if !opcode.is_evaluable() || opcode.result_count() != Some(1) {
        return Err(Unsupported::Effects);
    }
    let imms: &'static [ImmKind] = match opcode.format() {
        InstFormat::IntConst => &[ImmKind::Int],
        InstFormat::IntCompare => &[ImmKind::IntCC],
        InstFormat::FloatCompare => &[ImmKind::FloatCC],
        InstFormat::F32Const | InstFormat::F64Const => return Err(Unsupported::FloatConstant),
        _ => &[],
    };
    Ok(Signature {
        opcode,
        imms,
        args: opcode
            .fixed_args()
            .expect("evaluable opcodes have a fixed operand count"),
    })
}

/// A set of IR types, as a bitmask over [`Type::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeSet(u8);

impl TypeSet {
    /// No types.
    pub const EMPTY: TypeSet = TypeSet(0);
    /// The integer types.
    pub const INTS: TypeSet = TypeSet(0b001_1111);
    /// The float types.
    pub const FLOATS: TypeSet = TypeSet(0b110_0000);
    /// Every type.
    pub const ALL: TypeSet = TypeSet(0b111_1111);

    fn bit(t: Type) -> u8 {
        1 << Type::ALL
            .iter()
            .position(|&x| x == t)
            .expect("Type::ALL lists every type")
    }

    /// The set holding just `t`.
    pub fn single(t: Type) -> TypeSet {
        TypeSet(TypeSet::bit(t))
    }

    /// The types of at most `bits` bits.
    pub fn at_most_bits(bits: u32) -> TypeSet {
        Type::ALL.into_iter().filter(|t| t.bits() <= bits).collect()
    }

    /// The types of exactly `bits` bits.
    pub fn of_bits(bits: u32) -> TypeSet {
        Type::ALL.into_iter().filter(|t| t.bits() == bits).collect()
    }

    /// Is `t` in the set?
    pub fn contains(self, t: Type) -> bool {
        self.0 & TypeSet::bit(t) != 0
    }

    /// The set with `t` added.
    pub fn with(self, t: Type) -> TypeSet {
        TypeSet(self.0 | TypeSet::bit(t))
    }

    /// The types in both sets.
    pub fn intersect(self, other: TypeSet) -> TypeSet {
        TypeSet(self.0 & other.0)
    }

    /// Is the set empty?
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The number of types in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The single type in the set, if it has exactly one.
    pub fn only(self) -> Option<Type> {
        if self.len() == 1 {
            self.iter().next()
        } else {
            None
        }
    }

    /// The types in the set, in [`Type::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Type> {
        Type::ALL.into_iter().filter(move |&t| self.contains(t))
    }
}

impl FromIterator<Type> for TypeSet {
    fn from_iter<I: IntoIterator<Item = Type>>(iter: I) -> TypeSet {
        TypeSet(iter.into_iter().fold(0, |acc, t| acc | TypeSet::bit(t)))
    }
}

impl std::fmt::Display for TypeSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(t) = self.only() {
            return write!(f, "{t}");
        }
        let names: Vec<_> = self.iter().map(|t| t.name()).collect();
        write!(f, "{{{}}}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immediates_come_from_the_format() {
        assert!(signature(Opcode::Iadd).unwrap().imms.is_empty());
        assert_eq!(signature(Opcode::Iconst).unwrap().imms, &[ImmKind::Int]);
        let icmp = signature(Opcode::Icmp).unwrap();
        assert_eq!(icmp.imms, &[ImmKind::IntCC]);
        assert_eq!(icmp.arity(), 3);
        assert_eq!(signature(Opcode::Fcmp).unwrap().imms, &[ImmKind::FloatCC]);
    }

    #[test]
    fn result_types_follow_the_ir_type_rules() {
        use Type::*;
        let icmp = signature(Opcode::Icmp).unwrap();
        assert_eq!(icmp.result_type(I64, &[I64, I64]), Ok(I8));
        assert!(icmp.result_type(F32, &[F32, F32]).is_err());
        let ishl = signature(Opcode::Ishl).unwrap();
        assert_eq!(ishl.result_type(I32, &[I32, I8]), Ok(I32));
        let uextend = signature(Opcode::Uextend).unwrap();
        assert_eq!(uextend.result_type(I64, &[I32]), Ok(I64));
        assert!(uextend.result_type(I32, &[I64]).is_err());
        let iconst = signature(Opcode::Iconst).unwrap();
        assert_eq!(iconst.result_type(I16, &[]), Ok(I16));
        assert!(iconst.result_type(F64, &[]).is_err());
    }

    #[test]
    fn effects_and_float_constants_are_unsupported() {
        assert_eq!(signature(Opcode::Load), Err(Unsupported::Effects));
        assert_eq!(signature(Opcode::Trapz), Err(Unsupported::Effects));
        assert_eq!(signature(Opcode::Call), Err(Unsupported::Effects));
        assert_eq!(signature(Opcode::F32const), Err(Unsupported::FloatConstant));
        // Trapping arithmetic is deterministic and may appear.
        assert!(signature(Opcode::Udiv).is_ok());
    }

    #[test]
    fn type_sets() {
        assert_eq!(
            TypeSet::at_most_bits(32).iter().collect::<Vec<_>>(),
            [Type::I8, Type::I16, Type::I32, Type::F32]
        );
        assert_eq!(TypeSet::of_bits(64).to_string(), "{i64, f64}");
        assert_eq!(TypeSet::single(Type::I16).to_string(), "i16");
        assert_eq!(TypeSet::single(Type::I16).only(), Some(Type::I16));
        assert_eq!(TypeSet::INTS.only(), None);
        assert!(TypeSet::INTS.intersect(TypeSet::FLOATS).is_empty());
    }
}
