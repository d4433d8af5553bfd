//! The one place that says which WebAssembly features Tern implements.
//!
//! Validation enables exactly these features, so a module that uses anything
//! else is rejected up front with wasmparser's message instead of reaching a
//! compiler that cannot handle it. The `tern wast` runner also uses
//! [`PROPOSALS`] to tell "Tern does not implement this proposal yet" apart
//! from a genuine failure: it validates the module once more with one
//! proposal added at a time.

use wasmparser::WasmFeatures;

/// The features Tern's compilers and runtime implement: WebAssembly 2.0
/// without SIMD, plus extended constant expressions and multiple memories. (`GC_TYPES` is
/// wasmparser's gate for reference types in signatures, not the GC
/// proposal.)
pub fn supported_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::REFERENCE_TYPES
        | WasmFeatures::EXTENDED_CONST
        | WasmFeatures::MULTI_MEMORY
        | WasmFeatures::FLOATS
        | WasmFeatures::GC_TYPES
}

/// Proposals Tern does not implement yet, with the name users know them by.
/// Listed so that tooling can report *which* proposals a module needs. Each
/// entry is one proposal's own flag: one that builds on another (GC on
/// function references, relaxed SIMD on SIMD) is reported together with
/// it.
pub const PROPOSALS: &[(&str, WasmFeatures)] = &[
    ("simd", WasmFeatures::SIMD),
    ("relaxed-simd", WasmFeatures::RELAXED_SIMD),
    ("tail-call", WasmFeatures::TAIL_CALL),
    ("memory64", WasmFeatures::MEMORY64),
    ("threads", WasmFeatures::THREADS),
    (
        "shared-everything-threads",
        WasmFeatures::SHARED_EVERYTHING_THREADS,
    ),
    ("function-references", WasmFeatures::FUNCTION_REFERENCES),
    ("gc", WasmFeatures::GC),
    ("exceptions", WasmFeatures::EXCEPTIONS),
    ("legacy-exceptions", WasmFeatures::LEGACY_EXCEPTIONS),
    ("custom-page-sizes", WasmFeatures::CUSTOM_PAGE_SIZES),
    ("wide-arithmetic", WasmFeatures::WIDE_ARITHMETIC),
    ("stack-switching", WasmFeatures::STACK_SWITCHING),
    ("component-model", WasmFeatures::COMPONENT_MODEL),
];

/// Names the proposals `bytes` needs, given that it does not validate with
/// [`supported_features`] alone: a minimal set, found by enabling every
/// proposal and then removing each one the module validates without.
/// Returns `None` when no combination of proposals makes the module valid
/// (the module is then simply invalid).
pub fn required_proposals(bytes: &[u8]) -> Option<Vec<&'static str>> {
    let validates = |features: WasmFeatures| {
        wasmparser::Validator::new_with_features(features)
            .validate_all(bytes)
            .is_ok()
    };
    let all = PROPOSALS
        .iter()
        .fold(supported_features(), |acc, (_, f)| acc | *f);
    if !validates(all) {
        return None;
    }
    let mut needed: Vec<(&'static str, WasmFeatures)> = PROPOSALS.to_vec();
    let mut i = 0;
    while i < needed.len() {
        let without = needed
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .fold(supported_features(), |acc, (_, (_, f))| acc | *f);
        if validates(without) {
            needed.remove(i);
        } else {
            i += 1;
        }
    }
    Some(needed.into_iter().map(|(name, _)| name).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wasm(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap()
    }

    #[test]
    fn names_each_needed_proposal_and_only_those() {
        let simd = wasm("(module (func (param v128)))");
        assert_eq!(required_proposals(&simd), Some(vec!["simd"]));
        let two = wasm("(module (memory i64 1) (func (return_call 0)))");
        assert_eq!(
            required_proposals(&two),
            Some(vec!["tail-call", "memory64"])
        );
        let invalid = wasm("(module (func (result i32)))");
        assert_eq!(required_proposals(&invalid), None);
    }
}
