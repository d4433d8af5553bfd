//! File tests: `.ir` files with checked-in expected output.
//!
//! Most IR behaviour is easiest to test, and to read, as text: a function
//! goes in, a printed function or a list of results comes out. A file test
//! is an `.ir` file whose output is compared with a sibling `.expected`
//! file; setting `TERN_BLESS=1` writes the current output instead, so a
//! deliberate change is one command and a reviewable diff.
//!
//! # File format
//! ```text
//! ; Comments anywhere.
//! test print
//! test verify
//! test run
//!
//! function %add(i32, i32) -> i32 {
//! block0(v0: i32, v1: i32):
//!     v2 = iadd v0, v1
//!     return v2
//! }
//! ; run: %add(1, 2) == 3
//! ; run: %add(-1, 1)
//! ```
//!
//! Lines `test <command>` before the first function say what to do; every
//! command contributes a section, headed `; test <command>`, to the output:
//!
//! * `test print`: the functions as printed after parsing. The runner also
//!   checks that printing is a fixpoint (parsing the printed text and
//!   printing again gives the same text), whatever the expected file says.
//! * `test verify`: for each function, `%name: ok` or the verifier's
//!   errors, one per line. Files of deliberately broken functions use this.
//! * `test run`: each `; run:` line calls a function in the interpreter
//!   (all functions of the file can call each other by name) with fresh
//!   memory and prints `%name(args) == results`. Arguments and results are
//!   written as in the text format (integers in decimal or hex, floats as
//!   `1.5`, `-0.0`, `+NaN`, `-Inf`). A result is a comma-separated list,
//!   `()` for none, or `trap <code>`. A run line may state its expected
//!   result after `==`; a mismatch fails the test even when blessing, since
//!   the assertion is part of the source.
//! * `test pass <name>`: applies the pass registered under `<name>` (see
//!   [`FileTestRunner::with_pass`]) to each function, verifies the result
//!   and prints it. Crates with passes (the peephole optimizer) register
//!   theirs and reuse this runner for their own files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::eval::DataValue;
use crate::float_text;
use crate::function::Function;
use crate::immediates::TrapCode;
use crate::interp::{Interpreter, Outcome};
use crate::parse::{parse_functions, parse_int};
use crate::types::Type;
use crate::verify::verify_function;

/// The environment variable that makes the runner write expected files.
pub const BLESS_VAR: &str = "TERN_BLESS";

type Pass = Box<dyn Fn(&mut Function) -> Result<(), String>>;

/// Runs file tests, with any passes registered for `test pass`.
#[derive(Default)]
pub struct FileTestRunner {
    passes: Vec<(String, Pass)>,
}

/// One failed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The `.ir` file.
    pub path: PathBuf,
    /// What went wrong (a parse error, an assertion, or a diff).
    pub message: String,
}

impl FileTestRunner {
    /// A runner with no passes.
    pub fn new() -> FileTestRunner {
        FileTestRunner::default()
    }

    /// Registers a pass for `test pass <name>`.
    pub fn with_pass(
        mut self,
        name: impl Into<String>,
        pass: impl Fn(&mut Function) -> Result<(), String> + 'static,
    ) -> FileTestRunner {
        self.passes.push((name.into(), Box::new(pass)));
        self
    }

    /// Computes the output of a test file's text, or a failure message (bad
    /// syntax, unknown command, a run line whose stated result differs).
    pub fn output(&self, text: &str) -> Result<String, String> {
        let commands = commands(text)?;
        if commands.is_empty() {
            return Err("no `test` command".into());
        }
        let funcs = parse_functions(&without_commands(text)).map_err(|e| e.to_string())?;
        let mut out = String::new();
        for command in commands {
            if !out.is_empty() {
                out.push('\n');
            }
            writeln!(out, "; test {command}").expect("writing to a String");
            let words: Vec<&str> = command.split_whitespace().collect();
            match words[..] {
                ["print"] => print_section(&mut out, &funcs)?,
                ["verify"] => verify_section(&mut out, &funcs),
                ["run"] => run_section(&mut out, text, &funcs)?,
                ["pass", name] => self.pass_section(&mut out, name, &funcs)?,
                _ => return Err(format!("unknown command `test {command}`")),
            }
        }
        Ok(out)
    }

    fn pass_section(&self, out: &mut String, name: &str, funcs: &[Function]) -> Result<(), String> {
        let (_, pass) = self
            .passes
            .iter()
            .find(|(n, _)| n == name)
            .ok_or_else(|| format!("no pass named `{name}` is registered"))?;
        for func in funcs {
            let mut func = func.clone();
            pass(&mut func).map_err(|e| format!("pass `{name}` failed on %{}: {e}", func.name))?;
            verify_function(&func).map_err(|e| {
                format!(
                    "%{} does not verify after pass `{name}`:\n{e}\n{func}",
                    func.name
                )
            })?;
            write!(out, "{func}").expect("writing to a String");
        }
        Ok(())
    }

    /// Runs one file: compares its output with the `.expected` file next to
    /// it, or writes that file when `bless` is set.
    pub fn run_file(&self, path: &Path, bless: bool) -> Result<(), Failure> {
        let fail = |message: String| Failure {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
        let actual = self.output(&text).map_err(fail)?;
        let expected_path = path.with_extension("expected");
        if bless {
            return std::fs::write(&expected_path, &actual)
                .map_err(|e| fail(format!("cannot write {}: {e}", expected_path.display())));
        }
        let expected = std::fs::read_to_string(&expected_path).map_err(|_| {
            fail(format!(
                "no {} (run with {BLESS_VAR}=1 to create it); output was:\n{actual}",
                expected_path.display()
            ))
        })?;
        if expected == actual {
            Ok(())
        } else {
            Err(fail(format!(
                "output differs from {} (run with {BLESS_VAR}=1 to accept):\n{}",
                expected_path.display(),
                line_diff(&expected, &actual)
            )))
        }
    }

    /// Runs every `.ir` file in `dir` (sorted by name), blessing if
    /// `TERN_BLESS=1`. Returns how many files ran, or every failure.
    pub fn run_dir(&self, dir: &Path) -> Result<usize, Vec<Failure>> {
        let bless = std::env::var(BLESS_VAR).is_ok_and(|v| v == "1");
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "ir"))
                .collect(),
            Err(e) => {
                return Err(vec![Failure {
                    path: dir.to_path_buf(),
                    message: format!("cannot read directory: {e}"),
                }]);
            }
        };
        paths.sort();
        let failures: Vec<Failure> = paths
            .iter()
            .filter_map(|p| self.run_file(p, bless).err())
            .collect();
        if failures.is_empty() {
            Ok(paths.len())
        } else {
            Err(failures)
        }
    }
}

/// The `test …` lines before the first function.
fn commands(text: &str) -> Result<Vec<String>, String> {
    let mut commands = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("function") {
            break;
        }
        if let Some(command) = line.strip_prefix("test ") {
            commands.push(command.trim().to_string());
        } else if !(line.is_empty() || line.starts_with(';')) {
            return Err(format!(
                "unexpected line before the first function: `{line}`"
            ));
        }
    }
    Ok(commands)
}

/// The text with `test` lines blanked (keeping line numbers for errors).
fn without_commands(text: &str) -> String {
    let mut in_header = true;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if line.trim_start().starts_with("function") {
            in_header = false;
        }
        if !(in_header && line.trim_start().starts_with("test ")) {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

fn print_section(out: &mut String, funcs: &[Function]) -> Result<(), String> {
    for (i, func) in funcs.iter().enumerate() {
        let printed = func.to_string();
        let reparsed = parse_functions(&printed)
            .map_err(|e| format!("printed %{} does not parse:\n{e}\n{printed}", func.name))?;
        let reprinted = reparsed[0].to_string();
        if reprinted != printed {
            return Err(format!(
                "printing %{} is not a fixpoint:\n{}",
                func.name,
                line_diff(&printed, &reprinted)
            ));
        }
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&printed);
    }
    Ok(())
}

fn verify_section(out: &mut String, funcs: &[Function]) {
    for func in funcs {
        match verify_function(func) {
            Ok(()) => writeln!(out, "%{}: ok", func.name),
            Err(errors) => {
                writeln!(out, "%{}:", func.name).expect("writing to a String");
                errors.0.iter().try_for_each(|e| writeln!(out, "  {e}"))
            }
        }
        .expect("writing to a String");
    }
}

/// A parsed `; run:` line.
struct RunLine<'a> {
    line: usize,
    name: &'a str,
    args: Vec<DataValue>,
    expected: Option<Result<Vec<DataValue>, TrapCode>>,
}

fn run_section(out: &mut String, text: &str, funcs: &[Function]) -> Result<(), String> {
    for (index, line) in text.lines().enumerate() {
        let Some(directive) = line.trim_start().strip_prefix("; run:") else {
            continue;
        };
        let run = parse_run_line(directive.trim(), index + 1, funcs)?;
        let mut interp = Interpreter::new();
        for func in funcs {
            interp
                .add_function(func)
                .map_err(|e| format!("line {}: {e}", run.line))?;
        }
        let outcome = interp
            .call(run.name, &run.args)
            .map_err(|e| format!("line {}: {e}", run.line))?;
        let actual = match &outcome {
            Outcome::Returned(values) => Ok(values.clone()),
            Outcome::Trapped(code) => Err(*code),
        };
        let call = format!("%{}({})", run.name, join(&run.args));
        let shown = show_result(&actual);
        // DataValue equality is bit equality: NaN payloads and -0.0 count.
        if let Some(expected) = run.expected
            && expected != actual
        {
            return Err(format!(
                "line {}: {call} == {shown}, but the file expects {}",
                run.line,
                show_result(&expected)
            ));
        }
        writeln!(out, "{call} == {shown}").expect("writing to a String");
    }
    Ok(())
}

fn show_result(result: &Result<Vec<DataValue>, TrapCode>) -> String {
    match result {
        Err(code) => format!("trap {code}"),
        Ok(values) if values.is_empty() => "()".into(),
        Ok(values) => join(values),
    }
}

fn join(values: &[DataValue]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_run_line<'a>(
    directive: &'a str,
    line: usize,
    funcs: &[Function],
) -> Result<RunLine<'a>, String> {
    let err = |msg: String| format!("line {line}: {msg}");
    let rest = directive
        .strip_prefix('%')
        .ok_or_else(|| err("a run line starts with `%function(`".into()))?;
    let open = rest.find('(').ok_or_else(|| err("expected `(`".into()))?;
    let name = &rest[..open];
    let close = rest.find(')').ok_or_else(|| err("expected `)`".into()))?;
    let func = funcs
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| err(format!("no function %{name}")))?;
    let args = parse_values(&rest[open + 1..close], &func.signature.params).map_err(&err)?;
    let tail = rest[close + 1..].trim();
    let expected = if tail.is_empty() {
        None
    } else {
        let want = tail
            .strip_prefix("==")
            .ok_or_else(|| err(format!("expected `== result`, found `{tail}`")))?
            .trim();
        Some(if let Some(code) = want.strip_prefix("trap ") {
            Err(TrapCode::from_name(code.trim())
                .ok_or_else(|| err(format!("unknown trap code `{code}`")))?)
        } else if want == "()" {
            Ok(parse_values("", &func.signature.returns).map_err(&err)?)
        } else {
            Ok(parse_values(want, &func.signature.returns).map_err(&err)?)
        })
    };
    Ok(RunLine {
        line,
        name,
        args,
        expected,
    })
}

/// Parses a comma-separated list of literals, one per type.
fn parse_values(text: &str, types: &[Type]) -> Result<Vec<DataValue>, String> {
    let items: Vec<&str> = if text.trim().is_empty() {
        Vec::new()
    } else {
        text.split(',').map(str::trim).collect()
    };
    if items.len() != types.len() {
        return Err(format!(
            "expected {} values, found {} in `{text}`",
            types.len(),
            items.len()
        ));
    }
    items
        .iter()
        .zip(types)
        .map(|(&item, &ty)| {
            parse_value(item, ty).ok_or_else(|| format!("`{item}` is not a valid {ty}"))
        })
        .collect()
}

fn parse_value(text: &str, ty: Type) -> Option<DataValue> {
    let bits = match ty {
        Type::F32 => u128::from(float_text::parse_f32(text)?),
        Type::F64 => u128::from(float_text::parse_f64(text)?),
        _ => parse_int(text, ty)?,
    };
    Some(DataValue::new(ty, bits))
}

/// A minimal line diff: lines only in `expected` prefixed `-`, only in
/// `actual` prefixed `+`, aligned by longest common subsequence.
fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    // LCS table over suffixes.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            writeln!(out, "  {}", a[i]).expect("writing to a String");
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            writeln!(out, "+ {}", b[j]).expect("writing to a String");
            j += 1;
        } else {
            writeln!(out, "- {}", a[i]).expect("writing to a String");
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADD: &str = "\
test run

function %add(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iadd v0, v1
    return v2
}
; run: %add(1, 2) == 3
; run: %add(0x7fffffff, 1)
";

    #[test]
    fn run_lines_print_and_check() {
        let out = FileTestRunner::new().output(ADD).unwrap();
        assert_eq!(
            out,
            "; test run\n%add(1, 2) == 3\n%add(2147483647, 1) == -2147483648\n"
        );
        let wrong = ADD.replace("== 3", "== 4");
        let err = FileTestRunner::new().output(&wrong).unwrap_err();
        assert!(
            err.contains("line 8: %add(1, 2) == 3, but the file expects 4"),
            "{err}"
        );
    }

    #[test]
    fn passes_run_by_name() {
        let text = ADD.replace("test run", "test pass rename");
        let runner = FileTestRunner::new().with_pass("rename", |f| {
            f.name = "renamed".into();
            Ok(())
        });
        let out = runner.output(&text).unwrap();
        assert!(
            out.starts_with("; test pass rename\nfunction %renamed(i32, i32) -> i32 {"),
            "{out}"
        );
        let err = FileTestRunner::new().output(&text).unwrap_err();
        assert_eq!(err, "no pass named `rename` is registered");
    }

    #[test]
    fn header_errors() {
        let err = FileTestRunner::new()
            .output("function %f() {\nblock0:\n    return\n}")
            .unwrap_err();
        assert_eq!(err, "no `test` command");
        let err = FileTestRunner::new()
            .output("test fly\nfunction %f() {\nblock0:\n    return\n}")
            .unwrap_err();
        assert_eq!(err, "unknown command `test fly`");
    }

    #[test]
    fn expected_files_are_checked_and_blessed() {
        let dir = std::env::temp_dir().join(format!("tern-ir-filetest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("add.ir");
        std::fs::write(&path, ADD).unwrap();
        let runner = FileTestRunner::new();
        let missing = runner.run_file(&path, false).unwrap_err();
        assert!(
            missing.message.contains("TERN_BLESS=1 to create it"),
            "{}",
            missing.message
        );
        runner.run_file(&path, true).unwrap();
        runner.run_file(&path, false).unwrap();
        let expected = dir.join("add.expected");
        std::fs::write(&expected, "; test run\n%add(1, 2) == 4\n").unwrap();
        let differs = runner.run_file(&path, false).unwrap_err();
        assert!(
            differs.message.contains("- %add(1, 2) == 4"),
            "{}",
            differs.message
        );
        assert!(
            differs.message.contains("+ %add(1, 2) == 3"),
            "{}",
            differs.message
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn diff_marks_changed_lines() {
        assert_eq!(line_diff("a\nb\nc\n", "a\nx\nc\n"), "  a\n+ x\n- b\n  c\n");
    }
}
