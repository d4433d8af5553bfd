//! The engine-neutral vocabulary both sides are translated into: value
//! types, values, trap kinds, call results and exported state.
//!
//! Both engines have their own `Val` and trap types; comparing them needs
//! one common form. References are compared only for null-ness: a
//! function reference's identity is an address in Tern and a handle in
//! wasmi, and there is no engine-neutral way to name it.

use std::fmt;

/// A WebAssembly value type (without `v128`: SIMD is not generated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    I32,
    I64,
    F32,
    F64,
    FuncRef,
    ExternRef,
}

/// A value as both engines are asked for it and report it. Floats are
/// kept as bits so NaN payloads and the sign of zero compare exactly.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    FuncRef { null: bool },
    ExternRef { null: bool },
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Value::I32(v) => write!(f, "i32:{v}"),
            Value::I64(v) => write!(f, "i64:{v}"),
            Value::F32(b) => write!(f, "f32:{:?}(0x{b:08x})", f32::from_bits(b)),
            Value::F64(b) => write!(f, "f64:{:?}(0x{b:016x})", f64::from_bits(b)),
            Value::FuncRef { null } => write!(f, "funcref:{}", if null { "null" } else { "func" }),
            Value::ExternRef { null } => {
                write!(f, "externref:{}", if null { "null" } else { "extern" })
            }
        }
    }
}

/// Why a call (or instantiation) trapped, in the spec's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallToNull,
    BadSignature,
    IntegerDivisionByZero,
    IntegerOverflow,
    BadConversionToInteger,
    NullReference,
    /// The engine ran out of stack. Where that happens is each engine's
    /// own limit, so a stack overflow on either side ends a comparison
    /// without a verdict.
    StackOverflow,
    /// Any other failure (a resource limit, a host error), with the
    /// engine's message.
    Other(String),
}

/// What a call did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallResult {
    Returned(Vec<Value>),
    Trapped(TrapKind),
}

/// The observable state of one export after a call.
#[derive(Clone, PartialEq, Eq)]
pub enum ExportState {
    Memory(Vec<u8>),
    Global(Value),
    Table { size: u64 },
}

impl fmt::Debug for ExportState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportState::Memory(bytes) => write!(f, "memory of {} bytes", bytes.len()),
            ExportState::Global(v) => write!(f, "global {v:?}"),
            ExportState::Table { size } => write!(f, "table of {size} elements"),
        }
    }
}

/// An exported function's name and signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncExport {
    pub name: String,
    pub params: Vec<Ty>,
    pub results: Vec<Ty>,
}

const I32_EDGES: &[i32] = &[0, 1, -1, i32::MIN, i32::MAX, 31, 32, 0x7fff, -0x8000, 65536];
const I64_EDGES: &[i64] = &[
    0,
    1,
    -1,
    i64::MIN,
    i64::MAX,
    63,
    64,
    0x8000_0000,
    -0x1_0000_0000,
    0x7fff_ffff,
];
const F32_EDGES: &[u32] = &[
    0x0000_0000, // +0
    0x8000_0000, // -0
    0x3f80_0000, // 1
    0xbf80_0000, // -1
    0x7f80_0000, // +inf
    0xff80_0000, // -inf
    0x7fc0_0000, // canonical NaN
    0x7fa0_0001, // signalling NaN with a payload
    0xffc1_2345, // negative quiet NaN with a payload
    0x0000_0001, // smallest subnormal
    0x4f00_0000, // 2^31
    0xcf00_0001, // just below -2^31
];
const F64_EDGES: &[u64] = &[
    0x0000_0000_0000_0000,
    0x8000_0000_0000_0000,
    0x3ff0_0000_0000_0000,
    0xbff0_0000_0000_0000,
    0x7ff0_0000_0000_0000,
    0xfff0_0000_0000_0000,
    0x7ff8_0000_0000_0000,
    0x7ff4_0000_0000_0001,
    0xfff8_1234_5678_9abc,
    0x0000_0000_0000_0001,
    0x43e0_0000_0000_0000, // 2^63
    0xc3e0_0000_0000_0001, // just below -2^63
];

/// How many argument sets each exported function is called with.
pub const ARGUMENT_SETS: usize = 4;

/// Argument set `set` for a function taking `params`. Set 0 is all zeros
/// and nulls; the others walk the edge tables at different strides so
/// neighbouring parameters get different edges.
pub fn arguments(params: &[Ty], set: usize) -> Vec<Value> {
    params
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            let pick = |len: usize| {
                if set == 0 {
                    0
                } else {
                    (set * 5 + i * 3 + 1) % len
                }
            };
            match ty {
                Ty::I32 => Value::I32(I32_EDGES[pick(I32_EDGES.len())]),
                Ty::I64 => Value::I64(I64_EDGES[pick(I64_EDGES.len())]),
                Ty::F32 => Value::F32(F32_EDGES[pick(F32_EDGES.len())]),
                Ty::F64 => Value::F64(F64_EDGES[pick(F64_EDGES.len())]),
                Ty::FuncRef => Value::FuncRef { null: true },
                Ty::ExternRef => Value::ExternRef { null: true },
            }
        })
        .collect()
}
