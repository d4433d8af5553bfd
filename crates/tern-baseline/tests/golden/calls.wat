;; Direct, imported and indirect calls; values in caller-saved registers
;; are spilled around calls; multiple results through the return area.
(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (type $sig (func (param i32) (result i32)))
  (table 2 funcref)
  (func $callee (param i32) (result i32) local.get 0)
  (func (export "direct") (param i32) (result i32)
    local.get 0 call $callee local.get 0 i32.add)
  (func (export "imported") (param i32) (result i32) local.get 0 call $host)
  (func (export "indirect") (param i32 i32) (result i32)
    local.get 0 local.get 1 call_indirect (type $sig))
  (func $pair (param i32) (result i32 i64) local.get 0 i64.const 5)
  (func (export "multi_result") (param i32) (result i64)
    local.get 0 call $pair drop i64.extend_i32_u)
  (func (export "many_args") (param i32) (result i32)
    local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
    call $seven)
  (func $seven (param i32 i32 i32 i32 i32 i32 i32) (result i32) local.get 6)
)
