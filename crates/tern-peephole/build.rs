//! Compiles `rules/*.peep` into the matcher the optimizer runs.
//!
//! Every build of this crate after a change to the rules (or to the DSL
//! compiler or the IR it depends on) runs all compiler phases and the
//! verifier: a rule that fails to parse or type-check, or that the verifier
//! finds unsound, fails the build with the diagnostic; a rule that can never
//! fire is a warning. The generated matcher goes to `$OUT_DIR/rules.rs`
//! with a one-line summary of what was verified in
//! `$OUT_DIR/verification.txt`.
//!
//! With the `bench-rulesets` feature, three more matchers are generated for
//! the benchmark: the first 10 rules, the first 100, and all rules plus
//! several hundred generated ones.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::exit;

use tern_peephole_dsl::diagnostic::{CompileError, SourceMap};
use tern_peephole_dsl::verify::Options;
use tern_peephole_dsl::{Compiled, compile};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    let rules_dir = manifest.join("rules");
    println!("cargo::rerun-if-changed={}", rules_dir.display());

    let files = rule_files(&rules_dir);
    let mut sources = SourceMap::new();
    for path in &files {
        println!("cargo::rerun-if-changed={}", path.display());
        let text = fs::read_to_string(path).unwrap_or_else(|e| {
            eprintln!("error: cannot read {}: {e}", path.display());
            exit(1)
        });
        let name = format!(
            "rules/{}",
            path.file_name().expect("a file").to_string_lossy()
        );
        sources.add(name, text);
    }

    let compiled = compile(sources).unwrap_or_else(|e| fail(&e));
    let report = compiled.verify(&Options::quick());
    for d in &report.diagnostics {
        if !d.is_error() {
            for line in d.render(&compiled.set.sources).lines() {
                println!("cargo::warning={line}");
            }
        }
    }
    if report.has_errors() {
        fail(&CompileError {
            sources: compiled.set.sources.clone(),
            diagnostics: report.diagnostics,
        });
    }
    write(&out.join("rules.rs"), &compiled.emit_rust());
    write(&out.join("verification.txt"), &report.summary());

    if std::env::var_os("CARGO_FEATURE_BENCH_RULESETS").is_some() {
        bench_rulesets(&compiled, &out);
    }
}

/// The `.peep` files of `dir`, sorted by name.
fn rule_files(dir: &Path) -> Vec<PathBuf> {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| {
        eprintln!("error: cannot read {}: {e}", dir.display());
        exit(1)
    });
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "peep"))
        .collect();
    files.sort();
    files
}

fn fail(e: &CompileError) -> ! {
    eprintln!("{e}");
    exit(1)
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).unwrap_or_else(|e| {
        eprintln!("error: cannot write {}: {e}", path.display());
        exit(1)
    });
}

/// Generates the benchmark's rule sets. They are not verified here: the
/// shipped rules already were, and the generated ones are sound by
/// construction (a test verifies a sample of them).
fn bench_rulesets(shipped: &Compiled, out: &Path) {
    let texts: Vec<&str> = shipped.set.rules.iter().map(|r| r.text.as_str()).collect();
    for (name, n) in [("first10", 10), ("first100", 100)] {
        let text = texts[..n.min(texts.len())].join("\n");
        let compiled = compile_text(name, &text);
        write(&out.join(format!("{name}.rs")), &compiled.emit_rust());
    }
    let mut text = texts.join("\n");
    text.push('\n');
    text.push_str(&generated_rules());
    let compiled = compile_text("generated", &text);
    write(&out.join("generated.rs"), &compiled.emit_rust());
}

fn compile_text(name: &str, text: &str) -> Compiled {
    let mut sources = SourceMap::new();
    sources.add(format!("{name}.peep"), text);
    compile(sources).unwrap_or_else(|e| fail(&e))
}

/// Several hundred sound rules in families that differ only in a constant,
/// which is how large rule sets tend to grow (one rule per magic number).
fn generated_rules() -> String {
    let mut text = String::new();
    for k in 2..130 {
        // (x | K) & K = K
        let _ = writeln!(text, "(=> (band (bor $x {k}) {k}) {k})");
        // (x ^ K) ^ K = x, written with the constant twice.
        let _ = writeln!(text, "(=> (bxor (bxor $x {k}) {k}) $x)");
        // x + K == K  <=>  x == 0
        let _ = writeln!(text, "(=> (icmp eq (iadd $x {k}) {k}) (icmp eq $x 0))");
    }
    text
}
