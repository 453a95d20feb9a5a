//! Lowers a parsed `.wast` file into a list of owned, ISA-independent commands.
//!
//! ```text
//! .wast text ─▶ wast::Wast ─▶ **script::Script** ─▶ run (once per ISA) ─▶ report
//! ```
//!
//! The `wast` crate's AST borrows the file text and encodes modules through
//! `&mut` methods, so it is walked exactly once, here: every module is
//! encoded to bytes (or its encoding error kept), every argument becomes an
//! [`emu::Value`], every expected result an [`ExpectedValue`]. Whatever the
//! executor interface cannot express (v128, GC references, components,
//! threads, exceptions) becomes a [`CommandKind::Skip`] with the reason, so
//! the runner never has to look at `wast` types.

use super::expected::{ExpectedValue, FloatPattern};
use emu::Value;
use wast::core::{AbstractHeapType, HeapType, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// A lowered `.wast` file.
#[derive(Debug)]
pub struct Script {
    /// The commands, in file order.
    pub commands: Vec<Command>,
}

/// One directive of the file.
#[derive(Debug)]
pub struct Command {
    /// 1-based line of the directive.
    pub line: usize,
    /// 1-based column of the directive.
    pub column: usize,
    /// The directive's keyword (`assert_return`, `module`, ...), for messages.
    pub directive: &'static str,
    /// What to do.
    pub kind: CommandKind,
}

/// What a command asks the runner to do.
#[derive(Debug)]
pub enum CommandKind {
    /// `(module ...)`: compile and, unless it is a `module definition`,
    /// instantiate; the result becomes the current module.
    Module {
        /// The module's `$name`, if any.
        name: Option<String>,
        /// The encoded module.
        module: ModuleSource,
        /// `false` for `(module definition ...)`.
        instantiate: bool,
    },
    /// `(module instance $instance $module)`.
    Instance {
        /// The new instance's name.
        instance: Option<String>,
        /// The definition to instantiate; `None` is the latest definition.
        module: Option<String>,
    },
    /// `(register "name" $instance)`.
    Register {
        /// The import module name to register under.
        as_name: String,
        /// The instance; `None` is the current module.
        instance: Option<String>,
    },
    /// A bare `(invoke ...)`: must return (any values).
    Invoke(Action),
    /// `(assert_return action results...)`.
    AssertReturn {
        /// What to run.
        action: Action,
        /// The expected results.
        expected: Vec<ExpectedValue>,
    },
    /// `(assert_trap action "message")`, including module instantiation.
    AssertTrap {
        /// What to run.
        action: Action,
        /// The testsuite's trap message.
        message: String,
    },
    /// `(assert_exhaustion (invoke ...) "message")`: must overflow the stack.
    AssertExhaustion {
        /// What to run.
        action: Action,
        /// The testsuite's message.
        message: String,
    },
    /// `(assert_invalid ...)` / `(assert_malformed ...)`: must be rejected.
    AssertRejected {
        /// Which assertion.
        kind: Rejection,
        /// The module.
        module: ModuleSource,
        /// The testsuite's message.
        message: String,
    },
    /// `(assert_unlinkable ...)`: compiles, but instantiation must fail to link.
    AssertUnlinkable {
        /// The module.
        module: ModuleSource,
        /// The testsuite's message.
        message: String,
    },
    /// A directive this runner does not check; counted as skipped.
    Skip {
        /// Why.
        reason: String,
    },
}

/// Why a module must be rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// `assert_invalid`: decodes, fails validation.
    Invalid,
    /// `assert_malformed`: does not even decode (or parse, for text).
    Malformed,
}

/// A module as the runner sees it.
#[derive(Debug)]
pub enum ModuleSource {
    /// The binary encoding.
    Binary(Vec<u8>),
    /// The text could not be parsed or encoded (`wat`), with the message.
    NotEncodable(String),
    /// A component, which this runner does not support.
    Component,
}

/// Something to run against an instance.
#[derive(Debug)]
pub enum Action {
    /// Call an exported function.
    Invoke {
        /// The instance; `None` is the current module.
        instance: Option<String>,
        /// The export name.
        export: String,
        /// The arguments.
        args: Vec<Value>,
    },
    /// Read an exported global.
    Get {
        /// The instance; `None` is the current module.
        instance: Option<String>,
        /// The export name.
        global: String,
    },
    /// Instantiate a module (for `assert_trap` on instantiation).
    Instantiate(ModuleSource),
}

/// A `.wast` file that could not be parsed at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    /// 1-based line of the error.
    pub line: usize,
    /// 1-based column of the error.
    pub column: usize,
    /// The parser's message.
    pub message: String,
}

/// Parses `.wast` text and lowers it into a [`Script`].
pub fn parse_script(text: &str) -> Result<Script, ParseFailure> {
    let failure = |error: wast::Error| {
        let (line, column) = error.span().linecol_in(text);
        ParseFailure { line: line + 1, column: column + 1, message: error.message() }
    };
    // The spec testsuite deliberately uses bidirectional-override and other
    // "confusing" characters in names (names.wast); the reference
    // interpreter accepts them, so the runner does too.
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buffer = ParseBuffer::new_with_lexer(lexer).map_err(failure)?;
    let wast = parser::parse::<Wast<'_>>(&buffer).map_err(failure)?;
    let commands = wast.directives.into_iter().map(|directive| lower_directive(text, directive)).collect();
    Ok(Script { commands })
}

fn lower_directive(text: &str, directive: WastDirective<'_>) -> Command {
    let (line, column) = directive.span().linecol_in(text);
    let (directive, kind) = lower_kind(directive);
    Command { line: line + 1, column: column + 1, directive, kind }
}

/// Builds a skip command.
fn skip(reason: impl Into<String>) -> CommandKind {
    CommandKind::Skip { reason: reason.into() }
}

fn lower_kind(directive: WastDirective<'_>) -> (&'static str, CommandKind) {
    match directive {
        WastDirective::Module(module) => ("module", lower_module_command(module, true)),
        WastDirective::ModuleDefinition(module) => ("module definition", lower_module_command(module, false)),
        WastDirective::ModuleInstance { instance, module, .. } => {
            ("module instance", CommandKind::Instance { instance: instance.map(id_name), module: module.map(id_name) })
        }
        WastDirective::Register { name, module, .. } => {
            ("register", CommandKind::Register { as_name: name.to_string(), instance: module.map(id_name) })
        }
        WastDirective::Invoke(invoke) => ("invoke", lower_invoke(invoke).map_or_else(skip, CommandKind::Invoke)),
        WastDirective::AssertReturn { exec, results, .. } => {
            let kind = match (lower_execute(exec), lower_results(results)) {
                (Ok(action), Ok(expected)) => CommandKind::AssertReturn { action, expected },
                (Err(reason), _) | (_, Err(reason)) => skip(reason),
            };
            ("assert_return", kind)
        }
        WastDirective::AssertTrap { exec, message, .. } => {
            let kind = lower_execute(exec)
                .map_or_else(skip, |action| CommandKind::AssertTrap { action, message: message.to_string() });
            ("assert_trap", kind)
        }
        WastDirective::AssertExhaustion { call, message, .. } => {
            let kind = lower_invoke(call)
                .map_or_else(skip, |action| CommandKind::AssertExhaustion { action, message: message.to_string() });
            ("assert_exhaustion", kind)
        }
        WastDirective::AssertInvalid { module, message, .. } => (
            "assert_invalid",
            CommandKind::AssertRejected {
                kind: Rejection::Invalid,
                module: encode_quote(module),
                message: message.to_string(),
            },
        ),
        WastDirective::AssertMalformed { module, message, .. } => (
            "assert_malformed",
            CommandKind::AssertRejected {
                kind: Rejection::Malformed,
                module: encode_quote(module),
                message: message.to_string(),
            },
        ),
        WastDirective::AssertUnlinkable { module, message, .. } => (
            "assert_unlinkable",
            CommandKind::AssertUnlinkable { module: encode_wat(module), message: message.to_string() },
        ),
        WastDirective::AssertInvalidCustom { .. } => {
            ("assert_invalid_custom", skip("custom-section assertions are not checked"))
        }
        WastDirective::AssertMalformedCustom { .. } => {
            ("assert_malformed_custom", skip("custom-section assertions are not checked"))
        }
        WastDirective::AssertException { .. } => {
            ("assert_exception", skip("exception handling is not supported by the runner"))
        }
        WastDirective::AssertSuspension { .. } => {
            ("assert_suspension", skip("stack switching is not supported by the runner"))
        }
        WastDirective::Thread(_) => ("thread", skip("threads are not supported by the runner")),
        WastDirective::Wait { .. } => ("wait", skip("threads are not supported by the runner")),
    }
}

fn lower_module_command(mut module: QuoteWat<'_>, instantiate: bool) -> CommandKind {
    let name = module.name().map(id_name);
    CommandKind::Module { name, module: encode_quote_ref(&mut module), instantiate }
}

fn id_name(id: Id<'_>) -> String {
    id.name().to_string()
}

fn encode_quote(mut module: QuoteWat<'_>) -> ModuleSource {
    encode_quote_ref(&mut module)
}

fn encode_quote_ref(module: &mut QuoteWat<'_>) -> ModuleSource {
    match module {
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..) => ModuleSource::Component,
        QuoteWat::Wat(Wat::Module(_)) | QuoteWat::QuoteModule(..) => match module.encode() {
            Ok(bytes) => ModuleSource::Binary(bytes),
            Err(error) => ModuleSource::NotEncodable(error.message()),
        },
    }
}

fn encode_wat(mut module: Wat<'_>) -> ModuleSource {
    match module {
        Wat::Component(_) => ModuleSource::Component,
        Wat::Module(_) => match module.encode() {
            Ok(bytes) => ModuleSource::Binary(bytes),
            Err(error) => ModuleSource::NotEncodable(error.message()),
        },
    }
}

fn lower_execute(exec: WastExecute<'_>) -> Result<Action, String> {
    match exec {
        WastExecute::Invoke(invoke) => lower_invoke(invoke),
        WastExecute::Get { module, global, .. } => {
            Ok(Action::Get { instance: module.map(id_name), global: global.to_string() })
        }
        WastExecute::Wat(module) => match encode_wat(module) {
            ModuleSource::Component => Err("the component model is not supported by the runner".to_string()),
            source => Ok(Action::Instantiate(source)),
        },
    }
}

fn lower_invoke(invoke: WastInvoke<'_>) -> Result<Action, String> {
    let args = invoke.args.into_iter().map(lower_arg).collect::<Result<Vec<_>, _>>()?;
    Ok(Action::Invoke { instance: invoke.module.map(id_name), export: invoke.name.to_string(), args })
}

fn lower_arg(arg: WastArg<'_>) -> Result<Value, String> {
    let WastArg::Core(arg) = arg else {
        return Err("component-model values are not supported by the runner".to_string());
    };
    match arg {
        WastArgCore::I32(v) => Ok(Value::I32(v)),
        WastArgCore::I64(v) => Ok(Value::I64(v)),
        WastArgCore::F32(v) => Ok(Value::F32(v.bits)),
        WastArgCore::F64(v) => Ok(Value::F64(v.bits)),
        WastArgCore::V128(_) => Err(v128_reason()),
        WastArgCore::RefNull(heap) => match null_kind(Some(&heap))? {
            NullKind::Func => Ok(Value::FuncRef(None)),
            NullKind::Extern => Ok(Value::ExternRef(None)),
            NullKind::Any => Err("an untyped ref.null argument".to_string()),
        },
        WastArgCore::RefExtern(host) => Ok(Value::ExternRef(Some(u64::from(host)))),
        WastArgCore::RefHost(_) => Err(gc_reason("ref.host")),
    }
}

fn lower_results(results: Vec<WastRet<'_>>) -> Result<Vec<ExpectedValue>, String> {
    results
        .into_iter()
        .map(|result| match result {
            WastRet::Core(core) => lower_ret(core),
            _ => Err("component-model values are not supported by the runner".to_string()),
        })
        .collect()
}

fn lower_ret(ret: WastRetCore<'_>) -> Result<ExpectedValue, String> {
    use wast::core::NanPattern;
    Ok(match ret {
        WastRetCore::I32(v) => ExpectedValue::I32(v),
        WastRetCore::I64(v) => ExpectedValue::I64(v),
        WastRetCore::F32(pattern) => ExpectedValue::F32(match pattern {
            NanPattern::CanonicalNan => FloatPattern::CanonicalNan,
            NanPattern::ArithmeticNan => FloatPattern::ArithmeticNan,
            NanPattern::Value(v) => FloatPattern::Bits(v.bits),
        }),
        WastRetCore::F64(pattern) => ExpectedValue::F64(match pattern {
            NanPattern::CanonicalNan => FloatPattern::CanonicalNan,
            NanPattern::ArithmeticNan => FloatPattern::ArithmeticNan,
            NanPattern::Value(v) => FloatPattern::Bits(v.bits),
        }),
        WastRetCore::V128(_) => return Err(v128_reason()),
        WastRetCore::RefNull(heap) => match null_kind(heap.as_ref())? {
            NullKind::Func => ExpectedValue::NullFuncRef,
            NullKind::Extern => ExpectedValue::NullExternRef,
            NullKind::Any => ExpectedValue::NullRef,
        },
        WastRetCore::RefExtern(host) => ExpectedValue::ExternRef(host),
        WastRetCore::RefFunc(_) => ExpectedValue::FuncRef,
        WastRetCore::RefHost(_) => return Err(gc_reason("ref.host")),
        WastRetCore::RefAny => return Err(gc_reason("ref.any")),
        WastRetCore::RefEq => return Err(gc_reason("ref.eq")),
        WastRetCore::RefArray => return Err(gc_reason("ref.array")),
        WastRetCore::RefStruct => return Err(gc_reason("ref.struct")),
        WastRetCore::RefI31 | WastRetCore::RefI31Shared => return Err(gc_reason("ref.i31")),
        WastRetCore::Either(alternatives) => {
            // An alternative the runner cannot judge might be the right one, so
            // one unsupported alternative makes the whole assertion unjudgeable.
            let alternatives = alternatives.into_iter().map(lower_ret).collect::<Result<Vec<_>, _>>()?;
            ExpectedValue::Either(alternatives)
        }
    })
}

/// Which null a `ref.null` denotes.
enum NullKind {
    Func,
    Extern,
    /// No type given: either kind.
    Any,
}

fn null_kind(heap: Option<&HeapType<'_>>) -> Result<NullKind, String> {
    match heap {
        None => Ok(NullKind::Any),
        Some(HeapType::Abstract { shared: false, ty: AbstractHeapType::Func | AbstractHeapType::NoFunc }) => {
            Ok(NullKind::Func)
        }
        Some(HeapType::Abstract { shared: false, ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern }) => {
            Ok(NullKind::Extern)
        }
        Some(other) => Err(gc_reason(&format!("ref.null of heap type {other:?}"))),
    }
}

fn v128_reason() -> String {
    "v128 values are not supported by the executor interface".to_string()
}

fn gc_reason(what: &str) -> String {
    format!("GC / typed references are not supported by the runner ({what})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<CommandKind> {
        parse_script(text).expect("parses").commands.into_iter().map(|c| c.kind).collect()
    }

    #[test]
    fn lowers_modules_invokes_and_results() {
        let script = parse_script(
            "(module $m (func (export \"f\") (param i32) (result i32) local.get 0))\n\
             (assert_return (invoke $m \"f\" (i32.const 7)) (i32.const 7))\n\
             (register \"lib\" $m)\n",
        )
        .expect("parses");
        assert_eq!(script.commands.len(), 3);
        let second = &script.commands[1];
        assert_eq!((second.line, second.column, second.directive), (2, 2, "assert_return"));
        match &script.commands[0].kind {
            CommandKind::Module { name, module: ModuleSource::Binary(bytes), instantiate: true } => {
                assert_eq!(name.as_deref(), Some("m"));
                assert_eq!(&bytes[..4], b"\0asm");
            }
            other => panic!("unexpected {other:?}"),
        }
        match &second.kind {
            CommandKind::AssertReturn { action: Action::Invoke { instance, export, args }, expected } => {
                assert_eq!(instance.as_deref(), Some("m"));
                assert_eq!(export, "f");
                assert_eq!(args, &[Value::I32(7)]);
                assert_eq!(expected, &[ExpectedValue::I32(7)]);
            }
            other => panic!("unexpected {other:?}"),
        }
        match &script.commands[2].kind {
            CommandKind::Register { as_name, instance } => {
                assert_eq!(as_name, "lib");
                assert_eq!(instance.as_deref(), Some("m"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn lowers_nan_patterns_and_references() {
        let kinds = kinds(
            "(assert_return (invoke \"f\" (ref.extern 3) (ref.null func)) \
               (f32.const nan:canonical) (f64.const nan:arithmetic) (ref.null extern) (ref.func) (ref.extern 3))",
        );
        match &kinds[0] {
            CommandKind::AssertReturn { action: Action::Invoke { args, .. }, expected } => {
                assert_eq!(args, &[Value::ExternRef(Some(3)), Value::FuncRef(None)]);
                assert_eq!(
                    expected,
                    &[
                        ExpectedValue::F32(FloatPattern::CanonicalNan),
                        ExpectedValue::F64(FloatPattern::ArithmeticNan),
                        ExpectedValue::NullExternRef,
                        ExpectedValue::FuncRef,
                        ExpectedValue::ExternRef(Some(3)),
                    ]
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unsupported_values_become_skips() {
        let kinds = kinds(
            "(assert_return (invoke \"f\" (v128.const i32x4 0 0 0 0)))\n\
             (assert_return (invoke \"g\") (ref.i31))\n\
             (assert_exception (invoke \"h\"))\n",
        );
        assert_eq!(kinds.len(), 3);
        for kind in &kinds {
            assert!(matches!(kind, CommandKind::Skip { .. }), "{kind:?}");
        }
    }

    #[test]
    fn malformed_quote_modules_keep_their_error() {
        let kinds =
            kinds("(assert_malformed (module quote \"(func (result i32) (i32.const 0x))\") \"unknown operator\")");
        match &kinds[0] {
            CommandKind::AssertRejected {
                kind: Rejection::Malformed, module: ModuleSource::NotEncodable(_), ..
            } => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn definitions_and_instances() {
        let kinds = kinds("(module definition $d (func))\n(module instance $i $d)\n");
        assert!(matches!(&kinds[0], CommandKind::Module { instantiate: false, name: Some(n), .. } if n == "d"));
        assert!(
            matches!(&kinds[1], CommandKind::Instance { instance: Some(i), module: Some(m) } if i == "i" && m == "d")
        );
    }

    #[test]
    fn parse_errors_carry_a_location() {
        let failure = parse_script("(module)\n(assert_return (invoke \"f\") (i32.const))").unwrap_err();
        assert_eq!(failure.line, 2);
        assert!(!failure.message.is_empty());
    }
}
