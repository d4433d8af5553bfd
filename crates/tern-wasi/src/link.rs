//! Registering WASI with a Tern [`Linker`].
//!
//! Every function comes from the table ([`WasiFunc::ALL`]): one loop
//! defines them all as raw host functions, and each call forwards the raw
//! arguments and the caller's exported `memory` to [`dispatch`]. A guest
//! that exports no memory still gets working calls for the functions that
//! touch none (`proc_exit`, `sched_yield`); the others see an empty memory
//! and answer `FAULT`.

use crate::WasiCtx;
use crate::dispatch::{Unwind, ValType, WasiFunc, dispatch};
use tern_runtime::{Caller, Extern, FuncType, Linker, Trap, ValRaw};

/// The most parameters any preview1 function has.
const MAX_PARAMS: usize = 16;

/// Defines every `wasi_snapshot_preview1` function in `linker`. `ctx`
/// finds the `WasiCtx` in the store's data.
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>, ctx: fn(&mut T) -> &mut WasiCtx) {
    for &func in WasiFunc::ALL {
        let sig = func.signature();
        let convert = |t: &ValType| match t {
            ValType::I32 => tern_runtime::ValType::I32,
            ValType::I64 => tern_runtime::ValType::I64,
        };
        let ty = FuncType::new(
            sig.params.iter().map(convert),
            sig.results.iter().map(convert),
        );
        let params = sig.params.len();
        assert!(
            params <= MAX_PARAMS,
            "{} has too many parameters",
            func.name()
        );
        let has_result = !sig.results.is_empty();
        linker.func_new_raw(
            WasiFunc::MODULE,
            func.name(),
            ty,
            move |mut caller: Caller<'_, T>, raw: &mut [ValRaw]| {
                let mut args = [0u64; MAX_PARAMS];
                for (arg, value) in args.iter_mut().zip(&raw[..params]) {
                    *arg = value.bits();
                }
                let args = &args[..params];
                let memory = caller.get_export("memory").and_then(Extern::into_memory);
                let outcome = match memory {
                    Some(memory) => {
                        let (bytes, data) = memory.data_and_store_mut(&mut caller);
                        dispatch(ctx(data), bytes, func, args)
                    }
                    None => dispatch(ctx(caller.data_mut()), &mut [], func, args),
                };
                match outcome {
                    Ok(errno) => {
                        if has_result {
                            raw[0] = ValRaw::i32(errno);
                        }
                        Ok(())
                    }
                    Err(unwind) => Err(unwind_to_trap(unwind)),
                }
            },
        );
    }
}

/// The trap that ends the guest for an `Unwind`: an exit request carrying
/// the status (`128 + n` for a fatal signal), or an error for a glue bug.
fn unwind_to_trap(unwind: Unwind) -> Trap {
    match unwind.exit_status() {
        Some(status) => Trap::exit(status),
        None => Trap::new(unwind.to_string()),
    }
}
