//! Tests of the AArch64 lifter (`lift.rs`): words of real Cranelift output
//! lift to cases that our emitter re-encodes to the same word; words our
//! instruction set cannot express are refused with their category; and
//! every form we emit as one instruction round-trips (our word → lift →
//! our emission → the same word), which makes the lifter total over what
//! we emit.
//!
//! Part of the AArch64 oracle's tests. The Cranelift words were taken from
//! `cranelift-codegen` 0.135.8 compiling functions for `aarch64` (opt
//! level `speed`): arithmetic, memory at many offsets, floats, calls,
//! loops, `br_table`.

use super::super::check::emit_case;
use crate::aarch64::{Case, all_forms, arbitrary_case, check_case_quick, form_keys, lift};
use crate::common::{LabelAt, Xorshift};
use compiler::isa::aarch64::inst::Inst;
use compiler::isa::aarch64::inst::args::*;
use compiler::isa::aarch64::inst::regs::{writable, xreg};
use compiler::machinst::MachLabel;
use std::collections::BTreeMap;

/// Lifts `word` and re-emits the case; the error says what went wrong.
fn reencode(word: u32) -> Result<Case, String> {
    let bytes = word.to_le_bytes();
    let lifted = lift(&bytes, 0);
    let case = lifted.case.map_err(|why| format!("refused ({why})"))?;
    let checked = check_case_quick(&case).map_err(|mismatch| mismatch.to_string())?;
    if checked.bytes != bytes {
        return Err(format!("{case:?} re-emits as {:02x?}", checked.bytes));
    }
    Ok(case)
}

/// Cranelift words we reproduce, with yaxpeax-arm's text of them.
const REPRODUCED: &[(u32, &str)] = &[
    // Integer arithmetic, shifts, bit operations.
    (0x9b01_7c24, "mul x4, x1, x1"),
    (0x1b03_8884, "msub w4, w4, w3, w2"),
    (0x9ac1_0884, "udiv x4, x4, x1"),
    (0x9ac0_0c85, "sdiv x5, x4, x0"),
    (0xb100_041f, "cmn x0, #0x1"),
    (0xfa41_0880, "ccmp x4, #0x1, #0x0, eq"),
    (0xd37d_f0a5, "lsl x5, x5, #0x3"),
    (0xd347_fca5, "lsr x5, x5, #0x7"),
    (0x9349_fca5, "asr x5, x5, #0x9"),
    (0x531b_6800, "lsl w0, w0, #0x5"),
    (0x1302_7c00, "asr w0, w0, #0x2"),
    (0x5301_7c00, "lsr w0, w0, #0x1"),
    (0x1381_1421, "ror w1, w1, #0x5"),
    (0x9ac1_20a5, "lsl x5, x5, x1"),
    (0x9ac0_24a5, "lsr x5, x5, x0"),
    (0x9ac1_28a5, "asr x5, x5, x1"),
    (0x9ac6_2ca5, "ror x5, x5, x6"),
    (0xdac0_10a5, "clz x5, x5"),
    (0xdac0_00a5, "rbit x5, x5"),
    (0x5ac0_0021, "rbit w1, w1"),
    (0x9278_1ca5, "and x5, x5, #0xff00"),
    (0x12001c63, "and w3, w3, #0xff"),
    (0xb200_f0a5, "orr x5, x5, #0x5555555555555555"),
    (0xca00_00a5, "eor x5, x5, x0"),
    (0xeb00_00bf, "cmp x5, x0"),
    (0x6b03_001f, "cmp w0, w3"),
    (0x7100_003f, "cmp w1, #0x0"),
    (0x7101_927f, "cmp w19, #0x64"),
    (0x9a81_b0a1, "csel x1, x5, x1, lt"),
    (0x9a9f_17e2, "cset x2, eq"),
    (0x9a9f_27e3, "cset x3, lo"),
    (0x0b03_0042, "add w2, w2, w3"),
    (0x8b01_0c0b, "add x11, x0, x1, lsl #3"),
    (0x8b22_4021, "add x1, x1, w2"),
    (0x8b23_c021, "add x1, x1, w3, sxtw"),
    (0x8b21_a020, "add x0, x1, w1, sxth"),
    (0x0b21_0081, "add w1, w4, w1, uxtb"),
    (0x0b20_8060, "add w0, w3, w0, sxtb"),
    (0xd100_3406, "sub x6, x0, #0xd"),
    (0x5300_3c23, "uxth w3, w1"),
    (0xaa00_03e4, "mov x4, x0"),
    (0xd281_de02, "mov x2, #0xef0"),
    (0xf2b3_59e2, "movk x2, #0x9acf, lsl #16"),
    (0xf2e2_4682, "movk x2, #0x1234, lsl #48"),
    (0x5284_6810, "mov w16, #0x2340"),
    (0x72a0_0030, "movk w16, #0x1, lsl #16"),
    // The frame: `sp` as a base, source and destination.
    (0xa9bf_7bfd, "stp x29, x30, [sp, #-0x10]!"),
    (0x9100_03fd, "mov x29, sp"),
    (0xf81f_0ff5, "str x21, [sp, #-0x10]!"),
    (0xa9bf_53f3, "stp x19, x20, [sp, #-0x10]!"),
    (0xcb30_63ff, "sub sp, sp, x16"),
    (0x8b30_63ff, "add sp, sp, x16"),
    (0xd100_c3ff, "sub sp, sp, #0x30"),
    (0x9100_c3ff, "add sp, sp, #0x30"),
    (0xa8c1_53f3, "ldp x19, x20, [sp], #0x10"),
    (0xf841_07f5, "ldr x21, [sp], #0x10"),
    (0xa8c1_7bfd, "ldp x29, x30, [sp], #0x10"),
    // Loads and stores in every addressing form.
    (0xf940_0405, "ldr x5, [x0, #0x8]"),
    (0x397f_fc0c, "ldrb w12, [x0, #0xfff]"),
    (0x389f_f004, "ldursb x4, [x0, #-0x1]"),
    (0x7863_6803, "ldrh w3, [x0, x3]"),
    (0x7980_040a, "ldrsh x10, [x0, #0x2]"),
    (0xb866_6806, "ldr w6, [x0, x6]"),
    (0xb980_0c07, "ldrsw x7, [x0, #0xc]"),
    (0xf861_7808, "ldr x8, [x0, x1, lsl #3]"),
    (0xb862_4809, "ldr w9, [x0, w2, uxtw]"),
    (0xb8a0_5820, "ldrsw x0, [x1, w0, uxtw #2]"),
    (0xf870_ebe0, "ldr x0, [sp, x16, sxtx #0]"),
    (0xf900_0c05, "str x5, [x0, #0x18]"),
    (0x3900_040c, "strb w12, [x0, #0x1]"),
    (0x781f_d004, "sturh w4, [x0, #-0x3]"),
    (0xb930_0003, "str w3, [x0, #0x3000]"),
    (0xb910_03ea, "str w10, [sp, #0x1000]"),
    (0xf800_83e6, "stur x6, [sp, #0x8]"),
    (0xfd40_081d, "ldr d29, [x0, #0x10]"),
    (0xbc5e_c01e, "ldur s30, [x0, #-0x14]"),
    (0xfd00_0560, "str d0, [x11, #0x8]"),
    (0xbc22_4801, "str s1, [x0, w2, uxtw]"),
    // Floating point.
    (0x1e22_2841, "fadd s1, s2, s2"),
    (0x1e22_0821, "fmul s1, s1, s2"),
    (0x1e22_3821, "fsub s1, s1, s2"),
    (0x1e62_1863, "fdiv d3, d3, d2"),
    (0x1e60_5863, "fmin d3, d3, d0"),
    (0x1e62_4863, "fmax d3, d3, d2"),
    (0x1e61_c063, "fsqrt d3, d3"),
    (0x1e60_c063, "fabs d3, d3"),
    (0x1e61_4063, "fneg d3, d3"),
    (0x1e21_4021, "fneg s1, s1"),
    (0x1e64_c063, "frintp d3, d3"),
    (0x1e65_4063, "frintm d3, d3"),
    (0x1e65_c063, "frintz d3, d3"),
    (0x1e64_4063, "frintn d3, d3"),
    (0x1e22_c3c0, "fcvt d0, s30"),
    (0x1e62_4001, "fcvt s1, d0"),
    (0x1e21_2020, "fcmp s1, s1"),
    (0x1e60_2060, "fcmp d3, d0"),
    (0x1e62_4c60, "fcsel d0, d3, d2, mi"),
    (0x1e22_0022, "scvtf s2, w1"),
    (0x9e62_0002, "scvtf d2, x0"),
    (0x1e63_0022, "ucvtf d2, w1"),
    (0x1e38_0022, "fcvtzs w2, s1"),
    (0x9e78_0041, "fcvtzs x1, d2"),
    (0x1e39_0023, "fcvtzu w3, s1"),
    (0x1e27_0062, "fmov s2, w3"),
    // Control flow, calls.
    (0xb400_0661, "cbz x1, $+0xcc"),
    (0x3400_05e3, "cbz w3, $+0xbc"),
    (0xb500_0060, "cbnz x0, $+0xc"),
    (0x5400_0606, "b.vs $+0xc0"),
    (0x5400_046b, "b.lt $+0x8c"),
    (0x5400_0308, "b.hi $+0x60"),
    (0x1400_001e, "b $+0x78"),
    (0x17ff_fff1, "b $-0x3c"),
    (0x17ff_ffe2, "b $-0x78"),
    (0x9400_0000, "bl $+0x0"),
    (0xd63f_0040, "blr x2"),
];

#[test]
fn cranelift_words_reencode_to_themselves() {
    let mut failures = Vec::new();
    for &(word, text) in REPRODUCED {
        let lifted = lift(&word.to_le_bytes(), 0);
        if lifted.text != text {
            failures.push(format!("{word:08x}: text `{}`, expected `{text}`", lifted.text));
        }
        if let Err(error) = reencode(word) {
            failures.push(format!("{word:08x} `{text}`: {error}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} words failed:\n{}", failures.len(), REPRODUCED.len(), failures.join("\n"));
}

/// Words our instruction set cannot express: (word, mnemonic, reason). The
/// first group is Cranelift output, the rest written by hand.
const REFUSED: &[(u32, &str, &str)] = &[
    (0x8a21_00a5, "bic", "not emitted by our compiler"),
    (0x9bc0_7c20, "umulh", "not emitted by our compiler"),
    (0x9b42_7c62, "smulh", "not emitted by our compiler"),
    (0xda9f_03e3, "csinv", "not emitted by our compiler"),
    (0xda80_c400, "csneg", "not emitted by our compiler"),
    (0xdac0_0c43, "rev", "not emitted by our compiler"),
    (0xdac0_1463, "cls", "not emitted by our compiler"),
    (0x1e6f_1000, "fmov", "not emitted by our compiler"),
    (0x1f40_0880, "fmadd", "not emitted by our compiler"),
    (0xd65f_03c0, "ret", "only inside a sequence of ours"),
    (0xd61f_0020, "br", "only inside a sequence of ours"),
    (0x1000_0081, "adr", "pc-relative address (adr/adrp)"),
    (0x5c00_0122, "ldr", "pc-relative literal load"),
    (0x0000_c11f, "udf", "udf code not one of ours"),
    (0x4ea1_1c23, "orr", "SIMD/vector"),
    (0x4e08_3c40, "umov", "SIMD/vector"),
    (0x0e20_5842, "cnt", "SIMD/vector"),
    (0x3c80_03e0, "stur", "SIMD/vector"),
    (0x9999_999a, "(invalid)", "invalid encoding"),
    // By hand.
    (0xd503_201f, "hint", "system/hint/barrier"),
    (0xd503_3b9f, "dsb", "system/hint/barrier"),
    (0xd503_233f, "paciasp", "pointer authentication"),
    (0xd65f_0bff, "retaa", "pointer authentication"),
    (0xc85f_fc20, "ldaxr", "atomic"),
    (0xf820_0020, "ldadd", "atomic"),
    (0x3600_0040, "tbz", "test-bit branch"),
    (0xd420_0000, "brk", "brk (our traps are udf)"),
    (0x1400_0001, "b", "branch to the next instruction"),
    (0x5400_004e, "b.cond", "condition al/nv"),
    (0x6dbe_27e8, "stp", "pair other than two x registers"),
    (0x2900_0400, "stp", "pair other than two x registers"),
    (0xf980_0000, "prfm", "prefetch"),
    (0xb840_0800, "ldtr", "unprivileged load/store"),
    (0x1ee2_2800, "fadd", "half-precision float"),
    (0x0420_0000, "(undecoded)", "not decoded by yaxpeax-arm"),
];

#[test]
fn words_outside_our_set_are_refused_with_their_category() {
    let mut failures = Vec::new();
    for &(word, mnemonic, why) in REFUSED {
        let lifted = lift(&word.to_le_bytes(), 0);
        let got = (lifted.mnemonic.as_str(), lifted.case.as_ref().map(|case| &case.inst));
        if got != (mnemonic, Err(&why)) {
            failures.push(format!("{word:08x} `{}`: {got:?}, expected ({mnemonic:?}, Err({why:?}))", lifted.text));
        }
    }
    assert!(failures.is_empty(), "{} of {} words failed:\n{}", failures.len(), REFUSED.len(), failures.join("\n"));
}

/// Register 31 is `sp` or the zero register as the operand reads it, and a
/// branch target becomes a label placed around the instruction.
#[test]
fn lifted_cases_are_the_instructions_we_mean() {
    let case = |word: u32| reencode(word).unwrap_or_else(|error| panic!("{word:08x}: {error}"));
    let x = xreg;
    let s64 = OperandSize::Size64;
    // mov x29, sp: add x29, sp, #0.
    let add = Inst::AluRRImm12 { op: AluOp::Add, size: s64, rd: writable(x(29)), rn: x(31), imm: Imm12::ZERO };
    assert_eq!(case(0x9100_03fd).inst, add);
    // cmp x5, x0: subs xzr, x5, x0.
    let cmp = Inst::AluRRR { op: AluOp::SubS, size: s64, rd: writable(x(31)), rn: x(5), rm: x(0) };
    assert_eq!(case(0xeb00_00bf).inst, cmp);
    // mov x4, x0: orr x4, xzr, x0.
    assert_eq!(case(0xaa00_03e4).inst, Inst::Mov { size: s64, rd: writable(x(4)), rm: x(0) });
    // cset x2, eq: csinc x2, xzr, xzr, ne.
    assert_eq!(case(0x9a9f_17e2).inst, Inst::CSet { size: s64, cond: Cond::Eq, rd: writable(x(2)) });
    // uxth w3, w1.
    let uxth = Inst::Extend { rd: writable(x(3)), rn: x(1), signed: false, from_bits: 16, to_bits: 32 };
    assert_eq!(case(0x5300_3c23).inst, uxth);
    // b.vs $+0xc0: taken 0xbc bytes past the end, not taken at the end.
    let b_vs = case(0x5400_0606);
    let cond_br = Inst::CondBr { kind: CondBrKind::Cond(Cond::Vs), taken: MachLabel(0), not_taken: MachLabel(1) };
    assert_eq!((b_vs.inst, b_vs.labels), (cond_br, vec![LabelAt::Past(0xbc), LabelAt::End]));
    // b $-0x3c: 0x3c bytes before the instruction.
    let b_back = case(0x17ff_fff1);
    assert_eq!((b_back.inst, b_back.labels), (Inst::Jump { target: MachLabel(0) }, vec![LabelAt::Before(0x3c)]));
    // b . : the instruction itself.
    assert_eq!(case(0x1400_0000).labels, vec![LabelAt::Start]);
    // cbz w1, $+4: both targets one label right after the instruction.
    let cbz = case(0x3400_0021);
    let kind = CondBrKind::Zero(x(1), OperandSize::Size32);
    let cond_br = Inst::CondBr { kind, taken: MachLabel(0), not_taken: MachLabel(0) };
    assert_eq!((cbz.inst, cbz.labels), (cond_br, vec![LabelAt::End]));
    // bl $+0x40, linked: our call (`bl .` plus a relocation); only the
    // offset differs, which the whole-function check reports as such.
    let call = lift(&0x9400_0010u32.to_le_bytes(), 0).case.expect("a linked bl lifts");
    assert!(matches!(call.inst, Inst::Call { symbol: 0, .. }), "{:?}", call.inst);
}

#[test]
fn lift_reads_the_word_at_the_offset() {
    let code: Vec<u8> = [0xd503_201fu32, 0x9100_03fd, 0xaa00_03e4].iter().flat_map(|w| w.to_le_bytes()).collect();
    let lifted = lift(&code, 8);
    assert_eq!((lifted.len, lifted.text.as_str(), lifted.mnemonic.as_str()), (4, "mov x4, x0", "orr"));
    assert!(lifted.case.is_ok());
    // A word cut short by the end of the code.
    let cut = lift(&code[..10], 8);
    assert_eq!(
        (cut.len, cut.mnemonic.as_str(), cut.case.map(|case| case.inst)),
        (4, "(truncated)", Err("invalid encoding"))
    );
}

/// The forms no instance of which emits exactly one instruction without a
/// relocation, and why. A pattern ending in `/` matches keys by prefix, one
/// starting with `/` by suffix, any other one exactly.
const MULTI_INSTRUCTION_FORMS: &[(&str, &str)] = &[
    ("Ret/", "the epilogue, then `ret`"),
    ("TrapIf/", "a branch over a `udf`"),
    ("JmpTable/", "bounds check, `adr`, `ldrsw`, `add`, `br` and the table"),
    ("/MovZK", "`movz` + `movk`s"),
    ("/MovNK", "`movn` + `movk`s"),
    ("ImmValue/Size64/0x123456789abcdef0", "`movz` + 3 `movk`s"),
    ("ImmValue/Size64/0xffffffff12345678", "`movn` + `movk`"),
    ("ImmValue/Size32/0x12345678", "`movz` + `movk`"),
    ("/RegOffset/LargeOffset", "the offset into `x17`, then the register form"),
    ("LoadAddr/Register", "the offset into `x17`, then `add`"),
    ("CondBr/Both", "`b.cond` + `b`"),
    ("Jump/FallThrough", "nothing: the buffer deletes it"),
    ("Call", "one `bl`, but relocated (lifted and checked in the row table)"),
];

fn multi_instruction_reason(key: &str) -> Option<&'static str> {
    let matches = |pattern: &str| {
        if pattern.ends_with('/') {
            key.starts_with(pattern)
        } else if pattern.starts_with('/') {
            key.ends_with(pattern)
        } else {
            key == pattern
        }
    };
    MULTI_INSTRUCTION_FORMS.iter().find(|(pattern, _)| matches(pattern)).map(|(_, why)| *why)
}

/// Whether `case` emits exactly one instruction and no relocation; if so,
/// whether its word round-trips through [`lift`] (and what went wrong).
fn round_trip(case: &Case) -> Option<Result<(), String>> {
    let emitted = emit_case(case);
    if emitted.bytes.len() != 4 || !emitted.relocs.is_empty() {
        return None;
    }
    let word = u32::from_le_bytes([emitted.bytes[0], emitted.bytes[1], emitted.bytes[2], emitted.bytes[3]]);
    Some(reencode(word).map(|_| ()).map_err(|error| format!("{:?} emits {word:08x}: {error}", case.inst)))
}

/// How the instances of one form fared.
#[derive(Default)]
struct Tally {
    instances: u32,
    failure: Option<String>,
}

/// Every form that generated cases emit as one instruction round-trips;
/// the forms split exactly into those and [`MULTI_INSTRUCTION_FORMS`].
/// Prints the coverage figure.
#[test]
fn every_single_instruction_form_round_trips() {
    let mut forms: BTreeMap<String, Tally> = BTreeMap::new();
    let mut rng = Xorshift(0x5DEE_CE66_D1CE_4E5B);
    let mut buffer = [0u8; 128];
    // 40,000 instances reach every form (checked against 300,000).
    for _ in 0..40_000 {
        rng.fill(&mut buffer);
        let case = arbitrary_case(&mut arbitrary::Unstructured::new(&buffer)).expect("the generator never fails");
        let Some(outcome) = round_trip(&case) else { continue };
        for key in form_keys(&case) {
            let tally = forms.entry(key).or_default();
            tally.instances += 1;
            if let Err(error) = &outcome {
                tally.failure.get_or_insert_with(|| error.clone());
            }
        }
    }
    let failed: Vec<String> = forms
        .iter()
        .filter_map(|(key, tally)| tally.failure.as_ref().map(|failure| format!("{key}: {failure}")))
        .collect();
    assert!(failed.is_empty(), "{} forms do not round-trip:\n{}", failed.len(), failed.join("\n"));
    let all = all_forms();
    let misplaced: Vec<String> = all
        .iter()
        .filter_map(|key| match (forms.get(key), multi_instruction_reason(key)) {
            (Some(tally), Some(why)) => {
                Some(format!("{key}: {} single-instruction instances, listed as {why}", tally.instances))
            }
            (None, None) => Some(format!("{key}: never one instruction, not in MULTI_INSTRUCTION_FORMS")),
            _ => None,
        })
        .collect();
    assert!(misplaced.is_empty(), "forms in the wrong class:\n{}", misplaced.join("\n"));
    let unknown: Vec<&String> = forms.keys().filter(|key| !all.contains(key)).collect();
    assert!(unknown.is_empty(), "generated forms missing from all_forms(): {unknown:?}");
    println!(
        "round trip: {} of {} single-instruction forms ({} forms in all, {} never one instruction)",
        forms.len() - failed.len(),
        forms.len(),
        all.len(),
        all.len() - forms.len()
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

    /// Any generated case that emits one instruction and no relocation
    /// lifts to a case that emits the same word.
    #[test]
    fn generated_single_words_round_trip(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..128)) {
        let case = arbitrary_case(&mut arbitrary::Unstructured::new(&data)).expect("the generator never fails");
        if let Some(Err(error)) = round_trip(&case) {
            proptest::prop_assert!(false, "{}", error);
        }
    }
}
