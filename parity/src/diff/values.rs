//! Operand values for differential calls: a seeded generator and the edge
//! cases every generator draws from.
//!
//! ```text
//!  sweep (seed, case index) ─▶ **Rng** ─┬─ smith: arguments for each export
//!                                      └─ single: operands for one operator
//!                     edge_values / core_values / random_value (this file)
//! ```
//!
//! Everything is deterministic: the same seed and case index give the same
//! values on every machine, whatever `--jobs` is. Edge cases are the values
//! where implementations go wrong: zero and its signs, ±1, the extremes,
//! powers of two and their neighbours, float conversion boundaries,
//! subnormals, infinities and NaNs with several payloads (quiet, signalling,
//! negative). Random values fill the space between them.

use compiler::module::ValType;
use emu::Value;

/// A small, fast, seedable generator (SplitMix64). Not cryptographic; it
/// only has to be deterministic and well mixed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The generator for case `index` of a sweep with `seed`: independent
    /// streams per case, so cases can run in any order on any worker.
    pub fn for_case(seed: u64, index: u64) -> Rng {
        let mut mixer = Rng(seed ^ 0x5bd1_e995_9e37_79b9);
        let base = mixer.next_u64();
        Rng(base ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound > 0`).
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "Rng::below needs a positive bound");
        // Multiply-shift: unbiased enough for test data.
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// True with probability `numerator / denominator`.
    pub fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        self.below(denominator) < numerator
    }

    /// One element of a non-empty slice.
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Fills `bytes` with random bytes.
    pub fn fill(&mut self, bytes: &mut [u8]) {
        for chunk in bytes.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

/// Interesting `i32` operands.
pub fn edge_i32() -> Vec<i32> {
    let mut values = vec![0, 1, -1, 2, -2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 100, -100];
    for shift in 1..31 {
        let power = 1i32 << shift;
        values.extend([power - 1, power, power + 1, -power]);
    }
    values.extend([i32::MIN, i32::MIN + 1, i32::MAX, i32::MAX - 1, 0x5555_5555, 0xaaaa_aaaau32 as i32]);
    values.extend([0xff, 0x80, 0x7f, 0xffff, 0x8000, 0x7fff, 0xff00, 0x00ff_0000, 0x1234_5678]);
    dedup(values)
}

/// Interesting `i64` operands.
pub fn edge_i64() -> Vec<i64> {
    let mut values = vec![0, 1, -1, 2, -2, 3, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256];
    for shift in 1..63 {
        let power = 1i64 << shift;
        values.extend([power - 1, power, power + 1, -power]);
    }
    values.extend([i64::MIN, i64::MIN + 1, i64::MAX, i64::MAX - 1]);
    values.extend([
        i64::from(i32::MIN),
        i64::from(i32::MAX),
        i64::from(u32::MAX),
        i64::from(u32::MAX) + 1,
        0x5555_5555_5555_5555,
        0xaaaa_aaaa_aaaa_aaaau64 as i64,
        0x1234_5678_9abc_def0,
        0xffff_ffff_0000_0000u64 as i64,
        0x0000_0001_ffff_ffff,
    ]);
    dedup(values)
}

/// `f32` NaN bit patterns: canonical, negative, payloads, signalling.
pub const F32_NANS: [u32; 6] = [0x7fc0_0000, 0xffc0_0000, 0x7fc0_0001, 0x7fa0_0000, 0x7f80_0001, 0xffff_ffff];
/// `f64` NaN bit patterns: canonical, negative, payloads, signalling.
pub const F64_NANS: [u64; 6] = [
    0x7ff8_0000_0000_0000,
    0xfff8_0000_0000_0000,
    0x7ff8_0000_0000_0001,
    0x7ff4_0000_0000_0000,
    0x7ff0_0000_0000_0001,
    0xffff_ffff_ffff_ffff,
];

/// Powers of two where float-to-int conversions and rounding change
/// behaviour: 2^23/2^52 (every larger float is an integer), 2^24/2^53,
/// and the ranges of i32, u32, i64 and u64.
const BOUNDARY_EXPONENTS: [i32; 8] = [23, 24, 31, 32, 52, 53, 63, 64];

/// Interesting `f32` operands, as bits.
pub fn edge_f32() -> Vec<u32> {
    let numbers: [f32; 22] = [
        0.0,
        1.0,
        0.5,
        1.5,
        2.5,
        3.5,
        0.49999997,
        0.99999994,
        2.0,
        3.0,
        10.0,
        100.5,
        0.1,
        0.3,
        0.75,
        1e10,
        1e-10,
        123_456.79,
        f32::MIN_POSITIVE,
        f32::MAX,
        f32::EPSILON,
        f32::INFINITY,
    ];
    let mut values = Vec::new();
    for number in numbers {
        values.extend([number.to_bits(), (-number).to_bits()]);
    }
    // Each boundary and its two neighbouring floats, both signs.
    for exponent in BOUNDARY_EXPONENTS {
        let bits = 2f32.powi(exponent).to_bits();
        for neighbour in [bits - 1, bits, bits + 1] {
            values.extend([neighbour, neighbour | 0x8000_0000]);
        }
    }
    // Subnormals: the smallest, the largest, one in between.
    values.extend([0x0000_0001, 0x007f_ffff, 0x0040_0000, 0x8000_0001, 0x807f_ffff]);
    values.extend(F32_NANS);
    dedup(values)
}

/// Interesting `f64` operands, as bits.
pub fn edge_f64() -> Vec<u64> {
    let numbers: [f64; 27] = [
        0.0,
        1.0,
        0.5,
        1.5,
        2.5,
        3.5,
        0.49999999999999994,
        0.9999999999999999,
        2.0,
        3.0,
        10.0,
        100.5,
        0.1,
        1e300,
        1e-300,
        2_147_483_647.0,
        2_147_483_647.5,
        2_147_483_648.5,
        2_147_483_649.0,
        4_294_967_295.0,
        4_294_967_295.5,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::EPSILON,
        f64::INFINITY,
        f32::MAX as f64,
        // Halfway between f32::MAX and the next power: demotes to infinity.
        3.4028235677973366e38,
    ];
    let mut values = Vec::new();
    for number in numbers {
        values.extend([number.to_bits(), (-number).to_bits()]);
    }
    for exponent in BOUNDARY_EXPONENTS {
        let bits = 2f64.powi(exponent).to_bits();
        for neighbour in [bits - 1, bits, bits + 1] {
            values.extend([neighbour, neighbour | 0x8000_0000_0000_0000]);
        }
    }
    values.extend([0x0000_0000_0000_0001, 0x000f_ffff_ffff_ffff, 0x8000_0000_0000_0001]);
    // An f64 that is an f32 subnormal, and one below the f32 range.
    values.extend([f64::from(f32::from_bits(1)).to_bits(), 1e-50f64.to_bits()]);
    values.extend(F64_NANS);
    dedup(values)
}

/// The edge cases of `ty`, or nothing for types the generators do not use.
pub fn edge_values(ty: ValType) -> Vec<Value> {
    match ty {
        ValType::I32 => edge_i32().into_iter().map(Value::I32).collect(),
        ValType::I64 => edge_i64().into_iter().map(Value::I64).collect(),
        ValType::F32 => edge_f32().into_iter().map(Value::F32).collect(),
        ValType::F64 => edge_f64().into_iter().map(Value::F64).collect(),
        _ => Vec::new(),
    }
}

/// A short list of the most telling operands of `ty`, small enough to try
/// every pair of them for a binary operator.
pub fn core_values(ty: ValType) -> Vec<Value> {
    match ty {
        ValType::I32 => [0, 1, -1, 2, 7, 31, 32, 33, 0x80, 0xffff, i32::MIN, i32::MIN + 1, i32::MAX]
            .into_iter()
            .map(Value::I32)
            .collect(),
        ValType::I64 => {
            [0, 1, -1, 2, 63, 64, 65, 0xffff_ffff, 0x1_0000_0000, i64::from(i32::MIN), i64::MIN, i64::MIN + 1, i64::MAX]
                .into_iter()
                .map(Value::I64)
                .collect()
        }
        ValType::F32 => [0.0f32, -0.0, 1.0, -1.0, 0.5, -1.5, 2.5, f32::INFINITY, f32::NEG_INFINITY, f32::MAX]
            .into_iter()
            .map(|f| f.to_bits())
            .chain([0x0000_0001, 0x7fc0_0000, 0xffc0_0001, 0x7fa0_0000])
            .map(Value::F32)
            .collect(),
        ValType::F64 => [0.0f64, -0.0, 1.0, -1.0, 0.5, -1.5, 2.5, f64::INFINITY, f64::NEG_INFINITY, f64::MAX]
            .into_iter()
            .map(|f| f.to_bits())
            .chain([0x0000_0000_0000_0001, 0x7ff8_0000_0000_0000, 0xfff8_0000_0000_0001, 0x7ff4_0000_0000_0000])
            .map(Value::F64)
            .collect(),
        _ => Vec::new(),
    }
}

/// A random value of `ty`: uniformly random bits, a small number, or (for
/// floats) a number with a moderate exponent so that arithmetic on it
/// neither overflows nor underflows at once.
pub fn random_value(ty: ValType, rng: &mut Rng) -> Value {
    let bits = rng.next_u64();
    match (ty, rng.below(3)) {
        (ValType::I32, 0) => Value::I32(rng.below(256) as i32 - 128),
        (ValType::I32, _) => Value::I32(bits as i32),
        (ValType::I64, 0) => Value::I64(rng.below(256) as i64 - 128),
        (ValType::I64, _) => Value::I64(bits as i64),
        (ValType::F32, 0) => Value::F32(bits as u32),
        (ValType::F32, 1) => Value::F32((rng.below(2001) as f32 - 1000.0).to_bits()),
        (ValType::F32, _) => {
            // Sign, an exponent within 2^-20..2^40, random mantissa.
            let exponent = 127 - 20 + rng.below(61) as u32;
            Value::F32((bits as u32 & 0x8000_0000) | (exponent << 23) | (bits as u32 & 0x007f_ffff))
        }
        (ValType::F64, 0) => Value::F64(bits),
        (ValType::F64, 1) => Value::F64((rng.below(2001) as f64 - 1000.0).to_bits()),
        (ValType::F64, _) => {
            let exponent = 1023 - 40 + rng.below(121);
            Value::F64((bits & 0x8000_0000_0000_0000) | (exponent << 52) | (bits & 0x000f_ffff_ffff_ffff))
        }
        (_, _) => Value::I32(0),
    }
}

/// One argument of `ty`: an edge case three times out of four, otherwise
/// random.
pub fn pick(ty: ValType, rng: &mut Rng) -> Value {
    if rng.chance(3, 4) {
        let edges = edge_values(ty);
        if !edges.is_empty() {
            return *rng.choose(&edges);
        }
    }
    random_value(ty, rng)
}

/// Addresses for memory operators: the ends of the first page and of the
/// 32-bit space, unaligned neighbours, and a few in between.
pub fn edge_addresses() -> Vec<i32> {
    let mut values = vec![0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 100, 1000, 4095, 4096];
    for end in [65536i64, 131072] {
        for delta in 1..=9 {
            values.push((end - delta) as i32);
        }
        values.extend([end as i32, end as i32 + 1]);
    }
    values.extend([0x7fff_ffff, i32::MIN, -1, -2, -4, -8, 0x1_0000 * 0x7fff]);
    dedup(values)
}

fn dedup<T: PartialEq>(values: Vec<T>) -> Vec<T> {
    let mut unique = Vec::with_capacity(values.len());
    for value in values {
        if !unique.contains(&value) {
            unique.push(value);
        }
    }
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_streams_differ() {
        let a: Vec<u64> = (0..4).map(|_| Rng::for_case(1, 7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut first = Rng::for_case(1, 7);
        let mut second = Rng::for_case(1, 8);
        assert_ne!(first.next_u64(), second.next_u64());
        let mut rng = Rng::new(3);
        for _ in 0..1000 {
            assert!(rng.below(10) < 10);
        }
    }

    #[test]
    fn edge_sets_hold_the_classic_traps() {
        assert!(edge_i32().contains(&i32::MIN) && edge_i32().contains(&-1));
        assert!(edge_i64().contains(&i64::MIN) && edge_i64().contains(&(1 << 32)));
        let f32s = edge_f32();
        assert!(f32s.contains(&(-0.0f32).to_bits()) && f32s.contains(&0x7fa0_0000));
        assert!(f32s.contains(&2_147_483_648.0f32.to_bits()) && f32s.contains(&(2_147_483_648.0f32.to_bits() - 1)));
        let f64s = edge_f64();
        assert!(f64s.contains(&(-2_147_483_649.0f64).to_bits()) && f64s.contains(&0x7ff4_0000_0000_0000));
        assert!(f64s.contains(&(9_223_372_036_854_775_808.0f64.to_bits() | 1 << 63)));
        assert!(edge_addresses().contains(&65535) && edge_addresses().contains(&-1));
        for ty in [ValType::I32, ValType::I64, ValType::F32, ValType::F64] {
            let values = edge_values(ty);
            for (i, value) in values.iter().enumerate() {
                assert!(!values[..i].contains(value), "{ty:?} edge value {value:?} repeated");
            }
        }
    }

    #[test]
    fn random_values_have_the_requested_type() {
        let mut rng = Rng::new(9);
        for _ in 0..200 {
            assert!(matches!(random_value(ValType::F64, &mut rng), Value::F64(_)));
            assert!(matches!(pick(ValType::I32, &mut rng), Value::I32(_)));
        }
    }
}
