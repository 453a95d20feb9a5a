//! Linking: finding what an import names and whether it fits.
//!
//! Every executor resolves a module's imports (registered instances, the
//! `spectest` host module, the WASI subset) before instantiating it. This module holds what
//! does not depend on where an executor keeps its instances: the Wasm 2.0
//! rules for whether the found item's type fits the import's, the lookup
//! order ([`resolve`]), the consistency check of a module description, and
//! constant-expression evaluation, shared so all executors link alike.
//!
//! ```text
//!   Import ─▶ resolve(): registered instance export ─┬─▶ *_matches() ─▶ executor fills its VM context
//!                        else spectest::lookup ──────┤
//!                        else WasiFunc::lookup ──────┘
//! ```

use crate::spectest::{self, HostFunc, HostItem};
use crate::wasi::WasiFunc;
use crate::{EmuError, InstanceId};
use compiler::module::{
    ConstExpr, ExportKind, FuncType, GlobalType, Import, ImportKind, MemoryType, ModuleInfo, TableType, ValType,
};

/// `module.field` of an import, for error messages.
pub(crate) fn import_name(import: &Import) -> String {
    format!("{}.{}", import.module, import.field)
}

/// Limits subtyping: the actual size is at least the import's minimum, and
/// if the import has a maximum the actual item has one no larger.
pub(crate) fn limits_match(import_min: u64, import_max: Option<u64>, actual_min: u64, actual_max: Option<u64>) -> bool {
    if actual_min < import_min {
        return false;
    }
    match (import_max, actual_max) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(wanted), Some(actual)) => actual <= wanted,
    }
}

/// Whether a memory currently `actual_pages` large with maximum
/// `actual.max_pages` satisfies an import of type `import`.
pub(crate) fn memory_matches(import: &MemoryType, actual_pages: u64, actual: &MemoryType) -> bool {
    limits_match(import.min_pages, import.max_pages, actual_pages, actual.max_pages)
}

/// Whether a table of type `actual` satisfies an import of type `import`.
pub(crate) fn table_matches(import: &TableType, actual: &TableType) -> bool {
    import.element == actual.element && limits_match(import.min, import.max, actual.min, actual.max)
}

/// Whether a global of type `actual` satisfies an import of type `import`
/// (exact match: value type and mutability).
pub(crate) fn global_matches(import: &GlobalType, actual: &GlobalType) -> bool {
    import == actual
}

/// What an imported function is bound to, after following re-exports of
/// imports to the function that really runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FuncBinding {
    /// A spectest function, reached through the importing module's
    /// host-call trampoline and the host dispatcher.
    Host(HostFunc),
    /// Defined function `.1` of instance `.0`.
    Instance(InstanceId, u32),
    /// A WASI function, reached through the importing module's host-call
    /// trampoline and the host dispatcher.
    Wasi(WasiFunc),
}

/// What an import resolved to; `I` is the executor's instance type.
pub(crate) enum Resolved<'a, I> {
    /// An export of an instance in the store.
    Export(&'a I, ExportKind),
    /// An item of the spectest host module.
    Host(HostItem),
    /// A function of the WASI subset.
    Wasi(WasiFunc),
}

impl<I> Resolved<'_, I> {
    /// The type and binding of a host function (spectest or WASI), if that
    /// is what the import resolved to.
    pub(crate) fn host_function(&self) -> Option<(FuncType, FuncBinding)> {
        match *self {
            Resolved::Host(HostItem::Func(func)) => Some((func.func_type(), FuncBinding::Host(func))),
            Resolved::Wasi(func) => Some((func.func_type(), FuncBinding::Wasi(func))),
            _ => None,
        }
    }
}

/// Finds what `module.field` names: an export of `registered` (the instance
/// registered under `module`, with its module description), else a
/// spectest item.
pub(crate) fn resolve<'a, I>(
    registered: Option<(&'a I, &ModuleInfo)>,
    module: &str,
    field: &str,
) -> Result<Resolved<'a, I>, EmuError> {
    if let Some((instance, info)) = registered {
        let kind = info
            .export(field)
            .ok_or_else(|| EmuError::Link(format!("unknown import {module}.{field}: no such export")))?;
        return Ok(Resolved::Export(instance, kind));
    }
    if module == spectest::MODULE_NAME {
        let item = spectest::lookup(field)
            .ok_or_else(|| EmuError::Link(format!("unknown import {module}.{field}: spectest has no such item")))?;
        return Ok(Resolved::Host(item));
    }
    if WasiFunc::serves(module) {
        let func = WasiFunc::lookup(module, field).ok_or_else(|| {
            EmuError::Link(format!("unknown import {module}.{field}: not in the WASI subset the executors implement"))
        })?;
        return Ok(Resolved::Wasi(func));
    }
    Err(EmuError::Link(format!("unknown import {module}.{field}: no module registered as {module:?}")))
}

/// Checks that the counts in `info` agree with its imports, since the VM
/// context layout is derived from the counts.
pub(crate) fn check_consistency(info: &ModuleInfo) -> Result<(), EmuError> {
    let count = |f: fn(&ImportKind) -> bool| info.imports.iter().filter(|i| f(&i.kind)).count();
    let functions = count(|k| matches!(k, ImportKind::Func(_)));
    let globals = count(|k| matches!(k, ImportKind::Global(_)));
    let memories = count(|k| matches!(k, ImportKind::Memory(_)));
    let tables = count(|k| matches!(k, ImportKind::Table(_)));
    if functions != info.num_imported_functions as usize
        || globals != info.imported_globals.len()
        || (memories > 0) != info.memory_imported
        || info.functions.len() < functions
        || tables != info.num_imported_tables as usize
        || info.tables.len() < tables
    {
        return Err(EmuError::System(format!(
            "inconsistent module description: {functions} function imports (info says {}), \
             {globals} global imports (info says {}), {memories} memory imports (info says {}), \
             {tables} table imports (info says {})",
            info.num_imported_functions,
            info.imported_globals.len(),
            info.memory_imported,
            info.num_imported_tables
        )));
    }
    Ok(())
}

/// The slot bits of a global of type `ty` whose cell holds `bits`: an
/// `i32` or `f32` zero-extended from the low 4 bytes.
pub(crate) fn global_slot_bits(ty: ValType, bits: u64) -> u64 {
    match ty {
        ValType::I32 | ValType::F32 => bits & 0xffff_ffff,
        _ => bits,
    }
}

/// Evaluates a constant expression to slot bits. `global` gives the slot
/// bits of a global (imports first); `func_ref` the reference value of a
/// function (the address of its `VMFuncRef`).
pub(crate) fn eval_const(
    expr: ConstExpr,
    global: impl FnOnce(u32) -> Result<u64, EmuError>,
    func_ref: impl FnOnce(u32) -> u64,
) -> Result<u64, EmuError> {
    match expr {
        ConstExpr::I32(v) => Ok(v as u32 as u64),
        ConstExpr::I64(v) => Ok(v as u64),
        ConstExpr::F32(bits) => Ok(bits as u64),
        ConstExpr::F64(bits) => Ok(bits),
        ConstExpr::GlobalGet(index) => global(index),
        ConstExpr::RefNull => Ok(0),
        ConstExpr::RefFunc(index) => Ok(func_ref(index)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_subtyping() {
        assert!(limits_match(1, None, 1, None));
        assert!(limits_match(1, None, 2, Some(3)));
        assert!(!limits_match(2, None, 1, None));
        assert!(!limits_match(1, Some(2), 1, None));
        assert!(limits_match(1, Some(2), 1, Some(2)));
        assert!(!limits_match(1, Some(2), 1, Some(3)));
    }

    #[test]
    fn resolution_prefers_registered_instances() {
        let info = ModuleInfo {
            exports: vec![compiler::module::Export { name: "f".to_string(), kind: ExportKind::Func(3) }],
            ..ModuleInfo::default()
        };
        let instance = 7u8;
        assert!(matches!(resolve(Some((&instance, &info)), "m", "f"), Ok(Resolved::Export(7, ExportKind::Func(3)))));
        let missing = resolve(Some((&instance, &info)), "m", "g").err().unwrap().to_string();
        assert!(missing.contains("unknown import m.g"), "{missing}");
        assert!(matches!(
            resolve::<u8>(None, "spectest", "print_i32"),
            Ok(Resolved::Host(HostItem::Func(HostFunc::PrintI32)))
        ));
        assert!(matches!(resolve::<u8>(None, "env", "x"), Err(EmuError::Link(_))));
    }

    #[test]
    fn constants_evaluate_to_slot_bits() {
        let no_global = |_| Err(EmuError::System("no globals".to_string()));
        assert_eq!(eval_const(ConstExpr::I32(-1), no_global, |_| 0).unwrap(), 0xffff_ffff);
        assert_eq!(eval_const(ConstExpr::I64(-1), no_global, |_| 0).unwrap(), u64::MAX);
        assert_eq!(eval_const(ConstExpr::GlobalGet(2), |i| Ok(i as u64 * 10), |_| 0).unwrap(), 20);
        assert_eq!(eval_const(ConstExpr::RefFunc(4), no_global, |i| 0x1000 + i as u64).unwrap(), 0x1004);
        assert_eq!(global_slot_bits(ValType::I32, u64::MAX), 0xffff_ffff);
        assert_eq!(global_slot_bits(ValType::F64, u64::MAX), u64::MAX);
    }
}
