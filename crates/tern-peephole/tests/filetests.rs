//! Runs the `.ir` file tests in `tests/files` with the peephole pass
//! registered as `test pass peephole` (see `tern_ir::filetest` for the
//! format). `TERN_BLESS=1 cargo test -p tern-peephole --test filetests`
//! rewrites the expected outputs.

use std::path::Path;

use tern_ir::filetest::FileTestRunner;

#[test]
fn peephole_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/files");
    let runner = FileTestRunner::new().with_pass("peephole", |func| {
        let stats = tern_peephole::optimize(func);
        if stats.out_of_fuel {
            return Err(format!("out of fuel: {stats}"));
        }
        Ok(())
    });
    match runner.run_dir(&dir) {
        Ok(count) => assert!(count > 0, "no .ir files in {}", dir.display()),
        Err(failures) => {
            for failure in &failures {
                eprintln!("FAIL {}:\n{}\n", failure.path.display(), failure.message);
            }
            panic!("{} file test(s) failed", failures.len());
        }
    }
}
