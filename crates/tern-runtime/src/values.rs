//! Values as the host sees them ([`Val`]) and as they cross the boundary
//! with compiled code ([`ValRaw`]).

use std::fmt;
use tern_environ::ValType;

/// One slot of the array through which trampolines pass arguments and
/// results: 16 bytes (room for a v128 later). Integers are stored
/// zero-extended little-endian, floats as their bits, references as
/// pointer-sized values (0 is null).
#[repr(C, align(16))]
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct ValRaw {
    low: u64,
    high: u64,
}

impl fmt::Debug for ValRaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ValRaw({:#x})", self.low)
    }
}

impl ValRaw {
    pub fn from_bits(bits: u64) -> ValRaw {
        ValRaw { low: bits, high: 0 }
    }
    pub fn i32(v: i32) -> ValRaw {
        ValRaw::from_bits(v as u32 as u64)
    }
    pub fn i64(v: i64) -> ValRaw {
        ValRaw::from_bits(v as u64)
    }
    pub fn f32(bits: u32) -> ValRaw {
        ValRaw::from_bits(bits as u64)
    }
    pub fn f64(bits: u64) -> ValRaw {
        ValRaw::from_bits(bits)
    }
    pub fn bits(self) -> u64 {
        self.low
    }
    pub fn get_i32(self) -> i32 {
        self.low as u32 as i32
    }
    pub fn get_i64(self) -> i64 {
        self.low as i64
    }
    pub fn get_f32(self) -> u32 {
        self.low as u32
    }
    pub fn get_f64(self) -> u64 {
        self.low
    }
}

/// A reference to a function, as a host-visible value: the address of its
/// `VMFuncRef`, valid while the store that owns it lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuncRefValue(pub(crate) usize);

/// A WebAssembly value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// The bits of an f32 (kept as bits so NaN payloads survive).
    F32(u32),
    /// The bits of an f64.
    F64(u64),
    /// A function reference (`None` is null).
    FuncRef(Option<FuncRefValue>),
    /// An opaque host reference (`None` is null); the number is a handle
    /// into the store's externref table.
    ExternRef(Option<u32>),
}

impl Val {
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// The default (zero or null) value of a type.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
        }
    }

    pub fn to_raw(self) -> ValRaw {
        match self {
            Val::I32(v) => ValRaw::i32(v),
            Val::I64(v) => ValRaw::i64(v),
            Val::F32(v) => ValRaw::f32(v),
            Val::F64(v) => ValRaw::f64(v),
            Val::FuncRef(r) => ValRaw::from_bits(r.map_or(0, |r| r.0 as u64)),
            // Externref handles are stored +1 so that 0 stays null.
            Val::ExternRef(r) => ValRaw::from_bits(r.map_or(0, |r| r as u64 + 1)),
        }
    }

    pub fn from_raw(raw: ValRaw, ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(raw.get_i32()),
            ValType::I64 => Val::I64(raw.get_i64()),
            ValType::F32 => Val::F32(raw.get_f32()),
            ValType::F64 => Val::F64(raw.get_f64()),
            ValType::FuncRef => Val::FuncRef(match raw.bits() {
                0 => None,
                p => Some(FuncRefValue(p as usize)),
            }),
            ValType::ExternRef => Val::ExternRef(match raw.bits() {
                0 => None,
                h => Some((h - 1) as u32),
            }),
        }
    }

    pub fn unwrap_i32(&self) -> i32 {
        match self {
            Val::I32(v) => *v,
            other => panic!("expected i32, found {other:?}"),
        }
    }

    pub fn unwrap_i64(&self) -> i64 {
        match self {
            Val::I64(v) => *v,
            other => panic!("expected i64, found {other:?}"),
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::I32(v) => write!(f, "{v}"),
            Val::I64(v) => write!(f, "{v}"),
            Val::F32(bits) => write!(f, "{}", f32::from_bits(*bits)),
            Val::F64(bits) => write!(f, "{}", f64::from_bits(*bits)),
            Val::FuncRef(None) | Val::ExternRef(None) => f.write_str("null"),
            Val::FuncRef(Some(r)) => write!(f, "funcref({:#x})", r.0),
            Val::ExternRef(Some(h)) => write!(f, "externref({h})"),
        }
    }
}
