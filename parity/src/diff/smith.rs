//! Generator (a): random modules from wasm-smith, shaped to the compiler's
//! current scope, with a seeded plan of calls to their exports.
//!
//! ```text
//!  (seed, index) ─▶ Rng ─▶ random bytes ─▶ wasm_smith::Module (config()) ─▶ ensure_termination
//!     ─▶ bytes + the fuel global exported ─▶ ModuleExports ─▶ call plan ─▶ Case
//! ```
//!
//! The configuration follows what `compiler/src/wasm/` translates today:
//! integer and float scalar operators, memory loads and stores,
//! `memory.size`/`memory.grow`, globals, locals, direct calls,
//! `call_indirect` through one funcref table with active element segments,
//! structured control flow and multi-value; one memory, no imports,
//! everything exported. SIMD, GC, threads, exceptions, tail calls, memory64,
//! reference types, bulk memory and extended constants are off. Operators
//! inside that set that a back end does not handle yet make their functions
//! lenient stubs, which the runner counts as unsupported.
//!
//! NaNs are canonicalized after every float operation whose NaN payload the
//! spec leaves open, so results, globals and memory are comparable bit for
//! bit. Every function ends (`ensure_termination`); the fuel global it adds
//! is exported as [`FUEL_EXPORT`] so the runner can compare it and reset
//! instances when it runs out.

use super::Case;
use super::exports::ModuleExports;
use super::values::{Rng, pick};
use compiler::module::ValType;
use emu::Value;
use wasm_smith::{Config, InstructionKind, InstructionKinds, Module};

/// The export name given to wasm-smith's termination fuel global.
pub const FUEL_EXPORT: &str = "__termination_fuel";

/// Loop iterations plus function entries one instance may make before the
/// fuel trap (`unreachable`) fires.
pub const TERMINATION_FUEL: u32 = 10_000;

/// At most this many calls per case.
pub const MAX_CALLS: usize = 24;

/// Rounds of calls over the exported functions.
const ROUNDS: usize = 4;

/// The wasm-smith configuration matching the compiler's scope (see the
/// module docs).
pub fn config() -> Config {
    Config {
        allowed_instructions: InstructionKinds::new(&[
            InstructionKind::Numeric,
            InstructionKind::Parametric,
            InstructionKind::Variable,
            InstructionKind::Memory,
            InstructionKind::Control,
        ]),
        allow_floats: true,
        canonicalize_nans: true,
        export_everything: true,
        multi_value_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        bulk_memory_enabled: false,
        reference_types_enabled: false,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        gc_enabled: false,
        custom_descriptors_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        exceptions_enabled: false,
        tail_call_enabled: false,
        memory64_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        extended_const_enabled: false,
        max_imports: 0,
        // One funcref table with active element segments: `call_indirect`.
        max_tables: 1,
        max_table_elements: 64,
        table_max_size_required: true,
        max_element_segments: 4,
        max_elements: 16,
        max_tags: 0,
        max_memories: 1,
        // Small memories keep the per-call memory comparison cheap.
        max_memory32_bytes: 4 * 65536,
        memory_max_size_required: true,
        max_data_segments: 4,
        min_types: 1,
        min_funcs: 1,
        max_funcs: 8,
        max_globals: 8,
        max_types: 8,
        max_instructions: 400,
        ..Config::default()
    }
}

/// Generates case `index` of a sweep with `seed`.
pub fn generate(seed: u64, index: u64) -> Result<Case, String> {
    let mut rng = Rng::for_case(seed, index);
    let mut last_error = String::new();
    for _attempt in 0..8 {
        let mut bytes = vec![0u8; 256 + rng.below(8 * 1024) as usize];
        rng.fill(&mut bytes);
        match case_from_bytes(&bytes, &mut rng) {
            Ok(Some(case)) => return Ok(case),
            Ok(None) => last_error = "wasm-smith rejected the random bytes".to_string(),
            Err(error) => last_error = error,
        }
    }
    Err(format!("wasm-smith could not build a module for case {index}: {last_error}"))
}

/// A case from raw bytes (a sweep's random buffer, or a fuzzer's input):
/// the module is wasm-smith's reading of `bytes`, the calls are planned with
/// `rng`. `Ok(None)` when wasm-smith cannot build a module from `bytes`.
pub fn case_from_bytes(bytes: &[u8], rng: &mut Rng) -> Result<Option<Case>, String> {
    let mut unstructured = arbitrary::Unstructured::new(bytes);
    let Ok(mut module) = Module::new(config(), &mut unstructured) else {
        return Ok(None);
    };
    let fuel_global = module.ensure_termination(TERMINATION_FUEL).map_err(|error| error.to_string())?;
    let wasm = export_global(&module.to_bytes(), FUEL_EXPORT, fuel_global)?;
    let exports = ModuleExports::parse(&wasm)?;
    let calls = plan_calls(&exports, rng);
    Ok(Some(Case { wasm, calls, termination_fuel_global: Some(FUEL_EXPORT.to_string()) }))
}

/// Calls to every exported function, [`ROUNDS`] times over, at most
/// [`MAX_CALLS`]. The first round uses gentle arguments (small integers and
/// floats, which make loops short and addresses valid); later rounds use
/// edge cases and random values.
pub fn plan_calls(exports: &ModuleExports, rng: &mut Rng) -> Vec<(String, Vec<Value>)> {
    let callable: Vec<_> = exports
        .functions
        .iter()
        .filter(|f| f.params.iter().all(|ty| matches!(ty, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64)))
        .collect();
    let mut calls = Vec::new();
    for round in 0..ROUNDS {
        for function in &callable {
            if calls.len() >= MAX_CALLS {
                return calls;
            }
            let args = function.params.iter().map(|&ty| if round == 0 { gentle(ty, rng) } else { pick(ty, rng) });
            calls.push((function.name.clone(), args.collect()));
        }
    }
    calls
}

/// A small, well-behaved argument.
fn gentle(ty: ValType, rng: &mut Rng) -> Value {
    let small = rng.below(17) as i64;
    match ty {
        ValType::I32 => Value::I32(small as i32),
        ValType::I64 => Value::I64(small),
        ValType::F32 => Value::F32((small as f32 - 8.0).to_bits()),
        _ => Value::F64((small as f64 / 2.0 - 4.0).to_bits()),
    }
}

/// Adds an export of global `index` named `name` (or `name` with a suffix,
/// if the module already exports that name) to the binary module `wasm`.
pub fn export_global(wasm: &[u8], name: &str, index: u32) -> Result<Vec<u8>, String> {
    const EXPORT_SECTION: u8 = 7;
    // Where each known section goes in a module (the binary format's order).
    fn rank(id: u8) -> Option<usize> {
        [1u8, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11].iter().position(|&known| known == id)
    }
    let existing = ModuleExports::parse(wasm)?;
    let taken = |candidate: &str| {
        existing.functions.iter().any(|f| f.name == candidate)
            || existing.globals.iter().chain(&existing.memories).any(|n| n == candidate)
    };
    let mut unique = name.to_string();
    while taken(&unique) {
        unique.push('_');
    }
    let mut entry = Vec::new();
    write_leb(&mut entry, unique.len() as u64);
    entry.extend_from_slice(unique.as_bytes());
    entry.push(0x03); // global
    write_leb(&mut entry, u64::from(index));

    if wasm.len() < 8 {
        return Err("not a wasm module: too short".to_string());
    }
    let mut out = wasm[..8].to_vec();
    let mut position = 8;
    let mut inserted = false;
    while position < wasm.len() {
        let id = wasm[position];
        let (size, leb_len) = read_leb(&wasm[position + 1..])?;
        let body_start = position + 1 + leb_len;
        let body_end = body_start.checked_add(size as usize).filter(|&end| end <= wasm.len());
        let body = &wasm[body_start..body_end.ok_or("a section runs past the end of the module")?];
        if id == EXPORT_SECTION {
            let (count, count_len) = read_leb(body)?;
            let mut section = Vec::new();
            write_leb(&mut section, count + 1);
            section.extend_from_slice(&body[count_len..]);
            section.extend_from_slice(&entry);
            write_section(&mut out, EXPORT_SECTION, &section);
            inserted = true;
        } else {
            if !inserted && rank(id).is_some_and(|r| Some(r) > rank(EXPORT_SECTION)) {
                let mut section = vec![1];
                section.extend_from_slice(&entry);
                write_section(&mut out, EXPORT_SECTION, &section);
                inserted = true;
            }
            write_section(&mut out, id, body);
        }
        position = body_start + body.len();
    }
    if !inserted {
        let mut section = vec![1];
        section.extend_from_slice(&entry);
        write_section(&mut out, EXPORT_SECTION, &section);
    }
    Ok(out)
}

fn write_section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
    out.push(id);
    write_leb(out, body.len() as u64);
    out.extend_from_slice(body);
}

fn write_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads an unsigned LEB128 number: the value and its length in bytes.
fn read_leb(bytes: &[u8]) -> Result<(u64, usize), String> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    Err("malformed LEB128 number".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globals_get_exported_with_or_without_an_export_section() {
        for wat in [
            r#"(module (global (mut i32) (i32.const 3)) (func (export "f")))"#,
            r#"(module (global (mut i32) (i32.const 3)) (func) (start 0))"#,
            r#"(module (global (mut i32) (i32.const 3)))"#,
            r#"(module (global (export "__termination_fuel") i32 (i32.const 3)) (global i32 (i32.const 4)))"#,
        ] {
            let wasm = wat::parse_str(wat).expect("wat");
            let index = if wat.contains("i32.const 4") { 1 } else { 0 };
            let rewritten = export_global(&wasm, FUEL_EXPORT, index).expect("rewrites");
            wasmparser::validate(&rewritten).unwrap_or_else(|error| panic!("{wat}: {error}"));
            let exports = ModuleExports::parse(&rewritten).expect("parses");
            assert!(exports.globals.iter().any(|g| g.starts_with(FUEL_EXPORT)), "{wat}: {exports:?}");
        }
    }

    #[test]
    fn generation_is_deterministic_and_in_scope() {
        for index in 0..5 {
            let case = generate(7, index).expect("generates");
            assert_eq!(case, generate(7, index).expect("generates again"));
            let mut features = wasmparser::WasmFeatures::WASM1;
            features.insert(wasmparser::WasmFeatures::MULTI_VALUE);
            features.insert(wasmparser::WasmFeatures::SIGN_EXTENSION);
            features.insert(wasmparser::WasmFeatures::SATURATING_FLOAT_TO_INT);
            wasmparser::Validator::new_with_features(features)
                .validate_all(&case.wasm)
                .unwrap_or_else(|error| panic!("case {index} uses more than the configured features: {error}"));
            let exports = ModuleExports::parse(&case.wasm).expect("parses");
            assert!(exports.globals.iter().any(|g| g == FUEL_EXPORT));
            assert!(case.calls.len() <= MAX_CALLS);
            assert!(case.calls.iter().all(|(name, _)| exports.functions.iter().any(|f| &f.name == name)));
        }
    }
}
