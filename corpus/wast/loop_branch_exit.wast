;; Regression: a `br` to a loop goes to the loop header, so it must not make
;; the code after the loop reachable (the translator once switched to the
;; loop's exit block with no predecessors and failed SSA construction).
(module
  (func (export "sum") (param i32) (result i32) (local i32)
    (block
      (loop
        (br_if 1 (i32.eqz (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br 0)))
    (local.get 1))
  (func (export "spin") (param i32) (result i32)
    (loop (result i32) (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br_if 0 (local.get 0)) (i32.const 9))))
(assert_return (invoke "sum" (i32.const 100)) (i32.const 5050))
(assert_return (invoke "sum" (i32.const 0)) (i32.const 0))
(assert_return (invoke "spin" (i32.const 5)) (i32.const 9))
