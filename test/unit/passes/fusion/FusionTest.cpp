//===- FusionTest.cpp - Tests of kernel formation and workload keys -------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file tests passes/fusion/Fusion.h: op roles, kernel groups under the
// default and custom control functions, outlining with fuseKernels, kernel
// summaries (FLOPs and bytes counted by hand) and the stability of
// workload keys.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/Fusion.h"

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace lathe;
using namespace lathe::fusion;

namespace {

class FusionTest : public ::testing::Test {
protected:
  FusionTest() {
    ctx.loadDialect<nn::NNDialect, func::FuncDialect, LLVM::LLVMDialect>();
  }

  OwningOpRef<ModuleOp> parse(StringRef source) {
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &ctx);
    EXPECT_TRUE(module) << "could not parse the test module";
    return module;
  }

  MLIRContext ctx;
};

/// A layer: x[2, 4] @ w[4, 3] + b[3], relu, then a reshape and a tanh.
constexpr const char *kLayer = R"mlir(
func.func @layer(%x: tensor<2x4xf32>) -> tensor<6xf32> {
  %w = nn.constant dense<0.5> : tensor<4x3xf32>
  %b = nn.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %0 = nn.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %1 = nn.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = nn.relu %1 : tensor<2x3xf32>
  %3 = nn.reshape %2 [6] : tensor<2x3xf32> -> tensor<6xf32>
  %4 = nn.tanh %3 : tensor<6xf32>
  return %4 : tensor<6xf32>
}
)mlir";

TEST_F(FusionTest, RolesOfOps) {
  auto module = parse(kLayer);
  auto func = module->lookupSymbol<func::FuncOp>("layer");
  SmallVector<KernelRole> roles;
  for (Operation &op : func.getBody().front().without_terminator())
    roles.push_back(getKernelRole(&op));
  std::vector<KernelRole> expected = {
      KernelRole::Constant,    KernelRole::Constant,    KernelRole::Anchor,
      KernelRole::Elementwise, KernelRole::Elementwise, KernelRole::View,
      KernelRole::Elementwise};
  EXPECT_EQ(std::vector<KernelRole>(roles.begin(), roles.end()), expected);
}

TEST_F(FusionTest, DefaultControlFusesTheEpilogue) {
  auto module = parse(kLayer);
  auto func = module->lookupSymbol<func::FuncOp>("layer");
  SmallVector<KernelGroup> groups =
      formKernelGroups(func, defaultFusionControl());
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].ops.size(), 3u);
  EXPECT_TRUE(isa<nn::MatmulOp>(groups[0].anchor));
  // Across the reshape, the tanh is a kernel of its own.
  ASSERT_EQ(groups[1].ops.size(), 1u);
  EXPECT_TRUE(isa<nn::TanhOp>(groups[1].anchor));
}

TEST_F(FusionTest, ControlFunctionDecides) {
  auto module = parse(kLayer);
  auto func = module->lookupSymbol<func::FuncOp>("layer");
  // Never fuse: one kernel per computing op.
  EXPECT_EQ(
      formKernelGroups(func, [](Operation *, Operation *) { return false; })
          .size(),
      4u);
  // Fuse only the bias add: matmul + add, relu, tanh.
  auto onlyAdd = [](Operation *, Operation *consumer) {
    return isa<nn::AddOp>(consumer);
  };
  SmallVector<KernelGroup> groups = formKernelGroups(func, onlyAdd);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].ops.size(), 2u);
  // The control function is asked only about legal pairs: never about the
  // reshape's user.
  int asked = 0;
  formKernelGroups(func, [&](Operation *producer, Operation *consumer) {
    ++asked;
    EXPECT_FALSE(isa<nn::ReshapeOp>(producer));
    return true;
  });
  EXPECT_EQ(asked, 2);
}

TEST_F(FusionTest, OutlinedKernelSummary) {
  auto module = parse(kLayer);
  auto func = module->lookupSymbol<func::FuncOp>("layer");
  IRRewriter rewriter(&ctx);
  FailureOr<SmallVector<func::FuncOp>> kernels =
      fuseKernels(rewriter, func, defaultFusionControl());
  ASSERT_TRUE(succeeded(kernels));
  ASSERT_EQ(kernels->size(), 2u);
  EXPECT_EQ((*kernels)[0].getSymName(), "layer_k0_matmul");
  EXPECT_EQ((*kernels)[1].getSymName(), "layer_k1_tanh");
  EXPECT_TRUE(succeeded(mlir::verify(*module)));

  FailureOr<KernelSummary> summary = summarizeKernel((*kernels)[0]);
  ASSERT_TRUE(succeeded(summary));
  EXPECT_EQ(summary->anchor, "nn.matmul");
  EXPECT_EQ(summary->ops,
            (SmallVector<std::string>{"nn.matmul", "nn.add", "nn.relu"}));
  // matmul 2 * 2 * 4 * 3 = 48, add 6, relu 6.
  EXPECT_EQ(summary->flops, 60);
  // x 32 + result 24 + w 48 + b 12 bytes.
  EXPECT_EQ(summary->bytes, 116);
  EXPECT_EQ(summary->workload.size(), 16u);
  EXPECT_EQ(summary->workload, computeWorkloadKey((*kernels)[0]));

  // The graph function: the calls, the reshape between them, no constants.
  int calls = 0, constants = 0;
  func.walk([&](Operation *op) {
    calls += isa<func::CallOp>(op);
    constants += isa<nn::ConstantOp>(op);
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(constants, 0);
  EXPECT_TRUE(failed(summarizeKernel(func)));
}

TEST_F(FusionTest, WorkloadKeyIgnoresNamesAndWeights) {
  auto module = parse(R"mlir(
func.func @a(%x: tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w = nn.constant dense<0.5> : tensor<8x4x3x3xf32>
  %0 = nn.conv2d %x, %w strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1
      : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}
func.func @b(%input: tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %weights = nn.constant dense<-2.0> : tensor<8x4x3x3xf32>
  %0 = nn.conv2d %input, %weights strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1
      {nn.name = "some_node"}
      : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}
func.func @c(%x: tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w = nn.constant dense<0.5> : tensor<8x4x3x3xf32>
  %0 = nn.conv2d %x, %w strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1
      : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  %1 = nn.relu %0 : tensor<1x8x8x8xf32>
  return %1 : tensor<1x8x8x8xf32>
}
)mlir");
  IRRewriter rewriter(&ctx);
  std::map<std::string, std::string> keys;
  for (StringRef name : {"a", "b", "c"}) {
    auto func = module->lookupSymbol<func::FuncOp>(name);
    auto kernels = fuseKernels(rewriter, func, defaultFusionControl());
    ASSERT_TRUE(succeeded(kernels));
    ASSERT_EQ(kernels->size(), 1u);
    keys[name.str()] = computeWorkloadKey((*kernels)[0]);
    // The same function hashes the same every time.
    EXPECT_EQ(keys[name.str()], computeWorkloadKey((*kernels)[0]));
  }
  EXPECT_EQ(keys["a"], keys["b"]);
  EXPECT_NE(keys["a"], keys["c"]);
}

TEST_F(FusionTest, SmallConstantsAreKeyedByValue) {
  auto module = parse(R"mlir(
func.func @lo(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = nn.constant dense<2.0> : tensor<f32>
  %0 = nn.mul %x, %s : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @hi(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = nn.constant dense<3.0> : tensor<f32>
  %0 = nn.mul %x, %s : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
)mlir");
  IRRewriter rewriter(&ctx);
  auto lo = fuseKernels(rewriter, module->lookupSymbol<func::FuncOp>("lo"),
                        defaultFusionControl());
  auto hi = fuseKernels(rewriter, module->lookupSymbol<func::FuncOp>("hi"),
                        defaultFusionControl());
  ASSERT_TRUE(succeeded(lo) && succeeded(hi));
  EXPECT_NE(computeWorkloadKey((*lo)[0]), computeWorkloadKey((*hi)[0]));
}

} // namespace
