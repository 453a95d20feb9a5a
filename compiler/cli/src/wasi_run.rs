//! `wasm2native run FILE [-- ARGS]` without `--invoke`: a WASI command run
//! in the in-process executors (`emu`), without linking.
//!
//! ```text
//!   FILE ─▶ compile (main.rs) ─▶ emu::wasi::run_command(executor for --target, config) ─▶ print output ─▶ status
//! ```
//!
//! The executors capture what the program writes, so its output appears
//! when it ends (standard output, then standard error). A trap prints the
//! trap (kind, function, code offset) and exits with status 3, as
//! `run --invoke` does; a crash of generated code exits with status 4.

use crate::{EXIT_CRASH, EXIT_TRAP};
use anyhow::{Result, anyhow};
use compiler::module::{CompiledModule, Target};
use emu::EmuError;
use emu::wasi::{WasiConfig, WasiExit};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Runs `module` (compiled from `file`) as a WASI command.
pub(crate) fn run(
    file: &Path,
    module: CompiledModule,
    args: &[String],
    env: &[String],
    dir: Option<PathBuf>,
    target: Target,
) -> Result<ExitCode> {
    let env = env
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
            _ => Err(anyhow!("--env {pair:?}: expected NAME=VALUE")),
        })
        .collect::<Result<Vec<_>>>()?;
    let dir = match dir {
        Some(dir) => dir,
        None => std::env::current_dir().map_err(|e| anyhow!("the current directory: {e}"))?,
    };
    if !dir.is_dir() {
        return Err(anyhow!("--dir {}: not a directory", dir.display()));
    }
    let mut stdin = Vec::new();
    if !std::io::stdin().is_terminal() {
        std::io::stdin().read_to_end(&mut stdin).map_err(|e| anyhow!("reading standard input: {e}"))?;
    }
    let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let config = WasiConfig {
        args: std::iter::once(name).chain(args.iter().cloned()).collect(),
        env,
        stdin,
        preopen: Some(std::path::absolute(&dir).map_err(|e| anyhow!("{}: {e}", dir.display()))?),
    };
    let mut executor = emu::wasi::program_executor(target, None)?;
    let run = match emu::wasi::run_command(executor.as_mut(), Arc::new(module), config) {
        Ok(run) => run,
        Err(EmuError::Crashed(report)) => {
            eprintln!("error: generated code crashed: {report}");
            return Ok(ExitCode::from(EXIT_CRASH));
        }
        Err(error) => return Err(error.into()),
    };
    std::io::stdout().write_all(&run.output.stdout)?;
    std::io::stdout().flush()?;
    std::io::stderr().write_all(&run.output.stderr)?;
    Ok(match run.exit {
        WasiExit::Exited(status) => ExitCode::from(status as u8),
        WasiExit::Trapped(trap) => {
            eprintln!("{trap}");
            ExitCode::from(EXIT_TRAP)
        }
    })
}
