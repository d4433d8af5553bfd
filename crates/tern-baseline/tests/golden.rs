//! Golden disassembly tests: every `tests/golden/*.wat` is compiled and its
//! machine code, disassembled and annotated with trap sites and
//! relocations, compared with the checked-in `*.expected` next to it, so
//! that every change to the emitted code shows up in review. Regenerate
//! with `TERN_BLESS=1 cargo test -p tern-baseline --test golden`.
//!
//! Code is generated for a fixed CPU (all optional extensions available,
//! or none with a first line `;; cpu: baseline`), so the files do not
//! depend on the machine running the tests.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use tern_baseline::{BaselineCompiler, CpuFeatures};
use tern_environ::{DefinedFuncIndex, EntityIndex, FuncIndex, FunctionCompiler, VMOffsets};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compiles `wat` and renders every function.
fn render(wat: &str) -> String {
    let cpu = if wat.starts_with(";; cpu: baseline") {
        CpuFeatures::baseline()
    } else {
        CpuFeatures {
            sse41: true,
            popcnt: true,
            lzcnt: true,
            bmi1: true,
        }
    };
    let wasm = wat::parse_str(wat).expect("golden module parses");
    let translation = tern_environ::translate_module(&wasm).expect("golden module validates");
    let module = translation.module;
    let offsets = VMOffsets::new(&module);
    let compiler = BaselineCompiler::with_cpu_features(cpu);
    let mut fc = compiler.function_compiler();
    let mut out = String::new();
    for (i, body) in translation.function_bodies.into_iter().enumerate() {
        let func = FuncIndex(module.num_imported_funcs + i as u32);
        let name = module
            .exports
            .iter()
            .find(|e| e.entity == EntityIndex::Function(func))
            .map(|e| e.name.clone())
            .unwrap_or_else(|| module.func_display_name(func));
        let _ = writeln!(
            out,
            ";; function {} {name}: {}",
            func.0,
            module.func_type(func)
        );
        let compiled = match fc.compile(&module, &offsets, DefinedFuncIndex(i as u32), body) {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(out, ";; error: {e}\n");
                continue;
            }
        };
        for line in tern_asm::disassemble(&compiled.code, 0).lines() {
            out.push_str(line.trim_end());
            let offset = u32::from_str_radix(line.split(':').next().unwrap_or("").trim(), 16).ok();
            for trap in compiled.traps.iter().filter(|t| Some(t.offset) == offset) {
                let _ = write!(out, "    ; trap: {:?}", trap.code);
            }
            out.push('\n');
        }
        for reloc in &compiled.relocs {
            let _ = writeln!(
                out,
                ";; reloc at {:#x}: {:?} {:+}",
                reloc.offset, reloc.target, reloc.addend
            );
        }
        out.push('\n');
    }
    out
}

fn check(path: &Path) -> Result<(), String> {
    let wat = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let actual = render(&wat);
    let expected_path = path.with_extension("expected");
    if std::env::var_os("TERN_BLESS").is_some() {
        std::fs::write(&expected_path, &actual).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&expected_path).map_err(|e| {
        format!(
            "{}: {e} (run with TERN_BLESS=1 to create it)",
            expected_path.display()
        )
    })?;
    if actual == expected {
        return Ok(());
    }
    let first_difference = actual
        .lines()
        .zip(expected.lines())
        .position(|(a, e)| a != e)
        .unwrap_or(actual.lines().count().min(expected.lines().count()));
    let context = |text: &str| -> String {
        text.lines()
            .skip(first_difference.saturating_sub(3))
            .take(8)
            .collect::<Vec<_>>()
            .join("\n")
    };
    Err(format!(
        "{} differs from {} at line {}:\n--- expected\n{}\n--- actual\n{}\n(run with TERN_BLESS=1 to accept)",
        path.display(),
        expected_path.display(),
        first_difference + 1,
        context(&expected),
        context(&actual)
    ))
}

#[test]
fn golden_disassembly() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .expect("tests/golden exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wat"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no golden files");
    let failures: Vec<String> = paths.iter().filter_map(|p| check(p).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
