//! A spec-test script runner over the harness, for the baseline's own
//! tests (the `tern wast` command of the CLI is the user-facing one).

use super::{Instance, Trap, TypeRegistry, instantiate};
use std::collections::HashMap;
use tern_asm::TrapCode;
use tern_environ::{EntityIndex, GlobalIndex};
use wast::core::{NanPattern, WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet};

/// The outcome of running one script.
#[derive(Debug, Default)]
pub struct Outcome {
    pub passed: usize,
    /// `line: message` for each failure.
    pub failed: Vec<String>,
    /// Directives skipped because they need something the harness or Tern
    /// lacks (with the reason).
    pub skipped: Vec<String>,
}

struct Runner {
    types: TypeRegistry,
    instances: Vec<Box<Instance>>,
    current: Option<usize>,
    named: HashMap<String, usize>,
    registered: HashMap<String, usize>,
}

enum Failure {
    /// A genuine failure.
    Fail(String),
    /// Not runnable here (unsupported feature or missing module).
    Skip(String),
}

type Res<T> = Result<T, Failure>;

/// Runs the script `text`.
pub fn run(text: &str) -> Outcome {
    let mut outcome = Outcome::default();
    let buf = match ParseBuffer::new(text) {
        Ok(b) => b,
        Err(e) => {
            outcome.failed.push(format!("lex error: {e}"));
            return outcome;
        }
    };
    let wast: Wast<'_> = match parser::parse(&buf) {
        Ok(w) => w,
        Err(e) => {
            outcome.failed.push(format!("parse error: {e}"));
            return outcome;
        }
    };
    let mut runner = Runner {
        types: TypeRegistry::default(),
        instances: Vec::new(),
        current: None,
        named: HashMap::new(),
        registered: HashMap::new(),
    };
    let trace = std::env::var_os("TERN_SPEC_TRACE").is_some();
    for directive in wast.directives {
        let (line, _) = directive.span().linecol_in(text);
        if trace {
            eprintln!("line {}", line + 1);
        }
        match runner.directive(directive) {
            Ok(()) => outcome.passed += 1,
            Err(Failure::Fail(m)) => outcome.failed.push(format!("line {}: {m}", line + 1)),
            Err(Failure::Skip(m)) => outcome.skipped.push(format!("line {}: {m}", line + 1)),
        }
    }
    outcome
}

fn arg_bits(arg: &WastArg<'_>) -> Res<u64> {
    Ok(match arg {
        WastArg::Core(WastArgCore::I32(v)) => *v as u32 as u64,
        WastArg::Core(WastArgCore::I64(v)) => *v as u64,
        WastArg::Core(WastArgCore::F32(f)) => f.bits.into(),
        WastArg::Core(WastArgCore::F64(f)) => f.bits,
        WastArg::Core(WastArgCore::RefNull(_)) => 0,
        WastArg::Core(WastArgCore::RefExtern(n)) => u64::from(*n) + 1,
        other => return Err(Failure::Skip(format!("argument {other:?}"))),
    })
}

fn matches(expected: &WastRetCore<'_>, bits: u64) -> bool {
    match expected {
        WastRetCore::I32(v) => bits as u32 == *v as u32,
        WastRetCore::I64(v) => bits == *v as u64,
        WastRetCore::F32(p) => {
            let b = bits as u32;
            match p {
                NanPattern::CanonicalNan => b & 0x7fff_ffff == 0x7fc0_0000,
                NanPattern::ArithmeticNan => b & 0x7fc0_0000 == 0x7fc0_0000,
                NanPattern::Value(f) => b == f.bits,
            }
        }
        WastRetCore::F64(p) => match p {
            NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
            NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
            NanPattern::Value(f) => bits == f.bits,
        },
        WastRetCore::RefNull(_) => bits == 0,
        WastRetCore::RefExtern(Some(n)) => bits == u64::from(*n) + 1,
        WastRetCore::RefExtern(None) | WastRetCore::RefFunc(_) => bits != 0,
        WastRetCore::Either(options) => options.iter().any(|o| matches(o, bits)),
        _ => false,
    }
}

fn trap_matches(code: TrapCode, message: &str) -> bool {
    let actual = code.message();
    actual.contains(message) || message.contains(actual)
}

impl Runner {
    fn instance(&self, id: Option<wast::token::Id<'_>>) -> Res<&Instance> {
        let index = match id {
            Some(id) => self.named.get(id.name()).copied(),
            None => self.current,
        };
        index
            .map(|i| &*self.instances[i])
            .ok_or_else(|| Failure::Skip("the module was not instantiated".into()))
    }

    fn instantiate(&mut self, wasm: &[u8]) -> Result<Box<Instance>, String> {
        let registered = &self.registered;
        let instances = &self.instances;
        instantiate(wasm, &mut self.types, &mut |module, name| {
            registered
                .get(module)
                .and_then(|&i| instances[i].export(name))
        })
    }

    fn module(&mut self, mut quote: QuoteWat<'_>) -> Res<()> {
        let name = quote.name().map(|id| id.name().to_string());
        let wasm = quote
            .encode()
            .map_err(|e| Failure::Fail(format!("module does not encode: {e}")))?;
        self.current = None;
        match self.instantiate(&wasm) {
            Ok(instance) => {
                self.instances.push(instance);
                let index = self.instances.len() - 1;
                self.current = Some(index);
                if let Some(name) = name {
                    self.named.insert(name, index);
                }
                Ok(())
            }
            Err(e) => match tern_environ::required_proposals(&wasm) {
                Some(proposals) => Err(Failure::Skip(format!("needs {}", proposals.join(", ")))),
                None if e.starts_with("unlinkable") => Err(Failure::Skip(e)),
                None => Err(Failure::Fail(e)),
            },
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Res<Result<Vec<u64>, Trap>> {
        let args = invoke.args.iter().map(arg_bits).collect::<Res<Vec<_>>>()?;
        let instance = self.instance(invoke.module)?;
        match instance.module.export(invoke.name) {
            Some(EntityIndex::Function(f)) => Ok(instance.call(f, &args)),
            _ => Err(Failure::Fail(format!(
                "no exported function {}",
                invoke.name
            ))),
        }
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Res<Result<Vec<u64>, Trap>> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module)?;
                match instance.module.export(global) {
                    Some(EntityIndex::Global(g)) => {
                        Ok(Ok(vec![instance.global_bits(GlobalIndex(g.0))]))
                    }
                    _ => Err(Failure::Fail(format!("no exported global {global}"))),
                }
            }
            WastExecute::Wat(mut wat) => {
                let wasm = wat
                    .encode()
                    .map_err(|e| Failure::Fail(format!("does not encode: {e}")))?;
                match self.instantiate(&wasm) {
                    Ok(instance) => {
                        self.instances.push(instance);
                        Ok(Ok(Vec::new()))
                    }
                    Err(e) if e.contains("start trapped") => {
                        let code = TrapCode::ALL
                            .into_iter()
                            .find(|c| e.ends_with(c.message()))
                            .expect("a trap message");
                        Ok(Err(Trap(code)))
                    }
                    Err(e) if e.contains("out of bounds") => {
                        let code = if e.contains("table") {
                            TrapCode::TableOutOfBounds
                        } else {
                            TrapCode::MemoryOutOfBounds
                        };
                        Ok(Err(Trap(code)))
                    }
                    Err(e) => Err(Failure::Fail(e)),
                }
            }
        }
    }

    fn directive(&mut self, directive: WastDirective<'_>) -> Res<()> {
        match directive {
            WastDirective::Module(quote) => self.module(quote),
            WastDirective::Register { name, module, .. } => {
                let index = match module {
                    Some(id) => self.named.get(id.name()).copied(),
                    None => self.current,
                };
                match index {
                    Some(i) => {
                        self.registered.insert(name.to_string(), i);
                        Ok(())
                    }
                    None => Err(Failure::Skip(
                        "register of a module that was not instantiated".into(),
                    )),
                }
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke)? {
                Ok(_) => Ok(()),
                Err(trap) => Err(Failure::Fail(format!(
                    "{}: unexpected trap {}",
                    invoke.name, trap.0
                ))),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let what = match &exec {
                    WastExecute::Invoke(i) => i.name.to_string(),
                    _ => "execution".to_string(),
                };
                match self.execute(exec)? {
                    Err(trap) => Err(Failure::Fail(format!("{what}: unexpected trap {}", trap.0))),
                    Ok(values) => {
                        if values.len() != results.len() {
                            return Err(Failure::Fail(format!("{what}: {} results", values.len())));
                        }
                        for (i, (bits, expected)) in values.iter().zip(&results).enumerate() {
                            let WastRet::Core(expected) = expected else {
                                return Err(Failure::Skip("component result".into()));
                            };
                            if !matches(expected, *bits) {
                                return Err(Failure::Fail(format!(
                                    "{what}: result {i} is {bits:#x}, expected {expected:?}"
                                )));
                            }
                        }
                        Ok(())
                    }
                }
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let what = match &exec {
                    WastExecute::Invoke(i) => i.name.to_string(),
                    _ => "execution".to_string(),
                };
                match self.execute(exec)? {
                    Ok(values) => Err(Failure::Fail(format!(
                        "{what}: returned {values:x?}, expected trap {message}"
                    ))),
                    Err(Trap(code)) if trap_matches(code, message) => Ok(()),
                    Err(Trap(code)) => Err(Failure::Fail(format!(
                        "{what}: trapped with {code}, expected {message}"
                    ))),
                }
            }
            WastDirective::AssertExhaustion { call, .. } => match self.invoke(&call)? {
                Err(Trap(TrapCode::StackOverflow)) => Ok(()),
                other => Err(Failure::Fail(format!(
                    "{}: {other:?}, expected exhaustion",
                    call.name
                ))),
            },
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            }
            | WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => {
                let Ok(wasm) = module.encode() else {
                    return Ok(());
                };
                match self.instantiate(&wasm) {
                    Ok(_) => Err(Failure::Fail(format!(
                        "module is accepted, expected: {message}"
                    ))),
                    Err(e) if e.starts_with("invalid") || e.starts_with("compile: invalid") => {
                        Ok(())
                    }
                    Err(e) => Err(Failure::Fail(format!(
                        "module fails with {e}, expected: {message}"
                    ))),
                }
            }
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let wasm = module
                    .encode()
                    .map_err(|e| Failure::Fail(format!("does not encode: {e}")))?;
                match self.instantiate(&wasm) {
                    Ok(_) => Err(Failure::Fail(format!("module links, expected: {message}"))),
                    Err(_) => Ok(()),
                }
            }
            other => Err(Failure::Skip(format!(
                "directive {:?}",
                std::mem::discriminant(&other)
            ))),
        }
    }
}
