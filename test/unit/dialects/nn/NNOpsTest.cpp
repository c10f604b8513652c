//===- NNOpsTest.cpp - Unit tests of the nn ops ---------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// Tests result-type inference through the inferring builders (the API the
// ONNX importer uses) and the diagnostics of malformed ops.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace lathe::nn;

namespace {

class NNOpsTest : public ::testing::Test {
protected:
  NNOpsTest() : builder(&ctx), loc(builder.getUnknownLoc()) {
    ctx.loadDialect<NNDialect, func::FuncDialect>();
    module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// A constant f32 tensor of `shape` to use as an operand.
  Value tensor(ArrayRef<int64_t> shape, Type elementType = {}) {
    auto type = RankedTensorType::get(
        shape, elementType ? elementType : builder.getF32Type());
    Attribute zero = isa<FloatType>(type.getElementType())
                         ? Attribute(builder.getFloatAttr(type.getElementType(), 0))
                         : Attribute(builder.getIntegerAttr(type.getElementType(), 0));
    return builder.create<ConstantOp>(
        loc, DenseElementsAttr::get(type, zero));
  }

  static SmallVector<int64_t> shapeOf(Value v) {
    return SmallVector<int64_t>(cast<RankedTensorType>(v.getType()).getShape());
  }

  /// Parses `source` and returns the diagnostics it produced, joined.
  std::string diagnosticsOf(StringRef source) {
    std::string messages;
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
      messages += d.str() + "\n";
      return success();
    });
    OwningOpRef<ModuleOp> parsed =
        parseSourceString<ModuleOp>(source, ParserConfig(&ctx));
    if (parsed && failed(verify(*parsed)))
      messages += "(verify failed)\n";
    return messages;
  }

  MLIRContext ctx;
  OpBuilder builder;
  Location loc;
  OwningOpRef<ModuleOp> module;
};

TEST_F(NNOpsTest, MatmulBroadcastsBatchDims) {
  Value y = builder.create<MatmulOp>(loc, tensor({8, 1, 128, 64}),
                                     tensor({3, 64, 32}));
  EXPECT_EQ(shapeOf(y), (SmallVector<int64_t>{8, 3, 128, 32}));
}

TEST_F(NNOpsTest, MatmulPromotesVectorsLikeNumpy) {
  Value vm = builder.create<MatmulOp>(loc, tensor({4}), tensor({4, 5}));
  EXPECT_EQ(shapeOf(vm), (SmallVector<int64_t>{5}));
  Value mv = builder.create<MatmulOp>(loc, tensor({3, 4}), tensor({4}));
  EXPECT_EQ(shapeOf(mv), (SmallVector<int64_t>{3}));
  Value vv = builder.create<MatmulOp>(loc, tensor({4}), tensor({4}));
  EXPECT_EQ(shapeOf(vv), (SmallVector<int64_t>{}));
}

TEST_F(NNOpsTest, MatmulKeepsDynamicDims) {
  Value y = builder.create<MatmulOp>(
      loc, tensor({ShapedType::kDynamic, 128, 64}), tensor({64, 32}));
  EXPECT_EQ(shapeOf(y), (SmallVector<int64_t>{ShapedType::kDynamic, 128, 32}));
}

TEST_F(NNOpsTest, GemmTransposesOperands) {
  Value y = builder.create<GemmOp>(
      loc, tensor({512, 1}), tensor({10, 512}), tensor({10}),
      builder.getF32FloatAttr(1.0f), builder.getF32FloatAttr(1.0f),
      builder.getUnitAttr(), builder.getUnitAttr());
  EXPECT_EQ(shapeOf(y), (SmallVector<int64_t>{1, 10}));
}

TEST_F(NNOpsTest, Conv2dOutputSize) {
  // ResNet-50's stem: 7x7 stride 2 pad 3.
  Value y = builder.create<Conv2dOp>(
      loc, tensor({1, 3, 224, 224}), tensor({64, 3, 7, 7}), tensor({64}),
      builder.getDenseI64ArrayAttr({2, 2}),
      builder.getDenseI64ArrayAttr({3, 3, 3, 3}),
      builder.getDenseI64ArrayAttr({1, 1}), builder.getI64IntegerAttr(1),
      UnitAttr());
  EXPECT_EQ(shapeOf(y), (SmallVector<int64_t>{1, 64, 112, 112}));

  // The same stem channels-last: NHWC input, HWCF weight, NHWC result.
  Value nhwc = builder.create<Conv2dOp>(
      loc, tensor({1, 224, 224, 3}), tensor({7, 7, 3, 64}), tensor({64}),
      builder.getDenseI64ArrayAttr({2, 2}),
      builder.getDenseI64ArrayAttr({3, 3, 3, 3}),
      builder.getDenseI64ArrayAttr({1, 1}), builder.getI64IntegerAttr(1),
      builder.getUnitAttr());
  EXPECT_EQ(shapeOf(nhwc), (SmallVector<int64_t>{1, 112, 112, 64}));

  // Depthwise, dilated: 3x3 with dilation 2 covers 5x5.
  Value dw = builder.create<Conv2dOp>(
      loc, tensor({1, 32, 10, 10}), tensor({32, 1, 3, 3}), Value(),
      builder.getDenseI64ArrayAttr({1, 1}),
      builder.getDenseI64ArrayAttr({0, 0, 0, 0}),
      builder.getDenseI64ArrayAttr({2, 2}), builder.getI64IntegerAttr(32),
      UnitAttr());
  EXPECT_EQ(shapeOf(dw), (SmallVector<int64_t>{1, 32, 6, 6}));
}

TEST_F(NNOpsTest, PoolCeilModeDropsWindowsInPadding) {
  auto pool = [&](ArrayRef<int64_t> pads, bool ceil) {
    return shapeOf(builder.create<MaxPoolOp>(
        loc, tensor({1, 1, 5, 5}), builder.getDenseI64ArrayAttr({2, 2}),
        builder.getDenseI64ArrayAttr({2, 2}),
        builder.getDenseI64ArrayAttr(pads),
        builder.getDenseI64ArrayAttr({1, 1}),
        ceil ? builder.getUnitAttr() : UnitAttr()));
  };
  EXPECT_EQ(pool({0, 0, 0, 0}, false), (SmallVector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(pool({0, 0, 0, 0}, true), (SmallVector<int64_t>{1, 1, 3, 3}));
  // With a pad of 1 after, ceil would add a window starting in the padding.
  EXPECT_EQ(pool({0, 0, 1, 1}, true), (SmallVector<int64_t>{1, 1, 3, 3}));
}

TEST_F(NNOpsTest, ReshapeInfersMinusOne) {
  Value y = builder.create<ReshapeOp>(loc, tensor({2, 3, 4}),
                                      builder.getDenseI64ArrayAttr({4, -1}));
  EXPECT_EQ(shapeOf(y), (SmallVector<int64_t>{4, 6}));
}

TEST_F(NNOpsTest, ReduceKeepdims) {
  Value keep = builder.create<ReduceOp>(loc, ReduceKind::mean,
                                        tensor({1, 64, 7, 7}),
                                        ArrayRef<int64_t>{-2, -1},
                                        /*keepdims=*/true);
  EXPECT_EQ(shapeOf(keep), (SmallVector<int64_t>{1, 64, 1, 1}));
  Value drop = builder.create<ReduceOp>(loc, ReduceKind::sum,
                                        tensor({1, 64, 7, 7}),
                                        ArrayRef<int64_t>{1},
                                        /*keepdims=*/false);
  EXPECT_EQ(shapeOf(drop), (SmallVector<int64_t>{1, 7, 7}));
}

TEST_F(NNOpsTest, GatherSplicesIndexShape) {
  Value y = builder.create<GatherOp>(
      loc, tensor({30522, 768}), tensor({1, 128}, builder.getI64Type()),
      builder.getI64IntegerAttr(0));
  EXPECT_EQ(shapeOf(y), (SmallVector<int64_t>{1, 128, 768}));
}

TEST_F(NNOpsTest, SliceWithNegativeStep) {
  // Reverse a dimension of 5: start 4, end -1 (through element 0), step -1.
  Value y = builder.create<SliceOp>(loc, tensor({5, 8}),
                                    builder.getDenseI64ArrayAttr({4, 1}),
                                    builder.getDenseI64ArrayAttr({-1, 8}),
                                    builder.getDenseI64ArrayAttr({-1, 3}));
  EXPECT_EQ(shapeOf(y), (SmallVector<int64_t>{5, 3}));
}

TEST_F(NNOpsTest, InferenceWithoutLocationEmitsNothing) {
  // The importer may probe inference speculatively: no location, no output.
  std::string messages;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    messages += d.str();
    return success();
  });
  SmallVector<Value> operands = {tensor({2, 3}), tensor({4, 5})};
  SmallVector<Type> results;
  MatmulOp::Adaptor adaptor(operands);
  EXPECT_TRUE(failed(
      MatmulOp::inferReturnTypes(&ctx, std::nullopt, adaptor, results)));
  EXPECT_TRUE(messages.empty()) << messages;
}

TEST_F(NNOpsTest, ConstantHoldsDenseResourceAndFolds) {
  auto type = RankedTensorType::get({2, 2}, builder.getF32Type());
  float data[] = {1.0f, 2.0f, 3.0f, 4.0f};
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(
      ArrayRef<float>(data));
  auto attr = DenseResourceElementsAttr::get(type, "w0", std::move(blob));
  auto c = builder.create<ConstantOp>(loc, attr);
  EXPECT_EQ(c.getType(), type);
  SmallVector<OpFoldResult> folded;
  ASSERT_TRUE(succeeded(c->fold(folded)));
  ASSERT_EQ(folded.size(), 1u);
  EXPECT_EQ(dyn_cast<Attribute>(folded[0]), Attribute(attr));
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(NNOpsTest, MismatchedContractionNamesBothShapes) {
  std::string d = diagnosticsOf(R"mlir(
    func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
      %y = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
      return %y : tensor<2x5xf32>
    })mlir");
  EXPECT_NE(d.find("'nn.matmul' op contracting dimensions differ: lhs [2, 3] "
                   "has K = 3, rhs [4, 5] has K = 4"),
            std::string::npos)
      << d;
}

TEST_F(NNOpsTest, WrongResultTypeIsReported) {
  std::string d = diagnosticsOf(R"mlir(
    func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3x3xf32> {
      %y = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
      return %y : tensor<3x3xf32>
    })mlir");
  EXPECT_NE(d.find("inferred type(s) 'tensor<2x3xf32>' are incompatible with "
                   "return type(s) of operation 'tensor<3x3xf32>'"),
            std::string::npos)
      << d;
}

} // namespace
