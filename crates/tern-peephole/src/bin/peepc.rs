//! `peepc`: the peephole rule compiler as a command.
//!
//! ```text
//! peepc check FILE.peep…   parse, type-check, build the automaton and verify
//!                          every rule; print each problem and a summary
//! peepc dot FILE.peep…     print the automaton as a Graphviz graph
//! peepc emit FILE.peep…    print the generated Rust matcher
//! ```
//!
//! `check` exits with status 1 if it finds any problem (an error or a
//! warning such as a rule that can never fire), 2 on a usage error.
//! `--thorough` makes the verifier try more random inputs.

use std::process::ExitCode;

use tern_peephole_dsl::diagnostic::{CompileError, SourceMap};
use tern_peephole_dsl::verify::Options;
use tern_peephole_dsl::{Compiled, compile};

const USAGE: &str = "usage: peepc check [--thorough] FILE.peep...
       peepc dot FILE.peep...
       peepc emit FILE.peep...";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let thorough = rest.iter().any(|a| a == "--thorough");
    let files: Vec<&String> = rest.iter().filter(|a| !a.starts_with("--")).collect();
    if let Some(flag) = rest
        .iter()
        .find(|a| a.starts_with("--") && *a != "--thorough")
    {
        eprintln!("peepc: unknown option `{flag}`\n{USAGE}");
        return ExitCode::from(2);
    }
    if files.is_empty() || !matches!(command.as_str(), "check" | "dot" | "emit") {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut sources = SourceMap::new();
    for path in files {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                sources.add(path.as_str(), text);
            }
            Err(e) => {
                eprintln!("peepc: cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let compiled = match compile(sources) {
        Ok(c) => c,
        Err(e) => {
            print!("{e}");
            println!("{} problem(s) found", e.diagnostics.len());
            return ExitCode::from(1);
        }
    };
    match command.as_str() {
        "dot" => {
            print!("{}", compiled.dot());
            ExitCode::SUCCESS
        }
        "emit" => {
            print!("{}", compiled.emit_rust());
            ExitCode::SUCCESS
        }
        _ => check(&compiled, thorough),
    }
}

fn check(compiled: &Compiled, thorough: bool) -> ExitCode {
    let options = if thorough {
        Options::thorough()
    } else {
        Options::default()
    };
    let report = compiled.verify(&options);
    if !report.diagnostics.is_empty() {
        let e = CompileError {
            sources: compiled.set.sources.clone(),
            diagnostics: report.diagnostics.clone(),
        };
        println!("{e}");
    }
    let a = &compiled.automaton;
    println!(
        "{} rules; automaton: {} tests ({} unshared), longest route {} tests, deepest pattern {}",
        compiled.set.rules.len(),
        a.tests(),
        a.unshared_steps(),
        a.height(),
        a.max_depth()
    );
    println!("verified: {}", report.summary());
    if report.diagnostics.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("{} problem(s) found", report.diagnostics.len());
        ExitCode::from(1)
    }
}
