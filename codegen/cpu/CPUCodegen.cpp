//===- CPUCodegen.cpp - Object files and shared libraries for CPUs --------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements translation to LLVM IR, -O3, object emission and
// linking for CPU targets. LLVM's own -O3 pipeline runs on the IR before
// code generation: instruction selection alone (llc) leaves ~25% on the
// table (shared/TOOLCHAIN.md).
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CPUCodegen.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace llvm;
using namespace lathe::codegen;

void cpu::setScheduleTarget(CPUPipelineOptions &options,
                            const TargetSpec &target) {
  if (target.vectorBits)
    options.vectorBits = target.vectorBits;
  if (target.numVectorRegisters)
    options.vectorRegisters = target.numVectorRegisters;
  if (target.l1Bytes)
    options.l1Bytes = static_cast<int64_t>(target.l1Bytes);
  if (target.l2Bytes)
    options.l2Bytes = static_cast<int64_t>(target.l2Bytes);
  if (target.numCores)
    options.cores = static_cast<int64_t>(target.numCores);
}

void cpu::dropNonLLVMArgumentAttributes(mlir::ModuleOp module) {
  module.walk([](mlir::LLVM::LLVMFuncOp func) {
    auto keepLLVMOnly = [](mlir::DictionaryAttr attrs) {
      SmallVector<mlir::NamedAttribute> kept;
      if (attrs)
        for (mlir::NamedAttribute attr : attrs)
          if (attr.getName().getValue().starts_with("llvm."))
            kept.push_back(attr);
      return kept;
    };
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      func.setArgAttrs(i, keepLLVMOnly(func.getArgAttrDict(i)));
    for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
      func.setResultAttrs(i, keepLLVMOnly(func.getResultAttrDict(i)));
  });
}

void cpu::setPreferredVectorWidth(Module &module, unsigned bits) {
  if (bits == 0)
    return;
  for (Function &f : module.functions())
    if (!f.isDeclaration())
      f.addFnAttr("prefer-vector-width", std::to_string(bits));
}

Expected<std::unique_ptr<Module>>
cpu::translateToLLVMIR(mlir::ModuleOp module, LLVMContext &llvmContext,
                       TargetMachine &machine, StringRef exportedSymbol,
                       unsigned preferVectorBits) {
  dropNonLLVMArgumentAttributes(module);
  std::unique_ptr<Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return createStringError(inconvertibleErrorCode(),
                             "translation to LLVM IR failed");
  if (!llvmModule->getFunction(exportedSymbol))
    return createStringError(inconvertibleErrorCode(),
                             "the module has no function @" + exportedSymbol);

  llvmModule->setTargetTriple(machine.getTargetTriple().str());
  llvmModule->setDataLayout(machine.createDataLayout());

  // Only the entry function leaves the object; the rest may be inlined,
  // specialized or dropped by the optimizer.
  StringRef cpuName = machine.getTargetCPU();
  StringRef features = machine.getTargetFeatureString();
  for (Function &f : llvmModule->functions()) {
    if (f.isDeclaration())
      continue;
    if (!cpuName.empty())
      f.addFnAttr("target-cpu", cpuName);
    if (!features.empty())
      f.addFnAttr("target-features", features);
    if (f.getName() != exportedSymbol)
      f.setLinkage(GlobalValue::InternalLinkage);
  }
  for (GlobalVariable &g : llvmModule->globals())
    if (!g.isDeclaration() && !g.hasLocalLinkage())
      g.setLinkage(GlobalValue::InternalLinkage);
  setPreferredVectorWidth(*llvmModule, preferVectorBits);

  auto optimize = mlir::makeOptimizingTransformer(/*optLevel=*/3,
                                                  /*sizeLevel=*/0, &machine);
  if (Error err = optimize(llvmModule.get()))
    return createStringError(inconvertibleErrorCode(),
                             "LLVM -O3 failed: " + toString(std::move(err)));
  return llvmModule;
}

Error cpu::emitObjectFile(Module &module, TargetMachine &machine,
                          raw_pwrite_stream &os) {
  legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, os, /*DwoOut=*/nullptr,
                                  CodeGenFileType::ObjectFile))
    return createStringError(inconvertibleErrorCode(),
                             "LLVM cannot emit object files for " +
                                 machine.getTargetTriple().str());
  pm.run(module);
  os.flush();
  return Error::success();
}

Expected<std::string> cpu::findLinker(const TargetSpec &target) {
  for (const std::string &name : target.linkers)
    if (ErrorOr<std::string> path = sys::findProgramByName(name))
      return *path;
  return createStringError(
      inconvertibleErrorCode(),
      "cannot link for target '" + target.name + "': " +
          (target.linkers.empty()
               ? std::string("it names no linker")
               : "no " + join(target.linkers, ", ") + " on PATH"));
}

bool cpu::usesOpenMPRuntime(const Module &module) {
  for (const Function &f : module.functions())
    if (f.isDeclaration() && f.getName().starts_with("__kmpc_"))
      return true;
  return false;
}

StringRef cpu::openMPRuntimePath() { return LATHE_LIBOMP_PATH; }

Error cpu::linkSharedLibrary(const TargetSpec &target,
                             ArrayRef<std::string> objects, StringRef output,
                             bool openmp, ArrayRef<std::string> libraries) {
  if (openmp && Triple(target.triple).getArch() !=
                    Triple(sys::getProcessTriple()).getArch())
    return createStringError(
        inconvertibleErrorCode(),
        "the model runs loops on threads, which needs an OpenMP runtime "
        "for target '" +
            target.name + "' (" + target.triple +
            "); Lathe knows only the host's (" + openMPRuntimePath() +
            "): compile with --threads 1");
  Expected<std::string> linker = findLinker(target);
  if (!linker)
    return linker.takeError();

  // -z defs: a symbol no library provides is an error now, not when the
  // library is loaded.
  SmallVector<std::string> args = {*linker, "-shared", "-Wl,-z,defs", "-o",
                                   output.str()};
  args.append(objects.begin(), objects.end());
  args.push_back("-lm");
  // libomp lives in LLVM's own library folder, which the loader does not
  // search: the .so records where it is.
  if (openmp) {
    args.push_back(openMPRuntimePath().str());
    args.push_back(
        ("-Wl,-rpath," + sys::path::parent_path(openMPRuntimePath())).str());
  }
  for (const std::string &library : libraries) {
    args.push_back(library);
    args.push_back(("-Wl,-rpath," + sys::path::parent_path(library)).str());
  }
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string command = join(argRefs, " ");

  // The linker's messages go to a temporary file, to be quoted in the error.
  SmallString<128> logPath;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("lathe-link", "log", logPath))
    return createStringError(ec, "cannot create a temporary file: " +
                                     ec.message());
  FileRemover removeLog(logPath);
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                          StringRef(logPath)};
  std::string error;
  int rc = sys::ExecuteAndWait(*linker, argRefs, /*Env=*/std::nullopt,
                               redirects, /*SecondsToWait=*/0,
                               /*MemoryLimit=*/0, &error);
  if (rc == 0)
    return Error::success();

  std::string message = "linking failed: '" + command + "' ";
  message += rc < 0 ? "could not run" + (error.empty() ? "" : ": " + error)
                    : "exited with status " + std::to_string(rc);
  if (auto log = MemoryBuffer::getFile(logPath, /*IsText=*/true)) {
    StringRef text = (*log)->getBuffer().trim();
    if (!text.empty())
      message += ":\n" + text.str();
  }
  return createStringError(inconvertibleErrorCode(), message);
}
