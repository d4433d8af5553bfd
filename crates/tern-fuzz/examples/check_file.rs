//! Checks one module file (`.wat` or `.wasm`) in both engines and prints
//! the verdict: the tool for minimizing a mismatch by hand, one deletion
//! at a time.
//!
//! ```text
//! cargo run -p tern-fuzz --example check_file -- repro.wat
//! ```

fn main() -> Result<(), String> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: check_file <module.wat|module.wasm>")?;
    let bytes = wat::parse_file(&path).map_err(|e| format!("{path}: {e}"))?;
    match tern_fuzz::check_module(&bytes) {
        Ok(outcome) => println!("agree: {outcome:?}"),
        Err(mismatch) => println!("MISMATCH: {mismatch}"),
    }
    Ok(())
}
