//! Tokens of the `$filter` / `$orderby` / `$select` expression language (`spec/personium-api.md`
//! §8.3), following the tokenizer of personium-core's `PersoniumExpressionParser`: words start
//! with a letter or `_` and go on with letters, digits, `_`, `-` and `/`; strings are
//! single-quoted with `''` for a quote; `-` directly before a digit starts a number.
//!
//! Literals are turned into typed [`Value`]s here; `null`, `true` and `false` are literals.

use super::datetime::{parse_datetime, parse_datetimeoffset};
use crate::odata::edm::Value;

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    LParen,
    RParen,
    Comma,
    /// A property name, a keyword (`and`, `eq`, `asc` ...) or a function name.
    Ident(String),
    Lit(Value),
}

/// A token and whether whitespace came right before it (binary operators need it on both sides).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub ws_before: bool,
}

/// Splits `input` into tokens; the error text says what and where.
pub(crate) fn lex(input: &str) -> Result<Vec<Token>, String> {
    let mut lx = Lexer {
        chars: input.char_indices().peekable(),
        src: input,
        out: Vec::new(),
    };
    lx.run()?;
    Ok(lx.out)
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    src: &'a str,
    out: Vec<Token>,
}

fn ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn ident_continue(c: char) -> bool {
    // COMPAT(personium): its tokenizer has no `.` in words, so `_Box.Name` cannot be filtered on
    // there; we take `.` too, because the cell control objects have dotted key properties.
    c.is_alphanumeric() || matches!(c, '_' | '-' | '/' | '.')
}

impl Lexer<'_> {
    fn run(&mut self) -> Result<(), String> {
        let mut ws = false;
        while let Some(&(at, c)) = self.chars.peek() {
            if c.is_whitespace() {
                self.chars.next();
                ws = true;
                continue;
            }
            let tok = self.token(at, c)?;
            self.out.push(Token { tok, ws_before: ws });
            ws = false;
        }
        Ok(())
    }

    fn token(&mut self, at: usize, c: char) -> Result<Tok, String> {
        match c {
            '(' | ')' | ',' => {
                self.chars.next();
                Ok(match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    _ => Tok::Comma,
                })
            }
            '\'' => self.string(at).map(|s| Tok::Lit(Value::String(s))),
            c if c.is_ascii_digit() => self.number(at),
            '-' if self.src[at + 1..].starts_with(|d: char| d.is_ascii_digit()) => self.number(at),
            c if ident_start(c) => self.word(at),
            other => Err(format!("unexpected character {other:?} at {at}")),
        }
    }

    /// A quoted string starting at the quote at `at`; `''` stands for one quote.
    fn string(&mut self, at: usize) -> Result<String, String> {
        self.chars.next();
        let mut s = String::new();
        loop {
            match self.chars.next() {
                None => return Err(format!("unterminated string starting at {at}")),
                Some((_, '\'')) => {
                    if self.chars.next_if(|&(_, c)| c == '\'').is_none() {
                        return Ok(s);
                    }
                    s.push('\'');
                }
                Some((_, c)) => s.push(c),
            }
        }
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> usize {
        let mut end = self.src.len();
        while let Some(&(i, c)) = self.chars.peek() {
            if !f(c) {
                end = i;
                break;
            }
            self.chars.next();
        }
        end
    }

    /// A word, or a typed literal when a quote follows directly (`datetime'…'`).
    fn word(&mut self, at: usize) -> Result<Tok, String> {
        let end = self.take_while(ident_continue);
        let word = &self.src[at..end];
        if self.chars.peek().is_some_and(|&(_, c)| c == '\'') {
            let body = self.string(end)?;
            return typed_literal(word, &body).map(Tok::Lit);
        }
        Ok(match word {
            "null" => Tok::Lit(Value::Null),
            "true" => Tok::Lit(Value::Boolean(true)),
            "false" => Tok::Lit(Value::Boolean(false)),
            _ => Tok::Ident(word.to_owned()),
        })
    }

    /// `-?digits[.digits][(e|E)[+-]digits][L|l|d|D|f|F|m|M]`.
    fn number(&mut self, at: usize) -> Result<Tok, String> {
        self.chars.next_if(|&(_, c)| c == '-');
        self.digits();
        let mut is_int = true;
        if self.chars.peek().is_some_and(|&(_, c)| c == '.') {
            self.chars.next();
            if self.digits() == 0 {
                return Err(format!("digits expected after '.' in number at {at}"));
            }
            is_int = false;
        }
        if self.exponent()? {
            is_int = false;
        }
        let end = self.chars.peek().map_or(self.src.len(), |&(i, _)| i);
        let text = &self.src[at..end];
        let suffix = self.chars.next_if(|&(_, c)| c.is_ascii_alphabetic());
        if self.chars.peek().is_some_and(|&(_, c)| ident_continue(c)) {
            return Err(format!("malformed number at {at}"));
        }
        number_value(text, is_int, suffix.map(|(_, c)| c))
            .map(Tok::Lit)
            .ok_or_else(|| format!("invalid number {} at {at}", &self.src[at..]))
    }

    /// Reads ASCII digits; returns how many.
    fn digits(&mut self) -> usize {
        let mut n = 0;
        while self.chars.next_if(|&(_, c)| c.is_ascii_digit()).is_some() {
            n += 1;
        }
        n
    }

    /// An optional exponent; true when one was read.
    fn exponent(&mut self) -> Result<bool, String> {
        let rest = self.chars.peek().map_or("", |&(i, _)| &self.src[i..]);
        let mut it = rest.chars();
        if !matches!(it.next(), Some('e' | 'E')) {
            return Ok(false);
        }
        let after = it.as_str();
        let digits = after.strip_prefix(['+', '-']).unwrap_or(after);
        if !digits.starts_with(|c: char| c.is_ascii_digit()) {
            // `1E` followed by something else: leave it to the suffix / malformed check.
            return Ok(false);
        }
        self.chars.next();
        self.chars.next_if(|&(_, c)| c == '+' || c == '-');
        self.digits();
        Ok(true)
    }
}

/// The value of a numeric literal with its optional type suffix.
fn number_value(text: &str, is_int: bool, suffix: Option<char>) -> Option<Value> {
    match suffix {
        None if is_int => match text.parse::<i32>() {
            Ok(v) => Some(Value::Int32(v)),
            Err(_) => text.parse::<i64>().ok().map(Value::Int64),
        },
        None | Some('d' | 'D') => finite_f64(text).map(Value::Double),
        Some('L' | 'l') if is_int => text.parse::<i64>().ok().map(Value::Int64),
        Some('f' | 'F') => text
            .parse::<f32>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Value::Single),
        // Edm.Decimal has no column type here; compare it as a double.
        Some('m' | 'M') => finite_f64(text).map(Value::Double),
        Some(_) => None,
    }
}

fn finite_f64(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `datetime'…'`, `datetimeoffset'…'`, `decimal'…'`.
fn typed_literal(prefix: &str, body: &str) -> Result<Value, String> {
    let value = match prefix {
        "datetime" => parse_datetime(body).map(Value::DateTime),
        "datetimeoffset" => parse_datetimeoffset(body).map(Value::DateTime),
        "decimal" => finite_f64(body).map(Value::Double),
        // COMPAT(personium): odata4j also parses time'', guid'', binary'' and X'' literals, which
        // no Personium property type accepts afterwards (400 either way).
        _ => return Err(format!("unsupported literal type {prefix}'…'")),
    };
    value.ok_or_else(|| format!("invalid {prefix} literal '{body}'"))
}
