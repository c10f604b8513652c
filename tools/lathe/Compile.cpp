//===- Compile.cpp - lathe compile ----------------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe compile`: import an ONNX model and emit IR, an
// object file, a shared library with its C header, or the header alone, for
// the host or a named target.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Commands.h"
#include "tools/lathe/Diagnostics.h"
#include "tools/lathe/ModelInfo.h"
#include "tools/lathe/TuningDB.h"

#include "codegen/ABI.h"
#include "codegen/Target.h"
#include "codegen/cpu/CPUCodegen.h"
#include "codegen/gpu/GPUCodegen.h"
#include "frontend/onnx/Importer.h"
#include "passes/Pipelines.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

using namespace llvm;
using namespace lathe::codegen;

namespace lathe::cli {

namespace {
//===----------------------------------------------------------------------===//
// lathe compile
//===----------------------------------------------------------------------===//

/// What `lathe compile --emit=` produces.
enum class Emit { nn, linalg, llvm, obj, so, header, ptx, cubin };

/// The description of --target, naming the known targets.
StringRef targetDescription() {
  static const std::string text =
      "Machine to compile for: " + join(knownTargetNames(), ", ") +
      " (default: host, the machine lathe runs on; --list-targets shows "
      "what each is; sm_* are NVIDIA GPUs: so, obj and llvm are then host "
      "code running the kernels through liblathe_cuda.so, ptx and cubin "
      "the kernels alone)";
  return text;
}

/// A size in bytes as "48 KiB", "2 MiB", "1280 KiB"; "-" for none.
std::string formatBytes(uint64_t bytes) {
  constexpr uint64_t KiB = 1024, MiB = 1024 * KiB;
  if (bytes == 0)
    return "-";
  if (bytes % MiB == 0)
    return std::to_string(bytes / MiB) + " MiB";
  if (bytes % KiB == 0)
    return std::to_string(bytes / KiB) + " KiB";
  return std::to_string(bytes) + " B";
}

/// A count, or "?" when it is 0 (unknown).
std::string formatCount(unsigned n) { return n ? std::to_string(n) : "?"; }

/// Prints every known target with the numbers schedules are derived from:
/// the CPUs in one table, the GPUs in another, then the host's features.
void printTargets(raw_ostream &os) {
  std::vector<TargetSpec> cpus, gpus;
  for (StringRef name : knownTargetNames()) {
    Expected<TargetSpec> target = lookupTarget(name);
    if (!target) {
      // Cannot happen for a known name; say so rather than hide it.
      os << name << ": " << toString(target.takeError()) << "\n";
      continue;
    }
    (target->isGPU() ? gpus : cpus).push_back(std::move(*target));
  }

  os << "CPU targets (lathe compile --target=<name>; FMA: vector FMAs per "
        "cycle and core, ? unknown; caches per core, shared ones whole):\n";
  os << formatv("  {0,-18} {1,-26} {2,-16} {3,6} {4,4} {5,4} {6,3} {7,8} "
                "{8,8} {9,8} {10,4} {11,5}  {12}\n",
                "name", "triple", "CPU", "vector", "f32", "regs", "FMA", "L1d",
                "L2", "L3", "line", "cores", "reference machine");
  for (const TargetSpec &t : cpus)
    os << formatv("  {0,-18} {1,-26} {2,-16} {3,6} {4,4} {5,4} {6,3} {7,8} "
                  "{8,8} {9,8} {10,4} {11,5}  {12}\n",
                  t.name, t.triple, t.cpu, std::to_string(t.vectorBits) + "b",
                  t.f32Lanes(), t.numVectorRegisters,
                  formatCount(t.fmaUnitsPerCore), formatBytes(t.l1Bytes),
                  formatBytes(t.l2Bytes), formatBytes(t.l3Bytes),
                  t.cacheLineBytes, t.numCores, t.description);

  os << "GPU targets (smem: shared memory, per block with opt-in; L1: L1 "
        "and shared memory of an SM):\n";
  os << formatv("  {0,-6} {1,-20} {2,4} {3,4} {4,13} {5,10} {6,10} {7,8} "
                "{8,7} {9,11} {10,11} {11,8} {12,8}  {13}\n",
                "name", "triple", "SMs", "warp", "threads/block", "threads/SM",
                "smem/block", "smem/SM", "regs/SM", "regs/thread",
                "f32 lanes/SM", "L1/SM", "L2", "reference machine");
  for (const TargetSpec &t : gpus)
    os << formatv("  {0,-6} {1,-20} {2,4} {3,4} {4,13} {5,10} {6,10} {7,8} "
                  "{8,7} {9,11} {10,11} {11,8} {12,8}  {13}\n",
                  t.name, t.triple, t.gpu->numSMs, t.gpu->warpSize,
                  t.gpu->maxThreadsPerBlock, t.gpu->maxThreadsPerSM,
                  formatBytes(t.gpu->sharedMemoryPerBlockBytes),
                  formatBytes(t.gpu->sharedMemoryPerSMBytes),
                  t.gpu->registersPerSM, t.gpu->maxRegistersPerThread,
                  t.gpu->f32LanesPerSM, formatBytes(t.l1Bytes),
                  formatBytes(t.l2Bytes), t.description);

  for (const TargetSpec &t : cpus)
    if (t.name == "host")
      os << "host features: " << (t.features.empty() ? "-" : t.features)
         << "\n";
}

/// The options of `lathe compile`.
struct CompileOptions {
  CompileOptions(cl::SubCommand &sub, cl::OptionCategory &category)
      : emit("emit", cl::desc("What to produce (default: so)"),
             cl::values(
                 clEnumValN(Emit::nn, "nn", "the imported nn-dialect IR"),
                 clEnumValN(Emit::linalg, "linalg",
                            "the model lowered to linalg on tensors (MLIR)"),
                 clEnumValN(Emit::llvm, "llvm",
                            "LLVM IR for the target, after -O3"),
                 clEnumValN(Emit::obj, "obj", "an object file (<model>.o)"),
                 clEnumValN(Emit::so, "so",
                            "a shared library (<model>.so) and, next to "
                            "it, its C header (the output with .h)"),
                 clEnumValN(Emit::header, "header",
                            "the C header alone (<model>.h)"),
                 clEnumValN(Emit::ptx, "ptx",
                            "GPU targets: the kernels as one PTX module"),
                 clEnumValN(Emit::cubin, "cubin",
                            "GPU targets: the kernels assembled by ptxas "
                            "(<model>.cubin)")),
             cl::init(Emit::so), cl::sub(sub), cl::cat(category)),
        output("o",
               cl::desc("Output file; '-' is stdout (default: stdout for "
                        "nn, linalg and llvm; <model>.o, <model>.so and "
                        "<model>.h in the current directory for obj, so "
                        "and header)"),
               cl::value_desc("file"), cl::sub(sub), cl::cat(category)),
        target("target", cl::desc(targetDescription()), cl::value_desc("name"),
               cl::init("host"), cl::sub(sub), cl::cat(category)),
        listTargets("list-targets",
                    cl::desc("Print the known targets with their vector "
                             "width, registers, FMA units, caches and cores "
                             "(GPUs: SMs, shared memory, registers, thread "
                             "limits), the host's as detected, and exit "
                             "(no model needed)"),
                    cl::init(false), cl::sub(sub), cl::cat(category)),
        modelName("model-name",
                  cl::desc("C name of the model: the library exports "
                           "lathe_<name>_run (default: the model file's stem "
                           "made into a C identifier)"),
                  cl::value_desc("name"), cl::sub(sub), cl::cat(category)),
        inputShapes("input-shape",
                    cl::desc("Shape of a graph input, for symbolic or unknown "
                             "dimensions (repeatable)"),
                    cl::value_desc("name=1x3x224x224"), cl::sub(sub),
                    cl::cat(category)),
        printDebugInfo("print-debuginfo",
                       cl::desc("Print op locations (the ONNX node names) "
                                "with --emit=nn and --emit=linalg"),
                       cl::init(false), cl::sub(sub), cl::cat(category)),
        threads("threads",
                cl::desc("Threads that run the parallel loops of kernels: "
                         "0 (the default for the host) leaves the count to "
                         "the OpenMP runtime at run time (OMP_NUM_THREADS, "
                         "else one per core), N > 1 fixes it, 1 (the "
                         "default for other --target machines) compiles "
                         "them as sequential loops (the output then needs "
                         "no libomp)"),
                cl::value_desc("N"), cl::init(0), cl::sub(sub),
                cl::cat(category)),
        emulateGPU(
            "emulate-gpu",
            cl::desc("With a GPU --target: compile the model's GPU kernels "
                     "(the same schedules, blocks, threads and fused tiles) "
                     "for this machine's CPU instead, each block's threads "
                     "run one after another; the output (so, obj, llvm) has "
                     "the CPU's C ABI. For checking the GPU lowering's "
                     "results without a GPU: slow, not for production"),
            cl::init(false), cl::sub(sub), cl::cat(category)),
        tuning(sub, category) {}

  cl::opt<Emit> emit;
  cl::opt<std::string> output;
  cl::opt<std::string> target;
  cl::opt<bool> listTargets;
  cl::opt<std::string> modelName;
  cl::list<std::string> inputShapes;
  cl::opt<bool> printDebugInfo;
  cl::opt<unsigned> threads;
  cl::opt<bool> emulateGPU;
  TuningDBOptions tuning;
};

/// Prints "lathe compile: <message>" and returns the exit code of a failure.
int fail(const Twine &message) {
  errs() << "lathe compile: " << message << "\n";
  return 1;
}

int fail(Error err) { return fail(toString(std::move(err))); }

/// Whether `emit` produces binary output.
bool isBinary(Emit emit) {
  return emit == Emit::obj || emit == Emit::so || emit == Emit::cubin;
}

/// The output file of `emit` when -o is not given.
std::string defaultOutput(Emit emit, StringRef modelName) {
  switch (emit) {
  case Emit::nn:
  case Emit::linalg:
  case Emit::llvm:
  case Emit::ptx:
    return "-";
  case Emit::cubin:
    return (modelName + ".cubin").str();
  case Emit::obj:
    return (modelName + ".o").str();
  case Emit::so:
    return (modelName + ".so").str();
  case Emit::header:
    return (modelName + ".h").str();
  }
  llvm_unreachable("unknown emit kind");
}

/// The header written next to the shared library `soPath`: the same path
/// with the extension .h.
std::string headerPathFor(StringRef soPath) {
  SmallString<128> path(soPath);
  sys::path::replace_extension(path, "h");
  return path.str().str();
}

/// Opens `path` for writing; on failure reports it and returns null.
std::unique_ptr<ToolOutputFile> openOutput(StringRef path, bool binary) {
  std::string error;
  auto file = mlir::openOutputFile(path, &error);
  if (!file) {
    fail(error);
    return nullptr;
  }
  if (binary)
    file->os().SetUnbuffered();
  return file;
}

/// Runs `pipeline` on `module`; on failure reports it (the diagnostics are
/// already printed) and returns false.
bool runPipeline(mlir::ModuleOp module, const DiagnosticPrinter &diagnostics,
                 function_ref<void(mlir::OpPassManager &)> pipeline,
                 StringRef what) {
  mlir::PassManager pm(module.getContext());
  pipeline(pm);
  if (succeeded(pm.run(module)))
    return true;
  if (diagnostics.numErrors() == 0)
    fail(what + " failed");
  return false;
}

int runCompile(const CompileOptions &o, StringRef model) {
  if (o.listTargets) {
    printTargets(outs());
    return 0;
  }
  if (model.empty())
    return fail("expected a model (lathe compile <model.onnx>)");
  if (isBinary(o.emit) && o.output == "-")
    return fail(Twine("refusing to write ") +
                (o.emit == Emit::obj     ? "an object file"
                 : o.emit == Emit::cubin ? "a cubin"
                                         : "a shared library") +
                " to stdout; name a file with -o");

  if (!o.modelName.empty() && !isCIdentifier(o.modelName))
    return fail("--model-name: '" + o.modelName +
                "' is not a C identifier ([A-Za-z_][A-Za-z0-9_]*)");
  Expected<TargetSpec> target = lookupTarget(o.target);
  if (!target)
    return fail("--target: " + toString(target.takeError()));
  bool deviceCode = o.emit == Emit::ptx || o.emit == Emit::cubin;
  // With --emulate-gpu, the GPU's kernels are compiled for the host.
  std::optional<TargetSpec> emulatedGPU;
  if (o.emulateGPU) {
    if (!target->isGPU())
      return fail("--emulate-gpu needs a GPU target (--target=sm_80 or "
                  "--target=sm_90), not " +
                  o.target);
    if (deviceCode)
      return fail("--emulate-gpu compiles for the CPU; it cannot emit " +
                  Twine(o.emit == Emit::ptx ? "ptx" : "cubin"));
    emulatedGPU = std::move(*target);
    target = detectHost();
  }
  if (deviceCode && !target->isGPU())
    return fail("--emit=" + Twine(o.emit == Emit::ptx ? "ptx" : "cubin") +
                " needs a GPU target (--target=sm_80 or --target=sm_90), "
                "not " +
                o.target);
  // For a GPU, llvm, obj and so are host code for this machine that
  // launches the kernels through the CUDA runtime (runtime/cuda).
  std::optional<TargetSpec> gpuTarget;
  if (target->isGPU() && !deviceCode && o.emit != Emit::nn &&
      o.emit != Emit::linalg && o.emit != Emit::header) {
    gpuTarget = std::move(*target);
    target = detectHost();
  }
  frontend::ImportOptions importOptions;
  for (const std::string &spec : o.inputShapes)
    if (Error err = frontend::addInputShape(spec, importOptions))
      return fail("--input-shape: " + toString(std::move(err)));

  // Diagnostics, the importer's and the lowering's, are one line each naming
  // the file and the ONNX node.
  mlir::MLIRContext ctx;
  mlir::DialectRegistry registry;
  registerGPULoweringDependencies(registry);
  ctx.appendDialectRegistry(registry);
  DiagnosticPrinter diagnostics(ctx, model);
  auto imported = model.ends_with(".mlir")
                      ? importModel("compile", model, o.inputShapes, ctx)
                      : frontend::importONNXFile(model, ctx, importOptions);
  if (failed(imported))
    return 1;
  mlir::ModuleOp module = **imported;

  mlir::OpPrintingFlags flags;
  if (o.printDebugInfo)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  if (o.emit == Emit::nn) {
    auto out = openOutput(o.output.empty() ? std::string("-") : o.output.getValue(), false);
    if (!out)
      return 1;
    module->print(out->os(), flags);
    out->os() << "\n";
    out->keep();
    return 0;
  }

  // Every other output has the C ABI: @main becomes lathe_<model>_run.
  Expected<ModelABI> abi = prepareEntryPoint(module, o.modelName);
  if (!abi)
    return fail(abi.takeError());
  abi->source = sys::path::filename(model).str();
  std::string outputPath =
      o.output.empty() ? defaultOutput(o.emit, abi->modelName)
                       : o.output.getValue();

  // Outputs are opened before the work, so that a bad path fails fast; each
  // is removed again unless everything succeeds.
  auto out = openOutput(outputPath, isBinary(o.emit));
  if (!out)
    return 1;
  std::unique_ptr<ToolOutputFile> header;
  if (o.emit == Emit::so) {
    header = openOutput(headerPathFor(outputPath), /*binary=*/false);
    if (!header)
      return 1;
  }

  if (o.emit == Emit::header) {
    out->os() << generateCHeader(*abi);
    out->keep();
    return 0;
  }

  if (o.emit == Emit::linalg) {
    if (!runPipeline(
            module, diagnostics,
            [](mlir::OpPassManager &pm) { buildNNToLinalgPipeline(pm); },
            "lowering to linalg"))
      return 1;
    module->print(out->os(), flags);
    out->os() << "\n";
    out->keep();
    return 0;
  }

  if (deviceCode) {
    // The GPU lowering to PTX; a cubin is that PTX assembled by ptxas.
    if (!runPipeline(
            module, diagnostics,
            [&](mlir::OpPassManager &pm) {
              GPUPipelineOptions options;
              gpu::setPipelineTarget(options, *target, "isa");
              buildGPULoweringPipeline(pm, options);
            },
            "lowering for the GPU"))
      return 1;
    // A model with nothing left to compute has no kernels: an empty module.
    bool hasKernels = !module.getOps<mlir::gpu::BinaryOp>().empty();
    Expected<std::string> ptx = hasKernels ? gpu::getDeviceCode(module)
                                           : gpu::emptyPTXModule(*target);
    if (!ptx)
      return fail(ptx.takeError());
    if (o.emit == Emit::ptx) {
      out->os() << *ptx;
      out->keep();
      return 0;
    }
    SmallString<128> cubinPath;
    if (std::error_code ec = sys::fs::createTemporaryFile(
            "lathe-" + abi->modelName, "cubin", cubinPath))
      return fail("cannot create a temporary file: " + ec.message());
    FileRemover removeCubin(cubinPath);
    if (Error err = gpu::assemblePTX(*ptx, target->cpu, cubinPath))
      return fail(std::move(err));
    ErrorOr<std::unique_ptr<MemoryBuffer>> cubin =
        MemoryBuffer::getFile(cubinPath, /*IsText=*/false);
    if (!cubin)
      return fail("cannot read " + cubinPath + ": " +
                  cubin.getError().message());
    out->os() << (*cubin)->getBuffer();
    out->keep();
    return 0;
  }

  // llvm, obj, so: the whole CPU lowering, then LLVM for the target, with
  // the tuned configs of the target's records.
  mlir::FailureOr<std::string> tuningDB = resolveTuningDB(o.tuning, "compile");
  if (failed(tuningDB))
    return 1;
  if (!runPipeline(
          module, diagnostics,
          [&](mlir::OpPassManager &pm) {
            if (gpuTarget) {
              GPUPipelineOptions gpuOptions;
              gpu::setPipelineTarget(gpuOptions, *gpuTarget, "isa");
              gpuOptions.host = true;
              buildGPULoweringPipeline(pm, gpuOptions);
              return;
            }
            if (emulatedGPU) {
              GPUPipelineOptions gpuOptions;
              gpu::setPipelineTarget(gpuOptions, *emulatedGPU, "isa");
              CPUPipelineOptions cpuOptions;
              cpuOptions.threads = 1;
              buildGPUEmulationPipeline(pm, gpuOptions, cpuOptions);
              return;
            }
            // Default schedules are derived from the target's vector
            // width, registers and caches.
            CPUPipelineOptions options;
            cpu::setScheduleTarget(options, *target);
            options.tuningDB = *tuningDB;
            options.tuningTarget = tuningKey(*target);
            // Cross-compiled code has no OpenMP runtime to link unless
            // asked for: sequential loops by default.
            options.threads = o.threads.getNumOccurrences() == 0 &&
                                      o.target.getValue() != "host"
                                  ? 1
                                  : o.threads.getValue();
            buildCPULoweringPipeline(pm, options);
          },
          "lowering to the LLVM dialect"))
    return 1;
  auto machine = createTargetMachine(*target);
  if (!machine)
    return fail(machine.takeError());
  LLVMContext llvmContext;
  auto llvmModule =
      cpu::translateToLLVMIR(module, llvmContext, **machine,
                             abi->entrySymbol(), target->vectorBits);
  if (!llvmModule)
    return diagnostics.numErrors() ? 1 : fail(llvmModule.takeError());
  (*llvmModule)->setModuleIdentifier(abi->source);
  (*llvmModule)->setSourceFileName(abi->source);

  if (o.emit == Emit::llvm) {
    (*llvmModule)->print(out->os(), /*AAW=*/nullptr);
    out->keep();
    return 0;
  }
  if (o.emit == Emit::obj) {
    if (Error err = cpu::emitObjectFile(**llvmModule, **machine, out->os()))
      return fail(std::move(err));
    out->keep();
    return 0;
  }

  // so: an object in a temporary file, linked into the output; then the
  // header next to it.
  SmallString<128> objectPath;
  if (std::error_code ec = sys::fs::createTemporaryFile(
          "lathe-" + abi->modelName, "o", objectPath))
    return fail("cannot create a temporary file: " + ec.message());
  FileRemover removeObject(objectPath);
  {
    std::error_code ec;
    raw_fd_ostream object(objectPath, ec);
    if (ec)
      return fail("cannot write " + objectPath + ": " + ec.message());
    if (Error err = cpu::emitObjectFile(**llvmModule, **machine, object))
      return fail(std::move(err));
  }
  // GPU host code calls the mgpu* entry points of liblathe_cuda.so.
  SmallVector<std::string> libraries;
  if (gpuTarget)
    libraries.push_back(LATHE_CUDA_RUNTIME_PATH);
  if (Error err = cpu::linkSharedLibrary(
          *target, {objectPath.str().str()}, outputPath,
          cpu::usesOpenMPRuntime(**llvmModule), libraries))
    return fail(std::move(err));
  header->os() << generateCHeader(*abi);
  out->keep();
  header->keep();
  return 0;
}

} // namespace

Runner declareCompile(cl::SubCommand &sub, cl::OptionCategory &category) {
  auto options = std::make_shared<CompileOptions>(sub, category);
  return [options](StringRef model) { return runCompile(*options, model); };
}

} // namespace lathe::cli
