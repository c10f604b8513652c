//===- CUDADriver.cpp - The CUDA driver API, loaded at run time -----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements CUDADriver: libcuda.so.1 is opened with dlopen, each
// entry point is looked up by the versioned symbol that cuda.h maps its name
// to, and every call's status becomes an llvm::Error whose message names the
// call, the CUDA error and the caller's context.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CUDADriver.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstring>
#include <dlfcn.h>
#include <type_traits>

using namespace lathe::runtime::cuda;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

static Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// " [<context>]", or nothing for an empty context.
static std::string bracketed(StringRef context) {
  return context.empty() ? std::string() : (" [" + context + "]").str();
}

/// `text` on one line: line breaks become "; ".
static std::string joinLines(StringRef text) {
  std::string result;
  llvm::SmallVector<StringRef> lines;
  text.split(lines, '\n', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef line : lines) {
    line = line.trim();
    if (line.empty())
      continue;
    if (!result.empty())
      result += "; ";
    result += line.str();
  }
  return result;
}

std::string lathe::runtime::cuda::formatCUDAError(StringRef call,
                                                  CUresult result,
                                                  StringRef context,
                                                  CUDAErrorLookup lookup) {
  CUDAErrorText text = lookup(result);
  std::string message = (call + " failed: ").str();
  if (text.name)
    message += text.name;
  else
    message += llvm::formatv("CUDA error {0}", result).str();
  if (text.description && *text.description)
    message += (" (" + StringRef(text.description) + ")").str();
  message += bracketed(context);
  return message;
}

//===----------------------------------------------------------------------===//
// Opening the driver
//===----------------------------------------------------------------------===//

Expected<std::unique_ptr<CUDADriver>> CUDADriver::open(StringRef library) {
  std::string libraryName = library.str();
  ::dlerror();
  void *handle = ::dlopen(libraryName.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *reason = ::dlerror();
    return makeError(llvm::formatv("no CUDA driver: {0} could not be loaded "
                                   "({1}); GPU code needs an NVIDIA driver",
                                   library,
                                   reason ? reason : "no reason given"));
  }

  std::unique_ptr<CUDADriver> driver(new CUDADriver());
  DriverFunctions &f = driver->fns;
  std::string missing;
  // Binds `fn` to `symbol`, else to `fallback` (a name older drivers use).
  auto bind = [&](auto &fn, const char *symbol,
                  const char *fallback = nullptr) {
    void *address = ::dlsym(handle, symbol);
    if (!address && fallback)
      address = ::dlsym(handle, fallback);
    if (!address) {
      missing += missing.empty() ? "" : ", ";
      missing += symbol;
      return;
    }
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(address);
  };
  bind(f.cuInit, "cuInit");
  bind(f.cuDeviceGet, "cuDeviceGet");
  bind(f.cuDeviceGetCount, "cuDeviceGetCount");
  bind(f.cuDeviceGetName, "cuDeviceGetName");
  bind(f.cuDeviceGetAttribute, "cuDeviceGetAttribute");
  bind(f.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  bind(f.cuCtxSetCurrent, "cuCtxSetCurrent");
  bind(f.cuCtxSynchronize, "cuCtxSynchronize");
  bind(f.cuModuleLoadData, "cuModuleLoadData");
  bind(f.cuModuleLoadDataEx, "cuModuleLoadDataEx");
  bind(f.cuModuleGetFunction, "cuModuleGetFunction");
  bind(f.cuModuleUnload, "cuModuleUnload");
  bind(f.cuLaunchKernel, "cuLaunchKernel");
  bind(f.cuFuncSetAttribute, "cuFuncSetAttribute");
  bind(f.cuMemAlloc, "cuMemAlloc_v2");
  bind(f.cuMemAllocManaged, "cuMemAllocManaged");
  bind(f.cuMemFree, "cuMemFree_v2");
  bind(f.cuMemcpyHtoD, "cuMemcpyHtoD_v2");
  bind(f.cuMemcpyDtoH, "cuMemcpyDtoH_v2");
  bind(f.cuMemcpyDtoD, "cuMemcpyDtoD_v2");
  bind(f.cuMemcpyAsync, "cuMemcpyAsync");
  bind(f.cuMemsetD32, "cuMemsetD32_v2");
  bind(f.cuMemsetD32Async, "cuMemsetD32Async");
  bind(f.cuMemsetD16Async, "cuMemsetD16Async");
  bind(f.cuStreamCreate, "cuStreamCreate");
  bind(f.cuStreamSynchronize, "cuStreamSynchronize");
  bind(f.cuStreamDestroy, "cuStreamDestroy_v2");
  bind(f.cuStreamWaitEvent, "cuStreamWaitEvent");
  bind(f.cuEventCreate, "cuEventCreate");
  bind(f.cuEventRecord, "cuEventRecord");
  bind(f.cuEventSynchronize, "cuEventSynchronize");
  bind(f.cuEventElapsedTime, "cuEventElapsedTime_v2", "cuEventElapsedTime");
  bind(f.cuEventDestroy, "cuEventDestroy_v2");
  bind(f.cuGetErrorName, "cuGetErrorName");
  bind(f.cuGetErrorString, "cuGetErrorString");
  if (!missing.empty()) {
    ::dlclose(handle);
    return makeError(llvm::formatv(
        "the CUDA driver {0} lacks {1}: it is older than Lathe supports; "
        "update the NVIDIA driver",
        library, missing));
  }
  // From here on the library stays loaded: the driver starts threads in
  // cuInit and is not meant to be unloaded.

  StringRef initializing = "initializing the CUDA driver";
  CUresult result = f.cuInit(/*flags=*/0);
  if (result == CUDA_ERROR_NO_DEVICE)
    return makeError("no CUDA device: " +
                     driver->describe("cuInit", result, initializing));
  if (Error err = driver->check(result, "cuInit", initializing))
    return std::move(err);

  int count = 0;
  if (Error err = driver->check(f.cuDeviceGetCount(&count), "cuDeviceGetCount",
                                initializing))
    return std::move(err);
  if (count == 0)
    return makeError(llvm::formatv("no CUDA device: the CUDA driver ({0}) "
                                   "initialized but reports 0 devices",
                                   library));

  CUdevice device = 0;
  if (Error err = driver->check(f.cuDeviceGet(&device, /*ordinal=*/0),
                                "cuDeviceGet", initializing))
    return std::move(err);
  driver->device = device;

  char name[256] = {};
  if (Error err =
          driver->check(f.cuDeviceGetName(name, sizeof(name) - 1, device),
                        "cuDeviceGetName", initializing))
    return std::move(err);
  driver->name = name;

  int major = 0, minor = 0, sharedOptIn = 0;
  if (Error err = driver->check(
          f.cuDeviceGetAttribute(
              &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
          "cuDeviceGetAttribute", initializing))
    return std::move(err);
  if (Error err = driver->check(
          f.cuDeviceGetAttribute(
              &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
          "cuDeviceGetAttribute", initializing))
    return std::move(err);
  if (Error err = driver->check(
          f.cuDeviceGetAttribute(
              &sharedOptIn,
              CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, device),
          "cuDeviceGetAttribute", initializing))
    return std::move(err);
  driver->capability = 10 * major + minor;
  if (sharedOptIn > 0)
    driver->maxSharedBytes = static_cast<unsigned>(sharedOptIn);

  if (Error err = driver->check(
          f.cuDevicePrimaryCtxRetain(&driver->primaryContext, device),
          "cuDevicePrimaryCtxRetain", initializing))
    return std::move(err);
  if (Error err = driver->makeCurrent(initializing))
    return std::move(err);
  return std::move(driver);
}

namespace {
/// What get() found, once per process; never destroyed, so that modules and
/// buffers in static objects may outlive it at exit.
struct SharedDriver {
  std::unique_ptr<CUDADriver> driver;
  std::string error;
};
} // namespace

static const SharedDriver &sharedDriver() {
  static const SharedDriver *shared = [] {
    auto *state = new SharedDriver();
    Expected<std::unique_ptr<CUDADriver>> driver =
        CUDADriver::open(kDriverLibrary);
    if (driver)
      state->driver = std::move(*driver);
    else
      state->error = llvm::toString(driver.takeError());
    return state;
  }();
  return *shared;
}

Expected<CUDADriver &> CUDADriver::get() {
  const SharedDriver &shared = sharedDriver();
  if (!shared.driver)
    return makeError(shared.error);
  return *shared.driver;
}

bool CUDADriver::isAvailable() { return sharedDriver().driver != nullptr; }

std::string CUDADriver::unavailableReason() { return sharedDriver().error; }

//===----------------------------------------------------------------------===//
// Errors and context
//===----------------------------------------------------------------------===//

std::string CUDADriver::describe(StringRef call, CUresult result,
                                 StringRef context) const {
  return formatCUDAError(call, result, context, [&](CUresult code) {
    CUDAErrorText text;
    if (fns.cuGetErrorName && fns.cuGetErrorName(code, &text.name))
      text.name = nullptr;
    if (fns.cuGetErrorString && fns.cuGetErrorString(code, &text.description))
      text.description = nullptr;
    return text;
  });
}

Error CUDADriver::check(CUresult result, StringRef call,
                        StringRef context) const {
  if (result == CUDA_SUCCESS)
    return Error::success();
  return makeError(describe(call, result, context));
}

Error CUDADriver::makeCurrent(StringRef context) const {
  return check(fns.cuCtxSetCurrent(primaryContext), "cuCtxSetCurrent", context);
}

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

/// Whether `image` is a binary the driver loads as is: an ELF cubin or a
/// fatbin (magic 0xBA55ED50).
static bool isBinaryImage(StringRef image) {
  if (image.starts_with("\x7f"
                        "ELF"))
    return true;
  return image.size() >= 4 &&
         llvm::support::endian::read32le(image.data()) == 0xBA55ED50u;
}

Expected<Module> CUDADriver::loadModule(StringRef image, StringRef context,
                                        std::optional<int> jitOptLevel) const {
  if (image.empty())
    return makeError("cannot load an empty GPU module" + bracketed(context));
  // PTX is read up to its NUL; a cubin or fatbin describes its own size.
  std::string terminated;
  const void *data = image.data();
  if (!isBinaryImage(image) && image.back() != '\0') {
    terminated = image.str();
    data = terminated.c_str();
  }
  if (Error err = makeCurrent(context))
    return std::move(err);

  char log[8192] = {};
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                   CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {
      log, reinterpret_cast<void *>(static_cast<uintptr_t>(sizeof(log) - 1)),
      reinterpret_cast<void *>(
          static_cast<uintptr_t>(jitOptLevel.value_or(4)))};
  unsigned numOptions = jitOptLevel ? 3 : 2;
  CUmodule module = nullptr;
  CUresult result =
      fns.cuModuleLoadDataEx(&module, data, numOptions, options, values);
  if (result != CUDA_SUCCESS) {
    std::string message = describe("cuModuleLoadDataEx", result, context);
    std::string jitLog = joinLines(StringRef(log, strnlen(log, sizeof(log))));
    if (!jitLog.empty())
      message += ": " + jitLog;
    return makeError(message);
  }
  return Module(*this, module);
}

Module::Module(Module &&other) : driver(other.driver), module(other.module) {
  other.module = nullptr;
}

Module &Module::operator=(Module &&other) {
  if (this != &other) {
    reset();
    driver = other.driver;
    module = other.module;
    other.module = nullptr;
  }
  return *this;
}

Module::~Module() { reset(); }

void Module::reset() {
  if (!module)
    return;
  // A destructor cannot report an error; unloading fails only when the
  // context is already broken, which the next call reports.
  llvm::consumeError(driver->makeCurrent(""));
  (void)driver->functions().cuModuleUnload(module);
  module = nullptr;
}

CUmodule Module::release() {
  CUmodule handle = module;
  module = nullptr;
  return handle;
}

Expected<CUfunction> Module::getFunction(StringRef name) const {
  std::string context = ("kernel '" + name + "'").str();
  if (Error err = driver->makeCurrent(context))
    return std::move(err);
  CUfunction function = nullptr;
  if (Error err = driver->check(driver->functions().cuModuleGetFunction(
                                    &function, module, name.str().c_str()),
                                "cuModuleGetFunction", context))
    return std::move(err);
  return function;
}

//===----------------------------------------------------------------------===//
// Device memory
//===----------------------------------------------------------------------===//

Expected<DeviceBuffer> CUDADriver::allocate(size_t bytes,
                                            StringRef context) const {
  if (bytes == 0)
    return DeviceBuffer(*this, 0, 0);
  if (Error err = makeCurrent(context))
    return std::move(err);
  CUdeviceptr ptr = 0;
  if (Error err = check(fns.cuMemAlloc(&ptr, bytes), "cuMemAlloc", context))
    return std::move(err);
  return DeviceBuffer(*this, ptr, bytes);
}

Error CUDADriver::copyHostToDevice(CUdeviceptr dst, const void *src,
                                   size_t bytes, StringRef context) const {
  if (bytes == 0)
    return Error::success();
  if (Error err = makeCurrent(context))
    return err;
  return check(fns.cuMemcpyHtoD(dst, src, bytes), "cuMemcpyHtoD", context);
}

Error CUDADriver::copyDeviceToHost(void *dst, CUdeviceptr src, size_t bytes,
                                   StringRef context) const {
  if (bytes == 0)
    return Error::success();
  if (Error err = makeCurrent(context))
    return err;
  return check(fns.cuMemcpyDtoH(dst, src, bytes), "cuMemcpyDtoH", context);
}

Error CUDADriver::copyDeviceToDevice(CUdeviceptr dst, CUdeviceptr src,
                                     size_t bytes, StringRef context) const {
  if (bytes == 0)
    return Error::success();
  if (Error err = makeCurrent(context))
    return err;
  return check(fns.cuMemcpyDtoD(dst, src, bytes), "cuMemcpyDtoD", context);
}

Error CUDADriver::fill32(CUdeviceptr dst, uint32_t value, size_t count,
                         StringRef context) const {
  if (count == 0)
    return Error::success();
  if (Error err = makeCurrent(context))
    return err;
  return check(fns.cuMemsetD32(dst, value, count), "cuMemsetD32", context);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer &&other)
    : driver(other.driver), ptr(other.ptr), bytes(other.bytes) {
  other.ptr = 0;
  other.bytes = 0;
}

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) {
  if (this != &other) {
    reset();
    driver = other.driver;
    ptr = other.ptr;
    bytes = other.bytes;
    other.ptr = 0;
    other.bytes = 0;
  }
  return *this;
}

DeviceBuffer::~DeviceBuffer() { reset(); }

void DeviceBuffer::reset() {
  if (ptr) {
    // As for Module: a destructor cannot report an error.
    llvm::consumeError(driver->makeCurrent(""));
    (void)driver->functions().cuMemFree(ptr);
  }
  ptr = 0;
  bytes = 0;
}

CUdeviceptr DeviceBuffer::release() {
  CUdeviceptr address = ptr;
  ptr = 0;
  bytes = 0;
  return address;
}

Error DeviceBuffer::upload(const void *src, size_t count,
                           StringRef context) const {
  if (count > bytes)
    return makeError(llvm::formatv("cannot copy {0} bytes into a device buffer "
                                   "of {1} bytes{2}",
                                   count, bytes, bracketed(context)));
  return driver->copyHostToDevice(ptr, src, count, context);
}

Error DeviceBuffer::download(void *dst, size_t count, StringRef context) const {
  if (count > bytes)
    return makeError(llvm::formatv("cannot copy {0} bytes out of a device "
                                   "buffer of {1} bytes{2}",
                                   count, bytes, bracketed(context)));
  return driver->copyDeviceToHost(dst, ptr, count, context);
}

//===----------------------------------------------------------------------===//
// Launches
//===----------------------------------------------------------------------===//

Error CUDADriver::setDynamicSharedMemory(CUfunction function,
                                         unsigned sharedBytes,
                                         StringRef context) const {
  if (sharedBytes <= kDefaultMaxDynamicSharedBytes)
    return Error::success();
  if (sharedBytes > maxSharedBytes)
    return makeError(llvm::formatv(
        "the kernel asks for {0} bytes of dynamic shared memory; {1} allows "
        "at most {2} per block{3}",
        sharedBytes, name, maxSharedBytes, bracketed(context)));
  return check(fns.cuFuncSetAttribute(
                   function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                   static_cast<int>(sharedBytes)),
               "cuFuncSetAttribute", context);
}

Error CUDADriver::launch(CUfunction function, Dim3 grid, Dim3 block,
                         unsigned sharedBytes, void **args, StringRef context,
                         CUstream stream) const {
  if (Error err = makeCurrent(context))
    return err;
  if (Error err = setDynamicSharedMemory(function, sharedBytes, context))
    return err;
  return check(fns.cuLaunchKernel(function, grid.x, grid.y, grid.z, block.x,
                                  block.y, block.z, sharedBytes, stream, args,
                                  /*extra=*/nullptr),
               "cuLaunchKernel", context);
}

Expected<float> CUDADriver::timeLaunchMs(CUfunction function, Dim3 grid,
                                         Dim3 block, unsigned sharedBytes,
                                         void **args, StringRef context,
                                         CUstream stream) const {
  if (Error err = makeCurrent(context))
    return std::move(err);
  CUevent start = nullptr, end = nullptr;
  auto destroyEvents = llvm::make_scope_exit([&] {
    if (start)
      (void)fns.cuEventDestroy(start);
    if (end)
      (void)fns.cuEventDestroy(end);
  });
  if (Error err = check(fns.cuEventCreate(&start, CU_EVENT_DEFAULT),
                        "cuEventCreate", context))
    return std::move(err);
  if (Error err = check(fns.cuEventCreate(&end, CU_EVENT_DEFAULT),
                        "cuEventCreate", context))
    return std::move(err);
  if (Error err =
          check(fns.cuEventRecord(start, stream), "cuEventRecord", context))
    return std::move(err);
  if (Error err =
          launch(function, grid, block, sharedBytes, args, context, stream))
    return std::move(err);
  if (Error err =
          check(fns.cuEventRecord(end, stream), "cuEventRecord", context))
    return std::move(err);
  if (Error err =
          check(fns.cuEventSynchronize(end), "cuEventSynchronize", context))
    return std::move(err);
  float milliseconds = 0;
  if (Error err = check(fns.cuEventElapsedTime(&milliseconds, start, end),
                        "cuEventElapsedTime", context))
    return std::move(err);
  return milliseconds;
}

Error CUDADriver::synchronize(StringRef context) const {
  if (Error err = makeCurrent(context))
    return err;
  return check(fns.cuCtxSynchronize(), "cuCtxSynchronize", context);
}
