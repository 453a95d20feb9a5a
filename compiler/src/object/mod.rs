//! Relocatable object files: the compiler's output for linking, after
//! [`CompiledModule`].
//!
//! ```text
//! .wasm ─▶ compile_module_with_call_sites ─▶ CompiledModule + call sites
//!        ─▶ **object::write_object** ─▶ ELF / Mach-O .o ─▶ linker + runtime ─▶ executable
//! ```
//!
//! The object is written through the `object` crate. What it contains:
//!
//! | ELF section           | Mach-O section          | contents                                         |
//! |-----------------------|-------------------------|--------------------------------------------------|
//! | `.text`               | `__TEXT,__text`         | [`CompiledModule::code`], calls relocated        |
//! | `.wasm2native.data`   | `__TEXT,__w2n_data`     | the data segments' bytes, back to back           |
//! | `.wasm2native.module` | `__DATA,__w2n_module`   | the static description ([`description`])         |
//! | `.note.GNU-stack`     | —                       | empty: the code needs no executable stack        |
//!
//! Symbols are listed in [`symbols`]: one per function and trampoline, a
//! global one per exported function (at its array entry trampoline,
//! `extern "C" fn(vmctx, values)`), and the global `wasm2native_module` at
//! the description, which is how a runtime finds everything else.
//!
//! Relocations:
//!
//! - every call between functions is a real relocation against the
//!   callee's symbol: `R_X86_64_PLT32` (addend −4) / `R_AARCH64_CALL26` on
//!   ELF, `X86_64_RELOC_BRANCH` / `ARM64_RELOC_BRANCH26` on Mach-O (whose
//!   addends are implicit, and zero here). The field in the code (the
//!   `rel32` of the `call`, the `imm26` of the `bl`) is zero;
//! - the description's `code_base` and `data_base` words are absolute
//!   64-bit relocations against `wasm2native_code` and `wasm2native_data`
//!   (`R_X86_64_64` / `R_AARCH64_ABS64`, `*_RELOC_UNSIGNED`), so the
//!   description's code and data offsets become addresses after linking.
//!
//! Nothing else in the code needs relocating: host calls, memories, globals
//! and tables are all reached through the `vmctx` argument.

pub mod describe;
pub mod description;
pub mod encode;
pub mod symbols;
mod write;

#[cfg(test)]
mod tests;

use crate::compile::{CompileOptions, compile_module_with_call_sites};
use crate::error::CompileError;
use crate::module::{CallSite, CompiledModule, Target};

/// The object-file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectFormat {
    /// ELF (Linux and most Unix systems).
    Elf,
    /// Mach-O (macOS).
    MachO,
}

/// What an object file is for: an instruction set and a format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjectTarget {
    /// Instruction set.
    pub arch: Target,
    /// File format.
    pub format: ObjectFormat,
}

impl ObjectTarget {
    /// Every supported target.
    pub const ALL: [ObjectTarget; 4] = [
        ObjectTarget { arch: Target::X86_64, format: ObjectFormat::Elf },
        ObjectTarget { arch: Target::Aarch64, format: ObjectFormat::Elf },
        ObjectTarget { arch: Target::X86_64, format: ObjectFormat::MachO },
        ObjectTarget { arch: Target::Aarch64, format: ObjectFormat::MachO },
    ];

    /// The target triple (`x86_64-unknown-linux-gnu`, `aarch64-apple-darwin`, ...).
    pub fn triple(self) -> &'static str {
        match (self.arch, self.format) {
            (Target::X86_64, ObjectFormat::Elf) => "x86_64-unknown-linux-gnu",
            (Target::Aarch64, ObjectFormat::Elf) => "aarch64-unknown-linux-gnu",
            (Target::X86_64, ObjectFormat::MachO) => "x86_64-apple-darwin",
            (Target::Aarch64, ObjectFormat::MachO) => "aarch64-apple-darwin",
        }
    }

    /// Parses a target name: a triple of [`ObjectTarget::triple`], or any
    /// name [`Target::from_name`] accepts (`x86_64`, `aarch64`, ...), which
    /// means ELF.
    pub fn from_name(name: &str) -> Option<ObjectTarget> {
        if let Some(target) = Self::ALL.into_iter().find(|t| t.triple() == name) {
            return Some(target);
        }
        Target::from_name(name).map(|arch| ObjectTarget { arch, format: ObjectFormat::Elf })
    }
}

impl std::fmt::Display for ObjectTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.triple())
    }
}

/// Why an object file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    /// The module did not compile.
    #[error(transparent)]
    Compile(#[from] CompileError),
    /// A call site does not match the code it is said to be in.
    #[error("call site at code offset {offset:#x}: {reason}")]
    BadCallSite {
        /// Offset of the call site in the code.
        offset: u32,
        /// What is wrong.
        reason: String,
    },
    /// The module is too large for the static description's fields.
    #[error("module description: {0}")]
    Description(String),
    /// The `object` crate refused the file.
    #[error("object writer: {0}")]
    Write(String),
}

/// Writes `module` as a relocatable object in `format` (for the
/// instruction set `module.target`). `call_sites` are the calls between
/// its functions, from [`compile_module_with_call_sites`]; each becomes a
/// relocation. A call not listed keeps its resolved displacement, which
/// stays right after linking because all code lies in one section.
pub fn write_object(
    module: &CompiledModule,
    call_sites: &[CallSite],
    format: ObjectFormat,
) -> Result<Vec<u8>, ObjectError> {
    write::write(module, call_sites, format)
}

/// Compiles `wasm` (binary format) with `options` and writes the object
/// file for `format`.
pub fn compile_to_object(wasm: &[u8], options: &CompileOptions, format: ObjectFormat) -> Result<Vec<u8>, ObjectError> {
    let (module, call_sites) = compile_module_with_call_sites(wasm, options)?;
    write_object(&module, &call_sites, format)
}
