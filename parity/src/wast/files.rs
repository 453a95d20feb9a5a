//! Which `.wast` files a run covers, and what they are called in reports.
//!
//! ```text
//! PATHS / $WASM_TESTSUITE ─▶ **files** (list + keys) ─▶ run ─▶ report
//! ```
//!
//! The spec testsuite lives next to the project (`../shared/wasm-testsuite`)
//! and is never copied into it; `WASM_TESTSUITE` overrides the location.
//! Files inside the testsuite are named by their path relative to it
//! (`i32.wast`, `proposals/threads/atomic.wast`), so expectations and reports
//! do not depend on where the checkout lives.

use std::path::{Path, PathBuf};

/// The environment variable that overrides [`default_testsuite_dir`].
pub const TESTSUITE_ENV: &str = "WASM_TESTSUITE";

/// A path that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct PathError {
    /// The path.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// The spec testsuite directory: `$WASM_TESTSUITE` when set, otherwise
/// `../shared/wasm-testsuite` next to the workspace root.
pub fn default_testsuite_dir() -> PathBuf {
    match std::env::var_os(TESTSUITE_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wasm-testsuite"),
    }
}

/// The committed expectations file, `parity/expectations/wast.tsv`.
pub fn default_expectations_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("expectations/wast.tsv")
}

/// Expands `paths` into `.wast` files: a file is taken as is, a directory
/// contributes the `*.wast` files directly inside it, sorted (not
/// recursively). Fails on the first path that cannot be read.
pub fn collect_wast_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PathError> {
    let mut files = Vec::new();
    for path in paths {
        let error = |message: String| PathError { path: path.clone(), message };
        let metadata = std::fs::metadata(path).map_err(|e| error(format!("cannot read: {e}")))?;
        if !metadata.is_dir() {
            files.push(path.clone());
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|e| error(format!("cannot list directory: {e}")))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| error(format!("cannot list directory: {e}")))?;
            let file = entry.path();
            if file.extension().is_some_and(|ext| ext == "wast") && file.is_file() {
                found.push(file);
            }
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// The default run: the `.wast` files at the root of the testsuite.
pub fn default_wast_files() -> Result<Vec<PathBuf>, PathError> {
    let dir = default_testsuite_dir();
    if !dir.is_dir() {
        return Err(PathError {
            path: dir,
            message: format!("the spec testsuite is not there (set {TESTSUITE_ENV} to its location)"),
        });
    }
    collect_wast_files(&[dir])
}

/// The name of `path` in reports and expectations: relative to
/// `testsuite_dir` (with `/` separators) when inside it, otherwise the path
/// as given.
pub fn file_key(path: &Path, testsuite_dir: &Path) -> String {
    if let (Ok(file), Ok(root)) = (path.canonicalize(), testsuite_dir.canonicalize())
        && let Ok(relative) = file.strip_prefix(&root)
    {
        let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        return parts.join("/");
    }
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_to_sorted_wast_files() {
        let dir = std::env::temp_dir().join(format!("parity-files-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("nested")).unwrap();
        for name in ["b.wast", "a.wast", "notes.txt", "nested/c.wast"] {
            std::fs::write(dir.join(name), "(module)").unwrap();
        }
        let files = collect_wast_files(std::slice::from_ref(&dir)).unwrap();
        let keys: Vec<String> = files.iter().map(|f| file_key(f, &dir)).collect();
        assert_eq!(keys, ["a.wast", "b.wast"]);
        assert_eq!(file_key(&dir.join("nested/c.wast"), &dir), "nested/c.wast");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unreadable_paths_name_the_path() {
        let missing = PathBuf::from("/definitely/not/here.wast");
        let error = collect_wast_files(std::slice::from_ref(&missing)).unwrap_err();
        assert!(error.to_string().starts_with("/definitely/not/here.wast: cannot read"), "{error}");
    }

    #[test]
    fn files_outside_the_testsuite_keep_their_path() {
        assert_eq!(file_key(Path::new("/nowhere/x.wast"), Path::new("/elsewhere")), "/nowhere/x.wast");
    }
}
