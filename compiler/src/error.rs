//! Errors reported by the compiler, from every stage of the pipeline.
//!
//! Every error says what went wrong and, when it comes from the input, the
//! byte offset in the Wasm binary (`"... (at offset 0x1a)"`), and the
//! function it was found in.

use std::fmt;

/// What kind of problem a [`CompileError`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is not a valid (or well-formed) WebAssembly module.
    Invalid,
    /// The input is valid but uses something this compiler does not support
    /// yet (an operator, a proposal, a type).
    Unsupported,
    /// A bug in the compiler: the IR verifier or the register allocator (or
    /// its checker) rejected what an earlier stage produced.
    Internal,
}

/// A compilation error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// The kind of problem.
    pub kind: ErrorKind,
    /// A description that names the problem.
    pub message: String,
    /// Byte offset in the input, when known.
    pub offset: Option<usize>,
    /// Index of the function (imports first) the problem was found in.
    pub function: Option<u32>,
}

impl CompileError {
    /// An invalid-input error.
    pub fn invalid(message: impl Into<String>, offset: Option<usize>) -> Self {
        Self { kind: ErrorKind::Invalid, message: message.into(), offset, function: None }
    }

    /// An unsupported-feature error.
    pub fn unsupported(message: impl Into<String>, offset: Option<usize>) -> Self {
        Self { kind: ErrorKind::Unsupported, message: message.into(), offset, function: None }
    }

    /// An internal error (a compiler bug).
    pub fn internal(message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Internal, message: message.into(), offset: None, function: None }
    }

    /// Attaches the function index.
    pub fn in_function(mut self, function: u32) -> Self {
        self.function.get_or_insert(function);
        self
    }

    /// Byte offset in the input, when known.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// Whether the module was valid but uses something not supported yet.
    pub fn is_unsupported(&self) -> bool {
        self.kind == ErrorKind::Unsupported
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Invalid => write!(f, "invalid module: {}", self.message)?,
            ErrorKind::Unsupported => write!(f, "unsupported: {}", self.message)?,
            ErrorKind::Internal => write!(f, "internal compiler error: {}", self.message)?,
        }
        if let Some(function) = self.function {
            write!(f, " in function {function}")?;
        }
        if let Some(offset) = self.offset {
            write!(f, " (at offset {offset:#x})")?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileError {}

impl From<wasmparser::BinaryReaderError> for CompileError {
    fn from(error: wasmparser::BinaryReaderError) -> Self {
        CompileError::invalid(error.message().to_string(), Some(error.offset()))
    }
}

/// Shorthand for results with [`CompileError`].
pub type CompileResult<T> = Result<T, CompileError>;
