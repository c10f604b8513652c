//===- NNToLinalg.cpp - Lower nn to linalg on tensors ---------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the helpers shared by the nn-to-linalg patterns and
// the `lathe-convert-nn-to-linalg` pass. The patterns themselves live in one
// file per op family (NNToLinalg{Contraction,Elementwise,Normalization,
// DataMovement}.cpp).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/lower/NNToLinalgUtils.h"

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/DialectConversion.h"

namespace lathe {
#define GEN_PASS_DEF_CONVERTNNTOLINALGPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::lower;

//===----------------------------------------------------------------------===//
// Shared builders
//===----------------------------------------------------------------------===//

Value lower::emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}

Value lower::filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                          TypedAttr value) {
  Value scalar = b.create<arith::ConstantOp>(loc, value);
  return b.create<linalg::FillOp>(loc, scalar, emptyTensor(b, loc, type))
      .getResult(0);
}

AffineMap lower::broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                              ArrayRef<int64_t> resultShape) {
  int64_t offset = resultShape.size() - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(operandShape)) {
    int64_t dim = offset + i;
    if (size == 1 && resultShape[dim] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(dim, ctx));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, ctx);
}

Value lower::buildElementwise(OpBuilder &b, Location loc,
                              RankedTensorType resultType, ValueRange inputs,
                              ScalarFn body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(
        ctx, cast<RankedTensorType>(in.getType()).getShape(),
        resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc, resultType, inputs, emptyTensor(b, loc, resultType), maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        nb.create<linalg::YieldOp>(nloc, result);
      });
  return generic.getResult(0);
}

Value lower::indexGeneric(OpBuilder &b, Location loc, RankedTensorType type,
                   ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                          IndexFn body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  auto generic = b.create<linalg::GenericOp>(
      loc, type, inputs, emptyTensor(b, loc, type), maps,
      SmallVector<utils::IteratorType>(type.getRank(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> indices;
        for (int64_t i = 0; i < type.getRank(); ++i)
          indices.push_back(nb.create<linalg::IndexOp>(nloc, i));
        nb.create<linalg::YieldOp>(
            nloc, body(nb, nloc, args.drop_back(), indices));
      });
  return generic.getResult(0);
}

Value lower::scalarConstant(OpBuilder &b, Location loc, Type type,
                            double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(loc, b.getFloatAttr(floatType, value));
  return b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

TypedAttr lower::lowestValue(Type type) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return FloatAttr::get(
        type, APFloat::getInf(floatType.getFloatSemantics(), /*Negative=*/true));
  unsigned width = type.getIntOrFloatBitWidth();
  if (width == 1) // Booleans order false < true.
    return IntegerAttr::get(type, APInt(1, 0));
  return IntegerAttr::get(type, APInt::getSignedMinValue(width));
}

TypedAttr lower::highestValue(Type type) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return FloatAttr::get(type, APFloat::getInf(floatType.getFloatSemantics()));
  unsigned width = type.getIntOrFloatBitWidth();
  if (width == 1)
    return IntegerAttr::get(type, APInt(1, 1));
  return IntegerAttr::get(type, APInt::getSignedMaxValue(width));
}

Value lower::reshapeTo(OpBuilder &b, Location loc, Value value,
                       RankedTensorType type) {
  auto source = cast<RankedTensorType>(value.getType());
  if (source == type)
    return value;
  if (source.getRank() > type.getRank()) {
    if (auto reassoc = getReassociationIndicesForReshape(source, type))
      return b.create<tensor::CollapseShapeOp>(loc, type, value, *reassoc);
  } else if (source.getRank() < type.getRank()) {
    if (auto reassoc = getReassociationIndicesForReshape(source, type))
      return b.create<tensor::ExpandShapeOp>(loc, type, value, *reassoc);
  }
  // No single reshape relates the shapes: go through 1-D (or 0-D when the
  // tensors are empty of dims).
  int64_t count = source.getNumElements();
  auto flat = RankedTensorType::get({count}, source.getElementType());
  Value flatValue = value;
  if (source.getRank() == 0) {
    flatValue = b.create<tensor::ExpandShapeOp>(
        loc, flat, value, ArrayRef<ReassociationIndices>{});
  } else if (source.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < source.getRank(); ++i)
      all.push_back(i);
    flatValue = b.create<tensor::CollapseShapeOp>(
        loc, flat, value, ArrayRef<ReassociationIndices>{all});
  }
  if (type.getRank() == 0)
    return b.create<tensor::CollapseShapeOp>(
        loc, type, flatValue, ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 1)
    return flatValue;
  ReassociationIndices all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  return b.create<tensor::ExpandShapeOp>(loc, type, flatValue,
                                         ArrayRef<ReassociationIndices>{all});
}

Value lower::padConstant(OpBuilder &b, Location loc, Value value,
                         ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                         TypedAttr padValue) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return value;
  auto source = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> lowOfr, highOfr;
  for (auto [size, l, h] : llvm::zip_equal(source.getShape(), low, high)) {
    shape.push_back(size + l + h);
    lowOfr.push_back(b.getIndexAttr(l));
    highOfr.push_back(b.getIndexAttr(h));
  }
  // The padded tensor filled with the pad value, the source copied into
  // its interior: a linalg.fill and a linalg.copy (which the schedule
  // vectorizes) rather than a tensor.pad (which bufferizes into scalar
  // copy loops); the slice is updated in place.
  Value scalar = b.create<arith::ConstantOp>(loc, padValue);
  Value empty = b.create<tensor::EmptyOp>(loc, shape, source.getElementType());
  Value filled =
      b.create<linalg::FillOp>(loc, scalar, empty).getResult(0);
  SmallVector<OpFoldResult> sizes, strides;
  for (int64_t size : source.getShape()) {
    sizes.push_back(b.getIndexAttr(size));
    strides.push_back(b.getIndexAttr(1));
  }
  Value interior = b.create<tensor::ExtractSliceOp>(loc, source, filled,
                                                    lowOfr, sizes, strides);
  Value copied = b.create<linalg::CopyOp>(loc, value, interior).getResult(0);
  return b.create<tensor::InsertSliceOp>(loc, copied, filled, lowOfr, sizes,
                                         strides);
}

Value lower::maximum(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::MaximumFOp>(loc, x, y);
  if (x.getType().isInteger(1))
    return b.create<arith::MaxUIOp>(loc, x, y);
  return b.create<arith::MaxSIOp>(loc, x, y);
}

Value lower::minimum(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::MinimumFOp>(loc, x, y);
  if (x.getType().isInteger(1))
    return b.create<arith::MinUIOp>(loc, x, y);
  return b.create<arith::MinSIOp>(loc, x, y);
}

Value lower::divide(OpBuilder &b, Location loc, Value a, Value c) {
  if (isa<FloatType>(a.getType()))
    return b.create<arith::DivFOp>(loc, a, c);
  return b.create<arith::DivSIOp>(loc, a, c);
}

//===----------------------------------------------------------------------===//
// Patterns and pass
//===----------------------------------------------------------------------===//

namespace {
/// nn.constant -> arith.constant with the same (possibly resource) value.
struct ConstantLowering : OpRewritePattern<nn::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConstantOp op,
                                PatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "value is not a typed attribute");
    // MLIR 19's memref.global lowering reads a rank-0 initializer as a
    // splat, which a dense_resource cannot give: inline rank-0 blobs.
    auto resource = dyn_cast<DenseResourceElementsAttr>(value);
    if (resource && resource.getType().getRank() == 0) {
      AsmResourceBlob *blob = resource.getRawHandle().getBlob();
      if (!blob)
        return rewriter.notifyMatchFailure(op, "resource blob is missing");
      value = DenseElementsAttr::getFromRawBuffer(resource.getType(),
                                                  blob->getData());
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};
} // namespace

void lathe::populateNNToLinalgPatterns(RewritePatternSet &patterns,
                                       int64_t im2colMinFilters) {
  patterns.add<ConstantLowering>(patterns.getContext());
  populateContractionPatterns(patterns, im2colMinFilters);
  populateElementwisePatterns(patterns);
  populateNormalizationPatterns(patterns);
  populateDataMovementPatterns(patterns);
  populateIndexingPatterns(patterns);
}

namespace {
struct ConvertNNToLinalgPass
    : lathe::impl::ConvertNNToLinalgPassBase<ConvertNNToLinalgPass> {
  using ConvertNNToLinalgPassBase::ConvertNNToLinalgPassBase;

  /// The scatter lowerings emit scf.for loops that carry tensors; one-shot
  /// bufferization later needs scf's models of them, wherever this pass runs.
  void getDependentDialects(DialectRegistry &registry) const override {
    ConvertNNToLinalgPassBase::getDependentDialects(registry);
    scf::registerBufferizableOpInterfaceExternalModels(registry);
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<nn::NNDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateNNToLinalgPatterns(patterns, im2colMinFilters);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
