//! `tern`: the command-line interface of the Tern WebAssembly engine.
//!
//! Tern's own flags come before the module file; everything after the file
//! belongs to the program (as with other engines' CLIs).

mod bench;
mod run;
mod wast;

use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;
use tern_runtime::{Config, Tier};

/// Tern: a WebAssembly engine with a single-pass baseline compiler and an
/// optimizing compiler that share one assembler, ABI and runtime.
#[derive(Parser)]
#[command(name = "tern", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a WebAssembly module (`_start`, or the function named by --invoke).
    Run(run::RunArgs),
    /// Run WebAssembly spec test scripts (.wast).
    Wast(wast::WastArgs),
    /// Run sightglass benchmarks and report compile and run times.
    Bench(bench::BenchArgs),
}

/// Which compiler to use.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum CompilerChoice {
    /// The single-pass compiler (fast compilation).
    #[default]
    Baseline,
    /// The optimizing compiler (fast code).
    Optimizing,
}

/// Engine flags shared by the subcommands.
#[derive(clap::Args, Clone, Debug)]
pub struct EngineArgs {
    /// The compiler to use.
    #[arg(long, value_enum, default_value_t = CompilerChoice::Baseline)]
    compiler: CompilerChoice,
    /// Compile functions on one thread only.
    #[arg(long)]
    no_parallel_compilation: bool,
}

impl EngineArgs {
    pub fn config(&self) -> Config {
        Config {
            tier: match self.compiler {
                CompilerChoice::Baseline => Tier::Baseline,
                CompilerChoice::Optimizing => Tier::Optimizing,
            },
            parallel_compilation: !self.no_parallel_compilation,
            ..Config::default()
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::main(args),
        Command::Wast(args) => wast::main(args),
        Command::Bench(args) => bench::main(args),
    }
}
