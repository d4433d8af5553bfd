//! Where Tern's tests find the data they read but the repository does not
//! hold: the WebAssembly spec test suite, the WASI test suite and the
//! benchmark programs, all under `../shared` beside the repository (or
//! wherever an environment variable says).
//!
//! Missing data is never a silent pass. A test that needs a folder that is
//! not there panics with a message naming the path it looked at and the
//! variable that overrides it — unless `TERN_SKIP_MISSING_DATA=1` is set,
//! which `.ci/run` does only after announcing in its log that the shared
//! data is absent and which tests it skips. Then the test prints why it
//! is skipped and returns.

use std::path::PathBuf;

/// The repository's root (this crate lives in `crates/tern-testdata`).
fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Finds `$var`, else `../shared/<default>` next to the repository, and
/// checks that `marker` exists inside it.
fn locate(var: &str, default: &str, marker: &str, what: &str) -> Option<PathBuf> {
    let dir = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared").join(default));
    if dir.join(marker).exists() {
        return Some(dir);
    }
    let message = format!(
        "{what} not found at {} (looked for {marker}); set {var} to its location",
        dir.display()
    );
    if std::env::var_os("TERN_SKIP_MISSING_DATA").is_some_and(|v| v == "1") {
        eprintln!("SKIPPED: {message}");
        None
    } else {
        panic!("{message}");
    }
}

/// The WebAssembly spec test suite (`$TERN_WASM_TESTSUITE`).
pub fn wasm_testsuite() -> Option<PathBuf> {
    locate(
        "TERN_WASM_TESTSUITE",
        "wasm-testsuite",
        "i32.wast",
        "the WebAssembly spec test suite",
    )
}

/// The WASI test suite (`$TERN_WASI_TESTSUITE`).
pub fn wasi_testsuite() -> Option<PathBuf> {
    locate(
        "TERN_WASI_TESTSUITE",
        "wasi-testsuite",
        "tests",
        "the WASI test suite",
    )
}

/// The benchmark programs (`$TERN_BENCHMARKS`, holding `sightglass/`).
pub fn benchmarks() -> Option<PathBuf> {
    locate(
        "TERN_BENCHMARKS",
        "benchmarks",
        "sightglass",
        "the benchmark programs",
    )
}
