//! Records the exact versions of the peer engines, as resolved in this
//! project's `Cargo.lock`, and of the Rust compiler, so that every run
//! prints what it measured.

use std::path::Path;

/// Packages whose resolved version the benchmark prints.
const PEERS: [&str; 2] = ["wasmtime", "wasmi"];

fn main() {
    let lock_path = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("Cargo.lock");
    println!("cargo::rerun-if-changed={}", lock_path.display());
    let lock = std::fs::read_to_string(&lock_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", lock_path.display()));
    for peer in PEERS {
        let version = resolved_version(&lock, peer)
            .unwrap_or_else(|| panic!("{peer} is not in {}", lock_path.display()));
        println!(
            "cargo::rustc-env=PEER_VERSION_{}={version}",
            peer.to_uppercase()
        );
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let rustc_version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .unwrap_or_default();
    println!("cargo::rustc-env=RUSTC_VERSION={}", rustc_version.trim());
}

/// The `version` line that follows `name = "<package>"` in a lock file.
fn resolved_version(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    lines.find(|line| *line == name_line)?;
    let version = lines
        .next()?
        .strip_prefix("version = \"")?
        .strip_suffix('"')?;
    Some(version.to_string())
}
