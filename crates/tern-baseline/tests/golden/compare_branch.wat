;; Comparisons fused into branches and selects; eqz inverts; booleans are
;; materialized only when used as values; an `and` tested against zero
;; is a `test`.
(module
  (func (export "br_if_lt") (param i32 i32) (result i32)
    block
      local.get 0 local.get 1 i32.lt_s br_if 0
      i32.const 1 return
    end
    i32.const 2)
  (func (export "if_eqz") (param i64) (result i32)
    local.get 0 i64.eqz
    if (result i32) i32.const 10 else i32.const 20 end)
  (func (export "if_not_ge_u") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.ge_u i32.eqz
    if (result i32) i32.const 1 else i32.const 0 end)
  (func (export "select_cmov") (param i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 i32.gt_u select)
  (func (export "compare_as_value") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.ne)
  (func (export "compare_with_immediate") (param i64) (result i32)
    local.get 0 i64.const 1000 i64.le_s)
  (func (export "float_branch") (param f64 f64) (result i32)
    local.get 0 local.get 1 f64.lt
    if (result i32) i32.const 1 else i32.const 0 end)
  (func (export "and_as_test") (param i32) (result i32)
    local.get 0 i32.const 0x12 i32.and
    if (result i32) i32.const 1 else i32.const 0 end)
  (func (export "and_eqz_br_if") (param i64 i64)
    block local.get 0 local.get 1 i64.and i64.eqz br_if 0 end)
)
