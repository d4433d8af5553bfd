//! The compiler for Tern's peephole rule language.

pub mod ast;
pub mod diagnostic;
pub mod lexer;
pub mod parser;
