//! Our re-encoding of one instruction against Cranelift's bytes: the same
//! bytes, other bytes for the same instruction (and why), or another
//! instruction.
//!
//! Part of `whole`, after lifting and re-encoding:
//!
//! ```text
//! theirs, ours ─ equal? ─▶ Identical
//!                  │ no
//!                  └─ decode both at the same address ─ same structure? ─▶ Equivalent(reason) | Different
//! ```
//!
//! "Same structure" is the decoder's reading, never its text: on x86-64
//! the mnemonic and every operand by value (registers, memory base, index,
//! scale, displacement and size, immediates sign-extended, branch
//! targets), not by opcode, ModR/M direction, immediate or displacement
//! width or redundant prefixes; on AArch64 yaxpeax-arm's whole decoded
//! instruction. Two readings count as the same instruction on x86-64
//! although they differ: `movzx r32` and `movzx r64` (writing a 32-bit
//! register clears the upper half), and two `call rel32` whose
//! displacements differ (a relocation: ours is not linked yet).

use super::isa::Comparison;
use iced_x86::{Code, Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, Mnemonic, OpKind, Register};
use yaxpeax_arch::Decoder as _;
use yaxpeax_arm::armv8::a64::InstDecoder;

/// The one x86-64 instruction at the start of `bytes`, decoded at
/// `address`.
pub fn decode_x64(bytes: &[u8], address: u64) -> Option<Instruction> {
    let mut decoder = Decoder::with_ip(64, bytes, address, DecoderOptions::NONE);
    let inst = decoder.decode();
    (!inst.is_invalid()).then_some(inst)
}

/// `bytes` decoded as exactly one instruction.
fn decode_exactly(bytes: &[u8], address: u64) -> Option<Instruction> {
    decode_x64(bytes, address).filter(|inst| inst.len() == bytes.len())
}

/// iced's Intel text of `bytes` at `address` (instructions joined with
/// `; `).
pub fn text_x64(bytes: &[u8], address: u64) -> String {
    let mut decoder = Decoder::with_ip(64, bytes, address, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    formatter.options_mut().set_hex_prefix("0x");
    formatter.options_mut().set_hex_suffix("");
    formatter.options_mut().set_space_after_operand_separator(true);
    let mut texts = Vec::new();
    while decoder.can_decode() {
        let inst = decoder.decode();
        if inst.is_invalid() {
            texts.push("(bad)".to_string());
            break;
        }
        let mut text = String::new();
        formatter.format(&inst, &mut text);
        texts.push(text);
    }
    if texts.is_empty() { "nothing".into() } else { texts.join("; ") }
}

/// What an operand is, independent of how it is encoded.
#[derive(Debug, PartialEq, Eq)]
enum Shape {
    Register(Register),
    /// Base, index, scale, displacement (an absolute address when
    /// RIP-relative), size.
    Memory(Register, Register, u32, u64, iced_x86::MemorySize),
    Immediate(i64),
    Branch(u64),
    Other(OpKind),
}

fn immediate(inst: &Instruction, i: u32) -> i64 {
    let raw = inst.immediate(i);
    match inst.op_kind(i) {
        OpKind::Immediate8 => raw as i8 as i64,
        OpKind::Immediate16 | OpKind::Immediate8to16 => raw as i16 as i64,
        OpKind::Immediate32 | OpKind::Immediate8to32 => raw as i32 as i64,
        _ => raw as i64,
    }
}

/// The decoded structure compared for "same instruction".
fn shape(inst: &Instruction) -> (Mnemonic, Vec<Shape>) {
    let mut operands: Vec<Shape> = (0..inst.op_count())
        .map(|i| match inst.op_kind(i) {
            OpKind::Register => Shape::Register(inst.op_register(i)),
            OpKind::Memory => Shape::Memory(
                inst.memory_base(),
                inst.memory_index(),
                inst.memory_index_scale(),
                inst.memory_displacement64(),
                inst.memory_size(),
            ),
            OpKind::Immediate8
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate64
            | OpKind::Immediate8to16
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
            | OpKind::Immediate32to64 => Shape::Immediate(immediate(inst, i)),
            OpKind::NearBranch64 => Shape::Branch(inst.near_branch64()),
            other => Shape::Other(other),
        })
        .collect();
    // `movzx r32, r/m` zero-extends into the whole register.
    if inst.mnemonic() == Mnemonic::Movzx
        && let Some(Shape::Register(dst)) = operands.first_mut()
    {
        *dst = dst.full_register();
    }
    (inst.mnemonic(), operands)
}

/// The opcode bytes of an encoding, after its prefixes (`01`, `0F AF`),
/// in upper-case hex.
fn opcode(bytes: &[u8]) -> String {
    let start = bytes.iter().position(|b| !matches!(b, 0x66 | 0x67 | 0xF2 | 0xF3 | 0x40..=0x4F)).unwrap_or(0);
    let len = match bytes.get(start..start + 2) {
        Some([0x0F, 0x38 | 0x3A]) => 3,
        Some([0x0F, _]) => 2,
        _ => 1,
    };
    let end = (start + len).min(bytes.len());
    bytes[start..end].iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" ")
}

/// Whether `code` is a short accumulator form (`05 id`, `3D id`, `A9 id`).
fn accumulator_form(code: Code) -> bool {
    let name = format!("{code:?}");
    ["_AL_", "_AX_", "_EAX_", "_RAX_"].iter().any(|r| name.contains(r))
}

/// Why two encodings of the same instruction differ (one line).
fn reason(ours: &Instruction, theirs: &Instruction, our_bytes: &[u8], their_bytes: &[u8]) -> String {
    let (op_ours, op_theirs) = (opcode(our_bytes), opcode(their_bytes));
    if ours.code() != theirs.code() {
        let shift_by_one = |c: Code| format!("{c:?}").ends_with("_1");
        if shift_by_one(ours.code()) || shift_by_one(theirs.code()) {
            return format!("shift by one: ours {op_ours} /n ib, Cranelift's {op_theirs} /n");
        }
        if ours.mnemonic() == Mnemonic::Movzx {
            return "movzx: ours to r32 (clears bits 32-63), Cranelift's REX.W to r64".into();
        }
        if accumulator_form(ours.code()) || accumulator_form(theirs.code()) {
            return format!("accumulator short form: ours {op_ours}, Cranelift's {op_theirs}");
        }
        let kinds = |i: &Instruction| (0..i.op_count()).map(|k| i.op_kind(k)).collect::<Vec<_>>();
        if kinds(ours).iter().all(|k| *k == OpKind::Register) {
            return format!("reg-reg direction: ours {op_ours} /r, Cranelift's {op_theirs} /r");
        }
        let width = |i: &Instruction| {
            (0..i.op_count()).find_map(|k| match i.op_kind(k) {
                OpKind::Immediate8 | OpKind::Immediate8to16 | OpKind::Immediate8to32 | OpKind::Immediate8to64 => {
                    Some("imm8")
                }
                OpKind::Immediate32 | OpKind::Immediate32to64 => Some("imm32"),
                _ => None,
            })
        };
        if let (Some(a), Some(b)) = (width(ours), width(theirs))
            && a != b
        {
            return format!("immediate width: ours {op_ours} {a}, Cranelift's {op_theirs} {b}");
        }
        return format!("opcode choice: ours {op_ours}, Cranelift's {op_theirs}");
    }
    if ours.memory_displ_size() != theirs.memory_displ_size() {
        // iced reports a disp32 of 64-bit code as 8 bytes (sign-extended).
        let width = |i: &Instruction| match i.memory_displ_size() {
            0 => "no disp",
            1 => "disp8",
            2 => "disp16",
            _ => "disp32",
        };
        return format!("displacement width: ours {}, Cranelift's {}", width(ours), width(theirs));
    }
    if ours.len() != theirs.len() {
        return "a prefix that changes nothing (e.g. REX 0x40) on one side".into();
    }
    "same opcode, other bits the processor ignores".into()
}

/// Compares our x86-64 bytes with Cranelift's (see the module docs).
pub fn compare_x64(theirs: &[u8], ours: &[u8], address: u64) -> Comparison {
    if theirs == ours {
        return Comparison::Identical;
    }
    let (Some(a), Some(b)) = (decode_exactly(ours, address), decode_exactly(theirs, address)) else {
        return Comparison::Different;
    };
    if a.code() == Code::Call_rel32_64 && b.code() == Code::Call_rel32_64 {
        return Comparison::Equivalent("call rel32: the displacement is a relocation (ours not linked yet)".into());
    }
    if shape(&a) == shape(&b) { Comparison::Equivalent(reason(&a, &b, ours, theirs)) } else { Comparison::Different }
}

/// yaxpeax-arm's reading of one 4-byte word.
fn decode_aarch64(bytes: &[u8]) -> Option<yaxpeax_arm::armv8::a64::Instruction> {
    if bytes.len() != 4 {
        return None;
    }
    InstDecoder::default().decode(&mut yaxpeax_arch::U8Reader::new(bytes)).ok()
}

/// yaxpeax-arm's text of `bytes` (words joined with `; `).
pub fn text_aarch64(bytes: &[u8]) -> String {
    let texts: Vec<String> = bytes
        .chunks(4)
        .map(|word| decode_aarch64(word).map_or_else(|| format!("(bad {word:02x?})"), |inst| inst.to_string()))
        .collect();
    if texts.is_empty() { "nothing".into() } else { texts.join("; ") }
}

/// Compares our AArch64 bytes with Cranelift's: equal words, or the same
/// decoded instruction.
pub fn compare_aarch64(theirs: &[u8], ours: &[u8]) -> Comparison {
    if theirs == ours {
        return Comparison::Identical;
    }
    let is_bl = |bytes: &[u8]| bytes.len() == 4 && bytes[3] & 0xfc == 0x94;
    if is_bl(ours) && is_bl(theirs) {
        return Comparison::Equivalent("bl: the offset is a relocation (ours not linked yet)".into());
    }
    match (decode_aarch64(ours), decode_aarch64(theirs)) {
        (Some(a), Some(b)) if a == b => Comparison::Equivalent("same decoded instruction, other bits".into()),
        _ => Comparison::Different,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        text.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
    }

    #[test]
    fn reg_reg_direction_is_equivalent_with_the_opcodes() {
        let verdict = compare_x64(&hex("48 33 c9"), &hex("48 31 c9"), 0x100);
        assert_eq!(verdict, Comparison::Equivalent("reg-reg direction: ours 31 /r, Cranelift's 33 /r".into()));
    }

    #[test]
    fn widths_and_short_forms_are_named() {
        let disp = compare_x64(&hex("48 8b 87 08 00 00 00"), &hex("48 8b 47 08"), 0);
        assert_eq!(disp, Comparison::Equivalent("displacement width: ours disp8, Cranelift's disp32".into()));
        let acc = compare_x64(&hex("05 00 01 00 00"), &hex("81 c0 00 01 00 00"), 0);
        assert_eq!(acc, Comparison::Equivalent("accumulator short form: ours 81, Cranelift's 05".into()));
        let imm = compare_x64(&hex("41 81 c1 ff ff ff ff"), &hex("41 83 c1 ff"), 0);
        assert_eq!(imm, Comparison::Equivalent("immediate width: ours 83 imm8, Cranelift's 81 imm32".into()));
        let one = compare_x64(&hex("d1 e0"), &hex("c1 e0 01"), 0);
        assert_eq!(one, Comparison::Equivalent("shift by one: ours C1 /n ib, Cranelift's D1 /n".into()));
    }

    #[test]
    fn other_instructions_are_different() {
        // `mov rax, rcx` against `mov rcx, rax`.
        assert_eq!(compare_x64(&hex("48 89 c8"), &hex("48 89 c1"), 0), Comparison::Different);
        // A branch to another target.
        assert_eq!(compare_x64(&hex("e9 10 00 00 00"), &hex("e9 11 00 00 00"), 0x40), Comparison::Different);
        // Two instructions against one.
        assert_eq!(compare_x64(&hex("48 89 c8"), &hex("48 89 c8 90"), 0), Comparison::Different);
        assert_eq!(compare_x64(&hex("48 89 c8"), &hex("48 89 c8"), 0), Comparison::Identical);
    }

    #[test]
    fn linked_calls_are_equivalent() {
        let verdict = compare_x64(&hex("e8 3b fe ff ff"), &hex("e8 00 00 00 00"), 0x200);
        assert!(matches!(verdict, Comparison::Equivalent(reason) if reason.starts_with("call rel32")));
    }

    #[test]
    fn aarch64_compares_decoded_words() {
        // add x0, x1, x2 / add x0, x1, x3
        assert_eq!(compare_aarch64(&hex("20 00 02 8b"), &hex("20 00 02 8b")), Comparison::Identical);
        assert_eq!(compare_aarch64(&hex("20 00 02 8b"), &hex("20 00 03 8b")), Comparison::Different);
        assert_eq!(text_aarch64(&hex("20 00 02 8b")), "add x0, x1, x2");
        // bl $+0x40 against our unlinked bl $+0; a bl against a b is not.
        let call = compare_aarch64(&hex("10 00 00 94"), &hex("00 00 00 94"));
        assert!(matches!(call, Comparison::Equivalent(reason) if reason.starts_with("bl:")));
        assert_eq!(compare_aarch64(&hex("10 00 00 94"), &hex("00 00 00 14")), Comparison::Different);
    }

    #[test]
    fn texts_name_every_instruction() {
        assert_eq!(text_x64(&hex("48 89 c8 c3"), 0), "mov rax, rcx; ret");
        assert_eq!(text_x64(&hex("06"), 0), "(bad)");
    }
}
