//! Verifier tests: each broken function must produce its specific error.

use super::*;
use crate::ir::parser::parse_function;
use crate::ir::{FunctionBuilder, InstructionData, IntCC, JumpTableData, Signature, ValueDef};
use crate::runtime::TrapCode;

/// The `(location, message)` pairs the verifier reports for `func`.
fn errors(func: &Function) -> Vec<(String, String)> {
    match verify_function(func) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.0.into_iter().map(|e| (e.location, e.message)).collect(),
    }
}

fn assert_only_error(func: &Function, location: &str, message: &str) {
    assert_eq!(errors(func), vec![(location.to_string(), message.to_string())], "in\n{func}");
}

fn inst_of(func: &Function, value: Value) -> Inst {
    match func.dfg.value_def(value) {
        ValueDef::Result(inst, _) => inst,
        ValueDef::Param(..) => panic!("{value} is a parameter"),
    }
}

/// A nest of two loops with a diamond, a jump table, memory, calls and
/// traps: everything valid.
fn valid_function() -> Function {
    let mut func = Function::new("nest", Signature::new(vec![Type::I32, Type::I64], vec![Type::I32]));
    let mut b = FunctionBuilder::new(&mut func);
    let [entry, outer, inner, then, other, merge, latch, exit, table_a, table_b, back] =
        [(); 11].map(|_| b.create_block());
    let params = b.append_block_params_for_function_params(entry);
    let sig = b.import_signature(Signature::new(vec![Type::I32], vec![Type::I32, Type::I64]));
    let callee = b.import_function(7, sig);
    let slot = b.create_stack_slot(16);
    b.switch_to_block(entry);
    let i = b.declare_var(Type::I32);
    let zero = b.iconst(Type::I32, 0);
    b.def_var(i, zero);
    b.jump(outer, &[]);

    b.switch_to_block(outer);
    let j = b.declare_var(Type::I32);
    let current = b.use_var(i);
    b.def_var(j, current);
    b.jump(inner, &[]);

    b.switch_to_block(inner);
    let jv = b.use_var(j);
    let bit = b.iconst(Type::I32, 1);
    let odd = b.binary(Opcode::Band, jv, bit);
    b.brif(odd, then, &[], other, &[]);
    b.seal_block(then);
    b.seal_block(other);

    b.switch_to_block(then);
    let results = b.call(callee, &[jv]);
    let wide = b.unary(Opcode::Uextend, Type::I64, results[0]);
    let address = b.binary(Opcode::Iadd, params[1], wide);
    b.store(Opcode::Istore8, results[0], address, -4);
    b.def_var(j, results[0]);
    b.jump(merge, &[]);

    b.switch_to_block(other);
    let sa = b.stack_addr(slot, 8);
    let loaded = b.load(Opcode::Sload16, Type::I64, sa, 0);
    let narrow = b.unary(Opcode::Ireduce, Type::I32, loaded);
    b.cond_trap(Opcode::Trapz, narrow, TrapCode::IntegerDivisionByZero);
    let quotient = b.binary(Opcode::Udiv, jv, narrow);
    b.def_var(j, quotient);
    b.jump(merge, &[]);
    b.seal_block(merge);

    b.switch_to_block(merge);
    let jv = b.use_var(j);
    let next = b.iadd_imm(jv, 3);
    b.def_var(j, next);
    let again = b.icmp(IntCC::UnsignedLessThan, next, params[0]);
    b.brif(again, inner, &[], latch, &[]);
    b.seal_block(inner);

    b.switch_to_block(latch);
    b.seal_block(latch);
    let iv = b.use_var(i);
    let iv = b.iadd_imm(iv, 1);
    b.def_var(i, iv);
    let amount = b.unary(Opcode::Sextend, Type::I64, iv);
    let shifted = b.binary(Opcode::Ishl, iv, amount);
    let table = b.create_jump_table(exit, vec![back, table_a, table_b]);
    b.br_table(shifted, table);

    b.switch_to_block(back);
    b.seal_block(back);
    b.jump(outer, &[]);
    b.seal_block(outer);

    b.switch_to_block(table_a);
    b.seal_block(table_a);
    b.trap(TrapCode::Unreachable);
    b.switch_to_block(table_b);
    b.seal_block(table_b);
    let fp = b.iconst(Type::I64, 0x1000);
    let indirect = b.call_indirect(sig, fp, &[iv]);
    b.return_(&[indirect[0]]);

    b.switch_to_block(exit);
    b.seal_block(exit);
    let result = b.use_var(i);
    b.return_(&[result]);
    func
}

#[test]
fn valid_function_with_loops_passes() {
    let func = valid_function();
    assert_eq!(errors(&func), vec![], "in\n{func}");
    assert!(func.dfg.block_params(Block(1)).len() == 1, "the outer loop header has a parameter:\n{func}");
}

#[test]
fn use_not_dominated_by_its_definition() {
    // entry: brif to then/other; then defines v; merge uses it.
    let mut func = Function::new("f", Signature::new(vec![Type::I32], vec![Type::I32]));
    let mut b = FunctionBuilder::new(&mut func);
    let [entry, then, other, merge] = [(); 4].map(|_| b.create_block());
    let params = b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.brif(params[0], then, &[], other, &[]);
    b.switch_to_block(then);
    let seven = b.iconst(Type::I32, 7);
    b.jump(merge, &[]);
    b.switch_to_block(other);
    b.jump(merge, &[]);
    b.switch_to_block(merge);
    let ret = b.return_(&[seven]);
    assert_only_error(
        &func,
        &format!("{ret} (return {seven})"),
        "v1 is defined in block1, which does not dominate this use in block3",
    );
}

#[test]
fn use_before_definition_in_the_same_block() {
    let mut func = Function::new("f", Signature::new(vec![], vec![Type::I32]));
    let entry = func.dfg.make_block();
    func.layout.append_block(entry);
    let one = func.dfg.make_inst(InstructionData::UnaryImm { opcode: Opcode::Iconst, imm: 1 }, &[Type::I32]);
    let v_one = func.dfg.first_result(one);
    let sum = func.dfg.make_inst(InstructionData::Binary { opcode: Opcode::Iadd, args: [v_one, v_one] }, &[Type::I32]);
    let ret = func
        .dfg
        .make_inst(InstructionData::Return { opcode: Opcode::Return, args: vec![func.dfg.first_result(sum)] }, &[]);
    // The add is placed before the constant it reads.
    for inst in [sum, one, ret] {
        func.layout.append_inst(inst, entry);
    }
    assert_eq!(
        errors(&func),
        vec![("inst1 (v1 = iadd.i32 v0, v0)".to_string(), "v0 is used before its definition".to_string())]
    );
}

#[test]
fn branch_argument_is_used_at_the_end_of_the_branching_block() {
    // A loop header passing its own parameter around the back edge is fine;
    // passing a value defined only in the exit block is not.
    let mut func = Function::new("f", Signature::new(vec![], vec![]));
    let mut b = FunctionBuilder::new(&mut func);
    let [entry, header, exit] = [(); 3].map(|_| b.create_block());
    let x = b.append_block_param(header, Type::I32);
    b.switch_to_block(entry);
    let zero = b.iconst(Type::I32, 0);
    b.jump(header, &[zero]);
    b.switch_to_block(header);
    let brif = b.brif(x, exit, &[], header, &[x]);
    b.switch_to_block(exit);
    b.return_(&[]);
    assert_eq!(errors(&func), vec![]);
    let exit_param = func.dfg.append_block_param(exit, Type::I32);
    let InstructionData::Brif { blocks, .. } = func.dfg.inst_mut(brif) else { panic!("not a brif") };
    blocks[0].args = vec![x];
    blocks[1].args = vec![exit_param];
    assert_only_error(
        &func,
        &format!("{brif} (brif {x}, block2({x}), block1({exit_param}))"),
        &format!("{exit_param} is defined in block2, which does not dominate this use in block1"),
    );
}

#[test]
fn wrong_argument_count_on_a_jump() {
    let mut func = Function::new("f", Signature::default());
    let mut b = FunctionBuilder::new(&mut func);
    let [entry, next] = [(); 2].map(|_| b.create_block());
    b.append_block_param(next, Type::I32);
    b.switch_to_block(entry);
    let a = b.iconst(Type::I32, 1);
    let jump = b.jump(next, &[a, a]);
    b.switch_to_block(next);
    b.return_(&[]);
    assert_only_error(
        &func,
        &format!("{jump} (jump block1(v1, v1))"),
        "branch to block1 passes 2 arguments, block1 has 1 parameter",
    );
}

#[test]
fn wrong_argument_type_on_a_branch() {
    let mut func = Function::new("f", Signature::default());
    let mut b = FunctionBuilder::new(&mut func);
    let [entry, next] = [(); 2].map(|_| b.create_block());
    b.append_block_param(next, Type::I32);
    b.switch_to_block(entry);
    let a = b.iconst(Type::I64, 1);
    b.brif(a, next, &[a], next, &[a]);
    b.switch_to_block(next);
    b.return_(&[]);
    assert_only_error(
        &func,
        "inst1 (brif v1, block1(v1), block1(v1))",
        "argument 0 to block1 is v1 of type i64, expected i32",
    );
}

#[test]
fn missing_terminator() {
    let mut func = Function::new("f", Signature::default());
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    b.switch_to_block(entry);
    b.iconst(Type::I32, 1);
    assert_only_error(&func, "block0", "block does not end in a terminator (last is inst0 (v0 = iconst.i32 1))");
}

#[test]
fn terminator_before_the_end_and_empty_block() {
    let mut func = Function::new("f", Signature::default());
    let entry = func.dfg.make_block();
    let empty = func.dfg.make_block();
    func.layout.append_block(entry);
    func.layout.append_block(empty);
    let ret = func.dfg.make_inst(InstructionData::Return { opcode: Opcode::Return, args: vec![] }, &[]);
    let trap = func.dfg.make_inst(InstructionData::Trap { opcode: Opcode::Trap, code: TrapCode::Unreachable }, &[]);
    func.layout.append_inst(ret, entry);
    func.layout.append_inst(trap, entry);
    assert_eq!(
        errors(&func),
        vec![
            ("inst0 (return)".to_string(), "terminator before the end of block0".to_string()),
            ("block1".to_string(), "block is empty".to_string()),
        ]
    );
}

#[test]
fn type_mismatch_on_iadd() {
    let mut func = Function::new("f", Signature::default());
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let a = b.iconst(Type::I32, 1);
    let c = b.iconst(Type::I64, 2);
    let sum = b.binary(Opcode::Iadd, a, c);
    b.return_(&[]);
    assert_only_error(
        &func,
        &format!("{} (v2 = iadd.i32 v0, v1)", inst_of(&func, sum)),
        "operand v1 has type i64, expected i32",
    );
}

#[test]
fn type_mismatch_on_fadd() {
    let mut func = Function::new("f", Signature::default());
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let a = b.fconst(Type::F32, 1f32.to_bits().into());
    let c = b.fconst(Type::F64, 2f64.to_bits());
    let sum = b.binary(Opcode::Fadd, a, c);
    b.return_(&[]);
    assert_only_error(
        &func,
        &format!("{} (v2 = fadd.f32 v0, v1)", inst_of(&func, sum)),
        "operand v1 has type f64, expected f32",
    );
}

#[test]
fn fadd_of_integers_is_not_float_arithmetic() {
    let mut func = Function::new("f", Signature::default());
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let a = b.iconst(Type::I32, 1);
    b.binary(Opcode::Fadd, a, a);
    b.return_(&[]);
    assert_only_error(&func, "inst1 (v1 = fadd.i32 v0, v0)", "result v1 has type i32, expected a float type");
}

#[test]
fn bad_conversion() {
    let mut func = Function::new("f", Signature::default());
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    b.switch_to_block(entry);
    let wide = b.fconst(Type::F64, 0);
    let promoted = b.unary(Opcode::Fpromote, Type::F64, wide);
    b.return_(&[]);
    assert_only_error(
        &func,
        &format!("{} (v1 = fpromote.f64 v0)", inst_of(&func, promoted)),
        "fpromote cannot convert v0 of type f64 to v1 of type f64",
    );
}

#[test]
fn entry_block_must_match_the_signature() {
    let mut func = Function::new("f", Signature::new(vec![Type::I32, Type::F64], vec![]));
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    b.append_block_param(entry, Type::I32);
    b.append_block_param(entry, Type::F32);
    b.switch_to_block(entry);
    b.return_(&[]);
    assert_only_error(&func, "block0", "entry block parameter 1 is v1 of type f32, the signature says f64");
    let empty = Function::new("g", Signature::default());
    assert_only_error(&empty, "function", "the layout has no entry block");
}

#[test]
fn value_defined_outside_the_layout() {
    let mut func = Function::new("f", Signature::new(vec![], vec![Type::I32]));
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    let detached = b.create_block();
    let ghost = b.append_block_param(detached, Type::I32);
    b.switch_to_block(entry);
    b.return_(&[ghost, Value(99)]);
    assert_eq!(
        errors(&func),
        vec![
            ("inst0 (return v0, v99)".to_string(), "v0 is used but its definition is not in the layout".to_string()),
            ("inst0 (return v0, v99)".to_string(), "use of invalid value v99".to_string()),
            ("inst0 (return v0, v99)".to_string(), "2 return values given, the signature has 1".to_string()),
        ]
    );
}

#[test]
fn branch_targets_must_be_in_the_layout_and_jump_tables_take_no_arguments() {
    let mut func = Function::new("f", Signature::new(vec![Type::I32], vec![]));
    let mut b = FunctionBuilder::new(&mut func);
    let [entry, with_param, detached] = [(); 3].map(|_| b.create_block());
    let params = b.append_block_params_for_function_params(entry);
    b.append_block_param(with_param, Type::I32);
    b.switch_to_block(entry);
    let table = b.func.dfg.create_jump_table(JumpTableData { default: detached, entries: vec![with_param] });
    b.br_table(params[0], table);
    b.switch_to_block(with_param);
    b.jump(detached, &[]);
    assert_eq!(
        errors(&func),
        vec![
            ("inst0 (br_table v0, jt0)".to_string(), "branch target block2 is not in the layout".to_string()),
            ("inst0 (br_table v0, jt0)".to_string(), "jt0 target block1 has parameters".to_string()),
            ("inst1 (jump block2)".to_string(), "branch target block2 is not in the layout".to_string()),
        ]
    );
}

#[test]
fn calls_check_their_signature() {
    let mut func = Function::new("f", Signature::default());
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    let sig = b.import_signature(Signature::new(vec![Type::I64], vec![Type::I32]));
    let callee = b.import_function(0, sig);
    b.switch_to_block(entry);
    let arg = b.iconst(Type::I32, 0);
    b.call(callee, &[arg]);
    b.call_indirect(sig, arg, &[]);
    b.return_(&[]);
    assert_eq!(
        errors(&func),
        vec![
            ("inst1 (v1 = call.i32 fn0(v0))".to_string(), "argument 0 is v0 of type i32, expected i64".to_string()),
            (
                "inst2 (v2 = call_indirect.i32 sig0, v0())".to_string(),
                "callee v0 has type i32, expected i64".to_string()
            ),
            (
                "inst2 (v2 = call_indirect.i32 sig0, v0())".to_string(),
                "0 arguments given, the signature has 1".to_string()
            ),
        ]
    );
}

#[test]
fn result_counts_and_formats_are_checked() {
    let mut func = Function::new("f", Signature::default());
    let entry = func.dfg.make_block();
    func.layout.append_block(entry);
    let insts = [
        func.dfg.make_inst(InstructionData::UnaryImm { opcode: Opcode::Iconst, imm: 1 }, &[]),
        func.dfg.make_inst(InstructionData::Unary { opcode: Opcode::Iadd, arg: Value(0) }, &[Type::I32]),
        func.dfg.make_inst(InstructionData::Trap { opcode: Opcode::Trap, code: TrapCode::HostError }, &[Type::I32]),
    ];
    for inst in insts {
        func.layout.append_inst(inst, entry);
    }
    assert_eq!(
        errors(&func),
        vec![
            ("inst0 (iconst 1)".to_string(), "iconst produces 1 result, found 0".to_string()),
            ("inst1 (v0 = iadd.i32 v0)".to_string(), "iadd needs the Binary format, found Unary".to_string()),
            ("inst2 (v1 = trap.i32 host)".to_string(), "trap produces 0 results, found 1".to_string()),
        ]
    );
}

/// Per-opcode type rules, written as text: `(instruction, expected message)`.
/// Every line runs in `block0(v0: i32, v1: i64, v2: i8, v3: f32, v4: f64)`
/// with one stack slot and one jump table.
#[test]
fn opcode_type_rules() {
    let cases = [
        ("v9 = iconst.i32 4294967296", "immediate 4294967296 does not fit i32"),
        ("v9 = iconst.f32 1", "result v9 has type f32, expected an integer type"),
        ("v9 = isub.i64 v1, v0", "operand v0 has type i32, expected i64"),
        ("v9 = band.f32 v3, v3", "result v9 has type f32, expected an integer type"),
        ("v9 = ushr.i32 v0, v3", "shift amount v3 has type f32, expected an integer type"),
        ("v9 = iadd_imm.i64 v0, 1", "operand v0 has type i32, expected i64"),
        ("v9 = popcnt.i64 v0", "operand v0 has type i32, expected i64"),
        ("v9 = uextend.i32 v1", "uextend result type i32 is not wider than operand type i64"),
        ("v9 = sextend.i32 v0", "sextend result type i32 is not wider than operand type i32"),
        ("v9 = ireduce.i64 v0", "ireduce result type i64 is not narrower than operand type i32"),
        ("v9 = sextend.i64 v3", "operand v3 has type f32, expected an integer type"),
        ("v9 = icmp.i32 eq v0, v1", "operand v1 has type i64, expected i32"),
        ("v9 = icmp.i64 eq v1, v1", "result v9 has type i64, expected i32"),
        ("v9 = select.i32 v3, v0, v0", "condition v3 has type f32, expected an integer type"),
        ("v9 = select.i32 v0, v0, v1", "operand v1 has type i64, expected i32"),
        ("v9 = load.i32 v0", "address v0 has type i32, expected i64"),
        ("v9 = uload8.i8 v1", "uload8 result v9 has type i8, expected an integer wider than 8 bits"),
        ("v9 = sload16.f64 v1", "sload16 result v9 has type f64, expected an integer wider than 16 bits"),
        ("v9 = uload32.i32 v1+4", "uload32 result v9 has type i32, expected i64"),
        ("store v3, v0", "address v0 has type i32, expected i64"),
        ("istore8 v2, v1", "istore8 value v2 has type i8, expected an integer wider than 8 bits"),
        ("istore32 v0, v1-8", "istore32 value v0 has type i32, expected an integer wider than 32 bits"),
        ("v9 = stack_addr.i32 ss0", "result v9 has type i32, expected i64"),
        ("trapnz v3, int_ovf", "condition v3 has type f32, expected an integer type"),
        ("br_table v1, jt0", "index v1 has type i64, expected i32"),
        ("brif v3, block1, block1", "condition v3 has type f32, expected an integer type"),
        ("return v1", "return value 0 is v1 of type i64, expected i32"),
        // Float arithmetic: float results, operands of the result type.
        ("v9 = fconst.i32 0x3f800000", "result v9 has type i32, expected a float type"),
        ("v9 = fconst.f32 0x100000000", "immediate 4294967296 does not fit f32"),
        ("v9 = fadd.f32 v3, v4", "operand v4 has type f64, expected f32"),
        ("v9 = fsub.i64 v1, v1", "result v9 has type i64, expected a float type"),
        ("v9 = fmin.f64 v3, v4", "operand v3 has type f32, expected f64"),
        ("v9 = fcopysign.f64 v4, v3", "operand v3 has type f32, expected f64"),
        ("v9 = fneg.f64 v3", "operand v3 has type f32, expected f64"),
        ("v9 = sqrt.i32 v0", "result v9 has type i32, expected a float type"),
        ("v9 = nearest.f32 v0", "operand v0 has type i32, expected f32"),
        // Float comparisons: an i32 result, float operands of one type.
        ("v9 = fcmp.i32 eq v0, v0", "operand v0 has type i32, expected a float type"),
        ("v9 = fcmp.i32 lt v3, v4", "operand v4 has type f64, expected f32"),
        ("v9 = fcmp.i64 ge v4, v4", "result v9 has type i64, expected i32"),
        // Conversions: the kinds and widths on both sides.
        ("v9 = fcvt_to_sint.i8 v3", "fcvt_to_sint cannot convert v3 of type f32 to v9 of type i8"),
        ("v9 = fcvt_to_uint.f64 v4", "fcvt_to_uint cannot convert v4 of type f64 to v9 of type f64"),
        ("v9 = fcvt_to_sint_sat.i32 v0", "fcvt_to_sint_sat cannot convert v0 of type i32 to v9 of type i32"),
        ("v9 = fcvt_to_uint_sat.i16 v4", "fcvt_to_uint_sat cannot convert v4 of type f64 to v9 of type i16"),
        ("v9 = fcvt_from_sint.f32 v2", "fcvt_from_sint cannot convert v2 of type i8 to v9 of type f32"),
        ("v9 = fcvt_from_uint.i64 v1", "fcvt_from_uint cannot convert v1 of type i64 to v9 of type i64"),
        ("v9 = fpromote.f64 v4", "fpromote cannot convert v4 of type f64 to v9 of type f64"),
        ("v9 = fdemote.f32 v3", "fdemote cannot convert v3 of type f32 to v9 of type f32"),
        ("v9 = bitcast.i64 v3", "bitcast cannot convert v3 of type f32 to v9 of type i64"),
        ("v9 = bitcast.i32 v0", "bitcast cannot convert v0 of type i32 to v9 of type i32"),
    ];
    for (line, expected) in cases {
        let text = format!(
            "function %f(i32, i64, i8, f32, f64) -> i32 {{\n    jt0 = block1, []\n    ss0 = stack_slot 8\n\n\
             block0(v0: i32, v1: i64, v2: i8, v3: f32, v4: f64):\n    {line}\n    jump block1\n\nblock1:\n    \
             return v0\n}}\n"
        );
        // Terminators end block0 themselves; drop the extra jump.
        let text = if line.starts_with("br") || line.starts_with("return") {
            text.replace("    jump block1\n", "")
        } else {
            text
        };
        let func = match parse_function(&text) {
            Ok(func) => func,
            Err(error) if expected.starts_with("immediate") => {
                assert!(error.message.contains(expected), "{error}");
                continue;
            }
            Err(error) => panic!("{error} in\n{text}"),
        };
        let messages: Vec<String> = errors(&func).into_iter().map(|e| e.1).collect();
        assert_eq!(messages, vec![expected.to_string()], "for `{line}`");
    }
}

#[test]
fn iconst_immediates_must_be_zero_extended() {
    let mut func = Function::new("f", Signature::default());
    let entry = func.dfg.make_block();
    func.layout.append_block(entry);
    let k = func.dfg.make_inst(InstructionData::UnaryImm { opcode: Opcode::Iconst, imm: -1 }, &[Type::I16]);
    let ret = func.dfg.make_inst(InstructionData::Return { opcode: Opcode::Return, args: vec![] }, &[]);
    func.layout.append_inst(k, entry);
    func.layout.append_inst(ret, entry);
    assert_only_error(&func, "inst0 (v0 = iconst.i16 -1)", "immediate 0xffffffffffffffff is not zero-extended to i16");
}

#[test]
fn unreachable_blocks_skip_dominance_but_not_definedness() {
    let text = "function %f() -> i32 {\nblock0:\n    v0 = iconst.i32 1\n    return v0\n\n\
                block1:\n    v1 = iadd.i32 v2, v0\n    jump block2\n\nblock2:\n    v2 = iconst.i32 2\n    return v1\n}\n";
    let func = parse_function(text).unwrap();
    assert_eq!(errors(&func), vec![]);
}

#[test]
fn errors_display_one_per_line() {
    let errors = VerifierErrors(vec![
        VerifierError { location: "block0".into(), message: "block is empty".into() },
        VerifierError { location: "inst1 (return)".into(), message: "x".into() },
    ]);
    assert_eq!(errors.to_string(), "block0: block is empty\ninst1 (return): x");
}
