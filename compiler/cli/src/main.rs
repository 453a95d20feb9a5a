//! `wasm2native`: the command-line front of the compiler.
//!
//! ```text
//! wasm2native run FILE --invoke NAME [ARGS...]   compile, run one export, print results
//! wasm2native run FILE [--env K=V] [--dir D] [-- ARGS...]
//!                                                compile, run a WASI command (`_start`) in emu
//! wasm2native disasm FILE                        compile, print each function's machine code
//! wasm2native compile FILE -o OUT.o [--target T]  compile to a relocatable object file
//! wasm2native build FILE -o EXE [--target T]      compile and link a WASI command into an executable
//! ```
//!
//! `compile` targets: `x86_64` and `aarch64` (ELF; also spelled
//! `x86_64-unknown-linux-gnu`, `aarch64-unknown-linux-gnu`), and
//! `x86_64-apple-darwin`, `aarch64-apple-darwin` (Mach-O). The object is
//! written to a temporary file beside OUT.o and renamed into place, so a
//! failure never leaves a partial file.
//!
//! `build` (module [`build`]) links the object with the C runtime in
//! `runtime/` using the system C compiler; see [`BUILD_HELP`] for what the
//! executable does.
//!
//! `run` without `--invoke` (module [`wasi_run`]) runs a WASI command in the
//! in-process executor for `--target` (x86-64 natively in a child process,
//! AArch64 under unicorn): no linking, no C compiler.
//!
//! FILE may be a binary `.wasm` or a text `.wat`. Exit status: 0 success,
//! 1 bad input or compile error, 2 bad command line, 3 the call trapped,
//! 4 the generated code crashed; a WASI command's own exit status when it
//! exits.

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use compiler::compile::compile_module_with_call_sites;
use compiler::module::{CompiledModule, ExportKind, Target, ValType};
use compiler::object::{ObjectTarget, write_object};
use compiler::{CompileOptions, compile_module};
use emu::{CallOutcome, EmuError, Executor, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

mod build;
mod wasi_run;

#[derive(Parser)]
#[command(name = "wasm2native", version, about = "WebAssembly to native ahead-of-time compiler")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile FILE and call one exported function, printing its results
    /// one per line.
    ///
    /// Without `--invoke`, FILE is a WASI command: its `_start` runs with
    /// ARGS as its arguments (FILE's name first), the environment given by
    /// `--env`, standard input (when it is not a terminal), and `--dir`
    /// (default: the current directory) preopened as `.`. What it writes
    /// to standard output and error is printed when it ends, and its exit
    /// status becomes this command's.
    Run {
        /// A `.wasm` or `.wat` file.
        file: PathBuf,
        /// The export to call (omit it to run a WASI command).
        #[arg(long)]
        invoke: Option<String>,
        /// Arguments: one per parameter (integers in decimal or 0x hex), or
        /// a WASI command's arguments.
        #[arg(allow_hyphen_values = true)]
        args: Vec<String>,
        /// A WASI command's environment variable, NAME=VALUE (repeatable).
        #[arg(long = "env", value_name = "NAME=VALUE")]
        env: Vec<String>,
        /// The directory a WASI command sees as `.`.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Target instruction set.
        #[arg(long, default_value = "x86_64", value_parser = parse_target)]
        target: Target,
    },
    /// Compile FILE and print each function's machine code with addresses,
    /// bytes and mnemonics.
    Disasm {
        /// A `.wasm` or `.wat` file.
        file: PathBuf,
        /// Target instruction set.
        #[arg(long, default_value = "x86_64", value_parser = parse_target)]
        target: Target,
    },
    /// Compile FILE to a relocatable object file (ELF or Mach-O).
    Compile {
        /// A `.wasm` or `.wat` file.
        file: PathBuf,
        /// The object file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Target: x86_64, aarch64 (ELF; or their -unknown-linux-gnu
        /// triples), x86_64-apple-darwin, aarch64-apple-darwin (Mach-O).
        #[arg(long, default_value = "x86_64", value_parser = parse_object_target)]
        target: ObjectTarget,
    },
    /// Compile FILE (a WASI command module) and link it with the runtime
    /// into a Linux executable.
    #[command(after_help = BUILD_HELP)]
    Build {
        /// A `.wasm` or `.wat` file.
        file: PathBuf,
        /// The executable to write (replaced only on success).
        #[arg(short, long)]
        output: PathBuf,
        /// Target instruction set: x86_64 (links with `cc`) or aarch64
        /// (links statically with `aarch64-linux-gnu-gcc`; run it with
        /// `qemu-aarch64` on another host).
        #[arg(long, default_value = "x86_64", value_parser = parse_target)]
        target: Target,
    },
}

/// What an executable made by `build` does; printed by `build --help`.
const BUILD_HELP: &str = "\
The executable runs the module's start function, then its `_start` export.
Imports must be WASI preview1 functions (args, environ, clocks, random_get,
fd_read/fd_write/fd_seek/fd_close/fd_fdstat_get/fd_filestat_get/fd_prestat_*,
path_open, proc_exit, sched_yield) or sightglass's bench.start/bench.end;
any other import is an error at startup. Its arguments are its own argv,
its environment the process's; the current directory is preopened as fd 3
(\".\").

Exit status of the executable: the program's own (proc_exit, or 0 when
_start returns); 134 when the Wasm code traps (after printing
`wasm trap: <kind> in func<N> (code offset 0x..)` to stderr); 135 after a
fault that is not a Wasm trap; 70 when the module cannot be started.";

fn parse_target(name: &str) -> Result<Target, String> {
    Target::from_name(name).ok_or_else(|| format!("unknown target {name:?} (expected x86_64 or aarch64)"))
}

fn parse_object_target(name: &str) -> Result<ObjectTarget, String> {
    ObjectTarget::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = ObjectTarget::ALL.iter().map(|t| t.triple()).collect();
        format!("unknown target {name:?} (expected x86_64, aarch64, {})", names.join(", "))
    })
}

const EXIT_ERROR: u8 = 1;
const EXIT_TRAP: u8 = 3;
const EXIT_CRASH: u8 = 4;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { file, invoke: Some(invoke), args, target, env, dir } => {
            if !env.is_empty() || dir.is_some() {
                Err(anyhow!("--env and --dir are for WASI commands (run without --invoke)"))
            } else {
                run(&file, &invoke, &args, target)
            }
        }
        Command::Run { file, invoke: None, args, target, env, dir } => {
            load(&file, target).and_then(|module| wasi_run::run(&file, module, &args, &env, dir, target))
        }
        Command::Disasm { file, target } => disasm(&file, target).map(|()| ExitCode::SUCCESS),
        Command::Compile { file, output, target } => compile(&file, &output, target).map(|()| ExitCode::SUCCESS),
        Command::Build { file, output, target } => {
            read_wasm(&file).and_then(|wasm| build::build(&file, &wasm, &output, target)).map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Reads and compiles FILE (binary or text) strictly.
fn load(file: &Path, target: Target) -> Result<CompiledModule> {
    let wasm = read_wasm(file)?;
    compile_module(&wasm, &CompileOptions::new(target)).map_err(|e| anyhow!("{}: {e}", file.display()))
}

/// Reads FILE as WebAssembly binary, converting text format.
fn read_wasm(file: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let wasm = wat::parse_bytes(&bytes).map_err(|e| {
        let mut e = e;
        e.set_path(file);
        anyhow!("{e}")
    })?;
    Ok(wasm.into_owned())
}

fn compile(file: &Path, output: &Path, target: ObjectTarget) -> Result<()> {
    let wasm = read_wasm(file)?;
    let (module, call_sites) = compile_module_with_call_sites(&wasm, &CompileOptions::new(target.arch))
        .map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let object = write_object(&module, &call_sites, target.format).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    write_atomically(output, &object)
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, so `path` is either untouched or complete; the temporary
/// file is removed on failure.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let name = path.file_name().ok_or_else(|| anyhow!("{} is not a file name", path.display()))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".{}.tmp", std::process::id()));
    let temporary = path.with_file_name(temporary_name);
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create_new(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        anyhow!("cannot write {}: {e}", path.display())
    })
}

fn parse_arg(text: &str, ty: ValType) -> Result<Value> {
    fn int(text: &str) -> Option<i128> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let magnitude = match digits.strip_prefix("0x") {
            Some(hex) => i128::from_str_radix(hex, 16).ok()?,
            None => digits.parse::<i128>().ok()?,
        };
        Some(if negative { -magnitude } else { magnitude })
    }
    let bad = || anyhow!("argument {text:?} is not a valid {ty:?}");
    Ok(match ty {
        ValType::I32 => {
            let v = int(text).ok_or_else(bad)?;
            if !(i32::MIN as i128..=u32::MAX as i128).contains(&v) {
                return Err(bad());
            }
            Value::I32(v as i32)
        }
        ValType::I64 => {
            let v = int(text).ok_or_else(bad)?;
            if !(i64::MIN as i128..=u64::MAX as i128).contains(&v) {
                return Err(bad());
            }
            Value::I64(v as i64)
        }
        ValType::F32 => Value::F32(text.parse::<f32>().map_err(|_| bad())?.to_bits()),
        ValType::F64 => Value::F64(text.parse::<f64>().map_err(|_| bad())?.to_bits()),
        other => bail!("arguments of type {other:?} cannot be given on the command line"),
    })
}

fn run(file: &Path, invoke: &str, args: &[String], target: Target) -> Result<ExitCode> {
    let module = load(file, target)?;
    let Some(ExportKind::Func(index)) = module.info.export(invoke) else {
        bail!("{} has no exported function {invoke:?}", file.display());
    };
    let ty = module.info.func_type(index).cloned().unwrap_or_default();
    if ty.params.len() != args.len() {
        bail!("{invoke} takes {} argument(s), {} given", ty.params.len(), args.len());
    }
    let values = args.iter().zip(&ty.params).map(|(a, &t)| parse_arg(a, t)).collect::<Result<Vec<_>>>()?;
    let mut executor: Box<dyn Executor> = match target {
        Target::X86_64 => Box::new(emu::native::NativeExecutor::new()?),
        Target::Aarch64 => Box::new(emu::unicorn::UnicornExecutor::new()?),
    };
    let instance = match executor.instantiate(Arc::new(module)) {
        Ok(instance) => instance,
        Err(EmuError::InstantiationTrap(trap)) => {
            eprintln!("{trap}");
            return Ok(ExitCode::from(EXIT_TRAP));
        }
        Err(e) => return Err(e.into()),
    };
    match executor.call(instance, invoke, &values) {
        Ok(CallOutcome::Returned(results)) => {
            for result in results {
                println!("{result}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Ok(CallOutcome::Trapped(trap)) => {
            eprintln!("{trap}");
            Ok(ExitCode::from(EXIT_TRAP))
        }
        Ok(CallOutcome::Exited(status)) => {
            eprintln!("{invoke} exited through WASI proc_exit({status})");
            Ok(ExitCode::from(status as u8))
        }
        Err(EmuError::Crashed(report)) => {
            eprintln!("error: generated code crashed: {report}");
            Ok(ExitCode::from(EXIT_CRASH))
        }
        Err(e) => Err(e.into()),
    }
}

fn disasm(file: &Path, target: Target) -> Result<()> {
    let module = load(file, target)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match target {
        Target::X86_64 => disasm_x64(&module, &mut out),
        Target::Aarch64 => disasm_aarch64(&module, &mut out),
    }
    .and_then(|()| out.flush());
    match written {
        // A reader that stops early (`| head`) is not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing the disassembly"),
    }
}

/// Prints AArch64 code, one instruction word per line, decoded by
/// yaxpeax-arm (invalid words print as `.word`).
fn disasm_aarch64(module: &CompiledModule, out: &mut impl Write) -> std::io::Result<()> {
    use yaxpeax_arch::{Decoder, U8Reader};
    let decoder = yaxpeax_arm::armv8::a64::InstDecoder::default();
    for function in &module.functions {
        writeln!(out, "{} ({:?}), {} bytes:", function.name, function.kind, function.len)?;
        let start = function.offset as usize;
        for (i, word) in module.code[start..start + function.len as usize].chunks(4).enumerate() {
            let offset = start + i * 4;
            let text = match decoder.decode(&mut U8Reader::new(word)) {
                Ok(inst) => inst.to_string(),
                Err(_) => format!(".word {:#010x}", u32::from_le_bytes(word.try_into().unwrap_or([0; 4]))),
            };
            let hex: String = word.iter().rev().map(|b| format!("{b:02x}")).collect();
            let trap = module.trap_at(offset as u32).map(|c| format!("  ; trap: {c}")).unwrap_or_default();
            writeln!(out, "  {offset:6x}:  {hex:<10} {text}{trap}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Prints x86-64 code with iced-x86's Intel syntax.
fn disasm_x64(module: &CompiledModule, out: &mut impl Write) -> std::io::Result<()> {
    use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};
    let mut formatter = IntelFormatter::new();
    let mut text = String::new();
    for function in &module.functions {
        writeln!(out, "{} ({:?}), {} bytes:", function.name, function.kind, function.len)?;
        let start = function.offset as usize;
        let bytes = &module.code[start..start + function.len as usize];
        let mut decoder = Decoder::with_ip(64, bytes, function.offset as u64, DecoderOptions::NONE);
        while decoder.can_decode() {
            let inst = decoder.decode();
            text.clear();
            formatter.format(&inst, &mut text);
            let offset = inst.ip() as usize;
            let hex: String = module.code[offset..offset + inst.len()].iter().map(|b| format!("{b:02x}")).collect();
            let trap = module.trap_at(offset as u32).map(|c| format!("  ; trap: {c}")).unwrap_or_default();
            writeln!(out, "  {offset:6x}:  {hex:<24} {text}{trap}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}
