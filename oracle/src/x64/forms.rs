//! Instruction forms: the coverage measure of the x86-64 oracle.
//!
//! Part of the x86-64 oracle. A *form* is one way `emit.rs` can encode an
//! instruction (a variant with an operand kind, size, condition, addressing
//! shape or immediate edge), named by a key such as `AluRmiR/Add/Size64/Imm8`
//! or `Amode/Base/RbpR13`. [`form_keys`] names the forms a case exercises;
//! [`all_forms`] lists every form the encoder has. Tests assert that each
//! form has a row in the table (and that every row's forms are in the
//! list), and that the generator (`generate.rs`) produces every form.
//!
//! The SSE instructions (`emit_sse.rs`) have their own keys for what the
//! mandatory prefix makes special: which register files sit in the ModR/M
//! fields (`SseReg/`), the REX bits (`SseRex/`) and the addressing forms
//! (`SseAmode/`).
//!
//! Invariant: when `emit.rs` or `emit_sse.rs` gains a form (a new variant,
//! operand kind, size or encoding choice), `all_forms` gains its key.

use super::check::Case;
use crate::common::{FormKeys, LabelAt};
use compiler::isa::x64::inst::Inst;
use compiler::isa::x64::inst::args::*;
use compiler::machinst::Reg;

/// Immediates at the `imm8`/`imm32` boundary of the ALU and `cmp` forms.
pub(crate) const ALU_IMM_EDGES: [i32; 7] = [0, 127, 128, -128, -129, i32::MIN, i32::MAX];
/// Displacements at the `disp8`/`disp32` boundary.
pub(crate) const DISP_EDGES: [i32; 4] = [127, -128, 128, -129];
/// `Imm` values at the edges between its three encodings.
pub(crate) const IMM_EDGES: [u64; 7] = [
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

fn rmi_kind(src: &RegMemImm) -> &'static str {
    match src {
        RegMemImm::Reg(_) => "Reg",
        RegMemImm::Mem(_) => "Mem",
        RegMemImm::Imm(value) if i8::try_from(*value).is_ok() => "Imm8",
        RegMemImm::Imm(_) => "Imm32",
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

fn disp_keys(prefix: &str, disp: i32, keys: &mut FormKeys) {
    let class = if disp == 0 {
        "Zero"
    } else if i8::try_from(disp).is_ok() {
        "Disp8"
    } else {
        "Disp32"
    };
    keys.push(format_args!("{prefix}/Disp/{class}"));
    if DISP_EDGES.contains(&disp) {
        keys.push(format_args!("{prefix}/DispValue/{disp}"));
    }
}

/// The addressing forms of an integer instruction's memory operand.
fn amode_keys(amode: &Amode, keys: &mut FormKeys) {
    amode_keys_under("Amode", amode, keys);
}

/// The addressing forms under `prefix`: `Amode` for integer instructions,
/// `SseAmode` for SSE ones (whose mandatory prefix goes before REX).
fn amode_keys_under(prefix: &str, amode: &Amode, keys: &mut FormKeys) {
    match *amode {
        Amode::ImmReg { base, disp } => {
            keys.push(format_args!("{prefix}/Base/{}", base_class(base)));
            if hw(base) >= 8 {
                keys.push(format_args!("{prefix}/BaseExtended"));
            }
            disp_keys(prefix, disp, keys);
        }
        Amode::ImmRegRegShift { base, index, shift, disp } => {
            keys.push(format_args!("{prefix}/IndexBase/{}", base_class(base)));
            keys.push(format_args!("{prefix}/Index/Scale{}", 1 << shift));
            if hw(base) >= 8 {
                keys.push(format_args!("{prefix}/BaseExtended"));
            }
            if hw(index) >= 8 {
                keys.push(format_args!("{prefix}/IndexExtended"));
            }
            if hw(index) == 12 {
                keys.push(format_args!("{prefix}/IndexR12"));
            }
            disp_keys(prefix, disp, keys);
        }
        Amode::RipRelative { .. } => keys.push(format_args!("{prefix}/Rip")),
        Amode::Frame(offset) => keys.push(format_args!("{prefix}/Frame/{}", frame_offset_name(offset))),
    }
}

/// Every addressing form under `prefix` (see [`amode_keys_under`]).
fn amode_forms(prefix: &str) -> Vec<String> {
    let mut all = Vec::new();
    for class in ["Plain", "RspR12", "RbpR13"] {
        all.push(format!("{prefix}/Base/{class}"));
        all.push(format!("{prefix}/IndexBase/{class}"));
    }
    for scale in [1, 2, 4, 8] {
        all.push(format!("{prefix}/Index/Scale{scale}"));
    }
    for key in ["BaseExtended", "IndexExtended", "IndexR12", "Rip", "Disp/Zero", "Disp/Disp8", "Disp/Disp32"] {
        all.push(format!("{prefix}/{key}"));
    }
    for disp in DISP_EDGES {
        all.push(format!("{prefix}/DispValue/{disp}"));
    }
    for offset in
        [FrameOffset::Outgoing(0), FrameOffset::StackSlot(0), FrameOffset::Spill(0), FrameOffset::IncomingArg(0)]
    {
        all.push(format!("{prefix}/Frame/{}", frame_offset_name(offset)));
    }
    all
}

fn frame_offset_name(offset: FrameOffset) -> &'static str {
    match offset {
        FrameOffset::Outgoing(_) => "Outgoing",
        FrameOffset::StackSlot(_) => "StackSlot",
        FrameOffset::Spill(_) => "Spill",
        FrameOffset::IncomingArg(_) => "IncomingArg",
    }
}

fn rmi_amode(src: &RegMemImm, keys: &mut FormKeys) {
    if let RegMemImm::Mem(amode) = src {
        amode_keys(amode, keys);
    }
}

fn rm_amode(src: &RegMem, keys: &mut FormKeys) {
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
        LabelAt::Start | LabelAt::Before(_) => "Backward",
        LabelAt::End => "FallThrough",
        LabelAt::Past(_) => "Forward",
    }
}

/// The forms `case` exercises; the first is the instruction's own form.
pub fn form_keys(case: &Case) -> Vec<String> {
    let mut keys = FormKeys::new();
    form_keys_into(case, &mut keys);
    keys.to_vec()
}

/// [`form_keys`] into a reusable list (cleared first): the sweep's way,
/// which allocates nothing once the list has grown.
pub fn form_keys_into(case: &Case, keys: &mut FormKeys) {
    keys.clear();
    let k = keys;
    match &case.inst {
        Inst::Args { .. } => k.push_str("Args"),
        Inst::Ret { .. } => {
            let frame = &case.frame;
            let add = match frame.frame_size {
                0 => "NoFrame",
                n if n < 128 => "Imm8",
                _ => "Imm32",
            };
            k.push(format_args!("Ret/{add}"));
            if !frame.callee_saves.is_empty() {
                k.push_str("Ret/CalleeSaves");
            }
        }
        Inst::AluRmiR { size, op, src2, .. } => {
            k.push(format_args!("AluRmiR/{op:?}/{size:?}/{}", rmi_kind(src2)));
            match src2 {
                RegMemImm::Imm(value) if ALU_IMM_EDGES.contains(value) => k.push(format_args!("AluImm/{value}")),
                _ => rmi_amode(src2, k),
            }
        }
        Inst::Imul { size, src2, .. } => {
            k.push(format_args!("Imul/{size:?}/{}", rm_kind(src2)));
            rm_amode(src2, k);
        }
        Inst::Unary { size, op, .. } => k.push(format_args!("Unary/{op:?}/{size:?}")),
        Inst::BitScan { size, op, src, .. } => {
            k.push(format_args!("BitScan/{op:?}/{size:?}/{}", rm_kind(src)));
            rm_amode(src, k);
        }
        Inst::Shift { size, kind, amount, .. } => {
            k.push(format_args!("Shift/{kind:?}/{size:?}/{}", if amount.is_some() { "Imm" } else { "Cl" }))
        }
        Inst::Div { size, signed, .. } => {
            k.push(format_args!("Div/{}/{size:?}", if *signed { "Signed" } else { "Unsigned" }))
        }
        Inst::SignExtendData { size, .. } => k.push(format_args!("SignExtendData/{size:?}")),
        Inst::CheckedSRem { size, .. } => k.push(format_args!("CheckedSRem/{size:?}")),
        Inst::MovRR { size, .. } => k.push(format_args!("MovRR/{size:?}")),
        Inst::Imm { size, value, .. } => {
            k.push(format_args!("Imm/{size:?}/{}", imm_form(*size, *value)));
            if IMM_EDGES.contains(value) {
                k.push(format_args!("ImmValue/{value:#x}"));
            }
        }
        Inst::MovzxRmR { mode, src, .. } | Inst::MovsxRmR { mode, src, .. } => {
            let name = if matches!(case.inst, Inst::MovzxRmR { .. }) { "MovzxRmR" } else { "MovsxRmR" };
            k.push(format_args!("{name}/{mode:?}/{}", rm_kind(src)));
            match src {
                RegMem::Reg(r) if mode.src_bytes() == 1 => {
                    k.push(format_args!("ByteReg/{name}/{}", byte_reg_class(*r)))
                }
                _ => rm_amode(src, k),
            }
        }
        Inst::Mov64MR { src, .. } => {
            k.push_str("Mov64MR");
            amode_keys(src, k);
        }
        Inst::MovRM { size, src, dst } => {
            k.push(format_args!("MovRM/{size:?}"));
            if *size == OperandSize::Size8 {
                k.push(format_args!("ByteReg/MovRM/{}", byte_reg_class(*src)));
            }
            amode_keys(dst, k);
        }
        Inst::Lea { addr, .. } => {
            k.push_str("Lea");
            amode_keys(addr, k);
        }
        Inst::Cmp { size, op, src2, .. } => {
            // `test` has no imm8 form.
            let kind = match (op, src2) {
                (CmpOp::Test, RegMemImm::Imm(_)) => "Imm32",
                _ => rmi_kind(src2),
            };
            k.push(format_args!("Cmp/{op:?}/{size:?}/{kind}"));
            match src2 {
                RegMemImm::Imm(value) if *op == CmpOp::Cmp && ALU_IMM_EDGES.contains(value) => {
                    k.push(format_args!("CmpImm/{value}"))
                }
                _ => rmi_amode(src2, k),
            }
        }
        Inst::Setcc { cc, dst } => {
            k.push(format_args!("Setcc/{cc:?}"));
            k.push(format_args!("ByteReg/Setcc/{}", byte_reg_class(dst.to_reg())));
        }
        Inst::Cmove { size, cc, .. } => {
            k.push(format_args!("Cmove/{cc:?}"));
            k.push(format_args!("Cmove/{size:?}"));
        }
        Inst::Jmp { target } => k.push(format_args!("Jmp/{}", label_form(case.labels[target.0 as usize]))),
        Inst::JmpCond { cc, taken, not_taken } => {
            k.push(format_args!("JmpCond/{cc:?}"));
            let (taken, not_taken) = (case.labels[taken.0 as usize], case.labels[not_taken.0 as usize]);
            let shape = match (taken, not_taken) {
                (_, LabelAt::End) => "FallThroughNotTaken",
                (LabelAt::End, _) => "FallThroughTaken",
                _ => "Both",
            };
            k.push(format_args!("JmpCond/{shape}"));
        }
        Inst::JmpTable { .. } => k.push_str("JmpTable"),
        Inst::CallKnown { .. } => k.push_str("CallKnown"),
        Inst::CallUnknown { .. } => k.push_str("CallUnknown"),
        Inst::Ud2 { .. } => k.push_str("Ud2"),
        Inst::TrapIf { cc, .. } => k.push(format_args!("TrapIf/{cc:?}")),
        Inst::XmmRmR { size, op, src2, dst, .. } => {
            k.push(format_args!("XmmRmR/{size:?}/{op:?}/{}", rm_kind(src2)));
            sse_operand_keys("XmmRmR", dst.to_reg(), src2, false, k);
        }
        Inst::XmmSqrt { size, src, dst } => {
            k.push(format_args!("XmmSqrt/{size:?}"));
            sse_operand_keys("XmmSqrt", dst.to_reg(), &RegMem::Reg(*src), false, k);
        }
        Inst::XmmRound { size, mode, src, dst } => {
            k.push(format_args!("XmmRound/{size:?}/Mode{mode}"));
            sse_operand_keys("XmmRound", dst.to_reg(), &RegMem::Reg(*src), false, k);
        }
        Inst::XmmConvert { to, src, dst } => {
            k.push(format_args!("XmmConvert/To{to:?}"));
            sse_operand_keys("XmmConvert", dst.to_reg(), &RegMem::Reg(*src), false, k);
        }
        Inst::XmmMov { src, dst } => {
            k.push_str("XmmMov");
            sse_operand_keys("XmmMov", dst.to_reg(), &RegMem::Reg(*src), false, k);
        }
        Inst::XmmLoad { size, src, dst } => {
            k.push(format_args!("XmmLoad/{size:?}"));
            sse_operand_keys("XmmLoad", dst.to_reg(), &RegMem::Mem(*src), false, k);
        }
        Inst::XmmStore { size, src, dst } => {
            k.push(format_args!("XmmStore/{size:?}"));
            sse_operand_keys("XmmStore", *src, &RegMem::Mem(*dst), false, k);
        }
        Inst::GprToXmm { size, src, dst } => {
            k.push(format_args!("GprToXmm/{size:?}"));
            let w = *size == OperandSize::Size64;
            sse_operand_keys("GprToXmm", dst.to_reg(), &RegMem::Reg(*src), w, k);
        }
        Inst::XmmToGpr { size, src, dst } => {
            k.push(format_args!("XmmToGpr/{size:?}"));
            let w = *size == OperandSize::Size64;
            sse_operand_keys("XmmToGpr", *src, &RegMem::Reg(dst.to_reg()), w, k);
        }
        Inst::Ucomis { size, a, b } => {
            k.push(format_args!("Ucomis/{size:?}"));
            sse_operand_keys("Ucomis", *a, &RegMem::Reg(*b), false, k);
        }
        Inst::CvtIntToFloat { int_size, size, src, dst } => {
            k.push(format_args!("CvtIntToFloat/{int_size:?}/{size:?}"));
            let w = *int_size == OperandSize::Size64;
            sse_operand_keys("CvtIntToFloat", dst.to_reg(), &RegMem::Reg(*src), w, k);
        }
        Inst::CvtFloatToIntTrunc { size, int_size, src, dst } => {
            k.push(format_args!("CvtFloatToIntTrunc/{size:?}/{int_size:?}"));
            let w = *int_size == OperandSize::Size64;
            sse_operand_keys("CvtFloatToIntTrunc", dst.to_reg(), &RegMem::Reg(*src), w, k);
        }
        Inst::XmmCmove { cc, .. } => k.push(format_args!("XmmCmove/{cc:?}")),
        Inst::XmmMinMax { size, is_min, .. } => {
            k.push(format_args!("XmmMinMax/{}/{size:?}", if *is_min { "Min" } else { "Max" }))
        }
        Inst::CvtFloatToSint { size, int_size, saturating, .. } => {
            k.push(format_args!("CvtFloatToSint/{}/{size:?}/{int_size:?}", conversion_kind(*saturating)))
        }
        Inst::CvtFloatToUint { size, int_size, saturating, .. } => {
            k.push(format_args!("CvtFloatToUint/{}/{size:?}/{int_size:?}", conversion_kind(*saturating)))
        }
        Inst::CvtUint64ToFloat { size, .. } => k.push(format_args!("CvtUint64ToFloat/{size:?}")),
        Inst::Push64 { .. } => k.push_str("Push64"),
        Inst::Pop64 { .. } => k.push_str("Pop64"),
    }
}

fn conversion_kind(saturating: bool) -> &'static str {
    if saturating { "Saturating" } else { "Trapping" }
}

/// Which of the four register files a register is in, as far as the
/// encoding cares: XMM or general-purpose, and whether it needs a REX bit.
fn register_class(reg: Reg) -> &'static str {
    let preg = reg.to_preg().expect("the oracle checks physical registers");
    match (preg.class(), preg.hw_enc() >= 8) {
        (regalloc2::RegClass::Float, false) => "Xmm0To7",
        (regalloc2::RegClass::Float, true) => "Xmm8To15",
        (_, false) => "Gpr0To7",
        (_, true) => "Gpr8To15",
    }
}

/// The operand forms of a single SSE instruction `[prefix] [REX] 0F ...
/// ModR/M`: what is in the ModR/M `reg` field and in `rm` (a register, or
/// an address under `SseAmode/`); for register-register forms the REX bits
/// (`SseRex/WRB`, `None` without REX); and whether `variant` was seen with
/// an extended register anywhere (which needs REX after the mandatory
/// prefix).
fn sse_operand_keys(variant: &str, reg_field: Reg, rm_field: &RegMem, w: bool, keys: &mut FormKeys) {
    keys.push(format_args!("SseReg/Reg/{}", register_class(reg_field)));
    let mut extended = hw(reg_field) >= 8;
    match rm_field {
        RegMem::Reg(rm) => {
            keys.push(format_args!("SseReg/Rm/{}", register_class(*rm)));
            extended |= hw(*rm) >= 8;
            let bits: String = [(w, 'W'), (hw(reg_field) >= 8, 'R'), (hw(*rm) >= 8, 'B')]
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, c)| c)
                .collect();
            keys.push(format_args!("SseRex/{}", if bits.is_empty() { "None" } else { &bits }));
        }
        RegMem::Mem(amode) => {
            amode_keys_under("SseAmode", amode, keys);
            extended |= match *amode {
                Amode::ImmReg { base, .. } => hw(base) >= 8,
                Amode::ImmRegRegShift { base, index, .. } => hw(base) >= 8 || hw(index) >= 8,
                Amode::RipRelative { .. } | Amode::Frame(_) => false,
            };
        }
    }
    if extended {
        keys.push(format_args!("{variant}/ExtendedRegs"));
    }
}

const FLOAT_SIZES: [FloatSize; 2] = [FloatSize::F32, FloatSize::F64];

/// Every form of the SSE instructions and float sequences.
fn sse_forms() -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    let mut add = |key: String| all.push(key);
    for size in FLOAT_SIZES {
        for op in SseOp::ALL {
            add(format!("XmmRmR/{size:?}/{op:?}/Reg"));
            add(format!("XmmRmR/{size:?}/{op:?}/Mem"));
        }
        add(format!("XmmSqrt/{size:?}"));
        for mode in 0..4 {
            add(format!("XmmRound/{size:?}/Mode{mode}"));
        }
        add(format!("XmmConvert/To{size:?}"));
        add(format!("XmmLoad/{size:?}"));
        add(format!("XmmStore/{size:?}"));
        add(format!("Ucomis/{size:?}"));
        add(format!("XmmMinMax/Min/{size:?}"));
        add(format!("XmmMinMax/Max/{size:?}"));
        add(format!("CvtUint64ToFloat/{size:?}"));
        for int_size in SIZES {
            add(format!("CvtIntToFloat/{int_size:?}/{size:?}"));
            add(format!("CvtFloatToIntTrunc/{size:?}/{int_size:?}"));
            for kind in ["Trapping", "Saturating"] {
                add(format!("CvtFloatToSint/{kind}/{size:?}/{int_size:?}"));
                add(format!("CvtFloatToUint/{kind}/{size:?}/{int_size:?}"));
            }
        }
    }
    add("XmmMov".into());
    for size in SIZES {
        add(format!("GprToXmm/{size:?}"));
        add(format!("XmmToGpr/{size:?}"));
    }
    for cc in CC::ALL {
        add(format!("XmmCmove/{cc:?}"));
    }
    for field in ["Reg", "Rm"] {
        for class in ["Xmm0To7", "Xmm8To15", "Gpr0To7", "Gpr8To15"] {
            add(format!("SseReg/{field}/{class}"));
        }
    }
    for bits in ["None", "B", "R", "RB", "W", "WB", "WR", "WRB"] {
        add(format!("SseRex/{bits}"));
    }
    for variant in [
        "XmmRmR",
        "XmmSqrt",
        "XmmRound",
        "XmmConvert",
        "XmmMov",
        "XmmLoad",
        "XmmStore",
        "GprToXmm",
        "XmmToGpr",
        "Ucomis",
        "CvtIntToFloat",
        "CvtFloatToIntTrunc",
    ] {
        add(format!("{variant}/ExtendedRegs"));
    }
    all.extend(amode_forms("SseAmode"));
    all
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
    add("Jmp/FallThrough".into());
    for shape in ["Both", "FallThroughTaken", "FallThroughNotTaken"] {
        add(format!("JmpCond/{shape}"));
    }
    for name in ["JmpTable", "CallKnown", "CallUnknown", "Ud2", "Push64", "Pop64"] {
        add(name.into());
    }
    // Addressing: every ModR/M + SIB shape `enc_rm` produces.
    all.extend(amode_forms("Amode"));
    all.extend(sse_forms());
    all
}
