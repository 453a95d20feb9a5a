//! Symbol names in the object files written by [`crate::object`]: one place
//! that decides what every function, trampoline and export is called, used
//! by the writer and by the static description.
//!
//! | symbol                               | what                                 | binding |
//! |--------------------------------------|--------------------------------------|---------|
//! | `wasm2native_func<N>`                | Wasm function N (imports first)      | local   |
//! | `wasm2native_entry<N>`               | array entry trampoline of function N | local   |
//! | `wasm2native_host_call<N>`           | host-call trampoline of import N     | local   |
//! | `wasm2native_export_<mangled name>`  | an exported function's array entry   | global  |
//! | `wasm2native_module`                 | the static description               | global  |
//! | `wasm2native_code`                   | the first byte of the code           | local   |
//! | `wasm2native_data`                   | the first data-segment byte          | local   |
//! | `wasm2native_data_segment<N>`        | the bytes of data segment N          | local   |
//!
//! Global symbols have hidden visibility on ELF (private extern on
//! Mach-O): they link into one executable or shared object but are not
//! exported from it. Mach-O prefixes every name with `_`, as its C ABI
//! does, so C code names them the same way on both formats.
//!
//! # Export name mangling
//!
//! [`mangle`] keeps the bytes `A-Z`, `a-z`, `0-9` of the UTF-8 export name
//! and replaces every other byte, `_` included, by `_` and two lowercase hex
//! digits: `add-two` → `add_2dtwo`, `ünïcode` → `_c3_bcn_c3_afcode`,
//! `a_b` → `a_5fb`. Escaping `_` itself is what makes the mapping injective:
//! every `_` in a mangled name starts an escape of exactly two hex digits,
//! so [`demangle`] recovers the name.

/// The prefix of every symbol this compiler defines.
pub const PREFIX: &str = "wasm2native";
/// The static description's symbol.
pub const MODULE_SYMBOL: &str = "wasm2native_module";
/// The symbol at the first code byte.
pub const CODE_SYMBOL: &str = "wasm2native_code";
/// The symbol at the first data-segment byte.
pub const DATA_SYMBOL: &str = "wasm2native_data";
/// The prefix of export symbols.
pub const EXPORT_PREFIX: &str = "wasm2native_export_";

/// The symbol of Wasm function `index`.
pub fn function(index: u32) -> String {
    format!("{PREFIX}_func{index}")
}

/// The symbol of the array entry trampoline of function `index`.
pub fn array_entry(index: u32) -> String {
    format!("{PREFIX}_entry{index}")
}

/// The symbol of the host-call trampoline of imported function `index`.
pub fn host_call(index: u32) -> String {
    format!("{PREFIX}_host_call{index}")
}

/// The symbol of data segment `index`'s bytes.
pub fn data_segment(index: usize) -> String {
    format!("{PREFIX}_data_segment{index}")
}

/// The global symbol of the export named `name`.
pub fn export(name: &str) -> String {
    format!("{EXPORT_PREFIX}{}", mangle(name))
}

/// Maps an export name to a C identifier fragment; see the module
/// documentation. Injective: [`demangle`] inverts it.
pub fn mangle(name: &str) -> String {
    let mut mangled = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() {
            mangled.push(byte as char);
        } else {
            mangled.push_str(&format!("_{byte:02x}"));
        }
    }
    mangled
}

/// The inverse of [`mangle`]: `None` if `mangled` is not something
/// [`mangle`] produces.
pub fn demangle(mangled: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(mangled.len());
    let mut input = mangled.bytes();
    while let Some(byte) = input.next() {
        if byte.is_ascii_alphanumeric() {
            bytes.push(byte);
        } else if byte == b'_' {
            let digit = |b: Option<u8>| match b? {
                b @ b'0'..=b'9' => Some(b - b'0'),
                b @ b'a'..=b'f' => Some(b - b'a' + 10),
                _ => None,
            };
            let escaped = digit(input.next())? << 4 | digit(input.next())?;
            if escaped.is_ascii_alphanumeric() {
                // `mangle` never escapes these.
                return None;
            }
            bytes.push(escaped);
        } else {
            return None;
        }
    }
    String::from_utf8(bytes).ok()
}
