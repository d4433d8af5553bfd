//! Turning faults in generated code into `Trap` errors.
//!
//! Compiled code never checks for most traps: an out-of-bounds access hits
//! a guard page (SIGSEGV/SIGBUS), `unreachable` and explicit checks execute
//! `ud2` (SIGILL), a division by zero raises SIGFPE. Each such instruction
//! has a trap site in its function's trap table. The signal handler looks
//! the faulting PC up in the [`registry`](crate::registry); if it is a trap
//! site, it records the trap in the thread's innermost [`CallThreadState`]
//! and rewrites the interrupted context so that, when the handler returns,
//! execution continues in `tern_trap_resume`: that stub restores the stack
//! pointer saved by `tern_enter` and returns 1 from it. The Wasm frames in
//! between are simply abandoned (they hold no resources).
//!
//! Host functions called from Wasm that fail use the same exit:
//! [`raise`] records the error and jumps to `tern_trap_resume`. Only the
//! shim that calls the host closure lies between, and it holds nothing
//! that needs dropping at that point (see `func.rs`).
//!
//! Stack overflow is detected by compiled code itself: every prologue
//! compares the stack pointer with the store's stack limit, set here on the
//! outermost entry from the host: `max_wasm_stack` below the current stack
//! pointer, but never closer than [`HOST_STACK_RESERVE`] to the end of the
//! thread's stack, so host functions called from deep Wasm still have
//! room.

use crate::registry::{self, TrapLocation};
use crate::vmcontext::VMStoreContext;
use std::any::Any;
use std::cell::Cell;
use std::sync::{Once, OnceLock};

/// Stack kept free for host code below the deepest Wasm frame.
pub const HOST_STACK_RESERVE: usize = 128 * 1024;

std::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl tern_runtime_enter",
    ".hidden tern_runtime_enter",
    "tern_runtime_enter:",
    // Arguments: rdi = state, rsi = trampoline, rdx = vmctx,
    // rcx = callee code, r8 = values array.
    "push rbp",
    "mov rbp, rsp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    // Keep rsp 16-byte aligned at the call below.
    "sub rsp, 8",
    // state.entry_sp (offset 0) = rsp: where tern_runtime_trap_resume
    // comes back to.
    "mov [rdi], rsp",
    "mov rax, rsi",
    "mov rdi, rdx",
    "mov rsi, rcx",
    "mov rdx, r8",
    "call rax",
    "xor eax, eax",
    ".Ltern_runtime_enter_return:",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    ".p2align 4",
    ".globl tern_runtime_trap_resume",
    ".hidden tern_runtime_trap_resume",
    "tern_runtime_trap_resume:",
    // rdi = state: unwind to the frame tern_runtime_enter saved.
    "mov rsp, [rdi]",
    "mov eax, 1",
    "jmp .Ltern_runtime_enter_return",
);

unsafe extern "C" {
    /// Calls `trampoline(vmctx, callee, values)` and returns 0, or returns
    /// 1 if a trap unwound to it.
    fn tern_runtime_enter(
        state: *mut u8,
        trampoline: *const u8,
        vmctx: *mut u8,
        callee: *const u8,
        values: *mut u8,
    ) -> u32;

    /// Unwinds to the `tern_runtime_enter` of `state` (never returns).
    fn tern_runtime_trap_resume(state: *mut u8) -> !;
}

/// What interrupted a call into Wasm.
pub enum Unwind {
    /// A trap in compiled code.
    Wasm(TrapLocation),
    /// A host function returned an error.
    Host(crate::Trap),
    /// A host function panicked; the panic resumes in the caller.
    Panic(Box<dyn Any + Send>),
}

/// Per-entry state, linked innermost first through the thread-local
/// [`CURRENT`].
#[repr(C)]
pub struct CallThreadState {
    /// Written by `tern_runtime_enter`; must stay the first field.
    entry_sp: usize,
    unwind: Option<Unwind>,
    prev: *mut CallThreadState,
}

thread_local! {
    static CURRENT: Cell<*mut CallThreadState> = const { Cell::new(std::ptr::null_mut()) };
}

/// Calls into compiled code through an array trampoline and catches traps.
///
/// # Safety
/// `trampoline`, `vmctx`, `callee` and `values` must form a valid call:
/// the trampoline for the callee's signature, the callee's vmctx, and a
/// values array large enough for its parameters and results. The store
/// context must be the callee's store's.
pub unsafe fn call_wasm(
    store_ctx: *mut VMStoreContext,
    max_wasm_stack: usize,
    trampoline: *const u8,
    vmctx: *mut u8,
    callee: *const u8,
    values: *mut u8,
) -> Result<(), Unwind> {
    install_handlers();
    crate::altstack::ensure_for_this_thread();
    // SAFETY: the store context is valid for the store's lifetime.
    let ctx = unsafe { &mut *store_ctx };
    let outermost = ctx.stack_limit == 0;
    if outermost {
        ctx.stack_limit = stack_limit(max_wasm_stack);
    }
    let mut state = CallThreadState {
        entry_sp: 0,
        unwind: None,
        prev: CURRENT.with(Cell::get),
    };
    CURRENT.with(|c| c.set(&mut state));
    // SAFETY: the caller guarantees a valid call; traps return here through
    // `tern_runtime_trap_resume` with `state` still alive on this frame.
    let status =
        unsafe { tern_runtime_enter((&raw mut state).cast(), trampoline, vmctx, callee, values) };
    CURRENT.with(|c| c.set(state.prev));
    if outermost {
        ctx.stack_limit = 0;
    }
    match status {
        0 => Ok(()),
        _ => Err(state
            .unwind
            .take()
            .expect("a trap unwound without recording why")),
    }
}

/// Abandons the Wasm frames up to the innermost entry from the host,
/// recording why.
///
/// # Safety
/// Must be called on a thread running Wasm, from a host
/// function called by Wasm, with no live values that need dropping in the
/// frames between here and the entry: they are skipped, not unwound.
pub unsafe fn raise(unwind: Unwind) -> ! {
    let state = CURRENT.with(Cell::get);
    assert!(!state.is_null(), "raise called outside of Wasm");
    // SAFETY: `state` is the innermost live entry of this thread.
    unsafe {
        (*state).unwind = Some(unwind);
        tern_runtime_trap_resume(state.cast())
    }
}

/// The lowest stack address Wasm may use on this thread.
fn stack_limit(max_wasm_stack: usize) -> usize {
    let here = &max_wasm_stack as *const usize as usize;
    let floor = crate::altstack::thread_stack_low() + HOST_STACK_RESERVE;
    here.saturating_sub(max_wasm_stack).max(floor)
}

const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];

/// The handlers that were installed before ours, for faults that are not
/// Wasm traps (set once, before any Wasm runs; read in the handler with a
/// plain atomic load).
static PREVIOUS: OnceLock<[libc::sigaction; 4]> = OnceLock::new();

fn install_handlers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: a zeroed sigaction is a valid value of the type.
        let mut previous: [libc::sigaction; 4] = unsafe { std::mem::zeroed() };
        for (i, &signal) in SIGNALS.iter().enumerate() {
            // SAFETY: a zeroed sigaction is a valid starting point; we fill
            // in the handler, flags and an empty mask.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handle_signal as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                if libc::sigaction(signal, &action, &mut previous[i]) != 0 {
                    panic!(
                        "installing the trap handler for signal {signal} failed: {}",
                        std::io::Error::last_os_error()
                    );
                }
            }
        }
        let _ = PREVIOUS.set(previous);
    });
}

extern "C" fn handle_signal(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    let state = CURRENT.with(Cell::get);
    // SAFETY: the kernel passes a valid ucontext_t for SA_SIGINFO handlers.
    let uc = unsafe { &mut *context.cast::<libc::ucontext_t>() };
    let pc = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
    if !state.is_null()
        && let Some(location) = registry::lookup_trap(pc)
    {
        {
            // SAFETY: `state` is the innermost live entry of this thread,
            // and this thread was interrupted in Wasm code, not in a place
            // that touches `state`.
            unsafe { (*state).unwind = Some(Unwind::Wasm(location)) };
            uc.uc_mcontext.gregs[libc::REG_RIP as usize] =
                tern_runtime_trap_resume as *const () as usize as i64;
            uc.uc_mcontext.gregs[libc::REG_RDI as usize] = state as i64;
            return;
        }
    }
    // Not a Wasm trap: hand it to whoever was there before us.
    let index = SIGNALS.iter().position(|&s| s == signal).unwrap_or(0);
    let Some(previous) = PREVIOUS.get().map(|p| &p[index]) else {
        // SAFETY: restoring the default action; the fault recurs on return
        // and gets the default treatment.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
        }
        return;
    };
    if previous.sa_flags & libc::SA_SIGINFO != 0 && previous.sa_sigaction > 1 {
        let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
            // SAFETY: an SA_SIGINFO handler has this signature.
            unsafe { std::mem::transmute(previous.sa_sigaction) };
        handler(signal, info, context);
    } else if previous.sa_sigaction > 1 {
        let handler: extern "C" fn(libc::c_int) =
            // SAFETY: a plain handler has this signature.
            unsafe { std::mem::transmute(previous.sa_sigaction) };
        handler(signal);
    } else {
        // Default or ignore: restore it and return, so that the faulting
        // instruction runs again and gets the default treatment.
        // SAFETY: `previous` is a valid sigaction.
        unsafe { libc::sigaction(signal, previous, std::ptr::null_mut()) };
    }
}
