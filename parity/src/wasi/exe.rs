//! The executable engines of [`super`]: `wasm2native build` links the
//! program with the C runtime, and the executable runs natively (x86-64)
//! or under `qemu-aarch64` (AArch64).
//!
//! The executable runs in the program's directory (the runtime preopens
//! its working directory as `.`), with the program's arguments, only the
//! program's environment and no standard input. Status 134 with a
//! `wasm trap: <kind>` report is a trap; the runtime's other documented
//! statuses (135: a fault that is not a trap, 70: the module could not
//! start) and deaths by signal are failures.

use super::programs::{Program, split_trap_report};
use super::{Behaviour, Ending, Options};
use compiler::module::Target;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Builds and runs `program` for `target` in `dir`.
pub(super) fn run(program: &Program, target: Target, dir: &Path, options: &Options) -> Result<Behaviour, String> {
    let out_dir = options.work_dir.join(format!("bin-{target}"));
    std::fs::create_dir_all(&out_dir).map_err(|error| format!("creating {}: {error}", out_dir.display()))?;
    let exe = std::path::absolute(out_dir.join(&program.name)).map_err(|error| error.to_string())?;
    let built = Command::new(&options.wasm2native)
        .arg("build")
        .arg(&program.wasm)
        .arg("-o")
        .arg(&exe)
        .arg("--target")
        .arg(target.to_string())
        .output()
        .map_err(|error| format!("running {}: {error}", options.wasm2native.display()))?;
    if !built.status.success() {
        return Err(format!("wasm2native build: {}", String::from_utf8_lossy(&built.stderr).trim_end()));
    }
    let mut command = match target {
        Target::X86_64 => Command::new(&exe),
        _ => {
            let mut command = Command::new("qemu-aarch64");
            command.arg(&exe);
            command
        }
    };
    command.args(&program.args).env_clear().envs(program.env.iter().map(|(k, v)| (k, v))).current_dir(dir);
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let output = run_with_timeout(command, options.timeout);
    let _ = std::fs::remove_file(&exe);
    let (status, stdout, stderr) = output?;
    use std::os::unix::process::ExitStatusExt;
    if let Some(signal) = status.signal() {
        return Err(format!("killed by signal {signal}: {}", String::from_utf8_lossy(&stderr).trim_end()));
    }
    let code = status.code().unwrap_or(-1);
    let ending = match (code, split_trap_report(&stderr)) {
        (134, Some((kind, rest))) => return Ok(Behaviour { ending: Ending::Trapped(kind), stdout, stderr: rest }),
        (70 | 134 | 135, _) => {
            return Err(format!(
                "the runtime failed with status {code}: {}",
                String::from_utf8_lossy(&stderr).trim_end()
            ));
        }
        _ => Ending::Exited(code),
    };
    Ok(Behaviour { ending, stdout, stderr })
}

/// Reads `pipe` to its end on a thread.
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Runs `command` to completion or until `timeout` passes (then kills it).
fn run_with_timeout(
    mut command: Command,
    timeout: std::time::Duration,
) -> Result<(std::process::ExitStatus, Vec<u8>, Vec<u8>), String> {
    let mut child = command.spawn().map_err(|error| format!("starting {command:?}: {error}"))?;
    // Drain both pipes on threads so that a chatty program cannot block.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {timeout:?}"));
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(error) => return Err(format!("waiting for the program: {error}")),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    Ok((status, stdout, stderr))
}
