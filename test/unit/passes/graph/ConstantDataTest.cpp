//===- ConstantDataTest.cpp - Tests of the graph folding helpers ----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file tests the numeric helpers of passes/graph/ConstantData.h: the
// BatchNormalization scale and shift, per-channel scaling, transposes,
// slices and broadcasts of constant data, and reading and writing dense and
// dense_resource attributes.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/ConstantData.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace lathe::graph;

namespace {

TEST(BatchNormFold, ScaleIsGammaOverStandardDeviation) {
  std::vector<double> scale =
      batchNormScale({4.0, 1.0, 0.5}, {3.0, 0.0, 0.25}, 1.0);
  ASSERT_EQ(scale.size(), 3u);
  EXPECT_DOUBLE_EQ(scale[0], 2.0);
  EXPECT_DOUBLE_EQ(scale[1], 1.0);
  EXPECT_DOUBLE_EQ(scale[2], 0.5 / std::sqrt(1.25));
}

TEST(BatchNormFold, ShiftWithAndWithoutBias) {
  std::vector<double> withBias =
      batchNormShift({1.0, 1.0}, {0.5, 1.0}, {2.0, 1.0}, {0.0, 3.0});
  EXPECT_DOUBLE_EQ(withBias[0], 1.0);
  EXPECT_DOUBLE_EQ(withBias[1], 3.0);
  std::vector<double> noBias =
      batchNormShift({}, {0.5, 1.0}, {2.0, 1.0}, {0.0, 3.0});
  EXPECT_DOUBLE_EQ(noBias[0], -1.0);
  EXPECT_DOUBLE_EQ(noBias[1], 2.0);
}

TEST(BatchNormFold, ScalesTheMiddleDimension) {
  // [outer = 2, channels = 2, inner = 2].
  std::vector<double> w = {1, 1, 1, 1, 2, 2, 2, 2};
  scaleChannels(w, {10.0, 100.0}, 2);
  std::vector<double> expected = {10, 10, 100, 100, 20, 20, 200, 200};
  EXPECT_EQ(w, expected);
}

TEST(BatchNormFold, FoldedConvMatchesConvThenBatchNorm) {
  // A 1x1 conv per channel, y = w * x + b, then batch_norm, against the
  // folded w' * x + b' at a few inputs, in double precision.
  std::vector<double> w = {0.3, -1.7}, b = {0.25, -2.0};
  std::vector<double> gamma = {1.5, 0.2}, beta = {-0.1, 0.7};
  std::vector<double> mean = {0.4, -3.0}, var = {2.0, 0.01};
  double eps = 1e-5;
  std::vector<double> scale = batchNormScale(gamma, var, eps);
  std::vector<double> shift = batchNormShift(b, mean, scale, beta);
  std::vector<double> folded = w;
  scaleChannels(folded, scale, 1);
  for (double x : {-2.0, 0.0, 0.5, 3.0})
    for (int c = 0; c < 2; ++c) {
      double ref =
          gamma[c] * (w[c] * x + b[c] - mean[c]) / std::sqrt(var[c] + eps) +
          beta[c];
      EXPECT_NEAR(folded[c] * x + shift[c], ref, 1e-12);
    }
}

TEST(ConstantData, TransposeBytes) {
  // [[1, 2, 3], [4, 5, 6]] -> [[1, 4], [2, 5], [3, 6]], 4-byte elements.
  std::vector<int32_t> in = {1, 2, 3, 4, 5, 6};
  ArrayRef<char> bytes(reinterpret_cast<const char *>(in.data()),
                       in.size() * sizeof(int32_t));
  std::vector<char> out = transposeBytes(bytes, {2, 3}, {1, 0}, 4);
  std::vector<int32_t> got(6);
  std::memcpy(got.data(), out.data(), out.size());
  EXPECT_EQ(got, (std::vector<int32_t>{1, 4, 2, 5, 3, 6}));
}

TEST(ConstantData, SliceBytesWithNegativeStep) {
  std::vector<int64_t> in = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  ArrayRef<char> bytes(reinterpret_cast<const char *>(in.data()),
                       in.size() * sizeof(int64_t));
  // [3, 3] -> rows 2, 0 (step -2), columns 1..2.
  std::vector<char> out = sliceBytes(bytes, {3, 3}, {2, 1}, {-2, 1}, {2, 2}, 8);
  std::vector<int64_t> got(4);
  std::memcpy(got.data(), out.data(), out.size());
  EXPECT_EQ(got, (std::vector<int64_t>{7, 8, 1, 2}));
}

TEST(ConstantData, GatherBytes) {
  std::vector<int16_t> in = {0, 1, 2, 3, 4, 5};
  ArrayRef<char> bytes(reinterpret_cast<const char *>(in.data()),
                       in.size() * sizeof(int16_t));
  // [2, 3] along axis 1 at [2, -3, 2].
  FailureOr<std::vector<char>> out =
      gatherBytes(bytes, {2, 3}, 1, {2, -3, 2}, 2);
  ASSERT_TRUE(succeeded(out));
  std::vector<int16_t> got(6);
  std::memcpy(got.data(), out->data(), out->size());
  EXPECT_EQ(got, (std::vector<int16_t>{2, 0, 2, 5, 3, 5}));
  EXPECT_TRUE(failed(gatherBytes(bytes, {2, 3}, 0, {2}, 2)));
}

TEST(ConstantData, BroadcastTo) {
  EXPECT_EQ(broadcastTo({1, 2}, {2}, {2, 2}),
            (std::vector<double>{1, 2, 1, 2}));
  EXPECT_EQ(broadcastTo({1, 2}, {2, 1}, {2, 3}),
            (std::vector<double>{1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(broadcastTo({5}, {}, {3}), (std::vector<double>{5, 5, 5}));
}

TEST(ConstantData, ResourceRoundTrip) {
  MLIRContext ctx;
  auto type = RankedTensorType::get({2, 2}, Float32Type::get(&ctx));
  ElementsAttr attr =
      makeFloatElements(type, {1.0, -2.5, 3.25, 1e-3}, true, "w_bn");
  ASSERT_TRUE(isa<DenseResourceElementsAttr>(attr));
  EXPECT_EQ(resourceName(attr), "w_bn");
  FailureOr<std::vector<double>> values = readFloats(attr);
  ASSERT_TRUE(succeeded(values));
  EXPECT_EQ((*values)[1], -2.5);
  EXPECT_EQ((*values)[3], static_cast<double>(1e-3f));
  // A second blob of the same name gets a unique one.
  ElementsAttr again = makeFloatElements(type, {0, 0, 0, 0}, true, "w_bn");
  EXPECT_NE(resourceName(again), "w_bn");
}

TEST(ConstantData, DenseSplatExpands) {
  MLIRContext ctx;
  auto type = RankedTensorType::get({3}, Float32Type::get(&ctx));
  auto splat = cast<ElementsAttr>(DenseElementsAttr::get(type, 0.5f));
  FailureOr<std::vector<double>> values = readFloats(splat);
  ASSERT_TRUE(succeeded(values));
  EXPECT_EQ(*values, (std::vector<double>{0.5, 0.5, 0.5}));
  ElementsAttr dense = makeFloatElements(type, {1, 2, 3}, false, "");
  EXPECT_TRUE(isa<DenseElementsAttr>(dense));
  EXPECT_EQ(resourceName(dense), "");
}

TEST(ConstantData, IntegersSignExtendAndWrap) {
  MLIRContext ctx;
  auto type = RankedTensorType::get({3}, IntegerType::get(&ctx, 32));
  ElementsAttr attr =
      makeIntElements(type, {-1, int64_t(1) << 32 | 7, 5}, false, "");
  FailureOr<std::vector<int64_t>> values = readInts(attr);
  ASSERT_TRUE(succeeded(values));
  // 2^32 + 7 wraps to 7 in 32 bits; -1 reads back sign-extended.
  EXPECT_EQ(*values, (std::vector<int64_t>{-1, 7, 5}));
  EXPECT_TRUE(failed(readFloats(attr)));
}

} // namespace
