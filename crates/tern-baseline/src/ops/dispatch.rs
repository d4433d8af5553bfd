//! The operator table: which emitter method compiles each Wasm operator.
//!
//! The operator visitor (`visitor.rs`) calls `Emitter::visit_*` for every
//! operator of the proposals Tern implements; the control, variable, call,
//! memory-size and reference operators are defined next to their code, and
//! the rest — the families that share one parameterized emitter method —
//! are listed here, one line each.

use crate::emitter::{Emitter, Result};
use crate::ops::divide::DivOp;
use crate::ops::float::{FloatCompare, SignOp};
use crate::ops::int::IntOp;
use crate::ops::memory::Access;
use tern_asm::{BitOp, Cond, ExtMode, RoundMode, ShiftOp, Size, SseOp};
use tern_environ::ValType::{F32, F64, I32, I64};
use tern_environ::wasmparser::MemArg;

/// Defines `visit_*` methods that forward to a parameterized method.
macro_rules! forward {
    ($($visit:ident($($param:ident: $ty:ty),*) => $method:ident($($arg:expr),*);)*) => {
        impl Emitter<'_> {
            $(
                pub(crate) fn $visit(&mut self $(, $param: $ty)*) -> Result {
                    self.$method($($arg),*)
                }
            )*
        }
    };
}

forward! {
        visit_i32_load(memarg: MemArg) => wasm_load(I32, memarg, Access::full(I32));
        visit_i64_load(memarg: MemArg) => wasm_load(I64, memarg, Access::full(I64));
        visit_f32_load(memarg: MemArg) => wasm_load(F32, memarg, Access::full(F32));
        visit_f64_load(memarg: MemArg) => wasm_load(F64, memarg, Access::full(F64));
        visit_i32_load8_s(memarg: MemArg) => wasm_load(I32, memarg, Access::narrow(Size::S8, true));
        visit_i32_load8_u(memarg: MemArg) => wasm_load(I32, memarg, Access::narrow(Size::S8, false));
        visit_i32_load16_s(memarg: MemArg) => wasm_load(I32, memarg, Access::narrow(Size::S16, true));
        visit_i32_load16_u(memarg: MemArg) => wasm_load(I32, memarg, Access::narrow(Size::S16, false));
        visit_i64_load8_s(memarg: MemArg) => wasm_load(I64, memarg, Access::narrow(Size::S8, true));
        visit_i64_load8_u(memarg: MemArg) => wasm_load(I64, memarg, Access::narrow(Size::S8, false));
        visit_i64_load16_s(memarg: MemArg) => wasm_load(I64, memarg, Access::narrow(Size::S16, true));
        visit_i64_load16_u(memarg: MemArg) => wasm_load(I64, memarg, Access::narrow(Size::S16, false));
        visit_i64_load32_s(memarg: MemArg) => wasm_load(I64, memarg, Access::narrow(Size::S32, true));
        visit_i64_load32_u(memarg: MemArg) => wasm_load(I64, memarg, Access::narrow(Size::S32, false));
        visit_i32_store(memarg: MemArg) => wasm_store(I32, memarg, Size::S32);
        visit_i64_store(memarg: MemArg) => wasm_store(I64, memarg, Size::S64);
        visit_f32_store(memarg: MemArg) => wasm_store(F32, memarg, Size::S32);
        visit_f64_store(memarg: MemArg) => wasm_store(F64, memarg, Size::S64);
        visit_i32_store8(memarg: MemArg) => wasm_store(I32, memarg, Size::S8);
        visit_i32_store16(memarg: MemArg) => wasm_store(I32, memarg, Size::S16);
        visit_i64_store8(memarg: MemArg) => wasm_store(I64, memarg, Size::S8);
        visit_i64_store16(memarg: MemArg) => wasm_store(I64, memarg, Size::S16);
        visit_i64_store32(memarg: MemArg) => wasm_store(I64, memarg, Size::S32);
        visit_i32_eqz() => int_eqz(I32);
        visit_i32_eq() => int_compare(I32, Cond::E);
        visit_i32_ne() => int_compare(I32, Cond::NE);
        visit_i32_lt_s() => int_compare(I32, Cond::L);
        visit_i32_lt_u() => int_compare(I32, Cond::B);
        visit_i32_gt_s() => int_compare(I32, Cond::G);
        visit_i32_gt_u() => int_compare(I32, Cond::A);
        visit_i32_le_s() => int_compare(I32, Cond::LE);
        visit_i32_le_u() => int_compare(I32, Cond::BE);
        visit_i32_ge_s() => int_compare(I32, Cond::GE);
        visit_i32_ge_u() => int_compare(I32, Cond::AE);
        visit_i64_eqz() => int_eqz(I64);
        visit_i64_eq() => int_compare(I64, Cond::E);
        visit_i64_ne() => int_compare(I64, Cond::NE);
        visit_i64_lt_s() => int_compare(I64, Cond::L);
        visit_i64_lt_u() => int_compare(I64, Cond::B);
        visit_i64_gt_s() => int_compare(I64, Cond::G);
        visit_i64_gt_u() => int_compare(I64, Cond::A);
        visit_i64_le_s() => int_compare(I64, Cond::LE);
        visit_i64_le_u() => int_compare(I64, Cond::BE);
        visit_i64_ge_s() => int_compare(I64, Cond::GE);
        visit_i64_ge_u() => int_compare(I64, Cond::AE);
        visit_f32_eq() => float_compare(F32, FloatCompare::Eq);
        visit_f32_ne() => float_compare(F32, FloatCompare::Ne);
        visit_f32_lt() => float_compare(F32, FloatCompare::Lt);
        visit_f32_gt() => float_compare(F32, FloatCompare::Gt);
        visit_f32_le() => float_compare(F32, FloatCompare::Le);
        visit_f32_ge() => float_compare(F32, FloatCompare::Ge);
        visit_f64_eq() => float_compare(F64, FloatCompare::Eq);
        visit_f64_ne() => float_compare(F64, FloatCompare::Ne);
        visit_f64_lt() => float_compare(F64, FloatCompare::Lt);
        visit_f64_gt() => float_compare(F64, FloatCompare::Gt);
        visit_f64_le() => float_compare(F64, FloatCompare::Le);
        visit_f64_ge() => float_compare(F64, FloatCompare::Ge);
        visit_i32_clz() => int_count(I32, BitOp::Lzcnt);
        visit_i32_ctz() => int_count(I32, BitOp::Tzcnt);
        visit_i32_popcnt() => int_count(I32, BitOp::Popcnt);
        visit_i32_add() => int_binop(I32, IntOp::Add);
        visit_i32_sub() => int_binop(I32, IntOp::Sub);
        visit_i32_mul() => int_binop(I32, IntOp::Mul);
        visit_i32_div_s() => int_div(I32, DivOp::DivS);
        visit_i32_div_u() => int_div(I32, DivOp::DivU);
        visit_i32_rem_s() => int_div(I32, DivOp::RemS);
        visit_i32_rem_u() => int_div(I32, DivOp::RemU);
        visit_i32_and() => int_binop(I32, IntOp::And);
        visit_i32_or() => int_binop(I32, IntOp::Or);
        visit_i32_xor() => int_binop(I32, IntOp::Xor);
        visit_i32_shl() => int_shift(I32, ShiftOp::Shl);
        visit_i32_shr_s() => int_shift(I32, ShiftOp::Sar);
        visit_i32_shr_u() => int_shift(I32, ShiftOp::Shr);
        visit_i32_rotl() => int_shift(I32, ShiftOp::Rol);
        visit_i32_rotr() => int_shift(I32, ShiftOp::Ror);
        visit_i64_clz() => int_count(I64, BitOp::Lzcnt);
        visit_i64_ctz() => int_count(I64, BitOp::Tzcnt);
        visit_i64_popcnt() => int_count(I64, BitOp::Popcnt);
        visit_i64_add() => int_binop(I64, IntOp::Add);
        visit_i64_sub() => int_binop(I64, IntOp::Sub);
        visit_i64_mul() => int_binop(I64, IntOp::Mul);
        visit_i64_div_s() => int_div(I64, DivOp::DivS);
        visit_i64_div_u() => int_div(I64, DivOp::DivU);
        visit_i64_rem_s() => int_div(I64, DivOp::RemS);
        visit_i64_rem_u() => int_div(I64, DivOp::RemU);
        visit_i64_and() => int_binop(I64, IntOp::And);
        visit_i64_or() => int_binop(I64, IntOp::Or);
        visit_i64_xor() => int_binop(I64, IntOp::Xor);
        visit_i64_shl() => int_shift(I64, ShiftOp::Shl);
        visit_i64_shr_s() => int_shift(I64, ShiftOp::Sar);
        visit_i64_shr_u() => int_shift(I64, ShiftOp::Shr);
        visit_i64_rotl() => int_shift(I64, ShiftOp::Rol);
        visit_i64_rotr() => int_shift(I64, ShiftOp::Ror);
        visit_f32_abs() => float_sign(F32, SignOp::Abs);
        visit_f32_neg() => float_sign(F32, SignOp::Neg);
        visit_f32_ceil() => float_round(F32, RoundMode::Up);
        visit_f32_floor() => float_round(F32, RoundMode::Down);
        visit_f32_trunc() => float_round(F32, RoundMode::Zero);
        visit_f32_nearest() => float_round(F32, RoundMode::Nearest);
        visit_f32_sqrt() => float_sqrt(F32);
        visit_f32_add() => float_binop(F32, SseOp::Addss, true);
        visit_f32_sub() => float_binop(F32, SseOp::Subss, false);
        visit_f32_mul() => float_binop(F32, SseOp::Mulss, true);
        visit_f32_div() => float_binop(F32, SseOp::Divss, false);
        visit_f32_min() => float_min_max(F32, true);
        visit_f32_max() => float_min_max(F32, false);
        visit_f32_copysign() => float_copysign(F32);
        visit_f64_abs() => float_sign(F64, SignOp::Abs);
        visit_f64_neg() => float_sign(F64, SignOp::Neg);
        visit_f64_ceil() => float_round(F64, RoundMode::Up);
        visit_f64_floor() => float_round(F64, RoundMode::Down);
        visit_f64_trunc() => float_round(F64, RoundMode::Zero);
        visit_f64_nearest() => float_round(F64, RoundMode::Nearest);
        visit_f64_sqrt() => float_sqrt(F64);
        visit_f64_add() => float_binop(F64, SseOp::Addsd, true);
        visit_f64_sub() => float_binop(F64, SseOp::Subsd, false);
        visit_f64_mul() => float_binop(F64, SseOp::Mulsd, true);
        visit_f64_div() => float_binop(F64, SseOp::Divsd, false);
        visit_f64_min() => float_min_max(F64, true);
        visit_f64_max() => float_min_max(F64, false);
        visit_f64_copysign() => float_copysign(F64);
        visit_i32_trunc_f32_s() => float_to_int(F32, I32, true, false);
        visit_i32_trunc_f32_u() => float_to_int(F32, I32, false, false);
        visit_i32_trunc_f64_s() => float_to_int(F64, I32, true, false);
        visit_i32_trunc_f64_u() => float_to_int(F64, I32, false, false);
        visit_i64_extend_i32_s() => sign_extend(I64, ExtMode::LQ);
        visit_i64_trunc_f32_s() => float_to_int(F32, I64, true, false);
        visit_i64_trunc_f32_u() => float_to_int(F32, I64, false, false);
        visit_i64_trunc_f64_s() => float_to_int(F64, I64, true, false);
        visit_i64_trunc_f64_u() => float_to_int(F64, I64, false, false);
        visit_f32_convert_i32_s() => int_to_float(I32, F32, true);
        visit_f32_convert_i32_u() => int_to_float(I32, F32, false);
        visit_f32_convert_i64_s() => int_to_float(I64, F32, true);
        visit_f32_convert_i64_u() => int_to_float(I64, F32, false);
        visit_f32_demote_f64() => float_resize(F32);
        visit_f64_convert_i32_s() => int_to_float(I32, F64, true);
        visit_f64_convert_i32_u() => int_to_float(I32, F64, false);
        visit_f64_convert_i64_s() => int_to_float(I64, F64, true);
        visit_f64_convert_i64_u() => int_to_float(I64, F64, false);
        visit_f64_promote_f32() => float_resize(F64);
        visit_i32_reinterpret_f32() => reinterpret(I32);
        visit_i64_reinterpret_f64() => reinterpret(I64);
        visit_f32_reinterpret_i32() => reinterpret(F32);
        visit_f64_reinterpret_i64() => reinterpret(F64);
        visit_i32_extend8_s() => sign_extend(I32, ExtMode::BL);
        visit_i32_extend16_s() => sign_extend(I32, ExtMode::WL);
        visit_i64_extend8_s() => sign_extend(I64, ExtMode::BQ);
        visit_i64_extend16_s() => sign_extend(I64, ExtMode::WQ);
        visit_i64_extend32_s() => sign_extend(I64, ExtMode::LQ);
        visit_i32_trunc_sat_f32_s() => float_to_int(F32, I32, true, true);
        visit_i32_trunc_sat_f32_u() => float_to_int(F32, I32, false, true);
        visit_i32_trunc_sat_f64_s() => float_to_int(F64, I32, true, true);
        visit_i32_trunc_sat_f64_u() => float_to_int(F64, I32, false, true);
        visit_i64_trunc_sat_f32_s() => float_to_int(F32, I64, true, true);
        visit_i64_trunc_sat_f32_u() => float_to_int(F32, I64, false, true);
        visit_i64_trunc_sat_f64_s() => float_to_int(F64, I64, true, true);
        visit_i64_trunc_sat_f64_u() => float_to_int(F64, I64, false, true);
}
