//! The modules to compile: every `.wasm` under the Sightglass snapshot,
//! sorted into those every engine is asked to compile and those left out
//! (with the reason).
//!
//! The comparison is about scalar code, which every compiler here supports,
//! so modules are screened with `wasmparser`'s validator before any engine
//! sees them: components are not core modules; modules that only validate
//! with SIMD or GC enabled are out of scope (Tern's baseline and Winch
//! handle neither fully, Wasmi has no SIMD in this build). Whatever passes
//! the screen may still be refused by one of the engines; the caller finds
//! that out with a trial compile and skips the module for everyone.

use std::path::{Path, PathBuf};
use wasmparser::{Parser, Payload, Validator, WasmFeatures};

/// A core module every engine will be asked to compile.
pub struct Module {
    /// Path relative to the Sightglass folder, without `.wasm`.
    pub name: String,
    pub bytes: Vec<u8>,
    /// Size of the code section's contents: the function bodies that
    /// compilers actually translate.
    pub code_bytes: u64,
}

/// A file left out, and why.
pub struct Skipped {
    pub name: String,
    pub reason: String,
}

/// The screened corpus.
pub struct Corpus {
    pub modules: Vec<Module>,
    pub skipped: Vec<Skipped>,
}

/// Reads every `.wasm` file under `dir` (recursively) whose name contains
/// one of `filters` (all files when `filters` is empty).
pub fn load(dir: &Path, filters: &[String]) -> Result<Corpus, String> {
    let mut paths = Vec::new();
    collect_wasm_files(dir, &mut paths)?;
    paths.sort();
    let mut corpus = Corpus {
        modules: Vec::new(),
        skipped: Vec::new(),
    };
    for path in paths {
        let name = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .with_extension("")
            .display()
            .to_string();
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        match screen(&bytes) {
            Ok(code_bytes) => corpus.modules.push(Module {
                name,
                bytes,
                code_bytes,
            }),
            Err(reason) => corpus.skipped.push(Skipped { name, reason }),
        }
    }
    Ok(corpus)
}

fn collect_wasm_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            collect_wasm_files(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "wasm") {
            out.push(path);
        }
    }
    Ok(())
}

/// Decides whether a file is in scope; on success returns its code section
/// size, otherwise the reason it is left out.
fn screen(bytes: &[u8]) -> Result<u64, String> {
    if Parser::is_component(bytes) {
        return Err("component, not a core module".to_string());
    }
    if let Err(e) = validate(bytes, WasmFeatures::default()) {
        return Err(format!("does not validate: {e}"));
    }
    let scalar = WasmFeatures::default() - WasmFeatures::SIMD - WasmFeatures::RELAXED_SIMD;
    if validate(bytes, scalar).is_err() {
        return Err("uses SIMD (v128)".to_string());
    }
    if validate(bytes, scalar - WasmFeatures::GC).is_err() {
        return Err("uses GC types or instructions".to_string());
    }
    code_section_size(bytes).map_err(|e| format!("cannot parse: {e}"))
}

fn validate(bytes: &[u8], features: WasmFeatures) -> Result<(), wasmparser::BinaryReaderError> {
    Validator::new_with_features(features)
        .validate_all(bytes)
        .map(drop)
}

/// Bytes of function bodies (the code section without its header); zero for
/// a module without functions.
fn code_section_size(bytes: &[u8]) -> Result<u64, wasmparser::BinaryReaderError> {
    for payload in Parser::new(0).parse_all(bytes) {
        if let Payload::CodeSectionStart {
            unchecked_range, ..
        } = payload?
        {
            return Ok(unchecked_range.end - unchecked_range.start);
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::screen;

    const HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

    fn module(sections: &[&[u8]]) -> Vec<u8> {
        let mut bytes = HEADER.to_vec();
        for section in sections {
            bytes.extend_from_slice(section);
        }
        bytes
    }

    #[test]
    fn scalar_module_is_kept_with_its_code_section_size() {
        // type () -> (); one function of that type; its body: no locals, `end`.
        let wasm = module(&[
            &[0x01, 0x04, 0x01, 0x60, 0x00, 0x00],
            &[0x03, 0x02, 0x01, 0x00],
            &[0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b],
        ]);
        assert_eq!(screen(&wasm), Ok(4));
    }

    #[test]
    fn simd_module_is_skipped_as_simd() {
        // type () -> (); body: one v128 local, `end`.
        let wasm = module(&[
            &[0x01, 0x04, 0x01, 0x60, 0x00, 0x00],
            &[0x03, 0x02, 0x01, 0x00],
            &[0x0a, 0x06, 0x01, 0x04, 0x01, 0x01, 0x7b, 0x0b],
        ]);
        assert_eq!(screen(&wasm), Err("uses SIMD (v128)".to_string()));
    }

    #[test]
    fn component_and_garbage_are_skipped_with_reasons() {
        let component = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
        assert_eq!(
            screen(&component),
            Err("component, not a core module".to_string())
        );
        let garbage = screen(b"not wasm").unwrap_err();
        assert!(garbage.starts_with("does not validate:"), "{garbage}");
    }
}
