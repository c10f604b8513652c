//===- MgpuABI.h - MLIR's mgpu* GPU runtime ABI over CUDADriver -*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the `mgpu*` C entry points that code lowered by MLIR 19
// (`gpu-to-llvm`, and the translation of `gpu.launch_func` with
// `#gpu.select_object`) calls, with the signatures of MLIR's
// mlir/lib/ExecutionEngine/CudaRuntimeWrappers.cpp at release/19.x. Lathe
// implements them on CUDADriver, so they need no CUDA toolkit to build and
// open libcuda.so.1 only when first called. A process must not also load
// MLIR's libmlir_cuda_runtime.so, which defines the same symbols.
//
// These functions cannot return errors. On a CUDA error, or where there is
// no driver or device, they print one line to stderr,
//
//   lathe: mgpuLaunchKernel: cuLaunchKernel failed: CUDA_ERROR_INVALID_VALUE
//   (invalid argument) [kernel 'main_kernel']
//
// naming the entry point, the driver call, the CUDA error and, where known,
// the kernel (its name as given to mgpuModuleGetFunction; for a
// synchronization, the last kernel launched on the stream), and then call
// abort(). Code that must survive a GPU error uses CUDADriver instead.
//
// Unlike MLIR's wrappers, which push and pop the primary context around each
// call, these leave the device's primary context current on the calling
// thread. Only device 0 is used; mgpuSetDefaultDevice,
// mgpuLaunchClusterKernel, the host-registration helpers and the sparse
// (cuSPARSE) entry points are not provided.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_RUNTIME_CUDA_MGPUABI_H
#define LATHE_RUNTIME_CUDA_MGPUABI_H

#include "runtime/cuda/CUDADriver.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstddef>
#include <cstdint>

extern "C" {
/// Loads a cubin or fatbin (or PTX) of `gpuBlobSize` bytes.
lathe::runtime::cuda::CUmodule mgpuModuleLoad(void *data, size_t gpuBlobSize);
/// Loads NUL-terminated PTX, which the driver compiles at `optLevel` (0-4).
lathe::runtime::cuda::CUmodule mgpuModuleLoadJIT(void *data, int optLevel);
/// Unloads a module.
void mgpuModuleUnload(lathe::runtime::cuda::CUmodule module);
/// The kernel `name` of `module`; its name is kept for later messages.
lathe::runtime::cuda::CUfunction
mgpuModuleGetFunction(lathe::runtime::cuda::CUmodule module, const char *name);
/// Launches `function` on `stream`; `params` points at each argument's value.
/// Dimensions must lie in [1, 2^32).
void mgpuLaunchKernel(lathe::runtime::cuda::CUfunction function, intptr_t gridX,
                      intptr_t gridY, intptr_t gridZ, intptr_t blockX,
                      intptr_t blockY, intptr_t blockZ, int32_t smem,
                      lathe::runtime::cuda::CUstream stream, void **params,
                      void **extra, size_t paramsCount);
/// A new non-blocking stream.
lathe::runtime::cuda::CUstream mgpuStreamCreate();
void mgpuStreamDestroy(lathe::runtime::cuda::CUstream stream);
void mgpuStreamSynchronize(lathe::runtime::cuda::CUstream stream);
void mgpuStreamWaitEvent(lathe::runtime::cuda::CUstream stream,
                         lathe::runtime::cuda::CUevent event);
/// A new event without timing.
lathe::runtime::cuda::CUevent mgpuEventCreate();
void mgpuEventDestroy(lathe::runtime::cuda::CUevent event);
void mgpuEventSynchronize(lathe::runtime::cuda::CUevent event);
void mgpuEventRecord(lathe::runtime::cuda::CUevent event,
                     lathe::runtime::cuda::CUstream stream);
/// Device memory (managed memory when `isHostShared`); nullptr for 0 bytes.
void *mgpuMemAlloc(uint64_t sizeBytes, lathe::runtime::cuda::CUstream stream,
                   bool isHostShared);
/// Frees mgpuMemAlloc's memory; nullptr is ignored.
void mgpuMemFree(void *ptr, lathe::runtime::cuda::CUstream stream);
/// Copies between any two of host and device memory, ordered on `stream`.
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                lathe::runtime::cuda::CUstream stream);
/// Sets `count` 32-bit (16-bit) words at `dst` to `value` on `stream`.
void mgpuMemset32(void *dst, unsigned int value, size_t count,
                  lathe::runtime::cuda::CUstream stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  lathe::runtime::cuda::CUstream stream);
}

namespace lathe {
namespace runtime {
namespace cuda {

/// One mgpu* entry point: its C name and address.
struct MgpuSymbol {
  const char *name;
  void *address;
};

/// Every mgpu* entry point above, for a JIT to resolve the calls of lowered
/// code to (for example with ExecutionEngine::registerSymbols).
llvm::ArrayRef<MgpuSymbol> getMgpuSymbols();

} // namespace cuda
} // namespace runtime
} // namespace lathe

#endif // LATHE_RUNTIME_CUDA_MGPUABI_H
