//! Operand types of x86-64 instructions: sizes, addressing modes, condition
//! codes and operation kinds.
//!
//! Part of `isa/x64/inst/`. Each type visits its registers for the
//! allocator in a fixed order (`get_operands`).

use crate::machinst::MachLabel;
use crate::machinst::reg::{OperandVisitor, Reg};
use std::fmt;

/// Operand width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperandSize {
    /// 8 bits.
    Size8,
    /// 16 bits.
    Size16,
    /// 32 bits.
    Size32,
    /// 64 bits.
    Size64,
}

impl OperandSize {
    /// Width in bytes.
    pub fn bytes(self) -> u8 {
        match self {
            OperandSize::Size8 => 1,
            OperandSize::Size16 => 2,
            OperandSize::Size32 => 4,
            OperandSize::Size64 => 8,
        }
    }

    /// Width in bits.
    pub fn bits(self) -> u32 {
        self.bytes() as u32 * 8
    }

    /// 64 if `is_64`, else 32.
    pub fn of(is_64: bool) -> Self {
        if is_64 { OperandSize::Size64 } else { OperandSize::Size32 }
    }

    /// The Intel `ptr` keyword for this width.
    pub fn ptr_name(self) -> &'static str {
        match self {
            OperandSize::Size8 => "byte",
            OperandSize::Size16 => "word",
            OperandSize::Size32 => "dword",
            OperandSize::Size64 => "qword",
        }
    }
}

/// A location in the stack frame, resolved to an address at emission, when
/// the frame layout is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameOffset {
    /// Outgoing argument area: `rsp + offset`.
    Outgoing(u32),
    /// IR stack slot area: `rsp + outgoing + offset`.
    StackSlot(u32),
    /// Spill slot `index`.
    Spill(u32),
    /// Incoming stack arguments: `rbp + 16 + offset`.
    IncomingArg(u32),
}

/// A memory operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Amode {
    /// `[base + disp]`.
    ImmReg {
        /// Base register.
        base: Reg,
        /// Displacement.
        disp: i32,
    },
    /// `[base + index << shift + disp]`.
    ImmRegRegShift {
        /// Base register.
        base: Reg,
        /// Index register (not `rsp`).
        index: Reg,
        /// Scale as a shift: 0–3.
        shift: u8,
        /// Displacement.
        disp: i32,
    },
    /// `[rip + label]`.
    RipRelative {
        /// The label.
        target: MachLabel,
    },
    /// A frame location, resolved at emission.
    Frame(FrameOffset),
}

impl Amode {
    /// `[base + disp]`.
    pub fn imm_reg(disp: i32, base: Reg) -> Self {
        Amode::ImmReg { base, disp }
    }

    /// Visits the registers the address reads.
    pub fn get_operands(&mut self, visitor: &mut impl OperandVisitor) {
        match self {
            Amode::ImmReg { base, .. } => visit_address_reg(base, visitor),
            Amode::ImmRegRegShift { base, index, .. } => {
                visit_address_reg(base, visitor);
                visit_address_reg(index, visitor);
            }
            Amode::RipRelative { .. } | Amode::Frame(_) => {}
        }
    }
}

fn visit_address_reg(reg: &mut Reg, visitor: &mut impl OperandVisitor) {
    match reg.to_preg() {
        Some(preg) => visitor.reg_fixed_nonallocatable(preg),
        None => visitor.reg_use(reg),
    }
}

/// A register or memory operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegMem {
    /// A register.
    Reg(Reg),
    /// Memory.
    Mem(Amode),
}

impl RegMem {
    /// Visits its registers.
    pub fn get_operands(&mut self, visitor: &mut impl OperandVisitor) {
        match self {
            RegMem::Reg(reg) => visitor.reg_use(reg),
            RegMem::Mem(amode) => amode.get_operands(visitor),
        }
    }
}

/// A register, memory or immediate operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegMemImm {
    /// A register.
    Reg(Reg),
    /// Memory.
    Mem(Amode),
    /// A sign-extended 32-bit immediate.
    Imm(i32),
}

impl RegMemImm {
    /// Visits its registers.
    pub fn get_operands(&mut self, visitor: &mut impl OperandVisitor) {
        match self {
            RegMemImm::Reg(reg) => visitor.reg_use(reg),
            RegMemImm::Mem(amode) => amode.get_operands(visitor),
            RegMemImm::Imm(_) => {}
        }
    }
}

/// Two-operand integer ALU operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AluOp {
    /// `add`
    Add,
    /// `or`
    Or,
    /// `and`
    And,
    /// `sub`
    Sub,
    /// `xor`
    Xor,
}

impl AluOp {
    /// Every ALU operation.
    pub const ALL: [AluOp; 5] = [AluOp::Add, AluOp::Or, AluOp::And, AluOp::Sub, AluOp::Xor];

    /// The `/digit` of the immediate forms (`81 /digit`, `83 /digit`).
    pub fn digit(self) -> u8 {
        match self {
            AluOp::Add => 0,
            AluOp::Or => 1,
            AluOp::And => 4,
            AluOp::Sub => 5,
            AluOp::Xor => 6,
        }
    }

    /// The mnemonic.
    pub fn name(self) -> &'static str {
        match self {
            AluOp::Add => "add",
            AluOp::Or => "or",
            AluOp::And => "and",
            AluOp::Sub => "sub",
            AluOp::Xor => "xor",
        }
    }
}

/// Comparison instructions (set flags only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `cmp a, b` (flags of `a - b`).
    Cmp,
    /// `test a, b` (flags of `a & b`).
    Test,
}

/// One-operand operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `neg`
    Neg,
    /// `not`
    Not,
}

/// Bit scans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BitScan {
    /// `bsr`: index of the highest set bit; ZF if the source is zero.
    Bsr,
    /// `bsf`: index of the lowest set bit; ZF if the source is zero.
    Bsf,
}

/// Shifts and rotates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShiftKind {
    /// `rol`
    Rol,
    /// `ror`
    Ror,
    /// `shl`
    Shl,
    /// `shr`
    Shr,
    /// `sar`
    Sar,
}

impl ShiftKind {
    /// Every shift kind.
    pub const ALL: [ShiftKind; 5] = [ShiftKind::Rol, ShiftKind::Ror, ShiftKind::Shl, ShiftKind::Shr, ShiftKind::Sar];

    /// The `/digit` in `C1`/`D3`.
    pub fn digit(self) -> u8 {
        match self {
            ShiftKind::Rol => 0,
            ShiftKind::Ror => 1,
            ShiftKind::Shl => 4,
            ShiftKind::Shr => 5,
            ShiftKind::Sar => 7,
        }
    }

    /// The mnemonic.
    pub fn name(self) -> &'static str {
        match self {
            ShiftKind::Rol => "rol",
            ShiftKind::Ror => "ror",
            ShiftKind::Shl => "shl",
            ShiftKind::Shr => "shr",
            ShiftKind::Sar => "sar",
        }
    }
}

/// Zero/sign extension modes: source width to destination width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExtMode {
    /// Byte to 32 bits.
    BL,
    /// Byte to 64 bits.
    BQ,
    /// Word to 32 bits.
    WL,
    /// Word to 64 bits.
    WQ,
    /// 32 to 64 bits.
    LQ,
}

impl ExtMode {
    /// Every mode.
    pub const ALL: [ExtMode; 5] = [ExtMode::BL, ExtMode::BQ, ExtMode::WL, ExtMode::WQ, ExtMode::LQ];

    /// Source width in bytes.
    pub fn src_bytes(self) -> u8 {
        match self {
            ExtMode::BL | ExtMode::BQ => 1,
            ExtMode::WL | ExtMode::WQ => 2,
            ExtMode::LQ => 4,
        }
    }

    /// Destination width in bytes.
    pub fn dst_bytes(self) -> u8 {
        match self {
            ExtMode::BL | ExtMode::WL => 4,
            _ => 8,
        }
    }
}

/// Condition codes, numbered as in the `Jcc`/`SETcc`/`CMOVcc` opcodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CC {
    /// overflow
    O = 0,
    /// no overflow
    NO = 1,
    /// below (unsigned <)
    B = 2,
    /// not below (unsigned >=)
    NB = 3,
    /// zero / equal
    Z = 4,
    /// not zero / not equal
    NZ = 5,
    /// below or equal (unsigned <=)
    BE = 6,
    /// not below or equal (unsigned >)
    NBE = 7,
    /// sign
    S = 8,
    /// no sign
    NS = 9,
    /// parity
    P = 10,
    /// no parity
    NP = 11,
    /// less (signed <)
    L = 12,
    /// not less (signed >=)
    NL = 13,
    /// less or equal (signed <=)
    LE = 14,
    /// not less or equal (signed >)
    NLE = 15,
}

impl CC {
    /// Every condition code.
    pub const ALL: [CC; 16] = [
        CC::O,
        CC::NO,
        CC::B,
        CC::NB,
        CC::Z,
        CC::NZ,
        CC::BE,
        CC::NBE,
        CC::S,
        CC::NS,
        CC::P,
        CC::NP,
        CC::L,
        CC::NL,
        CC::LE,
        CC::NLE,
    ];

    /// The 4-bit encoding.
    pub fn enc(self) -> u8 {
        self as u8
    }

    /// The opposite condition.
    pub fn invert(self) -> CC {
        CC::ALL[(self.enc() ^ 1) as usize]
    }

    /// The condition for an IR integer comparison.
    pub fn from_intcc(cc: crate::ir::IntCC) -> CC {
        use crate::ir::IntCC::*;
        match cc {
            Equal => CC::Z,
            NotEqual => CC::NZ,
            SignedLessThan => CC::L,
            SignedGreaterThanOrEqual => CC::NL,
            SignedGreaterThan => CC::NLE,
            SignedLessThanOrEqual => CC::LE,
            UnsignedLessThan => CC::B,
            UnsignedGreaterThanOrEqual => CC::NB,
            UnsignedGreaterThan => CC::NBE,
            UnsignedLessThanOrEqual => CC::BE,
        }
    }

    /// The suffix Intel syntax uses (as iced-x86 prints it: `b`, `ae`, `e`,
    /// `ne`, `be`, `a`, `l`, `ge`, `le`, `g`, ...).
    pub fn suffix(self) -> &'static str {
        ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"][self.enc() as usize]
    }
}

impl fmt::Display for CC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.suffix())
    }
}

/// Scalar SSE operations of the form `op xmm, xmm/mem`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SseOp {
    /// `addss`/`addsd`
    Add,
    /// `subss`/`subsd`
    Sub,
    /// `mulss`/`mulsd`
    Mul,
    /// `divss`/`divsd`
    Div,
    /// `minss`/`minsd` (not Wasm's min: see `XmmMinMax`)
    Min,
    /// `maxss`/`maxsd`
    Max,
    /// `andps`/`andpd`
    And,
    /// `andnps`/`andnpd` (`dst = !dst & src`)
    AndNot,
    /// `orps`/`orpd`
    Or,
    /// `xorps`/`xorpd`
    Xor,
}

impl SseOp {
    /// Every operation.
    pub const ALL: [SseOp; 10] = [
        SseOp::Add,
        SseOp::Sub,
        SseOp::Mul,
        SseOp::Div,
        SseOp::Min,
        SseOp::Max,
        SseOp::And,
        SseOp::AndNot,
        SseOp::Or,
        SseOp::Xor,
    ];

    /// The opcode byte after `0F`.
    pub fn opcode(self) -> u8 {
        match self {
            SseOp::Add => 0x58,
            SseOp::Mul => 0x59,
            SseOp::Sub => 0x5C,
            SseOp::Min => 0x5D,
            SseOp::Div => 0x5E,
            SseOp::Max => 0x5F,
            SseOp::And => 0x54,
            SseOp::AndNot => 0x55,
            SseOp::Or => 0x56,
            SseOp::Xor => 0x57,
        }
    }

    /// Whether this is a packed bitwise operation (`ps`/`pd` forms, no
    /// `F3`/`F2` prefix).
    pub fn is_bitwise(self) -> bool {
        matches!(self, SseOp::And | SseOp::AndNot | SseOp::Or | SseOp::Xor)
    }

    /// The mnemonic stem (`add`, `andn`).
    pub fn stem(self) -> &'static str {
        match self {
            SseOp::Add => "add",
            SseOp::Sub => "sub",
            SseOp::Mul => "mul",
            SseOp::Div => "div",
            SseOp::Min => "min",
            SseOp::Max => "max",
            SseOp::And => "and",
            SseOp::AndNot => "andn",
            SseOp::Or => "or",
            SseOp::Xor => "xor",
        }
    }
}

/// A scalar float width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatSize {
    /// `f32` (`ss`, `ps` forms).
    F32,
    /// `f64` (`sd`, `pd` forms).
    F64,
}

impl FloatSize {
    /// The size of a float type.
    pub fn of(ty: crate::ir::Type) -> FloatSize {
        if ty == crate::ir::Type::F64 { FloatSize::F64 } else { FloatSize::F32 }
    }

    /// The mandatory prefix of the scalar forms: `F3` (`ss`) or `F2` (`sd`).
    pub fn scalar_prefix(self) -> u8 {
        match self {
            FloatSize::F32 => 0xF3,
            FloatSize::F64 => 0xF2,
        }
    }

    /// The prefix of the packed forms: none (`ps`) or `66` (`pd`).
    pub fn packed_prefix(self) -> Option<u8> {
        match self {
            FloatSize::F32 => None,
            FloatSize::F64 => Some(0x66),
        }
    }

    /// Width in bytes.
    pub fn bytes(self) -> u8 {
        match self {
            FloatSize::F32 => 4,
            FloatSize::F64 => 8,
        }
    }
}
