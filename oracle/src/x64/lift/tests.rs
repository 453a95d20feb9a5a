//! Tests of the x86-64 lifter: rows of real Cranelift output (bytes copied
//! from wasmtime 48's code for the sightglass programs), each lifted and
//! re-encoded by our emitter.
//!
//! Part of the x86-64 oracle's tests. Three kinds of rows: bytes our
//! emitter reproduces exactly, bytes it re-encodes in an equivalent form
//! (with our bytes pinned), and bytes no instruction of ours expresses
//! (with the reason pinned).

use super::lift;
use crate::common::LabelAt;
use crate::x64::{Case, check_case_quick};
use compiler::isa::x64::inst::Inst;

fn hex(text: &str) -> Vec<u8> {
    text.split_whitespace().map(|b| u8::from_str_radix(b, 16).expect("hex byte")).collect()
}

/// `bytes` placed at `offset` (after `nop` padding), lifted there.
fn lift_at(bytes: &[u8], offset: usize) -> (Case, usize, String) {
    let mut code = vec![0x90; offset];
    code.extend_from_slice(bytes);
    let lifted = lift(&code, offset);
    assert_eq!(lifted.len, bytes.len(), "{bytes:02x?} decodes to {} bytes", lifted.len);
    let case = lifted.case.unwrap_or_else(|why| panic!("{} ({bytes:02x?}) does not lift: {why}", lifted.text));
    (case, lifted.len, lifted.text)
}

/// Our bytes for `case`; the encoder oracle must accept them.
fn ours(case: &Case) -> Vec<u8> {
    let checked = check_case_quick(case).unwrap_or_else(|mismatch| panic!("{mismatch}"));
    checked.bytes[..checked.code_len].to_vec()
}

/// Cranelift's bytes that our emitter reproduces exactly, with iced's text.
const IDENTICAL: &[(&str, &str)] = &[
    ("55", "push rbp"),
    ("48 89 e5", "mov rbp, rsp"),
    ("4c 8b 57 08", "mov r10, qword ptr [rdi+0x8]"),
    ("49 81 c2 d0 00 00 00", "add r10, 0xd0"),
    ("48 81 ec c0 00 00 00", "sub rsp, 0xc0"),
    ("48 89 9c 24 90 00 00 00", "mov qword ptr [rsp+0x90], rbx"),
    ("44 8b bf c0 00 00 00", "mov r15d, dword ptr [rdi+0xc0]"),
    ("83 ea 30", "sub edx, 0x30"),
    ("89 97 c0 00 00 00", "mov dword ptr [rdi+0xc0], edx"),
    ("48 8d 3c d6", "lea rdi, [rsi+rdx*8]"),
    ("83 f8 02", "cmp eax, 0x2"),
    ("48 0f 43 f9", "cmovae rdi, rcx"),
    ("48 83 e0 fe", "and rax, -0x2"),
    ("48 85 c9", "test rcx, rcx"),
    ("8b d0", "mov edx, eax"),
    ("ff d1", "call rcx"),
    ("0f 0b", "ud2"),
    ("5d", "pop rbp"),
    ("41 0f b6 c0", "movzx eax, r8b"),
    ("48 63 c9", "movsxd rcx, ecx"),
    ("c1 e0 05", "shl eax, 0x5"),
    ("48 d3 e8", "shr rax, cl"),
    ("f7 d8", "neg eax"),
    ("48 f7 f1", "div rcx"),
    ("48 99", "cqo"),
    ("0f 94 c0", "sete al"),
    ("41 0f af c1", "imul eax, r9d"),
    ("f2 0f 59 c1", "mulsd xmm0, xmm1"),
    ("66 0f 57 c0", "xorpd xmm0, xmm0"),
    ("66 48 0f 6e c0", "movq xmm0, rax"),
    ("66 0f 2e c1", "ucomisd xmm0, xmm1"),
    ("f2 0f 10 47 08", "movsd xmm0, qword ptr [rdi+0x8]"),
    ("48 b8 00 00 00 00 01 00 00 00", "mov rax, 0x100000000"),
    ("48 c7 c0 ff ff ff ff", "mov rax, -0x1"),
];

#[test]
fn cranelift_rows_reencode_identically() {
    for (bytes, text) in IDENTICAL {
        let bytes = hex(bytes);
        let (case, _, decoded) = lift_at(&bytes, 0);
        assert_eq!(decoded, *text);
        assert_eq!(ours(&case), bytes, "{text}: {:?}", case.inst);
    }
}

#[test]
fn mnemonic_is_the_decoders() {
    let lifted = lift(&hex("48 0f 43 f9"), 0);
    assert_eq!(lifted.mnemonic, "cmovae");
    assert_eq!(lifted.len, 4);
}

/// A forward `je` at 0x1a0 (to 0x63f) and a backward `jmp` at 0x40 (to
/// 0x35): labels are placed relative to the instruction, so the
/// displacement comes back unchanged.
#[test]
fn branches_keep_their_displacement() {
    let je = hex("0f 84 99 04 00 00");
    let (case, _, text) = lift_at(&je, 0x1a0);
    assert_eq!(text, "je 0x63f");
    assert_eq!(case.labels, [LabelAt::Past(0x499), LabelAt::End]);
    assert!(matches!(case.inst, Inst::JmpCond { .. }));
    assert_eq!(ours(&case), je);

    let jmp = hex("e9 f0 ff ff ff");
    let (case, _, text) = lift_at(&jmp, 0x40);
    assert_eq!(text, "jmp 0x35");
    assert_eq!(case.labels, [LabelAt::Before(0xb)]);
    assert_eq!(ours(&case), jmp);
}

/// `and rcx, [rip+0x10]` refers to a constant 16 bytes past its end.
#[test]
fn rip_relative_operands_get_a_label() {
    let and = hex("48 23 0d 10 00 00 00");
    let (case, _, text) = lift_at(&and, 0x100);
    assert_eq!(text, "and rcx, qword ptr [rip+0x10]");
    assert_eq!(case.labels, [LabelAt::Past(0x10)]);
    assert_eq!(ours(&case), and);
}

/// Cranelift's bytes that our emitter writes another way: the same
/// instruction to the decoder.
#[test]
fn equivalent_encodings_reencode_in_our_form() {
    let rows = [
        // `xor r64, r/m64` (33 /r) against our `xor r/m64, r64` (31 /r).
        ("48 33 c9", "48 31 c9"),
        // `cmp r64, r/m64` (3B /r) against our `cmp r/m64, r64` (39 /r).
        ("4c 3b d4", "49 39 e2"),
        // The accumulator short form against our `81 /0 id`.
        ("05 00 01 00 00", "81 c0 00 01 00 00"),
        // `mov r32, imm32` as `C7 /0` against our `B8+r`.
        ("c7 c0 05 00 00 00", "b8 05 00 00 00"),
        // Shift by one (`D1 /4`) against our `C1 /4 01`.
        ("d1 e0", "c1 e0 01"),
    ];
    for (theirs, expected) in rows {
        let (case, _, _) = lift_at(&hex(theirs), 0);
        assert_eq!(ours(&case), hex(expected), "{theirs}: {:?}", case.inst);
    }
}

#[test]
fn inexpressible_instructions_say_why() {
    let rows = [
        ("c5 f9 fe c1", "vpaddd", "VEX/EVEX-encoded (AVX): we emit legacy SSE only"),
        ("66 0f fe c1", "paddd", "SSE instruction we never emit"),
        ("41 8d 5f f8", "lea", "32-bit lea"),
        ("48 c7 04 1e 00 00 00 00", "mov", "store of an immediate"),
        ("c3", "ret", "bare ret: our Ret is the whole epilogue (pop rbp; ret)"),
        ("eb 05", "jmp", "short (rel8) branch: ours are rel32"),
        ("48 11 c8", "adc", "add/sub with carry"),
        ("48 01 07", "add", "memory destination (read-modify-write): ours write registers"),
        ("66 01 c8", "add", "8- or 16-bit operand size (our variant is 32/64-bit)"),
        ("88 e0", "mov", "high-byte register (ah/ch/dh/bh): our byte registers are spl..dil with REX"),
        ("b8 05 00 00 00 00 00 00 00", "mov", "mov r64, imm in a longer form than ours (ours picks the shortest)"),
        ("ff 25 00 00 00 00", "jmp", "indirect jmp (ours only inside JmpTable)"),
        ("ff 57 08", "call", "call through memory"),
        ("06", "(bad)", "undecodable"),
    ];
    for (bytes, mnemonic, why) in rows {
        // `b8 05 ..` is `movabs` only with REX.W.
        let bytes = if mnemonic == "mov" && bytes.starts_with("b8") { format!("48 {bytes}") } else { bytes.into() };
        let lifted = lift(&hex(&bytes), 0);
        assert_eq!(lifted.mnemonic, mnemonic, "{bytes}");
        assert_eq!(lifted.case.as_ref().err(), Some(&why), "{bytes} ({})", lifted.text);
    }
}

/// Offsets past the end, and instructions cut short, are undecodable.
#[test]
fn cut_instructions_are_undecodable() {
    let code = hex("48 81 ec c0 00");
    let lifted = lift(&code, 0);
    assert_eq!(lifted.case.err(), Some("undecodable"));
    assert!(lifted.len >= 1);
    assert_eq!(lift(&code, 10).case.err(), Some("undecodable"));
}
