//! Between the compiler's types and the object file's static description:
//! [`describe`] turns a [`CompiledModule`] into a
//! [`ModuleDescription`](super::description::ModuleDescription) plus the
//! data-segment bytes, and [`module_info`] / [`trap_table`] read one back
//! into a [`ModuleInfo`] and trap sites (for a runtime that links this crate,
//! and for the tests).
//!
//! ```text
//! CompiledModule ─▶ **describe** ─▶ encode_description ─▶ .wasm2native.module
//!                                                 data bytes ─▶ .wasm2native.data
//! ```

use super::description as d;
use super::symbols;
use crate::module::{
    CompiledModule, ConstExpr, DataSegment, ElementMode, ElementSegment, Export, ExportKind, FuncType, FunctionKind,
    GlobalDef, GlobalType, Import, ImportKind, MemoryType, ModuleInfo, TableType, Target, TrapSite, ValType,
};
use crate::runtime::TrapCode;

/// The description of `module` and the bytes of its data segments, laid out
/// back to back in segment order (the description's data records point into
/// them). `code_base` and `data_base` are 0: the linker fills them.
pub fn describe(module: &CompiledModule) -> Result<(d::ModuleDescription, Vec<u8>), String> {
    let info = &module.info;
    let mut data_bytes = Vec::new();
    let mut data = Vec::with_capacity(info.data.len());
    for segment in &info.data {
        let data_offset = u32::try_from(data_bytes.len()).map_err(|_| "data segments exceed 4 GiB")?;
        let len = u32::try_from(segment.bytes.len()).map_err(|_| "a data segment exceeds 4 GiB")?;
        data_bytes.extend_from_slice(&segment.bytes);
        data.push(d::DataSegment { active: segment.active.map(|(m, e)| (m, const_expr(e))), data_offset, len });
    }
    let exports = info
        .exports
        .iter()
        .map(|export| {
            let (kind, index) = match export.kind {
                ExportKind::Func(i) => (d::ExportKind::Func, i),
                ExportKind::Table(i) => (d::ExportKind::Table, i),
                ExportKind::Memory(i) => (d::ExportKind::Memory, i),
                ExportKind::Global(i) => (d::ExportKind::Global, i),
            };
            let entry = match export.kind {
                ExportKind::Func(i) => module
                    .array_entry(i)
                    .map(|code_offset| d::EntryPoint { symbol: symbols::export(&export.name), code_offset }),
                _ => None,
            };
            d::Export { name: export.name.clone(), kind, index, entry }
        })
        .collect();
    let code = module
        .functions
        .iter()
        .map(|f| {
            let (kind, index, symbol) = match f.kind {
                FunctionKind::Wasm(i) => (d::CodeKind::Wasm, i, symbols::function(i)),
                FunctionKind::ArrayEntry(i) => (d::CodeKind::ArrayEntry, i, symbols::array_entry(i)),
                FunctionKind::HostCall(i) => (d::CodeKind::HostCall, i, symbols::host_call(i)),
            };
            d::CodeRecord { kind, index, offset: f.offset, len: f.len, symbol }
        })
        .collect();
    let description = d::ModuleDescription {
        arch: match module.target {
            Target::X86_64 => d::Arch::X86_64,
            Target::Aarch64 => d::Arch::Aarch64,
        },
        code_base: 0,
        data_base: 0,
        code_size: u32::try_from(module.code.len()).map_err(|_| "code exceeds 4 GiB")?,
        data_size: u32::try_from(data_bytes.len()).map_err(|_| "data segments exceed 4 GiB")?,
        types: info.types.iter().map(func_type).collect(),
        imports: info
            .imports
            .iter()
            .map(|import| d::Import {
                module: import.module.clone(),
                field: import.field.clone(),
                kind: match &import.kind {
                    ImportKind::Func(ty) => d::ImportKind::Func(*ty),
                    ImportKind::Table(t) => d::ImportKind::Table(table_type(*t)),
                    ImportKind::Memory(m) => d::ImportKind::Memory(memory_type(*m)),
                    ImportKind::Global(g) => d::ImportKind::Global(global_type(*g)),
                },
            })
            .collect(),
        functions: info.functions.clone(),
        num_imported_functions: info.num_imported_functions,
        imported_globals: info.imported_globals.iter().map(|&g| global_type(g)).collect(),
        globals: info
            .globals
            .iter()
            .map(|g| d::GlobalDef { ty: global_type(g.ty), init: const_expr(g.init) })
            .collect(),
        memories: info.memories.iter().map(|&m| memory_type(m)).collect(),
        memory_imported: info.memory_imported,
        tables: info.tables.iter().map(|&t| table_type(t)).collect(),
        num_imported_tables: info.num_imported_tables,
        table_inits: info.table_inits.iter().map(|&e| const_expr(e)).collect(),
        exports,
        elements: info
            .elements
            .iter()
            .map(|e| d::ElementSegment {
                mode: match &e.mode {
                    ElementMode::Active { table, offset } => {
                        d::ElementMode::Active { table: *table, offset: const_expr(*offset) }
                    }
                    ElementMode::Passive => d::ElementMode::Passive,
                    ElementMode::Declared => d::ElementMode::Declared,
                },
                element: val_type(e.element),
                items: e.items.iter().map(|&i| const_expr(i)).collect(),
            })
            .collect(),
        data,
        start: info.start,
        code,
        trap_table: module
            .trap_table
            .iter()
            .map(|t| d::TrapRecord { offset: t.offset, code: t.code.as_u8() })
            .collect(),
    };
    Ok((description, data_bytes))
}

/// Rebuilds the [`ModuleInfo`] a description was made from; `data` holds the
/// data-segment bytes (the data section, or the memory at `data_base`).
pub fn module_info(description: &d::ModuleDescription, data: &[u8]) -> Result<ModuleInfo, String> {
    let data_segments = description
        .data
        .iter()
        .enumerate()
        .map(|(i, segment)| {
            let bytes = segment.bytes(data).ok_or_else(|| format!("data segment {i} lies outside the data bytes"))?;
            Ok(DataSegment { active: segment.active.map(|(m, e)| (m, from_const_expr(e))), bytes: bytes.to_vec() })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(ModuleInfo {
        types: description
            .types
            .iter()
            .map(|t| FuncType {
                params: t.params.iter().map(|&v| from_val_type(v)).collect(),
                results: t.results.iter().map(|&v| from_val_type(v)).collect(),
            })
            .collect(),
        imports: description
            .imports
            .iter()
            .map(|import| Import {
                module: import.module.clone(),
                field: import.field.clone(),
                kind: match import.kind {
                    d::ImportKind::Func(ty) => ImportKind::Func(ty),
                    d::ImportKind::Table(t) => ImportKind::Table(from_table_type(t)),
                    d::ImportKind::Memory(m) => ImportKind::Memory(from_memory_type(m)),
                    d::ImportKind::Global(g) => ImportKind::Global(from_global_type(g)),
                },
            })
            .collect(),
        functions: description.functions.clone(),
        num_imported_functions: description.num_imported_functions,
        imported_globals: description.imported_globals.iter().map(|&g| from_global_type(g)).collect(),
        globals: description
            .globals
            .iter()
            .map(|g| GlobalDef { ty: from_global_type(g.ty), init: from_const_expr(g.init) })
            .collect(),
        memories: description.memories.iter().map(|&m| from_memory_type(m)).collect(),
        memory_imported: description.memory_imported,
        tables: description.tables.iter().map(|&t| from_table_type(t)).collect(),
        num_imported_tables: description.num_imported_tables,
        table_inits: description.table_inits.iter().map(|&e| from_const_expr(e)).collect(),
        elements: description
            .elements
            .iter()
            .map(|e| ElementSegment {
                mode: match e.mode {
                    d::ElementMode::Active { table, offset } => {
                        ElementMode::Active { table, offset: from_const_expr(offset) }
                    }
                    d::ElementMode::Passive => ElementMode::Passive,
                    d::ElementMode::Declared => ElementMode::Declared,
                },
                element: from_val_type(e.element),
                items: e.items.iter().map(|&i| from_const_expr(i)).collect(),
            })
            .collect(),
        data: data_segments,
        exports: description
            .exports
            .iter()
            .map(|e| Export {
                name: e.name.clone(),
                kind: match e.kind {
                    d::ExportKind::Func => ExportKind::Func(e.index),
                    d::ExportKind::Table => ExportKind::Table(e.index),
                    d::ExportKind::Memory => ExportKind::Memory(e.index),
                    d::ExportKind::Global => ExportKind::Global(e.index),
                },
            })
            .collect(),
        start: description.start,
    })
}

/// The description's trap table as [`TrapSite`]s.
pub fn trap_table(description: &d::ModuleDescription) -> Result<Vec<TrapSite>, String> {
    description
        .trap_table
        .iter()
        .map(|t| {
            let code = TrapCode::from_u8(t.code)
                .ok_or_else(|| format!("unknown trap code {} at code offset {:#x}", t.code, t.offset))?;
            Ok(TrapSite { offset: t.offset, code })
        })
        .collect()
}

fn val_type(ty: ValType) -> d::ValType {
    match ty {
        ValType::I32 => d::ValType::I32,
        ValType::I64 => d::ValType::I64,
        ValType::F32 => d::ValType::F32,
        ValType::F64 => d::ValType::F64,
        ValType::V128 => d::ValType::V128,
        ValType::FuncRef => d::ValType::FuncRef,
        ValType::ExternRef => d::ValType::ExternRef,
    }
}

fn from_val_type(ty: d::ValType) -> ValType {
    match ty {
        d::ValType::I32 => ValType::I32,
        d::ValType::I64 => ValType::I64,
        d::ValType::F32 => ValType::F32,
        d::ValType::F64 => ValType::F64,
        d::ValType::V128 => ValType::V128,
        d::ValType::FuncRef => ValType::FuncRef,
        d::ValType::ExternRef => ValType::ExternRef,
    }
}

fn func_type(ty: &FuncType) -> d::FuncType {
    d::FuncType {
        params: ty.params.iter().map(|&v| val_type(v)).collect(),
        results: ty.results.iter().map(|&v| val_type(v)).collect(),
    }
}

fn global_type(ty: GlobalType) -> d::GlobalType {
    d::GlobalType { ty: val_type(ty.ty), mutable: ty.mutable }
}

fn from_global_type(ty: d::GlobalType) -> GlobalType {
    GlobalType { ty: from_val_type(ty.ty), mutable: ty.mutable }
}

fn memory_type(ty: MemoryType) -> d::MemoryType {
    d::MemoryType { min_pages: ty.min_pages, max_pages: ty.max_pages }
}

fn from_memory_type(ty: d::MemoryType) -> MemoryType {
    MemoryType { min_pages: ty.min_pages, max_pages: ty.max_pages }
}

fn table_type(ty: TableType) -> d::TableType {
    d::TableType { element: val_type(ty.element), min: ty.min, max: ty.max }
}

fn from_table_type(ty: d::TableType) -> TableType {
    TableType { element: from_val_type(ty.element), min: ty.min, max: ty.max }
}

fn const_expr(expr: ConstExpr) -> d::ConstExpr {
    match expr {
        ConstExpr::I32(v) => d::ConstExpr::I32(v),
        ConstExpr::I64(v) => d::ConstExpr::I64(v),
        ConstExpr::F32(v) => d::ConstExpr::F32(v),
        ConstExpr::F64(v) => d::ConstExpr::F64(v),
        ConstExpr::GlobalGet(i) => d::ConstExpr::GlobalGet(i),
        ConstExpr::RefNull => d::ConstExpr::RefNull,
        ConstExpr::RefFunc(i) => d::ConstExpr::RefFunc(i),
    }
}

fn from_const_expr(expr: d::ConstExpr) -> ConstExpr {
    match expr {
        d::ConstExpr::I32(v) => ConstExpr::I32(v),
        d::ConstExpr::I64(v) => ConstExpr::I64(v),
        d::ConstExpr::F32(v) => ConstExpr::F32(v),
        d::ConstExpr::F64(v) => ConstExpr::F64(v),
        d::ConstExpr::GlobalGet(i) => ConstExpr::GlobalGet(i),
        d::ConstExpr::RefNull => ConstExpr::RefNull,
        d::ConstExpr::RefFunc(i) => ConstExpr::RefFunc(i),
    }
}
