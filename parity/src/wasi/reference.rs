//! The reference engine of [`super`]: wasmtime with `wasmtime-wasi`'s
//! preview1, and sightglass's `bench.start`/`bench.end` as no-ops.
//!
//! The program sees what it sees in our executors: its arguments (the
//! program name first), its environment and nothing else, no standard
//! input, its directory preopened as `.`; standard output and error are
//! captured in memory.

use super::programs::Program;
use super::{Behaviour, Ending};
use crate::diff::outcome::Outcome;
use crate::diff::reference::trap_outcome;
use std::path::Path;
use std::sync::OnceLock;
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// Captured output is cut at this size (no program here writes near it).
const OUTPUT_CAPACITY: usize = 64 << 20;

/// One engine for every reference run (wasmtime's defaults: optimized
/// Cranelift code, a signal-based trap handler).
fn engine() -> Result<wasmtime::Engine, String> {
    static ENGINE: OnceLock<Result<wasmtime::Engine, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            wasmtime::Engine::new(&wasmtime::Config::new()).map_err(|error| format!("wasmtime engine: {error:?}"))
        })
        .clone()
}

/// Runs `program` in wasmtime with `dir` preopened as `.`.
pub(super) fn run(program: &Program, dir: &Path) -> Result<Behaviour, String> {
    let engine = engine()?;
    let module = wasmtime::Module::from_file(&engine, &program.wasm)
        .map_err(|error| format!("wasmtime cannot load {}: {error:?}", program.wasm.display()))?;
    let stdout = MemoryOutputPipe::new(OUTPUT_CAPACITY);
    let stderr = MemoryOutputPipe::new(OUTPUT_CAPACITY);
    let mut builder = WasiCtxBuilder::new();
    builder
        .args(&program.argv())
        .envs(&program.env)
        .stdin(MemoryInputPipe::new(Vec::new()))
        .stdout(stdout.clone())
        .stderr(stderr.clone());
    builder
        .preopened_dir(dir, ".", FsPerms::ReadWrite)
        .map_err(|error| format!("preopening {}: {error:?}", dir.display()))?;
    let mut store = wasmtime::Store::new(&engine, builder.build_p1());
    let mut linker: wasmtime::Linker<WasiP1Ctx> = wasmtime::Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |ctx| ctx).map_err(|error| format!("{error:?}"))?;
    for marker in ["start", "end"] {
        linker.func_wrap("bench", marker, || {}).map_err(|error| format!("{error:?}"))?;
    }
    let result = linker.instantiate(&mut store, &module).and_then(|instance| {
        let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
        start.call(&mut store, ())
    });
    let ending = match result {
        Ok(()) => Ending::Exited(0),
        Err(error) => match (error.downcast_ref::<I32Exit>(), error.downcast_ref::<wasmtime::Trap>()) {
            (Some(exit), _) => Ending::Exited(exit.0),
            (None, Some(&trap)) => match trap_outcome(trap) {
                Outcome::Trapped(code) => Ending::Trapped(code),
                other => return Err(format!("wasmtime: {other:?}")),
            },
            (None, None) => return Err(format!("wasmtime: {error:?}")),
        },
    };
    drop(store);
    Ok(Behaviour { ending, stdout: stdout.contents().to_vec(), stderr: stderr.contents().to_vec() })
}
