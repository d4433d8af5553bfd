//! The compiler objects the runtime uses, and the per-function driver.

use crate::emitter::{Buffers, Emitter, Error};
use crate::frame_template::FrameTemplate;
use crate::visitor::ValidateThenEmit;
use tern_environ::wasmparser::{
    FuncValidator, FuncValidatorAllocations, FunctionBody, OperatorsReader,
    OperatorsReaderAllocations, ValidatorResources,
};
use tern_environ::{
    CompileError, CompiledFunction, Compiler, DefinedFuncIndex, FunctionBodyData, FunctionCompiler,
    ModuleInfo, Tier, VMOffsets, convert_val_type,
};

/// The optional x86-64 extensions the generated code may use. The baseline
/// assumes x86-64-v2 otherwise (SSE4.1 for rounding, POPCNT); operators
/// that need a missing extension are reported as unsupported rather than
/// compiled into code that would fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuFeatures {
    /// SSE4.1 (`roundss`/`roundsd`: `ceil`, `floor`, `trunc`, `nearest`).
    pub sse41: bool,
    /// POPCNT (`popcnt`).
    pub popcnt: bool,
    /// LZCNT (`clz`; otherwise `bsr` and a fix-up).
    pub lzcnt: bool,
    /// BMI1 (`tzcnt` for `ctz`; otherwise `bsf` and a fix-up).
    pub bmi1: bool,
}

impl CpuFeatures {
    /// The features of the CPU this process runs on.
    pub fn host() -> CpuFeatures {
        CpuFeatures {
            sse41: std::arch::is_x86_feature_detected!("sse4.1"),
            popcnt: std::arch::is_x86_feature_detected!("popcnt"),
            lzcnt: std::arch::is_x86_feature_detected!("lzcnt"),
            bmi1: std::arch::is_x86_feature_detected!("bmi1"),
        }
    }

    /// Only what every x86-64 CPU has (for portable code and for testing
    /// the fallbacks).
    pub fn baseline() -> CpuFeatures {
        CpuFeatures {
            sse41: false,
            popcnt: false,
            lzcnt: false,
            bmi1: false,
        }
    }
}

/// Tern's single-pass baseline compiler.
#[derive(Clone, Debug)]
pub struct BaselineCompiler {
    cpu: CpuFeatures,
}

impl BaselineCompiler {
    /// A compiler for the host CPU.
    pub fn new() -> BaselineCompiler {
        BaselineCompiler::with_cpu_features(CpuFeatures::host())
    }

    /// A compiler for a CPU with `cpu`'s extensions.
    pub fn with_cpu_features(cpu: CpuFeatures) -> BaselineCompiler {
        BaselineCompiler { cpu }
    }

    /// A function compiler with its own reusable buffers (one per thread).
    pub fn function_compiler(&self) -> BaselineFunctionCompiler {
        BaselineFunctionCompiler {
            cpu: self.cpu,
            buffers: Some(Buffers::default()),
            validator_allocs: Some(FuncValidatorAllocations::default()),
            reader_allocs: Some(OperatorsReaderAllocations::default()),
            templates: FrameTemplate::default(),
        }
    }
}

impl Default for BaselineCompiler {
    fn default() -> BaselineCompiler {
        BaselineCompiler::new()
    }
}

impl Compiler for BaselineCompiler {
    fn tier(&self) -> Tier {
        Tier::Baseline
    }

    fn function_compiler(&self) -> Box<dyn FunctionCompiler + '_> {
        Box::new(BaselineCompiler::function_compiler(self))
    }
}

/// Compiles function bodies one after another, reusing every buffer (the
/// validator's included), so that the steady state allocates only the
/// returned code and tables.
pub struct BaselineFunctionCompiler {
    cpu: CpuFeatures,
    buffers: Option<Buffers>,
    validator_allocs: Option<FuncValidatorAllocations>,
    reader_allocs: Option<OperatorsReaderAllocations>,
    /// The prologue and return-sequence templates of the module of the
    /// last function compiled.
    templates: FrameTemplate,
}

impl FunctionCompiler for BaselineFunctionCompiler {
    fn compile(
        &mut self,
        module: &ModuleInfo,
        offsets: &VMOffsets,
        index: DefinedFuncIndex,
        input: FunctionBodyData<'_>,
    ) -> Result<CompiledFunction, CompileError> {
        let allocs = self.validator_allocs.take().unwrap_or_default();
        let mut validator = input.validator.into_validator(allocs);
        let func_type = module.func_type(module.func_index(index));
        let buffers = self.buffers.take().unwrap_or_default();
        // The whole body (locals included), for looking ahead.
        let code = (input.body.as_bytes(), input.body.range().start);
        self.templates.prepare(module, offsets);
        let templates = &self.templates;
        let mut emitter = Emitter::new(
            module, offsets, self.cpu, func_type, code, templates, buffers,
        );
        let reader_allocs = self.reader_allocs.take().unwrap_or_default();
        let result = compile_body(&mut emitter, &mut validator, &input.body, reader_allocs);
        let result = match result {
            Ok(reader_allocs) => {
                self.reader_allocs = Some(reader_allocs);
                emitter.finish().map_err(Error::into_compile_error)
            }
            Err(e) => Err(e.into_compile_error()),
        };
        self.buffers = Some(emitter.into_buffers());
        self.validator_allocs = Some(validator.into_allocations());
        result
    }
}

/// Reads the locals and the operators of `body`, validating and emitting.
fn compile_body(
    emitter: &mut Emitter<'_>,
    validator: &mut FuncValidator<ValidatorResources>,
    body: &FunctionBody<'_>,
    reader_allocs: OperatorsReaderAllocations,
) -> Result<OperatorsReaderAllocations, Error> {
    let mut reader = body.get_binary_reader();
    emitter.declare_params();
    let groups = reader.read_var_u32()?;
    for _ in 0..groups {
        let offset = reader.original_position();
        let count = reader.read_var_u32()?;
        let ty = reader.read::<tern_environ::wasmparser::ValType>()?;
        validator.define_locals(offset, count, ty)?;
        emitter.offset = offset;
        let ty = convert_val_type(ty)
            .map_err(|message| CompileError::Unsupported { message, offset })?;
        emitter.declare_locals(count, ty)?;
    }
    emitter.emit_prologue();
    emitter.begin_body();
    let mut ops = OperatorsReader::new_with_allocs(reader, reader_allocs);
    while !ops.eof() {
        let offset = ops.original_position();
        emitter.offset = offset;
        ops.visit_operator(&mut ValidateThenEmit {
            validator,
            emitter,
            offset,
        })??;
    }
    ops.finish()?;
    Ok(ops.into_allocations())
}
