//===- FeaturesTest.cpp - Tests of cost_model/Features --------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Feature extraction on kernels written as MLIR text in the shape the CPU
// schedule + bufferization pipeline leaves them (loops, vector transfers and
// FMAs on memrefs), and on a matmul kernel the pipeline produced
// (lathe-opt --lathe-cpu-bufferize="vector-bits=512 vector-registers=32
// l1-bytes=49152 l2-bytes=2097152" on nn.matmul 256x128x512 + nn.relu).
//
//===----------------------------------------------------------------------===//

#include "cost_model/Features.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <set>

using namespace lathe::cost_model;

namespace {

/// Parses modules of kernels and extracts their features.
class FeaturesTest : public ::testing::Test {
protected:
  FeaturesTest() {
    mlir::DialectRegistry registry;
    registerFeatureDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  mlir::ModuleOp parse(llvm::StringRef text) {
    module = mlir::parseSourceString<mlir::ModuleOp>(text, &context);
    EXPECT_TRUE(module) << "cannot parse the test kernel";
    return module ? *module : mlir::ModuleOp();
  }

  /// The features of the first function of `text`.
  llvm::Expected<KernelFeatures> extract(llvm::StringRef text) {
    mlir::ModuleOp m = parse(text);
    if (!m)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "no module");
    return extractFeatures(*m.getOps<mlir::func::FuncOp>().begin(), caches);
  }

  KernelFeatures mustExtract(llvm::StringRef text) {
    llvm::Expected<KernelFeatures> f = extract(text);
    if (!f) {
      ADD_FAILURE() << llvm::toString(f.takeError());
      return KernelFeatures();
    }
    return *f;
  }

  /// The error message of a failing extraction.
  std::string errorOf(llvm::StringRef text) {
    llvm::Expected<KernelFeatures> f = extract(text);
    if (f) {
      ADD_FAILURE() << "extraction was expected to fail";
      return "";
    }
    return llvm::toString(f.takeError());
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  CacheModel caches = [] {
    CacheModel c;
    c.l1Bytes = 32 * 1024;
    c.l2Bytes = 1024 * 1024;
    c.l3Bytes = 32 * 1024 * 1024;
    c.vectorBits = 512;
    c.cores = 2;
    return c;
  }();
};

/// A vectorized elementwise kernel b = a * a * a + a * a over 64x128 f32:
/// a parallel loop over 4 row blocks, 16 rows each, 128 columns in vectors
/// of `lanes` elements.
std::string elementwise(int lanes) {
  std::string v = "vector<" + std::to_string(lanes) + "xf32>";
  return R"mlir(
func.func @ew(%a: memref<64x128xf32>, %b: memref<64x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c128 = arith.constant 128 : index
  %cw = arith.constant )mlir" +
         std::to_string(lanes) + R"mlir( : index
  %f0 = arith.constant 0.0 : f32
  scf.forall (%i) = (0) to (64) step (16) {
    scf.for %ii = %c0 to %c16 step %c1 {
      scf.for %j = %c0 to %c128 step %cw {
        %row = affine.apply affine_map<()[s0, s1] -> (s0 + s1)>()[%i, %ii]
        %v = vector.transfer_read %a[%row, %j], %f0 {in_bounds = [true]} : memref<64x128xf32>, )mlir" +
         v + R"mlir(
        %w = arith.mulf %v, %v : )mlir" +
         v + R"mlir(
        %x = vector.fma %v, %w, %w : )mlir" +
         v + R"mlir(
        vector.transfer_write %x, %b[%row, %j] {in_bounds = [true]} : )mlir" +
         v + R"mlir(, memref<64x128xf32>
      }
    }
  }
  return
}
)mlir";
}

TEST_F(FeaturesTest, ElementwiseLoopNest) {
  KernelFeatures f = mustExtract(elementwise(16));
  EXPECT_EQ(f.depth, 3);
  EXPECT_EQ(f.numLoops, 3);
  EXPECT_EQ(f.numNests, 1);
  EXPECT_EQ(f.loops[0].tripCount, 4);
  EXPECT_EQ(f.loops[1].tripCount, 16);
  EXPECT_EQ(f.loops[2].tripCount, 8);
  EXPECT_EQ(f.loops[3].tripCount, 0); // Padding.
  EXPECT_EQ(f.loops[0].parallel, 1);
  EXPECT_EQ(f.loops[1].parallel, 0);
  EXPECT_EQ(f.loops[0].vectorBody, 0);
  EXPECT_EQ(f.loops[2].vectorBody, 1);
  // mulf (1 flop per lane) + fma (2 per lane) on 64 * 128 elements.
  EXPECT_EQ(f.flops, 3 * 64 * 128);
  EXPECT_EQ(f.vectorFlops, f.flops);
  // One 512-bit instruction per 16-lane op, two per iteration.
  EXPECT_EQ(f.arithInstructions, 2 * 4 * 16 * 8);
  EXPECT_DOUBLE_EQ(f.vectorEfficiency, 0.75);
  EXPECT_EQ(f.vectorWidth, 16);
  EXPECT_EQ(f.unroll, 1);
  EXPECT_EQ(f.innermostArithOps, 2);
  EXPECT_EQ(f.bytesRead, 64 * 128 * 4);
  EXPECT_EQ(f.bytesWritten, 64 * 128 * 4);
  EXPECT_EQ(f.footprintBytes, 2 * 64 * 128 * 4);
  EXPECT_EQ(f.numBuffers, 2);
  EXPECT_EQ(f.parallelLoops, 1);
  EXPECT_EQ(f.parallelExtent, 4);
  EXPECT_EQ(f.parallelUtilization, 1);
  // Working sets: everything, one block of 16 rows, one row; of a and b.
  EXPECT_EQ(f.loops[0].workingSetBytes, 2 * 64 * 128 * 4);
  EXPECT_EQ(f.loops[1].workingSetBytes, 2 * 16 * 128 * 4);
  EXPECT_EQ(f.loops[2].workingSetBytes, 2 * 128 * 4);
  EXPECT_EQ(f.fitDepthL1, 1); // 64 KiB does not fit 32 KiB; 16 KiB does.
  EXPECT_EQ(f.fitDepthL2, 0);
  // No reuse: every byte comes once from memory.
  EXPECT_EQ(f.bytesFromL2, 2 * 64 * 128 * 4);
  EXPECT_EQ(f.bytesFromDRAM, 2 * 64 * 128 * 4);
  EXPECT_DOUBLE_EQ(f.arithmeticIntensity, 3.0 * 64 * 128 / (2 * 64 * 128 * 4));
  // a and b are accessed alike: a, read first, comes first.
  EXPECT_EQ(f.buffers[0].kind, 0);
  EXPECT_EQ(f.buffers[0].readBytes, 64 * 128 * 4);
  EXPECT_EQ(f.buffers[0].writtenBytes, 0);
  EXPECT_EQ(f.buffers[1].writtenBytes, 64 * 128 * 4);
  EXPECT_EQ(f.buffers[0].contiguity, 1);
  EXPECT_EQ(f.buffers[0].innerStrideElements, 16);
  EXPECT_EQ(f.buffers[0].reuseDistanceBytes, -1);
  EXPECT_EQ(f.buffers[2].footprintBytes, 0); // Padding.
}

TEST_F(FeaturesTest, BiggerTileGivesAnotherVector) {
  KernelFeatures narrow = mustExtract(elementwise(16));
  KernelFeatures wide = mustExtract(elementwise(32));
  EXPECT_EQ(wide.vectorWidth, 32);
  EXPECT_EQ(wide.loops[2].tripCount, 4);
  EXPECT_EQ(wide.flops, narrow.flops);
  EXPECT_EQ(wide.arithInstructions, narrow.arithInstructions);
  EXPECT_NE(wide.toVector(), narrow.toVector());
}

TEST_F(FeaturesTest, Deterministic) {
  EXPECT_EQ(mustExtract(elementwise(16)).toVector(),
            mustExtract(elementwise(16)).toVector());
}

TEST_F(FeaturesTest, VectorLayout) {
  std::vector<std::string> names = KernelFeatures::names();
  EXPECT_EQ(KernelFeatures::kVersion, 1);
  EXPECT_EQ(names.size(), KernelFeatures::size());
  EXPECT_EQ(KernelFeatures::size(), 111u); // docs/cost-model.md lists them.
  EXPECT_EQ(KernelFeatures().toVector().size(), names.size());
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(),
            names.size());
  EXPECT_EQ(names.front(), "num_loops");
  EXPECT_EQ(names[27], "loop0.trip_count");
  EXPECT_EQ(names.back(), "buf3.bytes_from_dram");

  KernelFeatures f = mustExtract(elementwise(16));
  llvm::Expected<KernelFeatures> back =
      KernelFeatures::fromVector(f.toVector());
  ASSERT_TRUE(bool(back));
  EXPECT_EQ(back->toVector(), f.toVector());
  llvm::Expected<KernelFeatures> bad = KernelFeatures::fromVector({1, 2, 3});
  ASSERT_FALSE(bool(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("3"), std::string::npos);
}

TEST_F(FeaturesTest, ScalarLoopWithReuse) {
  // y[i] += A[i][k] * x[k]: x is re-used across i, from L1.
  KernelFeatures f = mustExtract(R"mlir(
func.func @mv(%A: memref<32x64xf32>, %x: memref<64xf32>, %y: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c32 step %c1 {
    scf.for %k = %c0 to %c64 step %c1 {
      %a = memref.load %A[%i, %k] : memref<32x64xf32>
      %b = memref.load %x[%k] : memref<64xf32>
      %acc = memref.load %y[%i] : memref<32xf32>
      %r = math.fma %a, %b, %acc : f32
      memref.store %r, %y[%i] : memref<32xf32>
    }
  }
  return
}
)mlir");
  EXPECT_EQ(f.depth, 2);
  EXPECT_EQ(f.flops, 2 * 32 * 64);
  EXPECT_EQ(f.vectorFlops, 0);
  EXPECT_EQ(f.arithInstructions, 32 * 64);
  EXPECT_DOUBLE_EQ(f.vectorEfficiency, 2.0 / 32);
  EXPECT_EQ(f.vectorWidth, 1);
  EXPECT_EQ(f.unroll, 1);
  EXPECT_EQ(f.parallelExtent, 1);
  EXPECT_EQ(f.bytesRead, 3 * 32 * 64 * 4);
  EXPECT_EQ(f.bytesWritten, 32 * 64 * 4);
  EXPECT_EQ(f.footprintBytes, (32 * 64 + 64 + 32) * 4);
  // Buffers by bytes accessed: y (read + written every iteration), A, x.
  EXPECT_EQ(f.buffers[0].footprintBytes, 32 * 4);
  EXPECT_EQ(f.buffers[1].footprintBytes, 32 * 64 * 4);
  EXPECT_EQ(f.buffers[2].footprintBytes, 64 * 4);
  // A: unit stride along k; y: invariant in k, re-used across k within
  // one row's working set (a row of A, x and y[i]).
  EXPECT_EQ(f.buffers[1].innerStrideElements, 1);
  EXPECT_EQ(f.buffers[1].contiguity, 1);
  EXPECT_EQ(f.buffers[1].reuseDistanceBytes, -1);
  EXPECT_EQ(f.buffers[0].innerStrideElements, 0);
  EXPECT_EQ(f.buffers[0].reuseDistanceBytes, 4 + 4 + 4);
  EXPECT_EQ(f.buffers[0].reuseFitsL1, 1);
  // x: re-used across i; between two uses a row of A, x, y[i] pass.
  EXPECT_EQ(f.buffers[2].reuseDistanceBytes, 64 * 4 + 64 * 4 + 4);
  EXPECT_EQ(f.buffers[2].reuseFitsL1, 1);
  // Everything fits L1: each byte is loaded once.
  EXPECT_EQ(f.bytesFromL2, f.footprintBytes);
  EXPECT_EQ(f.fitDepthL1, 0);
}

TEST_F(FeaturesTest, LinalgOpIsANestOfImplicitLoops) {
  KernelFeatures f = mustExtract(R"mlir(
func.func @mm(%a: memref<16x8xf32>, %b: memref<8x32xf32>, %c: memref<16x32xf32>) {
  linalg.matmul ins(%a, %b : memref<16x8xf32>, memref<8x32xf32>) outs(%c : memref<16x32xf32>)
  return
}
)mlir");
  EXPECT_EQ(f.numLoops, 3);
  EXPECT_EQ(f.depth, 3);
  EXPECT_EQ(f.loops[0].tripCount, 16);
  EXPECT_EQ(f.loops[1].tripCount, 32);
  EXPECT_EQ(f.loops[2].tripCount, 8);
  EXPECT_EQ(f.flops, 2 * 16 * 32 * 8);
  // Per iteration: read a, b, c; write c.
  EXPECT_EQ(f.bytesRead, 3 * 4 * 16 * 32 * 8);
  EXPECT_EQ(f.bytesWritten, 4 * 16 * 32 * 8);
  EXPECT_EQ(f.footprintBytes, (16 * 8 + 8 * 32 + 16 * 32) * 4);
}

TEST_F(FeaturesTest, DynamicLoopBoundIsAnError) {
  std::string message = errorOf(R"mlir(
func.func @dyn(%a: memref<64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    memref.store %f, %a[%i] : memref<64xf32>
  }
  return
}
)mlir");
  EXPECT_NE(message.find("@dyn"), std::string::npos) << message;
  EXPECT_NE(message.find("scf.for"), std::string::npos) << message;
  EXPECT_NE(message.find("static trip counts"), std::string::npos) << message;
}

TEST_F(FeaturesTest, DynamicShapeIsAnError) {
  std::string message = errorOf(R"mlir(
func.func @dynshape(%a: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  memref.store %f, %a[%c0] : memref<?xf32>
  return
}
)mlir");
  EXPECT_NE(message.find("dynamic shape"), std::string::npos) << message;
}

TEST_F(FeaturesTest, TensorsAreAnError) {
  std::string message = errorOf(R"mlir(
func.func @tensors(%a: tensor<64xf32>) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %f = arith.constant 0.0 : f32
  %v = vector.transfer_read %a[%c0], %f {in_bounds = [true]} : tensor<64xf32>, vector<16xf32>
  return %v : vector<16xf32>
}
)mlir");
  EXPECT_NE(message.find("not bufferized"), std::string::npos) << message;
}

TEST_F(FeaturesTest, WhileLoopIsAnError) {
  std::string message = errorOf(R"mlir(
func.func @loop(%n: i32) {
  %c0 = arith.constant 0 : i32
  %r = scf.while (%i = %c0) : (i32) -> i32 {
    %more = arith.cmpi slt, %i, %n : i32
    scf.condition(%more) %i : i32
  } do {
  ^bb0(%i: i32):
    scf.yield %i : i32
  }
  return
}
)mlir");
  EXPECT_NE(message.find("scf.while"), std::string::npos) << message;
}

/// What the CPU pipeline makes of nn.matmul (256x128 by 128x512) + nn.relu
/// with AVX-512 settings: B packed into 32-column panels (the first nest),
/// then a parallel loop over two 256-column halves of C, 64-row cache
/// tiles, and an 8x32 register tile accumulated over k in 8 FMAs.
constexpr llvm::StringLiteral kPipelineMatmul = R"mlir(
#map = affine_map<()[s0, s1] -> (s0 + s1)>
module {
  func.func private @matmul_k0_matmul(%arg0: memref<256x128xf32>, %arg1: memref<128x512xf32>, %arg2: memref<256x512xf32>) attributes {lathe.arena_bytes = 262144 : i64, lathe.intermediate_bytes = 262144 : i64, lathe.kernel = {anchor = "nn.matmul", ops = ["nn.matmul", "nn.relu"], workload = "af189a647d706e3a"}} {
    %alloc = memref.alloc() {alignment = 64 : i64} : memref<262144xi8>
    %cst = arith.constant dense<0.000000e+00> : vector<8x1x32xf32>
    %c64 = arith.constant 64 : index
    %c256 = arith.constant 256 : index
    %c8 = arith.constant 8 : index
    %c128 = arith.constant 128 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c0 = arith.constant 0 : index
    %cst_0 = arith.constant 0.000000e+00 : f32
    %expand_shape = memref.expand_shape %arg1 [[0], [1, 2]] output_shape [128, 16, 32] : memref<128x512xf32> into memref<128x16x32xf32>
    %c0_1 = arith.constant 0 : index
    %view = memref.view %alloc[%c0_1][] : memref<262144xi8> to memref<16x128x32xf32>
    scf.for %arg3 = %c0 to %c16 step %c1 {
      scf.for %arg4 = %c0 to %c128 step %c1 {
        %0 = vector.transfer_read %expand_shape[%arg4, %arg3, %c0], %cst_0 {in_bounds = [true, true, true]} : memref<128x16x32xf32>, vector<1x1x32xf32>
        %1 = vector.extract %0[0, 0] : vector<32xf32> from vector<1x1x32xf32>
        %2 = vector.broadcast %1 : vector<32xf32> to vector<1x1x32xf32>
        vector.transfer_write %2, %view[%arg3, %arg4, %c0] {in_bounds = [true, true, true]} : vector<1x1x32xf32>, memref<16x128x32xf32>
      }
    }
    %expand_shape_2 = memref.expand_shape %arg2 [[0], [1, 2]] output_shape [256, 16, 32] : memref<256x512xf32> into memref<256x16x32xf32>
    scf.forall (%arg3) = (0) to (16) step (8) {
      %subview = memref.subview %expand_shape_2[0, %arg3, 0] [256, 8, 32] [1, 1, 1] : memref<256x16x32xf32> to memref<256x8x32xf32, strided<[512, 32, 1], offset: ?>>
      scf.for %arg4 = %c0 to %c256 step %c64 {
        %subview_3 = memref.subview %subview[%arg4, 0, 0] [64, 8, 32] [1, 1, 1] : memref<256x8x32xf32, strided<[512, 32, 1], offset: ?>> to memref<64x8x32xf32, strided<[512, 32, 1], offset: ?>>
        scf.for %arg5 = %c0 to %c64 step %c8 {
          scf.for %arg6 = %c0 to %c8 step %c1 {
            %0 = scf.for %arg7 = %c0 to %c128 step %c1 iter_args(%arg8 = %cst) -> (vector<8x1x32xf32>) {
              %2 = affine.apply #map()[%arg4, %arg5]
              %3 = vector.transfer_read %arg0[%2, %arg7], %cst_0 {in_bounds = [true, true]} : memref<256x128xf32>, vector<8x1xf32>
              %4 = affine.apply #map()[%arg3, %arg6]
              %5 = vector.transfer_read %view[%4, %arg7, %c0], %cst_0 {in_bounds = [true, true, true]} : memref<16x128x32xf32>, vector<1x1x32xf32>
              %6 = vector.extract %arg8[0, 0] : vector<32xf32> from vector<8x1x32xf32>
              %7 = vector.extract %5[0, 0] : vector<32xf32> from vector<1x1x32xf32>
              %8 = vector.extract %3[0, 0] : f32 from vector<8x1xf32>
              %9 = vector.broadcast %8 : f32 to vector<32xf32>
              %10 = vector.fma %7, %9, %6 : vector<32xf32>
              %11 = vector.broadcast %10 : vector<32xf32> to vector<1x32xf32>
              %12 = vector.insert %11, %cst [0] : vector<1x32xf32> into vector<8x1x32xf32>
              %13 = vector.extract %arg8[1, 0] : vector<32xf32> from vector<8x1x32xf32>
              %14 = vector.extract %3[1, 0] : f32 from vector<8x1xf32>
              %15 = vector.broadcast %14 : f32 to vector<32xf32>
              %16 = vector.fma %7, %15, %13 : vector<32xf32>
              %17 = vector.broadcast %16 : vector<32xf32> to vector<1x32xf32>
              %18 = vector.insert %17, %12 [1] : vector<1x32xf32> into vector<8x1x32xf32>
              %19 = vector.extract %arg8[2, 0] : vector<32xf32> from vector<8x1x32xf32>
              %20 = vector.extract %3[2, 0] : f32 from vector<8x1xf32>
              %21 = vector.broadcast %20 : f32 to vector<32xf32>
              %22 = vector.fma %7, %21, %19 : vector<32xf32>
              %23 = vector.broadcast %22 : vector<32xf32> to vector<1x32xf32>
              %24 = vector.insert %23, %18 [2] : vector<1x32xf32> into vector<8x1x32xf32>
              %25 = vector.extract %arg8[3, 0] : vector<32xf32> from vector<8x1x32xf32>
              %26 = vector.extract %3[3, 0] : f32 from vector<8x1xf32>
              %27 = vector.broadcast %26 : f32 to vector<32xf32>
              %28 = vector.fma %7, %27, %25 : vector<32xf32>
              %29 = vector.broadcast %28 : vector<32xf32> to vector<1x32xf32>
              %30 = vector.insert %29, %24 [3] : vector<1x32xf32> into vector<8x1x32xf32>
              %31 = vector.extract %arg8[4, 0] : vector<32xf32> from vector<8x1x32xf32>
              %32 = vector.extract %3[4, 0] : f32 from vector<8x1xf32>
              %33 = vector.broadcast %32 : f32 to vector<32xf32>
              %34 = vector.fma %7, %33, %31 : vector<32xf32>
              %35 = vector.broadcast %34 : vector<32xf32> to vector<1x32xf32>
              %36 = vector.insert %35, %30 [4] : vector<1x32xf32> into vector<8x1x32xf32>
              %37 = vector.extract %arg8[5, 0] : vector<32xf32> from vector<8x1x32xf32>
              %38 = vector.extract %3[5, 0] : f32 from vector<8x1xf32>
              %39 = vector.broadcast %38 : f32 to vector<32xf32>
              %40 = vector.fma %7, %39, %37 : vector<32xf32>
              %41 = vector.broadcast %40 : vector<32xf32> to vector<1x32xf32>
              %42 = vector.insert %41, %36 [5] : vector<1x32xf32> into vector<8x1x32xf32>
              %43 = vector.extract %arg8[6, 0] : vector<32xf32> from vector<8x1x32xf32>
              %44 = vector.extract %3[6, 0] : f32 from vector<8x1xf32>
              %45 = vector.broadcast %44 : f32 to vector<32xf32>
              %46 = vector.fma %7, %45, %43 : vector<32xf32>
              %47 = vector.broadcast %46 : vector<32xf32> to vector<1x32xf32>
              %48 = vector.insert %47, %42 [6] : vector<1x32xf32> into vector<8x1x32xf32>
              %49 = vector.extract %arg8[7, 0] : vector<32xf32> from vector<8x1x32xf32>
              %50 = vector.extract %3[7, 0] : f32 from vector<8x1xf32>
              %51 = vector.broadcast %50 : f32 to vector<32xf32>
              %52 = vector.fma %7, %51, %49 : vector<32xf32>
              %53 = vector.broadcast %52 : vector<32xf32> to vector<1x32xf32>
              %54 = vector.insert %53, %48 [7] : vector<1x32xf32> into vector<8x1x32xf32>
              scf.yield %54 : vector<8x1x32xf32>
            }
            %1 = arith.maximumf %0, %cst : vector<8x1x32xf32>
            vector.transfer_write %1, %subview_3[%arg5, %arg6, %c0] {in_bounds = [true, true, true]} : vector<8x1x32xf32>, memref<64x8x32xf32, strided<[512, 32, 1], offset: ?>>
          }
        }
      }
    }
    return
  }
  func.func @matmul(%arg0: memref<256x128xf32>, %arg1: memref<128x512xf32>, %arg2: memref<256x512xf32>) attributes {lathe.arena_bytes = 0 : i64, lathe.intermediate_bytes = 0 : i64} {
    call @matmul_k0_matmul(%arg0, %arg1, %arg2) : (memref<256x128xf32>, memref<128x512xf32>, memref<256x512xf32>) -> ()
    return
  }
}

)mlir";

TEST_F(FeaturesTest, PipelineMatmul) {
  mlir::ModuleOp m = parse(kPipelineMatmul);
  ASSERT_TRUE(m);
  llvm::Expected<std::vector<NamedKernelFeatures>> kernels =
      extractModuleFeatures(m, caches);
  ASSERT_TRUE(bool(kernels)) << llvm::toString(kernels.takeError());
  ASSERT_EQ(kernels->size(), 1u); // @matmul itself is not a kernel.
  EXPECT_EQ((*kernels)[0].kernel, "matmul_k0_matmul");
  EXPECT_EQ((*kernels)[0].workload, "af189a647d706e3a");
  const KernelFeatures &f = (*kernels)[0].features;

  EXPECT_EQ(f.numNests, 2); // Packing B, then the matmul.
  EXPECT_EQ(f.numLoops, 7);
  EXPECT_EQ(f.depth, 5);
  std::vector<double> trips, parallel;
  for (const LoopLevelFeatures &level : f.loops) {
    trips.push_back(level.tripCount);
    parallel.push_back(level.parallel);
  }
  EXPECT_EQ(trips, (std::vector<double>{2, 4, 8, 8, 128, 0, 0, 0}));
  EXPECT_EQ(parallel, (std::vector<double>{1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(f.vectorWidth, 32);
  EXPECT_EQ(f.unroll, 8);
  EXPECT_EQ(f.parallelExtent, 2);
  EXPECT_EQ(f.parallelUtilization, 1);
  // 2*M*N*K for the FMAs, M*N for the relu.
  EXPECT_EQ(f.flops, 2.0 * 256 * 512 * 128 + 256 * 512);
  EXPECT_EQ(f.vectorFlops, f.flops);
  // Packing reads and writes B once; the k loop reads 8 elements of A and
  // 32 of packed B per iteration; C is written once.
  EXPECT_EQ(f.bytesRead, 128 * 512 * 4 + 65536.0 * (8 + 32) * 4);
  EXPECT_EQ(f.bytesWritten, 128 * 512 * 4 + 256 * 512 * 4);
  EXPECT_EQ(f.footprintBytes, (256 * 128 + 2 * 128 * 512 + 256 * 512) * 4);
  EXPECT_EQ(f.numBuffers, 4);
  // Packed B is read the most, from the arena; it is re-used across the
  // register tile's rows, with a working set in between that fits L2.
  EXPECT_EQ(f.buffers[0].kind, 1);
  EXPECT_EQ(f.buffers[0].readBytes, 65536.0 * 32 * 4);
  EXPECT_EQ(f.buffers[0].contiguity, 1);
  EXPECT_EQ(f.buffers[0].innerStrideElements, 32);
  EXPECT_GT(f.buffers[0].reuseDistanceBytes, 0);
  EXPECT_EQ(f.buffers[0].reuseFitsL2, 1);
  // A: 8 rows of one column per k step: strided.
  EXPECT_EQ(f.buffers[1].readBytes, 65536.0 * 8 * 4);
  EXPECT_EQ(f.buffers[1].contiguity, 0);
  EXPECT_EQ(f.buffers[1].innerStrideElements, 1);
  // Less traffic the farther from the core; at least the footprint.
  EXPECT_GE(f.bytesRead + f.bytesWritten, f.bytesFromL2);
  EXPECT_GE(f.bytesFromL2, f.bytesFromL3);
  EXPECT_GE(f.bytesFromL3, f.bytesFromDRAM);
  EXPECT_GE(f.bytesFromDRAM, f.footprintBytes);
}

} // namespace
