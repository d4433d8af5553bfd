;; cpu: baseline
;; clz/ctz without LZCNT/BMI1: bsr/bsf with a zero fix-up.
(module
  (func (export "clz32") (param i32) (result i32) local.get 0 i32.clz)
  (func (export "clz64") (param i64) (result i64) local.get 0 i64.clz)
  (func (export "ctz32") (param i32) (result i32) local.get 0 i32.ctz)
)
