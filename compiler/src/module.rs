//! The compiler's output: a [`CompiledModule`], the last stage of the pipeline.
//!
//! ```text
//! .wasm ─▶ wasm::translate ─▶ ir ─▶ lower ─▶ VCode ─▶ regalloc2 ─▶ MachBuffer
//!                                                      ─▶ **CompiledModule**
//! ```
//!
//! A compiled module is plain data: the machine code of all functions and
//! trampolines laid out in one position-independent blob (calls between
//! functions are already resolved), the trap table, and the module's static
//! description ([`ModuleInfo`]) that an executor needs to instantiate it
//! (memories, globals, data segments, imports, exports). It is serializable
//! so executors can ship it to a child process.

use crate::runtime::{TrapCode, VMOffsets};
use serde::{Deserialize, Serialize};

/// The instruction set a module is compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target {
    /// x86-64, System V ABI.
    X86_64,
    /// AArch64, AAPCS64.
    Aarch64,
}

impl Target {
    /// The canonical short name (`x86_64`, `aarch64`).
    pub fn name(self) -> &'static str {
        match self {
            Target::X86_64 => "x86_64",
            Target::Aarch64 => "aarch64",
        }
    }

    /// Parses a target name; accepts `x86_64`, `x86-64`, `x64`, `aarch64`,
    /// `arm64`.
    pub fn from_name(name: &str) -> Option<Target> {
        match name {
            "x86_64" | "x86-64" | "x64" => Some(Target::X86_64),
            "aarch64" | "arm64" => Some(Target::Aarch64),
            _ => None,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A Wasm value type as the runtime sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit float (bits).
    F32,
    /// 64-bit float (bits).
    F64,
    /// 128-bit vector.
    V128,
    /// Function reference.
    FuncRef,
    /// External reference.
    ExternRef,
}

/// A function type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FuncType {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

/// A global's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalType {
    /// Value type.
    pub ty: ValType,
    /// Whether `global.set` is allowed.
    pub mutable: bool,
}

/// A memory's limits, in 64 KiB pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryType {
    /// Initial size in pages.
    pub min_pages: u64,
    /// Maximum size in pages, if any.
    pub max_pages: Option<u64>,
}

/// A table's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableType {
    /// Element type.
    pub element: ValType,
    /// Initial size.
    pub min: u64,
    /// Maximum size.
    pub max: Option<u64>,
}

/// A constant expression (global initializers, segment offsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConstExpr {
    /// `i32.const`.
    I32(i32),
    /// `i64.const`.
    I64(i64),
    /// `f32.const` (bits).
    F32(u32),
    /// `f64.const` (bits).
    F64(u64),
    /// `global.get` of an (imported) global.
    GlobalGet(u32),
    /// `ref.null`.
    RefNull,
    /// `ref.func`.
    RefFunc(u32),
}

/// What an import or export refers to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportKind {
    /// A function of the given type index.
    Func(u32),
    /// A global.
    Global(GlobalType),
    /// A memory.
    Memory(MemoryType),
    /// A table.
    Table(TableType),
}

/// One import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    /// Module name.
    pub module: String,
    /// Field name.
    pub field: String,
    /// What is imported.
    pub kind: ImportKind,
}

/// What an export names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportKind {
    /// Function index (imports first).
    Func(u32),
    /// Global index (imports first).
    Global(u32),
    /// Memory index.
    Memory(u32),
    /// Table index.
    Table(u32),
}

/// One export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    /// Export name.
    pub name: String,
    /// What it names.
    pub kind: ExportKind,
}

/// A module-defined global.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalDef {
    /// Its type.
    pub ty: GlobalType,
    /// Its initializer.
    pub init: ConstExpr,
}

/// Where an element segment goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ElementMode {
    /// Copied into `table` at `offset` at instantiation.
    Active {
        /// The table index.
        table: u32,
        /// The offset expression.
        offset: ConstExpr,
    },
    /// Used by `table.init`.
    Passive,
    /// Only declares functions for `ref.func`; dropped at instantiation.
    Declared,
}

/// An element segment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementSegment {
    /// Active, passive or declared.
    pub mode: ElementMode,
    /// The element type (`FuncRef` or `ExternRef`).
    pub element: ValType,
    /// The items: `RefFunc(i)`, `RefNull`, or `GlobalGet(i)`.
    pub items: Vec<ConstExpr>,
}

/// A data segment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSegment {
    /// `Some((memory, offset))` for an active segment, `None` for passive.
    pub active: Option<(u32, ConstExpr)>,
    /// The bytes.
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

/// The static description of a module: everything an executor needs besides
/// the code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleInfo {
    /// The type section.
    pub types: Vec<FuncType>,
    /// Imports, in order.
    pub imports: Vec<Import>,
    /// Type index of every function, imported functions first.
    pub functions: Vec<u32>,
    /// Number of imported functions (a prefix of `functions`).
    pub num_imported_functions: u32,
    /// Types of imported globals, in import order.
    pub imported_globals: Vec<GlobalType>,
    /// Globals defined by the module.
    pub globals: Vec<GlobalDef>,
    /// Memories: imported first (at most one memory in total for now).
    pub memories: Vec<MemoryType>,
    /// Whether memory 0 is imported.
    pub memory_imported: bool,
    /// Tables, imported first.
    pub tables: Vec<TableType>,
    /// Number of imported tables (a prefix of `tables`).
    pub num_imported_tables: u32,
    /// Initializer of each defined table (`RefNull` unless given).
    pub table_inits: Vec<ConstExpr>,
    /// Element segments.
    pub elements: Vec<ElementSegment>,
    /// Data segments.
    pub data: Vec<DataSegment>,
    /// Exports.
    pub exports: Vec<Export>,
    /// The start function.
    pub start: Option<u32>,
}

impl ModuleInfo {
    /// The VM context layout of this module.
    pub fn vm_offsets(&self) -> VMOffsets {
        VMOffsets {
            num_imported_functions: self.num_imported_functions,
            num_imported_globals: self.imported_globals.len() as u32,
            num_defined_globals: self.globals.len() as u32,
            num_tables: self.tables.len() as u32,
            num_types: self.types.len() as u32,
            num_functions: self.functions.len() as u32,
        }
    }

    /// The type of function `index` (imports first).
    pub fn func_type(&self, index: u32) -> Option<&FuncType> {
        self.types.get(*self.functions.get(index as usize)? as usize)
    }

    /// The type of global `index` (imports first).
    pub fn global_type(&self, index: u32) -> Option<GlobalType> {
        let imported = self.imported_globals.len() as u32;
        if index < imported {
            Some(self.imported_globals[index as usize])
        } else {
            self.globals.get((index - imported) as usize).map(|g| g.ty)
        }
    }

    /// Finds an export by name.
    pub fn export(&self, name: &str) -> Option<ExportKind> {
        self.exports.iter().find(|e| e.name == name).map(|e| e.kind)
    }
}

/// One trap site: a trap instruction at `offset` in [`CompiledModule::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrapSite {
    /// Offset of the trap instruction in the module's code.
    pub offset: u32,
    /// Why it traps.
    pub code: TrapCode,
}

/// Where one compiled function sits in the code blob.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionLayout {
    /// Symbolic name (`func3`, `$name`, `entry:add`, `host_call:0`).
    pub name: String,
    /// What kind of code this is.
    pub kind: FunctionKind,
    /// Offset of the first byte.
    pub offset: u32,
    /// Length in bytes.
    pub len: u32,
}

/// What a piece of code in the blob is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FunctionKind {
    /// A Wasm function defined by the module (function index, imports first).
    Wasm(u32),
    /// The array entry trampoline for a function (function index).
    ArrayEntry(u32),
    /// The host-call trampoline for an imported function (import function index).
    HostCall(u32),
}

/// A call from one function of a [`CompiledModule`] to another, as it was
/// before the compiler's link step resolved it in [`CompiledModule::code`].
///
/// The object-file writer turns each one back into a real relocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallSite {
    /// Offset in [`CompiledModule::code`] of the patched field (the `rel32`
    /// of an x86-64 `call`, the `bl` instruction word on AArch64).
    pub offset: u32,
    /// How the field is patched.
    pub kind: crate::machinst::RelocKind,
    /// The called function (function index, imports first; always a
    /// defined function).
    pub callee: u32,
    /// Added to the callee's address (−4 for x86-64 `call rel32`).
    pub addend: i64,
}

/// A compiled module: code, trap table and static description.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledModule {
    /// The instruction set of `code`.
    pub target: Target,
    /// All machine code, position independent: internal calls are resolved.
    #[serde(with = "serde_bytes")]
    pub code: Vec<u8>,
    /// Every function and trampoline in `code`, in address order.
    pub functions: Vec<FunctionLayout>,
    /// Trap sites sorted by offset.
    pub trap_table: Vec<TrapSite>,
    /// The module's static description.
    pub info: ModuleInfo,
    /// Functions (by index, imports first) that could not be compiled in
    /// lenient mode, with the reason; calling one traps with
    /// [`TrapCode::Unsupported`].
    pub unsupported: Vec<(u32, String)>,
    /// Module-level features that lenient mode compiled without (for
    /// example element segments, which are not applied yet). Empty in
    /// strict mode.
    pub ignored: Vec<String>,
}

impl CompiledModule {
    /// Looks up the trap code for a faulting offset in `code`.
    pub fn trap_at(&self, offset: u32) -> Option<TrapCode> {
        self.trap_table.binary_search_by_key(&offset, |site| site.offset).ok().map(|i| self.trap_table[i].code)
    }

    /// Offset of the array entry trampoline for function `index`.
    pub fn array_entry(&self, index: u32) -> Option<u32> {
        self.functions.iter().find(|f| f.kind == FunctionKind::ArrayEntry(index)).map(|f| f.offset)
    }

    /// Offset of the host-call trampoline for imported function `index`.
    pub fn host_call(&self, index: u32) -> Option<u32> {
        self.functions.iter().find(|f| f.kind == FunctionKind::HostCall(index)).map(|f| f.offset)
    }

    /// Offset of the code of function `index` (a defined function).
    pub fn function_offset(&self, index: u32) -> Option<u32> {
        self.functions.iter().find(|f| f.kind == FunctionKind::Wasm(index)).map(|f| f.offset)
    }

    /// The function or trampoline containing `offset`.
    pub fn function_containing(&self, offset: u32) -> Option<&FunctionLayout> {
        self.functions.iter().find(|f| offset >= f.offset && offset < f.offset + f.len)
    }
}
