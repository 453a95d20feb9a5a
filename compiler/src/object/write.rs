//! Builds the object file: sections, symbols and relocations as laid out in
//! the [`crate::object`] documentation, for ELF and Mach-O alike (only
//! section names, the GNU-stack note and the Mach-O build version differ).

use super::describe::describe;
use super::encode::encode_description;
use super::symbols;
use super::{ObjectError, ObjectFormat, description};
use crate::machinst::RelocKind;
use crate::module::{CallSite, CompiledModule, FunctionKind, Target};
use ::object::write::{MachOBuildVersion, Object, Relocation, StandardSection, Symbol, SymbolId, SymbolSection};
use ::object::{
    Architecture, BinaryFormat, Endianness, RelocationEncoding, RelocationFlags, RelocationKind, SectionKind,
    SymbolFlags, SymbolKind, SymbolScope,
};
use std::collections::HashMap;

/// Alignment of the code section (functions are 16-byte aligned in it).
const CODE_ALIGN: u64 = 16;
/// Alignment of the description (its relocated words are 8 bytes).
const DESCRIPTION_ALIGN: u64 = 8;

/// macOS version numbers as Mach-O encodes them (`xxxx.yy.zz` nibbles):
/// 10.12 is the oldest x86-64 release current toolchains target, 11.0 the
/// first with arm64.
const MACOS_10_12: u32 = (10 << 16) | (12 << 8);
const MACOS_11_0: u32 = 11 << 16;

/// Section names per format: (segment, name).
struct SectionNames {
    data: (&'static [u8], &'static [u8]),
    module: (&'static [u8], &'static [u8]),
}

const ELF_SECTIONS: SectionNames =
    SectionNames { data: (b"", b".wasm2native.data"), module: (b"", b".wasm2native.module") };
const MACHO_SECTIONS: SectionNames =
    SectionNames { data: (b"__TEXT", b"__w2n_data"), module: (b"__DATA", b"__w2n_module") };

pub(super) fn write(
    module: &CompiledModule,
    call_sites: &[CallSite],
    format: ObjectFormat,
) -> Result<Vec<u8>, ObjectError> {
    let architecture = match module.target {
        Target::X86_64 => Architecture::X86_64,
        Target::Aarch64 => Architecture::Aarch64,
    };
    let (binary_format, names) = match format {
        ObjectFormat::Elf => (BinaryFormat::Elf, &ELF_SECTIONS),
        ObjectFormat::MachO => (BinaryFormat::MachO, &MACHO_SECTIONS),
    };
    let mut obj = Object::new(binary_format, architecture, Endianness::Little);
    if format == ObjectFormat::MachO {
        let minos = match module.target {
            Target::X86_64 => MACOS_10_12,
            Target::Aarch64 => MACOS_11_0,
        };
        let mut version = MachOBuildVersion::default();
        version.platform = ::object::macho::PLATFORM_MACOS;
        version.minos = minos;
        version.sdk = minos;
        obj.set_macho_build_version(version);
    }

    let (description, data_bytes) = describe(module).map_err(ObjectError::Description)?;
    let description_bytes = encode_description(&description).map_err(|e| ObjectError::Description(e.0))?;

    // Sections.
    let text = obj.section_id(StandardSection::Text);
    let code = unresolved_code(module, call_sites)?;
    let code_len = code.len() as u64;
    obj.set_section_data(text, code, CODE_ALIGN);
    let data = obj.add_section(names.data.0.to_vec(), names.data.1.to_vec(), SectionKind::ReadOnlyData);
    let data_len = data_bytes.len() as u64;
    obj.set_section_data(data, data_bytes, 1);
    let module_section =
        obj.add_section(names.module.0.to_vec(), names.module.1.to_vec(), SectionKind::ReadOnlyDataWithRel);
    let description_len = description_bytes.len() as u64;
    obj.set_section_data(module_section, description_bytes, DESCRIPTION_ALIGN);
    if format == ObjectFormat::Elf {
        // An empty `.note.GNU-stack` without SHF_EXECINSTR tells the linker
        // this object needs no executable stack.
        obj.add_section(Vec::new(), b".note.GNU-stack".to_vec(), SectionKind::Other);
    }

    // Symbols. Mach-O cannot emit label (no-type) symbols, so the code and
    // data markers are plain text/data symbols there.
    let (code_marker, data_marker) = match format {
        ObjectFormat::Elf => (SymbolKind::Label, SymbolKind::Label),
        ObjectFormat::MachO => (SymbolKind::Text, SymbolKind::Data),
    };
    let code_symbol = add_symbol(&mut obj, symbols::CODE_SYMBOL, code_marker, false, text, 0, code_len);
    let data_symbol = add_symbol(&mut obj, symbols::DATA_SYMBOL, data_marker, false, data, 0, data_len);
    let mut function_symbols: HashMap<u32, SymbolId> = HashMap::new();
    for layout in &module.functions {
        let name = match layout.kind {
            FunctionKind::Wasm(index) => symbols::function(index),
            FunctionKind::ArrayEntry(index) => symbols::array_entry(index),
            FunctionKind::HostCall(index) => symbols::host_call(index),
        };
        let id = add_symbol(&mut obj, &name, SymbolKind::Text, false, text, layout.offset.into(), layout.len.into());
        if let FunctionKind::Wasm(index) = layout.kind {
            function_symbols.insert(index, id);
        }
    }
    for export in &description.exports {
        let Some(entry) = &export.entry else { continue };
        let len = module
            .functions
            .iter()
            .find(|f| f.offset == entry.code_offset && matches!(f.kind, FunctionKind::ArrayEntry(_)))
            .map_or(0, |f| f.len);
        add_symbol(&mut obj, &entry.symbol, SymbolKind::Text, true, text, entry.code_offset.into(), len.into());
    }
    for (index, segment) in description.data.iter().enumerate() {
        let name = symbols::data_segment(index);
        add_symbol(&mut obj, &name, SymbolKind::Data, false, data, segment.data_offset.into(), segment.len.into());
    }
    add_symbol(&mut obj, symbols::MODULE_SYMBOL, SymbolKind::Data, true, module_section, 0, description_len);

    // Relocations: calls, then the description's two address words.
    let (call_kind, call_encoding, call_size) = match module.target {
        Target::X86_64 => (RelocationKind::PltRelative, RelocationEncoding::X86Branch, 32),
        Target::Aarch64 => (RelocationKind::PltRelative, RelocationEncoding::AArch64Call, 26),
    };
    for site in call_sites {
        let symbol = *function_symbols.get(&site.callee).ok_or_else(|| ObjectError::BadCallSite {
            offset: site.offset,
            reason: format!("callee {} is not a function defined in the module", site.callee),
        })?;
        let flags = RelocationFlags::Generic { kind: call_kind, encoding: call_encoding, size: call_size };
        let relocation = Relocation { offset: site.offset.into(), symbol, addend: site.addend, flags };
        obj.add_relocation(text, relocation).map_err(|e| ObjectError::Write(e.to_string()))?;
    }
    for (offset, symbol) in [(description::CODE_BASE_OFFSET, code_symbol), (description::DATA_BASE_OFFSET, data_symbol)]
    {
        let flags = RelocationFlags::Generic {
            kind: RelocationKind::Absolute,
            encoding: RelocationEncoding::Generic,
            size: 64,
        };
        let relocation = Relocation { offset: offset as u64, symbol, addend: 0, flags };
        obj.add_relocation(module_section, relocation).map_err(|e| ObjectError::Write(e.to_string()))?;
    }
    obj.write().map_err(|e| ObjectError::Write(e.to_string()))
}

/// Adds a defined symbol; `global` ones have hidden visibility (`Linkage`).
/// Text and data symbols get the platform's C prefix (`_` on Mach-O) from
/// the `object` crate; labels are only emitted on ELF, which has none.
fn add_symbol(
    obj: &mut Object<'_>,
    name: &str,
    kind: SymbolKind,
    global: bool,
    section: ::object::write::SectionId,
    value: u64,
    size: u64,
) -> SymbolId {
    obj.add_symbol(Symbol {
        name: name.as_bytes().to_vec(),
        value,
        size,
        kind,
        scope: if global { SymbolScope::Linkage } else { SymbolScope::Compilation },
        weak: false,
        section: SymbolSection::Section(section),
        flags: SymbolFlags::None,
    })
}

/// A copy of the module's code with the field of every call site zeroed,
/// after checking that each site holds exactly the resolved call to its
/// callee (so the sites and the code belong together).
fn unresolved_code(module: &CompiledModule, call_sites: &[CallSite]) -> Result<Vec<u8>, ObjectError> {
    let mut code = module.code.clone();
    for site in call_sites {
        let bad = |reason: String| ObjectError::BadCallSite { offset: site.offset, reason };
        let callee = module
            .function_offset(site.callee)
            .ok_or_else(|| bad(format!("callee {} is not a function defined in the module", site.callee)))?;
        let at = site.offset as usize;
        let field: [u8; 4] = code
            .get(at..at.saturating_add(4))
            .and_then(|f| f.try_into().ok())
            .ok_or_else(|| bad(format!("outside the code ({} bytes)", code.len())))?;
        let displacement = callee as i64 + site.addend - site.offset as i64;
        match (module.target, site.kind) {
            (Target::X86_64, RelocKind::X86CallPCRel4) => {
                let found = i32::from_le_bytes(field) as i64;
                if found != displacement {
                    return Err(bad(format!(
                        "rel32 is {found}, the call to function {} needs {displacement}",
                        site.callee
                    )));
                }
                code[at..at + 4].copy_from_slice(&[0; 4]);
            }
            (Target::Aarch64, RelocKind::Arm64Call) => {
                const BL_OPCODE_MASK: u32 = 0xFC00_0000;
                const BL_OPCODE: u32 = 0x9400_0000;
                let word = u32::from_le_bytes(field);
                let expected = BL_OPCODE | ((displacement >> 2) as u32 & !BL_OPCODE_MASK);
                if !at.is_multiple_of(4) || word != expected {
                    return Err(bad(format!(
                        "found {word:#010x}, the `bl` to function {} is {expected:#010x}",
                        site.callee
                    )));
                }
                code[at..at + 4].copy_from_slice(&BL_OPCODE.to_le_bytes());
            }
            (target, kind) => return Err(bad(format!("relocation {kind:?} on a {target} module"))),
        }
    }
    Ok(code)
}
