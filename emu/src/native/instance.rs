//! Instantiation inside the child: linking imports, building the VM context,
//! initializing globals and data segments.
//!
//! ```text
//!   CompiledModule ─▶ build(): check target, map code, resolve imports
//!                      (registered instances, then `spectest`), fill the
//!                      VM context (memory, stack limit, host dispatcher,
//!                      executor word, imported functions and globals,
//!                      defined globals) ─▶ Instance
//!   Instance ─▶ write_data_segments() ─▶ (child) start function
//! ```
//!
//! The VM context layout is [`compiler::runtime::VMOffsets`]: besides the
//! imports and globals, instantiation fills the table pointers (shared with
//! the exporter for imported tables), the store-wide canonical id of every
//! function type, and one `VMFuncRef` per function (`ref.func` and
//! `call_indirect` go through them). Element segments are applied before
//! data segments, as Wasm 2.0 orders them.

use super::child::Store;
use super::memory::{CodeMapping, LinearMemory, VmContext};
use super::table::Table;
use crate::link::{
    self, FuncBinding, Resolved, check_consistency, global_matches, global_slot_bits, import_name, memory_matches,
    table_matches,
};
use crate::spectest::{self, HostItem};
use crate::{EmuError, InstanceId, Trap, Value};
use compiler::module::{CompiledModule, ConstExpr, ElementMode, ExportKind, ImportKind, ModuleInfo, Target, ValType};
use compiler::runtime::{TrapCode, VMOffsets};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

/// A module instantiated in the child.
pub(super) struct Instance {
    /// The compiled module.
    pub(super) module: Arc<CompiledModule>,
    /// Its code, mapped executable.
    pub(super) code: CodeMapping,
    /// Its VM context.
    pub(super) vmctx: VmContext,
    /// Memory 0, owned or shared with the exporter.
    pub(super) memory: Option<Rc<LinearMemory>>,
    /// This instance's id in the store (also its VM context's executor word).
    pub(super) id: InstanceId,
    /// What each imported function is bound to.
    pub(super) imported_functions: Vec<FuncBinding>,
    /// Whether instantiation finished (data segments and start function).
    pub(super) ready: Cell<bool>,
    /// Tables, imported first.
    pub(super) tables: Vec<Rc<Table>>,
    /// Evaluated element segments; `None` once dropped.
    pub(super) elements: RefCell<Vec<Option<Vec<u64>>>>,
    /// Whether each data segment was dropped.
    pub(super) data_dropped: RefCell<Vec<bool>>,
}

/// Pointer to the cell of global `index` (imports first) of a module with
/// `info`, whose VM context is `vmctx` (imported pointers already filled).
fn global_cell(info: &ModuleInfo, vmctx: &VmContext, index: u32) -> Result<*mut u8, EmuError> {
    let offsets = info.vm_offsets();
    let imported = offsets.num_imported_globals;
    if index < imported {
        Ok(vmctx.read_u64(offsets.imported_global_pointer(index)) as *mut u8)
    } else if index - imported < offsets.num_defined_globals {
        Ok(vmctx.field(offsets.defined_global(index - imported)))
    } else {
        Err(EmuError::System(format!("global {index} out of range")))
    }
}

/// The slot bits of global `index`, normalized for its type (an `i32` or
/// `f32` zero-extended).
fn global_bits(info: &ModuleInfo, vmctx: &VmContext, index: u32) -> Result<u64, EmuError> {
    let ty = info.global_type(index).ok_or_else(|| EmuError::System(format!("global {index} out of range")))?;
    let cell = global_cell(info, vmctx, index)?;
    // SAFETY: cells are 16-byte, 8-aligned blocks in a VM context or a host cell.
    let bits = unsafe { cell.cast::<u64>().read() };
    Ok(global_slot_bits(ty.ty, bits))
}

/// Evaluates a constant expression to slot bits.
fn eval_const(info: &ModuleInfo, vmctx: &VmContext, expr: ConstExpr) -> Result<u64, EmuError> {
    link::eval_const(
        expr,
        |index| global_bits(info, vmctx, index),
        // A function reference is the address of its VMFuncRef.
        |index| vmctx.as_ptr() as u64 + info.vm_offsets().funcref(index) as u64,
    )
}

impl Instance {
    /// Reads global `index` (imports first).
    pub(super) fn read_global(&self, index: u32) -> Result<Value, EmuError> {
        let info = &self.module.info;
        let ty = info.global_type(index).ok_or_else(|| EmuError::System(format!("global {index} out of range")))?;
        Value::from_slot(ty.ty, global_bits(info, &self.vmctx, index)?)
    }

    /// Applies the active element segments in order (an out-of-bounds one
    /// traps; earlier ones stay written), then drops active and declared
    /// segments, keeping passive ones for `table.init`.
    pub(super) fn write_element_segments(&self) -> Result<(), EmuError> {
        let info = &self.module.info;
        let mut evaluated = Vec::with_capacity(info.elements.len());
        for segment in &info.elements {
            let items = segment
                .items
                .iter()
                .map(|&item| eval_const(info, &self.vmctx, item))
                .collect::<Result<Vec<u64>, EmuError>>()?;
            evaluated.push(items);
        }
        let mut kept = Vec::with_capacity(evaluated.len());
        for (segment, items) in info.elements.iter().zip(evaluated) {
            match segment.mode {
                ElementMode::Active { table, offset } => {
                    let table = self
                        .tables
                        .get(table as usize)
                        .ok_or_else(|| EmuError::System(format!("element segment for table {table}")))?;
                    let offset = eval_const(info, &self.vmctx, offset)? & 0xffff_ffff;
                    if !table.write(offset, &items) {
                        *self.elements.borrow_mut() = kept;
                        return Err(EmuError::InstantiationTrap(Trap {
                            code: TrapCode::TableOutOfBounds,
                            offset: 0,
                            function: None,
                        }));
                    }
                    kept.push(None);
                }
                ElementMode::Declared => kept.push(None),
                ElementMode::Passive => kept.push(Some(items)),
            }
        }
        *self.elements.borrow_mut() = kept;
        Ok(())
    }

    /// Applies the active data segments in order. An out-of-bounds segment
    /// traps; the segments before it stay written (Wasm 2.0).
    pub(super) fn write_data_segments(&self) -> Result<(), EmuError> {
        let info = &self.module.info;
        for (index, segment) in info.data.iter().enumerate() {
            let Some((memory_index, offset)) = segment.active else {
                continue;
            };
            if memory_index != 0 {
                return Err(EmuError::Unsupported(format!("data segment {index} targets memory {memory_index}")));
            }
            let memory = self
                .memory
                .as_ref()
                .ok_or_else(|| EmuError::System(format!("data segment {index} but the module has no memory")))?;
            let offset = eval_const(info, &self.vmctx, offset)?;
            if !memory.write(offset, &segment.bytes) {
                return Err(EmuError::InstantiationTrap(Trap {
                    code: TrapCode::MemoryOutOfBounds,
                    offset: 0,
                    function: None,
                }));
            }
            // An active segment is dropped once applied.
            self.data_dropped.borrow_mut()[index] = true;
        }
        Ok(())
    }
}

/// Links `module` against the store and builds its instance (not yet
/// initialized: data segments and the start function come next).
pub(super) fn build(store: &Store, module: Arc<CompiledModule>, id: InstanceId) -> Result<Instance, EmuError> {
    if module.target != Target::X86_64 {
        return Err(EmuError::WrongTarget { module: module.target, executor: Target::X86_64 });
    }
    let info = &module.info;
    check_consistency(info)?;
    if info.memories.len() > 1 {
        return Err(EmuError::Unsupported(format!("{} memories", info.memories.len())));
    }
    let offsets = info.vm_offsets();
    let code = CodeMapping::new(&module.code)?;
    let vmctx = VmContext::new(offsets.size())?;
    vmctx.write_u64(VMOffsets::STACK_LIMIT, store.stack_limit());
    vmctx.write_u64(VMOffsets::HOST_DISPATCH, store.host_dispatch_address() as u64);
    vmctx.write_u64(VMOffsets::EXECUTOR_WORD, id.0 as u64);

    let mut imported_functions = Vec::new();
    let mut imported_globals = 0;
    let mut memory = None;
    let mut tables: Vec<Rc<Table>> = Vec::new();
    // Canonical type ids, shared by every instance of the store.
    for (index, ty) in info.types.iter().enumerate() {
        vmctx.write_u64(offsets.type_id(index as u32), store.type_id(ty));
    }
    for import in &info.imports {
        let name = import_name(import);
        let registered = store.registered_instance(&import.module).map(|instance| (instance, &instance.module.info));
        let resolved = link::resolve(registered, &import.module, &import.field)?;
        let mismatch = |found: &str| EmuError::Link(format!("incompatible import type for {name}: {found}"));
        match (&import.kind, resolved) {
            (ImportKind::Func(type_index), resolved) => {
                let func_index = imported_functions.len() as u32;
                let expected = info
                    .types
                    .get(*type_index as usize)
                    .ok_or_else(|| EmuError::System(format!("import {name} has bad type index {type_index}")))?;
                let (entry_code, entry_vmctx, binding) = match resolved {
                    Resolved::Export(exporter, ExportKind::Func(index)) => {
                        let found = exporter.module.info.func_type(index);
                        if found != Some(expected) {
                            return Err(mismatch(&format!("expected function {expected:?}, found {found:?}")));
                        }
                        let (code, vmctx) = function_entry(exporter, index, &name)?;
                        let binding = match exporter.imported_functions.get(index as usize) {
                            Some(binding) => *binding,
                            None => FuncBinding::Instance(exporter.id, index),
                        };
                        (code, vmctx, binding)
                    }
                    resolved => {
                        let Some((found, binding)) = resolved.host_function() else {
                            return Err(mismatch("expected a function"));
                        };
                        if &found != expected {
                            return Err(mismatch(&format!("expected function {expected:?}, found {found:?}")));
                        }
                        let trampoline = module.host_call(func_index).ok_or_else(|| {
                            EmuError::Unsupported(format!("no host-call trampoline for import {func_index} ({name})"))
                        })?;
                        (code.address(trampoline) as u64, vmctx.as_ptr() as u64, binding)
                    }
                };
                vmctx.write_u64(offsets.imported_function_code(func_index), entry_code);
                vmctx.write_u64(offsets.imported_function_vmctx(func_index), entry_vmctx);
                imported_functions.push(binding);
            }
            (ImportKind::Global(expected), resolved) => {
                let (found, cell) = match resolved {
                    Resolved::Export(exporter, ExportKind::Global(index)) => {
                        let info = &exporter.module.info;
                        let found = info.global_type(index).ok_or_else(|| mismatch("global index out of range"))?;
                        (found, global_cell(info, &exporter.vmctx, index)?)
                    }
                    Resolved::Host(HostItem::Global(index)) => {
                        (spectest::GLOBALS[index].ty, store.spectest_global(index))
                    }
                    _ => return Err(mismatch("expected a global")),
                };
                if !global_matches(expected, &found) {
                    return Err(mismatch(&format!("expected global {expected:?}, found {found:?}")));
                }
                vmctx.write_u64(offsets.imported_global_pointer(imported_globals), cell as u64);
                imported_globals += 1;
            }
            (ImportKind::Memory(expected), resolved) => {
                let found = match resolved {
                    Resolved::Export(exporter, ExportKind::Memory(0)) => exporter
                        .memory
                        .clone()
                        .ok_or_else(|| EmuError::System(format!("{name}: exporter has no memory")))?,
                    Resolved::Host(HostItem::Memory(_)) => store.spectest_memory(),
                    _ => return Err(mismatch("expected a memory")),
                };
                if !memory_matches(expected, found.pages(), &found.ty()) {
                    return Err(mismatch(&format!(
                        "expected memory {expected:?}, found {} pages, maximum {:?}",
                        found.pages(),
                        found.ty().max_pages
                    )));
                }
                memory = Some(found);
            }
            (ImportKind::Table(expected), resolved) => {
                let found = match resolved {
                    Resolved::Export(exporter, ExportKind::Table(index)) => exporter
                        .tables
                        .get(index as usize)
                        .cloned()
                        .ok_or_else(|| mismatch("table index out of range"))?,
                    Resolved::Host(HostItem::Table(_)) => store.spectest_table(),
                    _ => return Err(mismatch("expected a table")),
                };
                // Match against the current size, as for memories.
                let current = compiler::module::TableType { min: found.len(), ..found.ty() };
                if !table_matches(expected, &current) {
                    return Err(mismatch(&format!("expected table {expected:?}, found {current:?}")));
                }
                tables.push(found);
            }
        }
    }

    if !info.memory_imported
        && let Some(ty) = info.memories.first()
    {
        memory = Some(Rc::new(LinearMemory::new(*ty)?));
    }
    if let Some(memory) = &memory {
        vmctx.write_u64(VMOffsets::MEMORY, memory.vm_memory() as u64);
    }

    // One VMFuncRef per function: what ref.func and call_indirect use.
    for index in 0..info.functions.len() as u32 {
        let (entry_code, entry_vmctx) = if index < info.num_imported_functions {
            (
                vmctx.read_u64(offsets.imported_function_code(index)),
                vmctx.read_u64(offsets.imported_function_vmctx(index)),
            )
        } else {
            match module.function_offset(index) {
                Some(offset) => (code.address(offset) as u64, vmctx.as_ptr() as u64),
                None => (0, 0),
            }
        };
        let ty = info.func_type(index).ok_or_else(|| EmuError::System(format!("function {index} has no type")))?;
        let record = offsets.funcref(index);
        vmctx.write_u64(record + VMOffsets::FUNCREF_CODE, entry_code);
        vmctx.write_u64(record + VMOffsets::FUNCREF_TYPE_ID, store.type_id(ty));
        vmctx.write_u64(record + VMOffsets::FUNCREF_VMCTX, entry_vmctx);
    }

    let imported = offsets.num_imported_globals;
    for (index, global) in info.globals.iter().enumerate() {
        if global.ty.ty == ValType::V128 {
            return Err(EmuError::Unsupported("v128 globals".to_string()));
        }
        if let ConstExpr::GlobalGet(source) = global.init
            && source >= imported + index as u32
        {
            return Err(EmuError::System(format!("global {index} initializer reads global {source}")));
        }
        let bits = eval_const(info, &vmctx, global.init)?;
        vmctx.write_u64(offsets.defined_global(index as u32), bits);
    }

    for (ty, init) in info.tables.iter().skip(info.num_imported_tables as usize).zip(&info.table_inits) {
        let init = eval_const(info, &vmctx, *init)?;
        tables.push(Rc::new(Table::new(*ty, init)));
    }
    if tables.len() != info.tables.len() {
        return Err(EmuError::System("table count does not match the module".to_string()));
    }
    for (index, table) in tables.iter().enumerate() {
        vmctx.write_u64(offsets.table_pointer(index as u32), table.vm_table() as u64);
    }

    Ok(Instance {
        module: module.clone(),
        code,
        vmctx,
        memory,
        id,
        imported_functions,
        ready: Cell::new(false),
        tables,
        elements: RefCell::new(Vec::new()),
        data_dropped: RefCell::new(vec![false; info.data.len()]),
    })
}

/// The code pointer and vmctx that calling `exporter`'s function `index`
/// needs: its own code, or, for a function it imports, its import entry.
fn function_entry(exporter: &Instance, index: u32, name: &str) -> Result<(u64, u64), EmuError> {
    let info = &exporter.module.info;
    let offsets = info.vm_offsets();
    if index < info.num_imported_functions {
        let code = exporter.vmctx.read_u64(offsets.imported_function_code(index));
        let vmctx = exporter.vmctx.read_u64(offsets.imported_function_vmctx(index));
        return Ok((code, vmctx));
    }
    let offset = exporter
        .module
        .function_offset(index)
        .ok_or_else(|| EmuError::Unsupported(format!("{name}: exported function {index} has no code")))?;
    Ok((exporter.code.address(offset) as u64, exporter.vmctx.as_ptr() as u64))
}
