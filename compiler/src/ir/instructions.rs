//! The IR instruction set: opcodes, instruction formats and condition codes.
//!
//! Part of the IR (`ir/`). One table, [`Opcode::FORMAT`]-style matching in
//! [`Opcode::info`], says for every opcode its text name, its format and
//! whether it ends a block, so the builder, verifier, printer and parser all
//! agree. Control flow uses block calls with arguments (block parameters,
//! no phi nodes).

use crate::ir::entities::{Block, FuncRef, JumpTable, SigRef, StackSlot, Value};
use crate::runtime::TrapCode;
use std::fmt;

/// Integer comparison condition codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntCC {
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// signed `<`
    SignedLessThan,
    /// signed `>=`
    SignedGreaterThanOrEqual,
    /// signed `>`
    SignedGreaterThan,
    /// signed `<=`
    SignedLessThanOrEqual,
    /// unsigned `<`
    UnsignedLessThan,
    /// unsigned `>=`
    UnsignedGreaterThanOrEqual,
    /// unsigned `>`
    UnsignedGreaterThan,
    /// unsigned `<=`
    UnsignedLessThanOrEqual,
}

impl IntCC {
    /// Every condition code.
    pub const ALL: [IntCC; 10] = [
        IntCC::Equal,
        IntCC::NotEqual,
        IntCC::SignedLessThan,
        IntCC::SignedGreaterThanOrEqual,
        IntCC::SignedGreaterThan,
        IntCC::SignedLessThanOrEqual,
        IntCC::UnsignedLessThan,
        IntCC::UnsignedGreaterThanOrEqual,
        IntCC::UnsignedGreaterThan,
        IntCC::UnsignedLessThanOrEqual,
    ];

    /// The condition that holds exactly when `self` does not.
    pub fn inverse(self) -> IntCC {
        match self {
            IntCC::Equal => IntCC::NotEqual,
            IntCC::NotEqual => IntCC::Equal,
            IntCC::SignedLessThan => IntCC::SignedGreaterThanOrEqual,
            IntCC::SignedGreaterThanOrEqual => IntCC::SignedLessThan,
            IntCC::SignedGreaterThan => IntCC::SignedLessThanOrEqual,
            IntCC::SignedLessThanOrEqual => IntCC::SignedGreaterThan,
            IntCC::UnsignedLessThan => IntCC::UnsignedGreaterThanOrEqual,
            IntCC::UnsignedGreaterThanOrEqual => IntCC::UnsignedLessThan,
            IntCC::UnsignedGreaterThan => IntCC::UnsignedLessThanOrEqual,
            IntCC::UnsignedLessThanOrEqual => IntCC::UnsignedGreaterThan,
        }
    }

    /// The condition with the operands swapped (`a < b` ⇔ `b > a`).
    pub fn swap_args(self) -> IntCC {
        match self {
            IntCC::Equal | IntCC::NotEqual => self,
            IntCC::SignedLessThan => IntCC::SignedGreaterThan,
            IntCC::SignedGreaterThanOrEqual => IntCC::SignedLessThanOrEqual,
            IntCC::SignedGreaterThan => IntCC::SignedLessThan,
            IntCC::SignedLessThanOrEqual => IntCC::SignedGreaterThanOrEqual,
            IntCC::UnsignedLessThan => IntCC::UnsignedGreaterThan,
            IntCC::UnsignedGreaterThanOrEqual => IntCC::UnsignedLessThanOrEqual,
            IntCC::UnsignedGreaterThan => IntCC::UnsignedLessThan,
            IntCC::UnsignedLessThanOrEqual => IntCC::UnsignedGreaterThanOrEqual,
        }
    }

    /// The text-form name.
    pub fn name(self) -> &'static str {
        match self {
            IntCC::Equal => "eq",
            IntCC::NotEqual => "ne",
            IntCC::SignedLessThan => "slt",
            IntCC::SignedGreaterThanOrEqual => "sge",
            IntCC::SignedGreaterThan => "sgt",
            IntCC::SignedLessThanOrEqual => "sle",
            IntCC::UnsignedLessThan => "ult",
            IntCC::UnsignedGreaterThanOrEqual => "uge",
            IntCC::UnsignedGreaterThan => "ugt",
            IntCC::UnsignedLessThanOrEqual => "ule",
        }
    }

    /// Parses [`IntCC::name`].
    pub fn from_name(name: &str) -> Option<IntCC> {
        IntCC::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// Evaluates the condition on two values of `bits` width.
    pub fn eval(self, a: u64, b: u64, bits: u32) -> bool {
        let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
        let (ua, ub) = (a & mask, b & mask);
        let shift = 64 - bits;
        let (sa, sb) = (((a << shift) as i64) >> shift, ((b << shift) as i64) >> shift);
        match self {
            IntCC::Equal => ua == ub,
            IntCC::NotEqual => ua != ub,
            IntCC::SignedLessThan => sa < sb,
            IntCC::SignedGreaterThanOrEqual => sa >= sb,
            IntCC::SignedGreaterThan => sa > sb,
            IntCC::SignedLessThanOrEqual => sa <= sb,
            IntCC::UnsignedLessThan => ua < ub,
            IntCC::UnsignedGreaterThanOrEqual => ua >= ub,
            IntCC::UnsignedGreaterThan => ua > ub,
            IntCC::UnsignedLessThanOrEqual => ua <= ub,
        }
    }
}

impl fmt::Display for IntCC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Floating-point comparison condition codes, with Wasm's NaN behaviour:
/// every condition is false when an operand is NaN, except `ne`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatCC {
    /// ordered and `==`
    Equal,
    /// unordered or `!=`
    NotEqual,
    /// ordered and `<`
    LessThan,
    /// ordered and `<=`
    LessThanOrEqual,
    /// ordered and `>`
    GreaterThan,
    /// ordered and `>=`
    GreaterThanOrEqual,
}

impl FloatCC {
    /// Every condition code.
    pub const ALL: [FloatCC; 6] = [
        FloatCC::Equal,
        FloatCC::NotEqual,
        FloatCC::LessThan,
        FloatCC::LessThanOrEqual,
        FloatCC::GreaterThan,
        FloatCC::GreaterThanOrEqual,
    ];

    /// The text-form name.
    pub fn name(self) -> &'static str {
        match self {
            FloatCC::Equal => "eq",
            FloatCC::NotEqual => "ne",
            FloatCC::LessThan => "lt",
            FloatCC::LessThanOrEqual => "le",
            FloatCC::GreaterThan => "gt",
            FloatCC::GreaterThanOrEqual => "ge",
        }
    }

    /// Parses [`FloatCC::name`].
    pub fn from_name(name: &str) -> Option<FloatCC> {
        FloatCC::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// Evaluates the condition.
    pub fn eval(self, a: f64, b: f64) -> bool {
        match self {
            FloatCC::Equal => a == b,
            FloatCC::NotEqual => a != b,
            FloatCC::LessThan => a < b,
            FloatCC::LessThanOrEqual => a <= b,
            FloatCC::GreaterThan => a > b,
            FloatCC::GreaterThanOrEqual => a >= b,
        }
    }
}

impl fmt::Display for FloatCC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The instruction formats: how an instruction's operands are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstructionFormat {
    /// `iconst`: an immediate.
    UnaryImm,
    /// One value operand.
    Unary,
    /// Two value operands.
    Binary,
    /// One value and an immediate.
    BinaryImm,
    /// `icmp`: a condition and two values.
    IntCompare,
    /// `fcmp`: a float condition and two values.
    FloatCompare,
    /// `select`: three values.
    Ternary,
    /// A load: address value and offset.
    Load,
    /// A store: stored value, address value and offset.
    Store,
    /// `stack_addr`: a stack slot and offset.
    StackAddr,
    /// `jump`.
    Jump,
    /// `brif`.
    Brif,
    /// `br_table`.
    BranchTable,
    /// `return`: any number of values.
    Return,
    /// `trap`.
    Trap,
    /// `trapz` / `trapnz`.
    CondTrap,
    /// `call`.
    Call,
    /// `call_indirect`.
    CallIndirect,
}

macro_rules! opcodes {
    ($($(#[$doc:meta])* $name:ident = $text:literal, $format:ident, $term:literal;)*) => {
        /// IR opcodes.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Opcode {
            $($(#[$doc])* $name,)*
        }

        impl Opcode {
            /// Every opcode.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$name,)*];

            /// The text-form name, the format, and whether it terminates a block.
            pub fn info(self) -> (&'static str, InstructionFormat, bool) {
                match self {
                    $(Opcode::$name => ($text, InstructionFormat::$format, $term),)*
                }
            }
        }
    };
}

opcodes! {
    /// Integer constant.
    Iconst = "iconst", UnaryImm, false;
    /// Wrapping addition.
    Iadd = "iadd", Binary, false;
    /// Wrapping subtraction.
    Isub = "isub", Binary, false;
    /// Wrapping multiplication.
    Imul = "imul", Binary, false;
    /// Signed division; traps on a zero divisor and on `MIN / -1`.
    Sdiv = "sdiv", Binary, false;
    /// Unsigned division; traps on a zero divisor.
    Udiv = "udiv", Binary, false;
    /// Signed remainder; traps on a zero divisor (`MIN % -1` is 0).
    Srem = "srem", Binary, false;
    /// Unsigned remainder; traps on a zero divisor.
    Urem = "urem", Binary, false;
    /// Bitwise and.
    Band = "band", Binary, false;
    /// Bitwise or.
    Bor = "bor", Binary, false;
    /// Bitwise exclusive or.
    Bxor = "bxor", Binary, false;
    /// Shift left; the amount is taken modulo the type's width.
    Ishl = "ishl", Binary, false;
    /// Logical shift right; the amount is taken modulo the width.
    Ushr = "ushr", Binary, false;
    /// Arithmetic shift right; the amount is taken modulo the width.
    Sshr = "sshr", Binary, false;
    /// Rotate left; the amount is taken modulo the width.
    Rotl = "rotl", Binary, false;
    /// Rotate right; the amount is taken modulo the width.
    Rotr = "rotr", Binary, false;
    /// Add an immediate.
    IaddImm = "iadd_imm", BinaryImm, false;
    /// Count leading zeros.
    Clz = "clz", Unary, false;
    /// Count trailing zeros.
    Ctz = "ctz", Unary, false;
    /// Count one bits.
    Popcnt = "popcnt", Unary, false;
    /// Zero-extend to a wider integer type.
    Uextend = "uextend", Unary, false;
    /// Sign-extend to a wider integer type.
    Sextend = "sextend", Unary, false;
    /// Truncate to a narrower integer type.
    Ireduce = "ireduce", Unary, false;
    /// Integer comparison producing an `i32` 0 or 1.
    Icmp = "icmp", IntCompare, false;
    /// `select c, a, b`: `a` if `c != 0` else `b`.
    Select = "select", Ternary, false;
    /// Load a value of the result type.
    Load = "load", Load, false;
    /// Load 8 bits and zero-extend.
    Uload8 = "uload8", Load, false;
    /// Load 8 bits and sign-extend.
    Sload8 = "sload8", Load, false;
    /// Load 16 bits and zero-extend.
    Uload16 = "uload16", Load, false;
    /// Load 16 bits and sign-extend.
    Sload16 = "sload16", Load, false;
    /// Load 32 bits and zero-extend.
    Uload32 = "uload32", Load, false;
    /// Load 32 bits and sign-extend.
    Sload32 = "sload32", Load, false;
    /// Store a whole value.
    Store = "store", Store, false;
    /// Store the low 8 bits.
    Istore8 = "istore8", Store, false;
    /// Store the low 16 bits.
    Istore16 = "istore16", Store, false;
    /// Store the low 32 bits.
    Istore32 = "istore32", Store, false;
    /// Address of a stack slot plus an offset.
    StackAddr = "stack_addr", StackAddr, false;
    /// Unconditional jump.
    Jump = "jump", Jump, true;
    /// Conditional branch on an integer being non-zero.
    Brif = "brif", Brif, true;
    /// Indexed branch through a jump table.
    BrTable = "br_table", BranchTable, true;
    /// Return from the function.
    Return = "return", Return, true;
    /// Unconditional trap.
    Trap = "trap", Trap, true;
    /// Trap if the operand is zero.
    Trapz = "trapz", CondTrap, false;
    /// Trap if the operand is non-zero.
    Trapnz = "trapnz", CondTrap, false;
    /// Direct call.
    Call = "call", Call, false;
    /// Indirect call through a code pointer.
    CallIndirect = "call_indirect", CallIndirect, false;
    /// Float constant; the immediate holds the bits (zero-extended).
    Fconst = "fconst", UnaryImm, false;
    /// IEEE addition.
    Fadd = "fadd", Binary, false;
    /// IEEE subtraction.
    Fsub = "fsub", Binary, false;
    /// IEEE multiplication.
    Fmul = "fmul", Binary, false;
    /// IEEE division.
    Fdiv = "fdiv", Binary, false;
    /// Wasm `min`: NaN if either operand is NaN; `-0 < +0`.
    Fmin = "fmin", Binary, false;
    /// Wasm `max`: NaN if either operand is NaN; `-0 < +0`.
    Fmax = "fmax", Binary, false;
    /// The first operand with the sign bit of the second.
    Fcopysign = "fcopysign", Binary, false;
    /// Flip the sign bit.
    Fneg = "fneg", Unary, false;
    /// Clear the sign bit.
    Fabs = "fabs", Unary, false;
    /// Square root.
    Sqrt = "sqrt", Unary, false;
    /// Round towards +infinity.
    Ceil = "ceil", Unary, false;
    /// Round towards -infinity.
    Floor = "floor", Unary, false;
    /// Round towards zero.
    Trunc = "trunc", Unary, false;
    /// Round to nearest, ties to even.
    Nearest = "nearest", Unary, false;
    /// Float comparison producing an `i32` 0 or 1.
    Fcmp = "fcmp", FloatCompare, false;
    /// Float to signed integer, truncating; traps on NaN
    /// (`BadConversionToInteger`) and out of range (`IntegerOverflow`).
    FcvtToSint = "fcvt_to_sint", Unary, false;
    /// Float to unsigned integer, truncating; traps like `fcvt_to_sint`.
    FcvtToUint = "fcvt_to_uint", Unary, false;
    /// Float to signed integer, saturating (NaN becomes 0).
    FcvtToSintSat = "fcvt_to_sint_sat", Unary, false;
    /// Float to unsigned integer, saturating (NaN becomes 0).
    FcvtToUintSat = "fcvt_to_uint_sat", Unary, false;
    /// Signed integer to float, rounding to nearest.
    FcvtFromSint = "fcvt_from_sint", Unary, false;
    /// Unsigned integer to float, rounding to nearest.
    FcvtFromUint = "fcvt_from_uint", Unary, false;
    /// `f32` to `f64`.
    Fpromote = "fpromote", Unary, false;
    /// `f64` to `f32`, rounding to nearest.
    Fdemote = "fdemote", Unary, false;
    /// Reinterpret the bits as a type of the same width.
    Bitcast = "bitcast", Unary, false;
}

impl Opcode {
    /// The text-form name.
    pub fn name(self) -> &'static str {
        self.info().0
    }

    /// The instruction format.
    pub fn format(self) -> InstructionFormat {
        self.info().1
    }

    /// Whether this opcode ends a basic block.
    pub fn is_terminator(self) -> bool {
        self.info().2
    }

    /// Parses [`Opcode::name`].
    pub fn from_name(name: &str) -> Option<Opcode> {
        Opcode::ALL.iter().copied().find(|o| o.name() == name)
    }

    /// For loads: the number of bytes read, or `None` for `load` (whole type).
    pub fn load_width(self) -> Option<u32> {
        match self {
            Opcode::Uload8 | Opcode::Sload8 => Some(1),
            Opcode::Uload16 | Opcode::Sload16 => Some(2),
            Opcode::Uload32 | Opcode::Sload32 => Some(4),
            _ => None,
        }
    }

    /// For stores: the number of bytes written, or `None` for `store`.
    pub fn store_width(self) -> Option<u32> {
        match self {
            Opcode::Istore8 => Some(1),
            Opcode::Istore16 => Some(2),
            Opcode::Istore32 => Some(4),
            _ => None,
        }
    }

    /// Whether this opcode computes on floats (its operands are floats).
    pub fn is_float_arithmetic(self) -> bool {
        matches!(
            self,
            Opcode::Fadd
                | Opcode::Fsub
                | Opcode::Fmul
                | Opcode::Fdiv
                | Opcode::Fmin
                | Opcode::Fmax
                | Opcode::Fcopysign
                | Opcode::Fneg
                | Opcode::Fabs
                | Opcode::Sqrt
                | Opcode::Ceil
                | Opcode::Floor
                | Opcode::Trunc
                | Opcode::Nearest
        )
    }

    /// Whether a partial-width load sign-extends.
    pub fn is_signed_load(self) -> bool {
        matches!(self, Opcode::Sload8 | Opcode::Sload16 | Opcode::Sload32)
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A branch target with the arguments for its block parameters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlockCall {
    /// The target block.
    pub block: Block,
    /// One argument per block parameter.
    pub args: Vec<Value>,
}

impl BlockCall {
    /// A call with no arguments.
    pub fn new(block: Block, args: Vec<Value>) -> Self {
        Self { block, args }
    }
}

/// An instruction's opcode and operands.
///
/// Invariant: `opcode.format()` is the variant's format.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InstructionData {
    /// See [`InstructionFormat::UnaryImm`].
    UnaryImm { opcode: Opcode, imm: i64 },
    /// See [`InstructionFormat::Unary`].
    Unary { opcode: Opcode, arg: Value },
    /// See [`InstructionFormat::Binary`].
    Binary { opcode: Opcode, args: [Value; 2] },
    /// See [`InstructionFormat::BinaryImm`].
    BinaryImm { opcode: Opcode, arg: Value, imm: i64 },
    /// See [`InstructionFormat::IntCompare`].
    IntCompare { opcode: Opcode, cond: IntCC, args: [Value; 2] },
    /// See [`InstructionFormat::FloatCompare`].
    FloatCompare { opcode: Opcode, cond: FloatCC, args: [Value; 2] },
    /// See [`InstructionFormat::Ternary`].
    Ternary { opcode: Opcode, args: [Value; 3] },
    /// See [`InstructionFormat::Load`]: loads from `arg + offset`.
    Load { opcode: Opcode, arg: Value, offset: i32 },
    /// See [`InstructionFormat::Store`]: stores `args[0]` to `args[1] + offset`.
    Store { opcode: Opcode, args: [Value; 2], offset: i32 },
    /// See [`InstructionFormat::StackAddr`].
    StackAddr { opcode: Opcode, slot: StackSlot, offset: i32 },
    /// See [`InstructionFormat::Jump`].
    Jump { opcode: Opcode, destination: BlockCall },
    /// See [`InstructionFormat::Brif`]: `blocks[0]` if `arg != 0`, else `blocks[1]`.
    Brif { opcode: Opcode, arg: Value, blocks: [BlockCall; 2] },
    /// See [`InstructionFormat::BranchTable`].
    BranchTable { opcode: Opcode, arg: Value, table: JumpTable },
    /// See [`InstructionFormat::Return`].
    Return { opcode: Opcode, args: Vec<Value> },
    /// See [`InstructionFormat::Trap`].
    Trap { opcode: Opcode, code: TrapCode },
    /// See [`InstructionFormat::CondTrap`].
    CondTrap { opcode: Opcode, arg: Value, code: TrapCode },
    /// See [`InstructionFormat::Call`].
    Call { opcode: Opcode, func_ref: FuncRef, args: Vec<Value> },
    /// See [`InstructionFormat::CallIndirect`]: calls `callee` with `args`.
    CallIndirect { opcode: Opcode, sig_ref: SigRef, callee: Value, args: Vec<Value> },
}

impl InstructionData {
    /// The opcode.
    pub fn opcode(&self) -> Opcode {
        match *self {
            InstructionData::UnaryImm { opcode, .. }
            | InstructionData::Unary { opcode, .. }
            | InstructionData::Binary { opcode, .. }
            | InstructionData::BinaryImm { opcode, .. }
            | InstructionData::IntCompare { opcode, .. }
            | InstructionData::FloatCompare { opcode, .. }
            | InstructionData::Ternary { opcode, .. }
            | InstructionData::Load { opcode, .. }
            | InstructionData::Store { opcode, .. }
            | InstructionData::StackAddr { opcode, .. }
            | InstructionData::Jump { opcode, .. }
            | InstructionData::Brif { opcode, .. }
            | InstructionData::BranchTable { opcode, .. }
            | InstructionData::Return { opcode, .. }
            | InstructionData::Trap { opcode, .. }
            | InstructionData::CondTrap { opcode, .. }
            | InstructionData::Call { opcode, .. }
            | InstructionData::CallIndirect { opcode, .. } => opcode,
        }
    }

    /// The value operands, not counting branch arguments.
    pub fn arguments(&self) -> Vec<Value> {
        match self {
            InstructionData::UnaryImm { .. }
            | InstructionData::StackAddr { .. }
            | InstructionData::Jump { .. }
            | InstructionData::Trap { .. } => vec![],
            InstructionData::Unary { arg, .. }
            | InstructionData::BinaryImm { arg, .. }
            | InstructionData::Load { arg, .. }
            | InstructionData::Brif { arg, .. }
            | InstructionData::BranchTable { arg, .. }
            | InstructionData::CondTrap { arg, .. } => vec![*arg],
            InstructionData::Binary { args, .. }
            | InstructionData::IntCompare { args, .. }
            | InstructionData::FloatCompare { args, .. }
            | InstructionData::Store { args, .. } => args.to_vec(),
            InstructionData::Ternary { args, .. } => args.to_vec(),
            InstructionData::Return { args, .. } | InstructionData::Call { args, .. } => args.clone(),
            InstructionData::CallIndirect { callee, args, .. } => {
                let mut all = vec![*callee];
                all.extend_from_slice(args);
                all
            }
        }
    }

    /// Every value this instruction reads, including branch arguments.
    pub fn all_values(&self) -> Vec<Value> {
        let mut values = self.arguments();
        for call in self.block_calls() {
            values.extend_from_slice(&call.args);
        }
        values
    }

    /// Rewrites every value this instruction reads (including branch
    /// arguments) through `f`.
    pub fn map_values(&mut self, mut f: impl FnMut(Value) -> Value) {
        match self {
            InstructionData::UnaryImm { .. } | InstructionData::StackAddr { .. } | InstructionData::Trap { .. } => {}
            InstructionData::Unary { arg, .. }
            | InstructionData::BinaryImm { arg, .. }
            | InstructionData::Load { arg, .. }
            | InstructionData::BranchTable { arg, .. }
            | InstructionData::CondTrap { arg, .. } => *arg = f(*arg),
            InstructionData::Binary { args, .. }
            | InstructionData::IntCompare { args, .. }
            | InstructionData::FloatCompare { args, .. }
            | InstructionData::Store { args, .. } => args.iter_mut().for_each(|a| *a = f(*a)),
            InstructionData::Ternary { args, .. } => args.iter_mut().for_each(|a| *a = f(*a)),
            InstructionData::Return { args, .. } | InstructionData::Call { args, .. } => {
                args.iter_mut().for_each(|a| *a = f(*a))
            }
            InstructionData::CallIndirect { callee, args, .. } => {
                *callee = f(*callee);
                args.iter_mut().for_each(|a| *a = f(*a));
            }
            InstructionData::Jump { destination, .. } => destination.args.iter_mut().for_each(|a| *a = f(*a)),
            InstructionData::Brif { arg, blocks, .. } => {
                *arg = f(*arg);
                for call in blocks.iter_mut() {
                    call.args.iter_mut().for_each(|a| *a = f(*a));
                }
            }
        }
    }

    /// The block calls of a branch (empty for non-branches and `br_table`,
    /// whose targets live in a jump table and take no arguments).
    pub fn block_calls(&self) -> &[BlockCall] {
        match self {
            InstructionData::Jump { destination, .. } => std::slice::from_ref(destination),
            InstructionData::Brif { blocks, .. } => blocks,
            _ => &[],
        }
    }

    /// Mutable access to the block calls of a branch.
    pub fn block_calls_mut(&mut self) -> &mut [BlockCall] {
        match self {
            InstructionData::Jump { destination, .. } => std::slice::from_mut(destination),
            InstructionData::Brif { blocks, .. } => blocks,
            _ => &mut [],
        }
    }
}
