//! `$filter` (`spec/personium-api.md` §8.3): a lexer and a recursive-descent parser to an AST.
//!
//! Grammar, loosest binding first (keywords are case-sensitive, binary operators need whitespace
//! on both sides, as in personium-core):
//! ```text
//! filter     = or
//! or         = and *( "or" and )
//! and        = unary *( "and" unary )
//! unary      = "not" unary / comparison
//! comparison = primary [ ("eq" / "ne" / "gt" / "ge" / "lt" / "le") primary ]
//! primary    = "(" or ")" / call / literal / property
//! call       = ("startswith" / "substringof") "(" or "," or ")"
//! ```
//! Which operand may stand where (property on the left, literal on the right) depends on the
//! property types and is checked when compiling to SQL (`odata::sql`), as Personium checks it when
//! it builds its search query. String literals keep their text as written (after `''` → `'`);
//! Personium's backslash unescaping happens at compile time too.

pub(crate) mod datetime;
pub(crate) mod lexer;
#[cfg(test)]
mod tests;

use self::lexer::{Tok, Token};
use crate::odata::edm::Value;
use crate::odata::error::QueryError;

/// Longest `$filter` accepted, in bytes after percent-decoding.
pub const MAX_FILTER_LEN: usize = 8 * 1024;
/// Deepest nesting of parentheses, `not` and function calls.
pub const MAX_DEPTH: usize = 100;

/// A boolean `$filter` expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    // COMPAT(personium): personium-core rejects `not` with PR400-OD-0043; our issue supports it.
    Not(Box<Expr>),
    Compare {
        op: CompareOp,
        left: Operand,
        right: Operand,
    },
    /// `startswith(property,'prefix')`.
    StartsWith {
        property: String,
        prefix: String,
    },
    /// `substringof('needle',property)`.
    SubstringOf {
        needle: String,
        property: String,
    },
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    fn from_keyword(word: &str) -> Option<CompareOp> {
        Some(match word {
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            _ => return None,
        })
    }

    /// True for `gt`, `ge`, `lt`, `le`.
    pub fn is_ordering(self) -> bool {
        !matches!(self, CompareOp::Eq | CompareOp::Ne)
    }
}

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Property(String),
    Literal(Value),
}

/// The arithmetic operators of OData, all refused with PR400-OD-0043.
const ARITHMETIC: [&str; 5] = ["add", "sub", "mul", "div", "mod"];

/// The functions odata4j knows besides the two we support; refused with PR400-OD-0044.
const OTHER_FUNCTIONS: [&str; 20] = [
    "cast",
    "isof",
    "endswith",
    "indexof",
    "replace",
    "tolower",
    "toupper",
    "trim",
    "substring",
    "concat",
    "length",
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "round",
    "floor",
    "ceiling",
];

/// Parses a percent-decoded `$filter` value.
pub fn parse_filter(input: &str) -> Result<Expr, QueryError> {
    if input.len() > MAX_FILTER_LEN {
        return Err(syntax(format!("longer than {MAX_FILTER_LEN} bytes")));
    }
    let tokens = lexer::lex(input).map_err(QueryError::FilterSyntax)?;
    if tokens.is_empty() {
        return Err(syntax("empty expression".to_owned()));
    }
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let node = p.or()?;
    if let Some(t) = p.peek() {
        return Err(syntax(format!("unexpected {}", describe(&t.tok))));
    }
    match node {
        Node::Bool(e) => Ok(e),
        // COMPAT(personium): a filter that is a single value is refused as an unsupported operator.
        Node::Operand(_) => Err(QueryError::UnsupportedOperator(
            "$filter is not a boolean expression".to_owned(),
        )),
    }
}

fn syntax(msg: String) -> QueryError {
    QueryError::FilterSyntax(msg)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::LParen => "'('".to_owned(),
        Tok::RParen => "')'".to_owned(),
        Tok::Comma => "','".to_owned(),
        Tok::Ident(w) => format!("'{w}'"),
        Tok::Lit(v) => format!("literal {v:?}"),
    }
}

/// A parsed piece: a boolean expression or a value operand.
enum Node {
    Bool(Expr),
    Operand(Operand),
}

impl Node {
    fn into_bool(self, context: &str) -> Result<Expr, QueryError> {
        match self {
            Node::Bool(e) => Ok(e),
            Node::Operand(_) => Err(syntax(format!("operand of {context} is not a condition"))),
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_at(&self, offset: usize) -> Option<&Token> {
        self.tokens.get(self.pos + offset)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += usize::from(t.is_some());
        t
    }

    /// The keyword at the cursor, if it is an identifier.
    fn peek_word(&self) -> Option<&str> {
        match self.peek() {
            Some(Token {
                tok: Tok::Ident(w), ..
            }) => Some(w),
            _ => None,
        }
    }

    /// Consumes the binary keyword `word` if it is next; it needs whitespace on both sides.
    fn eat_binary(&mut self, word: &str) -> Result<bool, QueryError> {
        if self.peek_word() != Some(word) {
            return Ok(false);
        }
        let spaced_before = self.peek().is_some_and(|t| t.ws_before);
        let spaced_after = self.peek_at(1).is_some_and(|t| t.ws_before);
        if !spaced_before || !spaced_after {
            return Err(syntax(format!("'{word}' needs whitespace on both sides")));
        }
        self.pos += 1;
        Ok(true)
    }

    fn enter(&mut self) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(syntax(format!("nested deeper than {MAX_DEPTH}")));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Node, QueryError> {
        let mut left = self.and()?;
        while self.eat_binary("or")? {
            let right = self.and()?.into_bool("'or'")?;
            left = Node::Bool(Expr::Or(Box::new(left.into_bool("'or'")?), Box::new(right)));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Node, QueryError> {
        let mut left = self.unary()?;
        while self.eat_binary("and")? {
            let right = self.unary()?.into_bool("'and'")?;
            left = Node::Bool(Expr::And(
                Box::new(left.into_bool("'and'")?),
                Box::new(right),
            ));
        }
        Ok(left)
    }

    /// `not` is an operator unless a binary keyword follows it (then it names a property).
    fn is_not_operator(&self) -> bool {
        if self.peek_word() != Some("not") {
            return false;
        }
        match self.peek_at(1) {
            Some(Token {
                tok: Tok::Ident(w), ..
            }) => !is_binary_keyword(w),
            Some(Token {
                tok: Tok::LParen, ..
            }) => true,
            Some(t) => t.ws_before,
            None => false,
        }
    }

    fn unary(&mut self) -> Result<Node, QueryError> {
        if !self.is_not_operator() {
            return self.comparison();
        }
        self.pos += 1;
        self.enter()?;
        let inner = self.unary()?.into_bool("'not'")?;
        self.depth -= 1;
        Ok(Node::Bool(Expr::Not(Box::new(inner))))
    }

    /// Refuses an arithmetic operator at the cursor.
    fn no_arithmetic(&self) -> Result<(), QueryError> {
        match self.peek_word() {
            Some(w) if ARITHMETIC.contains(&w) => {
                Err(QueryError::UnsupportedOperator(w.to_owned()))
            }
            _ => Ok(()),
        }
    }

    fn comparison(&mut self) -> Result<Node, QueryError> {
        let left = self.primary()?;
        self.no_arithmetic()?;
        let Some(word) = self.peek_word().map(str::to_owned) else {
            return Ok(left);
        };
        let Some(op) = CompareOp::from_keyword(&word) else {
            return Ok(left);
        };
        self.eat_binary(&word)?;
        let right = self.primary()?;
        self.no_arithmetic()?;
        match (left, right) {
            (Node::Operand(left), Node::Operand(right)) => {
                Ok(Node::Bool(Expr::Compare { op, left, right }))
            }
            _ => Err(syntax(format!("'{word}' compares values, not conditions"))),
        }
    }

    fn primary(&mut self) -> Result<Node, QueryError> {
        let Some(token) = self.next() else {
            return Err(syntax("unexpected end of expression".to_owned()));
        };
        match token.tok {
            Tok::LParen => {
                self.enter()?;
                let inner = self.or()?;
                self.expect_rparen()?;
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Ident(name) if matches!(self.peek().map(|t| &t.tok), Some(Tok::LParen)) => {
                self.call(name)
            }
            Tok::Ident(name) => Ok(Node::Operand(Operand::Property(name))),
            Tok::Lit(v) => Ok(Node::Operand(Operand::Literal(v))),
            other => Err(syntax(format!("unexpected {}", describe(&other)))),
        }
    }

    fn expect_rparen(&mut self) -> Result<(), QueryError> {
        match self.next().map(|t| t.tok) {
            Some(Tok::RParen) => Ok(()),
            Some(other) => Err(syntax(format!("expected ')', found {}", describe(&other)))),
            None => Err(syntax("missing ')'".to_owned())),
        }
    }

    /// A function call; the cursor is on its `(`.
    fn call(&mut self, name: String) -> Result<Node, QueryError> {
        if OTHER_FUNCTIONS.contains(&name.as_str()) {
            return Err(QueryError::UnsupportedFunction(name));
        }
        if name != "startswith" && name != "substringof" {
            return Err(syntax(format!("unknown function '{name}'")));
        }
        self.pos += 1;
        self.enter()?;
        let args = self.arguments()?;
        self.depth -= 1;
        let [first, second] = <[Node; 2]>::try_from(args)
            .map_err(|a| syntax(format!("{name} takes 2 arguments, got {}", a.len())))?;
        let expr = if name == "startswith" {
            let property = property_arg(first, &name)?;
            let prefix = string_arg(second, &property)?;
            Expr::StartsWith { property, prefix }
        } else {
            let property = property_arg(second, &name)?;
            let needle = string_arg(first, &property)?;
            Expr::SubstringOf { needle, property }
        };
        Ok(Node::Bool(expr))
    }

    /// Comma-separated arguments up to and including the closing `)`.
    fn arguments(&mut self) -> Result<Vec<Node>, QueryError> {
        let mut args = Vec::new();
        if matches!(self.peek().map(|t| &t.tok), Some(Tok::RParen)) {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            args.push(self.or()?);
            match self.next().map(|t| t.tok) {
                Some(Tok::Comma) => continue,
                Some(Tok::RParen) => return Ok(args),
                Some(other) => {
                    return Err(syntax(format!(
                        "expected ',' or ')', found {}",
                        describe(&other)
                    )))
                }
                None => return Err(syntax("missing ')'".to_owned())),
            }
        }
    }
}

fn is_binary_keyword(word: &str) -> bool {
    word == "and" || word == "or" || CompareOp::from_keyword(word).is_some()
}

/// The property a function works on; anything else there is a syntax error in Personium.
fn property_arg(node: Node, function: &str) -> Result<String, QueryError> {
    match node {
        Node::Operand(Operand::Property(p)) => Ok(p),
        _ => Err(syntax(format!("{function} needs a property to search"))),
    }
}

/// The string a function searches for; another operand is a type mismatch on `property`.
fn string_arg(node: Node, property: &str) -> Result<String, QueryError> {
    // COMPAT(personium): it reports an unknown property (0045) before a non-string argument
    // (0046); the parser cannot know the properties, so a non-string argument wins here.
    match node {
        Node::Operand(Operand::Literal(Value::String(s))) => Ok(s),
        _ => Err(QueryError::OperandTypeMismatch(property.to_owned())),
    }
}
