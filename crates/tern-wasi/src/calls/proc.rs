//! `proc_exit`, `proc_raise`, `sched_yield` and `random_get`.
//!
//! Ending the program is not an errno: `proc_exit`, and `proc_raise` of a
//! signal whose default action terminates, return an [`Unwind`] that the
//! embedder turns into unwinding out of the guest (the host process is not
//! touched). Signals whose default action is to be ignored or to continue
//! succeed without effect; stop signals are `NOTSUP`, as a wasm instance has
//! no job control.

use rustix::rand::GetRandomFlags;

use crate::abi::{Errno, Signal, SignalAction};
use crate::ctx::WasiCtx;
use crate::dispatch::Unwind;
use crate::memory::GuestMemory;

impl WasiCtx {
    /// `proc_exit`: ends the program with exit code `code`.
    pub fn proc_exit(&mut self, _memory: &mut [u8], code: u32) -> Unwind {
        Unwind::Exit(code)
    }

    /// `proc_raise`: delivers `signal` to the program, with the signal's
    /// default action.
    pub fn proc_raise(
        &mut self,
        _memory: &mut [u8],
        signal: u32,
    ) -> Result<Result<(), Errno>, Unwind> {
        let signal = match Signal::from_raw(signal) {
            Ok(signal) => signal,
            Err(errno) => return Ok(Err(errno)),
        };
        match signal.default_action() {
            SignalAction::Terminate => Err(Unwind::Signal(signal)),
            SignalAction::Ignore | SignalAction::Continue => Ok(Ok(())),
            SignalAction::Stop => Ok(Err(Errno::Notsup)),
        }
    }

    /// `sched_yield`: lets other host threads run.
    pub fn sched_yield(&mut self, _memory: &mut [u8]) -> Result<(), Errno> {
        std::thread::yield_now();
        Ok(())
    }

    /// `random_get`: fills `buf_len` bytes at `buf` from the host's CSPRNG.
    pub fn random_get(&mut self, memory: &mut [u8], buf: u32, buf_len: u32) -> Result<(), Errno> {
        let mut mem = GuestMemory::new(memory);
        let out = mem.bytes_mut(buf, buf_len)?;
        let mut filled = 0;
        while filled < out.len() {
            match rustix::rand::getrandom(&mut out[filled..], GetRandomFlags::empty()) {
                Ok(n) => filled += n,
                Err(rustix::io::Errno::INTR) => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }
}
