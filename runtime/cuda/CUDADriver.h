//===- CUDADriver.h - The CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares CUDADriver, Lathe's access to NVIDIA GPUs through the
// CUDA *driver* API. libcuda.so.1 is opened with dlopen the first time a GPU
// is asked for, so Lathe builds, links and runs on machines without a GPU or
// an NVIDIA driver: there CUDADriver::get() returns an error saying so, and
// nothing else changes. Lathe neither links against libcuda nor the CUDA
// runtime, nor includes cuda.h: the handful of driver types and constants it
// uses are declared below, with cuda.h's names and values.
//
// Every call that can fail returns llvm::Error / llvm::Expected with a
// one-line message naming the driver call, the CUDA error and a context the
// caller gives (the kernel, the ONNX node), for example:
//
//   cuLaunchKernel failed: CUDA_ERROR_LAUNCH_TIMEOUT (the launch timed out
//   and was terminated) [kernel 'conv_12_kernel']
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_RUNTIME_CUDA_CUDADRIVER_H
#define LATHE_RUNTIME_CUDA_CUDADRIVER_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace lathe {
namespace runtime {
namespace cuda {

//===----------------------------------------------------------------------===//
// Driver API types and constants (cuda.h's names and values)
//===----------------------------------------------------------------------===//

/// A driver call's status: CUDA_SUCCESS or a CUDA_ERROR_* code.
using CUresult = int;
/// A device ordinal's handle.
using CUdevice = int;
/// An address in device memory (64-bit on every platform Lathe supports).
using CUdeviceptr = unsigned long long;

struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;
struct CUevent_st;
/// A CUDA context (Lathe uses the device's primary context).
using CUcontext = CUctx_st *;
/// A loaded module (PTX JIT-compiled by the driver, or a cubin/fatbin).
using CUmodule = CUmod_st *;
/// A kernel of a loaded module.
using CUfunction = CUfunc_st *;
/// A stream; nullptr is the legacy default stream.
using CUstream = CUstream_st *;
/// An event, for ordering streams and timing.
using CUevent = CUevent_st *;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_INVALID_VALUE = 1;
constexpr CUresult CUDA_ERROR_NOT_INITIALIZED = 3;
constexpr CUresult CUDA_ERROR_NO_DEVICE = 100;
constexpr CUresult CUDA_ERROR_NOT_FOUND = 500;

constexpr int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr int CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
constexpr int CU_JIT_OPTIMIZATION_LEVEL = 7;
constexpr unsigned CU_STREAM_DEFAULT = 0x0;
constexpr unsigned CU_STREAM_NON_BLOCKING = 0x1;
constexpr unsigned CU_EVENT_DEFAULT = 0x0;
constexpr unsigned CU_EVENT_DISABLE_TIMING = 0x2;
constexpr unsigned CU_MEM_ATTACH_GLOBAL = 0x1;

/// Dynamic shared memory a kernel may use without opting in
/// (cuFuncSetAttribute with CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES).
constexpr unsigned kDefaultMaxDynamicSharedBytes = 48 * 1024;

/// The driver library CUDADriver::get() opens.
constexpr const char *kDriverLibrary = "libcuda.so.1";

/// The driver entry points Lathe calls. Each member is named after the API
/// (as cuda.h spells it) and holds the symbol cuda.h maps that name to: for
/// example `cuMemAlloc` holds `cuMemAlloc_v2`, and `cuEventElapsedTime`
/// `cuEventElapsedTime_v2` (drivers before CUDA 12.8: `cuEventElapsedTime`).
/// Enumerations are passed as int, as the C ABI does.
struct DriverFunctions {
  CUresult (*cuInit)(unsigned flags) = nullptr;
  CUresult (*cuDeviceGet)(CUdevice *device, int ordinal) = nullptr;
  CUresult (*cuDeviceGetCount)(int *count) = nullptr;
  CUresult (*cuDeviceGetName)(char *name, int length,
                              CUdevice device) = nullptr;
  CUresult (*cuDeviceGetAttribute)(int *value, int attribute,
                                   CUdevice device) = nullptr;
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *context,
                                       CUdevice device) = nullptr;
  CUresult (*cuCtxSetCurrent)(CUcontext context) = nullptr;
  CUresult (*cuCtxSynchronize)() = nullptr;
  CUresult (*cuModuleLoadData)(CUmodule *module, const void *image) = nullptr;
  CUresult (*cuModuleLoadDataEx)(CUmodule *module, const void *image,
                                 unsigned numOptions, int *options,
                                 void **optionValues) = nullptr;
  CUresult (*cuModuleGetFunction)(CUfunction *function, CUmodule module,
                                  const char *name) = nullptr;
  CUresult (*cuModuleUnload)(CUmodule module) = nullptr;
  CUresult (*cuLaunchKernel)(CUfunction function, unsigned gridX,
                             unsigned gridY, unsigned gridZ, unsigned blockX,
                             unsigned blockY, unsigned blockZ,
                             unsigned sharedBytes, CUstream stream,
                             void **params, void **extra) = nullptr;
  CUresult (*cuFuncSetAttribute)(CUfunction function, int attribute,
                                 int value) = nullptr;
  CUresult (*cuMemAlloc)(CUdeviceptr *address, size_t bytes) = nullptr;
  CUresult (*cuMemAllocManaged)(CUdeviceptr *address, size_t bytes,
                                unsigned flags) = nullptr;
  CUresult (*cuMemFree)(CUdeviceptr address) = nullptr;
  CUresult (*cuMemcpyHtoD)(CUdeviceptr dst, const void *src,
                           size_t bytes) = nullptr;
  CUresult (*cuMemcpyDtoH)(void *dst, CUdeviceptr src, size_t bytes) = nullptr;
  CUresult (*cuMemcpyDtoD)(CUdeviceptr dst, CUdeviceptr src,
                           size_t bytes) = nullptr;
  CUresult (*cuMemcpyAsync)(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                            CUstream stream) = nullptr;
  CUresult (*cuMemsetD32)(CUdeviceptr dst, unsigned value,
                          size_t count) = nullptr;
  CUresult (*cuMemsetD32Async)(CUdeviceptr dst, unsigned value, size_t count,
                               CUstream stream) = nullptr;
  CUresult (*cuMemsetD16Async)(CUdeviceptr dst, unsigned short value,
                               size_t count, CUstream stream) = nullptr;
  CUresult (*cuStreamCreate)(CUstream *stream, unsigned flags) = nullptr;
  CUresult (*cuStreamSynchronize)(CUstream stream) = nullptr;
  CUresult (*cuStreamDestroy)(CUstream stream) = nullptr;
  CUresult (*cuStreamWaitEvent)(CUstream stream, CUevent event,
                                unsigned flags) = nullptr;
  CUresult (*cuEventCreate)(CUevent *event, unsigned flags) = nullptr;
  CUresult (*cuEventRecord)(CUevent event, CUstream stream) = nullptr;
  CUresult (*cuEventSynchronize)(CUevent event) = nullptr;
  CUresult (*cuEventElapsedTime)(float *milliseconds, CUevent start,
                                 CUevent end) = nullptr;
  CUresult (*cuEventDestroy)(CUevent event) = nullptr;
  CUresult (*cuGetErrorName)(CUresult error, const char **name) = nullptr;
  CUresult (*cuGetErrorString)(CUresult error,
                               const char **description) = nullptr;
};

//===----------------------------------------------------------------------===//
// Error messages
//===----------------------------------------------------------------------===//

/// What the driver says about an error code: its name
/// ("CUDA_ERROR_OUT_OF_MEMORY") and description ("out of memory"); either is
/// null when the driver does not know the code.
struct CUDAErrorText {
  const char *name = nullptr;
  const char *description = nullptr;
};

/// Looks up the text of an error code (the driver's cuGetErrorName and
/// cuGetErrorString; tests pass their own).
using CUDAErrorLookup = llvm::function_ref<CUDAErrorText(CUresult)>;

/// The message for a failed driver call:
/// "<call> failed: <NAME> (<description>) [<context>]". An unknown code reads
/// "CUDA error <code>"; the brackets are left out when `context` is empty.
std::string formatCUDAError(llvm::StringRef call, CUresult result,
                            llvm::StringRef context, CUDAErrorLookup lookup);

class CUDADriver;

//===----------------------------------------------------------------------===//
// Modules and device memory
//===----------------------------------------------------------------------===//

/// A module loaded into the driver's primary context; unloaded when
/// destroyed. Move-only.
class Module {
public:
  Module(Module &&other);
  Module &operator=(Module &&other);
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;
  ~Module();

  /// The kernel named `name` (its PTX `.entry` name, mangled if C++).
  llvm::Expected<CUfunction> getFunction(llvm::StringRef name) const;

  /// The driver's handle.
  CUmodule handle() const { return module; }

  /// Gives up ownership: the caller unloads the returned handle.
  CUmodule release();

private:
  friend class CUDADriver;
  Module(const CUDADriver &driver, CUmodule module)
      : driver(&driver), module(module) {}
  void reset();

  const CUDADriver *driver;
  CUmodule module;
};

/// Device memory of the primary context, freed when destroyed. Move-only.
class DeviceBuffer {
public:
  DeviceBuffer(DeviceBuffer &&other);
  DeviceBuffer &operator=(DeviceBuffer &&other);
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  ~DeviceBuffer();

  /// The buffer's device address (0 for an empty buffer). A kernel argument
  /// is a pointer to it: `void *args[] = {&address, ...}` with a local
  /// `CUdeviceptr address = buffer.address()`.
  CUdeviceptr address() const { return ptr; }
  /// Its size in bytes.
  size_t size() const { return bytes; }

  /// Copies `count` bytes from host memory at `src` to the buffer's start.
  llvm::Error upload(const void *src, size_t count,
                     llvm::StringRef context) const;
  /// Copies `count` bytes from the buffer's start to host memory at `dst`.
  llvm::Error download(void *dst, size_t count, llvm::StringRef context) const;

  /// Gives up ownership: the caller frees the returned address.
  CUdeviceptr release();

private:
  friend class CUDADriver;
  DeviceBuffer(const CUDADriver &driver, CUdeviceptr ptr, size_t bytes)
      : driver(&driver), ptr(ptr), bytes(bytes) {}
  void reset();

  const CUDADriver *driver;
  CUdeviceptr ptr;
  size_t bytes;
};

/// Grid or block dimensions of a launch.
struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

//===----------------------------------------------------------------------===//
// CUDADriver
//===----------------------------------------------------------------------===//

/// The CUDA driver, opened with dlopen, on one device (ordinal 0) and its
/// primary context. A driver, once opened, stays loaded for the life of the
/// process. Its methods may be called from any thread: each makes the
/// primary context current on the calling thread first.
class CUDADriver {
public:
  /// The process's driver, opened on the first call (libcuda.so.1, device 0).
  /// Fails, on every call, with "no CUDA driver: libcuda.so.1 could not be
  /// loaded (<dlerror>); GPU code needs an NVIDIA driver" where there is no
  /// driver, and with a "no CUDA device: ..." message where the driver finds
  /// no device.
  static llvm::Expected<CUDADriver &> get();

  /// Opens `library` as a CUDA driver, on its device 0, independently of
  /// get(): for tests and for a driver at another path.
  static llvm::Expected<std::unique_ptr<CUDADriver>>
  open(llvm::StringRef library);

  /// Whether get() succeeds: a driver and a device are present.
  static bool isAvailable();

  /// Why get() fails, in one line ("" when it succeeds); for messages such
  /// as a test's skip reason.
  static std::string unavailableReason();

  /// The driver's entry points, for code (such as the mgpu* wrappers) that
  /// calls the driver directly.
  const DriverFunctions &functions() const { return fns; }

  /// The device's name ("NVIDIA H100 80GB HBM3").
  llvm::StringRef deviceName() const { return name; }
  /// The device's compute capability as 10 * major + minor (90 for sm_90).
  int computeCapability() const { return capability; }
  /// The most dynamic shared memory a block may opt in to, in bytes.
  unsigned maxSharedBytesPerBlock() const { return maxSharedBytes; }

  /// The message for `result` from the driver call `call`, formatted by
  /// formatCUDAError with the driver's names for errors.
  std::string describe(llvm::StringRef call, CUresult result,
                       llvm::StringRef context) const;
  /// Success for CUDA_SUCCESS, else an error with describe()'s message.
  llvm::Error check(CUresult result, llvm::StringRef call,
                    llvm::StringRef context) const;

  /// Makes the primary context current on the calling thread.
  llvm::Error makeCurrent(llvm::StringRef context) const;

  /// Loads a module from `image`: PTX text (which the driver compiles for
  /// the device, at `jitOptLevel` 0-4 when given; the text need not end in
  /// NUL) or an ELF cubin or fatbin. A PTX error carries the JIT's log.
  llvm::Expected<Module> loadModule(llvm::StringRef image,
                                    llvm::StringRef context,
                                    std::optional<int> jitOptLevel = {}) const;

  /// Allocates `bytes` of device memory (none for 0).
  llvm::Expected<DeviceBuffer> allocate(size_t bytes,
                                        llvm::StringRef context) const;

  /// Synchronous copies between host and device memory, and within the
  /// device.
  llvm::Error copyHostToDevice(CUdeviceptr dst, const void *src, size_t bytes,
                               llvm::StringRef context) const;
  llvm::Error copyDeviceToHost(void *dst, CUdeviceptr src, size_t bytes,
                               llvm::StringRef context) const;
  llvm::Error copyDeviceToDevice(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                                 llvm::StringRef context) const;
  /// Sets `count` 32-bit words at `dst` to `value`.
  llvm::Error fill32(CUdeviceptr dst, uint32_t value, size_t count,
                     llvm::StringRef context) const;

  /// Lets `function` use `sharedBytes` of dynamic shared memory: above 48 KiB
  /// this opts in with cuFuncSetAttribute; more than the device allows is an
  /// error.
  llvm::Error setDynamicSharedMemory(CUfunction function, unsigned sharedBytes,
                                     llvm::StringRef context) const;

  /// Launches `function` on `stream` (nullptr: the default stream) with
  /// `args`, an array of pointers to each argument's value. Asynchronous: an
  /// error the kernel meets while running is reported by the next
  /// synchronize(), timeLaunchMs() or copy to the host.
  llvm::Error launch(CUfunction function, Dim3 grid, Dim3 block,
                     unsigned sharedBytes, void **args, llvm::StringRef context,
                     CUstream stream = nullptr) const;

  /// Launches like launch(), between two events recorded on `stream`, waits
  /// for the kernel and returns the time between the events in
  /// milliseconds (the driver's resolution is about half a microsecond).
  llvm::Expected<float> timeLaunchMs(CUfunction function, Dim3 grid, Dim3 block,
                                     unsigned sharedBytes, void **args,
                                     llvm::StringRef context,
                                     CUstream stream = nullptr) const;

  /// Waits for all work in the primary context, reporting the first error
  /// of a kernel that ran.
  llvm::Error synchronize(llvm::StringRef context) const;

private:
  CUDADriver() = default;

  DriverFunctions fns;
  CUcontext primaryContext = nullptr;
  CUdevice device = 0;
  std::string name;
  int capability = 0;
  unsigned maxSharedBytes = kDefaultMaxDynamicSharedBytes;
};

} // namespace cuda
} // namespace runtime
} // namespace lathe

#endif // LATHE_RUNTIME_CUDA_CUDADRIVER_H
