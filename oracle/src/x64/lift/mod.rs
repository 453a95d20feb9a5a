//! The x86-64 lifter: one instruction of someone else's machine code
//! (Cranelift's, in the whole-function parity check) read back as one of
//! our instructions, where our instruction set can express it.
//!
//! Part of the oracles, the reverse of the encoder check: where `check`
//! goes `Inst ─emit─▶ bytes`, this goes `bytes ─iced─▶ Inst`, so the harness
//! (`parity whole`) can re-encode the `Inst` with our emitter and compare
//! the bytes with Cranelift's:
//!
//! ```text
//! code, offset ─iced (ip = offset)─▶ Instruction ─┬─ operands ─▶ Op (our registers, Amode, labels)
//!                                                └─ mnemonic ─▶ the one Inst variant that emits exactly it
//!                                                                ─▶ Lifted { case: Ok(Case) | Err(why) }
//! ```
//!
//! A case is built only where one `Inst` emits exactly that one machine
//! instruction (the same mnemonic, operands, memory operand and immediate
//! as iced reads them; the bytes may still differ in an equivalent
//! encoding choice, such as `03 /r` against our `01 /r`). Branches and
//! RIP-relative operands get labels bound where the displacement says
//! (`LabelAt::{Before, Start, End, Past}`, relative to the instruction);
//! a conditional branch is a `JmpCond` whose not-taken label falls through.
//! Everything else is `Err` with a one-line category: instructions we never
//! emit, operand sizes or forms our variants do not have, vector and x87
//! code, and the pieces of multi-instruction sequences (our `Ret` is the
//! whole epilogue, `TrapIf` is `j!cc; ud2`).
//!
//! Invariant: the result depends only on the instruction's bytes (labels
//! are placed relative to the instruction), so callers may cache it by
//! bytes.

mod operands;
#[cfg(test)]
mod tests;

use super::check::{Case, format_all};
use crate::common::{LabelAt, Lifted};
use compiler::isa::x64::inst::Inst;
use compiler::isa::x64::inst::args::*;
use compiler::isa::x64::inst::regs::{rax, rcx, rdx, writable};
use compiler::machinst::Reg;
use compiler::runtime::TrapCode;
use iced_x86::{ConditionCode, Decoder, DecoderOptions, EncodingKind, Instruction, Mnemonic};
use operands::{L0, L1, Op, label_at, operands};
use regalloc2::PRegSet;

/// Why an instruction cannot be expressed: one line, a category.
type Why = &'static str;

const SIZE_8_16: Why = "8- or 16-bit operand size (our variant is 32/64-bit)";
const MEMORY_DESTINATION: Why = "memory destination (read-modify-write): ours write registers";
const NEVER_EMITTED: Why = "instruction we never emit";

/// Decodes the instruction at `offset` of `code` (iced's `ip` is `offset`)
/// and, where one of our instructions emits exactly it, builds the case
/// that should encode to the same bytes.
///
/// An undecodable or cut instruction is `Err` with `len` at least 1.
pub fn lift(code: &[u8], offset: usize) -> Lifted<Case> {
    let bytes = code.get(offset..).unwrap_or(&[]);
    let mut decoder = Decoder::with_ip(64, bytes, offset as u64, DecoderOptions::NONE);
    let inst = decoder.decode();
    if inst.is_invalid() {
        return Lifted {
            len: inst.len().max(1),
            text: "(bad)".into(),
            mnemonic: "(bad)".into(),
            case: Err("undecodable"),
        };
    }
    let text = format_all(std::slice::from_ref(&inst));
    let mnemonic = format!("{:?}", inst.mnemonic()).to_lowercase();
    Lifted { len: inst.len(), text, mnemonic, case: lift_decoded(&inst) }
}

/// The case for a decoded instruction.
fn lift_decoded(inst: &Instruction) -> Result<Case, Why> {
    if inst.has_lock_prefix() || inst.has_rep_prefix() || inst.has_repne_prefix() {
        return Err("lock/rep prefix");
    }
    match inst.encoding() {
        EncodingKind::Legacy => {}
        EncodingKind::VEX | EncodingKind::EVEX => return Err("VEX/EVEX-encoded (AVX): we emit legacy SSE only"),
        _ => return Err("XOP/3DNow!/MVEX encoding"),
    }
    let ops = operands(inst)?;
    let (address, len) = (inst.ip(), inst.len());
    let place = |target: u64| label_at(target, address, len);
    // RIP-relative memory operands refer to label 0, bound at their target.
    let mut labels = Vec::new();
    let ops: Vec<Op> = ops
        .into_iter()
        .map(|op| match op {
            Op::RipMem(target, size) => {
                labels.push(place(target)?);
                Ok(Op::Mem(Amode::RipRelative { target: L0 }, size))
            }
            other => Ok(other),
        })
        .collect::<Result<_, Why>>()?;
    let inst = build(inst, &ops, &place, &mut labels)?;
    Ok(Case::new(inst).with_labels(&labels))
}

/// The GPR of operand `op` at 32 or 64 bits, with its size.
fn gpr32_64(op: Op) -> Result<(Reg, OperandSize), Why> {
    match op {
        Op::Gpr(reg, 32) => Ok((reg, OperandSize::Size32)),
        Op::Gpr(reg, 64) => Ok((reg, OperandSize::Size64)),
        Op::Gpr(..) => Err(SIZE_8_16),
        Op::Mem(..) => Err(MEMORY_DESTINATION),
        _ => Err("operand form our variant does not have"),
    }
}

/// A GPR of exactly `bits`.
fn gpr_of(op: Op, bits: u32) -> Result<Reg, Why> {
    match op {
        Op::Gpr(reg, b) if b == bits => Ok(reg),
        Op::Gpr(..) => Err("mixed operand sizes"),
        _ => Err("operand form our variant does not have"),
    }
}

fn xmm_of(op: Op) -> Result<Reg, Why> {
    match op {
        Op::Xmm(reg) => Ok(reg),
        Op::Mem(..) => Err("SSE memory operand our variant does not take"),
        _ => Err("operand form our variant does not have"),
    }
}

/// A register or memory operand of `bytes` bytes.
fn reg_mem(op: Op, bits: u32) -> Result<RegMem, Why> {
    match op {
        Op::Gpr(reg, b) if b == bits => Ok(RegMem::Reg(reg)),
        Op::Xmm(reg) => Ok(RegMem::Reg(reg)),
        Op::Mem(amode, size) if size * 8 == bits as usize || bits == 0 => Ok(RegMem::Mem(amode)),
        Op::Gpr(..) | Op::Mem(..) => Err("mixed operand sizes"),
        _ => Err("operand form our variant does not have"),
    }
}

/// A register, memory or (32-bit sign-extended) immediate operand.
fn reg_mem_imm(op: Op, bits: u32) -> Result<RegMemImm, Why> {
    match op {
        Op::Imm(value) => i32::try_from(value).map(RegMemImm::Imm).map_err(|_| "immediate beyond 32 bits"),
        other => match reg_mem(other, bits)? {
            RegMem::Reg(reg) => Ok(RegMemImm::Reg(reg)),
            RegMem::Mem(amode) => Ok(RegMemImm::Mem(amode)),
        },
    }
}

/// Our condition for iced's.
fn condition(cc: ConditionCode) -> Result<CC, Why> {
    Ok(match cc {
        ConditionCode::o => CC::O,
        ConditionCode::no => CC::NO,
        ConditionCode::b => CC::B,
        ConditionCode::ae => CC::NB,
        ConditionCode::e => CC::Z,
        ConditionCode::ne => CC::NZ,
        ConditionCode::be => CC::BE,
        ConditionCode::a => CC::NBE,
        ConditionCode::s => CC::S,
        ConditionCode::ns => CC::NS,
        ConditionCode::p => CC::P,
        ConditionCode::np => CC::NP,
        ConditionCode::l => CC::L,
        ConditionCode::ge => CC::NL,
        ConditionCode::le => CC::LE,
        ConditionCode::g => CC::NLE,
        ConditionCode::None => return Err("no condition code"),
    })
}

fn alu_op(mnemonic: Mnemonic) -> Option<AluOp> {
    Some(match mnemonic {
        Mnemonic::Add => AluOp::Add,
        Mnemonic::Or => AluOp::Or,
        Mnemonic::And => AluOp::And,
        Mnemonic::Sub => AluOp::Sub,
        Mnemonic::Xor => AluOp::Xor,
        _ => return None,
    })
}

fn shift_kind(mnemonic: Mnemonic) -> Option<ShiftKind> {
    Some(match mnemonic {
        Mnemonic::Rol => ShiftKind::Rol,
        Mnemonic::Ror => ShiftKind::Ror,
        Mnemonic::Shl => ShiftKind::Shl,
        Mnemonic::Shr => ShiftKind::Shr,
        Mnemonic::Sar => ShiftKind::Sar,
        _ => return None,
    })
}

/// The scalar SSE operation and width of `mnemonic` (`addss`, `xorpd`).
fn sse_op(mnemonic: Mnemonic) -> Option<(SseOp, FloatSize)> {
    use FloatSize::{F32, F64};
    use Mnemonic::*;
    Some(match mnemonic {
        Addss => (SseOp::Add, F32),
        Addsd => (SseOp::Add, F64),
        Subss => (SseOp::Sub, F32),
        Subsd => (SseOp::Sub, F64),
        Mulss => (SseOp::Mul, F32),
        Mulsd => (SseOp::Mul, F64),
        Divss => (SseOp::Div, F32),
        Divsd => (SseOp::Div, F64),
        Minss => (SseOp::Min, F32),
        Minsd => (SseOp::Min, F64),
        Maxss => (SseOp::Max, F32),
        Maxsd => (SseOp::Max, F64),
        Andps => (SseOp::And, F32),
        Andpd => (SseOp::And, F64),
        Andnps => (SseOp::AndNot, F32),
        Andnpd => (SseOp::AndNot, F64),
        Orps => (SseOp::Or, F32),
        Orpd => (SseOp::Or, F64),
        Xorps => (SseOp::Xor, F32),
        Xorpd => (SseOp::Xor, F64),
        _ => return None,
    })
}

/// `F32` for the `ss` mnemonic, `F64` for the `sd` one.
fn by_size(mnemonic: Mnemonic, f32: Mnemonic) -> FloatSize {
    if mnemonic == f32 { FloatSize::F32 } else { FloatSize::F64 }
}

/// The two operands of a two-operand instruction.
fn two(ops: &[Op]) -> Result<(Op, Op), Why> {
    match ops {
        [a, b] => Ok((*a, *b)),
        _ => Err("operand count our variant does not have"),
    }
}

fn one(ops: &[Op]) -> Result<Op, Why> {
    match ops {
        [a] => Ok(*a),
        _ => Err("operand count our variant does not have"),
    }
}

/// The `Inst` that emits exactly `inst` (whose operands are `ops`).
/// `place` binds a branch target; `labels` collects the case's labels.
fn build(
    inst: &Instruction,
    ops: &[Op],
    place: &dyn Fn(u64) -> Result<LabelAt, Why>,
    labels: &mut Vec<LabelAt>,
) -> Result<Inst, Why> {
    use Mnemonic as M;
    let mnemonic = inst.mnemonic();
    if let Some(op) = alu_op(mnemonic) {
        let (dst, src) = two(ops)?;
        let (dst, size) = gpr32_64(dst)?;
        let src2 = reg_mem_imm(src, size.bits())?;
        return Ok(Inst::AluRmiR { size, op, src1: dst, src2, dst: writable(dst) });
    }
    if let Some(kind) = shift_kind(mnemonic) {
        let (dst, count) = two(ops)?;
        let (dst, size) = gpr32_64(dst)?;
        let amount = match count {
            Op::Imm(n) => Some(n as u8),
            Op::Gpr(reg, 8) if reg == rcx() => None,
            _ => return Err("operand form our variant does not have"),
        };
        return Ok(Inst::Shift { size, kind, src: dst, amount, count: rcx(), dst: writable(dst) });
    }
    if let Some((op, size)) = sse_op(mnemonic) {
        let (dst, src) = two(ops)?;
        let dst = xmm_of(dst)?;
        let bits = if op.is_bitwise() { 128 } else { size.bytes() as u32 * 8 };
        return Ok(Inst::XmmRmR { size, op, src1: dst, src2: reg_mem(src, bits)?, dst: writable(dst) });
    }
    if inst.code().is_jcc_short_or_near() {
        if inst.code().is_jcc_short() {
            return Err("short (rel8) branch: ours are rel32");
        }
        let Op::Branch(target) = one(ops)? else { return Err("operand form our variant does not have") };
        let taken = place(target)?;
        if taken == LabelAt::End {
            return Err("branch to the next instruction (the buffer deletes it)");
        }
        labels.extend([taken, LabelAt::End]);
        return Ok(Inst::JmpCond { cc: condition(inst.condition_code())?, taken: L0, not_taken: L1 });
    }
    let cc = || condition(inst.condition_code());
    Ok(match mnemonic {
        M::Imul => match ops {
            [dst, src] => {
                let (dst, size) = gpr32_64(*dst)?;
                Inst::Imul { size, src1: dst, src2: reg_mem(*src, size.bits())?, dst: writable(dst) }
            }
            [_] => return Err("one-operand imul (rdx:rax)"),
            _ => return Err("three-operand imul (with an immediate)"),
        },
        M::Neg | M::Not => {
            let (dst, size) = gpr32_64(one(ops)?)?;
            let op = if mnemonic == M::Neg { UnaryOp::Neg } else { UnaryOp::Not };
            Inst::Unary { size, op, src: dst, dst: writable(dst) }
        }
        M::Bsr | M::Bsf => {
            let (dst, src) = two(ops)?;
            let (dst, size) = gpr32_64(dst)?;
            let op = if mnemonic == M::Bsr { BitScan::Bsr } else { BitScan::Bsf };
            Inst::BitScan { size, op, src: reg_mem(src, size.bits())?, dst: writable(dst) }
        }
        M::Div | M::Idiv => {
            let (divisor, size) = gpr32_64(one(ops)?).map_err(|why| match why {
                MEMORY_DESTINATION => "divisor in memory",
                other => other,
            })?;
            Inst::Div {
                size,
                signed: mnemonic == M::Idiv,
                divisor,
                dividend_lo: rax(),
                dividend_hi: rdx(),
                quotient: writable(rax()),
                remainder: writable(rdx()),
                trap: TrapCode::IntegerDivisionByZero,
            }
        }
        M::Cdq | M::Cqo => {
            let size = if mnemonic == M::Cqo { OperandSize::Size64 } else { OperandSize::Size32 };
            Inst::SignExtendData { size, src: rax(), dst: writable(rdx()) }
        }
        M::Mov => mov(inst, ops)?,
        M::Movzx | M::Movsx | M::Movsxd => extend(mnemonic, ops)?,
        M::Lea => match two(ops)? {
            (Op::Gpr(dst, 64), Op::Mem(addr, _)) => Inst::Lea { addr, dst: writable(dst) },
            (Op::Gpr(..), _) => return Err("32-bit lea"),
            _ => return Err("operand form our variant does not have"),
        },
        M::Cmp => match two(ops)? {
            (Op::Mem(..), _) => return Err("cmp with a memory first operand (ours: cmp r, r/m)"),
            (a, b) => {
                let (src1, size) = gpr32_64(a)?;
                Inst::Cmp { size, op: CmpOp::Cmp, src1, src2: reg_mem_imm(b, size.bits())? }
            }
        },
        M::Test => match two(ops)? {
            (Op::Mem(amode, bytes), b) => {
                let (src1, size) = gpr32_64(b)?;
                if bytes as u32 * 8 != size.bits() {
                    return Err("mixed operand sizes");
                }
                Inst::Cmp { size, op: CmpOp::Test, src1, src2: RegMemImm::Mem(amode) }
            }
            (a, b) => {
                let (src1, size) = gpr32_64(a)?;
                Inst::Cmp { size, op: CmpOp::Test, src1, src2: reg_mem_imm(b, size.bits())? }
            }
        },
        M::Jmp => {
            if inst.code().is_jmp_short() {
                return Err("short (rel8) branch: ours are rel32");
            }
            match one(ops)? {
                Op::Branch(target) => {
                    let at = place(target)?;
                    if at == LabelAt::End {
                        return Err("branch to the next instruction (the buffer deletes it)");
                    }
                    labels.push(at);
                    Inst::Jmp { target: L0 }
                }
                _ => return Err("indirect jmp (ours only inside JmpTable)"),
            }
        }
        M::Call => match one(ops)? {
            Op::Branch(_) => Inst::CallKnown { symbol: 0, uses: vec![], defs: vec![], clobbers: PRegSet::empty() },
            Op::Gpr(target, 64) => Inst::CallUnknown { target, uses: vec![], defs: vec![], clobbers: PRegSet::empty() },
            _ => return Err("call through memory"),
        },
        M::Ud2 => Inst::Ud2 { code: TrapCode::Unreachable },
        M::Push => match one(ops)? {
            Op::Gpr(src, 64) => Inst::Push64 { src },
            _ => return Err("push of memory or an immediate"),
        },
        M::Pop => match one(ops)? {
            Op::Gpr(dst, 64) => Inst::Pop64 { dst: writable(dst) },
            _ => return Err("pop to memory"),
        },
        M::Ret => return Err("bare ret: our Ret is the whole epilogue (pop rbp; ret)"),
        _ if is_cmov(mnemonic) => {
            let (dst, src) = two(ops)?;
            let (dst, size) = gpr32_64(dst)?;
            let consequent = match src {
                Op::Mem(..) => return Err("cmov from memory"),
                other => gpr_of(other, size.bits())?,
            };
            Inst::Cmove { size, cc: cc()?, consequent, alternative: dst, dst: writable(dst) }
        }
        _ if is_setcc(mnemonic) => match one(ops)? {
            Op::Gpr(dst, 8) => Inst::Setcc { cc: cc()?, dst: writable(dst) },
            _ => return Err("setcc to memory"),
        },
        _ => return sse(mnemonic, ops).unwrap_or_else(|| Err(never_emitted(inst, ops))),
    })
}

fn is_cmov(mnemonic: Mnemonic) -> bool {
    use Mnemonic::*;
    matches!(
        mnemonic,
        Cmovo
            | Cmovno
            | Cmovb
            | Cmovae
            | Cmove
            | Cmovne
            | Cmovbe
            | Cmova
            | Cmovs
            | Cmovns
            | Cmovp
            | Cmovnp
            | Cmovl
            | Cmovge
            | Cmovle
            | Cmovg
    )
}

fn is_setcc(mnemonic: Mnemonic) -> bool {
    use Mnemonic::*;
    matches!(
        mnemonic,
        Seto | Setno
            | Setb
            | Setae
            | Sete
            | Setne
            | Setbe
            | Seta
            | Sets
            | Setns
            | Setp
            | Setnp
            | Setl
            | Setge
            | Setle
            | Setg
    )
}

/// The category of an instruction no variant of ours is.
fn never_emitted(inst: &Instruction, ops: &[Op]) -> Why {
    use Mnemonic as M;
    match inst.mnemonic() {
        M::Mul => "one-operand mul (rdx:rax)",
        M::Adc | M::Sbb => "add/sub with carry",
        M::Shld | M::Shrd => "double-precision shift (shld/shrd)",
        M::Lzcnt | M::Tzcnt | M::Popcnt => "lzcnt/tzcnt/popcnt: we use bsr/bsf sequences",
        M::Nop => "nop (padding)",
        M::Int3 => "int3",
        M::Xchg => "xchg",
        M::Bt | M::Bts | M::Btr | M::Btc => "bit test (bt*)",
        M::Inc | M::Dec => "inc/dec (ours: add/sub with an immediate)",
        _ if ops.iter().any(|op| matches!(op, Op::Xmm(_))) => "SSE instruction we never emit",
        _ => NEVER_EMITTED,
    }
}

/// `mov` in its register, load, store and immediate forms.
fn mov(inst: &Instruction, ops: &[Op]) -> Result<Inst, Why> {
    Ok(match two(ops)? {
        (Op::Gpr(dst, 64), Op::Gpr(src, 64)) => Inst::MovRR { size: OperandSize::Size64, src, dst: writable(dst) },
        // `89 /r` is our `MovRR`; `8B /r` is what `MovzxRmR` with `LQ` emits.
        (Op::Gpr(dst, 32), Op::Gpr(src, 32)) if inst.code() == iced_x86::Code::Mov_r32_rm32 => {
            Inst::MovzxRmR { mode: ExtMode::LQ, src: RegMem::Reg(src), dst: writable(dst) }
        }
        (Op::Gpr(dst, 32), Op::Gpr(src, 32)) => Inst::MovRR { size: OperandSize::Size32, src, dst: writable(dst) },
        (Op::Gpr(dst, 64), Op::Mem(src, 8)) => Inst::Mov64MR { src, dst: writable(dst) },
        (Op::Gpr(dst, 32), Op::Mem(src, 4)) => {
            Inst::MovzxRmR { mode: ExtMode::LQ, src: RegMem::Mem(src), dst: writable(dst) }
        }
        (Op::Mem(dst, bytes), Op::Gpr(src, bits)) if bytes as u32 * 8 == bits => {
            let size = match bits {
                8 => OperandSize::Size8,
                16 => OperandSize::Size16,
                32 => OperandSize::Size32,
                _ => OperandSize::Size64,
            };
            Inst::MovRM { size, src, dst }
        }
        (Op::Mem(..), Op::Imm(_)) => return Err("store of an immediate"),
        (Op::Gpr(dst, 32), Op::Imm(value)) => {
            Inst::Imm { size: OperandSize::Size32, value: value as u32 as u64, dst: writable(dst) }
        }
        (Op::Gpr(dst, 64), Op::Imm(value)) => {
            let fits_u32 = u32::try_from(value).is_ok();
            let negative_simm32 = value < 0 && i32::try_from(value).is_ok();
            let is_movabs = inst.code() == iced_x86::Code::Mov_r64_imm64;
            // Our `Imm` picks the shortest of `mov r32, imm32`,
            // `mov r/m64, simm32` and `movabs`; another choice is another
            // instruction (another destination width or immediate kind).
            if (is_movabs && (fits_u32 || negative_simm32)) || (!is_movabs && !negative_simm32) {
                return Err("mov r64, imm in a longer form than ours (ours picks the shortest)");
            }
            Inst::Imm { size: OperandSize::Size64, value: value as u64, dst: writable(dst) }
        }
        (Op::Gpr(..), Op::Gpr(..)) | (Op::Gpr(..), Op::Imm(_)) => return Err(SIZE_8_16),
        (Op::Gpr(..), Op::Mem(..)) => return Err("8- or 16-bit load into a register (partial write)"),
        _ => return Err("operand form our variant does not have"),
    })
}

/// `movzx`/`movsx`/`movsxd`.
fn extend(mnemonic: Mnemonic, ops: &[Op]) -> Result<Inst, Why> {
    let (dst, src) = two(ops)?;
    let (dst, dst_bits) = match dst {
        Op::Gpr(reg, bits @ (32 | 64)) => (reg, bits),
        _ => return Err(SIZE_8_16),
    };
    let src_bits = match src {
        Op::Gpr(_, bits) => bits,
        Op::Mem(_, bytes) => bytes as u32 * 8,
        _ => return Err("operand form our variant does not have"),
    };
    let src = reg_mem(src, src_bits)?;
    let dst = writable(dst);
    let mode = match (src_bits, dst_bits) {
        (8, 32) => ExtMode::BL,
        (8, 64) => ExtMode::BQ,
        (16, 32) => ExtMode::WL,
        (16, 64) => ExtMode::WQ,
        (32, 64) => ExtMode::LQ,
        _ => return Err("extension our variants do not have"),
    };
    Ok(match mnemonic {
        Mnemonic::Movzx => Inst::MovzxRmR { mode, src, dst },
        _ => Inst::MovsxRmR { mode, src, dst },
    })
}

/// The SSE moves, conversions and compares we emit; `None` for other
/// mnemonics.
fn sse(mnemonic: Mnemonic, ops: &[Op]) -> Option<Result<Inst, Why>> {
    use Mnemonic as M;
    match mnemonic {
        M::Roundss | M::Roundsd => Some(round(mnemonic, ops)),
        M::Sqrtss
        | M::Sqrtsd
        | M::Cvtss2sd
        | M::Cvtsd2ss
        | M::Movaps
        | M::Movss
        | M::Movsd
        | M::Movd
        | M::Movq
        | M::Ucomiss
        | M::Ucomisd
        | M::Cvtsi2ss
        | M::Cvtsi2sd
        | M::Cvttss2si
        | M::Cvttsd2si => Some(sse_two(mnemonic, ops)),
        _ => None,
    }
}

/// The two-operand SSE instructions of [`sse`].
fn sse_two(mnemonic: Mnemonic, ops: &[Op]) -> Result<Inst, Why> {
    use Mnemonic as M;
    let (a, b) = two(ops)?;
    Ok(match mnemonic {
        M::Sqrtss | M::Sqrtsd => {
            let (dst, src) = (xmm_of(a)?, xmm_of(b)?);
            Inst::XmmSqrt { size: by_size(mnemonic, M::Sqrtss), src, dst: writable(dst) }
        }
        M::Cvtss2sd | M::Cvtsd2ss => {
            let (dst, src) = (xmm_of(a)?, xmm_of(b)?);
            let to = if mnemonic == M::Cvtss2sd { FloatSize::F64 } else { FloatSize::F32 };
            Inst::XmmConvert { to, src, dst: writable(dst) }
        }
        M::Movaps => match (a, b) {
            (Op::Xmm(dst), Op::Xmm(src)) => Inst::XmmMov { src, dst: writable(dst) },
            _ => return Err("movaps to or from memory"),
        },
        M::Movss | M::Movsd => {
            let size = by_size(mnemonic, M::Movss);
            match (a, b) {
                (Op::Xmm(dst), Op::Mem(src, _)) => Inst::XmmLoad { size, src, dst: writable(dst) },
                (Op::Mem(dst, _), Op::Xmm(src)) => Inst::XmmStore { size, src, dst },
                _ => return Err("register-to-register movss/movsd (merges lanes)"),
            }
        }
        M::Movd | M::Movq => match (a, b) {
            (Op::Xmm(dst), Op::Gpr(src, bits @ (32 | 64))) => {
                Inst::GprToXmm { size: OperandSize::of(bits == 64), src, dst: writable(dst) }
            }
            (Op::Gpr(dst, bits @ (32 | 64)), Op::Xmm(src)) => {
                Inst::XmmToGpr { size: OperandSize::of(bits == 64), src, dst: writable(dst) }
            }
            _ => return Err("movd/movq with memory or between XMM registers"),
        },
        M::Ucomiss | M::Ucomisd => {
            let (a, b) = (xmm_of(a)?, xmm_of(b)?);
            Inst::Ucomis { size: by_size(mnemonic, M::Ucomiss), a, b }
        }
        M::Cvtsi2ss | M::Cvtsi2sd => match (a, b) {
            (Op::Xmm(dst), Op::Gpr(src, bits @ (32 | 64))) => Inst::CvtIntToFloat {
                int_size: OperandSize::of(bits == 64),
                size: by_size(mnemonic, M::Cvtsi2ss),
                src,
                dst: writable(dst),
            },
            _ => return Err("int-to-float conversion from memory"),
        },
        M::Cvttss2si | M::Cvttsd2si => match (a, b) {
            (Op::Gpr(dst, bits @ (32 | 64)), Op::Xmm(src)) => Inst::CvtFloatToIntTrunc {
                size: by_size(mnemonic, M::Cvttss2si),
                int_size: OperandSize::of(bits == 64),
                src,
                dst: writable(dst),
            },
            _ => return Err("float-to-int conversion from memory"),
        },
        _ => return Err(NEVER_EMITTED),
    })
}

/// `roundss`/`roundsd dst, src, imm8` with the inexact exception
/// suppressed (bit 3) and the mode in bits 0–1, as ours emit it.
fn round(mnemonic: Mnemonic, ops: &[Op]) -> Result<Inst, Why> {
    match ops {
        [Op::Xmm(dst), Op::Xmm(src), Op::Imm(imm)] if (8..=11).contains(imm) => Ok(Inst::XmmRound {
            size: by_size(mnemonic, Mnemonic::Roundss),
            mode: (*imm & 3) as u8,
            src: *src,
            dst: writable(*dst),
        }),
        [_, Op::Mem(..), _] => Err("round from memory"),
        _ => Err("round with a mode our variant does not emit"),
    }
}
