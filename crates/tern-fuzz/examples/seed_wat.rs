//! Prints the module for one seed as WAT, the starting point for
//! minimizing a mismatch by hand:
//!
//! ```text
//! cargo run -p tern-fuzz --example seed_wat -- 189 > seed189.wat
//! ```

fn main() -> Result<(), String> {
    let seed = std::env::args()
        .nth(1)
        .ok_or("usage: seed_wat <seed>")?
        .parse::<u64>()
        .map_err(|e| format!("the seed must be a non-negative integer: {e}"))?;
    let bytes = tern_fuzz::generate::module_for_seed(seed)?;
    let wat = wasmprinter::print_bytes(&bytes).map_err(|e| e.to_string())?;
    println!("{wat}");
    Ok(())
}
