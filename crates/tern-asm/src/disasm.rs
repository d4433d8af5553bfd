//! Disassembly for people: Intel syntax, one instruction per line, with
//! offsets and bytes, via iced-x86 (an independent decoder).

use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter};
use std::fmt::Write;

/// Formats `code`, loaded at address `base`, as Intel-syntax lines:
///
/// ```text
///   0000: 48 83 c0 01                add rax,1
/// ```
///
/// The offset column is relative to the start of `code`; branch targets are
/// shown as absolute addresses (`base + offset`). Bytes that do not decode
/// (constant-pool data, jump tables) appear as `(bad)`.
pub fn disassemble(code: &[u8], base: u64) -> String {
    let mut out = String::new();
    let mut decoder = Decoder::with_ip(64, code, base, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    formatter.options_mut().set_first_operand_char_index(0);
    let mut inst = Instruction::default();
    let mut text = String::new();
    while decoder.can_decode() {
        decoder.decode_out(&mut inst);
        let start = (inst.ip() - base) as usize;
        let bytes = &code[start..start + inst.len()];
        text.clear();
        if inst.is_invalid() {
            text.push_str("(bad)");
        } else {
            formatter.format(&inst, &mut text);
        }
        let mut hex = String::with_capacity(3 * bytes.len());
        for b in bytes {
            let _ = write!(hex, "{b:02x} ");
        }
        let _ = writeln!(out, "{start:6x}: {hex:<31}{text}");
    }
    out
}
