//! Converting script arguments to values and checking results against
//! the script's expectations (including NaN patterns).

use crate::Outcome;
use tern_runtime::Val;
use wast::core::{HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::{WastRet, token::F32, token::F64};

pub fn arg(arg: &WastArgCore<'_>) -> Result<Val, Outcome> {
    Ok(match arg {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::RefNull(HeapType::Abstract { ty, .. }) => match ty {
            wast::core::AbstractHeapType::Func => Val::FuncRef(None),
            wast::core::AbstractHeapType::Extern => Val::ExternRef(None),
            _ => return crate::unsupported("gc"),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(*n)),
        WastArgCore::V128(_) => return crate::unsupported("simd"),
        _ => return crate::unsupported("gc"),
    })
}

pub fn format_vals(values: &[Val]) -> String {
    let parts: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    format!("[{}]", parts.join(", "))
}

pub fn check_results(actual: &[Val], expected: &[WastRet<'_>]) -> Result<(), String> {
    if actual.len() != expected.len() {
        return Err(format!(
            "expected {} results, got {}",
            expected.len(),
            format_vals(actual)
        ));
    }
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let WastRet::Core(e) = e else {
            return Err("component-model results are not supported".into());
        };
        if !matches(a, e)? {
            return Err(format!("result {i}: expected {e:?}, got {a:?}"));
        }
    }
    Ok(())
}

fn matches(actual: &Val, expected: &WastRetCore<'_>) -> Result<bool, String> {
    Ok(match (actual, expected) {
        (Val::I32(a), WastRetCore::I32(e)) => a == e,
        (Val::I64(a), WastRetCore::I64(e)) => a == e,
        (Val::F32(a), WastRetCore::F32(e)) => f32_matches(*a, e),
        (Val::F64(a), WastRetCore::F64(e)) => f64_matches(*a, e),
        (Val::FuncRef(r), WastRetCore::RefNull(_)) => r.is_none(),
        (Val::ExternRef(r), WastRetCore::RefNull(_)) => r.is_none(),
        (Val::FuncRef(r), WastRetCore::RefFunc(None)) => r.is_some(),
        (Val::ExternRef(r), WastRetCore::RefExtern(e)) => match e {
            None => r.is_some(),
            Some(n) => *r == Some(*n),
        },
        (_, WastRetCore::Either(options)) => {
            for option in options {
                if matches(actual, option)? {
                    return Ok(true);
                }
            }
            false
        }
        _ => false,
    })
}

fn f32_matches(bits: u32, expected: &NanPattern<F32>) -> bool {
    let is_nan = (bits & 0x7f80_0000) == 0x7f80_0000 && (bits & 0x007f_ffff) != 0;
    match expected {
        NanPattern::CanonicalNan => (bits & 0x7fff_ffff) == 0x7fc0_0000,
        NanPattern::ArithmeticNan => is_nan && (bits & 0x0040_0000) != 0,
        NanPattern::Value(v) => bits == v.bits,
    }
}

fn f64_matches(bits: u64, expected: &NanPattern<F64>) -> bool {
    let exp = 0x7ff0_0000_0000_0000u64;
    let frac = 0x000f_ffff_ffff_ffffu64;
    let is_nan = (bits & exp) == exp && (bits & frac) != 0;
    match expected {
        NanPattern::CanonicalNan => (bits & 0x7fff_ffff_ffff_ffff) == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => is_nan && (bits & 0x0008_0000_0000_0000) != 0,
        NanPattern::Value(v) => bits == v.bits,
    }
}
