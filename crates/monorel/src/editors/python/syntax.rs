//! Statements and values: assignments, tuples, string literals, brackets, over the tokens of
//! one simple statement.

use std::ops::Range;

use super::lexer::{Kind, Token};
use super::{Scanner, Stmt};

/// An assignment `a = b = value` or `a: T = value`.
#[derive(Debug)]
pub(super) struct Assign<'m> {
    /// The names assigned, in order.
    pub(super) targets: Vec<&'m str>,
    /// The tokens of the value, never empty.
    pub(super) value: &'m [Token],
}

/// What an assigned value is.
#[derive(Debug)]
pub(super) enum Value<'m> {
    /// A plain string literal (no f-string, bytes, escapes or line breaks).
    Str(&'m Token),
    /// A string that is not plain, and why.
    NotPlain(&'static str),
    /// Exactly three integers; the range is the text between the parentheses.
    IntTuple(Range<usize>),
    /// Three integers, a release level and a serial, as Django writes its `VERSION`.
    ReleaseTuple(Range<usize>),
    /// Any other tuple.
    Tuple,
    /// A bare name.
    Name(&'m str),
    /// Anything else: a call, an attribute, an operation.
    Expr,
}

impl<'m> Scanner<'m> {
    /// Parses `a = b = value` and `a: T = value` (names only as targets).
    pub(super) fn assignment(&self, stmt: &Stmt<'m>) -> Option<Assign<'m>> {
        let t = stmt.tokens;
        let name = |i: usize| t.get(i).filter(|t| t.kind == Kind::Name).map(|t| self.src(t));
        if let (Some(target), Some(colon)) = (name(0), t.get(1)) {
            if self.is_op(colon, ":") {
                let eq = self.top_level(&t[2..], "=")? + 2;
                let value = &t[eq + 1..];
                return (!value.is_empty()).then(|| Assign { targets: vec![target], value });
            }
        }
        let mut targets = Vec::new();
        let mut i = 0;
        while let (Some(target), Some(eq)) = (name(i), t.get(i + 1)) {
            if !self.is_op(eq, "=") {
                break;
            }
            targets.push(target);
            i += 2;
        }
        let value = &t[i..];
        (!targets.is_empty() && !value.is_empty()).then_some(Assign { targets, value })
    }

    /// Index of the first `op` at bracket depth 0 in `tokens`.
    pub(super) fn top_level(&self, tokens: &[Token], op: &str) -> Option<usize> {
        self.split_top(tokens, op).first().map(|part| part.len()).filter(|&n| n < tokens.len())
    }

    /// Splits `tokens` at every `sep` at bracket depth 0.
    pub(super) fn split_top<'t>(&self, tokens: &'t [Token], sep: &str) -> Vec<&'t [Token]> {
        let mut parts = Vec::new();
        let (mut depth, mut start) = (0usize, 0);
        for (i, t) in tokens.iter().enumerate() {
            if t.kind != Kind::Op {
                continue;
            }
            match self.src(t) {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth = depth.saturating_sub(1),
                s if s == sep && depth == 0 => {
                    parts.push(&tokens[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&tokens[start..]);
        parts
    }

    /// Tells what an assigned value is.
    pub(super) fn classify(&self, tokens: &'m [Token]) -> Value<'m> {
        let n = tokens.len();
        if n >= 2 && self.is_op(&tokens[0], "(") && self.closing(tokens) == Some(n - 1) {
            let inner = &tokens[1..n - 1];
            if inner.is_empty() || self.split_top(inner, ",").len() > 1 {
                return self.tuple(inner, tokens[0].range.end..tokens[n - 1].range.start);
            }
            return self.classify(inner);
        }
        if self.split_top(tokens, ",").len() > 1 {
            return self.tuple(tokens, tokens[0].range.start..tokens[n - 1].range.end);
        }
        if tokens.iter().all(|t| t.kind == Kind::Str) {
            if n > 1 {
                return Value::NotPlain("implicitly concatenated strings");
            }
            let literal = tokens[0].string.as_ref();
            let prefix = literal.map_or("", |s| s.prefix.as_str());
            let content = self.content(&tokens[0]);
            return match () {
                _ if prefix.contains('f') || prefix.contains('t') => Value::NotPlain("an f-string"),
                _ if prefix.contains('b') => Value::NotPlain("a bytes literal"),
                _ if content.contains('\\') => Value::NotPlain("a string with escapes"),
                _ if content.contains(['\n', '\r']) => Value::NotPlain("a multi-line string"),
                _ => Value::Str(&tokens[0]),
            };
        }
        match &tokens[0] {
            t if n == 1
                && t.kind == Kind::Name
                && !matches!(self.src(t), "None" | "True" | "False") =>
            {
                Value::Name(self.src(t))
            }
            _ => Value::Expr,
        }
    }

    /// Index of the bracket that closes `tokens[0]`.
    pub(super) fn closing(&self, tokens: &[Token]) -> Option<usize> {
        let mut depth = 0usize;
        for (i, t) in tokens.iter().enumerate() {
            match self.src(t) {
                "(" | "[" | "{" if t.kind == Kind::Op => depth += 1,
                ")" | "]" | "}" if t.kind == Kind::Op => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// A tuple's elements: three plain integers make [`Value::IntTuple`] over `range`.
    pub(super) fn tuple(&self, elements: &[Token], range: Range<usize>) -> Value<'m> {
        let mut parts = self.split_top(elements, ",");
        if parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        let integer = |p: &&[Token]| {
            p.len() == 1
                && p[0].kind == Kind::Number
                && self.src(&p[0]).bytes().all(|b| b.is_ascii_digit())
        };
        let commented = self.module.comments.iter().any(|c| range.contains(&c.start));
        let level = |p: &&[Token]| {
            p.len() == 1
                && p[0].kind == Kind::Str
                && matches!(
                    self.src(&p[0]).trim_matches(['"', '\'']),
                    "alpha" | "beta" | "rc" | "final"
                )
        };
        if parts.len() == 3 && parts.iter().all(integer) && !commented {
            Value::IntTuple(range)
        } else if parts.len() == 5
            && parts[..3].iter().all(integer)
            && level(&parts[3])
            && integer(&parts[4])
            && !commented
        {
            Value::ReleaseTuple(range)
        } else {
            Value::Tuple
        }
    }
}
