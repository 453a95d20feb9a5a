//! AArch64 oracle rows. Constants and conditions: move-wide, `Imm` sequences, conditional select/set and compare.

use super::*;

/// The rows of this family.
pub fn rows() -> Vec<Row> {
    vec![
        row(
            Inst::MovWide { op: MoveWideOp::MovZ, size: S32, rd: wr(12), imm: mwc(0x1234, 0) },
            "5282468c",
            "mov w12, #0x1234",
        ),
        row(
            Inst::MovWide { op: MoveWideOp::MovZ, size: S32, rd: wr(15), imm: mwc(0x2345, 1) },
            "52a468af",
            "mov w15, #0x23450000",
        ),
        row(
            Inst::MovWide { op: MoveWideOp::MovN, size: S32, rd: wr(21), imm: mwc(0x1234, 0) },
            "12824695",
            "mov w21, #0xffffedcb",
        ),
        row(
            Inst::MovWide { op: MoveWideOp::MovN, size: S32, rd: wr(24), imm: mwc(0x2345, 1) },
            "12a468b8",
            "mov w24, #0xdcbaffff",
        ),
        row(Inst::MovK { size: S32, rd: wr(27), rn: x(27), imm: mwc(0xbeef, 0) }, "7297ddfb", "movk w27, #0xbeef"),
        row(
            Inst::MovK { size: S32, rd: wr(1), rn: x(1), imm: mwc(0xbef0, 1) },
            "72b7de01",
            "movk w1, #0xbef0, lsl #16",
        ),
        row(
            Inst::MovWide { op: MoveWideOp::MovZ, size: S64, rd: wr(0), imm: mwc(0x1234, 0) },
            "d2824680",
            "mov x0, #0x1234",
        ),
        row(
            Inst::MovWide { op: MoveWideOp::MovZ, size: S64, rd: wr(3), imm: mwc(0x2345, 1) },
            "d2a468a3",
            "mov x3, #0x23450000",
        ),
        row(
            Inst::MovWide { op: MoveWideOp::MovZ, size: S64, rd: wr(6), imm: mwc(0x3456, 2) },
            "d2c68ac6",
            "mov x6, #0x345600000000",
        ),
        row(
            Inst::MovWide { op: MoveWideOp::MovZ, size: S64, rd: wr(9), imm: mwc(0x4567, 3) },
            "d2e8ace9",
            "mov x9, #0x4567000000000000",
        ),
        row(
            Inst::MovWide { op: MoveWideOp::MovN, size: S64, rd: wr(12), imm: mwc(0x1234, 0) },
            "9282468c",
            "mov x12, #0xffffffffffffedcb",
        ),
        row(
            Inst::MovWide { op: MoveWideOp::MovN, size: S64, rd: wr(15), imm: mwc(0x2345, 1) },
            "92a468af",
            "mov x15, #0xffffffffdcbaffff",
        ),
        row(
            Inst::MovWide { op: MoveWideOp::MovN, size: S64, rd: wr(21), imm: mwc(0x3456, 2) },
            "92c68ad5",
            "mov x21, #0xffffcba9ffffffff",
        ),
        row(
            Inst::MovWide { op: MoveWideOp::MovN, size: S64, rd: wr(24), imm: mwc(0x4567, 3) },
            "92e8acf8",
            "mov x24, #0xba98ffffffffffff",
        ),
        row(Inst::MovK { size: S64, rd: wr(27), rn: x(27), imm: mwc(0xbeef, 0) }, "f297ddfb", "movk x27, #0xbeef"),
        row(
            Inst::MovK { size: S64, rd: wr(1), rn: x(1), imm: mwc(0xbef0, 1) },
            "f2b7de01",
            "movk x1, #0xbef0, lsl #16",
        ),
        row(
            Inst::MovK { size: S64, rd: wr(0), rn: x(0), imm: mwc(0xbef1, 2) },
            "f2d7de20",
            "movk x0, #0xbef1, lsl #32",
        ),
        row(
            Inst::MovK { size: S64, rd: wr(3), rn: x(3), imm: mwc(0xbef2, 3) },
            "f2f7de43",
            "movk x3, #0xbef2, lsl #48",
        ),
        row(Inst::Imm { size: S64, value: 0, rd: wr(6) }, "d2800006", "mov x6, #0x0"),
        row(Inst::Imm { size: S64, value: u64::MAX, rd: wr(9) }, "92800009", "mov x9, #0xffffffffffffffff"),
        row(
            Inst::Imm { size: S64, value: 0xffff_0000_0000_0000, rd: wr(12) },
            "d2ffffec",
            "mov x12, #0xffff000000000000",
        ),
        row(Inst::Imm { size: S64, value: 0x0000_ffff_ffff_ffff, rd: wr(15) }, "92ffffef", "mov x15, #0xffffffffffff"),
        row(
            Inst::Imm { size: S64, value: 0x5555_5555_5555_5555, rd: wr(21) },
            "b200f3f5",
            "mov x21, #0x5555555555555555",
        ),
        row(
            Inst::Imm { size: S64, value: 0x1234_5678_9abc_def0, rd: wr(24) },
            "d29bde18 f2b35798 f2cacf18 f2e24698",
            "mov x24, #0xdef0; movk x24, #0x9abc, lsl #16; movk x24, #0x5678, lsl #32; movk x24, #0x1234, lsl #48",
        ),
        row(
            Inst::Imm { size: S64, value: 0xffff_ffff_1234_5678, rd: wr(27) },
            "929530fb f2a2469b",
            "mov x27, #0xffffffffffff5678; movk x27, #0x1234, lsl #16",
        ),
        row(Inst::Imm { size: S32, value: u32::MAX as u64, rd: wr(1) }, "12800001", "mov w1, #0xffffffff"),
        row(Inst::Imm { size: S32, value: 0xffff_0000, rd: wr(0) }, "52bfffe0", "mov w0, #0xffff0000"),
        row(
            Inst::Imm { size: S32, value: 0x1234_5678, rd: wr(3) },
            "528acf03 72a24683",
            "mov w3, #0x5678; movk w3, #0x1234, lsl #16",
        ),
        row(Inst::Imm { size: S32, value: 0x0f0f_0f0f, rd: wr(6) }, "3200cfe6", "mov w6, #0xf0f0f0f"),
        row(Inst::Imm { size: S64, value: 0x1_0000, rd: wr(9) }, "d2a00029", "mov x9, #0x10000"),
        row(
            Inst::Imm { size: S64, value: 0xffff_ffff_ffff_1234, rd: wr(12) },
            "929db96c",
            "mov x12, #0xffffffffffff1234",
        ),
        row(
            Inst::Imm { size: S64, value: 0x0000_1234_0000_5678, rd: wr(15) },
            "d28acf0f f2c2468f",
            "mov x15, #0x5678; movk x15, #0x1234, lsl #32",
        ),
        row(
            Inst::Imm { size: S64, value: 0x1234_ffff_ffff_5678, rd: wr(21) },
            "929530f5 f2e24695",
            "mov x21, #0xffffffffffff5678; movk x21, #0x1234, lsl #48",
        ),
        row(
            Inst::CSel { size: S32, cond: Cond::Eq, rd: wr(24), rn: x(25), rm: x(26) },
            "1a9a0338",
            "csel w24, w25, w26, eq",
        ),
        row(Inst::CSet { size: S64, cond: Cond::Eq, rd: wr(25) }, "9a9f17f9", "cset x25, eq"),
        row(
            Inst::CSel { size: S64, cond: Cond::Ne, rd: wr(27), rn: x(28), rm: x(0) },
            "9a80139b",
            "csel x27, x28, x0, ne",
        ),
        row(Inst::CSet { size: S32, cond: Cond::Ne, rd: wr(28) }, "1a9f07fc", "cset w28, ne"),
        row(
            Inst::CSel { size: S32, cond: Cond::Hs, rd: wr(1), rn: x(28), rm: x(15) },
            "1a8f2381",
            "csel w1, w28, w15, hs",
        ),
        row(Inst::CSet { size: S64, cond: Cond::Hs, rd: wr(28) }, "9a9f37fc", "cset x28, hs"),
        row(Inst::CSel { size: S64, cond: Cond::Lo, rd: wr(0), rn: x(1), rm: x(2) }, "9a823020", "csel x0, x1, x2, lo"),
        row(Inst::CSet { size: S32, cond: Cond::Lo, rd: wr(1) }, "1a9f27e1", "cset w1, lo"),
        row(Inst::CSel { size: S32, cond: Cond::Mi, rd: wr(3), rn: x(4), rm: x(5) }, "1a854083", "csel w3, w4, w5, mi"),
        row(Inst::CSet { size: S64, cond: Cond::Mi, rd: wr(4) }, "9a9f57e4", "cset x4, mi"),
        row(Inst::CSel { size: S64, cond: Cond::Pl, rd: wr(6), rn: x(7), rm: x(8) }, "9a8850e6", "csel x6, x7, x8, pl"),
        row(Inst::CSet { size: S32, cond: Cond::Pl, rd: wr(7) }, "1a9f47e7", "cset w7, pl"),
        row(
            Inst::CSel { size: S32, cond: Cond::Vs, rd: wr(9), rn: x(10), rm: x(11) },
            "1a8b6149",
            "csel w9, w10, w11, vs",
        ),
        row(Inst::CSet { size: S64, cond: Cond::Vs, rd: wr(10) }, "9a9f77ea", "cset x10, vs"),
        row(
            Inst::CSel { size: S64, cond: Cond::Vc, rd: wr(12), rn: x(13), rm: x(14) },
            "9a8e71ac",
            "csel x12, x13, x14, vc",
        ),
        row(Inst::CSet { size: S32, cond: Cond::Vc, rd: wr(13) }, "1a9f67ed", "cset w13, vc"),
        row(
            Inst::CSel { size: S32, cond: Cond::Hi, rd: wr(15), rn: x(19), rm: x(20) },
            "1a94826f",
            "csel w15, w19, w20, hi",
        ),
        row(Inst::CSet { size: S64, cond: Cond::Hi, rd: wr(19) }, "9a9f97f3", "cset x19, hi"),
        row(
            Inst::CSel { size: S64, cond: Cond::Ls, rd: wr(21), rn: x(22), rm: x(23) },
            "9a9792d5",
            "csel x21, x22, x23, ls",
        ),
        row(Inst::CSet { size: S32, cond: Cond::Ls, rd: wr(22) }, "1a9f87f6", "cset w22, ls"),
        row(
            Inst::CSel { size: S32, cond: Cond::Ge, rd: wr(24), rn: x(25), rm: x(26) },
            "1a9aa338",
            "csel w24, w25, w26, ge",
        ),
        row(Inst::CSet { size: S64, cond: Cond::Ge, rd: wr(25) }, "9a9fb7f9", "cset x25, ge"),
        row(
            Inst::CSel { size: S64, cond: Cond::Lt, rd: wr(27), rn: x(28), rm: x(0) },
            "9a80b39b",
            "csel x27, x28, x0, lt",
        ),
        row(Inst::CSet { size: S32, cond: Cond::Lt, rd: wr(28) }, "1a9fa7fc", "cset w28, lt"),
        row(
            Inst::CSel { size: S32, cond: Cond::Gt, rd: wr(1), rn: x(28), rm: x(15) },
            "1a8fc381",
            "csel w1, w28, w15, gt",
        ),
        row(Inst::CSet { size: S64, cond: Cond::Gt, rd: wr(28) }, "9a9fd7fc", "cset x28, gt"),
        row(Inst::CSel { size: S64, cond: Cond::Le, rd: wr(0), rn: x(1), rm: x(2) }, "9a82d020", "csel x0, x1, x2, le"),
        row(Inst::CSet { size: S32, cond: Cond::Le, rd: wr(1) }, "1a9fc7e1", "cset w1, le"),
        row(
            Inst::CCmpImm { size: S32, rn: x(3), imm: 31, nzcv: 15, cond: Cond::Le },
            "7a5fd86f",
            "ccmp w3, #0x1f, #0xf, le",
        ),
        row(
            Inst::CCmpImm { size: S64, rn: x(2), imm: 1, nzcv: 0, cond: Cond::Eq },
            "fa410840",
            "ccmp x2, #0x1, #0x0, eq",
        ),
    ]
}
