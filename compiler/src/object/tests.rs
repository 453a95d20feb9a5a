//! Unit tests of the object writer: the static description's layout and
//! round trip, symbol mangling, target names, and call-site checking. The
//! whole-file checks (symbols, relocations, binutils, linking) live in the
//! CLI's `tests/compile_object.rs`.

use super::describe::{describe, module_info, trap_table};
use super::description::{self, Arch, FuncType, ModuleDescription, ValType};
use super::encode::encode_description;
use super::symbols::{demangle, export, mangle};
use super::{ObjectError, ObjectFormat, ObjectTarget, write_object};
use crate::compile::{CompileOptions, compile_module_with_call_sites};
use crate::machinst::RelocKind;
use crate::module::{CallSite, CompiledModule, Target};
use ::object::{Object, ObjectSection, ObjectSymbol, RelocationFlags};

/// A module touching every list of the description: imports of each kind,
/// a table with an initializer and an element segment, globals, an active
/// and a passive data segment, every export kind, a start function, calls
/// and traps.
const RICH_WAT: &str = r#"
(module
  (type $binop (func (param i32 i32) (result i32)))
  (import "env" "log" (func $log (param i32)))
  (import "env" "g" (global $g i64))
  (import "env" "mem" (memory 1 4))
  (table $t 3 8 funcref)
  (elem (table $t) (i32.const 1) func $add $div)
  (global $counter (mut i32) (i32.const 7))
  (global (export "pi") f64 (f64.const 3.25))
  (data (i32.const 16) "hello")
  (data "passive\00bytes")
  (func $add (type $binop) local.get 0 local.get 1 i32.add)
  (func $div (export "div") (type $binop) local.get 0 local.get 1 i32.div_s)
  (func $twice (export "twice") (param i32) (result i32)
    local.get 0 local.get 0 call $add)
  (func $init (global.set $counter (i32.const 8)) (call $log (i32.const 1)))
  (export "table" (table $t))
  (export "mem" (memory 0))
  (start $init))
"#;

fn compile(wat: &str, target: Target) -> (CompiledModule, Vec<CallSite>) {
    let wasm = wat::parse_str(wat).expect("test module parses");
    compile_module_with_call_sites(&wasm, &CompileOptions::new(target)).expect("test module compiles")
}

#[test]
fn description_round_trips_to_the_same_module_info() {
    for target in [Target::X86_64, Target::Aarch64] {
        let (module, call_sites) = compile(RICH_WAT, target);
        // $twice calls $add; the array entries of div, twice and the start
        // function call theirs.
        let mut callees: Vec<u32> = call_sites.iter().map(|s| s.callee).collect();
        callees.sort();
        assert_eq!(callees, [1, 2, 3, 4]);
        let (description, data) = describe(&module).expect("describes");
        assert_eq!(data, b"hellopassive\0bytes");
        let bytes = encode_description(&description).expect("encodes");
        let parsed = description::parse(&bytes).expect("parses");
        assert_eq!(parsed, description);
        assert_eq!(module_info(&parsed, &data).expect("rebuilds"), module.info);
        assert_eq!(trap_table(&parsed).expect("trap codes"), module.trap_table);
        assert!(!parsed.trap_table.is_empty(), "i32.div_s has trap sites");

        // Spot checks of what the runtime will read.
        assert_eq!(parsed.arch, if target == Target::X86_64 { Arch::X86_64 } else { Arch::Aarch64 });
        assert_eq!(parsed.code_size as usize, module.code.len());
        assert_eq!(parsed.start, Some(4));
        assert!(parsed.memory_imported);
        assert_eq!(parsed.num_imported_functions, 1);
        let div = parsed.export("div").expect("div exported");
        let entry = div.entry.as_ref().expect("exported function has an entry point");
        assert_eq!(entry.symbol, "wasm2native_export_div");
        assert_eq!(Some(entry.code_offset), module.array_entry(2));
        assert_eq!(
            parsed.export("mem").map(|e| (e.kind, e.index, e.entry.is_some())),
            Some((description::ExportKind::Memory, 0, false))
        );
        assert_eq!(parsed.data[1].bytes(&data), Some(&b"passive\0bytes"[..]));
        assert_eq!(parsed.code.len(), module.functions.len());
        assert_eq!(parsed.code[0].symbol, "wasm2native_func1");
    }
}

/// A minimal description, byte for byte.
#[test]
fn description_layout_is_as_documented() {
    let description = ModuleDescription {
        arch: Arch::Aarch64,
        code_base: 0x1122_3344_5566_7788,
        data_base: 0,
        code_size: 0x40,
        data_size: 0,
        types: vec![FuncType { params: vec![ValType::I32], results: vec![ValType::F64] }],
        imports: vec![],
        functions: vec![0],
        num_imported_functions: 0,
        imported_globals: vec![],
        globals: vec![],
        memories: vec![],
        memory_imported: false,
        tables: vec![],
        num_imported_tables: 0,
        table_inits: vec![],
        exports: vec![],
        elements: vec![],
        data: vec![],
        start: Some(0),
        code: vec![],
        trap_table: vec![description::TrapRecord { offset: 0x10, code: 4 }],
    };
    let bytes = encode_description(&description).expect("encodes");
    let mut expected = Vec::new();
    expected.extend_from_slice(b"\x7fW2NMOD\0");
    for word in [1u32, 120, 120 + 10 + 4 + 5, 2] {
        expected.extend_from_slice(&word.to_le_bytes());
    }
    expected.extend_from_slice(&0x1122_3344_5566_7788u64.to_le_bytes());
    expected.extend_from_slice(&0u64.to_le_bytes());
    // code size, data size, flags (has start), start, imported funcs/tables.
    for word in [0x40u32, 0, 2, 0, 0, 0] {
        expected.extend_from_slice(&word.to_le_bytes());
    }
    // Counts: types 1, functions 1, traps 1, the rest 0; then reserved.
    for count in [1u32, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0] {
        expected.extend_from_slice(&count.to_le_bytes());
    }
    assert_eq!(expected.len(), description::HEADER_SIZE);
    expected.extend_from_slice(&[1, 0, 0, 0, 0x7f, 1, 0, 0, 0, 0x7c]); // (i32) -> (f64)
    expected.extend_from_slice(&[0, 0, 0, 0]); // function 0 has type 0
    expected.extend_from_slice(&[0x10, 0, 0, 0, 4]); // trap at 0x10: divide by zero
    assert_eq!(bytes, expected);
    assert_eq!(description::parse(&bytes), Ok(description));
}

#[test]
fn description_parse_names_the_problem_and_offset() {
    let (module, _) = compile(RICH_WAT, Target::X86_64);
    let (description, _) = describe(&module).expect("describes");
    let bytes = encode_description(&description).expect("encodes");
    let error = |bytes: &[u8]| description::parse(bytes).expect_err("must be rejected");

    let mut bad = bytes.clone();
    bad[1] = b'X';
    assert_eq!(error(&bad).offset, 0);
    assert!(error(&bad).message.contains("magic"));

    let mut bad = bytes.clone();
    bad[8] = 2;
    assert_eq!(
        error(&bad).to_string(),
        "bad module description: unknown version 2 (this reader knows 1) (at offset 0x8)"
    );

    let truncated = &bytes[..bytes.len() - 1];
    assert_eq!(error(truncated).offset, description::TOTAL_SIZE_OFFSET);

    // One byte more than the lists use: the header's total size covers it.
    let mut bad = bytes.clone();
    bad.push(0);
    let total = bad.len() as u32;
    bad[16..20].copy_from_slice(&total.to_le_bytes());
    let e = error(&bad);
    assert_eq!((e.offset, e.message.as_str()), (bytes.len(), "1 trailing bytes"));

    // The first type's first parameter byte is a value type.
    let mut bad = bytes.clone();
    let first_param = description::HEADER_SIZE + 4;
    assert_eq!(bad[first_param], 0x7f);
    bad[first_param] = 0x55;
    let e = error(&bad);
    assert_eq!((e.offset, e.message.as_str()), (first_param, "unknown value type 0x55"));

    // A description followed by other bytes (as in a linked image) parses.
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0xAA; 7]);
    assert_eq!(description::parse(&longer), Ok(description));
}

#[test]
fn mangling_is_as_documented() {
    assert_eq!(mangle("add-two"), "add_2dtwo");
    assert_eq!(mangle("ünïcode"), "_c3_bcn_c3_afcode");
    assert_eq!(mangle("a_b"), "a_5fb");
    assert_eq!(mangle(""), "");
    assert_eq!(export("main"), "wasm2native_export_main");
}

#[test]
fn mangling_is_injective_on_tricky_names() {
    let names = [
        "",
        "_",
        "__",
        "_5f",
        "_5F",
        "a_b",
        "a-b",
        "a_2db",
        "a_2db_",
        "ü",
        "_c3_bc",
        "A",
        "a",
        "add-two",
        "add_two",
        "add_2dtwo",
        "\0",
        "\0\0",
        "a.b",
        "a b",
        "a\u{7f}",
        "😀",
        "ff",
        "_ff",
        "x_",
        "x__",
        "x_5f_5f",
        "0",
        "_30",
    ];
    let mut seen = std::collections::HashMap::new();
    for name in names {
        let mangled = mangle(name);
        assert!(
            mangled.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "{mangled:?} is not a C identifier part"
        );
        if let Some(other) = seen.insert(mangled.clone(), name) {
            panic!("{name:?} and {other:?} both mangle to {mangled:?}");
        }
        assert_eq!(demangle(&mangled).as_deref(), Some(name), "demangle(mangle({name:?}))");
    }
    // What `mangle` never produces is rejected, so `demangle` is a true inverse.
    for not_mangled in ["_41", "_4", "_zz", "a-b", "_2D", "_c3"] {
        assert_eq!(demangle(not_mangled), None, "{not_mangled:?}");
    }
}

#[test]
fn object_target_names() {
    let elf = |arch| ObjectTarget { arch, format: ObjectFormat::Elf };
    let macho = |arch| ObjectTarget { arch, format: ObjectFormat::MachO };
    assert_eq!(ObjectTarget::from_name("x86_64"), Some(elf(Target::X86_64)));
    assert_eq!(ObjectTarget::from_name("x86_64-unknown-linux-gnu"), Some(elf(Target::X86_64)));
    assert_eq!(ObjectTarget::from_name("aarch64"), Some(elf(Target::Aarch64)));
    assert_eq!(ObjectTarget::from_name("aarch64-unknown-linux-gnu"), Some(elf(Target::Aarch64)));
    assert_eq!(ObjectTarget::from_name("x86_64-apple-darwin"), Some(macho(Target::X86_64)));
    assert_eq!(ObjectTarget::from_name("aarch64-apple-darwin"), Some(macho(Target::Aarch64)));
    assert_eq!(ObjectTarget::from_name("riscv64"), None);
    for target in ObjectTarget::ALL {
        assert_eq!(ObjectTarget::from_name(target.triple()), Some(target));
    }
}

/// The call relocation of each format and architecture, read back.
#[test]
fn calls_become_relocations_on_every_target() {
    for target in ObjectTarget::ALL {
        let (module, call_sites) = compile(RICH_WAT, target.arch);
        let bytes = write_object(&module, &call_sites, target.format).expect("writes");
        let file = ::object::File::parse(&*bytes).expect("object parses");
        let text = file.section_by_name(if target.format == ObjectFormat::Elf { ".text" } else { "__text" });
        let text = text.expect("has a text section");
        let relocations: Vec<_> = text.relocations().collect();
        assert_eq!(relocations.len(), call_sites.len(), "{target}");
        let flags = match (target.arch, target.format) {
            (Target::X86_64, ObjectFormat::Elf) => RelocationFlags::Elf { r_type: ::object::elf::R_X86_64_PLT32 },
            (Target::Aarch64, ObjectFormat::Elf) => RelocationFlags::Elf { r_type: ::object::elf::R_AARCH64_CALL26 },
            (Target::X86_64, ObjectFormat::MachO) => {
                RelocationFlags::MachO { r_type: ::object::macho::X86_64_RELOC_BRANCH, r_pcrel: true, r_length: 2 }
            }
            (Target::Aarch64, ObjectFormat::MachO) => {
                RelocationFlags::MachO { r_type: ::object::macho::ARM64_RELOC_BRANCH26, r_pcrel: true, r_length: 2 }
            }
        };
        let prefix = if target.format == ObjectFormat::MachO { "_" } else { "" };
        for site in &call_sites {
            let (_, relocation) = relocations
                .iter()
                .find(|(offset, _)| *offset == site.offset as u64)
                .unwrap_or_else(|| panic!("{target}: no relocation at {:#x}", site.offset));
            assert_eq!(relocation.flags(), flags, "{target}");
            // The reader states Mach-O's implicit x86-64 branch addend the
            // ELF way too: relative to the field, −4.
            let addend = if target.arch == Target::X86_64 { -4 } else { 0 };
            assert_eq!(relocation.addend(), addend, "{target}");
            let ::object::RelocationTarget::Symbol(symbol) = relocation.target() else {
                panic!("{target}: not a symbol")
            };
            let symbol = file.symbol_by_index(symbol).expect("symbol exists");
            assert_eq!(symbol.name(), Ok(format!("{prefix}wasm2native_func{}", site.callee).as_str()), "{target}");
        }
    }
}

#[test]
fn inconsistent_call_sites_are_rejected() {
    let (module, call_sites) = compile(RICH_WAT, Target::X86_64);
    let site = call_sites[0];
    let wrong_callee = CallSite { callee: 2, ..site };
    let error = write_object(&module, &[wrong_callee], ObjectFormat::Elf).expect_err("wrong callee");
    assert!(matches!(error, ObjectError::BadCallSite { offset, .. } if offset == site.offset), "{error}");
    let imported_callee = CallSite { callee: 0, ..site };
    let error = write_object(&module, &[imported_callee], ObjectFormat::Elf).expect_err("import");
    assert_eq!(
        error.to_string(),
        format!("call site at code offset {:#x}: callee 0 is not a function defined in the module", site.offset)
    );
    let outside = CallSite { offset: module.code.len() as u32 - 2, ..site };
    assert!(write_object(&module, &[outside], ObjectFormat::Elf).is_err());
    let wrong_kind = CallSite { kind: RelocKind::Arm64Call, ..site };
    assert!(write_object(&module, &[wrong_kind], ObjectFormat::MachO).is_err());
    // The real site is accepted, and leaving calls out keeps them resolved.
    assert!(write_object(&module, &[site], ObjectFormat::Elf).is_ok());
    let without = write_object(&module, &[], ObjectFormat::Elf).expect("writes");
    let file = ::object::File::parse(&*without).expect("parses");
    let text = file.section_by_name(".text").expect("text");
    assert_eq!(text.data().expect("data"), &module.code[..]);
}

/// Invariant: the description reader uses nothing but `std`, so a runtime
/// can carry a copy of the file.
#[test]
fn description_reader_is_self_contained() {
    let source = include_str!("description.rs");
    for forbidden in ["crate::", "super::", "extern crate", "use object", "use serde"] {
        assert!(!source.contains(forbidden), "description.rs mentions {forbidden:?}");
    }
}
