;; Regression: the x86-64 checked signed remainder let the allocator put the
;; divisor in rdx, which `cdq`/`cqo` overwrites before `idiv` reads it
;; (found by i32.wast; the fix made the divisor a late use).
(module
  (func (export "rem_s32") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
  (func (export "rem_s64") (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))
  (func (export "div_rem") (param i32 i32) (result i32)
    (i32.add (i32.div_s (local.get 0) (local.get 1)) (i32.rem_s (local.get 0) (local.get 1)))))
(assert_return (invoke "rem_s32" (i32.const 7) (i32.const 2)) (i32.const 1))
(assert_return (invoke "rem_s32" (i32.const -7) (i32.const 2)) (i32.const -1))
(assert_return (invoke "rem_s32" (i32.const 0x80000000) (i32.const -1)) (i32.const 0))
(assert_return (invoke "rem_s64" (i64.const 0x8000000000000000) (i64.const -1)) (i64.const 0))
(assert_return (invoke "rem_s64" (i64.const 100) (i64.const -7)) (i64.const 2))
(assert_return (invoke "div_rem" (i32.const 17) (i32.const 5)) (i32.const 5))
(assert_trap (invoke "rem_s32" (i32.const 1) (i32.const 0)) "integer divide by zero")
