//! AArch64 oracle rows. Control flow: jumps, conditional branches in every shape, jump tables, calls, traps and returns.

use super::*;
use compiler::machinst::MachLabel;
use compiler::runtime::TrapCode;
use regalloc2::PRegSet;

/// The rows of this family.
pub fn rows() -> Vec<Row> {
    vec![
        row_to(vec![LabelAt::Start], Inst::Jump { target: MachLabel(0) }, "14000000", "b $+0x0"),
        row_to(vec![LabelAt::Past(8)], Inst::Jump { target: MachLabel(0) }, "14000003", "b $+0xc"),
        row_to(vec![LabelAt::Before(8)], Inst::Jump { target: MachLabel(0) }, "17fffffe", "b $-0x8"),
        // A jump to the next instruction is deleted.
        row_to(vec![LabelAt::End], Inst::Jump { target: MachLabel(0) }, "", ""),
        row_to(
            vec![LabelAt::Past(8), LabelAt::End],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Eq), taken: MachLabel(0), not_taken: MachLabel(1) },
            "54000060",
            "b.eq $+0xc",
        ),
        row_to(
            vec![LabelAt::End, LabelAt::Past(12)],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Ne), taken: MachLabel(0), not_taken: MachLabel(1) },
            "54000080",
            "b.eq $+0x10",
        ),
        row_to(
            vec![LabelAt::Start, LabelAt::Past(4)],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Hs), taken: MachLabel(0), not_taken: MachLabel(1) },
            "54000002 14000002",
            "b.hs $+0x0; b $+0x8",
        ),
        row_to(
            vec![LabelAt::Past(8), LabelAt::End],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Lo), taken: MachLabel(0), not_taken: MachLabel(1) },
            "54000063",
            "b.lo $+0xc",
        ),
        row_to(
            vec![LabelAt::End, LabelAt::Past(12)],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Mi), taken: MachLabel(0), not_taken: MachLabel(1) },
            "54000085",
            "b.pl $+0x10",
        ),
        row_to(
            vec![LabelAt::Start, LabelAt::Past(4)],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Pl), taken: MachLabel(0), not_taken: MachLabel(1) },
            "54000005 14000002",
            "b.pl $+0x0; b $+0x8",
        ),
        row_to(
            vec![LabelAt::Past(8), LabelAt::End],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Vs), taken: MachLabel(0), not_taken: MachLabel(1) },
            "54000066",
            "b.vs $+0xc",
        ),
        row_to(
            vec![LabelAt::End, LabelAt::Past(12)],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Vc), taken: MachLabel(0), not_taken: MachLabel(1) },
            "54000086",
            "b.vs $+0x10",
        ),
        row_to(
            vec![LabelAt::Start, LabelAt::Past(4)],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Hi), taken: MachLabel(0), not_taken: MachLabel(1) },
            "54000008 14000002",
            "b.hi $+0x0; b $+0x8",
        ),
        row_to(
            vec![LabelAt::Past(8), LabelAt::End],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Ls), taken: MachLabel(0), not_taken: MachLabel(1) },
            "54000069",
            "b.ls $+0xc",
        ),
        row_to(
            vec![LabelAt::End, LabelAt::Past(12)],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Ge), taken: MachLabel(0), not_taken: MachLabel(1) },
            "5400008b",
            "b.lt $+0x10",
        ),
        row_to(
            vec![LabelAt::Start, LabelAt::Past(4)],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Lt), taken: MachLabel(0), not_taken: MachLabel(1) },
            "5400000b 14000002",
            "b.lt $+0x0; b $+0x8",
        ),
        row_to(
            vec![LabelAt::Past(8), LabelAt::End],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Gt), taken: MachLabel(0), not_taken: MachLabel(1) },
            "5400006c",
            "b.gt $+0xc",
        ),
        row_to(
            vec![LabelAt::End, LabelAt::Past(12)],
            Inst::CondBr { kind: CondBrKind::Cond(Cond::Le), taken: MachLabel(0), not_taken: MachLabel(1) },
            "5400008c",
            "b.gt $+0x10",
        ),
        row_to(
            vec![LabelAt::Past(16), LabelAt::Start],
            Inst::CondBr { kind: CondBrKind::Zero(x(7), S32), taken: MachLabel(0), not_taken: MachLabel(1) },
            "340000c7 17ffffff",
            "cbz w7, $+0x18; b $-0x4",
        ),
        row_to(
            vec![LabelAt::Past(16), LabelAt::Start],
            Inst::CondBr { kind: CondBrKind::NotZero(x(7), S32), taken: MachLabel(0), not_taken: MachLabel(1) },
            "350000c7 17ffffff",
            "cbnz w7, $+0x18; b $-0x4",
        ),
        row_to(
            vec![LabelAt::Past(16), LabelAt::Start],
            Inst::CondBr { kind: CondBrKind::Zero(x(7), S64), taken: MachLabel(0), not_taken: MachLabel(1) },
            "b40000c7 17ffffff",
            "cbz x7, $+0x18; b $-0x4",
        ),
        row_to(
            vec![LabelAt::Past(16), LabelAt::Start],
            Inst::CondBr { kind: CondBrKind::NotZero(x(7), S64), taken: MachLabel(0), not_taken: MachLabel(1) },
            "b50000c7 17ffffff",
            "cbnz x7, $+0x18; b $-0x4",
        ),
        row_to(
            vec![LabelAt::Past(4), LabelAt::Start, LabelAt::Past(8)],
            Inst::JmpTable {
                index: x(2),
                tmp1: wr(3),
                tmp2: wr(4),
                default: MachLabel(0),
                targets: vec![MachLabel(1), MachLabel(2), MachLabel(1)],
            },
            "71000c5f 54000122 10000083 b8a25864 8b040063 d61f0060",
            "cmp w2, #0x3; b.hs $+0x24; adr x3, $+0x10; ldrsw x4, [x3, w2, uxtw #2]; add x3, x3, x4; br x3",
        ),
        row_to(
            vec![LabelAt::Past(4), LabelAt::Start],
            Inst::JmpTable {
                index: x(5),
                tmp1: wr(6),
                tmp2: wr(7),
                default: MachLabel(0),
                targets: vec![MachLabel(1); 0x1001],
            },
            "52820031 6b1100bf 540200e2 10000086 b8a558c7 8b0700c6 d61f00c0",
            "mov w17, #0x1001; cmp w5, w17; b.hs $+0x401c; adr x6, $+0x10; ldrsw x7, [x6, w5, uxtw #2]; add x6, x6, x7; br x6",
        ),
        row(Inst::Call { symbol: 7, uses: vec![], defs: vec![], clobbers: PRegSet::empty() }, "94000000", "bl $+0x0"),
        row(
            Inst::CallInd { target: x(9), uses: vec![], defs: vec![], clobbers: PRegSet::empty() },
            "d63f0120",
            "blr x9",
        ),
        row(Inst::Udf { code: TrapCode::Unreachable }, "00000001", "udf #0x1"),
        row(Inst::Udf { code: TrapCode::HostError }, "0000000a", "udf #0xa"),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Eq), code: TrapCode::IntegerOverflow },
            "54000041 00000005",
            "b.ne $+0x8; udf #0x5",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Ne), code: TrapCode::StackOverflow },
            "54000040 00000009",
            "b.eq $+0x8; udf #0x9",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Hs), code: TrapCode::MemoryOutOfBounds },
            "54000043 00000002",
            "b.lo $+0x8; udf #0x2",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Lo), code: TrapCode::IntegerOverflow },
            "54000042 00000005",
            "b.hs $+0x8; udf #0x5",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Mi), code: TrapCode::StackOverflow },
            "54000045 00000009",
            "b.pl $+0x8; udf #0x9",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Pl), code: TrapCode::MemoryOutOfBounds },
            "54000044 00000002",
            "b.mi $+0x8; udf #0x2",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Vs), code: TrapCode::IntegerOverflow },
            "54000047 00000005",
            "b.vc $+0x8; udf #0x5",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Vc), code: TrapCode::StackOverflow },
            "54000046 00000009",
            "b.vs $+0x8; udf #0x9",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Hi), code: TrapCode::MemoryOutOfBounds },
            "54000049 00000002",
            "b.ls $+0x8; udf #0x2",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Ls), code: TrapCode::IntegerOverflow },
            "54000048 00000005",
            "b.hi $+0x8; udf #0x5",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Ge), code: TrapCode::StackOverflow },
            "5400004b 00000009",
            "b.lt $+0x8; udf #0x9",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Lt), code: TrapCode::MemoryOutOfBounds },
            "5400004a 00000002",
            "b.ge $+0x8; udf #0x2",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Gt), code: TrapCode::IntegerOverflow },
            "5400004d 00000005",
            "b.le $+0x8; udf #0x5",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Cond(Cond::Le), code: TrapCode::StackOverflow },
            "5400004c 00000009",
            "b.gt $+0x8; udf #0x9",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Zero(x(11), S32), code: TrapCode::IntegerDivisionByZero },
            "3500004b 00000004",
            "cbnz w11, $+0x8; udf #0x4",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::NotZero(x(11), S32), code: TrapCode::IntegerDivisionByZero },
            "3400004b 00000004",
            "cbz w11, $+0x8; udf #0x4",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::Zero(x(11), S64), code: TrapCode::IntegerDivisionByZero },
            "b500004b 00000004",
            "cbnz x11, $+0x8; udf #0x4",
        ),
        row(
            Inst::TrapIf { kind: CondBrKind::NotZero(x(11), S64), code: TrapCode::IntegerDivisionByZero },
            "b400004b 00000004",
            "cbz x11, $+0x8; udf #0x4",
        ),
        row(Inst::Ret { rets: vec![] }, "a8c17bfd d65f03c0", "ldp x29, x30, [sp], #0x10; ret"),
        row_in(
            frame(0, 0, 2, &[19, 20]),
            Inst::Ret { rets: vec![] },
            "910043ff a8c153f3 a8c17bfd d65f03c0",
            "add sp, sp, #0x10; ldp x19, x20, [sp], #0x10; ldp x29, x30, [sp], #0x10; ret",
        ),
        row_in(
            frame(0, 0x2000, 0, &[19]),
            Inst::Ret { rets: vec![] },
            "91400bff f84107f3 a8c17bfd d65f03c0",
            "add sp, sp, #0x2, lsl #12; ldr x19, [sp], #0x10; ldp x29, x30, [sp], #0x10; ret",
        ),
        row_in(
            frame(16, 0x1230, 0, &[21, 22, 23]),
            Inst::Ret { rets: vec![] },
            "914007ff 910903ff f84107f7 a8c15bf5 a8c17bfd d65f03c0",
            "add sp, sp, #0x1, lsl #12; add sp, sp, #0x240; ldr x23, [sp], #0x10; ldp x21, x22, [sp], #0x10; ldp x29, x30, [sp], #0x10; ret",
        ),
        row_in(
            frame(0, 0x100_0000, 0, &[]),
            Inst::Ret { rets: vec![] },
            "d2a02011 8b3163ff a8c17bfd d65f03c0",
            "mov x17, #0x1000000; add sp, sp, x17; ldp x29, x30, [sp], #0x10; ret",
        ),
    ]
}
