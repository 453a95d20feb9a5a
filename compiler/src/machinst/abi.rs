//! The ISA-independent part of calling conventions: where each argument or
//! result goes.
//!
//! Part of `machinst/`, used by every ISA's `abi.rs` when it lowers
//! function entry, calls and returns. Both of our conventions (System V
//! x86-64 and AAPCS64, for the integer and scalar float values Wasm has)
//! assign integers and floats from separate register sequences, each in
//! order, and put what does not fit in 8-byte stack slots in argument order.

use crate::error::{CompileError, CompileResult};
use regalloc2::{PReg, RegClass};

/// Where one argument or result goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A register.
    Reg(PReg),
    /// An 8-byte stack slot at this offset in the argument area.
    Stack(u32),
}

/// Assigns locations to values of the given classes: an integer takes the
/// next of `int_regs`, a float the next of `float_regs`, and a value whose
/// sequence is exhausted the next 8-byte stack slot.
pub fn assign(classes: &[RegClass], int_regs: &[PReg], float_regs: &[PReg]) -> Vec<Location> {
    let (mut next_int, mut next_float, mut stack) = (0, 0, 0u32);
    classes
        .iter()
        .map(|class| {
            let (regs, next) = match class {
                RegClass::Float => (float_regs, &mut next_float),
                _ => (int_regs, &mut next_int),
            };
            match regs.get(*next) {
                Some(&preg) => {
                    *next += 1;
                    Location::Reg(preg)
                }
                None => {
                    stack += 8;
                    Location::Stack(stack - 8)
                }
            }
        })
        .collect()
}

/// The return registers of values of `classes`; an error if they do not all
/// fit (the Wasm translator puts extra results in a return area).
pub fn return_registers(classes: &[RegClass], int_regs: &[PReg], float_regs: &[PReg]) -> CompileResult<Vec<PReg>> {
    assign(classes, int_regs, float_regs)
        .into_iter()
        .map(|location| match location {
            Location::Reg(preg) => Ok(preg),
            Location::Stack(_) => Err(CompileError::internal("more register results than the ABI has")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_floats_use_separate_sequences_then_the_stack() {
        let ints = [PReg::new(7, RegClass::Int), PReg::new(6, RegClass::Int)];
        let floats = [PReg::new(0, RegClass::Float)];
        let classes = [RegClass::Int, RegClass::Float, RegClass::Int, RegClass::Float, RegClass::Int];
        assert_eq!(
            assign(&classes, &ints, &floats),
            vec![
                Location::Reg(ints[0]),
                Location::Reg(floats[0]),
                Location::Reg(ints[1]),
                Location::Stack(0),
                Location::Stack(8),
            ]
        );
        assert!(return_registers(&classes, &ints, &floats).is_err());
        assert_eq!(return_registers(&classes[..2], &ints, &floats).unwrap(), vec![ints[0], floats[0]]);
    }
}
