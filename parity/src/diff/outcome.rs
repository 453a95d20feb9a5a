//! What one engine did with a module or a call, and when two of those agree.
//!
//! ```text
//!  engine (wasmtime, x86_64, aarch64) ─▶ Load / **Outcome** ─▶ run (judge) ─▶ Divergence
//! ```
//!
//! Every engine reports in this one vocabulary, so the runner compares a
//! reference outcome with each of ours without knowing where they came
//! from. The rules of agreement (DESIGN.md, "What agree means"):
//!
//! - results: the same number of values of the same types; integers equal;
//!   floats bit-identical unless both are NaN (the generators canonicalize
//!   NaNs where the spec lets engines differ, and return the bits of
//!   NaN-preserving operators as integers, so no NaN payload difference that
//!   the spec forbids slips through);
//! - traps: both trap, with the same [`TrapCode`];
//! - state: every exported global equal by the same value rule, every
//!   exported memory byte for byte.
//!
//! Outcomes that say nothing about correctness are not compared: a
//! function our compiler does not support yet ([`Outcome::Unsupported`]),
//! and resource limits ([`Outcome::ResourceLimit`]: fuel, stack exhaustion),
//! whose point of failure is implementation-defined.

use compiler::runtime::TrapCode;
use emu::Value;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How an engine took a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Load {
    /// Compiled (and for our compiler: verified, and deterministic).
    Loaded,
    /// Rejected as invalid or malformed.
    Invalid(String),
    /// Valid, but uses something the engine does not support yet.
    Unsupported(String),
    /// The engine failed in a way no correct engine does: an internal
    /// compiler error (IR verifier, regalloc2 checker), a panic, or two
    /// compilations of the same input that differ.
    Failed(String),
}

/// A limit that stopped execution before the program did. Where it strikes
/// is implementation-defined, so the state after it is not comparable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResourceLimit {
    /// The reference ran out of its fuel budget for one call.
    Fuel,
    /// The call stack was exhausted.
    Stack,
    /// Our executor gave up waiting for generated code. A divergence unless
    /// the reference hit a limit too.
    Timeout,
    /// A generated module's own termination counter (wasm-smith's
    /// `ensure_termination` fuel global) reached zero. Unlike the two
    /// above, both engines must agree on it: it is plain Wasm code.
    TerminationFuel,
}

impl ResourceLimit {
    /// The name used in summaries and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ResourceLimit::Fuel => "fuel",
            ResourceLimit::Stack => "stack",
            ResourceLimit::Timeout => "timeout",
            ResourceLimit::TerminationFuel => "termination_fuel",
        }
    }
}

/// How an instantiation or a call ended, in every engine's vocabulary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Returned these values (nothing, for an instantiation).
    Returned(Vec<Value>),
    /// Trapped with this kind.
    Trapped(TrapCode),
    /// Trapped with a kind [`TrapCode`] does not model (reference only;
    /// never produced by the generators' modules).
    TrappedOther(String),
    /// Stopped by a resource limit.
    ResourceLimit(ResourceLimit),
    /// Reached code our compiler replaced by an unsupported-feature stub,
    /// or the executor cannot run the module yet.
    Unsupported(String),
    /// The engine failed: the executor crashed or timed out, or the harness
    /// could not make the call.
    Failed(String),
}

impl Outcome {
    /// Whether this outcome says anything about correctness (see the module
    /// docs): not unsupported, not a resource limit.
    pub fn is_comparable(&self) -> bool {
        !matches!(self, Outcome::Unsupported(_) | Outcome::ResourceLimit(_))
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Returned(values) => write!(f, "returned {}", describe_values(values)),
            Outcome::Trapped(code) => write!(f, "trapped: {code}"),
            Outcome::TrappedOther(kind) => write!(f, "trapped: {kind}"),
            Outcome::ResourceLimit(limit) => write!(f, "resource limit: {}", limit.name()),
            Outcome::Unsupported(reason) => write!(f, "unsupported: {reason}"),
            Outcome::Failed(reason) => write!(f, "engine failure: {reason}"),
        }
    }
}

/// Renders values as `[i32 1, f32 NaN (0x7fc00000)]`.
pub fn describe_values(values: &[Value]) -> String {
    let items: Vec<String> = values.iter().map(describe_value).collect();
    format!("[{}]", items.join(", "))
}

/// Renders one value with its type, and the bits of a float.
pub fn describe_value(value: &Value) -> String {
    crate::wast::expected::describe_value(value).replace(".const", "")
}

/// Whether two values agree: same type; integers equal; floats
/// bit-identical or both NaN.
pub fn values_agree(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::F32(a), Value::F32(b)) => a == b || (f32::from_bits(*a).is_nan() && f32::from_bits(*b).is_nan()),
        (Value::F64(a), Value::F64(b)) => a == b || (f64::from_bits(*a).is_nan() && f64::from_bits(*b).is_nan()),
        (a, b) => a == b,
    }
}

/// Compares a comparable reference outcome with an actual one: `None` when
/// they agree, otherwise what differs.
pub fn compare_outcomes(expected: &Outcome, actual: &Outcome) -> Option<String> {
    match (expected, actual) {
        (Outcome::Returned(expected), Outcome::Returned(actual)) => {
            if expected.len() != actual.len() {
                return Some(format!("{} result(s) instead of {}", actual.len(), expected.len()));
            }
            let differences: Vec<String> = expected
                .iter()
                .zip(actual)
                .enumerate()
                .filter(|(_, (e, a))| !values_agree(e, a))
                .map(|(i, (e, a))| format!("result {i}: {} instead of {}", describe_value(a), describe_value(e)))
                .collect();
            if differences.is_empty() { None } else { Some(differences.join("; ")) }
        }
        (Outcome::Trapped(expected), Outcome::Trapped(actual)) if expected == actual => None,
        (Outcome::Trapped(_), Outcome::Trapped(_)) => Some("a different trap kind".to_string()),
        (Outcome::Returned(_), Outcome::Trapped(_)) => Some("trapped where the reference returned".to_string()),
        (Outcome::Trapped(_) | Outcome::TrappedOther(_), Outcome::Returned(_)) => {
            Some("returned where the reference trapped".to_string())
        }
        (_, Outcome::Failed(_)) => Some("the engine failed".to_string()),
        _ => Some("a different outcome".to_string()),
    }
}

/// Compares two snapshots of one memory: `None` when equal, otherwise the
/// first differing bytes and how many differ.
pub fn compare_memory(expected: &[u8], actual: &[u8]) -> Option<String> {
    if expected == actual {
        return None;
    }
    if expected.len() != actual.len() {
        return Some(format!("{} bytes long instead of {}", actual.len(), expected.len()));
    }
    let differing = expected.iter().zip(actual).filter(|(e, a)| e != a).count();
    let first = expected.iter().zip(actual).position(|(e, a)| e != a)?;
    let end = (first + 8).min(expected.len());
    Some(format!(
        "{differing} byte(s) differ; first at offset {first:#x}: {} instead of {}",
        hex(&actual[first..end]),
        hex(&expected[first..end])
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_agree_bit_exactly_or_as_two_nans() {
        assert!(values_agree(&Value::F32(0x7fc0_0000), &Value::F32(0xffc0_0001)));
        assert!(values_agree(&Value::F64(0x7ff8_0000_0000_0000), &Value::F64(0x7ff4_0000_0000_0000)));
        assert!(!values_agree(&Value::F32(0.0f32.to_bits()), &Value::F32((-0.0f32).to_bits())));
        assert!(!values_agree(&Value::F64(0x7ff8_0000_0000_0000), &Value::F64(f64::INFINITY.to_bits())));
        assert!(!values_agree(&Value::I32(1), &Value::I64(1)));
        assert!(!values_agree(&Value::F32(1), &Value::I32(1)));
    }

    #[test]
    fn outcomes_compare_results_and_trap_kinds() {
        let ret = |v: Vec<Value>| Outcome::Returned(v);
        assert_eq!(compare_outcomes(&ret(vec![Value::I32(1)]), &ret(vec![Value::I32(1)])), None);
        let difference = compare_outcomes(&ret(vec![Value::I32(1)]), &ret(vec![Value::I32(2)])).unwrap();
        assert_eq!(difference, "result 0: i32 2 instead of i32 1");
        assert!(compare_outcomes(&ret(vec![]), &ret(vec![Value::I32(2)])).is_some());
        let divide = Outcome::Trapped(TrapCode::IntegerDivisionByZero);
        assert_eq!(compare_outcomes(&divide, &divide.clone()), None);
        assert!(compare_outcomes(&divide, &Outcome::Trapped(TrapCode::IntegerOverflow)).is_some());
        assert!(compare_outcomes(&divide, &ret(vec![])).is_some());
        assert!(compare_outcomes(&ret(vec![]), &divide).is_some());
        assert!(compare_outcomes(&ret(vec![]), &Outcome::Failed("crash".into())).is_some());
    }

    #[test]
    fn memory_differences_name_the_first_offset() {
        assert_eq!(compare_memory(&[1, 2, 3], &[1, 2, 3]), None);
        let difference = compare_memory(&[1, 2, 3, 4], &[1, 9, 3, 8]).unwrap();
        assert_eq!(difference, "2 byte(s) differ; first at offset 0x1: 09 03 08 instead of 02 03 04");
        assert!(compare_memory(&[0; 4], &[0; 8]).unwrap().contains("8 bytes long"));
    }

    #[test]
    fn unsupported_and_resource_limits_are_not_compared() {
        assert!(!Outcome::Unsupported("x".into()).is_comparable());
        assert!(!Outcome::ResourceLimit(ResourceLimit::Stack).is_comparable());
        assert!(Outcome::Failed("x".into()).is_comparable());
        assert!(Outcome::Trapped(TrapCode::Unreachable).is_comparable());
    }
}
