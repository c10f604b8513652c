//===- NNIndexingOps.cpp - nn ops that compare, select and index ----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements result-type inference (the shape verifier) of the ops
// declared in NNIndexingOps.td: compare, select, argmax, topk, cumsum,
// gather_elements, gather_nd, scatter_elements, scatter_nd and resize.
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

/// The indices of gather_elements / scatter_elements: of the rank of data,
/// a valid axis, and no larger than data in any other dim.
template <typename OpTy>
static LogicalResult checkElementIndices(std::optional<Location> loc,
                                         RankedTensorType data,
                                         RankedTensorType idx, int64_t axis) {
  if (data.getRank() != idx.getRank())
    return shapeError<OpTy>(loc)
           << "expected indices of the rank of data (" << data.getRank()
           << "), got rank " << idx.getRank();
  auto checked = checkAxis<OpTy>(loc, axis, data.getRank());
  if (failed(checked))
    return failure();
  for (int64_t d = 0; d < data.getRank(); ++d)
    if (d != *checked && !ShapedType::isDynamic(data.getDimSize(d)) &&
        !ShapedType::isDynamic(idx.getDimSize(d)) &&
        idx.getDimSize(d) > data.getDimSize(d))
      return shapeError<OpTy>(loc)
             << "indices " << fmtShape(idx.getShape()) << " exceed data "
             << fmtShape(data.getShape()) << " in dim " << d;
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  auto data = rankedType<GatherElementsOp>(loc, adaptor.getData(), "data");
  auto idx =
      rankedType<GatherElementsOp>(loc, adaptor.getIndices(), "indices");
  if (failed(data) || failed(idx))
    return failure();
  if (failed(checkElementIndices<GatherElementsOp>(
          loc, *data, *idx, adaptor.getAxisAttr().getInt())))
    return failure();
  results.push_back(RankedTensorType::get(idx->getShape(),
                                          data->getElementType()));
  return success();
}

/// True unless both dims are static and differ.
static bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// The static size of the index tuples of `indices` (its last dim), checked
/// to lie in [1, `available`], the dims of data they can address.
template <typename OpTy>
static FailureOr<int64_t> tupleSize(std::optional<Location> loc,
                                    RankedTensorType indices,
                                    int64_t available) {
  if (indices.getRank() < 1)
    return shapeError<OpTy>(loc) << "expected indices of rank >= 1, got rank 0";
  int64_t k = indices.getShape().back();
  if (ShapedType::isDynamic(k))
    return shapeError<OpTy>(loc)
           << "expected a static last dim of indices, got "
           << fmtShape(indices.getShape());
  if (k < 1 || k > available)
    return shapeError<OpTy>(loc)
           << "expected index tuples of 1 to " << available
           << " coordinates (the last dim of indices), got " << k;
  return k;
}

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  auto data = rankedType<GatherNDOp>(loc, adaptor.getData(), "data");
  auto idx = rankedType<GatherNDOp>(loc, adaptor.getIndices(), "indices");
  if (failed(data) || failed(idx))
    return failure();
  int64_t b = adaptor.getBatchDims(), r = data->getRank(), q = idx->getRank();
  if (b < 0 || b >= std::min(r, q))
    return shapeError<GatherNDOp>(loc)
           << "expected 0 <= batch_dims < " << std::min(r, q)
           << " (the lower rank of data and indices), got " << b;
  for (int64_t d = 0; d < b; ++d)
    if (!dimsAgree(data->getDimSize(d), idx->getDimSize(d)))
      return shapeError<GatherNDOp>(loc)
             << "batch dim " << d << " differs: data "
             << fmtShape(data->getShape()) << ", indices "
             << fmtShape(idx->getShape());
  auto k = tupleSize<GatherNDOp>(loc, *idx, r - b);
  if (failed(k))
    return failure();
  SmallVector<int64_t> shape(idx->getShape().drop_back());
  llvm::append_range(shape, data->getShape().drop_front(b + *k));
  results.push_back(RankedTensorType::get(shape, data->getElementType()));
  return success();
}

/// Checks that `updates` has the element type of `data` and the shape
/// `expected`.
template <typename OpTy>
static LogicalResult
checkUpdates(std::optional<Location> loc, RankedTensorType data,
             RankedTensorType updates, ArrayRef<int64_t> expected) {
  if (updates.getElementType() != data.getElementType())
    return shapeError<OpTy>(loc)
           << "expected updates of the element type of data ("
           << data.getElementType() << "), got " << updates.getElementType();
  bool same = updates.getRank() == static_cast<int64_t>(expected.size());
  for (int64_t d = 0; same && d < updates.getRank(); ++d)
    same = dimsAgree(updates.getDimSize(d), expected[d]);
  if (!same)
    return shapeError<OpTy>(loc)
           << "expected updates of shape " << fmtShape(expected) << ", got "
           << fmtShape(updates.getShape());
  return success();
}

LogicalResult
ScatterElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &results) {
  auto data = rankedType<ScatterElementsOp>(loc, adaptor.getData(), "data");
  auto idx =
      rankedType<ScatterElementsOp>(loc, adaptor.getIndices(), "indices");
  auto upd =
      rankedType<ScatterElementsOp>(loc, adaptor.getUpdates(), "updates");
  if (failed(data) || failed(idx) || failed(upd))
    return failure();
  if (failed(checkElementIndices<ScatterElementsOp>(
          loc, *data, *idx, adaptor.getAxisAttr().getInt())))
    return failure();
  if (failed(
          checkUpdates<ScatterElementsOp>(loc, *data, *upd, idx->getShape())))
    return failure();
  results.push_back(*data);
  return success();
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto data = rankedType<ScatterNDOp>(loc, adaptor.getData(), "data");
  auto idx = rankedType<ScatterNDOp>(loc, adaptor.getIndices(), "indices");
  auto upd = rankedType<ScatterNDOp>(loc, adaptor.getUpdates(), "updates");
  if (failed(data) || failed(idx) || failed(upd))
    return failure();
  auto k = tupleSize<ScatterNDOp>(loc, *idx, data->getRank());
  if (failed(k))
    return failure();
  SmallVector<int64_t> expected(idx->getShape().drop_back());
  llvm::append_range(expected, data->getShape().drop_front(*k));
  if (failed(checkUpdates<ScatterNDOp>(loc, *data, *upd, expected)))
    return failure();
  results.push_back(*data);
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
