//! `poll_oneoff`: clocks, always-ready descriptors, host descriptors and
//! per-subscription errors.

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};

use common::{Guest, PREOPEN, STDIN, STDOUT, tempdir};
use tern_wasi::abi::{Errno, Event, Eventtype, Rights, Subscription, SubscriptionKind};
use tern_wasi::{Input, Output, ReadPipe, WasiCtxBuilder, WritePipe};

const MONOTONIC: u32 = 1;
const REALTIME: u32 = 0;
const ABSTIME: u16 = 1;

fn clock(userdata: u64, id: u32, timeout: u64, flags: u16) -> Subscription {
    Subscription {
        userdata,
        kind: SubscriptionKind::Clock {
            id,
            timeout,
            precision: 0,
            flags,
        },
    }
}

fn read(userdata: u64, fd: u32) -> Subscription {
    Subscription {
        userdata,
        kind: SubscriptionKind::FdRead(fd),
    }
}

fn write(userdata: u64, fd: u32) -> Subscription {
    Subscription {
        userdata,
        kind: SubscriptionKind::FdWrite(fd),
    }
}

/// Calls `poll_oneoff` and decodes the events.
fn poll(guest: &mut Guest, subs: &[Subscription]) -> Result<Vec<Event>, Errno> {
    let bytes: Vec<u8> = subs.iter().flat_map(|s| s.encode()).collect();
    let input = guest.put(&bytes);
    let events = guest.alloc(32 * subs.len());
    let count = guest.alloc(4);
    guest.ok(
        "poll_oneoff",
        &[input.into(), events.into(), subs.len() as u64, count.into()],
    )?;
    let n = guest.u32_at(count) as usize;
    assert!(n <= subs.len());
    Ok((0..n)
        .map(|i| {
            let raw: [u8; 32] = guest.bytes(events + 32 * i as u32, 32).try_into().unwrap();
            Event::decode(&raw).unwrap()
        })
        .collect())
}

fn monotonic_now(guest: &mut Guest) -> u64 {
    let out = guest.alloc(8);
    guest
        .ok("clock_time_get", &[MONOTONIC.into(), 0, out.into()])
        .unwrap();
    guest.u64_at(out)
}

#[test]
fn no_subscriptions_is_inval() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    assert_eq!(poll(&mut guest, &[]), Err(Errno::Inval));
}

#[test]
fn a_relative_clock_fires_after_its_timeout() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    let start = monotonic_now(&mut guest);
    let events = poll(&mut guest, &[clock(42, MONOTONIC, 10_000_000, 0)]).unwrap();
    let elapsed = monotonic_now(&mut guest) - start;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].userdata, events[0].kind, events[0].error),
        (42, Eventtype::Clock, Errno::Success)
    );
    assert!(elapsed >= 10_000_000, "woke after {elapsed} ns");
}

#[test]
fn absolute_clocks_in_the_past_fire_at_once() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    let events = poll(
        &mut guest,
        &[
            clock(1, REALTIME, 1, ABSTIME),
            clock(2, MONOTONIC, 0, ABSTIME),
        ],
    )
    .unwrap();
    let mut ids: Vec<u64> = events.iter().map(|e| e.userdata).collect();
    ids.sort();
    assert_eq!(ids, [1, 2]);
    // An absolute deadline a little in the future is waited for.
    let deadline = monotonic_now(&mut guest) + 5_000_000;
    poll(&mut guest, &[clock(3, MONOTONIC, deadline, ABSTIME)]).unwrap();
    assert!(monotonic_now(&mut guest) >= deadline);
}

#[test]
fn ready_descriptors_are_reported_without_waiting_for_clocks() {
    // wasi-testsuite's `poll_oneoff_stdio`, with piped stdio.
    let dir = tempdir();
    std::fs::write(dir.path().join("file"), b"0123456789").unwrap();
    let mut guest = Guest::new(
        WasiCtxBuilder::new()
            .preopened_dir(dir.path(), "/", tern_wasi::DirPerms::ReadWrite)
            .stdin(Input::Pipe(ReadPipe::new("abc")))
            .stdout(Output::Pipe(WritePipe::new())),
    );
    let rights = Rights::FD_READ | Rights::FD_SEEK | Rights::POLL_FD_READWRITE;
    let file = guest
        .path_open(PREOPEN, 0, "file", 0, rights.bits(), 0, 0)
        .unwrap();
    guest.seek(file, 4, 0).unwrap();
    let hour = 3_600_000_000_000;
    let events = poll(
        &mut guest,
        &[
            clock(9, MONOTONIC, hour, 0),
            read(1, STDIN),
            write(2, STDOUT),
            read(3, file),
        ],
    )
    .unwrap();
    let by_id = |id| events.iter().find(|e| e.userdata == id).copied();
    assert!(by_id(9).is_none(), "the clock has not fired");
    assert_eq!(by_id(1).unwrap().nbytes, 3, "bytes left in the stdin pipe");
    assert_eq!(by_id(1).unwrap().kind, Eventtype::FdRead);
    assert_eq!(by_id(2).unwrap().kind, Eventtype::FdWrite);
    assert_eq!(by_id(3).unwrap().nbytes, 6, "bytes after the file position");
    assert!(events.iter().all(|e| e.error == Errno::Success));
}

#[test]
fn bad_subscriptions_fail_their_own_event() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    let events = poll(
        &mut guest,
        &[
            read(1, 77),
            clock(2, 9, 0, 0),
            clock(3, 2, 0, 0),
            write(4, STDIN),
            clock(5, MONOTONIC, 0, 1 << 3),
        ],
    )
    .unwrap();
    let error = |id| events.iter().find(|e| e.userdata == id).unwrap().error;
    assert_eq!(error(1), Errno::Badf);
    assert_eq!(error(2), Errno::Inval, "unknown clock");
    assert_eq!(
        error(3),
        Errno::Notsup,
        "CPU-time clocks cannot be waited for"
    );
    assert_eq!(error(4), Errno::Notcapable, "stdin is not writable");
    assert_eq!(error(5), Errno::Inval, "unknown subclockflags");
    // An unknown event type is a malformed call.
    let mut bad = clock(6, MONOTONIC, 0, 0).encode();
    bad[8] = 7;
    let input = guest.put(&bad);
    let out = guest.alloc(32);
    let count = guest.alloc(4);
    assert_eq!(
        guest.errno("poll_oneoff", &[input.into(), out.into(), 1, count.into()]),
        Errno::Inval
    );
}

#[test]
fn host_sockets_are_polled_until_ready_or_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut peer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (stream, _) = listener.accept().unwrap();
    let mut guest = Guest::new(WasiCtxBuilder::new().tcp_stream(stream));
    let socket = 3;
    // Nothing to read yet: the clock fires.
    let events = poll(
        &mut guest,
        &[read(1, socket), clock(2, MONOTONIC, 20_000_000, 0)],
    )
    .unwrap();
    assert_eq!(events.iter().map(|e| e.userdata).collect::<Vec<_>>(), [2]);
    // Writable right away.
    let events = poll(&mut guest, &[write(3, socket)]).unwrap();
    assert_eq!((events[0].userdata, events[0].error), (3, Errno::Success));
    // Data arrives: readable, with the byte count.
    peer.write_all(b"hello").unwrap();
    let events = poll(
        &mut guest,
        &[read(4, socket), clock(5, MONOTONIC, 3_600_000_000_000, 0)],
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].userdata, events[0].nbytes), (4, 5));
    // The peer hangs up.
    drop(peer);
    let events = poll(&mut guest, &[read(6, socket)]).unwrap();
    assert_eq!(events[0].userdata, 6);
    assert_eq!(guest.read(socket, 8).unwrap(), b"hello");
    let events = poll(&mut guest, &[read(7, socket)]).unwrap();
    assert_eq!(events[0].userdata, 7, "end of stream is readable");
    assert_eq!(guest.read(socket, 8).unwrap(), b"");
}
