//! Instruction forms: the coverage measure of the emit-test table.
//!
//! Part of the emit tests. A *form* is one way `emit.rs` can encode an
//! instruction (a variant with an operand kind, size, condition, addressing
//! shape or immediate edge), named by a key such as `AluRmiR/Add/Size64/Imm8`
//! or `Amode/Base/RbpR13`. [`form_keys`] names the forms a row exercises;
//! [`all_forms`] lists every form the encoder has, and a test asserts that
//! each has a row (and that every row's forms are in the list).
//!
//! Invariant: when `emit.rs` gains a form (a new variant, operand kind,
//! size or encoding choice), `all_forms` gains its key.

use super::{LabelAt, Row};
use crate::isa::x64::inst::Inst;
use crate::isa::x64::inst::args::*;
use crate::machinst::Reg;

/// Immediates at the `imm8`/`imm32` boundary of the ALU and `cmp` forms.
const ALU_IMM_EDGES: [i32; 7] = [0, 127, 128, -128, -129, i32::MIN, i32::MAX];
/// Displacements at the `disp8`/`disp32` boundary.
const DISP_EDGES: [i32; 4] = [127, -128, 128, -129];
/// `Imm` values at the edges between its three encodings.
const IMM_EDGES: [u64; 7] = [
    0,
    0x8000_0000,                  // > i32::MAX: still `mov r32, imm32`
    u32::MAX as u64,              // the largest `mov r32, imm32`
    u32::MAX as u64 + 1,          // the smallest `movabs`
    u64::MAX,                     // -1: `mov r/m64, simm32`
    i32::MIN as i64 as u64,       // the most negative simm32
    (i32::MIN as i64 - 1) as u64, // one below: `movabs`
];

const SIZES: [OperandSize; 2] = [OperandSize::Size32, OperandSize::Size64];

fn hw(reg: Reg) -> u8 {
    reg.hw_enc()
}

/// `Legacy` for `al`..`bl`, `Rex` for `spl`..`dil` (only addressable with
/// a REX prefix), `Extended` for `r8b`..`r15b`.
fn byte_reg_class(reg: Reg) -> &'static str {
    match hw(reg) {
        0..=3 => "Legacy",
        4..=7 => "Rex",
        _ => "Extended",
    }
}

fn rmi_kind(src: &RegMemImm) -> String {
    match src {
        RegMemImm::Reg(_) => "Reg".into(),
        RegMemImm::Mem(_) => "Mem".into(),
        RegMemImm::Imm(value) if i8::try_from(*value).is_ok() => "Imm8".into(),
        RegMemImm::Imm(_) => "Imm32".into(),
    }
}

fn rm_kind(src: &RegMem) -> &'static str {
    match src {
        RegMem::Reg(_) => "Reg",
        RegMem::Mem(_) => "Mem",
    }
}

fn base_class(base: Reg) -> &'static str {
    match hw(base) & 7 {
        4 => "RspR12",
        5 => "RbpR13",
        _ => "Plain",
    }
}

fn disp_keys(disp: i32, keys: &mut Vec<String>) {
    let class = if disp == 0 {
        "Zero"
    } else if i8::try_from(disp).is_ok() {
        "Disp8"
    } else {
        "Disp32"
    };
    keys.push(format!("Amode/Disp/{class}"));
    if DISP_EDGES.contains(&disp) {
        keys.push(format!("Amode/DispValue/{disp}"));
    }
}

fn amode_keys(amode: &Amode, keys: &mut Vec<String>) {
    match *amode {
        Amode::ImmReg { base, disp } => {
            keys.push(format!("Amode/Base/{}", base_class(base)));
            if hw(base) >= 8 {
                keys.push("Amode/BaseExtended".into());
            }
            disp_keys(disp, keys);
        }
        Amode::ImmRegRegShift { base, index, shift, disp } => {
            keys.push(format!("Amode/IndexBase/{}", base_class(base)));
            keys.push(format!("Amode/Index/Scale{}", 1 << shift));
            if hw(base) >= 8 {
                keys.push("Amode/BaseExtended".into());
            }
            if hw(index) >= 8 {
                keys.push("Amode/IndexExtended".into());
            }
            if hw(index) == 12 {
                keys.push("Amode/IndexR12".into());
            }
            disp_keys(disp, keys);
        }
        Amode::RipRelative { .. } => keys.push("Amode/Rip".into()),
        Amode::Frame(offset) => keys.push(format!("Amode/Frame/{}", frame_offset_name(offset))),
    }
}

fn frame_offset_name(offset: FrameOffset) -> &'static str {
    match offset {
        FrameOffset::Outgoing(_) => "Outgoing",
        FrameOffset::StackSlot(_) => "StackSlot",
        FrameOffset::Spill(_) => "Spill",
        FrameOffset::IncomingArg(_) => "IncomingArg",
    }
}

fn rmi_amode(src: &RegMemImm, keys: &mut Vec<String>) {
    if let RegMemImm::Mem(amode) = src {
        amode_keys(amode, keys);
    }
}

fn rm_amode(src: &RegMem, keys: &mut Vec<String>) {
    if let RegMem::Mem(amode) = src {
        amode_keys(amode, keys);
    }
}

fn imm_form(size: OperandSize, value: u64) -> &'static str {
    if size == OperandSize::Size64 && (value as i64) < 0 && i32::try_from(value as i64).is_ok() {
        "MovRm64Simm32"
    } else if size != OperandSize::Size64 || value <= u32::MAX as u64 {
        "MovR32Imm32"
    } else {
        "Movabs"
    }
}

fn label_form(at: LabelAt) -> &'static str {
    match at {
        LabelAt::Start => "Backward",
        LabelAt::End => "FallThrough",
        LabelAt::Past(_) => "Forward",
    }
}

/// The forms `row` exercises; the first is the instruction's own form.
pub fn form_keys(row: &Row) -> Vec<String> {
    let mut keys = Vec::new();
    let k = &mut keys;
    match &row.inst {
        Inst::Args { .. } => k.push("Args".into()),
        Inst::Ret { .. } => {
            let frame = &row.frame;
            let add = match frame.frame_size {
                0 => "NoFrame",
                n if n < 128 => "Imm8",
                _ => "Imm32",
            };
            k.push(format!("Ret/{add}"));
            if !frame.callee_saves.is_empty() {
                k.push("Ret/CalleeSaves".into());
            }
        }
        Inst::AluRmiR { size, op, src2, .. } => {
            k.push(format!("AluRmiR/{op:?}/{size:?}/{}", rmi_kind(src2)));
            match src2 {
                RegMemImm::Imm(value) if ALU_IMM_EDGES.contains(value) => k.push(format!("AluImm/{value}")),
                _ => rmi_amode(src2, k),
            }
        }
        Inst::Imul { size, src2, .. } => {
            k.push(format!("Imul/{size:?}/{}", rm_kind(src2)));
            rm_amode(src2, k);
        }
        Inst::Unary { size, op, .. } => k.push(format!("Unary/{op:?}/{size:?}")),
        Inst::BitScan { size, op, src, .. } => {
            k.push(format!("BitScan/{op:?}/{size:?}/{}", rm_kind(src)));
            rm_amode(src, k);
        }
        Inst::Shift { size, kind, amount, .. } => {
            k.push(format!("Shift/{kind:?}/{size:?}/{}", if amount.is_some() { "Imm" } else { "Cl" }))
        }
        Inst::Div { size, signed, .. } => {
            k.push(format!("Div/{}/{size:?}", if *signed { "Signed" } else { "Unsigned" }))
        }
        Inst::SignExtendData { size, .. } => k.push(format!("SignExtendData/{size:?}")),
        Inst::CheckedSRem { size, .. } => k.push(format!("CheckedSRem/{size:?}")),
        Inst::MovRR { size, .. } => k.push(format!("MovRR/{size:?}")),
        Inst::Imm { size, value, .. } => {
            k.push(format!("Imm/{size:?}/{}", imm_form(*size, *value)));
            if IMM_EDGES.contains(value) {
                k.push(format!("ImmValue/{value:#x}"));
            }
        }
        Inst::MovzxRmR { mode, src, .. } | Inst::MovsxRmR { mode, src, .. } => {
            let name = if matches!(row.inst, Inst::MovzxRmR { .. }) { "MovzxRmR" } else { "MovsxRmR" };
            k.push(format!("{name}/{mode:?}/{}", rm_kind(src)));
            match src {
                RegMem::Reg(r) if mode.src_bytes() == 1 => k.push(format!("ByteReg/{name}/{}", byte_reg_class(*r))),
                _ => rm_amode(src, k),
            }
        }
        Inst::Mov64MR { src, .. } => {
            k.push("Mov64MR".into());
            amode_keys(src, k);
        }
        Inst::MovRM { size, src, dst } => {
            k.push(format!("MovRM/{size:?}"));
            if *size == OperandSize::Size8 {
                k.push(format!("ByteReg/MovRM/{}", byte_reg_class(*src)));
            }
            amode_keys(dst, k);
        }
        Inst::Lea { addr, .. } => {
            k.push("Lea".into());
            amode_keys(addr, k);
        }
        Inst::Cmp { size, op, src2, .. } => {
            // `test` has no imm8 form.
            let kind = match (op, src2) {
                (CmpOp::Test, RegMemImm::Imm(_)) => "Imm32".into(),
                _ => rmi_kind(src2),
            };
            k.push(format!("Cmp/{op:?}/{size:?}/{kind}"));
            match src2 {
                RegMemImm::Imm(value) if *op == CmpOp::Cmp && ALU_IMM_EDGES.contains(value) => {
                    k.push(format!("CmpImm/{value}"))
                }
                _ => rmi_amode(src2, k),
            }
        }
        Inst::Setcc { cc, dst } => {
            k.push(format!("Setcc/{cc:?}"));
            k.push(format!("ByteReg/Setcc/{}", byte_reg_class(dst.to_reg())));
        }
        Inst::Cmove { size, cc, .. } => {
            k.push(format!("Cmove/{cc:?}"));
            k.push(format!("Cmove/{size:?}"));
        }
        Inst::Jmp { target } => k.push(format!("Jmp/{}", label_form(row.labels[target.0 as usize]))),
        Inst::JmpCond { cc, taken, not_taken } => {
            k.push(format!("JmpCond/{cc:?}"));
            let (taken, not_taken) = (row.labels[taken.0 as usize], row.labels[not_taken.0 as usize]);
            let shape = match (taken, not_taken) {
                (_, LabelAt::End) => "FallThroughNotTaken",
                (LabelAt::End, _) => "FallThroughTaken",
                _ => "Both",
            };
            k.push(format!("JmpCond/{shape}"));
        }
        Inst::JmpTable { .. } => k.push("JmpTable".into()),
        Inst::CallKnown { .. } => k.push("CallKnown".into()),
        Inst::CallUnknown { .. } => k.push("CallUnknown".into()),
        Inst::Ud2 { .. } => k.push("Ud2".into()),
        Inst::TrapIf { cc, .. } => k.push(format!("TrapIf/{cc:?}")),
        Inst::Push64 { .. } => k.push("Push64".into()),
        Inst::Pop64 { .. } => k.push("Pop64".into()),
    }
    keys
}

/// Every form `emit.rs` can produce (`Args` emits nothing and has none).
pub fn all_forms() -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    let mut add = |key: String| all.push(key);
    add("Ret/NoFrame".into());
    add("Ret/Imm8".into());
    add("Ret/Imm32".into());
    add("Ret/CalleeSaves".into());
    for size in SIZES {
        for op in AluOp::ALL {
            for src in ["Reg", "Mem", "Imm8", "Imm32"] {
                add(format!("AluRmiR/{op:?}/{size:?}/{src}"));
            }
        }
        for src in ["Reg", "Mem"] {
            add(format!("Imul/{size:?}/{src}"));
            add(format!("BitScan/Bsr/{size:?}/{src}"));
            add(format!("BitScan/Bsf/{size:?}/{src}"));
        }
        add(format!("Unary/Neg/{size:?}"));
        add(format!("Unary/Not/{size:?}"));
        for kind in ShiftKind::ALL {
            add(format!("Shift/{kind:?}/{size:?}/Imm"));
            add(format!("Shift/{kind:?}/{size:?}/Cl"));
        }
        add(format!("Div/Signed/{size:?}"));
        add(format!("Div/Unsigned/{size:?}"));
        add(format!("SignExtendData/{size:?}"));
        add(format!("CheckedSRem/{size:?}"));
        add(format!("MovRR/{size:?}"));
        for src in ["Reg", "Mem", "Imm8", "Imm32"] {
            add(format!("Cmp/Cmp/{size:?}/{src}"));
        }
        for src in ["Reg", "Mem", "Imm32"] {
            add(format!("Cmp/Test/{size:?}/{src}"));
        }
        add(format!("Cmove/{size:?}"));
    }
    for value in ALU_IMM_EDGES {
        add(format!("AluImm/{value}"));
        add(format!("CmpImm/{value}"));
    }
    add("Imm/Size32/MovR32Imm32".into());
    for form in ["MovR32Imm32", "MovRm64Simm32", "Movabs"] {
        add(format!("Imm/Size64/{form}"));
    }
    for value in IMM_EDGES {
        add(format!("ImmValue/{value:#x}"));
    }
    for name in ["MovzxRmR", "MovsxRmR"] {
        for mode in ExtMode::ALL {
            add(format!("{name}/{mode:?}/Reg"));
            add(format!("{name}/{mode:?}/Mem"));
        }
    }
    for class in ["Legacy", "Rex", "Extended"] {
        for user in ["MovzxRmR", "MovsxRmR", "MovRM", "Setcc"] {
            add(format!("ByteReg/{user}/{class}"));
        }
    }
    add("Mov64MR".into());
    for size in [OperandSize::Size8, OperandSize::Size16, OperandSize::Size32, OperandSize::Size64] {
        add(format!("MovRM/{size:?}"));
    }
    add("Lea".into());
    for cc in CC::ALL {
        add(format!("Setcc/{cc:?}"));
        add(format!("Cmove/{cc:?}"));
        add(format!("JmpCond/{cc:?}"));
        add(format!("TrapIf/{cc:?}"));
    }
    add("Jmp/Backward".into());
    add("Jmp/Forward".into());
    for shape in ["Both", "FallThroughTaken", "FallThroughNotTaken"] {
        add(format!("JmpCond/{shape}"));
    }
    for name in ["JmpTable", "CallKnown", "CallUnknown", "Ud2", "Push64", "Pop64"] {
        add(name.into());
    }
    // Addressing: every ModR/M + SIB shape `enc_rm` produces.
    for class in ["Plain", "RspR12", "RbpR13"] {
        add(format!("Amode/Base/{class}"));
        add(format!("Amode/IndexBase/{class}"));
    }
    for scale in [1, 2, 4, 8] {
        add(format!("Amode/Index/Scale{scale}"));
    }
    for key in ["BaseExtended", "IndexExtended", "IndexR12", "Rip", "Disp/Zero", "Disp/Disp8", "Disp/Disp32"] {
        add(format!("Amode/{key}"));
    }
    for disp in DISP_EDGES {
        add(format!("Amode/DispValue/{disp}"));
    }
    for offset in
        [FrameOffset::Outgoing(0), FrameOffset::StackSlot(0), FrameOffset::Spill(0), FrameOffset::IncomingArg(0)]
    {
        add(format!("Amode/Frame/{}", frame_offset_name(offset)));
    }
    all
}
