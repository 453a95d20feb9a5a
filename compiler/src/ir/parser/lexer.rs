//! Tokens of the IR text form.
//!
//! Part of the IR text parser (`ir/parser`): the first step, text to tokens.
//! Every token carries its line and column for error messages. `;` starts a
//! comment that runs to the end of the line. Line structure is kept through
//! the positions: the parser asks whether the next token is on a later line.

use super::ParseError;
use std::fmt;

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// `[A-Za-z_][A-Za-z0-9_]*`: keywords, opcodes, types, entities.
    Ident(String),
    /// A decimal integer, or a hexadecimal one written `0x...`; `signed`
    /// says whether it was written with an explicit `+` or `-` (memory
    /// offsets must be).
    Integer {
        value: i128,
        signed: bool,
    },
    /// A function name after `%`, unquoted or quoted.
    Name(String),
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    LeftBrace,
    RightBrace,
    Comma,
    Colon,
    Equals,
    Dot,
    Arrow,
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenKind::Ident(name) => write!(f, "`{name}`"),
            TokenKind::Integer { value, signed: true } if *value >= 0 => write!(f, "`+{value}`"),
            TokenKind::Integer { value, .. } => write!(f, "`{value}`"),
            TokenKind::Name(name) => write!(f, "`%{name}`"),
            TokenKind::LeftParen => f.write_str("`(`"),
            TokenKind::RightParen => f.write_str("`)`"),
            TokenKind::LeftBracket => f.write_str("`[`"),
            TokenKind::RightBracket => f.write_str("`]`"),
            TokenKind::LeftBrace => f.write_str("`{`"),
            TokenKind::RightBrace => f.write_str("`}`"),
            TokenKind::Comma => f.write_str("`,`"),
            TokenKind::Colon => f.write_str("`:`"),
            TokenKind::Equals => f.write_str("`=`"),
            TokenKind::Dot => f.write_str("`.`"),
            TokenKind::Arrow => f.write_str("`->`"),
        }
    }
}

/// A line and column, both counted from 1 (columns in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// An error at this position.
    pub fn error(self, message: impl Into<String>) -> ParseError {
        ParseError { line: self.line, column: self.column, message: message.into() }
    }
}

/// A token and where it starts.
#[derive(Clone, Debug)]
pub(super) struct Token {
    pub kind: TokenKind,
    pub position: Position,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    position: Position,
}

impl Lexer<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.position.line += 1;
            self.position.column = 1;
        } else {
            self.position.column += 1;
        }
        Some(c)
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let mut text = String::new();
        while let Some(c) = self.peek().filter(|&c| keep(c)) {
            text.push(c);
            self.bump();
        }
        text
    }

    /// A decimal integer, or a hexadecimal one after `0x` (`fconst` bits).
    fn integer(&mut self, start: Position, sign: Option<char>) -> Result<TokenKind, ParseError> {
        let mut digits = self.take_while(|c| c.is_ascii_digit());
        let (mut radix, mut literal_prefix) = (10, "");
        if digits == "0" && self.peek() == Some('x') {
            self.bump();
            digits = self.take_while(|c| c.is_ascii_hexdigit());
            if digits.is_empty() {
                return Err(start.error("expected hexadecimal digits after `0x`"));
            }
            (radix, literal_prefix) = (16, "0x");
        }
        let mut value: i128 = 0;
        for digit in digits.chars() {
            let digit = digit.to_digit(radix).expect("only digits of the radix were taken");
            value = value
                .checked_mul(i128::from(radix))
                .and_then(|v| v.checked_add(i128::from(digit)))
                .ok_or_else(|| start.error(format!("integer literal `{literal_prefix}{digits}` is too large")))?;
        }
        if sign == Some('-') {
            value = -value;
        }
        Ok(TokenKind::Integer { value, signed: sign.is_some() })
    }

    fn quoted_name(&mut self, start: Position) -> Result<String, ParseError> {
        let mut name = String::new();
        loop {
            let at = self.position;
            match self.bump() {
                None | Some('\n') => return Err(start.error("unterminated quoted function name")),
                Some('"') => return Ok(name),
                Some('\\') => name.push(self.escape(at)?),
                Some(c) => name.push(c),
            }
        }
    }

    /// The character after a `\` (Rust's `{:?}` escapes).
    fn escape(&mut self, at: Position) -> Result<char, ParseError> {
        match self.bump() {
            Some('n') => Ok('\n'),
            Some('t') => Ok('\t'),
            Some('r') => Ok('\r'),
            Some('0') => Ok('\0'),
            Some(c @ ('\\' | '"' | '\'')) => Ok(c),
            Some('u') if self.peek() == Some('{') => {
                self.bump();
                let hex = self.take_while(|c| c.is_ascii_hexdigit());
                if self.bump() != Some('}') {
                    return Err(at.error("expected `}` after a `\\u{` escape"));
                }
                u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| at.error(format!("invalid unicode escape `\\u{{{hex}}}`")))
            }
            _ => Err(at.error("unknown escape in quoted function name")),
        }
    }
}

/// Splits `text` into tokens.
pub(super) fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    let mut lexer = Lexer { chars: text.chars().peekable(), position: Position { line: 1, column: 1 } };
    let mut tokens = Vec::new();
    while let Some(c) = lexer.peek() {
        let start = lexer.position;
        if c.is_whitespace() {
            lexer.bump();
            continue;
        }
        if c == ';' {
            lexer.take_while(|c| c != '\n');
            continue;
        }
        let kind = if c.is_ascii_alphabetic() || c == '_' {
            TokenKind::Ident(lexer.take_while(|c| c.is_ascii_alphanumeric() || c == '_'))
        } else if c.is_ascii_digit() {
            lexer.integer(start, None)?
        } else {
            lexer.bump();
            match c {
                '(' => TokenKind::LeftParen,
                ')' => TokenKind::RightParen,
                '[' => TokenKind::LeftBracket,
                ']' => TokenKind::RightBracket,
                '{' => TokenKind::LeftBrace,
                '}' => TokenKind::RightBrace,
                ',' => TokenKind::Comma,
                ':' => TokenKind::Colon,
                '=' => TokenKind::Equals,
                '.' => TokenKind::Dot,
                '-' if lexer.peek() == Some('>') => {
                    lexer.bump();
                    TokenKind::Arrow
                }
                '+' | '-' if lexer.peek().is_some_and(|c| c.is_ascii_digit()) => lexer.integer(start, Some(c))?,
                '%' if lexer.peek() == Some('"') => {
                    lexer.bump();
                    TokenKind::Name(lexer.quoted_name(start)?)
                }
                '%' => {
                    let name = lexer.take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$'));
                    if name.is_empty() {
                        return Err(start.error("expected a function name after `%`"));
                    }
                    TokenKind::Name(name)
                }
                _ => return Err(start.error(format!("unexpected character `{c}`"))),
            }
        };
        tokens.push(Token { kind, position: start });
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokenize(text).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn offsets_and_suffixes_split() {
        use TokenKind::*;
        let ident = |s: &str| Ident(s.to_string());
        assert_eq!(
            kinds("v8 = load.i64 v9+16 ; comment\nistore8 v3, v9-4 -> 7"),
            vec![
                ident("v8"),
                Equals,
                ident("load"),
                Dot,
                ident("i64"),
                ident("v9"),
                Integer { value: 16, signed: true },
                ident("istore8"),
                ident("v3"),
                Comma,
                ident("v9"),
                Integer { value: -4, signed: true },
                Arrow,
                Integer { value: 7, signed: false },
            ]
        );
    }

    #[test]
    fn hexadecimal_integers() {
        use TokenKind::*;
        assert_eq!(
            kinds("0x3f800000 0xFFFFFFFFFFFFFFFF -0x10 0"),
            vec![
                Integer { value: 0x3f80_0000, signed: false },
                Integer { value: 0xffff_ffff_ffff_ffff, signed: false },
                Integer { value: -16, signed: true },
                Integer { value: 0, signed: false },
            ]
        );
        let error = tokenize("v0 = fconst.f32 0x").unwrap_err();
        assert_eq!(
            (error.line, error.column, error.message.as_str()),
            (1, 17, "expected hexadecimal digits after `0x`")
        );
        let error = tokenize("0x1000000000000000000000000000000000").unwrap_err();
        assert_eq!(error.message, "integer literal `0x1000000000000000000000000000000000` is too large");
    }

    #[test]
    fn positions_count_lines_and_columns() {
        let tokens = tokenize("a\n  bc d").unwrap();
        assert_eq!(tokens[1].position, Position { line: 2, column: 3 });
        assert_eq!(tokens[2].position, Position { line: 2, column: 6 });
    }

    #[test]
    fn names_unquote() {
        assert_eq!(kinds(r#"%"a b\"\u{1f600}""#), vec![TokenKind::Name("a b\"\u{1f600}".to_string())]);
        assert_eq!(kinds("%f.1$"), vec![TokenKind::Name("f.1$".to_string())]);
    }

    #[test]
    fn bad_input_is_an_error() {
        let error = tokenize("v1 = iconst.i32 #").unwrap_err();
        assert_eq!((error.line, error.column), (1, 17));
        assert!(error.message.contains("unexpected character `#`"));
        assert!(tokenize("99999999999999999999999999999999999999999").is_err());
        assert!(tokenize("%\"abc").is_err());
        assert!(tokenize("% x").is_err());
    }
}
