//! Tokens of the rule language.
//!
//! The language is made of S-expressions, so there are few token kinds:
//! parentheses, the braces of a type ascription (`iadd{i32}`), the opening
//! `$(` of an unquote, `$name` identifiers (variables and constants), integer
//! literals and bare atoms (operator names, `=>`, `when`, predicate names,
//! condition codes, `true`/`false`). Whitespace and comments separate tokens:
//! `;` starts a comment that runs to the end of the line (so the customary
//! `;;` works) and `(; … ;)` is a block comment, which may nest.

use crate::diagnostic::{Diagnostic, FileId, Span};

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `$(`: the start of an unquote.
    UnquoteOpen,
    /// `$name`: a variable (lower case) or constant (upper case); holds the
    /// name without the `$`.
    Dollar(String),
    /// An integer literal.
    Int(i128),
    /// Any other run of non-delimiter characters: `iadd`, `=>`, `when`,
    /// `is-power-of-two`, `eq`, `true`.
    Atom(String),
}

impl TokenKind {
    /// How the token is described in "expected X, found Y" messages.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::LParen => "`(`".into(),
            TokenKind::RParen => "`)`".into(),
            TokenKind::LBrace => "`{`".into(),
            TokenKind::RBrace => "`}`".into(),
            TokenKind::UnquoteOpen => "`$(`".into(),
            TokenKind::Dollar(name) => format!("`${name}`"),
            TokenKind::Int(v) => format!("integer `{v}`"),
            TokenKind::Atom(a) => format!("`{a}`"),
        }
    }
}

/// A token and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

/// Characters that end an atom or identifier.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '{' | '}' | ';' | '$')
}

/// Splits `text` into tokens. Stops at the first malformed token.
pub fn tokenize(file: FileId, text: &str) -> Result<Vec<Token>, Diagnostic> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut pos = 0;
    let span = |start: usize, end: usize| Span::new(file, start, end);
    while pos < text.len() {
        let c = text[pos..]
            .chars()
            .next()
            .expect("pos is on a char boundary");
        if c.is_whitespace() {
            pos += c.len_utf8();
            continue;
        }
        match c {
            ';' => {
                pos = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
            }
            '(' if bytes.get(pos + 1) == Some(&b';') => {
                pos = skip_block_comment(file, text, pos)?;
            }
            '(' => {
                tokens.push(Token {
                    kind: TokenKind::LParen,
                    span: span(pos, pos + 1),
                });
                pos += 1;
            }
            ')' => {
                tokens.push(Token {
                    kind: TokenKind::RParen,
                    span: span(pos, pos + 1),
                });
                pos += 1;
            }
            '{' => {
                tokens.push(Token {
                    kind: TokenKind::LBrace,
                    span: span(pos, pos + 1),
                });
                pos += 1;
            }
            '}' => {
                tokens.push(Token {
                    kind: TokenKind::RBrace,
                    span: span(pos, pos + 1),
                });
                pos += 1;
            }
            '$' if bytes.get(pos + 1) == Some(&b'(') => {
                tokens.push(Token {
                    kind: TokenKind::UnquoteOpen,
                    span: span(pos, pos + 2),
                });
                pos += 2;
            }
            '$' => {
                let start = pos;
                let end = word_end(text, pos + 1);
                let name = &text[pos + 1..end];
                if name.is_empty() {
                    return Err(Diagnostic::error(
                        span(start, start + 1),
                        "expected a name after `$`",
                    ));
                }
                if let Some(bad) = name
                    .chars()
                    .find(|&c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                {
                    return Err(Diagnostic::error(
                        span(start, end),
                        format!("`{bad}` cannot appear in the name `${name}`"),
                    )
                    .with_help("names are letters, digits, `-` and `_`"));
                }
                tokens.push(Token {
                    kind: TokenKind::Dollar(name.to_string()),
                    span: span(start, end),
                });
                pos = end;
            }
            _ => {
                let start = pos;
                let end = word_end(text, pos);
                let word = &text[start..end];
                let kind = if looks_numeric(word) {
                    TokenKind::Int(parse_int(word).ok_or_else(|| {
                        Diagnostic::error(
                            span(start, end),
                            format!("invalid integer literal `{word}`"),
                        )
                        .with_help(
                            "integers are decimal, `0x` hex or `0b` binary, optionally signed, \
                             and must fit in a signed 128-bit integer",
                        )
                    })?)
                } else {
                    TokenKind::Atom(word.to_string())
                };
                tokens.push(Token {
                    kind,
                    span: span(start, end),
                });
                pos = end;
            }
        }
    }
    Ok(tokens)
}

/// The end of the word starting at `start`.
fn word_end(text: &str, start: usize) -> usize {
    text[start..]
        .char_indices()
        .find(|&(_, c)| is_delimiter(c))
        .map_or(text.len(), |(i, _)| start + i)
}

/// Skips a (possibly nested) `(; … ;)` comment starting at `start`.
fn skip_block_comment(file: FileId, text: &str, start: usize) -> Result<usize, Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut pos = start;
    while pos + 1 < bytes.len() {
        match (bytes[pos], bytes[pos + 1]) {
            (b'(', b';') => {
                depth += 1;
                pos += 2;
            }
            (b';', b')') => {
                depth -= 1;
                pos += 2;
                if depth == 0 {
                    return Ok(pos);
                }
            }
            _ => pos += 1,
        }
    }
    Err(Diagnostic::error(
        Span::new(file, start, start + 2),
        "unterminated block comment",
    ))
}

/// Does `word` start like a number (`7`, `-7`, `+0x7`)?
fn looks_numeric(word: &str) -> bool {
    let digits = word.strip_prefix(['-', '+']).unwrap_or(word);
    digits.starts_with(|c: char| c.is_ascii_digit())
}

/// Parses a signed decimal, `0x` or `0b` integer with optional `_`
/// separators.
fn parse_int(word: &str) -> Option<i128> {
    let (negative, rest) = match word.as_bytes()[0] {
        b'-' => (true, &word[1..]),
        b'+' => (false, &word[1..]),
        _ => (false, word),
    };
    let (radix, digits) = if let Some(h) = rest.strip_prefix("0x") {
        (16, h)
    } else if let Some(b) = rest.strip_prefix("0b") {
        (2, b)
    } else {
        (10, rest)
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    let cleaned: String = digits.chars().filter(|&c| c != '_').collect();
    // Parse the magnitude as u128 so that -2^127 is representable.
    let magnitude = u128::from_str_radix(&cleaned, radix).ok()?;
    if negative {
        0i128.checked_sub_unsigned(magnitude)
    } else {
        i128::try_from(magnitude).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokenize(FileId(0), text)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn tokenizes_a_rule_with_all_token_kinds() {
        use TokenKind::*;
        assert_eq!(
            kinds("(=> (when (imul{i32} $x $C) (is-power-of-two $C)) (ishl $x $(log2 $C)))"),
            vec![
                LParen,
                Atom("=>".into()),
                LParen,
                Atom("when".into()),
                LParen,
                Atom("imul".into()),
                LBrace,
                Atom("i32".into()),
                RBrace,
                Dollar("x".into()),
                Dollar("C".into()),
                RParen,
                LParen,
                Atom("is-power-of-two".into()),
                Dollar("C".into()),
                RParen,
                RParen,
                LParen,
                Atom("ishl".into()),
                Dollar("x".into()),
                UnquoteOpen,
                Atom("log2".into()),
                Dollar("C".into()),
                RParen,
                RParen,
                RParen,
            ]
        );
    }

    #[test]
    fn integers_in_every_radix_and_sign() {
        use TokenKind::Int;
        assert_eq!(
            kinds("0 -1 +7 0xff -0x80 0b101 1_000"),
            vec![
                Int(0),
                Int(-1),
                Int(7),
                Int(255),
                Int(-128),
                Int(5),
                Int(1000)
            ]
        );
        assert_eq!(
            kinds("-170141183460469231731687303715884105728"),
            vec![Int(i128::MIN)]
        );
    }

    #[test]
    fn comments_are_skipped_and_block_comments_nest() {
        use TokenKind::*;
        assert_eq!(
            kinds(";; line\n(; outer (; inner ;) still ;) ( ; trailing\n)"),
            vec![LParen, RParen]
        );
    }

    #[test]
    fn malformed_tokens_are_errors_with_spans() {
        let e = tokenize(FileId(0), "(iadd 12ab)").unwrap_err();
        assert_eq!(e.message, "invalid integer literal `12ab`");
        assert_eq!((e.span.unwrap().start, e.span.unwrap().end), (6, 10));

        let e = tokenize(
            FileId(0),
            "(iadd 0x1_0000_0000_0000_0000_0000_0000_0000_0000)",
        )
        .unwrap_err();
        assert!(e.message.starts_with("invalid integer literal"));

        let e = tokenize(FileId(0), "(iadd $ 1)").unwrap_err();
        assert_eq!(e.message, "expected a name after `$`");

        let e = tokenize(FileId(0), "(iadd $x.y 1)").unwrap_err();
        assert_eq!(e.message, "`.` cannot appear in the name `$x.y`");

        let e = tokenize(FileId(0), "(; never closed").unwrap_err();
        assert_eq!(e.message, "unterminated block comment");
    }
}
