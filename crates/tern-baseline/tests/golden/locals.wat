;; local.get aliases instead of copying; local.set takes over registers;
;; spilled locals are used as memory operands; tee.
(module
  (func (export "alias_and_set") (param i32) (result i32) (local i32)
    local.get 0 local.set 1
    local.get 1 local.get 0 i32.add)
  (func (export "memory_operand") (param i32) (result i32) (local i32 i32)
    local.get 1 local.get 2 i32.add local.get 0 i32.add)
  (func (export "tee") (param i64) (result i64) (local i64)
    local.get 0 i64.const 3 i64.shl local.tee 1 local.get 1 i64.mul)
  (func (export "set_while_aliased") (param i32) (result i32) (local i32)
    local.get 1
    i32.const 5 local.set 1
    local.get 1 i32.add)
)
