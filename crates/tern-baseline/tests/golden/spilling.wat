;; More live values than registers: one register is spilled at a time (the
;; deepest stack entry first), and reloaded as a memory operand.
(module
  (func (export "pressure") (param i64) (result i64)
    local.get 0 i64.const 1 i64.add
    local.get 0 i64.const 2 i64.add
    local.get 0 i64.const 3 i64.add
    local.get 0 i64.const 4 i64.add
    local.get 0 i64.const 5 i64.add
    local.get 0 i64.const 6 i64.add
    local.get 0 i64.const 7 i64.add
    local.get 0 i64.const 8 i64.add
    local.get 0 i64.const 9 i64.add
    local.get 0 i64.const 10 i64.add
    local.get 0 i64.const 11 i64.add
    local.get 0 i64.const 12 i64.add
    local.get 0 i64.const 13 i64.add
    i64.add i64.add i64.add i64.add i64.add i64.add
    i64.add i64.add i64.add i64.add i64.add i64.add)
)
