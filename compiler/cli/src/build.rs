//! `wasm2native build`: a WASI command module to a native executable.
//!
//! ```text
//! .wasm ─▶ compile_to_object ─▶ module.o ─┐
//! runtime/*.c (embedded in this binary) ──┴─▶ system C compiler + linker ─▶ EXE
//! ```
//!
//! The runtime is the C code in `runtime/` at the repository root (see its
//! README): it instantiates the module from the object's description,
//! implements WASI preview1 and the builtins, and reports traps. The C
//! files are embedded here with `include_str!` and written, together with
//! the object, into a fresh temporary directory; the target's compiler
//! (`cc` natively, `aarch64-linux-gnu-gcc` for AArch64 on another host,
//! linked statically so `qemu-aarch64` needs no sysroot) links them into a
//! temporary file beside EXE, which is renamed into place only on success.

use anyhow::{Context, Result, anyhow};
use compiler::CompileOptions;
use compiler::module::Target;
use compiler::object::{ObjectFormat, compile_to_object};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The runtime's C sources, by file name.
const RUNTIME_FILES: [(&str, &str); 3] = [
    ("wasm2native_runtime.h", include_str!("../../../runtime/wasm2native_runtime.h")),
    ("instance.c", include_str!("../../../runtime/instance.c")),
    ("wasi.c", include_str!("../../../runtime/wasi.c")),
];

/// The C compiler that builds executables for `target` on this host, with
/// the Debian package that provides it, and whether to link statically.
fn c_compiler(target: Target) -> (&'static str, &'static str, bool) {
    match target {
        Target::X86_64 if cfg!(target_arch = "x86_64") => ("cc", "gcc", false),
        Target::Aarch64 if cfg!(target_arch = "aarch64") => ("cc", "gcc", false),
        Target::X86_64 => ("x86_64-linux-gnu-gcc", "gcc-x86-64-linux-gnu", true),
        Target::Aarch64 => ("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu", true),
    }
}

/// A directory removed when dropped.
struct TemporaryDirectory(PathBuf);

impl TemporaryDirectory {
    fn new() -> Result<TemporaryDirectory> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!("wasm2native-build-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(TemporaryDirectory(path))
    }
}

impl Drop for TemporaryDirectory {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Compiles `wasm` (read from `file`) for `target` and links it with the
/// runtime into the executable `output`. On any failure `output` is left
/// as it was and nothing else is left behind.
pub fn build(file: &Path, wasm: &[u8], output: &Path, target: Target) -> Result<()> {
    let object = compile_to_object(wasm, &CompileOptions::new(target), ObjectFormat::Elf)
        .map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let (compiler, package, static_link) = c_compiler(target);
    let directory = TemporaryDirectory::new()?;
    let object_path = directory.0.join("module.o");
    std::fs::write(&object_path, &object).with_context(|| format!("cannot write {}", object_path.display()))?;
    for (name, source) in RUNTIME_FILES {
        let path = directory.0.join(name);
        std::fs::write(&path, source).with_context(|| format!("cannot write {}", path.display()))?;
    }

    let name = output.file_name().ok_or_else(|| anyhow!("{} is not a file name", output.display()))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".{}.tmp", std::process::id()));
    let temporary = output.with_file_name(temporary_name);

    let mut command = Command::new(compiler);
    command.args(["-O2", "-pthread"]);
    if static_link {
        command.arg("-static");
    }
    command.arg("-o").arg(&temporary);
    command.arg(directory.0.join("instance.c")).arg(directory.0.join("wasi.c")).arg(&object_path);
    let result = match command.output() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(anyhow!("the C compiler `{compiler}` is not installed; on Debian: apt-get install {package}"))
        }
        Err(e) => Err(anyhow!("cannot run `{compiler}`: {e}")),
        Ok(out) if !out.status.success() => Err(anyhow!(
            "`{compiler}` failed to link the executable ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        )),
        Ok(_) => std::fs::rename(&temporary, output).map_err(|e| anyhow!("cannot write {}: {e}", output.display())),
    };
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
