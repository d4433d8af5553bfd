//! `clock_res_get` and `clock_time_get`.
//!
//! All four preview1 clocks map to the host's POSIX clocks: realtime,
//! monotonic, and the process's and calling thread's CPU time. Precision
//! hints are ignored: the host clocks are already as precise as they get.

use rustix::time::{ClockId, Timespec};

use crate::abi::{Clockid, Errno};
use crate::ctx::WasiCtx;
use crate::memory::GuestMemory;

impl WasiCtx {
    /// `clock_res_get`: the resolution of clock `id` in nanoseconds.
    pub fn clock_res_get(
        &mut self,
        memory: &mut [u8],
        id: u32,
        resolution_out: u32,
    ) -> Result<(), Errno> {
        let clock = Clockid::from_raw(id)?;
        // The witx requires a non-zero resolution for supported clocks.
        let resolution = timespec_nanos(rustix::time::clock_getres(host_clock(clock))).max(1);
        GuestMemory::new(memory).write_u64(resolution_out, resolution)
    }

    /// `clock_time_get`: the current time of clock `id` in nanoseconds.
    pub fn clock_time_get(
        &mut self,
        memory: &mut [u8],
        id: u32,
        _precision: u64,
        time_out: u32,
    ) -> Result<(), Errno> {
        let clock = Clockid::from_raw(id)?;
        GuestMemory::new(memory).write_u64(time_out, now(clock))
    }
}

/// The current time of `clock` in nanoseconds.
pub(crate) fn now(clock: Clockid) -> u64 {
    timespec_nanos(rustix::time::clock_gettime(host_clock(clock)))
}

fn host_clock(clock: Clockid) -> ClockId {
    match clock {
        Clockid::Realtime => ClockId::Realtime,
        Clockid::Monotonic => ClockId::Monotonic,
        Clockid::ProcessCputimeId => ClockId::ProcessCPUTime,
        Clockid::ThreadCputimeId => ClockId::ThreadCPUTime,
    }
}

/// A host time as unsigned nanoseconds (times before the epoch clamp to 0).
fn timespec_nanos(time: Timespec) -> u64 {
    let total = i128::from(time.tv_sec) * 1_000_000_000 + i128::from(time.tv_nsec);
    u64::try_from(total.max(0)).unwrap_or(u64::MAX)
}
