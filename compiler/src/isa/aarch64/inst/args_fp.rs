//! Operand types of AArch64 floating-point instructions: the precision and
//! the operation kinds.
//!
//! Part of `isa/aarch64/inst/`, next to `args.rs` (the integer operand
//! types). Every operation here is a scalar instruction on `s` (32-bit) or
//! `d` (64-bit) views of `v0`–`v31`; the encoders are in `emit_fp.rs`.

use crate::ir::Type;

/// Precision of a scalar floating-point operand: the `ftype` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatSize {
    /// `s` registers (f32).
    F32,
    /// `d` registers (f64).
    F64,
}

impl FloatSize {
    /// Both sizes.
    pub const ALL: [FloatSize; 2] = [FloatSize::F32, FloatSize::F64];

    /// The size of a float IR type.
    pub fn of(ty: Type) -> FloatSize {
        if ty == Type::F64 { FloatSize::F64 } else { FloatSize::F32 }
    }

    /// The 2-bit `ftype` field (bits 23..22).
    pub fn ftype(self) -> u32 {
        match self {
            FloatSize::F32 => 0b00,
            FloatSize::F64 => 0b01,
        }
    }

    /// Bytes in memory.
    pub fn bytes(self) -> u32 {
        match self {
            FloatSize::F32 => 4,
            FloatSize::F64 => 8,
        }
    }

    /// The register-name prefix (`s` or `d`).
    pub fn prefix(self) -> char {
        match self {
            FloatSize::F32 => 's',
            FloatSize::F64 => 'd',
        }
    }
}

/// Floating-point data-processing (2 source) operations, numbered by their
/// `opcode` field (bits 15..12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpuOp2 {
    /// `fmul`
    Mul = 0b0000,
    /// `fdiv`
    Div = 0b0001,
    /// `fadd`
    Add = 0b0010,
    /// `fsub`
    Sub = 0b0011,
    /// `fmax`: NaN if either operand is NaN; `+0 > -0`.
    Max = 0b0100,
    /// `fmin`: NaN if either operand is NaN; `-0 < +0`.
    Min = 0b0101,
}

impl FpuOp2 {
    /// Every operation.
    pub const ALL: [FpuOp2; 6] = [FpuOp2::Mul, FpuOp2::Div, FpuOp2::Add, FpuOp2::Sub, FpuOp2::Max, FpuOp2::Min];

    /// The 4-bit `opcode` field.
    pub fn bits(self) -> u32 {
        self as u32
    }
}

/// Floating-point data-processing (1 source) operations that keep the
/// precision, numbered by their `opcode` field (bits 20..15).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpuOp1 {
    /// `fmov` (register to register)
    Mov = 0b000000,
    /// `fabs` (clears the sign bit, also of a NaN)
    Abs = 0b000001,
    /// `fneg` (flips the sign bit, also of a NaN)
    Neg = 0b000010,
    /// `fsqrt`
    Sqrt = 0b000011,
    /// `frintn`: round to nearest, ties to even (Wasm `nearest`).
    RintN = 0b001000,
    /// `frintp`: round towards +infinity (`ceil`).
    RintP = 0b001001,
    /// `frintm`: round towards -infinity (`floor`).
    RintM = 0b001010,
    /// `frintz`: round towards zero (`trunc`).
    RintZ = 0b001011,
}

impl FpuOp1 {
    /// Every operation.
    pub const ALL: [FpuOp1; 8] = [
        FpuOp1::Mov,
        FpuOp1::Abs,
        FpuOp1::Neg,
        FpuOp1::Sqrt,
        FpuOp1::RintN,
        FpuOp1::RintP,
        FpuOp1::RintM,
        FpuOp1::RintZ,
    ];

    /// The 6-bit `opcode` field.
    pub fn bits(self) -> u32 {
        self as u32
    }
}
