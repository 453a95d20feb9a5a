//! Differential execution: the same program in wasmtime and in our compiled
//! code, with every observable result compared.
//!
//! ```text
//!  generators ─▶ Case { wasm, calls } ─▶ run::run_case ─┬─ reference: wasmtime (fuel-bounded)
//!  (smith: wasm-smith modules;                          ├─ x86_64:  compile ×2 + NativeExecutor
//!   single: one operator, edge operands)                └─ aarch64: compile ×2 + unicorn (when available)
//!                                        after every call: results, trap kinds, exported
//!                                        globals, exported memory bytes ─▶ CaseReport
//!  sweep: N seeded cases on J workers ─▶ Summary (+ divergent cases written out)
//! ```
//!
//! Module map:
//! - [`values`]: the seeded RNG and the edge-case operands;
//! - [`exports`]: what a module exports (independent of every engine);
//! - [`outcome`]: the shared vocabulary of outcomes and the agreement rules;
//! - [`engine`]: the [`Engine`] trait; [`reference`] (wasmtime) and
//!   [`ours`] (our compiler + an executor) implement it;
//! - [`run`]: one case through every engine, judged call by call;
//! - [`smith`] and [`single`]: the two program generators;
//! - [`sweep`]: many cases, in parallel, into a [`sweep::Summary`];
//!   [`report`] renders it for auditors;
//! - [`reduce`]: shrinks a divergent case; [`corpus`] keeps the results as
//!   regression cases.

pub mod corpus;
pub mod engine;
pub mod exports;
pub mod ours;
pub mod outcome;
pub mod reduce;
pub mod reference;
pub mod report;
pub mod run;
pub mod single;
pub mod smith;
pub mod sweep;
pub mod values;

pub use engine::Engine;
pub use outcome::{Load, Outcome, ResourceLimit};
pub use run::{CaseReport, Divergence, run_case};

use emu::Value;
use serde::{Deserialize, Serialize};

/// One differential test: a module and the calls to make on one instance
/// of it, in order. Everything needed to reproduce a divergence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The module (binary format); hex in JSON.
    #[serde(with = "hex_bytes")]
    pub wasm: Vec<u8>,
    /// Calls: export name and arguments.
    pub calls: Vec<(String, Vec<Value>)>,
    /// The exported global that counts down the module's own termination
    /// fuel (wasm-smith's `ensure_termination`), if any. When a call traps
    /// with it at zero, every engine gets a fresh instance before the next
    /// call, so later calls exercise code instead of the fuel trap.
    #[serde(default)]
    pub termination_fuel_global: Option<String>,
}

/// Byte vectors as lowercase hex strings in JSON.
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        serializer.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.len() % 2 != 0 {
            return Err(D::Error::custom("hex text of odd length"));
        }
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|_| D::Error::custom("not hex")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_round_trip_through_json() {
        let case = Case {
            wasm: vec![0, 0x61, 0x73, 0x6d, 0xff],
            calls: vec![("f".to_string(), vec![Value::I32(-1), Value::F64(0x7ff8_0000_0000_0001)])],
            termination_fuel_global: Some("fuel".to_string()),
        };
        let json = serde_json::to_string(&case).expect("serializes");
        assert!(json.contains("\"0061736dff\""), "{json}");
        assert_eq!(serde_json::from_str::<Case>(&json).expect("parses"), case);
        assert!(serde_json::from_str::<Case>(r#"{"wasm":"0g","calls":[]}"#).is_err());
    }
}
