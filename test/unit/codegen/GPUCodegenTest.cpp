//===- GPUCodegenTest.cpp - Unit tests of the GPU back end ----------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests codegen/gpu: the GPU pipeline's options from a target, the device
// code of a lowered module, and ptxas (found, and accepting or rejecting
// PTX). Tests that run ptxas skip where the CUDA toolkit is missing.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/GPUCodegen.h"
#include "passes/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <cstdlib>

using namespace lathe;
using namespace lathe::codegen;

namespace {

/// The message of `err`, or "" on success.
std::string messageOf(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : std::string();
}

template <typename T> std::string messageOf(llvm::Expected<T> &value) {
  return value ? std::string() : llvm::toString(value.takeError());
}

/// An add-one kernel in PTX for sm_80 and later.
constexpr const char *kAddOnePTX = R"(.version 7.0
.target sm_80
.address_size 64
.visible .entry add_one(.param .u64 p, .param .u32 n) {
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .f32 %f<3>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [p];
  ld.param.u32 %r2, [n];
  mov.u32 %r3, %ctaid.x;
  mov.u32 %r4, %ntid.x;
  mov.u32 %r5, %tid.x;
  mad.lo.s32 %r1, %r3, %r4, %r5;
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

TEST(GPUCodegenTest, PipelineOptionsFromTarget) {
  llvm::Expected<TargetSpec> sm90 = lookupTarget("sm_90");
  ASSERT_EQ(messageOf(sm90), "");
  GPUPipelineOptions options;
  gpu::setPipelineTarget(options, *sm90, "isa");
  EXPECT_EQ(options.chip.getValue(), "sm_90");
  EXPECT_EQ(options.features.getValue(), sm90->features);
  EXPECT_EQ(options.maxThreadsPerBlock.getValue(), 1024);
  EXPECT_EQ(options.warpSize.getValue(), 32);
  EXPECT_EQ(options.format.getValue(), "isa");
}

TEST(GPUCodegenTest, DeviceCodeOfLoweredModule) {
  mlir::DialectRegistry registry;
  registerGPULoweringDependencies(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  auto none = mlir::parseSourceString<mlir::ModuleOp>("module {}", &ctx);
  ASSERT_TRUE(none);
  llvm::Expected<std::string> missing = gpu::getDeviceCode(*none);
  EXPECT_EQ(messageOf(missing), "the model has no GPU kernels (no "
                                "gpu.binary after the GPU lowering)");

  // PTX comes without the NUL it is serialized with.
  auto one = mlir::parseSourceString<mlir::ModuleOp>(
      R"(module attributes {gpu.container_module} {
        gpu.binary @k [#gpu.object<#nvvm.target<chip = "sm_90">,
                                   assembly = "PTX TEXT\00">]
      })",
      &ctx);
  ASSERT_TRUE(one);
  llvm::Expected<std::string> code = gpu::getDeviceCode(*one);
  ASSERT_EQ(messageOf(code), "");
  EXPECT_EQ(*code, "PTX TEXT");

  auto two = mlir::parseSourceString<mlir::ModuleOp>(
      R"(module attributes {gpu.container_module} {
        gpu.binary @a [#gpu.object<#nvvm.target, assembly = "A">]
        gpu.binary @b [#gpu.object<#nvvm.target, assembly = "B">]
      })",
      &ctx);
  ASSERT_TRUE(two);
  llvm::Expected<std::string> both = gpu::getDeviceCode(*two);
  EXPECT_EQ(messageOf(both),
            "expected one gpu.binary after the GPU lowering, found 2");
}

TEST(GPUCodegenTest, EmptyModuleNamesChipAndPTXVersion) {
  llvm::Expected<TargetSpec> sm90 = lookupTarget("sm_90");
  ASSERT_EQ(messageOf(sm90), "");
  std::string ptx = gpu::emptyPTXModule(*sm90);
  EXPECT_NE(ptx.find(".version 7.8\n.target sm_90\n.address_size 64\n"),
            std::string::npos)
      << ptx;
  EXPECT_EQ(ptx.find(".entry"), std::string::npos);
  // No PTX feature: PTX 7.0.
  TargetSpec bare = *sm90;
  bare.features = "";
  EXPECT_NE(gpu::emptyPTXModule(bare).find(".version 7.0\n"),
            std::string::npos);
}

TEST(GPUCodegenTest, FindsPtxasUnderCudaPath) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("lathe-cuda", dir));
  llvm::SmallString<128> bin(dir);
  llvm::sys::path::append(bin, "bin");
  ASSERT_FALSE(llvm::sys::fs::create_directories(bin));
  llvm::SmallString<128> ptxas(bin);
  llvm::sys::path::append(ptxas, "ptxas");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(ptxas, ec);
    ASSERT_FALSE(ec);
    os << "#!/bin/sh\nexit 0\n";
  }
  ASSERT_FALSE(llvm::sys::fs::setPermissions(
      ptxas, llvm::sys::fs::perms::all_read | llvm::sys::fs::perms::all_exe |
                 llvm::sys::fs::perms::owner_write));
  const char *old = std::getenv("CUDA_PATH");
  std::string saved = old ? old : "";
  setenv("CUDA_PATH", dir.c_str(), 1);
  llvm::Expected<std::string> found = gpu::findPtxas();
  if (old)
    setenv("CUDA_PATH", saved.c_str(), 1);
  else
    unsetenv("CUDA_PATH");
  ASSERT_EQ(messageOf(found), "");
  EXPECT_EQ(*found, ptxas.str());
  llvm::sys::fs::remove_directories(dir);
}

/// Skips the test when the CUDA toolkit's ptxas is not installed.
#define REQUIRE_PTXAS()                                                        \
  do {                                                                         \
    llvm::Expected<std::string> ptxas = gpu::findPtxas();                      \
    if (!ptxas)                                                                \
      GTEST_SKIP() << "no ptxas: " << llvm::toString(ptxas.takeError());       \
  } while (false)

TEST(GPUCodegenTest, AssemblesPTXForBothChips) {
  REQUIRE_PTXAS();
  for (const char *chip : {"sm_80", "sm_90"}) {
    llvm::SmallString<128> cubin;
    ASSERT_FALSE(
        llvm::sys::fs::createTemporaryFile("lathe-test", "cubin", cubin));
    EXPECT_EQ(messageOf(gpu::assemblePTX(kAddOnePTX, chip, cubin)), "") << chip;
    uint64_t size = 0;
    EXPECT_FALSE(llvm::sys::fs::file_size(cubin, size));
    EXPECT_GT(size, 0u) << chip;
    llvm::sys::fs::remove(cubin);
  }
}

TEST(GPUCodegenTest, RejectedPTXCarriesPtxasMessages) {
  REQUIRE_PTXAS();
  llvm::SmallString<128> cubin;
  ASSERT_FALSE(
      llvm::sys::fs::createTemporaryFile("lathe-test", "cubin", cubin));
  llvm::Error err =
      gpu::assemblePTX(".version 7.0\n.target sm_80\n.address_size 64\n"
                       ".visible .entry k() { bogus.instruction; }\n",
                       "sm_90", cubin);
  std::string message = llvm::toString(std::move(err));
  EXPECT_NE(message.find("ptxas -arch=sm_90 rejected the PTX"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("bogus"), std::string::npos) << message;
  llvm::sys::fs::remove(cubin);
}

} // namespace
