//! What a `.wast` assertion expects, and how an actual result is judged.
//!
//! ```text
//! .wast ─▶ script (lowered commands) ─▶ run (executor) ─▶ **expected** (judge) ─▶ report
//! ```
//!
//! This module is pure data and pure functions: expected values with the
//! spec's NaN patterns (`nan:canonical`, `nan:arithmetic`), reference
//! patterns, and the mapping from the testsuite's trap messages to the
//! runtime's [`TrapCode`]s. It knows nothing about compilers or executors,
//! so its unit tests run without either.

use compiler::runtime::TrapCode;
use emu::Value;
use std::fmt;

/// An expected float result: exact bits, or a class of NaNs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatPattern<Bits> {
    /// These exact bits (so `-0.0` differs from `0.0` and NaN payloads count).
    Bits(Bits),
    /// A canonical NaN: quiet bit set, every other payload bit clear, either sign.
    CanonicalNan,
    /// An arithmetic NaN: quiet bit set, any payload, either sign.
    ArithmeticNan,
}

impl FloatPattern<u32> {
    /// Whether the `f32` with these bits matches the pattern.
    pub fn matches(self, bits: u32) -> bool {
        const ABS_MASK: u32 = 0x7fff_ffff;
        // Exponent all ones plus the quiet bit (the top bit of the mantissa).
        const QUIET_NAN: u32 = 0x7fc0_0000;
        match self {
            FloatPattern::Bits(expected) => expected == bits,
            FloatPattern::CanonicalNan => bits & ABS_MASK == QUIET_NAN,
            FloatPattern::ArithmeticNan => bits & QUIET_NAN == QUIET_NAN,
        }
    }
}

impl FloatPattern<u64> {
    /// Whether the `f64` with these bits matches the pattern.
    pub fn matches(self, bits: u64) -> bool {
        const ABS_MASK: u64 = 0x7fff_ffff_ffff_ffff;
        const QUIET_NAN: u64 = 0x7ff8_0000_0000_0000;
        match self {
            FloatPattern::Bits(expected) => expected == bits,
            FloatPattern::CanonicalNan => bits & ABS_MASK == QUIET_NAN,
            FloatPattern::ArithmeticNan => bits & QUIET_NAN == QUIET_NAN,
        }
    }
}

/// One expected result of an `assert_return`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedValue {
    /// Exactly this `i32`.
    I32(i32),
    /// Exactly this `i64`.
    I64(i64),
    /// An `f32` matching the pattern.
    F32(FloatPattern<u32>),
    /// An `f64` matching the pattern.
    F64(FloatPattern<u64>),
    /// `ref.null func` (or `nofunc`).
    NullFuncRef,
    /// `ref.null extern` (or `noextern`).
    NullExternRef,
    /// `ref.null` without a type: a null of either reference kind.
    NullRef,
    /// `ref.func`: any non-null function reference. Executors hand out
    /// opaque identities, so the function index is not checked.
    FuncRef,
    /// `ref.extern N` (`Some(N)`: the host value the script passed in) or
    /// `ref.extern` (`None`: any non-null external reference).
    ExternRef(Option<u32>),
    /// Any one of the alternatives (`either`).
    Either(Vec<ExpectedValue>),
}

impl ExpectedValue {
    /// Whether `actual` is an acceptable result.
    pub fn matches(&self, actual: &Value) -> bool {
        match (self, actual) {
            (ExpectedValue::I32(expected), Value::I32(actual)) => expected == actual,
            (ExpectedValue::I64(expected), Value::I64(actual)) => expected == actual,
            (ExpectedValue::F32(pattern), Value::F32(bits)) => pattern.matches(*bits),
            (ExpectedValue::F64(pattern), Value::F64(bits)) => pattern.matches(*bits),
            (ExpectedValue::NullFuncRef, Value::FuncRef(None)) => true,
            (ExpectedValue::NullExternRef, Value::ExternRef(None)) => true,
            (ExpectedValue::NullRef, Value::FuncRef(None) | Value::ExternRef(None)) => true,
            (ExpectedValue::FuncRef, Value::FuncRef(Some(_))) => true,
            (ExpectedValue::ExternRef(None), Value::ExternRef(Some(_))) => true,
            (ExpectedValue::ExternRef(Some(host)), Value::ExternRef(Some(actual))) => u64::from(*host) == *actual,
            (ExpectedValue::Either(alternatives), actual) => alternatives.iter().any(|a| a.matches(actual)),
            _ => false,
        }
    }
}

impl fmt::Display for ExpectedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedValue::I32(v) => write!(f, "i32.const {v}"),
            ExpectedValue::I64(v) => write!(f, "i64.const {v}"),
            ExpectedValue::F32(FloatPattern::Bits(bits)) => {
                write!(f, "f32.const {} ({bits:#010x})", f32::from_bits(*bits))
            }
            ExpectedValue::F64(FloatPattern::Bits(bits)) => {
                write!(f, "f64.const {} ({bits:#018x})", f64::from_bits(*bits))
            }
            ExpectedValue::F32(FloatPattern::CanonicalNan) => f.write_str("f32.const nan:canonical"),
            ExpectedValue::F32(FloatPattern::ArithmeticNan) => f.write_str("f32.const nan:arithmetic"),
            ExpectedValue::F64(FloatPattern::CanonicalNan) => f.write_str("f64.const nan:canonical"),
            ExpectedValue::F64(FloatPattern::ArithmeticNan) => f.write_str("f64.const nan:arithmetic"),
            ExpectedValue::NullFuncRef => f.write_str("ref.null func"),
            ExpectedValue::NullExternRef => f.write_str("ref.null extern"),
            ExpectedValue::NullRef => f.write_str("ref.null"),
            ExpectedValue::FuncRef => f.write_str("ref.func (non-null)"),
            ExpectedValue::ExternRef(Some(host)) => write!(f, "ref.extern {host}"),
            ExpectedValue::ExternRef(None) => f.write_str("ref.extern (non-null)"),
            ExpectedValue::Either(alternatives) => {
                f.write_str("either(")?;
                for (i, alternative) in alternatives.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{alternative}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// Renders an actual value in the same vocabulary as [`ExpectedValue`]'s
/// `Display`, so failure messages compare like with like.
pub fn describe_value(value: &Value) -> String {
    match value {
        Value::I32(v) => format!("i32.const {v}"),
        Value::I64(v) => format!("i64.const {v}"),
        Value::F32(bits) => format!("f32.const {} ({bits:#010x})", f32::from_bits(*bits)),
        Value::F64(bits) => format!("f64.const {} ({bits:#018x})", f64::from_bits(*bits)),
        Value::FuncRef(None) => "ref.null func".to_string(),
        Value::ExternRef(None) => "ref.null extern".to_string(),
        Value::FuncRef(Some(id)) => format!("ref.func (identity {id})"),
        Value::ExternRef(Some(host)) => format!("ref.extern {host}"),
    }
}

/// Renders a list of values as `[a, b]`.
pub fn describe_values(values: &[Value]) -> String {
    let items: Vec<String> = values.iter().map(describe_value).collect();
    format!("[{}]", items.join(", "))
}

/// Renders a list of expected values as `[a, b]`.
pub fn describe_expected(values: &[ExpectedValue]) -> String {
    let items: Vec<String> = values.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// Judges a list of actual results against the expected ones: `Ok(())` when
/// they match, otherwise a description of the difference.
pub fn check_results(expected: &[ExpectedValue], actual: &[Value]) -> Result<(), String> {
    if expected.len() != actual.len() {
        return Err(format!(
            "expected {} result(s) {}, got {} result(s) {}",
            expected.len(),
            describe_expected(expected),
            actual.len(),
            describe_values(actual)
        ));
    }
    let mismatches: Vec<String> = expected
        .iter()
        .zip(actual)
        .enumerate()
        .filter(|(_, (expected, actual))| !expected.matches(actual))
        .map(|(i, (expected, actual))| format!("result {i}: expected {expected}, got {}", describe_value(actual)))
        .collect();
    if mismatches.is_empty() { Ok(()) } else { Err(mismatches.join("; ")) }
}

/// The trap kind the testsuite message `message` stands for, or `None` when
/// no [`TrapCode`] models it (GC casts, array bounds, null structs, ...).
///
/// Matching is by prefix against [`TrapCode::spec_message`], because the
/// testsuite sometimes appends detail (`"uninitialized element 2"`). Two
/// messages need care:
///
/// - `"undefined element"`: `call_indirect` with an index past the end of
///   the table, i.e. [`TrapCode::TableOutOfBounds`];
/// - `"uninitialized element"`: `call_indirect` reaching a null entry, i.e.
///   [`TrapCode::IndirectCallToNull`] (its `spec_message`);
/// - `"null function reference"`: `call_ref` on null, also
///   [`TrapCode::IndirectCallToNull`].
pub fn trap_code_for_message(message: &str) -> Option<TrapCode> {
    if message.starts_with("undefined element") {
        return Some(TrapCode::TableOutOfBounds);
    }
    if message.starts_with("null function reference") {
        return Some(TrapCode::IndirectCallToNull);
    }
    TrapCode::ALL
        .iter()
        .copied()
        .filter(|code| *code != TrapCode::Unsupported)
        .find(|code| message.starts_with(code.spec_message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    type F32Pattern = FloatPattern<u32>;
    type F64Pattern = FloatPattern<u64>;

    #[test]
    fn f32_nan_patterns() {
        let canonical = 0x7fc0_0000;
        let negative_canonical = 0xffc0_0000;
        let arithmetic = 0x7fc0_0001;
        let signalling = 0x7fa0_0000;
        let infinity = 0x7f80_0000;
        assert!(F32Pattern::CanonicalNan.matches(canonical));
        assert!(F32Pattern::CanonicalNan.matches(negative_canonical));
        assert!(!F32Pattern::CanonicalNan.matches(arithmetic));
        assert!(!F32Pattern::CanonicalNan.matches(signalling));
        assert!(F32Pattern::ArithmeticNan.matches(canonical));
        assert!(F32Pattern::ArithmeticNan.matches(arithmetic));
        assert!(F32Pattern::ArithmeticNan.matches(0xffff_ffff));
        assert!(!F32Pattern::ArithmeticNan.matches(signalling));
        assert!(!F32Pattern::ArithmeticNan.matches(infinity));
        assert!(!F32Pattern::ArithmeticNan.matches(1.0f32.to_bits()));
    }

    #[test]
    fn f64_nan_patterns() {
        let canonical = 0x7ff8_0000_0000_0000;
        assert!(F64Pattern::CanonicalNan.matches(canonical));
        assert!(F64Pattern::CanonicalNan.matches(canonical | (1 << 63)));
        assert!(!F64Pattern::CanonicalNan.matches(canonical | 1));
        assert!(F64Pattern::ArithmeticNan.matches(canonical | 1));
        assert!(!F64Pattern::ArithmeticNan.matches(0x7ff4_0000_0000_0000));
        assert!(!F64Pattern::ArithmeticNan.matches(f64::INFINITY.to_bits()));
    }

    #[test]
    fn floats_compare_bit_exactly() {
        let zero = ExpectedValue::F32(FloatPattern::Bits(0.0f32.to_bits()));
        assert!(zero.matches(&Value::F32(0.0f32.to_bits())));
        assert!(!zero.matches(&Value::F32((-0.0f32).to_bits())));
        let nan = ExpectedValue::F64(FloatPattern::Bits(0x7ff8_0000_0000_0001));
        assert!(nan.matches(&Value::F64(0x7ff8_0000_0000_0001)));
        assert!(!nan.matches(&Value::F64(0x7ff8_0000_0000_0000)));
        // A value of the wrong type never matches, even with equal bits.
        assert!(!ExpectedValue::I32(1).matches(&Value::I64(1)));
        assert!(!ExpectedValue::F32(FloatPattern::Bits(1)).matches(&Value::I32(1)));
    }

    #[test]
    fn reference_patterns() {
        assert!(ExpectedValue::NullFuncRef.matches(&Value::FuncRef(None)));
        assert!(!ExpectedValue::NullFuncRef.matches(&Value::ExternRef(None)));
        assert!(!ExpectedValue::NullFuncRef.matches(&Value::FuncRef(Some(3))));
        assert!(ExpectedValue::NullRef.matches(&Value::ExternRef(None)));
        assert!(ExpectedValue::FuncRef.matches(&Value::FuncRef(Some(0))));
        assert!(!ExpectedValue::FuncRef.matches(&Value::FuncRef(None)));
        assert!(ExpectedValue::ExternRef(Some(7)).matches(&Value::ExternRef(Some(7))));
        assert!(!ExpectedValue::ExternRef(Some(7)).matches(&Value::ExternRef(Some(8))));
        assert!(ExpectedValue::ExternRef(None).matches(&Value::ExternRef(Some(8))));
        assert!(!ExpectedValue::ExternRef(None).matches(&Value::ExternRef(None)));
    }

    #[test]
    fn either_matches_any_alternative() {
        let either = ExpectedValue::Either(vec![ExpectedValue::I32(1), ExpectedValue::I32(2)]);
        assert!(either.matches(&Value::I32(2)));
        assert!(!either.matches(&Value::I32(3)));
    }

    #[test]
    fn result_lists_report_each_mismatch() {
        let expected = [ExpectedValue::I32(1), ExpectedValue::I64(2)];
        assert_eq!(check_results(&expected, &[Value::I32(1), Value::I64(2)]), Ok(()));
        let error = check_results(&expected, &[Value::I32(1), Value::I64(3)]).unwrap_err();
        assert_eq!(error, "result 1: expected i64.const 2, got i64.const 3");
        let error = check_results(&expected, &[Value::I32(1)]).unwrap_err();
        assert!(error.starts_with("expected 2 result(s)"), "{error}");
    }

    #[test]
    fn trap_messages_map_to_codes() {
        let cases = [
            ("unreachable", Some(TrapCode::Unreachable)),
            ("out of bounds memory access", Some(TrapCode::MemoryOutOfBounds)),
            ("out of bounds table access", Some(TrapCode::TableOutOfBounds)),
            ("integer divide by zero", Some(TrapCode::IntegerDivisionByZero)),
            ("integer overflow", Some(TrapCode::IntegerOverflow)),
            ("invalid conversion to integer", Some(TrapCode::BadConversionToInteger)),
            ("indirect call type mismatch", Some(TrapCode::IndirectCallTypeMismatch)),
            ("uninitialized element", Some(TrapCode::IndirectCallToNull)),
            ("uninitialized element 2", Some(TrapCode::IndirectCallToNull)),
            ("undefined element", Some(TrapCode::TableOutOfBounds)),
            ("null function reference", Some(TrapCode::IndirectCallToNull)),
            ("call stack exhausted", Some(TrapCode::StackOverflow)),
            ("cast failure", None),
            ("out of bounds array access", None),
            ("null reference", None),
            ("unsupported", None),
        ];
        for (message, code) in cases {
            assert_eq!(trap_code_for_message(message), code, "{message}");
        }
    }

    #[test]
    fn values_render_readably() {
        assert_eq!(describe_value(&Value::F32(0x7fc0_0000)), "f32.const NaN (0x7fc00000)");
        assert_eq!(describe_value(&Value::ExternRef(Some(3))), "ref.extern 3");
        assert_eq!(ExpectedValue::F64(FloatPattern::ArithmeticNan).to_string(), "f64.const nan:arithmetic");
        assert_eq!(describe_values(&[Value::I32(-1), Value::I64(5)]), "[i32.const -1, i64.const 5]");
    }
}
