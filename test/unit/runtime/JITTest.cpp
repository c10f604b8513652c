//===- JITTest.cpp - Numerics of the JIT against reference loops ----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Compiles small nn functions through the whole CPU pipeline and checks
// their results against straightforward reference loops, op by op, including
// the corner cases of each lowering (broadcasts, padding, groups, ceil mode,
// negative steps and indices). End-to-end checks against ONNX Runtime are in
// test/e2e.
//
//===----------------------------------------------------------------------===//

#include "runtime/JIT.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>

using namespace lathe;

namespace {

/// Deterministic pseudo-random floats in [-1, 1).
std::vector<float> randomData(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(gen);
  return v;
}

/// Compiles `source`, runs @main on `inputs` and returns its outputs.
std::vector<std::vector<float>> runModel(const std::string &source,
                                         std::vector<std::vector<float>> inputs,
                                         const JITOptions &options = {}) {
  auto model = JITModel::compileSource(source, "main", "<source>", options);
  if (!model) {
    ADD_FAILURE() << llvm::toString(model.takeError());
    return {};
  }
  std::vector<const void *> in;
  for (auto [i, v] : llvm::enumerate(inputs)) {
    EXPECT_EQ((*model)->inputs()[i].numBytes(), v.size() * sizeof(float));
    in.push_back(v.data());
  }
  std::vector<std::vector<float>> outputs;
  for (const TensorSpec &spec : (*model)->outputs())
    outputs.emplace_back(spec.numElements(), NAN);
  std::vector<void *> out;
  for (auto &v : outputs)
    out.push_back(v.data());
  if (llvm::Error err = (*model)->run(in, out))
    ADD_FAILURE() << llvm::toString(std::move(err));
  return outputs;
}

void expectNear(const std::vector<float> &actual,
                const std::vector<float> &expected, float tol = 1e-5f) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i], tol * (1 + std::fabs(expected[i])))
        << "at element " << i;
}

TEST(JITTest, ReportsSpecsWithNames) {
  auto model = JITModel::compileSource(R"mlir(
    func.func @main(%x: tensor<2x3xf32> {nn.name = "input"}) -> (tensor<2x3xf32> {nn.name = "output"}) {
      %0 = nn.relu %x : tensor<2x3xf32>
      return %0 : tensor<2x3xf32>
    })mlir");
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  ASSERT_EQ((*model)->inputs().size(), 1u);
  EXPECT_EQ((*model)->inputs()[0].name, "input");
  EXPECT_EQ((*model)->inputs()[0].numBytes(), 24u);
  EXPECT_EQ((*model)->outputs()[0].name, "output");
  EXPECT_EQ((*model)->outputs()[0].dtype, DType::f32);
}

TEST(JITTest, ErrorsAreValues) {
  auto parse = JITModel::compileSource("func.func @main(", "main", "bad.mlir");
  ASSERT_FALSE(bool(parse));
  std::string message = llvm::toString(parse.takeError());
  EXPECT_NE(message.find("cannot parse bad.mlir"), std::string::npos) << message;

  auto missing = JITModel::compileSource(
      "func.func @f() { return }", "main");
  ASSERT_FALSE(bool(missing));
  EXPECT_EQ(llvm::toString(missing.takeError()), "no function @main in the module");

  auto model = JITModel::compileSource(R"mlir(
    func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
      %0 = nn.exp %x : tensor<4xf32>
      return %0 : tensor<4xf32>
    })mlir");
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  llvm::Error err = (*model)->run({}, {});
  EXPECT_EQ(llvm::toString(std::move(err)),
            "@main takes 1 inputs and 1 outputs, got 0 and 0");
}

TEST(JITTest, MatmulBiasReluWithBroadcast) {
  auto x = randomData(2 * 4, 1), w = randomData(4 * 3, 2), b = randomData(3, 3);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
      %0 = nn.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
      %1 = nn.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      %2 = nn.relu %1 : tensor<2x3xf32>
      return %2 : tensor<2x3xf32>
    })mlir", {x, w, b});
  std::vector<float> ref(6);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      float acc = b[j];
      for (int k = 0; k < 4; ++k)
        acc += x[i * 4 + k] * w[k * 3 + j];
      ref[i * 3 + j] = std::max(acc, 0.0f);
    }
  ASSERT_EQ(out.size(), 1u);
  expectNear(out[0], ref);
}

/// Reference matmul of row-major [m, k] x [k, n].
std::vector<float> refMatmul(const std::vector<float> &a,
                             const std::vector<float> &b, int64_t m, int64_t n,
                             int64_t k) {
  std::vector<float> c(m * n, 0.0f);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j)
        c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

std::string matmulModel(int64_t m, int64_t n, int64_t k,
                        const std::string &config = "") {
  auto t = [](int64_t r, int64_t c) {
    return "tensor<" + std::to_string(r) + "x" + std::to_string(c) + "xf32>";
  };
  std::string attr = config.empty() ? "" : " {sched.config = " + config + "}";
  return "func.func @main(%a: " + t(m, k) + ", %b: " + t(k, n) + ") -> " +
         t(m, n) + " {\n  %0 = nn.matmul %a, %b" + attr + " : (" + t(m, k) +
         ", " + t(k, n) + ") -> " + t(m, n) + "\n  return %0 : " + t(m, n) +
         "\n}\n";
}

TEST(JITTest, ScheduledMatmulsMatchReference) {
  // Shapes the default schedule tiles and vectorizes (sizes that the
  // register tile divides, K prime or smaller than a cache tile), and
  // explicit configs: a small register tile, cache tiles that leave
  // partial k blocks untouched by divisibility, no cache level at all.
  struct Case {
    int64_t m, n, k;
    std::string config;
  };
  std::vector<Case> cases = {
      {64, 96, 40, ""},
      {16, 32, 17, ""},
      {128, 64, 256, ""},
      {24, 32, 12,
       "#sched.config<tiles = {register = [2, 16, 1]}, vector = [2, 16, 1]>"},
      {32, 64, 48,
       "#sched.config<tiles = {l2 = [16, 32, 24], register = [4, 16, 1]}, "
       "vector = [4, 16, 1], interchange = [1, 0, 2]>"},
      {8, 16, 5,
       "#sched.config<tiles = {register = [8, 16, 1]}, vector = [8, 16, 1]>"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(matmulModel(c.m, c.n, c.k, c.config));
    auto a = randomData(c.m * c.k, 31), b = randomData(c.k * c.n, 32);
    auto out = runModel(matmulModel(c.m, c.n, c.k, c.config), {a, b});
    ASSERT_EQ(out.size(), 1u);
    expectNear(out[0], refMatmul(a, b, c.m, c.n, c.k), 1e-4f);
  }
}

TEST(JITTest, ThreadedMatmulsMatchReference) {
  // Thread tiles (an scf.forall over the parallel loops, lowered to OpenMP)
  // on 1, 2 and the runtime's choice of threads: over n alone, over m and n,
  // with sequential outer tiles of a non-parallel loop, with more tiles
  // than threads and not a multiple of them (96 rows in tiles of 32), and
  // parallel loops without outer tiles (the l2 tiles go to threads).
  struct Case {
    int64_t m, n, k;
    std::string config;
  };
  std::vector<Case> cases = {
      {64, 128, 48,
       "#sched.config<tiles = {outer = [0, 64, 0], l2 = [32, 64, 16], "
       "register = [4, 16, 1]}, vector = [4, 16, 1], parallel = [1], "
       "interchange = [1, 0, 2]>"},
      {64, 64, 32,
       "#sched.config<tiles = {outer = [32, 32, 0], register = [4, 16, 1]}, "
       "vector = [4, 16, 1], parallel = [0, 1]>"},
      {64, 64, 32,
       "#sched.config<tiles = {outer = [32, 32, 16], register = [4, 16, 1]}, "
       "vector = [4, 16, 1], parallel = [1]>"},
      {96, 32, 8,
       "#sched.config<tiles = {outer = [32, 0, 0], register = [4, 16, 1]}, "
       "vector = [4, 16, 1], parallel = [0]>"},
      {32, 64, 16,
       "#sched.config<tiles = {l2 = [16, 32, 16], register = [4, 16, 1]}, "
       "vector = [4, 16, 1], parallel = [1]>"},
  };
  for (unsigned threads : {1u, 2u, 0u})
    for (const Case &c : cases) {
      SCOPED_TRACE("threads " + std::to_string(threads) + "\n" +
                   matmulModel(c.m, c.n, c.k, c.config));
      auto a = randomData(c.m * c.k, 61), b = randomData(c.k * c.n, 62);
      JITOptions options;
      options.threads = threads;
      auto out = runModel(matmulModel(c.m, c.n, c.k, c.config), {a, b},
                          options);
      ASSERT_EQ(out.size(), 1u);
      expectNear(out[0], refMatmul(a, b, c.m, c.n, c.k), 1e-4f);
    }
}

TEST(JITTest, ScheduledLinearLayers) {
  // A sequence through a linear layer ([2, 16, 32] x [32, 64]: one
  // [32, 32] x [32, 64] product) and a Linear as Gemm with a constant
  // transposed weight (transposed at compile time); both scheduled.
  auto x = randomData(2 * 16 * 32, 51), w = randomData(32 * 64, 52);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<2x16x32xf32>, %w: tensor<32x64xf32>) -> tensor<2x16x64xf32> {
      %0 = nn.matmul %x, %w : (tensor<2x16x32xf32>, tensor<32x64xf32>) -> tensor<2x16x64xf32>
      return %0 : tensor<2x16x64xf32>
    })mlir", {x, w});
  expectNear(out[0], refMatmul(x, w, 32, 64, 32), 1e-4f);

  auto a = randomData(8 * 16, 53);
  auto gemm = runModel(R"mlir(
    func.func @main(%a: tensor<8x16xf32>) -> tensor<8x32xf32> {
      %w = nn.constant dense<0.5> : tensor<32x16xf32>
      %b = nn.constant dense<0.25> : tensor<32xf32>
      %0 = nn.gemm %a, %w, %b transpose_b : (tensor<8x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<8x32xf32>
      return %0 : tensor<8x32xf32>
    })mlir", {a});
  std::vector<float> expected(8 * 32);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 32; ++j) {
      float acc = 0.25f;
      for (int k = 0; k < 16; ++k)
        acc += a[i * 16 + k] * 0.5f;
      expected[i * 32 + j] = acc;
    }
  expectNear(gemm[0], expected, 1e-4f);
}

TEST(JITTest, ScheduledBatchedMatmul) {
  // Attention's per-head products: [2, 3, 16, 8] x [2, 3, 8, 32], the same
  // batch on both sides, one scheduled batch_matmul over 6 batches.
  auto a = randomData(6 * 16 * 8, 61), b = randomData(6 * 8 * 32, 62);
  auto out = runModel(R"mlir(
    func.func @main(%a: tensor<2x3x16x8xf32>, %b: tensor<2x3x8x32xf32>) -> tensor<2x3x16x32xf32> {
      %0 = nn.matmul %a, %b : (tensor<2x3x16x8xf32>, tensor<2x3x8x32xf32>) -> tensor<2x3x16x32xf32>
      return %0 : tensor<2x3x16x32xf32>
    })mlir", {a, b});
  std::vector<float> expected;
  for (int batch = 0; batch < 6; ++batch) {
    std::vector<float> ab(a.begin() + batch * 128, a.begin() + (batch + 1) * 128);
    std::vector<float> bb(b.begin() + batch * 256, b.begin() + (batch + 1) * 256);
    std::vector<float> c = refMatmul(ab, bb, 16, 32, 8);
    expected.insert(expected.end(), c.begin(), c.end());
  }
  expectNear(out[0], expected, 1e-4f);
}

TEST(JITTest, BlockedTransposeMatchesReference) {
  // Large enough (2 MB) for the default schedule to copy it in blocks:
  // NHWC [1, 64, 64, 128] to NCHW [1, 128, 64, 64].
  const int h = 64, w = 64, c = 128;
  auto x = randomData(h * w * c, 71);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<1x64x64x128xf32>) -> tensor<1x128x64x64xf32> {
      %0 = nn.transpose %x [0, 3, 1, 2] : tensor<1x64x64x128xf32> -> tensor<1x128x64x64xf32>
      return %0 : tensor<1x128x64x64xf32>
    })mlir", {x});
  std::vector<float> expected(h * w * c);
  for (int i = 0; i < h; ++i)
    for (int j = 0; j < w; ++j)
      for (int k = 0; k < c; ++k)
        expected[(k * h + i) * w + j] = x[(i * w + j) * c + k];
  ASSERT_EQ(out[0], expected);
}

TEST(JITTest, ScheduledMatmulWithEpilogue) {
  // The kernel of an MLP layer: the matmul scheduled, bias and relu after.
  int64_t m = 32, n = 64, k = 48;
  auto a = randomData(m * k, 33), b = randomData(k * n, 34),
       bias = randomData(n, 35);
  auto out = runModel(R"mlir(
    func.func @main(%a: tensor<32x48xf32>, %b: tensor<48x64xf32>, %bias: tensor<64xf32>) -> tensor<32x64xf32> {
      %0 = nn.matmul %a, %b : (tensor<32x48xf32>, tensor<48x64xf32>) -> tensor<32x64xf32>
      %1 = nn.add %0, %bias : (tensor<32x64xf32>, tensor<64xf32>) -> tensor<32x64xf32>
      %2 = nn.relu %1 : tensor<32x64xf32>
      return %2 : tensor<32x64xf32>
    })mlir", {a, b, bias});
  std::vector<float> expected = refMatmul(a, b, m, n, k);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      expected[i * n + j] = std::max(0.0f, expected[i * n + j] + bias[j]);
  expectNear(out[0], expected, 1e-4f);
}

TEST(JITTest, BatchedMatmulBroadcastsBatch) {
  auto a = randomData(1 * 3 * 4, 4), b = randomData(2 * 4 * 5, 5);
  auto out = runModel(R"mlir(
    func.func @main(%a: tensor<1x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
      %0 = nn.matmul %a, %b : (tensor<1x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
      return %0 : tensor<2x3x5xf32>
    })mlir", {a, b});
  std::vector<float> ref(2 * 3 * 5, 0);
  for (int n = 0; n < 2; ++n)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j)
        for (int k = 0; k < 4; ++k)
          ref[(n * 3 + i) * 5 + j] += a[i * 4 + k] * b[(n * 4 + k) * 5 + j];
  expectNear(out[0], ref);
}

TEST(JITTest, GemmTransposedWithAlphaBeta) {
  auto a = randomData(3 * 2, 6), b = randomData(4 * 3, 7), c = randomData(4, 8);
  auto out = runModel(R"mlir(
    func.func @main(%a: tensor<3x2xf32>, %b: tensor<4x3xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
      %0 = nn.gemm %a, %b, %c transpose_a transpose_b {alpha = 0.5 : f32, beta = 2.0 : f32}
          : (tensor<3x2xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
      return %0 : tensor<2x4xf32>
    })mlir", {a, b, c});
  std::vector<float> ref(8);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) {
      float acc = 0;
      for (int k = 0; k < 3; ++k)
        acc += a[k * 2 + i] * b[j * 3 + k];
      ref[i * 4 + j] = 0.5f * acc + 2.0f * c[j];
    }
  expectNear(out[0], ref);
}

/// Reference NCHW convolution with zero padding.
std::vector<float> refConv(const std::vector<float> &x, const std::vector<float> &w,
                           const std::vector<float> *bias, int n, int c, int h,
                           int wd, int f, int kh, int kw, int stride, int pad,
                           int dil, int groups, int oh, int ow) {
  std::vector<float> y(n * f * oh * ow);
  int cg = c / groups, fg = f / groups;
  for (int b = 0; b < n; ++b)
    for (int o = 0; o < f; ++o)
      for (int i = 0; i < oh; ++i)
        for (int j = 0; j < ow; ++j) {
          float acc = bias ? (*bias)[o] : 0.0f;
          int g = o / fg;
          for (int ci = 0; ci < cg; ++ci)
            for (int p = 0; p < kh; ++p)
              for (int q = 0; q < kw; ++q) {
                int yy = i * stride - pad + p * dil, xx = j * stride - pad + q * dil;
                if (yy < 0 || yy >= h || xx < 0 || xx >= wd)
                  continue;
                acc += x[((b * c + g * cg + ci) * h + yy) * wd + xx] *
                       w[((o * cg + ci) * kh + p) * kw + q];
              }
          y[((b * f + o) * oh + i) * ow + j] = acc;
        }
  return y;
}

TEST(JITTest, Conv2dStridedPaddedWithBias) {
  auto x = randomData(1 * 3 * 7 * 7, 9), w = randomData(4 * 3 * 3 * 3, 10),
       b = randomData(4, 11);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<1x3x7x7xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
      %0 = nn.conv2d %x, %w, %b strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] groups 1
          : (tensor<1x3x7x7xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
      return %0 : tensor<1x4x4x4xf32>
    })mlir", {x, w, b});
  expectNear(out[0], refConv(x, w, &b, 1, 3, 7, 7, 4, 3, 3, 2, 1, 1, 1, 4, 4));
}

TEST(JITTest, Conv2dGroupedDepthwiseDilated) {
  auto x = randomData(1 * 4 * 6 * 6, 12), gw = randomData(6 * 2 * 3 * 3, 13),
       dw = randomData(4 * 1 * 3 * 3, 14);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<1x4x6x6xf32>, %gw: tensor<6x2x3x3xf32>, %dw: tensor<4x1x3x3xf32>)
        -> (tensor<1x6x6x6xf32>, tensor<1x4x2x2xf32>) {
      %0 = nn.conv2d %x, %gw strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 2
          : (tensor<1x4x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
      %1 = nn.conv2d %x, %dw strides [1, 1] pads [0, 0, 0, 0] dilations [2, 2] groups 4
          : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
      return %0, %1 : tensor<1x6x6x6xf32>, tensor<1x4x2x2xf32>
    })mlir", {x, gw, dw});
  expectNear(out[0], refConv(x, gw, nullptr, 1, 4, 6, 6, 6, 3, 3, 1, 1, 1, 2, 6, 6));
  expectNear(out[1], refConv(x, dw, nullptr, 1, 4, 6, 6, 4, 3, 3, 1, 0, 2, 4, 2, 2));
}

TEST(JITTest, Conv2dChannelsLastMatchesNCHW) {
  // The same convolutions as above in channels-last form (what
  // lathe-convert-conv-layout makes): NHWC data, HWCF weights, compared
  // with the NCHW reference after transposing back.
  auto x = randomData(1 * 3 * 7 * 7, 9), w = randomData(4 * 3 * 3 * 3, 10),
       b = randomData(4, 11);
  auto dx = randomData(1 * 4 * 6 * 6, 12), dw = randomData(4 * 1 * 3 * 3, 14);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<1x3x7x7xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>,
                    %dx: tensor<1x4x6x6xf32>, %dw: tensor<4x1x3x3xf32>)
        -> (tensor<1x4x4x4xf32>, tensor<1x4x2x2xf32>) {
      %xt = nn.transpose %x [0, 2, 3, 1] : tensor<1x3x7x7xf32> -> tensor<1x7x7x3xf32>
      %wt = nn.transpose %w [2, 3, 1, 0] : tensor<4x3x3x3xf32> -> tensor<3x3x3x4xf32>
      %0 = nn.conv2d %xt, %wt, %b strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] groups 1 channels_last
          : (tensor<1x7x7x3xf32>, tensor<3x3x3x4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
      %1 = nn.transpose %0 [0, 3, 1, 2] : tensor<1x4x4x4xf32> -> tensor<1x4x4x4xf32>
      %dxt = nn.transpose %dx [0, 2, 3, 1] : tensor<1x4x6x6xf32> -> tensor<1x6x6x4xf32>
      %dwt = nn.transpose %dw [2, 3, 1, 0] : tensor<4x1x3x3xf32> -> tensor<3x3x1x4xf32>
      %2 = nn.conv2d %dxt, %dwt strides [1, 1] pads [0, 0, 0, 0] dilations [2, 2] groups 4 channels_last
          : (tensor<1x6x6x4xf32>, tensor<3x3x1x4xf32>) -> tensor<1x2x2x4xf32>
      %3 = nn.transpose %2 [0, 3, 1, 2] : tensor<1x2x2x4xf32> -> tensor<1x4x2x2xf32>
      return %1, %3 : tensor<1x4x4x4xf32>, tensor<1x4x2x2xf32>
    })mlir", {x, w, b, dx, dw});
  expectNear(out[0], refConv(x, w, &b, 1, 3, 7, 7, 4, 3, 3, 2, 1, 1, 1, 4, 4));
  expectNear(out[1], refConv(dx, dw, nullptr, 1, 4, 6, 6, 4, 3, 3, 1, 0, 2, 4, 2, 2));
}

TEST(JITTest, ScheduledConvolutionsMatchReference) {
  // Filters in multiples of the vector width: the CPU pipeline makes these
  // convolutions channels-last and gives them the default schedule
  // (register tiles of output pixels by filters, vector FMAs). 3x3 padded
  // with bias and relu, 3x3 with stride 2 (OW = 5, a prime tile), 1x1.
  auto x = randomData(1 * 8 * 10 * 10, 41), w3 = randomData(32 * 8 * 3 * 3, 42),
       w1 = randomData(64 * 32 * 1 * 1, 43), b = randomData(32, 44);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<1x8x10x10xf32>, %w3: tensor<32x8x3x3xf32>, %w1: tensor<64x32x1x1xf32>, %b: tensor<32xf32>)
        -> (tensor<1x32x10x10xf32>, tensor<1x32x5x5xf32>, tensor<1x64x10x10xf32>) {
      %0 = nn.conv2d %x, %w3, %b strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1
          : (tensor<1x8x10x10xf32>, tensor<32x8x3x3xf32>, tensor<32xf32>) -> tensor<1x32x10x10xf32>
      %1 = nn.relu %0 : tensor<1x32x10x10xf32>
      %2 = nn.conv2d %x, %w3 strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] groups 1
          : (tensor<1x8x10x10xf32>, tensor<32x8x3x3xf32>) -> tensor<1x32x5x5xf32>
      %3 = nn.conv2d %1, %w1 strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
          : (tensor<1x32x10x10xf32>, tensor<64x32x1x1xf32>) -> tensor<1x64x10x10xf32>
      return %1, %2, %3 : tensor<1x32x10x10xf32>, tensor<1x32x5x5xf32>, tensor<1x64x10x10xf32>
    })mlir", {x, w3, w1, b});
  ASSERT_EQ(out.size(), 3u);
  auto relu = refConv(x, w3, &b, 1, 8, 10, 10, 32, 3, 3, 1, 1, 1, 1, 10, 10);
  for (float &v : relu)
    v = std::max(0.0f, v);
  expectNear(out[0], relu, 1e-4f);
  expectNear(out[1], refConv(x, w3, nullptr, 1, 8, 10, 10, 32, 3, 3, 2, 1, 1, 1, 5, 5), 1e-4f);
  expectNear(out[2], refConv(relu, w1, nullptr, 1, 32, 10, 10, 64, 1, 1, 1, 0, 1, 1, 10, 10), 1e-4f);
}

TEST(JITTest, PoolingCeilModeAndCountIncludePad) {
  auto x = randomData(1 * 1 * 5 * 5, 15);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<1x1x5x5xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) {
      %0 = nn.maxpool %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] ceil_mode
          : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
      %1 = nn.avgpool %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1]
          : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
      %2 = nn.avgpool %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] count_include_pad
          : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
      return %0, %1, %2 : tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>
    })mlir", {x});
  std::vector<float> mx(9), avg(9), avgPad(9);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      float m = -INFINITY;
      for (int p = 0; p < 2; ++p)
        for (int q = 0; q < 2; ++q)
          if (2 * i + p < 5 && 2 * j + q < 5)
            m = std::max(m, x[(2 * i + p) * 5 + 2 * j + q]);
      mx[i * 3 + j] = m;
      float s = 0;
      int count = 0;
      for (int p = -1; p < 2; ++p)
        for (int q = -1; q < 2; ++q) {
          int yy = 2 * i + p, xx = 2 * j + q;
          if (yy >= 0 && yy < 5 && xx >= 0 && xx < 5) {
            s += x[yy * 5 + xx];
            ++count;
          }
        }
      avg[i * 3 + j] = s / count;
      avgPad[i * 3 + j] = s / 9;
    }
  expectNear(out[0], mx);
  expectNear(out[1], avg);
  expectNear(out[2], avgPad);
}

TEST(JITTest, SoftmaxLayerNormReduce) {
  auto x = randomData(2 * 8, 16), g = randomData(8, 17), b = randomData(8, 18);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<2x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>)
        -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x1xf32>) {
      %0 = nn.softmax %x axis -1 : tensor<2x8xf32>
      %1 = nn.layer_norm %x, %g, %b axis -1 {epsilon = 1.0e-5 : f32}
          : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
      %2 = nn.reduce mean %x axes [1] keepdims : tensor<2x8xf32> -> tensor<2x1xf32>
      return %0, %1, %2 : tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x1xf32>
    })mlir", {x, g, b});
  std::vector<float> sm(16), ln(16), mean(2);
  for (int r = 0; r < 2; ++r) {
    float mx = -INFINITY, sum = 0, mu = 0, var = 0;
    for (int i = 0; i < 8; ++i)
      mx = std::max(mx, x[r * 8 + i]);
    for (int i = 0; i < 8; ++i)
      sum += std::exp(x[r * 8 + i] - mx);
    for (int i = 0; i < 8; ++i)
      sm[r * 8 + i] = std::exp(x[r * 8 + i] - mx) / sum;
    for (int i = 0; i < 8; ++i)
      mu += x[r * 8 + i] / 8;
    for (int i = 0; i < 8; ++i)
      var += (x[r * 8 + i] - mu) * (x[r * 8 + i] - mu) / 8;
    for (int i = 0; i < 8; ++i)
      ln[r * 8 + i] = (x[r * 8 + i] - mu) / std::sqrt(var + 1e-5f) * g[i] + b[i];
    mean[r] = mu;
  }
  expectNear(out[0], sm);
  expectNear(out[1], ln, 1e-4f);
  expectNear(out[2], mean);
}

TEST(JITTest, UnaryMath) {
  auto x = randomData(16, 19);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) {
      %0 = nn.tanh %x : tensor<16xf32>
      %1 = nn.erf %x : tensor<16xf32>
      %2 = nn.sigmoid %x : tensor<16xf32>
      %3 = nn.clip %x min -0.5 max 0.25 : tensor<16xf32>
      return %0, %1, %2, %3 : tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
    })mlir", {x});
  std::vector<float> t(16), e(16), s(16), c(16);
  for (int i = 0; i < 16; ++i) {
    t[i] = std::tanh(x[i]);
    e[i] = std::erf(x[i]);
    s[i] = 1 / (1 + std::exp(-x[i]));
    c[i] = std::min(std::max(x[i], -0.5f), 0.25f);
  }
  expectNear(out[0], t);
  expectNear(out[1], e);
  expectNear(out[2], s);
  expectNear(out[3], c);
}

TEST(JITTest, DataMovement) {
  std::vector<float> x(12);
  for (int i = 0; i < 12; ++i)
    x[i] = i;
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<3x4xf32>)
        -> (tensor<4x3xf32>, tensor<3x8xf32>, tensor<3x2xf32>, tensor<5x4xf32>, tensor<3x6xf32>, tensor<2x4xf32>) {
      %ids = nn.constant dense<[-1, 0]> : tensor<2xi64>
      %0 = nn.transpose %x [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
      %1 = nn.concat %x, %x axis 1 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x8xf32>
      %2 = nn.slice %x starts [0, 3] ends [3, -1] steps [1, -2] : tensor<3x4xf32> -> tensor<3x2xf32>
      %3 = nn.pad %x pads [1, 0, 1, 0] mode reflect : tensor<3x4xf32> -> tensor<5x4xf32>
      %4 = nn.pad %x pads [0, 2, 0, 0] mode wrap : tensor<3x4xf32> -> tensor<3x6xf32>
      %5 = nn.gather %x, %ids axis 0 : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
      return %0, %1, %2, %3, %4, %5 : tensor<4x3xf32>, tensor<3x8xf32>, tensor<3x2xf32>, tensor<5x4xf32>, tensor<3x6xf32>, tensor<2x4xf32>
    })mlir", {x});
  expectNear(out[0], {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  expectNear(out[1], {0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7,
                      8, 9, 10, 11, 8, 9, 10, 11});
  expectNear(out[2], {3, 1, 7, 5, 11, 9});
  expectNear(out[3], {4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                      4, 5, 6, 7});
  expectNear(out[4], {2, 3, 0, 1, 2, 3, 6, 7, 4, 5, 6, 7, 10, 11, 8, 9, 10, 11});
  expectNear(out[5], {8, 9, 10, 11, 0, 1, 2, 3});
}

} // namespace

TEST(JITTest, CompareSelectCast) {
  // select(a < b, a, b) is min(a, b); the mask casts to 0/1; a cast to i64
  // truncates toward zero.
  auto a = randomData(6, 21), b = randomData(3, 22);
  auto out = runModel(R"mlir(
    func.func @main(%a: tensor<2x3xf32>, %b: tensor<3xf32>)
        -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
      %c = nn.compare lt %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
      %y = nn.select %c, %a, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      %m = nn.cast %c : tensor<2x3xi1> -> tensor<2x3xf32>
      %k = nn.constant dense<4.0> : tensor<f32>
      %s = nn.mul %a, %k : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
      %i = nn.cast %s : tensor<2x3xf32> -> tensor<2x3xi64>
      %t = nn.cast %i : tensor<2x3xi64> -> tensor<2x3xf32>
      return %y, %m, %t : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
    })mlir",
                      {a, b});
  ASSERT_EQ(out.size(), 3u);
  std::vector<float> min(6), mask(6), trunc(6);
  for (int i = 0; i < 6; ++i) {
    min[i] = std::min(a[i], b[i % 3]);
    mask[i] = a[i] < b[i % 3] ? 1.0f : 0.0f;
    trunc[i] = std::trunc(a[i] * 4.0f);
  }
  expectNear(out[0], min);
  expectNear(out[1], mask);
  expectNear(out[2], trunc);
}

TEST(JITTest, ArgMaxTopKCumSum) {
  // Ties: argmax takes the first (or, with select_last_index, the last);
  // topk orders equal values by index.
  std::vector<float> x = {1, 3, 3, 0, 2, -1, 2, 5};
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<2x4xf32>)
        -> (tensor<2xf32>, tensor<2xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x4xf32>) {
      %a = nn.argmax %x axis 1 : tensor<2x4xf32> -> tensor<2xi64>
      %l = nn.argmax %x axis 1 select_last_index : tensor<2x4xf32> -> tensor<2xi64>
      %v, %i = nn.topk %x k 3 axis 1 largest : tensor<2x4xf32> -> (tensor<2x3xf32>, tensor<2x3xi64>)
      %c = nn.cumsum %x axis 1 exclusive reverse : tensor<2x4xf32>
      %af = nn.cast %a : tensor<2xi64> -> tensor<2xf32>
      %lf = nn.cast %l : tensor<2xi64> -> tensor<2xf32>
      %if = nn.cast %i : tensor<2x3xi64> -> tensor<2x3xf32>
      return %af, %lf, %v, %if, %c : tensor<2xf32>, tensor<2xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x4xf32>
    })mlir",
                      {x});
  ASSERT_EQ(out.size(), 5u);
  expectNear(out[0], {1, 3});
  expectNear(out[1], {2, 3});
  expectNear(out[2], {3, 3, 1, 5, 2, 2});
  expectNear(out[3], {1, 2, 0, 3, 0, 2});
  // Exclusive, from the end: the sum of the elements after each one.
  expectNear(out[4], {6, 3, 0, 0, 6, 7, 5, 0});
}

TEST(JITTest, GatherElementsWrapsNegativeIndices) {
  std::vector<float> x = randomData(12, 31);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
      %i = nn.constant dense<[[0, -1], [3, 1], [-4, 2]]> : tensor<3x2xi64>
      %y = nn.gather_elements %x, %i axis 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
      return %y : tensor<3x2xf32>
    })mlir",
                      {x});
  ASSERT_EQ(out.size(), 1u);
  expectNear(out[0], {x[0], x[3], x[7], x[5], x[8], x[10]});
}

TEST(JITTest, GatherNDWrapsNegativeIndicesWithBatchDims) {
  std::vector<float> x = randomData(2 * 3 * 4, 32);
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<2x3x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
      %i = nn.constant dense<[[1, -1], [0, 0]]> : tensor<2x2xi64>
      %j = nn.constant dense<[[-1], [1]]> : tensor<2x1xi64>
      %a = nn.gather_nd %x, %i batch_dims 0 : (tensor<2x3x4xf32>, tensor<2x2xi64>) -> tensor<2x4xf32>
      %b = nn.gather_nd %x, %j batch_dims 1 : (tensor<2x3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
      return %a, %b : tensor<2x4xf32>, tensor<2x4xf32>
    })mlir",
                      {x});
  ASSERT_EQ(out.size(), 2u);
  auto rows = [&](int r0, int r1) { // two rows of 4 (rows of x as 6x4)
    std::vector<float> v(x.begin() + r0 * 4, x.begin() + r0 * 4 + 4);
    v.insert(v.end(), x.begin() + r1 * 4, x.begin() + r1 * 4 + 4);
    return v;
  };
  expectNear(out[0], rows(1 * 3 + 2, 0));
  expectNear(out[1], rows(0 * 3 + 2, 1 * 3 + 1));
}

/// `update` combined with `old` as ONNX's scatter reductions do.
float combine(const std::string &reduction, float old, float update) {
  if (reduction == "add")
    return old + update;
  if (reduction == "mul")
    return old * update;
  if (reduction == "max")
    return std::max(old, update);
  if (reduction == "min")
    return std::min(old, update);
  return update;
}

const char *const kReductions[] = {"none", "add", "mul", "max", "min"};

/// @main with one `op` line per reduction, `REDUCTION` in it replaced.
std::string scatterModel(const std::string &signature,
                         const std::string &consts, const std::string &op,
                         const std::string &type) {
  std::string body, results, types;
  for (auto [i, reduction] : llvm::enumerate(kReductions)) {
    std::string line = op;
    line.replace(line.find("REDUCTION"), 9, reduction);
    body += "      %r" + std::to_string(i) + " = " + line + "\n";
    results += (i ? ", %r" : "%r") + std::to_string(i);
    types += (i ? ", " : "") + type;
  }
  return "func.func @main(" + signature + ") -> (" + types + ") {\n" + consts +
         body + "      return " + results + " : " + types + "\n}";
}

TEST(JITTest, ScatterElementsEveryReductionInOrder) {
  // Axis 1 of a 2x3 tensor; negative and duplicate indices.
  std::vector<float> x = randomData(6, 33), u = randomData(4, 34);
  int64_t idx[2][2] = {{0, -1}, {1, 1}};
  auto out = runModel(
      scatterModel("%x: tensor<2x3xf32>, %u: tensor<2x2xf32>",
                   "      %i = nn.constant dense<[[0, -1], [1, 1]]> : "
                   "tensor<2x2xi64>\n",
                   "nn.scatter_elements %x, %i, %u axis 1 reduction REDUCTION"
                   " : (tensor<2x3xf32>, tensor<2x2xi64>, tensor<2x2xf32>) "
                   "-> tensor<2x3xf32>",
                   "tensor<2x3xf32>"),
      {x, u});
  ASSERT_EQ(out.size(), 5u);
  for (auto [k, reduction] : llvm::enumerate(kReductions)) {
    std::vector<float> ref = x;
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 2; ++c) {
        int64_t col = idx[r][c] < 0 ? idx[r][c] + 3 : idx[r][c];
        float &e = ref[r * 3 + col];
        e = combine(reduction, e, u[r * 2 + c]);
      }
    SCOPED_TRACE(reduction);
    expectNear(out[k], ref);
  }
}

TEST(JITTest, ScatterNDEveryReductionInOrder) {
  // Rows of a 4x3 tensor; a negative and a duplicate index.
  std::vector<float> x = randomData(12, 35), u = randomData(9, 36);
  int64_t idx[3] = {1, -1, 1};
  auto out = runModel(
      scatterModel("%x: tensor<4x3xf32>, %u: tensor<3x3xf32>",
                   "      %i = nn.constant dense<[[1], [-1], [1]]> : "
                   "tensor<3x1xi64>\n",
                   "nn.scatter_nd %x, %i, %u reduction REDUCTION : "
                   "(tensor<4x3xf32>, tensor<3x1xi64>, tensor<3x3xf32>) -> "
                   "tensor<4x3xf32>",
                   "tensor<4x3xf32>"),
      {x, u});
  ASSERT_EQ(out.size(), 5u);
  for (auto [k, reduction] : llvm::enumerate(kReductions)) {
    std::vector<float> ref = x;
    for (int t = 0; t < 3; ++t) {
      int64_t row = idx[t] < 0 ? idx[t] + 4 : idx[t];
      for (int c = 0; c < 3; ++c)
        ref[row * 3 + c] = combine(reduction, ref[row * 3 + c], u[t * 3 + c]);
    }
    SCOPED_TRACE(reduction);
    expectNear(out[k], ref);
  }
}

TEST(JITTest, BitwiseOpsOnIntegers) {
  // Integers travel as floats, cast to i32 and back; x ^ -1 is ~x.
  std::vector<float> x = {12, -7, 5, 0, 255, -1}, y = {10, 3, -6, 9, 15, 1};
  auto out = runModel(R"mlir(
    func.func @main(%xf: tensor<6xf32>, %yf: tensor<6xf32>)
        -> (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) {
      %x = nn.cast %xf : tensor<6xf32> -> tensor<6xi32>
      %y = nn.cast %yf : tensor<6xf32> -> tensor<6xi32>
      %m = nn.constant dense<-1> : tensor<i32>
      %a = nn.bitwise_and %x, %y : (tensor<6xi32>, tensor<6xi32>) -> tensor<6xi32>
      %o = nn.bitwise_or %x, %y : (tensor<6xi32>, tensor<6xi32>) -> tensor<6xi32>
      %e = nn.bitwise_xor %x, %y : (tensor<6xi32>, tensor<6xi32>) -> tensor<6xi32>
      %n = nn.bitwise_xor %x, %m : (tensor<6xi32>, tensor<i32>) -> tensor<6xi32>
      %af = nn.cast %a : tensor<6xi32> -> tensor<6xf32>
      %of = nn.cast %o : tensor<6xi32> -> tensor<6xf32>
      %ef = nn.cast %e : tensor<6xi32> -> tensor<6xf32>
      %nf = nn.cast %n : tensor<6xi32> -> tensor<6xf32>
      return %af, %of, %ef, %nf : tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>
    })mlir",
                      {x, y});
  ASSERT_EQ(out.size(), 4u);
  std::vector<float> a, o, e, n;
  for (size_t i = 0; i < x.size(); ++i) {
    auto xi = static_cast<int32_t>(x[i]), yi = static_cast<int32_t>(y[i]);
    a.push_back(static_cast<float>(xi & yi));
    o.push_back(static_cast<float>(xi | yi));
    e.push_back(static_cast<float>(xi ^ yi));
    n.push_back(static_cast<float>(~xi));
  }
  expectNear(out[0], a);
  expectNear(out[1], o);
  expectNear(out[2], e);
  expectNear(out[3], n);
}

TEST(JITTest, ResizeNearestAndLinear) {
  // [1, 1, 2, 3] -> [1, 1, 4, 6]; nearest (asymmetric, floor) repeats each
  // element twice; linear (half_pixel) interpolates with clamped borders.
  std::vector<float> x = {0, 1, 2, 10, 11, 12};
  auto out = runModel(R"mlir(
    func.func @main(%x: tensor<1x1x2x3xf32>) -> (tensor<1x1x4x6xf32>, tensor<1x1x4x6xf32>) {
      %n = nn.resize %x sizes [1, 1, 4, 6] scales [1.0, 1.0, 2.0, 2.0] mode nearest
             coordinate_mode asymmetric nearest_mode floor
          : tensor<1x1x2x3xf32> -> tensor<1x1x4x6xf32>
      %l = nn.resize %x sizes [1, 1, 4, 6] scales [1.0, 1.0, 2.0, 2.0] mode linear
             coordinate_mode half_pixel nearest_mode round_prefer_floor
          : tensor<1x1x2x3xf32> -> tensor<1x1x4x6xf32>
      return %n, %l : tensor<1x1x4x6xf32>, tensor<1x1x4x6xf32>
    })mlir",
                      {x});
  ASSERT_EQ(out.size(), 2u);
  std::vector<float> nearest, linear;
  auto source = [](int o, int in) { // half_pixel, clamped
    double c = (o + 0.5) / 2.0 - 0.5;
    int lo = static_cast<int>(std::floor(c));
    double t = c - lo;
    return std::tuple{std::clamp(lo, 0, in - 1), std::clamp(lo + 1, 0, in - 1),
                      t};
  };
  for (int h = 0; h < 4; ++h) {
    for (int w = 0; w < 6; ++w) {
      nearest.push_back(x[(h / 2) * 3 + w / 2]);
      auto [h0, h1, th] = source(h, 2);
      auto [w0, w1, tw] = source(w, 3);
      auto at = [&](int r, int c) { return double(x[r * 3 + c]); };
      linear.push_back(static_cast<float>(
          (1 - th) * ((1 - tw) * at(h0, w0) + tw * at(h0, w1)) +
          th * ((1 - tw) * at(h1, w0) + tw * at(h1, w1))));
    }
  }
  expectNear(out[0], nearest);
  expectNear(out[1], linear);
}
