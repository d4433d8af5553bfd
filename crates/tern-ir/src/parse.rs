//! Parsing the text format (see [`write`](crate::write) for the grammar).
//!
//! The parser is the exact inverse of the printer: value, block, signature
//! and function numbers in the text become the same numbers in the
//! [`DataFlowGraph`](crate::DataFlowGraph) (gaps in value numbering are kept
//! as reserved numbers), so `print(parse(text)) == text` for any printed
//! function. Instruction numbers are not part of the text; they are
//! assigned in layout order.
//!
//! It works in three phases, because text order is layout order and a
//! value may be used above its definition (a loop's back edge printed
//! before the loop header, blocks in any order):
//!
//! 1. **Syntax**: each instruction is read into its opcode, optional type
//!    suffix, immediate, operand numbers and destinations. Instructions are
//!    line-based: an instruction ends at the end of its line, which is what
//!    lets `return` have no operands.
//! 2. **Types**: block parameters and explicitly typed instructions give
//!    the first value types; the controlling types of the remaining
//!    instructions are inferred from their operands (see
//!    [`crate::typing::inferred_ctrl_type`]), repeating
//!    until nothing changes.
//! 3. **Building**: all value numbers are reserved, then blocks and
//!    instructions are made with the numbers from the text and placed in
//!    the layout.
//!
//! The parser checks only what it needs to build the function (syntax,
//! declared references, unique definitions, result counts). Semantic
//! problems (types, dominance) are left to the [verifier](crate::verify),
//! so that ill-formed IR can be written down in verifier tests.
//!
//! Errors carry a line and column and print the offending line with a
//! caret under the column.

use std::collections::HashMap;
use std::fmt;

use crate::condcodes::{FloatCC, IntCC};
use crate::entities::{Block, EntityRef, FuncRef, SigRef, Value};
use crate::float_text;
use crate::function::Function;
use crate::immediates::{MemFlags, TrapCode};
use crate::instructions::{BlockCall, Imm, InstructionData, ValueList};
use crate::opcode::{InstFormat, Opcode};
use crate::signature::{ExtFuncData, Signature};
use crate::types::Type;
use crate::typing::inferred_ctrl_type;

/// The largest value or block number the parser accepts. Numbers are kept
/// as written, so every number below the largest is allocated; the cap
/// stops a short malicious text (`v4000000000`) from allocating gigabytes.
pub const MAX_ENTITY_NUMBER: u32 = (1 << 22) - 1;

/// A syntax or reference error, at a line and column (both 1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What went wrong.
    pub message: String,
    /// The text of the offending line.
    pub source_line: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}:{}: {}", self.line, self.column, self.message)?;
        writeln!(f, "  | {}", self.source_line)?;
        write!(f, "  | {}^", " ".repeat(self.column.saturating_sub(1)))
    }
}

impl std::error::Error for ParseError {}

/// Parses exactly one function.
pub fn parse_function(text: &str) -> Result<Function, ParseError> {
    let mut funcs = parse_functions(text)?;
    match funcs.len() {
        1 => Ok(funcs.pop().expect("one function")),
        n => Err(Parser::new(text).error_at(
            text.len(),
            format!("expected exactly one function, found {n}"),
        )),
    }
}

/// Parses every function in `text` (comments and blank lines between them
/// are ignored).
pub fn parse_functions(text: &str) -> Result<Vec<Function>, ParseError> {
    let mut parser = Parser::new(text);
    let mut funcs = Vec::new();
    parser.skip_ws();
    while !parser.at_end() {
        funcs.push(parser.function()?);
        parser.skip_ws();
    }
    Ok(funcs)
}

/// One instruction as read in phase 1.
struct ParsedInst {
    pos: usize,
    results: Vec<Value>,
    opcode: Opcode,
    /// The suffix type, or the inferred one once phase 2 finds it.
    ty: Option<Type>,
    imm: Imm,
    args: ValueList,
    dests: Vec<BlockCall>,
}

struct ParsedBlock {
    pos: usize,
    block: Block,
    params: Vec<(Value, Type)>,
    insts: Vec<ParsedInst>,
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser { text, pos: 0 }
    }

    // ----- errors -----

    fn error_at(&self, pos: usize, message: impl Into<String>) -> ParseError {
        let pos = pos.min(self.text.len());
        let line_start = self.text[..pos].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i);
        ParseError {
            line: self.text[..pos].matches('\n').count() + 1,
            column: self.text[line_start..pos].chars().count() + 1,
            message: message.into(),
            source_line: self.text[line_start..line_end].trim_end().to_string(),
        }
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        self.error_at(self.pos, message)
    }

    // ----- characters -----

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    /// Skips spaces, tabs and comments, but not newlines.
    fn skip_inline_ws(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r') => self.pos += 1,
                Some(';') => {
                    self.pos += self.rest().find('\n').unwrap_or(self.rest().len());
                }
                _ => return,
            }
        }
    }

    /// Skips all whitespace, newlines and comments.
    fn skip_ws(&mut self) {
        loop {
            self.skip_inline_ws();
            if self.peek() == Some('\n') {
                self.pos += 1;
            } else {
                return;
            }
        }
    }

    /// Consumes `c` (after inline whitespace) if it is next.
    fn eat(&mut self, c: char) -> bool {
        self.skip_inline_ws();
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), ParseError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(format!("expected `{c}`")))
        }
    }

    /// Consumes `s` (after inline whitespace) if it is next.
    fn eat_str(&mut self, s: &str) -> bool {
        self.skip_inline_ws();
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// Reads a word of letters, digits and `_` (after inline whitespace).
    fn word(&mut self) -> &'a str {
        self.skip_inline_ws();
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.rest().len());
        let word = &self.rest()[..len];
        self.pos += len;
        word
    }

    /// Peeks at the next word without consuming it.
    fn peek_word(&mut self) -> &'a str {
        let saved = self.pos;
        let word = self.word();
        self.pos = saved;
        word
    }

    /// Reads a maximal run of characters that can form a number or float
    /// literal (`-12`, `0x7f`, `1.5e-3`, `+NaN:0x1`).
    fn literal(&mut self) -> (usize, &'a str) {
        self.skip_inline_ws();
        let start = self.pos;
        let len = self
            .rest()
            .find(|c: char| {
                !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '-' | ':'))
            })
            .unwrap_or(self.rest().len());
        self.pos += len;
        (start, &self.text[start..self.pos])
    }

    /// Requires the end of the current line (or of the text).
    fn end_of_line(&mut self) -> Result<(), ParseError> {
        self.skip_inline_ws();
        match self.peek() {
            None | Some('\n') => Ok(()),
            Some(_) => Err(self.error("expected the end of the line")),
        }
    }

    // ----- entity references -----

    /// Reads `prefix` followed by a decimal number.
    fn numbered(&mut self, prefix: &str, what: &str) -> Result<u32, ParseError> {
        self.skip_inline_ws();
        let start = self.pos;
        let word = self.word();
        word.strip_prefix(prefix)
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .filter(|n| n.len() == 1 || !n.starts_with('0'))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| self.error_at(start, format!("expected {what}")))
    }

    /// A value or block number, which must not exceed
    /// [`MAX_ENTITY_NUMBER`].
    fn entity_number(&mut self, prefix: &str, what: &str) -> Result<u32, ParseError> {
        self.skip_inline_ws();
        let start = self.pos;
        let n = self.numbered(prefix, what)?;
        if n > MAX_ENTITY_NUMBER {
            return Err(self.error_at(
                start,
                format!("{prefix}{n}: numbers above {MAX_ENTITY_NUMBER} are not supported"),
            ));
        }
        Ok(n)
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        self.entity_number("v", "a value (`v0`)")
            .map(Value::from_u32)
    }

    fn block_ref(&mut self) -> Result<Block, ParseError> {
        self.entity_number("block", "a block (`block0`)")
            .map(Block::from_u32)
    }

    fn ty(&mut self) -> Result<Type, ParseError> {
        self.skip_inline_ws();
        let start = self.pos;
        let word = self.word();
        Type::from_name(word).ok_or_else(|| self.error_at(start, format!("unknown type `{word}`")))
    }

    /// `%name`: letters, digits, `_`, `.`.
    fn name(&mut self) -> Result<String, ParseError> {
        self.expect('%')?;
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.')))
            .unwrap_or(self.rest().len());
        if len == 0 {
            return Err(self.error("expected a name after `%`"));
        }
        let name = self.rest()[..len].to_string();
        self.pos += len;
        Ok(name)
    }

    /// A comma-separated list of values, possibly empty, up to the end of
    /// the line or a closing `)`.
    fn value_list(&mut self) -> Result<ValueList, ParseError> {
        let mut values = ValueList::new();
        self.skip_inline_ws();
        if self.peek() != Some('v') {
            return Ok(values);
        }
        loop {
            values.push(self.value()?);
            if !self.eat(',') {
                return Ok(values);
            }
        }
    }

    fn types(&mut self, close: Option<char>) -> Result<Vec<Type>, ParseError> {
        let mut types = Vec::new();
        self.skip_inline_ws();
        if close.is_some() && self.peek() == close {
            return Ok(types);
        }
        loop {
            types.push(self.ty()?);
            if !self.eat(',') {
                return Ok(types);
            }
        }
    }

    fn signature(&mut self) -> Result<Signature, ParseError> {
        self.expect('(')?;
        let params = self.types(Some(')'))?;
        self.expect(')')?;
        let returns = if self.eat_str("->") {
            self.types(None)?
        } else {
            Vec::new()
        };
        Ok(Signature { params, returns })
    }

    // ----- functions -----

    fn function(&mut self) -> Result<Function, ParseError> {
        let start = self.pos;
        if self.word() != "function" {
            return Err(self.error_at(start, "expected `function`"));
        }
        let name = self.name()?;
        let signature = self.signature()?;
        self.expect('{')?;
        let mut func = Function::new(name, signature);
        self.preamble(&mut func)?;
        let mut blocks = Vec::new();
        loop {
            self.skip_ws();
            if self.eat('}') {
                break;
            }
            if self.at_end() {
                return Err(self.error("expected `}` at the end of the function"));
            }
            blocks.push(self.block()?);
        }
        self.infer_types(&func, &mut blocks)?;
        self.build(&mut func, blocks)?;
        Ok(func)
    }

    fn preamble(&mut self, func: &mut Function) -> Result<(), ParseError> {
        loop {
            self.skip_ws();
            let start = self.pos;
            let word = self.peek_word();
            if word.starts_with("sig") {
                let n = self.numbered("sig", "a signature (`sig0`)")?;
                if n as usize != func.dfg.signatures().len() {
                    let expected = func.dfg.signatures().len();
                    return Err(self.error_at(start, format!("expected sig{expected} next")));
                }
                self.expect('=')?;
                let sig = self.signature()?;
                self.end_of_line()?;
                func.dfg.import_signature(sig);
            } else if word.starts_with("fn") {
                let n = self.numbered("fn", "a function (`fn0`)")?;
                if n as usize != func.dfg.ext_funcs().len() {
                    let expected = func.dfg.ext_funcs().len();
                    return Err(self.error_at(start, format!("expected fn{expected} next")));
                }
                self.expect('=')?;
                let name = self.name()?;
                let sig = self.sig_ref(func)?;
                self.end_of_line()?;
                func.dfg.import_function(ExtFuncData {
                    name,
                    signature: sig,
                });
            } else {
                return Ok(());
            }
        }
    }

    fn sig_ref(&mut self, func: &Function) -> Result<SigRef, ParseError> {
        self.skip_inline_ws();
        let start = self.pos;
        let sig = SigRef::from_u32(self.numbered("sig", "a signature (`sig0`)")?);
        if sig.index() >= func.dfg.signatures().len() {
            return Err(self.error_at(start, format!("{sig} is not declared")));
        }
        Ok(sig)
    }

    fn block(&mut self) -> Result<ParsedBlock, ParseError> {
        let pos = self.pos;
        let block = self.block_ref()?;
        let mut params = Vec::new();
        if self.eat('(') {
            loop {
                let v = self.value()?;
                self.expect(':')?;
                params.push((v, self.ty()?));
                if !self.eat(',') {
                    break;
                }
            }
            self.expect(')')?;
        }
        self.expect(':')?;
        self.end_of_line()?;
        let mut insts = Vec::new();
        loop {
            self.skip_ws();
            if self.at_end() || self.peek() == Some('}') || self.peek_word().starts_with("block") {
                break;
            }
            insts.push(self.inst()?);
        }
        Ok(ParsedBlock {
            pos,
            block,
            params,
            insts,
        })
    }

    fn inst(&mut self) -> Result<ParsedInst, ParseError> {
        let pos = self.pos;
        let mut results = Vec::new();
        if self.peek() == Some('v') {
            loop {
                results.push(self.value()?);
                if !self.eat(',') {
                    break;
                }
            }
            self.expect('=')?;
        }
        self.skip_inline_ws();
        let op_pos = self.pos;
        let name = self.word();
        let opcode = Opcode::from_name(name)
            .ok_or_else(|| self.error_at(op_pos, format!("unknown opcode `{name}`")))?;
        let ty = if self.peek() == Some('.') {
            self.pos += 1;
            Some(self.ty()?)
        } else {
            None
        };
        let mut inst = ParsedInst {
            pos,
            results,
            opcode,
            ty,
            imm: Imm::None,
            args: ValueList::new(),
            dests: Vec::new(),
        };
        self.operands(&mut inst)?;
        self.end_of_line()?;
        Ok(inst)
    }

    fn operands(&mut self, inst: &mut ParsedInst) -> Result<(), ParseError> {
        let opcode = inst.opcode;
        match opcode.format() {
            InstFormat::IntConst => {
                let ty = inst
                    .ty
                    .ok_or_else(|| self.error("iconst needs a type suffix (`iconst.i32`)"))?;
                inst.imm = Imm::Int(self.int_literal(ty)?);
            }
            InstFormat::F32Const => {
                let (start, text) = self.literal();
                let bits = float_text::parse_f32(text)
                    .ok_or_else(|| self.error_at(start, format!("invalid f32 `{text}`")))?;
                inst.imm = Imm::Ieee32(bits);
            }
            InstFormat::F64Const => {
                let (start, text) = self.literal();
                let bits = float_text::parse_f64(text)
                    .ok_or_else(|| self.error_at(start, format!("invalid f64 `{text}`")))?;
                inst.imm = Imm::Ieee64(bits);
            }
            InstFormat::Unary | InstFormat::Binary | InstFormat::Ternary | InstFormat::Return => {
                inst.args = self.value_list()?;
            }
            InstFormat::IntCompare => {
                let start = self.pos;
                let word = self.word();
                let cc = IntCC::from_name(word).ok_or_else(|| {
                    self.error_at(start, format!("unknown integer condition `{word}`"))
                })?;
                inst.imm = Imm::IntCC(cc);
                inst.args = self.value_list()?;
            }
            InstFormat::FloatCompare => {
                let start = self.pos;
                let word = self.word();
                let cc = FloatCC::from_name(word).ok_or_else(|| {
                    self.error_at(start, format!("unknown float condition `{word}`"))
                })?;
                inst.imm = Imm::FloatCC(cc);
                inst.args = self.value_list()?;
            }
            InstFormat::Load => {
                let flags = self.mem_flags()?;
                let addr = self.value()?;
                let offset = self.offset()?;
                inst.imm = Imm::Mem { flags, offset };
                inst.args.push(addr);
            }
            InstFormat::Store => {
                let flags = self.mem_flags()?;
                let value = self.value()?;
                self.expect(',')?;
                let addr = self.value()?;
                let offset = self.offset()?;
                inst.imm = Imm::Mem { flags, offset };
                inst.args.extend([value, addr]);
            }
            InstFormat::Jump => inst.dests.push(self.block_call()?),
            InstFormat::Brif => {
                inst.args.push(self.value()?);
                self.expect(',')?;
                inst.dests.push(self.block_call()?);
                self.expect(',')?;
                inst.dests.push(self.block_call()?);
            }
            InstFormat::BranchTable => {
                inst.args.push(self.value()?);
                self.expect(',')?;
                inst.dests.push(self.block_call()?);
                self.expect(',')?;
                self.expect('[')?;
                self.skip_inline_ws();
                if self.peek() != Some(']') {
                    loop {
                        inst.dests.push(self.block_call()?);
                        if !self.eat(',') {
                            break;
                        }
                    }
                }
                self.expect(']')?;
            }
            InstFormat::Trap => inst.imm = Imm::Trap(self.trap_code()?),
            InstFormat::CondTrap => {
                inst.args.push(self.value()?);
                self.expect(',')?;
                inst.imm = Imm::Trap(self.trap_code()?);
            }
            InstFormat::Call | InstFormat::CallIndirect => {
                // References are checked against the preamble in `build`;
                // here only the syntax is read.
                if opcode.format() == InstFormat::Call {
                    inst.imm = Imm::Func(FuncRef::from_u32(
                        self.numbered("fn", "a function (`fn0`)")?,
                    ));
                } else {
                    inst.imm = Imm::Sig(SigRef::from_u32(
                        self.numbered("sig", "a signature (`sig0`)")?,
                    ));
                    self.expect(',')?;
                    inst.args.push(self.value()?);
                }
                self.expect('(')?;
                inst.args.extend(self.value_list()?);
                self.expect(')')?;
            }
        }
        Ok(())
    }

    /// An integer literal that fits `ty` as a signed or unsigned number:
    /// decimal (`-5`, `255`) or hex (`0xff`, `-0x80`).
    fn int_literal(&mut self, ty: Type) -> Result<u128, ParseError> {
        let (start, text) = self.literal();
        parse_int(text, ty).ok_or_else(|| {
            self.error_at(start, format!("`{text}` is not an integer that fits {ty}"))
        })
    }

    fn mem_flags(&mut self) -> Result<MemFlags, ParseError> {
        let mut flags = MemFlags::new();
        loop {
            let word = self.peek_word();
            if word.is_empty()
                || word.starts_with('v') && word[1..].bytes().all(|b| b.is_ascii_digit())
            {
                return Ok(flags);
            }
            let start = self.pos;
            self.word();
            if !flags.set_by_name(word) {
                return Err(self.error_at(start, format!("unknown memory flag `{word}`")));
            }
        }
    }

    /// An optional `+N` / `-N` byte offset right after an address.
    fn offset(&mut self) -> Result<i32, ParseError> {
        if !matches!(self.peek(), Some('+' | '-')) {
            return Ok(0);
        }
        let (start, text) = self.literal();
        parse_int(text, Type::I64)
            .map(|bits| bits as u64 as i64)
            // "+0xffffffffffffffff" must not sneak in as -1.
            .filter(|&v| v == 0 || (v > 0) == text.starts_with('+'))
            .and_then(|v| i32::try_from(v).ok())
            .ok_or_else(|| self.error_at(start, format!("invalid offset `{text}`")))
    }

    fn block_call(&mut self) -> Result<BlockCall, ParseError> {
        let block = self.block_ref()?;
        let mut args = Vec::new();
        if self.peek() == Some('(') {
            self.pos += 1;
            args = self.value_list()?.to_vec();
            self.expect(')')?;
        }
        Ok(BlockCall { block, args })
    }

    fn trap_code(&mut self) -> Result<TrapCode, ParseError> {
        self.skip_inline_ws();
        let start = self.pos;
        let word = self.word();
        TrapCode::from_name(word)
            .ok_or_else(|| self.error_at(start, format!("unknown trap code `{word}`")))
    }

    // ----- phase 2: types -----

    fn infer_types(&self, func: &Function, blocks: &mut [ParsedBlock]) -> Result<(), ParseError> {
        let mut types: HashMap<Value, Type> = HashMap::new();
        let mut define = |types: &mut HashMap<Value, Type>, v: Value, ty: Type, pos| {
            if types.insert(v, ty).is_some() {
                Err(self.error_at(pos, format!("{v} is defined more than once")))
            } else {
                Ok(())
            }
        };
        for block in blocks.iter() {
            for &(v, ty) in &block.params {
                define(&mut types, v, ty, block.pos)?;
            }
        }
        let mut pending: Vec<&mut ParsedInst> = Vec::new();
        for inst in blocks.iter_mut().flat_map(|b| b.insts.iter_mut()) {
            if inst.ty.is_none() {
                let known: Option<Vec<Type>> =
                    inst.args.iter().map(|v| types.get(v).copied()).collect();
                if let Some(arg_types) = known {
                    inst.ty = inferred_ctrl_type(inst.opcode, &arg_types);
                }
            }
            if inst.ty.is_some() {
                self.define_results(func, inst, &mut types, &mut define)?;
            } else {
                pending.push(inst);
            }
        }
        // Operands defined further down the text: iterate to a fixpoint.
        while !pending.is_empty() {
            let before = pending.len();
            let mut still = Vec::new();
            for inst in pending {
                let known: Option<Vec<Type>> =
                    inst.args.iter().map(|v| types.get(v).copied()).collect();
                match known.and_then(|t| inferred_ctrl_type(inst.opcode, &t)) {
                    Some(ty) => {
                        inst.ty = Some(ty);
                        self.define_results(func, inst, &mut types, &mut define)?;
                    }
                    None => still.push(inst),
                }
            }
            if still.len() == before {
                let inst = &still[0];
                return Err(self.error_at(
                    inst.pos,
                    format!(
                        "cannot infer the type of `{}`: write a type suffix or define its operands",
                        inst.opcode
                    ),
                ));
            }
            pending = still;
        }
        Ok(())
    }

    fn define_results(
        &self,
        func: &Function,
        inst: &ParsedInst,
        types: &mut HashMap<Value, Type>,
        define: &mut impl FnMut(&mut HashMap<Value, Type>, Value, Type, usize) -> Result<(), ParseError>,
    ) -> Result<(), ParseError> {
        let result_types = self.result_types(func, inst)?;
        if result_types.len() != inst.results.len() {
            return Err(self.error_at(
                inst.pos,
                format!(
                    "`{}` has {} results, but {} are named",
                    inst.opcode,
                    result_types.len(),
                    inst.results.len()
                ),
            ));
        }
        for (&v, &ty) in inst.results.iter().zip(&result_types) {
            define(types, v, ty, inst.pos)?;
        }
        Ok(())
    }

    fn result_types(&self, func: &Function, inst: &ParsedInst) -> Result<Vec<Type>, ParseError> {
        let data = InstructionData {
            opcode: inst.opcode,
            ty: inst.ty.expect("type resolved"),
            imm: inst.imm,
            args: ValueList::new(),
            dests: Vec::new(),
        };
        func.dfg
            .result_types(&data)
            .map(|t| t.to_vec())
            .ok_or_else(|| {
                let what = match inst.imm {
                    Imm::Func(f) => f.to_string(),
                    Imm::Sig(s) => s.to_string(),
                    _ => "reference".to_string(),
                };
                self.error_at(inst.pos, format!("{what} is not declared"))
            })
    }

    // ----- phase 3: building -----

    fn build(&self, func: &mut Function, blocks: Vec<ParsedBlock>) -> Result<(), ParseError> {
        // Reserve every value number mentioned, so that use lists are built
        // even for uses that precede their definition in the text.
        let max_value = blocks
            .iter()
            .flat_map(|b| {
                b.params
                    .iter()
                    .map(|&(v, _)| v)
                    .chain(b.insts.iter().flat_map(|i| {
                        i.results
                            .iter()
                            .copied()
                            .chain(i.args.iter().copied())
                            .chain(i.dests.iter().flat_map(|d| d.args.iter().copied()))
                    }))
            })
            .max();
        if let Some(max) = max_value {
            func.dfg.reserve_values(max.index() + 1);
        }
        let max_block = blocks
            .iter()
            .flat_map(|b| {
                std::iter::once(b.block)
                    .chain(b.insts.iter().flat_map(|i| i.dests.iter().map(|d| d.block)))
            })
            .max();
        if let Some(max) = max_block {
            func.dfg.ensure_block(max);
        }
        for parsed in blocks {
            let block = parsed.block;
            if func.layout.is_block_inserted(block) {
                return Err(self.error_at(parsed.pos, format!("{block} is defined more than once")));
            }
            func.layout.append_block(block);
            for (v, ty) in parsed.params {
                func.dfg.append_block_param_as(block, ty, v);
            }
            for inst in parsed.insts {
                let ty = inst.ty.expect("type resolved");
                let result_types = self.result_types(func, &inst)?;
                let results: Vec<(Value, Type)> =
                    inst.results.iter().copied().zip(result_types).collect();
                let data = InstructionData {
                    opcode: inst.opcode,
                    ty,
                    imm: inst.imm,
                    args: inst.args,
                    dests: inst.dests,
                };
                let i = func.dfg.make_inst_with_results(data, &results);
                func.layout.append_inst(i, block);
            }
        }
        Ok(())
    }
}

/// Parses an integer literal that fits `ty` as signed or unsigned; returns
/// its bits masked to the width.
pub(crate) fn parse_int(text: &str, ty: Type) -> Option<u128> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let magnitude = match body.strip_prefix("0x") {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u128::from_str_radix(hex, 16).ok()?
        }
        Some(_) => return None,
        None if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) => {
            body.parse::<u128>().ok()?
        }
        None => return None,
    };
    let n = ty.bits();
    if negative {
        // Down to -2^(n-1).
        let limit = 1u128 << (n - 1);
        (magnitude <= limit).then(|| magnitude.wrapping_neg() & ty.mask())
    } else {
        (magnitude <= ty.mask()).then_some(magnitude)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_literals() {
        assert_eq!(parse_int("-1", Type::I8), Some(0xff));
        assert_eq!(parse_int("255", Type::I8), Some(0xff));
        assert_eq!(parse_int("256", Type::I8), None);
        assert_eq!(parse_int("-128", Type::I8), Some(0x80));
        assert_eq!(parse_int("-129", Type::I8), None);
        assert_eq!(parse_int("0x7f", Type::I8), Some(0x7f));
        assert_eq!(parse_int("0x", Type::I8), None);
        assert_eq!(
            parse_int("-170141183460469231731687303715884105728", Type::I128),
            Some(1 << 127)
        );
        assert_eq!(parse_int("1_000", Type::I32), None);
    }

    #[test]
    fn error_has_line_column_and_caret() {
        let text = "function %f() {\nblock0:\n    v0 = iadd.i32 v1, v2\n    bogus v0\n}\n";
        let err = parse_function(text).unwrap_err();
        assert_eq!((err.line, err.column), (4, 5));
        assert_eq!(err.message, "unknown opcode `bogus`");
        assert_eq!(
            err.to_string(),
            "4:5: unknown opcode `bogus`\n  |     bogus v0\n  |     ^"
        );
    }

    #[test]
    fn uses_before_definitions_are_inferred() {
        let text = "\
function %loop(i32) -> i32 {
block0(v0: i32):
    jump block2(v0)

block1:
    v3 = iadd v2, v2
    return v3

block2(v2: i32):
    brif v2, block1, block2(v2)
}
";
        let func = parse_function(text).unwrap();
        assert_eq!(func.to_string(), text);
        assert_eq!(func.dfg.value_type(Value::from_u32(3)), Type::I32);
        assert_eq!(func.dfg.use_count(Value::from_u32(2)), 2);
    }

    #[test]
    fn reference_and_definition_errors() {
        let cases = [
            (
                "function %f() {\nblock0:\n    v0 = call fn0()\n    return\n}",
                "fn0 is not declared",
            ),
            (
                "function %f() {\nblock0:\n    v0 = iconst.i8 300\n    return\n}",
                "not an integer that fits i8",
            ),
            (
                "function %f() {\nblock0:\n    v0 = iconst.i8 1\n    v0 = iconst.i8 2\n    return\n}",
                "v0 is defined more than once",
            ),
            (
                "function %f() {\nblock0:\n    v0, v1 = iconst.i8 1\n    return\n}",
                "has 1 results, but 2 are named",
            ),
            (
                "function %f() {\nblock0:\n    v0 = iadd v1, v2\n    return\n}",
                "cannot infer the type of `iadd`",
            ),
            (
                "function %f() {\nblock0:\n    return\n}\nblock1:",
                "expected `function`",
            ),
            (
                "function %f() {\n    sig1 = ()\nblock0:\n    return\n}",
                "expected sig0 next",
            ),
            (
                "function %f() {\nblock0:\n    v1 = load.i32 bogus v0\n    return\n}",
                "unknown memory flag `bogus`",
            ),
            (
                "function %f() {\nblock0:\n    v4194304 = iconst.i8 1\n    return\n}",
                "v4194304: numbers above 4194303 are not supported",
            ),
            (
                "function %f() {\nblock99999999:\n    return\n}",
                "numbers above 4194303 are not supported",
            ),
            (
                "function %f() {\nblock0:\n    v0 = f32const 1.0.0\n    return\n}",
                "invalid f32 `1.0.0`",
            ),
            (
                "function %f() {\nblock0:\n    v0 = load.i32 v1+0x80000000\n    return\n}",
                "invalid offset `+0x80000000`",
            ),
        ];
        for (text, want) in cases {
            let err = parse_functions(text).unwrap_err();
            assert!(err.message.contains(want), "{text:?}: got {err}");
        }
    }
}
