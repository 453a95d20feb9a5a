//! Tests of the unicorn AArch64 executor with hand-assembled modules: calls,
//! traps, sandbox escapes, runaway code, host calls, builtins, memories,
//! tables and linking.
//!
//! The compiler has no AArch64 back end yet, so every `CompiledModule` here
//! is built from instruction words (each snippet is shown in assembly next
//! to its words; they were checked with `aarch64-linux-gnu-as`/`objdump`).
//! Words whose immediate is a VM context offset are built by the small
//! encoders below, so the tests follow the runtime contract's layout.
//! Functions follow `compiler::runtime`: array entry trampolines receive
//! `vmctx` in x0 and the value slots in x1; Wasm functions receive `vmctx`
//! in x0 and their parameters after it.

mod common;

use common::*;
use compiler::module::{
    CompiledModule, ConstExpr, DataSegment, ElementMode, ElementSegment, ExportKind, FunctionKind, GlobalDef,
    GlobalType, ImportKind, MemoryType, ModuleInfo, TableType, Target, ValType,
};
use compiler::runtime::{TrapCode, VMOffsets, WASM_PAGE_SIZE};
use emu::spectest::{HostCall, HostFunc};
use emu::unicorn::UnicornExecutor;
use emu::{EmuError, Executor, Trap, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Little-endian bytes of instruction words.
fn words(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|word| word.to_le_bytes()).collect()
}

/// `module` (see `common`), compiled for AArch64.
fn a64(info: ModuleInfo, pieces: Vec<Piece>) -> Arc<CompiledModule> {
    retarget(module(info, pieces))
}

fn retarget(module: Arc<CompiledModule>) -> Arc<CompiledModule> {
    let mut module = (*module).clone();
    module.target = Target::Aarch64;
    Arc::new(module)
}

/// `ldr xT, [xN, #offset]` (unsigned offset, a multiple of 8).
fn ldr_x(rt: u32, rn: u32, offset: u32) -> u32 {
    assert!(offset.is_multiple_of(8) && offset / 8 < 4096);
    0xf940_0000 | (offset / 8) << 10 | rn << 5 | rt
}

/// `ldr wT, [xN, #offset]` (unsigned offset, a multiple of 4).
fn ldr_w(rt: u32, rn: u32, offset: u32) -> u32 {
    assert!(offset.is_multiple_of(4) && offset / 4 < 4096);
    0xb940_0000 | (offset / 4) << 10 | rn << 5 | rt
}

/// `str wT, [xN, #offset]`.
fn str_w(rt: u32, rn: u32, offset: u32) -> u32 {
    ldr_w(rt, rn, offset) & !0x0040_0000
}

/// `mov wD, #imm` (movz).
fn movz_w(rd: u32, imm: u16) -> u32 {
    0x5280_0000 | (imm as u32) << 5 | rd
}

/// `movk wD, #imm`.
fn movk_w(rd: u32, imm: u16) -> u32 {
    0x7280_0000 | (imm as u32) << 5 | rd
}

/// `udf #code` for a trap code.
fn udf(code: TrapCode) -> u32 {
    code.as_u8() as u32
}

#[test]
fn encoders_match_the_assembler() {
    // Words from aarch64-linux-gnu-objdump.
    assert_eq!(ldr_x(8, 0, 96), 0xf940_3008); // ldr x8, [x0, #96]
    assert_eq!(ldr_x(0, 0, 40), 0xf940_1400); // ldr x0, [x0, #40]
    assert_eq!(ldr_w(8, 0, 96), 0xb940_6008); // ldr w8, [x0, #96]
    assert_eq!(str_w(8, 0, 96), 0xb900_6008); // str w8, [x0, #96]
    assert_eq!(movz_w(1, 5), 0x5280_00a1); // mov w1, #5
    assert_eq!(movk_w(1, 1), 0x7280_0021); // movk w1, #1
    assert_eq!(udf(TrapCode::HostError), 0x0000_000a); // udf #10
}

// mov w8, #42 ; str w8, [x1] ; ret
const RET_42: [u32; 3] = [0x5280_0548, 0xb900_0028, 0xd65f_03c0];
// ldr x8, [x1] ; ldr x9, [x1, #8] ; add x8, x8, x9 ; str x8, [x1] ; ret
const ADD_I64: [u32; 5] = [0xf940_0028, 0xf940_0429, 0x8b09_0108, 0xf900_0028, 0xd65f_03c0];
// mov x8, #0x12340000 ; ldr x9, [x8] ; ret                      (ldr at 4)
const WILD_LOAD: [u32; 3] = [0xd2a2_4688, 0xf940_0109, 0xd65f_03c0];
// b .
const SPIN: [u32; 1] = [0x1400_0000];
// f: stp x29, x30, [sp, #-16]! ; bl f
const RECURSE_FOREVER: [u32; 2] = [0xa9bf_7bfd, 0x97ff_ffff];
// f: ldr x8, [x0, #8] ; mov x9, sp ; cmp x9, x8 ; b.lo trap ; stp x29, x30, [sp, #-16]!
//    bl f ; ldp x29, x30, [sp], #16 ; ret ; trap: udf #9            (udf at 0x20)
const RECURSE_WITH_LIMIT: [u32; 9] =
    [0xf940_0408, 0x9100_03e9, 0xeb08_013f, 0x5400_00a3, 0xa9bf_7bfd, 0x97ff_fffb, 0xa8c1_7bfd, 0xd65f_03c0, 0x9];
// stp x29, x30, [sp, #-16]! ; bl +12 (the function right after these 16 bytes)
// ldp x29, x30, [sp], #16 ; ret
const ENTRY_CALLING_NEXT: [u32; 4] = [0xa9bf_7bfd, 0x9400_0003, 0xa8c1_7bfd, 0xd65f_03c0];
// br x0 (into the VM context: data)
const JUMP_TO_VMCTX: [u32; 1] = [0xd61f_0000];
// adr x8, . ; str x8, [x8] (into its own code)
const WRITE_OWN_CODE: [u32; 2] = [0x1000_0008, 0xf900_0108];

fn add_and_ret42() -> Arc<CompiledModule> {
    retarget(entries(
        vec![sig(&[], &[ValType::I32]), sig(&[ValType::I64, ValType::I64], &[ValType::I64])],
        vec![
            (0, piece("ret42", FunctionKind::ArrayEntry(0), &words(&RET_42))),
            (1, piece("add", FunctionKind::ArrayEntry(1), &words(&ADD_I64))),
        ],
    ))
}

#[test]
fn returns_a_constant_and_adds_two_i64() {
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(add_and_ret42()).unwrap();
    assert_eq!(returned(exec.call(id, "ret42", &[]).unwrap()), vec![Value::I32(42)]);
    let sum = exec.call(id, "add", &[Value::I64(40), Value::I64(-2)]).unwrap();
    assert_eq!(returned(sum), vec![Value::I64(38)]);
    let big = exec.call(id, "add", &[Value::I64(i64::MAX), Value::I64(1)]).unwrap();
    assert_eq!(returned(big), vec![Value::I64(i64::MIN)]);
}

#[test]
fn bad_calls_and_wrong_targets_are_refused() {
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(add_and_ret42()).unwrap();
    let err = exec.call(id, "add", &[Value::I64(1), Value::I32(2)]).unwrap_err();
    assert!(matches!(&err, EmuError::BadArguments(m) if m.contains("argument 1")), "{err}");
    assert!(matches!(exec.call(id, "nope", &[]), Err(EmuError::NoSuchExport { kind: "function", .. })));
    assert!(matches!(exec.global(id, "add"), Err(EmuError::NoSuchExport { kind: "global", .. })));
    assert!(matches!(exec.call(emu::InstanceId(7), "add", &[]), Err(EmuError::BadArguments(_))));
    let mut x86 = (*add_and_ret42()).clone();
    x86.target = Target::X86_64;
    let err = exec.instantiate(Arc::new(x86)).unwrap_err();
    assert!(matches!(err, EmuError::WrongTarget { module: Target::X86_64, executor: Target::Aarch64 }), "{err}");
    assert_eq!(returned(exec.call(id, "add", &[Value::I64(1), Value::I64(2)]).unwrap()), vec![Value::I64(3)]);
}

#[test]
fn a_trap_site_reports_its_code_and_function() {
    let code = TrapCode::IntegerDivisionByZero;
    let m = retarget(entries(
        vec![sig(&[], &[ValType::I32]), sig(&[], &[])],
        vec![
            (0, piece("ret42", FunctionKind::ArrayEntry(0), &words(&RET_42))),
            (1, trapping("divide", FunctionKind::ArrayEntry(1), &words(&[0xd503_201f, udf(code)]), &[(4, code)])),
        ],
    ));
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    for _ in 0..2 {
        let trap = trapped(exec.call(id, "divide", &[]).unwrap());
        assert_eq!(trap, Trap { code, offset: 12 + 4, function: Some("divide".to_string()) });
    }
    assert_eq!(returned(exec.call(id, "ret42", &[]).unwrap()), vec![Value::I32(42)]);
}

#[test]
fn an_undefined_instruction_off_the_trap_table_is_a_crash() {
    let m = retarget(entries(
        vec![sig(&[], &[]), sig(&[], &[ValType::I32])],
        vec![
            (0, piece("stray", FunctionKind::ArrayEntry(0), &words(&[udf(TrapCode::Unreachable)]))),
            (1, piece("ret42", FunctionKind::ArrayEntry(1), &words(&RET_42))),
        ],
    ));
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    let err = exec.call(id, "stray", &[]).unwrap_err();
    let EmuError::Crashed(report) = &err else { panic!("expected a crash, got {err}") };
    assert!(report.contains("undefined instruction outside the trap table"), "{report}");
    assert!(report.contains("code offset 0x0 in stray"), "{report}");
    assert_eq!(returned(exec.call(id, "ret42", &[]).unwrap()), vec![Value::I32(42)]);
}

#[test]
fn state_survives_a_trap() {
    let info = ModuleInfo {
        types: vec![sig(&[], &[]), sig(&[], &[ValType::I32])],
        functions: vec![0, 1],
        globals: vec![GlobalDef { ty: GlobalType { ty: ValType::I32, mutable: true }, init: ConstExpr::I32(1) }],
        exports: vec![
            export("poke", ExportKind::Func(0)),
            export("peek", ExportKind::Func(1)),
            export("g", ExportKind::Global(0)),
        ],
        ..ModuleInfo::default()
    };
    let g = info.vm_offsets().defined_global(0);
    // mov w8, #7 ; str w8, [x0, #g] ; udf #1                     (udf at 8)
    let poke = words(&[movz_w(8, 7), str_w(8, 0, g), udf(TrapCode::Unreachable)]);
    // ldr w8, [x0, #g] ; str w8, [x1] ; ret
    let peek = words(&[ldr_w(8, 0, g), 0xb900_0028, 0xd65f_03c0]);
    let m = a64(
        info,
        vec![
            trapping("poke", FunctionKind::ArrayEntry(0), &poke, &[(8, TrapCode::Unreachable)]),
            piece("peek", FunctionKind::ArrayEntry(1), &peek),
        ],
    );
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    assert_eq!(exec.global(id, "g").unwrap(), Value::I32(1));
    assert_eq!(returned(exec.call(id, "peek", &[]).unwrap()), vec![Value::I32(1)]);
    let trap = trapped(exec.call(id, "poke", &[]).unwrap());
    assert_eq!((trap.code, trap.offset, trap.function.as_deref()), (TrapCode::Unreachable, 8, Some("poke")));
    assert_eq!(returned(exec.call(id, "peek", &[]).unwrap()), vec![Value::I32(7)]);
    assert_eq!(exec.global(id, "g").unwrap(), Value::I32(7));
}

#[test]
fn a_wild_load_is_a_sandbox_escape_and_the_executor_goes_on() {
    let m = retarget(entries(
        vec![sig(&[], &[ValType::I64]), sig(&[], &[ValType::I32])],
        vec![
            (0, piece("wild", FunctionKind::ArrayEntry(0), &words(&WILD_LOAD))),
            (1, piece("ret42", FunctionKind::ArrayEntry(1), &words(&RET_42))),
        ],
    ));
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    for _ in 0..2 {
        let err = exec.call(id, "wild", &[]).unwrap_err();
        let EmuError::Crashed(report) = &err else { panic!("expected a crash, got {err}") };
        assert!(report.starts_with("sandbox escape: read of address 0x12340000 at pc 0x"), "{report}");
        assert!(report.contains("(code offset 0x4 in wild)"), "{report}");
        assert_eq!(returned(exec.call(id, "ret42", &[]).unwrap()), vec![Value::I32(42)]);
    }
}

#[test]
fn protected_accesses_are_escapes_too() {
    let m = retarget(entries(
        vec![sig(&[], &[])],
        vec![
            (0, piece("jump", FunctionKind::ArrayEntry(0), &words(&JUMP_TO_VMCTX))),
            (0, piece("scribble", FunctionKind::ArrayEntry(1), &words(&WRITE_OWN_CODE))),
        ],
    ));
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    let err = exec.call(id, "jump", &[]).unwrap_err();
    let EmuError::Crashed(report) = &err else { panic!("expected a crash, got {err}") };
    assert!(report.starts_with("sandbox escape: fetch of address 0x"), "{report}");
    assert!(report.contains("outside generated code") && report.contains("does not allow a fetch"), "{report}");
    let err = exec.call(id, "scribble", &[]).unwrap_err();
    let EmuError::Crashed(report) = &err else { panic!("expected a crash, got {err}") };
    assert!(report.starts_with("sandbox escape: write of address 0x"), "{report}");
    assert!(report.contains("code offset 0x8 in scribble") && report.contains("does not allow a write"), "{report}");
}

#[test]
fn runaway_code_exhausts_the_budget_or_the_timeout() {
    let m = retarget(entries(
        vec![sig(&[], &[]), sig(&[], &[ValType::I32])],
        vec![
            (0, piece("spin", FunctionKind::ArrayEntry(0), &words(&SPIN))),
            (1, piece("ret42", FunctionKind::ArrayEntry(1), &words(&RET_42))),
        ],
    ));
    let mut exec = UnicornExecutor::new().unwrap();
    exec.set_instruction_budget(Some(100_000));
    let id = exec.instantiate(m).unwrap();
    let err = exec.call(id, "spin", &[]).unwrap_err();
    let EmuError::Crashed(report) = &err else { panic!("expected a crash, got {err}") };
    assert!(report.starts_with("instruction budget exhausted: 100000 instructions"), "{report}");
    assert!(report.contains("code offset 0x0 in spin"), "{report}");
    assert_eq!(returned(exec.call(id, "ret42", &[]).unwrap()), vec![Value::I32(42)]);

    exec.set_instruction_budget(None);
    exec.set_timeout(Some(Duration::from_millis(50)));
    let started = Instant::now();
    let err = exec.call(id, "spin", &[]).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(matches!(&err, EmuError::Crashed(report) if report.starts_with("timeout")), "{err}");
    assert_eq!(returned(exec.call(id, "ret42", &[]).unwrap()), vec![Value::I32(42)]);
}

#[test]
fn the_stack_is_bounded_by_the_limit_and_the_guard() {
    let info = ModuleInfo {
        types: vec![sig(&[], &[]), sig(&[], &[ValType::I32])],
        functions: vec![0, 0, 1],
        exports: vec![
            export("checked", ExportKind::Func(0)),
            export("unchecked", ExportKind::Func(1)),
            export("ret42", ExportKind::Func(2)),
        ],
        ..ModuleInfo::default()
    };
    let m = a64(
        info,
        vec![
            piece("entry:checked", FunctionKind::ArrayEntry(0), &words(&ENTRY_CALLING_NEXT)),
            trapping("checked", FunctionKind::Wasm(0), &words(&RECURSE_WITH_LIMIT), &[(0x20, TrapCode::StackOverflow)]),
            piece("entry:unchecked", FunctionKind::ArrayEntry(1), &words(&ENTRY_CALLING_NEXT)),
            piece("unchecked", FunctionKind::Wasm(1), &words(&RECURSE_FOREVER)),
            piece("ret42", FunctionKind::ArrayEntry(2), &words(&RET_42)),
        ],
    );
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    for _ in 0..2 {
        let trap = trapped(exec.call(id, "checked", &[]).unwrap());
        assert_eq!(trap, Trap { code: TrapCode::StackOverflow, offset: 16 + 0x20, function: Some("checked".into()) });
    }
    let err = exec.call(id, "unchecked", &[]).unwrap_err();
    let EmuError::Crashed(report) = &err else { panic!("expected a crash, got {err}") };
    assert!(report.starts_with("sandbox escape: write of address 0xff"), "{report}");
    assert!(report.contains("in unchecked") && report.contains("Wasm stack guard"), "{report}");
    assert_eq!(returned(exec.call(id, "ret42", &[]).unwrap()), vec![Value::I32(42)]);
}

/// The host-call trampoline for an `(i32) -> ()` import: spills the
/// argument to a slot on the stack and calls the dispatcher.
///   stp x29, x30, [sp, #-32]! ; mov x29, sp ; mov w9, w1 ; str x9, [sp, #16]
///   ldr x9, [x0, #16] ; mov w1, #<import> ; add x2, sp, #16 ; blr x9
///   cbnz w0, trap ; ldp x29, x30, [sp], #32 ; ret ; trap: udf #10     (udf at 0x2c)
fn host_call_i32(import_index: u16) -> Vec<u8> {
    words(&[
        0xa9be_7bfd,
        0x9100_03fd,
        0x2a01_03e9,
        0xf900_0be9,
        ldr_x(9, 0, VMOffsets::HOST_DISPATCH),
        movz_w(1, import_index),
        0x9100_43e2,
        0xd63f_0120,
        0x3500_0060,
        0xa8c2_7bfd,
        0xd65f_03c0,
        udf(TrapCode::HostError),
    ])
}
const HOST_CALL_TRAP_AT: u32 = 0x2c;

/// Entry trampoline calling imported function 0 with the i32 in slot 0:
///   stp x29, x30, [sp, #-16]! ; ldr w1, [x1] ; ldr x9, [x0, #32] ; ldr x0, [x0, #40]
///   blr x9 ; ldp x29, x30, [sp], #16 ; ret
const ENTRY_CALLING_IMPORT_I32: [u32; 7] =
    [0xa9bf_7bfd, 0xb940_0021, 0xf940_1009, 0xf940_1400, 0xd63f_0120, 0xa8c1_7bfd, 0xd65f_03c0];
/// Entry trampoline calling imported function 0 `(i64) -> i64`:
///   stp x29, x30, [sp, #-32]! ; str x19, [sp, #16] ; mov x19, x1 ; ldr x1, [x19]
///   ldr x9, [x0, #32] ; ldr x0, [x0, #40] ; blr x9 ; str x0, [x19]
///   ldr x19, [sp, #16] ; ldp x29, x30, [sp], #32 ; ret
const ENTRY_CALLING_IMPORT_I64: [u32; 11] = [
    0xa9be_7bfd,
    0xf900_0bf3,
    0xaa01_03f3,
    0xf940_0261,
    0xf940_1009,
    0xf940_1400,
    0xd63f_0120,
    0xf900_0260,
    0xf940_0bf3,
    0xa8c2_7bfd,
    0xd65f_03c0,
];

/// `(i32) -> ()` module importing `spectest.print_i32`, exporting `run`.
fn print_module(host_call: Vec<u8>) -> Arc<CompiledModule> {
    let info = ModuleInfo {
        types: vec![sig(&[ValType::I32], &[])],
        imports: vec![import("spectest", "print_i32", ImportKind::Func(0))],
        functions: vec![0, 0],
        num_imported_functions: 1,
        exports: vec![export("run", ExportKind::Func(1)), export("print", ExportKind::Func(0))],
        ..ModuleInfo::default()
    };
    assert_eq!((info.vm_offsets().imported_function_code(0), info.vm_offsets().imported_function_vmctx(0)), (32, 40));
    a64(
        info,
        vec![
            piece("entry:run", FunctionKind::ArrayEntry(1), &words(&ENTRY_CALLING_IMPORT_I32)),
            trapping("host_call:0", FunctionKind::HostCall(0), &host_call, &[(HOST_CALL_TRAP_AT, TrapCode::HostError)]),
        ],
    )
}

#[test]
fn host_calls_reach_spectest() {
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(print_module(host_call_i32(0))).unwrap();
    assert_eq!(returned(exec.call(id, "run", &[Value::I32(42)]).unwrap()), vec![]);
    assert_eq!(returned(exec.call(id, "run", &[Value::I32(-7)]).unwrap()), vec![]);
    assert_eq!(
        exec.take_host_calls(),
        vec![
            HostCall { function: HostFunc::PrintI32, args: vec![Value::I32(42)] },
            HostCall { function: HostFunc::PrintI32, args: vec![Value::I32(-7)] },
        ]
    );
    assert_eq!(exec.take_host_calls(), vec![]);
    // The re-exported import has no entry trampoline: the executor calls
    // the host function directly.
    assert_eq!(returned(exec.call(id, "print", &[Value::I32(3)]).unwrap()), vec![]);
    assert_eq!(exec.take_host_calls(), vec![HostCall { function: HostFunc::PrintI32, args: vec![Value::I32(3)] }]);
}

#[test]
fn a_failing_host_call_traps_with_host_error() {
    let mut exec = UnicornExecutor::new().unwrap();
    // The trampoline names import 5, which does not exist.
    let id = exec.instantiate(print_module(host_call_i32(5))).unwrap();
    let trap = trapped(exec.call(id, "run", &[Value::I32(1)]).unwrap());
    assert_eq!((trap.code, trap.function.as_deref()), (TrapCode::HostError, Some("host_call:0")));
    assert_eq!(exec.take_host_calls(), vec![]);
}

#[test]
fn imports_are_checked() {
    let mut exec = UnicornExecutor::new().unwrap();
    let mut wrong_type = (*print_module(host_call_i32(0))).clone();
    wrong_type.info.types[0] = sig(&[ValType::I64], &[]);
    let err = exec.instantiate(Arc::new(wrong_type)).unwrap_err();
    assert!(
        matches!(&err, EmuError::Link(m) if m.contains("incompatible import type for spectest.print_i32")),
        "{err}"
    );
    let memory = |min, max| ModuleInfo {
        imports: vec![import("spectest", "memory", ImportKind::Memory(MemoryType { min_pages: min, max_pages: max }))],
        memories: vec![MemoryType { min_pages: min, max_pages: max }],
        memory_imported: true,
        ..ModuleInfo::default()
    };
    assert!(exec.instantiate(a64(memory(1, Some(2)), vec![])).is_ok());
    assert!(matches!(exec.instantiate(a64(memory(2, None), vec![])), Err(EmuError::Link(_))));
    let global = |ty| ModuleInfo {
        imports: vec![import("spectest", "global_i32", ImportKind::Global(ty))],
        imported_globals: vec![ty],
        exports: vec![export("g", ExportKind::Global(0))],
        ..ModuleInfo::default()
    };
    let id = exec.instantiate(a64(global(GlobalType { ty: ValType::I32, mutable: false }), vec![])).unwrap();
    assert_eq!(exec.global(id, "g").unwrap(), Value::I32(666));
    let err = exec.instantiate(a64(global(GlobalType { ty: ValType::I32, mutable: true }), vec![])).unwrap_err();
    assert!(matches!(&err, EmuError::Link(m) if m.contains("spectest.global_i32")), "{err}");
}

/// A module with one page of memory, a data segment at 8, and `store`,
/// `len` and `poke_past_end` functions.
fn memory_module(past_end_is_trap_site: bool) -> Arc<CompiledModule> {
    let info = ModuleInfo {
        types: vec![sig(&[], &[]), sig(&[], &[ValType::I64])],
        functions: vec![0, 1, 0],
        memories: vec![MemoryType { min_pages: 1, max_pages: Some(3) }],
        data: vec![DataSegment { active: Some((0, ConstExpr::I32(8))), bytes: vec![1, 2, 3, 4] }],
        exports: vec![
            export("store", ExportKind::Func(0)),
            export("len", ExportKind::Func(1)),
            export("poke_past_end", ExportKind::Func(2)),
            export("mem", ExportKind::Memory(0)),
        ],
        ..ModuleInfo::default()
    };
    // ldr x8, [x0] ; ldr x8, [x8] ; mov w9, #0x3344 ; movk w9, #0x1122, lsl #16 ; str w9, [x8, #16] ; ret
    let store = words(&[0xf940_0008, 0xf940_0108, 0x5286_6889, 0x72a2_2449, 0xb900_1109, 0xd65f_03c0]);
    // ldr x8, [x0] ; ldr x8, [x8, #8] ; str x8, [x1] ; ret
    let len = words(&[0xf940_0008, 0xf940_0508, 0xf900_0028, 0xd65f_03c0]);
    // ldr x8, [x0] ; ldr x8, [x8] ; add x8, x8, #0x10, lsl #12 ; str w9, [x8] ; ret   (str at 0xc)
    let poke = words(&[0xf940_0008, 0xf940_0108, 0x9140_4108, 0xb900_0109, 0xd65f_03c0]);
    let traps: &[(u32, TrapCode)] = if past_end_is_trap_site { &[(0xc, TrapCode::MemoryOutOfBounds)] } else { &[] };
    a64(
        info,
        vec![
            piece("store", FunctionKind::ArrayEntry(0), &store),
            piece("len", FunctionKind::ArrayEntry(1), &len),
            trapping("poke_past_end", FunctionKind::ArrayEntry(2), &poke, traps),
        ],
    )
}

#[test]
fn memory_data_segments_and_stores() {
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(memory_module(false)).unwrap();
    let bytes = exec.memory(id, "mem").unwrap();
    assert_eq!(bytes.len() as u64, WASM_PAGE_SIZE);
    assert_eq!(&bytes[4..20], &[0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(returned(exec.call(id, "len", &[]).unwrap()), vec![Value::I64(WASM_PAGE_SIZE as i64)]);
    returned(exec.call(id, "store", &[]).unwrap());
    let bytes = exec.memory(id, "mem").unwrap();
    assert_eq!(&bytes[8..20], &[1, 2, 3, 4, 0, 0, 0, 0, 0x44, 0x33, 0x22, 0x11]);
    // Past the mapped pages of the window: not mapped, so an escape ...
    let err = exec.call(id, "poke_past_end", &[]).unwrap_err();
    let EmuError::Crashed(report) = &err else { panic!("expected a crash, got {err}") };
    assert!(report.starts_with("sandbox escape: write of address 0x10200010000 at pc"), "{report}");
    // ... unless the faulting instruction is a trap site (a guard-page bounds check).
    let id = exec.instantiate(memory_module(true)).unwrap();
    let trap = trapped(exec.call(id, "poke_past_end", &[]).unwrap());
    assert_eq!((trap.code, trap.function.as_deref()), (TrapCode::MemoryOutOfBounds, Some("poke_past_end")));
}

/// An entry trampoline that passes its own value slots to builtin `index`
/// and traps with `MemoryOutOfBounds` when the builtin fails:
///   stp x29, x30, [sp, #-16]! ; ldr x9, [x0, #16] ; mov x2, x1 ; mov w1, #0xffff0000
///   movk w1, #<index> ; blr x9 ; cbnz w0, trap ; ldp x29, x30, [sp], #16 ; ret
///   trap: udf #2                                                (udf at 0x24)
fn builtin_entry(index: u16) -> Vec<u8> {
    words(&[
        0xa9bf_7bfd,
        ldr_x(9, 0, VMOffsets::HOST_DISPATCH),
        0xaa01_03e2,
        0x52bf_ffe1,
        movk_w(1, index),
        0xd63f_0120,
        0x3500_0060,
        0xa8c1_7bfd,
        0xd65f_03c0,
        udf(TrapCode::MemoryOutOfBounds),
    ])
}

#[test]
fn builtins_grow_and_fill_memory() {
    let info = ModuleInfo {
        types: vec![sig(&[ValType::I32], &[ValType::I32]), sig(&[ValType::I32, ValType::I32, ValType::I32], &[])],
        functions: vec![0, 1],
        memories: vec![MemoryType { min_pages: 1, max_pages: Some(2) }],
        exports: vec![
            export("grow", ExportKind::Func(0)),
            export("fill", ExportKind::Func(1)),
            export("mem", ExportKind::Memory(0)),
        ],
        ..ModuleInfo::default()
    };
    let traps = [(0x24, TrapCode::MemoryOutOfBounds)];
    let m = a64(
        info,
        vec![
            trapping("grow", FunctionKind::ArrayEntry(0), &builtin_entry(0), &traps),
            trapping("fill", FunctionKind::ArrayEntry(1), &builtin_entry(1), &traps),
        ],
    );
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    assert_eq!(returned(exec.call(id, "grow", &[Value::I32(1)]).unwrap()), vec![Value::I32(1)]);
    assert_eq!(returned(exec.call(id, "grow", &[Value::I32(1)]).unwrap()), vec![Value::I32(-1)]);
    assert_eq!(exec.memory(id, "mem").unwrap().len() as u64, 2 * WASM_PAGE_SIZE);
    // The new page is mapped: filling across the boundary works.
    let fill = [Value::I32(0xfffe), Value::I32(0x5a), Value::I32(4)];
    assert_eq!(returned(exec.call(id, "fill", &fill).unwrap()), vec![]);
    assert_eq!(&exec.memory(id, "mem").unwrap()[0xfffd..0x10003], &[0, 0x5a, 0x5a, 0x5a, 0x5a, 0]);
    let fill = [Value::I32(0x1_fffe), Value::I32(1), Value::I32(3)];
    let trap = trapped(exec.call(id, "fill", &fill).unwrap());
    assert_eq!((trap.code, trap.function.as_deref()), (TrapCode::MemoryOutOfBounds, Some("fill")));
    assert_eq!(exec.memory(id, "mem").unwrap()[0x1_fffe], 0);
}

#[test]
fn tables_hold_funcrefs_from_element_segments() {
    let info = ModuleInfo {
        types: vec![sig(&[ValType::I32], &[ValType::I32]), sig(&[], &[ValType::I32])],
        functions: vec![0, 1, 1],
        tables: vec![TableType { element: ValType::FuncRef, min: 2, max: None }],
        table_inits: vec![ConstExpr::RefNull],
        elements: vec![ElementSegment {
            mode: ElementMode::Active { table: 0, offset: ConstExpr::I32(0) },
            element: ValType::FuncRef,
            items: vec![ConstExpr::RefFunc(2), ConstExpr::RefFunc(1)],
        }],
        globals: vec![GlobalDef {
            ty: GlobalType { ty: ValType::FuncRef, mutable: false },
            init: ConstExpr::RefFunc(1),
        }],
        exports: vec![export("call", ExportKind::Func(0)), export("f", ExportKind::Global(0))],
        ..ModuleInfo::default()
    };
    let offsets = info.vm_offsets();
    // stp x29, x30, [sp, #-32]! ; str x19, [sp, #16] ; mov x19, x1 ; ldr w10, [x19]
    // ldr x8, [x0, #table0] ; ldr x9, [x8] ; ldr x11, [x9, x10, lsl #3] ; ldr x12, [x11]
    // ldr x0, [x11, #16] ; blr x12 ; str w0, [x19] ; ldr x19, [sp, #16] ; ldp x29, x30, [sp], #32 ; ret
    let call = words(&[
        0xa9be_7bfd,
        0xf900_0bf3,
        0xaa01_03f3,
        0xb940_026a,
        ldr_x(8, 0, offsets.table_pointer(0)),
        0xf940_0109,
        0xf86a_792b,
        0xf940_016c,
        ldr_x(0, 11, VMOffsets::FUNCREF_VMCTX),
        0xd63f_0180,
        0xb900_0260,
        0xf940_0bf3,
        0xa8c2_7bfd,
        0xd65f_03c0,
    ]);
    let m = a64(
        info,
        vec![
            piece("call", FunctionKind::ArrayEntry(0), &call),
            // mov w0, #11 ; ret
            piece("eleven", FunctionKind::Wasm(1), &words(&[0x5280_0160, 0xd65f_03c0])),
            // mov w0, #22 ; ret
            piece("twenty_two", FunctionKind::Wasm(2), &words(&[0x5280_02c0, 0xd65f_03c0])),
        ],
    );
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    assert_eq!(returned(exec.call(id, "call", &[Value::I32(0)]).unwrap()), vec![Value::I32(22)]);
    assert_eq!(returned(exec.call(id, "call", &[Value::I32(1)]).unwrap()), vec![Value::I32(11)]);
    assert!(matches!(exec.global(id, "f").unwrap(), Value::FuncRef(Some(address)) if address > 0x1000_0000));
    // Element 2 is past the table: it reads as 0, and following it is a null dereference.
    let err = exec.call(id, "call", &[Value::I32(2)]).unwrap_err();
    assert!(matches!(&err, EmuError::Crashed(r) if r.starts_with("sandbox escape: read of address 0x0 ")), "{err}");
}

#[test]
fn registered_exports_link_across_instances() {
    let i64_to_i64 = sig(&[ValType::I64], &[ValType::I64]);
    // Instance A: global g = 100, function addg(x) = g + x (Wasm convention).
    let a = ModuleInfo {
        types: vec![i64_to_i64.clone()],
        functions: vec![0],
        globals: vec![GlobalDef { ty: GlobalType { ty: ValType::I64, mutable: false }, init: ConstExpr::I64(100) }],
        exports: vec![export("addg", ExportKind::Func(0)), export("g", ExportKind::Global(0))],
        ..ModuleInfo::default()
    };
    let g = a.vm_offsets().defined_global(0);
    // ldr x8, [x0, #g] ; add x0, x8, x1 ; ret
    let addg = piece("addg", FunctionKind::Wasm(0), &words(&[ldr_x(8, 0, g), 0x8b01_0100, 0xd65f_03c0]));
    // Its entry trampoline does the same on the slots:
    // ldr x8, [x0, #g] ; ldr x9, [x1] ; add x8, x8, x9 ; str x8, [x1] ; ret
    let addg_entry = piece(
        "entry:addg",
        FunctionKind::ArrayEntry(0),
        &words(&[ldr_x(8, 0, g), 0xf940_0029, 0x8b09_0108, 0xf900_0028, 0xd65f_03c0]),
    );
    // Instances B and C import `addg` from the module registered before
    // them, call it, and re-export the import.
    let importer = |from: &str| {
        let info = ModuleInfo {
            types: vec![i64_to_i64.clone()],
            imports: vec![import(from, "addg", ImportKind::Func(0))],
            functions: vec![0, 0],
            num_imported_functions: 1,
            exports: vec![export("run", ExportKind::Func(1)), export("addg", ExportKind::Func(0))],
            ..ModuleInfo::default()
        };
        a64(info, vec![piece("entry:run", FunctionKind::ArrayEntry(1), &words(&ENTRY_CALLING_IMPORT_I64))])
    };
    let mut exec = UnicornExecutor::new().unwrap();
    let a = exec.instantiate(a64(a, vec![addg, addg_entry])).unwrap();
    exec.register("a", a).unwrap();
    let b = exec.instantiate(importer("a")).unwrap();
    exec.register("b", b).unwrap();
    let c = exec.instantiate(importer("b")).unwrap();
    assert_eq!(returned(exec.call(b, "run", &[Value::I64(5)]).unwrap()), vec![Value::I64(105)]);
    assert_eq!(returned(exec.call(c, "run", &[Value::I64(-100)]).unwrap()), vec![Value::I64(0)]);
    // Calling the re-exported import from outside runs A's function with
    // A's VM context.
    assert_eq!(returned(exec.call(c, "addg", &[Value::I64(1)]).unwrap()), vec![Value::I64(101)]);
    let err = exec.instantiate(importer("nowhere")).unwrap_err();
    assert!(matches!(&err, EmuError::Link(m) if m.contains("nowhere.addg")), "{err}");
}

#[test]
fn the_start_function_runs_and_may_trap() {
    let info = |start_code: &[u8]| {
        let info = ModuleInfo {
            types: vec![sig(&[], &[])],
            functions: vec![0],
            globals: vec![GlobalDef { ty: GlobalType { ty: ValType::I32, mutable: true }, init: ConstExpr::I32(0) }],
            exports: vec![export("g", ExportKind::Global(0))],
            start: Some(0),
            ..ModuleInfo::default()
        };
        a64(info, vec![trapping("start", FunctionKind::ArrayEntry(0), start_code, &[(0, TrapCode::Unreachable)])])
    };
    let g = info(&[]).info.vm_offsets().defined_global(0);
    let mut exec = UnicornExecutor::new().unwrap();
    // mov w8, #5 ; str w8, [x0, #g] ; ret
    let id = exec.instantiate(info(&words(&[movz_w(8, 5), str_w(8, 0, g), 0xd65f_03c0]))).unwrap();
    assert_eq!(exec.global(id, "g").unwrap(), Value::I32(5));
    let err = exec.instantiate(info(&words(&[udf(TrapCode::Unreachable)]))).unwrap_err();
    assert!(
        matches!(&err, EmuError::InstantiationTrap(t) if t.code == TrapCode::Unreachable && t.function.as_deref() == Some("start")),
        "{err}"
    );
    assert_eq!(exec.global(id, "g").unwrap(), Value::I32(5));
}

#[test]
fn small_calls_are_cheap() {
    let mut exec = UnicornExecutor::new().unwrap();
    let id = exec.instantiate(add_and_ret42()).unwrap();
    let calls = 20_000;
    let started = Instant::now();
    for i in 0..calls {
        let sum = exec.call(id, "add", &[Value::I64(i), Value::I64(1)]).unwrap();
        assert_eq!(returned(sum), vec![Value::I64(i + 1)]);
    }
    let rate = calls as f64 / started.elapsed().as_secs_f64();
    println!("unicorn executor: {rate:.0} small calls per second");
    assert!(rate > 2_000.0, "{rate:.0} calls per second");
}
