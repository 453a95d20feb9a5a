//! The native x86-64 executor (to be written): runs generated code inside a
//! forked child process.
