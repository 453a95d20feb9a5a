//! The machine-code buffer: the one place machine code is assembled.
//!
//! Part of `machinst/`, at the end of the back end:
//!
//! ```text
//! VCode::emit ─▶ MachInstEmit::emit ─▶ **MachBuffer<I>** ─▶ finish ─▶ MachBufferFinalized
//! ```
//!
//! There is exactly one buffer type, generic over the instruction type; it
//! takes its label-use kinds (branch ranges and how to patch them) from
//! `I::LabelUse`. It owns:
//!
//! - **labels** and **fixups**: a reference to a label not yet bound is
//!   recorded and patched when the buffer is finished; a reference whose
//!   target is out of range for its kind is redirected through a *veneer*
//!   (a longer-range branch) in an *island* emitted when the next fixup
//!   would otherwise go out of range;
//! - **branch simplification**, done as labels are bound: a jump to the
//!   label being bound (the next block) is deleted, and a conditional branch
//!   over an unconditional one (`jcc L1; jmp L2; L1:`) becomes one inverted
//!   conditional branch (`jncc L2; L1:`);
//! - **trap sites**, **relocations** and the emitted bytes.
//!
//! Invariant: branch simplification only ever removes branches at the tail
//! of the buffer, and only when no label still bound to the removed bytes
//! would change meaning.

use crate::machinst::inst::{MachInst, MachInstLabelUse, MachLabel};
use crate::runtime::TrapCode;

/// Offset in the code.
pub type CodeOffset = u32;

const UNBOUND: CodeOffset = u32::MAX;

/// What a relocation patches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelocKind {
    /// x86-64: 32-bit PC-relative, relative to the end of the field
    /// (`call rel32`): `target + addend - offset`, with addend −4.
    X86CallPCRel4,
    /// AArch64: 26-bit word offset of `bl`.
    Arm64Call,
}

/// A relocation: the code at `offset` refers to function `symbol`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MachReloc {
    /// Offset of the patched field.
    pub offset: CodeOffset,
    /// How to patch it.
    pub kind: RelocKind,
    /// The referenced function's symbol index.
    pub symbol: u32,
    /// Added to the target address.
    pub addend: i64,
}

/// A trap instruction at `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MachTrap {
    /// Offset of the trapping instruction.
    pub offset: CodeOffset,
    /// Why it traps.
    pub code: TrapCode,
}

#[derive(Clone, Debug)]
struct Fixup<U> {
    label: MachLabel,
    offset: CodeOffset,
    kind: U,
}

/// A branch at the tail of the buffer, a candidate for simplification.
#[derive(Clone, Debug)]
struct TailBranch {
    start: CodeOffset,
    end: CodeOffset,
    target: MachLabel,
    /// Index of its fixup.
    fixup: usize,
    /// For a conditional branch, the bytes of its inverted form (same
    /// length, same fixup position).
    inverted: Option<Vec<u8>>,
    /// Labels bound at `start` when the branch was emitted.
    labels_at_start: Vec<MachLabel>,
}

/// The finished code of one function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MachBufferFinalized {
    /// Machine code.
    pub data: Vec<u8>,
    /// Relocations to other functions.
    pub relocs: Vec<MachReloc>,
    /// Trap sites, sorted by offset.
    pub traps: Vec<MachTrap>,
}

/// The machine-code buffer for instructions of type `I`.
pub struct MachBuffer<I: MachInst> {
    data: Vec<u8>,
    label_offsets: Vec<CodeOffset>,
    /// Labels bound at offset `labels_at_tail_offset` (the end of the
    /// buffer when they were bound).
    labels_at_tail: Vec<MachLabel>,
    labels_at_tail_offset: CodeOffset,
    fixups: Vec<Fixup<I::LabelUse>>,
    /// Fixups that may need a veneer: their kind supports one and their
    /// label was not bound when they were recorded (or retargeted). Bound
    /// ones are dropped lazily, in `island_needed`.
    pending: Vec<usize>,
    tail_branches: Vec<TailBranch>,
    traps: Vec<MachTrap>,
    relocs: Vec<MachReloc>,
}

impl<I: MachInst> Default for MachBuffer<I> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I: MachInst> MachBuffer<I> {
    /// Creates an empty buffer.
    pub fn new() -> Self {
        Self {
            data: Vec::new(),
            label_offsets: Vec::new(),
            labels_at_tail: Vec::new(),
            labels_at_tail_offset: 0,
            fixups: Vec::new(),
            pending: Vec::new(),
            tail_branches: Vec::new(),
            traps: Vec::new(),
            relocs: Vec::new(),
        }
    }

    /// Creates an empty buffer with room for `bytes` bytes of code.
    pub fn with_capacity(bytes: usize) -> Self {
        Self { data: Vec::with_capacity(bytes), ..Self::new() }
    }

    /// The current offset.
    pub fn cur_offset(&self) -> CodeOffset {
        self.data.len() as CodeOffset
    }

    /// The bytes emitted so far.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Appends one byte.
    pub fn put1(&mut self, byte: u8) {
        self.data.push(byte);
    }

    /// Appends a little-endian 16-bit value.
    pub fn put2(&mut self, value: u16) {
        self.put_data(&value.to_le_bytes());
    }

    /// Appends a little-endian 32-bit value.
    pub fn put4(&mut self, value: u32) {
        self.put_data(&value.to_le_bytes());
    }

    /// Appends a little-endian 64-bit value.
    pub fn put8(&mut self, value: u64) {
        self.put_data(&value.to_le_bytes());
    }

    /// Appends bytes.
    pub fn put_data(&mut self, bytes: &[u8]) {
        self.data.extend_from_slice(bytes);
    }

    /// Creates a new, unbound label.
    pub fn get_label(&mut self) -> MachLabel {
        self.label_offsets.push(UNBOUND);
        MachLabel(self.label_offsets.len() as u32 - 1)
    }

    /// Makes sure labels `0..count` exist (labels for VCode blocks).
    pub fn reserve_labels_for_blocks(&mut self, count: usize) {
        assert!(self.label_offsets.is_empty(), "block labels must come first");
        self.label_offsets.resize(count, UNBOUND);
    }

    /// The offset a label is bound to, if it is bound.
    pub fn label_offset(&self, label: MachLabel) -> Option<CodeOffset> {
        let offset = self.label_offsets[label.0 as usize];
        (offset != UNBOUND).then_some(offset)
    }

    /// Records a reference of kind `kind` at `offset` to `label`.
    pub fn use_label_at_offset(&mut self, offset: CodeOffset, label: MachLabel, kind: I::LabelUse) {
        self.fixups.push(Fixup { label, offset, kind });
        if kind.supports_veneer() && self.label_offsets[label.0 as usize] == UNBOUND {
            self.pending.push(self.fixups.len() - 1);
        }
    }

    /// Records that the bytes `start..end` just emitted are an unconditional
    /// branch to `target` whose fixup was the last one recorded.
    pub fn add_uncond_branch(&mut self, start: CodeOffset, end: CodeOffset, target: MachLabel) {
        self.add_branch(start, end, target, None);
    }

    /// Records a conditional branch, with the bytes of its inverted form.
    pub fn add_cond_branch(&mut self, start: CodeOffset, end: CodeOffset, target: MachLabel, inverted: &[u8]) {
        assert_eq!(inverted.len() as u32, end - start);
        self.add_branch(start, end, target, Some(inverted.to_vec()));
    }

    fn add_branch(&mut self, start: CodeOffset, end: CodeOffset, target: MachLabel, inverted: Option<Vec<u8>>) {
        assert_eq!(end, self.cur_offset(), "branch must be at the tail");
        if self.tail_branches.last().is_some_and(|b| b.end != start) {
            self.tail_branches.clear();
        }
        let labels_at_start =
            if self.labels_at_tail_offset == start { self.labels_at_tail.clone() } else { Vec::new() };
        let fixup = self.fixups.len() - 1;
        self.tail_branches.push(TailBranch { start, end, target, fixup, inverted, labels_at_start });
    }

    /// Whether `label` is bound to the current end of the buffer (or will be
    /// bound there now).
    fn resolves_to_tail(&self, label: MachLabel, binding: MachLabel) -> bool {
        label == binding || self.label_offsets[label.0 as usize] == self.cur_offset()
    }

    fn truncate_branch(&mut self, branch: &TailBranch) {
        self.data.truncate(branch.start as usize);
        // The branch's fixup is the last one: nothing after it was emitted.
        assert_eq!(branch.fixup, self.fixups.len() - 1);
        self.fixups.pop();
        self.pending.retain(|&f| f != branch.fixup);
        // Labels bound at the old tail now mean the new tail; so do the
        // labels bound at the branch itself (they already point there).
        let mut labels = if self.labels_at_tail_offset == branch.end {
            std::mem::take(&mut self.labels_at_tail)
        } else {
            Vec::new()
        };
        for &label in &labels {
            self.label_offsets[label.0 as usize] = branch.start;
        }
        labels.extend(branch.labels_at_start.iter().copied());
        self.labels_at_tail = labels;
        self.labels_at_tail_offset = branch.start;
    }

    /// Binds `label` to the current offset, simplifying branches at the tail.
    pub fn bind_label(&mut self, label: MachLabel) {
        while let Some(last) = self.tail_branches.last().cloned() {
            if last.end != self.cur_offset() {
                self.tail_branches.clear();
                break;
            }
            if last.inverted.is_none() && self.resolves_to_tail(last.target, label) {
                // A jump to the next instruction: delete it.
                self.tail_branches.pop();
                self.truncate_branch(&last);
                continue;
            }
            let n = self.tail_branches.len();
            if last.inverted.is_none() && last.labels_at_start.is_empty() && n >= 2 {
                let conditional = self.tail_branches[n - 2].clone();
                if conditional.end == last.start
                    && conditional.inverted.is_some()
                    && self.resolves_to_tail(conditional.target, label)
                {
                    // `jcc L1; jmp L2; L1:` → `jncc L2; L1:`.
                    self.tail_branches.pop();
                    self.truncate_branch(&last);
                    let inverted = conditional.inverted.clone().expect("conditional");
                    let original: Vec<u8> = self.data[conditional.start as usize..conditional.end as usize].to_vec();
                    self.data[conditional.start as usize..conditional.end as usize].copy_from_slice(&inverted);
                    self.fixups[conditional.fixup].label = last.target;
                    // Its new target may be far: consider it for a veneer again.
                    if self.fixups[conditional.fixup].kind.supports_veneer()
                        && !self.pending.contains(&conditional.fixup)
                    {
                        self.pending.push(conditional.fixup);
                    }
                    let entry = self.tail_branches.last_mut().expect("conditional");
                    entry.target = last.target;
                    entry.inverted = Some(original);
                    continue;
                }
            }
            break;
        }
        if self.labels_at_tail_offset != self.cur_offset() {
            self.labels_at_tail.clear();
            self.labels_at_tail_offset = self.cur_offset();
        }
        self.label_offsets[label.0 as usize] = self.cur_offset();
        self.labels_at_tail.push(label);
    }

    /// Records a trap site at the current offset.
    pub fn add_trap(&mut self, code: TrapCode) {
        self.traps.push(MachTrap { offset: self.cur_offset(), code });
    }

    /// Records a relocation at `offset`.
    pub fn add_reloc_at_offset(&mut self, offset: CodeOffset, kind: RelocKind, symbol: u32, addend: i64) {
        self.relocs.push(MachReloc { offset, kind, symbol, addend });
    }

    /// Whether an island must be emitted before `distance` more bytes, so
    /// that no pending short-range fixup goes out of range.
    ///
    /// Called before every instruction, so it first drops the fixups whose
    /// label got bound: the list stays as short as the number of forward
    /// short-range branches still open, and the check stays linear overall.
    pub fn island_needed(&mut self, distance: CodeOffset) -> bool {
        let label_offsets = &self.label_offsets;
        let fixups = &self.fixups;
        self.pending.retain(|&f| label_offsets[fixups[f].label.0 as usize] == UNBOUND);
        if self.pending.is_empty() {
            return false;
        }
        let horizon = self.cur_offset() as u64 + distance as u64 + self.island_size() as u64;
        self.pending.iter().any(|&f| {
            let fixup = &self.fixups[f];
            fixup.offset as u64 + fixup.kind.max_pos_range() as u64 <= horizon
        })
    }

    fn island_size(&self) -> u32 {
        self.pending.iter().map(|&f| self.fixups[f].kind.veneer_size()).sum::<u32>() + I::worst_case_size()
    }

    /// Emits an island: a veneer for every pending fixup whose label is not
    /// bound yet and that supports one, jumped over by `jump_over`.
    pub fn emit_island(&mut self, jump_over: impl FnOnce(&mut Self, MachLabel)) {
        let after = self.get_label();
        jump_over(self, after);
        let pending = std::mem::take(&mut self.pending);
        let mut still_pending = Vec::new();
        for f in pending {
            let fixup = self.fixups[f].clone();
            if self.label_offsets[fixup.label.0 as usize] != UNBOUND {
                continue; // resolved in range: no veneer
            }
            // Point the short-range use at a veneer, which jumps onward.
            let veneer_offset = self.cur_offset();
            let size = fixup.kind.veneer_size();
            self.data.extend(std::iter::repeat_n(0u8, size as usize));
            let (use_offset, kind) = {
                let bytes = &mut self.data[veneer_offset as usize..(veneer_offset + size) as usize];
                fixup.kind.generate_veneer(bytes, veneer_offset)
            };
            let start = fixup.offset as usize;
            let end = start + fixup.kind.patch_size() as usize;
            fixup.kind.patch(&mut self.data[start..end], fixup.offset, veneer_offset);
            self.fixups[f].label = MachLabel(UNBOUND);
            self.fixups.push(Fixup { label: fixup.label, offset: use_offset, kind });
            if kind.supports_veneer() {
                still_pending.push(self.fixups.len() - 1);
            }
        }
        self.pending = still_pending;
        self.tail_branches.clear();
        self.bind_label(after);
    }

    /// Resolves every fixup and returns the finished code.
    ///
    /// Invariant: every used label is bound; every fixup is in range (an
    /// ISA whose branches can go out of range emits islands during
    /// emission).
    pub fn finish(mut self) -> Result<MachBufferFinalized, String> {
        for fixup in &self.fixups {
            if fixup.label.0 == UNBOUND {
                continue; // redirected through a veneer
            }
            let target = self.label_offsets[fixup.label.0 as usize];
            if target == UNBOUND {
                return Err(format!("label {:?} used at offset {:#x} was never bound", fixup.label, fixup.offset));
            }
            let in_range = if target >= fixup.offset {
                target - fixup.offset <= fixup.kind.max_pos_range()
            } else {
                fixup.offset - target <= fixup.kind.max_neg_range()
            };
            if !in_range {
                return Err(format!(
                    "branch at offset {:#x} to {:#x} is out of range for {:?}",
                    fixup.offset, target, fixup.kind
                ));
            }
            let start = fixup.offset as usize;
            let end = start + fixup.kind.patch_size() as usize;
            fixup.kind.patch(&mut self.data[start..end], fixup.offset, target);
        }
        self.traps.sort_by_key(|t| t.offset);
        Ok(MachBufferFinalized { data: self.data, relocs: self.relocs, traps: self.traps })
    }
}
