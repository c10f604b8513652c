//===- CPUCodegen.h - Object files and shared libraries for CPUs -*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the last steps of CPU code generation, after the CPU
// lowering pipeline (passes/Pipelines.h) has brought a module to the LLVM
// dialect: translation to LLVM IR for a target, LLVM's -O3 pipeline, object
// file emission, and linking a shared library with the target's compiler
// driver. Each step returns its errors as values.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_CODEGEN_CPU_CPUCODEGEN_H
#define LATHE_CODEGEN_CPU_CPUCODEGEN_H

#include "codegen/Target.h"
#include "passes/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
class raw_pwrite_stream;
} // namespace llvm

namespace lathe::codegen::cpu {

/// Drops the function argument and result attributes of dialects other than
/// LLVM (such as nn.name) from `module`: they mean nothing to LLVM, and the
/// translation would warn about each.
void dropNonLLVMArgumentAttributes(mlir::ModuleOp module);

/// Fills in the machine facts of the CPU pipeline's default schedule (vector
/// width and registers, L1 and L2 sizes) from `target`; fields `target`
/// leaves at 0 keep the pipeline's defaults.
void setScheduleTarget(CPUPipelineOptions &options, const TargetSpec &target);

/// Translates `module` (LLVM dialect only) to LLVM IR for `machine` and
/// optimizes it with LLVM's -O3 pipeline: sets the triple and data layout,
/// marks every function definition with the machine's CPU and features, and
/// gives every definition but `exportedSymbol` internal linkage, so that the
/// entry function is the only symbol a shared library exports. Function
/// argument and result attributes of dialects other than LLVM (nn.name) are
/// dropped from `module` first. Translation errors are also emitted as
/// diagnostics on `module`'s context.
/// `preferVectorBits` (the target's vector width; 0 for LLVM's choice) is
/// the widest vector LLVM keeps whole (see setPreferredVectorWidth).
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &llvmContext,
                  llvm::TargetMachine &machine, llvm::StringRef exportedSymbol,
                  unsigned preferVectorBits = 0);

/// Marks every function definition of `module` with "prefer-vector-width"
/// = `bits`, so that LLVM keeps the schedule's register tiles in registers
/// of that width: on x86 CPUs with AVX-512 it otherwise splits 512-bit
/// vectors into two 256-bit halves. Does nothing for 0.
void setPreferredVectorWidth(llvm::Module &module, unsigned bits);

/// Writes `module` (from translateToLLVMIR with the same `machine`) as an
/// object file to `os`.
llvm::Error emitObjectFile(llvm::Module &module, llvm::TargetMachine &machine,
                           llvm::raw_pwrite_stream &os);

/// The first of `target.linkers` found on PATH, as a full path.
llvm::Expected<std::string> findLinker(const TargetSpec &target);

/// Whether `module` calls into the OpenMP runtime (the `__kmpc_*` calls
/// that the translation of OpenMP dialect ops emits).
bool usesOpenMPRuntime(const llvm::Module &module);

/// The OpenMP runtime (libomp.so) found when Lathe was configured.
llvm::StringRef openMPRuntimePath();

/// Links `objects` into the shared library `output` with the target's
/// compiler driver: `<linker> -shared -o <output> <objects>... -lm`, and
/// with `openmp` also against libomp (openMPRuntimePath(), found through an
/// rpath). A missing driver, an OpenMP link for another architecture than
/// the host's (Lathe knows no libomp for it) or a failing link is an error
/// naming the command (and holding the linker's messages). `libraries` are
/// shared libraries (paths) the output needs as well, each found at run
/// time through an rpath to its folder (the GPU runtime).
llvm::Error linkSharedLibrary(const TargetSpec &target,
                              llvm::ArrayRef<std::string> objects,
                              llvm::StringRef output, bool openmp = false,
                              llvm::ArrayRef<std::string> libraries = {});

} // namespace lathe::codegen::cpu

#endif // LATHE_CODEGEN_CPU_CPUCODEGEN_H
