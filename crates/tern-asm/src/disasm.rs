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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_offsets_bytes_and_intel_syntax() {
        // add rax, 1; jmp back to 0; an undecodable byte.
        let code = [0x48, 0x83, 0xc0, 0x01, 0xeb, 0xfa, 0x06];
        let text = disassemble(&code, 0x1000);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            format!("{:>6}: {:<31}add rax,1", 0, "48 83 c0 01 ")
        );
        assert_eq!(
            lines[1],
            format!("{:>6}: {:<31}jmp short 0000000000001000h", 4, "eb fa ")
        );
        assert!(
            lines[2].starts_with("     6: 06 ") && lines[2].ends_with("(bad)"),
            "{}",
            lines[2]
        );
    }
}
