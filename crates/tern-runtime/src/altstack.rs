//! Per-thread facts the trap machinery needs: an alternate signal stack
//! (the handler must run even when the fault is near the end of the
//! stack) and the bounds of the thread's stack (for the stack limit).

use std::cell::Cell;

/// Size of the alternate signal stack Tern installs when a thread has none.
const ALTSTACK_SIZE: usize = 64 * 1024;

struct AltStack {
    mapping: *mut libc::c_void,
    size: usize,
}

impl Drop for AltStack {
    fn drop(&mut self) {
        // SAFETY: disable the alternate stack before unmapping it; it was
        // installed by this thread, which is exiting.
        unsafe {
            let disable = libc::stack_t {
                ss_sp: std::ptr::null_mut(),
                ss_flags: libc::SS_DISABLE,
                ss_size: 0,
            };
            libc::sigaltstack(&disable, std::ptr::null_mut());
            libc::munmap(self.mapping, self.size);
        }
    }
}

thread_local! {
    static OWN_ALTSTACK: Cell<Option<Box<AltStack>>> = const { Cell::new(None) };
    static STACK_LOW: Cell<usize> = const { Cell::new(0) };
}

/// Makes sure this thread has an alternate signal stack (Rust's standard
/// library installs one on the threads it creates; other threads may not
/// have one).
pub fn ensure_for_this_thread() {
    // SAFETY: querying the current alternate stack has no side effects.
    let mut current: libc::stack_t = unsafe { std::mem::zeroed() };
    // SAFETY: `current` is a valid out-pointer.
    unsafe { libc::sigaltstack(std::ptr::null(), &mut current) };
    if current.ss_flags & libc::SS_DISABLE == 0 && current.ss_size >= 16 * 1024 {
        return;
    }
    // SAFETY: a fresh anonymous mapping, installed as this thread's
    // alternate stack and released with the thread (AltStack::drop).
    unsafe {
        let mapping = libc::mmap(
            std::ptr::null_mut(),
            ALTSTACK_SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if mapping == libc::MAP_FAILED {
            return;
        }
        let stack = libc::stack_t {
            ss_sp: mapping,
            ss_flags: 0,
            ss_size: ALTSTACK_SIZE,
        };
        libc::sigaltstack(&stack, std::ptr::null_mut());
        OWN_ALTSTACK.with(|s| {
            s.set(Some(Box::new(AltStack {
                mapping,
                size: ALTSTACK_SIZE,
            })))
        });
    }
}

/// The lowest address of the current thread's stack.
pub fn thread_stack_low() -> usize {
    let cached = STACK_LOW.with(Cell::get);
    if cached != 0 {
        return cached;
    }
    // SAFETY: pthread_getattr_np fills `attr` for the calling thread, which
    // we destroy after reading the stack bounds.
    let low = unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return 0;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
        libc::pthread_attr_destroy(&mut attr);
        if ok { addr as usize } else { 0 }
    };
    STACK_LOW.with(|c| c.set(low));
    low
}
