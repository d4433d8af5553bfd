//! `tern run [--dir HOST[::GUEST]]… [--env NAME[=VALUE]]… [--invoke NAME] FILE [ARGS…]`.
//!
//! Every module gets WASI preview1: arguments after FILE go to the guest
//! (its `argv[0]` is the file's name), standard streams are inherited, and
//! the guest sees only the directories given with `--dir` and the
//! variables given with `--env`. The guest's exit code becomes Tern's.

use crate::EngineArgs;
use std::path::PathBuf;
use std::process::ExitCode;
use tern_runtime::{Engine, Error, Linker, Module, Store, Val, ValType};
use tern_wasi::{Preopen, WasiCtx, WasiCtxBuilder};

#[derive(clap::Args)]
#[command(trailing_var_arg = true)]
pub struct RunArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Give the guest a host directory, as GUEST (default: the host path).
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<Preopen>,
    /// Give the guest an environment variable (NAME alone passes the
    /// host's value).
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    envs: Vec<String>,
    /// Call this exported function instead of `_start`, with ARGS as its
    /// arguments, and print its results.
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,
    /// The module (.wasm or .wat).
    file: PathBuf,
    /// Arguments for the program (or for the invoked function).
    #[arg(allow_hyphen_values = true)]
    args: Vec<String>,
}

pub fn main(args: RunArgs) -> ExitCode {
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            if let Some(status) = e.as_trap().and_then(|t| t.exit_status()) {
                return ExitCode::from(status as u8);
            }
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn wasi_context(args: &RunArgs) -> Result<WasiCtx, Error> {
    let program = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut builder = WasiCtxBuilder::new().inherit_stdio().arg(program);
    if args.invoke.is_none() {
        builder = builder.args(args.args.iter().cloned());
    }
    for spec in &args.envs {
        builder = match spec.split_once('=') {
            Some((name, value)) => builder.env(name, value),
            None => match std::env::var(spec) {
                Ok(value) => builder.env(spec.as_str(), value),
                Err(_) => builder,
            },
        };
    }
    for dir in &args.dirs {
        builder = builder.preopen(dir.clone());
    }
    builder
        .build()
        .map_err(|e| Error::Link(format!("cannot set up WASI: {e}")))
}

fn run(args: &RunArgs) -> Result<ExitCode, Error> {
    let engine = Engine::new(args.engine.config())?;
    let module = Module::from_file(&engine, &args.file)?;
    let mut store = Store::new(&engine, wasi_context(args)?);
    let mut linker = Linker::new();
    tern_wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx);
    let instance = linker.instantiate(&mut store, &module)?;
    let name = args.invoke.as_deref().unwrap_or("_start");
    let func = instance.get_func(&store, name).ok_or_else(|| {
        Error::Link(format!(
            "{} has no exported function `{name}`",
            args.file.display()
        ))
    })?;
    let ty = func.ty(&store);
    let call_args: &[String] = if args.invoke.is_some() {
        &args.args
    } else {
        &[]
    };
    if call_args.len() != ty.params.len() {
        return Err(Error::Type(format!(
            "`{name}` takes {} arguments ({ty}), {} given",
            ty.params.len(),
            call_args.len()
        )));
    }
    let params = ty
        .params
        .iter()
        .zip(call_args)
        .enumerate()
        .map(|(i, (t, text))| {
            parse_arg(*t, text).map_err(|e| Error::Type(format!("argument {i}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut results: Vec<Val> = ty.results.iter().map(|t| Val::default_for(*t)).collect();
    func.call(&mut store, &params, &mut results)?;
    for r in &results {
        println!("{r}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses a command-line argument as a value of type `ty`: decimal or
/// `0x` hexadecimal integers (negative allowed), floats as Rust parses
/// them (`inf`, `nan` included).
fn parse_arg(ty: ValType, text: &str) -> Result<Val, String> {
    let bad = || format!("`{text}` is not a valid {ty}");
    let int = |text: &str| -> Option<i128> {
        let (neg, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let value = match digits.strip_prefix("0x") {
            Some(hex) => i128::from_str_radix(hex, 16).ok()?,
            None => digits.parse::<i128>().ok()?,
        };
        Some(if neg { -value } else { value })
    };
    match ty {
        ValType::I32 => {
            let v = int(text).ok_or_else(bad)?;
            if v < i32::MIN as i128 || v > u32::MAX as i128 {
                return Err(bad());
            }
            Ok(Val::I32(v as i32))
        }
        ValType::I64 => {
            let v = int(text).ok_or_else(bad)?;
            if v < i64::MIN as i128 || v > u64::MAX as i128 {
                return Err(bad());
            }
            Ok(Val::I64(v as i64))
        }
        ValType::F32 => Ok(Val::F32(text.parse::<f32>().map_err(|_| bad())?.to_bits())),
        ValType::F64 => Ok(Val::F64(text.parse::<f64>().map_err(|_| bad())?.to_bits())),
        ValType::FuncRef | ValType::ExternRef => Err(format!(
            "reference arguments cannot be given on the command line ({ty})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_integers_in_range_and_rejects_others() {
        assert_eq!(parse_arg(ValType::I32, "-1"), Ok(Val::I32(-1)));
        assert_eq!(parse_arg(ValType::I32, "0xffffffff"), Ok(Val::I32(-1)));
        assert_eq!(parse_arg(ValType::I64, "42"), Ok(Val::I64(42)));
        assert!(parse_arg(ValType::I32, "4294967296").is_err());
        assert!(parse_arg(ValType::I32, "abc").is_err());
        assert_eq!(
            parse_arg(ValType::F64, "1.5"),
            Ok(Val::F64(1.5f64.to_bits()))
        );
    }
}
