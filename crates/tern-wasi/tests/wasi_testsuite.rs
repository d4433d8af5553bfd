//! Runs every test program of WebAssembly/wasi-testsuite (the copy in
//! `../shared/wasi-testsuite`, or `$TERN_WASI_TESTSUITE`) against this
//! crate, checking exit code, stdout and stderr as the suite's
//! `doc/specification.md` describes.
//!
//! The programs run on Tern (the engine's default tier) with WASI linked
//! by `tern_wasi::add_to_linker`, exactly as `tern run` does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tern_wasi::{DirPerms, Input, Output, WasiCtx, WasiCtxBuilder, WritePipe};

/// Tests known not to pass, with the reason. The runner fails if one of
/// them starts passing, so this list can only shrink.
const EXPECTED_FAILURES: &[(&str, &str)] = &[];

mod engine {
    use tern_runtime::{Config, Engine, Linker, Module, Store};
    use tern_wasi::WasiCtx;

    /// Runs the command `wasm` (its `_start`) with `ctx` on Tern: the exit
    /// status, or why it could not run.
    pub fn run(wasm: &[u8], ctx: WasiCtx) -> Result<i32, String> {
        let engine = Engine::new(Config::default()).map_err(|e| e.to_string())?;
        let module = Module::new(&engine, wasm).map_err(|e| format!("invalid module: {e}"))?;
        let mut linker = Linker::new();
        tern_wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx);
        let mut store = Store::new(&engine, ctx);
        let run = linker
            .instantiate(&mut store, &module)
            .and_then(|instance| instance.get_typed_func::<(), ()>(&store, "_start"))
            .and_then(|start| start.call(&mut store, ()));
        match run {
            Ok(()) => Ok(0),
            Err(err) => match err.as_trap().and_then(|t| t.exit_status()) {
                Some(status) => Ok(status),
                None => Err(format!("failed: {err}")),
            },
        }
    }
}

/// A test's expectations (the suite's "legacy" JSON format). Output is
/// compared only where the JSON states it: several of the suite's own
/// programs print diagnostics (`path_open_preopen`, `poll_oneoff_stdio`,
/// `stdio`) that their JSON does not mention, and the reference runner's
/// validators skip an unstated `stdout`.
#[derive(Debug, Default)]
struct Spec {
    args: Vec<String>,
    env: BTreeMap<String, String>,
    root: Option<PathBuf>,
    exit_code: i32,
    stdout: Option<String>,
    stderr: Option<String>,
}

fn read_spec(json: Option<&Path>) -> Result<Spec, String> {
    let Some(path) = json else {
        return Ok(Spec::default());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let object = value
        .as_object()
        .ok_or_else(|| format!("{}: not a JSON object", path.display()))?;
    let mut spec = Spec::default();
    for (key, value) in object {
        let bad = || format!("{}: bad value for {key:?}", path.display());
        match key.as_str() {
            "args" => {
                spec.args = value
                    .as_array()
                    .ok_or_else(bad)?
                    .iter()
                    .map(|a| a.as_str().map(str::to_string).ok_or_else(bad))
                    .collect::<Result<_, _>>()?;
            }
            "env" => {
                for (name, v) in value.as_object().ok_or_else(bad)? {
                    spec.env
                        .insert(name.clone(), v.as_str().ok_or_else(bad)?.to_string());
                }
            }
            "root" => spec.root = Some(PathBuf::from(value.as_str().ok_or_else(bad)?)),
            "exit_code" => {
                spec.exit_code = value
                    .as_i64()
                    .and_then(|c| i32::try_from(c).ok())
                    .ok_or_else(bad)?;
            }
            "stdout" => spec.stdout = Some(value.as_str().ok_or_else(bad)?.to_string()),
            "stderr" => spec.stderr = Some(value.as_str().ok_or_else(bad)?.to_string()),
            other => {
                return Err(format!(
                    "{}: unsupported spec field {other:?} (only the legacy format is implemented)",
                    path.display()
                ));
            }
        }
    }
    Ok(spec)
}

/// Copies `from` into `to` with writable permissions, as in a checkout: the
/// tests create and delete files in their root, and the shared copy is
/// read-only.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644))?;
        }
    }
    Ok(())
}

fn run_test(wasm_path: &Path, extra_env: &[(&str, &str)]) -> Result<(), String> {
    let json = wasm_path.with_extension("json");
    let spec = read_spec(json.exists().then_some(json.as_path()))?;
    let name = wasm_path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let stdout = WritePipe::new();
    let stderr = WritePipe::new();
    let mut builder = WasiCtxBuilder::new()
        .arg(name)
        .args(spec.args.iter().cloned())
        .envs(spec.env.clone())
        .envs(extra_env.iter().copied())
        .stdin(Input::Null)
        .stdout(Output::Pipe(stdout.clone()))
        .stderr(Output::Pipe(stderr.clone()));
    let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
    if let Some(root) = &spec.root {
        let source = wasm_path.parent().unwrap().join(root);
        copy_tree(&source, scratch.path())
            .map_err(|e| format!("copying {}: {e}", source.display()))?;
        builder = builder.preopened_dir(scratch.path(), "/", DirPerms::ReadWrite);
    }
    let ctx: WasiCtx = builder.build().map_err(|e| e.to_string())?;
    let wasm = std::fs::read(wasm_path).map_err(|e| e.to_string())?;
    // Some programs recurse deeply; give them a main-thread-sized stack.
    let status = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || engine::run(&wasm, ctx))
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "the engine panicked".to_string())??;
    let (out, err) = (stdout.contents_string(), stderr.contents_string());
    let matches = |expected: &Option<String>, actual: &str| {
        expected.as_ref().is_none_or(|expected| expected == actual)
    };
    if status != spec.exit_code || !matches(&spec.stdout, &out) || !matches(&spec.stderr, &err) {
        return Err(format!(
            "exit {status} (expected {}), stdout {out:?} (expected {:?}), stderr {err:?} (expected {:?})",
            spec.exit_code, spec.stdout, spec.stderr
        ));
    }
    Ok(())
}

/// Runs every test of the given languages with `extra_env` added to each
/// test's environment, and fails listing every unexpected result.
fn run_suite(languages: &[&str], extra_env: &[(&str, &str)]) -> Option<usize> {
    let suite = tern_testdata::wasi_testsuite()?;
    let mut tests = Vec::new();
    for language in languages {
        let dir = suite
            .join("tests")
            .join(language)
            .join("testsuite/wasm32-wasip1");
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "wasm") {
                let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                tests.push((format!("{language}/{stem}"), path));
            }
        }
    }
    tests.sort();

    let mut unexpected = Vec::new();
    let mut passed = 0;
    for (name, path) in &tests {
        let expected_failure = EXPECTED_FAILURES.iter().find(|(n, _)| n == name);
        match (run_test(path, extra_env), expected_failure) {
            (Ok(()), None) => passed += 1,
            (Err(_), Some(_)) => {}
            (Ok(()), Some((_, reason))) => unexpected.push(format!(
                "{name}: passes, but is listed as failing ({reason})"
            )),
            (Err(why), None) => unexpected.push(format!("{name}: {why}")),
        }
    }
    eprintln!(
        "wasi-testsuite {languages:?}: {passed} of {} passed, {} unexpected",
        tests.len(),
        unexpected.len()
    );
    assert!(
        unexpected.is_empty(),
        "wasi-testsuite:\n{}",
        unexpected.join("\n")
    );
    Some(tests.len())
}

#[test]
fn wasi_testsuite_passes() {
    if let Some(count) = run_suite(&["assemblyscript", "c", "rust"], &[]) {
        assert!(count >= 70, "only {count} tests found");
    }
}

/// The Rust tests accept several errnos where platforms differ, unless told
/// the host is Unix: then they demand the POSIX one. Tern is a Linux
/// engine, so it should meet the strict expectations too.
#[test]
fn rust_tests_pass_with_strict_unix_errnos() {
    run_suite(&["rust"], &[("ERRNO_MODE_UNIX", "1")]);
}
