;; Float arithmetic, constants from the pool, sign operations as masks,
;; min/max with Wasm's NaN and zero rules, rounding, eq/ne.
(module
  (func (export "add_const") (param f32) (result f32) local.get 0 f32.const 1.5 f32.add)
  (func (export "mul_div") (param f64 f64) (result f64) local.get 0 local.get 1 f64.mul local.get 1 f64.div)
  (func (export "neg_abs") (param f32) (result f32) local.get 0 f32.neg f32.abs)
  (func (export "copysign") (param f64 f64) (result f64) local.get 0 local.get 1 f64.copysign)
  (func (export "min") (param f32 f32) (result f32) local.get 0 local.get 1 f32.min)
  (func (export "max") (param f64 f64) (result f64) local.get 0 local.get 1 f64.max)
  (func (export "nearest") (param f64) (result f64) local.get 0 f64.nearest)
  (func (export "sqrt") (param f32) (result f32) local.get 0 f32.sqrt)
  (func (export "eq") (param f32 f32) (result i32) local.get 0 local.get 1 f32.eq)
  (func (export "ne") (param f64 f64) (result i32) local.get 0 local.get 1 f64.ne)
)
