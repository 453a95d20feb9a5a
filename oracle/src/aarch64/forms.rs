//! Instruction forms: the coverage measure of the AArch64 oracle.
//!
//! Part of the AArch64 oracle. A *form* is one way `emit.rs` can encode an
//! instruction (a variant with an operation, width, operand kind,
//! immediate encoding, addressing form or branch shape), named by a key
//! such as `AluRRImm12/SubS/Size32/Shifted` or `AMode/Load/RegExtended`.
//! [`form_keys`] names the forms a case exercises; [`all_forms`] lists
//! every form the encoder has. Tests assert that each form has a row in the
//! table (and that every row's forms are in the list), and that the
//! generator (`generate.rs`) produces every form.
//!
//! Invariant: when `emit.rs` gains a form (a new variant, operation, width,
//! operand kind or encoding choice), `all_forms` gains its key.

use super::check::Case;
use crate::common::{FormKeys, LabelAt};
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::*;
use compiler::isa::aarch64::inst::args_fp::{FloatSize, FpuOp1, FpuOp2};
use std::fmt;

/// 12-bit immediates at the edges of the unshifted and shifted forms.
pub const IMM12_EDGES: [u64; 4] = [0, 0xfff, 0x1000, 0xfff000];
/// `Imm` values at the edges between its encodings.
pub const IMM_EDGES: [(OperandSize, u64); 10] = [
    (OperandSize::Size64, 0),                     // movz #0
    (OperandSize::Size64, u64::MAX),              // movn #0
    (OperandSize::Size64, 0xffff_0000_0000_0000), // movz lsl #48
    (OperandSize::Size64, 0x0000_ffff_ffff_ffff), // movn lsl #48
    (OperandSize::Size64, 0x5555_5555_5555_5555), // orr bitmask
    (OperandSize::Size64, 0x1234_5678_9abc_def0), // movz + 3 movk
    (OperandSize::Size64, 0xffff_ffff_1234_5678), // movn + movk
    (OperandSize::Size32, u32::MAX as u64),       // movn w, #0
    (OperandSize::Size32, 0xffff_0000),           // movz w, lsl #16
    (OperandSize::Size32, 0x1234_5678),           // movz + movk
];

fn imm_form(size: OperandSize, value: u64) -> &'static str {
    let value = value & size.mask();
    let halves = size.bits() / 16;
    let chunks: Vec<u16> = (0..halves).map(|i| (value >> (16 * i)) as u16).collect();
    let zeros = chunks.iter().filter(|&&c| c == 0).count() as u32;
    let ones = chunks.iter().filter(|&&c| c == 0xffff).count() as u32;
    if zeros >= halves - 1 {
        "MovZ"
    } else if ones >= halves - 1 {
        "MovN"
    } else if ImmLogic::maybe_from_u64(value, size).is_some() {
        "Logic"
    } else if ones > zeros {
        "MovNK"
    } else {
        "MovZK"
    }
}

/// The element size of a logical immediate.
fn element_size(imm: &ImmLogic) -> u32 {
    let combined = (imm.n as u32) << 6 | (!imm.imms as u32 & 0x3f);
    1 << (31 - combined.leading_zeros())
}

fn label_form(at: LabelAt) -> &'static str {
    match at {
        LabelAt::Start | LabelAt::Before(_) => "Backward",
        LabelAt::End => "FallThrough",
        LabelAt::Past(_) => "Forward",
    }
}

/// The addressing form a single-register access uses after resolution.
fn amode_form(mem: &AMode, access_bytes: u32) -> impl fmt::Display + use<'_> {
    let classify = move |offset: i64| {
        let scale = access_bytes as i64;
        if (0..4096 * scale).contains(&offset) && offset % scale == 0 {
            "UnsignedOffset"
        } else if (-256..256).contains(&offset) {
            "Unscaled"
        } else {
            "LargeOffset"
        }
    };
    fmt::from_fn(move |f| match *mem {
        AMode::RegOffset { offset, .. } => write!(f, "RegOffset/{}", classify(offset)),
        AMode::Frame(location) => {
            let name = match location {
                FrameOffset::Outgoing(_) => "Outgoing",
                FrameOffset::StackSlot(_) => "StackSlot",
                FrameOffset::Spill(_) => "Spill",
                FrameOffset::IncomingArg(_) => "IncomingArg",
            };
            write!(f, "Frame/{name}")
        }
        AMode::UnsignedOffset { .. } => f.write_str("UnsignedOffset"),
        AMode::Unscaled { .. } => f.write_str("Unscaled"),
        AMode::PreIndexed { .. } => f.write_str("PreIndexed"),
        AMode::PostIndexed { .. } => f.write_str("PostIndexed"),
        AMode::RegExtended { extend, scaled, .. } => {
            write!(f, "RegExtended/{extend:?}/{}", if scaled { "Scaled" } else { "Unscaled" })
        }
    })
}

fn pair_form(mem: &PairAMode) -> &'static str {
    match mem {
        PairAMode::SignedOffset { .. } => "SignedOffset",
        PairAMode::PreIndexed { .. } => "PreIndexed",
        PairAMode::PostIndexed { .. } => "PostIndexed",
    }
}

fn sp_adjust_form(amount: u32) -> &'static str {
    match amount {
        0 => "NoFrame",
        a if a < 0x1000 => "Imm12",
        a if a & 0xfff == 0 && a < 0x100_0000 => "Imm12Shifted",
        a if a < 0x100_0000 => "TwoImm12",
        _ => "Register",
    }
}

fn cbr_form(kind: &CondBrKind) -> impl fmt::Display + use<'_> {
    fmt::from_fn(move |f| match kind {
        CondBrKind::Cond(cond) => write!(f, "Cond/{cond:?}"),
        CondBrKind::Zero(_, size) => write!(f, "Zero/{size:?}"),
        CondBrKind::NotZero(_, size) => write!(f, "NotZero/{size:?}"),
    })
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
            k.push(format_args!("Ret/{}", sp_adjust_form(case.frame.frame_size)));
            match case.frame.callee_saves.len() {
                0 => {}
                n if n % 2 == 0 => k.push_str("Ret/CalleeSaves/Even"),
                _ => k.push_str("Ret/CalleeSaves/Odd"),
            }
            if !case.frame.float_callee_saves.is_empty() {
                k.push_str("Ret/FloatCalleeSaves");
            }
        }
        Inst::AluRRR { op, size, rd, rn, .. } => {
            k.push(format_args!("AluRRR/{op:?}/{size:?}"));
            if rd.to_reg().hw_enc() == 31 {
                k.push_str("AluRRR/ZeroDestination");
            }
            if rn.hw_enc() == 31 {
                k.push_str("AluRRR/ZeroSource");
            }
        }
        Inst::AluRRRShift { op, size, shift, amount, .. } => {
            k.push(format_args!("AluRRRShift/{op:?}/{size:?}"));
            k.push(format_args!("AluRRRShift/{shift:?}"));
            if *amount as u32 == size.bits() - 1 {
                k.push(format_args!("AluRRRShift/MaxAmount/{size:?}"));
            }
        }
        Inst::AluRRRExtend { op, size, extend, shift, rn, .. } => {
            k.push(format_args!("AluRRRExtend/{op:?}/{size:?}"));
            k.push(format_args!("AluRRRExtend/{extend:?}"));
            if *shift > 0 {
                k.push(format_args!("AluRRRExtend/Shift{shift}"));
            }
            if rn.hw_enc() == 31 {
                k.push_str("AluRRRExtend/SpBase");
            }
        }
        Inst::AluRRImm12 { op, size, imm, rd, rn } => {
            k.push(format_args!("AluRRImm12/{op:?}/{size:?}/{}", if imm.shift12 { "Shifted" } else { "Unshifted" }));
            if IMM12_EDGES.contains(&imm.value()) {
                k.push(format_args!("Imm12Value/{:#x}", imm.value()));
            }
            if rd.to_reg().hw_enc() == 31 || rn.hw_enc() == 31 {
                k.push(format_args!("AluRRImm12/Register31/{op:?}"));
            }
        }
        Inst::AluRRImmLogic { op, size, imm, .. } => {
            k.push(format_args!("AluRRImmLogic/{op:?}/{size:?}"));
            k.push(format_args!("ImmLogic/Element{}", element_size(imm)));
        }
        Inst::ShiftImm { op, size, amount, .. } => {
            k.push(format_args!("ShiftImm/{op:?}/{size:?}"));
            if *amount as u32 == size.bits() - 1 {
                k.push(format_args!("ShiftImm/MaxAmount/{op:?}/{size:?}"));
            }
        }
        Inst::AluRRRR { op, size, ra, .. } => {
            k.push(format_args!("AluRRRR/{op:?}/{size:?}"));
            if ra.hw_enc() == 31 {
                k.push(format_args!("AluRRRR/ZeroAddend/{op:?}"));
            }
        }
        Inst::BitRR { op, size, .. } => k.push(format_args!("BitRR/{op:?}/{size:?}")),
        Inst::Extend { signed, from_bits, to_bits, .. } => {
            let kind = if *signed { "Signed" } else { "Unsigned" };
            k.push(format_args!("Extend/{kind}/{from_bits}/{to_bits}"));
        }
        Inst::Mov { size, .. } => k.push(format_args!("Mov/{size:?}")),
        Inst::MovWide { op, size, imm, .. } => k.push(format_args!("MovWide/{op:?}/{size:?}/Shift{}", imm.shift)),
        Inst::MovK { size, imm, .. } => k.push(format_args!("MovK/{size:?}/Shift{}", imm.shift)),
        Inst::Imm { size, value, .. } => {
            k.push(format_args!("Imm/{size:?}/{}", imm_form(*size, *value)));
            if IMM_EDGES.contains(&(*size, *value)) {
                k.push(format_args!("ImmValue/{size:?}/{value:#x}"));
            }
        }
        Inst::CSel { size, cond, .. } => {
            k.push(format_args!("CSel/{size:?}"));
            k.push(format_args!("CSel/Cond/{cond:?}"));
        }
        Inst::CSet { size, cond, .. } => {
            k.push(format_args!("CSet/{size:?}"));
            k.push(format_args!("CSet/Cond/{cond:?}"));
        }
        Inst::CCmpImm { size, .. } => k.push(format_args!("CCmpImm/{size:?}")),
        Inst::Load { op, mem, .. } => {
            k.push(format_args!("Load/{op:?}"));
            k.push(format_args!("AMode/Load/{}", amode_form(mem, op.access_bytes())));
        }
        Inst::Store { op, mem, .. } => {
            k.push(format_args!("Store/{op:?}"));
            k.push(format_args!("AMode/Store/{}", amode_form(mem, op.access_bytes())));
        }
        Inst::LoadAddr { mem, .. } => {
            let offset = match *mem {
                AMode::RegOffset { offset, .. } => offset,
                _ => 0,
            };
            let form = match (offset.unsigned_abs(), offset < 0) {
                (m, _) if Imm12::maybe_from_u64(m).is_none() => "Register",
                (_, true) => "Sub",
                _ => "Add",
            };
            k.push(format_args!("LoadAddr/{form}"));
            if let AMode::Frame(_) = mem {
                k.push_str("LoadAddr/Frame");
            }
        }
        Inst::StoreP64 { mem, .. } => k.push(format_args!("StoreP64/{}", pair_form(mem))),
        Inst::LoadP64 { mem, .. } => k.push(format_args!("LoadP64/{}", pair_form(mem))),
        Inst::Jump { target } => k.push(format_args!("Jump/{}", label_form(case.labels[target.0 as usize]))),
        Inst::CondBr { kind, taken, not_taken } => {
            k.push(format_args!("CondBr/{}", cbr_form(kind)));
            let (taken, not_taken) = (case.labels[taken.0 as usize], case.labels[not_taken.0 as usize]);
            let shape = match (taken, not_taken) {
                (_, LabelAt::End) => "FallThroughNotTaken",
                (LabelAt::End, _) => "FallThroughTaken",
                _ => "Both",
            };
            k.push(format_args!("CondBr/{shape}"));
        }
        Inst::JmpTable { targets, .. } => {
            let imm12 = Imm12::maybe_from_u64(targets.len() as u64).is_some();
            k.push(format_args!("JmpTable/{}", if imm12 { "Imm12" } else { "Register" }))
        }
        Inst::Call { .. } => k.push_str("Call"),
        Inst::CallInd { .. } => k.push_str("CallInd"),
        Inst::Udf { .. } => k.push_str("Udf"),
        Inst::TrapIf { kind, .. } => k.push(format_args!("TrapIf/{}", cbr_form(kind))),
        Inst::FpuRRR { op, size, .. } => k.push(format_args!("FpuRRR/{op:?}/{size:?}")),
        Inst::FpuRR { op, size, .. } => k.push(format_args!("FpuRR/{op:?}/{size:?}")),
        Inst::FpuCvt { to, .. } => k.push(format_args!("FpuCvt/{to:?}")),
        Inst::FpuCmp { size, .. } => k.push(format_args!("FpuCmp/{size:?}")),
        Inst::FpuCSel { size, .. } => k.push(format_args!("FpuCSel/{size:?}")),
        Inst::IntToFpu { signed, int_size, size, .. } => {
            k.push(format_args!("IntToFpu/{}/{int_size:?}/{size:?}", if *signed { "Signed" } else { "Unsigned" }))
        }
        Inst::FpuToInt { signed, int_size, size, .. } => {
            k.push(format_args!("FpuToInt/{}/{int_size:?}/{size:?}", if *signed { "Signed" } else { "Unsigned" }))
        }
        Inst::MovToFpu { size, .. } => k.push(format_args!("MovToFpu/{size:?}")),
        Inst::MovFromFpu { size, .. } => k.push(format_args!("MovFromFpu/{size:?}")),
        Inst::FpuLoad { size, mem, .. } => {
            k.push(format_args!("FpuLoad/{size:?}"));
            k.push(format_args!("AMode/FpuLoad/{}", amode_form(mem, size.bytes())));
        }
        Inst::FpuStore { size, mem, .. } => {
            k.push(format_args!("FpuStore/{size:?}"));
            k.push(format_args!("AMode/FpuStore/{}", amode_form(mem, size.bytes())));
        }
    }
}

/// Every form `emit.rs` can produce (`Args` emits nothing and has none).
pub fn all_forms() -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    let mut add = |key: String| all.push(key);
    for form in ["NoFrame", "Imm12", "Imm12Shifted", "TwoImm12", "Register"] {
        add(format!("Ret/{form}"));
    }
    add("Ret/CalleeSaves/Even".into());
    add("Ret/CalleeSaves/Odd".into());
    add("Ret/FloatCalleeSaves".into());
    for size in FloatSize::ALL {
        for op in FpuOp2::ALL {
            add(format!("FpuRRR/{op:?}/{size:?}"));
        }
        for op in FpuOp1::ALL {
            add(format!("FpuRR/{op:?}/{size:?}"));
        }
        add(format!("FpuCvt/{size:?}"));
        add(format!("FpuCmp/{size:?}"));
        add(format!("FpuCSel/{size:?}"));
        for signed in ["Signed", "Unsigned"] {
            for int_size in OperandSize::ALL {
                add(format!("IntToFpu/{signed}/{int_size:?}/{size:?}"));
                add(format!("FpuToInt/{signed}/{int_size:?}/{size:?}"));
            }
        }
        add(format!("MovToFpu/{size:?}"));
        add(format!("MovFromFpu/{size:?}"));
        add(format!("FpuLoad/{size:?}"));
        add(format!("FpuStore/{size:?}"));
    }
    for size in OperandSize::ALL {
        for op in AluOp::ARITH.iter().chain(&AluOp::LOGICAL).chain(&AluOp::TWO_SOURCE) {
            add(format!("AluRRR/{op:?}/{size:?}"));
        }
        for op in AluOp::ARITH.iter().chain(&AluOp::LOGICAL) {
            add(format!("AluRRRShift/{op:?}/{size:?}"));
        }
        add(format!("AluRRRShift/MaxAmount/{size:?}"));
        for op in AluOp::ARITH {
            add(format!("AluRRRExtend/{op:?}/{size:?}"));
            add(format!("AluRRImm12/{op:?}/{size:?}/Unshifted"));
            add(format!("AluRRImm12/{op:?}/{size:?}/Shifted"));
        }
        for op in AluOp::LOGICAL {
            add(format!("AluRRImmLogic/{op:?}/{size:?}"));
        }
        for op in ShiftOp::ALL {
            add(format!("ShiftImm/{op:?}/{size:?}"));
            add(format!("ShiftImm/MaxAmount/{op:?}/{size:?}"));
        }
        add(format!("AluRRRR/MAdd/{size:?}"));
        add(format!("AluRRRR/MSub/{size:?}"));
        add(format!("BitRR/Rbit/{size:?}"));
        add(format!("BitRR/Clz/{size:?}"));
        add(format!("Mov/{size:?}"));
        for op in ["MovZ", "MovN"] {
            for shift in 0..size.bits() / 16 {
                add(format!("MovWide/{op}/{size:?}/Shift{shift}"));
            }
        }
        for shift in 0..size.bits() / 16 {
            add(format!("MovK/{size:?}/Shift{shift}"));
        }
        for form in ["MovZ", "MovN", "Logic", "MovZK", "MovNK"] {
            // A 32-bit value never needs movn + movk: with one 0xffff half
            // and one other, it is a single movn.
            if !(size == OperandSize::Size32 && form == "MovNK") {
                add(format!("Imm/{size:?}/{form}"));
            }
        }
        add(format!("CSel/{size:?}"));
        add(format!("CSet/{size:?}"));
        add(format!("CCmpImm/{size:?}"));
        add(format!("CondBr/Zero/{size:?}"));
        add(format!("CondBr/NotZero/{size:?}"));
        add(format!("TrapIf/Zero/{size:?}"));
        add(format!("TrapIf/NotZero/{size:?}"));
    }
    add("AluRRR/ZeroDestination".into());
    add("AluRRR/ZeroSource".into());
    for shift in ShiftOp::ALL {
        add(format!("AluRRRShift/{shift:?}"));
    }
    for extend in ExtendOp::ALL {
        add(format!("AluRRRExtend/{extend:?}"));
    }
    for shift in 1..=4 {
        add(format!("AluRRRExtend/Shift{shift}"));
    }
    add("AluRRRExtend/SpBase".into());
    for value in IMM12_EDGES {
        add(format!("Imm12Value/{value:#x}"));
    }
    for op in AluOp::ARITH {
        add(format!("AluRRImm12/Register31/{op:?}"));
    }
    for element in [2, 4, 8, 16, 32, 64] {
        add(format!("ImmLogic/Element{element}"));
    }
    add("AluRRRR/ZeroAddend/MAdd".into());
    add("AluRRRR/ZeroAddend/MSub".into());
    for (from, to) in [(8, 32), (8, 64), (16, 32), (16, 64), (32, 64)] {
        add(format!("Extend/Signed/{from}/{to}"));
        add(format!("Extend/Unsigned/{from}/{to}"));
    }
    for (size, value) in IMM_EDGES {
        add(format!("ImmValue/{size:?}/{value:#x}"));
    }
    for cond in Cond::ALL {
        add(format!("CSel/Cond/{cond:?}"));
        add(format!("CSet/Cond/{cond:?}"));
        add(format!("CondBr/Cond/{cond:?}"));
        add(format!("TrapIf/Cond/{cond:?}"));
    }
    for op in LoadOp::ALL {
        add(format!("Load/{op:?}"));
    }
    for op in StoreOp::ALL {
        add(format!("Store/{op:?}"));
    }
    for access in ["Load", "Store", "FpuLoad", "FpuStore"] {
        for form in [
            "UnsignedOffset",
            "Unscaled",
            "PreIndexed",
            "PostIndexed",
            "RegExtended/Uxtw/Unscaled",
            "RegExtended/Uxtw/Scaled",
            "RegExtended/Uxtx/Unscaled",
            "RegExtended/Uxtx/Scaled",
            "RegExtended/Sxtw/Unscaled",
            "RegExtended/Sxtw/Scaled",
            "RegExtended/Sxtx/Unscaled",
            "RegExtended/Sxtx/Scaled",
            "RegOffset/UnsignedOffset",
            "RegOffset/Unscaled",
            "RegOffset/LargeOffset",
            "Frame/Outgoing",
            "Frame/StackSlot",
            "Frame/Spill",
            "Frame/IncomingArg",
        ] {
            add(format!("AMode/{access}/{form}"));
        }
    }
    for form in ["Add", "Sub", "Register", "Frame"] {
        add(format!("LoadAddr/{form}"));
    }
    for form in ["SignedOffset", "PreIndexed", "PostIndexed"] {
        add(format!("StoreP64/{form}"));
        add(format!("LoadP64/{form}"));
    }
    add("Jump/Backward".into());
    add("Jump/Forward".into());
    add("Jump/FallThrough".into());
    for shape in ["Both", "FallThroughTaken", "FallThroughNotTaken"] {
        add(format!("CondBr/{shape}"));
    }
    add("JmpTable/Imm12".into());
    add("JmpTable/Register".into());
    for name in ["Call", "CallInd", "Udf"] {
        add(name.into());
    }
    all
}
