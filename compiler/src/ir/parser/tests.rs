//! Parser tests: exact round trips (`parse(write(f))` prints as `write(f)`
//! with the same entity numbers), random functions, and errors on bad text.

use super::*;
use crate::ir::verify_function;
use crate::ir::write::write_function;
use crate::ir::{FunctionBuilder, Inst};
use std::collections::HashSet;

/// Every opcode, format and float condition, valid for the verifier.
const ALL_OPCODES: &str = "\
function %all_opcodes(i32, i64) -> i32 {
    sig0 = (i32) -> i32, i64
    sig1 = ()
    fn0 = func3 sig0
    fn1 = func0 sig1
    jt0 = block3, [block4, block5, block4]
    ss0 = stack_slot 16

block0(v0: i32, v1: i64):
    v2 = iconst.i32 -1
    v3 = iadd.i32 v0, v2
    v4 = isub.i32 v3, v0
    v5 = imul.i32 v4, v3
    v6 = sdiv.i32 v5, v2
    v7 = udiv.i32 v6, v2
    v8 = srem.i32 v7, v2
    v9 = urem.i32 v8, v2
    v10 = band.i32 v9, v0
    v11 = bor.i32 v10, v0
    v12 = bxor.i32 v11, v0
    v13 = ishl.i32 v12, v1
    v14 = ushr.i32 v13, v0
    v15 = sshr.i32 v14, v0
    v16 = rotl.i32 v15, v0
    v17 = rotr.i32 v16, v0
    v18 = iadd_imm.i32 v17, -9223372036854775808
    v19 = clz.i32 v18
    v20 = ctz.i32 v19
    v21 = popcnt.i32 v20
    v22 = uextend.i64 v21
    v23 = sextend.i64 v21
    v24 = ireduce.i16 v23
    v25 = icmp.i32 sge v22, v23
    v26 = select.i64 v25, v22, v1
    v27 = load.f64 v26
    v28 = uload8.i32 v26+1
    v29 = sload8.i16 v26-1
    v30 = uload16.i64 v26+2147483647
    v31 = sload16.i32 v26-2147483648
    v32 = uload32.i64 v26
    v33 = sload32.i64 v26+8
    store v27, v26
    istore8 v24, v26+3
    istore16 v28, v26
    istore32 v33, v26-16
    v34 = stack_addr.i64 ss0+8
    v35 = stack_addr.i64 ss0
    trapz v25, int_divz
    trapnz v24, heap_oob
    v36, v37 = call fn0(v0)
    call fn1()
    v38, v39 = call_indirect sig0, v34(v36)
    v40 = fconst.f32 0x3f800000
    v41 = fconst.f64 0xfff8000000000000
    v42 = fconst.f32 0x80000000
    v43 = fadd.f32 v40, v42
    v44 = fsub.f32 v43, v40
    v45 = fmul.f64 v41, v41
    v46 = fdiv.f64 v45, v41
    v47 = fmin.f32 v44, v43
    v48 = fmax.f64 v46, v45
    v49 = fcopysign.f32 v47, v42
    v50 = fneg.f64 v48
    v51 = fabs.f32 v49
    v52 = sqrt.f64 v50
    v53 = ceil.f32 v51
    v54 = floor.f64 v52
    v55 = trunc.f32 v53
    v56 = nearest.f64 v54
    v57 = fcmp.i32 eq v55, v51
    v58 = fcmp.i32 ne v56, v54
    v59 = fcmp.i32 lt v55, v40
    v60 = fcmp.i32 le v56, v41
    v61 = fcmp.i32 gt v53, v44
    v62 = fcmp.i32 ge v52, v46
    v63 = fcvt_to_sint.i32 v55
    v64 = fcvt_to_uint.i64 v56
    v65 = fcvt_to_sint_sat.i64 v55
    v66 = fcvt_to_uint_sat.i32 v56
    v67 = fcvt_from_sint.f64 v63
    v68 = fcvt_from_uint.f32 v64
    v69 = fpromote.f64 v68
    v70 = fdemote.f32 v69
    v71 = bitcast.i32 v70
    v72 = bitcast.f64 v65
    v73 = load.f32 v26+4
    store v72, v26-8
    v74 = select.f32 v57, v73, v70
    brif v38, block1(v36), block2

block1(v75: i32):
    jump block2

block2:
    br_table v0, jt0

block3:
    return v0

block4:
    trap int_ovf

block5:
    v76 = iconst.i8 -128
    v77 = iconst.i64 -9223372036854775808
    v78 = iconst.i16 32767
    return v0
}
";

fn opcodes_of(func: &Function) -> HashSet<&'static str> {
    let blocks = func.layout.blocks().iter();
    blocks.flat_map(|&b| func.layout.block_insts(b)).map(|&i| func.dfg.opcode(i).name()).collect()
}

#[test]
fn every_opcode_round_trips() {
    let func = parse_function(ALL_OPCODES).unwrap();
    assert_eq!(write_function(&func), ALL_OPCODES);
    assert_eq!(verify_function(&func), Ok(()));
    let all: HashSet<&str> = Opcode::ALL.iter().map(|o| o.name()).collect();
    assert_eq!(opcodes_of(&func), all);
    // Immediates come back in the DFG's zero-extended form.
    let imm = |inst: u32| match func.dfg.inst(Inst(inst)) {
        InstructionData::UnaryImm { imm, .. } | InstructionData::BinaryImm { imm, .. } => *imm,
        other => panic!("{other:?}"),
    };
    assert_eq!(imm(0), 0xffff_ffff);
    assert_eq!(imm(16), i64::MIN);
    let last = func.dfg.num_insts() as u32;
    assert_eq!([imm(last - 4), imm(last - 3), imm(last - 2)], [0x80, i64::MIN, 0x7fff]);
    // Float constants keep their bits; `fcmp` keeps its condition.
    let defining = |value: u32| match func.dfg.value_def(Value(value)) {
        crate::ir::ValueDef::Result(inst, _) => func.dfg.inst(inst).clone(),
        other => panic!("{other:?}"),
    };
    let bits: Vec<i64> = (40..43)
        .map(|v| match defining(v) {
            InstructionData::UnaryImm { opcode: Opcode::Fconst, imm } => imm,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(bits, [0x3f80_0000, 0xfff8_0000_0000_0000u64 as i64, 0x8000_0000]);
    let conditions: Vec<FloatCC> = (57..63)
        .map(|v| match defining(v) {
            InstructionData::FloatCompare { cond, .. } => cond,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(conditions, FloatCC::ALL);
}

#[test]
fn builder_numbering_is_recreated_exactly() {
    // SSA construction numbers header parameters late (`block2(v4, v19)`)
    // and lays blocks out out of order; the text keeps both.
    let text = "\
function %nest(i32) -> i32 {
block0(v0: i32):
    v2 = iconst.i32 0
    jump block1(v2)

block1(v3: i32):
    jump block2(v3, v3)

block2(v4: i32, v19: i32):
    v6 = band.i32 v4, v3
    brif v6, block5(v6, v19), block4

block4:
    return v0

block5(v15: i32, v18: i32):
    v16 = iadd_imm.i32 v15, 3
    jump block2(v16, v18)
}
";
    let func = parse_function(text).unwrap();
    assert_eq!(write_function(&func), text);
    assert_eq!(verify_function(&func), Ok(()));
    assert_eq!(func.dfg.block_params(Block(2)), &[Value(4), Value(19)]);
    assert_eq!(func.dfg.value_def(Value(19)), crate::ir::ValueDef::Param(Block(2), 1));
    assert_eq!(func.dfg.value_type(Value(16)), Type::I32);
    // Gaps (v1, v5, v7..v14, v17) are filled outside the layout; block3 is
    // created but not laid out.
    assert_eq!(func.dfg.num_values(), 20);
    assert_eq!(func.dfg.num_blocks(), 7);
    assert!(!func.layout.is_block_inserted(Block(3)));
    // Instructions are numbered in text order.
    let insts: Vec<Inst> = func.layout.blocks().iter().flat_map(|&b| func.layout.block_insts(b).to_vec()).collect();
    assert_eq!(insts, (0..8).map(Inst).collect::<Vec<_>>());
}

#[test]
fn several_functions_and_comments() {
    let text = "; a file\nfunction %a() {\nblock0:\n    return ; done\n}\n\nfunction %\"b c\"(f32) -> f32 {\nblock0(v0: f32):\n    return v0\n}\n";
    let functions = parse_functions(text).unwrap();
    assert_eq!(functions.len(), 2);
    assert_eq!(functions[1].name, "b c");
    assert_eq!(functions[1].signature, Signature::new(vec![Type::F32], vec![Type::F32]));
    assert_eq!(write_function(&functions[1]), "function %\"b c\"(f32) -> f32 {\nblock0(v0: f32):\n    return v0\n}\n");
    assert!(parse_function(text).is_err());
}

/// `(text, line, column, message)` for bad input.
#[test]
fn bad_text_is_an_error_with_a_position() {
    let cases = [
        ("function %f() {\nblock0:\n    v0 = frobnicate.i32 1\n}", 3, 10, "unknown opcode `frobnicate`"),
        ("function %f() -> i32 {\nblock0:\n    return v7\n}", 3, 12, "undefined value v7"),
        (
            "function %f() {\nblock0:\n    v0 = iconst.i33 1\n}",
            3,
            17,
            "expected a type (i8, i16, i32, i64, f32, f64), found `i33`",
        ),
        ("function %f() {\nblock0:\n    return\n", 4, 1, "expected `}`, found end of input"),
        ("function %f() {\nblock0:\n    return\nfunction %g() {\n}", 4, 1, "expected `}`, found `function`"),
        ("function %f() {\nblock0:\n    jump block1\n}", 3, 10, "undefined block block1"),
        ("function %f() {\nblock0:\n    v0 = iconst.i32 1\n    v0 = iconst.i32 2\n}", 4, 5, "v0 is defined twice"),
        ("function %f() {\nblock0:\n    return\nblock0:\n    return\n}", 4, 1, "block0 is defined twice"),
        ("function %f() {\n    sig1 = ()\n}", 2, 5, "expected sig0 (declarations are numbered in order), found sig1"),
        (
            "function %f(i64) {\nblock0(v0: i64):\n    v1 = load.i32 v0+2147483648\n}",
            3,
            21,
            "offset 2147483648 is out of the i32 range",
        ),
        ("function %f() {\nblock0:\n    v0 = iconst.i32 1 2\n}", 3, 23, "expected end of line, found `2`"),
        ("function %f() {\nblock0:\n    v0 = iconst.i8 256\n}", 3, 20, "immediate 256 does not fit i8"),
        ("function %f() {\nblock0:\n    v0 = iconst 1\n}", 3, 10, "expected a result type suffix like `iconst.i32`"),
        ("function %f() {\nblock0:\n    trap oops\n}", 3, 10, "unknown trap code `oops`"),
        ("function %f() {\nblock0:\n    call fn0()\n}", 3, 10, "undefined fn0"),
        (
            "function %f() {\nblock0(v1: i32, v0: i32):\n    return\n}",
            2,
            17,
            "parameters of block0 must have increasing value numbers",
        ),
        (
            "function %f() {\n    v0 = iconst.i32 1\n}",
            2,
            5,
            "expected a declaration (`sigN`, `fnN`, `jtN`, `ssN`) or a block header, found `v0`",
        ),
        ("function %f() {\nblock0:\n    v9999999 = iconst.i32 1\n}", 3, 5, "v9999999 is too large"),
        ("function f() {\n}", 1, 10, "expected a function name like `%f`, found `f`"),
    ];
    for (text, line, column, message) in cases {
        let error = parse_functions(text).err().unwrap_or_else(|| panic!("no error for\n{text}"));
        assert!(error.message.starts_with(message), "for\n{text}\ngot {error}");
        assert_eq!((error.line, error.column), (line, column), "for\n{text}\ngot {error}");
    }
    let sig =
        "function %f() {\n    sig0 = (i32) -> i32, i64\n    fn0 = func0 sig0\n\nblock0:\n    v0, v2 = call fn0()\n}";
    let error = parse_functions(sig).unwrap_err();
    assert_eq!(error.to_string(), "line 6, column 9: results of one instruction must have consecutive value numbers");
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

const INTS: [Type; 4] = [Type::I8, Type::I16, Type::I32, Type::I64];

const BINARY: [Opcode; 15] = [
    Opcode::Iadd,
    Opcode::Isub,
    Opcode::Imul,
    Opcode::Sdiv,
    Opcode::Udiv,
    Opcode::Srem,
    Opcode::Urem,
    Opcode::Band,
    Opcode::Bor,
    Opcode::Bxor,
    Opcode::Ishl,
    Opcode::Ushr,
    Opcode::Sshr,
    Opcode::Rotl,
    Opcode::Rotr,
];

const FLOATS: [Type; 2] = [Type::F32, Type::F64];

const FLOAT_BINARY: [Opcode; 7] =
    [Opcode::Fadd, Opcode::Fsub, Opcode::Fmul, Opcode::Fdiv, Opcode::Fmin, Opcode::Fmax, Opcode::Fcopysign];

const FLOAT_UNARY: [Opcode; 7] =
    [Opcode::Fneg, Opcode::Fabs, Opcode::Sqrt, Opcode::Ceil, Opcode::Floor, Opcode::Trunc, Opcode::Nearest];

const FLOAT_TO_INT: [Opcode; 4] =
    [Opcode::FcvtToSint, Opcode::FcvtToUint, Opcode::FcvtToSintSat, Opcode::FcvtToUintSat];

/// Builds random valid functions: uses are limited to the entry block's
/// values and the current block's, so SSA dominance holds by construction.
struct Generator<'r, 'f, 'b> {
    rng: &'r mut Rng,
    b: &'b mut FunctionBuilder<'f>,
    available: Vec<Value>,
}

impl Generator<'_, '_, '_> {
    fn value_of(&mut self, ty: Type) -> Value {
        let candidates: Vec<Value> = self.available.iter().copied().filter(|&v| self.b.value_type(v) == ty).collect();
        if !candidates.is_empty() && !self.rng.chance(4) {
            return self.rng.pick(&candidates);
        }
        let value = if ty.is_int() {
            let imm = self.rng.next() as i64 >> self.rng.below(64);
            self.b.iconst(ty, imm)
        } else {
            let address = self.value_of(Type::I64);
            self.b.load(Opcode::Load, ty, address, 0)
        };
        self.available.push(value);
        value
    }

    fn int(&mut self) -> Type {
        self.rng.pick(&INTS)
    }

    fn offset(&mut self) -> i32 {
        if self.rng.chance(2) { 0 } else { self.rng.next() as i32 >> self.rng.below(32) }
    }

    fn instruction(&mut self) {
        let dfg = &self.b.func.dfg;
        let (num_slots, num_funcs, num_sigs) = (dfg.stack_slots.len(), dfg.ext_funcs.len(), dfg.signatures.len());
        let results = match self.rng.below(19) {
            0 => vec![self.value_of_fresh_iconst()],
            1 => {
                let opcode = self.rng.pick(&BINARY);
                let ty = self.int();
                let a = self.value_of(ty);
                let is_shift =
                    matches!(opcode, Opcode::Ishl | Opcode::Ushr | Opcode::Sshr | Opcode::Rotl | Opcode::Rotr);
                let amount_type = if is_shift { self.int() } else { ty };
                let b = self.value_of(amount_type);
                vec![self.b.binary(opcode, a, b)]
            }
            2 => {
                let ty = self.int();
                let a = self.value_of(ty);
                let imm = self.rng.next() as i64 >> self.rng.below(64);
                vec![self.b.iadd_imm(a, imm)]
            }
            3 => {
                let opcode = self.rng.pick(&[Opcode::Clz, Opcode::Ctz, Opcode::Popcnt]);
                let ty = self.int();
                let a = self.value_of(ty);
                vec![self.b.unary(opcode, ty, a)]
            }
            4 | 5 => {
                let (narrow, wide) = (self.rng.below(3), 1 + self.rng.below(3));
                let (narrow, wide) = (INTS[narrow.min(wide - 1)], INTS[wide.max(narrow + 1)]);
                let (opcode, from, to) = match self.rng.below(3) {
                    0 => (Opcode::Uextend, narrow, wide),
                    1 => (Opcode::Sextend, narrow, wide),
                    _ => (Opcode::Ireduce, wide, narrow),
                };
                let a = self.value_of(from);
                vec![self.b.unary(opcode, to, a)]
            }
            6 => {
                let ty = self.int();
                let (a, b) = (self.value_of(ty), self.value_of(ty));
                vec![self.b.icmp(self.rng.pick(&IntCC::ALL), a, b)]
            }
            7 => {
                let condition_type = self.int();
                let c = self.value_of(condition_type);
                let ty = self.rng.pick(&Type::ALL);
                let (a, b) = (self.value_of(ty), self.value_of(ty));
                vec![self.b.select(c, a, b)]
            }
            8 => {
                let (opcode, ty) = match self.rng.below(4) {
                    0 => (Opcode::Load, self.rng.pick(&Type::ALL)),
                    1 => (self.rng.pick(&[Opcode::Uload8, Opcode::Sload8]), self.rng.pick(&INTS[1..])),
                    2 => (self.rng.pick(&[Opcode::Uload16, Opcode::Sload16]), self.rng.pick(&INTS[2..])),
                    _ => (self.rng.pick(&[Opcode::Uload32, Opcode::Sload32]), Type::I64),
                };
                let address = self.value_of(Type::I64);
                let offset = self.offset();
                vec![self.b.load(opcode, ty, address, offset)]
            }
            9 => {
                let (opcode, ty) = match self.rng.below(4) {
                    0 => (Opcode::Store, self.rng.pick(&Type::ALL)),
                    1 => (Opcode::Istore8, self.rng.pick(&INTS[1..])),
                    2 => (Opcode::Istore16, self.rng.pick(&INTS[2..])),
                    _ => (Opcode::Istore32, Type::I64),
                };
                let (value, address) = (self.value_of(ty), self.value_of(Type::I64));
                let offset = self.offset();
                self.b.store(opcode, value, address, offset);
                vec![]
            }
            10 if num_slots > 0 => {
                let slot = StackSlot::new(self.rng.below(num_slots));
                let offset = self.offset();
                vec![self.b.stack_addr(slot, offset)]
            }
            11 => {
                let ty = self.int();
                let c = self.value_of(ty);
                let opcode = self.rng.pick(&[Opcode::Trapz, Opcode::Trapnz]);
                self.b.cond_trap(opcode, c, self.rng.pick(&TrapCode::ALL));
                vec![]
            }
            12 if num_funcs > 0 => {
                let func_ref = FuncRef::new(self.rng.below(num_funcs));
                let sig = self.b.func.dfg.ext_funcs[func_ref.index()].signature;
                let args = self.args_for(sig);
                self.b.call(func_ref, &args)
            }
            13 if num_sigs > 0 => {
                let sig = SigRef::new(self.rng.below(num_sigs));
                let callee = self.value_of(Type::I64);
                let args = self.args_for(sig);
                self.b.call_indirect(sig, callee, &args)
            }
            14 => {
                let ty = self.rng.pick(&FLOATS);
                let bits = self.rng.next();
                vec![self.b.fconst(ty, bits)]
            }
            15 => {
                let ty = self.rng.pick(&FLOATS);
                let (a, b) = (self.value_of(ty), self.value_of(ty));
                vec![self.b.binary(self.rng.pick(&FLOAT_BINARY), a, b)]
            }
            16 => {
                let ty = self.rng.pick(&FLOATS);
                let a = self.value_of(ty);
                vec![self.b.unary(self.rng.pick(&FLOAT_UNARY), ty, a)]
            }
            17 => {
                let ty = self.rng.pick(&FLOATS);
                let (a, b) = (self.value_of(ty), self.value_of(ty));
                vec![self.b.fcmp(self.rng.pick(&FloatCC::ALL), a, b)]
            }
            18 => {
                let (float, int) = (self.rng.pick(&FLOATS), self.rng.pick(&[Type::I32, Type::I64]));
                let same_width_int = if float == Type::F32 { Type::I32 } else { Type::I64 };
                let (opcode, from, to) = match self.rng.below(6) {
                    0 => (self.rng.pick(&FLOAT_TO_INT), float, int),
                    1 => (self.rng.pick(&[Opcode::FcvtFromSint, Opcode::FcvtFromUint]), int, float),
                    2 => (Opcode::Fpromote, Type::F32, Type::F64),
                    3 => (Opcode::Fdemote, Type::F64, Type::F32),
                    4 => (Opcode::Bitcast, float, same_width_int),
                    _ => (Opcode::Bitcast, same_width_int, float),
                };
                let a = self.value_of(from);
                vec![self.b.unary(opcode, to, a)]
            }
            _ => vec![],
        };
        self.available.extend(results);
    }

    fn value_of_fresh_iconst(&mut self) -> Value {
        let ty = self.int();
        let imm = self.rng.next() as i64;
        self.b.iconst(ty, imm)
    }

    fn args_for(&mut self, sig: SigRef) -> Vec<Value> {
        let params = self.b.func.dfg.signatures[sig.index()].params.clone();
        params.into_iter().map(|ty| self.value_of(ty)).collect()
    }

    fn values_of(&mut self, types: &[Type]) -> Vec<Value> {
        types.iter().map(|&ty| self.value_of(ty)).collect()
    }
}

fn random_types(rng: &mut Rng, max: usize) -> Vec<Type> {
    (0..rng.below(max + 1)).map(|_| rng.pick(&Type::ALL)).collect()
}

/// A random valid function whose value numbers have gaps (parameters of a
/// block outside the layout) and are out of text order (block parameters
/// appended while an earlier block is being filled).
fn random_function(seed: u64) -> Function {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let signature = Signature::new(random_types(&mut rng, 3), random_types(&mut rng, 2));
    let mut func = Function::new(format!("random{seed}"), signature.clone());
    let mut b = FunctionBuilder::new(&mut func);
    let num_blocks = 1 + rng.below(6);
    let mut blocks: Vec<Block> = (0..num_blocks).map(|_| b.create_block()).collect();
    for i in (1..blocks.len()).rev() {
        blocks.swap(i, rng.below(i + 1));
    }
    let detached = b.create_block();
    let mut planned: Vec<Vec<Type>> = blocks.iter().map(|_| random_types(&mut rng, 2)).collect();
    planned[0] = signature.params.clone();
    b.append_block_params_for_function_params(blocks[0]);
    let mut pending: Vec<usize> = (1..num_blocks).collect();
    for _ in 0..rng.below(3) {
        let sig = b.import_signature(Signature::new(random_types(&mut rng, 2), random_types(&mut rng, 2)));
        if rng.chance(2) {
            b.import_function(rng.next() as u32, sig);
        }
    }
    for _ in 0..rng.below(3) {
        b.create_stack_slot(rng.below(64) as u32);
    }

    let mut entry_values = Vec::new();
    for k in 0..num_blocks {
        if let Some(position) = pending.iter().position(|&p| p == k) {
            pending.remove(position);
            for &ty in &planned[k] {
                b.append_block_param(blocks[k], ty);
            }
        }
        b.switch_to_block(blocks[k]);
        let mut available = entry_values.clone();
        available.extend_from_slice(b.func.dfg.block_params(blocks[k]));
        let mut g = Generator { rng: &mut rng, b: &mut b, available };
        for _ in 0..g.rng.below(8) {
            if !pending.is_empty() && g.rng.chance(4) {
                let later = pending.remove(g.rng.below(pending.len()));
                for &ty in &planned[later] {
                    g.b.append_block_param(blocks[later], ty);
                }
            }
            if g.rng.chance(6) {
                g.b.append_block_param(detached, Type::I32);
            }
            g.instruction();
        }
        let without_params: Vec<Block> =
            (0..num_blocks).filter(|&i| planned[i].is_empty()).map(|i| blocks[i]).collect();
        match g.rng.below(5) {
            0 => {
                let target = g.rng.below(num_blocks);
                let args = g.values_of(&planned[target]);
                g.b.jump(blocks[target], &args);
            }
            1 => {
                let ty = g.int();
                let c = g.value_of(ty);
                let (then, other) = (g.rng.below(num_blocks), g.rng.below(num_blocks));
                let (then_args, other_args) = (g.values_of(&planned[then]), g.values_of(&planned[other]));
                g.b.brif(c, blocks[then], &then_args, blocks[other], &other_args);
            }
            2 if !without_params.is_empty() => {
                let index = g.value_of(Type::I32);
                let entries = (0..g.rng.below(4)).map(|_| g.rng.pick(&without_params)).collect();
                let table = g.b.create_jump_table(g.rng.pick(&without_params), entries);
                g.b.br_table(index, table);
            }
            3 => {
                let values = g.values_of(&signature.returns);
                g.b.return_(&values);
            }
            _ => {
                g.b.trap(g.rng.pick(&TrapCode::ALL));
            }
        }
        if k == 0 {
            entry_values = g.available;
        }
    }
    func
}

#[test]
fn random_functions_round_trip_exactly() {
    let mut seen_opcodes = HashSet::new();
    for seed in 0..400 {
        let func = random_function(seed);
        let text = write_function(&func);
        assert_eq!(verify_function(&func), Ok(()), "generator made invalid IR:\n{text}");
        let parsed = parse_function(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(write_function(&parsed), text);
        // Same numbering, not just the same text.
        for &block in func.layout.blocks() {
            assert_eq!(parsed.dfg.block_params(block), func.dfg.block_params(block));
            assert_eq!(parsed.layout.block_insts(block), func.layout.block_insts(block), "in\n{text}");
            for &inst in func.layout.block_insts(block) {
                assert_eq!(parsed.dfg.inst(inst), func.dfg.inst(inst));
                assert_eq!(parsed.dfg.inst_results(inst), func.dfg.inst_results(inst));
            }
        }
        seen_opcodes.extend(opcodes_of(&func));
    }
    assert_eq!(seen_opcodes.len(), Opcode::ALL.len(), "the generator misses opcodes");
}

/// A random replacement for one word of IR text, of the same kind.
fn mutate_word(rng: &mut Rng, word: &str) -> String {
    let digits = |prefix: &str| {
        word.strip_prefix(prefix).is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    };
    if digits("v") {
        format!("v{}", rng.below(81))
    } else if digits("block") {
        format!("block{}", rng.below(7))
    } else if Type::from_name(word).is_some() {
        rng.pick(&Type::ALL).to_string()
    } else if Opcode::from_name(word).is_some() {
        rng.pick(Opcode::ALL).to_string()
    } else if word.bytes().all(|b| b.is_ascii_digit()) {
        rng.pick(&["0", "1", "255", "65536", "4294967296", "99999999999999999999"]).to_string()
    } else {
        rng.pick(&["", "v", "block", "(", ")", ",", "-1", "+", "=", ".", "%", "\"", "}", "{", ":"]).to_string()
    }
}

/// Mangled text never panics the parser; whatever parses also prints and
/// verifies without panicking.
#[test]
fn mangled_text_never_panics() {
    let mut rng = Rng(0x1234_5678);
    let base: Vec<&str> = ALL_OPCODES.lines().collect();
    let (mut parsed_ok, mut verified_ok) = (0, 0);
    for _ in 0..3000 {
        let mut lines: Vec<String> = base.iter().map(|l| l.to_string()).collect();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(lines.len());
            match rng.below(8) {
                0 => {
                    lines.remove(at);
                }
                1 => lines.insert(rng.below(lines.len()), lines[at].clone()),
                2 => {
                    let other = rng.below(lines.len());
                    lines.swap(at, other);
                }
                3 => {
                    let keep = rng.below(lines[at].len() + 1);
                    lines[at].truncate(keep);
                }
                _ => {
                    // Replace one word of the line with another of its kind.
                    let line = &lines[at];
                    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
                    let starts: Vec<usize> = line
                        .char_indices()
                        .filter(|&(i, c)| is_word(c) && !line[..i].ends_with(is_word))
                        .map(|(i, _)| i)
                        .collect();
                    if starts.is_empty() {
                        continue;
                    }
                    let start = rng.pick(&starts);
                    let end = line[start..].find(|c: char| !is_word(c)).map_or(line.len(), |n| start + n);
                    let replacement = mutate_word(&mut rng, &line[start..end]);
                    lines[at].replace_range(start..end, &replacement);
                }
            }
        }
        let text = lines.join("\n");
        if let Ok(functions) = parse_functions(&text) {
            parsed_ok += 1;
            for func in &functions {
                let _ = write_function(func);
                verified_ok += usize::from(verify_function(func).is_ok());
            }
        }
    }
    // Enough mutants must get through the parser for this to test the
    // printer and the verifier on broken IR.
    assert!(parsed_ok > 300, "only {parsed_ok} mutants parsed");
    assert!(verified_ok < parsed_ok, "every mutant verified: {verified_ok}");
}
