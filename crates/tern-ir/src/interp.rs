//! Running whole functions.
//!
//! The interpreter gives a function the meaning the compiled code must
//! have: file tests run functions through it, and the optimizer's tests
//! compare a function before and after a pass on the same inputs. It is a
//! direct walk over the layout: block parameters receive branch arguments,
//! value-computing instructions go to [`eval`](crate::eval), and the rest
//! (memory, control flow, calls, conditional traps) are handled here.
//!
//! # Model
//! * **Memory** is one flat, zero-initialized, little-endian byte array;
//!   an address (an `i64` operand plus the signed offset of the
//!   instruction, added modulo 2^64 as the hardware does) is an index into
//!   it. An access that does not fit traps
//!   `heap_oob`, which is what Tern's guard pages make of an out-of-bounds
//!   Wasm access. An out-of-bounds access flagged `notrap`, or a misaligned
//!   one flagged `aligned`, broke a promise the IR made, and is reported as
//!   an [`InterpError`] rather than a trap.
//! * **Calls** by name (`call fn0` where `fn0 = %g sig0`) go to a function
//!   added to the interpreter with that name, or else to the host handler.
//!   `call_indirect` takes the callee operand as a *function address*: the
//!   index of the function in the order functions were added. An address
//!   with no function traps `icall_null`; a function whose signature
//!   differs from the call's traps `bad_sig`.
//! * **Traps** end the whole run ([`Outcome::Trapped`]), from any call
//!   depth. Recursion deeper than [`Interpreter::max_call_depth`] traps
//!   `stk_ovf`.
//! * **Fuel** bounds the number of instructions executed, so a
//!   non-terminating test fails instead of hanging.
//!
//! Functions are verified when added, so the interpreter can rely on
//! well-formed input and never panics on a bad function.

use std::collections::HashMap;
use std::fmt;

use crate::entities::{Block, EntityRef, Inst, Value};
use crate::eval::{DataValue, EvalError, eval_inst};
use crate::function::Function;
use crate::immediates::{MemFlags, TrapCode};
use crate::instructions::{BlockCall, Imm, InstructionData};
use crate::opcode::{InstFormat, Opcode};
use crate::signature::Signature;
use crate::types::Type;
use crate::verify::{VerifierErrors, verify_function};

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The function returned these values.
    Returned(Vec<DataValue>),
    /// Execution trapped.
    Trapped(TrapCode),
}

/// A run that could not be completed for a reason other than a trap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InterpError {
    /// A function added to the interpreter does not verify.
    Invalid {
        /// The function's name.
        function: String,
        /// What the verifier found.
        errors: VerifierErrors,
    },
    /// No function or host handler for this name.
    UnknownFunction(String),
    /// Arguments do not match the signature.
    BadArguments {
        /// The function's name.
        function: String,
        /// Its signature.
        expected: Signature,
        /// The argument types given.
        found: Vec<Type>,
    },
    /// A `call` names a function whose signature is not the one the
    /// caller declared for it.
    SignatureMismatch {
        /// The calling function.
        caller: String,
        /// The callee's name.
        callee: String,
    },
    /// A host handler returned values that do not match the signature.
    BadHostResults(String),
    /// An access flagged `notrap` was out of bounds, or one flagged
    /// `aligned` was misaligned.
    BrokenMemoryPromise {
        /// The function.
        function: String,
        /// The instruction.
        inst: Inst,
        /// The address accessed (before adding the offset).
        address: u64,
    },
    /// The instruction budget ran out.
    OutOfFuel,
}

impl fmt::Display for InterpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterpError::Invalid { function, errors } => {
                write!(f, "%{function} does not verify:\n{errors}")
            }
            InterpError::UnknownFunction(name) => write!(f, "no function %{name}"),
            InterpError::BadArguments {
                function,
                expected,
                found,
            } => write!(f, "%{function}{expected} called with {found:?}"),
            InterpError::SignatureMismatch { caller, callee } => write!(
                f,
                "%{caller} declares %{callee} with a signature other than its own"
            ),
            InterpError::BadHostResults(name) => {
                write!(f, "host function %{name} returned the wrong types")
            }
            InterpError::BrokenMemoryPromise {
                function,
                inst,
                address,
            } => write!(
                f,
                "%{function} {inst}: access at {address:#x} breaks its notrap/aligned flags"
            ),
            InterpError::OutOfFuel => f.write_str("instruction budget exhausted"),
        }
    }
}

impl std::error::Error for InterpError {}

/// A flat little-endian byte array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Memory {
    bytes: Vec<u8>,
}

impl Memory {
    /// `size` zero bytes.
    pub fn new(size: usize) -> Memory {
        Memory {
            bytes: vec![0; size],
        }
    }

    /// The contents.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The contents, for setting up a test.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    /// The byte range of an access of `len` bytes at `address + offset`, if
    /// it fits.
    fn range(&self, address: u64, offset: i32, len: u32) -> Option<std::ops::Range<usize>> {
        // The effective address wraps like the machine's address arithmetic,
        // so folding a constant into the offset never changes the meaning.
        let start = address.wrapping_add_signed(i64::from(offset));
        let end = start.checked_add(u64::from(len))?;
        if end > self.bytes.len() as u64 {
            return None;
        }
        Some(start as usize..end as usize)
    }

    /// Reads `len` bytes as a little-endian number.
    fn load(&self, range: std::ops::Range<usize>) -> u128 {
        self.bytes[range]
            .iter()
            .rev()
            .fold(0u128, |acc, &b| (acc << 8) | u128::from(b))
    }

    /// Writes the low bytes of `bits`, little-endian.
    fn store(&mut self, range: std::ops::Range<usize>, bits: u128) {
        for (i, byte) in self.bytes[range].iter_mut().enumerate() {
            *byte = (bits >> (8 * i)) as u8;
        }
    }
}

/// Handles calls to functions the interpreter does not have.
pub type HostHandler<'a> =
    dyn FnMut(&str, &[DataValue], &mut Memory) -> Result<Outcome, InterpError> + 'a;

/// Runs functions.
pub struct Interpreter<'a> {
    functions: Vec<&'a Function>,
    by_name: HashMap<&'a str, usize>,
    host: Option<Box<HostHandler<'a>>>,
    /// The memory all functions share.
    pub memory: Memory,
    /// Instructions left to execute.
    pub fuel: u64,
    /// The deepest call nesting allowed before `stk_ovf`.
    pub max_call_depth: usize,
}

/// Default memory size of a new interpreter: 64 KiB.
pub const DEFAULT_MEMORY_SIZE: usize = 1 << 16;

/// Default instruction budget of a new interpreter.
pub const DEFAULT_FUEL: u64 = 10_000_000;

impl<'a> Interpreter<'a> {
    /// An interpreter with no functions, 64 KiB of memory and the default
    /// fuel.
    pub fn new() -> Interpreter<'a> {
        Interpreter {
            functions: Vec::new(),
            by_name: HashMap::new(),
            host: None,
            memory: Memory::new(DEFAULT_MEMORY_SIZE),
            fuel: DEFAULT_FUEL,
            max_call_depth: 200,
        }
    }

    /// Adds a function (after verifying it), callable by name and at the
    /// next function address. Returns its address.
    pub fn add_function(&mut self, func: &'a Function) -> Result<u64, InterpError> {
        verify_function(func).map_err(|errors| InterpError::Invalid {
            function: func.name.clone(),
            errors,
        })?;
        let index = self.functions.len();
        self.functions.push(func);
        self.by_name.insert(&func.name, index);
        Ok(index as u64)
    }

    /// Sets the handler for calls to names the interpreter has no function
    /// for.
    pub fn set_host_handler(&mut self, handler: Box<HostHandler<'a>>) {
        self.host = Some(handler);
    }

    /// Calls the function named `name` with `args`.
    pub fn call(&mut self, name: &str, args: &[DataValue]) -> Result<Outcome, InterpError> {
        let index = *self
            .by_name
            .get(name)
            .ok_or_else(|| InterpError::UnknownFunction(name.to_string()))?;
        let func = self.functions[index];
        check_args(func, args)?;
        match self.run(func, args, 0)? {
            Flow::Return(values) => Ok(Outcome::Returned(values)),
            Flow::Trap(code) => Ok(Outcome::Trapped(code)),
        }
    }

    fn run(
        &mut self,
        func: &'a Function,
        args: &[DataValue],
        depth: usize,
    ) -> Result<Flow, InterpError> {
        if depth >= self.max_call_depth {
            return Ok(Flow::Trap(TrapCode::StackOverflow));
        }
        let mut frame = Frame {
            func,
            values: vec![None; func.dfg.num_values()],
        };
        let entry = func.entry_block().expect("verified function has an entry");
        frame.assign_params(entry, args);
        let mut block = entry;
        'blocks: loop {
            for inst in func.layout.block_insts(block) {
                if self.fuel == 0 {
                    return Err(InterpError::OutOfFuel);
                }
                self.fuel -= 1;
                match self.step(&mut frame, inst, depth)? {
                    Step::Next => {}
                    Step::Branch(dest) => {
                        let args: Vec<DataValue> =
                            dest.args.iter().map(|&v| frame.get(v)).collect();
                        frame.assign_params(dest.block, &args);
                        block = dest.block;
                        continue 'blocks;
                    }
                    Step::Exit(flow) => return Ok(flow),
                }
            }
            unreachable!("verified blocks end in a terminator");
        }
    }

    fn step(
        &mut self,
        frame: &mut Frame<'a>,
        inst: Inst,
        depth: usize,
    ) -> Result<Step<'a>, InterpError> {
        let func = frame.func;
        let data = func.dfg.inst(inst);
        let args: Vec<DataValue> = data.args.iter().map(|&v| frame.get(v)).collect();
        let set_result = |frame: &mut Frame, value: DataValue| {
            frame.set(func.dfg.first_result(inst), value);
        };
        if data.opcode.is_evaluable() {
            return match eval_inst(data, &args) {
                Ok(value) => {
                    set_result(frame, value);
                    Ok(Step::Next)
                }
                Err(EvalError::Trap(code)) => Ok(Step::Exit(Flow::Trap(code))),
                Err(other) => unreachable!("verified instruction failed to evaluate: {other}"),
            };
        }
        match data.opcode.format() {
            InstFormat::Load => match self.load(func, inst, data, &args)? {
                Ok(value) => {
                    set_result(frame, value);
                    Ok(Step::Next)
                }
                Err(code) => Ok(Step::Exit(Flow::Trap(code))),
            },
            InstFormat::Store => match self.store(func, inst, data, &args)? {
                Ok(()) => Ok(Step::Next),
                Err(code) => Ok(Step::Exit(Flow::Trap(code))),
            },
            InstFormat::Jump => Ok(Step::Branch(&data.dests[0])),
            InstFormat::Brif => {
                let taken = if args[0].is_nonzero() { 0 } else { 1 };
                Ok(Step::Branch(&data.dests[taken]))
            }
            InstFormat::BranchTable => {
                let table = &data.dests[1..];
                let dest = usize::try_from(args[0].bits())
                    .ok()
                    .and_then(|i| table.get(i))
                    .unwrap_or(&data.dests[0]);
                Ok(Step::Branch(dest))
            }
            InstFormat::Return => Ok(Step::Exit(Flow::Return(args))),
            InstFormat::Trap => Ok(Step::Exit(Flow::Trap(trap_code(data)))),
            InstFormat::CondTrap => {
                let traps = (data.opcode == Opcode::Trapnz) == args[0].is_nonzero();
                Ok(if traps {
                    Step::Exit(Flow::Trap(trap_code(data)))
                } else {
                    Step::Next
                })
            }
            InstFormat::Call | InstFormat::CallIndirect => {
                match self.call_inst(func, data, &args, depth)? {
                    Flow::Return(values) => {
                        for (&r, v) in func.dfg.inst_results(inst).iter().zip(values) {
                            frame.set(r, v);
                        }
                        Ok(Step::Next)
                    }
                    trap => Ok(Step::Exit(trap)),
                }
            }
            other => unreachable!("{other:?} is evaluable"),
        }
    }

    /// The checked byte range of a memory access, a trap, or a broken
    /// promise.
    fn access(
        &self,
        func: &Function,
        inst: Inst,
        flags: MemFlags,
        address: u64,
        offset: i32,
        len: u32,
    ) -> Result<Result<std::ops::Range<usize>, TrapCode>, InterpError> {
        let broken = || InterpError::BrokenMemoryPromise {
            function: func.name.clone(),
            inst,
            address,
        };
        match self.memory.range(address, offset, len) {
            Some(range) => {
                if flags.aligned && range.start % len as usize != 0 {
                    return Err(broken());
                }
                Ok(Ok(range))
            }
            None if flags.notrap => Err(broken()),
            None => Ok(Err(TrapCode::HeapOutOfBounds)),
        }
    }

    fn load(
        &self,
        func: &Function,
        inst: Inst,
        data: &InstructionData,
        args: &[DataValue],
    ) -> Result<Result<DataValue, TrapCode>, InterpError> {
        let Imm::Mem { flags, offset } = data.imm else {
            unreachable!("verified load has a memory immediate")
        };
        let len = data.opcode.narrow_access_bytes().unwrap_or(data.ty.bytes());
        let range = match self.access(func, inst, flags, args[0].bits() as u64, offset, len)? {
            Ok(range) => range,
            Err(code) => return Ok(Err(code)),
        };
        let raw = self.memory.load(range);
        let signed = matches!(
            data.opcode,
            Opcode::Sload8 | Opcode::Sload16 | Opcode::Sload32
        );
        let bits = if signed {
            let shift = 128 - 8 * len;
            (((raw << shift) as i128) >> shift) as u128
        } else {
            raw
        };
        Ok(Ok(DataValue::new(data.ty, bits)))
    }

    fn store(
        &mut self,
        func: &Function,
        inst: Inst,
        data: &InstructionData,
        args: &[DataValue],
    ) -> Result<Result<(), TrapCode>, InterpError> {
        let Imm::Mem { flags, offset } = data.imm else {
            unreachable!("verified store has a memory immediate")
        };
        let len = data.opcode.narrow_access_bytes().unwrap_or(data.ty.bytes());
        match self.access(func, inst, flags, args[1].bits() as u64, offset, len)? {
            Ok(range) => {
                self.memory.store(range, args[0].bits());
                Ok(Ok(()))
            }
            Err(code) => Ok(Err(code)),
        }
    }

    fn call_inst(
        &mut self,
        func: &Function,
        data: &InstructionData,
        args: &[DataValue],
        depth: usize,
    ) -> Result<Flow, InterpError> {
        let sig = func
            .dfg
            .call_signature(data)
            .expect("verified call has a signature");
        let (callee, call_args) = match data.imm {
            Imm::Func(f) => {
                let name = &func.dfg.ext_func(f).name;
                match self.by_name.get(name.as_str()) {
                    Some(&index) if self.functions[index].signature == *sig => {
                        (self.functions[index], args)
                    }
                    Some(_) => {
                        return Err(InterpError::SignatureMismatch {
                            caller: func.name.clone(),
                            callee: name.clone(),
                        });
                    }
                    None => return self.call_host(name, sig, args),
                }
            }
            _ => {
                let address = args[0].bits();
                let Some(&callee) = usize::try_from(address)
                    .ok()
                    .and_then(|i| self.functions.get(i))
                else {
                    return Ok(Flow::Trap(TrapCode::IndirectCallToNull));
                };
                (callee, &args[1..])
            }
        };
        // Only reachable for indirect calls: direct ones were checked above.
        if callee.signature != *sig {
            return Ok(Flow::Trap(TrapCode::BadSignature));
        }
        self.run(callee, call_args, depth + 1)
    }

    fn call_host(
        &mut self,
        name: &str,
        sig: &Signature,
        args: &[DataValue],
    ) -> Result<Flow, InterpError> {
        let Some(host) = self.host.as_mut() else {
            return Err(InterpError::UnknownFunction(name.to_string()));
        };
        match host(name, args, &mut self.memory)? {
            Outcome::Trapped(code) => Ok(Flow::Trap(code)),
            Outcome::Returned(values) => {
                let types: Vec<Type> = values.iter().map(|v| v.ty()).collect();
                if types != sig.returns {
                    return Err(InterpError::BadHostResults(name.to_string()));
                }
                Ok(Flow::Return(values))
            }
        }
    }
}

impl Default for Interpreter<'_> {
    fn default() -> Self {
        Interpreter::new()
    }
}

fn trap_code(data: &InstructionData) -> TrapCode {
    data.trap_code().expect("verified trap has a trap code")
}

fn check_args(func: &Function, args: &[DataValue]) -> Result<(), InterpError> {
    let found: Vec<Type> = args.iter().map(|a| a.ty()).collect();
    if found != func.signature.params {
        return Err(InterpError::BadArguments {
            function: func.name.clone(),
            expected: func.signature.clone(),
            found,
        });
    }
    Ok(())
}

/// How a function's execution ended.
enum Flow {
    Return(Vec<DataValue>),
    Trap(TrapCode),
}

/// What to do after one instruction.
enum Step<'a> {
    Next,
    Branch(&'a BlockCall),
    Exit(Flow),
}

/// The values of one activation.
struct Frame<'a> {
    func: &'a Function,
    values: Vec<Option<DataValue>>,
}

impl Frame<'_> {
    fn get(&self, v: Value) -> DataValue {
        self.values[v.index()].expect("verified: definitions dominate uses")
    }

    fn set(&mut self, v: Value, value: DataValue) {
        self.values[v.index()] = Some(value);
    }

    fn assign_params(&mut self, block: Block, args: &[DataValue]) {
        let params = self.func.dfg.block_params(block);
        for (&p, &a) in params.iter().zip(args) {
            self.set(p, a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_functions;

    fn run(text: &str, name: &str, args: &[DataValue]) -> Result<Outcome, InterpError> {
        let funcs = parse_functions(text).unwrap();
        let mut interp = Interpreter::new();
        for f in &funcs {
            interp.add_function(f).unwrap();
        }
        interp.call(name, args)
    }

    fn i32v(v: i32) -> DataValue {
        DataValue::from_i128(Type::I32, v.into())
    }

    #[test]
    fn loops_and_block_params() {
        let text = "\
function %sum_to(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 0
    jump block1(v0, v1)

block1(v2: i32, v3: i32):
    v4 = iadd v3, v2
    v5 = iconst.i32 1
    v6 = isub v2, v5
    brif v6, block1(v6, v4), block2
block2:
    return v4
}
";
        assert_eq!(
            run(text, "sum_to", &[i32v(10)]),
            Ok(Outcome::Returned(vec![i32v(55)]))
        );
    }

    #[test]
    fn memory_round_trip_and_bounds() {
        let text = "\
function %mem(i64) -> i32 {
block0(v0: i64):
    v1 = iconst.i32 -2
    istore8 v1, v0+1
    v2 = sload8.i32 v0+1
    v3 = uload8.i32 v0+1
    v4 = iadd v2, v3
    return v4
}
";
        let addr = |a: i128| DataValue::from_i128(Type::I64, a);
        assert_eq!(
            run(text, "mem", &[addr(8)]),
            Ok(Outcome::Returned(vec![i32v(252)]))
        );
        let last = DEFAULT_MEMORY_SIZE as i128 - 1;
        assert_eq!(
            run(text, "mem", &[addr(last)]),
            Ok(Outcome::Trapped(TrapCode::HeapOutOfBounds))
        );
        assert_eq!(
            run(text, "mem", &[addr(-1)]),
            Ok(Outcome::Returned(vec![i32v(252)])),
            "-1 + 1 wraps to address 0"
        );
    }

    #[test]
    fn calls_direct_indirect_and_traps() {
        let text = "\
function %div(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = sdiv v0, v1
    return v2
}

function %main(i32, i64) -> i32 {
    sig0 = (i32, i32) -> i32
    fn0 = %div sig0

block0(v0: i32, v1: i64):
    v2 = iconst.i32 2
    v3 = call fn0(v0, v2)
    v4 = call_indirect sig0, v1(v3, v2)
    return v4
}
";
        let addr = |a: i128| DataValue::from_i128(Type::I64, a);
        assert_eq!(
            run(text, "main", &[i32v(20), addr(0)]),
            Ok(Outcome::Returned(vec![i32v(5)]))
        );
        assert_eq!(
            run(text, "main", &[i32v(20), addr(1)]),
            Ok(Outcome::Trapped(TrapCode::BadSignature))
        );
        assert_eq!(
            run(text, "main", &[i32v(20), addr(7)]),
            Ok(Outcome::Trapped(TrapCode::IndirectCallToNull))
        );
        assert_eq!(
            run(text, "div", &[i32v(1), i32v(0)]),
            Ok(Outcome::Trapped(TrapCode::IntegerDivisionByZero))
        );
        assert!(matches!(
            run(text, "div", &[i32v(1)]),
            Err(InterpError::BadArguments { .. })
        ));
    }

    #[test]
    fn recursion_limit_and_fuel() {
        let text = "\
function %forever() {
    sig0 = ()
    fn0 = %forever sig0

block0:
    call fn0()
    return
}

function %spin() {
block0:
    jump block1
block1:
    jump block1
}
";
        assert_eq!(
            run(text, "forever", &[]),
            Ok(Outcome::Trapped(TrapCode::StackOverflow))
        );
        assert_eq!(run(text, "spin", &[]), Err(InterpError::OutOfFuel));
    }

    #[test]
    fn direct_call_with_wrong_declaration_is_an_error() {
        let text = "\
function %id(i64) -> i64 {
block0(v0: i64):
    return v0
}

function %caller(i32) -> i32 {
    sig0 = (i32) -> i32
    fn0 = %id sig0

block0(v0: i32):
    v1 = call fn0(v0)
    return v1
}
";
        assert_eq!(
            run(text, "caller", &[i32v(1)]),
            Err(InterpError::SignatureMismatch {
                caller: "caller".into(),
                callee: "id".into()
            })
        );
    }

    #[test]
    fn notrap_out_of_bounds_is_an_error() {
        let text = "\
function %f(i64) -> i64 {
block0(v0: i64):
    v1 = load.i64 notrap v0
    return v1
}
";
        let addr = DataValue::from_i128(Type::I64, 1 << 40);
        assert!(matches!(
            run(text, "f", &[addr]),
            Err(InterpError::BrokenMemoryPromise { .. })
        ));
    }

    #[test]
    fn host_calls() {
        let text = "\
function %f(i32) -> i32 {
    sig0 = (i32) -> i32
    fn0 = %double sig0

block0(v0: i32):
    v1 = call fn0(v0)
    return v1
}
";
        let funcs = parse_functions(text).unwrap();
        let mut interp = Interpreter::new();
        interp.add_function(&funcs[0]).unwrap();
        assert_eq!(
            interp.call("f", &[i32v(1)]),
            Err(InterpError::UnknownFunction("double".into()))
        );
        interp.set_host_handler(Box::new(|name, args, _mem| {
            assert_eq!(name, "double");
            Ok(Outcome::Returned(vec![i32v(args[0].signed() as i32 * 2)]))
        }));
        assert_eq!(
            interp.call("f", &[i32v(21)]),
            Ok(Outcome::Returned(vec![i32v(42)]))
        );
    }
}
