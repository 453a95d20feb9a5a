//! Import matching: when an export may satisfy an import.
//!
//! Every executor resolves a module's imports (registered instances, the
//! `spectest` host module) before instantiating it; these are the Wasm 2.0
//! rules for whether the found item's type fits the import's, shared so all
//! executors reject the same modules.

use compiler::module::{GlobalType, Import, MemoryType, TableType};

/// `module.field` of an import, for error messages.
pub(crate) fn import_name(import: &Import) -> String {
    format!("{}.{}", import.module, import.field)
}

/// Limits subtyping: the actual size is at least the import's minimum, and
/// if the import has a maximum the actual item has one no larger.
pub(crate) fn limits_match(
    import_min: u64,
    import_max: Option<u64>,
    actual_min: u64,
    actual_max: Option<u64>,
) -> bool {
    if actual_min < import_min {
        return false;
    }
    match (import_max, actual_max) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(wanted), Some(actual)) => actual <= wanted,
    }
}

/// Whether a memory currently `actual_pages` large with maximum
/// `actual.max_pages` satisfies an import of type `import`.
pub(crate) fn memory_matches(import: &MemoryType, actual_pages: u64, actual: &MemoryType) -> bool {
    limits_match(
        import.min_pages,
        import.max_pages,
        actual_pages,
        actual.max_pages,
    )
}

/// Whether a table of type `actual` satisfies an import of type `import`.
pub(crate) fn table_matches(import: &TableType, actual: &TableType) -> bool {
    import.element == actual.element && limits_match(import.min, import.max, actual.min, actual.max)
}

/// Whether a global of type `actual` satisfies an import of type `import`
/// (exact match: value type and mutability).
pub(crate) fn global_matches(import: &GlobalType, actual: &GlobalType) -> bool {
    import == actual
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_subtyping() {
        assert!(limits_match(1, None, 1, None));
        assert!(limits_match(1, None, 2, Some(3)));
        assert!(!limits_match(2, None, 1, None));
        assert!(!limits_match(1, Some(2), 1, None));
        assert!(limits_match(1, Some(2), 1, Some(2)));
        assert!(!limits_match(1, Some(2), 1, Some(3)));
    }
}
