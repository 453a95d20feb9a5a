//! The `spectest` host module (to be written).
