//! The encoder sweep behind `parity encode`: many generated instances of
//! every instruction form, each checked by the encoder oracle (and, on
//! request, read again by a second decoder).
//!
//! Part of the harness, on top of the oracles (`oracle::x64`,
//! `oracle::aarch64`):
//!
//! ```text
//! seed ─▶ chunks of byte streams ─arbitrary_case─▶ Case ─┬─ form_keys ─▶ per-form counts
//!                                                        ├─ check_case_quick ─▶ defect | decoder unsupported
//!                                                        └─ (second_opinion ─▶ agree | disagree | unsupported)
//! per-chunk tallies ─merge in chunk order─▶ IsaSummary (until every form has N instances or the cap)
//! ```
//!
//! Instances come in chunks; chunk `c` is generated from its own stream
//! (seeded with `seed` and `c`), so a run is the same for any number of
//! worker threads: results are merged in chunk order and the run stops
//! after the first chunk at which every form has reached `N` instances
//! (later chunks are discarded). A defect names its chunk and index, and
//! [`replay`] rebuilds the instance. Whether our encoding is right is
//! decided by the oracle's check alone; the second decoder only reports
//! where the two decoders read the bytes differently.

mod isa;
pub mod report;
mod summary;

pub use isa::{Aarch64, IsaOracle, Judgement, X64, judge, judge_bytes};
pub use summary::{
    CraneliftDifference, CraneliftSummary, DecoderDisagreement, Defect, EncodeReport, FormRow, IsaSummary, MAX_KEPT,
    SecondSummary,
};

use arbitrary::Unstructured;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Instant;
use summary::Tally;

/// How one sweep runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Instances wanted of every form.
    pub cases_per_form: u64,
    /// The seed of the instance streams.
    pub seed: u64,
    /// Also decode every instance with capstone.
    pub second_decoder: bool,
    /// Also encode every instance with real Cranelift and compare.
    pub cranelift: bool,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// Most instances generated, whether or not every form has reached
    /// `cases_per_form`.
    pub max_instances: u64,
    /// Instances per chunk.
    pub chunk_size: u64,
}

impl Options {
    /// `cases_per_form` instances of every form from `seed`, one thread, no
    /// second decoder, at most 100,000 instances per wanted instance of a
    /// form (the rarest forms come about once in 8,000 instances).
    pub fn new(cases_per_form: u64, seed: u64) -> Options {
        Options {
            cases_per_form,
            seed,
            second_decoder: false,
            cranelift: false,
            jobs: 1,
            max_instances: cases_per_form.saturating_mul(100_000).max(1_000_000),
            chunk_size: 4096,
        }
    }
}

/// Where a sweep is, for a progress bar.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Instances checked so far.
    pub instances: u64,
    /// The sum over forms of `min(instances of the form, N)`.
    pub filled: u64,
    /// `N` times the number of forms: `filled` when done.
    pub target: u64,
}

/// The bytes of instance `index` of chunk `chunk`: a xorshift stream
/// seeded from the sweep's seed and the chunk.
pub(crate) struct Stream(u64);

/// Bytes each instance is generated from.
pub const INSTANCE_BYTES: usize = 128;

impl Stream {
    pub(crate) fn for_chunk(seed: u64, chunk: u64) -> Stream {
        // splitmix64 of (seed, chunk): distinct, non-zero starting states.
        let mut z = seed ^ chunk.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Stream((z ^ (z >> 31)) | 1)
    }

    pub(crate) fn fill(&mut self, buffer: &mut [u8; INSTANCE_BYTES]) {
        for chunk in buffer.chunks_exact_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            chunk.copy_from_slice(&self.0.to_le_bytes());
        }
    }
}

/// The case of instance `index` of chunk `chunk` of a sweep seeded with
/// `seed`: how a reported defect is reproduced.
pub fn replay<O: IsaOracle>(seed: u64, chunk: u64, index: u64) -> O::Case {
    let mut stream = Stream::for_chunk(seed, chunk);
    let mut buffer = [0u8; INSTANCE_BYTES];
    for _ in 0..=index {
        stream.fill(&mut buffer);
    }
    O::arbitrary_case(&mut Unstructured::new(&buffer)).expect("the generator never runs out of choices")
}

/// The form table: every listed form's index, and the forms' names.
struct Forms {
    index: HashMap<String, usize, BuildHasherDefault<FxHasher>>,
    names: Vec<String>,
}

/// The multiply-rotate hash of rustc (`FxHasher`): form keys are short
/// and trusted, and SipHash would cost a fair share of the sweep.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ byte as u64).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Checks every instance of chunk `chunk`.
fn run_chunk<O: IsaOracle>(options: &Options, forms: &Forms, chunk: u64) -> Tally {
    let started = Instant::now();
    let mut tally = Tally::new(chunk, forms.names.len());
    let mut stream = Stream::for_chunk(options.seed, chunk);
    let mut buffer = [0u8; INSTANCE_BYTES];
    let mut keys = oracle::FormKeys::new();
    let mut slots = Vec::new();
    for index in 0..options.chunk_size {
        stream.fill(&mut buffer);
        let Ok(case) = O::arbitrary_case(&mut Unstructured::new(&buffer)) else { continue };
        O::form_keys_into(&case, &mut keys);
        slots.clear();
        slots.extend(keys.iter().map(|key| forms.index.get(key).copied()));
        // One emission and check serves both the judgement and, with
        // Cranelift parity on, the bytes compared with Cranelift's.
        let checked = O::check(&case, None);
        let ours = options.cranelift.then(|| oracle::cranelift::code_bytes(&checked));
        tally.record::<O>(&keys, &slots, &case, index, judge::<O>(checked, options.second_decoder));
        if let Some(ours) = ours {
            tally.record_cranelift::<O>(&keys, &slots, &case, index, O::cranelift(&case, &ours));
        }
    }
    tally.busy = started.elapsed();
    tally
}

/// Runs the sweep of one ISA, calling `progress` after every merged chunk.
pub fn run_isa<O: IsaOracle>(options: &Options, progress: &(dyn Fn(Progress) + Sync)) -> IsaSummary {
    let names = O::all_forms();
    let forms = Forms { index: names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect(), names };
    let started = Instant::now();
    let jobs = options.jobs.max(1);
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let max_chunks = options.max_instances.div_ceil(options.chunk_size.max(1)).max(1);
    let mut total = Tally::new(0, forms.names.len());
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<Tally>();
        for _ in 0..jobs {
            let sender = sender.clone();
            let (next, stop, forms) = (&next, &stop, &forms);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let chunk = next.fetch_add(1, Ordering::Relaxed);
                    if chunk >= max_chunks {
                        break;
                    }
                    if sender.send(run_chunk::<O>(options, forms, chunk)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        // Merge in chunk order; stop after the first chunk that completes
        // every form.
        let mut pending = BTreeMap::new();
        let mut wanted = 0u64;
        let mut done = false;
        for tally in receiver {
            if done {
                continue;
            }
            pending.insert(tally.chunk, tally);
            while let Some(tally) = pending.remove(&wanted) {
                total.merge(tally);
                wanted += 1;
                let filled = total.filled(options.cases_per_form);
                let target = options.cases_per_form * forms.names.len() as u64;
                progress(Progress { instances: total.instances, filled, target });
                if filled >= target || wanted >= max_chunks {
                    done = true;
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
            }
        }
    });
    total.summarize(O::NAME, &forms.names, options, started.elapsed(), jobs)
}
