//! Entity references of the IR: small copyable indices into the tables of a
//! [`crate::ir::Function`].
//!
//! Part of the IR (`ir/`). Each entity prints with its own prefix in the text
//! form (`v3`, `block2`, `inst7`, `fn0`, `sig1`, `jt0`, `ss0`).

use std::fmt;

macro_rules! entity {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize`.
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// Creates an entity from an index.
            pub fn new(index: usize) -> Self {
                Self(u32::try_from(index).expect("entity index overflows u32"))
            }

            /// The text-form prefix.
            pub const PREFIX: &'static str = $prefix;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

entity!(
    /// An SSA value: an instruction result or a block parameter.
    Value,
    "v"
);
entity!(
    /// A basic block.
    Block,
    "block"
);
entity!(
    /// An instruction.
    Inst,
    "inst"
);
entity!(
    /// A function this function can call directly.
    FuncRef,
    "fn"
);
entity!(
    /// A signature used by indirect calls.
    SigRef,
    "sig"
);
entity!(
    /// A jump table used by `br_table`.
    JumpTable,
    "jt"
);
entity!(
    /// A fixed-size slot in the function's stack frame.
    StackSlot,
    "ss"
);
