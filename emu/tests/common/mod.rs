//! Shared helpers of the native executor tests: building `CompiledModule`s
//! from hand-assembled x86-64 machine code, and unpacking call outcomes.
#![allow(dead_code, reason = "each test crate uses a different subset")]

use compiler::module::{
    CompiledModule, Export, ExportKind, FuncType, FunctionKind, FunctionLayout, Import, ImportKind, ModuleInfo, Target,
    TrapSite, ValType,
};
use compiler::runtime::TrapCode;
use emu::{CallOutcome, Trap, Value};
use std::sync::Arc;

/// One function or trampoline of a hand-made module.
pub struct Piece {
    pub name: &'static str,
    pub kind: FunctionKind,
    pub bytes: Vec<u8>,
    /// Trap sites, as offsets inside `bytes`.
    pub traps: Vec<(u32, TrapCode)>,
}

pub fn piece(name: &'static str, kind: FunctionKind, bytes: &[u8]) -> Piece {
    Piece { name, kind, bytes: bytes.to_vec(), traps: Vec::new() }
}

pub fn trapping(name: &'static str, kind: FunctionKind, bytes: &[u8], traps: &[(u32, TrapCode)]) -> Piece {
    Piece { name, kind, bytes: bytes.to_vec(), traps: traps.to_vec() }
}

/// Lays the pieces out back to back, in order.
pub fn module(info: ModuleInfo, pieces: Vec<Piece>) -> Arc<CompiledModule> {
    let mut code = Vec::new();
    let mut functions = Vec::new();
    let mut trap_table = Vec::new();
    for piece in pieces {
        let offset = code.len() as u32;
        functions.push(FunctionLayout {
            name: piece.name.to_string(),
            kind: piece.kind,
            offset,
            len: piece.bytes.len() as u32,
        });
        trap_table.extend(piece.traps.iter().map(|&(at, code)| TrapSite { offset: offset + at, code }));
        code.extend_from_slice(&piece.bytes);
    }
    trap_table.sort_by_key(|site| site.offset);
    Arc::new(CompiledModule {
        target: Target::X86_64,
        code,
        functions,
        trap_table,
        info,
        unsupported: Vec::new(),
        ignored: Vec::new(),
    })
}

pub fn sig(params: &[ValType], results: &[ValType]) -> FuncType {
    FuncType { params: params.to_vec(), results: results.to_vec() }
}

pub fn export(name: &str, kind: ExportKind) -> Export {
    Export { name: name.to_string(), kind }
}

pub fn import(module: &str, field: &str, kind: ImportKind) -> Import {
    Import { module: module.to_string(), field: field.to_string(), kind }
}

/// A module of defined functions with no imports, each exported under its
/// piece's name and reached through its array entry trampoline (the
/// trampolines here are the whole function).
pub fn entries(types: Vec<FuncType>, pieces: Vec<(u32, Piece)>) -> Arc<CompiledModule> {
    let info = ModuleInfo {
        types,
        functions: pieces.iter().map(|(ty, _)| *ty).collect(),
        exports: pieces.iter().enumerate().map(|(i, (_, p))| export(p.name, ExportKind::Func(i as u32))).collect(),
        ..ModuleInfo::default()
    };
    module(info, pieces.into_iter().map(|(_, p)| p).collect())
}

pub fn returned(outcome: CallOutcome) -> Vec<Value> {
    match outcome {
        CallOutcome::Returned(values) => values,
        CallOutcome::Trapped(trap) => panic!("unexpected trap: {trap}"),
        CallOutcome::Exited(status) => panic!("unexpected exit {status}"),
    }
}

pub fn trapped(outcome: CallOutcome) -> Trap {
    match outcome {
        CallOutcome::Trapped(trap) => trap,
        CallOutcome::Returned(values) => panic!("expected a trap, got {values:?}"),
        CallOutcome::Exited(status) => panic!("expected a trap, got exit {status}"),
    }
}

// mov dword ptr [rsi], 42 ; ret
pub const RET_42: &[u8] = &[0xC7, 0x06, 0x2A, 0x00, 0x00, 0x00, 0xC3];
// ud2
pub const UD2: &[u8] = &[0x0F, 0x0B];
