//! What the encoder checks of both ISAs share: label placement, the result
//! and error types, and small helpers.
//!
//! Part of the oracles (`x64::check`, `aarch64::check`): a check emits one
//! instruction into a `MachBuffer` with its labels bound around it
//! ([`LabelAt`]), decodes the bytes and compares them with the derived
//! meaning; it answers [`Checked`] or a [`Mismatch`], which keeps "the
//! decoder does not support this" apart from "the encoding is wrong".

use compiler::machinst::{MachBuffer, MachInstEmit, MachLabel, MachReloc, MachTrap};
use std::fmt;

/// Where a check binds a label the instruction refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LabelAt {
    /// At offset 0, before the instruction: a backward target.
    Start,
    /// Right after the instruction, where branch simplification applies
    /// (a jump to it is deleted, `jcc L; jmp M; L:` becomes `jncc M`).
    End,
    /// `n > 0` bytes of padding after the instruction (a multiple of 4 on
    /// AArch64): a forward target that the buffer does not simplify.
    Past(u32),
    /// `n > 0` bytes before the instruction (a multiple of 4 on AArch64): a
    /// backward target farther away than [`LabelAt::Start`]. The padding
    /// is emitted first and is not part of the case's bytes; offsets stay
    /// relative to the instruction's first byte, so this label's is `-n`.
    Before(u32),
}

impl LabelAt {
    /// The default placement of `label`, used when a check is given an
    /// instruction alone: `MachLabel(0)` before the instruction,
    /// `MachLabel(1)` right after it, `MachLabel(k)` for `k >= 2` at
    /// `4 * (k - 1)` bytes past it. So an instruction's label numbers pick
    /// its branch shapes, and two different labels are never both bound at
    /// the end (where the order of binding would decide which of two
    /// equivalent branches the buffer keeps).
    pub fn default_for(label: MachLabel) -> LabelAt {
        match label.0 {
            0 => LabelAt::Start,
            1 => LabelAt::End,
            k => LabelAt::Past(4 * (k - 1)),
        }
    }

    /// The default placements of labels `0..=max`, for an instruction
    /// whose highest label is `max` (none for `None`).
    pub fn defaults_up_to(max: Option<MachLabel>) -> Vec<LabelAt> {
        let count = max.map_or(0, |label| label.0 + 1);
        (0..count).map(|k| LabelAt::default_for(MachLabel(k))).collect()
    }
}

/// A successful check: what was emitted and how the decoder read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// Everything the instruction emitted: its code, then any jump table.
    pub bytes: Vec<u8>,
    /// How many of `bytes` are code (the rest is a jump table).
    pub code_len: usize,
    /// The decoder's text of the code; instructions joined with `"; "`.
    pub text: String,
    /// How many machine instructions the code decoded to.
    pub instructions: usize,
}

/// Why a check failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MismatchKind {
    /// The decoder has no support for these bytes. This says nothing about
    /// the encoding: neither a pass nor a failure of the emitter.
    DecoderUnsupported {
        /// What the decoder said.
        detail: String,
    },
    /// The bytes do not mean the instruction: they do not decode, or a
    /// decoded field, the instruction count, a trap site, a relocation or a
    /// jump-table entry differs from the derivation.
    WrongEncoding {
        /// Which field (with the instruction it is in).
        field: String,
        /// What the instruction's fields call for.
        expected: String,
        /// What the bytes hold.
        found: String,
    },
}

/// A failed check, with everything needed to reproduce and read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// `x86-64` or `aarch64`.
    pub isa: &'static str,
    /// The instruction (its `Debug` form).
    pub inst: String,
    /// The emitted (or given) bytes, as hex.
    pub bytes: String,
    /// The decoder's text of those bytes (as far as they decode).
    pub decoded: String,
    /// What went wrong (boxed: it is the larger half of the report).
    pub kind: Box<MismatchKind>,
}

impl Mismatch {
    /// Whether the emitter produced a wrong encoding (as opposed to the
    /// decoder not supporting the bytes).
    pub fn is_wrong_encoding(&self) -> bool {
        matches!(*self.kind, MismatchKind::WrongEncoding { .. })
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let decoded = if self.decoded.is_empty() { "nothing".to_string() } else { format!("`{}`", self.decoded) };
        match &*self.kind {
            MismatchKind::DecoderUnsupported { detail } => write!(
                f,
                "{} decoder does not support the encoding of {}: emitted [{}], decoded as {decoded}; the decoder \
                 says: {detail}",
                self.isa, self.inst, self.bytes
            ),
            MismatchKind::WrongEncoding { field, expected, found } => write!(
                f,
                "{} wrong encoding of {}: emitted [{}], decoded as {decoded}; {field}: expected {expected}, found \
                 {found}",
                self.isa, self.inst, self.bytes
            ),
        }
    }
}

impl std::error::Error for Mismatch {}

/// A difference found by a check, before it is wrapped in a [`Mismatch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The decoder does not support the bytes.
    Unsupported(String),
    /// A field differs.
    Wrong { field: String, expected: String, found: String },
}

impl Failure {
    /// The failure with `context` (which instruction) put before its field.
    pub(crate) fn within(self, context: &str) -> Failure {
        match self {
            Failure::Wrong { field, expected, found } => {
                Failure::Wrong { field: format!("{context}: {field}"), expected, found }
            }
            other => other,
        }
    }

    /// A failure of the whole byte sequence (it does not decode, or is cut).
    pub(crate) fn bytes(expected: &str, found: String) -> Failure {
        Failure::Wrong { field: "decoding".into(), expected: expected.into(), found }
    }

    /// Wraps the failure with the instruction, bytes and decoded text.
    pub(crate) fn into_mismatch(self, isa: &'static str, inst: String, bytes: &[u8], decoded: String) -> Mismatch {
        let kind = match self {
            Failure::Unsupported(detail) => MismatchKind::DecoderUnsupported { detail },
            Failure::Wrong { field, expected, found } => MismatchKind::WrongEncoding { field, expected, found },
        };
        Mismatch { isa, inst, bytes: show_hex(bytes), decoded, kind: Box::new(kind) }
    }
}

/// `Ok` if `expected == found`, else a [`Failure::Wrong`] naming `field`
/// (formatted only then: pass `format_args!` rather than `&format!`).
pub(crate) fn compare<T: PartialEq + fmt::Debug>(
    field: impl fmt::Display,
    expected: T,
    found: T,
) -> Result<(), Failure> {
    if expected == found {
        Ok(())
    } else {
        Err(Failure::Wrong { field: field.to_string(), expected: format!("{expected:?}"), found: format!("{found:?}") })
    }
}

/// One of `0..count` (at most 32) but the values in `excluded`, chosen as
/// `Unstructured::choose` would from the list of allowed values (the same
/// bytes consumed, the same result), without building the list on the heap.
pub(crate) fn choose_except(u: &mut arbitrary::Unstructured, count: u8, excluded: &[u8]) -> arbitrary::Result<u8> {
    let mut allowed = [0u8; 32];
    let mut len = 0;
    for value in 0..count.min(32) {
        if !excluded.contains(&value) {
            allowed[len] = value;
            len += 1;
        }
    }
    Ok(*u.choose(&allowed[..len])?)
}

/// One element of the concatenation of `lists`, chosen as
/// `Unstructured::choose` would from the concatenated list, without
/// building it.
pub(crate) fn choose_from<T: Copy>(u: &mut arbitrary::Unstructured, lists: &[&[T]]) -> arbitrary::Result<T> {
    let total = lists.iter().map(|list| list.len()).sum();
    let mut index = u.choose_index(total)?;
    for list in lists {
        if index < list.len() {
            return Ok(list[index]);
        }
        index -= list.len();
    }
    unreachable!("choose_index returns an index below the total")
}

/// Bytes as space-separated lower-case hex.
pub(crate) fn show_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// A xorshift64 stream: deterministic bytes for the generator's coverage
/// tests and smoke runs.
#[cfg(test)]
pub(crate) struct Xorshift(pub u64);

#[cfg(test)]
impl Xorshift {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn fill(&mut self, buffer: &mut [u8]) {
        for chunk in buffer.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// `enum Variant { A, B, .. }` (`Clone, Copy, Debug, PartialEq, Eq, Hash`)
/// with `Variant::ALL`, every variant in declaration order, written once.
macro_rules! variant_enum {
    ($(#[$meta:meta])* enum Variant { $($variant:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Variant {
            $($variant),*
        }

        impl Variant {
            /// Every variant, in declaration order.
            pub const ALL: [Variant; [$(stringify!($variant)),*].len()] = [$(Variant::$variant),*];
        }
    };
}
pub(crate) use variant_enum;

/// What emitting one case produced.
pub(crate) struct Emitted {
    /// The case's bytes: the code, then any jump table.
    pub(crate) bytes: Vec<u8>,
    /// The offset each label was bound to, relative to the instruction's
    /// first byte (negative for [`LabelAt::Before`]).
    pub(crate) label_offsets: Vec<i64>,
    pub(crate) relocs: Vec<MachReloc>,
    pub(crate) traps: Vec<MachTrap>,
}

/// Emits `inst` into a fresh `MachBuffer` with the case's labels bound
/// where `placements` says (`MachLabel(i)` at `placements[i]`). Padding
/// before a `LabelAt::Past(n)` label, or before the instruction for a
/// `LabelAt::Before(n)` one, is `pad` repeated; `n` must be a positive
/// multiple of `granule` (the padding unit in bytes).
///
/// Panics if a label the instruction uses has no placement (a malformed
/// case, not an encoding error); `case` names it in the message.
pub(crate) fn emit_with_labels<I: MachInstEmit>(
    inst: &I,
    state: &mut I::State,
    placements: &[LabelAt],
    granule: u32,
    pad: fn(&mut MachBuffer<I>),
    case: &dyn fmt::Debug,
) -> Emitted {
    // Room for most cases' code, so emitting allocates once.
    let mut buffer = MachBuffer::<I>::with_capacity(64);
    let labels: Vec<MachLabel> = placements.iter().map(|_| buffer.get_label()).collect();
    let bind_all = |buffer: &mut MachBuffer<I>, wanted: LabelAt| {
        for (label, at) in labels.iter().zip(placements) {
            if *at == wanted {
                buffer.bind_label(*label);
            }
        }
    };
    let mut before: Vec<u32> =
        placements.iter().filter_map(|at| if let LabelAt::Before(n) = at { Some(*n) } else { None }).collect();
    before.sort_unstable_by(|a, b| b.cmp(a));
    before.dedup();
    let start = before.first().copied().unwrap_or(0);
    for n in before {
        assert!(n > 0 && n % granule == 0, "LabelAt::Before takes a positive multiple of {granule}");
        while buffer.cur_offset() < start - n {
            pad(&mut buffer);
        }
        bind_all(&mut buffer, LabelAt::Before(n));
    }
    while buffer.cur_offset() < start {
        pad(&mut buffer);
    }
    bind_all(&mut buffer, LabelAt::Start);
    inst.emit(&mut buffer, state);
    bind_all(&mut buffer, LabelAt::End);
    let end = buffer.cur_offset();
    let mut past: Vec<u32> =
        placements.iter().filter_map(|at| if let LabelAt::Past(n) = at { Some(*n) } else { None }).collect();
    past.sort_unstable();
    past.dedup();
    for n in past {
        assert!(n > 0 && n % granule == 0, "LabelAt::Past takes a positive multiple of {granule}");
        while buffer.cur_offset() < end + n {
            pad(&mut buffer);
        }
        bind_all(&mut buffer, LabelAt::Past(n));
    }
    let label_offsets = labels
        .iter()
        .map(|&l| i64::from(buffer.label_offset(l).expect("every case label is bound")) - i64::from(start))
        .collect();
    let finished = buffer.finish().unwrap_or_else(|e| panic!("{case:?} cannot be finished: {e}"));
    let mut bytes = finished.data;
    bytes.truncate(end as usize);
    bytes.drain(..start as usize);
    Emitted {
        bytes,
        label_offsets,
        relocs: finished.relocs.into_iter().map(|r| MachReloc { offset: r.offset - start, ..r }).collect(),
        traps: finished.traps.into_iter().map(|t| MachTrap { offset: t.offset - start, ..t }).collect(),
    }
}

/// One instruction of someone else's machine code (Cranelift's, in the
/// whole-function parity check), read back as one of our instructions
/// where our instruction set can express it. Made by `x64::lift` and
/// `aarch64::lift`.
#[derive(Clone, Debug)]
pub struct Lifted<C> {
    /// The instruction's length in bytes.
    pub len: usize,
    /// The primary decoder's text of it.
    pub text: String,
    /// The name reports group it under: the decoder's mnemonic (`add`,
    /// `mov`, `ldr`, ...).
    pub mnemonic: String,
    /// Our case that should encode to exactly these bytes, or why our
    /// instruction set cannot express the instruction (one line).
    pub case: Result<C, &'static str>,
}

/// The form keys of one case (see `x64::form_keys_into`,
/// `aarch64::form_keys_into`), written one after another into a single
/// reusable buffer: naming an instance's forms allocates nothing once the
/// buffer has grown, which matters in a sweep of millions of instances.
#[derive(Clone, Debug, Default)]
pub struct FormKeys {
    text: String,
    ends: Vec<usize>,
}

impl FormKeys {
    /// An empty list.
    pub fn new() -> FormKeys {
        FormKeys::default()
    }

    /// Empties the list, keeping its memory.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// Appends a key written from `key` (`format_args!`).
    pub fn push(&mut self, key: fmt::Arguments<'_>) {
        fmt::Write::write_fmt(&mut self.text, key).expect("writing to a String cannot fail");
        self.ends.push(self.text.len());
    }

    /// Appends the key `key`.
    pub fn push_str(&mut self, key: &str) {
        self.text.push_str(key);
        self.ends.push(self.text.len());
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The keys in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.ends.iter().enumerate().map(|(i, &end)| {
            let start = if i == 0 { 0 } else { self.ends[i - 1] };
            &self.text[start..end]
        })
    }

    /// The first key: the instruction's own form.
    pub fn first(&self) -> Option<&str> {
        self.ends.first().map(|&end| &self.text[..end])
    }

    /// The keys as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}
