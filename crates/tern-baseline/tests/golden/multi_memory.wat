;; Multiple memories: memory 0 keeps its pinned base in r15; an access to
;; another memory loads that memory's base from the vmctx into a free
;; register first. memory.size/grow and bulk operations name the memory.
(module
  (memory $zero 1)
  (memory $one 1)
  (func (export "load_one") (param i32) (result i32) local.get 0 i32.load $one offset=8)
  (func (export "load_one_const") (result i64) i32.const 64 i64.load $one)
  (func (export "store_one") (param i32 i64) local.get 0 local.get 1 i64.store $one offset=4)
  (func (export "copy_between") (param i32) (result i32)
    local.get 0 local.get 0 i32.load $zero i32.store $one
    local.get 0 i32.load $one)
  (func (export "size_one") (result i32) memory.size $one)
  (func (export "grow_one") (param i32) (result i32) local.get 0 memory.grow $one)
  (func (export "bulk_copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy $one $zero)
)
