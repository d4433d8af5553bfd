//! Errors of the embedding API, and traps.

use std::fmt;
use tern_environ::{CompileError, TrapCode, WasmError};

/// Why a runtime operation failed.
#[derive(Debug)]
pub enum Error {
    /// The module is malformed, invalid, or needs something Tern does not
    /// implement.
    Module(WasmError),
    /// A function failed to compile.
    Compile { func: String, error: CompileError },
    /// Imports could not be resolved or do not match.
    Link(String),
    /// Execution trapped (including during instantiation: segment
    /// initialization and the start function).
    Trap(Trap),
    /// A value or function had the wrong type for the operation.
    Type(String),
    /// The host refused a resource (address space, code memory…).
    Resource(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Module(e) => write!(f, "{e}"),
            Error::Compile { func, error } => write!(f, "failed to compile {func}: {error}"),
            Error::Link(msg) => write!(f, "{msg}"),
            Error::Trap(trap) => write!(f, "{trap}"),
            Error::Type(msg) => write!(f, "type mismatch: {msg}"),
            Error::Resource(msg) => write!(f, "resource limit: {msg}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<WasmError> for Error {
    fn from(e: WasmError) -> Error {
        Error::Module(e)
    }
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::Trap(t)
    }
}

impl Error {
    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(t) => Some(t),
            _ => None,
        }
    }
}

/// Why execution stopped abnormally.
#[derive(Debug)]
pub enum TrapReason {
    /// A trap raised by Wasm code.
    Wasm(TrapCode),
    /// A host function failed.
    Host(Box<dyn std::error::Error + Send + Sync>),
    /// The program asked to exit with a status (WASI `proc_exit`).
    Exit(i32),
}

/// A trap: an abnormal end of execution, with where it happened.
#[derive(Debug)]
pub struct Trap {
    reason: TrapReason,
    /// The Wasm function executing when the trap happened, if known.
    func: Option<String>,
}

impl Trap {
    /// A trap with a Wasm trap code.
    pub fn wasm(code: TrapCode, func: Option<String>) -> Trap {
        Trap {
            reason: TrapReason::Wasm(code),
            func,
        }
    }

    /// A trap carrying a host error message.
    pub fn new(message: impl Into<String>) -> Trap {
        let message: String = message.into();
        Trap {
            reason: TrapReason::Host(message.into()),
            func: None,
        }
    }

    /// A trap carrying a host error.
    pub fn from_error(error: Box<dyn std::error::Error + Send + Sync>) -> Trap {
        Trap {
            reason: TrapReason::Host(error),
            func: None,
        }
    }

    /// The program's request to exit with `status`.
    pub fn exit(status: i32) -> Trap {
        Trap {
            reason: TrapReason::Exit(status),
            func: None,
        }
    }

    pub fn reason(&self) -> &TrapReason {
        &self.reason
    }

    /// The Wasm trap code, if this is a Wasm trap.
    pub fn code(&self) -> Option<TrapCode> {
        match self.reason {
            TrapReason::Wasm(code) => Some(code),
            _ => None,
        }
    }

    /// The exit status, if this is an exit request.
    pub fn exit_status(&self) -> Option<i32> {
        match self.reason {
            TrapReason::Exit(status) => Some(status),
            _ => None,
        }
    }

    /// The Wasm function the trap happened in, if known.
    pub fn func(&self) -> Option<&str> {
        self.func.as_deref()
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            TrapReason::Wasm(code) => write!(f, "wasm trap: {code}")?,
            TrapReason::Host(e) => write!(f, "{e}")?,
            TrapReason::Exit(status) => write!(f, "exit with status {status}")?,
        }
        if let Some(func) = &self.func {
            write!(f, " (in {func})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Trap {}
