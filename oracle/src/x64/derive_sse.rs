//! What the float pseudo-instruction sequences mean, instruction by
//! instruction.
//!
//! Part of the x86-64 oracle, beside `derive.rs`: each sequence is written out
//! here from its documented meaning (the comments on the `Inst` variants
//! and in `emit_sse.rs`), as a list of instructions and jumps to labels
//! local to the sequence. The instructions inside a sequence are derived
//! by [`derive`](super::derive::derive) like instructions of their own, so a
//! `TrapIf` inside contributes its `j!cc` and its `ud2` with the trap code,
//! and the side-table check finds the trap at that `ud2`'s offset.

use super::derive::{MachineInst, Operand, Target, branch_mnemonic, derive, inst_of};
use compiler::isa::x64::inst::Inst;
use compiler::isa::x64::inst::args::*;
use compiler::isa::x64::inst::emit::FrameLayout;
use compiler::machinst::{Reg, Writable};
use compiler::runtime::TrapCode;
use iced_x86::Mnemonic;

/// A label local to a sequence.
#[derive(Clone, Copy)]
struct Local(usize);

/// A sequence under construction. Jumps to a local label become branches to
/// the instruction the label is bound before (or to the end of the code).
struct Sequence<'f> {
    frame: &'f FrameLayout,
    insts: Vec<MachineInst>,
    /// The instruction index each label is bound at.
    bound: Vec<Option<usize>>,
    /// Each jump: its instruction index and target label.
    jumps: Vec<(usize, Local)>,
}

impl<'f> Sequence<'f> {
    fn new(frame: &'f FrameLayout) -> Self {
        Sequence { frame, insts: Vec::new(), bound: Vec::new(), jumps: Vec::new() }
    }

    fn label(&mut self) -> Local {
        self.bound.push(None);
        Local(self.bound.len() - 1)
    }

    fn bind(&mut self, label: Local) {
        assert!(self.bound[label.0].is_none(), "a local label is bound once");
        self.bound[label.0] = Some(self.insts.len());
    }

    /// Appends what `inst` means on its own; its instruction-relative
    /// targets (a `TrapIf` skipping its `ud2`) are moved to this position.
    fn inst(&mut self, inst: Inst) {
        let base = self.insts.len();
        for mut machine_inst in derive(&inst, self.frame, &|_| false).insts {
            for operand in &mut machine_inst.operands {
                if let Operand::Branch(Target::Inst(k)) | Operand::RipMem { target: Target::Inst(k), .. } = operand {
                    *k += base;
                }
            }
            self.insts.push(machine_inst);
        }
    }

    fn jump(&mut self, mnemonic: Mnemonic, label: Local) {
        self.jumps.push((self.insts.len(), label));
        // The target is filled in by `finish`.
        self.insts.push(inst_of(mnemonic, vec![Operand::Branch(Target::Inst(usize::MAX))]));
    }

    fn jcc(&mut self, cc: CC, label: Local) {
        self.jump(branch_mnemonic(cc), label);
    }

    fn jmp(&mut self, label: Local) {
        self.jump(Mnemonic::Jmp, label);
    }

    fn finish(mut self) -> Vec<MachineInst> {
        for (at, label) in self.jumps {
            let target = self.bound[label.0].expect("every local label is bound");
            self.insts[at].operands[0] = Operand::Branch(Target::Inst(target));
        }
        self.insts
    }
}

fn int_size_of(size: FloatSize) -> OperandSize {
    match size {
        FloatSize::F32 => OperandSize::Size32,
        FloatSize::F64 => OperandSize::Size64,
    }
}

/// The bits of `value` as a float of `size`.
fn float_bits(size: FloatSize, value: f64) -> u64 {
    match size {
        FloatSize::F32 => u64::from((value as f32).to_bits()),
        FloatSize::F64 => value.to_bits(),
    }
}

fn imm(size: OperandSize, value: u64, dst: Writable<Reg>) -> Inst {
    Inst::Imm { size, value, dst }
}

fn ucomis(size: FloatSize, a: Reg, b: Reg) -> Inst {
    Inst::Ucomis { size, a, b }
}

fn sse(size: FloatSize, op: SseOp, dst: Writable<Reg>, src: Reg) -> Inst {
    Inst::XmmRmR { size, op, src1: dst.to_reg(), src2: RegMem::Reg(src), dst }
}

/// `xorps`/`xorpd t, t`: `t = +0.0`.
fn zero(size: FloatSize, t: Writable<Reg>) -> Inst {
    sse(size, SseOp::Xor, t, t.to_reg())
}

fn test64(reg: Reg) -> Inst {
    Inst::Cmp { size: OperandSize::Size64, op: CmpOp::Test, src1: reg, src2: RegMemImm::Reg(reg) }
}

fn truncate(size: FloatSize, int_size: OperandSize, src: Reg, dst: Writable<Reg>) -> Inst {
    Inst::CvtFloatToIntTrunc { size, int_size, src, dst }
}

fn trap_if(cc: CC, code: TrapCode) -> Inst {
    Inst::TrapIf { cc, code }
}

/// `XmmCmove`: `j!cc skip; movaps dst, consequent; skip:`.
pub fn xmm_cmove(cc: CC, consequent: Reg, dst: Writable<Reg>, frame: &FrameLayout) -> Vec<MachineInst> {
    let mut s = Sequence::new(frame);
    let skip = s.label();
    s.jcc(cc.invert(), skip);
    s.inst(Inst::XmmMov { src: consequent, dst });
    s.bind(skip);
    s.finish()
}

/// Wasm `min`/`max` of `dst` (the left operand) and `rhs`: compare; if
/// ordered and different, `minss`/`maxss`; if unordered, add (a NaN
/// comes out); if equal, or the bits (min: `-0` wins) or and them (max:
/// `+0` wins).
pub fn min_max(size: FloatSize, is_min: bool, rhs: Reg, dst: Writable<Reg>, frame: &FrameLayout) -> Vec<MachineInst> {
    let mut s = Sequence::new(frame);
    let (different, unordered, done) = (s.label(), s.label(), s.label());
    s.inst(ucomis(size, rhs, dst.to_reg()));
    // ZF = 0: ordered and different.
    s.jcc(CC::NZ, different);
    s.jcc(CC::P, unordered);
    s.inst(sse(size, if is_min { SseOp::Or } else { SseOp::And }, dst, rhs));
    s.jmp(done);
    s.bind(unordered);
    s.inst(sse(size, SseOp::Add, dst, rhs));
    s.jmp(done);
    s.bind(different);
    s.inst(sse(size, if is_min { SseOp::Min } else { SseOp::Max }, dst, rhs));
    s.bind(done);
    s.finish()
}

/// Float to signed integer. `cvtt` gives `INT_MIN` for NaN and every
/// out-of-range input, so only that result is checked: NaN traps with
/// `BadConversionToInteger` (saturating: 0); an input below the range traps
/// with `IntegerOverflow` (saturating: keeps `INT_MIN`), one at or above
/// +0 traps too (saturating: `INT_MAX`); `INT_MIN` itself, and f64 inputs
/// in `(-2^31 - 1, -2^31]` converted to i32, are valid.
pub fn float_to_sint(
    size: FloatSize,
    int_size: OperandSize,
    saturating: bool,
    src: Reg,
    dst: Writable<Reg>,
    tmp_xmm: Writable<Reg>,
    frame: &FrameLayout,
) -> Vec<MachineInst> {
    let bits = int_size.bits();
    let int_min = 1u64 << (bits - 1);
    let mut s = Sequence::new(frame);
    let done = s.label();
    s.inst(truncate(size, int_size, src, dst));
    // `cmp dst, 1` overflows exactly when dst is INT_MIN.
    s.inst(Inst::Cmp { size: int_size, op: CmpOp::Cmp, src1: dst.to_reg(), src2: RegMemImm::Imm(1) });
    s.jcc(CC::NO, done);
    s.inst(ucomis(size, src, src));
    if saturating {
        let not_nan = s.label();
        s.jcc(CC::NP, not_nan);
        s.inst(imm(int_size, 0, dst));
        s.jmp(done);
        s.bind(not_nan);
        s.inst(zero(size, tmp_xmm));
        s.inst(ucomis(size, src, tmp_xmm.to_reg()));
        s.jcc(CC::B, done);
        s.inst(imm(int_size, int_min - 1, dst));
    } else {
        s.inst(trap_if(CC::P, TrapCode::BadConversionToInteger));
        // The smallest valid input is -2^(bits-1), exact in both float
        // types; f64 to i32 also accepts everything above -2^31 - 1.
        let (bound, too_small) = if size == FloatSize::F64 && bits == 32 {
            (-2f64.powi(31) - 1.0, CC::BE)
        } else {
            (-2f64.powi(bits as i32 - 1), CC::B)
        };
        let gpr_size = int_size_of(size);
        s.inst(imm(gpr_size, float_bits(size, bound), dst));
        s.inst(Inst::GprToXmm { size: gpr_size, src: dst.to_reg(), dst: tmp_xmm });
        s.inst(ucomis(size, src, tmp_xmm.to_reg()));
        s.inst(trap_if(too_small, TrapCode::IntegerOverflow));
        s.inst(zero(size, tmp_xmm));
        s.inst(ucomis(size, src, tmp_xmm.to_reg()));
        s.inst(trap_if(CC::NB, TrapCode::IntegerOverflow));
        s.inst(imm(int_size, int_min, dst));
    }
    s.bind(done);
    s.finish()
}

/// The temporaries of `CvtFloatToUint`.
pub struct UintTemps {
    pub gpr: Writable<Reg>,
    pub xmm: Writable<Reg>,
    pub xmm2: Writable<Reg>,
}

/// Float to unsigned integer. NaN traps with `BadConversionToInteger`
/// (saturating: 0). To 32 bits: convert at 64 bits, exact for inputs in
/// `(-1, 2^32)`, and any bit above 31 means out of range (saturating:
/// negative inputs give 0, inputs of 2^32 and more `u32::MAX`). To 64
/// bits: inputs below 2^63 convert directly, larger ones after subtracting
/// 2^63, which is added back by flipping bit 63; a negative `cvtt` result
/// means out of range either way.
pub fn float_to_uint(
    size: FloatSize,
    int_size: OperandSize,
    saturating: bool,
    src: Reg,
    dst: Writable<Reg>,
    tmp: UintTemps,
    frame: &FrameLayout,
) -> Vec<MachineInst> {
    let q = OperandSize::Size64;
    let mut s = Sequence::new(frame);
    let done = s.label();
    if saturating {
        s.inst(imm(q, 0, dst));
    }
    s.inst(ucomis(size, src, src));
    if saturating {
        s.jcc(CC::P, done);
    } else {
        s.inst(trap_if(CC::P, TrapCode::BadConversionToInteger));
    }
    if int_size == OperandSize::Size32 {
        s.inst(truncate(size, q, src, dst));
        if saturating {
            let negative = s.label();
            s.inst(test64(dst.to_reg()));
            s.jcc(CC::S, negative);
            s.inst(imm(OperandSize::Size32, u64::from(u32::MAX), tmp.gpr));
            s.inst(Inst::Cmp { size: q, op: CmpOp::Cmp, src1: dst.to_reg(), src2: RegMemImm::Reg(tmp.gpr.to_reg()) });
            s.inst(Inst::Cmove { size: q, cc: CC::NBE, consequent: tmp.gpr.to_reg(), alternative: dst.to_reg(), dst });
            s.jmp(done);
            // A negative result: a negative input (0) or one of 2^63 or more.
            s.bind(negative);
            s.inst(zero(size, tmp.xmm));
            s.inst(ucomis(size, src, tmp.xmm.to_reg()));
            s.inst(imm(OperandSize::Size32, 0, dst));
            s.jcc(CC::B, done);
            s.inst(imm(OperandSize::Size32, u64::from(u32::MAX), dst));
        } else {
            s.inst(Inst::mov64(tmp.gpr, dst.to_reg()));
            let g = tmp.gpr;
            s.inst(Inst::Shift {
                size: q,
                kind: ShiftKind::Shr,
                src: g.to_reg(),
                amount: Some(32),
                count: g.to_reg(),
                dst: g,
            });
            s.inst(trap_if(CC::NZ, TrapCode::IntegerOverflow));
        }
    } else {
        let big = s.label();
        let gpr_size = int_size_of(size);
        s.inst(imm(gpr_size, float_bits(size, 2f64.powi(63)), tmp.gpr));
        s.inst(Inst::GprToXmm { size: gpr_size, src: tmp.gpr.to_reg(), dst: tmp.xmm });
        s.inst(ucomis(size, src, tmp.xmm.to_reg()));
        s.jcc(CC::NB, big);
        s.inst(truncate(size, q, src, dst));
        s.inst(test64(dst.to_reg()));
        if saturating {
            s.jcc(CC::NS, done);
            s.inst(imm(q, 0, dst));
        } else {
            s.inst(trap_if(CC::S, TrapCode::IntegerOverflow));
        }
        s.jmp(done);
        s.bind(big);
        s.inst(Inst::XmmMov { src, dst: tmp.xmm2 });
        s.inst(sse(size, SseOp::Sub, tmp.xmm2, tmp.xmm.to_reg()));
        s.inst(truncate(size, q, tmp.xmm2.to_reg(), dst));
        s.inst(test64(dst.to_reg()));
        if saturating {
            let in_range = s.label();
            s.jcc(CC::NS, in_range);
            s.inst(imm(q, u64::MAX, dst));
            s.jmp(done);
            s.bind(in_range);
        } else {
            s.inst(trap_if(CC::S, TrapCode::IntegerOverflow));
        }
        s.inst(imm(q, 1 << 63, tmp.gpr));
        s.inst(Inst::AluRmiR {
            size: q,
            op: AluOp::Xor,
            src1: dst.to_reg(),
            src2: RegMemImm::Reg(tmp.gpr.to_reg()),
            dst,
        });
    }
    s.bind(done);
    s.finish()
}

/// Unsigned 64-bit integer to float: below 2^63 it is a signed conversion;
/// otherwise halve (or-ing the lost low bit back in, so rounding is
/// unchanged), convert, and double.
pub fn uint64_to_float(
    size: FloatSize,
    src: Reg,
    dst: Writable<Reg>,
    tmp1: Writable<Reg>,
    tmp2: Writable<Reg>,
    frame: &FrameLayout,
) -> Vec<MachineInst> {
    let q = OperandSize::Size64;
    let mut s = Sequence::new(frame);
    let (big, done) = (s.label(), s.label());
    s.inst(test64(src));
    s.jcc(CC::S, big);
    s.inst(Inst::CvtIntToFloat { int_size: q, size, src, dst });
    s.jmp(done);
    s.bind(big);
    s.inst(Inst::mov64(tmp1, src));
    let t1 = tmp1.to_reg();
    s.inst(Inst::Shift { size: q, kind: ShiftKind::Shr, src: t1, amount: Some(1), count: t1, dst: tmp1 });
    s.inst(Inst::mov64(tmp2, src));
    s.inst(Inst::AluRmiR { size: q, op: AluOp::And, src1: tmp2.to_reg(), src2: RegMemImm::Imm(1), dst: tmp2 });
    s.inst(Inst::AluRmiR { size: q, op: AluOp::Or, src1: t1, src2: RegMemImm::Reg(tmp2.to_reg()), dst: tmp1 });
    s.inst(Inst::CvtIntToFloat { int_size: q, size, src: t1, dst });
    s.inst(sse(size, SseOp::Add, dst, dst.to_reg()));
    s.bind(done);
    s.finish()
}
