//! Operand types of AArch64 instructions: sizes, condition codes, operation
//! kinds, the immediate encodings (12-bit arithmetic, logical bitmask,
//! move-wide) and addressing modes.
//!
//! Part of `isa/aarch64/inst/`. Immediates are validated when they are
//! built (`Imm12::maybe_from_u64`, `ImmLogic::maybe_from_u64`), so an
//! instruction that holds one can always be encoded. Each addressing mode
//! visits its registers for the allocator in a fixed order (`get_operands`).

use crate::machinst::reg::{OperandVisitor, Reg};
use std::fmt;

/// Operand width of a data-processing instruction: the `sf` bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperandSize {
    /// `w` registers.
    Size32,
    /// `x` registers.
    Size64,
}

impl OperandSize {
    /// Both sizes.
    pub const ALL: [OperandSize; 2] = [OperandSize::Size32, OperandSize::Size64];

    /// 64 if `is_64`, else 32.
    pub fn of(is_64: bool) -> Self {
        if is_64 { OperandSize::Size64 } else { OperandSize::Size32 }
    }

    /// Width in bits.
    pub fn bits(self) -> u32 {
        match self {
            OperandSize::Size32 => 32,
            OperandSize::Size64 => 64,
        }
    }

    /// The `sf` bit (bit 31 of most data-processing encodings).
    pub fn sf(self) -> u32 {
        match self {
            OperandSize::Size32 => 0,
            OperandSize::Size64 => 1,
        }
    }

    /// The all-ones mask of this width.
    pub fn mask(self) -> u64 {
        match self {
            OperandSize::Size32 => u32::MAX as u64,
            OperandSize::Size64 => u64::MAX,
        }
    }
}

/// Condition codes, numbered as in the `cond` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Cond {
    /// equal (Z)
    Eq = 0,
    /// not equal (!Z)
    Ne = 1,
    /// unsigned higher or same (C)
    Hs = 2,
    /// unsigned lower (!C)
    Lo = 3,
    /// negative (N)
    Mi = 4,
    /// positive or zero (!N)
    Pl = 5,
    /// overflow (V)
    Vs = 6,
    /// no overflow (!V)
    Vc = 7,
    /// unsigned higher (C && !Z)
    Hi = 8,
    /// unsigned lower or same (!C || Z)
    Ls = 9,
    /// signed greater or equal (N == V)
    Ge = 10,
    /// signed less than (N != V)
    Lt = 11,
    /// signed greater than (!Z && N == V)
    Gt = 12,
    /// signed less or equal (Z || N != V)
    Le = 13,
    /// always
    Al = 14,
    /// always (the encoding `1111`)
    Nv = 15,
}

impl Cond {
    /// Every condition that has an opposite (all but `al`/`nv`).
    pub const ALL: [Cond; 14] = [
        Cond::Eq,
        Cond::Ne,
        Cond::Hs,
        Cond::Lo,
        Cond::Mi,
        Cond::Pl,
        Cond::Vs,
        Cond::Vc,
        Cond::Hi,
        Cond::Ls,
        Cond::Ge,
        Cond::Lt,
        Cond::Gt,
        Cond::Le,
    ];

    /// The 4-bit encoding.
    pub fn bits(self) -> u32 {
        self as u32
    }

    /// The opposite condition (flips the low bit).
    pub fn invert(self) -> Cond {
        assert!(!matches!(self, Cond::Al | Cond::Nv), "`al` has no opposite");
        Cond::ALL[(self.bits() ^ 1) as usize]
    }

    /// The condition for an IR integer comparison (after `cmp a, b`).
    pub fn from_intcc(cc: crate::ir::IntCC) -> Cond {
        use crate::ir::IntCC::*;
        match cc {
            Equal => Cond::Eq,
            NotEqual => Cond::Ne,
            SignedLessThan => Cond::Lt,
            SignedGreaterThanOrEqual => Cond::Ge,
            SignedGreaterThan => Cond::Gt,
            SignedLessThanOrEqual => Cond::Le,
            UnsignedLessThan => Cond::Lo,
            UnsignedGreaterThanOrEqual => Cond::Hs,
            UnsignedGreaterThan => Cond::Hi,
            UnsignedLessThanOrEqual => Cond::Ls,
        }
    }

    /// The assembler name.
    pub fn name(self) -> &'static str {
        ["eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"]
            [self.bits() as usize]
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Two-register-source ALU operations (shifted-register, immediate and
/// variable-shift/divide encodings; not every operation has every form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AluOp {
    /// `add`
    Add,
    /// `adds` (sets flags; `cmn` when the destination is the zero register)
    AddS,
    /// `sub`
    Sub,
    /// `subs` (sets flags; `cmp` when the destination is the zero register)
    SubS,
    /// `and`
    And,
    /// `ands` (sets flags; `tst` when the destination is the zero register)
    AndS,
    /// `orr`
    Orr,
    /// `eor`
    Eor,
    /// `lslv`
    Lslv,
    /// `lsrv`
    Lsrv,
    /// `asrv`
    Asrv,
    /// `rorv`
    Rorv,
    /// `udiv`
    UDiv,
    /// `sdiv`
    SDiv,
}

impl AluOp {
    /// The operations with an add/sub encoding (immediate, shifted, extended).
    pub const ARITH: [AluOp; 4] = [AluOp::Add, AluOp::AddS, AluOp::Sub, AluOp::SubS];
    /// The operations with a logical encoding (immediate, shifted).
    pub const LOGICAL: [AluOp; 4] = [AluOp::And, AluOp::AndS, AluOp::Orr, AluOp::Eor];
    /// The data-processing (2 source) operations.
    pub const TWO_SOURCE: [AluOp; 6] = [AluOp::Lslv, AluOp::Lsrv, AluOp::Asrv, AluOp::Rorv, AluOp::UDiv, AluOp::SDiv];

    /// Whether this is an add/sub operation.
    pub fn is_arith(self) -> bool {
        AluOp::ARITH.contains(&self)
    }

    /// Whether this is a logical operation.
    pub fn is_logical(self) -> bool {
        AluOp::LOGICAL.contains(&self)
    }

    /// Whether the operation sets the flags.
    pub fn sets_flags(self) -> bool {
        matches!(self, AluOp::AddS | AluOp::SubS | AluOp::AndS)
    }

    /// The mnemonic.
    pub fn name(self) -> &'static str {
        match self {
            AluOp::Add => "add",
            AluOp::AddS => "adds",
            AluOp::Sub => "sub",
            AluOp::SubS => "subs",
            AluOp::And => "and",
            AluOp::AndS => "ands",
            AluOp::Orr => "orr",
            AluOp::Eor => "eor",
            AluOp::Lslv => "lslv",
            AluOp::Lsrv => "lsrv",
            AluOp::Asrv => "asrv",
            AluOp::Rorv => "rorv",
            AluOp::UDiv => "udiv",
            AluOp::SDiv => "sdiv",
        }
    }
}

/// Three-source multiply operations: `rd = ra ± rn * rm`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AluOp3 {
    /// `madd` (`mul` when `ra` is the zero register)
    MAdd,
    /// `msub`
    MSub,
}

/// One-source bit operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BitOp {
    /// `rbit`: reverse the bits.
    Rbit,
    /// `clz`: count leading zeros.
    Clz,
}

/// The shift applied to a register operand, or a shift by an immediate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShiftOp {
    /// logical shift left
    Lsl = 0,
    /// logical shift right
    Lsr = 1,
    /// arithmetic shift right
    Asr = 2,
    /// rotate right (logical shifted-register forms and `extr` only)
    Ror = 3,
}

impl ShiftOp {
    /// Every shift.
    pub const ALL: [ShiftOp; 4] = [ShiftOp::Lsl, ShiftOp::Lsr, ShiftOp::Asr, ShiftOp::Ror];

    /// The 2-bit `shift` field.
    pub fn bits(self) -> u32 {
        self as u32
    }

    /// The assembler name.
    pub fn name(self) -> &'static str {
        ["lsl", "lsr", "asr", "ror"][self as usize]
    }
}

/// The extension applied to the register operand of an extended-register
/// add/sub or a register-offset load/store (the `option` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExtendOp {
    /// zero-extend the low byte
    Uxtb = 0,
    /// zero-extend the low halfword
    Uxth = 1,
    /// zero-extend the low word
    Uxtw = 2,
    /// the whole 64-bit register (`lsl` in address operands)
    Uxtx = 3,
    /// sign-extend the low byte
    Sxtb = 4,
    /// sign-extend the low halfword
    Sxth = 5,
    /// sign-extend the low word
    Sxtw = 6,
    /// the whole 64-bit register, "signed"
    Sxtx = 7,
}

impl ExtendOp {
    /// Every extension.
    pub const ALL: [ExtendOp; 8] = [
        ExtendOp::Uxtb,
        ExtendOp::Uxth,
        ExtendOp::Uxtw,
        ExtendOp::Uxtx,
        ExtendOp::Sxtb,
        ExtendOp::Sxth,
        ExtendOp::Sxtw,
        ExtendOp::Sxtx,
    ];

    /// The 3-bit `option` field.
    pub fn bits(self) -> u32 {
        self as u32
    }

    /// Whether the source register is read as a `w` register (`option<1:0>
    /// != 11`).
    pub fn reads_w(self) -> bool {
        self.bits() & 3 != 3
    }

    /// The assembler name.
    pub fn name(self) -> &'static str {
        ["uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"][self as usize]
    }
}

/// A 12-bit unsigned immediate, optionally shifted left by 12: the operand
/// of add/sub (immediate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Imm12 {
    /// The 12-bit field.
    pub bits: u16,
    /// Whether it is shifted left by 12 (`sh`).
    pub shift12: bool,
}

impl Imm12 {
    /// Zero.
    pub const ZERO: Imm12 = Imm12 { bits: 0, shift12: false };

    /// The encoding of `value`, if it is `0..=0xfff` or `0x1000..=0xfff000`
    /// with the low 12 bits clear.
    pub fn maybe_from_u64(value: u64) -> Option<Imm12> {
        if value < 0x1000 {
            Some(Imm12 { bits: value as u16, shift12: false })
        } else if value < 0x100_0000 && value & 0xfff == 0 {
            Some(Imm12 { bits: (value >> 12) as u16, shift12: true })
        } else {
            None
        }
    }

    /// The value it stands for.
    pub fn value(self) -> u64 {
        (self.bits as u64) << if self.shift12 { 12 } else { 0 }
    }
}

/// A logical ("bitmask") immediate: a 2, 4, 8, 16, 32 or 64-bit element,
/// made of a rotated run of ones, replicated to the register width. Held
/// as its `N:immr:imms` fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ImmLogic {
    /// `N`: set only for 64-bit elements.
    pub n: bool,
    /// Right rotation of the run of ones within the element.
    pub immr: u8,
    /// Element size and number of ones, encoded.
    pub imms: u8,
    /// The value it stands for (at the width it was made for).
    pub value: u64,
    /// The width it was made for.
    pub size: OperandSize,
}

impl ImmLogic {
    /// The encoding of `value` as a logical immediate at `size`, or `None`
    /// when it has none (0, all ones, or not a replicated rotated run).
    /// A 32-bit value must fit in 32 bits.
    pub fn maybe_from_u64(value: u64, size: OperandSize) -> Option<ImmLogic> {
        if size == OperandSize::Size32 && value > u32::MAX as u64 {
            return None;
        }
        // Work on 64 bits: a 32-bit value is replicated to 64.
        let wide = if size == OperandSize::Size32 { value | value << 32 } else { value };
        if wide == 0 || wide == u64::MAX {
            return None;
        }
        // The smallest element size whose replication gives `wide`.
        let mut element = 64u32;
        while element > 2 {
            let half = element / 2;
            let mask = (1u64 << half) - 1;
            if wide & mask != (wide >> half) & mask {
                break;
            }
            element = half;
        }
        let mask = if element == 64 { u64::MAX } else { (1u64 << element) - 1 };
        let bits = wide & mask;
        let ones = bits.count_ones();
        // Not all ones (that would make `wide` all ones) and not zero.
        let run = (1u64 << ones) - 1;
        let rotate_right =
            |v: u64, r: u32| -> u64 { if r == 0 { v } else { ((v >> r) | (v << (element - r))) & mask } };
        let immr = (0..element).find(|&r| rotate_right(run, r) == bits)?;
        let imms = ((!(element - 1) << 1) | (ones - 1)) & 0x3f;
        Some(ImmLogic { n: element == 64, immr: immr as u8, imms: imms as u8, value, size })
    }

    /// Decodes `N:immr:imms` at `size` (the architecture's
    /// `DecodeBitMasks`, immediate form), or `None` for a reserved encoding.
    pub fn decode(n: bool, immr: u8, imms: u8, size: OperandSize) -> Option<u64> {
        if immr > 63 || imms > 63 {
            return None;
        }
        let combined = (n as u32) << 6 | (!imms as u32 & 0x3f);
        if combined == 0 {
            return None;
        }
        let len = 31 - combined.leading_zeros();
        if len < 1 || (size == OperandSize::Size32 && n) {
            return None;
        }
        let element = 1u32 << len;
        let levels = element - 1;
        let s = imms as u32 & levels;
        let r = immr as u32 & levels;
        if s == levels {
            return None; // all ones in the element: reserved
        }
        let mask = if element == 64 { u64::MAX } else { (1u64 << element) - 1 };
        let run = (1u64 << (s + 1)) - 1;
        let rotated = if r == 0 { run } else { ((run >> r) | (run << (element - r))) & mask };
        let mut value = 0u64;
        let mut at = 0;
        while at < 64 {
            value |= rotated << at;
            at += element;
        }
        Some(value & size.mask())
    }

    /// The bits `N:immr:imms` at 22..10 of the encoding.
    pub fn enc_bits(self) -> u32 {
        (self.n as u32) << 12 | (self.immr as u32) << 6 | self.imms as u32
    }
}

/// A 16-bit chunk and its position for `movz`/`movn`/`movk`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MoveWideConst {
    /// The 16 bits.
    pub bits: u16,
    /// Which halfword: the value is `bits << (16 * shift)` (0–3; 0–1 for
    /// 32-bit).
    pub shift: u8,
}

impl MoveWideConst {
    /// The constant `bits << (16 * shift)`.
    pub fn new(bits: u16, shift: u8) -> Self {
        assert!(shift < 4, "move-wide shift {shift} out of range");
        Self { bits, shift }
    }

    /// The value it stands for.
    pub fn value(self) -> u64 {
        (self.bits as u64) << (16 * self.shift as u32)
    }
}

/// Move-wide operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MoveWideOp {
    /// `movz`: the chunk, other bits zero.
    MovZ,
    /// `movn`: the inverse of the chunk.
    MovN,
}

/// A location in the stack frame, resolved to an address at emission, when
/// the frame layout is known (see `abi.rs` for the picture).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameOffset {
    /// Outgoing argument area: `sp + offset`.
    Outgoing(u32),
    /// IR stack slot area: `sp + outgoing + offset`.
    StackSlot(u32),
    /// Spill slot `index`: `sp + outgoing + stack slots + 8 * index`.
    Spill(u32),
    /// Incoming stack arguments: `x29 + 16 + offset`.
    IncomingArg(u32),
}

/// A memory operand of a single-register load or store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AMode {
    /// `[rn, #offset]` with any offset: emission picks the scaled unsigned
    /// 12-bit form, the unscaled 9-bit form, or materializes the offset in
    /// `x17` and uses the register-offset form. `rn` may be `sp`.
    RegOffset {
        /// Base register.
        rn: Reg,
        /// Byte offset.
        offset: i64,
    },
    /// `[rn, #uimm12 * access size]`: the scaled unsigned offset form.
    UnsignedOffset {
        /// Base register (31 is `sp`).
        rn: Reg,
        /// Byte offset, a multiple of the access size, below 4096 times it.
        offset: u32,
    },
    /// `[rn, #simm9]`: the unscaled form (`ldur`/`stur`).
    Unscaled {
        /// Base register (31 is `sp`).
        rn: Reg,
        /// Byte offset, −256..=255.
        offset: i16,
    },
    /// `[rn, rm{, extend {#amount}}]`: the register-offset form. With
    /// `Uxtx` and no scaling it prints as `[rn, rm]`.
    RegExtended {
        /// Base register (31 is `sp`).
        rn: Reg,
        /// Offset register (31 is `xzr`).
        rm: Reg,
        /// How `rm` is extended: `Uxtw`, `Uxtx` (`lsl`), `Sxtw`, `Sxtx`.
        extend: ExtendOp,
        /// Whether the offset is scaled by the access size (`S`).
        scaled: bool,
    },
    /// `[rn, #simm9]!`: pre-indexed, writes the address back to `rn`.
    PreIndexed {
        /// Base register.
        rn: Reg,
        /// Byte offset, −256..=255.
        offset: i16,
    },
    /// `[rn], #simm9`: post-indexed, writes `rn + offset` back to `rn`.
    PostIndexed {
        /// Base register.
        rn: Reg,
        /// Byte offset, −256..=255.
        offset: i16,
    },
    /// A frame location, resolved at emission.
    Frame(FrameOffset),
}

impl AMode {
    /// `[rn, #offset]`, resolved at emission.
    pub fn reg_offset(rn: Reg, offset: i64) -> Self {
        AMode::RegOffset { rn, offset }
    }

    /// Visits the registers the address reads.
    pub fn get_operands(&mut self, visitor: &mut impl OperandVisitor) {
        match self {
            AMode::RegOffset { rn, .. }
            | AMode::UnsignedOffset { rn, .. }
            | AMode::Unscaled { rn, .. }
            | AMode::PreIndexed { rn, .. }
            | AMode::PostIndexed { rn, .. } => visit_address_reg(rn, visitor),
            AMode::RegExtended { rn, rm, .. } => {
                visit_address_reg(rn, visitor);
                visit_address_reg(rm, visitor);
            }
            AMode::Frame(_) => {}
        }
    }
}

/// A memory operand of a register-pair load or store (`ldp`/`stp`); the
/// offset is a multiple of 8 in −512..=504.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PairAMode {
    /// `[rn, #offset]`.
    SignedOffset {
        /// Base register (31 is `sp`).
        rn: Reg,
        /// Byte offset.
        offset: i16,
    },
    /// `[rn, #offset]!`.
    PreIndexed {
        /// Base register.
        rn: Reg,
        /// Byte offset.
        offset: i16,
    },
    /// `[rn], #offset`.
    PostIndexed {
        /// Base register.
        rn: Reg,
        /// Byte offset.
        offset: i16,
    },
}

impl PairAMode {
    /// The base register.
    pub fn base(&self) -> Reg {
        match *self {
            PairAMode::SignedOffset { rn, .. }
            | PairAMode::PreIndexed { rn, .. }
            | PairAMode::PostIndexed { rn, .. } => rn,
        }
    }

    /// The byte offset.
    pub fn offset(&self) -> i16 {
        match *self {
            PairAMode::SignedOffset { offset, .. }
            | PairAMode::PreIndexed { offset, .. }
            | PairAMode::PostIndexed { offset, .. } => offset,
        }
    }

    /// Visits the base register.
    pub fn get_operands(&mut self, visitor: &mut impl OperandVisitor) {
        match self {
            PairAMode::SignedOffset { rn, .. }
            | PairAMode::PreIndexed { rn, .. }
            | PairAMode::PostIndexed { rn, .. } => visit_address_reg(rn, visitor),
        }
    }
}

fn visit_address_reg(reg: &mut Reg, visitor: &mut impl OperandVisitor) {
    match reg.to_preg() {
        Some(preg) => visitor.reg_fixed_nonallocatable(preg),
        None => visitor.reg_use(reg),
    }
}

/// Single-register loads: access width and extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadOp {
    /// `ldrb wt`: byte, zero-extended.
    Ldrb,
    /// `ldrh wt`: halfword, zero-extended.
    Ldrh,
    /// `ldr wt`: word, zero-extended to 64 bits.
    LdrW,
    /// `ldr xt`: doubleword.
    LdrX,
    /// `ldrsb wt`: byte, sign-extended to 32 bits.
    LdrsbW,
    /// `ldrsb xt`: byte, sign-extended to 64 bits.
    LdrsbX,
    /// `ldrsh wt`: halfword, sign-extended to 32 bits.
    LdrshW,
    /// `ldrsh xt`: halfword, sign-extended to 64 bits.
    LdrshX,
    /// `ldrsw xt`: word, sign-extended to 64 bits.
    Ldrsw,
}

impl LoadOp {
    /// Every load.
    pub const ALL: [LoadOp; 9] = [
        LoadOp::Ldrb,
        LoadOp::Ldrh,
        LoadOp::LdrW,
        LoadOp::LdrX,
        LoadOp::LdrsbW,
        LoadOp::LdrsbX,
        LoadOp::LdrshW,
        LoadOp::LdrshX,
        LoadOp::Ldrsw,
    ];

    /// Bytes read.
    pub fn access_bytes(self) -> u32 {
        match self {
            LoadOp::Ldrb | LoadOp::LdrsbW | LoadOp::LdrsbX => 1,
            LoadOp::Ldrh | LoadOp::LdrshW | LoadOp::LdrshX => 2,
            LoadOp::LdrW | LoadOp::Ldrsw => 4,
            LoadOp::LdrX => 8,
        }
    }

    /// Whether the destination is named as an `x` register.
    pub fn writes_x(self) -> bool {
        matches!(self, LoadOp::LdrX | LoadOp::LdrsbX | LoadOp::LdrshX | LoadOp::Ldrsw)
    }

    /// The `size:opc` bits (31..30 and 23..22) of the load/store encodings.
    pub fn size_opc(self) -> (u32, u32) {
        match self {
            LoadOp::Ldrb => (0, 1),
            LoadOp::LdrsbX => (0, 2),
            LoadOp::LdrsbW => (0, 3),
            LoadOp::Ldrh => (1, 1),
            LoadOp::LdrshX => (1, 2),
            LoadOp::LdrshW => (1, 3),
            LoadOp::LdrW => (2, 1),
            LoadOp::Ldrsw => (2, 2),
            LoadOp::LdrX => (3, 1),
        }
    }
}

/// Single-register stores: access width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreOp {
    /// `strb wt`
    Strb,
    /// `strh wt`
    Strh,
    /// `str wt`
    StrW,
    /// `str xt`
    StrX,
}

impl StoreOp {
    /// Every store.
    pub const ALL: [StoreOp; 4] = [StoreOp::Strb, StoreOp::Strh, StoreOp::StrW, StoreOp::StrX];

    /// Bytes written.
    pub fn access_bytes(self) -> u32 {
        match self {
            StoreOp::Strb => 1,
            StoreOp::Strh => 2,
            StoreOp::StrW => 4,
            StoreOp::StrX => 8,
        }
    }

    /// The `size` bits (31..30); `opc` is 00 for every store.
    pub fn size_bits(self) -> u32 {
        match self {
            StoreOp::Strb => 0,
            StoreOp::Strh => 1,
            StoreOp::StrW => 2,
            StoreOp::StrX => 3,
        }
    }
}

/// What a conditional branch (or a conditional trap) tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CondBrKind {
    /// `cbz`: the register is zero.
    Zero(Reg, OperandSize),
    /// `cbnz`: the register is not zero.
    NotZero(Reg, OperandSize),
    /// `b.cond`: the condition holds on the flags.
    Cond(Cond),
}

impl CondBrKind {
    /// The test that holds exactly when this one does not.
    pub fn invert(self) -> CondBrKind {
        match self {
            CondBrKind::Zero(reg, size) => CondBrKind::NotZero(reg, size),
            CondBrKind::NotZero(reg, size) => CondBrKind::Zero(reg, size),
            CondBrKind::Cond(cond) => CondBrKind::Cond(cond.invert()),
        }
    }

    /// Visits the tested register, if any.
    pub fn get_operands(&mut self, visitor: &mut impl OperandVisitor) {
        match self {
            CondBrKind::Zero(reg, _) | CondBrKind::NotZero(reg, _) => visitor.reg_use(reg),
            CondBrKind::Cond(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Every valid `N:immr:imms` at a width, decoded.
    fn all_encodings(size: OperandSize) -> BTreeMap<u64, (bool, u8, u8)> {
        let mut values = BTreeMap::new();
        for n in [false, true] {
            for immr in 0..64u8 {
                for imms in 0..64u8 {
                    let Some(value) = ImmLogic::decode(n, immr, imms, size) else { continue };
                    // Several `immr` values alias for small elements; keep the first.
                    let element = 1u32 << (31 - ((n as u32) << 6 | (!imms as u32 & 0x3f)).leading_zeros());
                    if (immr as u32) < element {
                        let previous = values.insert(value, (n, immr, imms));
                        assert!(previous.is_none(), "{value:#x} has two canonical encodings");
                    }
                }
            }
        }
        values
    }

    #[test]
    fn logical_immediates_round_trip_exhaustively() {
        for size in OperandSize::ALL {
            let all = all_encodings(size);
            // 5334 distinct 64-bit bitmask immediates, 1302 32-bit ones.
            let expected = if size == OperandSize::Size64 { 5334 } else { 1302 };
            assert_eq!(all.len(), expected, "{size:?}");
            for (&value, &(n, immr, imms)) in &all {
                let imm = ImmLogic::maybe_from_u64(value, size).unwrap_or_else(|| panic!("{value:#x} not encoded"));
                assert_eq!((imm.n, imm.immr, imm.imms), (n, immr, imms), "{value:#x} at {size:?}");
                assert_eq!(ImmLogic::decode(imm.n, imm.immr, imm.imms, size), Some(value));
            }
        }
    }

    #[test]
    fn non_bitmask_values_are_rejected() {
        let all64 = all_encodings(OperandSize::Size64);
        let all32 = all_encodings(OperandSize::Size32);
        // Patterns near the encodable ones: every run with one bit flipped,
        // plus a deterministic pseudo-random sweep.
        let mut candidates: Vec<u64> = vec![0, u64::MAX, u32::MAX as u64, 0x1234_5678, 0x5555_5555_5555_5554];
        for &value in all64.keys() {
            for bit in [0, 1, 7, 31, 32, 63] {
                candidates.push(value ^ (1 << bit));
            }
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            candidates.push(state);
            candidates.push(state & 0xffff_ffff);
        }
        for value in candidates {
            assert_eq!(ImmLogic::maybe_from_u64(value, OperandSize::Size64).is_some(), all64.contains_key(&value));
            let fits32 = value <= u32::MAX as u64;
            let encodable32 = ImmLogic::maybe_from_u64(value, OperandSize::Size32).is_some();
            assert_eq!(encodable32, fits32 && all32.contains_key(&value), "{value:#x}");
        }
    }

    #[test]
    fn known_logical_immediates() {
        let enc = |v, s| ImmLogic::maybe_from_u64(v, s).map(|i| (i.n, i.immr, i.imms));
        assert_eq!(enc(0xff, OperandSize::Size64), Some((true, 0, 7)));
        assert_eq!(enc(0x5555_5555_5555_5555, OperandSize::Size64), Some((false, 0, 0b111100)));
        assert_eq!(enc(0x0101_0101_0101_0101, OperandSize::Size64), Some((false, 0, 0b110000)));
        assert_eq!(enc(0x8000_0000_0000_0000, OperandSize::Size64), Some((true, 1, 0)));
        assert_eq!(enc(0xffff_0000, OperandSize::Size32), Some((false, 16, 15)));
        assert_eq!(enc(0, OperandSize::Size64), None);
        assert_eq!(enc(u64::MAX, OperandSize::Size64), None);
        assert_eq!(enc(u32::MAX as u64, OperandSize::Size32), None);
        assert_eq!(enc(0x1_0000_0000, OperandSize::Size32), None);
    }

    #[test]
    fn imm12_forms() {
        assert_eq!(Imm12::maybe_from_u64(0xfff), Some(Imm12 { bits: 0xfff, shift12: false }));
        assert_eq!(Imm12::maybe_from_u64(0x1000), Some(Imm12 { bits: 1, shift12: true }));
        assert_eq!(Imm12::maybe_from_u64(0xfff000), Some(Imm12 { bits: 0xfff, shift12: true }));
        assert_eq!(Imm12::maybe_from_u64(0x1001), None);
        assert_eq!(Imm12::maybe_from_u64(0x100_0000), None);
    }

    #[test]
    fn conditions_invert_in_pairs() {
        for cond in Cond::ALL {
            assert_eq!(cond.invert().invert(), cond);
            assert_ne!(cond.invert(), cond);
        }
        assert_eq!(Cond::Hs.invert(), Cond::Lo);
        assert_eq!(Cond::Gt.invert(), Cond::Le);
    }
}
