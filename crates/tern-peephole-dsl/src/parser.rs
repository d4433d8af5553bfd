//! Parsing rule files into the syntax tree.
//!
//! The grammar (`*` is repetition, `?` optional):
//!
//! ```text
//! file         ::= rule*
//! rule         ::= '(' '=>' lhs rhs ')'
//! lhs          ::= pattern | '(' 'when' pattern precondition* ')'
//! pattern      ::= literal | $CONST | $var | '(' operator ascription? pattern* ')'
//! ascription   ::= '{' type '}'
//! literal      ::= integer | 'true' | 'false' | condition-code
//! precondition ::= '(' predicate operand* ')'
//! operand      ::= literal | $CONST | $var | unquote
//! unquote      ::= '$(' unquote-operator operand* ')'
//! rhs          ::= literal | $CONST | $var | unquote | '(' operator ascription? rhs* ')'
//! ```
//!
//! A `$name` is a *constant* when its letters are upper case (`$C`,
//! `$MASK-2`) and a *variable* when they are lower case (`$x`, `$lhs_1`);
//! mixing cases is an error, as is a name that does not start with a letter.
//!
//! The parser is purely syntactic: it does not know which operators,
//! predicates or condition codes exist; the type checker does. After an error
//! it skips to the end of the rule and carries on, so one run reports a
//! problem in every broken rule rather than just the first.

use crate::ast::*;
use crate::diagnostic::{Diagnostic, FileId, Span};
use crate::lexer::{Token, TokenKind, tokenize};

/// Deeper nesting than this is rejected rather than risking the stack.
const MAX_DEPTH: usize = 64;

/// Parses a whole rule file. Returns every rule or every syntax error.
pub fn parse_file(file: FileId, text: &str) -> Result<Vec<Rule>, Vec<Diagnostic>> {
    let tokens = tokenize(file, text).map_err(|d| vec![d])?;
    let end = Span::new(file, text.len(), text.len());
    let mut parser = Parser {
        tokens,
        pos: 0,
        end,
        depth: 0,
    };
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    while !parser.at_end() {
        let start = parser.pos;
        match parser.rule() {
            Ok(rule) => rules.push(rule),
            Err(e) => {
                errors.push(e);
                parser.recover(start);
            }
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// Is `name` (after the `$`) a constant, a variable, or malformed?
enum NameCase {
    Constant,
    Variable,
}

fn name_case(ident: &Ident) -> Result<NameCase, Diagnostic> {
    let name = &ident.name;
    let first = name.chars().next().unwrap_or('0');
    let has_upper = name.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = name.chars().any(|c| c.is_ascii_lowercase());
    if !first.is_ascii_alphabetic() {
        return Err(Diagnostic::error(
            ident.span,
            format!("`${name}` must start with a letter"),
        ));
    }
    match (has_upper, has_lower) {
        (true, false) => Ok(NameCase::Constant),
        (false, true) => Ok(NameCase::Variable),
        _ => Err(
            Diagnostic::error(ident.span, format!("`${name}` mixes upper and lower case"))
                .with_help(format!(
                    "constants are upper case (`${}`), variables lower case (`${}`)",
                    name.to_ascii_uppercase(),
                    name.to_ascii_lowercase()
                )),
        ),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// An empty span at the end of the file, for "unexpected end" errors.
    end: Span,
    depth: usize,
}

type PResult<T> = Result<T, Diagnostic>;

impl Parser {
    fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    fn peek(&self) -> Option<&TokenKind> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    fn peek2(&self) -> Option<&TokenKind> {
        self.tokens.get(self.pos + 1).map(|t| &t.kind)
    }

    fn next_span(&self) -> Span {
        self.tokens.get(self.pos).map_or(self.end, |t| t.span)
    }

    fn bump(&mut self) -> Token {
        let t = self.tokens[self.pos].clone();
        self.pos += 1;
        t
    }

    fn unexpected(&self, expected: &str) -> Diagnostic {
        match self.tokens.get(self.pos) {
            Some(t) => Diagnostic::error(
                t.span,
                format!("expected {expected}, found {}", t.kind.describe()),
            ),
            None => Diagnostic::error(
                self.end,
                format!("expected {expected}, found the end of the file"),
            ),
        }
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> PResult<Span> {
        if self.peek() == Some(&kind) {
            Ok(self.bump().span)
        } else {
            Err(self.unexpected(what))
        }
    }

    fn expect_atom(&mut self, what: &str) -> PResult<Ident> {
        match self.peek() {
            Some(TokenKind::Atom(_)) => {
                let t = self.bump();
                let TokenKind::Atom(name) = t.kind else {
                    unreachable!("peeked an atom")
                };
                Ok(Ident { name, span: t.span })
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn expect_keyword(&mut self, keyword: &str) -> PResult<Span> {
        match self.peek() {
            Some(TokenKind::Atom(a)) if a == keyword => Ok(self.bump().span),
            _ => Err(self.unexpected(&format!("`{keyword}`"))),
        }
    }

    /// After an error in the rule that started at token `start`, skips to
    /// the token after that rule's closing parenthesis.
    fn recover(&mut self, start: usize) {
        self.pos = start;
        self.depth = 0;
        let mut depth = 0usize;
        while let Some(kind) = self.peek() {
            match kind {
                TokenKind::LParen | TokenKind::UnquoteOpen => depth += 1,
                TokenKind::RParen => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.pos += 1;
            if depth == 0 {
                break;
            }
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Diagnostic::error(
                self.next_span(),
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ))
        } else {
            Ok(())
        }
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn rule(&mut self) -> PResult<Rule> {
        let open = self.expect(TokenKind::LParen, "`(` to start a rule `(=> lhs rhs)`")?;
        self.expect_keyword("=>")?;
        let lhs = self.lhs()?;
        let rhs = self.rhs()?;
        let close = self.expect(TokenKind::RParen, "`)` to end the rule")?;
        Ok(Rule {
            span: open.to(close),
            lhs,
            rhs,
        })
    }

    fn lhs(&mut self) -> PResult<Lhs> {
        let is_when = self.peek() == Some(&TokenKind::LParen)
            && matches!(self.peek2(), Some(TokenKind::Atom(a)) if a == "when");
        if !is_when {
            let pattern = self.pattern()?;
            return Ok(Lhs {
                span: pattern.span(),
                pattern,
                preconditions: Vec::new(),
            });
        }
        let open = self.bump().span;
        self.bump(); // `when`
        let pattern = self.pattern()?;
        let mut preconditions = Vec::new();
        while self.peek() == Some(&TokenKind::LParen) {
            preconditions.push(self.precondition()?);
        }
        let close = self.expect(TokenKind::RParen, "a precondition or `)`")?;
        Ok(Lhs {
            span: open.to(close),
            pattern,
            preconditions,
        })
    }

    /// A literal, if the next token is one.
    fn literal(&mut self) -> Option<Literal> {
        let value = match self.peek()? {
            TokenKind::Int(v) => LiteralValue::Int(*v),
            TokenKind::Atom(a) if a == "true" => LiteralValue::Bool(true),
            TokenKind::Atom(a) if a == "false" => LiteralValue::Bool(false),
            TokenKind::Atom(a) => LiteralValue::Cond(a.clone()),
            _ => return None,
        };
        let span = self.bump().span;
        Some(Literal { value, span })
    }

    /// A `$name` if the next token is one, classified by case.
    fn dollar(&mut self) -> PResult<Option<(NameCase, Ident)>> {
        let Some(TokenKind::Dollar(name)) = self.peek() else {
            return Ok(None);
        };
        let ident = Ident {
            name: name.clone(),
            span: self.next_span(),
        };
        self.pos += 1;
        Ok(Some((name_case(&ident)?, ident)))
    }

    fn pattern(&mut self) -> PResult<Pattern> {
        if let Some((case, ident)) = self.dollar()? {
            return Ok(match case {
                NameCase::Constant => Pattern::Const(ident),
                NameCase::Variable => Pattern::Var(ident),
            });
        }
        if self.peek() == Some(&TokenKind::LParen) {
            return Ok(Pattern::Op(self.operation(Parser::pattern)?));
        }
        if self.peek() == Some(&TokenKind::UnquoteOpen) {
            return Err(Diagnostic::error(
                self.next_span(),
                "an unquote `$(…)` cannot appear in a left-hand side pattern",
            )
            .with_help("compute constants in preconditions or in the right-hand side"));
        }
        self.literal()
            .map(Pattern::Literal)
            .ok_or_else(|| self.unexpected("a pattern"))
    }

    fn rhs(&mut self) -> PResult<Rhs> {
        if let Some((case, ident)) = self.dollar()? {
            return Ok(match case {
                NameCase::Constant => Rhs::Const(ident),
                NameCase::Variable => Rhs::Var(ident),
            });
        }
        match self.peek() {
            Some(TokenKind::LParen) => Ok(Rhs::Op(self.operation(Parser::rhs)?)),
            Some(TokenKind::UnquoteOpen) => Ok(Rhs::Unquote(self.unquote()?)),
            _ => self
                .literal()
                .map(Rhs::Literal)
                .ok_or_else(|| self.unexpected("a right-hand side")),
        }
    }

    fn operation<T>(&mut self, operand: fn(&mut Parser) -> PResult<T>) -> PResult<Operation<T>> {
        self.enter()?;
        let open = self.bump().span;
        let operator = self.expect_atom("an operator name")?;
        let ascription = if self.peek() == Some(&TokenKind::LBrace) {
            self.bump();
            let ty = self.expect_atom("a type such as `i32`")?;
            self.expect(TokenKind::RBrace, "`}` to end the type ascription")?;
            Some(ty)
        } else {
            None
        };
        let mut operands = Vec::new();
        while !matches!(self.peek(), Some(TokenKind::RParen) | None) {
            operands.push(operand(self)?);
        }
        let close = self.expect(TokenKind::RParen, "`)`")?;
        self.leave();
        Ok(Operation {
            span: open.to(close),
            operator,
            ascription,
            operands,
        })
    }

    fn precondition(&mut self) -> PResult<Precondition> {
        let open = self.bump().span;
        let predicate = self.expect_atom("a precondition name such as `is-power-of-two`")?;
        let mut operands = Vec::new();
        while !matches!(self.peek(), Some(TokenKind::RParen) | None) {
            operands.push(self.operand()?);
        }
        let close = self.expect(TokenKind::RParen, "`)`")?;
        Ok(Precondition {
            span: open.to(close),
            predicate,
            operands,
        })
    }

    fn operand(&mut self) -> PResult<Operand> {
        if let Some((case, ident)) = self.dollar()? {
            return Ok(match case {
                NameCase::Constant => Operand::Const(ident),
                NameCase::Variable => Operand::Var(ident),
            });
        }
        if self.peek() == Some(&TokenKind::UnquoteOpen) {
            return Ok(Operand::Unquote(self.unquote()?));
        }
        if self.peek() == Some(&TokenKind::LParen) {
            return Err(Diagnostic::error(
                self.next_span(),
                "an instruction cannot appear here; only literals, `$names` and `$(…)`",
            ));
        }
        self.literal()
            .map(Operand::Literal)
            .ok_or_else(|| self.unexpected("a literal, `$name` or `$(…)`"))
    }

    fn unquote(&mut self) -> PResult<Unquote> {
        self.enter()?;
        let open = self.bump().span;
        let operator = self.expect_atom("an unquote operator such as `log2`")?;
        let mut operands = Vec::new();
        while !matches!(self.peek(), Some(TokenKind::RParen) | None) {
            operands.push(self.operand()?);
        }
        let close = self.expect(TokenKind::RParen, "`)`")?;
        self.leave();
        Ok(Unquote {
            span: open.to(close),
            operator,
            operands,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceMap;

    fn parse(text: &str) -> Vec<Rule> {
        parse_file(FileId(0), text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn errors(text: &str) -> Vec<String> {
        let mut map = SourceMap::new();
        let id = map.add("t.peep", text);
        parse_file(id, text)
            .unwrap_err()
            .into_iter()
            .map(|d| d.render(&map))
            .collect()
    }

    #[test]
    fn parses_plain_rule() {
        let rules = parse("(=> (iadd $x 0) $x)");
        assert_eq!(rules.len(), 1);
        let Pattern::Op(op) = &rules[0].lhs.pattern else {
            panic!()
        };
        assert_eq!(op.operator.name, "iadd");
        assert!(matches!(&op.operands[0], Pattern::Var(i) if i.name == "x"));
        assert!(matches!(
            &op.operands[1],
            Pattern::Literal(Literal {
                value: LiteralValue::Int(0),
                ..
            })
        ));
        assert!(matches!(&rules[0].rhs, Rhs::Var(i) if i.name == "x"));
        assert_eq!(rules[0].span.start, 0);
        assert_eq!(rules[0].span.end, 19);
    }

    #[test]
    fn parses_when_ascription_and_unquote() {
        let rules = parse(
            "(=> (when (imul{i32} $x $C) (is-power-of-two $C) (ult $C 64))\n\
             (ishl $x $(log2 $C)))",
        );
        let lhs = &rules[0].lhs;
        assert_eq!(lhs.preconditions.len(), 2);
        assert_eq!(lhs.preconditions[1].predicate.name, "ult");
        let Pattern::Op(op) = &lhs.pattern else {
            panic!()
        };
        assert_eq!(op.ascription.as_ref().unwrap().name, "i32");
        let Rhs::Op(rhs) = &rules[0].rhs else {
            panic!()
        };
        let Rhs::Unquote(u) = &rhs.operands[1] else {
            panic!()
        };
        assert_eq!(u.operator.name, "log2");
        assert!(matches!(&u.operands[0], Operand::Const(c) if c.name == "C"));
    }

    #[test]
    fn condition_codes_and_booleans_are_literals() {
        let rules = parse("(=> (icmp eq $x $x) true)");
        let Pattern::Op(op) = &rules[0].lhs.pattern else {
            panic!()
        };
        assert!(matches!(&op.operands[0],
            Pattern::Literal(Literal { value: LiteralValue::Cond(c), .. }) if c == "eq"));
        assert!(matches!(
            &rules[0].rhs,
            Rhs::Literal(Literal {
                value: LiteralValue::Bool(true),
                ..
            })
        ));
    }

    #[test]
    fn errors_name_line_column_and_show_a_caret() {
        let errs = errors(";; first\n(=> (iadd $x 0)\n    $x $y)\n");
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0],
            "error: expected `)` to end the rule, found `$y`\n \
             --> t.peep:3:8\n  \
             |\n\
             3 |     $x $y)\n  \
             |        ^^\n"
        );
    }

    #[test]
    fn recovers_and_reports_every_broken_rule() {
        let errs = errors("(=> (iadd $Xy 0) $x)\n(=> (bor $x $x) $x)\n(== 1 2)\n");
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].starts_with("error: `$Xy` mixes upper and lower case\n"));
        assert!(errs[0].contains("t.peep:1:11"));
        assert!(errs[1].starts_with("error: expected `=>`, found `==`\n"));
        assert!(errs[1].contains("t.peep:3:2"));
    }

    #[test]
    fn unexpected_end_of_file() {
        let errs = errors("(=> (iadd $x 0)");
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].starts_with("error: expected a right-hand side, found the end of the file")
        );
    }

    #[test]
    fn unquote_in_pattern_is_rejected() {
        let errs = errors("(=> (iadd $x $(neg $C)) $x)");
        assert!(
            errs[0]
                .starts_with("error: an unquote `$(…)` cannot appear in a left-hand side pattern")
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("(=> {}$x{} $x)", "(bnot ".repeat(200), ")".repeat(200));
        let errs = errors(&deep);
        assert!(
            errs[0].contains("nesting deeper than 64 levels"),
            "{errs:?}"
        );
    }
}
