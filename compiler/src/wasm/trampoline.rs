//! Trampolines between executors and Wasm code, built in IR.
//!
//! Part of the Wasm front end (`wasm/`): these functions go through the same
//! pipeline as translated Wasm functions (lower, allocate, emit), so every
//! ISA gets them for free.
//!
//! - The *array entry* trampoline of a function has the signature
//!   `(vmctx: i64, values: i64) -> ()`: it loads the arguments from the
//!   8-byte slots at `values`, calls the function, and stores the results
//!   back into the slots.
//! - The *host-call* trampoline of an imported function has the function's
//!   own Wasm signature: it spills the arguments to a stack slot array, calls
//!   `vmctx.host_dispatch(vmctx, import_index, values)` and traps with
//!   [`TrapCode::HostError`] if the dispatcher returns non-zero; otherwise it
//!   returns the results the host wrote into the slots.

use crate::error::CompileResult;
use crate::ir::{Function, FunctionBuilder, Opcode, Signature, Type};
use crate::module::ModuleInfo;
use crate::runtime::{MAX_REGISTER_RESULTS, TrapCode, VALUE_SLOT_SIZE, VMOffsets};
use crate::wasm::{call_function, ir_type, needs_return_area, wasm_signature};
use std::collections::HashMap;

/// Builds the array entry trampoline for function `index`.
pub fn array_entry(info: &ModuleInfo, index: u32) -> CompileResult<Function> {
    let ty = info.func_type(index).cloned().unwrap_or_default();
    let signature = wasm_signature(&ty)?;
    let mut func = Function::new(format!("entry{index}"), Signature::new(vec![Type::I64, Type::I64], vec![]));
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    let params = b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let (vmctx, values) = (params[0], params[1]);
    let mut args = vec![vmctx];
    for (i, &param) in ty.params.iter().enumerate() {
        let v = b.load(Opcode::Load, ir_type(param)?, values, (i as u32 * VALUE_SLOT_SIZE) as i32);
        args.push(v);
    }
    let results = call_function(&mut b, info, &mut HashMap::new(), index, signature, args, vmctx);
    for (i, &result) in results.iter().enumerate() {
        b.store(Opcode::Store, result, values, (i as u32 * VALUE_SLOT_SIZE) as i32);
    }
    b.return_(&[]);
    Ok(func)
}

/// Builds the host-call trampoline for imported function `index`.
pub fn host_call(info: &ModuleInfo, index: u32) -> CompileResult<Function> {
    let ty = info.func_type(index).cloned().unwrap_or_default();
    let signature = wasm_signature(&ty)?;
    let mut func = Function::new(format!("host_call{index}"), signature);
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    let params = b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let vmctx = params[0];
    let slots = ty.params.len().max(ty.results.len()).max(1) as u32;
    let slot = b.create_stack_slot(slots * VALUE_SLOT_SIZE);
    let values = b.stack_addr(slot, 0);
    for (i, &param) in params[1..1 + ty.params.len()].iter().enumerate() {
        b.store(Opcode::Store, param, values, (i as u32 * VALUE_SLOT_SIZE) as i32);
    }
    let dispatch = b.load(Opcode::Load, Type::I64, vmctx, VMOffsets::HOST_DISPATCH as i32);
    let import_index = b.iconst(Type::I32, index as i64);
    let dispatch_sig = b.import_signature(Signature::new(vec![Type::I64, Type::I32, Type::I64], vec![Type::I32]));
    let status = b.call_indirect(dispatch_sig, dispatch, &[vmctx, import_index, values]);
    b.cond_trap(Opcode::Trapnz, status[0], TrapCode::HostError);
    let mut results = Vec::new();
    for (i, &result) in ty.results.iter().enumerate() {
        results.push(b.load(Opcode::Load, ir_type(result)?, values, (i as u32 * VALUE_SLOT_SIZE) as i32));
    }
    if needs_return_area(&ty) {
        let area = *params.last().expect("return area parameter");
        for (i, &v) in results.iter().enumerate().skip(MAX_REGISTER_RESULTS) {
            b.store(Opcode::Store, v, area, ((i - MAX_REGISTER_RESULTS) as u32 * VALUE_SLOT_SIZE) as i32);
        }
    }
    let in_registers = results.len().min(MAX_REGISTER_RESULTS);
    b.return_(&results[..in_registers]);
    Ok(func)
}

/// A stub with `signature` whose body traps with `code`: stands in for a
/// function the compiler could not translate (lenient mode).
pub fn trap_stub(name: String, signature: Signature, code: TrapCode) -> Function {
    let mut func = Function::new(name, signature);
    let mut b = FunctionBuilder::new(&mut func);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    b.trap(code);
    func
}
