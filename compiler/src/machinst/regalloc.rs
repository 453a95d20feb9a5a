//! Register allocation: regalloc2 on a VCode, with its checker.
//!
//! Part of `machinst/`, between lowering and emission. The allocator is the
//! `regalloc2` crate; when `check` is set (always in tests and in the
//! harness) its symbolic checker verifies that the allocation preserves
//! every value, so an allocation bug is an error, not a miscompile.

use crate::error::{CompileError, CompileResult};
use crate::machinst::inst::MachInst;
use crate::machinst::vcode::VCode;
use regalloc2::{MachineEnv, Output, RegallocOptions};

/// Allocates registers for `vcode`, running the checker when `check` is set.
pub fn allocate<I: MachInst>(vcode: &VCode<I>, env: &MachineEnv, check: bool) -> CompileResult<Output> {
    let options = RegallocOptions { validate_ssa: check, ..RegallocOptions::default() };
    let output = regalloc2::run(vcode, env, &options)
        .map_err(|e| CompileError::internal(format!("register allocation failed: {e}")))?;
    if check {
        let mut checker = regalloc2::checker::Checker::new(vcode, env);
        checker.prepare(&output);
        checker
            .run()
            .map_err(|e| CompileError::internal(format!("regalloc2 checker rejected the allocation: {e:?}")))?;
    }
    Ok(output)
}
