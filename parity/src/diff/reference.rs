//! The reference engine: wasmtime (Cranelift, native code on the host).
//!
//! ```text
//!  run::run_case ─▶ Engine ─▶ **WasmtimeEngine** ─▶ wasmtime::Module / Store / Instance
//! ```
//!
//! One `wasmtime::Engine` is built once per process ([`shared_engine`]) and
//! shared by every worker and case: building it is the expensive part.
//! Each instantiation gets a fresh `Store`. Fuel bounds runaway code: every
//! instantiation and every call starts with [`FUEL_PER_CALL`] units, and
//! running out is reported as [`ResourceLimit::Fuel`], never silently. The
//! generated modules terminate on their own (wasm-smith's
//! `ensure_termination`), so fuel running out means the harness's budget is
//! too small, not that a module hangs.
//!
//! Wasmtime's trap codes map onto our [`TrapCode`]s one to one for
//! everything the generators produce; a stack overflow is a resource limit.

use super::engine::Engine;
use super::outcome::{Load, Outcome, ResourceLimit};
use compiler::runtime::TrapCode;
use emu::Value;
use std::sync::OnceLock;

/// Fuel (roughly: Wasm operators executed) for one instantiation or call.
pub const FUEL_PER_CALL: u64 = 200_000_000;

/// The most stack a reference call may use.
const MAX_WASM_STACK: usize = 1 << 20;

/// The process-wide wasmtime engine, built on first use.
pub fn shared_engine() -> Result<wasmtime::Engine, String> {
    static ENGINE: OnceLock<Result<wasmtime::Engine, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut config = wasmtime::Config::new();
            config.consume_fuel(true);
            config.max_wasm_stack(MAX_WASM_STACK);
            // The reference's semantics do not depend on how well its code is
            // optimized; unoptimized Cranelift compiles the many small
            // generated modules faster. (Without the `parallel-compilation`
            // feature it compiles on the calling thread: `--jobs 1` is one
            // core.)
            config.cranelift_opt_level(wasmtime::OptLevel::None);
            wasmtime::Engine::new(&config).map_err(|error| format!("cannot build the wasmtime engine: {error:?}"))
        })
        .clone()
}

/// Wasmtime as an [`Engine`].
pub struct WasmtimeEngine {
    engine: wasmtime::Engine,
    module: Option<wasmtime::Module>,
    live: Option<(wasmtime::Store<()>, wasmtime::Instance)>,
}

impl WasmtimeEngine {
    /// A reference engine on the shared wasmtime engine.
    pub fn new() -> Result<WasmtimeEngine, String> {
        Ok(WasmtimeEngine { engine: shared_engine()?, module: None, live: None })
    }

    fn live(&mut self) -> Result<&mut (wasmtime::Store<()>, wasmtime::Instance), String> {
        self.live.as_mut().ok_or_else(|| "no live instance".to_string())
    }
}

impl Engine for WasmtimeEngine {
    fn name(&self) -> &str {
        "wasmtime"
    }

    fn load(&mut self, wasm: &[u8]) -> Load {
        self.live = None;
        match wasmtime::Module::new(&self.engine, wasm) {
            Ok(module) => {
                self.module = Some(module);
                Load::Loaded
            }
            Err(error) => {
                self.module = None;
                Load::Invalid(format!("{error:?}"))
            }
        }
    }

    fn instantiate(&mut self) -> Outcome {
        self.live = None;
        let Some(module) = &self.module else {
            return Outcome::Failed("instantiate without a loaded module".to_string());
        };
        let mut store = wasmtime::Store::new(&self.engine, ());
        if let Err(error) = store.set_fuel(FUEL_PER_CALL) {
            return Outcome::Failed(format!("cannot set fuel: {error:?}"));
        }
        match wasmtime::Instance::new(&mut store, module, &[]) {
            Ok(instance) => {
                self.live = Some((store, instance));
                Outcome::Returned(Vec::new())
            }
            Err(error) => error_outcome(&error),
        }
    }

    fn call(&mut self, export: &str, args: &[Value]) -> Outcome {
        let (store, instance) = match self.live() {
            Ok(live) => live,
            Err(error) => return Outcome::Failed(error),
        };
        let Some(func) = instance.get_func(&mut *store, export) else {
            return Outcome::Failed(format!("no exported function {export:?}"));
        };
        let params: Result<Vec<wasmtime::Val>, String> = args.iter().map(to_val).collect();
        let params = match params {
            Ok(params) => params,
            Err(error) => return Outcome::Failed(error),
        };
        let mut results = vec![wasmtime::Val::I32(0); func.ty(&*store).results().len()];
        if let Err(error) = store.set_fuel(FUEL_PER_CALL) {
            return Outcome::Failed(format!("cannot set fuel: {error:?}"));
        }
        match func.call(&mut *store, &params, &mut results) {
            Ok(()) => match results.iter().map(from_val).collect() {
                Ok(values) => Outcome::Returned(values),
                Err(error) => Outcome::Failed(error),
            },
            Err(error) => error_outcome(&error),
        }
    }

    fn global(&mut self, export: &str) -> Result<Value, String> {
        let (store, instance) = self.live()?;
        let global =
            instance.get_global(&mut *store, export).ok_or_else(|| format!("no exported global {export:?}"))?;
        from_val(&global.get(&mut *store))
    }

    fn memory(&mut self, export: &str) -> Result<Vec<u8>, String> {
        let (store, instance) = self.live()?;
        let memory =
            instance.get_memory(&mut *store, export).ok_or_else(|| format!("no exported memory {export:?}"))?;
        Ok(memory.data(&*store).to_vec())
    }
}

/// What a wasmtime error means: a trap, a resource limit, or a failure.
fn error_outcome(error: &wasmtime::Error) -> Outcome {
    match error.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => trap_outcome(*trap),
        None => Outcome::Failed(format!("{error:?}")),
    }
}

/// Maps a wasmtime trap onto our vocabulary.
pub fn trap_outcome(trap: wasmtime::Trap) -> Outcome {
    use wasmtime::Trap;
    let code = match trap {
        Trap::StackOverflow => return Outcome::ResourceLimit(ResourceLimit::Stack),
        Trap::OutOfFuel => return Outcome::ResourceLimit(ResourceLimit::Fuel),
        Trap::MemoryOutOfBounds => TrapCode::MemoryOutOfBounds,
        Trap::TableOutOfBounds => TrapCode::TableOutOfBounds,
        Trap::IndirectCallToNull => TrapCode::IndirectCallToNull,
        Trap::BadSignature => TrapCode::IndirectCallTypeMismatch,
        Trap::IntegerOverflow => TrapCode::IntegerOverflow,
        Trap::IntegerDivisionByZero => TrapCode::IntegerDivisionByZero,
        Trap::BadConversionToInteger => TrapCode::BadConversionToInteger,
        Trap::UnreachableCodeReached => TrapCode::Unreachable,
        other => return Outcome::TrappedOther(format!("{other:?}")),
    };
    Outcome::Trapped(code)
}

fn to_val(value: &Value) -> Result<wasmtime::Val, String> {
    Ok(match *value {
        Value::I32(v) => wasmtime::Val::I32(v),
        Value::I64(v) => wasmtime::Val::I64(v),
        Value::F32(bits) => wasmtime::Val::F32(bits),
        Value::F64(bits) => wasmtime::Val::F64(bits),
        other => return Err(format!("cannot pass {other:?} to wasmtime")),
    })
}

fn from_val(value: &wasmtime::Val) -> Result<Value, String> {
    Ok(match *value {
        wasmtime::Val::I32(v) => Value::I32(v),
        wasmtime::Val::I64(v) => Value::I64(v),
        wasmtime::Val::F32(bits) => Value::F32(bits),
        wasmtime::Val::F64(bits) => Value::F64(bits),
        ref other => return Err(format!("wasmtime returned a value the harness does not model: {other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(wat: &str) -> WasmtimeEngine {
        let mut engine = WasmtimeEngine::new().expect("wasmtime engine");
        assert_eq!(engine.load(&wat::parse_str(wat).expect("wat")), Load::Loaded);
        assert_eq!(engine.instantiate(), Outcome::Returned(vec![]));
        engine
    }

    #[test]
    fn calls_return_values_and_state_is_readable() {
        let mut engine = loaded(
            r#"(module (memory (export "m") 1) (global (export "g") (mut i32) (i32.const 5))
                (func (export "f") (param i32 f32) (result i32 f32)
                  (i32.store8 (i32.const 3) (i32.const 7)) (global.set 0 (local.get 0))
                  local.get 0 local.get 1))"#,
        );
        let outcome = engine.call("f", &[Value::I32(-4), Value::F32(0x7fa0_0001)]);
        // Signalling NaN bits pass through untouched.
        assert_eq!(outcome, Outcome::Returned(vec![Value::I32(-4), Value::F32(0x7fa0_0001)]));
        assert_eq!(engine.global("g"), Ok(Value::I32(-4)));
        let memory = engine.memory("m").expect("memory");
        assert_eq!((memory.len(), memory[3]), (65536, 7));
    }

    #[test]
    fn traps_map_to_our_codes_and_limits_are_explicit() {
        let mut engine = loaded(
            r#"(module
                (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
                (func (export "spin") (loop (br 0)))
                (func $deep (export "deep") (call $deep)))"#,
        );
        assert_eq!(engine.call("div", &[Value::I32(0)]), Outcome::Trapped(TrapCode::IntegerDivisionByZero));
        assert_eq!(engine.call("div", &[Value::I32(1)]), Outcome::Returned(vec![Value::I32(1)]));
        assert_eq!(engine.call("spin", &[]), Outcome::ResourceLimit(ResourceLimit::Fuel));
        assert_eq!(engine.call("deep", &[]), Outcome::ResourceLimit(ResourceLimit::Stack));
    }

    #[test]
    fn invalid_modules_are_rejected() {
        let mut engine = WasmtimeEngine::new().expect("wasmtime engine");
        assert!(matches!(engine.load(b"\0asm\x01\0\0\0\x01"), Load::Invalid(_)));
    }
}
