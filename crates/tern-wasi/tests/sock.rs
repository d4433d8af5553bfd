//! `sock_*` on sockets handed to the guest, and the errnos for everything
//! else (wasi-testsuite's `sock_shutdown-*` C tests).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use common::{Guest, STDOUT};
use tern_wasi::abi::{Fdflags, Filetype, Iovec, Rights};
use tern_wasi::{Errno, WasiCtxBuilder};

const RD: u64 = 1;
const WR: u64 = 2;
const PEEK: u64 = 1;

/// `sock_recv` into one buffer: the bytes and the returned flags.
fn recv(guest: &mut Guest, fd: u32, len: u32, flags: u64) -> Result<(Vec<u8>, u16), Errno> {
    let buf = guest.alloc(len as usize);
    let iovs = guest.raw_iovecs(&[Iovec { buf, buf_len: len }]);
    let (n, ro) = (guest.alloc(4), guest.alloc(2));
    guest.ok(
        "sock_recv",
        &[fd.into(), iovs.into(), 1, flags, n.into(), ro.into()],
    )?;
    let n = guest.u32_at(n) as usize;
    Ok((guest.bytes(buf, n).to_vec(), guest.u16_at(ro)))
}

fn send(guest: &mut Guest, fd: u32, data: &[u8]) -> Result<u32, Errno> {
    let iovs = guest.iovecs(&[data]);
    let n = guest.alloc(4);
    guest.ok("sock_send", &[fd.into(), iovs.into(), 1, 0, n.into()])?;
    Ok(guest.u32_at(n))
}

#[test]
fn a_listener_accepts_and_the_connection_talks_both_ways() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let mut guest = Guest::new(WasiCtxBuilder::new().tcp_listener(listener));
    let listener_fd = 3;
    let stat = guest.fdstat(listener_fd).unwrap();
    assert_eq!(stat.filetype, Filetype::SocketStream.raw());
    assert_ne!(stat.base & Rights::SOCK_ACCEPT.bits(), 0);

    let out = guest.alloc(4);
    guest
        .ok("sock_accept", &[listener_fd.into(), 0, out.into()])
        .unwrap();
    let conn = guest.u32_at(out);
    assert_eq!(
        guest.fdstat(conn).unwrap().filetype,
        Filetype::SocketStream.raw()
    );

    client.write_all(b"ping").unwrap();
    // Peeking leaves the data in the socket.
    assert_eq!(
        recv(&mut guest, conn, 16, PEEK).unwrap(),
        (b"ping".to_vec(), 0)
    );
    assert_eq!(
        recv(&mut guest, conn, 16, 0).unwrap(),
        (b"ping".to_vec(), 0)
    );
    assert_eq!(send(&mut guest, conn, b"pong"), Ok(4));
    let mut reply = [0u8; 4];
    client.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"pong");

    // fd_read and fd_write work on a connected socket too.
    client.write_all(b"more").unwrap();
    assert_eq!(guest.read(conn, 16).unwrap(), b"more");
    assert_eq!(guest.write(conn, b"!"), Ok(1));
    client.read_exact(&mut reply[..1]).unwrap();
    assert_eq!(reply[0], b'!');

    // Shutting down writing ends the client's stream.
    guest.ok("sock_shutdown", &[conn.into(), WR]).unwrap();
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    guest.ok("sock_shutdown", &[conn.into(), RD]).unwrap();
}

#[test]
fn accepting_without_a_pending_connection_can_be_nonblocking() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let mut guest = Guest::new(WasiCtxBuilder::new().tcp_listener(listener));
    let out = guest.alloc(4);
    assert_eq!(
        guest.errno("sock_accept", &[3, 0, out.into()]),
        Errno::Again
    );
    let nonblock = u64::from(Fdflags::NONBLOCK.bits());
    assert_eq!(
        guest.errno("sock_accept", &[3, nonblock, out.into()]),
        Errno::Again
    );
    let append = u64::from(Fdflags::APPEND.bits());
    assert_eq!(
        guest.errno("sock_accept", &[3, append, out.into()]),
        Errno::Inval
    );
}

#[test]
fn a_peer_hanging_up_is_end_of_stream_not_a_signal() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    let mut guest = Guest::new(WasiCtxBuilder::new().tcp_stream(server));
    drop(client);
    assert_eq!(recv(&mut guest, 3, 8, 0).unwrap().0, b"");
    // Writing to the closed connection fails with an errno instead of
    // killing the host with SIGPIPE.
    let mut result = Ok(0);
    for _ in 0..100 {
        result = send(&mut guest, 3, &[0; 1024]);
        if result.is_err() {
            break;
        }
    }
    assert!(
        matches!(result, Err(Errno::Pipe | Errno::Connreset)),
        "{result:?}"
    );
}

#[test]
fn non_sockets_are_notsock() {
    let (_dir, mut guest) = Guest::in_tempdir();
    let out = guest.alloc(8);
    assert_eq!(
        guest.errno("sock_shutdown", &[STDOUT.into(), RD]),
        Errno::Notsock
    );
    assert_eq!(guest.errno("sock_shutdown", &[3, RD]), Errno::Notsock);
    assert_eq!(
        guest.errno("sock_accept", &[3, 0, out.into()]),
        Errno::Notsock
    );
    assert_eq!(recv(&mut guest, STDOUT, 4, 0), Err(Errno::Notsock));
    assert_eq!(send(&mut guest, STDOUT, b"x"), Err(Errno::Notsock));
    // sock_shutdown on a closed descriptor is BADF (the `invalid_fd` test
    // runs without preopens, so descriptor 3 is not open).
    let mut bare = Guest::new(WasiCtxBuilder::new());
    assert_eq!(bare.errno("sock_shutdown", &[3, RD]), Errno::Badf);
}

#[test]
fn socket_arguments_are_validated() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    let mut guest = Guest::new(
        WasiCtxBuilder::new()
            .tcp_stream(server)
            .tcp_listener(listener),
    );
    let (conn, listening) = (3u32, 4u32);
    assert_eq!(
        guest.errno("sock_shutdown", &[conn.into(), 0]),
        Errno::Inval
    );
    assert_eq!(
        guest.errno("sock_shutdown", &[conn.into(), 4]),
        Errno::Inval
    );
    let iovs = guest.iovecs(&[b"x"]);
    let n = guest.alloc(4);
    assert_eq!(
        guest.errno("sock_send", &[conn.into(), iovs.into(), 1, 1, n.into()]),
        Errno::Inval,
        "there are no send flags"
    );
    assert_eq!(
        recv(&mut guest, conn, 4, 4),
        Err(Errno::Inval),
        "unknown recv flag"
    );
    assert_eq!(recv(&mut guest, listening, 4, 0), Err(Errno::Notconn));
    let out = guest.alloc(4);
    assert_eq!(
        guest.errno("sock_accept", &[conn.into(), 0, out.into()]),
        Errno::Inval
    );
}
