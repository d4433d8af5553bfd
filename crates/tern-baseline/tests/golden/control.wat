;; Loops keep locals in registers across the back edge; block results;
;; br_table through a jump table.
(module
  (func (export "sum_to") (param i32) (result i32) (local i32)
    block loop
      local.get 0 i32.eqz br_if 1
      local.get 1 local.get 0 i32.add local.set 1
      local.get 0 i32.const 1 i32.sub local.set 0
      br 0
    end end
    local.get 1)
  (func (export "block_result") (param i32) (result i32)
    block (result i32)
      i32.const 7 local.get 0 br_if 0 drop
      i32.const 9
    end)
  (func (export "switch") (param i32) (result i32)
    block block block
      local.get 0 br_table 0 1 2
    end i32.const 10 return
    end i32.const 20 return
    end i32.const 30)
  (func (export "multi_value_block") (param i32 i64) (result i64)
    local.get 0 local.get 1
    block (param i32 i64) (result i64) i64.const 1 i64.add local.get 0 br_if 0 drop drop i64.const 0 end)
)
