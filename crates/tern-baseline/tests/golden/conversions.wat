;; Integer width changes, sign extension, float conversions and
;; truncations (trapping and saturating), reinterpretations.
(module
  (func (export "wrap") (param i64) (result i32) local.get 0 i32.wrap_i64)
  (func (export "extend_u_is_free") (param i32) (result i64) local.get 0 i64.extend_i32_u)
  (func (export "extend_s") (param i32) (result i64) local.get 0 i64.extend_i32_s)
  (func (export "extend8_s") (param i32) (result i32) local.get 0 i32.extend8_s)
  (func (export "trunc_f32_s") (param f32) (result i32) local.get 0 i32.trunc_f32_s)
  (func (export "trunc_f64_u") (param f64) (result i64) local.get 0 i64.trunc_f64_u)
  (func (export "trunc_sat_f32_u") (param f32) (result i32) local.get 0 i32.trunc_sat_f32_u)
  (func (export "convert_i64_u") (param i64) (result f64) local.get 0 f64.convert_i64_u)
  (func (export "convert_i32_s") (param i32) (result f32) local.get 0 f32.convert_i32_s)
  (func (export "promote") (param f32) (result f64) local.get 0 f64.promote_f32)
  (func (export "reinterpret") (param f64) (result i64) local.get 0 i64.reinterpret_f64)
)
