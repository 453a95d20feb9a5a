//! Writes a [`ModuleDescription`] in the binary layout documented in
//! [`super::description`]: the writer half of the static description,
//! kept apart so that the reader file stays self-contained.
//!
//! ```text
//! CompiledModule ─▶ describe ─▶ ModuleDescription ─▶ **encode_description** ─▶ .wasm2native.module
//! ```

use super::description::{
    Arch, CODE_BASE_OFFSET, CodeKind, ConstExpr, DATA_BASE_OFFSET, ElementMode, ExportKind, FLAG_HAS_START,
    FLAG_MEMORY_IMPORTED, GlobalType, HEADER_SIZE, ImportKind, MAGIC, MemoryType, ModuleDescription, NUM_LISTS,
    TOTAL_SIZE_OFFSET, TableType, VERSION, ValType,
};
use std::fmt;

/// Why a description could not be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError(pub String);

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot encode module description: {}", self.0)
    }
}

impl std::error::Error for EncodeError {}

/// Encodes `description` in the version-1 layout.
pub fn encode_description(description: &ModuleDescription) -> Result<Vec<u8>, EncodeError> {
    let d = description;
    let mut w = Writer { bytes: vec![0; HEADER_SIZE] };
    for ty in &d.types {
        w.len(ty.params.len())?;
        ty.params.iter().for_each(|&t| w.val_type(t));
        w.len(ty.results.len())?;
        ty.results.iter().for_each(|&t| w.val_type(t));
    }
    for import in &d.imports {
        w.string(&import.module)?;
        w.string(&import.field)?;
        match import.kind {
            ImportKind::Func(ty) => {
                w.u8(0);
                w.u32(ty);
            }
            ImportKind::Table(table) => {
                w.u8(1);
                w.table_type(table);
            }
            ImportKind::Memory(memory) => {
                w.u8(2);
                w.memory_type(memory);
            }
            ImportKind::Global(global) => {
                w.u8(3);
                w.global_type(global);
            }
        }
    }
    d.functions.iter().for_each(|&ty| w.u32(ty));
    d.imported_globals.iter().for_each(|&g| w.global_type(g));
    for global in &d.globals {
        w.global_type(global.ty);
        w.const_expr(global.init);
    }
    d.memories.iter().for_each(|&m| w.memory_type(m));
    d.tables.iter().for_each(|&t| w.table_type(t));
    d.table_inits.iter().for_each(|&e| w.const_expr(e));
    for export in &d.exports {
        w.string(&export.name)?;
        w.u8(match export.kind {
            ExportKind::Func => 0,
            ExportKind::Table => 1,
            ExportKind::Memory => 2,
            ExportKind::Global => 3,
        });
        w.u32(export.index);
        match &export.entry {
            None => w.u8(0),
            Some(entry) => {
                w.u8(1);
                w.string(&entry.symbol)?;
                w.u32(entry.code_offset);
            }
        }
    }
    for element in &d.elements {
        match element.mode {
            ElementMode::Active { table, offset } => {
                w.u8(0);
                w.u32(table);
                w.const_expr(offset);
            }
            ElementMode::Passive => w.u8(1),
            ElementMode::Declared => w.u8(2),
        }
        w.val_type(element.element);
        w.len(element.items.len())?;
        element.items.iter().for_each(|&e| w.const_expr(e));
    }
    for segment in &d.data {
        match segment.active {
            None => w.u8(0),
            Some((memory, offset)) => {
                w.u8(1);
                w.u32(memory);
                w.const_expr(offset);
            }
        }
        w.u32(segment.data_offset);
        w.u32(segment.len);
    }
    for code in &d.code {
        w.u8(match code.kind {
            CodeKind::Wasm => 0,
            CodeKind::ArrayEntry => 1,
            CodeKind::HostCall => 2,
        });
        w.u32(code.index);
        w.u32(code.offset);
        w.u32(code.len);
        w.string(&code.symbol)?;
    }
    for trap in &d.trap_table {
        w.u32(trap.offset);
        w.u8(trap.code);
    }

    let counts: [usize; NUM_LISTS] = [
        d.types.len(),
        d.imports.len(),
        d.functions.len(),
        d.imported_globals.len(),
        d.globals.len(),
        d.memories.len(),
        d.tables.len(),
        d.table_inits.len(),
        d.exports.len(),
        d.elements.len(),
        d.data.len(),
        d.code.len(),
        d.trap_table.len(),
    ];
    let total = u32::try_from(w.bytes.len()).map_err(|_| EncodeError("description larger than 4 GiB".into()))?;
    let mut flags = 0;
    if d.memory_imported {
        flags |= FLAG_MEMORY_IMPORTED;
    }
    if d.start.is_some() {
        flags |= FLAG_HAS_START;
    }
    let header = &mut w.bytes[..HEADER_SIZE];
    header[0..8].copy_from_slice(&MAGIC);
    put_u32(header, 8, VERSION);
    put_u32(header, 12, HEADER_SIZE as u32);
    put_u32(header, TOTAL_SIZE_OFFSET, total);
    put_u32(
        header,
        20,
        match d.arch {
            Arch::X86_64 => 1,
            Arch::Aarch64 => 2,
        },
    );
    header[CODE_BASE_OFFSET..CODE_BASE_OFFSET + 8].copy_from_slice(&d.code_base.to_le_bytes());
    header[DATA_BASE_OFFSET..DATA_BASE_OFFSET + 8].copy_from_slice(&d.data_base.to_le_bytes());
    put_u32(header, 40, d.code_size);
    put_u32(header, 44, d.data_size);
    put_u32(header, 48, flags);
    put_u32(header, 52, d.start.unwrap_or(0));
    put_u32(header, 56, d.num_imported_functions);
    put_u32(header, 60, d.num_imported_tables);
    for (i, &count) in counts.iter().enumerate() {
        let count = u32::try_from(count).map_err(|_| EncodeError("more than 2^32 records in a list".into()))?;
        put_u32(header, 64 + 4 * i, count);
    }
    Ok(w.bytes)
}

fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

/// Appends fields in the layout's encodings.
struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    fn u32(&mut self, value: u32) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    fn u64(&mut self, value: u64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    fn len(&mut self, len: usize) -> Result<(), EncodeError> {
        self.u32(u32::try_from(len).map_err(|_| EncodeError(format!("length {len} does not fit in 32 bits")))?);
        Ok(())
    }

    fn string(&mut self, text: &str) -> Result<(), EncodeError> {
        self.len(text.len())?;
        self.bytes.extend_from_slice(text.as_bytes());
        Ok(())
    }

    fn optional_u64(&mut self, value: Option<u64>) {
        match value {
            None => self.u8(0),
            Some(value) => {
                self.u8(1);
                self.u64(value);
            }
        }
    }

    fn val_type(&mut self, ty: ValType) {
        self.u8(match ty {
            ValType::I32 => 0x7f,
            ValType::I64 => 0x7e,
            ValType::F32 => 0x7d,
            ValType::F64 => 0x7c,
            ValType::V128 => 0x7b,
            ValType::FuncRef => 0x70,
            ValType::ExternRef => 0x6f,
        });
    }

    fn global_type(&mut self, ty: GlobalType) {
        self.val_type(ty.ty);
        self.u8(ty.mutable as u8);
    }

    fn memory_type(&mut self, ty: MemoryType) {
        self.u64(ty.min_pages);
        self.optional_u64(ty.max_pages);
    }

    fn table_type(&mut self, ty: TableType) {
        self.val_type(ty.element);
        self.u64(ty.min);
        self.optional_u64(ty.max);
    }

    fn const_expr(&mut self, expr: ConstExpr) {
        match expr {
            ConstExpr::I32(v) => {
                self.u8(0x41);
                self.u32(v as u32);
            }
            ConstExpr::I64(v) => {
                self.u8(0x42);
                self.u64(v as u64);
            }
            ConstExpr::F32(bits) => {
                self.u8(0x43);
                self.u32(bits);
            }
            ConstExpr::F64(bits) => {
                self.u8(0x44);
                self.u64(bits);
            }
            ConstExpr::GlobalGet(index) => {
                self.u8(0x23);
                self.u32(index);
            }
            ConstExpr::RefNull => self.u8(0xd0),
            ConstExpr::RefFunc(index) => {
                self.u8(0xd2);
                self.u32(index);
            }
        }
    }
}
