//! Value slots: how a [`Value`] crosses the array-call convention.
//!
//! Executors hand arguments to an export's array entry trampoline, and host
//! functions receive theirs from a host-call trampoline, as 8-byte slots
//! (see [`compiler::runtime`]). This module converts between [`Value`]s and
//! slots, and checks a list of arguments against a function's parameters.
//! Global cells use the same encoding in their low 8 bytes.

use crate::{EmuError, Value};
use compiler::module::ValType;

impl Value {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Value::I32(_) => ValType::I32,
            Value::I64(_) => ValType::I64,
            Value::F32(_) => ValType::F32,
            Value::F64(_) => ValType::F64,
            Value::FuncRef(_) => ValType::FuncRef,
            Value::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// Encodes the value as one slot: an `i32`/`f32` zero-extended in the low
    /// 4 bytes, an `i64`/`f64` as its 8 bytes, a null reference as 0.
    /// Non-null references cannot be passed in yet.
    pub fn to_slot(&self) -> Result<u64, EmuError> {
        match *self {
            Value::I32(v) => Ok(v as u32 as u64),
            Value::I64(v) => Ok(v as u64),
            Value::F32(bits) => Ok(bits as u64),
            Value::F64(bits) => Ok(bits),
            Value::FuncRef(None) | Value::ExternRef(None) => Ok(0),
            // A funcref is the address of a VMFuncRef handed out earlier.
            Value::FuncRef(Some(address)) => Ok(address),
            // An externref is an opaque host word; 0 is null, so shift by one.
            Value::ExternRef(Some(v)) => {
                v.checked_add(1).ok_or_else(|| EmuError::BadArguments(format!("externref {v} is too large")))
            }
        }
    }

    /// Decodes a slot holding a value of type `ty`. A reference slot of 0 is
    /// null; any other reference is returned as an opaque identity.
    pub fn from_slot(ty: ValType, slot: u64) -> Result<Value, EmuError> {
        match ty {
            ValType::I32 => Ok(Value::I32(slot as u32 as i32)),
            ValType::I64 => Ok(Value::I64(slot as i64)),
            ValType::F32 => Ok(Value::F32(slot as u32)),
            ValType::F64 => Ok(Value::F64(slot)),
            ValType::FuncRef => Ok(Value::FuncRef((slot != 0).then_some(slot))),
            ValType::ExternRef => Ok(Value::ExternRef(slot.checked_sub(1))),
            ValType::V128 => Err(EmuError::Unsupported("v128 values".to_string())),
        }
    }
}

/// Checks that `args` match `params` in number and type.
pub(crate) fn check_arguments(params: &[ValType], args: &[Value]) -> Result<(), EmuError> {
    if params.len() != args.len() {
        return Err(EmuError::BadArguments(format!("expected {} arguments, got {}", params.len(), args.len())));
    }
    for (index, (&param, arg)) in params.iter().zip(args).enumerate() {
        if arg.ty() != param {
            return Err(EmuError::BadArguments(format!("argument {index}: expected {param:?}, got {arg:?}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_round_trip() {
        for value in
            [Value::I32(-1), Value::I64(i64::MIN), Value::F32(0x7fc0_0001), Value::F64(1), Value::FuncRef(None)]
        {
            let slot = value.to_slot().unwrap();
            assert_eq!(Value::from_slot(value.ty(), slot).unwrap(), value);
        }
        assert_eq!(Value::I32(-1).to_slot().unwrap(), 0xffff_ffff);
        for value in [Value::ExternRef(Some(0)), Value::ExternRef(Some(3)), Value::ExternRef(None)] {
            assert_eq!(Value::from_slot(ValType::ExternRef, value.to_slot().unwrap()).unwrap(), value);
        }
        assert!(Value::ExternRef(Some(u64::MAX)).to_slot().is_err());
        assert!(Value::from_slot(ValType::V128, 0).is_err());
    }

    #[test]
    fn argument_check_names_the_problem() {
        assert!(check_arguments(&[ValType::I32], &[Value::I32(1)]).is_ok());
        let err = check_arguments(&[ValType::I32], &[Value::I64(1)]).unwrap_err().to_string();
        assert!(err.contains("argument 0"), "{err}");
        assert!(check_arguments(&[], &[Value::I32(1)]).is_err());
    }
}
