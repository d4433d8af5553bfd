;; Division and remainder: trap sites on div, INT_MIN/-1 checks, constant
;; divisors, powers of two.
(module
  (func (export "div_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "div_u") (param i64 i64) (result i64) local.get 0 local.get 1 i64.div_u)
  (func (export "rem_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rem_s)
  (func (export "rem_u_pow2") (param i32) (result i32) local.get 0 i32.const 16 i32.rem_u)
  (func (export "div_u_pow2") (param i64) (result i64) local.get 0 i64.const 8 i64.div_u)
  (func (export "div_s_const") (param i32) (result i32) local.get 0 i32.const 7 i32.div_s)
  (func (export "div_by_zero_const") (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
)
