//===- NNFlopsTest.cpp - Unit tests of the FLOP estimate of nn ops --------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Checks estimateFlops against hand-computed counts for every convention in
// dialects/nn/NNFlops.h, one op at a time, and estimateTotalFlops on a small
// function.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNFlops.h"
#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace lathe::nn;

namespace {

class NNFlopsTest : public ::testing::Test {
protected:
  NNFlopsTest() { ctx.loadDialect<NNDialect, func::FuncDialect>(); }

  /// Parses `func.func @f(<args>) { <op> return }` and returns the FLOPs of
  /// its first op (-1 when the text does not parse).
  int64_t flops(llvm::StringRef args, llvm::StringRef op) {
    module = parseSourceString<ModuleOp>(
        ("func.func @f(" + args + ") {\n" + op + "\nreturn\n}").str(), &ctx);
    if (!module)
      return -1;
    auto func = cast<func::FuncOp>(module->getBody()->front());
    return estimateFlops(&func.getBody().front().front());
  }

  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
};

TEST_F(NNFlopsTest, Matmul) {
  // 2 * K * M * N.
  EXPECT_EQ(flops("%a: tensor<4x16xf32>, %b: tensor<16x32xf32>",
                  "%0 = nn.matmul %a, %b : (tensor<4x16xf32>, "
                  "tensor<16x32xf32>) -> tensor<4x32xf32>"),
            2 * 16 * 4 * 32);
  // Every batch counts.
  EXPECT_EQ(flops("%a: tensor<8x4x16xf32>, %b: tensor<16x32xf32>",
                  "%0 = nn.matmul %a, %b : (tensor<8x4x16xf32>, "
                  "tensor<16x32xf32>) -> tensor<8x4x32xf32>"),
            2 * 16 * 8 * 4 * 32);
  // A vector on the right: a matrix-vector product.
  EXPECT_EQ(flops("%a: tensor<4x16xf32>, %b: tensor<16xf32>",
                  "%0 = nn.matmul %a, %b : (tensor<4x16xf32>, "
                  "tensor<16xf32>) -> tensor<4xf32>"),
            2 * 16 * 4);
}

TEST_F(NNFlopsTest, MatmulSaturates) {
  EXPECT_EQ(flops("%a: tensor<4294967296x4294967296xf32>, "
                  "%b: tensor<4294967296x4294967296xf32>",
                  "%0 = nn.matmul %a, %b : (tensor<4294967296x4294967296xf32>, "
                  "tensor<4294967296x4294967296xf32>) -> "
                  "tensor<4294967296x4294967296xf32>"),
            INT64_MAX);
}

TEST_F(NNFlopsTest, Gemm) {
  llvm::StringRef args =
      "%a: tensor<1x512xf32>, %b: tensor<10x512xf32>, %c: tensor<10xf32>";
  llvm::StringRef types = "(tensor<1x512xf32>, tensor<10x512xf32>, "
                          "tensor<10xf32>) -> tensor<1x10xf32>";
  // 2 * K * M * N, plus M * N for adding c.
  EXPECT_EQ(
      flops(args, ("%0 = nn.gemm %a, %b, %c transpose_b : " + types).str()),
      2 * 512 * 10 + 10);
  // alpha and beta other than 1 cost one multiply per element each.
  EXPECT_EQ(flops(args, ("%0 = nn.gemm %a, %b, %c transpose_b {alpha = 2.0 : "
                         "f32, beta = 0.5 : f32} : " +
                         types)
                            .str()),
            2 * 512 * 10 + 3 * 10);
  // Without c.
  EXPECT_EQ(flops(args, "%0 = nn.gemm %a, %b transpose_b : (tensor<1x512xf32>, "
                        "tensor<10x512xf32>) -> tensor<1x10xf32>"),
            2 * 512 * 10);
  // K is the first dimension of a transposed a.
  EXPECT_EQ(flops("%a: tensor<512x1xf32>, %b: tensor<512x10xf32>",
                  "%0 = nn.gemm %a, %b transpose_a : (tensor<512x1xf32>, "
                  "tensor<512x10xf32>) -> tensor<1x10xf32>"),
            2 * 512 * 10);
}

TEST_F(NNFlopsTest, Conv2d) {
  // 2 * N * F * OH * OW * C * KH * KW, plus the bias.
  EXPECT_EQ(flops("%x: tensor<1x3x16x16xf32>, %w: tensor<8x3x3x3xf32>, "
                  "%b: tensor<8xf32>",
                  "%0 = nn.conv2d %x, %w, %b strides [1, 1] pads [1, 1, 1, 1] "
                  "dilations [1, 1] groups 1 : (tensor<1x3x16x16xf32>, "
                  "tensor<8x3x3x3xf32>, tensor<8xf32>) -> "
                  "tensor<1x8x16x16xf32>"),
            2 * 1 * 8 * 16 * 16 * 3 * 3 * 3 + 8 * 16 * 16);
  // Strided, batched, no bias.
  EXPECT_EQ(flops("%x: tensor<2x3x16x16xf32>, %w: tensor<4x3x3x3xf32>",
                  "%0 = nn.conv2d %x, %w strides [2, 2] pads [1, 1, 1, 1] "
                  "dilations [1, 1] groups 1 : (tensor<2x3x16x16xf32>, "
                  "tensor<4x3x3x3xf32>) -> tensor<2x4x8x8xf32>"),
            2 * 2 * 4 * 8 * 8 * 3 * 3 * 3);
  // Depthwise: C / groups = 1.
  EXPECT_EQ(flops("%x: tensor<1x8x8x8xf32>, %w: tensor<8x1x3x3xf32>",
                  "%0 = nn.conv2d %x, %w strides [1, 1] pads [1, 1, 1, 1] "
                  "dilations [1, 1] groups 8 : (tensor<1x8x8x8xf32>, "
                  "tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32>"),
            2 * 8 * 8 * 8 * 1 * 3 * 3);
}

TEST_F(NNFlopsTest, Elementwise) {
  EXPECT_EQ(flops("%a: tensor<2x3xf32>, %b: tensor<3xf32>",
                  "%0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> "
                  "tensor<2x3xf32>"),
            6);
  EXPECT_EQ(flops("%a: tensor<4x1xf32>, %b: tensor<1x5xf32>",
                  "%0 = nn.div %a, %b : (tensor<4x1xf32>, tensor<1x5xf32>) -> "
                  "tensor<4x5xf32>"),
            20);
  EXPECT_EQ(flops("%x: tensor<4x4xf32>", "%0 = nn.relu %x : tensor<4x4xf32>"),
            16);
  EXPECT_EQ(flops("%x: tensor<4x4xf32>", "%0 = nn.tanh %x : tensor<4x4xf32>"),
            16);
  EXPECT_EQ(flops("%x: tensor<4x4xf32>",
                  "%0 = nn.clip %x min 0.0 max 6.0 : tensor<4x4xf32>"),
            16);
  EXPECT_EQ(flops("%x: tensor<1x8x16x16xf32>, %s: tensor<8xf32>",
                  "%0 = nn.batch_norm %x, %s, %s, %s, %s : "
                  "(tensor<1x8x16x16xf32>, tensor<8xf32>, tensor<8xf32>, "
                  "tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x16x16xf32>"),
            2 * 8 * 16 * 16);
}

TEST_F(NNFlopsTest, Pools) {
  // Kernel size per output element.
  EXPECT_EQ(flops("%x: tensor<1x8x16x16xf32>",
                  "%0 = nn.maxpool %x kernel [2, 2] strides [2, 2] pads [0, "
                  "0, 0, 0] dilations [1, 1] : tensor<1x8x16x16xf32> -> "
                  "tensor<1x8x8x8xf32>"),
            8 * 8 * 8 * 4);
  EXPECT_EQ(flops("%x: tensor<1x2x4x4xf32>",
                  "%0 = nn.avgpool %x kernel [3, 3] strides [1, 1] pads [1, "
                  "1, 1, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>"),
            2 * 4 * 4 * 9);
  // One add per input element.
  EXPECT_EQ(flops("%x: tensor<1x2048x7x7xf32>",
                  "%0 = nn.global_avgpool %x : tensor<1x2048x7x7xf32> -> "
                  "tensor<1x2048x1x1xf32>"),
            2048 * 7 * 7);
}

TEST_F(NNFlopsTest, Reductions) {
  EXPECT_EQ(flops("%x: tensor<2x3x4xf32>",
                  "%0 = nn.reduce sum %x axes [1] : tensor<2x3x4xf32> -> "
                  "tensor<2x4xf32>"),
            24);
  EXPECT_EQ(flops("%x: tensor<2x10xf32>",
                  "%0 = nn.softmax %x axis -1 : tensor<2x10xf32>"),
            5 * 20);
  EXPECT_EQ(flops("%x: tensor<2x8x16xf32>, %g: tensor<16xf32>",
                  "%0 = nn.layer_norm %x, %g, %g axis -1 : "
                  "(tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> "
                  "tensor<2x8x16xf32>"),
            7 * 2 * 8 * 16);
  EXPECT_EQ(flops("%x: tensor<2x8x16xf32>, %g: tensor<16xf32>",
                  "%0 = nn.layer_norm %x, %g axis -1 : (tensor<2x8x16xf32>, "
                  "tensor<16xf32>) -> tensor<2x8x16xf32>"),
            6 * 2 * 8 * 16);
}

TEST_F(NNFlopsTest, ElementwiseIndexingOps) {
  EXPECT_EQ(flops("%x: tensor<4x4xf32>", "%0 = nn.log %x : tensor<4x4xf32>"),
            16);
  EXPECT_EQ(flops("%x: tensor<4x4xi32>", "%0 = nn.abs %x : tensor<4x4xi32>"),
            16);
  EXPECT_EQ(flops("%a: tensor<2x3xf32>, %b: tensor<3xf32>",
                  "%0 = nn.compare lt %a, %b : (tensor<2x3xf32>, "
                  "tensor<3xf32>) -> tensor<2x3xi1>"),
            6);
  EXPECT_EQ(flops("%c: tensor<2x3xi1>, %a: tensor<2x3xf32>, %b: tensor<f32>",
                  "%0 = nn.select %c, %a, %b : (tensor<2x3xi1>, "
                  "tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>"),
            6);
  EXPECT_EQ(flops("%x: tensor<5xf32>",
                  "%0 = nn.cumsum %x axis 0 exclusive : tensor<5xf32>"),
            5);
}

TEST_F(NNFlopsTest, SelectionsCountTheirInput) {
  EXPECT_EQ(flops("%x: tensor<2x5xf32>",
                  "%0 = nn.argmax %x axis 1 keepdims : tensor<2x5xf32> -> "
                  "tensor<2x1xi64>"),
            10);
  EXPECT_EQ(flops("%x: tensor<3x4xf32>",
                  "%0, %1 = nn.topk %x k 3 axis -1 largest : tensor<3x4xf32> "
                  "-> (tensor<3x3xf32>, tensor<3x3xi64>)"),
            12);
}

TEST_F(NNFlopsTest, Resize) {
  // Bilinear: 3 lerps of 3 FLOPs per output element.
  EXPECT_EQ(flops("%x: tensor<1x1x4x4xf32>",
                  "%0 = nn.resize %x sizes [1, 1, 8, 8] scales [1.0, 1.0, "
                  "2.0, 2.0] mode linear coordinate_mode half_pixel "
                  "nearest_mode round_prefer_floor : tensor<1x1x4x4xf32> -> "
                  "tensor<1x1x8x8xf32>"),
            9 * 64);
  // Linear along one axis: one lerp.
  EXPECT_EQ(flops("%x: tensor<1x1x4x4xf32>",
                  "%0 = nn.resize %x sizes [1, 1, 4, 8] scales [1.0, 1.0, "
                  "1.0, 2.0] mode linear coordinate_mode half_pixel "
                  "nearest_mode round_prefer_floor : tensor<1x1x4x4xf32> -> "
                  "tensor<1x1x4x8xf32>"),
            3 * 32);
  EXPECT_EQ(flops("%x: tensor<1x1x4x4xf32>",
                  "%0 = nn.resize %x sizes [1, 1, 8, 8] scales [1.0, 1.0, "
                  "2.0, 2.0] mode nearest coordinate_mode asymmetric "
                  "nearest_mode floor : tensor<1x1x4x4xf32> -> "
                  "tensor<1x1x8x8xf32>"),
            0);
}

TEST_F(NNFlopsTest, ScattersCountTheirReducedUpdates) {
  // One combine per update element with a reduction; plain writes are free.
  EXPECT_EQ(flops("%d: tensor<3x4xf32>, %i: tensor<3x2xi64>, "
                  "%u: tensor<3x2xf32>",
                  "%0 = nn.scatter_elements %d, %i, %u axis 1 reduction add : "
                  "(tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> "
                  "tensor<3x4xf32>"),
            6);
  EXPECT_EQ(flops("%d: tensor<4x3xf32>, %i: tensor<2x1xi64>, "
                  "%u: tensor<2x3xf32>",
                  "%0 = nn.scatter_nd %d, %i, %u reduction max : "
                  "(tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> "
                  "tensor<4x3xf32>"),
            6);
  EXPECT_EQ(flops("%d: tensor<4x3xf32>, %i: tensor<2x1xi64>, "
                  "%u: tensor<2x3xf32>",
                  "%0 = nn.scatter_nd %d, %i, %u reduction none : "
                  "(tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> "
                  "tensor<4x3xf32>"),
            0);
}

TEST_F(NNFlopsTest, DataMovementIsFree) {
  EXPECT_EQ(flops("%x: tensor<2x3xf32>",
                  "%0 = nn.cast %x : tensor<2x3xf32> -> tensor<2x3xi64>"),
            0);
  EXPECT_EQ(flops("%d: tensor<3x4xf32>, %i: tensor<3x2xi64>",
                  "%0 = nn.gather_elements %d, %i axis 1 : (tensor<3x4xf32>, "
                  "tensor<3x2xi64>) -> tensor<3x2xf32>"),
            0);
  EXPECT_EQ(flops("%d: tensor<3x4xf32>, %i: tensor<2x1xi64>",
                  "%0 = nn.gather_nd %d, %i batch_dims 0 : (tensor<3x4xf32>, "
                  "tensor<2x1xi64>) -> tensor<2x4xf32>"),
            0);
  EXPECT_EQ(flops("%x: tensor<4x4xf32>",
                  "%0 = nn.reshape %x [8, 2] : tensor<4x4xf32> -> "
                  "tensor<8x2xf32>"),
            0);
  EXPECT_EQ(flops("%x: tensor<4x8xf32>",
                  "%0 = nn.transpose %x [1, 0] : tensor<4x8xf32> -> "
                  "tensor<8x4xf32>"),
            0);
  EXPECT_EQ(flops("", "%0 = nn.constant dense<1.0> : tensor<4xf32>"), 0);
  // Ops of other dialects count 0 (here the func.return).
  EXPECT_EQ(flops("", ""), 0);
}

TEST_F(NNFlopsTest, TotalOfAFunction) {
  // The e2e mlp's first layer: matmul, bias add, relu.
  module = parseSourceString<ModuleOp>(
      "func.func @f(%x: tensor<4x16xf32>, %w: tensor<16x32xf32>, "
      "%b: tensor<32xf32>) -> tensor<4x32xf32> {\n"
      "  %0 = nn.matmul %x, %w : (tensor<4x16xf32>, tensor<16x32xf32>) -> "
      "tensor<4x32xf32>\n"
      "  %1 = nn.add %0, %b : (tensor<4x32xf32>, tensor<32xf32>) -> "
      "tensor<4x32xf32>\n"
      "  %2 = nn.relu %1 : tensor<4x32xf32>\n"
      "  return %2 : tensor<4x32xf32>\n"
      "}",
      &ctx);
  ASSERT_TRUE(module);
  EXPECT_EQ(estimateTotalFlops(*module), 2 * 16 * 4 * 32 + 128 + 128);
}

} // namespace
