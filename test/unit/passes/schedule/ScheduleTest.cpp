//===- ScheduleTest.cpp - Tests of the default schedule and packing -------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file tests passes/schedule's C++ API: the register tiles, packs and
// thread tiles defaultConfig derives from a target (AVX-512 and AVX2 facts)
// for matmuls of many shapes, the kinds of ops it leaves alone, and
// packByConfig's compile-time packing of constants (values checked element
// by element) and its refusals, and the fusion of a tiled matmul's
// accumulator fill and epilogue into its register tiles.
//
//===----------------------------------------------------------------------===//

#include "passes/schedule/Schedule.h"

#include "dialects/sched/SchedDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/FormatVariadic.h"

#include <gtest/gtest.h>

#include <string>

using namespace mlir;
using namespace lathe;
using namespace lathe::schedule;

namespace {

ScheduleTarget avx512() {
  ScheduleTarget t;
  t.vectorBits = 512;
  t.vectorRegisters = 32;
  t.l1Bytes = 48 * 1024;
  t.l2Bytes = 2 * 1024 * 1024;
  return t;
}

class ScheduleTest : public ::testing::Test {
protected:
  ScheduleTest() {
    DialectRegistry registry;
    linalg::registerTilingInterfaceExternalModels(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadDialect<arith::ArithDialect, func::FuncDialect,
                    linalg::LinalgDialect, math::MathDialect, scf::SCFDialect,
                    tensor::TensorDialect, sched::SchedDialect,
                    affine::AffineDialect>();
  }

  /// Parses `source`; the first linalg op in it.
  linalg::LinalgOp parseOp(StringRef source) {
    module = parseSourceString<ModuleOp>(source, &ctx);
    EXPECT_TRUE(module) << "could not parse the test module";
    linalg::LinalgOp found;
    if (module)
      module->walk([&](linalg::LinalgOp op) {
        if (!found)
          found = op;
      });
    EXPECT_TRUE(found) << "no linalg op in the test module";
    return found;
  }

  /// The default config of an M x K by K x N f32 matmul on `target`.
  FailureOr<sched::ConfigAttr> matmulConfig(int64_t m, int64_t n, int64_t k,
                                            const ScheduleTarget &target) {
    std::string source = llvm::formatv(R"mlir(
func.func @f(%a: tensor<{0}x{2}xf32>, %b: tensor<{2}x{1}xf32>,
             %c: tensor<{0}x{1}xf32>) -> tensor<{0}x{1}xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<{0}x{2}xf32>, tensor<{2}x{1}xf32>)
                     outs(%c : tensor<{0}x{1}xf32>) -> tensor<{0}x{1}xf32>
  return %0 : tensor<{0}x{1}xf32>
})mlir",
                                       m, n, k);
    return defaultConfig(parseOp(source), target);
  }

  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
};

/// The operands a config packs, and along which loops by which tiles.
std::string packsOf(sched::ConfigAttr config) {
  std::string s;
  for (sched::PackAttr pack : config.getPacks())
    s += llvm::formatv("{0}:{1}/{2} ", pack.getOperand(), pack.getDims()[0],
                       pack.getTiles()[0]);
  return s;
}

TEST_F(ScheduleTest, RegisterTileFillsTheRegisterFile) {
  // (M, N, K) -> MR, NR on AVX-512: MR is the largest divisor of M whose
  // MR x NR accumulators, NR / 16 B registers and a broadcast fit 32.
  struct Case {
    int64_t m, n, k, mr, nr;
  } cases[] = {{1024, 1024, 1024, 8, 32}, {3136, 64, 256, 14, 32},
               {49, 512, 4608, 7, 32},    {128, 768, 3072, 8, 32},
               {64, 12, 128, 16, 4},      {5, 40, 24, 5, 8},
               {7, 5, 13, 7, 1}};
  for (const Case &c : cases) {
    FailureOr<sched::ConfigAttr> config = matmulConfig(c.m, c.n, c.k, avx512());
    ASSERT_TRUE(succeeded(config)) << c.m << "x" << c.n << "x" << c.k;
    ArrayRef<int64_t> reg = config->getTiles(sched::TileLevel::Register);
    ASSERT_EQ(reg.size(), 3u);
    EXPECT_EQ(reg[0], c.mr) << c.m << "x" << c.n << "x" << c.k;
    EXPECT_EQ(reg[1], c.nr) << c.m << "x" << c.n << "x" << c.k;
    EXPECT_EQ(reg[2], 1);
    EXPECT_EQ(config->getVectorSizes(), reg);
    // Every tile divides its loop, so no tile is partial.
    ArrayRef<int64_t> l2 = config->getTiles(sched::TileLevel::L2);
    int64_t sizes[] = {c.m, c.n, c.k};
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(sizes[i] % l2[i], 0) << "l2 tile of loop " << i;
      EXPECT_EQ(l2[i] % reg[i], 0) << "register tile of loop " << i;
    }
  }
}

TEST_F(ScheduleTest, AVX2HasHalfTheLanesAndRegisters) {
  ScheduleTarget avx2; // the defaults: 256-bit vectors, 16 registers
  FailureOr<sched::ConfigAttr> config = matmulConfig(1024, 1024, 1024, avx2);
  ASSERT_TRUE(succeeded(config));
  ArrayRef<int64_t> reg = config->getTiles(sched::TileLevel::Register);
  // 4 rows x 2 registers of 8 + 2 + 1 = 11 <= 16; 8 rows would need 19.
  EXPECT_EQ(reg[0], 4);
  EXPECT_EQ(reg[1], 16);
}

TEST_F(ScheduleTest, PacksBAlwaysAndAWhereNIsWide) {
  FailureOr<sched::ConfigAttr> narrow = matmulConfig(128, 768, 768, avx512());
  ASSERT_TRUE(succeeded(narrow));
  EXPECT_EQ(packsOf(*narrow), "1:1/32 ");
  FailureOr<sched::ConfigAttr> wide = matmulConfig(128, 3072, 768, avx512());
  ASSERT_TRUE(succeeded(wide));
  EXPECT_EQ(packsOf(*wide), "0:0/8 1:1/32 ");
  // One row: nothing to gain from packing A.
  FailureOr<sched::ConfigAttr> gemv = matmulConfig(1, 2048, 1000, avx512());
  ASSERT_TRUE(succeeded(gemv));
  EXPECT_EQ(packsOf(*gemv), "1:1/32 ");
}

TEST_F(ScheduleTest, ThreadsTakeColumnPanelsThenRowBlocks) {
  FailureOr<sched::ConfigAttr> wide = matmulConfig(1024, 1024, 1024, avx512());
  ASSERT_TRUE(succeeded(wide));
  EXPECT_EQ(wide->getParallelDims(), ArrayRef<int64_t>{1});
  EXPECT_EQ(wide->getTiles(sched::TileLevel::Outer)[1],
            wide->getTiles(sched::TileLevel::L2)[1]);
  // N is one panel: threads take row blocks of A.
  FailureOr<sched::ConfigAttr> tall = matmulConfig(1024, 64, 256, avx512());
  ASSERT_TRUE(succeeded(tall));
  EXPECT_EQ(tall->getParallelDims(), ArrayRef<int64_t>{0});
  // One block of each: no threads.
  FailureOr<sched::ConfigAttr> small = matmulConfig(8, 32, 16, avx512());
  ASSERT_TRUE(succeeded(small));
  EXPECT_TRUE(small->getParallelDims().empty());
  EXPECT_TRUE(small->getTiles(sched::TileLevel::Outer).empty());
}

TEST_F(ScheduleTest, ThreadTilesSplitEvenlyAcrossCores) {
  ScheduleTarget two = avx512();
  two.cores = 2;
  // For every shape, with 2 cores: the thread tiles divide their loop into
  // an even number of tiles, each a multiple of the register tile.
  struct Shape {
    int64_t m, n, k;
  } shapes[] = {{128, 768, 768},   {128, 3072, 768}, {196, 256, 2304},
                {3136, 64, 256},   {49, 512, 4608},  {784, 128, 512},
                {1024, 1024, 1024}};
  for (Shape shape : shapes) {
    FailureOr<sched::ConfigAttr> config =
        matmulConfig(shape.m, shape.n, shape.k, two);
    ASSERT_TRUE(succeeded(config));
    ArrayRef<int64_t> outer = config->getTiles(sched::TileLevel::Outer);
    ArrayRef<int64_t> reg = config->getTiles(sched::TileLevel::Register);
    ASSERT_EQ(config->getParallelDims().size(), 1u)
        << shape.m << "x" << shape.n << "x" << shape.k;
    int64_t d = config->getParallelDims()[0];
    int64_t size = d == 0 ? shape.m : shape.n;
    EXPECT_EQ(size % outer[d], 0);
    EXPECT_EQ((size / outer[d]) % 2, 0)
        << shape.m << "x" << shape.n << "x" << shape.k << ": "
        << size / outer[d] << " thread tiles";
    EXPECT_EQ(outer[d] % reg[d], 0);
  }
  // BERT's projection: four panels of 192 rather than three of 256; one
  // core keeps the widest panels.
  FailureOr<sched::ConfigAttr> bert = matmulConfig(128, 768, 768, two);
  ASSERT_TRUE(succeeded(bert));
  EXPECT_EQ(bert->getTiles(sched::TileLevel::Outer)[1], 192);
  FailureOr<sched::ConfigAttr> one = matmulConfig(128, 768, 768, avx512());
  ASSERT_TRUE(succeeded(one));
  EXPECT_EQ(one->getTiles(sched::TileLevel::Outer)[1], 256);
}

TEST_F(ScheduleTest, LeavesAloneWhatItDoesNotKnow) {
  // f64 matmul, a generic with a reduction, a generic on booleans, one
  // calling a math function without a vector lowering.
  const char *sources[] = {
      R"mlir(func.func @f(%a: tensor<8x8xf64>) -> tensor<8x8xf64> {
  %0 = linalg.matmul ins(%a, %a : tensor<8x8xf64>, tensor<8x8xf64>) outs(%a : tensor<8x8xf64>) -> tensor<8x8xf64>
  return %0 : tensor<8x8xf64>
})mlir",
      R"mlir(func.func @f(%a: tensor<8x16xf32>, %s: tensor<8xf32>) -> tensor<8xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%a : tensor<8x16xf32>) outs(%s : tensor<8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %1 = arith.addf %x, %acc : f32
    linalg.yield %1 : f32
  } -> tensor<8xf32>
  return %0 : tensor<8xf32>
})mlir",
      R"mlir(func.func @f(%a: tensor<8x16xi1>, %o: tensor<8x16xi1>) -> tensor<8x16xi1> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<8x16xi1>) outs(%o : tensor<8x16xi1>) {
  ^bb0(%x: i1, %y: i1):
    linalg.yield %x : i1
  } -> tensor<8x16xi1>
  return %0 : tensor<8x16xi1>
})mlir",
      R"mlir(func.func @f(%a: tensor<8x16xf32>, %o: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<8x16xf32>) outs(%o : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32):
    %1 = math.atan %x : f32
    linalg.yield %1 : f32
  } -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
})mlir"};
  for (const char *source : sources)
    EXPECT_TRUE(failed(defaultConfig(parseOp(source), avx512()))) << source;
}

TEST_F(ScheduleTest, PacksConstantsAtCompileTime) {
  // B[k][n] = 10 k + n, 3 x 8, packed on n by 4: Bp[n1][k][n0] =
  // B[k][4 n1 + n0].
  std::string values;
  for (int k = 0; k < 3; ++k) {
    values += k ? ", [" : "[";
    for (int n = 0; n < 8; ++n)
      values += llvm::formatv("{0}{1}.0", n ? ", " : "", 10 * k + n).str();
    values += "]";
  }
  std::string source = llvm::formatv(R"mlir(
func.func @f(%a: tensor<2x3xf32>, %c: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %b = arith.constant dense<[{0}]> : tensor<3x8xf32>
  %0 = linalg.matmul {{sched.config = #sched.config<tiles = {{register = [1, 4, 1]}, vector = [1, 4, 1], pack = [#sched.pack<operand = 1, dims = [1], tiles = [4]>]>}
      ins(%a, %b : tensor<2x3xf32>, tensor<3x8xf32>) outs(%c : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
})mlir",
                                     values);
  linalg::LinalgOp op = parseOp(source);
  ASSERT_TRUE(op);
  auto config = op->getAttrOfType<sched::ConfigAttr>(kConfigAttrName);
  IRRewriter rewriter(&ctx);
  FailureOr<linalg::GenericOp> packed = packByConfig(rewriter, op, config);
  ASSERT_TRUE(succeeded(packed));
  auto constant =
      packed->getDpsInputOperand(1)->get().getDefiningOp<arith::ConstantOp>();
  ASSERT_TRUE(constant) << "B is not a constant after packing";
  auto attr = cast<DenseElementsAttr>(constant.getValue());
  EXPECT_EQ(cast<ShapedType>(attr.getType()).getShape(),
            ArrayRef<int64_t>({2, 3, 4}));
  std::vector<float> got(attr.getValues<float>().begin(),
                         attr.getValues<float>().end());
  for (int n1 = 0; n1 < 2; ++n1)
    for (int k = 0; k < 3; ++k)
      for (int n0 = 0; n0 < 4; ++n0)
        EXPECT_EQ(got[(n1 * 3 + k) * 4 + n0], 10.0f * k + 4 * n1 + n0)
            << "at [" << n1 << "][" << k << "][" << n0 << "]";
  // The config is rewritten for loops (m, n/4, k, n%4).
  auto rewritten = (*packed)->getAttrOfType<sched::ConfigAttr>(kConfigAttrName);
  EXPECT_EQ(rewritten.getTiles(sched::TileLevel::Register),
            ArrayRef<int64_t>({1, 1, 1, 0}));
  EXPECT_EQ(rewritten.getVectorSizes(), ArrayRef<int64_t>({1, 1, 1, 4}));
  EXPECT_TRUE(rewritten.getPacks().empty());
}

TEST_F(ScheduleTest, RefusesATileThatDoesNotDivideItsLoop) {
  linalg::LinalgOp op = parseOp(R"mlir(
func.func @f(%a: tensor<6x4xf32>, %b: tensor<4x4xf32>, %c: tensor<6x4xf32>) -> tensor<6x4xf32> {
  %0 = linalg.matmul {sched.config = #sched.config<pack = [#sched.pack<operand = 0, dims = [0], tiles = [4]>]>}
      ins(%a, %b : tensor<6x4xf32>, tensor<4x4xf32>) outs(%c : tensor<6x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
})mlir");
  ASSERT_TRUE(op);
  std::string message;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    message = d.str();
    return success();
  });
  IRRewriter rewriter(&ctx);
  EXPECT_TRUE(failed(packByConfig(
      rewriter, op, op->getAttrOfType<sched::ConfigAttr>(kConfigAttrName))));
  EXPECT_NE(message.find("does not divide loop 0 (size 6)"), std::string::npos)
      << message;
}

/// A 16x32 += 16x8 * 8x32 matmul on 4x16 register tiles (k whole in each
/// tile) from a zero fill, then `epilogue` (a generic body on the matmul's
/// result %x and a bias %y[n]) into a fresh tensor.
std::string tiledMatmulWith(StringRef epilogue) {
  return llvm::formatv(R"mlir(
#bias = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%a: tensor<16x8xf32>, %b: tensor<8x32xf32>, %bias: tensor<32xf32>) -> tensor<16x32xf32> {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %c = linalg.fill {{sched.config = #sched.config<tiles = {{register = [1, 32]}, vector = [1, 32]>} ins(%zero : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %mm = linalg.matmul {{sched.config = #sched.config<tiles = {{register = [4, 16, 1]}, vector = [4, 16, 1]>}
      ins(%a, %b : tensor<16x8xf32>, tensor<8x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  %o = tensor.empty() : tensor<16x32xf32>
  %r = linalg.generic {{indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<16x32xf32>, tensor<32xf32>) outs(%o : tensor<16x32xf32>)
      attrs = {{sched.config = #sched.config<tiles = {{register = [1, 16]}, vector = [1, 16]>} {{
  ^bb0(%x: f32, %y: f32, %out: f32):
    {0}
  } -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
})mlir",
                       epilogue)
      .str();
}

/// Tiles the module's matmul by its config, as lathe-tile does.
scf::ForOp tileTheMatmul(ModuleOp module) {
  linalg::MatmulOp matmul;
  module.walk([&](linalg::MatmulOp op) { matmul = op; });
  if (!matmul)
    return {};
  IRRewriter rewriter(module.getContext());
  rewriter.setInsertionPoint(matmul);
  if (failed(tileByConfig(
          rewriter, matmul,
          matmul->getAttrOfType<sched::ConfigAttr>(kConfigAttrName)))) {
    ADD_FAILURE() << "tileByConfig failed";
    return {};
  }
  scf::ForOp top;
  module.walk([&](scf::ForOp loop) {
    if (!loop->getParentOfType<scf::ForOp>())
      top = loop;
  });
  return top;
}

TEST_F(ScheduleTest, EpilogueRunsOnTheRegisterTileInPlace) {
  module = parseSourceString<ModuleOp>(
      tiledMatmulWith("%s = arith.addf %x, %y : f32\n"
                      "    %m = arith.maximumf %s, %zero : f32\n"
                      "    linalg.yield %m : f32"),
      &ctx);
  ASSERT_TRUE(module);
  linalg::GenericOp epilogue;
  module->walk([&](linalg::GenericOp op) { epilogue = op; });
  EXPECT_TRUE(isFusedIntoScheduledOp(epilogue));
  scf::ForOp nest = tileTheMatmul(*module);
  ASSERT_TRUE(nest);
  IRRewriter rewriter(&ctx);
  FailureOr<linalg::FillOp> fill = fuseAccumulatorFill(rewriter, nest);
  ASSERT_TRUE(succeeded(fill));
  DominanceInfo dominance(*module);
  FailureOr<linalg::GenericOp> fused =
      fuseEpilogue(rewriter, epilogue, dominance);
  ASSERT_TRUE(succeeded(fused));
  ASSERT_TRUE(succeeded(verify(*module)));
  // Both in the nest, on 4x16 tiles, ready for lathe-vectorize.
  for (Operation *op : {fill->getOperation(), fused->getOperation()}) {
    EXPECT_TRUE(nest->isProperAncestor(op));
    EXPECT_TRUE(op->hasAttr(kTiledAttrName));
    EXPECT_EQ(cast<ShapedType>(op->getResult(0).getType()).getShape(),
              ArrayRef<int64_t>({4, 16}));
  }
  // The epilogue updates the tile in place (its only input is the bias),
  // and the function returns the nest's result.
  EXPECT_EQ(fused->getNumDpsInputs(), 1);
  auto ret = cast<func::ReturnOp>(module->lookupSymbol<func::FuncOp>("f")
                                      .getBody()
                                      .front()
                                      .getTerminator());
  EXPECT_EQ(ret.getOperand(0), nest.getResult(0));
  // The fill before the k loop; the nest starts from an empty tensor.
  EXPECT_TRUE(nest.getInitArgs()[0].getDefiningOp<tensor::EmptyOp>());
  EXPECT_TRUE((*fill)->isBeforeInBlock(fused->getOperation()) ||
              (*fill)->getBlock() != fused->getOperation()->getBlock());
}

TEST_F(ScheduleTest, EpilogueThatReadsItsOutputIsNotFused) {
  module = parseSourceString<ModuleOp>(
      tiledMatmulWith("%s = arith.addf %x, %out : f32\n"
                      "    linalg.yield %s : f32"),
      &ctx);
  ASSERT_TRUE(module);
  linalg::GenericOp epilogue;
  module->walk([&](linalg::GenericOp op) { epilogue = op; });
  ASSERT_TRUE(tileTheMatmul(*module));
  IRRewriter rewriter(&ctx);
  DominanceInfo dominance(*module);
  EXPECT_TRUE(failed(fuseEpilogue(rewriter, epilogue, dominance)));
  // Nothing changed: the epilogue still reads the nest's result.
  EXPECT_TRUE(isa<scf::ForOp>(epilogue.getDpsInputs()[0].getDefiningOp()));
}

TEST_F(ScheduleTest, FillWithAnotherUserStaysWhereItIs) {
  module = parseSourceString<ModuleOp>(R"mlir(
func.func @f(%a: tensor<16x8xf32>, %b: tensor<8x32xf32>) -> (tensor<16x32xf32>, tensor<16x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %mm = linalg.matmul {sched.config = #sched.config<tiles = {register = [4, 16, 1]}, vector = [4, 16, 1]>}
      ins(%a, %b : tensor<16x8xf32>, tensor<8x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %mm, %c : tensor<16x32xf32>, tensor<16x32xf32>
})mlir",
                                       &ctx);
  ASSERT_TRUE(module);
  scf::ForOp nest = tileTheMatmul(*module);
  ASSERT_TRUE(nest);
  IRRewriter rewriter(&ctx);
  EXPECT_TRUE(failed(fuseAccumulatorFill(rewriter, nest)));
  EXPECT_TRUE(nest.getInitArgs()[0].getDefiningOp<linalg::FillOp>());
}

TEST_F(ScheduleTest, MergesAnEpilogueIntoThePackedResultSpace) {
  module = parseSourceString<ModuleOp>(R"mlir(
#a = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
#b = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%a: tensor<16x8xf32>, %b: tensor<2x8x16xf32>, %init: tensor<16x32xf32>, %r: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %out = tensor.expand_shape %init [[0], [1, 2]] output_shape [16, 2, 16] : tensor<16x32xf32> into tensor<16x2x16xf32>
  %mm = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<16x8xf32>, tensor<2x8x16xf32>) outs(%out : tensor<16x2x16xf32>)
      attrs = {sched.config = #sched.config<tiles = {register = [4, 1, 1, 0]}, vector = [4, 1, 1, 16]>} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x2x16xf32>
  %flat = tensor.collapse_shape %mm [[0], [1, 2]] : tensor<16x2x16xf32> into tensor<16x32xf32>
  %e = tensor.empty() : tensor<16x32xf32>
  %add = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%flat, %r : tensor<16x32xf32>, tensor<16x32xf32>) outs(%e : tensor<16x32xf32>)
      attrs = {sched.config = #sched.config<tiles = {register = [1, 16]}, vector = [1, 16]>} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %add : tensor<16x32xf32>
})mlir",
                                       &ctx);
  ASSERT_TRUE(module);
  ASSERT_TRUE(succeeded(mergeEpilogues(*module)));
  ASSERT_TRUE(succeeded(verify(*module)));
  int elementwise = 0;
  module->walk([&](linalg::GenericOp op) {
    if (op.getNumReductionLoops() != 0)
      return;
    ++elementwise;
    // It reads the matmul's [16][2][16] result directly; its config, made
    // for two loops, is gone.
    EXPECT_EQ(op.getNumLoops(), 3u);
    EXPECT_TRUE(op.getDpsInputs()[0].getDefiningOp<linalg::GenericOp>());
    EXPECT_FALSE(op->hasAttr(kConfigAttrName));
  });
  EXPECT_EQ(elementwise, 1);
}

} // namespace
