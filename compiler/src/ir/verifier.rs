//! The IR verifier: checks that a function is well-formed SSA before it is
//! lowered.
//!
//! Part of the IR (`ir/`), between translation and lowering:
//!
//! ```text
//! wasm::translate ─▶ ir::Function ─▶ **verify_function** ─▶ machinst::lower
//! ```
//!
//! Lowering assumes what is checked here, so a translator bug shows up as a
//! verifier error that names the instruction instead of as wrong machine
//! code. The checks, in order:
//!
//! 1. the layout has an entry block whose parameters match the signature;
//! 2. every block in the layout is non-empty and ends in exactly one
//!    terminator; every instruction appears once;
//! 3. per instruction: the operand layout matches the opcode's format; every
//!    used value is defined by an instruction or block parameter in the
//!    layout, and in a reachable block its definition dominates the use
//!    (branch arguments are used at the end of the branching block); branch
//!    targets are blocks of the layout whose parameters match the arguments;
//!    the opcode's type rules hold and its results have the right number and
//!    types.
//!
//! The verifier never panics on a malformed function: invalid entity
//! references are reported, not followed. All errors are collected.

use crate::ir::dominator::DominatorTree;
use crate::ir::entities::{Block, Inst, Value};
use crate::ir::function::Function;
use crate::ir::instructions::{BlockCall, InstructionData, InstructionFormat, Opcode};
use crate::ir::types::Type;
use crate::ir::write::inst_to_string;
use std::fmt;

/// One problem found by the verifier.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct VerifierError {
    /// Where: `function`, `block3`, or `inst7 (v5 = iadd.i32 v1, v2)`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

/// Every problem found in one function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifierErrors(pub Vec<VerifierError>);

impl fmt::Display for VerifierErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for VerifierErrors {}

/// Checks `func`; returns every problem found.
pub fn verify_function(func: &Function) -> Result<(), VerifierErrors> {
    let mut verifier = Verifier {
        func,
        errors: Vec::new(),
        value_sites: vec![None; func.dfg.num_values()],
        domtree: DominatorTree::compute(func),
    };
    verifier.check_entry();
    let insts = verifier.check_layout();
    for (block, position, inst) in insts {
        verifier.check_inst(block, position, inst);
    }
    if verifier.errors.is_empty() { Ok(()) } else { Err(VerifierErrors(verifier.errors)) }
}

struct Verifier<'f> {
    func: &'f Function,
    errors: Vec<VerifierError>,
    /// Where each value is defined in the layout: its block and position
    /// there (0 for block parameters, `i + 1` for the `i`-th instruction).
    value_sites: Vec<Option<(Block, usize)>>,
    domtree: DominatorTree,
}

/// Integer-only binary opcodes whose second operand is a shift amount of
/// any integer type.
fn is_shift(opcode: Opcode) -> bool {
    matches!(opcode, Opcode::Ishl | Opcode::Ushr | Opcode::Sshr | Opcode::Rotl | Opcode::Rotr)
}

/// The conversion opcodes (operand and result types differ in kind).
fn is_conversion(opcode: Opcode) -> bool {
    matches!(
        opcode,
        Opcode::FcvtToSint
            | Opcode::FcvtToUint
            | Opcode::FcvtToSintSat
            | Opcode::FcvtToUintSat
            | Opcode::FcvtFromSint
            | Opcode::FcvtFromUint
            | Opcode::Fpromote
            | Opcode::Fdemote
            | Opcode::Bitcast
    )
}

/// The format an instruction's data actually has.
fn data_format(data: &InstructionData) -> InstructionFormat {
    match data {
        InstructionData::UnaryImm { .. } => InstructionFormat::UnaryImm,
        InstructionData::Unary { .. } => InstructionFormat::Unary,
        InstructionData::Binary { .. } => InstructionFormat::Binary,
        InstructionData::BinaryImm { .. } => InstructionFormat::BinaryImm,
        InstructionData::IntCompare { .. } => InstructionFormat::IntCompare,
        InstructionData::FloatCompare { .. } => InstructionFormat::FloatCompare,
        InstructionData::Ternary { .. } => InstructionFormat::Ternary,
        InstructionData::Load { .. } => InstructionFormat::Load,
        InstructionData::Store { .. } => InstructionFormat::Store,
        InstructionData::StackAddr { .. } => InstructionFormat::StackAddr,
        InstructionData::Jump { .. } => InstructionFormat::Jump,
        InstructionData::Brif { .. } => InstructionFormat::Brif,
        InstructionData::BranchTable { .. } => InstructionFormat::BranchTable,
        InstructionData::Return { .. } => InstructionFormat::Return,
        InstructionData::Trap { .. } => InstructionFormat::Trap,
        InstructionData::CondTrap { .. } => InstructionFormat::CondTrap,
        InstructionData::Call { .. } => InstructionFormat::Call,
        InstructionData::CallIndirect { .. } => InstructionFormat::CallIndirect,
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

impl Verifier<'_> {
    fn error(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.errors.push(VerifierError { location: location.into(), message: message.into() });
    }

    fn inst_location(&self, inst: Inst) -> String {
        format!("{inst} ({})", inst_to_string(self.func, inst))
    }

    /// The type of a value, or `None` if it is invalid.
    fn value_type(&self, value: Value) -> Option<Type> {
        self.func.dfg.value_is_valid(value).then(|| self.func.dfg.value_type(value))
    }

    fn check_entry(&mut self) {
        let Some(entry) = self.func.layout.entry_block() else {
            self.error("function", "the layout has no entry block");
            return;
        };
        if !self.func.dfg.block_is_valid(entry) {
            return; // reported by `check_layout`
        }
        let params = self.func.dfg.block_params(entry);
        let expected = &self.func.signature.params;
        if params.len() != expected.len() {
            let message = format!(
                "entry block has {}, the signature has {}",
                plural(params.len(), "parameter"),
                plural(expected.len(), "parameter")
            );
            self.error(entry.to_string(), message);
            return;
        }
        for (i, (&param, &ty)) in params.iter().zip(expected).enumerate() {
            let actual = self.func.dfg.value_type(param);
            if actual != ty {
                let message = format!("entry block parameter {i} is {param} of type {actual}, the signature says {ty}");
                self.error(entry.to_string(), message);
            }
        }
    }

    /// Checks block shapes and records where values are defined. Returns
    /// the valid instructions of the layout with their block and position.
    fn check_layout(&mut self) -> Vec<(Block, usize, Inst)> {
        let func = self.func;
        let (dfg, layout) = (&func.dfg, &func.layout);
        let mut block_seen = vec![false; dfg.num_blocks()];
        let mut inst_seen = vec![false; dfg.num_insts()];
        let mut insts = Vec::with_capacity(dfg.num_insts());
        for &block in layout.blocks() {
            if !dfg.block_is_valid(block) {
                self.error(block.to_string(), "block is in the layout but was never created");
                continue;
            }
            if std::mem::replace(&mut block_seen[block.index()], true) {
                self.error(block.to_string(), "block appears more than once in the layout");
                continue;
            }
            for &param in dfg.block_params(block) {
                self.value_sites[param.index()] = Some((block, 0));
            }
            let block_insts = layout.block_insts(block);
            if block_insts.is_empty() {
                self.error(block.to_string(), "block is empty");
                continue;
            }
            for (i, &inst) in block_insts.iter().enumerate() {
                if !dfg.inst_is_valid(inst) {
                    self.error(block.to_string(), format!("block contains {inst}, which was never created"));
                    continue;
                }
                if std::mem::replace(&mut inst_seen[inst.index()], true) {
                    self.error(self.inst_location(inst), "instruction appears more than once in the layout");
                    continue;
                }
                let is_last = i + 1 == block_insts.len();
                let is_terminator = dfg.opcode(inst).is_terminator();
                if is_terminator && !is_last {
                    self.error(self.inst_location(inst), format!("terminator before the end of {block}"));
                } else if !is_terminator && is_last {
                    let message = format!("block does not end in a terminator (last is {})", self.inst_location(inst));
                    self.error(block.to_string(), message);
                }
                for &result in dfg.inst_results(inst) {
                    self.value_sites[result.index()] = Some((block, i + 1));
                }
                insts.push((block, i + 1, inst));
            }
        }
        insts
    }

    fn check_inst(&mut self, block: Block, position: usize, inst: Inst) {
        let data = self.func.dfg.inst(inst);
        let opcode = data.opcode();
        let mut messages = Vec::new();
        if data_format(data) != opcode.format() {
            // The operands cannot be interpreted; report only this.
            let (expected, found) = (opcode.format(), data_format(data));
            messages.push(format!("{opcode} needs the {expected:?} format, found {found:?}"));
        } else {
            for value in data.all_values() {
                messages.extend(self.use_error(value, block, position));
            }
            for call in data.block_calls() {
                messages.extend(self.block_call_errors(call));
            }
            messages.extend(self.type_errors(inst));
        }
        if messages.is_empty() {
            return;
        }
        // A value used twice, or passed twice to one block, is reported once.
        let mut seen = std::collections::HashSet::new();
        messages.retain(|message| seen.insert(message.clone()));
        let location = self.inst_location(inst);
        for message in messages {
            self.error(location.clone(), message);
        }
    }

    /// Checks that `value`, used at `position` in `block`, is defined there.
    fn use_error(&self, value: Value, block: Block, position: usize) -> Option<String> {
        if !self.func.dfg.value_is_valid(value) {
            return Some(format!("use of invalid value {value}"));
        }
        let Some((def_block, def_position)) = self.value_sites[value.index()] else {
            return Some(format!("{value} is used but its definition is not in the layout"));
        };
        if !self.domtree.is_reachable(block) {
            return None;
        }
        if def_block == block {
            (def_position >= position).then(|| format!("{value} is used before its definition"))
        } else {
            (!self.domtree.dominates(def_block, block))
                .then(|| format!("{value} is defined in {def_block}, which does not dominate this use in {block}"))
        }
    }

    /// Checks that a branch target exists and is in the layout.
    fn target_error(&self, target: Block) -> Option<String> {
        if !self.func.dfg.block_is_valid(target) {
            Some(format!("branch target {target} is not a valid block"))
        } else if !self.func.layout.is_block_inserted(target) {
            Some(format!("branch target {target} is not in the layout"))
        } else {
            None
        }
    }

    fn block_call_errors(&self, call: &BlockCall) -> Vec<String> {
        let target = call.block;
        if let Some(message) = self.target_error(target) {
            return vec![message];
        }
        let params = self.func.dfg.block_params(target);
        if params.len() != call.args.len() {
            let message = format!(
                "branch to {target} passes {}, {target} has {}",
                plural(call.args.len(), "argument"),
                plural(params.len(), "parameter")
            );
            return vec![message];
        }
        let mut messages = Vec::new();
        for (i, (&arg, &param)) in call.args.iter().zip(params).enumerate() {
            let expected = self.func.dfg.value_type(param);
            match self.value_type(arg) {
                Some(actual) if actual != expected => {
                    messages.push(format!("argument {i} to {target} is {arg} of type {actual}, expected {expected}"));
                }
                _ => {}
            }
        }
        messages
    }

    /// `what` has type `expected` (invalid values are reported elsewhere).
    fn expect_type(&self, what: &str, value: Value, expected: Type) -> Option<String> {
        let actual = self.value_type(value)?;
        (actual != expected).then(|| format!("{what} {value} has type {actual}, expected {expected}"))
    }

    /// `what` has a float type.
    fn expect_float(&self, what: &str, value: Value) -> Option<String> {
        let actual = self.value_type(value)?;
        (!actual.is_float()).then(|| format!("{what} {value} has type {actual}, expected a float type"))
    }

    /// The type rules of the conversion opcodes.
    fn conversion_errors(&self, opcode: Opcode, arg: Value, result: Value, ty: Type) -> Vec<String> {
        let Some(from) = self.value_type(arg) else { return vec![] };
        let ok = match opcode {
            Opcode::FcvtToSint | Opcode::FcvtToUint | Opcode::FcvtToSintSat | Opcode::FcvtToUintSat => {
                from.is_float() && matches!(ty, Type::I32 | Type::I64)
            }
            Opcode::FcvtFromSint | Opcode::FcvtFromUint => matches!(from, Type::I32 | Type::I64) && ty.is_float(),
            Opcode::Fpromote => from == Type::F32 && ty == Type::F64,
            Opcode::Fdemote => from == Type::F64 && ty == Type::F32,
            Opcode::Bitcast => from.bits() == ty.bits() && from.is_float() != ty.is_float(),
            _ => true,
        };
        if ok { vec![] } else { vec![format!("{opcode} cannot convert {arg} of type {from} to {result} of type {ty}")] }
    }

    /// `what` has an integer type.
    fn expect_int(&self, what: &str, value: Value) -> Option<String> {
        let actual = self.value_type(value)?;
        (!actual.is_int()).then(|| format!("{what} {value} has type {actual}, expected an integer type"))
    }

    /// `values` (arguments, results or return values) match the
    /// signature's `types` one for one.
    fn expect_types(&self, what: &str, values: &[Value], types: &[Type]) -> Vec<String> {
        if values.len() != types.len() {
            return vec![format!("{} given, the signature has {}", plural(values.len(), what), types.len())];
        }
        let mut messages = Vec::new();
        for (i, (&value, &expected)) in values.iter().zip(types).enumerate() {
            match self.value_type(value) {
                Some(actual) if actual != expected => {
                    messages.push(format!("{what} {i} is {value} of type {actual}, expected {expected}"));
                }
                _ => {}
            }
        }
        messages
    }

    /// The opcode's type rules and result count and types.
    fn type_errors(&self, inst: Inst) -> Vec<String> {
        let dfg = &self.func.dfg;
        let data = dfg.inst(inst);
        let opcode = data.opcode();
        let results = dfg.inst_results(inst);
        let signature = match data {
            InstructionData::Call { func_ref, .. } => {
                let Some(ext_func) = dfg.ext_funcs.get(func_ref.index()) else {
                    return vec![format!("{func_ref} is not a valid function reference")];
                };
                let Some(signature) = dfg.signatures.get(ext_func.signature.index()) else {
                    return vec![format!("{func_ref} has an invalid signature {}", ext_func.signature)];
                };
                Some(signature)
            }
            InstructionData::CallIndirect { sig_ref, .. } => {
                let Some(signature) = dfg.signatures.get(sig_ref.index()) else {
                    return vec![format!("{sig_ref} is not a valid signature")];
                };
                Some(signature)
            }
            _ => None,
        };
        let produces_value = !matches!(
            opcode.format(),
            InstructionFormat::Store
                | InstructionFormat::Jump
                | InstructionFormat::Brif
                | InstructionFormat::BranchTable
                | InstructionFormat::Return
                | InstructionFormat::Trap
                | InstructionFormat::CondTrap
                | InstructionFormat::Call
                | InstructionFormat::CallIndirect
        );
        let expected_results = match signature {
            Some(signature) => signature.returns.len(),
            None => usize::from(produces_value),
        };
        if results.len() != expected_results {
            let message = format!("{opcode} produces {}, found {}", plural(expected_results, "result"), results.len());
            return vec![message];
        }
        let result = results.first().map(|&r| (r, dfg.value_type(r)));
        let mut messages = Vec::new();
        match (data, result) {
            (InstructionData::UnaryImm { imm, .. }, Some((r, ty))) => {
                if opcode == Opcode::Fconst {
                    messages.extend(self.expect_float("result", r));
                } else {
                    messages.extend(self.expect_int("result", r));
                }
                if ty.bits() < 64 && (*imm as u64) & !ty.mask() != 0 {
                    messages.push(format!("immediate {imm:#x} is not zero-extended to {ty}"));
                }
            }
            (InstructionData::Binary { args, .. }, Some((r, ty))) if opcode.is_float_arithmetic() => {
                messages.extend(self.expect_float("result", r));
                messages.extend(self.expect_type("operand", args[0], ty));
                messages.extend(self.expect_type("operand", args[1], ty));
            }
            (InstructionData::Binary { args, .. }, Some((r, ty))) => {
                messages.extend(self.expect_int("result", r));
                messages.extend(self.expect_type("operand", args[0], ty));
                if is_shift(opcode) {
                    messages.extend(self.expect_int("shift amount", args[1]));
                } else {
                    messages.extend(self.expect_type("operand", args[1], ty));
                }
            }
            (InstructionData::BinaryImm { arg, .. }, Some((r, ty))) => {
                messages.extend(self.expect_int("result", r));
                messages.extend(self.expect_type("operand", *arg, ty));
            }
            (InstructionData::Unary { arg, .. }, Some((r, ty))) if opcode.is_float_arithmetic() => {
                messages.extend(self.expect_float("result", r));
                messages.extend(self.expect_type("operand", *arg, ty));
            }
            (InstructionData::Unary { arg, .. }, Some((r, ty))) if is_conversion(opcode) => {
                messages.extend(self.conversion_errors(opcode, *arg, r, ty));
            }
            (InstructionData::Unary { arg, .. }, Some((r, ty))) => {
                messages.extend(self.expect_int("result", r));
                let from = self.value_type(*arg);
                match (opcode, from) {
                    (Opcode::Clz | Opcode::Ctz | Opcode::Popcnt, _) => {
                        messages.extend(self.expect_type("operand", *arg, ty));
                    }
                    (_, Some(from)) if !from.is_int() => {
                        messages.extend(self.expect_int("operand", *arg));
                    }
                    (Opcode::Uextend | Opcode::Sextend, Some(from)) if ty.bits() <= from.bits() => {
                        messages.push(format!("{opcode} result type {ty} is not wider than operand type {from}"));
                    }
                    (Opcode::Ireduce, Some(from)) if ty.bits() >= from.bits() => {
                        messages.push(format!("{opcode} result type {ty} is not narrower than operand type {from}"));
                    }
                    _ => {}
                }
            }
            (InstructionData::IntCompare { args, .. }, Some((r, _))) => {
                messages.extend(self.expect_type("result", r, Type::I32));
                messages.extend(self.expect_int("operand", args[0]));
                if let Some(ty) = self.value_type(args[0]) {
                    messages.extend(self.expect_type("operand", args[1], ty));
                }
            }
            (InstructionData::FloatCompare { args, .. }, Some((r, _))) => {
                messages.extend(self.expect_type("result", r, Type::I32));
                messages.extend(self.expect_float("operand", args[0]));
                if let Some(ty) = self.value_type(args[0]) {
                    messages.extend(self.expect_type("operand", args[1], ty));
                }
            }
            (InstructionData::Ternary { args, .. }, Some((_, ty))) => {
                messages.extend(self.expect_int("condition", args[0]));
                messages.extend(self.expect_type("operand", args[1], ty));
                messages.extend(self.expect_type("operand", args[2], ty));
            }
            (InstructionData::Load { arg, .. }, Some((r, ty))) => {
                messages.extend(self.expect_type("address", *arg, Type::I64));
                match opcode.load_width() {
                    Some(4) if ty != Type::I64 => {
                        messages.push(format!("{opcode} result {r} has type {ty}, expected i64"))
                    }
                    Some(bytes) if !ty.is_int() || ty.bits() <= bytes * 8 => messages.push(format!(
                        "{opcode} result {r} has type {ty}, expected an integer wider than {} bits",
                        bytes * 8
                    )),
                    _ => {}
                }
            }
            (InstructionData::Store { args, .. }, None) => {
                messages.extend(self.expect_type("address", args[1], Type::I64));
                if let (Some(bytes), Some(ty)) = (opcode.store_width(), self.value_type(args[0]))
                    && (!ty.is_int() || ty.bits() <= bytes * 8)
                {
                    let (value, bits) = (args[0], bytes * 8);
                    messages.push(format!(
                        "{opcode} value {value} has type {ty}, expected an integer wider than {bits} bits"
                    ));
                }
            }
            (InstructionData::StackAddr { slot, .. }, Some((r, _))) => {
                messages.extend(self.expect_type("result", r, Type::I64));
                if slot.index() >= dfg.stack_slots.len() {
                    messages.push(format!("{slot} is not a valid stack slot"));
                }
            }
            (InstructionData::Brif { arg, .. }, _) | (InstructionData::CondTrap { arg, .. }, _) => {
                messages.extend(self.expect_int("condition", *arg));
            }
            (InstructionData::BranchTable { arg, table, .. }, _) => {
                messages.extend(self.expect_type("index", *arg, Type::I32));
                match dfg.jump_tables.get(table.index()) {
                    None => messages.push(format!("{table} is not a valid jump table")),
                    Some(data) => {
                        for &target in std::iter::once(&data.default).chain(&data.entries) {
                            let message = self.target_error(target).or_else(|| {
                                let params = dfg.block_params(target).len();
                                (params > 0).then(|| format!("{table} target {target} has parameters"))
                            });
                            messages.extend(message);
                        }
                    }
                }
            }
            (InstructionData::Return { args, .. }, _) => {
                messages.extend(self.expect_types("return value", args, &self.func.signature.returns));
            }
            (InstructionData::Call { args, .. }, _) | (InstructionData::CallIndirect { args, .. }, _) => {
                if let InstructionData::CallIndirect { callee, .. } = data {
                    messages.extend(self.expect_type("callee", *callee, Type::I64));
                }
                if let Some(signature) = signature {
                    messages.extend(self.expect_types("argument", args, &signature.params));
                    messages.extend(self.expect_types("result", results, &signature.returns));
                }
            }
            _ => {}
        }
        messages
    }
}

#[cfg(test)]
mod tests;
