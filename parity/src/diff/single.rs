//! Generator (b): one operator per module, applied to its parameters and
//! called with edge-case operands.
//!
//! ```text
//!  operators() table ─▶ (seed, ordinal) ─▶ one Operator ─▶ WAT ─▶ wasm
//!                                                └─▶ operand plan (values::*) ─▶ Case
//! ```
//!
//! Every integer and float operator the compiler translates gets a module
//! of its own: numeric operators as `(func (param ..) (result ..) local.get
//! .. OP)`, loads and stores with several static offsets against a one-page
//! memory whose first and last bytes hold a known pattern (NaN payloads
//! included), and `memory.size`.
//!
//! Operands: unary operators get every edge case of their type plus random
//! values; binary operators every pair of the core edge cases plus random
//! pairs; memory operators, for each static offset, the edge addresses that
//! land in or next to the memory, the last addresses before its end, and a
//! few far out of bounds (memory is compared after every call, so calls that
//! all trap the same way are kept few).
//!
//! Float results whose bits the spec fixes (`abs`, `neg`, `copysign`,
//! reinterpretations, float loads) are returned reinterpreted as integers,
//! so their NaN payloads are compared exactly; results of arithmetic, where
//! the spec allows any NaN payload, are compared as floats (bit-identical,
//! or both NaN).

use super::Case;
use super::values::{Rng, core_values, edge_addresses, edge_values, pick, random_value};
use compiler::module::ValType;
use emu::Value;
use std::fmt::Write;

/// How an operator's module is built and called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `local.get` every parameter, apply the operator, return the result.
    Numeric,
    /// Like [`Shape::Numeric`], with the float result returned as its bits.
    FloatBits,
    /// A load at an address parameter, with several static offsets.
    Load,
    /// A store of a value parameter at an address parameter.
    Store,
    /// `memory.size`.
    MemorySize,
}

/// One operator under test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    /// The text-format name (`i32.add`).
    pub name: String,
    /// Operand types.
    pub params: Vec<ValType>,
    /// Result type, if any.
    pub result: Option<ValType>,
    /// How the module is built.
    pub shape: Shape,
}

/// Static offsets every load and store is tried with.
pub const OFFSETS: [u32; 4] = [0, 1, 65533, 0xffff_ffff];

/// Random operands added to each operator's plan.
const RANDOM_CALLS: usize = 32;

fn op(name: &str, params: &[ValType], result: Option<ValType>, shape: Shape) -> Operator {
    Operator { name: name.to_string(), params: params.to_vec(), result, shape }
}

fn type_name(ty: ValType) -> &'static str {
    match ty {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        _ => "f64",
    }
}

/// Every operator in the compiler's scope, in a fixed order.
pub fn operators() -> Vec<Operator> {
    use Shape::*;
    use ValType::{F32, F64, I32, I64};
    let mut table = Vec::new();
    for int in [I32, I64] {
        let t = type_name(int);
        let mut unary = vec!["clz", "ctz", "popcnt", "extend8_s", "extend16_s"];
        if int == I64 {
            unary.push("extend32_s");
        }
        for name in unary {
            table.push(op(&format!("{t}.{name}"), &[int], Some(int), Numeric));
        }
        table.push(op(&format!("{t}.eqz"), &[int], Some(I32), Numeric));
        for name in
            ["add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s", "shr_u"]
                .into_iter()
                .chain(["rotl", "rotr"])
        {
            table.push(op(&format!("{t}.{name}"), &[int, int], Some(int), Numeric));
        }
        for name in ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"] {
            table.push(op(&format!("{t}.{name}"), &[int, int], Some(I32), Numeric));
        }
    }
    for float in [F32, F64] {
        let t = type_name(float);
        for name in ["sqrt", "ceil", "floor", "trunc", "nearest"] {
            table.push(op(&format!("{t}.{name}"), &[float], Some(float), Numeric));
        }
        for name in ["abs", "neg"] {
            table.push(op(&format!("{t}.{name}"), &[float], Some(float), FloatBits));
        }
        for name in ["add", "sub", "mul", "div", "min", "max"] {
            table.push(op(&format!("{t}.{name}"), &[float, float], Some(float), Numeric));
        }
        table.push(op(&format!("{t}.copysign"), &[float, float], Some(float), FloatBits));
        for name in ["eq", "ne", "lt", "gt", "le", "ge"] {
            table.push(op(&format!("{t}.{name}"), &[float, float], Some(I32), Numeric));
        }
    }
    table.push(op("i32.wrap_i64", &[I64], Some(I32), Numeric));
    table.push(op("i64.extend_i32_s", &[I32], Some(I64), Numeric));
    table.push(op("i64.extend_i32_u", &[I32], Some(I64), Numeric));
    for int in [I32, I64] {
        for float in [F32, F64] {
            for sat in ["", "_sat"] {
                for sign in ["s", "u"] {
                    let name = format!("{}.trunc{sat}_{}_{sign}", type_name(int), type_name(float));
                    table.push(op(&name, &[float], Some(int), Numeric));
                }
            }
        }
    }
    for float in [F32, F64] {
        for int in [I32, I64] {
            for sign in ["s", "u"] {
                let name = format!("{}.convert_{}_{sign}", type_name(float), type_name(int));
                table.push(op(&name, &[int], Some(float), Numeric));
            }
        }
    }
    table.push(op("f32.demote_f64", &[F64], Some(F32), Numeric));
    table.push(op("f64.promote_f32", &[F32], Some(F64), Numeric));
    table.push(op("i32.reinterpret_f32", &[F32], Some(I32), Numeric));
    table.push(op("i64.reinterpret_f64", &[F64], Some(I64), Numeric));
    table.push(op("f32.reinterpret_i32", &[I32], Some(F32), FloatBits));
    table.push(op("f64.reinterpret_i64", &[I64], Some(F64), FloatBits));
    let loads: [(&str, ValType); 14] = [
        ("i32.load", I32),
        ("i64.load", I64),
        ("f32.load", F32),
        ("f64.load", F64),
        ("i32.load8_s", I32),
        ("i32.load8_u", I32),
        ("i32.load16_s", I32),
        ("i32.load16_u", I32),
        ("i64.load8_s", I64),
        ("i64.load8_u", I64),
        ("i64.load16_s", I64),
        ("i64.load16_u", I64),
        ("i64.load32_s", I64),
        ("i64.load32_u", I64),
    ];
    for (name, ty) in loads {
        table.push(op(name, &[I32], Some(ty), Load));
    }
    let stores: [(&str, ValType); 9] = [
        ("i32.store", I32),
        ("i64.store", I64),
        ("f32.store", F32),
        ("f64.store", F64),
        ("i32.store8", I32),
        ("i32.store16", I32),
        ("i64.store8", I64),
        ("i64.store16", I64),
        ("i64.store32", I64),
    ];
    for (name, ty) in stores {
        table.push(op(name, &[I32, ty], None, Store));
    }
    table.push(op("memory.size", &[], Some(I32), MemorySize));
    table
}

/// Which operator of a table of `count` the case `ordinal` of a sweep with
/// `seed` tests. Consecutive ordinals stride through the table (a stride
/// coprime with its length, starting at an offset from the seed), so a
/// short sweep samples every kind of operator and any `count` consecutive
/// ordinals test every operator once.
pub fn operator_index(seed: u64, ordinal: u64, count: usize) -> usize {
    let count = count as u64;
    let gcd = |mut a: u64, mut b: u64| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let stride = (37..).find(|&stride| gcd(stride, count) == 1).unwrap_or(1);
    ((seed % count + (ordinal % count) * stride) % count) as usize
}

/// The case for ordinal `ordinal` of a sweep with `seed`: the operator
/// [`operator_index`] picks, with its operand plan.
pub fn generate(seed: u64, ordinal: u64) -> Case {
    let table = operators();
    let operator = &table[operator_index(seed, ordinal, table.len())];
    let mut rng = Rng::for_case(seed ^ 0x51_4e_47_4c_45, ordinal);
    case_for(operator, &mut rng)
}

/// The module and operand plan for one operator.
pub fn case_for(operator: &Operator, rng: &mut Rng) -> Case {
    let wasm = wat::parse_str(module_text(operator))
        .unwrap_or_else(|error| panic!("the generated module for {} does not parse: {error}", operator.name));
    let calls = match operator.shape {
        Shape::Numeric | Shape::FloatBits => numeric_calls(&operator.params, rng),
        Shape::Load | Shape::Store => memory_calls(operator, rng),
        Shape::MemorySize => vec![("op".to_string(), Vec::new())],
    };
    Case { wasm, calls, termination_fuel_global: None }
}

/// The text of the module testing `operator`.
pub fn module_text(operator: &Operator) -> String {
    let mut text = String::from("(module\n");
    let result_bits = |ty: ValType| match ty {
        ValType::F32 => ("i32", "i32.reinterpret_f32"),
        ValType::F64 => ("i64", "i64.reinterpret_f64"),
        other => (type_name(other), ""),
    };
    match operator.shape {
        Shape::Numeric | Shape::FloatBits => {
            let params: Vec<&str> = operator.params.iter().map(|&ty| type_name(ty)).collect();
            let result = operator.result.expect("numeric operators have a result");
            let (result_type, convert) =
                if operator.shape == Shape::FloatBits { result_bits(result) } else { (type_name(result), "") };
            let gets: String = (0..params.len()).map(|i| format!("local.get {i} ")).collect();
            let _ = writeln!(
                text,
                "  (func (export \"op\") (param {}) (result {result_type}) {gets}{} {convert})",
                params.join(" "),
                operator.name
            );
        }
        Shape::Load | Shape::Store => {
            text.push_str("  (memory (export \"memory\") 1 1)\n");
            let _ = writeln!(text, "  (data (i32.const 0) \"{}\")", wat_bytes(&pattern(0)));
            let _ = writeln!(text, "  (data (i32.const 65472) \"{}\")", wat_bytes(&pattern(1)));
            for (i, offset) in OFFSETS.iter().enumerate() {
                let export = function_name(i);
                if operator.shape == Shape::Load {
                    let (result_type, convert) = result_bits(operator.result.expect("loads have a result"));
                    let _ = writeln!(
                        text,
                        "  (func (export \"{export}\") (param i32) (result {result_type}) \
                         local.get 0 {} offset={offset} {convert})",
                        operator.name
                    );
                } else {
                    let value = type_name(operator.params[1]);
                    let _ = writeln!(
                        text,
                        "  (func (export \"{export}\") (param i32 {value}) local.get 0 local.get 1 {} offset={offset})",
                        operator.name
                    );
                }
            }
        }
        Shape::MemorySize => {
            text.push_str("  (memory (export \"memory\") 3 5)\n");
            text.push_str("  (func (export \"op\") (result i32) memory.size)\n");
        }
    }
    text.push(')');
    text
}

/// The export name of the function using offset number `index`.
fn function_name(index: usize) -> String {
    if index == 0 { "op".to_string() } else { format!("op_offset{index}") }
}

/// 64 bytes of recognizable data, with float NaN payloads at fixed places
/// (a signalling `f32` NaN at 8, a signalling `f64` NaN at 16, negative
/// zero at 24).
fn pattern(salt: u8) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(0x9d).wrapping_add(0x3b ^ salt)).collect();
    bytes[8..12].copy_from_slice(&0x7fa0_0001u32.to_le_bytes());
    bytes[16..24].copy_from_slice(&0x7ff4_0000_0000_0001u64.to_le_bytes());
    bytes[24..32].copy_from_slice(&(-0.0f64).to_bits().to_le_bytes());
    bytes
}

fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// Operands for a numeric operator: every edge case (unary) or every pair
/// of core edge cases (binary), then random picks.
fn numeric_calls(params: &[ValType], rng: &mut Rng) -> Vec<(String, Vec<Value>)> {
    let mut calls: Vec<Vec<Value>> = match params {
        [ty] => edge_values(*ty).into_iter().map(|v| vec![v]).collect(),
        [a, b] => {
            let right = core_values(*b);
            core_values(*a).into_iter().flat_map(|x| right.iter().map(move |&y| vec![x, y])).collect()
        }
        _ => Vec::new(),
    };
    for _ in 0..RANDOM_CALLS {
        calls.push(
            params.iter().map(|&ty| if rng.chance(1, 2) { pick(ty, rng) } else { random_value(ty, rng) }).collect(),
        );
    }
    calls.into_iter().map(|args| ("op".to_string(), args)).collect()
}

/// The size of the test memory in bytes (one page).
const MEMORY_BYTES: u64 = 65536;

/// Calls per offset whose effective address is far out of bounds: they
/// all trap the same way, a few show that the address computation does
/// not wrap.
const FAR_OUT_OF_BOUNDS_CALLS: usize = 4;

/// Operands for a load or store, per static offset: the edge addresses
/// whose effective address (address + offset, computed without wrapping)
/// lands in or next to the memory, the addresses just below the end of
/// memory for this offset, random in-bounds addresses, and a few far out
/// of bounds; a value of the stored type for stores.
fn memory_calls(operator: &Operator, rng: &mut Rng) -> Vec<(String, Vec<Value>)> {
    let mut calls = Vec::new();
    for (index, &offset) in OFFSETS.iter().enumerate() {
        let offset = u64::from(offset);
        let effective = |address: i32| u64::from(address as u32) + offset;
        let mut addresses: Vec<i32> = Vec::new();
        let mut far = 0;
        for address in edge_addresses() {
            if effective(address) <= MEMORY_BYTES + 16 {
                addresses.push(address);
            } else if far < FAR_OUT_OF_BOUNDS_CALLS {
                far += 1;
                addresses.push(address);
            }
        }
        if offset < MEMORY_BYTES {
            let end = MEMORY_BYTES - offset;
            addresses.extend((1..=9).filter(|&k| k <= end).map(|k| (end - k) as i32));
            for _ in 0..8 {
                addresses.push(rng.below(end) as i32);
            }
        }
        addresses.push(-1);
        let mut unique = Vec::with_capacity(addresses.len());
        for address in addresses {
            if !unique.contains(&address) {
                unique.push(address);
            }
        }
        for address in unique {
            let mut args = vec![Value::I32(address)];
            if operator.shape == Shape::Store {
                args.push(pick(operator.params[1], rng));
            }
            calls.push((function_name(index), args));
        }
    }
    calls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_module_is_valid() {
        let mut rng = Rng::new(1);
        let table = operators();
        assert!(table.len() > 150, "{} operators", table.len());
        for operator in &table {
            let case = case_for(operator, &mut rng);
            wasmparser::validate(&case.wasm).unwrap_or_else(|error| panic!("{}: {error}", operator.name));
            assert!(!case.calls.is_empty(), "{}", operator.name);
        }
        let names: Vec<&str> = table.iter().map(|o| o.name.as_str()).collect();
        for name in ["i64.rem_s", "f32.copysign", "i64.trunc_sat_f64_u", "f64.convert_i64_u", "i64.store32"] {
            assert!(names.contains(&name), "{name} missing");
        }
    }

    #[test]
    fn plans_cover_edge_pairs_and_bit_exact_results() {
        let div = operators().into_iter().find(|o| o.name == "i32.div_s").expect("div_s");
        let case = case_for(&div, &mut Rng::new(2));
        assert!(case.calls.iter().any(|(_, args)| args == &[Value::I32(i32::MIN), Value::I32(-1)]));
        assert!(case.calls.iter().any(|(_, args)| args == &[Value::I32(1), Value::I32(0)]));
        let neg = operators().into_iter().find(|o| o.name == "f64.neg").expect("neg");
        assert!(module_text(&neg).contains("(result i64) local.get 0 f64.neg i64.reinterpret_f64"));
        let store = operators().into_iter().find(|o| o.name == "f32.store").expect("store");
        let text = module_text(&store);
        assert!(text.contains("offset=4294967295") && text.contains("(export \"memory\")"), "{text}");
        // Every offset meets the end of memory; far-out addresses are few.
        let calls = case_for(&store, &mut Rng::new(3)).calls;
        for (function, address) in [("op", 65532), ("op_offset1", 65531), ("op_offset2", 0), ("op_offset2", 3)] {
            assert!(
                calls.iter().any(|(f, args)| f == function && args[0] == Value::I32(address)),
                "{function}({address}) missing"
            );
        }
        assert!(calls.iter().filter(|(f, _)| f == "op_offset3").count() <= FAR_OUT_OF_BOUNDS_CALLS + 1);
    }

    #[test]
    fn generation_cycles_through_the_table_deterministically() {
        let count = operators().len();
        assert_eq!(generate(5, 3), generate(5, 3));
        assert_eq!(generate(5, 3).wasm, generate(5, 3 + count as u64).wasm);
        assert_ne!(generate(5, 3).wasm, generate(5, 4).wasm);
        for seed in [0, 1, 12345] {
            let mut seen: Vec<usize> = (0..count as u64).map(|o| operator_index(seed, o, count)).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..count).collect::<Vec<_>>(), "seed {seed}: every operator once");
        }
        // A short sweep already reaches the far end of the table (memory operators).
        assert!((0..20).any(|o| operator_index(1, o, count) > count - 24));
    }
}
