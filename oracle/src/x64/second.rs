//! The x86-64 second opinion: capstone decodes the bytes iced decoded, and
//! the two structures are compared.
//!
//! Part of the x86-64 oracle, after [`check`](super::check):
//! `Checked bytes ─▶ iced + capstone ─▶ compare ─▶ SecondOpinion` (see
//! [`crate::second`]). Compared per instruction: length, mnemonic, operand
//! count, and per operand its register, memory base/index/scale/
//! displacement/size, immediate or branch target. Capstone's register and
//! mnemonic ids are mapped to iced's once per thread, by name (with the
//! renamings of [`NORMALIZATIONS`](crate::second::NORMALIZATIONS)).

use crate::Checked;
use crate::second::SecondOpinion;
use capstone::arch::DetailsArchInsn;
use capstone::arch::x86::{ArchMode, X86OperandType};
use capstone::prelude::*;
use iced_x86::{Decoder, DecoderOptions, Instruction, Mnemonic, OpKind, Register};
use std::collections::HashMap;

/// Capstone with detail on, and its ids mapped to iced's.
struct Second {
    cs: Capstone,
    /// iced's mnemonic of each capstone instruction id.
    mnemonics: Vec<Option<Mnemonic>>,
    /// iced's register of each capstone register id.
    registers: Vec<Register>,
}

/// Capstone's mnemonics that iced spells differently (see `NORMALIZATIONS`).
fn renamed(name: &str) -> &str {
    match name {
        "movabs" => "mov",
        other => other,
    }
}

/// Capstone's register names as iced spells them: `r8b`..`r15b` are
/// iced's `R8L`..`R15L`.
fn register_renamed(name: String) -> String {
    match name.strip_prefix('r').and_then(|rest| rest.strip_suffix('b')) {
        Some(number) if number.parse::<u8>().is_ok() => format!("r{number}l"),
        _ => name,
    }
}

impl Second {
    fn new() -> Second {
        let cs = Capstone::new().x86().mode(ArchMode::Mode64).detail(true).build().expect("capstone supports x86-64");
        let iced_mnemonics: HashMap<String, Mnemonic> =
            Mnemonic::values().map(|m| (format!("{m:?}").to_lowercase(), m)).collect();
        let iced_registers: HashMap<String, Register> =
            Register::values().map(|r| (format!("{r:?}").to_lowercase(), r)).collect();
        let mnemonics = (0..4096u32)
            .map(|id| cs.insn_name(InsnId(id)).and_then(|name| iced_mnemonics.get(renamed(&name)).copied()))
            .collect();
        let registers = (0..512u16)
            .map(|id| {
                cs.reg_name(RegId(id))
                    .and_then(|name| iced_registers.get(&register_renamed(name)).copied())
                    .unwrap_or_default()
            })
            .collect();
        Second { cs, mnemonics, registers }
    }

    fn register(&self, id: RegId) -> Register {
        self.registers.get(id.0 as usize).copied().unwrap_or_default()
    }
}

thread_local! {
    static SECOND: Second = Second::new();
}

/// Capstone's opinion of what `checked` decoded to (its code, not the
/// jump table).
pub fn second_opinion(checked: &Checked) -> SecondOpinion {
    second_opinion_of(&checked.bytes[..checked.code_len])
}

/// Capstone's opinion of `code` (at address 0) compared with iced's.
pub fn second_opinion_of(code: &[u8]) -> SecondOpinion {
    SECOND.with(|second| compare(second, code))
}

fn iced_text(inst: &Instruction) -> String {
    super::check::format_all(std::slice::from_ref(inst))
}

fn compare(second: &Second, code: &[u8]) -> SecondOpinion {
    let cs = &second.cs;
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut iter = match cs.disasm_iter(code, 0) {
        Ok(iter) => iter,
        Err(error) => return SecondOpinion::Unsupported { detail: format!("capstone: {error}") },
    };
    let mut k = 0;
    while decoder.can_decode() {
        let inst = decoder.decode();
        if inst.is_invalid() {
            return SecondOpinion::Unsupported { detail: format!("iced cannot decode instruction {k}") };
        }
        let Some(insn) = iter.next() else {
            return SecondOpinion::Unsupported {
                detail: format!("capstone cannot decode instruction {k} (`{}`, at {:#x})", inst, inst.ip()),
            };
        };
        let detail = match cs.insn_detail(&insn) {
            Ok(detail) => detail,
            Err(error) => return SecondOpinion::Unsupported { detail: format!("capstone detail: {error}") },
        };
        let arch = detail.arch_detail();
        let Some(x86) = arch.x86() else {
            return SecondOpinion::Unsupported { detail: "capstone gave no x86 detail".into() };
        };
        let disagree = |field: &'static str, primary: String, capstone: String| {
            let texts =
                (iced_text(&inst), format!("{} {}", insn.mnemonic().unwrap_or("?"), insn.op_str().unwrap_or("")));
            SecondOpinion::disagree(field, k, primary, capstone, texts)
        };
        if insn.len() != inst.len() {
            return disagree("length", inst.len().to_string(), insn.len().to_string());
        }
        let mnemonic = second.mnemonics.get(insn.id().0 as usize).copied().flatten();
        if mnemonic != Some(inst.mnemonic()) {
            let name = cs.insn_name(insn.id()).unwrap_or_default();
            return disagree("mnemonic", format!("{:?}", inst.mnemonic()), name);
        }
        let count = x86.operands().count();
        if count != inst.op_count() as usize {
            return disagree("operand count", inst.op_count().to_string(), count.to_string());
        }
        for (i, op) in x86.operands().enumerate() {
            if let Err((field, primary, capstone)) = compare_operand(second, &inst, i as u32, &op) {
                return disagree(field, format!("operand {i}: {primary}"), format!("operand {i}: {capstone}"));
            }
        }
        k += 1;
    }
    if let Some(insn) = iter.next() {
        return SecondOpinion::disagree(
            "instruction count",
            k,
            format!("{k} instructions"),
            format!("more, from `{}`", insn),
            (String::new(), String::new()),
        );
    }
    SecondOpinion::Agree
}

type FieldDiff = (&'static str, String, String);

fn mask(value: u64, size: u8) -> u64 {
    if size == 0 || size >= 8 { value } else { value & ((1u64 << (8 * size as u32)) - 1) }
}

fn compare_operand(
    second: &Second,
    inst: &Instruction,
    i: u32,
    op: &capstone::arch::x86::X86Operand,
) -> Result<(), FieldDiff> {
    let kind = inst.op_kind(i);
    match (&op.op_type, kind) {
        (X86OperandType::Reg(id), OpKind::Register) => {
            let reg = second.register(*id);
            if reg != inst.op_register(i) {
                let name = second.cs.reg_name(*id).unwrap_or_default();
                return Err(("register", format!("{:?}", inst.op_register(i)), name));
            }
            Ok(())
        }
        (X86OperandType::Imm(value), OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64) => {
            if *value as u64 != inst.near_branch_target() {
                return Err(("branch target", format!("{:#x}", inst.near_branch_target()), format!("{value:#x}")));
            }
            Ok(())
        }
        (X86OperandType::Imm(value), _) if is_immediate(kind) => {
            let ours = inst.immediate(i);
            if mask(ours, op.size) != mask(*value as u64, op.size) {
                return Err(("immediate", format!("{ours:#x}"), format!("{value:#x} (size {})", op.size)));
            }
            Ok(())
        }
        (X86OperandType::Mem(mem), OpKind::Memory) => {
            let base = second.register(mem.base());
            let index = second.register(mem.index());
            let scale = if index == Register::None { 1 } else { mem.scale() as u32 };
            let iced_scale = if inst.memory_index() == Register::None { 1 } else { inst.memory_index_scale() };
            // iced resolves [rip + disp] to an address; capstone keeps disp.
            let disp =
                if base == Register::RIP { inst.next_ip().wrapping_add(mem.disp() as u64) } else { mem.disp() as u64 };
            let theirs = (base, index, scale, disp);
            let ours = (inst.memory_base(), inst.memory_index(), iced_scale, inst.memory_displacement64());
            if theirs != ours {
                return Err(("memory", format!("{ours:x?}"), format!("{theirs:x?}")));
            }
            let size = inst.memory_size().size();
            // `lea` has no memory size in iced.
            if size != 0 && size != op.size as usize {
                return Err(("memory size", size.to_string(), op.size.to_string()));
            }
            Ok(())
        }
        (theirs, ours) => Err(("operand kind", format!("{ours:?}"), format!("{theirs:?}"))),
    }
}

fn is_immediate(kind: OpKind) -> bool {
    matches!(
        kind,
        OpKind::Immediate8
            | OpKind::Immediate8_2nd
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate64
            | OpKind::Immediate8to16
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
            | OpKind::Immediate32to64
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::Xorshift;
    use crate::x64::{arbitrary_case, check_case};
    use arbitrary::Unstructured;

    /// Over generated instances, capstone agrees with iced on (nearly)
    /// everything, and supports everything.
    #[test]
    fn decoders_agree_on_generated_instances() {
        let mut rng = Xorshift(0x5DEE_CE66_D1CE_4E5B);
        let (mut agree, mut others) = (0, Vec::new());
        for _ in 0..3_000 {
            let mut buffer = [0u8; 128];
            rng.fill(&mut buffer);
            let case = arbitrary_case(&mut Unstructured::new(&buffer)).expect("never runs out");
            let checked = check_case(&case).unwrap_or_else(|m| panic!("{m}"));
            match second_opinion(&checked) {
                SecondOpinion::Agree => agree += 1,
                other => others.push(format!("{other:?}")),
            }
        }
        assert!(agree >= 2_970, "only {agree} of 3000 agree; first differences: {:?}", &others[..others.len().min(5)]);
    }

    /// The renamings of `NORMALIZATIONS` make these agree.
    #[test]
    fn normalized_differences_agree() {
        let rows: [&[u8]; 4] = [
            &[0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11], // movabs rax, imm64 (iced: mov)
            &[0x41, 0x0f, 0x94, 0xc0],                                     // sete r8b (iced: R8L)
            &[0x48, 0x8d, 0x05, 0x10, 0x00, 0x00, 0x00],                   // lea rax, [rip+0x10] (no size; rip)
            &[0x48, 0x83, 0xe0, 0x80],                                     // and rax, -128 (imm8 sign-extended)
        ];
        for code in rows {
            assert_eq!(second_opinion_of(code), SecondOpinion::Agree, "{code:02x?}");
        }
    }

    /// Bytes that neither decodes are not a disagreement.
    #[test]
    fn undecodable_bytes_are_unsupported() {
        assert!(matches!(second_opinion_of(&[0x0f, 0xff]), SecondOpinion::Unsupported { .. }));
    }
}
