//! Which modules the whole-function parity check compiles, and what they
//! are called in reports.
//!
//! ```text
//! $SIGHTGLASS/benchmarks/*/*.wasm ─┐
//! corpus/diff/*.wasm ──────────────┼─▶ **corpus** [Module { name, wasm }] ─▶ compile ─▶ sweep
//! wasm-smith (seed 1, cases 0..N) ─┘    (or --corpus PATH...: files, directories of *.wasm)
//! ```
//!
//! The sightglass programs (real WASI benchmarks) live next to the project
//! (`../shared/sightglass`) and are never copied into it; `SIGHTGLASS`
//! overrides the location, as `WASM_TESTSUITE` does for the spec tests.
//! When they are absent the default corpus says so and goes on with the
//! rest.

use std::path::{Path, PathBuf};

/// The environment variable that overrides [`default_sightglass_dir`].
pub const SIGHTGLASS_ENV: &str = "SIGHTGLASS";

/// wasm-smith modules in the default corpus.
pub const SMITH_MODULES: u64 = 8;

/// The seed of the default corpus's wasm-smith modules.
pub const SMITH_SEED: u64 = 1;

/// One module to compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    /// Its name in reports (a path relative to the corpus it came from).
    pub name: String,
    /// Its bytes (binary format).
    pub wasm: Vec<u8>,
}

/// The modules of a run, and what was left out.
#[derive(Clone, Debug, Default)]
pub struct Corpus {
    /// The modules, in order.
    pub modules: Vec<Module>,
    /// Sources that were missing or skipped (one line each).
    pub notes: Vec<String>,
}

/// The sightglass checkout: `$SIGHTGLASS` when set, otherwise
/// `../shared/sightglass` next to the workspace root.
pub fn default_sightglass_dir() -> PathBuf {
    match std::env::var_os(SIGHTGLASS_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/sightglass"),
    }
}

/// The differential regression corpus, `corpus/diff`.
pub fn corpus_diff_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/diff")
}

/// The `.wasm` files directly inside `dir`, sorted.
fn wasm_files_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: cannot list directory: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: cannot list directory: {e}", dir.display()))?.path();
        if path.extension().is_some_and(|ext| ext == "wasm") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The sightglass programs: `benchmarks/*/*.wasm` under `dir`, sorted.
pub fn sightglass_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let benchmarks = dir.join("benchmarks");
    let entries =
        std::fs::read_dir(&benchmarks).map_err(|e| format!("{}: cannot list directory: {e}", benchmarks.display()))?;
    let mut dirs: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect();
    dirs.sort();
    let mut files = Vec::new();
    for benchmark in dirs {
        files.extend(wasm_files_in(&benchmark)?);
    }
    Ok(files)
}

/// Reads `path` as a module named by its path relative to `root` (with
/// `prefix` before it), or as given when outside `root`.
pub fn read_module(path: &Path, root: &Path, prefix: &str) -> Result<Module, String> {
    let wasm = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let relative = path.strip_prefix(root).ok().map(|r| {
        let parts: Vec<String> = r.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        format!("{prefix}{}", parts.join("/"))
    });
    Ok(Module { name: relative.unwrap_or_else(|| path.display().to_string()), wasm })
}

/// Expands `paths` into modules: a file is taken as is, a directory
/// contributes every `.wasm` file below it (recursively, sorted).
pub fn collect(paths: &[PathBuf]) -> Result<Vec<Module>, String> {
    let mut modules = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        if !metadata.is_dir() {
            modules.push(read_module(path, Path::new(""), "")?);
            continue;
        }
        let mut pending = vec![path.clone()];
        let mut files = Vec::new();
        while let Some(dir) = pending.pop() {
            files.extend(wasm_files_in(&dir)?);
            let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: cannot list: {e}", dir.display()))?;
            pending.extend(entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()));
        }
        files.sort();
        for file in files {
            modules.push(read_module(&file, path, "")?);
        }
    }
    Ok(modules)
}

/// Module `index` of the wasm-smith modules seeded with `seed` (the
/// differential sweep's generator and configuration).
pub fn smith_module(seed: u64, index: u64) -> Result<Module, String> {
    let case = crate::diff::smith::generate(seed, index)?;
    Ok(Module { name: format!("wasm-smith/seed{seed}/{index}"), wasm: case.wasm })
}

/// The default corpus: every sightglass program (when the checkout is
/// there), the `.wasm` files of `corpus/diff`, and [`SMITH_MODULES`]
/// wasm-smith modules.
pub fn default_corpus() -> Result<Corpus, String> {
    let mut corpus = Corpus::default();
    let sightglass = default_sightglass_dir();
    if sightglass.join("benchmarks").is_dir() {
        for file in sightglass_files(&sightglass)? {
            corpus.modules.push(read_module(&file, &sightglass.join("benchmarks"), "sightglass/")?);
        }
    } else {
        corpus.notes.push(format!(
            "sightglass programs skipped: {} is not there (set {SIGHTGLASS_ENV} to the checkout)",
            sightglass.display()
        ));
    }
    let diff = corpus_diff_dir();
    for file in wasm_files_in(&diff)? {
        corpus.modules.push(read_module(&file, &diff, "corpus/diff/")?);
    }
    for index in 0..SMITH_MODULES {
        match smith_module(SMITH_SEED, index) {
            Ok(module) => corpus.modules.push(module),
            Err(error) => corpus.notes.push(format!("wasm-smith module {index} skipped: {error}")),
        }
    }
    Ok(corpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_recursively_and_sorted() {
        let dir = std::env::temp_dir().join(format!("parity-whole-corpus-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("nested")).unwrap();
        for name in ["b.wasm", "a.wasm", "notes.txt", "nested/c.wasm"] {
            std::fs::write(dir.join(name), b"\0asm\x01\0\0\0").unwrap();
        }
        let names: Vec<String> = collect(std::slice::from_ref(&dir)).unwrap().into_iter().map(|m| m.name).collect();
        assert_eq!(names, ["a.wasm", "b.wasm", "nested/c.wasm"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unreadable_paths_name_the_path() {
        let error = collect(&[PathBuf::from("/definitely/not/here.wasm")]).unwrap_err();
        assert!(error.starts_with("/definitely/not/here.wasm: cannot read"), "{error}");
    }

    #[test]
    fn smith_modules_are_named_by_seed_and_index() {
        let module = smith_module(1, 3).unwrap();
        assert_eq!(module.name, "wasm-smith/seed1/3");
        assert_eq!(&module.wasm[..4], b"\0asm");
        assert_eq!(smith_module(1, 3).unwrap(), module, "the same seed gives the same module");
    }
}
