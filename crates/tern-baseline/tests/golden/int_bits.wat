;; Shifts, rotates and bit counts.
(module
  (func (export "shl_imm") (param i32) (result i32) local.get 0 i32.const 35 i32.shl)
  (func (export "shr_s_var") (param i32 i32) (result i32) local.get 0 local.get 1 i32.shr_s)
  (func (export "rotl_var") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rotl)
  (func (export "shift_count_in_rcx_already") (param i32 i32 i32 i32) (result i32)
    local.get 0 local.get 3 i32.shl)
  (func (export "clz") (param i32) (result i32) local.get 0 i32.clz)
  (func (export "ctz") (param i64) (result i64) local.get 0 i64.ctz)
  (func (export "popcnt") (param i32) (result i32) local.get 0 i32.popcnt)
)
