//! The IR text form: parsing.
//!
//! Part of the IR (`ir/`), the inverse of `ir::write` (which documents the
//! format). Used by tests and tools to write IR by hand:
//!
//! ```text
//! text ─▶ lexer::tokenize ─▶ Parser (syntax, per function) ─▶ build ─▶ ir::Function
//! ```
//!
//! The parser recreates the entity numbering of the text exactly: `v7` in
//! the text is `Value(7)` in the function. The DFG numbers values in
//! creation order, so parsing has two steps: the syntax is read into plain
//! records, in which values may be used before their definition (loop back
//! edges); then `build` creates the entities in an order that gives each
//! its number (see there).
//!
//! The parser checks what it needs to build the function (every used value
//! and block is defined, once; declarations are numbered in order) and
//! nothing more: type and SSA rules are the verifier's job, so broken
//! functions can be written down for verifier tests.

mod build;
mod lexer;
#[cfg(test)]
mod tests;

use crate::ir::dfg::{ExtFuncData, JumpTableData, Signature, StackSlotData};
use crate::ir::entities::{Block, FuncRef, JumpTable, SigRef, StackSlot, Value};
use crate::ir::function::Function;
use crate::ir::instructions::{BlockCall, FloatCC, InstructionData, InstructionFormat, IntCC, Opcode};
use crate::ir::types::Type;
use crate::runtime::TrapCode;
use lexer::{Position, Token, TokenKind};

/// A syntax or consistency error in IR text, with the place it was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    /// Line, counted from 1.
    pub line: usize,
    /// Column in characters, counted from 1.
    pub column: usize,
    /// What was wrong, usually "expected X, found Y".
    pub message: String,
}

/// Parses every function in `text`.
pub fn parse_functions(text: &str) -> Result<Vec<Function>, ParseError> {
    let tokens = lexer::tokenize(text)?;
    let mut parser = Parser::new(text, &tokens);
    let mut functions = Vec::new();
    while parser.peek().is_some() {
        functions.push(parser.function()?);
    }
    Ok(functions)
}

/// Parses text that holds exactly one function.
pub fn parse_function(text: &str) -> Result<Function, ParseError> {
    let tokens = lexer::tokenize(text)?;
    let mut parser = Parser::new(text, &tokens);
    let function = parser.function()?;
    match parser.peek() {
        None => Ok(function),
        Some(_) => Err(parser.expected("end of input after the function")),
    }
}

/// A block header and the instructions under it.
struct ParsedBlock {
    block: Block,
    position: Position,
    params: Vec<(Value, Type, Position)>,
    /// Indices into [`FunctionBody::insts`].
    insts: Vec<usize>,
}

/// One instruction line.
struct ParsedInst {
    results: Vec<(Value, Position)>,
    result_types: Vec<Type>,
    data: InstructionData,
}

/// Everything parsed between a function's braces.
#[derive(Default)]
struct FunctionBody {
    signatures: Vec<Signature>,
    ext_funcs: Vec<ExtFuncData>,
    jump_tables: Vec<JumpTableData>,
    stack_slots: Vec<StackSlotData>,
    blocks: Vec<ParsedBlock>,
    /// Instructions in text order.
    insts: Vec<ParsedInst>,
    value_uses: Vec<(Value, Position)>,
    block_uses: Vec<(Block, Position)>,
}

struct Parser<'t> {
    tokens: &'t [Token],
    next: usize,
    /// Where the text ends, for "found end of input" errors.
    end: Position,
    /// Value and block numbers must stay below this, so that hostile input
    /// cannot make the parser create billions of entities.
    entity_limit: usize,
}

/// The number `N` of an identifier `{prefix}N` (no leading zeros).
fn entity_number(kind: &TokenKind, prefix: &str) -> Option<u32> {
    let TokenKind::Ident(name) = kind else {
        return None;
    };
    let digits = name.strip_prefix(prefix)?;
    let canonical = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    if !canonical || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    digits.parse().ok()
}

impl<'t> Parser<'t> {
    fn new(text: &str, tokens: &'t [Token]) -> Self {
        let line = 1 + text.matches('\n').count();
        let column = 1 + text.rsplit('\n').next().map_or(0, |last| last.chars().count());
        Self { tokens, next: 0, end: Position { line, column }, entity_limit: text.len() + 1024 }
    }

    fn peek(&self) -> Option<&'t Token> {
        self.tokens.get(self.next)
    }

    fn peek_kind(&self) -> Option<&'t TokenKind> {
        self.peek().map(|t| &t.kind)
    }

    fn position(&self) -> Position {
        self.peek().map_or(self.end, |t| t.position)
    }

    fn bump(&mut self) {
        self.next += 1;
    }

    fn expected(&self, what: &str) -> ParseError {
        let found = self.peek().map_or_else(|| "end of input".to_string(), |t| t.kind.to_string());
        self.position().error(format!("expected {what}, found {found}"))
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        let found = self.peek_kind() == Some(kind);
        if found {
            self.bump();
        }
        found
    }

    fn expect(&mut self, kind: &TokenKind) -> Result<(), ParseError> {
        if self.eat(kind) { Ok(()) } else { Err(self.expected(&kind.to_string())) }
    }

    /// Whether the next token is on the line of the previous one.
    fn on_same_line(&self) -> bool {
        match (self.peek(), self.next.checked_sub(1).and_then(|i| self.tokens.get(i))) {
            (Some(next), Some(previous)) => next.position.line == previous.position.line,
            _ => false,
        }
    }

    fn expect_line_end(&self) -> Result<(), ParseError> {
        if self.on_same_line() { Err(self.expected("end of line")) } else { Ok(()) }
    }

    fn ident(&mut self, what: &str) -> Result<(&'t str, Position), ParseError> {
        match self.peek() {
            Some(Token { kind: TokenKind::Ident(name), position }) => {
                self.bump();
                Ok((name.as_str(), *position))
            }
            _ => Err(self.expected(what)),
        }
    }

    fn keyword(&mut self, word: &str) -> Result<(), ParseError> {
        match self.peek_kind() {
            Some(TokenKind::Ident(name)) if name == word => {
                self.bump();
                Ok(())
            }
            _ => Err(self.expected(&format!("`{word}`"))),
        }
    }

    /// An entity `{prefix}N`; `bounded` applies the entity limit.
    fn entity(&mut self, prefix: &str, bounded: bool) -> Result<(u32, Position), ParseError> {
        let position = self.position();
        let Some(number) = self.peek_kind().and_then(|k| entity_number(k, prefix)) else {
            return Err(self.expected(&format!("`{prefix}N`")));
        };
        if bounded && number as usize >= self.entity_limit {
            return Err(position.error(format!(
                "{prefix}{number} is too large for a text of this size (entity numbers must be below {})",
                self.entity_limit
            )));
        }
        self.bump();
        Ok((number, position))
    }

    fn value(&mut self) -> Result<(Value, Position), ParseError> {
        self.entity(Value::PREFIX, true).map(|(n, p)| (Value(n), p))
    }

    fn integer(&mut self, what: &str) -> Result<(i128, Position), ParseError> {
        match self.peek() {
            Some(Token { kind: TokenKind::Integer { value, .. }, position }) => {
                self.bump();
                Ok((*value, *position))
            }
            _ => Err(self.expected(what)),
        }
    }

    fn type_(&mut self) -> Result<Type, ParseError> {
        let position = self.position();
        let (name, _) = self.ident("a type")?;
        Type::from_name(name)
            .ok_or_else(|| position.error(format!("expected a type (i8, i16, i32, i64, f32, f64), found `{name}`")))
    }

    /// Types up to and including `)`; the `(` is already consumed.
    fn types_in_parens(&mut self) -> Result<Vec<Type>, ParseError> {
        let mut types = Vec::new();
        if self.eat(&TokenKind::RightParen) {
            return Ok(types);
        }
        loop {
            types.push(self.type_()?);
            if self.eat(&TokenKind::RightParen) {
                return Ok(types);
            }
            self.expect(&TokenKind::Comma)?;
        }
    }

    /// An optional `-> t1, t2`.
    fn returns(&mut self) -> Result<Vec<Type>, ParseError> {
        let mut types = Vec::new();
        if self.eat(&TokenKind::Arrow) {
            types.push(self.type_()?);
            while self.eat(&TokenKind::Comma) {
                types.push(self.type_()?);
            }
        }
        Ok(types)
    }

    fn function(&mut self) -> Result<Function, ParseError> {
        self.keyword("function")?;
        let name = match self.peek_kind() {
            Some(TokenKind::Name(name)) => name.clone(),
            _ => return Err(self.expected("a function name like `%f`")),
        };
        self.bump();
        self.expect(&TokenKind::LeftParen)?;
        let params = self.types_in_parens()?;
        let returns = self.returns()?;
        self.expect(&TokenKind::LeftBrace)?;
        self.expect_line_end()?;
        let mut body = FunctionBody::default();
        loop {
            let Some(token) = self.peek() else {
                return Err(self.expected("`}`"));
            };
            match &token.kind {
                TokenKind::RightBrace => {
                    self.bump();
                    break;
                }
                kind if entity_number(kind, Block::PREFIX).is_some() => self.block_header(&mut body)?,
                TokenKind::Ident(word) if word == "function" => return Err(self.expected("`}`")),
                _ if body.blocks.is_empty() => self.declaration(&mut body)?,
                _ => self.instruction(&mut body)?,
            }
        }
        self.expect_line_end()?;
        build::build(name, Signature::new(params, returns), body)
    }

    fn declaration(&mut self, body: &mut FunctionBody) -> Result<(), ParseError> {
        let position = self.position();
        let kind = self.peek_kind();
        let numbered = |prefix: &str, count: usize| -> Option<Result<(), ParseError>> {
            let number = entity_number(kind?, prefix)?;
            Some(if number as usize == count {
                Ok(())
            } else {
                Err(position.error(format!(
                    "expected {prefix}{count} (declarations are numbered in order), found {prefix}{number}"
                )))
            })
        };
        if let Some(check) = numbered(SigRef::PREFIX, body.signatures.len()) {
            check?;
            self.bump();
            self.expect(&TokenKind::Equals)?;
            self.expect(&TokenKind::LeftParen)?;
            let params = self.types_in_parens()?;
            let returns = self.returns()?;
            body.signatures.push(Signature::new(params, returns));
        } else if let Some(check) = numbered(FuncRef::PREFIX, body.ext_funcs.len()) {
            check?;
            self.bump();
            self.expect(&TokenKind::Equals)?;
            let (symbol, _) = self.entity("func", false)?;
            let signature = self.sig_ref(body)?;
            body.ext_funcs.push(ExtFuncData { symbol, signature });
        } else if let Some(check) = numbered(JumpTable::PREFIX, body.jump_tables.len()) {
            check?;
            self.bump();
            self.expect(&TokenKind::Equals)?;
            let default = self.block_use(body)?;
            self.expect(&TokenKind::Comma)?;
            self.expect(&TokenKind::LeftBracket)?;
            let mut entries = Vec::new();
            if !self.eat(&TokenKind::RightBracket) {
                loop {
                    entries.push(self.block_use(body)?);
                    if self.eat(&TokenKind::RightBracket) {
                        break;
                    }
                    self.expect(&TokenKind::Comma)?;
                }
            }
            body.jump_tables.push(JumpTableData { default, entries });
        } else if let Some(check) = numbered(StackSlot::PREFIX, body.stack_slots.len()) {
            check?;
            self.bump();
            self.expect(&TokenKind::Equals)?;
            self.keyword("stack_slot")?;
            let (size, position) = self.integer("a slot size")?;
            let size =
                u32::try_from(size).map_err(|_| position.error(format!("stack slot size {size} is out of range")))?;
            body.stack_slots.push(StackSlotData { size });
        } else {
            return Err(self.expected("a declaration (`sigN`, `fnN`, `jtN`, `ssN`) or a block header"));
        }
        self.expect_line_end()
    }

    fn block_header(&mut self, body: &mut FunctionBody) -> Result<(), ParseError> {
        let (number, position) = self.entity(Block::PREFIX, true)?;
        let mut params = Vec::new();
        if self.eat(&TokenKind::LeftParen) {
            loop {
                let (value, value_position) = self.value()?;
                self.expect(&TokenKind::Colon)?;
                params.push((value, self.type_()?, value_position));
                if self.eat(&TokenKind::RightParen) {
                    break;
                }
                self.expect(&TokenKind::Comma)?;
            }
        }
        self.expect(&TokenKind::Colon)?;
        self.expect_line_end()?;
        body.blocks.push(ParsedBlock { block: Block(number), position, params, insts: Vec::new() });
        Ok(())
    }

    fn instruction(&mut self, body: &mut FunctionBody) -> Result<(), ParseError> {
        let mut results = Vec::new();
        if self.peek_kind().and_then(|k| entity_number(k, Value::PREFIX)).is_some() {
            loop {
                results.push(self.value()?);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::Equals)?;
        }
        let (name, opcode_position) = self.ident("an opcode")?;
        let opcode =
            Opcode::from_name(name).ok_or_else(|| opcode_position.error(format!("unknown opcode `{name}`")))?;
        let suffix = if self.eat(&TokenKind::Dot) { Some(self.type_()?) } else { None };
        let data = self.operands(opcode, suffix, body)?;
        self.expect_line_end()?;
        let result_types = match (suffix, results.len()) {
            (Some(ty), 1) => vec![ty],
            (Some(ty), count) => {
                return Err(
                    opcode_position.error(format!("the `.{ty}` suffix needs exactly one result, found {count}"))
                );
            }
            (None, 0) => Vec::new(),
            (None, count) => {
                let signature = match &data {
                    InstructionData::Call { func_ref, .. } => body.ext_funcs.get(func_ref.index()).map(|f| f.signature),
                    InstructionData::CallIndirect { sig_ref, .. } => Some(*sig_ref),
                    _ => None,
                };
                let returns = signature.and_then(|s| body.signatures.get(s.index())).map(|s| s.returns.clone());
                match returns {
                    Some(returns) if returns.len() == count => returns,
                    Some(returns) => {
                        return Err(opcode_position.error(format!(
                            "the signature returns {} values, but {count} results are named",
                            returns.len()
                        )));
                    }
                    None => {
                        return Err(opcode_position.error(format!("expected a result type suffix like `{name}.i32`")));
                    }
                }
            }
        };
        let index = body.insts.len();
        body.insts.push(ParsedInst { results, result_types, data });
        if let Some(block) = body.blocks.last_mut() {
            block.insts.push(index);
        }
        Ok(())
    }

    /// A value operand, recorded as a use.
    fn value_use(&mut self, body: &mut FunctionBody) -> Result<Value, ParseError> {
        let (value, position) = self.value()?;
        body.value_uses.push((value, position));
        Ok(value)
    }

    /// `v1, v2` (after which `,` was already consumed by the caller's form).
    fn comma_value(&mut self, body: &mut FunctionBody) -> Result<Value, ParseError> {
        self.expect(&TokenKind::Comma)?;
        self.value_use(body)
    }

    /// A block reference, recorded as a use.
    fn block_use(&mut self, body: &mut FunctionBody) -> Result<Block, ParseError> {
        let (number, position) = self.entity(Block::PREFIX, true)?;
        body.block_uses.push((Block(number), position));
        Ok(Block(number))
    }

    /// Values up to and including `)`; the `(` is already consumed.
    fn values_in_parens(&mut self, body: &mut FunctionBody) -> Result<Vec<Value>, ParseError> {
        let mut values = Vec::new();
        if self.eat(&TokenKind::RightParen) {
            return Ok(values);
        }
        loop {
            values.push(self.value_use(body)?);
            if self.eat(&TokenKind::RightParen) {
                return Ok(values);
            }
            self.expect(&TokenKind::Comma)?;
        }
    }

    fn block_call(&mut self, body: &mut FunctionBody) -> Result<BlockCall, ParseError> {
        let block = self.block_use(body)?;
        let args = if self.on_same_line() && self.eat(&TokenKind::LeftParen) {
            self.values_in_parens(body)?
        } else {
            Vec::new()
        };
        Ok(BlockCall::new(block, args))
    }

    /// A declared entity reference (`sigN`, `fnN`, `jtN`, `ssN`).
    fn declared(&mut self, prefix: &str, count: usize) -> Result<u32, ParseError> {
        let (number, position) = self.entity(prefix, false)?;
        if number as usize >= count {
            return Err(position.error(format!("undefined {prefix}{number}")));
        }
        Ok(number)
    }

    fn sig_ref(&mut self, body: &FunctionBody) -> Result<SigRef, ParseError> {
        self.declared(SigRef::PREFIX, body.signatures.len()).map(SigRef)
    }

    /// An optional memory offset `+N` / `-N` right after an operand.
    fn offset(&mut self) -> Result<i32, ParseError> {
        match self.peek() {
            Some(Token { kind: TokenKind::Integer { value, signed: true }, position }) if self.on_same_line() => {
                self.bump();
                i32::try_from(*value).map_err(|_| position.error(format!("offset {value} is out of the i32 range")))
            }
            _ => Ok(0),
        }
    }

    fn trap_code(&mut self) -> Result<TrapCode, ParseError> {
        let (name, position) = self.ident("a trap code")?;
        TrapCode::from_name(name).ok_or_else(|| position.error(format!("unknown trap code `{name}`")))
    }

    /// The operands of `opcode`, after the opcode and its suffix.
    fn operands(
        &mut self,
        opcode: Opcode,
        suffix: Option<Type>,
        body: &mut FunctionBody,
    ) -> Result<InstructionData, ParseError> {
        Ok(match opcode.format() {
            InstructionFormat::UnaryImm => {
                let (value, position) = self.integer("an integer immediate")?;
                InstructionData::UnaryImm { opcode, imm: iconst_immediate(value, suffix, position)? }
            }
            InstructionFormat::Unary => InstructionData::Unary { opcode, arg: self.value_use(body)? },
            InstructionFormat::Binary => {
                let a = self.value_use(body)?;
                InstructionData::Binary { opcode, args: [a, self.comma_value(body)?] }
            }
            InstructionFormat::BinaryImm => {
                let arg = self.value_use(body)?;
                self.expect(&TokenKind::Comma)?;
                let (value, position) = self.integer("an integer immediate")?;
                let imm = i64::try_from(value)
                    .map_err(|_| position.error(format!("immediate {value} is out of the i64 range")))?;
                InstructionData::BinaryImm { opcode, arg, imm }
            }
            InstructionFormat::IntCompare => {
                let (name, position) = self.ident("a condition code")?;
                let cond =
                    IntCC::from_name(name).ok_or_else(|| position.error(format!("unknown condition code `{name}`")))?;
                let a = self.value_use(body)?;
                InstructionData::IntCompare { opcode, cond, args: [a, self.comma_value(body)?] }
            }
            InstructionFormat::FloatCompare => {
                let (name, position) = self.ident("a float condition code")?;
                let cond = FloatCC::from_name(name)
                    .ok_or_else(|| position.error(format!("unknown float condition code `{name}`")))?;
                let a = self.value_use(body)?;
                InstructionData::FloatCompare { opcode, cond, args: [a, self.comma_value(body)?] }
            }
            InstructionFormat::Ternary => {
                let a = self.value_use(body)?;
                let b = self.comma_value(body)?;
                InstructionData::Ternary { opcode, args: [a, b, self.comma_value(body)?] }
            }
            InstructionFormat::Load => {
                let arg = self.value_use(body)?;
                InstructionData::Load { opcode, arg, offset: self.offset()? }
            }
            InstructionFormat::Store => {
                let value = self.value_use(body)?;
                let address = self.comma_value(body)?;
                InstructionData::Store { opcode, args: [value, address], offset: self.offset()? }
            }
            InstructionFormat::StackAddr => {
                let slot = StackSlot(self.declared(StackSlot::PREFIX, body.stack_slots.len())?);
                InstructionData::StackAddr { opcode, slot, offset: self.offset()? }
            }
            InstructionFormat::Jump => InstructionData::Jump { opcode, destination: self.block_call(body)? },
            InstructionFormat::Brif => {
                let arg = self.value_use(body)?;
                self.expect(&TokenKind::Comma)?;
                let then = self.block_call(body)?;
                self.expect(&TokenKind::Comma)?;
                InstructionData::Brif { opcode, arg, blocks: [then, self.block_call(body)?] }
            }
            InstructionFormat::BranchTable => {
                let arg = self.value_use(body)?;
                self.expect(&TokenKind::Comma)?;
                let table = JumpTable(self.declared(JumpTable::PREFIX, body.jump_tables.len())?);
                InstructionData::BranchTable { opcode, arg, table }
            }
            InstructionFormat::Return => {
                let mut args = Vec::new();
                if self.on_same_line() {
                    args.push(self.value_use(body)?);
                    while self.eat(&TokenKind::Comma) {
                        args.push(self.value_use(body)?);
                    }
                }
                InstructionData::Return { opcode, args }
            }
            InstructionFormat::Trap => InstructionData::Trap { opcode, code: self.trap_code()? },
            InstructionFormat::CondTrap => {
                let arg = self.value_use(body)?;
                self.expect(&TokenKind::Comma)?;
                InstructionData::CondTrap { opcode, arg, code: self.trap_code()? }
            }
            InstructionFormat::Call => {
                let func_ref = FuncRef(self.declared(FuncRef::PREFIX, body.ext_funcs.len())?);
                self.expect(&TokenKind::LeftParen)?;
                InstructionData::Call { opcode, func_ref, args: self.values_in_parens(body)? }
            }
            InstructionFormat::CallIndirect => {
                let sig_ref = self.sig_ref(body)?;
                let callee = self.comma_value(body)?;
                self.expect(&TokenKind::LeftParen)?;
                InstructionData::CallIndirect { opcode, sig_ref, callee, args: self.values_in_parens(body)? }
            }
        })
    }
}

/// The DFG form of an `iconst` immediate written as `value`: zero-extended
/// to the width of `ty`. Both the signed and the unsigned reading of the
/// width are accepted.
fn iconst_immediate(value: i128, ty: Option<Type>, position: Position) -> Result<i64, ParseError> {
    let bits = ty.map_or(64, Type::bits);
    let (min, max) = (-(1i128 << (bits - 1)), (1i128 << bits) - 1);
    if !(min..=max).contains(&value) {
        let width = ty.map_or_else(|| "i64".to_string(), |t| t.to_string());
        return Err(position.error(format!("immediate {value} does not fit {width}")));
    }
    let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    Ok(((value as u64) & mask) as i64)
}
