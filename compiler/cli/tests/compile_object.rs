//! `wasm2native compile`: the object files it writes, read back with the
//! `object` crate, checked by binutils where installed, and linked.
//!
//! For each target (ELF and Mach-O, x86-64 and AArch64) the object must
//! hold one symbol per function and trampoline with the right address, size
//! and section, a global symbol per export, a relocation at every call site
//! (found independently by decoding the compiled code) with the right kind
//! and target, `.text` equal to the compiled code except at the relocated
//! fields, and a static description that parses back to the module's
//! description. `readelf`/`objdump` must accept the ELF objects without
//! warnings and count the same instructions per function as
//! `wasm2native disasm`; linking must resolve the relocations.

use compiler::CompileOptions;
use compiler::compile::compile_module_with_call_sites;
use compiler::module::{CompiledModule, ExportKind, FunctionKind, Target};
use compiler::object::describe::{module_info, trap_table};
use compiler::object::{ObjectFormat, ObjectTarget, description};
use object::{
    Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget, SectionFlags, SymbolScope, elf, macho,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Two functions calling each other, a call to a helper, an import (so a
/// host-call trampoline), a data segment and exports with odd names.
const TEST_WAT: &str = r#"
(module
  (import "env" "log" (func $log (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\00world")
  (func $two (result i32) i32.const 2)
  (func (export "add-two") (param i32) (result i32)
    local.get 0 call $two i32.add)
  (func $even (export "ünïcode") (param i32) (result i32)
    local.get 0 i32.eqz
    if (result i32) i32.const 1
    else local.get 0 i32.const 1 i32.sub call $odd end)
  (func $odd (param i32) (result i32)
    local.get 0 call $log
    local.get 0 i32.eqz
    if (result i32) i32.const 0
    else local.get 0 i32.const 1 i32.sub call $even end))
"#;

/// Function indices in TEST_WAT (the import is function 0).
const TWO: u32 = 1;
const ADD_TWO: u32 = 2;
const EVEN: u32 = 3;
const ODD: u32 = 4;

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile_object").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create test directory");
    dir
}

fn wasm2native(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm2native")).args(args).output().expect("run wasm2native")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether `tool` is on PATH; prints a note when it is not.
fn have(tool: &str) -> bool {
    let found = Command::new("which").arg(tool).output().is_ok_and(|o| o.status.success());
    if !found {
        println!("note: `{tool}` is not installed; skipping the checks that need it");
    }
    found
}

/// A call found by decoding the code: the patched field's offset, the
/// caller's function index and the callee's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Call {
    field: u32,
    callee: u32,
}

/// Decodes every function of `module` and lists its direct calls (x86-64
/// `call rel32`, AArch64 `bl`), resolved to the function they reach.
fn decoded_calls(module: &CompiledModule) -> Vec<Call> {
    let function_at = |target: u64| {
        let layout = module.functions.iter().find(|f| f.offset as u64 == target).expect("call lands on a function");
        match layout.kind {
            FunctionKind::Wasm(index) => index,
            other => panic!("call to {other:?}"),
        }
    };
    let mut calls = Vec::new();
    for function in &module.functions {
        let range = function.offset as usize..(function.offset + function.len) as usize;
        match module.target {
            Target::X86_64 => {
                use iced_x86::{Code, Decoder, DecoderOptions};
                let mut decoder =
                    Decoder::with_ip(64, &module.code[range.clone()], function.offset as u64, DecoderOptions::NONE);
                while decoder.can_decode() {
                    let inst = decoder.decode();
                    if inst.code() == Code::Call_rel32_64 {
                        let field = (inst.next_ip() - 4) as u32;
                        calls.push(Call { field, callee: function_at(inst.near_branch_target()) });
                    }
                }
            }
            Target::Aarch64 => {
                for (i, word) in module.code[range.clone()].chunks_exact(4).enumerate() {
                    let word = u32::from_le_bytes(word.try_into().expect("4 bytes"));
                    if word & 0xFC00_0000 == 0x9400_0000 {
                        let field = range.start as u32 + 4 * i as u32;
                        let delta = ((word << 6) as i32 >> 6) as i64 * 4;
                        calls.push(Call { field, callee: function_at((field as i64 + delta) as u64) });
                    }
                }
            }
        }
    }
    calls
}

fn symbol_name(kind: FunctionKind) -> String {
    match kind {
        FunctionKind::Wasm(i) => format!("wasm2native_func{i}"),
        FunctionKind::ArrayEntry(i) => format!("wasm2native_entry{i}"),
        FunctionKind::HostCall(i) => format!("wasm2native_host_call{i}"),
    }
}

fn section_names(format: ObjectFormat) -> [&'static str; 3] {
    match format {
        ObjectFormat::Elf => [".text", ".wasm2native.data", ".wasm2native.module"],
        ObjectFormat::MachO => ["__text", "__w2n_data", "__w2n_module"],
    }
}

/// Compiles TEST_WAT with the CLI for `target` and checks the object
/// against the library's CompiledModule. Returns the object's path.
fn compile_and_check(target: ObjectTarget) -> (PathBuf, CompiledModule, Vec<Call>) {
    let dir = work_dir(target.triple());
    let input = dir.join("test.wat");
    std::fs::write(&input, TEST_WAT).expect("write input");
    let output = dir.join("test.o");
    let run = wasm2native(&[
        "compile",
        input.to_str().expect("utf-8 path"),
        "-o",
        output.to_str().expect("utf-8 path"),
        "--target",
        target.triple(),
    ]);
    assert!(run.status.success(), "{target}: {}", text(&run.stderr));
    assert_eq!(text(&run.stderr), "", "{target}");
    let bytes = std::fs::read(&output).expect("object written");

    let wasm = wat::parse_str(TEST_WAT).expect("test module parses");
    let (module, _) = compile_module_with_call_sites(&wasm, &CompileOptions::new(target.arch)).expect("compiles");
    let calls = decoded_calls(&module);
    let mut callees: Vec<u32> = calls.iter().map(|c| c.callee).collect();
    callees.sort();
    // add-two → two, even → odd, odd → even, and the array entries of
    // add-two and even.
    assert_eq!(callees, [TWO, ADD_TWO, EVEN, EVEN, ODD], "{target}");

    let file = object::File::parse(&*bytes).expect("object parses");
    let (format, architecture) = match (target.format, target.arch) {
        (ObjectFormat::Elf, arch) => (object::BinaryFormat::Elf, arch),
        (ObjectFormat::MachO, arch) => (object::BinaryFormat::MachO, arch),
    };
    assert_eq!(file.format(), format);
    let expected_architecture = match architecture {
        Target::X86_64 => object::Architecture::X86_64,
        Target::Aarch64 => object::Architecture::Aarch64,
    };
    assert_eq!(file.architecture(), expected_architecture);
    assert_eq!(file.kind(), object::ObjectKind::Relocatable);

    let [text_name, data_name, module_name] = section_names(target.format);
    let text_section = file.section_by_name(text_name).expect("text section");
    let data_section = file.section_by_name(data_name).expect("data section");
    let module_section = file.section_by_name(module_name).expect("description section");
    if target.format == ObjectFormat::Elf {
        let note = file.section_by_name(".note.GNU-stack").expect("GNU-stack note");
        assert_eq!((note.size(), note.flags()), (0, SectionFlags::Elf { sh_flags: 0 }));
    }
    assert_eq!(data_section.data().expect("data"), b"hello\0world");

    // Symbols.
    let prefix = if target.format == ObjectFormat::MachO { "_" } else { "" };
    let symbol = |name: &str| {
        let full = format!("{prefix}{name}");
        file.symbol_by_name(&full).unwrap_or_else(|| panic!("{target}: no symbol {full}"))
    };
    let sized = target.format == ObjectFormat::Elf; // Mach-O symbols carry no size.
    for layout in &module.functions {
        let sym = symbol(&symbol_name(layout.kind));
        assert_eq!(sym.section_index(), Some(text_section.index()), "{target}");
        assert_eq!(sym.address(), text_section.address() + layout.offset as u64, "{target} {}", layout.name);
        if sized {
            assert_eq!(sym.size(), layout.len as u64, "{target} {}", layout.name);
        }
        assert!(sym.is_local(), "{target}: {} is local", layout.name);
    }
    for (export, mangled) in [("add-two", "add_2dtwo"), ("ünïcode", "_c3_bcn_c3_afcode")] {
        let Some(ExportKind::Func(index)) = module.info.export(export) else { panic!("{export} exported") };
        let entry = module.functions.iter().find(|f| f.kind == FunctionKind::ArrayEntry(index)).expect("entry");
        let sym = symbol(&format!("wasm2native_export_{mangled}"));
        assert_eq!(sym.address(), text_section.address() + entry.offset as u64, "{target} {export}");
        assert_eq!(sym.section_index(), Some(text_section.index()));
        if sized {
            assert_eq!(sym.size(), entry.len as u64, "{target} {export}");
        }
        assert!(sym.is_global() && !sym.is_undefined(), "{target}: {export} is global");
        assert_eq!(sym.scope(), SymbolScope::Linkage, "{target}: {export} is hidden");
    }
    let module_symbol = symbol("wasm2native_module");
    assert!(module_symbol.is_global());
    assert_eq!(module_symbol.address(), module_section.address());
    if sized {
        assert_eq!(module_symbol.size(), module_section.size());
    }
    let segment = symbol("wasm2native_data_segment0");
    assert_eq!((segment.address(), segment.section_index()), (data_section.address(), Some(data_section.index())));
    assert!(file.symbols().all(|s| !s.is_undefined() || s.index().0 == 0), "{target}: no undefined symbols");

    // Relocations at exactly the decoded call sites.
    let (call_flags, call_addend) = match (target.format, target.arch) {
        (ObjectFormat::Elf, Target::X86_64) => (RelocationFlags::Elf { r_type: elf::R_X86_64_PLT32 }, -4),
        (ObjectFormat::Elf, Target::Aarch64) => (RelocationFlags::Elf { r_type: elf::R_AARCH64_CALL26 }, 0),
        (ObjectFormat::MachO, Target::X86_64) => {
            (RelocationFlags::MachO { r_type: macho::X86_64_RELOC_BRANCH, r_pcrel: true, r_length: 2 }, -4)
        }
        (ObjectFormat::MachO, Target::Aarch64) => {
            (RelocationFlags::MachO { r_type: macho::ARM64_RELOC_BRANCH26, r_pcrel: true, r_length: 2 }, 0)
        }
    };
    let target_name = |relocation: &object::Relocation| match relocation.target() {
        RelocationTarget::Symbol(index) => {
            let name = file.symbol_by_index(index).expect("symbol").name().expect("name").to_string();
            name.strip_prefix(prefix).expect("platform prefix").to_string()
        }
        other => panic!("{target}: relocation against {other:?}"),
    };
    let relocations: BTreeMap<u64, object::Relocation> = text_section.relocations().collect();
    let expected: BTreeMap<u64, String> =
        calls.iter().map(|c| (c.field as u64, format!("wasm2native_func{}", c.callee))).collect();
    assert_eq!(relocations.len(), calls.len(), "{target}: one relocation per call, nothing else");
    for (offset, relocation) in &relocations {
        let callee = expected.get(offset).unwrap_or_else(|| panic!("{target}: relocation at {offset:#x} is no call"));
        assert_eq!(relocation.flags(), call_flags, "{target} at {offset:#x}");
        assert_eq!(relocation.addend(), call_addend, "{target} at {offset:#x}");
        assert_eq!(&target_name(relocation), callee, "{target} at {offset:#x}");
    }

    // `.text` is the compiled code with the relocated fields cleared.
    let code = text_section.data().expect("text data");
    let mut expected_code = module.code.clone();
    for call in &calls {
        let field = call.field as usize..call.field as usize + 4;
        let cleared: [u8; 4] = match target.arch {
            Target::X86_64 => [0; 4],
            Target::Aarch64 => 0x9400_0000u32.to_le_bytes(),
        };
        assert_ne!(&expected_code[field.clone()], &cleared, "{target}: the compiler resolved the call");
        expected_code[field].copy_from_slice(&cleared);
    }
    assert!(code == &expected_code[..], "{target}: .text differs from the compiled code");

    // The description parses back, and its two address words are relocated.
    let module_bytes = module_section.data().expect("description bytes");
    let parsed = description::parse(module_bytes).expect("description parses");
    assert_eq!(module_info(&parsed, data_section.data().expect("data")).expect("info"), module.info, "{target}");
    assert_eq!(trap_table(&parsed).expect("traps"), module.trap_table, "{target}");
    assert_eq!((parsed.code_base, parsed.data_base), (0, 0));
    assert_eq!(parsed.code_size as usize, module.code.len());
    for (record, layout) in parsed.code.iter().zip(&module.functions) {
        assert_eq!(
            (record.offset, record.len, record.symbol.clone()),
            (layout.offset, layout.len, symbol_name(layout.kind))
        );
    }
    let entry = parsed.export("add-two").and_then(|e| e.entry.clone()).expect("add-two has an entry point");
    assert_eq!(entry.symbol, "wasm2native_export_add_2dtwo");
    assert_eq!(symbol(&entry.symbol).address(), text_section.address() + entry.code_offset as u64);
    let absolute = match (target.format, target.arch) {
        (ObjectFormat::Elf, Target::X86_64) => RelocationFlags::Elf { r_type: elf::R_X86_64_64 },
        (ObjectFormat::Elf, Target::Aarch64) => RelocationFlags::Elf { r_type: elf::R_AARCH64_ABS64 },
        (ObjectFormat::MachO, Target::X86_64) => {
            RelocationFlags::MachO { r_type: macho::X86_64_RELOC_UNSIGNED, r_pcrel: false, r_length: 3 }
        }
        (ObjectFormat::MachO, Target::Aarch64) => {
            RelocationFlags::MachO { r_type: macho::ARM64_RELOC_UNSIGNED, r_pcrel: false, r_length: 3 }
        }
    };
    let mut description_relocations: Vec<(u64, RelocationFlags, i64, String)> =
        module_section.relocations().map(|(offset, r)| (offset, r.flags(), r.addend(), target_name(&r))).collect();
    description_relocations.sort_by_key(|r| r.0);
    assert_eq!(
        description_relocations,
        [
            (description::CODE_BASE_OFFSET as u64, absolute, 0, "wasm2native_code".to_string()),
            (description::DATA_BASE_OFFSET as u64, absolute, 0, "wasm2native_data".to_string()),
        ],
        "{target}"
    );
    (output, module, calls)
}

/// Instruction addresses per function, from `wasm2native disasm`.
fn disasm_addresses(input: &Path, arch: Target) -> BTreeMap<String, Vec<u64>> {
    let run = wasm2native(&["disasm", input.to_str().expect("utf-8 path"), "--target", arch.name()]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let mut functions: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut current = None;
    for line in text(&run.stdout).lines() {
        if let Some((name, _)) = line.split_once(" (").filter(|_| !line.starts_with(' ')) {
            current = Some(name.to_string());
            functions.entry(name.to_string()).or_default();
        } else if let Some(address) = instruction_address(line) {
            functions.get_mut(current.as_ref().expect("inside a function")).expect("listed").push(address);
        }
    }
    functions
}

/// The address of an instruction line of objdump, llvm-objdump or
/// `wasm2native disasm` (`  1c:<tab or spaces>bytes ...`).
fn instruction_address(line: &str) -> Option<u64> {
    let (address, rest) = line.trim_start().split_once(':')?;
    if address.is_empty() || !rest.starts_with(['\t', ' ']) || rest.trim().is_empty() {
        return None;
    }
    u64::from_str_radix(address, 16).ok()
}

/// Runs a disassembler over the object and compares its instruction count
/// per function with `wasm2native disasm`'s.
fn compare_disassembly(tool: &str, args: &[&str], object: &Path, module: &CompiledModule, input: &Path) {
    let run = Command::new(tool).args(args).arg(object).output().expect("run disassembler");
    assert!(run.status.success(), "{tool}: {}", text(&run.stderr));
    assert!(!text(&run.stderr).to_lowercase().contains("warning"), "{tool}: {}", text(&run.stderr));
    let addresses: Vec<u64> = text(&run.stdout).lines().filter_map(instruction_address).collect();
    let ours = disasm_addresses(input, module.target);
    for function in &module.functions {
        let range = function.offset as u64..(function.offset + function.len) as u64;
        let theirs = addresses.iter().filter(|a| range.contains(a)).count();
        let listed = ours.get(&function.name).map_or(0, Vec::len);
        assert!(listed > 3, "{}: disasm lists {listed} instructions", function.name);
        assert_eq!(theirs, listed, "{tool} vs wasm2native disasm, {} on {}", function.name, module.target);
    }
}

#[test]
fn elf_x86_64_object() {
    let target = ObjectTarget { arch: Target::X86_64, format: ObjectFormat::Elf };
    let (object_path, module, calls) = compile_and_check(target);
    let input = object_path.with_file_name("test.wat");
    // The alias names the same target.
    let alias = object_path.with_file_name("alias.o");
    let run = wasm2native(&["compile", input.to_str().expect("utf-8"), "-o", alias.to_str().expect("utf-8")]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(std::fs::read(&alias).ok(), std::fs::read(&object_path).ok(), "x86_64 is x86_64-unknown-linux-gnu");

    if have("readelf") {
        check_readelf(&object_path);
    }
    if have("objdump") {
        compare_disassembly("objdump", &["-d", "-z", "-w"], &object_path, &module, &input);
    }
    if have("cc") {
        link_x86_64(&object_path, &module, &calls);
    }
}

#[test]
fn elf_aarch64_object() {
    let target = ObjectTarget { arch: Target::Aarch64, format: ObjectFormat::Elf };
    let (object_path, module, calls) = compile_and_check(target);
    let input = object_path.with_file_name("test.wat");
    if have("readelf") {
        check_readelf(&object_path);
    }
    // The host's objdump may only know x86-64.
    if have("aarch64-linux-gnu-objdump") {
        compare_disassembly("aarch64-linux-gnu-objdump", &["-d", "-z", "-w"], &object_path, &module, &input);
    }
    if have("aarch64-linux-gnu-ld") {
        link_aarch64(&object_path, &module, &calls);
    }
}

#[test]
fn macho_x86_64_object() {
    let target = ObjectTarget { arch: Target::X86_64, format: ObjectFormat::MachO };
    let (object_path, module, _) = compile_and_check(target);
    check_macho_build_version(&object_path, 10 << 16 | 12 << 8);
    if have("llvm-objdump") {
        let input = object_path.with_file_name("test.wat");
        compare_disassembly("llvm-objdump", &["--macho", "-d", "--no-show-raw-insn"], &object_path, &module, &input);
    }
}

#[test]
fn macho_aarch64_object() {
    let target = ObjectTarget { arch: Target::Aarch64, format: ObjectFormat::MachO };
    let (object_path, module, _) = compile_and_check(target);
    check_macho_build_version(&object_path, 11 << 16);
    if have("llvm-objdump") {
        let input = object_path.with_file_name("test.wat");
        compare_disassembly("llvm-objdump", &["--macho", "-d", "--no-show-raw-insn"], &object_path, &module, &input);
    }
}

/// The Mach-O object says which macOS it is for, so linkers do not warn.
fn check_macho_build_version(path: &Path, minos: u32) {
    use object::read::macho::MachOFile64;
    let bytes = std::fs::read(path).expect("object");
    let file = MachOFile64::<object::Endianness>::parse(&*bytes).expect("Mach-O parses");
    let endian = file.endian();
    let version = file.build_version().expect("load commands").expect("a build version command");
    let found = Some((version.platform.get(endian), version.minos.get(endian)));
    assert_eq!(found, Some((macho::PLATFORM_MACOS, minos)));
}

fn check_readelf(path: &Path) {
    let run = Command::new("readelf").args(["-a", "-W"]).arg(path).output().expect("run readelf");
    assert!(run.status.success(), "readelf: {}", text(&run.stderr));
    assert_eq!(text(&run.stderr), "", "readelf printed diagnostics");
    assert!(!text(&run.stdout).to_lowercase().contains("warning"), "{}", text(&run.stdout));
    assert!(text(&run.stdout).contains("wasm2native_export_add_2dtwo"));
}

/// A linked image read back: symbol addresses and bytes at addresses.
struct Linked {
    bytes: Vec<u8>,
}

impl Linked {
    fn file(&self) -> object::File<'_> {
        object::File::parse(&*self.bytes).expect("linked file parses")
    }

    fn symbol(&self, name: &str) -> u64 {
        self.file().symbol_by_name(name).unwrap_or_else(|| panic!("linked image has no {name}")).address()
    }

    fn word_at(&self, address: u64) -> u32 {
        let file = self.file();
        let section = file
            .sections()
            .find(|s| (s.address()..s.address() + s.size()).contains(&address))
            .expect("address inside a section");
        let at = (address - section.address()) as usize;
        u32::from_le_bytes(section.data().expect("data")[at..at + 4].try_into().expect("4 bytes"))
    }

    /// The linker turned the description's absolute words into
    /// load-time relocations of the code and data addresses.
    fn check_description_relocated(&self, relative: u32) {
        let file = self.file();
        let module = self.symbol("wasm2native_module");
        let dynamic: BTreeMap<u64, (RelocationFlags, i64)> = file
            .dynamic_relocations()
            .expect("dynamic relocations")
            .map(|(address, r)| (address, (r.flags(), r.addend())))
            .collect();
        let relative = RelocationFlags::Elf { r_type: relative };
        for (offset, symbol) in
            [(description::CODE_BASE_OFFSET, "wasm2native_code"), (description::DATA_BASE_OFFSET, "wasm2native_data")]
        {
            let address = module + offset as u64;
            let expected = (relative, self.symbol(symbol) as i64);
            assert_eq!(dynamic.get(&address), Some(&expected), "{symbol} at {address:#x}");
        }
    }
}

fn link_x86_64(object_path: &Path, module: &CompiledModule, calls: &[Call]) {
    let dir = object_path.parent().expect("directory");
    let c_file = dir.join("refs.c");
    std::fs::write(
        &c_file,
        "#include <stdint.h>\n\
         extern void wasm2native_export_add_2dtwo(void *vmctx, uint64_t *values);\n\
         extern const unsigned char wasm2native_module[];\n\
         void *wasm2native_test_refs[] = { (void *)wasm2native_export_add_2dtwo, (void *)wasm2native_module };\n",
    )
    .expect("write C file");
    let c_object = dir.join("refs.o");
    let run = Command::new("cc").args(["-c", "-fPIC", "-o"]).arg(&c_object).arg(&c_file).output().expect("run cc");
    assert!(run.status.success(), "cc -c: {}", text(&run.stderr));
    let linked_path = dir.join("linked.so");
    let run = Command::new("cc")
        .args(["-shared", "-Wl,--fatal-warnings", "-o"])
        .arg(&linked_path)
        .arg(object_path)
        .arg(&c_object)
        .output()
        .expect("run cc");
    assert!(run.status.success(), "link: {}", text(&run.stderr));
    assert_eq!(text(&run.stderr), "", "the linker printed diagnostics");

    let linked = Linked { bytes: std::fs::read(&linked_path).expect("linked image") };
    let code = linked.symbol("wasm2native_code");
    for call in calls {
        let field = code + call.field as u64;
        let displacement = linked.word_at(field) as i32 as i64;
        let reached = (field as i64 + 4 + displacement) as u64;
        assert_eq!(reached, linked.symbol(&format!("wasm2native_func{}", call.callee)), "call at {:#x}", call.field);
    }
    let entry = module.array_entry(ADD_TWO).expect("entry");
    assert_eq!(linked.symbol("wasm2native_export_add_2dtwo"), code + entry as u64);
    linked.check_description_relocated(elf::R_X86_64_RELATIVE);
}

fn link_aarch64(object_path: &Path, module: &CompiledModule, calls: &[Call]) {
    let linked_path = object_path.with_file_name("linked.so");
    let run = Command::new("aarch64-linux-gnu-ld")
        .args(["-shared", "--fatal-warnings", "-o"])
        .arg(&linked_path)
        .arg(object_path)
        .output()
        .expect("run ld");
    assert!(run.status.success(), "link: {}", text(&run.stderr));
    assert_eq!(text(&run.stderr), "", "the linker printed diagnostics");

    let linked = Linked { bytes: std::fs::read(&linked_path).expect("linked image") };
    let code = linked.symbol("wasm2native_code");
    for call in calls {
        let field = code + call.field as u64;
        let word = linked.word_at(field);
        assert_eq!(word & 0xFC00_0000, 0x9400_0000, "still a bl");
        let reached = (field as i64 + ((word << 6) as i32 >> 6) as i64 * 4) as u64;
        assert_eq!(reached, linked.symbol(&format!("wasm2native_func{}", call.callee)), "bl at {:#x}", call.field);
    }
    let entry = module.array_entry(EVEN).expect("entry");
    assert_eq!(linked.symbol("wasm2native_export__c3_bcn_c3_afcode"), code + entry as u64);
    linked.check_description_relocated(elf::R_AARCH64_RELATIVE);
}

#[test]
fn malformed_wasm_fails_cleanly() {
    let dir = work_dir("malformed");
    // A type section whose one entry starts with 0x61 instead of 0x60.
    let input = dir.join("bad.wasm");
    std::fs::write(&input, b"\0asm\x01\0\0\0\x01\x04\x01\x61\0\0").expect("write input");
    let output = dir.join("bad.o");
    let run = wasm2native(&["compile", input.to_str().expect("utf-8"), "-o", output.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("bad.wasm: invalid module:"), "{stderr}");
    assert!(stderr.contains("(at offset 0xb)"), "{stderr}");
    assert!(!output.exists(), "no output file");

    // An existing output is left as it was.
    std::fs::write(&output, b"previous").expect("write old output");
    let run = wasm2native(&["compile", input.to_str().expect("utf-8"), "-o", output.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(std::fs::read(&output).expect("old output"), b"previous");

    // Nothing else (no temporary file) was left behind.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("list directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bad.o", "bad.wasm"]);
}

#[test]
fn unknown_target_is_a_usage_error() {
    let dir = work_dir("bad-target");
    let input = dir.join("test.wat");
    std::fs::write(&input, TEST_WAT).expect("write input");
    let output = dir.join("test.o");
    let run = wasm2native(&[
        "compile",
        input.to_str().expect("utf-8"),
        "-o",
        output.to_str().expect("utf-8"),
        "--target",
        "riscv64",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("unknown target \"riscv64\""), "{}", text(&run.stderr));
    assert!(!output.exists());
}
