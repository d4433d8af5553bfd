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
/// without SIMD, plus extended constant expressions. (`GC_TYPES` is
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
        | WasmFeatures::FLOATS
        | WasmFeatures::GC_TYPES
}

/// Proposals Tern does not implement yet, with the name users know them by.
/// Listed so that tooling can report *which* proposal a module needs.
pub const PROPOSALS: &[(&str, WasmFeatures)] = &[
    ("simd", WasmFeatures::SIMD),
    (
        "relaxed-simd",
        WasmFeatures::RELAXED_SIMD.union(WasmFeatures::SIMD),
    ),
    ("tail-call", WasmFeatures::TAIL_CALL),
    ("memory64", WasmFeatures::MEMORY64),
    ("multi-memory", WasmFeatures::MULTI_MEMORY),
    ("threads", WasmFeatures::THREADS),
    (
        "shared-everything-threads",
        WasmFeatures::SHARED_EVERYTHING_THREADS,
    ),
    ("function-references", WasmFeatures::FUNCTION_REFERENCES),
    (
        "gc",
        WasmFeatures::GC.union(WasmFeatures::FUNCTION_REFERENCES),
    ),
    ("exceptions", WasmFeatures::EXCEPTIONS),
    ("legacy-exceptions", WasmFeatures::LEGACY_EXCEPTIONS),
    ("custom-page-sizes", WasmFeatures::CUSTOM_PAGE_SIZES),
    ("wide-arithmetic", WasmFeatures::WIDE_ARITHMETIC),
    ("stack-switching", WasmFeatures::STACK_SWITCHING),
    ("component-model", WasmFeatures::COMPONENT_MODEL),
];

/// Names the first proposal in [`PROPOSALS`] under which `bytes` validates,
/// given that it does not validate with [`supported_features`] alone.
/// Returns `None` when no single proposal makes the module valid (the
/// module is then simply invalid).
pub fn required_proposal(bytes: &[u8]) -> Option<&'static str> {
    let base = supported_features();
    PROPOSALS.iter().find_map(|(name, extra)| {
        let mut validator = wasmparser::Validator::new_with_features(base | *extra);
        validator.validate_all(bytes).ok().map(|_| *name)
    })
}
