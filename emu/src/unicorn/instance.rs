//! The unicorn executor's store and instantiation: linking imports, building
//! VM contexts in emulator memory, applying segments.
//!
//! ```text
//!   CompiledModule ─▶ Store::build(): check target, map code, resolve imports
//!                      (registered instances, then `spectest`), fill the
//!                      VM context image (header, imported functions and
//!                      globals, type ids, funcrefs), write it, then defined
//!                      globals, memory 0 and tables ─▶ Instance
//!   Instance ─▶ write_element_segments() ─▶ write_data_segments() ─▶ start function
//! ```
//!
//! The VM context layout is [`compiler::runtime::VMOffsets`]; every pointer
//! in it is an emulator address (see the guest address map in the parent
//! module). Imported functions point at the exporter's code and VM context
//! in the same address space, or at this module's host-call trampoline for
//! `spectest` functions. Memories and tables live in the store and are
//! shared by id, so an importer and its exporter see the same growth.

use super::Emulator;
use super::space::{self, GuestSpace, HOST_DISPATCH, STACK_LIMIT};
use super::storage::{GuestMemory, GuestTable, MemoryId, TableId};
use crate::link::{
    FuncBinding, Resolved, check_consistency, eval_const, global_matches, global_slot_bits, import_name,
    memory_matches, resolve, table_matches,
};
use crate::spectest::{self, HostCall, HostItem};
use crate::wasi::WasiState;
use crate::{EmuError, InstanceId, Trap, Value};
use compiler::module::{CompiledModule, ElementMode, ExportKind, FuncType, ImportKind, ModuleInfo, Target, ValType};
use compiler::runtime::{TrapCode, VMOffsets};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A module instantiated in the emulator.
pub(crate) struct Instance {
    /// The compiled module.
    pub(crate) module: Arc<CompiledModule>,
    /// Address of its code.
    pub(crate) code: u64,
    /// Address of its VM context.
    pub(crate) vmctx: u64,
    /// This instance's id in the store (also its VM context's executor word).
    pub(crate) id: InstanceId,
    /// Memory 0, owned or shared with the exporter.
    pub(crate) memory: Option<MemoryId>,
    /// Tables, imported first.
    pub(crate) tables: Vec<TableId>,
    /// What each imported function is bound to.
    pub(crate) imported_functions: Vec<FuncBinding>,
    /// Whether instantiation finished (segments and start function).
    pub(crate) ready: bool,
    /// Evaluated element segments; `None` once dropped.
    pub(crate) elements: Vec<Option<Vec<u64>>>,
    /// Whether each data segment was dropped.
    pub(crate) data_dropped: Vec<bool>,
}

/// Every instance of one executor, plus what they share.
pub(crate) struct Store {
    pub(crate) space: GuestSpace,
    pub(crate) instances: Vec<Instance>,
    registered: HashMap<String, InstanceId>,
    pub(crate) memories: Vec<GuestMemory>,
    pub(crate) tables: Vec<GuestTable>,
    type_ids: HashMap<FuncType, u64>,
    spectest_memory: MemoryId,
    spectest_table: TableId,
    /// Address of the four spectest global cells.
    spectest_globals: u64,
    /// Calls to spectest functions not yet taken.
    pub(crate) host_calls: Vec<HostCall>,
    /// What WASI programs see and have written.
    pub(crate) wasi: WasiState,
    /// Code address of every instance, for locating a PC.
    code_ranges: BTreeMap<u64, InstanceId>,
}

/// A VM context being filled on the host before it is written out whole.
struct VmContextImage(Vec<u8>);

impl VmContextImage {
    fn write_u64(&mut self, offset: u32, value: u64) {
        self.0[offset as usize..offset as usize + 8].copy_from_slice(&value.to_le_bytes());
    }

    fn read_u64(&self, offset: u32) -> u64 {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&self.0[offset as usize..offset as usize + 8]);
        u64::from_le_bytes(bytes)
    }
}

/// Address of the cell of global `index` (imports first) of a module with
/// `info` whose VM context, imports filled, is at `vmctx`.
fn global_cell(uc: &Emulator, info: &ModuleInfo, vmctx: u64, index: u32) -> Result<u64, EmuError> {
    let offsets = info.vm_offsets();
    let imported = offsets.num_imported_globals;
    if index < imported {
        space::read_u64(uc, vmctx + offsets.imported_global_pointer(index) as u64)
    } else if index - imported < offsets.num_defined_globals {
        Ok(vmctx + offsets.defined_global(index - imported) as u64)
    } else {
        Err(EmuError::System(format!("global {index} out of range")))
    }
}

/// The slot bits of global `index`.
fn global_bits(uc: &Emulator, info: &ModuleInfo, vmctx: u64, index: u32) -> Result<u64, EmuError> {
    let ty = info.global_type(index).ok_or_else(|| EmuError::System(format!("global {index} out of range")))?;
    let cell = global_cell(uc, info, vmctx, index)?;
    Ok(global_slot_bits(ty.ty, space::read_u64(uc, cell)?))
}

fn instantiation_trap(code: TrapCode) -> EmuError {
    EmuError::InstantiationTrap(Trap { code, offset: 0, function: None })
}

impl Instance {
    /// Evaluates a constant expression of this instance.
    fn eval(&self, uc: &Emulator, expr: compiler::module::ConstExpr) -> Result<u64, EmuError> {
        let info = &self.module.info;
        eval_const(
            expr,
            |index| global_bits(uc, info, self.vmctx, index),
            |index| self.vmctx + info.vm_offsets().funcref(index) as u64,
        )
    }

    /// Reads global `index` (imports first).
    pub(crate) fn read_global(&self, uc: &Emulator, index: u32) -> Result<Value, EmuError> {
        let info = &self.module.info;
        let ty = info.global_type(index).ok_or_else(|| EmuError::System(format!("global {index} out of range")))?;
        Value::from_slot(ty.ty, global_bits(uc, info, self.vmctx, index)?)
    }
}

impl Store {
    /// An empty store with the spectest memory, table and globals.
    pub(crate) fn new(uc: &mut Emulator) -> Result<Store, EmuError> {
        let mut space = GuestSpace::new(uc)?;
        let memory = GuestMemory::new(uc, &mut space, spectest::MEMORY_TYPE)?;
        let table = GuestTable::new(uc, &mut space, spectest::TABLE_TYPE, 0)?;
        let globals = space.alloc_data(uc, spectest::GLOBALS.len() as u64 * VMOffsets::GLOBAL_SIZE as u64)?;
        for (index, global) in spectest::GLOBALS.iter().enumerate() {
            let cell = globals + index as u64 * VMOffsets::GLOBAL_SIZE as u64;
            space::write_u64(uc, cell, global.value.to_slot()?)?;
        }
        Ok(Store {
            space,
            instances: Vec::new(),
            registered: HashMap::new(),
            memories: vec![memory],
            tables: vec![table],
            type_ids: HashMap::new(),
            spectest_memory: MemoryId(0),
            spectest_table: TableId(0),
            spectest_globals: globals,
            host_calls: Vec::new(),
            wasi: WasiState::default(),
            code_ranges: BTreeMap::new(),
        })
    }

    /// The store-wide id of function type `ty` (never 0).
    fn type_id(&mut self, ty: &FuncType) -> u64 {
        let next = self.type_ids.len() as u64 + 1;
        *self.type_ids.entry(ty.clone()).or_insert(next)
    }

    /// A fully instantiated instance.
    pub(crate) fn instance(&self, id: InstanceId) -> Result<&Instance, EmuError> {
        self.instances
            .get(id.0 as usize)
            .filter(|instance| instance.ready)
            .ok_or_else(|| EmuError::BadArguments(format!("no instance {}", id.0)))
    }

    /// Makes `id`'s exports importable as module `name`.
    pub(crate) fn register(&mut self, name: &str, id: InstanceId) -> Result<(), EmuError> {
        self.instance(id)?;
        self.registered.insert(name.to_string(), id);
        Ok(())
    }

    /// The instance whose code contains `pc`, and the offset of `pc` in it.
    pub(crate) fn locate(&self, pc: u64) -> Option<(&Instance, u32)> {
        let (&base, id) = self.code_ranges.range(..=pc).next_back()?;
        let instance = &self.instances[id.0 as usize];
        let offset = pc - base;
        (offset < instance.module.code.len() as u64).then_some((instance, offset as u32))
    }

    /// Links `module` and adds its instance (phase 1 of instantiation; the
    /// segments and the start function come next).
    pub(crate) fn build(&mut self, uc: &mut Emulator, module: Arc<CompiledModule>) -> Result<InstanceId, EmuError> {
        if module.target != Target::Aarch64 {
            return Err(EmuError::WrongTarget { module: module.target, executor: Target::Aarch64 });
        }
        let info = &module.info;
        check_consistency(info)?;
        if info.memories.len() > 1 {
            return Err(EmuError::Unsupported(format!("{} memories", info.memories.len())));
        }
        if info.globals.iter().any(|global| global.ty.ty == ValType::V128) {
            return Err(EmuError::Unsupported("v128 globals".to_string()));
        }
        let id = InstanceId(
            u32::try_from(self.instances.len()).map_err(|_| EmuError::System("too many instances".to_string()))?,
        );
        let offsets = info.vm_offsets();
        let mut image = VmContextImage(vec![0; offsets.size() as usize]);
        image.write_u64(VMOffsets::STACK_LIMIT, STACK_LIMIT);
        image.write_u64(VMOffsets::HOST_DISPATCH, HOST_DISPATCH);
        image.write_u64(VMOffsets::EXECUTOR_WORD, id.0 as u64);
        for (index, ty) in info.types.iter().enumerate() {
            let type_id = self.type_id(ty);
            image.write_u64(offsets.type_id(index as u32), type_id);
        }
        // Resolve every import before mapping anything, so a link error
        // leaves the address space as it was.
        let links = self.link_imports(uc, info)?;
        let code = self.space.alloc_code(uc, &module.code)?;
        let vmctx = self.space.alloc_data(uc, offsets.size() as u64)?;

        let mut imported_functions = Vec::new();
        let mut memory = None;
        let mut tables = Vec::new();
        let mut imported_globals = 0;
        for link in links {
            match link {
                Link::Function { code: entry, vmctx: entry_vmctx, binding } => {
                    let index = imported_functions.len() as u32;
                    let (entry, entry_vmctx) = match binding {
                        FuncBinding::Host(_) | FuncBinding::Wasi(_) => {
                            let trampoline = module.host_call(index).ok_or_else(|| {
                                EmuError::Unsupported(format!("no host-call trampoline for import {index}"))
                            })?;
                            (code + trampoline as u64, vmctx)
                        }
                        FuncBinding::Instance(..) => (entry, entry_vmctx),
                    };
                    image.write_u64(offsets.imported_function_code(index), entry);
                    image.write_u64(offsets.imported_function_vmctx(index), entry_vmctx);
                    imported_functions.push(binding);
                }
                Link::Global(cell) => {
                    image.write_u64(offsets.imported_global_pointer(imported_globals), cell);
                    imported_globals += 1;
                }
                Link::Memory(id) => memory = Some(id),
                Link::Table(id) => tables.push(id),
            }
        }
        if !info.memory_imported
            && let Some(ty) = info.memories.first()
        {
            self.memories.push(GuestMemory::new(uc, &mut self.space, *ty)?);
            memory = Some(MemoryId(self.memories.len() - 1));
        }
        if let Some(memory) = memory {
            image.write_u64(VMOffsets::MEMORY, self.memories[memory.0].cell);
        }

        // One VMFuncRef per function: what ref.func and call_indirect use.
        for index in 0..info.functions.len() as u32 {
            let (entry, entry_vmctx) = if index < info.num_imported_functions {
                (
                    image.read_u64(offsets.imported_function_code(index)),
                    image.read_u64(offsets.imported_function_vmctx(index)),
                )
            } else {
                match module.function_offset(index) {
                    Some(offset) => (code + offset as u64, vmctx),
                    None => (0, 0),
                }
            };
            let ty = info.func_type(index).ok_or_else(|| EmuError::System(format!("function {index} has no type")))?;
            let type_id = self.type_id(ty);
            let record = offsets.funcref(index);
            image.write_u64(record + VMOffsets::FUNCREF_CODE, entry);
            image.write_u64(record + VMOffsets::FUNCREF_TYPE_ID, type_id);
            image.write_u64(record + VMOffsets::FUNCREF_VMCTX, entry_vmctx);
        }
        space::write(uc, vmctx, &image.0)?;

        let mut instance = Instance {
            module: module.clone(),
            code,
            vmctx,
            id,
            memory,
            tables,
            imported_functions,
            ready: false,
            elements: Vec::new(),
            data_dropped: vec![false; info.data.len()],
        };
        let imported = offsets.num_imported_globals;
        for (index, global) in info.globals.iter().enumerate() {
            if let compiler::module::ConstExpr::GlobalGet(source) = global.init
                && source >= imported + index as u32
            {
                return Err(EmuError::System(format!("global {index} initializer reads global {source}")));
            }
            let bits = instance.eval(uc, global.init)?;
            space::write_u64(uc, vmctx + offsets.defined_global(index as u32) as u64, bits)?;
        }
        for (ty, init) in info.tables.iter().skip(info.num_imported_tables as usize).zip(&info.table_inits) {
            let init = instance.eval(uc, *init)?;
            self.tables.push(GuestTable::new(uc, &mut self.space, *ty, init)?);
            instance.tables.push(TableId(self.tables.len() - 1));
        }
        if instance.tables.len() != info.tables.len() {
            return Err(EmuError::System("table count does not match the module".to_string()));
        }
        for (index, table) in instance.tables.iter().enumerate() {
            let cell = self.tables[table.0].cell;
            space::write_u64(uc, vmctx + offsets.table_pointer(index as u32) as u64, cell)?;
        }
        self.code_ranges.insert(code, id);
        self.instances.push(instance);
        Ok(id)
    }

    /// Resolves and type-checks every import of `info`.
    fn link_imports(&self, uc: &Emulator, info: &ModuleInfo) -> Result<Vec<Link>, EmuError> {
        let mut links = Vec::with_capacity(info.imports.len());
        for import in &info.imports {
            let name = import_name(import);
            let registered = self
                .registered
                .get(&import.module)
                .map(|id| &self.instances[id.0 as usize])
                .map(|instance| (instance, &instance.module.info));
            let resolved = resolve(registered, &import.module, &import.field)?;
            let mismatch = |found: &str| EmuError::Link(format!("incompatible import type for {name}: {found}"));
            let link = match (&import.kind, resolved) {
                (ImportKind::Func(type_index), resolved) => {
                    let expected = info
                        .types
                        .get(*type_index as usize)
                        .ok_or_else(|| EmuError::System(format!("import {name} has bad type index {type_index}")))?;
                    match resolved {
                        Resolved::Export(exporter, ExportKind::Func(index)) => {
                            let found = exporter.module.info.func_type(index);
                            if found != Some(expected) {
                                return Err(mismatch(&format!("expected function {expected:?}, found {found:?}")));
                            }
                            let (code, vmctx) = function_entry(uc, exporter, index, &name)?;
                            let binding = match exporter.imported_functions.get(index as usize) {
                                Some(binding) => *binding,
                                None => FuncBinding::Instance(exporter.id, index),
                            };
                            Link::Function { code, vmctx, binding }
                        }
                        resolved => {
                            let Some((found, binding)) = resolved.host_function() else {
                                return Err(mismatch("expected a function"));
                            };
                            if &found != expected {
                                return Err(mismatch(&format!("expected function {expected:?}, found {found:?}")));
                            }
                            Link::Function { code: 0, vmctx: 0, binding }
                        }
                    }
                }
                (ImportKind::Global(expected), resolved) => {
                    let (found, cell) = match resolved {
                        Resolved::Export(exporter, ExportKind::Global(index)) => {
                            let info = &exporter.module.info;
                            let found = info.global_type(index).ok_or_else(|| mismatch("global index out of range"))?;
                            (found, global_cell(uc, info, exporter.vmctx, index)?)
                        }
                        Resolved::Host(HostItem::Global(index)) => (
                            spectest::GLOBALS[index].ty,
                            self.spectest_globals + index as u64 * VMOffsets::GLOBAL_SIZE as u64,
                        ),
                        _ => return Err(mismatch("expected a global")),
                    };
                    if !global_matches(expected, &found) {
                        return Err(mismatch(&format!("expected global {expected:?}, found {found:?}")));
                    }
                    Link::Global(cell)
                }
                (ImportKind::Memory(expected), resolved) => {
                    let found = match resolved {
                        Resolved::Export(exporter, ExportKind::Memory(0)) => exporter
                            .memory
                            .ok_or_else(|| EmuError::System(format!("{name}: exporter has no memory")))?,
                        Resolved::Host(HostItem::Memory(_)) => self.spectest_memory,
                        _ => return Err(mismatch("expected a memory")),
                    };
                    let memory = &self.memories[found.0];
                    if !memory_matches(expected, memory.pages(), &memory.ty()) {
                        return Err(mismatch(&format!(
                            "expected memory {expected:?}, found {} pages, maximum {:?}",
                            memory.pages(),
                            memory.ty().max_pages
                        )));
                    }
                    Link::Memory(found)
                }
                (ImportKind::Table(expected), resolved) => {
                    let found = match resolved {
                        Resolved::Export(exporter, ExportKind::Table(index)) => {
                            *exporter.tables.get(index as usize).ok_or_else(|| mismatch("table index out of range"))?
                        }
                        Resolved::Host(HostItem::Table(_)) => self.spectest_table,
                        _ => return Err(mismatch("expected a table")),
                    };
                    let table = &self.tables[found.0];
                    // Match against the current size, as for memories.
                    let current = compiler::module::TableType { min: table.len(), ..table.ty() };
                    if !table_matches(expected, &current) {
                        return Err(mismatch(&format!("expected table {expected:?}, found {current:?}")));
                    }
                    Link::Table(found)
                }
            };
            links.push(link);
        }
        Ok(links)
    }

    /// Applies the active element segments in order (an out-of-bounds one
    /// traps; earlier ones stay written), then drops active and declared
    /// segments, keeping passive ones for `table.init`.
    pub(crate) fn write_element_segments(&mut self, uc: &mut Emulator, id: InstanceId) -> Result<(), EmuError> {
        let instance = &self.instances[id.0 as usize];
        let info = &instance.module.info;
        let mut evaluated = Vec::with_capacity(info.elements.len());
        for segment in &info.elements {
            let items = segment.items.iter().map(|&item| instance.eval(uc, item)).collect::<Result<Vec<u64>, _>>()?;
            evaluated.push(items);
        }
        let mut kept = Vec::with_capacity(evaluated.len());
        let mut result = Ok(());
        for (segment, items) in info.elements.iter().zip(evaluated) {
            match segment.mode {
                ElementMode::Active { table, offset } => {
                    let table = instance
                        .tables
                        .get(table as usize)
                        .ok_or_else(|| EmuError::System(format!("element segment for table {table}")))?;
                    let offset = instance.eval(uc, offset)? & 0xffff_ffff;
                    if !self.tables[table.0].write(uc, offset, &items) {
                        result = Err(instantiation_trap(TrapCode::TableOutOfBounds));
                        break;
                    }
                    kept.push(None);
                }
                ElementMode::Declared => kept.push(None),
                ElementMode::Passive => kept.push(Some(items)),
            }
        }
        self.instances[id.0 as usize].elements = kept;
        result
    }

    /// Applies the active data segments in order. An out-of-bounds segment
    /// traps; the segments before it stay written (Wasm 2.0).
    pub(crate) fn write_data_segments(&mut self, uc: &mut Emulator, id: InstanceId) -> Result<(), EmuError> {
        let instance = &self.instances[id.0 as usize];
        let module = instance.module.clone();
        for (index, segment) in module.info.data.iter().enumerate() {
            let Some((memory_index, offset)) = segment.active else {
                continue;
            };
            if memory_index != 0 {
                return Err(EmuError::Unsupported(format!("data segment {index} targets memory {memory_index}")));
            }
            let instance = &self.instances[id.0 as usize];
            let memory = instance
                .memory
                .ok_or_else(|| EmuError::System(format!("data segment {index} but the module has no memory")))?;
            let offset = instance.eval(uc, offset)?;
            if !self.memories[memory.0].write(uc, offset, &segment.bytes) {
                return Err(instantiation_trap(TrapCode::MemoryOutOfBounds));
            }
            // An active segment is dropped once applied.
            self.instances[id.0 as usize].data_dropped[index] = true;
        }
        Ok(())
    }
}

/// What one import was linked to.
enum Link {
    /// A function: its code and VM context (filled in by `build` for host
    /// functions, which go through this module's own trampoline).
    Function { code: u64, vmctx: u64, binding: FuncBinding },
    /// A global: the address of its cell.
    Global(u64),
    /// Memory 0.
    Memory(MemoryId),
    /// A table.
    Table(TableId),
}

/// The code address and VM context that calling `exporter`'s function
/// `index` needs: its own code, or, for a function it imports, its import
/// entry.
fn function_entry(uc: &Emulator, exporter: &Instance, index: u32, name: &str) -> Result<(u64, u64), EmuError> {
    let info = &exporter.module.info;
    let offsets = info.vm_offsets();
    if index < info.num_imported_functions {
        let code = space::read_u64(uc, exporter.vmctx + offsets.imported_function_code(index) as u64)?;
        let vmctx = space::read_u64(uc, exporter.vmctx + offsets.imported_function_vmctx(index) as u64)?;
        return Ok((code, vmctx));
    }
    let offset = exporter
        .module
        .function_offset(index)
        .ok_or_else(|| EmuError::Unsupported(format!("{name}: exported function {index} has no code")))?;
    Ok((exporter.code + offset as u64, exporter.vmctx))
}
