//! x86-64 encoding of the SSE (floating-point) instructions and of the
//! float pseudo-instruction sequences.
//!
//! Part of `isa/x64/inst/`, beside `emit.rs`. Scalar SSE instructions are
//! `[F3|F2] [REX] 0F op ModR/M` (`ss`/`sd`), packed bitwise ones
//! `[66] [REX] 0F op ModR/M` (`ps`/`pd`); the mandatory prefix comes before
//! REX. The sequences (Wasm `min`/`max`, checked float-to-int conversions,
//! unsigned 64-bit to float) are lists of [`Step`]s: instructions, and
//! jumps to labels local to the sequence, resolved by the `MachBuffer`.
//! Their jumps are not registered as branches, so branch simplification
//! never touches them.

use crate::isa::x64::inst::Inst;
use crate::isa::x64::inst::args::*;
use crate::isa::x64::inst::emit::{EmitState, Encoding, FrameLayout, enc_jcc, enc_jmp, enc_rm, enc_rr, put, resolve};
use crate::machinst::reg::{Reg, Writable};
use crate::machinst::{MachBuffer, MachInstEmit, MachLabel};
use crate::runtime::TrapCode;

/// Encodes a single SSE instruction, or `None` if `inst` is not one.
pub fn encode_sse(inst: &Inst, frame: &FrameLayout) -> Option<Encoding> {
    let mut out = Encoding::default();
    let o = &mut out;
    let x = |r: &Reg| r.hw_enc();
    match inst {
        Inst::XmmRmR { size, op, src2, dst, .. } => {
            let prefix = if op.is_bitwise() { size.packed_prefix() } else { Some(size.scalar_prefix()) };
            let opcode = [0x0F, op.opcode()];
            match src2 {
                RegMem::Reg(r) => enc_rr(o, prefix, false, &opcode, x(&dst.to_reg()), x(r), false),
                RegMem::Mem(m) => enc_rm(o, prefix, false, &opcode, x(&dst.to_reg()), resolve(m, frame), false),
            }
        }
        Inst::XmmSqrt { size, src, dst } => {
            enc_rr(o, Some(size.scalar_prefix()), false, &[0x0F, 0x51], x(&dst.to_reg()), x(src), false)
        }
        Inst::XmmRound { size, mode, src, dst } => {
            let op = match size {
                FloatSize::F32 => 0x0A,
                FloatSize::F64 => 0x0B,
            };
            enc_rr(o, Some(0x66), false, &[0x0F, 0x3A, op], x(&dst.to_reg()), x(src), false);
            o.bytes.push(mode | 8);
        }
        Inst::XmmConvert { to, src, dst } => {
            // cvtss2sd is F3 0F 5A, cvtsd2ss is F2 0F 5A: the prefix names the source.
            let prefix = match to {
                FloatSize::F64 => 0xF3,
                FloatSize::F32 => 0xF2,
            };
            enc_rr(o, Some(prefix), false, &[0x0F, 0x5A], x(&dst.to_reg()), x(src), false)
        }
        Inst::XmmMov { src, dst } => enc_rr(o, None, false, &[0x0F, 0x28], x(&dst.to_reg()), x(src), false),
        Inst::XmmLoad { size, src, dst } => {
            enc_rm(o, Some(size.scalar_prefix()), false, &[0x0F, 0x10], x(&dst.to_reg()), resolve(src, frame), false)
        }
        Inst::XmmStore { size, src, dst } => {
            enc_rm(o, Some(size.scalar_prefix()), false, &[0x0F, 0x11], x(src), resolve(dst, frame), false)
        }
        Inst::GprToXmm { size, src, dst } => {
            let w = *size == OperandSize::Size64;
            enc_rr(o, Some(0x66), w, &[0x0F, 0x6E], x(&dst.to_reg()), x(src), false)
        }
        Inst::XmmToGpr { size, src, dst } => {
            let w = *size == OperandSize::Size64;
            enc_rr(o, Some(0x66), w, &[0x0F, 0x7E], x(src), x(&dst.to_reg()), false)
        }
        Inst::Ucomis { size, a, b } => enc_rr(o, size.packed_prefix(), false, &[0x0F, 0x2E], x(a), x(b), false),
        Inst::CvtIntToFloat { int_size, size, src, dst } => {
            let w = *int_size == OperandSize::Size64;
            enc_rr(o, Some(size.scalar_prefix()), w, &[0x0F, 0x2A], x(&dst.to_reg()), x(src), false)
        }
        Inst::CvtFloatToIntTrunc { size, int_size, src, dst } => {
            let w = *int_size == OperandSize::Size64;
            enc_rr(o, Some(size.scalar_prefix()), w, &[0x0F, 0x2C], x(&dst.to_reg()), x(src), false)
        }
        _ => return None,
    }
    Some(out)
}

/// One step of a sequence.
enum Step {
    /// An instruction (emitted normally, so traps are recorded).
    Inst(Inst),
    /// `jcc label`.
    Jcc(CC, MachLabel),
    /// `jmp label`.
    Jmp(MachLabel),
    /// Binds a label here.
    Bind(MachLabel),
}

fn run(steps: Vec<Step>, buffer: &mut MachBuffer<Inst>, state: &mut EmitState) {
    for step in steps {
        match step {
            Step::Inst(inst) => inst.emit(buffer, state),
            Step::Jcc(cc, label) => {
                let mut e = Encoding::default();
                enc_jcc(&mut e, cc, label);
                put(buffer, e);
            }
            Step::Jmp(label) => {
                let mut e = Encoding::default();
                enc_jmp(&mut e, label);
                put(buffer, e);
            }
            Step::Bind(label) => buffer.bind_label(label),
        }
    }
}

fn imm(size: OperandSize, value: u64, dst: Writable<Reg>) -> Step {
    Step::Inst(Inst::Imm { size, value, dst })
}

fn trap_if(cc: CC, code: TrapCode) -> Step {
    Step::Inst(Inst::TrapIf { cc, code })
}

/// Loads the float constant with bits `bits` into `dst` through `gpr`.
fn float_constant(size: FloatSize, bits: u64, gpr: Writable<Reg>, dst: Writable<Reg>) -> [Step; 2] {
    let int_size = if size == FloatSize::F64 { OperandSize::Size64 } else { OperandSize::Size32 };
    [imm(int_size, bits, gpr), Step::Inst(Inst::GprToXmm { size: int_size, src: gpr.to_reg(), dst })]
}

fn float_bits(size: FloatSize, value: f64) -> u64 {
    match size {
        FloatSize::F32 => (value as f32).to_bits() as u64,
        FloatSize::F64 => value.to_bits(),
    }
}

/// Emits a float pseudo-instruction sequence; returns `false` if `inst` is
/// not one.
pub fn emit_sequence(inst: &Inst, buffer: &mut MachBuffer<Inst>, state: &mut EmitState) -> bool {
    let steps = match *inst {
        Inst::XmmCmove { cc, consequent, dst, .. } => {
            let skip = buffer.get_label();
            vec![Step::Jcc(cc.invert(), skip), Step::Inst(Inst::XmmMov { src: consequent, dst }), Step::Bind(skip)]
        }
        Inst::XmmMinMax { size, is_min, rhs, dst, .. } => min_max(buffer, size, is_min, rhs, dst),
        Inst::CvtFloatToSint { size, int_size, saturating, src, dst, tmp_xmm } => {
            to_sint(buffer, size, int_size, saturating, src, dst, tmp_xmm)
        }
        Inst::CvtFloatToUint { size, int_size, saturating, src, dst, tmp_gpr, tmp_xmm, tmp_xmm2 } => {
            to_uint(buffer, size, int_size, saturating, src, dst, tmp_gpr, tmp_xmm, tmp_xmm2)
        }
        Inst::CvtUint64ToFloat { size, src, dst, tmp1, tmp2 } => {
            let (big, done) = (buffer.get_label(), buffer.get_label());
            let q = OperandSize::Size64;
            vec![
                Step::Inst(Inst::Cmp { size: q, op: CmpOp::Test, src1: src, src2: RegMemImm::Reg(src) }),
                Step::Jcc(CC::S, big),
                Step::Inst(Inst::CvtIntToFloat { int_size: q, size, src, dst }),
                Step::Jmp(done),
                Step::Bind(big),
                // Halve, keeping the low bit so rounding stays correct, then double.
                Step::Inst(Inst::mov64(tmp1, src)),
                Step::Inst(Inst::Shift {
                    size: q,
                    kind: ShiftKind::Shr,
                    src: tmp1.to_reg(),
                    amount: Some(1),
                    count: tmp1.to_reg(),
                    dst: tmp1,
                }),
                Step::Inst(Inst::mov64(tmp2, src)),
                Step::Inst(Inst::AluRmiR {
                    size: q,
                    op: AluOp::And,
                    src1: tmp2.to_reg(),
                    src2: RegMemImm::Imm(1),
                    dst: tmp2,
                }),
                Step::Inst(Inst::AluRmiR {
                    size: q,
                    op: AluOp::Or,
                    src1: tmp1.to_reg(),
                    src2: RegMemImm::Reg(tmp2.to_reg()),
                    dst: tmp1,
                }),
                Step::Inst(Inst::CvtIntToFloat { int_size: q, size, src: tmp1.to_reg(), dst }),
                Step::Inst(Inst::XmmRmR {
                    size,
                    op: SseOp::Add,
                    src1: dst.to_reg(),
                    src2: RegMem::Reg(dst.to_reg()),
                    dst,
                }),
                Step::Bind(done),
            ]
        }
        _ => return false,
    };
    run(steps, buffer, state);
    true
}

/// Wasm `min`/`max` with `dst` already holding the left operand.
fn min_max(buffer: &mut MachBuffer<Inst>, size: FloatSize, is_min: bool, rhs: Reg, dst: Writable<Reg>) -> Vec<Step> {
    let (ordered_ne, nan, done) = (buffer.get_label(), buffer.get_label(), buffer.get_label());
    let d = dst.to_reg();
    let op = |op| Step::Inst(Inst::XmmRmR { size, op, src1: d, src2: RegMem::Reg(rhs), dst });
    vec![
        Step::Inst(Inst::Ucomis { size, a: rhs, b: d }),
        Step::Jcc(CC::NZ, ordered_ne),
        Step::Jcc(CC::P, nan),
        // Equal: only ±0 can differ; or-ing the sign bits gives min, and-ing gives max.
        op(if is_min { SseOp::Or } else { SseOp::And }),
        Step::Jmp(done),
        Step::Bind(nan),
        // Either is NaN: an addition propagates it (quieted).
        op(SseOp::Add),
        Step::Jmp(done),
        Step::Bind(ordered_ne),
        op(if is_min { SseOp::Min } else { SseOp::Max }),
        Step::Bind(done),
    ]
}

/// Float to signed integer. `cvtt` gives `INT_MIN` for NaN and out-of-range
/// inputs; only then are the slow checks run.
fn to_sint(
    buffer: &mut MachBuffer<Inst>,
    size: FloatSize,
    int_size: OperandSize,
    saturating: bool,
    src: Reg,
    dst: Writable<Reg>,
    tmp_xmm: Writable<Reg>,
) -> Vec<Step> {
    let done = buffer.get_label();
    let bits = int_size.bits();
    let int_min = 1u64 << (bits - 1);
    let mut steps = vec![
        Step::Inst(Inst::CvtFloatToIntTrunc { size, int_size, src, dst }),
        // `cmp dst, 1` overflows exactly when dst == INT_MIN.
        Step::Inst(Inst::Cmp { size: int_size, op: CmpOp::Cmp, src1: dst.to_reg(), src2: RegMemImm::Imm(1) }),
        Step::Jcc(CC::NO, done),
        Step::Inst(Inst::Ucomis { size, a: src, b: src }),
    ];
    if saturating {
        let not_nan = buffer.get_label();
        steps.extend([Step::Jcc(CC::NP, not_nan), imm(int_size, 0, dst), Step::Jmp(done), Step::Bind(not_nan)]);
        // Negative inputs saturate to INT_MIN (already there), others to INT_MAX.
        steps.extend([
            Step::Inst(Inst::XmmRmR {
                size,
                op: SseOp::Xor,
                src1: tmp_xmm.to_reg(),
                src2: RegMem::Reg(tmp_xmm.to_reg()),
                dst: tmp_xmm,
            }),
            Step::Inst(Inst::Ucomis { size, a: src, b: tmp_xmm.to_reg() }),
            Step::Jcc(CC::B, done),
            imm(int_size, int_min - 1, dst),
        ]);
    } else {
        steps.push(trap_if(CC::P, TrapCode::BadConversionToInteger));
        // The input is valid only if it truncates to exactly INT_MIN.
        let (bound, cc) = if size == FloatSize::F64 && bits == 32 {
            (float_bits(size, -(2f64.powi(31)) - 1.0), CC::BE)
        } else {
            (float_bits(size, -(2f64.powi(bits as i32 - 1))), CC::B)
        };
        steps.extend(float_constant(size, bound, dst, tmp_xmm));
        steps.extend([
            Step::Inst(Inst::Ucomis { size, a: src, b: tmp_xmm.to_reg() }),
            trap_if(cc, TrapCode::IntegerOverflow),
        ]);
        steps.extend([
            Step::Inst(Inst::XmmRmR {
                size,
                op: SseOp::Xor,
                src1: tmp_xmm.to_reg(),
                src2: RegMem::Reg(tmp_xmm.to_reg()),
                dst: tmp_xmm,
            }),
            Step::Inst(Inst::Ucomis { size, a: src, b: tmp_xmm.to_reg() }),
            trap_if(CC::NB, TrapCode::IntegerOverflow),
            imm(int_size, int_min, dst),
        ]);
    }
    steps.push(Step::Bind(done));
    steps
}

/// Float to unsigned integer.
#[expect(clippy::too_many_arguments, reason = "one argument per operand of the pseudo-instruction")]
fn to_uint(
    buffer: &mut MachBuffer<Inst>,
    size: FloatSize,
    int_size: OperandSize,
    saturating: bool,
    src: Reg,
    dst: Writable<Reg>,
    tmp_gpr: Writable<Reg>,
    tmp_xmm: Writable<Reg>,
    tmp_xmm2: Writable<Reg>,
) -> Vec<Step> {
    let done = buffer.get_label();
    let q = OperandSize::Size64;
    let zero_xmm = |t: Writable<Reg>| {
        Step::Inst(Inst::XmmRmR { size, op: SseOp::Xor, src1: t.to_reg(), src2: RegMem::Reg(t.to_reg()), dst: t })
    };
    let mut steps = Vec::new();
    if saturating {
        steps.push(imm(q, 0, dst));
    }
    steps.push(Step::Inst(Inst::Ucomis { size, a: src, b: src }));
    if saturating {
        steps.push(Step::Jcc(CC::P, done));
    } else {
        steps.push(trap_if(CC::P, TrapCode::BadConversionToInteger));
    }
    if int_size == OperandSize::Size32 {
        // Convert at 64 bits: inputs in (-1, 2^32) convert exactly.
        steps.push(Step::Inst(Inst::CvtFloatToIntTrunc { size, int_size: q, src, dst }));
        if saturating {
            let negative = buffer.get_label();
            steps.extend([
                Step::Inst(Inst::Cmp {
                    size: q,
                    op: CmpOp::Test,
                    src1: dst.to_reg(),
                    src2: RegMemImm::Reg(dst.to_reg()),
                }),
                Step::Jcc(CC::S, negative),
                imm(OperandSize::Size32, u32::MAX as u64, tmp_gpr),
                Step::Inst(Inst::Cmp {
                    size: q,
                    op: CmpOp::Cmp,
                    src1: dst.to_reg(),
                    src2: RegMemImm::Reg(tmp_gpr.to_reg()),
                }),
                Step::Inst(Inst::Cmove {
                    size: q,
                    cc: CC::NBE,
                    consequent: tmp_gpr.to_reg(),
                    alternative: dst.to_reg(),
                    dst,
                }),
                Step::Jmp(done),
                // Negative result: a negative input (0) or one ≥ 2^63 (max).
                Step::Bind(negative),
                zero_xmm(tmp_xmm),
                Step::Inst(Inst::Ucomis { size, a: src, b: tmp_xmm.to_reg() }),
                imm(OperandSize::Size32, 0, dst),
                Step::Jcc(CC::B, done),
                imm(OperandSize::Size32, u32::MAX as u64, dst),
            ]);
        } else {
            steps.extend([
                Step::Inst(Inst::mov64(tmp_gpr, dst.to_reg())),
                Step::Inst(Inst::Shift {
                    size: q,
                    kind: ShiftKind::Shr,
                    src: tmp_gpr.to_reg(),
                    amount: Some(32),
                    count: tmp_gpr.to_reg(),
                    dst: tmp_gpr,
                }),
                trap_if(CC::NZ, TrapCode::IntegerOverflow),
            ]);
        }
    } else {
        let big = buffer.get_label();
        steps.extend(float_constant(size, float_bits(size, 2f64.powi(63)), tmp_gpr, tmp_xmm));
        steps.extend([
            Step::Inst(Inst::Ucomis { size, a: src, b: tmp_xmm.to_reg() }),
            Step::Jcc(CC::NB, big),
            Step::Inst(Inst::CvtFloatToIntTrunc { size, int_size: q, src, dst }),
            Step::Inst(Inst::Cmp { size: q, op: CmpOp::Test, src1: dst.to_reg(), src2: RegMemImm::Reg(dst.to_reg()) }),
        ]);
        if saturating {
            steps.extend([Step::Jcc(CC::NS, done), imm(q, 0, dst), Step::Jmp(done)]);
        } else {
            steps.extend([trap_if(CC::S, TrapCode::IntegerOverflow), Step::Jmp(done)]);
        }
        steps.extend([
            Step::Bind(big),
            Step::Inst(Inst::XmmMov { src, dst: tmp_xmm2 }),
            Step::Inst(Inst::XmmRmR {
                size,
                op: SseOp::Sub,
                src1: tmp_xmm2.to_reg(),
                src2: RegMem::Reg(tmp_xmm.to_reg()),
                dst: tmp_xmm2,
            }),
            Step::Inst(Inst::CvtFloatToIntTrunc { size, int_size: q, src: tmp_xmm2.to_reg(), dst }),
            Step::Inst(Inst::Cmp { size: q, op: CmpOp::Test, src1: dst.to_reg(), src2: RegMemImm::Reg(dst.to_reg()) }),
        ]);
        if saturating {
            let in_range = buffer.get_label();
            steps.extend([Step::Jcc(CC::NS, in_range), imm(q, u64::MAX, dst), Step::Jmp(done), Step::Bind(in_range)]);
        } else {
            steps.push(trap_if(CC::S, TrapCode::IntegerOverflow));
        }
        steps.extend([
            imm(q, 1 << 63, tmp_gpr),
            Step::Inst(Inst::AluRmiR {
                size: q,
                op: AluOp::Xor,
                src1: dst.to_reg(),
                src2: RegMemImm::Reg(tmp_gpr.to_reg()),
                dst,
            }),
        ]);
    }
    steps.push(Step::Bind(done));
    steps
}
