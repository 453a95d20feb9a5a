//! The compiler driver: a whole module from bytes to a [`CompiledModule`].
//!
//! ```text
//! wasm bytes ─▶ wasm::parse_module ─▶ per function: wasm::translate_function
//!   ─▶ ir::verify ─▶ isa::compile_function ─▶ per-function code
//!   + trampolines (array entry per exported/start function, host call per import)
//!   ─▶ link: lay out, resolve call relocations, merge trap tables ─▶ CompiledModule
//! ```
//!
//! Compile time is linear in the input: each function is translated,
//! verified, allocated and emitted once; linking is one pass over the code
//! and its relocations.

use crate::error::{CompileError, CompileResult};
use crate::ir::Function;
use crate::machinst::{MachBufferFinalized, RelocKind};
use crate::module::{CallSite, CompiledModule, ExportKind, FunctionKind, FunctionLayout, Target, TrapSite};
use crate::runtime::TrapCode;
use crate::wasm::{self, trampoline};
use std::collections::BTreeSet;
use wasmparser::FuncValidatorAllocations;

/// How to compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileOptions {
    /// The instruction set to generate code for.
    pub target: Target,
    /// Replace functions that use unsupported operators by stubs that trap
    /// with [`TrapCode::Unsupported`] instead of failing the whole module.
    pub lenient: bool,
    /// Run the IR verifier and the register allocator's checker.
    pub verify: bool,
    /// A deliberate miscompilation, for the harness's self-test only.
    pub fault: Option<Fault>,
}

impl CompileOptions {
    /// Strict compilation for `target` with verification on.
    pub fn new(target: Target) -> Self {
        Self { target, lenient: false, verify: true, fault: None }
    }
}

/// A known class of code-generation bug that the compiler can be told to
/// commit on purpose, so that the differential harness can show it catches
/// it (`parity sweep --inject-fault`). Never set outside that self-test.
///
/// Each fault is a realistic defect, invisible to the IR verifier and to
/// regalloc2's checker; only running the code can reveal it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// 32-bit `ishl`/`ushr` by a variable amount use the 64-bit shift, so
    /// the amount is masked to 6 bits instead of Wasm's 5.
    ShiftMask,
    /// Ordering comparisons use the signed condition for an unsigned one
    /// and the other way around.
    CompareSign,
    /// Integer spills store only the low 32 bits of the register (reloads
    /// still read 64).
    SpillWidth,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 3] = [Fault::ShiftMask, Fault::CompareSign, Fault::SpillWidth];

    /// The name used on command lines.
    pub fn name(self) -> &'static str {
        match self {
            Fault::ShiftMask => "shift-mask",
            Fault::CompareSign => "compare-sign",
            Fault::SpillWidth => "spill-width",
        }
    }

    /// The condition a back end tests for `cond` under this fault.
    pub fn compare(fault: Option<Fault>, cond: crate::ir::IntCC) -> crate::ir::IntCC {
        use crate::ir::IntCC::*;
        if fault != Some(Fault::CompareSign) {
            return cond;
        }
        match cond {
            SignedLessThan => UnsignedLessThan,
            SignedLessThanOrEqual => UnsignedLessThanOrEqual,
            SignedGreaterThan => UnsignedGreaterThan,
            SignedGreaterThanOrEqual => UnsignedGreaterThanOrEqual,
            UnsignedLessThan => SignedLessThan,
            UnsignedLessThanOrEqual => SignedLessThanOrEqual,
            UnsignedGreaterThan => SignedGreaterThan,
            UnsignedGreaterThanOrEqual => SignedGreaterThanOrEqual,
            Equal | NotEqual => cond,
        }
    }

    /// Parses [`Fault::name`].
    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// One function ready for code generation.
struct PendingFunction {
    name: String,
    kind: FunctionKind,
    ir: Function,
}

/// Translates a module to IR functions (Wasm functions and trampolines).
/// Returns them with the module's description and the functions replaced by
/// stubs (lenient mode).
pub fn translate_module(wasm_bytes: &[u8], options: &CompileOptions) -> CompileResult<TranslatedModule> {
    let parsed = wasm::parse_module(wasm_bytes)?;
    let ignored = Vec::new();
    let info = parsed.info;
    let mut allocations = FuncValidatorAllocations::default();
    let mut functions = Vec::new();
    let mut unsupported = Vec::new();
    let mut first_unsupported: Option<CompileError> = parsed.unsupported;
    for body in parsed.bodies {
        let index = body.index;
        let name = format!("func{index}");
        match wasm::translate_function(&info, body, &mut allocations)? {
            Ok(func) => functions.push(PendingFunction { name, kind: FunctionKind::Wasm(index), ir: func }),
            Err(error) => {
                let signature = info
                    .func_type(index)
                    .and_then(|ty| wasm::wasm_signature(ty).ok())
                    .unwrap_or_else(|| crate::ir::Signature::new(vec![crate::ir::Type::I64], vec![]));
                unsupported.push((index, error.to_string()));
                functions.push(PendingFunction {
                    name: name.clone(),
                    kind: FunctionKind::Wasm(index),
                    ir: trampoline::trap_stub(name, signature, TrapCode::Unsupported),
                });
                first_unsupported.get_or_insert(error);
            }
        }
    }
    // Module-level features we cannot run are an error even when lenient;
    // unsupported function bodies are an error only when strict.
    if let Some(error) = first_unsupported
        && (!options.lenient || error.function.is_none())
    {
        return Err(error);
    }

    // Trampolines: an array entry for every exported function and the start
    // function; a host call for every imported function.
    let mut entries = BTreeSet::new();
    for export in &info.exports {
        if let ExportKind::Func(index) = export.kind {
            entries.insert(index);
        }
    }
    entries.extend(info.start);
    let stubbed: BTreeSet<u32> = unsupported.iter().map(|(i, _)| *i).collect();
    for index in entries {
        let name = format!("entry{index}");
        let ir = match trampoline::array_entry(&info, index) {
            Ok(ir) => ir,
            Err(e) if e.is_unsupported() && (options.lenient || stubbed.contains(&index)) => {
                let signature = crate::ir::Signature::new(vec![crate::ir::Type::I64, crate::ir::Type::I64], vec![]);
                trampoline::trap_stub(name.clone(), signature, TrapCode::Unsupported)
            }
            Err(e) => return Err(e),
        };
        functions.push(PendingFunction { name, kind: FunctionKind::ArrayEntry(index), ir });
    }
    for index in 0..info.num_imported_functions {
        let name = format!("host_call{index}");
        match trampoline::host_call(&info, index) {
            Ok(ir) => functions.push(PendingFunction { name, kind: FunctionKind::HostCall(index), ir }),
            Err(e) if e.is_unsupported() && options.lenient => {}
            Err(e) => return Err(e),
        }
    }
    let functions = functions.into_iter().map(|f| (f.name, f.kind, f.ir)).collect();
    Ok(TranslatedModule { info, functions, unsupported, ignored })
}

/// A module translated to IR.
pub struct TranslatedModule {
    /// The module's static description.
    pub info: crate::module::ModuleInfo,
    /// Every function to compile: Wasm functions (or their stubs) and
    /// trampolines, with names and kinds.
    pub functions: Vec<(String, FunctionKind, Function)>,
    /// Functions replaced by stubs, with the reason.
    pub unsupported: Vec<(u32, String)>,
    /// Module-level features ignored in lenient mode.
    pub ignored: Vec<String>,
}

/// Compiles one IR function for `target`.
pub fn compile_function(func: &Function, options: &CompileOptions) -> CompileResult<MachBufferFinalized> {
    if options.verify {
        crate::ir::verifier::verify_function(func)
            .map_err(|e| CompileError::internal(format!("IR verifier rejected {}: {e}", func.name)))?;
    }
    match options.target {
        Target::X86_64 => crate::isa::x64::compile_function_with(func, options.verify, options.fault),
        Target::Aarch64 => crate::isa::aarch64::compile_function_with(func, options.verify, options.fault),
    }
}

/// Compiles a WebAssembly module (binary format).
pub fn compile_module(wasm_bytes: &[u8], options: &CompileOptions) -> CompileResult<CompiledModule> {
    compile_module_with_call_sites(wasm_bytes, options).map(|(module, _)| module)
}

/// Compiles a WebAssembly module like [`compile_module`] and also returns
/// every call between its functions (already resolved in the code), so that
/// an object-file writer can emit them as relocations.
pub fn compile_module_with_call_sites(
    wasm_bytes: &[u8],
    options: &CompileOptions,
) -> CompileResult<(CompiledModule, Vec<CallSite>)> {
    let TranslatedModule { info, functions, mut unsupported, ignored } = translate_module(wasm_bytes, options)?;
    let mut compiled = Vec::with_capacity(functions.len());
    for (name, kind, ir) in &functions {
        let in_function = |e: CompileError| match kind {
            FunctionKind::Wasm(index) => e.in_function(*index),
            _ => CompileError { message: format!("{} (in {name})", e.message), ..e },
        };
        let code = match compile_function(ir, options) {
            Ok(code) => code,
            // What a back end cannot lower is treated like an operator the
            // translator cannot handle: in lenient mode the function becomes
            // a stub that traps with `Unsupported`. The stub ignores its
            // arguments and never returns, so its signature only needs the
            // vmctx.
            Err(e) if e.is_unsupported() && options.lenient => {
                let index = match *kind {
                    FunctionKind::Wasm(i) | FunctionKind::ArrayEntry(i) | FunctionKind::HostCall(i) => i,
                };
                if !unsupported.iter().any(|(i, _)| *i == index) {
                    unsupported.push((index, in_function(e).to_string()));
                }
                let signature = crate::ir::Signature::new(vec![crate::ir::Type::I64], vec![]);
                let stub = trampoline::trap_stub(name.clone(), signature, TrapCode::Unsupported);
                compile_function(&stub, options).map_err(in_function)?
            }
            Err(e) => return Err(in_function(e)),
        };
        compiled.push((name.clone(), *kind, code));
    }
    let (mut module, call_sites) = link(options.target, info, compiled, unsupported)?;
    module.ignored = ignored;
    Ok((module, call_sites))
}

/// Lays out compiled functions in one blob and resolves calls between them;
/// returns the resolved call sites too.
fn link(
    target: Target,
    info: crate::module::ModuleInfo,
    compiled: Vec<(String, FunctionKind, MachBufferFinalized)>,
    unsupported: Vec<(u32, String)>,
) -> CompileResult<(CompiledModule, Vec<CallSite>)> {
    const ALIGN: usize = 16;
    let mut code = Vec::new();
    let mut layouts = Vec::with_capacity(compiled.len());
    let mut symbol_offsets = vec![u32::MAX; info.functions.len()];
    for (name, kind, buffer) in &compiled {
        while code.len() % ALIGN != 0 {
            code.push(match target {
                Target::X86_64 => 0xCC,
                Target::Aarch64 => 0,
            });
        }
        let offset = code.len() as u32;
        if let FunctionKind::Wasm(index) = kind {
            symbol_offsets[*index as usize] = offset;
        }
        code.extend_from_slice(&buffer.data);
        layouts.push(FunctionLayout { name: name.clone(), kind: *kind, offset, len: buffer.data.len() as u32 });
    }
    let mut trap_table = Vec::new();
    let mut call_sites = Vec::new();
    for ((_, _, buffer), layout) in compiled.iter().zip(&layouts) {
        for reloc in &buffer.relocs {
            let target_offset = *symbol_offsets
                .get(reloc.symbol as usize)
                .filter(|&&o| o != u32::MAX)
                .ok_or_else(|| CompileError::internal(format!("call to unknown function {}", reloc.symbol)))?;
            let at = (layout.offset + reloc.offset) as i64;
            call_sites.push(CallSite {
                offset: at as u32,
                kind: reloc.kind,
                callee: reloc.symbol,
                addend: reloc.addend,
            });
            match reloc.kind {
                RelocKind::X86CallPCRel4 => {
                    let value = target_offset as i64 + reloc.addend - at;
                    let value = i32::try_from(value).map_err(|_| CompileError::internal("call out of range"))?;
                    code[at as usize..at as usize + 4].copy_from_slice(&value.to_le_bytes());
                }
                RelocKind::Arm64Call => {
                    let delta = (target_offset as i64 + reloc.addend - at) >> 2;
                    let word = u32::from_le_bytes(code[at as usize..at as usize + 4].try_into().expect("4 bytes"));
                    let word = (word & 0xFC00_0000) | (delta as u32 & 0x03FF_FFFF);
                    code[at as usize..at as usize + 4].copy_from_slice(&word.to_le_bytes());
                }
            }
        }
        trap_table.extend(buffer.traps.iter().map(|t| TrapSite { offset: layout.offset + t.offset, code: t.code }));
    }
    trap_table.sort_by_key(|t| t.offset);
    let module =
        CompiledModule { target, code, functions: layouts, trap_table, info, unsupported, ignored: Vec::new() };
    Ok((module, call_sites))
}
