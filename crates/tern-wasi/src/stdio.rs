//! The guest's standard streams: inherited from the host, null, or
//! in-memory pipes.
//!
//! Embedders choose per stream. The command line inherits all three; tests
//! and the benchmark runner feed stdin from bytes and capture stdout/stderr
//! in a [`WritePipe`] whose contents they read after the run. Unless told
//! otherwise a context gets *null* streams (stdin at end of file, output
//! discarded): a sandbox grants nothing by default.
//!
//! Inherited streams are read and written with direct system calls on the
//! host's descriptors 0, 1 and 2, bypassing Rust's buffered `Stdin`/`Stdout`,
//! so that readiness reported by `poll_oneoff` matches what a read will see
//! and guest output is not held in a host buffer.

use std::io::{self, IoSlice, IoSliceMut, Read};
use std::os::fd::BorrowedFd;
use std::sync::{Arc, Mutex, PoisonError};

use crate::abi::Errno;

/// Bytes a guest reads from its standard input.
#[derive(Debug, Default)]
pub struct ReadPipe {
    data: io::Cursor<Vec<u8>>,
}

impl ReadPipe {
    /// A pipe that yields `data`, then end of file.
    pub fn new(data: impl Into<Vec<u8>>) -> Self {
        ReadPipe {
            data: io::Cursor::new(data.into()),
        }
    }

    /// Bytes not yet read.
    pub(crate) fn remaining(&self) -> u64 {
        let len = self.data.get_ref().len() as u64;
        len.saturating_sub(self.data.position())
    }
}

/// A shared buffer capturing what a guest writes to stdout or stderr.
/// Clones share the buffer: keep one, give one to the context, read the
/// output through yours after the run.
#[derive(Clone, Debug, Default)]
pub struct WritePipe {
    data: Arc<Mutex<Vec<u8>>>,
}

impl WritePipe {
    /// An empty capture buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.lock().clone()
    }

    /// Everything written so far, leaving the buffer empty (for hosts that
    /// drain output while the guest runs).
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.lock())
    }

    /// Everything written so far, as (lossy) UTF-8.
    pub fn contents_string(&self) -> String {
        String::from_utf8_lossy(&self.lock()).into_owned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        // A panic while holding the lock cannot leave a `Vec<u8>` in an
        // invalid state, so a poisoned lock is still usable.
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where the guest's stdin comes from.
#[derive(Debug, Default)]
pub enum Input {
    /// The host process's stdin.
    Inherit,
    /// Always at end of file.
    #[default]
    Null,
    /// The given bytes, then end of file.
    Pipe(ReadPipe),
}

/// Where the guest's stdout or stderr goes.
#[derive(Debug, Default)]
pub enum Output {
    /// The host process's stdout (for the guest's stdout) or stderr (for
    /// the guest's stderr).
    Inherit,
    /// Discarded.
    #[default]
    Null,
    /// Captured in the given buffer.
    Pipe(WritePipe),
}

/// A readable standard stream as the descriptor table holds it.
#[derive(Debug)]
pub(crate) enum Reader {
    HostStdin,
    Null,
    Pipe(ReadPipe),
}

/// A writable standard stream as the descriptor table holds it.
#[derive(Debug)]
pub(crate) enum Writer {
    HostStdout,
    HostStderr,
    Null,
    Pipe(WritePipe),
}

impl From<Input> for Reader {
    fn from(input: Input) -> Reader {
        match input {
            Input::Inherit => Reader::HostStdin,
            Input::Null => Reader::Null,
            Input::Pipe(pipe) => Reader::Pipe(pipe),
        }
    }
}

impl Writer {
    /// The writer for the guest's stdout (`stderr == false`) or stderr.
    pub(crate) fn from_output(output: Output, stderr: bool) -> Writer {
        match output {
            Output::Inherit if stderr => Writer::HostStderr,
            Output::Inherit => Writer::HostStdout,
            Output::Null => Writer::Null,
            Output::Pipe(pipe) => Writer::Pipe(pipe),
        }
    }
}

impl Reader {
    /// The host descriptor behind this stream, if it is one.
    pub(crate) fn host_fd(&self) -> Option<BorrowedFd<'static>> {
        match self {
            Reader::HostStdin => Some(host_stdin()),
            Reader::Null | Reader::Pipe(_) => None,
        }
    }

    pub(crate) fn read(&mut self, bufs: &mut [IoSliceMut<'_>]) -> Result<usize, Errno> {
        match self {
            Reader::HostStdin => Ok(rustix::io::readv(host_stdin(), bufs)?),
            Reader::Null => Ok(0),
            Reader::Pipe(pipe) => Ok(pipe.data.read_vectored(bufs)?),
        }
    }

    /// Bytes a read would return without blocking, for streams that never
    /// block (`None` for host streams, which must be polled).
    pub(crate) fn ready_bytes(&self) -> Option<u64> {
        match self {
            Reader::HostStdin => None,
            Reader::Null => Some(0),
            Reader::Pipe(pipe) => Some(pipe.remaining()),
        }
    }
}

impl Writer {
    /// The host descriptor behind this stream, if it is one.
    pub(crate) fn host_fd(&self) -> Option<BorrowedFd<'static>> {
        match self {
            Writer::HostStdout => Some(host_stdout()),
            Writer::HostStderr => Some(host_stderr()),
            Writer::Null | Writer::Pipe(_) => None,
        }
    }

    pub(crate) fn write(&mut self, bufs: &[IoSlice<'_>]) -> Result<usize, Errno> {
        match self {
            Writer::HostStdout => Ok(rustix::io::writev(host_stdout(), bufs)?),
            Writer::HostStderr => Ok(rustix::io::writev(host_stderr(), bufs)?),
            Writer::Null => Ok(bufs.iter().map(|b| b.len()).sum()),
            Writer::Pipe(pipe) => {
                let mut data = pipe.lock();
                let mut written = 0;
                for buf in bufs {
                    data.extend_from_slice(buf);
                    written += buf.len();
                }
                Ok(written)
            }
        }
    }
}

fn host_stdin() -> BorrowedFd<'static> {
    rustix::stdio::stdin()
}

fn host_stdout() -> BorrowedFd<'static> {
    rustix::stdio::stdout()
}

fn host_stderr() -> BorrowedFd<'static> {
    rustix::stdio::stderr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_pipes_yield_their_bytes_then_eof() {
        let mut reader = Reader::from(Input::Pipe(ReadPipe::new("hello")));
        assert_eq!(reader.ready_bytes(), Some(5));
        let mut a = [0u8; 3];
        let mut b = [0u8; 3];
        let n = reader
            .read(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])
            .unwrap();
        assert_eq!(n, 5);
        assert_eq!(&a, b"hel");
        assert_eq!(&b[..2], b"lo");
        assert_eq!(reader.ready_bytes(), Some(0));
        assert_eq!(reader.read(&mut [IoSliceMut::new(&mut a)]), Ok(0));
    }

    #[test]
    fn write_pipes_share_their_buffer_with_clones() {
        let pipe = WritePipe::new();
        let mut writer = Writer::from_output(Output::Pipe(pipe.clone()), false);
        let n = writer
            .write(&[IoSlice::new(b"ab"), IoSlice::new(b"cd")])
            .unwrap();
        assert_eq!(n, 4);
        assert_eq!(pipe.contents(), b"abcd");
        assert_eq!(pipe.contents_string(), "abcd");
        assert_eq!(pipe.take(), b"abcd");
        assert!(pipe.contents().is_empty());
        writer.write(&[IoSlice::new(b"e")]).unwrap();
        assert_eq!(pipe.contents(), b"e");
    }

    #[test]
    fn null_streams_are_empty_and_bottomless() {
        let mut reader = Reader::from(Input::Null);
        assert_eq!(reader.read(&mut [IoSliceMut::new(&mut [0u8; 4])]), Ok(0));
        let mut writer = Writer::from_output(Output::Null, true);
        assert_eq!(writer.write(&[IoSlice::new(b"xyz")]), Ok(3));
        assert!(writer.host_fd().is_none());
    }
}
