//! Wasm front end: parsing, validation and translation to IR.
//!
//! ```text
//! .wasm ─▶ **wasm::parse_module** (wasmparser: parse + validate sections)
//!       ─▶ **wasm::translate_function** (validate + translate each body) ─▶ ir::Function
//! ```
//!
//! [`parse_module`] reads every section through wasmparser's validator and
//! builds the [`ModuleInfo`] the runtime needs, plus the function bodies,
//! each paired with its function validator. [`translate::translate_function`]
//! then validates each body operator by operator while translating it, so
//! no operator is translated before it is validated. [`trampoline`] builds
//! the array-entry and host-call trampolines in IR.

pub mod environ;
pub mod operators;
pub mod trampoline;
pub mod translate;

pub use environ::{FunctionBodyInput, ParsedModule, parse_module};
pub use translate::translate_function;

use crate::error::{CompileError, CompileResult};
use crate::ir::{Signature, Type};
use crate::module::{FuncType, ModuleInfo, ValType};
use crate::runtime::MAX_REGISTER_RESULTS;

/// The IR type of a Wasm value type, or an unsupported error.
pub fn ir_type(ty: ValType) -> CompileResult<Type> {
    match ty {
        ValType::I32 => Ok(Type::I32),
        ValType::I64 => Ok(Type::I64),
        ValType::F32 => Ok(Type::F32),
        ValType::F64 => Ok(Type::F64),
        ValType::V128 => Err(CompileError::unsupported("v128 values (SIMD)", None)),
        // References are pointer-sized words; 0 is null.
        ValType::FuncRef | ValType::ExternRef => Ok(Type::I64),
    }
}

/// The IR signature of a Wasm function type under the runtime's calling
/// convention: `(vmctx, params..., [return area]) -> first results`.
pub fn wasm_signature(ty: &FuncType) -> CompileResult<Signature> {
    let mut params = vec![Type::I64];
    for &param in &ty.params {
        params.push(ir_type(param)?);
    }
    let mut returns = Vec::new();
    for &result in &ty.results {
        returns.push(ir_type(result)?);
    }
    if returns.len() > MAX_REGISTER_RESULTS {
        returns.truncate(MAX_REGISTER_RESULTS);
        params.push(Type::I64);
    }
    Ok(Signature::new(params, returns))
}

/// Whether a function type needs a return area.
pub fn needs_return_area(ty: &FuncType) -> bool {
    ty.results.len() > MAX_REGISTER_RESULTS
}

/// Emits a call to Wasm function `function_index` with `args` (the first of
/// which is the caller's vmctx), following the runtime calling convention:
/// a direct call for a defined function, an indirect call through the VM
/// context's import entry (with the callee's vmctx) for an imported one, and
/// a stack-allocated return area when the callee has more results than
/// registers. Returns all results.
pub(crate) fn call_function(
    b: &mut crate::ir::FunctionBuilder<'_>,
    info: &ModuleInfo,
    func_refs: &mut std::collections::HashMap<u32, crate::ir::FuncRef>,
    function_index: u32,
    signature: Signature,
    args: Vec<crate::ir::Value>,
    vmctx: crate::ir::Value,
) -> Vec<crate::ir::Value> {
    let ty = info.func_type(function_index).cloned().unwrap_or(FuncType { params: vec![], results: vec![] });
    emit_call(b, info, func_refs, Callee::Function(function_index), &ty, signature, args, vmctx)
}

/// What a call goes to.
pub(crate) enum Callee {
    /// Function `index` of the module (imports first).
    Function(u32),
    /// A code pointer with its vmctx (from a `VMFuncRef`).
    Pointer { code: crate::ir::Value, vmctx: crate::ir::Value },
}

/// Emits a call of `callee` of Wasm type `ty`; see [`call_function`].
#[expect(clippy::too_many_arguments, reason = "the pieces of one call site")]
pub(crate) fn emit_call(
    b: &mut crate::ir::FunctionBuilder<'_>,
    info: &ModuleInfo,
    func_refs: &mut std::collections::HashMap<u32, crate::ir::FuncRef>,
    callee: Callee,
    ty: &FuncType,
    signature: Signature,
    mut args: Vec<crate::ir::Value>,
    vmctx: crate::ir::Value,
) -> Vec<crate::ir::Value> {
    use crate::ir::Opcode;
    let ty = ty.clone();
    let area = if needs_return_area(&ty) {
        let extra = (ty.results.len() - MAX_REGISTER_RESULTS) as u32;
        let slot = b.create_stack_slot(extra * 8);
        let address = b.stack_addr(slot, 0);
        args.push(address);
        Some(address)
    } else {
        None
    };
    let mut results = match callee {
        Callee::Pointer { code, vmctx: callee_vmctx } => {
            args[0] = callee_vmctx;
            let sig = b.import_signature(signature);
            b.call_indirect(sig, code, &args)
        }
        Callee::Function(function_index) if function_index < info.num_imported_functions => {
            let offsets = info.vm_offsets();
            let code = b.load(Opcode::Load, Type::I64, vmctx, offsets.imported_function_code(function_index) as i32);
            let callee_vmctx =
                b.load(Opcode::Load, Type::I64, vmctx, offsets.imported_function_vmctx(function_index) as i32);
            args[0] = callee_vmctx;
            let sig = b.import_signature(signature);
            b.call_indirect(sig, code, &args)
        }
        Callee::Function(function_index) => {
            let func_ref = *func_refs.entry(function_index).or_insert_with(|| {
                let sig = b.import_signature(signature);
                b.import_function(function_index, sig)
            });
            b.call(func_ref, &args)
        }
    };
    if let Some(address) = area {
        for (i, &result) in ty.results.iter().enumerate().skip(MAX_REGISTER_RESULTS) {
            let t = ir_type(result).unwrap_or(Type::I64);
            let offset = ((i - MAX_REGISTER_RESULTS) * 8) as i32;
            let value = b.load(Opcode::Load, t, address, offset);
            results.push(value);
        }
    }
    results
}
