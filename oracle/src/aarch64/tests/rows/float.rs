//! AArch64 oracle rows. Floating point: arithmetic, rounding, conversions, moves
//! between register files, compares, selects, and float loads and stores in
//! every addressing form; the words were checked with GNU `as`/`objdump`.

use super::*;
use compiler::isa::aarch64::inst::args_fp::{FloatSize, FpuOp1, FpuOp2};

/// The rows of this family.
pub fn rows() -> Vec<Row> {
    vec![
        row(
            Inst::FpuRRR { op: FpuOp2::Mul, size: FloatSize::F32, rd: vw(0), rn: v(3), rm: v(11) },
            "1e2b0860",
            "fmul s0, s3, s11",
        ),
        row(
            Inst::FpuRRR { op: FpuOp2::Div, size: FloatSize::F32, rd: vw(1), rn: v(10), rm: v(16) },
            "1e301941",
            "fdiv s1, s10, s16",
        ),
        row(
            Inst::FpuRRR { op: FpuOp2::Add, size: FloatSize::F32, rd: vw(2), rn: v(17), rm: v(21) },
            "1e352a22",
            "fadd s2, s17, s21",
        ),
        row(
            Inst::FpuRRR { op: FpuOp2::Sub, size: FloatSize::F32, rd: vw(3), rn: v(24), rm: v(26) },
            "1e3a3b03",
            "fsub s3, s24, s26",
        ),
        row(
            Inst::FpuRRR { op: FpuOp2::Max, size: FloatSize::F32, rd: vw(4), rn: v(31), rm: v(31) },
            "1e3f4be4",
            "fmax s4, s31, s31",
        ),
        row(
            Inst::FpuRRR { op: FpuOp2::Min, size: FloatSize::F32, rd: vw(5), rn: v(6), rm: v(4) },
            "1e2458c5",
            "fmin s5, s6, s4",
        ),
        row(
            Inst::FpuRRR { op: FpuOp2::Mul, size: FloatSize::F64, rd: vw(6), rn: v(13), rm: v(9) },
            "1e6909a6",
            "fmul d6, d13, d9",
        ),
        row(
            Inst::FpuRRR { op: FpuOp2::Div, size: FloatSize::F64, rd: vw(7), rn: v(20), rm: v(14) },
            "1e6e1a87",
            "fdiv d7, d20, d14",
        ),
        row(
            Inst::FpuRRR { op: FpuOp2::Add, size: FloatSize::F64, rd: vw(8), rn: v(27), rm: v(19) },
            "1e732b68",
            "fadd d8, d27, d19",
        ),
        row(
            Inst::FpuRRR { op: FpuOp2::Sub, size: FloatSize::F64, rd: vw(9), rn: v(2), rm: v(24) },
            "1e783849",
            "fsub d9, d2, d24",
        ),
        row(
            Inst::FpuRRR { op: FpuOp2::Max, size: FloatSize::F64, rd: vw(10), rn: v(9), rm: v(29) },
            "1e7d492a",
            "fmax d10, d9, d29",
        ),
        row(
            Inst::FpuRRR { op: FpuOp2::Min, size: FloatSize::F64, rd: vw(11), rn: v(16), rm: v(2) },
            "1e625a0b",
            "fmin d11, d16, d2",
        ),
        row(Inst::FpuRR { op: FpuOp1::Mov, size: FloatSize::F32, rd: vw(4), rn: v(5) }, "1e2040a4", "fmov s4, s5"),
        row(Inst::FpuRR { op: FpuOp1::Abs, size: FloatSize::F32, rd: vw(7), rn: v(16) }, "1e20c207", "fabs s7, s16"),
        row(Inst::FpuRR { op: FpuOp1::Neg, size: FloatSize::F32, rd: vw(10), rn: v(27) }, "1e21436a", "fneg s10, s27"),
        row(Inst::FpuRR { op: FpuOp1::Sqrt, size: FloatSize::F32, rd: vw(13), rn: v(6) }, "1e21c0cd", "fsqrt s13, s6"),
        row(
            Inst::FpuRR { op: FpuOp1::RintN, size: FloatSize::F32, rd: vw(16), rn: v(17) },
            "1e244230",
            "frintn s16, s17",
        ),
        row(
            Inst::FpuRR { op: FpuOp1::RintP, size: FloatSize::F32, rd: vw(19), rn: v(28) },
            "1e24c393",
            "frintp s19, s28",
        ),
        row(
            Inst::FpuRR { op: FpuOp1::RintM, size: FloatSize::F32, rd: vw(22), rn: v(7) },
            "1e2540f6",
            "frintm s22, s7",
        ),
        row(
            Inst::FpuRR { op: FpuOp1::RintZ, size: FloatSize::F32, rd: vw(25), rn: v(18) },
            "1e25c259",
            "frintz s25, s18",
        ),
        row(Inst::FpuRR { op: FpuOp1::Mov, size: FloatSize::F64, rd: vw(28), rn: v(29) }, "1e6043bc", "fmov d28, d29"),
        row(Inst::FpuRR { op: FpuOp1::Abs, size: FloatSize::F64, rd: vw(31), rn: v(8) }, "1e60c11f", "fabs d31, d8"),
        row(Inst::FpuRR { op: FpuOp1::Neg, size: FloatSize::F64, rd: vw(2), rn: v(19) }, "1e614262", "fneg d2, d19"),
        row(Inst::FpuRR { op: FpuOp1::Sqrt, size: FloatSize::F64, rd: vw(5), rn: v(30) }, "1e61c3c5", "fsqrt d5, d30"),
        row(Inst::FpuRR { op: FpuOp1::RintN, size: FloatSize::F64, rd: vw(8), rn: v(9) }, "1e644128", "frintn d8, d9"),
        row(
            Inst::FpuRR { op: FpuOp1::RintP, size: FloatSize::F64, rd: vw(11), rn: v(20) },
            "1e64c28b",
            "frintp d11, d20",
        ),
        row(
            Inst::FpuRR { op: FpuOp1::RintM, size: FloatSize::F64, rd: vw(14), rn: v(31) },
            "1e6543ee",
            "frintm d14, d31",
        ),
        row(
            Inst::FpuRR { op: FpuOp1::RintZ, size: FloatSize::F64, rd: vw(17), rn: v(10) },
            "1e65c151",
            "frintz d17, d10",
        ),
        row(Inst::FpuCvt { to: FloatSize::F64, rd: vw(1), rn: v(30) }, "1e22c3c1", "fcvt d1, s30"),
        row(Inst::FpuCvt { to: FloatSize::F32, rd: vw(31), rn: v(2) }, "1e62405f", "fcvt s31, d2"),
        row(Inst::FpuCmp { size: FloatSize::F32, rn: v(3), rm: v(17) }, "1e312060", "fcmp s3, s17"),
        row(Inst::FpuCmp { size: FloatSize::F64, rn: v(31), rm: v(0) }, "1e6023e0", "fcmp d31, d0"),
        row(
            Inst::FpuCSel { size: FloatSize::F32, cond: Cond::Mi, rd: vw(4), rn: v(5), rm: v(6) },
            "1e264ca4",
            "fcsel s4, s5, s6, mi",
        ),
        row(
            Inst::FpuCSel { size: FloatSize::F64, cond: Cond::Ls, rd: vw(29), rn: v(30), rm: v(31) },
            "1e7f9fdd",
            "fcsel d29, d30, d31, ls",
        ),
        row(
            Inst::IntToFpu { signed: true, int_size: S32, size: FloatSize::F32, rd: vw(12), rn: x(24) },
            "1e22030c",
            "scvtf s12, w24",
        ),
        row(
            Inst::FpuToInt { signed: true, int_size: S32, size: FloatSize::F32, rd: wr(21), rn: v(25) },
            "1e380335",
            "fcvtzs w21, s25",
        ),
        row(
            Inst::IntToFpu { signed: true, int_size: S32, size: FloatSize::F64, rd: vw(22), rn: x(30) },
            "1e6203d6",
            "scvtf d22, w30",
        ),
        row(
            Inst::FpuToInt { signed: true, int_size: S32, size: FloatSize::F64, rd: wr(0), rn: v(31) },
            "1e7803e0",
            "fcvtzs w0, d31",
        ),
        row(
            Inst::IntToFpu { signed: true, int_size: S64, size: FloatSize::F32, rd: vw(0), rn: x(5) },
            "9e2200a0",
            "scvtf s0, x5",
        ),
        row(
            Inst::FpuToInt { signed: true, int_size: S64, size: FloatSize::F32, rd: wr(10), rn: v(5) },
            "9e3800aa",
            "fcvtzs x10, s5",
        ),
        row(
            Inst::IntToFpu { signed: true, int_size: S64, size: FloatSize::F64, rd: vw(10), rn: x(11) },
            "9e62016a",
            "scvtf d10, x11",
        ),
        row(
            Inst::FpuToInt { signed: true, int_size: S64, size: FloatSize::F64, rd: wr(20), rn: v(11) },
            "9e780174",
            "fcvtzs x20, d11",
        ),
        row(
            Inst::IntToFpu { signed: false, int_size: S32, size: FloatSize::F32, rd: vw(20), rn: x(17) },
            "1e230234",
            "ucvtf s20, w17",
        ),
        row(
            Inst::FpuToInt { signed: false, int_size: S32, size: FloatSize::F32, rd: wr(30), rn: v(17) },
            "1e39023e",
            "fcvtzu w30, s17",
        ),
        row(
            Inst::IntToFpu { signed: false, int_size: S32, size: FloatSize::F64, rd: vw(30), rn: x(23) },
            "1e6302fe",
            "ucvtf d30, w23",
        ),
        row(
            Inst::FpuToInt { signed: false, int_size: S32, size: FloatSize::F64, rd: wr(9), rn: v(23) },
            "1e7902e9",
            "fcvtzu w9, d23",
        ),
        row(
            Inst::IntToFpu { signed: false, int_size: S64, size: FloatSize::F32, rd: vw(8), rn: x(29) },
            "9e2303a8",
            "ucvtf s8, x29",
        ),
        row(
            Inst::FpuToInt { signed: false, int_size: S64, size: FloatSize::F32, rd: wr(19), rn: v(29) },
            "9e3903b3",
            "fcvtzu x19, s29",
        ),
        row(
            Inst::IntToFpu { signed: false, int_size: S64, size: FloatSize::F64, rd: vw(18), rn: x(4) },
            "9e630092",
            "ucvtf d18, x4",
        ),
        row(
            Inst::FpuToInt { signed: false, int_size: S64, size: FloatSize::F64, rd: wr(29), rn: v(3) },
            "9e79007d",
            "fcvtzu x29, d3",
        ),
        row(Inst::MovToFpu { size: FloatSize::F32, rd: vw(7), rn: x(8) }, "1e270107", "fmov s7, w8"),
        row(Inst::MovToFpu { size: FloatSize::F64, rd: vw(9), rn: x(31) }, "9e6703e9", "fmov d9, xzr"),
        row(Inst::MovFromFpu { size: FloatSize::F32, rd: wr(10), rn: v(11) }, "1e26016a", "fmov w10, s11"),
        row(Inst::MovFromFpu { size: FloatSize::F64, rd: wr(12), rn: v(13) }, "9e6601ac", "fmov x12, d13"),
        row(
            Inst::FpuLoad { size: FloatSize::F32, rd: vw(20), mem: AMode::UnsignedOffset { rn: x(2), offset: 16380 } },
            "bd7ffc54",
            "ldr s20, [x2, #0x3ffc]",
        ),
        row(
            Inst::FpuLoad { size: FloatSize::F64, rd: vw(27), mem: AMode::Unscaled { rn: x(3), offset: -17 } },
            "fc5ef07b",
            "ldur d27, [x3, #-0x11]",
        ),
        row(
            Inst::FpuLoad { size: FloatSize::F32, rd: vw(2), mem: AMode::PreIndexed { rn: x(31), offset: -16 } },
            "bc5f0fe2",
            "ldr s2, [sp, #-0x10]!",
        ),
        row(
            Inst::FpuLoad { size: FloatSize::F64, rd: vw(9), mem: AMode::PostIndexed { rn: x(31), offset: 16 } },
            "fc4107e9",
            "ldr d9, [sp], #0x10",
        ),
        row(
            Inst::FpuLoad {
                size: FloatSize::F32,
                rd: vw(16),
                mem: AMode::RegExtended { rn: x(4), rm: x(5), extend: ExtendOp::Uxtx, scaled: false },
            },
            "bc656890",
            "ldr s16, [x4, x5]",
        ),
        row(
            Inst::FpuLoad {
                size: FloatSize::F64,
                rd: vw(23),
                mem: AMode::RegExtended { rn: x(6), rm: x(7), extend: ExtendOp::Uxtx, scaled: true },
            },
            "fc6778d7",
            "ldr d23, [x6, x7, lsl #3]",
        ),
        row(
            Inst::FpuLoad {
                size: FloatSize::F32,
                rd: vw(30),
                mem: AMode::RegExtended { rn: x(8), rm: x(9), extend: ExtendOp::Uxtw, scaled: true },
            },
            "bc69591e",
            "ldr s30, [x8, w9, uxtw #2]",
        ),
        row(
            Inst::FpuLoad {
                size: FloatSize::F64,
                rd: vw(5),
                mem: AMode::RegExtended { rn: x(31), rm: x(10), extend: ExtendOp::Sxtw, scaled: false },
            },
            "fc6acbe5",
            "ldr d5, [sp, w10, sxtw #0]",
        ),
        row(
            Inst::FpuLoad { size: FloatSize::F32, rd: vw(12), mem: AMode::RegOffset { rn: x(11), offset: 12 } },
            "bd400d6c",
            "ldr s12, [x11, #0xc]",
        ),
        row(
            Inst::FpuLoad { size: FloatSize::F64, rd: vw(19), mem: AMode::RegOffset { rn: x(12), offset: -9 } },
            "fc5f7193",
            "ldur d19, [x12, #-0x9]",
        ),
        row(
            Inst::FpuLoad { size: FloatSize::F32, rd: vw(26), mem: AMode::RegOffset { rn: x(13), offset: 0x12345 } },
            "d28468b1 f2a00031 bc7169ba",
            "mov x17, #0x2345; movk x17, #0x1, lsl #16; ldr s26, [x13, x17]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::FpuLoad { size: FloatSize::F64, rd: vw(1), mem: AMode::Frame(FrameOffset::Outgoing(8)) },
            "fd4007e1",
            "ldr d1, [sp, #0x8]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::FpuLoad { size: FloatSize::F32, rd: vw(8), mem: AMode::Frame(FrameOffset::StackSlot(16)) },
            "bd4023e8",
            "ldr s8, [sp, #0x20]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::FpuLoad { size: FloatSize::F64, rd: vw(15), mem: AMode::Frame(FrameOffset::Spill(3)) },
            "fd4027ef",
            "ldr d15, [sp, #0x48]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::FpuLoad { size: FloatSize::F32, rd: vw(22), mem: AMode::Frame(FrameOffset::IncomingArg(8)) },
            "bd401bb6",
            "ldr s22, [x29, #0x18]",
        ),
        row(
            Inst::FpuStore { size: FloatSize::F32, rt: v(29), mem: AMode::UnsignedOffset { rn: x(2), offset: 16380 } },
            "bd3ffc5d",
            "str s29, [x2, #0x3ffc]",
        ),
        row(
            Inst::FpuStore { size: FloatSize::F64, rt: v(4), mem: AMode::Unscaled { rn: x(3), offset: -17 } },
            "fc1ef064",
            "stur d4, [x3, #-0x11]",
        ),
        row(
            Inst::FpuStore { size: FloatSize::F32, rt: v(11), mem: AMode::PreIndexed { rn: x(31), offset: -16 } },
            "bc1f0feb",
            "str s11, [sp, #-0x10]!",
        ),
        row(
            Inst::FpuStore { size: FloatSize::F64, rt: v(18), mem: AMode::PostIndexed { rn: x(31), offset: 16 } },
            "fc0107f2",
            "str d18, [sp], #0x10",
        ),
        row(
            Inst::FpuStore {
                size: FloatSize::F32,
                rt: v(25),
                mem: AMode::RegExtended { rn: x(4), rm: x(5), extend: ExtendOp::Uxtx, scaled: false },
            },
            "bc256899",
            "str s25, [x4, x5]",
        ),
        row(
            Inst::FpuStore {
                size: FloatSize::F64,
                rt: v(0),
                mem: AMode::RegExtended { rn: x(6), rm: x(7), extend: ExtendOp::Uxtx, scaled: true },
            },
            "fc2778c0",
            "str d0, [x6, x7, lsl #3]",
        ),
        row(
            Inst::FpuStore {
                size: FloatSize::F32,
                rt: v(7),
                mem: AMode::RegExtended { rn: x(8), rm: x(9), extend: ExtendOp::Uxtw, scaled: true },
            },
            "bc295907",
            "str s7, [x8, w9, uxtw #2]",
        ),
        row(
            Inst::FpuStore {
                size: FloatSize::F64,
                rt: v(14),
                mem: AMode::RegExtended { rn: x(31), rm: x(10), extend: ExtendOp::Sxtw, scaled: false },
            },
            "fc2acbee",
            "str d14, [sp, w10, sxtw #0]",
        ),
        row(
            Inst::FpuStore { size: FloatSize::F32, rt: v(21), mem: AMode::RegOffset { rn: x(11), offset: 12 } },
            "bd000d75",
            "str s21, [x11, #0xc]",
        ),
        row(
            Inst::FpuStore { size: FloatSize::F64, rt: v(28), mem: AMode::RegOffset { rn: x(12), offset: -9 } },
            "fc1f719c",
            "stur d28, [x12, #-0x9]",
        ),
        row(
            Inst::FpuStore { size: FloatSize::F32, rt: v(3), mem: AMode::RegOffset { rn: x(13), offset: 0x12345 } },
            "d28468b1 f2a00031 bc3169a3",
            "mov x17, #0x2345; movk x17, #0x1, lsl #16; str s3, [x13, x17]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::FpuStore { size: FloatSize::F64, rt: v(10), mem: AMode::Frame(FrameOffset::Outgoing(8)) },
            "fd0007ea",
            "str d10, [sp, #0x8]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::FpuStore { size: FloatSize::F32, rt: v(17), mem: AMode::Frame(FrameOffset::StackSlot(16)) },
            "bd0023f1",
            "str s17, [sp, #0x20]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::FpuStore { size: FloatSize::F64, rt: v(24), mem: AMode::Frame(FrameOffset::Spill(3)) },
            "fd0027f8",
            "str d24, [sp, #0x48]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::FpuStore { size: FloatSize::F32, rt: v(31), mem: AMode::Frame(FrameOffset::IncomingArg(8)) },
            "bd001bbf",
            "str s31, [x29, #0x18]",
        ),
        row_in(
            frame(0, 0, 2, &[19]).with_float_callee_saves(vec![8, 9]),
            Inst::Ret { rets: vec![] },
            "910043ff fc4107e9 fc4107e8 f84107f3 a8c17bfd d65f03c0",
            "add sp, sp, #0x10; ldr d9, [sp], #0x10; ldr d8, [sp], #0x10; ldr x19, [sp], #0x10; ldp x29, x30, [sp], #0x10; ret",
        ),
        // The other register-offset extensions (words checked with GNU `as`).
        row(
            Inst::FpuLoad {
                size: FloatSize::F64,
                rd: vw(1),
                mem: AMode::RegExtended { rn: x(2), rm: x(3), extend: ExtendOp::Uxtw, scaled: false },
            },
            "fc634841",
            "ldr d1, [x2, w3, uxtw]",
        ),
        row(
            Inst::FpuLoad {
                size: FloatSize::F32,
                rd: vw(4),
                mem: AMode::RegExtended { rn: x(5), rm: x(6), extend: ExtendOp::Sxtw, scaled: true },
            },
            "bc66d8a4",
            "ldr s4, [x5, w6, sxtw #2]",
        ),
        row(
            Inst::FpuLoad {
                size: FloatSize::F64,
                rd: vw(7),
                mem: AMode::RegExtended { rn: x(8), rm: x(9), extend: ExtendOp::Sxtx, scaled: false },
            },
            "fc69e907",
            "ldr d7, [x8, x9, sxtx #0]",
        ),
        row(
            Inst::FpuLoad {
                size: FloatSize::F32,
                rd: vw(10),
                mem: AMode::RegExtended { rn: x(11), rm: x(12), extend: ExtendOp::Sxtx, scaled: true },
            },
            "bc6cf96a",
            "ldr s10, [x11, x12, sxtx #2]",
        ),
        row(
            Inst::FpuStore {
                size: FloatSize::F32,
                rt: v(13),
                mem: AMode::RegExtended { rn: x(14), rm: x(15), extend: ExtendOp::Uxtw, scaled: false },
            },
            "bc2f49cd",
            "str s13, [x14, w15, uxtw]",
        ),
        row(
            Inst::FpuStore {
                size: FloatSize::F64,
                rt: v(16),
                mem: AMode::RegExtended { rn: x(17), rm: x(18), extend: ExtendOp::Sxtw, scaled: true },
            },
            "fc32da30",
            "str d16, [x17, w18, sxtw #3]",
        ),
        row(
            Inst::FpuStore {
                size: FloatSize::F32,
                rt: v(19),
                mem: AMode::RegExtended { rn: x(20), rm: x(21), extend: ExtendOp::Sxtx, scaled: false },
            },
            "bc35ea93",
            "str s19, [x20, x21, sxtx #0]",
        ),
        row(
            Inst::FpuStore {
                size: FloatSize::F64,
                rt: v(22),
                mem: AMode::RegExtended { rn: x(31), rm: x(24), extend: ExtendOp::Sxtx, scaled: true },
            },
            "fc38fbf6",
            "str d22, [sp, x24, sxtx #3]",
        ),
    ]
}
