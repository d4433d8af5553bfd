//! Per-signature trampolines between the host and compiled code.
//!
//! - The *array-call* trampoline lets the host call any function of a
//!   signature: `trampoline(vmctx, code, values)` loads the arguments from
//!   the `ValRaw` array into the locations the shared ABI assigns, calls
//!   `code`, and writes the results back into the same array.
//! - The *host-exit* trampoline is the code pointer of every host function
//!   of a signature: called by Wasm per the ABI with the host function's
//!   context in the vmctx register, it spills the arguments into a
//!   `ValRaw` array on its stack and calls the context's shim
//!   (`shim(context, values)`, the pointer at offset 0 of the context),
//!   then returns the results per the ABI.
//!
//! Both are generated with tern-asm, once per engine and signature.

use crate::code_memory::CodeMemory;
use crate::values::ValRaw;
use tern_asm::{Amode, Assembler, PReg, Reg, RegMem, Size, regs};
use tern_environ::abi::{ArgLoc, SigLocations, VMCTX_REG};
use tern_environ::{FuncType, ValType};

const SLOT: i32 = std::mem::size_of::<ValRaw>() as i32;

/// The two trampolines of one signature, in their own code memory.
pub struct Trampolines {
    _code: CodeMemory,
    pub array_call: *const u8,
    pub host_exit: *const u8,
}

// SAFETY: the code memory is immutable after publication; the pointers
// point into it.
unsafe impl Send for Trampolines {}
// SAFETY: as above.
unsafe impl Sync for Trampolines {}

impl Trampolines {
    pub fn new(ty: &FuncType) -> std::io::Result<Trampolines> {
        let mut asm = Assembler::new();
        let locs = SigLocations::new(ty);
        emit_array_call(&mut asm, ty, &locs);
        let host_exit_offset = align16(&mut asm);
        emit_host_exit(&mut asm, ty, &locs);
        let finished = asm.finish().expect("trampolines bind every label");
        assert!(finished.relocs.is_empty());
        let mut code = CodeMemory::new(finished.code.len())?;
        code.bytes_mut()[..finished.code.len()].copy_from_slice(finished.code);
        code.publish()?;
        let base = code.as_ptr();
        Ok(Trampolines {
            array_call: base,
            // SAFETY: the offset lies inside the code just copied.
            host_exit: unsafe { base.add(host_exit_offset as usize) },
            _code: code,
        })
    }
}

fn align16(asm: &mut Assembler) -> u32 {
    while !asm.offset().is_multiple_of(16) {
        let pad = (16 - asm.offset() % 16).min(8) as u8;
        asm.nop(pad);
    }
    asm.offset()
}

fn slot(base: PReg, index: usize) -> Amode {
    Amode::base_disp(base, SLOT * index as i32)
}

/// Size of a value of `ty` as it moves between registers and memory.
fn int_size(ty: ValType) -> Size {
    match ty {
        ValType::I32 => Size::S32,
        _ => Size::S64,
    }
}

/// Loads a value of type `ty` from `src` into register `dst`.
fn load(asm: &mut Assembler, ty: ValType, dst: PReg, src: Amode) {
    match ty {
        ValType::F32 => asm.movss(dst, RegMem::from(src)),
        ValType::F64 => asm.movsd(dst, RegMem::from(src)),
        _ => asm.mov_rm(int_size(ty), dst, RegMem::from(src)),
    }
}

/// Stores a value of type `ty` from register `src` to `dst`.
fn store(asm: &mut Assembler, ty: ValType, dst: Amode, src: PReg) {
    match ty {
        ValType::F32 => asm.movss_store(dst, src),
        ValType::F64 => asm.movsd_store(dst, src),
        _ => asm.mov_mr(int_size(ty), dst, src),
    }
}

/// A scratch register of the right class for copying a value of `ty`
/// through memory.
fn scratch(ty: ValType) -> PReg {
    if ty.is_int_class() {
        regs::RAX
    } else {
        regs::XMM15
    }
}

/// `array_call(vmctx = rdi, code = rsi, values = rdx)`.
fn emit_array_call(asm: &mut Assembler, ty: &FuncType, locs: &SigLocations) {
    let frame = (locs.stack_args_size + locs.ret_area_size).div_ceil(16) * 16;
    let values = regs::RBX;
    let code = regs::R12;
    asm.push(regs::RBP);
    asm.mov_rm(Size::S64, regs::RBP, RegMem::from(Reg::from(regs::RSP)));
    asm.push(values);
    asm.push(code);
    if frame > 0 {
        asm.sub(Size::S64, regs::RSP, frame as i32);
    }
    asm.mov_rm(Size::S64, values, RegMem::from(Reg::from(regs::RDX)));
    asm.mov_rm(Size::S64, code, RegMem::from(Reg::from(regs::RSI)));
    let ret_area = Amode::base_disp(regs::RSP, locs.stack_args_size as i32);
    // Stack arguments and the return-area pointer first: they go through
    // rax, which is not an argument register.
    for (i, (&param, loc)) in ty.params.iter().zip(&locs.params).enumerate() {
        if let ArgLoc::Stack(offset) = *loc {
            let tmp = scratch(param);
            load(asm, param, tmp, slot(values, i));
            store(asm, param, Amode::base_disp(regs::RSP, offset as i32), tmp);
        }
    }
    match locs.ret_area_ptr {
        Some(ArgLoc::Reg(r)) => asm.lea(Size::S64, r, ret_area),
        Some(ArgLoc::Stack(offset)) => {
            asm.lea(Size::S64, regs::RAX, ret_area);
            asm.mov_mr(
                Size::S64,
                Amode::base_disp(regs::RSP, offset as i32),
                regs::RAX,
            );
        }
        _ => {}
    }
    for (i, (&param, loc)) in ty.params.iter().zip(&locs.params).enumerate() {
        if let ArgLoc::Reg(r) = *loc {
            load(asm, param, r, slot(values, i));
        }
    }
    debug_assert_eq!(
        VMCTX_REG,
        regs::RDI,
        "the vmctx arrives where the callee wants it"
    );
    asm.call_ind(RegMem::from(Reg::from(code)));
    for (i, (&result, loc)) in ty.results.iter().zip(&locs.results).enumerate() {
        match *loc {
            ArgLoc::Reg(r) => store(asm, result, slot(values, i), r),
            ArgLoc::RetArea(offset) => {
                let tmp = if result.is_int_class() {
                    regs::RCX
                } else {
                    regs::XMM15
                };
                load(asm, result, tmp, ret_area.offset(offset as i32));
                store(asm, result, slot(values, i), tmp);
            }
            ArgLoc::Stack(_) => unreachable!("results are never passed on the stack"),
        }
    }
    if frame > 0 {
        asm.add(Size::S64, regs::RSP, frame as i32);
    }
    asm.pop(code);
    asm.pop(values);
    asm.pop(regs::RBP);
    asm.ret();
}

/// Host-exit trampoline: `(context = rdi, Wasm arguments per the ABI)`.
fn emit_host_exit(asm: &mut Assembler, ty: &FuncType, locs: &SigLocations) {
    let slots = ty.params.len().max(ty.results.len()) as u32;
    // After `push rbp; push rbx` rsp is 8 mod 16; the frame restores
    // alignment for the call.
    let frame = (SLOT as u32 * slots).div_ceil(16) * 16 + 8;
    let ret_area = regs::RBX;
    asm.push(regs::RBP);
    asm.mov_rm(Size::S64, regs::RBP, RegMem::from(Reg::from(regs::RSP)));
    asm.push(ret_area);
    asm.sub(Size::S64, regs::RSP, frame as i32);
    // Incoming stack arguments start at [rbp + 16].
    let incoming = |offset: u32| Amode::base_disp(regs::RBP, 16 + offset as i32);
    match locs.ret_area_ptr {
        Some(ArgLoc::Reg(r)) => asm.mov_rm(Size::S64, ret_area, RegMem::from(Reg::from(r))),
        Some(ArgLoc::Stack(offset)) => {
            asm.mov_rm(Size::S64, ret_area, RegMem::from(incoming(offset)))
        }
        _ => {}
    }
    for (i, (&param, loc)) in ty.params.iter().zip(&locs.params).enumerate() {
        match *loc {
            ArgLoc::Reg(r) => store(asm, param, slot(regs::RSP, i), r),
            ArgLoc::Stack(offset) => {
                let tmp = scratch(param);
                load(asm, param, tmp, incoming(offset));
                store(asm, param, slot(regs::RSP, i), tmp);
            }
            ArgLoc::RetArea(_) => unreachable!("parameters are never in the return area"),
        }
    }
    asm.mov_rm(Size::S64, regs::RSI, RegMem::from(Reg::from(regs::RSP)));
    // shim(context, values): the shim's address is the context's first field.
    asm.call_ind(RegMem::from(Amode::base_disp(regs::RDI, 0)));
    for (i, (&result, loc)) in ty.results.iter().zip(&locs.results).enumerate() {
        if let ArgLoc::RetArea(offset) = *loc {
            let tmp = if result.is_int_class() {
                regs::RCX
            } else {
                regs::XMM15
            };
            load(asm, result, tmp, slot(regs::RSP, i));
            store(asm, result, Amode::base_disp(ret_area, offset as i32), tmp);
        }
    }
    if let (Some(&result), Some(ArgLoc::Reg(r))) = (ty.results.first(), locs.results.first()) {
        load(asm, result, *r, slot(regs::RSP, 0));
    }
    asm.add(Size::S64, regs::RSP, frame as i32);
    asm.pop(ret_area);
    asm.pop(regs::RBP);
    asm.ret();
}
