//! The x86-64 row table: `(instruction, expected bytes, expected Intel text)`.
//!
//! Part of the x86-64 oracle's tests. Rows are grouped by `Inst` variant; within a
//! group they walk the operand forms (register, memory, immediate; 32/64
//! bits and 8/16 where the variant has them; immediates and displacements
//! at their encoding edges; registers that need REX, SIB or a zero disp8).
//! The hex was cross-checked with GNU `as` (the row's text assembled and
//! linked at address 0): it is identical for every row except where a
//! comment names the shorter encoding `as` prefers; those rows and the jump
//! table data were checked by disassembling the hex with `objdump`. Label
//! rows say where each label is bound ([`LabelAt`]).

use super::Row;
use crate::common::LabelAt::{self, Before, End, Past, Start};
use crate::x64::Case;
use RegMem as Rm;
use RegMemImm as Rmi;
use compiler::isa::x64::inst::Inst;
use compiler::isa::x64::inst::args::AluOp::{Add, And, Or, Sub, Xor};
use compiler::isa::x64::inst::args::CC::*;
use compiler::isa::x64::inst::args::ExtMode::{BL, BQ, LQ, WL, WQ};
use compiler::isa::x64::inst::args::OperandSize::{Size8 as S8, Size16 as S16, Size32 as S32, Size64 as S64};
use compiler::isa::x64::inst::args::ShiftKind::{Rol, Ror, Sar, Shl, Shr};
use compiler::isa::x64::inst::args::*;
use compiler::isa::x64::inst::emit::FrameLayout;
use compiler::isa::x64::inst::regs::*;
use compiler::machinst::{MachLabel, Reg};
use compiler::runtime::TrapCode::{self, *};
use regalloc2::PRegSet;

pub(super) const L0: MachLabel = MachLabel(0);
pub(super) const L1: MachLabel = MachLabel(1);
pub(super) const L2: MachLabel = MachLabel(2);

/// A row in the default setting ([`Case::new`]: no frame, labels at their
/// default places).
pub(super) fn row(inst: Inst, hex: &'static str, text: &'static str) -> Row {
    Row { case: Case::new(inst), hex, text }
}

impl Row {
    pub(super) fn with_frame(self, frame: FrameLayout) -> Row {
        Row { case: self.case.with_frame(frame), ..self }
    }

    pub(super) fn with_labels(self, labels: &[LabelAt]) -> Row {
        Row { case: self.case.with_labels(labels), ..self }
    }
}

/// 16 bytes of outgoing arguments, 32 of stack slots, 4 spill slots, three
/// callee saves: `frame_size` 0x58, spills at `rsp + 0x30 + 8 * i`.
pub(super) fn small_frame() -> FrameLayout {
    FrameLayout::new(16, 32, 4, vec![3, 12, 15])
}

/// 256 bytes of stack slots and 4 spill slots: spills need a disp32.
pub(super) fn large_frame() -> FrameLayout {
    FrameLayout::new(0, 256, 4, vec![])
}

pub(super) fn base(base: Reg, disp: i32) -> Amode {
    Amode::ImmReg { base, disp }
}

pub(super) fn indexed(base: Reg, index: Reg, shift: u8, disp: i32) -> Amode {
    Amode::ImmRegRegShift { base, index, shift, disp }
}

pub(super) fn rip(target: MachLabel) -> Amode {
    Amode::RipRelative { target }
}

fn alu(size: OperandSize, op: AluOp, dst: Reg, src2: RegMemImm) -> Inst {
    Inst::AluRmiR { size, op, src1: dst, src2, dst: writable(dst) }
}

fn imul(size: OperandSize, dst: Reg, src2: RegMem) -> Inst {
    Inst::Imul { size, src1: dst, src2, dst: writable(dst) }
}

fn unary(size: OperandSize, op: UnaryOp, dst: Reg) -> Inst {
    Inst::Unary { size, op, src: dst, dst: writable(dst) }
}

fn bit_scan(size: OperandSize, op: BitScan, dst: Reg, src: RegMem) -> Inst {
    Inst::BitScan { size, op, src, dst: writable(dst) }
}

fn shift(size: OperandSize, kind: ShiftKind, dst: Reg, amount: Option<u8>) -> Inst {
    Inst::Shift { size, kind, src: dst, amount, count: rcx(), dst: writable(dst) }
}

fn div(size: OperandSize, signed: bool, divisor: Reg, trap: TrapCode) -> Inst {
    let (quotient, remainder) = (writable(rax()), writable(rdx()));
    Inst::Div { size, signed, divisor, dividend_lo: rax(), dividend_hi: rdx(), quotient, remainder, trap }
}

fn checked_srem(size: OperandSize, divisor: Reg) -> Inst {
    Inst::CheckedSRem { size, divisor, dividend: rax(), quotient: writable(rax()), remainder: writable(rdx()) }
}

fn mov(size: OperandSize, dst: Reg, src: Reg) -> Inst {
    Inst::MovRR { size, src, dst: writable(dst) }
}

fn imm(size: OperandSize, dst: Reg, value: u64) -> Inst {
    Inst::Imm { size, value, dst: writable(dst) }
}

fn movzx(mode: ExtMode, dst: Reg, src: RegMem) -> Inst {
    Inst::MovzxRmR { mode, src, dst: writable(dst) }
}

fn movsx(mode: ExtMode, dst: Reg, src: RegMem) -> Inst {
    Inst::MovsxRmR { mode, src, dst: writable(dst) }
}

fn load(dst: Reg, src: Amode) -> Inst {
    Inst::Mov64MR { src, dst: writable(dst) }
}

fn store(size: OperandSize, dst: Amode, src: Reg) -> Inst {
    Inst::MovRM { size, src, dst }
}

fn lea(dst: Reg, addr: Amode) -> Inst {
    Inst::Lea { addr, dst: writable(dst) }
}

fn cmp(size: OperandSize, src1: Reg, src2: RegMemImm) -> Inst {
    Inst::Cmp { size, op: CmpOp::Cmp, src1, src2 }
}

fn test(size: OperandSize, src1: Reg, src2: RegMemImm) -> Inst {
    Inst::Cmp { size, op: CmpOp::Test, src1, src2 }
}

fn setcc(cc: CC, dst: Reg) -> Inst {
    Inst::Setcc { cc, dst: writable(dst) }
}

fn cmove(size: OperandSize, cc: CC, dst: Reg, consequent: Reg) -> Inst {
    Inst::Cmove { size, cc, consequent, alternative: dst, dst: writable(dst) }
}

fn trap_if(cc: CC, code: TrapCode) -> Inst {
    Inst::TrapIf { cc, code }
}

fn jcc(cc: CC, taken: MachLabel, not_taken: MachLabel) -> Inst {
    Inst::JmpCond { cc, taken, not_taken }
}

fn jmp_table(index: Reg, tmp1: Reg, tmp2: Reg, default: MachLabel, targets: &[MachLabel]) -> Inst {
    Inst::JmpTable { index, tmp1: writable(tmp1), tmp2: writable(tmp2), default, targets: targets.to_vec() }
}

/// Every row of the table.
pub fn rows() -> Vec<Row> {
    vec![
        // AluRmiR, 32-bit: `op r/m, r`, `op r, r/m`, `83 /d ib`, `81 /d id`.
        row(alu(S32, Add, rax(), Rmi::Reg(rcx())), "01 c8", "add eax, ecx"),
        row(alu(S32, Add, rdx(), Rmi::Mem(base(rbx(), 0x10))), "03 53 10", "add edx, dword ptr [rbx+0x10]"),
        row(alu(S32, Add, rcx(), Rmi::Imm(0)), "83 c1 00", "add ecx, 0x0"),
        row(alu(S32, Add, rcx(), Rmi::Imm(128)), "81 c1 80 00 00 00", "add ecx, 0x80"),
        row(alu(S32, Or, rsi(), Rmi::Reg(rdi())), "09 fe", "or esi, edi"),
        row(alu(S32, Or, r8(), Rmi::Mem(base(r9(), 0))), "45 0b 01", "or r8d, dword ptr [r9]"),
        row(alu(S32, Or, rcx(), Rmi::Imm(127)), "83 c9 7f", "or ecx, 0x7f"),
        row(alu(S32, Or, rdx(), Rmi::Imm(-129)), "81 ca 7f ff ff ff", "or edx, -0x81"),
        row(alu(S32, And, r10(), Rmi::Reg(r11())), "45 21 da", "and r10d, r11d"),
        row(alu(S32, And, rax(), Rmi::Mem(base(rsp(), 0))), "23 04 24", "and eax, dword ptr [rsp]"),
        row(alu(S32, And, rsi(), Rmi::Imm(-128)), "83 e6 80", "and esi, -0x80"),
        row(alu(S32, And, rdi(), Rmi::Imm(i32::MIN)), "81 e7 00 00 00 80", "and edi, -0x80000000"),
        row(alu(S32, Sub, rbx(), Rmi::Reg(r12())), "44 29 e3", "sub ebx, r12d"),
        row(alu(S32, Sub, rcx(), Rmi::Mem(base(rbp(), 0))), "2b 4d 00", "sub ecx, dword ptr [rbp]"),
        row(alu(S32, Sub, r13(), Rmi::Imm(1)), "41 83 ed 01", "sub r13d, 0x1"),
        row(alu(S32, Sub, r14(), Rmi::Imm(i32::MAX)), "41 81 ee ff ff ff 7f", "sub r14d, 0x7fffffff"),
        row(alu(S32, Xor, r15(), Rmi::Reg(rax())), "41 31 c7", "xor r15d, eax"),
        row(alu(S32, Xor, rdx(), Rmi::Mem(indexed(rax(), rcx(), 2, 0))), "33 14 88", "xor edx, dword ptr [rax+rcx*4]"),
        row(alu(S32, Xor, rax(), Rmi::Imm(-1)), "83 f0 ff", "xor eax, -0x1"),
        // `81 /6 id` on eax (GNU as prefers the short `35 id`).
        row(alu(S32, Xor, rax(), Rmi::Imm(0x1234_5678)), "81 f0 78 56 34 12", "xor eax, 0x12345678"),
        // AluRmiR, 64-bit.
        row(alu(S64, Add, r9(), Rmi::Reg(rdx())), "49 01 d1", "add r9, rdx"),
        row(alu(S64, Add, rax(), Rmi::Mem(base(r12(), 8))), "49 03 44 24 08", "add rax, qword ptr [r12+0x8]"),
        row(alu(S64, Add, rsp(), Rmi::Imm(0x10)), "48 83 c4 10", "add rsp, 0x10"),
        row(alu(S64, Add, rcx(), Rmi::Imm(128)), "48 81 c1 80 00 00 00", "add rcx, 0x80"),
        row(alu(S64, Or, rax(), Rmi::Reg(rbx())), "48 09 d8", "or rax, rbx"),
        row(alu(S64, Or, rcx(), Rmi::Mem(base(r13(), 0))), "49 0b 4d 00", "or rcx, qword ptr [r13]"),
        row(alu(S64, Or, rdx(), Rmi::Imm(127)), "48 83 ca 7f", "or rdx, 0x7f"),
        row(alu(S64, Or, rdx(), Rmi::Imm(-129)), "48 81 ca 7f ff ff ff", "or rdx, -0x81"),
        row(alu(S64, And, rsi(), Rmi::Reg(r15())), "4c 21 fe", "and rsi, r15"),
        row(alu(S64, And, r11(), Rmi::Mem(base(rdi(), -128))), "4c 23 5f 80", "and r11, qword ptr [rdi-0x80]"),
        row(alu(S64, And, rax(), Rmi::Imm(-128)), "48 83 e0 80", "and rax, -0x80"),
        row(alu(S64, And, r8(), Rmi::Imm(i32::MAX)), "49 81 e0 ff ff ff 7f", "and r8, 0x7fffffff"),
        row(alu(S64, Sub, rdi(), Rmi::Reg(rsi())), "48 29 f7", "sub rdi, rsi"),
        row(alu(S64, Sub, rax(), Rmi::Mem(base(rcx(), 127))), "48 2b 41 7f", "sub rax, qword ptr [rcx+0x7f]"),
        row(alu(S64, Sub, rsp(), Rmi::Imm(8)), "48 83 ec 08", "sub rsp, 0x8"),
        row(alu(S64, Sub, rsp(), Rmi::Imm(0x100)), "48 81 ec 00 01 00 00", "sub rsp, 0x100"),
        row(alu(S64, Xor, rax(), Rmi::Reg(rax())), "48 31 c0", "xor rax, rax"),
        row(alu(S64, Xor, rbx(), Rmi::Mem(base(rcx(), 128))), "48 33 99 80 00 00 00", "xor rbx, qword ptr [rcx+0x80]"),
        row(alu(S64, Xor, r12(), Rmi::Imm(0)), "49 83 f4 00", "xor r12, 0x0"),
        row(alu(S64, Xor, r15(), Rmi::Imm(i32::MIN)), "49 81 f7 00 00 00 80", "xor r15, -0x80000000"),
        row(
            alu(S64, Add, rdx(), Rmi::Mem(Amode::Frame(FrameOffset::Spill(3)))),
            "48 03 54 24 48",
            "add rdx, qword ptr [rsp+0x48]",
        )
        .with_frame(small_frame()),
        // Imul.
        row(imul(S32, rax(), Rm::Reg(rcx())), "0f af c1", "imul eax, ecx"),
        row(imul(S32, r8(), Rm::Mem(base(rsp(), 0x10))), "44 0f af 44 24 10", "imul r8d, dword ptr [rsp+0x10]"),
        row(imul(S64, rax(), Rm::Reg(r15())), "49 0f af c7", "imul rax, r15"),
        row(
            imul(S64, rdx(), Rm::Mem(indexed(rbx(), rsi(), 3, -8))),
            "48 0f af 54 f3 f8",
            "imul rdx, qword ptr [rbx+rsi*8-0x8]",
        ),
        // Unary.
        row(unary(S32, UnaryOp::Neg, rax()), "f7 d8", "neg eax"),
        row(unary(S32, UnaryOp::Not, r9()), "41 f7 d1", "not r9d"),
        row(unary(S64, UnaryOp::Neg, r12()), "49 f7 dc", "neg r12"),
        row(unary(S64, UnaryOp::Not, rax()), "48 f7 d0", "not rax"),
        // BitScan.
        row(bit_scan(S32, BitScan::Bsr, rax(), Rm::Reg(rcx())), "0f bd c1", "bsr eax, ecx"),
        row(bit_scan(S32, BitScan::Bsr, rcx(), Rm::Mem(base(rax(), 4))), "0f bd 48 04", "bsr ecx, dword ptr [rax+0x4]"),
        row(bit_scan(S32, BitScan::Bsf, rdx(), Rm::Reg(r11())), "41 0f bc d3", "bsf edx, r11d"),
        row(bit_scan(S32, BitScan::Bsf, r10(), Rm::Mem(base(rdx(), 0))), "44 0f bc 12", "bsf r10d, dword ptr [rdx]"),
        row(bit_scan(S64, BitScan::Bsr, rax(), Rm::Reg(rbx())), "48 0f bd c3", "bsr rax, rbx"),
        row(
            bit_scan(S64, BitScan::Bsr, rcx(), Rm::Mem(base(r14(), 0x100))),
            "49 0f bd 8e 00 01 00 00",
            "bsr rcx, qword ptr [r14+0x100]",
        ),
        row(bit_scan(S64, BitScan::Bsf, rax(), Rm::Reg(r13())), "49 0f bc c5", "bsf rax, r13"),
        row(
            bit_scan(S64, BitScan::Bsf, r15(), Rm::Mem(base(rsp(), 8))),
            "4c 0f bc 7c 24 08",
            "bsf r15, qword ptr [rsp+0x8]",
        ),
        // Shift: every kind, by an immediate and by cl.
        // `C1 /0 ib` with 1 (GNU as prefers the short `D1 /0`).
        row(shift(S32, Rol, rax(), Some(1)), "c1 c0 01", "rol eax, 0x1"),
        row(shift(S32, Ror, rcx(), Some(31)), "c1 c9 1f", "ror ecx, 0x1f"),
        row(shift(S32, Shl, r8(), Some(4)), "41 c1 e0 04", "shl r8d, 0x4"),
        row(shift(S32, Shr, rdx(), Some(16)), "c1 ea 10", "shr edx, 0x10"),
        row(shift(S32, Sar, rsi(), Some(31)), "c1 fe 1f", "sar esi, 0x1f"),
        row(shift(S32, Rol, rax(), None), "d3 c0", "rol eax, cl"),
        row(shift(S32, Ror, r11(), None), "41 d3 cb", "ror r11d, cl"),
        row(shift(S32, Shl, rbx(), None), "d3 e3", "shl ebx, cl"),
        row(shift(S32, Shr, rdi(), None), "d3 ef", "shr edi, cl"),
        row(shift(S32, Sar, r15(), None), "41 d3 ff", "sar r15d, cl"),
        row(shift(S64, Rol, rax(), Some(63)), "48 c1 c0 3f", "rol rax, 0x3f"),
        row(shift(S64, Ror, r9(), Some(8)), "49 c1 c9 08", "ror r9, 0x8"),
        row(shift(S64, Shl, rcx(), Some(32)), "48 c1 e1 20", "shl rcx, 0x20"),
        row(shift(S64, Shr, rdx(), Some(63)), "48 c1 ea 3f", "shr rdx, 0x3f"),
        row(shift(S64, Sar, r12(), Some(2)), "49 c1 fc 02", "sar r12, 0x2"),
        row(shift(S64, Rol, rdx(), None), "48 d3 c2", "rol rdx, cl"),
        row(shift(S64, Ror, rax(), None), "48 d3 c8", "ror rax, cl"),
        row(shift(S64, Shl, r13(), None), "49 d3 e5", "shl r13, cl"),
        row(shift(S64, Shr, rsi(), None), "48 d3 ee", "shr rsi, cl"),
        row(shift(S64, Sar, rax(), None), "48 d3 f8", "sar rax, cl"),
        // Div (a trap site at the instruction), cdq/cqo.
        row(div(S32, false, rcx(), IntegerDivisionByZero), "f7 f1", "div ecx"),
        row(div(S32, true, r8(), IntegerOverflow), "41 f7 f8", "idiv r8d"),
        row(div(S64, false, r15(), IntegerDivisionByZero), "49 f7 f7", "div r15"),
        row(div(S64, true, rcx(), IntegerOverflow), "48 f7 f9", "idiv rcx"),
        row(Inst::SignExtendData { size: S32, src: rax(), dst: writable(rdx()) }, "99", "cdq"),
        row(Inst::SignExtendData { size: S64, src: rax(), dst: writable(rdx()) }, "48 99", "cqo"),
        // CheckedSRem: `cmp d, -1; jne 1f; xor edx, edx; jmp 2f; 1: cdq/cqo; idiv d; 2:`,
        // with rel8 branches (GNU as, given absolute targets, picks rel32).
        row(
            checked_srem(S32, rcx()),
            "83 f9 ff 75 04 31 d2 eb 03 99 f7 f9",
            "cmp ecx, -0x1; jne 0x9; xor edx, edx; jmp 0xc; cdq; idiv ecx",
        ),
        row(
            checked_srem(S64, r9()),
            "49 83 f9 ff 75 04 31 d2 eb 05 48 99 49 f7 f9",
            "cmp r9, -0x1; jne 0xa; xor edx, edx; jmp 0xf; cqo; idiv r9",
        ),
        // MovRR.
        row(mov(S32, rax(), rcx()), "89 c8", "mov eax, ecx"),
        row(mov(S32, r10(), rsi()), "41 89 f2", "mov r10d, esi"),
        row(mov(S64, rbp(), rsp()), "48 89 e5", "mov rbp, rsp"),
        row(mov(S64, r8(), rax()), "49 89 c0", "mov r8, rax"),
        row(mov(S64, rdi(), r14()), "4c 89 f7", "mov rdi, r14"),
        // Imm: `mov r32, imm32` (zero-extends), `mov r/m64, simm32`, `movabs`.
        row(imm(S32, rax(), 0), "b8 00 00 00 00", "mov eax, 0x0"),
        row(imm(S32, r9(), 42), "41 b9 2a 00 00 00", "mov r9d, 0x2a"),
        row(imm(S32, rcx(), u64::MAX), "b9 ff ff ff ff", "mov ecx, -0x1"),
        row(imm(S64, rcx(), 1), "b9 01 00 00 00", "mov ecx, 0x1"),
        row(imm(S64, rdx(), 0x8000_0000), "ba 00 00 00 80", "mov edx, -0x80000000"),
        row(imm(S64, r11(), u32::MAX as u64), "41 bb ff ff ff ff", "mov r11d, -0x1"),
        row(imm(S64, rax(), u32::MAX as u64 + 1), "48 b8 00 00 00 00 01 00 00 00", "mov rax, 0x100000000"),
        row(imm(S64, rax(), u64::MAX), "48 c7 c0 ff ff ff ff", "mov rax, -0x1"),
        row(imm(S64, r12(), i32::MIN as i64 as u64), "49 c7 c4 00 00 00 80", "mov r12, -0x80000000"),
        row(imm(S64, rbx(), (i32::MIN as i64 - 1) as u64), "48 bb ff ff ff 7f ff ff ff ff", "mov rbx, -0x80000001"),
        row(imm(S64, r15(), 0x1234_5678_9abc_def0), "49 bf f0 de bc 9a 78 56 34 12", "mov r15, 0x123456789abcdef0"),
        // MovzxRmR: every mode from a register and from memory; byte sources
        // al..bl, spl..dil (REX), r8b..r15b.
        row(movzx(BL, rax(), Rm::Reg(rcx())), "0f b6 c1", "movzx eax, cl"),
        row(movzx(BL, rcx(), Rm::Reg(rsi())), "40 0f b6 ce", "movzx ecx, sil"),
        row(movzx(BL, r8(), Rm::Reg(r9())), "45 0f b6 c1", "movzx r8d, r9b"),
        row(movzx(BL, rax(), Rm::Mem(base(rdi(), 127))), "0f b6 47 7f", "movzx eax, byte ptr [rdi+0x7f]"),
        row(movzx(BQ, rdx(), Rm::Reg(rdi())), "40 0f b6 d7", "movzx edx, dil"),
        row(movzx(BQ, rax(), Rm::Reg(rbx())), "0f b6 c3", "movzx eax, bl"),
        row(movzx(BQ, r10(), Rm::Mem(indexed(r11(), r12(), 0, 0))), "47 0f b6 14 23", "movzx r10d, byte ptr [r11+r12]"),
        row(movzx(WL, rax(), Rm::Reg(rcx())), "0f b7 c1", "movzx eax, cx"),
        row(movzx(WL, rbx(), Rm::Mem(base(rsp(), 2))), "0f b7 5c 24 02", "movzx ebx, word ptr [rsp+0x2]"),
        row(movzx(WQ, r14(), Rm::Reg(r15())), "45 0f b7 f7", "movzx r14d, r15w"),
        row(movzx(WQ, rax(), Rm::Mem(base(rbp(), -2))), "0f b7 45 fe", "movzx eax, word ptr [rbp-0x2]"),
        // `8B /r`, the load form, also for a register (GNU as picks `89 /r`).
        row(movzx(LQ, rax(), Rm::Reg(rcx())), "8b c1", "mov eax, ecx"),
        row(
            movzx(LQ, r8(), Rm::Mem(indexed(rax(), rbx(), 1, 0x10))),
            "44 8b 44 58 10",
            "mov r8d, dword ptr [rax+rbx*2+0x10]",
        ),
        // MovsxRmR.
        row(movsx(BL, rax(), Rm::Reg(rbx())), "0f be c3", "movsx eax, bl"),
        row(movsx(BL, rax(), Rm::Reg(rsi())), "40 0f be c6", "movsx eax, sil"),
        row(movsx(BL, rcx(), Rm::Mem(base(rdx(), 0))), "0f be 0a", "movsx ecx, byte ptr [rdx]"),
        row(movsx(BQ, rax(), Rm::Reg(rbp())), "48 0f be c5", "movsx rax, bpl"),
        row(movsx(BQ, r9(), Rm::Reg(r10())), "4d 0f be ca", "movsx r9, r10b"),
        row(movsx(BQ, rdx(), Rm::Mem(base(r8(), -128))), "49 0f be 50 80", "movsx rdx, byte ptr [r8-0x80]"),
        row(movsx(WL, rax(), Rm::Reg(rdx())), "0f bf c2", "movsx eax, dx"),
        row(movsx(WL, rsi(), Rm::Mem(base(rdi(), 128))), "0f bf b7 80 00 00 00", "movsx esi, word ptr [rdi+0x80]"),
        row(movsx(WQ, rcx(), Rm::Reg(r8())), "49 0f bf c8", "movsx rcx, r8w"),
        row(movsx(WQ, rax(), Rm::Mem(base(r13(), 0))), "49 0f bf 45 00", "movsx rax, word ptr [r13]"),
        row(movsx(LQ, rax(), Rm::Reg(rcx())), "48 63 c1", "movsxd rax, ecx"),
        row(
            movsx(LQ, r11(), Rm::Mem(indexed(rsp(), rcx(), 3, 0x1000))),
            "4c 63 9c cc 00 10 00 00",
            "movsxd r11, dword ptr [rsp+rcx*8+0x1000]",
        ),
        // Mov64MR: the addressing forms. Base: disp 0 / disp8 edges / disp32
        // edges; rsp/r12 need a SIB byte; rbp/r13 need a zero disp8.
        row(load(rax(), base(rcx(), 0)), "48 8b 01", "mov rax, qword ptr [rcx]"),
        row(load(rax(), base(rcx(), 127)), "48 8b 41 7f", "mov rax, qword ptr [rcx+0x7f]"),
        row(load(rax(), base(rcx(), -128)), "48 8b 41 80", "mov rax, qword ptr [rcx-0x80]"),
        row(load(rax(), base(rcx(), 128)), "48 8b 81 80 00 00 00", "mov rax, qword ptr [rcx+0x80]"),
        row(load(rax(), base(rcx(), -129)), "48 8b 81 7f ff ff ff", "mov rax, qword ptr [rcx-0x81]"),
        row(load(rdx(), base(rsi(), 0x1234_5678)), "48 8b 96 78 56 34 12", "mov rdx, qword ptr [rsi+0x12345678]"),
        row(load(rdx(), base(rsi(), i32::MIN)), "48 8b 96 00 00 00 80", "mov rdx, qword ptr [rsi-0x80000000]"),
        row(load(rax(), base(rsp(), 0)), "48 8b 04 24", "mov rax, qword ptr [rsp]"),
        row(load(rbx(), base(r12(), 8)), "49 8b 5c 24 08", "mov rbx, qword ptr [r12+0x8]"),
        row(load(rbx(), base(r12(), 0x200)), "49 8b 9c 24 00 02 00 00", "mov rbx, qword ptr [r12+0x200]"),
        row(load(rcx(), base(rbp(), 0)), "48 8b 4d 00", "mov rcx, qword ptr [rbp]"),
        row(load(r8(), base(r13(), 0)), "4d 8b 45 00", "mov r8, qword ptr [r13]"),
        row(load(r9(), base(r13(), -8)), "4d 8b 4d f8", "mov r9, qword ptr [r13-0x8]"),
        row(load(rax(), base(r15(), 0x100)), "49 8b 87 00 01 00 00", "mov rax, qword ptr [r15+0x100]"),
        // Base + index: every scale; index r8..r15 (REX.X) and r12.
        row(load(rax(), indexed(rcx(), rdx(), 0, 0)), "48 8b 04 11", "mov rax, qword ptr [rcx+rdx]"),
        row(load(rax(), indexed(rcx(), rdx(), 1, 8)), "48 8b 44 51 08", "mov rax, qword ptr [rcx+rdx*2+0x8]"),
        row(load(rax(), indexed(rsp(), rax(), 2, 0)), "48 8b 04 84", "mov rax, qword ptr [rsp+rax*4]"),
        row(load(rdx(), indexed(rbp(), rcx(), 3, 0)), "48 8b 54 cd 00", "mov rdx, qword ptr [rbp+rcx*8]"),
        row(load(rsi(), indexed(r13(), r12(), 0, 0)), "4b 8b 74 25 00", "mov rsi, qword ptr [r13+r12]"),
        row(load(rdi(), indexed(rax(), r12(), 3, -128)), "4a 8b 7c e0 80", "mov rdi, qword ptr [rax+r12*8-0x80]"),
        row(load(r10(), indexed(r8(), r9(), 2, 128)), "4f 8b 94 88 80 00 00 00", "mov r10, qword ptr [r8+r9*4+0x80]"),
        row(
            load(r15(), indexed(r12(), r15(), 1, -129)),
            "4f 8b bc 7c 7f ff ff ff",
            "mov r15, qword ptr [r12+r15*2-0x81]",
        ),
        // RIP-relative, to labels before and after the instruction.
        row(load(rax(), rip(L0)), "48 8b 05 f9 ff ff ff", "mov rax, qword ptr [rip-0x7]").with_labels(&[Start]),
        row(load(r12(), rip(L0)), "4c 8b 25 10 00 00 00", "mov r12, qword ptr [rip+0x10]").with_labels(&[Past(16)]),
        // Frame slots.
        row(load(rax(), Amode::Frame(FrameOffset::Spill(2))), "48 8b 44 24 40", "mov rax, qword ptr [rsp+0x40]")
            .with_frame(small_frame()),
        row(load(rcx(), Amode::Frame(FrameOffset::IncomingArg(8))), "48 8b 4d 18", "mov rcx, qword ptr [rbp+0x18]")
            .with_frame(small_frame()),
        // MovRM: every size; byte stores of al..bl, spl..dil (REX), r8b..r15b.
        row(store(S8, base(rax(), 0), rcx()), "88 08", "mov byte ptr [rax], cl"),
        row(store(S8, base(rsp(), 0x10), rax()), "88 44 24 10", "mov byte ptr [rsp+0x10], al"),
        row(store(S8, base(rdi(), 1), rsi()), "40 88 77 01", "mov byte ptr [rdi+0x1], sil"),
        row(store(S8, base(rbp(), 0), rdi()), "40 88 7d 00", "mov byte ptr [rbp], dil"),
        row(store(S8, base(r8(), 0), r9()), "45 88 08", "mov byte ptr [r8], r9b"),
        row(store(S16, base(rcx(), 2), rax()), "66 89 41 02", "mov word ptr [rcx+0x2], ax"),
        row(store(S16, base(r12(), 0), r13()), "66 45 89 2c 24", "mov word ptr [r12], r13w"),
        row(store(S32, base(rbp(), -4), rdx()), "89 55 fc", "mov dword ptr [rbp-0x4], edx"),
        row(
            store(S32, indexed(rsp(), rbx(), 2, 128), r10()),
            "44 89 94 9c 80 00 00 00",
            "mov dword ptr [rsp+rbx*4+0x80], r10d",
        ),
        row(store(S64, base(r13(), 0), rax()), "49 89 45 00", "mov qword ptr [r13], rax"),
        row(store(S64, rip(L0), rcx()), "48 89 0d 00 00 00 00", "mov qword ptr [rip], rcx").with_labels(&[End]),
        row(
            store(S64, Amode::Frame(FrameOffset::Outgoing(8)), rdi()),
            "48 89 7c 24 08",
            "mov qword ptr [rsp+0x8], rdi",
        )
        .with_frame(small_frame()),
        row(
            store(S64, Amode::Frame(FrameOffset::StackSlot(8)), rax()),
            "48 89 44 24 18",
            "mov qword ptr [rsp+0x18], rax",
        )
        .with_frame(small_frame()),
        row(
            store(S64, Amode::Frame(FrameOffset::Spill(3)), r9()),
            "4c 89 8c 24 18 01 00 00",
            "mov qword ptr [rsp+0x118], r9",
        )
        .with_frame(large_frame()),
        // Lea.
        row(lea(r11(), base(rsp(), -0x38)), "4c 8d 5c 24 c8", "lea r11, [rsp-0x38]"),
        row(lea(rax(), indexed(rcx(), rdx(), 3, 0x10)), "48 8d 44 d1 10", "lea rax, [rcx+rdx*8+0x10]"),
        row(lea(rcx(), rip(L0)), "48 8d 0d 09 00 00 00", "lea rcx, [rip+0x9]").with_labels(&[Past(9)]),
        row(lea(rax(), Amode::Frame(FrameOffset::StackSlot(4))), "48 8d 44 24 14", "lea rax, [rsp+0x14]")
            .with_frame(small_frame()),
        // Cmp: `cmp r/m, r`, `cmp r, r/m`, `83 /7 ib`, `81 /7 id`.
        row(cmp(S32, rax(), Rmi::Reg(rcx())), "39 c8", "cmp eax, ecx"),
        row(cmp(S32, rdx(), Rmi::Mem(base(rdi(), 0x10))), "3b 57 10", "cmp edx, dword ptr [rdi+0x10]"),
        row(
            cmp(S32, rax(), Rmi::Mem(Amode::Frame(FrameOffset::StackSlot(16)))),
            "3b 44 24 20",
            "cmp eax, dword ptr [rsp+0x20]",
        )
        .with_frame(small_frame()),
        row(cmp(S32, rcx(), Rmi::Imm(0)), "83 f9 00", "cmp ecx, 0x0"),
        row(cmp(S32, rcx(), Rmi::Imm(127)), "83 f9 7f", "cmp ecx, 0x7f"),
        row(cmp(S32, rsi(), Rmi::Imm(-128)), "83 fe 80", "cmp esi, -0x80"),
        row(cmp(S32, rcx(), Rmi::Imm(128)), "81 f9 80 00 00 00", "cmp ecx, 0x80"),
        row(cmp(S32, rdx(), Rmi::Imm(-129)), "81 fa 7f ff ff ff", "cmp edx, -0x81"),
        row(cmp(S32, r8(), Rmi::Imm(i32::MIN)), "41 81 f8 00 00 00 80", "cmp r8d, -0x80000000"),
        row(cmp(S32, r9(), Rmi::Imm(i32::MAX)), "41 81 f9 ff ff ff 7f", "cmp r9d, 0x7fffffff"),
        // `81 /7 id` on eax (GNU as prefers the short `3D id`).
        row(cmp(S32, rax(), Rmi::Imm(0x1000)), "81 f8 00 10 00 00", "cmp eax, 0x1000"),
        row(cmp(S64, rax(), Rmi::Reg(r15())), "4c 39 f8", "cmp rax, r15"),
        row(cmp(S64, r11(), Rmi::Mem(base(rdi(), 0x58))), "4c 3b 5f 58", "cmp r11, qword ptr [rdi+0x58]"),
        row(cmp(S64, rcx(), Rmi::Imm(-1)), "48 83 f9 ff", "cmp rcx, -0x1"),
        row(cmp(S64, r10(), Rmi::Imm(0x100)), "49 81 fa 00 01 00 00", "cmp r10, 0x100"),
        // Test: `test r/m, r` (memory first), `F7 /0 id` (no imm8 form).
        row(test(S32, rax(), Rmi::Reg(rax())), "85 c0", "test eax, eax"),
        row(test(S32, rdx(), Rmi::Mem(base(rcx(), 0))), "85 11", "test dword ptr [rcx], edx"),
        row(test(S32, rcx(), Rmi::Imm(1)), "f7 c1 01 00 00 00", "test ecx, 0x1"),
        row(test(S64, rax(), Rmi::Reg(r8())), "4c 85 c0", "test rax, r8"),
        row(test(S64, rbx(), Rmi::Mem(base(rsp(), 8))), "48 85 5c 24 08", "test qword ptr [rsp+0x8], rbx"),
        row(test(S64, r9(), Rmi::Imm(i32::MIN)), "49 f7 c1 00 00 00 80", "test r9, -0x80000000"),
        // Setcc: every condition; al..bl, spl..dil (REX), r8b..r15b.
        row(setcc(O, rax()), "0f 90 c0", "seto al"),
        row(setcc(NO, rcx()), "0f 91 c1", "setno cl"),
        row(setcc(B, rdx()), "0f 92 c2", "setb dl"),
        row(setcc(NB, rbx()), "0f 93 c3", "setae bl"),
        row(setcc(Z, rsp()), "40 0f 94 c4", "sete spl"),
        row(setcc(NZ, rbp()), "40 0f 95 c5", "setne bpl"),
        row(setcc(BE, rsi()), "40 0f 96 c6", "setbe sil"),
        row(setcc(NBE, rdi()), "40 0f 97 c7", "seta dil"),
        row(setcc(S, r8()), "41 0f 98 c0", "sets r8b"),
        row(setcc(NS, r9()), "41 0f 99 c1", "setns r9b"),
        row(setcc(P, r10()), "41 0f 9a c2", "setp r10b"),
        row(setcc(NP, r11()), "41 0f 9b c3", "setnp r11b"),
        row(setcc(L, r12()), "41 0f 9c c4", "setl r12b"),
        row(setcc(NL, r13()), "41 0f 9d c5", "setge r13b"),
        row(setcc(LE, r14()), "41 0f 9e c6", "setle r14b"),
        row(setcc(NLE, r15()), "41 0f 9f c7", "setg r15b"),
        // Cmove: every condition, both sizes.
        row(cmove(S32, O, rcx(), rdx()), "0f 40 ca", "cmovo ecx, edx"),
        row(cmove(S64, NO, rax(), rdi()), "48 0f 41 c7", "cmovno rax, rdi"),
        row(cmove(S32, B, rdi(), r12()), "41 0f 42 fc", "cmovb edi, r12d"),
        row(cmove(S64, NB, r10(), rcx()), "4c 0f 43 d1", "cmovae r10, rcx"),
        row(cmove(S32, Z, r13(), rsi()), "44 0f 44 ee", "cmove r13d, esi"),
        row(cmove(S64, NZ, rax(), r11()), "49 0f 45 c3", "cmovne rax, r11"),
        row(cmove(S32, BE, rbx(), rax()), "0f 46 d8", "cmovbe ebx, eax"),
        row(cmove(S64, NBE, rsi(), rbp()), "48 0f 47 f5", "cmova rsi, rbp"),
        row(cmove(S32, S, r9(), r10()), "45 0f 48 ca", "cmovs r9d, r10d"),
        row(cmove(S64, NS, r12(), r15()), "4d 0f 49 e7", "cmovns r12, r15"),
        row(cmove(S32, P, r15(), r9()), "45 0f 4a f9", "cmovp r15d, r9d"),
        row(cmove(S64, NP, rdx(), r9()), "49 0f 4b d1", "cmovnp rdx, r9"),
        row(cmove(S32, L, rbp(), r14()), "41 0f 4c ee", "cmovl ebp, r14d"),
        row(cmove(S64, NL, r8(), rbx()), "4c 0f 4d c3", "cmovge r8, rbx"),
        row(cmove(S32, LE, r11(), r8()), "45 0f 4e d8", "cmovle r11d, r8d"),
        row(cmove(S64, NLE, r14(), r13()), "4d 0f 4f f5", "cmovg r14, r13"),
        // TrapIf: `j!cc rel8` over a `ud2` (offset 2; GNU as picks rel32).
        row(trap_if(O, Unreachable), "71 02 0f 0b", "jno 0x4; ud2"),
        row(trap_if(NO, MemoryOutOfBounds), "70 02 0f 0b", "jo 0x4; ud2"),
        row(trap_if(B, IntegerDivisionByZero), "73 02 0f 0b", "jae 0x4; ud2"),
        row(trap_if(NB, IntegerOverflow), "72 02 0f 0b", "jb 0x4; ud2"),
        row(trap_if(Z, Unreachable), "75 02 0f 0b", "jne 0x4; ud2"),
        row(trap_if(NZ, MemoryOutOfBounds), "74 02 0f 0b", "je 0x4; ud2"),
        row(trap_if(BE, IntegerDivisionByZero), "77 02 0f 0b", "ja 0x4; ud2"),
        row(trap_if(NBE, IntegerOverflow), "76 02 0f 0b", "jbe 0x4; ud2"),
        row(trap_if(S, Unreachable), "79 02 0f 0b", "jns 0x4; ud2"),
        row(trap_if(NS, MemoryOutOfBounds), "78 02 0f 0b", "js 0x4; ud2"),
        row(trap_if(P, IntegerDivisionByZero), "7b 02 0f 0b", "jnp 0x4; ud2"),
        row(trap_if(NP, IntegerOverflow), "7a 02 0f 0b", "jp 0x4; ud2"),
        row(trap_if(L, Unreachable), "7d 02 0f 0b", "jge 0x4; ud2"),
        row(trap_if(NL, MemoryOutOfBounds), "7c 02 0f 0b", "jl 0x4; ud2"),
        row(trap_if(LE, IntegerDivisionByZero), "7f 02 0f 0b", "jg 0x4; ud2"),
        row(trap_if(NLE, IntegerOverflow), "7e 02 0f 0b", "jle 0x4; ud2"),
        // JmpCond: every condition; jcc + jmp, or simplified to one branch.
        row(jcc(O, L0, L1), "0f 80 fa ff ff ff e9 04 00 00 00", "jo 0x0; jmp 0xf").with_labels(&[Start, Past(4)]),
        row(jcc(NO, L0, L1), "0f 81 0d 00 00 00 e9 f5 ff ff ff", "jno 0x13; jmp 0x0").with_labels(&[Past(8), Start]),
        row(jcc(B, L0, L1), "0f 82 fa ff ff ff e9 04 00 00 00", "jb 0x0; jmp 0xf").with_labels(&[Start, Past(4)]),
        row(jcc(NB, L0, L1), "0f 83 0d 00 00 00 e9 f5 ff ff ff", "jae 0x13; jmp 0x0").with_labels(&[Past(8), Start]),
        row(jcc(Z, L0, L1), "0f 84 fa ff ff ff e9 04 00 00 00", "je 0x0; jmp 0xf").with_labels(&[Start, Past(4)]),
        row(jcc(NZ, L0, L1), "0f 85 0d 00 00 00 e9 f5 ff ff ff", "jne 0x13; jmp 0x0").with_labels(&[Past(8), Start]),
        row(jcc(BE, L0, L1), "0f 86 fa ff ff ff e9 04 00 00 00", "jbe 0x0; jmp 0xf").with_labels(&[Start, Past(4)]),
        row(jcc(NBE, L0, L1), "0f 87 0d 00 00 00 e9 f5 ff ff ff", "ja 0x13; jmp 0x0").with_labels(&[Past(8), Start]),
        row(jcc(S, L0, L1), "0f 88 fa ff ff ff e9 04 00 00 00", "js 0x0; jmp 0xf").with_labels(&[Start, Past(4)]),
        row(jcc(NS, L0, L1), "0f 89 0d 00 00 00 e9 f5 ff ff ff", "jns 0x13; jmp 0x0").with_labels(&[Past(8), Start]),
        row(jcc(P, L0, L1), "0f 8a fa ff ff ff e9 04 00 00 00", "jp 0x0; jmp 0xf").with_labels(&[Start, Past(4)]),
        row(jcc(NP, L0, L1), "0f 8b 0d 00 00 00 e9 f5 ff ff ff", "jnp 0x13; jmp 0x0").with_labels(&[Past(8), Start]),
        row(jcc(L, L0, L1), "0f 8d fa ff ff ff", "jge 0x0").with_labels(&[End, Start]),
        row(jcc(NL, L0, L1), "0f 8c 02 00 00 00", "jl 0x8").with_labels(&[End, Past(2)]),
        row(jcc(LE, L0, L1), "0f 8e fa ff ff ff", "jle 0x0").with_labels(&[Start, End]),
        row(jcc(NLE, L0, L1), "0f 8f 03 00 00 00", "jg 0x9").with_labels(&[Past(3), End]),
        // Jmp: backward and forward; a jump to the next instruction is deleted.
        row(Inst::Jmp { target: L0 }, "e9 fb ff ff ff", "jmp 0x0").with_labels(&[Start]),
        row(Inst::Jmp { target: L0 }, "e9 10 00 00 00", "jmp 0x15").with_labels(&[Past(16)]),
        row(Inst::Jmp { target: L0 }, "e9 eb ff ff ff", "jmp 0xfffffffffffffff0").with_labels(&[Before(16)]),
        row(Inst::Jmp { target: L0 }, "", "").with_labels(&[End]),
        // JmpTable: bounds check, then `table + table[index]`; the entries
        // are offsets from the table start. r13 as the table base needs a
        // zero disp8; r12 as the index is allowed.
        row(
            jmp_table(rdi(), rax(), rcx(), L0, &[L1, L2, L1]),
            "83 ff 03 0f 83 f7 ff ff ff 89 f9 48 8d 05 09 00 00 00 48 63 0c 88 48 01 c8 ff e0 \
             10 00 00 00 14 00 00 00 10 00 00 00",
            "cmp edi, 0x3; jae 0x0; mov ecx, edi; lea rax, [rip+0x9]; movsxd rcx, dword ptr [rax+rcx*4]; \
             add rax, rcx; jmp rax",
        )
        .with_labels(&[Start, Past(4), Past(8)]),
        row(
            jmp_table(r9(), r13(), r12(), L1, &[L0]),
            "41 83 f9 01 0f 83 1a 00 00 00 45 89 cc 4c 8d 2d 0b 00 00 00 4f 63 64 a5 00 4d 01 e5 41 ff e5 \
             e1 ff ff ff",
            "cmp r9d, 0x1; jae 0x24; mov r12d, r9d; lea r13, [rip+0xb]; movsxd r12, dword ptr [r13+r12*4]; \
             add r13, r12; jmp r13",
        )
        .with_labels(&[Start, Past(1)]),
        // Calls: `call rel32` with a relocation; `call r/m64`.
        row(
            Inst::CallKnown { symbol: 7, uses: vec![], defs: vec![], clobbers: PRegSet::empty() },
            "e8 00 00 00 00",
            "call 0x5",
        ),
        row(
            Inst::CallUnknown { target: rax(), uses: vec![], defs: vec![], clobbers: PRegSet::empty() },
            "ff d0",
            "call rax",
        ),
        row(
            Inst::CallUnknown { target: r11(), uses: vec![], defs: vec![], clobbers: PRegSet::empty() },
            "41 ff d3",
            "call r11",
        ),
        // Traps.
        row(Inst::Ud2 { code: Unreachable }, "0f 0b", "ud2"),
        // Push/Pop (REX.B for r8..r15).
        row(Inst::Push64 { src: rbx() }, "53", "push rbx"),
        row(Inst::Push64 { src: rbp() }, "55", "push rbp"),
        row(Inst::Push64 { src: r12() }, "41 54", "push r12"),
        row(Inst::Push64 { src: r15() }, "41 57", "push r15"),
        row(Inst::Pop64 { dst: writable(rbx()) }, "5b", "pop rbx"),
        row(Inst::Pop64 { dst: writable(r12()) }, "41 5c", "pop r12"),
        row(Inst::Pop64 { dst: writable(r15()) }, "41 5f", "pop r15"),
        // Ret: the epilogue for the frame, then `ret`.
        row(Inst::Ret { rets: vec![] }, "5d c3", "pop rbp; ret"),
        row(
            Inst::Ret { rets: vec![] },
            "48 83 c4 58 41 5f 41 5c 5b 5d c3",
            "add rsp, 0x58; pop r15; pop r12; pop rbx; pop rbp; ret",
        )
        .with_frame(small_frame()),
        row(Inst::Ret { rets: vec![] }, "48 81 c4 20 01 00 00 5d c3", "add rsp, 0x120; pop rbp; ret")
            .with_frame(large_frame()),
    ]
}
