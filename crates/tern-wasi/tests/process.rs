//! Arguments, environment, clocks, randomness and process control.

mod common;

use common::{Guest, ok_or};
use tern_wasi::{Errno, Signal, Unwind, WasiCtxBuilder};

fn strings_at(guest: &Guest, pointers: u32, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let start = guest.u32_at(pointers + 4 * i as u32) as usize;
            let len = guest.mem[start..].iter().position(|&b| b == 0).unwrap();
            String::from_utf8(guest.mem[start..start + len].to_vec()).unwrap()
        })
        .collect()
}

#[test]
fn args_round_trip_through_sizes_and_get() {
    // The arguments wasi-testsuite's args tests pass.
    let args = ["prog.wasm", "first", "the \"second\" arg", "3"];
    let mut guest = Guest::new(WasiCtxBuilder::new().args(args));
    let sizes = guest.alloc(8);
    guest
        .ok("args_sizes_get", &[sizes.into(), (sizes + 4).into()])
        .unwrap();
    let (argc, buf_size) = (guest.u32_at(sizes), guest.u32_at(sizes + 4));
    assert_eq!(argc, 4);
    assert_eq!(
        buf_size as usize,
        args.iter().map(|a| a.len() + 1).sum::<usize>()
    );
    let argv = guest.alloc(4 * argc as usize);
    let buf = guest.alloc(buf_size as usize);
    guest.ok("args_get", &[argv.into(), buf.into()]).unwrap();
    assert_eq!(strings_at(&guest, argv, 4), args);
    // The strings are packed in order from the start of the buffer.
    assert_eq!(guest.u32_at(argv), buf);
}

#[test]
fn no_arguments_means_zero_sizes() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    let sizes = guest.put(&[0xff; 8]);
    guest
        .ok("args_sizes_get", &[sizes.into(), (sizes + 4).into()])
        .unwrap();
    assert_eq!((guest.u32_at(sizes), guest.u32_at(sizes + 4)), (0, 0));
}

#[test]
fn environment_round_trips_as_name_equals_value() {
    let mut guest = Guest::new(
        WasiCtxBuilder::new()
            .env("a", "text")
            .env("b", "escap \" ing")
            .env("c", "new\nline"),
    );
    let sizes = guest.alloc(8);
    guest
        .ok("environ_sizes_get", &[sizes.into(), (sizes + 4).into()])
        .unwrap();
    let count = guest.u32_at(sizes) as usize;
    assert_eq!(count, 3);
    let environ = guest.alloc(4 * count);
    let buf = guest.alloc(guest.u32_at(sizes + 4) as usize);
    guest
        .ok("environ_get", &[environ.into(), buf.into()])
        .unwrap();
    assert_eq!(
        strings_at(&guest, environ, count),
        ["a=text", "b=escap \" ing", "c=new\nline"]
    );
}

#[test]
fn the_host_environment_is_not_inherited() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    let sizes = guest.alloc(8);
    guest
        .ok("environ_sizes_get", &[sizes.into(), (sizes + 4).into()])
        .unwrap();
    assert_eq!(guest.u32_at(sizes), 0);
}

#[test]
fn every_clock_has_a_nonzero_resolution() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    for clock in 0..4u64 {
        let out = guest.alloc(8);
        guest.ok("clock_res_get", &[clock, out.into()]).unwrap();
        assert!(guest.u64_at(out) > 0, "clock {clock}");
    }
    let out = guest.alloc(8);
    assert_eq!(guest.errno("clock_res_get", &[4, out.into()]), Errno::Inval);
}

#[test]
fn clocks_tell_the_time() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    let out = guest.alloc(8);
    let read = |guest: &mut Guest, clock: u64| {
        guest.ok("clock_time_get", &[clock, 0, out.into()]).unwrap();
        guest.u64_at(out)
    };
    let first = read(&mut guest, 1);
    let second = read(&mut guest, 1);
    assert!(first <= second, "the monotonic clock went backwards");

    let realtime = read(&mut guest, 0);
    let host = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    assert!(
        realtime.abs_diff(host) < 60_000_000_000,
        "realtime is not the host's time"
    );

    // Burn some CPU so the CPU-time clocks move.
    let start_cpu = read(&mut guest, 2);
    let mut x = 0u64;
    for i in 0..2_000_000u64 {
        x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
    }
    assert!(
        read(&mut guest, 2) > start_cpu,
        "process CPU time did not advance"
    );
    assert!(read(&mut guest, 3) > 0);
    assert_eq!(
        guest.errno("clock_time_get", &[9, 0, out.into()]),
        Errno::Inval
    );
}

#[test]
fn random_get_fills_the_buffer() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    let buf = guest.alloc(1024);
    guest.ok("random_get", &[buf.into(), 1024]).unwrap();
    assert!(guest.bytes(buf, 1024).iter().any(|&b| b != 0));
    let before = guest.bytes(buf, 1024).to_vec();
    guest.ok("random_get", &[buf.into(), 1024]).unwrap();
    assert_ne!(guest.bytes(buf, 1024), &before[..]);
    // Zero bytes is fine, even at the very end of memory.
    let end = guest.mem.len() as u64;
    guest.ok("random_get", &[end, 0]).unwrap();
}

#[test]
fn proc_exit_unwinds_with_the_code() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    assert_eq!(guest.call("proc_exit", &[33]), Err(Unwind::Exit(33)));
    assert_eq!(Unwind::Exit(33).exit_status(), Some(33));
    // The context is still usable afterwards: the host survived.
    guest.ok("sched_yield", &[]).unwrap();
}

#[test]
fn proc_raise_applies_the_default_action() {
    let mut guest = Guest::new(WasiCtxBuilder::new());
    let term = u64::from(Signal::Term.raw());
    assert_eq!(
        guest.call("proc_raise", &[term]),
        Err(Unwind::Signal(Signal::Term))
    );
    assert_eq!(Unwind::Signal(Signal::Term).exit_status(), Some(128 + 15));
    let winch = u64::from(Signal::Winch.raw());
    assert_eq!(ok_or(guest.errno("proc_raise", &[winch])), Ok(()));
    let stop = u64::from(Signal::Stop.raw());
    assert_eq!(guest.errno("proc_raise", &[stop]), Errno::Notsup);
    assert_eq!(guest.errno("proc_raise", &[31]), Errno::Inval);
}
