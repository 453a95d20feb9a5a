//! Tests of the native executor's linking and instantiation with
//! hand-assembled x86-64 modules: spectest host calls and globals, import
//! checks, memories and data segments, start functions, registered
//! instances. See `native.rs` for how the modules are built.

mod common;

use common::*;
use compiler::module::{
    CompiledModule, ConstExpr, DataSegment, ExportKind, FunctionKind, GlobalDef, GlobalType, ImportKind, MemoryType,
    ModuleInfo, ValType,
};
use compiler::runtime::{TrapCode, WASM_PAGE_SIZE};
use emu::native::NativeExecutor;
use emu::spectest::{HostCall, HostFunc};
use emu::{EmuError, Executor, Value};
use std::sync::Arc;

/// The host-call trampoline for an `(i32) -> ()` import: spills the
/// argument to a slot on the stack and calls the dispatcher.
///   sub rsp, 24 ; mov esi, esi ; mov [rsp], rsi ; mov rax, [rdi+16] ; mov rdx, rsp
///   mov esi, <import> ; call rax ; test eax, eax ; jne trap ; add rsp, 24 ; ret
///   trap: ud2                                                 (ud2 at 0x21)
fn host_call_i32(import_index: u8) -> Vec<u8> {
    let mut bytes = vec![0x48, 0x83, 0xEC, 0x18, 0x89, 0xF6, 0x48, 0x89, 0x34, 0x24, 0x48, 0x8B, 0x47, 0x10];
    bytes.extend_from_slice(&[0x48, 0x89, 0xE2, 0xBE, import_index, 0x00, 0x00, 0x00, 0xFF, 0xD0, 0x85, 0xC0]);
    bytes.extend_from_slice(&[0x75, 0x05, 0x48, 0x83, 0xC4, 0x18, 0xC3, 0x0F, 0x0B]);
    bytes
}
const HOST_CALL_TRAP_AT: u32 = 0x21;

/// Entry trampoline calling imported function 0 with the i32 in slot 0:
///   push rbx ; mov rbx, rsi ; mov esi, [rbx] ; mov rax, [rdi+32] ; mov rdi, [rdi+40]
///   call rax ; pop rbx ; ret
const ENTRY_CALLING_IMPORT_I32: &[u8] =
    &[0x53, 0x48, 0x89, 0xF3, 0x8B, 0x33, 0x48, 0x8B, 0x47, 0x20, 0x48, 0x8B, 0x7F, 0x28, 0xFF, 0xD0, 0x5B, 0xC3];
/// Entry trampoline calling imported function 0 `(i64) -> i64`:
///   push rbx ; mov rbx, rsi ; mov rsi, [rbx] ; mov rax, [rdi+32] ; mov rdi, [rdi+40]
///   call rax ; mov [rbx], rax ; pop rbx ; ret
const ENTRY_CALLING_IMPORT_I64: &[u8] = &[
    0x53, 0x48, 0x89, 0xF3, 0x48, 0x8B, 0x33, 0x48, 0x8B, 0x47, 0x20, 0x48, 0x8B, 0x7F, 0x28, 0xFF, 0xD0, 0x48, 0x89,
    0x03, 0x5B, 0xC3,
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
    module(
        info,
        vec![
            piece("entry:run", FunctionKind::ArrayEntry(1), ENTRY_CALLING_IMPORT_I32),
            Piece {
                name: "host_call:0",
                kind: FunctionKind::HostCall(0),
                bytes: host_call,
                traps: vec![(HOST_CALL_TRAP_AT, TrapCode::HostError)],
            },
        ],
    )
}

#[test]
fn host_calls_reach_spectest() {
    let mut exec = NativeExecutor::new().unwrap();
    let id = exec.instantiate(print_module(host_call_i32(0))).unwrap();
    assert_eq!(returned(exec.call(id, "run", &[Value::I32(42)]).unwrap()), vec![]);
    assert_eq!(returned(exec.call(id, "run", &[Value::I32(-7)]).unwrap()), vec![]);
    let calls = exec.take_host_calls().unwrap();
    assert_eq!(
        calls,
        vec![
            HostCall { function: HostFunc::PrintI32, args: vec![Value::I32(42)] },
            HostCall { function: HostFunc::PrintI32, args: vec![Value::I32(-7)] },
        ]
    );
    assert_eq!(exec.take_host_calls().unwrap(), vec![]);
    // The re-exported import has no entry trampoline: the executor calls
    // the host function directly.
    assert_eq!(returned(exec.call(id, "print", &[Value::I32(3)]).unwrap()), vec![]);
    assert_eq!(
        exec.take_host_calls().unwrap(),
        vec![HostCall { function: HostFunc::PrintI32, args: vec![Value::I32(3)] }]
    );
}

#[test]
fn a_failing_host_call_traps_with_host_error() {
    let mut exec = NativeExecutor::new().unwrap();
    // The trampoline names import 5, which does not exist.
    let id = exec.instantiate(print_module(host_call_i32(5))).unwrap();
    let trap = trapped(exec.call(id, "run", &[Value::I32(1)]).unwrap());
    assert_eq!((trap.code, trap.function.as_deref()), (TrapCode::HostError, Some("host_call:0")));
    assert_eq!(exec.take_host_calls().unwrap(), vec![]);
}

#[test]
fn imports_are_checked() {
    let mut exec = NativeExecutor::new().unwrap();
    let mut wrong_type = (*print_module(host_call_i32(0))).clone();
    wrong_type.info.types[0] = sig(&[ValType::I64], &[]);
    let err = exec.instantiate(Arc::new(wrong_type)).unwrap_err();
    assert!(
        matches!(&err, EmuError::Link(m) if m.contains("incompatible import type for spectest.print_i32")),
        "{err}"
    );

    let mut unknown = (*print_module(host_call_i32(0))).clone();
    unknown.info.imports[0] = import("env", "print", ImportKind::Func(0));
    let err = exec.instantiate(Arc::new(unknown)).unwrap_err();
    assert!(matches!(&err, EmuError::Link(m) if m.contains("unknown import env.print")), "{err}");

    let memory = |min, max| ModuleInfo {
        imports: vec![import("spectest", "memory", ImportKind::Memory(MemoryType { min_pages: min, max_pages: max }))],
        memories: vec![MemoryType { min_pages: min, max_pages: max }],
        memory_imported: true,
        ..ModuleInfo::default()
    };
    assert!(exec.instantiate(module(memory(1, Some(2)), vec![])).is_ok());
    assert!(exec.instantiate(module(memory(1, None), vec![])).is_ok());
    assert!(matches!(exec.instantiate(module(memory(2, None), vec![])), Err(EmuError::Link(_))));
    assert!(matches!(exec.instantiate(module(memory(1, Some(1)), vec![])), Err(EmuError::Link(_))));

    let global = |ty| ModuleInfo {
        imports: vec![import("spectest", "global_i32", ImportKind::Global(ty))],
        imported_globals: vec![ty],
        ..ModuleInfo::default()
    };
    assert!(exec.instantiate(module(global(GlobalType { ty: ValType::I32, mutable: false }), vec![])).is_ok());
    let err = exec.instantiate(module(global(GlobalType { ty: ValType::I32, mutable: true }), vec![])).unwrap_err();
    assert!(matches!(&err, EmuError::Link(m) if m.contains("spectest.global_i32")), "{err}");
    let err = exec.instantiate(module(global(GlobalType { ty: ValType::I64, mutable: false }), vec![])).unwrap_err();
    assert!(matches!(err, EmuError::Link(_)));
}

#[test]
fn spectest_globals_are_importable() {
    let ty = GlobalType { ty: ValType::I32, mutable: false };
    let info = ModuleInfo {
        types: vec![sig(&[], &[ValType::I32])],
        imports: vec![import("spectest", "global_i32", ImportKind::Global(ty))],
        functions: vec![0],
        imported_globals: vec![ty],
        globals: vec![GlobalDef { ty: GlobalType { ty: ValType::I32, mutable: false }, init: ConstExpr::GlobalGet(0) }],
        exports: vec![
            export("get", ExportKind::Func(0)),
            export("g", ExportKind::Global(0)),
            export("copy", ExportKind::Global(1)),
        ],
        ..ModuleInfo::default()
    };
    assert_eq!(info.vm_offsets().imported_global_pointer(0), 0x20);
    // mov rax, [rdi+0x20] ; mov eax, [rax] ; mov [rsi], eax ; ret
    let get = piece("get", FunctionKind::ArrayEntry(0), &[0x48, 0x8B, 0x47, 0x20, 0x8B, 0x00, 0x89, 0x06, 0xC3]);
    let mut exec = NativeExecutor::new().unwrap();
    let id = exec.instantiate(module(info, vec![get])).unwrap();
    assert_eq!(exec.global(id, "g").unwrap(), Value::I32(666));
    assert_eq!(exec.global(id, "copy").unwrap(), Value::I32(666));
    assert_eq!(returned(exec.call(id, "get", &[]).unwrap()), vec![Value::I32(666)]);
}

#[test]
fn memory_data_segments_and_stores() {
    let info = ModuleInfo {
        types: vec![sig(&[], &[]), sig(&[], &[ValType::I64])],
        functions: vec![0, 1],
        memories: vec![MemoryType { min_pages: 1, max_pages: None }],
        data: vec![DataSegment { active: Some((0, ConstExpr::I32(8))), bytes: vec![1, 2, 3, 4] }],
        exports: vec![
            export("store", ExportKind::Func(0)),
            export("len", ExportKind::Func(1)),
            export("mem", ExportKind::Memory(0)),
        ],
        ..ModuleInfo::default()
    };
    // mov rax, [rdi] ; mov rax, [rax] ; mov dword ptr [rax+16], 0x11223344 ; ret
    let store = [0x48, 0x8B, 0x07, 0x48, 0x8B, 0x00, 0xC7, 0x40, 0x10, 0x44, 0x33, 0x22, 0x11, 0xC3];
    // mov rax, [rdi] ; mov rax, [rax+8] ; mov [rsi], rax ; ret
    let len = [0x48, 0x8B, 0x07, 0x48, 0x8B, 0x40, 0x08, 0x48, 0x89, 0x06, 0xC3];
    let m = module(
        info,
        vec![piece("store", FunctionKind::ArrayEntry(0), &store), piece("len", FunctionKind::ArrayEntry(1), &len)],
    );
    let mut exec = NativeExecutor::new().unwrap();
    let id = exec.instantiate(m).unwrap();
    let bytes = exec.memory(id, "mem").unwrap();
    assert_eq!(bytes.len() as u64, WASM_PAGE_SIZE);
    assert_eq!(&bytes[4..20], &[0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(returned(exec.call(id, "len", &[]).unwrap()), vec![Value::I64(WASM_PAGE_SIZE as i64)]);
    returned(exec.call(id, "store", &[]).unwrap());
    let bytes = exec.memory(id, "mem").unwrap();
    assert_eq!(&bytes[8..20], &[1, 2, 3, 4, 0, 0, 0, 0, 0x44, 0x33, 0x22, 0x11]);
}

#[test]
fn an_out_of_bounds_segment_traps_and_keeps_earlier_ones() {
    let spectest_memory = MemoryType { min_pages: 1, max_pages: None };
    let importer = |data: Vec<DataSegment>| ModuleInfo {
        imports: vec![import("spectest", "memory", ImportKind::Memory(spectest_memory))],
        memories: vec![spectest_memory],
        memory_imported: true,
        data,
        exports: vec![export("mem", ExportKind::Memory(0))],
        ..ModuleInfo::default()
    };
    let mut exec = NativeExecutor::new().unwrap();
    let failing = importer(vec![
        DataSegment { active: Some((0, ConstExpr::I32(0))), bytes: vec![9, 9] },
        DataSegment { active: Some((0, ConstExpr::I32(65535))), bytes: vec![1, 2] },
    ]);
    let err = exec.instantiate(module(failing, vec![])).unwrap_err();
    assert!(matches!(&err, EmuError::InstantiationTrap(t) if t.code == TrapCode::MemoryOutOfBounds), "{err}");
    let id = exec.instantiate(module(importer(vec![]), vec![])).unwrap();
    let bytes = exec.memory(id, "mem").unwrap();
    assert_eq!(&bytes[..3], &[9, 9, 0]);
    assert_eq!(bytes[65535], 0);
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
        module(info, vec![trapping("start", FunctionKind::ArrayEntry(0), start_code, &[(0, TrapCode::Unreachable)])])
    };
    let mut exec = NativeExecutor::new().unwrap();
    // The global's cell follows the header (32), one type id (8) and one
    // funcref (24): mov dword ptr [rdi+0x40], 5 ; ret
    let id = exec.instantiate(info(&[0xC7, 0x47, 0x40, 0x05, 0x00, 0x00, 0x00, 0xC3])).unwrap();
    assert_eq!(exec.global(id, "g").unwrap(), Value::I32(5));
    let err = exec.instantiate(info(UD2)).unwrap_err();
    assert!(
        matches!(&err, EmuError::InstantiationTrap(t) if t.code == TrapCode::Unreachable && t.function.as_deref() == Some("start")),
        "{err}"
    );
    // The executor goes on.
    assert_eq!(exec.global(id, "g").unwrap(), Value::I32(5));
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
    assert_eq!(a.vm_offsets().defined_global(0), 0x40);
    // mov rax, [rdi+0x40] ; add rax, rsi ; ret
    let addg = piece("addg", FunctionKind::Wasm(0), &[0x48, 0x8B, 0x47, 0x40, 0x48, 0x01, 0xF0, 0xC3]);
    // Its entry trampoline does the same on the slots:
    // mov rax, [rdi+0x40] ; add rax, [rsi] ; mov [rsi], rax ; ret
    let addg_entry = piece(
        "entry:addg",
        FunctionKind::ArrayEntry(0),
        &[0x48, 0x8B, 0x47, 0x40, 0x48, 0x03, 0x06, 0x48, 0x89, 0x06, 0xC3],
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
        module(info, vec![piece("entry:run", FunctionKind::ArrayEntry(1), ENTRY_CALLING_IMPORT_I64)])
    };
    let mut exec = NativeExecutor::new().unwrap();
    let a = exec.instantiate(module(a, vec![addg, addg_entry])).unwrap();
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
    assert!(matches!(exec.register("x", emu::InstanceId(99)), Err(EmuError::BadArguments(_))));
}
