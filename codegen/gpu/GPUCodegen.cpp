//===- GPUCodegen.cpp - NVIDIA GPU code generation ------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements GPUCodegen.h: options of the GPU pipeline from a
// target, the device code of a lowered module, and ptxas.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/GPUCodegen.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace llvm;
using namespace lathe;
using namespace lathe::codegen;

void gpu::setPipelineTarget(GPUPipelineOptions &options,
                            const TargetSpec &target, StringRef format) {
  options.chip = target.cpu;
  options.features = target.features;
  if (target.gpu) {
    options.maxThreadsPerBlock = target.gpu->maxThreadsPerBlock;
    options.warpSize = target.gpu->warpSize;
  }
  options.format = format.str();
}

Expected<std::string> gpu::getDeviceCode(mlir::ModuleOp module) {
  SmallVector<mlir::gpu::BinaryOp> binaries(
      module.getOps<mlir::gpu::BinaryOp>());
  if (binaries.empty())
    return createStringError(inconvertibleErrorCode(),
                             "the model has no GPU kernels (no gpu.binary "
                             "after the GPU lowering)");
  if (binaries.size() > 1)
    return createStringError(inconvertibleErrorCode(),
                             "expected one gpu.binary after the GPU "
                             "lowering, found " +
                                 Twine(binaries.size()));
  mlir::ArrayAttr objects = binaries.front().getObjects();
  if (objects.size() != 1)
    return createStringError(inconvertibleErrorCode(),
                             "expected one object in the gpu.binary, found " +
                                 Twine(objects.size()));
  auto object = cast<mlir::gpu::ObjectAttr>(objects[0]);
  StringRef code = object.getObject().getValue();
  // PTX is serialized with the NUL that cuModuleLoadData needs; the text
  // ends before it.
  if (object.getFormat() == mlir::gpu::CompilationTarget::Assembly)
    code = code.rtrim('\0');
  return code.str();
}

std::string gpu::emptyPTXModule(const TargetSpec &target) {
  // "+ptx78" -> "7.8"; PTX 7.0 (CUDA 11.0) when the features name none.
  std::string version = "7.0";
  SmallVector<StringRef> features;
  StringRef(target.features).split(features, ',');
  for (StringRef feature : features) {
    if (!feature.consume_front("+ptx") || feature.size() < 2)
      continue;
    version = (feature.drop_back() + "." + feature.take_back()).str();
  }
  return "//\n// Lathe: the model has no kernels\n//\n\n.version " + version +
         "\n.target " + target.cpu + "\n.address_size 64\n";
}

Expected<std::string> gpu::findPtxas() {
  SmallVector<std::string> tried;
  auto candidate = [&](StringRef dir) -> std::optional<std::string> {
    SmallString<128> path(dir);
    sys::path::append(path, "ptxas");
    tried.push_back(path.str().str());
    if (sys::fs::can_execute(path))
      return path.str().str();
    return std::nullopt;
  };
  if (const char *cuda = std::getenv("CUDA_PATH"); cuda && *cuda) {
    SmallString<128> bin(cuda);
    sys::path::append(bin, "bin");
    if (auto found = candidate(bin))
      return *found;
  }
  if (auto found = candidate("/usr/local/cuda/bin"))
    return *found;
  if (ErrorOr<std::string> onPath = sys::findProgramByName("ptxas"))
    return *onPath;
  tried.push_back("ptxas on PATH");
  std::string list;
  for (const std::string &t : tried)
    list += (list.empty() ? "" : ", ") + t;
  return createStringError(inconvertibleErrorCode(),
                           "ptxas (from the CUDA toolkit) not found; looked "
                           "for " +
                               list + ". Set CUDA_PATH to the toolkit");
}

Error gpu::assemblePTX(StringRef ptx, StringRef chip, StringRef outputPath) {
  Expected<std::string> ptxas = findPtxas();
  if (!ptxas)
    return ptxas.takeError();
  SmallString<128> input, log;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("lathe-kernels", "ptx", input))
    return createStringError(ec,
                             "cannot create a temporary file: " + ec.message());
  FileRemover removeInput(input);
  if (std::error_code ec =
          sys::fs::createTemporaryFile("lathe-ptxas", "log", log))
    return createStringError(ec,
                             "cannot create a temporary file: " + ec.message());
  FileRemover removeLog(log);
  {
    std::error_code ec;
    raw_fd_ostream os(input, ec);
    if (ec)
      return createStringError(ec,
                               "cannot write " + input + ": " + ec.message());
    os << ptx;
  }
  std::string arch = ("-arch=" + chip).str();
  SmallVector<StringRef> args = {*ptxas, arch, "-O3", input, "-o", outputPath};
  std::optional<StringRef> redirects[] = {std::nullopt, log.str(), log.str()};
  std::string message;
  int rc =
      sys::ExecuteAndWait(*ptxas, args, std::nullopt, redirects,
                          /*SecondsToWait=*/0, /*MemoryLimit=*/0, &message);
  if (rc == 0)
    return Error::success();
  std::string output;
  if (ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
          MemoryBuffer::getFile(log))
    output = (*buffer)->getBuffer().trim().str();
  return createStringError(inconvertibleErrorCode(),
                           "ptxas " + arch + " rejected the PTX" +
                               (message.empty() ? "" : " (" + message + ")") +
                               (output.empty() ? "" : ":\n" + output));
}
