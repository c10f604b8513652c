//===- GPUCodegen.h - NVIDIA GPU code generation ----------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the GPU back end's steps around the GPU lowering
// pipeline (passes/Pipelines.h): the pipeline's options for a target, the
// device code a lowered module carries, and ptxas, which assembles PTX for
// a GPU and is the check that generated PTX is valid.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_CODEGEN_GPU_GPUCODEGEN_H
#define LATHE_CODEGEN_GPU_GPUCODEGEN_H

#include "codegen/Target.h"
#include "passes/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace lathe::codegen::gpu {

/// Fills in the GPU pipeline's chip, PTX features, thread limit and warp
/// size from `target`, a GPU (TargetSpec::isGPU); `format` is what the
/// serialized device code is: "isa" (PTX) or "bin" (a cubin).
void setPipelineTarget(GPUPipelineOptions &options, const TargetSpec &target,
                       llvm::StringRef format);

/// The device code of `module` after buildGPULoweringPipeline: the object
/// of its one gpu.binary (PTX text, without the NUL terminator it is
/// serialized with, or a cubin). An error
/// when the module has no gpu.binary (no kernel ran on the GPU) or more
/// than one.
llvm::Expected<std::string> getDeviceCode(mlir::ModuleOp module);

/// A PTX module with no kernels for `target` (its chip, and the PTX ISA
/// version its features name, e.g. +ptx78 gives .version 7.8): the device
/// code of a model with no computation left after graph optimization
/// (an Identity, a Shape folded to a constant).
std::string emptyPTXModule(const TargetSpec &target);

/// The ptxas to assemble PTX with: $CUDA_PATH/bin/ptxas, else
/// /usr/local/cuda/bin/ptxas, else ptxas on PATH; an error naming the
/// places looked in when there is none.
llvm::Expected<std::string> findPtxas();

/// Assembles `ptx` for `chip` (sm_80, sm_90) with ptxas into the cubin
/// `outputPath`; the error carries ptxas's messages.
llvm::Error assemblePTX(llvm::StringRef ptx, llvm::StringRef chip,
                        llvm::StringRef outputPath);

} // namespace lathe::codegen::gpu

#endif // LATHE_CODEGEN_GPU_GPUCODEGEN_H
