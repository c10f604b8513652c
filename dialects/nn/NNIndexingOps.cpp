//===- NNIndexingOps.cpp - nn ops that compare, select and index ----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements result-type inference (the shape verifier) of the ops
// declared in NNIndexingOps.td: compare, select, argmax, topk, cumsum,
// gather_elements and resize.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNOps.h"
#include "dialects/nn/NNOpsUtils.h"

#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace lathe::nn;
using namespace lathe::nn::detail;

/// Numpy broadcasting of `shapes`, reported against `names`.
template <typename OpTy>
static FailureOr<SmallVector<int64_t>>
broadcastAll(std::optional<Location> loc, ArrayRef<RankedTensorType> types) {
  SmallVector<int64_t> shape;
  for (RankedTensorType t : types) {
    SmallVector<int64_t> next;
    if (!OpTrait::util::getBroadcastedShape(shape, t.getShape(), next)) {
      std::string shapes;
      for (RankedTensorType u : types)
        shapes += (shapes.empty() ? "" : ", ") + fmtShape(u.getShape());
      return shapeError<OpTy>(loc)
             << "operand shapes " << shapes << " do not broadcast";
    }
    shape = next;
  }
  return shape;
}

LogicalResult CompareOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  auto lhs = rankedType<CompareOp>(loc, adaptor.getLhs(), "lhs");
  auto rhs = rankedType<CompareOp>(loc, adaptor.getRhs(), "rhs");
  if (failed(lhs) || failed(rhs))
    return failure();
  if (lhs->getElementType() != rhs->getElementType())
    return shapeError<CompareOp>(loc)
           << "expected operands of one element type, got "
           << lhs->getElementType() << " and " << rhs->getElementType();
  auto shape = broadcastAll<CompareOp>(loc, {*lhs, *rhs});
  if (failed(shape))
    return failure();
  results.push_back(RankedTensorType::get(*shape, IntegerType::get(ctx, 1)));
  return success();
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto cond = rankedType<SelectOp>(loc, adaptor.getCondition(), "condition");
  auto a = rankedType<SelectOp>(loc, adaptor.getOnTrue(), "on_true");
  auto b = rankedType<SelectOp>(loc, adaptor.getOnFalse(), "on_false");
  if (failed(cond) || failed(a) || failed(b))
    return failure();
  if (!cond->getElementType().isInteger(1))
    return shapeError<SelectOp>(loc)
           << "expected an i1 condition, got " << cond->getElementType();
  if (a->getElementType() != b->getElementType())
    return shapeError<SelectOp>(loc)
           << "expected on_true and on_false of one element type, got "
           << a->getElementType() << " and " << b->getElementType();
  auto shape = broadcastAll<SelectOp>(loc, {*cond, *a, *b});
  if (failed(shape))
    return failure();
  results.push_back(RankedTensorType::get(*shape, a->getElementType()));
  return success();
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto in = rankedType<ArgMaxOp>(loc, adaptor.getInput(), "input");
  if (failed(in))
    return failure();
  auto axis = checkAxis<ArgMaxOp>(loc, adaptor.getAxisAttr().getInt(),
                                  in->getRank());
  if (failed(axis))
    return failure();
  if (in->getDimSize(*axis) == 0)
    return shapeError<ArgMaxOp>(loc)
           << "the reduced dim " << *axis << " is empty";
  SmallVector<int64_t> shape(in->getShape());
  if (adaptor.getKeepdims())
    shape[*axis] = 1;
  else
    shape.erase(shape.begin() + *axis);
  results.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto in = rankedType<TopKOp>(loc, adaptor.getInput(), "input");
  if (failed(in))
    return failure();
  auto axis =
      checkAxis<TopKOp>(loc, adaptor.getAxisAttr().getInt(), in->getRank());
  if (failed(axis))
    return failure();
  int64_t k = adaptor.getK(), size = in->getDimSize(*axis);
  if (k < 1 || (!ShapedType::isDynamic(size) && k > size))
    return shapeError<TopKOp>(loc) << "expected 1 <= k <= " << size
                                   << " (the size of dim " << *axis
                                   << "), got k = " << k;
  SmallVector<int64_t> shape(in->getShape());
  shape[*axis] = k;
  results.push_back(RankedTensorType::get(shape, in->getElementType()));
  results.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult CumSumOp::verify() {
  return checkAxis<CumSumOp>(getLoc(), getAxisAttr().getInt(),
                             getInput().getType().getRank());
}

LogicalResult GatherElementsOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  auto data = rankedType<GatherElementsOp>(loc, adaptor.getData(), "data");
  auto idx =
      rankedType<GatherElementsOp>(loc, adaptor.getIndices(), "indices");
  if (failed(data) || failed(idx))
    return failure();
  if (data->getRank() != idx->getRank())
    return shapeError<GatherElementsOp>(loc)
           << "expected indices of the rank of data (" << data->getRank()
           << "), got rank " << idx->getRank();
  auto axis = checkAxis<GatherElementsOp>(loc, adaptor.getAxisAttr().getInt(),
                                          data->getRank());
  if (failed(axis))
    return failure();
  for (int64_t d = 0; d < data->getRank(); ++d)
    if (d != *axis && !ShapedType::isDynamic(data->getDimSize(d)) &&
        !ShapedType::isDynamic(idx->getDimSize(d)) &&
        idx->getDimSize(d) > data->getDimSize(d))
      return shapeError<GatherElementsOp>(loc)
             << "indices " << fmtShape(idx->getShape())
             << " exceed data " << fmtShape(data->getShape()) << " in dim "
             << d;
  results.push_back(RankedTensorType::get(idx->getShape(),
                                          data->getElementType()));
  return success();
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto in = rankedType<ResizeOp>(loc, adaptor.getInput(), "input");
  if (failed(in))
    return failure();
  size_t rank = in->getRank();
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  ArrayRef<double> scales = adaptor.getScales();
  if (sizes.size() != rank || scales.size() != rank)
    return shapeError<ResizeOp>(loc)
           << "expected " << rank << " sizes and scales (one per dim), got "
           << sizes.size() << " and " << scales.size();
  for (size_t i = 0; i < rank; ++i) {
    if (sizes[i] < 1)
      return shapeError<ResizeOp>(loc)
             << "expected sizes >= 1, got " << fmtShape(sizes);
    if (!(scales[i] > 0.0))
      return shapeError<ResizeOp>(loc)
             << "expected positive scales, got " << scales[i] << " in dim "
             << i;
  }
  bool crop = adaptor.getCoordinateMode() == CoordinateMode::tf_crop_and_resize;
  std::optional<ArrayRef<double>> roi = adaptor.getRoi();
  if (crop != roi.has_value() || (roi && roi->size() != 2 * rank))
    return shapeError<ResizeOp>(loc)
           << "expected a roi of " << 2 * rank
           << " entries exactly with coordinate_mode tf_crop_and_resize";
  results.push_back(RankedTensorType::get(sizes, in->getElementType()));
  return success();
}
