//! Runs the `.ir` file tests in `tests/files` (see `tern_ir::filetest` for
//! the format). `TERN_BLESS=1 cargo test -p tern-ir --test filetests`
//! rewrites the expected outputs.

use std::path::Path;

use tern_ir::filetest::FileTestRunner;

#[test]
fn ir_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/files");
    match FileTestRunner::new().run_dir(&dir) {
        Ok(count) => assert!(count > 0, "no .ir files in {}", dir.display()),
        Err(failures) => {
            for failure in &failures {
                eprintln!("FAIL {}:\n{}\n", failure.path.display(), failure.message);
            }
            panic!("{} file test(s) failed", failures.len());
        }
    }
}
