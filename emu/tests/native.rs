//! Tests of the native executor with hand-assembled x86-64 modules: calls,
//! traps, crashes, timeouts.
//!
//! The compiler is not involved: every `CompiledModule` here is built from
//! machine code written out byte by byte (each snippet is shown in Intel
//! syntax next to its bytes; they were checked with GNU `as`/`objdump`).
//! Functions follow the runtime contract in `compiler::runtime`: array entry
//! trampolines receive `vmctx` in rdi and the value slots in rsi; Wasm
//! functions receive `vmctx` in rdi and their parameters after it.

mod common;

use common::*;
use compiler::module::{ConstExpr, ExportKind, FunctionKind, GlobalDef, GlobalType, ModuleInfo, Target, ValType};
use compiler::runtime::{TrapCode, VMOffsets};
use emu::native::NativeExecutor;
use emu::{EmuError, Executor, Trap, Value};
use std::sync::Arc;
use std::time::Duration;

// mov rax, [rsi] ; add rax, [rsi+8] ; mov [rsi], rax ; ret
const ADD_I64: &[u8] = &[0x48, 0x8B, 0x06, 0x48, 0x03, 0x46, 0x08, 0x48, 0x89, 0x06, 0xC3];
// xor eax, eax ; mov rax, [rax] ; ret
const LOAD_NULL: &[u8] = &[0x31, 0xC0, 0x48, 0x8B, 0x00, 0xC3];
// mov dword ptr [rdi+0x60], 7 ; ud2        (ud2 at 7)
const SET_GLOBAL_THEN_TRAP: &[u8] = &[0xC7, 0x47, 0x60, 0x07, 0x00, 0x00, 0x00, 0x0F, 0x0B];
// mov eax, [rdi+0x60] ; mov [rsi], eax ; ret
const GET_GLOBAL: &[u8] = &[0x8B, 0x47, 0x60, 0x89, 0x06, 0xC3];
// push rbx ; call +2 (the function right after these 8 bytes) ; pop rbx ; ret
const ENTRY_CALLING_NEXT: &[u8] = &[0x53, 0xE8, 0x02, 0x00, 0x00, 0x00, 0x5B, 0xC3];
// f: call f
const RECURSE_FOREVER: &[u8] = &[0xE8, 0xFB, 0xFF, 0xFF, 0xFF];
// f: cmp rsp, [rdi+8] ; jb trap ; call f ; ret ; trap: ud2       (ud2 at 12)
const RECURSE_WITH_LIMIT: &[u8] = &[0x48, 0x3B, 0x67, 0x08, 0x72, 0x06, 0xE8, 0xF5, 0xFF, 0xFF, 0xFF, 0xC3, 0x0F, 0x0B];
// xor ecx, ecx ; div ecx                   (div at 2)
const DIVIDE_BY_ZERO: &[u8] = &[0x31, 0xC9, 0xF7, 0xF1];
// jmp $
const SPIN: &[u8] = &[0xEB, 0xFE];

#[test]
fn returns_a_constant_and_adds_two_i64() {
    let types = vec![sig(&[], &[ValType::I32]), sig(&[ValType::I64, ValType::I64], &[ValType::I64])];
    let m = entries(
        types,
        vec![
            (0, piece("ret42", FunctionKind::ArrayEntry(0), RET_42)),
            (1, piece("add", FunctionKind::ArrayEntry(1), ADD_I64)),
        ],
    );
    let mut exec = NativeExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    assert_eq!(returned(exec.call(id, "ret42", &[]).unwrap()), vec![Value::I32(42)]);
    let sum = exec.call(id, "add", &[Value::I64(40), Value::I64(-2)]).unwrap();
    assert_eq!(returned(sum), vec![Value::I64(38)]);
    let big = exec.call(id, "add", &[Value::I64(i64::MAX), Value::I64(1)]).unwrap();
    assert_eq!(returned(big), vec![Value::I64(i64::MIN)]);
}

#[test]
fn bad_calls_are_reported_without_running_code() {
    let m = entries(
        vec![sig(&[ValType::I64, ValType::I64], &[ValType::I64])],
        vec![(0, piece("add", FunctionKind::ArrayEntry(0), ADD_I64))],
    );
    let mut exec = NativeExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    assert!(matches!(exec.call(id, "add", &[Value::I64(1)]), Err(EmuError::BadArguments(_))));
    let err = exec.call(id, "add", &[Value::I64(1), Value::I32(2)]).unwrap_err();
    assert!(matches!(&err, EmuError::BadArguments(m) if m.contains("argument 1")), "{err}");
    assert!(matches!(exec.call(id, "nope", &[]), Err(EmuError::NoSuchExport { kind: "function", .. })));
    assert!(matches!(exec.global(id, "add"), Err(EmuError::NoSuchExport { kind: "global", .. })));
    assert!(matches!(exec.memory(id, "add"), Err(EmuError::NoSuchExport { kind: "memory", .. })));
    assert!(matches!(exec.call(emu::InstanceId(7), "add", &[]), Err(EmuError::BadArguments(_))));
    // The executor is still healthy.
    assert_eq!(returned(exec.call(id, "add", &[Value::I64(1), Value::I64(2)]).unwrap()), vec![Value::I64(3)]);
}

#[test]
fn wrong_target_is_refused() {
    let mut m =
        (*entries(vec![sig(&[], &[ValType::I32])], vec![(0, piece("ret42", FunctionKind::ArrayEntry(0), RET_42))]))
            .clone();
    m.target = Target::Aarch64;
    let mut exec = NativeExecutor::new().unwrap();
    let err = exec.instantiate(Arc::new(m)).unwrap_err();
    assert!(matches!(err, EmuError::WrongTarget { module: Target::Aarch64, executor: Target::X86_64 }), "{err}");
}

#[test]
fn a_trap_site_reports_its_code_and_function() {
    let m = entries(
        vec![sig(&[], &[])],
        vec![(0, trapping("divide", FunctionKind::ArrayEntry(0), UD2, &[(0, TrapCode::IntegerDivisionByZero)]))],
    );
    let mut exec = NativeExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    let trap = trapped(exec.call(id, "divide", &[]).unwrap());
    assert_eq!(trap, Trap { code: TrapCode::IntegerDivisionByZero, offset: 0, function: Some("divide".to_string()) });
    // Trapping again works too: the landing pad restored everything.
    assert_eq!(trapped(exec.call(id, "divide", &[]).unwrap()).code, TrapCode::IntegerDivisionByZero);
}

#[test]
fn a_hardware_fault_at_a_trap_site_is_a_trap() {
    let m = entries(
        vec![sig(&[], &[ValType::I32]), sig(&[], &[])],
        vec![
            (0, piece("ret42", FunctionKind::ArrayEntry(0), RET_42)),
            (1, trapping("div", FunctionKind::ArrayEntry(1), DIVIDE_BY_ZERO, &[(2, TrapCode::IntegerDivisionByZero)])),
        ],
    );
    let mut exec = NativeExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    let trap = trapped(exec.call(id, "div", &[]).unwrap());
    assert_eq!((trap.code, trap.offset), (TrapCode::IntegerDivisionByZero, RET_42.len() as u32 + 2));
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
    // After the header (32 bytes), 2 type ids (16) and 2 funcrefs (48).
    assert_eq!(info.vm_offsets().defined_global(0), 0x60);
    let m = module(
        info,
        vec![
            trapping("poke", FunctionKind::ArrayEntry(0), SET_GLOBAL_THEN_TRAP, &[(7, TrapCode::Unreachable)]),
            piece("peek", FunctionKind::ArrayEntry(1), GET_GLOBAL),
        ],
    );
    let mut exec = NativeExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    assert_eq!(exec.global(id, "g").unwrap(), Value::I32(1));
    assert_eq!(returned(exec.call(id, "peek", &[]).unwrap()), vec![Value::I32(1)]);
    let trap = trapped(exec.call(id, "poke", &[]).unwrap());
    assert_eq!((trap.code, trap.offset, trap.function.as_deref()), (TrapCode::Unreachable, 7, Some("poke")));
    assert_eq!(returned(exec.call(id, "peek", &[]).unwrap()), vec![Value::I32(7)]);
    assert_eq!(exec.global(id, "g").unwrap(), Value::I32(7));
}

#[test]
fn a_wild_load_crashes_the_child_only() {
    let m = entries(
        vec![sig(&[], &[ValType::I64]), sig(&[], &[ValType::I32])],
        vec![
            (0, piece("wild", FunctionKind::ArrayEntry(0), LOAD_NULL)),
            (1, piece("ret42", FunctionKind::ArrayEntry(1), RET_42)),
        ],
    );
    let mut exec = NativeExecutor::new().unwrap();
    let id = exec.instantiate(m.clone()).unwrap();
    let err = exec.call(id, "wild", &[]).unwrap_err();
    let EmuError::Crashed(report) = &err else { panic!("expected a crash, got {err}") };
    assert!(report.contains("SIGSEGV"), "{report}");
    assert!(report.contains("fault address 0x0"), "{report}");
    assert!(report.contains("code offset 0x2 in wild"), "{report}");
    // The executor is dead from now on ...
    assert!(matches!(exec.call(id, "ret42", &[]), Err(EmuError::Crashed(_))));
    assert!(matches!(exec.instantiate(m.clone()), Err(EmuError::Crashed(_))));
    // ... but the process is fine and a new executor works.
    let mut fresh = NativeExecutor::new().unwrap();
    let id = fresh.instantiate(m).unwrap();
    assert_eq!(returned(fresh.call(id, "ret42", &[]).unwrap()), vec![Value::I32(42)]);
}

#[test]
fn unchecked_deep_recursion_is_a_crash_not_a_hang() {
    let info = ModuleInfo {
        types: vec![sig(&[], &[])],
        functions: vec![0],
        exports: vec![export("recurse", ExportKind::Func(0))],
        ..ModuleInfo::default()
    };
    let m = module(
        info,
        vec![
            piece("entry:recurse", FunctionKind::ArrayEntry(0), ENTRY_CALLING_NEXT),
            piece("recurse", FunctionKind::Wasm(0), RECURSE_FOREVER),
        ],
    );
    let mut exec = NativeExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    let err = exec.call(id, "recurse", &[]).unwrap_err();
    let EmuError::Crashed(report) = &err else { panic!("expected a crash, got {err}") };
    assert!(report.contains("guard"), "{report}");
    assert!(report.contains("in recurse"), "{report}");
}

#[test]
fn the_stack_limit_check_traps_with_stack_overflow() {
    let info = ModuleInfo {
        types: vec![sig(&[], &[]), sig(&[], &[ValType::I32])],
        functions: vec![0, 1],
        exports: vec![export("recurse", ExportKind::Func(0)), export("ret42", ExportKind::Func(1))],
        ..ModuleInfo::default()
    };
    let m = module(
        info,
        vec![
            piece("entry:recurse", FunctionKind::ArrayEntry(0), ENTRY_CALLING_NEXT),
            trapping("recurse", FunctionKind::Wasm(0), RECURSE_WITH_LIMIT, &[(12, TrapCode::StackOverflow)]),
            piece("ret42", FunctionKind::ArrayEntry(1), RET_42),
        ],
    );
    let mut exec = NativeExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    for _ in 0..2 {
        let trap = trapped(exec.call(id, "recurse", &[]).unwrap());
        assert_eq!(trap, Trap { code: TrapCode::StackOverflow, offset: 8 + 12, function: Some("recurse".to_string()) });
    }
    assert_eq!(returned(exec.call(id, "ret42", &[]).unwrap()), vec![Value::I32(42)]);
}

#[test]
fn a_runaway_call_times_out() {
    let m = entries(vec![sig(&[], &[])], vec![(0, piece("spin", FunctionKind::ArrayEntry(0), SPIN))]);
    let mut exec = NativeExecutor::new().unwrap();
    exec.set_timeout(Some(Duration::from_millis(300)));
    let id = exec.instantiate(m).unwrap();
    let err = exec.call(id, "spin", &[]).unwrap_err();
    assert!(matches!(&err, EmuError::Crashed(report) if report.contains("timeout")), "{err}");
    assert_eq!(exec.child_pid(), None);
}

#[test]
fn executors_in_parallel_threads_are_independent() {
    let threads: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                let m = entries(
                    vec![sig(&[ValType::I64, ValType::I64], &[ValType::I64]), sig(&[], &[ValType::I64])],
                    vec![
                        (0, piece("add", FunctionKind::ArrayEntry(0), ADD_I64)),
                        (1, piece("wild", FunctionKind::ArrayEntry(1), LOAD_NULL)),
                    ],
                );
                let mut exec = NativeExecutor::new().unwrap();
                let id = exec.instantiate(m).unwrap();
                for j in 0..20 {
                    let sum = exec.call(id, "add", &[Value::I64(i), Value::I64(j)]).unwrap();
                    assert_eq!(returned(sum), vec![Value::I64(i + j)]);
                }
                if i % 2 == 1 {
                    assert!(matches!(exec.call(id, "wild", &[]), Err(EmuError::Crashed(_))));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn vmctx_layout_used_by_these_tests() {
    let offsets = VMOffsets {
        num_imported_functions: 1,
        num_imported_globals: 0,
        num_defined_globals: 0,
        num_tables: 0,
        num_types: 0,
        num_functions: 0,
    };
    assert_eq!(offsets.imported_function_code(0), 32);
    assert_eq!(offsets.imported_function_vmctx(0), 40);
    assert_eq!(VMOffsets::HOST_DISPATCH, 16);
    assert_eq!(VMOffsets::STACK_LIMIT, 8);
}
