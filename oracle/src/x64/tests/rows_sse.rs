//! The emit-test table for floating point: the SSE instructions and the
//! float pseudo-instruction sequences.
//!
//! Part of the x86-64 oracle's tests, the second half of `rows.rs`'s table, with the
//! same row shape. Single instructions walk every operation and size, both
//! source kinds, XMM registers 0–7 and 8–15 in each ModR/M field (REX.R,
//! REX.B, with and without REX.W) next to general-purpose ones, and the
//! addressing forms after a mandatory prefix. The hex of every single
//! instruction was cross-checked with GNU `as` (text assembled at address
//! 0). So was the sequences' hex, identical except where `as` prefers
//! another encoding: rel32 for the rel8 `j!cc` of a `TrapIf` and `D1 /5`
//! for `shr r, 1`; those rows were disassembled with `objdump` and compared
//! instruction by instruction. A sequence's trap sites are the `ud2`s of the
//! `TrapIf`s inside it, checked with their codes by the side-table check.

use super::Row;
use super::rows::{L0, base, indexed, large_frame, rip, row, small_frame};
use crate::common::LabelAt::{End, Past, Start};
use RegMem as Rm;
use compiler::isa::x64::inst::Inst;
use compiler::isa::x64::inst::args::CC::*;
use compiler::isa::x64::inst::args::FloatSize::{F32, F64};
use compiler::isa::x64::inst::args::OperandSize::{Size32 as S32, Size64 as S64};
use compiler::isa::x64::inst::args::SseOp::{Add, And, AndNot, Div, Max, Min, Mul, Or, Sub, Xor};
use compiler::isa::x64::inst::args::*;
use compiler::isa::x64::inst::regs::*;
use compiler::machinst::Reg;

fn sse(size: FloatSize, op: SseOp, dst: Reg, src2: RegMem) -> Inst {
    Inst::XmmRmR { size, op, src1: dst, src2, dst: writable(dst) }
}

fn sqrt(size: FloatSize, dst: Reg, src: Reg) -> Inst {
    Inst::XmmSqrt { size, src, dst: writable(dst) }
}

fn round(size: FloatSize, mode: u8, dst: Reg, src: Reg) -> Inst {
    Inst::XmmRound { size, mode, src, dst: writable(dst) }
}

fn convert(to: FloatSize, dst: Reg, src: Reg) -> Inst {
    Inst::XmmConvert { to, src, dst: writable(dst) }
}

fn movaps(dst: Reg, src: Reg) -> Inst {
    Inst::XmmMov { src, dst: writable(dst) }
}

fn load(size: FloatSize, dst: Reg, src: Amode) -> Inst {
    Inst::XmmLoad { size, src, dst: writable(dst) }
}

fn store(size: FloatSize, dst: Amode, src: Reg) -> Inst {
    Inst::XmmStore { size, src, dst }
}

fn gpr_to_xmm(size: OperandSize, dst: Reg, src: Reg) -> Inst {
    Inst::GprToXmm { size, src, dst: writable(dst) }
}

fn xmm_to_gpr(size: OperandSize, dst: Reg, src: Reg) -> Inst {
    Inst::XmmToGpr { size, src, dst: writable(dst) }
}

fn ucomis(size: FloatSize, a: Reg, b: Reg) -> Inst {
    Inst::Ucomis { size, a, b }
}

fn int_to_float(int_size: OperandSize, size: FloatSize, dst: Reg, src: Reg) -> Inst {
    Inst::CvtIntToFloat { int_size, size, src, dst: writable(dst) }
}

fn truncate(size: FloatSize, int_size: OperandSize, dst: Reg, src: Reg) -> Inst {
    Inst::CvtFloatToIntTrunc { size, int_size, src, dst: writable(dst) }
}

fn xmm_cmove(cc: CC, dst: Reg, consequent: Reg) -> Inst {
    Inst::XmmCmove { cc, consequent, alternative: dst, dst: writable(dst) }
}

fn min_max(size: FloatSize, is_min: bool, dst: Reg, rhs: Reg) -> Inst {
    Inst::XmmMinMax { size, is_min, lhs: dst, rhs, dst: writable(dst) }
}

fn to_sint(size: FloatSize, int_size: OperandSize, saturating: bool, dst: Reg, src: Reg, tmp_xmm: Reg) -> Inst {
    Inst::CvtFloatToSint { size, int_size, saturating, src, dst: writable(dst), tmp_xmm: writable(tmp_xmm) }
}

/// `temps`: the GPR and the two XMM temporaries.
fn to_uint(size: FloatSize, int_size: OperandSize, saturating: bool, dst: Reg, src: Reg, temps: [Reg; 3]) -> Inst {
    let [tmp_gpr, tmp_xmm, tmp_xmm2] = temps.map(writable);
    Inst::CvtFloatToUint { size, int_size, saturating, src, dst: writable(dst), tmp_gpr, tmp_xmm, tmp_xmm2 }
}

fn uint64_to_float(size: FloatSize, dst: Reg, src: Reg, tmp1: Reg, tmp2: Reg) -> Inst {
    Inst::CvtUint64ToFloat { size, src, dst: writable(dst), tmp1: writable(tmp1), tmp2: writable(tmp2) }
}

fn frame(offset: FrameOffset) -> Amode {
    Amode::Frame(offset)
}

/// Every floating-point row.
pub fn rows() -> Vec<Row> {
    let x = xmm;
    vec![
        // XmmRmR, f32: scalar `F3 [REX] 0F op`, bitwise `[REX] 0F op`. The
        // bitwise forms read a 16-byte-aligned m128 from memory (lowering
        // only gives them registers).
        row(sse(F32, Add, x(0), Rm::Reg(x(1))), "f3 0f 58 c1", "addss xmm0, xmm1"),
        row(sse(F32, Add, x(2), Rm::Mem(base(rax(), 0))), "f3 0f 58 10", "addss xmm2, dword ptr [rax]"),
        row(sse(F32, Sub, x(8), Rm::Reg(x(2))), "f3 44 0f 5c c2", "subss xmm8, xmm2"),
        row(sse(F32, Sub, x(3), Rm::Mem(base(rsp(), 0x10))), "f3 0f 5c 5c 24 10", "subss xmm3, dword ptr [rsp+0x10]"),
        row(sse(F32, Mul, x(3), Rm::Reg(x(9))), "f3 41 0f 59 d9", "mulss xmm3, xmm9"),
        row(sse(F32, Mul, x(4), Rm::Mem(base(rbp(), 0))), "f3 0f 59 65 00", "mulss xmm4, dword ptr [rbp]"),
        row(sse(F32, Div, x(10), Rm::Reg(x(11))), "f3 45 0f 5e d3", "divss xmm10, xmm11"),
        row(
            sse(F32, Div, x(9), Rm::Mem(base(r12(), 128))),
            "f3 45 0f 5e 8c 24 80 00 00 00",
            "divss xmm9, dword ptr [r12+0x80]",
        ),
        row(sse(F32, Min, x(4), Rm::Reg(x(5))), "f3 0f 5d e5", "minss xmm4, xmm5"),
        row(
            sse(F32, Min, x(5), Rm::Mem(base(r13(), -129))),
            "f3 41 0f 5d ad 7f ff ff ff",
            "minss xmm5, dword ptr [r13-0x81]",
        ),
        row(sse(F32, Max, x(15), Rm::Reg(x(0))), "f3 44 0f 5f f8", "maxss xmm15, xmm0"),
        row(
            sse(F32, Max, x(6), Rm::Mem(indexed(rcx(), rdx(), 1, 0))),
            "f3 0f 5f 34 51",
            "maxss xmm6, dword ptr [rcx+rdx*2]",
        ),
        row(sse(F32, And, x(6), Rm::Reg(x(7))), "0f 54 f7", "andps xmm6, xmm7"),
        row(
            sse(F32, And, x(7), Rm::Mem(indexed(rsp(), rax(), 2, 127))),
            "0f 54 7c 84 7f",
            "andps xmm7, xmmword ptr [rsp+rax*4+0x7f]",
        ),
        row(sse(F32, AndNot, x(12), Rm::Reg(x(13))), "45 0f 55 e5", "andnps xmm12, xmm13"),
        row(
            sse(F32, AndNot, x(11), Rm::Mem(indexed(rbp(), r9(), 3, -128))),
            "46 0f 55 5c cd 80",
            "andnps xmm11, xmmword ptr [rbp+r9*8-0x80]",
        ),
        row(sse(F32, Or, x(2), Rm::Reg(x(14))), "41 0f 56 d6", "orps xmm2, xmm14"),
        row(
            sse(F32, Or, x(1), Rm::Mem(indexed(r8(), r12(), 0, 0))),
            "43 0f 56 0c 20",
            "orps xmm1, xmmword ptr [r8+r12]",
        ),
        row(sse(F32, Xor, x(0), Rm::Reg(x(0))), "0f 57 c0", "xorps xmm0, xmm0"),
        row(sse(F32, Xor, x(13), Rm::Mem(rip(L0))), "44 0f 57 2d 10 00 00 00", "xorps xmm13, xmmword ptr [rip+0x10]")
            .with_labels(&[Past(16)]),
        // XmmRmR, f64: scalar `F2 [REX] 0F op`, bitwise `66 [REX] 0F op`.
        row(sse(F64, Add, x(1), Rm::Reg(x(2))), "f2 0f 58 ca", "addsd xmm1, xmm2"),
        row(
            sse(F64, Add, x(0), Rm::Mem(frame(FrameOffset::Spill(1)))),
            "f2 0f 58 44 24 38",
            "addsd xmm0, qword ptr [rsp+0x38]",
        )
        .with_frame(small_frame()),
        row(sse(F64, Sub, x(9), Rm::Reg(x(3))), "f2 44 0f 5c cb", "subsd xmm9, xmm3"),
        row(
            sse(F64, Sub, x(10), Rm::Mem(frame(FrameOffset::StackSlot(8)))),
            "f2 44 0f 5c 54 24 18",
            "subsd xmm10, qword ptr [rsp+0x18]",
        )
        .with_frame(small_frame()),
        row(sse(F64, Mul, x(4), Rm::Reg(x(12))), "f2 41 0f 59 e4", "mulsd xmm4, xmm12"),
        row(
            sse(F64, Mul, x(2), Rm::Mem(frame(FrameOffset::IncomingArg(0)))),
            "f2 0f 59 55 10",
            "mulsd xmm2, qword ptr [rbp+0x10]",
        )
        .with_frame(small_frame()),
        row(sse(F64, Div, x(13), Rm::Reg(x(14))), "f2 45 0f 5e ee", "divsd xmm13, xmm14"),
        row(
            sse(F64, Div, x(3), Rm::Mem(frame(FrameOffset::Outgoing(0)))),
            "f2 0f 5e 1c 24",
            "divsd xmm3, qword ptr [rsp]",
        )
        .with_frame(small_frame()),
        row(sse(F64, Min, x(7), Rm::Reg(x(6))), "f2 0f 5d fe", "minsd xmm7, xmm6"),
        row(
            sse(F64, Min, x(4), Rm::Mem(base(rdi(), 0x1234_5678))),
            "f2 0f 5d a7 78 56 34 12",
            "minsd xmm4, qword ptr [rdi+0x12345678]",
        ),
        row(sse(F64, Max, x(8), Rm::Reg(x(15))), "f2 45 0f 5f c7", "maxsd xmm8, xmm15"),
        row(sse(F64, Max, x(12), Rm::Mem(base(r15(), 0))), "f2 45 0f 5f 27", "maxsd xmm12, qword ptr [r15]"),
        row(sse(F64, And, x(0), Rm::Reg(x(11))), "66 41 0f 54 c3", "andpd xmm0, xmm11"),
        row(
            sse(F64, And, x(5), Rm::Mem(indexed(r11(), rcx(), 3, 0x100))),
            "66 41 0f 54 ac cb 00 01 00 00",
            "andpd xmm5, xmmword ptr [r11+rcx*8+0x100]",
        ),
        row(sse(F64, AndNot, x(10), Rm::Reg(x(1))), "66 44 0f 55 d1", "andnpd xmm10, xmm1"),
        row(sse(F64, AndNot, x(6), Rm::Mem(base(rsi(), -8))), "66 0f 55 76 f8", "andnpd xmm6, xmmword ptr [rsi-0x8]"),
        row(sse(F64, Or, x(3), Rm::Reg(x(3))), "66 0f 56 db", "orpd xmm3, xmm3"),
        row(
            sse(F64, Or, x(14), Rm::Mem(indexed(r12(), rbx(), 1, 0x10))),
            "66 45 0f 56 74 5c 10",
            "orpd xmm14, xmmword ptr [r12+rbx*2+0x10]",
        ),
        row(sse(F64, Xor, x(15), Rm::Reg(x(15))), "66 45 0f 57 ff", "xorpd xmm15, xmm15"),
        row(sse(F64, Xor, x(1), Rm::Mem(rip(L0))), "66 0f 57 0d f8 ff ff ff", "xorpd xmm1, xmmword ptr [rip-0x8]")
            .with_labels(&[Start]),
        // XmmSqrt.
        row(sqrt(F32, x(0), x(1)), "f3 0f 51 c1", "sqrtss xmm0, xmm1"),
        row(sqrt(F64, x(9), x(3)), "f2 44 0f 51 cb", "sqrtsd xmm9, xmm3"),
        // XmmRound (SSE4.1, `66 [REX] 0F 3A 0A/0B ib`): every mode, inexact suppressed.
        row(round(F32, 0, x(0), x(1)), "66 0f 3a 0a c1 08", "roundss xmm0, xmm1, 0x8"),
        row(round(F32, 1, x(2), x(10)), "66 41 0f 3a 0a d2 09", "roundss xmm2, xmm10, 0x9"),
        row(round(F32, 2, x(11), x(3)), "66 44 0f 3a 0a db 0a", "roundss xmm11, xmm3, 0xa"),
        row(round(F32, 3, x(12), x(13)), "66 45 0f 3a 0a e5 0b", "roundss xmm12, xmm13, 0xb"),
        row(round(F64, 0, x(15), x(15)), "66 45 0f 3a 0b ff 08", "roundsd xmm15, xmm15, 0x8"),
        row(round(F64, 1, x(4), x(5)), "66 0f 3a 0b e5 09", "roundsd xmm4, xmm5, 0x9"),
        row(round(F64, 2, x(6), x(14)), "66 41 0f 3a 0b f6 0a", "roundsd xmm6, xmm14, 0xa"),
        row(round(F64, 3, x(9), x(7)), "66 44 0f 3a 0b cf 0b", "roundsd xmm9, xmm7, 0xb"),
        // XmmConvert: the prefix names the source size.
        row(convert(F64, x(0), x(1)), "f3 0f 5a c1", "cvtss2sd xmm0, xmm1"),
        row(convert(F32, x(8), x(15)), "f2 45 0f 5a c7", "cvtsd2ss xmm8, xmm15"),
        // XmmMov.
        row(movaps(x(0), x(1)), "0f 28 c1", "movaps xmm0, xmm1"),
        row(movaps(x(15), x(2)), "44 0f 28 fa", "movaps xmm15, xmm2"),
        row(movaps(x(3), x(12)), "41 0f 28 dc", "movaps xmm3, xmm12"),
        // XmmLoad / XmmStore: `F3`/`F2 [REX] 0F 10/11` and the addressing forms.
        row(load(F32, x(0), base(rax(), 0)), "f3 0f 10 00", "movss xmm0, dword ptr [rax]"),
        row(load(F32, x(8), base(r12(), 0)), "f3 45 0f 10 04 24", "movss xmm8, dword ptr [r12]"),
        row(
            load(F32, x(2), frame(FrameOffset::Spill(2))),
            "f3 0f 10 94 24 10 01 00 00",
            "movss xmm2, dword ptr [rsp+0x110]",
        )
        .with_frame(large_frame()),
        row(load(F64, x(15), base(r13(), 8)), "f2 45 0f 10 7d 08", "movsd xmm15, qword ptr [r13+0x8]"),
        row(load(F64, x(1), base(rsp(), 0x200)), "f2 0f 10 8c 24 00 02 00 00", "movsd xmm1, qword ptr [rsp+0x200]"),
        row(load(F64, x(3), rip(L0)), "f2 0f 10 1d 00 00 00 00", "movsd xmm3, qword ptr [rip]").with_labels(&[End]),
        row(store(F32, base(rsp(), 4), x(0)), "f3 0f 11 44 24 04", "movss dword ptr [rsp+0x4], xmm0"),
        row(store(F32, base(r13(), 0), x(7)), "f3 41 0f 11 7d 00", "movss dword ptr [r13], xmm7"),
        row(
            store(F32, frame(FrameOffset::IncomingArg(4)), x(12)),
            "f3 44 0f 11 65 14",
            "movss dword ptr [rbp+0x14], xmm12",
        )
        .with_frame(small_frame()),
        row(store(F64, base(rbp(), -8), x(9)), "f2 44 0f 11 4d f8", "movsd qword ptr [rbp-0x8], xmm9"),
        row(store(F64, indexed(rax(), r12(), 3, 0), x(14)), "f2 46 0f 11 34 e0", "movsd qword ptr [rax+r12*8], xmm14"),
        row(store(F64, frame(FrameOffset::Outgoing(8)), x(5)), "f2 0f 11 6c 24 08", "movsd qword ptr [rsp+0x8], xmm5")
            .with_frame(small_frame()),
        // GprToXmm / XmmToGpr: `66 [REX.W] 0F 6E/7E`, the XMM register in `reg`.
        row(gpr_to_xmm(S32, x(0), rax()), "66 0f 6e c0", "movd xmm0, eax"),
        row(gpr_to_xmm(S32, x(9), r10()), "66 45 0f 6e ca", "movd xmm9, r10d"),
        row(gpr_to_xmm(S64, x(1), rdi()), "66 48 0f 6e cf", "movq xmm1, rdi"),
        row(gpr_to_xmm(S64, x(8), rax()), "66 4c 0f 6e c0", "movq xmm8, rax"),
        row(gpr_to_xmm(S64, x(2), r15()), "66 49 0f 6e d7", "movq xmm2, r15"),
        row(gpr_to_xmm(S64, x(14), r9()), "66 4d 0f 6e f1", "movq xmm14, r9"),
        row(xmm_to_gpr(S32, rax(), x(0)), "66 0f 7e c0", "movd eax, xmm0"),
        row(xmm_to_gpr(S32, r8(), x(3)), "66 41 0f 7e d8", "movd r8d, xmm3"),
        row(xmm_to_gpr(S64, rdx(), x(1)), "66 48 0f 7e ca", "movq rdx, xmm1"),
        row(xmm_to_gpr(S64, rax(), x(15)), "66 4c 0f 7e f8", "movq rax, xmm15"),
        row(xmm_to_gpr(S64, r11(), x(0)), "66 49 0f 7e c3", "movq r11, xmm0"),
        // Ucomis: `[66] [REX] 0F 2E`.
        row(ucomis(F32, x(0), x(1)), "0f 2e c1", "ucomiss xmm0, xmm1"),
        row(ucomis(F32, x(8), x(9)), "45 0f 2e c1", "ucomiss xmm8, xmm9"),
        row(ucomis(F64, x(2), x(3)), "66 0f 2e d3", "ucomisd xmm2, xmm3"),
        row(ucomis(F64, x(10), x(4)), "66 44 0f 2e d4", "ucomisd xmm10, xmm4"),
        // CvtIntToFloat / CvtFloatToIntTrunc: REX.W selects the integer size.
        row(int_to_float(S32, F32, x(0), rax()), "f3 0f 2a c0", "cvtsi2ss xmm0, eax"),
        row(int_to_float(S64, F32, x(1), r9()), "f3 49 0f 2a c9", "cvtsi2ss xmm1, r9"),
        row(int_to_float(S32, F64, x(10), rcx()), "f2 44 0f 2a d1", "cvtsi2sd xmm10, ecx"),
        row(int_to_float(S64, F64, x(15), r15()), "f2 4d 0f 2a ff", "cvtsi2sd xmm15, r15"),
        row(truncate(F32, S32, rax(), x(0)), "f3 0f 2c c0", "cvttss2si eax, xmm0"),
        row(truncate(F32, S64, r12(), x(1)), "f3 4c 0f 2c e1", "cvttss2si r12, xmm1"),
        row(truncate(F64, S32, rcx(), x(14)), "f2 41 0f 2c ce", "cvttsd2si ecx, xmm14"),
        row(truncate(F64, S32, r10(), x(9)), "f2 45 0f 2c d1", "cvttsd2si r10d, xmm9"),
        row(truncate(F64, S64, rax(), x(2)), "f2 48 0f 2c c2", "cvttsd2si rax, xmm2"),
        // XmmCmove: `j!cc rel32` over a `movaps`, every condition.
        row(xmm_cmove(O, x(0), x(1)), "0f 81 03 00 00 00 0f 28 c1", "jno 0x9; movaps xmm0, xmm1"),
        row(xmm_cmove(NO, x(2), x(3)), "0f 80 03 00 00 00 0f 28 d3", "jo 0x9; movaps xmm2, xmm3"),
        row(xmm_cmove(B, x(8), x(1)), "0f 83 04 00 00 00 44 0f 28 c1", "jae 0xa; movaps xmm8, xmm1"),
        row(xmm_cmove(NB, x(1), x(9)), "0f 82 04 00 00 00 41 0f 28 c9", "jb 0xa; movaps xmm1, xmm9"),
        row(xmm_cmove(Z, x(10), x(11)), "0f 85 04 00 00 00 45 0f 28 d3", "jne 0xa; movaps xmm10, xmm11"),
        row(xmm_cmove(NZ, x(4), x(5)), "0f 84 03 00 00 00 0f 28 e5", "je 0x9; movaps xmm4, xmm5"),
        row(xmm_cmove(BE, x(6), x(7)), "0f 87 03 00 00 00 0f 28 f7", "ja 0x9; movaps xmm6, xmm7"),
        row(xmm_cmove(NBE, x(12), x(0)), "0f 86 04 00 00 00 44 0f 28 e0", "jbe 0xa; movaps xmm12, xmm0"),
        row(xmm_cmove(S, x(0), x(13)), "0f 89 04 00 00 00 41 0f 28 c5", "jns 0xa; movaps xmm0, xmm13"),
        row(xmm_cmove(NS, x(14), x(15)), "0f 88 04 00 00 00 45 0f 28 f7", "js 0xa; movaps xmm14, xmm15"),
        row(xmm_cmove(P, x(1), x(2)), "0f 8b 03 00 00 00 0f 28 ca", "jnp 0x9; movaps xmm1, xmm2"),
        row(xmm_cmove(NP, x(3), x(4)), "0f 8a 03 00 00 00 0f 28 dc", "jp 0x9; movaps xmm3, xmm4"),
        row(xmm_cmove(L, x(5), x(6)), "0f 8d 03 00 00 00 0f 28 ee", "jge 0x9; movaps xmm5, xmm6"),
        row(xmm_cmove(NL, x(7), x(8)), "0f 8c 04 00 00 00 41 0f 28 f8", "jl 0xa; movaps xmm7, xmm8"),
        row(xmm_cmove(LE, x(9), x(10)), "0f 8f 04 00 00 00 45 0f 28 ca", "jg 0xa; movaps xmm9, xmm10"),
        row(xmm_cmove(NLE, x(11), x(12)), "0f 8e 04 00 00 00 45 0f 28 dc", "jle 0xa; movaps xmm11, xmm12"),
        // XmmMinMax.
        row(
            min_max(F32, true, x(0), x(1)),
            "0f 2e c8 0f 85 17 00 00 00 0f 8a 08 00 00 00 0f 56 c1 e9 0d 00 00 00 f3 0f 58 c1 e9 04 00 00 00 \
             f3 0f 5d c1",
            "ucomiss xmm1, xmm0; jne 0x20; jp 0x17; orps xmm0, xmm1; jmp 0x24; addss xmm0, xmm1; jmp 0x24; \
             minss xmm0, xmm1",
        ),
        row(
            min_max(F32, false, x(8), x(2)),
            "41 0f 2e d0 0f 85 19 00 00 00 0f 8a 09 00 00 00 44 0f 54 c2 e9 0f 00 00 00 f3 44 0f 58 c2 e9 05 \
             00 00 00 f3 44 0f 5f c2",
            "ucomiss xmm2, xmm8; jne 0x23; jp 0x19; andps xmm8, xmm2; jmp 0x28; addss xmm8, xmm2; jmp 0x28; \
             maxss xmm8, xmm2",
        ),
        row(
            min_max(F64, true, x(3), x(12)),
            "66 44 0f 2e e3 0f 85 1a 00 00 00 0f 8a 0a 00 00 00 66 41 0f 56 dc e9 0f 00 00 00 f2 41 0f 58 dc \
             e9 05 00 00 00 f2 41 0f 5d dc",
            "ucomisd xmm12, xmm3; jne 0x25; jp 0x1b; orpd xmm3, xmm12; jmp 0x2a; addsd xmm3, xmm12; jmp 0x2a; \
             minsd xmm3, xmm12",
        ),
        row(
            min_max(F64, false, x(14), x(15)),
            "66 45 0f 2e fe 0f 85 1a 00 00 00 0f 8a 0a 00 00 00 66 45 0f 54 f7 e9 0f 00 00 00 f2 45 0f 58 f7 \
             e9 05 00 00 00 f2 45 0f 5f f7",
            "ucomisd xmm15, xmm14; jne 0x25; jp 0x1b; andpd xmm14, xmm15; jmp 0x2a; addsd xmm14, xmm15; \
             jmp 0x2a; maxsd xmm14, xmm15",
        ),
        // CvtFloatToSint: trapping (a trap site at each `ud2`: NaN is
        // BadConversionToInteger, below and above the range IntegerOverflow)
        // and saturating (no trap sites).
        row(
            to_sint(F32, S32, false, rax(), x(0), x(1)),
            "f3 0f 2c c0 83 f8 01 0f 81 26 00 00 00 0f 2e c0 7b 02 0f 0b b8 00 00 00 cf 66 0f 6e c8 0f 2e c1 \
             73 02 0f 0b 0f 57 c9 0f 2e c1 72 02 0f 0b b8 00 00 00 80",
            "cvttss2si eax, xmm0; cmp eax, 0x1; jno 0x33; ucomiss xmm0, xmm0; jnp 0x14; ud2; \
             mov eax, -0x31000000; movd xmm1, eax; ucomiss xmm0, xmm1; jae 0x24; ud2; xorps xmm1, xmm1; \
             ucomiss xmm0, xmm1; jb 0x2e; ud2; mov eax, -0x80000000",
        ),
        row(
            to_sint(F32, S64, false, r9(), x(2), x(15)),
            "f3 4c 0f 2c ca 49 83 f9 01 0f 81 30 00 00 00 0f 2e d2 7b 02 0f 0b 41 b9 00 00 00 df 66 45 0f 6e \
             f9 41 0f 2e d7 73 02 0f 0b 45 0f 57 ff 41 0f 2e d7 72 02 0f 0b 49 b9 00 00 00 00 00 00 00 80",
            "cvttss2si r9, xmm2; cmp r9, 0x1; jno 0x3f; ucomiss xmm2, xmm2; jnp 0x16; ud2; \
             mov r9d, -0x21000000; movd xmm15, r9d; ucomiss xmm2, xmm15; jae 0x29; ud2; xorps xmm15, xmm15; \
             ucomiss xmm2, xmm15; jb 0x35; ud2; mov r9, -0x8000000000000000",
        ),
        row(
            to_sint(F64, S32, false, rcx(), x(8), x(3)),
            "f2 41 0f 2c c8 83 f9 01 0f 81 33 00 00 00 66 45 0f 2e c0 7b 02 0f 0b 48 b9 00 00 20 00 00 00 e0 \
             c1 66 48 0f 6e d9 66 44 0f 2e c3 77 02 0f 0b 66 0f 57 db 66 44 0f 2e c3 72 02 0f 0b b9 00 00 00 \
             80",
            "cvttsd2si ecx, xmm8; cmp ecx, 0x1; jno 0x41; ucomisd xmm8, xmm8; jnp 0x17; ud2; \
             mov rcx, -0x3e1fffffffe00000; movq xmm3, rcx; ucomisd xmm8, xmm3; ja 0x2f; ud2; \
             xorpd xmm3, xmm3; ucomisd xmm8, xmm3; jb 0x3c; ud2; mov ecx, -0x80000000",
        ),
        row(
            to_sint(F64, S64, false, r15(), x(10), x(11)),
            "f2 4d 0f 2c fa 49 83 ff 01 0f 81 39 00 00 00 66 45 0f 2e d2 7b 02 0f 0b 49 bf 00 00 00 00 00 00 \
             e0 c3 66 4d 0f 6e df 66 45 0f 2e d3 73 02 0f 0b 66 45 0f 57 db 66 45 0f 2e d3 72 02 0f 0b 49 bf \
             00 00 00 00 00 00 00 80",
            "cvttsd2si r15, xmm10; cmp r15, 0x1; jno 0x48; ucomisd xmm10, xmm10; jnp 0x18; ud2; \
             mov r15, -0x3c20000000000000; movq xmm11, r15; ucomisd xmm10, xmm11; jae 0x30; ud2; \
             xorpd xmm11, xmm11; ucomisd xmm10, xmm11; jb 0x3e; ud2; mov r15, -0x8000000000000000",
        ),
        row(
            to_sint(F32, S32, true, rdx(), x(4), x(5)),
            "f3 0f 2c d4 83 fa 01 0f 81 24 00 00 00 0f 2e e4 0f 8b 0a 00 00 00 ba 00 00 00 00 e9 11 00 00 00 \
             0f 57 ed 0f 2e e5 0f 82 05 00 00 00 ba ff ff ff 7f",
            "cvttss2si edx, xmm4; cmp edx, 0x1; jno 0x31; ucomiss xmm4, xmm4; jnp 0x20; mov edx, 0x0; \
             jmp 0x31; xorps xmm5, xmm5; ucomiss xmm4, xmm5; jb 0x31; mov edx, 0x7fffffff",
        ),
        row(
            to_sint(F32, S64, true, r12(), x(9), x(0)),
            "f3 4d 0f 2c e1 49 83 fc 01 0f 81 2c 00 00 00 45 0f 2e c9 0f 8b 0b 00 00 00 41 bc 00 00 00 00 e9 \
             17 00 00 00 0f 57 c0 44 0f 2e c8 0f 82 0a 00 00 00 49 bc ff ff ff ff ff ff ff 7f",
            "cvttss2si r12, xmm9; cmp r12, 0x1; jno 0x3b; ucomiss xmm9, xmm9; jnp 0x24; mov r12d, 0x0; \
             jmp 0x3b; xorps xmm0, xmm0; ucomiss xmm9, xmm0; jb 0x3b; mov r12, 0x7fffffffffffffff",
        ),
        row(
            to_sint(F64, S32, true, rsi(), x(6), x(12)),
            "f2 0f 2c f6 83 fe 01 0f 81 29 00 00 00 66 0f 2e f6 0f 8b 0a 00 00 00 be 00 00 00 00 e9 15 00 00 \
             00 66 45 0f 57 e4 66 41 0f 2e f4 0f 82 05 00 00 00 be ff ff ff 7f",
            "cvttsd2si esi, xmm6; cmp esi, 0x1; jno 0x36; ucomisd xmm6, xmm6; jnp 0x21; mov esi, 0x0; \
             jmp 0x36; xorpd xmm12, xmm12; ucomisd xmm6, xmm12; jb 0x36; mov esi, 0x7fffffff",
        ),
        row(
            to_sint(F64, S64, true, r8(), x(13), x(14)),
            "f2 4d 0f 2c c5 49 83 f8 01 0f 81 30 00 00 00 66 45 0f 2e ed 0f 8b 0b 00 00 00 41 b8 00 00 00 00 \
             e9 1a 00 00 00 66 45 0f 57 f6 66 45 0f 2e ee 0f 82 0a 00 00 00 49 b8 ff ff ff ff ff ff ff 7f",
            "cvttsd2si r8, xmm13; cmp r8, 0x1; jno 0x3f; ucomisd xmm13, xmm13; jnp 0x25; mov r8d, 0x0; \
             jmp 0x3f; xorpd xmm14, xmm14; ucomisd xmm13, xmm14; jb 0x3f; mov r8, 0x7fffffffffffffff",
        ),
        // CvtFloatToUint: to 32 bits through a 64-bit `cvtt`, to 64 bits
        // in two halves around 2^63; trap sites as for CvtFloatToSint.
        row(
            to_uint(F32, S32, false, rax(), x(0), [rcx(), x(1), x(2)]),
            "0f 2e c0 7b 02 0f 0b f3 48 0f 2c c0 48 89 c1 48 c1 e9 20 74 02 0f 0b",
            "ucomiss xmm0, xmm0; jnp 0x7; ud2; cvttss2si rax, xmm0; mov rcx, rax; shr rcx, 0x20; je 0x17; ud2",
        ),
        row(
            to_uint(F32, S64, false, r10(), x(3), [r11(), x(4), x(5)]),
            "0f 2e db 7b 02 0f 0b 41 bb 00 00 00 5f 66 41 0f 6e e3 0f 2e dc 0f 83 11 00 00 00 f3 4c 0f 2c d3 \
             4d 85 d2 79 02 0f 0b e9 20 00 00 00 0f 28 eb f3 0f 5c ec f3 4c 0f 2c d5 4d 85 d2 79 02 0f 0b 49 \
             bb 00 00 00 00 00 00 00 80 4d 31 da",
            "ucomiss xmm3, xmm3; jnp 0x7; ud2; mov r11d, 0x5f000000; movd xmm4, r11d; ucomiss xmm3, xmm4; \
             jae 0x2c; cvttss2si r10, xmm3; test r10, r10; jns 0x27; ud2; jmp 0x4c; movaps xmm5, xmm3; \
             subss xmm5, xmm4; cvttss2si r10, xmm5; test r10, r10; jns 0x3f; ud2; \
             mov r11, -0x8000000000000000; xor r10, r11",
        ),
        row(
            to_uint(F64, S32, false, rdx(), x(9), [r8(), x(10), x(11)]),
            "66 45 0f 2e c9 7b 02 0f 0b f2 49 0f 2c d1 49 89 d0 49 c1 e8 20 74 02 0f 0b",
            "ucomisd xmm9, xmm9; jnp 0x9; ud2; cvttsd2si rdx, xmm9; mov r8, rdx; shr r8, 0x20; je 0x19; ud2",
        ),
        row(
            to_uint(F64, S64, false, rax(), x(6), [rdx(), x(7), x(8)]),
            "66 0f 2e f6 7b 02 0f 0b 48 ba 00 00 00 00 00 00 e0 43 66 48 0f 6e fa 66 0f 2e f7 0f 83 11 00 00 \
             00 f2 48 0f 2c c6 48 85 c0 79 02 0f 0b e9 22 00 00 00 44 0f 28 c6 f2 44 0f 5c c7 f2 49 0f 2c c0 \
             48 85 c0 79 02 0f 0b 48 ba 00 00 00 00 00 00 00 80 48 31 d0",
            "ucomisd xmm6, xmm6; jnp 0x8; ud2; mov rdx, 0x43e0000000000000; movq xmm7, rdx; \
             ucomisd xmm6, xmm7; jae 0x32; cvttsd2si rax, xmm6; test rax, rax; jns 0x2d; ud2; jmp 0x54; \
             movaps xmm8, xmm6; subsd xmm8, xmm7; cvttsd2si rax, xmm8; test rax, rax; jns 0x47; ud2; \
             mov rdx, -0x8000000000000000; xor rax, rdx",
        ),
        row(
            to_uint(F32, S32, true, r12(), x(12), [r13(), x(13), x(14)]),
            "41 bc 00 00 00 00 45 0f 2e e4 0f 8a 3a 00 00 00 f3 4d 0f 2c e4 4d 85 e4 0f 88 12 00 00 00 41 bd \
             ff ff ff ff 4d 39 ec 4d 0f 47 e5 e9 1a 00 00 00 45 0f 57 ed 45 0f 2e e5 41 bc 00 00 00 00 0f 82 \
             06 00 00 00 41 bc ff ff ff ff",
            "mov r12d, 0x0; ucomiss xmm12, xmm12; jp 0x4a; cvttss2si r12, xmm12; test r12, r12; js 0x30; \
             mov r13d, -0x1; cmp r12, r13; cmova r12, r13; jmp 0x4a; xorps xmm13, xmm13; \
             ucomiss xmm12, xmm13; mov r12d, 0x0; jb 0x4a; mov r12d, -0x1",
        ),
        row(
            to_uint(F32, S64, true, rbx(), x(15), [rsi(), x(0), x(1)]),
            "bb 00 00 00 00 45 0f 2e ff 0f 8a 5a 00 00 00 be 00 00 00 5f 66 0f 6e c6 44 0f 2e f8 0f 83 18 00 \
             00 00 f3 49 0f 2c df 48 85 db 0f 89 39 00 00 00 bb 00 00 00 00 e9 2f 00 00 00 41 0f 28 cf f3 0f \
             5c c8 f3 48 0f 2c d9 48 85 db 0f 89 0c 00 00 00 48 c7 c3 ff ff ff ff e9 0d 00 00 00 48 be 00 00 \
             00 00 00 00 00 80 48 31 f3",
            "mov ebx, 0x0; ucomiss xmm15, xmm15; jp 0x69; mov esi, 0x5f000000; movd xmm0, esi; \
             ucomiss xmm15, xmm0; jae 0x3a; cvttss2si rbx, xmm15; test rbx, rbx; jns 0x69; mov ebx, 0x0; \
             jmp 0x69; movaps xmm1, xmm15; subss xmm1, xmm0; cvttss2si rbx, xmm1; test rbx, rbx; jns 0x5c; \
             mov rbx, -0x1; jmp 0x69; mov rsi, -0x8000000000000000; xor rbx, rsi",
        ),
        row(
            to_uint(F64, S32, true, rdi(), x(2), [r9(), x(3), x(4)]),
            "bf 00 00 00 00 66 0f 2e d2 0f 8a 38 00 00 00 f2 48 0f 2c fa 48 85 ff 0f 88 12 00 00 00 41 b9 ff \
             ff ff ff 4c 39 cf 49 0f 47 f9 e9 18 00 00 00 66 0f 57 db 66 0f 2e d3 bf 00 00 00 00 0f 82 05 00 \
             00 00 bf ff ff ff ff",
            "mov edi, 0x0; ucomisd xmm2, xmm2; jp 0x47; cvttsd2si rdi, xmm2; test rdi, rdi; js 0x2f; \
             mov r9d, -0x1; cmp rdi, r9; cmova rdi, r9; jmp 0x47; xorpd xmm3, xmm3; ucomisd xmm2, xmm3; \
             mov edi, 0x0; jb 0x47; mov edi, -0x1",
        ),
        row(
            to_uint(F64, S64, true, r14(), x(5), [r15(), x(6), x(9)]),
            "41 be 00 00 00 00 66 0f 2e ed 0f 8a 62 00 00 00 49 bf 00 00 00 00 00 00 e0 43 66 49 0f 6e f7 66 \
             0f 2e ee 0f 83 19 00 00 00 f2 4c 0f 2c f5 4d 85 f6 0f 89 3b 00 00 00 41 be 00 00 00 00 e9 30 00 \
             00 00 44 0f 28 cd f2 44 0f 5c ce f2 4d 0f 2c f1 4d 85 f6 0f 89 0c 00 00 00 49 c7 c6 ff ff ff ff \
             e9 0d 00 00 00 49 bf 00 00 00 00 00 00 00 80 4d 31 fe",
            "mov r14d, 0x0; ucomisd xmm5, xmm5; jp 0x72; mov r15, 0x43e0000000000000; movq xmm6, r15; \
             ucomisd xmm5, xmm6; jae 0x42; cvttsd2si r14, xmm5; test r14, r14; jns 0x72; mov r14d, 0x0; \
             jmp 0x72; movaps xmm9, xmm5; subsd xmm9, xmm6; cvttsd2si r14, xmm9; test r14, r14; jns 0x65; \
             mov r14, -0x1; jmp 0x72; mov r15, -0x8000000000000000; xor r14, r15",
        ),
        // CvtUint64ToFloat.
        row(
            uint64_to_float(F32, x(0), rdi(), rax(), rcx()),
            "48 85 ff 0f 88 0a 00 00 00 f3 48 0f 2a c7 e9 1a 00 00 00 48 89 f8 48 c1 e8 01 48 89 f9 48 83 e1 \
             01 48 09 c8 f3 48 0f 2a c0 f3 0f 58 c0",
            "test rdi, rdi; js 0x13; cvtsi2ss xmm0, rdi; jmp 0x2d; mov rax, rdi; shr rax, 0x1; mov rcx, rdi; \
             and rcx, 0x1; or rax, rcx; cvtsi2ss xmm0, rax; addss xmm0, xmm0",
        ),
        row(
            uint64_to_float(F64, x(11), r8(), r9(), r10()),
            "4d 85 c0 0f 88 0a 00 00 00 f2 4d 0f 2a d8 e9 1b 00 00 00 4d 89 c1 49 c1 e9 01 4d 89 c2 49 83 e2 \
             01 4d 09 d1 f2 4d 0f 2a d9 f2 45 0f 58 db",
            "test r8, r8; js 0x13; cvtsi2sd xmm11, r8; jmp 0x2e; mov r9, r8; shr r9, 0x1; mov r10, r8; \
             and r10, 0x1; or r9, r10; cvtsi2sd xmm11, r9; addsd xmm11, xmm11",
        ),
    ]
}
