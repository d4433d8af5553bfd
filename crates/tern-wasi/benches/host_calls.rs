//! The cost of WASI calls on the host side: the dispatch table, argument
//! decoding, bounds checks and the host operation, for the calls guests
//! make most (clock reads, writes to captured or discarded output, file
//! reads). Everything a runtime adds on top (the exit trampoline) is not
//! measured here.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::time::{Duration, Instant};

use tern_wasi::abi::{Iovec, Rights};
use tern_wasi::{DirPerms, Output, WasiCtx, WasiCtxBuilder, WasiFunc, WritePipe, dispatch};

const MEMORY: usize = 1 << 20;
const IOVS: u32 = 1024;
const BUF: u32 = 64 * 1024;
const OUT: u32 = 512;

fn call(ctx: &mut WasiCtx, memory: &mut [u8], func: WasiFunc, args: &[u64]) {
    let errno = dispatch(ctx, memory, func, args).expect("no unwinding");
    assert_eq!(errno, 0, "{} failed", func.name());
}

/// Lays out `count` iovecs of `len` bytes each, back to back at `BUF`.
fn iovecs(memory: &mut [u8], count: u32, len: u32) {
    for i in 0..count {
        let iovec = Iovec {
            buf: BUF + i * len,
            buf_len: len,
        };
        let at = (IOVS + 8 * i) as usize;
        memory[at..at + 8].copy_from_slice(&iovec.encode());
    }
}

fn bench(c: &mut Criterion) {
    let mut memory = vec![0u8; MEMORY];

    let mut ctx = WasiCtxBuilder::new().build().unwrap();
    c.bench_function("clock_time_get", |b| {
        b.iter(|| {
            call(
                &mut ctx,
                &mut memory,
                WasiFunc::ClockTimeGet,
                &[1, 0, OUT.into()],
            )
        })
    });

    let mut group = c.benchmark_group("fd_write");
    for (count, len) in [(1u32, 64u32), (1, 4096), (16, 256)] {
        iovecs(&mut memory, count, len);
        let args = [1, u64::from(IOVS), u64::from(count), u64::from(OUT)];
        group.throughput(Throughput::Bytes(u64::from(count * len)));

        let mut ctx = WasiCtxBuilder::new().stdout(Output::Null).build().unwrap();
        group.bench_function(BenchmarkId::new("null", format!("{count}x{len}")), |b| {
            b.iter(|| call(&mut ctx, &mut memory, WasiFunc::FdWrite, &args))
        });

        // A capture buffer is drained every 1024 writes, outside the timed
        // part, so it stays small and the cost measured is appending.
        let pipe = WritePipe::new();
        let mut ctx = WasiCtxBuilder::new()
            .stdout(Output::Pipe(pipe.clone()))
            .build()
            .unwrap();
        group.bench_function(BenchmarkId::new("pipe", format!("{count}x{len}")), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let batch = left.min(1024);
                    let start = Instant::now();
                    for _ in 0..batch {
                        call(&mut ctx, &mut memory, WasiFunc::FdWrite, &args);
                    }
                    total += start.elapsed();
                    pipe.take();
                    left -= batch;
                }
                total
            })
        });
    }
    group.finish();

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data"), vec![7u8; 1 << 16]).unwrap();
    let mut ctx = WasiCtxBuilder::new()
        .preopened_dir(dir.path(), "/", DirPerms::ReadOnly)
        .build()
        .unwrap();
    memory[2048..2052].copy_from_slice(b"data");
    let rights = (Rights::FD_READ | Rights::FD_SEEK).bits();
    call(
        &mut ctx,
        &mut memory,
        WasiFunc::PathOpen,
        &[3, 0, 2048, 4, 0, rights, 0, 0, OUT.into()],
    );
    let fd = u64::from(u32::from_le_bytes(
        memory[OUT as usize..OUT as usize + 4].try_into().unwrap(),
    ));
    iovecs(&mut memory, 1, 4096);
    let mut group = c.benchmark_group("fd_pread");
    group.throughput(Throughput::Bytes(4096));
    group.bench_function("file_4096", |b| {
        b.iter(|| {
            call(
                &mut ctx,
                &mut memory,
                WasiFunc::FdPread,
                &[fd, IOVS.into(), 1, 0, OUT.into()],
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
