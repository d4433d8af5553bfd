//! `tern`: the command-line interface of the Tern WebAssembly engine.
//!
//! The subcommands (`run`, `compile`, `wast`, `explore`) arrive with the
//! crates that implement them; until then the binary only describes itself.

use clap::Parser;

/// Tern: a WebAssembly engine with a single-pass baseline compiler and an
/// optimizing compiler that share one assembler, ABI and runtime.
#[derive(Parser)]
#[command(name = "tern", version, about, long_about = None)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
    // With no subcommand there is nothing to do but explain what exists.
    use clap::CommandFactory;
    Cli::command()
        .print_help()
        .expect("writing help to stdout failed");
    println!();
}
