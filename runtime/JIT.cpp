//===- JIT.cpp - Compile and run nn models in-process ---------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements JITModel on MLIR's ExecutionEngine. The entry function
// is lowered with bare-pointer arguments (inputs, then outputs as
// out-parameters), so a run passes one pointer per tensor. Kernels with
// parallel loops call into LLVM's OpenMP runtime, which is loaded into the
// process (once) before such a model is compiled.
//
//===----------------------------------------------------------------------===//

#include "runtime/JIT.h"

#include "codegen/Target.h"
#include "codegen/cpu/CPUCodegen.h"
#include "frontend/onnx/Importer.h"
#include "passes/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace lathe;

StringRef lathe::stringifyDType(DType dtype) {
  switch (dtype) {
  case DType::f16:
    return "f16";
  case DType::bf16:
    return "bf16";
  case DType::f32:
    return "f32";
  case DType::f64:
    return "f64";
  case DType::i1:
    return "i1";
  case DType::i8:
    return "i8";
  case DType::i32:
    return "i32";
  case DType::i64:
    return "i64";
  }
  llvm_unreachable("unknown dtype");
}

size_t lathe::dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::f16:
  case DType::bf16:
    return 2;
  case DType::f32:
  case DType::i32:
    return 4;
  case DType::f64:
  case DType::i64:
    return 8;
  case DType::i1:
  case DType::i8:
    return 1;
  }
  llvm_unreachable("unknown dtype");
}

std::optional<DType> lathe::dtypeOf(Type type) {
  if (type.isF16())
    return DType::f16;
  if (type.isBF16())
    return DType::bf16;
  if (type.isF32())
    return DType::f32;
  if (type.isF64())
    return DType::f64;
  if (type.isSignlessInteger(1))
    return DType::i1;
  if (type.isSignlessInteger(8))
    return DType::i8;
  if (type.isSignlessInteger(32))
    return DType::i32;
  if (type.isSignlessInteger(64))
    return DType::i64;
  return std::nullopt;
}

int64_t TensorSpec::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

namespace {

/// Collects every diagnostic emitted while alive, for error messages.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &d) {
          llvm::raw_string_ostream os(text);
          if (!text.empty())
            os << "\n";
          os << d.getLocation() << ": " << d;
          for (Diagnostic &note : d.getNotes())
            os << "\n  note: " << note;
          return success();
        }) {}

  llvm::Error error(const Twine &what) const {
    std::string message = what.str();
    if (!text.empty())
      message += ":\n" + text;
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  }

private:
  std::string text;
  ScopedDiagnosticHandler handler;
};

/// Reads the specs of `types` (function inputs or results) with the names
/// from the `nn.name` attributes when present.
llvm::Expected<SmallVector<TensorSpec>>
readSpecs(func::FuncOp func, TypeRange types, bool results) {
  SmallVector<TensorSpec> specs;
  for (auto [i, type] : llvm::enumerate(types)) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    std::string what = (results ? "result " : "argument ") + std::to_string(i);
    if (!tensor || !tensor.hasStaticShape())
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "@" + func.getName().str() + ": " + what +
              " must be a tensor of static shape for the JIT");
    std::optional<DType> dtype = dtypeOf(tensor.getElementType());
    if (!dtype)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "@" + func.getName().str() + ": " + what +
              " has an unsupported element type");
    auto name = results ? func.getResultAttrOfType<StringAttr>(i, "nn.name")
                        : func.getArgAttrOfType<StringAttr>(i, "nn.name");
    specs.push_back(
        {name ? name.str() : (results ? "result" : "arg") + std::to_string(i),
         SmallVector<int64_t>(tensor.getShape()), *dtype});
  }
  return specs;
}
} // namespace

/// Loads LLVM's OpenMP runtime into the process (once), so that the JIT
/// resolves the `__kmpc_*` calls of parallel loops against it.
static llvm::Error loadOpenMPRuntime() {
  static const std::string error = [] {
    std::string message;
    if (llvm::sys::DynamicLibrary::LoadLibraryPermanently(
            codegen::cpu::openMPRuntimePath().str().c_str(), &message))
      return "the model runs loops on threads, but the OpenMP runtime " +
             codegen::cpu::openMPRuntimePath().str() +
             " cannot be loaded (" + message +
             "): install libomp-19-dev, or compile with 1 thread";
    return std::string();
  }();
  if (error.empty())
    return llvm::Error::success();
  return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
}

struct JITModel::Impl {
  std::unique_ptr<MLIRContext> ownedContext;
  std::unique_ptr<ExecutionEngine> engine;
  std::string entry;
};

JITModel::JITModel(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
JITModel::~JITModel() = default;

llvm::Expected<std::unique_ptr<JITModel>>
JITModel::compile(ModuleOp module, StringRef entry,
                  const JITOptions &jitOptions) {
  MLIRContext *ctx = module.getContext();
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no function @" + entry.str() +
                                       " in the module");
  auto inputs = readSpecs(func, func.getArgumentTypes(), /*results=*/false);
  if (!inputs)
    return inputs.takeError();
  auto outputs = readSpecs(func, func.getResultTypes(), /*results=*/true);
  if (!outputs)
    return outputs.takeError();

  DialectRegistry registry;
  registerCPULoweringDependencies(registry);
  ctx->appendDialectRegistry(registry);

  // Schedules, LLVM's -O3 and the JIT's code generator all see the host's
  // CPU (without a TargetMachine, -O3 vectorizes for a generic CPU).
  static const codegen::TargetSpec host = codegen::detectHost();
  DiagnosticCollector diagnostics(ctx);
  PassManager pm(ctx);
  CPUPipelineOptions pipeline;
  codegen::cpu::setScheduleTarget(pipeline, host);
  pipeline.threads = jitOptions.threads;
  pipeline.tuningDB = jitOptions.tuningDB;
  pipeline.tuningTarget = codegen::tuningKey(host);
  if (!jitOptions.configs.empty())
    pipeline.givenConfigs =
        std::make_shared<const std::map<std::string, std::string>>(
            jitOptions.configs);
  buildCPULoweringPipeline(pm, pipeline);
  if (failed(pm.run(module)))
    return diagnostics.error("lowering to the LLVM dialect failed");
  if (needsOpenMPRuntime(module))
    if (llvm::Error err = loadOpenMPRuntime())
      return std::move(err);

  codegen::cpu::dropNonLLVMArgumentAttributes(module);

  auto optMachine = codegen::createTargetMachine(host);
  if (!optMachine)
    return optMachine.takeError();
  auto jitMachine = codegen::createTargetMachine(host);
  if (!jitMachine)
    return jitMachine.takeError();
  auto optimize = makeOptimizingTransformer(/*optLevel=*/3,
                                            /*sizeLevel=*/0,
                                            optMachine->get());
  auto transformer = [optimize](llvm::Module *llvmModule) {
    codegen::cpu::setPreferredVectorWidth(*llvmModule, host.vectorBits);
    return optimize(llvmModule);
  };
  ExecutionEngineOptions options;
  options.transformer = transformer;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto engine =
      ExecutionEngine::create(module, options, std::move(*jitMachine));
  if (!engine) {
    llvm::Error err = engine.takeError();
    return diagnostics.error("JIT compilation failed: " +
                             llvm::toString(std::move(err)));
  }

  auto impl = std::make_unique<Impl>();
  impl->engine = std::move(*engine);
  impl->entry = entry.str();
  std::unique_ptr<JITModel> model(new JITModel(std::move(impl)));
  model->inputSpecs = std::move(*inputs);
  model->outputSpecs = std::move(*outputs);
  return model;
}

llvm::Expected<std::unique_ptr<JITModel>>
JITModel::compileSource(StringRef source, StringRef entry,
                        StringRef bufferName, const JITOptions &options) {
  auto ctx = std::make_unique<MLIRContext>();
  DialectRegistry registry;
  registerCPULoweringDependencies(registry);
  ctx->appendDialectRegistry(registry);
  ctx->loadAllAvailableDialects();

  OwningOpRef<ModuleOp> module;
  {
    DiagnosticCollector diagnostics(ctx.get());
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(source, bufferName), SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(ctx.get()));
    if (!module)
      return diagnostics.error("cannot parse " + bufferName);
  }
  auto model = compile(*module, entry, options);
  if (!model)
    return model.takeError();
  (*model)->impl->ownedContext = std::move(ctx);
  return model;
}

llvm::Expected<std::unique_ptr<JITModel>>
JITModel::compileONNX(StringRef path, const frontend::ImportOptions &options,
                      const JITOptions &jitOptions) {
  auto ctx = std::make_unique<MLIRContext>();
  DialectRegistry registry;
  registerCPULoweringDependencies(registry);
  ctx->appendDialectRegistry(registry);
  ctx->loadAllAvailableDialects();

  FailureOr<OwningOpRef<ModuleOp>> module;
  {
    // The importer's diagnostics are complete lines naming file and node.
    std::string messages;
    ScopedDiagnosticHandler handler(ctx.get(), [&](Diagnostic &d) {
      if (!messages.empty())
        messages += "\n";
      messages += d.str();
      return success();
    });
    module = frontend::importONNXFile(path, *ctx, options);
    if (failed(module))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     messages);
  }
  auto model = compile(**module, "main", jitOptions);
  if (!model)
    return model.takeError();
  (*model)->impl->ownedContext = std::move(ctx);
  return model;
}

llvm::Error JITModel::run(ArrayRef<const void *> inputs,
                          ArrayRef<void *> outputs) const {
  if (inputs.size() != inputSpecs.size() ||
      outputs.size() != outputSpecs.size())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "@" + impl->entry + " takes " + std::to_string(inputSpecs.size()) +
            " inputs and " + std::to_string(outputSpecs.size()) +
            " outputs, got " + std::to_string(inputs.size()) + " and " +
            std::to_string(outputs.size()));
  // The packed interface takes a pointer to each argument; each argument is
  // itself a pointer (bare-pointer calling convention).
  SmallVector<void *> pointers;
  for (const void *in : inputs)
    pointers.push_back(const_cast<void *>(in));
  for (void *out : outputs)
    pointers.push_back(out);
  SmallVector<void *> args;
  for (void *&p : pointers)
    args.push_back(&p);
  return impl->engine->invokePacked(impl->entry, args);
}
