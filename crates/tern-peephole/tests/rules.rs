//! The shipped rules, checked with the full verifier budget.
//!
//! The build already verifies them (exhaustively at 8 bits, with a lighter
//! sample budget at wider widths); this test runs the default budget, which
//! tries many more edge-value combinations and random inputs at 16 to 128
//! bits, and checks the rule set's shape.

use std::path::Path;

use tern_peephole_dsl::diagnostic::{CompileError, SourceMap};
use tern_peephole_dsl::verify::Options;

fn shipped() -> tern_peephole_dsl::Compiled {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "peep"))
        .collect();
    files.sort();
    let mut sources = SourceMap::new();
    for f in &files {
        sources.add(
            format!("rules/{}", f.file_name().unwrap().to_string_lossy()),
            std::fs::read_to_string(f).unwrap(),
        );
    }
    tern_peephole_dsl::compile(sources).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn shipped_rules_are_sound_and_all_can_fire() {
    let compiled = shipped();
    let report = compiled.verify(&Options::default());
    if !report.diagnostics.is_empty() {
        panic!(
            "{}",
            CompileError {
                sources: compiled.set.sources.clone(),
                diagnostics: report.diagnostics,
            }
        );
    }
    assert!(compiled.set.rules.len() >= 80);
    for (rule, coverage) in compiled.set.rules.iter().zip(&report.coverage) {
        assert!(coverage.matched > 0, "{} was never checked", rule.name);
        assert!(coverage.instantiations > 0, "{}", rule.name);
    }
    // Every rule that can be instantiated at i8 with at most two inputs
    // (plus a condition code) is checked exhaustively there.
    let exhaustive = report.coverage.iter().filter(|c| c.exhaustive > 0).count();
    assert!(
        exhaustive >= 150,
        "only {exhaustive} rules checked exhaustively"
    );
}

#[test]
fn rules_are_grouped_in_commented_files() {
    let compiled = shipped();
    let files: Vec<&str> = compiled
        .set
        .sources
        .files()
        .map(|(_, f)| f.name())
        .collect();
    for topic in [
        "algebra",
        "bitwise",
        "comparisons",
        "constant-folding",
        "extensions",
        "select",
        "shifts",
        "strength-reduction",
    ] {
        assert!(
            files.contains(&format!("rules/{topic}.peep").as_str()),
            "no rules/{topic}.peep in {files:?}"
        );
    }
    for (_, file) in compiled.set.sources.files() {
        assert!(
            file.text().starts_with(";;"),
            "{} has no header comment",
            file.name()
        );
    }
}

#[test]
fn build_time_verification_is_recorded() {
    let rules = tern_peephole::RULES.len();
    assert!(
        tern_peephole::VERIFICATION.starts_with(&format!("{rules} rules, ")),
        "{}",
        tern_peephole::VERIFICATION
    );
}
