//! Whole-function Cranelift parity: real Cranelift output, decoded
//! instruction by instruction, lifted into our instructions where our
//! instruction set can express them, re-encoded by our emitter and
//! compared byte for byte.
//!
//! Part of the harness, beside the encoder sweep (`encode`, which starts
//! from our instructions); this starts from Cranelift's:
//!
//! ```text
//! corpus ─▶ .wasm ─compile (wasmtime 48, per ISA)─▶ functions ─▶ sweep each:
//!   step (decode; skip jump tables, constants, padding) ─▶ lift ─┬─ Err(why) ─▶ inexpressible
//!                                                                 └─ Case ─encode (ours + oracle check)
//!                                                                       ─compare─▶ identical | equivalent(why) | different
//!   ─▶ Tally per scope (functions / trampolines) and mnemonic ─▶ WholeReport (text, JSON)
//! ```
//!
//! - [`corpus`]: which modules (sightglass, `corpus/diff`, wasm-smith);
//! - [`compile`]: wasmtime's ELF and its function symbols;
//! - [`isa`]: the per-ISA steps behind [`WholeIsa`] ([`X64`], [`Aarch64`]);
//! - [`compare`]: identical / equivalent (with a reason) / different;
//! - [`report`]: the counts, fractions and examples;
//! - [`section`]: the same as a section of the encoding audit report.
//!
//! Stepping is linear, with data kept out: an instruction that refers to
//! data inside its function PC-relatively (a constant load: `[rip+X]`,
//! `ldr d0, <label>`) marks those bytes as data; an address taken
//! (`lea r, [rip+X]`, `adr x, <label>`) that the sweep reaches right after
//! an indirect jump is a jump table of 32-bit entries relative to its
//! start, which ends where the nearest forward target begins or at the
//! first entry that points outside the function. Runs of zero bytes up to such data or to the end of the
//! function are alignment padding. What the decoder cannot read is counted
//! and shown, never guessed at.
//!
//! Trampolines (`array_to_wasm`, `wasm_to_array`, builtins, module start)
//! are swept too but counted apart from the module's own functions: they
//! are wasmtime's glue, not code a Wasm compiler generates for the module.

pub mod compare;
pub mod compile;
pub mod corpus;
pub mod isa;
pub mod report;
pub mod section;

pub use compile::{Function, FunctionKind};
pub use corpus::{Corpus, Module};
pub use isa::{Aarch64, Comparison, WholeIsa, X64};
pub use report::{Defect, IsaReport, Location, MnemonicRow, Outcome, ScopeReport, Tally, WholeReport};

use isa::DataRef;
use std::collections::{BTreeMap, HashMap};

/// Cranelift's optimization level the corpus is compiled at.
pub const OPT_LEVEL: &str = "speed";

/// How a run reports.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Examples kept of each kind (defects, undecodable places).
    pub examples: usize,
}

/// Bytes as space-separated lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// What a distinct instruction (by bytes) came to.
#[derive(Clone)]
struct Classified {
    mnemonic: String,
    outcome: Outcome,
}

/// The state of one ISA's sweep.
struct Sweep<'a, I: WholeIsa> {
    options: &'a Options,
    /// Outcomes by instruction bytes (see [`WholeIsa::lift`]'s invariant).
    cache: HashMap<Vec<u8>, Classified>,
    functions: Tally,
    trampolines: Tally,
    _isa: std::marker::PhantomData<I>,
}

/// Data found inside a function.
#[derive(Clone, Copy, Debug)]
enum Region {
    Bytes(usize),
    Table,
}

/// The length of the jump table at `at` in `code`: 32-bit entries,
/// relative to `at`, up to the nearest forward target seen so far (code
/// follows the table), or up to the first entry that points outside
/// `code` or into the table itself (it is code, not an entry).
pub fn table_len(code: &[u8], at: usize) -> usize {
    let mut end = code.len();
    let mut entries = 0;
    while let Some(word) = code.get(at + 4 * entries..at + 4 * entries + 4).filter(|_| at + 4 * entries + 4 <= end) {
        let entry = i32::from_le_bytes([word[0], word[1], word[2], word[3]]) as i64;
        let target = at as i64 + entry;
        let table_end = (at + 4 * (entries + 1)) as i64;
        if target < 0 || target >= code.len() as i64 || (target > at as i64 && target < table_end) {
            break;
        }
        if target >= table_end {
            end = end.min(target as usize);
        }
        entries += 1;
    }
    4 * entries
}

impl<'a, I: WholeIsa> Sweep<'a, I> {
    fn new(options: &'a Options) -> Self {
        Sweep {
            options,
            cache: HashMap::new(),
            functions: Tally::default(),
            trampolines: Tally::default(),
            _isa: std::marker::PhantomData,
        }
    }

    /// Sweeps one function of `module`.
    fn function(&mut self, module: &str, function: &Function) {
        let code = &function.code;
        self.scope(function.kind).symbols += 1;
        let mut regions: BTreeMap<usize, Region> = BTreeMap::new();
        let mut after_indirect_jump = false;
        let mut offset = 0;
        while offset < code.len() {
            let data = match regions.get(&offset) {
                Some(Region::Bytes(len)) => *len,
                Some(Region::Table) if after_indirect_jump => table_len(code, offset),
                _ => 0,
            };
            let padding = || {
                let end = code[offset..].iter().position(|&b| b != 0).map_or(code.len(), |n| offset + n);
                (end > offset && (end == code.len() || regions.contains_key(&end))).then_some(end - offset)
            };
            if let Some(skip) = (data > 0).then_some(data).or_else(padding) {
                let skip = skip.min(code.len() - offset);
                let scope = self.scope(function.kind);
                scope.data_bytes += skip as u64;
                offset += skip;
                after_indirect_jump = false;
                continue;
            }
            let Some(step) = I::step(code, offset) else {
                let skip = I::RESYNC.unwrap_or(code.len() - offset).min(code.len() - offset);
                let examples = self.options.examples;
                let scope = self.scope(function.kind);
                scope.undecoded_bytes += skip as u64;
                if scope.undecoded.len() < examples {
                    let at = Location { module: module.to_string(), function: function.name.clone(), offset };
                    scope.undecoded.push(at);
                }
                offset += skip;
                after_indirect_jump = false;
                continue;
            };
            match step.data {
                Some(DataRef::Bytes { at, len }) if at > offset && at < code.len() => {
                    let entry = regions.entry(at).or_insert(Region::Bytes(len));
                    if let Region::Bytes(old) = entry {
                        *old = (*old).max(len);
                    }
                }
                Some(DataRef::Table { at }) if at > offset && at < code.len() => {
                    regions.entry(at).or_insert(Region::Table);
                }
                _ => {}
            }
            let len = step.len.min(code.len() - offset);
            self.instruction(module, function, offset, len);
            after_indirect_jump = step.indirect_jump;
            offset += len;
        }
    }

    fn scope(&mut self, kind: FunctionKind) -> &mut Tally {
        match kind {
            FunctionKind::Wasm => &mut self.functions,
            FunctionKind::Trampoline => &mut self.trampolines,
        }
    }

    /// Classifies and counts the instruction at `offset`.
    fn instruction(&mut self, module: &str, function: &Function, offset: usize, len: usize) {
        let code = &function.code;
        let bytes = &code[offset..offset + len];
        let classified = match self.cache.get(bytes) {
            Some(classified) => classified.clone(),
            None => {
                let classified = self.classify(module, function, offset, len);
                self.cache.insert(bytes.to_vec(), classified.clone());
                classified
            }
        };
        self.scope(function.kind).record(&classified.mnemonic, &classified.outcome);
        self.scope(function.kind).code_bytes += len as u64;
    }

    /// Lifts, re-encodes and compares a first occurrence, recording its
    /// example when it is one.
    fn classify(&mut self, module: &str, function: &Function, offset: usize, len: usize) -> Classified {
        let code = &function.code;
        let theirs = &code[offset..offset + len];
        let lifted = I::lift(code, offset);
        let mnemonic = lifted.mnemonic;
        let case = match lifted.case {
            Ok(case) if lifted.len == len => case,
            Ok(_) => {
                let outcome = Outcome::Inexpressible("the lifter and the stepper disagree on the length");
                return Classified { mnemonic, outcome };
            }
            Err(why) => return Classified { mnemonic, outcome: Outcome::Inexpressible(why) },
        };
        let encoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| I::encode(&case)));
        let (ours, detail) = match encoded {
            Ok(encoded) => (encoded.bytes, encoded.complaint),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                (Vec::new(), Some(format!("our emitter panicked: {message}")))
            }
        };
        let address = offset as u64;
        let comparison = match &detail {
            Some(_) => Comparison::Different,
            None => I::compare(theirs, &ours, address),
        };
        let examples = self.options.examples;
        let scope = self.scope(function.kind);
        let outcome = match comparison {
            Comparison::Identical => Outcome::Identical,
            Comparison::Equivalent(reason) => {
                scope.equivalent_example(&reason, lifted.text.clone(), hex(theirs), hex(&ours));
                Outcome::Equivalent(reason)
            }
            Comparison::Different => {
                if scope.defects.len() < examples {
                    scope.defects.push(Defect {
                        at: Location { module: module.to_string(), function: function.name.clone(), offset },
                        theirs: hex(theirs),
                        ours: hex(&ours),
                        their_text: I::disassemble(theirs, address),
                        our_text: I::disassemble(&ours, address),
                        case: format!("{case:?}"),
                        detail: detail.unwrap_or_default(),
                    });
                }
                Outcome::Different
            }
        };
        Classified { mnemonic, outcome }
    }
}

/// Runs the check over `corpus` for each of `isas` (in order, each once):
/// the whole report. `progress(isa, done, total, module)` is called
/// before each module.
pub fn run(
    corpus: Corpus,
    isas: &[compiler::module::Target],
    options: &Options,
    progress: &dyn Fn(&str, usize, usize, &str),
) -> WholeReport {
    let mut report = WholeReport {
        opt_level: OPT_LEVEL,
        modules: corpus.modules.iter().map(|m| m.name.clone()).collect(),
        notes: corpus.notes,
        isas: Vec::new(),
    };
    for (k, &isa) in isas.iter().enumerate() {
        if isas[..k].contains(&isa) {
            continue;
        }
        let progress = |done: usize, total: usize, module: &str| progress(isa.name(), done, total, module);
        report.isas.push(match isa {
            compiler::module::Target::X86_64 => run_isa::<X64>(&corpus.modules, options, &progress),
            compiler::module::Target::Aarch64 => run_isa::<Aarch64>(&corpus.modules, options, &progress),
        });
    }
    report
}

/// Compiles every module for `I` and sweeps every function;
/// `progress(done, total, module)` is called before each module.
pub fn run_isa<I: WholeIsa>(modules: &[Module], options: &Options, progress: &dyn Fn(usize, usize, &str)) -> IsaReport {
    let mut sweep = Sweep::<I>::new(options);
    let mut failures = Vec::new();
    match compile::engine(I::TRIPLE) {
        Err(error) => failures.push(error),
        Ok(engine) => {
            for (index, module) in modules.iter().enumerate() {
                progress(index, modules.len(), &module.name);
                match compile::compile(&engine, &module.wasm) {
                    Ok(functions) => {
                        for function in &functions {
                            sweep.function(&module.name, function);
                        }
                    }
                    Err(error) => failures.push(format!("{}: {error}", module.name)),
                }
            }
        }
    }
    IsaReport {
        isa: I::NAME,
        lifter: I::lifter(),
        failures,
        functions: sweep.functions.finish(),
        trampolines: sweep.trampolines.finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_tables_end_at_the_first_forward_target() {
        // Three entries (0x14, 0x1c, 0x0c relative to 0) then code at 0x0c.
        let mut code = Vec::new();
        for entry in [0x14i32, 0x1c, 0x0c] {
            code.extend_from_slice(&entry.to_le_bytes());
        }
        code.extend_from_slice(&[0x90; 0x20]);
        assert_eq!(table_len(&code, 0), 12);
        // An entry pointing outside the function ends the table.
        let mut code = 0x08i32.to_le_bytes().to_vec();
        code.extend_from_slice(&0x7fff_0000i32.to_le_bytes());
        code.extend_from_slice(&[0x90; 8]);
        assert_eq!(table_len(&code, 0), 4);
    }

    /// A function with a constant pool after its code: the constant is
    /// data, the zero padding before it too, and each instruction is
    /// classified once.
    #[test]
    fn constants_and_padding_are_not_instructions() {
        // and rcx, [rip+0x4] (7 bytes, constant at 0x0b); ud2; 2 bytes of
        // padding; the 8-byte constant.
        let mut code = vec![0x48, 0x23, 0x0d, 0x04, 0, 0, 0, 0x0f, 0x0b, 0, 0];
        code.extend_from_slice(&0x0f0b_0f0b_0f0b_0f0bu64.to_le_bytes());
        let function = Function { name: "f".into(), kind: FunctionKind::Wasm, code };
        let options = Options { examples: 5 };
        let mut sweep = Sweep::<X64>::new(&options);
        sweep.function("m", &function);
        let report = sweep.functions.finish();
        assert_eq!((report.instructions, report.code_bytes, report.data_bytes), (2, 9, 10));
        assert_eq!((report.identical, report.different, report.undecoded_bytes), (2, 0, 0));
    }
}
