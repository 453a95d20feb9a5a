//! The module's static description as bytes: the contents of the
//! `.wasm2native.module` section (`__DATA,__w2n_module` on Mach-O) of an
//! object file written by the compiler's `object` module, found at run time
//! through the global symbol `wasm2native_module`.
//!
//! ```text
//! CompiledModule ─▶ object::describe ─▶ ModuleDescription ─▶ encode ─▶ section bytes
//!                                        runtime ◀─ ModuleDescription ◀─ **parse** ◀─┘
//! ```
//!
//! This file is the reader and is self-contained: it uses nothing but `std`
//! (no other module of this crate, no dependency), so a runtime can link
//! this crate or carry a copy of the file and read the description with
//! [`parse`]. The writer is the sibling module `object::encode`.
//!
//! # Layout, version 1
//!
//! All integers are little-endian and fixed-width; there is no padding
//! between fields. A *string* is a `u32` byte length followed by that many
//! UTF-8 bytes. An *optional* value is a `u8` flag (0 absent, 1 present)
//! followed by the value only when present.
//!
//! ```text
//! offset size  header field
//!   0     8    magic "\x7fW2NMOD\0"
//!   8     4    version (1)
//!  12     4    header size in bytes (HEADER_SIZE = 120)
//!  16     4    total size of the description in bytes, header included
//!  20     4    architecture: 1 x86-64, 2 AArch64
//!  24     8    code_base: address of the module's first code byte; filled
//!              by the linker (an absolute 64-bit relocation against the
//!              symbol `wasm2native_code`), 0 in an unlinked object
//!  32     8    data_base: address of the data-segment bytes; relocated
//!              against `wasm2native_data` the same way
//!  40     4    code size in bytes
//!  44     4    data size in bytes
//!  48     4    flags: bit 0 memory 0 is imported, bit 1 a start function
//!              exists; other bits are zero
//!  52     4    start function index (0 unless flag bit 1)
//!  56     4    number of imported functions (a prefix of the functions)
//!  60     4    number of imported tables (a prefix of the tables)
//!  64    13×4  record counts, in the order of the record lists below
//! 116     4    reserved, zero
//! ```
//!
//! The record lists follow the header, each list's records back to back,
//! in this order:
//!
//! | list            | record                                                           |
//! |-----------------|------------------------------------------------------------------|
//! | types           | `u32` n, n × valtype, `u32` m, m × valtype (params, results)     |
//! | imports         | string module, string field, `u8` kind, payload (see below)      |
//! | functions       | `u32` type index (imported functions first)                      |
//! | imported globals| globaltype                                                       |
//! | globals         | globaltype, const expr (initializer)                             |
//! | memories        | memtype (imported first)                                         |
//! | tables          | tabletype (imported first)                                       |
//! | table inits     | const expr (initializer of each defined table)                   |
//! | exports         | string name, `u8` kind, `u32` index, optional entry point        |
//! | elements        | `u8` mode, [`u32` table, const expr], valtype, `u32` n, n × expr |
//! | data            | optional (`u32` memory, const expr), `u32` data offset, `u32` len|
//! | code            | `u8` kind, `u32` index, `u32` code offset, `u32` len, string sym |
//! | traps           | `u32` code offset, `u8` trap code                                |
//!
//! - *valtype* is one byte, the WebAssembly binary type code: `0x7f` i32,
//!   `0x7e` i64, `0x7d` f32, `0x7c` f64, `0x7b` v128, `0x70` funcref,
//!   `0x6f` externref.
//! - *globaltype* is a valtype and a `u8` mutability (0 const, 1 var).
//! - *memtype* is `u64` minimum pages and an optional `u64` maximum.
//! - *tabletype* is a valtype (the element type), `u64` minimum and an
//!   optional `u64` maximum.
//! - *const expr* is the WebAssembly opcode of its one instruction followed
//!   by a fixed-width operand: `0x41` i32.const `i32`, `0x42` i64.const
//!   `i64`, `0x43` f32.const `u32` bits, `0x44` f64.const `u64` bits, `0x23`
//!   global.get `u32`, `0xd0` ref.null (no operand), `0xd2` ref.func `u32`.
//! - import and export kinds are the WebAssembly external kinds: 0 function,
//!   1 table, 2 memory, 3 global. An import's payload is a `u32` type index,
//!   a tabletype, a memtype or a globaltype. An export's entry point (present
//!   for exported functions that have an array entry trampoline) is the
//!   symbol name of that trampoline and its code offset.
//! - element modes: 0 active (followed by table index and offset), 1
//!   passive, 2 declared.
//! - a data segment's bytes are `len` bytes at `data offset` from
//!   `data_base` (in the object: in the data section).
//! - code kinds: 0 a Wasm function (index: function index), 1 the array
//!   entry trampoline of function `index`, 2 the host-call trampoline of
//!   imported function `index`. Offsets are from `code_base`.
//! - trap codes are numbered as `runtime::TrapCode::as_u8` (1 unreachable,
//!   2 memory out of bounds, 3 table out of bounds, 4 integer divide by
//!   zero, 5 integer overflow, 6 bad conversion, 7 indirect call type
//!   mismatch, 8 indirect call to null, 9 stack overflow, 10 host error,
//!   11 unsupported); the list is sorted by code offset.
//!
//! A reader must reject a description whose version it does not know; a
//! later version may grow the header (its size is recorded) and append
//! lists.

use std::fmt;

/// The first eight bytes of every description.
pub const MAGIC: [u8; 8] = *b"\x7fW2NMOD\0";
/// The layout version this file writes and reads.
pub const VERSION: u32 = 1;
/// Size of the version-1 header.
pub const HEADER_SIZE: usize = 120;
/// Offset of the relocated `code_base` field.
pub const CODE_BASE_OFFSET: usize = 24;
/// Offset of the relocated `data_base` field.
pub const DATA_BASE_OFFSET: usize = 32;
/// Offset of the total-size field: a runtime that only has the address of
/// `wasm2native_module` reads the header first, then this many bytes.
pub const TOTAL_SIZE_OFFSET: usize = 16;

/// Header flag: memory 0 is imported.
pub const FLAG_MEMORY_IMPORTED: u32 = 1;
/// Header flag: the module has a start function.
pub const FLAG_HAS_START: u32 = 2;
/// Number of record lists (and of counts in the header).
pub const NUM_LISTS: usize = 13;

/// The instruction set of the described code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    /// x86-64 (System V).
    X86_64,
    /// AArch64 (AAPCS64).
    Aarch64,
}

/// A value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `v128`.
    V128,
    /// `funcref`.
    FuncRef,
    /// `externref`.
    ExternRef,
}

/// A function type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FuncType {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

/// A global's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalType {
    /// Value type.
    pub ty: ValType,
    /// Whether it is mutable.
    pub mutable: bool,
}

/// A memory's limits in 64 KiB pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryType {
    /// Initial size.
    pub min_pages: u64,
    /// Maximum size.
    pub max_pages: Option<u64>,
}

/// A table's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableType {
    /// Element type.
    pub element: ValType,
    /// Initial size.
    pub min: u64,
    /// Maximum size.
    pub max: Option<u64>,
}

/// A constant expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstExpr {
    /// `i32.const`.
    I32(i32),
    /// `i64.const`.
    I64(i64),
    /// `f32.const` (bits).
    F32(u32),
    /// `f64.const` (bits).
    F64(u64),
    /// `global.get`.
    GlobalGet(u32),
    /// `ref.null`.
    RefNull,
    /// `ref.func`.
    RefFunc(u32),
}

/// What an import brings in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    /// A function of this type index.
    Func(u32),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
}

/// One import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// Module name.
    pub module: String,
    /// Field name.
    pub field: String,
    /// What is imported.
    pub kind: ImportKind,
}

/// The kind of thing an export names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// A function.
    Func,
    /// A table.
    Table,
    /// A memory.
    Memory,
    /// A global.
    Global,
}

/// Where the array entry trampoline of an exported function is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryPoint {
    /// Its symbol name in the object (without a platform's `_` prefix).
    pub symbol: String,
    /// Its offset from `code_base`.
    pub code_offset: u32,
}

/// One export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// Export name.
    pub name: String,
    /// What it names.
    pub kind: ExportKind,
    /// Index in the function, table, memory or global index space.
    pub index: u32,
    /// The array entry trampoline, for an exported function.
    pub entry: Option<EntryPoint>,
}

/// A module-defined global.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalDef {
    /// Its type.
    pub ty: GlobalType,
    /// Its initializer.
    pub init: ConstExpr,
}

/// Where an element segment goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementMode {
    /// Copied into `table` at `offset` at instantiation.
    Active {
        /// Table index.
        table: u32,
        /// Offset expression.
        offset: ConstExpr,
    },
    /// Used by `table.init`.
    Passive,
    /// Declares functions for `ref.func` only.
    Declared,
}

/// An element segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElementSegment {
    /// Its mode.
    pub mode: ElementMode,
    /// Element type.
    pub element: ValType,
    /// The items.
    pub items: Vec<ConstExpr>,
}

/// A data segment; its bytes live in the data section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataSegment {
    /// `Some((memory, offset))` for an active segment.
    pub active: Option<(u32, ConstExpr)>,
    /// Offset of the bytes from `data_base`.
    pub data_offset: u32,
    /// Number of bytes.
    pub len: u32,
}

impl DataSegment {
    /// The segment's bytes within the data section (or the memory at
    /// `data_base`), if they lie inside it.
    pub fn bytes<'a>(&self, data: &'a [u8]) -> Option<&'a [u8]> {
        let start = self.data_offset as usize;
        data.get(start..start.checked_add(self.len as usize)?)
    }
}

/// What a piece of code is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    /// A Wasm function (index: function index, imports first).
    Wasm,
    /// The array entry trampoline of function `index`.
    ArrayEntry,
    /// The host-call trampoline of imported function `index`.
    HostCall,
}

/// One function or trampoline in the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeRecord {
    /// What it is.
    pub kind: CodeKind,
    /// The function index it belongs to.
    pub index: u32,
    /// Offset from `code_base`.
    pub offset: u32,
    /// Length in bytes.
    pub len: u32,
    /// Its symbol name in the object (without a platform's `_` prefix).
    pub symbol: String,
}

/// One trap site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrapRecord {
    /// Offset of the trap instruction from `code_base`.
    pub offset: u32,
    /// Trap code, numbered as `runtime::TrapCode::as_u8`.
    pub code: u8,
}

/// Everything a runtime needs to instantiate the module, besides the code
/// and the data bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleDescription {
    /// Instruction set.
    pub arch: Arch,
    /// Address of the code once linked (0 when read from an object file).
    pub code_base: u64,
    /// Address of the data bytes once linked (0 when read from an object).
    pub data_base: u64,
    /// Size of the code in bytes.
    pub code_size: u32,
    /// Size of the data bytes.
    pub data_size: u32,
    /// The type section.
    pub types: Vec<FuncType>,
    /// Imports in order.
    pub imports: Vec<Import>,
    /// Type index of every function, imported first.
    pub functions: Vec<u32>,
    /// Number of imported functions.
    pub num_imported_functions: u32,
    /// Types of imported globals.
    pub imported_globals: Vec<GlobalType>,
    /// Globals defined by the module.
    pub globals: Vec<GlobalDef>,
    /// Memories, imported first.
    pub memories: Vec<MemoryType>,
    /// Whether memory 0 is imported.
    pub memory_imported: bool,
    /// Tables, imported first.
    pub tables: Vec<TableType>,
    /// Number of imported tables.
    pub num_imported_tables: u32,
    /// Initializer of each defined table.
    pub table_inits: Vec<ConstExpr>,
    /// Exports.
    pub exports: Vec<Export>,
    /// Element segments.
    pub elements: Vec<ElementSegment>,
    /// Data segments.
    pub data: Vec<DataSegment>,
    /// The start function.
    pub start: Option<u32>,
    /// Every function and trampoline in the code, in address order.
    pub code: Vec<CodeRecord>,
    /// Trap sites sorted by offset.
    pub trap_table: Vec<TrapRecord>,
}

impl ModuleDescription {
    /// The trap code at `offset` from `code_base`, if a trap site is there.
    pub fn trap_at(&self, offset: u32) -> Option<u8> {
        self.trap_table.binary_search_by_key(&offset, |t| t.offset).ok().map(|i| self.trap_table[i].code)
    }

    /// The export named `name`.
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.name == name)
    }
}

/// Why a description could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DescriptionError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the description where it was found.
    pub offset: usize,
}

impl fmt::Display for DescriptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad module description: {} (at offset {:#x})", self.message, self.offset)
    }
}

impl std::error::Error for DescriptionError {}

/// Reads a description (as written by `object::encode`). `bytes` may
/// extend past the description (the total size in the header bounds it).
pub fn parse(bytes: &[u8]) -> Result<ModuleDescription, DescriptionError> {
    let mut r = Reader { bytes, at: 0 };
    let magic = r.take(8)?;
    if magic != MAGIC {
        return Err(r.error_at(0, "wrong magic (not a wasm2native module description)"));
    }
    let version = r.u32()?;
    if version != VERSION {
        return Err(r.error_at(8, format!("unknown version {version} (this reader knows {VERSION})")));
    }
    let header_size = r.u32()? as usize;
    if header_size != HEADER_SIZE {
        return Err(r.error_at(12, format!("header size {header_size}, expected {HEADER_SIZE}")));
    }
    let total = r.u32()? as usize;
    if total < HEADER_SIZE || total > bytes.len() {
        return Err(
            r.error_at(TOTAL_SIZE_OFFSET, format!("total size {total} outside {HEADER_SIZE}..={} bytes", bytes.len()))
        );
    }
    r.bytes = &bytes[..total];
    let arch = match r.u32()? {
        1 => Arch::X86_64,
        2 => Arch::Aarch64,
        other => return Err(r.error_at(20, format!("unknown architecture {other}"))),
    };
    let code_base = r.u64()?;
    let data_base = r.u64()?;
    let code_size = r.u32()?;
    let data_size = r.u32()?;
    let flags = r.u32()?;
    if flags & !(FLAG_MEMORY_IMPORTED | FLAG_HAS_START) != 0 {
        return Err(r.error_at(48, format!("unknown flags {flags:#x}")));
    }
    let start_index = r.u32()?;
    let num_imported_functions = r.u32()?;
    let num_imported_tables = r.u32()?;
    let mut counts = [0u32; NUM_LISTS];
    for count in &mut counts {
        *count = r.u32()?;
    }
    let _reserved = r.u32()?;
    let [
        types,
        imports,
        functions,
        imported_globals,
        globals,
        memories,
        tables,
        table_inits,
        exports,
        elements,
        data,
        code,
        traps,
    ] = counts;

    let types = r.list(types, |r| {
        let params = r.counted(|r| r.val_type())?;
        let results = r.counted(|r| r.val_type())?;
        Ok(FuncType { params, results })
    })?;
    let imports = r.list(imports, |r| {
        let module = r.string()?;
        let field = r.string()?;
        let at = r.at;
        let kind = match r.u8()? {
            0 => ImportKind::Func(r.u32()?),
            1 => ImportKind::Table(r.table_type()?),
            2 => ImportKind::Memory(r.memory_type()?),
            3 => ImportKind::Global(r.global_type()?),
            other => return Err(r.error_at(at, format!("unknown import kind {other}"))),
        };
        Ok(Import { module, field, kind })
    })?;
    let functions = r.list(functions, |r| r.u32())?;
    let imported_globals = r.list(imported_globals, |r| r.global_type())?;
    let globals = r.list(globals, |r| Ok(GlobalDef { ty: r.global_type()?, init: r.const_expr()? }))?;
    let memories = r.list(memories, |r| r.memory_type())?;
    let tables = r.list(tables, |r| r.table_type())?;
    let table_inits = r.list(table_inits, |r| r.const_expr())?;
    let exports = r.list(exports, |r| {
        let name = r.string()?;
        let at = r.at;
        let kind = match r.u8()? {
            0 => ExportKind::Func,
            1 => ExportKind::Table,
            2 => ExportKind::Memory,
            3 => ExportKind::Global,
            other => return Err(r.error_at(at, format!("unknown export kind {other}"))),
        };
        let index = r.u32()?;
        let entry = match r.flag()? {
            false => None,
            true => Some(EntryPoint { symbol: r.string()?, code_offset: r.u32()? }),
        };
        Ok(Export { name, kind, index, entry })
    })?;
    let elements = r.list(elements, |r| {
        let at = r.at;
        let mode = match r.u8()? {
            0 => ElementMode::Active { table: r.u32()?, offset: r.const_expr()? },
            1 => ElementMode::Passive,
            2 => ElementMode::Declared,
            other => return Err(r.error_at(at, format!("unknown element mode {other}"))),
        };
        let element = r.val_type()?;
        let items = r.counted(|r| r.const_expr())?;
        Ok(ElementSegment { mode, element, items })
    })?;
    let data = r.list(data, |r| {
        let active = match r.flag()? {
            false => None,
            true => Some((r.u32()?, r.const_expr()?)),
        };
        let at = r.at;
        let segment = DataSegment { active, data_offset: r.u32()?, len: r.u32()? };
        if segment.data_offset as u64 + segment.len as u64 > data_size as u64 {
            return Err(r.error_at(at, "data segment extends past the data bytes"));
        }
        Ok(segment)
    })?;
    let code = r.list(code, |r| {
        let at = r.at;
        let kind = match r.u8()? {
            0 => CodeKind::Wasm,
            1 => CodeKind::ArrayEntry,
            2 => CodeKind::HostCall,
            other => return Err(r.error_at(at, format!("unknown code kind {other}"))),
        };
        let index = r.u32()?;
        let offset = r.u32()?;
        let len = r.u32()?;
        if offset as u64 + len as u64 > code_size as u64 {
            return Err(r.error_at(at, "code record extends past the code"));
        }
        Ok(CodeRecord { kind, index, offset, len, symbol: r.string()? })
    })?;
    let trap_table = r.list(traps, |r| {
        let at = r.at;
        let trap = TrapRecord { offset: r.u32()?, code: r.u8()? };
        if trap.offset >= code_size {
            return Err(r.error_at(at, "trap site outside the code"));
        }
        Ok(trap)
    })?;
    if !trap_table.is_sorted_by_key(|t| t.offset) {
        return Err(r.error_at(r.at, "trap table is not sorted by offset"));
    }
    if r.at != total {
        return Err(r.error_at(r.at, format!("{} trailing bytes", total - r.at)));
    }
    Ok(ModuleDescription {
        arch,
        code_base,
        data_base,
        code_size,
        data_size,
        types,
        imports,
        functions,
        num_imported_functions,
        imported_globals,
        globals,
        memories,
        memory_imported: flags & FLAG_MEMORY_IMPORTED != 0,
        tables,
        num_imported_tables,
        table_inits,
        exports,
        elements,
        data,
        start: (flags & FLAG_HAS_START != 0).then_some(start_index),
        code,
        trap_table,
    })
}

/// Reads fields in the layout's encodings, bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn error_at(&self, offset: usize, message: impl Into<String>) -> DescriptionError {
        DescriptionError { message: message.into(), offset }
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], DescriptionError> {
        let end = self.at.checked_add(len).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| self.error_at(self.at, format!("truncated: {len} more bytes needed")))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DescriptionError> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    fn u8(&mut self) -> Result<u8, DescriptionError> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, DescriptionError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, DescriptionError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn flag(&mut self) -> Result<bool, DescriptionError> {
        let at = self.at;
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(self.error_at(at, format!("flag byte {other} is neither 0 nor 1"))),
        }
    }

    fn optional_u64(&mut self) -> Result<Option<u64>, DescriptionError> {
        Ok(if self.flag()? { Some(self.u64()?) } else { None })
    }

    fn string(&mut self) -> Result<String, DescriptionError> {
        let len = self.u32()? as usize;
        let at = self.at;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.error_at(at, "string is not UTF-8"))
    }

    /// `count` records. Every record takes at least one byte, so the
    /// allocation is bounded by the input.
    fn list<T>(
        &mut self,
        count: u32,
        mut record: impl FnMut(&mut Self) -> Result<T, DescriptionError>,
    ) -> Result<Vec<T>, DescriptionError> {
        let mut items = Vec::with_capacity((count as usize).min(self.bytes.len() - self.at));
        for _ in 0..count {
            items.push(record(self)?);
        }
        Ok(items)
    }

    /// A `u32` count followed by that many records.
    fn counted<T>(
        &mut self,
        record: impl FnMut(&mut Self) -> Result<T, DescriptionError>,
    ) -> Result<Vec<T>, DescriptionError> {
        let count = self.u32()?;
        self.list(count, record)
    }

    fn val_type(&mut self) -> Result<ValType, DescriptionError> {
        let at = self.at;
        Ok(match self.u8()? {
            0x7f => ValType::I32,
            0x7e => ValType::I64,
            0x7d => ValType::F32,
            0x7c => ValType::F64,
            0x7b => ValType::V128,
            0x70 => ValType::FuncRef,
            0x6f => ValType::ExternRef,
            other => return Err(self.error_at(at, format!("unknown value type {other:#04x}"))),
        })
    }

    fn global_type(&mut self) -> Result<GlobalType, DescriptionError> {
        Ok(GlobalType { ty: self.val_type()?, mutable: self.flag()? })
    }

    fn memory_type(&mut self) -> Result<MemoryType, DescriptionError> {
        Ok(MemoryType { min_pages: self.u64()?, max_pages: self.optional_u64()? })
    }

    fn table_type(&mut self) -> Result<TableType, DescriptionError> {
        Ok(TableType { element: self.val_type()?, min: self.u64()?, max: self.optional_u64()? })
    }

    fn const_expr(&mut self) -> Result<ConstExpr, DescriptionError> {
        let at = self.at;
        Ok(match self.u8()? {
            0x41 => ConstExpr::I32(self.u32()? as i32),
            0x42 => ConstExpr::I64(self.u64()? as i64),
            0x43 => ConstExpr::F32(self.u32()?),
            0x44 => ConstExpr::F64(self.u64()?),
            0x23 => ConstExpr::GlobalGet(self.u32()?),
            0xd0 => ConstExpr::RefNull,
            0xd2 => ConstExpr::RefFunc(self.u32()?),
            other => return Err(self.error_at(at, format!("unknown constant expression opcode {other:#04x}"))),
        })
    }
}
