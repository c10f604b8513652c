//===- MgpuABI.cpp - MLIR's mgpu* GPU runtime ABI over CUDADriver ---------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the mgpu* entry points of MgpuABI.h on CUDADriver.
// Each one opens the driver (once per process) and makes the primary context
// current; any failure prints one line to stderr and aborts, since the C
// signatures that MLIR's lowering calls have no way to return an error. The
// name each kernel was looked up by is kept, so that a failed launch, or a
// failed synchronization after it, says which kernel it was.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/MgpuABI.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>

using namespace lathe::runtime::cuda;
using llvm::StringRef;

namespace {
/// The kernels' names, and what ran last where, for error messages.
struct KernelNames {
  std::mutex mutex;
  /// Each function from mgpuModuleGetFunction: its module and name.
  llvm::DenseMap<CUfunction, std::pair<CUmodule, std::string>> functions;
  /// The last kernel launched on each stream.
  llvm::DenseMap<CUstream, std::string> lastOnStream;
  /// The last kernel launched on a stream before an event was recorded on it.
  llvm::DenseMap<CUevent, std::string> lastBeforeEvent;
};
} // namespace

/// Never destroyed: lowered code may still run in static destructors.
static KernelNames &kernelNames() {
  static KernelNames *names = new KernelNames();
  return *names;
}

/// "kernel '<name>'" for a function from mgpuModuleGetFunction.
static std::string kernelContext(CUfunction function) {
  KernelNames &names = kernelNames();
  std::lock_guard<std::mutex> lock(names.mutex);
  auto it = names.functions.find(function);
  if (it == names.functions.end())
    return "kernel of unknown name";
  return "kernel '" + it->second.second + "'";
}

/// "after kernel '<name>'" when `name` is known, else "".
static std::string afterKernel(StringRef name) {
  return name.empty() ? std::string() : ("after kernel '" + name + "'").str();
}

/// Prints "lathe: <entry>: <message>" on one line and aborts.
[[noreturn]] static void fail(const char *entry, StringRef message) {
  std::string line = message.str();
  for (char &c : line)
    if (c == '\n')
      c = ' ';
  std::fprintf(stderr, "lathe: %s: %s\n", entry, line.c_str());
  std::fflush(stderr);
  std::abort();
}

/// The process's driver, its primary context current on this thread.
static const CUDADriver &driverFor(const char *entry) {
  llvm::Expected<CUDADriver &> driver = CUDADriver::get();
  if (!driver)
    fail(entry, llvm::toString(driver.takeError()));
  if (llvm::Error err = driver->makeCurrent(""))
    fail(entry, llvm::toString(std::move(err)));
  return *driver;
}

/// Aborts with the driver's message when `result` is an error.
static void check(const char *entry, const CUDADriver &driver, CUresult result,
                  StringRef call, StringRef context = "") {
  if (result != CUDA_SUCCESS)
    fail(entry, driver.describe(call, result, context));
}

//===----------------------------------------------------------------------===//
// Modules and launches
//===----------------------------------------------------------------------===//

namespace {
/// The modules loaded so far, by the address of their image. Host code that
/// MLIR 19 generates loads the module before every launch and unloads it
/// after; the cache loads (for PTX: JIT-compiles) each image once per
/// process and keeps it, and mgpuModuleUnload leaves cached modules alone.
struct ModuleCache {
  std::mutex mutex;
  llvm::DenseMap<const void *, CUmodule> byImage;
  llvm::DenseSet<CUmodule> modules;
};

ModuleCache &moduleCache() {
  static ModuleCache cache;
  return cache;
}

/// The cached module of `image`, or the one `load` gives, then cached.
template <typename Load> CUmodule cachedModule(const void *image, Load load) {
  ModuleCache &cache = moduleCache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  auto it = cache.byImage.find(image);
  if (it != cache.byImage.end())
    return it->second;
  CUmodule module = load();
  cache.byImage[image] = module;
  cache.modules.insert(module);
  return module;
}
} // namespace

extern "C" CUmodule mgpuModuleLoad(void *data, size_t gpuBlobSize) {
  return cachedModule(data, [&] {
    const CUDADriver &driver = driverFor("mgpuModuleLoad");
    llvm::Expected<Module> module = driver.loadModule(
        StringRef(static_cast<const char *>(data), data ? gpuBlobSize : 0),
        llvm::formatv("GPU module of {0} bytes", gpuBlobSize).str());
    if (!module)
      fail("mgpuModuleLoad", llvm::toString(module.takeError()));
    return module->release();
  });
}

extern "C" CUmodule mgpuModuleLoadJIT(void *data, int optLevel) {
  return cachedModule(data, [&] {
    const CUDADriver &driver = driverFor("mgpuModuleLoadJIT");
    const char *ptx = static_cast<const char *>(data);
    // With its NUL, so that the driver reads the caller's copy.
    StringRef image(ptx, ptx ? std::strlen(ptx) + 1 : 0);
    llvm::Expected<Module> module =
        driver.loadModule(image, "PTX module", optLevel);
    if (!module)
      fail("mgpuModuleLoadJIT", llvm::toString(module.takeError()));
    return module->release();
  });
}

extern "C" void mgpuModuleUnload(CUmodule module) {
  {
    // Cached modules stay loaded for the next launch.
    ModuleCache &cache = moduleCache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.modules.contains(module))
      return;
  }
  const CUDADriver &driver = driverFor(__func__);
  check(__func__, driver, driver.functions().cuModuleUnload(module),
        "cuModuleUnload");
  KernelNames &names = kernelNames();
  std::lock_guard<std::mutex> lock(names.mutex);
  llvm::SmallVector<CUfunction> stale;
  for (auto &entry : names.functions)
    if (entry.second.first == module)
      stale.push_back(entry.first);
  for (CUfunction function : stale)
    names.functions.erase(function);
}

extern "C" CUfunction mgpuModuleGetFunction(CUmodule module, const char *name) {
  const CUDADriver &driver = driverFor(__func__);
  CUfunction function = nullptr;
  check(__func__, driver,
        driver.functions().cuModuleGetFunction(&function, module, name),
        "cuModuleGetFunction", ("kernel '" + StringRef(name) + "'").str());
  KernelNames &names = kernelNames();
  std::lock_guard<std::mutex> lock(names.mutex);
  names.functions[function] = {module, name};
  return function;
}

extern "C" void mgpuLaunchKernel(CUfunction function, intptr_t gridX,
                                 intptr_t gridY, intptr_t gridZ,
                                 intptr_t blockX, intptr_t blockY,
                                 intptr_t blockZ, int32_t smem, CUstream stream,
                                 void **params, void **extra,
                                 size_t /*paramsCount*/) {
  const CUDADriver &driver = driverFor(__func__);
  std::string context = kernelContext(function);
  auto fits = [](intptr_t dim) {
    return dim > 0 &&
           static_cast<uint64_t>(dim) <= std::numeric_limits<unsigned>::max();
  };
  if (!fits(gridX) || !fits(gridY) || !fits(gridZ) || !fits(blockX) ||
      !fits(blockY) || !fits(blockZ) || smem < 0)
    fail(__func__,
         llvm::formatv("cannot launch with grid ({0}, {1}, {2}), block ({3}, "
                       "{4}, {5}) and {6} bytes of shared memory [{7}]",
                       gridX, gridY, gridZ, blockX, blockY, blockZ, smem,
                       context)
             .str());
  if (llvm::Error err = driver.setDynamicSharedMemory(
          function, static_cast<unsigned>(smem), context))
    fail(__func__, llvm::toString(std::move(err)));
  check(__func__, driver,
        driver.functions().cuLaunchKernel(
            function, static_cast<unsigned>(gridX),
            static_cast<unsigned>(gridY), static_cast<unsigned>(gridZ),
            static_cast<unsigned>(blockX), static_cast<unsigned>(blockY),
            static_cast<unsigned>(blockZ), static_cast<unsigned>(smem), stream,
            params, extra),
        "cuLaunchKernel", context);
  KernelNames &names = kernelNames();
  std::lock_guard<std::mutex> lock(names.mutex);
  auto it = names.functions.find(function);
  names.lastOnStream[stream] =
      it == names.functions.end() ? std::string() : it->second.second;
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

extern "C" CUstream mgpuStreamCreate() {
  const CUDADriver &driver = driverFor(__func__);
  CUstream stream = nullptr;
  check(__func__, driver,
        driver.functions().cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
        "cuStreamCreate");
  return stream;
}

extern "C" void mgpuStreamDestroy(CUstream stream) {
  const CUDADriver &driver = driverFor(__func__);
  check(__func__, driver, driver.functions().cuStreamDestroy(stream),
        "cuStreamDestroy");
  KernelNames &names = kernelNames();
  std::lock_guard<std::mutex> lock(names.mutex);
  names.lastOnStream.erase(stream);
}

extern "C" void mgpuStreamSynchronize(CUstream stream) {
  const CUDADriver &driver = driverFor(__func__);
  CUresult result = driver.functions().cuStreamSynchronize(stream);
  if (result == CUDA_SUCCESS)
    return;
  std::string last;
  {
    KernelNames &names = kernelNames();
    std::lock_guard<std::mutex> lock(names.mutex);
    last = names.lastOnStream.lookup(stream);
  }
  check(__func__, driver, result, "cuStreamSynchronize", afterKernel(last));
}

extern "C" void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  const CUDADriver &driver = driverFor(__func__);
  check(__func__, driver,
        driver.functions().cuStreamWaitEvent(stream, event, /*flags=*/0),
        "cuStreamWaitEvent");
}

extern "C" CUevent mgpuEventCreate() {
  const CUDADriver &driver = driverFor(__func__);
  CUevent event = nullptr;
  check(__func__, driver,
        driver.functions().cuEventCreate(&event, CU_EVENT_DISABLE_TIMING),
        "cuEventCreate");
  return event;
}

extern "C" void mgpuEventDestroy(CUevent event) {
  const CUDADriver &driver = driverFor(__func__);
  check(__func__, driver, driver.functions().cuEventDestroy(event),
        "cuEventDestroy");
  KernelNames &names = kernelNames();
  std::lock_guard<std::mutex> lock(names.mutex);
  names.lastBeforeEvent.erase(event);
}

extern "C" void mgpuEventSynchronize(CUevent event) {
  const CUDADriver &driver = driverFor(__func__);
  CUresult result = driver.functions().cuEventSynchronize(event);
  if (result == CUDA_SUCCESS)
    return;
  std::string last;
  {
    KernelNames &names = kernelNames();
    std::lock_guard<std::mutex> lock(names.mutex);
    last = names.lastBeforeEvent.lookup(event);
  }
  check(__func__, driver, result, "cuEventSynchronize", afterKernel(last));
}

extern "C" void mgpuEventRecord(CUevent event, CUstream stream) {
  const CUDADriver &driver = driverFor(__func__);
  check(__func__, driver, driver.functions().cuEventRecord(event, stream),
        "cuEventRecord");
  KernelNames &names = kernelNames();
  std::lock_guard<std::mutex> lock(names.mutex);
  names.lastBeforeEvent[event] = names.lastOnStream.lookup(stream);
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

extern "C" void *mgpuMemAlloc(uint64_t sizeBytes, CUstream /*stream*/,
                              bool isHostShared) {
  if (sizeBytes == 0)
    return nullptr;
  const CUDADriver &driver = driverFor(__func__);
  std::string context = llvm::formatv("{0} bytes", sizeBytes).str();
  CUdeviceptr ptr = 0;
  if (isHostShared)
    check(__func__, driver,
          driver.functions().cuMemAllocManaged(&ptr, sizeBytes,
                                               CU_MEM_ATTACH_GLOBAL),
          "cuMemAllocManaged", context);
  else
    check(__func__, driver, driver.functions().cuMemAlloc(&ptr, sizeBytes),
          "cuMemAlloc", context);
  return reinterpret_cast<void *>(static_cast<uintptr_t>(ptr));
}

/// A host or device address as the driver takes it (unified addressing).
static CUdeviceptr toDevicePtr(void *ptr) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(ptr));
}

extern "C" void mgpuMemFree(void *ptr, CUstream /*stream*/) {
  if (!ptr)
    return;
  const CUDADriver &driver = driverFor(__func__);
  check(__func__, driver, driver.functions().cuMemFree(toDevicePtr(ptr)),
        "cuMemFree");
}

extern "C" void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                           CUstream stream) {
  const CUDADriver &driver = driverFor(__func__);
  check(__func__, driver,
        driver.functions().cuMemcpyAsync(toDevicePtr(dst), toDevicePtr(src),
                                         sizeBytes, stream),
        "cuMemcpyAsync",
        llvm::formatv("{0} bytes from {1} to {2}", sizeBytes, src, dst).str());
}

extern "C" void mgpuMemset32(void *dst, unsigned int value, size_t count,
                             CUstream stream) {
  const CUDADriver &driver = driverFor(__func__);
  check(__func__, driver,
        driver.functions().cuMemsetD32Async(toDevicePtr(dst), value, count,
                                            stream),
        "cuMemsetD32Async");
}

extern "C" void mgpuMemset16(void *dst, unsigned short value, size_t count,
                             CUstream stream) {
  const CUDADriver &driver = driverFor(__func__);
  check(__func__, driver,
        driver.functions().cuMemsetD16Async(toDevicePtr(dst), value, count,
                                            stream),
        "cuMemsetD16Async");
}

//===----------------------------------------------------------------------===//
// Symbols
//===----------------------------------------------------------------------===//

/// `function` as the address a JIT's symbol table takes.
template <typename Fn> static void *address(Fn *function) {
  return reinterpret_cast<void *>(function);
}

llvm::ArrayRef<MgpuSymbol> lathe::runtime::cuda::getMgpuSymbols() {
  static const MgpuSymbol symbols[] = {
      {"mgpuModuleLoad", address(&mgpuModuleLoad)},
      {"mgpuModuleLoadJIT", address(&mgpuModuleLoadJIT)},
      {"mgpuModuleUnload", address(&mgpuModuleUnload)},
      {"mgpuModuleGetFunction", address(&mgpuModuleGetFunction)},
      {"mgpuLaunchKernel", address(&mgpuLaunchKernel)},
      {"mgpuStreamCreate", address(&mgpuStreamCreate)},
      {"mgpuStreamDestroy", address(&mgpuStreamDestroy)},
      {"mgpuStreamSynchronize", address(&mgpuStreamSynchronize)},
      {"mgpuStreamWaitEvent", address(&mgpuStreamWaitEvent)},
      {"mgpuEventCreate", address(&mgpuEventCreate)},
      {"mgpuEventDestroy", address(&mgpuEventDestroy)},
      {"mgpuEventSynchronize", address(&mgpuEventSynchronize)},
      {"mgpuEventRecord", address(&mgpuEventRecord)},
      {"mgpuMemAlloc", address(&mgpuMemAlloc)},
      {"mgpuMemFree", address(&mgpuMemFree)},
      {"mgpuMemcpy", address(&mgpuMemcpy)},
      {"mgpuMemset32", address(&mgpuMemset32)},
      {"mgpuMemset16", address(&mgpuMemset16)},
  };
  return symbols;
}
