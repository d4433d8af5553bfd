//! `tern wast FILES…`: runs spec test scripts and summarizes.

use crate::EngineArgs;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct WastArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Also list each unsupported directive.
    #[arg(long)]
    show_unsupported: bool,
    /// The scripts to run.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn main(args: WastArgs) -> ExitCode {
    let config = args.engine.config();
    let mut total = tern_wast::Report::default();
    for file in &args.files {
        total.merge(tern_wast::run_file(file, &config));
    }
    for failure in &total.failed {
        println!("FAIL {failure}");
    }
    if args.show_unsupported {
        for unsupported in &total.unsupported {
            println!("UNSUPPORTED {unsupported}");
        }
    }
    println!("{total}");
    if total.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
