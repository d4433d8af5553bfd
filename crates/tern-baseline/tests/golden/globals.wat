;; Defined globals inline in the vmctx, imported ones through a pointer.
(module
  (import "env" "g" (global $imported (mut i64)))
  (global $counter (mut i32) (i32.const 0))
  (global $f (mut f64) (f64.const 0))
  (func (export "bump") (result i32)
    global.get $counter i32.const 1 i32.add global.set $counter global.get $counter)
  (func (export "store_const") i32.const 42 global.set $counter)
  (func (export "imported") (param i64) (result i64)
    global.get $imported local.get 0 i64.add global.set $imported global.get $imported)
  (func (export "float_global") (param f64) local.get 0 global.set $f)
)
