//===- CUDADriverTest.cpp - The CUDA driver runtime -----------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests of runtime/cuda. Everywhere: the messages of failed driver calls,
// the plain "no CUDA driver" error where libcuda.so.1 is missing (and the
// mgpu* entry points' abort with it), the driver constants and versioned
// symbol names against cuda.h when the CUDA toolkit is installed, and the
// test kernel's PTX against ptxas when ptxas is. With a GPU: a hand-written
// PTX kernel (and its cubin) loaded, launched, checked and timed, through
// CUDADriver and through the mgpu* ABI; tests that need one are skipped
// with the reason otherwise.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CUDADriver.h"
#include "runtime/cuda/MgpuABI.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <dlfcn.h>
#include <vector>

#if __has_include(<cuda.h>)
#include <cuda.h>
#define LATHE_HAVE_CUDA_H 1
#endif

namespace lc = lathe::runtime::cuda;

namespace {

/// Adds 1.0f to each of the first `n` floats at `data`:
/// add_one(float *data, unsigned n), one element per thread.
const char kAddOnePTX[] = R"(.version 7.0
.target sm_80
.address_size 64

.visible .entry add_one(
    .param .u64 add_one_param_0,
    .param .u32 add_one_param_1
)
{
    .reg .pred %p<2>;
    .reg .f32 %f<3>;
    .reg .b32 %r<5>;
    .reg .b64 %rd<5>;

    ld.param.u64 %rd1, [add_one_param_0];
    ld.param.u32 %r2, [add_one_param_1];
    mov.u32 %r3, %ctaid.x;
    mov.u32 %r4, %ntid.x;
    mov.u32 %r1, %tid.x;
    mad.lo.s32 %r1, %r3, %r4, %r1;
    setp.ge.u32 %p1, %r1, %r2;
    @%p1 bra DONE;
    cvta.to.global.u64 %rd2, %rd1;
    mul.wide.u32 %rd3, %r1, 4;
    add.s64 %rd4, %rd2, %rd3;
    ld.global.f32 %f1, [%rd4];
    add.f32 %f2, %f1, 0f3F800000;
    st.global.f32 [%rd4], %f2;
DONE:
    ret;
}
)";

constexpr unsigned kNumElements = 1000;
constexpr unsigned kBlockSize = 256;

/// Whether dlopen finds the driver library on this machine.
bool driverLibraryLoads() {
  void *handle = ::dlopen(lc::kDriverLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return false;
  ::dlclose(handle);
  return true;
}

/// Why the tests that need a GPU are skipped: "no CUDA device: <reason>"
/// (the reason alone when it says so already).
std::string skipReason() {
  std::string reason = lc::CUDADriver::unavailableReason();
  if (llvm::StringRef(reason).starts_with("no CUDA"))
    return reason;
  return "no CUDA device: " + reason;
}

/// The process's driver, or a skip of the calling test saying why not.
#define GET_DRIVER_OR_SKIP(driver)                                             \
  if (!lc::CUDADriver::isAvailable())                                          \
    GTEST_SKIP() << skipReason();                                              \
  lc::CUDADriver &driver = llvm::cantFail(lc::CUDADriver::get())

/// ptxas from the CUDA toolkit, or "" when there is none.
std::string findPtxas() {
  if (llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas"))
    return "/usr/local/cuda/bin/ptxas";
  if (llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName("ptxas"))
    return *path;
  return "";
}

/// Compiles `ptx` with `ptxas -arch=<arch>`: the cubin, or "" with
/// `error` set to ptxas's output.
std::string runPtxas(llvm::StringRef ptxas, llvm::StringRef ptx,
                     llvm::StringRef arch, std::string &error) {
  llvm::SmallString<128> input, output, log;
  if (llvm::sys::fs::createTemporaryFile("lathe-cuda-test", "ptx", input) ||
      llvm::sys::fs::createTemporaryFile("lathe-cuda-test", "cubin", output) ||
      llvm::sys::fs::createTemporaryFile("lathe-cuda-test", "log", log)) {
    error = "cannot create temporary files";
    return "";
  }
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(input, ec);
    os << ptx;
  }
  std::string archFlag = ("-arch=" + arch).str();
  llvm::StringRef args[] = {ptxas, archFlag, input, "-o", output};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.str(),
                                                log.str()};
  int rc = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects);
  std::string cubin;
  if (rc == 0) {
    if (auto buffer = llvm::MemoryBuffer::getFile(output))
      cubin = (*buffer)->getBuffer().str();
  } else if (auto buffer = llvm::MemoryBuffer::getFile(log)) {
    error = (*buffer)->getBuffer().str();
  }
  for (llvm::StringRef path : {input.str(), output.str(), log.str()})
    llvm::sys::fs::remove(path);
  return cubin;
}

/// 0, 0.5, 1, ... : the kernel's input.
std::vector<float> inputData() {
  std::vector<float> data(kNumElements);
  for (unsigned i = 0; i < kNumElements; ++i)
    data[i] = 0.5f * i;
  return data;
}

/// Checks that `data` is inputData() plus `added` everywhere.
void expectAdded(const std::vector<float> &data, float added) {
  ASSERT_EQ(data.size(), kNumElements);
  for (unsigned i = 0; i < kNumElements; ++i)
    ASSERT_EQ(data[i], 0.5f * i + added) << "at element " << i;
}

//===----------------------------------------------------------------------===//
// Messages
//===----------------------------------------------------------------------===//

TEST(CUDAErrorMessage, NamesCallErrorAndContext) {
  auto lookup = [](lc::CUresult code) {
    EXPECT_EQ(code, 702);
    return lc::CUDAErrorText{"CUDA_ERROR_LAUNCH_TIMEOUT",
                             "the launch timed out and was terminated"};
  };
  EXPECT_EQ(
      lc::formatCUDAError("cuLaunchKernel", 702, "kernel 'add_one'", lookup),
      "cuLaunchKernel failed: CUDA_ERROR_LAUNCH_TIMEOUT (the launch "
      "timed out and was terminated) [kernel 'add_one']");
}

TEST(CUDAErrorMessage, UnknownCodeWithoutContext) {
  auto lookup = [](lc::CUresult) { return lc::CUDAErrorText{}; };
  EXPECT_EQ(lc::formatCUDAError("cuMemAlloc", 12345, "", lookup),
            "cuMemAlloc failed: CUDA error 12345");
}

TEST(CUDAErrorMessage, NameWithoutDescription) {
  auto lookup = [](lc::CUresult) {
    return lc::CUDAErrorText{"CUDA_ERROR_OUT_OF_MEMORY", nullptr};
  };
  EXPECT_EQ(
      lc::formatCUDAError("cuMemAlloc", 2, "ONNX node 'conv_12'", lookup),
      "cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY [ONNX node 'conv_12']");
}

//===----------------------------------------------------------------------===//
// Without a driver
//===----------------------------------------------------------------------===//

TEST(CUDADriver, MissingLibraryIsNoDriver) {
  auto driver = lc::CUDADriver::open("liblathe-no-such-driver.so.1");
  ASSERT_FALSE(driver);
  std::string message = llvm::toString(driver.takeError());
  EXPECT_EQ(message.rfind("no CUDA driver: liblathe-no-such-driver.so.1 could "
                          "not be loaded (",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("); GPU code needs an NVIDIA driver"),
            std::string::npos)
      << message;
}

TEST(CUDADriver, GetWithoutLibcudaSaysNoDriver) {
  if (driverLibraryLoads())
    GTEST_SKIP() << "libcuda.so.1 is installed here";
  auto driver = lc::CUDADriver::get();
  ASSERT_FALSE(driver);
  std::string message = llvm::toString(driver.takeError());
  EXPECT_EQ(
      message.rfind("no CUDA driver: libcuda.so.1 could not be loaded (", 0),
      0u)
      << message;
  EXPECT_NE(message.find("libcuda.so.1: cannot open shared object file"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("); GPU code needs an NVIDIA driver"),
            std::string::npos)
      << message;
  EXPECT_FALSE(lc::CUDADriver::isAvailable());
  EXPECT_EQ(lc::CUDADriver::unavailableReason(), message);
  // Every call gives the same answer.
  auto again = lc::CUDADriver::get();
  ASSERT_FALSE(again);
  EXPECT_EQ(llvm::toString(again.takeError()), message);
}

TEST(MgpuABI, AbortsWithoutDriverNamingEntryPoint) {
  if (driverLibraryLoads())
    GTEST_SKIP() << "libcuda.so.1 is installed here";
  EXPECT_DEATH(mgpuStreamCreate(),
               "lathe: mgpuStreamCreate: no CUDA driver: libcuda.so.1 could "
               "not be loaded");
  EXPECT_DEATH(mgpuMemAlloc(64, nullptr, false),
               "lathe: mgpuMemAlloc: no CUDA driver");
  // Nothing to allocate or free needs no driver.
  EXPECT_EQ(mgpuMemAlloc(0, nullptr, false), nullptr);
  mgpuMemFree(nullptr, nullptr);
}

TEST(MgpuABI, SymbolTableHasEveryEntryPoint) {
  llvm::StringSet<> names;
  for (const lc::MgpuSymbol &symbol : lc::getMgpuSymbols()) {
    EXPECT_NE(symbol.address, nullptr) << symbol.name;
    EXPECT_TRUE(names.insert(symbol.name).second) << symbol.name;
  }
  for (const char *name :
       {"mgpuModuleLoad", "mgpuModuleLoadJIT", "mgpuModuleUnload",
        "mgpuModuleGetFunction", "mgpuLaunchKernel", "mgpuStreamCreate",
        "mgpuStreamDestroy", "mgpuStreamSynchronize", "mgpuStreamWaitEvent",
        "mgpuEventCreate", "mgpuEventDestroy", "mgpuEventSynchronize",
        "mgpuEventRecord", "mgpuMemAlloc", "mgpuMemFree", "mgpuMemcpy",
        "mgpuMemset32", "mgpuMemset16"})
    EXPECT_TRUE(names.contains(name)) << name;
  EXPECT_EQ(names.size(), 18u);
}

//===----------------------------------------------------------------------===//
// Against the CUDA toolkit
//===----------------------------------------------------------------------===//

#ifdef LATHE_HAVE_CUDA_H
#define LATHE_STRINGIFY_EXPANDED(x) #x
#define LATHE_STRINGIFY(x) LATHE_STRINGIFY_EXPANDED(x)

TEST(CUDADriverDeclarations, MatchCudaH) {
  static_assert(sizeof(lc::CUdeviceptr) == sizeof(::CUdeviceptr));
  static_assert(sizeof(lc::CUdevice) == sizeof(::CUdevice));
  static_assert(sizeof(lc::CUresult) == sizeof(::CUresult));
  static_assert(lc::CUDA_SUCCESS == ::CUDA_SUCCESS);
  static_assert(lc::CUDA_ERROR_INVALID_VALUE == ::CUDA_ERROR_INVALID_VALUE);
  static_assert(lc::CUDA_ERROR_NOT_INITIALIZED == ::CUDA_ERROR_NOT_INITIALIZED);
  static_assert(lc::CUDA_ERROR_NO_DEVICE == ::CUDA_ERROR_NO_DEVICE);
  static_assert(lc::CUDA_ERROR_NOT_FOUND == ::CUDA_ERROR_NOT_FOUND);
  static_assert(lc::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT ==
                ::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
  static_assert(lc::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR ==
                ::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
  static_assert(lc::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR ==
                ::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
  static_assert(lc::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN ==
                ::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
  static_assert(lc::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES ==
                ::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES);
  static_assert(lc::CU_JIT_ERROR_LOG_BUFFER == ::CU_JIT_ERROR_LOG_BUFFER);
  static_assert(lc::CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES ==
                ::CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
  static_assert(lc::CU_JIT_OPTIMIZATION_LEVEL == ::CU_JIT_OPTIMIZATION_LEVEL);
  static_assert(lc::CU_STREAM_DEFAULT == ::CU_STREAM_DEFAULT);
  static_assert(lc::CU_STREAM_NON_BLOCKING == ::CU_STREAM_NON_BLOCKING);
  static_assert(lc::CU_EVENT_DEFAULT == ::CU_EVENT_DEFAULT);
  static_assert(lc::CU_EVENT_DISABLE_TIMING == ::CU_EVENT_DISABLE_TIMING);
  static_assert(lc::CU_MEM_ATTACH_GLOBAL == ::CU_MEM_ATTACH_GLOBAL);
}

// The symbols CUDADriver::open looks up are those cuda.h maps the API's
// names to (without per-thread default streams).
TEST(CUDADriverDeclarations, VersionedSymbolsMatchCudaH) {
  EXPECT_STREQ(LATHE_STRINGIFY(cuMemAlloc), "cuMemAlloc_v2");
  EXPECT_STREQ(LATHE_STRINGIFY(cuMemFree), "cuMemFree_v2");
  EXPECT_STREQ(LATHE_STRINGIFY(cuMemcpyHtoD), "cuMemcpyHtoD_v2");
  EXPECT_STREQ(LATHE_STRINGIFY(cuMemcpyDtoH), "cuMemcpyDtoH_v2");
  EXPECT_STREQ(LATHE_STRINGIFY(cuMemcpyDtoD), "cuMemcpyDtoD_v2");
  EXPECT_STREQ(LATHE_STRINGIFY(cuMemsetD32), "cuMemsetD32_v2");
  EXPECT_STREQ(LATHE_STRINGIFY(cuStreamDestroy), "cuStreamDestroy_v2");
  EXPECT_STREQ(LATHE_STRINGIFY(cuEventDestroy), "cuEventDestroy_v2");
#if CUDA_VERSION >= 12080
  EXPECT_STREQ(LATHE_STRINGIFY(cuEventElapsedTime), "cuEventElapsedTime_v2");
#endif
  for (const char *unversioned : {LATHE_STRINGIFY(cuInit),
                                  LATHE_STRINGIFY(cuDeviceGet),
                                  LATHE_STRINGIFY(cuDeviceGetCount),
                                  LATHE_STRINGIFY(cuDeviceGetName),
                                  LATHE_STRINGIFY(cuDeviceGetAttribute),
                                  LATHE_STRINGIFY(cuDevicePrimaryCtxRetain),
                                  LATHE_STRINGIFY(cuCtxSetCurrent),
                                  LATHE_STRINGIFY(cuCtxSynchronize),
                                  LATHE_STRINGIFY(cuModuleLoadData),
                                  LATHE_STRINGIFY(cuModuleLoadDataEx),
                                  LATHE_STRINGIFY(cuModuleGetFunction),
                                  LATHE_STRINGIFY(cuModuleUnload),
                                  LATHE_STRINGIFY(cuLaunchKernel),
                                  LATHE_STRINGIFY(cuFuncSetAttribute),
                                  LATHE_STRINGIFY(cuMemAllocManaged),
                                  LATHE_STRINGIFY(cuMemcpyAsync),
                                  LATHE_STRINGIFY(cuMemsetD32Async),
                                  LATHE_STRINGIFY(cuMemsetD16Async),
                                  LATHE_STRINGIFY(cuStreamCreate),
                                  LATHE_STRINGIFY(cuStreamSynchronize),
                                  LATHE_STRINGIFY(cuStreamWaitEvent),
                                  LATHE_STRINGIFY(cuEventCreate),
                                  LATHE_STRINGIFY(cuEventRecord),
                                  LATHE_STRINGIFY(cuEventSynchronize),
                                  LATHE_STRINGIFY(cuGetErrorName),
                                  LATHE_STRINGIFY(cuGetErrorString)})
    EXPECT_EQ(llvm::StringRef(unversioned).find("_v"), llvm::StringRef::npos)
        << unversioned;
}
#endif // LATHE_HAVE_CUDA_H

TEST(CUDAKernelPTX, AssemblesWithPtxas) {
  std::string ptxas = findPtxas();
  if (ptxas.empty())
    GTEST_SKIP() << "no ptxas (CUDA toolkit) here";
  for (llvm::StringRef arch : {"sm_80", "sm_90"}) {
    std::string error;
    std::string cubin = runPtxas(ptxas, kAddOnePTX, arch, error);
    EXPECT_FALSE(cubin.empty())
        << "ptxas -arch=" << arch.str() << ": " << error;
    EXPECT_TRUE(llvm::StringRef(cubin).starts_with("\x7f"
                                                   "ELF"));
  }
}

//===----------------------------------------------------------------------===//
// On a GPU
//===----------------------------------------------------------------------===//

/// Runs add_one from `module` on inputData() `times` times and returns the
/// data; the last run is timed into `milliseconds`.
std::vector<float> runAddOne(lc::CUDADriver &driver, const lc::Module &module,
                             int times, float &milliseconds) {
  std::vector<float> data = inputData();
  auto function = module.getFunction("add_one");
  EXPECT_TRUE(bool(function)) << llvm::toString(function.takeError());
  if (!function)
    return {};
  auto buffer = driver.allocate(kNumElements * sizeof(float), "add_one data");
  EXPECT_TRUE(bool(buffer)) << llvm::toString(buffer.takeError());
  if (!buffer)
    return {};
  llvm::cantFail(buffer->upload(data.data(), kNumElements * sizeof(float),
                                "add_one data"));
  lc::CUdeviceptr address = buffer->address();
  unsigned n = kNumElements;
  void *args[] = {&address, &n};
  lc::Dim3 grid{(kNumElements + kBlockSize - 1) / kBlockSize};
  lc::Dim3 block{kBlockSize};
  for (int i = 0; i + 1 < times; ++i) {
    llvm::Error err =
        driver.launch(*function, grid, block, 0, args, "kernel 'add_one'");
    EXPECT_FALSE(bool(err)) << llvm::toString(std::move(err));
  }
  llvm::Error synced = driver.synchronize("kernel 'add_one'");
  EXPECT_FALSE(bool(synced)) << llvm::toString(std::move(synced));
  auto timed =
      driver.timeLaunchMs(*function, grid, block, 0, args, "kernel 'add_one'");
  EXPECT_TRUE(bool(timed)) << llvm::toString(timed.takeError());
  milliseconds = timed ? *timed : -1;
  llvm::cantFail(buffer->download(data.data(), kNumElements * sizeof(float),
                                  "add_one data"));
  return data;
}

TEST(CUDADriverOnDevice, RunsAndTimesPTXKernel) {
  GET_DRIVER_OR_SKIP(driver);
  EXPECT_FALSE(driver.deviceName().empty());
  EXPECT_GE(driver.computeCapability(), 50);
  auto module = driver.loadModule(kAddOnePTX, "add_one.ptx");
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  float milliseconds = -1;
  std::vector<float> data = runAddOne(driver, *module, 2, milliseconds);
  expectAdded(data, 2.0f);
  EXPECT_GT(milliseconds, 0.0f);
  EXPECT_LT(milliseconds, 1000.0f);
  llvm::outs() << "add_one on " << kNumElements << " floats, "
               << driver.deviceName() << ": "
               << llvm::format("%.4f", milliseconds) << " ms\n";
  llvm::outs().flush();
}

TEST(CUDADriverOnDevice, RunsCubinFromPtxas) {
  GET_DRIVER_OR_SKIP(driver);
  std::string ptxas = findPtxas();
  if (ptxas.empty())
    GTEST_SKIP() << "no ptxas (CUDA toolkit) here";
  std::string arch = "sm_" + std::to_string(driver.computeCapability());
  std::string error;
  std::string cubin = runPtxas(ptxas, kAddOnePTX, arch, error);
  if (cubin.empty())
    GTEST_SKIP() << "ptxas -arch=" << arch << " failed: " << error;
  auto module = driver.loadModule(cubin, "add_one.cubin");
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  float milliseconds = -1;
  expectAdded(runAddOne(driver, *module, 1, milliseconds), 1.0f);
}

TEST(CUDADriverOnDevice, MissingKernelIsNamed) {
  GET_DRIVER_OR_SKIP(driver);
  auto module = driver.loadModule(kAddOnePTX, "add_one.ptx");
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  auto function = module->getFunction("no_such_kernel");
  ASSERT_FALSE(function);
  std::string message = llvm::toString(function.takeError());
  EXPECT_TRUE(llvm::StringRef(message).starts_with(
      "cuModuleGetFunction failed: CUDA_ERROR_NOT_FOUND ("))
      << message;
  EXPECT_TRUE(llvm::StringRef(message).ends_with(") [kernel 'no_such_kernel']"))
      << message;
}

TEST(CUDADriverOnDevice, BadPTXNamesTheModule) {
  GET_DRIVER_OR_SKIP(driver);
  auto module =
      driver.loadModule(".version 7.0\n.target sm_80\n.address_size 64\n"
                        ".visible .entry broken() { bogus.instruction; }\n",
                        "broken.ptx");
  ASSERT_FALSE(module);
  std::string message = llvm::toString(module.takeError());
  EXPECT_EQ(message.rfind("cuModuleLoadDataEx failed: CUDA_ERROR_", 0), 0u)
      << message;
  EXPECT_NE(message.find("[broken.ptx]"), std::string::npos) << message;
}

TEST(CUDADriverOnDevice, ExcessiveSharedMemoryIsAnError) {
  GET_DRIVER_OR_SKIP(driver);
  auto module = driver.loadModule(kAddOnePTX, "add_one.ptx");
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  lc::CUfunction function = llvm::cantFail(module->getFunction("add_one"));
  llvm::Error err =
      driver.launch(function, {1}, {1}, driver.maxSharedBytesPerBlock() + 1,
                    nullptr, "kernel 'add_one'");
  ASSERT_TRUE(bool(err));
  std::string message = llvm::toString(std::move(err));
  EXPECT_NE(message.find("bytes of dynamic shared memory"), std::string::npos)
      << message;
  EXPECT_NE(message.find("[kernel 'add_one']"), std::string::npos) << message;
}

TEST(CUDADriverOnDevice, OptsInToLargeSharedMemory) {
  GET_DRIVER_OR_SKIP(driver);
  constexpr unsigned kSharedBytes = 64 * 1024;
  if (driver.maxSharedBytesPerBlock() < kSharedBytes)
    GTEST_SKIP() << driver.deviceName().str() << " allows only "
                 << driver.maxSharedBytesPerBlock()
                 << " bytes of shared memory per block";
  auto module = driver.loadModule(kAddOnePTX, "add_one.ptx");
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  lc::CUfunction function = llvm::cantFail(module->getFunction("add_one"));
  std::vector<float> data = inputData();
  auto buffer =
      llvm::cantFail(driver.allocate(kNumElements * sizeof(float), "data"));
  llvm::cantFail(
      buffer.upload(data.data(), kNumElements * sizeof(float), "data"));
  lc::CUdeviceptr address = buffer.address();
  unsigned n = kNumElements;
  void *args[] = {&address, &n};
  llvm::Error err =
      driver.launch(function, {(kNumElements + kBlockSize - 1) / kBlockSize},
                    {kBlockSize}, kSharedBytes, args, "kernel 'add_one'");
  ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
  llvm::cantFail(driver.synchronize("kernel 'add_one'"));
  llvm::cantFail(
      buffer.download(data.data(), kNumElements * sizeof(float), "data"));
  expectAdded(data, 1.0f);
}

TEST(MgpuABIOnDevice, RunsPTXKernelAsLoweredCodeDoes) {
  GET_DRIVER_OR_SKIP(driver);
  (void)driver;
  std::vector<float> data = inputData();
  size_t bytes = kNumElements * sizeof(float);

  lc::CUmodule module =
      mgpuModuleLoadJIT(const_cast<char *>(kAddOnePTX), /*optLevel=*/2);
  ASSERT_NE(module, nullptr);
  lc::CUfunction function = mgpuModuleGetFunction(module, "add_one");
  ASSERT_NE(function, nullptr);
  lc::CUstream stream = mgpuStreamCreate();
  void *device = mgpuMemAlloc(bytes, stream, /*isHostShared=*/false);
  ASSERT_NE(device, nullptr);
  mgpuMemcpy(device, data.data(), bytes, stream);
  unsigned n = kNumElements;
  void *args[] = {&device, &n};
  mgpuLaunchKernel(function, (kNumElements + kBlockSize - 1) / kBlockSize, 1, 1,
                   kBlockSize, 1, 1, /*smem=*/0, stream, args,
                   /*extra=*/nullptr, /*paramsCount=*/2);
  lc::CUevent event = mgpuEventCreate();
  mgpuEventRecord(event, stream);
  mgpuEventSynchronize(event);
  mgpuEventDestroy(event);
  mgpuMemcpy(data.data(), device, bytes, stream);
  mgpuStreamSynchronize(stream);
  expectAdded(data, 1.0f);

  // Every word set to 2.0f (0x40000000), then every half-word to 0x3f80.
  mgpuMemset32(device, 0x40000000u, kNumElements, stream);
  mgpuMemcpy(data.data(), device, bytes, stream);
  mgpuStreamSynchronize(stream);
  for (float value : data)
    ASSERT_EQ(value, 2.0f);
  mgpuMemset16(device, 0x3f80, 2 * kNumElements, stream);
  std::vector<uint32_t> words(kNumElements);
  mgpuMemcpy(words.data(), device, bytes, stream);
  mgpuStreamSynchronize(stream);
  for (uint32_t word : words)
    ASSERT_EQ(word, 0x3f803f80u);

  mgpuMemFree(device, stream);
  mgpuStreamDestroy(stream);
  mgpuModuleUnload(module);
}

} // namespace
