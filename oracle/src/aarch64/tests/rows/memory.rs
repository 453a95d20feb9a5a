//! AArch64 oracle rows. Loads, stores, address computation and register pairs, in every addressing form.

use super::*;

/// The rows of this family.
pub fn rows() -> Vec<Row> {
    vec![
        row(
            Inst::Load { op: LoadOp::Ldrb, rd: wr(3), mem: AMode::UnsignedOffset { rn: x(2), offset: 4095 } },
            "397ffc43",
            "ldrb w3, [x2, #0xfff]",
        ),
        row(
            Inst::Load { op: LoadOp::Ldrh, rd: wr(6), mem: AMode::Unscaled { rn: x(3), offset: -17 } },
            "785ef066",
            "ldurh w6, [x3, #-0x11]",
        ),
        row(
            Inst::Load { op: LoadOp::LdrW, rd: wr(9), mem: AMode::PreIndexed { rn: x(31), offset: -16 } },
            "b85f0fe9",
            "ldr w9, [sp, #-0x10]!",
        ),
        row(
            Inst::Load { op: LoadOp::LdrX, rd: wr(12), mem: AMode::PostIndexed { rn: x(31), offset: 16 } },
            "f84107ec",
            "ldr x12, [sp], #0x10",
        ),
        row(
            Inst::Load {
                op: LoadOp::LdrsbW,
                rd: wr(15),
                mem: AMode::RegExtended { rn: x(4), rm: x(5), extend: ExtendOp::Uxtx, scaled: false },
            },
            "38e5688f",
            "ldrsb w15, [x4, x5]",
        ),
        row(
            Inst::Load {
                op: LoadOp::LdrsbX,
                rd: wr(21),
                mem: AMode::RegExtended { rn: x(6), rm: x(7), extend: ExtendOp::Uxtx, scaled: true },
            },
            "38a778d5",
            "ldrsb x21, [x6, x7]",
        ),
        row(
            Inst::Load {
                op: LoadOp::LdrshW,
                rd: wr(24),
                mem: AMode::RegExtended { rn: x(8), rm: x(9), extend: ExtendOp::Uxtw, scaled: true },
            },
            "78e95918",
            "ldrsh w24, [x8, w9, uxtw #1]",
        ),
        row(
            Inst::Load {
                op: LoadOp::LdrshX,
                rd: wr(27),
                mem: AMode::RegExtended { rn: x(31), rm: x(10), extend: ExtendOp::Sxtw, scaled: false },
            },
            "78aacbfb",
            "ldrsh x27, [sp, w10, sxtw #0]",
        ),
        row(
            Inst::Load { op: LoadOp::Ldrsw, rd: wr(1), mem: AMode::RegOffset { rn: x(11), offset: 12 } },
            "b9800d61",
            "ldrsw x1, [x11, #0xc]",
        ),
        row(
            Inst::Load { op: LoadOp::Ldrb, rd: wr(0), mem: AMode::RegOffset { rn: x(12), offset: -9 } },
            "385f7180",
            "ldurb w0, [x12, #-0x9]",
        ),
        row(
            Inst::Load { op: LoadOp::Ldrh, rd: wr(3), mem: AMode::RegOffset { rn: x(13), offset: 0x12345 } },
            "d28468b1 f2a00031 787169a3",
            "mov x17, #0x2345; movk x17, #0x1, lsl #16; ldrh w3, [x13, x17]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::Load { op: LoadOp::LdrW, rd: wr(6), mem: AMode::Frame(FrameOffset::Outgoing(8)) },
            "b9400be6",
            "ldr w6, [sp, #0x8]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::Load { op: LoadOp::LdrX, rd: wr(9), mem: AMode::Frame(FrameOffset::StackSlot(16)) },
            "f94013e9",
            "ldr x9, [sp, #0x20]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::Load { op: LoadOp::LdrsbW, rd: wr(12), mem: AMode::Frame(FrameOffset::Spill(3)) },
            "39c123ec",
            "ldrsb w12, [sp, #0x48]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::Load { op: LoadOp::LdrsbX, rd: wr(15), mem: AMode::Frame(FrameOffset::IncomingArg(8)) },
            "398063af",
            "ldrsb x15, [x29, #0x18]",
        ),
        row(
            Inst::Load { op: LoadOp::Ldrb, rd: wr(21), mem: AMode::reg_offset(x(22), 2) },
            "39400ad5",
            "ldrb w21, [x22, #0x2]",
        ),
        row(
            Inst::Load { op: LoadOp::Ldrh, rd: wr(24), mem: AMode::reg_offset(x(25), 4) },
            "79400b38",
            "ldrh w24, [x25, #0x4]",
        ),
        row(
            Inst::Load { op: LoadOp::LdrW, rd: wr(27), mem: AMode::reg_offset(x(28), 8) },
            "b9400b9b",
            "ldr w27, [x28, #0x8]",
        ),
        row(
            Inst::Load { op: LoadOp::LdrX, rd: wr(1), mem: AMode::reg_offset(x(28), 16) },
            "f9400b81",
            "ldr x1, [x28, #0x10]",
        ),
        row(
            Inst::Load { op: LoadOp::LdrsbW, rd: wr(0), mem: AMode::reg_offset(x(1), 2) },
            "39c00820",
            "ldrsb w0, [x1, #0x2]",
        ),
        row(
            Inst::Load { op: LoadOp::LdrsbX, rd: wr(3), mem: AMode::reg_offset(x(4), 2) },
            "39800883",
            "ldrsb x3, [x4, #0x2]",
        ),
        row(
            Inst::Load { op: LoadOp::LdrshW, rd: wr(6), mem: AMode::reg_offset(x(7), 4) },
            "79c008e6",
            "ldrsh w6, [x7, #0x4]",
        ),
        row(
            Inst::Load { op: LoadOp::LdrshX, rd: wr(9), mem: AMode::reg_offset(x(10), 4) },
            "79800949",
            "ldrsh x9, [x10, #0x4]",
        ),
        row(
            Inst::Load { op: LoadOp::Ldrsw, rd: wr(12), mem: AMode::reg_offset(x(13), 8) },
            "b98009ac",
            "ldrsw x12, [x13, #0x8]",
        ),
        row(
            Inst::Store { op: StoreOp::Strb, rt: x(15), mem: AMode::UnsignedOffset { rn: x(2), offset: 4095 } },
            "393ffc4f",
            "strb w15, [x2, #0xfff]",
        ),
        row(
            Inst::Store { op: StoreOp::Strh, rt: x(21), mem: AMode::Unscaled { rn: x(3), offset: -17 } },
            "781ef075",
            "sturh w21, [x3, #-0x11]",
        ),
        row(
            Inst::Store { op: StoreOp::StrW, rt: x(24), mem: AMode::PreIndexed { rn: x(31), offset: -16 } },
            "b81f0ff8",
            "str w24, [sp, #-0x10]!",
        ),
        row(
            Inst::Store { op: StoreOp::StrX, rt: x(27), mem: AMode::PostIndexed { rn: x(31), offset: 16 } },
            "f80107fb",
            "str x27, [sp], #0x10",
        ),
        row(
            Inst::Store {
                op: StoreOp::Strb,
                rt: x(1),
                mem: AMode::RegExtended { rn: x(4), rm: x(5), extend: ExtendOp::Uxtx, scaled: false },
            },
            "38256881",
            "strb w1, [x4, x5]",
        ),
        row(
            Inst::Store {
                op: StoreOp::Strh,
                rt: x(0),
                mem: AMode::RegExtended { rn: x(6), rm: x(7), extend: ExtendOp::Uxtx, scaled: true },
            },
            "782778c0",
            "strh w0, [x6, x7, lsl #1]",
        ),
        row(
            Inst::Store {
                op: StoreOp::StrW,
                rt: x(3),
                mem: AMode::RegExtended { rn: x(8), rm: x(9), extend: ExtendOp::Uxtw, scaled: true },
            },
            "b8295903",
            "str w3, [x8, w9, uxtw #2]",
        ),
        row(
            Inst::Store {
                op: StoreOp::StrX,
                rt: x(6),
                mem: AMode::RegExtended { rn: x(31), rm: x(10), extend: ExtendOp::Sxtw, scaled: false },
            },
            "f82acbe6",
            "str x6, [sp, w10, sxtw #0]",
        ),
        row(
            Inst::Store { op: StoreOp::Strb, rt: x(9), mem: AMode::RegOffset { rn: x(11), offset: 3 } },
            "39000d69",
            "strb w9, [x11, #0x3]",
        ),
        row(
            Inst::Store { op: StoreOp::Strh, rt: x(12), mem: AMode::RegOffset { rn: x(12), offset: -9 } },
            "781f718c",
            "sturh w12, [x12, #-0x9]",
        ),
        row(
            Inst::Store { op: StoreOp::StrW, rt: x(15), mem: AMode::RegOffset { rn: x(13), offset: 0x12345 } },
            "d28468b1 f2a00031 b83169af",
            "mov x17, #0x2345; movk x17, #0x1, lsl #16; str w15, [x13, x17]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::Store { op: StoreOp::StrX, rt: x(21), mem: AMode::Frame(FrameOffset::Outgoing(8)) },
            "f90007f5",
            "str x21, [sp, #0x8]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::Store { op: StoreOp::Strb, rt: x(24), mem: AMode::Frame(FrameOffset::StackSlot(16)) },
            "390083f8",
            "strb w24, [sp, #0x20]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::Store { op: StoreOp::Strh, rt: x(27), mem: AMode::Frame(FrameOffset::Spill(3)) },
            "790093fb",
            "strh w27, [sp, #0x48]",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::Store { op: StoreOp::StrW, rt: x(1), mem: AMode::Frame(FrameOffset::IncomingArg(8)) },
            "b9001ba1",
            "str w1, [x29, #0x18]",
        ),
        row(
            Inst::Store { op: StoreOp::Strb, rt: x(0), mem: AMode::reg_offset(x(1), -1) },
            "381ff020",
            "sturb w0, [x1, #-0x1]",
        ),
        row(
            Inst::Store { op: StoreOp::Strh, rt: x(3), mem: AMode::reg_offset(x(4), -2) },
            "781fe083",
            "sturh w3, [x4, #-0x2]",
        ),
        row(
            Inst::Store { op: StoreOp::StrW, rt: x(6), mem: AMode::reg_offset(x(7), -4) },
            "b81fc0e6",
            "stur w6, [x7, #-0x4]",
        ),
        row(
            Inst::Store { op: StoreOp::StrX, rt: x(9), mem: AMode::reg_offset(x(10), -8) },
            "f81f8149",
            "stur x9, [x10, #-0x8]",
        ),
        row(
            Inst::Store { op: StoreOp::StrX, rt: x(31), mem: AMode::reg_offset(x(2), 8) },
            "f900045f",
            "str xzr, [x2, #0x8]",
        ),
        row(Inst::LoadAddr { rd: wr(1), mem: AMode::reg_offset(x(31), 0x40) }, "910103e1", "add x1, sp, #0x40"),
        row(
            Inst::LoadAddr { rd: wr(2), mem: AMode::reg_offset(x(3), -0x2000) },
            "d1400862",
            "sub x2, x3, #0x2, lsl #12",
        ),
        row(
            Inst::LoadAddr { rd: wr(4), mem: AMode::reg_offset(x(31), 0x12345) },
            "d28468b1 f2a00031 8b3163e4",
            "mov x17, #0x2345; movk x17, #0x1, lsl #16; add x4, sp, x17",
        ),
        row_in(
            frame(16, 32, 8, &[]),
            Inst::LoadAddr { rd: wr(5), mem: AMode::Frame(FrameOffset::StackSlot(8)) },
            "910063e5",
            "add x5, sp, #0x18",
        ),
        row(
            Inst::StoreP64 { rt: x(19), rt2: x(20), mem: PairAMode::SignedOffset { rn: x(31), offset: 32 } },
            "a90253f3",
            "stp x19, x20, [sp, #0x20]",
        ),
        row(
            Inst::LoadP64 { rt: wr(29), rt2: wr(30), mem: PairAMode::SignedOffset { rn: x(31), offset: 32 } },
            "a9427bfd",
            "ldp x29, x30, [sp, #0x20]",
        ),
        row(
            Inst::StoreP64 { rt: x(19), rt2: x(20), mem: PairAMode::PreIndexed { rn: x(31), offset: -16 } },
            "a9bf53f3",
            "stp x19, x20, [sp, #-0x10]!",
        ),
        row(
            Inst::LoadP64 { rt: wr(29), rt2: wr(30), mem: PairAMode::PreIndexed { rn: x(31), offset: -16 } },
            "a9ff7bfd",
            "ldp x29, x30, [sp, #-0x10]!",
        ),
        row(
            Inst::StoreP64 { rt: x(19), rt2: x(20), mem: PairAMode::PostIndexed { rn: x(31), offset: 16 } },
            "a88153f3",
            "stp x19, x20, [sp], #0x10",
        ),
        row(
            Inst::LoadP64 { rt: wr(29), rt2: wr(30), mem: PairAMode::PostIndexed { rn: x(31), offset: 16 } },
            "a8c17bfd",
            "ldp x29, x30, [sp], #0x10",
        ),
        row(
            Inst::StoreP64 { rt: x(1), rt2: x(2), mem: PairAMode::SignedOffset { rn: x(3), offset: -512 } },
            "a9200861",
            "stp x1, x2, [x3, #-0x200]",
        ),
        row(
            Inst::LoadP64 { rt: wr(1), rt2: wr(2), mem: PairAMode::SignedOffset { rn: x(3), offset: 504 } },
            "a95f8861",
            "ldp x1, x2, [x3, #0x1f8]",
        ),
        // The other register-offset extensions (words checked with GNU `as`).
        row(
            Inst::Load {
                op: LoadOp::LdrX,
                rd: wr(1),
                mem: AMode::RegExtended { rn: x(2), rm: x(3), extend: ExtendOp::Uxtw, scaled: false },
            },
            "f8634841",
            "ldr x1, [x2, w3, uxtw]",
        ),
        row(
            Inst::Load {
                op: LoadOp::LdrW,
                rd: wr(4),
                mem: AMode::RegExtended { rn: x(5), rm: x(6), extend: ExtendOp::Sxtw, scaled: true },
            },
            "b866d8a4",
            "ldr w4, [x5, w6, sxtw #2]",
        ),
        row(
            Inst::Load {
                op: LoadOp::Ldrh,
                rd: wr(7),
                mem: AMode::RegExtended { rn: x(8), rm: x(9), extend: ExtendOp::Sxtx, scaled: false },
            },
            "7869e907",
            "ldrh w7, [x8, x9, sxtx #0]",
        ),
        row(
            Inst::Load {
                op: LoadOp::Ldrsw,
                rd: wr(10),
                mem: AMode::RegExtended { rn: x(11), rm: x(12), extend: ExtendOp::Sxtx, scaled: true },
            },
            "b8acf96a",
            "ldrsw x10, [x11, x12, sxtx #2]",
        ),
        row(
            Inst::Store {
                op: StoreOp::StrX,
                rt: x(13),
                mem: AMode::RegExtended { rn: x(14), rm: x(15), extend: ExtendOp::Uxtw, scaled: false },
            },
            "f82f49cd",
            "str x13, [x14, w15, uxtw]",
        ),
        row(
            Inst::Store {
                op: StoreOp::StrW,
                rt: x(16),
                mem: AMode::RegExtended { rn: x(31), rm: x(17), extend: ExtendOp::Sxtw, scaled: true },
            },
            "b831dbf0",
            "str w16, [sp, w17, sxtw #2]",
        ),
        row(
            Inst::Store {
                op: StoreOp::Strh,
                rt: x(18),
                mem: AMode::RegExtended { rn: x(19), rm: x(20), extend: ExtendOp::Sxtx, scaled: false },
            },
            "7834ea72",
            "strh w18, [x19, x20, sxtx #0]",
        ),
        row(
            Inst::Store {
                op: StoreOp::StrX,
                rt: x(21),
                mem: AMode::RegExtended { rn: x(22), rm: x(23), extend: ExtendOp::Sxtx, scaled: true },
            },
            "f837fad5",
            "str x21, [x22, x23, sxtx #3]",
        ),
    ]
}
