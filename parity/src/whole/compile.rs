//! Cranelift's real output: a module compiled by wasmtime for one target,
//! cut into its functions.
//!
//! Part of `whole`, its first step:
//!
//! ```text
//! .wasm ─wasmtime::Engine (target, opt-level speed)::precompile_module─▶ ELF
//!       ─object─▶ .text + FUNC symbols ─▶ [Function { name, kind, code }]
//! ```
//!
//! wasmtime names each compiled function with a local `FUNC` symbol whose
//! size covers its code and any constants after it (not the alignment
//! padding between functions): `wasm[0]::function[N]::name` for the
//! module's functions; `wasm[0]::array_to_wasm_trampoline[N]`,
//! `signatures[N]::wasm_to_array_trampoline`, `wasmtime_builtin_*` and
//! `module_start[N]::*` for the trampolines and glue around them.

use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};

/// What a compiled symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FunctionKind {
    /// One of the module's own functions.
    Wasm,
    /// A trampoline or other glue wasmtime adds.
    Trampoline,
}

/// One compiled function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// Its symbol name.
    pub name: String,
    /// What it is.
    pub kind: FunctionKind,
    /// Its bytes (code, jump tables, constants).
    pub code: Vec<u8>,
}

/// The kind of the symbol `name`.
pub fn kind_of(name: &str) -> FunctionKind {
    if name.starts_with("wasm[") && name.contains("]::function[") {
        FunctionKind::Wasm
    } else {
        FunctionKind::Trampoline
    }
}

/// A wasmtime engine that compiles for `triple` at Cranelift's `speed`
/// optimization level (wasmtime's default).
pub fn engine(triple: &str) -> Result<wasmtime::Engine, String> {
    let mut config = wasmtime::Config::new();
    config.target(triple).map_err(|e| format!("wasmtime cannot target {triple}: {e}"))?;
    config.cranelift_opt_level(wasmtime::OptLevel::Speed);
    wasmtime::Engine::new(&config).map_err(|e| format!("wasmtime engine for {triple}: {e}"))
}

/// Compiles `wasm` with `engine` and returns its functions, in address
/// order.
pub fn compile(engine: &wasmtime::Engine, wasm: &[u8]) -> Result<Vec<Function>, String> {
    let elf = engine.precompile_module(wasm).map_err(|e| format!("wasmtime cannot compile it: {e}"))?;
    functions(&elf)
}

/// The `FUNC` symbols of an ELF file and their bytes in `.text`.
pub fn functions(elf: &[u8]) -> Result<Vec<Function>, String> {
    let file = object::File::parse(elf).map_err(|e| format!("not an object file: {e}"))?;
    let text = file.section_by_name(".text").ok_or("no .text section")?;
    let data = text.data().map_err(|e| format!(".text: {e}"))?;
    let mut functions = Vec::new();
    for symbol in file.symbols() {
        if symbol.kind() != SymbolKind::Text || symbol.section_index() != Some(text.index()) || symbol.size() == 0 {
            continue;
        }
        let name = symbol.name().map_err(|e| format!("symbol name: {e}"))?.to_string();
        let start = symbol.address().checked_sub(text.address()).ok_or_else(|| format!("{name}: before .text"))?;
        let range = usize::try_from(start)
            .ok()
            .and_then(|start| Some(start..start.checked_add(usize::try_from(symbol.size()).ok()?)?))
            .ok_or_else(|| format!("{name}: address out of range"))?;
        let code = data.get(range).ok_or_else(|| format!("{name}: extends past the end of .text"))?.to_vec();
        functions.push((symbol.address(), Function { kind: kind_of(&name), name, code }));
    }
    functions.sort_by_key(|(address, _)| *address);
    Ok(functions.into_iter().map(|(_, f)| f).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_names_tell_functions_from_trampolines() {
        assert_eq!(kind_of("wasm[0]::function[5]::__original_main"), FunctionKind::Wasm);
        assert_eq!(kind_of("wasm[0]::function[12]"), FunctionKind::Wasm);
        assert_eq!(kind_of("wasm[0]::array_to_wasm_trampoline[4]"), FunctionKind::Trampoline);
        assert_eq!(kind_of("signatures[1]::wasm_to_array_trampoline"), FunctionKind::Trampoline);
        assert_eq!(kind_of("wasmtime_builtin_memory_copy"), FunctionKind::Trampoline);
        assert_eq!(kind_of("module_start[0]::Wasm"), FunctionKind::Trampoline);
    }

    #[test]
    fn both_targets_compile_to_named_functions() {
        let wasm = wat::parse_str(
            r#"(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#,
        )
        .unwrap();
        for triple in ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"] {
            let functions = compile(&engine(triple).unwrap(), &wasm).unwrap();
            let wasm_functions: Vec<&Function> = functions.iter().filter(|f| f.kind == FunctionKind::Wasm).collect();
            assert_eq!(wasm_functions.len(), 1, "{triple}: {functions:?}");
            assert!(wasm_functions[0].name.starts_with("wasm[0]::function[0]"), "{}", wasm_functions[0].name);
            assert!(!wasm_functions[0].code.is_empty());
            assert!(functions.iter().any(|f| f.kind == FunctionKind::Trampoline), "{triple}");
        }
    }

    #[test]
    fn garbage_is_not_an_object_file() {
        assert!(functions(b"not an elf").unwrap_err().starts_with("not an object file"));
    }
}
