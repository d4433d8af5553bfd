;; Loads and stores: [r15 + index + offset], constant indices folded, wide
;; offsets through the scratch register, narrow accesses, memory.size/grow.
(module
  (memory 1)
  (func (export "load_offset") (param i32) (result i32) local.get 0 i32.load offset=8)
  (func (export "load_const_addr") (result i64) i32.const 64 i64.load)
  (func (export "load_wide_offset") (param i32) (result i32) local.get 0 i32.load offset=0x90000000)
  (func (export "narrow_loads") (param i32) (result i64)
    local.get 0 i64.load8_s local.get 0 i64.load16_u i64.add local.get 0 i64.load32_s i64.add)
  (func (export "store_reg") (param i32 i64) local.get 0 local.get 1 i64.store offset=4)
  (func (export "store_imm8") (param i32) local.get 0 i32.const 0x1ff i32.store8)
  (func (export "float_load_store") (param i32) local.get 0 local.get 0 f64.load f64.store offset=8)
  (func (export "size") (result i32) memory.size)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
)
