//! `poll_oneoff`: waiting for clocks and descriptor readiness.
//!
//! Each subscription ends up in one of three lists:
//!
//! - *ready now*: regular files (always ready, as the witx says), in-memory
//!   and null streams (they never block), and subscriptions that failed
//!   (a bad descriptor, a missing right or an unsupported clock is reported
//!   in that subscription's event, not as the call's errno);
//! - *clocks*: a deadline on the host's monotonic clock;
//! - *host descriptors* (inherited stdio, sockets): waited on with `poll(2)`.
//!
//! If anything is ready now the host descriptors are polled without
//! waiting; otherwise the call sleeps in `poll(2)` (or, with nothing to
//! poll, in `sleep`) until a descriptor is ready or the earliest deadline
//! passes. All events ready at that point are reported.

use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags};
use rustix::time::Timespec;

use crate::abi::{
    Clockid, Errno, Event, Eventrwflags, Eventtype, Rights, Subclockflags, Subscription,
    SubscriptionKind,
};
use crate::calls::time;
use crate::ctx::WasiCtx;
use crate::memory::{GuestMemory, offset};
use crate::table::{Entry, Handle};

/// The most subscriptions one call takes (more is `INVAL`, as `poll(2)`
/// answers for more descriptors than the process may have): keeps the
/// host's bookkeeping small whatever the guest's memory size.
pub const MAX_SUBSCRIPTIONS: u32 = 65_536;

struct ClockWait {
    userdata: u64,
    /// `None`: too far in the future to ever fire.
    deadline: Option<Instant>,
}

struct HostWait<'a> {
    userdata: u64,
    kind: Eventtype,
    fd: BorrowedFd<'a>,
}

/// How a descriptor subscription is answered.
enum Readiness<'a> {
    /// Ready now, with this many bytes available.
    Now(u64),
    /// Must be polled on the host.
    Host(BorrowedFd<'a>),
}

impl WasiCtx {
    /// `poll_oneoff`: waits until at least one subscription is ready and
    /// reports every ready one.
    pub fn poll_oneoff(
        &mut self,
        memory: &mut [u8],
        subscriptions: u32,
        events: u32,
        nsubscriptions: u32,
        nevents_out: u32,
    ) -> Result<(), Errno> {
        if nsubscriptions == 0 || nsubscriptions > MAX_SUBSCRIPTIONS {
            return Err(Errno::Inval);
        }
        let mut mem = GuestMemory::new(memory);
        // Both sizes are below 2^32: nsubscriptions <= 65536.
        let input_len = nsubscriptions * Subscription::SIZE as u32;
        mem.check(events, u64::from(nsubscriptions) * Event::SIZE as u64)?;
        mem.check(nevents_out, 4)?;
        let subs = mem
            .bytes(subscriptions, input_len)?
            .chunks_exact(Subscription::SIZE)
            .map(|raw| {
                let mut bytes = [0u8; Subscription::SIZE];
                bytes.copy_from_slice(raw);
                Subscription::decode(&bytes)
            })
            .collect::<Result<Vec<_>, Errno>>()?;

        let ready = self.wait(&subs)?;
        for (i, event) in ready.iter().enumerate() {
            mem.write(offset(events, (i * Event::SIZE) as u64)?, &event.encode())?;
        }
        // At most one event per subscription, and there are at most 65536.
        mem.write_u32(nevents_out, ready.len() as u32)
    }

    fn wait(&self, subs: &[Subscription]) -> Result<Vec<Event>, Errno> {
        let mut ready = Vec::new();
        let mut clocks = Vec::new();
        let mut host = Vec::new();
        for sub in subs {
            match sub.kind {
                SubscriptionKind::Clock {
                    id, timeout, flags, ..
                } => match clock_deadline(id, timeout, flags) {
                    Ok(deadline) => clocks.push(ClockWait {
                        userdata: sub.userdata,
                        deadline,
                    }),
                    Err(errno) => ready.push(failed(sub.userdata, Eventtype::Clock, errno)),
                },
                SubscriptionKind::FdRead(fd) | SubscriptionKind::FdWrite(fd) => {
                    let kind = match sub.kind {
                        SubscriptionKind::FdRead(_) => Eventtype::FdRead,
                        _ => Eventtype::FdWrite,
                    };
                    match self.readiness(fd, kind) {
                        Ok(Readiness::Now(nbytes)) => ready.push(Event {
                            userdata: sub.userdata,
                            error: Errno::Success,
                            kind,
                            nbytes,
                            flags: Eventrwflags::empty(),
                        }),
                        Ok(Readiness::Host(fd)) => host.push(HostWait {
                            userdata: sub.userdata,
                            kind,
                            fd,
                        }),
                        Err(errno) => ready.push(failed(sub.userdata, kind, errno)),
                    }
                }
            }
        }

        loop {
            let earliest = clocks.iter().filter_map(|c| c.deadline).min();
            let timeout = if ready.is_empty() {
                earliest.map(|deadline| deadline.saturating_duration_since(Instant::now()))
            } else {
                Some(Duration::ZERO)
            };
            if host.is_empty() {
                match timeout {
                    Some(timeout) => std::thread::sleep(timeout),
                    // Nothing can ever become ready: every subscription was a
                    // clock too far in the future. Report nothing rather than
                    // block forever.
                    None if ready.is_empty() => return Ok(ready),
                    None => {}
                }
            } else {
                poll_host(&host, timeout, &mut ready)?;
            }
            let now = Instant::now();
            for clock in &clocks {
                if clock.deadline.is_some_and(|deadline| deadline <= now) {
                    ready.push(Event {
                        userdata: clock.userdata,
                        error: Errno::Success,
                        kind: Eventtype::Clock,
                        nbytes: 0,
                        flags: Eventrwflags::empty(),
                    });
                }
            }
            if !ready.is_empty() {
                return Ok(ready);
            }
        }
    }

    fn readiness(&self, fd: u32, kind: Eventtype) -> Result<Readiness<'_>, Errno> {
        let entry = self.table.get(fd)?;
        entry.require(poll_rights(entry, kind))?;
        match &entry.handle {
            Handle::File(file) => Ok(Readiness::Now(if kind == Eventtype::FdRead {
                bytes_left(file)
            } else {
                0
            })),
            Handle::Reader(reader) => Ok(match reader.ready_bytes() {
                Some(n) => Readiness::Now(n),
                None => Readiness::Host(entry.handle.host_fd().ok_or(Errno::Badf)?),
            }),
            handle => Ok(match handle.host_fd() {
                Some(fd) => Readiness::Host(fd),
                None => Readiness::Now(0),
            }),
        }
    }
}

/// The rights subscribing needs (witx: `POLL_FD_READWRITE` plus the right
/// to read or write; accepting counts as reading for a listener).
fn poll_rights(entry: &Entry, kind: Eventtype) -> Rights {
    let access = match (&entry.handle, kind) {
        (Handle::Listener(_), _) => Rights::SOCK_ACCEPT,
        (_, Eventtype::FdWrite) => Rights::FD_WRITE,
        _ => Rights::FD_READ,
    };
    Rights::POLL_FD_READWRITE | access
}

/// Bytes between a file's position and its end.
fn bytes_left(file: &cap_std::fs::File) -> u64 {
    let size = rustix::fs::fstat(file).map_or(0, |stat| stat.st_size.max(0) as u64);
    let position = rustix::fs::tell(file).unwrap_or(size);
    size.saturating_sub(position)
}

fn failed(userdata: u64, kind: Eventtype, error: Errno) -> Event {
    Event {
        userdata,
        error,
        kind,
        nbytes: 0,
        flags: Eventrwflags::empty(),
    }
}

/// When a clock subscription fires, on the host's monotonic clock. Only the
/// realtime and monotonic clocks can be waited for (`NOTSUP` for the CPU
/// time clocks, which have no relation to elapsed time).
fn clock_deadline(id: u32, timeout: u64, flags: u16) -> Result<Option<Instant>, Errno> {
    let clock = Clockid::from_raw(id)?;
    let flags = Subclockflags::from_raw(u64::from(flags))?;
    if !matches!(clock, Clockid::Realtime | Clockid::Monotonic) {
        return Err(Errno::Notsup);
    }
    let delay = if flags.contains(Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME) {
        timeout.saturating_sub(time::now(clock))
    } else {
        timeout
    };
    Ok(Instant::now().checked_add(Duration::from_nanos(delay)))
}

/// Polls the host descriptors for up to `timeout` (forever if `None`) and
/// adds an event for each ready one.
fn poll_host(
    host: &[HostWait<'_>],
    timeout: Option<Duration>,
    ready: &mut Vec<Event>,
) -> Result<(), Errno> {
    let mut fds: Vec<PollFd<'_>> = host
        .iter()
        .map(|wait| {
            let events = if wait.kind == Eventtype::FdRead {
                PollFlags::IN
            } else {
                PollFlags::OUT
            };
            PollFd::from_borrowed_fd(wait.fd, events)
        })
        .collect();
    let timeout = timeout.map(|t| Timespec {
        tv_sec: t.as_secs().try_into().unwrap_or(i64::MAX),
        tv_nsec: t.subsec_nanos().into(),
    });
    match rustix::event::poll(&mut fds, timeout.as_ref()) {
        Ok(_) => {}
        // A signal arrived: report nothing; the caller loops and waits again.
        Err(rustix::io::Errno::INTR) => return Ok(()),
        Err(err) => return Err(err.into()),
    }
    for (wait, fd) in host.iter().zip(&fds) {
        let revents = fd.revents();
        if revents.is_empty() {
            continue;
        }
        let error = if revents.contains(PollFlags::NVAL) {
            Errno::Badf
        } else if revents.contains(PollFlags::ERR) {
            Errno::Io
        } else {
            Errno::Success
        };
        let mut flags = Eventrwflags::empty();
        flags.set(
            Eventrwflags::FD_READWRITE_HANGUP,
            revents.contains(PollFlags::HUP),
        );
        let nbytes = if wait.kind == Eventtype::FdRead {
            rustix::io::ioctl_fionread(wait.fd).unwrap_or(0)
        } else {
            0
        };
        ready.push(Event {
            userdata: wait.userdata,
            error,
            kind: wait.kind,
            nbytes,
            flags,
        });
    }
    Ok(())
}
