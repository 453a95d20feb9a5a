//! What a module exports, read straight from its bytes with wasmparser:
//! the functions to call (with their parameter types) and the globals and
//! memories to compare after every call.
//!
//! ```text
//!  generators (argument plans) ─┐
//!                               ├─▶ **ModuleExports::parse** (wasmparser)
//!  run (state to compare) ──────┘
//! ```
//!
//! This is deliberately independent of every engine under comparison.

use compiler::module::ValType;

/// One exported function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportedFunction {
    /// The export name.
    pub name: String,
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

/// The exports of a module that differential execution looks at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleExports {
    /// Exported functions, in export order.
    pub functions: Vec<ExportedFunction>,
    /// Names of exported globals, in export order.
    pub globals: Vec<String>,
    /// Names of exported memories, in export order.
    pub memories: Vec<String>,
}

impl ModuleExports {
    /// Reads the exports of `wasm`. Modules with imports are refused: the
    /// differential runner instantiates without any.
    pub fn parse(wasm: &[u8]) -> Result<ModuleExports, String> {
        let mut types: Vec<(Vec<ValType>, Vec<ValType>)> = Vec::new();
        let mut function_types: Vec<u32> = Vec::new();
        let mut exports = ModuleExports::default();
        let mut exported = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(wasm) {
            match payload.map_err(|error| error.to_string())? {
                wasmparser::Payload::TypeSection(reader) => {
                    for func_type in reader.into_iter_err_on_gc_types() {
                        let func_type = func_type.map_err(|error| error.to_string())?;
                        let params = func_type.params().iter().map(val_type).collect::<Result<_, _>>()?;
                        let results = func_type.results().iter().map(val_type).collect::<Result<_, _>>()?;
                        types.push((params, results));
                    }
                }
                wasmparser::Payload::ImportSection(reader) if reader.count() > 0 => {
                    return Err("modules with imports are not supported by the differential runner".to_string());
                }
                wasmparser::Payload::FunctionSection(reader) => {
                    for type_index in reader {
                        function_types.push(type_index.map_err(|error| error.to_string())?);
                    }
                }
                wasmparser::Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(|error| error.to_string())?;
                        exported.push((export.name.to_string(), export.kind, export.index));
                    }
                }
                _ => {}
            }
        }
        for (name, kind, index) in exported {
            match kind {
                wasmparser::ExternalKind::Func => {
                    let (params, results) = function_types
                        .get(index as usize)
                        .and_then(|&ty| types.get(ty as usize))
                        .cloned()
                        .ok_or_else(|| format!("export {name:?} names function {index}, which has no type"))?;
                    exports.functions.push(ExportedFunction { name, params, results });
                }
                wasmparser::ExternalKind::Global => exports.globals.push(name),
                wasmparser::ExternalKind::Memory => exports.memories.push(name),
                _ => {}
            }
        }
        Ok(exports)
    }
}

fn val_type(ty: &wasmparser::ValType) -> Result<ValType, String> {
    Ok(match ty {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(reference) if reference.is_func_ref() => ValType::FuncRef,
        wasmparser::ValType::Ref(_) => ValType::ExternRef,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_read_with_their_types() {
        let wasm = wat::parse_str(
            r#"(module (memory (export "mem") 1) (global (export "g") i64 (i64.const 1))
                (func (export "f") (param i32 f64) (result f32 i64) unreachable)
                (func $h) (export "h" (func $h)))"#,
        )
        .expect("wat");
        let exports = ModuleExports::parse(&wasm).expect("parses");
        assert_eq!(exports.globals, ["g"]);
        assert_eq!(exports.memories, ["mem"]);
        assert_eq!(
            exports.functions,
            [
                ExportedFunction {
                    name: "f".into(),
                    params: vec![ValType::I32, ValType::F64],
                    results: vec![ValType::F32, ValType::I64]
                },
                ExportedFunction { name: "h".into(), params: vec![], results: vec![] },
            ]
        );
    }

    #[test]
    fn imports_are_refused() {
        let wasm = wat::parse_str(r#"(module (import "m" "f" (func)))"#).expect("wat");
        assert!(ModuleExports::parse(&wasm).unwrap_err().contains("imports"));
    }
}
