//===- NNToLinalgUtils.h - Shared helpers of the nn lowering ----*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the builders that the nn-to-linalg patterns share
// (broadcasting elementwise generics, filled tensors, reshapes, identity
// values of reductions) and the per-family pattern populators. It is private
// to passes/lower.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_PASSES_LOWER_NNTOLINALGUTILS_H
#define LATHE_PASSES_LOWER_NNTOLINALGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace lathe::lower {

/// Builds the scalar body of an elementwise generic from its block arguments
/// (one per input, broadcast already applied).
using ScalarFn = llvm::function_ref<mlir::Value(mlir::OpBuilder &,
                                                mlir::Location,
                                                mlir::ValueRange)>;

/// A `tensor.empty` of `type`.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);

/// A tensor of `type` filled with `value` (`linalg.fill`).
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::TypedAttr value);

/// The indexing map that reads an operand of `operandShape` broadcast
/// numpy-style (aligned right) to an iteration space of `resultShape`: a
/// size-1 operand dim under a larger result dim reads index 0.
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             llvm::ArrayRef<int64_t> operandShape,
                             llvm::ArrayRef<int64_t> resultShape);

/// A parallel `linalg.generic` producing `resultType` from `inputs`, each
/// broadcast numpy-style to the result shape, computing `body` per element.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, ScalarFn body);

/// Builds one element of an index-driven generic from the scalars of its
/// inputs and its iteration indices (`linalg.index`).
using IndexFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange,
    llvm::ArrayRef<mlir::Value>)>;

/// A parallel generic over `type` whose body computes each element from its
/// iteration indices, reading `inputs` through `inputMaps` (and other
/// tensors by tensor.extract).
mlir::Value indexGeneric(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::ValueRange inputs,
                         llvm::ArrayRef<mlir::AffineMap> inputMaps,
                         IndexFn body);

/// A scalar constant of the float or integer `type`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// The identity of a max (lowest value) or min (highest value) reduction for
/// `type`: -inf/+inf for floats, the extreme integers otherwise.
mlir::TypedAttr lowestValue(mlir::Type type);
mlir::TypedAttr highestValue(mlir::Type type);

/// Reshapes `value` (static shape) to `type` with the same element count,
/// keeping row-major order: one collapse_shape or expand_shape when the two
/// shapes allow it, else a collapse to 1-D followed by an expand.
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Value value, mlir::RankedTensorType type);

/// Pads `value` (static shape) by `low`/`high` (non-negative) elements per
/// dim with the constant `padValue`, as a linalg.fill of the padded tensor
/// and a linalg.copy of `value` into its interior; returns `value` itself
/// when there is nothing to pad.
mlir::Value padConstant(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, llvm::ArrayRef<int64_t> low,
                        llvm::ArrayRef<int64_t> high, mlir::TypedAttr padValue);

/// max / min for floats (NaN-propagating), signed integers and booleans
/// (false < true).
mlir::Value maximum(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                    mlir::Value y);
mlir::Value minimum(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                    mlir::Value y);

/// `a / b` for floats; signed division for integers.
mlir::Value divide(mlir::OpBuilder &b, mlir::Location loc, mlir::Value a,
                   mlir::Value c);

/// Base of the patterns that lower one nn op whose operands and results all
/// have static shapes (the only kind lowered so far); ops with dynamic shapes
/// are left, and the conversion reports them.
template <typename OpTy>
struct StaticShapeLowering : mlir::OpRewritePattern<OpTy> {
  using mlir::OpRewritePattern<OpTy>::OpRewritePattern;

  /// Lowers `op`, whose shapes are all static.
  virtual mlir::LogicalResult
  lowerStatic(OpTy op, mlir::PatternRewriter &rewriter) const = 0;

  mlir::LogicalResult
  matchAndRewrite(OpTy op, mlir::PatternRewriter &rewriter) const final {
    auto isStatic = [](mlir::Type t) {
      auto shaped = llvm::dyn_cast<mlir::ShapedType>(t);
      return !shaped || shaped.hasStaticShape();
    };
    if (!llvm::all_of(op->getOperandTypes(), isStatic) ||
        !llvm::all_of(op->getResultTypes(), isStatic))
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered");
    // An op whose results are all empty computes nothing.
    auto isEmpty = [](mlir::Type t) {
      return llvm::cast<mlir::ShapedType>(t).getNumElements() == 0;
    };
    if (op->getNumResults() && llvm::all_of(op->getResultTypes(), isEmpty)) {
      llvm::SmallVector<mlir::Value> empties;
      for (mlir::Type t : op->getResultTypes()) {
        auto tensor = llvm::cast<mlir::RankedTensorType>(t);
        empties.push_back(rewriter.create<mlir::tensor::EmptyOp>(
            op.getLoc(), tensor.getShape(), tensor.getElementType()));
      }
      rewriter.replaceOp(op, empties);
      return mlir::success();
    }
    return lowerStatic(op, rewriter);
  }
};

/// Per-family populators behind populateNNToLinalgPatterns().
void populateContractionPatterns(mlir::RewritePatternSet &patterns,
                                 int64_t im2colMinFilters);
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateNormalizationPatterns(mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);
void populateIndexingPatterns(mlir::RewritePatternSet &patterns);

} // namespace lathe::lower

#endif // LATHE_PASSES_LOWER_NNTOLINALGUTILS_H
