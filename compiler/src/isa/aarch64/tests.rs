//! Whole-function tests of the AArch64 back end: IR in, checked allocation,
//! machine code out, decoded with yaxpeax-arm.
//!
//! Part of `isa/aarch64/`. The emit tests (`oracle::aarch64`) check
//! single instructions; these check what only a whole function shows: the
//! prologue and epilogue, trap sites, call relocations, callee-saved
//! registers, and conditional branches beyond ±1 MiB going through a veneer
//! in an island to the right place.

use super::compile_function;
use crate::ir::parser::parse_function;
use crate::ir::{Block, Function, FunctionBuilder, Opcode, Signature, Type};
use crate::machinst::{MachBufferFinalized, RelocKind};
use crate::runtime::TrapCode;
use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv8::a64::{InstDecoder, Instruction, Opcode as A64, Operand, SizeCode};

fn words(code: &MachBufferFinalized) -> Vec<u32> {
    code.data.chunks(4).map(|c| u32::from_le_bytes(c.try_into().expect("4-byte words"))).collect()
}

fn decode(word: u32) -> Instruction {
    let bytes = word.to_le_bytes();
    InstDecoder::default()
        .decode(&mut U8Reader::new(&bytes[..]))
        .unwrap_or_else(|e| panic!("{word:08x} does not decode: {e:?}"))
}

fn compile_text(text: &str) -> MachBufferFinalized {
    let func = parse_function(text).unwrap_or_else(|e| panic!("{e}"));
    crate::ir::verify_function(&func).expect("valid IR");
    compile_function(&func, true).unwrap_or_else(|e| panic!("{e}"))
}

/// Every integer opcode the x86-64 back end handles, in one function.
const INTEGER_OPCODES: &str = "\
function %all_integer(i64, i32, i64, i32, i32, i32, i32, i32, i32, i64) -> i32, i64 {
    sig0 = (i64, i32) -> i32, i64
    sig1 = (i64, i32, i32, i32, i32, i32, i32, i32, i32, i64) -> i32, i64
    fn0 = func0 sig1
    jt0 = block3, [block4, block5, block4]
    ss0 = stack_slot 16

block0(v0: i64, v1: i32, v2: i64, v3: i32, v4: i32, v5: i32, v6: i32, v7: i32, v8: i32, v9: i64):
    v10 = iconst.i32 -1
    v11 = iadd.i32 v1, v10
    v12 = isub.i32 v11, v1
    v13 = imul.i32 v12, v11
    v14 = sdiv.i32 v13, v10
    v15 = udiv.i32 v14, v3
    v16 = srem.i32 v15, v4
    v17 = urem.i32 v16, v5
    v18 = band.i32 v17, v1
    v19 = bor.i32 v18, v6
    v20 = bxor.i32 v19, v7
    v21 = ishl.i32 v20, v8
    v22 = ushr.i32 v21, v1
    v23 = sshr.i32 v22, v1
    v24 = rotl.i32 v23, v1
    v25 = rotr.i32 v24, v1
    v26 = iadd_imm.i32 v25, -4096
    v27 = clz.i32 v26
    v28 = ctz.i32 v27
    v29 = popcnt.i32 v28
    v30 = uextend.i64 v29
    v31 = sextend.i64 v29
    v32 = ireduce.i16 v31
    v33 = icmp.i32 sge v30, v31
    v34 = select.i64 v33, v30, v9
    v35 = sdiv.i64 v2, v9
    v36 = srem.i64 v35, v2
    v37 = rotl.i64 v36, v2
    v38 = popcnt.i64 v37
    v39 = iadd.i64 v38, v30
    v40 = uload8.i32 v39+1
    v41 = sload8.i16 v39-1
    v42 = uload16.i64 v39+4096
    v43 = sload16.i32 v39-300
    v44 = uload32.i64 v39
    v45 = sload32.i64 v39+8
    v46 = load.i64 v39+1048576
    istore8 v32, v39+3
    istore16 v40, v39
    istore32 v45, v39-16
    store v46, v39
    v47 = stack_addr.i64 ss0+8
    store v1, v47
    trapz v33, int_divz
    v48 = icmp.i32 ult v41, v32
    trapnz v48, heap_oob
    v49 = sextend.i32 v41
    v50 = iconst.i64 1311768467463790320
    v51 = bxor.i64 v46, v50
    v52 = band.i64 v51, v9
    v53, v54 = call fn0(v0, v1, v3, v4, v5, v6, v7, v8, v49, v9)
    v55, v56 = call_indirect sig0, v52(v0, v53)
    brif v55, block1(v56), block2

block1(v57: i64):
    v58 = ushr.i64 v57, v9
    return v55, v58

block2:
    br_table v1, jt0

block3:
    return v1, v2

block4:
    trap int_ovf

block5:
    v59 = iconst.i8 -128
    v60 = sextend.i64 v59
    v61 = rotl.i64 v9, v60
    v62 = ishl.i64 v61, v60
    return v3, v62
}
";

#[test]
fn every_integer_opcode_compiles_with_the_checker() {
    let code = compile_text(INTEGER_OPCODES);
    // Division traps, the memory traps and the prologue's stack check.
    let codes: Vec<TrapCode> = code.traps.iter().map(|t| t.code).collect();
    for wanted in [
        TrapCode::StackOverflow,
        TrapCode::IntegerDivisionByZero,
        TrapCode::IntegerOverflow,
        TrapCode::MemoryOutOfBounds,
    ] {
        assert!(codes.contains(&wanted), "no {wanted:?} trap in {codes:?}");
    }
    // Every trap site is a `udf` with the trap's code.
    for trap in &code.traps {
        let word = words(&code)[trap.offset as usize / 4];
        assert_eq!(word, trap.code.as_u8() as u32, "trap at {:#x}", trap.offset);
    }
    // One call relocation, on a `bl`.
    assert_eq!(code.relocs.len(), 1);
    let reloc = code.relocs[0];
    assert_eq!((reloc.kind, reloc.symbol, reloc.addend), (RelocKind::Arm64Call, 0, 0));
    assert_eq!(decode(words(&code)[reloc.offset as usize / 4]).opcode, A64::BL);
}

#[test]
fn prologue_checks_the_stack_limit_and_epilogue_undoes_the_frame() {
    let code = compile_text(
        "\
function %f(i64, i32) -> i32 {
block0(v0: i64, v1: i32):
    v2 = iadd_imm.i32 v1, 1
    return v2
}
",
    );
    let text: Vec<String> = words(&code).iter().map(|&w| decode(w).to_string()).collect();
    let expected = [
        "stp x29, x30, [sp, #-0x10]!",
        "mov x29, sp",
        "sub x17, sp, #0x0",
        "ldr x16, [x0, #0x8]",
        "cmp x17, x16",
        "b.hs $+0x8",
        "udf #0x9",
        "add w0, w1, #0x1",
        "ldp x29, x30, [sp], #0x10",
        "ret",
    ];
    assert_eq!(text, expected);
    assert_eq!(code.traps.len(), 1);
    assert_eq!((code.traps[0].offset, code.traps[0].code), (24, TrapCode::StackOverflow));
}

#[test]
fn values_live_across_calls_use_callee_saved_registers() {
    // Twelve values live across a call: more than the callee-saved
    // registers, so some are spilled, and x19-x28 are saved in pairs.
    let mut text = String::from(
        "function %f(i64, i64) -> i64 {\n    sig0 = (i64) -> i64\n    fn0 = func0 sig0\n\nblock0(v0: i64, v1: i64):\n",
    );
    for i in 0..12 {
        text += &format!("    v{} = iadd_imm.i64 v1, {}\n", 2 + i, i + 1);
    }
    text += "    v14 = call fn0(v0)\n";
    let mut last = 14;
    for i in 0..12 {
        text += &format!("    v{} = iadd.i64 v{}, v{}\n", last + 1, last, 2 + i);
        last += 1;
    }
    text += &format!("    return v{last}\n}}\n");
    let code = compile_text(&text);
    let decoded: Vec<Instruction> = words(&code).iter().map(|&w| decode(w)).collect();
    let pairs_saved = decoded.iter().filter(|i| i.opcode == A64::STP).count();
    let pairs_restored = decoded.iter().filter(|i| i.opcode == A64::LDP).count();
    // The frame record and five pairs of callee-saved registers.
    assert_eq!((pairs_saved, pairs_restored), (6, 6));
    let spills = decoded
        .iter()
        .filter(|i| i.opcode == A64::STR && matches!(i.operands[1], Operand::RegPreIndex(31, _, false)))
        .count();
    assert!(spills > 0, "expected spills to the frame");
}

/// Float arguments and results use `v0`–`v7`/`v0` apart from the integer
/// registers; float values live across a call sit in `d8`–`d15`, which
/// the prologue saves (low 64 bits, `str d, [sp, #-16]!`) and the epilogue
/// restores in reverse.
#[test]
fn float_values_use_v_registers_and_callee_saved_d_registers() {
    let code = "\
function %floats(i64, f64, i32, f32) -> f64 {
    sig0 = (i64) -> i32
    fn0 = func0 sig0
block0(v0: i64, v1: f64, v2: i32, v3: f32):
    v4 = fpromote.f64 v3
    v5 = fadd.f64 v1, v4
    v6 = call fn0(v0)
    v7 = fcvt_from_sint.f64 v6
    v8 = fmul.f64 v5, v7
    v9 = fsub.f64 v8, v1
    v10 = fdiv.f64 v9, v4
    return v10
}
";
    let code = compile_text(code);
    let decoded: Vec<Instruction> = words(&code).into_iter().map(decode).collect();
    let d = |n: u16| Operand::SIMDRegister(yaxpeax_arm::armv8::a64::SIMDSizeCode::D, n);
    let s = |n: u16| Operand::SIMDRegister(yaxpeax_arm::armv8::a64::SIMDSizeCode::S, n);
    // The f32 argument arrives in s1 (the second float register), the f64 in d0.
    let promote = decoded.iter().find(|i| i.opcode == A64::FCVT).expect("fcvt");
    assert_eq!(promote.operands[1], s(1), "{promote}");
    let saved: Vec<Operand> = decoded
        .iter()
        .filter(|i| i.opcode == A64::STR && i.operands[1] == Operand::RegPreIndex(31, -16, true))
        .map(|i| i.operands[0])
        .collect();
    let restored: Vec<Operand> = decoded
        .iter()
        .filter(|i| i.opcode == A64::LDR && i.operands[1] == Operand::RegPostIndex(31, 16))
        .map(|i| i.operands[0])
        .collect();
    let saved_d: Vec<Operand> = saved.iter().copied().filter(|o| matches!(o, Operand::SIMDRegister(..))).collect();
    assert!(!saved_d.is_empty(), "values live across the call need a callee-saved d register: {saved:?}");
    for operand in &saved_d {
        assert!((8..16).any(|n| *operand == d(n)), "{operand:?} is not d8-d15");
    }
    let mut restored_d: Vec<Operand> =
        restored.iter().copied().filter(|o| matches!(o, Operand::SIMDRegister(..))).collect();
    restored_d.reverse();
    assert_eq!(saved_d, restored_d, "restored in reverse order");
    // The result is returned in d0.
    let last_div = decoded.iter().rfind(|i| i.opcode == A64::FDIV).expect("fdiv");
    assert!(matches!(last_div.operands[0], Operand::SIMDRegister(..)));
}

/// `count` signed divisions of `value` by `divisor` (seven words each:
/// zero check, overflow check, `sdiv`), after an `iadd_imm` of `marker`
/// that starts the block.
fn long_block(b: &mut FunctionBuilder<'_>, value: crate::ir::Value, marker: i64, count: usize) -> crate::ir::Value {
    let mut value = b.iadd_imm(value, marker);
    let divisor = b.iconst(Type::I32, 3);
    for _ in 0..count {
        value = b.binary(Opcode::Sdiv, value, divisor);
    }
    value
}

fn target_of(inst: &Instruction) -> Option<i64> {
    inst.operands.iter().find_map(|o| if let Operand::PCOffset(delta) = o { Some(*delta) } else { None })
}

fn add_immediate(inst: &Instruction) -> Option<u32> {
    match (inst.opcode, inst.operands[2]) {
        (A64::ADD, Operand::Immediate(imm)) => Some(imm),
        _ => None,
    }
}

/// A `brif` whose two targets each start more than 1 MiB of code away
/// from it: at least one of its conditional branch's targets is out of
/// `b.cond`/`cbnz` range, so the branch must go through a veneer, and
/// following it must land on the right block.
#[test]
fn conditional_branch_beyond_one_mebibyte_goes_through_a_veneer() {
    const DIVISIONS: usize = 40_000; // 7 words each: about 1.1 MiB per block
    let mut func = Function::new("far", Signature::new(vec![Type::I64, Type::I32], vec![Type::I32]));
    let mut b = FunctionBuilder::new(&mut func);
    let blocks: Vec<Block> = (0..4).map(|_| b.create_block()).collect();
    let params = b.append_block_params_for_function_params(blocks[0]);
    let joined = b.append_block_param(blocks[3], Type::I32);
    b.switch_to_block(blocks[0]);
    b.brif(params[1], blocks[1], &[], blocks[2], &[]);
    b.switch_to_block(blocks[1]);
    let then_value = long_block(&mut b, params[1], 0x111, DIVISIONS);
    b.jump(blocks[3], &[then_value]);
    b.switch_to_block(blocks[2]);
    let else_value = long_block(&mut b, params[1], 0x222, DIVISIONS);
    b.jump(blocks[3], &[else_value]);
    b.switch_to_block(blocks[3]);
    b.return_(&[joined]);
    b.seal_all_blocks();
    crate::ir::verify_function(&func).expect("valid IR");
    let code = compile_function(&func, true).expect("compiles");
    let words = words(&code);
    assert!(words.len() * 4 > 2 << 20, "the function must exceed 2 MiB, has {} bytes", words.len() * 4);

    // The brif is the first conditional branch that is not a trap skip.
    let (at, branch) = words
        .iter()
        .enumerate()
        .map(|(k, &w)| (k as i64 * 4, decode(w)))
        .find(|(_, i)| matches!(i.opcode, A64::CBZ | A64::CBNZ) && target_of(i) != Some(8))
        .expect("the brif's conditional branch");
    assert!(matches!(branch.operands[0], Operand::Register(SizeCode::W, _)), "{branch}");
    // cbnz goes to the `then` block (marker 0x111); cbz to the `else` block.
    let (taken_marker, other_marker) = if branch.opcode == A64::CBNZ { (0x111, 0x222) } else { (0x222, 0x111) };
    let follow = |from: i64| -> (i64, Instruction) {
        let mut at = from;
        loop {
            let inst = decode(words[at as usize / 4]);
            match (inst.opcode, target_of(&inst)) {
                (A64::B, Some(delta)) => at += delta,
                _ => return (at, inst),
            }
        }
    };
    let veneer = at + target_of(&branch).expect("a PC-relative target");
    assert_eq!(decode(words[veneer as usize / 4]).opcode, A64::B, "the conditional branch must reach a veneer");
    let (landing, first) = follow(veneer);
    assert!((landing - at).abs() > 1 << 20, "the real target is out of b.cond range: {:#x}", landing - at);
    assert_eq!(add_immediate(&first), Some(taken_marker), "taken path lands on `{first}` at {landing:#x}");
    // Not taken: fall through (possibly over an island) to the other block.
    let (_, other) = follow(at + 4);
    assert_eq!(add_immediate(&other), Some(other_marker), "fall-through lands on `{other}`");
    // Straight-line code reaches the veneer only by its island's jump: the
    // word before the veneer block is a `b` over it.
    let island_start = (0..veneer / 4)
        .rev()
        .map(|k| k * 4)
        .find(|&k| decode(words[k as usize / 4]).opcode != A64::B || k == 0)
        .expect("code before the island")
        + 4;
    let jump_over = decode(words[island_start as usize / 4]);
    assert_eq!(jump_over.opcode, A64::B);
    assert!(island_start + target_of(&jump_over).unwrap_or(0) > veneer, "the island's jump skips its veneers");
}

#[test]
fn unknown_and_narrow_operations_are_unsupported() {
    let code = "\
function %f(i64, i16) -> i16 {
block0(v0: i64, v1: i16):
    v2 = sdiv.i16 v1, v1
    return v2
}
";
    let func = parse_function(code).expect("parses");
    let error = compile_function(&func, true).expect_err("narrow division is not lowered");
    assert!(error.is_unsupported(), "{error}");
}

#[test]
fn lenient_modules_stub_functions_that_cannot_be_compiled() {
    use crate::module::{FunctionKind, Target};
    use crate::{CompileOptions, compile_module};
    let wasm = wat::parse_str(
        r#"(module
            (func (export "float") (param f64) (result f64) local.get 0 f64.const 1 f64.add)
            (func (export "simd") (param v128) (result v128) local.get 0))"#,
    )
    .expect("valid text");
    let strict = CompileOptions::new(Target::Aarch64);
    let error = compile_module(&wasm, &strict).expect_err("SIMD is not compiled");
    assert!(error.is_unsupported() && error.function == Some(1), "{error}");
    let lenient = CompileOptions { lenient: true, ..strict };
    let module = compile_module(&wasm, &lenient).expect("lenient compilation stubs the SIMD function");
    let stubbed: Vec<u32> = module.unsupported.iter().map(|(index, _)| *index).collect();
    assert_eq!(stubbed, [1]);
    // The stub and the SIMD function's entry trampoline trap at once.
    for kind in [FunctionKind::Wasm(1), FunctionKind::ArrayEntry(1)] {
        let layout = module.functions.iter().find(|f| f.kind == kind).expect("laid out");
        let start = layout.offset..layout.offset + layout.len;
        let traps: Vec<TrapCode> =
            module.trap_table.iter().filter(|t| start.contains(&t.offset)).map(|t| t.code).collect();
        assert!(traps.contains(&TrapCode::Unsupported), "{kind:?}: {traps:?}");
    }
}

/// The buffer keeps only open short-range branches as veneer candidates:
/// many resolved `b.cond`s neither slow the island check down nor make it
/// ask for islands early, and one branch left open across more than 1 MiB
/// gets exactly one island.
#[test]
fn resolved_short_branches_do_not_cause_islands() {
    use crate::isa::aarch64::inst::{Inst, LabelUse, emit};
    use crate::machinst::{MachBuffer, MachInst};
    let mut buffer = MachBuffer::<Inst>::new();
    let far = buffer.get_label();
    buffer.use_label_at_offset(0, far, LabelUse::Branch19);
    buffer.put4(0x5400_0000); // b.eq far
    let mut islands = 0;
    for _ in 0..300_000 {
        if buffer.island_needed(Inst::worst_case_size() * 4) {
            islands += 1;
            buffer.emit_island(emit::emit_island_jump);
        }
        let near = buffer.get_label();
        buffer.use_label_at_offset(buffer.cur_offset(), near, LabelUse::Branch19);
        buffer.put4(0x5400_0001); // b.ne near
        buffer.put4(0xd503_201f); // nop
        buffer.bind_label(near);
    }
    buffer.bind_label(far);
    assert_eq!(islands, 1);
    let code = buffer.finish().expect("every branch in range");
    // The first branch goes to a veneer, which goes to `far` at the end.
    let word = |at: usize| u32::from_le_bytes(code.data[at..at + 4].try_into().expect("4 bytes"));
    let veneer = ((word(0) >> 5 & 0x7ffff) << 2) as usize;
    assert_eq!(word(veneer) >> 26, 0b000101, "a `b` veneer");
    let target = veneer as i64 + (((word(veneer) << 6) as i32) >> 4) as i64;
    assert_eq!(target as usize, code.data.len());
}
