//! Printing functions in the text format.
//!
//! The text format is CLIF's, restricted to what Tern's IR has. The grammar,
//! which [`parse`](crate::parse) accepts, is:
//!
//! ```text
//! function   := "function" "%" name signature "{" preamble* block* "}"
//! signature  := "(" types? ")" ("->" types)?
//! preamble   := "sig" N "=" signature
//!             | "fn" N "=" "%" name "sig" N
//! block      := "block" N ("(" param ("," param)* ")")? ":" inst*
//! param      := "v" N ":" type
//! inst       := (values "=")? opcode ("." type)? operands
//! ```
//!
//! with operands by format (see [`InstFormat`]):
//!
//! ```text
//! iconst.i32 -7            f64const -0.0          iadd v1, v2
//! icmp ult v1, v2          fcmp uno v1, v2        select v0, v1, v2
//! load.i64 notrap v0+16    store aligned v1, v0-4
//! jump block1(v1)          brif v0, block1, block2(v3)
//! br_table v0, block9, [block1(v1), block2]
//! return v1, v2            trap int_divz          trapnz v0, user3
//! v5, v6 = call fn0(v1)    v7 = call_indirect sig1, v0(v1, v2)
//! ```
//!
//! Value and block numbers are printed as they are in the function, gaps
//! included, so that parsing the text gives back the same numbers. The
//! `.type` suffix is printed when the controlling type cannot be inferred
//! from the operands (see [`inferred_ctrl_type`]); integer immediates print
//! as signed decimals at their width; floats print exactly (see
//! [`crate::float_text`]). Comments start with `;` and run to
//! the end of the line; the printer writes none.
//!
//! [`InstFormat`]: crate::InstFormat

use std::fmt::{self, Write};

use crate::dfg::DataFlowGraph;
use crate::entities::{Inst, Value};
use crate::eval::DataValue;
use crate::float_text;
use crate::function::Function;
use crate::instructions::{BlockCall, Imm};
use crate::opcode::InstFormat;
use crate::types::Type;
use crate::typing::inferred_ctrl_type;

/// Writes `func` in the text format.
pub fn write_function(out: &mut impl Write, func: &Function) -> fmt::Result {
    writeln!(out, "function %{}{} {{", func.name, func.signature)?;
    let dfg = &func.dfg;
    for (i, sig) in dfg.signatures().iter().enumerate() {
        writeln!(out, "    sig{i} = {sig}")?;
    }
    for (i, ext) in dfg.ext_funcs().iter().enumerate() {
        writeln!(out, "    fn{i} = %{} {}", ext.name, ext.signature)?;
    }
    let has_preamble = !dfg.signatures().is_empty() || !dfg.ext_funcs().is_empty();
    for (n, block) in func.layout.blocks().enumerate() {
        if n > 0 || has_preamble {
            writeln!(out)?;
        }
        write!(out, "{block}")?;
        let params = dfg.block_params(block);
        if !params.is_empty() {
            out.write_char('(')?;
            for (i, &p) in params.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write!(out, "{p}: {}", dfg.value_type(p))?;
            }
            out.write_char(')')?;
        }
        writeln!(out, ":")?;
        for inst in func.layout.block_insts(block) {
            out.write_str("    ")?;
            write_inst(out, dfg, inst)?;
            out.write_char('\n')?;
        }
    }
    writeln!(out, "}}")
}

/// Writes one instruction (results, opcode, operands) without indentation
/// or newline.
pub fn write_inst(out: &mut impl Write, dfg: &DataFlowGraph, inst: Inst) -> fmt::Result {
    let results = dfg.inst_results(inst);
    if !results.is_empty() {
        write_values(out, results)?;
        out.write_str(" = ")?;
    }
    let data = dfg.inst(inst);
    out.write_str(data.opcode.name())?;
    let arg_types: Vec<Type> = data
        .args
        .iter()
        .map(|&v| value_type_or_default(dfg, v))
        .collect();
    if inferred_ctrl_type(data.opcode, &arg_types) != Some(data.ty) {
        write!(out, ".{}", data.ty)?;
    }
    let args = &data.args[..];
    match (data.opcode.format(), data.imm) {
        (InstFormat::IntConst, Imm::Int(bits)) => {
            write!(out, " {}", DataValue::new(data.ty.as_int(), bits))
        }
        (InstFormat::F32Const, Imm::Ieee32(bits)) => {
            out.write_char(' ')?;
            float_text::write_f32(out, bits)
        }
        (InstFormat::F64Const, Imm::Ieee64(bits)) => {
            out.write_char(' ')?;
            float_text::write_f64(out, bits)
        }
        (InstFormat::IntCompare, Imm::IntCC(cc)) => {
            write!(out, " {cc}")?;
            write_arg_list(out, args)
        }
        (InstFormat::FloatCompare, Imm::FloatCC(cc)) => {
            write!(out, " {cc}")?;
            write_arg_list(out, args)
        }
        (InstFormat::Load, Imm::Mem { flags, offset }) => {
            for name in flags.names() {
                write!(out, " {name}")?;
            }
            out.write_char(' ')?;
            write_address(out, args.first(), offset)
        }
        (InstFormat::Store, Imm::Mem { flags, offset }) => {
            for name in flags.names() {
                write!(out, " {name}")?;
            }
            match args {
                [value, addr] => {
                    write!(out, " {value}, ")?;
                    write_address(out, Some(addr), offset)
                }
                _ => write_arg_list(out, args),
            }
        }
        (InstFormat::Jump, Imm::None) => {
            out.write_char(' ')?;
            write_block_calls(out, &data.dests)
        }
        (InstFormat::Brif, Imm::None) => {
            write_arg_list(out, args)?;
            out.write_str(", ")?;
            write_block_calls(out, &data.dests)
        }
        (InstFormat::BranchTable, Imm::None) => {
            write_arg_list(out, args)?;
            if let Some((default, table)) = data.dests.split_first() {
                out.write_str(", ")?;
                write_block_call(out, default)?;
                out.write_str(", [")?;
                write_block_calls(out, table)?;
                out.write_char(']')?;
            }
            Ok(())
        }
        (InstFormat::Trap, Imm::Trap(code)) => write!(out, " {code}"),
        (InstFormat::CondTrap, Imm::Trap(code)) => {
            write_arg_list(out, args)?;
            write!(out, ", {code}")
        }
        (InstFormat::Call, Imm::Func(func)) => {
            write!(out, " {func}(")?;
            write_values(out, args)?;
            out.write_char(')')
        }
        (InstFormat::CallIndirect, Imm::Sig(sig)) => {
            write!(out, " {sig}, ")?;
            match args.split_first() {
                Some((callee, rest)) => {
                    write!(out, "{callee}(")?;
                    write_values(out, rest)?;
                    out.write_char(')')
                }
                None => out.write_str("<no callee>()"),
            }
        }
        (InstFormat::Unary | InstFormat::Binary | InstFormat::Ternary, Imm::None)
        | (InstFormat::Return, Imm::None) => write_arg_list(out, args),
        (format, imm) => write!(out, " <malformed {format:?} with {imm:?}>"),
    }
}

/// The type of `v`, or `i8` for values the graph does not have (so that
/// printing malformed IR for an error message never panics).
fn value_type_or_default(dfg: &DataFlowGraph, v: Value) -> Type {
    if dfg.value_is_valid(v) {
        dfg.value_type(v)
    } else {
        Type::I8
    }
}

/// Writes ` v1, v2` (with the leading space) or nothing.
fn write_arg_list(out: &mut impl Write, args: &[Value]) -> fmt::Result {
    if args.is_empty() {
        return Ok(());
    }
    out.write_char(' ')?;
    write_values(out, args)
}

fn write_values(out: &mut impl Write, values: &[Value]) -> fmt::Result {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        write!(out, "{v}")?;
    }
    Ok(())
}

fn write_address(out: &mut impl Write, addr: Option<&Value>, offset: i32) -> fmt::Result {
    match addr {
        Some(addr) => write!(out, "{addr}")?,
        None => out.write_str("<no address>")?,
    }
    if offset != 0 {
        write!(out, "{offset:+}")?;
    }
    Ok(())
}

fn write_block_call(out: &mut impl Write, call: &BlockCall) -> fmt::Result {
    write!(out, "{}", call.block)?;
    if !call.args.is_empty() {
        out.write_char('(')?;
        write_values(out, &call.args)?;
        out.write_char(')')?;
    }
    Ok(())
}

fn write_block_calls(out: &mut impl Write, calls: &[BlockCall]) -> fmt::Result {
    for (i, call) in calls.iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        write_block_call(out, call)?;
    }
    Ok(())
}
