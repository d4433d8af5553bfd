//! The per-guest WASI state and its builder.
//!
//! A [`WasiCtx`] holds what one guest instance sees of the world: its
//! arguments and environment, and its descriptor table (standard streams,
//! preopened directories, inherited sockets, and whatever it opens). It
//! grants nothing the builder did not: no environment is inherited, no
//! directory is visible unless preopened, and the standard streams are null
//! unless inherited or piped.
//!
//! Descriptor numbering is fixed at build time: 0, 1 and 2 are stdin,
//! stdout and stderr; the preopened directories follow in the order they
//! were added; inherited sockets come last. wasi-libc finds its preopens by
//! calling `fd_prestat_get` on 3, 4, … until it gets `BADF`, so the
//! directories must be contiguous from 3 — sockets after them never
//! interrupt that scan (they answer `BADF` too, which ends it).

use std::fmt;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::str::FromStr;

use cap_fs_ext::OpenOptionsMaybeDirExt;
use cap_std::fs::{Dir, OpenOptions};

use crate::abi::{Fdflags, Filetype, Rights};
use crate::filestat::host_filetype;
use crate::rights;
use crate::stdio::{Input, Output, Reader, Writer};
use crate::table::{DirHandle, Entry, FdTable, Handle};

/// How much of a preopened directory the guest may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DirPerms {
    /// Read and list only; every mutating right is withheld.
    ReadOnly,
    /// Full access within the directory.
    #[default]
    ReadWrite,
}

/// A host directory to preopen, and the name the guest sees it under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preopen {
    /// The directory on the host.
    pub host: PathBuf,
    /// The guest-visible name (what `fd_prestat_dir_name` returns), e.g.
    /// `/`, `.` or `/data`.
    pub guest: String,
    /// What the guest may do in it.
    pub perms: DirPerms,
}

impl FromStr for Preopen {
    type Err = BuildError;

    /// Parses the command line's `HOST[::GUEST]` (read-write); without
    /// `::GUEST` the guest sees the directory under the host path as given.
    fn from_str(spec: &str) -> Result<Self, BuildError> {
        let (host, guest) = spec.split_once("::").unwrap_or((spec, spec));
        if host.is_empty() || guest.is_empty() {
            return Err(BuildError::InvalidPreopenSpec {
                spec: spec.to_string(),
            });
        }
        Ok(Preopen {
            host: PathBuf::from(host),
            guest: guest.to_string(),
            perms: DirPerms::ReadWrite,
        })
    }
}

/// Why a [`WasiCtx`] could not be built.
#[derive(Debug)]
pub enum BuildError {
    /// Argument number `index` contains a NUL byte (arguments are passed as
    /// NUL-terminated strings).
    ArgumentContainsNul {
        /// Position in the argument list (0 is the program name).
        index: usize,
    },
    /// An environment variable name is empty or contains `=` or NUL.
    InvalidEnvName {
        /// The offending name.
        name: String,
    },
    /// The value of environment variable `name` contains a NUL byte.
    EnvValueContainsNul {
        /// The variable's name.
        name: String,
    },
    /// The arguments or the environment do not fit the guest's 32-bit sizes.
    TooLarge {
        /// `"arguments"` or `"environment"`.
        what: &'static str,
    },
    /// A `--dir` style spec is not `HOST[::GUEST]`.
    InvalidPreopenSpec {
        /// The spec as given.
        spec: String,
    },
    /// A preopen's guest name is empty or contains a NUL byte.
    InvalidGuestPath {
        /// The guest name as given.
        guest: String,
    },
    /// A preopened directory could not be opened on the host.
    OpenPreopen {
        /// The host path.
        host: PathBuf,
        /// What the host said.
        source: io::Error,
    },
    /// More preopens and sockets than the descriptor limit allows.
    TooManyDescriptors {
        /// The configured limit.
        max: usize,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::ArgumentContainsNul { index } => {
                write!(f, "WASI argument {index} contains a NUL byte")
            }
            BuildError::InvalidEnvName { name } => write!(
                f,
                "invalid WASI environment variable name {name:?}: it must be non-empty and contain neither '=' nor NUL"
            ),
            BuildError::EnvValueContainsNul { name } => {
                write!(
                    f,
                    "the value of WASI environment variable {name:?} contains a NUL byte"
                )
            }
            BuildError::TooLarge { what } => {
                write!(f, "the WASI {what} exceed the guest's 4 GiB size limit")
            }
            BuildError::InvalidPreopenSpec { spec } => {
                write!(f, "invalid directory spec {spec:?}: expected HOST[::GUEST]")
            }
            BuildError::InvalidGuestPath { guest } => write!(
                f,
                "invalid guest name {guest:?} for a preopened directory: it must be non-empty and contain no NUL"
            ),
            BuildError::OpenPreopen { host, source } => {
                write!(f, "cannot preopen directory {}: {source}", host.display())
            }
            BuildError::TooManyDescriptors { max } => {
                write!(
                    f,
                    "the preopens and sockets need more than the limit of {max} descriptors"
                )
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::OpenPreopen { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Builds a [`WasiCtx`].
///
/// ```no_run
/// use tern_wasi::{DirPerms, Output, WasiCtxBuilder, WritePipe};
///
/// let stdout = WritePipe::new();
/// let ctx = WasiCtxBuilder::new()
///     .args(["prog.wasm", "--verbose"])
///     .env("HOME", "/")
///     .preopened_dir("/tmp/sandbox", "/", DirPerms::ReadWrite)
///     .stdout(Output::Pipe(stdout.clone()))
///     .build()?;
/// # Ok::<(), tern_wasi::BuildError>(())
/// ```
#[derive(Debug)]
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    preopens: Vec<Preopen>,
    stdin: Input,
    stdout: Output,
    stderr: Output,
    sockets: Vec<Socket>,
    max_open_fds: usize,
}

#[derive(Debug)]
enum Socket {
    Listener(TcpListener),
    Stream(TcpStream),
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl WasiCtxBuilder {
    /// The default descriptor limit.
    pub const DEFAULT_MAX_OPEN_FDS: usize = 4096;

    /// A builder granting nothing: no arguments, no environment, no
    /// directories, null standard streams.
    pub fn new() -> Self {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            preopens: Vec::new(),
            stdin: Input::Null,
            stdout: Output::Null,
            stderr: Output::Null,
            sockets: Vec::new(),
            max_open_fds: Self::DEFAULT_MAX_OPEN_FDS,
        }
    }

    /// Appends one argument (the first is conventionally the program name).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds an environment variable.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Adds environment variables.
    pub fn envs<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Preopens host directory `host` under the guest name `guest`.
    pub fn preopened_dir(
        self,
        host: impl Into<PathBuf>,
        guest: impl Into<String>,
        perms: DirPerms,
    ) -> Self {
        self.preopen(Preopen {
            host: host.into(),
            guest: guest.into(),
            perms,
        })
    }

    /// Preopens a directory described by a [`Preopen`].
    pub fn preopen(mut self, preopen: Preopen) -> Self {
        self.preopens.push(preopen);
        self
    }

    /// Sets where stdin comes from.
    pub fn stdin(mut self, input: Input) -> Self {
        self.stdin = input;
        self
    }

    /// Sets where stdout goes.
    pub fn stdout(mut self, output: Output) -> Self {
        self.stdout = output;
        self
    }

    /// Sets where stderr goes.
    pub fn stderr(mut self, output: Output) -> Self {
        self.stderr = output;
        self
    }

    /// Inherits the host's stdin, stdout and stderr.
    pub fn inherit_stdio(self) -> Self {
        self.stdin(Input::Inherit)
            .stdout(Output::Inherit)
            .stderr(Output::Inherit)
    }

    /// Hands the guest a listening socket (after the preopens), for
    /// `sock_accept`.
    pub fn tcp_listener(mut self, listener: TcpListener) -> Self {
        self.sockets.push(Socket::Listener(listener));
        self
    }

    /// Hands the guest a connected socket (after the preopens), for
    /// `sock_recv`, `sock_send` and `sock_shutdown`.
    pub fn tcp_stream(mut self, stream: TcpStream) -> Self {
        self.sockets.push(Socket::Stream(stream));
        self
    }

    /// Limits how many descriptors the guest may have open at once.
    pub fn max_open_fds(mut self, max: usize) -> Self {
        self.max_open_fds = max;
        self
    }

    /// Validates the configuration, opens the preopened directories and
    /// lays out the descriptor table.
    pub fn build(self) -> Result<WasiCtx, BuildError> {
        if let Some(index) = self.args.iter().position(|a| a.contains('\0')) {
            return Err(BuildError::ArgumentContainsNul { index });
        }
        let mut env = Vec::with_capacity(self.env.len());
        for (name, value) in self.env {
            if name.is_empty() || name.contains(['=', '\0']) {
                return Err(BuildError::InvalidEnvName { name });
            }
            if value.contains('\0') {
                return Err(BuildError::EnvValueContainsNul { name });
            }
            env.push(format!("{name}={value}"));
        }
        check_size("arguments", &self.args)?;
        check_size("environment", &env)?;

        let needed = 3 + self.preopens.len() + self.sockets.len();
        if needed > self.max_open_fds {
            return Err(BuildError::TooManyDescriptors {
                max: self.max_open_fds,
            });
        }
        let mut table = FdTable::new(self.max_open_fds);
        let stdio = [
            stream_entry(Handle::Reader(Reader::from(self.stdin)), rights::STDIN),
            stream_entry(
                Handle::Writer(Writer::from_output(self.stdout, false)),
                rights::STDOUT,
            ),
            stream_entry(
                Handle::Writer(Writer::from_output(self.stderr, true)),
                rights::STDOUT,
            ),
        ];
        for entry in stdio {
            insert_fixed(&mut table, entry, self.max_open_fds)?;
        }
        for preopen in self.preopens {
            let entry = preopen_entry(preopen)?;
            insert_fixed(&mut table, entry, self.max_open_fds)?;
        }
        for socket in self.sockets {
            let (handle, filetype, rights) = match socket {
                Socket::Listener(l) => (
                    Handle::Listener(l),
                    Filetype::SocketStream,
                    rights::LISTENER,
                ),
                Socket::Stream(s) => (Handle::Socket(s), Filetype::SocketStream, rights::SOCKET),
            };
            let entry = Entry {
                handle,
                filetype,
                rights_base: rights,
                rights_inheriting: Rights::empty(),
                flags: Fdflags::empty(),
            };
            insert_fixed(&mut table, entry, self.max_open_fds)?;
        }
        Ok(WasiCtx {
            args: self.args,
            env,
            table,
        })
    }
}

fn check_size(what: &'static str, strings: &[String]) -> Result<(), BuildError> {
    let bytes: u64 = strings.iter().map(|s| s.len() as u64 + 1).sum();
    if bytes > u64::from(u32::MAX) || strings.len() as u64 > u64::from(u32::MAX) / 4 {
        return Err(BuildError::TooLarge { what });
    }
    Ok(())
}

/// Inserting into a table sized for everything being inserted only fails
/// if the size check was wrong; report that as the limit being too small.
fn insert_fixed(table: &mut FdTable, entry: Entry, max: usize) -> Result<(), BuildError> {
    table
        .insert(entry)
        .map(|_| ())
        .map_err(|_| BuildError::TooManyDescriptors { max })
}

fn stream_entry(handle: Handle, rights: Rights) -> Entry {
    let host = match &handle {
        Handle::Reader(reader) => reader.host_fd(),
        Handle::Writer(writer) => writer.host_fd(),
        _ => None,
    };
    // Pipes and null streams are not terminals, files or sockets: `Unknown`
    // (in particular not `CharacterDevice`, which libc would take for a tty).
    let filetype = host.map_or(Filetype::Unknown, |fd| {
        rustix::fs::fstat(fd.as_fd()).map_or(Filetype::Unknown, |stat| host_filetype(stat.st_mode))
    });
    Entry {
        handle,
        filetype,
        rights_base: rights,
        rights_inheriting: Rights::empty(),
        flags: Fdflags::empty(),
    }
}

fn preopen_entry(preopen: Preopen) -> Result<Entry, BuildError> {
    if preopen.guest.is_empty() || preopen.guest.contains('\0') {
        return Err(BuildError::InvalidGuestPath {
            guest: preopen.guest,
        });
    }
    let dir = open_preopen(&preopen.host).map_err(|source| BuildError::OpenPreopen {
        host: preopen.host.clone(),
        source,
    })?;
    let (base, inheriting) = rights::preopen(preopen.perms == DirPerms::ReadOnly);
    Ok(Entry {
        handle: Handle::Dir(DirHandle {
            dir,
            preopen_name: Some(preopen.guest),
            listing: None,
        }),
        filetype: Filetype::Directory,
        rights_base: base,
        rights_inheriting: inheriting,
        flags: Fdflags::empty(),
    })
}

/// Opens a host directory for the guest. cap-std opens directories it
/// resolves itself with `O_PATH`, which cannot be synced, have its times
/// set or its flags changed; reopening `.` with read access gives the
/// guest a descriptor that supports every directory operation.
fn open_preopen(host: &std::path::Path) -> io::Result<Dir> {
    let path_only = Dir::open_ambient_dir(host, cap_std::ambient_authority())?;
    let mut options = OpenOptions::new();
    options.read(true).maybe_dir(true);
    let file = path_only.open_with(".", &options)?;
    Ok(Dir::from_std_file(file.into_std()))
}

/// What one guest instance sees of the world through WASI.
///
/// Every `wasi_snapshot_preview1` function is a method on this type taking
/// the guest's linear memory and the raw wasm arguments; see
/// [`crate::dispatch()`] for calling them by name.
#[derive(Debug)]
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    /// `NAME=VALUE` strings.
    pub(crate) env: Vec<String>,
    pub(crate) table: FdTable,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_can_move_to_another_thread() {
        // A runtime keeps the context in its store, which may run on any
        // thread.
        fn assert_send<T: Send>() {}
        assert_send::<WasiCtx>();
        let ctx = WasiCtxBuilder::new().arg("x").build().unwrap();
        let args = std::thread::spawn(move || ctx.args).join().unwrap();
        assert_eq!(args, ["x"]);
    }

    #[test]
    fn dir_specs_parse_host_and_guest() {
        let spec: Preopen = "/tmp/x::/data".parse().unwrap();
        assert_eq!(spec.host, PathBuf::from("/tmp/x"));
        assert_eq!(spec.guest, "/data");
        let spec: Preopen = "rel/dir".parse().unwrap();
        assert_eq!(spec.guest, "rel/dir");
        assert!(matches!(
            "::/x".parse::<Preopen>(),
            Err(BuildError::InvalidPreopenSpec { .. })
        ));
        assert!(matches!(
            "/x::".parse::<Preopen>(),
            Err(BuildError::InvalidPreopenSpec { .. })
        ));
    }

    #[test]
    fn bad_arguments_and_environment_are_typed_errors() {
        let err = WasiCtxBuilder::new()
            .args(["ok", "b\0ad"])
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::ArgumentContainsNul { index: 1 }));
        let err = WasiCtxBuilder::new().env("A=B", "c").build().unwrap_err();
        assert!(matches!(err, BuildError::InvalidEnvName { .. }));
        let err = WasiCtxBuilder::new().env("", "c").build().unwrap_err();
        assert!(matches!(err, BuildError::InvalidEnvName { .. }));
        let err = WasiCtxBuilder::new().env("A", "c\0").build().unwrap_err();
        assert!(err.to_string().contains("\"A\""), "{err}");
    }

    #[test]
    fn a_missing_preopen_names_the_path() {
        let err = WasiCtxBuilder::new()
            .preopened_dir("/definitely/not/here", "/", DirPerms::ReadOnly)
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::OpenPreopen { .. }));
        assert!(err.to_string().contains("/definitely/not/here"), "{err}");
    }

    #[test]
    fn the_descriptor_limit_covers_preopens() {
        let dir = std::env::temp_dir();
        let err = WasiCtxBuilder::new()
            .preopened_dir(&dir, "/", DirPerms::ReadOnly)
            .max_open_fds(3)
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::TooManyDescriptors { max: 3 }));
    }
}
