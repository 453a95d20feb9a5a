//! The `spectest` host module, described as data.
//!
//! The WebAssembly spec testsuite imports a few host items from a module
//! named `spectest`: printing functions that return nothing, four immutable
//! globals, a memory and a table. Every executor in this crate links imports
//! against this description (it sits beside the registered instances of a
//! store), so it is plain data here — names, types, initial values — plus the
//! behaviour of the functions ([`HostFunc::call`]), which decode their
//! arguments from value slots and record the call instead of printing.
//!
//! ```text
//!   CompiledModule imports ─▶ executor's linker ─▶ registered instance export
//!                                              └─▶ spectest::lookup (this module)
//! ```

use crate::{EmuError, Value};
use compiler::module::{FuncType, GlobalType, MemoryType, TableType, ValType};
use serde::{Deserialize, Serialize};

/// The module name under which these items are imported.
pub const MODULE_NAME: &str = "spectest";

/// Export name of the spectest memory.
pub const MEMORY_NAME: &str = "memory";

/// Type of the spectest memory: 1 page, at most 2.
pub const MEMORY_TYPE: MemoryType = MemoryType { min_pages: 1, max_pages: Some(2) };

/// Export name of the spectest table.
pub const TABLE_NAME: &str = "table";

/// Type of the spectest table (every executor allocates one per store,
/// shared by every importer).
pub const TABLE_TYPE: TableType = TableType { element: ValType::FuncRef, min: 10, max: Some(20) };

/// One spectest host function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HostFunc {
    /// `print: [] -> []`
    Print,
    /// `print_i32: [i32] -> []`
    PrintI32,
    /// `print_i64: [i64] -> []`
    PrintI64,
    /// `print_f32: [f32] -> []`
    PrintF32,
    /// `print_f64: [f64] -> []`
    PrintF64,
    /// `print_i32_f32: [i32 f32] -> []`
    PrintI32F32,
    /// `print_f64_f64: [f64 f64] -> []`
    PrintF64F64,
}

impl HostFunc {
    /// Every spectest function.
    pub const ALL: [HostFunc; 7] = [
        HostFunc::Print,
        HostFunc::PrintI32,
        HostFunc::PrintI64,
        HostFunc::PrintF32,
        HostFunc::PrintF64,
        HostFunc::PrintI32F32,
        HostFunc::PrintF64F64,
    ];

    /// The export name.
    pub fn name(self) -> &'static str {
        match self {
            HostFunc::Print => "print",
            HostFunc::PrintI32 => "print_i32",
            HostFunc::PrintI64 => "print_i64",
            HostFunc::PrintF32 => "print_f32",
            HostFunc::PrintF64 => "print_f64",
            HostFunc::PrintI32F32 => "print_i32_f32",
            HostFunc::PrintF64F64 => "print_f64_f64",
        }
    }

    /// Finds a function by export name.
    pub fn from_name(name: &str) -> Option<HostFunc> {
        HostFunc::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Parameter types (no spectest function has results).
    pub fn params(self) -> &'static [ValType] {
        match self {
            HostFunc::Print => &[],
            HostFunc::PrintI32 => &[ValType::I32],
            HostFunc::PrintI64 => &[ValType::I64],
            HostFunc::PrintF32 => &[ValType::F32],
            HostFunc::PrintF64 => &[ValType::F64],
            HostFunc::PrintI32F32 => &[ValType::I32, ValType::F32],
            HostFunc::PrintF64F64 => &[ValType::F64, ValType::F64],
        }
    }

    /// The function type, as a module would declare it.
    pub fn func_type(self) -> FuncType {
        FuncType { params: self.params().to_vec(), results: Vec::new() }
    }

    /// Runs the function on the argument slots of the array-call convention
    /// (`slots` holds at least one slot per parameter). Spectest functions
    /// have no observable effect: the call is returned as a record.
    pub fn call(self, slots: &[u64]) -> Result<HostCall, EmuError> {
        let params = self.params();
        if slots.len() < params.len() {
            return Err(EmuError::BadArguments(format!(
                "spectest.{} takes {} arguments, got {} slots",
                self.name(),
                params.len(),
                slots.len()
            )));
        }
        let args =
            params.iter().zip(slots).map(|(&ty, &slot)| Value::from_slot(ty, slot)).collect::<Result<Vec<_>, _>>()?;
        Ok(HostCall { function: self, args })
    }
}

/// A record of one call to a spectest function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostCall {
    /// Which function.
    pub function: HostFunc,
    /// Its arguments.
    pub args: Vec<Value>,
}

/// One spectest global (all are immutable).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostGlobal {
    /// Export name.
    pub name: &'static str,
    /// Type.
    pub ty: GlobalType,
    /// Value.
    pub value: Value,
}

const fn immutable(ty: ValType) -> GlobalType {
    GlobalType { ty, mutable: false }
}

/// The spectest globals: 666 in every type.
pub static GLOBALS: [HostGlobal; 4] = [
    HostGlobal { name: "global_i32", ty: immutable(ValType::I32), value: Value::I32(666) },
    HostGlobal { name: "global_i64", ty: immutable(ValType::I64), value: Value::I64(666) },
    HostGlobal { name: "global_f32", ty: immutable(ValType::F32), value: Value::F32(666.6f32.to_bits()) },
    HostGlobal { name: "global_f64", ty: immutable(ValType::F64), value: Value::F64(666.6f64.to_bits()) },
];

/// What a spectest export is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostItem {
    /// A function.
    Func(HostFunc),
    /// A global (index into [`GLOBALS`]).
    Global(usize),
    /// The memory.
    Memory(MemoryType),
    /// The table.
    Table(TableType),
}

/// Looks up a spectest export by field name.
pub fn lookup(field: &str) -> Option<HostItem> {
    if let Some(func) = HostFunc::from_name(field) {
        return Some(HostItem::Func(func));
    }
    if let Some(index) = GLOBALS.iter().position(|g| g.name == field) {
        return Some(HostItem::Global(index));
    }
    match field {
        MEMORY_NAME => Some(HostItem::Memory(MEMORY_TYPE)),
        TABLE_NAME => Some(HostItem::Table(TABLE_TYPE)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_every_item() {
        for func in HostFunc::ALL {
            assert_eq!(lookup(func.name()), Some(HostItem::Func(func)));
        }
        assert_eq!(lookup("global_f64"), Some(HostItem::Global(3)));
        assert_eq!(lookup("memory"), Some(HostItem::Memory(MEMORY_TYPE)));
        assert_eq!(lookup("table"), Some(HostItem::Table(TABLE_TYPE)));
        assert_eq!(lookup("nope"), None);
    }

    #[test]
    fn call_decodes_slots_by_type() {
        let f32_bits = 1.5f32.to_bits() as u64;
        let record = HostFunc::PrintI32F32.call(&[0xffff_ffff_ffff_fffe, f32_bits]).unwrap();
        assert_eq!(record.args, vec![Value::I32(-2), Value::F32(1.5f32.to_bits())]);
        assert!(HostFunc::PrintF64F64.call(&[0]).is_err());
        assert_eq!(GLOBALS[2].value, Value::F32(0x4426_a666));
    }
}
