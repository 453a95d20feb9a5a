//! Module-level parsing: every section goes through wasmparser's validator
//! and is recorded in a [`ModuleInfo`].
//!
//! Part of the Wasm front end (`wasm/`), before function translation.
//! Anything outside the compiler's scope is reported as
//! [`crate::error::ErrorKind::Unsupported`], naming the feature and the
//! offset; anything invalid as [`crate::error::ErrorKind::Invalid`].

use crate::error::{CompileError, CompileResult};
use crate::module::{
    ConstExpr, DataSegment, ElementMode, ElementSegment, Export, ExportKind, FuncType, GlobalDef, GlobalType, Import,
    ImportKind, MemoryType, ModuleInfo, TableType, ValType,
};
use wasmparser::{
    CompositeInnerType, ExternalKind, FuncToValidate, FunctionBody, Operator, Parser, Payload, TypeRef, ValidPayload,
    Validator, ValidatorResources, WasmFeatures,
};

/// One function body waiting for translation.
pub struct FunctionBodyInput<'a> {
    /// Function index (imports first).
    pub index: u32,
    /// Its validator.
    pub validator: FuncToValidate<ValidatorResources>,
    /// Its body.
    pub body: FunctionBody<'a>,
}

/// A parsed and validated module (function bodies are validated when they
/// are translated).
pub struct ParsedModule<'a> {
    /// The static description.
    pub info: ModuleInfo,
    /// Function bodies in order.
    pub bodies: Vec<FunctionBodyInput<'a>>,
    /// A module-level feature that makes the module unsupported, found while
    /// parsing; reported after validation so that invalid modules are still
    /// reported as invalid.
    pub unsupported: Option<CompileError>,
}

/// Converts a wasmparser value type.
pub fn val_type(ty: wasmparser::ValType, offset: usize) -> CompileResult<ValType> {
    Ok(match ty {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(r) if r == wasmparser::RefType::FUNCREF => ValType::FuncRef,
        wasmparser::ValType::Ref(r) if r == wasmparser::RefType::EXTERNREF => ValType::ExternRef,
        wasmparser::ValType::Ref(r) => {
            return Err(CompileError::unsupported(
                format!("reference type {r} (typed function references / GC)"),
                Some(offset),
            ));
        }
    })
}

fn const_expr(expr: &wasmparser::ConstExpr<'_>) -> CompileResult<ConstExpr> {
    let mut reader = expr.get_operators_reader();
    let mut value = None;
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset()?;
        let next = match op {
            Operator::I32Const { value } => ConstExpr::I32(value),
            Operator::I64Const { value } => ConstExpr::I64(value),
            Operator::F32Const { value } => ConstExpr::F32(value.bits()),
            Operator::F64Const { value } => ConstExpr::F64(value.bits()),
            Operator::GlobalGet { global_index } => ConstExpr::GlobalGet(global_index),
            Operator::RefNull { .. } => ConstExpr::RefNull,
            Operator::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
            Operator::End => continue,
            other => {
                return Err(CompileError::unsupported(
                    format!("constant expression operator {other:?} (extended constant expressions)"),
                    Some(offset),
                ));
            }
        };
        if value.replace(next).is_some() {
            return Err(CompileError::unsupported("extended constant expressions", Some(offset)));
        }
    }
    value.ok_or_else(|| CompileError::invalid("empty constant expression", None))
}

fn memory_type(ty: &wasmparser::MemoryType, offset: usize) -> CompileResult<MemoryType> {
    if ty.memory64 {
        return Err(CompileError::unsupported("64-bit memories (memory64)", Some(offset)));
    }
    if ty.shared {
        return Err(CompileError::unsupported("shared memories (threads)", Some(offset)));
    }
    if ty.page_size_log2.is_some() {
        return Err(CompileError::unsupported("custom page sizes", Some(offset)));
    }
    Ok(MemoryType { min_pages: ty.initial, max_pages: ty.maximum })
}

fn table_type(ty: &wasmparser::TableType, offset: usize) -> CompileResult<TableType> {
    if ty.table64 {
        return Err(CompileError::unsupported("64-bit tables (memory64)", Some(offset)));
    }
    let element = val_type(wasmparser::ValType::Ref(ty.element_type), offset)?;
    Ok(TableType { element, min: ty.initial, max: ty.maximum })
}

/// Parses and validates every section of `wasm` (function bodies are
/// collected for translation, which validates them).
pub fn parse_module(wasm: &[u8]) -> CompileResult<ParsedModule<'_>> {
    let mut validator = Validator::new_with_features(WasmFeatures::default());
    let mut info = ModuleInfo::default();
    let mut bodies = Vec::new();
    let mut unsupported: Option<CompileError> = None;
    // Records the first unsupported feature but keeps validating.
    let mut note = |result: CompileResult<()>| {
        if let Err(error) = result
            && unsupported.is_none()
        {
            unsupported = Some(error);
        }
    };
    let mut function_index = 0u32;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        match validator.payload(&payload)? {
            ValidPayload::Ok | ValidPayload::End(_) => {}
            ValidPayload::Parser(_) => {
                return Err(CompileError::unsupported("nested modules or components", None));
            }
            ValidPayload::Func(validator, body) => {
                let index = info.num_imported_functions + function_index;
                function_index += 1;
                bodies.push(FunctionBodyInput { index, validator, body });
            }
        }
        match payload {
            Payload::Version { encoding: wasmparser::Encoding::Component, range, .. } => {
                return Err(CompileError::unsupported("components", Some(range.start)));
            }
            Payload::TypeSection(reader) => {
                let offset = reader.range().start;
                for group in reader {
                    let group = group?;
                    // Explicit rec groups and `sub` declarations change type
                    // identity (GC canonicalization); we compare types
                    // structurally, so they are out of scope.
                    if group.is_explicit_rec_group() {
                        note(Err(CompileError::unsupported("recursive type groups (GC)", Some(offset))));
                    }
                    for sub in group.into_types() {
                        if !sub.is_final || sub.supertype_idx.is_some() {
                            note(Err(CompileError::unsupported("non-final types and subtyping (GC)", Some(offset))));
                        }
                        match &sub.composite_type.inner {
                            CompositeInnerType::Func(func) if !sub.composite_type.shared => {
                                let mut params = Vec::new();
                                let mut results = Vec::new();
                                let mut ok = Ok(());
                                for &p in func.params() {
                                    match val_type(p, offset) {
                                        Ok(t) => params.push(t),
                                        Err(e) => ok = Err(e),
                                    }
                                }
                                for &r in func.results() {
                                    match val_type(r, offset) {
                                        Ok(t) => results.push(t),
                                        Err(e) => ok = Err(e),
                                    }
                                }
                                note(ok);
                                info.types.push(FuncType { params, results });
                            }
                            _ => {
                                note(Err(CompileError::unsupported("GC struct/array types", Some(offset))));
                                info.types.push(FuncType { params: vec![], results: vec![] });
                            }
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                let offset = reader.range().start;
                for import in reader.into_imports() {
                    let import = import?;
                    let kind = match import.ty {
                        TypeRef::Func(type_index) => {
                            info.functions.push(type_index);
                            info.num_imported_functions += 1;
                            ImportKind::Func(type_index)
                        }
                        TypeRef::Global(g) => {
                            let ty = match val_type(g.content_type, offset) {
                                Ok(ty) => ty,
                                Err(e) => {
                                    note(Err(e));
                                    ValType::I32
                                }
                            };
                            if g.shared {
                                note(Err(CompileError::unsupported("shared globals", Some(offset))));
                            }
                            let ty = GlobalType { ty, mutable: g.mutable };
                            info.imported_globals.push(ty);
                            ImportKind::Global(ty)
                        }
                        TypeRef::Memory(m) => {
                            let ty = memory_type(&m, offset).unwrap_or_else(|e| {
                                note(Err(e));
                                MemoryType { min_pages: 0, max_pages: None }
                            });
                            info.memories.push(ty);
                            info.memory_imported = true;
                            ImportKind::Memory(ty)
                        }
                        TypeRef::Table(t) => {
                            let ty = table_type(&t, offset).unwrap_or_else(|e| {
                                note(Err(e));
                                TableType { element: ValType::FuncRef, min: 0, max: None }
                            });
                            info.tables.push(ty);
                            info.num_imported_tables += 1;
                            ImportKind::Table(ty)
                        }
                        TypeRef::Tag(_) | TypeRef::FuncExact(_) => {
                            note(Err(CompileError::unsupported("tag or exact-function imports", Some(offset))));
                            continue;
                        }
                    };
                    info.imports.push(Import {
                        module: import.module.to_string(),
                        field: import.name.to_string(),
                        kind,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for type_index in reader {
                    info.functions.push(type_index?);
                }
            }
            Payload::TableSection(reader) => {
                let offset = reader.range().start;
                for table in reader {
                    let table = table?;
                    let init = match &table.init {
                        wasmparser::TableInit::RefNull => ConstExpr::RefNull,
                        wasmparser::TableInit::Expr(expr) => const_expr(expr).unwrap_or_else(|e| {
                            note(Err(e));
                            ConstExpr::RefNull
                        }),
                    };
                    match table_type(&table.ty, offset) {
                        Ok(ty) => {
                            info.tables.push(ty);
                            info.table_inits.push(init);
                        }
                        Err(e) => note(Err(e)),
                    }
                }
            }
            Payload::MemorySection(reader) => {
                let offset = reader.range().start;
                for memory in reader {
                    match memory_type(&memory?, offset) {
                        Ok(ty) => info.memories.push(ty),
                        Err(e) => note(Err(e)),
                    }
                }
                if info.memories.len() > 1 {
                    note(Err(CompileError::unsupported("multiple memories", Some(offset))));
                }
            }
            Payload::TagSection(reader) => {
                note(Err(CompileError::unsupported("exception tags", Some(reader.range().start))));
            }
            Payload::GlobalSection(reader) => {
                let offset = reader.range().start;
                for global in reader {
                    let global = global?;
                    let ty = val_type(global.ty.content_type, offset).unwrap_or_else(|e| {
                        note(Err(e));
                        ValType::I32
                    });
                    let init = const_expr(&global.init_expr).unwrap_or_else(|e| {
                        note(Err(e));
                        ConstExpr::I32(0)
                    });
                    info.globals.push(GlobalDef { ty: GlobalType { ty, mutable: global.ty.mutable }, init });
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    let kind = match export.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func(export.index),
                        ExternalKind::Global => ExportKind::Global(export.index),
                        ExternalKind::Memory => ExportKind::Memory(export.index),
                        ExternalKind::Table => ExportKind::Table(export.index),
                        ExternalKind::Tag => {
                            note(Err(CompileError::unsupported("exported tags", None)));
                            continue;
                        }
                    };
                    info.exports.push(Export { name: export.name.to_string(), kind });
                }
            }
            Payload::StartSection { func, .. } => info.start = Some(func),
            Payload::ElementSection(reader) => {
                let offset = reader.range().start;
                for element in reader {
                    let element = element?;
                    let mode = match element.kind {
                        wasmparser::ElementKind::Passive => ElementMode::Passive,
                        wasmparser::ElementKind::Declared => ElementMode::Declared,
                        wasmparser::ElementKind::Active { table_index, offset_expr } => ElementMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: const_expr(&offset_expr).unwrap_or_else(|e| {
                                note(Err(e));
                                ConstExpr::I32(0)
                            }),
                        },
                    };
                    let (element_type, items) = match element.items {
                        wasmparser::ElementItems::Functions(functions) => {
                            let mut items = Vec::new();
                            for function in functions {
                                items.push(ConstExpr::RefFunc(function?));
                            }
                            (ValType::FuncRef, items)
                        }
                        wasmparser::ElementItems::Expressions(ty, exprs) => {
                            let element_type = val_type(wasmparser::ValType::Ref(ty), offset).unwrap_or_else(|e| {
                                note(Err(e));
                                ValType::FuncRef
                            });
                            let mut items = Vec::new();
                            for expr in exprs {
                                items.push(const_expr(&expr?).unwrap_or_else(|e| {
                                    note(Err(e));
                                    ConstExpr::RefNull
                                }));
                            }
                            (element_type, items)
                        }
                    };
                    info.elements.push(ElementSegment { mode, element: element_type, items });
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let active = match data.kind {
                        wasmparser::DataKind::Passive => None,
                        wasmparser::DataKind::Active { memory_index, offset_expr } => {
                            let offset = const_expr(&offset_expr).unwrap_or_else(|e| {
                                note(Err(e));
                                ConstExpr::I32(0)
                            });
                            Some((memory_index, offset))
                        }
                    };
                    info.data.push(DataSegment { active, bytes: data.data.to_vec() });
                }
            }
            _ => {}
        }
    }
    Ok(ParsedModule { info, bodies, unsupported })
}
